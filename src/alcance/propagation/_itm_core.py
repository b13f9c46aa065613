"""Numba kernels of the ITS Irregular Terrain Model (Longley–Rice), private.

A line-by-line port of the algorithm of NTIA/ITS's reference implementation
(github.com/NTIA/itm, C++ v1.4 = the ITM 1.2.2 algorithm). Every function names the
NTIA source file it follows; the equations are cited as NTIA cites them:

* [TN101]   Rice, Longley, Norton, Barsis, "Transmission loss predictions for
  tropospheric communication circuits", NBS Technical Note 101 (1967).
* [ERL 79-ITS 67]  Longley & Rice, "Prediction of tropospheric radio transmission loss
  over irregular terrain, a computer method", ESSA Technical Report ERL 79-ITS 67 (1968).
* [Algorithm]  Hufford, "The ITS Irregular Terrain Model, version 1.2.2: the
  algorithm" (1995).
* [Hufford 1982]  Hufford, Longley, Kissick, NTIA Report TR-82-100 (1982).
* [Vogler 1964]  Vogler, "Calculation of groundwave attenuation in the far diffraction
  region", Radio Science 68D(7) (1964).

The arithmetic is kept in the order NTIA's C++ evaluates it (left to right, the same
``pow``/``exp``/``log`` calls, the same ``MIN``/``MAX``/``DIM`` semantics), so that
the compiled kernel agrees with the reference to floating-point rounding. Complex
arithmetic is written out in real and imaginary parts with the algorithms that
``std::complex<double>`` uses under g++ (Smith's division, glibc ``csqrt``).

All helpers are :func:`numba.extending.register_jitable`: called from a compiled
kernel they are compiled into it; called from Python they run as plain Python. The
benchmark uses the latter as its per-path pure-Python reference loop.

Return codes, warning flags and mode numbers are NTIA's (``include/Errors.h``,
``include/Warnings.h``, ``include/Enums.h``), plus one code of Alcance's own,
:data:`ERROR_INVALID_PROFILE`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from numba import njit, prange
from numba.extending import register_jitable

_F = TypeVar("_F", bound=Callable[..., Any])
Vec = npt.NDArray[np.float64]
IVec = npt.NDArray[np.int64]
#: One path's outputs: (return_code, warnings, mode, loss_db, distance_km,
#: theta_hzn_tx, theta_hzn_rx, d_hzn_tx, d_hzn_rx, h_e_tx, h_e_rx, n_s, delta_h,
#: a_ref_db, free_space_loss_db).
PathResult = tuple[
    int,
    int,
    int,
    float,
    float,
    float,
    float,
    float,
    float,
    float,
    float,
    float,
    float,
    float,
    float,
]


def _jitable(fn: _F) -> _F:
    """:func:`numba.extending.register_jitable`, typed for mypy (returns ``fn`` itself)."""
    register_jitable(fn)
    return fn


# --------------------------------------------------------------------------------------
# NTIA return codes (include/Errors.h, ERRORS_AND_WARNINGS.md)
SUCCESS = 0
SUCCESS_WITH_WARNINGS = 1
ERROR_TX_TERMINAL_HEIGHT = 1000
ERROR_RX_TERMINAL_HEIGHT = 1001
ERROR_INVALID_RADIO_CLIMATE = 1002
ERROR_INVALID_TIME = 1003
ERROR_INVALID_LOCATION = 1004
ERROR_INVALID_SITUATION = 1005
ERROR_INVALID_CONFIDENCE = 1006
ERROR_INVALID_RELIABILITY = 1007
ERROR_REFRACTIVITY = 1008
ERROR_FREQUENCY = 1009
ERROR_POLARIZATION = 1010
ERROR_EPSILON = 1011
ERROR_SIGMA = 1012
ERROR_GROUND_IMPEDANCE = 1013
ERROR_MDVAR = 1014
ERROR_EFFECTIVE_EARTH = 1016
ERROR_PATH_DISTANCE = 1017
ERROR_DELTA_H = 1018
ERROR_TX_SITING_CRITERIA = 1019
ERROR_RX_SITING_CRITERIA = 1020
ERROR_SURFACE_REFRACTIVITY_SMALL = 1021
ERROR_SURFACE_REFRACTIVITY_LARGE = 1022
#: Alcance's own code (not NTIA's): the terrain profile of a path is unusable — fewer
#: than 2 points, more points than the row holds, a spacing that is not positive or
#: makes the path length overflow, or a non-finite elevation among its points. NTIA's
#: C++ does not check its ``pfl`` argument; it reads out of bounds or returns garbage.
ERROR_INVALID_PROFILE = 1100

# NTIA warning flags (include/Warnings.h)
WARN_TX_TERMINAL_HEIGHT = 0x0001
WARN_RX_TERMINAL_HEIGHT = 0x0002
WARN_FREQUENCY = 0x0004
WARN_PATH_DISTANCE_TOO_BIG_1 = 0x0008
WARN_PATH_DISTANCE_TOO_BIG_2 = 0x0010
WARN_PATH_DISTANCE_TOO_SMALL_1 = 0x0020
WARN_PATH_DISTANCE_TOO_SMALL_2 = 0x0040
WARN_TX_HORIZON_ANGLE = 0x0080
WARN_RX_HORIZON_ANGLE = 0x0100
WARN_TX_HORIZON_DISTANCE_1 = 0x0200
WARN_RX_HORIZON_DISTANCE_1 = 0x0400
WARN_TX_HORIZON_DISTANCE_2 = 0x0800
WARN_RX_HORIZON_DISTANCE_2 = 0x1000
WARN_EXTREME_VARIABILITIES = 0x2000
WARN_SURFACE_REFRACTIVITY = 0x4000

# Modes of propagation and of operation (include/Enums.h, include/ITM.h)
MODE_NOT_SET = 0
MODE_LINE_OF_SIGHT = 1
MODE_DIFFRACTION = 2
MODE_TROPOSCATTER = 3
_MODE_P2P = 0
_MODE_AREA = 1

_SINGLE_MESSAGE_MODE = 0
_ACCIDENTAL_MODE = 1
_MOBILE_MODE = 2

# Constants of include/ITM.h
_PI = 3.1415926535897932384
_SQRT2 = math.sqrt(2.0)
_A_0_M = 6370e3  # a_0__meter, 4/3-earth reference radius divisor [Vogler 1964]
_A_9000_M = 9000e3  # a_9000__meter [Algorithm, Eqn 5.3]
_THIRD = 1.0 / 3.0

#: Order of the float outputs in a kernel's ``out_f`` array (rows).
OUT_FIELDS = (
    "loss_db",
    "distance_km",
    "theta_hzn_tx_rad",
    "theta_hzn_rx_rad",
    "d_hzn_tx_m",
    "d_hzn_rx_m",
    "h_e_tx_m",
    "h_e_rx_m",
    "n_s_n_units",
    "delta_h_m",
    "a_ref_db",
    "free_space_loss_db",
)
N_OUT_F = len(OUT_FIELDS)

#: Length of the per-thread scratch arrays of ComputeDeltaH (NTIA's ``double s[247]``).
SCRATCH_LEN = 247
#: Paths handled by one task of the parallel loop (scratch is allocated once per task).
CHUNK_PATHS = 64

# Variability constants, [Algorithm, Table 5.1] and the curve fits of TN101 Fig 10.13 /
# TN101v2 Eqn III.69-70, as tabulated in NTIA src/Variability.cpp. Index: climate - 1.
_ALL_YEAR = np.array(
    [
        [-9.67, -0.62, 1.26, -9.21, -0.62, -0.39, 3.15],
        [12.7, 9.19, 15.5, 9.05, 9.19, 2.86, 857.9],
        [144.9e3, 228.9e3, 262.6e3, 84.1e3, 228.9e3, 141.7e3, 2222.0e3],
        [190.3e3, 205.2e3, 185.2e3, 101.1e3, 205.2e3, 315.9e3, 164.8e3],
        [133.8e3, 143.6e3, 99.8e3, 98.6e3, 143.6e3, 167.4e3, 116.3e3],
    ]
)
_BSM1 = np.array([2.13, 2.66, 6.11, 1.98, 2.68, 6.86, 8.51])
_BSM2 = np.array([159.5, 7.67, 6.65, 13.11, 7.16, 10.38, 169.8])
_XSM1 = np.array([762.2e3, 100.4e3, 138.2e3, 139.1e3, 93.7e3, 187.8e3, 609.8e3])
_XSM2 = np.array([123.6e3, 172.5e3, 242.2e3, 132.7e3, 186.8e3, 169.6e3, 119.9e3])
_XSM3 = np.array([94.5e3, 136.4e3, 178.6e3, 193.5e3, 133.5e3, 108.9e3, 106.6e3])
_BSP1 = np.array([2.11, 6.87, 10.08, 3.68, 4.75, 8.58, 8.43])
_BSP2 = np.array([102.3, 15.53, 9.60, 159.3, 8.12, 13.97, 8.19])
_XSP1 = np.array([636.9e3, 138.7e3, 165.3e3, 464.4e3, 93.2e3, 216.0e3, 136.2e3])
_XSP2 = np.array([134.8e3, 143.7e3, 225.7e3, 93.1e3, 135.9e3, 152.0e3, 188.5e3])
_XSP3 = np.array([95.6e3, 98.6e3, 129.7e3, 94.2e3, 113.4e3, 122.7e3, 122.9e3])
_C_D = np.array([1.224, 0.801, 1.380, 1.000, 1.224, 1.518, 1.518])
_Z_D = np.array([1.282, 2.161, 1.282, 20.0, 1.282, 1.282, 1.282])
_BFM1 = np.array([1.0, 1.0, 1.0, 1.0, 0.92, 1.0, 1.0])
_BFM2 = np.array([0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0])
_BFM3 = np.array([0.0, 0.0, 0.0, 0.0, 1.77, 0.0, 0.0])
_BFP1 = np.array([1.0, 0.93, 1.0, 0.93, 0.93, 1.0, 1.0])
_BFP2 = np.array([0.0, 0.31, 0.0, 0.19, 0.31, 0.0, 0.0])
_BFP3 = np.array([0.0, 2.00, 0.0, 1.79, 2.00, 0.0, 0.0])

# [Algorithm, 6.9] FFunction, [Algorithm, 6.13] H0Curve
_F_A = np.array([133.4, 104.6, 71.8])
_F_B = np.array([0.332e-3, 0.212e-3, 0.157e-3])
_F_C = np.array([-10.0, -2.5, 5.0])
_H0_A = np.array([25.0, 80.0, 177.0, 395.0, 705.0])
_H0_B = np.array([24.0, 45.0, 68.0, 80.0, 105.0])


# --------------------------------------------------------------------------------------
# Macros of include/ITM.h, with their exact comparison semantics


@_jitable
def _max(x: float, y: float) -> float:
    """``MAX(x, y)``: ``x > y ? x : y``."""
    return x if x > y else y


@_jitable
def _min(x: float, y: float) -> float:
    """``MIN(x, y)``: ``x < y ? x : y``."""
    return x if x < y else y


@_jitable
def _dim(x: float, y: float) -> float:
    """``DIM(x, y)`` / C ``fdim``: ``x > y ? x - y : 0``."""
    return x - y if x > y else 0.0


@_jitable
def _log10(x: float) -> float:
    """C's ``log10``: NaN below 0 and -inf at 0 (Python's ``math.log10`` raises there).

    NTIA's algorithm does reach a negative argument: Vogler's normalised distance x_0
    turns negative when K > 1.607 (very low frequency, vertical polarisation, highly
    conducting ground); the NaN then propagates until ``MAX(A_ref, 0)`` in
    ``LongleyRice`` turns it into 0 dB. Compiled, this is one predictable branch.
    """
    if x > 0.0:
        return math.log10(x)
    return -math.inf if x == 0.0 else math.nan


@_jitable
def _cdiv(a: float, b: float, c: float, d: float) -> tuple[float, float]:
    """Complex division ``(a + ib) / (c + id)`` by Smith's method (libgcc ``__divdc3``)."""
    if abs(c) < abs(d):
        ratio = c / d
        denom = c * ratio + d
        return (a * ratio + b) / denom, (b * ratio - a) / denom
    ratio = d / c
    denom = d * ratio + c
    return (b * ratio + a) / denom, (b - a * ratio) / denom


