"""DEM reading: every shared DEM, .hgt mosaics, voids, windowed reads, bad input."""

from __future__ import annotations

import pickle
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import rasterio
import rasterio.io
from affine import Affine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile
from rasterio.windows import Window
from scipy.io import netcdf_file

from alcance.errors import InputError
from alcance.io.terrain import FILL_CONTEXT_PIXELS, Dem, open_dem
from alcance.terrain import TerrainGrid, sample_profiles
from tests.terrain.test_voids import assert_within_neighbour_range

NODATA = -32768
LIMA_TIF = "peru-lima-andes/dem_srtm3_lima_andes.tif"
HGT_DIR = "peru-lima-andes/srtm3"
SINGLE_FILE_DEMS = [
    "demo/dem.tif",
    "chile-santiago-andes/dem_srtm3_santiago_andes.tif",
    "chile-santiago-andes/demo-box/dem.tif",
    "chile-petorca/dem_srtm3_petorca_north.tif",
    LIMA_TIF,
    f"{HGT_DIR}/S12W077.hgt",
    f"{HGT_DIR}/S12W078.hgt",
    f"{HGT_DIR}/S13W077.hgt",
    f"{HGT_DIR}/S13W078.hgt",
]
VOID_DEMS = [LIMA_TIF, "chile-santiago-andes/dem_srtm3_santiago_andes.tif"]


def rasterio_window(path: Path, grid: TerrainGrid) -> NDArray[np.int16]:
    """The same pixels as ``grid``, read directly with rasterio."""
    with rasterio.open(path) as ds:
        col = round((grid.x0 - ds.transform.c) / ds.transform.a)
        row = round((grid.y0 - ds.transform.f) / ds.transform.e)
        rows, cols = grid.shape
        return np.asarray(ds.read(1, window=Window(col, row, cols, rows)))


def write_geotiff(
    path: Path,
    data: NDArray[Any],
    *,
    transform: Affine | None = None,
    crs: str | None = "EPSG:4326",
    nodata: float | None = NODATA,
    **profile: Any,
) -> Path:
    bands = data if data.ndim == 3 else data[np.newaxis]
    options: dict[str, Any] = {
        "driver": "GTiff",
        "width": bands.shape[2],
        "height": bands.shape[1],
        "count": bands.shape[0],
        "dtype": str(bands.dtype),
        "nodata": nodata,
    }
    if crs is not None:
        options["crs"] = crs
    if transform is not None:
        options["transform"] = transform
    options.update(profile)
    with rasterio.open(path, "w", **options) as ds:
        ds.write(bands)
    return path


def small_dem(path: Path, **kwargs: Any) -> Path:
    values = np.arange(100, dtype=np.int16).reshape(10, 10) * 7
    kwargs.setdefault("transform", Affine(0.01, 0.0, -71.0, 0.0, -0.01, -32.0))
    return write_geotiff(path, values, **kwargs)


# -- every shared DEM -----------------------------------------------------------------


@pytest.mark.parametrize("relative", SINGLE_FILE_DEMS)
def test_every_shared_dem_opens_and_reads(shared_data: Path, relative: str) -> None:
    path = shared_data / relative
    with rasterio.open(path) as ds:
        bounds = tuple(ds.bounds)
        resolution = ds.res
        nodata = ds.nodata
    with open_dem(path, fill_voids=False) as dem:
        assert dem.paths == (path,)
        assert dem.bounds == pytest.approx(bounds, abs=1e-12)
        assert dem.resolution == pytest.approx(resolution, rel=1e-12)
        assert dem.is_geographic
        assert pyproj.CRS.from_wkt(dem.crs_wkt).to_epsg() == 4326
        west, south, east, north = bounds
        box = (
            0.5 * (west + east) - 0.07, 0.5 * (south + north) - 0.05,
            0.5 * (west + east) + 0.05, 0.5 * (south + north) + 0.06,
        )  # fmt: skip
        grid = dem.read(*box, margin_pixels=0)
    # Exactly the pixels covering the box: each edge pixel contains the box edge.
    g_west, g_south, g_east, g_north = grid.bounds
    assert g_west <= box[0] < g_west + grid.dx
    assert g_east - grid.dx < box[2] <= g_east
    assert g_north + grid.dy < box[3] <= g_north
    assert g_south <= box[1] < g_south - grid.dy
    raw = rasterio_window(path, grid)
    is_void = raw == nodata
    np.testing.assert_array_equal(grid.void, is_void)
    np.testing.assert_array_equal(grid.elevation_m[~is_void], raw[~is_void])
    assert np.isnan(grid.elevation_m[is_void]).all()
    assert grid.elevation_m.dtype == np.float32
    assert grid.is_geographic
    assert path.name in grid.source


