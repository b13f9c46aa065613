"""ITM public API: scalar functions, batched kernels, enums, ground constants, bad inputs."""

from __future__ import annotations

import doctest
import math
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from alcance.errors import InputError
from alcance.propagation import _itm_core, itm

# A short real-looking profile (metres) and a link on it; used where the data do not matter.
PROFILE_M = [1692.0, 1693.5, 1701.0, 1712.0, 1698.0, 1705.0, 1720.0, 1731.0, 1729.0, 1740.0]
SPACING_M = 250.0

P2P_TLS: dict[str, Any] = {
    "elevation_m": PROFILE_M,
    "spacing_m": SPACING_M,
    "h_tx_m": 25.0,
    "h_rx_m": 5.0,
    "climate": itm.Climate.CONTINENTAL_TEMPERATE,
    "n_0_n_units": 301.0,
    "freq_mhz": 3500.0,
    "polarization": itm.Polarization.VERTICAL,
    "ground": "average ground",
    "mdvar": itm.ModeOfVariability.ACCIDENTAL,
    "time_pct": 50.0,
    "location_pct": 50.0,
    "situation_pct": 50.0,
}
P2P_CR: dict[str, Any] = {
    **{k: v for k, v in P2P_TLS.items() if not k.endswith("_pct")},
    "confidence_pct": 50.0,
    "reliability_pct": 50.0,
}
AREA_TLS: dict[str, Any] = {
    **{k: v for k, v in P2P_TLS.items() if k not in ("elevation_m", "spacing_m")},
    "distance_km": 10.0,
    "delta_h_m": 90.0,
    "tx_siting": itm.SitingCriteria.CAREFUL,
    "rx_siting": itm.SitingCriteria.RANDOM,
}
AREA_CR: dict[str, Any] = {
    **{k: v for k, v in AREA_TLS.items() if not k.endswith("_pct")},
    "confidence_pct": 50.0,
    "reliability_pct": 50.0,
}
SCALAR_CALLS = {
    "itm_p2p_tls": (itm.itm_p2p_tls, P2P_TLS),
    "itm_p2p_cr": (itm.itm_p2p_cr, P2P_CR),
    "itm_area_tls": (itm.itm_area_tls, AREA_TLS),
    "itm_area_cr": (itm.itm_area_cr, AREA_CR),
}


