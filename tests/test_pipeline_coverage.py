"""Main job v1 end to end: coverage outputs on the demo, a greenfield region and a region
without terrain (real data)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from typer.testing import CliRunner

from alcance.cli import app
from alcance.io import scenario_from_dict
from alcance.pipeline import load_scenario, run_main_job


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("demo")
    result = run_main_job(load_scenario(None), output_dir=out)
    return out, result


def test_demo_schools_layer_has_coverage_columns(demo_run: tuple[Path, object]) -> None:
    out, _ = demo_run
    schools = gpd.read_file(out / "schools.gpkg", layer="schools")
    assert len(schools) == 19
    for column in (
        "service_class",
        "downlink_mbps",
        "uplink_mbps",
        "rsrp_dbm",
        "sinr_db",
        "coverage_probability_pct",
        "best_site_id",
        "best_distance_km",
        "geo_forward_mbps",
        "geo_return_mbps",
        "geo_availability_pct",
        "geo_beam_id",
        "geo_capex_usd",
        "geo_opex_usd_per_year",
    ):
        assert column in schools.columns, column
    assert set(schools["service_class"]) <= {"good", "moderate", "none", "unknown"}
    good = schools["service_class"] == "good"
    assert (schools.loc[good, "downlink_mbps"] >= 20).all()
    assert (schools.loc[~good, "downlink_mbps"].fillna(0) < 20).all()
    # The two Claro LTE sites serve the schools next to them (Petorca town, < 2 km).
    near = schools["best_distance_km"] < 2.0
    assert (
        schools.loc[near & (schools["best_technology"] == "LTE"), "service_class"] != "none"
    ).all()
    # Los Andes school (CL-RBD-42161) has no cell within 35 km.
    far = schools.set_index("school_id").loc["CL-RBD-42161"]
    assert far["service_class"] == "none"
    assert far["cells_in_reach"] == 0
    probability = schools["coverage_probability_pct"]
    assert ((probability >= 0) & (probability <= 99.9)).all()
    # GEO at 61 W clears every demo school: the chosen MODCOD holds at least the target
    assert (schools["geo_availability_pct"] >= 99.5).all()
    assert (schools["geo_return_mbps"] > 0).all()
    links = gpd.read_file(out / "schools.gpkg", layer="links")
    # every evaluated link is from a cell on the terrain: the 3 off-terrain sites are absent
    assert not set(links["site_id"]) & {"13026", "13028", "19775"}
    assert (links["distance_km"] <= 35.0 + 1e-9).all()


def test_demo_coverage_cog(demo_run: tuple[Path, object]) -> None:
    out, _ = demo_run
    with rasterio.open(out / "coverage.tif") as src:
        assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        assert src.crs.to_epsg() == 4326
        assert src.descriptions == ("rsrp_dbm", "sinr_db", "downlink_mbps", "service_class")
        cls = src.read(4)
        mbps = src.read(3)
        assert src.overviews(1)  # overviews for QGIS
    codes = set(np.unique(cls[np.isfinite(cls)]).astype(int))
    assert codes <= {1, 2, 3}
    assert {1, 3} <= codes
    assert np.all(mbps[cls == 3] >= 20.0)
    assert np.all(mbps[cls == 1] < 1.0)


def test_demo_indicators_and_report(demo_run: tuple[Path, object]) -> None:
    out, result = demo_run
    doc = json.loads((out / "indicators.json").read_text())["indicators"]
    assert doc["sdg_9c1_population_covered"]["computable"] is False
    school = doc["sdg_4a1_schools_connectable"]
    schools = result.schools  # type: ignore[attr-defined]
    functioning = schools["is_operational"].astype("boolean").fillna(True).to_numpy(dtype=bool)
    meeting = int(((schools["service_class"] == "good").to_numpy() & functioning).sum())
    assert school["values"]["schools_meeting"] == meeting
    assert school["denominators"]["schools_functioning"] == int(functioning.sum())

    class Circles(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if tag == "circle" and a.get("data-school-id"):
                self.ids.append(str(a["data-school-id"]))

    parser = Circles()
    parser.feed((out / "report.html").read_text(encoding="utf-8"))
    assert sorted(parser.ids) == sorted(schools["school_id"].astype(str))


def test_greenfield_region_says_so(shared_data: Path, tmp_path: Path) -> None:
    box = shared_data / "chile-santiago-andes" / "demo-box"
    scenario = scenario_from_dict(
        {
            "region": {
                "name": "Santiago Andes box",
                "schools": str(box / "schools.csv"),
                "dem": [str(box / "dem.tif")],
            }
        }
    )
    result = run_main_job(scenario, output_dir=tmp_path)
    assert result.summary.coverage is not None
    assert result.summary.coverage.greenfield
    on = result.schools["on_terrain"].to_numpy(dtype=bool)
    assert (result.schools.loc[on, "service_class"] == "none").all()
    assert any("greenfield" in n for n in result.summary.notes)
    with rasterio.open(tmp_path / "coverage.tif") as src:
        cls = src.read(4)
    assert set(np.unique(cls[np.isfinite(cls)]).astype(int)) == {1}


def test_region_without_terrain_predicts_nothing(shared_data: Path, tmp_path: Path) -> None:
    ibiza = shared_data / "itu-fns-ibiza"
    scenario = scenario_from_dict(
        {
            "region": {
                "name": "Ibiza",
                "schools": str(ibiza / "points-of-interest.csv"),
                "towers": str(ibiza / "cell-sites.csv"),
            }
        }
    )
    result = run_main_job(scenario, output_dir=tmp_path)
    assert (result.schools["service_class"] == "unknown").all()
    assert not (tmp_path / "coverage.tif").exists()
    assert any("no terrain" in n for n in result.summary.notes)


def test_cli_runs_a_scenario_given_on_the_command_line(shared_data: Path, tmp_path: Path) -> None:
    box = shared_data / "chile-santiago-andes" / "demo-box"
    toml = tmp_path / "box.toml"
    toml.write_text(
        f'[region]\nname = "box"\nschools = "{(box / "schools.csv").as_posix()}"\n'
        f'dem = ["{(box / "dem.tif").as_posix()}"]\n[radio]\nmax_distance_m = 20000\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["--scenario", str(toml), "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "greenfield" in res.output
    assert {p.name for p in out.iterdir()} == {
        "coverage.tif",
        "indicators.json",
        "plan.csv",
        "plan.gpkg",
        "report.html",
        "schools.gpkg",
        "summary.json",
    }
