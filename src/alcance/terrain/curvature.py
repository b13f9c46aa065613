"""Earth curvature on terrain profiles: effective earth radius and the earth bulge.

Radio rays bend in the lower atmosphere; the usual way to account for it is to keep
rays straight and enlarge the Earth by a factor *k* (4/3 in a standard atmosphere).
A profile point at distances ``d1`` and ``d2`` from the two ends then rises above the
chord between the ends by the *earth bulge* ``d1 * d2 / (2 k a)``.
"""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from alcance.errors import InputError

__all__ = [
    "EARTH_RADIUS_M",
    "STANDARD_K_FACTOR",
    "earth_bulge_m",
    "effective_earth_radius_m",
]

EARTH_RADIUS_M = 6_371_000.0
"""Mean Earth radius, metres, as used by ITU-R P.452, P.526, P.530 and P.1812."""
STANDARD_K_FACTOR = 4.0 / 3.0
"""Effective earth radius factor of the standard atmosphere (ΔN = −40 N-units/km)."""


def _check_k(k: float) -> float:
    k_value = float(k)
    if not np.isfinite(k_value) or k_value <= 0.0:
        msg = f"must be a positive finite number, got {k!r} (use a large value for a flat earth)"
        raise InputError(msg, field="k")
    return k_value


def effective_earth_radius_m(
    *, k: float = STANDARD_K_FACTOR, earth_radius_m: float = EARTH_RADIUS_M
) -> float:
    """Effective earth radius ``a_e = k a``.

    Parameters
    ----------
    k
        Effective earth radius factor (dimensionless, > 0); 4/3 by default.
    earth_radius_m
        True Earth radius, metres.

    Returns
    -------
    float
        Effective radius, metres (8 494 667 m for k = 4/3).

    Raises
    ------
    InputError
        ``k`` or ``earth_radius_m`` not positive and finite.

    References
    ----------
    .. [1] ITU-R P.1812-6, Annex 1 §3.5 eq. (7a): ``a_e = 6371 k50`` km.
    .. [2] ITU-R P.452-16 §4.3, same definition.
    """
    k_value = _check_k(k)
    radius = float(earth_radius_m)
    if not np.isfinite(radius) or radius <= 0.0:
        msg = f"must be a positive finite number of metres, got {earth_radius_m!r}"
        raise InputError(msg, field="earth_radius_m")
    return k_value * radius


@overload
def earth_bulge_m(
    d1_m: float, d2_m: float, *, k: float = ..., earth_radius_m: float = ...
) -> float: ...
@overload
def earth_bulge_m(
    d1_m: NDArray[np.float64], d2_m: ArrayLike, *, k: float = ..., earth_radius_m: float = ...
) -> NDArray[np.float64]: ...
@overload
def earth_bulge_m(
    d1_m: ArrayLike, d2_m: NDArray[np.float64], *, k: float = ..., earth_radius_m: float = ...
) -> NDArray[np.float64]: ...
def earth_bulge_m(
    d1_m: ArrayLike,
    d2_m: ArrayLike,
    *,
    k: float = STANDARD_K_FACTOR,
    earth_radius_m: float = EARTH_RADIUS_M,
) -> float | NDArray[np.float64]:
    """Height of the earth bulge above the chord of a path, at one point of it.

    Parameters
    ----------
    d1_m, d2_m
        Distances from the point to the two ends of the path, metres (>= 0;
        broadcast together).
    k
        Effective earth radius factor (dimensionless, > 0); 4/3 by default.
    earth_radius_m
        True Earth radius, metres.

    Returns
    -------
    float or ndarray
        Bulge, metres: add it to the terrain height before comparing with the
        straight ray between the ends. A scalar for scalar inputs.

    Raises
    ------
    InputError
        Negative or non-finite distances, or a bad ``k``.

    Notes
    -----
    ``h = d1 d2 / (2 k a)`` — the parabolic (small-angle) form of the height of a
    circle of radius ``k a`` above a chord of length ``d = d1 + d2``; it is low by a
    relative error below ``d² / (8 k² a²)`` (1.7e-5 for a 100 km path at k = 4/3).
    ITU-R writes the same term as ``500 C_e d_i (d - d_i)`` with distances in km and
    ``C_e = 1/a_e`` in 1/km.

    References
    ----------
    .. [1] ITU-R P.452-16 §4.2.1 eq. (14) (Bullington slope ``S_tim``).
    .. [2] ITU-R P.526-15 §4.5.1 (delta-Bullington, same term).
    """
    radius_m = effective_earth_radius_m(k=k, earth_radius_m=earth_radius_m)
    d1 = np.asarray(d1_m, dtype=np.float64)
    d2 = np.asarray(d2_m, dtype=np.float64)
    for name, array in (("d1_m", d1), ("d2_m", d2)):
        bad = ~np.isfinite(array) | (array < 0.0)
        if bad.any():
            value = array.flat[int(np.flatnonzero(bad)[0])]
            msg = f"distances must be finite and >= 0 m, got {value}"
            raise InputError(msg, field=name)
    bulge = d1 * d2 / (2.0 * radius_m)
    if bulge.ndim == 0:
        return float(bulge)
    return bulge
