"""What a region holds: schools, students, terrain relief, the existing network.

Pure computation on tables and arrays already read by :mod:`alcance.io` (no I/O).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "CoverageSummary",
    "OffTerrainTower",
    "RegionSummary",
    "SatelliteSummary",
    "SchoolSummary",
    "TerrainSummary",
    "TowerSummary",
    "summarize_schools",
    "summarize_terrain",
    "summarize_towers",
]

#: What Alcance does with a tower that has no terrain under it.
OFF_TERRAIN_ACTION = (
    "kept in the register and reported; left out of terrain-based coverage "
    "(no elevation under it) until a DEM covering it is added"
)


@dataclass(frozen=True, slots=True)
class SchoolSummary:
    """Counts over the school table."""

    n_schools: int
    n_operational: int | None
    n_operational_unknown: int
    students_total: int | None
    students_operational: int | None
    n_students_unknown: int
    n_rural: int
    n_rural_known: int
    rural_share: float | None
    n_off_terrain: int
    by_admin_area: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TerrainSummary:
    """Extent and relief of the terrain window."""

    west_deg: float
    south_deg: float
    east_deg: float
    north_deg: float
    width_km: float
    height_km: float
    resolution_m: float
    elevation_min_m: float
    elevation_max_m: float
    elevation_mean_m: float
    elevation_p05_m: float
    elevation_p95_m: float
    void_fraction: float
    school_elevation_min_m: float | None = None
    school_elevation_max_m: float | None = None


@dataclass(frozen=True, slots=True)
class OffTerrainTower:
    """A tower row that the terrain does not cover."""

    source_row: int
    cell_id: str
    site_id: str
    operator: str
    technology: str
    latitude_deg: float
    longitude_deg: float
    action: str = OFF_TERRAIN_ACTION


@dataclass(frozen=True, slots=True)
class TowerSummary:
    """The existing network by operator and technology."""

    layout: str
    n_rows: int
    n_cells: int
    n_sites: int
    n_sites_on_terrain: int
    n_sites_without_height: int
    sites_by_operator_technology: dict[str, dict[str, int]]
    cells_by_technology: dict[str, int]
    off_terrain: list[OffTerrainTower]


@dataclass(frozen=True, slots=True)
class SatelliteSummary:
    """Line of sight from each school to one GEO satellite over the terrain."""

    geo_longitude_deg: float
    min_elevation_deg: float
    terminal_height_m: float
    counts: dict[str, int]
    blocked_school_ids: list[str]
    elevation_min_deg: float | None
    elevation_max_deg: float | None
    availability_pct: float | None = None
    forward_mbps_min: float | None = None
    forward_mbps_max: float | None = None


@dataclass(frozen=True, slots=True)
class CoverageSummary:
    """Today's coverage of the schools by existing towers."""

    model: str
    greenfield: bool
    cells_evaluated: int
    cells_not_evaluated: int
    schools_by_class: dict[str, int]
    students_by_class: dict[str, int]
    schools_by_technology: dict[str, int]
    good_mbps: float
    moderate_mbps: float
    raster_pixels: int | None = None
    raster_resolution_m: float | None = None
    area_share_by_class: dict[str, float] | None = None


