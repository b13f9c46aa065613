"""Read a scenario TOML file into a validated :class:`~alcance.scenario.Scenario`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from alcance.errors import InputError, closest_name
from alcance.scenario import Scenario

__all__ = ["read_scenario", "scenario_from_dict"]


def read_scenario(path: str | Path) -> Scenario:
    """Parse a TOML scenario; relative input paths are resolved against its folder.

    Raises
    ------
    InputError
        Missing file, invalid TOML (with its line), an unknown key (with the closest
        valid name), a value of the wrong type or outside its range — naming the file,
        the line and the dotted field.
    """
    p = Path(path)
    if not p.is_file():
        msg = "scenario file not found"
        raise InputError(msg, path=p)
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = "scenario is not valid UTF-8 text"
        raise InputError(msg, path=p) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        msg = f"invalid TOML: {exc}"
        raise InputError(msg, path=p, row=int(match.group(1)) if match else None) from exc
    return scenario_from_dict(data, path=p, text=text)


def scenario_from_dict(
    data: dict[str, Any], *, path: Path | None = None, text: str = ""
) -> Scenario:
    """Validate a mapping as a :class:`Scenario` (paths relative to ``path``'s folder)."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(part) for part in error["loc"]]
        dotted = ".".join(loc)
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            section_model: Any = Scenario
            for part in loc[:-1]:
                field = section_model.model_fields.get(part)
                section_model = field.annotation if field is not None else section_model
            names = list(getattr(section_model, "model_fields", {}))
            guess = closest_name(loc[-1], names)
            message = "unknown setting" + (
                f"; did you mean '{guess}'?" if guess else f" (valid: {', '.join(names)})"
            )
        else:
            message = f"{message} (got {error.get('input')!r})"
        raise InputError(
            message, path=path, row=_line_of(text, loc[-1]) if loc else None, field=dotted
        ) from exc
    if path is not None:
        base = path.resolve().parent
        region = scenario.region

        def resolve(value: Path | None) -> Path | None:
            return None if value is None else (value if value.is_absolute() else base / value)

        region = region.model_copy(
            update={
                "schools": resolve(region.schools),
                "towers": resolve(region.towers),
                "dem": [resolve(d) for d in region.dem],
                "population": resolve(region.population),
                "boundaries": resolve(region.boundaries),
                "settlements": resolve(region.settlements),
                "fibre_nodes": resolve(region.fibre_nodes),
                "roads": resolve(region.roads),
            }
        )
        scenario = scenario.model_copy(update={"region": region})
    return scenario


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None
