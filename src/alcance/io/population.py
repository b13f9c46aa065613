"""Population rasters (WorldPop-style GeoTIFF of persons per pixel), read window by window.

>>> with read_population_raster("per_ppp_2020.tif") as pop:     # doctest: +SKIP
...     pop.total_in(-77.2, -12.2, -76.6, -11.7)                 # persons in a box
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from affine import Affine
from numpy.typing import NDArray

from alcance.errors import InputError
from alcance.io._raster import (
    MAX_READ_PIXELS,
    MosaicBacked,
    PixelWindow,
    RasterMosaic,
    check_box,
    resolve_paths,
)
from alcance.terrain._crs import bounds_to_grid

__all__ = ["PopulationRaster", "PopulationWindow", "read_population_raster"]


@dataclass(frozen=True, slots=True, eq=False)
class PopulationWindow:
    """A window of a population raster.

    Attributes
    ----------
    persons
        Persons per pixel, float64, shape ``(rows, cols)``; nodata pixels hold 0.
    nodata
        ``True`` where the raster has no data (counted as 0 persons).
    x0, y0
        Grid-CRS coordinates of the outer north-west corner of pixel ``(0, 0)``.
    dx, dy
        Pixel size in grid-CRS units (``dx > 0``, ``dy < 0``).
    crs_wkt
        CRS of the raster as WKT.
    """

    persons: NDArray[np.float64]
    nodata: NDArray[np.bool_]
    x0: float
    y0: float
    dx: float
    dy: float
    crs_wkt: str

    @property
    def transform(self) -> Affine:
        """The window's affine geotransform (rasterio convention)."""
        return Affine(self.dx, 0.0, self.x0, 0.0, self.dy, self.y0)

    @property
    def nodata_count(self) -> int:
        """Number of nodata pixels."""
        return int(self.nodata.sum())

    @property
    def total_persons(self) -> float:
        """Sum of persons over the window (nodata counts as 0)."""
        return float(self.persons.sum())


def read_population_raster(path: str | os.PathLike[str]) -> PopulationRaster:
    """Open a population raster (persons per pixel, band 1) for windowed reads.

    Parameters
    ----------
    path
        A GeoTIFF (or any raster GDAL reads) of persons per pixel, e.g. WorldPop
        "ppp" or GHSL population counts.

    Returns
    -------
    PopulationRaster
        Use it as a context manager or call :meth:`PopulationRaster.close`.

    Raises
    ------
    InputError
        Naming the file: missing, not a raster, no or unknown CRS, rotated
        geotransform, no band (see :func:`alcance.io.terrain.open_dem`).
    """
    if not isinstance(path, str | os.PathLike):
        msg = f"expected one path, got {type(path).__name__}"
        raise InputError(msg, field="path")
    return PopulationRaster(RasterMosaic(resolve_paths(path)))


class PopulationRaster(MosaicBacked):
    """A population raster read window by window. Not thread-safe.

    Attributes
    ----------
    path
        The file.
    """

    def __init__(self, mosaic: RasterMosaic) -> None:
        if len(mosaic.paths) != 1:
            msg = f"expected one population raster, got {len(mosaic.paths)} files"
            raise InputError(msg, path=mosaic.paths[0].parent)
        self._mosaic = mosaic
        self.path: Path = mosaic.paths[0]

    def __repr__(self) -> str:
        return f"PopulationRaster('{self.path.name}', shape={self.shape})"

    def read(
        self,
        west: float,
        south: float,
        east: float,
        north: float,
        *,
        max_pixels: int = MAX_READ_PIXELS,
    ) -> PopulationWindow:
        """Read the pixels intersecting a WGS 84 lon/lat box.

        Parameters
        ----------
        west, south, east, north
            Box, degrees (``west > east`` crosses the antimeridian).
        max_pixels
            Refuse windows larger than this.

        Returns
        -------
        PopulationWindow
            Persons per pixel (nodata → 0, flagged in ``nodata``).

        Raises
        ------
        InputError
            Bad or off-raster box, a window above ``max_pixels``, a read failure,
            or a negative or infinite population value (naming file and band).
        """
        window = self._window(west, south, east, north)
        if window.size > max_pixels:
            msg = (
                f"the requested window has {window.size:,} pixels, more than the limit of "
                f"{max_pixels:,}; split the area into smaller boxes"
            )
            raise InputError(msg, path=self.path, field="bounds")
        data = self._mosaic.read_window(window, dtype=np.float64)
        persons = data.values
        missing = data.nodata | ~data.covered
        bad = ~missing & ((persons < 0.0) | ~np.isfinite(persons))
        if bad.any():
            row, col = (int(v[0]) for v in np.nonzero(bad))
            value = persons[row, col]
            msg = (
                f"population value {value} at pixel (row {window.row0 + row}, "
                f"col {window.col0 + col}) is not a finite count >= 0"
            )
            raise InputError(msg, path=self.path, field="band 1")
        counts = np.where(missing, 0.0, persons).astype(np.float64)
        mosaic = self._mosaic
        return PopulationWindow(
            persons=counts,
            nodata=missing,
            x0=mosaic.x0 + window.col0 * mosaic.dx,
            y0=mosaic.y0 + window.row0 * mosaic.dy,
            dx=mosaic.dx,
            dy=mosaic.dy,
            crs_wkt=mosaic.crs_wkt,
        )

    def total_in(self, west: float, south: float, east: float, north: float) -> float:
        """Persons in the pixels whose centres lie inside a WGS 84 lon/lat box.

        Parameters
        ----------
        west, south, east, north
            Box, degrees. For a projected raster the box is transformed to the
            raster's CRS (enclosing box, edges densified) before selecting centres.

        Returns
        -------
        float
            Sum of persons (nodata pixels count as 0).
        """
        window = self.read(west, south, east, north)
        x_min, y_min, x_max, y_max = self._grid_box(west, south, east, north)
        rows, cols = window.persons.shape
        x = window.x0 + (np.arange(cols, dtype=np.float64) + 0.5) * window.dx
        y = window.y0 + (np.arange(rows, dtype=np.float64) + 0.5) * window.dy
        if self.is_geographic:
            x = self._mosaic.wrap_x(x)
            turns = round((float(x.mean()) - 0.5 * (x_min + x_max)) / 360.0)
            x_min, x_max = x_min + 360.0 * turns, x_max + 360.0 * turns
        in_x = (x >= x_min) & (x <= x_max)
        in_y = (y >= y_min) & (y <= y_max)
        return float(window.persons[np.ix_(in_y, in_x)].sum())

    def _grid_box(
        self, west: float, south: float, east: float, north: float
    ) -> tuple[float, float, float, float]:
        if self.is_geographic and west > east:
            east += 360.0
        return bounds_to_grid(self.crs_wkt, west, south, east, north)

    def _window(self, west: float, south: float, east: float, north: float) -> PixelWindow:
        west, south, east, north = check_box(west, south, east, north)
        window = self._mosaic.window_for_box(west, south, east, north)
        if window is None:
            w, s, e, n = self.bounds_deg
            msg = f"box lies outside the raster ({w:.6f}, {s:.6f}, {e:.6f}, {n:.6f})"
            raise InputError(msg, path=self.path, field="bounds")
        return window
