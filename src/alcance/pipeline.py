"""The main job's stages, joining the readers to the pure computations.

Each stage reports progress through a callback so any face (CLI, service, Dask) can
show it. Later issues add coverage, backhaul, satellite capacity and planning stages.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from alcance.io import Region, read_region, read_scenario, write_geopackage, write_json
from alcance.io.region import demo_scenario_path
from alcance.propagation.freespace import free_space_loss_db
from alcance.satellite import geo_look_angles
from alcance.satellite import link_budget as sat_lb
from alcance.satellite.modcod import DVB_S2_MODCODS, best_modcod
from alcance.satellite.visibility import (
    GEO_STATUSES,
    classify_geo_line_of_sight,
    unseen_terrain_bound_deg,
)
from alcance.scenario import SatelliteSettings, Scenario
from alcance.summary import (
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
]

#: Stage names in order, as shown by progress bars.
STAGES: tuple[str, ...] = ("read inputs", "read terrain", "summarise", "satellite", "write outputs")

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


def run_main_job(
    scenario: Scenario, *, output_dir: str | Path, progress: Progress | None = None
) -> JobResult:
    """Run the main job: read the region, summarise it, check GEO line of sight, write.

    Writes ``summary.json`` and ``schools.gpkg`` (one row per school with the GEO
    columns) into ``output_dir``, atomically.
    """
    step = progress or (lambda _stage: None)
    with read_region(scenario) as region:
        step("read inputs")
        grid = read_terrain_window(region)
        step("read terrain")
        summary = summarize_region(region, grid=grid, progress=step)
        geo_table, geo_summary = geo_line_of_sight(region, grid)
        step("satellite")
        schools = gpd.GeoDataFrame(
            pd.concat([region.schools.drop(columns="geometry"), geo_table], axis=1),
            geometry=region.schools.geometry,
            crs=region.schools.crs,
        )
    summary = replace(summary, satellite=geo_summary)
    out = Path(output_dir)
    summary_path = write_json(out / "summary.json", summary.to_dict())
    schools_path = out / "schools.gpkg"
    write_geopackage(schools_path, schools, layer="schools")
    step("write outputs")
    return JobResult(
        summary=summary, schools=schools, outputs={"summary": summary_path, "schools": schools_path}
    )
