"""The main job's stages, joining the readers to the pure computations.

Each stage reports progress through a callback so any face (CLI, service, Dask) can
show it. Later issues add coverage, backhaul, satellite capacity and planning stages.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from alcance.backhaul.candidates import candidate_cells
from alcance.coverage import SERVICE_CLASS_NAMES, CoverageRaster
from alcance.coverage.area import coverage_raster
from alcance.coverage.cells import resolve_cells
from alcance.coverage.links import evaluate_links, school_service
from alcance.demand import school_demand_mbps
from alcance.indicators import indicators_document, population_covered, schools_connectable
from alcance.io import (
    Region,
    atomic_path,
    read_region,
    read_scenario,
    write_cog,
    write_geopackage_layers,
    write_json,
)
from alcance.io.region import demo_scenario_path
from alcance.plan_outputs import plan_csv, plan_report, plan_totals, schools_after_plan
from alcance.planner import PlanResult, plan_layers, plan_region
from alcance.propagation.freespace import free_space_loss_db
from alcance.report import render_report
from alcance.satellite import geo_look_angles
from alcance.satellite import link_budget as sat_lb
from alcance.satellite.modcod import DVB_S2_MODCODS, best_modcod
from alcance.satellite.service import satellite_service
from alcance.satellite.visibility import (
    GEO_STATUSES,
    classify_geo_line_of_sight,
    unseen_terrain_bound_deg,
)
from alcance.scenario import SatelliteSettings, Scenario
from alcance.summary import (
    CoverageSummary,
    RegionSummary,
    SatelliteSummary,
    TerrainSummary,
    summarize_schools,
    summarize_terrain,
    summarize_towers,
)
from alcance.terrain import TerrainGrid, default_spacing_m, horizon_elevation_deg, sample_points

__all__ = [
    "STAGES",
    "JobResult",
    "geo_line_of_sight",
    "load_scenario",
    "read_terrain_window",
    "run_main_job",
    "summarize_region",
    "today_coverage",
]

#: Stage names in order, as shown by progress bars.
STAGES: tuple[str, ...] = (
    "read inputs",
    "read terrain",
    "summarise",
    "coverage of schools",
    "coverage of the area",
    "satellite",
    "candidate sites",
    "backhaul",
    "plan",
    "budget sweep",
    "indicators",
    "write outputs",
)

#: DEMs up to this many pixels are read whole; larger ones around the inputs only.
WHOLE_DEM_PIXELS = 50_000_000

#: Smallest margin around the schools and towers when reading terrain, degrees.
TERRAIN_MARGIN_DEG = 0.02

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class JobResult:
    """What the main job produced."""

    summary: RegionSummary
    schools: gpd.GeoDataFrame
    outputs: dict[str, Path]
    plan: dict[str, Any] | None = None
    """Headline figures of the plan (:func:`alcance.plan_outputs.plan_totals`)."""


def load_scenario(path: str | Path | None) -> Scenario:
    """The scenario at ``path``, or the built-in demo's when ``path`` is ``None``."""
    return read_scenario(demo_scenario_path() if path is None else path)


def read_terrain_window(region: Region) -> TerrainGrid | None:
    """The terrain the job needs: the whole DEM when small, else the inputs plus margins.

    The margin covers the satellite horizon search distance around every school.
    """
    if region.dem is None:
        return None
    west, south, east, north = region.dem.bounds_deg
    rows, cols = region.dem.shape
    if rows * cols <= WHOLE_DEM_PIXELS:
        return region.dem.read(west, south, east, north)
    on = region.schools["on_terrain"].to_numpy(dtype=bool)
    lons = [region.schools["longitude_deg"].to_numpy(dtype=float)[on]]
    lats = [region.schools["latitude_deg"].to_numpy(dtype=float)[on]]
    if region.towers is not None:
        site_on = region.towers.sites["on_terrain"].to_numpy(dtype=bool)
        lons.append(region.towers.sites["longitude_deg"].to_numpy(dtype=float)[site_on])
        lats.append(region.towers.sites["latitude_deg"].to_numpy(dtype=float)[site_on])
    lon = np.concatenate(lons)
    lat = np.concatenate(lats)
    if lon.size == 0:
        return region.dem.read(west, south, east, north)
    reach_m = region.scenario.satellite.horizon_distance_m
    max_abs_lat = min(89.0, float(np.max(np.abs(lat))))
    margin_lat = max(TERRAIN_MARGIN_DEG, reach_m / 110_574.0)
    margin_lon = max(
        TERRAIN_MARGIN_DEG, reach_m / (111_320.0 * math.cos(math.radians(max_abs_lat)))
    )
    return region.dem.read(
        max(west, float(lon.min()) - margin_lon),
        max(south, float(lat.min()) - margin_lat),
        min(east, float(lon.max()) + margin_lon),
        min(north, float(lat.max()) + margin_lat),
    )


