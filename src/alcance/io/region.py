"""Assemble one typed :class:`Region` from a scenario's input files."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np

from alcance.errors import InputError
from alcance.io.network import read_fibre_nodes, read_roads
from alcance.io.population import PopulationRaster, read_population_raster
from alcance.io.scenario import read_scenario
from alcance.io.schools import ReadInfo, read_schools
from alcance.io.terrain import Dem, open_dem
from alcance.io.towers import Towers, read_towers
from alcance.io.vectors import read_boundaries, read_settlements
from alcance.scenario import Scenario

__all__ = ["Region", "demo_dir", "demo_scenario_path", "load_demo", "read_region"]


@dataclass(eq=False)
class Region:
    """Everything known about one planning area, validated.

    Attributes
    ----------
    name
        Display name.
    scenario
        The assumptions of the run.
    schools
        Standard school table (:data:`alcance.io.schools.SCHOOL_FIELDS`) plus
        ``on_terrain`` (bool: the DEM covers the school; always True without a DEM
        check).
    towers
        Existing network (cells + sites, each with ``on_terrain``), ``None`` when
        no tower file was given (greenfield).
    dem
        Lazily-read terrain mosaic, ``None`` when no DEM was given.
    population
        Population raster, ``None`` when not given.
    boundaries, settlements
        Polygons with ``area_name`` / settlements with ``population``, or ``None``.
    fibre_nodes, roads
        Fibre points of presence / road lines (:mod:`alcance.io.network`), or ``None``.
    inputs
        What each reader did (:class:`ReadInfo`), by layer name.
    notes
        Plain statements of what is missing and what cannot be computed because of it.
    """

    name: str
    scenario: Scenario
    schools: gpd.GeoDataFrame
    towers: Towers | None = None
    dem: Dem | None = None
    population: PopulationRaster | None = None
    boundaries: gpd.GeoDataFrame | None = None
    settlements: gpd.GeoDataFrame | None = None
    fibre_nodes: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    inputs: dict[str, ReadInfo] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        """Close the open raster files."""
        if self.dem is not None:
            self.dem.close()
        if self.population is not None:
            self.population.close()

    def __enter__(self) -> Region:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def demo_dir() -> Path:
    """Folder of the built-in demo region (Petorca, Chile) inside the package."""
    return Path(str(resources.files("alcance") / "data" / "demo"))


def demo_scenario_path() -> Path:
    """The demo's scenario TOML."""
    return demo_dir() / "scenario.toml"


def load_demo() -> Region:
    """Load the built-in demo region."""
    return read_region(read_scenario(demo_scenario_path()))


