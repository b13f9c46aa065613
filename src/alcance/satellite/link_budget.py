"""Satellite link budget: dish gain, G/T, C/N0, Es/N0, link combination, throughput.

Pure functions, arrays in and arrays out (NumPy broadcasting, one element per school);
a scalar in gives a scalar out. The same functions serve the forward link (satellite
to school) and the return link (school to satellite): pass that direction's EIRP, G/T
and losses. Losses are positive dB, gains positive dBi.

References
----------
G. Maral, M. Bousquet, Z. Sun, "Satellite Communications Systems", 6th ed., Wiley,
2020, ch. 5 (uplink, downlink and overall link performance).
ETSI EN 302 307-1 V1.4.1 (DVB-S2), Table 13 (see :mod:`alcance.satellite.modcod`).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from alcance._arrays import ranged
from alcance._arrays import scalar_or_array as _out
from alcance.errors import InputError
from alcance.propagation.freespace import SPEED_OF_LIGHT_M_PER_S
from alcance.satellite import modcod as _modcod

__all__ = [
    "BOLTZMANN_DBW_PER_K_HZ",
    "REFERENCE_TEMPERATURE_K",
    "c_over_n0_dbhz",
    "combine_cn_db",
    "dish_gain_dbi",
    "es_over_n0_db",
    "g_over_t_db_per_k",
    "symbol_rate_mbaud_for_bandwidth",
    "system_noise_temperature_k",
    "throughput_mbps",
]

#: -10 log10(k) with k = 1.380649e-23 J/K (228.599...), rounded as in the textbooks.
BOLTZMANN_DBW_PER_K_HZ = 228.6
#: Reference temperature T0 of the noise-figure definition (K).
REFERENCE_TEMPERATURE_K = 290.0

FloatOut = float | NDArray[np.float64]


def dish_gain_dbi(
    *, diameter_m: npt.ArrayLike, freq_ghz: npt.ArrayLike, efficiency: npt.ArrayLike = 0.65
) -> FloatOut:
    """Boresight gain of a circular reflector antenna.

    Parameters
    ----------
    diameter_m
        Reflector diameter (m), in [0.01, 100].
    freq_ghz
        Frequency (GHz), in [0.1, 100].
    efficiency
        Aperture efficiency (dimensionless), in [0.01, 1].

    Returns
    -------
    float or numpy.ndarray
        Gain (dBi).

    Raises
    ------
    InputError
        If an argument is outside its range; the error names it.

    Notes
    -----
    G = 10 log10(eta (pi D f / c)^2), c = 299 792 458 m/s.

    References
    ----------
    Maral & Bousquet, "Satellite Communications Systems", 6th ed., ch. 5.
    """
    d = ranged("diameter_m", diameter_m, 0.01, 100.0)
    f = ranged("freq_ghz", freq_ghz, 0.1, 100.0)
    eta = ranged("efficiency", efficiency, 0.01, 1.0)
    g = 10.0 * np.log10(eta * (math.pi * d * f * 1e9 / SPEED_OF_LIGHT_M_PER_S) ** 2)
    return _out(g, diameter_m, freq_ghz, efficiency)


def system_noise_temperature_k(
    *,
    antenna_noise_temperature_k: npt.ArrayLike,
    lnb_noise_figure_db: npt.ArrayLike,
) -> FloatOut:
    """System noise temperature at the LNB input of a receive terminal.

    Parameters
    ----------
    antenna_noise_temperature_k
        Antenna noise temperature seen at the feed (K), in [0, 1000]: sky, rain and
        ground contributions (typically 30-60 K at Ku band in clear sky).
    lnb_noise_figure_db
        LNB (low-noise block) noise figure (dB), in [0, 20].

    Returns
    -------
    float or numpy.ndarray
        T_sys (K).

    Raises
    ------
    InputError
        If an argument is outside its range; the error names it.

    Notes
    -----
    T_sys = T_A + T_LNB with T_LNB = T0 (F - 1), F = 10^(NF/10), T0 = 290 K. The
    feed-to-LNB loss and the contribution of stages after the LNB (Friis formula,
    divided by the LNB gain of 50-60 dB) are neglected.

    References
    ----------
    Maral & Bousquet, "Satellite Communications Systems", 6th ed., ch. 5 (noise
    temperature; effective input noise temperature T_e = (F - 1) T0).
    """
    ta = ranged("antenna_noise_temperature_k", antenna_noise_temperature_k, 0.0, 1000.0)
    nf = ranged("lnb_noise_figure_db", lnb_noise_figure_db, 0.0, 20.0)
    t = ta + REFERENCE_TEMPERATURE_K * (10.0 ** (nf / 10.0) - 1.0)
    return _out(t, antenna_noise_temperature_k, lnb_noise_figure_db)


def g_over_t_db_per_k(
    *, gain_dbi: npt.ArrayLike, system_noise_temperature_k: npt.ArrayLike
) -> FloatOut:
    """Receive figure of merit G/T.

    Parameters
    ----------
    gain_dbi
        Receive antenna gain (dBi), in [-20, 80] (e.g. from :func:`dish_gain_dbi`).
    system_noise_temperature_k
        System noise temperature (K), in [1, 10000] (e.g. from
        :func:`system_noise_temperature_k`).

    Returns
    -------
    float or numpy.ndarray
        G/T (dB/K).

    Raises
    ------
    InputError
        If an argument is outside its range; the error names it.

    Notes
    -----
    G/T = G - 10 log10(T_sys).

    References
    ----------
    Maral & Bousquet, "Satellite Communications Systems", 6th ed., ch. 5.
    """
    g = ranged("gain_dbi", gain_dbi, -20.0, 80.0)
    t = ranged("system_noise_temperature_k", system_noise_temperature_k, 1.0, 10_000.0)
    return _out(g - 10.0 * np.log10(t), gain_dbi, system_noise_temperature_k)


def c_over_n0_dbhz(
    *,
    eirp_dbw: npt.ArrayLike,
    g_over_t_db_per_k: npt.ArrayLike,
    free_space_loss_db: npt.ArrayLike,
    atmospheric_loss_db: npt.ArrayLike,
    other_losses_db: npt.ArrayLike = 0.0,
) -> FloatOut:
    """Carrier-to-noise-density ratio of one link (uplink or downlink).

    Parameters
    ----------
    eirp_dbw
        Transmit EIRP towards the receiver (dBW), in [-50, 100].
    g_over_t_db_per_k
        Receiver G/T (dB/K), in [-60, 60].
    free_space_loss_db
        Free-space loss (dB), in [0, 400] (e.g.
        :func:`alcance.propagation.freespace.free_space_loss_db`).
    atmospheric_loss_db
        Gas, cloud, rain and scintillation attenuation (dB), in [0, 200].
    other_losses_db
        Pointing, polarisation and other losses (dB), in [0, 100].

    Returns
    -------
    float or numpy.ndarray
        C/N0 (dBHz).

    Raises
    ------
    InputError
        If an argument is outside its range; the error names it.

    Notes
    -----
    C/N0 = EIRP - L_FS - A - L_other + G/T - 10 log10(k), with -10 log10(k) = 228.6
    dBW/(K Hz).

    References
    ----------
    Maral & Bousquet, "Satellite Communications Systems", 6th ed., ch. 5.
    """
    eirp = ranged("eirp_dbw", eirp_dbw, -50.0, 100.0)
    gt = ranged("g_over_t_db_per_k", g_over_t_db_per_k, -60.0, 60.0)
    fsl = ranged("free_space_loss_db", free_space_loss_db, 0.0, 400.0)
    atm = ranged("atmospheric_loss_db", atmospheric_loss_db, 0.0, 200.0)
    oth = ranged("other_losses_db", other_losses_db, 0.0, 100.0)
    cn0 = eirp - fsl - atm - oth + gt + BOLTZMANN_DBW_PER_K_HZ
    return _out(
        cn0, eirp_dbw, g_over_t_db_per_k, free_space_loss_db, atmospheric_loss_db, other_losses_db
    )


def es_over_n0_db(*, c_over_n0_dbhz: npt.ArrayLike, symbol_rate_mbaud: npt.ArrayLike) -> FloatOut:
    """Energy per symbol over noise density from C/N0 and the symbol rate.

    Parameters
    ----------
    c_over_n0_dbhz
        C/N0 (dBHz), in [0, 200].
    symbol_rate_mbaud
        Symbol rate (Mbaud), in [0.001, 10000].

    Returns
    -------
    float or numpy.ndarray
        Es/N0 (dB).

    Raises
    ------
    InputError
        If an argument is outside its range; the error names it.

    Notes
    -----
    Es/N0 = C/N0 - 10 log10(R_s), R_s in baud. With a root-raised-cosine matched
    filter, Es/N0 equals C/N in the noise bandwidth R_s.
    """
    cn0 = ranged("c_over_n0_dbhz", c_over_n0_dbhz, 0.0, 200.0)
    rs = ranged("symbol_rate_mbaud", symbol_rate_mbaud, 0.001, 10_000.0)
    return _out(cn0 - 10.0 * np.log10(rs * 1e6), c_over_n0_dbhz, symbol_rate_mbaud)


def combine_cn_db(*links: npt.ArrayLike) -> FloatOut:
    """Overall C/N (or Es/N0, C/I) of links in cascade: uplink, downlink, interference.

    Parameters
    ----------
    *links
        Each link's C/N, C/N0 or C/I in dB (same normalisation for all), in
        [-50, 200]; at least one. Arrays broadcast together.

    Returns
    -------
    float or numpy.ndarray
        Combined ratio (dB).

    Raises
    ------
    InputError
        If no link is given (``links``) or a value is out of range (``links[i]``).

    Notes
    -----
    1/(C/N)_t = sum_i 1/(C/N)_i in linear units (transparent transponder).

    References
    ----------
    Maral & Bousquet, "Satellite Communications Systems", 6th ed., ch. 5 (overall link
    performance with a transparent satellite).
    """
    if not links:
        msg = "combine_cn_db needs at least one link"
        raise InputError(msg, field="links")
    inv = [10.0 ** (-ranged(f"links[{i}]", x, -50.0, 200.0) / 10.0) for i, x in enumerate(links)]
    total = np.sum(np.broadcast_arrays(*inv), axis=0)
    return _out(-10.0 * np.log10(total), *links)


def symbol_rate_mbaud_for_bandwidth(
    *, bandwidth_mhz: npt.ArrayLike, roll_off: npt.ArrayLike = 0.2
) -> FloatOut:
    """Largest symbol rate that fits an allocated bandwidth.

    Parameters
    ----------
    bandwidth_mhz
        Occupied (allocated) bandwidth (MHz), in [0.001, 10000].
    roll_off
        Root-raised-cosine roll-off factor alpha, in [0, 1] (DVB-S2: 0.35, 0.25, 0.20;
        DVB-S2X adds 0.15, 0.10, 0.05).

    Returns
    -------
    float or numpy.ndarray
        R_s = B / (1 + alpha) (Mbaud).

    Raises
    ------
    InputError
        If an argument is outside its range; the error names it.

    References
    ----------
    ETSI EN 302 307-1 V1.4.1 §5.6 (baseband shaping).
    """
    b = ranged("bandwidth_mhz", bandwidth_mhz, 0.001, 10_000.0)
    a = ranged("roll_off", roll_off, 0.0, 1.0)
    return _out(b / (1.0 + a), bandwidth_mhz, roll_off)


def throughput_mbps(
    *,
    es_over_n0_db: npt.ArrayLike,
    symbol_rate_mbaud: npt.ArrayLike,
    implementation_margin_db: float = 0.0,
    pilots: bool = False,
) -> FloatOut:
    """Net DVB-S2 throughput with the best MODCOD that closes the link (ACM).

    Parameters
    ----------
    es_over_n0_db
        Available Es/N0 at the demodulator (dB), in [-50, 100]; NaN gives 0.
    symbol_rate_mbaud
        Symbol rate (Mbaud), in [0.001, 10000] (see
        :func:`symbol_rate_mbaud_for_bandwidth` for the roll-off).
    implementation_margin_db
        Margin added to every Table 13 threshold (dB), in [0, 20].
    pilots
        Whether PL pilots are on (adds ~2.4 % framing overhead).

    Returns
    -------
    float or numpy.ndarray
        Throughput (Mbit/s) of user data; 0 where no MODCOD closes the link.

    Raises
    ------
    InputError
        If an argument is outside its range; the error names it.

    Notes
    -----
    R = R_s eta(best MODCOD). eta is the EN 302 307-1 Table 13 spectral efficiency,
    which already removes the BBHEADER (80 bits) and PLHEADER (90 symbols) overhead
    but assumes no pilots; ``pilots=True`` removes the pilot blocks too (§5.5.3).
    The roll-off does not enter: it sets the bandwidth a given R_s occupies, not the
    throughput. GSE/IP encapsulation overhead above the BBFRAME is not removed.

    References
    ----------
    ETSI EN 302 307-1 V1.4.1 Table 13, §5.1.6, §5.5.2-5.5.3.
    """
    rs = ranged("symbol_rate_mbaud", symbol_rate_mbaud, 0.001, 10_000.0)
    idx = _modcod.best_modcod(
        es_over_n0_db=es_over_n0_db, implementation_margin_db=implementation_margin_db
    )
    eff = np.asarray(
        _modcod.spectral_efficiency_bit_per_symbol(modcod_index=idx, pilots=pilots),
        dtype=np.float64,
    )
    return _out(rs * eff, es_over_n0_db, symbol_rate_mbaud)
