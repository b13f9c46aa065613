"""Read any supported table (CSV, GeoJSON, GeoPackage, Parquet) into a raw frame.

Private helpers shared by the school and tower readers. Every failure becomes an
:class:`~alcance.errors.InputError` that names the file (and the row and field when
they are known); nothing from pandas, pyogrio or pyarrow escapes.

Row numbers are 1-based data rows: the header is not counted, nor are blank lines of a
CSV file. For vector and Parquet files the row is the 1-based feature number.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import difflib
import io
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from alcance.errors import InputError

__all__ = [
    "FALSE_WORDS",
    "MISSING_WORDS",
    "TRUE_WORDS",
    "FloatArray",
    "IntArray",
    "RawTable",
    "add_source_columns",
    "check_coordinates",
    "choose_coordinates",
    "coordinates",
    "empty_columns",
    "is_missing",
    "parse_bool",
    "parse_float",
    "parse_ids",
    "read_table",
    "require_columns",
    "suggest_column",
]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
VECTOR_SUFFIXES = frozenset({".geojson", ".json", ".gpkg", ".shp", ".fgb"})
PARQUET_SUFFIXES = frozenset({".parquet", ".geoparquet", ".pq"})
SUPPORTED_SUFFIXES = CSV_SUFFIXES | VECTOR_SUFFIXES | PARQUET_SUFFIXES

#: Words read as yes / no (compared lower-case, after stripping a trailing ``.0``).
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "si", "sí", "s", "verdadero"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "falso"})
#: Cell texts that mean "no value" (compared lower-case).
MISSING_WORDS = frozenset({"", "na", "nan", "null", "none", "n/a", "-", "<na>"})

_DELIMITERS = (",", ";", "\t", "|")
# "1148.0": a numeric code written by a program that stored it as a float.
_INTEGRAL_TEXT = re.compile(r"[0-9]+\.0+")
# A UTF-8 byte-order mark decoded as latin-1 / cp1252.
_MOJIBAKE_BOM = "\u00ef\u00bb\u00bf"


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table as read from disk, before column mapping.

    Attributes
    ----------
    frame
        One row per record, original column names (stripped). CSV values are strings
        (``""`` for empty); vector/Parquet values keep their native types.
    path
        The file it came from.
    point_lon_deg, point_lat_deg
        Longitude/latitude of the features' geometries (WGS 84; a representative point
        for lines and polygons, NaN for a missing geometry) when the file had a
        geometry column, else ``None``.
    notes
        What the reader had to say (warnings of the underlying library, layer chosen).
    """

    frame: pd.DataFrame
    path: Path
    point_lon_deg: FloatArray | None = None
    point_lat_deg: FloatArray | None = None
    notes: tuple[str, ...] = ()


