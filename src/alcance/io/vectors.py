"""Read administrative boundaries and settlements (GeoJSON / GeoPackage / Shapefile)."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from alcance.errors import InputError, closest_name
from alcance.io._columns import SCHOOL_COLUMNS, match_columns
from alcance.io._tables import parse_float, read_table, require_columns
from alcance.io.schools import check_coordinates

__all__ = ["read_boundaries", "read_settlements"]

_POPULATION_NAMES = (
    "population",
    "pop",
    "poblacion",
    "habitantes",
    "total_pop",
    "pob_total",
    "personas",
)


def _read(path: str | Path, layer: str | None, *, what: str) -> gpd.GeoDataFrame:
    p = Path(path)
    if not p.is_file():
        msg = "file not found"
        raise InputError(msg, path=p)
    if p.stat().st_size == 0:
        msg = "the file is empty"
        raise InputError(msg, path=p)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="Several features with id", category=RuntimeWarning
            )
            gdf = gpd.read_file(p, layer=layer) if layer else gpd.read_file(p)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        msg = f"cannot read as a vector file: {first}"
        raise InputError(msg, path=p) from exc
    if len(gdf) == 0:
        msg = "the file has no features"
        raise InputError(msg, path=p)
    if gdf.crs is None:
        msg = "the layer has no coordinate reference system (CRS)"
        raise InputError(msg, path=p, field="geometry")
    if not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    empty = np.flatnonzero(gdf.geometry.isna().to_numpy() | gdf.geometry.is_empty.to_numpy())
    notes: list[str] = []
    if empty.size == len(gdf):
        msg = "no feature has a geometry"
        raise InputError(msg, path=p, field="geometry")
    if empty.size:
        rows = ", ".join(str(int(i) + 1) for i in empty[:10])
        more = f" and {empty.size - 10} more" if empty.size > 10 else ""
        notes.append(
            f"{p.name}: {empty.size} {what} have no geometry (features {rows}{more}); "
            "they are kept in the table but cannot be located"
        )
    gdf.attrs["notes"] = notes
    return gdf


def read_boundaries(
    path: str | Path, *, name_field: str | None = None, layer: str | None = None
) -> gpd.GeoDataFrame:
    """Administrative areas as polygons with a standard ``area_name`` column.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage or Shapefile of polygons.
    name_field
        Attribute holding the area name; default: the first text attribute whose
        values are all distinct (e.g. ``NOMBRE``, ``NOMBDIST``), else the row number.

    Raises
    ------
    InputError
        Unreadable file, missing CRS, non-polygon feature, unknown ``name_field``.
    """
    gdf = _read(path, layer, what="areas")
    kind = gdf.geometry.geom_type
    bad_mask = kind.notna().to_numpy() & ~kind.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if bad_mask.any():
        bad = int(np.flatnonzero(bad_mask)[0])
        msg = f"boundaries must be polygons, found {kind.iloc[bad]}"
        raise InputError(msg, path=path, row=bad + 1, field="geometry")
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    if name_field is not None:
        if name_field not in columns:
            guess = closest_name(name_field, columns)
            msg = "boundary name attribute not found" + (
                f"; did you mean '{guess}'?" if guess else ""
            )
            raise InputError(msg, path=path, field=name_field)
        names = gdf[name_field].astype(str)
    else:
        names = pd.Series([f"area {i + 1}" for i in range(len(gdf))], index=gdf.index)
        for col in columns:
            values = gdf[col]
            if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
                text = values.astype(str)
                if text.str.strip().ne("").all() and text.is_unique:
                    names = text
                    break
    out = gdf.copy()
    out.insert(0, "area_name", names.to_numpy())
    return out


def _points_from_table(path: Path) -> gpd.GeoDataFrame:
    raw = read_table(path)
    aliases = {k: SCHOOL_COLUMNS[k] for k in ("latitude_deg", "longitude_deg")}
    found = match_columns([str(c) for c in raw.frame.columns], aliases)
    require_columns(raw, found, ["latitude_deg", "longitude_deg"], aliases)
    rows = np.arange(1, len(raw.frame) + 1, dtype=np.int64)
    lat = parse_float(
        raw.frame[found["latitude_deg"]],
        path=path,
        field=found["latitude_deg"],
        rows=rows,
        required=True,
    )
    lon = parse_float(
        raw.frame[found["longitude_deg"]],
        path=path,
        field=found["longitude_deg"],
        rows=rows,
        required=True,
    )
    check_coordinates(
        lat,
        lon,
        path=path,
        rows=rows,
        lat_field=found["latitude_deg"],
        lon_field=found["longitude_deg"],
    )
    gdf = gpd.GeoDataFrame(raw.frame.copy(), geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    gdf.attrs["notes"] = []
    return gdf


def read_settlements(path: str | Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Settlement points or polygons with a ``population`` column (``<NA>`` when absent).

    Vector files (GeoJSON, GeoPackage, …) or point tables (CSV/Parquet with latitude
    and longitude columns, e.g. GeoNames extracts).
    Recognised population attributes: ``population, pop, poblacion, habitantes, …``.
    A negative or non-numeric population raises :class:`InputError` naming the row.
    """
    p = Path(path)
    if p.suffix.lower() in {".csv", ".txt", ".tsv", ".parquet"}:
        gdf = _points_from_table(p)
    else:
        gdf = _read(p, layer, what="settlements")
    norm = {str(c).strip().lower(): str(c) for c in gdf.columns if c != gdf.geometry.name}
    pop_col = next((norm[n] for n in _POPULATION_NAMES if n in norm), None)
    out = gdf.copy()
    if pop_col is None:
        out["population"] = pd.array([None] * len(gdf), dtype="Float64")
        return out
    raw = gdf[pop_col].map(lambda v: None if isinstance(v, str) and not v.strip() else v)
    values = pd.to_numeric(raw, errors="coerce")
    bad = np.flatnonzero((values.isna() & raw.notna()).to_numpy() | (values < 0).to_numpy())
    if bad.size:
        i = int(bad[0])
        msg = f"population {gdf[pop_col].iloc[i]!r} must be a number ≥ 0"
        raise InputError(msg, path=path, row=i + 1, field=pop_col)
    out["population"] = pd.array(values.to_numpy(dtype=float), dtype="Float64")
    return out
