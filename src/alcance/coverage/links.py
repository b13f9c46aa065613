"""Existing cells → schools: path loss over terrain, link budgets, best service per school.

Pure computation (arrays and DataFrames in and out). The chain, per tower–school pair
within reach:

1. terrain profile along the WGS 84 geodesic (:func:`alcance.terrain.sample_profiles`);
2. basic transmission loss: NTIA ITM v1.4 point-to-point (default), or free space
   (ITU-R P.525-4) plus delta-Bullington diffraction (ITU-R P.526-16 §4.5), or free
   space alone — the last two as cross-checks;
3. sector antenna gain toward the school (3GPP TR 36.814 pattern with the cell's
   azimuth, downtilt and beamwidths; omnidirectional where the azimuth is unknown),
   CPE gain and losses → received power;
4. per school and technology: the strongest cell, SINR against the other cells of the
   same operator, technology and frequency at the scenario's load, downlink and uplink
   Mbit/s shared with the other schools on the cell;
5. the technology giving the most downlink Mbit/s serves the school; its class is
   *good* (≥ ``service.good_mbps``), *moderate* (≥ ``service.moderate_mbps``) or *none*;
6. probability of coverage: the ITM time/location reliability at which the serving
   link still carries ``service.moderate_mbps`` (and ``good_mbps``), from ITM's
   variability (NTIA ``Variability.cpp``, [Algorithm] Eqns 5.3, 5.9–5.11).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from alcance.coverage._fused import fused_p2p_kernel
from alcance.coverage.cells import TECHNOLOGIES, UPLINK_PEAK_MBPS
from alcance.propagation import _itm_core
from alcance.propagation.freespace import free_space_loss_db
from alcance.propagation.itm import _float_param, ground_constants, itm_p2p_tls_batch
from alcance.propagation.p526 import delta_bullington_batch
from alcance.radio.antenna import elevation_angle_deg, sector_gain_dbi
from alcance.radio.link_budget import best_server, thermal_noise_dbm
from alcance.radio.throughput import cell_throughput_mbps
from alcance.scenario import RadioSettings, ServiceSettings
from alcance.terrain import TerrainGrid, sample_profiles
from alcance.terrain._crs import is_wgs84_lonlat
from alcance.terrain._karney import profile_node_stride
from alcance.terrain._validate import broadcast_coordinates
from alcance.terrain.geodesic import geodesic_inverse
from alcance.terrain.profiles import _grid_parts, _spacing_per_path

__all__ = [
    "CLIMATE_CODES",
    "MDVAR_CODES",
    "PathLoss",
    "candidate_pairs",
    "evaluate_links",
    "path_loss",
    "reliability_meeting_loss_pct",
    "rsrp_offset_db",
    "school_service",
]

#: ITM radio-climate codes by scenario name (NTIA ``include/Enums.h``).
CLIMATE_CODES: dict[str, int] = {
    "equatorial": 1,
    "continental_subtropical": 2,
    "maritime_subtropical": 3,
    "desert": 4,
    "continental_temperate": 5,
    "maritime_temperate_over_land": 6,
    "maritime_temperate_over_sea": 7,
}
#: ITM mode-of-variability codes by scenario name.
MDVAR_CODES: dict[str, int] = {"single_message": 0, "accidental": 1, "mobile": 2, "broadcast": 3}

#: Uplink truncated-Shannon parameters, 3GPP TR 36.942 Annex A.2 (α, SINR_MIN dB,
#: Thr_MAX bps/Hz).
UPLINK_ALPHA = 0.4
UPLINK_SINR_MIN_DB = -10.0
UPLINK_THR_MAX_BPS_PER_HZ = 2.0

_EARTH_RADIUS_M = 6_371_008.8
_RELIABILITY_GRID_PCT = np.concatenate(
    [np.array([0.1, 0.2, 0.5]), np.arange(1.0, 99.5, 0.5), np.array([99.5, 99.8, 99.9])]
)


def candidate_pairs(
    *,
    school_lon_deg: NDArray[np.float64],
    school_lat_deg: NDArray[np.float64],
    cell_lon_deg: NDArray[np.float64],
    cell_lat_deg: NDArray[np.float64],
    max_distance_m: float,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """All (school, cell) pairs within ``max_distance_m`` on WGS 84.

    A k-d tree on the unit sphere preselects pairs (with a 1 % margin over the
    spherical chord); geodesic distances (Karney) decide.

    Returns
    -------
    (school_index, cell_index, distance_m, azimuth_deg)
        ``azimuth_deg`` is the bearing from the cell to the school (0…360).
    """
    if len(school_lon_deg) == 0 or len(cell_lon_deg) == 0:
        empty_i = np.zeros(0, dtype=np.int64)
        empty_f = np.zeros(0, dtype=np.float64)
        return empty_i, empty_i.copy(), empty_f, empty_f.copy()

    def unit(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
        lo, la = np.radians(lon), np.radians(lat)
        return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])

    angle = min(math.pi, 1.01 * max_distance_m / 6_356_752.0)
    chord = 2.0 * math.sin(angle / 2.0)
    tree = cKDTree(unit(cell_lon_deg, cell_lat_deg))
    found = tree.query_ball_point(unit(school_lon_deg, school_lat_deg), r=chord)
    counts = np.array([len(f) for f in found], dtype=np.int64)
    school = np.repeat(np.arange(len(found), dtype=np.int64), counts)
    cell = (
        np.concatenate([np.asarray(f, dtype=np.int64) for f in found])
        if counts.sum()
        else np.zeros(0, dtype=np.int64)
    )
    if cell.size == 0:
        return school, cell, np.zeros(0), np.zeros(0)
    inv = geodesic_inverse(
        lon1_deg=cell_lon_deg[cell],
        lat1_deg=cell_lat_deg[cell],
        lon2_deg=school_lon_deg[school],
        lat2_deg=school_lat_deg[school],
    )
    keep = inv.distance_m <= max_distance_m
    return (
        school[keep],
        cell[keep],
        inv.distance_m[keep],
        np.mod(inv.azimuth_deg[keep], 360.0),
    )


@dataclass(frozen=True, slots=True, eq=False)
class PathLoss:
    """Path loss of many tower → school paths (one element per path).

    ``loss_db`` is NaN where the model could not be evaluated (ITM error code ≥ 1000);
    the ITM intermediates (``h_e_*``, ``delta_h_m``, ``a_ref_db``) are NaN for the other
    models and feed :func:`reliability_meeting_loss_pct`.
    """

    loss_db: NDArray[np.float64]
    model: str
    mode: NDArray[np.int32]
    warnings: NDArray[np.int64]
    distance_m: NDArray[np.float64]
    tx_ground_m: NDArray[np.float64]
    rx_ground_m: NDArray[np.float64]
    h_e_tx_m: NDArray[np.float64]
    h_e_rx_m: NDArray[np.float64]
    delta_h_m: NDArray[np.float64]
    a_ref_db: NDArray[np.float64]
    free_space_loss_db: NDArray[np.float64]
    incomplete_profile: NDArray[np.bool_]
    azimuth_deg: NDArray[np.float64]
    """Bearing tower → school at the tower (0…360°)."""


def path_loss(
    grid: TerrainGrid,
    *,
    tx_lon_deg: NDArray[np.float64],
    tx_lat_deg: NDArray[np.float64],
    rx_lon_deg: NDArray[np.float64],
    rx_lat_deg: NDArray[np.float64],
    h_tx_m: NDArray[np.float64],
    h_rx_m: float | NDArray[np.float64],
    freq_mhz: NDArray[np.float64],
    radio: RadioSettings,
    spacing_m: float | None = None,
) -> PathLoss:
    """Basic transmission loss of many paths over the terrain (dB).

    ``radio.path_loss_model`` picks the model: ``"itm"`` (NTIA ITM v1.4 P2P, TLS mode
    at ``time = location = radio.reliability_pct`` and
    ``situation = radio.confidence_pct``), ``"p526"`` (P.525 free space + P.526-16
    delta-Bullington, k = 4/3) or ``"free_space"``. Terrain heights at both ends come
    from the same profiles. A path with any point off the grid or on an unfilled void
    is flagged ``incomplete_profile`` and gets NaN.
    """
    n = int(np.size(tx_lon_deg))
    if (
        radio.path_loss_model == "itm"
        and grid.is_geographic
        and is_wgs84_lonlat(grid.crs_wkt)
        and n > 0
    ):
        return _itm_fused(
            grid,
            tx_lon_deg=tx_lon_deg,
            tx_lat_deg=tx_lat_deg,
            rx_lon_deg=rx_lon_deg,
            rx_lat_deg=rx_lat_deg,
            h_tx_m=h_tx_m,
            h_rx_m=h_rx_m,
            freq_mhz=freq_mhz,
            radio=radio,
            spacing_m=spacing_m,
        )
    profiles = sample_profiles(
        grid,
        lon1_deg=tx_lon_deg,
        lat1_deg=tx_lat_deg,
        lon2_deg=rx_lon_deg,
        lat2_deg=rx_lat_deg,
        spacing_m=spacing_m,
    )
    azimuth = np.mod(
        geodesic_inverse(
            lon1_deg=tx_lon_deg, lat1_deg=tx_lat_deg, lon2_deg=rx_lon_deg, lat2_deg=rx_lat_deg
        ).azimuth_deg,
        360.0,
    )
    elev = profiles.elevation_m
    rows = np.arange(n)
    last = profiles.n_points - 1
    tx_ground = elev[rows, 0] if n else np.zeros(0)
    rx_ground = elev[rows, last] if n else np.zeros(0)
    # NaN inside a profile: off the grid (``outside``) or an unfilled void (only rows
    # that touched a void pixel need looking at).
    incomplete = profiles.outside.copy()
    touched = np.flatnonzero(profiles.void_points > 0)
    if touched.size:
        sub = elev[touched]
        inside = np.arange(elev.shape[1])[None, :] < profiles.n_points[touched, None]
        incomplete[touched] |= np.any(inside & np.isnan(sub), axis=1)
    h_tx = np.broadcast_to(np.asarray(h_tx_m, dtype=float), (n,))
    h_rx = np.broadcast_to(np.asarray(h_rx_m, dtype=float), (n,))
    f = np.broadcast_to(np.asarray(freq_mhz, dtype=float), (n,))
    nan = np.full(n, np.nan)
    distance = np.maximum(profiles.distance_m, 1.0)
    fsl = np.asarray(free_space_loss_db(distance_m=distance, freq_mhz=f), dtype=float)
    if radio.path_loss_model == "itm":
        ground = ground_constants(radio.ground)
        # ITM needs at least one interval of positive length: pad co-located pairs.
        spacing = np.maximum(profiles.spacing_m, 1.0 / np.maximum(last, 1))
        result = itm_p2p_tls_batch(
            elevation_m=elev,
            n_points=profiles.n_points,
            spacing_m=spacing,
            h_tx_m=h_tx,
            h_rx_m=h_rx,
            climate=CLIMATE_CODES[radio.climate],
            n_0_n_units=radio.surface_refractivity_n_units,
            freq_mhz=f,
            polarization=1 if radio.polarization == "vertical" else 0,
            epsilon_r=ground.epsilon_r,
            sigma_s_per_m=ground.sigma_s_per_m,
            mdvar=MDVAR_CODES[radio.variability_mode],
            time_pct=radio.reliability_pct,
            location_pct=radio.reliability_pct,
            situation_pct=radio.confidence_pct,
        )
        loss = np.where(incomplete, np.nan, result.loss_db)
        return PathLoss(
            loss_db=loss,
            model="itm",
            mode=result.mode,
            warnings=result.warnings,
            distance_m=profiles.distance_m,
            tx_ground_m=tx_ground,
            rx_ground_m=rx_ground,
            h_e_tx_m=result.h_e_tx_m,
            h_e_rx_m=result.h_e_rx_m,
            delta_h_m=result.delta_h_m,
            a_ref_db=result.a_ref_db,
            free_space_loss_db=result.free_space_loss_db,
            incomplete_profile=incomplete,
            azimuth_deg=azimuth,
        )
    if radio.path_loss_model == "p526":
        loss = fsl.copy()
        enough = (profiles.n_points >= 3) & ~incomplete
        if enough.any():
            db = delta_bullington_batch(
                elevation_m=elev[enough],
                n_points=profiles.n_points[enough],
                spacing_m=profiles.spacing_m[enough],
                antenna_tx_agl_m=h_tx[enough],
                antenna_rx_agl_m=h_rx[enough],
                freq_mhz=f[enough],
                polarization=radio.polarization,
            )
            loss[enough] = fsl[enough] + db.loss_db
        loss = np.where(incomplete, np.nan, loss)
    else:
        loss = np.where(incomplete, np.nan, fsl)
    return PathLoss(
        loss_db=loss,
        model=radio.path_loss_model,
        mode=np.zeros(n, dtype=np.int32),
        warnings=np.zeros(n, dtype=np.int64),
        distance_m=profiles.distance_m,
        tx_ground_m=tx_ground,
        rx_ground_m=rx_ground,
        h_e_tx_m=nan,
        h_e_rx_m=nan.copy(),
        delta_h_m=nan.copy(),
        a_ref_db=nan.copy(),
        free_space_loss_db=fsl,
        incomplete_profile=incomplete,
        azimuth_deg=azimuth,
    )


def _itm_fused(
    grid: TerrainGrid,
    *,
    tx_lon_deg: NDArray[np.float64],
    tx_lat_deg: NDArray[np.float64],
    rx_lon_deg: NDArray[np.float64],
    rx_lat_deg: NDArray[np.float64],
    h_tx_m: NDArray[np.float64],
    h_rx_m: float | NDArray[np.float64],
    freq_mhz: NDArray[np.float64],
    radio: RadioSettings,
    spacing_m: float | None,
) -> PathLoss:
    """ITM on WGS 84 grids without materialising the profiles (:mod:`._fused`):
    the same points, samples and ITM as ``sample_profiles`` + ``itm_p2p_tls_batch``."""
    lon1, lat1, lon2, lat2 = broadcast_coordinates(
        {
            "lon1_deg": tx_lon_deg,
            "lat1_deg": tx_lat_deg,
            "lon2_deg": rx_lon_deg,
            "lat2_deg": rx_lat_deg,
        },
        latitude_fields=("lat1_deg", "lat2_deg"),
    )
    n = lon1.size
    z, void, wrap = _grid_parts(grid)
    inverse = geodesic_inverse(lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2)
    distance = inverse.distance_m
    spacing = _spacing_per_path(spacing_m, grid, n)
    n_intervals = np.maximum(1, np.ceil(distance / spacing - 1e-9)).astype(np.int64)
    ground = ground_constants(radio.ground)
    # out-of-range heights or frequency come back as ITM error codes (NaN loss), as on
    # the two-step path
    h_tx = _float_param(h_tx_m, n, "h_tx_m")
    h_rx = _float_param(h_rx_m, n, "h_rx_m")
    f = _float_param(freq_mhz, n, "freq_mhz")
    out_f = np.empty((_itm_core.N_OUT_F, n))
    rc = np.empty(n, dtype=np.int32)
    warn = np.empty(n, dtype=np.int64)
    mode = np.empty(n, dtype=np.int32)
    g_tx = np.empty(n)
    g_rx = np.empty(n)
    incomplete = np.empty(n, dtype=np.bool_)
    fused_p2p_kernel(
        z, void, grid.x0, grid.y0, grid.dx, grid.dy, wrap,
        lon1, lat1, lon2, lat2, inverse.azimuth_deg, distance, n_intervals,
        profile_node_stride(distance / n_intervals, np.maximum(np.abs(lat1), np.abs(lat2))), h_tx, h_rx,
        CLIMATE_CODES[radio.climate], float(radio.surface_refractivity_n_units), f,
        1 if radio.polarization == "vertical" else 0, ground.epsilon_r, ground.sigma_s_per_m,
        MDVAR_CODES[radio.variability_mode], float(radio.reliability_pct),
        float(radio.reliability_pct), float(radio.confidence_pct),
        out_f, rc, warn, mode, g_tx, g_rx, incomplete,
    )  # fmt: skip
    fields = dict(zip(_itm_core.OUT_FIELDS, out_f, strict=True))
    loss = np.where(incomplete | (rc >= 1000), np.nan, fields["loss_db"])
    return PathLoss(
        loss_db=loss,
        model="itm",
        mode=mode,
        warnings=warn,
        distance_m=distance,
        tx_ground_m=g_tx,
        rx_ground_m=g_rx,
        h_e_tx_m=fields["h_e_tx_m"],
        h_e_rx_m=fields["h_e_rx_m"],
        delta_h_m=fields["delta_h_m"],
        a_ref_db=fields["a_ref_db"],
        free_space_loss_db=fields["free_space_loss_db"],
        incomplete_profile=incomplete,
        azimuth_deg=np.mod(inverse.azimuth_deg, 360.0),
    )


@numba.njit(cache=True, parallel=True)
def _loss_over_reliability(
    q_pct: NDArray[np.float64],
    he_tx: NDArray[np.float64],
    he_rx: NDArray[np.float64],
    delta_h: NDArray[np.float64],
    f_mhz: NDArray[np.float64],
    d_m: NDArray[np.float64],
    a_ref: NDArray[np.float64],
    fsl: NDArray[np.float64],
    climate: int,
    mdvar: int,
    confidence_pct: float,
) -> NDArray[np.float64]:
    n = he_tx.size
    out = np.full((n, q_pct.size), np.nan)
    for i in numba.prange(n):
        if not (math.isfinite(a_ref[i]) and math.isfinite(delta_h[i])):
            continue
        for j in range(q_pct.size):
            a_var, _w = _itm_core._variability(
                q_pct[j], q_pct[j], confidence_pct, he_tx[i], he_rx[i], delta_h[i],
                f_mhz[i], d_m[i], a_ref[i], climate, mdvar, 0,
            )  # fmt: skip
            out[i, j] = a_var + fsl[i]
    return out


def reliability_meeting_loss_pct(
    *,
    max_loss_db: NDArray[np.float64],
    losses: PathLoss,
    index: NDArray[np.int64],
    freq_mhz: NDArray[np.float64],
    radio: RadioSettings,
) -> NDArray[np.float64]:
    """ITM reliability (%) at which path ``index[k]``'s loss stays ≤ ``max_loss_db[k]``.

    The loss exceeded with probability ``100 − q`` % of time and locations at the
    scenario's confidence is ITM's ``A(q) = A_fs + A_var(time = location = q)``
    ([Algorithm] Eqns 5.3, 5.9–5.11 via NTIA ``Variability.cpp``); it grows with q, so
    the answer is the largest q on a 0.1…99.9 % grid (0.5 % steps, linear between)
    with ``A(q) ≤ max_loss_db``: 0 when even q = 0.1 % fails, 99.9 when q = 99.9 %
    passes. NaN for non-ITM models or missing paths (index < 0).
    """
    out = np.full(index.shape, np.nan)
    ok = (index >= 0) & np.isfinite(max_loss_db)
    if losses.model != "itm" or not ok.any():
        return out
    k = index[ok]
    curve = _loss_over_reliability(
        _RELIABILITY_GRID_PCT,
        losses.h_e_tx_m[k],
        losses.h_e_rx_m[k],
        losses.delta_h_m[k],
        freq_mhz[k],
        losses.distance_m[k],
        losses.a_ref_db[k],
        losses.free_space_loss_db[k],
        CLIMATE_CODES[radio.climate],
        MDVAR_CODES[radio.variability_mode],
        float(radio.confidence_pct),
    )
    limit = max_loss_db[ok]
    q = np.full(k.size, np.nan)
    grid = _RELIABILITY_GRID_PCT
    for row in range(k.size):
        c = curve[row]
        if not np.all(np.isfinite(c)):
            continue
        meets = c <= limit[row]
        if not meets[0]:
            q[row] = 0.0
        elif meets[-1]:
            q[row] = float(grid[-1])
        else:
            j = int(np.argmin(meets))  # first failing grid point (curve is non-decreasing)
            lo, hi = c[j - 1], c[j]
            t = (limit[row] - lo) / (hi - lo) if hi > lo else 0.0
            q[row] = float(grid[j - 1] + t * (grid[j] - grid[j - 1]))
    out[ok] = q
    return out


def evaluate_links(
    grid: TerrainGrid,
    *,
    cells: pd.DataFrame,
    school_lon_deg: NDArray[np.float64],
    school_lat_deg: NDArray[np.float64],
    school_on_terrain: NDArray[np.bool_],
    radio: RadioSettings,
    cpe_height_m: float,
    spacing_m: float | None = None,
) -> tuple[pd.DataFrame, PathLoss]:
    """Every evaluated (cell, school) link within reach, with its received power.

    ``cells`` is the table from :func:`alcance.coverage.cells.resolve_cells`; only its
    ``evaluated`` cells and schools on the terrain take part. Returns the link table
    (``school_index, cell_index, distance_m, azimuth_deg, loss_db, tx_gain_dbi,
    elevation_deg, rx_power_dbm, itm_mode, itm_warnings``) and the path losses (same
    order) for the reliability computation.
    """
    cell_ok = cells["evaluated"].to_numpy(dtype=bool)
    cell_idx_all = np.flatnonzero(cell_ok)
    school_idx_all = np.flatnonzero(school_on_terrain)
    s_local, c_local, _dist, azimuth = candidate_pairs(
        school_lon_deg=school_lon_deg[school_idx_all],
        school_lat_deg=school_lat_deg[school_idx_all],
        cell_lon_deg=cells["longitude_deg"].to_numpy(dtype=float)[cell_idx_all],
        cell_lat_deg=cells["latitude_deg"].to_numpy(dtype=float)[cell_idx_all],
        max_distance_m=radio.max_distance_m,
    )
    school = school_idx_all[s_local]
    cell = cell_idx_all[c_local]
    h_tx = cells["height_used_m"].to_numpy(dtype=float)[cell]
    freq = cells["freq_used_mhz"].to_numpy(dtype=float)[cell]
    losses = path_loss(
        grid,
        tx_lon_deg=cells["longitude_deg"].to_numpy(dtype=float)[cell],
        tx_lat_deg=cells["latitude_deg"].to_numpy(dtype=float)[cell],
        rx_lon_deg=school_lon_deg[school],
        rx_lat_deg=school_lat_deg[school],
        h_tx_m=h_tx,
        h_rx_m=cpe_height_m,
        freq_mhz=freq,
        radio=radio,
        spacing_m=spacing_m,
    )
    elevation = np.asarray(
        elevation_angle_deg(
            tx_height_amsl_m=np.clip(losses.tx_ground_m + h_tx, -500.0, 9000.0),
            rx_height_amsl_m=np.clip(losses.rx_ground_m + cpe_height_m, -500.0, 9000.0),
            distance_m=losses.distance_m,
        ),
        dtype=float,
    )
    gain = np.full(cell.size, np.nan)
    hbw = cells["h_beamwidth_used_deg"].to_numpy(dtype=float)[cell]
    vbw = cells["v_beamwidth_used_deg"].to_numpy(dtype=float)[cell]
    combos = pd.DataFrame({"h": hbw, "v": vbw}).drop_duplicates().to_numpy()
    for h, v in combos:
        sel = (hbw == h) & (vbw == v)
        gain[sel] = sector_gain_dbi(
            azimuth_to_target_deg=azimuth[sel],
            elevation_to_target_deg=np.nan_to_num(elevation[sel]),
            boresight_azimuth_deg=cells["azimuth_used_deg"].to_numpy(dtype=float)[cell[sel]],
            downtilt_deg=cells["downtilt_used_deg"].to_numpy(dtype=float)[cell[sel]],
            max_gain_dbi=cells["gain_used_dbi"].to_numpy(dtype=float)[cell[sel]],
            h_beamwidth_deg=float(h),
            v_beamwidth_deg=float(v),
        )
    relative = gain - cells["gain_used_dbi"].to_numpy(dtype=float)[cell]
    rx = (
        cells["eirp_used_dbm"].to_numpy(dtype=float)[cell]
        + relative
        - losses.loss_db
        + radio.cpe_gain_dbi
        - radio.cpe_losses_db
    )
    table = pd.DataFrame(
        {
            "school_index": school,
            "cell_index": cell,
            "distance_m": losses.distance_m,
            "azimuth_deg": azimuth,
            "elevation_deg": elevation,
            "loss_db": losses.loss_db,
            "tx_gain_dbi": gain,
            "rx_power_dbm": rx,
            "itm_mode": losses.mode,
            "itm_warnings": losses.warnings,
            "incomplete_profile": losses.incomplete_profile,
        }
    )
    return table, losses


def rsrp_offset_db(bandwidth_mhz: NDArray[np.float64]) -> NDArray[np.float64]:
    """``10 log10(12 N_RB)``: total channel power minus RSRP for a flat-PSD LTE/NR cell,
    with ``12 N_RB ≈ 0.9 B / 15 kHz`` (TS 36.101 Table 5.6-1: 600 subcarriers in 10 MHz)."""
    return np.asarray(10.0 * np.log10(bandwidth_mhz / 0.015 * 0.9), dtype=np.float64)


def _spectral_efficiency_uplink(snr_db: NDArray[np.float64]) -> NDArray[np.float64]:
    """TR 36.942 Annex A.2 uplink truncated Shannon (bps/Hz)."""
    snr = np.nan_to_num(snr_db, nan=-np.inf)
    eff = UPLINK_ALPHA * np.log2(1.0 + 10.0 ** (np.minimum(snr, 60.0) / 10.0))
    eff = np.minimum(eff, UPLINK_THR_MAX_BPS_PER_HZ)
    return np.asarray(np.where(snr < UPLINK_SINR_MIN_DB, 0.0, eff), dtype=float)


def _downlink_cell_mbps(
    sinr_db: NDArray[np.float64],
    bandwidth_mhz: NDArray[np.float64],
    peak_mbps: NDArray[np.float64],
    technology: NDArray[np.str_],
    radio: RadioSettings,
) -> NDArray[np.float64]:
    """Mbit/s one location would get from a whole cell at ``sinr_db`` (NaN → 0)."""
    sinr = np.clip(np.nan_to_num(sinr_db, nan=-300.0), -300.0, 300.0)
    wideband = np.isin(technology, ("LTE", "NR"))
    mbps = np.zeros(sinr.shape)
    for wide in (True, False):
        sel = wideband == wide
        if not sel.any():
            continue
        mbps[sel] = np.asarray(
            cell_throughput_mbps(
                sinr_db=sinr[sel],
                bandwidth_mhz=bandwidth_mhz[sel],
                method=radio.throughput_method if wide else "tr36942",
                overhead_fraction=radio.overhead_fraction,
                mimo_layers=radio.mimo_layers if wide else 1,
            ),
            dtype=float,
        )
    return np.asarray(np.minimum(mbps, peak_mbps), dtype=float)


def _required_sinr_db(
    target_mbps: float,
    bandwidth_mhz: NDArray[np.float64],
    peak_mbps: NDArray[np.float64],
    technology: NDArray[np.str_],
    share: NDArray[np.float64],
    radio: RadioSettings,
) -> NDArray[np.float64]:
    """Smallest SINR (0.05 dB grid, −10…40 dB) giving ``target_mbps`` after sharing;
    +inf where the cell cannot reach it at any SINR."""
    grid = np.arange(-10.0, 40.0001, 0.05)
    n = bandwidth_mhz.size
    out = np.full(n, np.inf)
    if n == 0:
        return out
    sinr = np.broadcast_to(grid[None, :], (n, grid.size)).ravel()
    mbps = (
        _downlink_cell_mbps(
            sinr,
            np.repeat(bandwidth_mhz, grid.size),
            np.repeat(peak_mbps, grid.size),
            np.repeat(technology, grid.size),
            radio,
        ).reshape(n, grid.size)
        * share[:, None]
    )
    meets = mbps >= target_mbps
    has = meets.any(axis=1)
    out[has] = grid[np.argmax(meets[has], axis=1)]
    return out


def school_service(
    links: pd.DataFrame,
    losses: PathLoss,
    *,
    cells: pd.DataFrame,
    n_schools: int,
    school_on_terrain: NDArray[np.bool_],
    radio: RadioSettings,
    service: ServiceSettings,
) -> pd.DataFrame:
    """Best service per school from the link table (one row per school, in order).

    Columns: ``service_class`` (good/moderate/none; "unknown" off the terrain),
    ``downlink_mbps``, ``uplink_mbps``, ``rsrp_dbm`` (LTE/NR servers; NaN otherwise),
    ``rx_power_dbm`` (total channel power), ``sinr_db``, ``uplink_snr_db``,
    ``coverage_probability_pct`` (reliability of at least ``moderate_mbps``),
    ``good_probability_pct`` (of ``good_mbps``), ``best_cell_id``, ``best_site_id``,
    ``best_technology``, ``best_freq_mhz``, ``best_distance_km``, ``path_loss_db``,
    ``cells_in_reach``.

    Sharing: the school gets ``1 − load_factor`` of its cell's resources (the load
    stands for the busy-hour traffic of other users), split evenly among the schools
    served by that cell when ``radio.share_cell_among_schools`` (``schools_on_cell``
    says how many there are either way). Uplink: a power-class-3 CPE on the same
    share of resource blocks, against the base station's noise plus the noise rise of
    the load (``−10 log10(1 − load)``).
    """
    load = radio.load_factor
    tech_all = cells["technology_used"].to_numpy().astype(str)
    bw_all = cells["bandwidth_used_mhz"].to_numpy(dtype=float)
    peak_all = cells["peak_mbps"].to_numpy(dtype=float)
    channel_all = cells["channel"].to_numpy(dtype=np.int64)
    school = links["school_index"].to_numpy(dtype=np.int64)
    cell = links["cell_index"].to_numpy(dtype=np.int64)
    rx = links["rx_power_dbm"].to_numpy(dtype=float)
    usable = np.isfinite(rx)
    school, cell, rx, link_row = school[usable], cell[usable], rx[usable], np.flatnonzero(usable)
    cpe_noise_by_bw: dict[float, float] = {}

    best_mbps = np.zeros(n_schools)
    best_link = np.full(n_schools, -1, dtype=np.int64)
    best_sinr = np.full(n_schools, np.nan)
    best_noise = np.full(n_schools, np.nan)
    best_interf_mw = np.zeros(n_schools)
    for tech in TECHNOLOGIES:
        sel = tech_all[cell] == tech
        if not sel.any():
            continue
        s, c, p, lr = school[sel], cell[sel], rx[sel], link_row[sel]
        order = np.lexsort((c, s))
        s, c, p, lr = s[order], c[order], p[order], lr[order]
        starts = np.searchsorted(s, np.arange(n_schools))
        rank = np.arange(s.size) - starts[s]
        width = int(rank.max()) + 1
        mat = np.full((n_schools, width), np.nan)
        ch = np.full((n_schools, width), -1, dtype=np.int64)
        cidx = np.full((n_schools, width), -1, dtype=np.int64)
        lidx = np.full((n_schools, width), -1, dtype=np.int64)
        mat[s, rank] = p
        ch[s, rank] = channel_all[c]
        cidx[s, rank] = c
        lidx[s, rank] = lr
        bw_school = np.full(n_schools, np.nan)
        noise = np.full(n_schools, np.nan)
        for b in np.unique(bw_all[c]):
            if b not in cpe_noise_by_bw:
                cpe_noise_by_bw[b] = float(
                    thermal_noise_dbm(bandwidth_mhz=b, noise_figure_db=radio.cpe_noise_figure_db)
                )
        # noise on the serving cell's bandwidth: computed after choosing the server
        has = ~np.all(np.isnan(mat), axis=1)
        first = np.argmax(np.where(np.isnan(mat), -np.inf, mat), axis=1)
        serving_cell = np.where(has, cidx[np.arange(n_schools), first], -1)
        bw_school[has] = bw_all[serving_cell[has]]
        noise[has] = [cpe_noise_by_bw[b] for b in bw_school[has]]
        tech_load = 0.0 if tech == "GSM" else load  # GSM: frequency reuse planning
        result = best_server(
            rx_dbm=mat, noise_dbm=np.where(has, noise, 0.0), load_factor=tech_load, channel_id=ch
        )
        sinr = np.where(has, result.sinr_db, np.nan)
        mbps = np.where(
            has,
            _downlink_cell_mbps(
                sinr,
                np.where(has, bw_school, 1.0),
                np.where(has, peak_all[np.maximum(serving_cell, 0)], 0.0),
                np.full(n_schools, tech),
                radio,
            ),
            0.0,
        )
        better = has & ((best_link < 0) | (mbps > best_mbps))
        row_link = lidx[np.arange(n_schools), result.cell_index.clip(min=0)]
        best_mbps = np.where(better, mbps, best_mbps)
        best_link = np.where(better, row_link, best_link)
        best_sinr = np.where(better, sinr, best_sinr)
        best_noise = np.where(better, noise, best_noise)
        interf = 10.0 ** (result.rx_dbm / 10.0) / 10.0 ** (np.nan_to_num(sinr) / 10.0) - 10.0 ** (
            np.nan_to_num(noise, nan=-300.0) / 10.0
        )
        best_interf_mw = np.where(better, np.maximum(interf, 0.0), best_interf_mw)

    served = best_link >= 0
    link_cell = np.where(
        served, links["cell_index"].to_numpy(dtype=np.int64)[best_link.clip(min=0)], -1
    )
    # share of the cell among the schools it serves
    n_on_cell = np.bincount(link_cell[served], minlength=len(cells)) if len(cells) else np.zeros(0)
    share = np.zeros(n_schools)
    schools_on_cell = np.zeros(n_schools, dtype=np.int64)
    schools_on_cell[served] = n_on_cell[link_cell[served]]
    share[served] = (1.0 - load) / (
        np.maximum(schools_on_cell[served], 1) if radio.share_cell_among_schools else 1
    )
    downlink = best_mbps * share
    tech_served = np.where(served, tech_all[link_cell.clip(min=0)], "")
    bw_served = np.where(served, bw_all[link_cell.clip(min=0)], np.nan)
    peak_served = np.where(served, peak_all[link_cell.clip(min=0)], np.nan)

    # uplink: the school's share of the channel, CPE at full power
    loss = links["loss_db"].to_numpy(dtype=float)
    gain_tx = links["tx_gain_dbi"].to_numpy(dtype=float)
    ul_bw = bw_served * share
    noise_rise_db = -10.0 * math.log10(max(1.0 - load, 1e-6))
    ul_snr = np.full(n_schools, np.nan)
    uplink = np.zeros(n_schools)
    if served.any():
        lk = best_link[served]
        bs_noise = np.asarray(
            thermal_noise_dbm(
                bandwidth_mhz=np.maximum(ul_bw[served], 1e-6),
                noise_figure_db=radio.bs_noise_figure_db,
            ),
            dtype=float,
        )
        ul_snr[served] = (
            radio.cpe_tx_power_dbm
            + radio.cpe_gain_dbi
            - radio.cpe_losses_db
            - loss[lk]
            + gain_tx[lk]
            - radio.feeder_loss_db
            - bs_noise
            - noise_rise_db
        )
        eff = _spectral_efficiency_uplink(ul_snr[served])
        wide = np.isin(tech_served[served], ("LTE", "NR"))
        ul = eff * ul_bw[served] * np.where(wide, 1.0 - radio.overhead_fraction, 1.0)
        cap = np.array([UPLINK_PEAK_MBPS.get(t, math.inf) for t in tech_served[served]])
        uplink[served] = np.minimum(ul, cap * share[served])

    # probability of coverage: required SINR → largest tolerable loss → ITM reliability
    def probability(target_mbps: float) -> NDArray[np.float64]:
        prob = np.where(school_on_terrain, 0.0, np.nan)
        if not served.any():
            return prob
        sv = np.flatnonzero(served)
        req = _required_sinr_db(
            target_mbps, bw_served[sv], peak_served[sv], tech_served[sv], share[sv], radio
        )
        noise_plus_i = 10.0 * np.log10(10.0 ** (best_noise[sv] / 10.0) + best_interf_mw[sv])
        max_rx_loss = links["rx_power_dbm"].to_numpy(dtype=float)[best_link[sv]] - (
            req + noise_plus_i
        )
        max_loss = loss[best_link[sv]] + max_rx_loss
        q = reliability_meeting_loss_pct(
            max_loss_db=np.where(np.isfinite(req), max_loss, -np.inf),
            losses=losses,
            index=best_link[sv],
            freq_mhz=cells["freq_used_mhz"].to_numpy(dtype=float)[
                links["cell_index"].to_numpy(dtype=np.int64)
            ],
            radio=radio,
        )
        q = np.where(np.isfinite(req), q, 0.0)
        prob[sv] = q
        return prob

    rx_best = np.where(
        served, links["rx_power_dbm"].to_numpy(dtype=float)[best_link.clip(min=0)], np.nan
    )
    n_rb_offset = np.where(
        np.isin(tech_served, ("LTE", "NR")), rsrp_offset_db(np.maximum(bw_served, 1e-9)), np.nan
    )
    cls = np.where(
        downlink >= service.good_mbps,
        "good",
        np.where(downlink >= service.moderate_mbps, "moderate", "none"),
    ).astype(object)
    cls[~school_on_terrain] = "unknown"
    in_reach = np.bincount(school, minlength=n_schools)
    return pd.DataFrame(
        {
            "service_class": cls.astype(str),
            "downlink_mbps": np.where(school_on_terrain, downlink, np.nan),
            "uplink_mbps": np.where(school_on_terrain, uplink, np.nan),
            "rsrp_dbm": rx_best - n_rb_offset,
            "rx_power_dbm": rx_best,
            "sinr_db": best_sinr,
            "uplink_snr_db": ul_snr,
            "coverage_probability_pct": probability(service.moderate_mbps),
            "good_probability_pct": probability(service.good_mbps),
            "best_cell_id": np.where(
                served, cells["cell_id"].astype(str).to_numpy()[link_cell.clip(min=0)], ""
            ),
            "best_site_id": np.where(
                served, cells["site_id"].astype(str).to_numpy()[link_cell.clip(min=0)], ""
            ),
            "best_technology": tech_served,
            "best_freq_mhz": np.where(
                served, cells["freq_used_mhz"].to_numpy(dtype=float)[link_cell.clip(min=0)], np.nan
            ),
            "best_distance_km": np.where(
                served,
                links["distance_m"].to_numpy(dtype=float)[best_link.clip(min=0)] / 1000.0,
                np.nan,
            ),
            "path_loss_db": np.where(served, loss[best_link.clip(min=0)], np.nan),
            "cells_in_reach": np.where(school_on_terrain, in_reach, 0),
            "schools_on_cell": schools_on_cell,
        }
    )
