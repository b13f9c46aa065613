"""Path loss from one site to every pixel of a raster, with ITM point-to-point fidelity.

Pure functions over an in-memory :class:`~alcance.terrain.TerrainGrid` (a WGS 84
longitude/latitude grid): no I/O. :func:`site_loss_raster` is the fast incremental
algorithm (rays from the site, NTIA ITM ``QuickPfl`` quantities maintained along each
ray, see :mod:`alcance.coverage._ray_kernel`); :func:`site_loss_raster_exact` is the
reference (one geodesic terrain profile per pixel centre and the batched ITM kernel),
slow, for tests and error measurement. Antenna patterns, EIRP and interference are
applied by the caller on top of the basic transmission loss computed here.

Approximations of the fast algorithm (measured in ``benchmarks/README.md``;
on the Lima Andes at 50 km, |fast − exact| has a median of 0.04 dB and a 95th
percentile of 0.3–0.4 dB):

1. *Ray instead of straight profile*, beyond ``exact_within`` samples from the site
   (nearer pixels get their own straight profile, exactly as the reference). A pixel
   takes the nearest of ``n_rays`` geodesic rays (default: one ray per output pixel of
   arc at the radius) and the ray sample ``k = round(d / step)`` nearest its distance
   ``d``; its profile has ``k`` intervals of ``d / k``. The last ``tail_points``
   interior points and the receiver are sampled on the pixel's own straight profile at
   their stated distances (the receiver side of ITM's geometry — horizon, effective
   height — is the most sensitive to sampling); the points before them are the ray's
   samples, up to half a ray spacing sideways and half a step along the path from
   where they are stated to be. The reference itself uses ``ceil(d / step)``
   intervals, so the two profiles differ in their sampling anyway.
2. *Terrain irregularity Δh* is computed exactly for receivers up to ``dh_exact_max``
   samples from the site and interpolated between exact anchor values further out.
3. Horizons, effective heights and the mean path elevation are NTIA's exactly (to
   rounding) for the profile of item 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from affine import Affine
from numpy.typing import ArrayLike, NDArray

from alcance.coverage import _ray_kernel as rk
from alcance.errors import InputError
from alcance.propagation import _itm_core as core
from alcance.propagation.itm import ItmReturnCode, itm_p2p_tls_batch
from alcance.terrain._crs import is_wgs84_lonlat
from alcance.terrain._interp import points_kernel
from alcance.terrain._karney import WGS84_A_M, WGS84_F
from alcance.terrain.geodesic import geodesic_inverse
from alcance.terrain.grid import TerrainGrid
from alcance.terrain.horizon import MAX_HORIZON_DISTANCE_M
from alcance.terrain.profiles import default_spacing_m, sample_profiles

__all__ = [
    "MAX_RADIUS_M",
    "RasterGrid",
    "SiteLossRaster",
    "raster_grid_around",
    "site_loss_at_exact",
    "site_loss_raster",
    "site_loss_raster_exact",
]

MAX_RADIUS_M = MAX_HORIZON_DISTANCE_M
"""Largest radius, metres (the ray geometry is tested to this distance)."""
DEFAULT_EXACT_WITHIN = 64
"""Pixels up to this many ray samples from the site get their own straight profile."""
DEFAULT_TAIL_POINTS = 16
"""Interior profile points next to the receiver sampled on its own straight profile."""
DEFAULT_DH_EXACT_MAX = 40
"""Ray samples from the site up to which Δh is computed exactly for every pixel."""
DEFAULT_DH_RATIO = 12.0
"""Anchor spacing of the interpolated Δh: ``ceil(k / DEFAULT_DH_RATIO)`` samples at k."""
DEFAULT_LAMBDA_TOL = 0.02
"""Relative band of the curvature term in which the horizon hull is reused."""
_EXACT_CHUNK_PATHS = 20_000
_E2 = WGS84_F * (2.0 - WGS84_F)


class RasterGrid(NamedTuple):
    """A north-up geographic output grid (the convention of :class:`CoverageRaster`)."""

    west_deg: float
    """Outer west edge, degrees."""
    north_deg: float
    """Outer north edge, degrees."""
    dlon_deg: float
    """Pixel width, degrees (> 0)."""
    dlat_deg: float
    """Pixel height, degrees (> 0)."""
    rows: int
    cols: int


@dataclass(frozen=True, slots=True, eq=False)
class SiteLossRaster:
    """ITM basic transmission loss from one site to every pixel of a grid.

    Attributes
    ----------
    loss_db
        ITM p2p basic transmission loss, dB, float32 ``(rows, cols)``; NaN beyond the
        radius, at the site's own pixel centre (zero distance), where the path leaves
        the terrain or crosses a NaN void, and on an ITM error.
    distance_m
        Distance site → pixel centre, metres, float32 (every pixel).
    azimuth_deg
        Start azimuth site → pixel centre, degrees clockwise from north in [0, 360).
    ground_m
        Terrain elevation at the pixel centre (bilinear), metres; NaN off the terrain.
    west_deg, north_deg, dlon_deg, dlat_deg
        The grid, as in :class:`~alcance.coverage.model.CoverageRaster`.
    """

    loss_db: NDArray[np.float32]
    distance_m: NDArray[np.float32]
    azimuth_deg: NDArray[np.float32]
    ground_m: NDArray[np.float32]
    west_deg: float
    north_deg: float
    dlon_deg: float
    dlat_deg: float

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        r, c = self.loss_db.shape
        return int(r), int(c)

    @property
    def grid(self) -> RasterGrid:
        """The output grid."""
        rows, cols = self.shape
        return RasterGrid(self.west_deg, self.north_deg, self.dlon_deg, self.dlat_deg, rows, cols)

    @property
    def transform(self) -> Affine:
        """Pixel → (lon, lat) affine transform, rasterio convention."""
        return Affine(self.dlon_deg, 0.0, self.west_deg, 0.0, -self.dlat_deg, self.north_deg)

    def pixel_centres(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Longitudes of column centres and latitudes of row centres (degrees)."""
        return _centres(self.grid)


