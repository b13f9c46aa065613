"""ITS Irregular Terrain Model (Longley–Rice): point-to-point and area mode.

A port of NTIA/ITS's reference implementation (github.com/NTIA/itm, C++ v1.4, which
implements the ITM 1.2.2 algorithm) compiled with Numba. It reproduces NTIA's basic
transmission loss, return codes, warning flags and intermediate values; it is
validated against NTIA's published examples and against 2,600 cases computed with
NTIA's C++ on Andes terrain (``tests/propagation/test_itm_reference.py``).

Two layers:

* **Batched kernels** — :func:`itm_p2p_tls_batch`, :func:`itm_p2p_cr_batch`,
  :func:`itm_area_tls_batch`, :func:`itm_area_cr_batch` — take NumPy arrays (profiles as
  a NaN-padded 2-D ``elevation_m`` with per-path ``n_points`` and ``spacing_m``,
  parameters broadcast per path) and return an :class:`ItmBatchResult` of arrays. They
  never raise for a bad path: NTIA's error codes (≥ 1000) come back per path in
  ``return_code``, with NaN losses. :func:`itm_p2p_tls_profiles` and
  :func:`itm_p2p_cr_profiles` accept any object with ``elevation_m``, ``n_points`` and
  ``spacing_m`` attributes (e.g. ``alcance.terrain.sample_profiles(...)``).
* **Scalar functions** for one link — :func:`itm_p2p_tls`, :func:`itm_p2p_cr`,
  :func:`itm_area_tls`, :func:`itm_area_cr` — return a frozen :class:`ItmResult`, raise
  :class:`~alcance.errors.InputError` naming the parameter for NTIA's error codes and
  emit an :class:`ItmWarning` when NTIA sets warning flags.

Conventions: heights above ground in metres, frequency in MHz, percentages in
(0, 100), horizon angles in radians, N-units for refractivity. A loss is a positive dB.

References
----------
.. [1] NTIA/ITS, "Irregular Terrain Model (ITM) (Longley-Rice) (20 MHz - 20 GHz)",
   reference implementation v1.4, https://github.com/NTIA/itm (``src/*.cpp``,
   ``ERRORS_AND_WARNINGS.md``).
.. [2] G. A. Hufford, "The ITS Irregular Terrain Model, version 1.2.2: the algorithm",
   NTIA/ITS, 1995.
.. [3] G. A. Hufford, A. G. Longley, W. A. Kissick, "A guide to the use of the ITS
   Irregular Terrain Model in the area prediction mode", NTIA Report TR-82-100, 1982.
.. [4] P. L. Rice, A. G. Longley, K. A. Norton, A. P. Barsis, "Transmission loss
   predictions for tropospheric communication circuits", NBS Technical Note 101, 1967.
.. [5] A. G. Longley, P. L. Rice, "Prediction of tropospheric radio transmission loss
   over irregular terrain: a computer method", ESSA Tech. Report ERL 79-ITS 67, 1968.
"""

from __future__ import annotations

import enum
import math
import warnings as _warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from alcance.errors import InputError, closest_name
from alcance.propagation import _itm_core as _core

__all__ = [
    "GROUND_CONSTANTS",
    "ITM_VERSION",
    "PARAMETER_RANGES",
    "Climate",
    "GroundConstants",
    "ItmBatchResult",
    "ItmResult",
    "ItmReturnCode",
    "ItmWarning",
    "ItmWarningFlag",
    "ModeOfVariability",
    "ParameterRange",
    "Polarization",
    "ProfilesLike",
    "PropagationMode",
    "SitingCriteria",
    "ground_constants",
    "itm_area_cr",
    "itm_area_cr_batch",
    "itm_area_tls",
    "itm_area_tls_batch",
    "itm_p2p_cr",
    "itm_p2p_cr_batch",
    "itm_p2p_cr_profiles",
    "itm_p2p_tls",
    "itm_p2p_tls_batch",
    "itm_p2p_tls_profiles",
    "mode_of_variability",
    "pfl_to_arrays",
]

#: The implementation this module reproduces (there is one version; no version argument).
ITM_VERSION = "NTIA/itm C++ v1.4 (ITM 1.2.2 algorithm)"

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# ======================================================================================
# Enumerations (NTIA include/Enums.h, include/Errors.h, include/Warnings.h)


class Climate(enum.IntEnum):
    """Radio climate, NTIA ``include/Enums.h`` ([2] Table 5.1)."""

    EQUATORIAL = 1
    CONTINENTAL_SUBTROPICAL = 2
    MARITIME_SUBTROPICAL = 3
    DESERT = 4
    CONTINENTAL_TEMPERATE = 5
    MARITIME_TEMPERATE_OVER_LAND = 6
    MARITIME_TEMPERATE_OVER_SEA = 7


class Polarization(enum.IntEnum):
    """Antenna polarisation, NTIA ``include/Enums.h``."""

    HORIZONTAL = 0
    VERTICAL = 1


class SitingCriteria(enum.IntEnum):
    """How carefully an area-mode terminal is sited, [2] Eqn 3.2 (``src/InitializeArea.cpp``)."""

    RANDOM = 0
    CAREFUL = 1
    VERY_CAREFUL = 2


class ModeOfVariability(enum.IntEnum):
    """NTIA's ``mdvar``: a base mode (0–3) plus optional flags (+10, +20).

    The base mode says how time, location and situation variability combine ([2], [3];
    NTIA ``src/Variability.cpp``): single-message (0), accidental (1: location tied to
    situation), mobile (2: location tied to time) or broadcast (3). Add
    ``LOCATION_VARIABILITY_ELIMINATED`` (+10) to drop location variability (it is
    accounted for elsewhere, e.g. by a known profile) and
    ``SITUATION_VARIABILITY_ELIMINATED`` (+20) to drop direct situation variability (for
    interference studies); both together are +30. Build a code with
    :func:`mode_of_variability`.
    """

    SINGLE_MESSAGE = 0
    ACCIDENTAL = 1
    MOBILE = 2
    BROADCAST = 3
    LOCATION_VARIABILITY_ELIMINATED = 10
    SITUATION_VARIABILITY_ELIMINATED = 20


class PropagationMode(enum.IntEnum):
    """Propagation mode ITM labels the path with, NTIA ``include/Enums.h``."""

    NOT_SET = 0
    LINE_OF_SIGHT = 1
    DIFFRACTION = 2
    TROPOSCATTER = 3


class ItmReturnCode(enum.IntEnum):
    """NTIA's return codes (``ERRORS_AND_WARNINGS.md``) and one of Alcance's (1100).

    0 and 1 are successes; every code ≥ 1000 is an error, for which the loss is NaN.
    ``MDVAR_BROADCAST_MODE`` (1015) is listed by NTIA but never returned by v1.4.
    """

    SUCCESS = 0
    SUCCESS_WITH_WARNINGS = 1
    TX_TERMINAL_HEIGHT = 1000
    RX_TERMINAL_HEIGHT = 1001
    INVALID_RADIO_CLIMATE = 1002
    INVALID_TIME = 1003
    INVALID_LOCATION = 1004
    INVALID_SITUATION = 1005
    INVALID_CONFIDENCE = 1006
    INVALID_RELIABILITY = 1007
    REFRACTIVITY = 1008
    FREQUENCY = 1009
    POLARIZATION = 1010
    EPSILON = 1011
    SIGMA = 1012
    GROUND_IMPEDANCE = 1013
    MDVAR = 1014
    MDVAR_BROADCAST_MODE = 1015
    EFFECTIVE_EARTH = 1016
    PATH_DISTANCE = 1017
    DELTA_H = 1018
    TX_SITING_CRITERIA = 1019
    RX_SITING_CRITERIA = 1020
    SURFACE_REFRACTIVITY_SMALL = 1021
    SURFACE_REFRACTIVITY_LARGE = 1022
    #: Alcance's own: the terrain profile is unusable (fewer than 2 points, more points
    #: than its row holds, spacing not positive and finite, or a non-finite elevation).
    INVALID_PROFILE = 1100


