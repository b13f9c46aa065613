"""The plan as a mixed-integer linear programme solved by HiGHS (highspy).

Columns (in this order): binaries ``x_o`` (option chosen), ``y_j`` (site built),
``z_r`` (route chosen), ``w_l`` (shared link paid), and continuous ``f_r ≥ 0``
(Mbit/s of site ``j`` carried on route ``r``). Rows:

====  ==========================================================================
(1)   Σ_{o of school i} x_o ≤ 1 (= 1 for schools that must be connected)
(2)   x_o ≤ y_{site(o)}                      (disaggregated: the tighter LP)
(3)   Σ_{r of j} z_r = y_j                   (a built site takes exactly one route)
(4)   z_r ≤ y_k for every relay site k of r
(5)   z_r ≤ w_l for every shared link l of r
(6)   Σ_{r of j} f_r = Σ_{o at j} demand_o x_o
(7)   f_r ≤ M_r z_r,  M_r = min(max traffic of j, capacity of r's links)
(8)   Σ_{r uses l} f_r ≤ capacity_l w_l      (finite capacities only)
(9)   Σ_o usage_{o,c} x_o ≤ capacity_c       (finite capacities only; · y_j when
      only the options of site j use resource c: the strong facility-location form)
(10)  Σ cost_o x_o + Σ cost_j y_j + Σ cost_r z_r + Σ cost_l w_l ≤ budget
(11)  Σ weight_{school(o)} x_o ≥ share · Σ weight   (``min_cost`` with a share)
====  ==========================================================================

Objectives: ``"max_weight"`` maximises Σ weight x; among plans of equal weight the
cheapest wins, either lexicographically (a second solve minimising the cost subject to
Σ weight x ≥ the weight found, warm-started from the first plan; the default) or with
one objective Σ weight x − ε · cost, ε = δ / (2 · max(1, C)) where C bounds the cost of
any plan (min of budget and the sum of every cost) and δ = 1 when every weight is an
integer (students, schools), else the smallest positive weight, so ε · cost never
trades δ of weight for any saving (slower: the ε costs make the LP far harder). ``"min_cost"``
minimises the cost of connecting every reachable school, a given list, or a share of
the total weight.

A warm start is first improved by fix-and-optimise sub-MIPs over clusters of sites
(:mod:`alcance.plan._improve`, ``local_search_s``): the LP bound of the hard budgeted
instances stalls about 1 % above the greedy plan, so the gap is closed from the primal
side (10,000 schools × 1,000 sites: proven gap 0.996 % in 105 s instead of 1.05 %).

References
----------
Huangfu, Q. and Hall, J. A. J. (2018), "Parallelizing the dual revised simplex method",
Math. Prog. Comp. 10, 119–142 (HiGHS). HiGHS documentation, "Passing a model" and
"Options" (``mip_rel_gap``, ``time_limit``), https://ergo-code.github.io/HiGHS/.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from numpy.typing import NDArray

from alcance.errors import InputError
from alcance.plan._improve import Neighbourhoods, fix_and_optimise
from alcance.plan.problem import (
    InfeasiblePlanError,
    PlanProblem,
    PlanSolution,
    site_traffic_mbps,
    solution_from_choice,
)

__all__ = ["LEXICOGRAPHIC_SHARE", "OBJECTIVES", "TIE_BREAKS", "solve_milp", "tie_break_epsilon"]

#: Objectives by name (drives dispatch and the unknown-name error).
OBJECTIVES = {
    "max_weight": "maximise Σ weight of connected schools within the budget (ties: cheaper)",
    "min_cost": "minimise the cost of connecting every reachable school, a list or a share",
}

#: Tie-breaks of ``max_weight`` by name.
TIE_BREAKS = {
    "lexicographic": "most weight first, then the cheapest plan of that weight (two solves)",
    "epsilon": "one solve of weight − ε · cost (ε from tie_break_epsilon)",
    "none": "ties left to the solver",
}

#: Share of the time limit given to the weight pass of the lexicographic tie-break.
LEXICOGRAPHIC_SHARE = 0.8

#: Share of the time limit given by default to the local search on the warm start.
LOCAL_SEARCH_SHARE = 0.2

#: Fewest sites for the default local search (smaller models: HiGHS alone does better).
LOCAL_SEARCH_MIN_SITES = 100

#: Sites per cluster, clusters per neighbourhood and seconds per sub-MIP of the search.
LOCAL_SEARCH_HOOD = (10, 2, 1.0)

#: HiGHS options of the local search's sub-MIPs (over the caller's).
LOCAL_SEARCH_OPTIONS: dict[str, bool | int | float | str] = {
    "mip_rel_gap": 0.0,
    "mip_heuristic_effort": 0.3,
}

_INF = highspy.kHighsInf


@dataclass(frozen=True)
class _Layout:
    no: int
    ns: int
    nr: int
    nl: int

    @property
    def y0(self) -> int:
        return self.no

    @property
    def z0(self) -> int:
        return self.no + self.ns

    @property
    def w0(self) -> int:
        return self.no + self.ns + self.nr

    @property
    def f0(self) -> int:
        return self.no + self.ns + self.nr + self.nl

    @property
    def n(self) -> int:
        return self.f0 + self.nr


class _Rows:
    """Rows collected as COO blocks, passed to HiGHS at once as one CSR matrix."""

    def __init__(self) -> None:
        self.r: list[NDArray[np.int64]] = []
        self.c: list[NDArray[np.int64]] = []
        self.v: list[NDArray[np.float64]] = []
        self.lo: list[NDArray[np.float64]] = []
        self.hi: list[NDArray[np.float64]] = []
        self.n = 0

    def add(
        self,
        rows: npt.ArrayLike,
        cols: npt.ArrayLike,
        vals: npt.ArrayLike,
        lo: npt.ArrayLike,
        hi: npt.ArrayLike,
        count: int,
    ) -> None:
        if count == 0:
            return
        rows_a = np.asarray(rows, dtype=np.int64)
        self.r.append(rows_a + self.n)
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.broadcast_to(np.asarray(vals, dtype=np.float64), rows_a.shape).copy())
        self.lo.append(np.broadcast_to(np.asarray(lo, dtype=np.float64), (count,)).copy())
        self.hi.append(np.broadcast_to(np.asarray(hi, dtype=np.float64), (count,)).copy())
        self.n += count

    def matrix(self, ncol: int) -> sp.csr_array:
        if not self.r:
            return sp.csr_array((0, ncol))
        mat = sp.csr_array(
            (np.concatenate(self.v), (np.concatenate(self.r), np.concatenate(self.c))),
            shape=(self.n, ncol),
        )
        mat.sum_duplicates()
        mat.sort_indices()
        return mat


def tie_break_epsilon(problem: PlanProblem, budget_usd: float | None) -> float:
    """ε of the ``max_weight`` objective (weight − ε · cost), weight per USD.

    ε = δ / (2 · max(1, C)): C = min(budget, Σ every cost) bounds any plan's cost, so
    ε · cost < δ / 2; δ = 1 for integral weights, else the smallest positive weight.
    """
    bound = problem.total_cost_bound
    if budget_usd is not None:
        bound = min(bound, float(budget_usd))
    return 0.5 * _weight_step(problem) / max(1.0, bound)


def _site_max_traffic(p: PlanProblem) -> NDArray[np.float64]:
    """Most traffic a site can carry: Σ over schools of their largest demand there."""
    sel = np.flatnonzero(p.option_site >= 0)
    out = np.zeros(p.n_sites)
    if sel.size == 0:
        return out
    key = p.option_site[sel] * max(1, p.n_schools) + p.option_school[sel]
    order = np.argsort(key, kind="stable")
    key_s = key[order]
    dem = p.option_demand_mbps[sel][order]
    starts = np.flatnonzero(np.r_[True, key_s[1:] != key_s[:-1]])
    best = np.maximum.reduceat(dem, starts)
    np.add.at(out, key_s[starts] // max(1, p.n_schools), best)
    return out


def _resource_site(
    p: PlanProblem, opt: NDArray[np.int32], res: NDArray[np.int32], n_res: int
) -> NDArray[np.int64]:
    """Site whose options are the only users of each resource, else -1."""
    site = p.option_site[opt]
    lo = np.full(n_res, np.iinfo(np.int64).max)
    hi = np.full(n_res, -2, dtype=np.int64)
    np.minimum.at(lo, res, site)
    np.maximum.at(hi, res, site)
    return np.where((lo == hi) & (hi >= 0), hi, -1)


def _build(
    p: PlanProblem,
    *,
    objective: str,
    budget_usd: float | None,
    must: NDArray[np.bool_],
    share_weight: float | None,
    epsilon: float,
) -> tuple[_Layout, NDArray[np.float64], _Rows, NDArray[np.float64], NDArray[np.float64]]:
    L = _Layout(p.n_options, p.n_sites, p.n_routes, p.n_links)
    rows = _Rows()
    opt = np.arange(L.no)
    # (1) one option per school
    schools = np.unique(p.option_school)
    srow = np.searchsorted(schools, p.option_school)
    rows.add(srow, opt, 1.0, np.where(must[schools], 1.0, -_INF), 1.0, schools.size)
    # (2) x_o ≤ y_site
    with_site = np.flatnonzero(p.option_site >= 0)
    k = with_site.size
    ar = np.arange(k)
    rows.add(
        np.r_[ar, ar], np.r_[with_site, L.y0 + p.option_site[with_site]],
        np.r_[np.ones(k), -np.ones(k)], -_INF, 0.0, k,
    )  # fmt: skip
    # (3) Σ z_r = y_j
    rr = np.arange(L.nr)
    rows.add(
        np.r_[p.route_site, np.arange(L.ns)], np.r_[L.z0 + rr, L.y0 + np.arange(L.ns)],
        np.r_[np.ones(L.nr), -np.ones(L.ns)], 0.0, 0.0, L.ns,
    )  # fmt: skip
    # (4) z_r ≤ y_k (relays)
    rel = p.route_relays.tocoo()
    m = rel.nnz
    ar = np.arange(m)
    rows.add(
        np.r_[ar, ar], np.r_[L.z0 + rel.row, L.y0 + rel.col],
        np.r_[np.ones(m), -np.ones(m)], -_INF, 0.0, m,
    )  # fmt: skip
    # (5) z_r ≤ w_l (links)
    lk = p.route_links.tocoo()
    m = lk.nnz
    ar = np.arange(m)
    rows.add(
        np.r_[ar, ar], np.r_[L.z0 + lk.row, L.w0 + lk.col],
        np.r_[np.ones(m), -np.ones(m)], -_INF, 0.0, m,
    )  # fmt: skip
    # (6) flow conservation at each site
    dem_opts = with_site[p.option_demand_mbps[with_site] > 0]
    rows.add(
        np.r_[p.route_site, p.option_site[dem_opts]], np.r_[L.f0 + rr, dem_opts],
        np.r_[np.ones(L.nr), -p.option_demand_mbps[dem_opts]], 0.0, 0.0, L.ns,
    )  # fmt: skip
    # (7) f_r ≤ M_r z_r
    big_m = _site_max_traffic(p)[p.route_site] if L.nr else np.zeros(0)
    if L.nl and L.nr:
        cap = p.link_capacity_mbps
        link_min = np.full(L.nr, np.inf)
        np.minimum.at(link_min, lk.row, cap[lk.col])
        big_m = np.minimum(big_m, link_min)
    ar = np.arange(L.nr)
    rows.add(
        np.r_[ar, ar], np.r_[L.f0 + rr, L.z0 + rr], np.r_[np.ones(L.nr), -big_m],
        -_INF, 0.0, L.nr,
    )  # fmt: skip
    # (8) link capacity
    fin = np.flatnonzero(np.isfinite(p.link_capacity_mbps))
    if fin.size:
        remap = np.full(L.nl, -1)
        remap[fin] = np.arange(fin.size)
        keep = remap[lk.col] >= 0
        rows.add(
            np.r_[remap[lk.col[keep]], np.arange(fin.size)],
            np.r_[L.f0 + lk.row[keep], L.w0 + fin],
            np.r_[np.ones(int(keep.sum())), -p.link_capacity_mbps[fin]],
            -_INF, 0.0, fin.size,
        )  # fmt: skip
    # (9) resources
    fin = np.flatnonzero(np.isfinite(p.resource_capacity_mbps))
    if fin.size:
        use = p.option_resource[:, fin].tocoo()
        owner = _resource_site(p, use.row, use.col, fin.size)
        tied = np.flatnonzero(owner >= 0)
        cap = p.resource_capacity_mbps[fin]
        # a resource used only by the options of one site: Σ u x ≤ C y_site (the strong
        # capacitated-facility-location form; without the site the capacity is 0)
        rows.add(
            np.r_[use.col, tied], np.r_[use.row, L.y0 + owner[tied]],
            np.r_[use.data, -cap[tied]], -_INF, np.where(owner >= 0, 0.0, cap), fin.size,
        )  # fmt: skip
    # costs
    cost = np.zeros(L.n)
    cost[: L.no] = p.option_cost
    cost[L.y0 : L.z0] = p.site_cost
    cost[L.z0 : L.w0] = p.route_cost
    cost[L.w0 : L.f0] = p.link_cost
    nz = np.flatnonzero(cost)
    # (10) budget
    if budget_usd is not None:
        # scaled to a right-hand side of 1: HiGHS warns of (and slows on) 1e7 bounds
        scale = 1.0 / max(float(budget_usd), 1e-9)
        rows.add(np.zeros(nz.size), nz, cost[nz] * scale, -_INF, float(budget_usd) * scale, 1)
    # (11) share of the weight
    wt = p.weight[p.option_school]
    if share_weight is not None:
        rows.add(np.zeros(L.no), opt, wt, share_weight, _INF, 1)
    if objective == "max_weight":
        obj = -epsilon * cost
        obj[: L.no] += wt
    else:
        obj = cost
    upper = np.ones(L.n)
    upper[L.f0 :] = np.where(np.isfinite(big_m), big_m, _INF)
    # a site without routes can never be built
    no_route = np.ones(L.ns, dtype=bool)
    no_route[p.route_site] = False
    upper[L.y0 + np.flatnonzero(no_route)] = 0.0
    lower = np.zeros(L.n)
    return L, obj, rows, lower, upper


def _warm_values(p: PlanProblem, L: _Layout, warm: PlanSolution) -> NDArray[np.float64]:
    mask = warm.option_mask(p.n_options)
    col = np.zeros(L.n)
    col[: L.no] = mask
    col[L.y0 : L.z0] = warm.site_built
    routes = warm.route_chosen[warm.route_chosen >= 0]
    col[L.z0 + routes] = 1.0
    if L.nl:
        col[L.w0 : L.f0] = np.asarray(p.route_links[routes].sum(axis=0)).ravel() > 0
    traffic = site_traffic_mbps(p, mask)
    col[L.f0 + routes] = traffic[p.route_site[routes]]
    return col


def _targets(
    p: PlanProblem, connect: npt.ArrayLike | None, target_share: float | None
) -> tuple[NDArray[np.bool_], float | None]:
    reach = p.reachable
    if target_share is not None:
        if connect is not None:
            msg = "give either connect or target_share, not both"
            raise InputError(msg, field="target_share")
        if not 0 < target_share <= 1:
            msg = f"target_share must be within (0, 1], got {target_share!r}"
            raise InputError(msg, field="target_share")
        total = float(p.weight.sum())
        need = target_share * total
        got = float(p.weight[reach].sum())
        if need > got * (1 + 1e-12):
            msg = (
                f"target share {target_share:.4g} of the weight ({need:.6g}) exceeds what the "
                f"schools with any option hold ({got:.6g}, share {got / max(total, 1e-300):.4g})"
            )
            raise InfeasiblePlanError(msg)
        return np.zeros(p.n_schools, dtype=bool), need
    if connect is None:
        return reach, None
    arr = np.asarray(connect)
    if arr.dtype == bool:
        if arr.shape != (p.n_schools,):
            msg = f"connect as a mask must have {p.n_schools} entries"
            raise InputError(msg, field="connect")
        must = arr.copy()
    else:
        idx = arr.astype(np.int64).ravel()
        if np.any((idx < 0) | (idx >= p.n_schools)):
            msg = "connect holds a school index out of range"
            raise InputError(msg, field="connect")
        must = np.zeros(p.n_schools, dtype=bool)
        must[idx] = True
    lost = np.flatnonzero(must & ~reach)
    if lost.size:
        names = ", ".join(str(s) for s in p.school_id[lost[:10]])
        msg = f"{lost.size} school(s) to connect have no option at all: {names}"
        raise InfeasiblePlanError(msg)
    return must, None


def solve_milp(
    problem: PlanProblem,
    *,
    objective: Literal["max_weight", "min_cost"] = "max_weight",
    budget_usd: float | None = None,
    connect: npt.ArrayLike | None = None,
    target_share: float | None = None,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-3,
    threads: int | None = None,
    warm_start: PlanSolution | None = None,
    tie_break: Literal["lexicographic", "epsilon", "none"] = "lexicographic",
    random_seed: int = 0,
    verbose: bool = False,
    highs_options: Mapping[str, bool | int | float | str] | None = None,
    local_search_s: float | None = None,
) -> PlanSolution:
    """Solve the plan exactly (to ``mip_rel_gap``) with HiGHS.

    Parameters
    ----------
    problem
        The plan's schools, options, sites, routes and links.
    objective
        ``"max_weight"`` (needs ``budget_usd``) or ``"min_cost"`` (see :data:`OBJECTIVES`).
    budget_usd
        Budget, USD in the problem's cost metric (optional with ``min_cost``).
    connect
        ``min_cost`` only: schools that must be connected (indices or a mask); default
        every school with an option.
    target_share
        ``min_cost`` only: connect at least this share of the total weight instead.
    time_limit_s
        HiGHS ``time_limit``, s.
    mip_rel_gap
        HiGHS ``mip_rel_gap``: stop when (bound − objective)/objective is below it.
    threads
        HiGHS ``threads`` (``None``: HiGHS default).
    warm_start
        A previous plan handed to HiGHS as a starting solution (``setSolution``); it is
        used when feasible for this problem (e.g. the plan of a smaller budget).
    tie_break
        ``max_weight``, among plans of equal weight prefer the cheapest (see
        :data:`TIE_BREAKS`): ``"lexicographic"`` (default) solves for the weight in
        :data:`LEXICOGRAPHIC_SHARE` of the time limit, then for the cheapest plan of
        that weight in the rest (warm-started); ``"epsilon"`` subtracts ε · cost in one
        solve (:func:`tie_break_epsilon`; its LP is ~15× slower at 10,000 schools);
        ``"none"`` leaves ties to HiGHS.
    random_seed
        HiGHS ``random_seed`` (results are deterministic for a seed and thread count).
    verbose
        HiGHS log on stdout.
    highs_options
        Further HiGHS options by name (e.g. ``{"mip_heuristic_effort": 0.3}``).
    local_search_s
        Seconds of fix-and-optimise local search on the starting plan before the main
        solve (:mod:`alcance.plan._improve`), taken from ``time_limit_s``. ``None``
        (default): :data:`LOCAL_SEARCH_SHARE` of the time limit for ``max_weight`` with a
        ``warm_start`` and at least :data:`LOCAL_SEARCH_MIN_SITES` sites, else none;
        ``0`` turns it off. A better start lets HiGHS prove the gap sooner: at 10,000
        schools × 1,000 sites it is what brings the proven gap under 1 %.

    Returns
    -------
    PlanSolution
        ``status`` is HiGHS's model status text; ``mip_gap`` its relative gap.

    Raises
    ------
    InputError
        Unknown objective, missing budget, bad targets or options.
    InfeasiblePlanError
        The target cannot be met (within the budget), or no feasible plan was found in
        the time limit.
    """
    p = problem
    if objective not in OBJECTIVES:
        msg = f"unknown objective {objective!r}; choose one of {', '.join(OBJECTIVES)}"
        raise InputError(msg, field="objective")
    if budget_usd is not None and not budget_usd >= 0:
        msg = f"budget_usd must be ≥ 0, got {budget_usd!r}"
        raise InputError(msg, field="budget_usd")
    if time_limit_s <= 0 or not 0 <= mip_rel_gap < 1:
        msg = "time_limit_s must be > 0 and mip_rel_gap within [0, 1)"
        raise InputError(msg, field="time_limit_s")
    if objective == "max_weight":
        if budget_usd is None:
            msg = "objective max_weight needs budget_usd"
            raise InputError(msg, field="budget_usd")
        if connect is not None or target_share is not None:
            msg = "connect / target_share apply to objective min_cost only"
            raise InputError(msg, field="connect")
        must = np.zeros(p.n_schools, dtype=bool)
        share_weight = None
    else:
        must, share_weight = _targets(p, connect, target_share)
    if tie_break not in TIE_BREAKS:
        msg = f"unknown tie_break {tie_break!r}; choose one of {', '.join(TIE_BREAKS)}"
        raise InputError(msg, field="tie_break")
    if warm_start is not None and warm_start.option_chosen.shape != (p.n_schools,):
        msg = "warm_start does not match the problem's sizes"
        raise InputError(msg, field="warm_start")
    if local_search_s is not None and not 0 <= local_search_s < time_limit_s:
        msg = f"local_search_s must be within [0, time_limit_s), got {local_search_s!r}"
        raise InputError(msg, field="local_search_s")
    if local_search_s is None:
        auto = objective == "max_weight" and p.n_sites >= LOCAL_SEARCH_MIN_SITES
        local_search_s = LOCAL_SEARCH_SHARE * time_limit_s if auto else 0.0
    lexicographic = objective == "max_weight" and tie_break == "lexicographic"
    eps = tie_break_epsilon(p, budget_usd) if tie_break == "epsilon" else 0.0
    t0 = time.perf_counter()
    L, obj, rows, lower, upper = _build(
        p,
        objective=objective,
        budget_usd=budget_usd,
        must=must,
        share_weight=share_weight,
        epsilon=eps,
    )
    settings = {
        "output_flag": bool(verbose),
        "mip_rel_gap": float(mip_rel_gap),
        "random_seed": int(random_seed),
        **({} if threads is None else {"threads": int(threads)}),
        **(highs_options or {}),
    }
    warm = None if warm_start is None else _warm_values(p, L, warm_start)
    sense = -1 if objective == "max_weight" else 1
    if warm is not None and local_search_s > 0:
        warm, _rounds = _local_search(p, L, obj, rows, lower, upper, sense, settings, warm,
                                       local_search_s, random_seed)  # fmt: skip
    spent = time.perf_counter() - t0
    first_limit = (LEXICOGRAPHIC_SHARE * time_limit_s if lexicographic else time_limit_s) - spent
    run = _run(L, obj, rows, lower, upper, sense, max(first_limit, 0.05 * time_limit_s),
               settings, warm)  # fmt: skip
    if (
        run.has_solution
        and warm is not None
        and sense * float(obj @ warm)
        < sense * float(obj @ run.col) - 1e-9 * max(1.0, abs(run.objective))
    ):
        # HiGHS lost the start (see _run): keep it, with the gap against HiGHS's bound
        value = float(obj @ warm)
        run = dataclasses.replace(
            run, col=warm, objective=value,
            gap=abs(run.bound - value) / max(1e-300, abs(value)),
        )  # fmt: skip
    elapsed = time.perf_counter() - t0
    if not run.has_solution:
        if run.infeasible:
            what = "connect every required school" if share_weight is None else "reach the share"
            within = f" within the budget {budget_usd:.6g} USD" if budget_usd is not None else ""
            msg = f"no plan can {what}{within} (capacities, routes or budget): HiGHS {run.text}"
        else:
            msg = f"HiGHS found no feasible plan ({run.text}) in {elapsed:.1f} s"
        raise InfeasiblePlanError(msg)
    col = run.col
    status = run.text
    if lexicographic:
        # second pass: the cheapest plan of at least the weight found
        found = float(p.weight[p.option_school] @ (col[: L.no] > 0.5))
        floor = found - 0.5 * _weight_step(p)
        rows.add(np.zeros(L.no), np.arange(L.no), p.weight[p.option_school], floor, _INF, 1)
        cost = _cost_vector(p, L)
        left = time_limit_s - elapsed
        if left < 0.05 * time_limit_s:  # HiGHS overran its share (sub-MIPs overshoot)
            status = f"{status}; cheapest at that weight: skipped, no time left"
        else:
            second = _run(L, cost, rows, lower, upper, 1, left, settings, col)
            if second.has_solution:
                col = second.col
                if second.text != "Optimal":
                    status = f"{status}; cheapest at that weight: {second.text}"
        elapsed = time.perf_counter() - t0
    x = col[: L.no] > 0.5
    z = col[L.z0 : L.w0] > 0.5
    return solution_from_choice(
        p,
        x,
        z,
        status=status,
        solver=f"HiGHS {run.version}",
        solve_time_s=elapsed,
        objective=run.objective,
        best_bound=run.bound,
        mip_gap=run.gap,
    )


def _local_search(
    p: PlanProblem,
    L: _Layout,
    obj: NDArray[np.float64],
    rows: _Rows,
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    sense: int,
    settings: Mapping[str, bool | int | float | str],
    warm: NDArray[np.float64],
    time_s: float,
    seed: int,
) -> tuple[NDArray[np.float64], int]:
    """The warm start improved by fix-and-optimise sub-MIPs (:mod:`alcance.plan._improve`)."""
    t0 = time.perf_counter()
    per, clusters, sub_s = LOCAL_SEARCH_HOOD
    sub = {**settings, **LOCAL_SEARCH_OPTIONS}
    h = _model(L, obj, rows, lower, upper, sense, sub_s, sub)
    hood = Neighbourhoods.of(p, L.y0, L.z0, L.w0, L.f0)
    left = time_s - (time.perf_counter() - t0)
    return fix_and_optimise(
        h, hood, obj, lower, upper, sense, warm, time_s=left,
        rng=np.random.default_rng(seed), sites_per_cluster=per, clusters=clusters,
        sub_time_s=min(sub_s, max(left, 0.0)),
    )  # fmt: skip


@dataclass(frozen=True)
class _Run:
    text: str
    has_solution: bool
    infeasible: bool
    col: NDArray[np.float64]
    objective: float
    bound: float
    gap: float
    version: str


def _cost_vector(p: PlanProblem, L: _Layout) -> NDArray[np.float64]:
    cost = np.zeros(L.n)
    cost[: L.no] = p.option_cost
    cost[L.y0 : L.z0] = p.site_cost
    cost[L.z0 : L.w0] = p.route_cost
    cost[L.w0 : L.f0] = p.link_cost
    return cost


def _weight_step(p: PlanProblem) -> float:
    """δ: 1 for integral weights, else the smallest positive weight."""
    pos = p.weight[p.weight > 0]
    return 1.0 if pos.size == 0 or np.all(pos == np.round(pos)) else float(pos.min())


_BANNER_SHOWN = False


def _new_highs() -> highspy.Highs:
    """A HiGHS instance; the licence banner HiGHS prints (to the C stdout, once per
    process, before any option can be set) is kept out of the caller's output."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return highspy.Highs()  # type: ignore[no-untyped-call]
    _BANNER_SHOWN = True
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 (embedded interpreters)
        return highspy.Highs()  # type: ignore[no-untyped-call]
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _model(
    L: _Layout,
    obj: NDArray[np.float64],
    rows: _Rows,
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    sense: int,
    time_limit_s: float,
    settings: Mapping[str, bool | int | float | str],
) -> highspy.Highs:
    """A HiGHS instance holding the model (rows as one CSR matrix) and the options."""
    a = rows.matrix(L.n)
    h = _new_highs()
    h.setOptionValue("output_flag", False)
    for name, value in {**settings, "time_limit": float(time_limit_s)}.items():
        if h.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            msg = f"HiGHS rejected option {name}={value!r}"
            raise InputError(msg, field="highs_options")
    integrality = np.zeros(L.n, dtype=np.int32)
    integrality[: L.f0] = 1
    status = h.passModel(
        L.n, rows.n, int(a.nnz), 2, sense, 0.0,
        obj, lower, upper,
        np.concatenate(rows.lo) if rows.lo else np.zeros(0),
        np.concatenate(rows.hi) if rows.hi else np.zeros(0),
        a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data.astype(np.float64),
        integrality,
    )  # fmt: skip
    if status == highspy.HighsStatus.kError:
        msg = "HiGHS rejected the model"
        raise InputError(msg, field="problem")
    return h


