"""The self-contained HTML report: map layers, tables, escaping, no network references."""

from __future__ import annotations

import base64
import math
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import asdict
from html.parser import HTMLParser
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile
from shapely.geometry import Point, box

from alcance import report as report_module
from alcance.coverage.model import CoverageRaster, ServiceClass
from alcance.errors import InputError
from alcance.io import open_dem, read_schools, read_towers
from alcance.io.region import demo_dir
from alcance.report import (
    CLASS_COLOURS,
    MAX_IMAGE_PX,
    OPTION_COLOURS,
    PlanReport,
    encode_png,
    render_report,
)
from alcance.scenario import Scenario
from alcance.summary import summarize_schools
from alcance.terrain import TerrainGrid
from alcance.terrain.hillshade import geographic_pixel_size_m

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>"
CLASSES = ["good", "moderate", "none", "unknown"]


class _Collector(HTMLParser):
    """Every start tag with its attributes, the text of each element, and <title> texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.titles: list[str] = []
        self.text: list[str] = []
        self._in_title = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "title":
            self._in_title += 1
            self.titles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_title:
            self.titles[-1] += data


def _parse(doc: str) -> _Collector:
    parser = _Collector()
    parser.feed(doc)
    parser.close()
    return parser


def _svg(doc: str) -> ET.Element:
    start, end = doc.index("<svg"), doc.index("</svg>") + len("</svg>")
    return ET.fromstring(doc[start:end])


def _decode_png(uri: str) -> NDArray[np.uint8]:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile(base64.b64decode(uri[len(prefix) :])) as mem, mem.open() as src:
            assert src.driver == "PNG"
            data: NDArray[np.uint8] = src.read()
    return data


def _images(root: ET.Element) -> dict[str, ET.Element]:
    out = {}
    for group in root.iter(f"{SVG}g"):
        image = group.find(f"{SVG}image")
        if image is not None:
            out[group.attrib["id"]] = image
    return out


@pytest.fixture(scope="module")
def demo_terrain() -> TerrainGrid:
    with open_dem(demo_dir() / "dem.tif") as dem:
        return dem.read_all()


@pytest.fixture(scope="module")
def demo_sites(demo_terrain: TerrainGrid) -> pd.DataFrame:
    towers, _ = read_towers(demo_dir() / "towers.csv")
    sites = pd.DataFrame(towers.sites.drop(columns="geometry"))
    west, south, east, north = demo_terrain.bounds
    lon, lat = sites["longitude_deg"], sites["latitude_deg"]
    sites["on_terrain"] = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    return sites


@pytest.fixture(scope="module")
def demo_schools() -> gpd.GeoDataFrame:
    schools, _ = read_schools(demo_dir() / "schools.csv")
    n = len(schools)
    schools["service_class"] = [CLASSES[i % 4] for i in range(n)]
    schools["downlink_mbps"] = np.linspace(0.5, 60.0, n)
    schools["uplink_mbps"] = np.linspace(0.1, 12.0, n)
    schools["rsrp_dbm"] = np.linspace(-125.0, -70.0, n)
    schools["sinr_db"] = np.linspace(-5.0, 25.0, n)
    schools["coverage_probability_pct"] = np.linspace(10.0, 99.0, n)
    schools["best_site_id"] = "10369"
    schools["best_distance_km"] = np.linspace(0.2, 30.0, n)
    schools.loc[0, "name"] = EVIL
    return schools


def _coverage(terrain: TerrainGrid) -> CoverageRaster:
    rows, cols = 60, 84
    codes = (np.arange(rows * cols) % 4).reshape(rows, cols).astype(np.uint8)
    nan = np.full((rows, cols), np.nan, dtype=np.float32)
    west, south, east, north = terrain.bounds
    return CoverageRaster(
        rsrp_dbm=nan,
        sinr_db=nan,
        downlink_mbps=nan,
        service_class=codes,
        west_deg=west,
        north_deg=north,
        dlon_deg=(east - west) / cols,
        dlat_deg=(north - south) / rows,
    )


INDICATORS: dict[str, Any] = {
    "sdg_4a1_proxy": {
        "label": "SDG 4.a.1 proxy: schools with usable internet",
        "value": 47.4,
        "unit": "%",
        "computable": True,
        "numerator": 9,
        "denominator": 19,
    },
    "sdg_9c1": {
        "label": "SDG 9.c.1: population covered",
        "computable": False,
        "reason": "no population raster for this area",
    },
    "students_connected": 1234,
    "share_connected": 0.47368,
}


@pytest.fixture(scope="module")
def demo_report(
    demo_terrain: TerrainGrid, demo_schools: gpd.GeoDataFrame, demo_sites: pd.DataFrame
) -> str:
    summary = {
        "name": "Petorca <demo>",
        "schools": asdict(summarize_schools(demo_schools)),
        "notes": ["population not available"],
    }
    return render_report(
        title="Petorca & friends",
        schools=demo_schools,
        sites=demo_sites,
        terrain=demo_terrain,
        coverage=_coverage(demo_terrain),
        indicators=INDICATORS,
        summary=summary,
        assumptions=Scenario().assumptions(),
        notes=["Synthetic service classes for the test."],
    )


def _circles(root: ET.Element) -> list[ET.Element]:
    return [c for c in root.iter(f"{SVG}circle") if "data-school-id" in c.attrib]


def test_one_circle_per_school_coloured_by_class(
    demo_report: str, demo_schools: gpd.GeoDataFrame
) -> None:
    root = _svg(demo_report)
    assert root.attrib["id"] == "map"
    circles = {c.attrib["data-school-id"]: c for c in _circles(root)}
    assert len(_circles(root)) == len(demo_schools) == len(circles)
    for school_id, cls in zip(
        demo_schools["school_id"], demo_schools["service_class"], strict=True
    ):
        assert circles[school_id].attrib["fill"] == CLASS_COLOURS[cls]
        tip = circles[school_id].find(f"{SVG}title")
        assert tip is not None
        assert tip.text is not None
        assert school_id in tip.text
        assert f"class: {cls}" in tip.text
        assert "best site: 10369" in tip.text
        assert "Mbit/s" in tip.text


def test_class_colours_read_as_green_amber_red_grey() -> None:
    def rgb(name: str) -> tuple[int, int, int]:
        code = CLASS_COLOURS[name].lstrip("#")
        return int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16)

    r, g, b = rgb("good")
    assert g > r + 60
    assert g > b + 30
    r, g, b = rgb("moderate")
    assert r > 200
    assert 100 < g < 200
    assert b < 80
    r, g, b = rgb("none")
    assert r > 180
    assert g < 80
    assert b < 80
    r, g, b = rgb("unknown")
    assert max(r, g, b) - min(r, g, b) < 10


def test_map_layers_are_aligned(demo_report: str, demo_schools: gpd.GeoDataFrame) -> None:
    """Schools, the terrain image and the scale bar share one projection."""
    root = _svg(demo_report)
    image = _images(root)["layer-terrain"]
    x0, y0 = float(image.attrib["x"]), float(image.attrib["y"])
    w, h = float(image.attrib["width"]), float(image.attrib["height"])
    rows, cols = _decode_png(image.attrib["href"]).shape[1:]
    # The demo DEM is 601 × 841 pixels of 3 arc-seconds from (-71.000417, -31.999583).
    d = 1.0 / 1200.0
    west, north = -71.0 - d / 2, -32.0 + d / 2
    east, south = west + cols * d, north - rows * d
    circles = {c.attrib["data-school-id"]: c for c in _circles(root)}
    for sid, lon, lat in zip(
        demo_schools["school_id"],
        demo_schools["longitude_deg"],
        demo_schools["latitude_deg"],
        strict=True,
    ):
        cx = float(circles[sid].attrib["cx"])
        cy = float(circles[sid].attrib["cy"])
        assert cx == pytest.approx(x0 + (lon - west) / (east - west) * w, abs=0.06)
        assert cy == pytest.approx(y0 + (north - lat) / (north - south) * h, abs=0.06)
    # Aspect: ground width / ground height at the map's centre latitude.
    caption = re.search(r"about latitude (-?[0-9.]+)°", demo_report)
    assert caption is not None
    lat0 = float(caption.group(1))
    assert lat0 == pytest.approx(-32.25, abs=0.01)
    dx_m, dy_m = geographic_pixel_size_m(lat0, dlon_deg=east - west, dlat_deg=north - south)
    assert w / h == pytest.approx(float(dx_m) / float(dy_m), rel=1e-4)
    # Scale bar: its two halves span the labelled distance.
    bar = root.find(f".//{SVG}g[@id='scale-bar']")
    assert bar is not None
    rects = bar.findall(f"{SVG}rect")[1:]
    length_units = sum(float(r.attrib["width"]) for r in rects)
    labels = [t.text or "" for t in bar.findall(f"{SVG}text")]
    km = float(re.fullmatch(r"([0-9.]+) km", labels[-1]).group(1))  # type: ignore[union-attr]
    assert length_units * float(dx_m) / w / 1000.0 == pytest.approx(km, rel=0.01)
    assert root.find(f".//{SVG}g[@id='north-arrow']") is not None
    assert root.find(f".//{SVG}g[@id='legend']") is not None


def test_triangles_per_site_and_off_terrain_marked(
    demo_report: str, demo_sites: pd.DataFrame
) -> None:
    root = _svg(demo_report)
    triangles = [p for p in root.iter(f"{SVG}polygon") if "data-site-id" in p.attrib]
    assert len(triangles) == len(demo_sites)
    assert all(len(p.attrib["points"].split()) == 3 for p in triangles)
    off = {p.attrib["data-site-id"] for p in triangles if "off-terrain" in p.attrib["class"]}
    expected = set(demo_sites.loc[~demo_sites["on_terrain"], "site_id"].astype(str))
    assert off == expected == {"13026", "13028", "19775"}
    assert all(
        p.attrib["data-on-terrain"] == "false"
        for p in triangles
        if "off-terrain" in p.attrib["class"]
    )
    text = " ".join(_parse(demo_report).text)
    assert "3 tower sites lie outside the terrain model (13026, 13028, 19775)" in text


def test_raster_layers_decode_to_expected_size(demo_report: str, demo_terrain: TerrainGrid) -> None:
    images = _images(_svg(demo_report))
    terrain = _decode_png(images["layer-terrain"].attrib["href"])
    assert terrain.shape[1:] == demo_terrain.shape == (601, 841)
    assert terrain.shape[0] in (1, 2)  # grey (no voids in the demo DEM)
    assert 70 <= terrain[0].min() < terrain[0].max() <= 255
    coverage = _decode_png(images["layer-coverage"].attrib["href"])
    assert coverage.shape == (4, 60, 84)
    codes = (np.arange(60 * 84) % 4).reshape(60, 84)
    alpha = coverage[3]
    assert np.all(alpha[codes == ServiceClass.NO_DATA] == 0)
    assert np.all(alpha[codes != ServiceClass.NO_DATA] > 0)
    good = coverage[:3, codes == ServiceClass.GOOD]
    assert np.all(good[1] > good[0])  # green


def test_no_network_references_and_no_script(demo_report: str) -> None:
    parsed = _parse(demo_report)
    for tag, attrs in parsed.tags:
        assert tag != "script"
        for name in ("src", "href", "xlink:href"):
            value = attrs.get(name) or ""
            assert not value.lower().startswith(("http:", "https:", "//")), (tag, name)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", demo_report)
    assert "@import" not in demo_report
    assert any(tag == "image" for tag, _ in parsed.tags)


def test_school_names_are_escaped(demo_report: str) -> None:
    assert EVIL not in demo_report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in demo_report
    parsed = _parse(demo_report)
    assert not any(tag == "script" for tag, _ in parsed.tags)
    assert any(t.startswith(EVIL) for t in parsed.titles)  # the tooltip shows it as text
    assert EVIL in parsed.text  # and the school table cell
    assert "Petorca &amp; friends" in demo_report


def test_indicators_including_not_computable(demo_report: str) -> None:
    text = " ".join(_parse(demo_report).text)
    assert "not computable: no population raster for this area" in text
    assert "SDG 4.a.1 proxy: schools with usable internet" in text
    assert "47.4 %" in text
    assert "Numerator: 9" in text
    assert "1,234" in text
    assert "0.474" in text


def _table_rows(doc: str, table_id: str) -> list[list[str]]:
    start = doc.index(f'<table id="{table_id}"')
    end = doc.index("</table>", start)
    chunk = doc[start:end]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", chunk, flags=re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", c) for c in cells])
    return rows


def test_class_table_counts_schools_and_students(
    demo_report: str, demo_schools: gpd.GeoDataFrame
) -> None:
    rows = {r[0]: r for r in _table_rows(demo_report, "class-table")[1:]}
    for cls in CLASSES:
        mask = demo_schools["service_class"] == cls
        label = cls.capitalize()
        assert int(rows[label][1]) == int(mask.sum())
        assert int(rows[label][3].replace(",", "")) == int(demo_schools.loc[mask, "students"].sum())
    assert int(rows["Total"][1]) == len(demo_schools)


def test_school_and_assumption_tables(demo_report: str, demo_schools: gpd.GeoDataFrame) -> None:
    school_rows = _table_rows(demo_report, "school-table")
    header = school_rows[0]
    assert header[:3] == ["ID", "Name", "Area"]
    assert "RSRP (dBm)" in header
    assert "GEO status" not in header  # column absent from the input
    assert len(school_rows) - 1 == len(demo_schools)
    first = dict(zip(header, school_rows[1], strict=True))
    assert first["RSRP (dBm)"] == "-125.0"
    assert first["Class"] == "good"
    assumptions = _table_rows(demo_report, "assumption-table")
    expected = Scenario().assumptions()
    assert len(assumptions) - 1 == len(expected)
    assert assumptions[1][0] == expected[0].name


def test_missing_columns_and_layers_are_tolerated() -> None:
    schools = pd.DataFrame(
        {
            "school_id": ["a", "b", "c"],
            "latitude_deg": [-12.0, -12.1, math.nan],
            "longitude_deg": [-75.0, -75.2, -75.1],
            "service_class": [ServiceClass.GOOD, None, "weird"],
            "class_code": [1.0, 2.0, math.nan],
            "geo_status": ["visible", "blocked", "visible"],
            "geo_forward_mbps": [50.0, math.nan, 48.2],
        }
    )
    doc = render_report(
        title="t",
        schools=schools,
        sites=None,
        terrain=None,
        coverage=None,
        indicators={},
        summary={},
        assumptions=[{"name": "x", "value": "1", "unit": "m", "source": "test"}],
    )
    root = _svg(doc)
    fills = {c.attrib["data-school-id"]: c.attrib["fill"] for c in _circles(root)}
    assert fills == {"a": CLASS_COLOURS["good"], "b": CLASS_COLOURS["unknown"]}
    assert _images(root) == {}
    as_codes = render_report(
        title="codes",
        schools=schools.drop(columns="service_class").rename(
            columns={"class_code": "service_class"}
        ),
        sites=None,
        terrain=None,
        coverage=None,
        indicators={},
        summary={},
        assumptions=[],
    )
    code_fills = {c.attrib["data-school-id"]: c.attrib["fill"] for c in _circles(_svg(as_codes))}
    assert code_fills == {"a": CLASS_COLOURS["none"], "b": CLASS_COLOURS["moderate"]}
    text = " ".join(_parse(doc).text)
    assert "1 schools have no coordinates" in text
    header = _table_rows(doc, "school-table")[0]
    assert header == ["ID", "Class", "GEO status", "GEO (Mbit/s)"]
    assert _table_rows(doc, "school-table")[2] == ["b", "unknown", "blocked", "—"]
    assert _table_rows(doc, "assumption-table")[1] == ["x", "1", "m", "test"]


def test_geometry_only_schools_and_nothing_to_map() -> None:
    gdf = gpd.GeoDataFrame(
        {"school_id": ["p", "q"], "name": ["Escuela Ñandú", "Polygon school"]},
        geometry=[Point(-70.5, -32.1), box(-70.6, -32.2, -70.5, -32.1)],
        crs="EPSG:4326",
    )
    doc = render_report(
        title="g",
        schools=gdf,
        sites=pd.DataFrame({"site_id": ["s1"], "latitude_deg": [-32.2], "longitude_deg": [-70.6]}),
        terrain=None,
        coverage=None,
        indicators={},
        summary={},
        assumptions=[],
    )
    root = _svg(doc)
    (circle,) = _circles(root)
    assert circle.attrib["fill"] == CLASS_COLOURS["unknown"]
    assert circle.attrib["data-school-id"] == "p"
    assert "Escuela Ñandú" in doc
    assert "1 schools have no coordinates" in doc
    empty = render_report(
        title="e",
        schools=pd.DataFrame({"name": ["x"]}),
        sites=None,
        terrain=None,
        coverage=None,
        indicators={},
        summary={},
        assumptions=[],
    )
    assert "<svg" not in empty
    assert "Nothing to map" in empty


def test_big_terrain_is_reduced_and_voids_transparent() -> None:
    rows, cols = 3300, 120
    y, x = np.mgrid[0:rows, 0:cols]
    z = (200.0 + 30.0 * np.sin(y / 50.0) + 20.0 * np.cos(x / 15.0)).astype(np.float32)
    z[:, :40] = np.nan
    d = 1.0 / 3600.0
    grid = TerrainGrid(
        elevation_m=z,
        void=np.isnan(z),
        x0=-70.0,
        y0=-10.0,
        dx=d,
        dy=-d,
        crs_wkt="EPSG:4326",
        is_geographic=True,
    )
    doc = render_report(
        title="big",
        schools=pd.DataFrame(
            {"school_id": ["s"], "latitude_deg": [-10.3], "longitude_deg": [-69.99]}
        ),
        sites=None,
        terrain=grid,
        coverage=None,
        indicators={},
        summary={},
        assumptions=[],
    )
    data = _decode_png(_images(_svg(doc))["layer-terrain"].attrib["href"])
    assert data.shape == (2, math.ceil(rows / 3), cols // 3)
    assert max(data.shape[1:]) <= MAX_IMAGE_PX
    assert np.all(data[1][:, : 40 // 3] == 0)
    assert np.all(data[1][:, 40 // 3 + 1 :] == 255)


@pytest.mark.parametrize("bands", [1, 2, 3, 4])
def test_encode_png_round_trips(bands: int) -> None:
    rng = np.random.default_rng(bands)
    image = rng.integers(0, 256, (5, 7, bands), dtype=np.uint8)
    uri = "data:image/png;base64," + base64.b64encode(encode_png(image)).decode()
    back = _decode_png(uri)
    np.testing.assert_array_equal(np.moveaxis(back, 0, 2), image)


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((4, 4), dtype=np.float32),
        np.zeros((4, 4, 5), dtype=np.uint8),
        np.zeros((0, 3), dtype=np.uint8),
    ],
)
def test_encode_png_rejects_bad_images(image: NDArray[Any]) -> None:
    with pytest.raises(InputError):
        encode_png(image)


def test_summary_sections_render(demo_report: str, demo_schools: gpd.GeoDataFrame) -> None:
    text = " ".join(_parse(demo_report).text)
    assert "Petorca <demo>" in text  # unescaped by the parser: it was escaped in the file
    summary = asdict(summarize_schools(demo_schools))
    assert f"{summary['n_schools']}" in text
    assert "By admin area" in text
    assert "population not available" in text


# --------------------------------------------------------------------------- plan

OPTIONS = [
    "existing",
    "new_site",
    "satellite",
    "fibre",
    "microwave",
    "already_connected",
    "not_connected",
]
EVIL_SITE = 'hp-<b>"1"</b>'


def _plan(schools: pd.DataFrame, /, **changes: Any) -> PlanReport:
    """A synthetic plan over the demo schools: options cycle, two new sites, three links."""
    n = len(schools)
    lon = schools["longitude_deg"].to_numpy(float)
    lat = schools["latitude_deg"].to_numpy(float)
    plan_schools = pd.DataFrame(
        {
            "school_id": schools["school_id"].to_numpy(),
            "name": schools["name"].to_numpy(),
            "longitude_deg": lon,
            "latitude_deg": lat,
            "students": schools["students"].to_numpy(),
            "admin_area": schools["admin_area"].to_numpy(),
            "option_kind": [OPTIONS[i % len(OPTIONS)] for i in range(n)],
            "option_detail": [f"site hp-{i:04d} @30 m, LTE 700" for i in range(n)],
            "demand_mbps": 20.0,
            "mbps": np.linspace(5.0, 50.0, n),
            "capex_usd": np.linspace(1_000.0, 90_000.0, n),
            "npv_usd": np.linspace(2_000.0, 120_000.0, n),
        }
    )
    plan_schools.loc[1, "capex_usd"] = math.nan
    new_sites = pd.DataFrame(
        {
            "site_id": [EVIL_SITE, "hp-0002"],
            "longitude_deg": [lon.mean(), lon.mean() + 0.05],
            "latitude_deg": [lat.mean(), lat.mean() - 0.05],
            "kind": ["high_point", "ridge"],
            "mast_height_m": [30.0, 24.0],
            "schools_served": [3, 2],
            "capex_usd": [80_000.0, math.nan],
            "npv_usd": [120_000.0, 90_000.0],
            "backhaul": ["microwave to 10369", "fibre"],
        }
    )
    links = pd.DataFrame(
        {
            "kind": ["microwave", "fibre", "access"],
            "lon_a_deg": [lon[0], lon[1], lon.mean()],
            "lat_a_deg": [lat[0], lat[1], lat.mean()],
            "lon_b_deg": [lon.mean(), lon.mean() + 0.05, lon[2]],
            "lat_b_deg": [lat.mean(), lat.mean() - 0.05, lat[2]],
            "label": ["MW <1>", "F 1", None],
            "coords": [
                None,
                [
                    (lon[1], lat[1]),
                    (lon[1] + 0.02, lat[1] - 0.03),
                    (lon.mean() + 0.05, lat.mean() - 0.05),
                ],
                None,
            ],
        }
    )
    budget = np.linspace(0.0, 2e6, 9)
    sweep = pd.DataFrame(
        {
            "budget_usd": budget[::-1],  # unsorted on purpose: the chart sorts
            "weight_connected": (3000 + 6000 * (1 - np.exp(-budget / 6e5)))[::-1],
            "schools_connected": (5 + 10 * (1 - np.exp(-budget / 6e5))).round()[::-1],
            "greedy_weight": (3000 + 5200 * (1 - np.exp(-budget / 6.25e5)))[::-1],
            "mip_gap": 0.001,
        }
    )
    by_area = pd.DataFrame(
        {
            "admin_area": ["PETORCA", "CABILDO <x>"],
            "schools": [10, 9],
            "students": [5000, 4000],
            "students_connected_before": [2000, 1000],
            "students_connected_after": [5000, 3100],
            "capex_usd": [5e5, math.nan],
        }
    )
    fields: dict[str, Any] = {
        "schools": plan_schools,
        "new_sites": new_sites,
        "links": links,
        "sweep": sweep,
        "budget_usd": 1.2e6,
        "objective": "maximise students connected within the budget (NPV, 10 years, 8 %)",
        "metric": "NPV",
        "totals": {
            "students_connected_before": 3000,
            "students_connected_after": 8100,
            "schools_connected_before": 5,
            "schools_connected_after": 14,
            "capex_usd": 950_000.0,
            "npv_usd": 1.19e6,
            "mip_gap": 0.0008,
            "solver": "HiGHS",
            "greedy_students": 7400,
            "gain_students": 700,
            "gain_pct": 9.46,
            "time_limit_s": 60,
        },
        "by_area": by_area,
    }
    fields.update(changes)
    return PlanReport(**fields)


def _render_plan(schools: pd.DataFrame, plan: PlanReport, **kw: Any) -> str:
    args: dict[str, Any] = {
        "title": "Plan",
        "schools": schools,
        "sites": None,
        "terrain": None,
        "coverage": None,
        "indicators": {},
        "summary": {},
        "assumptions": [],
    }
    args.update(kw)
    return render_report(**args, plan=plan)


@pytest.fixture(scope="module")
def demo_plan(demo_schools: gpd.GeoDataFrame) -> PlanReport:
    return _plan(demo_schools)


@pytest.fixture(scope="module")
def plan_report(
    demo_terrain: TerrainGrid,
    demo_schools: gpd.GeoDataFrame,
    demo_sites: pd.DataFrame,
    demo_plan: PlanReport,
) -> str:
    return _render_plan(
        demo_schools,
        demo_plan,
        sites=demo_sites,
        terrain=demo_terrain,
        coverage=_coverage(demo_terrain),
    )


def _svg_by_id(doc: str, svg_id: str) -> ET.Element:
    start = doc.index(f'<svg id="{svg_id}"')
    end = doc.index("</svg>", start) + len("</svg>")
    return ET.fromstring(doc[start:end])


def test_plan_circles_carry_option_and_colour(plan_report: str, demo_plan: PlanReport) -> None:
    circles = _circles(_svg_by_id(plan_report, "map"))
    assert len(circles) == len(demo_plan.schools)
    counted = pd.Series([c.attrib["data-option"] for c in circles]).value_counts().to_dict()
    assert counted == demo_plan.schools["option_kind"].value_counts().to_dict()
    kinds = dict(zip(demo_plan.schools["school_id"], demo_plan.schools["option_kind"], strict=True))
    for circle in circles:
        option = kinds[circle.attrib["data-school-id"]]
        assert circle.attrib["data-option"] == option
        assert circle.attrib["fill"] == OPTION_COLOURS[option]
    # Not connected is drawn last, bigger, and its colour is unlike every other option's.
    assert circles[-1].attrib["data-option"] == "not_connected"
    loud = OPTION_COLOURS["not_connected"]
    assert all(loud != c for k, c in OPTION_COLOURS.items() if k != "not_connected")
    legend = plan_report[plan_report.index('<g id="legend"') :]
    assert "School: not connected" in legend
    assert "School: already connected" in legend


def test_plan_map_draws_new_sites_and_links_between_terrain_and_schools(
    plan_report: str, demo_plan: PlanReport
) -> None:
    root = _svg_by_id(plan_report, "map")
    groups = [g.attrib.get("id") for g in root if g.tag == f"{SVG}g"]
    order = [
        groups.index(name)
        for name in ("layer-terrain", "layer-coverage", "layer-links", "layer-new-sites")
    ]
    assert order == sorted(order)
    assert groups.index("layer-new-sites") < groups.index("layer-schools")
    coverage_group = next(g for g in root if g.attrib.get("id") == "layer-coverage")
    assert float(coverage_group.attrib["opacity"]) < 1.0  # today's coverage, lighter
    new_sites = [p for p in root.iter(f"{SVG}polygon") if p.attrib.get("class") == "new-site"]
    assert [p.attrib["data-site-id"] for p in new_sites] == list(demo_plan.new_sites["site_id"])
    links = [p for p in root.iter(f"{SVG}polyline") if "link" in p.attrib.get("class", "")]
    assert sorted(p.attrib["class"] for p in links) == [
        "link link-access",
        "link link-fibre",
        "link link-microwave",
    ]
    fibre = next(p for p in links if p.attrib["data-kind"] == "fibre")
    assert len(fibre.attrib["points"].split()) == 3  # the route's coords, not a straight line
    micro = next(p for p in links if p.attrib["data-kind"] == "microwave")
    assert len(micro.attrib["points"].split()) == 2
    # A link ends where its school's circle is.
    school0 = next(
        c
        for c in _circles(root)
        if c.attrib["data-school-id"] == demo_plan.schools["school_id"].iloc[0]
    )
    x, y = (float(v) for v in micro.attrib["points"].split()[0].split(","))
    assert x == pytest.approx(float(school0.attrib["cx"]), abs=0.11)
    assert y == pytest.approx(float(school0.attrib["cy"]), abs=0.11)


def test_plan_totals_objective_and_metric_in_words(plan_report: str) -> None:
    parsed = _parse(plan_report)
    text = " ".join(" ".join(parsed.text).split())
    assert "3,000 → 8,100 (+5,100)" in text
    assert "5 → 14 (+9)" in text
    assert "maximise students connected within the budget (NPV, 10 years, 8 %)" in text
    assert "net present value (NPV)" in text
    assert "1,200,000 USD of NPV" in text
    assert "0.08 %" in text
    assert "+700 students (+9.5 %)" in text
    assert "7,400 students at the same budget" in text
    assert "Time limit s" in text  # a further total, listed by name
    assert any(tag == "section" and attrs.get("id") == "plan" for tag, attrs in parsed.tags)


def test_cost_coverage_chart(plan_report: str, demo_plan: PlanReport) -> None:
    chart = _svg_by_id(plan_report, "cost-coverage-chart")
    title = chart.find(f"{SVG}title")
    assert title is not None
    assert title.text is not None
    assert "Students connected" in title.text
    lines = {p.attrib["class"]: p for p in chart.iter(f"{SVG}polyline")}
    optimiser = lines["curve curve-optimiser"].attrib["points"].split()
    greedy = lines["curve curve-greedy"].attrib["points"].split()
    assert len(optimiser) == len(greedy) == len(demo_plan.sweep)
    xs = [float(p.split(",")[0]) for p in optimiser]
    ys = [float(p.split(",")[1]) for p in optimiser]
    assert xs == sorted(xs)  # sorted by budget
    assert ys == sorted(ys, reverse=True)  # more budget, more students (SVG y grows down)
    g_ys = [float(p.split(",")[1]) for p in greedy]
    assert all(g >= o for g, o in zip(g_ys, ys, strict=True))  # greedy at or below
    labels = {t.text for t in chart.iter(f"{SVG}text")}
    assert {"0", "0.5 M", "1 M", "1.5 M", "2 M"} <= labels
    assert {"Students connected", "Budget (USD, NPV)"} <= labels
    chosen = next(g for g in chart.iter(f"{SVG}g") if g.attrib.get("class") == "chosen-budget")
    ring = chosen.find(f"{SVG}circle")
    assert ring is not None
    # 1.2 M lies between the solves at 1 M and 1.25 M: between their markers.
    assert xs[4] < float(ring.attrib["cx"]) < xs[5]
    assert ys[5] < float(ring.attrib["cy"]) < ys[4]
    markers = [c for c in chart.iter(f"{SVG}circle") if c.attrib.get("fill") == "#0072B2"]
    assert len(markers) >= len(demo_plan.sweep)


def test_plan_tables(plan_report: str, demo_plan: PlanReport) -> None:
    area = _table_rows(plan_report, "plan-area-table")
    assert area[0][:2] == ["Admin area", "Schools"]
    assert area[0][-1] == "CAPEX (USD)"
    assert area[2][0] == "CABILDO &lt;x&gt;"
    assert area[2][-1] == "—"  # NaN cost
    sites = _table_rows(plan_report, "new-site-table")
    assert len(sites) == 1 + len(demo_plan.new_sites)
    assert sites[1][0] == "hp-&lt;b&gt;&quot;1&quot;&lt;/b&gt;"
    assert sites[2][sites[0].index("CAPEX (USD)")] == "—"
    assert sites[1][sites[0].index("CAPEX (USD)")] == "80,000"
    per_school = _table_rows(plan_report, "plan-school-table")
    assert len(per_school) == 1 + len(demo_plan.schools)
    assert per_school[2][per_school[0].index("CAPEX (USD)")] == "—"
    assert per_school[1][per_school[0].index("Option")] == "Existing tower"
    options = _table_rows(plan_report, "plan-option-table")
    counts = {r[0]: int(r[1]) for r in options[1:]}
    assert sum(counts.values()) == len(demo_plan.schools)
    assert counts["Not connected"] == int(
        (demo_plan.schools["option_kind"] == "not_connected").sum()
    )


def test_plan_escapes_and_stays_offline(plan_report: str) -> None:
    assert EVIL not in plan_report
    assert EVIL_SITE not in plan_report
    assert "MW <1>" not in plan_report
    parsed = _parse(plan_report)
    assert any(EVIL in t for t in parsed.titles)
    assert any(t.startswith("New site " + EVIL_SITE) for t in parsed.titles)
    for tag, attrs in parsed.tags:
        assert tag != "script"
        for name in ("src", "href", "xlink:href"):
            value = attrs.get(name) or ""
            assert not value.lower().startswith(("http:", "https:", "//")), (tag, name)


def test_empty_sweep_and_no_budget(demo_schools: gpd.GeoDataFrame) -> None:
    plan = _plan(
        demo_schools,
        sweep=pd.DataFrame(),
        budget_usd=None,
        new_sites=pd.DataFrame(),
        links=pd.DataFrame(),
        by_area=None,
        totals={},
        metric="CAPEX",
    )
    doc = _render_plan(demo_schools, plan)
    assert 'id="cost-coverage-chart"' not in doc
    text = " ".join(" ".join(_parse(doc).text).split())
    assert "No budget sweep was run" in text
    assert "No budget limit was set." in text
    assert "capital spending (CAPEX)" in text
    assert "The plan builds no new sites." in text
    assert "No breakdown by area was given." in text
    assert "— → —" in text  # totals unknown
    assert 'class="new-site"' not in doc
    assert 'class="link ' not in doc


def test_plan_school_table_is_capped(
    demo_schools: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_module, "MAX_PLAN_ROWS", 5)
    doc = _render_plan(demo_schools, _plan(demo_schools))
    rows = _table_rows(doc, "plan-school-table")
    assert len(rows) == 1 + 5
    omitted = len(demo_schools) - 5
    assert f"{omitted} more rows are not listed here" in doc
    assert len(_circles(_svg_by_id(doc, "map"))) == len(demo_schools)  # the map shows all


def test_plan_and_school_table_disagree(demo_schools: gpd.GeoDataFrame) -> None:
    """Schools outside the plan are grey; plan schools missing from the table are drawn."""
    plan = _plan(demo_schools)
    schools = pd.DataFrame(demo_schools.drop(columns="geometry")).iloc[1:].copy()
    extra = plan.schools.iloc[[0]].copy()
    extra["school_id"] = "only-in-plan"
    plan_schools = pd.concat([plan.schools.iloc[2:], extra], ignore_index=True)
    schools.loc[schools.index[1], ["longitude_deg", "latitude_deg"]] = math.nan  # from the plan
    doc = _render_plan(schools, _plan(demo_schools, schools=plan_schools))
    circles = {c.attrib["data-school-id"]: c for c in _circles(_svg_by_id(doc, "map"))}
    assert len(circles) == len(schools) + 1
    missing = str(demo_schools["school_id"].iloc[1])
    assert circles[missing].attrib["data-option"] == "not_in_plan"
    assert circles[missing].attrib["fill"] == OPTION_COLOURS["not_in_plan"]
    assert circles["only-in-plan"].attrib["data-option"] == plan.schools["option_kind"].iloc[0]
    located = str(schools["school_id"].iloc[1])
    assert located in circles  # coordinates came from the plan
    assert "Not in the plan" in doc


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("unknown_option", "option_kind"),
        ("no_option_column", "option_kind"),
        ("duplicate_id", "school_id"),
        ("unknown_link", "kind"),
    ],
)
def test_bad_plans_raise(demo_schools: gpd.GeoDataFrame, change: str, field: str) -> None:
    plan = _plan(demo_schools)
    schools, links = plan.schools.copy(), plan.links.copy()
    if change == "unknown_option":
        schools.loc[3, "option_kind"] = "pigeon"
    elif change == "no_option_column":
        schools = schools.drop(columns="option_kind")
    elif change == "duplicate_id":
        ids = list(schools["school_id"])
        ids[3] = ids[2]
        schools["school_id"] = ids
    else:
        links.loc[0, "kind"] = "laser"
    bad = _plan(demo_schools, schools=schools, links=links)
    with pytest.raises(InputError) as info:
        _render_plan(demo_schools, bad)
    assert info.value.field == field
    if change in ("unknown_option", "unknown_link"):
        assert info.value.row is not None