def _quiet(fn: Any, **kwargs: Any) -> itm.ItmResult:
    """Call a scalar function, ignoring ItmWarnings (tests that want them use pytest.warns)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", itm.ItmWarning)
        result: itm.ItmResult = fn(**kwargs)
    return result


# --------------------------------------------------------------------------------------
# Enumerations agree with NTIA's codes (and with the kernel's constants)


def test_enum_values_follow_ntia() -> None:
    assert [c.value for c in itm.Climate] == list(range(1, 8))
    assert [p.value for p in itm.Polarization] == [0, 1]
    assert [s.value for s in itm.SitingCriteria] == [0, 1, 2]
    assert [m.value for m in itm.PropagationMode] == [0, 1, 2, 3]
    for flag in itm.ItmWarningFlag:
        if flag:
            assert getattr(_itm_core, f"WARN_{flag.name}") == flag.value
    for code in itm.ItmReturnCode:
        if code.name != "MDVAR_BROADCAST_MODE":  # listed by NTIA, never returned by v1.4
            assert getattr(_itm_core, code.name if code < 1000 else f"ERROR_{code.name}") == code


def test_mode_of_variability_codes() -> None:
    assert itm.mode_of_variability("mobile") == 2
    assert itm.mode_of_variability(itm.ModeOfVariability.ACCIDENTAL) == 1
    assert itm.mode_of_variability(3, eliminate_location_variability=True) == 13
    assert itm.mode_of_variability("single message", eliminate_situation_variability=True) == 20
    both = itm.mode_of_variability(
        "broadcast", eliminate_location_variability=True, eliminate_situation_variability=True
    )
    assert both == 33
    with pytest.raises(InputError, match="flag, not a base mode") as err:
        itm.mode_of_variability(itm.ModeOfVariability.LOCATION_VARIABILITY_ELIMINATED)
    assert err.value.field == "mode"
    with pytest.raises(InputError, match="valid") as err:
        itm.mode_of_variability("sometimes")
    assert err.value.field == "mode"


# --------------------------------------------------------------------------------------
# Ground constants


def test_ground_constants_table() -> None:
    expected = {
        "average ground": (15.0, 0.005),
        "poor ground": (4.0, 0.001),
        "good ground": (25.0, 0.02),
        "fresh water": (81.0, 0.01),
        "sea water": (81.0, 5.0),
    }
    assert {k: (g.epsilon_r, g.sigma_s_per_m) for k, g in itm.GROUND_CONSTANTS.items()} == expected
    assert itm.ground_constants("Sea_Water") == itm.GroundConstants(81.0, 5.0)


def test_unknown_ground_lists_valid_names() -> None:
    with pytest.raises(InputError) as err:
        itm.ground_constants("sea watr")
    message = str(err.value)
    assert err.value.field == "ground"
    assert "did you mean 'sea water'" in message
    for name in itm.GROUND_CONSTANTS:
        assert repr(name) in message


def test_ground_by_name_equals_constants() -> None:
    by_name = _quiet(itm.itm_p2p_tls, **{**P2P_TLS, "ground": "good ground"})
    by_value = _quiet(itm.itm_p2p_tls, **{**P2P_TLS, "ground": itm.GroundConstants(25.0, 0.02)})
    assert by_name == by_value


# --------------------------------------------------------------------------------------
# Scalar API


@pytest.mark.parametrize("name", list(SCALAR_CALLS))
def test_scalar_result(name: str) -> None:
    fn, kwargs = SCALAR_CALLS[name]
    result = _quiet(fn, **kwargs)
    assert isinstance(result, itm.ItmResult)
    assert math.isfinite(result.loss_db)
    assert result.return_code in (
        itm.ItmReturnCode.SUCCESS,
        itm.ItmReturnCode.SUCCESS_WITH_WARNINGS,
    )
    assert result.mode in (
        itm.PropagationMode.LINE_OF_SIGHT,
        itm.PropagationMode.DIFFRACTION,
        itm.PropagationMode.TROPOSCATTER,
    )
    for value in (result.free_space_loss_db, result.a_ref_db, result.h_e_tx_m, result.d_hzn_rx_m):
        assert math.isfinite(value)
    # the loss is free space plus the variability-adjusted reference attenuation
    assert result.loss_db > 0.5 * result.free_space_loss_db
    with pytest.raises(AttributeError):
        result.loss_db = 0.0  # type: ignore[misc]


def test_scalar_accepts_enum_names_and_codes() -> None:
    by_enum = _quiet(itm.itm_p2p_tls, **P2P_TLS)
    by_name = _quiet(
        itm.itm_p2p_tls,
        **{**P2P_TLS, "climate": "continental temperate", "polarization": "Vertical"},
    )
    by_code = _quiet(itm.itm_p2p_tls, **{**P2P_TLS, "climate": 5, "polarization": 1, "mdvar": 1})
    assert by_enum == by_name == by_code


def test_scalar_matches_batch() -> None:
    scalar = _quiet(itm.itm_p2p_tls, **P2P_TLS)
    batch = itm.itm_p2p_tls_batch(
        elevation_m=np.array([PROFILE_M]),
        n_points=len(PROFILE_M),
        spacing_m=SPACING_M,
        h_tx_m=25.0,
        h_rx_m=5.0,
        climate=5,
        n_0_n_units=301.0,
        freq_mhz=3500.0,
        polarization=1,
        epsilon_r=15.0,
        sigma_s_per_m=0.005,
        mdvar=1,
        time_pct=50.0,
        location_pct=50.0,
        situation_pct=50.0,
    )
    assert batch.result(0) == scalar


def test_cr_is_tls_with_reliability_50_confidence() -> None:
    """NTIA's CR functions: time = reliability, location = 50 %, situation = confidence."""
    cr = _quiet(itm.itm_p2p_cr, **{**P2P_CR, "confidence_pct": 80.0, "reliability_pct": 95.0})
    tls = _quiet(
        itm.itm_p2p_tls,
        **{**P2P_TLS, "time_pct": 95.0, "location_pct": 50.0, "situation_pct": 80.0},
    )
    assert cr == tls
    area_cr = _quiet(itm.itm_area_cr, **{**AREA_CR, "confidence_pct": 10.0, "reliability_pct": 3.0})
    area_tls = _quiet(
        itm.itm_area_tls,
        **{**AREA_TLS, "time_pct": 3.0, "location_pct": 50.0, "situation_pct": 10.0},
    )
    assert area_cr == area_tls


