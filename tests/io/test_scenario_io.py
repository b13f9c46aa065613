"""Scenario TOML: defaults, path resolution, and errors naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from alcance.errors import InputError
from alcance.io import read_scenario
from alcance.scenario import Scenario


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_carry_unit_and_source() -> None:
    rows = Scenario().assumptions()
    assert {r.name for r in rows} >= {
        "service.good_mbps",
        "defaults.tower_height_m",
        "terrain.profile_spacing_m",
    }
    for row in rows:
        assert row.unit, row.name
        assert row.source, row.name
    good = next(r for r in rows if r.name == "service.good_mbps")
    assert good.value == "20.0"
    assert good.unit == "Mbit/s"
    assert "Giga" in good.source


def test_relative_paths_resolve_against_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[region]\nschools = "s.csv"\ndem = "tiles"\n[service]\ngood_mbps = 10\n'
    )
    scenario = read_scenario(path)
    assert scenario.region.schools == tmp_path / "s.csv"
    assert scenario.region.dem == [tmp_path / "tiles"]
    assert scenario.service.good_mbps == 10.0


def test_misspelt_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, "[defaults]\n\ntower_hieght_m = 25\n")
    with pytest.raises(InputError) as info:
        read_scenario(path)
    text = str(info.value)
    assert "scenario.toml" in text
    assert "row 3" in text
    assert "defaults.tower_hieght_m" in text
    assert "did you mean 'tower_height_m'" in text


def test_out_of_range_value_names_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, "[service]\ngood_mbps = -5\n")
    with pytest.raises(InputError, match=r"row 2, field 'service\.good_mbps'.*greater than 0"):
        read_scenario(path)


def test_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, '[terrain]\nfill_voids = "sometimes"\n')
    with pytest.raises(InputError, match=r"field 'terrain\.fill_voids'"):
        read_scenario(path)


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[region]\nname = \n")
    with pytest.raises(InputError, match=r"scenario\.toml', row 2: invalid TOML"):
        read_scenario(path)


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_scenario(tmp_path / "nope.toml")
    bad = tmp_path / "latin.toml"
    bad.write_bytes('[region]\nname = "Pe\xf1a"\n'.encode("latin-1"))
    with pytest.raises(InputError, match=r"latin\.toml.*UTF-8"):
        read_scenario(bad)
