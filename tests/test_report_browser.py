"""The plan report rendered by a real browser: headless Chromium through Playwright.

Checks what the string-level tests in ``test_report.py`` cannot: the page loads without
console errors or network requests, the map and the cost–coverage chart have a size on
screen, every school circle lies inside the map, and the circles are painted in their
option's colour (read back from a screenshot, not from the DOM).
"""

from __future__ import annotations

import math
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile

from alcance.io import open_dem, read_schools, read_towers
from alcance.io.region import demo_dir
from alcance.report import OPTION_COLOURS, PlanReport, render_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
OPTIONS = [
    "existing",
    "new_site",
    "satellite",
    "fibre",
    "microwave",
    "already_connected",
    "not_connected",
]


def _chromium() -> str:
    if CHROMIUM.is_file():
        return str(CHROMIUM)
    found = shutil.which("chromium")
    if found is None:
        pytest.skip("Chromium is not installed (/usr/bin/chromium or chromium on PATH)")
    return found


def _plan(schools: pd.DataFrame) -> PlanReport:
    """Synthetic plan over the demo schools: every option, two new sites, three links."""
    n = len(schools)
    lon = schools["longitude_deg"].to_numpy(float)
    lat = schools["latitude_deg"].to_numpy(float)
    budget = np.linspace(0.0, 2e6, 9)
    return PlanReport(
        schools=pd.DataFrame(
            {
                "school_id": schools["school_id"].to_numpy(),
                "name": schools["name"].to_numpy(),
                "longitude_deg": lon,
                "latitude_deg": lat,
                "students": schools["students"].to_numpy(),
                "admin_area": schools["admin_area"].to_numpy(),
                "option_kind": [OPTIONS[i % len(OPTIONS)] for i in range(n)],
                "option_detail": [f"site hp-{i:04d} @30 m" for i in range(n)],
                "demand_mbps": 20.0,
                "mbps": np.linspace(5.0, 50.0, n),
                "capex_usd": np.linspace(1e3, 9e4, n),
                "npv_usd": np.linspace(2e3, 1.2e5, n),
            }
        ),
        new_sites=pd.DataFrame(
            {
                "site_id": ["hp-0001", "hp-0002"],
                "longitude_deg": [lon.mean(), lon.mean() + 0.05],
                "latitude_deg": [lat.mean(), lat.mean() - 0.05],
                "kind": ["high_point", "ridge"],
                "mast_height_m": [30.0, 24.0],
                "schools_served": [3, 2],
                "capex_usd": [8e4, math.nan],
                "npv_usd": [1.2e5, 9e4],
                "backhaul": ["microwave", "fibre"],
            }
        ),
        links=pd.DataFrame(
            {
                "kind": ["microwave", "fibre", "access"],
                "lon_a_deg": [lon[0], lon[1], lon.mean()],
                "lat_a_deg": [lat[0], lat[1], lat.mean()],
                "lon_b_deg": [lon.mean(), lon.mean() + 0.05, lon[2]],
                "lat_b_deg": [lat.mean(), lat.mean() - 0.05, lat[2]],
            }
        ),
        sweep=pd.DataFrame(
            {
                "budget_usd": budget,
                "weight_connected": 3000 + 6000 * (1 - np.exp(-budget / 6e5)),
                "schools_connected": np.round(5 + 10 * (1 - np.exp(-budget / 6e5))),
                "greedy_weight": 3000 + 5200 * (1 - np.exp(-budget / 6.25e5)),
                "mip_gap": 0.001,
            }
        ),
        budget_usd=1.2e6,
        objective="maximise students connected within the budget (NPV, 10 years, 8 %)",
        metric="NPV",
        totals={
            "students_connected_before": 3000,
            "students_connected_after": 8100,
            "schools_connected_before": 5,
            "schools_connected_after": 14,
            "capex_usd": 9.5e5,
            "npv_usd": 1.19e6,
            "mip_gap": 0.0008,
            "solver": "HiGHS",
            "greedy_students": 7400,
            "gain_students": 700,
            "gain_pct": 9.46,
        },
    )


def _read_png(path: Path) -> NDArray[np.uint8]:
    """``(rows, cols, bands)`` pixels of a PNG file (GDAL's PNG driver)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile(path.read_bytes()) as memfile, memfile.open() as src:
            data: NDArray[np.uint8] = np.moveaxis(src.read(), 0, 2)
    return data


def _rgb(colour: str) -> tuple[int, int, int]:
    code = colour.lstrip("#")
    return int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16)


_BOX_JS = """
el => { const r = el.getBoundingClientRect();
        return {x: r.left + window.scrollX, y: r.top + window.scrollY,
                width: r.width, height: r.height}; }
"""


def test_plan_report_renders_in_chromium(tmp_path: Path) -> None:
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

    with open_dem(demo_dir() / "dem.tif") as dem:
        terrain = dem.read_all()
    schools, _ = read_schools(demo_dir() / "schools.csv")
    towers, _ = read_towers(demo_dir() / "towers.csv")
    sites = pd.DataFrame(towers.sites.drop(columns="geometry"))
    plan = _plan(schools)
    doc = render_report(
        title="Demo plan",
        schools=schools,
        sites=sites,
        terrain=terrain,
        coverage=None,
        indicators={},
        summary={},
        assumptions=[],
        plan=plan,
    )
    page_path = tmp_path / "report.html"
    page_path.write_text(doc, encoding="utf-8")
    shot = tmp_path / "report.png"

    problems: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            page.on(
                "console",
                lambda m: (
                    problems.append(f"{m.type}: {m.text}")
                    if m.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri(), wait_until="load")

            map_box: dict[str, float] = page.locator("#map").evaluate(_BOX_JS)
            chart_box: dict[str, float] = page.locator("#cost-coverage-chart").evaluate(_BOX_JS)
            circles = page.locator("#map circle.school")
            count = circles.count()
            info: list[dict[str, Any]] = circles.evaluate_all(
                """els => els.map(el => { const r = el.getBoundingClientRect();
                    return {id: el.dataset.schoolId, option: el.dataset.option,
                            fill: el.getAttribute('fill'),
                            x: r.left + window.scrollX, y: r.top + window.scrollY,
                            width: r.width, height: r.height}; })"""
            )
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    assert problems == []
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    for box in (map_box, chart_box):
        assert box["width"] > 100
        assert box["height"] > 100
    assert count == len(schools) == len(info)
    assert sorted(c["id"] for c in info) == sorted(schools["school_id"])
    for c in info:
        assert c["width"] > 4  # drawn at a visible size
        assert c["x"] >= map_box["x"]
        assert c["y"] >= map_box["y"]
        assert c["x"] + c["width"] <= map_box["x"] + map_box["width"]
        assert c["y"] + c["height"] <= map_box["y"] + map_box["height"]

    image = _read_png(shot)
    assert image.shape[1] >= 1280
    # Centres of circles that no other circle, marker or line comes near are painted
    # in their option's colour.
    centres = np.array([(c["x"] + c["width"] / 2, c["y"] + c["height"] / 2) for c in info])
    checked: set[str] = set()
    for i, c in enumerate(info):
        others = np.delete(centres, i, axis=0)
        if np.min(np.hypot(*(others - centres[i]).T)) < 16.0:
            continue
        col, row = round(centres[i][0]), round(centres[i][1])
        pixel = image[row, col, :3].astype(int)
        expected = np.array(_rgb(OPTION_COLOURS[c["option"]]))
        assert np.abs(pixel - expected).max() <= 6, (c["id"], c["option"], pixel, expected)
        checked.add(c["option"])
    assert len(checked) >= 4  # several options, told apart by colour on screen