def test_warning_flags_raise_itm_warning() -> None:
    # a 10-point, 2.25 km profile with a 2500 m mast: terminal height and path warnings
    kwargs = {**P2P_TLS, "h_tx_m": 2500.0, "time_pct": 99.95}
    with pytest.warns(itm.ItmWarning, match="TX terminal height") as record:
        result = itm.itm_p2p_tls(**kwargs)
    flags = result.warnings
    assert itm.ItmWarningFlag.TX_TERMINAL_HEIGHT in flags
    assert itm.ItmWarningFlag.EXTREME_VARIABILITIES in flags
    assert result.return_code == itm.ItmReturnCode.SUCCESS_WITH_WARNINGS
    assert len(record) == 1
    emitted = record[0].message
    assert isinstance(emitted, itm.ItmWarning)
    assert emitted.flags == flags
    assert f"0x{int(flags):04X}" in str(emitted)


def test_no_warning_without_flags() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = itm.itm_area_tls(**AREA_TLS)
    assert result.warnings == itm.ItmWarningFlag.NONE
    assert result.return_code == itm.ItmReturnCode.SUCCESS


# --------------------------------------------------------------------------------------
# Bad inputs: just outside each declared range → InputError naming the parameter


def _outside(rng: itm.ParameterRange) -> list[float]:
    """Values just outside each finite bound of ``rng``, and NaN."""
    values = [math.nan]
    for bound, inclusive, direction in (
        (rng.low, rng.low_inclusive, -1.0),
        (rng.high, rng.high_inclusive, 1.0),
    ):
        if math.isfinite(bound):
            values.append(math.nextafter(bound, direction * math.inf) if inclusive else bound)
    return values


def _inside(rng: itm.ParameterRange) -> list[float]:
    """Each finite bound if it is valid, else the nearest (normal) float inside."""
    values = []
    for bound, inclusive, direction in (
        (rng.low, rng.low_inclusive, 1.0),
        (rng.high, rng.high_inclusive, -1.0),
    ):
        if not math.isfinite(bound):
            continue
        if inclusive:
            values.append(bound)
        elif bound == 0.0:
            values.append(sys.float_info.min)  # subnormal percentages are rejected
        else:
            values.append(math.nextafter(bound, direction * math.inf))
    return values


def _bad_cases() -> list[Any]:
    cases = []
    for call, (fn, kwargs) in SCALAR_CALLS.items():
        for name, rng in itm.PARAMETER_RANGES.items():
            if name in ("epsilon_r", "sigma_s_per_m"):
                base = itm.GROUND_CONSTANTS["average ground"]
                for value in _outside(rng):
                    ground = itm.GroundConstants(
                        **{"epsilon_r": base.epsilon_r, "sigma_s_per_m": base.sigma_s_per_m}
                        | {name: value}
                    )
                    cases.append(
                        pytest.param(
                            fn, kwargs, "ground", ground, "ground", id=f"{call}-{name}-{value!r}"
                        )
                    )
                continue
            if name not in kwargs:
                continue
            for value in _outside(rng):
                cases.append(
                    pytest.param(fn, kwargs, name, value, name, id=f"{call}-{name}-{value!r}")
                )
    return cases


@pytest.mark.parametrize(("fn", "kwargs", "name", "value", "field"), _bad_cases())
def test_out_of_range_raises_naming_parameter(
    fn: Any, kwargs: dict[str, Any], name: str, value: Any, field: str
) -> None:
    with pytest.raises(InputError) as err:
        _quiet(fn, **{**kwargs, name: value})
    assert err.value.field == field
    assert "NTIA ITM return code" in str(err.value)