class ItmWarningFlag(enum.IntFlag):
    """NTIA's warning flags (``include/Warnings.h``); several may be set at once."""

    NONE = 0
    TX_TERMINAL_HEIGHT = 0x0001
    RX_TERMINAL_HEIGHT = 0x0002
    FREQUENCY = 0x0004
    PATH_DISTANCE_TOO_BIG_1 = 0x0008
    PATH_DISTANCE_TOO_BIG_2 = 0x0010
    PATH_DISTANCE_TOO_SMALL_1 = 0x0020
    PATH_DISTANCE_TOO_SMALL_2 = 0x0040
    TX_HORIZON_ANGLE = 0x0080
    RX_HORIZON_ANGLE = 0x0100
    TX_HORIZON_DISTANCE_1 = 0x0200
    RX_HORIZON_DISTANCE_1 = 0x0400
    TX_HORIZON_DISTANCE_2 = 0x0800
    RX_HORIZON_DISTANCE_2 = 0x1000
    EXTREME_VARIABILITIES = 0x2000
    SURFACE_REFRACTIVITY = 0x4000


#: What each warning flag means, from NTIA ``ERRORS_AND_WARNINGS.md``.
_WARNING_TEXT: Mapping[ItmWarningFlag, str] = MappingProxyType(
    {
        ItmWarningFlag.TX_TERMINAL_HEIGHT: "TX terminal height is near its limits (1-1000 m)",
        ItmWarningFlag.RX_TERMINAL_HEIGHT: "RX terminal height is near its limits (1-1000 m)",
        ItmWarningFlag.FREQUENCY: "frequency is near its limits (40-10000 MHz)",
        ItmWarningFlag.PATH_DISTANCE_TOO_BIG_1: "path distance is near its upper limit (> 1000 km)",
        ItmWarningFlag.PATH_DISTANCE_TOO_BIG_2: "path distance is large (> 2000 km)",
        ItmWarningFlag.PATH_DISTANCE_TOO_SMALL_1: (
            "path distance is near its lower limit (< |h_e,tx - h_e,rx| / 0.2)"
        ),
        ItmWarningFlag.PATH_DISTANCE_TOO_SMALL_2: "path distance is small (< 1 km)",
        ItmWarningFlag.TX_HORIZON_ANGLE: "TX horizon angle is large (> 200 mrad)",
        ItmWarningFlag.RX_HORIZON_ANGLE: "RX horizon angle is large (> 200 mrad)",
        ItmWarningFlag.TX_HORIZON_DISTANCE_1: (
            "TX horizon distance is less than 1/10 of the smooth-earth horizon distance"
        ),
        ItmWarningFlag.RX_HORIZON_DISTANCE_1: (
            "RX horizon distance is less than 1/10 of the smooth-earth horizon distance"
        ),
        ItmWarningFlag.TX_HORIZON_DISTANCE_2: (
            "TX horizon distance is more than 3 times the smooth-earth horizon distance"
        ),
        ItmWarningFlag.RX_HORIZON_DISTANCE_2: (
            "RX horizon distance is more than 3 times the smooth-earth horizon distance"
        ),
        ItmWarningFlag.EXTREME_VARIABILITIES: (
            "a time, location or situation percentage lies far in the tail (|z| > 3.1)"
        ),
        ItmWarningFlag.SURFACE_REFRACTIVITY: ("surface refractivity N_s is small (< 250 N-units)"),
    }
)


class ItmWarning(UserWarning):
    """Warning category for NTIA ITM's warning flags (scalar API).

    Attributes
    ----------
    flags
        The :class:`ItmWarningFlag` set of the call.
    """

    def __init__(self, message: str, flags: ItmWarningFlag = ItmWarningFlag.NONE) -> None:
        super().__init__(message)
        self.flags = flags


def mode_of_variability(
    mode: ModeOfVariability | int | str,
    *,
    eliminate_location_variability: bool = False,
    eliminate_situation_variability: bool = False,
) -> int:
    """Build NTIA's ``mdvar`` code from a base mode and the two elimination flags.

    Parameters
    ----------
    mode
        Base mode: a :class:`ModeOfVariability` in 0–3, its value or its name
        (``"mobile"``).
    eliminate_location_variability
        Add +10: location variability is eliminated (NTIA ``src/Variability.cpp``).
    eliminate_situation_variability
        Add +20: direct situation variability is eliminated ([3], as quoted in NTIA
        ``src/Variability.cpp``).

    Returns
    -------
    int
        The ``mdvar`` code (0–3, 10–13, 20–23 or 30–33).

    Raises
    ------
    InputError
        For a mode that is not one of the four base modes.

    Examples
    --------
    >>> mode_of_variability("broadcast", eliminate_situation_variability=True)
    23
    """
    base = _coerce_enum(mode, ModeOfVariability, "mode")
    if base > ModeOfVariability.BROADCAST:
        msg = f"{base.name} is a flag, not a base mode; pass it as a keyword flag instead"
        raise InputError(msg, field="mode")
    return (
        int(base)
        + (10 if eliminate_location_variability else 0)
        + (20 if eliminate_situation_variability else 0)
    )


# ======================================================================================
# Ground constants


@dataclass(frozen=True, slots=True)
class GroundConstants:
    """Electrical constants of the ground.

    Attributes
    ----------
    epsilon_r
        Relative permittivity (dimensionless, ≥ 1).
    sigma_s_per_m
        Conductivity (S/m, > 0).
    """

    epsilon_r: float
    sigma_s_per_m: float


#: Named ground constants (relative permittivity ε_r, conductivity σ in S/m), the
#: customary ITM table: "average ground" 15 / 0.005, "poor ground" 4 / 0.001,
#: "good ground" 25 / 0.020, "fresh water" 81 / 0.010, "sea water" 81 / 5.0. These are
#: the typical values given with the ITS ITM 1.2.2 code (G. A. Hufford's notes on the
#: model's input parameters); SPLAT! (``.lrp`` files) and Radio Mobile offer the same
#: classes (SPLAT! uses ε_r = 80 for water). NTIA's own examples (``cmd_examples``,
#: QKPFL) use average ground. Keys are lower case; lookups ignore case and "_".
GROUND_CONSTANTS: Mapping[str, GroundConstants] = MappingProxyType(
    {
        "average ground": GroundConstants(epsilon_r=15.0, sigma_s_per_m=0.005),
        "poor ground": GroundConstants(epsilon_r=4.0, sigma_s_per_m=0.001),
        "good ground": GroundConstants(epsilon_r=25.0, sigma_s_per_m=0.02),
        "fresh water": GroundConstants(epsilon_r=81.0, sigma_s_per_m=0.01),
        "sea water": GroundConstants(epsilon_r=81.0, sigma_s_per_m=5.0),
    }
)


def ground_constants(name: str) -> GroundConstants:
    """Return the :class:`GroundConstants` called ``name`` (case-insensitive).

    Raises
    ------
    InputError
        For an unknown name; the message lists the valid names.

    Examples
    --------
    >>> ground_constants("Average ground")
    GroundConstants(epsilon_r=15.0, sigma_s_per_m=0.005)
    """
    key = " ".join(str(name).lower().replace("_", " ").split())
    try:
        return GROUND_CONSTANTS[key]
    except KeyError:
        valid = ", ".join(repr(k) for k in GROUND_CONSTANTS)
        guess = closest_name(key, GROUND_CONSTANTS)
        hint = f" (did you mean {guess!r}?)" if guess else ""
        msg = f"unknown ground {name!r}{hint}; valid names: {valid}"
        raise InputError(msg, field="ground") from None


