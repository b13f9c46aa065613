"""Atmospheric attenuation on Earth-space paths (gas, cloud, rain, scintillation).

Thin, vectorised wrapper around ITU-Rpy (``itur`` 0.4.0): one call for many schools.
Inputs and outputs are plain NumPy float arrays; the astropy Quantities returned by
``itur`` are converted to floats at this boundary and never leak out.

Recommendation versions
-----------------------
The results are those of the versions ``itur`` 0.4.0 activates by default (read them at
run time with :func:`recommendation_versions`):

==========  ==========================================================================
P.618-13    rain attenuation §2.2.1.1, scintillation §2.4.1, total §2.5 (eq. 64–65)
P.676-12    gaseous attenuation, Annex 2 (``mode="approx"``)
P.840-7     cloud attenuation (``itur`` 0.4.0 default; -8 is available but not active)
P.837-7     rainfall rate R0.01
P.838-3     specific rain attenuation coefficients k, α
P.839-4     rain height
P.836-6     water vapour density and content; P.453-13 wet refractivity; P.1510-1
            surface temperature; P.1511-2 topographic altitude
==========  ==========================================================================

The module never changes ``itur``'s global version state.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import itur
import numpy as np
import numpy.typing as npt
from itur.models import itu837, itu839

from alcance.errors import InputError

__all__ = [
    "VALID_RANGES",
    "AtmosphericAttenuation",
    "attenuation_at_availabilities",
    "earth_space_attenuation",
    "recommendation_versions",
]

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

#: Declared valid range (inclusive) of every numeric parameter. It drives the input
#: checks and the bad-input tests. Rain (P.618-13 §2.2.1.1) is valid for 1–55 GHz and
#: p = 0.001–5 %; elevation is limited to 5–90° (the §2.4.1 scintillation method).
VALID_RANGES: Mapping[str, tuple[float, float]] = {
    "lat_deg": (-90.0, 90.0),
    "lon_deg": (-180.0, 360.0),
    "freq_ghz": (1.0, 55.0),
    "elevation_deg": (5.0, 90.0),
    "unavailability_pct": (0.001, 5.0),
    "antenna_diameter_m": (1e-3, 100.0),
    "antenna_efficiency": (1e-3, 1.0),
    "polarization_tilt_deg": (0.0, 90.0),
    "site_height_m": (-500.0, 9000.0),
    "availability_pct": (95.0, 99.999),
}

_MODULES = ("itu618", "itu676", "itu840", "itu837", "itu838", "itu839", "itu836", "itu453")


@dataclass(frozen=True)
class AtmosphericAttenuation:
    """Attenuation contributions exceeded for ``p`` % of an average year, per site.

    All arrays share the broadcast shape of the inputs.

    Attributes
    ----------
    gas_db
        Gaseous attenuation, ITU-R P.676-12 Annex 2 (dB), at max(p, 1) %.
    cloud_db
        Cloud attenuation, ITU-R P.840-7 (dB), at max(p, 1) %.
    rain_db
        Rain attenuation, ITU-R P.618-13 §2.2.1.1 (dB).
    scintillation_db
        Tropospheric scintillation fade depth, ITU-R P.618-13 §2.4.1 (dB).
    total_db
        Total, ITU-R P.618-13 §2.5 eq. (64): A_G + sqrt((A_R + A_C)² + A_S²) (dB).
    rain_rate_001_mm_h
        Rainfall rate exceeded 0.01 % of the year, ITU-R P.837-7 (mm/h).
    rain_height_km
        Rain height above mean sea level, ITU-R P.839-4 (km).
    """

    gas_db: FloatArray
    cloud_db: FloatArray
    rain_db: FloatArray
    scintillation_db: FloatArray
    total_db: FloatArray
    rain_rate_001_mm_h: FloatArray
    rain_height_km: FloatArray


def recommendation_versions() -> dict[str, int]:
    """Return the Recommendation versions ``itur`` currently has active.

    Returns
    -------
    dict
        e.g. ``{"P.618": 13, "P.676": 12, "P.840": 7, ...}``.
    """
    versions: dict[str, int] = {}
    for name in _MODULES:
        module: Any = getattr(itur.models, name)
        versions[f"P.{name[3:]}"] = int(module.get_version())
    return versions


def _checked(name: str, value: ArrayLike) -> FloatArray:
    """Return ``value`` as a float array, raising InputError outside VALID_RANGES."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        msg = f"{name} must be numeric, got {value!r}"
        raise InputError(msg, field=name) from exc
    low, high = VALID_RANGES[name]
    bad = ~((arr >= low) & (arr <= high))  # also catches NaN
    if np.any(bad):
        first = arr[bad].flat[0]
        msg = f"{name} must lie in [{low:g}, {high:g}], got {first!r}"
        raise InputError(msg, field=name)
    return arr


