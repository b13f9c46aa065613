"""Filling DEM voids by harmonic (Laplace) interpolation (pure: arrays in, arrays out)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, sparse
from scipy.sparse import linalg as sparse_linalg

from alcance.errors import InputError

__all__ = ["fill_voids"]

_FOUR_NEIGHBOURS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)


def fill_voids(
    elevation_m: NDArray[np.floating],
    void: NDArray[np.bool_],
    *,
    domain: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """Fill void pixels with the harmonic interpolant of the surrounding valid pixels.

    Parameters
    ----------
    elevation_m
        Elevation grid, metres, 2-D; values at void pixels are ignored.
    void
        ``True`` at pixels to fill, same shape.
    domain
        ``True`` where the grid has data at all (e.g. covered by a DEM tile); pixels
        outside it are neither filled nor used, and act as a no-flux border like the
        grid's edge. Default: everywhere.

    Returns
    -------
    ndarray
        float64 copy of ``elevation_m`` with every void pixel that is 4-connected to a
        valid pixel filled; voids with no valid neighbour anywhere in their connected
        region (and pixels outside ``domain``) are NaN.

    Raises
    ------
    InputError
        Shapes differ or are not 2-D.

    Notes
    -----
    Each filled pixel equals the mean of its in-domain 4-neighbours (discrete Laplace
    equation ``∇²z = 0`` with the valid pixels as Dirichlet boundary), solved as one
    sparse linear system. By the discrete maximum principle every filled value lies
    between the smallest and the largest valid pixel bordering its void region, so no
    spurious peaks or pits are created. Laplace/spline-type interpolators were among
    the most accurate void fillers for SRTM in the comparison of Reuter et al. [1]_.

    References
    ----------
    .. [1] H. I. Reuter, A. Nelson, A. Jarvis, "An evaluation of void-filling
       interpolation methods for SRTM data", Int. J. Geogr. Inf. Sci. 21(9), 983–1008
       (2007), doi:10.1080/13658810601169899.
    """
    z = np.array(elevation_m, dtype=np.float64)
    holes = np.asarray(void, dtype=np.bool_)
    inside = np.ones_like(holes) if domain is None else np.asarray(domain, dtype=np.bool_)
    if z.ndim != 2 or holes.shape != z.shape or inside.shape != z.shape:
        msg = (
            f"elevation {z.shape}, void {holes.shape} and domain {inside.shape} "
            "must be equal 2-D shapes"
        )
        raise InputError(msg, field="void")
    z[~inside] = np.nan
    unknown = holes & inside
    if not unknown.any():
        return z
    z[unknown] = np.nan
    known = inside & ~holes
    labels, n_regions = ndimage.label(unknown, structure=_FOUR_NEIGHBOURS)
    touches_known = np.zeros(n_regions + 1, dtype=bool)
    next_to_known = ndimage.binary_dilation(known, structure=_FOUR_NEIGHBOURS) & unknown
    touches_known[labels[next_to_known]] = True
    solvable = unknown & touches_known[labels]
    n_unknowns = int(solvable.sum())
    if n_unknowns == 0:
        return z
    index = np.full(z.shape, -1, dtype=np.int64)
    index[solvable] = np.arange(n_unknowns)
    rows_u, cols_u = np.nonzero(solvable)
    diagonal = np.zeros(n_unknowns)
    rhs = np.zeros(n_unknowns)
    off_rows: list[NDArray[np.int64]] = []
    off_cols: list[NDArray[np.int64]] = []
    n_rows, n_cols = z.shape
    for d_row, d_col in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        r = rows_u + d_row
        c = cols_u + d_col
        in_grid = (r >= 0) & (r < n_rows) & (c >= 0) & (c < n_cols)
        me = np.flatnonzero(in_grid)
        r, c = r[in_grid], c[in_grid]
        neighbour_inside = inside[r, c]
        me, r, c = me[neighbour_inside], r[neighbour_inside], c[neighbour_inside]
        diagonal[me] += 1.0
        neighbour_index = index[r, c]
        is_unknown = neighbour_index >= 0
        off_rows.append(me[is_unknown])
        off_cols.append(neighbour_index[is_unknown])
        np.add.at(rhs, me[~is_unknown], z[r[~is_unknown], c[~is_unknown]])
    rows_all = np.concatenate([np.arange(n_unknowns), *off_rows])
    cols_all = np.concatenate([np.arange(n_unknowns), *off_cols])
    values = np.concatenate([diagonal, -np.ones(sum(a.size for a in off_rows))])
    matrix = sparse.csc_matrix((values, (rows_all, cols_all)), shape=(n_unknowns, n_unknowns))
    solution = sparse_linalg.spsolve(matrix, rhs)
    z[rows_u, cols_u] = solution
    return z