def read_table(
    path: str | Path,
    *,
    encoding: str = "utf-8",
    layer: str | None = None,
    header_fallback: Sequence[str] | None = None,
    header_detect: Callable[[list[str]], bool] | None = None,
) -> RawTable:
    """Read a CSV, GeoJSON, GeoPackage, Shapefile or (Geo)Parquet table.

    Parameters
    ----------
    path
        The file.
    encoding
        Text encoding of CSV files (default UTF-8, with or without BOM). A file that
        does not decode raises :class:`InputError` naming the row and field of the
        first bad byte and suggesting another encoding.
    layer
        Layer of a multi-layer GeoPackage (default: the first, with a note).
    header_fallback, header_detect
        For sources published without a header (OpenCelliD): when
        ``header_detect(first_row)`` is true the file is read with ``header_fallback``
        as its column names and its first line as data.

    Raises
    ------
    InputError
        Missing file, unsupported extension, empty file, undecodable text, a row with
        more fields than the header, a file the parser cannot read, duplicate column
        names, no data rows.
    """
    p = Path(path)
    if not p.exists():
        msg = "file not found"
        raise InputError(msg, path=p)
    if p.is_dir():
        msg = "expected a file, got a directory"
        raise InputError(msg, path=p)
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        msg = (
            f"unsupported table format '{suffix or '(none)'}'; expected one of "
            f"{', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
        raise InputError(msg, path=p)
    if p.stat().st_size == 0:
        msg = "the file is empty (0 bytes)"
        raise InputError(msg, path=p)
    if suffix in CSV_SUFFIXES:
        return _read_csv(p, encoding, header_fallback, header_detect)
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(p)
    return _read_vector(p, layer)


# --------------------------------------------------------------------------- CSV


def _decode(data: bytes, encoding: str, path: Path) -> str:
    """Decode ``data``; undecodable bytes become lone surrogates (found per row later)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        msg = f"unknown text encoding '{encoding}'"
        raise InputError(msg, path=path, field="encoding") from None
    codec = "utf-8-sig" if name == "utf-8" else encoding
    try:
        text = data.decode(codec, errors="surrogateescape")
    except LookupError:
        msg = f"'{encoding}' is not a text encoding"
        raise InputError(msg, path=path, field="encoding") from None
    except UnicodeDecodeError as exc:
        # Codecs such as UTF-16 cannot escape a bad byte: name the line instead.
        line = data[: exc.start].count(b"\n") + 1
        msg = f"text is not valid {encoding} at line {line}: {exc.reason}"
        raise InputError(msg, path=path) from None
    if text.startswith(_MOJIBAKE_BOM):
        text = text[len(_MOJIBAKE_BOM) :]
    return text


def _guess_delimiter(line: str, suffix: str) -> str:
    """The delimiter among ``, ; TAB |`` that splits the header into most fields."""
    best = "\t" if suffix == ".tsv" else ","
    best_n = 1
    for delimiter in _DELIMITERS:
        try:
            n = len(next(csv.reader([line], delimiter=delimiter), []))
        except csv.Error:
            continue
        if n > best_n:
            best, best_n = delimiter, n
    return best


def _bad_char(cells: Sequence[str]) -> tuple[int, str] | None:
    """Index and description of the first cell holding an undecodable byte or a NUL."""
    for k, cell in enumerate(cells):
        for ch in cell:
            if "\udc80" <= ch <= "\udcff":
                return k, f"byte 0x{ord(ch) - 0xDC00:02x}"
            if ch == "\x00":
                return k, "NUL"
    return None


def _raise_bad_char(
    path: Path, encoding: str, what: str, row: int | None, field: str | None
) -> NoReturn:
    if what == "NUL":
        msg = "binary data (NUL byte): not a text CSV file"
    else:
        msg = (
            f"text is not valid {encoding} ({what}); save the file as UTF-8 or pass its "
            "encoding (e.g. encoding='latin-1')"
        )
    if row is None:
        msg = f"in the header: {msg}"
    raise InputError(msg, path=path, row=row, field=field)


def _header_names(cells: Sequence[str], path: Path) -> list[str]:
    names: list[str] = []
    for k, cell in enumerate(cells):
        name = cell.strip().lstrip("\ufeff").strip()
        names.append(name or f"column_{k + 1}")
    _check_unique(names, path)
    return names


def _check_unique(names: Sequence[str], path: Path) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            msg = f"duplicate column name '{name}' in the header"
            raise InputError(msg, path=path, field=name)
        seen.add(name)


def _read_csv(
    path: Path,
    encoding: str,
    header_fallback: Sequence[str] | None,
    header_detect: Callable[[list[str]], bool] | None,
) -> RawTable:
    text = _decode(path.read_bytes(), encoding, path)
    if not text.strip():
        msg = "the file is empty (only blank lines)"
        raise InputError(msg, path=path)
    first_line = next(line for line in text.splitlines() if line.strip())
    delimiter = _guess_delimiter(first_line, path.suffix.lower())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    columns: list[list[str]] = []
    n_rows = 0
    try:
        for cells in reader:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # blank line
            if header is None:
                if (
                    header_fallback is not None
                    and header_detect is not None
                    and header_detect(cells)
                ):
                    header = list(header_fallback)  # no header line: the first line is data
                else:
                    bad = _bad_char(cells)
                    if bad is not None:
                        _raise_bad_char(path, encoding, bad[1], None, f"column {bad[0] + 1}")
                    header = _header_names(cells, path)
                    columns = [[] for _ in header]
                    continue
                columns = [[] for _ in header]
            n_rows += 1
            bad = _bad_char(cells)
            if bad is not None:
                k, what = bad
                field = header[k] if k < len(header) else f"column {k + 1}"
                _raise_bad_char(path, encoding, what, n_rows, field)
            if len(cells) > len(header):
                if any(c.strip() for c in cells[len(header) :]):
                    msg = (
                        f"the row has {len(cells)} fields but the header has {len(header)} "
                        f"(delimiter {delimiter!r}; check quoting and separators)"
                    )
                    raise InputError(msg, path=path, row=n_rows)
                cells = cells[: len(header)]
            for k, column in enumerate(columns):
                column.append(cells[k] if k < len(cells) else "")
    except csv.Error as exc:
        msg = f"cannot parse as CSV: {_first_line(exc)}"
        raise InputError(msg, path=path, row=n_rows + 1 if header else None) from None
    if header is None or n_rows == 0:
        msg = "the file has a header but no data rows"
        raise InputError(msg, path=path)
    frame = pd.DataFrame(
        {
            name: pd.Series(values, dtype=object)
            for name, values in zip(header, columns, strict=True)
        }
    )
    return RawTable(frame=frame, path=path)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# -------------------------------------------------------------- Parquet and vector


def _warning_notes(caught: Iterable[warnings.WarningMessage]) -> tuple[str, ...]:
    notes: list[str] = []
    for w in caught:
        lines = str(w.message).strip().splitlines()
        notes.append(f"reader warning: {lines[0] if lines else w.category.__name__}")
    return tuple(notes)


def _finish_frame(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """String column names, a meaningful index turned back into columns, no duplicates."""
    if any(n is not None for n in frame.index.names):
        # e.g. a school id stored as the Parquet index (ValueError: it repeats a column)
        with contextlib.suppress(ValueError):
            frame = frame.reset_index()
    frame = frame.reset_index(drop=True)
    names = [str(c).strip() for c in frame.columns]
    _check_unique(names, path)
    frame.columns = pd.Index(names, dtype=object)
    return frame


def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            schema = pq.read_schema(path)
            meta = schema.metadata or {}
        except Exception as exc:
            msg = f"not a readable Parquet file: {_first_line(exc)}"
            raise InputError(msg, path=path) from None
        if b"geo" in meta:
            import geopandas as gpd

            try:
                gdf = gpd.read_parquet(path)
            except Exception as exc:
                msg = f"cannot read GeoParquet: {_first_line(exc)}"
                raise InputError(msg, path=path) from None
            return _from_frame(gdf, path, _warning_notes(caught))
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:
            msg = f"cannot read Parquet: {_first_line(exc)}"
            raise InputError(msg, path=path) from None
    return _from_frame(frame, path, _warning_notes(caught))


def _read_vector(path: Path, layer: str | None) -> RawTable:
    import geopandas as gpd

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
        except Exception as exc:
            msg = f"cannot read as a vector file: {_first_line(exc)}"
            raise InputError(msg, path=path, field=f"layer {layer}" if layer else None) from None
    notes = tuple(
        n
        for n in _warning_notes(caught)
        # GDAL renumbers duplicate feature ids and says so; feature ids are not used.
        if "Several features with id" not in n
    )
    return _from_frame(gdf, path, notes)


def _from_frame(data: pd.DataFrame, path: Path, notes: tuple[str, ...]) -> RawTable:
    import geopandas as gpd

    if len(data) == 0:
        msg = "the file has no rows / features"
        raise InputError(msg, path=path)
    try:
        geom = data.geometry if isinstance(data, gpd.GeoDataFrame) else None
    except AttributeError:  # a GeoDataFrame without an active geometry column
        geom = None
    if geom is None:
        return RawTable(frame=_finish_frame(pd.DataFrame(data), path), path=path, notes=notes)
    frame = _finish_frame(pd.DataFrame(data.drop(columns=geom.name)), path)
    if geom.isna().all():
        return RawTable(frame=frame, path=path, notes=notes)
    crs: Any = geom.crs
    if crs is None:
        msg = "the layer has no coordinate reference system (CRS)"
        raise InputError(msg, path=path, field="geometry")
    try:
        if not crs.equals("EPSG:4326"):
            geom = geom.to_crs("EPSG:4326")
        lon = np.full(len(geom), np.nan)
        lat = np.full(len(geom), np.nan)
        for i, shape in enumerate(geom):
            if shape is None or shape.is_empty:
                continue
            point = shape if shape.geom_type == "Point" else shape.representative_point()
            lon[i], lat[i] = point.x, point.y
    except Exception as exc:
        msg = f"cannot take WGS 84 points from the geometries (CRS {crs!s}): "
        raise InputError(msg + _first_line(exc), path=path, field="geometry") from None
    return RawTable(frame=frame, path=path, point_lon_deg=lon, point_lat_deg=lat, notes=notes)


# ------------------------------------------------------------------- column checks


def suggest_column(
    aliases: Iterable[str], columns: Iterable[str], *, cutoff: float = 0.75
) -> tuple[str, str] | None:
    """The file column most like one of ``aliases``, as ``(column, alias)``, or ``None``.

    Names are compared after :func:`~alcance.io._columns.normalise_name`.
    """
    from alcance.io._columns import normalise_name

    best: tuple[str, str] | None = None
    best_ratio = cutoff
    alias_list = list(aliases)
    for column in columns:
        norm = normalise_name(column)
        for alias in alias_list:
            ratio = difflib.SequenceMatcher(None, norm, alias).ratio()
            if ratio >= best_ratio and (best is None or ratio > best_ratio):
                best, best_ratio = (column, alias), ratio
    return best


def require_columns(
    raw: RawTable,
    found: Mapping[str, str],
    required: Sequence[str],
    aliases: Mapping[str, tuple[str, ...]],
) -> None:
    """Raise :class:`InputError` for the first required standard field not found.

    The message lists the accepted names and, when a column of the file is spelled
    almost like one of them, names that column.
    """
    used = set(found.values())
    all_columns = [str(c) for c in raw.frame.columns]
    for name in required:
        if name in found:
            continue
        accepted = aliases[name]
        guess = suggest_column(accepted, [c for c in all_columns if c not in used])
        if guess is not None:
            hint = f"; the column '{guess[0]}' looks like a misspelling of '{guess[1]}': rename it"
        else:
            shown = ", ".join(all_columns[:20]) + (", …" if len(all_columns) > 20 else "")
            hint = f"; the file's columns are: {shown}"
        msg = f"no column for '{name}' (accepted names, any case: {', '.join(accepted)}){hint}"
        raise InputError(msg, path=raw.path, field=name)


def empty_columns(frame: pd.DataFrame) -> list[str]:
    """Columns with no value in any row (missing, blank or a missing-value word)."""
    out: list[str] = []
    for col in frame.columns:
        if all(_blank(v) for v in frame[col].tolist()):
            out.append(str(col))
    return out


def _blank(value: object) -> bool:
    return is_missing(value) or (isinstance(value, str) and value.strip().lower() in MISSING_WORDS)


# ------------------------------------------------------------------- cell parsing


def is_missing(value: object) -> bool:
    """``True`` for ``None``, NaN, ``pd.NA`` and ``NaT`` (not for blank text)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return False


def _number(value: object) -> float | None:
    """``value`` as a float, ``None`` for a missing value; raises ValueError otherwise."""
    if is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    if text.lower() in MISSING_WORDS:
        return None
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # decimal comma: "-33,45"
    if "_" in text:
        raise ValueError(text)  # float() would accept "1_000"
    return float(text)


def parse_float(
    values: pd.Series,
    *,
    path: Path,
    field: str,
    rows: IntArray,
    required: bool,
) -> FloatArray:
    """Convert a column to float64; empty cells become NaN (an error when required).

    Decimal commas (``"-32,25"``) are accepted. ``rows`` gives the 1-based row number
    of each value for the error message.
    """
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values.tolist()):
        try:
            number = _number(value)
        except (ValueError, TypeError, OverflowError):
            msg = f"value {_show(value)} is not a number"
            raise InputError(msg, path=path, row=int(rows[i]), field=field) from None
        if number is None:
            if required:
                msg = "value is missing"
                raise InputError(msg, path=path, row=int(rows[i]), field=field)
            continue
        if not math.isfinite(number):
            msg = f"value {_show(value)} is not a finite number"
            raise InputError(msg, path=path, row=int(rows[i]), field=field)
        out[i] = number
    return out