@dataclass(frozen=True, slots=True)
class RegionSummary:
    """The region at a glance (what the main job prints today)."""

    name: str
    schools: SchoolSummary
    terrain: TerrainSummary | None
    towers: TowerSummary | None
    notes: list[str]
    satellite: SatelliteSummary | None = None
    coverage: CoverageSummary | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (NaN → ``None``)."""
        data: dict[str, Any] = _clean(asdict(self))
        return data


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def summarize_schools(schools: pd.DataFrame) -> SchoolSummary:
    """Count schools, students and the rural share.

    Students and the rural share are over operational schools when the table says
    which are operational (closed schools have no one to connect), else over all.
    """
    n = len(schools)
    operational = schools["is_operational"].astype("boolean")
    known_op = operational.notna()
    n_operational = int(operational.fillna(False).sum()) if bool(known_op.any()) else None
    active = (
        operational.fillna(True).to_numpy(dtype=bool)
        if n_operational is not None
        else np.ones(n, dtype=bool)
    )
    students = schools["students"].astype("Int64")
    n_students_unknown = int(students[active].isna().sum())
    students_total = int(students.sum()) if bool(students.notna().any()) else None
    students_operational = (
        int(students[active].sum()) if bool(students[active].notna().any()) else None
    )
    rural = schools["rural"].astype("boolean")[active]
    n_rural_known = int(rural.notna().sum())
    n_rural = int(rural.fillna(False).sum())
    on_terrain = (
        schools["on_terrain"].to_numpy(dtype=bool)
        if "on_terrain" in schools
        else np.ones(n, dtype=bool)
    )
    areas = schools["admin_area"].astype("string").fillna("(unknown)")[active]
    by_area = {str(k): int(v) for k, v in areas.value_counts().sort_index().items()}
    return SchoolSummary(
        n_schools=n,
        n_operational=n_operational,
        n_operational_unknown=int((~known_op).sum()),
        students_total=students_total,
        students_operational=students_operational,
        n_students_unknown=n_students_unknown,
        n_rural=n_rural,
        n_rural_known=n_rural_known,
        rural_share=(n_rural / n_rural_known) if n_rural_known else None,
        n_off_terrain=int((~on_terrain).sum()),
        by_admin_area=by_area,
    )


def summarize_terrain(
    *,
    elevation_m: NDArray[np.floating[Any]],
    void: NDArray[np.bool_],
    bounds_deg: tuple[float, float, float, float],
    resolution_m: float,
    school_elevation_m: NDArray[np.floating[Any]] | None = None,
) -> TerrainSummary:
    """Extent (km, on the mean latitude) and relief statistics of a terrain window.

    ``void`` pixels are excluded from the statistics (filled values are estimates).
    """
    west, south, east, north = bounds_deg
    mid_lat_rad = math.radians(0.5 * (south + north))
    # Metres per degree on the WGS 84 ellipsoid (meridian and parallel arcs).
    m_per_deg_lat = (
        111_132.954 - 559.822 * math.cos(2 * mid_lat_rad) + 1.175 * math.cos(4 * mid_lat_rad)
    )
    m_per_deg_lon = 111_412.84 * math.cos(mid_lat_rad) - 93.5 * math.cos(3 * mid_lat_rad)
    valid = elevation_m[~void & np.isfinite(elevation_m)]
    if valid.size == 0:
        stats = (math.nan,) * 5
    else:
        p05, p95 = np.percentile(valid, [5, 95])
        stats = (
            float(valid.min()),
            float(valid.max()),
            float(valid.mean()),
            float(p05),
            float(p95),
        )
    school_min = school_max = None
    if school_elevation_m is not None:
        finite = school_elevation_m[np.isfinite(school_elevation_m)]
        if finite.size:
            school_min, school_max = float(finite.min()), float(finite.max())
    return TerrainSummary(
        west_deg=west,
        south_deg=south,
        east_deg=east,
        north_deg=north,
        width_km=(east - west) * m_per_deg_lon / 1000.0,
        height_km=(north - south) * m_per_deg_lat / 1000.0,
        resolution_m=resolution_m,
        elevation_min_m=stats[0],
        elevation_max_m=stats[1],
        elevation_mean_m=stats[2],
        elevation_p05_m=stats[3],
        elevation_p95_m=stats[4],
        void_fraction=float(void.mean()) if void.size else 0.0,
        school_elevation_min_m=school_min,
        school_elevation_max_m=school_max,
    )


def summarize_towers(
    cells: pd.DataFrame, sites: pd.DataFrame, *, layout: str, n_rows: int
) -> TowerSummary:
    """Sites per operator and technology, and every source row off the terrain."""
    by_op_tech: dict[str, dict[str, int]] = {}
    cell_ops = cells.assign(operator=cells["operator"].astype("string").fillna("(unknown)"))
    for (operator, technology), group in cell_ops.groupby(["operator", "technology"], sort=True):
        by_op_tech.setdefault(str(operator), {})[str(technology)] = int(group["site_id"].nunique())
    cells_by_tech = {
        str(k): int(v) for k, v in cells["technology"].value_counts().sort_index().items()
    }
    on = (
        cells["on_terrain"].to_numpy(dtype=bool)
        if "on_terrain" in cells
        else np.ones(len(cells), dtype=bool)
    )
    off_rows: dict[int, OffTerrainTower] = {}
    for _, row in cells.loc[~on].iterrows():
        src = int(row["source_row"])
        if src in off_rows:
            continue
        off_rows[src] = OffTerrainTower(
            source_row=src,
            cell_id=str(row["cell_id"]),
            site_id=str(row["site_id"]),
            operator="" if pd.isna(row["operator"]) else str(row["operator"]),
            technology=str(row["technology"]),
            latitude_deg=float(row["latitude_deg"]),
            longitude_deg=float(row["longitude_deg"]),
        )
    site_on = (
        sites["on_terrain"].to_numpy(dtype=bool)
        if "on_terrain" in sites
        else np.ones(len(sites), dtype=bool)
    )
    return TowerSummary(
        layout=layout,
        n_rows=n_rows,
        n_cells=len(cells),
        n_sites=len(sites),
        n_sites_on_terrain=int(site_on.sum()),
        n_sites_without_height=int(np.isnan(sites["height_m"].to_numpy(dtype=float)).sum()),
        sites_by_operator_technology=by_op_tech,
        cells_by_technology=cells_by_tech,
        off_terrain=[off_rows[k] for k in sorted(off_rows)],
    )