# ======================================================================================
# Declared parameter ranges (NTIA src/ValidateInputs.cpp, src/itm_area.cpp)


@dataclass(frozen=True, slots=True)
class ParameterRange:
    """The valid range of a numeric ITM input and the NTIA code for leaving it.

    Attributes
    ----------
    low, high
        Bounds, in ``unit``.
    low_inclusive, high_inclusive
        Whether each bound itself is valid.
    unit
        Unit of the bounds ("" for dimensionless).
    code
        The :class:`ItmReturnCode` NTIA returns outside the range.
    """

    low: float
    high: float
    low_inclusive: bool
    high_inclusive: bool
    unit: str
    code: ItmReturnCode

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the range (NaN never does)."""
        above = value >= self.low if self.low_inclusive else value > self.low
        below = value <= self.high if self.high_inclusive else value < self.high
        return bool(above and below)

    def describe(self) -> str:
        """The range as text, e.g. ``"[0.5, 3000] m"``."""
        lo = "[" if self.low_inclusive else "("
        hi = "]" if self.high_inclusive else ")"
        unit = f" {self.unit}" if self.unit else ""
        return f"{lo}{self.low:g}, {self.high:g}{hi}{unit}"


_RC = ItmReturnCode
_PCT = "%"
#: Valid ranges of the numeric inputs, by parameter name (as in the scalar API). The
#: kernels apply NTIA's checks (``src/ValidateInputs.cpp``, ``src/itm_area.cpp``); this
#: table names them for messages and drives the bad-input tests. Outside
#: ``[1, 1000] m`` heights and ``[40, 10000] MHz`` NTIA only warns. Beyond NTIA, NaN
#: is out of every range, and a percentage must also stay positive once divided by 100
#: (a subnormal percentage, for which NTIA returns NaN, is rejected).
PARAMETER_RANGES: Mapping[str, ParameterRange] = MappingProxyType(
    {
        "h_tx_m": ParameterRange(0.5, 3000.0, True, True, "m", _RC.TX_TERMINAL_HEIGHT),
        "h_rx_m": ParameterRange(0.5, 3000.0, True, True, "m", _RC.RX_TERMINAL_HEIGHT),
        "n_0_n_units": ParameterRange(250.0, 400.0, True, True, "N-units", _RC.REFRACTIVITY),
        "freq_mhz": ParameterRange(20.0, 20000.0, True, True, "MHz", _RC.FREQUENCY),
        "epsilon_r": ParameterRange(1.0, math.inf, True, False, "", _RC.EPSILON),
        "sigma_s_per_m": ParameterRange(0.0, math.inf, False, False, "S/m", _RC.SIGMA),
        "time_pct": ParameterRange(0.0, 100.0, False, False, _PCT, _RC.INVALID_TIME),
        "location_pct": ParameterRange(0.0, 100.0, False, False, _PCT, _RC.INVALID_LOCATION),
        "situation_pct": ParameterRange(0.0, 100.0, False, False, _PCT, _RC.INVALID_SITUATION),
        "confidence_pct": ParameterRange(0.0, 100.0, False, False, _PCT, _RC.INVALID_CONFIDENCE),
        "reliability_pct": ParameterRange(0.0, 100.0, False, False, _PCT, _RC.INVALID_RELIABILITY),
        "distance_km": ParameterRange(0.0, math.inf, False, False, "km", _RC.PATH_DISTANCE),
        "delta_h_m": ParameterRange(0.0, math.inf, True, False, "m", _RC.DELTA_H),
    }
)

#: For each error code: the parameter at fault (as named in the scalar API) and the
#: key of its range in :data:`PARAMETER_RANGES`, if it has one.
_CODE_FIELD: Mapping[int, tuple[str, str | None]] = MappingProxyType(
    {
        1000: ("h_tx_m", "h_tx_m"),
        1001: ("h_rx_m", "h_rx_m"),
        1002: ("climate", None),
        1003: ("time_pct", "time_pct"),
        1004: ("location_pct", "location_pct"),
        1005: ("situation_pct", "situation_pct"),
        1006: ("confidence_pct", "confidence_pct"),
        1007: ("reliability_pct", "reliability_pct"),
        1008: ("n_0_n_units", "n_0_n_units"),
        1009: ("freq_mhz", "freq_mhz"),
        1010: ("polarization", None),
        1011: ("ground", "epsilon_r"),
        1012: ("ground", "sigma_s_per_m"),
        1013: ("ground", None),
        1014: ("mdvar", None),
        1016: ("n_0_n_units", None),
        1017: ("distance_km", "distance_km"),
        1018: ("delta_h_m", "delta_h_m"),
        1019: ("tx_siting", None),
        1020: ("rx_siting", None),
        1021: ("n_0_n_units", None),
        1022: ("n_0_n_units", None),
        1100: ("elevation_m", None),
    }
)


# ======================================================================================
# Results


@dataclass(frozen=True, slots=True)
class ItmResult:
    """Result of one ITM call, with NTIA's intermediate values.

    Attributes
    ----------
    loss_db
        Basic transmission loss (dB); NaN on error.
    return_code
        NTIA's return code (0, 1, or ≥ 1000 — the scalar API raises for those).
    warnings
        NTIA's warning flags.
    mode
        Propagation mode ITM assigns to the path.
    distance_km
        Path distance (km).
    theta_hzn_tx_rad, theta_hzn_rx_rad
        Horizon elevation angles of the terminals (rad).
    d_hzn_tx_m, d_hzn_rx_m
        Horizon distances of the terminals (m).
    h_e_tx_m, h_e_rx_m
        Effective heights of the terminals (m).
    n_s_n_units
        Surface refractivity N_s (N-units).
    delta_h_m
        Terrain irregularity parameter Δh (m).
    a_ref_db
        Reference attenuation, the median loss in excess of free space before
        variability (dB).
    free_space_loss_db
        Free-space basic transmission loss (dB).
    """

    loss_db: float
    return_code: ItmReturnCode
    warnings: ItmWarningFlag
    mode: PropagationMode
    distance_km: float
    theta_hzn_tx_rad: float
    theta_hzn_rx_rad: float
    d_hzn_tx_m: float
    d_hzn_rx_m: float
    h_e_tx_m: float
    h_e_rx_m: float
    n_s_n_units: float
    delta_h_m: float
    a_ref_db: float
    free_space_loss_db: float


@dataclass(frozen=True, slots=True)
class ItmBatchResult:
    """Results of a batched ITM call: one array per quantity, one element per path.

    Attributes
    ----------
    loss_db
        Basic transmission loss (dB), float64; NaN where ``return_code >= 1000``.
    return_code
        NTIA's return code per path (int32; see :class:`ItmReturnCode`).
    warnings
        NTIA's warning flags per path (int64 bit field; see :class:`ItmWarningFlag`).
    mode
        Propagation mode per path (int32; see :class:`PropagationMode`).
    distance_km, theta_hzn_tx_rad, theta_hzn_rx_rad, d_hzn_tx_m, d_hzn_rx_m, h_e_tx_m, \