def _good_cases() -> list[Any]:
    cases = []
    for call, (fn, kwargs) in SCALAR_CALLS.items():
        for name, rng in itm.PARAMETER_RANGES.items():
            if name in kwargs:
                for value in _inside(rng):
                    cases.append(
                        pytest.param(fn, kwargs, name, value, id=f"{call}-{name}-{value!r}")
                    )
    return cases


@pytest.mark.parametrize(("fn", "kwargs", "name", "value"), _good_cases())
def test_range_bounds_are_accepted(
    fn: Any, kwargs: dict[str, Any], name: str, value: float
) -> None:
    result = _quiet(fn, **{**kwargs, name: value})
    assert result.return_code < 1000
    assert math.isfinite(result.loss_db)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("climate", 0),
        ("climate", 8),
        ("climate", "tropical"),
        ("climate", 5.0),
        ("polarization", 2),
        ("polarization", "circular"),
        ("mdvar", 4),
        ("mdvar", 9),
        ("mdvar", 14),
        ("mdvar", 24),
        ("mdvar", 34),
        ("mdvar", -1),
        ("mdvar", 1.0),
        ("mdvar", True),
        ("tx_siting", 3),
        ("rx_siting", "bogus"),
        ("ground", "clay"),
        ("ground", 15.0),
    ],
)
def test_invalid_codes_raise_naming_parameter(name: str, value: object) -> None:
    kwargs = AREA_TLS if name.endswith("_siting") else P2P_TLS
    fn = itm.itm_area_tls if name.endswith("_siting") else itm.itm_p2p_tls
    with pytest.raises(InputError) as err:
        _quiet(fn, **{**kwargs, name: value})
    assert err.value.field == name
    assert "valid" in str(err.value) or "must be" in str(err.value)


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("elevation_m", [100.0], "elevation_m"),
        ("elevation_m", [], "elevation_m"),
        ("elevation_m", [100.0, math.nan, 120.0], "elevation_m"),
        ("elevation_m", [[100.0, 110.0], [120.0, 130.0]], "elevation_m"),
        ("elevation_m", ["a", "b"], "elevation_m"),
        ("spacing_m", 0.0, "spacing_m"),
        ("spacing_m", -30.0, "spacing_m"),
        ("spacing_m", math.inf, "spacing_m"),
        ("spacing_m", math.nan, "spacing_m"),
    ],
)
def test_bad_profile_raises(name: str, value: object, field: str) -> None:
    with pytest.raises(InputError) as err:
        _quiet(itm.itm_p2p_tls, **{**P2P_TLS, name: value})
    assert err.value.field == field


def test_ground_impedance_error_names_ground() -> None:
    # NTIA's ERROR__GROUND_IMPEDANCE (1013) needs Re Z_g <= |Im Z_g|, reachable only at
    # ε = 1 in horizontal polarisation, where Z_g = sqrt(i 18000 σ / f) has Re = Im up to
    # rounding (IEEE-exact operations, so the outcome is deterministic).
    kwargs = {**P2P_TLS, "polarization": "horizontal", "ground": itm.GroundConstants(1.0, 0.005)}
    with pytest.raises(InputError, match="ground impedance") as err:
        _quiet(itm.itm_p2p_tls, **kwargs)
    assert err.value.field == "ground"
    assert "1013" in str(err.value)


def test_subnormal_percentage_is_rejected() -> None:
    with pytest.raises(InputError) as err:
        _quiet(itm.itm_p2p_tls, **{**P2P_TLS, "time_pct": 5e-324})
    assert err.value.field == "time_pct"


def test_surface_refractivity_error_names_n0() -> None:
    # N_s = N_0 exp(-h_sys / 9460 m) < 150 on a 6000 m plateau: ERROR 1021
    high = [6000.0 + 10.0 * (i % 3) for i in range(20)]
    with pytest.raises(InputError, match="1021") as err:
        _quiet(itm.itm_p2p_tls, **{**P2P_TLS, "elevation_m": high, "n_0_n_units": 250.0})
    assert err.value.field == "n_0_n_units"


# --------------------------------------------------------------------------------------
# Batched API


@dataclass(frozen=True)
class _Profiles:
    elevation_m: npt.NDArray[np.float64]
    n_points: npt.NDArray[np.int64]
    spacing_m: npt.NDArray[np.float64]


