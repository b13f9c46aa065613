"""Satellite links: look angles to GEO satellites, LEO shell visibility, terrain clearance.

Pure package — arrays in, arrays out, no file I/O. Modules:

* :mod:`alcance.satellite.geometry` — GEO look angles, LEO footprint and sky fraction;
* :mod:`alcance.satellite.visibility` — line-of-sight classes over the terrain horizon;
* :mod:`alcance.satellite.atmosphere` — ITU-R Earth-space attenuation through ``itur``
  (imported on demand: it loads astropy and the ITU-R maps).
"""

from __future__ import annotations

from alcance.satellite.geometry import (
    GEO_RADIUS_M,
    LEO_EARTH_RADIUS_KM,
    LeoVisibility,
    LookAngles,
    geo_clearance_deg,
    geo_look_angles,
    leo_visibility,
)

__all__ = [
    "GEO_RADIUS_M",
    "LEO_EARTH_RADIUS_KM",
    "LeoVisibility",
    "LookAngles",
    "geo_clearance_deg",
    "geo_look_angles",
    "leo_visibility",
]