h_e_rx_m, n_s_n_units, delta_h_m, a_ref_db, free_space_loss_db
        Intermediate values as in :class:`ItmResult` (float64, NaN on error).
    """

    loss_db: FloatArray
    return_code: npt.NDArray[np.int32]
    warnings: IntArray
    mode: npt.NDArray[np.int32]
    distance_km: FloatArray
    theta_hzn_tx_rad: FloatArray
    theta_hzn_rx_rad: FloatArray
    d_hzn_tx_m: FloatArray
    d_hzn_rx_m: FloatArray
    h_e_tx_m: FloatArray
    h_e_rx_m: FloatArray
    n_s_n_units: FloatArray
    delta_h_m: FloatArray
    a_ref_db: FloatArray
    free_space_loss_db: FloatArray

    def __len__(self) -> int:
        return int(self.loss_db.shape[0])

    @property
    def ok(self) -> npt.NDArray[np.bool_]:
        """Paths that computed (return code 0 or 1)."""
        return np.asarray(self.return_code < 1000)

    def result(self, index: int) -> ItmResult:
        """The result of one path as an :class:`ItmResult`."""
        rc = int(self.return_code[index])
        return ItmResult(
            loss_db=float(self.loss_db[index]),
            return_code=ItmReturnCode(rc),
            warnings=ItmWarningFlag(int(self.warnings[index])),
            mode=PropagationMode(int(self.mode[index])),
            distance_km=float(self.distance_km[index]),
            theta_hzn_tx_rad=float(self.theta_hzn_tx_rad[index]),
            theta_hzn_rx_rad=float(self.theta_hzn_rx_rad[index]),
            d_hzn_tx_m=float(self.d_hzn_tx_m[index]),
            d_hzn_rx_m=float(self.d_hzn_rx_m[index]),
            h_e_tx_m=float(self.h_e_tx_m[index]),
            h_e_rx_m=float(self.h_e_rx_m[index]),
            n_s_n_units=float(self.n_s_n_units[index]),
            delta_h_m=float(self.delta_h_m[index]),
            a_ref_db=float(self.a_ref_db[index]),
            free_space_loss_db=float(self.free_space_loss_db[index]),
        )


class ProfilesLike(Protocol):
    """Anything holding batched terrain profiles (e.g. ``alcance.terrain.Profiles``)."""

    @property
    def elevation_m(self) -> npt.ArrayLike: ...

    @property
    def n_points(self) -> npt.ArrayLike: ...

    @property
    def spacing_m(self) -> npt.ArrayLike: ...


# ======================================================================================
# Array preparation

_E = TypeVar("_E", bound=enum.IntEnum)


def _float_param(value: npt.ArrayLike, n: int, name: str) -> FloatArray:
    """``value`` as a new contiguous, writeable float64 array of length ``n`` (broadcast).

    Always a fresh array, so that the kernels see one array type (Numba compiles a
    separate specialisation for read-only or non-contiguous arrays).
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        msg = f"must be numeric (got {type(value).__name__})"
        raise InputError(msg, field=name) from exc
    out = np.empty(n)
    try:
        out[...] = np.broadcast_to(arr, (n,))
    except ValueError as exc:
        msg = f"shape {arr.shape} does not broadcast to the {n} paths"
        raise InputError(msg, field=name) from exc
    return out


def _int_param(value: npt.ArrayLike, n: int, name: str) -> IntArray:
    """``value`` as a contiguous int64 array of length ``n``.

    Integral numbers pass; anything else (1.5, NaN, inf) becomes -1, which every
    enumerated ITM input rejects with its own NTIA error code.
    """
    arr = np.asarray(value)
    if arr.dtype.kind in "biu":
        codes = arr.astype(np.int64)
    elif arr.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            integral = np.isfinite(arr) & (arr == np.round(arr)) & (np.abs(arr) < 2**31)
        codes = np.where(integral, np.where(integral, arr, -1.0).astype(np.int64), -1)
    else:
        msg = f"must be integer codes (got dtype {arr.dtype})"
        raise InputError(msg, field=name)
    out = np.empty(n, dtype=np.int64)
    try:
        out[...] = np.broadcast_to(codes, (n,))
    except ValueError as exc:
        msg = f"shape {arr.shape} does not broadcast to the {n} paths"
        raise InputError(msg, field=name) from exc
    return out


def _coerce_enum(value: object, enum_type: type[_E], name: str) -> _E:
    """An enum member from a member, its value or its name (case-insensitive)."""
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        key = value.strip().upper().replace(" ", "_").replace("-", "_")
        if key in enum_type.__members__:
            return enum_type.__members__[key]
    elif isinstance(value, int | np.integer) and not isinstance(value, bool):
        try:
            return enum_type(int(value))
        except ValueError:
            pass
    valid = ", ".join(f"{m.name.lower()} ({m.value})" for m in enum_type)
    msg = f"invalid {enum_type.__name__} {value!r}; valid: {valid}"
    raise InputError(msg, field=name)


def _mdvar_code(value: object) -> int:
    """Validate an ``mdvar`` (int or :class:`ModeOfVariability`) for the scalar API."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        code = int(value)
        if code in _VALID_MDVAR:
            return code
    valid = ", ".join(str(v) for v in sorted(_VALID_MDVAR))
    msg = (
        f"invalid mode of variability {value!r}; valid codes: {valid} "
        "(base mode 0-3 plus 10 and/or 20, see mode_of_variability())"
    )
    raise InputError(msg, field="mdvar")


_VALID_MDVAR = frozenset(b + f for b in range(4) for f in (0, 10, 20, 30))


def _ground(ground: str | GroundConstants) -> GroundConstants:
    if isinstance(ground, GroundConstants):
        return ground
    if isinstance(ground, str):
        return ground_constants(ground)
    msg = f"must be a name or GroundConstants (got {type(ground).__name__})"
    raise InputError(msg, field="ground")


def _profile_arrays(
    elevation_m: npt.ArrayLike, n_points: npt.ArrayLike, spacing_m: npt.ArrayLike
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Validate the array structure of batched profiles (not their values)."""
    try:
        # no copy for the usual C-contiguous, writeable float64 array
        elev = np.require(elevation_m, dtype=np.float64, requirements=["C", "W"])
    except (TypeError, ValueError) as exc:
        msg = "must be a numeric 2-D array (n_paths, max_points)"
        raise InputError(msg, field="elevation_m") from exc
    if elev.ndim != 2:
        msg = f"must be 2-D (n_paths, max_points), got {elev.ndim}-D"
        raise InputError(msg, field="elevation_m")
    n = elev.shape[0]
    npts = np.asarray(n_points)
    if npts.dtype.kind not in "iu":
        msg = f"must be integers (got dtype {npts.dtype})"
        raise InputError(msg, field="n_points")
    return elev, _int_param(npts, n, "n_points"), _float_param(spacing_m, n, "spacing_m")


def pfl_to_arrays(pfl: npt.ArrayLike) -> tuple[FloatArray, IntArray, FloatArray]:
    """Split NTIA ``pfl`` profiles into the batched ``(elevation_m, n_points, spacing_m)``.

    Parameters
    ----------
    pfl
        One profile ``[n_intervals, spacing_m, z_0, …, z_n]`` (1-D), or one per row
        (2-D, NaN-padded, as ``alcance.terrain.Profiles.pfl_array()`` gives).

    Returns
    -------
    elevation_m, n_points, spacing_m
        (n_paths, max_points) elevations (m), points per path, spacing (m).

    Raises
    ------
    InputError
        If a row's interval count is not a whole number ≥ 1 or exceeds the row.
    """
    arr = np.atleast_2d(np.asarray(pfl, dtype=np.float64))
    if arr.ndim != 2 or arr.shape[1] < 4:
        msg = "must be [n_intervals, spacing_m, z_0, ..., z_n] rows with at least 2 points"
        raise InputError(msg, field="pfl")
    intervals = arr[:, 0]
    with np.errstate(invalid="ignore"):
        ok = (intervals >= 1) & (intervals == np.round(intervals)) & (intervals + 3 <= arr.shape[1])
    if not ok.all():
        row = int(np.flatnonzero(~ok)[0])
        msg = f"n_intervals = {intervals[row]!r} is not a whole number of intervals in the row"
        raise InputError(msg, row=row + 1, field="pfl")
    return arr[:, 2:].copy(), intervals.astype(np.int64) + 1, arr[:, 1].copy()


