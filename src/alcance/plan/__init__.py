"""The optimiser: which options, sites and backhaul to build for the most students.

* :class:`PlanProblem` / :class:`PlanSolution` — the problem and a plan as arrays;
  :func:`check_feasible` verifies a plan against every constraint.
* :func:`solve_milp` — the exact MILP (HiGHS through highspy).
* :func:`greedy` — the weight-per-dollar baseline.
* :func:`brute_force` — enumeration for tiny problems (tests).
* :func:`budget_sweep` — the cost–coverage curve.
"""

from __future__ import annotations

from alcance.plan.brute import brute_force
from alcance.plan.greedy import greedy
from alcance.plan.milp import OBJECTIVES, solve_milp, tie_break_epsilon
from alcance.plan.problem import (
    InfeasiblePlanError,
    PlanProblem,
    PlanSolution,
    check_feasible,
    solution_from_choice,
)
from alcance.plan.sweep import budget_sweep

__all__ = [
    "OBJECTIVES",
    "InfeasiblePlanError",
    "PlanProblem",
    "PlanSolution",
    "brute_force",
    "budget_sweep",
    "check_feasible",
    "greedy",
    "solution_from_choice",
    "solve_milp",
    "tie_break_epsilon",
]