def _batch_kwargs(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(7)
    return {
        "h_tx_m": rng.uniform(2.0, 60.0, n),
        "h_rx_m": 3.0,
        "climate": rng.integers(1, 8, n),
        "n_0_n_units": 320.0,
        "freq_mhz": rng.uniform(50.0, 18000.0, n),
        "polarization": rng.integers(0, 2, n),
        "epsilon_r": 15.0,
        "sigma_s_per_m": 0.005,
        "mdvar": np.array([0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33] * n)[:n],
        "time_pct": rng.uniform(1.0, 99.0, n),
        "location_pct": rng.uniform(1.0, 99.0, n),
        "situation_pct": rng.uniform(1.0, 99.0, n),
    }


def _profiles(n: int) -> _Profiles:
    base = np.array(PROFILE_M)
    n_points = np.arange(n) % (len(base) - 1) + 2
    elevation = np.full((n, len(base)), np.nan)
    for k, m in enumerate(n_points):
        elevation[k, :m] = np.roll(base, k)[:m]
    return _Profiles(elevation, n_points.astype(np.int64), np.linspace(30.0, 900.0, n))


def test_batch_equals_scalar_per_path_and_is_order_independent() -> None:
    n = 40
    prof = _profiles(n)
    kwargs = _batch_kwargs(n)
    batch = itm.itm_p2p_tls_profiles(prof, **kwargs)
    assert len(batch) == n
    assert batch.ok.all()
    # reversed order: per-thread scratch must not leak between paths
    rev = {k: (v[::-1] if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    backwards = itm.itm_p2p_tls_batch(
        elevation_m=prof.elevation_m[::-1],
        n_points=prof.n_points[::-1],
        spacing_m=prof.spacing_m[::-1],
        **rev,
    )
    for name in itm.ItmBatchResult.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(batch, name), getattr(backwards, name)[::-1])
    for k in range(0, n, 7):
        one = {key: (v[k] if isinstance(v, np.ndarray) else v) for key, v in kwargs.items()}
        scalar = _quiet(
            itm.itm_p2p_tls,
            elevation_m=prof.elevation_m[k, : prof.n_points[k]],
            spacing_m=float(prof.spacing_m[k]),
            ground=itm.GroundConstants(one.pop("epsilon_r"), one.pop("sigma_s_per_m")),
            **one,
        )
        assert batch.result(k) == scalar


def test_batch_reports_errors_per_path() -> None:
    n = 6
    prof = _profiles(n)
    kwargs = _batch_kwargs(n)
    kwargs["h_tx_m"] = np.array([10.0, 0.2, 10.0, 10.0, 10.0, 10.0])
    kwargs["climate"] = np.array([5.0, 5.0, 2.5, 5.0, 5.0, 5.0])  # non-integral code → invalid
    kwargs["freq_mhz"] = np.array([900.0, 900.0, 900.0, 25000.0, 900.0, 900.0])
    elevation = prof.elevation_m.copy()
    elevation[4, 1] = np.nan  # a hole in the DEM
    n_points = prof.n_points.copy()
    n_points[5] = 1
    batch = itm.itm_p2p_tls_batch(
        elevation_m=elevation, n_points=n_points, spacing_m=prof.spacing_m, **kwargs
    )
    assert batch.return_code.tolist()[1:] == [1000, 1002, 1009, 1100, 1100]
    assert batch.return_code[0] < 1000
    assert np.isfinite(batch.loss_db[0])
    assert np.isnan(batch.loss_db[1:]).all()
    assert (batch.mode[1:] == 0).all()
    assert batch.ok.tolist() == [True, False, False, False, False, False]


def test_batch_cr_maps_error_codes() -> None:
    prof = _profiles(3)
    common = {k: v for k, v in _batch_kwargs(3).items() if not k.endswith("_pct")}
    batch = itm.itm_p2p_cr_profiles(
        prof, **common, confidence_pct=[50.0, 0.0, 50.0], reliability_pct=[50.0, 50.0, 100.0]
    )
    assert batch.return_code.tolist()[1:] == [
        itm.ItmReturnCode.INVALID_CONFIDENCE,
        itm.ItmReturnCode.INVALID_RELIABILITY,
    ]
    area = itm.itm_area_cr_batch(
        distance_km=[10.0, 10.0, -1.0],
        delta_h_m=[90.0, -1.0, 90.0],
        h_tx_m=10.0,
        h_rx_m=3.0,
        tx_siting=0,
        rx_siting=[0, 1, 2],
        climate=5,
        n_0_n_units=301.0,
        freq_mhz=900.0,
        polarization=0,
        epsilon_r=15.0,
        sigma_s_per_m=0.005,
        mdvar=1,
        confidence_pct=[100.0, 50.0, 50.0],
        reliability_pct=50.0,
    )
    assert area.return_code.tolist() == [
        itm.ItmReturnCode.INVALID_CONFIDENCE,
        itm.ItmReturnCode.DELTA_H,
        itm.ItmReturnCode.PATH_DISTANCE,
    ]


@pytest.mark.parametrize(("name", "rng"), list(itm.PARAMETER_RANGES.items()))
def test_batch_range_codes_follow_declared_ranges(name: str, rng: itm.ParameterRange) -> None:
    """The kernel's checks and :data:`PARAMETER_RANGES` agree, bound by bound."""
    outside = _outside(rng)
    inside = _inside(rng)
    values = np.array(outside + inside)
    n = len(values)
    if name in ("distance_km", "delta_h_m"):
        kwargs = {k: v for k, v in AREA_TLS.items() if k != "ground"}
        kwargs.update(epsilon_r=15.0, sigma_s_per_m=0.005, **{name: values})
        batch = itm.itm_area_tls_batch(**kwargs)
    else:
        kwargs = {k: v for k, v in P2P_TLS.items() if k not in ("ground", "elevation_m")}
        kwargs.update(epsilon_r=15.0, sigma_s_per_m=0.005)
        run: Callable[..., itm.ItmBatchResult] = itm.itm_p2p_tls_batch
        if name in ("confidence_pct", "reliability_pct"):
            kwargs = {k: v for k, v in kwargs.items() if not k.endswith("_pct")}
            kwargs.update(confidence_pct=50.0, reliability_pct=50.0)
            run = itm.itm_p2p_cr_batch
        kwargs[name] = values
        batch = run(elevation_m=np.tile(PROFILE_M, (n, 1)), n_points=len(PROFILE_M), **kwargs)
    assert (batch.return_code[: len(outside)] == rng.code).all()
    assert (batch.return_code[len(outside) :] < 1000).all()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"elevation_m": np.zeros(10)}, "elevation_m"),
        ({"n_points": np.array([2.0, 3.0])}, "n_points"),
        ({"spacing_m": np.ones(3)}, "spacing_m"),
        ({"h_tx_m": np.ones(5)}, "h_tx_m"),
        ({"climate": np.array(["a", "b"])}, "climate"),
    ],
)
def test_batch_shape_errors(kwargs: dict[str, Any], field: str) -> None:
    base = {
        "elevation_m": np.tile(PROFILE_M, (2, 1)),
        "n_points": np.array([10, 10]),
        "spacing_m": 100.0,
        **{k: v for k, v in P2P_TLS.items() if k not in ("ground", "elevation_m", "spacing_m")},
        "epsilon_r": 15.0,
        "sigma_s_per_m": 0.005,
    }
    with pytest.raises(InputError) as err:
        itm.itm_p2p_tls_batch(**{**base, **kwargs})
    assert err.value.field == field


