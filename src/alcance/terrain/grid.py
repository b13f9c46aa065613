"""The in-memory terrain window that every terrain kernel works on (pure data, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["TerrainGrid"]


@dataclass(frozen=True, slots=True, eq=False)
class TerrainGrid:
    """A regular, north-up elevation grid held in memory.

    Produced by :meth:`alcance.io.Dem.read` (a windowed read of one DEM or a mosaic of
    tiles); consumed by the pure kernels in :mod:`alcance.terrain`.

    Attributes
    ----------
    elevation_m
        Elevation above the geoid, metres, shape ``(rows, cols)``, float32. Voids are
        either filled by interpolation (``void`` says where) or NaN.
    void
        ``True`` where the source DEM had no data, same shape as ``elevation_m``.
    x0, y0
        Grid-CRS coordinates of the outer north-west corner of pixel ``(0, 0)``
        (degrees for a geographic grid). Pixel ``(r, c)`` has its centre at
        ``(x0 + (c + 0.5) * dx, y0 + (r + 0.5) * dy)``.
    dx, dy
        Pixel size in grid-CRS units; ``dx > 0``, ``dy < 0`` (north-up).
    crs_wkt
        CRS of the grid as WKT.
    is_geographic
        ``True`` when the grid CRS is geographic (x = longitude, y = latitude, degrees).
    source
        Human-readable origin (file names) for messages.
    """

    elevation_m: NDArray[np.float32]
    void: NDArray[np.bool_]
    x0: float
    y0: float
    dx: float
    dy: float
    crs_wkt: str
    is_geographic: bool
    source: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)``."""
        rows, cols = self.elevation_m.shape
        return int(rows), int(cols)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Outer edges ``(west, south, east, north)`` in grid-CRS units."""
        rows, cols = self.shape
        return (self.x0, self.y0 + rows * self.dy, self.x0 + cols * self.dx, self.y0)
