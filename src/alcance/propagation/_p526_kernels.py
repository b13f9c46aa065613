"""Numba kernels of the ITU-R P.526 diffraction models (private; see :mod:`.p526`).

Every formula lives here exactly once, as a scalar ``@njit`` function; the public
functions in :mod:`alcance.propagation.p526` only validate, broadcast and dispatch.
Inputs are trusted (validated upstream). Units inside the kernels follow the
Recommendations: distances in km, heights in m, frequency in GHz, wavelength in m.

Equation numbers cite ITU-R P.452-18 (§4.2.1 to §4.2.3, §5.1.6.2, §5.1.6.3), whose
diffraction text is the one of ITU-R P.526-16 §3.2 and §4.5 and of ITU-R P.1812-6
§4.3 (P.1812 numbers its equations differently; see the notes in :mod:`.p526`).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import NDArray

# Electrical characteristics of the ground used by the spherical-Earth first term.
# Index 0 = land, 1 = sea (ITU-R P.452-18 §4.2.2.1: eps_r 22, sigma 0.003 S/m over land;
# eps_r 80, sigma 5 S/m over sea).
POL_HORIZONTAL = 0
POL_VERTICAL = 1

# Knife-edge loss is zero below this value of nu (ITU-R P.526-16 §4.1, eq. (31)).
NU_MIN = -0.78

# Variants of the spherical-Earth method (ITU-R P.526-16 §3.2 / ITU-R P.452-18 §4.2.2).
# The two texts describe the same method; they differ only in how they write constants:
# - "P.526": P.526-16 §3.1.1 as written, X = beta (pi / (lambda a_e^2))^(1/3) d,
#   Y = 2 beta (pi^2 / (lambda^2 a_e))^(1/3) h (constants follow from lambda, hence from
#   the speed of light), beta = 1 wherever §3.1.1.1 allows it (horizontal polarisation;
#   vertical above 20 MHz over land or 300 MHz over sea), h_req = 0.552 sqrt(d1 d2 lambda/d)
#   with d in km and lambda in m, i.e. 0.552 sqrt(1000) = 17.4558... in these units;
# - "P.452": the rounded practical-unit constants of P.452-18 eqs. (26), (31)-(33), also
#   used by P.1812 and by their reference code: X = 21.88 beta (f/a^2)^(1/3) d,
#   Y = 0.9575 beta (f^2/a)^(1/3) h, beta always from eq. (31), h_req = 17.456 sqrt(...).
VARIANTS = ("P.526", "P.452")

# Slots of the ``consts`` array passed to the spherical-Earth kernels.
_EPS_LAND, _SIGMA_LAND, _EPS_SEA, _SIGMA_SEA, _CX, _CY, _HREQ, _BETA_ONE = range(8)


def make_consts(
    *,
    variant: str,
    speed_of_light_m_per_s: float,
    eps_land: float,
    sigma_land_s_per_m: float,
    eps_sea: float,
    sigma_sea_s_per_m: float,
) -> NDArray[np.float64]:
    """Pack the ground constants and the variant's coefficients for the kernels.

    With f in GHz, a in km, d in km and h in m: X = c_x beta (f / a^2)^(1/3) d,
    Y = c_y beta (f^2 / a)^(1/3) h and h_req = c_req sqrt(d1 d2 lambda / d).
    """
    if variant == "P.452":
        cx, cy, creq, beta_one = 21.88, 0.9575, 17.456, 0.0
    else:
        c = speed_of_light_m_per_s
        cx = (math.pi * 1e12 / c) ** (1.0 / 3.0)
        cy = 2.0 * (math.pi**2 * 1e15 / c**2) ** (1.0 / 3.0)
        creq = 0.552 * math.sqrt(1000.0)
        beta_one = 1.0
    return np.array(
        [eps_land, sigma_land_s_per_m, eps_sea, sigma_sea_s_per_m, cx, cy, creq, beta_one],
        dtype=np.float64,
    )


@numba.njit(cache=True)
def knife_edge_loss_approx_db(nu: float) -> float:
    """J(nu) by ITU-R P.526-16 §4.1 eq. (31); 0 dB for nu <= -0.78."""
    if nu <= NU_MIN:
        return 0.0
    t = nu - 0.1
    return 6.9 + 20.0 * math.log10(math.sqrt(t * t + 1.0) + t)


@numba.njit(cache=True)
def bullington_loss_db(
    d_km: NDArray[np.float64],
    h_m: NDArray[np.float64],
    n: int,
    zero_profile: bool,
    hts_m: float,
    hrs_m: float,
    ae_km: float,
    wavelength_m: float,
) -> tuple[float, float]:
    """Bullington loss of one path, ITU-R P.452-18 §4.2.1 eqs. (14)-(22).

    ``d_km[0]`` must be 0; only points ``0 .. n-1`` are read. With ``zero_profile``
    every terrain height is taken as 0 m (the smooth-profile step of §4.2.3).
    Returns ``(L_bull, nu)`` where ``nu`` is the diffraction parameter used (nu_max
    of a line-of-sight path or nu_b of a trans-horizon path).
    """
    ce = 1.0 / ae_km
    d = d_km[n - 1]
    # eq. (14): highest slope from the transmitter to an intermediate point
    stim = -np.inf
    for i in range(1, n - 1):
        di = d_km[i]
        hi = 0.0 if zero_profile else h_m[i]
        s = (hi + 500.0 * ce * di * (d - di) - hts_m) / di
        stim = max(stim, s)
    # eq. (15): slope of the transmitter-receiver line
    s_tr = (hrs_m - hts_m) / d
    # Case 2 (trans-horizon) when S_tim >= S_tr. At exact equality the horizon point
    # grazes the Tx-Rx line, eq. (19) puts the Bullington point at an end of the path
    # and eq. (20) is 0/0; case 1 gives the limit there (nu = 0 at the grazing point),
    # so it is used whenever the Bullington point is not strictly inside the path.
    trans_horizon = stim >= s_tr
    dbp = 0.0
    if trans_horizon:
        # eq. (18): highest slope from the receiver to an intermediate point
        srim = -np.inf
        for i in range(1, n - 1):
            di = d_km[i]
            hi = 0.0 if zero_profile else h_m[i]
            s = (hi + 500.0 * ce * di * (d - di) - hrs_m) / (d - di)
            srim = max(srim, s)
        # eq. (19): distance of the Bullington point from the transmitter
        dbp = (hrs_m - hts_m + srim * d) / (stim + srim) if stim + srim > 0.0 else 0.0
        trans_horizon = 0.0 < dbp < d
    if trans_horizon:
        # eq. (20): diffraction parameter at the Bullington point
        nu = (hts_m + stim * dbp - (hts_m * (d - dbp) + hrs_m * dbp) / d) * math.sqrt(
            0.002 * d / (wavelength_m * dbp * (d - dbp))
        )
    else:
        # Case 1, line of sight: eq. (16) highest diffraction parameter
        nu = -np.inf
        for i in range(1, n - 1):
            di = d_km[i]
            hi = 0.0 if zero_profile else h_m[i]
            v = (hi + 500.0 * ce * di * (d - di) - (hts_m * (d - di) + hrs_m * di) / d) * (
                math.sqrt(0.002 * d / (wavelength_m * di * (d - di)))
            )
            nu = max(nu, v)
    # eqs. (17)/(21): knife-edge loss; eq. (22): Bullington loss
    luc = knife_edge_loss_approx_db(nu)
    return luc + (1.0 - math.exp(-luc / 6.0)) * (10.0 + 0.02 * d), nu


@numba.njit(cache=True)
def smooth_earth_heights_m(
    d_km: NDArray[np.float64],
    h_m: NDArray[np.float64],
    n: int,
    hts_m: float,
    hrs_m: float,
) -> tuple[float, float, float, float]:
    """Smooth-Earth surface heights of one path.

    Least-squares surface, ITU-R P.452-18 §5.1.6.2 eqs. (161)-(164), then the heights
    for the diffraction model, §5.1.6.3 eqs. (165)-(167). Returns
    ``(h_st, h_sr, h_std, h_srd)`` in metres above sea level.
    """
    d = d_km[n - 1]
    v1 = 0.0
    v2 = 0.0
    for i in range(1, n):
        dd = d_km[i] - d_km[i - 1]
        v1 += dd * (h_m[i] + h_m[i - 1])  # eq. (161)
        v2 += dd * (  # eq. (162)
            h_m[i] * (2.0 * d_km[i] + d_km[i - 1]) + h_m[i - 1] * (d_km[i] + 2.0 * d_km[i - 1])
        )
    hst = (2.0 * v1 * d - v2) / (d * d)  # eq. (163)
    hsr = (v2 - v1 * d) / (d * d)  # eq. (164)
    # eq. (165): highest obstruction above the straight Tx-Rx line (flat Earth)
    hobs = -np.inf
    aobt = -np.inf
    aobr = -np.inf
    for i in range(1, n - 1):
        di = d_km[i]
        hh = h_m[i] - (hts_m * (d - di) + hrs_m * di) / d  # eq. (165d)
        hobs = max(hobs, hh)  # eq. (165a)
        aobt = max(aobt, hh / di)  # eq. (165b)
        aobr = max(aobr, hh / (d - di))  # eq. (165c)
    # eq. (166): provisional heights
    if hobs <= 0.0:
        hstp = hst
        hsrp = hsr
    else:
        gt = aobt / (aobt + aobr)  # eq. (166e)
        gr = aobr / (aobt + aobr)  # eq. (166f)
        hstp = hst - hobs * gt  # eq. (166c)
        hsrp = hsr - hobs * gr  # eq. (166d)
    # eq. (167): not above the ground at either end
    hstd = min(hstp, h_m[0])
    hsrd = min(hsrp, h_m[n - 1])
    return hst, hsr, hstd, hsrd


@numba.njit(cache=True)
def _first_term_one_ground_db(
    eps_r: float,
    sigma_s_per_m: float,
    d_km: float,
    hte_m: float,
    hre_m: float,
    adft_km: float,
    f_ghz: float,
    pol: int,
    cx: float,
    cy: float,
    beta_one: bool,
) -> float:
    """First-term spherical-Earth loss for one ground, ITU-R P.452-18 eqs. (30)-(37).

    With ``beta_one`` the ground/polarisation parameter beta is taken as 1
    (ITU-R P.526-16 §3.1.1.1); otherwise it follows eq. (31).
    """
    k_h = (  # eq. (30a)
        0.036
        * (adft_km * f_ghz) ** (-1.0 / 3.0)
        * ((eps_r - 1.0) ** 2 + (18.0 * sigma_s_per_m / f_ghz) ** 2) ** (-0.25)
    )
    if pol == POL_VERTICAL:
        k = k_h * math.sqrt(eps_r**2 + (18.0 * sigma_s_per_m / f_ghz) ** 2)  # eq. (30b)
    else:
        k = k_h
    k2 = k * k
    k4 = k2 * k2
    # eq. (31), or 1 where ITU-R P.526-16 §3.1.1.1 allows it
    beta = 1.0 if beta_one else (1.0 + 1.6 * k2 + 0.67 * k4) / (1.0 + 4.5 * k2 + 1.53 * k4)
    x = cx * beta * (f_ghz / adft_km**2) ** (1.0 / 3.0) * d_km  # eq. (32)
    y_factor = cy * beta * (f_ghz**2 / adft_km) ** (1.0 / 3.0)  # eq. (33)
    # eq. (34): distance term
    if x >= 1.6:
        fx = 11.0 + 10.0 * math.log10(x) - 17.6 * x
    else:
        fx = -20.0 * math.log10(x) - 5.6488 * x**1.425
    g_min = 2.0 + 20.0 * math.log10(k)
    g_sum = 0.0
    for h in (hte_m, hre_m):
        b = beta * y_factor * h  # eq. (36)
        # eq. (35): height-gain term, not below 2 + 20 log K
        if b > 2.0:
            g = 17.6 * math.sqrt(b - 1.1) - 5.0 * math.log10(b - 1.1) - 8.0
        else:
            g = 20.0 * math.log10(b + 0.1 * b**3)
        g_sum += max(g, g_min)
    return float(-fx - g_sum)  # eq. (37)


@numba.njit(cache=True)
def first_term_db(
    d_km: float,
    hte_m: float,
    hre_m: float,
    adft_km: float,
    f_ghz: float,
    sea_fraction: float,
    pol: int,
    consts: NDArray[np.float64],
) -> float:
    """First-term spherical-Earth loss, land/sea mix, ITU-R P.452-18 §4.2.2.1 eq. (29).

    ``consts`` comes from :func:`make_consts`.
    """
    cx = consts[_CX]
    cy = consts[_CY]
    p526 = consts[_BETA_ONE] != 0.0
    horizontal = pol == POL_HORIZONTAL
    # ITU-R P.526-16 §3.1.1.1: beta = 1 for horizontal polarisation, and for vertical
    # polarisation above 20 MHz over land or above 300 MHz over sea.
    beta_one_land = p526 and (horizontal or f_ghz > 0.02)
    beta_one_sea = p526 and (horizontal or f_ghz > 0.3)
    land = _first_term_one_ground_db(
        consts[_EPS_LAND], consts[_SIGMA_LAND], d_km, hte_m, hre_m, adft_km, f_ghz, pol,
        cx, cy, beta_one_land,
    )  # fmt: skip
    if sea_fraction == 0.0:
        return land
    sea = _first_term_one_ground_db(
        consts[_EPS_SEA], consts[_SIGMA_SEA], d_km, hte_m, hre_m, adft_km, f_ghz, pol,
        cx, cy, beta_one_sea,
    )  # fmt: skip
    return sea_fraction * sea + (1.0 - sea_fraction) * land


@numba.njit(cache=True)
def spherical_earth_loss_db(
    d_km: float,
    hte_m: float,
    hre_m: float,
    ap_km: float,
    f_ghz: float,
    wavelength_m: float,
    sea_fraction: float,
    pol: int,
    consts: NDArray[np.float64],
) -> float:
    """Spherical-Earth diffraction loss, ITU-R P.452-18 §4.2.2 eqs. (23)-(28).

    Same method as ITU-R P.526-16 §3.2 (diffraction loss for any distance).
    """
    # eq. (23): marginal line-of-sight distance for a smooth path
    dlos = math.sqrt(2.0 * ap_km) * (math.sqrt(0.001 * hte_m) + math.sqrt(0.001 * hre_m))
    if d_km >= dlos:
        return first_term_db(
            d_km, hte_m, hre_m, ap_km, f_ghz, sea_fraction, pol,
            consts,
        )  # fmt: skip
    # eq. (25): distances of the point of smallest clearance
    c = (hte_m - hre_m) / (hte_m + hre_m)  # eq. (25d)
    m = 250.0 * d_km * d_km / (ap_km * (hte_m + hre_m))  # eq. (25e)
    if m < 1e-12:
        # sub-metre path: no curvature, the smallest clearance is at the lower antenna
        # where h_req -> 0, so the loss is 0 (and eq. (25c) would divide by m = 0)
        return 0.0
    arg = 1.5 * c * math.sqrt(3.0 * m / (m + 1.0) ** 3)
    arg = min(1.0, max(-1.0, arg))  # guard rounding just outside [-1, 1]
    b = 2.0 * math.sqrt((m + 1.0) / (3.0 * m)) * math.cos(math.pi / 3.0 + math.acos(arg) / 3.0)
    dse1 = 0.5 * d_km * (1.0 + b)  # eq. (25a)
    dse2 = d_km - dse1  # eq. (25b)
    # eq. (24): smallest clearance between the curved-Earth path and the ray
    hse = (
        (hte_m - 500.0 * dse1 * dse1 / ap_km) * dse2 + (hre_m - 500.0 * dse2 * dse2 / ap_km) * dse1
    ) / d_km
    hreq = consts[_HREQ] * math.sqrt(dse1 * dse2 * wavelength_m / d_km)  # eq. (26)
    if hse > hreq:
        return 0.0
    # eq. (27): modified effective Earth radius giving marginal LoS at d
    aem = 500.0 * (d_km / (math.sqrt(hte_m) + math.sqrt(hre_m))) ** 2
    ldft = first_term_db(
        d_km, hte_m, hre_m, aem, f_ghz, sea_fraction, pol,
        consts,
    )  # fmt: skip
    if ldft < 0.0:
        return 0.0
    return float((1.0 - hse / hreq) * ldft)  # eq. (28)


@numba.njit(cache=True)
def delta_bullington_path(
    d_km: NDArray[np.float64],
    h_m: NDArray[np.float64],
    g_m: NDArray[np.float64],
    n: int,
    htg_m: float,
    hrg_m: float,
    f_ghz: float,
    wavelength_m: float,
    ae_km: float,
    sea_fraction: float,
    pol: int,
    consts: NDArray[np.float64],
    out: NDArray[np.float64],
) -> None:
    """Delta-Bullington loss of one path, ITU-R P.452-18 §4.2.3 eqs. (38)-(40).

    ``h_m`` is the terrain (used for the smooth-Earth surface), ``g_m`` the terrain
    plus representative clutter (used for the Bullington loss of the actual profile;
    the same array as ``h_m`` when there is no clutter). Writes into ``out``:
    ``[L_d, L_ba, L_bs, L_sph, h'_ts, h'_rs, h_std, h_srd, h_st, h_sr]``.
    """
    hts = h_m[0] + htg_m
    hrs = h_m[n - 1] + hrg_m
    d = d_km[n - 1]
    lba, _ = bullington_loss_db(d_km, g_m, n, False, hts, hrs, ae_km, wavelength_m)
    hst, hsr, hstd, hsrd = smooth_earth_heights_m(d_km, h_m, n, hts, hrs)
    hts_p = hts - hstd  # eq. (38a)
    hrs_p = hrs - hsrd  # eq. (38b)
    lbs, _ = bullington_loss_db(d_km, h_m, n, True, hts_p, hrs_p, ae_km, wavelength_m)
    lsph = spherical_earth_loss_db(
        d, hts_p, hrs_p, ae_km, f_ghz, wavelength_m, sea_fraction, pol,
        consts,
    )  # fmt: skip
    out[0] = lba + max(lsph - lbs, 0.0)  # eq. (40)
    out[1] = lba
    out[2] = lbs
    out[3] = lsph
    out[4] = hts_p
    out[5] = hrs_p
    out[6] = hstd
    out[7] = hsrd
    out[8] = hst
    out[9] = hsr


N_OUT = 10


@numba.njit(parallel=True, cache=True)
def delta_bullington_batch(
    elevation_m: NDArray[np.float64],
    clutter_m: NDArray[np.float64],
    has_clutter: bool,
    n_points: NDArray[np.int64],
    spacing_m: NDArray[np.float64],
    htg_m: NDArray[np.float64],
    hrg_m: NDArray[np.float64],
    f_ghz: NDArray[np.float64],
    wavelength_m: NDArray[np.float64],
    ae_km: NDArray[np.float64],
    sea_fraction: NDArray[np.float64],
    pol: NDArray[np.int64],
    consts: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Delta-Bullington over many uniformly sampled paths; returns ``(n_paths, N_OUT)``."""
    n_paths = elevation_m.shape[0]
    out = np.empty((n_paths, N_OUT))
    for p in numba.prange(n_paths):
        n = n_points[p]
        d_km = np.arange(n) * (spacing_m[p] / 1000.0)
        h = np.ascontiguousarray(elevation_m[p, :n])
        if has_clutter:
            g = h + clutter_m[p, :n]
            g[0] = h[0]
            g[n - 1] = h[n - 1]
        else:
            g = h
        delta_bullington_path(
            d_km, h, g, n, htg_m[p], hrg_m[p], f_ghz[p], wavelength_m[p], ae_km[p],
            sea_fraction[p], pol[p], consts, out[p],
        )  # fmt: skip
    return out


@numba.njit(cache=True)
def spherical_earth_loss_many(
    d_km: NDArray[np.float64],
    hte_m: NDArray[np.float64],
    hre_m: NDArray[np.float64],
    ap_km: NDArray[np.float64],
    f_ghz: NDArray[np.float64],
    wavelength_m: NDArray[np.float64],
    sea_fraction: NDArray[np.float64],
    pol: NDArray[np.int64],
    consts: NDArray[np.float64],
) -> NDArray[np.float64]:
    """:func:`spherical_earth_loss_db` over flat, equally long arrays."""
    out = np.empty(d_km.size)
    for i in range(d_km.size):
        out[i] = spherical_earth_loss_db(
            d_km[i], hte_m[i], hre_m[i], ap_km[i], f_ghz[i], wavelength_m[i],
            sea_fraction[i], pol[i], consts,
        )  # fmt: skip
    return out


@numba.njit(cache=True)
def knife_edge_loss_approx_many(nu: NDArray[np.float64]) -> NDArray[np.float64]:
    """:func:`knife_edge_loss_approx_db` over a flat array."""
    out = np.empty(nu.size)
    for i in range(nu.size):
        out[i] = knife_edge_loss_approx_db(nu[i])
    return out
