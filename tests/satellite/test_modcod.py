"""Tests of the DVB-S2 MODCOD table and ACM selection (EN 302 307-1 Table 13)."""

from __future__ import annotations

import numpy as np
import pytest

from alcance.errors import InputError
from alcance.satellite.modcod import (
    DVB_S2_MODCODS,
    Modcod,
    best_modcod,
    frame_spectral_efficiency_bit_per_symbol,
    required_es_over_n0_db,
    spectral_efficiency_bit_per_symbol,
)

MODULATIONS = ("QPSK", "8PSK", "16APSK", "32APSK")


def _rows(modulation: str) -> list[int]:
    return [i for i, m in enumerate(DVB_S2_MODCODS) if m.name.split()[0] == modulation]


def test_table_size_and_ends() -> None:
    assert len(DVB_S2_MODCODS) == 28
    first, last = DVB_S2_MODCODS[0], DVB_S2_MODCODS[-1]
    assert (first.name, first.spectral_efficiency_bit_per_symbol, first.es_over_n0_db) == (
        "QPSK 1/4",
        0.490243,
        -2.35,
    )
    assert (last.name, last.spectral_efficiency_bit_per_symbol, last.es_over_n0_db) == (
        "32APSK 9/10",
        4.453027,
        16.05,
    )


@pytest.mark.parametrize("modulation", MODULATIONS)
def test_efficiency_and_threshold_increase_with_code_rate(modulation: str) -> None:
    rows = [DVB_S2_MODCODS[i] for i in _rows(modulation)]
    eff = np.array([m.spectral_efficiency_bit_per_symbol for m in rows])
    esn0 = np.array([m.es_over_n0_db for m in rows])
    rate = np.array([m.code_rate for m in rows])
    assert np.all(np.diff(rate) > 0)
    assert np.all(np.diff(eff) > 0)
    assert np.all(np.diff(esn0) > 0)
    # Efficiency never exceeds the uncoded bits per symbol.
    assert np.all(eff < rows[0].bits_per_symbol * rate + 1e-12)


def test_efficiency_frontier_is_monotonic() -> None:
    # Sorted by required Es/N0, the best efficiency reachable never decreases.
    order = np.argsort([m.es_over_n0_db for m in DVB_S2_MODCODS])
    eff = np.array([DVB_S2_MODCODS[i].spectral_efficiency_bit_per_symbol for i in order])
    assert np.all(np.diff(np.maximum.accumulate(eff)) >= 0)
    assert np.maximum.accumulate(eff)[-1] == eff.max() == 4.453027


@pytest.mark.parametrize("modcod", DVB_S2_MODCODS, ids=lambda m: m.name)
def test_table_efficiency_matches_frame_structure(modcod: Modcod) -> None:
    # (K_bch - 80) / (90 S + 90) reproduces every printed Table 13 value to 1e-6.
    derived = frame_spectral_efficiency_bit_per_symbol(modcod)
    assert derived == pytest.approx(modcod.spectral_efficiency_bit_per_symbol, abs=1e-6)
    with_pilots = frame_spectral_efficiency_bit_per_symbol(modcod, pilots=True)
    assert 0.97 * derived < with_pilots < derived


def test_pilots_hand_value_qpsk_half() -> None:
    # QPSK: S = 360 slots, P = floor(359/16) = 22 pilot blocks of 36 symbols.
    expected = (32208 - 80) / (360 * 90 + 90 + 22 * 36)
    assert spectral_efficiency_bit_per_symbol(modcod_index=3, pilots=True) == pytest.approx(
        expected, rel=1e-12
    )


def test_best_modcod_boundaries() -> None:
    assert best_modcod(es_over_n0_db=1.00) == 3  # exactly at QPSK 1/2
    assert best_modcod(es_over_n0_db=0.99) == 2  # just below: QPSK 2/5
    assert best_modcod(es_over_n0_db=-2.35) == 0  # lowest threshold
    assert best_modcod(es_over_n0_db=-2.36) == -1  # below the lowest
    assert best_modcod(es_over_n0_db=16.05) == 27
    assert best_modcod(es_over_n0_db=40.0) == 27
    # 5.50 dB: 8PSK 3/5 (needs 5.50) beats QPSK 5/6 (5.18); QPSK 8/9 (6.20) is not closed.
    assert best_modcod(es_over_n0_db=5.50) == 11
    # 6.42 dB: QPSK 9/10 (1.788612) beats 8PSK 3/5 (1.779991).
    assert best_modcod(es_over_n0_db=6.42) == 10


def test_best_modcod_margin() -> None:
    assert best_modcod(es_over_n0_db=2.0, implementation_margin_db=1.0) == 3
    assert best_modcod(es_over_n0_db=1.99, implementation_margin_db=1.0) == 2
    assert best_modcod(es_over_n0_db=-1.36, implementation_margin_db=1.0) == -1


def test_best_modcod_vectorised_equals_scalar() -> None:
    esn0 = np.linspace(-5.0, 20.0, 101).reshape(1, 101)
    vec = best_modcod(es_over_n0_db=esn0, implementation_margin_db=0.5)
    assert isinstance(vec, np.ndarray)
    assert vec.shape == (1, 101)
    assert vec.dtype == np.int64
    scalars = [best_modcod(es_over_n0_db=float(x), implementation_margin_db=0.5) for x in esn0.flat]
    assert all(isinstance(s, int) for s in scalars)
    assert vec.ravel().tolist() == scalars


def test_best_modcod_nan_is_closed() -> None:
    assert best_modcod(es_over_n0_db=float("nan")) == -1


def test_lookups() -> None:
    idx = np.array([-1, 0, 27])
    eff = spectral_efficiency_bit_per_symbol(modcod_index=idx)
    np.testing.assert_array_equal(eff, [0.0, 0.490243, 4.453027])
    esn0 = required_es_over_n0_db(modcod_index=idx)
    np.testing.assert_array_equal(esn0, [np.nan, -2.35, 16.05])
    assert required_es_over_n0_db(modcod_index=17) == 8.97
    assert isinstance(spectral_efficiency_bit_per_symbol(modcod_index=5), float)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"es_over_n0_db": 100.1}, "es_over_n0_db"),
        ({"es_over_n0_db": -50.1}, "es_over_n0_db"),
        ({"es_over_n0_db": 5.0, "implementation_margin_db": -0.1}, "implementation_margin_db"),
        ({"es_over_n0_db": 5.0, "implementation_margin_db": 20.1}, "implementation_margin_db"),
    ],
)
def test_best_modcod_bad_input(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(InputError, match=field) as info:
        best_modcod(**kwargs)
    assert info.value.field == field


@pytest.mark.parametrize("bad", [28, -2, 1.5])
def test_index_bad_input(bad: float) -> None:
    with pytest.raises(InputError, match="modcod_index") as info:
        spectral_efficiency_bit_per_symbol(modcod_index=bad)
    assert info.value.field == "modcod_index"
    with pytest.raises(InputError, match="modcod_index"):
        required_es_over_n0_db(modcod_index=bad)
