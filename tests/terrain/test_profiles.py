"""Profile sampling: exact at pixel centres, bilinear in between, geodesic spacing, pfl."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import rasterio
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from alcance.errors import InputError
from alcance.io.terrain import open_dem
from alcance.terrain import (
    Profiles,
    TerrainGrid,
    default_spacing_m,
    geodesic_path_points,
    sample_points,
    sample_profiles,
)
from alcance.terrain import profiles as profiles_module

GEOD = pyproj.Geod(ellps="WGS84")
WGS84_WKT = pyproj.CRS.from_epsg(4326).to_wkt()
UTM19S_WKT = pyproj.CRS.from_epsg(32719).to_wkt()


def plane_grid(
    *,
    x0: float,
    y0: float,
    dx: float,
    dy: float,
    shape: tuple[int, int],
    crs_wkt: str = WGS84_WKT,
    geographic: bool = True,
) -> TerrainGrid:
    """z = 100 + 3 col - 2 row (exact in float32): bilinear interpolation is exact on it."""
    rows, cols = np.indices(shape)
    z = (100.0 + 3.0 * cols - 2.0 * rows).astype(np.float32)
    return TerrainGrid(
        elevation_m=z,
        void=np.zeros(shape, dtype=bool),
        x0=x0,
        y0=y0,
        dx=dx,
        dy=dy,
        crs_wkt=crs_wkt,
        is_geographic=geographic,
        source="plane",
    )


def plane_value(
    grid: TerrainGrid, x: NDArray[np.float64], y: NDArray[np.float64]
) -> NDArray[np.float64]:
    rows, cols = grid.shape
    col = np.clip((x - grid.x0) / grid.dx - 0.5, 0, cols - 1)
    row = np.clip((y - grid.y0) / grid.dy - 0.5, 0, rows - 1)
    return 100.0 + 3.0 * col - 2.0 * row


SRTM_PLANE = plane_grid(
    x0=-77.00041666666667, y0=-10.999583333333334, dx=1 / 1200, dy=-1 / 1200, shape=(600, 700)
)


# -- exactness on real data -----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_dem(shared_data: Path) -> Path:
    return shared_data / "demo" / "dem.tif"


def test_pixel_centres_return_rasterio_values_exactly(demo_dem: Path) -> None:
    rng = np.random.default_rng(3)
    with rasterio.open(demo_dem) as ds:
        band = ds.read(1)
        rows = rng.integers(0, ds.height, 400)
        cols = rng.integers(0, ds.width, 400)
        rows[:4] = [0, 0, ds.height - 1, ds.height - 1]  # corners: no neighbour beyond
        cols[:4] = [0, ds.width - 1, 0, ds.width - 1]
        xs, ys = ds.xy(rows, cols)
        sampled = np.array([v[0] for v in ds.sample(zip(xs, ys, strict=True))])
    with open_dem(demo_dem) as dem:
        whole = dem.read_all()
        window = dem.read(-70.8, -32.4, -70.5, -32.1)
    for grid in (whole, window):
        result = sample_points(grid, lon_deg=np.asarray(xs), lat_deg=np.asarray(ys))
        on_window = ~result.outside
        assert on_window.sum() > 50
        np.testing.assert_array_equal(result.elevation_m[on_window], band[rows, cols][on_window])
        np.testing.assert_array_equal(result.elevation_m[on_window], sampled[on_window])
    assert not sample_points(whole, lon_deg=np.asarray(xs), lat_deg=np.asarray(ys)).outside.any()


def test_profile_ends_on_pixel_centres_are_exact(demo_dem: Path) -> None:
    rng = np.random.default_rng(4)
    with rasterio.open(demo_dem) as ds:
        band = ds.read(1)
        r = rng.integers(0, ds.height, (2, 300))
        c = rng.integers(0, ds.width, (2, 300))
        x1, y1 = ds.xy(r[0], c[0])
        x2, y2 = ds.xy(r[1], c[1])
    with open_dem(demo_dem) as dem:
        grid = dem.read_all()
    profiles = sample_profiles(grid, lon1_deg=x1, lat1_deg=y1, lon2_deg=x2, lat2_deg=y2)
    last = profiles.elevation_m[np.arange(300), profiles.n_points - 1]
    np.testing.assert_array_equal(profiles.elevation_m[:, 0], band[r[0], c[0]])
    np.testing.assert_array_equal(last, band[r[1], c[1]])
    assert not profiles.outside.any()
    assert not np.isnan(profiles.elevation_m[np.arange(300), profiles.n_points - 1]).any()


def test_bilinear_midpoints_are_averages(demo_dem: Path) -> None:
    with rasterio.open(demo_dem) as ds:
        band = ds.read(1).astype(np.float64)
        (xa, xb), (ya, yb) = ds.xy([200, 201], [300, 301])
    with open_dem(demo_dem) as dem:
        grid = dem.read_all()
    mid_x, mid_y = 0.5 * (xa + xb), 0.5 * (ya + yb)
    result = sample_points(grid, lon_deg=[mid_x, xa, mid_x], lat_deg=[ya, mid_y, mid_y]).elevation_m
    assert result[0] == pytest.approx(0.5 * (band[200, 300] + band[200, 301]), abs=1e-9)
    assert result[1] == pytest.approx(0.5 * (band[200, 300] + band[201, 300]), abs=1e-9)
    assert result[2] == pytest.approx(band[200:202, 300:302].mean(), abs=1e-9)


# -- synthetic grids ------------------------------------------------------------------


def _points_inside(
    grid: TerrainGrid, rng: np.random.Generator, n: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    west, south, east, north = grid.bounds
    return rng.uniform(west, east, n), rng.uniform(south, north, n)


def test_profiles_follow_the_geodesic_and_interpolate_a_plane_exactly() -> None:
    rng = np.random.default_rng(5)
    lon1, lat1 = _points_inside(SRTM_PLANE, rng, 300)
    lon2, lat2 = _points_inside(SRTM_PLANE, rng, 300)
    profiles = sample_profiles(
        SRTM_PLANE, lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2
    )
    points = geodesic_path_points(
        lon1_deg=lon1,
        lat1_deg=lat1,
        lon2_deg=lon2,
        lat2_deg=lat2,
        n_intervals=profiles.n_points - 1,
    )
    expected = plane_value(SRTM_PLANE, points.lon_deg, points.lat_deg)
    mask = ~np.isnan(expected)
    assert np.array_equal(mask, ~np.isnan(profiles.elevation_m))
    # Profile points between exactly solved nodes are interpolated in lon/lat, under
    # 0.2 m off the geodesic: < 1 cm of height on this plane.
    np.testing.assert_allclose(profiles.elevation_m[mask], expected[mask], atol=1e-2)
    assert not profiles.outside.any()
    assert (profiles.void_points == 0).all()


def test_point_count_and_spacing_rule() -> None:
    rng = np.random.default_rng(6)
    lon1, lat1 = _points_inside(SRTM_PLANE, rng, 500)
    lon2, lat2 = _points_inside(SRTM_PLANE, rng, 500)
    for spacing in (None, 30.0, 250.0):
        profiles = sample_profiles(
            SRTM_PLANE,
            lon1_deg=lon1,
            lat1_deg=lat1,
            lon2_deg=lon2,
            lat2_deg=lat2,
            spacing_m=spacing,
        )
        requested = default_spacing_m(SRTM_PLANE) if spacing is None else spacing
        _, _, distance = GEOD.inv(lon1, lat1, lon2, lat2)
        np.testing.assert_array_equal(profiles.distance_m, distance)
        n = profiles.n_points - 1
        assert (profiles.spacing_m <= requested * (1 + 1e-12)).all()
        assert ((n == 1) | (distance / (n - 1) > requested)).all()  # no more points than needed
        np.testing.assert_allclose(profiles.spacing_m * n, distance, rtol=1e-12)
        assert profiles.max_points == profiles.n_points.max()


def test_default_spacing_is_the_pixel_size_in_metres_at_mid_latitude() -> None:
    _, south, _, north = SRTM_PLANE.bounds
    lat = 0.5 * (south + north)
    _, _, east_west = GEOD.inv(-77.0, lat, -77.0 + 1 / 1200, lat)
    _, _, north_south = GEOD.inv(-77.0, lat - 0.5 / 1200, -77.0, lat + 0.5 / 1200)
    assert east_west < north_south
    assert default_spacing_m(SRTM_PLANE) == pytest.approx(east_west, rel=1e-6)
    utm = plane_grid(x0=300000.0, y0=6400000.0, dx=30.0, dy=-25.0, shape=(4, 4),
                     crs_wkt=UTM19S_WKT, geographic=False)  # fmt: skip
    assert default_spacing_m(utm) == 25.0


def test_chunking_does_not_change_the_result() -> None:
    rng = np.random.default_rng(8)
    lon1, lat1 = _points_inside(SRTM_PLANE, rng, 64)
    lon2, lat2 = _points_inside(SRTM_PLANE, rng, 64)
    whole = sample_profiles(SRTM_PLANE, lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2)
    chunked = sample_profiles(
        SRTM_PLANE, lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2, chunk_points=7
    )
    np.testing.assert_array_equal(whole.elevation_m, chunked.elevation_m)
    np.testing.assert_array_equal(whole.n_points, chunked.n_points)


def test_very_short_paths_within_one_pixel() -> None:
    lon1 = np.array([-76.8, -76.7])
    lat1 = np.array([-11.2, -11.3])
    lon2 = lon1 + np.array([0.0002, 0.0])  # ~22 m and 0 m
    lat2 = lat1 + np.array([0.0001, 0.0])
    profiles = sample_profiles(
        SRTM_PLANE, lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2
    )
    np.testing.assert_array_equal(profiles.n_points, [2, 2])
    assert profiles.distance_m[1] == 0.0
    expected = plane_value(
        SRTM_PLANE, np.stack([lon1, lon2], axis=1), np.stack([lat1, lat2], axis=1)
    )
    np.testing.assert_allclose(profiles.elevation_m, expected, atol=1e-9)


def test_points_off_the_grid_are_nan_and_flag_the_path() -> None:
    west, south, east, north = SRTM_PLANE.bounds
    profiles = sample_profiles(
        SRTM_PLANE,
        lon1_deg=[-76.8, -76.8, west],
        lat1_deg=[-11.2, -11.2, north],
        lon2_deg=[-76.7, east + 0.05, east],
        lat2_deg=[-11.3, -11.2, south],
    )
    assert profiles.outside.tolist() == [False, True, False]
    row = profiles.elevation_of(1)
    assert np.isnan(row[-1])
    assert not np.isnan(row[0])
    # Outer edges and corners of the grid still count as inside (edge values).
    assert not np.isnan(profiles.elevation_of(2)).any()


def test_void_pixels_are_counted_and_nan_voids_propagate() -> None:
    z = SRTM_PLANE.elevation_m.copy()
    void = np.zeros_like(SRTM_PLANE.void)
    void[300, 350] = True
    z[300, 350] = np.nan
    grid = TerrainGrid(z, void, SRTM_PLANE.x0, SRTM_PLANE.y0, SRTM_PLANE.dx, SRTM_PLANE.dy,
                       WGS84_WKT, True, "with-void")  # fmt: skip
    lon_c = grid.x0 + 350.5 * grid.dx
    lat_c = grid.y0 + 300.5 * grid.dy
    profiles = sample_profiles(
        grid,
        lon1_deg=[lon_c - 0.01, lon_c - 0.01],
        lat1_deg=[lat_c, lat_c + 0.05],
        lon2_deg=[lon_c + 0.01, lon_c + 0.01],
        lat2_deg=[lat_c, lat_c + 0.05],
    )
    assert profiles.void_points[0] >= 1
    assert np.isnan(profiles.elevation_of(0)).any()
    assert profiles.void_points[1] == 0
    assert not np.isnan(profiles.elevation_of(1)).any()
    assert not profiles.outside.any()
    # A point exactly on the neighbouring centre does not touch the void.
    beside = sample_points(grid, lon_deg=lon_c + grid.dx, lat_deg=lat_c)
    assert not beside.void[0]
    assert beside.elevation_m[0] == z[300, 351]


def test_projected_grid_transforms_points_first() -> None:
    grid = plane_grid(x0=290000.0, y0=6420000.0, dx=30.0, dy=-30.0, shape=(1500, 1500),
                      crs_wkt=UTM19S_WKT, geographic=False)  # fmt: skip
    to_lonlat = pyproj.Transformer.from_crs(32719, 4326, always_xy=True)
    rng = np.random.default_rng(9)
    x = rng.uniform(291000.0, 334000.0, (2, 50))
    y = rng.uniform(6377000.0, 6419000.0, (2, 50))
    lon, lat = to_lonlat.transform(x, y)
    profiles = sample_profiles(
        grid, lon1_deg=lon[0], lat1_deg=lat[0], lon2_deg=lon[1], lat2_deg=lat[1]
    )
    points = geodesic_path_points(lon1_deg=lon[0], lat1_deg=lat[0], lon2_deg=lon[1],
                                  lat2_deg=lat[1], n_intervals=profiles.n_points - 1)  # fmt: skip
    px, py = pyproj.Transformer.from_crs(4326, 32719, always_xy=True).transform(
        points.lon_deg, points.lat_deg
    )
    expected = plane_value(grid, np.asarray(px), np.asarray(py))
    mask = ~np.isnan(points.lon_deg)
    # interpolated between exact nodes (see the plane test above): < 1 cm of height
    np.testing.assert_allclose(profiles.elevation_m[mask], expected[mask], atol=1e-2)
    np.testing.assert_allclose(profiles.elevation_m[:, 0], plane_value(grid, x[0], y[0]), atol=1e-6)
    assert default_spacing_m(grid) == 30.0


def test_grid_across_the_antimeridian_and_equator() -> None:
    grid = plane_grid(x0=179.0, y0=1.0, dx=0.01, dy=-0.01, shape=(200, 200))
    lon1, lat1, lon2, lat2 = 179.5, 0.5, -179.5, -0.5
    profiles = sample_profiles(grid, lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2)
    assert not profiles.outside[0]
    points = geodesic_path_points(lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2,
                                  n_intervals=profiles.n_points - 1)  # fmt: skip
    lon = np.where(points.lon_deg < 0.0, points.lon_deg + 360.0, points.lon_deg)
    np.testing.assert_allclose(  # interpolated between exact nodes: see above
        profiles.elevation_m, plane_value(grid, lon, points.lat_deg), atol=1e-2
    )
    assert profiles.elevation_m[0, -1] == pytest.approx(100.0 + 3 * 149.5 - 2 * 149.5, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    # Ends kept 1 % inside: a geodesic between two points on the grid's southern edge
    # bows south of the parallel and rightly leaves the grid.
    fractions=st.lists(st.floats(0.01, 0.99), min_size=4, max_size=4),
    spacing_m=st.floats(10.0, 2000.0),
)
def test_profiles_inside_a_grid_are_complete_and_bounded(
    fractions: list[float], spacing_m: float
) -> None:
    west, south, east, north = SRTM_PLANE.bounds
    f = fractions
    profiles = sample_profiles(
        SRTM_PLANE,
        lon1_deg=west + f[0] * (east - west), lat1_deg=south + f[1] * (north - south),
        lon2_deg=west + f[2] * (east - west), lat2_deg=south + f[3] * (north - south),
        spacing_m=spacing_m,
    )  # fmt: skip
    values = profiles.elevation_of(0)
    assert not profiles.outside[0]
    assert not np.isnan(values).any()
    z = SRTM_PLANE.elevation_m
    assert values.min() >= z.min() - 1e-6
    assert values.max() <= z.max() + 1e-6


# -- pfl ------------------------------------------------------------------------------


def test_pfl_layout_and_round_trip() -> None:
    rng = np.random.default_rng(10)
    lon1, lat1 = _points_inside(SRTM_PLANE, rng, 20)
    lon2, lat2 = _points_inside(SRTM_PLANE, rng, 20)
    profiles = sample_profiles(
        SRTM_PLANE, lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2
    )
    pfl = profiles.to_pfl(3)
    assert pfl[0] == profiles.n_points[3] - 1
    assert pfl[1] == profiles.spacing_m[3]
    np.testing.assert_array_equal(pfl[2:], profiles.elevation_of(3))
    np.testing.assert_array_equal(profiles.to_pfl(-1), profiles.to_pfl(19))
    table = profiles.pfl_array()
    assert table.shape == (20, profiles.max_points + 2)
    np.testing.assert_array_equal(table[3, : pfl.size], pfl)
    back = Profiles.from_pfl(table)
    np.testing.assert_array_equal(back.elevation_m, profiles.elevation_m)
    np.testing.assert_array_equal(back.n_points, profiles.n_points)
    np.testing.assert_array_equal(back.spacing_m, profiles.spacing_m)
    np.testing.assert_allclose(back.distance_m, profiles.distance_m, rtol=1e-12)
    single = Profiles.from_pfl(pfl)
    np.testing.assert_array_equal(single.to_pfl(0), pfl)
    np.testing.assert_allclose(
        profiles.distances_along_m(3)[-1], profiles.distance_m[3], rtol=1e-12
    )


@pytest.mark.parametrize(
    ("pfl", "field"),
    [
        ([0.0, 10.0, 1.0, 2.0], "pfl[0]"),
        ([1.5, 10.0, 1.0, 2.0], "pfl[0]"),
        ([5.0, 10.0, 1.0, 2.0], "pfl[0]"),
        ([1.0, -10.0, 1.0, 2.0], "pfl[1]"),
        ([1.0, 10.0], "pfl"),
    ],
)
def test_bad_pfl_raises_input_error(pfl: list[float], field: str) -> None:
    with pytest.raises(InputError) as info:
        Profiles.from_pfl(pfl)
    assert info.value.field == field


# -- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"spacing_m": 0.0}, "spacing_m"),
        ({"spacing_m": -5.0}, "spacing_m"),
        ({"spacing_m": float("nan")}, "spacing_m"),
        ({"spacing_m": [10.0, 20.0, 30.0]}, "spacing_m"),
        ({"lat2_deg": 95.0}, "lat2_deg"),
        ({"lon1_deg": float("nan")}, "lon1_deg"),
        ({"chunk_points": 0}, "chunk_points"),
    ],
)
def test_bad_profile_arguments_raise_input_error(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "lon1_deg": [-76.8, -76.7], "lat1_deg": -11.2, "lon2_deg": -76.6, "lat2_deg": -11.3,
    }  # fmt: skip
    args.update(kwargs)
    with pytest.raises(InputError) as info:
        sample_profiles(SRTM_PLANE, **args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_output_size_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profiles_module, "MAX_PROFILE_CELLS", 1000)
    with pytest.raises(InputError, match="spacing_m"):
        sample_profiles(SRTM_PLANE, lon1_deg=[-76.9] * 10, lat1_deg=-11.1, lon2_deg=-76.5,
                        lat2_deg=-11.4, spacing_m=100.0)  # fmt: skip


def test_malformed_grid_raises_input_error() -> None:
    bad = TerrainGrid(np.zeros((3, 3), np.float32), np.zeros((3, 2), bool), 0.0, 0.0, 1.0, -1.0,
                      WGS84_WKT, True, "bad.tif")  # fmt: skip
    with pytest.raises(InputError, match=r"bad\.tif"):
        sample_points(bad, lon_deg=0.5, lat_deg=-0.5)
    south_up = TerrainGrid(np.zeros((3, 3), np.float32), np.zeros((3, 3), bool), 0.0, 0.0, 1.0, 1.0,
                           WGS84_WKT, True, "up.tif")  # fmt: skip
    with pytest.raises(InputError, match="north-up"):
        sample_points(south_up, lon_deg=0.5, lat_deg=0.5)
    assert math.isfinite(default_spacing_m(SRTM_PLANE))


@pytest.mark.parametrize(
    "crs_wkt",
    [
        pyproj.CRS.from_user_input("OGC:CRS84").to_wkt(),
        'GEOGCS["my wgs",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
        'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]',
    ],
    ids=["CRS84", "custom-wkt"],
)
def test_any_wgs84_lonlat_crs_needs_no_transformation(crs_wkt: str) -> None:
    z = SRTM_PLANE.elevation_m
    grid = TerrainGrid(z, SRTM_PLANE.void, SRTM_PLANE.x0, SRTM_PLANE.y0, SRTM_PLANE.dx,
                       SRTM_PLANE.dy, crs_wkt, True, "other-wkt")  # fmt: skip
    lon = SRTM_PLANE.x0 + (np.array([10, 200]) + 0.5) * SRTM_PLANE.dx
    lat = SRTM_PLANE.y0 + (np.array([30, 400]) + 0.5) * SRTM_PLANE.dy
    got = sample_points(grid, lon_deg=lon, lat_deg=lat).elevation_m
    np.testing.assert_array_equal(got, [z[30, 10], z[400, 200]])


def test_other_geographic_datum_is_transformed() -> None:
    """A grid on ED50 (EPSG:4230): WGS 84 points are moved onto ED50 before sampling."""
    ed50 = pyproj.CRS.from_epsg(4230).to_wkt()
    grid = plane_grid(x0=-4.0, y0=41.0, dx=1 / 1200, dy=-1 / 1200, shape=(600, 600), crs_wkt=ed50)
    lon, lat = np.array([-3.7, -3.6]), np.array([40.6, 40.8])
    x, y = pyproj.Transformer.from_crs(4326, 4230, always_xy=True).transform(lon, lat)
    assert np.abs(np.asarray(x) - lon).max() > 1e-4  # the datums really differ (~100 m)
    got = sample_points(grid, lon_deg=lon, lat_deg=lat).elevation_m
    np.testing.assert_allclose(got, plane_value(grid, np.asarray(x), np.asarray(y)), atol=1e-6)


def test_no_paths_gives_empty_profiles() -> None:
    """An empty batch (e.g. no tower within reach) is a valid, empty result."""
    from alcance.io import load_demo

    with load_demo() as region:
        assert region.dem is not None
        grid = region.dem.read(-70.95, -32.3, -70.9, -32.25)
    empty = np.array([], dtype=float)
    result = sample_profiles(grid, lon1_deg=empty, lat1_deg=empty, lon2_deg=empty, lat2_deg=empty)
    assert result.n_paths == 0
    assert result.elevation_m.shape == (0, 0)
    assert result.pfl_array().shape == (0, 2)


def test_profile_points_stay_within_centimetres_of_the_geodesic() -> None:
    """The node interpolation of sample_profiles vs every point solved exactly."""
    from alcance.terrain._karney import flat_path_points, profile_node_stride
    from alcance.terrain.geodesic import geodesic_direct, geodesic_inverse

    rng = np.random.default_rng(11)
    n = 400
    lon1 = rng.uniform(-180.0, 180.0, n)
    lat1 = rng.uniform(-75.0, 75.0, n)
    lon2, lat2 = geodesic_direct(
        lon_deg=lon1,
        lat_deg=lat1,
        azimuth_deg=rng.uniform(0, 360, n),
        distance_m=rng.uniform(500.0, 60e3, n),
    )
    inv = geodesic_inverse(lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2)
    n_intervals = np.maximum(1, np.ceil(inv.distance_m / 90.0)).astype(np.int64)
    stride = profile_node_stride(inv.distance_m / n_intervals, np.maximum(abs(lat1), abs(lat2)))
    assert stride.max() == 64
    args: dict[str, Any] = {
        "lon1_deg": lon1, "lat1_deg": lat1, "lon2_deg": lon2, "lat2_deg": lat2,
        "azimuth_deg": inv.azimuth_deg, "distance_m": inv.distance_m, "n_intervals": n_intervals,
    }  # fmt: skip
    fast_lon, fast_lat, _ = flat_path_points(**args, node_stride=stride)
    exact_lon, exact_lat, _ = flat_path_points(**args)
    inv_err = geodesic_inverse(
        lon1_deg=fast_lon, lat1_deg=fast_lat, lon2_deg=exact_lon, lat2_deg=exact_lat
    )
    # the stride keeps L^2 tan(lat) / (8 R) under 0.2 m
    assert inv_err.distance_m.max() < 0.25  # metres, vs a 90 m DEM pixel
