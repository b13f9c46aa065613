"""Geodesic paths on WGS 84 against pyproj.Geod (Karney's algorithm, GeographicLib).

Tolerances: pyproj and our kernel solve the same problem with the same series, so
positions agree to nanometres; the tests allow 1 mm (far inside the requirement of
1 m per 100 km) and 0.1 m per 100 km on path lengths.
"""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from alcance.errors import InputError
from alcance.terrain import geodesic_direct, geodesic_inverse, geodesic_path_points

GEOD = pyproj.Geod(ellps="WGS84")
POSITION_TOLERANCE_M = 1e-3
LENGTH_TOLERANCE_PER_100KM_M = 0.1


def _separation_m(
    lon1: NDArray[np.float64],
    lat1: NDArray[np.float64],
    lon2: NDArray[np.float64],
    lat2: NDArray[np.float64],
) -> NDArray[np.float64]:
    _, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist)


def _random_pairs(
    rng: np.random.Generator, n: int, *, min_m: float, max_m: float
) -> tuple[NDArray[np.float64], ...]:
    lon1 = rng.uniform(-180.0, 180.0, n)
    lat1 = np.degrees(np.arcsin(rng.uniform(-0.99, 0.99, n)))
    azimuth = rng.uniform(-180.0, 180.0, n)
    length = np.exp(rng.uniform(np.log(min_m), np.log(max_m), n))
    lon2, lat2, _ = GEOD.fwd(lon1, lat1, azimuth, length)
    return lon1, lat1, np.asarray(lon2), np.asarray(lat2)


def _check_paths_against_pyproj(
    lon1: NDArray[np.float64],
    lat1: NDArray[np.float64],
    lon2: NDArray[np.float64],
    lat2: NDArray[np.float64],
    n_intervals: NDArray[np.int64],
) -> None:
    points = geodesic_path_points(
        lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2, n_intervals=n_intervals
    )
    azimuth, _, distance = GEOD.inv(lon1, lat1, lon2, lat2)
    for i in range(lon1.size):
        count = int(points.n_points[i])
        assert count == n_intervals[i] + 1
        lon = points.lon_deg[i, :count]
        lat = points.lat_deg[i, :count]
        assert np.isnan(points.lon_deg[i, count:]).all()
        # End points are the inputs, bit for bit.
        assert (lon[0], lat[0], lon[-1], lat[-1]) == (lon1[i], lat1[i], lon2[i], lat2[i])
        # Every point where Geod.fwd puts it at the same distance.
        along = np.arange(count) * (distance[i] / n_intervals[i])
        ref_lon, ref_lat, _ = GEOD.fwd(
            np.full(count, lon1[i]), np.full(count, lat1[i]), np.full(count, azimuth[i]), along
        )
        error = _separation_m(lon, lat, np.asarray(ref_lon), np.asarray(ref_lat))
        assert error.max() < POSITION_TOLERANCE_M, (i, error.max())
        # Segment lengths add up to the geodesic length.
        segments = _separation_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
        allowed = LENGTH_TOLERANCE_PER_100KM_M * max(distance[i], 1.0) / 100e3
        assert abs(segments.sum() - distance[i]) < allowed
        np.testing.assert_allclose(segments, distance[i] / n_intervals[i], atol=1e-6)


def test_inverse_matches_pyproj_for_many_pairs() -> None:
    rng = np.random.default_rng(20240601)
    lon1, lat1, lon2, lat2 = _random_pairs(rng, 2000, min_m=1.0, max_m=15e6)
    result = geodesic_inverse(lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2)
    azimuth, back, distance = GEOD.inv(lon1, lat1, lon2, lat2)
    np.testing.assert_array_equal(result.distance_m, distance)
    np.testing.assert_array_equal(result.azimuth_deg, azimuth)
    np.testing.assert_array_equal(result.back_azimuth_deg, back)


def test_inverse_broadcasts_a_scalar_tower_to_many_schools() -> None:
    result = geodesic_inverse(
        lon1_deg=-76.5,
        lat1_deg=-11.9,
        lon2_deg=[-76.4, -76.6, -76.5],
        lat2_deg=[-11.9, -11.8, -11.9],
    )
    assert result.distance_m.shape == (3,)
    assert result.distance_m[2] == 0.0
    # 0.1° along the parallel at 11.9° S: N(φ) cos φ Δλ (the geodesic is < 1 mm shorter).
    e2 = pyproj.Geod(ellps="WGS84").es
    lat = np.radians(-11.9)
    parallel_m = 6378137.0 / np.sqrt(1.0 - e2 * np.sin(lat) ** 2) * np.cos(lat) * np.radians(0.1)
    assert result.distance_m[0] == pytest.approx(parallel_m, abs=1e-3)


def test_direct_matches_pyproj_fwd_everywhere() -> None:
    rng = np.random.default_rng(7)
    n = 5000
    lon = rng.uniform(-540.0, 540.0, n)
    lat = rng.uniform(-90.0, 90.0, n)
    lat[:10] = [90.0, -90.0, 0.0, 0.0, 89.9999, -89.9999, 45.0, -45.0, 0.0, 30.0]
    azimuth = rng.uniform(-360.0, 360.0, n)
    azimuth[:10] = [0.0, 180.0, 90.0, -90.0, 0.0, 180.0, 90.0, 0.0, 0.0, 180.0]
    distance = rng.uniform(-1e7, 2e7, n)
    lon2, lat2 = geodesic_direct(lon_deg=lon, lat_deg=lat, azimuth_deg=azimuth, distance_m=distance)
    ref_lon, ref_lat, _ = GEOD.fwd(lon, lat, azimuth, distance)
    assert (lon2 >= -180.0).all()
    assert (lon2 < 180.0).all()
    error = _separation_m(lon2, lat2, np.asarray(ref_lon), np.asarray(ref_lat))
    assert error.max() < POSITION_TOLERANCE_M


