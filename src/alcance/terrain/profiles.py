"""Terrain profiles along many geodesic paths at once (pure: arrays in, arrays out).

:func:`sample_profiles` divides each path into equal intervals no longer than the
sampling spacing, places the points on the WGS 84 geodesic (Karney's series) and
interpolates the grid bilinearly at each point, in chunks so that memory stays bounded.
The result, :class:`Profiles`, converts to the ``pfl`` layout of the NTIA Irregular
Terrain Model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from alcance.errors import InputError
from alcance.terrain._crs import is_wgs84_lonlat, linear_unit_m, lonlat_to_grid
from alcance.terrain._interp import points_kernel, profiles_kernel
from alcance.terrain._karney import WGS84_A_M, WGS84_F, flat_path_points, profile_node_stride
from alcance.terrain._validate import broadcast_coordinates
from alcance.terrain.geodesic import geodesic_inverse
from alcance.terrain.grid import TerrainGrid

__all__ = [
    "MAX_PROFILE_CELLS",
    "PointSamples",
    "Profiles",
    "default_spacing_m",
    "sample_points",
    "sample_profiles",
]

MAX_PROFILE_CELLS = 500_000_000
"""Largest ``n_paths * max_points`` :func:`sample_profiles` accepts (4 GB of float64)."""
_DEFAULT_CHUNK_POINTS = 2_000_000
_E2 = WGS84_F * (2.0 - WGS84_F)


@dataclass(frozen=True, slots=True, eq=False)
class Profiles:
    """Terrain profiles of many paths, NaN-padded to a common length.

    Attributes
    ----------
    elevation_m
        Ground elevation, metres, shape ``(n_paths, max_points)``, float64; row ``i``
        holds ``n_points[i]`` values from the first end to the second, then NaN.
        NaN inside a profile means the point is off the grid or on an unfilled void.
    n_points
        Points per path (``n_intervals + 1 >= 2``), int64.
    spacing_m
        Distance between consecutive points of each path, metres, float64.
    distance_m
        Geodesic length of each path, metres, float64 (``(n_points - 1) * spacing_m``).
    void_points
        Number of points per path whose interpolation used a void pixel (filled or
        NaN), int64.
    outside
        ``True`` for paths with at least one point off the grid, bool.
    """

    elevation_m: NDArray[np.float64]
    n_points: NDArray[np.int64]
    spacing_m: NDArray[np.float64]
    distance_m: NDArray[np.float64]
    void_points: NDArray[np.int64]
    outside: NDArray[np.bool_]

    @property
    def n_paths(self) -> int:
        """Number of paths."""
        return int(self.n_points.size)

    @property
    def max_points(self) -> int:
        """Width of :attr:`elevation_m` (points of the longest path)."""
        return int(self.elevation_m.shape[1])

    def _check_index(self, i: int) -> int:
        index = int(i)
        if not -self.n_paths <= index < self.n_paths:
            msg = f"path index {i} out of range for {self.n_paths} paths"
            raise InputError(msg, field="i")
        return index % self.n_paths

    def elevation_of(self, i: int) -> NDArray[np.float64]:
        """Elevations of path ``i`` without padding, metres."""
        index = self._check_index(i)
        return self.elevation_m[index, : int(self.n_points[index])].copy()

    def distances_along_m(self, i: int) -> NDArray[np.float64]:
        """Distance of each point of path ``i`` from its first end, metres."""
        index = self._check_index(i)
        step_m = float(self.spacing_m[index])
        return np.arange(int(self.n_points[index]), dtype=np.float64) * step_m

    def to_pfl(self, i: int) -> NDArray[np.float64]:
        """Path ``i`` in NTIA ITM's ``pfl`` layout ``[n_intervals, spacing_m, z_0 … z_n]``.

        Parameters
        ----------
        i
            Path index (negative counts from the end).

        Returns
        -------
        ndarray
            float64, length ``n_points[i] + 2``.

        References
        ----------
        .. [1] NTIA/ITS, Irregular Terrain Model v1.4, ``ITM_P2P_TLS``: argument
           ``pfl`` — ``pfl[0]`` number of intervals, ``pfl[1]`` spacing (m),
           ``pfl[2:]`` elevations (m).
        """
        index = self._check_index(i)
        count = int(self.n_points[index])
        out = np.empty(count + 2, dtype=np.float64)
        out[0] = count - 1
        out[1] = self.spacing_m[index]
        out[2:] = self.elevation_m[index, :count]
        return out

    def pfl_array(self) -> NDArray[np.float64]:
        """All paths in ``pfl`` layout, shape ``(n_paths, max_points + 2)``, NaN-padded."""
        out = np.full((self.n_paths, self.max_points + 2), np.nan)
        out[:, 0] = self.n_points - 1
        out[:, 1] = self.spacing_m
        out[:, 2:] = self.elevation_m
        return out

    @classmethod
    def from_pfl(cls, pfl: ArrayLike) -> Profiles:
        """Build profiles from ``pfl`` rows (the inverse of :meth:`pfl_array`).

        Parameters
        ----------
        pfl
            One ``pfl`` vector or a 2-D array of them, NaN-padded.

        Returns
        -------
        Profiles
            ``void_points`` is 0 (unknown from a ``pfl``) and ``outside`` is ``True``
            where a profile contains NaN.

        Raises
        ------
        InputError
            Bad shape, a non-integer or < 1 interval count, a non-positive spacing, or
            a row too short for its interval count.
        """
        array = np.atleast_2d(np.asarray(pfl, dtype=np.float64))
        if array.ndim != 2 or array.shape[1] < 4:
            msg = f"expected rows [n, spacing_m, z_0 … z_n] with n >= 1, got shape {array.shape}"
            raise InputError(msg, field="pfl")
        n_intervals = array[:, 0]
        spacing = array[:, 1]
        width = array.shape[1] - 2
        for row, (n, xi) in enumerate(zip(n_intervals, spacing, strict=True), start=1):
            if not (np.isfinite(n) and n == math.floor(n) and 1 <= n <= width - 1):
                msg = f"interval count {n} must be an integer in [1, {width - 1}]"
                raise InputError(msg, row=row, field="pfl[0]")
            if not (np.isfinite(xi) and xi > 0.0):
                msg = f"spacing {xi} m must be positive"
                raise InputError(msg, row=row, field="pfl[1]")
        n_points = n_intervals.astype(np.int64) + 1
        elevation = np.full((array.shape[0], int(n_points.max())), np.nan)
        for row in range(array.shape[0]):
            elevation[row, : n_points[row]] = array[row, 2 : 2 + n_points[row]]
        outside = np.isnan(elevation).sum(axis=1) > (elevation.shape[1] - n_points)
        return cls(
            elevation_m=elevation,
            n_points=n_points,
            spacing_m=spacing.copy(),
            distance_m=spacing * (n_points - 1),
            void_points=np.zeros(array.shape[0], dtype=np.int64),
            outside=outside,
        )


class PointSamples(NamedTuple):
    """Result of :func:`sample_points` (1-D arrays, one entry per point)."""

    elevation_m: NDArray[np.float64]
    """Bilinear elevation, metres; NaN off the grid or on an unfilled void."""
    void: NDArray[np.bool_]
    """``True`` where a void pixel contributed."""
    outside: NDArray[np.bool_]
    """``True`` where the point is off the grid."""


def default_spacing_m(grid: TerrainGrid) -> float:
    """The grid's pixel size in metres (the smaller axis): the default profile spacing.

    Parameters
    ----------
    grid
        Terrain grid.

    Returns
    -------
    float
        For a geographic grid, ``min(dx · N cos φ, |dy| · M)`` in radians·metres at the
        grid's mid-latitude φ, with ``N`` and ``M`` the WGS 84 prime-vertical and
        meridional radii of curvature; for a projected grid, ``min(dx, |dy|)`` converted
        to metres.

    Notes
    -----
    ``M = a (1 − e²) / (1 − e² sin²φ)^{3/2}``, ``N = a / (1 − e² sin²φ)^{1/2}``
    (e.g. NIMA TR8350.2 3rd ed. eqs. (4-17), (4-18)); for SRTM 3″ at 12° S this gives
    90.6 m (east–west) and 92.2 m (north–south).
    """
    if not grid.is_geographic:
        return min(grid.dx, abs(grid.dy)) * linear_unit_m(grid.crs_wkt)
    _, south, _, north = grid.bounds
    lat_rad = math.radians(max(-90.0, min(90.0, 0.5 * (south + north))))
    w = 1.0 - _E2 * math.sin(lat_rad) ** 2
    meridional_m = WGS84_A_M * (1.0 - _E2) / w**1.5
    prime_vertical_m = WGS84_A_M / math.sqrt(w)
    dy_m = math.radians(abs(grid.dy)) * meridional_m
    dx_m = math.radians(grid.dx) * prime_vertical_m * math.cos(lat_rad)
    return float(min(dx_m, dy_m)) if dx_m > 0.0 else float(dy_m)


def _grid_parts(
    grid: TerrainGrid,
) -> tuple[NDArray[np.float32], NDArray[np.bool_], float]:
    """Contiguous elevation and void arrays and the longitude wrap period."""
    z = np.ascontiguousarray(grid.elevation_m, dtype=np.float32)
    void = np.ascontiguousarray(grid.void, dtype=np.bool_)
    if z.ndim != 2 or z.shape != void.shape or z.size == 0:
        msg = f"elevation {z.shape} and void {void.shape} must be equal, non-empty 2-D shapes"
        raise InputError(msg, path=grid.source or None, field="elevation_m")
    if not (grid.dx > 0.0 and grid.dy < 0.0 and math.isfinite(grid.dx * grid.dy)):
        msg = f"pixel size must be dx > 0, dy < 0 (north-up), got dx={grid.dx}, dy={grid.dy}"
        raise InputError(msg, path=grid.source or None, field="dx/dy")
    return z, void, 360.0 if grid.is_geographic else 0.0


def _to_grid_xy(
    grid: TerrainGrid, lon_deg: NDArray[np.float64], lat_deg: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if grid.is_geographic and is_wgs84_lonlat(grid.crs_wkt):
        return lon_deg, lat_deg
    return lonlat_to_grid(grid.crs_wkt, lon_deg, lat_deg)


def sample_points(grid: TerrainGrid, *, lon_deg: ArrayLike, lat_deg: ArrayLike) -> PointSamples:
    """Bilinear elevation of the grid at scattered points.

    Parameters
    ----------
    grid
        Terrain grid (any CRS; points are transformed from WGS 84 when needed).
    lon_deg, lat_deg
        WGS 84 points, degrees (scalars or 1-D arrays).

    Returns
    -------
    PointSamples
        ``elevation_m`` (metres, float64), ``void`` and ``outside`` flags.

    Raises
    ------
    InputError
        Bad coordinates or a malformed grid.

    Notes
    -----
    A point on a pixel centre returns exactly that pixel's value (coordinates within
    1e-6 pixel of a centre are snapped onto it); see :mod:`alcance.terrain._interp`.
    """
    lon, lat = broadcast_coordinates(
        {"lon_deg": lon_deg, "lat_deg": lat_deg}, latitude_fields=("lat_deg",)
    )
    z, void, wrap = _grid_parts(grid)
    xs, ys = _to_grid_xy(grid, lon, lat)
    value = np.empty(lon.size, dtype=np.float64)
    touched = np.empty(lon.size, dtype=np.bool_)
    outside = np.empty(lon.size, dtype=np.bool_)
    points_kernel(
        z, void, grid.x0, grid.y0, grid.dx, grid.dy, wrap, xs, ys, value, touched, outside
    )
    return PointSamples(elevation_m=value, void=touched, outside=outside)


def _spacing_per_path(
    spacing_m: ArrayLike | None, grid: TerrainGrid, n_paths: int
) -> NDArray[np.float64]:
    if spacing_m is None:
        spacing = np.full(n_paths, default_spacing_m(grid))
    else:
        (spacing,) = broadcast_coordinates({"spacing_m": spacing_m}, latitude_fields=())
        if spacing.size not in (1, n_paths):
            msg = f"has {spacing.size} elements for {n_paths} paths"
            raise InputError(msg, field="spacing_m")
        spacing = np.ascontiguousarray(np.broadcast_to(spacing, (n_paths,)))
    if not (spacing > 0.0).all():
        first = int(np.flatnonzero(~(spacing > 0.0))[0])
        msg = f"must be > 0 m, element {first} is {spacing[first]}"
        raise InputError(msg, field="spacing_m")
    return spacing


def sample_profiles(
    grid: TerrainGrid,
    *,
    lon1_deg: ArrayLike,
    lat1_deg: ArrayLike,
    lon2_deg: ArrayLike,
    lat2_deg: ArrayLike,
    spacing_m: ArrayLike | None = None,
    chunk_points: int = _DEFAULT_CHUNK_POINTS,
) -> Profiles:
    """Terrain profiles along the WGS 84 geodesics between many point pairs.

    Parameters
    ----------
    grid
        Terrain grid covering the paths (e.g. from :meth:`alcance.io.terrain.Dem.read`).
    lon1_deg, lat1_deg
        First ends (e.g. towers), degrees; scalars or 1-D arrays, broadcast together.
    lon2_deg, lat2_deg
        Second ends (e.g. schools), degrees.
    spacing_m
        Largest distance between profile points, metres (scalar or one per path).
        Default: :func:`default_spacing_m` (the grid's pixel size).
    chunk_points
        Profile points generated per batch; bounds the temporary memory
        (about 40 bytes per point) without changing the result.

    Returns
    -------
    Profiles
        Path ``i`` is divided into ``n = max(1, ceil(distance / spacing))`` equal
        intervals; its ``n + 1`` points include both ends exactly.

    Raises
    ------
    InputError
        Bad coordinates or spacing, a malformed grid, or an output larger than
        :data:`MAX_PROFILE_CELLS` (use a coarser spacing or fewer paths per call).

    Notes
    -----
    Distances and start azimuths come from :func:`alcance.terrain.geodesic_inverse`
    (Karney 2013 [1]_); the points from Karney's direct series; elevations from
    bilinear interpolation between pixel centres (exact on a centre). For a grid in
    another CRS the points are transformed with pyproj first. Points off the grid are
    NaN and set :attr:`Profiles.outside`.

    References
    ----------
    .. [1] C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 43–55 (2013).
    .. [2] ITU-R P.1812-6 Annex 1 §4 / NTIA ITM ``pfl``: profile points at equal
       spacing from transmitter to receiver, both terminals included.
    """
    lon1, lat1, lon2, lat2 = broadcast_coordinates(
        {"lon1_deg": lon1_deg, "lat1_deg": lat1_deg, "lon2_deg": lon2_deg, "lat2_deg": lat2_deg},
        latitude_fields=("lat1_deg", "lat2_deg"),
    )
    if int(chunk_points) < 1:
        msg = f"must be >= 1, got {chunk_points}"
        raise InputError(msg, field="chunk_points")
    z, void, wrap = _grid_parts(grid)
    n_paths = lon1.size
    inverse = geodesic_inverse(lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2)
    distance = inverse.distance_m
    spacing_max = _spacing_per_path(spacing_m, grid, n_paths)
    n_intervals = np.maximum(1, np.ceil(distance / spacing_max - 1e-9)).astype(np.int64)
    n_points = n_intervals + 1
    width = int(n_points.max()) if n_paths else 0
    if n_paths * width > MAX_PROFILE_CELLS:
        msg = (
            f"{n_paths} paths × {width} points exceed {MAX_PROFILE_CELLS:,} profile cells; "
            "use a coarser spacing_m or fewer (shorter) paths per call"
        )
        raise InputError(msg, field="spacing_m")
    elevation = np.full((n_paths, width), np.nan)
    void_points = np.zeros(n_paths, dtype=np.int64)
    outside = np.zeros(n_paths, dtype=np.bool_)
    ends = np.cumsum(n_points)
    start = 0
    while start < n_paths:
        base = ends[start - 1] if start else 0
        stop = int(np.searchsorted(ends, base + int(chunk_points), side="right"))
        stop = min(n_paths, max(stop, start + 1))
        part = slice(start, stop)
        flat_lon, flat_lat, offsets = flat_path_points(
            lon1_deg=lon1[part], lat1_deg=lat1[part], lon2_deg=lon2[part], lat2_deg=lat2[part],
            azimuth_deg=inverse.azimuth_deg[part], distance_m=distance[part],
            n_intervals=n_intervals[part],
            node_stride=profile_node_stride(
                distance[part] / n_intervals[part],
                np.maximum(np.abs(lat1[part]), np.abs(lat2[part])),
            ),
        )  # fmt: skip
        xs, ys = _to_grid_xy(grid, flat_lon, flat_lat)
        profiles_kernel(
            z, void, grid.x0, grid.y0, grid.dx, grid.dy, wrap, xs, ys, offsets,
            n_points[part], elevation[part], void_points[part], outside[part],
        )  # fmt: skip
        start = stop
    return Profiles(
        elevation_m=elevation,
        n_points=n_points,
        spacing_m=distance / n_intervals,
        distance_m=distance,
        void_points=void_points,
        outside=outside,
    )