# --------------------------------------------------------------------------------------
# Input validation, NTIA src/ValidateInputs.cpp


@_jitable
def _validate_inputs(
    h_tx: float,
    h_rx: float,
    climate: int,
    time: float,
    location: float,
    situation: float,
    n_0: float,
    f_mhz: float,
    pol: int,
    epsilon: float,
    sigma: float,
    mdvar: int,
) -> tuple[int, int]:
    """Validate the inputs common to both modes, in NTIA's order.

    Returns ``(return_code, warnings)``. The range tests are written so that NaN fails
    them (NTIA's C++ lets a NaN through; Alcance reports it as out of range), and so do
    an infinite permittivity or conductivity.
    """
    warnings = 0
    if h_tx < 1.0 or h_tx > 1000.0:
        warnings |= WARN_TX_TERMINAL_HEIGHT
    if not (h_tx >= 0.5 and h_tx <= 3000.0):
        return ERROR_TX_TERMINAL_HEIGHT, warnings
    if h_rx < 1.0 or h_rx > 1000.0:
        warnings |= WARN_RX_TERMINAL_HEIGHT
    if not (h_rx >= 0.5 and h_rx <= 3000.0):
        return ERROR_RX_TERMINAL_HEIGHT, warnings
    if climate < 1 or climate > 7:
        return ERROR_INVALID_RADIO_CLIMATE, warnings
    if not (n_0 >= 250.0 and n_0 <= 400.0):
        return ERROR_REFRACTIVITY, warnings
    if f_mhz < 40.0 or f_mhz > 10000.0:
        warnings |= WARN_FREQUENCY
    if not (f_mhz >= 20.0 and f_mhz <= 20000.0):
        return ERROR_FREQUENCY, warnings
    if pol != 0 and pol != 1:
        return ERROR_POLARIZATION, warnings
    if not (epsilon >= 1.0) or epsilon == math.inf:
        return ERROR_EPSILON, warnings
    if not (sigma > 0.0) or sigma == math.inf:
        return ERROR_SIGMA, warnings
    if (
        mdvar < 0
        or (mdvar > 3 and mdvar < 10)
        or (mdvar > 13 and mdvar < 20)
        or (mdvar > 23 and mdvar < 30)
        or mdvar > 33
    ):
        return ERROR_MDVAR, warnings
    # "p / 100 > 0" also rejects a subnormal percentage whose fraction underflows to 0
    # (NTIA's C++ accepts it and returns NaN from the inverse normal CDF)
    if not (situation / 100 > 0.0 and situation < 100.0):
        return ERROR_INVALID_SITUATION, warnings
    if not (time / 100 > 0.0 and time < 100.0):
        return ERROR_INVALID_TIME, warnings
    if not (location / 100 > 0.0 and location < 100.0):
        return ERROR_INVALID_LOCATION, warnings
    return SUCCESS, warnings


# --------------------------------------------------------------------------------------
# Terrain analysis: FindHorizons.cpp, LinearLeastSquaresFit.cpp, ComputeDeltaH.cpp,
# QuickPfl.cpp. ``z`` holds the elevations z_0 … z_np (the PFL without its two-value
# header), ``np_`` the number of intervals and ``xi`` the spacing.


@_jitable
def _find_horizons(
    z: Vec, np_: int, xi: float, a_e: float, h_tx: float, h_rx: float
) -> tuple[float, float, float, float]:
    """Horizon angles and distances of both terminals, NTIA src/FindHorizons.cpp.

    Starts from the line-of-sight angles [TN101, Eq 6.15] and keeps, for each terminal,
    the profile point of greatest elevation angle (the first one, on ties).
    """
    d = np_ * xi
    z_tx = z[0] + h_tx
    z_rx = z[np_] + h_rx
    two_a_e = 2 * a_e
    theta_tx_hzn = (z_rx - z_tx) / d - d / two_a_e
    theta_rx_hzn = -(z_rx - z_tx) / d - d / two_a_e
    d_tx_hzn = d
    d_rx_hzn = d
    d_tx = 0.0
    d_rx = d
    for i in range(1, np_):
        d_tx = d_tx + xi
        d_rx = d_rx - xi
        zi = z[i]
        theta_tx = (zi - z_tx) / d_tx - d_tx / two_a_e
        theta_rx = -(z_rx - zi) / d_rx - d_rx / two_a_e
        if theta_tx > theta_tx_hzn:
            theta_tx_hzn = theta_tx
            d_tx_hzn = d_tx
        if theta_rx > theta_rx_hzn:
            theta_rx_hzn = theta_rx
            d_rx_hzn = d_rx
    return theta_tx_hzn, theta_rx_hzn, d_tx_hzn, d_rx_hzn


