"""Numba kernels for the direct geodesic problem on the WGS 84 ellipsoid (Karney 2013).

Private module: :mod:`alcance.terrain.geodesic` holds the public, validated API.

The direct problem is solved with the series of Karney (2013) to sixth order in the
third flattening, as in GeographicLib's ``geod_genposition`` (C library, order 6).
The truncation error is a few nanometres for any path on the Earth, so the points
agree with :meth:`pyproj.Geod.fwd` (which wraps the same library) to well below a
millimetre. Each geodesic is set up once (``_line_setup``) and then evaluated at as
many distances as needed (``_line_position``), which is what makes ~30 million
profile points per second-scale run possible.

References
----------
.. [1] C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 43–55 (2013),
   doi:10.1007/s00190-012-0578-z — eqs. (6)–(8) auxiliary sphere, (15)–(18) distance
   series A1/C1, (20)–(21) reverted series C1', (23)–(25) longitude series A3/C3.
.. [2] C. F. F. Karney, GeographicLib ``geodesic.c`` (MIT licence), functions
   ``A1m1f``, ``C1f``, ``C1pf``, ``A3coeff``, ``C3coeff``, ``geod_lineinit``,
   ``geod_genposition``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange
from numpy.typing import NDArray

from alcance.terrain._jit import jit

__all__ = [
    "WGS84_A_M",
    "WGS84_F",
    "direct_kernel",
    "flat_path_points",
    "path_points_kernel",
]

WGS84_A_M = 6378137.0
"""WGS 84 semi-major axis, metres (NIMA TR8350.2, 3rd ed., Table 3.1)."""
WGS84_F = 1.0 / 298.257223563
"""WGS 84 flattening (NIMA TR8350.2, 3rd ed., Table 3.1)."""

_F1 = 1.0 - WGS84_F
_E2 = WGS84_F * (2.0 - WGS84_F)
_EP2 = _E2 / (_F1 * _F1)
_N = WGS84_F / (2.0 - WGS84_F)  # third flattening
_B_M = WGS84_A_M * _F1
_TINY = math.sqrt(np.finfo(np.float64).tiny)

# A3(eps) = sum_k _A3_k * eps^k, Karney (2013) eq. (24), coefficients depend only on n.
_A3_1 = (_N - 1.0) / 2.0
_A3_2 = (3.0 * _N * _N - _N - 2.0) / 8.0
_A3_3 = (-_N * _N - 3.0 * _N - 1.0) / 16.0
_A3_4 = (-2.0 * _N - 3.0) / 64.0
_A3_5 = -3.0 / 128.0
# C3_l(eps) = sum_k _C3_lk * eps^k, Karney (2013) eq. (25).
_C3_11 = (1.0 - _N) / 4.0
_C3_12 = (1.0 - _N * _N) / 8.0
_C3_13 = (-_N * _N + 3.0 * _N + 3.0) / 64.0
_C3_14 = (2.0 * _N + 5.0) / 128.0
_C3_15 = 3.0 / 128.0
_C3_22 = (_N * _N - 3.0 * _N + 2.0) / 32.0
_C3_23 = (-3.0 * _N * _N - 2.0 * _N + 3.0) / 64.0
_C3_24 = (_N + 3.0) / 128.0
_C3_25 = 5.0 / 256.0
_C3_33 = (5.0 * _N * _N - 9.0 * _N + 5.0) / 192.0
_C3_34 = (9.0 - 10.0 * _N) / 384.0
_C3_35 = 7.0 / 512.0
_C3_44 = (7.0 - 14.0 * _N) / 512.0
_C3_45 = 7.0 / 512.0
_C3_55 = 21.0 / 2560.0


@jit()
def _sincosd(x_deg: float) -> tuple[float, float]:
    """Sine and cosine of an angle in degrees, exact at multiples of 90°."""
    r = x_deg - 360.0 * math.floor(x_deg / 360.0)  # [0, 360)
    q = math.floor(r / 90.0 + 0.5)
    r = math.radians(r - 90.0 * q)
    s = math.sin(r)
    c = math.cos(r)
    q = q % 4
    if q == 0:
        return s, c
    if q == 1:
        return c, -s
    if q == 2:
        return -s, -c
    return -c, s


@jit()
def _ang_normalize(x_deg: float) -> float:
    """Reduce an angle to [-180, 180) degrees (unchanged when already inside)."""
    if -180.0 <= x_deg < 180.0:
        return x_deg
    return x_deg - 360.0 * math.floor((x_deg + 180.0) / 360.0)


@jit()
def _sin_series(
    sinx: float, cosx: float, c1: float, c2: float, c3: float, c4: float, c5: float, c6: float
) -> float:
    """``sum_{k=1..6} c_k sin(2 k x)`` by Clenshaw summation (Karney 2013 eq. (58))."""
    ar = 2.0 * (cosx - sinx) * (cosx + sinx)  # 2 cos 2x
    b6 = c6
    b5 = c5 + ar * b6
    b4 = c4 + ar * b5 - b6
    b3 = c3 + ar * b4 - b5
    b2 = c2 + ar * b3 - b4
    b1 = c1 + ar * b2 - b3
    return b1 * 2.0 * sinx * cosx


@jit()
def _line_setup(lat1_deg: float, azi1_deg: float) -> tuple[float, ...]:
    """Constants of the geodesic through ``lat1`` with azimuth ``azi1`` (geod_lineinit)."""
    sphi, cphi = _sincosd(lat1_deg)
    sbet1 = _F1 * sphi
    cbet1 = cphi
    r = math.hypot(sbet1, cbet1)
    sbet1 /= r
    cbet1 = max(_TINY, cbet1 / r)
    salp1, calp1 = _sincosd(azi1_deg)
    # Karney (2013) eq. (10): azimuth at the equator crossing on the auxiliary sphere.
    salp0 = salp1 * cbet1
    calp0 = math.hypot(calp1, salp1 * sbet1)
    # eq. (11): arc length sigma1 and longitude omega1 from the equator crossing.
    ssig1 = sbet1
    somg1 = salp0 * sbet1
    csig1 = cbet1 * calp1 if (sbet1 != 0.0 or calp1 != 0.0) else 1.0
    comg1 = csig1
    r = math.hypot(ssig1, csig1)
    ssig1 /= r
    csig1 /= r
    # eq. (16): expansion parameter.
    k2 = calp0 * calp0 * _EP2
    eps = k2 / (2.0 * (1.0 + math.sqrt(1.0 + k2)) + k2)
    e2 = eps * eps
    # eq. (17): A1 - 1; eq. (18): C1_l.
    a1m1 = (e2 * (e2 * (e2 + 4.0) + 64.0) / 256.0 + eps) / (1.0 - eps)
    c11 = eps * (e2 * (-e2 + 6.0) - 16.0) / 32.0
    c12 = eps**2 * (e2 * (-9.0 * e2 + 64.0) - 128.0) / 2048.0
    c13 = eps**3 * (9.0 * e2 - 16.0) / 768.0
    c14 = eps**4 * (3.0 * e2 - 5.0) / 512.0
    c15 = eps**5 * -7.0 / 1280.0
    c16 = eps**6 * -7.0 / 2048.0
    # eq. (21): C1'_l (reverted series, tau -> sigma).
    c1p1 = eps * (e2 * (205.0 * e2 - 432.0) + 768.0) / 1536.0
    c1p2 = eps**2 * (e2 * (4005.0 * e2 - 4736.0) + 3840.0) / 12288.0
    c1p3 = eps**3 * (116.0 - 225.0 * e2) / 384.0
    c1p4 = eps**4 * (2695.0 - 7173.0 * e2) / 7680.0
    c1p5 = eps**5 * 3467.0 / 7680.0
    c1p6 = eps**6 * 38081.0 / 61440.0
    b11 = _sin_series(ssig1, csig1, c11, c12, c13, c14, c15, c16)
    s = math.sin(b11)
    c = math.cos(b11)
    stau1 = ssig1 * c + csig1 * s
    ctau1 = csig1 * c - ssig1 * s
    # eqs. (23)-(25): longitude correction.
    a3 = 1.0 + eps * (_A3_1 + eps * (_A3_2 + eps * (_A3_3 + eps * (_A3_4 + eps * _A3_5))))
    a3c = -WGS84_F * salp0 * a3
    c31 = eps * (_C3_11 + eps * (_C3_12 + eps * (_C3_13 + eps * (_C3_14 + eps * _C3_15))))
    c32 = eps**2 * (_C3_22 + eps * (_C3_23 + eps * (_C3_24 + eps * _C3_25)))
    c33 = eps**3 * (_C3_33 + eps * (_C3_34 + eps * _C3_35))
    c34 = eps**4 * (_C3_44 + eps * _C3_45)
    c35 = eps**5 * _C3_55
    b31 = _sin_series(ssig1, csig1, c31, c32, c33, c34, c35, 0.0)
    return (
        salp0, calp0, ssig1, csig1, somg1, comg1, stau1, ctau1, a1m1, b11,
        c1p1, c1p2, c1p3, c1p4, c1p5, c1p6, a3c, c31, c32, c33, c34, c35, b31,
    )  # fmt: skip


@jit()
def _line_position(line: tuple[float, ...], s12_m: float) -> tuple[float, float]:
    """Latitude and longitude increment (degrees) at distance ``s12_m`` (geod_genposition)."""
    (
        salp0, calp0, ssig1, csig1, somg1, comg1, stau1, ctau1, a1m1, b11,
        c1p1, c1p2, c1p3, c1p4, c1p5, c1p6, a3c, c31, c32, c33, c34, c35, b31,
    ) = line  # fmt: skip
    # eq. (7): distance -> tau on the auxiliary sphere; eq. (20): tau -> sigma.
    tau12 = s12_m / (_B_M * (1.0 + a1m1))
    s = math.sin(tau12)
    c = math.cos(tau12)
    stau2 = stau1 * c + ctau1 * s
    ctau2 = ctau1 * c - stau1 * s
    b12 = -_sin_series(stau2, ctau2, c1p1, c1p2, c1p3, c1p4, c1p5, c1p6)
    sig12 = tau12 - (b12 - b11)
    ssig12 = math.sin(sig12)
    csig12 = math.cos(sig12)
    ssig2 = ssig1 * csig12 + csig1 * ssig12
    csig2 = csig1 * csig12 - ssig1 * ssig12
    # eqs. (5)-(6): back to reduced latitude and longitude on the auxiliary sphere.
    sbet2 = calp0 * ssig2
    cbet2 = math.hypot(salp0, calp0 * csig2)
    if cbet2 == 0.0:
        cbet2 = _TINY
        csig2 = _TINY
    somg2 = salp0 * ssig2
    comg2 = csig2
    omg12 = math.atan2(somg2 * comg1 - comg2 * somg1, comg2 * comg1 + somg2 * somg1)
    b32 = _sin_series(ssig2, csig2, c31, c32, c33, c34, c35, 0.0)
    lam12 = omg12 + a3c * (sig12 + (b32 - b31))
    lat2 = math.degrees(math.atan2(sbet2, _F1 * cbet2))
    return lat2, math.degrees(lam12)


@jit(parallel=True)
def direct_kernel(
    lon1_deg: NDArray[np.float64],
    lat1_deg: NDArray[np.float64],
    azi1_deg: NDArray[np.float64],
    s12_m: NDArray[np.float64],
    out_lon_deg: NDArray[np.float64],
    out_lat_deg: NDArray[np.float64],
) -> None:
    """Solve the direct problem element by element (all arrays 1-D, same length)."""
    for i in prange(lon1_deg.shape[0]):
        line = _line_setup(lat1_deg[i], azi1_deg[i])
        lat2, lon12 = _line_position(line, s12_m[i])
        out_lat_deg[i] = lat2
        out_lon_deg[i] = _ang_normalize(_ang_normalize(lon1_deg[i]) + lon12)


#: Largest departure of an interpolated profile point from the geodesic (m).
PROFILE_NODE_TOLERANCE_M = 0.2
#: Most profile intervals between exactly solved points.
PROFILE_MAX_STRIDE = 64


def profile_node_stride(
    step_m: NDArray[np.float64], max_abs_lat_deg: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Node stride for terrain profiles.

    Between two exactly solved points a span L apart, the straight lon/lat line departs
    from the geodesic by at most about ``L² tan|φ| / (8 R)`` (the sagitta of an
    east-west geodesic against its parallel; other azimuths bow less). The span is the
    largest keeping that under :data:`PROFILE_NODE_TOLERANCE_M` at the path's highest
    latitude: 7.8 km at 12°, 2.7 km at 60°, 1.9 km at 75°; at most
    :data:`PROFILE_MAX_STRIDE` intervals.
    """
    tan_lat = np.tan(np.radians(np.minimum(np.abs(max_abs_lat_deg), 89.0)))
    span_m = np.sqrt(8.0 * 6_371_000.0 * PROFILE_NODE_TOLERANCE_M / np.maximum(tan_lat, 1e-3))
    stride = np.floor(span_m / np.maximum(step_m, 1e-9))
    return np.clip(stride, 1, PROFILE_MAX_STRIDE).astype(np.int64)


