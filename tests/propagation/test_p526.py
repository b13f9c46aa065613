"""ITU-R P.526 diffraction: hand-checkable values, properties and bad input.

The official reference cases are in ``test_p526_reference.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from alcance.errors import InputError
from alcance.propagation import p526

C_3E8 = 3e8


# --------------------------------------------------------------------------- knife edge


def test_knife_edge_exact_at_zero_is_6_02_db() -> None:
    # nu = 0: the edge grazes the ray, field halved: 20 log10(2) = 6.0206 dB
    assert p526.knife_edge_loss_db(0.0, method="fresnel") == pytest.approx(
        20.0 * math.log10(2.0), abs=1e-12
    )


def test_knife_edge_approximation_eq_31_by_hand() -> None:
    # eq. (31) at nu = 0: 6.9 + 20 log10(sqrt(0.01 + 1) - 0.1)
    assert p526.knife_edge_loss_db(0.0) == pytest.approx(
        6.9 + 20.0 * math.log10(math.sqrt(1.01) - 0.1), abs=1e-12
    )
    assert p526.knife_edge_loss_db(0.0) == pytest.approx(6.03, abs=0.005)
    # nu = 1: 6.9 + 20 log10(sqrt(1.81) + 0.9) = 13.93 dB; the exact curve gives 13.86 dB
    assert p526.knife_edge_loss_db(1.0) == pytest.approx(13.926, abs=1e-3)
    assert p526.knife_edge_loss_db(1.0, method="fresnel") == pytest.approx(13.864, abs=1e-3)


def test_knife_edge_approximation_is_zero_at_and_below_minus_0_78() -> None:
    nu = np.array([-5.0, -1.0, -0.78])
    np.testing.assert_array_equal(p526.knife_edge_loss_db(nu), 0.0)
    assert p526.knife_edge_loss_db(-0.77) > 0.0


def test_knife_edge_approximation_within_0_13_db_of_exact() -> None:
    # the approximation of eq. (31) follows eq. (30) to about 0.1 dB for nu > -0.78
    nu = np.linspace(-0.7, 10.0, 500)
    approx = p526.knife_edge_loss_db(nu)
    exact = p526.knife_edge_loss_db(nu, method="fresnel")
    assert isinstance(approx, np.ndarray)
    assert approx.shape == nu.shape
    assert np.max(np.abs(approx - exact)) < 0.13


def test_knife_edge_monotone_and_scalar_type() -> None:
    nu = np.linspace(-0.78, 20.0, 1000)
    loss = p526.knife_edge_loss_db(nu)
    assert np.all(np.diff(loss) > 0.0)
    assert type(p526.knife_edge_loss_db(0.3)) is float


def test_knife_edge_nu_by_hand() -> None:
    # 300 MHz with c = 3e8 -> lambda = 1 m; h = 10 m, d1 = d2 = 1 km:
    # nu = 10 sqrt(2/1 (1/1000 + 1/1000)) = 10 sqrt(0.004)
    nu = p526.knife_edge_nu(
        height_above_path_m=10.0,
        d1_m=1000.0,
        d2_m=1000.0,
        freq_mhz=300.0,
        speed_of_light_m_per_s=C_3E8,
    )
    assert nu == pytest.approx(10.0 * math.sqrt(0.004), rel=1e-12)
    below = p526.knife_edge_nu(
        height_above_path_m=np.array([-10.0, 0.0]), d1_m=1000.0, d2_m=1000.0, freq_mhz=300.0
    )
    assert isinstance(below, np.ndarray)
    assert below[0] < 0.0
    assert below[1] == 0.0


# --------------------------------------------------------------------------- spherical Earth


def _sphere(**kw: Any) -> NDArray[np.float64]:
    args: dict[str, Any] = {"height_tx_m": 30.0, "height_rx_m": 10.0, "freq_mhz": 900.0}
    args.update(kw)
    return np.asarray(p526.spherical_earth_diffraction_loss_db(**args))


@pytest.mark.parametrize("variant", list(p526.VARIANTS))
@pytest.mark.parametrize("polarization", list(p526.POLARIZATIONS))
@pytest.mark.parametrize("freq_mhz", [30.0, 150.0, 900.0, 5000.0])
def test_spherical_earth_monotone_in_distance(
    variant: str, polarization: str, freq_mhz: float
) -> None:
    d = np.linspace(500.0, 300_000.0, 600)
    loss = _sphere(distance_m=d, freq_mhz=freq_mhz, variant=variant, polarization=polarization)
    assert np.all(np.isfinite(loss))
    assert np.all(loss >= 0.0)
    assert np.all(np.diff(loss) >= -1e-9)
    if freq_mhz >= 150.0:
        assert loss[0] == 0.0  # 500 m: clearance above h_req (at 30 MHz the ground is
        # still within the Fresnel zone, so there is a loss)
    assert loss[-1] > 100.0  # 300 km, far beyond the ~35 km radio horizon


def test_spherical_earth_continuous_at_marginal_line_of_sight() -> None:
    ae, hte, hre = 8500.0, 30.0, 10.0
    dlos_m = 1000.0 * math.sqrt(2.0 * ae) * (math.sqrt(0.001 * hte) + math.sqrt(0.001 * hre))
    eps = 1e-6 * dlos_m
    inside, outside = _sphere(distance_m=np.array([dlos_m - eps, dlos_m + eps]))
    assert inside == pytest.approx(outside, abs=1e-3)


def test_spherical_earth_variants_agree_to_hundredths_of_db() -> None:
    d = np.linspace(10_000.0, 200_000.0, 50)
    a = _sphere(distance_m=d, variant="P.526")
    b = _sphere(distance_m=d, variant="P.452")
    assert np.max(np.abs(a - b)) < 0.05


def test_spherical_earth_broadcasts_and_sea_mix() -> None:
    land = _sphere(distance_m=80_000.0, sea_fraction=0.0, polarization="vertical")
    sea = _sphere(distance_m=80_000.0, sea_fraction=1.0, polarization="vertical")
    half = _sphere(distance_m=80_000.0, sea_fraction=0.5, polarization="vertical")
    assert float(half) == pytest.approx(0.5 * (float(land) + float(sea)), abs=1e-9)
    grid = _sphere(distance_m=np.array([[50e3], [80e3]]), freq_mhz=np.array([100.0, 1000.0]))
    assert grid.shape == (2, 2)
    single = p526.spherical_earth_diffraction_loss_db(
        distance_m=80e3, height_tx_m=30.0, height_rx_m=10.0, freq_mhz=1000.0
    )
    assert type(single) is float
    assert grid[1, 1] == pytest.approx(single, abs=1e-12)


# --------------------------------------------------------------------------- Bullington


def _flat_profile_with_edge(
    edge_m: float, n: int = 201, length_m: float = 20_000.0, ground_m: float = 0.0
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    d = np.linspace(0.0, length_m, n)
    h = np.full(n, ground_m)
    k = n // 3
    h[k] = edge_m
    return d, h, k


@pytest.mark.parametrize("edge_m", [-15.0, -3.0, 0.0, 5.0, 40.0, 150.0])
def test_bullington_single_edge_equals_knife_edge(edge_m: float) -> None:
    # With a negligible Earth curvature, one edge on a flat profile is its own
    # Bullington point (both in line of sight and beyond), so
    # L_bull = J(nu) + (1 - exp(-J/6)) (10 + 0.02 d_km) with nu of eq. (26). The
    # ground is put 500 m down so that only the edge is near the ray.
    d, h, k = _flat_profile_with_edge(edge_m, ground_m=-500.0)
    hts = hrs = 20.0
    ae = 1e12
    loss = p526.bullington_loss_db(
        distance_m=d,
        height_m=h,
        height_tx_amsl_m=hts,
        height_rx_amsl_m=hrs,
        freq_mhz=600.0,
        effective_earth_radius_km=ae,
    )
    nu = p526.knife_edge_nu(
        height_above_path_m=edge_m - hts, d1_m=d[k], d2_m=d[-1] - d[k], freq_mhz=600.0
    )
    j = p526.knife_edge_loss_db(nu)
    expected = j + (1.0 - math.exp(-j / 6.0)) * (10.0 + 0.02 * d[-1] / 1000.0)
    assert loss == pytest.approx(expected, abs=1e-6)


def test_bullington_grazing_edge_is_finite_and_6_db_knife_edge() -> None:
    # The middle point lies exactly on the Tx-Rx line (no curvature in floating
    # point): S_tim = S_tr, the limit of both cases is nu = 0.
    loss = p526.bullington_loss_db(
        distance_m=np.array([0.0, 1000.0, 2000.0]),
        height_m=np.array([0.0, 10.0, 0.0]),
        height_tx_amsl_m=10.0,
        height_rx_amsl_m=10.0,
        freq_mhz=900.0,
        effective_earth_radius_km=1e30,
    )
    j0 = p526.knife_edge_loss_db(0.0)
    assert loss == pytest.approx(j0 + (1.0 - math.exp(-j0 / 6.0)) * (10.0 + 0.02 * 2.0))


def test_bullington_accepts_non_uniform_and_offset_distances() -> None:
    rng = np.random.default_rng(7)
    d = np.sort(rng.uniform(0.0, 30_000.0, 300))
    d[0], d[-1] = 0.0, 30_000.0
    h = 200.0 + 60.0 * np.sin(d / 3000.0)
    args: dict[str, Any] = {
        "height_tx_amsl_m": 230.0,
        "height_rx_amsl_m": 215.0,
        "freq_mhz": 900.0,
    }
    base = p526.bullington_loss_db(distance_m=d, height_m=h, **args)
    shifted = p526.bullington_loss_db(distance_m=d + 5000.0, height_m=h, **args)
    assert base > 0.0
    assert shifted == pytest.approx(base, abs=1e-9)


# --------------------------------------------------------------------------- smooth Earth


def test_smooth_earth_heights_of_a_straight_slope() -> None:
    d = np.linspace(0.0, 10_000.0, 101)
    h = 100.0 + 0.01 * d  # 100 m rising to 200 m
    s = p526.smooth_earth_heights(
        distance_m=d, height_m=h, height_tx_amsl_m=130.0, height_rx_amsl_m=230.0
    )
    assert s.surface_tx_m == pytest.approx(100.0, abs=1e-9)
    assert s.surface_rx_m == pytest.approx(200.0, abs=1e-9)
    # no obstruction above the Tx-Rx line: h_std = min(h_st, h_1), h_srd = min(h_sr, h_n)
    assert s.diffraction_tx_m == pytest.approx(100.0, abs=1e-9)
    assert s.diffraction_rx_m == pytest.approx(200.0, abs=1e-9)


def test_smooth_earth_heights_lowered_by_an_obstruction() -> None:
    d, h, _ = _flat_profile_with_edge(300.0)
    s = p526.smooth_earth_heights(
        distance_m=d, height_m=h, height_tx_amsl_m=10.0, height_rx_amsl_m=10.0
    )
    # least squares lifts the surface above the 0 m ground; eq. (167) caps it at 0 m
    assert s.surface_tx_m > 0.0
    assert s.diffraction_tx_m <= 0.0
    assert s.diffraction_rx_m <= 0.0


# --------------------------------------------------------------------------- delta-Bullington


def test_delta_bullington_on_a_flat_sea_level_path_is_max_of_parts() -> None:
    # A smooth profile at 0 m: the actual and smooth Bullington losses are the same
    # (h'_ts = h_tg), so L_d = max(L_ba, L_sph).
    d = np.linspace(0.0, 60_000.0, 601)
    res = p526.delta_bullington(
        distance_m=d,
        height_m=np.zeros_like(d),
        antenna_tx_agl_m=30.0,
        antenna_rx_agl_m=10.0,
        freq_mhz=900.0,
    )
    assert res.effective_height_tx_m == pytest.approx(30.0)
    assert res.effective_height_rx_m == pytest.approx(10.0)
    assert res.bullington_actual_db == pytest.approx(res.bullington_smooth_db, abs=1e-12)
    assert res.loss_db == pytest.approx(
        max(res.bullington_actual_db, res.spherical_earth_db), abs=1e-12
    )
    sphere = p526.spherical_earth_diffraction_loss_db(
        distance_m=60_000.0, height_tx_m=30.0, height_rx_m=10.0, freq_mhz=900.0
    )
    assert res.spherical_earth_db == pytest.approx(sphere, abs=1e-12)


def _random_profiles(
    rng: np.random.Generator, n_paths: int, max_points: int
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]]:
    n = rng.integers(3, max_points + 1, n_paths).astype(np.int64)
    elev = np.full((n_paths, max_points), np.nan)
    for p in range(n_paths):
        x = np.arange(n[p])
        elev[p, : n[p]] = (
            300.0
            + rng.normal(0.0, 40.0) * np.sin(x / rng.uniform(3.0, 30.0))
            + rng.normal(0, 5, n[p])
        )
    spacing = rng.uniform(10.0, 200.0, n_paths)
    return elev, n, spacing


@pytest.mark.parametrize("with_clutter", [False, True])
def test_batch_equals_single_path(with_clutter: bool) -> None:
    rng = np.random.default_rng(1)
    elev, n, spacing = _random_profiles(rng, 25, 400)
    clutter = rng.uniform(0.0, 20.0, elev.shape) if with_clutter else None
    htg = rng.uniform(2.0, 60.0, 25)
    f = rng.uniform(50.0, 6000.0, 25)
    batch = p526.delta_bullington_batch(
        elevation_m=elev,
        n_points=n,
        spacing_m=spacing,
        antenna_tx_agl_m=htg,
        antenna_rx_agl_m=10.0,
        freq_mhz=f,
        clutter_height_m=clutter,
        polarization="vertical",
    )
    assert all(field.shape == (25,) for field in batch)
    for p in range(25):
        one = p526.delta_bullington(
            distance_m=np.arange(n[p]) * spacing[p],
            height_m=elev[p, : n[p]],
            clutter_height_m=None if clutter is None else clutter[p, : n[p]],
            antenna_tx_agl_m=htg[p],
            antenna_rx_agl_m=10.0,
            freq_mhz=f[p],
            polarization="vertical",
        )
        for got, want in zip(batch, one, strict=True):
            assert got[p] == pytest.approx(want, abs=1e-9, rel=1e-12)


def test_batch_with_no_paths() -> None:
    res = p526.delta_bullington_batch(
        elevation_m=np.empty((0, 5)),
        n_points=np.empty(0, dtype=np.int64),
        spacing_m=30.0,
        antenna_tx_agl_m=10.0,
        antenna_rx_agl_m=10.0,
        freq_mhz=900.0,
    )
    assert res.loss_db.shape == (0,)


profile_heights = st.lists(st.floats(-50.0, 4000.0, allow_nan=False), min_size=3, max_size=60)


@settings(max_examples=60, deadline=None)
@given(
    heights=profile_heights,
    spacing_m=st.floats(1.0, 2000.0),
    htg=st.floats(0.5, 300.0),
    hrg=st.floats(0.5, 300.0),
    freq_mhz=st.floats(10.0, 50_000.0),
    ae_km=st.floats(3000.0, 40_000.0),
    omega=st.floats(0.0, 1.0),
    polarization=st.sampled_from(list(p526.POLARIZATIONS)),
    variant=st.sampled_from(list(p526.VARIANTS)),
)
def test_delta_bullington_properties(
    heights: list[float],
    spacing_m: float,
    htg: float,
    hrg: float,
    freq_mhz: float,
    ae_km: float,
    omega: float,
    polarization: str,
    variant: str,
) -> None:
    h = np.array(heights)
    res = p526.delta_bullington(
        distance_m=np.arange(h.size) * spacing_m,
        height_m=h,
        antenna_tx_agl_m=htg,
        antenna_rx_agl_m=hrg,
        freq_mhz=freq_mhz,
        effective_earth_radius_km=ae_km,
        sea_fraction=omega,
        polarization=polarization,
        variant=variant,
    )
    assert all(math.isfinite(x) for x in res)
    assert res.bullington_actual_db >= 0.0
    assert res.bullington_smooth_db >= 0.0
    assert res.loss_db >= res.bullington_actual_db >= 0.0
    # the smooth surface is never above the ground at the ends (eq. (167))
    assert res.effective_height_tx_m >= htg - 1e-9
    assert res.effective_height_rx_m >= hrg - 1e-9


@settings(max_examples=60, deadline=None)
@given(
    d=st.one_of(st.floats(-1e6, 1e7), st.sampled_from([math.nan, math.inf])),
    hte=st.one_of(st.floats(-10.0, 1e4), st.just(math.nan)),
    f=st.one_of(st.floats(-1.0, 1e6), st.just(math.nan)),
)
def test_spherical_earth_works_or_raises_input_error(d: float, hte: float, f: float) -> None:
    try:
        loss = p526.spherical_earth_diffraction_loss_db(
            distance_m=d, height_tx_m=hte, height_rx_m=10.0, freq_mhz=f
        )
    except InputError:
        return
    assert math.isfinite(loss)


# --------------------------------------------------------------------------- bad input


def _single_path_args() -> dict[str, Any]:
    d = np.linspace(0.0, 20_000.0, 51)
    return {
        "distance_m": d,
        "height_m": 100.0 + 20.0 * np.sin(d / 2000.0),
        "antenna_tx_agl_m": 20.0,
        "antenna_rx_agl_m": 10.0,
        "freq_mhz": 900.0,
    }


def _outside(name: str) -> list[float]:
    """Values just outside the declared range of ``name`` (plus NaN)."""
    rng = p526.RANGES[name]
    values = [math.nan, rng.lo if rng.lo_open else rng.lo - 1e-6 * max(1.0, abs(rng.lo))]
    if math.isfinite(rng.hi):
        values.append(rng.hi if rng.hi_open else rng.hi * (1.0 + 1e-6))
    return values


DELTA_SCALARS = [
    "antenna_tx_agl_m",
    "antenna_rx_agl_m",
    "freq_mhz",
    "effective_earth_radius_km",
    "sea_fraction",
    "speed_of_light_m_per_s",
]


@pytest.mark.parametrize(
    ("name", "value"),
    [(name, v) for name in DELTA_SCALARS for v in _outside(name)],
)
def test_delta_bullington_rejects_out_of_range(name: str, value: float) -> None:
    args = _single_path_args() | {name: value}
    with pytest.raises(InputError, match=name) as err:
        p526.delta_bullington(**args)
    assert err.value.field == name


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (name, v)
        for name in ["distance_m", "height_tx_m", "height_rx_m", "freq_mhz", "sea_fraction"]
        for v in _outside(name)
    ],
)
def test_spherical_earth_rejects_out_of_range(name: str, value: float) -> None:
    args: dict[str, Any] = {
        "distance_m": 50e3,
        "height_tx_m": 30.0,
        "height_rx_m": 10.0,
        "freq_mhz": 900.0,
        name: value,
    }
    with pytest.raises(InputError, match=name):
        p526.spherical_earth_diffraction_loss_db(**args)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"distance_m": np.linspace(-100.0, 20_000.0, 51)}, "distance_m"),
        ({"distance_m": np.linspace(20_000.0, 0.0, 51)}, "distance_m"),
        ({"distance_m": np.r_[0.0, 0.0, np.linspace(1.0, 2e4, 49)]}, "distance_m"),
        ({"distance_m": np.linspace(0.0, 20_000.0, 50)}, "height_m"),
        ({"distance_m": np.zeros((3, 17))}, "distance_m"),
        ({"distance_m": np.array([0.0, 1.0]), "height_m": np.array([0.0, 1.0])}, "distance_m"),
        ({"height_m": np.full(51, np.nan)}, "height_m"),
        ({"clutter_height_m": np.zeros(50)}, "clutter_height_m"),
        ({"clutter_height_m": np.full(51, -1.0)}, "clutter_height_m"),
        ({"polarization": "horizonal"}, "polarization"),
        ({"variant": "P.1812"}, "variant"),
        ({"land": p526.Ground(0.5, 0.003)}, "land"),
    ],
)
def test_delta_bullington_rejects_bad_profiles_and_names(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(InputError, match=field) as err:
        p526.delta_bullington(**(_single_path_args() | change))
    assert err.value.field == field


def test_unknown_polarization_suggests_the_closest_name() -> None:
    with pytest.raises(InputError, match="did you mean 'horizontal'"):
        p526.delta_bullington(**(_single_path_args() | {"polarization": "horizonal"}))


def _batch_args() -> dict[str, Any]:
    rng = np.random.default_rng(3)
    elev, n, spacing = _random_profiles(rng, 4, 50)
    return {
        "elevation_m": elev,
        "n_points": n,
        "spacing_m": spacing,
        "antenna_tx_agl_m": 20.0,
        "antenna_rx_agl_m": 10.0,
        "freq_mhz": 900.0,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"elevation_m": np.zeros(50)}, "elevation_m"),
        ({"n_points": np.array([50, 50, 50])}, "n_points"),
        ({"n_points": np.array([50, 2, 50, 50])}, "n_points"),
        ({"n_points": np.array([50, 51, 50, 50])}, "n_points"),
        ({"n_points": np.array([50.0, 49.5, 50.0, 50.0])}, "n_points"),
        ({"spacing_m": np.array([30.0, 30.0])}, "spacing_m"),
        ({"spacing_m": -30.0}, "spacing_m"),
        ({"freq_mhz": np.array([900.0, 900.0, 5.0, 900.0])}, "freq_mhz"),
        ({"antenna_tx_agl_m": np.zeros(4)}, "antenna_tx_agl_m"),
        ({"clutter_height_m": np.zeros((4, 49))}, "clutter_height_m"),
    ],
)
def test_batch_rejects_bad_layout(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError, match=field):
        p526.delta_bullington_batch(**(_batch_args() | change))


def test_batch_names_the_path_with_nan_inside_its_points() -> None:
    args = _batch_args()
    elev = args["elevation_m"].copy()
    elev[2, 1] = np.nan
    with pytest.raises(InputError, match="row 3") as err:
        p526.delta_bullington_batch(**(args | {"elevation_m": elev}))
    assert err.value.row == 3
    assert err.value.field == "elevation_m"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"height_above_path_m": math.nan}, "height_above_path_m"),
        ({"d1_m": 0.0}, "d1_m"),
        ({"d2_m": -5.0}, "d2_m"),
        ({"freq_mhz": 1e6}, "freq_mhz"),
    ],
)
def test_knife_edge_nu_rejects_bad_input(kwargs: dict[str, float], field: str) -> None:
    args = {"height_above_path_m": 1.0, "d1_m": 100.0, "d2_m": 100.0, "freq_mhz": 900.0}
    with pytest.raises(InputError, match=field):
        p526.knife_edge_nu(**(args | kwargs))


def test_knife_edge_loss_rejects_bad_input() -> None:
    with pytest.raises(InputError, match="nu"):
        p526.knife_edge_loss_db(math.inf)
    with pytest.raises(InputError, match="method"):
        p526.knife_edge_loss_db(0.0, method="exact")
