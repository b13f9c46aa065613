"""Coverage raster of one site: incremental ITM along rays against per-profile ITM.

Real terrain: the packaged demo DEM (Andes east of La Serena, SRTM 3″, always present)
and the shared Lima Andes DEM (skipped when ``shared/`` is absent).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from alcance.coverage import _ray_kernel as rk
from alcance.coverage.raster import (
    RasterGrid,
    raster_grid_around,
    site_loss_at_exact,
    site_loss_raster,
    site_loss_raster_exact,
)
from alcance.errors import InputError
from alcance.io import open_dem
from alcance.propagation import _itm_core as core
from alcance.propagation.itm import itm_p2p_tls_batch
from alcance.terrain import TerrainGrid, geodesic_inverse, sample_points
from alcance.terrain.horizon import _ray_points_kernel

DEMO_DEM = Path(__file__).parents[2] / "src" / "alcance" / "data" / "demo" / "dem.tif"
ANDES_DEM = "peru-lima-andes/dem_srtm3_lima_andes.tif"
DEMO_SITE = (-70.65, -32.25)
ANDES_SITE = (-76.5, -11.8)
ITM: dict[str, Any] = {
    "h_tx_m": 30.0,
    "h_rx_m": 6.0,
    "freq_mhz": 850.0,
    "climate": 5,
    "n_0_n_units": 301.0,
    "polarization": 1,
    "epsilon_r": 15.0,
    "sigma_s_per_m": 0.005,
    "mdvar": 12,
    "time_pct": 50.0,
    "location_pct": 50.0,
    "situation_pct": 50.0,
}
# (h_tx, h_rx, climate, n_0, f, pol, eps, sigma, mdvar, time, location, situation)
ITM_ARGS = (30.0, 6.0, 5, 301.0, 850.0, 1, 15.0, 0.005, 12, 50.0, 50.0, 50.0)
PARAMS = ("theta_tx", "theta_rx", "d_hzn_tx", "d_hzn_rx", "h_e_tx", "h_e_rx", "delta_h", "n_s")


@pytest.fixture(scope="module")
def demo() -> TerrainGrid:
    with open_dem(DEMO_DEM) as dem:
        return dem.read_all()


@pytest.fixture(scope="module")
def andes(shared_data: Path) -> TerrainGrid:
    with open_dem(shared_data / ANDES_DEM) as dem:
        return dem.read(-76.65, -11.95, -76.35, -11.65)


def _ray(grid: TerrainGrid, az_deg: float, step_m: float, n: int) -> NDArray[np.float64]:
    lon, lat = _ray_points_kernel(DEMO_SITE[0], DEMO_SITE[1], az_deg, step_m, n)
    z = sample_points(grid, lon_deg=np.r_[DEMO_SITE[0], lon], lat_deg=np.r_[DEMO_SITE[1], lat])
    assert np.isfinite(z.elevation_m).all()
    return np.asarray(z.elevation_m, dtype=np.float64)


def _reference(
    rows: NDArray[np.float64], ks: NDArray[np.int64], ds: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """NTIA's p2p (the batched kernel) on each closed profile: loss and QuickPfl outputs."""
    res = itm_p2p_tls_batch(elevation_m=rows, n_points=ks + 1, spacing_m=ds / ks, **ITM)
    params = np.c_[
        res.theta_hzn_tx_rad, res.theta_hzn_rx_rad, res.d_hzn_tx_m, res.d_hzn_rx_m,
        res.h_e_tx_m, res.h_e_rx_m, res.delta_h_m, res.n_s_n_units,
    ]  # fmt: skip
    return res.loss_db, params


