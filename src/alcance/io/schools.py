"""Read school locations and attributes into Alcance's standard school table.

One reader for every layout in :mod:`alcance.io._columns` (Giga/ITU templates, Chile
MINEDUC, Peru MINEDU ESCALE, the files in ``shared/data``), from CSV, GeoJSON,
GeoPackage or (Geo)Parquet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from alcance.errors import InputError
from alcance.io._columns import SCHOOL_COLUMNS, match_columns
from alcance.io._tables import (
    FALSE_WORDS,
    TRUE_WORDS,
    RawTable,
    parse_bool,
    parse_float,
    read_table,
    require_columns,
)

__all__ = ["SCHOOL_FIELDS", "ReadInfo", "read_schools"]

#: Standard columns of a school table, in order, with their meaning and unit.
SCHOOL_FIELDS: dict[str, str] = {
    "school_id": "unique identifier (text)",
    "name": "school name (text, may be empty)",
    "latitude_deg": "WGS 84 latitude, degrees",
    "longitude_deg": "WGS 84 longitude, degrees",
    "students": "enrolled students, persons (<NA> when unknown)",
    "level": "levels taught (text)",
    "admin_area": "administrative area (commune / district) as given",
    "rural": "True rural, False urban, <NA> unknown",
    "has_electricity": "True/False/<NA>",
    "is_connected": "current connectivity as reported: True/False/<NA>",
    "connectivity_type": "current connection technology as reported (text)",
    "is_operational": "True functioning, False closed/in recess, <NA> unknown",
    "source_row": "1-based data row in the source file",
}

_RURAL_TRUE = TRUE_WORDS | {"rural", "r"}
_RURAL_FALSE = FALSE_WORDS | {"urbano", "urbana", "urban", "u"}
_OPERATIONAL_TRUE = frozenset(
    {"1", "functioning", "active", "activa", "activo", "open", "operational", "operating",
     "en funcionamiento", "funcionando", "true", "yes"}
)
_OPERATIONAL_FALSE = frozenset(
    {"2", "3", "4", "closed", "cerrado", "cerrada", "inactive", "inactiva", "inactivo",
     "in_recess", "in recess", "receso", "en receso", "authorised_no_enrollment", "false", "no"}
)


@dataclass(frozen=True, slots=True)
class ReadInfo:
    """What a reader did: where the data came from and how columns were understood."""

    path: Path
    n_rows: int
    column_map: dict[str, str]
    notes: list[str] = field(default_factory=list)


def read_schools(
    path: str | Path, *, encoding: str = "utf-8", layer: str | None = None
) -> tuple[gpd.GeoDataFrame, ReadInfo]:
    """Read a school file into the standard school table.

    Parameters
    ----------
    path
        CSV, GeoJSON, GeoPackage, Shapefile or (Geo)Parquet file.
    encoding
        Text encoding of a CSV file (default UTF-8).
    layer
        GeoPackage layer (default: the first).

    Returns
    -------
    schools
        GeoDataFrame in EPSG:4326 with the columns of :data:`SCHOOL_FIELDS` first,
        then every other source column under its original name.
    info
        :class:`ReadInfo` with the column mapping used.

    Raises
    ------
    InputError
        Naming the file, row and field: missing required column (with the closest
        name in the file), non-numeric or out-of-range coordinate, negative student
        count, unrecognised yes/no value, empty or duplicate id, empty file, wrong
        encoding.
    """
    raw = read_table(path, encoding=encoding, layer=layer)
    return _schools_from_raw(raw)


def _empty_columns(frame: pd.DataFrame) -> list[str]:
    empty: list[str] = []
    for col in frame.columns:
        series = frame[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            if series.astype(str).str.strip().isin(["", "nan", "None", "<NA>"]).all():
                empty.append(str(col))
        elif series.isna().all():
            empty.append(str(col))
    return empty


def _schools_from_raw(raw: RawTable) -> tuple[gpd.GeoDataFrame, ReadInfo]:
    frame = raw.frame
    found = match_columns([str(c) for c in frame.columns], SCHOOL_COLUMNS, empty=_empty_columns(frame))
    notes: list[str] = []
    has_geometry = raw.point_lon_deg is not None and raw.point_lat_deg is not None
    if has_geometry and ("latitude_deg" not in found or "longitude_deg" not in found):
        found.pop("latitude_deg", None)
        found.pop("longitude_deg", None)
        notes.append("coordinates taken from the point geometry")
    required = ["school_id"] if has_geometry and "latitude_deg" not in found else [
        "school_id", "latitude_deg", "longitude_deg"
    ]
    require_columns(raw, found, required, dict(SCHOOL_COLUMNS))
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    path = raw.path

    ids = _parse_ids(frame[found["school_id"]], path=path, field=found["school_id"], rows=rows)
    if "latitude_deg" in found:
        lat = parse_float(frame[found["latitude_deg"]], path=path, field=found["latitude_deg"], rows=rows, required=True)
        lon = parse_float(frame[found["longitude_deg"]], path=path, field=found["longitude_deg"], rows=rows, required=True)
        lat_field, lon_field = found["latitude_deg"], found["longitude_deg"]
    else:
        assert raw.point_lat_deg is not None and raw.point_lon_deg is not None
        lat, lon = raw.point_lat_deg, raw.point_lon_deg
        lat_field = lon_field = "geometry"
        missing = np.flatnonzero(~np.isfinite(lat))
        if missing.size:
            msg = "feature has no geometry"
            raise InputError(msg, path=path, row=int(rows[missing[0]]), field="geometry")
    check_coordinates(lat, lon, path=path, rows=rows, lat_field=lat_field, lon_field=lon_field)

    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out["school_id"] = ids
    out["name"] = _text(frame, found.get("name"))
    out["latitude_deg"] = lat
    out["longitude_deg"] = lon
    if "students" in found:
        students = parse_float(frame[found["students"]], path=path, field=found["students"], rows=rows, required=False)
        bad = np.flatnonzero((students < 0) | (np.isfinite(students) & (students != np.round(students))))
        if bad.size:
            i = int(bad[0])
            msg = f"student count {frame[found['students']].iloc[i]!r} must be a whole number ≥ 0"
            raise InputError(msg, path=path, row=int(rows[i]), field=found["students"])
        out["students"] = pd.array([None if np.isnan(s) else int(s) for s in students], dtype="Int64")
    else:
        out["students"] = pd.array([None] * len(frame), dtype="Int64")
        notes.append("no student counts in the file: student totals cannot be computed")
    out["level"] = _text(frame, found.get("level"))
    out["admin_area"] = _text(frame, found.get("admin_area"))
    out["rural"] = _bools(frame, found.get("rural"), path, rows, _RURAL_TRUE, _RURAL_FALSE)
    out["has_electricity"] = _bools(frame, found.get("has_electricity"), path, rows, TRUE_WORDS, FALSE_WORDS)
    out["is_connected"] = _bools(frame, found.get("is_connected"), path, rows, TRUE_WORDS, FALSE_WORDS)
    out["connectivity_type"] = _text(frame, found.get("connectivity_type"))
    out["is_operational"] = _operational(frame, found.get("status"))
    out["source_row"] = rows
    used = set(found.values())
    for col in frame.columns:
        name = str(col)
        if name in used or name in out.columns:
            continue
        out[name] = frame[col].to_numpy()
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    return gdf, ReadInfo(path=path, n_rows=len(gdf), column_map=found, notes=notes)


def _parse_ids(values: pd.Series, *, path: Path, field: str, rows: np.ndarray[Any, np.dtype[np.int64]]) -> list[str]:
    ids: list[str] = []
    first_row: dict[str, int] = {}
    for i, value in enumerate(values.tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            text = ""
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value).strip()
        if not text:
            msg = "identifier is empty"
            raise InputError(msg, path=path, row=int(rows[i]), field=field)
        if text in first_row:
            msg = f"duplicate identifier {text!r} (first seen in row {first_row[text]})"
            raise InputError(msg, path=path, row=int(rows[i]), field=field)
        first_row[text] = int(rows[i])
        ids.append(text)
    return ids


def check_coordinates(
    lat: np.ndarray[Any, np.dtype[np.float64]],
    lon: np.ndarray[Any, np.dtype[np.float64]],
    *,
    path: Path,
    rows: np.ndarray[Any, np.dtype[np.int64]],
    lat_field: str,
    lon_field: str,
) -> None:
    """Raise :class:`InputError` for the first latitude/longitude out of range."""
    bad_lat = np.flatnonzero(~((lat >= -90.0) & (lat <= 90.0)))
    if bad_lat.size:
        i = int(bad_lat[0])
        hint = " (are latitude and longitude swapped?)" if -180 <= lat[i] <= 180 and -90 <= lon[i] <= 90 else ""
        msg = f"latitude {lat[i]!r} is outside [-90, 90]{hint}"
        raise InputError(msg, path=path, row=int(rows[i]), field=lat_field)
    bad_lon = np.flatnonzero(~((lon >= -180.0) & (lon <= 180.0)))
    if bad_lon.size:
        i = int(bad_lon[0])
        msg = f"longitude {lon[i]!r} is outside [-180, 180]"
        raise InputError(msg, path=path, row=int(rows[i]), field=lon_field)


def _text(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series(pd.array([None] * len(frame), dtype="string"))
    values = [None if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "" else str(v).strip()
              for v in frame[column].tolist()]
    return pd.Series(pd.array(values, dtype="string"))


def _bools(
    frame: pd.DataFrame, column: str | None, path: Path, rows: np.ndarray[Any, np.dtype[np.int64]],
    true_words: frozenset[str], false_words: frozenset[str],
) -> pd.Series:
    if column is None:
        return pd.Series(pd.array([None] * len(frame), dtype="boolean"))
    result = parse_bool(frame[column], path=path, field=column, rows=rows, true_words=true_words, false_words=false_words)
    return result.reset_index(drop=True)


def _operational(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series(pd.array([None] * len(frame), dtype="boolean"))
    values: list[bool | None] = []
    for value in frame[column].tolist():
        text = str(value).strip().lower()
        if text.endswith(".0"):
            text = text[:-2]
        if text in _OPERATIONAL_TRUE:
            values.append(True)
        elif text in _OPERATIONAL_FALSE:
            values.append(False)
        else:
            values.append(None)
    return pd.Series(pd.array(values, dtype="boolean"))
