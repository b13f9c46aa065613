"""Readers of fibre nodes and roads: standard columns, and errors naming file/row/field."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiLineString, Point

from alcance.errors import InputError
from alcance.io.network import read_fibre_nodes, read_roads


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_fibre_nodes_csv_with_aliases_and_capacity(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "pops.csv",
        "id;nombre;lat;lon;capacity_gbps;owner\n"
        "P1;La Ligua;-32,45;-71,23;10;x\n"
        "P2;Cabildo;-32.42;-71.07;;y\n",
    )
    nodes = read_fibre_nodes(path)
    assert nodes["node_id"].tolist() == ["P1", "P2"]
    assert nodes["name"].tolist() == ["La Ligua", "Cabildo"]
    assert nodes["latitude_deg"].tolist() == [-32.45, -32.42]
    assert nodes["longitude_deg"].tolist() == [-71.23, -71.07]
    assert nodes["capacity_mbps"].iloc[0] == 10_000.0
    assert np.isnan(nodes["capacity_mbps"].iloc[1])
    assert nodes["owner"].tolist() == ["x", "y"]
    assert nodes.crs.to_epsg() == 4326
    assert nodes.geometry.iloc[0].equals(Point(-71.23, -32.45))


def test_fibre_nodes_ids_generated_when_absent(tmp_path: Path) -> None:
    path = _write(tmp_path / "pops.csv", "latitude,longitude\n-32.4,-71.2\n-32.5,-71.1\n")
    nodes = read_fibre_nodes(path)
    assert nodes["node_id"].tolist() == ["fibre-1", "fibre-2"]
    assert any("fibre-<row>" in n for n in nodes.attrs["notes"])


@pytest.mark.parametrize(
    ("body", "row", "field", "words"),
    [
        ("P1,-32.4,-71.2\nP2,-95.0,-71.1\n", 2, "lat", "outside"),
        ("P1,-32.4,-71.2\nP2,-32.5,\n", 2, "lon", "missing"),
        ("P1,-32.4,-71.2\nP2,-32.5,abc\n", 2, "lon", "not a number"),
        ("P1,-32.4,-71.2\nP1,-32.5,-71.1\n", 2, "id", "duplicate"),
        ("P1,-32.4,-200\n", 1, "lon", "outside"),
    ],
)
def test_fibre_nodes_bad_rows(tmp_path: Path, body: str, row: int, field: str, words: str) -> None:
    path = _write(tmp_path / "pops.csv", "id,lat,lon\n" + body)
    with pytest.raises(InputError, match=words) as info:
        read_fibre_nodes(path)
    assert info.value.row == row
    assert info.value.field == field
    assert "pops.csv" in str(info.value)


def test_fibre_nodes_missing_coordinate_column_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_fibre_nodes(_write(tmp_path / "a.csv", "id,lat\nP1,-32.4\n"))
    assert info.value.field == "longitude_deg"
    with pytest.raises(InputError, match="empty"):
        read_fibre_nodes(_write(tmp_path / "b.csv", ""))
    with pytest.raises(InputError, match="≥ 0"):
        read_fibre_nodes(_write(tmp_path / "c.csv", "id,lat,lon,capacity_mbps\nP,-32,-71,-5\n"))


def test_fibre_nodes_geojson_and_geopackage(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"pop_id": ["A", "B"], "capacity": [1000.0, 2500.0]},
        geometry=[Point(-71.2, -32.4), Point(-71.0, -32.6)],
        crs="EPSG:4326",
    )
    gdf.to_file(tmp_path / "pops.geojson", driver="GeoJSON")
    nodes = read_fibre_nodes(tmp_path / "pops.geojson")
    assert nodes["node_id"].tolist() == ["A", "B"]
    assert nodes["capacity_mbps"].tolist() == [1000.0, 2500.0]
    assert nodes["longitude_deg"].tolist() == pytest.approx([-71.2, -71.0])
    gdf.to_crs("EPSG:32719").to_file(tmp_path / "pops.gpkg", driver="GPKG")
    projected = read_fibre_nodes(tmp_path / "pops.gpkg")
    assert projected["latitude_deg"].tolist() == pytest.approx([-32.4, -32.6], abs=1e-9)


def test_fibre_nodes_must_be_points(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"id": ["A", "B"]},
        geometry=[Point(-71.2, -32.4), LineString([(-71.0, -32.6), (-71.1, -32.6)])],
        crs="EPSG:4326",
    )
    gdf.to_file(tmp_path / "pops.geojson", driver="GeoJSON")
    with pytest.raises(InputError, match="points") as info:
        read_fibre_nodes(tmp_path / "pops.geojson")
    assert (info.value.row, info.value.field) == (2, "geometry")


def test_roads_keep_highway_class_and_transform(tmp_path: Path) -> None:
    roads = gpd.GeoDataFrame(
        {"osm_id": [101, 102], "highway": ["primary", "track"], "name": ["Ruta E-35", None]},
        geometry=[
            LineString([(-71.2, -32.4), (-71.1, -32.4)]),
            MultiLineString([[(-71.1, -32.4), (-71.1, -32.5)], [(-71.1, -32.5), (-71.0, -32.5)]]),
        ],
        crs="EPSG:4326",
    )
    roads.to_crs("EPSG:32719").to_file(tmp_path / "roads.gpkg", driver="GPKG")
    out = read_roads(tmp_path / "roads.gpkg")
    assert out["road_id"].tolist() == ["101", "102"]
    assert out["highway"].tolist() == ["primary", "track"]
    assert out["name"].iloc[0] == "Ruta E-35"
    assert out.crs.to_epsg() == 4326
    first = shapely.get_coordinates(out.geometry.iloc[0])[0]
    assert tuple(first) == pytest.approx((-71.2, -32.4), abs=1e-9)
    # GeoPackage stores a layer of mixed lines as MultiLineStrings: both are accepted.
    assert set(out.geometry.geom_type) <= {"LineString", "MultiLineString"}


def test_roads_wrong_geometry_names_the_feature(tmp_path: Path) -> None:
    roads = gpd.GeoDataFrame(
        geometry=[LineString([(-71.2, -32.4), (-71.1, -32.4)]), Point(-71.0, -32.0)],
        crs="EPSG:4326",
    )
    roads.to_file(tmp_path / "roads.geojson", driver="GeoJSON")
    with pytest.raises(InputError, match="Point") as info:
        read_roads(tmp_path / "roads.geojson")
    assert (info.value.row, info.value.field) == (2, "geometry")


def test_roads_missing_geometry_and_out_of_range(tmp_path: Path) -> None:
    (tmp_path / "missing.geojson").write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {}, "geometry": '
        '{"type": "LineString", "coordinates": [[-71.2, -32.4], [-71.1, -32.4]]}},'
        '{"type": "Feature", "properties": {}, "geometry": null}]}',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="no geometry") as info:
        read_roads(tmp_path / "missing.geojson")
    assert (info.value.row, info.value.field) == (2, "geometry")
    # Projected metres written under a WGS 84 label.
    bad = gpd.GeoDataFrame(
        geometry=[
            LineString([(-71.2, -32.4), (-71.1, -32.4)]),
            LineString([(300000, 6400000), (300100, 6400000)]),
        ],
        crs="EPSG:4326",
    )
    bad.to_file(tmp_path / "bad.gpkg", driver="GPKG")
    with pytest.raises(InputError, match="CRS") as info:
        read_roads(tmp_path / "bad.gpkg")
    assert (info.value.row, info.value.field) == (2, "geometry")


def test_roads_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_roads(tmp_path / "none.gpkg")
    with pytest.raises(InputError, match="vector file"):
        read_roads(_write(tmp_path / "roads.csv", "a,b\n1,2\n"))
    with pytest.raises(InputError, match="empty"):
        read_roads(_write(tmp_path / "roads.geojson", ""))
    with pytest.raises(InputError, match="cannot read"):
        read_roads(_write(tmp_path / "junk.geojson", "not json at all"))
    (tmp_path / "nofeat.geojson").write_text(
        '{"type": "FeatureCollection", "features": []}', encoding="utf-8"
    )
    with pytest.raises(InputError, match="no features"):
        read_roads(tmp_path / "nofeat.geojson")


_CELL = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(alphabet='0123456789-.,;eE abcNA"', max_size=8),
    st.just(""),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(
        st.sampled_from(["id", "lat", "lon", "name", "capacity_mbps", "x", "other"]),
        min_size=1,
        max_size=5,
        unique=True,
    ),
    cells=st.lists(st.lists(_CELL, min_size=5, max_size=5), min_size=0, max_size=4),
)
def test_fibre_nodes_any_csv_loads_or_raises_input_error(
    tmp_path: Path, header: list[str], cells: list[list[str]]
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in cells:
        writer.writerow(row[: len(header)])
    path = _write(tmp_path / "fuzz.csv", buffer.getvalue())
    try:
        nodes = read_fibre_nodes(path)
    except InputError:
        return
    assert nodes["latitude_deg"].between(-90, 90).all()
    assert nodes["longitude_deg"].between(-180, 180).all()
    assert nodes["node_id"].is_unique
    assert (nodes["capacity_mbps"].dropna() >= 0).all()