@pytest.mark.parametrize("relative", SINGLE_FILE_DEMS)
def test_no_dem_ever_returns_the_nodata_value(shared_data: Path, relative: str) -> None:
    with open_dem(shared_data / relative) as dem:
        grid = dem.read_all()
    assert not (grid.elevation_m == NODATA).any()
    assert not np.isnan(grid.elevation_m).any()
    with rasterio.open(shared_data / relative) as ds:
        raw = ds.read(1)
    np.testing.assert_array_equal(grid.void, raw == NODATA)
    np.testing.assert_array_equal(grid.elevation_m[raw != NODATA], raw[raw != NODATA])


# -- the four .hgt tiles are one mosaic -----------------------------------------------


@pytest.mark.parametrize("fill", [False, True])
def test_hgt_mosaic_equals_the_lima_geotiff_across_seams(shared_data: Path, fill: bool) -> None:
    box = (-77.31, -12.27, -76.72, -11.68)  # spans all four tiles and both seams
    with open_dem(shared_data / HGT_DIR, fill_voids=fill) as mosaic:
        assert len(mosaic.paths) == 4
        from_tiles = mosaic.read(*box)
    with open_dem(shared_data / LIMA_TIF, fill_voids=fill) as single:
        from_tif = single.read(*box)
    assert (from_tiles.x0, from_tiles.y0) == (from_tif.x0, from_tif.y0)
    assert from_tiles.shape == from_tif.shape
    np.testing.assert_array_equal(from_tiles.void, from_tif.void)
    np.testing.assert_array_equal(from_tiles.elevation_m, from_tif.elevation_m)  # NaN == NaN
    assert from_tiles.void.any()  # the window does include voids
    # The seams (lon -77, lat -12) lie inside the window.
    west, south, east, north = from_tiles.bounds
    assert west < -77.0 < east
    assert south < -12.0 < north
    assert sorted(from_tiles.source.split(", ")) == [
        "S12W077.hgt", "S12W078.hgt", "S13W077.hgt", "S13W078.hgt",
    ]  # fmt: skip


def test_whole_hgt_mosaic_equals_the_lima_geotiff(shared_data: Path) -> None:
    with open_dem(sorted((shared_data / HGT_DIR).glob("*.hgt")), fill_voids=False) as mosaic:
        assert mosaic.shape == (2401, 2401)
        grid = mosaic.read_all()
    with rasterio.open(shared_data / LIMA_TIF) as ds:
        raw = ds.read(1)
        transform = ds.transform
    assert (grid.x0, grid.y0, grid.dx, grid.dy) == (
        transform.c,
        transform.f,
        transform.a,
        transform.e,
    )
    np.testing.assert_array_equal(grid.void, raw == NODATA)
    np.testing.assert_array_equal(grid.elevation_m[raw != NODATA], raw[raw != NODATA])


def test_a_missing_tile_leaves_a_gap_that_is_never_invented(shared_data: Path) -> None:
    tiles = [shared_data / HGT_DIR / f"{n}.hgt" for n in ("S12W077", "S12W078", "S13W078")]
    with open_dem(tiles, fill_voids=True) as dem:
        assert dem.shape == (2401, 2401)
        assert dem.covers([-77.5, -76.5, -76.5], [-11.5, -11.5, -12.5]).tolist() == [
            True, True, False,
        ]  # fmt: skip
        grid = dem.read(-77.2, -12.2, -76.8, -11.8)
        sampled = dem.sample([-76.5, -77.5], [-12.5, -12.5])
    rows, cols = grid.shape
    centre_x = grid.x0 + (np.arange(cols) + 0.5) * grid.dx
    centre_y = grid.y0 + (np.arange(rows) + 0.5) * grid.dy
    gap = (centre_y[:, None] < -12.0 - 1e-9) & (centre_x[None, :] > -77.0 + 1e-9)
    assert np.isnan(grid.elevation_m[gap]).all()
    assert grid.void[gap].all()
    assert not np.isnan(grid.elevation_m[~grid.void]).any()
    assert np.isnan(sampled[0])
    assert np.isfinite(sampled[1])


# -- voids ----------------------------------------------------------------------------


