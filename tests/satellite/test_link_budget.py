"""Tests of the satellite link budget (hand-checked values, vectorisation, bad input)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from alcance.errors import InputError
from alcance.propagation.freespace import free_space_loss_db
from alcance.satellite.link_budget import (
    c_over_n0_dbhz,
    combine_cn_db,
    dish_gain_dbi,
    es_over_n0_db,
    g_over_t_db_per_k,
    symbol_rate_mbaud_for_bandwidth,
    system_noise_temperature_k,
    throughput_mbps,
)


def test_dish_gain_hand_value() -> None:
    # 1.2 m at 12 GHz, eta 0.65: lambda = 0.0249827 m, pi D / lambda = 150.90,
    # 20 log10(150.90) = 43.574 dB, 10 log10(0.65) = -1.871 dB -> 41.70 dBi.
    assert dish_gain_dbi(diameter_m=1.2, freq_ghz=12.0) == pytest.approx(41.70, abs=0.01)
    # Doubling the diameter adds 6.02 dB.
    assert dish_gain_dbi(diameter_m=2.4, freq_ghz=12.0) - dish_gain_dbi(
        diameter_m=1.2, freq_ghz=12.0
    ) == pytest.approx(20 * math.log10(2), abs=1e-9)


def test_free_space_loss_geo() -> None:
    # 32.45 + 20 log10(38 000 km) + 20 log10(12 000 MHz) = 32.45 + 91.60 + 81.58 = 205.63 dB
    assert free_space_loss_db(distance_m=38_000e3, freq_mhz=12_000.0) == pytest.approx(
        205.6, abs=0.05
    )


def test_system_noise_temperature_and_g_over_t() -> None:
    # NF 0.8 dB: F = 1.2023, T_LNB = 290 (F - 1) = 58.66 K; T_sys = 40 + 58.66 = 98.66 K.
    t_sys = system_noise_temperature_k(antenna_noise_temperature_k=40.0, lnb_noise_figure_db=0.8)
    assert t_sys == pytest.approx(98.66, abs=0.01)
    assert system_noise_temperature_k(
        antenna_noise_temperature_k=50.0, lnb_noise_figure_db=0.0
    ) == pytest.approx(50.0)
    # G/T = 41.70 - 10 log10(98.66) = 41.70 - 19.94 = 21.76 dB/K.
    gt = g_over_t_db_per_k(gain_dbi=41.70, system_noise_temperature_k=t_sys)
    assert gt == pytest.approx(21.76, abs=0.01)


def test_c_over_n0_hand_example() -> None:
    eirp, fsl, atm, other, gt = 52.0, 205.6, 0.5, 0.3, 20.0
    # 52 - 205.6 - 0.5 - 0.3 + 20 + 228.6 = 94.2 dBHz
    expected = eirp - fsl - atm - other + gt + 228.6
    assert expected == pytest.approx(94.2)
    got = c_over_n0_dbhz(
        eirp_dbw=eirp,
        g_over_t_db_per_k=gt,
        free_space_loss_db=fsl,
        atmospheric_loss_db=atm,
        other_losses_db=other,
    )
    assert got == pytest.approx(94.2, abs=1e-9)
    # Default other_losses_db is 0.
    assert c_over_n0_dbhz(
        eirp_dbw=eirp, g_over_t_db_per_k=gt, free_space_loss_db=fsl, atmospheric_loss_db=atm
    ) == pytest.approx(94.5, abs=1e-9)


def test_es_over_n0_hand_value() -> None:
    # 94.2 - 10 log10(30e6) = 94.2 - 74.771 = 19.429 dB
    assert es_over_n0_db(c_over_n0_dbhz=94.2, symbol_rate_mbaud=30.0) == pytest.approx(
        19.429, abs=1e-3
    )
    assert es_over_n0_db(c_over_n0_dbhz=70.0, symbol_rate_mbaud=1.0) == pytest.approx(10.0)


def test_combine_cn() -> None:
    assert combine_cn_db(10.0, 10.0) == pytest.approx(10 - 10 * math.log10(2))
    assert combine_cn_db(20.0, 20.0, 20.0) == pytest.approx(20 - 10 * math.log10(3))
    # 1/31.623 + 1/63.096 + 1/100 = 0.057472 -> 12.405 dB
    assert combine_cn_db(15.0, 18.0, 20.0) == pytest.approx(12.405, abs=1e-3)
    assert combine_cn_db(12.3) == pytest.approx(12.3)
    # Broadcasts: a per-school downlink with one uplink.
    out = combine_cn_db(np.array([10.0, 20.0]), 20.0)
    assert isinstance(out, np.ndarray)
    expected = np.array([float(combine_cn_db(10.0, 20.0)), float(combine_cn_db(20.0, 20.0))])
    np.testing.assert_allclose(out, expected)


def test_throughput_hand_values() -> None:
    # 5.0 dB -> QPSK 4/5 (4.68 dB, 1.587196 bit/symbol); 30 Mbaud -> 47.616 Mbit/s.
    assert throughput_mbps(es_over_n0_db=5.0, symbol_rate_mbaud=30.0) == pytest.approx(
        30 * 1.587196
    )
    # 10.0 dB -> 16APSK 2/3 (8.97 dB, 2.637201) beats 8PSK 5/6 (9.35 dB, 2.478562).
    assert throughput_mbps(es_over_n0_db=10.0, symbol_rate_mbaud=30.0) == pytest.approx(
        30 * 2.637201
    )
    # With 1 dB margin 5.0 dB only closes QPSK 3/4 (4.03 + 1 = 5.03 > 5.0 -> QPSK 2/3).
    assert throughput_mbps(
        es_over_n0_db=5.0, symbol_rate_mbaud=30.0, implementation_margin_db=1.0
    ) == pytest.approx(30 * 1.322253)
    assert throughput_mbps(es_over_n0_db=-3.0, symbol_rate_mbaud=30.0) == 0.0
    with_pilots = throughput_mbps(es_over_n0_db=5.0, symbol_rate_mbaud=30.0, pilots=True)
    assert 0.97 * 30 * 1.587196 < with_pilots < 30 * 1.587196


def test_symbol_rate_for_bandwidth() -> None:
    assert symbol_rate_mbaud_for_bandwidth(bandwidth_mhz=36.0) == pytest.approx(30.0)
    assert symbol_rate_mbaud_for_bandwidth(bandwidth_mhz=36.0, roll_off=0.05) == pytest.approx(
        36 / 1.05
    )


def test_forward_chain_vectorised_equals_scalar() -> None:
    diam = np.array([0.75, 1.2, 1.8])
    atm = np.array([0.3, 1.5, 6.0])
    dist = np.array([36_500e3, 37_800e3, 39_000e3])

    def chain(d: Any, a: Any, r: Any) -> Any:
        g = dish_gain_dbi(diameter_m=d, freq_ghz=11.7)
        t = system_noise_temperature_k(antenna_noise_temperature_k=45.0, lnb_noise_figure_db=0.7)
        gt = g_over_t_db_per_k(gain_dbi=g, system_noise_temperature_k=t)
        fsl = free_space_loss_db(distance_m=r, freq_mhz=11_700.0)
        cn0 = c_over_n0_dbhz(
            eirp_dbw=51.0, g_over_t_db_per_k=gt, free_space_loss_db=fsl, atmospheric_loss_db=a
        )
        esn0 = combine_cn_db(es_over_n0_db(c_over_n0_dbhz=cn0, symbol_rate_mbaud=30.0), 22.0)
        return throughput_mbps(es_over_n0_db=esn0, symbol_rate_mbaud=30.0)

    vec = chain(diam, atm, dist)
    assert isinstance(vec, np.ndarray)
    assert vec.shape == (3,)
    scalars = [chain(float(d), float(a), float(r)) for d, a, r in zip(diam, atm, dist, strict=True)]
    assert all(isinstance(s, float) for s in scalars)
    np.testing.assert_allclose(vec, scalars, rtol=0, atol=0)
    # All three schools close at least one MODCOD (throughput > 0).
    assert np.all(vec > 0)


BAD: list[tuple[Callable[..., Any], dict[str, Any], str]] = [
    (dish_gain_dbi, {"diameter_m": 0.0, "freq_ghz": 12.0}, "diameter_m"),
    (dish_gain_dbi, {"diameter_m": 1.2, "freq_ghz": -1.0}, "freq_ghz"),
    (dish_gain_dbi, {"diameter_m": 1.2, "freq_ghz": 12.0, "efficiency": 1.2}, "efficiency"),
    (
        system_noise_temperature_k,
        {"antenna_noise_temperature_k": -1.0, "lnb_noise_figure_db": 1.0},
        "antenna_noise_temperature_k",
    ),
    (
        system_noise_temperature_k,
        {"antenna_noise_temperature_k": 40.0, "lnb_noise_figure_db": -0.1},
        "lnb_noise_figure_db",
    ),
    (
        g_over_t_db_per_k,
        {"gain_dbi": 40.0, "system_noise_temperature_k": 0.0},
        "system_noise_temperature_k",
    ),
    (
        g_over_t_db_per_k,
        {"gain_dbi": float("nan"), "system_noise_temperature_k": 100.0},
        "gain_dbi",
    ),
    (
        c_over_n0_dbhz,
        {
            "eirp_dbw": 50.0,
            "g_over_t_db_per_k": 20.0,
            "free_space_loss_db": -1.0,
            "atmospheric_loss_db": 0.0,
        },
        "free_space_loss_db",
    ),
    (
        c_over_n0_dbhz,
        {
            "eirp_dbw": 50.0,
            "g_over_t_db_per_k": 20.0,
            "free_space_loss_db": 205.0,
            "atmospheric_loss_db": -0.5,
        },
        "atmospheric_loss_db",
    ),
    (
        c_over_n0_dbhz,
        {
            "eirp_dbw": 50.0,
            "g_over_t_db_per_k": 20.0,
            "free_space_loss_db": 205.0,
            "atmospheric_loss_db": 0.5,
            "other_losses_db": -0.1,
        },
        "other_losses_db",
    ),
    (
        c_over_n0_dbhz,
        {
            "eirp_dbw": 150.0,
            "g_over_t_db_per_k": 20.0,
            "free_space_loss_db": 205.0,
            "atmospheric_loss_db": 0.5,
        },
        "eirp_dbw",
    ),
    (es_over_n0_db, {"c_over_n0_dbhz": 90.0, "symbol_rate_mbaud": 0.0}, "symbol_rate_mbaud"),
    (es_over_n0_db, {"c_over_n0_dbhz": -1.0, "symbol_rate_mbaud": 30.0}, "c_over_n0_dbhz"),
    (symbol_rate_mbaud_for_bandwidth, {"bandwidth_mhz": 36.0, "roll_off": 1.5}, "roll_off"),
    (throughput_mbps, {"es_over_n0_db": 5.0, "symbol_rate_mbaud": -30.0}, "symbol_rate_mbaud"),
    (throughput_mbps, {"es_over_n0_db": 500.0, "symbol_rate_mbaud": 30.0}, "es_over_n0_db"),
]


@pytest.mark.parametrize(
    ("func", "kwargs", "field"), BAD, ids=[f"{f.__name__}-{n}" for f, _, n in BAD]
)
def test_bad_input_names_parameter(
    func: Callable[..., Any], kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(InputError, match=field) as info:
        func(**kwargs)
    assert info.value.field == field


def test_combine_cn_bad_input() -> None:
    with pytest.raises(InputError, match="links") as info:
        combine_cn_db()
    assert info.value.field == "links"
    with pytest.raises(InputError) as info2:
        combine_cn_db(10.0, np.array([10.0, 300.0]))
    assert info2.value.field == "links[1]"