@_jitable
def _linear_least_squares_fit(
    z: Vec, np_: int, xi: float, d_start: float, d_end: float
) -> tuple[float, float]:
    """Least-squares line over the profile points between two distances.

    NTIA src/LinearLeastSquaresFit.cpp: returns the fitted heights ``(fit_y1, fit_y2)``
    at the two ends of the whole profile (distance 0 and ``np_ * xi``).
    """
    # (_min keeps the index inside the profile where NTIA's C++ would read past it)
    i_start = int(_min(_dim(d_start / xi, 0.0), float(np_)))
    i_end = np_ - int(_dim(float(np_), d_end / xi))
    if i_end <= i_start:
        i_start = int(_dim(float(i_start), 1.0))
        i_end = np_ - int(_dim(float(np_), i_end + 1.0))
    n_steps = i_end - i_start
    x_length = float(n_steps)
    mid_shifted_index = -0.5 * x_length
    mid_shifted_end = i_end + mid_shifted_index
    sum_y = 0.5 * (z[i_start] + z[i_end])
    scaled_sum_y = 0.5 * (z[i_start] - z[i_end]) * mid_shifted_index
    for _ in range(2, n_steps + 1):
        i_start += 1
        mid_shifted_index += 1.0
        zi = z[i_start]
        sum_y += zi
        scaled_sum_y += zi * mid_shifted_index
    sum_y = sum_y / x_length
    scaled_sum_y = scaled_sum_y * 12.0 / ((x_length * x_length + 2.0) * x_length)
    fit_y1 = sum_y - scaled_sum_y * mid_shifted_end
    fit_y2 = sum_y + scaled_sum_y * (np_ - mid_shifted_end)
    return fit_y1, fit_y2


@_jitable
def _insertion_sort(a: Vec, b: int, m: int) -> None:
    """Sort ``a[b:b+m]`` in place (for the short runs left by the selections below)."""
    for i in range(b + 1, b + m):
        v = a[i]
        j = i - 1
        while j >= b and a[j] > v:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v


@_jitable
def _select_kth(a: Vec, tmp: Vec, m: int, k: int) -> float:
    """The ``k``-th smallest (0-based) of ``a[:m]``; ``a`` and ``tmp`` are clobbered.

    Quickselect with a median-of-three pivot and a branch-free three-way partition that
    writes into the other buffer (no mispredicted branches, no store-to-load chains).
    An order statistic does not depend on how it is found, so this returns exactly
    what the ``std::nth_element`` calls of NTIA's ComputeDeltaH return.
    """
    src = a
    dst = tmp
    b = 0
    while m > 4:
        x = src[b]
        y = src[b + (m >> 1)]
        z = src[b + m - 1]
        pivot = max(min(x, y), min(max(x, y), z))
        lo = b
        hi = b + m - 1
        for i in range(b, b + m):
            v = src[i]
            dst[lo] = v
            dst[hi] = v
            lo += v < pivot
            hi -= v > pivot
        n_less = lo - b
        n_greater = b + m - 1 - hi
        if k < n_less:
            m = n_less
        elif k >= m - n_greater:
            k -= m - n_greater
            b = hi + 1
            m = n_greater
        else:
            return float(pivot)
        src, dst = dst, src
    _insertion_sort(src, b, m)
    return float(src[b + k])


_N_BUCKETS = 64
#: Length of the per-thread integer scratch of :func:`_tail_order_stats`.
ISCRATCH_LEN = 4 * _N_BUCKETS + SCRATCH_LEN


@_jitable
def _tail_order_stats(
    r: Vec,
    n: int,
    p: int,
    r_min: float,
    r_max: float,
    hi_buf: Vec,
    lo_buf: Vec,
    tmp: Vec,
    iwork: IVec,
) -> tuple[float, float]:
    """The ``p``-th largest and the ``p``-th smallest of ``r[:n]`` (``r`` is kept).

    A bucket selection: the values are binned into 64 equal-width buckets between
    ``r_min`` and ``r_max`` (the bucket index is a non-decreasing function of the value,
    so bucket counts give exact ranks); the bucket holding each order statistic is found
    by counting from either end, and the statistic is selected among that bucket's few
    values. Branch-free passes, unlike the quickselect of ``std::nth_element``, whose
    result (an order statistic) it returns exactly. ``iwork`` holds
    :data:`ISCRATCH_LEN` integers.
    """
    if r_max == r_min:
        return r_max, r_min
    nb = _N_BUCKETS
    scale = nb / (r_max - r_min)
    if not (r_max > r_min and scale < math.inf):
        # a subnormal or non-finite range: select among all the values instead
        hi_buf[:n] = r[:n]
        lo_buf[:n] = r[:n]
        return _select_kth(hi_buf, tmp, n, n - p), _select_kth(lo_buf, tmp, n, p - 1)
    off = 4 * nb
    for j in range(n):
        t = (r[j] - r_min) * scale
        iwork[off + j] = int(t) if t < nb - 1 else nb - 1
    for j in range(off):
        iwork[j] = 0
    # four interleaved histograms, so that runs of equal buckets do not serialise
    for j in range(n):
        iwork[(j & 3) * nb + iwork[off + j]] += 1
    above = 0
    b_hi = nb - 1
    while True:
        cnt = iwork[b_hi] + iwork[nb + b_hi] + iwork[2 * nb + b_hi] + iwork[3 * nb + b_hi]
        if above + cnt >= p:
            break
        above += cnt
        b_hi -= 1
    below = 0
    b_lo = 0
    while True:
        cnt = iwork[b_lo] + iwork[nb + b_lo] + iwork[2 * nb + b_lo] + iwork[3 * nb + b_lo]
        if below + cnt >= p:
            break
        below += cnt
        b_lo += 1
    h = 0
    m = 0
    for j in range(n):
        bucket = iwork[off + j]
        v = r[j]
        hi_buf[h] = v
        lo_buf[m] = v
        h += bucket == b_hi
        m += bucket == b_lo
    q_hi = _select_kth(hi_buf, tmp, h, h - (p - above))
    q_lo = _select_kth(lo_buf, tmp, m, p - below - 1)
    return q_hi, q_lo


@_jitable
def _compute_delta_h(
    z: Vec, np_: int, xi: float, d_start: float, d_end: float, work: Vec, iwork: IVec
) -> float:
    """Terrain irregularity parameter Δh, NTIA src/ComputeDeltaH.cpp.

    Resamples the profile between ``d_start`` and ``d_end`` to ``n = 10 p10 - 5`` points
    (35 … 245), removes the least-squares line and takes the interdecile range of the
    residuals, Δh(d); then inverts [ERL 79-ITS 67, Eqn 3] to the asymptotic Δh.
    ``work`` is a (4, :data:`SCRATCH_LEN`) float scratch array, ``iwork`` an integer
    one of :data:`ISCRATCH_LEN`.
    """
    s = work[0]
    x_start = d_start / xi
    x_end = d_end / xi
    if x_end - x_start < 2.0:
        return 0.0
    # min(max(4, int(x)), 25), clamped before the conversion so that no NaN or huge
    # value reaches int()
    p10_f = 0.1 * (x_end - x_start + 8.0)
    p10 = int(p10_f) if p10_f >= 4.0 and p10_f < 25.0 else (25 if p10_f >= 25.0 else 4)
    n = 10 * p10 - 5
    np_s = float(n - 1)
    x_end = (x_end - x_start) / np_s
    i = int(_min(_max(x_start, 0.0), float(np_ - 1)))  # int(x_start) for any real profile
    x_start -= i + 1.0
    for j in range(n):
        while x_start > 0.0 and (i + 1) < np_:
            x_start -= 1.0
            i += 1
        s[j] = z[i + 1] + (z[i + 1] - z[i]) * x_start
        x_start += x_end
    fit_y1, fit_y2 = _linear_least_squares_fit(s, n - 1, 1.0, 0.0, np_s)
    fit_y2 = (fit_y2 - fit_y1) / np_s
    r_min = math.inf
    r_max = -math.inf
    for j in range(n):
        v = s[j] - fit_y1
        s[j] = v
        r_min = v if v < r_min else r_min
        r_max = v if v > r_max else r_max
        fit_y1 += fit_y2
    # q10: the p10-th largest residual; q90: the (n - p10 + 1)-th largest = p10-th smallest
    q10, q90 = _tail_order_stats(s, n, p10, r_min, r_max, work[1], work[2], work[3], iwork)
    delta_h_d = q10 - q90
    return delta_h_d / (1.0 - 0.8 * math.exp(-(d_end - d_start) / 50e3))


@_jitable
def _horizon_distance(h_e: float, a_e: float, delta_h: float) -> float:
    """Horizon distance over irregular terrain, [Algorithm, Eqn 3.3]."""
    return math.sqrt(2.0 * h_e * a_e) * math.exp(-0.07 * math.sqrt(delta_h / _max(h_e, 5.0)))


