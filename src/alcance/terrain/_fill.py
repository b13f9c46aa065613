"""One terrain profile along a geodesic, filled in place (Numba, for fused kernels).

Shared by the kernels that sample a profile and use it at once without storing the
batch (:mod:`alcance.coverage._fused` for ITM, :mod:`alcance.backhaul._clearance` for
microwave clearance). Karney's direct problem is solved only at nodes every
``node_stride`` intervals; points between are straight in lon/lat (the bound is in
:func:`alcance.terrain._karney.profile_node_stride`). Both ends are the exact inputs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from alcance.terrain._interp import bilinear_one
from alcance.terrain._karney import _ang_normalize, _line_position, _line_setup


@njit(cache=True, error_model="numpy")
def fill_geodesic_profile(
    prof: npt.NDArray[np.float64],
    z: npt.NDArray[np.float32],
    void: npt.NDArray[np.bool_],
    x0: float,
    y0: float,
    dx: float,
    dy: float,
    wrap: float,
    lon1: float,
    lat1: float,
    lon2: float,
    lat2: float,
    azi1: float,
    distance_m: float,
    m: int,
    node_stride: int,
) -> tuple[bool, bool]:
    """Fill ``prof[0..m]`` with the bilinear elevation of ``m`` equal intervals.

    Returns ``(outside, touched_void)``: a point off the grid or NaN, and a point
    whose interpolation used a void pixel.
    """
    outside = False
    touched = False
    v, t, out = bilinear_one(z, void, x0, y0, dx, dy, wrap, lon1, lat1)
    prof[0] = v
    outside = outside or out or not np.isfinite(v)
    touched = touched or t
    if m >= 2:
        line = _line_setup(lat1, azi1)
        step_m = distance_m / m
        lon0 = _ang_normalize(lon1)
        lat_a = lat1
        lon_a = 0.0
        k_a = 0
        while k_a < m - 1:
            k_b = min(k_a + node_stride, m - 1)
            lat_b, lon_b = _line_position(line, k_b * step_m)
            span = k_b - k_a
            for k in range(k_a + 1, k_b + 1):
                f = (k - k_a) / span
                la = lat_a + f * (lat_b - lat_a)
                lo = _ang_normalize(lon0 + lon_a + f * (lon_b - lon_a))
                v, t, out = bilinear_one(z, void, x0, y0, dx, dy, wrap, lo, la)
                prof[k] = v
                outside = outside or out or not np.isfinite(v)
                touched = touched or t
            lat_a = lat_b
            lon_a = lon_b
            k_a = k_b
    v, t, out = bilinear_one(z, void, x0, y0, dx, dy, wrap, lon2, lat2)
    prof[m] = v
    outside = outside or out or not np.isfinite(v)
    touched = touched or t
    return outside, touched
