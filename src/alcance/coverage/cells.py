"""Radio parameters of every existing cell, from the tower file or the scenario's defaults.

Pure: a cell table in (``alcance.io.read_towers``), a resolved table out, with a
``defaults_used`` column naming every value that came from the scenario rather than
from the tower file, and notes for the run's report.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from alcance.scenario import RadioSettings

__all__ = [
    "DEFAULT_FREQ_MHZ",
    "TECHNOLOGIES",
    "UPLINK_PEAK_MBPS",
    "channel_keys",
    "operator_key",
    "resolve_cells",
]

#: Technologies evaluated, from the least to the most capable.
TECHNOLOGIES: tuple[str, ...] = ("GSM", "UMTS", "LTE", "NR")

#: Frequency assumed where the tower file gives none (MHz): the Latin American coverage
#: layers (GSM/UMTS band 5 at 850 MHz, LTE band 28 at 700 MHz, NR n78 at 3.5 GHz).
DEFAULT_FREQ_MHZ: dict[str, float] = {"GSM": 850.0, "UMTS": 850.0, "LTE": 700.0, "NR": 3500.0}

#: Channel bandwidth of the narrowband technologies (MHz): a GSM carrier (3GPP TS 45.005
#: §2: 200 kHz spacing) and a UMTS carrier (TS 25.104 §5.8: 5 MHz nominal spacing).
FIXED_BANDWIDTH_MHZ: dict[str, float] = {"GSM": 0.2, "UMTS": 5.0}

#: Peak uplink rate per technology where no channel model is used (Mbit/s): EDGE with 2
#: uplink timeslots of MCS-9 (TS 44.060), HSUPA category 6 (TS 25.306 Table 5.1g: 5.76).
UPLINK_PEAK_MBPS: dict[str, float] = {"GSM": 0.118, "UMTS": 5.76}

_WORD = re.compile(r"[a-z0-9]+")


def operator_key(name: object) -> str:
    """A coarse operator key: the first word of the name, lower-case ("CLARO CHILE S.A." →
    "claro"); several names of one operator in a registry fall together, and cells of
    different operators never interfere (they hold different carriers)."""
    if not isinstance(name, str):
        return ""
    words = _WORD.findall(name.split(";")[0].lower())
    return words[0] if words else ""


def channel_keys(cells: pd.DataFrame) -> np.ndarray:
    """Integer carrier id per cell: same operator, technology and frequency → same id."""
    keys = (
        cells["operator"].map(operator_key).astype(str)
        + "|"
        + cells["technology_used"].astype(str)
        + "|"
        + cells["freq_used_mhz"].round(1).astype(str)
    )
    codes, _ = pd.factorize(keys)
    return np.asarray(codes, dtype=np.int64)


def resolve_cells(
    cells: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    radio: RadioSettings,
    tower_height_m: float,
) -> tuple[pd.DataFrame, list[str]]:
    """Radio parameters per cell, filling gaps from the scenario.

    Parameters
    ----------
    cells, sites
        ``Towers.cells`` and ``Towers.sites`` from :func:`alcance.io.read_towers`; the
        sites table carries ``on_terrain``.
    radio
        The scenario's radio defaults.
    tower_height_m
        Antenna height where the tower file has none (m).

    Returns
    -------
    (pandas.DataFrame, list[str])
        The cells with ``technology_used``, ``freq_used_mhz``, ``height_used_m``,
        ``bandwidth_used_mhz``, ``gain_used_dbi``, ``eirp_used_dbm`` (boresight EIRP
        after feeder loss), ``azimuth_used_deg`` (NaN = omnidirectional),
        ``downtilt_used_deg``, ``h_beamwidth_used_deg``, ``v_beamwidth_used_deg``,
        ``peak_mbps`` (cap of GSM/UMTS, inf otherwise), ``channel``, ``on_terrain``,
        ``evaluated`` and ``defaults_used``; and notes on what was assumed.

    Notes
    -----
    EIRP: taken from the tower file when given (it already includes the antenna gain
    and feeder loss); otherwise transmit power (per technology) + sector gain − feeder
    loss. Cells without an azimuth are omnidirectional in azimuth (3 sectors' power over
    360°, see :func:`alcance.radio.antenna.sector_gain_dbi`).
    """
    out = cells.copy()
    n = len(out)
    used: list[list[str]] = [[] for _ in range(n)]
    notes: list[str] = []

    tech = out["technology"].astype(str).to_numpy()
    unknown = ~np.isin(tech, TECHNOLOGIES)
    for i in np.flatnonzero(unknown):
        used[i].append("technology")
    tech = np.where(unknown, radio.unknown_technology, tech)
    if unknown.any():
        ids = ", ".join(str(c) for c in out["cell_id"].to_numpy()[unknown])
        notes.append(
            f"{int(unknown.sum())} cell(s) with no known technology ({ids}) modelled as "
            f"{radio.unknown_technology} (scenario radio.unknown_technology)"
        )
    out["technology_used"] = tech

    def fill(column: str, default: np.ndarray, label: str) -> np.ndarray:
        given = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float)
        missing = ~np.isfinite(given)
        for i in np.flatnonzero(missing):
            used[i].append(label)
        return np.where(missing, default, given)

    freq_default = np.array([DEFAULT_FREQ_MHZ[t] for t in tech], dtype=float)
    out["freq_used_mhz"] = fill("freq_mhz", freq_default, "freq")
    out["height_used_m"] = fill("height_m", np.full(n, tower_height_m), "height")
    bw_default = np.array(
        [
            FIXED_BANDWIDTH_MHZ.get(
                t, radio.lte_bandwidth_mhz if t == "LTE" else radio.nr_bandwidth_mhz
            )
            for t in tech
        ],
        dtype=float,
    )
    bandwidth = fill("bandwidth_mhz", bw_default, "bandwidth")
    # GSM and UMTS carriers have fixed widths whatever a registry says.
    fixed = np.array([t in FIXED_BANDWIDTH_MHZ for t in tech])
    out["bandwidth_used_mhz"] = np.where(fixed, bw_default, bandwidth)
    gain = fill("antenna_gain_dbi", np.full(n, radio.sector_gain_dbi), "gain")
    out["gain_used_dbi"] = gain
    power = np.array(
        [
            {
                "GSM": radio.gsm_tx_power_dbm,
                "UMTS": radio.umts_tx_power_dbm,
                "LTE": radio.lte_tx_power_dbm,
                "NR": radio.nr_tx_power_dbm,
            }[t]
            for t in tech
        ],
        dtype=float,
    )
    out["eirp_used_dbm"] = fill("eirp_dbm", power + gain - radio.feeder_loss_db, "eirp")
    azimuth = pd.to_numeric(out["azimuth_deg"], errors="coerce").to_numpy(dtype=float)
    for i in np.flatnonzero(~np.isfinite(azimuth)):
        used[i].append("azimuth(omni)")
    out["azimuth_used_deg"] = azimuth
    out["downtilt_used_deg"] = fill("tilt_deg", np.full(n, radio.downtilt_deg), "tilt")
    out["h_beamwidth_used_deg"] = fill(
        "h_beamwidth_deg", np.full(n, radio.sector_h_beamwidth_deg), "h_beamwidth"
    )
    out["v_beamwidth_used_deg"] = fill(
        "v_beamwidth_deg", np.full(n, radio.sector_v_beamwidth_deg), "v_beamwidth"
    )
    out["peak_mbps"] = np.array(
        [{"GSM": radio.gsm_peak_mbps, "UMTS": radio.umts_peak_mbps}.get(t, math.inf) for t in tech],
        dtype=float,
    )
    out["channel"] = channel_keys(out)
    on_terrain = sites.set_index("site_id")["on_terrain"] if "on_terrain" in sites else None
    if on_terrain is not None:
        out["on_terrain"] = out["site_id"].map(on_terrain).fillna(False).astype(bool).to_numpy()
    else:
        out["on_terrain"] = True
    out["evaluated"] = out["on_terrain"].to_numpy(dtype=bool)
    out["defaults_used"] = [",".join(u) for u in used]

    counts: dict[str, int] = {}
    for u in used:
        for label in u:
            counts[label] = counts.get(label, 0) + 1
    if counts:
        parts = ", ".join(f"{label} for {k}" for label, k in sorted(counts.items()))
        notes.append(f"scenario defaults used ({n} cells): {parts}")
    off = ~out["evaluated"].to_numpy(dtype=bool)
    if off.any():
        site_ids = sorted({str(s) for s in out["site_id"].to_numpy()[off]})
        notes.append(
            f"{int(off.sum())} cell(s) at {len(site_ids)} site(s) outside the terrain "
            f"({', '.join(site_ids)}) were not evaluated: with no terrain profile their "
            "coverage cannot be predicted, so today's coverage is a lower bound near them"
        )
    return out, notes