@_jitable
def _quick_pfl(
    z: Vec,
    np_: int,
    xi: float,
    gamma_e: float,
    h_tx: float,
    h_rx: float,
    work: Vec,
    iwork: IVec,
) -> tuple[float, float, float, float, float, float, float, float]:
    """Path parameters from the profile, NTIA src/QuickPfl.cpp.

    Returns ``(theta_hzn_tx, theta_hzn_rx, d_hzn_tx, d_hzn_rx, h_e_tx, h_e_rx, delta_h,
    d)``. The terrain is considered from ``min(15 h, 0.1 d_hzn)`` off each terminal
    [Hufford 1982, p. 25].
    """
    d = np_ * xi
    a_e = 1 / gamma_e
    th_tx, th_rx, dh_tx, dh_rx = _find_horizons(z, np_, xi, a_e, h_tx, h_rx)
    d_start = _min(15.0 * h_tx, 0.1 * dh_tx)
    d_end = d - _min(15.0 * h_rx, 0.1 * dh_rx)
    delta_h = _compute_delta_h(z, np_, xi, d_start, d_end, work, iwork)
    if dh_tx + dh_rx > 1.5 * d:
        # well within line of sight: horizons from the smooth-earth fit
        fit_tx, fit_rx = _linear_least_squares_fit(z, np_, xi, d_start, d_end)
        he_tx = h_tx + _dim(z[0], fit_tx)
        he_rx = h_rx + _dim(z[np_], fit_rx)
        dh_tx = _horizon_distance(he_tx, a_e, delta_h)
        dh_rx = _horizon_distance(he_rx, a_e, delta_h)
        combined = dh_tx + dh_rx
        if combined <= d:
            q = d / combined
            q = q * q
            he_tx = he_tx * q
            he_rx = he_rx * q
            dh_tx = _horizon_distance(he_tx, a_e, delta_h)
            dh_rx = _horizon_distance(he_rx, a_e, delta_h)
        q = math.sqrt(2.0 * he_tx * a_e)
        th_tx = (0.65 * delta_h * (q / dh_tx - 1.0) - 2.0 * he_tx) / q
        q = math.sqrt(2.0 * he_rx * a_e)
        th_rx = (0.65 * delta_h * (q / dh_rx - 1.0) - 2.0 * he_rx) / q
    else:
        fit_tx, _unused = _linear_least_squares_fit(z, np_, xi, d_start, 0.9 * dh_tx)
        he_tx = h_tx + _dim(z[0], fit_tx)
        _unused, fit_rx = _linear_least_squares_fit(z, np_, xi, d - 0.9 * dh_rx, d_end)
        he_rx = h_rx + _dim(z[np_], fit_rx)
    return th_tx, th_rx, dh_tx, dh_rx, he_tx, he_rx, delta_h, d


# --------------------------------------------------------------------------------------
# Initialisation: InitializePointToPoint.cpp, InitializeArea.cpp


@_jitable
def _initialize(
    f_mhz: float, h_sys: float, n_0: float, pol: int, epsilon: float, sigma: float
) -> tuple[float, float, float, float]:
    """Surface refractivity, effective-earth curvature and ground impedance.

    NTIA src/InitializePointToPoint.cpp: N_s = N_0 exp(-h_sys / 9460) [TN101, Eq 4.3],
    γ_e = γ_a (1 - 0.04665 exp(N_s / 179.3)) [TN101, Eq 4.4], Z_g = sqrt(ε_r - 1)
    (horizontal) or sqrt(ε_r - 1) / ε_r (vertical) with ε_r = ε + i 18000 σ / f.
    Returns ``(n_s, gamma_e, z_g_re, z_g_im)``.
    """
    gamma_a = 157e-9
    n_s = n_0 if h_sys == 0.0 else n_0 * math.exp(-h_sys / 9460.0)
    gamma_e = gamma_a * (1.0 - 0.04665 * math.exp(n_s / 179.3))
    ep_im = 18000 * sigma / f_mhz
    # glibc csqrt of (epsilon - 1) + i ep_im, whose real part is >= 0
    x = epsilon - 1.0
    d = math.hypot(x, ep_im)
    if x > 0.0:
        z_re = math.sqrt(0.5 * (d + x))
        z_im = 0.5 * (ep_im / z_re)
    else:
        z_im = math.sqrt(0.5 * (d - x))
        z_re = abs(0.5 * (ep_im / z_im))
    if pol == 1:
        z_re, z_im = _cdiv(z_re, z_im, epsilon, ep_im)
    return n_s, gamma_e, z_re, z_im


@_jitable
def _initialize_area_terminal(
    site_criteria: int, gamma_e: float, delta_h: float, h: float
) -> tuple[float, float, float]:
    """Effective height, horizon distance and angle of one terminal in area mode.

    NTIA src/InitializeArea.cpp, [Algorithm, Eqns 3.2-3.4].
    """
    if site_criteria == 0:
        h_e = h
    else:
        b = 4.0 if site_criteria == 1 else 9.0
        if h < 5.0:
            b = b * math.sin(0.1 * _PI * h)
        h_e = h + (1.0 + b) * math.exp(-_min(20.0, 2.0 * h / _max(1e-3, delta_h)))
    d_ls = math.sqrt(2.0 * h_e / gamma_e)
    d_hzn = d_ls * math.exp(-0.07 * math.sqrt(delta_h / _max(h_e, 5.0)))
    theta_hzn = (0.65 * delta_h * (d_ls / d_hzn - 1.0) - 2.0 * h_e) / d_ls
    return h_e, d_hzn, theta_hzn


# --------------------------------------------------------------------------------------
# Reference attenuation: LongleyRice.cpp and the loss functions it calls


@_jitable
def _terrain_roughness(d: float, delta_h: float) -> float:
    """Δh(d) = Δh (1 - 0.8 exp(-d / 50 km)), [ERL 79-ITS 67, Eqn 3]."""
    return delta_h * (1.0 - 0.8 * math.exp(-d / 50e3))


@_jitable
def _sigma_h(delta_h: float) -> float:
    """σ_h = 0.78 Δh exp(-0.5 Δh^0.25), [ERL 79-ITS 67, Eqn 3.6a]."""
    return 0.78 * delta_h * math.exp(-0.5 * math.pow(delta_h, 0.25))


@_jitable
def _fresnel_integral(v2: float) -> float:
    """Knife-edge loss A(v, 0) from v², [TN101v2, Eqn III.24b-c]."""
    if v2 < 5.76:
        return 6.02 + 9.11 * math.sqrt(v2) - 1.27 * v2
    return 12.953 + 10 * math.log10(v2)


@_jitable
def _knife_edge(
    d: float, f_mhz: float, a_e: float, theta_los: float, dh_tx: float, dh_rx: float
) -> float:
    """Double knife-edge diffraction loss, NTIA src/KnifeEdgeDiffraction.cpp [TN101, I.7]."""
    d_ml = dh_tx + dh_rx
    theta_nlos = d / a_e - theta_los
    d_nlos = d - d_ml
    v_1 = 0.0795775 * (f_mhz / 47.7) * (theta_nlos * theta_nlos) * dh_tx * d_nlos / (d_nlos + dh_tx)
    v_2 = 0.0795775 * (f_mhz / 47.7) * (theta_nlos * theta_nlos) * dh_rx * d_nlos / (d_nlos + dh_rx)
    return _fresnel_integral(v_1) + _fresnel_integral(v_2)


@_jitable
def _height_function(x_km: float, k: float) -> float:
    """Height-gain function F(x, K), NTIA src/SmoothEarthDiffraction.cpp (``HeightFunction``)."""
    if x_km < 200.0:
        w = -math.log(k)
        if k < 1e-5 or x_km * math.pow(w, 3.0) > 5495.0:
            result = -117.0
            if x_km > 1.0:
                result = 17.372 * math.log(x_km) + result
        else:
            result = 2.5e-5 * (x_km * x_km) / k - 8.686 * w - 15.0
    else:
        result = 0.05751 * x_km - 4.343 * math.log(x_km)
        if x_km < 2000:
            w = 0.0134 * x_km * math.exp(-0.005 * x_km)
            result = (1.0 - w) * result + w * (17.372 * math.log(x_km) - 117.0)
    return result


