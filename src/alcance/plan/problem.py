"""The planning problem and its solution as plain arrays (no I/O).

A :class:`PlanProblem` lists, for every school, the *options* that could connect it
(an existing cell, a new tower at a candidate site, a satellite terminal, its own
fibre or microwave run …), the capacity *resources* the options draw on (a cell, a
satellite beam), the candidate *sites* with their backhaul *routes*, and the shared
backhaul *links* a route may use (paid once however many routes use them).

Every cost is in one metric (lifetime NPV or CAPEX, USD); every capacity in Mbit/s.
The model the solvers share (see :mod:`alcance.plan.milp` for the MILP):

* at most one option per school;
* an option at a site needs the site built; a built site takes exactly one route;
  a route needs its relay sites built and its shared links paid;
* the traffic of a site (Σ demand of its chosen options) flows on its route and fits
  every link of the route (Σ over the routes using the link ≤ link capacity);
* Σ usage of the chosen options ≤ capacity of every resource;
* total cost = options + sites + routes + links ≤ budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from numpy.typing import NDArray

from alcance.errors import AlcanceError, InputError

__all__ = [
    "InfeasiblePlanError",
    "PlanProblem",
    "PlanSolution",
    "check_feasible",
    "solution_from_choice",
]

#: Tolerance of the feasibility check: relative on budgets and capacities.
FEAS_RTOL = 1e-6


class InfeasiblePlanError(AlcanceError):
    """The plan asked for (a target of schools or students) cannot be met."""


def _vec(name: str, value: npt.ArrayLike, dtype: Any, n: int | None = None) -> NDArray[Any]:
    arr = np.ascontiguousarray(np.asarray(value, dtype=dtype))
    if arr.ndim != 1:
        msg = f"{name} must be one-dimensional, got shape {arr.shape}"
        raise InputError(msg, field=name)
    if n is not None and arr.size != n:
        msg = f"{name} must have {n} entries, got {arr.size}"
        raise InputError(msg, field=name)
    return arr


def _nonneg(name: str, arr: NDArray[np.float64], *, inf_ok: bool = False) -> None:
    bad = ~(arr >= 0) | (np.isinf(arr) & (not inf_ok))
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        msg = f"{name} must be ≥ 0 and finite{' or inf' if inf_ok else ''}, got {arr[i]!r} at index {i}"
        raise InputError(msg, field=name)


def _index(name: str, arr: NDArray[np.int64], n: int, *, allow_none: bool = False) -> None:
    lo = -1 if allow_none else 0
    bad = (arr < lo) | (arr >= n)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        msg = f"{name} must index 0..{n - 1}{' or be -1' if allow_none else ''}, got {arr[i]} at index {i}"
        raise InputError(msg, field=name)


def _csr(name: str, value: Any, shape: tuple[int, int], *, binary: bool) -> sp.csr_array:
    try:
        mat = sp.csr_array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        msg = f"{name} must be a sparse or dense 2-D array: {exc}"
        raise InputError(msg, field=name) from exc
    if mat.shape != shape:
        msg = f"{name} must have shape {shape}, got {mat.shape}"
        raise InputError(msg, field=name)
    mat.sum_duplicates()
    mat.eliminate_zeros()
    mat.sort_indices()
    data = mat.data
    if np.any(~np.isfinite(data)) or np.any(data < 0):
        msg = f"{name} must hold finite values ≥ 0"
        raise InputError(msg, field=name)
    if binary:
        mat.data = np.ones_like(data)
    return mat


@dataclass(frozen=True)
class PlanProblem:
    """Schools, their connection options, candidate sites, backhaul routes and links.

    Parameters
    ----------
    school_id
        Identifier of each school (``n_schools``).
    weight
        What the objective counts for each school: students, people or 1 (≥ 0).
    option_school
        School index of each option (``n_options``).
    option_kind
        Free text: ``"existing"``, ``"new_site"``, ``"satellite"``, ``"fibre"`` …
    option_cost
        School-specific cost of the option (CPE, terminal, own fibre run, data plan), USD
        in the plan's cost metric.
    option_site
        Candidate site the option needs built, ``-1`` if none.
    option_demand_mbps
        Traffic the option puts on its site's backhaul route, Mbit/s.
    option_resource
        ``(n_options × n_resources)`` Mbit/s the option takes from each capacity resource
        (dense or sparse; stored as CSR).
    resource_capacity_mbps
        Capacity of each resource, Mbit/s (``inf`` = unlimited).
    resource_name
        Name of each resource (cell, beam).
    site_id, site_cost
        Candidate sites and their cost (tower + RAN + power, without backhaul), USD.
    route_site, route_cost
        Site each backhaul route serves and the route's own (unshared) cost, USD. A site
        without routes can never be built; give "free" backhaul as one zero-cost route.
    route_links
        ``(n_routes × n_links)`` 1 where the route uses the shared link.
    route_relays
        ``(n_routes × n_sites)`` 1 where the route passes through another candidate
        site, which must then be built.
    link_id, link_cost, link_capacity_mbps
        Shared links: cost paid once if any chosen route uses them (USD); capacity for
        the traffic of every route using them, Mbit/s (``inf`` = unlimited).

    Raises
    ------
    InputError
        A field of the wrong length, an index out of range, a negative or non-finite
        cost or capacity; the message names the field.
    """

    school_id: NDArray[np.str_]
    weight: NDArray[np.float64]
    option_school: NDArray[np.int64]
    option_kind: NDArray[np.str_]
    option_cost: NDArray[np.float64]
    option_site: NDArray[np.int64]
    option_demand_mbps: NDArray[np.float64]
    option_resource: sp.csr_array
    resource_capacity_mbps: NDArray[np.float64]
    resource_name: NDArray[np.str_]
    site_id: NDArray[np.str_]
    site_cost: NDArray[np.float64]
    route_site: NDArray[np.int64]
    route_cost: NDArray[np.float64]
    route_links: sp.csr_array
    route_relays: sp.csr_array
    link_id: NDArray[np.str_]
    link_cost: NDArray[np.float64]
    link_capacity_mbps: NDArray[np.float64]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        school_id = _vec("school_id", self.school_id, np.str_)
        ns = school_id.size
        put(self, "school_id", school_id)
        put(self, "weight", _vec("weight", self.weight, np.float64, ns))
        _nonneg("weight", self.weight)
        option_school = _vec("option_school", self.option_school, np.int64)
        no = option_school.size
        put(self, "option_school", option_school)
        _index("option_school", option_school, ns)
        put(self, "option_kind", _vec("option_kind", self.option_kind, np.str_, no))
        put(self, "option_cost", _vec("option_cost", self.option_cost, np.float64, no))
        _nonneg("option_cost", self.option_cost)
        site_id = _vec("site_id", self.site_id, np.str_)
        nsite = site_id.size
        put(self, "site_id", site_id)
        put(self, "site_cost", _vec("site_cost", self.site_cost, np.float64, nsite))
        _nonneg("site_cost", self.site_cost)
        put(self, "option_site", _vec("option_site", self.option_site, np.int64, no))
        _index("option_site", self.option_site, nsite, allow_none=True)
        put(
            self,
            "option_demand_mbps",
            _vec("option_demand_mbps", self.option_demand_mbps, np.float64, no),
        )
        _nonneg("option_demand_mbps", self.option_demand_mbps)
        resource_name = _vec("resource_name", self.resource_name, np.str_)
        nres = resource_name.size
        put(self, "resource_name", resource_name)
        put(
            self,
            "resource_capacity_mbps",
            _vec("resource_capacity_mbps", self.resource_capacity_mbps, np.float64, nres),
        )
        _nonneg("resource_capacity_mbps", self.resource_capacity_mbps, inf_ok=True)
        put(
            self,
            "option_resource",
            _csr("option_resource", self.option_resource, (no, nres), binary=False),
        )
        route_site = _vec("route_site", self.route_site, np.int64)
        nr = route_site.size
        put(self, "route_site", route_site)
        _index("route_site", route_site, nsite)
        put(self, "route_cost", _vec("route_cost", self.route_cost, np.float64, nr))
        _nonneg("route_cost", self.route_cost)
        link_id = _vec("link_id", self.link_id, np.str_)
        nl = link_id.size
        put(self, "link_id", link_id)
        put(self, "link_cost", _vec("link_cost", self.link_cost, np.float64, nl))
        _nonneg("link_cost", self.link_cost)
        put(
            self,
            "link_capacity_mbps",
            _vec("link_capacity_mbps", self.link_capacity_mbps, np.float64, nl),
        )
        _nonneg("link_capacity_mbps", self.link_capacity_mbps, inf_ok=True)
        put(self, "route_links", _csr("route_links", self.route_links, (nr, nl), binary=True))
        relays = _csr("route_relays", self.route_relays, (nr, nsite), binary=True)
        put(self, "route_relays", relays)
        own = relays[np.arange(nr), route_site] if nr else np.zeros(0)
        if np.any(np.asarray(own) != 0):
            i = int(np.flatnonzero(np.asarray(own))[0])
            msg = f"route {i} lists its own site {route_site[i]} as a relay"
            raise InputError(msg, field="route_relays")

    # sizes -----------------------------------------------------------------
    @property
    def n_schools(self) -> int:
        """Number of schools."""
        return int(self.school_id.size)

    @property
    def n_options(self) -> int:
        """Number of options."""
        return int(self.option_school.size)

    @property
    def n_sites(self) -> int:
        """Number of candidate sites."""
        return int(self.site_id.size)

    @property
    def n_routes(self) -> int:
        """Number of backhaul routes."""
        return int(self.route_site.size)

    @property
    def n_links(self) -> int:
        """Number of shared backhaul links."""
        return int(self.link_id.size)

    @property
    def n_resources(self) -> int:
        """Number of capacity resources."""
        return int(self.resource_name.size)

    @property
    def total_cost_bound(self) -> float:
        """Σ of every cost: an upper bound on the cost of any plan, USD."""
        return float(
            self.option_cost.sum() + self.site_cost.sum() + self.route_cost.sum()
            + self.link_cost.sum()
        )  # fmt: skip

    @property
    def reachable(self) -> NDArray[np.bool_]:
        """Schools with at least one option (``n_schools``)."""
        out = np.zeros(self.n_schools, dtype=bool)
        out[self.option_school] = True
        return out


@dataclass(frozen=True)
class PlanSolution:
    """A plan: what each school gets, which sites, routes and links are built.

    Attributes
    ----------
    status
        Solver status text (``"Optimal"``, ``"Time limit reached"``, ``"greedy"`` …).
    objective
        Objective value as the solver reports it (weight − ε·cost for ``max_weight``,
        USD for ``min_cost``; ``nan`` for heuristics).
    best_bound
        Best bound on the objective (``nan`` when not proven).
    mip_gap
        Relative gap as HiGHS reports it, ``|bound − objective| / |objective|``
        (0 for brute force, ``nan`` for greedy).
    option_chosen
        Chosen option per school, ``-1`` for none (``n_schools``).
    site_built
        Site built (``n_sites`` bool).
    route_chosen
        Route of each site, ``-1`` when the site is not built (``n_sites``).
    link_used
        Shared link paid for (``n_links`` bool).
    cost_options_usd, cost_sites_usd, cost_routes_usd, cost_links_usd
        Cost split, USD in the problem's metric.
    weight_connected
        Σ weight of the connected schools.
    schools_connected
        Number of connected schools.
    solve_time_s
        Wall time of the solve, s.
    solver
        ``"HiGHS 1.16.0"``, ``"greedy"`` or ``"brute force"``.
    """

    status: str
    objective: float
    best_bound: float
    mip_gap: float
    option_chosen: NDArray[np.int64]
    site_built: NDArray[np.bool_]
    route_chosen: NDArray[np.int64]
    link_used: NDArray[np.bool_]
    cost_options_usd: float
    cost_sites_usd: float
    cost_routes_usd: float
    cost_links_usd: float
    weight_connected: float
    schools_connected: int
    solve_time_s: float
    solver: str

    @property
    def total_cost_usd(self) -> float:
        """Total cost of the plan, USD."""
        return (
            self.cost_options_usd + self.cost_sites_usd + self.cost_routes_usd
            + self.cost_links_usd
        )  # fmt: skip

    def option_mask(self, n_options: int) -> NDArray[np.bool_]:
        """Chosen options as a mask over the problem's options."""
        mask = np.zeros(n_options, dtype=bool)
        mask[self.option_chosen[self.option_chosen >= 0]] = True
        return mask