def _alloc(n: int) -> tuple[FloatArray, npt.NDArray[np.int32], IntArray, npt.NDArray[np.int32]]:
    return (
        np.empty((_core.N_OUT_F, n)),
        np.empty(n, dtype=np.int32),
        np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.int32),
    )


def _batch_result(
    out_f: FloatArray,
    out_rc: npt.NDArray[np.int32],
    out_warn: IntArray,
    out_mode: npt.NDArray[np.int32],
) -> ItmBatchResult:
    fields = dict(zip(_core.OUT_FIELDS, out_f, strict=True))
    return ItmBatchResult(return_code=out_rc, warnings=out_warn, mode=out_mode, **fields)


def _tls_to_cr_codes(rc: npt.NDArray[np.int32]) -> None:
    """Map TLS codes to CR codes in place, as NTIA's ``*_CR_Ex`` functions do."""
    rc[rc == _core.ERROR_INVALID_TIME] = _core.ERROR_INVALID_RELIABILITY
    rc[rc == _core.ERROR_INVALID_SITUATION] = _core.ERROR_INVALID_CONFIDENCE


# ======================================================================================
# Batched API


def itm_p2p_tls_batch(
    *,
    elevation_m: npt.ArrayLike,
    n_points: npt.ArrayLike,
    spacing_m: npt.ArrayLike,
    h_tx_m: npt.ArrayLike,
    h_rx_m: npt.ArrayLike,
    climate: npt.ArrayLike,
    n_0_n_units: npt.ArrayLike,
    freq_mhz: npt.ArrayLike,
    polarization: npt.ArrayLike,
    epsilon_r: npt.ArrayLike,
    sigma_s_per_m: npt.ArrayLike,
    mdvar: npt.ArrayLike,
    time_pct: npt.ArrayLike,
    location_pct: npt.ArrayLike,
    situation_pct: npt.ArrayLike,
) -> ItmBatchResult:
    """ITM point-to-point mode with time/location/situation variability, batched.

    NTIA ``ITM_P2P_TLS_Ex`` (``src/itm_p2p.cpp``) for every path, compiled with Numba
    and run in parallel over paths (``numba.set_num_threads`` sets the threads).

    Parameters
    ----------
    elevation_m
        Terrain profiles, (n_paths, max_points) float: ground elevation above sea level
        (m) at equally spaced points from the transmitter to the receiver; row ``k``
        uses its first ``n_points[k]`` values (the rest, e.g. NaN padding, is ignored).
    n_points
        Points per profile (integer, ≥ 2), broadcast to (n_paths,).
    spacing_m
        Distance between profile points (m), broadcast to (n_paths,).
    h_tx_m, h_rx_m
        Structural antenna heights above ground (m), valid 0.5–3000 (warning outside
        1–1000).
    climate
        Radio climate codes (:class:`Climate`, 1–7).
    n_0_n_units
        Surface refractivity reduced to sea level N_0 (N-units), valid 250–400; ITM
        scales it to the path's mean elevation h_sys as N_s = N_0 exp(-h_sys / 9460 m)
        ([4] Eq 4.3).
    freq_mhz
        Frequency (MHz), valid 20–20000 (warning outside 40–10000).
    polarization
        :class:`Polarization` codes (0 horizontal, 1 vertical).
    epsilon_r
        Relative permittivity of the ground (≥ 1); see :data:`GROUND_CONSTANTS`.
    sigma_s_per_m
        Ground conductivity (S/m, > 0).
    mdvar
        Mode of variability codes (see :class:`ModeOfVariability`).
    time_pct, location_pct, situation_pct
        Time, location and situation percentages, in (0, 100).

    Returns
    -------
    ItmBatchResult
        Loss, return code, warning flags, mode and intermediate values per path.

    Raises
    ------
    InputError
        Only for arrays of the wrong shape or type; out-of-range values give NTIA's
        error codes per path instead (non-integral enum codes count as invalid codes).

    Notes
    -----
    The loss is A = A_fs + V(A_ref), with A_fs the free-space loss, A_ref the
    Longley–Rice reference attenuation ([5], [2]; NTIA ``src/LongleyRice.cpp``) and V the
    variability adjustment ([2] Eqns 5.3-5.11; NTIA ``src/Variability.cpp``).

    References
    ----------
    NTIA/itm v1.4 ``src/itm_p2p.cpp``, ``src/QuickPfl.cpp``, ``src/LongleyRice.cpp``,
    ``src/Variability.cpp``; [2].
    """
    elev, npts, spacing = _profile_arrays(elevation_m, n_points, spacing_m)
    n = elev.shape[0]
    out = _alloc(n)
    _core.p2p_kernel(
        elev,
        npts,
        spacing,
        _float_param(h_tx_m, n, "h_tx_m"),
        _float_param(h_rx_m, n, "h_rx_m"),
        _int_param(climate, n, "climate"),
        _float_param(n_0_n_units, n, "n_0_n_units"),
        _float_param(freq_mhz, n, "freq_mhz"),
        _int_param(polarization, n, "polarization"),
        _float_param(epsilon_r, n, "epsilon_r"),
        _float_param(sigma_s_per_m, n, "sigma_s_per_m"),
        _int_param(mdvar, n, "mdvar"),
        _float_param(time_pct, n, "time_pct"),
        _float_param(location_pct, n, "location_pct"),
        _float_param(situation_pct, n, "situation_pct"),
        *out,
    )
    return _batch_result(*out)


def itm_p2p_cr_batch(
    *,
    elevation_m: npt.ArrayLike,
    n_points: npt.ArrayLike,
    spacing_m: npt.ArrayLike,
    h_tx_m: npt.ArrayLike,
    h_rx_m: npt.ArrayLike,
    climate: npt.ArrayLike,
    n_0_n_units: npt.ArrayLike,
    freq_mhz: npt.ArrayLike,
    polarization: npt.ArrayLike,
    epsilon_r: npt.ArrayLike,
    sigma_s_per_m: npt.ArrayLike,
    mdvar: npt.ArrayLike,
    confidence_pct: npt.ArrayLike,
    reliability_pct: npt.ArrayLike,
) -> ItmBatchResult:
    """ITM point-to-point mode with confidence/reliability variability, batched.

    As NTIA's ``ITM_P2P_CR_Ex``: the TLS model with time = reliability, location = 50 %
    and situation = confidence; invalid-time and invalid-situation codes become
    ``INVALID_RELIABILITY`` (1007) and ``INVALID_CONFIDENCE`` (1006). Parameters as in
    :func:`itm_p2p_tls_batch`, with ``confidence_pct`` and ``reliability_pct`` in
    (0, 100).

    Returns
    -------
    ItmBatchResult
        Loss, return code, warning flags, mode and intermediate values per path.

    References
    ----------
    NTIA/itm v1.4 ``src/itm_p2p.cpp`` (``ITM_P2P_CR_Ex``).
    """
    elev, npts, spacing = _profile_arrays(elevation_m, n_points, spacing_m)
    n = elev.shape[0]
    result = itm_p2p_tls_batch(
        elevation_m=elev,
        n_points=npts,
        spacing_m=spacing,
        h_tx_m=h_tx_m,
        h_rx_m=h_rx_m,
        climate=climate,
        n_0_n_units=n_0_n_units,
        freq_mhz=freq_mhz,
        polarization=polarization,
        epsilon_r=epsilon_r,
        sigma_s_per_m=sigma_s_per_m,
        mdvar=mdvar,
        time_pct=_float_param(reliability_pct, n, "reliability_pct"),
        location_pct=50.0,
        situation_pct=_float_param(confidence_pct, n, "confidence_pct"),
    )
    _tls_to_cr_codes(result.return_code)
    return result


