"""Every dataset in ../shared/data loads through the public API."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import alcance.io as aio
from alcance.errors import InputError
from alcance.io import scenario_from_dict

SCHOOL_FILES = {
    "demo/schools.csv": 19,
    "chile-petorca/schools_mineduc_2024.csv": 18,
    "chile-petorca/schools_mineduc_2024_dem_extent.csv": 19,
    "chile-petorca/schools_petorca_2020.geojson": 17,
    "chile-santiago-andes/schools_mineduc_2024.csv": 2769,
    "chile-santiago-andes/demo-box/schools.csv": 91,
    "itu-fns-ibiza/points-of-interest.csv": 100,
}
TOWER_FILES = {
    "demo/towers.csv": (21, 14),
    "chile-petorca/towers_subtel.csv": (21, 14),
    "itu-fns-ibiza/cell-sites.csv": (100, 100),
}
BOUNDARY_FILES = {
    "demo/boundary.geojson": 1,
    "chile-petorca/comuna_petorca.geojson": 1,
    "itu-fns-ibiza/area.gpkg": 1,
    "itu-fns-ibiza/mobile-coverage.gpkg": 770,
    "peru-lima-andes/boundaries/peru_departamentos.geojson": 25,
    "peru-lima-andes/boundaries/peru_provincias.geojson": 197,
    "peru-lima-andes/boundaries/peru_distritos.geojson": 1834,
}
SETTLEMENT_FILES = {
    "demo/settlements.geojson": 32,
    "chile-petorca/poblados_petorca.geojson": 32,
    "peru-lima-andes/boundaries/peru_capitales_provincia.geojson": 194,
    "peru-lima-andes/places_geonames.csv": None,
}
DEMS = [
    "demo/dem.tif",
    "chile-petorca/dem_srtm3_petorca_north.tif",
    "chile-santiago-andes/dem_srtm3_santiago_andes.tif",
    "chile-santiago-andes/demo-box/dem.tif",
    "peru-lima-andes/dem_srtm3_lima_andes.tif",
    "peru-lima-andes/srtm3",
]


@pytest.mark.parametrize(("name", "rows"), SCHOOL_FILES.items(), ids=list(SCHOOL_FILES))
def test_school_files_load(shared_data: Path, name: str, rows: int) -> None:
    schools, info = aio.read_schools(shared_data / name)
    assert len(schools) == rows
    assert schools["school_id"].is_unique
    assert schools.crs.to_epsg() == 4326
    assert np.all(np.isfinite(schools["latitude_deg"]))
    assert info.n_rows == rows


@pytest.mark.parametrize(("name", "counts"), TOWER_FILES.items(), ids=list(TOWER_FILES))
def test_tower_files_load(shared_data: Path, name: str, counts: tuple[int, int]) -> None:
    towers, info = aio.read_towers(shared_data / name)
    rows, sites = counts
    assert info.n_rows == rows
    assert len(towers.sites) == sites
    assert towers.cells["site_id"].isin(towers.sites["site_id"]).all()


@pytest.mark.parametrize(("name", "rows"), BOUNDARY_FILES.items(), ids=list(BOUNDARY_FILES))
def test_boundary_files_load(shared_data: Path, name: str, rows: int) -> None:
    areas = aio.read_boundaries(shared_data / name)
    assert len(areas) == rows
    assert areas["area_name"].notna().all()
    missing = int((areas.geometry.isna() | areas.geometry.is_empty).sum())
    if missing:
        # peru_distritos.geojson: 8 districts lost their polygon in simplification;
        # they are kept and reported, never dropped silently.
        assert any(f"{missing} areas have no geometry" in n for n in areas.attrs["notes"])


@pytest.mark.parametrize("name", list(SETTLEMENT_FILES), ids=list(SETTLEMENT_FILES))
def test_settlement_files_load(shared_data: Path, name: str) -> None:
    path = shared_data / name
    places = aio.read_settlements(path)
    expected = SETTLEMENT_FILES[name]
    if expected is None:  # GeoNames CSV: 122 places with population (README)
        assert len(places) == 122
        assert int(places["population"].max()) == 7_737_002  # Lima
    else:
        assert len(places) == expected
    assert "population" in places


@pytest.mark.parametrize("name", DEMS, ids=DEMS)
def test_dems_load(shared_data: Path, name: str) -> None:
    with aio.open_dem(shared_data / name) as dem:
        west, south, east, north = dem.bounds_deg
        grid = dem.read(west, south, min(east, west + 0.1), min(north, south + 0.1))
        assert np.isfinite(grid.elevation_m).all()
        assert (grid.elevation_m > -1000).all()


def test_petorca_commune_schools_off_dem_are_an_error_or_flagged(shared_data: Path) -> None:
    base = shared_data / "chile-petorca"
    data = {
        "region": {
            "schools": str(base / "schools_mineduc_2024.csv"),
            "towers": str(base / "towers_subtel.csv"),
            "dem": [str(base / "dem_srtm3_petorca_north.tif")],
        }
    }
    with pytest.raises(InputError) as info:
        aio.read_region(scenario_from_dict(data))
    text = str(info.value)
    assert "schools_mineduc_2024.csv" in text
    assert "row " in text
    assert "lat/lon" in text
    assert "not covered by the DEM" in text
    data["terrain"] = {"schools_off_terrain": "flag"}
    with aio.read_region(scenario_from_dict(data)) as region:
        # README: 11 of the 18 commune schools lie east of -71.0, on the DEM.
        assert int(region.schools["on_terrain"].sum()) == 11
        # README: 18 of 21 tower rows (11 of 14 sites) lie on the DEM.
        assert int(region.towers.sites["on_terrain"].sum()) == 11  # type: ignore[union-attr]
        assert any("outside the terrain" in note for note in region.notes)
