"""The main job's stages, joining the readers to the pure computations.

Each stage reports progress through a callback so any face (CLI, service, Dask) can
show it. Later issues add coverage, backhaul, satellite and planning stages here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alcance.io import Region, read_region, read_scenario, write_json
from alcance.io.region import demo_scenario_path
from alcance.scenario import Scenario
from alcance.summary import (
    RegionSummary,
    TerrainSummary,
    summarize_schools,
    summarize_terrain,
    summarize_towers,
)
from alcance.terrain import default_spacing_m, sample_points

__all__ = ["STAGES", "JobResult", "load_scenario", "run_main_job", "summarize_region"]

#: Stage names in order, as shown by progress bars.
STAGES: tuple[str, ...] = ("read inputs", "read terrain", "summarise", "write outputs")

#: DEMs up to this many pixels are summarised whole; larger ones around the inputs only.
WHOLE_DEM_PIXELS = 50_000_000

#: Margin around the schools and towers when reading terrain for the summary, degrees.
TERRAIN_MARGIN_DEG = 0.02

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class JobResult:
    """What the main job produced."""

    summary: RegionSummary
    outputs: dict[str, Path]


def load_scenario(path: str | Path | None) -> Scenario:
    """The scenario at ``path``, or the built-in demo's when ``path`` is ``None``."""
    return read_scenario(demo_scenario_path() if path is None else path)


def summarize_region(region: Region, *, progress: Progress | None = None) -> RegionSummary:
    """Summarise a region; reads only the terrain window around its schools and towers."""
    step = progress or (lambda _stage: None)
    terrain: TerrainSummary | None = None
    if region.dem is not None:
        lons = [region.schools["longitude_deg"].to_numpy(dtype=float)]
        lats = [region.schools["latitude_deg"].to_numpy(dtype=float)]
        if region.towers is not None:
            on = region.towers.sites["on_terrain"].to_numpy(dtype=bool)
            lons.append(region.towers.sites["longitude_deg"].to_numpy(dtype=float)[on])
            lats.append(region.towers.sites["latitude_deg"].to_numpy(dtype=float)[on])
        lon = np.concatenate(lons)
        lat = np.concatenate(lats)
        west, south, east, north = region.dem.bounds_deg
        rows, cols = region.dem.shape
        box = (
            (west, south, east, north)
            if rows * cols <= WHOLE_DEM_PIXELS
            else (
                max(west, float(lon.min()) - TERRAIN_MARGIN_DEG),
                max(south, float(lat.min()) - TERRAIN_MARGIN_DEG),
                min(east, float(lon.max()) + TERRAIN_MARGIN_DEG),
                min(north, float(lat.max()) + TERRAIN_MARGIN_DEG),
            )
        )
        if box[0] >= box[2] or box[1] >= box[3]:
            box = (west, south, east, north)
        grid = region.dem.read(*box)
        on_terrain = region.schools["on_terrain"].to_numpy(dtype=bool)
        school_z = sample_points(
            grid,
            lon_deg=region.schools["longitude_deg"].to_numpy(dtype=float)[on_terrain],
            lat_deg=region.schools["latitude_deg"].to_numpy(dtype=float)[on_terrain],
        ).elevation_m
        terrain = summarize_terrain(
            elevation_m=grid.elevation_m,
            void=grid.void,
            bounds_deg=grid.bounds if grid.is_geographic else box,
            resolution_m=default_spacing_m(grid),
            school_elevation_m=school_z,
        )
    step("read terrain")
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


def run_main_job(
    scenario: Scenario, *, output_dir: str | Path, progress: Progress | None = None
) -> JobResult:
    """Run the main job: read the region, summarise it, write ``summary.json``.

    Later issues extend this job to coverage, satellite, backhaul and the plan.
    """
    step = progress or (lambda _stage: None)
    with read_region(scenario) as region:
        step("read inputs")
        summary = summarize_region(region, progress=step)
    out = Path(output_dir)
    path = write_json(out / "summary.json", summary.to_dict())
    step("write outputs")
    return JobResult(summary=summary, outputs={"summary": path})
