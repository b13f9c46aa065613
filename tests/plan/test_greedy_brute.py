"""Greedy baseline, brute-force enumeration and the budget sweep."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from alcance.errors import InputError
from alcance.plan import (
    InfeasiblePlanError,
    brute_force,
    budget_sweep,
    check_feasible,
    greedy,
    solve_milp,
)
from tests.plan.test_milp import SEEDS, random_problem, tiny


@pytest.mark.parametrize("seed", SEEDS)
def test_greedy_feasible_and_below_optimum(seed: int) -> None:
    problem, budget = random_problem(seed)
    base = greedy(problem, budget)
    assert check_feasible(problem, base, budget) == []
    exact = brute_force(problem, budget)
    sol = solve_milp(problem, budget_usd=budget, mip_rel_gap=0.0)
    assert base.weight_connected <= exact.weight_connected + 1e-9
    assert sol.weight_connected >= base.weight_connected - 1e-9
    assert base.solver == "greedy"
    assert base.objective == base.weight_connected


def test_random_instances_exercise_the_model() -> None:
    # the generator must produce plans where relays, several sites and greedy's
    # myopia matter, or the comparisons above prove little
    built_two = relayed = greedy_short = 0
    for seed in SEEDS:
        problem, budget = random_problem(seed)
        exact = brute_force(problem, budget)
        routes = exact.route_chosen[exact.route_chosen >= 0]
        built_two += int(exact.site_built.sum() >= 2)
        relayed += int(problem.route_relays[routes].nnz > 0)
        greedy_short += int(greedy(problem, budget).weight_connected < exact.weight_connected)
    assert built_two >= 5
    assert relayed >= 3
    assert greedy_short >= 5


def test_greedy_weight_per_dollar_order() -> None:
    # B (300 students) by satellite: 300/60 USD beats the tower 300/110; then A by
    # satellite 100/60 beats the tower 100/110
    problem = tiny(weight=np.array([100.0, 300.0]))
    base = greedy(problem, 130.0)
    assert base.option_chosen.tolist() == [1, 3]
    assert check_feasible(problem, base, 130.0) == []
    # dear satellites: B by the tower first (300/110), then A pays only its CPE (10)
    dear = tiny(weight=np.array([100.0, 300.0]), option_cost=np.array([10.0, 200.0, 10.0, 200.0]))
    base = greedy(dear, 130.0)
    assert base.option_chosen.tolist() == [0, 2]
    assert base.total_cost_usd == pytest.approx(120.0)
    assert check_feasible(dear, base, 130.0) == []
    again = greedy(dear, 130.0)  # deterministic
    assert again.option_chosen.tolist() == base.option_chosen.tolist()


def test_greedy_respects_capacities_and_relays() -> None:
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
    base = greedy(problem, 1000.0)
    assert check_feasible(problem, base, 1000.0) == []
    # one school by the relayed tower (the link holds one), the other by satellite
    assert sorted(base.option_chosen.tolist()) == [0, 3]
    assert base.site_built.tolist() == [True, True]
    assert greedy(problem, 60.0).schools_connected == 0  # tower chain costs 69


def test_brute_force_by_hand() -> None:
    problem = tiny()
    # 120 USD: both by the tower (120) or both by satellite (120) → 200 students, 120 USD
    sol = brute_force(problem, 120.0)
    assert sol.weight_connected == 200.0
    assert sol.total_cost_usd == pytest.approx(120.0)
    sol = brute_force(problem, 119.0)
    assert sol.weight_connected == 100.0
    assert sol.total_cost_usd == pytest.approx(60.0)
    assert brute_force(problem, objective="min_cost").total_cost_usd == pytest.approx(120.0)


def test_brute_force_limits_and_targets() -> None:
    n = 20
    big = tiny(
        school_id=np.array([f"S{i}" for i in range(n)]),
        weight=np.ones(n),
        option_school=np.repeat(np.arange(n), 2),
        option_kind=np.array(["a", "b"] * n),
        option_cost=np.ones(2 * n),
        option_site=np.array([0, -1] * n),
        option_demand_mbps=np.ones(2 * n),
        option_resource=sp.csr_array((2 * n, 1)),
    )
    with pytest.raises(InputError, match="too many to enumerate"):
        brute_force(big, 10.0)
    with pytest.raises(InputError, match="needs budget_usd"):
        brute_force(tiny())
    with pytest.raises(InfeasiblePlanError, match="no plan meets"):
        brute_force(tiny(), 100.0, objective="min_cost")


def test_budget_sweep_warm_started() -> None:
    problem, budget = random_problem(3)
    budgets = np.array([2.0, 0.5, 1.0, 0.25]) * budget
    table, sols = budget_sweep(problem, budgets, mip_rel_gap=0.0)
    assert table["budget_usd"].tolist() == sorted(budgets.tolist())
    assert list(table.columns) == [
        "budget_usd", "weight_connected", "schools_connected", "cost_usd", "mip_gap",
        "greedy_weight", "solve_time_s", "status",
    ]  # fmt: skip
    assert np.all(np.diff(table["weight_connected"]) >= -1e-9)
    assert np.all(table["weight_connected"] >= table["greedy_weight"] - 1e-9)
    assert np.all(table["cost_usd"] <= table["budget_usd"] * (1 + 1e-9))
    for b, sol in zip(table["budget_usd"], sols, strict=True):
        assert check_feasible(problem, sol, b) == []
        assert sol.weight_connected == pytest.approx(brute_force(problem, b).weight_connected)
    with pytest.raises(InputError, match="budgets_usd"):
        budget_sweep(problem, [])