def itm_p2p_tls_profiles(
    profiles: ProfilesLike,
    *,
    h_tx_m: npt.ArrayLike,
    h_rx_m: npt.ArrayLike,
    climate: npt.ArrayLike,
    n_0_n_units: npt.ArrayLike,
    freq_mhz: npt.ArrayLike,
    polarization: npt.ArrayLike,
    epsilon_r: npt.ArrayLike,
    sigma_s_per_m: npt.ArrayLike,
    mdvar: npt.ArrayLike,
    time_pct: npt.ArrayLike,
    location_pct: npt.ArrayLike,
    situation_pct: npt.ArrayLike,
) -> ItmBatchResult:
    """:func:`itm_p2p_tls_batch` for an object with ``elevation_m``, ``n_points``, ``spacing_m``.

    ``profiles`` is typically the result of ``alcance.terrain.sample_profiles``.
    """
    return itm_p2p_tls_batch(
        elevation_m=profiles.elevation_m,
        n_points=profiles.n_points,
        spacing_m=profiles.spacing_m,
        h_tx_m=h_tx_m,
        h_rx_m=h_rx_m,
        climate=climate,
        n_0_n_units=n_0_n_units,
        freq_mhz=freq_mhz,
        polarization=polarization,
        epsilon_r=epsilon_r,
        sigma_s_per_m=sigma_s_per_m,
        mdvar=mdvar,
        time_pct=time_pct,
        location_pct=location_pct,
        situation_pct=situation_pct,
    )


def itm_p2p_cr_profiles(
    profiles: ProfilesLike,
    *,
    h_tx_m: npt.ArrayLike,
    h_rx_m: npt.ArrayLike,
    climate: npt.ArrayLike,
    n_0_n_units: npt.ArrayLike,
    freq_mhz: npt.ArrayLike,
    polarization: npt.ArrayLike,
    epsilon_r: npt.ArrayLike,
    sigma_s_per_m: npt.ArrayLike,
    mdvar: npt.ArrayLike,
    confidence_pct: npt.ArrayLike,
    reliability_pct: npt.ArrayLike,
) -> ItmBatchResult:
    """:func:`itm_p2p_cr_batch` for an object with ``elevation_m``, ``n_points``, ``spacing_m``."""
    return itm_p2p_cr_batch(
        elevation_m=profiles.elevation_m,
        n_points=profiles.n_points,
        spacing_m=profiles.spacing_m,
        h_tx_m=h_tx_m,
        h_rx_m=h_rx_m,
        climate=climate,
        n_0_n_units=n_0_n_units,
        freq_mhz=freq_mhz,
        polarization=polarization,
        epsilon_r=epsilon_r,
        sigma_s_per_m=sigma_s_per_m,
        mdvar=mdvar,
        confidence_pct=confidence_pct,
        reliability_pct=reliability_pct,
    )


def itm_area_tls_batch(
    *,
    distance_km: npt.ArrayLike,
    delta_h_m: npt.ArrayLike,
    h_tx_m: npt.ArrayLike,
    h_rx_m: npt.ArrayLike,
    tx_siting: npt.ArrayLike,
    rx_siting: npt.ArrayLike,
    climate: npt.ArrayLike,
    n_0_n_units: npt.ArrayLike,
    freq_mhz: npt.ArrayLike,
    polarization: npt.ArrayLike,
    epsilon_r: npt.ArrayLike,
    sigma_s_per_m: npt.ArrayLike,
    mdvar: npt.ArrayLike,
    time_pct: npt.ArrayLike,
    location_pct: npt.ArrayLike,
    situation_pct: npt.ArrayLike,
) -> ItmBatchResult:
    """ITM area mode with time/location/situation variability, batched.

    NTIA ``ITM_AREA_TLS_Ex`` (``src/itm_area.cpp``): no profile; the terrain is
    described by its irregularity Δh and the terminals by their siting criteria. All
    inputs broadcast together to (n_paths,).

    Parameters
    ----------
    distance_km
        Path distance (km, > 0).
    delta_h_m
        Terrain irregularity parameter Δh (m, ≥ 0); customary values run from 0 (flat)
        through 90 m (hills) to 500 m (rugged mountains) [3].
    h_tx_m, h_rx_m
        Structural antenna heights (m), valid 0.5–3000.
    tx_siting, rx_siting
        :class:`SitingCriteria` codes (0 random, 1 careful, 2 very careful).
    climate, n_0_n_units, freq_mhz, polarization, epsilon_r, sigma_s_per_m, mdvar
        As in :func:`itm_p2p_tls_batch`; here N_s = N_0 (no elevation scaling).
    time_pct, location_pct, situation_pct
        Percentages in (0, 100).

    Returns
    -------
    ItmBatchResult
        Loss, return code, warning flags, mode and intermediate values per path.

    Raises
    ------
    InputError
        Only for arrays that do not broadcast or are not numeric.

    References
    ----------
    NTIA/itm v1.4 ``src/itm_area.cpp``, ``src/InitializeArea.cpp``; [2] Eqns 3.2-3.4; [3].
    """
    arrays = [
        np.asarray(x)
        for x in (
            distance_km,
            delta_h_m,
            h_tx_m,
            h_rx_m,
            tx_siting,
            rx_siting,
            climate,
            n_0_n_units,
            freq_mhz,
            polarization,
            epsilon_r,
            sigma_s_per_m,
            mdvar,
            time_pct,
            location_pct,
            situation_pct,
        )
    ]
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError as exc:
        msg = "area-mode inputs do not broadcast to a common shape"
        raise InputError(msg) from exc
    if len(shape) > 1:
        msg = f"area-mode inputs must be scalars or 1-D arrays (broadcast shape {shape})"
        raise InputError(msg)
    n = int(shape[0]) if shape else 1
    out = _alloc(n)
    _core.area_kernel(
        _float_param(h_tx_m, n, "h_tx_m"),
        _float_param(h_rx_m, n, "h_rx_m"),
        _int_param(tx_siting, n, "tx_siting"),
        _int_param(rx_siting, n, "rx_siting"),
        _float_param(distance_km, n, "distance_km"),
        _float_param(delta_h_m, n, "delta_h_m"),
        _int_param(climate, n, "climate"),
        _float_param(n_0_n_units, n, "n_0_n_units"),
        _float_param(freq_mhz, n, "freq_mhz"),
        _int_param(polarization, n, "polarization"),
        _float_param(epsilon_r, n, "epsilon_r"),
        _float_param(sigma_s_per_m, n, "sigma_s_per_m"),
        _int_param(mdvar, n, "mdvar"),
        _float_param(time_pct, n, "time_pct"),
        _float_param(location_pct, n, "location_pct"),
        _float_param(situation_pct, n, "situation_pct"),
        *out,
    )
    return _batch_result(*out)


