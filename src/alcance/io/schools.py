"""Read school locations and attributes into Alcance's standard school table.

One reader for every layout in :mod:`alcance.io._columns` (Giga/ITU templates, Chile
MINEDUC, Peru MINEDU ESCALE, the files in ``shared/data``), from CSV, GeoJSON,
GeoPackage or (Geo)Parquet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from alcance.errors import InputError
from alcance.io._columns import SCHOOL_COLUMNS, match_columns
from alcance.io._tables import (
    FALSE_WORDS,
    TRUE_WORDS,
    IntArray,
    RawTable,
    add_source_columns,
    check_coordinates,
    choose_coordinates,
    coordinates,
    empty_columns,
    is_missing,
    parse_bool,
    parse_float,
    parse_ids,
    read_table,
    require_columns,
)

__all__ = ["MAX_STUDENTS", "SCHOOL_FIELDS", "ReadInfo", "check_coordinates", "read_schools"]

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

#: Largest plausible enrolment of one school (the largest schools have ~60,000).
MAX_STUDENTS = 1_000_000

_RURAL_TRUE = TRUE_WORDS | {"rural", "r"}
_RURAL_FALSE = FALSE_WORDS | {"urbano", "urbana", "urban", "u"}
_OPERATIONAL_TRUE = frozenset(
    {
        "1",
        "functioning",
        "active",
        "activa",
        "activo",
        "open",
        "operational",
        "operating",
        "en funcionamiento",
        "funcionando",
        "true",
        "yes",
    }
)
_OPERATIONAL_FALSE = frozenset(
    {
        "2",
        "3",
        "4",
        "closed",
        "cerrado",
        "cerrada",
        "inactive",
        "inactiva",
        "inactivo",
        "in_recess",
        "in recess",
        "receso",
        "en receso",
        "authorised_no_enrollment",
        "false",
        "no",
    }
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
        Naming the file, row and field: missing required column (with the column that
        looks like a misspelling of it), non-numeric, missing or out-of-range
        coordinate, student count that is negative, fractional or above
        :data:`MAX_STUDENTS`, unrecognised yes/no value, empty or duplicate id, empty
        file, wrong encoding (the row and column of the first undecodable byte), a row
        with more fields than the header, a vector feature without geometry.

    Notes
    -----
    Rows are numbered from 1 after the header (blank lines are not counted); features
    of a vector file from 1. CSV cells may use a decimal comma (``-33,45``); the
    delimiter is the one of ``, ; TAB |`` that splits the header into most fields.
    In a vector or GeoParquet file the point geometry (transformed to WGS 84; a point
    inside a polygon) is used when every feature has one, else latitude/longitude
    columns. A status the reader does not know (:data:`SCHOOL_FIELDS`
    ``is_operational``) is ``<NA>``, never guessed.
    """
    raw = read_table(path, encoding=encoding, layer=layer)
    return _schools_from_raw(raw)


def _schools_from_raw(raw: RawTable) -> tuple[gpd.GeoDataFrame, ReadInfo]:
    frame = raw.frame
    path = raw.path
    columns = [str(c) for c in frame.columns]
    found = match_columns(columns, SCHOOL_COLUMNS, empty=empty_columns(frame))
    notes: list[str] = list(raw.notes)
    notes.extend(choose_coordinates(raw, found))
    required = ["school_id"]
    if raw.point_lat_deg is None:
        required += ["latitude_deg", "longitude_deg"]
    require_columns(raw, found, required, SCHOOL_COLUMNS)
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)

    ids = parse_ids(frame[found["school_id"]], path=path, field=found["school_id"], rows=rows)
    lat, lon = coordinates(raw, found, rows)

    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out["school_id"] = pd.array(ids, dtype="string")
    out["name"] = _text(frame, found.get("name"))
    out["latitude_deg"] = lat
    out["longitude_deg"] = lon
    if "students" in found:
        out["students"] = _students(frame[found["students"]], path, found["students"], rows)
    else:
        out["students"] = pd.array([None] * len(frame), dtype="Int64")
        notes.append("no student counts in the file: student totals cannot be computed")
    out["level"] = _text(frame, found.get("level"))
    out["admin_area"] = _text(frame, found.get("admin_area"))
    out["rural"] = _bools(frame, found.get("rural"), path, rows, _RURAL_TRUE, _RURAL_FALSE)
    out["has_electricity"] = _bools(frame, found.get("has_electricity"), path, rows)
    out["is_connected"] = _bools(frame, found.get("is_connected"), path, rows)
    out["connectivity_type"] = _text(frame, found.get("connectivity_type"))
    out["is_operational"] = _operational(frame, found.get("status"))
    out["source_row"] = rows
    add_source_columns(out, frame, set(found.values()))
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    return gdf, ReadInfo(path=path, n_rows=len(gdf), column_map=found, notes=notes)


def _students(values: pd.Series, path: Path, field: str, rows: IntArray) -> pd.Series:
    students = parse_float(values, path=path, field=field, rows=rows, required=False)
    finite = np.isfinite(students)
    bad = np.flatnonzero(
        finite & ((students < 0) | (students > MAX_STUDENTS) | (students != np.round(students)))
    )
    if bad.size:
        i = int(bad[0])
        msg = (
            f"student count {float(students[i]):g} must be a whole number between 0 and "
            f"{MAX_STUDENTS:,}"
        )
        raise InputError(msg, path=path, row=int(rows[i]), field=field)
    counts = [int(s) if ok else None for s, ok in zip(students, finite, strict=True)]
    return pd.Series(pd.array(counts, dtype="Int64"))


def _text(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series(pd.array([None] * len(frame), dtype="string"))
    values: list[str | None] = []
    for value in frame[column].tolist():
        text = "" if is_missing(value) else str(value).strip()
        values.append(text or None)
    return pd.Series(pd.array(values, dtype="string"))


def _bools(
    frame: pd.DataFrame,
    column: str | None,
    path: Path,
    rows: IntArray,
    true_words: frozenset[str] = TRUE_WORDS,
    false_words: frozenset[str] = FALSE_WORDS,
) -> pd.Series:
    if column is None:
        return pd.Series(pd.array([None] * len(frame), dtype="boolean"))
    return parse_bool(
        frame[column],
        path=path,
        field=column,
        rows=rows,
        true_words=true_words,
        false_words=false_words,
    )


def _operational(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """Functioning or not; a status the table does not know becomes ``<NA>``."""
    if column is None:
        return pd.Series(pd.array([None] * len(frame), dtype="boolean"))
    values: list[bool | None] = []
    for value in frame[column].tolist():
        text = "" if is_missing(value) else str(value).strip().lower()
        if text.endswith(".0"):
            text = text[:-2]
        if text in _OPERATIONAL_TRUE:
            values.append(True)
        elif text in _OPERATIONAL_FALSE:
            values.append(False)
        else:
            values.append(None)
    return pd.Series(pd.array(values, dtype="boolean"))
