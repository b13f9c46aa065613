"""Windowed reading of one raster or a mosaic of aligned tiles (private).

Shared by :mod:`alcance.io.terrain` (DEMs) and :mod:`alcance.io.population`. Every
rasterio/GDAL failure becomes an :class:`~alcance.errors.InputError` naming the file
(and band); rasterio's ``NotGeoreferencedWarning`` becomes an error too.

Grid conventions: the mosaic grid is north-up, ``x0, y0`` is the outer north-west
corner, pixel ``(r, c)`` spans ``[x0 + c dx, x0 + (c + 1) dx] × [y0 + (r + 1) dy,
y0 + r dy]`` with ``dx > 0 > dy``. Tiles must share the CRS, the pixel size and the
pixel alignment; overlapping tiles (e.g. SRTM tiles sharing an edge row/column) are
resolved pixel by pixel: the first tile in path order with valid data wins.
"""

from __future__ import annotations

import math
import os
import warnings
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeAlias

import numpy as np
import rasterio
from numpy.typing import NDArray
from rasterio.errors import CRSError, NotGeoreferencedWarning, RasterioError
from rasterio.windows import Window

from alcance.errors import InputError
from alcance.terrain._crs import bounds_to_grid, bounds_to_lonlat, crs_from_wkt, lonlat_to_grid

try:  # rasterio >= 1.4 exposes GDAL's error classes here
    from rasterio._err import CPLE_BaseError
except ImportError:  # pragma: no cover - older rasterio
    CPLE_BaseError = RasterioError

__all__ = [
    "MAX_READ_PIXELS",
    "RASTER_SUFFIXES",
    "MosaicBacked",
    "PathInput",
    "PixelWindow",
    "RasterMosaic",
    "WindowData",
    "check_box",
    "raster_errors",
    "resolve_paths",
]

PathInput: TypeAlias = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
"""One raster path, a directory of rasters, or a sequence of paths."""

RASTER_SUFFIXES = frozenset({".tif", ".tiff", ".hgt"})
"""File suffixes picked up from a directory (case-insensitive)."""
MAX_READ_PIXELS = 400_000_000
"""Largest window a single read may return (≈ 1.6 GB as float32)."""

_RASTER_ERRORS: tuple[type[BaseException], ...] = (RasterioError, CPLE_BaseError, CRSError)
_ALIGN_TOLERANCE_PIXELS = 1e-3
_RESOLUTION_RTOL = 1e-9
_EDGE_TOLERANCE_PIXELS = 1e-9
_MAX_OPEN_DATASETS = 16


