"""Terrain: geodesic paths, profile sampling, horizons, void filling and earth curvature.

Pure package — arrays in, arrays out, no file I/O. Grids come from
:func:`alcance.io.terrain.open_dem` (``Dem.read``) as :class:`TerrainGrid`.
"""

from __future__ import annotations

from alcance.terrain.curvature import (
    EARTH_RADIUS_M,
    STANDARD_K_FACTOR,
    earth_bulge_m,
    effective_earth_radius_m,
)
from alcance.terrain.geodesic import (
    WGS84_A_M,
    WGS84_F,
    GeodesicInverse,
    PathPoints,
    geodesic_direct,
    geodesic_inverse,
    geodesic_path_points,
)
from alcance.terrain.grid import TerrainGrid
from alcance.terrain.horizon import (
    Horizon,
    HorizonMask,
    horizon_elevation_deg,
    horizon_mask_deg,
    sky_fraction_above,
)
from alcance.terrain.profiles import (
    MAX_PROFILE_CELLS,
    PointSamples,
    Profiles,
    default_spacing_m,
    sample_points,
    sample_profiles,
)
from alcance.terrain.voids import fill_voids

__all__ = [
    "EARTH_RADIUS_M",
    "MAX_PROFILE_CELLS",
    "STANDARD_K_FACTOR",
    "WGS84_A_M",
    "WGS84_F",
    "GeodesicInverse",
    "Horizon",
    "HorizonMask",
    "PathPoints",
    "PointSamples",
    "Profiles",
    "TerrainGrid",
    "default_spacing_m",
    "earth_bulge_m",
    "effective_earth_radius_m",
    "fill_voids",
    "geodesic_direct",
    "geodesic_inverse",
    "geodesic_path_points",
    "horizon_elevation_deg",
    "horizon_mask_deg",
    "sample_points",
    "sample_profiles",
    "sky_fraction_above",
]
