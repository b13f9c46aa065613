"""Read the existing network's edge: fibre nodes (points of presence) and roads.

* :func:`read_fibre_nodes` — points where fibre reaches the region (an operator's
  PoP, a carrier hotel, a backbone splice point) from CSV (longitude/latitude columns,
  the same names the school and tower readers accept), GeoJSON, GeoPackage, Shapefile
  or Parquet.
* :func:`read_roads` — a road layer (e.g. an OpenStreetMap extract) as LineStrings,
  along which fibre is routed (:func:`alcance.backhaul.fibre.road_graph`).

Every bad input raises :class:`~alcance.errors.InputError` naming the file, the row
(1-based data row or feature number) and the field.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from alcance.errors import InputError
from alcance.io._columns import SCHOOL_COLUMNS, match_columns
from alcance.io._tables import (
    PARQUET_SUFFIXES,
    VECTOR_SUFFIXES,
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

__all__ = [
    "FIBRE_NODE_COLUMNS",
    "FIBRE_NODE_FIELDS",
    "ROAD_FIELDS",
    "read_fibre_nodes",
    "read_roads",
]

# fmt: off
#: Standard fibre-node field → accepted source column names (compared lower-case,
#: accents stripped, separators as underscores); coordinates as for schools.
FIBRE_NODE_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "node_id": ("node_id", "id", "pop_id", "fibre_node_id", "fiber_node_id", "site_id", "code", "codigo"),
    "name": ("name", "node_name", "pop_name", "nombre"),
    "capacity_mbps": ("capacity_mbps", "capacity", "bandwidth_mbps", "capacidad_mbps", "capacidad"),
    "capacity_gbps": ("capacity_gbps", "bandwidth_gbps", "capacidad_gbps"),
    "latitude_deg": SCHOOL_COLUMNS["latitude_deg"],
    "longitude_deg": SCHOOL_COLUMNS["longitude_deg"],
}
# fmt: on

#: Standard columns of :func:`read_fibre_nodes`' table, then the source's other columns.
FIBRE_NODE_FIELDS: dict[str, str] = {
    "node_id": "unique identifier (text; 'fibre-<row>' when the file has none)",
    "name": "name (text, may be empty)",
    "latitude_deg": "WGS 84 latitude, degrees",
    "longitude_deg": "WGS 84 longitude, degrees",
    "capacity_mbps": "capacity available to new links, Mbit/s (NaN unknown)",
    "source_row": "1-based data row / feature in the source file",
}

#: Columns of :func:`read_roads`' table.
ROAD_FIELDS: dict[str, str] = {
    "road_id": "identifier (source 'osm_id'/'id' as text, else the feature number)",
    "highway": "OSM highway class (e.g. 'primary', 'track'; None when not given)",
    "name": "road name (None when not given)",
    "source_row": "1-based feature number in the source file",
}

_ROAD_ID_NAMES = ("osm_id", "id", "road_id", "way_id", "fid")
_HIGHWAY_NAMES = ("highway", "fclass", "road_class", "class", "type")


def read_fibre_nodes(
    path: str | Path, *, encoding: str = "utf-8", layer: str | None = None
) -> gpd.GeoDataFrame:
    """Read fibre nodes into a point table.

    Parameters
    ----------
    path
        CSV (longitude/latitude columns), GeoJSON, GeoPackage, Shapefile, FlatGeobuf or
        (Geo)Parquet file.
    encoding
        Text encoding of a CSV file.
    layer
        GeoPackage layer (default: the first).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points with the columns of :data:`FIBRE_NODE_FIELDS` first, then the
        source's other columns; ``attrs["notes"]`` lists what the reader noticed.

    Raises
    ------
    InputError
        Naming the file, row and field: empty file, missing coordinate column, missing,
        non-numeric or out-of-range coordinate, a feature that is not a point or has no
        geometry, an empty or duplicate id, a negative or non-numeric capacity.
    """
    p = Path(path)
    raw = read_table(p, encoding=encoding, layer=layer)
    if p.suffix.lower() in VECTOR_SUFFIXES:
        _check_points(p, layer)
    frame = raw.frame
    found = match_columns(
        [str(c) for c in frame.columns], FIBRE_NODE_COLUMNS, empty=empty_columns(frame)
    )
    notes = list(raw.notes)
    notes.extend(choose_coordinates(raw, found))
    if raw.point_lat_deg is None:
        require_columns(raw, found, ["longitude_deg", "latitude_deg"], FIBRE_NODE_COLUMNS)
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    lat, lon = coordinates(raw, found, rows)
    if "node_id" in found:
        ids = parse_ids(frame[found["node_id"]], path=p, field=found["node_id"], rows=rows)
    else:
        ids = [f"fibre-{r}" for r in rows.tolist()]
        notes.append("no node id column: nodes are named fibre-<row>")
    capacity = np.full(len(frame), np.nan)
    for key, scale in (("capacity_mbps", 1.0), ("capacity_gbps", 1000.0)):
        if key in found:
            col = found[key]
            values = parse_float(frame[col], path=p, field=col, rows=rows, required=False)
            bad = np.flatnonzero(values < 0)
            if bad.size:
                i = int(bad[0])
                msg = f"capacity {values[i]:g} must be ≥ 0"
                raise InputError(msg, path=p, row=int(rows[i]), field=col)
            capacity = values * scale
            break
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out["node_id"] = pd.array(ids, dtype="string")
    out["name"] = _text(frame, found.get("name"))
    out["latitude_deg"] = lat
    out["longitude_deg"] = lon
    out["capacity_mbps"] = capacity
    out["source_row"] = rows
    add_source_columns(out, frame, set(found.values()))
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    gdf.attrs["notes"] = notes
    return gdf


def read_roads(path: str | Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a road layer (LineStrings / MultiLineStrings).

    Parameters
    ----------
    path
        GeoJSON, GeoPackage, Shapefile, FlatGeobuf or GeoParquet file with a CRS
        (transformed to WGS 84), e.g. an OpenStreetMap ``highway=*`` extract.
    layer
        GeoPackage layer (default: the first).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 lines with the columns of :data:`ROAD_FIELDS` (the OSM ``highway``
        class, or a ``fclass``/``class`` column as in Geofabrik shapefiles, is kept).

    Raises
    ------
    InputError
        Naming the file, row and field: missing/empty/unreadable file, a CSV, no
        features, no CRS, a feature without geometry, a geometry that is not a line,
        coordinates outside the longitude/latitude range.
    """
    p = Path(path)
    gdf = _read_vector(p, layer)
    geom = gdf.geometry
    missing = np.flatnonzero(geom.isna().to_numpy() | geom.is_empty.to_numpy())
    if missing.size:
        msg = "the road has no geometry (no coordinates)"
        raise InputError(msg, path=p, row=int(missing[0]) + 1, field="geometry")
    kinds = geom.geom_type.to_numpy()
    bad = np.flatnonzero(~np.isin(kinds, ["LineString", "MultiLineString"]))
    if bad.size:
        i = int(bad[0])
        msg = f"roads must be LineStrings or MultiLineStrings, found {kinds[i]}"
        raise InputError(msg, path=p, row=i + 1, field="geometry")
    _check_bounds(p, geom)
    norm = {str(c).strip().lower(): str(c) for c in gdf.columns if c != geom.name}
    id_col = next((norm[n] for n in _ROAD_ID_NAMES if n in norm), None)
    class_col = next((norm[n] for n in _HIGHWAY_NAMES if n in norm), None)
    rows = np.arange(1, len(gdf) + 1, dtype=np.int64)
    out = pd.DataFrame(index=pd.RangeIndex(len(gdf)))
    if id_col is not None:
        out["road_id"] = pd.array(
            [
                str(r) if is_missing(v) else _id_text(v)
                for v, r in zip(gdf[id_col], rows, strict=True)
            ],
            dtype="string",
        )
    else:
        out["road_id"] = pd.array([str(r) for r in rows], dtype="string")
    out["highway"] = _text(gdf, class_col)
    out["name"] = _text(gdf, norm.get("name"))
    out["source_row"] = rows
    roads = gpd.GeoDataFrame(out, geometry=geom.to_numpy(), crs="EPSG:4326")
    roads.attrs["notes"] = list(gdf.attrs.get("notes", []))
    return roads


