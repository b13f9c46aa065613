"""Numba kernels of the coverage raster: incremental ITM point-to-point along rays (private).

The public API is :mod:`alcance.coverage.raster`. One call computes the NTIA ITM
point-to-point (TLS) loss from one site to many receiver pixels: rays leave the site
along WGS 84 geodesics, the terrain is sampled once per ray at a fixed step, and the
profile to a receiver at ray sample ``k`` (spacing ``ξ = d / k``, d its exact distance)
is the ray prefix ``z_0 … z_{t0-1}`` followed by a short *tail*: points ``t0 … k − 1``
(``t0 = k − J``) sampled on the straight line to the receiver at their stated
distances ``i ξ``, and the receiver's own ground height. The quantities that NTIA's
``QuickPfl`` derives from that profile are maintained incrementally along the ray:

* horizons (``FindHorizons.cpp``): both are tangents to the upper convex hull of the
  interior points in curvature-reduced coordinates ``u_i = z_i − λ i²`` with
  ``λ = ξ² / (2 a_e)`` (ξ the spacing, a_e the effective earth radius). The
  transmitter horizon maximises ``(u_i − z_tx) / i`` (tangent from the left), the
  receiver horizon ``(u_i − U) / (k − i)`` with ``U = z_rx − λ k²`` (tangent from the
  right). The hull is kept by Andrew's monotone chain (amortised O(1) per sample) and
  each tangent is a binary search (O(log n)); the few hull vertices around the tangent
  are then re-evaluated with NTIA's own formula, so ties and rounding follow NTIA.
  ``λ`` changes with the path (a_e depends on the mean path elevation, ξ on the
  receiver's exact distance); the hull is built for ``λ₀ ≥ λ`` and rebuilt when λ
  leaves ``[λ₀ (1 − tol), λ₀]``. For ``λ ≤ λ₀`` the vertices of the true hull are a
  subset of the λ₀ hull (subtracting a smaller parabola is adding a convex function,
  which only removes vertices), so the true tangent vertex is present; the binary
  search on that slightly non-concave chain plus the ±2 neighbours found it in every
  test. The tail points are scanned directly. Where one of QuickPfl's index
  truncations lands exactly on an integer, NTIA's running distance sums are replayed
  (:func:`_ntia_horizon_distances`).
* least-squares fits (``LinearLeastSquaresFit.cpp``, effective heights): O(1) from
  prefix sums of ``z_i`` and ``i z_i`` over NTIA's exact index ranges (the trapezoid
  end weights included); equal to NTIA's sequential sums to rounding.
* mean path elevation ``h_sys`` (``itm_p2p.cpp``, for N_s and a_e): prefix sums.
* terrain irregularity Δh (``ComputeDeltaH.cpp``): exact (NTIA's resampling to at most
  245 points and interdecile range) for receivers up to ``dh_exact_max`` samples from
  the site; beyond, linearly interpolated in k between exact values at anchor samples
  spaced ``ceil(a / dh_ratio)`` apart (a first pass along the ray computes the
  anchors). This is the one approximation of the per-path parameters.

The common tail (``LongleyRice``, free space, variability) is NTIA's, called through
:func:`alcance.propagation._itm_core._loss_and_result`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from alcance.propagation._itm_core import (
    _MODE_P2P,
    ISCRATCH_LEN,
    SCRATCH_LEN,
    SUCCESS,
    _compute_delta_h,
    _dim,
    _horizon_distance,
    _initialize,
    _jitable,
    _loss_and_result,
    _min,
    _validate_inputs,
    p2p_path,
)
from alcance.terrain._interp import bilinear_one
from alcance.terrain.horizon import _radii_m, _ray_points_kernel

Vec = npt.NDArray[np.float64]
IVec = npt.NDArray[np.int64]

#: LLVM fast-math flags of the raster kernel (inherited by the ITM functions it
#: inlines): reassociation, reciprocals, contraction to FMA, approximate functions,
#: no signed zeros. Not ``nnan``/``ninf``: NaN marks voids and off-grid samples.
FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
#: Hull vertices on each side of the binary-search tangent re-evaluated exactly.
TANGENT_NEIGHBOURS = 2
#: Outputs of :func:`profile_parameters`, in order.
PARAM_FIELDS = (
    "theta_hzn_tx_rad",
    "theta_hzn_rx_rad",
    "d_hzn_tx_m",
    "d_hzn_rx_m",
    "h_e_tx_m",
    "h_e_rx_m",
    "delta_h_m",
    "n_s_n_units",
)


# --------------------------------------------------------------------------------------
# Upper convex hull of (i, u_i), incremental


@_jitable
def hull_push(hx: IVec, hu: Vec, m: int, i: int, u: float) -> int:
    """Append point ``(i, u)`` (``i`` increasing) to the upper hull; returns its new size.

    Andrew's monotone chain: pops while the last two vertices and the new point do not
    turn clockwise (collinear middle points are dropped).
    """
    while m >= 2:
        ox = hx[m - 2]
        ou = hu[m - 2]
        cross = (hx[m - 1] - ox) * (u - ou) - (hu[m - 1] - ou) * (i - ox)
        if cross >= 0.0:
            m -= 1
        else:
            break
    hx[m] = i
    hu[m] = u
    return m + 1


@_jitable
def hull_build(zr: Vec, k: int, lam0: float, hx: IVec, hu: Vec) -> int:
    """Upper hull of ``(i, zr[i] − lam0 i²)`` for ``i = 1 … k − 1``; returns its size."""
    m = 0
    for i in range(1, k):
        m = hull_push(hx, hu, m, i, zr[i] - lam0 * i * i)
    return m


@_jitable
def _tangent_right(hx: IVec, hu: Vec, m: int, k: float, big_u: float) -> int:
    """Hull vertex minimising ``(U − u_j) / (k − x_j)`` (tangent from ``(k, U)``)."""
    lo = 0
    hi = m - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        s0 = (big_u - hu[mid]) / (k - hx[mid])
        s1 = (big_u - hu[mid + 1]) / (k - hx[mid + 1])
        if s1 < s0:
            lo = mid + 1
        else:
            hi = mid
    return lo


@_jitable
def _tangent_left(hx: IVec, hu: Vec, m: int, z_tx: float) -> int:
    """Hull vertex maximising ``(u_j − z_tx) / x_j`` (tangent from ``(0, z_tx)``)."""
    lo = 0
    hi = m - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        g0 = (hu[mid] - z_tx) / hx[mid]
        g1 = (hu[mid + 1] - z_tx) / hx[mid + 1]
        if g1 > g0:
            lo = mid + 1
        else:
            hi = mid
    return lo


# --------------------------------------------------------------------------------------
# Prefix-sum forms of NTIA's profile sums. The "closed path" of a receiver at sample k
# is zr[0 … t0-1] (ray samples) followed by tail[0 … k-t0] (the points t0 … k of the
# receiver's own straight profile; tail[k - t0] is the receiver's ground).


@_jitable
def _zk(zr: Vec, t0: int, tail: Vec, i: int) -> float:
    return float(tail[i - t0]) if i >= t0 else float(zr[i])


@_jitable
def _sums(
    zr: Vec, p0: Vec, p1: Vec, k: int, t0: int, tail: Vec, a: int, b: int
) -> tuple[float, float]:
    """``Σ z_i`` and ``Σ i z_i`` over ``i = a … b`` (inclusive) of the closed path."""
    s0 = p0[b + 1] - p0[a]
    s1 = p1[b + 1] - p1[a]
    for i in range(max(a, t0), b + 1):
        dz = tail[i - t0] - zr[i]
        s0 += dz
        s1 += i * dz
    return s0, s1


@_jitable
def fit_prefix(
    zr: Vec,
    p0: Vec,
    p1: Vec,
    k: int,
    t0: int,
    tail: Vec,
    xi: float,
    d_start: float,
    d_end: float,
) -> tuple[float, float]:
    """NTIA ``LinearLeastSquaresFit`` of the closed path from prefix sums, O(1).

    The same index range and trapezoid end weights as
    :func:`alcance.propagation._itm_core._linear_least_squares_fit`; returns the fitted
    heights at distance 0 and at the receiver.
    """
    np_ = k
    i_start = int(_min(_dim(d_start / xi, 0.0), float(np_)))
    i_end = np_ - int(_dim(float(np_), d_end / xi))
    if i_end <= i_start:
        i_start = int(_dim(float(i_start), 1.0))
        i_end = np_ - int(_dim(float(np_), i_end + 1.0))
    n_steps = i_end - i_start
    x_length = float(n_steps)
    mid_shifted_end = i_end - 0.5 * x_length
    s0, s1 = _sums(zr, p0, p1, k, t0, tail, i_start, i_end)
    za = _zk(zr, t0, tail, i_start)
    zb = _zk(zr, t0, tail, i_end)
    w0 = s0 - 0.5 * (za + zb)
    w1 = s1 - 0.5 * (i_start * za + i_end * zb)
    sum_y = w0 / x_length
    scaled = (
        (w1 - (i_start + 0.5 * x_length) * w0) * 12.0 / ((x_length * x_length + 2.0) * x_length)
    )
    return sum_y - scaled * mid_shifted_end, sum_y + scaled * (np_ - mid_shifted_end)


@_jitable
def h_sys_prefix(zr: Vec, p0: Vec, p1: Vec, k: int, t0: int, tail: Vec) -> float:
    """Mean path elevation without the first and last 10 % (``itm_p2p.cpp``)."""
    p10 = int(0.1 * k)
    s0, _unused = _sums(zr, p0, p1, k, t0, tail, p10, k - p10)
    return s0 / (k - 2 * p10 + 1)


# --------------------------------------------------------------------------------------
# One receiver


@_jitable
def horizons_prefix(
    zr: Vec,
    k: int,
    t0: int,
    tail: Vec,
    xi: float,
    a_e: float,
    h_tx: float,
    h_rx: float,
    hx: IVec,
    hu: Vec,
    m: int,
    lam0: float,
) -> tuple[float, float, float, float]:
    """NTIA ``FindHorizons`` of the closed path from the hull of its interior points.

    ``hx``/``hu``/``m`` hold the upper hull of ``(i, zr[i] − lam0 i²)``, i = 1 … t0 − 1,
    with ``lam0 ≥ ξ² / (2 a_e)``; the tail points t0 … k − 1 are scanned directly.
    Returns ``(θ_tx, θ_rx, d_hzn_tx, d_hzn_rx)``.
    """
    d = k * xi
    z_tx = zr[0] + h_tx
    z_rx = tail[k - t0] + h_rx
    two_a_e = 2 * a_e
    theta_tx_hzn = (z_rx - z_tx) / d - d / two_a_e
    theta_rx_hzn = -(z_rx - z_tx) / d - d / two_a_e
    d_tx_hzn = d
    d_rx_hzn = d
    nb = TANGENT_NEIGHBOURS
    if m > 0:
        t = _tangent_left(hx, hu, m, z_tx)
        for j in range(max(0, t - nb), min(m, t + nb + 1)):
            i = hx[j]
            d_tx = i * xi
            theta_tx = (zr[i] - z_tx) / d_tx - d_tx / two_a_e
            if theta_tx > theta_tx_hzn:
                theta_tx_hzn = theta_tx
                d_tx_hzn = d_tx
        t = _tangent_right(hx, hu, m, float(k), z_rx - lam0 * k * k)
        for j in range(max(0, t - nb), min(m, t + nb + 1)):
            i = hx[j]
            d_rx = d - i * xi
            theta_rx = -(z_rx - zr[i]) / d_rx - d_rx / two_a_e
            if theta_rx > theta_rx_hzn:
                theta_rx_hzn = theta_rx
                d_rx_hzn = d_rx
    for i in range(max(1, t0), k):
        zi = tail[i - t0]
        d_tx = i * xi
        theta_tx = (zi - z_tx) / d_tx - d_tx / two_a_e
        if theta_tx > theta_tx_hzn:
            theta_tx_hzn = theta_tx
            d_tx_hzn = d_tx
        d_rx = d - i * xi
        theta_rx = -(z_rx - zi) / d_rx - d_rx / two_a_e
        if theta_rx > theta_rx_hzn:
            theta_rx_hzn = theta_rx
            d_rx_hzn = d_rx
    return theta_tx_hzn, theta_rx_hzn, d_tx_hzn, d_rx_hzn


@_jitable
def _near_int(x: float) -> bool:
    return abs(x - math.floor(x + 0.5)) <= 1e-9 * max(1.0, abs(x))


@_jitable
def _ntia_horizon_distances(
    k: int, xi: float, h_tx: float, h_rx: float, dh_tx: float, dh_rx: float
) -> tuple[float, float]:
    """Horizon distances as NTIA's ``FindHorizons`` rounds them, where that matters.

    ``QuickPfl`` and ``ComputeDeltaH`` truncate 0.1 and 0.9 of the horizon distances
    (and their combinations) to profile indices. When one of those lands on an integer
    (e.g. a horizon 10 spacings away), NTIA's result is decided by the rounding of its
    running sums ``d_tx += ξ``, ``d_rx −= ξ``: replay those sums then (an O(k) loop,
    for a few paths in ten).
    """
    d = k * xi
    x_start = _min(15.0 * h_tx, 0.1 * dh_tx) / xi
    x_end = (d - _min(15.0 * h_rx, 0.1 * dh_rx)) / xi
    edge = (
        _near_int(0.1 * dh_tx / xi)
        or _near_int(0.9 * dh_tx / xi)
        or _near_int((d - 0.9 * dh_rx) / xi)
        or _near_int(x_end)
        or _near_int(0.1 * (x_end - x_start + 8.0))
    )
    if not edge:
        return dh_tx, dh_rx
    if dh_tx != d:
        i_tx = int(dh_tx / xi + 0.5)
        acc = 0.0
        for _ in range(i_tx):
            acc = acc + xi
        dh_tx = acc
    if dh_rx != d:
        i_rx = k - int(dh_rx / xi + 0.5)
        acc = d
        for _ in range(i_rx):
            acc = acc - xi
        dh_rx = acc
    return dh_tx, dh_rx


@_jitable
def delta_h_exact(
    zr: Vec,
    k: int,
    t0: int,
    tail: Vec,
    xi: float,
    d_start: float,
    d_end: float,
    work: Vec,
    iwork: IVec,
) -> float:
    """NTIA ``ComputeDeltaH`` on the closed path (``zr[t0 … k]`` swapped for the tail)."""
    saved = zr[t0 : k + 1].copy()
    zr[t0 : k + 1] = tail[: k + 1 - t0]
    dh = _compute_delta_h(zr, k, xi, d_start, d_end, work, iwork)
    zr[t0 : k + 1] = saved
    return dh


@_jitable
def quick_pfl_prefix(
    zr: Vec,
    p0: Vec,
    p1: Vec,
    k: int,
    t0: int,
    tail: Vec,
    xi: float,
    gamma_e: float,
    h_tx: float,
    h_rx: float,
    hx: IVec,
    hu: Vec,
    m: int,
    lam0: float,
    delta_h_given: float,
    work: Vec,
    iwork: IVec,
) -> tuple[float, float, float, float, float, float, float, float]:
    """NTIA ``QuickPfl`` of the closed path, incrementally (see the module notes).

    Δh is computed exactly when ``delta_h_given`` is NaN, else that value is used.
    Returns ``(θ_tx, θ_rx, d_hzn_tx, d_hzn_rx, h_e_tx, h_e_rx, Δh, d)``.
    """
    d = k * xi
    a_e = 1 / gamma_e
    z_end = tail[k - t0]
    th_tx, th_rx, dh_tx, dh_rx = horizons_prefix(
        zr, k, t0, tail, xi, a_e, h_tx, h_rx, hx, hu, m, lam0
    )
    dh_tx, dh_rx = _ntia_horizon_distances(k, xi, h_tx, h_rx, dh_tx, dh_rx)
    d_start = _min(15.0 * h_tx, 0.1 * dh_tx)
    d_end = d - _min(15.0 * h_rx, 0.1 * dh_rx)
    if math.isnan(delta_h_given):
        delta_h = delta_h_exact(zr, k, t0, tail, xi, d_start, d_end, work, iwork)
    else:
        delta_h = delta_h_given
    z0 = zr[0]
    if dh_tx + dh_rx > 1.5 * d:
        fit_tx, fit_rx = fit_prefix(zr, p0, p1, k, t0, tail, xi, d_start, d_end)
        he_tx = h_tx + _dim(z0, fit_tx)
        he_rx = h_rx + _dim(z_end, fit_rx)
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
        fit_tx, _unused = fit_prefix(zr, p0, p1, k, t0, tail, xi, d_start, 0.9 * dh_tx)
        he_tx = h_tx + _dim(z0, fit_tx)
        _unused, fit_rx = fit_prefix(zr, p0, p1, k, t0, tail, xi, d - 0.9 * dh_rx, d_end)
        he_rx = h_rx + _dim(z_end, fit_rx)
    return th_tx, th_rx, dh_tx, dh_rx, he_tx, he_rx, delta_h, d


@_jitable
def _prefix_sums(zr: Vec, n: int, p0: Vec, p1: Vec) -> None:
    """``p0[i] = Σ_{j<i} zr[j]``, ``p1[i] = Σ_{j<i} j zr[j]`` for ``i = 0 … n + 1``."""
    p0[0] = 0.0
    p1[0] = 0.0
    for i in range(n + 1):
        p0[i + 1] = p0[i] + zr[i]
        p1[i + 1] = p1[i] + i * zr[i]


@_jitable
def _anchor_next(a: int, dh_ratio: float) -> int:
    return a + max(1, math.ceil(a / dh_ratio))


@_jitable
def _delta_h_anchors(
    zr: Vec,
    p0: Vec,
    p1: Vec,
    n: int,
    step: float,
    h_tx: float,
    h_rx: float,
    n_0: float,
    pol: int,
    epsilon: float,
    sigma: float,
    f_mhz: float,
    dh_exact_max: int,
    dh_ratio: float,
    lam_tol: float,
    hx: IVec,
    hu: Vec,
    anchor_k: IVec,
    anchor_dh: Vec,
    work: Vec,
    iwork: IVec,
) -> int:
    """First pass: exact Δh at the anchor samples of a ray (receiver on the ray itself).

    Anchors are ``dh_exact_max``, then each ``a + ceil(a / dh_ratio)``, up to the first
    anchor ``≥ n``; returns their count.
    """
    n_anchor = 0
    a = dh_exact_max
    m = 0
    lam0 = -1.0
    top = 0  # hull holds points 1 … top
    while True:
        k = min(a, n)
        tail = zr[k : k + 1]
        h_sys = h_sys_prefix(zr, p0, p1, k, k, tail)
        _n_s, gamma_e, _re, _im = _initialize(f_mhz, h_sys, n_0, pol, epsilon, sigma)
        lam = 0.5 * gamma_e * step * step
        if lam > lam0 or lam < lam0 * (1.0 - lam_tol):
            lam0 = lam * (1.0 + 0.5 * lam_tol)
            m = hull_build(zr, k, lam0, hx, hu)
        else:
            for i in range(top + 1, k):
                m = hull_push(hx, hu, m, i, zr[i] - lam0 * i * i)
        top = k - 1
        r = quick_pfl_prefix(
            zr, p0, p1, k, k, tail, step, gamma_e, h_tx, h_rx, hx, hu, m, lam0, math.nan,
            work, iwork,
        )  # fmt: skip
        anchor_k[n_anchor] = k
        anchor_dh[n_anchor] = r[6]
        n_anchor += 1
        if k >= n:
            break
        a = _anchor_next(a, dh_ratio)
    return n_anchor


@_jitable
def max_anchors(n: int, dh_exact_max: int, dh_ratio: float) -> int:
    """Upper bound of the anchor count of :func:`_delta_h_anchors` for a ray of ``n``."""
    count = 1
    a = dh_exact_max
    while a < n:
        a = _anchor_next(a, dh_ratio)
        count += 1
    return count


@_jitable
def _interp_anchor(k: int, anchor_k: IVec, anchor_dh: Vec, n_anchor: int, pos: int) -> float:
    """Δh at sample ``k`` by linear interpolation, ``anchor_k[pos] ≤ k < anchor_k[pos+1]``."""
    k0 = int(anchor_k[pos])
    lo = float(anchor_dh[pos])
    if pos + 1 >= n_anchor or k == k0:
        return lo
    f = float(k - k0) / float(int(anchor_k[pos + 1]) - k0)
    return lo + f * (float(anchor_dh[pos + 1]) - lo)


@_jitable
def ray_evaluate(
    zr: Vec,
    n: int,
    step: float,
    pix_k: IVec,
    pix_d: Vec,
    pix_tail: Vec,
    order: IVec,
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
    dh_exact_max: int,
    dh_ratio: float,
    lam_tol: float,
    out_loss: Vec,
    out_params: Vec,
) -> None:
    """ITM p2p loss to receivers on one ray.

    ``zr[0 … n]`` are the ray's terrain samples (``zr[0]`` the site's ground), finite.
    Receiver ``q`` (visited in the order ``order``, which sorts ``pix_k``) sits at
    sample ``k = pix_k[q]`` (1 … n), at distance ``pix_d[q]`` (m, > 0). Row
    ``pix_tail[q]`` (width ``J + 1``) holds the heights of points ``k − J … k`` of the
    receiver's own profile (the last one its ground; entries before point 1 unused):
    its profile is ``zr[0 … t0-1]`` then those points from ``t0 = max(1, k − J)``, with
    spacing ``pix_d[q] / k``. Writes ``out_loss[q]`` (dB, NaN on an ITM error) and,
    when ``out_params`` has a row per receiver, the :data:`PARAM_FIELDS`.
    """
    p0 = np.empty(n + 2)
    p1 = np.empty(n + 2)
    _prefix_sums(zr, n, p0, p1)
    hx = np.empty(n + 1, dtype=np.int64)
    hu = np.empty(n + 1)
    work = np.empty((4, SCRATCH_LEN))
    iwork = np.empty(ISCRATCH_LEN, dtype=np.int64)
    n_max_anchor = max_anchors(n, dh_exact_max, dh_ratio)
    anchor_k = np.empty(n_max_anchor, dtype=np.int64)
    anchor_dh = np.empty(n_max_anchor)
    n_anchor = 0
    if n > dh_exact_max:
        n_anchor = _delta_h_anchors(
            zr, p0, p1, n, step, h_tx, h_rx, n_0, pol, epsilon, sigma, f_mhz, dh_exact_max,
            dh_ratio, lam_tol, hx, hu, anchor_k, anchor_dh, work, iwork,
        )  # fmt: skip
    rtn, warnings = _validate_inputs(
        h_tx, h_rx, climate, time, location, situation, n_0, f_mhz, pol, epsilon, sigma, mdvar
    )
    want_params = out_params.shape[0] == out_loss.shape[0]
    width = pix_tail.shape[1] - 1
    m = 0
    lam0 = -1.0
    top = 0  # the hull holds points 1 … top
    pos = 0
    for q in order:
        k = pix_k[q]
        if rtn != SUCCESS:
            out_loss[q] = math.nan
            continue
        t0 = max(1, k - width)
        tail = pix_tail[q, width - (k - t0) :]
        xi = pix_d[q] / k
        h_sys = h_sys_prefix(zr, p0, p1, k, t0, tail)
        n_s, gamma_e, z_g_re, z_g_im = _initialize(f_mhz, h_sys, n_0, pol, epsilon, sigma)
        lam = 0.5 * gamma_e * xi * xi
        if lam > lam0 or lam < lam0 * (1.0 - lam_tol) or t0 - 1 < top:
            lam0 = lam * (1.0 + 0.5 * lam_tol)
            m = hull_build(zr, t0, lam0, hx, hu)
        else:
            for i in range(top + 1, t0):
                m = hull_push(hx, hu, m, i, zr[i] - lam0 * i * i)
        top = t0 - 1
        if k <= dh_exact_max or n_anchor == 0:
            dh_given = math.nan
        else:
            while pos + 1 < n_anchor and anchor_k[pos + 1] <= k:
                pos += 1
            dh_given = _interp_anchor(k, anchor_k, anchor_dh, n_anchor, pos)
        th_tx, th_rx, dh_tx, dh_rx, he_tx, he_rx, delta_h, d_path = quick_pfl_prefix(
            zr, p0, p1, k, t0, tail, xi, gamma_e, h_tx, h_rx, hx, hu, m, lam0, dh_given,
            work, iwork,
        )  # fmt: skip
        r = _loss_and_result(
            th_tx, th_rx, dh_tx, dh_rx, he_tx, he_rx, delta_h, d_path, d_path / 1000, h_tx,
            h_rx, f_mhz, gamma_e, n_s, z_g_re, z_g_im, _MODE_P2P, climate, mdvar, time,
            location, situation, warnings,
        )  # fmt: skip
        out_loss[q] = r[3]
        if want_params:
            out_params[q, 0] = th_tx
            out_params[q, 1] = th_rx
            out_params[q, 2] = dh_tx
            out_params[q, 3] = dh_rx
            out_params[q, 4] = he_tx
            out_params[q, 5] = he_rx
            out_params[q, 6] = delta_h
            out_params[q, 7] = n_s


# --------------------------------------------------------------------------------------
# The raster


@njit(parallel=True, cache=True, error_model="numpy")
def assign_pixels(
    lon0: float,
    lat0: float,
    west: float,
    north: float,
    dlon: float,
    dlat: float,
    rows: int,
    cols: int,
    radius_m: float,
    step_m: float,
    n_rays: int,
    out_d: Vec,
    out_az: Vec,
    out_ray: IVec,
    out_k: IVec,
) -> None:
    """Distance, azimuth, ray and sample of every pixel centre (``out_*`` are flat).

    Gauss mid-latitude formulae on WGS 84: ``Δn = Δφ M(φ_m)``, ``Δe = Δλ N(φ_m) cos φ_m``,
    ``s = hypot``, start azimuth ``atan2(Δe, Δn) − (Δλ/2) sin φ_m``. Pixels beyond
    ``radius_m`` (or at the site itself) get ray −1.
    """
    phi0 = math.radians(lat0)
    two_pi = 2.0 * math.pi
    for r in prange(rows):
        lat = north - (r + 0.5) * dlat
        phi = math.radians(lat)
        phim = 0.5 * (phi + phi0)
        m_m, n_m = _radii_m(phim)
        cos_m = math.cos(phim)
        sin_m = math.sin(phim)
        dn = (phi - phi0) * m_m
        for c in range(cols):
            p = r * cols + c
            dlam = math.radians(west + (c + 0.5) * dlon - lon0)
            de = dlam * n_m * cos_m
            dist = math.hypot(de, dn)
            az = math.atan2(de, dn) - 0.5 * dlam * sin_m
            az = az % two_pi
            out_d[p] = dist
            out_az[p] = math.degrees(az)
            k = math.floor(dist / step_m + 0.5)
            if dist > radius_m or not dist > 0.0:
                out_ray[p] = -1
                out_k[p] = 0
                continue
            out_ray[p] = math.floor(az / two_pi * n_rays + 0.5) % n_rays
            out_k[p] = max(1, k)


@_jitable
def bilinear_fast(
    z: npt.NDArray[np.float32], x0: float, y0: float, dx: float, dy: float, x: float, y: float
) -> float:
    """Bilinear height at ``(x, y)``: :func:`alcance.terrain._interp.bilinear_one`'s value
    without its void flags, longitude wrap and 1e-6-pixel snapping (which changes a
    height by at most 1e-6 pixel times the slope); NaN outside the grid."""
    return bilinear_cr(z, (x - x0) / dx - 0.5, (y - y0) / dy - 0.5)


@_jitable
def bilinear_cr(z: npt.NDArray[np.float32], col: float, row: float) -> float:
    """:func:`bilinear_fast` at fractional pixel coordinates (``col``, ``row``), where
    pixel ``(r, c)`` has its centre at ``(c, r)``; NaN outside the grid."""
    rows, cols = z.shape
    if not (-0.5 <= col <= cols - 0.5 and -0.5 <= row <= rows - 0.5):
        return math.nan
    col = min(max(col, 0.0), cols - 1.0)
    row = min(max(row, 0.0), rows - 1.0)
    c0 = min(int(col), cols - 2) if cols > 1 else 0
    r0 = min(int(row), rows - 2) if rows > 1 else 0
    fx = col - c0
    fy = row - r0
    c1 = min(c0 + 1, cols - 1)
    r1 = min(r0 + 1, rows - 1)
    value = 0.0
    w = (1.0 - fx) * (1.0 - fy)
    if w > 0.0:
        value += w * z[r0, c0]
    w = fx * (1.0 - fy)
    if w > 0.0:
        value += w * z[r0, c1]
    w = (1.0 - fx) * fy
    if w > 0.0:
        value += w * z[r1, c0]
    w = fx * fy
    if w > 0.0:
        value += w * z[r1, c1]
    return value


@_jitable
def _direct_loss(
    z: npt.NDArray[np.float32],
    void: npt.NDArray[np.bool_],
    x0: float,
    y0: float,
    dx: float,
    dy: float,
    wrap: float,
    lon0: float,
    lat0: float,
    z_site: float,
    step_m: float,
    az_deg: float,
    d: float,
    z_end: float,
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
    zbuf: Vec,
    work: Vec,
    iwork: IVec,
) -> float:
    """ITM p2p loss over the straight geodesic profile to one pixel (the reference's).

    ``n = ceil(d / step_m)`` equal intervals as :func:`alcance.terrain.sample_profiles`;
    ``zbuf`` must hold ``n + 1`` values.
    """
    n_int = max(1, math.ceil(d / step_m - 1e-9))
    xi = d / n_int
    xs, ys = _ray_points_kernel(lon0, lat0, az_deg, xi, n_int - 1)
    zbuf[0] = z_site
    for i in range(n_int - 1):
        zbuf[i + 1] = bilinear_one(z, void, x0, y0, dx, dy, wrap, xs[i], ys[i])[0]
    zbuf[n_int] = z_end
    r = p2p_path(
        zbuf, n_int + 1, xi, h_tx, h_rx, climate, n_0, f_mhz, pol, epsilon, sigma, mdvar,
        time, location, situation, work, iwork,
    )  # fmt: skip
    return r[3]


@njit(cache=True, error_model="numpy")
def group_by_ray(ray: IVec, ground: Vec, n_rays: int) -> tuple[IVec, IVec]:
    """Counting sort of the pixels by ray (pixels with ray −1 or NaN ground left out).

    Returns ``(ray_start, ray_pixels)``: ray ``j`` holds the flat pixel indices
    ``ray_pixels[ray_start[j] : ray_start[j + 1]]``, in increasing order.
    """
    counts = np.zeros(n_rays + 1, dtype=np.int64)
    for p in range(ray.shape[0]):
        if ray[p] >= 0 and not math.isnan(ground[p]):
            counts[ray[p] + 1] += 1
    for j in range(n_rays):
        counts[j + 1] += counts[j]
    fill = counts[:-1].copy()
    out = np.empty(counts[n_rays], dtype=np.int64)
    for p in range(ray.shape[0]):
        if ray[p] >= 0 and not math.isnan(ground[p]):
            out[fill[ray[p]]] = p
            fill[ray[p]] += 1
    return counts, out


@njit(parallel=True, cache=True, error_model="numpy", fastmath=FASTMATH, boundscheck=False)
def raster_kernel(
    z: npt.NDArray[np.float32],
    void: npt.NDArray[np.bool_],
    x0: float,
    y0: float,
    dx: float,
    dy: float,
    wrap: float,
    lon0: float,
    lat0: float,
    z_site: float,
    step_m: float,
    profile_step_m: float,
    n_rays: int,
    n_ray: int,
    west: float,
    north: float,
    dlon: float,
    dlat: float,
    cols: int,
    ray_start: IVec,
    ray_pixels: IVec,
    pix_k: IVec,
    pix_d: Vec,
    pix_az: Vec,
    pix_z: Vec,
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
    exact_within: int,
    tail_points: int,
    dh_exact_max: int,
    dh_ratio: float,
    lam_tol: float,
    out_loss: Vec,
) -> None:
    """Loss to every assigned pixel, in parallel over rays.

    Ray ``j`` leaves the site at azimuth ``360 j / n_rays`` degrees and is sampled to
    ``n_ray`` steps (at least; so that its Δh anchors do not depend on which pixels the
    grid holds); its pixels are
    ``ray_pixels[ray_start[j] : ray_start[j + 1]]`` (flat indices into ``pix_*`` and
    ``out_loss``). A ray sample off the grid or on a NaN void makes the loss NaN for the
    pixels beyond it. Pixels at most ``exact_within`` samples out get their own straight
    profile (:func:`_direct_loss`) instead of the ray's. Further out, the last
    ``tail_points`` interior points of each profile are sampled on the straight line to
    the pixel (``west``, ``north``, ``dlon``, ``dlat``, ``cols`` locate the pixel of a
    flat index) at their stated distances; the rest come from the ray.
    """
    dummy = np.empty((0, len(PARAM_FIELDS)))
    inv_dx = 1.0 / dx
    inv_dy = 1.0 / dy
    c_site = (lon0 - x0) * inv_dx - 0.5
    r_site = (lat0 - y0) * inv_dy - 0.5
    for j in prange(n_rays):
        a = ray_start[j]
        b = ray_start[j + 1]
        if b <= a:
            continue
        idx = ray_pixels[a:b]
        ks = pix_k[idx]
        n = max(n_ray, int(ks.max()))
        xs, ys = _ray_points_kernel(lon0, lat0, 360.0 * j / n_rays, step_m, n)
        zbuf = np.empty(int(exact_within * step_m / profile_step_m) + 3)
        work = np.empty((4, SCRATCH_LEN))
        iwork = np.empty(ISCRATCH_LEN, dtype=np.int64)
        zr = np.empty(n + 1)
        zr[0] = z_site
        first_bad = n + 1
        for i in range(n):
            value = bilinear_fast(z, x0, y0, dx, dy, xs[i], ys[i])
            if math.isnan(value):
                first_bad = i + 1
                break
            zr[i + 1] = value
        n_ok = first_bad - 1  # samples 0 … n_ok are finite
        for i in range(first_bad, n + 1):
            zr[i] = zr[n_ok]  # placeholder: only used by receivers whose tail covers it
        sel = np.empty(b - a, dtype=np.int64)
        tails = np.empty((b - a, tail_points + 1))
        n_sel = 0
        for t in range(b - a):
            p = idx[t]
            k = ks[t]
            if k <= exact_within:
                out_loss[p] = _direct_loss(
                    z, void, x0, y0, dx, dy, wrap, lon0, lat0, z_site, profile_step_m,
                    pix_az[p], pix_d[p], pix_z[p], h_tx, h_rx, climate, n_0, f_mhz, pol,
                    epsilon, sigma, mdvar, time, location, situation, zbuf, work, iwork,
                )  # fmt: skip
                continue
            t0 = max(1, k - tail_points)
            ok = t0 - 1 <= n_ok
            if ok:
                # the straight line site -> pixel centre, in DEM pixel coordinates
                row = p // cols
                dc = (west + (p - row * cols + 0.5) * dlon - x0) * inv_dx - 0.5 - c_site
                dr = (north - (row + 0.5) * dlat - y0) * inv_dy - 0.5 - r_site
                inv_k = 1.0 / k
                for i in range(t0, k):
                    f = i * inv_k
                    value = bilinear_cr(z, c_site + f * dc, r_site + f * dr)
                    if math.isnan(value):
                        ok = False
                        break
                    tails[n_sel, tail_points - (k - i)] = value
                tails[n_sel, tail_points] = pix_z[p]
            if ok:
                sel[n_sel] = t
                n_sel += 1
            else:
                out_loss[p] = math.nan
        if n_sel == 0:
            continue
        sel = sel[:n_sel]
        k_sel = ks[sel]
        loc_d = pix_d[idx[sel]]
        order = np.argsort(k_sel, kind="mergesort")
        loss = np.empty(n_sel)
        ray_evaluate(
            zr, n, step_m, k_sel, loc_d, tails[:n_sel], order, h_tx, h_rx, climate, n_0,
            f_mhz, pol, epsilon, sigma, mdvar, time, location, situation, dh_exact_max,
            dh_ratio, lam_tol, loss, dummy,
        )  # fmt: skip
        for t in range(n_sel):
            out_loss[idx[sel[t]]] = loss[t]


@njit(cache=True, error_model="numpy")
def profile_parameters(
    zr: Vec,
    step: float,
    ks: IVec,
    ds: Vec,
    tails: Vec,
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
    dh_exact_max: int,
    dh_ratio: float,
    lam_tol: float,
) -> tuple[Vec, Vec]:
    """:func:`ray_evaluate` on one given ray profile (for tests): losses and parameters."""
    n = int(ks.max())
    order = np.argsort(ks, kind="mergesort")
    loss = np.empty(ks.shape[0])
    params = np.empty((ks.shape[0], len(PARAM_FIELDS)))
    ray_evaluate(
        zr, n, step, ks, ds, tails, order, h_tx, h_rx, climate, n_0, f_mhz, pol, epsilon,
        sigma, mdvar, time, location, situation, dh_exact_max, dh_ratio, lam_tol, loss, params,
    )  # fmt: skip
    return loss, params


@njit(parallel=True, cache=True, error_model="numpy")
def ground_kernel(
    z: npt.NDArray[np.float32],
    void: npt.NDArray[np.bool_],
    x0: float,
    y0: float,
    dx: float,
    dy: float,
    wrap: float,
    west: float,
    north: float,
    dlon: float,
    dlat: float,
    out: npt.NDArray[np.float64],
) -> None:
    """Bilinear ground height at every pixel centre of a ``(rows, cols)`` output grid."""
    rows, cols = out.shape
    for r in prange(rows):
        lat = north - (r + 0.5) * dlat
        for c in range(cols):
            value, _touched, _outside = bilinear_one(
                z, void, x0, y0, dx, dy, wrap, west + (c + 0.5) * dlon, lat
            )
            out[r, c] = value