def test_area_batch_broadcasts_and_rejects_2d() -> None:
    kwargs = {k: v for k, v in AREA_TLS.items() if k != "ground"}
    kwargs.update(epsilon_r=15.0, sigma_s_per_m=0.005)
    batch = itm.itm_area_tls_batch(**{**kwargs, "distance_km": [5.0, 50.0, 500.0]})
    assert len(batch) == 3
    assert np.all(np.diff(batch.free_space_loss_db) > 0)
    single = itm.itm_area_tls_batch(**kwargs)
    assert len(single) == 1
    assert single.result(0) == _quiet(itm.itm_area_tls, **AREA_TLS)
    with pytest.raises(InputError, match="1-D"):
        itm.itm_area_tls_batch(**{**kwargs, "distance_km": np.ones((2, 2))})
    with pytest.raises(InputError, match="broadcast"):
        itm.itm_area_tls_batch(**{**kwargs, "distance_km": np.ones(2), "h_tx_m": np.ones(3)})


def test_docstring_examples() -> None:
    failures, tried = doctest.testmod(itm, raise_on_error=False, verbose=False)
    assert tried >= 3
    assert failures == 0


def test_profiles_from_terrain_sampling() -> None:
    """Integration: ``alcance.terrain.sample_profiles`` output goes straight into ITM."""
    terrain = pytest.importorskip("alcance.terrain")
    if not hasattr(terrain, "sample_profiles"):
        pytest.skip("alcance.terrain.sample_profiles is not available yet")
    pyproj = pytest.importorskip("pyproj")
    rows, cols = 240, 240
    yy, xx = np.mgrid[0:rows, 0:cols]
    hills = 800.0 + 300.0 * np.sin(xx / 17.0) * np.cos(yy / 23.0) + 2.0 * xx
    grid = terrain.TerrainGrid(
        elevation_m=hills.astype(np.float32),
        void=np.zeros((rows, cols), dtype=bool),
        x0=-76.5,
        y0=-11.5,
        dx=1 / 1200,
        dy=-1 / 1200,
        crs_wkt=pyproj.CRS.from_epsg(4326).to_wkt(),
        is_geographic=True,
    )
    profiles = terrain.sample_profiles(
        grid,
        lon1_deg=[-76.49, -76.45, -76.49],
        lat1_deg=[-11.51, -11.55, -11.51],
        lon2_deg=[-76.33, -76.40, -76.00],  # the third path leaves the grid
        lat2_deg=[-11.66, -11.52, -11.60],
    )
    batch = itm.itm_p2p_tls_profiles(
        profiles,
        h_tx_m=30.0,
        h_rx_m=10.0,
        climate=itm.Climate.EQUATORIAL,
        n_0_n_units=301.0,
        freq_mhz=2400.0,
        polarization=itm.Polarization.VERTICAL,
        epsilon_r=15.0,
        sigma_s_per_m=0.005,
        mdvar=itm.ModeOfVariability.BROADCAST,
        time_pct=50.0,
        location_pct=50.0,
        situation_pct=50.0,
    )
    assert batch.ok.tolist() == [True, True, False]
    assert batch.return_code[2] == itm.ItmReturnCode.INVALID_PROFILE
    np.testing.assert_allclose(batch.distance_km[:2], profiles.distance_m[:2] / 1e3, rtol=1e-12)


