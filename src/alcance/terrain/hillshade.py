"""Analytical hillshading of an elevation grid (pure: arrays in, arrays out).

The Horn (1981) third-order finite-difference gradient and the illumination formula
of Esri's *How Hillshade works* (the same as GDAL ``gdaldem hillshade``), with
per-row pixel sizes so that a geographic (longitude/latitude) grid is shaded with its
true ground distances.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from alcance.errors import InputError
from alcance.terrain.geodesic import WGS84_A_M, WGS84_F
from alcance.terrain.grid import TerrainGrid

__all__ = [
    "DEFAULT_ALTITUDE_DEG",
    "DEFAULT_AZIMUTH_DEG",
    "geographic_pixel_size_m",
    "hillshade",
    "hillshade_grid",
]

#: Sun azimuth, degrees clockwise from north (Esri and GDAL default: north-west).
DEFAULT_AZIMUTH_DEG = 315.0
#: Sun altitude above the horizon, degrees (Esri and GDAL default).
DEFAULT_ALTITUDE_DEG = 45.0

_E2 = WGS84_F * (2.0 - WGS84_F)


def geographic_pixel_size_m(
    lat_deg: ArrayLike, *, dlon_deg: float, dlat_deg: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Ground size of a geographic pixel at given latitudes on the WGS 84 ellipsoid.

    Parameters
    ----------
    lat_deg
        Latitude of the pixel centres, degrees (any shape, within ±90).
    dlon_deg, dlat_deg
        Pixel size in longitude and latitude, degrees (positive).

    Returns
    -------
    dx_m, dy_m
        East–west and north–south pixel sizes, metres, shaped like ``lat_deg``.

    Raises
    ------
    InputError
        A pixel size is not positive and finite, or a latitude is outside ±90°.

    Notes
    -----
    ``dx = N cos φ Δλ`` and ``dy = M Δφ`` with the prime-vertical and meridional radii
    of curvature ``N = a / √(1 − e² sin² φ)`` and ``M = a (1 − e²) / (1 − e² sin² φ)^{3/2}``
    (NGA.STND.0036 *WGS 84*, §4 and §5, eqs. 4-15, 4-16).
    """
    for name, value in (("dlon_deg", dlon_deg), ("dlat_deg", dlat_deg)):
        if not (math.isfinite(value) and value > 0.0):
            msg = f"{name} must be a positive, finite pixel size in degrees, got {value!r}"
            raise InputError(msg, field=name)
    lat = np.asarray(lat_deg, dtype=np.float64)
    if not np.all(np.abs(lat) <= 90.0):
        msg = "lat_deg must lie within ±90 degrees (and not be NaN)"
        raise InputError(msg, field="lat_deg")
    phi = np.radians(lat)
    w = 1.0 - _E2 * np.sin(phi) ** 2
    n_m = WGS84_A_M / np.sqrt(w)
    m_m = WGS84_A_M * (1.0 - _E2) / w**1.5
    dx_m = np.asarray(n_m * np.cos(phi) * math.radians(dlon_deg), dtype=np.float64)
    dy_m = np.asarray(m_m * math.radians(dlat_deg), dtype=np.float64)
    return dx_m, dy_m


