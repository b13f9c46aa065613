"""Unit tests for ``alcance.satellite.atmosphere`` (behaviour, vectorisation, inputs)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from alcance.errors import InputError
from alcance.satellite.atmosphere import (
    VALID_RANGES,
    AtmosphericAttenuation,
    attenuation_at_availabilities,
    earth_space_attenuation,
    recommendation_versions,
)

# Three schools: Bogotá highlands, Amazon lowland, Lima coast (rain climates differ).
SITES: dict[str, Any] = {
    "lat_deg": np.array([4.6, -3.75, -12.05]),
    "lon_deg": np.array([-74.08, -73.25, -77.04]),
    "elevation_deg": np.array([62.0, 55.0, 48.0]),
}
BASE: dict[str, Any] = {
    **SITES,
    "freq_ghz": 12.0,
    "unavailability_pct": 0.5,
    "antenna_diameter_m": 1.2,
}


@pytest.fixture(scope="module")
def base_result() -> AtmosphericAttenuation:
    return earth_space_attenuation(**BASE)


def test_results_are_plain_float_arrays(base_result: AtmosphericAttenuation) -> None:
    for field in dataclasses.fields(base_result):
        value = getattr(base_result, field.name)
        assert type(value) is np.ndarray, field.name
        assert value.dtype == np.float64, field.name
        assert value.shape == (3,), field.name
        assert np.all(np.isfinite(value)), field.name
        assert np.all(value >= 0.0), field.name


def test_total_combines_contributions(base_result: AtmosphericAttenuation) -> None:
    # ITU-R P.618-13 §2.5 eq. (64)
    r = base_result
    expected = r.gas_db + np.sqrt((r.rain_db + r.cloud_db) ** 2 + r.scintillation_db**2)
    np.testing.assert_allclose(r.total_db, expected, rtol=1e-12)


def test_wetter_site_has_more_rain(base_result: AtmosphericAttenuation) -> None:
    # The Amazon site rains far more than the Lima coast (P.837-7 R0.01).
    assert base_result.rain_rate_001_mm_h[1] > 5 * base_result.rain_rate_001_mm_h[2]
    assert base_result.rain_db[1] > base_result.rain_db[2]


def test_attenuation_grows_with_frequency() -> None:
    totals = [
        earth_space_attenuation(**{**BASE, "freq_ghz": f}).total_db for f in (4.0, 12.0, 20.0, 30.0)
    ]
    assert np.all(np.diff(np.stack(totals), axis=0) > 0)


def test_attenuation_grows_as_unavailability_shrinks() -> None:
    # Smaller p (higher availability) → a deeper fade is exceeded that rarely.
    totals = [
        earth_space_attenuation(**{**BASE, "unavailability_pct": p}).total_db
        for p in (5.0, 1.0, 0.1, 0.01, 0.001)
    ]
    assert np.all(np.diff(np.stack(totals), axis=0) > 0)


def test_vectorised_equals_per_site_calls() -> None:
    kwargs: dict[str, Any] = {
        **SITES,
        "freq_ghz": np.array([12.0, 20.0, 12.0]),
        "unavailability_pct": np.array([0.5, 0.1, 0.5]),
        "antenna_diameter_m": np.array([1.2, 0.75, 1.2]),
        "antenna_efficiency": np.array([0.65, 0.6, 0.65]),
        "polarization_tilt_deg": np.array([45.0, 0.0, 90.0]),
        "site_height_m": np.array([2600.0, 100.0, 150.0]),
    }
    together = earth_space_attenuation(**kwargs)
    for i in range(3):
        alone = earth_space_attenuation(**{k: v[i] for k, v in kwargs.items()})
        for field in dataclasses.fields(together):
            np.testing.assert_allclose(
                getattr(together, field.name)[i], getattr(alone, field.name), rtol=1e-12
            )


def test_scalar_inputs_give_0d_arrays() -> None:
    result = earth_space_attenuation(**{**BASE, **{k: v[0] for k, v in SITES.items()}})
    assert result.total_db.shape == ()
    assert isinstance(result.total_db, np.ndarray)


def test_attenuation_at_availabilities() -> None:
    availabilities = [99.0, 99.5, 99.9]
    kwargs = {k: v for k, v in BASE.items() if k != "unavailability_pct"}
    table = attenuation_at_availabilities(availability_pct=availabilities, **kwargs)
    assert table.shape == (3, 3)
    assert np.all(np.diff(table, axis=0) > 0)
    at_995 = earth_space_attenuation(**{**BASE, "unavailability_pct": 0.5}).total_db
    np.testing.assert_allclose(table[1], at_995, rtol=1e-12)


def test_recommendation_versions() -> None:
    versions = recommendation_versions()
    assert versions["P.618"] == 13
    assert versions["P.837"] == 7
    assert versions["P.838"] == 3
    assert versions["P.839"] == 4


def _outside(name: str) -> list[float]:
    low, high = VALID_RANGES[name]
    return [low - max(1e-3, abs(low) * 1e-3), high + max(1e-3, abs(high) * 1e-3), float("nan")]


_SITE_PARAMS = [name for name in VALID_RANGES if name != "availability_pct"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param(name, value, id=f"{name}={value:g}")
        for name in _SITE_PARAMS
        for value in _outside(name)
    ],
)
def test_out_of_range_raises_input_error(name: str, value: float) -> None:
    kwargs = {**BASE, name: value}
    with pytest.raises(InputError, match=name) as info:
        earth_space_attenuation(**kwargs)
    assert info.value.field == name


@pytest.mark.parametrize("value", _outside("availability_pct"))
def test_bad_availability_raises_input_error(value: float) -> None:
    kwargs = {k: v for k, v in BASE.items() if k != "unavailability_pct"}
    with pytest.raises(InputError, match="availability_pct"):
        attenuation_at_availabilities(availability_pct=[99.0, value], **kwargs)


def test_non_numeric_input_raises_input_error() -> None:
    with pytest.raises(InputError, match="freq_ghz"):
        earth_space_attenuation(**{**BASE, "freq_ghz": "Ku"})


def test_shape_mismatch_raises_input_error() -> None:
    with pytest.raises(InputError, match="broadcast"):
        earth_space_attenuation(**{**BASE, "freq_ghz": np.array([12.0, 20.0])})
