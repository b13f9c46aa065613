"""The `alcance` command through Typer's runner: exit codes, output, files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alcance.cli import app

runner = CliRunner()


def test_main_job_on_the_demo_without_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Petorca" in out
    assert "2,090" in out
    assert "14 of 18" in out
    assert "3 tower rows lie outside the terrain" in out
    for site in ("13026", "13028", "19775"):
        assert site in out
    assert "not computable" in out
    assert "0 blocked by" in out
    assert "61° W" in out
    summary = json.loads((tmp_path / "alcance-output" / "summary.json").read_text(encoding="utf-8"))
    assert summary["schools"]["n_schools"] == 19


def test_scenario_error_exits_2_with_the_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[service]\ngood_mbps = 0\n", encoding="utf-8")
    result = runner.invoke(app, ["--scenario", str(bad), "--output", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "bad.toml" in result.output
    assert "good_mbps" in result.output
    assert not (tmp_path / "o").exists()


def test_bad_school_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("id,lat,lon\nA,-32.2,-70.9\nA,-32.3,-70.9\n", encoding="utf-8")
    (tmp_path / "r.toml").write_text('[region]\nschools = "s.csv"\n', encoding="utf-8")
    result = runner.invoke(app, ["-s", str(tmp_path / "r.toml"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "duplicate" in result.output
    assert "row 2" in result.output


def test_assumptions_and_version() -> None:
    result = runner.invoke(app, ["assumptions"])
    assert result.exit_code == 0
    assert "good_mbps" in result.output
    assert "Giga" in result.output
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert "alcance" in result.output
