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
from dataclasses import dataclass
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
    "MAX_IMAGE_PX",
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

    Returns
    -------
    str
        One HTML5 document; raster layers are reduced to at most
        :data:`MAX_IMAGE_PX` pixels on their long side.
    """
    table = _school_frame(schools)
    site_table = None if sites is None else pd.DataFrame(sites)
    all_notes = [str(n) for n in notes]
    map_html = _map_section(table, site_table, terrain, coverage, all_notes)

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
) -> str:
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
        layers.append(_image_layer("coverage", *_coverage_png(coverage), fr))
    layers.append(_sites_layer(sites, t_lon, t_lat, t_ok, fr, notes))
    layers.append(_schools_layer(schools, s_lon, s_lat, s_ok, fr))
    svg = (
        f'<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {fr.width:.1f} '
        f'{fr.height:.1f}" role="img" aria-label="Map of schools, towers and coverage" '
        f'font-family="system-ui, sans-serif">'
        f'<rect x="0" y="0" width="{fr.width:.1f}" height="{fr.height:.1f}" fill="#eef1f4"/>'
        + "".join(layers)
        + _north_arrow(fr)
        + _scale_bar(fr)
        + _legend(fr, coverage is not None, sites is not None and len(sites) > 0)
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
    name: str, png: bytes, bounds: tuple[float, float, float, float], fr: _Frame
) -> str:
    west, south, east, north = bounds
    x0, x1 = float(fr.x(west)), float(fr.x(east))
    y0, y1 = float(fr.y(north)), float(fr.y(south))
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    rendering = ' style="image-rendering:pixelated"' if name == "coverage" else ""
    return (
        f'<g id="layer-{name}"><image x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" '
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
) -> str:
    xs, ys = fr.x(lon), fr.y(lat)
    records = schools.to_dict("records")
    classes = (
        list(schools["service_class"])
        if "service_class" in schools.columns
        else ["unknown"] * len(schools)
    )
    # Red (no service) drawn last so that it stays visible where markers overlap.
    order = sorted((i for i in range(len(records)) if ok[i]), key=lambda i: _DRAW_RANK[classes[i]])
    circles = []
    for i in order:
        rec = records[i]
        cls = classes[i]
        sid = rec.get("school_id", i)
        tip = [str(rec["name"]) if not _is_missing(rec.get("name")) else "(no name)"]
        tip.append(f"id {sid}")
        tip.append(f"class: {cls}")
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
        circles.append(
            f'<circle class="school" data-school-id="{_e(sid)}" data-class="{cls}" '
            f'cx="{float(xs[i]):.1f}" cy="{float(ys[i]):.1f}" r="5.5" '
            f'fill="{CLASS_COLOURS[cls]}" stroke="#1f2328" stroke-width="1.2">'
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


def _legend(fr: _Frame, has_coverage: bool, has_sites: bool) -> str:
    entries: list[str] = []
    row = 0

    def y(r: int) -> float:
        return 30.0 + 18.0 * r

    for name in _CLASS_ORDER:
        entries.append(
            f'<circle cx="14" cy="{y(row) - 4:.1f}" r="5.5" fill="{CLASS_COLOURS[name]}" '
            f'stroke="#1f2328" stroke-width="1.2"/>'
            f'<text x="28" y="{y(row):.1f}" font-size="12">School: {_CLASS_LABELS[name].lower()}'
            "</text>"
        )
        row += 1
    if has_sites:
        entries.append(
            f'<polygon points="{_triangle(14.0, y(row) - 4, 12.0)}" fill="#6b2fa0"/>'
            f'<text x="28" y="{y(row):.1f}" font-size="12">Tower site</text>'
        )
        row += 1
        entries.append(
            f'<polygon points="{_triangle(14.0, y(row) - 4, 12.0)}" fill="#ffffff" '
            f'stroke="#6b2fa0" stroke-width="1.6" stroke-dasharray="2 1.5"/>'
            f'<text x="28" y="{y(row):.1f}" font-size="12">Tower off the terrain</text>'
        )
        row += 1
    if has_coverage:
        for code, label in (
            (ServiceClass.GOOD, "Coverage: good"),
            (ServiceClass.MODERATE, "Coverage: moderate"),
            (ServiceClass.NONE, "Coverage: none"),
        ):
            r, g, b, a = _COVERAGE_RGBA[code]
            entries.append(
                f'<rect x="8" y="{y(row) - 10:.1f}" width="12" height="12" '
                f'fill="rgb({r},{g},{b})" fill-opacity="{max(a / 255, 0.35):.2f}" '
                f'stroke="#59636e" stroke-width="0.5"/>'
                f'<text x="28" y="{y(row):.1f}" font-size="12">{label}</text>'
            )
            row += 1
    width, height = 170.0, 22.0 + 18.0 * row
    x0 = fr.width - width - 10.0
    return (
        f'<g id="legend" transform="translate({x0:.1f},10)">'
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff" '
        f'fill-opacity="0.88" stroke="#d0d7de" rx="4"/>'
        f'<text x="8" y="15" font-size="12" font-weight="600">Legend</text>'
        + "".join(entries)
        + "</g>"
    )
