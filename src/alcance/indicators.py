"""SDG indicators from a coverage picture: 9.c.1 population covered, 4.a.1 schools connectable.

Pure computation (no I/O): the inputs are a :class:`~alcance.coverage.model.CoverageRaster`,
a population grid (anything shaped like :class:`alcance.io.PopulationWindow`) or a
settlement GeoDataFrame, boundaries as read by :func:`alcance.io.read_boundaries`, and the
per-school table with a ``service_class`` column. The results are dataclasses whose
``to_dict()`` gives the JSON-ready blocks of ``indicators.json``
(:func:`indicators_document`).

>>> ind = population_covered(coverage, population=window, boundaries=areas)  # doctest: +SKIP
>>> ind.share_covered                                                         # doctest: +SKIP
0.83

References
----------
UN Statistics Division, SDG Indicators Metadata Repository: indicator 9.c.1 "Proportion
of population covered by a mobile network, by technology" (custodian ITU) and indicator
4.a.1 "Proportion of schools with access to (b) the Internet for pedagogical purposes"
(custodian UNESCO-UIS). https://unstats.un.org/sdgs/metadata/
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from numpy.typing import NDArray
from rasterio.features import rasterize

from alcance.coverage.model import SERVICE_CLASS_NAMES, CoverageRaster, ServiceClass
from alcance.errors import InputError
from alcance.terrain._crs import crs_from_wkt, grid_to_lonlat, is_wgs84_lonlat

if TYPE_CHECKING:
    from alcance.scenario import ServiceSettings

__all__ = [
    "NOT_LOCATED",
    "NO_AREA",
    "OUTSIDE_BOUNDARIES",
    "PopulationCounts",
    "PopulationGrid",
    "PopulationIndicator",
    "SchoolCounts",
    "SchoolIndicator",
    "indicators_document",
    "population_covered",
    "schools_connectable",
]

#: By-area row of everything located outside every boundary polygon.
OUTSIDE_BOUNDARIES: Final = "outside boundaries"
#: By-area row of settlements or schools without a location.
NOT_LOCATED: Final = "not located"
#: By-area row of schools whose ``admin_area`` is empty (no boundaries given).
NO_AREA: Final = "no admin area given"

#: Largest number of coverage samples taken in one pass (memory bound of the kernels).
_CHUNK_SAMPLES: Final = 1 << 21
#: Largest sub-sampling factor per axis of one population pixel.
_MAX_SPLIT: Final = 16
#: Largest number of pixel centres sampled inside one settlement polygon.
_MAX_POLYGON_SAMPLES: Final = 1_000_000
#: Sampler code for a point outside the coverage raster's extent.
_OUTSIDE: Final = 255

_POP_DEFINITION: Final = (
    "Proportion of population covered by a mobile network (UN SDG indicator 9.c.1, "
    "custodian ITU): persons living where the modelled best-server signal reaches at "
    "least the threshold service class, divided by the persons whose location was "
    "assessed by the coverage model."
)
_SCHOOL_DEFINITION: Final = (
    "Proxy for UN SDG indicator 4.a.1 (b) (proportion of schools with access to the "
    "Internet for pedagogical purposes, custodian UNESCO-UIS): share of functioning "
    "schools, and of their students, whose modelled service class reaches the threshold. "
    "It measures connectable schools (a usable signal at the school), not schools that "
    "have a connection."
)
_CLASS_BY_NAME: Final = {name: code for code, name in SERVICE_CLASS_NAMES.items()}


class PopulationGrid(Protocol):
    """A population raster window (e.g. :class:`alcance.io.PopulationWindow`)."""

    @property
    def persons(self) -> NDArray[np.float64]:
        """Persons per pixel ``(rows, cols)``; nodata pixels hold 0."""

    @property
    def nodata(self) -> NDArray[np.bool_]:
        """``True`` where the raster has no data."""

    @property
    def transform(self) -> Affine:
        """Pixel → grid-CRS affine transform (rasterio convention)."""

    @property
    def crs_wkt(self) -> str:
        """CRS of the grid as WKT."""


# --------------------------------------------------------------------------- results


def _num(value: float | None) -> float | None:
    """JSON-safe float: ``None`` for missing, NaN or infinite values."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _share(numerator: float, denominator: float) -> float | None:
    return float(numerator / denominator) if denominator > 0 else None


def _pct(share: float | None) -> float | None:
    return None if share is None else 100.0 * share


@dataclass(frozen=True, slots=True)
class PopulationCounts:
    """Persons by service class in one area (or in total).

    Attributes
    ----------
    area
        Area name (``"total"``, a boundary's ``area_name``, :data:`OUTSIDE_BOUNDARIES`
        or :data:`NOT_LOCATED`).
    persons_good, persons_moderate, persons_none
        Persons whose location is in that class.
    persons_no_data
        Persons inside the coverage raster on pixels with no computed class (not assessed).
    persons_outside
        Persons outside the coverage raster's extent or without a location (not assessed).
    units
        Population pixels or settlements that contributed.
    """

    area: str
    persons_good: float
    persons_moderate: float
    persons_none: float
    persons_no_data: float
    persons_outside: float
    units: int

    @property
    def persons_assessed(self) -> float:
        """Persons whose location has a class (the denominator of the shares)."""
        return self.persons_good + self.persons_moderate + self.persons_none

    @property
    def persons_not_assessed(self) -> float:
        """Persons outside the raster's extent or on no-data pixels."""
        return self.persons_no_data + self.persons_outside

    @property
    def persons_total(self) -> float:
        """Assessed plus not assessed persons."""
        return self.persons_assessed + self.persons_not_assessed

    def persons_covered(self, min_class: ServiceClass) -> float:
        """Persons in ``min_class`` or better."""
        if min_class == ServiceClass.GOOD:
            return self.persons_good
        return self.persons_good + self.persons_moderate

    def to_dict(self, min_class: ServiceClass) -> dict[str, Any]:
        """JSON-ready row (persons, shares of the assessed persons)."""
        assessed = self.persons_assessed
        return {
            "area": self.area,
            "persons_total": _num(self.persons_total),
            "persons_assessed": _num(assessed),
            "persons_covered": _num(self.persons_covered(min_class)),
            "persons_good": _num(self.persons_good),
            "persons_moderate": _num(self.persons_moderate),
            "persons_none": _num(self.persons_none),
            "persons_not_assessed": _num(self.persons_not_assessed),
            "share_covered": _share(self.persons_covered(min_class), assessed),
            "share_good": _share(self.persons_good, assessed),
            "units": self.units,
        }