@jit(parallel=True)
def path_points_kernel(
    lon1_deg: NDArray[np.float64],
    lat1_deg: NDArray[np.float64],
    lon2_deg: NDArray[np.float64],
    lat2_deg: NDArray[np.float64],
    azi1_deg: NDArray[np.float64],
    distance_m: NDArray[np.float64],
    n_intervals: NDArray[np.int64],
    offsets: NDArray[np.int64],
    node_stride: NDArray[np.int64],
    out_lon_deg: NDArray[np.float64],
    out_lat_deg: NDArray[np.float64],
) -> None:
    """Points at ``k * distance / n`` (k = 0 … n) along each geodesic, flattened.

    Path ``i`` writes ``n_intervals[i] + 1`` points starting at ``offsets[i]``. The
    first and last points are copied from the inputs, so they are exact. Every
    ``node_stride[i]``-th point (and the one before the end) is solved exactly
    (Karney's direct series); with a stride above 1 the points between two nodes are
    interpolated linearly in latitude and longitude. The chord of a geodesic segment of
    length L departs from it by about ``L² tan(φ) / (8 R)`` (≤ 0.2 m with
    :func:`profile_node_stride`), far below a DEM pixel. A stride of 1 solves every point exactly.
    """
    for i in prange(lon1_deg.shape[0]):
        n = n_intervals[i]
        o = offsets[i]
        out_lon_deg[o] = lon1_deg[i]
        out_lat_deg[o] = lat1_deg[i]
        if n >= 2:
            line = _line_setup(lat1_deg[i], azi1_deg[i])
            step_m = distance_m[i] / n
            lon1 = _ang_normalize(lon1_deg[i])
            lat_a = lat1_deg[i]
            lon_a = 0.0
            k_a = 0
            while k_a < n - 1:
                k_b = min(k_a + node_stride[i], n - 1)
                lat_b, lon_b = _line_position(line, k_b * step_m)
                span = k_b - k_a
                for k in range(k_a + 1, k_b + 1):
                    t = (k - k_a) / span
                    out_lat_deg[o + k] = lat_a + t * (lat_b - lat_a)
                    out_lon_deg[o + k] = _ang_normalize(lon1 + lon_a + t * (lon_b - lon_a))
                lat_a = lat_b
                lon_a = lon_b
                k_a = k_b
        out_lon_deg[o + n] = lon2_deg[i]
        out_lat_deg[o + n] = lat2_deg[i]


