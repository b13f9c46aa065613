"""Can a school's terminal see the GEO satellite over the surrounding terrain? (pure)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "GEO_STATUSES",
    "HIGHEST_TERRAIN_M",
    "classify_geo_line_of_sight",
    "unseen_terrain_bound_deg",
]

#: Highest terrain on Earth (Mount Everest, 2020 China–Nepal survey: 8,848.86 m), metres.
HIGHEST_TERRAIN_M = 8_848.86

#: Line-of-sight classes, in the order reports list them.
GEO_STATUSES: dict[str, str] = {
    "clear": "the satellite is above the minimum elevation and above the terrain horizon",
    "blocked": "terrain toward the satellite rises above the satellite's elevation",
    "too low": "the satellite is below the terminal's minimum elevation angle",
    "unverified": "clear as far as the DEM reaches; terrain beyond the DEM could still block it",
    "no terrain": "the school is off the DEM: the horizon cannot be computed",
}


def classify_geo_line_of_sight(
    *,
    satellite_elevation_deg: ArrayLike,
    horizon_elevation_deg: ArrayLike,
    min_elevation_deg: float,
    horizon_complete: ArrayLike,
    on_terrain: ArrayLike,
    unseen_bound_deg: ArrayLike | None = None,
) -> NDArray[Any]:
    """Classify each school's line of sight to a GEO satellite (see :data:`GEO_STATUSES`).

    Parameters
    ----------
    satellite_elevation_deg
        Look angle to the satellite above the local horizontal, degrees.
    horizon_elevation_deg
        Terrain horizon elevation toward the satellite's azimuth, degrees (NaN when
        unknown).
    min_elevation_deg
        Terminal's lowest usable elevation, degrees.
    horizon_complete
        ``True`` where the whole horizon search stayed on the DEM (no off-grid or void
        samples).
    on_terrain
        ``True`` where the DEM covers the school.
    unseen_bound_deg
        Upper bound of the elevation angle of any terrain the search could not see
        (:func:`unseen_terrain_bound_deg`), degrees. An incomplete search is still
        ``"clear"`` when the satellite is above this bound: no terrain on Earth out
        there could block it.

    Returns
    -------
    numpy.ndarray
        One status string per school. A horizon above the satellite is ``"blocked"``
        even when the search was incomplete (more terrain can only raise it).
    """
    sat = np.asarray(satellite_elevation_deg, dtype=float)
    hor = np.asarray(horizon_elevation_deg, dtype=float)
    complete = np.asarray(horizon_complete, dtype=bool)
    on = np.asarray(on_terrain, dtype=bool)
    status = np.full(sat.shape, "clear", dtype=object)
    unverified = ~complete
    if unseen_bound_deg is not None:
        bound = np.asarray(unseen_bound_deg, dtype=float)
        unverified &= ~(np.isfinite(bound) & (sat > bound))
    status[unverified] = "unverified"
    status[np.isfinite(hor) & (hor >= sat)] = "blocked"
    status[sat < min_elevation_deg] = "too low"
    status[~on] = "no terrain"
    return status


def unseen_terrain_bound_deg(
    *, site_height_amsl_m: ArrayLike, unseen_distance_m: ArrayLike
) -> NDArray[np.float64]:
    """Highest elevation angle that terrain beyond ``unseen_distance_m`` could reach.

    Terrain no higher than :data:`HIGHEST_TERRAIN_M` at distance ``d`` or more seen from
    an eye at ``site_height_amsl_m``: ``atan((8,848.86 − h) / d)``, ignoring earth
    curvature (which only lowers distant terrain, so the bound stays safe).
    """
    h = np.asarray(site_height_amsl_m, dtype=float)
    d = np.asarray(unseen_distance_m, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.degrees(np.arctan2(HIGHEST_TERRAIN_M - h, d))
    return np.where(d > 0, bound, 90.0)
