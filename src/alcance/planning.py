"""From the stage tables to the optimiser's problem, and from its answer to the plan.

Pure computation (no I/O). The pipeline gathers, per school, today's coverage, the GEO
service and the demand; per candidate site, the schools it would serve
(:mod:`alcance.backhaul.candidates`); per site, its backhaul routes
(:mod:`alcance.backhaul.graph`); and prices everything with :mod:`alcance.cost`. This
module turns those tables into a :class:`~alcance.plan.PlanProblem` whose options are,
for each school:

``existing``
    a CPE on an existing cell that already delivers the school's demand; it uses
    ``demand / downlink`` of that cell's free resources (the cell is a capacity
    resource of size 1: the schools on it share what the load leaves).
``new_site``
    a CPE on a candidate site (tower, upgraded tower or school mast) that would
    deliver the demand; the site must be built and backhauled; same resource rule.
``satellite``
    a GEO terminal where the satellite is visible and the forward link carries the
    demand; it uses its committed (contended) rate of its beam's capacity.
``fibre``
    the school's own fibre run to the nearest fibre node (needs fibre nodes).
``microwave``
    the school's own feasible microwave hop (ITU-R P.530) to a point of presence.

Costs are in one metric (lifetime NPV or CAPEX, ``[plan] cost_metric``); shared assets
(a tower, a hop or fibre run of a backhaul chain) are costed once by the optimiser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from alcance.cost import (
    Cost,
    CostSettings,
    existing_coverage_cost,
    fibre_cost,
    microwave_hop_cost,
    new_tower_cost,
    satellite_npv,
    tower_upgrade_cost,
)
from alcance.plan import PlanProblem, PlanSolution
from alcance.plan_settings import PlanSettings

__all__ = [
    "OPTION_KINDS",
    "PlanInputs",
    "PlanTables",
    "build_problem",
    "choose_mast_heights",
    "decode_plan",
    "exclusions",
    "flag_column",
    "metric_cost",
    "number_column",
]

_ALREADY: Final = "already connected (as reported)"

#: Option kinds, in the order they are listed.
OPTION_KINDS: Final = ("existing", "new_site", "satellite", "fibre", "microwave")


def metric_cost(cost: Cost, metric: str) -> NDArray[np.float64]:
    """The plan's cost metric of a :class:`~alcance.cost.Cost`: ``npv`` or ``capex``."""
    values = cost.npv_usd if metric == "npv" else cost.capex_usd
    return np.asarray(values, dtype=np.float64)


def choose_mast_heights(summary: pd.DataFrame) -> pd.DataFrame:
    """One mast height per candidate: the lowest that serves as many schools as any.

    ``summary`` is :func:`alcance.backhaul.candidates.candidate_summary` output
    (``candidate_id, mast_height_m, schools_served``). Candidates that serve no school
    are dropped. Returns the chosen rows (same columns), sorted by candidate.
    """
    if summary.empty:
        return summary.copy()
    frame = summary.loc[summary["schools_served"] > 0]
    if frame.empty:
        return frame.copy()
    best = frame.groupby("candidate_id")["schools_served"].transform("max")
    chosen = frame.loc[frame["schools_served"] == best]
    chosen = chosen.sort_values(["candidate_id", "mast_height_m"])
    return chosen.drop_duplicates("candidate_id", keep="first").reset_index(drop=True)


