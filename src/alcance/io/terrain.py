"""Digital elevation models: one GeoTIFF/``.hgt`` file or many tiles as one lazy mosaic.

>>> with open_dem("srtm3/") as dem:                       # doctest: +SKIP
...     grid = dem.read(-77.2, -12.2, -76.6, -11.7)       # lon/lat box, degrees
...     profiles = alcance.terrain.sample_profiles(grid, lon1_deg=..., ...)

Nothing is read when the DEM is opened (only each file's header); :meth:`Dem.read`
reads exactly the pixels covering a box, from whichever tiles touch it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from alcance.errors import InputError
from alcance.io._raster import (
    MAX_READ_PIXELS,
    MosaicBacked,
    PathInput,
    PixelWindow,
    RasterMosaic,
    check_box,
    resolve_paths,
)
from alcance.terrain._validate import broadcast_coordinates
from alcance.terrain.grid import TerrainGrid
from alcance.terrain.voids import fill_voids

__all__ = ["FILL_CONTEXT_PIXELS", "MAX_READ_PIXELS", "SRTM_VOID_M", "Dem", "open_dem"]

SRTM_VOID_M = -32768.0
"""SRTM void value; always treated as a void, whatever nodata value a file declares
(no real elevation takes it: the deepest ocean trench is at -11,000 m)."""
FILL_CONTEXT_PIXELS = 64
"""Extra pixels read around a window (and then dropped) to interpolate its voids."""
_SAMPLE_BLOCK_PIXELS = 256


def open_dem(paths: PathInput, *, fill_voids: bool = True) -> Dem:
    """Open a DEM: one raster, several aligned tiles, or a directory of tiles.

    Parameters
    ----------
    paths
        A GeoTIFF or SRTM ``.hgt`` file (any raster GDAL reads), a sequence of them,
        or a directory (every ``.tif``, ``.tiff`` and ``.hgt`` inside, not recursive).
        Several files behave as one mosaic.
    fill_voids
        Fill void pixels (the file's nodata value, NaN, and always -32768, the SRTM
        void value) by harmonic interpolation on every read
        (``True``), or return them as NaN (``False``). Either way
        :attr:`TerrainGrid.void` flags them.

    Returns
    -------
    Dem
        A lazily read DEM; use it as a context manager or call :meth:`Dem.close`.

    Raises
    ------
    InputError
        Naming the file (and band or field): missing file, not a raster, no or an
        unknown CRS, a rotated/skewed or south-up geotransform, no raster band, or
        tiles with different CRS, resolution or alignment.
    """
    mosaic = RasterMosaic(resolve_paths(paths), void_value=SRTM_VOID_M)
    return Dem(mosaic, fill_voids=fill_voids)


class Dem(MosaicBacked):
    """A DEM (one file or a mosaic of tiles) read window by window.

    Created by :func:`open_dem`. Not thread-safe: give each thread its own ``Dem``.

    Attributes
    ----------
    paths
        The files of the mosaic, in the order they are read.
    fill_voids
        Whether reads fill voids (see :func:`open_dem`).
    """

    def __init__(self, mosaic: RasterMosaic, *, fill_voids: bool) -> None:
        self._mosaic = mosaic
        self.paths: tuple[Path, ...] = mosaic.paths
        self.fill_voids = bool(fill_voids)

    def __repr__(self) -> str:
        names = ", ".join(p.name for p in self.paths[:4])
        more = f", … ({len(self.paths)} files)" if len(self.paths) > 4 else ""
        return f"Dem([{names}{more}], shape={self.shape}, bounds={self.bounds})"

    # -- queries ------------------------------------------------------------------

    def covers(self, lon_deg: ArrayLike, lat_deg: ArrayLike) -> NDArray[np.bool_]:
        """Whether each WGS 84 point lies on a tile of the DEM (edges included).

        Parameters
        ----------
        lon_deg, lat_deg
            Points, degrees (scalars or 1-D arrays).

        Returns
        -------
        ndarray of bool
            One flag per point (1-D).
        """
        lon, lat = broadcast_coordinates(
            {"lon_deg": lon_deg, "lat_deg": lat_deg}, latitude_fields=("lat_deg",)
        )
        x, y = self._mosaic.lonlat_to_xy(lon, lat)
        return self._mosaic.covers_xy(x, y)

    def read(
        self,
        west: float,
        south: float,
        east: float,
        north: float,
        *,
        margin_pixels: int = 2,
        max_pixels: int = MAX_READ_PIXELS,
    ) -> TerrainGrid:
        """Read the pixels covering a lon/lat box (plus a margin) as a terrain grid.

        Parameters
        ----------
        west, south, east, north
            WGS 84 box, degrees. ``west > east`` means a box across the antimeridian.
            For a projected DEM the box is transformed (edges densified) first.
        margin_pixels
            Extra pixels on every side (>= 0), so that bilinear interpolation near
            the box edge has neighbours; clipped at the DEM's edge.
        max_pixels
            Refuse windows larger than this (default 400 million pixels).

        Returns
        -------
        TerrainGrid
            float32 elevations on the DEM's own pixel grid, with ``void`` flags.
            Voids are filled (harmonic interpolation from the window plus
            :data:`FILL_CONTEXT_PIXELS` around it) or NaN, as chosen in
            :func:`open_dem`; pixels no tile covers (gaps in a mosaic) are NaN and
            flagged void. Never the nodata value itself.

        Raises
        ------
        InputError
            Bad box, a box entirely off the DEM, a window above ``max_pixels``
            (split the area), or a file that fails to read.
        """
        box = check_box(west, south, east, north)
        if int(margin_pixels) < 0:
            msg = f"must be >= 0, got {margin_pixels}"
            raise InputError(msg, field="margin_pixels")
        window = self._mosaic.window_for_box(*box)
        if window is None:
            w, s, e, n = self.bounds_deg
            msg = (
                f"box west={west}, south={south}, east={east}, north={north} lies outside "
                f"the DEM ({w:.6f}, {s:.6f}, {e:.6f}, {n:.6f})"
            )
            raise InputError(msg, path=self._source_label(), field="bounds")
        window = window.grown(int(margin_pixels), height=self.shape[0], width=self.shape[1])
        return self._read_window(window, max_pixels=max_pixels)

    def read_all(self, *, max_pixels: int = MAX_READ_PIXELS) -> TerrainGrid:
        """Read the whole mosaic (guarded by ``max_pixels`` like :meth:`read`)."""
        rows, cols = self.shape
        return self._read_window(PixelWindow(0, rows, 0, cols), max_pixels=max_pixels)

    def sample(self, lon_deg: ArrayLike, lat_deg: ArrayLike) -> NDArray[np.float64]:
        """Value of the pixel containing each WGS 84 point (nearest pixel, no interpolation).

        Parameters
        ----------
        lon_deg, lat_deg
            Points, degrees (scalars or 1-D arrays).

        Returns
        -------
        ndarray
            Elevation, metres, float64; NaN off the DEM. Void pixels are filled as in
            :meth:`read` (or NaN when the DEM was opened with ``fill_voids=False``).
        """
        lon, lat = broadcast_coordinates(
            {"lon_deg": lon_deg, "lat_deg": lat_deg}, latitude_fields=("lat_deg",)
        )
        mosaic = self._mosaic
        x, y = mosaic.lonlat_to_xy(lon, lat)
        out = np.full(lon.size, np.nan)
        on = mosaic.covers_xy(x, y)
        if not on.any():
            return out
        rows, cols = self.shape
        index_on = np.flatnonzero(on)
        col = np.clip(np.floor((x[on] - mosaic.x0) / mosaic.dx), 0, cols - 1).astype(np.int64)
        row = np.clip(np.floor((y[on] - mosaic.y0) / mosaic.dy), 0, rows - 1).astype(np.int64)
        blocks_per_row = cols // _SAMPLE_BLOCK_PIXELS + 1
        block = (row // _SAMPLE_BLOCK_PIXELS) * blocks_per_row + col // _SAMPLE_BLOCK_PIXELS
        holes: list[NDArray[np.int64]] = []
        order = np.argsort(block, kind="stable")
        _, starts = np.unique(block[order], return_index=True)
        for members in np.split(order, starts[1:]):
            r, c = row[members], col[members]
            r0, c0 = int(r.min()), int(c.min())
            window = PixelWindow(r0, int(r.max()) + 1, c0, int(c.max()) + 1)
            data = mosaic.read_window(window, dtype=np.float64)
            out[index_on[members]] = data.values[r - r0, c - c0]
            holes.append(members[data.nodata[r - r0, c - c0]])
        if self.fill_voids:
            for k in np.concatenate(holes).tolist():
                r0, c0 = int(row[k]), int(col[k])
                grid = self._read_window(PixelWindow(r0, r0 + 1, c0, c0 + 1), max_pixels=1)
                out[index_on[k]] = float(grid.elevation_m[0, 0])
        return out

    # -- internals ----------------------------------------------------------------

    def _source_label(self) -> str:
        if len(self.paths) == 1:
            return str(self.paths[0])
        return f"{self.paths[0].parent}/ ({len(self.paths)} tiles)"

    def _read_window(self, window: PixelWindow, *, max_pixels: int) -> TerrainGrid:
        mosaic = self._mosaic
        if window.size > max_pixels:
            rows, cols = window.shape
            msg = (
                f"the requested window is {rows:,} × {cols:,} = {window.size:,} pixels, more "
                f"than the limit of {max_pixels:,}; split the area into smaller boxes"
            )
            raise InputError(msg, path=self._source_label(), field="bounds")
        context = window
        if self.fill_voids:
            context = window.grown(FILL_CONTEXT_PIXELS, height=self.shape[0], width=self.shape[1])
        data = mosaic.read_window(context, dtype=np.float32)
        values: NDArray[np.floating] = data.values
        if self.fill_voids and data.nodata.any():
            values = fill_voids(values, data.nodata, domain=data.covered)
        inner = (
            slice(window.row0 - context.row0, window.row1 - context.row0),
            slice(window.col0 - context.col0, window.col1 - context.col0),
        )
        elevation = np.ascontiguousarray(values[inner], dtype=np.float32)
        void = np.ascontiguousarray((data.nodata | ~data.covered)[inner])
        return TerrainGrid(
            elevation_m=elevation,
            void=void,
            x0=mosaic.x0 + window.col0 * mosaic.dx,
            y0=mosaic.y0 + window.row0 * mosaic.dy,
            dx=mosaic.dx,
            dy=mosaic.dy,
            crs_wkt=mosaic.crs_wkt,
            is_geographic=mosaic.is_geographic,
            source=", ".join(data.sources) or self._source_label(),
        )
