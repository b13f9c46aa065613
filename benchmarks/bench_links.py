"""End-to-end tower → school links per second on real terrain, against a per-link loop.

Each link is what :func:`alcance.coverage.links.evaluate_links` does per pair: the WGS 84
geodesic (azimuth), the terrain profile and the NTIA ITM v1.4 point-to-point loss
(:func:`alcance.coverage.links.path_loss`), the elevation angle, the TR 36.814 sector
gain and the received-power sum. Links are seeded random tower–school pairs on the Lima
Andes SRTM3 DEM (``shared/data/peru-lima-andes``), both ends on land, 1–35 km apart
(the pairs of ``bench_profiles.py``), 30 m masts, 6 m CPE, 850 MHz, three-sector sites.

The reference, in the same process, is the per-link loop one would write with Alcance's
scalar API: one ``sample_profiles`` call, one scalar
:func:`alcance.propagation.itm.itm_p2p_tls`, one ``sector_gain_dbi`` per link, timed on
a sample and extrapolated; both give the same received power.

* Quick mode (default, part of the test run): 5,000 links, 60 loop links.
* Full mode (``ALCANCE_BENCH_FULL=1``): 100,000 links, 300 loop links.

Run with ``pytest -s benchmarks/bench_links.py`` to see the figures. Target:
≥ 200,000 links/s on 2 cores (see ``benchmarks/links.md`` for what was measured).
"""

from __future__ import annotations

import math
import os
import time
import warnings
from pathlib import Path

import numba
import numpy as np
import pytest
from numpy.typing import NDArray

from alcance.coverage.links import CLIMATE_CODES, MDVAR_CODES, path_loss
from alcance.io.terrain import open_dem
from alcance.propagation.itm import (
    ItmWarning,
    ground_constants,
    itm_p2p_tls,
    itm_p2p_tls_profiles,
)
from alcance.radio.antenna import elevation_angle_deg, sector_gain_dbi
from alcance.scenario import RadioSettings
from alcance.terrain import TerrainGrid, sample_profiles
from alcance.terrain.geodesic import geodesic_inverse
from benchmarks.bench_profiles import tower_school_pairs

FULL = os.environ.get("ALCANCE_BENCH_FULL", "") == "1"
N_LINKS = 100_000 if FULL else 5_000
N_LOOP = 300 if FULL else 60
DEM = "peru-lima-andes/dem_srtm3_lima_andes.tif"
TARGET_LINKS_PER_S = 200_000
FREQ_MHZ = 850.0
H_TX_M = 30.0
H_RX_M = 6.0
EIRP_DBM = 46.0 + 14.0 - 2.0
MAX_GAIN_DBI = 14.0
CPE_NET_DB = 12.0 - 1.0

pytestmark = pytest.mark.shared

Pairs = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


