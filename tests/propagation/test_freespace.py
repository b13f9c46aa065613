"""Free-space loss (ITU-R P.525-4) against hand-checkable values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alcance.errors import InputError
from alcance.propagation.freespace import (
    SPEED_OF_LIGHT_M_PER_S,
    free_space_loss_db,
    wavelength_m,
)


@pytest.mark.parametrize(
    ("distance_km", "freq_mhz"),
    [(1.0, 1.0), (1.0, 1000.0), (10.0, 900.0), (35.0, 2400.0), (0.05, 5800.0)],
)
def test_practical_units_formula(distance_km: float, freq_mhz: float) -> None:
    # P.525-4: L_bf = 32.45 + 20 log f_MHz + 20 log d_km (the constant, 32.4478 dB with
    # the exact speed of light, is printed rounded to 0.01 dB)
    expected = 32.45 + 20.0 * math.log10(freq_mhz) + 20.0 * math.log10(distance_km)
    got = free_space_loss_db(distance_m=distance_km * 1000.0, freq_mhz=freq_mhz)
    assert got == pytest.approx(expected, abs=0.005)


def test_exact_value_and_speed_of_light_option() -> None:
    # 20 log10(4 pi d / lambda) with d = 1 km, f = 1 GHz
    exact = 20.0 * math.log10(4.0 * math.pi * 1000.0 * 1e9 / SPEED_OF_LIGHT_M_PER_S)
    assert free_space_loss_db(distance_m=1000.0, freq_mhz=1000.0) == pytest.approx(exact, abs=1e-12)
    assert exact == pytest.approx(92.4478, abs=1e-4)
    with_3e8 = free_space_loss_db(distance_m=1000.0, freq_mhz=1000.0, speed_of_light_m_per_s=3e8)
    assert with_3e8 == pytest.approx(92.4418, abs=1e-4)


def test_inverse_square_law() -> None:
    d = np.array([1e3, 2e3, 4e3, 8e3])
    loss = free_space_loss_db(distance_m=d, freq_mhz=2400.0)
    assert isinstance(loss, np.ndarray)
    np.testing.assert_allclose(np.diff(loss), 20.0 * math.log10(2.0), atol=1e-12)


def test_broadcasting_and_scalar_type() -> None:
    loss = free_space_loss_db(
        distance_m=np.array([[1e3], [1e4]]), freq_mhz=np.array([100.0, 1000.0, 10000.0])
    )
    assert isinstance(loss, np.ndarray)
    assert loss.shape == (2, 3)
    assert type(free_space_loss_db(distance_m=1e3, freq_mhz=900.0)) is float


def test_wavelength() -> None:
    assert wavelength_m(freq_mhz=300.0, speed_of_light_m_per_s=3e8) == pytest.approx(1.0)
    assert wavelength_m(freq_mhz=1000.0) == pytest.approx(0.299792458)


@pytest.mark.parametrize("distance_m", [0.0, -1.0, math.nan, math.inf])
def test_bad_distance(distance_m: float) -> None:
    with pytest.raises(InputError, match="distance_m") as err:
        free_space_loss_db(distance_m=distance_m, freq_mhz=900.0)
    assert err.value.field == "distance_m"


@pytest.mark.parametrize("freq_mhz", [0.0, -900.0, math.nan])
def test_bad_frequency(freq_mhz: float) -> None:
    with pytest.raises(InputError, match="freq_mhz"):
        free_space_loss_db(distance_m=1e3, freq_mhz=freq_mhz)
    with pytest.raises(InputError, match="freq_mhz"):
        wavelength_m(freq_mhz=freq_mhz)


def test_bad_array_element_is_reported() -> None:
    with pytest.raises(InputError, match=r"distance_m.*-5"):
        free_space_loss_db(distance_m=np.array([1.0, -5.0, 3.0]), freq_mhz=900.0)


@settings(max_examples=100, deadline=None)
@given(
    d=st.floats(allow_nan=True, allow_infinity=True),
    f=st.floats(allow_nan=True, allow_infinity=True),
)
def test_works_or_raises_input_error(d: float, f: float) -> None:
    try:
        loss = free_space_loss_db(distance_m=d, freq_mhz=f)
    except InputError:
        return
    assert math.isfinite(loss)