@dataclass(frozen=True, slots=True)
class PopulationIndicator:
    """SDG 9.c.1, proportion of the population covered by a mobile network.

    Attributes
    ----------
    computable
        ``False`` when there was nothing to compute from; then ``reason`` says why and
        no share is given.
    reason
        Why the indicator is not computable (``None`` when it is).
    min_class
        Threshold class (:attr:`ServiceClass.MODERATE` or :attr:`ServiceClass.GOOD`).
    source
        ``"population raster"``, ``"settlements"`` or ``None``.
    method
        How persons were placed on the coverage grid, and the error of that choice.
    total
        Counts over everything, or ``None`` when not computable from any input.
    by_area
        One row per boundary that received persons, then :data:`OUTSIDE_BOUNDARIES`
        and :data:`NOT_LOCATED` when non-empty (empty without boundaries). The rows sum
        to ``total``.
    counts
        Input bookkeeping: pixels, nodata pixels, settlements, null populations, ….
    notes
        What could not be used or computed.
    """

    computable: bool
    reason: str | None
    min_class: ServiceClass
    source: str | None
    method: str
    total: PopulationCounts | None
    by_area: list[PopulationCounts] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def share_covered(self) -> float | None:
        """Covered persons / assessed persons, in [0, 1] (``None`` if not computable)."""
        if not self.computable or self.total is None:
            return None
        return _share(self.total.persons_covered(self.min_class), self.total.persons_assessed)

    @property
    def share_good(self) -> float | None:
        """Persons in the ``good`` class / assessed persons (``None`` if not computable)."""
        if not self.computable or self.total is None:
            return None
        return _share(self.total.persons_good, self.total.persons_assessed)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready ``indicators.json`` block (no NaN: missing values are ``None``)."""
        threshold = SERVICE_CLASS_NAMES[self.min_class]
        out: dict[str, Any] = {
            "code": "SDG 9.c.1",
            "label": "Population covered by a mobile network (SDG 9.c.1)",
            "definition": _POP_DEFINITION,
            "method": self.method,
            "source": self.source,
            "threshold": threshold,
            "computable": self.computable,
            "reason": self.reason,
            "value": _pct(self.share_covered),
            "unit": "%",
        }
        total = self.total
        out["values"] = (
            None
            if total is None
            else {
                "persons_covered": _num(total.persons_covered(self.min_class)),
                "persons_good": _num(total.persons_good),
                "persons_moderate": _num(total.persons_moderate),
                "persons_none": _num(total.persons_none),
                "persons_not_assessed": _num(total.persons_not_assessed),
                "persons_outside_coverage": _num(total.persons_outside),
                "persons_no_coverage_data": _num(total.persons_no_data),
            }
        )
        out["shares"] = {
            "covered": self.share_covered,
            "good": self.share_good,
        }
        out["denominators"] = {
            "persons_assessed": None if total is None else _num(total.persons_assessed),
            "persons_total": None if total is None else _num(total.persons_total),
            "definition": (
                "shares are of the persons whose location lies inside the coverage raster "
                "on a pixel with a computed class; persons outside it are 'not assessed', "
                "not uncovered"
            ),
        }
        out["counts"] = dict(self.counts)
        out["by_area"] = [row.to_dict(self.min_class) for row in self.by_area]
        out["notes"] = list(self.notes)
        return out


@dataclass(frozen=True, slots=True)
class SchoolCounts:
    """Schools and students meeting the threshold class in one area (or in total).

    Attributes
    ----------
    area
        Area name (``"total"``, an admin area, :data:`OUTSIDE_BOUNDARIES`, …).
    schools_listed
        Rows of the school table in the area.
    schools_not_functioning
        Schools with ``is_operational`` False (excluded from every denominator).
    schools_functioning
        The denominator: schools whose ``is_operational`` is not False.
    schools_meeting
        Functioning schools in the threshold class or better.
    schools_unknown_class
        Functioning schools with class ``unknown`` (counted as not meeting).
    students_functioning
        Students of functioning schools with a known enrolment.
    students_meeting
        Students of meeting schools with a known enrolment.
    schools_students_unknown
        Functioning schools whose enrolment is unknown (their students are not counted).
    """

    area: str
    schools_listed: int
    schools_not_functioning: int
    schools_functioning: int
    schools_meeting: int
    schools_unknown_class: int
    students_functioning: int
    students_meeting: int
    schools_students_unknown: int

    @property
    def share_schools(self) -> float | None:
        """Meeting / functioning schools, in [0, 1] (``None`` without functioning schools)."""
        return _share(self.schools_meeting, self.schools_functioning)

    @property
    def share_students(self) -> float | None:
        """Students of meeting schools / students of functioning schools (known enrolments)."""
        return _share(self.students_meeting, self.students_functioning)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row."""
        return {
            "area": self.area,
            "schools_listed": self.schools_listed,
            "schools_not_functioning": self.schools_not_functioning,
            "schools_functioning": self.schools_functioning,
            "schools_meeting": self.schools_meeting,
            "schools_unknown_class": self.schools_unknown_class,
            "students_functioning": self.students_functioning,
            "students_meeting": self.students_meeting,
            "schools_students_unknown": self.schools_students_unknown,
            "share_schools": self.share_schools,
            "share_students": self.share_students,
        }