def itm_area_cr_batch(
    *,
    distance_km: npt.ArrayLike,
    delta_h_m: npt.ArrayLike,
    h_tx_m: npt.ArrayLike,
    h_rx_m: npt.ArrayLike,
    tx_siting: npt.ArrayLike,
    rx_siting: npt.ArrayLike,
    climate: npt.ArrayLike,
    n_0_n_units: npt.ArrayLike,
    freq_mhz: npt.ArrayLike,
    polarization: npt.ArrayLike,
    epsilon_r: npt.ArrayLike,
    sigma_s_per_m: npt.ArrayLike,
    mdvar: npt.ArrayLike,
    confidence_pct: npt.ArrayLike,
    reliability_pct: npt.ArrayLike,
) -> ItmBatchResult:
    """ITM area mode with confidence/reliability variability, batched.

    As NTIA's ``ITM_AREA_CR_Ex``: time = reliability, location = 50 %, situation =
    confidence, with the CR return codes. Parameters as in :func:`itm_area_tls_batch`.

    Returns
    -------
    ItmBatchResult
        Loss, return code, warning flags, mode and intermediate values per path.

    References
    ----------
    NTIA/itm v1.4 ``src/itm_area.cpp`` (``ITM_AREA_CR_Ex``).
    """
    result = itm_area_tls_batch(
        distance_km=distance_km,
        delta_h_m=delta_h_m,
        h_tx_m=h_tx_m,
        h_rx_m=h_rx_m,
        tx_siting=tx_siting,
        rx_siting=rx_siting,
        climate=climate,
        n_0_n_units=n_0_n_units,
        freq_mhz=freq_mhz,
        polarization=polarization,
        epsilon_r=epsilon_r,
        sigma_s_per_m=sigma_s_per_m,
        mdvar=mdvar,
        time_pct=reliability_pct,
        location_pct=50.0,
        situation_pct=confidence_pct,
    )
    _tls_to_cr_codes(result.return_code)
    return result


# ======================================================================================
# Scalar API


def _finish_scalar(batch: ItmBatchResult, inputs: Mapping[str, object]) -> ItmResult:
    """Raise for an error code, warn for warning flags, return the one result."""
    result = batch.result(0)
    code = int(result.return_code)
    if code >= 1000:
        field, range_key = _CODE_FIELD.get(code, ("", None))
        value = inputs.get(field)
        name = ItmReturnCode(code).name
        if range_key is not None:
            rng = PARAMETER_RANGES[range_key]
            where = "" if range_key == field else f" (ground {value!r})"
            detail = f"{range_key} = {inputs.get(range_key)!r}{where} is outside {rng.describe()}"
        elif code in (1016, 1021, 1022):
            detail = (
                f"the surface refractivity N_s = N_0 exp(-h_sys / 9460 m) from "
                f"n_0_n_units = {inputs.get('n_0_n_units')!r} and the path's mean elevation "
                "gives an effective earth or N_s outside ITM's range (N_s 150-400)"
            )
        elif code == 1013:
            detail = (
                f"ground {inputs.get('ground')!r} gives a ground impedance whose "
                "imaginary part exceeds its real part"
            )
        elif code == 1100:
            detail = (
                "the profile needs at least 2 finite elevations and a positive, finite spacing_m"
            )
        else:
            detail = f"invalid {field} {value!r}"
        msg = f"{detail} (NTIA ITM return code {code}, {name})"
        raise InputError(msg, field=field or None)
    if result.warnings:
        texts = "; ".join(
            _WARNING_TEXT[flag] for flag in ItmWarningFlag if flag and flag in result.warnings
        )
        msg = f"ITM warning flags 0x{int(result.warnings):04X}: {texts}"
        _warnings.warn(ItmWarning(msg, result.warnings), stacklevel=3)
    return result


