"""Diffraction after ITU-R P.526-16: knife edge, spherical Earth, Bullington, delta-Bullington.

Pure functions, arrays in and arrays out. The formulas live once, as Numba kernels in
:mod:`alcance.propagation._p526_kernels`; this module validates, broadcasts and
dispatches. A loss is a positive number of dB.

- :func:`knife_edge_nu`: diffraction parameter nu, §4.1 eq. (26);
- :func:`knife_edge_loss_db`: single knife edge J(nu), §4.1 eqs. (30) and (31);
- :func:`spherical_earth_diffraction_loss_db`: smooth spherical Earth, any distance, §3.2;
- :func:`bullington_loss_db`: multiple knife edges by the Bullington method, §4.5.1;
- :func:`smooth_earth_heights`: smooth-Earth surface for the method of §4.5.2;
- :func:`delta_bullington`: general terrestrial path, one profile, §4.5.2;
- :func:`delta_bullington_batch`: the same over many uniformly sampled profiles.

Variants (``variant=``) of the spherical-Earth step, which is the only place where the
Recommendations that carry this method write different constants:

``"P.526"`` (default)
    ITU-R P.526-16 §3.1.1 and §3.2 as written: X and Y from the exact expressions in
    the wavelength, beta = 1 wherever §3.1.1.1 allows it, h_req = 0.552 sqrt(d1 d2
    lambda / d). Reproduces the ITU-R SG3 delta-Bullington validation spreadsheet
    (which uses c = 3e8 m/s) to 1e-7 dB.
``"P.452"``
    The rounded constants of ITU-R P.452-18 §4.2.2 (eqs. (26), (31)-(33)), also used by
    ITU-R P.1812-6 §4.3.2: X = 21.88 beta (f/a^2)^(1/3) d, Y = 0.9575 beta (f^2/a)^(1/3) h,
    beta always from eq. (31), h_req = 17.456 sqrt(...). Reproduces the P.452/P.1812
    reference code (c = 2.998e8 m/s) to 1e-7 dB.

The two variants differ by a few hundredths of a dB at most. Equation numbers not
marked P.526 are those of ITU-R P.452-18, whose §4.2 is the P.526-16 §3.2/§4.5 text
(P.1812-6 §4.3 numbers the same equations one lower: P.452 eq. (14) is P.1812
eq. (13)).

References
----------
ITU-R P.526-16 (11/2025), "Propagation by diffraction", §3.1.1, §3.2, §4.1, §4.5.
ITU-R P.452-18, §4.2.1-§4.2.3, §5.1.6.2, §5.1.6.3.
ITU-R P.1812-6, §4.3.1-§4.3.4 and Attachment 1 §5.6 (same method).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar, overload

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray
from scipy.special import fresnel

from alcance.errors import InputError, closest_name
from alcance.propagation import _p526_kernels as _k
from alcance.propagation.freespace import SPEED_OF_LIGHT_M_PER_S

__all__ = [
    "KNIFE_EDGE_METHODS",
    "LAND",
    "POLARIZATIONS",
    "RANGES",
    "SEA",
    "VARIANTS",
    "DeltaBullingtonResult",
    "Ground",
    "SmoothEarthHeights",
    "bullington_loss_db",
    "delta_bullington",
    "delta_bullington_batch",
    "knife_edge_loss_db",
    "knife_edge_nu",
    "smooth_earth_heights",
    "spherical_earth_diffraction_loss_db",
]

T = TypeVar("T", float, NDArray[np.float64])


class Ground(NamedTuple):
    """Electrical characteristics of the ground for the spherical-Earth first term."""

    relative_permittivity: float
    conductivity_s_per_m: float


#: Average land, ITU-R P.452-18 §4.2.2.1 (eps_r = 22, sigma = 0.003 S/m).
LAND = Ground(22.0, 0.003)
#: Sea water, ITU-R P.452-18 §4.2.2.1 (eps_r = 80, sigma = 5 S/m).
SEA = Ground(80.0, 5.0)

#: Polarisation names and the kernels' codes.
POLARIZATIONS: dict[str, int] = {"horizontal": _k.POL_HORIZONTAL, "vertical": _k.POL_VERTICAL}

#: Variants of the spherical-Earth step (see the module docstring).
VARIANTS: dict[str, str] = {
    "P.526": "ITU-R P.526-16 §3.1.1/§3.2 as written (exact X, Y; beta = 1 where allowed)",
    "P.452": "ITU-R P.452-18 §4.2.2 / P.1812-6 §4.3.2 rounded constants (21.88, 0.9575, 17.456)",
}

#: Methods of :func:`knife_edge_loss_db`.
KNIFE_EDGE_METHODS: dict[str, str] = {
    "approximation": "ITU-R P.526-16 §4.1 eq. (31), 0 dB for nu <= -0.78",
    "fresnel": "ITU-R P.526-16 §4.1 eq. (30), exact, from the Fresnel integrals C and S",
}


@dataclass(frozen=True)
class _Range:
    """Declared valid range of a parameter (bounds inclusive unless ``*_open``)."""

    lo: float
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    note: str = ""

    def describe(self) -> str:
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open or math.isinf(self.hi) else "]"
        return f"{left}{self.lo:g}, {self.hi:g}{right}"

    def ok(self, arr: NDArray[np.float64]) -> NDArray[np.bool_]:
        lo_ok = arr > self.lo if self.lo_open else arr >= self.lo
        hi_ok = arr < self.hi if self.hi_open else arr <= self.hi
        return np.asarray(np.isfinite(arr) & lo_ok & hi_ok)


#: Valid ranges of the public parameters; the bad-input tests are generated from it.
RANGES: dict[str, _Range] = {
    "freq_mhz": _Range(
        10.0, 50_000.0, note="P.526-16 §3.2 holds from 10 MHz; P.452-18 up to 50 GHz"
    ),
    "distance_m": _Range(0.0, lo_open=True),
    "effective_earth_radius_km": _Range(
        1000.0, note="k-factor >= 0.157; sub-refraction beyond that is outside the method"
    ),
    "height_tx_m": _Range(0.0, lo_open=True),
    "height_rx_m": _Range(0.0, lo_open=True),
    "antenna_tx_agl_m": _Range(0.0, lo_open=True),
    "antenna_rx_agl_m": _Range(0.0, lo_open=True),
    "sea_fraction": _Range(0.0, 1.0),
    "spacing_m": _Range(0.0, lo_open=True),
    "d1_m": _Range(0.0, lo_open=True),
    "d2_m": _Range(0.0, lo_open=True),
    "speed_of_light_m_per_s": _Range(0.0, lo_open=True),
}


class SmoothEarthHeights(NamedTuple, Generic[T]):
    """Smooth-Earth surface heights at the two ends of a path (m above sea level).

    Attributes
    ----------
    surface_tx_m, surface_rx_m
        Least-squares smooth surface ``h_st``, ``h_sr`` (P.452-18 eqs. (163), (164)).
    diffraction_tx_m, diffraction_rx_m
        Heights for the diffraction model ``h_std``, ``h_srd``: the surface lowered
        for the highest obstruction and not above the ground at either end
        (P.452-18 eqs. (165)-(167)).
    """

    surface_tx_m: T
    surface_rx_m: T
    diffraction_tx_m: T
    diffraction_rx_m: T


class DeltaBullingtonResult(NamedTuple, Generic[T]):
    """Outputs of the delta-Bullington method (floats for one path, arrays for many).

    Attributes
    ----------
    loss_db
        ``L_d``, diffraction loss of the path, eq. (40): ``L_ba + max(L_sph - L_bs, 0)``.
    bullington_actual_db
        ``L_ba`` (``L_bulla``), Bullington loss of the actual profile (with clutter, if
        given) and actual antenna heights.
    bullington_smooth_db
        ``L_bs`` (``L_bulls``), Bullington loss of the zero-height profile with the
        modified antenna heights.
    spherical_earth_db
        ``L_sph`` (``L_dsph``), spherical-Earth diffraction loss for the path length
        and the modified antenna heights.
    effective_height_tx_m, effective_height_rx_m
        Modified antenna heights ``h'_ts = h_ts - h_std``, ``h'_rs = h_rs - h_srd``
        (m above the smooth-Earth surface), eq. (38).
    smooth_surface_tx_m, smooth_surface_rx_m
        ``h_std``, ``h_srd`` (m above sea level), see :class:`SmoothEarthHeights`.
    """

    loss_db: T
    bullington_actual_db: T
    bullington_smooth_db: T
    spherical_earth_db: T
    effective_height_tx_m: T
    effective_height_rx_m: T
    smooth_surface_tx_m: T
    smooth_surface_rx_m: T


# --------------------------------------------------------------------------- helpers


def _checked(name: str, value: npt.ArrayLike) -> NDArray[np.float64]:
    """``value`` as float64, checked against ``RANGES[name]`` (``InputError`` names it)."""
    arr = np.asarray(value, dtype=np.float64)
    rng = RANGES[name]
    bad = ~rng.ok(arr)
    if np.any(bad):
        first = arr[bad].flat[0]
        msg = f"{name} must be finite and in {rng.describe()}, got {first!r}"
        if rng.note:
            msg += f" ({rng.note})"
        raise InputError(msg, field=name)
    return arr


def _choice(name: str, value: str, table: Mapping[str, object]) -> str:
    if value not in table:
        hint = closest_name(str(value), table)
        extra = f"; did you mean {hint!r}?" if hint else ""
        msg = f"unknown {name} {value!r}; choose one of {', '.join(map(repr, table))}{extra}"
        raise InputError(msg, field=name)
    return value


def _consts(variant: str, c: float, land: Ground, sea: Ground) -> NDArray[np.float64]:
    _choice("variant", variant, VARIANTS)
    for label, ground in (("land", land), ("sea", sea)):
        eps, sigma = float(ground[0]), float(ground[1])
        if not (math.isfinite(eps) and eps >= 1.0 and math.isfinite(sigma) and sigma >= 0.0):
            msg = f"{label} needs relative_permittivity >= 1 and conductivity_s_per_m >= 0"
            raise InputError(msg, field=label)
    return _k.make_consts(
        variant=variant,
        speed_of_light_m_per_s=c,
        eps_land=float(land[0]),
        sigma_land_s_per_m=float(land[1]),
        eps_sea=float(sea[0]),
        sigma_sea_s_per_m=float(sea[1]),
    )


def _speed(c: float) -> float:
    return float(_checked("speed_of_light_m_per_s", c))


def _profile(
    distance_m: npt.ArrayLike, height_m: npt.ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One profile: distances (km, from 0) and heights (m), validated."""
    d = np.asarray(distance_m, dtype=np.float64)
    h = np.asarray(height_m, dtype=np.float64)
    if d.ndim != 1:
        msg = f"distance_m must be one-dimensional, got shape {d.shape}"
        raise InputError(msg, field="distance_m")
    if h.shape != d.shape:
        msg = f"height_m has shape {h.shape} but distance_m has shape {d.shape}"
        raise InputError(msg, field="height_m")
    if d.size < 3:
        msg = f"a profile needs at least 3 points (2 ends and 1 intermediate), got {d.size}"
        raise InputError(msg, field="distance_m")
    if not np.all(np.isfinite(d)) or np.any(d < 0.0):
        msg = "distance_m must be finite and >= 0"
        raise InputError(msg, field="distance_m")
    if not np.all(np.diff(d) > 0.0):
        msg = "distance_m must be strictly increasing"
        raise InputError(msg, field="distance_m")
    if not np.all(np.isfinite(h)):
        msg = "height_m must be finite (no NaN inside a profile)"
        raise InputError(msg, field="height_m")
    return np.ascontiguousarray((d - d[0]) / 1000.0), np.ascontiguousarray(h)