def _show(value: object) -> str:
    text = repr(value.strip() if isinstance(value, str) else value)
    return text if len(text) <= 60 else text[:57] + "…"


def parse_bool(
    values: pd.Series,
    *,
    path: Path,
    field: str,
    rows: IntArray,
    true_words: frozenset[str] = TRUE_WORDS,
    false_words: frozenset[str] = FALSE_WORDS,
) -> pd.Series:
    """Convert yes/no-like values to a nullable boolean column (empty → ``<NA>``)."""
    out: list[bool | None] = []
    for i, value in enumerate(values.tolist()):
        if is_missing(value):
            out.append(None)
            continue
        if isinstance(value, (bool, np.bool_)):
            out.append(bool(value))
            continue
        text = str(value).strip().lower()
        if text.endswith(".0"):
            text = text[:-2]
        if text in MISSING_WORDS or text in {"unknown", "desconocido"}:
            out.append(None)
        elif text in true_words:
            out.append(True)
        elif text in false_words:
            out.append(False)
        else:
            yes = "/".join(sorted(w for w in true_words if len(w) > 1))
            no = "/".join(sorted(w for w in false_words if len(w) > 1))
            msg = f"value {_show(value)} is not understood (yes: 1/{yes}; no: 0/{no})"
            raise InputError(msg, path=path, row=int(rows[i]), field=field)
    return pd.Series(pd.array(out, dtype="boolean"))