@dataclass(frozen=True, slots=True)
class SchoolIndicator:
    """SDG 4.a.1 proxy: functioning schools (and students) that are connectable.

    Attributes
    ----------
    computable
        ``False`` when no share can be given; ``reason`` says why.
    reason
        Why not computable, else ``None``.
    min_class
        Threshold class.
    area_source
        ``"boundaries"`` (spatial join), ``"admin_area column"`` or ``None``.
    total
        Counts over all schools (``None`` when the table could not be used).
    by_area
        Rows summing to ``total``.
    notes
        What could not be used or computed.
    """

    computable: bool
    reason: str | None
    min_class: ServiceClass
    area_source: str | None
    total: SchoolCounts | None
    by_area: list[SchoolCounts] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def share_schools(self) -> float | None:
        """Meeting / functioning schools (``None`` if not computable)."""
        return None if not self.computable or self.total is None else self.total.share_schools

    @property
    def share_students(self) -> float | None:
        """Students of meeting schools / students of functioning schools."""
        return None if not self.computable or self.total is None else self.total.share_students

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready ``indicators.json`` block (no NaN: missing values are ``None``)."""
        total = self.total
        return {
            "code": "SDG 4.a.1 (proxy)",
            "label": "Schools connectable at the threshold class (SDG 4.a.1 proxy)",
            "definition": _SCHOOL_DEFINITION,
            "method": (
                "Per-school modelled service class compared with the threshold. Only "
                "functioning schools (is_operational not False) are in the denominators; "
                "schools of class 'unknown' count as not meeting; schools with unknown "
                "enrolment count in the school share but not in the student share."
            ),
            "threshold": SERVICE_CLASS_NAMES[self.min_class],
            "computable": self.computable,
            "reason": self.reason,
            "value": _pct(self.share_schools),
            "unit": "%",
            "values": (
                None
                if total is None
                else {
                    "schools_meeting": total.schools_meeting,
                    "students_meeting": total.students_meeting,
                    "schools_unknown_class": total.schools_unknown_class,
                    "schools_students_unknown": total.schools_students_unknown,
                    "schools_not_functioning": total.schools_not_functioning,
                }
            ),
            "shares": {"schools": self.share_schools, "students": self.share_students},
            "denominators": {
                "schools_functioning": None if total is None else total.schools_functioning,
                "students_functioning": None if total is None else total.students_functioning,
                "definition": (
                    "functioning schools (is_operational not False; unknown status counts "
                    "as functioning) and their students where the enrolment is known"
                ),
            },
            "area_source": self.area_source,
            "by_area": [row.to_dict() for row in self.by_area],
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------- helpers


def _check_min_class(min_class: ServiceClass | str) -> ServiceClass:
    if isinstance(min_class, str):
        code = _CLASS_BY_NAME.get(min_class.strip().lower())
        value = ServiceClass(code) if code is not None else None
    else:
        try:
            value = ServiceClass(int(min_class))
        except (TypeError, ValueError):
            value = None
    if value not in (ServiceClass.MODERATE, ServiceClass.GOOD):
        msg = f"threshold class must be 'moderate' or 'good', got {min_class!r}"
        raise InputError(msg, field="min_class")
    return value


def _sample_classes(
    coverage: CoverageRaster, lon_deg: NDArray[np.float64], lat_deg: NDArray[np.float64]
) -> NDArray[np.uint8]:
    """Class code of the coverage pixel holding each point; :data:`_OUTSIDE` off the raster.

    Longitudes are taken modulo 360° from the raster's west edge, so a raster and points
    on either side of the antimeridian agree. Non-finite coordinates are outside.
    """
    rows, cols = coverage.shape
    lon = np.asarray(lon_deg, dtype=np.float64)
    lat = np.asarray(lat_deg, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        col = np.floor(np.mod(lon - coverage.west_deg, 360.0) / coverage.dlon_deg)
        row = np.floor((coverage.north_deg - lat) / coverage.dlat_deg)
        inside = np.isfinite(col) & np.isfinite(row)
        inside &= (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    out = np.full(lon.shape, _OUTSIDE, dtype=np.uint8)
    out[inside] = coverage.service_class[row[inside].astype(np.int64), col[inside].astype(np.int64)]
    return out


def _bucket(classes: NDArray[np.uint8]) -> NDArray[np.int64]:
    """Bucket per class code: 0 good, 1 moderate, 2 none, 3 no data, 4 outside."""
    lut = np.full(256, 3, dtype=np.int64)
    lut[ServiceClass.GOOD] = 0
    lut[ServiceClass.MODERATE] = 1
    lut[ServiceClass.NONE] = 2
    lut[_OUTSIDE] = 4
    return lut[classes]


def _counts_row(area: str, sums: NDArray[np.float64], units: int) -> PopulationCounts:
    return PopulationCounts(
        area=area,
        persons_good=float(sums[0]),
        persons_moderate=float(sums[1]),
        persons_none=float(sums[2]),
        persons_no_data=float(sums[3]),
        persons_outside=float(sums[4]),
        units=units,
    )


def _check_boundaries(boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if "area_name" not in boundaries.columns:
        msg = "boundaries need an 'area_name' column (read them with alcance.io.read_boundaries)"
        raise InputError(msg, field="area_name")
    if boundaries.crs is None:
        msg = "boundaries have no coordinate reference system (CRS)"
        raise InputError(msg, field="geometry")
    if not boundaries.crs.equals("EPSG:4326"):
        boundaries = boundaries.to_crs("EPSG:4326")
    return boundaries


def _boundary_notes(boundaries: gpd.GeoDataFrame) -> list[str]:
    geoms = boundaries.geometry
    missing = int((geoms.isna() | geoms.is_empty).sum())
    if not missing:
        return []
    return [f"{missing} of {len(boundaries)} boundary areas have no geometry and receive nothing"]


def _area_of_points(
    boundaries: gpd.GeoDataFrame, lon_deg: NDArray[np.float64], lat_deg: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Row position of the first boundary containing each point (-1 outside every one).

    A point on a shared edge goes to the first of the touching areas.
    """
    geoms = np.asarray(boundaries.geometry.array, dtype=object)
    located = np.isfinite(lon_deg) & np.isfinite(lat_deg)
    out = np.full(lon_deg.shape, -1, dtype=np.int64)
    if not located.any():
        return out
    tree = shapely.STRtree(geoms)
    points = shapely.points(lon_deg[located], lat_deg[located])
    hit_point, hit_area = tree.query(points, predicate="intersects")
    first = np.full(points.shape, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, hit_point, hit_area.astype(np.int64))
    first[first == np.iinfo(np.int64).max] = -1
    out[located] = first
    return out


