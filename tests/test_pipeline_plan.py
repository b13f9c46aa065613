"""Main job, plan outputs: plan.gpkg, plan.csv, indicators after the plan, the budget
sweep and the report, on the demo, a region with fibre nodes, a greenfield region and a
region without terrain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from alcance.backhaul.candidates import CANDIDATE_KINDS
from alcance.backhaul.graph import ROUTE_KINDS
from alcance.io import demo_dir, scenario_from_dict
from alcance.pipeline import JobResult, load_scenario, run_main_job
from alcance.planning import OPTION_KINDS

PLAN_KINDS = {*OPTION_KINDS, "already_connected", "not_connected"}
PLAN_LAYERS = {"plan_schools", "new_sites", "candidate_sites", "microwave_hops", "backhaul_routes"}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, JobResult]:
    out = tmp_path_factory.mktemp("demo_plan")
    return out, run_main_job(load_scenario(None), output_dir=out)


def _layers(path: Path) -> set[str]:
    return {str(name) for name in pyogrio.list_layers(path)[:, 0]}


def _connected(plan: pd.DataFrame) -> pd.Series:
    return plan["option_kind"].isin(OPTION_KINDS)


def _check_plan_csv(out: Path, result: JobResult) -> pd.DataFrame:
    """Checks every run shares: one row per school, demand met, totals as in plan.csv."""
    plan = pd.read_csv(out / "plan.csv", dtype={"school_id": str})
    assert list(plan["school_id"]) == list(result.schools["school_id"].astype(str))
    for column in ("option_kind", "mbps", "demand_mbps", "capex_usd", "npv_usd"):
        assert column in plan.columns, column
    assert set(plan["option_kind"]) <= PLAN_KINDS
    on = _connected(plan)
    # every connected school's option delivers its demand
    assert (plan.loc[on, "mbps"] >= plan.loc[on, "demand_mbps"]).all()
    assert (plan.loc[~on, ["capex_usd", "npv_usd"]] == 0).all().all()
    totals = result.plan
    assert totals is not None
    counts = plan["option_kind"].value_counts()
    assert totals["schools_by_option"] == {k: int(counts.get(k, 0)) for k in OPTION_KINDS}
    assert totals["schools_connected_after"] == totals["schools_connected_before"] + int(on.sum())
    assert totals["schools_not_connected"] == len(plan) - totals["schools_connected_after"]
    if totals["budget_usd"] is not None:
        assert totals["cost_in_metric_usd"] <= totals["budget_usd"] * (1 + 1e-6)
    return plan


def test_demo_plan_geopackage(demo_run: tuple[Path, JobResult]) -> None:
    out, result = demo_run
    gpkg = out / "plan.gpkg"
    assert _layers(gpkg) == PLAN_LAYERS
    schools = gpd.read_file(gpkg, layer="plan_schools")
    assert len(schools) == len(result.schools) == 19
    assert set(schools["option_kind"]) <= PLAN_KINDS
    assert (schools.geom_type == "Point").all()
    candidates = gpd.read_file(gpkg, layer="candidate_sites")
    assert len(candidates) > 0
    assert set(candidates["kind"]) <= {*CANDIDATE_KINDS, "school_mast", "tower_upgrade"}
    hops = gpd.read_file(gpkg, layer="microwave_hops")
    assert len(hops) > 0
    assert (hops.geom_type == "LineString").all()
    assert hops["feasible"].dtype == bool
    assert hops["feasible"].any()
    routes = gpd.read_file(gpkg, layer="backhaul_routes")
    assert len(routes) > 0
    assert set(routes["kind"]) <= set(ROUTE_KINDS)
    new_sites = gpd.read_file(gpkg, layer="new_sites")
    assert result.plan is not None
    assert len(new_sites) == result.plan["new_sites"]
    # a chosen route belongs to a built site
    chosen = routes.loc[routes["chosen"].astype(bool), "site_id"].astype(str)
    assert set(chosen) <= set(new_sites.get("candidate_id", pd.Series(dtype=str)).astype(str))


def test_demo_plan_csv_and_totals(demo_run: tuple[Path, JobResult]) -> None:
    out, result = demo_run
    plan = _check_plan_csv(out, result)
    assert result.plan is not None
    assert result.plan["status"] == "Optimal"
    assert result.plan["schools_connected_after"] > 0
    if result.plan["backhaul_links"] == 0:
        new_sites = gpd.read_file(out / "plan.gpkg", layer="new_sites")
        in_files = plan["npv_usd"].sum() + (new_sites["npv_usd"].sum() if len(new_sites) else 0)
        assert result.plan["cost_in_metric_usd"] == pytest.approx(in_files, rel=1e-9)


def test_demo_school_in_recess_keeps_its_reason(demo_run: tuple[Path, JobResult]) -> None:
    out, _ = demo_run
    plan = pd.read_csv(out / "plan.csv", dtype={"school_id": str}).set_index("school_id")
    # CL-RBD-14329 is 'in_recess' in the demo's schools.csv
    assert plan.loc["CL-RBD-14329", "option_kind"] == "not_connected"
    assert "not functioning" in str(plan.loc["CL-RBD-14329", "option_detail"])


def test_demo_indicators_after_plan(demo_run: tuple[Path, JobResult]) -> None:
    out, result = demo_run
    doc = json.loads((out / "indicators.json").read_text(encoding="utf-8"))
    assert "after_plan" in doc
    assert doc["plan"] == result.plan
    key = "sdg_4a1_schools_connectable"
    before = doc["indicators"][key]["values"]
    after = doc["after_plan"]["indicators"][key]["values"]
    assert after["schools_meeting"] >= before["schools_meeting"]
    assert after["students_meeting"] >= before["students_meeting"]
    # here the plan connects schools that were not connectable today
    assert after["schools_meeting"] > before["schools_meeting"]


def test_demo_budget_sweep(demo_run: tuple[Path, JobResult]) -> None:
    out, result = demo_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    sweep = pd.DataFrame(summary["plan"]["budget_sweep"]).sort_values("budget_usd")
    assert len(sweep) >= 2
    assert result.plan is not None
    assert result.plan["budget_usd"] in set(sweep["budget_usd"])
    weight = sweep["weight_connected"].to_numpy(dtype=float)
    assert np.all(np.diff(weight) >= -1e-9)
    assert np.all(weight >= sweep["greedy_weight"].to_numpy(dtype=float) - 1e-9)
    assert np.all(sweep["cost_usd"] <= sweep["budget_usd"] * (1 + 1e-6))
    at_budget = sweep.loc[sweep["budget_usd"] == result.plan["budget_usd"]].iloc[0]
    assert at_budget["weight_connected"] == pytest.approx(result.plan["objective_weight"])
    assert result.plan["objective_weight"] >= result.plan["greedy_weight"] - 1e-9


def test_demo_report_has_the_plan(demo_run: tuple[Path, JobResult]) -> None:
    out, _ = demo_run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="plan"' in html
    assert 'id="cost-coverage-chart"' in html


def _fibre_scenario(tmp_path: Path, extra: str = "") -> Path:
    demo = demo_dir()
    nodes = tmp_path / "fibre_nodes.csv"
    # near Petorca town and Chincolco, inside the demo DEM
    nodes.write_text(
        "node_id,name,lat,lon\nFN1,Petorca,-32.25,-70.93\nFN2,Chincolco,-32.23,-70.83\n",
        encoding="utf-8",
    )
    toml = tmp_path / "fibre.toml"
    toml.write_text(
        "[region]\n"
        'name = "Petorca with fibre"\n'
        f'schools = "{(demo / "schools.csv").as_posix()}"\n'
        f'towers = "{(demo / "towers.csv").as_posix()}"\n'
        f'dem = ["{(demo / "dem.tif").as_posix()}"]\n'
        'fibre_nodes = "fibre_nodes.csv"\n'
        "\n[plan]\nbudget_usd = 300000\n" + extra,
        encoding="utf-8",
    )
    return toml


def test_region_with_fibre_nodes_offers_fibre(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_main_job(load_scenario(_fibre_scenario(tmp_path)), output_dir=out)
    plan = _check_plan_csv(out, result)
    assert result.plan is not None
    assert result.plan["budget_usd"] == 300_000
    routes = gpd.read_file(out / "plan.gpkg", layer="backhaul_routes")
    # fibre links from candidate sites to the nodes
    assert (routes["kind"].isin(["fibre", "mixed"])).any()
    fibre = plan.loc[plan["option_kind"] == "fibre"]
    assert len(fibre) > 0
    assert fibre["option_detail"].str.contains("fn-FN").all()
    assert (fibre["mbps"] >= fibre["demand_mbps"]).all()


def test_towers_not_pops_still_plans(tmp_path: Path) -> None:
    extra = "sweep_points = 0\n\n[backhaul]\nexisting_towers_are_pops = false\n"
    out = tmp_path / "out"
    result = run_main_job(load_scenario(_fibre_scenario(tmp_path, extra)), output_dir=out)
    _check_plan_csv(out, result)
    assert any("not taken as points of presence" in n for n in result.summary.notes)
    assert result.plan is not None
    assert result.plan["schools_connected_after"] > 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["plan"]["budget_sweep"] == []
    # the fibre nodes are still points of presence: every backhaul route ends at one
    routes = gpd.read_file(out / "plan.gpkg", layer="backhaul_routes")
    assert len(routes) > 0
    assert routes["pop_id"].astype(str).str.startswith("fn-").all()


@pytest.mark.shared
def test_greenfield_plan_has_no_existing_options(shared_data: Path, tmp_path: Path) -> None:
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
    plan = _check_plan_csv(tmp_path, result)
    assert "existing" not in set(plan["option_kind"])
    assert result.plan is not None
    assert result.plan["schools_by_option"]["existing"] == 0
    # no towers and no fibre nodes: nothing to backhaul a new site to
    assert any("no point of presence" in n for n in result.summary.notes)
    assert result.plan["new_sites"] == 0
    assert _layers(tmp_path / "plan.gpkg") >= {"plan_schools", "new_sites", "candidate_sites"}


def test_region_without_terrain_plans_satellite_or_nothing(tmp_path: Path) -> None:
    demo = demo_dir()
    scenario = scenario_from_dict(
        {"region": {"name": "Petorca, no DEM", "schools": str(demo / "schools.csv")}}
    )
    result = run_main_job(scenario, output_dir=tmp_path)
    notes: list[str] = result.summary.notes
    assert any("candidate sites and microwave hops cannot be assessed" in n for n in notes)
    plan = _check_plan_csv(tmp_path, result)
    assert set(plan["option_kind"]) <= {"satellite", "not_connected", "already_connected"}
    candidates = gpd.read_file(tmp_path / "plan.gpkg", layer="candidate_sites")
    assert len(candidates) == 0
    totals: dict[str, Any] | None = result.plan
    assert totals is not None
    assert totals["new_sites"] == 0
    assert totals["backhaul_links"] == 0


def test_demo_report_renders_in_chromium(demo_run: tuple[Path, JobResult]) -> None:
    """The main job's own report.html: no console errors, map and chart on screen,
    one circle per school inside the map, screenshot taken."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.test_report_browser import CHROMIUM_ARGS, _chromium

    out, result = demo_run
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on(
                "console",
                lambda m: (
                    errors.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
                ),
            )
            page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            page.goto((out / "report.html").resolve().as_uri())
            page.wait_for_load_state("load")
            map_box = page.locator("#map").bounding_box()
            chart_box = page.locator("#cost-coverage-chart").bounding_box()
            circles = page.locator("#map circle[data-school-id]")
            n_circles = circles.count()
            boxes = [circles.nth(i).bounding_box() for i in range(n_circles)]
            shot = out / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert not errors, errors
    assert map_box is not None
    assert map_box["width"] > 300
    assert map_box["height"] > 200
    assert chart_box is not None
    assert chart_box["width"] > 200
    assert n_circles == len(result.schools)
    for box in boxes:
        assert box is not None
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        assert map_box["x"] <= cx <= map_box["x"] + map_box["width"]
        assert map_box["y"] <= cy <= map_box["y"] + map_box["height"]
    assert shot.stat().st_size > 10_000
