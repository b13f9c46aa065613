"""The plan MILP (HiGHS) on real school locations, against the greedy baseline.

Schools: the MINEDUC 2024 directory of the Santiago–Andes and Petorca extents
(``shared/data/chile-santiago-andes/schools_mineduc_2024.csv`` and
``shared/data/chile-petorca/schools_mineduc_2024_dem_extent.csv``: 2,788 schools, lon/lat
and enrolment). 2,000 schools are a seeded sample of them; 10,000 schools replicate the
real set with seeded Gaussian jitter (σ = 3 km) around each real school. Weight =
enrolment (students).

Synthetic network (benchmark assumptions, seeded):

* candidate sites at seeded positions near schools (a random school + N(0, 2 km));
  a school is served by every candidate within 6 km (at most the 4 nearest) — a
  *distance rule* for the solver benchmark; the real pipeline decides coverage with ITM;
  each site is one capacity resource (3 sectors × 150 Mbit/s);
* 30 % of schools have an existing-coverage option (one of n/25 existing cells of
  150 Mbit/s);
* every school has a GEO satellite option in a 0.5° beam of 400 Mbit/s;
* backhaul: fibre nodes (one per 25 sites) at seeded schools; each site has up to three
  routes: a direct microwave hop to the nearest fibre node (a shared link, paid once,
  600 Mbit/s), a two-hop chain through a neighbouring site (relay: that site must be
  built; links = the hop to it + its own direct hop), and a leased line (route cost
  only);
* demand 10 Mbit/s + 0.05 Mbit/s per student; NPV costs: site 120–200 kUSD, CPE 1 kUSD,
  existing plan 6 kUSD, satellite 25 kUSD, microwave hop 20 kUSD + 1 kUSD/km, leased
  line 60 kUSD + 3 kUSD/km.

The budget is where greedy connects about half the students (bisection on the greedy),
the hard regime. The MILP runs with ``mip_rel_gap`` 1 % (the target), 2 threads,
warm-started from the greedy plan, which its default fix-and-optimise local search
(20 % of the time limit, :mod:`alcance.plan._improve`) improves first.

* Quick mode (default, part of the test run): 2,000 schools × 200 sites, 20 s limit.
* Full mode (``ALCANCE_BENCH_FULL=1``): also 10,000 × 1,000, 105 s limit (HiGHS overruns
  it by up to ~15 s).

Target: 10,000 × 1,000 within 1 % of optimal in ≤ 2 minutes on 2 cores.
Run with ``pytest -s benchmarks/bench_plan.py`` to see the figures.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from alcance.plan import PlanProblem, check_feasible, greedy, solve_milp

FULL = os.environ.get("ALCANCE_BENCH_FULL", "") == "1"
# 10,000 × 1,000 gets 105 s: HiGHS overruns its time limit by up to ~15 s in sub-MIPs
SIZES = [(2_000, 200, 20.0)] + ([(10_000, 1_000, 105.0)] if FULL else [])
SCHOOL_FILES = [
    "chile-santiago-andes/schools_mineduc_2024.csv",
    "chile-petorca/schools_mineduc_2024_dem_extent.csv",
]
KM_PER_DEG = 111.195
SERVE_RADIUS_KM = 6.0
MAX_SITES_PER_SCHOOL = 4
TARGET_GAP = 0.01
TARGET_TIME_S = 120.0
# asserted: the target itself (met since the fix-and-optimise local search improves the
# greedy start before HiGHS: the dual bound stalls near 1,951,600 students, so the gap is
# closed from the primal side)
ASSERT_GAP = TARGET_GAP

pytestmark = pytest.mark.shared


def real_schools(shared_data: Path) -> pd.DataFrame:
    """lon, lat, students of the real schools (duplicates across extents dropped)."""
    frames = [
        pd.read_csv(shared_data / f, usecols=["school_id", "lon", "lat", "students"])
        for f in SCHOOL_FILES
    ]
    df = pd.concat(frames).drop_duplicates("school_id").reset_index(drop=True)
    df["students"] = df["students"].fillna(0).clip(lower=0)
    return df


def schools_for(df: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` schools: a sample of the real ones, or the real set replicated with jitter."""
    if n <= len(df):
        return pd.DataFrame(df.take(np.sort(rng.choice(len(df), n, replace=False)))).reset_index(
            drop=True
        )
    idx = np.r_[np.arange(len(df)), rng.choice(len(df), n - len(df))]
    out = pd.DataFrame(df.take(idx)).reset_index(drop=True)
    jit = np.arange(n) >= len(df)
    lat0 = np.deg2rad(out["lat"].mean())
    out.loc[jit, "lat"] += rng.normal(0, 3.0, jit.sum()) / KM_PER_DEG
    out.loc[jit, "lon"] += rng.normal(0, 3.0, jit.sum()) / (KM_PER_DEG * np.cos(lat0))
    out["school_id"] = [f"{s}#{k}" for k, s in enumerate(out["school_id"])]
    return out


