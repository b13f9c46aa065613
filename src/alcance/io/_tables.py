"""Read any supported table (CSV, GeoJSON, GeoPackage, Parquet) into a raw frame.

Private helpers shared by the school and tower readers. Every failure becomes an
:class:`~alcance.errors.InputError` that names the file (and the row and field when
they are known); nothing from pandas, pyogrio or pyarrow escapes.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alcance.errors import InputError, closest_name

__all__ = [
    "FALSE_WORDS",
    "TRUE_WORDS",
    "RawTable",
    "parse_bool",
    "parse_float",
    "read_table",
    "require_columns",
]

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
VECTOR_SUFFIXES = frozenset({".geojson", ".json", ".gpkg", ".shp", ".fgb"})
PARQUET_SUFFIXES = frozenset({".parquet", ".geoparquet", ".pq"})
SUPPORTED_SUFFIXES = CSV_SUFFIXES | VECTOR_SUFFIXES | PARQUET_SUFFIXES

_TRUE = frozenset({"1", "true", "t", "yes", "y", "si", "sí", "s", "verdadero"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "falso"})


TRUE_WORDS = _TRUE
FALSE_WORDS = _FALSE


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table as read from disk, before column mapping.

    Attributes
    ----------
    frame
        One row per record, original column names. CSV values are strings (``""`` for
        empty); vector/Parquet values keep their native types.
    path
        The file it came from.
    point_lon_deg, point_lat_deg
        Longitude/latitude of point geometries (WGS 84) when the file had a geometry
        column, else ``None``.
    """

    frame: pd.DataFrame
    path: Path
    point_lon_deg: np.ndarray[Any, np.dtype[np.float64]] | None = None
    point_lat_deg: np.ndarray[Any, np.dtype[np.float64]] | None = None


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
        does not decode raises :class:`InputError` naming the row of the first bad
        byte and suggesting another encoding.
    layer
        Layer of a multi-layer GeoPackage (default: the first).
    header_fallback, header_detect
        For sources published without a header (OpenCelliD): when
        ``header_detect(first_row)`` is true the file is read with ``header_fallback``
        as its column names.

    Raises
    ------
    InputError
        Missing file, unsupported extension, empty file, undecodable text, a file the
        parser cannot read, duplicate column names.
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
        msg = "the file is empty"
        raise InputError(msg, path=p)
    if suffix in CSV_SUFFIXES:
        return _read_csv(p, encoding, header_fallback, header_detect)
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(p)
    return _read_vector(p, layer)


def _read_csv(
    path: Path,
    encoding: str,
    header_fallback: Sequence[str] | None,
    header_detect: Callable[[list[str]], bool] | None,
) -> RawTable:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        msg = (
            f"text is not valid {encoding} (byte 0x{data[exc.start]:02x} at line {line}); "
            "save the file as UTF-8 or pass its encoding (e.g. encoding='latin-1')"
        )
        raise InputError(msg, path=path, row=max(line - 1, 1)) from exc
    except LookupError as exc:
        msg = f"unknown text encoding '{encoding}'"
        raise InputError(msg, path=path, field="encoding") from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        msg = f"binary data (NUL byte) at line {line}: not a text CSV file"
        raise InputError(msg, path=path, row=max(line - 1, 1))
    if not text.strip():
        msg = "the file is empty"
        raise InputError(msg, path=path)
    first_line = text.lstrip().splitlines()[0]
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    header: list[str] | None = None
    if header_detect is not None and header_fallback is not None:
        first_fields = next(csv.reader([first_line], delimiter=delimiter))
        if header_detect(first_fields):
            header = list(header_fallback)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                header=None if header else 0,
                names=header,
                skipinitialspace=True,
                engine="python",
            )
    except pd.errors.EmptyDataError as exc:
        msg = "the file has no header or rows"
        raise InputError(msg, path=path) from exc
    except (pd.errors.ParserError, ValueError, csv.Error, Warning) as exc:
        msg = f"cannot parse as CSV: {_first_line(exc)}"
        raise InputError(msg, path=path) from exc
    _check_header(frame, path)
    frame.columns = pd.Index([str(c).strip().lstrip("\ufeff") for c in frame.columns])
    return RawTable(frame=frame, path=path)


def _check_header(frame: pd.DataFrame, path: Path) -> None:
    names = [str(c).strip() for c in frame.columns]
    seen: set[str] = set()
    for name in names:
        if name in seen or any(name == f"{other}.1" for other in seen):
            msg = f"duplicate column name '{name}' in the header"
            raise InputError(msg, path=path, field=name)
        seen.add(name)
    if len(frame) == 0:
        msg = "the file has a header but no data rows"
        raise InputError(msg, path=path)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as exc:
        msg = f"not a readable Parquet file: {_first_line(exc)}"
        raise InputError(msg, path=path) from exc
    meta = schema.metadata or {}
    if b"geo" in meta:
        import geopandas as gpd

        try:
            gdf = gpd.read_parquet(path)
        except Exception as exc:
            msg = f"cannot read GeoParquet: {_first_line(exc)}"
            raise InputError(msg, path=path) from exc
        return _from_geoframe(gdf, path)
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:
        msg = f"cannot read Parquet: {_first_line(exc)}"
        raise InputError(msg, path=path) from exc
    if len(frame) == 0:
        msg = "the file has no rows"
        raise InputError(msg, path=path)
    return RawTable(frame=frame, path=path)