def _population_rows(
    names: Sequence[str], area_idx: NDArray[np.int64], weights: NDArray[np.float64]
) -> tuple[PopulationCounts, list[PopulationCounts]]:
    """Total and by-area rows from per-unit bucket sums.

    ``area_idx`` holds a boundary position, -1 (outside every boundary) or -2 (not
    located) per unit, or is empty when no boundaries were given; ``weights`` is
    ``(units, 5)`` persons per bucket.
    """
    total = _counts_row("total", weights.sum(axis=0), int(weights.shape[0]))
    if area_idx.size == 0 and not names:
        return total, []
    n = len(names)
    slot = np.where(area_idx >= 0, area_idx, n - 1 - area_idx)  # -1 → n, -2 → n + 1
    sums = np.zeros((n + 2, 5), dtype=np.float64)
    np.add.at(sums, slot, weights)
    units = np.bincount(slot, minlength=n + 2)
    labels = [*names, OUTSIDE_BOUNDARIES, NOT_LOCATED]
    rows = [_counts_row(labels[i], sums[i], int(units[i])) for i in np.flatnonzero(units)]
    return total, rows


# --------------------------------------------------------------------------- 9.c.1


_RASTER_METHOD: Final = (
    "Each population pixel is split into k x k equal sub-cells, k per axis being the "
    "population pixel size over the coverage pixel size rounded up (1 when the coverage "
    "grid is as coarse or coarser, at most 16); each sub-cell carries 1/k^2 of the pixel's "
    "persons and takes the class of the coverage pixel holding its centre. Persons are "
    "assumed uniform inside a population pixel; with k = 1 a pixel straddling a class "
    "edge goes wholly to the class at its centre (unbiased on average, error bounded by "
    "the persons in edge pixels); with k > 1 the misassigned share of an edge pixel is "
    "below 1/k. Areas: a population pixel belongs to the boundary containing its centre."
)
_SETTLEMENT_METHOD: Final = (
    "Point settlements take the class of the coverage pixel holding the point. Polygon "
    "settlements split their population by the cos(latitude)-weighted share of coverage "
    "pixel centres inside the polygon in each class (centres beyond the raster's extent "
    "are not assessed); a polygon containing no pixel centre falls back to its "
    "representative point. Population is assumed uniform over a polygon. Areas: a "
    "settlement belongs to the boundary containing its representative point."
)