def parse_ids(
    values: pd.Series, *, path: Path, field: str, rows: IntArray, unique: bool = True
) -> list[str]:
    """Identifiers as text: never empty, unique when ``unique``.

    Integral floats (``1148.0``, as Parquet or a spreadsheet may store a code) become
    ``"1148"``.
    """
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, value in enumerate(values.tolist()):
        if is_missing(value):
            text = ""
        elif isinstance(value, (float, np.floating)) and float(value).is_integer():
            text = str(int(value))
        else:
            text = str(value).strip()
            if _INTEGRAL_TEXT.fullmatch(text):
                text = text.split(".")[0]
        if not text:
            msg = "identifier is empty"
            raise InputError(msg, path=path, row=int(rows[i]), field=field)
        if unique and text in seen:
            msg = f"duplicate identifier {text!r} (first seen in row {seen[text]})"
            raise InputError(msg, path=path, row=int(rows[i]), field=field)
        seen.setdefault(text, int(rows[i]))
        out.append(text)
    return out


def check_coordinates(
    lat: FloatArray,
    lon: FloatArray,
    *,
    path: Path,
    rows: IntArray,
    lat_field: str,
    lon_field: str,
) -> None:
    """Raise :class:`InputError` for the first latitude/longitude out of range or NaN."""
    bad_lat = np.flatnonzero(~((lat >= -90.0) & (lat <= 90.0)))
    if bad_lat.size:
        i = int(bad_lat[0])
        value, other = float(lat[i]), float(lon[i])
        swapped = -180.0 <= value <= 180.0 and -90.0 <= other <= 90.0
        hint = " (are latitude and longitude swapped?)" if swapped else ""
        msg = f"latitude {value:g} is outside [-90, 90]{hint}"
        raise InputError(msg, path=path, row=int(rows[i]), field=lat_field)
    bad_lon = np.flatnonzero(~((lon >= -180.0) & (lon <= 180.0)))
    if bad_lon.size:
        i = int(bad_lon[0])
        msg = f"longitude {float(lon[i]):g} is outside [-180, 180]"
        raise InputError(msg, path=path, row=int(rows[i]), field=lon_field)