def _scalar(name: str, value: npt.ArrayLike) -> float:
    arr = _checked(name, value)
    if arr.ndim != 0:
        msg = f"{name} must be a scalar for a single path, got shape {arr.shape}"
        raise InputError(msg, field=name)
    return float(arr)


def _finite_scalar(name: str, value: float) -> float:
    v = float(value)
    if not math.isfinite(v):
        msg = f"{name} must be finite, got {v!r}"
        raise InputError(msg, field=name)
    return v


def _out(result: NDArray[np.float64], *inputs: npt.ArrayLike) -> float | NDArray[np.float64]:
    if all(np.ndim(x) == 0 for x in inputs):
        return float(result.reshape(-1)[0])
    return result


# --------------------------------------------------------------------------- knife edge


@overload
def knife_edge_nu(
    *,
    height_above_path_m: float,
    d1_m: float,
    d2_m: float,
    freq_mhz: float,
    speed_of_light_m_per_s: float = ...,
) -> float: ...
@overload
def knife_edge_nu(
    *,
    height_above_path_m: npt.ArrayLike,
    d1_m: npt.ArrayLike,
    d2_m: npt.ArrayLike,
    freq_mhz: npt.ArrayLike,
    speed_of_light_m_per_s: float = ...,
) -> float | NDArray[np.float64]: ...
def knife_edge_nu(
    *,
    height_above_path_m: npt.ArrayLike,
    d1_m: npt.ArrayLike,
    d2_m: npt.ArrayLike,
    freq_mhz: npt.ArrayLike,
    speed_of_light_m_per_s: float = SPEED_OF_LIGHT_M_PER_S,
) -> float | NDArray[np.float64]:
    """Fresnel-Kirchhoff diffraction parameter of a single knife edge.

    Parameters
    ----------
    height_above_path_m
        Height of the edge above the straight line joining the two ends (m); negative
        when the edge is below the line (clearance).
    d1_m, d2_m
        Distances from the two ends to the edge (m), > 0.
    freq_mhz
        Frequency (MHz), in [10, 50 000].
    speed_of_light_m_per_s
        Speed of light used for the wavelength (m/s).

    Returns
    -------
    float or numpy.ndarray
        Dimensionless parameter nu (inputs broadcast together).

    Raises
    ------
    InputError
        If a parameter is out of range (names it).

    Notes
    -----
    ITU-R P.526-16 §4.1 eq. (26): ``nu = h sqrt(2/lambda (1/d1 + 1/d2))``.
    """
    h = np.asarray(height_above_path_m, dtype=np.float64)
    if not np.all(np.isfinite(h)):
        msg = "height_above_path_m must be finite"
        raise InputError(msg, field="height_above_path_m")
    d1 = _checked("d1_m", d1_m)
    d2 = _checked("d2_m", d2_m)
    f = _checked("freq_mhz", freq_mhz)
    lam = _speed(speed_of_light_m_per_s) / (f * 1e6)
    nu = h * np.sqrt(2.0 / lam * (1.0 / d1 + 1.0 / d2))
    return _out(np.asarray(nu, dtype=np.float64), height_above_path_m, d1_m, d2_m, freq_mhz)


