"""The plan builder on hand-made stage tables: options, resources, costs, decoding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alcance.cost import (
    CostSettings,
    existing_coverage_cost,
    fibre_cost,
    microwave_hop_cost,
    new_tower_cost,
    satellite_npv,
    tower_upgrade_cost,
)
from alcance.plan import check_feasible, solve_milp
from alcance.plan_settings import PlanSettings
from alcance.planning import (
    OPTION_KINDS,
    PlanInputs,
    PlanTables,
    build_problem,
    choose_mast_heights,
    decode_plan,
)

COST = CostSettings()
IDS = ["S0", "S1", "S2", "S3", "S4", "S5"]
DEMAND = np.array([25.0, 20.0, 20.0, 20.0, 20.0, 20.0])
ELECTRICITY = [True, False, True, True, True, False]
GEO_CAPEX = [1500.0, 1500.0, 1500.0, 1500.0, 1500.0, 1800.0]
GEO_OPEX = [3000.0, 3000.0, 3000.0, 3000.0, 3000.0, 3600.0]


def _schools(students: list[float] | None = None) -> pd.DataFrame:
    """S0: existing cell; S1: site A only; S2: reported connected; S3: closed;
    S4: fibre, microwave and site B (relayed through A); S5: satellite only."""
    return pd.DataFrame(
        {
            "school_id": IDS,
            "students": [100.0, 200.0, 300.0, 50.0, 400.0, 150.0] if students is None else students,
            "has_electricity": ELECTRICITY,
            "is_connected": [False, False, True, False, False, False],
            "is_operational": [True, True, True, False, True, True],
            "on_terrain": [True] * 6,
            "downlink_mbps": [50.0, 10.0, 80.0, 80.0, 0.0, 0.0],
            "best_cell_id": ["C1", "C1", "C1", "C1", None, None],
            # S1 and S4 cannot get the demand by GEO (rain-faded link); the others can
            "geo_feasible_mbps": [100.0, 10.0, 100.0, 100.0, 10.0, 100.0],
            "geo_committed_mbps": [5.0, 5.0, 5.0, 5.0, 5.0, 6.0],
            "geo_beam_id": ["B1", "B1", "B1", "B1", "B1", "B2"],
            "geo_capex_usd": GEO_CAPEX,
            "geo_opex_usd_per_year": GEO_OPEX,
        }
    )


def _inputs(**overrides: object) -> PlanInputs:
    sites = pd.DataFrame(
        {
            "candidate_id": ["A", "B"],
            "kind": ["school_mast", "tower_upgrade"],
            "mast_height_m": [15.0, 30.0],
            "longitude_deg": [-70.9, -70.8],
            "latitude_deg": [-32.2, -32.3],
        }
    )
    site_coverage = pd.DataFrame(
        {
            "candidate_id": ["A", "B", "B", "A", "B"],
            "mast_height_m": [15.0, 30.0, 30.0, 15.0, 30.0],
            "school_id": ["S1", "S1", "S4", "S3", "S2"],
            # B gives S1 less than its demand: no option; S3 (closed) and S2
            # (connected) are covered but not planned
            "downlink_mbps": [40.0, 15.0, 40.0, 60.0, 60.0],
        }
    )
    routes = pd.DataFrame(
        {
            "site_id": ["A", "B", "B"],
            "route_id": ["rA", "rB", "rBx"],
            "kind": ["fibre", "microwave", "microwave"],
            "relay_node_ids": [[], ["A"], ["X"]],
            "cost_usd": [0.0, 0.0, 0.0],
        }
    )
    route_links = pd.DataFrame(
        {
            "route_id": ["rA", "rB", "rB", "rBx"],
            "link_id": ["L_fib", "L_fib", "L_mw", "L_x"],
        }
    )
    links = pd.DataFrame(
        {
            "link_id": ["L_fib", "L_mw", "L_x"],
            "kind": ["fibre", "microwave", "microwave"],
            "cost_usd": [30_000.0, 12_000.0, 1.0],
            "capacity_mbps": [1000.0, 300.0, 300.0],
            "capex_usd": [25_000.0, 10_000.0, 1.0],
            "npv_usd": [30_000.0, 12_000.0, 1.0],
        }
    )
    school_fibre = pd.DataFrame(
        {
            "school_id": ["S4", "S5", "S2"],
            "route_length_m": [2000.0, np.nan, 500.0],
            "fibre_node_id": ["fn-1", "fn-1", "fn-1"],
        }
    )
    school_hops = pd.DataFrame(
        {
            "school_id": ["S4", "S5"],
            "pop_id": ["tower-9", "tower-9"],
            "distance_m": [8000.0, 12000.0],
            "band_ghz": [18.0, 6.0],
            "dish_m": [0.6, 1.2],
            # S5's hop carries 5 Mbit/s: below its demand
            "capacity_mbps": [100.0, 5.0],
            "availability_pct": [99.99, 99.99],
        }
    )
    values: dict[str, object] = {
        "schools": _schools(),
        "demand_mbps": DEMAND,
        "sites": sites,
        "site_coverage": site_coverage,
        "routes": routes,
        "route_links": route_links,
        "links": links,
        "school_fibre": school_fibre,
        "school_hops": school_hops,
        "beam_capacity_mbps": 400.0,
        "fibre_capacity_mbps": 1000.0,
    }
    values.update(overrides)
    return PlanInputs(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tables() -> PlanTables:
    return build_problem(_inputs(), plan=PlanSettings(), cost=COST)


def _kinds(tables: PlanTables, school: str) -> set[str]:
    opts = tables.options
    return set(opts.loc[opts["school_id"] == school, "kind"])


def test_each_option_kind_only_where_it_delivers_the_demand(tables: PlanTables) -> None:
    opts = tables.options
    assert set(opts["kind"]) <= set(OPTION_KINDS)
    assert _kinds(tables, "S0") == {"existing", "satellite"}
    assert _kinds(tables, "S1") == {"new_site"}  # not site B (15 < 20), not GEO (10)
    assert _kinds(tables, "S4") == {"new_site", "fibre", "microwave"}  # GEO 10 < 20
    assert _kinds(tables, "S5") == {"satellite"}  # no fibre run, 5 Mbit/s hop
    new = opts.loc[opts["kind"] == "new_site"]
    assert dict(zip(new["school_id"], new["site_id"], strict=True)) == {"S1": "A", "S4": "B"}
    # every option delivers its school's demand
    assert (opts["mbps"].to_numpy() >= DEMAND[opts["school_index"].to_numpy()]).all()
    np.testing.assert_allclose(
        tables.problem.option_demand_mbps, DEMAND[opts["school_index"].to_numpy()]
    )


def test_reported_connected_and_closed_schools_get_no_option(tables: PlanTables) -> None:
    opts = tables.options
    assert not set(opts["school_id"]) & {"S2", "S3"}
    assert tables.planned.tolist() == [True, True, False, False, True, True]
    assert tables.excluded[2] == "already connected (as reported)"
    assert "not functioning" in tables.excluded[3]
    assert tables.problem.weight[2] == 0.0
    assert tables.problem.weight[3] == 0.0
    solution = solve_milp(tables.problem, budget_usd=1e9)
    plan = decode_plan(tables, solution, demand_mbps=DEMAND)["schools"]
    by_id = plan.set_index("school_id")
    assert by_id.loc["S2", "option_kind"] == "already_connected"
    assert by_id.loc["S3", "option_kind"] == "not_connected"
    assert by_id.loc["S3", "options_available"] == 0
    assert np.isnan(plan["mbps"].to_numpy(dtype=float)[3])  # nothing chosen


def test_closed_school_is_decoded_with_its_reason(tables: PlanTables) -> None:
    solution = solve_milp(tables.problem, budget_usd=1e9)
    plan = decode_plan(tables, solution, demand_mbps=DEMAND)["schools"]
    assert plan.set_index("school_id").loc["S3", "option_detail"] == tables.excluded[3]


def test_closed_school_is_planned_when_only_functioning_is_off() -> None:
    t = build_problem(_inputs(), plan=PlanSettings(only_functioning=False), cost=COST)
    assert t.planned[3]
    assert _kinds(t, "S3") == {"existing", "new_site", "satellite"}


def test_cells_and_sites_use_demand_over_downlink_beams_the_committed_rate(
    tables: PlanTables,
) -> None:
    p = tables.problem
    usage = p.option_resource.toarray()
    names = list(p.resource_name)
    cap = dict(zip(names, p.resource_capacity_mbps, strict=True))
    assert cap["cell:C1"] == 1.0
    assert cap["site:A"] == 1.0
    assert cap["site:B"] == 1.0
    assert cap["beam:B1"] == 400.0
    assert cap["beam:B2"] == 400.0
    opts = tables.options
    for o, row in opts.iterrows():
        used = {names[r]: usage[int(o), r] for r in np.flatnonzero(usage[int(o)])}  # type: ignore[call-overload]
        i = int(row["school_index"])
        if row["kind"] == "existing":
            assert used == pytest.approx({"cell:C1": DEMAND[i] / 50.0})
        elif row["kind"] == "new_site":
            assert used == pytest.approx({f"site:{row['site_id']}": DEMAND[i] / 40.0})
        elif row["kind"] == "satellite":
            committed = 6.0 if row["school_id"] == "S5" else 5.0
            beam = "B2" if row["school_id"] == "S5" else "B1"
            assert used == pytest.approx({f"beam:{beam}": committed})
        else:  # own fibre / microwave: no shared resource
            assert used == {}


@pytest.mark.parametrize("metric", ["npv", "capex"])
def test_costs_follow_the_metric_and_the_cost_model(metric: str) -> None:
    t = build_problem(_inputs(), plan=PlanSettings(cost_metric=metric), cost=COST)
    opts = t.options.set_index(["school_id", "kind"])
    field = "npv_usd" if metric == "npv" else "capex_usd"
    access = existing_coverage_cost(DEMAND, ELECTRICITY, COST)
    sat = satellite_npv(np.array(GEO_CAPEX), np.array(GEO_OPEX), COST)
    fib = fibre_cost(np.array([2000.0]), COST)
    hop = microwave_hop_cost(np.array([8000.0]), np.array([18.0]), np.array([0.6]), COST)
    expected = {
        ("S0", "existing"): np.asarray(getattr(access, field))[0],
        ("S1", "new_site"): np.asarray(getattr(access, field))[1],
        ("S4", "new_site"): np.asarray(getattr(access, field))[4],
        ("S0", "satellite"): np.asarray(getattr(sat, field))[0],
        ("S5", "satellite"): np.asarray(getattr(sat, field))[5],
        ("S4", "fibre"): np.asarray(getattr(fib, field))[0] + np.asarray(getattr(access, field))[4],
        ("S4", "microwave"): np.asarray(getattr(hop, field))[0]
        + np.asarray(getattr(access, field))[4],
    }
    for key, value in expected.items():
        assert opts.loc[key, "cost_usd"] == pytest.approx(float(value), rel=1e-12), key
        assert opts.loc[key, field] == pytest.approx(float(value), rel=1e-12), key
    # the problem's option cost is the metric column
    np.testing.assert_allclose(t.problem.option_cost, t.options[field].to_numpy())
    # sites: a new 15 m school mast off grid, a tower upgrade
    mast = new_tower_cost(np.array([15.0]), False, COST)
    upgrade = tower_upgrade_cost(1, COST)
    np.testing.assert_allclose(
        t.problem.site_cost,
        [float(np.asarray(getattr(mast, field))[0]), float(np.asarray(getattr(upgrade, field))[0])],
        rtol=1e-12,
    )
    # npv and capex really differ (the test would not tell them apart otherwise)
    assert float(np.asarray(access.npv_usd)[0]) != pytest.approx(float(access.capex_usd[0]))


def test_routes_relays_and_shared_links(tables: PlanTables) -> None:
    p = tables.problem
    # rBx passes through X, which is not a kept candidate: dropped
    assert list(tables.route_table["route_id"]) == ["rA", "rB"]
    assert list(p.site_id) == ["A", "B"]
    assert p.route_site.tolist() == [0, 1]
    # rB relays through site A (index 0)
    assert p.route_relays.toarray().tolist() == [[0.0, 0.0], [1.0, 0.0]]
    links = list(p.link_id)
    rl = p.route_links.toarray()
    assert rl[0, links.index("L_fib")] == 1.0  # the shared link
    assert rl[1, links.index("L_fib")] == 1.0
    assert rl[1, links.index("L_mw")] == 1.0
    assert rl[:, links.index("L_x")].sum() == 0.0
    np.testing.assert_allclose(p.link_cost, [30_000.0, 12_000.0, 1.0])
    np.testing.assert_allclose(p.link_capacity_mbps, [1000.0, 300.0, 300.0])
    opts = tables.options
    site_of = dict(zip(opts["site_id"], p.option_site, strict=True))
    assert site_of["A"] == 0
    assert site_of["B"] == 1
    assert (p.option_site[opts["site_id"].to_numpy() == ""] == -1).all()


def test_choose_mast_heights_lowest_with_most_schools() -> None:
    summary = pd.DataFrame(
        {
            "candidate_id": ["c1", "c1", "c1", "c2", "c2", "c3", "c4", "c4"],
            "mast_height_m": [15.0, 30.0, 45.0, 15.0, 30.0, 30.0, 45.0, 15.0],
            "schools_served": [2, 3, 3, 0, 0, 1, 4, 4],
        }
    )
    chosen = choose_mast_heights(summary)
    assert list(chosen["candidate_id"]) == ["c1", "c3", "c4"]  # c2 serves none
    assert chosen["mast_height_m"].tolist() == [30.0, 30.0, 15.0]
    assert chosen["schools_served"].tolist() == [3, 1, 4]
    assert choose_mast_heights(summary.iloc[3:5]).empty
    assert choose_mast_heights(summary.iloc[0:0]).empty


def test_decode_a_milp_plan(tables: PlanTables) -> None:
    p = tables.problem
    solution = solve_milp(p, budget_usd=1e9)
    assert check_feasible(p, solution, 1e9) == []
    decoded = decode_plan(tables, solution, demand_mbps=DEMAND)
    plan = decoded["schools"]
    assert list(plan["school_id"]) == IDS
    connected = plan.loc[plan["option_kind"].isin(OPTION_KINDS)]
    # with money to spare every planned school that has an option is connected
    assert set(connected["school_id"]) == {"S0", "S1", "S4", "S5"}
    assert (connected["mbps"] >= connected["demand_mbps"]).all()
    s1 = plan.set_index("school_id").loc["S1"]
    assert s1["option_kind"] == "new_site"  # site A is S1's only way
    assert s1["site_id"] == "A"
    sites = decoded["sites"].set_index("candidate_id")
    chosen = np.asarray(solution.option_chosen)
    for i, row in plan.iterrows():
        o = int(chosen[int(i)])  # type: ignore[call-overload]
        if o < 0:
            assert row["capex_usd"] == 0.0
            assert row["npv_usd"] == 0.0
            continue
        opt = tables.options.iloc[o]
        assert row["option_kind"] == opt["kind"]
        assert row["capex_usd"] == opt["capex_usd"]
        assert row["npv_usd"] == opt["npv_usd"]
    assert "A" in sites.index
    built = set(sites.index)
    for cid in built:
        served = int((plan["site_id"] == cid).sum())
        assert sites.loc[cid, "schools_served"] == served
    assert sites.loc["A", "route_id"] == "rA"
    assert sites.loc["A", "backhaul"] == "fibre"
    used_links = set(decoded["links"]["link_id"])
    assert "L_fib" in used_links
    assert "L_x" not in used_links
    assert set(decoded["routes"]["route_id"]) <= {"rA", "rB"}
    if "B" in built:
        assert sites.loc["B", "route_id"] == "rB"
        assert "L_mw" in used_links
    total = (
        solution.cost_options_usd
        + solution.cost_sites_usd
        + solution.cost_routes_usd
        + solution.cost_links_usd
    )
    expected = (
        plan["npv_usd"].sum()
        + decoded["sites"]["npv_usd"].sum()
        + decoded["links"]["npv_usd"].sum()
    )
    assert total == pytest.approx(expected, rel=1e-9)


def test_budget_below_the_cheapest_option_connects_nothing(tables: PlanTables) -> None:
    p = tables.problem
    budget = 0.5 * float(p.option_cost.min())
    solution = solve_milp(p, budget_usd=budget)
    assert solution.schools_connected == 0
    plan = decode_plan(tables, solution, demand_mbps=DEMAND)["schools"]
    assert set(plan["option_kind"]) == {"not_connected", "already_connected"}
    planned_with_options = plan["school_id"].isin(["S0", "S1", "S4", "S5"])
    assert (
        plan.loc[planned_with_options, "option_detail"]
        == "has options; not chosen within the budget or capacity"
    ).all()
    # and just enough for the cheapest option that needs no site connects one school
    alone = p.option_cost[p.option_site < 0].min()
    one = solve_milp(p, budget_usd=float(alone) * (1 + 1e-9))
    assert one.schools_connected == 1


def test_weights_students_schools_and_unknown_enrolment() -> None:
    by_students = build_problem(_inputs(), plan=PlanSettings(), cost=COST)
    assert by_students.problem.weight.tolist() == [100.0, 200.0, 0.0, 0.0, 400.0, 150.0]
    assert by_students.notes == [n for n in by_students.notes if "every school weighs 1" not in n]
    by_schools = build_problem(_inputs(), plan=PlanSettings(objective="max_schools"), cost=COST)
    assert by_schools.problem.weight.tolist() == [1.0, 1.0, 0.0, 0.0, 1.0, 1.0]
    unknown = _inputs(schools=_schools(students=[np.nan] * 6))
    t = build_problem(unknown, plan=PlanSettings(), cost=COST)
    assert t.problem.weight.tolist() == [1.0, 1.0, 0.0, 0.0, 1.0, 1.0]
    assert any("every school weighs 1" in n for n in t.notes)
    # one unknown among known enrolments counts 0 students (as documented)
    partial = _inputs(schools=_schools(students=[100.0, np.nan, 300.0, 50.0, 400.0, 150.0]))
    tp = build_problem(partial, plan=PlanSettings(), cost=COST)
    assert tp.problem.weight[1] == 0.0
    assert not any("every school weighs 1" in n for n in tp.notes)


def test_switches_turn_option_kinds_off() -> None:
    t = build_problem(
        _inputs(),
        plan=PlanSettings(
            use_new_sites=False,
            use_satellite=False,
            use_school_fibre=False,
            use_school_microwave=False,
        ),
        cost=COST,
    )
    assert set(t.options["kind"]) == {"existing"}
    assert t.options["school_id"].tolist() == ["S0"]
