"""3GPP sector antenna patterns (TR 36.814 / TR 38.901) and elevation geometry."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alcance.errors import InputError
from alcance.radio.antenna import (
    ANTENNA_MODELS,
    elevation_angle_deg,
    pattern_attenuation_db,
    sector_gain_dbi,
)


def _att(
    az: float, el: float = 0.0, *, bore: float = 0.0, tilt: float = 0.0, **kw: object
) -> float:
    out = pattern_attenuation_db(
        azimuth_to_target_deg=az,
        elevation_to_target_deg=el,
        boresight_azimuth_deg=bore,
        downtilt_deg=tilt,
        **kw,  # type: ignore[arg-type]
    )
    assert isinstance(out, float)
    return out


@pytest.mark.parametrize("model", list(ANTENNA_MODELS))
def test_boresight_is_zero(model: str) -> None:
    assert _att(0.0, model=model) == 0.0


@pytest.mark.parametrize("model", list(ANTENNA_MODELS))
def test_half_power_beamwidth_edges(model: str) -> None:
    spec = ANTENNA_MODELS[model]
    # A_H(φ3dB) = -12 dB (the "3 dB" is at φ3dB/2: 12 (1/2)^2 = 3)
    assert _att(spec.h_beamwidth_deg, model=model) == pytest.approx(-12.0)
    assert _att(spec.h_beamwidth_deg / 2.0, model=model) == pytest.approx(-3.0)
    # vertical: target θ3dB/2 below a zero-tilt horizon
    assert _att(0.0, -spec.v_beamwidth_deg / 2.0, model=model) == pytest.approx(-3.0)


def test_floors_tr36814() -> None:
    # back lobe: A_H floors at -A_m = -25 dB
    assert _att(180.0) == pytest.approx(-25.0)
    # vertical side lobes floor at -SLA_v = -20 dB
    assert _att(0.0, -60.0) == pytest.approx(-20.0)
    # combined never below -A_m
    assert _att(180.0, -60.0) == pytest.approx(-25.0)
    # horizontal 12 (35/70)^2 = 3 plus vertical 12 (5/10)^2 = 3
    assert _att(35.0, -5.0) == pytest.approx(-6.0)


def test_floors_tr38901() -> None:
    assert _att(180.0, model="tr38901") == pytest.approx(-30.0)
    assert _att(0.0, -89.0, model="tr38901") == pytest.approx(-12.0 * (89.0 / 65.0) ** 2)


def test_downtilt_moves_the_beam() -> None:
    # target 6° below the horizon, beam tilted 6° down: on the vertical boresight
    assert _att(0.0, -6.0, tilt=6.0) == pytest.approx(0.0, abs=1e-12)
    assert _att(0.0, 0.0, tilt=5.0) == pytest.approx(-3.0)


def test_azimuth_wraps_and_is_symmetric() -> None:
    assert _att(350.0, bore=10.0) == pytest.approx(_att(30.0, bore=10.0))
    assert _att(-20.0) == pytest.approx(_att(20.0))
    assert _att(359.0, bore=1.0) == pytest.approx(-12.0 * (2.0 / 70.0) ** 2)


def test_nan_boresight_is_omni_in_azimuth() -> None:
    g = sector_gain_dbi(
        azimuth_to_target_deg=np.array([0.0, 90.0, 180.0]),
        elevation_to_target_deg=0.0,
        boresight_azimuth_deg=np.nan,
        downtilt_deg=0.0,
        max_gain_dbi=17.0,
    )
    assert isinstance(g, np.ndarray)
    np.testing.assert_allclose(g, 17.0 - 10.0 * math.log10(3.0))
    g2 = sector_gain_dbi(
        azimuth_to_target_deg=123.0,
        elevation_to_target_deg=-5.0,
        boresight_azimuth_deg=math.nan,
        downtilt_deg=0.0,
        max_gain_dbi=17.0,
        omni_gain_dbi=11.0,
    )
    assert g2 == pytest.approx(11.0 - 3.0)


def test_gain_default_and_type() -> None:
    g = sector_gain_dbi(
        azimuth_to_target_deg=0.0,
        elevation_to_target_deg=0.0,
        boresight_azimuth_deg=0.0,
        downtilt_deg=0.0,
    )
    assert type(g) is float
    assert g == 14.0
    g2 = sector_gain_dbi(
        azimuth_to_target_deg=65.0,
        elevation_to_target_deg=0.0,
        boresight_azimuth_deg=0.0,
        downtilt_deg=0.0,
        max_gain_dbi=18.0,
        h_beamwidth_deg=65.0,
    )
    assert g2 == pytest.approx(6.0)


def test_vectorised_matches_scalar_loop() -> None:
    rng = np.random.default_rng(1)
    n = 50
    az = rng.uniform(0.0, 360.0, n)
    el = rng.uniform(-30.0, 10.0, n)
    bore = rng.uniform(0.0, 360.0, n)
    bore[::7] = np.nan
    tilt = rng.uniform(0.0, 12.0, n)
    gmax = rng.uniform(12.0, 18.0, n)
    vec = sector_gain_dbi(
        azimuth_to_target_deg=az,
        elevation_to_target_deg=el,
        boresight_azimuth_deg=bore,
        downtilt_deg=tilt,
        max_gain_dbi=gmax,
    )
    loop = [
        float(
            sector_gain_dbi(
                azimuth_to_target_deg=float(az[i]),
                elevation_to_target_deg=float(el[i]),
                boresight_azimuth_deg=float(bore[i]),
                downtilt_deg=float(tilt[i]),
                max_gain_dbi=float(gmax[i]),
            )
        )
        for i in range(n)
    ]
    np.testing.assert_allclose(np.asarray(vec), np.array(loop), rtol=0.0, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    az=st.floats(-360.0, 360.0),
    el=st.floats(-90.0, 90.0),
    bore=st.floats(0.0, 360.0) | st.just(math.nan),
    tilt=st.floats(-20.0, 20.0),
    gmax=st.floats(-10.0, 40.0),
    model=st.sampled_from(list(ANTENNA_MODELS)),
)
def test_gain_never_exceeds_max(
    az: float, el: float, bore: float, tilt: float, gmax: float, model: str
) -> None:
    g = sector_gain_dbi(
        azimuth_to_target_deg=az,
        elevation_to_target_deg=el,
        boresight_azimuth_deg=bore,
        downtilt_deg=tilt,
        max_gain_dbi=gmax,
        model=model,
    )
    assert isinstance(g, float)
    assert g <= gmax + 1e-12
    assert g >= gmax - 10.0 * math.log10(3.0) - ANTENNA_MODELS[model].max_attenuation_db - 1e-9


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("model", {"model": "tr99999"}),
        ("h_beamwidth_deg", {"h_beamwidth_deg": 0.0}),
        ("v_beamwidth_deg", {"v_beamwidth_deg": 200.0}),
        ("elevation_to_target_deg", {"elevation_to_target_deg": 91.0}),
        ("downtilt_deg", {"downtilt_deg": -91.0}),
        ("max_gain_dbi", {"max_gain_dbi": 41.0}),
        ("azimuth_to_target_deg", {"azimuth_to_target_deg": math.inf}),
    ],
)
def test_bad_input_names_the_parameter(field: str, kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {
        "azimuth_to_target_deg": 0.0,
        "elevation_to_target_deg": 0.0,
        "boresight_azimuth_deg": 0.0,
        "downtilt_deg": 0.0,
    }
    args.update(kwargs)
    with pytest.raises(InputError, match=field) as info:
        sector_gain_dbi(**args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_unknown_model_lists_the_names() -> None:
    with pytest.raises(InputError, match="'tr36814', 'tr38901'"):
        _att(0.0, model="omni")


def test_elevation_flat_earth_limit() -> None:
    # 30 m mast over 1 km, same ground: ≈ atan(-30/1000) minus a tiny curvature term
    got = elevation_angle_deg(tx_height_amsl_m=130.0, rx_height_amsl_m=100.0, distance_m=1000.0)
    a_e = 4.0 / 3.0 * 6_371_000.0
    approx = math.degrees(math.atan(-30.0 / 1000.0 - 1000.0 / (2.0 * a_e)))
    # the approximation drops the (a_e + h) / a_e factors: ~1e-5 relative
    assert got == pytest.approx(approx, abs=1e-4)


def test_elevation_curvature_and_limits() -> None:
    # equal heights at 30 km: the target dips by d/(2 a_e) rad below the horizontal
    d = 30_000.0
    a_e = 4.0 / 3.0 * 6_371_000.0
    got = elevation_angle_deg(tx_height_amsl_m=50.0, rx_height_amsl_m=50.0, distance_m=d)
    assert got == pytest.approx(-math.degrees(d / (2.0 * a_e)), rel=1e-4)
    flatter = elevation_angle_deg(
        tx_height_amsl_m=50.0, rx_height_amsl_m=50.0, distance_m=d, k_factor=100.0
    )
    assert got < flatter < 0.0
    assert elevation_angle_deg(tx_height_amsl_m=10.0, rx_height_amsl_m=0.0, distance_m=0.0) == -90.0
    with pytest.raises(InputError, match="distance_m"):
        elevation_angle_deg(tx_height_amsl_m=10.0, rx_height_amsl_m=0.0, distance_m=-1.0)
    with pytest.raises(InputError, match="k_factor"):
        elevation_angle_deg(tx_height_amsl_m=10.0, rx_height_amsl_m=0.0, distance_m=1.0, k_factor=0)


def test_elevation_vectorised() -> None:
    d = np.array([100.0, 1000.0, 10_000.0])
    got = elevation_angle_deg(tx_height_amsl_m=40.0, rx_height_amsl_m=10.0, distance_m=d)
    assert isinstance(got, np.ndarray)
    loop = [
        float(elevation_angle_deg(tx_height_amsl_m=40.0, rx_height_amsl_m=10.0, distance_m=x))
        for x in d.tolist()
    ]
    np.testing.assert_allclose(got, np.array(loop), rtol=0.0, atol=1e-12)
    assert np.all(np.diff(got) > 0.0)  # farther targets sit closer to the horizontal


_any_float = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=200, deadline=None)
@given(
    az=_any_float,
    el=_any_float,
    bore=_any_float,
    tilt=_any_float,
    gmax=_any_float,
    beam=_any_float,
)
def test_any_input_works_or_raises_input_error(
    az: float, el: float, bore: float, tilt: float, gmax: float, beam: float
) -> None:
    try:
        g = sector_gain_dbi(
            azimuth_to_target_deg=az,
            elevation_to_target_deg=el,
            boresight_azimuth_deg=bore,
            downtilt_deg=tilt,
            max_gain_dbi=gmax,
            h_beamwidth_deg=beam,
        )
    except InputError:
        return
    assert isinstance(g, float)
    assert math.isnan(g) or g <= gmax