def hillshade(
    elevation_m: ArrayLike,
    *,
    dx_m: ArrayLike,
    dy_m: ArrayLike,
    azimuth_deg: float = DEFAULT_AZIMUTH_DEG,
    altitude_deg: float = DEFAULT_ALTITUDE_DEG,
    z_factor: float = 1.0,
) -> NDArray[np.float64]:
    """Hillshade (illumination 0–255) of a north-up elevation grid.

    Parameters
    ----------
    elevation_m
        Elevation, metres, 2-D ``(rows, cols)`` with row 0 at the north; NaN = void.
    dx_m, dy_m
        East–west and north–south pixel sizes, metres (positive): scalars, or arrays
        that broadcast to ``(rows, cols)`` — pass column vectors ``(rows, 1)`` for the
        per-row sizes of a geographic grid (see :func:`geographic_pixel_size_m`).
    azimuth_deg
        Direction the light comes from, degrees clockwise from north (default 315°).
    altitude_deg
        Elevation of the light above the horizon, degrees in [0, 90] (default 45°).
    z_factor
        Vertical exaggeration (positive; 1 when elevations and sizes are both metres).

    Returns
    -------
    ndarray
        float64 ``(rows, cols)`` illumination in [0, 255] (not rounded; Esri rounds
        to an integer, GDAL maps to 1–255); NaN where the elevation itself is NaN.

    Raises
    ------
    InputError
        ``elevation_m`` not 2-D or empty; a pixel size not positive and finite or not
        broadcastable; altitude outside [0, 90]; azimuth not finite; ``z_factor`` not
        positive.

    Notes
    -----
    With the 3 × 3 window ``a b c / d e f / g h i`` around each pixel (``a`` north-west)
    Horn's gradient [1]_ is::

        dz/dx = ((c + 2f + i) − (a + 2d + g)) / (8 dx)
        dz/dy = ((g + 2h + i) − (a + 2b + c)) / (8 dy)

    and Esri's shading [2]_ is::

        slope  = atan(z_factor · √(dz/dx² + dz/dy²))
        aspect = atan2(dz/dy, −dz/dx)               (wrapped to [0, 2π))
        zenith = 90° − altitude;  azimuth_math = 360° − azimuth + 90°
        H = 255 · (cos zenith · cos slope + sin zenith · sin slope · cos(azimuth_math − aspect))

    clipped below at 0 (faces turned away from the light). A flat surface gives
    ``255 · cos zenith`` (180.3 at the default 45°). As in Esri's slope tool, a void
    (NaN) neighbour takes the centre pixel's value [2]_; pixels beyond the grid edge
    repeat the edge pixel, so the output has the input's shape.

    References
    ----------
    .. [1] B. K. P. Horn, "Hill shading and the reflectance map", Proc. IEEE 69(1),
       14–47 (1981), doi:10.1109/PROC.1981.11918, eq. for the 3 × 3 gradient.
    .. [2] Esri, ArcGIS Pro *How Hillshade works* and *How Slope works* (Spatial Analyst
       tool reference), including the worked 3 × 3 example (cell size 5 m, result 154).
    """
    z = np.asarray(elevation_m, dtype=np.float64)
    if z.ndim != 2 or z.size == 0:
        msg = f"elevation_m must be a non-empty 2-D array, got shape {z.shape}"
        raise InputError(msg, field="elevation_m")
    if not (math.isfinite(altitude_deg) and 0.0 <= altitude_deg <= 90.0):
        msg = f"altitude_deg must be within [0, 90] degrees, got {altitude_deg!r}"
        raise InputError(msg, field="altitude_deg")
    if not math.isfinite(azimuth_deg):
        msg = f"azimuth_deg must be finite, got {azimuth_deg!r}"
        raise InputError(msg, field="azimuth_deg")
    if not (math.isfinite(z_factor) and z_factor > 0.0):
        msg = f"z_factor must be positive and finite, got {z_factor!r}"
        raise InputError(msg, field="z_factor")
    sx = _pixel_size(dx_m, z.shape, "dx_m")
    sy = _pixel_size(dy_m, z.shape, "dy_m")

    padded = np.pad(z, 1, mode="edge")
    centre = padded[1:-1, 1:-1]
    rows, cols = z.shape

    def cell(dr: int, dc: int) -> NDArray[np.float64]:
        win = padded[1 + dr : 1 + dr + rows, 1 + dc : 1 + dc + cols]
        return np.where(np.isnan(win), centre, win)

    a, b, c = cell(-1, -1), cell(-1, 0), cell(-1, 1)
    d, f = cell(0, -1), cell(0, 1)
    g, h, i = cell(1, -1), cell(1, 0), cell(1, 1)
    dzdx = ((c + 2.0 * f + i) - (a + 2.0 * d + g)) / (8.0 * sx)
    dzdy = ((g + 2.0 * h + i) - (a + 2.0 * b + c)) / (8.0 * sy)

    slope = np.arctan(z_factor * np.hypot(dzdx, dzdy))
    aspect = np.mod(np.arctan2(dzdy, -dzdx), 2.0 * math.pi)
    zenith = math.radians(90.0 - altitude_deg)
    azimuth_math = math.radians(np.mod(360.0 - azimuth_deg + 90.0, 360.0))
    shade = 255.0 * (
        math.cos(zenith) * np.cos(slope)
        + math.sin(zenith) * np.sin(slope) * np.cos(azimuth_math - aspect)
    )
    out = np.asarray(np.clip(shade, 0.0, 255.0), dtype=np.float64)
    out[np.isnan(z)] = np.nan
    return out


def hillshade_grid(
    grid: TerrainGrid,
    *,
    azimuth_deg: float = DEFAULT_AZIMUTH_DEG,
    altitude_deg: float = DEFAULT_ALTITUDE_DEG,
    z_factor: float = 1.0,
) -> NDArray[np.float64]:
    """Hillshade of a :class:`TerrainGrid` with its true pixel sizes.

    Parameters
    ----------
    grid
        North-up terrain window; geographic grids get per-row ground pixel sizes from
        :func:`geographic_pixel_size_m`, projected grids are taken to be in metres.
    azimuth_deg, altitude_deg, z_factor
        As in :func:`hillshade`.

    Returns
    -------
    ndarray
        float64 illumination in [0, 255], shape ``grid.shape``; NaN at NaN elevations.

    Raises
    ------
    InputError
        As :func:`hillshade`; also a grid that is not north-up (``dy >= 0``).
    """
    if not (grid.dx > 0.0 and grid.dy < 0.0):
        msg = f"grid must be north-up (dx > 0, dy < 0), got dx={grid.dx}, dy={grid.dy}"
        raise InputError(msg, path=grid.source or None, field="dy")
    rows, _ = grid.shape
    if grid.is_geographic:
        lat = grid.y0 + (np.arange(rows) + 0.5) * grid.dy
        dx_m, dy_m = geographic_pixel_size_m(
            np.clip(lat, -90.0, 90.0), dlon_deg=grid.dx, dlat_deg=-grid.dy
        )
        dx: ArrayLike = dx_m[:, np.newaxis]
        dy: ArrayLike = dy_m[:, np.newaxis]
    else:
        dx, dy = grid.dx, -grid.dy
    return hillshade(
        grid.elevation_m,
        dx_m=dx,
        dy_m=dy,
        azimuth_deg=azimuth_deg,
        altitude_deg=altitude_deg,
        z_factor=z_factor,
    )


def _pixel_size(value: ArrayLike, shape: tuple[int, ...], field: str) -> NDArray[np.float64]:
    size = np.asarray(value, dtype=np.float64)
    try:
        size = np.broadcast_to(size, shape)
    except ValueError:
        msg = f"{field} of shape {size.shape} does not broadcast to the grid shape {shape}"
        raise InputError(msg, field=field) from None
    if not np.all(np.isfinite(size) & (size > 0.0)):
        msg = f"{field} must be positive and finite everywhere (metres)"
        raise InputError(msg, field=field)
    return size
