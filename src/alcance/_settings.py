"""Base class and field metadata shared by every scenario section (pydantic).

Sections live next to the code that uses them (``alcance.scenario`` for the core ones,
``alcance.cost.settings``, ``alcance.backhaul.settings`` …) and are gathered into
:class:`alcance.scenario.Scenario`. Each field carries ``unit`` and ``source`` in its
schema so the report can list every assumption with its origin.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["Section", "meta"]


def meta(unit: str, source: str) -> dict[str, Any]:
    """Schema extras of one field: its unit and where its default comes from."""
    return {"unit": unit, "source": source}


class Section(BaseModel):
    """A scenario section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
