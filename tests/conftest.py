"""Shared fixtures: where ``../shared`` (reference data and real geodata) lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_root() -> Path | None:
    """``$ALCANCE_SHARED`` or ``../shared`` beside the repository, if it exists."""
    env = os.environ.get("ALCANCE_SHARED")
    candidate = Path(env) if env else REPO_ROOT.parent / "shared"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``shared/`` folder; tests that use it skip with a reason when it is absent."""
    root = shared_root()
    if root is None:
        pytest.skip("../shared (reference data and real geodata) is absent on this machine")
    return root


@pytest.fixture(scope="session")
def shared_data(shared_dir: Path) -> Path:
    """``shared/data`` — real geographic data."""
    return shared_dir / "data"


@pytest.fixture(scope="session")
def shared_reference(shared_dir: Path) -> Path:
    """``shared/reference`` — official validation data."""
    return shared_dir / "reference"
