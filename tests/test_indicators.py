"""SDG 9.c.1 (population covered) and 4.a.1 proxy (schools connectable) on real data.

Coverage rasters are built from class arrays (e.g. west of a meridian GOOD, east NONE)
so that every expected value follows from the input by a comparison a reader can redo.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from numpy.typing import NDArray
from pyproj import Transformer

from alcance.coverage.model import CoverageRaster, ServiceClass
from alcance.errors import InputError
from alcance.indicators import (
    NOT_LOCATED,
    OUTSIDE_BOUNDARIES,
    PopulationIndicator,
    SchoolIndicator,
    indicators_document,
    population_covered,
    schools_connectable,
)
from alcance.io import read_boundaries, read_population_raster, read_schools, read_settlements
from alcance.scenario import ServiceSettings

DEMO_SCHOOLS = (
    Path(__file__).resolve().parents[1] / "src" / "alcance" / "data" / "demo" / "schools.csv"
)
G, M, N, X = ServiceClass.GOOD, ServiceClass.MODERATE, ServiceClass.NONE, ServiceClass.NO_DATA


def make_coverage(
    classes: NDArray[np.uint8],
    *,
    west_deg: float,
    north_deg: float,
    dlon_deg: float,
    dlat_deg: float,
) -> CoverageRaster:
    shape = classes.shape
    nan = np.full(shape, np.nan, dtype=np.float32)
    return CoverageRaster(
        rsrp_dbm=nan,
        sinr_db=nan,
        downlink_mbps=nan,
        service_class=np.asarray(classes, dtype=np.uint8),
        west_deg=west_deg,
        north_deg=north_deg,
        dlon_deg=dlon_deg,
        dlat_deg=dlat_deg,
    )


def split_coverage(
    *,
    west_deg: float,
    east_deg: float,
    south_deg: float,
    north_deg: float,
    split_deg: float,
    pixel_deg: float,
    west_class: int = G,
    east_class: int = N,
) -> CoverageRaster:
    """West of ``split_deg`` one class, east of it another (the split on a pixel edge)."""
    cols = round((east_deg - west_deg) / pixel_deg)
    rows = round((north_deg - south_deg) / pixel_deg)
    n_west = round((split_deg - west_deg) / pixel_deg)
    assert math.isclose(west_deg + n_west * pixel_deg, split_deg, abs_tol=1e-9)
    classes = np.full((rows, cols), east_class, dtype=np.uint8)
    classes[:, :n_west] = west_class
    return make_coverage(
        classes, west_deg=west_deg, north_deg=north_deg, dlon_deg=pixel_deg, dlat_deg=pixel_deg
    )


def json_round_trip(doc: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(doc, allow_nan=False)
    back: dict[str, Any] = json.loads(text)
    assert back == doc
    return back


def check_shares(doc: dict[str, Any]) -> None:
    for value in doc["shares"].values():
        assert value is None or 0.0 <= value <= 1.0
    for row in doc["by_area"]:
        for key, value in row.items():
            if key.startswith("share"):
                assert value is None or 0.0 <= value <= 1.0


def check_by_area_sums(ind: PopulationIndicator) -> None:
    assert ind.total is not None
    assert ind.by_area, "expected a by-area table"
    for attr in ("persons_good", "persons_moderate", "persons_none", "persons_not_assessed"):
        assert sum(getattr(r, attr) for r in ind.by_area) == pytest.approx(
            getattr(ind.total, attr), rel=1e-12, abs=1e-9
        )
    assert sum(r.units for r in ind.by_area) == ind.total.units


# --------------------------------------------------------------------------- not computable


def test_no_population_input_is_not_computable() -> None:
    cov = split_coverage(
        west_deg=0.0, east_deg=1.0, south_deg=0.0, north_deg=1.0, split_deg=0.5, pixel_deg=0.1
    )
    ind = population_covered(cov)
    assert not ind.computable
    assert ind.reason == "no population raster or settlement populations given"
    assert ind.share_covered is None
    doc = json_round_trip(ind.to_dict())
    assert doc["computable"] is False
    assert doc["value"] is None
    assert doc["code"] == "SDG 9.c.1"


def test_no_coverage_is_not_computable(shared_data: Path) -> None:
    places = read_settlements(shared_data / "peru-lima-andes" / "places_geonames.csv")
    ind = population_covered(None, settlements=places)
    assert not ind.computable
    assert ind.reason == "no coverage raster given"
    assert ind.to_dict()["value"] is None


def test_petorca_polygons_without_population_are_not_computable(shared_data: Path) -> None:
    poblados = read_settlements(shared_data / "chile-petorca" / "poblados_petorca.geojson")
    assert poblados["population"].isna().all()
    cov = split_coverage(
        west_deg=-71.2,
        east_deg=-70.7,
        south_deg=-32.4,
        north_deg=-32.0,
        split_deg=-71.0,
        pixel_deg=0.01,
    )
    ind = population_covered(cov, settlements=poblados)
    assert not ind.computable
    assert ind.reason is not None
    assert f"none of the {len(poblados)} settlements has a population" in ind.reason
    assert ind.counts["settlements_null_population"] == len(poblados)
    assert any("not guessed" in note for note in ind.notes)
    doc = json_round_trip(ind.to_dict())
    assert doc["value"] is None
    assert doc["shares"] == {"covered": None, "good": None}


# --------------------------------------------------------------------------- settlements


def test_petorca_polygons_split_by_covered_area(shared_data: Path) -> None:
    """Population × share of polygon area west of the split, against shapely's clip."""
    poblados = read_settlements(shared_data / "chile-petorca" / "poblados_petorca.geojson")
    poblados["population"] = pd.array([1000.0] * len(poblados), dtype="Float64")
    poblados.loc[poblados.index[0], "population"] = pd.NA
    split = -71.0605  # four polygons straddle this meridian
    cov = split_coverage(
        west_deg=-71.2,
        east_deg=-70.7,
        south_deg=-32.4,
        north_deg=-32.0,
        split_deg=split,
        pixel_deg=0.0005,
    )
    ind = population_covered(cov, settlements=poblados)
    assert ind.computable
    assert ind.total is not None
    assert ind.counts["settlements_null_population"] == 1
    assert ind.counts["settlement_polygons"] == len(poblados) - 1
    assert ind.total.persons_total == pytest.approx(1000.0 * (len(poblados) - 1))
    assert ind.total.persons_not_assessed == 0.0
    assert ind.total.persons_moderate == 0.0
    # Exact covered share per polygon: area west of the split (in a local metric CRS).
    west_box = shapely.box(-72.0, -33.0, split, -31.0)
    located = poblados.iloc[1:].copy()
    located["geometry"] = located.geometry.make_valid()  # some polygons self-touch
    metric = located.to_crs(32719)
    clipped = gpd.GeoSeries(located.geometry.intersection(west_box), crs=4326).to_crs(32719)
    expected_good = float((1000.0 * clipped.area / metric.area).sum())
    straddling = int(((clipped.area > 0) & (clipped.area < metric.area * 0.999)).sum())
    assert straddling == 4
    # Pixel-centre sampling at 0.0005° (~50 m) against polygons of 0.04-5.8 km²: the
    # sampled share of each straddling polygon is within 1 % of its true area share
    # (measured: 8446.4 against 8435.2 persons, 0.3 % per straddling polygon).
    assert ind.total.persons_good == pytest.approx(expected_good, abs=0.01 * 1000.0 * straddling)
    assert ind.share_covered == pytest.approx(expected_good / ind.total.persons_total, abs=0.01)