@_jitable
def _smooth_earth_terminals(
    f_mhz: float, dh_tx: float, dh_rx: float, he_tx: float, he_rx: float, z_g_abs: float
) -> tuple[float, float, float, float, float, float]:
    """The distance-independent part of NTIA's ``SmoothEarthDiffraction``.

    Vogler's radii of the two terminals a_1,2 = d_hzn² / (2 h_e) [Vogler 1964, Eqn 3],
    their normalised distances x_1,2 [Vogler 1964, Eqn 2] and height-gain functions
    F(x_1,2, K_1,2). NTIA recomputes them for each of the two diffraction distances;
    they do not depend on the distance, so the port computes them once (the same
    operations on the same inputs, hence the same values). Returns
    ``(f^(-1/3), f^(1/3), x_1, x_2, F(x_1, K_1), F(x_2, K_2))``.
    """
    a_1 = 0.5 * (dh_tx * dh_tx) / he_tx
    a_2 = 0.5 * (dh_rx * dh_rx) / he_rx
    d_1_km = dh_tx / 1000.0
    d_2_km = dh_rx / 1000.0
    f_m_third = math.pow(f_mhz, -_THIRD)
    f_third = math.pow(f_mhz, _THIRD)
    c_1 = math.pow((4.0 / 3.0) * _A_0_M / a_1, _THIRD)
    c_2 = math.pow((4.0 / 3.0) * _A_0_M / a_2, _THIRD)
    k_1 = 0.017778 * c_1 * f_m_third / z_g_abs
    k_2 = 0.017778 * c_2 * f_m_third / z_g_abs
    b_1 = 1.607 - k_1
    b_2 = 1.607 - k_2
    x_1 = b_1 * (c_1 * c_1) * f_third * d_1_km
    x_2 = b_2 * (c_2 * c_2) * f_third * d_2_km
    return f_m_third, f_third, x_1, x_2, _height_function(x_1, k_1), _height_function(x_2, k_2)


@_jitable
def _smooth_earth(
    d: float,
    a_e: float,
    theta_los: float,
    d_ml: float,
    z_g_abs: float,
    f_m_third: float,
    f_third: float,
    x_1: float,
    x_2: float,
    f_x_1: float,
    f_x_2: float,
) -> float:
    """Smooth-earth diffraction loss at distance ``d`` by Vogler's three-radii method.

    NTIA src/SmoothEarthDiffraction.cpp, [Vogler 1964, Eqns 2, 6a, 13], [Algorithm,
    4.20]; the terminal terms come from :func:`_smooth_earth_terminals`.
    """
    theta_nlos = d / a_e - theta_los
    a_0 = (d - d_ml) / (d / a_e - theta_los)
    d_0_km = (a_0 * theta_nlos) / 1000.0
    c_0 = math.pow((4.0 / 3.0) * _A_0_M / a_0, _THIRD)
    k_0 = 0.017778 * c_0 * f_m_third / z_g_abs
    b_0 = 1.607 - k_0
    x_0 = b_0 * (c_0 * c_0) * f_third * d_0_km + x_1 + x_2
    g_x = 0.05751 * x_0 - 10.0 * _log10(x_0)
    return g_x - f_x_1 - f_x_2 - 20


@_jitable
def _clutter_terms(
    he_tx: float,
    he_rx: float,
    delta_h: float,
    h_tx: float,
    h_rx: float,
    mode: int,
    d_sml: float,
    f_mhz: float,
) -> tuple[float, float]:
    """The distance-independent part of NTIA's ``DiffractionLoss``.

    Clutter factor A_fo [ERL 79-ITS 67, Eqn 3.38c] (with Δh(d_sML), page 3-13) and the
    square-root term of the weighting factor [ERL 79-ITS 67, Eqn 3.23] (C = 10 m² in
    point-to-point mode, page 3-8). Returns ``(a_fo_db, term1)``.
    """
    delta_h_dsml = _terrain_roughness(d_sml, delta_h)
    sigma_h_d = _sigma_h(delta_h_dsml)
    a_fo = _min(15.0, 5 * math.log10(1.0 + 1e-5 * h_tx * h_rx * f_mhz * sigma_h_d))
    q = h_tx * h_rx
    qk = he_tx * he_rx - q
    if mode == _MODE_P2P:
        q += 10.0
    return a_fo, math.sqrt(1.0 + qk / q)


@_jitable
def _diffraction_loss(
    d: float,
    dh_tx: float,
    dh_rx: float,
    a_e: float,
    delta_h: float,
    theta_los: float,
    f_mhz: float,
    z_g_abs: float,
    a_fo: float,
    term1: float,
    f_m_third: float,
    f_third: float,
    x_1: float,
    x_2: float,
    f_x_1: float,
    f_x_2: float,
) -> float:
    """Diffraction loss at ``d``: weighted knife-edge and smooth-earth loss plus clutter.

    NTIA src/DiffractionLoss.cpp, [ERL 79-ITS 67, Eqns 3.23, 3.38c].
    """
    d_ml = dh_tx + dh_rx
    a_k = _knife_edge(d, f_mhz, a_e, theta_los, dh_tx, dh_rx)
    a_se = _smooth_earth(
        d, a_e, theta_los, d_ml, z_g_abs, f_m_third, f_third, x_1, x_2, f_x_1, f_x_2
    )
    delta_h_d = _terrain_roughness(d, delta_h)
    q = (term1 + (-theta_los * a_e + d_ml) / d) * _min(delta_h_d * f_mhz / 47.7, 6283.2)
    w = 25.1 / (25.1 + math.sqrt(q))
    return w * a_se + (1.0 - w) * a_k + a_fo


@_jitable
def _line_of_sight_loss(
    d: float,
    he_tx: float,
    he_rx: float,
    z_g_re: float,
    z_g_im: float,
    delta_h: float,
    m_d: float,
    a_d0: float,
    d_sml: float,
    f_mhz: float,
) -> float:
    """Two-ray loss blended with the extended diffraction line, NTIA src/LineOfSightLoss.cpp.

    [Algorithm, Eqns 4.46-4.50].
    """
    delta_h_d = _terrain_roughness(d, delta_h)
    sigma_h_d = _sigma_h(delta_h_d)
    wn = f_mhz / 47.7
    he_sum = he_tx + he_rx
    sin_psi = he_sum / math.sqrt(d * d + he_sum * he_sum)
    # R_e = (sin_psi - Z_g) / (sin_psi + Z_g) * exp(-min(10, k sigma_h sin_psi))
    r_re, r_im = _cdiv(sin_psi - z_g_re, -z_g_im, sin_psi + z_g_re, z_g_im)
    att = math.exp(-_min(10.0, wn * sigma_h_d * sin_psi))
    r_re = r_re * att
    r_im = r_im * att
    q = r_re * r_re + r_im * r_im
    if q < 0.25 or q < sin_psi:
        scale = math.sqrt(sin_psi / q)
        r_re = r_re * scale
        r_im = r_im * scale
    delta_phi = wn * 2.0 * he_tx * he_rx / d
    if delta_phi > _PI / 2.0:
        delta_phi = _PI - (_PI / 2.0) * (_PI / 2.0) / delta_phi
    rr_re = math.cos(delta_phi) + r_re
    rr_im = -math.sin(delta_phi) + r_im
    a_t = -10 * _log10(rr_re * rr_re + rr_im * rr_im)
    a_d = m_d * d + a_d0
    w = 1 / (1 + f_mhz * delta_h / _max(10e3, d_sml))
    return w * a_t + (1 - w) * a_d


@_jitable
def _h0_curve(j: int, r: float) -> float:
    """H_01(r, j), [Algorithm, 6.13]."""
    return 10 * math.log10(1 + _H0_A[j] * math.pow(1 / r, 4.0) + _H0_B[j] * ((1.0 / r) * (1.0 / r)))


@_jitable
def _h0_function(r: float, eta_s: float) -> float:
    """Troposcatter frequency gain H_0(r, η_s), [TN101v1, Ch 9.2], NTIA src/H0Function.cpp."""
    eta_s = _min(_max(eta_s, 1.0), 5.0)
    i = int(eta_s)
    q = eta_s - i
    result = _h0_curve(i - 1, r)
    if q != 0.0:
        result = (1.0 - q) * result + q * _h0_curve(i, r)
    return result


@_jitable
def _f_function(td: float) -> float:
    """Attenuation function F(θd), [Algorithm, 6.9]."""
    if td <= 10e3:
        i = 0
    elif td <= 70e3:
        i = 1
    else:
        i = 2
    return float(_F_A[i] + _F_B[i] * td + _F_C[i] * math.log10(td))


