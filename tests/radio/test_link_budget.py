"""LTE link budget: received power, RSRP, noise, SINR, best server and uplink."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alcance.errors import InputError
from alcance.radio.link_budget import (
    RESOURCE_BLOCKS_BY_BANDWIDTH_MHZ,
    best_server,
    eirp_dbm,
    received_power_dbm,
    resource_blocks,
    rsrp_dbm,
    sinr_db,
    thermal_noise_dbm,
    uplink_snr_db,
)


def test_received_power_sum() -> None:
    got = received_power_dbm(
        eirp_dbm=60.0,
        path_loss_db=130.0,
        tx_antenna_gain_rel_db=-3.0,
        rx_gain_dbi=12.0,
        rx_losses_db=2.0,
    )
    assert got == pytest.approx(60.0 - 3.0 - 130.0 + 12.0 - 2.0)
    assert type(got) is float
    assert eirp_dbm(tx_power_dbm=46.0, max_gain_dbi=17.0, tx_losses_db=3.0) == pytest.approx(60.0)


@pytest.mark.parametrize(("bandwidth_mhz", "n_rb"), list(RESOURCE_BLOCKS_BY_BANDWIDTH_MHZ.items()))
def test_resource_blocks_table(bandwidth_mhz: float, n_rb: int) -> None:
    assert int(resource_blocks(bandwidth_mhz=bandwidth_mhz)) == n_rb


def test_resource_blocks_unknown_bandwidth() -> None:
    with pytest.raises(InputError, match="bandwidth_mhz") as info:
        resource_blocks(bandwidth_mhz=np.array([10.0, 7.0]))
    assert info.value.field == "bandwidth_mhz"


def test_rsrp_10_mhz() -> None:
    # 10 log10(12 x 50) = 27.78 dB
    assert rsrp_dbm(rx_power_total_dbm=-60.0, bandwidth_mhz=10.0) == pytest.approx(
        -60.0 - 27.7815, abs=1e-4
    )
    got = rsrp_dbm(rx_power_total_dbm=np.array([-50.0, -70.0]), bandwidth_mhz=np.array([20.0, 1.4]))
    np.testing.assert_allclose(got, [-50.0 - 10 * math.log10(1200), -70.0 - 10 * math.log10(72)])


def test_thermal_noise_20_mhz() -> None:
    # -174 + 10 log10(20e6) + 7 = -174 + 73.01 + 7 = -93.99 dBm
    assert thermal_noise_dbm(bandwidth_mhz=20.0, noise_figure_db=7.0) == pytest.approx(
        -93.99, abs=0.005
    )
    # one 15 kHz resource element, NF 0: -174 + 41.76
    assert thermal_noise_dbm(bandwidth_mhz=0.015, noise_figure_db=0.0) == pytest.approx(
        -132.239, abs=1e-3
    )


def test_sinr_hand_values() -> None:
    # no interferers: SNR = S - N
    s = sinr_db(
        serving_rx_dbm=np.array([-80.0]),
        interferer_rx_dbm=np.full((1, 2), np.nan),
        noise_dbm=-100.0,
    )
    np.testing.assert_allclose(s, [20.0])
    # one interferer equal to noise at full load: S - (N + 3.01)
    s = sinr_db(serving_rx_dbm=-80.0, interferer_rx_dbm=[-100.0], noise_dbm=-100.0)
    assert s == pytest.approx(20.0 - 10.0 * math.log10(2.0))
    # half load halves the interference
    s = sinr_db(serving_rx_dbm=-80.0, interferer_rx_dbm=[-100.0], noise_dbm=-100.0, load_factor=0.5)
    assert s == pytest.approx(20.0 - 10.0 * math.log10(1.5))
    # zero load: no interference
    s = sinr_db(serving_rx_dbm=-80.0, interferer_rx_dbm=[-60.0], noise_dbm=-100.0, load_factor=0.0)
    assert s == pytest.approx(20.0)


def test_sinr_shape_and_range_errors() -> None:
    with pytest.raises(InputError, match="interferer_rx_dbm"):
        sinr_db(serving_rx_dbm=[-80.0, -90.0], interferer_rx_dbm=[-100.0], noise_dbm=-100.0)
    with pytest.raises(InputError, match="load_factor"):
        sinr_db(serving_rx_dbm=-80.0, interferer_rx_dbm=[-100.0], noise_dbm=-100.0, load_factor=1.5)


@settings(max_examples=100, deadline=None)
@given(
    s=st.floats(-140.0, -30.0),
    i=st.lists(st.floats(-160.0, -30.0) | st.just(math.nan), min_size=0, max_size=5),
    n=st.floats(-130.0, -90.0),
    load=st.floats(0.0, 1.0),
)
def test_sinr_bounded_by_snr(s: float, i: list[float], n: float, load: float) -> None:
    got = sinr_db(serving_rx_dbm=s, interferer_rx_dbm=i, noise_dbm=n, load_factor=load)
    assert got <= s - n + 1e-9


def test_best_server() -> None:
    rx = np.array(
        [
            [-80.0, -90.0, np.nan],  # cell 0 serves, cell 1 interferes
            [np.nan, np.nan, np.nan],  # no candidate
            [-100.0, -70.0, -70.5],  # cell 1 serves, 0 and 2 interfere
        ]
    )
    out = best_server(rx_dbm=rx, noise_dbm=-200.0)
    np.testing.assert_array_equal(out.cell_index, [0, -1, 1])
    np.testing.assert_allclose(out.rx_dbm, [-80.0, np.nan, -70.0])
    i2 = 10.0 * math.log10(10 ** (-10.0) + 10 ** (-7.05))
    np.testing.assert_allclose(out.sinr_db, [10.0, np.nan, -70.0 - i2], atol=1e-9)
    # different carriers: cell 2 on another channel does not interfere with cell 1
    out = best_server(rx_dbm=rx, noise_dbm=-200.0, channel_id=np.array([1, 1, 2]))
    assert out.sinr_db[2] == pytest.approx(30.0, abs=1e-6)
    # vectorised rows equal single-row calls
    for r in range(3):
        single = best_server(rx_dbm=rx[r : r + 1], noise_dbm=-200.0)
        assert single.cell_index[0] == best_server(rx_dbm=rx, noise_dbm=-200.0).cell_index[r]


def test_best_server_needs_2d() -> None:
    with pytest.raises(InputError, match="rx_dbm"):
        best_server(rx_dbm=[-80.0, -90.0], noise_dbm=-100.0)


def test_uplink_snr() -> None:
    # 23 dBm + 0 - 130 + 17 = -90 dBm over 6 RB (1.08 MHz), NF 3: N = -174 + 60.33 + 3
    got = uplink_snr_db(
        path_loss_db=130.0, tower_gain_dbi=17.0, tower_noise_figure_db=3.0, allocated_rbs=6
    )
    expected = -90.0 - (-174.0 + 10.0 * math.log10(1.08e6) + 3.0)
    assert got == pytest.approx(expected)
    vec = uplink_snr_db(
        path_loss_db=np.array([120.0, 130.0]),
        tower_gain_dbi=17.0,
        tower_noise_figure_db=3.0,
        allocated_rbs=6,
    )
    np.testing.assert_allclose(vec, [expected + 10.0, expected])
    with pytest.raises(InputError, match="allocated_rbs"):
        uplink_snr_db(
            path_loss_db=130.0, tower_gain_dbi=17.0, tower_noise_figure_db=3.0, allocated_rbs=0
        )


@pytest.mark.parametrize(
    ("field", "call"),
    [
        ("path_loss_db", lambda: received_power_dbm(eirp_dbm=60.0, path_loss_db=-1.0)),
        (
            "tx_antenna_gain_rel_db",
            lambda: received_power_dbm(
                eirp_dbm=60.0, path_loss_db=100.0, tx_antenna_gain_rel_db=1.0
            ),
        ),
        (
            "rx_losses_db",
            lambda: received_power_dbm(eirp_dbm=60, path_loss_db=100, rx_losses_db=-1),
        ),
        ("noise_figure_db", lambda: thermal_noise_dbm(bandwidth_mhz=10.0, noise_figure_db=-1.0)),
        ("bandwidth_mhz", lambda: thermal_noise_dbm(bandwidth_mhz=0.0, noise_figure_db=5.0)),
    ],
)
def test_bad_input_names_the_parameter(field: str, call: object) -> None:
    assert callable(call)
    with pytest.raises(InputError, match=field) as info:
        call()
    assert info.value.field == field
