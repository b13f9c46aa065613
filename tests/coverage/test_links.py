"""Existing cells → schools: path loss, link budget and service per school.

Checked by hand-computed budgets, against the propagation and geometry primitives
called directly, and against physical facts of the built-in demo (Petorca, Chile).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from alcance.coverage.cells import resolve_cells
from alcance.coverage.links import (
    CLIMATE_CODES,
    MDVAR_CODES,
    PathLoss,
    candidate_pairs,
    evaluate_links,
    path_loss,
    reliability_meeting_loss_pct,
    school_service,
)
from alcance.io.region import read_region
from alcance.pipeline import load_scenario, read_terrain_window
from alcance.propagation.freespace import free_space_loss_db
from alcance.propagation.itm import ground_constants, itm_p2p_tls_profiles
from alcance.radio.antenna import elevation_angle_deg, pattern_attenuation_db
from alcance.radio.throughput import cell_throughput_mbps
from alcance.scenario import RadioSettings, Scenario, ServiceSettings
from alcance.terrain import TerrainGrid, sample_profiles
from alcance.terrain.geodesic import geodesic_inverse

OFF_TERRAIN_SITES = {"13026", "13028", "19775"}


@dataclass
class Demo:
    scenario: Scenario
    grid: TerrainGrid
    schools: pd.DataFrame
    sites: pd.DataFrame
    cells: pd.DataFrame
    notes: list[str]

    @property
    def lon(self) -> NDArray[np.float64]:
        return self.schools["longitude_deg"].to_numpy(float)

    @property
    def lat(self) -> NDArray[np.float64]:
        return self.schools["latitude_deg"].to_numpy(float)

    @property
    def on_terrain(self) -> NDArray[np.bool_]:
        return self.schools["on_terrain"].to_numpy(bool)

    def school(self, school_id: str) -> int:
        return int(np.flatnonzero(self.schools["school_id"].to_numpy() == school_id)[0])

    def cell(self, cell_id: str) -> int:
        return int(np.flatnonzero(self.cells["cell_id"].astype(str).to_numpy() == cell_id)[0])

    def run(
        self,
        radio: RadioSettings | None = None,
        service: ServiceSettings | None = None,
        on_terrain: NDArray[np.bool_] | None = None,
    ) -> tuple[pd.DataFrame, PathLoss, pd.DataFrame]:
        radio = radio or self.scenario.radio
        service = service or self.scenario.service
        on = self.on_terrain if on_terrain is None else on_terrain
        links, losses = evaluate_links(
            self.grid, cells=self.cells, school_lon_deg=self.lon, school_lat_deg=self.lat,
            school_on_terrain=on, radio=radio,
            cpe_height_m=self.scenario.defaults.school_antenna_height_m,
        )  # fmt: skip
        svc = school_service(
            links, losses, cells=self.cells, n_schools=len(self.schools),
            school_on_terrain=on, radio=radio, service=service,
        )  # fmt: skip
        return links, losses, svc


@pytest.fixture(scope="module")
def demo() -> Demo:
    scenario = load_scenario(None)
    with read_region(scenario) as region:
        grid = read_terrain_window(region)
        assert grid is not None
        assert region.towers is not None
        cells, notes = resolve_cells(
            region.towers.cells, region.towers.sites, radio=scenario.radio,
            tower_height_m=scenario.defaults.tower_height_m,
        )  # fmt: skip
        return Demo(
            scenario, grid, pd.DataFrame(region.schools), pd.DataFrame(region.towers.sites),
            cells, notes,
        )  # fmt: skip


@pytest.fixture(scope="module")
def baseline(demo: Demo) -> tuple[pd.DataFrame, PathLoss, pd.DataFrame]:
    return demo.run()


def _radio(demo: Demo, **update: Any) -> RadioSettings:
    return RadioSettings.model_validate({**demo.scenario.radio.model_dump(), **update})


# --------------------------------------------------------------------------------------
# Link budget by hand


def test_hand_computed_link_budget(demo: Demo, baseline: Any) -> None:
    links, _losses, _svc = baseline
    radio = demo.scenario.radio
    i_s, i_c = demo.school("CL-RBD-1148"), demo.cell("440496")
    cell = demo.cells.iloc[i_c]
    assert str(cell["site_id"]) == "10399"
    assert cell["technology_used"] == "LTE"
    # The tower file gives no EIRP, gain or azimuth for this cell: EIRP = 46 + 14 - 2.
    assert {"eirp", "gain", "azimuth(omni)"} <= set(cell["defaults_used"].split(","))
    assert cell["eirp_used_dbm"] == 46.0 + 14.0 - 2.0

    row = links[(links["school_index"] == i_s) & (links["cell_index"] == i_c)]
    assert len(row) == 1
    h_tx = float(cell["height_used_m"])
    h_rx = demo.scenario.defaults.school_antenna_height_m
    one = path_loss(
        demo.grid, tx_lon_deg=np.array([cell["longitude_deg"]], float),
        tx_lat_deg=np.array([cell["latitude_deg"]], float),
        rx_lon_deg=demo.lon[[i_s]], rx_lat_deg=demo.lat[[i_s]],
        h_tx_m=np.array([h_tx]), h_rx_m=h_rx, freq_mhz=np.array([cell["freq_used_mhz"]]),
        radio=radio,
    )  # fmt: skip
    loss = float(one.loss_db[0])
    assert 60.0 < loss < 200.0
    elevation = float(
        elevation_angle_deg(
            tx_height_amsl_m=one.tx_ground_m[0] + h_tx,
            rx_height_amsl_m=one.rx_ground_m[0] + h_rx,
            distance_m=one.distance_m[0],
        )
    )
    # Omnidirectional (no azimuth): one sector's power over 360° (-10 log10 3) plus the
    # vertical pattern at the school's elevation and the 3° downtilt (TR 36.814).
    inv = geodesic_inverse(
        lon1_deg=cell["longitude_deg"], lat1_deg=cell["latitude_deg"],
        lon2_deg=demo.lon[i_s], lat2_deg=demo.lat[i_s],
    )  # fmt: skip
    attenuation = float(
        pattern_attenuation_db(
            azimuth_to_target_deg=float(np.asarray(inv.azimuth_deg).ravel()[0]),
            elevation_to_target_deg=elevation,
            boresight_azimuth_deg=math.nan,
            downtilt_deg=3.0,
            h_beamwidth_deg=70.0,
            v_beamwidth_deg=10.0,
        )
    )
    expected = 46.0 + 14.0 - 2.0 - 10.0 * math.log10(3.0) + attenuation - loss + 12.0 - 1.0
    assert float(row["loss_db"].iloc[0]) == pytest.approx(loss, abs=1e-9)
    assert float(row["elevation_deg"].iloc[0]) == pytest.approx(elevation, abs=1e-9)
    assert float(row["tx_gain_dbi"].iloc[0]) == pytest.approx(
        14.0 - 10.0 * math.log10(3.0) + attenuation, abs=1e-9
    )
    assert float(row["rx_power_dbm"].iloc[0]) == pytest.approx(expected, abs=1e-9)


# --------------------------------------------------------------------------------------
# Path loss against the primitives


def _demo_paths(demo: Demo) -> dict[str, NDArray[np.float64]]:
    cells = demo.cells[demo.cells["evaluated"]]
    s_idx, c_idx, _d, _az = candidate_pairs(
        school_lon_deg=demo.lon, school_lat_deg=demo.lat,
        cell_lon_deg=cells["longitude_deg"].to_numpy(float),
        cell_lat_deg=cells["latitude_deg"].to_numpy(float), max_distance_m=35_000.0,
    )  # fmt: skip
    return {
        "tx_lon_deg": cells["longitude_deg"].to_numpy(float)[c_idx],
        "tx_lat_deg": cells["latitude_deg"].to_numpy(float)[c_idx],
        "rx_lon_deg": demo.lon[s_idx],
        "rx_lat_deg": demo.lat[s_idx],
        "h_tx_m": cells["height_used_m"].to_numpy(float)[c_idx],
        "freq_mhz": cells["freq_used_mhz"].to_numpy(float)[c_idx],
    }


def _loss(demo: Demo, paths: dict[str, NDArray[np.float64]], radio: RadioSettings) -> PathLoss:
    return path_loss(
        demo.grid, tx_lon_deg=paths["tx_lon_deg"], tx_lat_deg=paths["tx_lat_deg"],
        rx_lon_deg=paths["rx_lon_deg"], rx_lat_deg=paths["rx_lat_deg"], h_tx_m=paths["h_tx_m"],
        h_rx_m=6.0, freq_mhz=paths["freq_mhz"], radio=radio,
    )  # fmt: skip


def test_path_loss_itm_equals_direct_itm_call(demo: Demo) -> None:
    paths = _demo_paths(demo)
    radio = _radio(demo, reliability_pct=70.0, confidence_pct=60.0)
    ours = _loss(demo, paths, radio)
    profiles = sample_profiles(
        demo.grid, lon1_deg=paths["tx_lon_deg"], lat1_deg=paths["tx_lat_deg"],
        lon2_deg=paths["rx_lon_deg"], lat2_deg=paths["rx_lat_deg"],
    )  # fmt: skip
    ground = ground_constants(radio.ground)
    direct = itm_p2p_tls_profiles(
        profiles, h_tx_m=paths["h_tx_m"], h_rx_m=6.0, climate=CLIMATE_CODES[radio.climate],
        n_0_n_units=radio.surface_refractivity_n_units, freq_mhz=paths["freq_mhz"],
        polarization=1, epsilon_r=ground.epsilon_r, sigma_s_per_m=ground.sigma_s_per_m,
        mdvar=MDVAR_CODES[radio.variability_mode], time_pct=70.0, location_pct=70.0,
        situation_pct=60.0,
    )  # fmt: skip
    assert ours.model == "itm"
    assert paths["h_tx_m"].size > 100
    assert not ours.incomplete_profile.any()
    np.testing.assert_array_equal(ours.loss_db, direct.loss_db)
    np.testing.assert_array_equal(ours.mode, direct.mode)
    np.testing.assert_array_equal(ours.distance_m, profiles.distance_m)
    # Higher reliability → larger loss than the median.
    median = _loss(demo, paths, demo.scenario.radio)
    assert (ours.loss_db > median.loss_db).all()


def test_path_loss_free_space_and_p526(demo: Demo) -> None:
    paths = _demo_paths(demo)
    fs = _loss(demo, paths, _radio(demo, path_loss_model="free_space"))
    expected = free_space_loss_db(distance_m=fs.distance_m, freq_mhz=paths["freq_mhz"])
    np.testing.assert_allclose(fs.loss_db, expected, rtol=0, atol=1e-12)
    # P.525 eq. (6) by hand: 32.45 + 20 log10 f(MHz) + 20 log10 d(km).
    by_hand = 32.45 + 20 * np.log10(paths["freq_mhz"]) + 20 * np.log10(fs.distance_m / 1e3)
    np.testing.assert_allclose(fs.loss_db, by_hand, atol=0.01)
    assert np.isnan(fs.a_ref_db).all()
    p526 = _loss(demo, paths, _radio(demo, path_loss_model="p526"))
    assert (p526.loss_db >= fs.loss_db - 1e-9).all()
    assert (p526.loss_db > fs.loss_db + 1.0).any()  # the Andes do block some paths


def test_path_loss_off_grid_is_nan(demo: Demo) -> None:
    paths = {k: v[:2].copy() for k, v in _demo_paths(demo).items()}
    paths["rx_lon_deg"][1] += 5.0  # far outside the demo DEM
    out = _loss(demo, paths, demo.scenario.radio)
    assert out.incomplete_profile.tolist() == [False, True]
    assert np.isfinite(out.loss_db[0])
    assert np.isnan(out.loss_db[1])


# --------------------------------------------------------------------------------------
# Candidate pairs


@pytest.mark.parametrize("max_km", [0.5, 5.0, 20.0, 35.0])
def test_candidate_pairs_match_brute_force(demo: Demo, max_km: float) -> None:
    rng = np.random.default_rng(7)
    # Demo schools and cells plus random points around them (a denser test set).
    s_lon = np.concatenate([demo.lon, rng.uniform(-71.5, -70.5, 300)])
    s_lat = np.concatenate([demo.lat, rng.uniform(-32.8, -32.0, 300)])
    c_lon = np.concatenate([demo.cells["longitude_deg"].to_numpy(float),
                            rng.uniform(-71.5, -70.5, 60)])  # fmt: skip
    c_lat = np.concatenate([demo.cells["latitude_deg"].to_numpy(float),
                            rng.uniform(-32.8, -32.0, 60)])  # fmt: skip
    max_m = max_km * 1000.0
    si, ci, dist, az = candidate_pairs(
        school_lon_deg=s_lon, school_lat_deg=s_lat, cell_lon_deg=c_lon, cell_lat_deg=c_lat,
        max_distance_m=max_m,
    )  # fmt: skip
    ss, cc = np.meshgrid(np.arange(s_lon.size), np.arange(c_lon.size), indexing="ij")
    inv = geodesic_inverse(lon1_deg=c_lon[cc.ravel()], lat1_deg=c_lat[cc.ravel()],
                           lon2_deg=s_lon[ss.ravel()], lat2_deg=s_lat[ss.ravel()])  # fmt: skip
    within = inv.distance_m <= max_m
    brute = set(zip(ss.ravel()[within].tolist(), cc.ravel()[within].tolist(), strict=True))
    assert set(zip(si.tolist(), ci.tolist(), strict=True)) == brute
    assert len(brute) == si.size  # no duplicates
    flat = si * c_lon.size + ci
    np.testing.assert_allclose(dist, inv.distance_m[flat], rtol=0, atol=1e-6)
    np.testing.assert_allclose(az, np.mod(inv.azimuth_deg[flat], 360.0), rtol=0, atol=1e-9)
    assert ((az >= 0.0) & (az < 360.0)).all()


def test_candidate_pairs_empty_inputs() -> None:
    empty = np.zeros(0)
    out = candidate_pairs(
        school_lon_deg=empty, school_lat_deg=empty, cell_lon_deg=np.array([-71.0]),
        cell_lat_deg=np.array([-32.0]), max_distance_m=1e4,
    )  # fmt: skip
    assert all(a.size == 0 for a in out)
    far = candidate_pairs(
        school_lon_deg=np.array([-60.0]), school_lat_deg=np.array([-32.0]),
        cell_lon_deg=np.array([-71.0]), cell_lat_deg=np.array([-32.0]), max_distance_m=1e4,
    )  # fmt: skip
    assert all(a.size == 0 for a in far)


# --------------------------------------------------------------------------------------
# Cell parameters


def _cells_table(**overrides: list[Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    base: dict[str, list[Any]] = {
        "cell_id": ["a", "b", "c"],
        "site_id": ["s1", "s1", "s2"],
        "latitude_deg": [-32.4, -32.4, -32.5],
        "longitude_deg": [-71.0, -71.0, -70.9],
        "operator": ["Claro Chile", "CLARO", "Entel"],
        "technology": ["LTE", "GSM", "unknown"],
        "freq_mhz": [1900.0, math.nan, math.nan],
        "height_m": [45.0, math.nan, 20.0],
        "eirp_dbm": [61.5, math.nan, math.nan],
        "azimuth_deg": [120.0, math.nan, 10.0],
        "tilt_deg": [6.0, math.nan, math.nan],
        "antenna_gain_dbi": [17.0, math.nan, math.nan],
        "h_beamwidth_deg": [65.0, math.nan, math.nan],
        "v_beamwidth_deg": [7.0, math.nan, math.nan],
        "bandwidth_mhz": [20.0, 5.0, math.nan],
    }
    base.update(overrides)
    sites = pd.DataFrame({"site_id": ["s1", "s2"], "on_terrain": [True, True]})
    return pd.DataFrame(base), sites


def test_resolve_cells_tower_values_take_precedence() -> None:
    cells, sites = _cells_table()
    radio = RadioSettings()
    out, notes = resolve_cells(cells, sites, radio=radio, tower_height_m=30.0)
    a, b, c = (out.iloc[i] for i in range(3))
    # Cell a: everything from the tower file.
    assert (a["freq_used_mhz"], a["height_used_m"], a["eirp_used_dbm"]) == (1900.0, 45.0, 61.5)
    assert (a["azimuth_used_deg"], a["downtilt_used_deg"], a["gain_used_dbi"]) == (120.0, 6.0, 17.0)
    assert (a["h_beamwidth_used_deg"], a["v_beamwidth_used_deg"]) == (65.0, 7.0)
    assert a["bandwidth_used_mhz"] == 20.0
    assert math.isinf(a["peak_mbps"])
    assert a["defaults_used"] == ""
    # Cell b (GSM): defaults, and the fixed 200 kHz carrier whatever the file says.
    assert b["freq_used_mhz"] == 850.0
    assert b["height_used_m"] == 30.0
    assert b["eirp_used_dbm"] == radio.gsm_tx_power_dbm + radio.sector_gain_dbi - 2.0
    assert b["bandwidth_used_mhz"] == 0.2
    assert b["peak_mbps"] == radio.gsm_peak_mbps
    assert np.isnan(b["azimuth_used_deg"])
    assert set(b["defaults_used"].split(",")) == {
        "freq", "height", "gain", "eirp", "azimuth(omni)", "tilt", "h_beamwidth", "v_beamwidth"
    }  # fmt: skip
    # Cell c: unknown technology → the scenario's, with a note naming the cell.
    assert c["technology_used"] == radio.unknown_technology
    assert "technology" in c["defaults_used"].split(",")
    assert c["height_used_m"] == 20.0
    assert "height" not in c["defaults_used"].split(",")
    assert any("(c)" in n and radio.unknown_technology in n for n in notes)
    # Same operator (first word) and technology and frequency share a carrier id only.
    assert len(set(out["channel"])) == 3
    assert out["evaluated"].all()


def test_resolve_cells_unknown_technology_follows_scenario() -> None:
    cells, sites = _cells_table()
    out, _ = resolve_cells(
        cells, sites, radio=RadioSettings(unknown_technology="GSM"), tower_height_m=30.0
    )
    assert out["technology_used"].iloc[2] == "GSM"
    assert out["bandwidth_used_mhz"].iloc[2] == 0.2


def test_resolve_cells_channels_by_operator() -> None:
    cells, sites = _cells_table(technology=["LTE", "LTE", "LTE"], freq_mhz=[700.0] * 3)
    out, _ = resolve_cells(cells, sites, radio=RadioSettings(), tower_height_m=30.0)
    ch = out["channel"].to_numpy()
    assert ch[0] == ch[1] != ch[2]  # "Claro Chile" and "CLARO": one operator


def test_resolve_cells_demo_off_terrain_sites(demo: Demo) -> None:
    off = demo.cells[~demo.cells["evaluated"]]
    assert set(off["site_id"].astype(str)) == OFF_TERRAIN_SITES
    note = [n for n in demo.notes if "outside the terrain" in n]
    assert len(note) == 1
    assert all(site in note[0] for site in OFF_TERRAIN_SITES)
    assert not set(demo.cells["site_id"].astype(str).iloc[np.flatnonzero(~demo.cells[
        "on_terrain"].to_numpy(bool))]) ^ OFF_TERRAIN_SITES  # fmt: skip


def test_off_terrain_cells_make_no_links(demo: Demo, baseline: Any) -> None:
    links, _, _ = baseline
    off = np.flatnonzero(~demo.cells["evaluated"].to_numpy(bool))
    assert off.size == 3
    assert not np.isin(links["cell_index"].to_numpy(), off).any()


# --------------------------------------------------------------------------------------
# Service per school


def test_service_classes_follow_thresholds(demo: Demo, baseline: Any) -> None:
    _, _, svc = baseline
    service = demo.scenario.service
    on = demo.on_terrain
    dl = svc["downlink_mbps"].to_numpy()
    expected = np.where(
        dl >= service.good_mbps, "good", np.where(dl >= service.moderate_mbps, "moderate", "none")
    )
    assert (svc["service_class"].to_numpy()[on] == expected[on]).all()
    assert {"good", "moderate", "none"} <= set(svc["service_class"])
    # Raise the bar above the demo's best rate (33 Mbit/s): no school is good any more.
    strict = ServiceSettings(good_mbps=40.0, moderate_mbps=service.moderate_mbps)
    _, _, svc2 = demo.run(service=strict)
    assert "good" not in set(svc2["service_class"])
    was_good = svc["service_class"].to_numpy() == "good"
    assert (svc2["service_class"].to_numpy()[was_good] == "moderate").all()
    np.testing.assert_array_equal(svc2["downlink_mbps"].to_numpy(), dl)


def test_school_without_cells_in_reach_and_off_terrain(demo: Demo) -> None:
    i = demo.school("CL-RBD-42161")
    on = demo.on_terrain.copy()
    j = demo.school("CL-RBD-1148")
    on[j] = False  # pretend the DEM misses this school
    links, _, svc = demo.run(on_terrain=on)
    row = svc.iloc[i]
    assert row["service_class"] == "none"
    assert row["cells_in_reach"] == 0
    assert row["downlink_mbps"] == 0.0
    assert row["coverage_probability_pct"] == 0.0
    assert row["best_cell_id"] == ""
    assert np.isnan(row["sinr_db"])
    off = svc.iloc[j]
    assert off["service_class"] == "unknown"
    assert np.isnan(off["downlink_mbps"])
    assert np.isnan(off["coverage_probability_pct"])
    assert not (links["school_index"] == j).any()


def test_lte_downlink_is_cell_throughput_times_free_share(demo: Demo, baseline: Any) -> None:
    _, _, svc = baseline
    radio = demo.scenario.radio
    lte = svc["best_technology"].to_numpy() == "LTE"
    assert lte.sum() >= 4
    cell_mbps = cell_throughput_mbps(
        sinr_db=svc["sinr_db"].to_numpy()[lte], bandwidth_mhz=10.0, method="tr36942",
        overhead_fraction=0.25, mimo_layers=2,
    )  # fmt: skip
    np.testing.assert_allclose(
        svc["downlink_mbps"].to_numpy()[lte], np.asarray(cell_mbps) * (1.0 - radio.load_factor),
        rtol=1e-12,
    )  # fmt: skip
    # TR 36.942 cap: 4.4 bit/s/Hz x 10 MHz x 0.75 x 2 layers x (1 - 0.5) = 33 Mbit/s.
    high = lte & (svc["sinr_db"].to_numpy() > 30.0)
    assert high.any()
    np.testing.assert_allclose(svc["downlink_mbps"].to_numpy()[high], 33.0, rtol=1e-12)


def test_share_cell_among_schools(demo: Demo, baseline: Any) -> None:
    _, _, alone = baseline
    _, _, shared = demo.run(radio=_radio(demo, share_cell_among_schools=True))
    n = alone["schools_on_cell"].to_numpy()
    np.testing.assert_array_equal(shared["schools_on_cell"].to_numpy(), n)
    served = n > 0
    assert (n[served] > 1).any()
    np.testing.assert_allclose(
        shared["downlink_mbps"].to_numpy()[served],
        alone["downlink_mbps"].to_numpy()[served] / n[served], rtol=1e-12,
    )  # fmt: skip
    assert (shared["best_cell_id"] == alone["best_cell_id"]).all()
    # schools_on_cell counts the schools whose best server is that cell.
    counts = alone[served].groupby("best_cell_id").size()
    assert (alone["schools_on_cell"][served] == alone["best_cell_id"][served].map(counts)).all()


# --------------------------------------------------------------------------------------
# Probability of coverage


def test_probability_range_and_monotonic(demo: Demo, baseline: Any) -> None:
    _, _, svc = baseline
    on = demo.on_terrain
    for column in ("coverage_probability_pct", "good_probability_pct"):
        p = svc[column].to_numpy()[on]
        assert ((p >= 0.0) & (p <= 99.9)).all(), column
    # good needs more Mbit/s than moderate: never more probable.
    assert (svc["good_probability_pct"] <= svc["coverage_probability_pct"] + 1e-9)[on].all()
    service = demo.scenario.service
    easier = ServiceSettings(good_mbps=service.good_mbps, moderate_mbps=0.5)
    _, _, svc2 = demo.run(service=easier)
    before, after = svc["coverage_probability_pct"], svc2["coverage_probability_pct"]
    assert (after >= before - 1e-9)[on].all()
    assert (after > before + 1e-6)[on].any()
    # A high-SINR LTE school carries 1 Mbit/s almost surely.
    assert svc.loc[demo.school("CL-RBD-1148"), "coverage_probability_pct"] > 99.0


def test_probability_is_fifty_at_zero_margin(demo: Demo, baseline: Any) -> None:
    links, losses, _ = baseline
    radio = demo.scenario.radio
    assert radio.reliability_pct == 50.0
    assert radio.confidence_pct == 50.0
    ok = np.flatnonzero(np.isfinite(losses.loss_db))
    freq = demo.cells["freq_used_mhz"].to_numpy(float)[links["cell_index"].to_numpy()]
    q = reliability_meeting_loss_pct(
        max_loss_db=losses.loss_db[ok], losses=losses, index=ok, freq_mhz=freq, radio=radio
    )
    # Linear interpolation on the 0.5 % grid: within half a step of 50 %.
    np.testing.assert_allclose(q, 50.0, atol=0.5)
    more = reliability_meeting_loss_pct(
        max_loss_db=losses.loss_db[ok] + 6.0, losses=losses, index=ok, freq_mhz=freq, radio=radio
    )
    assert (more > q).all()
    less = reliability_meeting_loss_pct(
        max_loss_db=losses.loss_db[ok] - 6.0, losses=losses, index=ok, freq_mhz=freq, radio=radio
    )
    assert (less < q).all()
    missing = reliability_meeting_loss_pct(
        max_loss_db=np.array([100.0]), losses=losses, index=np.array([-1]), freq_mhz=freq,
        radio=radio,
    )  # fmt: skip
    assert np.isnan(missing).all()


def test_probability_is_nan_for_free_space(demo: Demo) -> None:
    _, losses, svc = demo.run(radio=_radio(demo, path_loss_model="free_space"))
    assert losses.model == "free_space"
    served = svc["best_cell_id"].to_numpy() != ""
    assert served.any()
    assert svc["coverage_probability_pct"][served].isna().all()


# --------------------------------------------------------------------------------------
# Demo facts


def test_demo_los_andes_school_has_no_cell_in_reach(demo: Demo, baseline: Any) -> None:
    _, _, svc = baseline
    i = demo.school("CL-RBD-42161")
    cells = demo.cells[demo.cells["evaluated"]]
    inv = geodesic_inverse(
        lon1_deg=cells["longitude_deg"].to_numpy(float),
        lat1_deg=cells["latitude_deg"].to_numpy(float), lon2_deg=demo.lon[i], lat2_deg=demo.lat[i],
    )  # fmt: skip
    assert inv.distance_m.min() > 35_000.0
    assert svc.loc[i, "service_class"] == "none"
    assert svc.loc[i, "cells_in_reach"] == 0


def test_demo_schools_near_claro_lte_sites_get_lte(demo: Demo, baseline: Any) -> None:
    _, _, svc = baseline
    site_ids = demo.sites["site_id"].astype(str).to_numpy()
    site_lon = demo.sites["longitude_deg"].to_numpy(float)
    site_lat = demo.sites["latitude_deg"].to_numpy(float)
    near: set[int] = set()
    for site in ("10399", "10369"):
        inv = geodesic_inverse(
            lon1_deg=site_lon[site_ids == site][0],
            lat1_deg=site_lat[site_ids == site][0],
            lon2_deg=demo.lon, lat2_deg=demo.lat,
        )  # fmt: skip
        near |= set(np.flatnonzero((inv.distance_m <= 2_000.0) & demo.on_terrain).tolist())
    assert len(near) >= 3
    rows = svc.iloc[sorted(near)]
    assert (rows["best_technology"] == "LTE").all(), rows
    assert (rows["sinr_db"] > 0.0).all(), rows
    assert rows["best_site_id"].isin(["10399", "10369"]).all()
