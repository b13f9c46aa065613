"""LTE link budget: received power, RSRP, thermal noise, SINR and best server.

Pure functions, arrays in and arrays out (NumPy broadcasting over many tower–school
pairs); a scalar in gives a ``float`` out. Powers are dBm, gains dBi, losses positive
dB. Interference is summed in milliwatts.

References
----------
3GPP TS 36.101 V15 §5.6 Table 5.6-1 (transmission bandwidth configuration N_RB) and
§6.2.2 Table 6.2.2-1 (UE power class 3, 23 dBm).
3GPP TS 36.214 V15 §5.1.1 (RSRP: linear average over the resource elements that carry
cell-specific reference signals).
"""

from __future__ import annotations

from typing import NamedTuple

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
    "RESOURCE_BLOCKS_BY_BANDWIDTH_MHZ",
    "RESOURCE_BLOCK_BANDWIDTH_MHZ",
    "THERMAL_NOISE_DENSITY_DBM_PER_HZ",
    "UE_POWER_CLASS_3_DBM",
    "BestServer",
    "best_server",
    "eirp_dbm",
    "received_power_dbm",
    "resource_blocks",
    "rsrp_dbm",
    "sinr_db",
    "thermal_noise_dbm",
    "uplink_snr_db",
]

#: N_RB per LTE channel bandwidth (MHz), 3GPP TS 36.101 V15 Table 5.6-1.
RESOURCE_BLOCKS_BY_BANDWIDTH_MHZ: dict[float, int] = {
    1.4: 6,
    3.0: 15,
    5.0: 25,
    10.0: 50,
    15.0: 75,
    20.0: 100,
}
#: Bandwidth of one resource block, 12 subcarriers x 15 kHz (MHz), TS 36.211 Table 6.2.3-1.
RESOURCE_BLOCK_BANDWIDTH_MHZ = 0.18
#: Thermal noise density kT at T0 = 290 K, rounded as link budgets write it (dBm/Hz).
THERMAL_NOISE_DENSITY_DBM_PER_HZ = -174.0
#: Maximum output power of a power-class-3 UE (dBm), TS 36.101 V15 Table 6.2.2-1.
UE_POWER_CLASS_3_DBM = 23.0

_SUBCARRIERS_PER_RB = 12


