"""Every assumption of a run, with its unit, default and source (pydantic).

A scenario is read from TOML by :func:`alcance.io.read_scenario`. Unknown keys are
errors (a misspelt assumption must never be ignored silently). Each field carries
``unit`` and ``source`` in its schema; :meth:`Scenario.assumptions` lists them for
reports. Later stages add sections; each section is its own model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "Assumption",
    "RegionInputs",
    "SatelliteSettings",
    "Scenario",
    "ServiceSettings",
    "SiteDefaults",
    "TerrainSettings",
]


def _meta(unit: str, source: str) -> dict[str, Any]:
    return {"unit": unit, "source": source}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class RegionInputs(_Section):
    """Where the region's data comes from. Relative paths are relative to the TOML file."""

    name: str = Field(
        "region", description="Name shown in outputs", json_schema_extra=_meta("-", "user")
    )
    schools: Path | None = Field(
        None,
        description="School file (CSV, GeoJSON, GeoPackage, Parquet)",
        json_schema_extra=_meta("path", "user"),
    )
    towers: Path | None = Field(
        None,
        description="Existing towers/cells (OpenCelliD, ITU FNS, SUBTEL or plain sites CSV); none = greenfield",
        json_schema_extra=_meta("path", "user"),
    )
    dem: list[Path] = Field(
        default_factory=list,
        description="Terrain: GeoTIFF DEMs and/or SRTM .hgt tiles, or a folder of them (one mosaic)",
        json_schema_extra=_meta("path", "user"),
    )
    population: Path | None = Field(
        None,
        description="Population raster, persons per pixel (GeoTIFF)",
        json_schema_extra=_meta("path", "user"),
    )
    boundaries: Path | None = Field(
        None,
        description="Administrative boundaries (GeoJSON/GeoPackage polygons)",
        json_schema_extra=_meta("path", "user"),
    )
    boundary_name_field: str | None = Field(
        None,
        description="Boundary attribute holding the area name (default: first text column)",
        json_schema_extra=_meta("-", "user"),
    )
    settlements: Path | None = Field(
        None,
        description="Settlement points/polygons, optionally with a population column",
        json_schema_extra=_meta("path", "user"),
    )
    encoding: str = Field(
        "utf-8", description="Text encoding of CSV inputs", json_schema_extra=_meta("-", "user")
    )

    @field_validator("dem", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, (str, Path)) else value


class TerrainSettings(_Section):
    """How terrain is read and sampled."""

    profile_spacing_m: float | None = Field(
        None,
        gt=0,
        le=10_000,
        description="Distance between terrain profile samples; unset = the DEM's resolution",
        json_schema_extra=_meta(
            "m",
            "Alcance default: the DEM's native resolution (no information is invented between samples)",
        ),
    )
    fill_voids: bool = Field(
        True,
        description="Fill DEM voids by interpolation (True) or keep them as NaN (False); voids are always flagged",
        json_schema_extra=_meta(
            "-",
            "Alcance default; non-void-filled SRTM3 tiles carry voids on steep ridges (shared/data READMEs: 1-3 % of samples)",
        ),
    )
    schools_off_terrain: Literal["error", "flag"] = Field(
        "error",
        description="A school outside the DEM: stop with an error, or flag it and leave it out of terrain work",
        json_schema_extra=_meta("-", "Alcance policy: never silently drop a school"),
    )


class SiteDefaults(_Section):
    """Defaults for equipment where the input data are silent."""

    tower_height_m: float = Field(
        30.0,
        gt=0,
        le=300,
        description="Antenna height of a tower whose height is not given",
        json_schema_extra=_meta(
            "m", "Alcance assumption; SUBTEL registry supports in Petorca are 18-61 m, median 36 m"
        ),
    )
    school_antenna_height_m: float = Field(
        6.0,
        gt=0,
        le=100,
        description="Height of the school's outdoor CPE antenna above ground (roof mast)",
        json_schema_extra=_meta(
            "m", "Alcance assumption: outdoor CPE on a 2 m mast on a one-storey school roof"
        ),
    )


class ServiceSettings(_Section):
    """What counts as a usable connection."""

    good_mbps: float = Field(
        20.0,
        gt=0,
        description="Download rate at or above which a school's service is 'good'",
        json_schema_extra=_meta(
            "Mbit/s", "UNICEF/ITU Giga school connectivity benchmark: 20 Mbps per school"
        ),
    )
    moderate_mbps: float = Field(
        1.0,
        gt=0,
        description="Download rate at or above which a school's service is 'moderate'",
        json_schema_extra=_meta(
            "Mbit/s", "Alcance service classes: moderate 1-20 Mbps, none below 1 Mbps"
        ),
    )