def _run(
    L: _Layout,
    obj: NDArray[np.float64],
    rows: _Rows,
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    sense: int,
    time_limit_s: float,
    settings: Mapping[str, bool | int | float | str],
    warm: NDArray[np.float64] | None,
) -> _Run:
    """One HiGHS solve of the model passed in bulk (rows as one CSR matrix)."""
    h = _model(L, obj, rows, lower, upper, sense, time_limit_s, settings)
    if warm is not None:
        h.setSolution(L.n, np.arange(L.n, dtype=np.int32), warm)
    t0 = time.perf_counter()
    h.run()
    model_status = h.getModelStatus()
    info = h.getInfo()
    ok = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
    if ok and warm is not None:
        # HiGHS 1.16 can map a MIP start into the presolved space with a wrong objective
        # ("feasible in the reduced space: objective value is …"), stop there and return
        # the start unchanged; then the reported objective is not the start's. Solve
        # again without the start in the time left.
        col = np.asarray(h.getSolution().col_value)
        reported = float(info.objective_function_value)
        if abs(float(obj @ col) - reported) > 1e-6 * max(1.0, abs(reported)):
            left = max(time_limit_s - (time.perf_counter() - t0), 0.1 * time_limit_s)
            return _run(L, obj, rows, lower, upper, sense, left, settings, None)
    return _Run(
        text=h.modelStatusToString(model_status),
        has_solution=ok,
        infeasible=model_status == highspy.HighsModelStatus.kInfeasible,
        col=np.asarray(h.getSolution().col_value) if ok else np.zeros(0),
        objective=float(info.objective_function_value),
        bound=float(info.mip_dual_bound),
        gap=float(info.mip_gap),
        version=str(h.version()),
    )