def _mw(dbm: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(10.0 ** (dbm / 10.0), dtype=np.float64)


def _dbm(mw: NDArray[np.float64]) -> NDArray[np.float64]:
    with np.errstate(divide="ignore"):
        return np.asarray(10.0 * np.log10(mw), dtype=np.float64)


def eirp_dbm(
    *, tx_power_dbm: npt.ArrayLike, max_gain_dbi: npt.ArrayLike, tx_losses_db: npt.ArrayLike = 0.0
) -> float | NDArray[np.float64]:
    """EIRP along boresight: ``P_tx + G_max - L_tx`` (dBm).

    Parameters
    ----------
    tx_power_dbm
        Total transmitter output power at the antenna port of one cell (dBm).
    max_gain_dbi
        Antenna boresight gain (dBi).
    tx_losses_db
        Feeder, connector and jumper losses (dB, ≥ 0).

    Returns
    -------
    float or numpy.ndarray
        EIRP (dBm).
    """
    p = _ranged("tx_power_dbm", tx_power_dbm, -50.0, 90.0)
    g = _ranged("max_gain_dbi", max_gain_dbi, -10.0, 40.0)
    loss = _ranged("tx_losses_db", tx_losses_db, 0.0, 100.0)
    return _out(np.asarray(p + g - loss), tx_power_dbm, max_gain_dbi, tx_losses_db)


def received_power_dbm(
    *,
    eirp_dbm: npt.ArrayLike,
    path_loss_db: npt.ArrayLike,
    tx_antenna_gain_rel_db: npt.ArrayLike = 0.0,
    rx_gain_dbi: npt.ArrayLike = 0.0,
    rx_losses_db: npt.ArrayLike = 0.0,
) -> float | NDArray[np.float64]:
    """Received power over the whole channel (dBm).

    Parameters
    ----------
    eirp_dbm
        Boresight EIRP of the cell, total over its bandwidth (dBm).
    path_loss_db
        Basic transmission loss between isotropic antennas (dB), e.g. ITM or P.526.
    tx_antenna_gain_rel_db
        Pattern attenuation towards the receiver relative to the boresight gain
        (dB, ≤ 0), e.g. :func:`alcance.radio.antenna.pattern_attenuation_db`.
    rx_gain_dbi
        Receive (CPE) antenna gain towards the tower (dBi).
    rx_losses_db
        Receive cable, body and building-penetration losses (dB, ≥ 0).

    Returns
    -------
    float or numpy.ndarray
        ``P_rx = EIRP + A_tx - L_path + G_rx - L_rx`` (dBm).

    Raises
    ------
    InputError
        A parameter out of range (names the parameter).
    """
    e = _ranged("eirp_dbm", eirp_dbm, -50.0, 120.0)
    pl = _ranged("path_loss_db", path_loss_db, 0.0, 400.0)
    a = _ranged("tx_antenna_gain_rel_db", tx_antenna_gain_rel_db, -100.0, 0.0)
    g = _ranged("rx_gain_dbi", rx_gain_dbi, -20.0, 60.0)
    loss = _ranged("rx_losses_db", rx_losses_db, 0.0, 200.0)
    return _out(
        np.asarray(e + a - pl + g - loss, dtype=np.float64),
        eirp_dbm,
        path_loss_db,
        tx_antenna_gain_rel_db,
        rx_gain_dbi,
        rx_losses_db,
    )


def resource_blocks(*, bandwidth_mhz: npt.ArrayLike) -> NDArray[np.int64]:
    """Number of resource blocks N_RB of an LTE channel.

    Parameters
    ----------
    bandwidth_mhz
        LTE channel bandwidth (MHz): one of 1.4, 3, 5, 10, 15, 20.

    Returns
    -------
    numpy.ndarray
        N_RB (int64), same shape as ``bandwidth_mhz``.

    Raises
    ------
    InputError
        A bandwidth that is not in the table (names ``bandwidth_mhz``).

    References
    ----------
    3GPP TS 36.101 V15 Table 5.6-1.
    """
    bw = np.asarray(bandwidth_mhz, dtype=np.float64)
    keys = np.array(list(RESOURCE_BLOCKS_BY_BANDWIDTH_MHZ), dtype=np.float64)
    values = np.array(list(RESOURCE_BLOCKS_BY_BANDWIDTH_MHZ.values()), dtype=np.int64)
    match = np.isclose(bw[..., None], keys, rtol=0.0, atol=1e-6)
    known = match.any(axis=-1)
    if not np.all(known):
        first = bw[~known].flat[0]
        allowed = ", ".join(f"{k:g}" for k in RESOURCE_BLOCKS_BY_BANDWIDTH_MHZ)
        msg = f"bandwidth_mhz must be an LTE channel bandwidth ({allowed}), got {first!r}"
        raise InputError(msg, field="bandwidth_mhz")
    return np.asarray(values[np.argmax(match, axis=-1)], dtype=np.int64)


def rsrp_dbm(
    *, rx_power_total_dbm: npt.ArrayLike, bandwidth_mhz: npt.ArrayLike
) -> float | NDArray[np.float64]:
    """RSRP from the total received power of a fully loaded, flat-PSD LTE cell (dBm).

    Parameters
    ----------
    rx_power_total_dbm
        Received power over all ``12 N_RB`` subcarriers (dBm), e.g. from
        :func:`received_power_dbm` with the cell's total EIRP.
    bandwidth_mhz
        LTE channel bandwidth (MHz), one of TS 36.101 Table 5.6-1.

    Returns
    -------
    float or numpy.ndarray
        ``RSRP = P_rx,total - 10 log10(12 N_RB)`` (dBm per 15 kHz resource element).

    Notes
    -----
    Assumes the power is spread evenly over all subcarriers and reference signals are
    not boosted. For 10 MHz (N_RB = 50) the offset is ``10 log10(600) = 27.78 dB``.

    References
    ----------
    3GPP TS 36.214 V15 §5.1.1 (RSRP definition); TS 36.101 V15 Table 5.6-1 (N_RB).
    """
    p = _ranged("rx_power_total_dbm", rx_power_total_dbm, -400.0, 120.0)
    n_rb = resource_blocks(bandwidth_mhz=bandwidth_mhz)
    result = p - 10.0 * np.log10(_SUBCARRIERS_PER_RB * n_rb.astype(np.float64))
    return _out(np.asarray(result, dtype=np.float64), rx_power_total_dbm, bandwidth_mhz)


def thermal_noise_dbm(
    *,
    bandwidth_mhz: npt.ArrayLike,
    noise_figure_db: npt.ArrayLike,
    noise_density_dbm_per_hz: float = THERMAL_NOISE_DENSITY_DBM_PER_HZ,
) -> float | NDArray[np.float64]:
    """Receiver noise power ``N = kT0 + 10 log10(B) + NF`` (dBm).

    Parameters
    ----------
    bandwidth_mhz
        Noise bandwidth (MHz), > 0. Use the same basis as the signal: the channel
        bandwidth for total power, ``N_RB x 0.18`` for the occupied band, 0.015 for one
        resource element (RSRP).
    noise_figure_db
        Receiver noise figure (dB, ≥ 0).
    noise_density_dbm_per_hz
        Thermal noise density (dBm/Hz); -174 (kT at 290 K is -173.98).

    Returns
    -------
    float or numpy.ndarray
        Noise power (dBm). 20 MHz with NF 7 dB gives -93.99 dBm.
    """
    bw = _ranged("bandwidth_mhz", bandwidth_mhz, 1e-9, 1e5, nan_ok=False)
    nf = _ranged("noise_figure_db", noise_figure_db, 0.0, 50.0)
    n0 = float(_ranged("noise_density_dbm_per_hz", noise_density_dbm_per_hz, -220.0, -100.0))
    result = n0 + 10.0 * np.log10(bw * 1e6) + nf
    return _out(np.asarray(result, dtype=np.float64), bandwidth_mhz, noise_figure_db)


def sinr_db(
    *,
    serving_rx_dbm: npt.ArrayLike,
    interferer_rx_dbm: npt.ArrayLike,
    noise_dbm: npt.ArrayLike,
    load_factor: npt.ArrayLike = 1.0,
) -> float | NDArray[np.float64]:
    """Downlink SINR with co-channel interference scaled by the interferers' load (dB).

    Parameters
    ----------
    serving_rx_dbm
        Power received from the serving cell (dBm), shape ``S`` (e.g. ``(pairs,)``).
    interferer_rx_dbm
        Power received from each co-channel interfering cell (dBm), shape
        ``S + (n_interferers,)``; ``NaN`` pads rows with fewer interferers.
    noise_dbm
        Noise power on the same bandwidth basis (dBm), broadcastable to ``S``.
    load_factor
        Fraction of the interferers' resources in use (0..1), broadcastable to the
        interferer array; 1 is a fully loaded network (worst case).

    Returns
    -------
    float or numpy.ndarray
        ``SINR = S / (sum_i η_i I_i + N)`` (dB), shape ``S``.

    Raises
    ------
    InputError
        Shapes that do not fit or values out of range (names the parameter).

    Notes
    -----
    Scaling each interferer's mean power by its load is the usual static-planning
    simplification (an Alcance assumption, not a 3GPP formula): at load η an
    interfering cell transmits on a fraction η of the resource elements.
    """
    s = _ranged("serving_rx_dbm", serving_rx_dbm, -400.0, 120.0)
    i = _ranged("interferer_rx_dbm", interferer_rx_dbm, -400.0, 120.0)
    n = _ranged("noise_dbm", noise_dbm, -400.0, 120.0)
    eta = _ranged("load_factor", load_factor, 0.0, 1.0, nan_ok=False)
    if i.ndim != s.ndim + 1 or i.shape[:-1] != s.shape:
        msg = (
            f"interferer_rx_dbm must have shape serving shape + (n_interferers,), "
            f"got {i.shape} for serving {s.shape}"
        )
        raise InputError(msg, field="interferer_rx_dbm")
    interference_mw = np.sum(np.where(np.isnan(i), 0.0, eta * _mw(i)), axis=-1)
    result = s - _dbm(interference_mw + _mw(n))
    return _out(np.asarray(result, dtype=np.float64), serving_rx_dbm, noise_dbm)


class BestServer(NamedTuple):
    """Result of :func:`best_server`, one entry per school (row)."""

    #: Column of the serving cell (int64), -1 where no candidate is available.
    cell_index: NDArray[np.int64]
    #: Power from the serving cell (dBm), NaN where there is none.
    rx_dbm: NDArray[np.float64]
    #: SINR against all other co-channel candidates (dB), NaN where there is none.
    sinr_db: NDArray[np.float64]


def best_server(
    *,
    rx_dbm: npt.ArrayLike,
    noise_dbm: npt.ArrayLike,
    load_factor: npt.ArrayLike = 1.0,
    channel_id: npt.ArrayLike | None = None,
) -> BestServer:
    """Serving cell per school (strongest signal) and its SINR.

    Parameters
    ----------
    rx_dbm
        Power (or RSRP) received from each candidate cell (dBm), shape
        ``(schools, cells)``; ``NaN`` where a cell is not a candidate.
    noise_dbm
        Noise on the same bandwidth basis as ``rx_dbm`` (dBm), broadcastable to
        ``(schools,)``.
    load_factor
        Interferers' load (0..1), broadcastable to ``(schools, cells)``.
    channel_id
        Carrier of each cell (integers), broadcastable to ``(schools, cells)``; only
        cells on the serving cell's carrier interfere. ``None``: all on one carrier.

    Returns
    -------
    BestServer
        ``cell_index`` (-1 when a row has no candidate), ``rx_dbm`` and ``sinr_db``.

    Raises
    ------
    InputError
        ``rx_dbm`` not 2-D or values out of range (names the parameter).

    Notes
    -----
    Cell selection by the strongest received signal, as idle-mode UEs rank cells by
    RSRP (3GPP TS 36.304 §5.2.4.6, equal offsets and hysteresis assumed).
    """
    rx = _ranged("rx_dbm", rx_dbm, -400.0, 120.0)
    if rx.ndim != 2:
        msg = f"rx_dbm must be 2-D (schools, cells), got shape {rx.shape}"
        raise InputError(msg, field="rx_dbm")
    n_rows = rx.shape[0]
    noise = np.broadcast_to(_ranged("noise_dbm", noise_dbm, -400.0, 120.0), (n_rows,))
    eta = np.broadcast_to(_ranged("load_factor", load_factor, 0.0, 1.0, nan_ok=False), rx.shape)
    has = ~np.all(np.isnan(rx), axis=1)
    index = np.where(has, np.argmax(np.where(np.isnan(rx), -np.inf, rx), axis=1), -1)
    rows = np.arange(n_rows)
    safe = np.maximum(index, 0)
    serving = np.where(has, rx[rows, safe], np.nan)
    others = rx.copy()
    others[rows, safe] = np.nan
    if channel_id is not None:
        ch = np.broadcast_to(np.asarray(channel_id), rx.shape)
        others = np.where(ch == ch[rows, safe][:, None], others, np.nan)
    interference_mw = np.sum(np.where(np.isnan(others), 0.0, eta * _mw(others)), axis=1)
    sinr = np.where(has, serving - _dbm(interference_mw + _mw(noise)), np.nan)
    return BestServer(
        cell_index=np.asarray(index, dtype=np.int64),
        rx_dbm=np.asarray(serving, dtype=np.float64),
        sinr_db=np.asarray(sinr, dtype=np.float64),
    )


def uplink_snr_db(
    *,
    path_loss_db: npt.ArrayLike,
    tower_gain_dbi: npt.ArrayLike,
    tower_noise_figure_db: npt.ArrayLike,
    allocated_rbs: npt.ArrayLike,
    ue_tx_power_dbm: npt.ArrayLike = UE_POWER_CLASS_3_DBM,
    ue_gain_dbi: npt.ArrayLike = 0.0,
    ue_losses_db: npt.ArrayLike = 0.0,
    tower_losses_db: npt.ArrayLike = 0.0,
    interference_margin_db: npt.ArrayLike = 0.0,
) -> float | NDArray[np.float64]:
    """Uplink SNR at the tower from a CPE transmitting at full power (dB).

    Parameters
    ----------
    path_loss_db
        Basic transmission loss (dB), as on the downlink (reciprocity).
    tower_gain_dbi
        Tower antenna gain towards the CPE (dBi), pattern included.
    tower_noise_figure_db
        Base-station receiver noise figure (dB).
    allocated_rbs
        Uplink resource blocks given to this CPE (≥ 1); its power is spread over
        ``allocated_rbs x 180 kHz``.
    ue_tx_power_dbm
        CPE output power (dBm); 23 dBm is power class 3 (TS 36.101 Table 6.2.2-1).
    ue_gain_dbi, ue_losses_db
        CPE antenna gain (dBi) and its cable losses (dB).
    tower_losses_db
        Tower feeder losses (dB).
    interference_margin_db
        Allowance for uplink interference (noise rise) from other cells (dB).

    Returns
    -------
    float or numpy.ndarray
        ``SNR = P_UE + G_UE - L_UE - L_path + G_BS - L_BS - (N_BS + M_I)`` (dB), with
        ``N_BS = -174 + 10 log10(n_RB 180 kHz) + NF_BS``.

    Notes
    -----
    No uplink power control: the CPE is assumed to be at the edge, at maximum power.
    """
    p_ue = _ranged("ue_tx_power_dbm", ue_tx_power_dbm, -50.0, 40.0)
    g_ue = _ranged("ue_gain_dbi", ue_gain_dbi, -20.0, 60.0)
    l_ue = _ranged("ue_losses_db", ue_losses_db, 0.0, 100.0)
    pl = _ranged("path_loss_db", path_loss_db, 0.0, 400.0)
    g_bs = _ranged("tower_gain_dbi", tower_gain_dbi, -100.0, 60.0)
    l_bs = _ranged("tower_losses_db", tower_losses_db, 0.0, 100.0)
    margin = _ranged("interference_margin_db", interference_margin_db, 0.0, 100.0)
    n_rb = _ranged("allocated_rbs", allocated_rbs, 1.0, 275.0, nan_ok=False)
    noise = np.asarray(
        thermal_noise_dbm(
            bandwidth_mhz=n_rb * RESOURCE_BLOCK_BANDWIDTH_MHZ,
            noise_figure_db=tower_noise_figure_db,
        ),
        dtype=np.float64,
    )
    result = p_ue + g_ue - l_ue - pl + g_bs - l_bs - (noise + margin)
    return _out(
        np.asarray(result, dtype=np.float64),
        path_loss_db,
        tower_gain_dbi,
        tower_noise_figure_db,
        allocated_rbs,
        ue_tx_power_dbm,
        ue_gain_dbi,
        ue_losses_db,
        tower_losses_db,
        interference_margin_db,
    )