def test_pfl_to_arrays() -> None:
    pfl = [len(PROFILE_M) - 1, SPACING_M, *PROFILE_M]
    elevation, n_points, spacing = itm.pfl_to_arrays(pfl)
    assert elevation.shape == (1, len(PROFILE_M))
    assert n_points.tolist() == [len(PROFILE_M)]
    assert spacing.tolist() == [SPACING_M]
    padded = np.full((2, len(PROFILE_M) + 2), np.nan)
    padded[0] = pfl
    padded[1, :5] = [2, 30.0, 10.0, 12.0, 11.0]
    elevation, n_points, spacing = itm.pfl_to_arrays(padded)
    assert n_points.tolist() == [len(PROFILE_M), 3]
    batch = itm.itm_p2p_tls_batch(
        elevation_m=elevation,
        n_points=n_points,
        spacing_m=spacing,
        **{k: v for k, v in P2P_TLS.items() if k not in ("elevation_m", "spacing_m", "ground")},
        epsilon_r=15.0,
        sigma_s_per_m=0.005,
    )
    assert batch.result(0) == _quiet(itm.itm_p2p_tls, **P2P_TLS)
    for bad in ([0.0, 30.0, 1.0, 2.0], [2.5, 30.0, 1.0, 2.0, 3.0, 4.0], [5.0, 30.0, 1.0, 2.0]):
        with pytest.raises(InputError) as err:
            itm.pfl_to_arrays(bad)
        assert err.value.field == "pfl"
