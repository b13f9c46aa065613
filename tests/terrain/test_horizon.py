"""Terrain horizon kernels: synthetic grids with exact answers and real Andes schools."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alcance.errors import InputError
from alcance.io import open_dem
from alcance.satellite import geo_clearance_deg, geo_look_angles
from alcance.terrain import (
    EARTH_RADIUS_M,
    TerrainGrid,
    geodesic_direct,
    geodesic_inverse,
    sample_profiles,
)
from alcance.terrain.horizon import (
    horizon_elevation_deg,
    horizon_mask_deg,
    horizon_ray_points,
    sky_fraction_above,
)

WGS84_WKT = pyproj.CRS("EPSG:4326").to_wkt()
PIXEL_DEG = 0.001
PIXEL_M = 6_378_137.0 * math.radians(PIXEL_DEG)  # along the equator
AE_M = 4.0 / 3.0 * EARTH_RADIUS_M
HALF = 300  # grid of 601 × 601 pixels centred on (0°, 0°): ±33 km


def _grid(elevation: np.ndarray, *, crs_wkt: str = WGS84_WKT) -> TerrainGrid:
    """A WGS 84 grid whose centre pixel has its centre exactly on (0°, 0°)."""
    rows, cols = elevation.shape
    return TerrainGrid(
        elevation_m=np.asarray(elevation, dtype=np.float32),
        void=np.isnan(elevation),
        x0=-(cols / 2) * PIXEL_DEG,
        y0=(rows / 2) * PIXEL_DEG,
        dx=PIXEL_DEG,
        dy=-PIXEL_DEG,
        crs_wkt=crs_wkt,
        is_geographic=True,
        source="synthetic",
    )


def _flat(value: float) -> np.ndarray:
    return np.full((2 * HALF + 1, 2 * HALF + 1), value)


FLAT_GRID = _grid(_flat(0.0))


@pytest.mark.parametrize(
    ("max_lat_deg", "spacing_m", "tolerance_m"),
    [(45.0, 90.0, 0.01), (45.0, 20.0, 0.01), (80.0, 90.0, 0.04), (80.0, 1_500.0, 0.04)],
)
def test_ray_points_follow_the_geodesic(
    max_lat_deg: float, spacing_m: float, tolerance_m: float
) -> None:
    rng = np.random.default_rng(7)
    worst_m = 0.0
    for _ in range(40):
        lon = rng.uniform(-180, 180)
        lat = rng.uniform(-max_lat_deg, max_lat_deg)
        az = rng.uniform(0, 360)
        ray_lon, ray_lat, distance = horizon_ray_points(
            lon_deg=lon, lat_deg=lat, azimuth_deg=az, max_distance_m=30_000.0,
            spacing_m=spacing_m,
        )  # fmt: skip
        assert distance[-1] == pytest.approx(30_000.0)
        ref_lon, ref_lat = geodesic_direct(
            lon_deg=lon, lat_deg=lat, azimuth_deg=az, distance_m=distance
        )
        error = geodesic_inverse(
            lon1_deg=ray_lon, lat1_deg=ray_lat, lon2_deg=ref_lon, lat2_deg=ref_lat
        )
        worst_m = max(worst_m, float(error.distance_m.max()))
    # Stated in horizon_ray_points: RK2 nodes every 500 m + linear interpolation.
    assert worst_m < tolerance_m


def test_flat_plane_gives_the_curvature_dip() -> None:
    grid = _grid(_flat(0.0))
    # Antenna at 10 m: the horizon is the tangent point at d* = sqrt(2 k R h), where
    # θ = −sqrt(2 h / (k R)); the discrete maximum is within a step of it.
    h = 10.0
    d_star = math.sqrt(2.0 * AE_M * h)
    got = horizon_elevation_deg(
        grid, lon_deg=0.0, lat_deg=0.0, antenna_height_m=h, azimuth_deg=90.0
    )
    assert abs(got.distance_m[0] - d_star) < PIXEL_M
    theta = math.degrees(-math.atan(math.sqrt(2.0 * h / AE_M)))
    assert got.elevation_deg[0] == pytest.approx(theta, abs=1e-5)
    assert got.elevation_deg[0] <= theta + 1e-12  # the sampled maximum never exceeds it
    # Within a radius shorter than d*, the last point sets the horizon: the dip limit.
    d_max = 5_000.0
    short = horizon_elevation_deg(
        grid, lon_deg=0.0, lat_deg=0.0, antenna_height_m=h, azimuth_deg=0.0,
        max_distance_m=d_max,
    )  # fmt: skip
    expected = math.degrees(math.atan((-h - d_max**2 / (2.0 * AE_M)) / d_max))
    assert short.elevation_deg[0] == pytest.approx(expected, abs=1e-9)
    assert short.distance_m[0] == pytest.approx(d_max)
    # Antenna on the ground: the first point, −d₁ / (2 k R).
    ground = horizon_elevation_deg(
        grid, lon_deg=0.0, lat_deg=0.0, antenna_height_m=0.0, azimuth_deg=45.0, spacing_m=50.0
    )
    d1 = ground.distance_m[0]
    assert d1 == pytest.approx(50.0)  # 30 km is a whole number of 50 m steps
    assert ground.elevation_deg[0] == pytest.approx(math.degrees(-math.atan(d1 / (2 * AE_M))))
    assert got.void_points[0] == 0
    assert got.outside_points[0] == 0


def test_single_ridge_exact_angle() -> None:
    z = _flat(0.0)
    ridge_px, height_m, antenna_m = 80, 1_000.0, 5.0
    z[:, HALF + ridge_px : HALF + ridge_px + 5] = height_m  # N-S ridge east of the site
    grid = _grid(z)
    # Steps of exactly one pixel along the equator land on pixel centres.
    got = horizon_elevation_deg(
        grid, lon_deg=0.0, lat_deg=0.0, antenna_height_m=antenna_m, azimuth_deg=90.0,
        max_distance_m=250 * PIXEL_M, spacing_m=PIXEL_M, k_factor=4.0 / 3.0,
    )  # fmt: skip
    d = ridge_px * PIXEL_M
    expected = math.degrees(math.atan((height_m - antenna_m - d * d / (2.0 * AE_M)) / d))
    assert got.elevation_deg[0] == pytest.approx(expected, abs=1e-9)
    assert got.distance_m[0] == pytest.approx(d, abs=1e-6)
    assert got.site_elevation_m[0] == 0.0
    # No refraction (k → ∞) only removes the curvature term.
    straight = horizon_elevation_deg(
        grid, lon_deg=0.0, lat_deg=0.0, antenna_height_m=antenna_m, azimuth_deg=90.0,
        max_distance_m=250 * PIXEL_M, spacing_m=PIXEL_M, k_factor=1e12,
    )  # fmt: skip
    assert straight.elevation_deg[0] == pytest.approx(
        math.degrees(math.atan((height_m - antenna_m) / d)), abs=1e-9
    )
    # Looking west, the ridge is behind: flat-earth dip only.
    west = horizon_elevation_deg(
        grid, lon_deg=0.0, lat_deg=0.0, antenna_height_m=antenna_m, azimuth_deg=270.0
    )
    assert west.elevation_deg[0] < 0.0


def test_mask_is_symmetric_for_point_symmetric_terrain() -> None:
    rng = np.random.default_rng(11)
    noise = rng.uniform(0.0, 2_000.0, (2 * HALF + 1, 2 * HALF + 1))
    z = noise + noise[::-1, ::-1]  # z(x, y) = z(−x, −y) about the centre pixel (0°, 0°)
    mask = horizon_mask_deg(
        _grid(z), lon_deg=0.0, lat_deg=0.0, antenna_height_m=2.0, n_azimuths=72,
        max_distance_m=30_000.0,
    )  # fmt: skip
    assert mask.elevation_deg.shape == (1, 72)
    assert mask.azimuth_deg[1] == pytest.approx(5.0)
    np.testing.assert_allclose(
        mask.elevation_deg[0, :36], mask.elevation_deg[0, 36:], atol=1e-6, rtol=0
    )
    assert (mask.elevation_deg > 0).all()
    # One-azimuth calls give the same numbers as the mask.
    single = horizon_elevation_deg(
        _grid(z), lon_deg=0.0, lat_deg=0.0, antenna_height_m=2.0, azimuth_deg=mask.azimuth_deg
    )
    np.testing.assert_array_equal(single.elevation_deg, mask.elevation_deg[0])


def test_voids_and_off_grid_points_are_reported_not_zero() -> None:
    # Terrain below sea level: a void taken as 0 m would be a 400 m wall.
    z = _flat(-400.0)
    z[HALF - 3 : HALF + 4, HALF + 10 : HALF + 20] = np.nan
    grid = _grid(z)
    got = horizon_elevation_deg(
        grid, lon_deg=0.0, lat_deg=0.0, antenna_height_m=10.0, azimuth_deg=[90.0, 0.0]
    )
    assert got.void_points[0] > 0
    assert got.void_points[1] == 0
    assert got.elevation_deg[0] == pytest.approx(got.elevation_deg[1], abs=1e-9)
    assert got.elevation_deg[0] < 0.0
    # Near the east edge, rays eastward leave the grid: counted, the rest still used.
    edge = horizon_elevation_deg(
        grid, lon_deg=0.29, lat_deg=0.0, antenna_height_m=10.0, azimuth_deg=[90.0, 270.0]
    )
    assert edge.outside_points[0] > 0
    assert edge.outside_points[1] == 0
    assert np.isfinite(edge.elevation_deg).all()
    # All points off the grid, or a site on a void or off the grid: NaN, not a number.
    beyond = horizon_elevation_deg(
        grid, lon_deg=[0.3004, 0.012, 5.0], lat_deg=0.0, antenna_height_m=10.0, azimuth_deg=90.0,
        spacing_m=20.0, max_distance_m=10_000.0,
    )  # fmt: skip
    assert beyond.outside_points[0] > 0
    assert np.isnan(beyond.elevation_deg).all()
    assert np.isnan(beyond.site_elevation_m[1:]).all()


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("max_distance_m", {"max_distance_m": 0.0}),
        ("max_distance_m", {"max_distance_m": 250_000.0}),
        ("spacing_m", {"spacing_m": -1.0}),
        ("k_factor", {"k_factor": 0.0}),
        ("antenna_height_m", {"antenna_height_m": -2.0}),
        ("lat_deg", {"lat_deg": 95.0}),
        ("azimuth_deg", {"azimuth_deg": math.inf}),
    ],
)
def test_bad_options_raise_input_error(field: str, kwargs: dict[str, float]) -> None:
    args: dict[str, float] = {"lon_deg": 0.0, "lat_deg": 0.0, "antenna_height_m": 2.0}
    args["azimuth_deg"] = 90.0
    args.update(kwargs)
    with pytest.raises(InputError, match=field):
        horizon_elevation_deg(_grid(_flat(0.0)), **args)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=6, max_size=6
    )
)
def test_any_input_works_or_raises_input_error(values: list[float]) -> None:
    lon, lat, height, azimuth, radius, k = values
    try:
        got = horizon_elevation_deg(
            FLAT_GRID, lon_deg=lon, lat_deg=lat, antenna_height_m=height, azimuth_deg=azimuth,
            max_distance_m=min(abs(radius), 40_000.0) if math.isfinite(radius) else radius,
            k_factor=k,
        )  # fmt: skip
    except InputError:
        return
    assert got.elevation_deg.shape == (1,)
    assert got.void_points[0] >= 0
    assert got.outside_points[0] >= 0


def test_bad_mask_options_and_projected_grid() -> None:
    grid = _grid(_flat(0.0))
    with pytest.raises(InputError, match="n_azimuths"):
        horizon_mask_deg(grid, lon_deg=0, lat_deg=0, antenna_height_m=2, n_azimuths=0)
    utm = _grid(_flat(0.0), crs_wkt=pyproj.CRS("EPSG:32719").to_wkt())
    with pytest.raises(InputError, match="crs_wkt"):
        horizon_mask_deg(utm, lon_deg=0, lat_deg=0, antenna_height_m=2)


def test_sky_fraction_above() -> None:
    assert float(sky_fraction_above(np.full(360, -0.1), min_elevation_deg=0.0)) == 1.0
    assert float(sky_fraction_above(np.full(8, 30.0), min_elevation_deg=0.0)) == pytest.approx(0.5)
    # Half the azimuths blocked up to the zenith, the rest above ε = 25°.
    mask = np.where(np.arange(360) < 180, 90.0, 10.0)
    expected = 0.5 * (1.0 - math.sin(math.radians(25.0)))
    got = sky_fraction_above(mask[None, :], min_elevation_deg=25.0)
    assert got.shape == (1,)
    assert got[0] == pytest.approx(expected, abs=1e-12)
    # Numerical solid-angle integral of a smooth mask agrees with the sector sum.
    az = np.arange(720) * 0.5
    smooth = 20.0 + 15.0 * np.sin(np.radians(az))
    el = np.linspace(0.0, 90.0, 20_001)
    above = el[None, :] >= smooth[:, None]
    cell = np.cos(np.radians(el))[None, :] * above
    integral = np.trapezoid(cell, np.radians(el), axis=1).mean()
    assert float(sky_fraction_above(smooth, min_elevation_deg=5.0)) == pytest.approx(
        integral, abs=1e-4
    )
    assert np.isnan(sky_fraction_above([np.nan, 10.0], min_elevation_deg=0.0))
    with pytest.raises(InputError, match="min_elevation_deg"):
        sky_fraction_above(mask, min_elevation_deg=-1.0)
    with pytest.raises(InputError, match="mask_deg"):
        sky_fraction_above(np.zeros((2, 2, 2)), min_elevation_deg=0.0)


# ---------------------------------------------------------------- real Andes terrain
SAT_LON_DEG = -116.8  # a real GEO slot serving Latin America (Eutelsat 117 West A)
ANTENNA_M = 2.0
BLOCKED_ID = "CL-RBD-10538"  # San José de Maipo, upper Cajón del Maipo
CLEAR_ID = "CL-RBD-10530"  # San José de Maipo, wider valley floor


def _independent_horizon_deg(
    grid: TerrainGrid, lon: float, lat: float, azimuth_deg: float
) -> tuple[float, float]:
    """Plain NumPy on a :func:`sample_profiles` profile along the azimuth."""
    end_lon, end_lat = geodesic_direct(
        lon_deg=lon, lat_deg=lat, azimuth_deg=azimuth_deg, distance_m=30_000.0
    )
    profile = sample_profiles(grid, lon1_deg=lon, lat1_deg=lat, lon2_deg=end_lon, lat2_deg=end_lat)
    assert not profile.outside[0]
    z = profile.elevation_m[0, : profile.n_points[0]]
    d = np.arange(z.size) * profile.spacing_m[0]
    eye = z[0] + ANTENNA_M
    angles = np.degrees(np.arctan((z[1:] - eye - d[1:] ** 2 / (2.0 * AE_M)) / d[1:]))
    return float(np.nanmax(angles)), float(z[0])


def test_geo_line_of_sight_blocked_and_clear_in_cajon_del_maipo(shared_data: Path) -> None:
    box = shared_data / "chile-santiago-andes" / "demo-box"
    with (box / "schools.csv").open(encoding="utf-8", newline="") as handle:
        schools = {row["school_id"]: row for row in csv.DictReader(handle)}
    with open_dem(box / "dem.tif") as dem:
        grid = dem.read(*dem.bounds)
    ids = [BLOCKED_ID, CLEAR_ID]
    lon = np.array([float(schools[i]["lon"]) for i in ids])
    lat = np.array([float(schools[i]["lat"]) for i in ids])
    look = geo_look_angles(lon_deg=lon, lat_deg=lat, height_m=1_500.0, sat_lon_deg=SAT_LON_DEG)
    horizon = horizon_elevation_deg(
        grid, lon_deg=lon, lat_deg=lat, antenna_height_m=ANTENNA_M, azimuth_deg=look.azimuth_deg
    )
    assert (horizon.outside_points == 0).all()  # the whole 30 km ray is on the DEM
    clearance = geo_clearance_deg(
        sat_elevation_deg=look.elevation_deg, horizon_elevation_deg=horizon.elevation_deg
    )
    assert 25.0 < look.elevation_deg.min() < look.elevation_deg.max() < 30.0
    assert clearance[0] < -3.0  # blocked by a ridge 1.5 km away (horizon ≈ 33.4°)
    assert clearance[1] > 15.0  # clear (horizon ≈ 5.4°)
    for i in range(2):
        reference_deg, ground_m = _independent_horizon_deg(
            grid, float(lon[i]), float(lat[i]), float(look.azimuth_deg[i])
        )
        assert horizon.site_elevation_m[i] == pytest.approx(ground_m, abs=1e-9)
        # sample_profiles interpolates between exact geodesic nodes (<= 0.2 m off the
        # line): on a 33 deg slope 1.5 km away that moves the angle by < 0.01 deg
        assert horizon.elevation_deg[i] == pytest.approx(reference_deg, abs=1e-2)
        assert (reference_deg > look.elevation_deg[i]) == (i == 0)
