"""Terrain horizon: elevation angle of the skyline seen from sites, toward given azimuths.

Used for satellite links: a GEO satellite is visible when its elevation exceeds the
terrain horizon toward its azimuth; a LEO constellation needs the full 360° mask.

Pure functions over an in-memory :class:`~alcance.terrain.TerrainGrid` (WGS 84
longitude/latitude grids); the hot loop over (site, azimuth) rays is a Numba kernel.

Conventions
-----------
Each ray starts at the site and follows the WGS 84 geodesic of the given start azimuth.
It is sampled at ``n = ceil(max_distance / spacing)`` equal steps
``d_k = k · max_distance / n`` (k = 1 … n; the same distances as
:func:`alcance.terrain.sample_profiles` from the site to the ray's end, positions within
about 1 cm of those, see :func:`horizon_ray_points`). Terrain heights are bilinear
between pixel centres (:mod:`alcance.terrain._interp`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import prange
from numpy.typing import ArrayLike, NDArray

from alcance.errors import InputError
from alcance.terrain._crs import is_wgs84_lonlat
from alcance.terrain._interp import bilinear_one, points_kernel
from alcance.terrain._jit import jit
from alcance.terrain._karney import WGS84_A_M, WGS84_F
from alcance.terrain._validate import broadcast_coordinates
from alcance.terrain.curvature import EARTH_RADIUS_M, STANDARD_K_FACTOR
from alcance.terrain.grid import TerrainGrid
from alcance.terrain.profiles import _grid_parts, default_spacing_m

__all__ = [
    "DEFAULT_HORIZON_DISTANCE_M",
    "MAX_HORIZON_DISTANCE_M",
    "NODE_SPACING_M",
    "Horizon",
    "HorizonMask",
    "horizon_elevation_deg",
    "horizon_mask_deg",
    "horizon_ray_points",
    "sky_fraction_above",
]

DEFAULT_HORIZON_DISTANCE_M = 30_000.0
"""Default search radius of the horizon, metres."""
MAX_HORIZON_DISTANCE_M = 200_000.0
"""Largest search radius, metres: the parabolic earth drop ``d² / (2 k R)`` is then
within 0.11 m of the circle's (``d⁴ / (24 (k R)³)``)."""
NODE_SPACING_M = 500.0
"""Largest distance between the exactly integrated nodes of a ray, metres."""
_E2 = WGS84_F * (2.0 - WGS84_F)


class Horizon(NamedTuple):
    """Result of :func:`horizon_elevation_deg` (1-D arrays, one entry per site)."""

    elevation_deg: NDArray[np.float64]
    """Horizon elevation angle, degrees above the local horizontal; NaN when the site
    or every ray point is off the grid or on an unfilled (NaN) void."""
    distance_m: NDArray[np.float64]
    """Distance of the terrain point that sets the horizon, metres (NaN as above)."""
    void_points: NDArray[np.int32]
    """Ray points touching a void pixel (filled voids are used, NaN voids skipped)."""
    outside_points: NDArray[np.int32]
    """Ray points off the grid (skipped): the horizon may be underestimated."""
    site_elevation_m: NDArray[np.float64]
    """Ground elevation at the site, metres (NaN off the grid or on a NaN void)."""


class HorizonMask(NamedTuple):
    """Result of :func:`horizon_mask_deg`: arrays of shape ``(n_sites, n_azimuths)``."""

    elevation_deg: NDArray[np.float64]
    """Horizon elevation angle per site and azimuth, degrees (NaN as in :class:`Horizon`)."""
    azimuth_deg: NDArray[np.float64]
    """The azimuths, degrees clockwise from north, ``j · 360 / n_azimuths`` (1-D)."""
    distance_m: NDArray[np.float64]
    """Distance of the horizon-setting terrain point, metres."""
    void_points: NDArray[np.int32]
    """Ray points touching a void pixel."""
    outside_points: NDArray[np.int32]
    """Ray points off the grid (skipped)."""
    site_elevation_m: NDArray[np.float64]
    """Ground elevation at each site, metres (1-D)."""


@jit()
def _radii_m(lat_rad: float) -> tuple[float, float]:
    """Meridional (M) and prime-vertical (N) radii of curvature of WGS 84, metres."""
    s = math.sin(lat_rad)
    w = 1.0 - _E2 * s * s
    n_m = WGS84_A_M / math.sqrt(w)
    return n_m * (1.0 - _E2) / w, n_m