@overload
def knife_edge_loss_db(nu: float, *, method: str = ...) -> float: ...
@overload
def knife_edge_loss_db(nu: npt.ArrayLike, *, method: str = ...) -> float | NDArray[np.float64]: ...
def knife_edge_loss_db(
    nu: npt.ArrayLike, *, method: str = "approximation"
) -> float | NDArray[np.float64]:
    """Diffraction loss J(nu) of a single knife edge.

    Parameters
    ----------
    nu
        Diffraction parameter (see :func:`knife_edge_nu`), finite.
    method
        ``"approximation"`` (default, the one the Bullington method uses) or
        ``"fresnel"`` (exact); see ``KNIFE_EDGE_METHODS``.

    Returns
    -------
    float or numpy.ndarray
        Loss J(nu) (dB) relative to free space. Positive for ``nu > -0.78``;
        the approximation is 0 dB at and below -0.78, the exact curve oscillates
        around 0 dB there (small negative values = gain).

    Raises
    ------
    InputError
        If ``nu`` is not finite or ``method`` is unknown.

    Notes
    -----
    Exact, ITU-R P.526-16 §4.1 eq. (30)::

        J(nu) = -20 log10( sqrt((1 - C(nu) - S(nu))^2 + (C(nu) - S(nu))^2) / 2 )

    with the Fresnel integrals C, S of §2.7; approximation, eq. (31)::

        J(nu) = 6.9 + 20 log10( sqrt((nu - 0.1)^2 + 1) + nu - 0.1 ),  nu > -0.78

    J(0) = 6.02 dB exactly (the approximation gives 6.03 dB).
    """
    _choice("method", method, KNIFE_EDGE_METHODS)
    v = np.asarray(nu, dtype=np.float64)
    if not np.all(np.isfinite(v)):
        msg = "nu must be finite"
        raise InputError(msg, field="nu")
    if method == "fresnel":
        s, c = fresnel(v)
        amp = np.sqrt((1.0 - c - s) ** 2 + (c - s) ** 2) / 2.0
        out = np.asarray(-20.0 * np.log10(amp), dtype=np.float64)
    else:
        flat = np.ascontiguousarray(v.reshape(-1))
        out = _k.knife_edge_loss_approx_many(flat).reshape(v.shape)
    return _out(out, nu)


