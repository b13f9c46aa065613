"""Area coverage: the per-pixel link budget on top of the ray kernel (demo terrain)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from alcance.coverage.area import coverage_grid, coverage_raster
from alcance.coverage.cells import resolve_cells
from alcance.coverage.links import CLIMATE_CODES, MDVAR_CODES
from alcance.coverage.model import ServiceClass
from alcance.coverage.raster import RasterGrid, site_loss_raster
from alcance.io import load_demo
from alcance.pipeline import read_terrain_window
from alcance.radio.antenna import elevation_angle_deg, sector_gain_dbi
from alcance.radio.link_budget import thermal_noise_dbm
from alcance.scenario import Scenario
from alcance.terrain import TerrainGrid


@pytest.fixture(scope="module")
def demo() -> tuple[TerrainGrid, pd.DataFrame, Scenario]:
    with load_demo() as region:
        grid = read_terrain_window(region)
        assert grid is not None
        assert region.towers is not None
        scenario = region.scenario
        cells, _ = resolve_cells(
            region.towers.cells,
            region.towers.sites,
            radio=scenario.radio,
            tower_height_m=scenario.defaults.tower_height_m,
        )
    return grid, cells, scenario


def _window(grid: TerrainGrid) -> RasterGrid:
    # a 0.2° x 0.2° window around Petorca town at 3x the DEM pixel
    full, _ = coverage_grid(grid)
    col0 = int((-70.99 - full.west_deg) / full.dlon_deg)
    row0 = int((full.north_deg - -32.15) / full.dlat_deg)
    step = 3
    return RasterGrid(
        west_deg=full.west_deg + col0 * full.dlon_deg,
        north_deg=full.north_deg - row0 * full.dlat_deg,
        dlon_deg=full.dlon_deg * step,
        dlat_deg=full.dlat_deg * step,
        rows=int(0.2 / (full.dlat_deg * step)),
        cols=int(0.2 / (full.dlon_deg * step)),
    )


def test_one_cell_rsrp_is_the_link_budget(demo: tuple[TerrainGrid, pd.DataFrame, Scenario]) -> None:
    grid, cells, scenario = demo
    radio = scenario.radio.model_copy(update={"max_distance_m": 8000.0})
    one = cells[cells["cell_id"].astype(str) == "440496"].reset_index(drop=True)
    window = _window(grid)
    cov = coverage_raster(
        grid, cells=one, radio=radio, service=scenario.service, cpe_height_m=6.0, grid=window
    )
    cell = one.iloc[0]
    loss = site_loss_raster(
        grid,
        lon_deg=float(cell["longitude_deg"]),
        lat_deg=float(cell["latitude_deg"]),
        radius_m=8000.0,
        h_tx_m=float(cell["height_used_m"]),
        h_rx_m=6.0,
        freq_mhz=float(cell["freq_used_mhz"]),
        climate=CLIMATE_CODES[radio.climate],
        n_0_n_units=radio.surface_refractivity_n_units,
        polarization=1,
        epsilon_r=15.0,
        sigma_s_per_m=0.005,
        mdvar=MDVAR_CODES[radio.variability_mode],
        time_pct=50.0,
        location_pct=50.0,
        situation_pct=50.0,
        grid=window,
    )
    ok = np.isfinite(loss.loss_db)
    assert ok.sum() > 1000
    # outside the 8 km reach: class none, 0 Mbit/s, no RSRP
    assert np.all(cov.service_class[~ok & (cov.service_class > 0)] == ServiceClass.NONE)
    assert np.all(np.isnan(cov.rsrp_dbm[~ok]))
    rng = np.random.default_rng(5)
    r_idx, c_idx = np.nonzero(ok)
    pick = rng.choice(r_idx.size, 25, replace=False)
    site_ground = float(loss.ground_m[ok][np.argmin(loss.distance_m[ok])])
    for k in pick:
        r, c = int(r_idx[k]), int(c_idx[k])
        elev = float(
            elevation_angle_deg(
                tx_height_amsl_m=site_ground + float(cell["height_used_m"]),
                rx_height_amsl_m=float(loss.ground_m[r, c]) + 6.0,
                distance_m=float(loss.distance_m[r, c]),
            )
        )
        gain = float(
            sector_gain_dbi(
                azimuth_to_target_deg=float(loss.azimuth_deg[r, c]),
                elevation_to_target_deg=elev,
                boresight_azimuth_deg=math.nan,
                downtilt_deg=radio.downtilt_deg,
                max_gain_dbi=14.0,
                h_beamwidth_deg=70.0,
                v_beamwidth_deg=10.0,
            )
        )
        rx = 46.0 + 14.0 - 2.0 + (gain - 14.0) - float(loss.loss_db[r, c]) + 12.0 - 1.0
        assert cov.rsrp_dbm[r, c] == pytest.approx(rx - 10 * math.log10(600.0), abs=1e-3)
        noise = float(thermal_noise_dbm(bandwidth_mhz=10.0, noise_figure_db=9.0))
        assert cov.sinr_db[r, c] == pytest.approx(rx - noise, abs=1e-3)


def test_same_carrier_cells_interfere_at_the_load(
    demo: tuple[TerrainGrid, pd.DataFrame, Scenario],
) -> None:
    grid, cells, scenario = demo
    radio = scenario.radio.model_copy(update={"max_distance_m": 8000.0})
    lte = cells[cells["technology_used"] == "LTE"]
    lte = lte[lte["evaluated"]].reset_index(drop=True)
    assert len(lte) == 2
    assert lte["channel"].nunique() == 1  # both Claro, LTE 2600
    window = _window(grid)
    both = coverage_raster(
        grid, cells=lte, radio=radio, service=scenario.service, cpe_height_m=6.0, grid=window
    )
    singles = [
        coverage_raster(
            grid,
            cells=lte.iloc[[i]].reset_index(drop=True),
            radio=radio,
            service=scenario.service,
            cpe_height_m=6.0,
            grid=window,
        )
        for i in range(2)
    ]
    offset = 10 * math.log10(600.0)
    s0 = singles[0].rsrp_dbm.astype(float) + offset
    s1 = singles[1].rsrp_dbm.astype(float) + offset
    mask = np.isfinite(s0) & np.isfinite(s1)
    assert mask.sum() > 100
    serving = np.maximum(s0, s1)[mask]
    other = np.minimum(s0, s1)[mask]
    noise = float(thermal_noise_dbm(bandwidth_mhz=10.0, noise_figure_db=9.0))
    expected = serving - 10 * np.log10(10 ** (noise / 10) + 0.5 * 10 ** (other / 10))
    np.testing.assert_allclose(both.sinr_db[mask], expected, atol=2e-3)
    assert np.all(
        both.sinr_db[mask] <= np.maximum(singles[0].sinr_db, singles[1].sinr_db)[mask] + 1e-4
    )


def test_greenfield_raster_is_all_none(demo: tuple[TerrainGrid, pd.DataFrame, Scenario]) -> None:
    grid, _, scenario = demo
    window = _window(grid)
    cov = coverage_raster(
        grid,
        cells=None,
        radio=scenario.radio,
        service=scenario.service,
        cpe_height_m=6.0,
        grid=window,
    )
    assert np.all(cov.service_class == ServiceClass.NONE)
    assert np.all(cov.downlink_mbps == 0.0)
