"""GEO look angles and LEO shell visibility against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alcance.errors import InputError
from alcance.satellite import (
    GEO_RADIUS_M,
    LEO_EARTH_RADIUS_KM,
    geo_clearance_deg,
    geo_look_angles,
    leo_visibility,
)

WGS84_A_M = 6_378_137.0
ANGLE_TOL_DEG = 0.01  # the brief's tolerance; observed agreement is ~1e-9°
RANGE_TOL_M = 1.0
_TO_ECEF = pyproj.Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)


def _reference_look_angles(
    lon_deg: np.ndarray, lat_deg: np.ndarray, height_m: np.ndarray, sat_lon_deg: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """pyproj ECEF for the site, then an explicit ENU rotation matrix per site."""
    x, y, z = _TO_ECEF.transform(lon_deg, lat_deg, height_m)
    site = np.stack([x, y, z], axis=-1)
    sat_lon = np.radians(sat_lon_deg)
    sat = np.stack(
        [GEO_RADIUS_M * np.cos(sat_lon), GEO_RADIUS_M * np.sin(sat_lon), np.zeros_like(sat_lon)],
        axis=-1,
    )
    lam, phi = np.radians(lon_deg), np.radians(lat_deg)
    east = np.stack([-np.sin(lam), np.cos(lam), np.zeros_like(lam)], axis=-1)
    north = np.stack([-np.sin(phi) * np.cos(lam), -np.sin(phi) * np.sin(lam), np.cos(phi)], axis=-1)
    up = np.cross(east, north)  # right-handed ENU: up = east × north
    rotation = np.stack([east, north, up], axis=-2)  # (n, 3, 3)
    enu = np.einsum("nij,nj->ni", rotation, sat - site)
    slant = np.linalg.norm(sat - site, axis=-1)
    elevation = np.degrees(np.arcsin(np.clip(enu[:, 2] / slant, -1.0, 1.0)))
    azimuth = np.degrees(np.arctan2(enu[:, 0], enu[:, 1])) % 360.0
    return azimuth, elevation, slant


def _angle_diff_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(np.abs((a - b + 180.0) % 360.0 - 180.0), dtype=np.float64)


def test_random_sites_match_pyproj_and_vector_maths() -> None:
    rng = np.random.default_rng(20261124)
    n = 5_000
    lon = rng.uniform(-180.0, 180.0, n)
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))  # uniform on the sphere
    height = rng.uniform(-400.0, 6_500.0, n)
    sat_lon = rng.uniform(-180.0, 180.0, n)
    got = geo_look_angles(lon_deg=lon, lat_deg=lat, height_m=height, sat_lon_deg=sat_lon)
    azimuth, elevation, slant = _reference_look_angles(lon, lat, height, sat_lon)
    assert np.max(np.abs(got.elevation_deg - elevation)) < ANGLE_TOL_DEG
    assert np.max(np.abs(got.slant_range_m - slant)) < RANGE_TOL_M
    defined = elevation < 89.9  # the azimuth is undefined at the zenith
    assert np.max(_angle_diff_deg(got.azimuth_deg[defined], azimuth[defined])) < ANGLE_TOL_DEG
    assert ((got.azimuth_deg >= 0.0) & (got.azimuth_deg < 360.0)).all()
    # A sanity check on the test itself: the sample spans visible and hidden satellites.
    assert (elevation > 0).sum() > 1_000
    assert (elevation < 0).sum() > 1_000


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(-180, 180),
    lat=st.floats(-89.5, 89.5),
    height=st.floats(-500, 9_000),
    sat_lon=st.floats(-180, 180),
)
def test_property_matches_reference(lon: float, lat: float, height: float, sat_lon: float) -> None:
    got = geo_look_angles(lon_deg=lon, lat_deg=lat, height_m=height, sat_lon_deg=sat_lon)
    azimuth, elevation, slant = _reference_look_angles(
        np.array([lon]), np.array([lat]), np.array([height]), np.array([sat_lon])
    )
    assert got.elevation_deg[0] == pytest.approx(elevation[0], abs=ANGLE_TOL_DEG)
    assert got.slant_range_m[0] == pytest.approx(slant[0], abs=RANGE_TOL_M)
    if elevation[0] < 89.9:
        assert _angle_diff_deg(got.azimuth_deg, azimuth)[0] < ANGLE_TOL_DEG


def test_sub_satellite_point_on_the_equator() -> None:
    got = geo_look_angles(lon_deg=-61.0, lat_deg=0.0, height_m=0.0, sat_lon_deg=-61.0)
    assert got.elevation_deg[0] == pytest.approx(90.0, abs=1e-9)
    assert got.slant_range_m[0] == pytest.approx(35_786_033.0, abs=RANGE_TOL_M)
    assert got.slant_range_m[0] == pytest.approx(GEO_RADIUS_M - WGS84_A_M, abs=1e-6)


def test_satellite_below_the_horizon_has_negative_elevation() -> None:
    # Antipode: the satellite is straight down.
    got = geo_look_angles(lon_deg=0.0, lat_deg=0.0, height_m=0.0, sat_lon_deg=180.0)
    assert got.elevation_deg[0] == pytest.approx(-90.0, abs=1e-9)
    assert got.slant_range_m[0] == pytest.approx(GEO_RADIUS_M + WGS84_A_M, abs=1e-6)
    # On the equator the satellite sets at Δλ = arccos(a / r_s) ≈ 81.30°.
    limit_deg = math.degrees(math.acos(WGS84_A_M / GEO_RADIUS_M))
    edge = geo_look_angles(
        lon_deg=[limit_deg - 0.05, limit_deg, limit_deg + 0.05],
        lat_deg=0.0,
        height_m=0.0,
        sat_lon_deg=0.0,
    )
    assert edge.elevation_deg[0] > 0.0
    assert edge.elevation_deg[1] == pytest.approx(0.0, abs=1e-9)
    assert edge.elevation_deg[2] < 0.0
    # Too far north: GEO is never visible above ~81.3° latitude.
    polar = geo_look_angles(lon_deg=10.0, lat_deg=85.0, height_m=0.0, sat_lon_deg=10.0)
    assert polar.elevation_deg[0] < 0.0


def test_azimuth_conventions_and_symmetry() -> None:
    south = geo_look_angles(lon_deg=-70.0, lat_deg=-33.5, height_m=0.0, sat_lon_deg=-70.0)
    north = geo_look_angles(lon_deg=-70.0, lat_deg=33.5, height_m=0.0, sat_lon_deg=-70.0)
    assert south.azimuth_deg[0] == pytest.approx(0.0, abs=1e-9)  # due north
    assert north.azimuth_deg[0] == pytest.approx(180.0, abs=1e-9)  # due south
    assert south.elevation_deg[0] == pytest.approx(north.elevation_deg[0], abs=1e-9)
    east = geo_look_angles(lon_deg=-70.0, lat_deg=-33.5, height_m=500.0, sat_lon_deg=-40.0)
    west = geo_look_angles(lon_deg=-70.0, lat_deg=-33.5, height_m=500.0, sat_lon_deg=-100.0)
    assert 0.0 < east.azimuth_deg[0] < 90.0  # north-east from the southern hemisphere
    assert east.azimuth_deg[0] == pytest.approx(360.0 - west.azimuth_deg[0], abs=1e-9)
    assert east.elevation_deg[0] == pytest.approx(west.elevation_deg[0], abs=1e-9)


def test_geo_look_angles_broadcasts_and_validates() -> None:
    got = geo_look_angles(lon_deg=[-70.0, -71.0], lat_deg=-33.0, height_m=0.0, sat_lon_deg=-61.0)
    assert got.elevation_deg.shape == (2,)
    with pytest.raises(InputError, match="lat_deg"):
        geo_look_angles(lon_deg=0.0, lat_deg=91.0, height_m=0.0, sat_lon_deg=0.0)
    with pytest.raises(InputError, match="sat_lon_deg"):
        geo_look_angles(lon_deg=0.0, lat_deg=0.0, height_m=0.0, sat_lon_deg=math.nan)
    with pytest.raises(InputError, match="height_m"):
        geo_look_angles(lon_deg=0.0, lat_deg=0.0, height_m=1e9, sat_lon_deg=0.0)
    with pytest.raises(InputError, match="different lengths"):
        geo_look_angles(lon_deg=[0.0, 1.0], lat_deg=[0.0, 1.0, 2.0], height_m=0, sat_lon_deg=0)


def _law_of_cosines_slant_km(altitude_km: float, eps_rad: float) -> float:
    """Root of r² = R² + d² + 2 R d sin ε (site angle 90° + ε), solved independently."""
    r_km = LEO_EARTH_RADIUS_KM + altitude_km
    b = 2.0 * LEO_EARTH_RADIUS_KM * math.sin(eps_rad)
    c = LEO_EARTH_RADIUS_KM**2 - r_km**2
    return float(np.max(np.roots([1.0, b, c]).real))


@pytest.mark.parametrize(
    ("altitude_km", "min_elevation_deg"),
    [(550.0, 25.0), (550.0, 0.0), (1_200.0, 10.0), (340.0, 40.0), (35_786.0, 5.0)],
)
def test_leo_footprint_against_triangle(altitude_km: float, min_elevation_deg: float) -> None:
    got = leo_visibility(
        lat_deg=-33.5,
        altitude_km=altitude_km,
        min_elevation_deg=min_elevation_deg,
        inclination_deg=53.0,
    )
    eps = math.radians(min_elevation_deg)
    slant_km = _law_of_cosines_slant_km(altitude_km, eps)
    r_km = LEO_EARTH_RADIUS_KM + altitude_km
    # Law of sines in the triangle centre–site–satellite: sin λ / d = sin(90° + ε) / r.
    central_deg = math.degrees(math.asin(slant_km * math.cos(eps) / r_km))
    assert got.max_slant_range_km[0] == pytest.approx(slant_km, abs=1e-6)
    assert got.central_angle_deg[0] == pytest.approx(central_deg, abs=1e-9)
    assert got.footprint_radius_km[0] == pytest.approx(
        LEO_EARTH_RADIUS_KM * math.radians(central_deg), abs=1e-6
    )
    assert got.sky_fraction[0] == pytest.approx(1.0 - math.sin(eps), abs=1e-12)


def test_leo_hand_values_and_coverage() -> None:
    # Starlink-like shell: 550 km, 25° minimum elevation → λ ≈ 8.53°, ~949 km, ~1123 km.
    got = leo_visibility(
        lat_deg=[-33.5, 62.0, 63.0, -80.0],
        altitude_km=550.0,
        min_elevation_deg=25.0,
        inclination_deg=53.0,
    )
    lam = math.degrees(math.acos(6371.0 / 6921.0 * math.cos(math.radians(25.0)))) - 25.0
    assert got.central_angle_deg[0] == pytest.approx(lam, abs=1e-12)
    assert 8.4 < lam < 8.6
    assert got.covered.tolist() == [True, lam + 53.0 >= 62.0, lam + 53.0 >= 63.0, False]
    # Zenith-only terminal: the sky fraction is 0 at 90° (excluded), 0.5 at 30°.
    half = leo_visibility(lat_deg=0, altitude_km=550, min_elevation_deg=30, inclination_deg=0)
    assert half.sky_fraction[0] == pytest.approx(0.5, abs=1e-12)
    # A retrograde (sun-synchronous) shell reaches 180° − i.
    sso = leo_visibility(lat_deg=85, altitude_km=550, min_elevation_deg=25, inclination_deg=97.6)
    assert bool(sso.covered[0]) == (82.4 + sso.central_angle_deg[0] >= 85.0)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("altitude_km", {"altitude_km": 0.0}),
        ("altitude_km", {"altitude_km": -5.0}),
        ("min_elevation_deg", {"min_elevation_deg": -0.1}),
        ("min_elevation_deg", {"min_elevation_deg": 90.0}),
        ("inclination_deg", {"inclination_deg": 180.5}),
        ("inclination_deg", {"inclination_deg": -1.0}),
        ("lat_deg", {"lat_deg": 90.5}),
    ],
)
def test_leo_rejects_out_of_range(field: str, kwargs: dict[str, float]) -> None:
    args = {"lat_deg": 0.0, "altitude_km": 550.0, "min_elevation_deg": 25.0}
    args["inclination_deg"] = 53.0
    args.update(kwargs)
    with pytest.raises(InputError, match=field):
        leo_visibility(**args)


def test_geo_clearance() -> None:
    got = geo_clearance_deg(sat_elevation_deg=[27.5, 27.5], horizon_elevation_deg=[33.4, np.nan])
    assert got[0] == pytest.approx(-5.9)
    assert np.isnan(got[1])
    with pytest.raises(InputError, match="horizon_elevation_deg"):
        geo_clearance_deg(sat_elevation_deg=[1.0, 2.0], horizon_elevation_deg=[1.0, 2.0, 3.0])


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=4, max_size=4
    )
)
def test_any_input_works_or_raises_input_error(values: list[float]) -> None:
    lon, lat, height, sat_lon = values
    try:
        got = geo_look_angles(lon_deg=lon, lat_deg=lat, height_m=height, sat_lon_deg=sat_lon)
    except InputError:
        return
    assert np.isfinite(got.elevation_deg).all()
    assert np.isfinite(got.slant_range_m).all()


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=4, max_size=4
    )
)
def test_leo_any_input_works_or_raises_input_error(values: list[float]) -> None:
    lat, altitude, min_elevation, inclination = values
    try:
        got = leo_visibility(
            lat_deg=lat,
            altitude_km=altitude,
            min_elevation_deg=min_elevation,
            inclination_deg=inclination,
        )
    except InputError:
        return
    assert all(np.isfinite(np.asarray(field, dtype=np.float64)).all() for field in got)
    assert 0.0 < got.sky_fraction[0] <= 1.0