def _closed_profiles(
    zr: NDArray[np.float64], tail_points: int, seed: int, perturb_m: float
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Receivers at every sample (three each) with stretched spacing and perturbed tails."""
    rng = np.random.default_rng(seed)
    n = zr.size - 1
    ks = np.repeat(np.arange(1, n + 1), 3).astype(np.int64)
    step = 90.0
    ds = ks * step * (1.0 + rng.uniform(-0.5, 0.5, ks.size) / ks)
    tails = np.full((ks.size, tail_points + 1), np.nan)
    rows = np.full((ks.size, n + 1), np.nan)
    for j, k_np in enumerate(ks):
        k = int(k_np)
        t0 = max(1, k - tail_points)
        row = zr[: k + 1].copy()
        row[t0:] += rng.normal(0.0, perturb_m, k + 1 - t0)
        tails[j, tail_points - (k - t0) :] = row[t0:]
        rows[j, : k + 1] = row
    return ks, ds, tails, rows


@pytest.mark.parametrize("az_deg", [15.0, 140.0, 260.0])
def test_incremental_parameters_match_quick_pfl(demo: TerrainGrid, az_deg: float) -> None:
    """Horizons, effective heights, Δh, N_s and loss of every prefix equal NTIA's.

    Exact Δh (``dh_exact_max`` beyond the ray). Tolerances: rounding of prefix sums
    (h_e: 1e-6 relative); Δh 2e-3 relative where NTIA's resampling index is decided by
    the rounding of its running distance sums.
    """
    zr = _ray(demo, az_deg, 90.0, 200)
    ks, ds, tails, rows = _closed_profiles(zr, tail_points=6, seed=int(az_deg), perturb_m=15.0)
    loss, params = rk.profile_parameters(
        zr, 90.0, ks, ds, tails, *ITM_ARGS, 10**9, 24.0, 0.02
    )  # fmt: skip
    ref_loss, ref_params = _reference(rows, ks, ds)
    assert np.isfinite(ref_loss).all()
    rel = np.abs(params - ref_params) / np.maximum(np.abs(ref_params), 1e-9)
    for f, name in enumerate(PARAMS):
        bound = 2e-3 if name == "delta_h" else 1e-6
        assert rel[:, f].max() < bound, name
    np.testing.assert_allclose(loss, ref_loss, atol=0.02, rtol=0)
    assert np.median(np.abs(loss - ref_loss)) < 1e-6


def test_interpolated_delta_h_error_is_small(demo: TerrainGrid) -> None:
    """Δh interpolated between anchors (default spacing): loss within a fraction of a dB."""
    zr = _ray(demo, 200.0, 90.0, 240)
    ks, ds, tails, rows = _closed_profiles(zr, tail_points=16, seed=3, perturb_m=0.0)
    loss, params = rk.profile_parameters(zr, 90.0, ks, ds, tails, *ITM_ARGS, 40, 24.0, 0.02)
    ref_loss, ref_params = _reference(rows, ks, ds)
    err = np.abs(loss - ref_loss)
    exact_part = ks <= 40
    assert err[exact_part].max() < 1e-6
    # measured on this ray: median 0.01 dB, max 0.3 dB
    assert np.median(err) < 0.1
    assert err.max() < 1.5
    dh_rel = np.abs(params[:, 6] - ref_params[:, 6]) / np.maximum(ref_params[:, 6], 1.0)
    assert np.median(dh_rel) < 0.02


def test_hull_horizons_match_find_horizons_on_random_profiles() -> None:
    """Tangent queries on the hull equal NTIA's scan for rough synthetic profiles."""
    rng = np.random.default_rng(7)
    for trial in range(20):
        n = 200
        zr = np.cumsum(rng.normal(0.0, 5.0 + 10.0 * trial, n + 1)) + 1000.0
        hx = np.empty(n + 1, dtype=np.int64)
        hu = np.empty(n + 1)
        a_e = 8.5e6 * rng.uniform(0.9, 1.1)
        for k in range(2, n + 1):
            xi = 90.0 * rng.uniform(0.7, 1.3)
            lam0 = xi * xi / (2 * a_e) * 1.01
            m = rk.hull_build(zr, k, lam0, hx, hu)
            got = rk.horizons_prefix(zr, k, k, zr[k : k + 1], xi, a_e, 10.0, 2.0, hx, hu, m, lam0)
            want = core._find_horizons(zr, k, xi, a_e, 10.0, 2.0)
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def test_fit_prefix_matches_linear_least_squares_fit() -> None:
    rng = np.random.default_rng(11)
    zr = rng.normal(2000.0, 80.0, 120)
    n = zr.size - 1
    p0 = np.empty(n + 2)
    p1 = np.empty(n + 2)
    rk._prefix_sums(zr, n, p0, p1)
    for _ in range(200):
        k = int(rng.integers(1, n + 1))
        t0 = max(1, k - int(rng.integers(0, 10)))
        tail = rng.normal(2000.0, 80.0, k + 1 - t0)
        z = zr.copy()
        z[t0 : k + 1] = tail
        xi = 90.0
        d_start, d_end = (float(v) for v in np.sort(rng.uniform(-100.0, k * xi + 100.0, 2)))
        got = rk.fit_prefix(zr, p0, p1, k, t0, tail, xi, d_start, d_end)
        want = core._linear_least_squares_fit(z, k, xi, d_start, d_end)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-7)
        assert rk.h_sys_prefix(zr, p0, p1, k, t0, tail) == pytest.approx(
            np.mean(z[int(0.1 * k) : k - int(0.1 * k) + 1]), rel=1e-12
        )


