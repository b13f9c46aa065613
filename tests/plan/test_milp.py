"""The HiGHS MILP against brute force on small random plans, objectives, validation."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from alcance.errors import InputError
from alcance.plan import (
    InfeasiblePlanError,
    PlanProblem,
    PlanSolution,
    brute_force,
    check_feasible,
    greedy,
    milp,
    solution_from_choice,
    solve_milp,
    tie_break_epsilon,
)
from alcance.plan._improve import Neighbourhoods

SEEDS = list(range(40))
REL = 1e-6  # costs and weights are sums of a few floats


def random_problem(seed: int) -> tuple[PlanProblem, float]:
    """A small plan: shared sites, relays, shared capacity-limited links, cells and a beam."""
    rng = np.random.default_rng(seed)
    n_schools = int(rng.integers(4, 7))
    n_sites = int(rng.integers(2, 5))
    n_links = int(rng.integers(1, 4))
    # routes: 0–2 per site, relays through another site, random shared links
    route_site: list[int] = []
    route_cost: list[float] = []
    rl_rows: list[int] = []
    rl_cols: list[int] = []
    rr_rows: list[int] = []
    rr_cols: list[int] = []
    for j in range(n_sites):
        for _ in range(int(rng.choice([0, 1, 1, 2, 2]))):
            r = len(route_site)
            route_site.append(j)
            route_cost.append(float(rng.integers(0, 80)))
            for link in np.flatnonzero(rng.random(n_links) < 0.5):
                rl_rows.append(r)
                rl_cols.append(int(link))
            if n_sites > 1 and rng.random() < 0.5:
                k = int(rng.choice([s for s in range(n_sites) if s != j]))
                rr_rows.append(r)
                rr_cols.append(k)
    nr = len(route_site)
    route_links = sp.csr_array((np.ones(len(rl_rows)), (rl_rows, rl_cols)), shape=(nr, n_links))
    route_relays = sp.csr_array((np.ones(len(rr_rows)), (rr_rows, rr_cols)), shape=(nr, n_sites))
    # options: existing cell (resource 0), 1–2 new sites, satellite beam (resource 1)
    o_school: list[int] = []
    o_kind: list[str] = []
    o_cost: list[float] = []
    o_site: list[int] = []
    o_dem: list[float] = []
    res_rows: list[int] = []
    res_cols: list[int] = []
    res_vals: list[float] = []
    for i in range(n_schools):
        demand = float(rng.integers(5, 25))
        kinds = []
        if rng.random() < 0.4:
            kinds.append(("existing", -1, 0))
        for j in rng.choice(n_sites, size=int(rng.integers(0, 3)), replace=False):
            kinds.append(("new_site", int(j), -1))
        if rng.random() < 0.5:
            kinds.append(("satellite", -1, 1))
        for kind, site, res in kinds:
            o = len(o_school)
            o_school.append(i)
            o_kind.append(kind)
            o_cost.append(
                float(rng.integers(60, 200) if kind == "satellite" else rng.integers(0, 30))
            )
            o_site.append(site)
            o_dem.append(demand)
            if res >= 0:
                res_rows.append(o)
                res_cols.append(res)
                res_vals.append(demand)
    no = len(o_school)
    problem = PlanProblem(
        school_id=np.array([f"S{i}" for i in range(n_schools)]),
        weight=rng.integers(1, 400, n_schools).astype(float),
        option_school=np.array(o_school, dtype=np.int64),
        option_kind=np.array(o_kind),
        option_cost=np.array(o_cost),
        option_site=np.array(o_site, dtype=np.int64),
        option_demand_mbps=np.array(o_dem),
        option_resource=sp.csr_array((res_vals, (res_rows, res_cols)), shape=(no, 2)),
        resource_capacity_mbps=np.array([float(rng.integers(15, 50)), float(rng.integers(20, 60))]),
        resource_name=np.array(["cell", "beam"]),
        site_id=np.array([f"T{j}" for j in range(n_sites)]),
        site_cost=rng.integers(20, 150, n_sites).astype(float),
        route_site=np.array(route_site, dtype=np.int64),
        route_cost=np.array(route_cost),
        route_links=route_links,
        route_relays=route_relays,
        link_id=np.array([f"L{k}" for k in range(n_links)]),
        link_cost=rng.integers(10, 120, n_links).astype(float),
        link_capacity_mbps=np.where(
            rng.random(n_links) < 0.3, np.inf, rng.integers(15, 60, n_links).astype(float)
        ),
    )
    budget = float(rng.uniform(0.15, 0.7)) * problem.total_cost_bound
    return problem, budget


def tiny(**over: object) -> PlanProblem:
    """Two schools, one site with one free route, a satellite option each."""
    fields: dict[str, object] = {
        "school_id": np.array(["A", "B"]),
        "weight": np.array([100.0, 100.0]),
        "option_school": np.array([0, 0, 1, 1]),
        "option_kind": np.array(["new_site", "satellite", "new_site", "satellite"]),
        "option_cost": np.array([10.0, 60.0, 10.0, 60.0]),
        "option_site": np.array([0, -1, 0, -1]),
        "option_demand_mbps": np.array([10.0, 10.0, 10.0, 10.0]),
        "option_resource": sp.csr_array(np.array([[0.0], [10.0], [0.0], [10.0]])),
        "resource_capacity_mbps": np.array([np.inf]),
        "resource_name": np.array(["beam"]),
        "site_id": np.array(["T"]),
        "site_cost": np.array([100.0]),
        "route_site": np.array([0]),
        "route_cost": np.array([0.0]),
        "route_links": sp.csr_array((1, 0)),
        "route_relays": sp.csr_array((1, 1)),
        "link_id": np.array([], dtype=str),
        "link_cost": np.array([]),
        "link_capacity_mbps": np.array([]),
    }
    fields.update(over)
    return PlanProblem(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", SEEDS)
def test_milp_matches_brute_force(seed: int) -> None:
    problem, budget = random_problem(seed)
    exact = brute_force(problem, budget)
    sol = solve_milp(problem, budget_usd=budget, mip_rel_gap=0.0, time_limit_s=20)
    assert check_feasible(problem, sol, budget) == []
    assert check_feasible(problem, exact, budget) == []
    assert sol.weight_connected == pytest.approx(exact.weight_connected, rel=REL)
    # ties broken towards the cheaper plan: same cost as the cheapest optimum
    assert sol.total_cost_usd == pytest.approx(exact.total_cost_usd, rel=REL, abs=1e-6)
    assert sol.total_cost_usd <= budget * (1 + 1e-9)
    assert sol.solver.startswith("HiGHS")
    assert sol.status == "Optimal"
    assert sol.mip_gap <= 1e-6


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_min_cost_connects_all_and_beats_greedy(seed: int) -> None:
    problem, _ = random_problem(seed)
    try:
        exact = brute_force(problem, objective="min_cost")
    except InfeasiblePlanError:
        with pytest.raises(InfeasiblePlanError, match="no plan can connect"):
            solve_milp(problem, objective="min_cost", mip_rel_gap=0.0)
        return
    sol = solve_milp(problem, objective="min_cost", mip_rel_gap=0.0)
    assert check_feasible(problem, sol) == []
    assert np.all(sol.option_chosen[problem.reachable] >= 0)
    assert sol.total_cost_usd == pytest.approx(exact.total_cost_usd, rel=REL, abs=1e-6)
    base = greedy(problem, np.inf)
    if base.schools_connected == int(problem.reachable.sum()):
        assert sol.total_cost_usd <= base.total_cost_usd * (1 + 1e-9)


def test_tie_break_picks_cheaper_plan() -> None:
    # budget 220: both schools by the tower (site 100 + 2 × 10) or both by satellite
    # (2 × 55) weigh the same; the cheaper plan must win, whichever it is
    problem = tiny(option_cost=np.array([10.0, 55.0, 10.0, 55.0]))
    sol = solve_milp(problem, budget_usd=220.0, mip_rel_gap=0.0)
    assert sol.weight_connected == 200.0
    assert sol.total_cost_usd == pytest.approx(110.0)
    assert not sol.site_built[0]
    cheaper_tower = tiny(site_cost=np.array([80.0]))
    sol = solve_milp(cheaper_tower, budget_usd=220.0, mip_rel_gap=0.0)
    assert sol.total_cost_usd == pytest.approx(100.0)
    assert sol.site_built[0]
    # ε · (any plan's cost) stays below half a student
    eps = tie_break_epsilon(problem, 220.0)
    assert eps * 220.0 < 0.5 + 1e-12


def test_budget_binds() -> None:
    problem = tiny()
    sol = solve_milp(problem, budget_usd=70.0, mip_rel_gap=0.0)
    assert sol.weight_connected == 100.0  # one satellite only
    assert sol.total_cost_usd == pytest.approx(60.0)
    sol = solve_milp(problem, budget_usd=59.0, mip_rel_gap=0.0)
    assert sol.schools_connected == 0
    assert np.all(sol.option_chosen == -1)


def test_link_capacity_and_relay_respected() -> None:
    # site 1 relays through site 0; the shared link holds 15 Mbit/s: only one school
    problem = tiny(
        option_site=np.array([1, -1, 1, -1]),
        option_cost=np.array([1.0, 500.0, 1.0, 500.0]),
        site_id=np.array(["T0", "T1"]),
        site_cost=np.array([30.0, 20.0]),
        route_site=np.array([0, 1]),
        route_cost=np.array([5.0, 5.0]),
        route_links=sp.csr_array(np.array([[1.0], [1.0]])),
        route_relays=sp.csr_array(np.array([[0.0, 0.0], [1.0, 0.0]])),
        link_id=np.array(["L"]),
        link_cost=np.array([7.0]),
        link_capacity_mbps=np.array([15.0]),
    )
    sol = solve_milp(problem, budget_usd=200.0, mip_rel_gap=0.0)
    assert check_feasible(problem, sol, 200.0) == []
    assert sol.schools_connected == 1
    assert sol.site_built.tolist() == [True, True]
    assert sol.link_used.tolist() == [True]
    assert sol.total_cost_usd == pytest.approx(1 + 30 + 20 + 5 + 5 + 7)
    assert sol.cost_links_usd == pytest.approx(7.0)


def test_infeasible_targets_reported() -> None:
    # capacity: the beam holds one school, the tower has no route
    problem = tiny(
        resource_capacity_mbps=np.array([10.0]),
        route_site=np.array([], dtype=np.int64),
        route_cost=np.array([]),
        route_links=sp.csr_array((0, 0)),
        route_relays=sp.csr_array((0, 1)),
    )
    with pytest.raises(InfeasiblePlanError, match="no plan can connect every required school"):
        solve_milp(problem, objective="min_cost")
    sol = solve_milp(problem, objective="min_cost", connect=[1])
    assert sol.option_chosen.tolist() == [-1, 3]
    with pytest.raises(InfeasiblePlanError, match="within the budget"):
        solve_milp(problem, objective="min_cost", connect=[1], budget_usd=50.0)
    # a school with no option at all
    one = tiny(
        option_school=np.array([0, 0]), option_kind=np.array(["a", "b"]),
        option_cost=np.array([10.0, 60.0]), option_site=np.array([0, -1]),
        option_demand_mbps=np.array([1.0, 1.0]),
        option_resource=sp.csr_array((2, 1)),
    )  # fmt: skip
    with pytest.raises(InfeasiblePlanError, match="no option at all: B"):
        solve_milp(one, objective="min_cost", connect=np.array([True, True]))
    with pytest.raises(InfeasiblePlanError, match=r"target share 0\.6"):
        solve_milp(one, objective="min_cost", target_share=0.6)
    sol = solve_milp(one, objective="min_cost", target_share=0.5)
    assert sol.schools_connected == 1
    assert sol.total_cost_usd == pytest.approx(60.0)


def test_warm_start_accepted() -> None:
    problem, budget = random_problem(7)
    exact = brute_force(problem, budget)
    sol = solve_milp(problem, budget_usd=budget, mip_rel_gap=0.0, warm_start=exact)
    assert sol.weight_connected == pytest.approx(exact.weight_connected, rel=REL)
    base = greedy(problem, budget)
    sol = solve_milp(problem, budget_usd=budget * 1.5, mip_rel_gap=0.0, warm_start=base)
    assert sol.weight_connected >= base.weight_connected
    with pytest.raises(InputError, match="warm_start"):
        solve_milp(tiny(), budget_usd=100.0, warm_start=exact)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("weight", np.array([1.0]), "weight must have 2 entries"),
        ("weight", np.array([1.0, -1.0]), "weight must be ≥ 0"),
        ("option_cost", np.array([1.0, np.nan, 1.0, 1.0]), "option_cost must be ≥ 0"),
        ("option_site", np.array([0, -1, 3, -1]), "option_site must index"),
        ("option_school", np.array([0, 0, 2, 1]), "option_school must index"),
        ("site_cost", np.array([-5.0]), "site_cost must be ≥ 0"),
        ("route_site", np.array([1]), "route_site must index"),
        ("route_links", sp.csr_array((2, 0)), r"route_links must have shape \(1, 0\)"),
        ("route_relays", sp.csr_array(np.array([[1.0]])), "lists its own site"),
        ("resource_capacity_mbps", np.array([-1.0]), "resource_capacity_mbps must be ≥ 0"),
        ("option_resource", sp.csr_array(-np.ones((4, 1))), "option_resource must hold"),
    ],
)
def test_input_validation(field: str, value: object, match: str) -> None:
    with pytest.raises(InputError, match=match) as err:
        tiny(**{field: value})
    assert err.value.field == field


def test_solver_argument_errors() -> None:
    problem = tiny()
    with pytest.raises(InputError, match="unknown objective 'max_students'"):
        solve_milp(problem, objective="max_students", budget_usd=1.0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="needs budget_usd"):
        solve_milp(problem)
    with pytest.raises(InputError, match="budget_usd must be ≥ 0"):
        solve_milp(problem, budget_usd=-1.0)
    with pytest.raises(InputError, match="min_cost only"):
        solve_milp(problem, budget_usd=1.0, connect=[0])


def test_check_feasible_finds_violations() -> None:
    problem = tiny(site_cost=np.array([80.0]))
    sol = solve_milp(problem, budget_usd=500.0, mip_rel_gap=0.0)
    assert sol.site_built[0]
    broken = type(sol)(**{**sol.__dict__, "site_built": np.array([False])})
    found = check_feasible(problem, broken, 500.0)
    assert any("not built" in s for s in found)
    assert check_feasible(problem, sol, 90.0) == [
        f"cost {sol.total_cost_usd:.6g} USD over the budget 90 USD"
    ]
    with pytest.raises(InputError, match="over the budget"):
        check_feasible(problem, sol, 90.0, raise_on_violation=True)


@pytest.mark.parametrize("seed", SEEDS[:12])
def test_epsilon_tie_break_matches_brute_force(seed: int) -> None:
    problem, budget = random_problem(seed)
    exact = brute_force(problem, budget)
    sol = solve_milp(problem, budget_usd=budget, mip_rel_gap=0.0, tie_break="epsilon")
    assert check_feasible(problem, sol, budget) == []
    assert sol.weight_connected == pytest.approx(exact.weight_connected, rel=REL)
    assert sol.total_cost_usd == pytest.approx(exact.total_cost_usd, rel=REL, abs=1e-6)
    plain = solve_milp(problem, budget_usd=budget, mip_rel_gap=0.0, tie_break="none")
    assert plain.weight_connected == pytest.approx(exact.weight_connected, rel=REL)
    assert plain.total_cost_usd >= exact.total_cost_usd - 1e-6


def test_tie_break_and_option_errors() -> None:
    with pytest.raises(InputError, match="unknown tie_break 'cheapest'"):
        solve_milp(tiny(), budget_usd=1.0, tie_break="cheapest")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="HiGHS rejected option no_such_option"):
        solve_milp(tiny(), budget_usd=1.0, highs_options={"no_such_option": 1})


def grid_problem(seed: int, n_schools: int = 400, n_sites: int = 120) -> PlanProblem:
    """A medium plan: schools and sites on a 40 km square, each school served by the
    sites within 5 km (≤ 3) or a satellite beam; each site one direct link or a relay
    through its nearest neighbour (for the local search, which needs many sites)."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 40, (n_schools, 2))
    sxy = rng.uniform(0, 40, (n_sites, 2))
    dist = np.hypot(*(xy[:, None, :] - sxy[None, :, :]).transpose(2, 0, 1))
    near = np.argsort(dist, axis=1)[:, :3]
    ok = np.take_along_axis(dist, near, axis=1) <= 5.0
    sch, k = np.nonzero(ok)
    site = near[sch, k]
    weight = rng.integers(10, 600, n_schools).astype(float)
    o_school = np.r_[sch, np.arange(n_schools)]
    o_site = np.r_[site, np.full(n_schools, -1)]
    no = o_school.size
    demand = 10.0 + 0.05 * weight[o_school]
    beam = (xy[:, 0] // 20).astype(int) * 2 + (xy[:, 1] // 20).astype(int)
    res_col = np.r_[site, n_sites + beam]
    resource = sp.csr_array((demand, (np.arange(no), res_col)), shape=(no, n_sites + 4))
    sd = np.hypot(*(sxy[:, None, :] - sxy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(sd, np.inf)
    nn = np.argmin(sd, axis=1)
    relay = rng.random(n_sites) < 0.3
    rl_r = np.arange(n_sites)
    rl_l = np.where(relay, n_sites + np.arange(n_sites), np.arange(n_sites))
    rr = np.flatnonzero(relay)
    return PlanProblem(
        school_id=np.array([f"S{i}" for i in range(n_schools)]),
        weight=weight,
        option_school=o_school,
        option_kind=np.r_[np.full(sch.size, "new_site"), np.full(n_schools, "satellite")],
        option_cost=np.r_[np.full(sch.size, 1_000.0), np.full(n_schools, 25_000.0)],
        option_site=o_site,
        option_demand_mbps=demand,
        option_resource=resource,
        resource_capacity_mbps=np.r_[np.full(n_sites, 300.0), np.full(4, 200.0)],
        resource_name=np.array([f"R{c}" for c in range(n_sites + 4)]),
        site_id=np.array([f"T{j}" for j in range(n_sites)]),
        site_cost=rng.uniform(100_000.0, 200_000.0, n_sites),
        route_site=np.arange(n_sites),
        route_cost=np.zeros(n_sites),
        route_links=sp.csr_array((np.ones(n_sites), (rl_r, rl_l)), shape=(n_sites, 2 * n_sites)),
        route_relays=sp.csr_array((np.ones(rr.size), (rr, nn[rr])), shape=(n_sites, n_sites)),
        link_id=np.array([f"L{k}" for k in range(2 * n_sites)]),
        link_cost=rng.uniform(20_000.0, 60_000.0, 2 * n_sites),
        link_capacity_mbps=np.full(2 * n_sites, 400.0),
    )


def _local_search_of(problem: PlanProblem, budget: float, seconds: float) -> PlanSolution:
    """The greedy plan after ``seconds`` of fix-and-optimise only (no main solve)."""
    layout, obj, rows, lower, upper = milp._build(
        problem, objective="max_weight", budget_usd=budget,
        must=np.zeros(problem.n_schools, dtype=bool), share_weight=None, epsilon=0.0,
    )  # fmt: skip
    start = milp._warm_values(problem, layout, greedy(problem, budget))
    col, rounds = milp._local_search(
        problem, layout, obj, rows, lower, upper, -1, {"output_flag": False}, start, seconds, 0
    )
    assert rounds >= 1
    return solution_from_choice(
        problem, col[: layout.no] > 0.5, col[layout.z0 : layout.w0] > 0.5,
        status="local search", solver="test", solve_time_s=seconds,
    )  # fmt: skip


def test_local_search_improves_greedy_and_stays_feasible() -> None:
    """Never below greedy, always feasible, and strictly better somewhere (it can fail)."""
    gains = []
    for seed in range(3):
        problem = grid_problem(seed)
        budget = 0.3 * greedy(problem, np.inf).total_cost_usd
        base = greedy(problem, budget)
        found = _local_search_of(problem, budget, 1.0)
        assert check_feasible(problem, found, budget) == []
        gains.append(found.weight_connected - base.weight_connected)
    assert min(gains) >= 0
    assert max(gains) > 0


def test_solve_milp_with_local_search() -> None:
    problem = grid_problem(1)
    budget = 0.3 * greedy(problem, np.inf).total_cost_usd
    base = greedy(problem, budget)
    sol = solve_milp(problem, budget_usd=budget, time_limit_s=2.0, warm_start=base,
                     local_search_s=1.0, tie_break="none")  # fmt: skip
    assert check_feasible(problem, sol, budget) == []
    assert sol.weight_connected >= base.weight_connected
    assert sol.best_bound >= sol.weight_connected - 1e-6


def test_neighbourhoods_free_what_hangs_off_sites() -> None:
    problem = grid_problem(3, n_schools=120, n_sites=30)
    layout = milp._Layout(problem.n_options, problem.n_sites, problem.n_routes, problem.n_links)
    hood = Neighbourhoods.of(problem, layout.y0, layout.z0, layout.w0, layout.f0)
    sites = hood.cluster(0, 5)
    assert 0 in sites
    assert len(sites) <= 5
    free = hood.free_mask(np.array(sorted(sites)))
    served = np.isin(problem.option_site, sorted(sites))
    schools = np.unique(problem.option_school[served])
    assert np.array_equal(free[: layout.no], np.isin(problem.option_school, schools))
    assert np.array_equal(np.flatnonzero(free[layout.y0 : layout.z0]), sorted(sites))
    routes = np.flatnonzero(np.isin(problem.route_site, sorted(sites)))
    assert np.array_equal(np.flatnonzero(free[layout.z0 : layout.w0]), routes)
    links = np.unique(problem.route_links[routes].tocoo().col)
    assert np.array_equal(np.flatnonzero(free[layout.w0 : layout.f0]), links)


def test_local_search_argument_error() -> None:
    problem, budget = random_problem(3)
    with pytest.raises(InputError, match="local_search_s"):
        solve_milp(problem, budget_usd=budget, time_limit_s=2.0, local_search_s=2.0)
