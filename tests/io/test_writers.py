"""Atomic writes leave either the old file or the complete new one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alcance.io import atomic_path, write_json


def test_write_json_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.json"
    write_json(target, {"x": 1, "name": "Petorca"})
    assert json.loads(target.read_text(encoding="utf-8")) == {"x": 1, "name": "Petorca"}
    assert [p.name for p in target.parent.iterdir()] == ["a.json"]


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_text("old", encoding="utf-8")

    def write_then_fail() -> None:
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail()
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_nan_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    with pytest.raises(ValueError, match="JSON"):
        write_json(target, {"x": float("nan")})
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_outputs_get_normal_file_permissions(tmp_path: Path) -> None:
    import os

    from alcance.io import write_json

    umask = os.umask(0o022)
    try:
        out = write_json(tmp_path / "x.json", {"a": 1})
    finally:
        os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o644
