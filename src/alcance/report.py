"""The self-contained HTML report: a map, summary tables, indicators and assumptions.

:func:`render_report` returns one HTML document with everything inline — CSS, an SVG
map whose raster layers are base64 PNG ``data:`` URIs — so that it opens offline from
a single file and can be mailed. No JavaScript, no fonts or scripts from the network.
Every string that comes from input files is escaped with :func:`html.escape`.

The map is an equirectangular projection about the mean latitude of the frame with
the east–west scale multiplied by the ratio of the WGS 84 pixel widths
(``N cos φ₀ / M``, ≈ ``cos φ₀``), so distances are true near the frame's centre line.
"""

from __future__ import annotations

import base64
import html
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from numpy.typing import NDArray
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile

from alcance import __version__
from alcance.coverage.model import SERVICE_CLASS_NAMES, CoverageRaster, ServiceClass
from alcance.errors import InputError
from alcance.scenario import Assumption
from alcance.summary import OFF_TERRAIN_ACTION
from alcance.terrain.grid import TerrainGrid
from alcance.terrain.hillshade import geographic_pixel_size_m, hillshade_grid

__all__ = [
    "CLASS_COLOURS",
    "LINK_KINDS",
    "MAX_IMAGE_PX",
    "MAX_PLAN_ROWS",
    "OPTION_COLOURS",
    "PlanReport",
    "encode_png",
    "render_report",
]

#: Fill colour of each service class on the map and in the tables.
CLASS_COLOURS: dict[str, str] = {
    "good": "#1a9850",
    "moderate": "#f0a202",
    "none": "#d73027",
    "unknown": "#9e9e9e",
}
_CLASS_ORDER = ("good", "moderate", "none", "unknown")
_DRAW_RANK = {"unknown": 0, "good": 1, "moderate": 2, "none": 3}
_CLASS_LABELS = {
    "good": "Good",
    "moderate": "Moderate",
    "none": "None",
    "unknown": "Unknown",
}
#: RGBA of the coverage overlay per class code (no data fully transparent).
_COVERAGE_RGBA: dict[int, tuple[int, int, int, int]] = {
    ServiceClass.NO_DATA: (0, 0, 0, 0),
    ServiceClass.NONE: (215, 48, 39, 80),
    ServiceClass.MODERATE: (240, 162, 2, 115),
    ServiceClass.GOOD: (26, 152, 80, 115),
}

#: Longest side, pixels, of a raster layer embedded in the map (larger ones are reduced).
MAX_IMAGE_PX = 1600
_HILLSHADE_BLACK = 70.0
_HILLSHADE_CONTRAST = 0.72
_MAP_WIDTH = 1000.0
_MAP_MAX_HEIGHT = 1400.0
_FRAME_PAD = 0.03
#: Towers this far outside the schools/terrain frame (fraction of its size) still widen it.
_SITE_MARGIN = 0.25
_MIN_SPAN_DEG = 0.02

#: Per-school table: column, header, decimals (None = text).
_SCHOOL_COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("school_id", "ID", None),
    ("name", "Name", None),
    ("admin_area", "Area", None),
    ("students", "Students", 0),
    ("service_class", "Class", None),
    ("rsrp_dbm", "RSRP (dBm)", 1),
    ("sinr_db", "SINR (dB)", 1),
    ("downlink_mbps", "Down (Mbit/s)", 1),
    ("uplink_mbps", "Up (Mbit/s)", 1),
    ("coverage_probability_pct", "P(coverage) (%)", 0),
    ("best_site_id", "Best site", None),
    ("best_distance_km", "Distance (km)", 1),
    ("geo_status", "GEO status", None),
    ("geo_forward_mbps", "GEO (Mbit/s)", 1),
)
_MAX_LIST_ITEMS = 40

#: Fill colour of each plan option on the map (Okabe & Ito 2008 colour-blind-safe palette;
#: vermillion is kept for "not connected" alone, white for schools that need nothing).
OPTION_COLOURS: dict[str, str] = {
    "existing": "#0072B2",
    "new_site": "#009E73",
    "microwave": "#56B4E9",
    "fibre": "#F0E442",
    "satellite": "#CC79A7",
    "already_connected": "#FFFFFF",
    "not_connected": "#D55E00",
    "not_in_plan": "#9E9E9E",
}
_OPTION_LABELS = {
    "existing": "Existing tower",
    "new_site": "New site",
    "microwave": "Microwave link",
    "fibre": "Fibre",
    "satellite": "Satellite",
    "already_connected": "Already connected",
    "not_connected": "Not connected",
    "not_in_plan": "Not in the plan",
}
#: ``option_kind`` values accepted in :attr:`PlanReport.schools`.
_PLAN_OPTIONS = tuple(k for k in OPTION_COLOURS if k != "not_in_plan")
#: Not-connected schools drawn last so that they stay visible where markers overlap.
_OPTION_RANK = {k: i for i, k in enumerate(OPTION_COLOURS)} | {"not_connected": 99}
#: Line style of each link kind on the map: stroke colour, width, dash pattern.
LINK_KINDS: dict[str, tuple[str, float, str]] = {
    "fibre": ("#8c3b00", 2.6, ""),
    "microwave": ("#1f2328", 1.6, "7 4"),
    "access": ("#1f2328", 1.3, "1.5 3"),
}
_NEW_SITE_COLOUR = "#009E73"
#: Rows of the per-school plan table (the rest are counted, not listed).
MAX_PLAN_ROWS = 500

_CSS = """
:root { --ink:#1f2328; --muted:#59636e; --line:#d0d7de; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: var(--ink); margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem 3rem;
  line-height: 1.45; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 0.2rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid var(--line);
  padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 0.4rem; }
.sub { color: var(--muted); margin: 0 0 1rem; }
figure { margin: 0; }
#map { width: 100%; height: auto; border: 1px solid var(--line); background: #fff;
  display: block; }
figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 0.3rem; }
table { border-collapse: collapse; margin: 0.3rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid var(--line); padding: 0.25rem 0.5rem; text-align: left;
  vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
#cost-coverage-chart { width: 100%; max-width: 820px; height: auto; display: block;
  border: 1px solid var(--line); background: #fff; }
.kpi { display: flex; flex-wrap: wrap; gap: 0.6rem 1.2rem; margin: 0.6rem 0 1rem; padding: 0;
  list-style: none; }
.kpi li { border: 1px solid var(--line); border-radius: 6px; padding: 0.4rem 0.8rem;
  background: var(--bg); min-width: 12rem; }
.kpi b { display: block; font-size: 1.15rem; font-variant-numeric: tabular-nums; }
.kpi span { color: var(--muted); font-size: 0.85rem; }
td.nowrap { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; }
.wide { overflow-x: auto; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%;
  margin-right: 0.35em; vertical-align: -0.05em; border: 1px solid #333; }
.nc { color: #8a4b00; font-style: italic; }
.muted { color: var(--muted); }
ul.notes li { margin: 0.2rem 0; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: 0.8rem; }
"""


def encode_png(rgba: NDArray[np.uint8]) -> bytes:
    """Encode an image as PNG bytes in memory (GDAL's PNG driver through rasterio).

    Parameters
    ----------
    rgba
        ``(rows, cols, 4)`` RGBA, ``(rows, cols, 3)`` RGB, ``(rows, cols, 2)`` grey + alpha
        or ``(rows, cols)`` grey, uint8.

    Returns
    -------
    bytes
        The PNG file.

    Raises
    ------
    InputError
        Not uint8, or not one of the shapes above, or empty.
    """
    image = np.asarray(rgba)
    if image.dtype != np.uint8:
        msg = f"image must be uint8, got {image.dtype}"
        raise InputError(msg, field="rgba")
    if image.ndim == 2:
        image = image[:, :, np.newaxis]
    if (
        image.ndim != 3
        or image.shape[2] not in (1, 2, 3, 4)
        or image.shape[0] * image.shape[1] == 0
    ):
        msg = f"image must be (rows, cols[, 2, 3 or 4]) and non-empty, got shape {np.shape(rgba)}"
        raise InputError(msg, field="rgba")
    rows, cols, bands = image.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.Env(GDAL_PAM_ENABLED="NO"), MemoryFile(ext=".png") as memfile:
            with memfile.open(
                driver="PNG", width=cols, height=rows, count=bands, dtype="uint8"
            ) as dst:
                dst.write(np.ascontiguousarray(np.moveaxis(image, 2, 0)))
            data: bytes = memfile.read()
    return data


