"""Earth bulge and effective earth radius."""

from __future__ import annotations

import numpy as np
import pytest

from alcance.errors import InputError
from alcance.terrain import (
    EARTH_RADIUS_M,
    STANDARD_K_FACTOR,
    earth_bulge_m,
    effective_earth_radius_m,
)


def test_effective_radius_for_the_standard_atmosphere() -> None:
    assert effective_earth_radius_m() == pytest.approx(4.0 / 3.0 * 6_371_000.0)
    assert effective_earth_radius_m(k=1.0, earth_radius_m=6_378_137.0) == 6_378_137.0


@pytest.mark.parametrize("k", [1.0, STANDARD_K_FACTOR, 0.5, 3.0])
def test_bulge_matches_the_exact_sagitta_of_the_effective_earth(k: float) -> None:
    """Height of a circle of radius k·a above a chord, exact geometry vs d1 d2 / (2 k a).

    The parabolic form under-estimates by a relative (d1^2 + d2^2 ... ) term bounded by
    d^2 / (8 R^2): 3e-5 for a 100 km path with k = 1.
    """
    radius = k * EARTH_RADIUS_M
    total = np.array([1e3, 10e3, 50e3, 100e3])
    d1 = total * np.array([0.5, 0.1, 0.37, 0.9])
    d2 = total - d1
    half = total / 2.0
    u = half - d1
    # sqrt(R² - u²) - sqrt(R² - a²), written without cancellation.
    exact = (half**2 - u**2) / (np.sqrt(radius**2 - u**2) + np.sqrt(radius**2 - half**2))
    bulge = earth_bulge_m(d1, d2, k=k)
    bound = total**2 / (8.0 * radius**2)
    assert (bulge <= exact).all()
    assert (exact - bulge <= bound * exact).all()
    assert (exact - bulge > 0.01 * bound * exact).any()  # the bound is not vacuous


def test_bulge_known_value_and_scalar_in_scalar_out() -> None:
    # 20 km path, mid-point, k = 4/3: 10 km * 10 km / (2 * 8494.667 km) = 5.886 m.
    value = earth_bulge_m(10e3, 10e3)
    assert isinstance(value, float)
    assert value == pytest.approx(5.886, abs=5e-4)
    assert earth_bulge_m(0.0, 35e3) == 0.0
    assert earth_bulge_m(np.array([5e3]), 5e3).shape == (1,)


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((-1.0, 5.0), {}, "d1_m"),
        ((1.0, float("nan")), {}, "d2_m"),
        ((1.0, 1.0), {"k": 0.0}, "k"),
        ((1.0, 1.0), {"k": -4 / 3}, "k"),
        ((1.0, 1.0), {"earth_radius_m": 0.0}, "earth_radius_m"),
    ],
)
def test_bad_curvature_input_raises_input_error(
    args: tuple[float, float], kwargs: dict[str, float], field: str
) -> None:
    with pytest.raises(InputError) as info:
        earth_bulge_m(*args, **kwargs)
    assert info.value.field == field