def summarize_region(
    region: Region, *, grid: TerrainGrid | None = None, progress: Progress | None = None
) -> RegionSummary:
    """Summarise a region (reads the terrain window itself when ``grid`` is not given)."""
    step = progress or (lambda _stage: None)
    if grid is None:
        grid = read_terrain_window(region)
        step("read terrain")
    terrain: TerrainSummary | None = None
    if grid is not None:
        on_terrain = region.schools["on_terrain"].to_numpy(dtype=bool)
        school_z = sample_points(
            grid,
            lon_deg=region.schools["longitude_deg"].to_numpy(dtype=float)[on_terrain],
            lat_deg=region.schools["latitude_deg"].to_numpy(dtype=float)[on_terrain],
        ).elevation_m
        terrain = summarize_terrain(
            elevation_m=grid.elevation_m,
            void=grid.void,
            bounds_deg=grid.bounds if grid.is_geographic else region.dem.bounds_deg,  # type: ignore[union-attr]
            resolution_m=default_spacing_m(grid),
            school_elevation_m=school_z,
        )
    schools = summarize_schools(region.schools)
    towers = None
    if region.towers is not None:
        towers = summarize_towers(
            region.towers.cells,
            region.towers.sites,
            layout=region.towers.layout,
            n_rows=region.inputs["towers"].n_rows,
        )
    step("summarise")
    return RegionSummary(
        name=region.name, schools=schools, terrain=terrain, towers=towers, notes=list(region.notes)
    )


def geo_line_of_sight(
    region: Region, grid: TerrainGrid | None
) -> tuple[pd.DataFrame, SatelliteSummary]:
    """Per school: GEO look angles, the terrain horizon toward the satellite, the class.

    Returns a table (one row per school, in the school table's order) with
    ``geo_azimuth_deg, geo_elevation_deg, geo_slant_range_km, geo_horizon_deg,
    geo_clearance_deg, geo_status`` and the summary counts.
    """
    settings = region.scenario.satellite
    schools = region.schools
    lon = schools["longitude_deg"].to_numpy(dtype=float)
    lat = schools["latitude_deg"].to_numpy(dtype=float)
    n = len(schools)
    on = schools["on_terrain"].to_numpy(dtype=bool) if grid is not None else np.zeros(n, dtype=bool)
    ground_m = np.zeros(n)
    horizon = np.full(n, np.nan)
    complete = np.zeros(n, dtype=bool)
    bound = np.full(n, np.nan)
    if grid is not None and on.any():
        ground_m[on] = sample_points(grid, lon_deg=lon[on], lat_deg=lat[on]).elevation_m
    look = geo_look_angles(
        lon_deg=lon,
        lat_deg=lat,
        height_m=np.nan_to_num(ground_m) + settings.terminal_height_m,
        sat_lon_deg=settings.geo_longitude_deg,
    )
    if grid is not None and on.any():
        result = horizon_elevation_deg(
            grid,
            lon_deg=lon[on],
            lat_deg=lat[on],
            antenna_height_m=settings.terminal_height_m,
            azimuth_deg=np.asarray(look.azimuth_deg)[on],
            max_distance_m=settings.horizon_distance_m,
        )
        horizon[on] = result.elevation_deg
        complete[on] = (result.outside_points == 0) & (result.void_points == 0)
        # The ray samples n equal steps; off-grid samples are its last ones (a ray
        # leaving a rectangle does not come back); a NaN void may be anywhere.
        reach = settings.horizon_distance_m
        step = reach / max(1, math.ceil(reach / default_spacing_m(grid) - 1e-9))
        seen_m = np.where(result.void_points > 0, step, reach - result.outside_points * step)
        bound[on] = unseen_terrain_bound_deg(
            site_height_amsl_m=ground_m[on] + settings.terminal_height_m,
            unseen_distance_m=np.maximum(seen_m, step),
        )
    elevation = np.asarray(look.elevation_deg, dtype=float)
    status = classify_geo_line_of_sight(
        satellite_elevation_deg=elevation,
        horizon_elevation_deg=horizon,
        min_elevation_deg=settings.min_elevation_deg,
        horizon_complete=complete,
        on_terrain=on,
        unseen_bound_deg=bound,
    )
    forward = geo_forward_link(
        lat_deg=lat,
        lon_deg=lon,
        site_height_m=np.nan_to_num(ground_m),
        elevation_deg=elevation,
        slant_range_m=np.asarray(look.slant_range_m, dtype=float),
        settings=settings,
    )
    usable = np.isin(status, ["clear", "unverified"])
    forward["geo_forward_mbps"] = np.where(usable, forward["geo_forward_mbps"], 0.0)
    table = pd.DataFrame(
        {
            "geo_azimuth_deg": np.asarray(look.azimuth_deg, dtype=float),
            "geo_elevation_deg": elevation,
            "geo_slant_range_km": np.asarray(look.slant_range_m, dtype=float) / 1000.0,
            "geo_horizon_deg": horizon,
            "geo_clearance_deg": elevation - horizon,
            "geo_status": status.astype(str),
            "geo_site_ground_m": np.where(on, ground_m, np.nan),
            **forward,
        },
        index=schools.index,
    )
    counts = {name: int((status == name).sum()) for name in GEO_STATUSES}
    summary = SatelliteSummary(
        geo_longitude_deg=settings.geo_longitude_deg,
        min_elevation_deg=settings.min_elevation_deg,
        terminal_height_m=settings.terminal_height_m,
        counts=counts,
        blocked_school_ids=[str(s) for s in schools["school_id"].to_numpy()[status == "blocked"]],
        elevation_min_deg=float(elevation.min()) if n else None,
        elevation_max_deg=float(elevation.max()) if n else None,
        availability_pct=settings.availability_pct,
        forward_mbps_min=float(forward["geo_forward_mbps"][usable].min()) if usable.any() else None,
        forward_mbps_max=float(forward["geo_forward_mbps"][usable].max()) if usable.any() else None,
    )
    return table, summary


