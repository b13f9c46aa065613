"""Shared result types of the coverage stage (pure data, no I/O).

A :class:`CoverageRaster` is the best-server picture of an area on a regular
geographic grid; the pipeline writes it as a Cloud-Optimised GeoTIFF, the report
draws it, and the indicators sample it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np
from affine import Affine
from numpy.typing import NDArray

__all__ = ["SERVICE_CLASS_NAMES", "CoverageRaster", "ServiceClass"]


class ServiceClass(enum.IntEnum):
    """Service class codes used in rasters (uint8); 0 is "no data"."""

    NO_DATA = 0
    NONE = 1
    MODERATE = 2
    GOOD = 3


#: Class names as written in tables, by code.
SERVICE_CLASS_NAMES: dict[int, str] = {
    ServiceClass.NO_DATA: "unknown",
    ServiceClass.NONE: "none",
    ServiceClass.MODERATE: "moderate",
    ServiceClass.GOOD: "good",
}


@dataclass(frozen=True, slots=True, eq=False)
class CoverageRaster:
    """Best-server coverage of an area on a north-up geographic grid (EPSG:4326).

    Attributes
    ----------
    rsrp_dbm
        Best-server RSRP per pixel (dBm), float32, NaN where not computed (outside
        every site's reach, or off the terrain).
    sinr_db
        Downlink SINR of the best server per pixel (dB), float32, NaN as above.
    downlink_mbps
        Downlink throughput per pixel for one user on the best server (Mbit/s).
    service_class
        :class:`ServiceClass` code per pixel (uint8; 0 = no data).
    west_deg, north_deg
        Outer corner of the top-left pixel (degrees).
    dlon_deg, dlat_deg
        Pixel size (degrees, both positive).
    crs
        Always ``"EPSG:4326"``.
    notes
        How the raster was computed (model, radius, sampling) for reports.
    """

    rsrp_dbm: NDArray[np.float32]
    sinr_db: NDArray[np.float32]
    downlink_mbps: NDArray[np.float32]
    service_class: NDArray[np.uint8]
    west_deg: float
    north_deg: float
    dlon_deg: float
    dlat_deg: float
    crs: str = "EPSG:4326"
    notes: list[str] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        r, c = self.service_class.shape
        return int(r), int(c)

    @property
    def transform(self) -> Affine:
        """Pixel → (lon, lat) affine transform, rasterio convention."""
        return Affine(self.dlon_deg, 0.0, self.west_deg, 0.0, -self.dlat_deg, self.north_deg)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees."""
        rows, cols = self.shape
        return (
            self.west_deg,
            self.north_deg - rows * self.dlat_deg,
            self.west_deg + cols * self.dlon_deg,
            self.north_deg,
        )

    def pixel_centres(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Longitudes of column centres and latitudes of row centres (degrees)."""
        rows, cols = self.shape
        lon = np.asarray(self.west_deg + (np.arange(cols) + 0.5) * self.dlon_deg, dtype=np.float64)
        lat = np.asarray(self.north_deg - (np.arange(rows) + 0.5) * self.dlat_deg, dtype=np.float64)
        return lon, lat

    def class_at(
        self, lon_deg: NDArray[np.float64], lat_deg: NDArray[np.float64]
    ) -> NDArray[np.uint8]:
        """Service class code at points (nearest pixel; 0 outside the raster)."""
        rows, cols = self.shape
        col = np.floor((np.asarray(lon_deg, dtype=float) - self.west_deg) / self.dlon_deg)
        row = np.floor((self.north_deg - np.asarray(lat_deg, dtype=float)) / self.dlat_deg)
        inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
        out = np.zeros(col.shape, dtype=np.uint8)
        out[inside] = self.service_class[row[inside].astype(np.int64), col[inside].astype(np.int64)]
        return out