def links_batched(
    grid: TerrainGrid, pairs: Pairs, boresight_deg: NDArray[np.float64], radio: RadioSettings
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Received power (dBm) and path loss (dB) of every link, batched."""
    lon1, lat1, lon2, lat2 = pairs
    n = lon1.size
    losses = path_loss(
        grid, tx_lon_deg=lon1, tx_lat_deg=lat1, rx_lon_deg=lon2, rx_lat_deg=lat2,
        h_tx_m=np.full(n, H_TX_M), h_rx_m=H_RX_M, freq_mhz=np.full(n, FREQ_MHZ), radio=radio,
    )  # fmt: skip
    elevation = elevation_angle_deg(
        tx_height_amsl_m=losses.tx_ground_m + H_TX_M,
        rx_height_amsl_m=losses.rx_ground_m + H_RX_M,
        distance_m=losses.distance_m,
    )
    gain = sector_gain_dbi(
        azimuth_to_target_deg=losses.azimuth_deg,
        elevation_to_target_deg=elevation, boresight_azimuth_deg=boresight_deg,
        downtilt_deg=np.full(n, radio.downtilt_deg), max_gain_dbi=MAX_GAIN_DBI,
        h_beamwidth_deg=radio.sector_h_beamwidth_deg, v_beamwidth_deg=radio.sector_v_beamwidth_deg,
    )  # fmt: skip
    rx = EIRP_DBM + (np.asarray(gain) - MAX_GAIN_DBI) - losses.loss_db + CPE_NET_DB
    return np.asarray(rx, dtype=float), losses.loss_db


def links_loop(
    grid: TerrainGrid, pairs: Pairs, boresight_deg: NDArray[np.float64], radio: RadioSettings
) -> NDArray[np.float64]:
    """The reference: one link at a time through the scalar API (its ITM warnings,
    which the batched path returns as flags, are silenced)."""
    out = np.empty(pairs[0].size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ItmWarning)
        _loop_body(grid, pairs, boresight_deg, radio, out)
    return out


def _loop_body(
    grid: TerrainGrid,
    pairs: Pairs,
    boresight_deg: NDArray[np.float64],
    radio: RadioSettings,
    out: NDArray[np.float64],
) -> None:
    for i, (lon1, lat1, lon2, lat2) in enumerate(zip(*pairs, strict=True)):
        inv = geodesic_inverse(lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2)
        prof = sample_profiles(grid, lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2)
        z = prof.elevation_of(0)
        itm = itm_p2p_tls(
            elevation_m=z, spacing_m=float(prof.spacing_m[0]), h_tx_m=H_TX_M, h_rx_m=H_RX_M,
            climate=CLIMATE_CODES[radio.climate], n_0_n_units=radio.surface_refractivity_n_units,
            freq_mhz=FREQ_MHZ, polarization="vertical", ground=radio.ground,
            mdvar=MDVAR_CODES[radio.variability_mode], time_pct=radio.reliability_pct,
            location_pct=radio.reliability_pct, situation_pct=radio.confidence_pct,
        )  # fmt: skip
        elevation = elevation_angle_deg(
            tx_height_amsl_m=z[0] + H_TX_M, rx_height_amsl_m=z[-1] + H_RX_M,
            distance_m=float(prof.distance_m[0]),
        )  # fmt: skip
        gain = sector_gain_dbi(
            azimuth_to_target_deg=float(np.mod(np.asarray(inv.azimuth_deg).ravel()[0], 360.0)),
            elevation_to_target_deg=float(elevation), boresight_azimuth_deg=float(boresight_deg[i]),
            downtilt_deg=radio.downtilt_deg, max_gain_dbi=MAX_GAIN_DBI,
            h_beamwidth_deg=radio.sector_h_beamwidth_deg, v_beamwidth_deg=radio.sector_v_beamwidth_deg,
        )  # fmt: skip
        out[i] = EIRP_DBM + (float(gain) - MAX_GAIN_DBI) - itm.loss_db + CPE_NET_DB


def test_links_per_second_against_scalar_loop(shared_data: Path) -> None:
    path = shared_data / DEM
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    pairs = tower_school_pairs(path, N_LINKS)
    with open_dem(path) as dem:
        west, south, east, north = dem.bounds
        grid = dem.read(west, south, east, north)
    radio = RadioSettings()
    rng = np.random.default_rng(11)
    boresight = rng.choice(np.array([0.0, 120.0, 240.0]), N_LINKS) + rng.uniform(0, 30, N_LINKS)

    # Warm-up (Numba cache load or compile), then time.
    warm = tuple(p[:20] for p in pairs)
    links_batched(grid, warm, boresight[:20], radio)  # type: ignore[arg-type]
    links_loop(grid, warm, boresight[:20], radio)  # type: ignore[arg-type]
    start = time.perf_counter()
    rx, loss = links_batched(grid, pairs, boresight, radio)
    batched_s = time.perf_counter() - start
    rate = N_LINKS / batched_s

    # Where the time goes (same links): profiles, then ITM on those profiles.
    start = time.perf_counter()
    profiles = sample_profiles(grid, lon1_deg=pairs[0], lat1_deg=pairs[1],
                               lon2_deg=pairs[2], lat2_deg=pairs[3])  # fmt: skip
    profile_s = time.perf_counter() - start
    ground = ground_constants(radio.ground)
    start = time.perf_counter()
    itm_p2p_tls_profiles(
        profiles, h_tx_m=H_TX_M, h_rx_m=H_RX_M, climate=CLIMATE_CODES[radio.climate],
        n_0_n_units=radio.surface_refractivity_n_units, freq_mhz=FREQ_MHZ, polarization=1,
        epsilon_r=ground.epsilon_r, sigma_s_per_m=ground.sigma_s_per_m,
        mdvar=MDVAR_CODES[radio.variability_mode], time_pct=50.0, location_pct=50.0,
        situation_pct=50.0,
    )  # fmt: skip
    itm_s = time.perf_counter() - start

    subset = tuple(p[:N_LOOP] for p in pairs)
    start = time.perf_counter()
    reference = links_loop(grid, subset, boresight[:N_LOOP], radio)  # type: ignore[arg-type]
    loop_s = time.perf_counter() - start
    loop_rate = N_LOOP / loop_s
    ratio = rate / loop_rate

    assert np.isfinite(loss).all()
    assert np.isfinite(rx).all()
    assert (loss > 80.0).all()
    assert (loss < 350.0).all()
    np.testing.assert_allclose(rx[:N_LOOP], reference, rtol=0, atol=1e-9)
    points = int(profiles.n_points.sum())
    print(
        f"\n[bench_links] {'FULL' if FULL else 'quick'}: {N_LINKS:,} tower→school links "
        f"(1–35 km, {FREQ_MHZ:.0f} MHz, {H_TX_M:.0f} m mast, {H_RX_M:.0f} m CPE, "
        f"{points / N_LINKS:.0f} points/profile) on {path.name}, "
        f"{numba.get_num_threads()} Numba threads\n"
        f"  batched  : {batched_s:.3f} s = {rate:,.0f} links/s "
        f"(target {TARGET_LINKS_PER_S:,}: {rate / TARGET_LINKS_PER_S:.2f}x of it)\n"
        f"    of which profiles {profile_s:.3f} s ({N_LINKS / profile_s:,.0f}/s), "
        f"ITM {itm_s:.3f} s ({N_LINKS / itm_s:,.0f}/s), rest (path_loss's full-array "
        f"copies, geodesic azimuth, elevation, sector gain, sum) {batched_s - profile_s - itm_s:.3f} s\n"
        f"  loop     : {N_LOOP} links in {loop_s:.2f} s = {loop_rate:,.1f} links/s "
        "(scalar sample_profiles + itm_p2p_tls + sector_gain_dbi)\n"
        f"  ratio    : {ratio:,.0f}x; 100,000 links: {100_000 / rate:.2f} s batched, "
        f"~{100_000 / loop_rate / 60:.1f} min looped"
    )
    assert ratio > (5.0 if FULL else 2.0)
    assert math.isfinite(rate)