def geo_forward_link(
    *,
    lat_deg: np.ndarray,
    lon_deg: np.ndarray,
    site_height_m: np.ndarray,
    elevation_deg: np.ndarray,
    slant_range_m: np.ndarray,
    settings: SatelliteSettings,
) -> dict[str, np.ndarray]:
    """Forward-link budget per school at the scenario's availability (pure composition).

    Free space (P.525) over the slant range, atmospheric attenuation exceeded for
    ``100 − availability`` % of the year (P.618 through ``itur``), terminal G/T from the
    dish and LNB, C/N0 → downlink Es/N0, combined with the scenario's C/(N+I) of uplink,
    intermodulation and interference → the best DVB-S2 MODCOD with the implementation
    margin → carrier Mbit/s (shared by the terminals on the carrier: capacity and
    contention are applied by the planning stage). Schools with the satellite below 5° (outside P.618's range) get
    NaN and 0 Mbit/s.
    """
    from alcance.satellite.atmosphere import earth_space_attenuation

    n = lat_deg.size
    atmos = np.full(n, np.nan)
    ok = elevation_deg >= 5.0
    if ok.any():
        atmos[ok] = earth_space_attenuation(
            lat_deg=lat_deg[ok],
            lon_deg=lon_deg[ok],
            freq_ghz=settings.downlink_freq_ghz,
            elevation_deg=elevation_deg[ok],
            unavailability_pct=100.0 - settings.availability_pct,
            antenna_diameter_m=settings.dish_diameter_m,
            antenna_efficiency=settings.dish_efficiency,
            site_height_m=np.clip(site_height_m[ok], -500.0, 9000.0),
        ).total_db
    fsl = np.asarray(
        free_space_loss_db(distance_m=slant_range_m, freq_mhz=settings.downlink_freq_ghz * 1000.0),
        dtype=float,
    )
    gain = sat_lb.dish_gain_dbi(
        diameter_m=settings.dish_diameter_m,
        freq_ghz=settings.downlink_freq_ghz,
        efficiency=settings.dish_efficiency,
    )
    t_sys = sat_lb.system_noise_temperature_k(
        antenna_noise_temperature_k=settings.antenna_noise_temperature_k,
        lnb_noise_figure_db=settings.lnb_noise_figure_db,
    )
    g_t = float(sat_lb.g_over_t_db_per_k(gain_dbi=gain, system_noise_temperature_k=t_sys))
    es_n0 = np.full(n, np.nan)
    mbps = np.zeros(n)
    modcod = np.full(n, "", dtype=object)
    if ok.any():
        c_n0 = np.asarray(
            sat_lb.c_over_n0_dbhz(
                eirp_dbw=settings.satellite_eirp_dbw,
                g_over_t_db_per_k=g_t,
                free_space_loss_db=fsl[ok],
                atmospheric_loss_db=atmos[ok],
            ),
            dtype=float,
        )
        downlink = np.asarray(
            sat_lb.es_over_n0_db(c_over_n0_dbhz=c_n0, symbol_rate_mbaud=settings.symbol_rate_mbaud)
        )
        es_n0[ok] = np.asarray(
            sat_lb.combine_cn_db(downlink, np.full(downlink.shape, settings.interference_cn_db))
        )
        mbps[ok] = np.asarray(
            sat_lb.throughput_mbps(
                es_over_n0_db=es_n0[ok],
                symbol_rate_mbaud=settings.symbol_rate_mbaud,
                implementation_margin_db=settings.implementation_margin_db,
            ),
            dtype=float,
        )
        index = np.asarray(
            best_modcod(
                es_over_n0_db=es_n0[ok], implementation_margin_db=settings.implementation_margin_db
            )
        )
        modcod[ok] = [DVB_S2_MODCODS[i].name if i >= 0 else "none" for i in index]
    return {
        "geo_atmospheric_loss_db": atmos,
        "geo_es_n0_db": es_n0,
        "geo_modcod": modcod.astype(str),
        "geo_forward_mbps": mbps,
    }