def path_offsets(n_intervals: NDArray[np.int64]) -> NDArray[np.int64]:
    """Start index of each path in a flattened point list (``n + 1`` points per path)."""
    offsets = np.zeros(n_intervals.size, dtype=np.int64)
    np.cumsum(n_intervals[:-1] + 1, out=offsets[1:])
    return offsets


def flat_path_points(
    *,
    lon1_deg: NDArray[np.float64],
    lat1_deg: NDArray[np.float64],
    lon2_deg: NDArray[np.float64],
    lat2_deg: NDArray[np.float64],
    azimuth_deg: NDArray[np.float64],
    distance_m: NDArray[np.float64],
    n_intervals: NDArray[np.int64],
    node_stride: NDArray[np.int64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Points of already-validated paths as flat arrays plus per-path offsets.

    ``node_stride`` (per path, default 1 = every point exact): see
    :func:`path_points_kernel`.

    Low-level helper of :func:`geodesic_path_points` and
    :func:`alcance.terrain.sample_profiles` (inputs are trusted: float64/int64 1-D,
    equal lengths, ``n_intervals >= 1``).
    """
    offsets = path_offsets(n_intervals)
    total = int(n_intervals.sum()) + n_intervals.size
    out_lon = np.empty(total, dtype=np.float64)
    out_lat = np.empty(total, dtype=np.float64)
    path_points_kernel(
        lon1_deg, lat1_deg, lon2_deg, lat2_deg, azimuth_deg, distance_m,
        n_intervals, offsets,
        np.ones(n_intervals.size, dtype=np.int64) if node_stride is None else node_stride,
        out_lon, out_lat,
    )  # fmt: skip
    return out_lon, out_lat, offsets
