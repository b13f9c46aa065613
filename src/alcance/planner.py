"""The planning stages of the main job: candidate sites, backhaul, the optimised plan.

Runs after today's coverage and the GEO service (:mod:`alcance.pipeline`) on data
already read (no I/O here). Each stage states in ``notes`` what it could not compute.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from alcance.backhaul.candidates import (
    candidate_coverage,
    candidate_summary,
    generate_candidates,
)
from alcance.backhaul.fibre import fibre_routes, road_graph
from alcance.backhaul.graph import backhaul_options, build_backhaul_graph, route_geometries
from alcance.backhaul.microwave import evaluate_hops, hop_pairs
from alcance.cost import fibre_cost, microwave_hop_cost
from alcance.demand import school_demand_mbps
from alcance.io.region import Region
from alcance.plan import (
    PlanProblem,
    PlanSolution,
    budget_sweep,
    check_feasible,
    greedy,
    solution_from_choice,
    solve_milp,
)
from alcance.plan_settings import PlanSettings
from alcance.planning import (
    PlanInputs,
    PlanTables,
    build_problem,
    choose_mast_heights,
    decode_plan,
    exclusions,
    metric_cost,
    number_column,
)
from alcance.terrain.grid import TerrainGrid

__all__ = ["BackhaulResult", "PlanResult", "plan_region"]

Step = Callable[[str], None]


@dataclass
class BackhaulResult:
    """Candidate sites and their backhaul, ready for GeoPackage layers."""

    candidates: pd.DataFrame
    coverage: pd.DataFrame
    summary: pd.DataFrame
    sites: pd.DataFrame
    nodes: pd.DataFrame
    hops: pd.DataFrame
    links: pd.DataFrame
    routes: pd.DataFrame
    route_links: pd.DataFrame
    unreachable: list[Any]
    route_lines: gpd.GeoDataFrame | None
    school_fibre: pd.DataFrame | None
    school_hops: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)


@dataclass
class PlanResult:
    """The plan and its baseline, sweep and tables."""

    backhaul: BackhaulResult
    tables: PlanTables
    solution: PlanSolution
    greedy: PlanSolution
    sweep: pd.DataFrame
    decoded: dict[str, pd.DataFrame]
    demand_mbps: np.ndarray[Any, np.dtype[np.float64]]
    budget_usd: float | None
    objective_text: str
    notes: list[str] = field(default_factory=list)


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in columns})


def _towers(region: Region) -> pd.DataFrame | None:
    if region.towers is None:
        return None
    sites = pd.DataFrame(region.towers.sites.drop(columns="geometry", errors="ignore"))
    return sites.loc[sites["on_terrain"].to_numpy(dtype=bool)].reset_index(drop=True)


def backhaul_stage(
    region: Region,
    grid: TerrainGrid | None,
    schools: pd.DataFrame,
    uncovered: np.ndarray[Any, np.dtype[np.bool_]],
    *,
    progress: Step,
) -> BackhaulResult:
    """Candidate sites around the uncovered schools, their coverage, and their backhaul."""
    sc = region.scenario
    notes: list[str] = []
    towers = _towers(region)
    school_ids = schools["school_id"].astype(str).to_numpy()
    lon = schools["longitude_deg"].to_numpy(dtype=float)
    lat = schools["latitude_deg"].to_numpy(dtype=float)
    on_terrain = schools["on_terrain"].to_numpy(dtype=bool)
    cand_cols = ["candidate_id", "kind", "longitude_deg", "latitude_deg", "ground_m"]
    if grid is None or not uncovered.any():
        notes.append(
            "no terrain: candidate sites and microwave hops cannot be assessed"
            if grid is None
            else "every school is served today: no candidate sites proposed"
        )
        candidates = _empty(cand_cols)
        coverage = _empty(["candidate_id", "mast_height_m", "school_id", "downlink_mbps"])
        summary = _empty(["candidate_id", "kind", "mast_height_m", "schools_served"])
    else:
        candidates = generate_candidates(
            grid,
            school_lon_deg=lon,
            school_lat_deg=lat,
            school_id=school_ids,
            uncovered=uncovered,
            tower_sites=towers,
            settings=sc.candidates,
        )
        coverage = candidate_coverage(
            grid,
            candidates,
            mast_heights_m=sc.candidates.mast_heights_m,
            school_lon_deg=lon,
            school_lat_deg=lat,
            school_id=school_ids,
            school_on_terrain=on_terrain,
            radio=sc.radio,
            service=sc.service,
            cpe_height_m=sc.defaults.school_antenna_height_m,
            settings=sc.candidates,
            spacing_m=sc.terrain.profile_spacing_m,
        )
        summary, cnotes = candidate_summary(
            grid,
            candidates,
            coverage,
            mast_heights_m=sc.candidates.mast_heights_m,
            radio=sc.radio,
            service=sc.service,
            settings=sc.candidates,
            settlements=region.settlements,
            spacing_m=sc.terrain.profile_spacing_m,
        )
        notes.extend(cnotes)
    progress("candidate sites")

    chosen = choose_mast_heights(summary)
    where = [
        c for c in ("longitude_deg", "latitude_deg", "ground_m", "source_id") if c in candidates
    ]
    sites = chosen.merge(candidates[["candidate_id", *where]], on="candidate_id", how="left")
    keep = coverage.merge(
        chosen[["candidate_id", "mast_height_m"]], on=["candidate_id", "mast_height_m"]
    )

    # --- backhaul nodes: fibre nodes, towers (points of presence), candidate sites
    node_rows: list[dict[str, Any]] = []
    heights: list[float] = []
    fibre = region.fibre_nodes
    pops_are_towers = sc.backhaul.existing_towers_are_pops
    if fibre is not None:
        for nid, flon, flat in zip(
            fibre["node_id"].astype(str), fibre["longitude_deg"], fibre["latitude_deg"], strict=True
        ):
            node_rows.append(
                {
                    "node_id": f"fn-{nid}",
                    "kind": "fibre_node",
                    "longitude_deg": float(flon),
                    "latitude_deg": float(flat),
                    "is_pop": True,
                }
            )
            heights.append(sc.backhaul.fibre_node_mast_m)
    # Towers enter the graph only as points of presence: an existing tower that is not
    # one cannot be a relay (the plan does not build or lease it).
    if towers is not None and pops_are_towers:
        for sid, tlon, tlat, th in zip(
            towers["site_id"].astype(str),
            towers["longitude_deg"],
            towers["latitude_deg"],
            towers["height_m"],
            strict=True,
        ):
            node_rows.append(
                {
                    "node_id": f"tower-{sid}",
                    "kind": "tower",
                    "longitude_deg": float(tlon),
                    "latitude_deg": float(tlat),
                    "is_pop": True,
                }
            )
            heights.append(float(th) if np.isfinite(th) else sc.defaults.tower_height_m)
    for cid, ckind, clon, clat, ch in zip(
        sites["candidate_id"].astype(str) if len(sites) else [],
        sites["kind"].astype(str) if len(sites) else [],
        sites["longitude_deg"].to_numpy(dtype=float) if len(sites) else [],
        sites["latitude_deg"].to_numpy(dtype=float) if len(sites) else [],
        sites["mast_height_m"].to_numpy(dtype=float) if len(sites) else [],
        strict=True,
    ):
        node_rows.append(
            {
                "node_id": cid,
                "kind": "candidate",
                "longitude_deg": float(clon),
                "latitude_deg": float(clat),
                "is_pop": bool(ckind == "tower_upgrade" and pops_are_towers),
            }
        )
        heights.append(float(ch))
    nodes = pd.DataFrame(
        node_rows, columns=["node_id", "kind", "longitude_deg", "latitude_deg", "is_pop"]
    )
    node_h = np.asarray(heights, dtype=float)
    if towers is not None and not pops_are_towers:
        notes.append("existing towers are not taken as points of presence ([backhaul])")
    if not bool(nodes["is_pop"].any()) if len(nodes) else True:
        notes.append(
            "no point of presence (no fibre nodes, no towers taken as PoPs): new sites cannot be backhauled"
        )

    # --- microwave hops among the nodes (not between two points of presence)
    mw = sc.microwave
    max_hop_m = 1000.0 * float(max(mw.max_hop_km))
    hops = pd.DataFrame()
    link_rows: list[pd.DataFrame] = []
    metric = sc.plan.cost_metric
    if grid is not None and len(nodes) > 1:
        nlon = nodes["longitude_deg"].to_numpy(dtype=float)
        nlat = nodes["latitude_deg"].to_numpy(dtype=float)
        i, j, _d = hop_pairs(nlon, nlat, max_hop_m)
        pop = nodes["is_pop"].to_numpy(dtype=bool)
        useful = ~(pop[i] & pop[j])
        i, j = i[useful], j[useful]
        if i.size:
            hops = evaluate_hops(
                grid,
                lon_a=nlon[i],
                lat_a=nlat[i],
                h_a_m=node_h[i],
                lon_b=nlon[j],
                lat_b=nlat[j],
                h_b_m=node_h[j],
                settings=mw,
            )
            hops.insert(0, "a", nodes["node_id"].to_numpy()[i])
            hops.insert(1, "b", nodes["node_id"].to_numpy()[j])
            ok = hops["feasible"].to_numpy(dtype=bool)
            f = hops.loc[ok]
            if len(f):
                c = microwave_hop_cost(
                    f["distance_m"].to_numpy(dtype=float),
                    f["band_ghz"].to_numpy(dtype=float),
                    f["dish_m"].to_numpy(dtype=float),
                    sc.cost,
                )
                link_rows.append(
                    pd.DataFrame(
                        {
                            "link_id": [f"mw:{a}~{b}" for a, b in zip(f["a"], f["b"], strict=True)],
                            "a": f["a"].to_numpy(),
                            "b": f["b"].to_numpy(),
                            "kind": "microwave",
                            "length_m": f["distance_m"].to_numpy(dtype=float),
                            "capacity_mbps": f["capacity_mbps"].to_numpy(dtype=float),
                            "cost_usd": metric_cost(c, metric),
                            "capex_usd": np.asarray(c.capex_usd, dtype=float),
                            "npv_usd": np.asarray(c.npv_usd, dtype=float),
                            "availability_pct": f["availability_pct"].to_numpy(dtype=float),
                        }
                    )
                )

    # --- fibre runs from candidate sites to the nearest fibre node
    fibre_geoms: dict[Hashable, Any] = {}
    roads = road_graph(region.roads) if region.roads is not None else None
    if fibre is not None and len(sites):
        fr = fibre_routes(
            site_id=sites["candidate_id"].astype(str).tolist(),
            site_lon_deg=sites["longitude_deg"].to_numpy(dtype=float),
            site_lat_deg=sites["latitude_deg"].to_numpy(dtype=float),
            node_id=[f"fn-{n}" for n in fibre["node_id"].astype(str)],
            node_lon_deg=fibre["longitude_deg"].to_numpy(dtype=float),
            node_lat_deg=fibre["latitude_deg"].to_numpy(dtype=float),
            roads=roads,
            settings=sc.backhaul,
        )
        fr = fr.loc[np.isfinite(fr["route_length_m"].to_numpy(dtype=float))]
        if len(fr):
            c = fibre_cost(fr["route_length_m"].to_numpy(dtype=float), sc.cost)
            ids = [
                f"fibre:{s}~{n}" for s, n in zip(fr["site_id"], fr["fibre_node_id"], strict=True)
            ]
            fibre_geoms.update(dict(zip(ids, fr["geometry"], strict=True)))
            link_rows.append(
                pd.DataFrame(
                    {
                        "link_id": ids,
                        "a": fr["site_id"].to_numpy(),
                        "b": fr["fibre_node_id"].to_numpy(),
                        "kind": "fibre",
                        "length_m": fr["route_length_m"].to_numpy(dtype=float),
                        "capacity_mbps": sc.backhaul.fibre_capacity_mbps,
                        "cost_usd": metric_cost(c, metric),
                        "capex_usd": np.asarray(c.capex_usd, dtype=float),
                        "npv_usd": np.asarray(c.npv_usd, dtype=float),
                        "availability_pct": np.nan,
                    }
                )
            )
    links = (
        pd.concat(link_rows, ignore_index=True)
        if link_rows
        else _empty(
            [
                "link_id",
                "a",
                "b",
                "kind",
                "length_m",
                "capacity_mbps",
                "cost_usd",
                "capex_usd",
                "npv_usd",
                "availability_pct",
            ]
        )
    )
    routes = _empty(["site_id", "route_id", "kind", "relay_node_ids", "cost_usd"])
    route_links = _empty(["route_id", "link_id"])
    unreachable: list[Any] = []
    route_lines = None
    if len(sites) and len(nodes):
        graph = build_backhaul_graph(nodes, links)
        options = backhaul_options(
            graph,
            sites["candidate_id"].astype(str).tolist(),
            max_hops=sc.backhaul.max_hops,
            routes_per_site=sc.backhaul.routes_per_site,
        )
        routes, route_links, unreachable = options.options, options.route_links, options.unreachable
        if unreachable:
            notes.append(
                f"{len(unreachable)} candidate sites have no backhaul route within "
                f"{sc.backhaul.max_hops} hops: {', '.join(map(str, unreachable[:10]))}"
                + (" …" if len(unreachable) > 10 else "")
            )
        route_lines = route_geometries(graph, routes, link_geometries=fibre_geoms or None)

    # --- the school's own backhaul: a hop to a point of presence, a fibre run
    school_hops = None
    school_fibre = None
    pops = nodes.loc[nodes["is_pop"].to_numpy(dtype=bool)] if len(nodes) else nodes
    cand = np.flatnonzero(uncovered & on_terrain)
    if grid is not None and len(pops) and cand.size and sc.plan.use_school_microwave:
        plon = pops["longitude_deg"].to_numpy(dtype=float)
        plat = pops["latitude_deg"].to_numpy(dtype=float)
        ph = node_h[pops.index.to_numpy()]
        all_lon = np.concatenate([lon[cand], plon])
        all_lat = np.concatenate([lat[cand], plat])
        i, j, _d = hop_pairs(all_lon, all_lat, max_hop_m)
        m = cand.size
        sel = (i < m) & (j >= m)
        si, pj = i[sel], j[sel] - m
        if si.size:
            h = evaluate_hops(
                grid,
                lon_a=lon[cand][si],
                lat_a=lat[cand][si],
                h_a_m=np.full(si.size, sc.candidates.school_mast_height_m),
                lon_b=plon[pj],
                lat_b=plat[pj],
                h_b_m=ph[pj],
                settings=mw,
            )
            h.insert(0, "school_id", school_ids[cand][si])
            h.insert(1, "pop_id", pops["node_id"].to_numpy()[pj])
            h = h.loc[h["feasible"].to_numpy(dtype=bool)]
            if len(h):
                c = microwave_hop_cost(
                    h["distance_m"].to_numpy(dtype=float),
                    h["band_ghz"].to_numpy(dtype=float),
                    h["dish_m"].to_numpy(dtype=float),
                    sc.cost,
                )
                h = h.assign(cost_usd=metric_cost(c, metric))
                school_hops = (
                    h.sort_values(["school_id", "cost_usd", "distance_m"])
                    .drop_duplicates("school_id")
                    .reset_index(drop=True)
                )
    if fibre is not None and cand.size and sc.plan.use_school_fibre:
        school_fibre = fibre_routes(
            site_id=school_ids[cand].tolist(),
            site_lon_deg=lon[cand],
            site_lat_deg=lat[cand],
            node_id=[f"fn-{n}" for n in fibre["node_id"].astype(str)],
            node_lon_deg=fibre["longitude_deg"].to_numpy(dtype=float),
            node_lat_deg=fibre["latitude_deg"].to_numpy(dtype=float),
            roads=roads,
            settings=sc.backhaul,
        ).rename(columns={"site_id": "school_id"})
    progress("backhaul")
    return BackhaulResult(
        candidates=candidates,
        coverage=keep,
        summary=summary,
        sites=sites,
        nodes=nodes.assign(mast_height_m=node_h) if len(nodes) else nodes,
        hops=hops,
        links=links,
        routes=routes,
        route_links=route_links,
        unreachable=list(unreachable),
        route_lines=route_lines,
        school_fibre=school_fibre,
        school_hops=school_hops,
        notes=notes,
    )


def _objective_text(region: Region) -> str:
    p = region.scenario.plan
    c = region.scenario.cost
    basis = (
        f"lifetime cost (NPV over {c.horizon_years} years at {100 * c.discount_rate:g} %)"
        if p.cost_metric == "npv"
        else "CAPEX"
    )
    what = {
        "max_students": "maximise the students connected within the budget",
        "max_schools": "maximise the schools connected within the budget",
        "min_cost_all": "connect every school that has an option at the least cost",
        "min_cost_share": f"connect {100 * p.target_share:g} % of the students at the least cost",
    }[p.objective]
    return f"{what}; costs are {basis} in {c.currency}"


def plan_region(
    region: Region,
    grid: TerrainGrid | None,
    schools: pd.DataFrame,
    *,
    progress: Step,
) -> PlanResult:
    """Candidate sites, backhaul and the optimised plan for the schools of a region.

    ``schools`` is the main job's per-school table (today's coverage and GEO columns).
    """
    sc = region.scenario
    plan = sc.plan
    notes: list[str] = []
    n = len(schools)
    students = number_column(schools, "students")
    demand = school_demand_mbps(np.full(n, np.nan) if students is None else students, sc.demand)
    down = number_column(schools, "downlink_mbps")
    served = np.nan_to_num(np.zeros(n) if down is None else down, nan=0.0) >= demand
    # only schools the plan may connect attract candidate sites and school backhaul
    uncovered = (
        (~served) & schools["on_terrain"].to_numpy(dtype=bool) & (exclusions(schools, plan) == "")
    )
    backhaul = backhaul_stage(region, grid, schools, uncovered, progress=progress)
    inputs = PlanInputs(
        schools=schools,
        demand_mbps=demand,
        sites=backhaul.sites,
        site_coverage=backhaul.coverage,
        routes=backhaul.routes,
        route_links=backhaul.route_links,
        links=backhaul.links,
        school_fibre=backhaul.school_fibre,
        school_hops=backhaul.school_hops,
        beam_capacity_mbps=sc.satellite.beam_capacity_mbps,
        fibre_capacity_mbps=sc.backhaul.fibre_capacity_mbps,
    )
    tables = build_problem(inputs, plan=plan, cost=sc.cost)
    notes.extend(tables.notes)
    problem = tables.problem
    budget: float | None = (
        plan.budget_usd if plan.objective in ("max_students", "max_schools") else None
    )
    sweep = pd.DataFrame()
    if len(problem.option_school) == 0:
        notes.append("no school has a connection option that meets its demand: nothing to plan")
        solution = base = solution_from_choice(
            problem,
            np.zeros(0, dtype=bool),
            np.zeros(len(problem.route_site), dtype=bool),
            status="no options",
            solver="none",
            solve_time_s=0.0,
            objective=0.0,
            best_bound=0.0,
            mip_gap=0.0,
        )
        progress("plan")
        progress("budget sweep")
    else:
        solution, base, sweep = _solve(problem, plan, budget, progress)
    check_feasible(problem, solution, budget, raise_on_violation=True)
    check_feasible(problem, base, budget, raise_on_violation=True)
    decoded = decode_plan(tables, solution, demand_mbps=demand)
    return PlanResult(
        backhaul=backhaul,
        tables=tables,
        solution=solution,
        greedy=base,
        sweep=sweep,
        decoded=decoded,
        demand_mbps=demand,
        budget_usd=budget,
        objective_text=_objective_text(region),
        notes=backhaul.notes + notes,
    )


def _solve(
    problem: PlanProblem, plan: PlanSettings, budget: float | None, progress: Step
) -> tuple[PlanSolution, PlanSolution, pd.DataFrame]:
    """The plan, its greedy baseline at the same budget, and the budget sweep.

    Each MILP is solved once: with a sweep, the plan at ``budget`` is the sweep's
    (warm-started) solve at that budget, and the sweep's top budget is the cost of
    connecting every school, which is the plan itself for ``min_cost_all``.
    """
    t_s, gap = plan.time_limit_s, plan.mip_rel_gap
    solution: PlanSolution | None = None
    if budget is None:
        share = plan.target_share if plan.objective == "min_cost_share" else None
        solution = solve_milp(
            problem, objective="min_cost", target_share=share, time_limit_s=t_s, mip_rel_gap=gap
        )
    sweep = pd.DataFrame()
    if plan.sweep_points > 0:
        full = (
            solution
            if solution is not None and plan.objective == "min_cost_all"
            else solve_milp(problem, objective="min_cost", time_limit_s=t_s, mip_rel_gap=gap)
        )
        top = full.total_cost_usd
        if top > 0:
            steps = top * np.arange(1, plan.sweep_points + 1) / plan.sweep_points
            budgets = np.unique(np.append(steps, [] if budget is None else [budget]))
            sweep, solutions = budget_sweep(problem, budgets, time_limit_s=t_s, mip_rel_gap=gap)
            if budget is not None:
                at = int(np.flatnonzero(sweep["budget_usd"].to_numpy(dtype=float) == budget)[0])
                solution = solutions[at]
    if solution is None:
        solution = solve_milp(
            problem, objective="max_weight", budget_usd=budget, time_limit_s=t_s, mip_rel_gap=gap
        )
    progress("plan")
    base = greedy(problem, budget if budget is not None else solution.total_cost_usd)
    progress("budget sweep")
    return solution, base, sweep


def plan_layers(result: PlanResult, schools: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """GeoPackage layers of the plan: schools, new sites, candidates, hops, routes."""
    crs = "EPSG:4326"
    d = result.decoded
    plan_schools = gpd.GeoDataFrame(
        pd.concat(
            [
                schools[
                    [c for c in ("school_id", "name", "students", "admin_area") if c in schools]
                ].reset_index(drop=True),
                d["schools"].drop(columns="school_id").reset_index(drop=True),
            ],
            axis=1,
        ),
        geometry=schools.geometry.reset_index(drop=True),
        crs=crs,
    )
    bh = result.backhaul

    def points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
        geom = (
            shapely.points(
                frame["longitude_deg"].to_numpy(dtype=float),
                frame["latitude_deg"].to_numpy(dtype=float),
            )
            if len(frame)
            else []
        )
        return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geom, crs=crs)

    layers: dict[str, gpd.GeoDataFrame] = {"plan_schools": plan_schools}
    layers["new_sites"] = points(d["sites"])
    cands = bh.candidates.drop(columns=[c for c in ("near_school_ids",) if c in bh.candidates])
    layers["candidate_sites"] = points(cands)
    if len(bh.hops):
        nodes = bh.nodes.set_index("node_id")
        a = nodes.loc[bh.hops["a"], ["longitude_deg", "latitude_deg"]].to_numpy(dtype=float)
        b = nodes.loc[bh.hops["b"], ["longitude_deg", "latitude_deg"]].to_numpy(dtype=float)
        lines = shapely.linestrings(np.stack([a, b], axis=1))
        layers["microwave_hops"] = gpd.GeoDataFrame(
            bh.hops.reset_index(drop=True), geometry=lines, crs=crs
        )
    if bh.route_lines is not None and len(bh.route_lines):
        chosen = set(d["routes"]["route_id"].astype(str)) if len(d["routes"]) else set()
        lines_gdf = bh.route_lines.copy()
        lines_gdf["chosen"] = lines_gdf["route_id"].astype(str).isin(chosen)
        layers["backhaul_routes"] = lines_gdf
    return layers
