"""Satellite geometry: GEO look angles, LEO shell visibility and terrain clearance.

Pure functions, arrays in and arrays out, degrees at the interface and radians inside.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from alcance.errors import InputError
from alcance.terrain._validate import broadcast_coordinates
from alcance.terrain.geodesic import WGS84_A_M, WGS84_F

__all__ = [
    "GEO_RADIUS_M",
    "LEO_EARTH_RADIUS_KM",
    "LeoVisibility",
    "LookAngles",
    "geo_clearance_deg",
    "geo_look_angles",
    "leo_visibility",
]

GEO_RADIUS_M = 42_164_170.0
"""Geostationary orbit radius from the Earth's centre, metres: ``(GM T² / 4π²)^(1/3)``
with GM = 398 600.4418 km³/s² (WGS 84) and the sidereal day T = 86 164.09 s."""
LEO_EARTH_RADIUS_KM = 6_371.0
"""Mean (spherical) Earth radius used by :func:`leo_visibility`, kilometres."""
_E2 = WGS84_F * (2.0 - WGS84_F)
_MIN_HEIGHT_M = -12_000.0
_MAX_HEIGHT_M = 100_000.0
_MAX_ALTITUDE_KM = 400_000.0


class LookAngles(NamedTuple):
    """Result of :func:`geo_look_angles` (1-D arrays, one entry per site)."""

    azimuth_deg: NDArray[np.float64]
    """Azimuth of the satellite, degrees clockwise from true north, in [0, 360)."""
    elevation_deg: NDArray[np.float64]
    """Elevation above the local horizontal (ellipsoid normal), degrees; < 0 if hidden."""
    slant_range_m: NDArray[np.float64]
    """Straight-line distance from the site to the satellite, metres."""


class LeoVisibility(NamedTuple):
    """Result of :func:`leo_visibility` (1-D arrays, one entry per case)."""

    central_angle_deg: NDArray[np.float64]
    """Earth-central half-angle λ of the coverage footprint, degrees."""
    footprint_radius_km: NDArray[np.float64]
    """Footprint radius along the Earth's surface, ``R λ``, kilometres."""
    max_slant_range_km: NDArray[np.float64]
    """Slant range to a satellite at the minimum elevation, kilometres."""
    sky_fraction: NDArray[np.float64]
    """Solid-angle fraction of the hemisphere above the minimum elevation, ``1 − sin ε``."""
    covered: NDArray[np.bool_]
    """Whether the shell ever passes within the footprint: ``|lat| ≤ i' + λ``."""


