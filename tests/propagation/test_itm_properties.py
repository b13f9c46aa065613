"""Property tests of the ITM kernels (hypothesis).

* Any input either computes (finite loss, return code 0/1) or returns one of NTIA's
  error codes with a NaN loss; nothing else escapes the batched kernels.
* Inside ITM's validity domain the loss is finite.
* At the median (all percentages 50 %) the loss is at least free-space loss − 3 dB —
  the bound the model itself guarantees (derivation in
  :func:`test_median_loss_is_not_far_below_free_space`).
* The exact order statistics behind Δh (bucket selection) equal sorting's.

Reciprocity is deliberately not tested: ITM is not reciprocal (terminal heights,
siting and horizon analysis are per terminal; NTIA's C++ is not symmetric either).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numba import njit

from alcance.propagation import _itm_core, itm

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_ERROR_CODES = {c.value for c in itm.ItmReturnCode if c >= 1000}


@st.composite
def profiles(
    draw: st.DrawFn, max_points: int = 400, min_elevation_m: float = -400.0
) -> tuple[npt.NDArray[np.float64], float]:
    """A terrain profile: a random walk of bounded slopes from a base elevation."""
    n = draw(st.integers(2, max_points))
    steps = draw(hnp.arrays(np.float64, n - 1, elements=st.floats(-40.0, 40.0)))
    base = draw(st.floats(0.0, 3000.0))
    z = np.concatenate([[base], base + np.cumsum(steps)])
    spacing = draw(st.floats(1.0, 1000.0))
    return np.clip(z, min_elevation_m, 4500.0), spacing


def radio(draw: Callable[..., Any], *, valid: bool) -> dict[str, Any]:
    """Radio parameters; ``valid`` keeps them inside NTIA's validity ranges."""
    if valid:
        height = st.floats(0.5, 3000.0)
        pct = st.floats(0.01, 99.99)
        return {
            "h_tx_m": draw(height),
            "h_rx_m": draw(height),
            "climate": draw(st.integers(1, 7)),
            "n_0_n_units": draw(st.floats(250.0, 400.0)),
            "freq_mhz": draw(st.floats(20.0, 20000.0)),
            "polarization": draw(st.integers(0, 1)),
            "epsilon_r": draw(st.floats(2.0, 100.0)),
            "sigma_s_per_m": draw(st.floats(1e-5, 10.0)),
            "mdvar": draw(st.sampled_from([b + f for b in range(4) for f in (0, 10, 20, 30)])),
            "time_pct": draw(pct),
            "location_pct": draw(pct),
            "situation_pct": draw(pct),
        }
    anything = st.floats(allow_nan=True, allow_infinity=True)
    code = st.integers(-3, 40)
    return {
        "h_tx_m": draw(anything),
        "h_rx_m": draw(anything),
        "climate": draw(code),
        "n_0_n_units": draw(anything),
        "freq_mhz": draw(anything),
        "polarization": draw(code),
        "epsilon_r": draw(anything),
        "sigma_s_per_m": draw(anything),
        "mdvar": draw(code),
        "time_pct": draw(anything),
        "location_pct": draw(anything),
        "situation_pct": draw(anything),
    }


def _p2p(profile: tuple[npt.NDArray[np.float64], float], params: dict[str, Any]) -> itm.ItmResult:
    z, spacing = profile
    batch = itm.itm_p2p_tls_batch(
        elevation_m=z[np.newaxis, :], n_points=z.shape[0], spacing_m=spacing, **params
    )
    return batch.result(0)


def _assert_computes_or_reports(result: itm.ItmResult) -> None:
    if result.return_code < 1000:
        assert math.isfinite(result.loss_db)
        assert result.mode != itm.PropagationMode.NOT_SET
        assert (result.return_code == 1) == bool(result.warnings)
    else:
        assert int(result.return_code) in _ERROR_CODES
        assert math.isnan(result.loss_db)
        assert result.mode == itm.PropagationMode.NOT_SET


@SETTINGS
@given(profile=profiles(), data=st.data())
def test_p2p_any_input_computes_or_reports_an_error(
    profile: tuple[npt.NDArray[np.float64], float], data: st.DataObject
) -> None:
    params = radio(data.draw, valid=data.draw(st.booleans(), label="valid"))
    _assert_computes_or_reports(_p2p(profile, params))


@SETTINGS
@given(profile=profiles(min_elevation_m=0.0), data=st.data())
def test_p2p_loss_is_finite_for_valid_inputs(
    profile: tuple[npt.NDArray[np.float64], float], data: st.DataObject
) -> None:
    result = _p2p(profile, radio(data.draw, valid=True))
    # Inside the validity ranges NTIA can still reject a path on internally computed
    # quantities: N_s = N_0 exp(-h_sys / 9460 m) must stay in [150, 400]. The profiles
    # here stay within 0-4500 m, so 250 exp(-4500/9460) = 155 <= N_s <= 400: never.
    assert result.return_code < 1000, result
    assert math.isfinite(result.loss_db)
    assert math.isfinite(result.a_ref_db)
    assert result.a_ref_db >= 0.0  # LongleyRice.cpp clamps the reference attenuation