def _to_float(quantity: Any, unit: str) -> FloatArray:
    """Convert an astropy Quantity from ``itur`` to a plain float array in ``unit``."""
    return np.asarray(quantity.to(unit).value, dtype=np.float64)


def earth_space_attenuation(
    *,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    freq_ghz: ArrayLike,
    elevation_deg: ArrayLike,
    unavailability_pct: ArrayLike,
    antenna_diameter_m: ArrayLike,
    antenna_efficiency: ArrayLike = 0.65,
    polarization_tilt_deg: ArrayLike = 45.0,
    site_height_m: ArrayLike | None = None,
) -> AtmosphericAttenuation:
    """Atmospheric attenuation exceeded for ``unavailability_pct`` % of an average year.

    Every argument broadcasts against the others (one element per site); the result has
    the broadcast shape.

    Parameters
    ----------
    lat_deg, lon_deg
        Ground-station latitude (−90…90 °N) and longitude (−180…360 °E).
    freq_ghz
        Carrier frequency (GHz), 1–55 (ITU-R P.618-13 §2.2.1.1).
    elevation_deg
        Elevation angle of the satellite (°), 5–90.
    unavailability_pct
        Time percentage p (% of an average year) for which the attenuation is
        exceeded, 0.001–5 (availability = 100 − p).
    antenna_diameter_m
        Physical diameter of the ground antenna (m), used for scintillation
        (ITU-R P.618-13 §2.4.1 step 8).
    antenna_efficiency
        Antenna aperture efficiency (0–1). Default 0.65, the value of the ITU-R SG3
        validation examples (``itur``'s own default is 0.5).
    polarization_tilt_deg
        Polarisation tilt relative to the horizontal (°); 45 for circular
        (ITU-R P.838-3 eq. (4)–(5)).
    site_height_m
        Ground-station height above mean sea level (m). ``None`` takes it from the
        ITU-R P.1511-2 topographic map.

    Returns
    -------
    AtmosphericAttenuation
        Gas, cloud, rain, scintillation and total attenuation (dB), the rain rate
        R0.01 (mm/h) and the rain height (km), as float arrays.

    Raises
    ------
    InputError
        A parameter lies outside :data:`VALID_RANGES` (the error's ``field`` names it).

    Notes
    -----
    Total attenuation, ITU-R P.618-13 §2.5 eq. (64)–(65):
    ``A_T(p) = A_G(p) + sqrt((A_R(p) + A_C(p))² + A_S(p)²)``, with gas and cloud taken
    at max(p, 1) % because rain statistics below 1 % already include most of them.

    References
    ----------
    ITU-R P.618-13 §2.2.1.1, §2.4.1, §2.5; ITU-R P.676-12 Annex 2; ITU-R P.840-7;
    ITU-R P.837-7; ITU-R P.838-3; ITU-R P.839-4. Computed by ITU-Rpy 0.4.0
    (``itur.atmospheric_attenuation_slant_path``).
    """
    inputs = {
        "lat_deg": lat_deg,
        "lon_deg": lon_deg,
        "freq_ghz": freq_ghz,
        "elevation_deg": elevation_deg,
        "unavailability_pct": unavailability_pct,
        "antenna_diameter_m": antenna_diameter_m,
        "antenna_efficiency": antenna_efficiency,
        "polarization_tilt_deg": polarization_tilt_deg,
    }
    if site_height_m is not None:
        inputs["site_height_m"] = site_height_m
    checked = {name: _checked(name, value) for name, value in inputs.items()}
    try:
        arrays = np.broadcast_arrays(*checked.values())
    except ValueError as exc:
        shapes = {name: arr.shape for name, arr in checked.items()}
        msg = f"input shapes do not broadcast together: {shapes}"
        raise InputError(msg) from exc
    shape = arrays[0].shape
    flat = {name: np.ravel(arr) for name, arr in zip(checked, arrays, strict=True)}
    n_sites = flat["lat_deg"].size
    out = np.full((5, n_sites), np.nan)

    # itur 0.4.0 vectorises element-wise only over lat, lon, el and hs: an array p, f,
    # D, eta or tau becomes an extra (outer) axis of the rain and scintillation terms.
    # So call once per distinct combination of those, which are few in a plan.
    grouped = (
        "unavailability_pct",
        "freq_ghz",
        "antenna_diameter_m",
        "antenna_efficiency",
        "polarization_tilt_deg",
    )
    keys = np.stack([flat[name] for name in grouped], axis=1)
    unique_keys, group_of_site = np.unique(keys, axis=0, return_inverse=True)
    for group, (p, f, diameter, eta, tau) in enumerate(unique_keys):
        idx = np.flatnonzero(np.ravel(group_of_site) == group)
        hs_km = flat["site_height_m"][idx] / 1000.0 if "site_height_m" in flat else None
        with warnings.catch_warnings():
            # itur 0.4.0 P.676-12 zenith water vapour: np.where(f < 20, A, A*(a*h**b + 1))
            # evaluates h**b (b ≈ 8e3 at 4 GHz) for f < 20 GHz too; it overflows to inf in
            # the branch np.where discards. Harmless: silence exactly that warning there.
            warnings.filterwarnings(
                "ignore",
                message=r"overflow encountered in (scalar )?power",
                category=RuntimeWarning,
                module=r"itur\.models\.itu676",
            )
            contributions = itur.atmospheric_attenuation_slant_path(
                flat["lat_deg"][idx],
                flat["lon_deg"][idx],
                float(f),
                flat["elevation_deg"][idx],
                float(p),
                float(diameter),
                hs=hs_km,
                eta=float(eta),
                tau=float(tau),
                return_contributions=True,
            )
        for row, quantity in enumerate(contributions):
            out[row, idx] = np.broadcast_to(_to_float(quantity, "dB"), idx.shape)

    rain_rate = _to_float(itu837.rainfall_rate(flat["lat_deg"], flat["lon_deg"], 0.01), "mm/h")
    rain_height = _to_float(itu839.rain_height(flat["lat_deg"], flat["lon_deg"]), "km")
    gas, cloud, rain, scint, total = (out[i].reshape(shape) for i in range(5))
    return AtmosphericAttenuation(
        gas_db=gas,
        cloud_db=cloud,
        rain_db=rain,
        scintillation_db=scint,
        total_db=total,
        rain_rate_001_mm_h=np.broadcast_to(rain_rate, (n_sites,)).reshape(shape).copy(),
        rain_height_km=np.broadcast_to(rain_height, (n_sites,)).reshape(shape).copy(),
    )


