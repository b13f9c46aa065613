"""SINR to spectral efficiency and cell throughput (LTE).

Two mappings, chosen by name from :data:`THROUGHPUT_METHODS`:

``"tr36942"`` (default)
    The attenuated, truncated Shannon bound of 3GPP TR 36.942 Annex A (downlink:
    α = 0.6, SINR_MIN = -10 dB, Thr_MAX = 4.4 bps/Hz).
``"cqi"``
    The 4-bit CQI table of 3GPP TS 36.213 V15 Table 7.2.3-1 (efficiencies
    0.1523 … 5.5547 bits per resource element), entered through SINR thresholds that
    are *not* normative (see :data:`CQI_SINR_THRESHOLDS_DB`).

Pure functions, arrays in and arrays out; a scalar in gives a ``float`` out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from alcance._arrays import ranged
from alcance._arrays import scalar_or_array as _out
from alcance.errors import InputError


def _ranged(
    name: str, value: npt.ArrayLike, lo: float, hi: float, *, nan_ok: bool = True
) -> NDArray[np.float64]:
    """:func:`alcance._arrays.ranged` with NaN (padding / no candidate) passed through."""
    return ranged(name, value, lo, hi, nan_ok=nan_ok)


__all__ = [
    "CQI_SINR_THRESHOLDS_DB",
    "CQI_TABLE",
    "THROUGHPUT_METHODS",
    "TR36942_ALPHA",
    "TR36942_SINR_MIN_DB",
    "TR36942_THR_MAX_BPS_PER_HZ",
    "CqiEntry",
    "ThroughputMethod",
    "cell_throughput_mbps",
    "cqi_from_sinr",
    "per_user_mbps",
    "spectral_efficiency_bps_per_hz",
]

#: Attenuation factor α of the downlink truncated Shannon bound, TR 36.942 Annex A.
TR36942_ALPHA = 0.6
#: Minimum SINR of the downlink mapping (dB); below it the throughput is 0.
TR36942_SINR_MIN_DB = -10.0
#: Maximum downlink spectral efficiency (bps/Hz), reached at SINR_MAX ≈ 22 dB.
TR36942_THR_MAX_BPS_PER_HZ = 4.4


@dataclass(frozen=True)
class CqiEntry:
    """One row of TS 36.213 Table 7.2.3-1."""

    cqi: int
    modulation: str
    code_rate_x1024: int
    efficiency_bits_per_re: float


#: 3GPP TS 36.213 V15 Table 7.2.3-1, 4-bit CQI table (CQI 0 = out of range).
CQI_TABLE: tuple[CqiEntry, ...] = (
    CqiEntry(1, "QPSK", 78, 0.1523),
    CqiEntry(2, "QPSK", 120, 0.2344),
    CqiEntry(3, "QPSK", 193, 0.3770),
    CqiEntry(4, "QPSK", 308, 0.6016),
    CqiEntry(5, "QPSK", 449, 0.8770),
    CqiEntry(6, "QPSK", 602, 1.1758),
    CqiEntry(7, "16QAM", 378, 1.4766),
    CqiEntry(8, "16QAM", 490, 1.9141),
    CqiEntry(9, "16QAM", 616, 2.4063),
    CqiEntry(10, "64QAM", 466, 2.7305),
    CqiEntry(11, "64QAM", 567, 3.3223),
    CqiEntry(12, "64QAM", 666, 3.9023),
    CqiEntry(13, "64QAM", 772, 4.5234),
    CqiEntry(14, "64QAM", 873, 5.1152),
    CqiEntry(15, "64QAM", 948, 5.5547),
)

#: Lowest SINR (dB) at which CQI 1…15 is reported: the widely used AWGN, single-antenna,
#: 10 % BLER switching points quoted in public LTE simulators. They are NOT from a 3GPP
#: specification (3GPP defines CQI by a 10 % BLER target, TS 36.213 §7.2.3, and leaves
#: the SINR to the receiver); treat them as indicative and prefer ``"tr36942"``.
CQI_SINR_THRESHOLDS_DB: tuple[float, ...] = (
    -6.7,
    -4.7,
    -2.3,
    0.2,
    2.4,
    4.3,
    5.9,
    8.1,
    10.3,
    11.7,
    14.1,
    16.3,
    18.7,
    21.0,
    22.7,
)

_CQI_EFFICIENCY = np.array([0.0] + [e.efficiency_bits_per_re for e in CQI_TABLE])
_CQI_THRESHOLDS = np.array(CQI_SINR_THRESHOLDS_DB)


def _efficiency_tr36942(sinr_db: NDArray[np.float64]) -> NDArray[np.float64]:
    shannon = np.log2(1.0 + 10.0 ** (sinr_db / 10.0))
    thr = np.minimum(TR36942_ALPHA * shannon, TR36942_THR_MAX_BPS_PER_HZ)
    return np.asarray(np.where(sinr_db < TR36942_SINR_MIN_DB, 0.0, thr), dtype=np.float64)


def _cqi_index(sinr_db: NDArray[np.float64]) -> NDArray[np.int64]:
    # number of thresholds at or below the SINR = highest CQI whose threshold is met
    return np.asarray(np.searchsorted(_CQI_THRESHOLDS, sinr_db, side="right"), dtype=np.int64)


def _efficiency_cqi(sinr_db: NDArray[np.float64]) -> NDArray[np.float64]:
    eff = _CQI_EFFICIENCY[_cqi_index(sinr_db)]
    return np.asarray(np.where(np.isnan(sinr_db), np.nan, eff), dtype=np.float64)


@dataclass(frozen=True)
class ThroughputMethod:
    """A named SINR → spectral-efficiency mapping."""

    function: Callable[[NDArray[np.float64]], NDArray[np.float64]]
    reference: str


#: Methods selectable by name; this table drives dispatch and the error message.
THROUGHPUT_METHODS: dict[str, ThroughputMethod] = {
    "tr36942": ThroughputMethod(
        _efficiency_tr36942,
        "3GPP TR 36.942 Annex A, attenuated truncated Shannon bound "
        "(downlink α 0.6, SINR_MIN -10 dB, Thr_MAX 4.4 bps/Hz)",
    ),
    "cqi": ThroughputMethod(
        _efficiency_cqi,
        "3GPP TS 36.213 V15 Table 7.2.3-1 efficiencies, non-normative 10 % BLER "
        "AWGN SINR thresholds",
    ),
}


def _method(name: str) -> ThroughputMethod:
    try:
        return THROUGHPUT_METHODS[name]
    except KeyError:
        known = ", ".join(repr(k) for k in THROUGHPUT_METHODS)
        msg = f"unknown throughput method {name!r}; expected one of {known}"
        raise InputError(msg, field="method") from None


def cqi_from_sinr(*, sinr_db: npt.ArrayLike) -> NDArray[np.int64]:
    """Wideband CQI (0…15) for an SINR, from :data:`CQI_SINR_THRESHOLDS_DB`.

    Parameters
    ----------
    sinr_db
        SINR (dB), -300..300; ``NaN`` gives CQI 0.

    Returns
    -------
    numpy.ndarray
        CQI index (int64), 0 meaning out of range (below -6.7 dB).

    References
    ----------
    3GPP TS 36.213 V15 Table 7.2.3-1 (indices); thresholds non-normative (see module).
    """
    s = _ranged("sinr_db", sinr_db, -300.0, 300.0)
    cqi = _cqi_index(np.where(np.isnan(s), -np.inf, s))
    return np.asarray(cqi, dtype=np.int64)


def spectral_efficiency_bps_per_hz(
    *, sinr_db: npt.ArrayLike, method: str = "tr36942"
) -> float | NDArray[np.float64]:
    """Link spectral efficiency for an SINR (bps/Hz).

    Parameters
    ----------
    sinr_db
        SINR (dB), -300..300; ``NaN`` propagates.
    method
        ``"tr36942"`` (default) or ``"cqi"``, see :data:`THROUGHPUT_METHODS`.

    Returns
    -------
    float or numpy.ndarray
        Spectral efficiency (bps/Hz), non-decreasing in SINR.

    Raises
    ------
    InputError
        Unknown ``method`` or SINR out of range.

    Notes
    -----
    ``"tr36942"``::

        Thr = 0                         SINR < SINR_MIN
        Thr = α log2(1 + SINR)          SINR_MIN ≤ SINR < SINR_MAX
        Thr = Thr_MAX                   SINR ≥ SINR_MAX

    with SINR_MAX = 10 log10(2^(Thr_MAX/α) - 1) ≈ 22.05 dB, where the two branches
    meet (computed as ``min(α S, Thr_MAX)``). ``"cqi"``: the efficiency of the highest
    CQI whose threshold is met, 0 below CQI 1.

    References
    ----------
    3GPP TR 36.942 Annex A (Table A.2 values, downlink); 3GPP TS 36.213 V15
    Table 7.2.3-1.
    """
    fn = _method(method).function
    s = _ranged("sinr_db", sinr_db, -300.0, 300.0)
    return _out(fn(s), sinr_db)


def cell_throughput_mbps(
    *,
    sinr_db: npt.ArrayLike,
    bandwidth_mhz: npt.ArrayLike,
    method: str = "tr36942",
    overhead_fraction: float = 0.25,
    mimo_layers: int = 1,
) -> float | NDArray[np.float64]:
    """Downlink throughput a whole cell delivers to one location (Mbit/s).

    Parameters
    ----------
    sinr_db
        SINR at the location (dB).
    bandwidth_mhz
        Channel bandwidth (MHz), > 0.
    method
        ``"tr36942"`` (default) or ``"cqi"``.
    overhead_fraction
        Share of the channel not carrying user data (0 ≤ x < 1). Default 0.25, an
        Alcance assumption for LTE: 10 % guard band (100 RB x 180 kHz = 18 of 20 MHz,
        TS 36.101 Table 5.6-1) plus ≈ 15 % for PDCCH (1–3 of 14 OFDM symbols),
        cell-specific reference signals, synchronisation and PBCH (TS 36.211).
    mimo_layers
        Spatial layers (1…8); throughput scales linearly, an upper bound that holds
        only at high SINR with uncorrelated antennas.

    Returns
    -------
    float or numpy.ndarray
        ``T = η(SINR) · B · (1 - overhead) · layers`` (Mbit/s).

    Raises
    ------
    InputError
        Unknown ``method`` or a parameter out of range (names the parameter).

    References
    ----------
    3GPP TR 36.942 Annex A; 3GPP TS 36.213 V15 Table 7.2.3-1.
    """
    eff = np.asarray(spectral_efficiency_bps_per_hz(sinr_db=sinr_db, method=method))
    bw = _ranged("bandwidth_mhz", bandwidth_mhz, 1e-6, 1e4, nan_ok=False)
    ovh = float(_ranged("overhead_fraction", overhead_fraction, 0.0, 0.999, nan_ok=False))
    layers = _ranged("mimo_layers", mimo_layers, 1.0, 8.0, nan_ok=False)
    if float(layers) != int(layers):
        msg = f"mimo_layers must be a whole number, got {mimo_layers!r}"
        raise InputError(msg, field="mimo_layers")
    result = eff * bw * (1.0 - ovh) * float(layers)
    return _out(np.asarray(result, dtype=np.float64), sinr_db, bandwidth_mhz)


def per_user_mbps(*, cell_mbps: npt.ArrayLike, users: npt.ArrayLike) -> float | NDArray[np.float64]:
    """Equal share of a cell's throughput among its simultaneously active users.

    Parameters
    ----------
    cell_mbps
        Throughput the cell would give one user alone (Mbit/s, ≥ 0).
    users
        Simultaneously active users sharing the cell (≥ 1; fractional averages allowed).

    Returns
    -------
    float or numpy.ndarray
        ``cell_mbps / users`` (Mbit/s): round-robin / proportional-fair sharing of
        time-frequency resources with equal radio conditions.

    Raises
    ------
    InputError
        Negative throughput or fewer than one user (names the parameter).
    """
    c = _ranged("cell_mbps", cell_mbps, 0.0, 1e6)
    u = _ranged("users", users, 1.0, 1e9)
    return _out(np.asarray(c / u, dtype=np.float64), cell_mbps, users)