@dataclass(frozen=True, slots=True, eq=False)
class CoverageResult:
    """Today's coverage: per-school service, evaluated links, the area raster."""

    schools: pd.DataFrame
    links: gpd.GeoDataFrame
    raster: CoverageRaster | None
    summary: CoverageSummary
    notes: list[str]
    cells: pd.DataFrame | None = None


def _empty_service(n: int, on_terrain: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "service_class": np.where(on_terrain, "none", "unknown"),
            "downlink_mbps": np.where(on_terrain, 0.0, np.nan),
            "uplink_mbps": np.where(on_terrain, 0.0, np.nan),
            "rsrp_dbm": np.full(n, np.nan),
            "rx_power_dbm": np.full(n, np.nan),
            "sinr_db": np.full(n, np.nan),
            "uplink_snr_db": np.full(n, np.nan),
            "coverage_probability_pct": np.where(on_terrain, 0.0, np.nan),
            "good_probability_pct": np.where(on_terrain, 0.0, np.nan),
            "best_cell_id": np.full(n, ""),
            "best_site_id": np.full(n, ""),
            "best_technology": np.full(n, ""),
            "best_freq_mhz": np.full(n, np.nan),
            "best_distance_km": np.full(n, np.nan),
            "path_loss_db": np.full(n, np.nan),
            "cells_in_reach": np.zeros(n, dtype=np.int64),
            "schools_on_cell": np.zeros(n, dtype=np.int64),
        }
    )