def test_fast_raster_against_exact_profiles(andes: TerrainGrid) -> None:
    """8 km around a site in the Lima Andes at 90 m, the ray algorithm for every pixel
    farther than 8 samples: errors against one straight profile per pixel centre.

    Measured: median 0.04 dB, p95 0.5 dB, p99 ≈ 1.5 dB. The residual comes from the
    profile: interior points far from the receiver lie on the ray (up to half a ray
    spacing sideways) and are placed at the stretched spacing ``d / round(d / step)``
    (up to half a step along the path) instead of ``d / ceil(d / step)``; ITM's
    horizons over rugged 90 m terrain are sensitive to that (the exact reference itself
    moves by p95 ≈ 1 dB when its own spacing changes by 3 %).
    """
    kw: dict[str, Any] = dict(lon_deg=ANDES_SITE[0], lat_deg=ANDES_SITE[1], radius_m=8_000.0, **ITM)
    fast = site_loss_raster(andes, exact_within=8, **kw)
    exact = site_loss_raster_exact(andes, **kw)
    assert fast.shape == exact.shape
    np.testing.assert_array_equal(np.isfinite(fast.loss_db), np.isfinite(exact.loss_db))
    both = np.isfinite(exact.loss_db)
    assert both.sum() > 0.9 * math.pi * (8_000.0 / 92.0) ** 2
    err = np.abs(fast.loss_db[both] - exact.loss_db[both])
    assert np.median(err) < 0.15
    assert np.percentile(err, 95) < 1.5
    assert np.percentile(err, 99) < 4.0
    # geometry: Gauss mid-latitude distance and azimuth against Karney's
    np.testing.assert_allclose(fast.distance_m, exact.distance_m, atol=0.5, rtol=0)
    daz = (fast.azimuth_deg - exact.azimuth_deg + 180.0) % 360.0 - 180.0
    assert np.abs(daz[exact.distance_m > 500.0]).max() < 1e-3
    np.testing.assert_array_equal(fast.ground_m, exact.ground_m)
    # pixels within exact_within samples: their own straight profile, as the reference
    near = both & (fast.distance_m < 8 * 92.0 - 100.0)
    np.testing.assert_allclose(fast.loss_db[near], exact.loss_db[near], atol=1e-3, rtol=0)


def test_nan_beyond_radius_and_off_terrain(demo: TerrainGrid) -> None:
    # a site 3 km from the DEM's north edge, a grid reaching 3 km beyond it
    _west, _south, _east, north = demo.bounds
    lon0, lat0 = -70.62, north - 3_000.0 / 110_900.0
    dlat = -demo.dy * 2
    grid = RasterGrid(demo.x0 + 400 * demo.dx, north + 30 * dlat, demo.dx * 2, dlat, 110, 110)
    out = site_loss_raster(demo, lon_deg=lon0, lat_deg=lat0, radius_m=5_000.0, grid=grid, **ITM)
    assert out.shape == (110, 110)
    inside = (out.distance_m <= 5_000.0) & (out.distance_m > 0.0)
    on_dem = np.isfinite(out.ground_m)
    assert not on_dem[:30].any()
    assert on_dem[31:].all()
    finite = np.isfinite(out.loss_db)
    assert not finite[~inside].any()
    assert not finite[~on_dem].any()
    # on the DEM and inside the radius: every pixel whose straight path stays on the DEM
    assert finite[inside & on_dem].all()
    assert (out.loss_db[finite] > 60.0).all()
    assert (out.loss_db[finite] < 250.0).all()


def test_common_grid_gives_the_same_pixels(demo: TerrainGrid) -> None:
    kw: dict[str, Any] = dict(lon_deg=DEMO_SITE[0], lat_deg=DEMO_SITE[1], radius_m=6_000.0, **ITM)
    full = site_loss_raster(demo, **kw)
    g = full.grid
    sub = RasterGrid(g.west_deg + 10 * g.dlon_deg, g.north_deg - 20 * g.dlat_deg,
                     g.dlon_deg, g.dlat_deg, 50, 60)  # fmt: skip
    part = site_loss_raster(demo, grid=sub, **kw)
    a, b = part.loss_db, full.loss_db[20:70, 10:70]
    np.testing.assert_array_equal(np.isfinite(a), np.isfinite(b))
    # Same rays, same samples. The sub-grid's pixel centres differ from the full grid's
    # in the last bits (west + 10 dlon + c dlon); where one of NTIA's index truncations
    # (QuickPfl, ComputeDeltaH) sits exactly on an integer, ITM itself flips with such
    # a perturbation (a few % of pixels here, by up to ~1 dB).
    diff = np.abs(a - b)[np.isfinite(a)]
    assert np.mean(diff < 1e-4) > 0.9
    assert np.median(diff) < 1e-4
    assert diff.max() < 3.0
    assert part.transform.c == pytest.approx(sub.west_deg)
    assert np.isfinite(full.loss_db).sum() > 10_000


