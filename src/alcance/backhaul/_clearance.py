"""Numba kernels: Fresnel-zone clearance of many microwave hops over terrain (private).

One pass per path: the profile points are generated on the fly on the WGS 84 geodesic
(the same Karney nodes and lon/lat interpolation as
:func:`alcance.terrain._karney.path_points_kernel`), sampled bilinearly
(:func:`alcance.terrain._interp.bilinear_one`) into a per-task scratch row, and the
clearance of the straight ray between the antennas is evaluated at every interior point
for every effective earth-radius factor k. The public, validated API is
:func:`alcance.backhaul.microwave.path_clearance`.

Per point at distances ``d1``, ``d2`` (m) from the ends of a path of length ``d``:

* ray height ``y = y_a + (y_b - y_a) d1 / d`` (antenna heights above the geoid);
* obstacle height ``z + d1 d2 / (2 k a)`` (terrain plus earth bulge, ITU-R P.530-18
  §2.2.2.1, P.452-16 eq. (14));
* first Fresnel radius ``F1 = 17.3 sqrt(d1 d2 / (f d))`` with distances in km and f in
  GHz (ITU-R P.530-18 §2.2.1 eq. (2));
* normalised clearance ``(y - z - bulge) / F1``; its minimum over the path, the distance
  of that point and whether the ray itself clears every point (``y > z + bulge``).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from alcance.terrain._fill import fill_geodesic_profile

__all__ = ["CHUNK_PATHS", "clearance_fused_kernel", "clearance_profiles_kernel"]

Vec = npt.NDArray[np.float64]
IVec = npt.NDArray[np.int64]
Mat = npt.NDArray[np.float64]

CHUNK_PATHS = 64
"""Paths per parallel task (one scratch profile row per task)."""


@njit(cache=True, error_model="numpy")
def _clearance_one(
    prof: Vec,
    m: int,
    distance_m: float,
    h_a_m: float,
    h_b_m: float,
    freq_ghz: float,
    k_factor: Mat,
    i: int,
    earth_radius_m: float,
    out_min_f1: Mat,
    out_worst_m: Mat,
    out_min_clear_m: Mat,
    out_los: npt.NDArray[np.bool_],
) -> None:
    """Clearance of one sampled profile ``prof[0..m]`` for every k (row of k_factor)."""
    y_a = prof[0] + h_a_m
    y_b = prof[m] + h_b_m
    d_km = distance_m / 1000.0
    n_k = k_factor.shape[0]
    for j in range(n_k):
        out_min_f1[j, i] = math.inf
        out_worst_m[j, i] = math.nan
        out_min_clear_m[j, i] = math.inf
        out_los[j, i] = True
    if m < 2 or distance_m <= 0.0:
        return
    step = distance_m / m
    for k in range(1, m):
        d1 = k * step
        d2 = distance_m - d1
        ray = y_a + (y_b - y_a) * (d1 / distance_m)
        f1 = 17.3 * math.sqrt((d1 / 1000.0) * (d2 / 1000.0) / (freq_ghz * d_km))
        for j in range(n_k):
            bulge = d1 * d2 / (2.0 * k_factor[j, i] * earth_radius_m)
            clear = ray - (prof[k] + bulge)
            norm = clear / f1
            if norm < out_min_f1[j, i]:
                out_min_f1[j, i] = norm
                out_worst_m[j, i] = d1
                out_min_clear_m[j, i] = clear
            if clear <= 0.0:
                out_los[j, i] = False


@njit(cache=True, error_model="numpy")
def _fill_nan(
    i: int,
    out_min_f1: Mat,
    out_worst_m: Mat,
    out_min_clear_m: Mat,
    out_los: npt.NDArray[np.bool_],
) -> None:
    for j in range(out_min_f1.shape[0]):
        out_min_f1[j, i] = math.nan
        out_worst_m[j, i] = math.nan
        out_min_clear_m[j, i] = math.nan
        out_los[j, i] = False


@njit(cache=True, error_model="numpy")
def _profile_stats(prof: Vec, m: int) -> tuple[float, float]:
    """Mean and population standard deviation of ``prof[0..m]`` (m)."""
    s = 0.0
    for k in range(m + 1):
        s += prof[k]
    mean = s / (m + 1)
    v = 0.0
    for k in range(m + 1):
        v += (prof[k] - mean) ** 2
    return mean, math.sqrt(v / (m + 1))


@njit(parallel=True, cache=True, error_model="numpy")
def clearance_fused_kernel(
    z: npt.NDArray[np.float32],
    void: npt.NDArray[np.bool_],
    x0: float,
    y0: float,
    dx: float,
    dy: float,
    wrap: float,
    lon1: Vec,
    lat1: Vec,
    lon2: Vec,
    lat2: Vec,
    azi1: Vec,
    distance: Vec,
    n_intervals: IVec,
    node_stride: IVec,
    h_a: Vec,
    h_b: Vec,
    freq_ghz: Vec,
    k_factor: Mat,
    earth_radius_m: float,
    out_min_f1: Mat,
    out_worst_m: Mat,
    out_min_clear_m: Mat,
    out_los: npt.NDArray[np.bool_],
    out_ground_a: Vec,
    out_ground_b: Vec,
    out_mean_m: Vec,
    out_std_m: Vec,
    out_incomplete: npt.NDArray[np.bool_],
    out_void: npt.NDArray[np.bool_],
) -> None:
    """Profile generation + clearance per path, in parallel over chunks of paths.

    WGS 84 longitude/latitude grids only (``x = lon``, ``y = lat``). Arrays ``k_factor``
    and ``out_*`` of shape ``(n_k, n_paths)`` hold one row per k value.
    """
    n = lon1.shape[0]
    width = 2
    for i in range(n):
        if n_intervals[i] + 1 > width:
            width = n_intervals[i] + 1
    n_chunks = (n + CHUNK_PATHS - 1) // CHUNK_PATHS
    for c in prange(n_chunks):
        prof = np.empty(width)
        stop = min(n, (c + 1) * CHUNK_PATHS)
        for i in range(c * CHUNK_PATHS, stop):
            m = n_intervals[i]
            outside, touched = fill_geodesic_profile(
                prof, z, void, x0, y0, dx, dy, wrap,
                lon1[i], lat1[i], lon2[i], lat2[i], azi1[i], distance[i], m, node_stride[i],
            )  # fmt: skip
            out_incomplete[i] = outside
            out_void[i] = touched
            out_ground_a[i] = prof[0]
            out_ground_b[i] = prof[m]
            if outside:
                out_mean_m[i] = math.nan
                out_std_m[i] = math.nan
                _fill_nan(i, out_min_f1, out_worst_m, out_min_clear_m, out_los)
                continue
            mean, std = _profile_stats(prof, m)
            out_mean_m[i] = mean
            out_std_m[i] = std
            _clearance_one(
                prof, m, distance[i], h_a[i], h_b[i], freq_ghz[i], k_factor, i,
                earth_radius_m, out_min_f1, out_worst_m, out_min_clear_m, out_los,
            )  # fmt: skip


@njit(parallel=True, cache=True, error_model="numpy")
def clearance_profiles_kernel(
    elevation: Mat,
    n_points: IVec,
    distance: Vec,
    outside: npt.NDArray[np.bool_],
    h_a: Vec,
    h_b: Vec,
    freq_ghz: Vec,
    k_factor: Mat,
    offset: int,
    earth_radius_m: float,
    out_min_f1: Mat,
    out_worst_m: Mat,
    out_min_clear_m: Mat,
    out_los: npt.NDArray[np.bool_],
    out_mean_m: Vec,
    out_std_m: Vec,
) -> None:
    """Clearance of already sampled profiles (rows of ``elevation``), for grids in any CRS.

    Row ``r`` is path ``offset + r`` of the ``out_*``/per-path arrays.
    """
    for r in prange(elevation.shape[0]):
        i = offset + r
        m = n_points[r] - 1
        row = elevation[r]
        bad = outside[r]
        for k in range(m + 1):
            if not np.isfinite(row[k]):
                bad = True
        if bad:
            out_mean_m[i] = math.nan
            out_std_m[i] = math.nan
            _fill_nan(i, out_min_f1, out_worst_m, out_min_clear_m, out_los)
            continue
        mean, std = _profile_stats(row, m)
        out_mean_m[i] = mean
        out_std_m[i] = std
        _clearance_one(
            row, m, distance[r], h_a[i], h_b[i], freq_ghz[i], k_factor, i,
            earth_radius_m, out_min_f1, out_worst_m, out_min_clear_m, out_los,
        )  # fmt: skip