@_jitable
def _troposcatter_loss(
    d: float,
    th_tx: float,
    th_rx: float,
    dh_tx: float,
    dh_rx: float,
    he_tx: float,
    he_rx: float,
    a_e: float,
    n_s: float,
    f_mhz: float,
    theta_los: float,
    h0: float,
) -> tuple[float, float]:
    """Troposcatter loss, NTIA src/TroposcatterLoss.cpp [TN101, Eqns 9.3-9.5], [Algorithm, 4.63].

    ``h0`` is NTIA's in/out H_0 value (-1 on the first call). Returns ``(loss, h0)``.
    """
    wn = f_mhz / 47.7
    if h0 > 15.0:
        h_0 = h0
    else:
        ad = dh_tx - dh_rx
        rr = he_rx / he_tx
        if ad < 0.0:
            ad = -ad
            rr = 1.0 / rr
        theta = th_tx + th_rx + d / a_e
        r_1 = 2.0 * wn * theta * he_tx
        r_2 = 2.0 * wn * theta * he_rx
        if r_1 < 0.2 and r_2 < 0.2:
            return 1001.0, h0
        s = (d - ad) / (d + ad)
        q = _min(_max(0.1, rr / s), 10.0)
        s = _max(0.1, s)
        h_0_m = (d - ad) * (d + ad) * theta * 0.25 / d
        z_0 = 1.7556e3
        z_1 = 8.0e3
        eta_s = (h_0_m / z_0) * (
            1.0
            + (0.031 - n_s * 2.32e-3 + (n_s * n_s) * 5.67e-6)
            * math.exp(-math.pow(_min(1.7, h_0_m / z_1), 6.0))
        )
        h_00 = (_h0_function(r_1, eta_s) + _h0_function(r_2, eta_s)) / 2
        delta_h_0 = _min(
            h_00, 6.0 * (0.6 - math.log10(_max(eta_s, 1.0))) * math.log10(s) * math.log10(q)
        )
        h_0 = h_00 + delta_h_0
        h_0 = _max(h_0, 0.0)
        if eta_s < 1.0:
            t = (1.0 + _SQRT2 / r_1) * (1.0 + _SQRT2 / r_2)
            h_0 = eta_s * h_0 + (1.0 - eta_s) * 10 * _log10(
                (t * t) * (r_1 + r_2) / (r_1 + r_2 + 2 * _SQRT2)
            )
        if h_0 > 15.0 and h0 >= 0.0:
            h_0 = h0
    th = d / a_e - theta_los
    loss = (
        _f_function(th * d)
        + 10 * math.log10(wn * 47.7 * math.pow(th, 4.0))
        - 0.1 * (n_s - 301.0) * math.exp(-th * d / 40e3)
        + h_0
    )
    return loss, h_0


@_jitable
def _longley_rice(
    th_tx: float,
    th_rx: float,
    f_mhz: float,
    z_g_re: float,
    z_g_im: float,
    dh_tx: float,
    dh_rx: float,
    he_tx: float,
    he_rx: float,
    gamma_e: float,
    n_s: float,
    delta_h: float,
    h_tx: float,
    h_rx: float,
    d: float,
    mode: int,
    warnings: int,
) -> tuple[int, int, float, int]:
    """Reference attenuation A_ref by the Longley–Rice method, NTIA src/LongleyRice.cpp.

    Line of sight [ERL 79-ITS 67, Eqns 3.16-3.21], diffraction line from two far
    distances, troposcatter line from d_ML + 200 km and + 400 km [Algorithm, Sec 4].
    Returns ``(return_code, warnings, a_ref_db, propagation_mode)``.
    """
    a_e = 1 / gamma_e
    d_hzn_s_tx = math.sqrt(2.0 * he_tx * a_e)
    d_hzn_s_rx = math.sqrt(2.0 * he_rx * a_e)
    d_sml = d_hzn_s_tx + d_hzn_s_rx
    d_ml = dh_tx + dh_rx
    theta_los = -_max(th_tx + th_rx, -d_ml / a_e)

    if abs(th_tx) > 200e-3:
        warnings |= WARN_TX_HORIZON_ANGLE
    if abs(th_rx) > 200e-3:
        warnings |= WARN_RX_HORIZON_ANGLE
    if dh_tx < 0.1 * d_hzn_s_tx:
        warnings |= WARN_TX_HORIZON_DISTANCE_1
    if dh_rx < 0.1 * d_hzn_s_rx:
        warnings |= WARN_RX_HORIZON_DISTANCE_1
    if dh_tx > 3.0 * d_hzn_s_tx:
        warnings |= WARN_TX_HORIZON_DISTANCE_2
    if dh_rx > 3.0 * d_hzn_s_rx:
        warnings |= WARN_RX_HORIZON_DISTANCE_2

    if n_s < 150:
        return ERROR_SURFACE_REFRACTIVITY_SMALL, warnings, math.nan, MODE_NOT_SET
    if n_s > 400:
        return ERROR_SURFACE_REFRACTIVITY_LARGE, warnings, math.nan, MODE_NOT_SET
    if n_s < 250:
        warnings |= WARN_SURFACE_REFRACTIVITY
    if a_e < 4000000 or a_e > 13333333:
        return ERROR_EFFECTIVE_EARTH, warnings, math.nan, MODE_NOT_SET
    if z_g_re <= abs(z_g_im):
        return ERROR_GROUND_IMPEDANCE, warnings, math.nan, MODE_NOT_SET
    z_g_abs = math.hypot(z_g_re, z_g_im)

    scale = math.pow(a_e * a_e / f_mhz, 1.0 / 3.0)
    d_3 = _max(d_sml, d_ml + 5.0 * scale)
    d_4 = d_3 + 10.0 * scale
    a_fo, term1 = _clutter_terms(he_tx, he_rx, delta_h, h_tx, h_rx, mode, d_sml, f_mhz)
    f_m_third, f_third, x_1, x_2, f_x_1, f_x_2 = _smooth_earth_terminals(
        f_mhz, dh_tx, dh_rx, he_tx, he_rx, z_g_abs
    )
    a_3 = _diffraction_loss(
        d_3,
        dh_tx,
        dh_rx,
        a_e,
        delta_h,
        theta_los,
        f_mhz,
        z_g_abs,
        a_fo,
        term1,
        f_m_third,
        f_third,
        x_1,
        x_2,
        f_x_1,
        f_x_2,
    )
    a_4 = _diffraction_loss(
        d_4,
        dh_tx,
        dh_rx,
        a_e,
        delta_h,
        theta_los,
        f_mhz,
        z_g_abs,
        a_fo,
        term1,
        f_m_third,
        f_third,
        x_1,
        x_2,
        f_x_1,
        f_x_2,
    )
    m_d = (a_4 - a_3) / (d_4 - d_3)
    a_d0 = a_3 - m_d * d_3

    d_min = abs(he_tx - he_rx) / 200e-3
    if d < d_min:
        warnings |= WARN_PATH_DISTANCE_TOO_SMALL_1
    if d < 1e3:
        warnings |= WARN_PATH_DISTANCE_TOO_SMALL_2
    if d > 1000e3:
        warnings |= WARN_PATH_DISTANCE_TOO_BIG_1
    if d > 2000e3:
        warnings |= WARN_PATH_DISTANCE_TOO_BIG_2

    if d < d_sml:
        # line of sight
        a_sml = d_sml * m_d + a_d0
        d_0 = 0.04 * f_mhz * he_tx * he_rx
        if a_d0 >= 0.0:
            d_0 = _min(d_0, 0.5 * d_ml)
            d_1 = d_0 + 0.25 * (d_ml - d_0)
        else:
            d_1 = _max(-a_d0 / m_d, 0.25 * d_ml)
        a_1 = _line_of_sight_loss(
            d_1, he_tx, he_rx, z_g_re, z_g_im, delta_h, m_d, a_d0, d_sml, f_mhz
        )
        flag = False
        k_1 = 0.0
        k_2 = 0.0
        if d_0 < d_1:
            a_0 = _line_of_sight_loss(
                d_0, he_tx, he_rx, z_g_re, z_g_im, delta_h, m_d, a_d0, d_sml, f_mhz
            )
            q = math.log(d_sml / d_0)
            k_2 = _max(
                0.0,
                ((d_sml - d_0) * (a_1 - a_0) - (d_1 - d_0) * (a_sml - a_0))
                / ((d_sml - d_0) * math.log(d_1 / d_0) - (d_1 - d_0) * q),
            )
            flag = a_d0 > 0.0 or k_2 > 0.0
            if flag:
                k_1 = (a_sml - a_0 - k_2 * q) / (d_sml - d_0)
                if k_1 < 0.0:
                    k_1 = 0.0
                    k_2 = _dim(a_sml, a_0) / q
                    if k_2 == 0.0:
                        k_1 = m_d
        if not flag:
            k_1 = _dim(a_sml, a_1) / (d_sml - d_1)
            k_2 = 0.0
            if k_1 == 0.0:
                k_1 = m_d
        a_o = a_sml - k_1 * d_sml - k_2 * math.log(d_sml)
        a_ref = a_o + k_1 * d + k_2 * math.log(d)
        prop_mode = MODE_LINE_OF_SIGHT
    else:
        # trans-horizon: diffraction or troposcatter
        d_5 = d_ml + 200e3
        d_6 = d_ml + 400e3
        a_6, h0 = _troposcatter_loss(
            d_6, th_tx, th_rx, dh_tx, dh_rx, he_tx, he_rx, a_e, n_s, f_mhz, theta_los, -1.0
        )
        a_5, h0 = _troposcatter_loss(
            d_5, th_tx, th_rx, dh_tx, dh_rx, he_tx, he_rx, a_e, n_s, f_mhz, theta_los, h0
        )
        if a_5 < 1000.0:
            m_s = (a_6 - a_5) / 200e3
            d_x = _max(
                _max(d_sml, d_ml + 1.088 * scale * math.log(f_mhz)),
                (a_5 - a_d0 - m_s * d_5) / (m_d - m_s),
            )
            a_s0 = (m_d - m_s) * d_x + a_d0
        else:
            m_s = m_d
            a_s0 = a_d0
            d_x = 10e6
        if d > d_x:
            a_ref = m_s * d + a_s0
            prop_mode = MODE_TROPOSCATTER
        else:
            a_ref = m_d * d + a_d0
            prop_mode = MODE_DIFFRACTION
    a_ref = _max(a_ref, 0.0)
    return SUCCESS, warnings, a_ref, prop_mode