def test_raster_grid_around_is_aligned_and_clipped(demo: TerrainGrid) -> None:
    g = raster_grid_around(demo, lon_deg=DEMO_SITE[0], lat_deg=DEMO_SITE[1], radius_m=5_000.0,
                           step=2)  # fmt: skip
    assert g.dlon_deg == pytest.approx(2 * demo.dx)
    assert g.dlat_deg == pytest.approx(-2 * demo.dy)
    col = (g.west_deg - demo.x0) / demo.dx
    row = (demo.y0 - g.north_deg) / -demo.dy
    assert col == pytest.approx(round(col), abs=1e-6)
    assert row == pytest.approx(round(row), abs=1e-6)
    inv = geodesic_inverse(lon1_deg=DEMO_SITE[0], lat1_deg=DEMO_SITE[1],
                           lon2_deg=[g.west_deg, g.west_deg + g.cols * g.dlon_deg],
                           lat2_deg=[DEMO_SITE[1], DEMO_SITE[1]])  # fmt: skip
    assert (inv.distance_m >= 5_000.0).all()
    edge = raster_grid_around(demo, lon_deg=demo.x0 + 0.001, lat_deg=DEMO_SITE[1],
                              radius_m=20_000.0)  # fmt: skip
    assert edge.west_deg == pytest.approx(demo.x0)
    _, south, east, _north = demo.bounds
    assert edge.north_deg - edge.rows * edge.dlat_deg >= south - 1e-9
    assert edge.west_deg + edge.cols * edge.dlon_deg <= east + 1e-9


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"radius_m": 0.0}, "radius_m"),
        ({"radius_m": -5.0}, "radius_m"),
        ({"radius_m": math.nan}, "radius_m"),
        ({"lon_deg": -60.0}, "lon_deg/lat_deg"),
        ({"freq_mhz": 10.0}, "freq_mhz"),
        ({"freq_mhz": 30_000.0}, "freq_mhz"),
        ({"h_tx_m": 0.1}, "h_tx_m"),
        ({"time_pct": 100.0}, "time_pct"),
        ({"step": 0}, "step"),
    ],
)
def test_bad_inputs_raise_input_error(
    demo: TerrainGrid, change: dict[str, float], field: str
) -> None:
    kw: dict[str, Any] = dict(lon_deg=DEMO_SITE[0], lat_deg=DEMO_SITE[1], radius_m=3_000.0,
                                **ITM)  # fmt: skip
    kw.update(change)
    with pytest.raises(InputError) as info:
        site_loss_raster(demo, **kw)
    assert info.value.field == field
    if field != "step":
        with pytest.raises(InputError):
            site_loss_raster_exact(demo, **kw)


def test_projected_terrain_is_rejected(demo: TerrainGrid) -> None:
    utm = TerrainGrid(demo.elevation_m, demo.void, 300_000.0, 6_450_000.0, 90.0, -90.0,
                      "EPSG:32719", False)  # fmt: skip
    with pytest.raises(InputError, match="WGS 84 longitude/latitude"):
        site_loss_raster(utm, lon_deg=DEMO_SITE[0], lat_deg=DEMO_SITE[1], radius_m=1e3, **ITM)


def test_exact_points_match_exact_raster(demo: TerrainGrid) -> None:
    kw: dict[str, Any] = dict(lon_deg=DEMO_SITE[0], lat_deg=DEMO_SITE[1], **ITM)
    ras = site_loss_raster_exact(demo, radius_m=1_500.0, **kw)
    lon, lat = ras.pixel_centres()
    rows, cols = [12, 20, 25], [10, 22, 30]
    got = site_loss_at_exact(demo, rx_lon_deg=lon[cols], rx_lat_deg=lat[rows], **kw)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, ras.loss_db[rows, cols], rtol=1e-6)


def test_bilinear_in_pixel_coordinates_matches_bilinear_one(demo: TerrainGrid) -> None:
    """The raster kernel samples the tails in DEM pixel coordinates (:func:`bilinear_cr`,
    hoisted divisions): the same heights as the package's bilinear interpolation, NaN
    off the grid."""
    rng = np.random.default_rng(7)
    rows, cols = demo.shape
    z = np.ascontiguousarray(demo.elevation_m, dtype=np.float32)
    lon = demo.x0 + demo.dx * rng.uniform(-0.6, cols + 0.6, 2_000)
    lat = demo.y0 + demo.dy * rng.uniform(-0.6, rows + 0.6, 2_000)
    ref = sample_points(demo, lon_deg=lon, lat_deg=lat).elevation_m
    got = np.array(
        [
            rk.bilinear_cr(z, (x - demo.x0) / demo.dx - 0.5, (y - demo.y0) / demo.dy - 0.5)
            for x, y in zip(lon, lat, strict=True)
        ]
    )
    inside = np.isfinite(ref)
    assert 0 < inside.sum() < lon.size
    np.testing.assert_array_equal(np.isfinite(got), inside)
    np.testing.assert_allclose(got[inside], ref[inside], rtol=0, atol=1e-3)