@dataclass(frozen=True)
class PlanInputs:
    """Every table the problem is built from (all pure data).

    Attributes
    ----------
    schools
        One row per school, in region order: ``school_id, students, has_electricity,
        is_connected, is_operational, on_terrain`` and today's service
        (``downlink_mbps, best_cell_id``) and the GEO columns (``geo_feasible_mbps,
        geo_committed_mbps, geo_beam_id, geo_capex_usd, geo_opex_usd_per_year``).
    demand_mbps
        Demand of each school (Mbit/s), from :func:`alcance.demand.school_demand_mbps`.
    sites
        Candidate sites kept (one mast height each): ``candidate_id, kind,
        mast_height_m, longitude_deg, latitude_deg``.
    site_coverage
        Rows of :func:`alcance.backhaul.candidates.candidate_coverage` at the kept
        heights: ``candidate_id, mast_height_m, school_id, downlink_mbps``.
    routes, route_links, links
        Backhaul routes of the sites (``site_id, route_id, relay_node_ids``), the links
        each uses (``route_id, link_id``) and the costed links (``link_id, kind,
        cost_usd, capacity_mbps``), from :func:`alcance.backhaul.graph.backhaul_options`.
    school_fibre
        ``school_id, route_length_m, fibre_node_id`` (NaN length = none), or ``None``.
    school_hops
        Best feasible microwave hop per school: ``school_id, pop_id, distance_m,
        band_ghz, dish_m, capacity_mbps, availability_pct``, or ``None``.
    beam_capacity_mbps
        Capacity of one satellite beam (Mbit/s).
    fibre_capacity_mbps
        Capacity of a school's own fibre (Mbit/s).
    """

    schools: pd.DataFrame
    demand_mbps: NDArray[np.float64]
    sites: pd.DataFrame
    site_coverage: pd.DataFrame
    routes: pd.DataFrame
    route_links: pd.DataFrame
    links: pd.DataFrame
    school_fibre: pd.DataFrame | None = None
    school_hops: pd.DataFrame | None = None
    beam_capacity_mbps: float = 1000.0
    fibre_capacity_mbps: float = 1000.0


@dataclass(frozen=True)
class PlanTables:
    """The problem and what each of its rows means.

    ``options`` has one row per option (``school_index, school_id, kind, detail,
    mbps, capex_usd, opex_usd_per_year, npv_usd, cost_usd`` (metric), ``site_id``,
    ``resource``); ``planned`` flags the schools the plan may connect; ``excluded``
    says why the others are not planned (``""`` when planned).
    """

    problem: PlanProblem
    options: pd.DataFrame
    site_table: pd.DataFrame
    route_table: pd.DataFrame
    link_table: pd.DataFrame
    planned: NDArray[np.bool_]
    excluded: NDArray[np.object_]
    notes: list[str] = field(default_factory=list)


def _col(frame: pd.DataFrame, name: str) -> pd.Series | None:
    return frame[name] if name in frame.columns else None


def flag_column(frame: pd.DataFrame, name: str, default: bool) -> NDArray[np.bool_]:
    """A True/False/missing column as bool, missing (or an absent column) = ``default``."""
    if name not in frame.columns:
        return np.full(len(frame), default)
    return np.asarray(frame[name].astype("boolean").fillna(default), dtype=bool)


def number_column(frame: pd.DataFrame, name: str) -> NDArray[np.float64] | None:
    """A column as float64 (unreadable values NaN), or ``None`` when absent."""
    if name not in frame.columns:
        return None
    return np.asarray(pd.to_numeric(frame[name], errors="coerce"), dtype=np.float64)


def exclusions(schools: pd.DataFrame, plan: PlanSettings) -> NDArray[np.object_]:
    """Why each school is left out of the plan (``""`` when the plan may connect it).

    Reported connected schools are left out; with ``plan.only_functioning`` so are
    schools reported closed or in recess.
    """
    connected = flag_column(schools, "is_connected", False)
    operational = flag_column(schools, "is_operational", True)
    excluded = np.full(len(schools), "", dtype=object)
    excluded[connected] = _ALREADY
    if plan.only_functioning:
        excluded[(~operational) & (~connected)] = "not functioning (as reported)"
    return excluded


