"""Read existing cell towers: one table of cells (antennas) grouped into sites.

Layouts: OpenCelliD exports (with or without header; cells grouped into sites by LTE
eNodeB / NR gNodeB id, or by proximity for GSM/UMTS/CDMA), the ITU FNS
``cell-sites.csv`` template, the Chilean SUBTEL antenna registry, and a plain site CSV
(``id, lat, lon, height_m, technology, operator`` with optional ``eirp_dbm``,
``azimuth_deg``, ``freq_mhz``). Every layout becomes the same two tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from alcance.errors import InputError
from alcance.io._columns import (
    OPENCELLID_COLUMNS,
    TOWER_COLUMNS,
    match_columns,
    normalise_name,
)
from alcance.io._tables import (
    MISSING_WORDS,
    FloatArray,
    IntArray,
    RawTable,
    add_source_columns,
    choose_coordinates,
    coordinates,
    empty_columns,
    is_missing,
    parse_float,
    parse_ids,
    read_table,
    require_columns,
)
from alcance.io.schools import ReadInfo

__all__ = ["CELL_FIELDS", "SITE_FIELDS", "TECHNOLOGIES", "Towers", "read_towers"]

#: Radio access technologies and the names sources use for them.
TECHNOLOGIES: dict[str, tuple[str, ...]] = {
    "GSM": ("gsm", "2g", "edge", "gprs"),
    "UMTS": ("umts", "3g", "wcdma", "hspa", "hspa+"),
    "LTE": ("lte", "4g", "lte-a", "lte_a"),
    "NR": ("nr", "5g", "5g nr", "5g_nr"),
    "CDMA": ("cdma", "cdma2000", "evdo"),
}
_TECH_LOOKUP = {alias: tech for tech, aliases in TECHNOLOGIES.items() for alias in aliases}
_TECH_SPLIT = re.compile(r"[\s/,;&|+]+")
_TECH_BAND = re.compile(r"(gsm|umts|lte|nr|cdma)[-_]?[0-9]{3,4}")
_UNKNOWN_TECH = MISSING_WORDS | {"unknown", "desconocido", "otro", "other"}

#: Upper bounds of OpenCelliD's integer codes (MCC and MNC are 3 digits, a LAC/TAC at
#: most 24 bits, an NR cell identity 36 bits).
_OPENCELLID_LIMITS = {"mcc": 999, "net": 999, "area": 2**24 - 1, "cell": 2**36 - 1}

#: Standard columns of the cell table (one row per radiating cell/antenna system).
CELL_FIELDS: dict[str, str] = {
    "cell_id": "unique identifier of the cell / antenna system (text)",
    "site_id": "site (support structure) the cell is mounted on (text)",
    "latitude_deg": "WGS 84 latitude of the cell as given, degrees",
    "longitude_deg": "WGS 84 longitude of the cell as given, degrees",
    "operator": "operator / licensee (text)",
    "technology": "GSM, UMTS, LTE, NR, CDMA or 'unknown'",
    "freq_mhz": "downlink frequency or band, MHz (NaN unknown)",
    "height_m": "antenna height above ground, m (NaN unknown)",
    "eirp_dbm": "EIRP per sector, dBm (NaN unknown)",
    "azimuth_deg": "boresight azimuth clockwise from north, degrees (NaN omnidirectional/unknown)",
    "tilt_deg": "total downtilt (mechanical + electrical), degrees (NaN unknown)",
    "antenna_gain_dbi": "antenna gain, dBi (NaN unknown)",
    "h_beamwidth_deg": "horizontal 3 dB beamwidth, degrees (NaN unknown)",
    "v_beamwidth_deg": "vertical 3 dB beamwidth, degrees (NaN unknown)",
    "bandwidth_mhz": "channel bandwidth, MHz (NaN unknown)",
    "range_m": "OpenCelliD estimated cell range, m (NaN unknown)",
    "source_row": "1-based data row in the source file",
}

#: Standard columns of the site table (one row per tower / support).
SITE_FIELDS: dict[str, str] = {
    "site_id": "site identifier (text)",
    "latitude_deg": "WGS 84 latitude, degrees (mean of its cells)",
    "longitude_deg": "WGS 84 longitude, degrees (mean of its cells)",
    "height_m": "highest antenna height on the site, m (NaN unknown)",
    "operators": "operators on the site, ';'-separated",
    "technologies": "technologies on the site, ';'-separated",
    "n_cells": "number of cells",
    "source_rows": "source data rows of its cells, ','-separated",
}

#: Default distance within which OpenCelliD GSM/UMTS/CDMA cells of one operator are
#: taken to share a site (OpenCelliD positions are estimates from measurements).
SITE_MERGE_RADIUS_M = 150.0


@dataclass(frozen=True, slots=True, eq=False)
class Towers:
    """Existing mobile network: cells and the sites they are grouped into.

    Attributes
    ----------
    cells
        One row per cell (columns :data:`CELL_FIELDS`, then the source's other columns).
    sites
        One row per site (columns :data:`SITE_FIELDS`).
    layout
        Recognised layout: ``"opencellid"``, ``"itu-fns"``, ``"subtel"`` or ``"sites"``.
    """

    cells: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    layout: str


def _detect_opencellid(first_row: list[str]) -> bool:
    """Whether the first line of a CSV is an OpenCelliD data row (file without header).

    A header never names a column "GSM" or "LTE"; OpenCelliD rows have 14 fields.
    """
    radios = {"GSM", "UMTS", "LTE", "NR", "CDMA"}
    return len(first_row) >= 13 and first_row[0].strip().upper() in radios


def read_towers(
    path: str | Path,
    *,
    encoding: str = "utf-8",
    layer: str | None = None,
    site_merge_radius_m: float = SITE_MERGE_RADIUS_M,
) -> tuple[Towers, ReadInfo]:
    """Read a tower/cell file and group its cells into sites.

    Parameters
    ----------
    path
        CSV (any layout above), GeoJSON, GeoPackage or Parquet file.
    encoding
        Text encoding of a CSV file.
    layer
        GeoPackage layer.
    site_merge_radius_m
        OpenCelliD only: GSM/UMTS/CDMA cells of one operator closer than this are
        one site, m.

    Returns
    -------
    towers
        :class:`Towers` with the cell and site tables (EPSG:4326).
    info
        :class:`ReadInfo` (column mapping, layout notes).

    Raises
    ------
    InputError
        Naming file, row and field: missing coordinates or id column (with the column
        that looks like a misspelling of it), non-numeric or out-of-range values,
        unknown technology, duplicate cell id, empty site id, empty file, wrong
        encoding; or a negative / non-finite ``site_merge_radius_m``.

    Notes
    -----
    Technologies are read from names such as ``2G``, ``GSM``, ``3G``, ``HSPA+``,
    ``4G``, ``LTE1800``, ``5G NR`` (see :data:`TECHNOLOGIES`); a blank cell, ``unknown``
    or ``n/a`` is ``"unknown"``. A cell listing several (``"GSM UMTS"``, ``"2G/3G"``)
    becomes one cell per technology, ids suffixed ``-GSM``, ``-UMTS``.

    Sites: the site column where there is one (SUBTEL ``site_id``); for OpenCelliD the
    rules of :func:`_opencellid_sites`; otherwise rows at the same coordinates (to
    1e-5°) share a site. In a vector or GeoParquet file the point geometry (transformed
    to WGS 84) is used when every feature has one, else latitude/longitude columns.
    """
    if site_merge_radius_m < 0 or not np.isfinite(site_merge_radius_m):
        msg = f"site_merge_radius_m must be a finite distance ≥ 0 m, got {site_merge_radius_m!r}"
        raise InputError(msg, field="site_merge_radius_m")
    raw = read_table(
        path,
        encoding=encoding,
        layer=layer,
        header_fallback=OPENCELLID_COLUMNS,
        header_detect=_detect_opencellid,
    )
    columns = {normalise_name(str(c)) for c in raw.frame.columns}
    if {"radio", "mcc", "net", "cell"} <= columns:
        layout = "opencellid"
    elif "ict_id" in columns:
        layout = "itu-fns"
    elif {"element_id", "site_id"} <= columns or "support_height_m" in columns:
        layout = "subtel"
    else:
        layout = "sites"
    return _towers_from_raw(raw, layout, site_merge_radius_m)


def _towers_from_raw(raw: RawTable, layout: str, merge_radius_m: float) -> tuple[Towers, ReadInfo]:
    frame = raw.frame
    path = raw.path
    n = len(frame)
    notes: list[str] = list(raw.notes)
    found = match_columns(
        [str(c) for c in frame.columns], TOWER_COLUMNS, empty=empty_columns(frame)
    )
    if layout == "opencellid":
        for key in ("cell_id", "site_id", "operator"):
            found.pop(key, None)
    notes.extend(choose_coordinates(raw, found))
    if layout != "opencellid" and "cell_id" not in found and "site_id" not in found:
        require_columns(raw, found, ["cell_id"], TOWER_COLUMNS)
    if raw.point_lat_deg is None:
        require_columns(raw, found, ["latitude_deg", "longitude_deg"], TOWER_COLUMNS)
    rows = np.arange(1, n + 1, dtype=np.int64)
    lat, lon = coordinates(raw, found, rows)

    def number(name: str, *, low: float, high: float, unit: str) -> FloatArray:
        if name not in found:
            return np.full(n, np.nan)
        col = found[name]
        values = parse_float(frame[col], path=path, field=col, rows=rows, required=False)
        bad = np.flatnonzero(np.isfinite(values) & ((values < low) | (values > high)))
        if bad.size:
            i = int(bad[0])
            msg = f"{float(values[i]):g} {unit} is outside the plausible range [{low:g}, {high:g}]"
            raise InputError(msg, path=path, row=int(rows[i]), field=col)
        return values

    technology = _technologies(frame, found.get("technology"), path, rows)
    operators: list[str | None]
    if layout == "opencellid":
        codes = {
            name: _int_column(frame, _col(frame, name), path, rows, high=high)
            for name, high in _OPENCELLID_LIMITS.items()
        }
        cell_ids = [
            f"{t}-{m}-{nn}-{a}-{c}"
            for t, m, nn, a, c in zip(
                technology, codes["mcc"], codes["net"], codes["area"], codes["cell"], strict=True
            )
        ]
        _check_unique_ids(cell_ids, path, rows, field=_col(frame, "cell"))
        operators = [f"{m}-{nn:02d}" for m, nn in zip(codes["mcc"], codes["net"], strict=True)]
        site_ids = _opencellid_sites(
            technology,
            codes["mcc"],
            codes["net"],
            codes["cell"],
            cell_ids,
            lat,
            lon,
            merge_radius_m,
        )
        notes.append(
            "OpenCelliD: LTE cells grouped by eNodeB id (cell id // 256), NR by gNodeB id "
            f"(cell id // 4096), other cells of one operator within {merge_radius_m:g} m merged; "
            "operator = MCC-MNC"
        )
    else:
        id_col = found.get("cell_id") or found["site_id"]
        cell_ids = parse_ids(frame[id_col], path=path, field=id_col, rows=rows, unique=True)
        if "site_id" in found and found["site_id"] != id_col:
            site_col = found["site_id"]
            site_ids = parse_ids(
                frame[site_col], path=path, field=site_col, rows=rows, unique=False
            )
        else:
            keys = [f"{a:.5f},{b:.5f}" for a, b in zip(lat, lon, strict=True)]
            first: dict[str, str] = {}
            site_ids = [first.setdefault(k, cid) for k, cid in zip(keys, cell_ids, strict=True)]
            notes.append("no site column: cells at the same coordinates (1e-5°) share a site")
        operators = _text_list(frame, found.get("operator"))

    cells = pd.DataFrame(index=pd.RangeIndex(n))
    cells["cell_id"] = cell_ids
    cells["site_id"] = site_ids
    cells["latitude_deg"] = lat
    cells["longitude_deg"] = lon
    cells["operator"] = pd.array(operators, dtype="string")
    cells["technology"] = technology
    cells["freq_mhz"] = number("freq_mhz", low=30.0, high=100_000.0, unit="MHz")
    cells["height_m"] = number("height_m", low=0.0, high=700.0, unit="m")
    cells["eirp_dbm"] = number("eirp_dbm", low=-30.0, high=100.0, unit="dBm")
    cells["azimuth_deg"] = number("azimuth_deg", low=0.0, high=360.0, unit="degrees")
    mech = number("mechanical_tilt_deg", low=-90.0, high=90.0, unit="degrees")
    elec = number("electrical_tilt_deg", low=-90.0, high=90.0, unit="degrees")
    both_missing = np.isnan(mech) & np.isnan(elec)
    cells["tilt_deg"] = np.where(both_missing, np.nan, np.nan_to_num(mech) + np.nan_to_num(elec))
    cells["antenna_gain_dbi"] = number("antenna_gain_dbi", low=-20.0, high=60.0, unit="dBi")
    cells["h_beamwidth_deg"] = number("h_beamwidth_deg", low=0.0, high=360.0, unit="degrees")
    cells["v_beamwidth_deg"] = number("v_beamwidth_deg", low=0.0, high=180.0, unit="degrees")
    cells["bandwidth_mhz"] = number("bandwidth_mhz", low=0.0, high=2000.0, unit="MHz")
    cells["range_m"] = number("range_m", low=0.0, high=1.0e6, unit="m")
    cells["source_row"] = rows
    add_source_columns(cells, frame, set(found.values()))

    # One source row may list several technologies ("GSM UMTS"): one cell each.
    multi = [t.split("+") for t in technology]
    if any(len(t) > 1 for t in multi):
        cells["technology"] = pd.Series(multi, dtype=object)
        cells = cells.explode("technology", ignore_index=True)
        several = cells.groupby("cell_id")["cell_id"].transform("size").to_numpy() > 1
        suffix = np.where(several, "-" + cells["technology"].astype(str).to_numpy(), "")
        cells["cell_id"] = cells["cell_id"].astype(str).to_numpy() + suffix
        notes.append("rows listing several technologies were split into one cell per technology")
    missing_height = int(np.isnan(cells["height_m"].to_numpy(dtype=float)).sum())
    if missing_height:
        notes.append(
            f"{missing_height} cells have no antenna height (the scenario default applies later)"
        )
    cells_gdf = gpd.GeoDataFrame(
        cells,
        geometry=gpd.points_from_xy(cells["longitude_deg"], cells["latitude_deg"]),
        crs="EPSG:4326",
    )
    sites_gdf = group_sites(cells_gdf)
    info = ReadInfo(path=path, n_rows=n, column_map=found, notes=[f"layout: {layout}", *notes])
    return Towers(cells=cells_gdf, sites=sites_gdf, layout=layout), info


def group_sites(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Collapse a cell table into one row per ``site_id`` (see :data:`SITE_FIELDS`)."""
    records: list[dict[str, Any]] = []
    for site_id, group in cells.groupby("site_id", sort=False):
        heights = group["height_m"].to_numpy(dtype=float)
        records.append(
            {
                "site_id": str(site_id),
                "latitude_deg": float(group["latitude_deg"].mean()),
                "longitude_deg": float(group["longitude_deg"].mean()),
                "height_m": float(np.nanmax(heights)) if np.isfinite(heights).any() else np.nan,
                "operators": ";".join(sorted({str(o) for o in group["operator"].dropna()})),
                "technologies": ";".join(sorted({str(t) for t in group["technology"]})),
                "n_cells": len(group),
                "source_rows": ",".join(str(r) for r in sorted(set(group["source_row"].tolist()))),
            }
        )
    sites = pd.DataFrame.from_records(records, columns=list(SITE_FIELDS))
    return gpd.GeoDataFrame(
        sites,
        geometry=gpd.points_from_xy(sites["longitude_deg"], sites["latitude_deg"]),
        crs="EPSG:4326",
    )


def _col(frame: pd.DataFrame, name: str) -> str:
    for col in frame.columns:
        if normalise_name(str(col)) == name:
            return str(col)
    raise KeyError(name)  # pragma: no cover - guarded by layout detection


def _parse_technology(text: str) -> list[str] | None:
    """Technologies named in ``text`` (lower case), ``[]`` for unknown, ``None`` if invalid."""
    if text in _UNKNOWN_TECH:
        return []
    techs: list[str] = []
    for token in _TECH_SPLIT.split(text):
        if not token:
            continue
        tech = _TECH_LOOKUP.get(token)
        if tech is None:
            banded = _TECH_BAND.fullmatch(token)  # "lte1800", "gsm-900"
            if banded is None:
                return None
            tech = _TECH_LOOKUP[banded.group(1)]
        if tech not in techs:
            techs.append(tech)
    return techs


def _technologies(frame: pd.DataFrame, column: str | None, path: Path, rows: IntArray) -> list[str]:
    if column is None:
        return ["unknown"] * len(frame)
    out: list[str] = []
    for i, value in enumerate(frame[column].tolist()):
        text = "" if is_missing(value) else str(value).strip().lower()
        techs = _parse_technology(text)
        if techs is None:
            known = ", ".join(f"{tech} ({'/'.join(names)})" for tech, names in TECHNOLOGIES.items())
            shown = repr(value.strip()) if isinstance(value, str) else repr(value)
            msg = f"unknown technology {shown[:60]}; known: {known}; blank = unknown"
            raise InputError(msg, path=path, row=int(rows[i]), field=column)
        out.append("+".join(techs) if techs else "unknown")
    return out


def _int_column(
    frame: pd.DataFrame, column: str, path: Path, rows: IntArray, *, high: int
) -> list[int]:
    values = parse_float(frame[column], path=path, field=column, rows=rows, required=True)
    bad = np.flatnonzero((values < 0) | (values > high) | (values != np.round(values)))
    if bad.size:
        i = int(bad[0])
        msg = f"value {float(values[i]):g} must be a whole number between 0 and {high}"
        raise InputError(msg, path=path, row=int(rows[i]), field=column)
    return [int(v) for v in values]


def _check_unique_ids(ids: list[str], path: Path, rows: IntArray, *, field: str) -> None:
    seen: dict[str, int] = {}
    for i, cid in enumerate(ids):
        if cid in seen:
            msg = f"duplicate cell {cid!r} (first seen in row {seen[cid]})"
            raise InputError(msg, path=path, row=int(rows[i]), field=field)
        seen[cid] = int(rows[i])


def _text_list(frame: pd.DataFrame, column: str | None) -> list[str | None]:
    if column is None:
        return [None] * len(frame)
    out: list[str | None] = []
    for value in frame[column].tolist():
        text = "" if is_missing(value) else str(value).strip()
        out.append(text or None)
    return out


def _opencellid_sites(
    technology: list[str],
    mcc: list[int],
    net: list[int],
    cell: list[int],
    cell_ids: list[str],
    lat: FloatArray,
    lon: FloatArray,
    merge_radius_m: float,
) -> list[str]:
    """Site id per OpenCelliD cell.

    LTE E-UTRAN cell identity = 20-bit eNodeB id × 256 + 8-bit cell id (3GPP TS 36.413
    §9.2.1.38); NR cell identity = gNodeB id (22–32 bits) × 2^(36−len) + cell id (TS
    38.413 §9.3.1.7), taken here with the common 24-bit gNodeB id (÷ 4096). GSM/UMTS/
    CDMA identities carry no site id: cells of one operator (MCC, MNC) closer than
    ``merge_radius_m`` (transitively) are one site, named after its first cell.
    """
    n = len(technology)
    site = [""] * n
    pending: dict[tuple[int, int], list[int]] = {}
    for i in range(n):
        if technology[i] == "LTE":
            site[i] = f"LTE-{mcc[i]}-{net[i]}-{cell[i] // 256}"
        elif technology[i] == "NR":
            site[i] = f"NR-{mcc[i]}-{net[i]}-{cell[i] // 4096}"
        else:
            pending.setdefault((mcc[i], net[i]), []).append(i)
    for members in pending.values():
        idx = np.asarray(members, dtype=np.int64)
        roots = _cluster(lat[idx], lon[idx], merge_radius_m)
        for k, i in enumerate(idx):
            site[int(i)] = f"site-{cell_ids[int(idx[roots[k]])]}"
    return site


def _cluster(lat: FloatArray, lon: FloatArray, radius_m: float) -> list[int]:
    """For each point, the index of the first point of its cluster (single linkage)."""
    parent = list(range(len(lat)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    if radius_m > 0 and len(lat) > 1:
        from scipy.spatial import cKDTree

        # Pre-filter pairs in a local equirectangular frame, confirm with geodesics.
        lat0 = np.deg2rad(float(np.mean(lat)))
        xy = np.column_stack((lon * 111_320.0 * np.cos(lat0), lat * 110_540.0))
        pairs = np.array(sorted(cKDTree(xy).query_pairs(radius_m * 1.5)), dtype=np.int64)
        pairs = pairs.reshape(-1, 2)
        if len(pairs):
            geod = pyproj.Geod(ellps="WGS84")
            a_idx, b_idx = pairs[:, 0], pairs[:, 1]
            _, _, dist = geod.inv(lon[a_idx], lat[a_idx], lon[b_idx], lat[b_idx])
            for a, b, d in zip(a_idx, b_idx, np.atleast_1d(dist), strict=True):
                if d <= radius_m:
                    ra, rb = find(int(a)), find(int(b))
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
    return [find(k) for k in range(len(lat))]