def _raster_weights(
    coverage: CoverageRaster,
    population: PopulationGrid,
    area_grid: NDArray[np.int64] | None,
    n_areas: int,
) -> tuple[NDArray[np.float64], NDArray[np.int64], int, int]:
    """Bucket sums per area slot (``n_areas + 1`` rows, the last outside), units, k."""
    persons = np.asarray(population.persons, dtype=np.float64)
    nodata = np.asarray(population.nodata, dtype=np.bool_)
    if persons.ndim != 2 or nodata.shape != persons.shape:
        msg = (
            f"population persons {persons.shape} and nodata {nodata.shape} must be "
            "2-D arrays of one shape"
        )
        raise InputError(msg, field="population")
    bad = ~nodata & ~(np.isfinite(persons) & (persons >= 0.0))
    if bad.any():
        row, col = (int(v[0]) for v in np.nonzero(bad))
        msg = f"population pixel (row {row}, col {col}) holds {persons[row, col]}, not a count >= 0"
        raise InputError(msg, field="population")
    persons = np.where(nodata, 0.0, persons)
    rows, cols = persons.shape
    t = population.transform
    a, b, c, d, e, f = (float(t.a), float(t.b), float(t.c), float(t.d), float(t.e), float(t.f))
    wkt = population.crs_wkt
    crs_from_wkt(wkt)  # clear InputError for an unusable CRS

    # Sub-sampling factor from the size in degrees of the middle pixel.
    r_mid, c_mid = rows // 2, cols // 2
    corner_c = np.array([c_mid, c_mid + 1, c_mid, c_mid + 1], dtype=np.float64)
    corner_r = np.array([r_mid, r_mid, r_mid + 1, r_mid + 1], dtype=np.float64)
    lon_c, lat_c = grid_to_lonlat(
        wkt, a * corner_c + b * corner_r + c, d * corner_c + e * corner_r + f
    )
    span_lon = float(np.ptp(np.mod(lon_c - lon_c[0] + 180.0, 360.0)))
    span_lat = float(np.ptp(lat_c))
    k_c = k_r = 1
    if math.isfinite(span_lon) and math.isfinite(span_lat):
        k_c = min(_MAX_SPLIT, max(1, math.ceil(span_lon / coverage.dlon_deg - 1e-9)))
        k_r = min(_MAX_SPLIT, max(1, math.ceil(span_lat / coverage.dlat_deg - 1e-9)))

    slot_grid = (
        np.full((rows, cols), n_areas, dtype=np.int64)
        if area_grid is None
        else np.where(area_grid >= 0, area_grid, n_areas)
    )
    sums = np.zeros((n_areas + 1, 5), dtype=np.float64)
    units = np.bincount(slot_grid[~nodata].ravel(), minlength=n_areas + 1).astype(np.int64)
    u = (np.arange(k_c, dtype=np.float64) + 0.5) / k_c
    v = (np.arange(k_r, dtype=np.float64) + 0.5) / k_r
    col_f = (np.arange(cols, dtype=np.float64)[:, None] + u[None, :])[None, None, :, :]
    step = max(1, _CHUNK_SAMPLES // max(1, cols * k_c * k_r))
    for r0 in range(0, rows, step):
        r1 = min(rows, r0 + step)
        row_f = (np.arange(r0, r1, dtype=np.float64)[:, None] + v[None, :])[:, :, None, None]
        x = a * col_f + b * row_f + c
        y = d * col_f + e * row_f + f
        lon, lat = grid_to_lonlat(wkt, x.ravel(), y.ravel())
        bucket = _bucket(_sample_classes(coverage, lon, lat)).reshape(r1 - r0, k_r, cols, k_c)
        chunk_persons = persons[r0:r1]
        chunk_slot = slot_grid[r0:r1]
        for j in range(5):
            frac = (bucket == j).mean(axis=(1, 3))
            sums[:, j] += np.bincount(
                chunk_slot.ravel(), weights=(frac * chunk_persons).ravel(), minlength=n_areas + 1
            )
    return sums, units, k_c, k_r


def _area_grid(boundaries: gpd.GeoDataFrame, population: PopulationGrid) -> NDArray[np.int64]:
    """Boundary position per population pixel (centre rule; -1 outside every boundary)."""
    rows, cols = np.shape(population.persons)
    if not is_wgs84_lonlat(population.crs_wkt):
        boundaries = boundaries.to_crs(crs_from_wkt(population.crs_wkt))
    geoms = boundaries.geometry.array
    # Later shapes overwrite earlier ones: burn in reverse so the first boundary wins,
    # as in the point join.
    shapes = [
        (geoms[i], i + 1)
        for i in range(len(geoms) - 1, -1, -1)
        if geoms[i] is not None and not geoms[i].is_empty
    ]
    if not shapes:
        return np.full((rows, cols), -1, dtype=np.int64)
    burnt = rasterize(
        shapes,
        out_shape=(rows, cols),
        transform=population.transform,
        fill=0,
        dtype="int32",
    )
    return np.asarray(burnt, dtype=np.int64) - 1


def _polygon_weights(
    coverage: CoverageRaster, geom: shapely.Geometry
) -> NDArray[np.float64] | None:
    """Area shares (5 buckets) of one polygon, or ``None`` if no pixel centre is inside."""
    west, south, east, north = (float(v) for v in geom.bounds)
    j0 = math.floor((west - coverage.west_deg) / coverage.dlon_deg)
    j1 = math.ceil((east - coverage.west_deg) / coverage.dlon_deg)
    i0 = math.floor((coverage.north_deg - north) / coverage.dlat_deg)
    i1 = math.ceil((coverage.north_deg - south) / coverage.dlat_deg)
    n_j, n_i = max(1, j1 - j0), max(1, i1 - i0)
    stride = max(1, math.ceil(math.sqrt(n_j * n_i / _MAX_POLYGON_SAMPLES)))
    lon = coverage.west_deg + (np.arange(j0, j1, stride, dtype=np.float64) + 0.5) * (
        coverage.dlon_deg
    )
    lat = coverage.north_deg - (np.arange(i0, i1, stride, dtype=np.float64) + 0.5) * (
        coverage.dlat_deg
    )
    lon_g, lat_g = np.meshgrid(lon, lat)
    inside = shapely.contains_xy(geom, lon_g, lat_g)
    if not inside.any():
        return None
    lon_in, lat_in = lon_g[inside], lat_g[inside]
    weight = np.cos(np.radians(lat_in))
    sums = np.bincount(
        _bucket(_sample_classes(coverage, lon_in, lat_in)), weights=weight, minlength=5
    )
    return np.asarray(sums / sums.sum(), dtype=np.float64)


def _settlement_weights(
    coverage: CoverageRaster, settlements: gpd.GeoDataFrame
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], dict[str, int]]:
    """Persons per bucket for each settlement with a population; their anchor points."""
    if "population" not in settlements.columns:
        msg = "settlements need a 'population' column (read them with alcance.io.read_settlements)"
        raise InputError(msg, field="population")
    if settlements.crs is None:
        msg = "settlements have no coordinate reference system (CRS)"
        raise InputError(msg, field="geometry")
    if not settlements.crs.equals("EPSG:4326"):
        settlements = settlements.to_crs("EPSG:4326")
    pop = pd.to_numeric(settlements["population"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    known = np.isfinite(pop)
    if (pop[known] < 0).any():
        i = int(np.flatnonzero(known & (pop < 0))[0])
        msg = f"population {pop[i]} must be a number >= 0"
        raise InputError(msg, row=i + 1, field="population")
    geoms = np.asarray(settlements.geometry.array, dtype=object)[known]
    pop = pop[known]
    n = pop.size
    weights = np.zeros((n, 5), dtype=np.float64)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    located = ~missing
    anchors = shapely.point_on_surface(geoms[located])
    lon[located] = shapely.get_x(anchors)
    lat[located] = shapely.get_y(anchors)
    fractions = np.zeros((n, 5), dtype=np.float64)
    fractions[missing, 4] = 1.0
    point_class = _bucket(_sample_classes(coverage, lon[located], lat[located]))
    fractions[np.flatnonzero(located), point_class] = 1.0
    kinds = shapely.get_type_id(geoms)
    polygonal = located & np.isin(kinds, [3, 6])  # Polygon, MultiPolygon
    fallback = 0
    for j in np.flatnonzero(polygonal).tolist():
        share = _polygon_weights(coverage, geoms[j])
        if share is None:
            fallback += 1
        else:
            fractions[j] = share
    weights = fractions * pop[:, None]
    counts = {
        "settlements": len(settlements),
        "settlements_with_population": n,
        "settlements_null_population": int((~known).sum()),
        "settlements_without_geometry": int(missing.sum()),
        "settlement_polygons": int(polygonal.sum()),
        "settlement_polygons_at_representative_point": fallback,
    }
    return weights, lon, lat, counts


def population_covered(
    coverage: CoverageRaster | None,
    *,
    population: PopulationGrid | None = None,
    settlements: gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    min_class: ServiceClass | str = ServiceClass.MODERATE,
) -> PopulationIndicator:
    """SDG 9.c.1: share of the population covered by a mobile network.

    Parameters
    ----------
    coverage
        Best-server coverage (``None`` gives a not-computable indicator).
    population
        Persons per pixel on its own grid and CRS (e.g. :class:`alcance.io.PopulationWindow`);
        preferred over ``settlements`` when both are given.
    settlements
        Points or polygons in any CRS with a ``population`` column (nullable; nulls are
        counted and reported, never guessed).
    boundaries
        Areas with an ``area_name`` column for the by-area table, or ``None``.
    min_class
        Threshold class, ``"moderate"`` (a usable signal, default) or ``"good"``.

    Returns
    -------
    PopulationIndicator
        Persons covered / persons assessed, totals and by area; ``computable=False``
        with a reason when there is no coverage, no population input, no settlement
        population or no person inside the coverage raster.

    Raises
    ------
    InputError
        Bad threshold, negative or non-finite population, population arrays of
        different shapes, unusable CRS, boundaries without ``area_name``.

    Notes
    -----
    Persons outside the coverage raster's extent, or on its no-data pixels, are "not
    assessed": they are reported and excluded from the denominator, not counted as
    uncovered. The raster method (sub-cell sampling) and its error are in ``method``.

    References
    ----------
    UN SDG Indicators Metadata Repository, indicator 9.c.1 (ITU).
    """
    threshold = _check_min_class(min_class)
    notes: list[str] = []
    if boundaries is not None:
        boundaries = _check_boundaries(boundaries)
        notes += _boundary_notes(boundaries)
    if coverage is None:
        return PopulationIndicator(
            computable=False,
            reason="no coverage raster given",
            min_class=threshold,
            source=None,
            method="",
            total=None,
            notes=notes,
        )
    names: list[str] = [] if boundaries is None else [str(v) for v in boundaries["area_name"]]
    if population is not None:
        if settlements is not None:
            notes.append("settlements were given too but the population raster was used")
        n = len(names)
        grid = None if boundaries is None else _area_grid(boundaries, population)
        sums, units, k_c, k_r = _raster_weights(coverage, population, grid, n)
        nodata = int(np.count_nonzero(population.nodata))
        total = _counts_row("total", sums.sum(axis=0), int(units.sum()))
        by_area: list[PopulationCounts] = []
        if boundaries is not None:
            labels = [*names, OUTSIDE_BOUNDARIES]
            by_area = [
                _counts_row(labels[i], sums[i], int(units[i]))
                for i in range(n + 1)
                if units[i] > 0 or sums[i].any()
            ]
        counts = {
            "pixels": int(np.size(population.persons)),
            "nodata_pixels": nodata,
            "split_per_pixel": k_c * k_r,
        }
        if nodata:
            notes.append(f"{nodata} population pixels have no data and are ignored")
        source, method = "population raster", _RASTER_METHOD
    elif settlements is not None:
        weights, lon, lat, counts = _settlement_weights(coverage, settlements)
        if counts["settlements_null_population"]:
            notes.append(
                f"{counts['settlements_null_population']} of {counts['settlements']} "
                "settlements have no population; they are left out, not guessed"
            )
        if counts["settlements_without_geometry"]:
            notes.append(
                f"{counts['settlements_without_geometry']} settlements have no geometry; "
                "their population is not assessed"
            )
        if counts["settlements_with_population"] == 0:
            return PopulationIndicator(
                computable=False,
                reason=(
                    f"none of the {counts['settlements']} settlements has a population "
                    "and no population raster was given"
                ),
                min_class=threshold,
                source="settlements",
                method=_SETTLEMENT_METHOD,
                total=None,
                counts=counts,
                notes=notes,
            )
        if boundaries is None:
            area_idx = np.zeros(0, dtype=np.int64)
        else:
            area_idx = _area_of_points(boundaries, lon, lat)
            area_idx[~(np.isfinite(lon) & np.isfinite(lat))] = -2
        total, by_area = _population_rows(names, area_idx, weights)
        source, method = "settlements", _SETTLEMENT_METHOD
    else:
        return PopulationIndicator(
            computable=False,
            reason="no population raster or settlement populations given",
            min_class=threshold,
            source=None,
            method="",
            total=None,
            notes=notes,
        )
    if boundaries is not None:
        notes.append(
            "areas holding no population pixel or settlement are left out of the by-area table"
        )
    computable, reason = True, None
    if total.persons_assessed <= 0:
        computable = False
        reason = "no person lies on an assessed pixel of the coverage raster"
    if total.persons_not_assessed > 0:
        notes.append(
            f"{total.persons_not_assessed:,.0f} persons lie outside the coverage raster or on "
            "pixels without a class; they are not assessed (excluded from the denominator)"
        )
    return PopulationIndicator(
        computable=computable,
        reason=reason,
        min_class=threshold,
        source=source,
        method=method,
        total=total,
        by_area=by_area,
        counts=counts,
        notes=notes,
    )


# --------------------------------------------------------------------------- 4.a.1


def _school_classes(values: pd.Series) -> NDArray[np.int64]:
    """Class code per school from names or :class:`ServiceClass` codes; NA → no data."""
    out = np.zeros(len(values), dtype=np.int64)
    for i, value in enumerate(values.to_list()):
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
            code: int | None = int(value) if int(value) in SERVICE_CLASS_NAMES else None
        else:
            code = _CLASS_BY_NAME.get(str(value).strip().lower())
        if code is None:
            msg = f"service class {value!r} is not one of good, moderate, none, unknown"
            raise InputError(msg, row=i + 1, field="service_class")
        out[i] = code
    return out


def _school_points(schools: pd.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    n = len(schools)
    if isinstance(schools, gpd.GeoDataFrame) and schools.geometry.name in schools.columns:
        geo = schools.geometry
        if geo.crs is not None and not geo.crs.equals("EPSG:4326"):
            geo = geo.to_crs("EPSG:4326")
        geoms = np.asarray(geo.array, dtype=object)
        ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        lon, lat = np.full(n, np.nan), np.full(n, np.nan)
        anchors = shapely.point_on_surface(geoms[ok])
        lon[ok], lat[ok] = shapely.get_x(anchors), shapely.get_y(anchors)
        return lon, lat
    if {"longitude_deg", "latitude_deg"} <= set(schools.columns):
        lon = pd.to_numeric(schools["longitude_deg"], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        lat = pd.to_numeric(schools["latitude_deg"], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        return lon, lat
    msg = "schools need a point geometry or latitude_deg/longitude_deg to join with boundaries"
    raise InputError(msg, field="geometry")


def schools_connectable(
    schools: pd.DataFrame,
    *,
    min_class: ServiceClass | str = "good",
    boundaries: gpd.GeoDataFrame | None = None,
) -> SchoolIndicator:
    """SDG 4.a.1 proxy: share of functioning schools (and students) meeting a class.

    Parameters
    ----------
    schools
        School table (as from :func:`alcance.io.read_schools`) with ``service_class``
        (``good``/``moderate``/``none``/``unknown``, or :class:`ServiceClass` codes;
        missing → ``unknown``); optional ``students`` (nullable), ``is_operational``
        (nullable) and ``admin_area``.
    min_class
        Threshold class, ``"good"`` (default) or ``"moderate"``.
    boundaries
        Areas with ``area_name``: schools are joined to the area containing them
        (outside every area → :data:`OUTSIDE_BOUNDARIES`). Without boundaries the
        ``admin_area`` column is used.

    Returns
    -------
    SchoolIndicator
        ``computable=False`` with a reason when there is no ``service_class`` column or
        no functioning school.

    Raises
    ------
    InputError
        Unknown class name (naming the row), bad threshold, negative enrolment,
        boundaries without ``area_name``.

    Notes
    -----
    Denominator: schools whose ``is_operational`` is not False (unknown status counts
    as functioning). Schools of class ``unknown`` are in the denominator and count as
    not meeting. Unknown enrolments are counted (``schools_students_unknown``), never
    taken as zero; the student share uses the schools with a known enrolment.

    References
    ----------
    UN SDG Indicators Metadata Repository, indicator 4.a.1 (UNESCO-UIS).
    """
    threshold = _check_min_class(min_class)
    notes: list[str] = []
    if "service_class" not in schools.columns:
        return SchoolIndicator(
            computable=False,
            reason="the school table has no service_class column",
            min_class=threshold,
            area_source=None,
            total=None,
        )
    frame = schools.reset_index(drop=True)
    n = len(frame)
    codes = _school_classes(frame["service_class"])
    meets = codes >= int(threshold)
    unknown_class = ~np.isin(codes, [ServiceClass.GOOD, ServiceClass.MODERATE, ServiceClass.NONE])

    if "is_operational" in frame.columns:
        try:
            status = frame["is_operational"].astype("boolean")
        except (TypeError, ValueError) as exc:
            msg = f"is_operational must be True/False/<NA> ({exc})"
            raise InputError(msg, field="is_operational") from exc
        functioning = status.fillna(True).to_numpy(dtype=bool)
        n_status_unknown = int(pd.isna(status).sum())
        if n_status_unknown:
            notes.append(
                f"{n_status_unknown} schools have an unknown operational status and "
                "count as functioning"
            )
    else:
        functioning = np.ones(n, dtype=bool)
        notes.append("no is_operational column: every school counts as functioning")
    if "students" in frame.columns:
        students = pd.to_numeric(frame["students"], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        if (students[np.isfinite(students)] < 0).any():
            i = int(np.flatnonzero(students < 0)[0])
            msg = f"students {students[i]:g} must be >= 0"
            raise InputError(msg, row=i + 1, field="students")
    else:
        students = np.full(n, np.nan)
        notes.append("no students column: every enrolment is unknown")
    known_students = np.isfinite(students)
    students0 = np.where(known_students, students, 0.0)

    if boundaries is not None:
        boundaries = _check_boundaries(boundaries)
        notes += _boundary_notes(boundaries)
        lon, lat = _school_points(frame)
        idx = _area_of_points(boundaries, lon, lat)
        names = [str(v) for v in boundaries["area_name"]]
        located = np.isfinite(lon) & np.isfinite(lat)
        area = np.array(
            [
                names[i] if i >= 0 else (OUTSIDE_BOUNDARIES if ok else NOT_LOCATED)
                for i, ok in zip(idx.tolist(), located.tolist(), strict=True)
            ],
            dtype=object,
        )
        order = [*dict.fromkeys(names[i] for i in sorted(set(idx.tolist())) if i >= 0)]
        area_source: str | None = "boundaries"
    elif "admin_area" in frame.columns:
        raw = frame["admin_area"]
        area = np.array(
            [NO_AREA if pd.isna(v) or not str(v).strip() else str(v).strip() for v in raw],
            dtype=object,
        )
        order = sorted({str(v) for v in area} - {NO_AREA})
        area_source = "admin_area column"
    else:
        area = np.full(n, NO_AREA, dtype=object)
        order = []
        area_source = None
        notes.append("no boundaries and no admin_area column: no by-area table")

    def _row(name: str, mask: NDArray[np.bool_]) -> SchoolCounts:
        fun = mask & functioning
        return SchoolCounts(
            area=name,
            schools_listed=int(mask.sum()),
            schools_not_functioning=int((mask & ~functioning).sum()),
            schools_functioning=int(fun.sum()),
            schools_meeting=int((fun & meets).sum()),
            schools_unknown_class=int((fun & unknown_class).sum()),
            students_functioning=int(students0[fun].sum()),
            students_meeting=int(students0[fun & meets].sum()),
            schools_students_unknown=int((fun & ~known_students).sum()),
        )

    total = _row("total", np.ones(n, dtype=bool))
    by_area: list[SchoolCounts] = []
    if area_source is not None:
        for name in [*order, OUTSIDE_BOUNDARIES, NOT_LOCATED, NO_AREA]:
            mask = area == name
            if mask.any():
                by_area.append(_row(name, mask))
    if total.schools_not_functioning:
        notes.append(
            f"{total.schools_not_functioning} schools are not functioning "
            "(is_operational False) and are left out of the denominators"
        )
    if total.schools_students_unknown:
        notes.append(
            f"{total.schools_students_unknown} functioning schools have an unknown "
            "enrolment: counted as schools, not in the student totals"
        )
    if total.schools_unknown_class:
        notes.append(
            f"{total.schools_unknown_class} functioning schools have service class "
            "'unknown' and count as not meeting the threshold"
        )
    computable, reason = True, None
    if total.schools_functioning == 0:
        computable, reason = False, "no functioning school in the table"
    return SchoolIndicator(
        computable=computable,
        reason=reason,
        min_class=threshold,
        area_source=area_source,
        total=total,
        by_area=by_area,
        notes=notes,
    )


# --------------------------------------------------------------------------- document


def indicators_document(
    *,
    population: PopulationIndicator | None = None,
    schools: SchoolIndicator | None = None,
    service: ServiceSettings | None = None,
) -> dict[str, Any]:
    """The JSON-ready content of ``indicators.json``.

    Parameters
    ----------
    population, schools
        Indicators to include (``None`` leaves a not-computable entry saying so).
    service
        The scenario's service settings, recorded as the Mbit/s behind the classes.

    Returns
    -------
    dict
        ``{"indicators": {"sdg_9c1_population_covered": {...},
        "sdg_4a1_schools_connectable": {...}}, "service_classes_mbps": {...} | None}``;
        every float is finite or ``None`` (``json.dumps(..., allow_nan=False)`` works).
    """
    pop = (
        population.to_dict()
        if population is not None
        else {
            "code": "SDG 9.c.1",
            "label": "Population covered by a mobile network (SDG 9.c.1)",
            "computable": False,
            "reason": "not computed in this run",
            "value": None,
        }
    )
    sch = (
        schools.to_dict()
        if schools is not None
        else {
            "code": "SDG 4.a.1 (proxy)",
            "label": "Schools connectable at the threshold class (SDG 4.a.1 proxy)",
            "computable": False,
            "reason": "not computed in this run",
            "value": None,
        }
    )
    classes = (
        None
        if service is None
        else {
            "good_min_mbps": _num(float(service.good_mbps)),
            "moderate_min_mbps": _num(float(service.moderate_mbps)),
        }
    )
    return {
        "indicators": {
            "sdg_9c1_population_covered": pop,
            "sdg_4a1_schools_connectable": sch,
        },
        "service_classes_mbps": classes,
    }