def _centres(grid: RasterGrid) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lon = grid.west_deg + (np.arange(grid.cols) + 0.5) * grid.dlon_deg
    lat = grid.north_deg - (np.arange(grid.rows) + 0.5) * grid.dlat_deg
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


# --------------------------------------------------------------------------------------
# Validation


def _check_terrain(terrain: TerrainGrid) -> None:
    if not (terrain.is_geographic and is_wgs84_lonlat(terrain.crs_wkt)):
        msg = "the coverage raster needs a WGS 84 longitude/latitude grid (reproject the DEM)"
        raise InputError(msg, path=terrain.source or None, field="crs_wkt")
    if not (terrain.dx > 0.0 and terrain.dy < 0.0):
        msg = f"pixel size must be dx > 0, dy < 0 (north-up), got {terrain.dx}, {terrain.dy}"
        raise InputError(msg, path=terrain.source or None, field="dx/dy")


def _finite(value: float, field: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        msg = f"must be a finite number, got {value!r}"
        raise InputError(msg, field=field)
    return number


def _radius(radius_m: float) -> float:
    radius = _finite(radius_m, "radius_m")
    if not 0.0 < radius <= MAX_RADIUS_M:
        msg = f"must be in (0, {MAX_RADIUS_M:,.0f}] m, got {radius_m!r}"
        raise InputError(msg, field="radius_m")
    return radius


def _site(terrain: TerrainGrid, lon_deg: float, lat_deg: float) -> float:
    """The ground height at the site; raises when the site is off the terrain."""
    lon = _finite(lon_deg, "lon_deg")
    lat = _finite(lat_deg, "lat_deg")
    if not -90.0 <= lat <= 90.0:
        msg = f"must be in [-90, 90], got {lat_deg!r}"
        raise InputError(msg, field="lat_deg")
    value = np.empty(1)
    touched = np.empty(1, dtype=np.bool_)
    outside = np.empty(1, dtype=np.bool_)
    points_kernel(
        np.ascontiguousarray(terrain.elevation_m, dtype=np.float32),
        np.ascontiguousarray(terrain.void, dtype=np.bool_),
        terrain.x0, terrain.y0, terrain.dx, terrain.dy, 360.0,
        np.array([lon]), np.array([lat]), value, touched, outside,
    )  # fmt: skip
    if outside[0] or not math.isfinite(value[0]):
        where = "off the terrain grid" if outside[0] else "on a terrain void"
        west, south, east, north = terrain.bounds
        msg = (
            f"site ({lon:.6f}, {lat:.6f}) is {where} "
            f"(grid bounds W {west:.4f}, S {south:.4f}, E {east:.4f}, N {north:.4f})"
        )
        raise InputError(msg, path=terrain.source or None, field="lon_deg/lat_deg")
    return float(value[0])


_ITM_FIELD = {
    ItmReturnCode.TX_TERMINAL_HEIGHT: "h_tx_m",
    ItmReturnCode.RX_TERMINAL_HEIGHT: "h_rx_m",
    ItmReturnCode.INVALID_RADIO_CLIMATE: "climate",
    ItmReturnCode.INVALID_TIME: "time_pct",
    ItmReturnCode.INVALID_LOCATION: "location_pct",
    ItmReturnCode.INVALID_SITUATION: "situation_pct",
    ItmReturnCode.REFRACTIVITY: "n_0_n_units",
    ItmReturnCode.FREQUENCY: "freq_mhz",
    ItmReturnCode.POLARIZATION: "polarization",
    ItmReturnCode.EPSILON: "epsilon_r",
    ItmReturnCode.SIGMA: "sigma_s_per_m",
    ItmReturnCode.MDVAR: "mdvar",
}


class _Itm(NamedTuple):
    h_tx: float
    h_rx: float
    climate: int
    n_0: float
    f_mhz: float
    pol: int
    epsilon: float
    sigma: float
    mdvar: int
    time: float
    location: float
    situation: float


def _itm_inputs(
    h_tx_m: float,
    h_rx_m: float,
    freq_mhz: float,
    climate: int,
    n_0_n_units: float,
    polarization: int,
    epsilon_r: float,
    sigma_s_per_m: float,
    mdvar: int,
    time_pct: float,
    location_pct: float,
    situation_pct: float,
) -> _Itm:
    """Check the ITM inputs with NTIA's rules (``ValidateInputs.cpp``)."""
    p = _Itm(
        float(h_tx_m), float(h_rx_m), int(climate), float(n_0_n_units), float(freq_mhz),
        int(polarization), float(epsilon_r), float(sigma_s_per_m), int(mdvar),
        float(time_pct), float(location_pct), float(situation_pct),
    )  # fmt: skip
    rc, _warnings = core._validate_inputs(
        p.h_tx, p.h_rx, p.climate, p.time, p.location, p.situation, p.n_0, p.f_mhz, p.pol,
        p.epsilon, p.sigma, p.mdvar,
    )  # fmt: skip
    if rc != core.SUCCESS:
        code = ItmReturnCode(rc)
        field = _ITM_FIELD.get(code, "itm")
        value = {
            "h_tx_m": h_tx_m, "h_rx_m": h_rx_m, "climate": climate, "time_pct": time_pct,
            "location_pct": location_pct, "situation_pct": situation_pct,
            "n_0_n_units": n_0_n_units, "freq_mhz": freq_mhz, "polarization": polarization,
            "epsilon_r": epsilon_r, "sigma_s_per_m": sigma_s_per_m, "mdvar": mdvar,
        }.get(field)  # fmt: skip
        msg = f"ITM rejects {field}={value!r} (NTIA return code {rc}, {code.name})"
        raise InputError(msg, field=field)
    return p


# --------------------------------------------------------------------------------------
# Grids


def _radii_m(lat_deg: float) -> tuple[float, float]:
    """Meridional and prime-vertical radii of curvature (WGS 84), metres."""
    s = math.sin(math.radians(lat_deg))
    w = 1.0 - _E2 * s * s
    n_m = WGS84_A_M / math.sqrt(w)
    return n_m * (1.0 - _E2) / w, n_m


def raster_grid_around(
    terrain: TerrainGrid, *, lon_deg: float, lat_deg: float, radius_m: float, step: int = 1
) -> RasterGrid:
    """The output grid covering a circle, aligned to the DEM and clipped to it.

    Parameters
    ----------
    terrain
        WGS 84 longitude/latitude terrain grid.
    lon_deg, lat_deg
        Centre (the site), degrees.
    radius_m
        Radius to cover, metres.
    step
        DEM pixels per output pixel along each axis (≥ 1); output pixel edges fall on
        DEM pixel edges.

    Returns
    -------
    RasterGrid
        ``(west_deg, north_deg, dlon_deg, dlat_deg, rows, cols)``; may be empty
        (``rows == 0``) when the circle misses the DEM.

    Raises
    ------
    InputError
        Non-geographic terrain, bad centre, radius or step.
    """
    _check_terrain(terrain)
    lon = _finite(lon_deg, "lon_deg")
    lat = _finite(lat_deg, "lat_deg")
    radius = _radius(radius_m)
    if int(step) != step or step < 1:
        msg = f"must be an integer >= 1, got {step!r}"
        raise InputError(msg, field="step")
    step = int(step)
    m_m, n_m = _radii_m(lat)
    half_lat = math.degrees(radius / m_m)
    half_lon = math.degrees(radius / (n_m * max(math.cos(math.radians(lat)), 1e-9)))
    rows_dem, cols_dem = terrain.shape
    dy = -terrain.dy
    col0 = max(0, math.floor((lon - half_lon - terrain.x0) / terrain.dx))
    col1 = min(cols_dem, math.ceil((lon + half_lon - terrain.x0) / terrain.dx))
    row0 = max(0, math.floor((terrain.y0 - (lat + half_lat)) / dy))
    row1 = min(rows_dem, math.ceil((terrain.y0 - (lat - half_lat)) / dy))
    cols = max(0, min(math.ceil((col1 - col0) / step), (cols_dem - col0) // step))
    rows = max(0, min(math.ceil((row1 - row0) / step), (rows_dem - row0) // step))
    return RasterGrid(
        west_deg=terrain.x0 + col0 * terrain.dx,
        north_deg=terrain.y0 - row0 * dy,
        dlon_deg=terrain.dx * step,
        dlat_deg=dy * step,
        rows=int(rows),
        cols=int(cols),
    )


def _check_grid(grid: RasterGrid) -> RasterGrid:
    g = RasterGrid(*grid)
    ok = (
        all(math.isfinite(float(v)) for v in g[:4])
        and g.dlon_deg > 0.0
        and g.dlat_deg > 0.0
        and int(g.rows) >= 0
        and int(g.cols) >= 0
    )
    if not ok:
        msg = f"needs finite edges, positive pixel sizes and non-negative shape, got {grid!r}"
        raise InputError(msg, field="grid")
    return RasterGrid(
        float(g.west_deg), float(g.north_deg), float(g.dlon_deg), float(g.dlat_deg),
        int(g.rows), int(g.cols),
    )  # fmt: skip


def _ground(terrain: TerrainGrid, grid: RasterGrid) -> NDArray[np.float64]:
    out = np.empty((grid.rows, grid.cols))
    rk.ground_kernel(
        np.ascontiguousarray(terrain.elevation_m, dtype=np.float32),
        np.ascontiguousarray(terrain.void, dtype=np.bool_),
        terrain.x0, terrain.y0, terrain.dx, terrain.dy, 360.0,
        grid.west_deg, grid.north_deg, grid.dlon_deg, grid.dlat_deg, out,
    )  # fmt: skip
    return out


# --------------------------------------------------------------------------------------
# Fast raster


def site_loss_raster(
    terrain: TerrainGrid,
    *,
    lon_deg: float,
    lat_deg: float,
    radius_m: float,
    h_tx_m: float,
    h_rx_m: float,
    freq_mhz: float,
    climate: int,
    n_0_n_units: float,
    polarization: int,
    epsilon_r: float,
    sigma_s_per_m: float,
    mdvar: int,
    time_pct: float,
    location_pct: float,
    situation_pct: float,
    step: int = 1,
    grid: RasterGrid | None = None,
    n_rays: int | None = None,
    exact_within: int = DEFAULT_EXACT_WITHIN,
    oversample: int = 1,
    tail_points: int = DEFAULT_TAIL_POINTS,
    dh_exact_max: int = DEFAULT_DH_EXACT_MAX,
    dh_ratio: float = DEFAULT_DH_RATIO,
) -> SiteLossRaster:
    """ITM point-to-point loss from one site to every pixel within a radius (fast).

    Parameters
    ----------
    terrain
        WGS 84 longitude/latitude terrain covering the circle (pixels whose path leaves
        it get NaN).
    lon_deg, lat_deg
        Site, degrees.
    radius_m
        Pixels whose centre is farther than this get NaN, metres (≤ 200 km).
    h_tx_m, h_rx_m
        Antenna heights above ground of the site and of every receiver pixel, metres.
    freq_mhz
        Frequency, MHz (ITM: 20–20000).
    climate, n_0_n_units, polarization, epsilon_r, sigma_s_per_m, mdvar, time_pct, \
location_pct, situation_pct
        ITM inputs, as in :func:`alcance.propagation.itm.itm_p2p_tls_batch` (one value
        each, from the scenario).
    step
        DEM pixels per output pixel (when ``grid`` is not given).
    grid
        Explicit output grid (e.g. shared by several sites); default
        :func:`raster_grid_around` ``(terrain, lon_deg, lat_deg, radius_m, step)``.
    n_rays
        Number of rays; default ``ceil(2π radius / pixel)``, one output pixel of arc at
        the radius.
    exact_within
        Pixels up to this many ray samples from the site get their own straight
        profile, exactly as :func:`site_loss_raster_exact` (cheap: few, short paths).
    dh_exact_max, dh_ratio
        Δh is exact up to ``dh_exact_max`` ray samples from the site; beyond, it is
        interpolated between exact anchors ``ceil(k / dh_ratio)`` samples apart.

    Returns
    -------
    SiteLossRaster

    Raises
    ------
    InputError
        Non-geographic terrain, a site off the terrain or on a void, a radius outside
        (0, 200 km], an ITM input ITM rejects (e.g. a frequency outside 20–20000 MHz),
        a bad grid or tuning parameter.

    Notes
    -----
    The rays are WGS 84 geodesics sampled every ``default_spacing_m(terrain)`` metres
    (bilinear heights); pixel distance and azimuth come from Gauss's mid-latitude
    formulae (within metres and 1e-5 rad of Karney's geodesic at 50 km). Per pixel, the
    ITM inputs are NTIA's ``QuickPfl`` quantities of the ray profile described in the
    module docstring, followed by NTIA's ``LongleyRice`` and ``Variability``
    ([Algorithm] Hufford 1995; NTIA/itm v1.4 ``src/itm_p2p.cpp``, ``QuickPfl.cpp``).

    References
    ----------
    .. [1] NTIA/ITS, Irregular Terrain Model v1.4, ``ITM_P2P_TLS_Ex``.
    .. [2] A. M. Andrew, "Another efficient algorithm for convex hulls in two
       dimensions", Inf. Process. Lett. 9 (1979) (monotone chain).
    """
    _check_terrain(terrain)
    radius = _radius(radius_m)
    itm = _itm_inputs(
        h_tx_m, h_rx_m, freq_mhz, climate, n_0_n_units, polarization, epsilon_r,
        sigma_s_per_m, mdvar, time_pct, location_pct, situation_pct,
    )  # fmt: skip
    z_site = _site(terrain, lon_deg, lat_deg)
    lon0 = float(lon_deg)
    lat0 = float(lat_deg)
    if grid is None:
        grid = raster_grid_around(terrain, lon_deg=lon0, lat_deg=lat0, radius_m=radius, step=step)
    grid = _check_grid(grid)
    if int(exact_within) < 0:
        msg = f"must be >= 0, got {exact_within!r}"
        raise InputError(msg, field="exact_within")
    if int(dh_exact_max) < 2 or not float(dh_ratio) >= 1.0:
        msg = f"need dh_exact_max >= 2 and dh_ratio >= 1, got {dh_exact_max!r}, {dh_ratio!r}"
        raise InputError(msg, field="dh_exact_max/dh_ratio")
    step_m = default_spacing_m(terrain)
    ray_step_m = step_m / int(oversample)
    m_m, n_m = _radii_m(lat0)
    pixel_m = min(
        math.radians(grid.dlat_deg) * m_m,
        math.radians(grid.dlon_deg) * n_m * math.cos(math.radians(lat0)),
    )
    if n_rays is None:
        n_rays = max(8, math.ceil(2.0 * math.pi * radius / max(pixel_m, step_m)))
    if int(n_rays) < 1:
        msg = f"must be >= 1, got {n_rays!r}"
        raise InputError(msg, field="n_rays")
    n_rays = int(n_rays)

    n_pix = grid.rows * grid.cols
    dist = np.empty(n_pix)
    az = np.empty(n_pix)
    ray = np.empty(n_pix, dtype=np.int64)
    k = np.empty(n_pix, dtype=np.int64)
    rk.assign_pixels(
        lon0, lat0, grid.west_deg, grid.north_deg, grid.dlon_deg, grid.dlat_deg, grid.rows,
        grid.cols, radius, ray_step_m, n_rays, dist, az, ray, k,
    )  # fmt: skip
    ground = _ground(terrain, grid)
    flat_ground = ground.reshape(-1)
    loss = np.full(n_pix, np.nan)
    ray_start, order = rk.group_by_ray(ray, flat_ground, n_rays)
    if order.size:
        z = np.ascontiguousarray(terrain.elevation_m, dtype=np.float32)
        void = np.ascontiguousarray(terrain.void, dtype=np.bool_)
        rk.raster_kernel(
            z, void, terrain.x0, terrain.y0, terrain.dx, terrain.dy, 360.0, lon0, lat0,
            z_site, ray_step_m, step_m, n_rays, math.floor(radius / ray_step_m + 0.5), grid.west_deg, grid.north_deg, grid.dlon_deg,
            grid.dlat_deg, grid.cols, ray_start, order, k, dist, az, flat_ground,
            itm.h_tx, itm.h_rx, itm.climate, itm.n_0, itm.f_mhz, itm.pol, itm.epsilon,
            itm.sigma, itm.mdvar, itm.time, itm.location, itm.situation, int(exact_within) * int(oversample),
            int(tail_points),
            int(dh_exact_max),
            float(dh_ratio), DEFAULT_LAMBDA_TOL, loss,
        )  # fmt: skip
    shape = (grid.rows, grid.cols)
    return SiteLossRaster(
        loss_db=loss.reshape(shape).astype(np.float32),
        distance_m=dist.reshape(shape).astype(np.float32),
        azimuth_deg=az.reshape(shape).astype(np.float32),
        ground_m=ground.astype(np.float32),
        west_deg=grid.west_deg,
        north_deg=grid.north_deg,
        dlon_deg=grid.dlon_deg,
        dlat_deg=grid.dlat_deg,
    )


# --------------------------------------------------------------------------------------
# Exact reference


def site_loss_at_exact(
    terrain: TerrainGrid,
    *,
    lon_deg: float,
    lat_deg: float,
    rx_lon_deg: ArrayLike,
    rx_lat_deg: ArrayLike,
    h_tx_m: float,
    h_rx_m: float,
    freq_mhz: float,
    climate: int,
    n_0_n_units: float,
    polarization: int,
    epsilon_r: float,
    sigma_s_per_m: float,
    mdvar: int,
    time_pct: float,
    location_pct: float,
    situation_pct: float,
    spacing_m: float | None = None,
) -> NDArray[np.float64]:
    """Reference ITM p2p loss from the site to given receiver points, one profile each.

    Each profile follows the WGS 84 geodesic site → receiver, sampled by
    :func:`alcance.terrain.sample_profiles` at the DEM spacing
    (:func:`~alcance.terrain.default_spacing_m`, or ``spacing_m``), then
    :func:`alcance.propagation.itm.itm_p2p_tls_batch`. Returns the loss in dB
    (float64, NaN on an ITM error or a profile off the terrain). Inputs and errors as
    in :func:`site_loss_raster`.
    """
    _check_terrain(terrain)
    itm = _itm_inputs(
        h_tx_m, h_rx_m, freq_mhz, climate, n_0_n_units, polarization, epsilon_r,
        sigma_s_per_m, mdvar, time_pct, location_pct, situation_pct,
    )  # fmt: skip
    _site(terrain, lon_deg, lat_deg)
    rx_lon = np.asarray(rx_lon_deg, dtype=np.float64).reshape(-1)
    rx_lat = np.asarray(rx_lat_deg, dtype=np.float64).reshape(-1)
    if rx_lon.shape != rx_lat.shape:
        msg = f"rx_lon_deg {rx_lon.shape} and rx_lat_deg {rx_lat.shape} differ in size"
        raise InputError(msg, field="rx_lon_deg")
    out = np.full(rx_lon.size, np.nan)
    spacing = default_spacing_m(terrain) if spacing_m is None else float(spacing_m)
    if not (math.isfinite(spacing) and spacing > 0.0):
        msg = f"must be a positive finite number, got {spacing_m!r}"
        raise InputError(msg, field="spacing_m")
    for start in range(0, rx_lon.size, _EXACT_CHUNK_PATHS):
        part = slice(start, start + _EXACT_CHUNK_PATHS)
        prof = sample_profiles(
            terrain, lon1_deg=float(lon_deg), lat1_deg=float(lat_deg), lon2_deg=rx_lon[part],
            lat2_deg=rx_lat[part], spacing_m=spacing,
        )  # fmt: skip
        res = itm_p2p_tls_batch(
            elevation_m=prof.elevation_m, n_points=prof.n_points, spacing_m=prof.spacing_m,
            h_tx_m=itm.h_tx, h_rx_m=itm.h_rx, climate=itm.climate, n_0_n_units=itm.n_0,
            freq_mhz=itm.f_mhz, polarization=itm.pol, epsilon_r=itm.epsilon,
            sigma_s_per_m=itm.sigma, mdvar=itm.mdvar, time_pct=itm.time,
            location_pct=itm.location, situation_pct=itm.situation,
        )  # fmt: skip
        out[part] = res.loss_db
    return out


def site_loss_raster_exact(
    terrain: TerrainGrid,
    *,
    lon_deg: float,
    lat_deg: float,
    radius_m: float,
    h_tx_m: float,
    h_rx_m: float,
    freq_mhz: float,
    climate: int,
    n_0_n_units: float,
    polarization: int,
    epsilon_r: float,
    sigma_s_per_m: float,
    mdvar: int,
    time_pct: float,
    location_pct: float,
    situation_pct: float,
    step: int = 1,
    grid: RasterGrid | None = None,
) -> SiteLossRaster:
    """:func:`site_loss_raster` by brute force: one straight profile per pixel centre.

    Distances and azimuths are Karney's geodesic (:func:`alcance.terrain.geodesic_inverse`);
    pixels with ``0 < distance ≤ radius_m`` and finite ground get
    :func:`site_loss_at_exact`. Slow (about 3 µs per path per core at 300 points): for
    tests and error measurement.
    """
    _check_terrain(terrain)
    radius = _radius(radius_m)
    _itm_inputs(
        h_tx_m, h_rx_m, freq_mhz, climate, n_0_n_units, polarization, epsilon_r,
        sigma_s_per_m, mdvar, time_pct, location_pct, situation_pct,
    )  # fmt: skip
    _site(terrain, lon_deg, lat_deg)
    if grid is None:
        grid = raster_grid_around(
            terrain, lon_deg=lon_deg, lat_deg=lat_deg, radius_m=radius, step=step
        )
    grid = _check_grid(grid)
    lon_c, lat_c = _centres(grid)
    lon2, lat2 = np.meshgrid(lon_c, lat_c)
    inv = geodesic_inverse(
        lon1_deg=float(lon_deg), lat1_deg=float(lat_deg), lon2_deg=lon2.reshape(-1),
        lat2_deg=lat2.reshape(-1),
    )  # fmt: skip
    ground = _ground(terrain, grid)
    dist = inv.distance_m
    use = (dist <= radius) & (dist > 0.0) & np.isfinite(ground.reshape(-1))
    loss = np.full(dist.size, np.nan)
    loss[use] = site_loss_at_exact(
        terrain, lon_deg=lon_deg, lat_deg=lat_deg, rx_lon_deg=lon2.reshape(-1)[use],
        rx_lat_deg=lat2.reshape(-1)[use], h_tx_m=h_tx_m, h_rx_m=h_rx_m, freq_mhz=freq_mhz,
        climate=climate, n_0_n_units=n_0_n_units, polarization=polarization,
        epsilon_r=epsilon_r, sigma_s_per_m=sigma_s_per_m, mdvar=mdvar, time_pct=time_pct,
        location_pct=location_pct, situation_pct=situation_pct,
    )  # fmt: skip
    shape = (grid.rows, grid.cols)
    return SiteLossRaster(
        loss_db=loss.reshape(shape).astype(np.float32),
        distance_m=dist.reshape(shape).astype(np.float32),
        azimuth_deg=(inv.azimuth_deg.reshape(shape) % 360.0).astype(np.float32),
        ground_m=ground.astype(np.float32),
        west_deg=grid.west_deg,
        north_deg=grid.north_deg,
        dlon_deg=grid.dlon_deg,
        dlat_deg=grid.dlat_deg,
    )
