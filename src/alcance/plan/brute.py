"""Exact plan by enumeration, for tiny problems (tests of the MILP and the greedy).

Every assignment of at most one option per school is enumerated (Π (1 + options of
school i)), and every backhaul configuration (each site: not built, or built with one of
its routes; relays built). For each pair the independent constraints of
:mod:`alcance.plan.problem` are checked with arrays; the best plan is the one of most
weight within the budget and, among those, the cheapest (``max_weight``), or the
cheapest connecting the required schools (``min_cost``).
"""

from __future__ import annotations

import itertools
import time
from typing import Literal

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from alcance.errors import InputError
from alcance.plan.problem import (
    FEAS_RTOL,
    InfeasiblePlanError,
    PlanProblem,
    PlanSolution,
    solution_from_choice,
)

__all__ = ["MAX_EVALUATIONS", "brute_force"]

#: Largest (assignments × backhaul configurations) enumerated.
MAX_EVALUATIONS = 20_000_000


def _assignments(p: PlanProblem) -> NDArray[np.bool_]:
    """Every choice of ≤ 1 option per school as a mask (n_assignments × n_options)."""
    per_school = [np.flatnonzero(p.option_school == i) for i in range(p.n_schools)]
    choices = [[-1, *opts.tolist()] for opts in per_school if opts.size]
    combos = np.array(list(itertools.product(*choices)), dtype=np.int64).reshape(-1, len(choices))
    mask = np.zeros((combos.shape[0], p.n_options), dtype=bool)
    rows, cols = np.nonzero(combos >= 0)
    mask[rows, combos[rows, cols]] = True
    return mask


def _configs(
    p: PlanProblem,
) -> list[tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.int64], float]]:
    """Backhaul configurations: (sites built, links used, route per site, cost)."""
    site_routes = [[-1, *np.flatnonzero(p.route_site == j).tolist()] for j in range(p.n_sites)]
    rel = p.route_relays.toarray() > 0
    lnk = p.route_links.toarray() > 0
    out = []
    for combo in itertools.product(*site_routes):
        route = np.array(combo, dtype=np.int64).reshape(p.n_sites)
        built = route >= 0
        chosen = route[built]
        if chosen.size and not np.all(built[np.nonzero(rel[chosen])[1]]):
            continue
        links = lnk[chosen].any(axis=0) if chosen.size else np.zeros(p.n_links, dtype=bool)
        cost = float(
            p.site_cost[built].sum() + p.route_cost[chosen].sum() + p.link_cost[links].sum()
        )
        out.append((built, links, route, cost))
    return out


def brute_force(
    problem: PlanProblem,
    budget_usd: float | None = None,
    *,
    objective: Literal["max_weight", "min_cost"] = "max_weight",
    connect: npt.ArrayLike | None = None,
) -> PlanSolution:
    """Exact plan by enumeration (tiny problems only).

    Parameters
    ----------
    problem
        The plan's schools, options, sites, routes and links.
    budget_usd
        Budget, USD (required for ``max_weight``).
    objective
        ``"max_weight"`` (most weight, then lowest cost) or ``"min_cost"``.
    connect
        ``min_cost``: indices of the schools to connect (default every school with an
        option).

    Raises
    ------
    InputError
        More than :data:`MAX_EVALUATIONS` cases, or a missing budget.
    InfeasiblePlanError
        No plan meets the ``min_cost`` target.
    """
    p = problem
    t0 = time.perf_counter()
    if objective == "max_weight" and budget_usd is None:
        msg = "objective max_weight needs budget_usd"
        raise InputError(msg, field="budget_usd")
    n_assign = 1
    for i in range(p.n_schools):
        n_assign *= 1 + int(np.count_nonzero(p.option_school == i))
    n_conf = 1
    for j in range(p.n_sites):
        n_conf *= 1 + int(np.count_nonzero(p.route_site == j))
    if n_assign * n_conf > MAX_EVALUATIONS:
        msg = f"{n_assign} option assignments × {n_conf} backhaul configurations is too many to enumerate"
        raise InputError(msg, field="problem")
    amask = _assignments(p)
    af = amask.astype(np.float64)
    weight = af @ p.weight[p.option_school]
    opt_cost = af @ p.option_cost
    ok = np.ones(amask.shape[0], dtype=bool)
    if p.n_resources:
        use = p.option_resource.T @ af.T  # n_res × n_assign
        cap = p.resource_capacity_mbps[:, None]
        ok &= np.all(use <= cap * (1 + FEAS_RTOL) + FEAS_RTOL, axis=0)
    has_site = p.option_site >= 0
    need = np.zeros((amask.shape[0], p.n_sites), dtype=bool)
    traffic = np.zeros((amask.shape[0], p.n_sites))
    for o in np.flatnonzero(has_site):
        need[:, p.option_site[o]] |= amask[:, o]
        traffic[:, p.option_site[o]] += af[:, o] * p.option_demand_mbps[o]
    if objective == "min_cost":
        must = p.reachable.copy()
        if connect is not None:
            must = np.zeros(p.n_schools, dtype=bool)
            must[np.asarray(connect, dtype=np.int64)] = True
        if np.any(must & ~p.reachable):
            msg = "a school to connect has no option"
            raise InfeasiblePlanError(msg)
        for i in np.flatnonzero(must).tolist():
            ok &= amask[:, p.option_school == i].any(axis=1)
    best_cost = np.full(amask.shape[0], np.inf)
    best_conf = np.full(amask.shape[0], -1, dtype=np.int64)
    lnk = p.route_links.toarray()
    configs = _configs(p)
    for c, (built, _links, route, cost) in enumerate(configs):
        fine = ok & ~np.any(need & ~built, axis=1)
        if p.n_links:
            inc = np.zeros((p.n_sites, p.n_links))
            inc[built] = lnk[route[built]]
            load = traffic @ inc
            fine &= np.all(load <= p.link_capacity_mbps * (1 + FEAS_RTOL) + FEAS_RTOL, axis=1)
        better = fine & (opt_cost + cost < best_cost)
        best_cost[better] = opt_cost[better] + cost
        best_conf[better] = c
    feasible = np.isfinite(best_cost)
    if budget_usd is not None:
        feasible &= best_cost <= budget_usd * (1 + FEAS_RTOL) + FEAS_RTOL
    if not np.any(feasible):
        msg = "no plan meets the target within the budget and capacities"
        raise InfeasiblePlanError(msg)
    idx = np.flatnonzero(feasible)
    if objective == "max_weight":
        order = np.lexsort((best_cost[idx], -weight[idx]))
    else:
        order = np.argsort(best_cost[idx], kind="stable")
    a = int(idx[order[0]])
    built, _links, route, _cost = configs[int(best_conf[a])]
    routes = np.zeros(p.n_routes, dtype=bool)
    routes[route[built]] = True
    obj = float(weight[a]) if objective == "max_weight" else float(best_cost[a])
    return solution_from_choice(
        p, amask[a], routes, status="Optimal", solver="brute force",
        solve_time_s=time.perf_counter() - t0, objective=obj, best_bound=obj, mip_gap=0.0,
        site_mask=built,
    )  # fmt: skip