@pytest.mark.parametrize("relative", VOID_DEMS)
def test_voids_are_filled_within_their_neighbours_range(shared_data: Path, relative: str) -> None:
    with rasterio.open(shared_data / relative) as ds:
        raw = ds.read(1)
    void = raw == NODATA
    assert void.sum() > 10_000  # the README's voids are there
    with open_dem(shared_data / relative) as dem:
        grid = dem.read_all()
    np.testing.assert_array_equal(grid.void, void)
    assert not np.isnan(grid.elevation_m).any()
    assert_within_neighbour_range(grid.elevation_m, raw, void)
    with open_dem(shared_data / relative, fill_voids=False) as dem:
        unfilled = dem.read_all()
    assert np.isnan(unfilled.elevation_m[void]).all()
    np.testing.assert_array_equal(unfilled.void, void)


def test_window_fill_uses_context_beyond_the_window(shared_data: Path) -> None:
    """A void cut by the window edge is filled from pixels outside the window too."""
    with rasterio.open(shared_data / LIMA_TIF) as ds:
        raw = ds.read(1)
    void = raw == NODATA
    rows, cols = np.nonzero(void)
    r, c = int(rows[len(rows) // 2]), int(cols[len(cols) // 2])
    with open_dem(shared_data / LIMA_TIF) as dem:
        lon = dem.bounds[0] + (c + 0.5) * dem.resolution[0]
        lat = dem.bounds[3] - (r + 0.5) * dem.resolution[1]
        grid = dem.read(lon, lat, lon, lat, margin_pixels=0)
        whole = dem.read_all()
    assert grid.shape == (1, 1)
    assert grid.void[0, 0]
    assert np.isfinite(grid.elevation_m[0, 0])
    assert grid.elevation_m[0, 0] == pytest.approx(whole.elevation_m[r, c], abs=50.0)
    assert FILL_CONTEXT_PIXELS > 0


# -- windowed reads -------------------------------------------------------------------


def test_reads_are_windowed(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    windows: list[Window] = []
    original = rasterio.io.DatasetReader.read

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        windows.append(kwargs.get("window"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(rasterio.io.DatasetReader, "read", spy)
    with open_dem(shared_data / LIMA_TIF) as dem:
        grid = dem.read(-76.55, -11.95, -76.5, -11.9)
    assert windows
    assert all(w is not None for w in windows)
    limit = (60 + 2 * 2 + 2 * FILL_CONTEXT_PIXELS + 2) ** 2
    assert sum(int(w.width) * int(w.height) for w in windows) <= limit
    # 0.05° between two pixel centres = 61 pixels, plus the 2-pixel margin each side.
    assert grid.shape == (65, 65)


def test_sample_is_the_nearest_pixel(shared_data: Path) -> None:
    rng = np.random.default_rng(2)
    with rasterio.open(shared_data / LIMA_TIF) as ds:
        west, south, east, north = ds.bounds
        lon = rng.uniform(west, east, 300)
        lat = rng.uniform(south, north, 300)
        expected = np.array([v[0] for v in ds.sample(zip(lon, lat, strict=True))], dtype=float)
    expected[expected == NODATA] = np.nan
    with open_dem(shared_data / LIMA_TIF, fill_voids=False) as dem:
        got = dem.sample(np.append(lon, -70.0), np.append(lat, -12.0))
    np.testing.assert_array_equal(got[:-1], expected)
    assert np.isnan(got[-1])
    with open_dem(shared_data / LIMA_TIF) as dem:
        void_lon, void_lat = [], []
        raw_void = np.argwhere(dem.read_all(max_pixels=10**7).void)[:5]
        for r, c in raw_void:
            void_lon.append(dem.bounds[0] + (c + 0.5) * dem.resolution[0])
            void_lat.append(dem.bounds[3] - (r + 0.5) * dem.resolution[1])
        filled = dem.sample(void_lon, void_lat)
    assert np.isfinite(filled).all()
    assert not (filled == NODATA).any()


def test_an_open_dem_pickles_without_file_handles(shared_data: Path) -> None:
    box = (-76.6, -12.1, -76.5, -12.0)
    with open_dem(shared_data / HGT_DIR) as dem:
        before = dem.read(*box)
        copy = pickle.loads(pickle.dumps(dem))
    with copy:
        after = copy.read(*box)
    assert copy.paths == dem.paths
    np.testing.assert_array_equal(after.elevation_m, before.elevation_m)


def test_covers_edges_and_outside(shared_data: Path) -> None:
    with open_dem(shared_data / "demo" / "dem.tif") as dem:
        west, south, east, north = dem.bounds
        flags = dem.covers(
            [west, east, 0.5 * (west + east), west - 1e-6, 0.5 * (west + east), west + 360.0],
            [south, north, 0.5 * (south + north), south, north + 1e-6, north],
        )
    assert flags.tolist() == [True, True, True, False, False, True]


def test_projected_dem_reads_and_profiles(tmp_path: Path) -> None:
    """A UTM 19S GeoTIFF (30 m) holding a plane z = 100 + 3 col - 2 row."""
    rows, cols = np.indices((400, 500))
    plane = (1000 + 3 * cols - 2 * rows).astype(np.int16)
    plane[200, 250] = NODATA
    x0, y0 = 320000.0, 6420000.0
    path = write_geotiff(tmp_path / "utm.tif", plane, crs="EPSG:32719",
                         transform=Affine(30.0, 0.0, x0, 0.0, -30.0, y0))  # fmt: skip
    to_lonlat = pyproj.Transformer.from_crs(32719, 4326, always_xy=True)
    west, south = to_lonlat.transform(x0 + 3000, y0 - 9000)
    east, north = to_lonlat.transform(x0 + 9000, y0 - 3000)
    with open_dem(path, fill_voids=False) as dem:
        assert not dem.is_geographic
        assert dem.resolution == (30.0, 30.0)
        assert dem.bounds == (x0, y0 - 400 * 30.0, x0 + 500 * 30.0, y0)
        grid = dem.read(west, south, east, north)
        w_deg, s_deg, e_deg, n_deg = dem.bounds_deg
        assert w_deg < west < east < e_deg
        assert s_deg < south < north < n_deg
    assert not grid.is_geographic
    assert pyproj.CRS.from_wkt(grid.crs_wkt).to_epsg() == 32719
    raw = rasterio_window(path, grid)
    np.testing.assert_array_equal(grid.elevation_m[raw != NODATA], raw[raw != NODATA])
    assert grid.void.sum() == 1
    g_west, _, g_east, _ = grid.bounds
    assert g_west <= x0 + 3000  # the densified lon/lat box encloses the UTM square
    assert g_east >= x0 + 9000
    # Profiles on the projected grid: bilinear on a plane is exact.
    lon1, lat1 = to_lonlat.transform(x0 + 4015.0, y0 - 4015.0)
    lon2, lat2 = to_lonlat.transform(x0 + 8015.0, y0 - 7015.0)
    profiles = sample_profiles(grid, lon1_deg=lon1, lat1_deg=lat1, lon2_deg=lon2, lat2_deg=lat2)
    assert profiles.elevation_m[0, 0] == pytest.approx(
        1000 + 3 * 133.33333 - 2 * 133.33333, abs=1e-3
    )
    assert not profiles.outside[0]


def test_undeclared_srtm_voids_are_still_voids(tmp_path: Path) -> None:
    values = np.full((6, 6), 700, dtype=np.int16)
    values[2, 3] = NODATA
    path = write_geotiff(tmp_path / "no_nodata_tag.tif", values, nodata=None,
                         transform=Affine(0.01, 0.0, -71.0, 0.0, -0.01, -32.0))  # fmt: skip
    with open_dem(path) as dem:
        grid = dem.read_all()
    assert grid.void.sum() == 1
    assert grid.void[2, 3]
    assert (grid.elevation_m == 700.0).all()


def test_multiband_uses_band_one_and_float_nan_voids(tmp_path: Path) -> None:
    three = np.stack([np.full((10, 10), v, dtype=np.float32) for v in (5.0, 6.0, 7.0)])
    three[0, 4, 4] = np.nan
    path = write_geotiff(tmp_path / "three.tif", three, nodata=None,
                         transform=Affine(0.01, 0.0, -71.0, 0.0, -0.01, -32.0))  # fmt: skip
    with open_dem(path) as dem:
        grid = dem.read_all()
    assert grid.void.sum() == 1
    assert grid.void[4, 4]
    assert (grid.elevation_m == 5.0).all()  # void filled from its equal neighbours


# -- bad input ------------------------------------------------------------------------


def open_and_read(path: Path, *, read: bool) -> None:
    with open_dem(path) as dem:
        if read:
            dem.read_all()


def expect_input_error(path: Path, *, field: str | None = None, read: bool = False) -> InputError:
    with pytest.raises(InputError) as info:
        open_and_read(path, read=read)
    message = str(info.value)
    assert path.name in message
    if field is not None:
        assert info.value.field == field
        assert f"field '{field}'" in message
    return info.value


def test_missing_file(tmp_path: Path) -> None:
    error = expect_input_error(tmp_path / "nowhere.tif")
    assert "not found" in str(error)


def test_directory_without_rasters(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no rasters here")
    error = expect_input_error(tmp_path)
    assert "no raster files" in str(error)


def test_not_a_raster(tmp_path: Path) -> None:
    path = tmp_path / "table.tif"
    path.write_text("school_id,lat,lon\n1,-12.0,-77.0\n")
    expect_input_error(path)


def test_truncated_geotiff_fails_on_read(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "demo" / "dem.tif").read_bytes()
    path = tmp_path / "truncated.tif"
    path.write_bytes(data[: len(data) // 2])
    with open_dem(path) as dem:  # the header is intact, so opening works …
        assert dem.shape == (601, 841)
    error = expect_input_error(path, field="band 1", read=True)  # … the read fails mid-way
    assert "cannot read" in str(error)


def test_no_crs(tmp_path: Path) -> None:
    expect_input_error(small_dem(tmp_path / "nocrs.tif", crs=None), field="crs")


def test_not_georeferenced(tmp_path: Path) -> None:
    path = tmp_path / "plain.tif"
    with warnings.catch_warnings():
        # Writing it makes rasterio warn too; the point is what reading it does.
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1,
                           dtype="int16", crs="EPSG:4326") as ds:  # fmt: skip
            ds.write(np.zeros((1, 4, 4), dtype=np.int16))
    error = expect_input_error(path)
    assert "georeferenced" in str(error)


def test_unknown_crs(tmp_path: Path) -> None:
    local = rasterio.crs.CRS.from_wkt('LOCAL_CS["site grid",UNIT["metre",1]]')
    expect_input_error(small_dem(tmp_path / "local.tif", crs=local), field="crs")


def test_rotated_transform(tmp_path: Path) -> None:
    path = small_dem(tmp_path / "rotated.tif",
                     transform=Affine(0.01, 0.002, -71.0, 0.001, -0.01, -32.0))  # fmt: skip
    assert "rotated" in str(expect_input_error(path))


def test_south_up_transform(tmp_path: Path) -> None:
    path = small_dem(
        tmp_path / "south_up.tif", transform=Affine(0.01, 0.0, -71.0, 0.0, 0.01, -33.0)
    )
    assert "north-up" in str(expect_input_error(path))


def test_zero_bands(tmp_path: Path) -> None:
    """A netCDF with two variables opens as a container with subdatasets and no band."""
    path = tmp_path / "container.nc"
    nc = netcdf_file(path, "w")
    nc.createDimension("y", 3)
    nc.createDimension("x", 4)
    nc.createDimension("t", 2)
    nc.createVariable("elevation", "f4", ("y", "x"))[:] = np.ones((3, 4))
    nc.createVariable("other", "f4", ("t", "y", "x"))[:] = np.ones((2, 3, 4))
    nc.close()
    assert "no raster band" in str(expect_input_error(path, field="band 1"))


def test_complex_band(tmp_path: Path) -> None:
    path = write_geotiff(tmp_path / "complex.tif", np.ones((4, 4), dtype=np.complex64), nodata=None,
                         transform=Affine(0.01, 0.0, -71.0, 0.0, -0.01, -32.0))  # fmt: skip
    expect_input_error(path, field="band 1")


def test_mixed_crs_across_tiles(tmp_path: Path) -> None:
    a = small_dem(tmp_path / "a.tif")
    b = small_dem(tmp_path / "b.tif", crs="EPSG:4269",
                  transform=Affine(0.01, 0.0, -70.9, 0.0, -0.01, -32.0))  # fmt: skip
    with pytest.raises(InputError) as info:
        open_dem([a, b])
    assert "b.tif" in str(info.value)
    assert "a.tif" in str(info.value)
    assert info.value.field == "crs"


def test_mixed_resolution_across_tiles(tmp_path: Path) -> None:
    a = small_dem(tmp_path / "a.tif")
    b = small_dem(tmp_path / "b.tif", transform=Affine(0.02, 0.0, -70.9, 0.0, -0.02, -32.0))
    with pytest.raises(InputError) as info:
        open_dem(tmp_path)
    assert "b.tif" in str(info.value)
    assert info.value.field == "resolution"
    del a, b


def test_misaligned_tiles(tmp_path: Path) -> None:
    small_dem(tmp_path / "a.tif")
    small_dem(tmp_path / "b.tif", transform=Affine(0.01, 0.0, -70.9033, 0.0, -0.01, -32.0))
    with pytest.raises(InputError) as info:
        open_dem(tmp_path)
    assert "b.tif" in str(info.value)
    assert info.value.field == "transform"


def test_adjacent_synthetic_tiles_form_one_grid(tmp_path: Path) -> None:
    a = small_dem(tmp_path / "a.tif")
    b = small_dem(tmp_path / "b.tif", transform=Affine(0.01, 0.0, -70.9, 0.0, -0.01, -32.0))
    with open_dem([b, a], fill_voids=False) as dem:
        assert dem.shape == (10, 20)
        grid = dem.read_all()
    values = np.arange(100).reshape(10, 10) * 7
    np.testing.assert_array_equal(grid.elevation_m, np.hstack([values, values]))


@pytest.mark.parametrize(
    ("box", "field"),
    [
        ((-60.0, -10.0, -59.0, -9.0), "bounds"),
        ((-71.0, -32.0, -70.9, -32.05), "south/north"),
        ((float("nan"), -32.05, -70.9, -32.0), "west"),
        ((-71.0, -95.0, -70.9, -32.0), "south/north"),
    ],
)
def test_bad_boxes(tmp_path: Path, box: tuple[float, float, float, float], field: str) -> None:
    path = small_dem(tmp_path / "box.tif")
    with open_dem(path) as dem, pytest.raises(InputError) as info:
        dem.read(*box)
    assert info.value.field == field


def test_absurd_window_size_is_refused(shared_data: Path) -> None:
    with open_dem(shared_data / LIMA_TIF) as dem:
        with pytest.raises(InputError, match="split the area") as info:
            dem.read(-78.0, -13.0, -76.0, -11.0, max_pixels=1_000_000)
        assert LIMA_TIF.rsplit("/", 1)[-1] in str(info.value)
        with pytest.raises(InputError, match="margin_pixels"):
            dem.read(-77.0, -12.0, -76.9, -11.9, margin_pixels=-1)


def test_not_a_path() -> None:
    with pytest.raises(InputError, match="paths"):
        open_dem(42)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="paths"):
        open_dem([])


# -- fuzzing --------------------------------------------------------------------------


def _valid_tiff_bytes() -> bytes:
    values = (np.arange(64, dtype=np.int16).reshape(8, 8) * 13) - 100
    values[3, 3] = NODATA
    with MemoryFile() as memory:
        with memory.open(driver="GTiff", width=8, height=8, count=1, dtype="int16",
                         crs="EPSG:4326", nodata=NODATA,
                         transform=Affine(0.01, 0.0, -71.0, 0.0, -0.01, -32.0)) as ds:  # fmt: skip
            ds.write(values, 1)
        return bytes(memory.read())


VALID_TIFF = _valid_tiff_bytes()


@st.composite
def tiff_like_bytes(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["random", "mutated", "truncated", "header"]))
    if kind == "random":
        return draw(st.binary(max_size=2048))
    if kind == "header":
        return b"II*\x00" + draw(st.binary(max_size=512))
    data = bytearray(VALID_TIFF)
    if kind == "truncated":
        return bytes(data[: draw(st.integers(0, len(data)))])
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data) - 1))
        data[position] = draw(st.integers(0, 255))
    return bytes(data)


def read_or_error(path: Path) -> TerrainGrid | InputError:
    """Read a whole (small) DEM and sample it, or return the InputError it raised."""
    try:
        with open_dem(path) as dem:
            assert isinstance(dem, Dem)
            grid = dem.read_all(max_pixels=1_000_000)
            dem.sample([-70.97], [-32.03])
    except InputError as error:
        return error
    return grid


@pytest.fixture(scope="module")
def fuzz_dir() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="alcance-fuzz-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=tiff_like_bytes())
def test_arbitrary_bytes_either_read_or_raise_input_error(fuzz_dir: Path, data: bytes) -> None:
    path = fuzz_dir / "fuzz.tif"
    path.write_bytes(data)
    outcome = read_or_error(path)
    if isinstance(outcome, InputError):
        assert "fuzz.tif" in str(outcome)
    else:
        assert not (outcome.elevation_m == NODATA).any()
        assert outcome.void.shape == outcome.elevation_m.shape


def test_valid_fuzz_seed_reads() -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "seed.tif"
        path.write_bytes(VALID_TIFF)
        with open_dem(path) as dem:
            grid = dem.read_all()
    assert grid.void[3, 3]
    assert grid.void.sum() == 1
    assert np.isfinite(grid.elevation_m).all()
