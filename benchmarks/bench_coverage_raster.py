"""Coverage raster of one site on the Lima Andes DEM: incremental rays against per-pixel ITM.

Quick mode (default, part of the test suite): 10 km radius at 90 m and 4 km at 30 m,
300 reference pixels each. Full mode (``ALCANCE_BENCH_FULL=1``): 50 km radius at 90 m
(DEM native, ≈ 0.94 M pixels) and at 30 m (≈ 8.5 M pixels; the DEM window is
resampled bilinearly to 1 arc-second here, in the benchmark, not in the package),
2,000 reference pixels each. Run with ``pytest -s benchmarks/bench_coverage_raster.py``
to see the figures.

Site: lon −76.5, lat −11.8 (Andes west slope), 30 m mast, receivers 6 m, 850 MHz,
continental temperate climate, N₀ 301, vertical polarisation, average ground
(ε 15, σ 0.005 S/m), mdvar 12, 50 % time/location/situation.

The reference is :func:`alcance.coverage.raster.site_loss_at_exact` on a seeded random
sample of the raster's pixels: one geodesic terrain profile per pixel centre
(:func:`alcance.terrain.sample_profiles`) and the batched ITM kernel. Its cost per pixel
times the pixel count gives the brute-force time of the whole raster; its losses give
the error of the fast raster (median, 95th percentile, max of |fast − exact|, dB).
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from alcance.coverage.raster import site_loss_at_exact, site_loss_raster
from alcance.io.terrain import open_dem
from alcance.propagation.itm import itm_p2p_tls_batch
from alcance.terrain import TerrainGrid, sample_profiles

FULL = os.environ.get("ALCANCE_BENCH_FULL", "") == "1"
DEM = "peru-lima-andes/dem_srtm3_lima_andes.tif"
SITE = (-76.5, -11.8)
RADIUS_90_M = 50_000.0 if FULL else 10_000.0
RADIUS_30_M = 50_000.0 if FULL else 4_000.0
N_REFERENCE = 2_000 if FULL else 300
ITM: dict[str, Any] = {
    "h_tx_m": 30.0,
    "h_rx_m": 6.0,
    "freq_mhz": 850.0,
    "climate": 5,
    "n_0_n_units": 301.0,
    "polarization": 1,
    "epsilon_r": 15.0,
    "sigma_s_per_m": 0.005,
    "mdvar": 12,
    "time_pct": 50.0,
    "location_pct": 50.0,
    "situation_pct": 50.0,
}


def _window(grid_path: Path, radius_m: float) -> TerrainGrid:
    """The DEM around the site with a 10 % margin beyond the radius."""
    half_lat = 1.1 * radius_m / 110_600.0
    half_lon = half_lat / math.cos(math.radians(SITE[1]))
    with open_dem(grid_path) as dem:
        return dem.read(
            SITE[0] - half_lon, SITE[1] - half_lat, SITE[0] + half_lon, SITE[1] + half_lat
        )


def _upsample(grid: TerrainGrid, factor: int) -> TerrainGrid:
    """Bilinear resampling to ``factor`` times finer pixels (same outer edges)."""
    rows, cols = grid.shape
    r = (np.arange(rows * factor) + 0.5) / factor - 0.5
    c = (np.arange(cols * factor) + 0.5) / factor - 0.5
    rr, cc = np.meshgrid(r, c, indexing="ij")
    z = ndimage.map_coordinates(
        grid.elevation_m.astype(np.float64), [rr, cc], order=1, mode="nearest"
    ).astype(np.float32)
    return TerrainGrid(
        elevation_m=z,
        void=np.zeros(z.shape, dtype=np.bool_),
        x0=grid.x0,
        y0=grid.y0,
        dx=grid.dx / factor,
        dy=grid.dy / factor,
        crs_wkt=grid.crs_wkt,
        is_geographic=grid.is_geographic,
        source=f"{grid.source} ×{factor} bilinear",
    )


def _reference(
    grid: TerrainGrid, lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], float, float]:
    """Exact losses, seconds per pixel (profiles + ITM) and of the ITM kernel alone."""
    start = time.perf_counter()
    loss = site_loss_at_exact(grid, lon_deg=SITE[0], lat_deg=SITE[1], rx_lon_deg=lon,
                              rx_lat_deg=lat, **ITM)  # fmt: skip
    total_s = (time.perf_counter() - start) / lon.size
    prof = sample_profiles(grid, lon1_deg=SITE[0], lat1_deg=SITE[1], lon2_deg=lon, lat2_deg=lat)
    itm_s = math.inf
    for _ in range(3):  # best of 3: the batch is small, thread start-up shows
        start = time.perf_counter()
        itm_p2p_tls_batch(
            elevation_m=prof.elevation_m, n_points=prof.n_points, spacing_m=prof.spacing_m, **ITM
        )
        itm_s = min(itm_s, (time.perf_counter() - start) / lon.size)
    return loss, total_s, itm_s


def _run(grid: TerrainGrid, radius_m: float, label: str) -> float:
    # warm-up: loads the Numba cache (or compiles) outside the timing
    site_loss_raster(grid, lon_deg=SITE[0], lat_deg=SITE[1], radius_m=2_000.0, **ITM)
    site_loss_at_exact(grid, lon_deg=SITE[0], lat_deg=SITE[1], rx_lon_deg=[SITE[0] + 0.01],
                       rx_lat_deg=[SITE[1]], **ITM)  # fmt: skip
    start = time.perf_counter()
    fast = site_loss_raster(grid, lon_deg=SITE[0], lat_deg=SITE[1], radius_m=radius_m, **ITM)
    fast_s = time.perf_counter() - start
    ok = np.isfinite(fast.loss_db)
    n_pix = int(ok.sum())
    assert n_pix > 0.8 * math.pi * (radius_m / (fast.dlat_deg * 110_600.0)) ** 2
    rng = np.random.default_rng(12345)
    pick = rng.choice(np.flatnonzero(ok.reshape(-1)), size=min(N_REFERENCE, n_pix), replace=False)
    rows, cols = np.divmod(pick, fast.shape[1])
    lon_c, lat_c = fast.pixel_centres()
    exact, per_pixel_s, itm_only_s = _reference(grid, lon_c[cols], lat_c[rows])
    err = np.abs(fast.loss_db.reshape(-1)[pick].astype(np.float64) - exact)
    assert np.isfinite(err).all()
    brute_s = per_pixel_s * n_pix
    print(
        f"\n[bench_coverage_raster] {'FULL' if FULL else 'quick'} {label}: radius "
        f"{radius_m / 1000:.0f} km, {fast.shape[0]}×{fast.shape[1]} grid, {n_pix:,} pixels "
        f"({os.cpu_count()} CPUs visible)\n"
        f"  fast    : {fast_s:.2f} s = {n_pix / fast_s / 1e6:.2f} M pixels/s\n"
        f"  exact   : {per_pixel_s * 1e6:.1f} µs/pixel (profile + ITM; ITM kernel alone "
        f"{itm_only_s * 1e6:.2f} µs) → {brute_s:.1f} s for the raster "
        f"({itm_only_s * n_pix:.1f} s ITM alone)\n"
        f"  ratio   : {brute_s / fast_s:.1f}× vs exact per pixel, "
        f"{itm_only_s * n_pix / fast_s:.1f}× vs its ITM kernel alone\n"
        f"  |error| : median {np.median(err):.3f} dB, p95 {np.percentile(err, 95):.3f} dB, "
        f"p99 {np.percentile(err, 99):.3f} dB, max {err.max():.2f} dB on {err.size} pixels"
    )
    # honest bounds measured on this DEM (see benchmarks/README.md)
    assert np.median(err) < 0.3
    assert np.percentile(err, 95) < 2.0
    return brute_s / fast_s


def test_coverage_raster_90m(shared_data: Path) -> None:
    grid = _window(shared_data / DEM, RADIUS_90_M)
    assert _run(grid, RADIUS_90_M, "90 m (DEM native)") > 1.0


def test_coverage_raster_30m(shared_data: Path) -> None:
    grid = _upsample(_window(shared_data / DEM, RADIUS_30_M), 3)
    assert _run(grid, RADIUS_30_M, "30 m (DEM resampled to 1″)") > 1.0
