"""GEO satellite service per school: return link, availability, beams, capacity and cost.

Pure computation (no file I/O), vectorised over schools. The kernels take and return
NumPy arrays; :func:`satellite_service` composes them on the per-school table that
:func:`alcance.pipeline.geo_line_of_sight` produces and returns the extra columns and a
beams table.

* **Return link** (school to satellite), :func:`return_link_budget` /
  :func:`return_link`: terminal EIRP, free-space loss (ITU-R P.525-4), atmospheric
  attenuation at the uplink frequency (ITU-R P.618-13 through ``itur``), satellite G/T
  → C/N0 → Es/N0 at the return symbol rate, combined with the return C/(N+I) → best
  MODCOD → Mbit/s per terminal. The return link is modelled **with the DVB-S2 MODCOD
  table** (ETSI EN 302 307-1 Table 13) as a stand-in: real VSAT return links use
  DVB-RCS2 (ETSI EN 301 545-2) MF-TDMA waveforms, whose thresholds and efficiencies
  differ (turbo codes, burst overhead, guard times).
* **Availability** of the forward link, :func:`availability_from_attenuation_pct` /
  :func:`forward_availability`: the P.618 attenuation–time-percentage curve on a grid
  of p, inverted by linear interpolation in log p.
* **Beams and capacity**, :func:`assign_beams`, :func:`beam_table`,
  :func:`beam_constraints`: schools grouped in equal-area cells when no beam map is
  given; per-beam committed-capacity constraints for the optimiser.
* **Cost inputs**, :func:`satellite_costs`: CAPEX and OPEX per school.

References
----------
G. Maral, M. Bousquet, Z. Sun, "Satellite Communications Systems", 6th ed., Wiley,
2020, ch. 5 (link budget) and ch. 2 (availability, attenuation statistics).
ITU-R P.525-4 (free space); ITU-R P.618-13 §2.2.1.1, §2.5 (attenuation exceeded for
p % of an average year); ETSI EN 302 307-1 V1.4.1 Table 13 (DVB-S2 MODCODs);
ETSI EN 301 545-2 (DVB-RCS2, not modelled).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from alcance._arrays import ranged
from alcance.cost.settings import CostSettings
from alcance.errors import InputError
from alcance.propagation.freespace import free_space_loss_db
from alcance.satellite import link_budget as lb
from alcance.satellite.modcod import DVB_S2_MODCODS, best_modcod, required_es_over_n0_db

if TYPE_CHECKING:
    from alcance.scenario import SatelliteSettings

__all__ = [
    "DEFAULT_UNAVAILABILITY_GRID_PCT",
    "EARTH_MEAN_RADIUS_KM",
    "HOURS_PER_YEAR",
    "MIN_ITUR_ELEVATION_DEG",
    "USABLE_STATUSES",
    "BeamConstraints",
    "ReturnLink",
    "assign_beams",
    "availability_from_attenuation_pct",
    "beam_constraints",
    "beam_table",
    "forward_availability",
    "max_attenuation_db",
    "return_link",
    "return_link_budget",
    "satellite_costs",
    "satellite_service",
    "terminal_eirp_dbw",
]

FloatArray = NDArray[np.float64]

#: Time percentages p (% of an average year) at which the P.618 attenuation curve is
#: sampled for the availability inversion; the scenario's target p is always added.
#: 0.001-5 % is the validity range of ITU-R P.618-13 §2.2.1.1.
DEFAULT_UNAVAILABILITY_GRID_PCT: tuple[float, ...] = (
    0.001,
    0.002,
    0.005,
    0.01,
    0.02,
    0.05,
    0.1,
    0.2,
    0.5,
    1.0,
    2.0,
    5.0,
)
#: Hours in a (365-day) year, for energy cost.
HOURS_PER_YEAR = 8760.0
#: Mean Earth radius (km), IUGG; used only to size the beam grid cells.
EARTH_MEAN_RADIUS_KM = 6371.0088
#: Lowest elevation ITU-R P.618-13 (through ``itur``) accepts; below it links get NaN.
MIN_ITUR_ELEVATION_DEG = 5.0
#: ``geo_status`` values for which the terminal is assumed to see the satellite (the
#: same rule as :func:`alcance.pipeline.geo_line_of_sight`).
USABLE_STATUSES: tuple[str, ...] = ("clear", "unverified")

_KM_PER_DEG = math.pi * EARTH_MEAN_RADIUS_KM / 180.0
_NAMES = np.array([m.name for m in DVB_S2_MODCODS] + ["none"], dtype=object)
_INDEX_OF_NAME = {m.name: i for i, m in enumerate(DVB_S2_MODCODS)}
_TOLERANCE_DB = 1e-9


# --------------------------------------------------------------------------- return link


def terminal_eirp_dbw(
    *, tx_power_w: npt.ArrayLike, gain_dbi: npt.ArrayLike, losses_db: npt.ArrayLike = 0.0
) -> FloatArray:
    """EIRP of a transmitting terminal.

    Parameters
    ----------
    tx_power_w
        BUC (power amplifier) output power (W), in (0, 10000].
    gain_dbi
        Antenna gain at the transmit frequency (dBi), in [-20, 80] (e.g.
        :func:`alcance.satellite.link_budget.dish_gain_dbi`).
    losses_db
        Losses between amplifier and feed (dB), in [0, 50].

    Returns
    -------
    numpy.ndarray
        EIRP = 10 log10(P) + G − L (dBW).

    Raises
    ------
    InputError
        If an argument is outside its range; the error names it.

    References
    ----------
    Maral & Bousquet, "Satellite Communications Systems", 6th ed., ch. 5 (EIRP).
    """
    p = ranged("tx_power_w", tx_power_w, 1e-12, 10_000.0)
    g = ranged("gain_dbi", gain_dbi, -20.0, 80.0)
    loss = ranged("losses_db", losses_db, 0.0, 50.0)
    return np.asarray(10.0 * np.log10(p) + g - loss, dtype=np.float64)


@dataclass(frozen=True)
class ReturnLink:
    """Return-link result per school (arrays of one shape).

    Attributes
    ----------
    eirp_dbw
        Terminal EIRP (dBW).
    free_space_loss_db
        ITU-R P.525-4 free-space loss at the uplink frequency (dB).
    atmospheric_loss_db
        Attenuation exceeded for the target time percentage at the uplink frequency
        (dB); NaN where not computed.
    c_over_n0_dbhz
        Uplink C/N0 at the satellite (dBHz).
    es_n0_db
        Es/N0 after combining with the return C/(N+I) (dB); NaN where not computed.
    modcod_index
        Index into :data:`alcance.satellite.modcod.DVB_S2_MODCODS`, -1 where none closes.
    mbps
        Return throughput of one terminal (Mbit/s); 0 where none closes.
    """

    eirp_dbw: FloatArray
    free_space_loss_db: FloatArray
    atmospheric_loss_db: FloatArray
    c_over_n0_dbhz: FloatArray
    es_n0_db: FloatArray
    modcod_index: NDArray[np.int64]
    mbps: FloatArray

    @property
    def modcod(self) -> NDArray[np.str_]:
        """MODCOD names (``"none"`` where no MODCOD closes)."""
        return np.asarray(_NAMES[self.modcod_index].astype(str))


def return_link_budget(
    *,
    eirp_dbw: npt.ArrayLike,
    free_space_loss_db: npt.ArrayLike,
    atmospheric_loss_db: npt.ArrayLike,
    satellite_g_over_t_db_per_k: float,
    symbol_rate_mbaud: float,
    interference_cn_db: float,
    implementation_margin_db: float = 0.0,
) -> ReturnLink:
    """Return-link budget from EIRP and losses (no ``itur`` call; hand-checkable).

    Parameters
    ----------
    eirp_dbw
        Terminal EIRP (dBW) (e.g. :func:`terminal_eirp_dbw`).
    free_space_loss_db
        Free-space loss at the uplink frequency (dB).
    atmospheric_loss_db
        Atmospheric attenuation at the uplink frequency (dB); NaN marks a school not
        computed (result NaN, MODCOD -1, 0 Mbit/s).
    satellite_g_over_t_db_per_k
        Satellite receive G/T toward the school (dB/K).
    symbol_rate_mbaud
        Return carrier symbol rate (Mbaud).
    interference_cn_db
        C/(N+I) of everything but the uplink thermal noise (dB).
    implementation_margin_db
        Demodulator margin over the Table 13 thresholds (dB).

    Returns
    -------
    ReturnLink

    Raises
    ------
    InputError
        If an argument is outside the range of the link-budget functions.

    Notes
    -----
    C/N0 = EIRP − L_FS − A + G/T + 228.6 (dBHz); Es/N0_up = C/N0 − 10 log10(R_s);
    1/(Es/N0) = 1/(Es/N0_up) + 1/(C/I) (linear); MODCOD and rate from DVB-S2 Table 13
    with the margin — a stand-in for DVB-RCS2 (ETSI EN 301 545-2), whose thresholds
    differ.

    References
    ----------
    Maral & Bousquet, "Satellite Communications Systems", 6th ed., ch. 5;
    ETSI EN 302 307-1 V1.4.1 Table 13.
    """
    eirp, fsl, atm = np.broadcast_arrays(
        np.asarray(eirp_dbw, dtype=np.float64),
        np.asarray(free_space_loss_db, dtype=np.float64),
        np.asarray(atmospheric_loss_db, dtype=np.float64),
    )
    ok = np.isfinite(atm)
    c_n0 = np.full(eirp.shape, np.nan)
    es_n0 = np.full(eirp.shape, np.nan)
    index = np.full(eirp.shape, -1, dtype=np.int64)
    mbps = np.zeros(eirp.shape)
    if ok.any():
        c_n0[ok] = lb.c_over_n0_dbhz(
            eirp_dbw=eirp[ok],
            g_over_t_db_per_k=satellite_g_over_t_db_per_k,
            free_space_loss_db=fsl[ok],
            atmospheric_loss_db=atm[ok],
        )
        up = np.asarray(
            lb.es_over_n0_db(c_over_n0_dbhz=c_n0[ok], symbol_rate_mbaud=symbol_rate_mbaud)
        )
        es_n0[ok] = lb.combine_cn_db(up, np.full(up.shape, float(interference_cn_db)))
        index[ok] = best_modcod(
            es_over_n0_db=es_n0[ok], implementation_margin_db=implementation_margin_db
        )
        mbps[ok] = lb.throughput_mbps(
            es_over_n0_db=es_n0[ok],
            symbol_rate_mbaud=symbol_rate_mbaud,
            implementation_margin_db=implementation_margin_db,
        )
    return ReturnLink(
        eirp_dbw=np.asarray(eirp, dtype=np.float64).copy(),
        free_space_loss_db=np.asarray(fsl, dtype=np.float64).copy(),
        atmospheric_loss_db=np.asarray(atm, dtype=np.float64).copy(),
        c_over_n0_dbhz=c_n0,
        es_n0_db=es_n0,
        modcod_index=index,
        mbps=mbps,
    )


def _site_height(site_height_m: npt.ArrayLike | None, n: int) -> FloatArray | None:
    if site_height_m is None:
        return None
    h = np.broadcast_to(np.asarray(site_height_m, dtype=np.float64), (n,))
    return np.clip(np.nan_to_num(h), -500.0, 9000.0)


def return_link(
    *,
    lat_deg: npt.ArrayLike,
    lon_deg: npt.ArrayLike,
    elevation_deg: npt.ArrayLike,
    slant_range_km: npt.ArrayLike,
    settings: SatelliteSettings,
    site_height_m: npt.ArrayLike | None = None,
    usable: npt.ArrayLike | None = None,
) -> ReturnLink:
    """Return link of every school at the scenario's availability (calls ``itur``).

    Parameters
    ----------
    lat_deg, lon_deg
        School position (°), one per school.
    elevation_deg
        Elevation of the GEO satellite (°).
    slant_range_km
        Terminal–satellite distance (km).
    settings
        Scenario satellite settings: ``uplink_freq_ghz, terminal_tx_power_w,
        terminal_tx_losses_db, dish_diameter_m, dish_efficiency,
        satellite_g_over_t_db_per_k, return_symbol_rate_mbaud,
        return_interference_cn_db, implementation_margin_db, availability_pct``.
    site_height_m
        Ground height above mean sea level (m); ``None`` takes ITU-R P.1511 heights.
    usable
        Boolean mask of schools to compute (default all); others, and those with the
        satellite below 5°, get NaN, MODCOD ``"none"`` and 0 Mbit/s.

    Returns
    -------
    ReturnLink

    Notes
    -----
    Attenuation exceeded for ``100 − availability_pct`` % of the year at the uplink
    frequency, ITU-R P.618-13 §2.5 (circular polarisation, the terminal dish for
    scintillation). Terminal gain from
    :func:`alcance.satellite.link_budget.dish_gain_dbi` at ``uplink_freq_ghz``.

    References
    ----------
    ITU-R P.525-4; ITU-R P.618-13 §2.5; Maral & Bousquet, ch. 5.
    """
    from alcance.satellite.atmosphere import earth_space_attenuation

    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    n = lat.size
    lon = np.broadcast_to(np.asarray(lon_deg, dtype=np.float64), (n,))
    el = np.broadcast_to(np.asarray(elevation_deg, dtype=np.float64), (n,))
    rng_km = np.broadcast_to(np.asarray(slant_range_km, dtype=np.float64), (n,))
    mask = np.ones(n, dtype=bool) if usable is None else np.broadcast_to(usable, (n,)).copy()
    ok = mask & (el >= MIN_ITUR_ELEVATION_DEG) & np.isfinite(rng_km)
    heights = _site_height(site_height_m, n)
    atm = np.full(n, np.nan)
    if ok.any():
        atm[ok] = earth_space_attenuation(
            lat_deg=lat[ok],
            lon_deg=lon[ok],
            freq_ghz=settings.uplink_freq_ghz,
            elevation_deg=el[ok],
            unavailability_pct=round(100.0 - settings.availability_pct, 9),
            antenna_diameter_m=settings.dish_diameter_m,
            antenna_efficiency=settings.dish_efficiency,
            site_height_m=None if heights is None else heights[ok],
        ).total_db
    fsl = np.full(n, np.nan)
    if ok.any():
        fsl[ok] = free_space_loss_db(
            distance_m=rng_km[ok] * 1000.0, freq_mhz=settings.uplink_freq_ghz * 1000.0
        )
    gain = lb.dish_gain_dbi(
        diameter_m=settings.dish_diameter_m,
        freq_ghz=settings.uplink_freq_ghz,
        efficiency=settings.dish_efficiency,
    )
    eirp = terminal_eirp_dbw(
        tx_power_w=settings.terminal_tx_power_w,
        gain_dbi=gain,
        losses_db=settings.terminal_tx_losses_db,
    )
    return return_link_budget(
        eirp_dbw=np.broadcast_to(eirp, (n,)),
        free_space_loss_db=fsl,
        atmospheric_loss_db=atm,
        satellite_g_over_t_db_per_k=settings.satellite_g_over_t_db_per_k,
        symbol_rate_mbaud=settings.return_symbol_rate_mbaud,
        interference_cn_db=settings.return_interference_cn_db,
        implementation_margin_db=settings.implementation_margin_db,
    )


# -------------------------------------------------------------------------- availability


def max_attenuation_db(
    *,
    clear_sky_es_n0_db: npt.ArrayLike,
    required_es_n0_db: npt.ArrayLike,
    interference_cn_db: float,
) -> FloatArray:
    """Largest atmospheric attenuation for which a link still meets a required Es/N0.

    Parameters
    ----------
    clear_sky_es_n0_db
        Thermal Es/N0 of the faded link without any atmospheric attenuation (dB).
    required_es_n0_db
        Es/N0 the MODCOD needs, implementation margin included (dB); NaN gives NaN.
    interference_cn_db
        C/(N+I) combined with the thermal Es/N0 (dB).

    Returns
    -------
    numpy.ndarray
        A_max (dB); −inf where even an unfaded link cannot meet the requirement
        (required ≥ C/(N+I)), NaN where an input is NaN.

    Notes
    -----
    The combined Es/N0 is 1/(1/(Es/N0_0 − A) + 1/(C/I)) in linear units; solving for
    equality: Es/N0_req,thermal = −10 log10(10^(−req/10) − 10^(−C/I/10)),
    A_max = Es/N0_0 − Es/N0_req,thermal. The rise of sky noise temperature with rain is
    neglected (as in :func:`alcance.pipeline.geo_forward_link`).

    References
    ----------
    Maral & Bousquet, "Satellite Communications Systems", 6th ed., ch. 5 (overall C/N).
    """
    es0 = np.asarray(clear_sky_es_n0_db, dtype=np.float64)
    req = np.asarray(required_es_n0_db, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        room = 10.0 ** (-req / 10.0) - 10.0 ** (-float(interference_cn_db) / 10.0)
        thermal = np.where(room > 0, -10.0 * np.log10(np.where(room > 0, room, 1.0)), np.inf)
    out = np.where(np.isnan(req) | np.isnan(es0), np.nan, es0 - thermal)
    return np.asarray(out, dtype=np.float64)


def availability_from_attenuation_pct(
    *,
    max_attenuation_db: npt.ArrayLike,
    unavailability_pct: npt.ArrayLike,
    attenuation_db: npt.ArrayLike,
) -> FloatArray:
    """Invert an attenuation–time-percentage curve: availability of a fade margin.

    Parameters
    ----------
    max_attenuation_db
        Largest attenuation the link tolerates, per school (dB), shape ``(n,)``; NaN
        gives NaN.
    unavailability_pct
        Strictly increasing time percentages p (%), each in [0.001, 5], shape ``(k,)``.
    attenuation_db
        Attenuation exceeded for p % of the year, shape ``(k, n)`` (row *i* for
        ``unavailability_pct[i]``); made non-increasing in p (running minimum).

    Returns
    -------
    numpy.ndarray
        Availability ``100 − p*`` (%), where p* is the smallest time percentage whose
        attenuation the link tolerates, found by linear interpolation of A against
        log p between grid points. ``100 − p[0]`` where even A(p[0]) is tolerated
        (the availability is then *at least* that); 0 where A(p[-1]) is not tolerated
        (availability below ``100 − p[-1]``, outside the curve; treat as unavailable).

    Raises
    ------
    InputError
        If ``unavailability_pct`` is not strictly increasing in [0.001, 5] or the
        shapes do not agree.

    References
    ----------
    ITU-R P.618-13 §2.2.1.1 (the attenuation is given for p = 0.001-5 %, interpolated
    in log p between the steps of the method).
    """
    p = ranged("unavailability_pct", np.atleast_1d(unavailability_pct), 0.001, 5.0)
    if p.ndim != 1 or np.any(np.diff(p) <= 0):
        msg = "unavailability_pct must be a strictly increasing 1-D sequence"
        raise InputError(msg, field="unavailability_pct")
    amax = np.atleast_1d(np.asarray(max_attenuation_db, dtype=np.float64))
    a = np.asarray(attenuation_db, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, np.newaxis]
    if a.shape[0] != p.size or amax.ndim != 1 or a.shape[1] != amax.size:
        msg = (
            f"attenuation_db has shape {a.shape}, expected ({p.size}, {amax.size}) for "
            f"{p.size} percentages and {amax.size} schools"
        )
        raise InputError(msg, field="attenuation_db")
    a = np.minimum.accumulate(a, axis=0)
    fails = a > (amax + _TOLERANCE_DB)
    count = fails.sum(axis=0)
    i = np.clip(count - 1, 0, p.size - 2) if p.size > 1 else np.zeros_like(count)
    cols = np.arange(amax.size)
    logp = np.log(p)
    if p.size > 1:
        a_lo, a_hi = a[i, cols], a[i + 1, cols]
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.clip((a_lo - amax) / (a_lo - a_hi), 0.0, 1.0)
        p_star = np.exp(logp[i] + frac * (logp[i + 1] - logp[i]))
    else:
        p_star = np.full(amax.size, p[0])
    avail = 100.0 - p_star
    avail = np.where(count == 0, 100.0 - p[0], avail)
    avail = np.where(count >= p.size, 0.0, avail)
    avail = np.where(np.isnan(amax) | np.isnan(a).any(axis=0), np.nan, avail)
    return np.asarray(avail, dtype=np.float64)


def _modcod_index(names: npt.ArrayLike) -> NDArray[np.int64]:
    return np.array([_INDEX_OF_NAME.get(str(x), -1) for x in np.ravel(names)], dtype=np.int64)


def _grid_with_target(
    grid_pct: tuple[float, ...] | npt.ArrayLike, availability_pct: float
) -> FloatArray:
    target = round(100.0 - availability_pct, 9)
    base = np.round(np.asarray(grid_pct, dtype=np.float64), 9)
    return np.asarray(np.union1d(base, [target]), dtype=np.float64)


def forward_availability(
    *,
    lat_deg: npt.ArrayLike,
    lon_deg: npt.ArrayLike,
    elevation_deg: npt.ArrayLike,
    slant_range_km: npt.ArrayLike,
    modcod: npt.ArrayLike,
    settings: SatelliteSettings,
    site_height_m: npt.ArrayLike | None = None,
    usable: npt.ArrayLike | None = None,
    unavailability_grid_pct: npt.ArrayLike = DEFAULT_UNAVAILABILITY_GRID_PCT,
) -> dict[str, FloatArray]:
    """Forward-link availability of the chosen MODCOD and of the lowest MODCOD (itur).

    Parameters
    ----------
    lat_deg, lon_deg, elevation_deg, slant_range_km
        Per school, as in :func:`return_link`.
    modcod
        Forward MODCOD names chosen at the target availability (``geo_modcod``);
        ``"none"``/``""`` means no MODCOD closed.
    settings
        Scenario satellite settings (the forward-link fields of
        :func:`alcance.pipeline.geo_forward_link`, ``availability_pct``).
    site_height_m
        Ground height (m); pass the heights the forward link used so that the curve
        passes exactly through its attenuation at the target. ``None``: ITU-R P.1511.
    usable
        Boolean mask of schools to compute (default all); others get NaN.
    unavailability_grid_pct
        Time percentages (%) at which the curve is sampled (the target p is added).

    Returns
    -------
    dict
        ``geo_availability_pct`` (chosen MODCOD; NaN where it is ``"none"``),
        ``geo_min_modcod_availability_pct`` (QPSK 1/4), ``forward_clear_sky_es_n0_db``
        (thermal downlink Es/N0 without attenuation) and ``forward_es_n0_at_target_db``
        (combined Es/N0 recomputed at the target, equal to ``geo_es_n0_db`` when the
        heights agree).

    Notes
    -----
    Es/N0(A) = combine(Es/N0_0 − A, C/(N+I)); the MODCOD closes while
    Es/N0(A) ≥ Table 13 + margin, i.e. A ≤ :func:`max_attenuation_db`; the curve
    A(p) (ITU-R P.618-13 §2.5) is inverted by :func:`availability_from_attenuation_pct`.
    Because the target p is a grid point, a MODCOD chosen at the target has an
    availability ≥ the target.

    References
    ----------
    ITU-R P.618-13 §2.5; ETSI EN 302 307-1 V1.4.1 Table 13; Maral & Bousquet, ch. 5.
    """
    from alcance.satellite.atmosphere import earth_space_attenuation

    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    n = lat.size
    lon = np.broadcast_to(np.asarray(lon_deg, dtype=np.float64), (n,))
    el = np.broadcast_to(np.asarray(elevation_deg, dtype=np.float64), (n,))
    rng_km = np.broadcast_to(np.asarray(slant_range_km, dtype=np.float64), (n,))
    mask = np.ones(n, dtype=bool) if usable is None else np.broadcast_to(usable, (n,)).copy()
    ok = mask & (el >= MIN_ITUR_ELEVATION_DEG) & np.isfinite(rng_km)
    heights = _site_height(site_height_m, n)
    p = _grid_with_target(tuple(np.ravel(unavailability_grid_pct)), settings.availability_pct)
    target_row = int(np.searchsorted(p, round(100.0 - settings.availability_pct, 9)))

    out = {
        "geo_availability_pct": np.full(n, np.nan),
        "geo_min_modcod_availability_pct": np.full(n, np.nan),
        "forward_clear_sky_es_n0_db": np.full(n, np.nan),
        "forward_es_n0_at_target_db": np.full(n, np.nan),
    }
    if not ok.any():
        return out
    m = int(ok.sum())
    curve = earth_space_attenuation(
        lat_deg=lat[ok],
        lon_deg=lon[ok],
        freq_ghz=settings.downlink_freq_ghz,
        elevation_deg=el[ok],
        unavailability_pct=p[:, np.newaxis],
        antenna_diameter_m=settings.dish_diameter_m,
        antenna_efficiency=settings.dish_efficiency,
        site_height_m=None if heights is None else heights[ok],
    ).total_db.reshape(p.size, m)
    fsl = np.asarray(
        free_space_loss_db(
            distance_m=rng_km[ok] * 1000.0, freq_mhz=settings.downlink_freq_ghz * 1000.0
        ),
        dtype=np.float64,
    )
    gain = lb.dish_gain_dbi(
        diameter_m=settings.dish_diameter_m,
        freq_ghz=settings.downlink_freq_ghz,
        efficiency=settings.dish_efficiency,
    )
    t_sys = lb.system_noise_temperature_k(
        antenna_noise_temperature_k=settings.antenna_noise_temperature_k,
        lnb_noise_figure_db=settings.lnb_noise_figure_db,
    )
    g_t = float(lb.g_over_t_db_per_k(gain_dbi=gain, system_noise_temperature_k=t_sys))
    c_n0 = np.asarray(
        lb.c_over_n0_dbhz(
            eirp_dbw=settings.satellite_eirp_dbw,
            g_over_t_db_per_k=g_t,
            free_space_loss_db=fsl,
            atmospheric_loss_db=0.0,
        ),
        dtype=np.float64,
    )
    es0 = np.asarray(
        lb.es_over_n0_db(c_over_n0_dbhz=c_n0, symbol_rate_mbaud=settings.symbol_rate_mbaud),
        dtype=np.float64,
    )
    interference = settings.interference_cn_db
    margin = settings.implementation_margin_db
    chosen = _modcod_index(np.broadcast_to(np.asarray(modcod, dtype=object), (n,))[ok])
    req_chosen = np.asarray(required_es_over_n0_db(modcod_index=chosen)) + margin
    req_min = np.full(m, DVB_S2_MODCODS[0].es_over_n0_db + margin)
    for column, req in (
        ("geo_availability_pct", req_chosen),
        ("geo_min_modcod_availability_pct", req_min),
    ):
        amax = max_attenuation_db(
            clear_sky_es_n0_db=es0, required_es_n0_db=req, interference_cn_db=interference
        )
        out[column][ok] = availability_from_attenuation_pct(
            max_attenuation_db=amax, unavailability_pct=p, attenuation_db=curve
        )
    out["forward_clear_sky_es_n0_db"][ok] = es0
    out["forward_es_n0_at_target_db"][ok] = lb.combine_cn_db(
        es0 - curve[target_row], np.full(m, interference)
    )
    return out


# ------------------------------------------------------------------- beams and capacity


def assign_beams(
    *, lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike, beam_radius_km: float
) -> NDArray[np.str_]:
    """Group schools into beams: a deterministic equal-area grid of cells of 2·radius.

    Parameters
    ----------
    lat_deg, lon_deg
        School position (°N, °E), one per school.
    beam_radius_km
        Beam radius (km), > 0; cells are about 2·radius on a side.

    Returns
    -------
    numpy.ndarray of str
        Beam id per school, ``"b{row}-{col}"``.

    Raises
    ------
    InputError
        For a non-positive radius or coordinates out of range.

    Notes
    -----
    Rows are latitude bands of height h = 2r along the meridian (mean Earth radius
    6371.0088 km), numbered from the South Pole. Band *j* is split into
    ``max(1, round(2π R cos φ_j / h))`` equal longitude columns, φ_j the band's centre
    latitude, numbered eastward from 180° W; so cells have nearly equal area ≈ h² and
    the grid depends only on the radius (the same school always gets the same beam).
    This stands in for an operator's beam map (spot beams are circles on a hexagonal
    lattice, not square cells); pass the real map to :func:`satellite_service`.
    """
    r = float(ranged("beam_radius_km", beam_radius_km, 1e-6, 20_000.0))
    lat = ranged("lat_deg", lat_deg, -90.0, 90.0)
    lon = ranged("lon_deg", lon_deg, -180.0, 360.0)
    h_km = 2.0 * r
    n_rows = max(1, math.ceil(180.0 * _KM_PER_DEG / h_km))
    row = np.minimum(np.floor((lat + 90.0) * _KM_PER_DEG / h_km), n_rows - 1).astype(np.int64)
    centre_lat = np.clip(-90.0 + (row + 0.5) * h_km / _KM_PER_DEG, -90.0, 90.0)
    circumference_km = 2.0 * math.pi * EARTH_MEAN_RADIUS_KM * np.cos(np.radians(centre_lat))
    n_cols = np.maximum(1, np.round(circumference_km / h_km)).astype(np.int64)
    frac = np.mod(lon + 180.0, 360.0) / 360.0
    col = np.minimum(np.floor(frac * n_cols), n_cols - 1).astype(np.int64)
    ids = [f"b{r_}-{c_}" for r_, c_ in zip(np.ravel(row), np.ravel(col), strict=True)]
    return np.asarray(ids, dtype=np.str_).reshape(np.shape(lat))


class BeamConstraints(NamedTuple):
    """Per-beam capacity constraints ``matrix @ x <= capacity_mbps`` for x in {0, 1}."""

    beam_ids: NDArray[np.str_]
    """Beam ids, sorted (one per row of ``matrix``)."""
    matrix: sparse.csr_matrix
    """CSR (n_beams × n_schools): ``matrix[b, i]`` = committed Mbit/s of school i if it
    is in beam b, else 0 (a structural entry is kept even for a 0 Mbit/s school)."""
    capacity_mbps: FloatArray
    """Capacity of each beam (Mbit/s)."""

    @property
    def members(self) -> list[NDArray[np.int32]]:
        """Column (school) indices in each beam, in row order."""
        ptr, idx = self.matrix.indptr, self.matrix.indices
        return [np.asarray(idx[ptr[b] : ptr[b + 1]]) for b in range(len(self.beam_ids))]


def _beam_codes(beam_id: npt.ArrayLike) -> tuple[NDArray[np.str_], NDArray[np.int64]]:
    ids = np.asarray(beam_id).astype(str)
    if ids.ndim != 1:
        msg = f"beam_id must be one id per school (1-D), got shape {ids.shape}"
        raise InputError(msg, field="beam_id")
    if np.any(ids == "") or np.any(ids == "nan") or np.any(ids == "<NA>"):
        msg = "beam_id must name a beam for every school (empty or missing id found)"
        raise InputError(msg, field="beam_id")
    unique, codes = np.unique(ids, return_inverse=True)
    return unique.astype(np.str_), np.ravel(codes).astype(np.int64)


def _per_beam_capacity(
    capacity_mbps: npt.ArrayLike, codes: NDArray[np.int64], n_beams: int
) -> FloatArray:
    cap = ranged("capacity_mbps", capacity_mbps, 0.0, 1e9)
    if cap.ndim == 0:
        return np.full(n_beams, float(cap))
    if cap.shape != codes.shape:
        msg = f"capacity_mbps must be a scalar or one value per school, got shape {cap.shape}"
        raise InputError(msg, field="capacity_mbps")
    lo = np.full(n_beams, np.inf)
    hi = np.full(n_beams, -np.inf)
    np.minimum.at(lo, codes, cap)
    np.maximum.at(hi, codes, cap)
    if np.any(lo != hi):
        msg = "capacity_mbps differs between schools of the same beam"
        raise InputError(msg, field="capacity_mbps")
    return lo


def beam_constraints(
    *, beam_id: npt.ArrayLike, committed_mbps: npt.ArrayLike, capacity_mbps: npt.ArrayLike
) -> BeamConstraints:
    """Per-beam capacity constraints for the optimiser, as a sparse matrix.

    Parameters
    ----------
    beam_id
        Beam of each school (1-D, any hashable printed as text).
    committed_mbps
        Committed (contended) Mbit/s each school would use if connected, ≥ 0.
    capacity_mbps
        Beam capacity (Mbit/s): a scalar for every beam, or one value per school (equal
        within a beam).

    Returns
    -------
    BeamConstraints
        ``beam_ids`` (sorted), ``matrix`` (scipy CSR, beams × schools) and
        ``capacity_mbps`` so that ``matrix @ x <= capacity_mbps`` for a 0/1 selection x.

    Raises
    ------
    InputError
        For a missing beam id, a negative or non-finite rate, or mismatched shapes.
    """
    unique, codes = _beam_codes(beam_id)
    committed = ranged("committed_mbps", committed_mbps, 0.0, 1e9)
    committed = np.broadcast_to(committed, codes.shape)
    matrix = sparse.csr_matrix(
        (committed.astype(np.float64), (codes, np.arange(codes.size))),
        shape=(unique.size, codes.size),
    )
    matrix.sort_indices()
    capacity = _per_beam_capacity(capacity_mbps, codes, unique.size)
    return BeamConstraints(beam_ids=unique, matrix=matrix, capacity_mbps=capacity)


def beam_table(
    *,
    beam_id: npt.ArrayLike,
    committed_mbps: npt.ArrayLike,
    capacity_mbps: npt.ArrayLike,
    price_usd_per_mbps_month: float,
) -> pd.DataFrame:
    """Beams table: schools, capacity, committed capacity and its monthly price.

    Parameters
    ----------
    beam_id, committed_mbps, capacity_mbps
        As in :func:`beam_constraints`.
    price_usd_per_mbps_month
        Price of committed capacity (USD per Mbit/s per month), ≥ 0.

    Returns
    -------
    pandas.DataFrame
        One row per beam (sorted by id): ``beam_id, n_schools, capacity_mbps,
        committed_mbps`` (sum over the beam's schools), ``price_usd_per_month``
        (committed × price) and ``over_capacity`` (committed > capacity).
    """
    price = float(ranged("price_usd_per_mbps_month", price_usd_per_mbps_month, 0.0, 1e9))
    cons = beam_constraints(
        beam_id=beam_id, committed_mbps=committed_mbps, capacity_mbps=capacity_mbps
    )
    committed = np.asarray(cons.matrix.sum(axis=1), dtype=np.float64).ravel()
    n_schools = np.diff(cons.matrix.indptr).astype(np.int64)
    return pd.DataFrame(
        {
            "beam_id": cons.beam_ids.astype(str),
            "n_schools": n_schools,
            "capacity_mbps": cons.capacity_mbps,
            "committed_mbps": committed,
            "price_usd_per_month": committed * price,
            "over_capacity": committed > cons.capacity_mbps,
        }
    )


# -------------------------------------------------------------------------------- costs


def _electricity(has_electricity: npt.ArrayLike | pd.Series) -> pd.arrays.BooleanArray:
    try:
        values = pd.array(np.asarray(has_electricity, dtype=object), dtype="boolean")
    except (TypeError, ValueError) as exc:
        msg = f"has_electricity must be True, False or missing, got {has_electricity!r}"
        raise InputError(msg, field="has_electricity") from exc
    return values


def satellite_costs(
    *,
    committed_mbps: npt.ArrayLike,
    has_electricity: npt.ArrayLike | pd.Series,
    terminal_capex_usd: float,
    installation_usd: float,
    terminal_power_w: float,
    solar_kit_capex_usd_per_w: float,
    grid_power_usd_per_kwh: float,
    capacity_price_usd_per_mbps_month: float,
    maintenance_usd_per_year: float,
) -> dict[str, NDArray[np.float64] | NDArray[np.bool_] | NDArray[np.str_]]:
    """CAPEX and OPEX of a VSAT terminal per school.

    Parameters
    ----------
    committed_mbps
        Committed capacity bought for the school (Mbit/s), ≥ 0.
    has_electricity
        True / False / missing (``None``, ``pd.NA``) per school.
    terminal_capex_usd, installation_usd
        Terminal kit and its installation (USD).
    terminal_power_w
        Average electrical draw of the terminal (W).
    solar_kit_capex_usd_per_w
        Off-grid solar and battery system per watt of load (USD/W).
    grid_power_usd_per_kwh
        Grid tariff (USD/kWh).
    capacity_price_usd_per_mbps_month
        Price of committed capacity (USD per Mbit/s per month).
    maintenance_usd_per_year
        Terminal maintenance (USD/year).

    Returns
    -------
    dict
        ``geo_capex_usd``, ``geo_opex_usd_per_year`` (the case used: solar where
        ``has_electricity`` is False, grid where True or unknown),
        ``geo_capex_off_grid_usd``, ``geo_opex_off_grid_usd_per_year`` (the solar case,
        for every school, so the unknown ones show both), ``geo_power_source``
        (``"grid"``/``"solar"``) and ``geo_power_assumed`` (True where
        ``has_electricity`` was unknown and grid was assumed).

    Raises
    ------
    InputError
        For a negative amount or an unreadable ``has_electricity``.

    Notes
    -----
    CAPEX = terminal + installation (+ solar kit = USD/W × P_terminal, off grid).
    OPEX = committed × price × 12 + maintenance (+ P_terminal × 8760 h / 1000 × tariff,
    on grid; the solar kit's own upkeep is left to ``maintenance_usd_per_year``).
    """
    committed = ranged("committed_mbps", committed_mbps, 0.0, 1e9)
    amounts = {
        "terminal_capex_usd": terminal_capex_usd,
        "installation_usd": installation_usd,
        "terminal_power_w": terminal_power_w,
        "solar_kit_capex_usd_per_w": solar_kit_capex_usd_per_w,
        "grid_power_usd_per_kwh": grid_power_usd_per_kwh,
        "capacity_price_usd_per_mbps_month": capacity_price_usd_per_mbps_month,
        "maintenance_usd_per_year": maintenance_usd_per_year,
    }
    v = {name: float(ranged(name, value, 0.0, 1e9)) for name, value in amounts.items()}
    power = _electricity(has_electricity)
    known = ~np.asarray(power.isna(), dtype=bool)
    off_grid = known & ~np.asarray(power.fillna(True), dtype=bool)
    if off_grid.shape != committed.shape and committed.ndim != 0:
        msg = f"committed_mbps has {committed.size} values but has_electricity has {off_grid.size}"
        raise InputError(msg, field="committed_mbps")
    committed = np.broadcast_to(committed, off_grid.shape)
    base_capex = v["terminal_capex_usd"] + v["installation_usd"]
    solar_capex = v["solar_kit_capex_usd_per_w"] * v["terminal_power_w"]
    base_opex = (
        committed * v["capacity_price_usd_per_mbps_month"] * 12.0 + (v["maintenance_usd_per_year"])
    )
    energy = v["terminal_power_w"] * HOURS_PER_YEAR / 1000.0 * v["grid_power_usd_per_kwh"]
    capex_grid = np.full(off_grid.shape, base_capex)
    capex_solar = np.full(off_grid.shape, base_capex + solar_capex)
    opex_grid = base_opex + energy
    opex_solar = np.asarray(base_opex, dtype=np.float64).copy()
    return {
        "geo_capex_usd": np.where(off_grid, capex_solar, capex_grid),
        "geo_opex_usd_per_year": np.where(off_grid, opex_solar, opex_grid),
        "geo_capex_off_grid_usd": capex_solar,
        "geo_opex_off_grid_usd_per_year": opex_solar,
        "geo_power_source": np.where(off_grid, "solar", "grid").astype(np.str_),
        "geo_power_assumed": ~known,
    }


# -------------------------------------------------------------------------- composition

_GEO_COLUMNS = (
    "geo_elevation_deg",
    "geo_slant_range_km",
    "geo_status",
    "geo_modcod",
    "geo_forward_mbps",
)


def satellite_service(
    geo: pd.DataFrame,
    schools: pd.DataFrame,
    settings: SatelliteSettings,
    *,
    demand_mbps: float | npt.NDArray[np.float64] = 20.0,
    site_height_m: npt.ArrayLike | None = None,
    beam_id: npt.ArrayLike | None = None,
    unavailability_grid_pct: npt.ArrayLike = DEFAULT_UNAVAILABILITY_GRID_PCT,
    power: CostSettings | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return link, availability, beams, capacity and cost of a GEO service per school.

    Parameters
    ----------
    geo
        The per-school table of :func:`alcance.pipeline.geo_line_of_sight` (uses
        ``geo_elevation_deg, geo_slant_range_km, geo_status, geo_modcod,
        geo_forward_mbps``).
    schools
        The school table (same index): ``latitude_deg, longitude_deg`` and
        ``has_electricity`` (nullable boolean; missing column = unknown).
    settings
        Scenario satellite settings.
    demand_mbps
        Demand per school (Mbit/s), scalar or one per school, ≥ 0.
    site_height_m
        Ground height of each school (m), as the forward link used (the DEM); ``None``
        uses ITU-R P.1511 heights, which can move the availability near the target by
        a few hundredths of a percent.
    beam_id
        Operator's beam per school; ``None`` groups schools with :func:`assign_beams`.
    unavailability_grid_pct
        Time percentages sampled for the availability curve.
    power
        The ``[cost]`` section, whose solar-kit and grid-tariff prices power the
        terminal (one source for every technology); default :class:`CostSettings`.

    Returns
    -------
    tuple of pandas.DataFrame
        Per school (index of ``geo``): ``geo_return_atmospheric_loss_db,
        geo_return_es_n0_db, geo_return_modcod, geo_return_mbps, geo_availability_pct,
        geo_min_modcod_availability_pct, geo_beam_id, geo_feasible_mbps,
        geo_committed_mbps, geo_capex_usd, geo_opex_usd_per_year,
        geo_capex_off_grid_usd, geo_opex_off_grid_usd_per_year, geo_power_source,
        geo_power_assumed``; and the beams table of :func:`beam_table`.

    Raises
    ------
    InputError
        Missing columns, mismatched indexes or bad demand.

    Notes
    -----
    A school can be served when its status is ``clear`` or ``unverified``, the satellite
    is at ≥ 5° and both the forward and the return link close at the target
    availability. Otherwise: return NaN/"none"/0, availabilities NaN,
    ``geo_feasible_mbps = 0``, ``geo_committed_mbps = 0`` and costs NaN (no satellite
    option). ``geo_feasible_mbps = min(forward carrier Mbit/s, beam capacity)``;
    ``geo_committed_mbps = demand / contention_ratio`` (not capped by the carrier).
    """
    missing = [c for c in _GEO_COLUMNS if c not in geo.columns]
    missing += [c for c in ("latitude_deg", "longitude_deg") if c not in schools.columns]
    if missing:
        msg = f"satellite_service needs columns {missing}"
        raise InputError(msg, field=missing[0])
    if not geo.index.equals(schools.index):
        msg = "geo and schools must share the same index (one row per school, same order)"
        raise InputError(msg)
    n = len(geo)
    lat = schools["latitude_deg"].to_numpy(dtype=np.float64)
    lon = schools["longitude_deg"].to_numpy(dtype=np.float64)
    el = geo["geo_elevation_deg"].to_numpy(dtype=np.float64)
    rng_km = geo["geo_slant_range_km"].to_numpy(dtype=np.float64)
    status = geo["geo_status"].astype(str).to_numpy()
    forward_mbps = geo["geo_forward_mbps"].to_numpy(dtype=np.float64)
    usable = np.isin(status, USABLE_STATUSES) & (el >= MIN_ITUR_ELEVATION_DEG)
    demand = np.broadcast_to(ranged("demand_mbps", demand_mbps, 0.0, 1e6), (n,))

    ret = return_link(
        lat_deg=lat,
        lon_deg=lon,
        elevation_deg=el,
        slant_range_km=rng_km,
        settings=settings,
        site_height_m=site_height_m,
        usable=usable,
    )
    avail = forward_availability(
        lat_deg=lat,
        lon_deg=lon,
        elevation_deg=el,
        slant_range_km=rng_km,
        modcod=geo["geo_modcod"].astype(str).to_numpy(),
        settings=settings,
        site_height_m=site_height_m,
        usable=usable,
        unavailability_grid_pct=unavailability_grid_pct,
    )
    beams = (
        assign_beams(lat_deg=lat, lon_deg=lon, beam_radius_km=settings.beam_radius_km)
        if beam_id is None
        else np.asarray(beam_id).astype(str)
    )
    if beams.shape != (n,):
        msg = f"beam_id must have one value per school ({n}), got shape {beams.shape}"
        raise InputError(msg, field="beam_id")
    served = usable & (forward_mbps > 0) & (ret.mbps > 0)
    feasible = np.where(served, np.minimum(forward_mbps, settings.beam_capacity_mbps), 0.0)
    committed = np.where(served, demand / settings.contention_ratio, 0.0)
    has_power = (
        schools["has_electricity"]
        if "has_electricity" in schools.columns
        else pd.Series(pd.array([None] * n, dtype="boolean"))
    )
    power = power if power is not None else CostSettings()
    costs = satellite_costs(
        committed_mbps=committed,
        has_electricity=has_power,
        terminal_capex_usd=settings.terminal_capex_usd,
        installation_usd=settings.installation_usd,
        terminal_power_w=settings.terminal_power_w,
        solar_kit_capex_usd_per_w=power.solar_kit_capex_usd_per_w,
        grid_power_usd_per_kwh=power.grid_power_usd_per_kwh,
        capacity_price_usd_per_mbps_month=settings.capacity_price_usd_per_mbps_month,
        maintenance_usd_per_year=settings.maintenance_usd_per_year,
    )
    for name in (
        "geo_capex_usd",
        "geo_opex_usd_per_year",
        "geo_capex_off_grid_usd",
        "geo_opex_off_grid_usd_per_year",
    ):
        costs[name] = np.where(served, costs[name], np.nan)
    table = pd.DataFrame(
        {
            "geo_return_atmospheric_loss_db": ret.atmospheric_loss_db,
            "geo_return_es_n0_db": ret.es_n0_db,
            "geo_return_modcod": ret.modcod,
            "geo_return_mbps": ret.mbps,
            "geo_availability_pct": avail["geo_availability_pct"],
            "geo_min_modcod_availability_pct": avail["geo_min_modcod_availability_pct"],
            "geo_beam_id": beams,
            "geo_feasible_mbps": feasible,
            "geo_committed_mbps": committed,
            **costs,
        },
        index=geo.index,
    )
    beams_table = beam_table(
        beam_id=beams,
        committed_mbps=committed,
        capacity_mbps=settings.beam_capacity_mbps,
        price_usd_per_mbps_month=settings.capacity_price_usd_per_mbps_month,
    )
    return table, beams_table