def today_coverage(
    region: Region,
    grid: TerrainGrid | None,
    *,
    area: bool = True,
    progress: Progress | None = None,
) -> CoverageResult:
    """Which schools (and pixels) today's towers reach, over the terrain.

    Without a tower file the region is greenfield: every school on the terrain is
    class ``none`` and the notes say so. Without terrain nothing is predicted (class
    ``unknown``): distance rules are not a substitute for a terrain profile.
    """
    step = progress or (lambda _stage: None)
    scenario = region.scenario
    schools = region.schools
    n = len(schools)
    on = schools["on_terrain"].to_numpy(dtype=bool) if grid is not None else np.zeros(n, bool)
    notes: list[str] = []
    empty_links = gpd.GeoDataFrame(
        {"cell_id": pd.Series(dtype=str), "school_id": pd.Series(dtype=str)},
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
    )
    raster: CoverageRaster | None = None
    cells: pd.DataFrame | None = None
    cells_ok = cells_off = 0
    greenfield = region.towers is None
    if grid is None:
        notes.append(
            "no terrain (DEM) given: coverage by existing towers is not predicted; "
            "every school's class is 'unknown'"
        )
        service = _empty_service(n, on)
        links = empty_links
        step("coverage of schools")
    elif region.towers is None:
        notes.append("greenfield: every school on the terrain is class 'none' today")
        service = _empty_service(n, on)
        links = empty_links
        step("coverage of schools")
    else:
        cells, cell_notes = resolve_cells(
            region.towers.cells,
            region.towers.sites,
            radio=scenario.radio,
            tower_height_m=scenario.defaults.tower_height_m,
        )
        notes.extend(cell_notes)
        cells_ok = int(cells["evaluated"].sum())
        cells_off = len(cells) - cells_ok
        lon = schools["longitude_deg"].to_numpy(dtype=float)
        lat = schools["latitude_deg"].to_numpy(dtype=float)
        link_table, losses = evaluate_links(
            grid,
            cells=cells,
            school_lon_deg=lon,
            school_lat_deg=lat,
            school_on_terrain=on,
            radio=scenario.radio,
            cpe_height_m=scenario.defaults.school_antenna_height_m,
            spacing_m=scenario.terrain.profile_spacing_m,
        )
        service = school_service(
            link_table,
            losses,
            cells=cells,
            n_schools=n,
            school_on_terrain=on,
            radio=scenario.radio,
            service=scenario.service,
        )
        incomplete = int(link_table["incomplete_profile"].sum())
        if incomplete:
            notes.append(
                f"{incomplete} tower-school link(s) cross terrain outside the DEM or on voids "
                "and were not evaluated"
            )
        ci = link_table["cell_index"].to_numpy(dtype=np.int64)
        si = link_table["school_index"].to_numpy(dtype=np.int64)
        from shapely import linestrings

        coords = np.stack(
            [
                np.column_stack([cells["longitude_deg"].to_numpy(dtype=float)[ci], lon[si]]),
                np.column_stack([cells["latitude_deg"].to_numpy(dtype=float)[ci], lat[si]]),
            ],
            axis=-1,
        )
        links = gpd.GeoDataFrame(
            {
                "cell_id": cells["cell_id"].astype(str).to_numpy()[ci],
                "site_id": cells["site_id"].astype(str).to_numpy()[ci],
                "technology": cells["technology_used"].astype(str).to_numpy()[ci],
                "freq_mhz": cells["freq_used_mhz"].to_numpy(dtype=float)[ci],
                "school_id": schools["school_id"].astype(str).to_numpy()[si],
                "distance_km": link_table["distance_m"].to_numpy() / 1000.0,
                "azimuth_deg": link_table["azimuth_deg"].to_numpy(),
                "path_loss_db": link_table["loss_db"].to_numpy(),
                "tx_gain_dbi": link_table["tx_gain_dbi"].to_numpy(),
                "rx_power_dbm": link_table["rx_power_dbm"].to_numpy(),
                "itm_mode": link_table["itm_mode"].to_numpy(),
                "itm_warnings": link_table["itm_warnings"].to_numpy(),
            },
            geometry=linestrings(coords) if len(ci) else gpd.GeoSeries([]),
            crs="EPSG:4326",
        )
        step("coverage of schools")
        if area:
            raster = coverage_raster(
                grid,
                cells=cells,
                radio=scenario.radio,
                service=scenario.service,
                cpe_height_m=scenario.defaults.school_antenna_height_m,
            )
            notes.extend(raster.notes)
    if raster is None and area and grid is not None:
        raster = coverage_raster(
            grid,
            cells=None,
            radio=scenario.radio,
            service=scenario.service,
            cpe_height_m=scenario.defaults.school_antenna_height_m,
        )
    step("coverage of the area")
    service.index = schools.index
    classes = ["good", "moderate", "none", "unknown"]
    students = pd.to_numeric(schools["students"], errors="coerce")
    by_tech = service.loc[service["best_technology"] != "", "best_technology"].value_counts()
    area_share: dict[str, float] | None = None
    pixels = resolution = None
    if raster is not None:
        codes = raster.service_class
        valid = codes > 0
        pixels = int(valid.sum())
        resolution = raster.dlat_deg * 111_320.0
        if pixels:
            area_share = {
                SERVICE_CLASS_NAMES[c]: float((codes == c).sum() / pixels) for c in (3, 2, 1)
            }
    summary = CoverageSummary(
        model=scenario.radio.path_loss_model,
        greenfield=greenfield,
        cells_evaluated=cells_ok,
        cells_not_evaluated=cells_off,
        schools_by_class={c: int((service["service_class"] == c).sum()) for c in classes},
        students_by_class={
            c: int(students[(service["service_class"] == c).to_numpy()].sum(skipna=True))
            for c in classes
        },
        schools_by_technology={str(k): int(v) for k, v in by_tech.items()},
        good_mbps=scenario.service.good_mbps,
        moderate_mbps=scenario.service.moderate_mbps,
        raster_pixels=pixels,
        raster_resolution_m=resolution,
        area_share_by_class=area_share,
    )
    return CoverageResult(
        schools=service, links=links, raster=raster, summary=summary, notes=notes, cells=cells
    )