# --------------------------------------------------------------------------- spherical Earth


@overload
def spherical_earth_diffraction_loss_db(
    *,
    distance_m: float,
    height_tx_m: float,
    height_rx_m: float,
    freq_mhz: float,
    effective_earth_radius_km: float = ...,
    polarization: str = ...,
    sea_fraction: float = ...,
    variant: str = ...,
    land: Ground = ...,
    sea: Ground = ...,
    speed_of_light_m_per_s: float = ...,
) -> float: ...
@overload
def spherical_earth_diffraction_loss_db(
    *,
    distance_m: npt.ArrayLike,
    height_tx_m: npt.ArrayLike,
    height_rx_m: npt.ArrayLike,
    freq_mhz: npt.ArrayLike,
    effective_earth_radius_km: npt.ArrayLike = ...,
    polarization: str = ...,
    sea_fraction: npt.ArrayLike = ...,
    variant: str = ...,
    land: Ground = ...,
    sea: Ground = ...,
    speed_of_light_m_per_s: float = ...,
) -> float | NDArray[np.float64]: ...
def spherical_earth_diffraction_loss_db(
    *,
    distance_m: npt.ArrayLike,
    height_tx_m: npt.ArrayLike,
    height_rx_m: npt.ArrayLike,
    freq_mhz: npt.ArrayLike,
    effective_earth_radius_km: npt.ArrayLike = 8500.0,
    polarization: str = "horizontal",
    sea_fraction: npt.ArrayLike = 0.0,
    variant: str = "P.526",
    land: Ground = LAND,
    sea: Ground = SEA,
    speed_of_light_m_per_s: float = SPEED_OF_LIGHT_M_PER_S,
) -> float | NDArray[np.float64]:
    """Diffraction loss over a smooth spherical Earth, for any distance.

    Parameters
    ----------
    distance_m
        Great-circle path length (m), > 0.
    height_tx_m, height_rx_m
        Antenna heights above the (smooth) ground (m), > 0.
    freq_mhz
        Frequency (MHz), in [10, 50 000].
    effective_earth_radius_km
        Effective Earth radius a_e (km), > 0 (8500 km = k-factor 4/3).
    polarization
        ``"horizontal"`` or ``"vertical"``.
    sea_fraction
        Fraction of the path over sea, in [0, 1]; the first term is the mix
        ``omega L_sea + (1 - omega) L_land`` (P.452-18 eq. (29)).
    variant
        ``"P.526"`` or ``"P.452"`` (see the module docstring).
    land, sea
        Electrical characteristics of the two grounds. For a single ground of your
        own, pass it as ``land`` with ``sea_fraction=0``.
    speed_of_light_m_per_s
        Speed of light used for the wavelength (m/s).

    Returns
    -------
    float or numpy.ndarray
        Loss ``L_dsph`` (dB), >= 0 inside line of sight; inputs broadcast together.

    Raises
    ------
    InputError
        If a parameter is out of range or a name unknown (names the parameter).

    Notes
    -----
    ITU-R P.526-16 §3.2 (= P.452-18 §4.2.2): with the marginal line-of-sight distance
    ``d_los = sqrt(2 a_e) (sqrt(0.001 h_te) + sqrt(0.001 h_re))`` (eq. (23)), a path
    with ``d >= d_los`` gets the first-term loss of §3.1.1 (eqs. (29)-(37)); a shorter
    one gets 0 dB if the smallest clearance ``h_se`` (eqs. (24)-(25)) exceeds ``h_req``
    (eq. (26)), else ``(1 - h_se/h_req) L_dft(a_em)`` with the modified radius
    ``a_em = 500 (d / (sqrt(h_te) + sqrt(h_re)))^2`` (eqs. (27)-(28)).
    """
    pol = POLARIZATIONS[_choice("polarization", polarization, POLARIZATIONS)]
    c = _speed(speed_of_light_m_per_s)
    consts = _consts(variant, c, land, sea)
    arrays = np.broadcast_arrays(
        _checked("distance_m", distance_m),
        _checked("height_tx_m", height_tx_m),
        _checked("height_rx_m", height_rx_m),
        _checked("freq_mhz", freq_mhz),
        _checked("effective_earth_radius_km", effective_earth_radius_km),
        _checked("sea_fraction", sea_fraction),
    )
    shape = arrays[0].shape
    d, hte, hre, f, ae, omega = (np.ascontiguousarray(a.reshape(-1)) for a in arrays)
    out = _k.spherical_earth_loss_many(
        d / 1000.0,
        hte,
        hre,
        ae,
        f / 1000.0,
        c / (f * 1e6),
        omega,
        np.full(d.size, pol, dtype=np.int64),
        consts,
    ).reshape(shape)
    return _out(
        out, distance_m, height_tx_m, height_rx_m, freq_mhz, effective_earth_radius_km, sea_fraction
    )


