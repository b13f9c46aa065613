"""One error family for Alcance.

Every error Alcance raises on purpose is an :class:`AlcanceError`. Subclasses also
inherit the matching built-in so that callers may catch either
(``InputError`` is a ``ValueError``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

__all__ = ["AlcanceError", "InputError", "closest_name", "describe_location"]


class AlcanceError(Exception):
    """Base class of every error Alcance raises on purpose."""


class InputError(AlcanceError, ValueError):
    """Bad input: the message names the file, the row and the field at fault.

    Attributes
    ----------
    path
        The file at fault (``None`` for in-memory input).
    row
        1-based data row (header excluded) or feature number, where one applies.
    field
        Column, band or parameter name, where one applies.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.row = row
        self.field = field
        where = describe_location(path=path, row=row, field=field)
        super().__init__(f"{where}: {message}" if where else message)


def describe_location(
    *, path: str | Path | None = None, row: int | None = None, field: str | None = None
) -> str:
    """Return ``"file 'x.csv', row 3, field 'lat'"`` for the parts that are known."""
    parts: list[str] = []
    if path is not None:
        parts.append(f"file '{path}'")
    if row is not None:
        parts.append(f"row {row}")
    if field is not None:
        parts.append(f"field '{field}'")
    return ", ".join(parts)


def closest_name(name: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate closest to ``name`` (case-insensitive), or ``None``."""
    pool = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(name.lower(), list(pool), n=1, cutoff=0.6)
    return pool[match[0]] if match else None