def attenuation_at_availabilities(
    *,
    availability_pct: Sequence[float],
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    freq_ghz: ArrayLike,
    elevation_deg: ArrayLike,
    antenna_diameter_m: ArrayLike,
    antenna_efficiency: ArrayLike = 0.65,
    polarization_tilt_deg: ArrayLike = 45.0,
    site_height_m: ArrayLike | None = None,
) -> FloatArray:
    """Total attenuation (dB) at several link availabilities, e.g. to choose a MODCOD.

    Parameters
    ----------
    availability_pct
        Target availabilities (% of an average year), each 95–99.999; the time
        percentage used is ``p = 100 − availability_pct``.
    lat_deg, lon_deg, freq_ghz, elevation_deg, antenna_diameter_m, antenna_efficiency, polarization_tilt_deg, site_height_m
        As in :func:`earth_space_attenuation`.

    Returns
    -------
    numpy.ndarray
        Total attenuation (dB), shape ``(len(availability_pct),) + sites_shape``;
        row *i* is the attenuation exceeded for ``100 − availability_pct[i]`` % of
        the year (ITU-R P.618-13 §2.5).

    Raises
    ------
    InputError
        An availability outside 95–99.999 %, or any other parameter out of range.
    """
    availabilities = np.atleast_1d(_checked("availability_pct", list(availability_pct)))
    if availabilities.ndim != 1:
        msg = "availability_pct must be a flat sequence of percentages"
        raise InputError(msg, field="availability_pct")
    # Round away binary noise such as 100 - 99.9 = 0.0999999999.
    totals = [
        earth_space_attenuation(
            lat_deg=lat_deg,
            lon_deg=lon_deg,
            freq_ghz=freq_ghz,
            elevation_deg=elevation_deg,
            unavailability_pct=round(100.0 - float(a), 9),
            antenna_diameter_m=antenna_diameter_m,
            antenna_efficiency=antenna_efficiency,
            polarization_tilt_deg=polarization_tilt_deg,
            site_height_m=site_height_m,
        ).total_db
        for a in availabilities
    ]
    return np.stack(totals)
