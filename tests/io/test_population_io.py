"""Population rasters (persons per pixel), on small GeoTIFFs written here.

No real population raster exists in ``shared/`` (see shared/data/README.md, "Gaps").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import rasterio
from affine import Affine
from numpy.typing import NDArray

from alcance.errors import InputError
from alcance.io.population import PopulationRaster, read_population_raster

WORLDPOP_NODATA = -99999.0
# WorldPop 100 m grids are 3 arc-seconds, like SRTM3.
PIXEL_DEG = 1 / 1200
TRANSFORM = Affine(PIXEL_DEG, 0.0, -77.0, 0.0, -PIXEL_DEG, -12.0)


def write_population(
    path: Path,
    persons: NDArray[Any],
    *,
    nodata: float | None = WORLDPOP_NODATA,
    transform: Affine = TRANSFORM,
    crs: str = "EPSG:4326",
) -> Path:
    with rasterio.open(
        path, "w", driver="GTiff", width=persons.shape[1], height=persons.shape[0], count=1,
        dtype=str(persons.dtype), crs=crs, transform=transform, nodata=nodata,
    ) as ds:  # fmt: skip
        ds.write(persons, 1)
    return path


@pytest.fixture
def persons() -> NDArray[np.float32]:
    rng = np.random.default_rng(1)
    values = rng.gamma(0.5, 4.0, (120, 150)).astype(np.float32)
    values[10:14, 20:25] = WORLDPOP_NODATA
    return values


def test_read_window_turns_nodata_into_zero_persons(
    tmp_path: Path, persons: NDArray[np.float32]
) -> None:
    path = write_population(tmp_path / "ppp.tif", persons)
    with read_population_raster(path) as pop:
        assert isinstance(pop, PopulationRaster)
        assert pop.shape == (120, 150)
        assert pop.is_geographic
        assert pop.resolution == pytest.approx((PIXEL_DEG, PIXEL_DEG))
        # Pixels 5..29 (cols) and 8..19 (rows): box edges strictly inside those pixels.
        west, north = -77.0 + 5.2 * PIXEL_DEG, -12.0 - 8.3 * PIXEL_DEG
        east, south = -77.0 + 29.9 * PIXEL_DEG, -12.0 - 19.6 * PIXEL_DEG
        window = pop.read(west, south, east, north)
    assert window.persons.shape == (12, 25)
    expected = persons[8:20, 5:30].astype(np.float64)
    nodata = expected == WORLDPOP_NODATA
    np.testing.assert_array_equal(window.nodata, nodata)
    assert window.nodata_count == 4 * 5
    np.testing.assert_array_equal(window.persons[~nodata], expected[~nodata])
    assert (window.persons[nodata] == 0.0).all()
    assert window.total_persons == pytest.approx(expected[~nodata].sum(), rel=1e-12)
    assert window.transform.c == pytest.approx(-77.0 + 5 * PIXEL_DEG, abs=1e-12)
    assert window.transform.f == pytest.approx(-12.0 - 8 * PIXEL_DEG, abs=1e-12)


def test_total_in_counts_pixels_whose_centres_are_in_the_box(
    tmp_path: Path, persons: NDArray[np.float32]
) -> None:
    path = write_population(tmp_path / "ppp.tif", persons)
    # Box edges at 5.5 / 30.5 / 8.5 / 20.5 pixels: centres of cols 6..30 and rows 9..20 are
    # inside (a centre exactly on an edge counts).
    west, east = -77.0 + 5.7 * PIXEL_DEG, -77.0 + 30.5 * PIXEL_DEG
    north, south = -12.0 - 8.6 * PIXEL_DEG, -12.0 - 20.5 * PIXEL_DEG
    valid = np.where(persons == WORLDPOP_NODATA, 0.0, persons.astype(np.float64))
    with read_population_raster(path) as pop:
        total = pop.total_in(west, south, east, north)
        everything = pop.total_in(*pop.bounds_deg)
    assert total == pytest.approx(valid[9:21, 6:31].sum(), rel=1e-12)
    assert everything == pytest.approx(valid.sum(), rel=1e-12)


def test_nan_nodata_and_no_declared_nodata(tmp_path: Path) -> None:
    values = np.ones((4, 4), dtype=np.float32)
    values[1, 1] = np.nan
    path = write_population(tmp_path / "nan.tif", values, nodata=None)
    with read_population_raster(path) as pop:
        window = pop.read(*pop.bounds_deg)
    assert window.nodata_count == 1
    assert window.total_persons == 15.0


def test_projected_population_raster(tmp_path: Path) -> None:
    """A 100 m UTM 18S grid with one person per pixel."""
    values = np.ones((50, 60), dtype=np.float32)
    x0, y0 = 300000.0, 8680000.0
    path = write_population(tmp_path / "utm.tif", values, crs="EPSG:32718",
                            transform=Affine(100.0, 0.0, x0, 0.0, -100.0, y0))  # fmt: skip
    to_lonlat = pyproj.Transformer.from_crs(32718, 4326, always_xy=True)
    west, south = to_lonlat.transform(x0 + 1000.0, y0 - 3000.0)
    east, north = to_lonlat.transform(x0 + 3000.0, y0 - 1000.0)
    with read_population_raster(path) as pop:
        assert not pop.is_geographic
        window = pop.read(west, south, east, north)
        total = pop.total_in(west, south, east, north)
    # The lon/lat box encloses the 2 km x 2 km square (20 x 20 pixels) with a few pixels
    # more where its edges bow; never fewer.
    assert window.persons.shape[0] >= 20
    assert window.persons.shape[1] >= 20
    assert 400.0 <= total <= window.total_persons


def test_negative_population_raises_input_error(
    tmp_path: Path, persons: NDArray[np.float32]
) -> None:
    persons[50, 60] = -3.5
    path = write_population(tmp_path / "negative.tif", persons)
    with read_population_raster(path) as pop:
        pop.read(-77.0, -12.01, -76.99, -12.0)  # a window without the bad pixel reads fine
        with pytest.raises(InputError) as info:
            pop.read(*pop.bounds_deg)
    message = str(info.value)
    assert "negative.tif" in message
    assert info.value.field == "band 1"
    assert "-3.5" in message
    assert "row 50" in message


def test_infinite_population_raises_input_error(tmp_path: Path) -> None:
    values = np.ones((4, 4), dtype=np.float32)
    values[0, 0] = np.inf
    path = write_population(tmp_path / "inf.tif", values, nodata=None)
    with read_population_raster(path) as pop, pytest.raises(InputError, match=r"inf\.tif"):
        pop.total_in(*pop.bounds_deg)


@pytest.mark.parametrize("name", ["missing.tif", "text.tif", "folder"])
def test_bad_files_raise_input_error_naming_them(tmp_path: Path, name: str) -> None:
    (tmp_path / "text.tif").write_text("not a raster")
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError) as info:
        read_population_raster(tmp_path / name)
    assert name in str(info.value)


def test_box_outside_and_bad_box(tmp_path: Path, persons: NDArray[np.float32]) -> None:
    path = write_population(tmp_path / "ppp.tif", persons)
    with read_population_raster(path) as pop:
        with pytest.raises(InputError, match="outside") as info:
            pop.read(10.0, 10.0, 11.0, 11.0)
        assert "ppp.tif" in str(info.value)
        with pytest.raises(InputError, match="south"):
            pop.read(-77.0, -11.0, -76.9, -12.0)
        with pytest.raises(InputError, match="split"):
            pop.read(*pop.bounds_deg, max_pixels=100)


def test_not_a_single_path() -> None:
    with pytest.raises(InputError, match="one path"):
        read_population_raster(["a.tif", "b.tif"])  # type: ignore[arg-type]
