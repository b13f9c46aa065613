"""DVB-S2 MODCODs: required Es/N0 and spectral efficiency, and ACM selection.

Pure functions, arrays in and arrays out (NumPy broadcasting); a scalar in gives a
scalar out.

Source of the table
-------------------
ETSI EN 302 307-1 V1.4.1 (2014-11), "Digital Video Broadcasting (DVB); Second
generation framing structure, channel coding and modulation systems for Broadcasting,
Interactive Services, News Gathering and other broadband satellite applications;
Part 1: DVB-S2", Table 13: ideal Es/N0 (dB) for quasi-error-free operation
(PER = 1e-7, 188-byte packets), AWGN channel, normal FECFRAME (64 800 bits), 50 LDPC
iterations, perfect carrier and synchronisation recovery, no phase noise; spectral
efficiency in bit per symbol.

Verification: all 28 (Es/N0, spectral efficiency) pairs below were checked against three
independent public transcriptions of Table 13 found in public code, which agree with
each other to every printed digit, and the spectral efficiencies against a fourth
(an operator's MODCOD list). The spectral efficiencies are also re-derived here from
first principles (:func:`frame_spectral_efficiency_bit_per_symbol` with ``K_bch`` from
EN 302 307-1 Table 5a, the 80-bit BBHEADER of §5.1.6 and the 90-symbol PLHEADER of
§5.5.2); the tests check that derivation against every row to 1e-6.

Table 13 efficiencies therefore *include* the BBHEADER and PLHEADER overhead and
assume **no pilots**. With ``pilots=True`` the efficiency is recomputed with one
36-symbol pilot block after every 16 slots of 90 symbols (§5.5.3).

DVB-S2X (EN 302 307-2) additions are not included: only one public transcription could
be found, which is not enough to verify them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from alcance._arrays import ranged
from alcance.errors import InputError

__all__ = [
    "DVB_S2_MODCODS",
    "Modcod",
    "best_modcod",
    "frame_spectral_efficiency_bit_per_symbol",
    "required_es_over_n0_db",
    "spectral_efficiency_bit_per_symbol",
]

#: Normal FECFRAME length n_ldpc (bits), EN 302 307-1 §5.3.
NORMAL_FECFRAME_BITS = 64_800
#: BBHEADER length (bits), EN 302 307-1 §5.1.6.
BBHEADER_BITS = 80
#: PLHEADER length (symbols, one slot), EN 302 307-1 §5.5.2.
PLHEADER_SYMBOLS = 90
#: Slot length (symbols), EN 302 307-1 §5.5.
SLOT_SYMBOLS = 90
#: Pilot block length (symbols) and spacing (slots), EN 302 307-1 §5.5.3.
PILOT_BLOCK_SYMBOLS = 36
PILOT_SPACING_SLOTS = 16


class Modcod(NamedTuple):
    """One DVB-S2 MODCOD (EN 302 307-1 Table 13, normal FECFRAME)."""

    name: str
    """E.g. ``"8PSK 3/4"``."""
    bits_per_symbol: int
    """Modulation order: 2 (QPSK), 3 (8PSK), 4 (16APSK), 5 (32APSK)."""
    code_rate: float
    """LDPC code rate (nominal)."""
    k_bch: int
    """Uncoded BCH block length K_bch (bits), EN 302 307-1 Table 5a."""
    spectral_efficiency_bit_per_symbol: float
    """Table 13 spectral efficiency (bit/symbol), BB and PL headers included, no pilots."""
    es_over_n0_db: float
    """Table 13 ideal Es/N0 (dB) for PER = 1e-7 on AWGN."""


_BITS = {"QPSK": 2, "8PSK": 3, "16APSK": 4, "32APSK": 5}
_K_BCH = {
    "1/4": 16_008,
    "1/3": 21_408,
    "2/5": 25_728,
    "1/2": 32_208,
    "3/5": 38_688,
    "2/3": 43_040,
    "3/4": 48_408,
    "4/5": 51_648,
    "5/6": 53_840,
    "8/9": 57_472,
    "9/10": 58_192,
}


def _m(modulation: str, rate: str, efficiency: float, es_n0_db: float) -> Modcod:
    num, den = rate.split("/")
    return Modcod(
        name=f"{modulation} {rate}",
        bits_per_symbol=_BITS[modulation],
        code_rate=int(num) / int(den),
        k_bch=_K_BCH[rate],
        spectral_efficiency_bit_per_symbol=efficiency,
        es_over_n0_db=es_n0_db,
    )


#: EN 302 307-1 V1.4.1 Table 13, in the order of the table.
DVB_S2_MODCODS: tuple[Modcod, ...] = (
    _m("QPSK", "1/4", 0.490243, -2.35),
    _m("QPSK", "1/3", 0.656448, -1.24),
    _m("QPSK", "2/5", 0.789412, -0.30),
    _m("QPSK", "1/2", 0.988858, 1.00),
    _m("QPSK", "3/5", 1.188304, 2.23),
    _m("QPSK", "2/3", 1.322253, 3.10),
    _m("QPSK", "3/4", 1.487473, 4.03),
    _m("QPSK", "4/5", 1.587196, 4.68),
    _m("QPSK", "5/6", 1.654663, 5.18),
    _m("QPSK", "8/9", 1.766451, 6.20),
    _m("QPSK", "9/10", 1.788612, 6.42),
    _m("8PSK", "3/5", 1.779991, 5.50),
    _m("8PSK", "2/3", 1.980636, 6.62),
    _m("8PSK", "3/4", 2.228124, 7.91),
    _m("8PSK", "5/6", 2.478562, 9.35),
    _m("8PSK", "8/9", 2.646012, 10.69),
    _m("8PSK", "9/10", 2.679207, 10.98),
    _m("16APSK", "2/3", 2.637201, 8.97),
    _m("16APSK", "3/4", 2.966728, 10.21),
    _m("16APSK", "4/5", 3.165623, 11.03),
    _m("16APSK", "5/6", 3.300184, 11.61),
    _m("16APSK", "8/9", 3.523143, 12.89),
    _m("16APSK", "9/10", 3.567342, 13.13),
    _m("32APSK", "3/4", 3.703295, 12.73),
    _m("32APSK", "4/5", 3.951571, 13.64),
    _m("32APSK", "5/6", 4.119540, 14.28),
    _m("32APSK", "8/9", 4.397854, 15.69),
    _m("32APSK", "9/10", 4.453027, 16.05),
)

_ES_N0_DB = np.array([m.es_over_n0_db for m in DVB_S2_MODCODS], dtype=np.float64)
_ES_N0_DB.flags.writeable = False


def frame_spectral_efficiency_bit_per_symbol(modcod: Modcod, *, pilots: bool = False) -> float:
    """Spectral efficiency of a normal PLFRAME, derived from the frame structure.

    Parameters
    ----------
    modcod
        A row of :data:`DVB_S2_MODCODS`.
    pilots
        Whether pilot blocks are inserted (EN 302 307-1 §5.5.3).

    Returns
    -------
    float
        User bits per transmitted symbol (bit/symbol).

    Notes
    -----
    eta = (K_bch - 80) / (90 S + 90 + 36 P), with S = 64800 / (90 m) slots for m bits per
    symbol and P = floor((S - 1) / 16) pilot blocks (P = 0 without pilots). Without
    pilots this reproduces EN 302 307-1 Table 13 to its six printed decimals.

    References
    ----------
    ETSI EN 302 307-1 V1.4.1 §5.1.6 (BBHEADER), Table 5a (K_bch), §5.5.2 (PLHEADER),
    §5.5.3 (pilots), Table 13.
    """
    slots = NORMAL_FECFRAME_BITS // (SLOT_SYMBOLS * modcod.bits_per_symbol)
    n_pilot_blocks = (slots - 1) // PILOT_SPACING_SLOTS if pilots else 0
    symbols = slots * SLOT_SYMBOLS + PLHEADER_SYMBOLS + n_pilot_blocks * PILOT_BLOCK_SYMBOLS
    return (modcod.k_bch - BBHEADER_BITS) / symbols


_EFF_NO_PILOTS = np.array(
    [m.spectral_efficiency_bit_per_symbol for m in DVB_S2_MODCODS], dtype=np.float64
)
_EFF_PILOTS = np.array(
    [frame_spectral_efficiency_bit_per_symbol(m, pilots=True) for m in DVB_S2_MODCODS],
    dtype=np.float64,
)
_EFF_NO_PILOTS.flags.writeable = False
_EFF_PILOTS.flags.writeable = False


def best_modcod(
    *, es_over_n0_db: npt.ArrayLike, implementation_margin_db: float = 0.0
) -> int | NDArray[np.int64]:
    """Index in :data:`DVB_S2_MODCODS` of the most efficient MODCOD that closes the link.

    Parameters
    ----------
    es_over_n0_db
        Available Es/N0 at the demodulator (dB), in [-50, 100]; NaN gives -1.
    implementation_margin_db
        Margin added to every Table 13 threshold (dB), in [0, 20]: modem implementation
        loss, non-linearity and phase noise (Table 13 values are ideal).

    Returns
    -------
    int or numpy.ndarray of int64
        Index of the MODCOD with the highest spectral efficiency among those with
        ``es_over_n0_db(table) + implementation_margin_db <= es_over_n0_db``;
        -1 where none qualifies.

    Raises
    ------
    InputError
        If an argument is outside its range; the error names it.

    References
    ----------
    ETSI EN 302 307-1 V1.4.1 Table 13.
    """
    esn0 = ranged("es_over_n0_db", es_over_n0_db, -50.0, 100.0, nan_ok=True)
    margin = float(ranged("implementation_margin_db", implementation_margin_db, 0.0, 20.0))
    ok = (_ES_N0_DB + margin) <= esn0[..., np.newaxis]
    eff = np.where(ok, _EFF_NO_PILOTS, -np.inf)
    idx = np.argmax(eff, axis=-1).astype(np.int64)
    idx = np.where(ok.any(axis=-1), idx, np.int64(-1))
    if np.ndim(es_over_n0_db) == 0:
        return int(idx)
    return idx


def _checked_index(modcod_index: npt.ArrayLike) -> NDArray[np.int64]:
    raw = np.asarray(modcod_index)
    if not np.issubdtype(raw.dtype, np.integer):
        msg = f"modcod_index must be integers, got dtype {raw.dtype}"
        raise InputError(msg, field="modcod_index")
    idx = raw.astype(np.int64)
    bad = (idx < -1) | (idx >= len(DVB_S2_MODCODS))
    if np.any(bad):
        msg = f"modcod_index must be within [-1, {len(DVB_S2_MODCODS) - 1}], got {idx[bad].flat[0]}"
        raise InputError(msg, field="modcod_index")
    return idx


def spectral_efficiency_bit_per_symbol(
    *, modcod_index: npt.ArrayLike, pilots: bool = False
) -> float | NDArray[np.float64]:
    """Spectral efficiency of MODCODs by index; 0 for index -1 (link closed).

    Parameters
    ----------
    modcod_index
        Indices into :data:`DVB_S2_MODCODS` (as returned by :func:`best_modcod`), or -1.
    pilots
        ``False``: EN 302 307-1 Table 13 values (BB and PL headers included, no
        pilots). ``True``: recomputed with pilot blocks
        (:func:`frame_spectral_efficiency_bit_per_symbol`).

    Returns
    -------
    float or numpy.ndarray
        Spectral efficiency (bit/symbol).

    Raises
    ------
    InputError
        If an index is not an integer in [-1, 27]; the error names ``modcod_index``.

    References
    ----------
    ETSI EN 302 307-1 V1.4.1 Table 13 and §5.5.3.
    """
    idx = _checked_index(modcod_index)
    table = _EFF_PILOTS if pilots else _EFF_NO_PILOTS
    out = np.where(idx >= 0, table[np.maximum(idx, 0)], 0.0)
    if np.ndim(modcod_index) == 0:
        return float(out)
    return out


def required_es_over_n0_db(*, modcod_index: npt.ArrayLike) -> float | NDArray[np.float64]:
    """Ideal required Es/N0 (dB) of MODCODs by index; NaN for index -1.

    Parameters
    ----------
    modcod_index
        Indices into :data:`DVB_S2_MODCODS`, or -1.

    Returns
    -------
    float or numpy.ndarray
        EN 302 307-1 Table 13 Es/N0 (dB) at PER = 1e-7, AWGN.

    Raises
    ------
    InputError
        If an index is not an integer in [-1, 27]; the error names ``modcod_index``.
    """
    idx = _checked_index(modcod_index)
    out = np.where(idx >= 0, _ES_N0_DB[np.maximum(idx, 0)], np.nan)
    if np.ndim(modcod_index) == 0:
        return float(out)
    return out