def choose_coordinates(raw: RawTable, found: dict[str, str]) -> list[str]:
    """Use the geometry of a vector/GeoParquet file when every feature has one.

    The geometry has a declared CRS and has been transformed to WGS 84; columns such as
    ``x``/``y`` may be in another unit. When the geometry wins, the latitude/longitude
    columns are removed from ``found`` (they stay in the table as source columns).
    Returns notes for :class:`ReadInfo`.
    """
    lat, lon = raw.point_lat_deg, raw.point_lon_deg
    if lat is None or lon is None or not (np.isfinite(lat).all() and np.isfinite(lon).all()):
        return []
    notes = ["coordinates taken from the point geometry (transformed to WGS 84)"]
    for key in ("latitude_deg", "longitude_deg"):
        col = found.pop(key, None)
        if col is not None:
            notes.append(f"column '{col}' kept as a source column: the geometry is used")
    return notes


def coordinates(
    raw: RawTable, found: dict[str, str], rows: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Checked latitude and longitude (degrees) from the columns, or from the geometry."""
    path = raw.path
    if "latitude_deg" in found and "longitude_deg" in found:
        lat_field, lon_field = found["latitude_deg"], found["longitude_deg"]
        lat = parse_float(
            raw.frame[lat_field], path=path, field=lat_field, rows=rows, required=True
        )
        lon = parse_float(
            raw.frame[lon_field], path=path, field=lon_field, rows=rows, required=True
        )
    else:
        if raw.point_lat_deg is None or raw.point_lon_deg is None:  # pragma: no cover
            msg = "no coordinates: neither latitude/longitude columns nor a geometry"
            raise InputError(msg, path=path, field="geometry")
        lat, lon = raw.point_lat_deg, raw.point_lon_deg
        lat_field = lon_field = "geometry"
        missing = np.flatnonzero(~np.isfinite(lat) | ~np.isfinite(lon))
        if missing.size:
            msg = "the feature has no geometry"
            raise InputError(msg, path=path, row=int(rows[missing[0]]), field="geometry")
    check_coordinates(lat, lon, path=path, rows=rows, lat_field=lat_field, lon_field=lon_field)
    return lat, lon


def add_source_columns(out: pd.DataFrame, frame: pd.DataFrame, used: set[str]) -> None:
    """Append the source columns not mapped to a standard name, under their own names.

    A source column whose name is taken (a standard name, ``geometry``) is kept as
    ``source_<name>``.
    """
    for col in frame.columns:
        name = str(col)
        if name in used:
            continue
        target = name
        while target in out.columns or target == "geometry":
            target = f"source_{target}"
        out[target] = frame[col].to_numpy()
