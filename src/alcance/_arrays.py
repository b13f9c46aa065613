"""Small array helpers shared by the pure model packages (private)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from alcance.errors import InputError

__all__ = ["ranged", "scalar_or_array"]


def ranged(
    name: str, value: npt.ArrayLike, lo: float, hi: float, *, nan_ok: bool = False
) -> NDArray[np.float64]:
    """``value`` as float64; :class:`InputError` naming ``name`` unless in ``[lo, hi]``.

    NaN is out of range unless ``nan_ok`` (then it passes through, meaning "unknown").
    """
    arr = np.asarray(value, dtype=np.float64)
    bad = ~((arr >= lo) & (arr <= hi))
    if nan_ok:
        bad &= ~np.isnan(arr)
    if np.any(bad):
        first = arr[bad].flat[0]
        msg = f"{name} must be within [{lo}, {hi}], got {first!r}"
        raise InputError(msg, field=name)
    return arr


def scalar_or_array(
    result: NDArray[np.float64], *inputs: npt.ArrayLike
) -> float | NDArray[np.float64]:
    """A ``float`` when every input was a scalar, else the array."""
    if all(np.ndim(x) == 0 for x in inputs):
        return float(result)
    return result
