"""Benchmarks share the test suite's fixtures (``shared_dir``, ``shared_data``)."""

from __future__ import annotations

from tests.conftest import shared_data, shared_dir

__all__ = ["shared_data", "shared_dir"]