def test_small_polygons_fall_back_to_representative_point(shared_data: Path) -> None:
    poblados = read_settlements(shared_data / "chile-petorca" / "poblados_petorca.geojson")
    poblados["population"] = pd.array([10.0] * len(poblados), dtype="Float64")
    # 0.1° pixels: most settlement polygons contain no pixel centre.
    cov = split_coverage(
        west_deg=-71.2,
        east_deg=-70.7,
        south_deg=-32.4,
        north_deg=-32.0,
        split_deg=-71.0,
        pixel_deg=0.1,
        west_class=M,
        east_class=N,
    )
    ind = population_covered(cov, settlements=poblados, min_class="moderate")
    assert ind.total is not None
    n_fallback = ind.counts["settlement_polygons_at_representative_point"]
    assert n_fallback >= len(poblados) // 2
    anchors = poblados.geometry.representative_point()
    centres_inside = np.zeros(len(poblados), dtype=bool)
    lon_c, lat_c = cov.pixel_centres()
    lon_g, lat_g = np.meshgrid(lon_c, lat_c)
    for i, geom in enumerate(poblados.geometry):
        centres_inside[i] = bool(shapely.contains_xy(geom, lon_g, lat_g).any())
    assert int((~centres_inside).sum()) == n_fallback
    west_anchor = (anchors.x < -71.0).to_numpy()
    expected = 10.0 * float((west_anchor & ~centres_inside).sum())
    # The others split by the cos(latitude)-weighted share of their centres west of -71.
    for i in np.flatnonzero(centres_inside).tolist():
        inside = shapely.contains_xy(poblados.geometry.iloc[i], lon_g, lat_g)
        weight = np.cos(np.radians(lat_g[inside]))
        expected += 10.0 * float(weight[lon_g[inside] < -71.0].sum() / weight.sum())
    assert ind.total.persons_moderate == pytest.approx(expected)
    assert ind.total.persons_good == 0.0


