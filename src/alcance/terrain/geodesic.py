"""Geodesics on the WGS 84 ellipsoid for many point pairs at once (pure maths, no I/O).

* :func:`geodesic_inverse` — distance and azimuths between point pairs
  (:meth:`pyproj.Geod.inv`, vectorised; Karney's algorithm).
* :func:`geodesic_direct` — the point at a given distance and azimuth (Numba kernel).
* :func:`geodesic_path_points` — equally spaced points along each path, both end
  points included exactly (Numba kernel, ~25 million points per second per core).

The intermediate points use Karney's series for the direct problem (the same
algorithm as :meth:`pyproj.Geod.fwd`), so they agree with pyproj to nanometres rather
than the metres a spherical approximation would give over 100 km.

References
----------
.. [1] C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 43–55 (2013),
   doi:10.1007/s00190-012-0578-z.
.. [2] NIMA TR8350.2, "Department of Defense World Geodetic System 1984", 3rd ed.
   (2000), Table 3.1 (a = 6 378 137 m, 1/f = 298.257223563).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyproj
from numpy.typing import ArrayLike, NDArray

from alcance.errors import InputError
from alcance.terrain._karney import WGS84_A_M, WGS84_F, direct_kernel, flat_path_points
from alcance.terrain._validate import broadcast_coordinates

__all__ = [
    "WGS84_A_M",
    "WGS84_F",
    "GeodesicInverse",
    "PathPoints",
    "geodesic_direct",
    "geodesic_inverse",
    "geodesic_path_points",
]

_GEOD = pyproj.Geod(ellps="WGS84")


class GeodesicInverse(NamedTuple):
    """Result of :func:`geodesic_inverse` (1-D arrays, one entry per pair)."""

    distance_m: NDArray[np.float64]
    """Geodesic distance, metres."""
    azimuth_deg: NDArray[np.float64]
    """Forward azimuth at point 1 towards point 2, degrees clockwise from north, (-180, 180]."""
    back_azimuth_deg: NDArray[np.float64]
    """Azimuth at point 2 towards point 1, degrees clockwise from north, (-180, 180]."""


class PathPoints(NamedTuple):
    """Result of :func:`geodesic_path_points`: ragged point lists in NaN-padded arrays."""

    lon_deg: NDArray[np.float64]
    """Longitude, degrees, shape ``(n_paths, max_points)``, NaN after each path's end."""
    lat_deg: NDArray[np.float64]
    """Latitude, degrees, same shape as ``lon_deg``."""
    n_points: NDArray[np.int64]
    """Points per path (``n_intervals + 1``)."""


def geodesic_inverse(
    *, lon1_deg: ArrayLike, lat1_deg: ArrayLike, lon2_deg: ArrayLike, lat2_deg: ArrayLike
) -> GeodesicInverse:
    """Distance and azimuths between many point pairs on WGS 84.

    Parameters
    ----------
    lon1_deg, lat1_deg
        Start points, degrees (scalars or 1-D arrays; broadcast together).
    lon2_deg, lat2_deg
        End points, degrees.

    Returns
    -------
    GeodesicInverse
        ``distance_m`` (metres), ``azimuth_deg`` (forward azimuth at the start, degrees
        clockwise from north) and ``back_azimuth_deg`` (at the end, towards the start).

    Raises
    ------
    InputError
        Non-finite values, latitudes outside [-90, 90] or mismatched lengths.

    Notes
    -----
    Solved with :meth:`pyproj.Geod.inv` (Karney's algorithm [1]_, accurate to
    nanometres), one vectorised call for all pairs.

    References
    ----------
    .. [1] C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 43–55 (2013),
       §4 (inverse problem).
    """
    lon1, lat1, lon2, lat2 = broadcast_coordinates(
        {"lon1_deg": lon1_deg, "lat1_deg": lat1_deg, "lon2_deg": lon2_deg, "lat2_deg": lat2_deg},
        latitude_fields=("lat1_deg", "lat2_deg"),
    )
    azimuth, back_azimuth, distance = _GEOD.inv(lon1, lat1, lon2, lat2)
    return GeodesicInverse(
        distance_m=np.asarray(distance, dtype=np.float64),
        azimuth_deg=np.asarray(azimuth, dtype=np.float64),
        back_azimuth_deg=np.asarray(back_azimuth, dtype=np.float64),
    )


