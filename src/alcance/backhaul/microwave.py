"""Microwave point-to-point backhaul hops: clearance over terrain and availability (ITU-R P.530).

Pure computation, vectorised over many hops (NumPy arrays in, arrays or a DataFrame
out). The chain, per hop:

1. terrain clearance of the first Fresnel zone at the median k and at k_e(99.9 %)
   (:func:`path_clearance`, one Numba pass per chunk of paths, ITU-R P.530-18 §2.2.2);
2. link budget per band and dish: dish gain (:func:`antenna_gain_dbi`), free-space loss
   (ITU-R P.525-4), gaseous absorption (:func:`gaseous_loss_db`, ITU-R P.676 via
   ``itur``), branching losses, receiver thresholds of the modulation table;
3. outage: multipath (:func:`multipath_outage_pct`, P.530-17 §2.3.1–2.3.2, worst month
   converted to an average year with §2.3.4) plus rain (:func:`rain_outage_pct`,
   P.530-17 §2.4.1 inverted) → availability;
4. choice (:func:`evaluate_hops`): the smallest dish, then the highest band, whose
   lowest modulation meets the availability target; adaptive modulation then gives the
   capacity of the highest modulation that still meets it.

Recommendation versions
-----------------------
Geometry (Fresnel radius, clearance criteria, k_e) follows P.530-18, which keeps the
equations of -17. Multipath and rain follow **P.530-17** — the version ``itur`` 0.4.0
implements — because -18 replaced the geoclimatic factor ``K(dN1, s_a)`` by digital
maps (LogK, dN75) that no available library ships. ``dN1`` comes from ITU-R P.453
(``itur.models.itu453.DN65(lat, lon, 1)``: the refractivity gradient in the lowest
65 m not exceeded for 1 % of an average year, which is P.530's ``dN1``; ``itu453.DN1``
is the lowest-1-km statistic and is *not* used).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd
from itur.models import itu453, itu676, itu835, itu836, itu837, itu838
from numpy.typing import ArrayLike, NDArray
from pydantic import Field, model_validator
from scipy.spatial import cKDTree

from alcance._settings import Section, meta
from alcance.backhaul._clearance import clearance_fused_kernel, clearance_profiles_kernel
from alcance.errors import InputError
from alcance.terrain._crs import is_wgs84_lonlat
from alcance.terrain._karney import profile_node_stride
from alcance.terrain._validate import broadcast_coordinates
from alcance.terrain.curvature import EARTH_RADIUS_M
from alcance.terrain.geodesic import geodesic_inverse
from alcance.terrain.grid import TerrainGrid
from alcance.terrain.profiles import (
    _grid_parts,
    _spacing_per_path,
    default_spacing_m,
    sample_profiles,
)

__all__ = [
    "Clearance",
    "MicrowaveSettings",
    "Modulation",
    "antenna_gain_dbi",
    "evaluate_hops",
    "first_fresnel_radius_m",
    "free_space_loss_db",
    "gaseous_loss_db",
    "hop_pairs",
    "k_min_999",
    "multipath_outage_pct",
    "path_clearance",
    "rain_attenuation_db",
    "rain_outage_pct",
    "receiver_threshold_dbm",
]

FloatArray = NDArray[np.float64]
Climate = Literal["temperate", "tropical"]
Polarization = Literal["h", "v"]

SPEED_OF_LIGHT_M_S = 299_792_458.0
_BOLTZMANN_DBM_HZ = -174.0  # 10 log10(k T0) at T0 = 290 K, dBm/Hz (ITU-R P.372 / F.1101)


# ---------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------
class Modulation(Section):
    """One adaptive-modulation step of a PtP radio."""

    name: str = Field(description="Modulation name", json_schema_extra=meta("-", "user"))
    spectral_efficiency_bps_hz: float = Field(
        gt=0.0,
        description="Net payload bit/s per Hz of channel (after FEC, roll-off, framing)",
        json_schema_extra=meta("bit/s/Hz", "see MicrowaveSettings.modulations"),
    )
    cn_required_db: float = Field(
        description="Carrier-to-noise ratio at the receiver threshold (BER 1e-6)",
        json_schema_extra=meta("dB", "see MicrowaveSettings.modulations"),
    )


_MODULATION_SOURCE = (
    "Alcance assumption: spectral efficiencies are those of ETSI EN 302 217-2 "
    "system classes 2–8 in a 28 MHz channel (payload ≈ 45, 90, 112, 137, 160, 185, 207, "
    "230 Mbit/s for QPSK…1024QAM, i.e. 1.6…8.2 bit/s/Hz, vendor data sheets of that "
    "generation agree); no free table of EN 302 217-2 thresholds was available, so the "
    "threshold is derived as kTB + noise figure + required C/N, with C/N for BER 1e-6 "
    "of coded M-QAM (uncoded C/N at BER 1e-6 minus ≈ 3 dB coding gain: QPSK 10.5, "
    "16QAM 17, 32QAM 20, 64QAM 23, 128QAM 26, 256QAM 29, 512QAM 32, 1024QAM 35 dB)"
)


def _default_modulations() -> list[Modulation]:
    table = (
        ("QPSK", 1.6, 10.5),
        ("16QAM", 3.2, 17.0),
        ("32QAM", 4.0, 20.0),
        ("64QAM", 4.9, 23.0),
        ("128QAM", 5.7, 26.0),
        ("256QAM", 6.6, 29.0),
        ("512QAM", 7.4, 32.0),
        ("1024QAM", 8.2, 35.0),
    )
    return [Modulation(name=n, spectral_efficiency_bps_hz=s, cn_required_db=c) for n, s, c in table]


class MicrowaveSettings(Section):
    """Scenario section ``[microwave]``: licensed point-to-point microwave backhaul hops.

    Antenna heights above ground (towers, school masts) are inputs of
    :func:`evaluate_hops`, not settings.
    """

    bands_ghz: list[float] = Field(
        default_factory=lambda: [7.0, 13.0, 18.0, 23.0],
        min_length=1,
        description="Licensed PtP bands offered (centre frequencies)",
        json_schema_extra=meta(
            "GHz",
            "ITU-R F.385 (7 GHz), F.497 (13 GHz), F.595 (18 GHz), F.637 (23 GHz) "
            "radio-frequency channel arrangements",
        ),
    )
    max_hop_km: list[float] = Field(
        default_factory=lambda: [60.0, 40.0, 25.0, 15.0],
        min_length=1,
        description="Longest hop allowed in each band (same order as bands_ghz)",
        json_schema_extra=meta(
            "km",
            "Alcance assumption: usual national licensing caps / rain-limited hop lengths "
            "for 99.99 % in moderate rain climates (7 GHz ≈ 60 km … 23 GHz ≈ 15 km); "
            "the availability computation decides within the cap",
        ),
    )
    channel_bandwidth_mhz: float = Field(
        28.0,
        gt=0.0,
        description="Channel bandwidth",
        json_schema_extra=meta("MHz", "ETSI EN 302 217-2, 28 MHz channel (CEPT/ITU-R F.385 etc.)"),
    )
    tx_power_dbm: float = Field(
        20.0,
        description="Transmitter output power at the antenna port of the ODU",
        json_schema_extra=meta(
            "dBm",
            "Alcance assumption: typical split-mount ODU output at high-order QAM "
            "(+18…+25 dBm in data sheets; the lower end holds at 1024QAM back-off)",
        ),
    )
    noise_figure_db: float = Field(
        6.0,
        ge=0.0,
        description="Receiver noise figure",
        json_schema_extra=meta(
            "dB", "Alcance assumption: typical 6–23 GHz ODU receiver noise figure (5–7 dB)"
        ),
    )
    dish_diameters_m: list[float] = Field(
        default_factory=lambda: [0.3, 0.6, 1.2],
        min_length=1,
        description="Parabolic antenna diameters offered, smallest first in the choice",
        json_schema_extra=meta("m", "Alcance assumption: standard PtP antenna sizes (1, 2, 4 ft)"),
    )
    antenna_efficiency: float = Field(
        0.55,
        gt=0.0,
        le=1.0,
        description="Aperture efficiency of the parabolic antennas",
        json_schema_extra=meta(
            "-", "ITU-R F.699-8 Annex 1 / P.530 practice: 0.5–0.6 typical for parabolic dishes"
        ),
    )
    branching_loss_db: float = Field(
        1.0,
        ge=0.0,
        description="Branching/feeder/radome loss at each end",
        json_schema_extra=meta(
            "dB",
            "Alcance assumption: direct-mount ODU (no waveguide run); 0.5–1.5 dB per end",
        ),
    )
    modulations: list[Modulation] = Field(
        default_factory=_default_modulations,
        min_length=1,
        description="Adaptive-modulation table, lowest order first",
        json_schema_extra=meta("-", _MODULATION_SOURCE),
    )
    availability_target_pct: float = Field(
        99.99,
        gt=50.0,
        lt=100.0,
        description="Annual availability required of a hop (lowest modulation)",
        json_schema_extra=meta(
            "%",
            "ITU-R F.1703 objectives for real digital fixed links; 99.99 % is the usual "
            "access-backhaul design objective",
        ),
    )
    k_median: float = Field(
        4.0 / 3.0,
        gt=0.0,
        description="Median effective earth-radius factor",
        json_schema_extra=meta("-", "ITU-R P.530-18 §2.2.2.1 / P.453 standard atmosphere"),
    )
    clearance_median_f1: float = Field(
        1.0,
        description="Clearance required at k_median, in first-Fresnel-zone radii",
        json_schema_extra=meta("F1", "ITU-R P.530-18 §2.2.2.1.1 step 2 (1.0 F1 at median k)"),
    )
    clearance_kmin_f1: float | None = Field(
        None,
        description=(
            "Clearance required at k_e(99.9 %), in F1 radii; none = by climate "
            "(temperate 0.0, tropical 0.6)"
        ),
        json_schema_extra=meta(
            "F1",
            "ITU-R P.530-18 §2.2.2.1.1 step 3: temperate 0.0 F1 (single isolated "
            "obstruction) … 0.3 F1 (extended); tropical 0.6 F1 for paths over ~30 km",
        ),
    )
    climate: Climate = Field(
        "temperate",
        description="Climate for the k_e(99.9 %) clearance rule",
        json_schema_extra=meta("-", "ITU-R P.530-18 §2.2.2.1.1"),
    )
    polarization: Polarization = Field(
        "v",
        description="Polarization of the hops (vertical suffers less rain attenuation)",
        json_schema_extra=meta("-", "ITU-R P.838-3 (k_V < k_H)"),
    )
    profile_oversampling: int = Field(
        8,
        ge=1,
        le=64,
        description=(
            "Clearance profile samples per DEM pixel: the crest of the DEM's bilinear "
            "surface falls between pixel-spaced samples on steep ridges"
        ),
        json_schema_extra=meta(
            "-",
            "Alcance default: at one sample per pixel 5 of 344 feasible Lima Andes hops "
            "were blocked when re-sampled every 10 m (tests/backhaul/test_lima_andes_backhaul.py); "
            "8 per 90 m pixel samples every ~11 m",
        ),
    )
    terrain_roughness_m: float | None = Field(
        None,
        ge=0.0,
        description=(
            "Area terrain roughness s_a for the geoclimatic factor; none = standard "
            "deviation of the hop's own terrain profile"
        ),
        json_schema_extra=meta(
            "m",
            "ITU-R P.530-17 §2.3.1 step 1 (s_a: std dev of heights in 110 km × 110 km); "
            "Alcance assumption for the default: the profile's std dev stands in for it",
        ),
    )

    @model_validator(mode="after")
    def _check_lengths(self) -> MicrowaveSettings:
        if len(self.max_hop_km) != len(self.bands_ghz):
            msg = f"max_hop_km has {len(self.max_hop_km)} values for {len(self.bands_ghz)} bands"
            raise ValueError(msg)
        for f in self.bands_ghz:
            if not 1.0 <= f <= 100.0:
                msg = f"bands_ghz: {f} GHz is outside 1–100 GHz (ITU-R P.838-3 range)"
                raise ValueError(msg)
        if any(d <= 0.0 for d in self.dish_diameters_m + self.max_hop_km):
            msg = "dish_diameters_m and max_hop_km must be > 0"
            raise ValueError(msg)
        return self

    def kmin_clearance_f1(self) -> float:
        """Required clearance at k_e(99.9 %) in F1 radii (the explicit value or by climate)."""
        if self.clearance_kmin_f1 is not None:
            return float(self.clearance_kmin_f1)
        return 0.0 if self.climate == "temperate" else 0.6


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------
def _arr(
    name: str, value: ArrayLike, *, low: float = -math.inf, high: float = math.inf
) -> FloatArray:
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        msg = f"must be numeric, got {value!r}"
        raise InputError(msg, field=name) from exc
    bad = ~((a >= low) & (a <= high))
    if bad.any():
        msg = f"must lie in [{low:g}, {high:g}], got {a[bad].flat[0]!r}"
        raise InputError(msg, field=name)
    return a


def _out(a: FloatArray) -> Any:
    return float(a) if a.ndim == 0 else a


# ---------------------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------------------
def first_fresnel_radius_m(d1_m: ArrayLike, d2_m: ArrayLike, freq_ghz: ArrayLike) -> Any:
    """Radius of the first Fresnel ellipsoid at a point of a path.

    Parameters
    ----------
    d1_m, d2_m
        Distances from the point to the two ends, metres (>= 0, not both 0).
    freq_ghz
        Frequency, GHz (> 0).

    Returns
    -------
    float or ndarray
        ``F1`` in metres (broadcast shape; a float for scalar inputs).

    Notes
    -----
    ``F1 = 17.3 sqrt(d1 d2 / (f d))`` with d1, d2, d = d1 + d2 in km and f in GHz
    (17.3 ≈ sqrt(c / 1 GHz · 1000 m/km) = sqrt(299.8)).

    References
    ----------
    .. [1] ITU-R P.530-18 §2.2.1 eq. (2).
    """
    d1 = _arr("d1_m", d1_m, low=0.0) / 1000.0
    d2 = _arr("d2_m", d2_m, low=0.0) / 1000.0
    f = _arr("freq_ghz", freq_ghz, low=1e-9)
    d = d1 + d2
    if (d <= 0.0).any():
        msg = "d1_m + d2_m must be > 0"
        raise InputError(msg, field="d1_m")
    return _out(np.asarray(17.3 * np.sqrt(d1 * d2 / (f * d))))


def free_space_loss_db(distance_m: ArrayLike, freq_ghz: ArrayLike) -> Any:
    """Free-space basic transmission loss ``92.45 + 20 log f(GHz) + 20 log d(km)``.

    References
    ----------
    .. [1] ITU-R P.525-4 eq. (8) (``32.45 + 20 log f(MHz) + 20 log d(km)``); P.530-18 §2.
    """
    d = _arr("distance_m", distance_m, low=1e-9)
    f = _arr("freq_ghz", freq_ghz, low=1e-9)
    return _out(np.asarray(92.45 + 20.0 * np.log10(f) + 20.0 * np.log10(d / 1000.0)))


#: P.530-18 Fig. 3, continental temperate curve of k_e exceeded for ~99.9 % of the
#: worst month, digitised by hand (Alcance, ±0.03 in k): path length (km) → k_e.
K_E_999_TABLE_KM: tuple[tuple[float, float], ...] = (
    (10.0, 0.53),
    (20.0, 0.62),
    (30.0, 0.68),
    (50.0, 0.76),
    (70.0, 0.80),
    (100.0, 0.85),
    (150.0, 0.90),
    (200.0, 0.93),
)


def k_min_999(distance_km: ArrayLike, climate: Climate = "temperate") -> Any:
    """Effective earth-radius factor k_e exceeded for about 99.9 % of the worst month.

    Parameters
    ----------
    distance_km
        Path length, km (> 0).
    climate
        ``"temperate"`` or ``"tropical"`` (Fig. 3 has one curve, for continental
        temperate climates; it is used for both, the tropical rule instead asks for
        more clearance, see :meth:`MicrowaveSettings.kmin_clearance_f1`).

    Returns
    -------
    float or ndarray
        k_e (dimensionless).

    Notes
    -----
    Linear interpolation in ``log10(d)`` of :data:`K_E_999_TABLE_KM`, a hand
    digitisation of P.530-18 Fig. 3 (accuracy about ±0.03 in k). Below 10 km the 10 km
    value is used (the bulge of such short paths is under 3 m at any k ≥ 0.5), above
    200 km the 200 km value.

    References
    ----------
    .. [1] ITU-R P.530-18 §2.2.2.1, Fig. 3 ("Value of k_e exceeded for approximately
       99.9 % of the worst month (continental temperate climate)").
    """
    if climate not in ("temperate", "tropical"):
        msg = f"unknown climate {climate!r}; use 'temperate' or 'tropical'"
        raise InputError(msg, field="climate")
    d = _arr("distance_km", distance_km, low=0.0)
    xs = np.log10([p[0] for p in K_E_999_TABLE_KM])
    ys = np.array([p[1] for p in K_E_999_TABLE_KM])
    x = np.log10(np.maximum(d, 1e-9))
    return _out(np.asarray(np.interp(x, xs, ys)))


def antenna_gain_dbi(
    diameter_m: ArrayLike, freq_ghz: ArrayLike, efficiency: ArrayLike = 0.55
) -> Any:
    """Boresight gain of a parabolic antenna ``10 log10(η (π D / λ)²)``.

    Parameters
    ----------
    diameter_m
        Dish diameter, m (> 0).
    freq_ghz
        Frequency, GHz (> 0).
    efficiency
        Aperture efficiency (0, 1].

    Returns
    -------
    float or ndarray
        Gain, dBi (0.6 m at 18 GHz, η = 0.55: 38.48 dBi).

    References
    ----------
    .. [1] ITU-R F.699-8 Annex 1 §1 (``G_max`` from D/λ and efficiency); ITU-R
       S.580 / P.530 practice ``G = 10 log(η (π D / λ)²)``.
    """
    d = _arr("diameter_m", diameter_m, low=1e-9)
    f = _arr("freq_ghz", freq_ghz, low=1e-9)
    eta = _arr("efficiency", efficiency, low=1e-9, high=1.0)
    wavelength = SPEED_OF_LIGHT_M_S / (f * 1e9)
    return _out(np.asarray(10.0 * np.log10(eta * (np.pi * d / wavelength) ** 2)))


def receiver_threshold_dbm(
    *, bandwidth_mhz: ArrayLike, noise_figure_db: ArrayLike, cn_required_db: ArrayLike
) -> Any:
    """Receiver threshold ``kTB + NF + C/N`` (dBm).

    References
    ----------
    .. [1] ITU-R F.1101 Annex 1 / F.1703 practice: ``-174 dBm/Hz + 10 log B + NF + C/N``.
    """
    b = _arr("bandwidth_mhz", bandwidth_mhz, low=1e-9)
    nf = _arr("noise_figure_db", noise_figure_db)
    cn = _arr("cn_required_db", cn_required_db)
    return _out(np.asarray(_BOLTZMANN_DBM_HZ + 10.0 * np.log10(b * 1e6) + nf + cn))


# ---------------------------------------------------------------------------------------
# Atmosphere (itur)
# ---------------------------------------------------------------------------------------
def gaseous_loss_db(
    distance_km: ArrayLike,
    freq_ghz: ArrayLike,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    height_m: ArrayLike = 0.0,
) -> Any:
    """Attenuation by atmospheric gases along a terrestrial path (dB).

    Parameters
    ----------
    distance_km
        Path length, km.
    freq_ghz
        Frequency, GHz (1–1000).
    lat_deg, lon_deg
        Path mid-point, degrees.
    height_m
        Mean height of the path above sea level, m (0–10 000).

    Returns
    -------
    float or ndarray
        ``A_a = (γ_o + γ_w) d`` in dB.

    Notes
    -----
    Specific attenuations γ_o, γ_w from ITU-R P.676-12 Annex 1 (line-by-line,
    ``itur.models.itu676.gamma0_exact``/``gammaw_exact``) at the pressure and
    temperature of the ITU-R P.835-6 mean annual reference atmosphere at ``height_m``
    and the median surface water-vapour density of ITU-R P.836-6 at the mid-point and
    height (not the 7.5 g/m³ standard value).

    References
    ----------
    .. [1] ITU-R P.530-18 §2.1; ITU-R P.676-12 Annex 1 eq. (1); ITU-R P.835-6 §1;
       ITU-R P.836-6 §1.
    """
    d = _arr("distance_km", distance_km, low=0.0)
    f = _arr("freq_ghz", freq_ghz, low=1.0, high=1000.0)
    lat = _arr("lat_deg", lat_deg, low=-90.0, high=90.0)
    lon = _arr("lon_deg", lon_deg, low=-180.0, high=360.0)
    h = _arr("height_m", height_m, low=-500.0, high=10_000.0)
    d, f, lat, lon, h = np.broadcast_arrays(d, f, lat, lon, h)
    h_km = np.maximum(h, 0.0) / 1000.0
    shape = d.shape
    rho = np.asarray(
        itu836.surface_water_vapour_density(lat.ravel(), lon.ravel(), 50.0, alt=h_km.ravel())
        .to("g/m3")
        .value,
        dtype=np.float64,
    ).reshape(shape)
    pressure = np.asarray(itu835.standard_pressure(h_km).to("hPa").value, dtype=np.float64)
    temperature = np.asarray(itu835.standard_temperature(h_km).to("K").value, dtype=np.float64)
    keys = np.stack(
        [f.ravel(), np.broadcast_to(pressure, shape).ravel(), rho.ravel(),
         np.broadcast_to(temperature, shape).ravel()], axis=1,
    )  # fmt: skip
    uniq, back = np.unique(keys, axis=0, return_inverse=True)
    g0 = itu676.gamma0_exact(uniq[:, 0], uniq[:, 1], uniq[:, 2], uniq[:, 3]).to("dB/km").value
    gw = itu676.gammaw_exact(uniq[:, 0], uniq[:, 1], uniq[:, 2], uniq[:, 3]).to("dB/km").value
    gamma = (
        np.atleast_1d(np.asarray(g0, dtype=np.float64))
        + np.atleast_1d(np.asarray(gw, dtype=np.float64))
    )[np.ravel(back)].reshape(shape)
    return _out(np.asarray(gamma * d))


def _rain_coefficients(
    freq_ghz: FloatArray, polarization: Polarization
) -> tuple[FloatArray, FloatArray]:
    """k and α of ITU-R P.838-3 eqs. (2)–(5) for a horizontal path (θ = 0)."""
    if polarization not in ("h", "v"):
        msg = f"unknown polarization {polarization!r}; use 'h' or 'v'"
        raise InputError(msg, field="polarization")
    tau = 0.0 if polarization == "h" else 90.0
    uniq, back = np.unique(freq_ghz.ravel(), return_inverse=True)
    coef = np.array(
        [
            np.asarray(itu838.rain_specific_attenuation_coefficients(float(fu), 0.0, tau))
            for fu in uniq
        ]
    ).reshape(-1, 2)
    k = coef[np.ravel(back), 0].reshape(freq_ghz.shape)
    alpha = coef[np.ravel(back), 1].reshape(freq_ghz.shape)
    return k, alpha


def rain_rate_001_mm_h(lat_deg: ArrayLike, lon_deg: ArrayLike) -> FloatArray:
    """R0.01, the rain rate exceeded 0.01 % of an average year (ITU-R P.837-7 via itur)."""
    lat = _arr("lat_deg", lat_deg, low=-90.0, high=90.0)
    lon = _arr("lon_deg", lon_deg, low=-180.0, high=360.0)
    lat, lon = np.broadcast_arrays(lat, lon)
    r = itu837.rainfall_rate(lat.ravel(), lon.ravel(), 0.01).to("mm/h").value
    return np.asarray(r, dtype=np.float64).reshape(lat.shape)


def _rain_a001_and_c(
    distance_km: FloatArray,
    freq_ghz: FloatArray,
    r001: FloatArray,
    polarization: Polarization,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """A0.01 (dB) and the C1, C2, C3 of P.530-17 §2.4.1 steps 2–5."""
    k, alpha = _rain_coefficients(freq_ghz, polarization)
    gamma_r = k * r001**alpha  # P.838-3 eq. (1)
    d = np.maximum(distance_km, 1e-9)
    # P.530-17 eq. (32): distance factor r, at most 2.5
    r = 1.0 / (
        0.477 * d**0.633 * r001 ** (0.073 * alpha) * freq_ghz**0.123
        - 10.579 * (1.0 - np.exp(-0.024 * d))
    )
    r = np.where(r > 0.0, np.minimum(r, 2.5), 2.5)
    a001 = gamma_r * d * r  # eq. (33)
    c0 = np.where(
        freq_ghz >= 10.0, 0.12 + 0.4 * np.log10(np.maximum(freq_ghz, 10.0) / 10.0) ** 0.8, 0.12
    )  # eq. (35a)
    c1 = 0.07**c0 * 0.12 ** (1.0 - c0)  # eq. (35b)
    c2 = 0.855 * c0 + 0.546 * (1.0 - c0)  # eq. (35c)
    c3 = 0.139 * c0 + 0.043 * (1.0 - c0)  # eq. (35d)
    return a001, c1, c2, c3


def rain_attenuation_db(
    distance_km: ArrayLike,
    freq_ghz: ArrayLike,
    p_pct: ArrayLike,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    polarization: Polarization = "v",
    *,
    r001_mm_h: ArrayLike | None = None,
) -> Any:
    """Rain attenuation exceeded for ``p`` % of an average year on a terrestrial path.

    Parameters
    ----------
    distance_km
        Path length, km (> 0).
    freq_ghz
        Frequency, GHz (1–100).
    p_pct
        Time percentage, % (0.001–1 is the valid range of eq. (34)).
    lat_deg, lon_deg
        Path mid-point, degrees (for R0.01).
    polarization
        ``"h"`` or ``"v"``.
    r001_mm_h
        Rain rate exceeded 0.01 % of the year (mm/h); default ITU-R P.837-7 via
        ``itur`` at the mid-point.

    Returns
    -------
    float or ndarray
        Attenuation, dB.

    Notes
    -----
    Step 2: ``γ_R = k R0.01^α`` (ITU-R P.838-3 eq. (1), horizontal path, τ = 0° / 90°);
    step 3: ``r = 1 / (0.477 d^0.633 R0.01^(0.073 α) f^0.123 − 10.579 (1 − e^(−0.024 d)))``,
    at most 2.5 (eq. (32)); step 4: ``A0.01 = γ_R d r`` (eq. (33)); step 5:
    ``A_p = A0.01 C1 p^−(C2 + C3 log10 p)`` (eqs. (34)–(35)).

    References
    ----------
    .. [1] ITU-R P.530-17 §2.4.1 steps 1–5, eqs. (32)–(35) (the P.530-18 method is the
       same); ITU-R P.838-3; ITU-R P.837-7.
    """
    d = _arr("distance_km", distance_km, low=0.0)
    f = _arr("freq_ghz", freq_ghz, low=1.0, high=100.0)
    p = _arr("p_pct", p_pct, low=1e-6, high=100.0)
    r001 = (
        rain_rate_001_mm_h(lat_deg, lon_deg)
        if r001_mm_h is None
        else _arr("r001_mm_h", r001_mm_h, low=0.0)
    )
    d, f, p, r001 = np.broadcast_arrays(d, f, p, r001)
    a001, c1, c2, c3 = _rain_a001_and_c(d, f, r001, polarization)
    lp = np.log10(p)
    return _out(np.asarray(a001 * c1 * p ** (-(c2 + c3 * lp))))


def rain_outage_pct(
    fade_margin_db: ArrayLike,
    distance_km: ArrayLike,
    freq_ghz: ArrayLike,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    polarization: Polarization = "v",
    *,
    r001_mm_h: ArrayLike | None = None,
) -> Any:
    """Percentage of an average year during which rain attenuation exceeds the margin.

    Parameters
    ----------
    fade_margin_db
        Flat fade margin, dB.
    distance_km, freq_ghz, lat_deg, lon_deg, polarization, r001_mm_h
        As :func:`rain_attenuation_db`.

    Returns
    -------
    float or ndarray
        p in %, the inverse of :func:`rain_attenuation_db` (``A_p(p) = margin``); 100
        for a margin ≤ 0, 0 where the margin exceeds the largest attenuation eq. (34)
        can give (far beyond its 0.001 % validity).

    Notes
    -----
    With ``y = log10 p`` and ``L = log10(A / (A0.01 C1))`` eq. (34) reads
    ``C3 y² + C2 y + L = 0``; the root on the decreasing branch is
    ``y = (−C2 + sqrt(C2² − 4 C3 L)) / (2 C3)``. Values outside 0.001–1 % are
    extrapolations of eq. (34).

    References
    ----------
    .. [1] ITU-R P.530-17 §2.4.1 step 5, eq. (34), solved for p.
    """
    m = _arr("fade_margin_db", fade_margin_db)
    d = _arr("distance_km", distance_km, low=0.0)
    f = _arr("freq_ghz", freq_ghz, low=1.0, high=100.0)
    r001 = (
        rain_rate_001_mm_h(lat_deg, lon_deg)
        if r001_mm_h is None
        else _arr("r001_mm_h", r001_mm_h, low=0.0)
    )
    m, d, f, r001 = np.broadcast_arrays(m, d, f, r001)
    a001, c1, c2, c3 = _rain_a001_and_c(d, f, r001, polarization)
    return _out(_invert_rain(m, a001, c1, c2, c3))


def _invert_rain(
    margin: FloatArray, a001: FloatArray, c1: FloatArray, c2: FloatArray, c3: FloatArray
) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        lterm = np.log10(np.maximum(margin, 1e-300) / (a001 * c1))
        disc = c2 * c2 - 4.0 * c3 * lterm
        y = (-c2 + np.sqrt(np.maximum(disc, 0.0))) / (2.0 * c3)
        p = np.where(disc >= 0.0, 10.0**y, 0.0)
    p = np.where(a001 <= 0.0, 0.0, p)
    p = np.where(margin <= 0.0, 100.0, p)
    return np.asarray(np.minimum(p, 100.0), dtype=np.float64)


# ---------------------------------------------------------------------------------------
# Multipath
# ---------------------------------------------------------------------------------------
def dn1_n_units_per_km(lat_deg: ArrayLike, lon_deg: ArrayLike) -> FloatArray:
    """dN1: refractivity gradient in the lowest 65 m not exceeded 1 % of the year.

    ITU-R P.453-14 §2.2 map via ``itur.models.itu453.DN65(lat, lon, 1)`` (N-units/km).
    """
    lat = _arr("lat_deg", lat_deg, low=-90.0, high=90.0)
    lon = _arr("lon_deg", lon_deg, low=-180.0, high=360.0)
    lat, lon = np.broadcast_arrays(lat, lon)
    v = itu453.DN65(lat.ravel(), lon.ravel(), 1.0)
    return np.asarray(np.asarray(getattr(v, "value", v)), dtype=np.float64).reshape(lat.shape)


def multipath_outage_pct(
    fade_margin_db: ArrayLike,
    distance_km: ArrayLike,
    freq_ghz: ArrayLike,
    h_low_m: ArrayLike,
    path_inclination_mrad: ArrayLike,
    dn1: ArrayLike,
    sa: ArrayLike,
    *,
    lat_deg: ArrayLike | None = None,
) -> Any:
    """Percentage of time a flat fade deeper than the margin occurs (multipath).

    Parameters
    ----------
    fade_margin_db
        Fade depth A, dB (≥ 0).
    distance_km
        Path length d, km.
    freq_ghz
        Frequency f, GHz.
    h_low_m
        Altitude of the lower antenna above sea level, m.
    path_inclination_mrad
        ``|ε_p| = |h_r − h_e| / d`` (m/km = mrad).
    dn1
        Point refractivity gradient of the lowest 65 m not exceeded 1 % of the year,
        N-units/km (:func:`dn1_n_units_per_km`).
    sa
        Area terrain roughness, m.
    lat_deg
        Path latitude, degrees. ``None`` returns the *average worst month*
        percentage; a latitude converts it to an *average year* (§2.3.4).

    Returns
    -------
    float or ndarray
        Percentage of time.

    Notes
    -----
    ``K = 10^(−4.4 − 0.0027 dN1) (10 + s_a)^−0.46`` (eq. (4));
    ``p0 = K d^3.4 (1 + |ε_p|)^−1.03 f^0.8 10^(−0.00076 h_L)`` (eq. (7) at A = 0,
    eq. (10)); transition depth ``A_t = 25 + 1.2 log10 p0`` (eq. (11)); for A ≥ A_t
    ``p_w = p0 10^(−A/10)`` (eq. (12)), else the shallow-fade interpolation of
    eqs. (13)–(17). Average year: ``ΔG = 10.5 − 5.6 log10(1.1 ± |cos 2ξ|^0.7)
    − 2.7 log10 d + 1.7 log10(1 + |ε_p|)`` ≤ 10.8 dB (+ for |ξ| ≤ 45°, − above) and
    ``p = 10^(−ΔG/10) p_w`` (eqs. (23)–(24) of §2.3.4).

    References
    ----------
    .. [1] ITU-R P.530-17 §2.3.1 steps 1–3 (eqs. (4)–(7)), §2.3.2 (eqs. (10)–(17)),
       §2.3.4 (conversion from the average worst month to the average year).
    """
    a = _arr("fade_margin_db", fade_margin_db)
    d = _arr("distance_km", distance_km, low=1e-9)
    f = _arr("freq_ghz", freq_ghz, low=1e-9)
    hl = _arr("h_low_m", h_low_m)
    ep = np.abs(_arr("path_inclination_mrad", path_inclination_mrad))
    dn = _arr("dn1", dn1)
    s = _arr("sa", sa, low=0.0)
    a, d, f, hl, ep, dn, s = np.broadcast_arrays(a, d, f, hl, ep, dn, s)
    a = np.maximum(a, 0.0)
    k = 10.0 ** (-4.4 - 0.0027 * dn) * (10.0 + s) ** -0.46
    p0 = k * d**3.4 * (1.0 + ep) ** -1.03 * f**0.8 * 10.0 ** (-0.00076 * hl)
    at = 25.0 + 1.2 * np.log10(p0)
    deep = p0 * 10.0 ** (-a / 10.0)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        pt = p0 * 10.0 ** (-at / 10.0)
        qa_p = -20.0 * np.log10(-np.log((100.0 - pt) / 100.0)) / at
        qt = (qa_p - 2.0) / ((1.0 + 0.3 * 10.0 ** (-at / 20.0)) * 10.0 ** (-0.016 * at)) - 4.3 * (
            10.0 ** (-at / 20.0) + at / 800.0
        )
        qa = 2.0 + (1.0 + 0.3 * 10.0 ** (-a / 20.0)) * 10.0 ** (-0.016 * a) * (
            qt + 4.3 * (10.0 ** (-a / 20.0) + a / 800.0)
        )
        shallow = 100.0 * (1.0 - np.exp(-(10.0 ** (-qa * a / 20.0))))
    pw = np.where(a >= at, deep, shallow)
    pw = np.minimum(pw, 100.0)
    if lat_deg is not None:
        lat = np.broadcast_to(_arr("lat_deg", lat_deg, low=-90.0, high=90.0), pw.shape)
        c = np.abs(np.cos(np.radians(2.0 * lat))) ** 0.7
        sign = np.where(np.abs(lat) <= 45.0, 1.0, -1.0)
        dg = 10.5 - 5.6 * np.log10(1.1 + sign * c) - 2.7 * np.log10(d) + 1.7 * np.log10(1.0 + ep)
        dg = np.minimum(dg, 10.8)
        pw = 10.0 ** (-dg / 10.0) * pw
    return _out(np.asarray(pw))


# ---------------------------------------------------------------------------------------
# Clearance over terrain
# ---------------------------------------------------------------------------------------
class Clearance:
    """Per-path clearance results of :func:`path_clearance`.

    Arrays of shape ``(n_k, n_paths)`` (one row per k value): ``min_clearance_f1``
    (minimum of clearance / F1 over the interior points; +inf for paths without
    interior points), ``worst_distance_m`` (distance from end a of that point),
    ``min_clearance_m`` (clearance there, m), ``los`` (the ray clears every point).
    Per path: ``distance_m``, ``ground_a_m``/``ground_b_m`` (terrain at the ends),
    ``mean_terrain_m``/``std_terrain_m`` (profile statistics), ``off_grid`` (a point
    is outside the grid or NaN: results NaN, ``los`` False), ``void`` (a sample used a
    filled void).
    """

    __slots__ = (
        "distance_m",
        "ground_a_m",
        "ground_b_m",
        "k_factor",
        "los",
        "mean_terrain_m",
        "min_clearance_f1",
        "min_clearance_m",
        "off_grid",
        "std_terrain_m",
        "void",
        "worst_distance_m",
    )

    def __init__(self, n_k: int, n: int) -> None:
        self.k_factor = np.empty((n_k, n))
        self.min_clearance_f1 = np.empty((n_k, n))
        self.worst_distance_m = np.empty((n_k, n))
        self.min_clearance_m = np.empty((n_k, n))
        self.los = np.empty((n_k, n), dtype=np.bool_)
        self.distance_m = np.empty(n)
        self.ground_a_m = np.empty(n)
        self.ground_b_m = np.empty(n)
        self.mean_terrain_m = np.empty(n)
        self.std_terrain_m = np.empty(n)
        self.off_grid = np.zeros(n, dtype=np.bool_)
        self.void = np.zeros(n, dtype=np.bool_)


_PROFILE_CHUNK_PATHS = 2_000


def path_clearance(
    grid: TerrainGrid,
    *,
    lon_a: ArrayLike,
    lat_a: ArrayLike,
    h_a_m: ArrayLike,
    lon_b: ArrayLike,
    lat_b: ArrayLike,
    h_b_m: ArrayLike,
    freq_ghz: ArrayLike,
    k_values: ArrayLike,
    spacing_m: float | None = None,
    earth_radius_m: float = EARTH_RADIUS_M,
) -> Clearance:
    """First-Fresnel-zone clearance of many hops over terrain, for several k at once.

    Parameters
    ----------
    grid
        Terrain grid covering the hops.
    lon_a, lat_a, lon_b, lat_b
        Hop ends (WGS 84 degrees; scalars or 1-D arrays, broadcast together).
    h_a_m, h_b_m
        Antenna heights above the ground at each end, m (ground from the DEM).
    freq_ghz
        Frequency per hop (or one), GHz.
    k_values
        Effective earth-radius factors: shape ``(n_k,)`` (same for every hop) or
        ``(n_k, n_paths)`` (e.g. ``[k_median, k_min_999(d)]``).
    spacing_m
        Profile spacing (default: the grid's pixel size, :func:`default_spacing_m`).
    earth_radius_m
        True Earth radius (6371 km).

    Returns
    -------
    Clearance

    Raises
    ------
    InputError
        Bad coordinates, heights, frequency or k.

    Notes
    -----
    For WGS 84 longitude/latitude grids one fused Numba pass per chunk of 64 paths
    generates the geodesic points (Karney), samples the DEM bilinearly and evaluates
    clearance for every k, without storing the profiles (:mod:`._clearance`). Other
    grids are sampled with :func:`alcance.terrain.sample_profiles` in chunks of
    2,000 paths. Clearance at a point: ray height − (terrain + d1 d2 / (2 k a)),
    normalised by F1 (P.530-18 eq. (2)).

    References
    ----------
    .. [1] ITU-R P.530-18 §2.2.1 eq. (2), §2.2.2.1 (clearance at median k and k_e).
    """
    lon1, lat1, lon2, lat2, ha, hb, f = broadcast_coordinates(
        {"lon_a": lon_a, "lat_a": lat_a, "lon_b": lon_b, "lat_b": lat_b,
         "h_a_m": h_a_m, "h_b_m": h_b_m, "freq_ghz": freq_ghz},
        latitude_fields=("lat_a", "lat_b"),
    )  # fmt: skip
    n = lon1.size
    if not (f > 0.0).all():
        msg = "must be > 0 GHz"
        raise InputError(msg, field="freq_ghz")
    kv = np.asarray(k_values, dtype=np.float64)
    if kv.ndim == 1:
        kv = np.repeat(kv[:, None], n, axis=1)
    if kv.ndim != 2 or kv.shape[1] != n or kv.shape[0] < 1:
        msg = f"must have shape (n_k,) or (n_k, {n}), got {np.shape(k_values)}"
        raise InputError(msg, field="k_values")
    if not (np.isfinite(kv) & (kv > 0.0)).all():
        msg = "must be positive and finite"
        raise InputError(msg, field="k_values")
    kv = np.ascontiguousarray(kv)
    out = Clearance(kv.shape[0], n)
    out.k_factor[:] = kv
    if n == 0:
        return out
    z, void, wrap = _grid_parts(grid)
    inverse = geodesic_inverse(lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2)
    distance = np.ascontiguousarray(inverse.distance_m)
    out.distance_m[:] = distance
    spacing = _spacing_per_path(spacing_m, grid, n)
    n_intervals = np.maximum(1, np.ceil(distance / spacing - 1e-9)).astype(np.int64)
    if grid.is_geographic and is_wgs84_lonlat(grid.crs_wkt):
        stride = profile_node_stride(distance / n_intervals, np.maximum(np.abs(lat1), np.abs(lat2)))
        clearance_fused_kernel(
            z, void, grid.x0, grid.y0, grid.dx, grid.dy, wrap,
            lon1, lat1, lon2, lat2, np.ascontiguousarray(inverse.azimuth_deg), distance,
            n_intervals, stride, ha, hb, f, kv, float(earth_radius_m),
            out.min_clearance_f1, out.worst_distance_m, out.min_clearance_m, out.los,
            out.ground_a_m, out.ground_b_m, out.mean_terrain_m, out.std_terrain_m,
            out.off_grid, out.void,
        )  # fmt: skip
        return out
    for start in range(0, n, _PROFILE_CHUNK_PATHS):
        part = slice(start, min(n, start + _PROFILE_CHUNK_PATHS))
        prof = sample_profiles(
            grid, lon1_deg=lon1[part], lat1_deg=lat1[part], lon2_deg=lon2[part],
            lat2_deg=lat2[part], spacing_m=spacing[part],
        )  # fmt: skip
        rows = np.arange(prof.n_paths)
        out.ground_a_m[part] = prof.elevation_m[:, 0]
        out.ground_b_m[part] = prof.elevation_m[rows, prof.n_points - 1]
        out.void[part] = prof.void_points > 0
        bad = prof.outside | ~np.isfinite(out.ground_a_m[part]) | ~np.isfinite(out.ground_b_m[part])
        clearance_profiles_kernel(
            np.ascontiguousarray(prof.elevation_m), prof.n_points, prof.distance_m,
            np.ascontiguousarray(bad), ha, hb, f, kv, start, float(earth_radius_m),
            out.min_clearance_f1, out.worst_distance_m, out.min_clearance_m, out.los,
            out.mean_terrain_m, out.std_terrain_m,
        )  # fmt: skip
        out.off_grid[part] = ~np.isfinite(out.mean_terrain_m[part])
    return out


# ---------------------------------------------------------------------------------------
# Pairs
# ---------------------------------------------------------------------------------------
def hop_pairs(
    lon_deg: ArrayLike, lat_deg: ArrayLike, max_distance_m: float
) -> tuple[NDArray[np.int64], NDArray[np.int64], FloatArray]:
    """All unordered pairs ``(i, j)``, ``i < j``, of sites within ``max_distance_m``.

    A k-d tree on the unit sphere preselects pairs (1 % margin over the spherical
    chord, as :func:`alcance.coverage.links.candidate_pairs`); WGS 84 geodesic
    distances (Karney) decide.

    Returns
    -------
    (i, j, distance_m)
        Sorted by ``i`` then ``j``.
    """
    lon, lat = broadcast_coordinates(
        {"lon_deg": lon_deg, "lat_deg": lat_deg}, latitude_fields=("lat_deg",)
    )
    dmax = float(max_distance_m)
    if not (math.isfinite(dmax) and dmax >= 0.0):
        msg = f"must be a finite distance >= 0 m, got {max_distance_m!r}"
        raise InputError(msg, field="max_distance_m")
    empty_i = np.zeros(0, dtype=np.int64)
    if lon.size < 2:
        return empty_i, empty_i.copy(), np.zeros(0)
    lo, la = np.radians(lon), np.radians(lat)
    xyz = np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    angle = min(math.pi, 1.01 * dmax / 6_356_752.0)
    pairs = cKDTree(xyz).query_pairs(r=2.0 * math.sin(angle / 2.0), output_type="ndarray")
    if pairs.size == 0:
        return empty_i, empty_i.copy(), np.zeros(0)
    pairs = np.sort(pairs.astype(np.int64), axis=1)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    i, j = pairs[:, 0], pairs[:, 1]
    inv = geodesic_inverse(lon1_deg=lon[i], lat1_deg=lat[i], lon2_deg=lon[j], lat2_deg=lat[j])
    keep = inv.distance_m <= dmax
    return i[keep], j[keep], np.asarray(inv.distance_m[keep], dtype=np.float64)


# ---------------------------------------------------------------------------------------
# Hop evaluation
# ---------------------------------------------------------------------------------------
def evaluate_hops(
    grid: TerrainGrid,
    *,
    lon_a: ArrayLike,
    lat_a: ArrayLike,
    h_a_m: ArrayLike,
    lon_b: ArrayLike,
    lat_b: ArrayLike,
    h_b_m: ArrayLike,
    settings: MicrowaveSettings | None = None,
) -> pd.DataFrame:
    """Feasibility, band, dish, availability and capacity of many microwave hops.

    Parameters
    ----------
    grid
        Terrain grid covering the hops.
    lon_a, lat_a, lon_b, lat_b
        Hop ends, WGS 84 degrees.
    h_a_m, h_b_m
        Antenna heights above ground at each end, m.
    settings
        The ``[microwave]`` scenario section (defaults when ``None``).

    Returns
    -------
    pandas.DataFrame
        One row per hop: ``distance_m``, ``los`` (ray clears the terrain at median k),
        ``clearance_f1_median``, ``clearance_f1_kmin``, ``k_min``, ``clear`` (both
        P.530 criteria met), ``band_ghz``, ``dish_m``, ``fade_margin_db`` (of the lowest
        modulation), ``outage_multipath_pct`` (average year), ``outage_rain_pct``,
        ``availability_pct`` (lowest modulation), ``modulation`` and ``capacity_mbps``
        (highest modulation still meeting the target), ``feasible``, ``reason`` (empty
        when feasible). Band/dish columns are NaN and modulation empty when no band
        and dish meet the target. The radio columns of a hop that is not ``clear`` say
        what it would give if the path were cleared (e.g. by a taller mast); such a
        hop is never ``feasible``.

    Notes
    -----
    Link budget per band f and dish D (both ends alike):
    ``P_rx = P_tx + 2 G(D, f) − 2 L_branching − FSL(d, f) − A_gas(d, f)`` and
    ``margin = P_rx − (kTB + NF + C/N_mod)``. Outage = multipath (P.530-17 §2.3.2,
    annual via §2.3.4, h_L the lower antenna's altitude, ε_p from the antenna
    altitudes) + rain (P.530-17 §2.4.1 inverted) — summing them, as is common
    practice for access backhaul, is conservative (P.530 §8 books multipath under
    performance rather than availability). The choice, over dishes from the smallest
    and bands from the highest (within ``max_hop_km``): the first combination whose
    lowest modulation meets ``availability_target_pct``; then the highest modulation
    that still meets it sets the capacity (adaptive modulation).

    References
    ----------
    .. [1] ITU-R P.530-18 §2.2.2.1 (clearance), P.530-17 §2.3–2.4 (outage),
       ITU-R P.525-4 (free space), ITU-R P.676-12 (gases), ITU-R F.1703 (objectives).
    """
    s = settings if settings is not None else MicrowaveSettings()
    lon1, lat1, lon2, lat2, ha, hb = broadcast_coordinates(
        {"lon_a": lon_a, "lat_a": lat_a, "lon_b": lon_b, "lat_b": lat_b,
         "h_a_m": h_a_m, "h_b_m": h_b_m},
        latitude_fields=("lat_a", "lat_b"),
    )  # fmt: skip
    n = lon1.size
    if (ha < 0.0).any() or (hb < 0.0).any():
        msg = "antenna heights above ground must be >= 0 m"
        raise InputError(msg, field="h_a_m/h_b_m")
    inv = geodesic_inverse(lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2)
    d_km = inv.distance_m / 1000.0
    k_min = np.asarray(k_min_999(d_km, s.climate), dtype=np.float64).reshape(n)
    bands = np.asarray(s.bands_ghz, dtype=np.float64)
    # Clearance depends weakly on f (F1 ∝ f^-1/2): evaluate at the lowest band, the
    # most demanding, so that a clear hop is clear in every band.
    f_clear = float(bands.min())
    clr = path_clearance(
        grid, lon_a=lon1, lat_a=lat1, h_a_m=ha, lon_b=lon2, lat_b=lat2, h_b_m=hb,
        freq_ghz=f_clear, k_values=np.vstack([np.full(n, s.k_median), k_min]),
        spacing_m=default_spacing_m(grid) / s.profile_oversampling,
    )  # fmt: skip
    c_med = clr.min_clearance_f1[0]
    c_min = clr.min_clearance_f1[1]
    clear = (c_med >= s.clearance_median_f1) & (c_min >= s.kmin_clearance_f1()) & ~clr.off_grid

    # Mid-point climate inputs (one itur call per input, vectorised over hops).
    lat_mid = 0.5 * (lat1 + lat2)
    lon_mid = _mid_lon(lon1, lon2)
    on = ~clr.off_grid
    alt_a = np.where(on, clr.ground_a_m + ha, ha)
    alt_b = np.where(on, clr.ground_b_m + hb, hb)
    mean_h = np.where(on, clr.mean_terrain_m, 0.0)
    r001 = rain_rate_001_mm_h(lat_mid, lon_mid) if n else np.zeros(0)
    dn1 = dn1_n_units_per_km(lat_mid, lon_mid) if n else np.zeros(0)
    sa = (
        np.full(n, float(s.terrain_roughness_m))
        if s.terrain_roughness_m is not None
        else np.where(on, clr.std_terrain_m, 0.0)
    )
    dk = np.maximum(d_km, 1e-3)
    ep = np.abs(alt_b - alt_a) / dk
    h_low = np.minimum(alt_a, alt_b)

    mods = s.modulations
    thresholds = np.array(
        [
            receiver_threshold_dbm(
                bandwidth_mhz=s.channel_bandwidth_mhz,
                noise_figure_db=s.noise_figure_db,
                cn_required_db=m.cn_required_db,
            )
            for m in mods
        ]
    )
    target_out = 100.0 - s.availability_target_pct
    dishes = sorted(s.dish_diameters_m)
    band_order = np.argsort(-bands)

    chosen_band = np.full(n, np.nan)
    chosen_dish = np.full(n, np.nan)
    margin0 = np.full(n, np.nan)
    out_mp = np.full(n, np.nan)
    out_rain = np.full(n, np.nan)
    avail = np.full(n, np.nan)
    mod_idx = np.full(n, -1, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    in_range_any = np.zeros(n, dtype=np.bool_)
    # per hop and band; inputs rounded (0.1°, 50 m) so that itur evaluates few cases
    # (P.836 maps have a 1.125° grid)
    gas_per_km = {
        float(fb): np.asarray(
            gaseous_loss_db(1.0, fb, np.round(lat_mid, 1), np.round(lon_mid, 1),
                            np.clip(np.round(mean_h / 50.0) * 50.0, 0.0, 9000.0)),
            dtype=np.float64,
        ).reshape(n)
        for fb in bands
    } if n else {float(fb): np.zeros(0) for fb in bands}  # fmt: skip
    for dish in dishes:
        for bi in band_order:
            fb = float(bands[bi])
            in_range = d_km <= s.max_hop_km[bi]
            in_range_any |= in_range
            todo = in_range & ~done & on
            if not todo.any():
                continue
            idx = np.flatnonzero(todo)
            g = float(antenna_gain_dbi(dish, fb, s.antenna_efficiency))
            fsl = np.asarray(free_space_loss_db(np.maximum(inv.distance_m[idx], 1.0), fb))
            prx = (
                s.tx_power_dbm + 2.0 * g - 2.0 * s.branching_loss_db - fsl
                - gas_per_km[fb][idx] * d_km[idx]
            )  # fmt: skip
            margins = prx[:, None] - thresholds[None, :]  # (hops, modulations)
            f_arr = np.full(idx.size, fb)
            mp = np.asarray(
                multipath_outage_pct(
                    margins, dk[idx, None], fb, h_low[idx, None], ep[idx, None],
                    dn1[idx, None], sa[idx, None], lat_deg=lat_mid[idx, None],
                )
            )  # fmt: skip
            a001, c1, c2, c3 = _rain_a001_and_c(dk[idx], f_arr, r001[idx], s.polarization)
            rain = _invert_rain(margins, a001[:, None], c1[:, None], c2[:, None], c3[:, None])
            total = mp + rain
            ok = total <= target_out
            good = ok[:, 0]
            if not good.any():
                continue
            sel = idx[good]
            best = ok.shape[1] - 1 - np.argmax(ok[good, ::-1], axis=1)
            chosen_band[sel] = fb
            chosen_dish[sel] = dish
            margin0[sel] = margins[good, 0]
            out_mp[sel] = mp[good, 0]
            out_rain[sel] = rain[good, 0]
            avail[sel] = 100.0 - total[good, 0]
            mod_idx[sel] = best
            done[sel] = True

    names = np.array([m.name for m in mods] + [""], dtype=object)
    eff = np.array([m.spectral_efficiency_bps_hz for m in mods] + [np.nan])
    capacity = s.channel_bandwidth_mhz * eff[mod_idx]
    feasible = clear & done
    reason = np.full(n, "", dtype=object)
    reason[~done & on & clear] = "no band and dish meet the availability target"
    reason[on & ~clear] = "terrain obstructs the Fresnel zone (P.530 §2.2.2.1 criteria)"
    reason[on & ~clr.los[0]] = "no line of sight at median k"
    reason[~in_range_any] = f"longer than every band's max_hop_km (max {max(s.max_hop_km):g} km)"
    reason[clr.off_grid] = "path leaves the terrain grid"
    return pd.DataFrame(
        {
            "distance_m": inv.distance_m,
            "los": clr.los[0] & on,
            "clearance_f1_median": c_med,
            "clearance_f1_kmin": c_min,
            "k_min": k_min,
            "worst_distance_m": clr.worst_distance_m[0],
            "clear": clear,
            "band_ghz": chosen_band,
            "dish_m": chosen_dish,
            "fade_margin_db": margin0,
            "outage_multipath_pct": out_mp,
            "outage_rain_pct": out_rain,
            "availability_pct": avail,
            "modulation": names[mod_idx],
            "capacity_mbps": capacity,
            "feasible": feasible,
            "reason": reason,
        }
    )


def _mid_lon(lon1: FloatArray, lon2: FloatArray) -> FloatArray:
    """Mid-point longitude across the antimeridian, in [-180, 180)."""
    delta = (lon2 - lon1 + 180.0) % 360.0 - 180.0
    return np.asarray((lon1 + 0.5 * delta + 180.0) % 360.0 - 180.0, dtype=np.float64)