@pytest.fixture(scope="module")
def geonames(shared_data: Path) -> gpd.GeoDataFrame:
    return read_settlements(shared_data / "peru-lima-andes" / "places_geonames.csv")


@pytest.fixture(scope="module")
def districts(shared_data: Path) -> gpd.GeoDataFrame:
    return read_boundaries(
        shared_data / "peru-lima-andes" / "boundaries" / "peru_distritos.geojson"
    )


def test_geonames_points_by_district(
    geonames: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> None:
    # West of -77.05 GOOD, east NONE; the raster stops at -12.5 so points south of it
    # are not assessed. No place lies within 1e-4° of an edge.
    split, south = -77.05, -12.5
    cov = split_coverage(
        west_deg=-78.0,
        east_deg=-75.5,
        south_deg=south,
        north_deg=-10.5,
        split_deg=split,
        pixel_deg=0.01,
    )
    lon = geonames.geometry.x.to_numpy()
    lat = geonames.geometry.y.to_numpy()
    pop = geonames["population"].to_numpy(dtype=float)
    assert np.abs(lon - split).min() > 1e-4
    assert np.abs(lat - south).min() > 1e-4
    assessed = lat > south
    expected_good = pop[assessed & (lon < split)].sum()
    expected_none = pop[assessed & (lon > split)].sum()
    expected_out = pop[~assessed].sum()
    assert expected_good > 0
    assert expected_none > 0
    assert expected_out > 0

    ind = population_covered(cov, settlements=geonames, boundaries=districts)
    assert ind.computable
    assert ind.total is not None
    assert ind.total.persons_good == pytest.approx(expected_good)
    assert ind.total.persons_none == pytest.approx(expected_none)
    assert ind.total.persons_not_assessed == pytest.approx(expected_out)
    assert ind.share_covered == pytest.approx(expected_good / (expected_good + expected_none))
    assert ind.share_good == ind.share_covered
    assert ind.counts["settlements_null_population"] == 0
    assert any("8 of 1834 boundary areas have no geometry" in n for n in ind.notes)
    check_by_area_sums(ind)

    # By-area totals against an independent geopandas spatial join.
    joined = gpd.sjoin(geonames, districts[["area_name", "geometry"]], predicate="within")
    joined = joined[~joined.index.duplicated()]
    expected_by_area = joined.groupby("area_name")["population"].sum()
    rows = {r.area: r for r in ind.by_area}
    for name, persons in expected_by_area.items():
        assert rows[str(name)].persons_total == pytest.approx(float(persons))
    outside = pop.sum() - float(expected_by_area.sum())
    if outside > 0:
        assert rows[OUTSIDE_BOUNDARIES].persons_total == pytest.approx(outside)
    else:
        assert OUTSIDE_BOUNDARIES not in rows

    doc = json_round_trip(ind.to_dict())
    check_shares(doc)
    assert doc["value"] == pytest.approx(100.0 * expected_good / (expected_good + expected_none))
    assert doc["denominators"]["persons_assessed"] == pytest.approx(expected_good + expected_none)


def test_null_population_and_missing_geometry_are_reported(geonames: gpd.GeoDataFrame) -> None:
    places = geonames.copy()
    places.loc[places.index[0], "population"] = pd.NA
    places.loc[places.index[1], "geometry"] = None
    cov = split_coverage(
        west_deg=-78.0,
        east_deg=-75.5,
        south_deg=-13.5,
        north_deg=-10.5,
        split_deg=-77.05,
        pixel_deg=0.01,
        west_class=M,
    )
    ind = population_covered(cov, settlements=places, min_class=ServiceClass.MODERATE)
    assert ind.total is not None
    assert ind.counts["settlements_null_population"] == 1
    assert ind.counts["settlements_without_geometry"] == 1
    pop = places["population"].to_numpy(dtype=float, na_value=np.nan)
    assert ind.total.persons_total == pytest.approx(np.nansum(pop))
    assert ind.total.persons_outside == pytest.approx(pop[1])
    # min_class GOOD on the same raster: nothing is covered.
    strict = population_covered(cov, settlements=places, min_class="good")
    assert strict.share_covered == 0.0
    assert ind.share_covered is not None
    assert ind.share_covered > 0.0


def test_not_located_row_with_boundaries(
    geonames: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> None:
    places = geonames.copy()
    places.loc[places.index[1], "geometry"] = None
    cov = split_coverage(
        west_deg=-78.0,
        east_deg=-75.5,
        south_deg=-13.5,
        north_deg=-10.5,
        split_deg=-77.05,
        pixel_deg=0.01,
    )
    ind = population_covered(cov, settlements=places, boundaries=districts)
    rows = {r.area: r for r in ind.by_area}
    assert rows[NOT_LOCATED].persons_total == pytest.approx(float(places["population"].iloc[1]))
    assert rows[NOT_LOCATED].persons_assessed == 0.0
    check_by_area_sums(ind)


# --------------------------------------------------------------------------- raster


def write_population(
    path: Path,
    persons: NDArray[np.float64],
    *,
    west: float,
    north: float,
    pixel: float,
    crs: str = "EPSG:4326",
    nodata: float = -99999.0,
) -> Path:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=persons.shape[1],
        height=persons.shape[0],
        count=1,
        dtype="float64",
        crs=crs,
        transform=Affine(pixel, 0.0, west, 0.0, -pixel, north),
        nodata=nodata,
    ) as dst:
        dst.write(persons, 1)
    return path


def test_population_raster_split_on_finer_coverage(tmp_path: Path) -> None:
    """0.03° population pixels on a 0.01° coverage grid: each pixel is split 3 x 3."""
    # Population: 4 rows x 5 cols, west -71.0, north -32.0; pixel (0, 4) is nodata.
    persons = np.arange(1.0, 21.0).reshape(4, 5) * 10.0
    persons[0, 4] = -99999.0
    path = write_population(tmp_path / "pop.tif", persons, west=-71.0, north=-32.0, pixel=0.03)
    with read_population_raster(path) as raster:
        window = raster.read(-71.0, -32.12, -70.85, -32.0)
    assert window.persons.shape == (4, 5)
    # Coverage: 0.01° pixels from -71.0 to -70.88 (12 columns = 4 population columns,
    # so column 4 is off the raster). GOOD west of -70.96, i.e. population column 0
    # wholly and one third of column 1; MODERATE from -70.96 to -70.93 (the rest of
    # column 1); NONE beyond. Rows: 12, covering all four population rows.
    classes = np.full((12, 12), N, dtype=np.uint8)
    classes[:, :4] = G
    classes[:, 4:6] = M
    cov = make_coverage(classes, west_deg=-71.0, north_deg=-32.0, dlon_deg=0.01, dlat_deg=0.01)
    ind = population_covered(cov, population=window)
    assert ind.total is not None
    p = np.where(persons < 0, 0.0, persons)
    good = p[:, 0].sum() + p[:, 1].sum() / 3.0
    moderate = p[:, 1].sum() * 2.0 / 3.0
    none = p[:, 2:4].sum()
    outside = p[:, 4].sum()
    assert ind.counts["split_per_pixel"] == 9
    assert ind.counts["nodata_pixels"] == 1
    assert ind.total.persons_good == pytest.approx(good)
    assert ind.total.persons_moderate == pytest.approx(moderate)
    assert ind.total.persons_none == pytest.approx(none)
    assert ind.total.persons_outside == pytest.approx(outside)
    assert ind.share_covered == pytest.approx((good + moderate) / (good + moderate + none))
    assert ind.share_good == pytest.approx(good / (good + moderate + none))
    json_round_trip(ind.to_dict())


def test_population_raster_on_coarser_coverage_by_area(tmp_path: Path) -> None:
    """0.01° population pixels on a 0.04° coverage grid: each pixel centre is sampled."""
    rng = np.random.default_rng(7)
    persons = rng.integers(0, 50, size=(8, 12)).astype(np.float64)
    path = write_population(tmp_path / "pop.tif", persons, west=10.0, north=5.0, pixel=0.01)
    with read_population_raster(path) as raster:
        window = raster.read(10.0, 4.92, 10.12, 5.0)
    # Coverage pixels of 0.04°: class by column GOOD, NO_DATA, NONE (3 x 3 pixels ⇒ the
    # raster spans lon 10.00-10.12, lat 4.88-5.00).
    classes = np.tile(np.array([G, X, N], dtype=np.uint8), (3, 1))
    cov = make_coverage(classes, west_deg=10.0, north_deg=5.0, dlon_deg=0.04, dlat_deg=0.04)
    boundaries = gpd.GeoDataFrame(
        {"area_name": ["north", "south", "nowhere"]},
        geometry=[
            shapely.box(9.0, 4.96, 11.0, 6.0),
            shapely.box(9.0, 4.0, 10.06, 4.96),
            shapely.box(0.0, 0.0, 1.0, 1.0),
        ],
        crs="EPSG:4326",
    )
    ind = population_covered(cov, population=window, boundaries=boundaries)
    assert ind.total is not None
    assert ind.counts["split_per_pixel"] == 1
    assert ind.total.persons_good == pytest.approx(persons[:, 0:4].sum())
    assert ind.total.persons_no_data == pytest.approx(persons[:, 4:8].sum())
    assert ind.total.persons_none == pytest.approx(persons[:, 8:12].sum())
    rows = {r.area: r for r in ind.by_area}
    assert set(rows) == {"north", "south", OUTSIDE_BOUNDARIES}  # "nowhere" holds nothing
    assert rows["north"].persons_total == pytest.approx(persons[0:4].sum())
    assert rows["south"].persons_total == pytest.approx(persons[4:8, 0:6].sum())
    assert rows[OUTSIDE_BOUNDARIES].persons_total == pytest.approx(persons[4:8, 6:].sum())
    assert rows["south"].persons_none == 0.0
    check_by_area_sums(ind)
    doc = json_round_trip(ind.to_dict())
    check_shares(doc)


def test_projected_population_raster(tmp_path: Path) -> None:
    """A UTM population raster: pixel centres are transformed to lon/lat and sampled."""
    persons = np.full((6, 6), 5.0)
    persons[2, 3] = 100.0
    x0, y0, pixel = 300_000.0, 6_450_000.0, 100.0  # UTM 19S, near Petorca
    path = write_population(
        tmp_path / "utm.tif", persons, west=x0, north=y0, pixel=pixel, crs="EPSG:32719"
    )
    to_ll = Transformer.from_crs(32719, 4326, always_xy=True)
    xs = x0 + (np.arange(6) + 0.5) * pixel
    ys = y0 - (np.arange(6) + 0.5) * pixel
    xg, yg = np.meshgrid(xs, ys)
    lon, _ = to_ll.transform(xg, yg)
    # 0.002° coverage pixels are coarser than the ~0.001° population pixels (k = 1).
    split = round(float(np.median(lon)) / 0.002) * 0.002
    assert np.abs(lon - split).min() > 1e-6
    cov = split_coverage(
        west_deg=split - 0.1,
        east_deg=split + 0.1,
        south_deg=-32.2,
        north_deg=-31.9,
        split_deg=split,
        pixel_deg=0.002,
    )
    with read_population_raster(path) as raster:
        w, s, e, n = raster.bounds_deg
        window = raster.read(w, s, e, n)
    ind = population_covered(cov, population=window)
    assert ind.total is not None
    assert ind.counts["split_per_pixel"] == 1
    assert ind.total.persons_good == pytest.approx(persons[lon < split].sum())
    assert ind.total.persons_none == pytest.approx(persons[lon > split].sum())


def test_bad_population_grid_raises() -> None:
    cov = split_coverage(
        west_deg=0.0, east_deg=1.0, south_deg=0.0, north_deg=1.0, split_deg=0.5, pixel_deg=0.1
    )

    class Grid:
        persons = np.array([[1.0, -2.0]])
        nodata = np.array([[False, False]])
        transform = Affine(0.5, 0.0, 0.0, 0.0, -0.5, 1.0)
        crs_wkt = rasterio.crs.CRS.from_epsg(4326).to_wkt()

    with pytest.raises(InputError, match="not a count"):
        population_covered(cov, population=Grid())
    with pytest.raises(InputError, match="'moderate' or 'good'"):
        population_covered(cov, min_class="none")


# --------------------------------------------------------------------------- schools


@pytest.fixture(scope="module")
def demo_schools() -> gpd.GeoDataFrame:
    schools, _ = read_schools(DEMO_SCHOOLS)
    by_commune = {"PETORCA": "good", "CABILDO": "moderate", "LOS ANDES": "none"}
    schools["service_class"] = [by_commune[str(a)] for a in schools["admin_area"]]
    return schools


def test_schools_connectable_by_admin_area(demo_schools: gpd.GeoDataFrame) -> None:
    # Demo: PETORCA 11 schools (RBD 14329 closed, 0 students), 10 functioning with
    # 1381 students; CABILDO 7 schools, 661 students; LOS ANDES 1 school, 48 students.
    good = schools_connectable(demo_schools, min_class="good")
    assert good.area_source == "admin_area column"
    assert good.total is not None
    assert (good.total.schools_listed, good.total.schools_functioning) == (19, 18)
    assert good.total.schools_not_functioning == 1
    assert good.total.schools_meeting == 10
    assert good.total.students_functioning == 2090
    assert good.total.students_meeting == 1381
    assert good.share_schools == pytest.approx(10 / 18)
    assert good.share_students == pytest.approx(1381 / 2090)
    moderate = schools_connectable(demo_schools, min_class=ServiceClass.MODERATE)
    assert moderate.share_schools == pytest.approx(17 / 18)
    assert moderate.share_students == pytest.approx(2042 / 2090)
    rows = {r.area: r for r in good.by_area}
    assert set(rows) == {"PETORCA", "CABILDO", "LOS ANDES"}
    assert rows["PETORCA"].share_schools == 1.0
    assert rows["CABILDO"].share_schools == 0.0
    for field in ("schools_listed", "schools_functioning", "schools_meeting", "students_meeting"):
        assert sum(getattr(r, field) for r in good.by_area) == getattr(good.total, field)
    doc = json_round_trip(good.to_dict())
    check_shares(doc)
    assert doc["code"] == "SDG 4.a.1 (proxy)"
    assert doc["value"] == pytest.approx(100 * 10 / 18)
    assert any("not functioning" in n for n in doc["notes"])


def test_unknown_students_and_classes(demo_schools: gpd.GeoDataFrame) -> None:
    schools = demo_schools.copy()
    i_big = int(np.flatnonzero(schools["school_id"] == "CL-RBD-1148")[0])  # PETORCA, 464
    i_cab = int(np.flatnonzero(schools["school_id"] == "CL-RBD-1173")[0])  # CABILDO, 125
    schools.loc[schools.index[i_big], "students"] = pd.NA
    schools["service_class"] = schools["service_class"].astype(object)
    schools.loc[schools.index[i_cab], "service_class"] = None
    schools.loc[schools.index[0:3], "is_operational"] = pd.NA
    ind = schools_connectable(schools, min_class="moderate")
    assert ind.total is not None
    assert ind.total.schools_functioning == 18  # NA status counts as functioning
    assert ind.total.schools_students_unknown == 1
    assert ind.total.schools_unknown_class == 1
    assert ind.total.schools_meeting == 16
    assert ind.total.students_functioning == 2090 - 464
    assert ind.total.students_meeting == 2090 - 464 - 125 - 48
    notes = " ".join(ind.notes)
    assert "unknown enrolment" in notes
    assert "unknown operational status" in notes


def test_schools_joined_to_boundaries(demo_schools: gpd.GeoDataFrame, shared_data: Path) -> None:
    commune = read_boundaries(shared_data / "chile-petorca" / "comuna_petorca.geojson")
    ind = schools_connectable(demo_schools, boundaries=commune)
    assert ind.area_source == "boundaries"
    inside = demo_schools.within(commune.geometry.iloc[0]).to_numpy()
    rows = {r.area: r for r in ind.by_area}
    name = str(commune["area_name"].iloc[0])
    assert rows[name].schools_listed == int(inside.sum())
    assert rows[OUTSIDE_BOUNDARIES].schools_listed == int((~inside).sum())
    assert sum(r.schools_meeting for r in ind.by_area) == ind.total.schools_meeting  # type: ignore[union-attr]
    # A plain table with coordinates joins the same way.
    plain = pd.DataFrame(demo_schools.drop(columns="geometry"))
    again = schools_connectable(plain, boundaries=commune)
    assert [r.to_dict() for r in again.by_area] == [r.to_dict() for r in ind.by_area]


def test_school_inputs_not_computable_or_bad(demo_schools: gpd.GeoDataFrame) -> None:
    no_class = schools_connectable(demo_schools.drop(columns="service_class"))
    assert not no_class.computable
    assert no_class.to_dict()["value"] is None
    closed = demo_schools.copy()
    closed["is_operational"] = False
    ind = schools_connectable(closed)
    assert not ind.computable
    assert ind.reason == "no functioning school in the table"
    assert ind.share_schools is None
    bad = demo_schools.copy()
    bad.loc[bad.index[4], "service_class"] = "excellent"
    with pytest.raises(InputError, match="row 5"):
        schools_connectable(bad)
    codes = demo_schools.copy()
    codes["service_class"] = [int(G)] * 10 + [int(N)] * 9
    assert schools_connectable(codes).total.schools_meeting == 10  # type: ignore[union-attr]


# --------------------------------------------------------------------------- document


def test_indicators_document_round_trip(
    demo_schools: gpd.GeoDataFrame, geonames: gpd.GeoDataFrame
) -> None:
    cov = split_coverage(
        west_deg=-78.0,
        east_deg=-75.5,
        south_deg=-12.5,
        north_deg=-10.5,
        split_deg=-77.05,
        pixel_deg=0.01,
    )
    pop = population_covered(cov, settlements=geonames)
    sch = schools_connectable(demo_schools)
    doc = indicators_document(population=pop, schools=sch, service=ServiceSettings())
    back = json_round_trip(doc)
    assert set(back["indicators"]) == {"sdg_9c1_population_covered", "sdg_4a1_schools_connectable"}
    assert back["service_classes_mbps"] == {"good_min_mbps": 20.0, "moderate_min_mbps": 1.0}
    empty = json_round_trip(indicators_document())
    for item in empty["indicators"].values():
        assert item["computable"] is False
    assert isinstance(sch, SchoolIndicator)