@dataclass(frozen=True, kw_only=True, eq=False)
class PlanReport:
    """What the optimiser chose, in the shape the report draws it.

    Attributes
    ----------
    schools
        One row per school: ``school_id``, ``option_kind`` (``existing`` — through an
        existing tower's coverage, ``new_site``, ``satellite``, ``fibre``,
        ``microwave``, ``already_connected`` or ``not_connected``) and, optional,
        ``name, longitude_deg, latitude_deg, students, admin_area, option_detail``
        (text, e.g. "site hp-0007 @30 m, LTE 700"), ``demand_mbps, mbps`` (expected
        Mbit/s of the chosen option), ``capex_usd, npv_usd``. Coordinates missing here
        are taken from the report's school table by ``school_id``.
    new_sites
        ``site_id, longitude_deg, latitude_deg, kind`` (``high_point``, ``ridge``,
        ``tower_upgrade``, ``school_mast``), ``mast_height_m, schools_served,
        capex_usd, npv_usd, backhaul`` (text).
    links
        Lines to draw: ``kind`` (``microwave``, ``fibre``, ``access``), ``lon_a_deg,
        lat_a_deg, lon_b_deg, lat_b_deg``, optional ``label`` and ``coords`` (a
        sequence of ``(lon, lat)`` pairs, drawn as a polyline instead of the straight
        line, e.g. a fibre route along roads).
    sweep
        The budget sweep behind the cost–coverage chart, one row per solve:
        ``budget_usd, weight_connected`` (students), ``schools_connected``,
        ``greedy_weight`` (students of the greedy heuristic at that budget),
        ``mip_gap`` (relative).
    budget_usd
        The chosen budget (in :attr:`currency`), or ``None`` when unconstrained.
    objective
        The objective in words, e.g. "maximise students connected within the budget
        (NPV, 10 years, 8 %)".
    metric
        ``"NPV"`` or ``"CAPEX"``: which cost the budget constrains.
    totals
        Headline figures; the keys shown by name are ``students_connected_before``,
        ``students_connected_after``, ``schools_connected_before``,
        ``schools_connected_after``, ``capex_usd``, ``npv_usd``, ``mip_gap``,
        ``solver``, ``greedy_students``, ``gain_students``, ``gain_pct``; any other key
        is listed below them.
    by_area
        Plan per administrative area (any columns, e.g. ``admin_area, schools,
        students, students_connected_before, students_connected_after, capex_usd``), or
        ``None``.
    currency
        Currency code shown beside every cost.
    """

    schools: pd.DataFrame
    new_sites: pd.DataFrame = field(default_factory=pd.DataFrame)
    links: pd.DataFrame = field(default_factory=pd.DataFrame)
    sweep: pd.DataFrame = field(default_factory=pd.DataFrame)
    budget_usd: float | None = None
    objective: str = ""
    metric: str = "NPV"
    totals: Mapping[str, Any] = field(default_factory=dict)
    by_area: pd.DataFrame | None = None
    currency: str = "USD"


def render_report(
    *,
    title: str,
    schools: gpd.GeoDataFrame | pd.DataFrame,
    sites: pd.DataFrame | None,
    terrain: TerrainGrid | None,
    coverage: CoverageRaster | None,
    indicators: Mapping[str, Any],
    summary: Mapping[str, Any],
    assumptions: Sequence[Mapping[str, Any] | Assumption],
    notes: Sequence[str] = (),
    plan: PlanReport | None = None,
) -> str:
    """Build the self-contained HTML report of one run.

    Parameters
    ----------
    title
        Report title (escaped).
    schools
        School table; every column is optional: ``school_id, name, students,
        admin_area, latitude_deg, longitude_deg, service_class`` (``good``,
        ``moderate``, ``none``, ``unknown`` or the :class:`ServiceClass` codes),
        ``downlink_mbps, uplink_mbps, rsrp_dbm, sinr_db, coverage_probability_pct,
        best_site_id, best_distance_km, geo_status, geo_forward_mbps``. Without
        coordinate columns the point geometry of a GeoDataFrame is used.
    sites
        Tower sites (``site_id, latitude_deg, longitude_deg, height_m, operators,
        technologies, n_cells, on_terrain``), or ``None``.
    terrain
        DEM window for the hillshade base layer (geographic grids only), or ``None``.
    coverage
        Best-server coverage drawn as a class overlay, or ``None``.
    indicators
        Indicator name → either a value or a mapping with any of ``label``/``name``,
        ``value``, ``unit``, ``computable`` (``False`` shows "not computable: reason"),
        ``reason`` and further details (shown beside the value).
    summary
        Region summary (e.g. ``RegionSummary.to_dict()``): nested mappings become
        tables.
    assumptions
        Rows with ``name, value, unit, source`` (and optional ``description``), e.g.
        ``Scenario.assumptions()``.
    notes
        Free-text notes shown in their own section.
    plan
        The optimised plan, or ``None``. With a plan the map colours schools by the
        chosen option (:data:`OPTION_COLOURS`) and draws new sites and links, today's
        coverage is drawn lighter, and a "Plan" section shows the totals, the
        cost–coverage chart (``<svg id="cost-coverage-chart">``) and the tables by area,
        new site and school.

    Returns
    -------
    str
        One HTML5 document; raster layers are reduced to at most
        :data:`MAX_IMAGE_PX` pixels on their long side.

    Raises
    ------
    InputError
        A plan whose school table lacks ``school_id`` or ``option_kind``, or holds an
        unknown option kind or link kind.
    """
    table = _school_frame(schools)
    site_table = None if sites is None else pd.DataFrame(sites)
    all_notes = [str(n) for n in notes]
    plan_frame = None if plan is None else _plan_school_frame(table, plan)
    map_html = _map_section(table, site_table, terrain, coverage, all_notes, plan, plan_frame)

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{_e(title)}</h1>",
        f'<p class="sub">{len(table)} schools'
        + ("" if site_table is None else f", {len(site_table)} tower sites")
        + "</p></header>",
        '<section id="map-section"><h2>Map</h2>',
        map_html,
        "</section>",
    ]
    if plan is not None and plan_frame is not None:
        parts += ['<section id="plan"><h2>Plan</h2>', _plan_html(plan, plan_frame), "</section>"]
    parts += [
        '<section id="service"><h2>Service by class</h2>',
        _class_table(table),
        "</section>",
        '<section id="indicators"><h2>Indicators</h2>',
        _indicators_html(indicators),
        "</section>",
        '<section id="summary"><h2>Region summary</h2>',
        _summary_html(summary),
        "</section>",
        '<section id="schools"><h2>Schools</h2>',
        _schools_html(table),
        "</section>",
    ]
    if all_notes:
        items = "".join(f"<li>{_e(n)}</li>" for n in all_notes)
        parts += ['<section id="notes"><h2>Notes</h2>', f'<ul class="notes">{items}</ul>']
        parts.append("</section>")
    parts += [
        '<section id="assumptions"><h2>Assumptions</h2>',
        _assumptions_html(assumptions),
        "</section>",
        f"<footer>Generated by Alcance {_e(__version__)}. Self-contained file: no data is "
        "loaded from the network.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------- tables


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return not math.isfinite(float(value))
    return False


def _fmt(value: object, decimals: int | None = None) -> str:
    """Escaped display text of one value ("—" when missing)."""
    if _is_missing(value):
        return "—"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        v = float(value)
        if decimals is not None:
            return f"{v:,.{decimals}f}"
        if v.is_integer() or abs(v) >= 100.0:
            return f"{v:,.0f}"
        return f"{v:.1f}" if abs(v) >= 1.0 else f"{v:.3g}"
    if isinstance(value, Mapping):
        inner = "; ".join(f"{_e(k)}: {_fmt(v)}" for k, v in value.items())
        return inner or "—"
    if isinstance(value, list | tuple | set | frozenset):
        items = list(value)
        text = ", ".join(_fmt(v) for v in items[:_MAX_LIST_ITEMS])
        if len(items) > _MAX_LIST_ITEMS:
            text += f", … (+{len(items) - _MAX_LIST_ITEMS} more)"
        return text or "—"
    return _e(value)


def _td(value: object, decimals: int | None = None) -> str:
    numeric = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )
    cls = ' class="num"' if numeric or decimals is not None else ""
    return f"<td{cls}>{_fmt(value, decimals)}</td>"


def _humanise(key: object) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _class_name(value: object) -> str:
    if _is_missing(value):
        return "unknown"
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return SERVICE_CLASS_NAMES.get(int(value), "unknown")
    if isinstance(value, float | np.floating):
        code = float(value)
        return SERVICE_CLASS_NAMES.get(int(code), "unknown") if code.is_integer() else "unknown"
    name = str(value).strip().lower()
    return name if name in CLASS_COLOURS else "unknown"


def _school_frame(schools: gpd.GeoDataFrame | pd.DataFrame) -> pd.DataFrame:
    """Plain DataFrame with normalised ``service_class`` and coordinates where known."""
    frame = pd.DataFrame(schools).reset_index(drop=True)
    geometry = schools.geometry if isinstance(schools, gpd.GeoDataFrame) else None
    if geometry is not None and not ({"latitude_deg", "longitude_deg"} <= set(frame.columns)):
        points = geometry.reset_index(drop=True)
        if points.crs is not None and not points.crs.equals("EPSG:4326"):
            points = points.to_crs("EPSG:4326")
        xy = [
            (g.x, g.y) if g is not None and g.geom_type == "Point" and not g.is_empty else None
            for g in points
        ]
        frame["longitude_deg"] = [math.nan if p is None else float(p[0]) for p in xy]
        frame["latitude_deg"] = [math.nan if p is None else float(p[1]) for p in xy]
    if "geometry" in frame.columns:
        frame = frame.drop(columns="geometry")
    if "service_class" in frame.columns:
        frame["service_class"] = [_class_name(v) for v in frame["service_class"]]
    return frame


def _students(frame: pd.DataFrame) -> pd.Series | None:
    if "students" not in frame.columns:
        return None
    return pd.to_numeric(frame["students"], errors="coerce")


