"""Greedy baseline: most weight per marginal dollar first.

At each step the option with the highest ``weight / marginal cost`` is taken, where the
marginal cost is the option's own cost plus, if its site is not built yet, the site,
the cheapest backhaul route that can carry the option's traffic, that route's shared
links not paid yet and any relay sites it needs (built recursively the same way, up to
:data:`MAX_RELAY_DEPTH`). An option at a site not built yet may instead score the
ratio of the site's best *bundle* (the site, its backhaul and the schools it would
serve first, ``Σ weight / Σ cost``), so a tower is not judged by its first school
alone (the facility-location greedy of Hochbaum, "Heuristics for the fixed cost median
problem", Math. Prog. 22 (1982) 148–162). Every resource and link capacity and the
budget are respected. Ties: larger weight, then lower cost, then lower option index
(deterministic).

The scores are kept in a lazy max-heap: an option's score falls only when capacity is
used (rechecked when it reaches the top) and rises only when a site is built or a link
paid (the options touched are pushed again), so each pop is the true best.

This is the classic cost-effectiveness heuristic for budgeted maximum coverage
(Khuller, Moss and Naor, "The budgeted maximum coverage problem", Inf. Proc. Letters
70 (1999) 39–45), used as the baseline the MILP is compared to.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import time

import numpy as np
from numpy.typing import NDArray

from alcance.errors import InputError
from alcance.plan.problem import PlanProblem, PlanSolution, solution_from_choice

__all__ = ["MAX_RELAY_DEPTH", "greedy"]

#: How deep relay sites are built recursively when pricing a route.
MAX_RELAY_DEPTH = 4

_TOL = 1e-9


class _Activation:
    """Sites to build (with their routes) and links to pay, and what it costs."""

    __slots__ = ("cost", "links", "sites")

    def __init__(self, sites: dict[int, int], links: set[int], cost: float) -> None:
        self.sites = sites
        self.links = links
        self.cost = cost


class _Greedy:
    def __init__(self, p: PlanProblem, budget: float) -> None:
        self.p = p
        self.remaining = budget
        self.built = np.zeros(p.n_sites, dtype=bool)
        self.route_of = np.full(p.n_sites, -1, dtype=np.int64)
        self.paid = np.zeros(p.n_links, dtype=bool)
        self.link_load = np.zeros(p.n_links)
        self.link_cap = p.link_capacity_mbps
        self.res_load = np.zeros(p.n_resources)
        self.res_cap = p.resource_capacity_mbps
        self.connected = np.zeros(p.n_schools, dtype=bool)
        self.chosen = np.zeros(p.n_options, dtype=bool)
        rl = p.route_links
        rr = p.route_relays
        self.r_links = [rl.indices[rl.indptr[r] : rl.indptr[r + 1]] for r in range(p.n_routes)]
        self.r_relays = [rr.indices[rr.indptr[r] : rr.indptr[r + 1]] for r in range(p.n_routes)]
        self.site_routes: list[list[int]] = [[] for _ in range(p.n_sites)]
        for r in range(p.n_routes):
            self.site_routes[int(p.route_site[r])].append(r)
        self.site_options: list[list[int]] = [[] for _ in range(p.n_sites)]
        for o in np.flatnonzero(p.option_site >= 0):
            self.site_options[int(p.option_site[o])].append(int(o))
        # sites whose routes use a link / relay through a site
        self.link_sites: list[set[int]] = [set() for _ in range(p.n_links)]
        self.relay_sites: list[set[int]] = [set() for _ in range(p.n_sites)]
        for r in range(p.n_routes):
            j = int(p.route_site[r])
            for link in self.r_links[r]:
                self.link_sites[int(link)].add(j)
            for k in self.r_relays[r]:
                self.relay_sites[int(k)].add(j)
        res = p.option_resource
        self.o_res = [
            (
                res.indices[res.indptr[o] : res.indptr[o + 1]],
                res.data[res.indptr[o] : res.indptr[o + 1]],
            )
            for o in range(p.n_options)
        ]
        self.cache: dict[tuple[int, float], _Activation | None] = {}
        self.bcache: dict[int, tuple[float, frozenset[int]]] = {}

    # pricing ------------------------------------------------------------------
    def _links_fit(self, links: NDArray[np.int64], demand: float) -> bool:
        if demand <= 0 or links.size == 0:
            return True
        load = self.link_load[links] + demand
        return bool(np.all(load <= self.link_cap[links] * (1 + _TOL) + _TOL))

    def activate(self, j: int, demand: float, visiting: frozenset[int]) -> _Activation | None:
        """Cheapest way to build site ``j`` carrying ``demand`` Mbit/s (None: impossible)."""
        if not visiting:
            key = (j, demand)
            if key in self.cache:
                return self.cache[key]
        p = self.p
        best: _Activation | None = None
        for r in self.site_routes[j]:
            links = self.r_links[r]
            if not self._links_fit(links, demand):
                continue
            sites = {j: r}
            new_links = {int(x) for x in links if not self.paid[x]}
            ok = True
            for k in self.r_relays[r]:
                k = int(k)
                if self.built[k] or k in sites:
                    continue
                if k in visiting or len(visiting) >= MAX_RELAY_DEPTH:
                    ok = False
                    break
                sub = self.activate(k, 0.0, visiting | {j})
                if sub is None:
                    ok = False
                    break
                sites.update(sub.sites)
                new_links |= sub.links
            if not ok:
                continue
            cost = float(
                sum(p.site_cost[s] + p.route_cost[q] for s, q in sites.items())
                + sum(p.link_cost[x] for x in new_links)
            )
            if best is None or cost < best.cost - _TOL:
                best = _Activation(sites, new_links, cost)
        if not visiting:
            self.cache[(j, demand)] = best
        return best

    def price(self, o: int) -> tuple[float, _Activation | None] | None:
        """Marginal cost of option ``o`` now and the activation it needs (None: infeasible)."""
        p = self.p
        idx, use = self.o_res[o]
        if idx.size and np.any(self.res_load[idx] + use > self.res_cap[idx] * (1 + _TOL) + _TOL):
            return None
        cost = float(p.option_cost[o])
        j = int(p.option_site[o])
        if j < 0:
            return cost, None
        d = float(p.option_demand_mbps[o])
        if self.built[j]:
            if not self._links_fit(self.r_links[int(self.route_of[j])], d):
                return None
            return cost, None
        act = self.activate(j, d, frozenset())
        if act is None:
            return None
        return cost + act.cost, act

    def bundle(self, j: int) -> tuple[float, frozenset[int]]:
        """Best weight per dollar of building unbuilt site ``j`` with a set of its schools.

        Schools at ``j`` are added by their own weight per option dollar while the
        site's route, resources and the budget hold them; the prefix of best
        ``Σ weight / (activation + Σ option cost)`` is the bundle.
        """
        hit = self.bcache.get(j)
        if hit is not None:
            return hit
        p = self.p
        best: tuple[float, frozenset[int]] = (0.0, frozenset())
        act = self.activate(j, 0.0, frozenset())
        if act is not None:
            links = self.r_links[act.sites[j]]
            head = (
                float(np.min(self.link_cap[links] - self.link_load[links]))
                if links.size
                else math.inf
            )
            cands = []
            for o in self.site_options[j]:
                i = int(p.option_school[o])
                w = float(p.weight[i])
                if self.connected[i] or w <= 0:
                    continue
                c = float(p.option_cost[o])
                cands.append((-(w / c if c > 0 else math.inf), o, i, w, c))
            cands.sort()
            acc: dict[int, float] = {}
            seen: set[int] = set()
            taken: list[int] = []
            total_w, total_c, total_d, best_n = 0.0, act.cost, 0.0, 0
            for _, o, i, w, c in cands:
                d = float(p.option_demand_mbps[o])
                if i in seen or total_d + d > head * (1 + _TOL) + _TOL:
                    continue
                if total_c + c > self.remaining * (1 + _TOL) + _TOL:
                    continue
                idx, use = self.o_res[o]
                if any(
                    self.res_load[r] + acc.get(int(r), 0.0) + u
                    > self.res_cap[r] * (1 + _TOL) + _TOL
                    for r, u in zip(idx, use, strict=True)
                ):
                    continue
                for r, u in zip(idx, use, strict=True):
                    acc[int(r)] = acc.get(int(r), 0.0) + float(u)
                seen.add(i)
                taken.append(o)
                total_w += w
                total_c += c
                total_d += d
                ratio = total_w / total_c if total_c > 0 else math.inf
                if ratio > best[0]:
                    best = (ratio, frozenset())
                    best_n = len(taken)
            best = (best[0], frozenset(taken[:best_n]))
        self.bcache[j] = best
        return best

    def key(self, o: int, cost: float) -> tuple[float, float, float, int]:
        """Heap key: best of the option's own ratio and its site's bundle ratio."""
        p = self.p
        w = float(p.weight[p.option_school[o]])
        score = math.inf if cost <= 0 else w / cost
        j = int(p.option_site[o])
        if j >= 0 and not self.built[j]:
            ratio, members = self.bundle(j)
            if o in members:
                score = max(score, ratio)
        return (-score, -w, cost, o)

    # taking -------------------------------------------------------------------
    def take(self, o: int, cost: float, act: _Activation | None) -> set[int]:
        """Apply option ``o``; return the sites whose options got cheaper."""
        p = self.p
        self.remaining -= cost
        self.chosen[o] = True
        self.connected[p.option_school[o]] = True
        idx, use = self.o_res[o]
        self.res_load[idx] += use
        touched: set[int] = set()
        if act is not None:
            for s, r in act.sites.items():
                self.built[s] = True
                self.route_of[s] = r
                touched.add(s)
                touched |= self.relay_sites[s]
            for link in act.links:
                self.paid[link] = True
                touched |= self.link_sites[link]
        j = int(p.option_site[o])
        if j >= 0:
            links = self.r_links[int(self.route_of[j])]
            self.link_load[links] += p.option_demand_mbps[o]
        self.cache.clear()
        self.bcache.clear()
        return touched


def greedy(problem: PlanProblem, budget_usd: float) -> PlanSolution:
    """Greedy plan: most weight per marginal dollar first, within the budget.

    Parameters
    ----------
    problem
        The plan's schools, options, sites, routes and links.
    budget_usd
        Budget, USD (``inf`` to connect everything the capacities allow).

    Returns
    -------
    PlanSolution
        ``solver="greedy"``; ``objective`` is the weight connected, gap and bound NaN.

    Raises
    ------
    InputError
        Negative or NaN budget.
    """
    if not budget_usd >= 0:
        msg = f"budget_usd must be ≥ 0, got {budget_usd!r}"
        raise InputError(msg, field="budget_usd")
    t0 = time.perf_counter()
    p = problem
    g = _Greedy(p, float(budget_usd))
    version = np.zeros(p.n_options, dtype=np.int64)
    heap: list[tuple[float, float, float, int, int]] = []

    def push(o: int) -> None:
        if g.connected[p.option_school[o]] or p.weight[p.option_school[o]] <= 0:
            return
        priced = g.price(o)
        if priced is None or priced[0] > g.remaining * (1 + _TOL) + _TOL:
            return
        version[o] += 1
        heapq.heappush(heap, (*g.key(o, priced[0]), int(version[o])))

    for o in range(p.n_options):
        push(o)
    while heap:
        neg, negw, cost, o, ver = heapq.heappop(heap)
        if ver != version[o] or g.connected[p.option_school[o]]:
            continue
        priced = g.price(o)
        if priced is None or priced[0] > g.remaining * (1 + _TOL) + _TOL:
            continue
        new_key = g.key(o, priced[0])
        if new_key[:3] > (neg, negw, cost):
            # worse than when pushed (capacity used elsewhere): back in the queue
            version[o] += 1
            heapq.heappush(heap, (*new_key, int(version[o])))
            continue
        touched = g.take(o, priced[0], priced[1])
        for s in sorted(touched):
            for q in g.site_options[s]:
                push(q)
    routes = np.zeros(p.n_routes, dtype=bool)
    routes[g.route_of[g.built]] = True
    sol = solution_from_choice(
        p, g.chosen, routes, status="heuristic", solver="greedy",
        solve_time_s=time.perf_counter() - t0,
    )  # fmt: skip
    return dataclasses.replace(sol, objective=sol.weight_connected)
