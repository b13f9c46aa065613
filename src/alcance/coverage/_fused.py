"""Fused terrain profile + NTIA ITM kernel for many tower → school links (Numba).

The same computation as :func:`alcance.terrain.sample_profiles` followed by
:func:`alcance.propagation.itm.itm_p2p_tls_batch` — identical points (the same Karney
nodes and interpolation), identical bilinear samples, identical ITM — but each link's
profile lives in a per-task scratch buffer instead of a NaN-padded
``(links, max_points)`` array, so memory traffic no longer dominates. WGS 84
longitude/latitude grids only; callers fall back to the two-step path otherwise.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from alcance.propagation import _itm_core as core
from alcance.terrain._fill import fill_geodesic_profile

__all__ = ["fused_p2p_kernel"]

Vec = npt.NDArray[np.float64]
IVec = npt.NDArray[np.int64]


@njit(parallel=True, cache=True, error_model="numpy")
def fused_p2p_kernel(
    z: npt.NDArray[np.float32],
    void: npt.NDArray[np.bool_],
    x0: float,
    y0: float,
    dx: float,
    dy: float,
    wrap: float,
    lon1: Vec,
    lat1: Vec,
    lon2: Vec,
    lat2: Vec,
    azi1: Vec,
    distance: Vec,
    n_intervals: IVec,
    node_stride: IVec,
    h_tx: Vec,
    h_rx: Vec,
    climate: int,
    n_0: float,
    f_mhz: Vec,
    pol: int,
    epsilon: float,
    sigma: float,
    mdvar: int,
    time: float,
    location: float,
    situation: float,
    out_f: Vec,
    out_rc: npt.NDArray[np.int32],
    out_warn: IVec,
    out_mode: npt.NDArray[np.int32],
    out_ground_tx: Vec,
    out_ground_rx: Vec,
    out_incomplete: npt.NDArray[np.bool_],
) -> None:
    """Profile + ITM P2P TLS per link, in parallel over chunks of links."""
    n = lon1.shape[0]
    width = 2
    for i in range(n):
        if n_intervals[i] + 1 > width:
            width = n_intervals[i] + 1
    chunk = core.CHUNK_PATHS
    n_chunks = (n + chunk - 1) // chunk
    for c in prange(n_chunks):
        work = np.empty((4, core.SCRATCH_LEN))
        iwork = np.empty(core.ISCRATCH_LEN, dtype=np.int64)
        prof = np.empty(width)
        stop = min(n, (c + 1) * chunk)
        for i in range(c * chunk, stop):
            m = n_intervals[i]
            incomplete, _touched = fill_geodesic_profile(
                prof, z, void, x0, y0, dx, dy, wrap,
                lon1[i], lat1[i], lon2[i], lat2[i], azi1[i], distance[i], m, node_stride[i],
            )  # fmt: skip
            out_ground_tx[i] = prof[0]
            out_ground_rx[i] = prof[m]
            out_incomplete[i] = incomplete
            xi = max(distance[i] / m, 1.0 / m)  # co-located ends: a 1 m path
            r = core.p2p_path(
                prof, m + 1, xi, h_tx[i], h_rx[i], climate, n_0, f_mhz[i],
                pol, epsilon, sigma, mdvar, time, location, situation, work, iwork,
            )  # fmt: skip
            core._store(r, i, out_f, out_rc, out_warn, out_mode)
