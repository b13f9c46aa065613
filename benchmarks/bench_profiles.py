"""Profile extraction for tower–school pairs on the Lima Andes DEM, against a per-path loop.

Quick mode (default, part of the test suite): 5,000 pairs through the batched kernel,
80 pairs through the reference loop. Full mode (``ALCANCE_BENCH_FULL=1``): 100,000
pairs and 300 loop paths. Run with ``pytest -s benchmarks/bench_profiles.py`` to see
the figures.

The reference is what one would write without Alcance: for each path, pyproj for the
geodesic points and rasterio's ``DatasetReader.sample`` for the four pixel centres
around each point, then bilinear weights in NumPy. Its rate (paths/s) is measured on a
few hundred paths and compared with the kernel's rate in the same process.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
import pyproj
import rasterio
from numpy.typing import NDArray

from alcance.io.terrain import open_dem
from alcance.terrain import default_spacing_m, sample_profiles

FULL = os.environ.get("ALCANCE_BENCH_FULL", "") == "1"
N_PAIRS = 100_000 if FULL else 5_000
N_LOOP = 300 if FULL else 80
MIN_M, MAX_M = 1_000.0, 35_000.0
SNAP_PIXELS = 1e-6  # same snapping rule as the kernel (alcance.terrain._interp)
GEOD = pyproj.Geod(ellps="WGS84")
DEM = "peru-lima-andes/dem_srtm3_lima_andes.tif"

Pairs = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


def tower_school_pairs(dem_path: Path, n: int, *, seed: int = 2024) -> Pairs:
    """Seeded random towers on land, schools 1–35 km away on land, all on the DEM."""
    rng = np.random.default_rng(seed)
    lon1: list[NDArray[np.float64]] = []
    lat1: list[NDArray[np.float64]] = []
    lon2: list[NDArray[np.float64]] = []
    lat2: list[NDArray[np.float64]] = []
    found = 0
    with open_dem(dem_path, fill_voids=False) as dem:
        west, south, east, north = dem.bounds
        while found < n:
            batch = 4 * (n - found) + 100
            t_lon = rng.uniform(west + 0.35, east - 0.35, batch)
            t_lat = rng.uniform(south + 0.35, north - 0.35, batch)
            s_lon, s_lat, _ = GEOD.fwd(
                t_lon, t_lat, rng.uniform(-180.0, 180.0, batch), rng.uniform(MIN_M, MAX_M, batch)
            )
            s_lon, s_lat = np.asarray(s_lon), np.asarray(s_lat)
            land = (dem.sample(t_lon, t_lat) > 0.0) & (dem.sample(s_lon, s_lat) > 0.0)
            land &= dem.covers(s_lon, s_lat)
            keep = np.flatnonzero(land)[: n - found]
            lon1.append(t_lon[keep])
            lat1.append(t_lat[keep])
            lon2.append(s_lon[keep])
            lat2.append(s_lat[keep])
            found += keep.size
    return np.concatenate(lon1), np.concatenate(lat1), np.concatenate(lon2), np.concatenate(lat2)


def _axis(
    position: NDArray[np.float64], size: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    nearest = np.floor(position + 0.5)
    position = np.where(np.abs(position - nearest) <= SNAP_PIXELS, nearest, position)
    position = np.clip(position, 0.0, size - 1.0)
    low = np.minimum(np.floor(position), size - 1).astype(np.int64)
    fraction = position - low
    high = np.minimum(low + 1, size - 1)
    return low, high, fraction


def loop_profiles(
    dataset: rasterio.io.DatasetReader, pairs: Pairs, spacing_m: float
) -> list[NDArray[np.float64]]:
    """The reference: one path at a time, pyproj points, rasterio ``sample`` values."""
    transform = dataset.transform
    nodata = dataset.nodata
    out: list[NDArray[np.float64]] = []
    for lon1, lat1, lon2, lat2 in zip(*pairs, strict=True):
        azimuth, _, distance = GEOD.inv(lon1, lat1, lon2, lat2)
        n = max(1, math.ceil(distance / spacing_m - 1e-9))
        along = np.arange(n + 1) * (distance / n)
        lon, lat, _ = GEOD.fwd(
            np.full(n + 1, lon1), np.full(n + 1, lat1), np.full(n + 1, azimuth), along
        )
        lon, lat = np.asarray(lon), np.asarray(lat)
        lon[0], lat[0], lon[-1], lat[-1] = lon1, lat1, lon2, lat2
        c0, c1, fx = _axis((lon - transform.c) / transform.a - 0.5, dataset.width)
        r0, r1, fy = _axis((lat - transform.f) / transform.e - 0.5, dataset.height)
        corners = np.concatenate([np.stack([r, c], axis=1) for r in (r0, r1) for c in (c0, c1)])
        unique, inverse = np.unique(corners, axis=0, return_inverse=True)
        xs = transform.c + (unique[:, 1] + 0.5) * transform.a
        ys = transform.f + (unique[:, 0] + 0.5) * transform.e
        values = np.array(
            [v[0] for v in dataset.sample(zip(xs, ys, strict=True))], dtype=np.float64
        )
        values[values == nodata] = np.nan
        z = values[inverse.ravel()].reshape(4, n + 1)
        weights = np.stack([(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy])
        z = np.where(
            weights > 0.0, z, 0.0
        )  # zero-weight corners never contribute (as in the kernel)
        out.append((weights * z).sum(axis=0))
    return out


def test_profile_kernel_against_rasterio_loop(shared_data: Path) -> None:
    path = shared_data / DEM
    pairs = tower_school_pairs(path, N_PAIRS)
    with open_dem(path) as dem:
        filled = dem.read_all()
    with open_dem(path, fill_voids=False) as dem:
        raw = dem.read_all()
    spacing_m = default_spacing_m(filled)

    # Warm-up (loads the Numba cache or compiles), then time the kernel.
    sample_profiles(filled, lon1_deg=pairs[0][:10], lat1_deg=pairs[1][:10],
                    lon2_deg=pairs[2][:10], lat2_deg=pairs[3][:10])  # fmt: skip
    start = time.perf_counter()
    profiles = sample_profiles(filled, lon1_deg=pairs[0], lat1_deg=pairs[1],
                               lon2_deg=pairs[2], lat2_deg=pairs[3])  # fmt: skip
    kernel_s = time.perf_counter() - start
    kernel_rate = N_PAIRS / kernel_s
    assert not profiles.outside.any()
    assert not np.isnan(profiles.elevation_m[np.arange(N_PAIRS), profiles.n_points - 1]).any()

    subset = tuple(p[:N_LOOP] for p in pairs)
    with rasterio.open(path) as dataset:
        start = time.perf_counter()
        reference = loop_profiles(dataset, subset, spacing_m)  # type: ignore[arg-type]
        loop_s = time.perf_counter() - start
    loop_rate = N_LOOP / loop_s
    ratio = kernel_rate / loop_rate

    # Same values as the loop (compared on the unfilled grid, voids NaN on both sides),
    # up to the profile-node interpolation: points <= 0.2 m off the geodesic, so on
    # slopes up to 1:1 heights within 0.25 m (the loop solves every point exactly).
    compared = sample_profiles(raw, lon1_deg=subset[0], lat1_deg=subset[1],
                               lon2_deg=subset[2], lat2_deg=subset[3])  # fmt: skip
    for i, expected in enumerate(reference):
        assert compared.n_points[i] == expected.size
        np.testing.assert_allclose(
            compared.elevation_of(i), expected, atol=0.25, rtol=0, equal_nan=True
        )
    points = int(profiles.n_points.sum())
    print(
        f"\n[bench_profiles] {'FULL' if FULL else 'quick'}: {N_PAIRS:,} tower–school pairs "
        f"(1–35 km, spacing {spacing_m:.1f} m, {points:,} points) on {path.name}\n"
        f"  kernel : {kernel_s:.3f} s  = {kernel_rate:,.0f} paths/s "
        f"({points / kernel_s / 1e6:.1f} M points/s)\n"
        f"  loop   : {N_LOOP} paths in {loop_s:.2f} s = {loop_rate:,.1f} paths/s "
        "(pyproj + rasterio sample)\n"
        f"  ratio  : {ratio:,.0f}x (target >= 50x)"
    )
    assert ratio > (50.0 if FULL else 1.0)


def test_pairs_are_on_land_and_within_range(shared_data: Path) -> None:
    pairs = tower_school_pairs(shared_data / DEM, 200, seed=5)
    _, _, distance = GEOD.inv(*pairs)
    assert ((distance >= MIN_M - 1e-6) & (distance <= MAX_M + 1e-6)).all()
    with rasterio.open(shared_data / DEM) as dataset:
        ends = list(zip(pairs[0], pairs[1], strict=True)) + list(
            zip(pairs[2], pairs[3], strict=True)
        )
        elevation = np.array([v[0] for v in dataset.sample(ends)])
    assert (elevation > 0).all()
