"""Radio-access (LTE/5G) kernels: antenna patterns, link budget and throughput.

Pure, vectorised functions over many tower–school pairs; no I/O.
"""

from __future__ import annotations

from alcance.radio.antenna import elevation_angle_deg, pattern_attenuation_db, sector_gain_dbi
from alcance.radio.link_budget import (
    best_server,
    received_power_dbm,
    rsrp_dbm,
    sinr_db,
    thermal_noise_dbm,
    uplink_snr_db,
)
from alcance.radio.throughput import (
    cell_throughput_mbps,
    per_user_mbps,
    spectral_efficiency_bps_per_hz,
)

__all__ = [
    "best_server",
    "cell_throughput_mbps",
    "elevation_angle_deg",
    "pattern_attenuation_db",
    "per_user_mbps",
    "received_power_dbm",
    "rsrp_dbm",
    "sector_gain_dbi",
    "sinr_db",
    "spectral_efficiency_bps_per_hz",
    "thermal_noise_dbm",
    "uplink_snr_db",
]