def read_region(scenario: Scenario) -> Region:
    """Read and validate every input the scenario names.

    Raises
    ------
    InputError
        From any reader; also when no school file is given, and — unless
        ``scenario.terrain.schools_off_terrain == "flag"`` — when the DEM does not
        cover a school (naming the school file, its row and the coordinate fields).
    """
    inputs = scenario.region
    if inputs.schools is None:
        msg = "the scenario names no school file ([region] schools = ...)"
        raise InputError(msg, field="region.schools")
    notes: list[str] = []
    schools, schools_info = read_schools(inputs.schools, encoding=inputs.encoding)
    infos: dict[str, ReadInfo] = {"schools": schools_info}
    notes.extend(schools_info.notes)

    towers: Towers | None = None
    if inputs.towers is not None:
        towers, towers_info = read_towers(inputs.towers, encoding=inputs.encoding)
        infos["towers"] = towers_info
    else:
        notes.append("no tower file: run as greenfield (no existing mobile coverage is assumed)")

    dem: Dem | None = None
    if inputs.dem:
        dem = open_dem(
            inputs.dem if len(inputs.dem) > 1 else inputs.dem[0],
            fill_voids=scenario.terrain.fill_voids,
        )
        try:
            schools = _check_schools_on_terrain(
                schools, dem, scenario, inputs.schools, schools_info
            )
            if towers is not None:
                towers = _flag_towers(towers, dem)
        except BaseException:
            dem.close()
            raise
        off = int((~schools["on_terrain"]).sum())
        if off:
            notes.append(
                f"{off} schools lie outside the terrain and are left out of terrain-based work"
            )
    else:
        schools = schools.assign(on_terrain=True)
        notes.append(
            "no terrain (DEM): terrain-based coverage, horizons and microwave clearance cannot be computed"
        )
        if towers is not None:
            towers = Towers(
                cells=towers.cells.assign(on_terrain=True),
                sites=towers.sites.assign(on_terrain=True),
                layout=towers.layout,
            )

    population = (
        read_population_raster(inputs.population) if inputs.population is not None else None
    )
    boundaries = (
        read_boundaries(inputs.boundaries, name_field=inputs.boundary_name_field)
        if inputs.boundaries is not None
        else None
    )
    settlements = read_settlements(inputs.settlements) if inputs.settlements is not None else None
    fibre_nodes = (
        read_fibre_nodes(inputs.fibre_nodes, encoding=inputs.encoding)
        if inputs.fibre_nodes is not None
        else None
    )
    roads = read_roads(inputs.roads) if inputs.roads is not None else None
    if fibre_nodes is None:
        notes.append("no fibre nodes given: fibre backhaul and school fibre runs are not proposed")
    elif roads is None:
        notes.append("no road network given: fibre routes are geodesic x routing factor")
    for layer in (boundaries, settlements, fibre_nodes, roads):
        if layer is not None:
            notes.extend(layer.attrs.get("notes", []))
    if population is None:
        has_settlement_pop = settlements is not None and bool(
            settlements["population"].notna().any()
        )
        if not has_settlement_pop:
            notes.append(
                "no population raster and no settlement populations: population covered (SDG 9.c.1) is not computable"
            )
    return Region(
        name=inputs.name,
        scenario=scenario,
        schools=schools,
        towers=towers,
        dem=dem,
        population=population,
        boundaries=boundaries,
        settlements=settlements,
        fibre_nodes=fibre_nodes,
        roads=roads,
        inputs=infos,
        notes=notes,
    )


def _check_schools_on_terrain(
    schools: gpd.GeoDataFrame, dem: Dem, scenario: Scenario, path: Path, info: ReadInfo
) -> gpd.GeoDataFrame:
    lon = schools["longitude_deg"].to_numpy(dtype=float)
    lat = schools["latitude_deg"].to_numpy(dtype=float)
    on = np.asarray(dem.covers(lon, lat), dtype=bool)
    if not on.all() and scenario.terrain.schools_off_terrain == "error":
        i = int(np.flatnonzero(~on)[0])
        west, south, east, north = dem.bounds_deg
        lat_field = info.column_map.get("latitude_deg", "geometry")
        lon_field = info.column_map.get("longitude_deg", "geometry")
        msg = (
            f"school {schools['school_id'].iloc[i]!r} at lat {lat[i]:.6f}, lon {lon[i]:.6f} is not covered by the DEM "
            f"({', '.join(Path(p).name for p in dem.paths)}: lon {west:.4f} … {east:.4f}, lat {south:.4f} … {north:.4f}); "
            f'{int((~on).sum())} schools in all. Add terrain tiles or set [terrain] schools_off_terrain = "flag"'
        )
        raise InputError(
            msg, path=path, row=int(schools["source_row"].iloc[i]), field=f"{lat_field}/{lon_field}"
        )
    return schools.assign(on_terrain=on)


def _flag_towers(towers: Towers, dem: Dem) -> Towers:
    def flag(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        on = np.asarray(
            dem.covers(
                frame["longitude_deg"].to_numpy(dtype=float),
                frame["latitude_deg"].to_numpy(dtype=float),
            ),
            dtype=bool,
        )
        return frame.assign(on_terrain=on)

    return Towers(cells=flag(towers.cells), sites=flag(towers.sites), layout=towers.layout)