# --------------------------------------------------------------------------- one profile


def bullington_loss_db(
    *,
    distance_m: npt.ArrayLike,
    height_m: npt.ArrayLike,
    height_tx_amsl_m: float,
    height_rx_amsl_m: float,
    freq_mhz: float,
    effective_earth_radius_km: float = 8500.0,
    speed_of_light_m_per_s: float = SPEED_OF_LIGHT_M_PER_S,
) -> float:
    """Bullington diffraction loss of one terrain profile (multiple knife edges).

    Parameters
    ----------
    distance_m
        Distances of the profile points from the transmitter (m), strictly
        increasing, at least 3 points; any spacing. Shifted to start at 0.
    height_m
        Heights of the profile points (m above sea level), same shape.
    height_tx_amsl_m, height_rx_amsl_m
        Antenna heights above sea level (m), finite.
    freq_mhz
        Frequency (MHz), in [10, 50 000].
    effective_earth_radius_km
        Effective Earth radius (km), > 0.
    speed_of_light_m_per_s
        Speed of light used for the wavelength (m/s).

    Returns
    -------
    float
        ``L_bull`` (dB), >= 0.

    Raises
    ------
    InputError
        If a parameter is out of range or the profile malformed (names it).

    Notes
    -----
    ITU-R P.526-16 §4.5.1 (= P.452-18 §4.2.1): the obstacles are replaced by one
    equivalent knife edge at the Bullington point. With the slopes ``S_tim``
    (eq. (14)) and ``S_tr`` (eq. (15)), a line-of-sight path takes the largest
    ``nu`` over the profile (eq. (16)), a trans-horizon path the ``nu_b`` of the
    intersection of the two horizon rays (eqs. (18)-(20)); ``L_uc = J(nu)`` by
    eq. (31) and ``L_bull = L_uc + (1 - exp(-L_uc/6)) (10 + 0.02 d)`` (eq. (22)),
    d in km. Heights include Earth curvature through ``500 C_e d_i (d - d_i)``.
    """
    d_km, h = _profile(distance_m, height_m)
    f = _scalar("freq_mhz", freq_mhz)
    ae = _scalar("effective_earth_radius_km", effective_earth_radius_km)
    hts = _finite_scalar("height_tx_amsl_m", height_tx_amsl_m)
    hrs = _finite_scalar("height_rx_amsl_m", height_rx_amsl_m)
    lam = _speed(speed_of_light_m_per_s) / (f * 1e6)
    loss, _ = _k.bullington_loss_db(d_km, h, d_km.size, False, hts, hrs, ae, lam)
    return float(loss)