# --------------------------------------------------------------------------------------
# Variability: Variability.cpp, InverseComplementaryCumulativeDistributionFunction.cpp


@_jitable
def _iccdf(q: float) -> float:
    """Inverse complementary normal CDF Q⁻¹(q), Abramowitz & Stegun 26.2.23 (|ε| < 4.5e-4)."""
    x = q
    if q > 0.5:
        x = 1.0 - x
    t_x = math.sqrt(-2.0 * math.log(x))
    zeta_x = ((0.010328 * t_x + 0.802853) * t_x + 2.515516) / (
        ((0.001308 * t_x + 0.189269) * t_x + 1.432788) * t_x + 1.0
    )
    q_q = t_x - zeta_x
    if q > 0.5:
        q_q = -q_q
    return q_q


@_jitable
def _curve(c1: float, c2: float, x1: float, x2: float, x3: float, d_e: float) -> float:
    """Climate curve of TN101v2 Eqns III.69-70 (NTIA ``Curve``)."""
    t = (d_e - x2) / x3
    u = d_e / x1
    return (c1 + c2 / (1.0 + t * t)) * (u * u) / (1.0 + (u * u))


@_jitable
def _variability(
    time: float,
    location: float,
    situation: float,
    he_tx: float,
    he_rx: float,
    delta_h: float,
    f_mhz: float,
    d: float,
    a_ref: float,
    climate: int,
    mdvar: int,
    warnings: int,
) -> tuple[float, int]:
    """Variability of the loss about the reference, NTIA src/Variability.cpp.

    [Algorithm, Eqns 5.3, 5.9-5.11, Table 5.1], [Hufford 1982] for the +10/+20 flags.
    Returns ``(attenuation_db, warnings)``: the loss in excess of free space.
    """
    z_t = _iccdf(time / 100)
    z_l = _iccdf(location / 100)
    z_s = _iccdf(situation / 100)
    c = climate - 1
    wn = f_mhz / 47.7
    d_ex = (
        math.sqrt(2 * _A_9000_M * he_tx)
        + math.sqrt(2 * _A_9000_M * he_rx)
        + math.pow((575.7e12 / wn), _THIRD)
    )
    d_e = 130e3 * d / d_ex if d < d_ex else 130e3 + d - d_ex

    mdv = mdvar
    plus20 = mdv >= 20
    if plus20:
        mdv -= 20
    sigma_s = 0.0 if plus20 else 5.0 + 3.0 * math.exp(-d_e / 100e3)
    plus10 = mdv >= 10
    if plus10:
        mdv -= 10

    v_med = _curve(
        _ALL_YEAR[0, c], _ALL_YEAR[1, c], _ALL_YEAR[2, c], _ALL_YEAR[3, c], _ALL_YEAR[4, c], d_e
    )
    if mdv == _SINGLE_MESSAGE_MODE:
        z_t = z_s
        z_l = z_s
    elif mdv == _ACCIDENTAL_MODE:
        z_l = z_s
    elif mdv == _MOBILE_MODE:
        z_l = z_t
    if abs(z_t) > 3.10 or abs(z_l) > 3.10 or abs(z_s) > 3.10:
        warnings |= WARN_EXTREME_VARIABILITIES

    if plus10:
        sigma_l = 0.0
    else:
        delta_h_d = _terrain_roughness(d, delta_h)
        sigma_l = 10.0 * wn * delta_h_d / (wn * delta_h_d + 13.0)
    y_l = sigma_l * z_l

    q = math.log(0.133 * wn)
    t = _BFM3[c] * q
    g_minus = _BFM1[c] + _BFM2[c] / ((t * t) + 1.0)
    t = _BFP3[c] * q
    g_plus = _BFP1[c] + _BFP2[c] / ((t * t) + 1.0)
    sigma_t_minus = _curve(_BSM1[c], _BSM2[c], _XSM1[c], _XSM2[c], _XSM3[c], d_e) * g_minus
    sigma_t_plus = _curve(_BSP1[c], _BSP2[c], _XSP1[c], _XSP2[c], _XSP3[c], d_e) * g_plus
    sigma_td = _C_D[c] * sigma_t_plus
    tgtd = (sigma_t_plus - sigma_td) * _Z_D[c]
    if z_t < 0.0:
        sigma_t = sigma_t_minus
    elif z_t <= _Z_D[c]:
        sigma_t = sigma_t_plus
    else:
        sigma_t = sigma_td + tgtd / z_t
    y_t = sigma_t * z_t

    y_s_temp = (
        (sigma_s * sigma_s) + (y_t * y_t) / (7.8 + (z_s * z_s)) + (y_l * y_l) / (24.0 + (z_s * z_s))
    )
    if mdv == _SINGLE_MESSAGE_MODE:
        y_r = 0.0
        y_s = math.sqrt((sigma_t * sigma_t) + (sigma_l * sigma_l) + y_s_temp) * z_s
    elif mdv == _ACCIDENTAL_MODE:
        y_r = y_t
        y_s = math.sqrt((sigma_l * sigma_l) + y_s_temp) * z_s
    elif mdv == _MOBILE_MODE:
        y_r = math.sqrt((sigma_t * sigma_t) + (sigma_l * sigma_l)) * z_t
        y_s = math.sqrt(y_s_temp) * z_s
    else:
        y_r = y_t + y_l
        y_s = math.sqrt(y_s_temp) * z_s

    result = a_ref - v_med - y_r - y_s
    if result < 0.0:
        result = result * (29.0 - result) / (29.0 - 10.0 * result)
    return result, warnings


@_jitable
def _free_space_loss(d: float, f_mhz: float) -> float:
    """Free-space basic transmission loss, NTIA src/FreeSpaceLoss.cpp."""
    return 32.45 + 20.0 * math.log10(f_mhz) + 20.0 * math.log10(d / 1000.0)


# --------------------------------------------------------------------------------------
# One path: ITM_P2P_TLS_Ex (itm_p2p.cpp) and ITM_AREA_TLS_Ex (itm_area.cpp)


@_jitable
def _error_result(rtn: int, warnings: int, d_km: float) -> PathResult:
    """The outputs of a failed path: NaN everywhere but the distance (if known)."""
    nan = math.nan
    return (
        rtn,
        warnings,
        MODE_NOT_SET,
        nan,
        d_km,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
    )


@_jitable
def _loss_and_result(
    th_tx: float,
    th_rx: float,
    dh_tx: float,
    dh_rx: float,
    he_tx: float,
    he_rx: float,
    delta_h: float,
    d: float,
    d_km: float,
    h_tx: float,
    h_rx: float,
    f_mhz: float,
    gamma_e: float,
    n_s: float,
    z_g_re: float,
    z_g_im: float,
    mode: int,
    climate: int,
    mdvar: int,
    time: float,
    location: float,
    situation: float,
    warnings: int,
) -> PathResult:
    """Reference attenuation, free space and variability: the common tail of
    NTIA's ``ITM_P2P_TLS_Ex`` and ``ITM_AREA_TLS_Ex`` once the path geometry is known."""
    rtn, warnings, a_ref, prop_mode = _longley_rice(
        th_tx, th_rx, f_mhz, z_g_re, z_g_im, dh_tx, dh_rx, he_tx, he_rx, gamma_e, n_s,
        delta_h, h_tx, h_rx, d, mode, warnings,
    )  # fmt: skip
    if rtn != SUCCESS:
        return _error_result(rtn, warnings, d_km)
    a_fs = _free_space_loss(d, f_mhz)
    a_var, warnings = _variability(
        time, location, situation, he_tx, he_rx, delta_h, f_mhz, d, a_ref, climate, mdvar,
        warnings,
    )  # fmt: skip
    rtn = SUCCESS_WITH_WARNINGS if warnings != 0 else SUCCESS
    return (
        rtn, warnings, prop_mode, a_var + a_fs, d_km, th_tx, th_rx, dh_tx, dh_rx, he_tx,
        he_rx, n_s, delta_h, a_ref, a_fs,
    )  # fmt: skip