class SatelliteSettings(_Section):
    """The GEO satellite a school terminal would point at, and the terminal's siting."""

    geo_longitude_deg: float = Field(
        -61.0,
        ge=-180,
        le=180,
        description="Orbital longitude of the GEO satellite (east positive)",
        json_schema_extra=_meta(
            "degrees", "Hispasat Amazonas Nexus slot, 61° W (Ku/Ka-band HTS over Latin America)"
        ),
    )
    min_elevation_deg: float = Field(
        10.0,
        ge=0,
        le=90,
        description="Lowest usable look angle above the horizontal for a VSAT terminal",
        json_schema_extra=_meta(
            "degrees",
            "Alcance assumption: common VSAT planning floor (rain path and clutter grow below 10°)",
        ),
    )
    terminal_height_m: float = Field(
        2.0,
        gt=0,
        le=100,
        description="Height of the satellite dish above ground at the school",
        json_schema_extra=_meta("m", "Alcance assumption: dish on a ground or roof mount"),
    )
    downlink_freq_ghz: float = Field(
        11.7,
        ge=1,
        le=55,
        description="Forward (satellite-to-school) carrier frequency",
        json_schema_extra=_meta(
            "GHz", "Ku-band FSS downlink 10.7-12.75 GHz (ITU Radio Regulations Art. 5)"
        ),
    )
    satellite_eirp_dbw: float = Field(
        52.0,
        ge=20,
        le=80,
        description="Satellite EIRP toward the schools (forward carrier, beam edge)",
        json_schema_extra=_meta(
            "dBW", "Alcance assumption: Ku-band wide beams ~48-52 dBW, HTS spot beams up to ~58 dBW"
        ),
    )
    symbol_rate_mbaud: float = Field(
        30.0,
        gt=0,
        le=500,
        description="Forward carrier symbol rate (the carrier the terminal demodulates)",
        json_schema_extra=_meta(
            "Mbaud", "Alcance assumption: 36 MHz transponder at roll-off 0.2 (EN 302 307-1)"
        ),
    )
    dish_diameter_m: float = Field(
        1.2,
        gt=0,
        le=10,
        description="School terminal dish diameter",
        json_schema_extra=_meta(
            "m", "Alcance assumption: common Ku VSAT size (Giga cost model terminals 0.75-1.2 m)"
        ),
    )
    dish_efficiency: float = Field(
        0.65,
        gt=0,
        le=1,
        description="Dish aperture efficiency",
        json_schema_extra=_meta("-", "ITU-R SG3 Earth-space validation examples use 0.65"),
    )
    antenna_noise_temperature_k: float = Field(
        50.0,
        ge=0,
        le=1000,
        description="Clear-sky antenna noise temperature at the feed",
        json_schema_extra=_meta("K", "Alcance assumption: Ku band at 20-50° elevation, 30-60 K"),
    )
    lnb_noise_figure_db: float = Field(
        0.8,
        ge=0,
        le=20,
        description="Noise figure of the terminal's LNB",
        json_schema_extra=_meta("dB", "Alcance assumption: commercial Ku LNBs 0.6-1.0 dB"),
    )
    interference_cn_db: float = Field(
        16.0,
        ge=0,
        le=40,
        description="C/(N+I) of the uplink, transponder intermodulation and adjacent-satellite interference, combined with the downlink C/N",
        json_schema_extra=_meta(
            "dB",
            "Alcance assumption: these together typically cap Ku-band forward links at 14-18 dB",
        ),
    )
    implementation_margin_db: float = Field(
        1.0,
        ge=0,
        le=10,
        description="Demodulator implementation margin over the ideal DVB-S2 Es/N0",
        json_schema_extra=_meta(
            "dB", "Alcance assumption: 0.5-1.5 dB is usual over EN 302 307-1 Table 13"
        ),
    )
    availability_pct: float = Field(
        99.5,
        ge=95,
        le=99.999,
        description="Share of an average year the forward link must meet the reported rate",
        json_schema_extra=_meta(
            "%", "Alcance assumption: typical consumer VSAT service availability"
        ),
    )
    horizon_distance_m: float = Field(
        30_000.0,
        gt=0,
        le=200_000,
        description="How far terrain is searched for the horizon toward the satellite",
        json_schema_extra=_meta(
            "m", "Alcance default: beyond ~30 km the 4/3-earth curvature drop hides Andean ridges"
        ),
    )


class Assumption(BaseModel):
    """One row of the assumptions table shown in reports."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: str
    unit: str
    source: str
    description: str


class Scenario(_Section):
    """All assumptions of one run; the TOML file mirrors these sections."""

    region: RegionInputs = Field(default_factory=RegionInputs)
    terrain: TerrainSettings = Field(default_factory=TerrainSettings)
    defaults: SiteDefaults = Field(default_factory=SiteDefaults)
    service: ServiceSettings = Field(default_factory=ServiceSettings)
    satellite: SatelliteSettings = Field(default_factory=SatelliteSettings)

    def assumptions(self) -> list[Assumption]:
        """Every field of every section with its value, unit and source."""
        rows: list[Assumption] = []
        for section_name in type(self).model_fields:
            section = getattr(self, section_name)
            for name, info in type(section).model_fields.items():
                extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
                rows.append(
                    Assumption(
                        name=f"{section_name}.{name}",
                        value=str(getattr(section, name)),
                        unit=str(extra.get("unit", "-")),
                        source=str(extra.get("source", "-")),
                        description=info.description or "",
                    )
                )
        return rows
