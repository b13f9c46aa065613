"""Coordinate reference system helpers shared by the terrain kernels and the readers."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pyproj
from numpy.typing import NDArray
from pyproj.exceptions import CRSError

from alcance.errors import InputError

__all__ = [
    "WGS84_LONLAT",
    "bounds_to_grid",
    "bounds_to_lonlat",
    "crs_from_wkt",
    "grid_to_lonlat",
    "is_wgs84_lonlat",
    "linear_unit_m",
    "lonlat_to_grid",
]

WGS84_LONLAT = pyproj.CRS.from_epsg(4326)

_DEGREE_RAD = math.pi / 180.0


def _is_wgs84_datum(crs: pyproj.CRS) -> bool:
    """``True`` for the WGS 84 datum (ensemble or any realisation, e.g. G1762)."""
    datum = crs.datum
    if datum is None:
        return False
    name = datum.name.lower().replace("_", " ")
    return name in {"wgs 1984", "wgs84", "wgs 84"} or name.startswith("world geodetic system 1984")


@lru_cache(maxsize=64)
def crs_from_wkt(crs_wkt: str) -> pyproj.CRS:
    """Parse a WKT string into a :class:`pyproj.CRS` (cached).

    Raises
    ------
    InputError
        PROJ cannot interpret the WKT, or the CRS is neither geographic nor projected
        (e.g. an engineering or vertical CRS).
    """
    try:
        crs = pyproj.CRS.from_wkt(crs_wkt)
    except CRSError as exc:
        msg = f"unknown coordinate reference system ({exc})"
        raise InputError(msg, field="crs") from exc
    if not (crs.is_geographic or crs.is_projected):
        msg = f"CRS '{crs.name}' is neither geographic nor projected; cannot place it on Earth"
        raise InputError(msg, field="crs")
    return crs


@lru_cache(maxsize=64)
def _forward(crs_wkt: str) -> pyproj.Transformer | None:
    """Transformer WGS 84 lon/lat → grid x/y, or ``None`` when that is the identity."""
    crs = crs_from_wkt(crs_wkt)
    if (
        crs.is_geographic
        and _is_wgs84_datum(crs)
        and crs.prime_meridian is not None
        and crs.prime_meridian.longitude == 0.0
        and all(
            math.isclose(axis.unit_conversion_factor, _DEGREE_RAD, rel_tol=1e-12)
            for axis in crs.axis_info[:2]
        )
    ):
        return None
    try:
        return pyproj.Transformer.from_crs(WGS84_LONLAT, crs, always_xy=True)
    except pyproj.exceptions.ProjError as exc:
        msg = f"no transformation from WGS 84 to '{crs.name}' ({exc})"
        raise InputError(msg, field="crs") from exc


@lru_cache(maxsize=64)
def _inverse(crs_wkt: str) -> pyproj.Transformer | None:
    """Transformer grid x/y → WGS 84 lon/lat, or ``None`` when that is the identity."""
    if _forward(crs_wkt) is None:
        return None
    return pyproj.Transformer.from_crs(crs_from_wkt(crs_wkt), WGS84_LONLAT, always_xy=True)


def is_wgs84_lonlat(crs_wkt: str) -> bool:
    """``True`` when WGS 84 longitude/latitude can be used as grid x/y unchanged."""
    return _forward(crs_wkt) is None


def lonlat_to_grid(
    crs_wkt: str, lon_deg: NDArray[np.float64], lat_deg: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """WGS 84 lon/lat (degrees) → grid x/y in the grid CRS (a copy when identical).

    Points PROJ cannot transform come back as ``inf``/NaN, which the kernels treat as
    outside the grid.
    """
    transformer = _forward(crs_wkt)
    if transformer is None:
        return np.array(lon_deg, dtype=np.float64), np.array(lat_deg, dtype=np.float64)
    x, y = transformer.transform(lon_deg, lat_deg, errcheck=False)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def grid_to_lonlat(
    crs_wkt: str, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Grid x/y → WGS 84 lon/lat in degrees (a copy when identical)."""
    transformer = _inverse(crs_wkt)
    if transformer is None:
        return np.array(x, dtype=np.float64), np.array(y, dtype=np.float64)
    lon, lat = transformer.transform(x, y, errcheck=False)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def linear_unit_m(crs_wkt: str) -> float:
    """Metres per unit of the x axis of a projected CRS (1.0 for metres)."""
    crs = crs_from_wkt(crs_wkt)
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    return float(factor)


def bounds_to_grid(
    crs_wkt: str, west_deg: float, south_deg: float, east_deg: float, north_deg: float
) -> tuple[float, float, float, float]:
    """A lon/lat box → the enclosing box in grid coordinates (edges densified)."""
    transformer = _forward(crs_wkt)
    if transformer is None:
        return west_deg, south_deg, east_deg, north_deg
    x_min, y_min, x_max, y_max = transformer.transform_bounds(
        west_deg, south_deg, east_deg, north_deg, densify_pts=21, errcheck=False
    )
    return float(x_min), float(y_min), float(x_max), float(y_max)


def bounds_to_lonlat(
    crs_wkt: str, x_min: float, y_min: float, x_max: float, y_max: float
) -> tuple[float, float, float, float]:
    """A grid box → the enclosing lon/lat box in degrees (edges densified)."""
    transformer = _inverse(crs_wkt)
    if transformer is None:
        return x_min, y_min, x_max, y_max
    west, south, east, north = transformer.transform_bounds(
        x_min, y_min, x_max, y_max, densify_pts=21, errcheck=False
    )
    return float(west), float(south), float(east), float(north)
