"""SINR → spectral efficiency (TR 36.942 Annex A, TS 36.213 CQI) and throughput."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alcance.errors import InputError
from alcance.radio.throughput import (
    CQI_SINR_THRESHOLDS_DB,
    CQI_TABLE,
    THROUGHPUT_METHODS,
    cell_throughput_mbps,
    cqi_from_sinr,
    per_user_mbps,
    spectral_efficiency_bps_per_hz,
)


@pytest.mark.parametrize(
    ("sinr_db", "expected"),
    [
        (-20.0, 0.0),  # below SINR_MIN
        (-10.0, 0.6 * math.log2(1.1)),  # at SINR_MIN: 0.0825
        (0.0, 0.6),  # 0.6 log2(2)
        (10.0, 0.6 * math.log2(11.0)),  # 2.0757
        (21.0, 0.6 * math.log2(1.0 + 10**2.1)),  # 4.193, still below the cap
        (25.0, 4.4),  # capped
    ],
)
def test_tr36942_values(sinr_db: float, expected: float) -> None:
    assert spectral_efficiency_bps_per_hz(sinr_db=sinr_db) == pytest.approx(expected, abs=1e-12)


def test_tr36942_sinr_max_is_about_22_db() -> None:
    sinr_max = 10.0 * math.log10(2.0 ** (4.4 / 0.6) - 1.0)
    assert sinr_max == pytest.approx(22.05, abs=0.01)
    below = spectral_efficiency_bps_per_hz(sinr_db=sinr_max - 0.01)
    assert below < 4.4
    assert spectral_efficiency_bps_per_hz(sinr_db=sinr_max + 0.01) == 4.4


def test_cqi_table_endpoints() -> None:
    assert len(CQI_TABLE) == 15
    assert CQI_TABLE[0].efficiency_bits_per_re == 0.1523
    assert CQI_TABLE[0].code_rate_x1024 == 78
    assert CQI_TABLE[-1].efficiency_bits_per_re == 5.5547
    assert CQI_TABLE[-1].modulation == "64QAM"
    # efficiency = bits per symbol x code rate, to the table's 4 decimals
    bits = {"QPSK": 2, "16QAM": 4, "64QAM": 6}
    for e in CQI_TABLE:
        assert e.efficiency_bits_per_re == pytest.approx(
            bits[e.modulation] * e.code_rate_x1024 / 1024, abs=6e-5
        )


def test_cqi_mapping() -> None:
    cqi = cqi_from_sinr(sinr_db=np.array([-30.0, -6.7, 0.0, 22.7, 40.0, np.nan]))
    np.testing.assert_array_equal(cqi, [0, 1, 3, 15, 15, 0])
    eff = spectral_efficiency_bps_per_hz(sinr_db=np.array([-7.0, -6.7, 30.0]), method="cqi")
    np.testing.assert_allclose(eff, [0.0, 0.1523, 5.5547])
    assert list(CQI_SINR_THRESHOLDS_DB) == sorted(CQI_SINR_THRESHOLDS_DB)


@pytest.mark.parametrize("method", list(THROUGHPUT_METHODS))
def test_nan_propagates(method: str) -> None:
    eff = np.asarray(spectral_efficiency_bps_per_hz(sinr_db=np.array([np.nan, 5.0]), method=method))
    assert np.isnan(eff[0])
    assert np.isfinite(eff[1])


@settings(max_examples=200, deadline=None)
@given(
    a=st.floats(-100.0, 100.0),
    b=st.floats(-100.0, 100.0),
    method=st.sampled_from(list(THROUGHPUT_METHODS)),
)
def test_throughput_non_decreasing_in_sinr(a: float, b: float, method: str) -> None:
    lo, hi = min(a, b), max(a, b)
    t_lo = cell_throughput_mbps(sinr_db=lo, bandwidth_mhz=10.0, method=method)
    t_hi = cell_throughput_mbps(sinr_db=hi, bandwidth_mhz=10.0, method=method)
    assert 0.0 <= t_lo <= t_hi


def test_cell_throughput_hand_value() -> None:
    # 20 MHz, capped 4.4 bps/Hz, 25 % overhead, 2 layers: 4.4 x 20 x 0.75 x 2 = 132
    got = cell_throughput_mbps(sinr_db=30.0, bandwidth_mhz=20.0, mimo_layers=2)
    assert got == pytest.approx(132.0)
    assert type(got) is float
    got = cell_throughput_mbps(sinr_db=30.0, bandwidth_mhz=20.0, method="cqi", overhead_fraction=0)
    assert got == pytest.approx(5.5547 * 20.0)


def test_vectorised_matches_scalar_loop() -> None:
    sinr = np.linspace(-15.0, 30.0, 46)
    bw = np.resize(np.array([1.4, 5.0, 10.0, 20.0]), sinr.shape)
    for method in THROUGHPUT_METHODS:
        vec = cell_throughput_mbps(sinr_db=sinr, bandwidth_mhz=bw, method=method)
        loop = [
            float(cell_throughput_mbps(sinr_db=s, bandwidth_mhz=b, method=method))
            for s, b in zip(sinr.tolist(), bw.tolist(), strict=True)
        ]
        np.testing.assert_allclose(np.asarray(vec), np.array(loop), rtol=0.0, atol=1e-12)


def test_per_user() -> None:
    assert per_user_mbps(cell_mbps=60.0, users=4) == pytest.approx(15.0)
    np.testing.assert_allclose(per_user_mbps(cell_mbps=np.array([10.0, 30.0]), users=2.5), [4, 12])
    with pytest.raises(InputError, match="users"):
        per_user_mbps(cell_mbps=60.0, users=0)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("method", {"method": "shannon"}),
        ("bandwidth_mhz", {"bandwidth_mhz": -5.0}),
        ("overhead_fraction", {"overhead_fraction": 1.0}),
        ("mimo_layers", {"mimo_layers": 0}),
        ("mimo_layers", {"mimo_layers": 1.5}),
        ("sinr_db", {"sinr_db": math.inf}),
    ],
)
def test_bad_input_names_the_parameter(field: str, kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"sinr_db": 10.0, "bandwidth_mhz": 10.0}
    args.update(kwargs)
    with pytest.raises(InputError, match=field) as info:
        cell_throughput_mbps(**args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_unknown_method_lists_the_names() -> None:
    with pytest.raises(InputError, match="'tr36942', 'cqi'"):
        spectral_efficiency_bps_per_hz(sinr_db=0.0, method="x")


@settings(max_examples=200, deadline=None)
@given(
    sinr=st.floats(allow_nan=True, allow_infinity=True),
    bw=st.floats(allow_nan=True, allow_infinity=True),
    ovh=st.floats(allow_nan=True, allow_infinity=True),
    method=st.sampled_from(list(THROUGHPUT_METHODS)),
)
def test_any_input_works_or_raises_input_error(
    sinr: float, bw: float, ovh: float, method: str
) -> None:
    try:
        t = cell_throughput_mbps(
            sinr_db=sinr, bandwidth_mhz=bw, method=method, overhead_fraction=ovh
        )
    except InputError:
        return
    assert isinstance(t, float)
    assert math.isnan(t) or t >= 0.0