def solution_from_choice(
    problem: PlanProblem,
    option_mask: NDArray[np.bool_],
    route_mask: NDArray[np.bool_],
    *,
    status: str,
    solver: str,
    solve_time_s: float,
    objective: float = float("nan"),
    best_bound: float = float("nan"),
    mip_gap: float = float("nan"),
    site_mask: NDArray[np.bool_] | None = None,
) -> PlanSolution:
    """Build a :class:`PlanSolution` from chosen options and routes (sites and links follow).

    Sites built are those with a chosen route (or ``site_mask`` when given); links used
    are those of the chosen routes.
    """
    p = problem
    option_mask = np.asarray(option_mask, dtype=bool)
    route_mask = np.asarray(route_mask, dtype=bool)
    chosen = np.full(p.n_schools, -1, dtype=np.int64)
    opts = np.flatnonzero(option_mask)
    chosen[p.option_school[opts]] = opts
    route_chosen = np.full(p.n_sites, -1, dtype=np.int64)
    routes = np.flatnonzero(route_mask)
    route_chosen[p.route_site[routes]] = routes
    built = route_chosen >= 0 if site_mask is None else np.asarray(site_mask, dtype=bool)
    link_used = np.asarray(p.route_links[routes].sum(axis=0)).ravel() > 0 if p.n_links else None
    if link_used is None:
        link_used = np.zeros(0, dtype=bool)
    connected = chosen >= 0
    return PlanSolution(
        status=status,
        objective=float(objective),
        best_bound=float(best_bound),
        mip_gap=float(mip_gap),
        option_chosen=chosen,
        site_built=built,
        route_chosen=route_chosen,
        link_used=link_used,
        cost_options_usd=float(p.option_cost[opts].sum()),
        cost_sites_usd=float(p.site_cost[built].sum()),
        cost_routes_usd=float(p.route_cost[routes].sum()),
        cost_links_usd=float(p.link_cost[link_used].sum()),
        weight_connected=float(p.weight[connected].sum()),
        schools_connected=int(connected.sum()),
        solve_time_s=float(solve_time_s),
        solver=solver,
    )