# ------------------------------------------------------------------------- helpers


def _read_vector(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    if not path.is_file():
        msg = "file not found" if not path.exists() else "expected a file, got a directory"
        raise InputError(msg, path=path)
    suffix = path.suffix.lower()
    if suffix not in VECTOR_SUFFIXES | PARQUET_SUFFIXES:
        msg = (
            f"roads must be a vector file (GeoJSON, GeoPackage, Shapefile, FlatGeobuf or "
            f"GeoParquet), not '{suffix or '(none)'}'"
        )
        raise InputError(msg, path=path)
    if path.stat().st_size == 0:
        msg = "the file is empty (0 bytes)"
        raise InputError(msg, path=path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if suffix in PARQUET_SUFFIXES:
                gdf = gpd.read_parquet(path)
            else:
                gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
        except Exception as exc:
            text = str(exc).strip()
            first = text.splitlines()[0] if text else type(exc).__name__
            msg = f"cannot read as a vector file: {first}"
            raise InputError(msg, path=path, field=f"layer {layer}" if layer else None) from None
    notes = [
        f"{path.name}: {w.message}"
        for w in caught
        if "Several features with id" not in str(w.message)
    ]
    if len(gdf) == 0:
        msg = "the file has no features"
        raise InputError(msg, path=path)
    if gdf.crs is None:
        msg = "the layer has no coordinate reference system (CRS)"
        raise InputError(msg, path=path, field="geometry")
    if not gdf.crs.equals("EPSG:4326"):
        try:
            gdf = gdf.to_crs("EPSG:4326")
        except Exception as exc:
            msg = f"cannot transform the geometries to WGS 84: {exc}"
            raise InputError(msg, path=path, field="geometry") from None
    gdf.attrs["notes"] = notes
    return gdf


def _check_points(path: Path, layer: str | None) -> None:
    """Every feature of a vector file must be a point."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        geoms = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    kinds = geoms.geometry.geom_type.to_numpy()
    present = geoms.geometry.notna().to_numpy()
    bad = np.flatnonzero(present & (kinds != "Point"))
    if bad.size:
        i = int(bad[0])
        msg = f"fibre nodes must be points, found {kinds[i]}"
        raise InputError(msg, path=path, row=i + 1, field="geometry")


def _check_bounds(path: Path, geom: gpd.GeoSeries) -> None:
    bounds = shapely.bounds(geom.to_numpy())  # minx, miny, maxx, maxy per feature
    finite = np.isfinite(bounds).all(axis=1)
    ok = (
        finite
        & (bounds[:, 0] >= -180.0)
        & (bounds[:, 2] <= 180.0)
        & (bounds[:, 1] >= -90.0)
        & (bounds[:, 3] <= 90.0)
    )
    bad = np.flatnonzero(~ok)
    if bad.size:
        i = int(bad[0])
        lo_x, lo_y, hi_x, hi_y = (float(v) for v in bounds[i])
        msg = (
            f"coordinates outside longitude [-180, 180] / latitude [-90, 90] "
            f"(x {lo_x:g}..{hi_x:g}, y {lo_y:g}..{hi_y:g}): is the CRS right?"
        )
        raise InputError(msg, path=path, row=i + 1, field="geometry")


def _id_text(value: object) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _text(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series(pd.array([None] * len(frame), dtype="string"))
    values: list[str | None] = []
    for value in frame[column].tolist():
        text = "" if is_missing(value) else str(value).strip()
        values.append(text or None)
    return pd.Series(pd.array(values, dtype="string"))
