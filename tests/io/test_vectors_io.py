"""Boundaries and settlements: standard columns and bad input."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from alcance.errors import InputError
from alcance.io import read_boundaries, read_settlements


def test_boundaries_name_field_and_reprojection(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"code": ["01", "02"], "NOMBRE": ["Norte", "Sur"]},
        geometry=[
            box(300_000, 6_400_000, 310_000, 6_410_000),
            box(300_000, 6_390_000, 310_000, 6_400_000),
        ],
        crs="EPSG:32719",
    )
    path = tmp_path / "areas.gpkg"
    frame.to_file(path)
    areas = read_boundaries(path, name_field="NOMBRE")
    assert list(areas["area_name"]) == ["Norte", "Sur"]
    assert areas.crs.to_epsg() == 4326
    assert -72 < areas.geometry.iloc[0].centroid.x < -68
    assert list(read_boundaries(path)["area_name"]) == ["01", "02"]
    with pytest.raises(InputError, match=r"areas\.gpkg', field 'NOMBR'.*did you mean 'NOMBRE'"):
        read_boundaries(path, name_field="NOMBR")


def test_boundaries_must_be_polygons(tmp_path: Path) -> None:
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame(
        {"name": ["a", "b"]}, geometry=[box(0, 0, 1, 1), Point(0, 0)], crs="EPSG:4326"
    ).to_file(path)
    with pytest.raises(InputError, match=r"points\.geojson', row 2, field 'geometry'.*polygons"):
        read_boundaries(path)


def test_no_crs_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "nocrs.shp"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        gpd.GeoDataFrame({"n": ["a"]}, geometry=[Point(1, 2)]).to_file(path)
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(
        InputError, match=r"nocrs\.shp', field 'geometry'.*no coordinate reference system"
    ):
        read_settlements(path)


def test_settlement_population(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(
        "name,lat,lon,population\nA,-12.1,-76.5,900\nB,-12.2,-76.6,\n", encoding="utf-8"
    )
    places = read_settlements(path)
    assert places["population"].iloc[0] == 900
    assert places["population"].isna().iloc[1]
    path.write_text("name,lat,lon,population\nA,-12.1,-76.5,-3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"places\.csv', row 1, field 'population'"):
        read_settlements(path)
    path.write_text("name,lat,lon,population\nA,-99.1,-76.5,3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 1, field 'lat'.*outside \[-90, 90\]"):
        read_settlements(path)


def test_garbage_vector_file(tmp_path: Path) -> None:
    path = tmp_path / "junk.gpkg"
    path.write_bytes(b"\x00\x01not a geopackage" * 20)
    with pytest.raises(InputError, match=r"junk\.gpkg.*cannot read"):
        read_boundaries(path)
    empty = tmp_path / "empty.geojson"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_boundaries(empty)