def coverage_after_plan(
    region: Region, grid: TerrainGrid, coverage: CoverageResult, plan: PlanResult
) -> CoverageRaster:
    """Best-server coverage with the plan's new sites added to today's cells.

    Each new site is the omnidirectional LTE cell it was assessed as
    (:func:`alcance.backhaul.candidates.candidate_cells`, its own carrier).
    """
    scenario = region.scenario
    built = plan.decoded["sites"]
    frames = [] if coverage.cells is None else [coverage.cells]
    heights = built["mast_height_m"].to_numpy(dtype=float) if len(built) else np.zeros(0)
    for height in np.unique(heights):
        frames.append(
            candidate_cells(
                built.loc[heights == height],
                mast_heights_m=[float(height)],
                radio=scenario.radio,
                settings=scenario.candidates,
            )
        )
    cells = pd.concat(frames, ignore_index=True) if frames else None
    return coverage_raster(
        grid,
        cells=cells,
        radio=scenario.radio,
        service=scenario.service,
        cpe_height_m=scenario.defaults.school_antenna_height_m,
    )


def run_main_job(
    scenario: Scenario,
    *,
    output_dir: str | Path,
    progress: Progress | None = None,
    area: bool = True,
) -> JobResult:
    """Run the main job: read the region, today's coverage, GEO service, the plan.

    Writes into ``output_dir``, each file atomically: ``schools.gpkg`` (layer
    ``schools``: one row per school with the coverage and GEO columns; layers
    ``links`` and ``sites``), ``plan.gpkg`` (layers ``plan_schools``, ``new_sites``,
    ``candidate_sites``, ``microwave_hops``, ``backhaul_routes``), ``plan.csv`` (one
    row per school with its option, Mbit/s and cost), ``coverage.tif`` (Cloud-Optimised
    GeoTIFF: best-server RSRP, SINR, Mbit/s and class; only with terrain),
    ``indicators.json`` (SDG 4.a.1 proxy and 9.c.1 today, ``after_plan`` and the plan's
    totals), ``summary.json`` and ``report.html``.
    """
    step = progress or (lambda _stage: None)
    out = Path(output_dir)
    outputs: dict[str, Path] = {}
    with read_region(scenario) as region:
        step("read inputs")
        grid = read_terrain_window(region)
        step("read terrain")
        summary = summarize_region(region, grid=grid, progress=step)
        coverage = today_coverage(region, grid, area=area, progress=step)
        geo_table, geo_summary = geo_line_of_sight(region, grid)
        students = pd.to_numeric(region.schools["students"], errors="coerce")
        demand = school_demand_mbps(students.to_numpy(dtype=float), scenario.demand)
        sat_table, beams = satellite_service(
            geo_table,
            region.schools,
            scenario.satellite,
            demand_mbps=demand,
            site_height_m=np.nan_to_num(geo_table["geo_site_ground_m"].to_numpy(dtype=float)),
            power=scenario.cost,
        )
        step("satellite")
        schools = gpd.GeoDataFrame(
            pd.concat(
                [region.schools.drop(columns="geometry"), coverage.schools, geo_table, sat_table],
                axis=1,
            ),
            geometry=region.schools.geometry,
            crs=region.schools.crs,
        )
        plan = plan_region(region, grid, schools, progress=step)
        after = schools_after_plan(schools, plan, scenario.service)
        population_window = None
        if region.population is not None and coverage.raster is not None:
            population_window = region.population.read(*coverage.raster.bounds)
        settlements = region.settlements
        has_settlement_population = (
            settlements is not None
            and "population" in settlements
            and bool(pd.to_numeric(settlements["population"], errors="coerce").notna().any())
        )
        use_settlements = (
            settlements if population_window is None and has_settlement_population else None
        )
        population = population_covered(
            coverage.raster,
            population=population_window,
            settlements=use_settlements,
            boundaries=region.boundaries,
        )
        raster_after = None
        if (population_window is not None or use_settlements is not None) and grid is not None:
            raster_after = coverage_after_plan(region, grid, coverage, plan)
        population_after = (
            population_covered(
                raster_after,
                population=population_window,
                settlements=use_settlements,
                boundaries=region.boundaries,
            )
            if raster_after is not None
            else population
        )
        school_indicator = schools_connectable(
            schools, min_class="good", boundaries=region.boundaries
        )
        indicators = indicators_document(
            population=population, schools=school_indicator, service=scenario.service
        )
        indicators_after = indicators_document(
            population=population_after,
            schools=schools_connectable(after, min_class="good", boundaries=region.boundaries),
            service=scenario.service,
        )
        totals = plan_totals(schools, plan)
        indicators["after_plan"] = {
            "description": (
                "The same indicators if the plan is built: schools the plan connects take the "
                "class of their option's Mbit/s; population covered adds the new sites' "
                "coverage (only where a population input exists)."
            ),
            "indicators": indicators_after.get("indicators", indicators_after),
        }
        indicators["plan"] = totals
        step("indicators")
        sites = region.towers.sites if region.towers is not None else None
        summary = replace(
            summary,
            satellite=geo_summary,
            coverage=coverage.summary,
            notes=[*summary.notes, *coverage.notes, *plan.notes],
        )
        layers: dict[str, gpd.GeoDataFrame] = {"schools": schools}
        if len(coverage.links):
            layers["links"] = coverage.links
        if sites is not None:
            layers["sites"] = gpd.GeoDataFrame(sites.copy(), geometry="geometry", crs="EPSG:4326")
        outputs["schools"] = write_geopackage_layers(out / "schools.gpkg", layers)
        outputs["plan"] = write_geopackage_layers(out / "plan.gpkg", plan_layers(plan, schools))
        table = plan_csv(schools, plan)
        with atomic_path(out / "plan.csv") as tmp:
            table.to_csv(tmp, index=False)
        outputs["plan_csv"] = out / "plan.csv"
        if coverage.raster is not None:
            r = coverage.raster
            outputs["coverage"] = write_cog(
                out / "coverage.tif",
                {
                    "rsrp_dbm": r.rsrp_dbm,
                    "sinr_db": r.sinr_db,
                    "downlink_mbps": r.downlink_mbps,
                    "service_class": np.where(r.service_class > 0, r.service_class, np.nan),
                },
                transform=r.transform,
                tags={
                    "service_class": "1 none, 2 moderate, 3 good (NaN: no terrain)",
                    "good_mbps": str(scenario.service.good_mbps),
                    "moderate_mbps": str(scenario.service.moderate_mbps),
                    "notes": " | ".join(r.notes),
                },
            )
        outputs["indicators"] = write_json(out / "indicators.json", indicators)
        outputs["summary"] = write_json(
            out / "summary.json",
            {
                **summary.to_dict(),
                "satellite_beams": beams.to_dict(orient="records"),
                "plan": {
                    **totals,
                    "budget_sweep": plan.sweep.to_dict(orient="records"),
                    "candidate_sites": len(plan.backhaul.candidates),
                    "microwave_hops_evaluated": len(plan.backhaul.hops),
                    "microwave_hops_feasible": int(plan.backhaul.hops["feasible"].sum())
                    if len(plan.backhaul.hops)
                    else 0,
                    "backhaul_routes": len(plan.backhaul.routes),
                },
            },
        )
        html = render_report(
            title=f"Alcance — {region.name}",
            schools=schools,
            sites=sites,
            terrain=grid,
            coverage=coverage.raster,
            indicators=indicators.get("indicators", indicators),
            summary=summary.to_dict(),
            assumptions=scenario.assumptions(),
            notes=summary.notes,
            plan=plan_report(
                schools, plan, metric=scenario.plan.cost_metric, currency=scenario.cost.currency
            ),
        )
        report_path = out / "report.html"
        with atomic_path(report_path) as tmp:
            tmp.write_text(html, encoding="utf-8")
        outputs["report"] = report_path
    step("write outputs")
    return JobResult(summary=summary, schools=schools, outputs=outputs, plan=totals)
