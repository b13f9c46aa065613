"""Fix-and-optimise local search on the plan MILP (a large-neighbourhood search).

Starting from a feasible plan (the incumbent), each round frees the columns of a
neighbourhood — a few clusters of candidate sites grown breadth-first over "shares a
school" adjacency, every option of the schools they can serve, their routes and those
routes' links — fixes every other binary at its incumbent value and re-solves the full
model with HiGHS for a short time. Fixed columns are removed by HiGHS presolve, so each
sub-MIP is small; the budget row keeps the whole plan's cost, so money moves between the
freed region and what the incumbent leaves unspent. Every sub-MIP solution is a feasible
plan of the full model (only bounds changed), so the search never loses feasibility and
the incumbent only improves. The proven gap of the final HiGHS solve stays HiGHS's own
(its dual bound does not depend on the incumbent's origin).

References
----------
Danna, E., Rothberg, E. and Le Pape, C. (2005), "Exploring relaxation induced
neighborhoods to improve MIP solutions", Math. Prog. 102, 71–90 (sub-MIPs over fixed
neighbourhoods). Shaw, P. (1998), "Using constraint programming and local search
methods to solve vehicle routing problems", CP-98, LNCS 1520, 417–431 (large
neighbourhood search: relax a related set of variables, re-optimise).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from alcance.plan.problem import PlanProblem

__all__ = ["Neighbourhoods", "fix_and_optimise"]


@dataclass(frozen=True)
class Neighbourhoods:
    """Index structures to free a cluster of sites and what hangs off them.

    ``y0``, ``z0``, ``w0``, ``n_int`` are the column offsets of site, route and link
    binaries and the number of integer columns (the continuous flows follow them).
    """

    adjacency: sp.csr_array  # site × site, shares a school or is a relay of a route
    site_schools: sp.csr_array  # site × school
    school_options: sp.csr_array  # school × option
    site_routes: sp.csr_array  # site × route
    route_links: sp.csr_array  # route × link
    y0: int
    z0: int
    w0: int
    n_int: int

    @classmethod
    def of(cls, p: PlanProblem, y0: int, z0: int, w0: int, n_int: int) -> Neighbourhoods:
        ws = np.flatnonzero(p.option_site >= 0)
        ss = sp.csr_array(
            (np.ones(ws.size), (p.option_site[ws], p.option_school[ws])),
            shape=(p.n_sites, p.n_schools),
        )
        rel = p.route_relays.tocoo()
        relay = sp.csr_array(
            (np.ones(rel.nnz), (p.route_site[rel.row], rel.col)), shape=(p.n_sites, p.n_sites)
        )
        adj = sp.csr_array((ss @ ss.T) + relay + relay.T)
        so = sp.csr_array(
            (np.ones(p.n_options), (p.option_school, np.arange(p.n_options))),
            shape=(p.n_schools, p.n_options),
        )
        sr = sp.csr_array(
            (np.ones(p.n_routes), (p.route_site, np.arange(p.n_routes))),
            shape=(p.n_sites, p.n_routes),
        )
        return cls(adj, ss, so, sr, sp.csr_array(p.route_links), y0, z0, w0, n_int)

    def cluster(self, seed: int, size: int) -> set[int]:
        """Up to ``size`` sites breadth-first from ``seed`` over the adjacency."""
        adj = self.adjacency
        got = {seed}
        frontier = [seed]
        while frontier and len(got) < size:
            nxt: list[int] = []
            for j in frontier:
                for k in adj.indices[adj.indptr[j] : adj.indptr[j + 1]]:
                    k = int(k)
                    if k not in got:
                        got.add(k)
                        nxt.append(k)
                        if len(got) >= size:
                            return got
            frontier = nxt
        return got

    def free_mask(self, sites: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Integer columns freed with ``sites``: their options' schools' options, the
        sites, their routes and those routes' links."""
        free = np.zeros(self.n_int, dtype=bool)
        schools = np.unique(self.site_schools[sites].tocoo().col)
        free[np.unique(self.school_options[schools].tocoo().col)] = True
        routes = np.unique(self.site_routes[sites].tocoo().col)
        free[self.y0 + sites] = True
        free[self.z0 + routes] = True
        if routes.size:
            free[self.w0 + np.unique(self.route_links[routes].tocoo().col)] = True
        return free


def fix_and_optimise(
    h: highspy.Highs,
    hood: Neighbourhoods,
    obj: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    sense: int,
    incumbent: NDArray[np.float64],
    *,
    time_s: float,
    rng: np.random.Generator,
    sites_per_cluster: int = 30,
    clusters: int = 2,
    sub_time_s: float = 3.0,
) -> tuple[NDArray[np.float64], int]:
    """Improve ``incumbent`` (all columns) by sub-MIPs over site neighbourhoods.

    ``h`` holds the full model (its options set); its integer column bounds are
    changed per round and restored at the end. Returns the best columns found and the
    number of rounds. ``sense`` is −1 to maximise ``obj``, +1 to minimise.
    """
    t0 = time.perf_counter()
    n = obj.size
    n_int = hood.n_int
    n_sites = hood.adjacency.shape[0]
    idx = np.arange(n_int, dtype=np.int32)
    all_cols = np.arange(n, dtype=np.int32)
    best = incumbent.copy()
    best[:n_int] = np.round(best[:n_int])
    best_val = float(obj @ best)
    rounds = 0
    while n_sites:
        left = time_s - (time.perf_counter() - t0)
        if left < 0.25 * sub_time_s:
            break
        rounds += 1
        seeds = rng.choice(n_sites, min(clusters, n_sites), replace=False)
        sites: set[int] = set()
        for s in seeds:
            sites |= hood.cluster(int(s), sites_per_cluster)
        free = hood.free_mask(np.fromiter(sorted(sites), dtype=np.int64))
        fixed = best[:n_int]
        h.changeColsBounds(
            n_int,
            idx,
            np.where(free, lower[:n_int], fixed),
            np.where(free, upper[:n_int], fixed),
        )
        h.setOptionValue("time_limit", float(min(sub_time_s, left)))
        h.setSolution(n, all_cols, best)
        h.run()
        if int(h.getInfo().primal_solution_status) == 2:  # kSolutionStatusFeasible
            col = np.asarray(h.getSolution().col_value, dtype=np.float64).copy()
            col[:n_int] = np.round(col[:n_int])
            val = float(obj @ col)
            if sense * val < sense * best_val - 1e-9 * max(1.0, abs(best_val)):
                best, best_val = col, val
        h.clearSolver()
    h.changeColsBounds(n_int, idx, lower[:n_int].copy(), upper[:n_int].copy())
    return best, rounds
