"""Horizon masks for many sites on the Lima Andes DEM, against a per-site NumPy loop.

Quick mode (default, part of the test suite): 200 sites × 72 azimuths through the
Numba kernel, 4 sites through the reference loop. Full mode (``ALCANCE_BENCH_FULL=1``):
10,000 sites × 360 azimuths, 12 loop sites. Radius 30 km, spacing = pixel size. Run
with ``pytest -s benchmarks/bench_horizon.py`` to see the figures.

The reference is the same maths written per site in NumPy (vectorised over the
azimuths of one site, a Python loop over the steps along the rays): midpoint steps of
the geodesic equations between nodes 500 m apart, linear interpolation between the
nodes, bilinear heights with the kernel's snapping and edge rules,
and ``atan((z − h − d² / 2kR) / d)``. Its rate (sites/s) is measured on a few sites and
compared with the kernel's rate in the same process.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from alcance.io.terrain import open_dem
from alcance.terrain import EARTH_RADIUS_M, STANDARD_K_FACTOR, TerrainGrid, default_spacing_m
from alcance.terrain.horizon import NODE_SPACING_M, horizon_mask_deg

FULL = os.environ.get("ALCANCE_BENCH_FULL", "") == "1"
N_SITES = 10_000 if FULL else 200
N_AZIMUTHS = 360 if FULL else 72
N_LOOP = 12 if FULL else 4
RADIUS_M = 30_000.0
ANTENNA_M = 3.0
MARGIN_DEG = 0.3  # > 30 km in longitude and latitude at 11–13° S: rays stay on the DEM
SNAP_PIXELS = 1e-6  # same snapping rule as the kernel (alcance.terrain._interp)
DEM = "peru-lima-andes/dem_srtm3_lima_andes.tif"
A_M = 6_378_137.0
F = 1.0 / 298.257223563
E2 = F * (2.0 - F)

Floats = NDArray[np.float64]


def land_sites(grid: TerrainGrid, n: int, *, seed: int = 2026) -> tuple[Floats, Floats]:
    """Seeded random sites on land (elevation > 0 m), MARGIN_DEG inside the DEM."""
    rng = np.random.default_rng(seed)
    west, south, east, north = grid.bounds
    lon = rng.uniform(west + MARGIN_DEG, east - MARGIN_DEG, 4 * n)
    lat = rng.uniform(south + MARGIN_DEG, north - MARGIN_DEG, 4 * n)
    col = ((lon - grid.x0) / grid.dx).astype(np.int64)
    row = ((lat - grid.y0) / grid.dy).astype(np.int64)
    keep = np.flatnonzero(grid.elevation_m[row, col] > 0.0)[:n]
    assert keep.size == n
    return lon[keep], lat[keep]


def _axis(position: Floats, size: int) -> tuple[NDArray[np.int64], NDArray[np.int64], Floats]:
    nearest = np.floor(position + 0.5)
    position = np.where(np.abs(position - nearest) <= SNAP_PIXELS, nearest, position)
    position = np.clip(position, 0.0, size - 1.0)
    low = np.minimum(np.floor(position), size - 1).astype(np.int64)
    high = np.minimum(low + 1, size - 1)
    return low, high, position - low


def _bilinear(grid: TerrainGrid, x: Floats, y: Floats) -> Floats:
    z = grid.elevation_m
    rows, cols = z.shape
    col = (x - grid.x0) / grid.dx - 0.5
    row = (y - grid.y0) / grid.dy - 0.5
    tol = 1e-9
    inside = (col >= -0.5 - tol) & (col <= cols - 0.5 + tol)
    inside &= (row >= -0.5 - tol) & (row <= rows - 0.5 + tol)
    c0, c1, fx = _axis(col, cols)
    r0, r1, fy = _axis(row, rows)
    value = np.zeros_like(x)
    for r, c, w in (
        (r0, c0, (1.0 - fx) * (1.0 - fy)),
        (r0, c1, fx * (1.0 - fy)),
        (r1, c0, (1.0 - fx) * fy),
        (r1, c1, fx * fy),
    ):
        value += np.where(w > 0.0, w * z[r, c], 0.0)
    return np.where(inside, value, np.nan)


def _radii(lat: Floats) -> tuple[Floats, Floats]:
    s = np.sin(lat)
    w = 1.0 - E2 * s * s
    n_m = A_M / np.sqrt(w)
    return n_m * (1.0 - E2) / w, n_m


def loop_mask(grid: TerrainGrid, lon_deg: float, lat_deg: float, spacing_m: float) -> Floats:
    """One site's horizon mask in plain NumPy (vectorised over the azimuths only)."""
    n_steps = max(1, math.ceil(RADIUS_M / spacing_m - 1e-9))
    step = RADIUS_M / n_steps
    inv_2ae = 1.0 / (2.0 * STANDARD_K_FACTOR * EARTH_RADIUS_M)
    eye = _bilinear(grid, np.array([lon_deg]), np.array([lat_deg]))[0] + ANTENNA_M
    az = np.radians(np.arange(N_AZIMUTHS) * (360.0 / N_AZIMUTHS))
    lat = np.full(N_AZIMUTHS, math.radians(lat_deg))
    lon = np.full(N_AZIMUTHS, math.radians(lon_deg))
    lat_a = np.full(N_AZIMUTHS, lat_deg)
    lon_a = np.full(N_AZIMUTHS, lon_deg)
    node = max(1, math.floor(NODE_SPACING_M / step))
    best = np.full(N_AZIMUTHS, -np.inf)
    k = 0
    while k < n_steps:
        m = min(node, n_steps - k)
        h = m * step
        # One midpoint step of the geodesic equations to the next node.
        m_m, n_m = _radii(lat)
        lat_mid = lat + 0.5 * h * np.cos(az) / m_m
        az_mid = az + 0.5 * h * np.sin(az) * np.tan(lat) / n_m
        m_m, n_m = _radii(lat_mid)
        sin_az = np.sin(az_mid)
        lat, lon, az = (
            lat + h * np.cos(az_mid) / m_m,
            lon + h * sin_az / (n_m * np.cos(lat_mid)),
            az + h * sin_az * np.tan(lat_mid) / n_m,
        )
        lat_b, lon_b = np.degrees(lat), np.degrees(lon)
        for q in range(1, m + 1):
            f = q / m
            value = _bilinear(grid, lon_a + f * (lon_b - lon_a), lat_a + f * (lat_b - lat_a))
            k += 1
            d = k * step
            best = np.fmax(best, (value - eye - d * d * inv_2ae) / d)
        lat_a, lon_a = lat_b, lon_b
    return np.asarray(np.degrees(np.arctan(best)), dtype=np.float64)


