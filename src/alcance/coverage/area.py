"""Best-server coverage of an area: every evaluated cell's path loss on a common grid,
antenna patterns, received power, SINR, Mbit/s and service class per pixel (pure).

Path loss per pixel comes from :func:`alcance.coverage.raster.site_loss_raster` (the
incremental-ITM ray kernel; error against one exact profile per pixel is stated in
``benchmarks/README.md``), computed once per distinct (site, antenna height,
frequency). The link budget per pixel is the one of
:func:`alcance.coverage.links.school_service` for a school CPE placed at the pixel:
strongest cell per technology, SINR against the same operator's cells on the same
carrier at the scenario's load, Mbit/s from the technology's mapping (one user, the
free share ``1 − load`` of the cell), and the technology with the most Mbit/s wins.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from alcance.coverage.cells import TECHNOLOGIES
from alcance.coverage.links import (
    CLIMATE_CODES,
    MDVAR_CODES,
    _downlink_cell_mbps,
    rsrp_offset_db,
)
from alcance.coverage.model import CoverageRaster, ServiceClass
from alcance.coverage.raster import RasterGrid, _ground, site_loss_raster
from alcance.propagation.itm import ground_constants
from alcance.radio.antenna import elevation_angle_deg, sector_gain_dbi
from alcance.radio.link_budget import thermal_noise_dbm
from alcance.scenario import RadioSettings, ServiceSettings
from alcance.terrain import TerrainGrid

__all__ = ["coverage_grid", "coverage_raster"]

#: Largest number of output pixels before the grid is made coarser (a multiple of the
#: DEM pixel).
MAX_PIXELS = 4_000_000


def coverage_grid(terrain: TerrainGrid, *, max_pixels: int = MAX_PIXELS) -> tuple[RasterGrid, int]:
    """The output grid: the terrain window at the DEM resolution, or the smallest whole
    multiple of it that keeps at most ``max_pixels`` pixels. Returns (grid, step)."""
    rows, cols = terrain.shape
    step = 1
    while (rows // step) * (cols // step) > max_pixels:
        step += 1
    return (
        RasterGrid(
            west_deg=terrain.x0,
            north_deg=terrain.y0,
            dlon_deg=terrain.dx * step,
            dlat_deg=-terrain.dy * step,
            rows=rows // step,
            cols=cols // step,
        ),
        step,
    )


def coverage_raster(
    terrain: TerrainGrid,
    *,
    cells: pd.DataFrame | None,
    radio: RadioSettings,
    service: ServiceSettings,
    cpe_height_m: float,
    grid: RasterGrid | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CoverageRaster:
    """Best-server RSRP, SINR, Mbit/s and class on ``grid`` (default :func:`coverage_grid`).

    ``cells`` comes from :func:`alcance.coverage.cells.resolve_cells`; only ``evaluated``
    cells take part. ``progress(done, total)`` is called after each distinct path-loss
    raster. Pixels that no cell reaches within ``radio.max_distance_m`` are class
    ``NONE`` (0 Mbit/s) when inside the terrain; the raster is NaN / ``NO_DATA`` only
    where the terrain itself is missing. The path loss is always ITM (the raster kernel
    has no P.526 variant); a note says so when the scenario asks for another model.
    """
    out_grid = grid if grid is not None else coverage_grid(terrain)[0]
    rows, cols = int(out_grid.rows), int(out_grid.cols)
    shape = (rows, cols)
    use = (
        cells[cells["evaluated"].to_numpy(dtype=bool)].reset_index(drop=True)
        if cells is not None
        else pd.DataFrame()
    )
    notes = [
        f"path loss: NTIA ITM v1.4 point-to-point along rays (incremental kernel), "
        f"{radio.max_distance_m / 1000:g} km around each site, "
        f'{out_grid.dlat_deg * 3600:.2f}" pixels'
    ]
    if radio.path_loss_model != "itm":
        notes.append(
            f"the raster uses ITM although the scenario's path_loss_model is "
            f"{radio.path_loss_model!r} (schools use the scenario's model)"
        )
    ground = ground_constants(radio.ground)
    groups: dict[str, NDArray[np.intp]] = {}
    if len(use):
        keys = (
            use["site_id"].astype(str)
            + "|"
            + use["height_used_m"].astype(str)
            + "|"
            + use["freq_used_mhz"].astype(str)
        ).to_numpy()
        groups = {str(k): np.flatnonzero(keys == k) for k in pd.unique(keys)}
    tech_all = use["technology_used"].to_numpy().astype(str) if len(use) else np.zeros(0, dtype=str)
    # per technology: best received power, its cell, and per-carrier power sums (mW)
    best_dbm = {t: np.full(shape, -np.inf, dtype=np.float64) for t in TECHNOLOGIES}
    best_cell = {t: np.full(shape, -1, dtype=np.int32) for t in TECHNOLOGIES}
    carrier_mw: dict[int, NDArray[np.float64]] = {}
    terrain_ok = np.isfinite(_ground(terrain, out_grid)) if rows and cols else np.zeros(shape, bool)
    for done, members in enumerate(groups.values(), start=1):
        first = use.iloc[int(members[0])]
        loss = site_loss_raster(
            terrain,
            lon_deg=float(first["longitude_deg"]),
            lat_deg=float(first["latitude_deg"]),
            radius_m=radio.max_distance_m,
            h_tx_m=float(first["height_used_m"]),
            h_rx_m=cpe_height_m,
            freq_mhz=float(first["freq_used_mhz"]),
            climate=CLIMATE_CODES[radio.climate],
            n_0_n_units=radio.surface_refractivity_n_units,
            polarization=1 if radio.polarization == "vertical" else 0,
            epsilon_r=ground.epsilon_r,
            sigma_s_per_m=ground.sigma_s_per_m,
            mdvar=MDVAR_CODES[radio.variability_mode],
            time_pct=radio.reliability_pct,
            location_pct=radio.reliability_pct,
            situation_pct=radio.confidence_pct,
            grid=out_grid,
        )
        valid = np.isfinite(loss.loss_db)
        if valid.any():
            r_idx, c_idx = np.nonzero(valid)
            loss_db = loss.loss_db[valid].astype(np.float64)
            dist = loss.distance_m[valid].astype(np.float64)
            az = loss.azimuth_deg[valid].astype(np.float64)
            site_ground = float(np.nan_to_num(np.nanmax(loss.ground_m[valid][dist == dist.min()])))
            elev = np.asarray(
                elevation_angle_deg(
                    tx_height_amsl_m=np.clip(
                        site_ground + float(first["height_used_m"]), -500, 9000
                    ),
                    rx_height_amsl_m=np.clip(
                        loss.ground_m[valid].astype(np.float64) + cpe_height_m, -500, 9000
                    ),
                    distance_m=dist,
                ),
                dtype=np.float64,
            )
            for m in members:
                cell = use.iloc[int(m)]
                gain_rel = np.asarray(
                    sector_gain_dbi(
                        azimuth_to_target_deg=az,
                        elevation_to_target_deg=elev,
                        boresight_azimuth_deg=float(cell["azimuth_used_deg"]),
                        downtilt_deg=float(cell["downtilt_used_deg"]),
                        max_gain_dbi=float(cell["gain_used_dbi"]),
                        h_beamwidth_deg=float(cell["h_beamwidth_used_deg"]),
                        v_beamwidth_deg=float(cell["v_beamwidth_used_deg"]),
                    ),
                    dtype=np.float64,
                ) - float(cell["gain_used_dbi"])
                rx = (
                    float(cell["eirp_used_dbm"])
                    + gain_rel
                    - loss_db
                    + radio.cpe_gain_dbi
                    - radio.cpe_losses_db
                )
                tech = tech_all[m]
                ch = int(cell["channel"])
                acc = carrier_mw.setdefault(ch, np.zeros(shape))
                acc[r_idx, c_idx] += 10.0 ** (rx / 10.0)
                cur = best_dbm[tech][r_idx, c_idx]
                better = rx > cur
                best_dbm[tech][r_idx[better], c_idx[better]] = rx[better]
                best_cell[tech][r_idx[better], c_idx[better]] = int(m)
        if progress is not None:
            progress(done, len(groups))

    mbps = np.zeros(shape)
    rsrp = np.full(shape, np.nan)
    sinr_out = np.full(shape, np.nan)
    channel = use["channel"].to_numpy(dtype=np.int64) if len(use) else np.zeros(0, np.int64)
    bw_all = use["bandwidth_used_mhz"].to_numpy(dtype=float) if len(use) else np.zeros(0)
    peak_all = use["peak_mbps"].to_numpy(dtype=float) if len(use) else np.zeros(0)
    for tech in TECHNOLOGIES:
        has = best_cell[tech] >= 0
        if not has.any():
            continue
        r_idx, c_idx = np.nonzero(has)
        cidx = best_cell[tech][has]
        s_dbm = best_dbm[tech][has]
        s_mw = 10.0 ** (s_dbm / 10.0)
        total = np.zeros(cidx.size)
        for ch in np.unique(channel[cidx]):
            sel = channel[cidx] == ch
            total[sel] = carrier_mw[int(ch)][r_idx[sel], c_idx[sel]]
        load = 0.0 if tech == "GSM" else radio.load_factor
        interference = load * np.maximum(total - s_mw, 0.0)
        bw = bw_all[cidx]
        noise_dbm = np.asarray(
            thermal_noise_dbm(bandwidth_mhz=bw, noise_figure_db=radio.cpe_noise_figure_db),
            dtype=float,
        )
        sinr = s_dbm - 10.0 * np.log10(interference + 10.0 ** (noise_dbm / 10.0))
        rate = _downlink_cell_mbps(sinr, bw, peak_all[cidx], np.full(cidx.size, tech), radio) * (
            1.0 - radio.load_factor
        )
        better = rate > mbps[r_idx, c_idx]
        better |= ~np.isfinite(sinr_out[r_idx, c_idx])
        rb, cb = r_idx[better], c_idx[better]
        mbps[rb, cb] = rate[better]
        sinr_out[rb, cb] = sinr[better]
        wide = tech in ("LTE", "NR")
        rsrp[rb, cb] = s_dbm[better] - rsrp_offset_db(bw[better]) if wide else np.nan
    cls = np.where(
        mbps >= service.good_mbps,
        ServiceClass.GOOD,
        np.where(mbps >= service.moderate_mbps, ServiceClass.MODERATE, ServiceClass.NONE),
    ).astype(np.uint8)
    cls[~terrain_ok] = ServiceClass.NO_DATA
    mbps_out = np.where(terrain_ok, mbps, np.nan)
    return CoverageRaster(
        rsrp_dbm=rsrp.astype(np.float32),
        sinr_db=sinr_out.astype(np.float32),
        downlink_mbps=mbps_out.astype(np.float32),
        service_class=cls,
        west_deg=float(out_grid.west_deg),
        north_deg=float(out_grid.north_deg),
        dlon_deg=float(out_grid.dlon_deg),
        dlat_deg=float(out_grid.dlat_deg),
        notes=notes,
    )
