"""Free-space basic transmission loss (ITU-R P.525-4).

Pure functions, arrays in and arrays out (NumPy broadcasting); a scalar in gives a
``float`` out.

References
----------
ITU-R P.525-4 (08/2019), "Calculation of free-space attenuation".
"""

from __future__ import annotations

import math
from typing import overload

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from alcance._arrays import scalar_or_array as _out
from alcance.errors import InputError

__all__ = ["SPEED_OF_LIGHT_M_PER_S", "free_space_loss_db", "wavelength_m"]

#: Speed of light in vacuum (m/s), exact by definition of the metre. ITU-R texts round
#: it (3e8 in P.525's 32.45 dB constant and in the SG3 delta-Bullington spreadsheet,
#: 2.998e8 in the P.452/P.1812 reference code); every function takes it as an option.
SPEED_OF_LIGHT_M_PER_S = 299_792_458.0


def _positive(name: str, value: npt.ArrayLike) -> NDArray[np.float64]:
    """``value`` as float64; ``InputError`` naming ``name`` unless finite and > 0."""
    arr = np.asarray(value, dtype=np.float64)
    bad = ~(np.isfinite(arr) & (arr > 0.0))
    if np.any(bad):
        first = arr[bad].flat[0]
        msg = f"{name} must be finite and > 0, got {first!r}"
        raise InputError(msg, field=name)
    return arr


@overload
def wavelength_m(*, freq_mhz: float, speed_of_light_m_per_s: float = ...) -> float: ...
@overload
def wavelength_m(
    *, freq_mhz: npt.ArrayLike, speed_of_light_m_per_s: float = ...
) -> float | NDArray[np.float64]: ...
def wavelength_m(
    *, freq_mhz: npt.ArrayLike, speed_of_light_m_per_s: float = SPEED_OF_LIGHT_M_PER_S
) -> float | NDArray[np.float64]:
    """Wavelength lambda = c / f.

    Parameters
    ----------
    freq_mhz
        Frequency (MHz), > 0.
    speed_of_light_m_per_s
        Speed of light used for lambda (m/s).

    Returns
    -------
    float or numpy.ndarray
        Wavelength (m).

    Raises
    ------
    InputError
        If a frequency is not finite and positive.
    """
    f = _positive("freq_mhz", freq_mhz)
    c = float(_positive("speed_of_light_m_per_s", speed_of_light_m_per_s))
    return _out(c / (f * 1e6), freq_mhz)


@overload
def free_space_loss_db(
    *, distance_m: float, freq_mhz: float, speed_of_light_m_per_s: float = ...
) -> float: ...
@overload
def free_space_loss_db(
    *, distance_m: npt.ArrayLike, freq_mhz: npt.ArrayLike, speed_of_light_m_per_s: float = ...
) -> float | NDArray[np.float64]: ...
def free_space_loss_db(
    *,
    distance_m: npt.ArrayLike,
    freq_mhz: npt.ArrayLike,
    speed_of_light_m_per_s: float = SPEED_OF_LIGHT_M_PER_S,
) -> float | NDArray[np.float64]:
    """Free-space basic transmission loss between isotropic antennas.

    Parameters
    ----------
    distance_m
        Distance between the antennas (m), > 0.
    freq_mhz
        Frequency (MHz), > 0. Broadcasts against ``distance_m``.
    speed_of_light_m_per_s
        Speed of light used for the wavelength (m/s). With 3e8 the constant below is
        32.4418 dB; with the exact value it is 32.4478 dB.

    Returns
    -------
    float or numpy.ndarray
        Loss ``L_bf`` (dB), a positive number for ``d >> lambda``.

    Raises
    ------
    InputError
        If a distance or frequency is not finite and positive (names the parameter).

    Notes
    -----
    ITU-R P.525-4 eq. (4): ``L_bf = 20 log10(4 pi d / lambda)``, which in practical
    units is ``L_bf = 32.45 + 20 log10(f_MHz) + 20 log10(d_km)``.

    References
    ----------
    ITU-R P.525-4 §2.1 eq. (4).
    """
    d = _positive("distance_m", distance_m)
    f = _positive("freq_mhz", freq_mhz)
    c = float(_positive("speed_of_light_m_per_s", speed_of_light_m_per_s))
    # summed in the log domain so that no product overflows
    loss = 20.0 * math.log10(4.0 * math.pi * 1e6 / c) + 20.0 * np.log10(d) + 20.0 * np.log10(f)
    return _out(np.asarray(loss, dtype=np.float64), distance_m, freq_mhz)
