"""Validation of coordinate arrays shared by the terrain kernels' public wrappers."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from alcance.errors import InputError

__all__ = ["broadcast_coordinates"]


def _as_1d(value: ArrayLike, field: str) -> NDArray[np.float64]:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        msg = f"expected numbers, got {type(value).__name__}"
        raise InputError(msg, field=field) from exc
    if array.ndim > 1:
        msg = f"expected a scalar or a 1-D array, got shape {array.shape}"
        raise InputError(msg, field=field)
    return np.atleast_1d(array)


def broadcast_coordinates(
    fields: dict[str, ArrayLike], *, latitude_fields: tuple[str, ...]
) -> list[NDArray[np.float64]]:
    """Validate and broadcast coordinate arrays to one common 1-D length.

    Parameters
    ----------
    fields
        Name → scalar or 1-D array (degrees or metres as the name says).
    latitude_fields
        Names whose values must lie in [-90, 90] degrees.

    Returns
    -------
    list of ndarray
        float64 1-D arrays of equal length, in the order of ``fields``.

    Raises
    ------
    InputError
        Non-numeric, non-finite, multi-dimensional, mismatched lengths, or a latitude
        outside [-90, 90]; the message names the field and the first bad element.
    """
    arrays = {name: _as_1d(value, name) for name, value in fields.items()}
    lengths = {a.size for a in arrays.values() if a.size != 1}
    if len(lengths) > 1:
        shapes = ", ".join(f"{name}: {a.size}" for name, a in arrays.items())
        msg = f"coordinate arrays have different lengths ({shapes})"
        raise InputError(msg)
    size = lengths.pop() if lengths else 1
    out: list[NDArray[np.float64]] = []
    for name, array in arrays.items():
        bad = ~np.isfinite(array)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            msg = f"element {first} is {array[first]} (must be finite)"
            raise InputError(msg, field=name)
        if name in latitude_fields and (np.abs(array) > 90.0).any():
            first = int(np.flatnonzero(np.abs(array) > 90.0)[0])
            msg = f"element {first} is {array[first]}°, outside [-90, 90]"
            raise InputError(msg, field=name)
        out.append(np.ascontiguousarray(np.broadcast_to(array, (size,)), dtype=np.float64))
    return out
