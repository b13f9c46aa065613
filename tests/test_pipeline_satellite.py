"""The main job's GEO line-of-sight stage on the demo and on real Andes terrain."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np

from alcance.io import read_region, scenario_from_dict
from alcance.pipeline import geo_line_of_sight, load_scenario, read_terrain_window, run_main_job
from alcance.satellite.visibility import unseen_terrain_bound_deg


def test_demo_writes_schools_layer_with_geo_columns(tmp_path: Path) -> None:
    result = run_main_job(load_scenario(None), output_dir=tmp_path)
    layer = gpd.read_file(tmp_path / "schools.gpkg", layer="schools")
    assert len(layer) == 19
    for column in (
        "geo_azimuth_deg",
        "geo_elevation_deg",
        "geo_horizon_deg",
        "geo_clearance_deg",
        "geo_status",
    ):
        assert column in layer.columns
    # Petorca (32.3° S, 70.9° W) sees 61° W at ~51° elevation, a little east of north.
    assert np.all((layer["geo_elevation_deg"] > 50) & (layer["geo_elevation_deg"] < 52))
    assert np.all((layer["geo_azimuth_deg"] > 15) & (layer["geo_azimuth_deg"] < 20))
    sat = result.summary.satellite
    assert sat is not None
    assert sum(sat.counts.values()) == 19
    # Horizon searches leave the DEM to the north, but no terrain on Earth beyond
    # ~25 km can reach 50°: the bound makes them clear rather than "unverified".
    assert sat.counts["clear"] == 19
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "coverage.tif",
        "indicators.json",
        "plan.csv",
        "plan.gpkg",
        "report.html",
        "schools.gpkg",
        "summary.json",
    ]
    # Forward link: every school clear, so every school gets the same DVB-S2 carrier
    # rate = symbol rate × MODCOD efficiency, with a few tenths of a dB of atmosphere.
    assert np.all(
        (layer["geo_atmospheric_loss_db"] > 0.05) & (layer["geo_atmospheric_loss_db"] < 3.0)
    )
    scenario = load_scenario(None).satellite
    assert np.all(layer["geo_es_n0_db"] < scenario.interference_cn_db)
    assert np.all(layer["geo_forward_mbps"] > scenario.symbol_rate_mbaud)  # > 1 bit/symbol
    assert np.all(layer["geo_forward_mbps"] < scenario.symbol_rate_mbaud * 4.5)
    assert sat.forward_mbps_min is not None
    assert sat.availability_pct == scenario.availability_pct


def test_forward_link_is_zero_when_blocked_and_follows_eirp(shared_data: Path) -> None:
    from alcance.pipeline import geo_forward_link
    from alcance.scenario import SatelliteSettings

    base = SatelliteSettings()
    lat = np.array([-33.8])
    lon = np.array([-70.2])
    kwargs = {
        "lat_deg": lat,
        "lon_deg": lon,
        "site_height_m": np.array([1200.0]),
        "slant_range_m": np.array([37_500e3]),
    }
    low = geo_forward_link(elevation_deg=np.array([3.0]), settings=base, **kwargs)
    assert low["geo_forward_mbps"][0] == 0.0
    assert np.isnan(low["geo_atmospheric_loss_db"][0])
    weak = geo_forward_link(
        elevation_deg=np.array([40.0]),
        settings=base.model_copy(update={"satellite_eirp_dbw": 40.0}),
        **kwargs,
    )
    strong = geo_forward_link(elevation_deg=np.array([40.0]), settings=base, **kwargs)
    assert weak["geo_es_n0_db"][0] < strong["geo_es_n0_db"][0]
    assert weak["geo_forward_mbps"][0] <= strong["geo_forward_mbps"][0]


def test_blocked_and_clear_schools_in_the_maipo_valley(shared_data: Path) -> None:
    box = shared_data / "chile-santiago-andes" / "demo-box"
    scenario = scenario_from_dict(
        {
            "region": {"schools": str(box / "schools.csv"), "dem": [str(box / "dem.tif")]},
            "terrain": {"schools_off_terrain": "flag"},
            # Eutelsat 117 West A: low in the north-west from the Cajón del Maipo.
            "satellite": {"geo_longitude_deg": -116.8, "min_elevation_deg": 5.0},
        }
    )
    with read_region(scenario) as region:
        grid = read_terrain_window(region)
        table, summary = geo_line_of_sight(region, grid)
        ids = region.schools["school_id"].to_numpy()
    status = dict(zip(ids, table["geo_status"], strict=True))
    clearance = dict(zip(ids, table["geo_clearance_deg"], strict=True))
    # Las Melosas sits under a ridge 1.5 km away rising to ~33° (tests/terrain/test_horizon.py
    # checks the angle independently along a sampled profile).
    assert status["CL-RBD-10538"] == "blocked"
    assert clearance["CL-RBD-10538"] < -5
    assert status["CL-RBD-10530"] == "clear"
    assert clearance["CL-RBD-10530"] > 15
    assert "CL-RBD-10538" in summary.blocked_school_ids
    assert summary.counts["blocked"] >= 1


def test_unseen_terrain_bound() -> None:
    bound = unseen_terrain_bound_deg(
        site_height_amsl_m=[0.0, 8848.86, 500.0], unseen_distance_m=[8848.86, 1000.0, 0.0]
    )
    assert np.allclose(bound, [45.0, 0.0, 90.0])