@jit()
def _geodesic_step(
    lat_rad: float, lon_rad: float, az_rad: float, step_m: float
) -> tuple[float, float, float]:
    """One midpoint (RK2) step of the geodesic equations on the ellipsoid."""
    m_m, n_m = _radii_m(lat_rad)
    sin_az = math.sin(az_rad)
    half = 0.5 * step_m
    lat_mid = lat_rad + half * math.cos(az_rad) / m_m
    az_mid = az_rad + half * sin_az * math.tan(lat_rad) / n_m
    m_m, n_m = _radii_m(lat_mid)
    sin_az = math.sin(az_mid)
    cos_lat = math.cos(lat_mid)
    return (
        lat_rad + step_m * math.cos(az_mid) / m_m,
        lon_rad + step_m * sin_az / (n_m * cos_lat),
        az_rad + step_m * sin_az * math.tan(lat_mid) / n_m,
    )


@jit()
def _ray_points_kernel(
    lon_deg: float, lat_deg: float, az_deg: float, step_m: float, n_steps: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Longitudes and latitudes (degrees) of ray points 1 … n_steps.

    Nodes every ``node = max(1, floor(NODE_SPACING_M / step))`` steps come from one
    midpoint step of the geodesic equations each; the points between two nodes are
    interpolated linearly in longitude and latitude.
    """
    out_lon = np.empty(n_steps)
    out_lat = np.empty(n_steps)
    node = max(1, math.floor(NODE_SPACING_M / step_m))
    lat = math.radians(lat_deg)
    lon = math.radians(lon_deg)
    az = math.radians(az_deg)
    lat_a = lat_deg
    lon_a = lon_deg
    k = 0
    while k < n_steps:
        m = min(node, n_steps - k)
        lat, lon, az = _geodesic_step(lat, lon, az, m * step_m)
        lat_b = math.degrees(lat)
        lon_b = math.degrees(lon)
        for q in range(1, m + 1):
            f = q / m
            out_lat[k] = lat_a + f * (lat_b - lat_a)
            out_lon[k] = lon_a + f * (lon_b - lon_a)
            k += 1
        lat_a = lat_b
        lon_a = lon_b
    return out_lon, out_lat


@jit(parallel=True)
def _horizon_kernel(
    z: NDArray[np.float32],
    void: NDArray[np.bool_],
    x0: float,
    y0: float,
    dx: float,
    dy: float,
    wrap: float,
    lon_deg: NDArray[np.float64],
    lat_deg: NDArray[np.float64],
    eye_m: NDArray[np.float64],
    azimuth_deg: NDArray[np.float64],
    step_m: float,
    n_steps: int,
    effective_radius_m: float,
    out_elevation_deg: NDArray[np.float64],
    out_distance_m: NDArray[np.float64],
    out_void: NDArray[np.int32],
    out_outside: NDArray[np.int32],
) -> None:
    """Horizon angle along every (site, azimuth) ray; arrays ``(n_sites, n_az)``."""
    n_sites, n_az = azimuth_deg.shape
    inv_2ae = 1.0 / (2.0 * effective_radius_m)
    for flat in prange(n_sites * n_az):
        i = flat // n_az
        j = flat - i * n_az
        out_void[i, j] = 0
        out_outside[i, j] = 0
        if math.isnan(eye_m[i]):
            out_elevation_deg[i, j] = math.nan
            out_distance_m[i, j] = math.nan
            continue
        xs, ys = _ray_points_kernel(lon_deg[i], lat_deg[i], azimuth_deg[i, j], step_m, n_steps)
        best = -math.inf
        best_d = math.nan
        voids = 0
        outside_count = 0
        for k in range(n_steps):
            value, touched, outside = bilinear_one(z, void, x0, y0, dx, dy, wrap, xs[k], ys[k])
            if outside:
                outside_count += 1
                continue
            if touched:
                voids += 1
            if math.isnan(value):
                continue
            d = (k + 1) * step_m
            slope = (value - eye_m[i] - d * d * inv_2ae) / d
            if slope > best:
                best = slope
                best_d = d
        out_void[i, j] = voids
        out_outside[i, j] = outside_count
        if best == -math.inf:
            out_elevation_deg[i, j] = math.nan
        else:
            out_elevation_deg[i, j] = math.degrees(math.atan(best))
        out_distance_m[i, j] = best_d


def _positive(value: float, field: str) -> float:
    number = float(value)
    if not (math.isfinite(number) and number > 0.0):
        msg = f"must be a positive finite number, got {value!r}"
        raise InputError(msg, field=field)
    return number


def _check_grid(grid: TerrainGrid) -> None:
    if not (grid.is_geographic and is_wgs84_lonlat(grid.crs_wkt)):
        msg = "horizon kernels need a WGS 84 longitude/latitude grid (reproject the DEM)"
        raise InputError(msg, path=grid.source or None, field="crs_wkt")


def _distance(max_distance_m: float) -> float:
    distance = _positive(max_distance_m, "max_distance_m")
    if distance > MAX_HORIZON_DISTANCE_M:
        msg = f"must be <= {MAX_HORIZON_DISTANCE_M:,.0f} m, got {max_distance_m!r}"
        raise InputError(msg, field="max_distance_m")
    return distance


def _steps(grid: TerrainGrid, max_distance_m: float, spacing_m: float | None) -> tuple[float, int]:
    distance = _distance(max_distance_m)
    spacing = default_spacing_m(grid) if spacing_m is None else _positive(spacing_m, "spacing_m")
    n_steps = max(1, math.ceil(distance / spacing - 1e-9))
    return distance / n_steps, n_steps


def horizon_ray_points(
    *,
    lon_deg: float,
    lat_deg: float,
    azimuth_deg: float,
    max_distance_m: float = DEFAULT_HORIZON_DISTANCE_M,
    spacing_m: float = 90.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The points at which the horizon kernels sample one ray (for checks and plots).

    Parameters
    ----------
    lon_deg, lat_deg
        Site, WGS 84 degrees.
    azimuth_deg
        Start azimuth of the ray, degrees clockwise from north.
    max_distance_m
        Length of the ray, metres (> 0, at most :data:`MAX_HORIZON_DISTANCE_M`).
    spacing_m
        Largest step between points, metres (> 0).

    Returns
    -------
    lon_deg, lat_deg, distance_m : ndarray
        Points ``k = 1 … n`` (the site itself excluded) and their distances, metres.

    Raises
    ------
    InputError
        Non-finite values, a latitude outside [-90, 90], or a non-positive length.

    Notes
    -----
    Nodes at most :data:`NODE_SPACING_M` (500 m) apart follow the geodesic equations on
    the ellipsoid, ``dφ/ds = cos α / M``, ``dλ/ds = sin α / (N cos φ)``,
    ``dα/ds = sin α tan φ / N`` (e.g. R. H. Rapp, "Geometric Geodesy Part I" (1991)
    §5), one midpoint (RK2) step per node: global error of order ``s H² / R²``, below
    1 mm over 30 km. The points between nodes are interpolated linearly in longitude
    and latitude (chord error about ``H² tan φ / (8 R)``). Tested against Karney's
    :func:`geodesic_direct` over 30 km: within 1 cm up to 45° latitude and 4 cm up to
    80° (4e-4 of an SRTM pixel).
    """
    lon, lat, azimuth = broadcast_coordinates(
        {"lon_deg": lon_deg, "lat_deg": lat_deg, "azimuth_deg": azimuth_deg},
        latitude_fields=("lat_deg",),
    )
    if lon.size != 1:
        msg = "expects one site and one azimuth"
        raise InputError(msg, field="lon_deg")
    distance = _distance(max_distance_m)
    n_steps = max(1, math.ceil(distance / _positive(spacing_m, "spacing_m") - 1e-9))
    step_m = distance / n_steps
    out_lon, out_lat = _ray_points_kernel(
        float(lon[0]), float(lat[0]), float(azimuth[0]), step_m, n_steps
    )
    return out_lon, out_lat, np.asarray(np.arange(1, n_steps + 1) * step_m, dtype=np.float64)


def _run(
    grid: TerrainGrid,
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    height: NDArray[np.float64],
    azimuth: NDArray[np.float64],
    max_distance_m: float,
    spacing_m: float | None,
    k_factor: float,
) -> tuple[
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.int32],
    NDArray[np.int32],
    NDArray[np.float64],
]:
    _check_grid(grid)
    radius_m = _positive(k_factor, "k_factor") * EARTH_RADIUS_M
    if (height < 0.0).any():
        first = int(np.flatnonzero(height < 0.0)[0])
        msg = f"element {first} is {height[first]} m (height above ground must be >= 0)"
        raise InputError(msg, field="antenna_height_m")
    step_m, n_steps = _steps(grid, max_distance_m, spacing_m)
    z, void, wrap = _grid_parts(grid)
    ground = np.empty(lon.size)
    touched = np.empty(lon.size, dtype=np.bool_)
    outside = np.empty(lon.size, dtype=np.bool_)
    points_kernel(
        z, void, grid.x0, grid.y0, grid.dx, grid.dy, wrap, lon, lat, ground, touched, outside
    )
    eye = ground + height
    shape = azimuth.shape
    elevation = np.empty(shape)
    distance = np.empty(shape)
    voids = np.empty(shape, dtype=np.int32)
    off = np.empty(shape, dtype=np.int32)
    _horizon_kernel(
        z, void, grid.x0, grid.y0, grid.dx, grid.dy, wrap, lon, lat, eye,
        np.ascontiguousarray(azimuth), step_m, n_steps, radius_m,
        elevation, distance, voids, off,
    )  # fmt: skip
    return elevation, distance, voids, off, ground