def build_problem(
    inputs: PlanInputs,
    *,
    plan: PlanSettings,
    cost: CostSettings,
) -> PlanTables:
    """Assemble the MILP of :mod:`alcance.plan` from the stage tables.

    A school takes part when it is not reported connected already and (with
    ``plan.only_functioning``) is not reported closed. An option is offered only when
    it delivers the school's demand. The objective weight is the enrolment
    (``max_students``; unknown enrolment counts 0 students), or 1 per school.
    """
    schools = inputs.schools
    n = len(schools)
    metric = plan.cost_metric
    notes: list[str] = []
    demand = np.asarray(inputs.demand_mbps, dtype=float)
    school_ids = schools["school_id"].astype(str).to_numpy()
    index_of = {sid: i for i, sid in enumerate(school_ids)}
    excluded = exclusions(schools, plan)
    planned = excluded == ""
    students = number_column(schools, "students")
    if plan.objective == "max_schools":
        weight = np.ones(n)
    else:
        weight = np.nan_to_num(students, nan=0.0) if students is not None else np.zeros(n)
        if students is None or bool(np.all(weight == 0)):
            notes.append("no enrolment given: every school weighs 1 in the objective")
            weight = np.ones(n)
    weight = np.where(planned, weight, 0.0)
    electricity = _col(schools, "has_electricity")

    rows: list[dict[str, Any]] = []
    usage_rows: list[int] = []
    usage_res: list[int] = []
    usage_val: list[float] = []
    resources: dict[str, tuple[int, float]] = {}

    def resource(name: str, capacity: float) -> int:
        if name not in resources:
            resources[name] = (len(resources), capacity)
        return resources[name][0]

    def add(i: int, kind: str, detail: str, mbps: float, c: Cost, k: int, **extra: Any) -> int:
        o = len(rows)
        rows.append(
            {
                "school_index": i,
                "school_id": school_ids[i],
                "kind": kind,
                "detail": detail,
                "mbps": float(mbps),
                "capex_usd": float(np.asarray(c.capex_usd).reshape(-1)[k]),
                "opex_usd_per_year": float(np.asarray(c.opex_usd_per_year).reshape(-1)[k]),
                "npv_usd": float(np.asarray(c.npv_usd).reshape(-1)[k]),
                "site_id": extra.get("site_id", ""),
                "resource": extra.get("resource", ""),
            }
        )
        return o

    # per-school access cost (CPE, data plan, power), one per school
    access = existing_coverage_cost(demand, electricity, cost)

    # existing coverage
    down_a = number_column(schools, "downlink_mbps")
    cell = _col(schools, "best_cell_id")
    if down_a is not None and cell is not None:
        for i in map(int, np.flatnonzero(planned & (down_a >= demand) & cell.notna().to_numpy())):
            name = f"cell:{cell.iloc[i]}"
            r = resource(name, 1.0)
            o = add(i, "existing", f"cell {cell.iloc[i]}", down_a[i], access, i, resource=name)
            usage_rows.append(o)
            usage_res.append(r)
            usage_val.append(min(1.0, demand[i] / down_a[i]) if down_a[i] > 0 else 1.0)

    # new sites
    # a site without any backhaul route can never be built: leave it (and its options) out
    routed = set(inputs.routes["site_id"].astype(str)) if len(inputs.routes) else set[str]()
    site_table = inputs.sites.reset_index(drop=True)
    if len(site_table):
        has_route = site_table["candidate_id"].astype(str).isin(routed).to_numpy()
        if not has_route.all():
            notes.append(
                f"{int((~has_route).sum())} of {len(site_table)} candidate sites have no "
                "backhaul route and are left out of the plan"
            )
        site_table = site_table.loc[has_route].reset_index(drop=True)
    site_index = {str(s): j for j, s in enumerate(site_table["candidate_id"].astype(str))}
    if len(site_table):
        kind = site_table["kind"].astype(str).to_numpy()
        heights = site_table["mast_height_m"].to_numpy(dtype=float)
        upgrade = kind == "tower_upgrade"
        tower = new_tower_cost(np.where(upgrade, 30.0, heights), False, cost)
        up = tower_upgrade_cost(len(site_table), cost)
        site_capex = np.where(upgrade, up.capex_usd, tower.capex_usd)
        site_opex = np.where(upgrade, up.opex_usd_per_year, tower.opex_usd_per_year)
        site_npv = np.where(upgrade, up.npv_usd, tower.npv_usd)
        site_table = site_table.assign(
            capex_usd=site_capex, opex_usd_per_year=site_opex, npv_usd=site_npv
        )
        notes.append(
            "new towers are costed off-grid (solar + battery): grid access at candidate sites is unknown"
        )
    else:
        site_table = site_table.assign(capex_usd=[], opex_usd_per_year=[], npv_usd=[])
    site_cost = (
        site_table["npv_usd" if metric == "npv" else "capex_usd"].to_numpy(dtype=float)
        if len(site_table)
        else np.zeros(0)
    )
    if plan.use_new_sites and len(inputs.site_coverage):
        cov = inputs.site_coverage
        for cid, sid, mbps, height in zip(
            cov["candidate_id"].astype(str),
            cov["school_id"].astype(str),
            cov["downlink_mbps"].to_numpy(dtype=float),
            cov["mast_height_m"].to_numpy(dtype=float),
            strict=True,
        ):
            school = index_of.get(sid)
            if school is None or cid not in site_index:
                continue
            i = school
            if not planned[i] or not mbps >= demand[i]:
                continue
            name = f"site:{cid}"
            r = resource(name, 1.0)
            o = add(
                i,
                "new_site",
                f"site {cid} @ {height:.0f} m",
                mbps,
                access,
                i,
                site_id=cid,
                resource=name,
            )
            usage_rows.append(o)
            usage_res.append(r)
            usage_val.append(min(1.0, demand[i] / mbps))

    # satellite
    if plan.use_satellite and "geo_feasible_mbps" in schools.columns:
        feasible = np.asarray(number_column(schools, "geo_feasible_mbps"), dtype=np.float64)
        committed_or_none = number_column(schools, "geo_committed_mbps")
        committed = demand.copy() if committed_or_none is None else committed_or_none
        sat = satellite_npv(
            np.nan_to_num(schools["geo_capex_usd"].to_numpy(dtype=float)),
            np.nan_to_num(schools["geo_opex_usd_per_year"].to_numpy(dtype=float)),
            cost,
        )
        beams = schools["geo_beam_id"].astype("string").fillna("")
        for i in map(int, np.flatnonzero(planned & (feasible >= demand))):
            beam = str(beams.iloc[i])
            name = f"beam:{beam}"
            r = resource(name, inputs.beam_capacity_mbps)
            o = add(i, "satellite", f"GEO beam {beam}", feasible[i], sat, i, resource=name)
            usage_rows.append(o)
            usage_res.append(r)
            usage_val.append(float(np.nan_to_num(committed[i], nan=demand[i])))

    # the school's own fibre run
    if plan.use_school_fibre and inputs.school_fibre is not None and len(inputs.school_fibre):
        fib = inputs.school_fibre
        length = fib["route_length_m"].to_numpy(dtype=float)
        ok = np.isfinite(length)
        run = fibre_cost(np.where(ok, length, 0.0), cost)
        for k in map(int, np.flatnonzero(ok)):
            school = index_of.get(str(fib["school_id"].iloc[k]))
            if school is None:
                continue
            i = school
            if not planned[i] or inputs.fibre_capacity_mbps < demand[i]:
                continue
            total = Cost(
                np.asarray(run.capex_usd).reshape(-1)[k] + access.capex_usd[i],
                np.asarray(run.opex_usd_per_year).reshape(-1)[k] + access.opex_usd_per_year[i],
                np.asarray(run.npv_usd).reshape(-1)[k] + access.npv_usd[i],
            )
            add(
                i,
                "fibre",
                f"{length[k] / 1000:.1f} km to {fib['fibre_node_id'].iloc[k]}",
                inputs.fibre_capacity_mbps,
                total,
                0,
            )

    # the school's own microwave hop to a point of presence
    if plan.use_school_microwave and inputs.school_hops is not None and len(inputs.school_hops):
        hops = inputs.school_hops
        hop_cost = microwave_hop_cost(
            hops["distance_m"].to_numpy(dtype=float),
            hops["band_ghz"].to_numpy(dtype=float),
            hops["dish_m"].to_numpy(dtype=float),
            cost,
        )
        for k in range(len(hops)):
            school = index_of.get(str(hops["school_id"].iloc[k]))
            cap = float(hops["capacity_mbps"].iloc[k])
            if school is None:
                continue
            i = school
            if not planned[i] or not cap >= demand[i]:
                continue
            total = Cost(
                np.asarray(hop_cost.capex_usd).reshape(-1)[k] + access.capex_usd[i],
                np.asarray(hop_cost.opex_usd_per_year).reshape(-1)[k] + access.opex_usd_per_year[i],
                np.asarray(hop_cost.npv_usd).reshape(-1)[k] + access.npv_usd[i],
            )
            add(
                i,
                "microwave",
                f"{hops['distance_m'].iloc[k] / 1000:.1f} km hop to {hops['pop_id'].iloc[k]} "
                f"({hops['band_ghz'].iloc[k]:g} GHz, {cap:.0f} Mbit/s)",
                cap,
                total,
                0,
            )

    options = pd.DataFrame(
        rows,
        columns=[
            "school_index",
            "school_id",
            "kind",
            "detail",
            "mbps",
            "capex_usd",
            "opex_usd_per_year",
            "npv_usd",
            "site_id",
            "resource",
        ],
    )
    options["cost_usd"] = options["npv_usd" if metric == "npv" else "capex_usd"]
    option_site = [site_index.get(s, -1) if s else -1 for s in options["site_id"]]
    n_res = len(resources)
    res_names = np.array(sorted(resources, key=lambda k: resources[k][0]), dtype=str)
    res_cap = np.array([resources[k][1] for k in res_names], dtype=float)
    usage = sp.csr_array(
        (
            np.asarray(usage_val, float),
            (np.asarray(usage_rows, np.int64), np.asarray(usage_res, np.int64)),
        ),
        shape=(len(options), n_res),
    )

    # backhaul routes and shared links
    routes = inputs.routes.reset_index(drop=True)
    links = inputs.links.reset_index(drop=True)
    link_index = (
        {str(k): m for m, k in enumerate(links["link_id"].astype(str))} if len(links) else {}
    )
    route_keep = (
        routes["site_id"].astype(str).isin(list(site_index)).to_numpy()
        if len(routes)
        else np.zeros(0, bool)
    )
    routes = routes.loc[route_keep].reset_index(drop=True)
    route_site = np.array([site_index[str(s)] for s in routes["site_id"]], dtype=np.int64)
    route_pos = {str(r): q for q, r in enumerate(routes["route_id"].astype(str))}
    rl_rows: list[int] = []
    rl_cols: list[int] = []
    if len(inputs.route_links):
        for rid, lid in zip(
            inputs.route_links["route_id"].astype(str),
            inputs.route_links["link_id"].astype(str),
            strict=True,
        ):
            q = route_pos.get(rid)
            if q is not None:
                rl_rows.append(q)
                rl_cols.append(link_index[lid])
    route_links = sp.csr_array(
        (np.ones(len(rl_rows)), (np.asarray(rl_rows, np.int64), np.asarray(rl_cols, np.int64))),
        shape=(len(routes), len(links)),
    )
    relay_rows: list[int] = []
    relay_cols: list[int] = []
    drop_route = np.zeros(len(routes), dtype=bool)
    for q, relays in enumerate(routes["relay_node_ids"] if len(routes) else []):
        for node in relays or ():
            j = site_index.get(str(node))
            if j is None:
                drop_route[q] = True  # passes through a site that is not a candidate kept
            else:
                relay_rows.append(q)
                relay_cols.append(j)
    route_relays = sp.csr_array(
        (
            np.ones(len(relay_rows)),
            (np.asarray(relay_rows, np.int64), np.asarray(relay_cols, np.int64)),
        ),
        shape=(len(routes), len(site_table)),
    )
    if drop_route.any():
        keep = ~drop_route
        routes = routes.loc[keep].reset_index(drop=True)
        route_site = route_site[keep]
        route_links = sp.csr_array(route_links[keep])
        route_relays = sp.csr_array(route_relays[keep])
    link_cost = links["cost_usd"].to_numpy(dtype=float) if len(links) else np.zeros(0)
    link_cap = links["capacity_mbps"].to_numpy(dtype=float) if len(links) else np.zeros(0)

    problem = PlanProblem(
        school_id=school_ids.astype(str),
        weight=weight.astype(float),
        option_school=options["school_index"].to_numpy(dtype=np.int64),
        option_kind=options["kind"].to_numpy().astype(str),
        option_cost=options["cost_usd"].to_numpy(dtype=float),
        option_site=np.asarray(option_site, dtype=np.int64),
        option_demand_mbps=demand[options["school_index"].to_numpy(dtype=np.int64)]
        if len(options)
        else np.zeros(0),
        option_resource=usage,
        resource_capacity_mbps=res_cap,
        resource_name=res_names,
        site_id=site_table["candidate_id"].astype(str).to_numpy().astype(str)
        if len(site_table)
        else np.zeros(0, dtype=str),
        site_cost=site_cost,
        route_site=route_site,
        route_cost=np.zeros(len(routes)),
        route_links=route_links,
        route_relays=route_relays,
        link_id=links["link_id"].astype(str).to_numpy().astype(str)
        if len(links)
        else np.zeros(0, dtype=str),
        link_cost=link_cost,
        link_capacity_mbps=link_cap,
    )
    return PlanTables(
        problem=problem,
        options=options,
        site_table=site_table,
        route_table=routes,
        link_table=links,
        planned=planned,
        excluded=excluded,
        notes=notes,
    )


