"""Hillshade: Horn gradient + Esri illumination, geographic pixel sizes, voids."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from alcance.errors import InputError
from alcance.terrain import TerrainGrid, geodesic_inverse
from alcance.terrain.hillshade import geographic_pixel_size_m, hillshade, hillshade_grid

FLAT_45 = 255.0 * math.cos(math.radians(45.0))


def _hand_horn(
    w: NDArray[np.float64], dx: float, dy: float, azimuth_deg: float, altitude_deg: float
) -> float:
    """The Esri 'How Hillshade works' recipe, written out step by step for one window."""
    (a, b, c), (d, _e, f), (g, h, i) = w.tolist()
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * dx)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * dy)
    zenith = math.radians(90.0 - altitude_deg)
    az_math = 360.0 - azimuth_deg + 90.0
    if az_math >= 360.0:
        az_math -= 360.0
    az = math.radians(az_math)
    slope = math.atan(math.sqrt(dzdx**2 + dzdy**2))
    if dzdx != 0:
        aspect = math.atan2(dzdy, -dzdx)
        if aspect < 0:
            aspect += 2 * math.pi
    elif dzdy > 0:
        aspect = math.pi / 2
    elif dzdy < 0:
        aspect = 2 * math.pi - math.pi / 2
    else:
        aspect = 0.0
    value = 255.0 * (
        math.cos(zenith) * math.cos(slope)
        + math.sin(zenith) * math.sin(slope) * math.cos(az - aspect)
    )
    return max(value, 0.0)


def _plane(
    rows: int, cols: int, *, east_gradient: float, north_gradient: float, cell_m: float
) -> NDArray[np.float64]:
    """z = ge·x + gn·y with x east and y north in metres (row 0 is the north)."""
    x = np.arange(cols) * cell_m
    y = -np.arange(rows) * cell_m
    return east_gradient * x[np.newaxis, :] + north_gradient * y[:, np.newaxis]


def test_flat_terrain_is_255_cos_zenith() -> None:
    out = hillshade(np.full((5, 7), 812.0), dx_m=30.0, dy_m=25.0)
    assert out.shape == (5, 7)
    np.testing.assert_allclose(out, FLAT_45, rtol=1e-12)
    low_sun = hillshade(np.zeros((3, 3)), dx_m=1.0, dy_m=1.0, altitude_deg=20.0)
    np.testing.assert_allclose(low_sun, 255.0 * math.sin(math.radians(20.0)), rtol=1e-12)


def test_esri_worked_example() -> None:
    # Esri "How Hillshade works": 5 m cells, dz/dx = 3.125, dz/dy = -0.525 → 154.
    window = np.array([[2450, 2461, 2483], [2452, 2461, 2483], [2447, 2455, 2477]], dtype=float)
    out = hillshade(window, dx_m=5.0, dy_m=5.0)
    assert round(out[1, 1]) == 154
    assert out[1, 1] == pytest.approx(_hand_horn(window, 5.0, 5.0, 315.0, 45.0), abs=1e-9)


@pytest.mark.parametrize(
    ("dx", "dy", "azimuth", "altitude"),
    [(30.0, 30.0, 315.0, 45.0), (27.3, 92.6, 315.0, 45.0), (10.0, 12.0, 80.0, 30.0)],
)
def test_matches_hand_computation_on_random_patches(
    dx: float, dy: float, azimuth: float, altitude: float
) -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        window = rng.uniform(0.0, 60.0, (3, 3))
        out = hillshade(window, dx_m=dx, dy_m=dy, azimuth_deg=azimuth, altitude_deg=altitude)
        expected = _hand_horn(window, dx, dy, azimuth, altitude)
        assert out[1, 1] == pytest.approx(expected, abs=1e-9)


def test_slope_towards_the_light_is_brighter() -> None:
    # Light from the north-west: a plane falling towards the NW faces the light.
    facing = _plane(9, 9, east_gradient=0.3, north_gradient=-0.3, cell_m=30.0)
    away = _plane(9, 9, east_gradient=-0.3, north_gradient=0.3, cell_m=30.0)
    lit = hillshade(facing, dx_m=30.0, dy_m=30.0)[1:-1, 1:-1]
    dark = hillshade(away, dx_m=30.0, dy_m=30.0)[1:-1, 1:-1]
    assert lit.min() > FLAT_45 > dark.max()
    # Facing the light squarely, the angle of incidence is zenith − slope.
    slope = math.atan(math.hypot(0.3, 0.3))
    np.testing.assert_allclose(lit, 255.0 * math.cos(math.radians(45.0) - slope), rtol=1e-12)
    np.testing.assert_allclose(dark, 255.0 * math.cos(math.radians(45.0) + slope), rtol=1e-12)


def test_face_turned_away_from_a_low_sun_is_clipped_to_zero() -> None:
    steep = _plane(5, 5, east_gradient=-2.0, north_gradient=2.0, cell_m=10.0)
    out = hillshade(steep, dx_m=10.0, dy_m=10.0, altitude_deg=10.0)
    assert np.all(out[1:-1, 1:-1] == 0.0)


def test_azimuth_follows_the_light() -> None:
    # Rising to the east = facing west: brightest when lit from 270°, darkest from 90°.
    z = _plane(5, 5, east_gradient=0.5, north_gradient=0.0, cell_m=20.0)
    values = {
        az: float(hillshade(z, dx_m=20.0, dy_m=20.0, azimuth_deg=az)[2, 2])
        for az in (0.0, 90.0, 180.0, 270.0, 315.0)
    }
    assert values[270.0] > values[315.0] > values[0.0] > values[90.0]
    assert values[0.0] == pytest.approx(values[180.0], abs=1e-9)


def test_void_centre_is_nan_and_void_neighbour_takes_centre_value() -> None:
    rng = np.random.default_rng(3)
    z = rng.uniform(100.0, 140.0, (6, 6))
    z[2, 3] = np.nan
    out = hillshade(z, dx_m=15.0, dy_m=15.0)
    assert np.isnan(out[2, 3])
    assert np.isfinite(np.delete(out.ravel(), 2 * 6 + 3)).all()
    for r, c in ((1, 2), (3, 4), (2, 2)):
        window = z[r - 1 : r + 2, c - 1 : c + 2].copy()
        window[np.isnan(window)] = z[r, c]
        assert out[r, c] == pytest.approx(_hand_horn(window, 15.0, 15.0, 315.0, 45.0), abs=1e-9)


def test_flat_with_voids_stays_flat_around_them() -> None:
    z = np.full((6, 6), 50.0)
    z[0, 0] = z[3, 3] = np.nan
    out = hillshade(z, dx_m=1.0, dy_m=1.0)
    valid = ~np.isnan(z)
    np.testing.assert_allclose(out[valid], FLAT_45, rtol=1e-12)
    assert np.isnan(out[~valid]).all()


def test_per_row_pixel_sizes_broadcast() -> None:
    z = _plane(4, 5, east_gradient=0.2, north_gradient=0.0, cell_m=1.0)
    dx = np.array([[1.0], [2.0], [4.0], [8.0]])
    out = hillshade(z, dx_m=dx, dy_m=1.0)
    for r in range(4):
        row = hillshade(z[[r] * 3], dx_m=float(dx[r, 0]), dy_m=1.0)[1]
        np.testing.assert_allclose(out[r, 1:-1], row[1:-1], rtol=1e-12)


def test_geographic_pixel_size_matches_geodesic_distances() -> None:
    lat = np.array([0.0, -32.25, 60.0, 75.0])
    d = 1.0 / 1200.0  # 3 arc-seconds
    dx_m, dy_m = geographic_pixel_size_m(lat, dlon_deg=d, dlat_deg=d)
    east = geodesic_inverse(lon1_deg=0.0, lat1_deg=lat, lon2_deg=d, lat2_deg=lat).distance_m
    north = geodesic_inverse(
        lon1_deg=0.0, lat1_deg=lat - d / 2, lon2_deg=0.0, lat2_deg=lat + d / 2
    ).distance_m
    np.testing.assert_allclose(dx_m, east, rtol=1e-8)
    np.testing.assert_allclose(dy_m, north, rtol=1e-8)


def test_hillshade_grid_uses_ground_distances_on_a_geographic_grid() -> None:
    rows, cols, d = 7, 9, 1.0 / 1200.0
    y0 = -59.9
    lat = y0 - (np.arange(rows) + 0.5) * d
    dx_m, _ = geographic_pixel_size_m(lat, dlon_deg=d, dlat_deg=d)
    # Rising eastwards by 0.25 m per metre on the ground in every row.
    z = 0.25 * np.arange(cols)[np.newaxis, :] * dx_m[:, np.newaxis]
    grid = TerrainGrid(
        elevation_m=z.astype(np.float32),
        void=np.zeros(z.shape, dtype=bool),
        x0=10.0,
        y0=y0,
        dx=d,
        dy=-d,
        crs_wkt="EPSG:4326",
        is_geographic=True,
    )
    out = hillshade_grid(grid, azimuth_deg=270.0)[1:-1, 1:-1]
    # float32 storage of ~1000 m elevations limits agreement to ~1e-4 relative.
    expected = 255.0 * math.cos(math.radians(45.0) - math.atan(0.25))
    np.testing.assert_allclose(out, expected, rtol=1e-4)
    naive = hillshade(z, dx_m=d * 111_000.0, dy_m=d * 111_000.0, azimuth_deg=270.0)[1:-1, 1:-1]
    assert np.abs(naive - expected).min() > 5.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"elevation_m": np.zeros(5)}, "elevation_m"),
        ({"elevation_m": np.zeros((0, 3))}, "elevation_m"),
        ({"altitude_deg": 90.5}, "altitude_deg"),
        ({"altitude_deg": -0.1}, "altitude_deg"),
        ({"azimuth_deg": math.inf}, "azimuth_deg"),
        ({"z_factor": 0.0}, "z_factor"),
        ({"dx_m": 0.0}, "dx_m"),
        ({"dy_m": np.nan}, "dy_m"),
        ({"dx_m": np.ones(3)}, "dx_m"),
    ],
)
def test_bad_input_raises_input_error(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"elevation_m": np.zeros((4, 5)), "dx_m": 1.0, "dy_m": 1.0}
    args.update(kwargs)
    with pytest.raises(InputError) as info:
        hillshade(**args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_bad_geographic_sizes_and_grids_raise() -> None:
    with pytest.raises(InputError):
        geographic_pixel_size_m(0.0, dlon_deg=0.0, dlat_deg=1.0)
    with pytest.raises(InputError):
        geographic_pixel_size_m(91.0, dlon_deg=1.0, dlat_deg=1.0)
    south_up = TerrainGrid(
        elevation_m=np.zeros((3, 3), dtype=np.float32),
        void=np.zeros((3, 3), dtype=bool),
        x0=0.0,
        y0=0.0,
        dx=1.0,
        dy=1.0,
        crs_wkt="",
        is_geographic=False,
    )
    with pytest.raises(InputError):
        hillshade_grid(south_up)
