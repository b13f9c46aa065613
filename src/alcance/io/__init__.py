"""Readers and writers: files in, one validated :class:`Region` out (and atomic writes).

Every bad input raises :class:`alcance.errors.InputError` naming the file, row and field.
"""

from __future__ import annotations

from alcance.io.network import read_fibre_nodes, read_roads
from alcance.io.population import PopulationRaster, PopulationWindow, read_population_raster
from alcance.io.region import Region, demo_dir, demo_scenario_path, load_demo, read_region
from alcance.io.scenario import read_scenario, scenario_from_dict
from alcance.io.schools import SCHOOL_FIELDS, ReadInfo, read_schools
from alcance.io.terrain import Dem, open_dem
from alcance.io.towers import CELL_FIELDS, SITE_FIELDS, Towers, read_towers
from alcance.io.vectors import read_boundaries, read_settlements
from alcance.io.writers import (
    atomic_path,
    write_cog,
    write_geopackage,
    write_geopackage_layers,
    write_json,
)

__all__ = [
    "CELL_FIELDS",
    "SCHOOL_FIELDS",
    "SITE_FIELDS",
    "Dem",
    "PopulationRaster",
    "PopulationWindow",
    "ReadInfo",
    "Region",
    "Towers",
    "atomic_path",
    "demo_dir",
    "demo_scenario_path",
    "load_demo",
    "open_dem",
    "read_boundaries",
    "read_fibre_nodes",
    "read_population_raster",
    "read_region",
    "read_roads",
    "read_scenario",
    "read_schools",
    "read_settlements",
    "read_towers",
    "scenario_from_dict",
    "write_cog",
    "write_geopackage",
    "write_geopackage_layers",
    "write_json",
]