def horizon_elevation_deg(
    grid: TerrainGrid,
    *,
    lon_deg: ArrayLike,
    lat_deg: ArrayLike,
    antenna_height_m: ArrayLike,
    azimuth_deg: ArrayLike,
    max_distance_m: float = DEFAULT_HORIZON_DISTANCE_M,
    spacing_m: float | None = None,
    k_factor: float = STANDARD_K_FACTOR,
) -> Horizon:
    """Terrain horizon elevation angle from each site toward one azimuth per site.

    Parameters
    ----------
    grid
        Terrain grid in WGS 84 longitude/latitude covering the sites and the rays.
    lon_deg, lat_deg
        Sites, WGS 84 degrees (scalars or 1-D arrays, broadcast together).
    antenna_height_m
        Antenna height above the ground at the site, metres (>= 0).
    azimuth_deg
        Azimuth of the ray (e.g. toward a GEO satellite), degrees clockwise from true
        north.
    max_distance_m
        Search radius, metres (default 30 km, at most
        :data:`MAX_HORIZON_DISTANCE_M`).
    spacing_m
        Largest step along the ray, metres. Default: :func:`default_spacing_m` (the
        pixel size).
    k_factor
        Effective earth radius factor (4/3: standard refraction; large: none).

    Returns
    -------
    Horizon
        ``elevation_deg`` and diagnostics, one entry per site.

    Raises
    ------
    InputError
        Bad coordinates or options (the message names the parameter), or a grid that
        is not WGS 84 longitude/latitude.

    Notes
    -----
    With the antenna at ``h_a = z_site + antenna_height`` (``z_site`` bilinear at the
    site) and a terrain point of height ``z_k`` at distance ``d_k`` along the ray::

        θ = max_k atan( (z_k − h_a − d_k² / (2 k R)) / d_k ),   R = 6371 km

    The ``d² / (2 k R)`` term is the drop of the terrain below the local horizontal
    plane on an Earth of effective radius ``k R`` (standard refraction: k = 4/3, ITU-R
    P.834-9 §4; ``a_e = 6371 k`` km as in P.452 and P.1812). For small angles this is
    the horizon elevation angle of ITU-R P.452 and P.1812,
    ``θ_t = max_i((h_i − h_ts) / d_i − 1000 d_i / (2 a_e))`` mrad (d in km); we keep the
    ``atan`` so that steep valley walls (30–45°) are not overestimated. Points off the
    grid or on NaN voids are skipped and counted (``outside_points``,
    ``void_points``), never taken as 0 m; with no usable point the result is NaN.

    Over flat terrain at the site's level the horizon is the tangent point at
    ``d* = sqrt(2 k R h)`` with ``θ = −atan(sqrt(2 h / (k R)))`` (−0.088° for h = 10 m),
    or the last point ``(−h − d_max² / (2 k R)) / d_max`` when ``d_max < d*``.

    References
    ----------
    .. [1] ITU-R P.452-17 (2021), Attachment 2 §5.1 (transmitter horizon elevation
       angle θ_t from the path profile).
    .. [2] ITU-R P.1812-6 (2021), Attachment 1 (same definition of θ_t).
    .. [3] ITU-R P.834-9 (2017), §4 (effective earth radius, k = 4/3).
    """
    lon, lat, height, azimuth = broadcast_coordinates(
        {
            "lon_deg": lon_deg,
            "lat_deg": lat_deg,
            "antenna_height_m": antenna_height_m,
            "azimuth_deg": azimuth_deg,
        },
        latitude_fields=("lat_deg",),
    )
    elevation, distance, voids, off, ground = _run(
        grid, lon, lat, height, azimuth[:, None], max_distance_m, spacing_m, k_factor
    )
    return Horizon(
        elevation_deg=elevation[:, 0],
        distance_m=distance[:, 0],
        void_points=voids[:, 0],
        outside_points=off[:, 0],
        site_elevation_m=ground,
    )