def decode_plan(
    tables: PlanTables,
    solution: PlanSolution,
    *,
    demand_mbps: Sequence[float] | NDArray[np.float64],
) -> dict[str, pd.DataFrame]:
    """The chosen plan as tables: ``schools`` (one row per school, in order:
    ``option_kind, option_detail, mbps, demand_mbps, capex_usd, opex_usd_per_year,
    npv_usd``), ``sites`` (built sites with their cost, backhaul route and schools
    served), ``routes`` (chosen routes) and ``links`` (shared links used)."""
    problem = tables.problem
    n = problem.n_schools
    options = tables.options
    chosen = np.asarray(solution.option_chosen, dtype=np.int64)
    kind = np.full(n, "not_connected", dtype=object)
    excluded = tables.excluded
    kind[excluded == _ALREADY] = "already_connected"
    detail = np.where(tables.planned, "", excluded).astype(object)
    mbps = np.full(n, np.nan)
    capex = np.zeros(n)
    opex = np.zeros(n)
    npv = np.zeros(n)
    site = np.full(n, "", dtype=object)
    for i in map(int, np.flatnonzero(chosen >= 0)):
        row = options.iloc[int(chosen[i])]
        kind[i] = row["kind"]
        detail[i] = row["detail"]
        mbps[i] = row["mbps"]
        capex[i] = row["capex_usd"]
        opex[i] = row["opex_usd_per_year"]
        npv[i] = row["npv_usd"]
        site[i] = row["site_id"]
    has_option = np.zeros(n, dtype=bool)
    if len(options):
        has_option[options["school_index"].to_numpy(dtype=np.int64)] = True
    no_option = (kind == "not_connected") & ~has_option & tables.planned
    detail[no_option] = "no option delivers the demand"
    over = (kind == "not_connected") & has_option
    detail[over] = "has options; not chosen within the budget or capacity"
    schools = pd.DataFrame(
        {
            "school_id": problem.school_id,
            "option_kind": kind,
            "option_detail": detail,
            "site_id": site,
            "mbps": mbps,
            "demand_mbps": np.asarray(demand_mbps, dtype=float),
            "capex_usd": capex,
            "opex_usd_per_year": opex,
            "npv_usd": npv,
            "options_available": np.bincount(
                options["school_index"].to_numpy(dtype=np.int64), minlength=n
            )
            if len(options)
            else np.zeros(n, dtype=np.int64),
        }
    )
    built = np.asarray(solution.site_built, dtype=bool)
    sites = tables.site_table.loc[built].copy() if len(tables.site_table) else tables.site_table
    route_chosen = np.asarray(solution.route_chosen, dtype=np.int64)
    routes = (
        tables.route_table.iloc[route_chosen[route_chosen >= 0]].copy()
        if len(tables.route_table)
        else tables.route_table.copy()
    )
    if len(sites):
        served = schools.loc[schools["option_kind"] == "new_site"].groupby("site_id").size()
        sites["schools_served"] = sites["candidate_id"].map(served).fillna(0).astype(int)
        by_site = dict(
            zip(routes["site_id"].astype(str), routes["route_id"].astype(str), strict=True)
        )
        kinds = dict(zip(routes["route_id"].astype(str), routes["kind"].astype(str), strict=True))
        sites["route_id"] = sites["candidate_id"].astype(str).map(by_site).fillna("")
        sites["backhaul"] = sites["route_id"].map(kinds).fillna("")
    used = np.asarray(solution.link_used, dtype=bool)
    links = tables.link_table.loc[used].copy() if len(tables.link_table) else tables.link_table
    return {"schools": schools, "sites": sites, "routes": routes, "links": links}
