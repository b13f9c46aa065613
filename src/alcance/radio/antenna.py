"""3GPP sector antenna patterns and tower-to-target elevation geometry.

Pure functions, arrays in and arrays out (NumPy broadcasting over many tower–school
pairs); a scalar in gives a ``float`` out. Angles are degrees at the API and radians
inside.

Conventions
-----------
* Azimuths are compass bearings (degrees clockwise from north).
* Elevations are positive above the local horizontal of the tower antenna.
* Downtilt is positive *down* (the electrical plus mechanical tilt of the panel).
* A gain is positive dBi; a pattern *attenuation* ``A`` is returned as a value ≤ 0 dB
  relative to the maximum gain, as the 3GPP tables write it.

References
----------
3GPP TR 36.814 V9.2.0 (2017-03), Annex A.2.1.1, Table A.2.1.1-2 "Antenna pattern".
3GPP TR 38.901 V17.0.0 (2022-03), §7.3, Table 7.3-1 "Radiation power pattern of a
single antenna element".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from alcance._arrays import ranged as _ranged
from alcance._arrays import scalar_or_array as _out
from alcance.errors import InputError

__all__ = [
    "ANTENNA_MODELS",
    "EARTH_RADIUS_M",
    "AntennaModel",
    "elevation_angle_deg",
    "pattern_attenuation_db",
    "sector_gain_dbi",
]

#: Mean Earth radius (m), the value ITU-R P.452/P.1812 use for a_e = k · 6371 km.
EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class AntennaModel:
    """Parameters of one 3GPP parametric sector pattern.

    Attributes
    ----------
    h_beamwidth_deg
        Horizontal half-power beamwidth φ3dB (degrees).
    v_beamwidth_deg
        Vertical half-power beamwidth θ3dB (degrees).
    max_attenuation_db
        Front-to-back ratio and floor of the combined pattern, A_m (dB, positive).
    sidelobe_v_db
        Vertical side-lobe level SLA_v (dB, positive).
    max_gain_dbi
        Default maximum (boresight) gain (dBi).
    reference
        Where the numbers come from.
    """

    h_beamwidth_deg: float
    v_beamwidth_deg: float
    max_attenuation_db: float
    sidelobe_v_db: float
    max_gain_dbi: float
    reference: str


#: Variants selectable by name; this table drives dispatch and the error message.
ANTENNA_MODELS: dict[str, AntennaModel] = {
    "tr36814": AntennaModel(
        h_beamwidth_deg=70.0,
        v_beamwidth_deg=10.0,
        max_attenuation_db=25.0,
        sidelobe_v_db=20.0,
        max_gain_dbi=14.0,
        reference="3GPP TR 36.814 V9.2.0 Table A.2.1.1-2 (macro 3-sector panel, 14 dBi)",
    ),
    "tr38901": AntennaModel(
        h_beamwidth_deg=65.0,
        v_beamwidth_deg=65.0,
        max_attenuation_db=30.0,
        sidelobe_v_db=30.0,
        max_gain_dbi=8.0,
        reference="3GPP TR 38.901 V17.0.0 §7.3 Table 7.3-1 (single element, 8 dBi)",
    ),
}


def _model(name: str) -> AntennaModel:
    """The entry of :data:`ANTENNA_MODELS`; ``InputError`` listing the names if unknown."""
    try:
        return ANTENNA_MODELS[name]
    except KeyError:
        known = ", ".join(repr(k) for k in ANTENNA_MODELS)
        msg = f"unknown antenna model {name!r}; expected one of {known}"
        raise InputError(msg, field="model") from None


def _wrap_deg(angle_deg: NDArray[np.float64]) -> NDArray[np.float64]:
    """Angle folded into [-180, 180) degrees."""
    return np.asarray((angle_deg + 180.0) % 360.0 - 180.0, dtype=np.float64)


def pattern_attenuation_db(
    *,
    azimuth_to_target_deg: npt.ArrayLike,
    elevation_to_target_deg: npt.ArrayLike,
    boresight_azimuth_deg: npt.ArrayLike,
    downtilt_deg: npt.ArrayLike,
    h_beamwidth_deg: float | None = None,
    v_beamwidth_deg: float | None = None,
    model: str = "tr36814",
) -> float | NDArray[np.float64]:
    """Combined 3D pattern attenuation relative to the maximum gain (dB, ≤ 0).

    Parameters
    ----------
    azimuth_to_target_deg
        Bearing from the tower to the target (degrees from north, any value; wrapped).
    elevation_to_target_deg
        Elevation of the target seen from the antenna (degrees, -90..90; negative when
        the target is below the antenna's horizontal), e.g. from
        :func:`elevation_angle_deg`.
    boresight_azimuth_deg
        Bearing of the sector's boresight (degrees from north). ``NaN`` means the
        azimuth is unknown: the horizontal pattern is dropped (omnidirectional in
        azimuth, ``A_H = 0``) and only the vertical pattern applies.
    downtilt_deg
        Total (electrical + mechanical) downtilt, positive down (degrees, -90..90).
    h_beamwidth_deg, v_beamwidth_deg
        Half-power beamwidths φ3dB and θ3dB (degrees, in (0, 360] and (0, 180]);
        ``None`` takes the model's value.
    model
        ``"tr36814"`` or ``"tr38901"`` (see :data:`ANTENNA_MODELS`); fixes A_m and SLA_v.

    Returns
    -------
    float or numpy.ndarray
        ``A(φ, θ)`` (dB), in ``[-A_m, 0]``; broadcast over all inputs.

    Raises
    ------
    InputError
        Unknown ``model`` or a parameter out of range (names the parameter).

    Notes
    -----
    With φ the azimuth off boresight and θ the angle below the horizontal::

        A_H(φ) = -min(12 (φ / φ3dB)², A_m)
        A_V(θ) = -min(12 ((θ - θ_tilt) / θ3dB)², SLA_v)
        A(φ, θ) = -min(-(A_H(φ) + A_V(θ)), A_m)

    TR 38.901 writes θ as a zenith angle (``θ'' - 90°``), which is the same as the
    depression angle used here for a mechanically tilted element.

    References
    ----------
    3GPP TR 36.814 V9.2.0 Table A.2.1.1-2; 3GPP TR 38.901 V17.0.0 §7.3 Table 7.3-1.
    """
    spec = _model(model)
    phi3 = spec.h_beamwidth_deg if h_beamwidth_deg is None else h_beamwidth_deg
    theta3 = spec.v_beamwidth_deg if v_beamwidth_deg is None else v_beamwidth_deg
    phi3_rad = math.radians(float(_ranged("h_beamwidth_deg", phi3, 1e-6, 360.0)))
    theta3_rad = math.radians(float(_ranged("v_beamwidth_deg", theta3, 1e-6, 180.0)))
    az = _ranged("azimuth_to_target_deg", azimuth_to_target_deg, -720.0, 720.0, nan_ok=True)
    el = _ranged("elevation_to_target_deg", elevation_to_target_deg, -90.0, 90.0, nan_ok=True)
    bore = _ranged("boresight_azimuth_deg", boresight_azimuth_deg, -720.0, 720.0, nan_ok=True)
    tilt = _ranged("downtilt_deg", downtilt_deg, -90.0, 90.0, nan_ok=True)

    phi_rad = np.radians(_wrap_deg(az - bore))
    a_h = -np.minimum(12.0 * (phi_rad / phi3_rad) ** 2, spec.max_attenuation_db)
    a_h = np.where(np.isnan(bore), 0.0, a_h)  # unknown azimuth: omni in azimuth
    depression_rad = np.radians(-el)
    a_v = -np.minimum(
        12.0 * ((depression_rad - np.radians(tilt)) / theta3_rad) ** 2, spec.sidelobe_v_db
    )
    combined = -np.minimum(-(a_h + a_v), spec.max_attenuation_db)
    result = np.asarray(combined, dtype=np.float64)
    return _out(
        result,
        azimuth_to_target_deg,
        elevation_to_target_deg,
        boresight_azimuth_deg,
        downtilt_deg,
    )


def sector_gain_dbi(
    *,
    azimuth_to_target_deg: npt.ArrayLike,
    elevation_to_target_deg: npt.ArrayLike,
    boresight_azimuth_deg: npt.ArrayLike,
    downtilt_deg: npt.ArrayLike,
    max_gain_dbi: npt.ArrayLike | None = None,
    h_beamwidth_deg: float | None = None,
    v_beamwidth_deg: float | None = None,
    omni_gain_dbi: npt.ArrayLike | None = None,
    model: str = "tr36814",
) -> float | NDArray[np.float64]:
    """Gain of a sector antenna towards a target (dBi).

    Parameters
    ----------
    azimuth_to_target_deg, elevation_to_target_deg, boresight_azimuth_deg, downtilt_deg
        As in :func:`pattern_attenuation_db` (degrees). A ``NaN`` boresight means the
        azimuth is unknown and the site is treated as omnidirectional in azimuth.
    max_gain_dbi
        Boresight gain G_max (dBi, -10..40); ``None`` takes the model's value
        (14 dBi for ``"tr36814"``, 8 dBi for the ``"tr38901"`` single element).
    h_beamwidth_deg, v_beamwidth_deg
        Half-power beamwidths (degrees); ``None`` takes the model's value.
    omni_gain_dbi
        Peak gain used where the boresight is ``NaN`` (dBi). ``None`` uses
        ``G_max - 10 log10(3)`` (≈ G_max - 4.77 dB): one 120° sector's power spread
        over 360°, an Alcance assumption rather than a 3GPP value. The vertical
        pattern and downtilt still apply.
    model
        ``"tr36814"`` or ``"tr38901"``.

    Returns
    -------
    float or numpy.ndarray
        ``G = G_max + A(φ, θ)`` (dBi), never above ``G_max`` (or the omni gain).

    Raises
    ------
    InputError
        Unknown ``model`` or a parameter out of range (names the parameter).

    Notes
    -----
    ``G(φ, θ) = G_max + A(φ, θ)`` with ``A`` from :func:`pattern_attenuation_db`.

    References
    ----------
    3GPP TR 36.814 V9.2.0 Table A.2.1.1-2; 3GPP TR 38.901 V17.0.0 §7.3 Table 7.3-1.
    """
    spec = _model(model)
    g_max = _ranged(
        "max_gain_dbi", spec.max_gain_dbi if max_gain_dbi is None else max_gain_dbi, -10.0, 40.0
    )
    g_omni = (
        g_max - 10.0 * math.log10(3.0)
        if omni_gain_dbi is None
        else _ranged("omni_gain_dbi", omni_gain_dbi, -10.0, 40.0)
    )
    att = np.asarray(
        pattern_attenuation_db(
            azimuth_to_target_deg=azimuth_to_target_deg,
            elevation_to_target_deg=elevation_to_target_deg,
            boresight_azimuth_deg=boresight_azimuth_deg,
            downtilt_deg=downtilt_deg,
            h_beamwidth_deg=h_beamwidth_deg,
            v_beamwidth_deg=v_beamwidth_deg,
            model=model,
        ),
        dtype=np.float64,
    )
    bore = np.asarray(boresight_azimuth_deg, dtype=np.float64)
    gain = np.asarray(np.where(np.isnan(bore), g_omni, g_max) + att, dtype=np.float64)
    inputs: list[npt.ArrayLike] = [
        azimuth_to_target_deg,
        elevation_to_target_deg,
        boresight_azimuth_deg,
        downtilt_deg,
    ]
    inputs += [x for x in (max_gain_dbi, omni_gain_dbi) if x is not None]
    return _out(gain, *inputs)


def elevation_angle_deg(
    *,
    tx_height_amsl_m: npt.ArrayLike,
    rx_height_amsl_m: npt.ArrayLike,
    distance_m: npt.ArrayLike,
    k_factor: float = 4.0 / 3.0,
    earth_radius_m: float = EARTH_RADIUS_M,
) -> float | NDArray[np.float64]:
    """Elevation of a target seen from a tower antenna over a curved (k-factor) earth.

    Parameters
    ----------
    tx_height_amsl_m
        Height of the tower antenna above mean sea level (ground + mast) (m).
    rx_height_amsl_m
        Height of the target antenna above mean sea level (m).
    distance_m
        Great-circle ground distance between tower and target (m), ≥ 0.
    k_factor
        Effective earth-radius factor (dimensionless, > 0); 4/3 is the median
        standard atmosphere.
    earth_radius_m
        True earth radius (m).

    Returns
    -------
    float or numpy.ndarray
        Elevation angle (degrees), negative when the target is below the tower's
        horizontal. At zero distance it is ±90° (0° for equal heights).

    Raises
    ------
    InputError
        Height, distance or ``k_factor`` out of range (names the parameter).

    Notes
    -----
    With ``a_e = k a`` and ``γ = d / a_e`` the angle at the earth's centre, the
    target lies at ``((a_e + h_r) sin γ, (a_e + h_r) cos γ - (a_e + h_t))`` in the
    tower's local frame, so ``ε = atan2((a_e + h_r) cos γ - (a_e + h_t),
    (a_e + h_r) sin γ)``. For ``d << a_e`` this is
    ``ε ≈ atan((h_r - h_t) / d - d / (2 a_e))``.

    References
    ----------
    ITU-R P.834-9 §1 (effective earth radius, k = 4/3); ITU-R P.452-17 eq. (6a).
    """
    h_t = _ranged("tx_height_amsl_m", tx_height_amsl_m, -500.0, 9000.0, nan_ok=True)
    h_r = _ranged("rx_height_amsl_m", rx_height_amsl_m, -500.0, 9000.0, nan_ok=True)
    d = _ranged("distance_m", distance_m, 0.0, 2.0e6, nan_ok=True)
    k = float(_ranged("k_factor", k_factor, 0.1, 100.0))
    a = float(_ranged("earth_radius_m", earth_radius_m, 1.0e6, 1.0e7))
    a_e = k * a
    gamma = d / a_e
    y = (a_e + h_r) * np.cos(gamma) - (a_e + h_t)
    x = (a_e + h_r) * np.sin(gamma)
    result = np.asarray(np.degrees(np.arctan2(y, x)), dtype=np.float64)
    return _out(result, tx_height_amsl_m, rx_height_amsl_m, distance_m)