def _km(lon: NDArray[np.float64], lat: NDArray[np.float64], lat0: float) -> NDArray[np.float64]:
    out: NDArray[np.float64] = np.c_[lon * KM_PER_DEG * np.cos(np.deg2rad(lat0)), lat * KM_PER_DEG]
    return out


def build_problem(schools: pd.DataFrame, n_sites: int, seed: int) -> PlanProblem:
    """The synthetic network of the module docstring around real school positions."""
    rng = np.random.default_rng(seed)
    n = len(schools)
    lat0 = float(schools["lat"].mean())
    xy = _km(schools["lon"].to_numpy(), schools["lat"].to_numpy(), lat0)
    students = schools["students"].to_numpy(dtype=np.float64)
    demand = 10.0 + 0.05 * students
    site_xy = xy[rng.choice(n, n_sites)] + rng.normal(0, 2.0, (n_sites, 2))
    o_school: list[NDArray[np.int64]] = []
    o_kind: list[NDArray[np.str_]] = []
    o_cost: list[NDArray[np.float64]] = []
    o_site: list[NDArray[np.int64]] = []
    o_res: list[NDArray[np.int64]] = []
    # new sites within the radius (resource = the site's cell)
    dist, near = cKDTree(site_xy).query(
        xy, k=MAX_SITES_PER_SCHOOL, distance_upper_bound=SERVE_RADIUS_KM
    )
    ok = np.isfinite(dist)
    sch = np.nonzero(ok)[0]
    o_school.append(sch)
    o_kind.append(np.full(sch.size, "new_site"))
    o_cost.append(np.full(sch.size, 1_000.0))
    o_site.append(near[ok])
    o_res.append(near[ok])
    n_cells = max(1, n // 25)
    # existing coverage for 30 %
    ex = np.flatnonzero(rng.random(n) < 0.3)
    o_school.append(ex)
    o_kind.append(np.full(ex.size, "existing"))
    o_cost.append(np.full(ex.size, 6_000.0))
    o_site.append(np.full(ex.size, -1))
    o_res.append(n_sites + rng.integers(0, n_cells, ex.size))
    # satellite for all, 0.5° beams
    beam_key = np.floor(schools["lon"].to_numpy() / 0.5) * 1000 + np.floor(
        schools["lat"].to_numpy() / 0.5
    )
    _, beam = np.unique(beam_key, return_inverse=True)
    n_beams = int(beam.max()) + 1
    o_school.append(np.arange(n))
    o_kind.append(np.full(n, "satellite"))
    o_cost.append(np.full(n, 25_000.0))
    o_site.append(np.full(n, -1))
    o_res.append(n_sites + n_cells + beam)
    option_school = np.concatenate(o_school).astype(np.int64)
    option_res = np.concatenate(o_res)
    no = option_school.size
    n_res = n_sites + n_cells + n_beams
    option_demand = demand[option_school]
    resource = sp.csr_array((option_demand, (np.arange(no), option_res)), shape=(no, n_res))
    capacity = np.r_[np.full(n_sites, 450.0), np.full(n_cells, 150.0), np.full(n_beams, 400.0)]
    # backhaul
    n_fibre = max(1, n_sites // 25)
    fibre_xy = xy[rng.choice(n, n_fibre, replace=False)]
    fd, fnode = cKDTree(fibre_xy).query(site_xy)
    direct_cost = 20_000.0 + 1_000.0 * fd  # link j = site j's hop to its fibre node
    hops_d, hops_k = cKDTree(site_xy).query(site_xy, k=2)
    r_site: list[int] = []
    r_cost: list[float] = []
    rl_r: list[int] = []
    rl_l: list[int] = []
    rr_r: list[int] = []
    rr_k: list[int] = []
    link_cost = list(direct_cost)
    link_cap = [600.0] * n_sites
    for j in range(n_sites):
        if fd[j] <= 50.0:  # direct microwave hop
            rl_r.append(len(r_site))
            rl_l.append(j)
            r_site.append(j)
            r_cost.append(0.0)
        k = int(hops_k[j, 1])
        if fd[k] < fd[j] and hops_d[j, 1] <= 30.0 and rng.random() < 0.7:  # chain via k
            r = len(r_site)
            hop = len(link_cost)
            link_cost.append(20_000.0 + 1_000.0 * hops_d[j, 1])
            link_cap.append(600.0)
            rl_r += [r, r]
            rl_l += [hop, k]
            rr_r.append(r)
            rr_k.append(k)
            r_site.append(j)
            r_cost.append(0.0)
        if rng.random() < 0.5:  # leased line
            r_site.append(j)
            r_cost.append(60_000.0 + 3_000.0 * fd[j])
    nr = len(r_site)
    nl = len(link_cost)
    _ = fnode
    return PlanProblem(
        school_id=schools["school_id"].to_numpy(dtype=str),
        weight=students,
        option_school=option_school,
        option_kind=np.concatenate(o_kind),
        option_cost=np.concatenate(o_cost),
        option_site=np.concatenate(o_site).astype(np.int64),
        option_demand_mbps=option_demand,
        option_resource=resource,
        resource_capacity_mbps=capacity,
        resource_name=np.array([f"R{c}" for c in range(n_res)]),
        site_id=np.array([f"T{j}" for j in range(n_sites)]),
        site_cost=rng.uniform(120_000.0, 200_000.0, n_sites),
        route_site=np.array(r_site, dtype=np.int64),
        route_cost=np.array(r_cost),
        route_links=sp.csr_array((np.ones(len(rl_r)), (rl_r, rl_l)), shape=(nr, nl)),
        route_relays=sp.csr_array((np.ones(len(rr_r)), (rr_r, rr_k)), shape=(nr, n_sites)),
        link_id=np.array([f"L{k}" for k in range(nl)]),
        link_cost=np.array(link_cost),
        link_capacity_mbps=np.array(link_cap),
    )


def half_students_budget(problem: PlanProblem, steps: int = 8) -> float:
    """Budget at which greedy connects about half the students (bisection)."""
    half = 0.5 * float(problem.weight.sum())
    lo, hi = 0.0, greedy(problem, np.inf).total_cost_usd
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if greedy(problem, mid).weight_connected < half:
            lo = mid
        else:
            hi = mid
    return hi


@pytest.mark.parametrize(("n_schools", "n_sites", "time_limit_s"), SIZES)
def test_plan_milp_against_greedy(
    shared_data: Path, n_schools: int, n_sites: int, time_limit_s: float
) -> None:
    rng = np.random.default_rng(2024)
    schools = schools_for(real_schools(shared_data), n_schools, rng)
    t0 = time.perf_counter()
    problem = build_problem(schools, n_sites, seed=n_schools)
    t_build = time.perf_counter() - t0
    budget = half_students_budget(problem)
    t0 = time.perf_counter()
    base = greedy(problem, budget)
    t_greedy = time.perf_counter() - t0
    sol = solve_milp(
        problem, budget_usd=budget, time_limit_s=time_limit_s, mip_rel_gap=TARGET_GAP,
        threads=2, warm_start=base,
    )  # fmt: skip
    total = float(problem.weight.sum())
    # the proven gap in students: (bound − weight) / weight (ε · cost < 0.5 student)
    gap_students = (sol.best_bound + 0.5 - sol.weight_connected) / sol.weight_connected
    print(
        f"\nplan {n_schools:,} schools × {n_sites:,} sites: {problem.n_options:,} options, "
        f"{problem.n_routes:,} routes, {problem.n_links:,} links (built in {t_build:.1f} s)\n"
        f"  budget {budget / 1e6:.2f} MUSD (greedy ≈ half the {total:,.0f} students)\n"
        f"  greedy: {base.weight_connected:,.0f} students ({base.weight_connected / total:.1%}), "
        f"{base.schools_connected:,} schools, {t_greedy:.2f} s\n"
        f"  HiGHS:  {sol.weight_connected:,.0f} students ({sol.weight_connected / total:.1%}), "
        f"{sol.schools_connected:,} schools, {sol.solve_time_s:.1f} s, status {sol.status}, "
        f"gap {sol.mip_gap:.3%} (students {gap_students:.3%}), "
        f"sites {int(sol.site_built.sum())}, cost {sol.total_cost_usd / 1e6:.3f} MUSD\n"
        f"  MILP / greedy = {sol.weight_connected / base.weight_connected:.4f}"
    )
    assert check_feasible(problem, sol, budget) == []
    assert check_feasible(problem, base, budget) == []
    assert sol.weight_connected >= base.weight_connected - 1e-6
    if n_schools >= 10_000:
        assert sol.solve_time_s <= TARGET_TIME_S * 1.1
        assert gap_students <= ASSERT_GAP
