"""The README's scenario example is a valid scenario (no misspelt setting)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from alcance.io import scenario_from_dict

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_scenario_example_validates() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    assert blocks, "README shows no TOML scenario"
    for block in blocks:
        scenario = scenario_from_dict(tomllib.loads(block))
        assert scenario.plan.objective == "max_students"
        assert scenario.demand.policy == "floor"


def test_readme_shows_the_two_setup_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/alcance" in text
    assert "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest" in text