def smooth_earth_heights(
    *,
    distance_m: npt.ArrayLike,
    height_m: npt.ArrayLike,
    height_tx_amsl_m: float,
    height_rx_amsl_m: float,
) -> SmoothEarthHeights[float]:
    """Smooth-Earth surface at both ends of one profile, for the delta-Bullington method.

    Parameters
    ----------
    distance_m, height_m
        The terrain profile (m, m above sea level); see :func:`bullington_loss_db`.
        Use the bare terrain here, not terrain plus clutter.
    height_tx_amsl_m, height_rx_amsl_m
        Antenna heights above sea level (m).

    Returns
    -------
    SmoothEarthHeights
        ``h_st``, ``h_sr`` and ``h_std``, ``h_srd`` (m above sea level).

    Raises
    ------
    InputError
        If the profile is malformed or a height not finite.

    Notes
    -----
    Least-squares straight line through the profile, P.452-18 §5.1.6.2 eqs.
    (161)-(164); then, for the diffraction model (§5.1.6.3), the highest obstruction
    ``h_obs`` above the Tx-Rx line and the horizon slopes ``alpha_obt``, ``alpha_obr``
    (eq. (165)) lower it, shared by ``g_t = alpha_obt/(alpha_obt + alpha_obr)`` and
    ``g_r`` (eq. (166)), and neither end may be above the ground there (eq. (167)).
    """
    d_km, h = _profile(distance_m, height_m)
    hts = _finite_scalar("height_tx_amsl_m", height_tx_amsl_m)
    hrs = _finite_scalar("height_rx_amsl_m", height_rx_amsl_m)
    hst, hsr, hstd, hsrd = _k.smooth_earth_heights_m(d_km, h, d_km.size, hts, hrs)
    return SmoothEarthHeights(float(hst), float(hsr), float(hstd), float(hsrd))