def test_path_points_for_tower_school_lengths() -> None:
    rng = np.random.default_rng(11)
    lon1, lat1, lon2, lat2 = _random_pairs(rng, 150, min_m=500.0, max_m=60e3)
    n = np.ceil(GEOD.inv(lon1, lat1, lon2, lat2)[2] / 90.0).astype(np.int64)
    _check_paths_against_pyproj(lon1, lat1, lon2, lat2, n)


def test_path_points_for_long_paths() -> None:
    """300 km to 10,000 km: the spherical approximation would be off by kilometres."""
    rng = np.random.default_rng(12)
    lon1, lat1, lon2, lat2 = _random_pairs(rng, 40, min_m=300e3, max_m=10e6)
    n = rng.integers(1, 400, lon1.size).astype(np.int64)
    _check_paths_against_pyproj(lon1, lat1, lon2, lat2, n)


def test_path_points_for_very_short_and_zero_length_paths() -> None:
    rng = np.random.default_rng(13)
    lon1, lat1, lon2, lat2 = _random_pairs(rng, 50, min_m=0.01, max_m=80.0)
    lon2[0], lat2[0] = lon1[0], lat1[0]  # zero length
    n = rng.integers(1, 5, lon1.size).astype(np.int64)
    _check_paths_against_pyproj(lon1, lat1, lon2, lat2, n)


def test_paths_across_the_equator_and_the_antimeridian() -> None:
    lon1 = np.array([179.7, -179.8, 10.0, 179.95])
    lat1 = np.array([0.3, -0.2, 0.5, -10.0])
    lon2 = np.array([-179.6, 179.9, 10.2, -179.95])
    lat2 = np.array([-0.4, 0.25, -0.5, -10.1])
    n = np.array([200, 50, 100, 30], dtype=np.int64)
    _check_paths_against_pyproj(lon1, lat1, lon2, lat2, n)
    points = geodesic_path_points(
        lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2, n_intervals=n
    )
    # The first path really crosses: its longitudes jump from +180 to -180.
    lon = points.lon_deg[0, : points.n_points[0]]
    assert (lon > 179.0).any()
    assert (lon < -179.0).any()


def test_meridian_paths_keep_their_longitude_exactly() -> None:
    points = geodesic_path_points(
        lon1_deg=-77.5, lat1_deg=-12.9, lon2_deg=-77.5, lat2_deg=-11.1, n_intervals=100
    )
    assert (points.lon_deg[0] == -77.5).all()
    assert np.all(np.diff(points.lat_deg[0]) > 0.0)


@settings(max_examples=60, deadline=None)
@given(
    lon1=st.floats(-180.0, 180.0),
    lat1=st.floats(-89.0, 89.0),
    azimuth=st.floats(-180.0, 180.0),
    length_m=st.floats(0.0, 5e6),
    n=st.integers(1, 60),
)
def test_path_points_property(
    lon1: float, lat1: float, azimuth: float, length_m: float, n: int
) -> None:
    lon2, lat2, _ = GEOD.fwd(lon1, lat1, azimuth, length_m)
    _check_paths_against_pyproj(
        np.array([lon1]), np.array([lat1]), np.array([lon2]), np.array([lat2]),
        np.array([n], dtype=np.int64),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lat1_deg": 91.0}, "lat1_deg"),
        ({"lat2_deg": -90.5}, "lat2_deg"),
        ({"lon1_deg": float("nan")}, "lon1_deg"),
        ({"lon2_deg": float("inf")}, "lon2_deg"),
        ({"lon1_deg": [1.0, 2.0], "lon2_deg": [1.0, 2.0, 3.0]}, None),
        ({"lat1_deg": [[1.0]]}, "lat1_deg"),
        ({"lat1_deg": "north"}, "lat1_deg"),
    ],
)
def test_bad_coordinates_raise_input_error(kwargs: dict[str, object], field: str | None) -> None:
    args: dict[str, object] = {"lon1_deg": 0.0, "lat1_deg": 0.0, "lon2_deg": 1.0, "lat2_deg": 1.0}
    args.update(kwargs)
    with pytest.raises(InputError) as info:
        geodesic_inverse(**args)  # type: ignore[arg-type]
    if field is not None:
        assert info.value.field == field
        assert f"field '{field}'" in str(info.value)


@pytest.mark.parametrize("n_intervals", [0, -3, 2.5, [1, 2, 3]])
def test_bad_interval_counts_raise_input_error(n_intervals: object) -> None:
    with pytest.raises(InputError, match="n_intervals"):
        geodesic_path_points(
            lon1_deg=[0.0, 1.0], lat1_deg=0.0, lon2_deg=1.0, lat2_deg=1.0,
            n_intervals=n_intervals,  # type: ignore[arg-type]
        )  # fmt: skip