def _class_table(frame: pd.DataFrame) -> str:
    if "service_class" not in frame.columns:
        return '<p class="muted">No service class was computed for the schools.</p>'
    classes = frame["service_class"]
    students = _students(frame)
    n_total = len(frame)
    s_total = float(students.sum()) if students is not None else 0.0
    head = "<tr><th>Class</th><th>Schools</th><th>% of schools</th>"
    if students is not None:
        head += "<th>Students</th><th>% of students</th>"
    rows = [head + "</tr>"]
    for name in _CLASS_ORDER:
        mask = (classes == name).to_numpy()
        n = int(mask.sum())
        row = (
            f'<tr data-class="{name}"><td><span class="swatch" '
            f'style="background:{CLASS_COLOURS[name]}"></span>{_CLASS_LABELS[name]}</td>'
            f"{_td(n)}{_td(100.0 * n / n_total if n_total else math.nan, 1)}"
        )
        if students is not None:
            s = float(students[mask].sum())
            row += f"{_td(int(s))}{_td(100.0 * s / s_total if s_total else math.nan, 1)}"
        rows.append(row + "</tr>")
    total = (
        f'<tr class="total"><td>Total</td>{_td(n_total)}{_td(100.0 if n_total else math.nan, 1)}'
    )
    if students is not None:
        total += f"{_td(int(s_total))}{_td(100.0 if s_total else math.nan, 1)}"
    rows.append(total + "</tr>")
    note = ""
    if students is not None and int(students.isna().sum()):
        note = (
            f'<p class="muted">{int(students.isna().sum())} schools have no student count; '
            "they count as schools but add no students.</p>"
        )
    return f'<table id="class-table">{"".join(rows)}</table>{note}'


def _indicators_html(indicators: Mapping[str, Any]) -> str:
    if not indicators:
        return '<p class="muted">No indicators were computed.</p>'
    rows = ["<tr><th>Indicator</th><th>Value</th><th>Details</th></tr>"]
    skip = {"label", "name", "title", "value", "unit", "computable", "reason", "by_area", "code"}
    area_tables: list[str] = []
    for key, item in indicators.items():
        if isinstance(item, Mapping):
            label = item.get("label") or item.get("name") or item.get("title") or key
            if item.get("computable", True) is False:
                reason = item.get("reason") or "no reason given"
                value_html = f'<span class="nc">not computable: {_e(reason)}</span>'
            else:
                value = item.get("value")
                unit = item.get("unit")
                value_html = _fmt(value)
                if unit and not _is_missing(value):
                    value_html += f" {_e(unit)}"
            details = "; ".join(
                f"{_e(_humanise(k))}: {_fmt(v)}"
                for k, v in item.items()
                if k not in skip and not _is_missing(v) and v not in ("", {}, [])
            )
            by_area = item.get("by_area")
            if (
                isinstance(by_area, list)
                and by_area
                and all(isinstance(r, Mapping) for r in by_area)
            ):
                columns = list(dict.fromkeys(k for r in by_area for k in r))
                head = "".join(f"<th>{_e(_humanise(c))}</th>" for c in columns)
                body = "".join(
                    "<tr>" + "".join(_td(r.get(c)) for c in columns) + "</tr>" for r in by_area
                )
                area_tables.append(
                    f'<h3>{_e(label)} — by area</h3><table data-indicator-areas="{_e(key)}">'
                    f"<tr>{head}</tr>{body}</table>"
                )
        else:
            label, value_html, details = key, _fmt(item), ""
        rows.append(
            f'<tr data-indicator="{_e(key)}"><td>{_e(label)}</td><td>{value_html}</td>'
            f"<td>{details}</td></tr>"
        )
    return f'<table id="indicator-table">{"".join(rows)}</table>' + "".join(area_tables)


def _kv_table(items: Iterable[tuple[object, object]]) -> str:
    rows = "".join(f"<tr><th>{_e(_humanise(k))}</th>{_td(v)}</tr>" for k, v in items)
    return f"<table>{rows}</table>"


def _summary_html(summary: Mapping[str, Any]) -> str:
    if not summary:
        return '<p class="muted">No summary.</p>'
    scalars = [(k, v) for k, v in summary.items() if not isinstance(v, Mapping) and k != "notes"]
    out = [_kv_table(scalars)] if scalars else []
    for key, value in summary.items():
        if isinstance(value, Mapping):
            out.append(f"<h3>{_e(_humanise(key))}</h3>")
            out.append(_kv_table(value.items()) if value else '<p class="muted">—</p>')
    summary_notes = summary.get("notes")
    if isinstance(summary_notes, list | tuple) and summary_notes:
        items = "".join(f"<li>{_e(n)}</li>" for n in summary_notes)
        out.append(f'<h3>Notes</h3><ul class="notes">{items}</ul>')
    return "\n".join(out)