def geodesic_direct(
    *, lon_deg: ArrayLike, lat_deg: ArrayLike, azimuth_deg: ArrayLike, distance_m: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Points at a given distance and azimuth from start points on WGS 84.

    Parameters
    ----------
    lon_deg, lat_deg
        Start points, degrees.
    azimuth_deg
        Forward azimuth at the start, degrees clockwise from north.
    distance_m
        Distance along the geodesic, metres (negative goes backwards).

    Returns
    -------
    lon_deg, lat_deg : ndarray
        End points, degrees; longitudes reduced to [-180, 180).

    Raises
    ------
    InputError
        Non-finite values, latitudes outside [-90, 90] or mismatched lengths.

    Notes
    -----
    Karney (2013) [1]_ eqs. (6)–(8), (15)–(25) to sixth order in the third
    flattening; the truncation error is a few nanometres.

    References
    ----------
    .. [1] C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 43–55 (2013).
    """
    lon, lat, azimuth, distance = broadcast_coordinates(
        {
            "lon_deg": lon_deg,
            "lat_deg": lat_deg,
            "azimuth_deg": azimuth_deg,
            "distance_m": distance_m,
        },
        latitude_fields=("lat_deg",),
    )
    out_lon = np.empty_like(lon)
    out_lat = np.empty_like(lat)
    direct_kernel(lon, lat, azimuth, distance, out_lon, out_lat)
    return out_lon, out_lat


def geodesic_path_points(
    *,
    lon1_deg: ArrayLike,
    lat1_deg: ArrayLike,
    lon2_deg: ArrayLike,
    lat2_deg: ArrayLike,
    n_intervals: ArrayLike,
) -> PathPoints:
    """Equally spaced points along many geodesics, end points included exactly.

    Parameters
    ----------
    lon1_deg, lat1_deg, lon2_deg, lat2_deg
        Path ends, degrees (scalars or 1-D arrays; broadcast together).
    n_intervals
        Number of equal intervals per path (integer >= 1); path ``i`` gets
        ``n_intervals[i] + 1`` points.

    Returns
    -------
    PathPoints
        ``lon_deg``, ``lat_deg`` of shape ``(n_paths, max(n_intervals) + 1)``,
        NaN-padded, and ``n_points`` per path. Point ``k`` lies at distance
        ``k * distance_m / n_intervals`` from the start; intermediate longitudes are
        reduced to [-180, 180), the end points are returned as given.

    Raises
    ------
    InputError
        Bad coordinates (see :func:`geodesic_inverse`) or ``n_intervals`` < 1.

    Notes
    -----
    The start azimuth and length come from :func:`geodesic_inverse`; the points from
    Karney's direct series [1]_ evaluated in a Numba kernel. For a profile on a DEM
    use :func:`alcance.terrain.sample_profiles`, which never materialises all points.

    References
    ----------
    .. [1] C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 43–55 (2013),
       eqs. (15)–(25).
    """
    lon1, lat1, lon2, lat2 = broadcast_coordinates(
        {"lon1_deg": lon1_deg, "lat1_deg": lat1_deg, "lon2_deg": lon2_deg, "lat2_deg": lat2_deg},
        latitude_fields=("lat1_deg", "lat2_deg"),
    )
    n_raw = np.atleast_1d(np.asarray(n_intervals))
    if n_raw.ndim != 1 or not np.issubdtype(n_raw.dtype, np.integer):
        msg = f"expected integers (scalar or 1-D), got dtype {n_raw.dtype} shape {n_raw.shape}"
        raise InputError(msg, field="n_intervals")
    if n_raw.size not in (1, lon1.size):
        msg = f"has {n_raw.size} elements for {lon1.size} paths"
        raise InputError(msg, field="n_intervals")
    if (n_raw < 1).any():
        first = int(np.flatnonzero(n_raw < 1)[0])
        msg = f"element {first} is {n_raw[first]} (must be >= 1)"
        raise InputError(msg, field="n_intervals")
    n = np.ascontiguousarray(np.broadcast_to(n_raw.astype(np.int64), lon1.shape))
    inverse = geodesic_inverse(lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2)
    flat_lon, flat_lat, offsets = flat_path_points(
        lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2,
        azimuth_deg=inverse.azimuth_deg, distance_m=inverse.distance_m, n_intervals=n,
    )  # fmt: skip
    n_points = n + 1
    width = int(n_points.max()) if n_points.size else 0
    lon_out = np.full((n_points.size, width), np.nan)
    lat_out = np.full((n_points.size, width), np.nan)
    rows = np.repeat(np.arange(n_points.size), n_points)
    cols = np.arange(flat_lon.size) - np.repeat(offsets, n_points)
    lon_out[rows, cols] = flat_lon
    lat_out[rows, cols] = flat_lat
    return PathPoints(lon_deg=lon_out, lat_deg=lat_out, n_points=n_points)
