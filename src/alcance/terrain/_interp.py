"""Numba kernels: bilinear interpolation on a north-up grid (private).

Conventions (shared with :class:`alcance.terrain.TerrainGrid`): pixel ``(r, c)`` has its
centre at ``(x0 + (c + 0.5) dx, y0 + (r + 0.5) dy)``; values are interpolated between
the four surrounding pixel centres. A point within :data:`SNAP_PIXELS` of a pixel
centre (along an axis) is snapped onto it, so a point on a centre returns exactly that
pixel's value. Points in the half-pixel rim between the outermost centres and the
grid's outer edge take the edge values (constant extrapolation along that axis);
points beyond the outer edge are *outside* (NaN).
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange
from numpy.typing import NDArray

from alcance.terrain._jit import jit

__all__ = ["SNAP_PIXELS", "points_kernel", "profiles_kernel"]

SNAP_PIXELS = 1e-6
"""Distance (in pixels, per axis) under which a coordinate snaps onto a pixel centre."""
_EDGE_TOLERANCE_PIXELS = 1e-9


@jit()
def _axis(position: float, size: int) -> tuple[int, int, float]:
    """Lower index, upper index and fraction of a pixel-centre coordinate on one axis."""
    nearest = float(math.floor(position + 0.5))
    if abs(position - nearest) <= SNAP_PIXELS:
        position = nearest
    if position <= 0.0:
        return 0, 0, 0.0
    if position >= size - 1:
        return size - 1, size - 1, 0.0
    low = math.floor(position)
    return low, low + 1, position - low


@jit()
def bilinear_one(
    z: NDArray[np.float32],
    void: NDArray[np.bool_],
    x0: float,
    y0: float,
    dx: float,
    dy: float,
    wrap: float,
    x: float,
    y: float,
) -> tuple[float, bool, bool]:
    """Value at ``(x, y)``, whether a contributing pixel is void, whether outside."""
    rows, cols = z.shape
    if wrap > 0.0 and (x < x0 or x >= x0 + wrap):
        x = x - wrap * math.floor((x - x0) / wrap)
    col = (x - x0) / dx - 0.5
    row = (y - y0) / dy - 0.5
    lo = -0.5 - _EDGE_TOLERANCE_PIXELS
    if not (lo <= col <= cols - 0.5 + _EDGE_TOLERANCE_PIXELS) or not (
        lo <= row <= rows - 0.5 + _EDGE_TOLERANCE_PIXELS
    ):
        return math.nan, False, True
    c0, c1, fx = _axis(col, cols)
    r0, r1, fy = _axis(row, rows)
    value = 0.0
    touched = False
    w = (1.0 - fx) * (1.0 - fy)
    if w > 0.0:
        value += w * z[r0, c0]
        touched = touched or void[r0, c0]
    w = fx * (1.0 - fy)
    if w > 0.0:
        value += w * z[r0, c1]
        touched = touched or void[r0, c1]
    w = (1.0 - fx) * fy
    if w > 0.0:
        value += w * z[r1, c0]
        touched = touched or void[r1, c0]
    w = fx * fy
    if w > 0.0:
        value += w * z[r1, c1]
        touched = touched or void[r1, c1]
    return value, touched, False


@jit(parallel=True)
def points_kernel(
    z: NDArray[np.float32],
    void: NDArray[np.bool_],
    x0: float,
    y0: float,
    dx: float,
    dy: float,
    wrap: float,
    xs: NDArray[np.float64],
    ys: NDArray[np.float64],
    out_value: NDArray[np.float64],
    out_void: NDArray[np.bool_],
    out_outside: NDArray[np.bool_],
) -> None:
    """Bilinear values at scattered points (1-D arrays of equal length)."""
    for i in prange(xs.shape[0]):
        value, touched, outside = bilinear_one(z, void, x0, y0, dx, dy, wrap, xs[i], ys[i])
        out_value[i] = value
        out_void[i] = touched
        out_outside[i] = outside


@jit(parallel=True)
def profiles_kernel(
    z: NDArray[np.float32],
    void: NDArray[np.bool_],
    x0: float,
    y0: float,
    dx: float,
    dy: float,
    wrap: float,
    xs: NDArray[np.float64],
    ys: NDArray[np.float64],
    offsets: NDArray[np.int64],
    n_points: NDArray[np.int64],
    out_elevation: NDArray[np.float64],
    out_void_points: NDArray[np.int64],
    out_outside: NDArray[np.bool_],
) -> None:
    """Bilinear values along flattened paths, written into padded rows.

    Path ``i`` reads ``n_points[i]`` points from ``xs/ys[offsets[i]:]`` and writes
    ``out_elevation[i, :n_points[i]]`` (the rest of the row is left untouched).
    """
    for i in prange(offsets.shape[0]):
        o = offsets[i]
        voids = 0
        outside_any = False
        for k in range(n_points[i]):
            value, touched, outside = bilinear_one(
                z, void, x0, y0, dx, dy, wrap, xs[o + k], ys[o + k]
            )
            out_elevation[i, k] = value
            if touched:
                voids += 1
            if outside:
                outside_any = True
        out_void_points[i] = voids
        out_outside[i] = outside_any