@_jitable
def p2p_path(
    z: Vec,
    n_points: int,
    xi: float,
    h_tx: float,
    h_rx: float,
    climate: int,
    n_0: float,
    f_mhz: float,
    pol: int,
    epsilon: float,
    sigma: float,
    mdvar: int,
    time: float,
    location: float,
    situation: float,
    work: Vec,
    iwork: IVec,
) -> PathResult:
    """ITM point-to-point, time/location/situation, for one path (``ITM_P2P_TLS_Ex``).

    ``z`` holds at least ``n_points`` elevations (m) spaced ``xi`` metres apart, from
    the transmitter to the receiver; ``work`` (4, :data:`SCRATCH_LEN`) floats and
    ``iwork`` (:data:`ISCRATCH_LEN`) integers are scratch arrays. Returns a
    :data:`PathResult` 15-tuple; on an error every float but the distance (when known) is
    NaN, as NTIA leaves them unset.
    """
    rtn, warnings = _validate_inputs(
        h_tx, h_rx, climate, time, location, situation, n_0, f_mhz, pol, epsilon, sigma, mdvar
    )
    if rtn != SUCCESS:
        return _error_result(rtn, warnings, math.nan)
    bad = n_points < 2 or n_points > z.shape[0] or not (xi > 0.0 and (n_points - 1) * xi < math.inf)
    if not bad:
        for i in range(n_points):
            if not math.isfinite(z[i]):
                bad = True
                break
    if bad:
        return _error_result(ERROR_INVALID_PROFILE, warnings, math.nan)
    np_ = n_points - 1
    d_km = (np_ * xi) / 1000

    # mean path elevation, ignoring the first and last 10 %
    p10 = int(0.1 * np_)
    h_sys = 0.0
    for i in range(p10, np_ - p10 + 1):
        h_sys += z[i]
    h_sys = h_sys / (np_ - 2 * p10 + 1)

    n_s, gamma_e, z_g_re, z_g_im = _initialize(f_mhz, h_sys, n_0, pol, epsilon, sigma)
    th_tx, th_rx, dh_tx, dh_rx, he_tx, he_rx, delta_h, d = _quick_pfl(
        z, np_, xi, gamma_e, h_tx, h_rx, work, iwork
    )
    return _loss_and_result(
        th_tx, th_rx, dh_tx, dh_rx, he_tx, he_rx, delta_h, d, d_km, h_tx, h_rx, f_mhz,
        gamma_e, n_s, z_g_re, z_g_im, _MODE_P2P, climate, mdvar, time, location, situation,
        warnings,
    )  # fmt: skip


@_jitable
def area_path(
    h_tx: float,
    h_rx: float,
    tx_site: int,
    rx_site: int,
    d_km: float,
    delta_h: float,
    climate: int,
    n_0: float,
    f_mhz: float,
    pol: int,
    epsilon: float,
    sigma: float,
    mdvar: int,
    time: float,
    location: float,
    situation: float,
) -> PathResult:
    """ITM area mode, time/location/situation, for one path (``ITM_AREA_TLS_Ex``).

    Returns the same 15-tuple as :func:`p2p_path`.
    """
    rtn, warnings = _validate_inputs(
        h_tx, h_rx, climate, time, location, situation, n_0, f_mhz, pol, epsilon, sigma, mdvar
    )
    if rtn == SUCCESS:
        if not (d_km > 0.0) or d_km == math.inf:
            rtn = ERROR_PATH_DISTANCE
        elif not (delta_h >= 0.0) or delta_h == math.inf:
            rtn = ERROR_DELTA_H
        elif tx_site < 0 or tx_site > 2:
            rtn = ERROR_TX_SITING_CRITERIA
        elif rx_site < 0 or rx_site > 2:
            rtn = ERROR_RX_SITING_CRITERIA
    if rtn != SUCCESS:
        return _error_result(rtn, warnings, math.nan)
    n_s, gamma_e, z_g_re, z_g_im = _initialize(f_mhz, 0.0, n_0, pol, epsilon, sigma)
    he_tx, dh_tx, th_tx = _initialize_area_terminal(tx_site, gamma_e, delta_h, h_tx)
    he_rx, dh_rx, th_rx = _initialize_area_terminal(rx_site, gamma_e, delta_h, h_rx)
    d = d_km * 1000
    return _loss_and_result(
        th_tx, th_rx, dh_tx, dh_rx, he_tx, he_rx, delta_h, d, d_km, h_tx, h_rx, f_mhz,
        gamma_e, n_s, z_g_re, z_g_im, _MODE_AREA, climate, mdvar, time, location, situation,
        warnings,
    )  # fmt: skip


# --------------------------------------------------------------------------------------
# Batched kernels


@_jitable
def _store(
    r: PathResult,
    k: int,
    out_f: Vec,
    out_rc: npt.NDArray[np.int32],
    out_warn: IVec,
    out_mode: npt.NDArray[np.int32],
) -> None:
    """Write one path's 15-tuple into the output arrays at index ``k``."""
    out_rc[k] = r[0]
    out_warn[k] = r[1]
    out_mode[k] = r[2]
    out_f[0, k] = r[3]
    out_f[1, k] = r[4]
    out_f[2, k] = r[5]
    out_f[3, k] = r[6]
    out_f[4, k] = r[7]
    out_f[5, k] = r[8]
    out_f[6, k] = r[9]
    out_f[7, k] = r[10]
    out_f[8, k] = r[11]
    out_f[9, k] = r[12]
    out_f[10, k] = r[13]
    out_f[11, k] = r[14]


@njit(parallel=True, cache=True, error_model="numpy")
def p2p_kernel(
    elevation: Vec,
    n_points: IVec,
    spacing: Vec,
    h_tx: Vec,
    h_rx: Vec,
    climate: IVec,
    n_0: Vec,
    f_mhz: Vec,
    pol: IVec,
    epsilon: Vec,
    sigma: Vec,
    mdvar: IVec,
    time: Vec,
    location: Vec,
    situation: Vec,
    out_f: Vec,
    out_rc: npt.NDArray[np.int32],
    out_warn: IVec,
    out_mode: npt.NDArray[np.int32],
) -> None:
    """Point-to-point TLS over a batch of paths, in parallel over chunks of paths.

    ``elevation`` is (n_paths, max_points); every other input is a 1-D array of length
    n_paths (already broadcast). Outputs are written into ``out_f`` (N_OUT_F, n_paths),
    ``out_rc``, ``out_warn`` and ``out_mode`` (n_paths,).
    """
    n = elevation.shape[0]
    n_chunks = (n + CHUNK_PATHS - 1) // CHUNK_PATHS
    for c in prange(n_chunks):
        work = np.empty((4, SCRATCH_LEN))
        iwork = np.empty(ISCRATCH_LEN, dtype=np.int64)
        stop = min(n, (c + 1) * CHUNK_PATHS)
        for k in range(c * CHUNK_PATHS, stop):
            r = p2p_path(
                elevation[k],
                n_points[k],
                spacing[k],
                h_tx[k],
                h_rx[k],
                climate[k],
                n_0[k],
                f_mhz[k],
                pol[k],
                epsilon[k],
                sigma[k],
                mdvar[k],
                time[k],
                location[k],
                situation[k],
                work,
                iwork,
            )
            _store(r, k, out_f, out_rc, out_warn, out_mode)


@njit(parallel=True, cache=True, error_model="numpy")
def area_kernel(
    h_tx: Vec,
    h_rx: Vec,
    tx_site: IVec,
    rx_site: IVec,
    d_km: Vec,
    delta_h: Vec,
    climate: IVec,
    n_0: Vec,
    f_mhz: Vec,
    pol: IVec,
    epsilon: Vec,
    sigma: Vec,
    mdvar: IVec,
    time: Vec,
    location: Vec,
    situation: Vec,
    out_f: Vec,
    out_rc: npt.NDArray[np.int32],
    out_warn: IVec,
    out_mode: npt.NDArray[np.int32],
) -> None:
    """Area-mode TLS over a batch of paths (all inputs 1-D, already broadcast)."""
    n = h_tx.shape[0]
    for k in prange(n):
        r = area_path(
            h_tx[k],
            h_rx[k],
            tx_site[k],
            rx_site[k],
            d_km[k],
            delta_h[k],
            climate[k],
            n_0[k],
            f_mhz[k],
            pol[k],
            epsilon[k],
            sigma[k],
            mdvar[k],
            time[k],
            location[k],
            situation[k],
        )
        _store(r, k, out_f, out_rc, out_warn, out_mode)