def horizon_mask_deg(
    grid: TerrainGrid,
    *,
    lon_deg: ArrayLike,
    lat_deg: ArrayLike,
    antenna_height_m: ArrayLike,
    n_azimuths: int = 360,
    max_distance_m: float = DEFAULT_HORIZON_DISTANCE_M,
    spacing_m: float | None = None,
    k_factor: float = STANDARD_K_FACTOR,
) -> HorizonMask:
    """Full 360° terrain horizon masks of many sites.

    Parameters
    ----------
    grid
        Terrain grid in WGS 84 longitude/latitude covering the sites and the rays.
    lon_deg, lat_deg
        Sites, WGS 84 degrees (scalars or 1-D arrays).
    antenna_height_m
        Antenna height above the ground, metres (>= 0).
    n_azimuths
        Number of equally spaced azimuths ``j · 360 / n_azimuths`` (>= 1).
    max_distance_m, spacing_m, k_factor
        As in :func:`horizon_elevation_deg`.

    Returns
    -------
    HorizonMask
        Arrays ``(n_sites, n_azimuths)``; see :func:`horizon_elevation_deg` for the
        formula (the horizon angle θ_t of ITU-R P.452-17 Attachment 2 §5.1 with the
        4/3 earth of P.834-9).

    Raises
    ------
    InputError
        Bad coordinates or options, or a grid not in WGS 84 longitude/latitude.
    """
    if isinstance(n_azimuths, bool) or int(n_azimuths) != n_azimuths or n_azimuths < 1:
        msg = f"must be an integer >= 1, got {n_azimuths!r}"
        raise InputError(msg, field="n_azimuths")
    lon, lat, height = broadcast_coordinates(
        {"lon_deg": lon_deg, "lat_deg": lat_deg, "antenna_height_m": antenna_height_m},
        latitude_fields=("lat_deg",),
    )
    azimuths = np.asarray(np.arange(int(n_azimuths)) * (360.0 / int(n_azimuths)), dtype=np.float64)
    grid_az = np.ascontiguousarray(np.broadcast_to(azimuths, (lon.size, azimuths.size)))
    elevation, distance, voids, off, ground = _run(
        grid, lon, lat, height, grid_az, max_distance_m, spacing_m, k_factor
    )
    return HorizonMask(
        elevation_deg=elevation,
        azimuth_deg=azimuths,
        distance_m=distance,
        void_points=voids,
        outside_points=off,
        site_elevation_m=ground,
    )