@contextmanager
def raster_errors(path: Path, *, doing: str, field: str | None = None) -> Iterator[None]:
    """Turn rasterio/GDAL errors and georeferencing warnings into :class:`InputError`.

    Parameters
    ----------
    path
        File being read (named in the message).
    doing
        What was being done, for the message ("open", "read").
    field
        Band or attribute concerned, if any.

    Raises
    ------
    InputError
        On any rasterio/GDAL error or a ``NotGeoreferencedWarning``; other warnings
        raised inside are re-issued unchanged.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except _RASTER_ERRORS as exc:
            msg = f"cannot {doing} as a raster: {_describe(exc)}"
            raise InputError(msg, path=path, field=field) from exc
    for record in caught:
        if issubclass(record.category, NotGeoreferencedWarning):
            msg = "not georeferenced (no geotransform): the raster's position on Earth is unknown"
            raise InputError(msg, path=path)
    for record in caught:
        warnings.warn_explicit(
            record.message, record.category, record.filename, record.lineno, source=record.source
        )


def _describe(exc: BaseException) -> str:
    """The messages of an exception and of the GDAL errors chained under it."""
    parts: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(parts) < 4:
        text = str(current).strip()
        if text and "see previous exception" not in text.lower() and text not in parts:
            parts.append(text)
        current = current.__cause__ or current.__context__
    return "; ".join(parts) or type(exc).__name__


def _expand_directory(directory: Path) -> list[Path]:
    found = sorted(
        p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in RASTER_SUFFIXES
    )
    if not found:
        suffixes = ", ".join(sorted(RASTER_SUFFIXES))
        msg = f"directory holds no raster files ({suffixes})"
        raise InputError(msg, path=directory)
    return found


def resolve_paths(paths: PathInput) -> tuple[Path, ...]:
    """Turn one path, a directory or a sequence of paths into existing raster files.

    Raises
    ------
    InputError
        Empty input, a missing file or a directory without rasters.
    """
    items: list[str | os.PathLike[str]]
    if isinstance(paths, str | os.PathLike):
        items = [paths]
    else:
        try:
            items = list(paths)
        except TypeError as exc:
            msg = f"expected a path or a sequence of paths, got {type(paths).__name__}"
            raise InputError(msg, field="paths") from exc
    if not items:
        msg = "no raster path given"
        raise InputError(msg, field="paths")
    resolved: list[Path] = []
    for item in items:
        if not isinstance(item, str | os.PathLike):
            msg = f"expected a path, got {type(item).__name__}"
            raise InputError(msg, field="paths")
        path = Path(item)
        if path.is_dir():
            resolved.extend(_expand_directory(path))
        elif path.is_file():
            resolved.append(path)
        else:
            msg = "file not found"
            raise InputError(msg, path=path)
    unique: dict[Path, Path] = {}
    for path in resolved:
        unique.setdefault(path.resolve(), path)
    return tuple(unique.values())


@dataclass(frozen=True, slots=True)
class _Tile:
    """Metadata of one raster file, validated."""

    path: Path
    width: int
    height: int
    x0: float
    y0: float
    dx: float
    dy: float
    crs: Any  # rasterio.crs.CRS
    crs_wkt: str
    nodata: float | None
    dtype: str
    col_off: int = 0
    row_off: int = 0


def _inspect(path: Path) -> _Tile:
    """Open ``path``, check it is a usable north-up georeferenced raster, close it."""
    with raster_errors(path, doing="open"), rasterio.open(path) as dataset:
        count = int(dataset.count)
        if count < 1:
            subdatasets = list(dataset.subdatasets)
            hint = f"; open one of its subdatasets: {subdatasets[:4]}" if subdatasets else ""
            msg = f"has no raster band (band 1 is required){hint}"
            raise InputError(msg, path=path, field="band 1")
        dtype = str(dataset.dtypes[0])
        if np.issubdtype(np.dtype(dtype), np.complexfloating):
            msg = f"band 1 holds complex numbers ({dtype}); expected real values"
            raise InputError(msg, path=path, field="band 1")
        if dataset.crs is None or not dataset.crs.to_wkt():
            msg = (
                "has no coordinate reference system (CRS); set one, e.g. "
                "`gdal_edit.py -a_srs EPSG:4326 FILE`"
            )
            raise InputError(msg, path=path, field="crs")
        crs = dataset.crs
        crs_wkt = crs.to_wkt()
        transform = dataset.transform
        nodata = dataset.nodata
        width, height = int(dataset.width), int(dataset.height)
        has_gcps = bool(dataset.gcps[0])
    try:
        parsed = crs_from_wkt(crs_wkt)
    except InputError as exc:
        raise InputError(str(exc).split(": ", 1)[-1], path=path, field="crs") from exc
    coefficients = (transform.a, transform.b, transform.c, transform.d, transform.e, transform.f)
    if transform.is_identity:
        how = "ground control points only" if has_gcps else "no geotransform"
        msg = f"not georeferenced by a geotransform ({how}); warp it with gdalwarp first"
        raise InputError(msg, path=path)
    if not all(math.isfinite(v) for v in coefficients):
        msg = f"invalid geotransform {coefficients}"
        raise InputError(msg, path=path)
    if transform.b != 0.0 or transform.d != 0.0:
        msg = (
            f"rotated or skewed geotransform (b={transform.b}, d={transform.d}); "
            "only north-up rasters are supported — warp it with gdalwarp first"
        )
        raise InputError(msg, path=path)
    if not (transform.a > 0.0 and transform.e < 0.0):
        msg = (
            f"pixel size dx={transform.a}, dy={transform.e}: only north-up rasters "
            "(dx > 0, dy < 0) are supported — warp it with gdalwarp first"
        )
        raise InputError(msg, path=path)
    if parsed.is_geographic:
        north = transform.f
        south = transform.f + height * transform.e
        slack = abs(transform.e)
        if north > 90.0 + slack or south < -90.0 - slack:
            msg = f"latitudes {south:.6f}…{north:.6f} extend beyond ±90°"
            raise InputError(msg, path=path)
    if nodata is not None and not math.isnan(nodata):
        nodata = float(nodata)
    return _Tile(
        path=path,
        width=width,
        height=height,
        x0=float(transform.c),
        y0=float(transform.f),
        dx=float(transform.a),
        dy=float(transform.e),
        crs=crs,
        crs_wkt=crs_wkt,
        nodata=None if nodata is None else float(nodata),
        dtype=dtype,
    )


@dataclass(frozen=True, slots=True)
class PixelWindow:
    """Rows ``[row0, row1)`` and columns ``[col0, col1)`` of the mosaic grid."""

    row0: int
    row1: int
    col0: int
    col1: int

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)``."""
        return self.row1 - self.row0, self.col1 - self.col0

    @property
    def size(self) -> int:
        """Number of pixels."""
        rows, cols = self.shape
        return rows * cols

    def grown(self, pixels: int, *, height: int, width: int) -> PixelWindow:
        """This window grown by ``pixels`` on every side, clipped to the grid."""
        return PixelWindow(
            max(0, self.row0 - pixels),
            min(height, self.row1 + pixels),
            max(0, self.col0 - pixels),
            min(width, self.col1 + pixels),
        )