def _scalar_profile(elevation_m: npt.ArrayLike, spacing_m: float) -> tuple[FloatArray, int]:
    try:
        z = np.asarray(elevation_m, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        msg = "must be a 1-D numeric array of elevations"
        raise InputError(msg, field="elevation_m") from exc
    if z.ndim != 1:
        msg = f"must be 1-D (one profile), got {z.ndim}-D"
        raise InputError(msg, field="elevation_m")
    if z.shape[0] < 2 or not np.all(np.isfinite(z)):
        msg = f"needs at least 2 finite elevations (got {z.shape[0]} points)"
        raise InputError(msg, field="elevation_m")
    if not (math.isfinite(spacing_m) and spacing_m > 0.0):
        msg = f"spacing_m = {spacing_m!r} must be a positive, finite distance in metres"
        raise InputError(msg, field="spacing_m")
    return z[np.newaxis, :], int(z.shape[0])


def itm_p2p_tls(
    *,
    elevation_m: npt.ArrayLike,
    spacing_m: float,
    h_tx_m: float,
    h_rx_m: float,
    climate: Climate | int | str,
    n_0_n_units: float,
    freq_mhz: float,
    polarization: Polarization | int | str,
    ground: str | GroundConstants,
    mdvar: ModeOfVariability | int,
    time_pct: float,
    location_pct: float,
    situation_pct: float,
) -> ItmResult:
    """ITM point-to-point loss of one link, time/location/situation variability.

    Parameters
    ----------
    elevation_m
        Terrain profile (m above sea level), equally spaced points from the
        transmitter to the receiver (at least 2).
    spacing_m
        Distance between profile points (m).
    h_tx_m, h_rx_m
        Structural antenna heights above ground (m), 0.5–3000.
    climate
        :class:`Climate`, its code (1–7) or name (``"continental temperate"``).
    n_0_n_units
        Surface refractivity reduced to sea level N_0 (N-units), 250–400 (301 is the
        customary mid-latitude value).
    freq_mhz
        Frequency (MHz), 20–20000.
    polarization
        :class:`Polarization`, its code or name (``"vertical"``).
    ground
        A name from :data:`GROUND_CONSTANTS` (``"average ground"``) or
        :class:`GroundConstants`.
    mdvar
        Mode of variability code, see :class:`ModeOfVariability` and
        :func:`mode_of_variability`.
    time_pct, location_pct, situation_pct
        Percentages in (0, 100): the loss is not exceeded for ``time_pct`` % of the
        time at ``location_pct`` % of locations in ``situation_pct`` % of situations.

    Returns
    -------
    ItmResult
        Loss, warnings, mode and NTIA's intermediate values.

    Raises
    ------
    InputError
        For any input NTIA rejects (its error codes ≥ 1000), naming the parameter.

    Warns
    -----
    ItmWarning
        When NTIA sets warning flags (also in ``ItmResult.warnings``).

    References
    ----------
    NTIA/itm v1.4 ``src/itm_p2p.cpp`` (``ITM_P2P_TLS_Ex``); [2].

    Examples
    --------
    >>> r = itm_p2p_tls(elevation_m=[100.0, 120.0, 90.0, 110.0, 100.0], spacing_m=500.0,
    ...                 h_tx_m=30.0, h_rx_m=10.0, climate="continental temperate",
    ...                 n_0_n_units=301.0, freq_mhz=900.0, polarization="vertical",
    ...                 ground="average ground", mdvar=ModeOfVariability.BROADCAST,
    ...                 time_pct=50.0, location_pct=50.0, situation_pct=50.0)
    >>> r.mode.name, round(r.loss_db, 1)
    ('LINE_OF_SIGHT', 102.9)
    """
    z, npts = _scalar_profile(elevation_m, spacing_m)
    g = _ground(ground)
    cl = _coerce_enum(climate, Climate, "climate")
    pol = _coerce_enum(polarization, Polarization, "polarization")
    code = _mdvar_code(mdvar)
    batch = itm_p2p_tls_batch(
        elevation_m=z,
        n_points=npts,
        spacing_m=spacing_m,
        h_tx_m=h_tx_m,
        h_rx_m=h_rx_m,
        climate=int(cl),
        n_0_n_units=n_0_n_units,
        freq_mhz=freq_mhz,
        polarization=int(pol),
        epsilon_r=g.epsilon_r,
        sigma_s_per_m=g.sigma_s_per_m,
        mdvar=code,
        time_pct=time_pct,
        location_pct=location_pct,
        situation_pct=situation_pct,
    )
    return _finish_scalar(batch, _inputs(locals(), g))


def itm_p2p_cr(
    *,
    elevation_m: npt.ArrayLike,
    spacing_m: float,
    h_tx_m: float,
    h_rx_m: float,
    climate: Climate | int | str,
    n_0_n_units: float,
    freq_mhz: float,
    polarization: Polarization | int | str,
    ground: str | GroundConstants,
    mdvar: ModeOfVariability | int,
    confidence_pct: float,
    reliability_pct: float,
) -> ItmResult:
    """ITM point-to-point loss of one link, confidence/reliability variability.

    The loss not exceeded for ``reliability_pct`` % of the time, with
    ``confidence_pct`` % confidence (NTIA ``ITM_P2P_CR_Ex``: time = reliability,
    location = 50 %, situation = confidence). Other parameters as in
    :func:`itm_p2p_tls`.

    Returns
    -------
    ItmResult
        Loss, warnings, mode and NTIA's intermediate values.

    Raises
    ------
    InputError
        For any input NTIA rejects, naming the parameter.

    Warns
    -----
    ItmWarning
        When NTIA sets warning flags.

    References
    ----------
    NTIA/itm v1.4 ``src/itm_p2p.cpp`` (``ITM_P2P_CR_Ex``).
    """
    z, npts = _scalar_profile(elevation_m, spacing_m)
    g = _ground(ground)
    cl = _coerce_enum(climate, Climate, "climate")
    pol = _coerce_enum(polarization, Polarization, "polarization")
    code = _mdvar_code(mdvar)
    batch = itm_p2p_cr_batch(
        elevation_m=z,
        n_points=npts,
        spacing_m=spacing_m,
        h_tx_m=h_tx_m,
        h_rx_m=h_rx_m,
        climate=int(cl),
        n_0_n_units=n_0_n_units,
        freq_mhz=freq_mhz,
        polarization=int(pol),
        epsilon_r=g.epsilon_r,
        sigma_s_per_m=g.sigma_s_per_m,
        mdvar=code,
        confidence_pct=confidence_pct,
        reliability_pct=reliability_pct,
    )
    return _finish_scalar(batch, _inputs(locals(), g))


def itm_area_tls(
    *,
    distance_km: float,
    delta_h_m: float,
    h_tx_m: float,
    h_rx_m: float,
    tx_siting: SitingCriteria | int | str,
    rx_siting: SitingCriteria | int | str,
    climate: Climate | int | str,
    n_0_n_units: float,
    freq_mhz: float,
    polarization: Polarization | int | str,
    ground: str | GroundConstants,
    mdvar: ModeOfVariability | int,
    time_pct: float,
    location_pct: float,
    situation_pct: float,
) -> ItmResult:
    """ITM area-mode loss of one link, time/location/situation variability.

    Parameters
    ----------
    distance_km
        Path distance (km, > 0).
    delta_h_m
        Terrain irregularity parameter Δh (m, ≥ 0).
    tx_siting, rx_siting
        :class:`SitingCriteria`, its code or name (``"careful"``).
    h_tx_m, h_rx_m, climate, n_0_n_units, freq_mhz, polarization, ground, mdvar, \
time_pct, location_pct, situation_pct
        As in :func:`itm_p2p_tls`.

    Returns
    -------
    ItmResult
        Loss, warnings, mode and NTIA's intermediate values.

    Raises
    ------
    InputError
        For any input NTIA rejects, naming the parameter.

    Warns
    -----
    ItmWarning
        When NTIA sets warning flags.

    References
    ----------
    NTIA/itm v1.4 ``src/itm_area.cpp`` (``ITM_AREA_TLS_Ex``); [3].
    """
    g = _ground(ground)
    tx = _coerce_enum(tx_siting, SitingCriteria, "tx_siting")
    rx = _coerce_enum(rx_siting, SitingCriteria, "rx_siting")
    cl = _coerce_enum(climate, Climate, "climate")
    pol = _coerce_enum(polarization, Polarization, "polarization")
    code = _mdvar_code(mdvar)
    batch = itm_area_tls_batch(
        distance_km=distance_km,
        delta_h_m=delta_h_m,
        h_tx_m=h_tx_m,
        h_rx_m=h_rx_m,
        tx_siting=int(tx),
        rx_siting=int(rx),
        climate=int(cl),
        n_0_n_units=n_0_n_units,
        freq_mhz=freq_mhz,
        polarization=int(pol),
        epsilon_r=g.epsilon_r,
        sigma_s_per_m=g.sigma_s_per_m,
        mdvar=code,
        time_pct=time_pct,
        location_pct=location_pct,
        situation_pct=situation_pct,
    )
    return _finish_scalar(batch, _inputs(locals(), g))


def itm_area_cr(
    *,
    distance_km: float,
    delta_h_m: float,
    h_tx_m: float,
    h_rx_m: float,
    tx_siting: SitingCriteria | int | str,
    rx_siting: SitingCriteria | int | str,
    climate: Climate | int | str,
    n_0_n_units: float,
    freq_mhz: float,
    polarization: Polarization | int | str,
    ground: str | GroundConstants,
    mdvar: ModeOfVariability | int,
    confidence_pct: float,
    reliability_pct: float,
) -> ItmResult:
    """ITM area-mode loss of one link, confidence/reliability variability.

    NTIA ``ITM_AREA_CR_Ex``. Parameters as in :func:`itm_area_tls`, with
    ``confidence_pct`` and ``reliability_pct`` in (0, 100).

    Returns
    -------
    ItmResult
        Loss, warnings, mode and NTIA's intermediate values.

    Raises
    ------
    InputError
        For any input NTIA rejects, naming the parameter.

    Warns
    -----
    ItmWarning
        When NTIA sets warning flags.

    References
    ----------
    NTIA/itm v1.4 ``src/itm_area.cpp`` (``ITM_AREA_CR_Ex``); [3].
    """
    g = _ground(ground)
    tx = _coerce_enum(tx_siting, SitingCriteria, "tx_siting")
    rx = _coerce_enum(rx_siting, SitingCriteria, "rx_siting")
    cl = _coerce_enum(climate, Climate, "climate")
    pol = _coerce_enum(polarization, Polarization, "polarization")
    code = _mdvar_code(mdvar)
    batch = itm_area_cr_batch(
        distance_km=distance_km,
        delta_h_m=delta_h_m,
        h_tx_m=h_tx_m,
        h_rx_m=h_rx_m,
        tx_siting=int(tx),
        rx_siting=int(rx),
        climate=int(cl),
        n_0_n_units=n_0_n_units,
        freq_mhz=freq_mhz,
        polarization=int(pol),
        epsilon_r=g.epsilon_r,
        sigma_s_per_m=g.sigma_s_per_m,
        mdvar=code,
        confidence_pct=confidence_pct,
        reliability_pct=reliability_pct,
    )
    return _finish_scalar(batch, _inputs(locals(), g))


def _inputs(scope: Mapping[str, object], ground: GroundConstants) -> dict[str, object]:
    """The caller's arguments by name, for error messages (``ground`` resolved)."""
    names = {*PARAMETER_RANGES, "climate", "polarization", "mdvar", "tx_siting", "rx_siting"}
    out = {k: v for k, v in scope.items() if k in names}
    out["ground"] = scope.get("ground")
    out["epsilon_r"] = ground.epsilon_r
    out["sigma_s_per_m"] = ground.sigma_s_per_m
    return out