def sky_fraction_above(mask_deg: ArrayLike, *, min_elevation_deg: float) -> NDArray[np.float64]:
    """Solid-angle fraction of the sky hemisphere above both the mask and an elevation.

    Parameters
    ----------
    mask_deg
        Horizon masks, degrees, shape ``(n_azimuths,)`` or ``(n_sites, n_azimuths)``,
        sampled at equally spaced azimuths (e.g. :attr:`HorizonMask.elevation_deg`).
    min_elevation_deg
        Minimum usable elevation of the terminal, degrees, in [0, 90].

    Returns
    -------
    ndarray
        Fraction in [0, 1] per site (a 0-d array for a 1-D mask); NaN where any mask
        value is NaN.

    Raises
    ------
    InputError
        An empty or more than 2-D mask, or ``min_elevation_deg`` outside [0, 90].

    Notes
    -----
    Each azimuth stands for a sector of width ``2π / n`` centred on it; the sky above
    elevation ``e`` in that sector has solid angle ``(2π / n)(1 − sin e)`` and the
    hemisphere ``2π``, so the fraction is ``mean_j (1 − sin max(mask_j, ε))``. A mask
    below 0° (curvature dip) does not add sky below the horizontal since ε >= 0.
    """
    mask = np.asarray(mask_deg, dtype=np.float64)
    if mask.ndim not in (1, 2) or mask.shape[-1] == 0:
        msg = f"expected shape (n_azimuths,) or (n_sites, n_azimuths), got {mask.shape}"
        raise InputError(msg, field="mask_deg")
    floor = float(min_elevation_deg)
    if not 0.0 <= floor <= 90.0:
        msg = f"must be in [0, 90], got {min_elevation_deg!r}"
        raise InputError(msg, field="min_elevation_deg")
    bound = np.minimum(np.maximum(mask, floor), 90.0)
    bound = np.where(np.isnan(mask), np.nan, bound)
    return np.asarray(np.mean(1.0 - np.sin(np.radians(bound)), axis=-1), dtype=np.float64)
