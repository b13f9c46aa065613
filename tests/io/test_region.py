"""Region assembly: the built-in demo, greenfield runs, terrain coverage checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from alcance.errors import InputError
from alcance.io import demo_dir, load_demo, read_region, scenario_from_dict


def test_demo_is_packaged_with_its_licence_note() -> None:
    folder = demo_dir()
    for name in (
        "schools.csv",
        "towers.csv",
        "dem.tif",
        "boundary.geojson",
        "settlements.geojson",
        "scenario.toml",
    ):
        assert (folder / name).is_file(), name
    note = (folder / "README.md").read_text(encoding="utf-8")
    assert "licence" in note.lower()
    assert "SUBTEL" in note
    assert "MINEDUC" in note


def test_demo_region() -> None:
    with load_demo() as region:
        assert len(region.schools) == 19
        assert region.towers is not None
        assert region.dem is not None
        assert region.schools["on_terrain"].all()
        off = region.towers.cells.loc[~region.towers.cells["on_terrain"], "site_id"]
        assert sorted(set(off)) == ["13026", "13028", "19775"]
        assert region.boundaries is not None
        assert list(region.boundaries["area_name"]) == ["Petorca"]
        assert any("9.c.1" in note and "not computable" in note for note in region.notes)


def test_demo_matches_shared_copy(shared_data: Path) -> None:
    for name in (
        "schools.csv",
        "towers.csv",
        "dem.tif",
        "boundary.geojson",
        "settlements.geojson",
        "README.md",
    ):
        assert (demo_dir() / name).read_bytes() == (shared_data / "demo" / name).read_bytes(), name


def test_greenfield_without_towers_or_dem(tmp_path: Path) -> None:
    schools = tmp_path / "s.csv"
    schools.write_text(
        "id,lat,lon,students\nA,-12.0,-76.5,10\nB,-12.1,-76.6,20\n", encoding="utf-8"
    )
    with read_region(scenario_from_dict({"region": {"schools": str(schools)}})) as region:
        assert region.towers is None
        assert region.dem is None
        assert any("greenfield" in note for note in region.notes)
        assert any("no terrain" in note for note in region.notes)


def test_no_school_file_is_an_error() -> None:
    with pytest.raises(InputError, match=r"field 'region\.schools'"):
        read_region(scenario_from_dict({}))


def test_dem_not_covering_a_school(tmp_path: Path) -> None:
    schools = tmp_path / "schools.csv"
    schools.write_text("id,lat,lon\nin,-32.25,-70.93\nout,-33.40,-70.60\n", encoding="utf-8")
    data = {"region": {"schools": str(schools), "dem": [str(demo_dir() / "dem.tif")]}}
    with pytest.raises(InputError) as info:
        read_region(scenario_from_dict(data))
    text = str(info.value)
    assert "schools.csv" in text
    assert "row 2" in text
    assert "field 'lat/lon'" in text
    assert "'out'" in text
    data["terrain"] = {"schools_off_terrain": "flag"}
    with read_region(scenario_from_dict(data)) as region:
        assert list(region.schools["on_terrain"]) == [True, False]


def test_scenario_file_paths(tmp_path: Path) -> None:
    (tmp_path / "schools.csv").write_text("id,lat,lon\nA,-32.25,-70.93\n", encoding="utf-8")
    (tmp_path / "run.toml").write_text(
        f'[region]\nschools = "schools.csv"\ndem = ["{(demo_dir() / "dem.tif").as_posix()}"]\n',
        encoding="utf-8",
    )
    from alcance.io import read_scenario

    with read_region(read_scenario(tmp_path / "run.toml")) as region:
        assert region.dem is not None
        z = region.dem.sample(np.array([-70.93]), np.array([-32.25]))
        assert 300 < float(z[0]) < 2000