def _read_vector(path: Path, layer: str | None) -> RawTable:
    import geopandas as gpd

    try:
        with warnings.catch_warnings():
            # GDAL renumbers duplicate feature ids and says so; ids are not used here.
            warnings.filterwarnings("ignore", message="Several features with id", category=RuntimeWarning)
            gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:
        msg = f"cannot read as a vector file: {_first_line(exc)}"
        raise InputError(msg, path=path, field=f"layer {layer}" if layer else None) from exc
    return _from_geoframe(gdf, path)


def _from_geoframe(gdf: Any, path: Path) -> RawTable:
    if len(gdf) == 0:
        msg = "the file has no features"
        raise InputError(msg, path=path)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name) if gdf.geometry is not None else gdf)
    geom = gdf.geometry
    if geom is None or geom.isna().all():
        return RawTable(frame=frame, path=path)
    if gdf.crs is None:
        msg = "the layer has no coordinate reference system (CRS)"
        raise InputError(msg, path=path, field="geometry")
    if not gdf.crs.equals("EPSG:4326"):
        try:
            geom = geom.to_crs("EPSG:4326")
        except Exception as exc:
            msg = f"cannot transform from CRS {gdf.crs!s} to WGS 84: {_first_line(exc)}"
            raise InputError(msg, path=path, field="geometry") from exc
    lon = np.full(len(gdf), np.nan)
    lat = np.full(len(gdf), np.nan)
    for i, shape in enumerate(geom):
        if shape is None or shape.is_empty:
            continue
        point = shape if shape.geom_type == "Point" else shape.representative_point()
        lon[i], lat[i] = point.x, point.y
    return RawTable(frame=frame, path=path, point_lon_deg=lon, point_lat_deg=lat)


def require_columns(
    raw: RawTable, found: dict[str, str], required: Sequence[str], aliases: dict[str, tuple[str, ...]]
) -> None:
    """Raise :class:`InputError` for the first required standard field not found.

    The message lists the accepted names and suggests the closest column of the file.
    """
    for name in required:
        if name in found:
            continue
        accepted = aliases[name]
        columns = [str(c) for c in raw.frame.columns]
        guess = None
        for alias in accepted:
            guess = closest_name(alias, columns)
            if guess is not None:
                break
        hint = f"; did you mean '{guess}'?" if guess else ""
        msg = (
            f"required column for '{name}' not found (accepted names: "
            f"{', '.join(accepted[:8])}{', …' if len(accepted) > 8 else ''}){hint}"
        )
        raise InputError(msg, path=raw.path, field=name)


def parse_float(
    values: pd.Series, *, path: Path, field: str, rows: np.ndarray[Any, np.dtype[np.int64]],
    required: bool,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Convert a column to float64; empty cells become NaN (an error when required).

    Decimal commas (``"-32,25"``) are accepted. ``rows`` gives the 1-based row number
    of each value for the error message.
    """
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values.tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            text = ""
        elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            out[i] = float(value)
            if not np.isfinite(out[i]):
                msg = f"value {value!r} is not a finite number"
                raise InputError(msg, path=path, row=int(rows[i]), field=field)
            continue
        else:
            text = str(value).strip()
        if text == "" or text.lower() in {"na", "nan", "null", "none", "n/a", "-"}:
            if required:
                msg = "value is missing"
                raise InputError(msg, path=path, row=int(rows[i]), field=field)
            continue
        try:
            number = float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
        except ValueError:
            msg = f"value {text!r} is not a number"
            raise InputError(msg, path=path, row=int(rows[i]), field=field) from None
        if not np.isfinite(number):
            msg = f"value {text!r} is not a finite number"
            raise InputError(msg, path=path, row=int(rows[i]), field=field)
        out[i] = number
    return out


def parse_bool(
    values: pd.Series, *, path: Path, field: str, rows: np.ndarray[Any, np.dtype[np.int64]],
    true_words: frozenset[str] = _TRUE, false_words: frozenset[str] = _FALSE,
) -> pd.Series:
    """Convert yes/no-like values to a nullable boolean column (empty → ``<NA>``)."""
    out: list[bool | None] = []
    for i, value in enumerate(values.tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            out.append(None)
            continue
        if isinstance(value, (bool, np.bool_)):
            out.append(bool(value))
            continue
        text = str(value).strip().lower()
        if text.endswith(".0"):
            text = text[:-2]
        if text in {"", "na", "nan", "null", "none", "n/a", "unknown", "desconocido"}:
            out.append(None)
        elif text in true_words:
            out.append(True)
        elif text in false_words:
            out.append(False)
        else:
            msg = f"value {value!r} is not a yes/no value (use 1/0, true/false, yes/no)"
            raise InputError(msg, path=path, row=int(rows[i]), field=field)
    return pd.Series(pd.array(out, dtype="boolean"), index=values.index)