def _schools_html(frame: pd.DataFrame) -> str:
    columns = [c for c in _SCHOOL_COLUMNS if c[0] in frame.columns]
    if not len(frame):
        return '<p class="muted">No schools.</p>'
    if not columns:
        return '<p class="muted">The school table has none of the expected columns.</p>'
    head = "".join(f"<th>{_e(h)}</th>" for _, h, _ in columns)
    body = []
    records = frame[[c for c, _, _ in columns]].to_dict("records")
    for rec in records:
        cells = []
        for col, _, decimals in columns:
            value = rec[col]
            if col == "service_class":
                name = _class_name(value)
                cells.append(
                    f'<td><span class="swatch" style="background:{CLASS_COLOURS[name]}"></span>'
                    f"{_e(name)}</td>"
                )
            elif decimals is not None:
                number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
                cells.append(_td(float(number), decimals))
            else:
                cells.append(f"<td>{_fmt(value)}</td>")
        sid = f' data-school-id="{_e(rec["school_id"])}"' if "school_id" in rec else ""
        body.append(f"<tr{sid}>{''.join(cells)}</tr>")
    return (
        f'<div class="wide"><table id="school-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _assumptions_html(assumptions: Sequence[Mapping[str, Any] | Assumption]) -> str:
    if not assumptions:
        return '<p class="muted">No assumptions were given.</p>'
    rows = ["<tr><th>Name</th><th>Value</th><th>Unit</th><th>Source</th></tr>"]
    for item in assumptions:
        row: Mapping[str, Any] = item.model_dump() if isinstance(item, Assumption) else item
        desc = row.get("description")
        tip = f' title="{_e(desc)}"' if desc else ""
        rows.append(
            f"<tr><td{tip}>{_fmt(row.get('name'))}</td><td>{_fmt(row.get('value'))}</td>"
            f"<td>{_fmt(row.get('unit'))}</td><td>{_fmt(row.get('source'))}</td></tr>"
        )
    return f'<table id="assumption-table">{"".join(rows)}</table>'


# --------------------------------------------------------------------------- map


@dataclass(frozen=True, slots=True)
class _Frame:
    """Geographic frame of the map and its projection to SVG user units."""

    west: float
    south: float
    east: float
    north: float
    width: float
    height: float
    metres_per_unit: float

    def x(self, lon: NDArray[np.float64] | float) -> NDArray[np.float64]:
        return np.asarray((np.asarray(lon) - self.west) / (self.east - self.west) * self.width)

    def y(self, lat: NDArray[np.float64] | float) -> NDArray[np.float64]:
        return np.asarray((self.north - np.asarray(lat)) / (self.north - self.south) * self.height)


def _make_frame(boxes: list[tuple[float, float, float, float]]) -> _Frame:
    west = min(b[0] for b in boxes)
    south = min(b[1] for b in boxes)
    east = max(b[2] for b in boxes)
    north = max(b[3] for b in boxes)
    cx, cy = (west + east) / 2, (south + north) / 2
    half_x = max(east - west, _MIN_SPAN_DEG) * (0.5 + _FRAME_PAD)
    half_y = max(north - south, _MIN_SPAN_DEG) * (0.5 + _FRAME_PAD)
    west, east = cx - half_x, cx + half_x
    south, north = max(cy - half_y, -89.9), min(cy + half_y, 89.9)
    dx_m, dy_m = geographic_pixel_size_m((south + north) / 2, dlon_deg=1.0, dlat_deg=1.0)
    ground_w = (east - west) * float(dx_m)
    ground_h = (north - south) * float(dy_m)
    width = _MAP_WIDTH
    height = width * ground_h / ground_w
    if height > _MAP_MAX_HEIGHT:
        width, height = width * _MAP_MAX_HEIGHT / height, _MAP_MAX_HEIGHT
    return _Frame(west, south, east, north, width, height, ground_w / width)


def _points(frame: pd.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if not {"latitude_deg", "longitude_deg"} <= set(frame.columns):
        nan = np.full(len(frame), np.nan)
        return nan, nan.copy()
    lon = pd.to_numeric(frame["longitude_deg"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(frame["latitude_deg"], errors="coerce").to_numpy(dtype=float)
    return lon, lat


def _box(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[float, float, float, float]:
    return (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))


def _map_section(
    schools: pd.DataFrame,
    sites: pd.DataFrame | None,
    terrain: TerrainGrid | None,
    coverage: CoverageRaster | None,
    notes: list[str],
    plan: PlanReport | None = None,
    plan_schools: pd.DataFrame | None = None,
) -> str:
    if plan_schools is not None:
        schools = plan_schools
    boxes: list[tuple[float, float, float, float]] = []
    use_terrain = terrain is not None and terrain.is_geographic and terrain.elevation_m.size > 0
    if terrain is not None and not use_terrain:
        notes.append("The terrain grid is not geographic, so no hillshade is drawn on the map.")
    if terrain is not None and use_terrain:
        boxes.append(terrain.bounds)
    if coverage is not None and coverage.service_class.size:
        boxes.append(coverage.bounds)
    s_lon, s_lat = _points(schools)
    s_ok = np.isfinite(s_lon) & np.isfinite(s_lat)
    if s_ok.any():
        boxes.append(_box(s_lon[s_ok], s_lat[s_ok]))
    n_no_xy = int((~s_ok).sum())
    if n_no_xy:
        notes.append(f"{n_no_xy} schools have no coordinates and are not on the map.")
    p_lon, p_lat = _plan_points(plan)
    if p_lon.size:
        boxes.append(_box(p_lon, p_lat))

    t_lon = t_lat = np.empty(0)
    if sites is not None and len(sites):
        t_lon, t_lat = _points(sites)
    t_ok = np.isfinite(t_lon) & np.isfinite(t_lat)
    if boxes and t_ok.any():
        core = _make_frame(boxes)
        w, s, e, n = core.west, core.south, core.east, core.north
        mx, my = (e - w) * _SITE_MARGIN, (n - s) * _SITE_MARGIN
        near = t_ok & (t_lon >= w - mx) & (t_lon <= e + mx) & (t_lat >= s - my) & (t_lat <= n + my)
        if near.any():
            boxes.append(_box(t_lon[near], t_lat[near]))
    elif t_ok.any():
        boxes.append(_box(t_lon[t_ok], t_lat[t_ok]))
    if not boxes:
        return '<p class="muted">Nothing to map: no terrain, coverage or located schools.</p>'
    fr = _make_frame(boxes)

    layers: list[str] = []
    if terrain is not None and use_terrain:
        layers.append(_image_layer("terrain", *_hillshade_png(terrain), fr))
    if coverage is not None and coverage.service_class.size:
        opacity = 0.5 if plan is not None else 1.0
        layers.append(_image_layer("coverage", *_coverage_png(coverage), fr, opacity))
    if plan is not None:
        layers.append(_links_layer(plan.links, fr))
    layers.append(_sites_layer(sites, t_lon, t_lat, t_ok, fr, notes))
    if plan is not None:
        layers.append(_new_sites_layer(plan.new_sites, fr, notes))
    layers.append(_schools_layer(schools, s_lon, s_lat, s_ok, fr, plan is not None))
    svg = (
        f'<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {fr.width:.1f} '
        f'{fr.height:.1f}" role="img" aria-label="{_map_label(plan)}" '
        f'font-family="system-ui, sans-serif">'
        f'<rect x="0" y="0" width="{fr.width:.1f}" height="{fr.height:.1f}" fill="#eef1f4"/>'
        + "".join(layers)
        + _north_arrow(fr)
        + _scale_bar(fr)
        + _legend(
            fr,
            coverage is not None,
            sites is not None and len(sites) > 0,
            None if plan_schools is None else plan_schools,
            plan,
        )
        + "</svg>"
    )
    caption = (
        f"<figcaption>WGS 84, equirectangular about latitude "
        f"{(fr.south + fr.north) / 2:.3f}° (east–west scale corrected); frame "
        f"{fr.west:.3f}° … {fr.east:.3f}° E, {fr.south:.3f}° … {fr.north:.3f}° N. "
        "Hover a school or tower for details. Terrain: hillshade (Horn 1981, light from "
        "315° at 45°).</figcaption>"
    )
    return f"<figure>{svg}{caption}</figure>"


def _reduce_step(shape: tuple[int, int]) -> int:
    return max(1, math.ceil(max(shape) / MAX_IMAGE_PX))


def _block_mean(z: NDArray[np.float64], step: int) -> NDArray[np.float64]:
    """Mean of each ``step × step`` block ignoring NaN (NaN where a block has no data)."""
    if step == 1:
        return z
    rows, cols = z.shape
    r_out, c_out = math.ceil(rows / step), math.ceil(cols / step)
    padded = np.full((r_out * step, c_out * step), np.nan)
    padded[:rows, :cols] = z
    blocks = padded.reshape(r_out, step, c_out, step)
    valid = np.isfinite(blocks)
    count = valid.sum(axis=(1, 3))
    total = np.where(valid, blocks, 0.0).sum(axis=(1, 3))
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _hillshade_png(terrain: TerrainGrid) -> tuple[bytes, tuple[float, float, float, float]]:
    step = _reduce_step(terrain.shape)
    z = _block_mean(np.asarray(terrain.elevation_m, dtype=np.float64), step)
    small = TerrainGrid(
        elevation_m=z.astype(np.float32),
        void=np.isnan(z),
        x0=terrain.x0,
        y0=terrain.y0,
        dx=terrain.dx * step,
        dy=terrain.dy * step,
        crs_wkt=terrain.crs_wkt,
        is_geographic=True,
        source=terrain.source,
    )
    shade = hillshade_grid(small)
    ok = np.isfinite(shade)
    # Lifted grey (dark slopes stay readable under the overlays), even levels only:
    # invisible on screen and about a fifth smaller as PNG.
    grey = np.round(_HILLSHADE_BLACK + _HILLSHADE_CONTRAST * np.where(ok, shade, 0.0))
    grey_u8 = (grey.astype(np.uint8) // 2 * 2).astype(np.uint8)
    if ok.all():
        return encode_png(grey_u8), small.bounds
    alpha = np.where(ok, 255, 0).astype(np.uint8)
    return encode_png(np.dstack([grey_u8, alpha])), small.bounds


def _coverage_png(coverage: CoverageRaster) -> tuple[bytes, tuple[float, float, float, float]]:
    rows, cols = coverage.shape
    step = _reduce_step((rows, cols))
    r_idx = np.minimum(np.arange(0, rows, step) + step // 2, rows - 1)
    c_idx = np.minimum(np.arange(0, cols, step) + step // 2, cols - 1)
    classes = np.asarray(coverage.service_class)[np.ix_(r_idx, c_idx)]
    lut = np.zeros((256, 4), dtype=np.uint8)
    for code, colour in _COVERAGE_RGBA.items():
        lut[code] = colour
    rgba = lut[classes]
    west = coverage.west_deg
    north = coverage.north_deg
    east = west + len(c_idx) * step * coverage.dlon_deg
    south = north - len(r_idx) * step * coverage.dlat_deg
    return encode_png(rgba), (west, south, east, north)


def _image_layer(
    name: str,
    png: bytes,
    bounds: tuple[float, float, float, float],
    fr: _Frame,
    opacity: float = 1.0,
) -> str:
    west, south, east, north = bounds
    x0, x1 = float(fr.x(west)), float(fr.x(east))
    y0, y1 = float(fr.y(north)), float(fr.y(south))
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    rendering = ' style="image-rendering:pixelated"' if name == "coverage" else ""
    fade = "" if opacity >= 1.0 else f' opacity="{opacity:.2f}"'
    return (
        f'<g id="layer-{name}"{fade}><image x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" '
        f'height="{y1 - y0:.2f}" preserveAspectRatio="none"{rendering} href="{uri}"/></g>'
    )


def _triangle(x: float, y: float, size: float) -> str:
    h = size * 0.866
    return f"{x:.1f},{y - h * 0.67:.1f} {x - size / 2:.1f},{y + h * 0.33:.1f} {x + size / 2:.1f},{y + h * 0.33:.1f}"


def _sites_layer(
    sites: pd.DataFrame | None,
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    ok: NDArray[np.bool_],
    fr: _Frame,
    notes: list[str],
) -> str:
    if sites is None or not len(sites):
        return ""
    inside = ok & (lon >= fr.west) & (lon <= fr.east) & (lat >= fr.south) & (lat <= fr.north)
    on_terrain = (
        sites["on_terrain"].astype("boolean").fillna(True).to_numpy(dtype=bool)
        if "on_terrain" in sites.columns
        else np.ones(len(sites), dtype=bool)
    )
    xs, ys = fr.x(lon), fr.y(lat)
    records = sites.to_dict("records")
    shapes = []
    for i, rec in enumerate(records):
        if not inside[i]:
            continue
        sid = rec.get("site_id", i)
        tip = [f"Tower site {sid}"]
        for key, label in (
            ("operators", "operators"),
            ("technologies", "technologies"),
            ("height_m", "height (m)"),
            ("n_cells", "cells"),
        ):
            if key in rec and not _is_missing(rec[key]):
                value = rec[key]
                text = f"{float(value):g}" if isinstance(value, float | np.floating) else value
                tip.append(f"{label}: {text}")
        if not on_terrain[i]:
            tip.append("outside the terrain model: not used for coverage")
            style = 'fill="#ffffff" stroke="#6b2fa0" stroke-width="1.6" stroke-dasharray="2 1.5"'
            cls = "site off-terrain"
        else:
            style = 'fill="#6b2fa0" stroke="#ffffff" stroke-width="1"'
            cls = "site"
        shapes.append(
            f'<polygon class="{cls}" data-site-id="{_e(sid)}" '
            f'data-on-terrain="{"true" if on_terrain[i] else "false"}" '
            f'points="{_triangle(float(xs[i]), float(ys[i]), 13.0)}" {style}>'
            f"<title>{_e(' — '.join(str(t) for t in tip))}</title></polygon>"
        )
    n_off = int((~on_terrain).sum())
    if n_off:
        off_ids = [str(r.get("site_id", i)) for i, r in enumerate(records) if not on_terrain[i]]
        notes.append(
            f"{n_off} tower sites lie outside the terrain model ({', '.join(off_ids)}): drawn "
            f"as hollow triangles; {OFF_TERRAIN_ACTION}."
        )
    n_out = int((ok & ~inside).sum())
    if n_out:
        notes.append(f"{n_out} tower sites lie beyond the map frame and are not drawn.")
    n_no_xy = int((~ok).sum())
    if n_no_xy:
        notes.append(f"{n_no_xy} tower sites have no coordinates and are not drawn.")
    return f'<g id="layer-sites">{"".join(shapes)}</g>'


def _schools_layer(
    schools: pd.DataFrame,
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    ok: NDArray[np.bool_],
    fr: _Frame,
    by_option: bool = False,
) -> str:
    xs, ys = fr.x(lon), fr.y(lat)
    records = schools.to_dict("records")
    classes = (
        list(schools["service_class"])
        if "service_class" in schools.columns
        else ["unknown"] * len(schools)
    )
    classes = [_class_name(c) for c in classes]
    options = list(schools["option_kind"]) if by_option else []
    if by_option:
        order = sorted(
            (i for i in range(len(records)) if ok[i]), key=lambda i: _OPTION_RANK[options[i]]
        )
    else:
        # Red (no service) drawn last so that it stays visible where markers overlap.
        order = sorted(
            (i for i in range(len(records)) if ok[i]), key=lambda i: _DRAW_RANK[classes[i]]
        )
    circles = []
    for i in order:
        rec = records[i]
        cls = classes[i]
        sid = rec.get("school_id", i)
        tip = [str(rec["name"]) if not _is_missing(rec.get("name")) else "(no name)"]
        tip.append(f"id {sid}")
        if by_option:
            option = options[i]
            line = f"plan: {_OPTION_LABELS[option].lower()}"
            if not _is_missing(rec.get("option_detail")):
                line += f" — {rec['option_detail']}"
            tip.append(line)
            if not _is_missing(rec.get("mbps")):
                tip.append(f"expected: {float(rec['mbps']):.1f} Mbit/s")
            for key, label in (("capex_usd", "CAPEX"), ("npv_usd", "NPV")):
                if not _is_missing(rec.get(key)):
                    tip.append(f"{label}: {float(rec[key]):,.0f}")
        tip.append(f"class today: {cls}" if by_option else f"class: {cls}")
        if "students" in rec and not _is_missing(rec["students"]):
            tip.append(f"students: {_fmt(rec['students'])}")
        for key, label in (("downlink_mbps", "downlink"), ("uplink_mbps", "uplink")):
            if key in rec and not _is_missing(rec[key]):
                tip.append(f"{label}: {float(rec[key]):.1f} Mbit/s")
        if "best_site_id" in rec and not _is_missing(rec["best_site_id"]):
            site = f"best site: {rec['best_site_id']}"
            if "best_distance_km" in rec and not _is_missing(rec["best_distance_km"]):
                site += f" ({float(rec['best_distance_km']):.1f} km)"
            tip.append(site)
        if "geo_status" in rec and not _is_missing(rec["geo_status"]):
            tip.append(f"GEO: {rec['geo_status']}")
        if by_option:
            option = options[i]
            loud = option == "not_connected"
            extra = f' data-option="{option}"'
            fill = OPTION_COLOURS[option]
            radius, stroke = ("6.5", "1.8") if loud else ("5.5", "1.2")
        else:
            extra, fill, radius, stroke = "", CLASS_COLOURS[cls], "5.5", "1.2"
        circles.append(
            f'<circle class="school" data-school-id="{_e(sid)}" data-class="{cls}"{extra} '
            f'cx="{float(xs[i]):.1f}" cy="{float(ys[i]):.1f}" r="{radius}" '
            f'fill="{fill}" stroke="#1f2328" stroke-width="{stroke}">'
            f"<title>{_e(chr(10).join(tip))}</title></circle>"
        )
    return f'<g id="layer-schools">{"".join(circles)}</g>'


def _nice_length_km(target_km: float) -> float:
    exponent = math.floor(math.log10(target_km))
    base = 10.0**exponent
    for m in (5.0, 2.0, 1.0):
        if m * base <= target_km:
            return m * base
    return base


def _scale_bar(fr: _Frame) -> str:
    length_km = _nice_length_km(0.2 * fr.width * fr.metres_per_unit / 1000.0)
    units = length_km * 1000.0 / fr.metres_per_unit
    x0, y0 = 16.0, fr.height - 22.0
    half = units / 2
    label = f"{length_km:g} km"
    return (
        f'<g id="scale-bar"><rect x="{x0 - 6:.1f}" y="{y0 - 20:.1f}" width="{units + 12 + 8 * len(label):.1f}" '
        f'height="34" fill="#ffffff" fill-opacity="0.8" rx="3"/>'
        f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{half:.1f}" height="6" fill="#1f2328"/>'
        f'<rect x="{x0 + half:.1f}" y="{y0:.1f}" width="{half:.1f}" height="6" fill="#ffffff" '
        f'stroke="#1f2328"/>'
        f'<text x="{x0:.1f}" y="{y0 - 5:.1f}" font-size="12" text-anchor="middle">0</text>'
        f'<text x="{x0 + units:.1f}" y="{y0 - 5:.1f}" font-size="12" text-anchor="middle">'
        f"{_e(label)}</text></g>"
    )


def _north_arrow(fr: _Frame) -> str:
    x, y = 30.0, 20.0
    return (
        f'<g id="north-arrow"><circle cx="{x}" cy="{y + 18}" r="19" fill="#ffffff" '
        f'fill-opacity="0.8"/>'
        f'<polygon points="{x},{y + 4} {x - 8},{y + 30} {x},{y + 24} {x + 8},{y + 30}" '
        f'fill="#1f2328"/>'
        f'<text x="{x}" y="{y + 2}" font-size="13" font-weight="600" '
        f'text-anchor="middle">N</text></g>'
    )


def _legend(
    fr: _Frame,
    has_coverage: bool,
    has_sites: bool,
    plan_schools: pd.DataFrame | None = None,
    plan: PlanReport | None = None,
) -> str:
    entries: list[str] = []
    row = 0

    def y(r: int) -> float:
        return 30.0 + 18.0 * r

    def text(r: int, label: str) -> str:
        return f'<text x="28" y="{y(r):.1f}" font-size="12">{_e(label)}</text>'

    if plan_schools is not None:
        present = set(plan_schools["option_kind"])
        for name in OPTION_COLOURS:
            if name not in present and name != "not_connected":
                continue
            radius, ring = ("6.5", "1.8") if name == "not_connected" else ("5.5", "1.2")
            entries.append(
                f'<circle cx="14" cy="{y(row) - 4:.1f}" r="{radius}" fill="{OPTION_COLOURS[name]}" '
                f'stroke="#1f2328" stroke-width="{ring}"/>'
                + text(row, f"School: {_OPTION_LABELS[name].lower()}")
            )
            row += 1
    else:
        for name in _CLASS_ORDER:
            entries.append(
                f'<circle cx="14" cy="{y(row) - 4:.1f}" r="5.5" fill="{CLASS_COLOURS[name]}" '
                f'stroke="#1f2328" stroke-width="1.2"/>'
                + text(row, f"School: {_CLASS_LABELS[name].lower()}")
            )
            row += 1
    if plan is not None and len(plan.new_sites):
        entries.append(
            f'<polygon points="{_diamond(14.0, y(row) - 4, 13.0)}" fill="{_NEW_SITE_COLOUR}" '
            f'stroke="#1f2328" stroke-width="1.4"/>' + text(row, "New site")
        )
        row += 1
    if plan is not None and len(plan.links) and "kind" in plan.links.columns:
        kinds = set(plan.links["kind"].astype(str))
        for kind, (colour, line_w, dash) in LINK_KINDS.items():
            if kind not in kinds:
                continue
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            entries.append(
                f'<line x1="6" y1="{y(row) - 4:.1f}" x2="22" y2="{y(row) - 4:.1f}" '
                f'stroke="{colour}" stroke-width="{line_w}"{dashed}/>' + text(row, f"Link: {kind}")
            )
            row += 1
    if has_sites:
        entries.append(
            f'<polygon points="{_triangle(14.0, y(row) - 4, 12.0)}" fill="#6b2fa0"/>'
            + text(row, "Tower site")
        )
        row += 1
        entries.append(
            f'<polygon points="{_triangle(14.0, y(row) - 4, 12.0)}" fill="#ffffff" '
            f'stroke="#6b2fa0" stroke-width="1.6" stroke-dasharray="2 1.5"/>'
            + text(row, "Tower off the terrain")
        )
        row += 1
    if has_coverage:
        prefix = "Today's coverage" if plan is not None else "Coverage"
        fade = 0.5 if plan is not None else 1.0
        for code, label in (
            (ServiceClass.GOOD, "good"),
            (ServiceClass.MODERATE, "moderate"),
            (ServiceClass.NONE, "none"),
        ):
            r, g, b, a = _COVERAGE_RGBA[code]
            entries.append(
                f'<rect x="8" y="{y(row) - 10:.1f}" width="12" height="12" '
                f'fill="rgb({r},{g},{b})" fill-opacity="{max(a / 255, 0.35) * fade:.2f}" '
                f'stroke="#59636e" stroke-width="0.5"/>' + text(row, f"{prefix}: {label}")
            )
            row += 1
    width, height = (190.0 if plan is not None else 170.0), 22.0 + 18.0 * row
    x0 = fr.width - width - 10.0
    return (
        f'<g id="legend" transform="translate({x0:.1f},10)">'
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff" '
        f'fill-opacity="0.88" stroke="#d0d7de" rx="4"/>'
        f'<text x="8" y="15" font-size="12" font-weight="600">Legend</text>'
        + "".join(entries)
        + "</g>"
    )


# --------------------------------------------------------------------------- plan

#: Plan columns copied onto the map's school table.
_PLAN_SCHOOL_COLUMNS = (
    "option_kind",
    "option_detail",
    "demand_mbps",
    "mbps",
    "capex_usd",
    "npv_usd",
)


def _map_label(plan: PlanReport | None) -> str:
    if plan is None:
        return "Map of schools, towers and coverage"
    return "Map of the plan: schools by chosen option, new sites and links over today's coverage"


def _diamond(x: float, y: float, size: float) -> str:
    h = size / 2
    return f"{x:.1f},{y - h:.1f} {x + h:.1f},{y:.1f} {x:.1f},{y + h:.1f} {x - h:.1f},{y:.1f}"


def _check_plan_schools(frame: pd.DataFrame) -> None:
    for column in ("school_id", "option_kind"):
        if column not in frame.columns:
            msg = f"the plan's school table has no {column!r} column"
            raise InputError(msg, field=column)
    for i, kind in enumerate(frame["option_kind"]):
        if kind not in _PLAN_OPTIONS:
            msg = f"unknown option_kind {kind!r}; expected one of {', '.join(_PLAN_OPTIONS)}"
            raise InputError(msg, row=i + 1, field="option_kind")


def _plan_school_frame(table: pd.DataFrame, plan: PlanReport) -> pd.DataFrame:
    """The report's school table with each school's plan option (``not_in_plan`` if none).

    Plan schools missing from the table are appended with the plan's own columns;
    coordinates missing from the table are taken from the plan.
    """
    ps = pd.DataFrame(plan.schools).reset_index(drop=True)
    _check_plan_schools(ps)
    ps_ids = ps["school_id"].astype(str)
    if ps_ids.duplicated().any():
        dup = ps_ids[ps_ids.duplicated()].iloc[0]
        msg = f"school_id {dup!r} appears more than once in the plan"
        raise InputError(msg, field="school_id")
    lookup = ps.set_index(ps_ids)
    out = table.copy()
    ids = (
        out["school_id"].astype(str)
        if "school_id" in out.columns
        else pd.Series([None] * len(out), index=out.index, dtype=object)
    )
    known = ids.isin(lookup.index).to_numpy()
    for column in _PLAN_SCHOOL_COLUMNS:
        if column in lookup.columns:
            values = lookup[column].reindex(ids.where(pd.Series(known, index=ids.index)))
            out[column] = values.to_numpy()
    out["option_kind"] = np.where(known, out["option_kind"].astype(object), "not_in_plan")
    for column in ("longitude_deg", "latitude_deg", "name", "students", "admin_area"):
        if column not in lookup.columns:
            continue
        plan_values = lookup[column].reindex(ids.where(pd.Series(known, index=ids.index)))
        if column not in out.columns:
            out[column] = plan_values.to_numpy()
        else:
            mine = out[column]
            out[column] = mine.where(
                ~mine.isna(), pd.Series(plan_values.to_numpy(), index=out.index)
            )
    extra = ps[~ps_ids.isin(set(ids.dropna()))]
    if len(extra):
        out = pd.concat([out, extra], ignore_index=True)
    return out.reset_index(drop=True)


def _plan_points(plan: PlanReport | None) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Located new sites and link vertices, for the map frame."""
    if plan is None:
        return np.empty(0), np.empty(0)
    lons: list[float] = []
    lats: list[float] = []
    if len(plan.new_sites):
        lon, lat = _points(plan.new_sites)
        lons += list(lon)
        lats += list(lat)
    for line in _link_lines(plan.links):
        lons += [p[0] for p in line[1]]
        lats += [p[1] for p in line[1]]
    x, y = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    return x[ok], y[ok]


def _link_lines(links: pd.DataFrame) -> list[tuple[int, list[tuple[float, float]]]]:
    """``(row, [(lon, lat), …])`` per drawable link; rows without coordinates skipped."""
    if not len(links):
        return []
    if "kind" not in links.columns:
        msg = "the plan's link table has no 'kind' column"
        raise InputError(msg, field="kind")
    out: list[tuple[int, list[tuple[float, float]]]] = []
    for i, rec in enumerate(links.to_dict("records")):
        if rec["kind"] not in LINK_KINDS:
            msg = f"unknown link kind {rec['kind']!r}; expected one of {', '.join(LINK_KINDS)}"
            raise InputError(msg, row=i + 1, field="kind")
        coords = rec.get("coords")
        points: list[tuple[float, float]] = []
        if isinstance(coords, list | tuple | np.ndarray) and len(coords) >= 2:
            points = [(float(p[0]), float(p[1])) for p in coords]
        else:
            ends = [rec.get(k) for k in ("lon_a_deg", "lat_a_deg", "lon_b_deg", "lat_b_deg")]
            if all(isinstance(v, int | float | np.number) for v in ends):
                la, pa, lb, pb = (float(v) for v in ends)  # type: ignore[arg-type]
                points = [(la, pa), (lb, pb)]
        if points and all(math.isfinite(c) for p in points for c in p):
            out.append((i, points))
    return out


def _links_layer(links: pd.DataFrame, fr: _Frame) -> str:
    lines = _link_lines(links)
    if not lines:
        return ""
    records = links.to_dict("records")
    drawn = []
    # Access first, fibre last: the trunk lines stay on top.
    rank = {"access": 0, "microwave": 1, "fibre": 2}
    for i, points in sorted(lines, key=lambda t: rank[str(records[t[0]]["kind"])]):
        rec = records[i]
        kind = str(rec["kind"])
        colour, width, dash = LINK_KINDS[kind]
        xs = fr.x(np.array([p[0] for p in points]))
        ys = fr.y(np.array([p[1] for p in points]))
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        label = rec.get("label")
        tip = f"{kind} link" + ("" if _is_missing(label) else f": {label}")
        drawn.append(
            f'<polyline class="link link-{kind}" data-kind="{kind}" points="{pts}" '
            f'fill="none" stroke="{colour}" stroke-width="{width}"{dashed} '
            f'stroke-linecap="round" stroke-linejoin="round"><title>{_e(tip)}</title></polyline>'
        )
    return f'<g id="layer-links">{"".join(drawn)}</g>'


def _new_sites_layer(new_sites: pd.DataFrame, fr: _Frame, notes: list[str]) -> str:
    if not len(new_sites):
        return ""
    lon, lat = _points(new_sites)
    ok = np.isfinite(lon) & np.isfinite(lat)
    xs, ys = fr.x(lon), fr.y(lat)
    shapes = []
    for i, rec in enumerate(new_sites.to_dict("records")):
        if not ok[i]:
            continue
        sid = rec.get("site_id", i)
        tip = [f"New site {sid}"]
        for key, label, unit in (
            ("kind", "kind", ""),
            ("mast_height_m", "mast", " m"),
            ("schools_served", "schools served", ""),
            ("capex_usd", "CAPEX", ""),
            ("npv_usd", "NPV", ""),
            ("backhaul", "backhaul", ""),
        ):
            if key in rec and not _is_missing(rec[key]):
                value = rec[key]
                text = f"{float(value):,.0f}" if isinstance(value, float | np.floating) else value
                tip.append(f"{label}: {text}{unit}")
        kind = "" if _is_missing(rec.get("kind")) else str(rec["kind"])
        shapes.append(
            f'<polygon class="new-site" data-site-id="{_e(sid)}" data-kind="{_e(kind)}" '
            f'points="{_diamond(float(xs[i]), float(ys[i]), 15.0)}" fill="{_NEW_SITE_COLOUR}" '
            f'stroke="#1f2328" stroke-width="1.4"><title>{_e(chr(10).join(str(t) for t in tip))}'
            "</title></polygon>"
        )
    n_no_xy = int((~ok).sum())
    if n_no_xy:
        notes.append(f"{n_no_xy} new sites have no coordinates and are not drawn.")
    return f'<g id="layer-new-sites">{"".join(shapes)}</g>'


def _money_short(value: float) -> str:
    """Compact money text for axis ticks: ``"0.5 M"``, ``"250 k"``, ``"1.2 G"``."""
    v = abs(value)
    if v == 0.0:
        return "0"
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= scale * 0.1 and (scale > 1e3 or v >= 1e3):
            return f"{value / scale:.3g} {suffix}"
    return f"{value:.3g}"


def _nice_ticks(top: float, n: int = 5) -> list[float]:
    """Ticks from 0 to at least ``top`` at a 1, 2, 2.5 or 5 × 10^k step."""
    if not math.isfinite(top) or top <= 0.0:
        return [0.0, 1.0]
    raw = top / n
    base = 10.0 ** math.floor(math.log10(raw))
    step = next(m * base for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * base >= raw)
    count = math.ceil(top / step - 1e-9)
    return [k * step for k in range(count + 1)]


def _totals_value(totals: Mapping[str, Any], key: str) -> float:
    value = totals.get(key)
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return float(value)
    return math.nan


def _plan_totals_html(plan: PlanReport) -> str:
    t = plan.totals
    cur = _e(plan.currency)

    def before_after(key: str) -> str:
        b = _totals_value(t, f"{key}_before")
        a = _totals_value(t, f"{key}_after")
        text = f"{_fmt(b, 0)} → {_fmt(a, 0)}"
        if math.isfinite(a) and math.isfinite(b):
            text += f" ({a - b:+,.0f})"
        return text

    gain = _totals_value(t, "gain_students")
    gain_pct = _totals_value(t, "gain_pct")
    gain_text = f"{gain:+,.0f} students" if math.isfinite(gain) else "—"
    if math.isfinite(gain_pct):
        gain_text += f" ({gain_pct:+.1f} %)"
    gap = _totals_value(t, "mip_gap")
    cards = [
        ("plan-students", "Students connected, before → after", before_after("students_connected")),
        ("plan-schools", "Schools connected, before → after", before_after("schools_connected")),
        ("plan-capex", f"Total CAPEX ({cur})", _fmt(_totals_value(t, "capex_usd"), 0)),
        ("plan-npv", f"Total NPV of cost ({cur})", _fmt(_totals_value(t, "npv_usd"), 0)),
        (
            "plan-budget",
            f"Budget on {_e(plan.metric)} ({cur})",
            "none" if plan.budget_usd is None else _fmt(float(plan.budget_usd), 0),
        ),
        (
            "plan-gap",
            "MIP gap" + ("" if _is_missing(t.get("solver")) else f" ({_e(t['solver'])})"),
            f"{100.0 * gap:.2f} %" if math.isfinite(gap) else "—",
        ),
        (
            "plan-gain",
            "Gain over greedy at the same budget",
            gain_text,
        ),
    ]
    items = "".join(
        f'<li id="{cid}"><span>{label}</span><b>{value}</b></li>' for cid, label, value in cards
    )
    known = {
        "students_connected_before",
        "students_connected_after",
        "schools_connected_before",
        "schools_connected_after",
        "capex_usd",
        "npv_usd",
        "mip_gap",
        "solver",
        "gain_students",
        "gain_pct",
    }
    greedy = _totals_value(t, "greedy_students")
    rest = [(k, v) for k, v in t.items() if k not in known and k != "greedy_students"]
    extra = _kv_table(rest) if rest else ""
    greedy_text = (
        f" The greedy heuristic (best students per {_e(plan.currency)} first) connects "
        f"{_fmt(greedy, 0)} students at the same budget."
        if math.isfinite(greedy)
        else ""
    )
    return f'<ul class="kpi" id="plan-totals">{items}</ul>{extra}' + (
        f'<p class="muted">{greedy_text.strip()}</p>' if greedy_text else ""
    )


def _plan_words(plan: PlanReport) -> str:
    metric = plan.metric.strip().upper()
    if metric == "NPV":
        cost = (
            "Costs are compared as the net present value (NPV) of capital and operating "
            "spending over the planning horizon."
        )
    elif metric == "CAPEX":
        cost = "Costs are compared as up-front capital spending (CAPEX) only."
    else:
        cost = f"Costs are compared as {_e(plan.metric)}."
    budget = (
        "No budget limit was set."
        if plan.budget_usd is None or _is_missing(plan.budget_usd)
        else f"Budget: {_fmt(float(plan.budget_usd), 0)} {_e(plan.currency)} of {_e(metric)}."
    )
    objective = _e(plan.objective) if plan.objective else "not stated"
    return f'<p id="plan-objective">Objective: {objective}. {cost} {budget}</p>'


def _sweep_frame(sweep: pd.DataFrame) -> pd.DataFrame:
    if not len(sweep) or not {"budget_usd", "weight_connected"} <= set(sweep.columns):
        return pd.DataFrame(columns=["budget_usd", "weight_connected"])
    frame = pd.DataFrame(sweep).copy()
    for column in ("budget_usd", "weight_connected", "greedy_weight", "schools_connected"):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    ok = np.isfinite(frame["budget_usd"].to_numpy(float)) & np.isfinite(
        frame["weight_connected"].to_numpy(float)
    )
    kept: pd.DataFrame = frame[ok].sort_values("budget_usd", kind="stable")
    return kept.reset_index(drop=True)


def _chart_svg(plan: PlanReport) -> str:
    sweep = _sweep_frame(plan.sweep)
    if not len(sweep):
        return (
            '<p class="muted" id="cost-coverage-empty">No budget sweep was run, so there is '
            "no cost–coverage chart.</p>"
        )
    budget = sweep["budget_usd"].to_numpy(float)
    weight = sweep["weight_connected"].to_numpy(float)
    greedy = (
        sweep["greedy_weight"].to_numpy(float)
        if "greedy_weight" in sweep.columns
        else np.full(len(sweep), np.nan)
    )
    g_ok = np.isfinite(greedy)
    before = _totals_value(plan.totals, "students_connected_before")
    chosen = None if plan.budget_usd is None else float(plan.budget_usd)
    if chosen is not None and not math.isfinite(chosen):
        chosen = None
    x_top = max(float(budget.max()), chosen or 0.0)
    y_top = max(float(weight.max()), float(greedy[g_ok].max()) if g_ok.any() else 0.0)
    if math.isfinite(before):
        y_top = max(y_top, before)
    x_ticks, y_ticks = _nice_ticks(x_top), _nice_ticks(y_top)
    width, height = 820.0, 430.0
    left, right, top, bottom = 78.0, 24.0, 20.0, 62.0
    pw, ph = width - left - right, height - top - bottom

    def px(v: NDArray[np.float64] | float) -> NDArray[np.float64]:
        return np.asarray(left + np.asarray(v) / x_ticks[-1] * pw)

    def py(v: NDArray[np.float64] | float) -> NDArray[np.float64]:
        return np.asarray(top + ph - np.asarray(v) / y_ticks[-1] * ph)

    cur = _e(plan.currency)
    out = [
        f'<svg id="cost-coverage-chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-labelledby="cost-coverage-title" font-family="system-ui, sans-serif">',
        f'<title id="cost-coverage-title">Students connected against budget ({cur}, '
        f"{_e(plan.metric)}): optimiser and greedy heuristic</title>",
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    grid = []
    for v in x_ticks:
        x = float(px(v))
        grid.append(
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{top + ph:.1f}" '
            f'stroke="#e6e9ed"/><text x="{x:.1f}" y="{top + ph + 18:.1f}" font-size="12" '
            f'text-anchor="middle">{_e(_money_short(v))}</text>'
        )
    for v in y_ticks:
        y = float(py(v))
        grid.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + pw:.1f}" y2="{y:.1f}" '
            f'stroke="#e6e9ed"/><text x="{left - 8:.1f}" y="{y + 4:.1f}" font-size="12" '
            f'text-anchor="end">{v:,.0f}</text>'
        )
    out.append(f'<g class="grid">{"".join(grid)}</g>')
    out.append(
        f'<line x1="{left:.1f}" y1="{top + ph:.1f}" x2="{left + pw:.1f}" y2="{top + ph:.1f}" '
        f'stroke="#1f2328"/><line x1="{left:.1f}" y1="{top:.1f}" x2="{left:.1f}" '
        f'y2="{top + ph:.1f}" stroke="#1f2328"/>'
        f'<text class="axis-title" x="{left + pw / 2:.1f}" y="{height - 16:.1f}" font-size="13" '
        f'text-anchor="middle">Budget ({cur}, {_e(plan.metric)})</text>'
        f'<text class="axis-title" transform="translate(18,{top + ph / 2:.1f}) rotate(-90)" '
        f'font-size="13" text-anchor="middle">Students connected</text>'
    )
    if math.isfinite(before):
        y = float(py(before))
        out.append(
            f'<g class="baseline"><line x1="{left:.1f}" y1="{y:.1f}" x2="{left + pw:.1f}" '
            f'y2="{y:.1f}" stroke="#59636e" stroke-dasharray="2 3"/>'
            f'<text x="{left + pw - 4:.1f}" y="{y - 5:.1f}" font-size="11" fill="#59636e" '
            f'text-anchor="end">connected today: {before:,.0f}</text></g>'
        )
    if g_ok.any():
        gx, gy = px(budget[g_ok]), py(greedy[g_ok])
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(gx, gy, strict=True))
        marks = "".join(
            f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="#ffffff" '
            f'stroke="#E69F00" stroke-width="1.6"><title>greedy: {_e(_money_short(b))} → '
            f"{w:,.0f} students</title></rect>"
            for x, y, b, w in zip(gx, gy, budget[g_ok], greedy[g_ok], strict=True)
        )
        out.append(
            f'<g class="curve-greedy"><polyline class="curve curve-greedy" points="{pts}" '
            f'fill="none" stroke="#E69F00" stroke-width="2" stroke-dasharray="6 4"/>{marks}</g>'
        )
    ox, oy = px(budget), py(weight)
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(ox, oy, strict=True))
    marks = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#0072B2"><title>optimiser: '
        f"{_e(_money_short(b))} → {w:,.0f} students</title></circle>"
        for x, y, b, w in zip(ox, oy, budget, weight, strict=True)
    )
    out.append(
        f'<g class="curve-optimiser"><polyline class="curve curve-optimiser" points="{pts}" '
        f'fill="none" stroke="#0072B2" stroke-width="2.4"/>{marks}</g>'
    )
    if chosen is not None:
        x = float(px(chosen))
        yv = float(np.interp(chosen, budget, weight))
        y = float(py(yv))
        out.append(
            f'<g class="chosen-budget"><line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" '
            f'y2="{top + ph:.1f}" stroke="#D55E00" stroke-width="1.4" stroke-dasharray="4 3"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7.5" fill="none" stroke="#D55E00" '
            f'stroke-width="2.4"><title>chosen budget {_e(_money_short(chosen))} {cur}: '
            f"{yv:,.0f} students</title></circle>"
            f'<text x="{x + 6:.1f}" y="{top + ph - 8:.1f}" font-size="11" fill="#D55E00">'
            f"chosen {_e(_money_short(chosen))}</text></g>"
        )
    lx, ly = left + 14.0, top + 12.0
    legend = [
        f'<rect x="{lx - 8:.1f}" y="{ly - 10:.1f}" width="200" height="'
        f'{58 if chosen is not None else 40}" fill="#ffffff" fill-opacity="0.9" '
        f'stroke="#d0d7de" rx="3"/>',
        f'<line x1="{lx:.1f}" y1="{ly:.1f}" x2="{lx + 22:.1f}" y2="{ly:.1f}" stroke="#0072B2" '
        f'stroke-width="2.4"/><circle cx="{lx + 11:.1f}" cy="{ly:.1f}" r="4" fill="#0072B2"/>'
        f'<text x="{lx + 30:.1f}" y="{ly + 4:.1f}" font-size="12">Optimiser (MIP)</text>',
    ]
    if g_ok.any():
        legend.append(
            f'<line x1="{lx:.1f}" y1="{ly + 18:.1f}" x2="{lx + 22:.1f}" y2="{ly + 18:.1f}" '
            f'stroke="#E69F00" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<rect x="{lx + 7.5:.1f}" y="{ly + 14.5:.1f}" width="7" height="7" fill="#ffffff" '
            f'stroke="#E69F00" stroke-width="1.6"/>'
            f'<text x="{lx + 30:.1f}" y="{ly + 22:.1f}" font-size="12">Greedy heuristic</text>'
        )
    if chosen is not None:
        legend.append(
            f'<circle cx="{lx + 11:.1f}" cy="{ly + 36:.1f}" r="6" fill="none" stroke="#D55E00" '
            f'stroke-width="2.2"/><text x="{lx + 30:.1f}" y="{ly + 40:.1f}" font-size="12">'
            "Chosen budget</text>"
        )
    out.append(f'<g class="chart-legend">{"".join(legend)}</g>')
    out.append("</svg>")
    caption = (
        "<figcaption>Each marker is one solve of the plan at that budget; the greedy "
        "heuristic connects the schools with the most students per unit cost first. "
        "A gap between the curves is what the optimiser gains.</figcaption>"
    )
    return f"<figure>{''.join(out)}{caption}</figure>"


def _sweep_table(plan: PlanReport) -> str:
    sweep = _sweep_frame(plan.sweep)
    if not len(sweep):
        return ""
    cur = _e(plan.currency)
    columns = [
        ("budget_usd", f"Budget ({cur})", 0),
        ("weight_connected", "Students (optimiser)", 0),
        ("greedy_weight", "Students (greedy)", 0),
        ("schools_connected", "Schools (optimiser)", 0),
    ]
    columns = [c for c in columns if c[0] in sweep.columns]
    head = "".join(f"<th>{h}</th>" for _, h, _ in columns)
    if "mip_gap" in sweep.columns:
        head += "<th>MIP gap (%)</th>"
    rows = []
    for rec in sweep.to_dict("records"):
        cells = "".join(_td(_as_float(rec[c]), d) for c, _, d in columns)
        if "mip_gap" in sweep.columns:
            cells += _td(100.0 * _as_float(rec["mip_gap"]), 2)
        rows.append(f"<tr>{cells}</tr>")
    return (
        "<details><summary>Budget sweep (the chart's data)</summary>"
        f'<table id="sweep-table"><tr>{head}</tr>{"".join(rows)}</table></details>'
    )


def _as_float(value: object) -> float:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(number)


_COST_HEADERS = {"capex_usd": "CAPEX", "npv_usd": "NPV", "cost_usd": "Cost"}


def _generic_table(frame: pd.DataFrame, table_id: str, currency: str) -> str:
    columns = list(frame.columns)
    head = "".join(
        f"<th>{_e(_COST_HEADERS[c])} ({_e(currency)})</th>"
        if c in _COST_HEADERS
        else f"<th>{_e(_humanise(c))}</th>"
        for c in columns
    )
    rows = []
    for rec in frame.to_dict("records"):
        cells = "".join(
            _td(_as_float(rec[c]), 0) if c in _COST_HEADERS else _td(rec[c]) for c in columns
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="wide"><table id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


_NEW_SITE_COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("site_id", "Site", None),
    ("kind", "Kind", None),
    ("longitude_deg", "Longitude (°)", 4),
    ("latitude_deg", "Latitude (°)", 4),
    ("mast_height_m", "Mast (m)", 0),
    ("schools_served", "Schools served", 0),
    ("capex_usd", "CAPEX", 0),
    ("npv_usd", "NPV", 0),
    ("backhaul", "Backhaul", None),
)
_PLAN_SCHOOL_TABLE: tuple[tuple[str, str, int | None], ...] = (
    ("school_id", "ID", None),
    ("name", "Name", None),
    ("admin_area", "Area", None),
    ("students", "Students", 0),
    ("option_kind", "Option", None),
    ("option_detail", "Detail", None),
    ("demand_mbps", "Demand (Mbit/s)", 1),
    ("mbps", "Expected (Mbit/s)", 1),
    ("capex_usd", "CAPEX", 0),
    ("npv_usd", "NPV", 0),
)


def _column_table(
    frame: pd.DataFrame,
    spec: tuple[tuple[str, str, int | None], ...],
    table_id: str,
    currency: str,
    limit: int | None = None,
) -> str:
    columns = [c for c in spec if c[0] in frame.columns]
    head = "".join(
        f"<th>{_e(h)} ({_e(currency)})</th>" if c in _COST_HEADERS else f"<th>{_e(h)}</th>"
        for c, h, _ in columns
    )
    records = frame.to_dict("records")
    shown = records if limit is None else records[:limit]
    body = []
    for rec in shown:
        cells = []
        for col, _, decimals in columns:
            value = rec[col]
            if col == "option_kind" and value in OPTION_COLOURS:
                cells.append(
                    f'<td class="nowrap"><span class="swatch" '
                    f'style="background:{OPTION_COLOURS[value]}"></span>'
                    f"{_e(_OPTION_LABELS[value])}</td>"
                )
            elif decimals is not None:
                cells.append(_td(_as_float(value), decimals))
            elif col in ("school_id", "site_id"):
                cells.append(f'<td class="nowrap">{_fmt(value)}</td>')
            else:
                cells.append(f"<td>{_fmt(value)}</td>")
        attr = ""
        if "school_id" in rec and table_id == "plan-school-table":
            attr = f' data-school-id="{_e(rec["school_id"])}"'
        elif "site_id" in rec:
            attr = f' data-site-id="{_e(rec["site_id"])}"'
        body.append(f"<tr{attr}>{''.join(cells)}</tr>")
    omitted = len(records) - len(shown)
    note = (
        f'<p class="muted" id="{table_id}-omitted">{omitted:,} more rows are not listed here '
        f"(the first {len(shown):,} are shown; the full table is in the run's output files)."
        "</p>"
        if omitted
        else ""
    )
    return (
        f'<div class="wide"><table id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{note}"
    )


def _option_counts_html(plan_schools: pd.DataFrame, currency: str) -> str:
    students = _students(plan_schools)
    rows = [
        f"<tr><th>Option</th><th>Schools</th><th>Students</th><th>CAPEX ({_e(currency)})</th></tr>"
    ]
    kinds = plan_schools["option_kind"]
    capex = (
        pd.to_numeric(plan_schools["capex_usd"], errors="coerce")
        if "capex_usd" in plan_schools.columns
        else None
    )
    for name in OPTION_COLOURS:
        mask = (kinds == name).to_numpy()
        if not mask.any():
            continue
        n_students = float(students[mask].sum()) if students is not None else math.nan
        cost = float(capex[mask].sum(min_count=1)) if capex is not None else math.nan
        rows.append(
            f'<tr data-option="{name}"><td><span class="swatch" '
            f'style="background:{OPTION_COLOURS[name]}"></span>{_e(_OPTION_LABELS[name])}</td>'
            f"{_td(int(mask.sum()))}{_td(n_students, 0)}{_td(cost, 0)}</tr>"
        )
    return f'<table id="plan-option-table">{"".join(rows)}</table>'


def _plan_html(plan: PlanReport, plan_schools: pd.DataFrame) -> str:
    parts = [_plan_words(plan), _plan_totals_html(plan)]
    parts.append("<h3>Cost and coverage</h3>")
    parts.append(_chart_svg(plan))
    parts.append(_sweep_table(plan))
    parts.append("<h3>Schools by option</h3>")
    parts.append(_option_counts_html(plan_schools, plan.currency))
    parts.append("<h3>Plan by area</h3>")
    if plan.by_area is not None and len(plan.by_area):
        parts.append(_generic_table(pd.DataFrame(plan.by_area), "plan-area-table", plan.currency))
    else:
        parts.append('<p class="muted">No breakdown by area was given.</p>')
    parts.append("<h3>New sites</h3>")
    if len(plan.new_sites):
        parts.append(
            _column_table(plan.new_sites, _NEW_SITE_COLUMNS, "new-site-table", plan.currency)
        )
    else:
        parts.append('<p class="muted">The plan builds no new sites.</p>')
    parts.append("<h3>Chosen option per school</h3>")
    ps = pd.DataFrame(plan.schools).reset_index(drop=True)
    if len(ps):
        parts.append(
            _column_table(ps, _PLAN_SCHOOL_TABLE, "plan-school-table", plan.currency, MAX_PLAN_ROWS)
        )
    else:
        parts.append('<p class="muted">The plan lists no schools.</p>')
    return "\n".join(p for p in parts if p)