def site_traffic_mbps(problem: PlanProblem, option_mask: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Σ demand of the chosen options at each site, Mbit/s (``n_sites``)."""
    sel = option_mask & (problem.option_site >= 0)
    return np.bincount(
        problem.option_site[sel],
        weights=problem.option_demand_mbps[sel],
        minlength=problem.n_sites,
    ).astype(np.float64)


def _over(load: NDArray[np.float64], cap: NDArray[np.float64]) -> NDArray[np.bool_]:
    return load > cap * (1 + FEAS_RTOL) + FEAS_RTOL


def check_feasible(
    problem: PlanProblem,
    solution: PlanSolution,
    budget_usd: float | None = None,
    *,
    raise_on_violation: bool = False,
) -> list[str]:
    """Every constraint of the plan, checked independently of the solver.

    Parameters
    ----------
    problem
        The problem the solution answers.
    solution
        The plan to check.
    budget_usd
        Budget, USD (``None``: not checked).
    raise_on_violation
        Raise :class:`InputError` listing the violations instead of returning them.

    Returns
    -------
    list of str
        One sentence per violated constraint; empty when the plan is feasible.
    """
    p = problem
    s = solution
    bad: list[str] = []
    if s.option_chosen.shape != (p.n_schools,) or s.site_built.shape != (p.n_sites,):
        msg = "solution does not match the problem's sizes"
        raise InputError(msg, field="solution")
    chosen = s.option_chosen
    for i in np.flatnonzero(chosen >= 0)[:1_000_000]:
        o = int(chosen[i])
        if o >= p.n_options or p.option_school[o] != i:
            bad.append(f"school {p.school_id[i]}: option {o} is not one of its options")
    if bad:
        return _finish(bad, raise_on_violation)
    mask = s.option_mask(p.n_options)
    # sites, routes, relays
    route_mask = np.zeros(p.n_routes, dtype=bool)
    rc = s.route_chosen
    for j in range(p.n_sites):
        r = int(rc[j])
        if r >= 0:
            if r >= p.n_routes or p.route_site[r] != j:
                bad.append(f"site {p.site_id[j]}: route {r} is not one of its routes")
                continue
            route_mask[r] = True
            if not s.site_built[j]:
                bad.append(f"site {p.site_id[j]}: route {r} chosen but the site is not built")
        elif s.site_built[j]:
            bad.append(f"site {p.site_id[j]}: built without a backhaul route")
    need = p.option_site[mask]
    need = need[need >= 0]
    for j in np.unique(need[~s.site_built[need]]):
        bad.append(f"site {p.site_id[j]}: an option uses it but it is not built")
    routes = np.flatnonzero(route_mask)
    relays = p.route_relays[routes]
    for k, r in enumerate(routes.tolist()):
        row = relays[[k]].indices
        for j in row[~s.site_built[row]]:
            bad.append(f"route {r}: relay site {p.site_id[j]} is not built")
    link_need = np.asarray(p.route_links[routes].sum(axis=0)).ravel() > 0
    if p.n_links:
        for link in np.flatnonzero(link_need & ~s.link_used):
            bad.append(f"link {p.link_id[link]}: a chosen route uses it but it is not paid")
    # capacities
    traffic = site_traffic_mbps(p, mask)
    route_flow = np.zeros(p.n_routes)
    route_flow[routes] = traffic[p.route_site[routes]]
    if p.n_links:
        load = p.route_links.T @ route_flow
        for link in np.flatnonzero(_over(load, p.link_capacity_mbps)):
            bad.append(
                f"link {p.link_id[link]}: {load[link]:.6g} Mbit/s over its capacity "
                f"{p.link_capacity_mbps[link]:.6g}"
            )
    if p.n_resources:
        use = p.option_resource.T @ mask.astype(np.float64)
        for c in np.flatnonzero(_over(use, p.resource_capacity_mbps)):
            bad.append(
                f"resource {p.resource_name[c]}: {use[c]:.6g} Mbit/s over its capacity "
                f"{p.resource_capacity_mbps[c]:.6g}"
            )
    # accounting and budget
    ref = solution_from_choice(
        p, mask, route_mask, status="", solver="", solve_time_s=0.0, site_mask=s.site_built
    )
    total = ref.total_cost_usd + float(p.link_cost[s.link_used & ~link_need].sum())
    if abs(total - s.total_cost_usd) > FEAS_RTOL * max(1.0, total):
        bad.append(f"reported cost {s.total_cost_usd:.6g} USD ≠ recomputed {total:.6g} USD")
    if abs(ref.weight_connected - s.weight_connected) > FEAS_RTOL * max(1.0, ref.weight_connected):
        bad.append(
            f"reported weight {s.weight_connected:.6g} ≠ recomputed {ref.weight_connected:.6g}"
        )
    if budget_usd is not None and total > budget_usd * (1 + FEAS_RTOL) + FEAS_RTOL:
        bad.append(f"cost {total:.6g} USD over the budget {budget_usd:.6g} USD")
    return _finish(bad, raise_on_violation)


def _finish(bad: list[str], raise_on_violation: bool) -> list[str]:
    if bad and raise_on_violation:
        msg = "infeasible plan: " + "; ".join(bad[:20])
        raise InputError(msg, field="solution")
    return bad