@dataclass(frozen=True, slots=True)
class WindowData:
    """Values of a mosaic window (see :meth:`RasterMosaic.read_window`)."""

    values: NDArray[np.floating[Any]]
    """Pixel values; NaN at nodata and where no tile covers the pixel."""
    nodata: NDArray[np.bool_]
    """``True`` where a tile covers the pixel but has no data there."""
    covered: NDArray[np.bool_]
    """``True`` where at least one tile covers the pixel."""
    sources: tuple[str, ...]
    """Names of the files read."""


class RasterMosaic:
    """One raster or several aligned tiles seen as one grid, read window by window.

    Parameters
    ----------
    paths
        Raster files (already resolved by :func:`resolve_paths`).
    void_value
        A value treated as nodata in every tile, besides each tile's declared nodata
        value and NaN (e.g. the SRTM void value -32768 for DEMs).

    Raises
    ------
    InputError
        A file cannot be opened or is unusable, or the tiles do not share the CRS,
        the pixel size or the pixel alignment.
    """

    def __init__(self, paths: Sequence[Path], *, void_value: float | None = None) -> None:
        self._void_value = void_value
        tiles = [_inspect(path) for path in paths]
        reference = tiles[0]
        aligned: list[_Tile] = []
        for tile in tiles:
            aligned.append(self._align(reference, tile))
        min_col = min(t.col_off for t in aligned)
        min_row = min(t.row_off for t in aligned)
        self._tiles = tuple(
            replace(t, col_off=t.col_off - min_col, row_off=t.row_off - min_row) for t in aligned
        )
        west_tile = min(self._tiles, key=lambda t: t.col_off)
        north_tile = min(self._tiles, key=lambda t: t.row_off)
        self.x0 = west_tile.x0
        self.y0 = north_tile.y0
        self.dx = reference.dx
        self.dy = reference.dy
        self.width = max(t.col_off + t.width for t in self._tiles)
        self.height = max(t.row_off + t.height for t in self._tiles)
        self.crs_wkt = reference.crs_wkt
        self.is_geographic = bool(crs_from_wkt(reference.crs_wkt).is_geographic)
        self.paths = tuple(t.path for t in self._tiles)
        self._open: OrderedDict[Path, Any] = OrderedDict()

    @staticmethod
    def _align(reference: _Tile, tile: _Tile) -> _Tile:
        if tile is reference:
            return tile
        if tile.crs != reference.crs:
            msg = (
                f"CRS differs from '{reference.path.name}' "
                f"({tile.crs.to_string()} vs {reference.crs.to_string()}); "
                "all tiles of a mosaic must share one CRS"
            )
            raise InputError(msg, path=tile.path, field="crs")
        for name, a, b in (("dx", tile.dx, reference.dx), ("dy", tile.dy, reference.dy)):
            if abs(a - b) > _RESOLUTION_RTOL * abs(b):
                msg = (
                    f"pixel size {name}={a!r} differs from {b!r} in '{reference.path.name}'; "
                    "all tiles of a mosaic must share one resolution"
                )
                raise InputError(msg, path=tile.path, field="resolution")
        col = (tile.x0 - reference.x0) / reference.dx
        row = (tile.y0 - reference.y0) / reference.dy
        if (
            abs(col - round(col)) > _ALIGN_TOLERANCE_PIXELS
            or abs(row - round(row)) > _ALIGN_TOLERANCE_PIXELS
        ):
            msg = (
                f"pixel grid is offset by ({col % 1:.4f}, {row % 1:.4f}) pixels from "
                f"'{reference.path.name}'; all tiles of a mosaic must be aligned"
            )
            raise InputError(msg, path=tile.path, field="transform")
        return replace(tile, col_off=round(col), row_off=round(row))

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without open file handles (e.g. to ship a DEM to Dask workers)."""
        state = dict(self.__dict__)
        state["_open"] = OrderedDict()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # -- geometry -----------------------------------------------------------------

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Outer edges ``(west, south, east, north)`` of the union, CRS units."""
        return (
            self.x0,
            self.y0 + self.height * self.dy,
            self.x0 + self.width * self.dx,
            self.y0,
        )

    def tile_bounds(self) -> NDArray[np.float64]:
        """Outer edges ``(west, south, east, north)`` of each tile, shape ``(n, 4)``."""
        out = np.empty((len(self._tiles), 4))
        for i, t in enumerate(self._tiles):
            out[i] = (
                self.x0 + t.col_off * self.dx,
                self.y0 + (t.row_off + t.height) * self.dy,
                self.x0 + (t.col_off + t.width) * self.dx,
                self.y0 + t.row_off * self.dy,
            )
        return out

    def wrap_x(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Shift geographic longitudes by multiples of 360° into ``[x0, x0 + 360)``."""
        if not self.is_geographic:
            return x
        out = np.array(x, dtype=np.float64)
        shift = (out < self.x0) | (out >= self.x0 + 360.0)
        out[shift] = out[shift] - 360.0 * np.floor((out[shift] - self.x0) / 360.0)
        return out

    def lonlat_to_xy(
        self, lon_deg: NDArray[np.float64], lat_deg: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """WGS 84 lon/lat → grid x/y (longitudes wrapped for geographic grids)."""
        x, y = lonlat_to_grid(self.crs_wkt, lon_deg, lat_deg)
        return self.wrap_x(x), y

    def covers_xy(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.bool_]:
        """``True`` where grid point ``(x, y)`` lies on a tile (edges included)."""
        inside = np.zeros(x.shape, dtype=np.bool_)
        for west, south, east, north in self.tile_bounds():
            inside |= (x >= west) & (x <= east) & (y >= south) & (y <= north)
        return inside

    def window_for_box(
        self, west: float, south: float, east: float, north: float
    ) -> PixelWindow | None:
        """Pixels intersecting a lon/lat box (degrees), or ``None`` if it misses the grid."""
        if self.is_geographic and west > east:
            east += 360.0  # box across the antimeridian
        x_min, y_min, x_max, y_max = bounds_to_grid(self.crs_wkt, west, south, east, north)
        if not all(math.isfinite(v) for v in (x_min, y_min, x_max, y_max)):
            return None
        if self.is_geographic:
            grid_west, _, grid_east, _ = self.bounds
            turns = round((0.5 * (grid_west + grid_east) - 0.5 * (x_min + x_max)) / 360.0)
            x_min += 360.0 * turns
            x_max += 360.0 * turns
        eps = _EDGE_TOLERANCE_PIXELS
        col0 = math.floor((x_min - self.x0) / self.dx + eps)
        col1 = math.ceil((x_max - self.x0) / self.dx - eps)
        row0 = math.floor((y_max - self.y0) / self.dy + eps)
        row1 = math.ceil((y_min - self.y0) / self.dy - eps)
        col1 = max(col1, col0 + 1)
        row1 = max(row1, row0 + 1)
        if col1 <= 0 or row1 <= 0 or col0 >= self.width or row0 >= self.height:
            return None
        return PixelWindow(
            max(row0, 0), min(row1, self.height), max(col0, 0), min(col1, self.width)
        )

    # -- reading ------------------------------------------------------------------

    def _dataset(self, path: Path) -> Any:
        dataset = self._open.get(path)
        if dataset is not None:
            self._open.move_to_end(path)
            return dataset
        with raster_errors(path, doing="open"):
            dataset = rasterio.open(path)
        self._open[path] = dataset
        while len(self._open) > _MAX_OPEN_DATASETS:
            _, oldest = self._open.popitem(last=False)
            oldest.close()
        return dataset

    def read_window(self, window: PixelWindow, *, dtype: type[np.floating[Any]]) -> WindowData:
        """Read a window of the mosaic grid from every tile that touches it.

        Parameters
        ----------
        window
            Rows/columns of the mosaic grid (inside the grid).
        dtype
            Floating dtype of the returned values.

        Raises
        ------
        InputError
            A tile cannot be read (corrupt or truncated file).
        """
        shape = window.shape
        values = np.full(shape, np.nan, dtype=dtype)
        valid = np.zeros(shape, dtype=np.bool_)
        covered = np.zeros(shape, dtype=np.bool_)
        sources: list[str] = []
        for tile in self._tiles:
            r0 = max(window.row0, tile.row_off)
            r1 = min(window.row1, tile.row_off + tile.height)
            c0 = max(window.col0, tile.col_off)
            c1 = min(window.col1, tile.col_off + tile.width)
            if r0 >= r1 or c0 >= c1:
                continue
            dataset = self._dataset(tile.path)
            tile_window = Window(c0 - tile.col_off, r0 - tile.row_off, c1 - c0, r1 - r0)
            with raster_errors(tile.path, doing="read", field="band 1"):
                raw = np.asarray(dataset.read(1, window=tile_window, masked=False))
            if raw.shape != (r1 - r0, c1 - c0):
                msg = f"read returned shape {raw.shape}, expected {(r1 - r0, c1 - c0)}"
                raise InputError(msg, path=tile.path, field="band 1")
            good = np.ones(raw.shape, dtype=np.bool_)
            if tile.nodata is not None:
                good &= ~(np.isnan(raw) if math.isnan(tile.nodata) else raw == tile.nodata)
            if np.issubdtype(raw.dtype, np.floating):
                good &= ~np.isnan(raw)
            if self._void_value is not None:
                good &= raw != self._void_value
            part = (
                slice(r0 - window.row0, r1 - window.row0),
                slice(c0 - window.col0, c1 - window.col0),
            )
            take = good & ~valid[part]
            values[part][take] = raw[take]
            valid[part] |= good
            covered[part] = True
            sources.append(tile.path.name)
        return WindowData(
            values=values, nodata=covered & ~valid, covered=covered, sources=tuple(sources)
        )

    def close(self) -> None:
        """Close every open file (reads reopen them as needed)."""
        while self._open:
            _, dataset = self._open.popitem()
            dataset.close()


def check_box(
    west: float, south: float, east: float, north: float
) -> tuple[float, float, float, float]:
    """Validate a lon/lat box in degrees; return it as floats.

    Raises
    ------
    InputError
        A non-numeric or non-finite edge, or not ``-90 <= south <= north <= 90``.
    """
    values = {"west": west, "south": south, "east": east, "north": north}
    for name, value in values.items():
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            msg = f"expected a number of degrees, got {value!r}"
            raise InputError(msg, field=name) from exc
        if not math.isfinite(number):
            msg = f"expected a finite number of degrees, got {value!r}"
            raise InputError(msg, field=name)
    w, s, e, n = (float(v) for v in values.values())
    if not (-90.0 <= s <= n <= 90.0):
        msg = f"need -90 <= south <= north <= 90, got south={s}, north={n}"
        raise InputError(msg, field="south/north")
    return w, s, e, n


class MosaicBacked:
    """Shared face of the rasters read through a :class:`RasterMosaic` (DEM, population).

    Context manager; metadata properties read from the mosaic without touching pixels.
    """

    _mosaic: RasterMosaic

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying files (a later read reopens them)."""
        self._mosaic.close()

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Outer edges ``(west, south, east, north)``, CRS units."""
        return self._mosaic.bounds

    @property
    def bounds_deg(self) -> tuple[float, float, float, float]:
        """:attr:`bounds` as a WGS 84 lon/lat box, degrees (enclosing, when projected)."""
        return bounds_to_lonlat(self.crs_wkt, *self._mosaic.bounds)

    @property
    def resolution(self) -> tuple[float, float]:
        """Pixel width and height ``(dx, dy)``, CRS units, both positive (like rasterio)."""
        return self._mosaic.dx, -self._mosaic.dy

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the grid."""
        return self._mosaic.height, self._mosaic.width

    @property
    def crs_wkt(self) -> str:
        """CRS as WKT."""
        return self._mosaic.crs_wkt

    @property
    def is_geographic(self) -> bool:
        """``True`` for a lon/lat raster."""
        return self._mosaic.is_geographic