@SETTINGS
@given(data=st.data())
def test_area_any_input_computes_or_reports_an_error(data: st.DataObject) -> None:
    valid = data.draw(st.booleans(), label="valid")
    params = radio(data.draw, valid=valid)
    if valid:
        extra = {
            "distance_km": data.draw(st.floats(0.01, 3000.0)),
            "delta_h_m": data.draw(st.floats(0.0, 1500.0)),
            "tx_siting": data.draw(st.integers(0, 2)),
            "rx_siting": data.draw(st.integers(0, 2)),
        }
    else:
        anything = st.floats(allow_nan=True, allow_infinity=True)
        extra = {
            "distance_km": data.draw(anything),
            "delta_h_m": data.draw(anything),
            "tx_siting": data.draw(st.integers(-2, 4)),
            "rx_siting": data.draw(st.integers(-2, 4)),
        }
    result = itm.itm_area_tls_batch(**params, **extra).result(0)
    _assert_computes_or_reports(result)
    if valid:
        assert result.return_code < 1000, result


@SETTINGS
@given(profile=profiles(min_elevation_m=0.0), data=st.data())
def test_median_loss_is_not_far_below_free_space(
    profile: tuple[npt.NDArray[np.float64], float], data: st.DataObject
) -> None:
    """ITM's loss at 50/50/50 % is ≥ free-space loss − 3 dB, in both modes.

    A = A_fs + f(A_ref − V_med − Y_R − Y_S) (NTIA Variability.cpp), with A_ref ≥ 0 and
    f(r) = r (29 − r) / (29 − 10 r) for r < 0 (identity otherwise). At 50 % every z is
    Q⁻¹(0.5) ≈ 0 (|z| < 1e-5 with NTIA's approximation), so Y_R, Y_S ≈ 0 and
    A − A_fs ≥ f(−max V_med). The climate curves give V_med ≤ 7.1 dB (maritime temperate
    over sea, near d_e = 250 km; checked in :func:`test_median_variability_bound`), and
    f(−7.1) = −2.6 dB.
    """
    params = radio(data.draw, valid=True)
    params.update(time_pct=50.0, location_pct=50.0, situation_pct=50.0)
    result = _p2p(profile, params)
    assert result.return_code < 1000
    assert result.loss_db >= result.free_space_loss_db - 3.0
    area = itm.itm_area_tls_batch(
        **params,
        distance_km=data.draw(st.floats(0.1, 3000.0)),
        delta_h_m=data.draw(st.floats(0.0, 1000.0)),
        tx_siting=data.draw(st.integers(0, 2)),
        rx_siting=data.draw(st.integers(0, 2)),
    ).result(0)
    assert area.return_code < 1000
    assert area.loss_db >= area.free_space_loss_db - 3.0


def test_median_variability_bound() -> None:
    """The largest median adjustment V_med of any climate (TN101 Fig 10.13 fits)."""
    d_e = np.linspace(0.0, 20000e3, 200_001)
    worst = 0.0
    for climate in range(7):
        c = _itm_core._ALL_YEAR[:, climate]
        v_med = [_itm_core._curve(c[0], c[1], c[2], c[3], c[4], float(x)) for x in d_e[::10]]
        worst = max(worst, *v_med)
    assert 7.0 < worst < 7.1
    f = -7.1 * (29.0 + 7.1) / (29.0 + 71.0)
    assert f > -3.0
    assert abs(_itm_core._iccdf(0.5)) < 1e-5


#: The selections as plain Python (register_jitable functions) and compiled by Numba.
_TAILS: dict[str, Callable[..., Any]] = {
    "python": _itm_core._tail_order_stats,
    "numba": njit(_itm_core._tail_order_stats),
}
_SELECT: dict[str, Callable[..., Any]] = {
    "python": _itm_core._select_kth,
    "numba": njit(_itm_core._select_kth),
}


@SETTINGS
@given(
    impl=st.sampled_from(sorted(_TAILS)),
    values=hnp.arrays(
        np.float64,
        st.integers(35, 245),
        elements=st.one_of(
            st.floats(-1e4, 1e4, allow_subnormal=False),
            st.sampled_from([0.0, 1.0, -3.5, 7.25]),  # many ties
        ),
    ),
    data=st.data(),
)
def test_tail_order_stats_equal_sorting(
    impl: str, values: npt.NDArray[np.float64], data: st.DataObject
) -> None:
    n = values.shape[0]
    p = data.draw(st.integers(1, n // 2))
    work = np.empty((4, _itm_core.SCRATCH_LEN))
    iwork = np.empty(_itm_core.ISCRATCH_LEN, dtype=np.int64)
    r = np.zeros(_itm_core.SCRATCH_LEN)
    r[:n] = values
    q_hi, q_lo = _TAILS[impl](
        r, n, p, float(values.min()), float(values.max()), work[1], work[2], work[3], iwork
    )
    ordered = np.sort(values)
    assert q_hi == ordered[n - p]
    assert q_lo == ordered[p - 1]
    np.testing.assert_array_equal(r[:n], values)  # the residuals are left intact


@SETTINGS
@given(
    impl=st.sampled_from(sorted(_SELECT)),
    values=hnp.arrays(np.float64, st.integers(1, 245), elements=st.floats(-1e6, 1e6)),
    data=st.data(),
)
def test_select_kth_equals_sorting(
    impl: str, values: npt.NDArray[np.float64], data: st.DataObject
) -> None:
    k = data.draw(st.integers(0, values.shape[0] - 1))
    a = values.copy()
    tmp = np.empty_like(a)
    assert _SELECT[impl](a, tmp, a.shape[0], k) == np.sort(values)[k]
