"""Cost–coverage curve: the plan solved at increasing budgets, each warm-started."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from alcance.errors import InputError
from alcance.plan.greedy import greedy
from alcance.plan.milp import solve_milp
from alcance.plan.problem import PlanProblem, PlanSolution

__all__ = ["budget_sweep"]


def budget_sweep(
    problem: PlanProblem,
    budgets_usd: npt.ArrayLike,
    *,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-3,
    threads: int | None = None,
    with_greedy: bool = True,
) -> tuple[pd.DataFrame, list[PlanSolution]]:
    """Solve ``max_weight`` at every budget, in increasing order, warm-starting each.

    The plan of a budget stays feasible at any larger budget, so each solve starts from
    the previous plan (or the greedy plan at the same budget when it is better).

    Parameters
    ----------
    problem
        The plan's schools, options, sites, routes and links.
    budgets_usd
        Budgets, USD (any order; solved and returned in increasing order).
    time_limit_s, mip_rel_gap, threads
        Passed to :func:`alcance.plan.milp.solve_milp` for each budget.
    with_greedy
        Also run the greedy baseline at each budget (column ``greedy_weight``).

    Returns
    -------
    table : pandas.DataFrame
        One row per budget: ``budget_usd``, ``weight_connected``, ``schools_connected``,
        ``cost_usd``, ``mip_gap``, ``greedy_weight`` (NaN without greedy),
        ``solve_time_s``, ``status``.
    solutions : list of PlanSolution
        The MILP plans, in the table's order.

    Raises
    ------
    InputError
        No budgets, or a negative or NaN budget.
    """
    budgets = np.sort(np.asarray(budgets_usd, dtype=np.float64).ravel())
    if budgets.size == 0 or not np.all(budgets >= 0):
        msg = "budgets_usd must be one or more budgets ≥ 0"
        raise InputError(msg, field="budgets_usd")
    rows = []
    solutions: list[PlanSolution] = []
    previous: PlanSolution | None = None
    for budget in budgets:
        base = greedy(problem, float(budget)) if with_greedy else None
        start = previous
        if base is not None and (start is None or base.weight_connected > start.weight_connected):
            start = base
        sol = solve_milp(
            problem,
            objective="max_weight",
            budget_usd=float(budget),
            time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
            threads=threads,
            warm_start=start,
        )
        rows.append(
            {
                "budget_usd": float(budget),
                "weight_connected": sol.weight_connected,
                "schools_connected": sol.schools_connected,
                "cost_usd": sol.total_cost_usd,
                "mip_gap": sol.mip_gap,
                "greedy_weight": np.nan if base is None else base.weight_connected,
                "solve_time_s": sol.solve_time_s,
                "status": sol.status,
            }
        )
        solutions.append(sol)
        previous = sol
    return pd.DataFrame(rows), solutions