def delta_bullington(
    *,
    distance_m: npt.ArrayLike,
    height_m: npt.ArrayLike,
    antenna_tx_agl_m: float,
    antenna_rx_agl_m: float,
    freq_mhz: float,
    effective_earth_radius_km: float = 8500.0,
    polarization: str = "horizontal",
    sea_fraction: float = 0.0,
    clutter_height_m: npt.ArrayLike | None = None,
    variant: str = "P.526",
    land: Ground = LAND,
    sea: Ground = SEA,
    speed_of_light_m_per_s: float = SPEED_OF_LIGHT_M_PER_S,
) -> DeltaBullingtonResult[float]:
    """Diffraction loss of one general terrestrial path by the delta-Bullington method.

    Parameters
    ----------
    distance_m
        Distances of the profile points from the transmitter (m), strictly
        increasing, at least 3 points; any spacing.
    height_m
        Terrain heights of the profile points (m above sea level), same shape.
    antenna_tx_agl_m, antenna_rx_agl_m
        Antenna heights above the ground at the two ends (m), > 0.
    freq_mhz
        Frequency (MHz), in [10, 50 000].
    effective_earth_radius_km
        Effective Earth radius (km), > 0 (8500 km median in the SG3 examples; P.452
        and P.1812 use a_e from Delta-N for 50 % and 3 x 6371 km for beta_0 %).
    polarization
        ``"horizontal"`` or ``"vertical"`` (only the spherical-Earth step uses it).
    sea_fraction
        Fraction of the path over sea, in [0, 1].
    clutter_height_m
        Optional representative clutter heights (m), same shape as ``height_m``,
        added to the intermediate points for the Bullington loss of the actual
        profile only (P.1812-6 §3.2; the ends keep the bare terrain). ``None`` = 0.
    variant
        ``"P.526"`` (default) or ``"P.452"``; see the module docstring.
    land, sea
        Ground characteristics of the spherical-Earth step.
    speed_of_light_m_per_s
        Speed of light used for the wavelength (m/s).

    Returns
    -------
    DeltaBullingtonResult[float]
        ``L_d`` and its parts ``L_ba``, ``L_bs``, ``L_sph``, and the heights
        ``h'_ts``, ``h'_rs``, ``h_std``, ``h_srd``.

    Raises
    ------
    InputError
        If a parameter is out of range, a name unknown or the profile malformed
        (names the parameter).

    Notes
    -----
    ITU-R P.526-16 §4.5.2 (= P.452-18 §4.2.3, P.1812-6 §4.3.4):

    1. ``L_ba``: Bullington loss (:func:`bullington_loss_db`) of the actual profile
       with ``h_ts = h_1 + h_tg`` and ``h_rs = h_n + h_rg``;
    2. ``L_bs``: the same with every profile height set to 0 and the antennas at
       ``h'_ts = h_ts - h_std``, ``h'_rs = h_rs - h_srd`` (eq. (38));
    3. ``L_sph``: spherical-Earth loss (:func:`spherical_earth_diffraction_loss_db`)
       for the path length and ``h'_ts``, ``h'_rs`` (eq. (39));
    4. ``L_d = L_ba + max(L_sph - L_bs, 0)`` (eq. (40)).
    """
    d_km, h = _profile(distance_m, height_m)
    htg = _scalar("antenna_tx_agl_m", antenna_tx_agl_m)
    hrg = _scalar("antenna_rx_agl_m", antenna_rx_agl_m)
    f = _scalar("freq_mhz", freq_mhz)
    ae = _scalar("effective_earth_radius_km", effective_earth_radius_km)
    omega = _scalar("sea_fraction", sea_fraction)
    pol = POLARIZATIONS[_choice("polarization", polarization, POLARIZATIONS)]
    c = _speed(speed_of_light_m_per_s)
    consts = _consts(variant, c, land, sea)
    if clutter_height_m is None:
        g = h
    else:
        r = np.asarray(clutter_height_m, dtype=np.float64)
        if r.shape != h.shape:
            msg = f"clutter_height_m has shape {r.shape} but height_m has shape {h.shape}"
            raise InputError(msg, field="clutter_height_m")
        if not np.all(np.isfinite(r)) or np.any(r < 0.0):
            msg = "clutter_height_m must be finite and >= 0"
            raise InputError(msg, field="clutter_height_m")
        g = np.ascontiguousarray(h + r)
        g[0], g[-1] = h[0], h[-1]
    out = np.empty(_k.N_OUT)
    _k.delta_bullington_path(
        d_km, h, g, d_km.size, htg, hrg, f / 1000.0, c / (f * 1e6), ae, omega, pol, consts, out
    )
    return DeltaBullingtonResult(*(float(x) for x in out[:8]))


# --------------------------------------------------------------------------- many profiles


def _per_path(name: str, value: npt.ArrayLike, n_paths: int) -> NDArray[np.float64]:
    arr = _checked(name, value)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size not in (1, n_paths)):
        msg = f"{name} must be a scalar or one value per path ({n_paths}), got shape {arr.shape}"
        raise InputError(msg, field=name)
    return np.ascontiguousarray(np.broadcast_to(arr.reshape(-1), (n_paths,)), dtype=np.float64)