def test_horizon_kernel_against_numpy_loop(shared_data: Path) -> None:
    path = shared_data / DEM
    with open_dem(path) as dem:
        grid = dem.read_all()
    lon, lat = land_sites(grid, N_SITES)
    spacing_m = default_spacing_m(grid)

    # Warm-up (loads the Numba cache or compiles), then time the kernel.
    horizon_mask_deg(grid, lon_deg=lon[:4], lat_deg=lat[:4], antenna_height_m=ANTENNA_M,
                     n_azimuths=N_AZIMUTHS, max_distance_m=RADIUS_M)  # fmt: skip
    start = time.perf_counter()
    mask = horizon_mask_deg(grid, lon_deg=lon, lat_deg=lat, antenna_height_m=ANTENNA_M,
                            n_azimuths=N_AZIMUTHS, max_distance_m=RADIUS_M)  # fmt: skip
    kernel_s = time.perf_counter() - start
    kernel_rate = N_SITES / kernel_s
    assert (mask.outside_points == 0).all()
    assert np.isfinite(mask.elevation_deg).all()

    start = time.perf_counter()
    reference = [loop_mask(grid, lon[i], lat[i], spacing_m) for i in range(N_LOOP)]
    loop_s = time.perf_counter() - start
    loop_rate = N_LOOP / loop_s
    ratio = kernel_rate / loop_rate
    for i, expected in enumerate(reference):
        np.testing.assert_allclose(mask.elevation_deg[i], expected, atol=1e-9, rtol=0)

    n_steps = math.ceil(RADIUS_M / spacing_m - 1e-9)
    points = N_SITES * N_AZIMUTHS * n_steps
    print(
        f"\n[bench_horizon] {'FULL' if FULL else 'quick'}: {N_SITES:,} sites × {N_AZIMUTHS} "
        f"azimuths, {RADIUS_M / 1000:.0f} km ({n_steps} steps of {RADIUS_M / n_steps:.1f} m, "
        f"{points / 1e6:,.0f} M ray points) on {path.name}\n"
        f"  kernel : {kernel_s:.3f} s = {kernel_rate:,.0f} sites/s "
        f"({points / kernel_s / 1e6:.1f} M points/s, {os.cpu_count()} CPUs visible)\n"
        f"  loop   : {N_LOOP} sites in {loop_s:.2f} s = {loop_rate:,.2f} sites/s "
        "(NumPy per site)\n"
        f"  ratio  : {ratio:,.0f}x; max |kernel − loop| on compared sites "
        f"{max(np.max(np.abs(mask.elevation_deg[i] - r)) for i, r in enumerate(reference)):.1e}°"
    )
    assert ratio > 1.0