def _geodetic_to_ecef_m(
    lon_rad: NDArray[np.float64], lat_rad: NDArray[np.float64], height_m: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    sin_lat = np.sin(lat_rad)
    cos_lat = np.cos(lat_rad)
    n_m = WGS84_A_M / np.sqrt(1.0 - _E2 * sin_lat**2)
    x = (n_m + height_m) * cos_lat * np.cos(lon_rad)
    y = (n_m + height_m) * cos_lat * np.sin(lon_rad)
    z = (n_m * (1.0 - _E2) + height_m) * sin_lat
    return x, y, z


def geo_look_angles(
    *, lon_deg: ArrayLike, lat_deg: ArrayLike, height_m: ArrayLike, sat_lon_deg: ArrayLike
) -> LookAngles:
    """Azimuth, elevation and slant range from sites to a geostationary satellite.

    Parameters
    ----------
    lon_deg, lat_deg
        Site WGS 84 geodetic longitude and latitude, degrees (scalars or 1-D arrays).
    height_m
        Site height above the WGS 84 ellipsoid, metres, in [-12 000, 100 000] (the
        geoid undulation, tens of metres, changes the angles by well under 0.001°).
    sat_lon_deg
        Orbital (sub-satellite) longitude of the satellite, degrees east.

    Returns
    -------
    LookAngles
        ``azimuth_deg``, ``elevation_deg`` and ``slant_range_m``, broadcast to one
        length. At the sub-satellite point the azimuth is undefined and returned as 0.

    Raises
    ------
    InputError
        Non-finite or mismatched inputs, a latitude outside [-90, 90] or a height
        outside its range; the message names the parameter.

    Notes
    -----
    The satellite is a point on the equatorial circle of radius
    ``r_s = 42 164.17 km`` (ideal GEO: no inclination, eccentricity or drift; a
    station-kept satellite within ±0.05° moves the angles by about as much). The site
    is placed on the WGS 84 ellipsoid (NIMA TR8350.2 eq. (4-14))::

        N = a / sqrt(1 − e² sin²φ)
        r = ((N + h) cosφ cosλ, (N + h) cosφ sinλ, (N (1 − e²) + h) sinφ)

    and the site-to-satellite vector ``ρ = r_s − r`` is rotated into the local
    east-north-up frame (ellipsoid normal as "up")::

        e = −sinλ ρx + cosλ ρy
        n = −sinφ cosλ ρx − sinφ sinλ ρy + cosφ ρz
        u =  cosφ cosλ ρx + cosφ sinλ ρy + sinφ ρz

    elevation ``= atan2(u, hypot(e, n))``, azimuth ``= atan2(e, n)`` (clockwise from
    north), slant range ``= |ρ|``. No refraction is applied (tropospheric bending raises
    the apparent elevation by roughly 0.2° at 5° and under 0.1° above 10°; ITU-R
    P.834-9).

    References
    ----------
    .. [1] ITU-R S.1257-0, "Analytical method to calculate visibility statistics for
       non-geostationary satellite orbit satellites as seen from a point on the
       Earth's surface", Annex 1 (geometry and constants).
    .. [2] NIMA TR8350.2, 3rd ed., "Department of Defense World Geodetic System 1984",
       §4 eq. (4-14) (geodetic to ECEF).
    .. [3] G. Maral, M. Bousquet, "Satellite Communications Systems", 5th ed., §8.3
       (look angles to a geostationary satellite).
    """
    lon, lat, height, sat_lon = broadcast_coordinates(
        {"lon_deg": lon_deg, "lat_deg": lat_deg, "height_m": height_m, "sat_lon_deg": sat_lon_deg},
        latitude_fields=("lat_deg",),
    )
    _check_range(height, "height_m", _MIN_HEIGHT_M, _MAX_HEIGHT_M)
    lon_rad = np.radians(lon)
    lat_rad = np.radians(lat)
    x, y, z = _geodetic_to_ecef_m(lon_rad, lat_rad, height)
    sat_rad = np.radians(sat_lon)
    rx = GEO_RADIUS_M * np.cos(sat_rad) - x
    ry = GEO_RADIUS_M * np.sin(sat_rad) - y
    rz = -z
    sin_lon, cos_lon = np.sin(lon_rad), np.cos(lon_rad)
    sin_lat, cos_lat = np.sin(lat_rad), np.cos(lat_rad)
    east = -sin_lon * rx + cos_lon * ry
    north = -sin_lat * cos_lon * rx - sin_lat * sin_lon * ry + cos_lat * rz
    up = cos_lat * cos_lon * rx + cos_lat * sin_lon * ry + sin_lat * rz
    horizontal = np.hypot(east, north)
    elevation = np.degrees(np.arctan2(up, horizontal))
    azimuth = np.mod(np.degrees(np.arctan2(east, north)), 360.0)
    azimuth = np.where(azimuth >= 360.0, 0.0, azimuth)
    slant = np.sqrt(rx**2 + ry**2 + rz**2)
    return LookAngles(azimuth_deg=azimuth, elevation_deg=elevation, slant_range_m=slant)


def _check_range(
    value: NDArray[np.float64], field: str, low: float, high: float, *, low_open: bool = False
) -> None:
    bad = (value <= low) if low_open else (value < low)
    bad |= value > high
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        bracket = "(" if low_open else "["
        msg = f"element {first} is {value[first]}, outside {bracket}{low}, {high}]"
        raise InputError(msg, field=field)


def leo_visibility(
    *,
    lat_deg: ArrayLike,
    altitude_km: ArrayLike,
    min_elevation_deg: ArrayLike,
    inclination_deg: ArrayLike,
) -> LeoVisibility:
    """Coverage footprint of a circular LEO shell and the usable sky at a site.

    Parameters
    ----------
    lat_deg
        Site latitude, degrees, in [-90, 90].
    altitude_km
        Shell altitude above the spherical Earth, kilometres, in (0, 400 000]
        (e.g. 550).
    min_elevation_deg
        Minimum usable elevation angle ε of the user terminal, degrees, in [0, 90)
        (e.g. 25 for Starlink-like shells).
    inclination_deg
        Orbital inclination of the shell, degrees, in [0, 180] (retrograde > 90).

    Returns
    -------
    LeoVisibility
        Footprint half-angle λ (degrees), footprint radius ``R λ`` (km), maximum slant
        range (km), sky fraction above ε, and whether the site latitude is within the
        shell's reach, all broadcast to one length.

    Raises
    ------
    InputError
        A value outside its range above, non-finite or mismatched lengths.

    Notes
    -----
    Spherical Earth of radius ``R = 6371 km``, satellite radius ``r = R + h``. From the
    triangle Earth centre–site–satellite (sine rule), with nadir angle η::

        sin η = (R / r) cos ε
        λ = 90° − ε − η = arccos((R / r) cos ε) − ε
        d_max = sqrt(r² − R² cos² ε) − R sin ε

    The solid angle of the sky above elevation ε is ``2π (1 − sin ε)``, so the fraction
    of the hemisphere is ``1 − sin ε``. The ground tracks of a shell of inclination
    ``i`` reach latitudes ``|φ| ≤ i'`` with ``i' = min(i, 180° − i)``; the site is
    ``covered`` (sees a satellite above ε at some time) iff ``|φ| ≤ i' + λ``.

    References
    ----------
    .. [1] J. R. Wertz, W. J. Larson (eds.), "Space Mission Analysis and Design",
       3rd ed., §5.2, eqs. (5-16)–(5-19) (Earth central angle, nadir angle, range).
    .. [2] ITU-R S.1257-0, Annex 1 (visibility of non-GSO satellites from a point
       on the Earth's surface).
    """
    lat, altitude, min_elev, inclination = broadcast_coordinates(
        {
            "lat_deg": lat_deg,
            "altitude_km": altitude_km,
            "min_elevation_deg": min_elevation_deg,
            "inclination_deg": inclination_deg,
        },
        latitude_fields=("lat_deg",),
    )
    _check_range(altitude, "altitude_km", 0.0, _MAX_ALTITUDE_KM, low_open=True)
    _check_range(min_elev, "min_elevation_deg", 0.0, 90.0)
    if (min_elev >= 90.0).any():
        first = int(np.flatnonzero(min_elev >= 90.0)[0])
        msg = f"element {first} is {min_elev[first]}, outside [0, 90)"
        raise InputError(msg, field="min_elevation_deg")
    _check_range(inclination, "inclination_deg", 0.0, 180.0)
    eps = np.radians(min_elev)
    ratio = LEO_EARTH_RADIUS_KM / (LEO_EARTH_RADIUS_KM + altitude)
    central = np.arccos(ratio * np.cos(eps)) - eps
    radius_km = LEO_EARTH_RADIUS_KM + altitude
    slant_km = np.sqrt(
        radius_km**2 - (LEO_EARTH_RADIUS_KM * np.cos(eps)) ** 2
    ) - LEO_EARTH_RADIUS_KM * np.sin(eps)
    central_deg = np.degrees(central)
    reach_deg = np.minimum(inclination, 180.0 - inclination) + central_deg
    return LeoVisibility(
        central_angle_deg=central_deg,
        footprint_radius_km=LEO_EARTH_RADIUS_KM * central,
        max_slant_range_km=slant_km,
        sky_fraction=1.0 - np.sin(eps),
        covered=np.abs(lat) <= reach_deg,
    )


def geo_clearance_deg(
    *, sat_elevation_deg: ArrayLike, horizon_elevation_deg: ArrayLike
) -> NDArray[np.float64]:
    """Margin of the satellite above the terrain horizon in its direction.

    Parameters
    ----------
    sat_elevation_deg
        Elevation of the satellite, degrees (e.g. :func:`geo_look_angles`).
    horizon_elevation_deg
        Terrain horizon elevation toward the satellite's azimuth, degrees (e.g.
        :func:`alcance.terrain.horizon.horizon_elevation_deg`).

    Returns
    -------
    ndarray
        ``sat_elevation_deg − horizon_elevation_deg``, degrees; > 0 means line of sight
        clears the terrain (NaN where the horizon is unknown).

    Raises
    ------
    InputError
        Non-numeric or mismatched inputs.
    """
    try:
        sat = np.asarray(sat_elevation_deg, dtype=np.float64)
        horizon = np.asarray(horizon_elevation_deg, dtype=np.float64)
        return np.asarray(sat - horizon, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        msg = f"cannot combine elevations: {exc}"
        raise InputError(msg, field="horizon_elevation_deg") from exc