def delta_bullington_batch(
    *,
    elevation_m: npt.ArrayLike,
    n_points: npt.ArrayLike,
    spacing_m: npt.ArrayLike,
    antenna_tx_agl_m: npt.ArrayLike,
    antenna_rx_agl_m: npt.ArrayLike,
    freq_mhz: npt.ArrayLike,
    effective_earth_radius_km: npt.ArrayLike = 8500.0,
    polarization: str = "horizontal",
    sea_fraction: npt.ArrayLike = 0.0,
    clutter_height_m: npt.ArrayLike | None = None,
    variant: str = "P.526",
    land: Ground = LAND,
    sea: Ground = SEA,
    speed_of_light_m_per_s: float = SPEED_OF_LIGHT_M_PER_S,
) -> DeltaBullingtonResult[NDArray[np.float64]]:
    """Delta-Bullington diffraction loss of many uniformly sampled profiles at once.

    Takes the layout of :mod:`alcance.terrain` profiles: point ``k`` of path ``p`` is
    at ``k * spacing_m[p]`` from the transmitter and ``elevation_m[p, k]`` above sea
    level, for ``k < n_points[p]``; the rest of the row is padding (NaN) and is not
    read. Runs in parallel over paths (Numba ``prange``).

    Parameters
    ----------
    elevation_m
        Terrain heights (m above sea level), shape ``(n_paths, max_points)``.
    n_points
        Number of valid points of each path, ``3 <= n_points <= max_points``.
    spacing_m
        Point spacing of each path (m), > 0; scalar or one per path.
    antenna_tx_agl_m, antenna_rx_agl_m, freq_mhz, effective_earth_radius_km, sea_fraction
        As in :func:`delta_bullington`; scalars or one value per path.
    polarization, variant, land, sea, speed_of_light_m_per_s
        As in :func:`delta_bullington`, the same for every path.
    clutter_height_m
        Optional representative clutter heights (m), same shape as ``elevation_m``.

    Returns
    -------
    DeltaBullingtonResult[numpy.ndarray]
        Each field an array of shape ``(n_paths,)``.

    Raises
    ------
    InputError
        If a parameter is out of range or the arrays do not fit together (names the
        parameter; ``row`` is the 1-based path number for a bad profile).

    Notes
    -----
    Same method and equations as :func:`delta_bullington` (ITU-R P.526-16 §4.5.2).
    """
    elev = np.asarray(elevation_m, dtype=np.float64)
    if elev.ndim != 2:
        msg = f"elevation_m must be 2-D (n_paths, max_points), got shape {elev.shape}"
        raise InputError(msg, field="elevation_m")
    n_paths, max_points = elev.shape
    npts_raw = np.asarray(n_points)
    if npts_raw.shape != (n_paths,):
        msg = f"n_points must have shape ({n_paths},), got {npts_raw.shape}"
        raise InputError(msg, field="n_points")
    if not np.issubdtype(npts_raw.dtype, np.integer) and not (
        np.issubdtype(npts_raw.dtype, np.floating)
        and np.all(np.isfinite(npts_raw))
        and np.all(npts_raw == np.round(npts_raw))
    ):
        msg = f"n_points must be whole numbers, got dtype {npts_raw.dtype}"
        raise InputError(msg, field="n_points")
    npts = np.ascontiguousarray(npts_raw, dtype=np.int64)
    if np.any((npts < 3) | (npts > max_points)):
        p = int(np.flatnonzero((npts < 3) | (npts > max_points))[0])
        msg = f"n_points must be in [3, {max_points}], got {int(npts[p])}"
        raise InputError(msg, row=p + 1, field="n_points")
    valid = np.arange(max_points)[None, :] < npts[:, None]
    bad_rows = np.flatnonzero(np.any(valid & ~np.isfinite(elev), axis=1))
    if bad_rows.size:
        msg = "elevation_m has NaN or inf among the first n_points of this path"
        raise InputError(msg, row=int(bad_rows[0]) + 1, field="elevation_m")
    spacing = _per_path("spacing_m", spacing_m, n_paths)
    htg = _per_path("antenna_tx_agl_m", antenna_tx_agl_m, n_paths)
    hrg = _per_path("antenna_rx_agl_m", antenna_rx_agl_m, n_paths)
    f = _per_path("freq_mhz", freq_mhz, n_paths)
    ae = _per_path("effective_earth_radius_km", effective_earth_radius_km, n_paths)
    omega = _per_path("sea_fraction", sea_fraction, n_paths)
    pol = POLARIZATIONS[_choice("polarization", polarization, POLARIZATIONS)]
    c = _speed(speed_of_light_m_per_s)
    consts = _consts(variant, c, land, sea)
    if clutter_height_m is None:
        clutter = np.zeros((1, 1))
        has_clutter = False
    else:
        clutter = np.ascontiguousarray(clutter_height_m, dtype=np.float64)
        if clutter.shape != elev.shape:
            msg = f"clutter_height_m has shape {clutter.shape} but elevation_m has {elev.shape}"
            raise InputError(msg, field="clutter_height_m")
        if np.any(valid & ~(np.isfinite(clutter) & (clutter >= 0.0))):
            msg = "clutter_height_m must be finite and >= 0 among the first n_points"
            raise InputError(msg, field="clutter_height_m")
        has_clutter = True
    out = _k.delta_bullington_batch(
        np.ascontiguousarray(elev),
        clutter,
        has_clutter,
        npts,
        spacing,
        htg,
        hrg,
        f / 1000.0,
        c / (f * 1e6),
        ae,
        omega,
        np.full(n_paths, pol, dtype=np.int64),
        consts,
    )
    return DeltaBullingtonResult(*(np.ascontiguousarray(out[:, i]) for i in range(8)))
