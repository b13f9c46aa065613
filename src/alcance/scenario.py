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

from alcance._settings import Section, meta
from alcance.backhaul.microwave import MicrowaveSettings
from alcance.backhaul.settings import BackhaulSettings, CandidateSettings
from alcance.cost.settings import CostSettings
from alcance.demand import DemandSettings
from alcance.plan_settings import PlanSettings

__all__ = [
    "Assumption",
    "RadioSettings",
    "RegionInputs",
    "SatelliteSettings",
    "Scenario",
    "ServiceSettings",
    "SiteDefaults",
    "TerrainSettings",
]


_meta = meta


class RegionInputs(Section):
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
    fibre_nodes: Path | None = Field(
        None,
        description="Fibre points of presence / core nodes (CSV with lon/lat, GeoJSON, GeoPackage points); none = no fibre option",
        json_schema_extra=_meta("path", "user"),
    )
    roads: Path | None = Field(
        None,
        description="Road network (OSM-style lines) along which fibre is routed; none = geodesic x routing factor",
        json_schema_extra=_meta("path", "user"),
    )
    encoding: str = Field(
        "utf-8", description="Text encoding of CSV inputs", json_schema_extra=_meta("-", "user")
    )

    @field_validator("dem", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, (str, Path)) else value


class TerrainSettings(Section):
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


class SiteDefaults(Section):
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


class ServiceSettings(Section):
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


class SatelliteSettings(Section):
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

    uplink_freq_ghz: float = Field(
        14.25,
        ge=1,
        le=50,
        description="Return-link (terminal to satellite) carrier frequency",
        json_schema_extra=_meta(
            "GHz", "Ku-band FSS uplink 13.75-14.5 GHz (ITU RR Art. 5); Alcance default mid-band"
        ),
    )
    terminal_tx_power_w: float = Field(
        2.0,
        gt=0,
        le=200,
        description="Terminal block up-converter (BUC) output power",
        json_schema_extra=_meta("W", "Alcance assumption: 2 W Ku BUC, the usual VSAT kit"),
    )
    terminal_tx_losses_db: float = Field(
        0.5,
        ge=0,
        le=10,
        description="Loss between BUC and feed (waveguide, OMT)",
        json_schema_extra=_meta("dB", "Alcance assumption"),
    )
    satellite_g_over_t_db_per_k: float = Field(
        5.0,
        ge=-20,
        le=30,
        description="Satellite receive G/T toward the region (return link)",
        json_schema_extra=_meta(
            "dB/K", "Alcance assumption: Ku wide/regional beam (HTS spot beams reach 10-18 dB/K)"
        ),
    )
    return_symbol_rate_mbaud: float = Field(
        2.0,
        gt=0,
        le=500,
        description="Return carrier symbol rate of one terminal",
        json_schema_extra=_meta(
            "Mbaud", "Alcance assumption: MF-TDMA return carriers are 0.5-8 Mbaud"
        ),
    )
    return_interference_cn_db: float = Field(
        14.0,
        ge=-10,
        le=60,
        description="C/(N+I) of everything but the return uplink thermal noise (adjacent satellite, cross-pol, intermodulation, downlink to hub)",
        json_schema_extra=_meta("dB", "Alcance assumption"),
    )
    beam_capacity_mbps: float = Field(
        1000.0,
        gt=0,
        le=1_000_000,
        description="Total forward capacity of one beam (or LEO cell) available to the programme",
        json_schema_extra=_meta(
            "Mbit/s",
            "Alcance assumption: one Ku HTS spot beam is of the order of 1 Gbit/s; override with the operator's offer",
        ),
    )
    capacity_price_usd_per_mbps_month: float = Field(
        100.0,
        ge=0,
        le=100_000,
        description="Price of committed satellite capacity",
        json_schema_extra=_meta(
            "USD/(Mbit/s)/month",
            "Alcance assumption, order of magnitude of GEO HTS wholesale offers; override with the operator's price",
        ),
    )
    contention_ratio: float = Field(
        4.0,
        ge=1,
        le=100,
        description="Schools sharing each committed Mbit/s (1 = dedicated)",
        json_schema_extra=_meta(
            "-", "Alcance assumption: business-grade VSAT plans are 1:1-1:10, consumer 1:20+"
        ),
    )
    beam_radius_km: float = Field(
        400.0,
        gt=0,
        le=20_000,
        description="Radius of one beam; schools are grouped into beams of this size when beams are not given",
        json_schema_extra=_meta(
            "km", "Alcance assumption: Ku HTS spot beams are 200-800 km across"
        ),
    )
    terminal_capex_usd: float = Field(
        1500.0,
        ge=0,
        le=1_000_000,
        description="VSAT terminal kit (dish, BUC, LNB, modem)",
        json_schema_extra=_meta("USD", "Alcance assumption; override from the operator's quote"),
    )
    installation_usd: float = Field(
        500.0,
        ge=0,
        le=1_000_000,
        description="Installation and commissioning of one terminal",
        json_schema_extra=_meta("USD", "Alcance assumption; remote sites cost more (transport)"),
    )
    terminal_power_w: float = Field(
        60.0,
        gt=0,
        le=10_000,
        description="Average electrical draw of the terminal (modem + BUC)",
        json_schema_extra=_meta("W", "Alcance assumption: 2 W BUC VSAT modems draw 40-90 W"),
    )
    maintenance_usd_per_year: float = Field(
        150.0,
        ge=0,
        le=1_000_000,
        description="Terminal maintenance per year",
        json_schema_extra=_meta("USD/year", "Alcance assumption"),
    )


TechnologyName = Literal["GSM", "UMTS", "LTE", "NR"]


class RadioSettings(Section):
    """Radio access network assumptions for today's coverage (where tower data are silent).

    Values the tower file gives per cell (EIRP, height, azimuth, tilt, gain, bandwidth,
    frequency) take precedence; these defaults fill the gaps, and every school row says
    which were used.
    """

    path_loss_model: Literal["itm", "p526", "free_space"] = Field(
        "itm",
        description="Path-loss model on the terrain profile: NTIA ITM (default), P.525 free space + P.526 delta-Bullington diffraction, or free space only",
        json_schema_extra=_meta(
            "-",
            "NTIA ITM v1.4 (Longley-Rice) point-to-point; P.526-16 §4.5 and P.525-4 as cross-checks",
        ),
    )
    max_distance_m: float = Field(
        35_000.0,
        gt=0,
        le=200_000,
        description="Cells farther than this from a school (or pixel) are not evaluated",
        json_schema_extra=_meta(
            "m",
            "Alcance assumption: LTE timing advance allows 100 km but rural macro cells rarely serve beyond ~35 km",
        ),
    )
    climate: Literal[
        "equatorial",
        "continental_subtropical",
        "maritime_subtropical",
        "desert",
        "continental_temperate",
        "maritime_temperate_over_land",
        "maritime_temperate_over_sea",
    ] = Field(
        "continental_temperate",
        description="ITM radio climate",
        json_schema_extra=_meta("-", "NTIA ITM climate 5, the default of SPLAT! and Signal-Server"),
    )
    surface_refractivity_n_units: float = Field(
        301.0,
        ge=250,
        le=400,
        description="Surface refractivity N0 for ITM",
        json_schema_extra=_meta("N-units", "NTIA ITM / TN101 continental temperate average (301)"),
    )
    ground: Literal["average ground", "poor ground", "good ground", "fresh water", "sea water"] = (
        Field(
            "average ground",
            description="Ground electrical constants for ITM",
            json_schema_extra=_meta(
                "-", "NTIA ITM ground table: average ground eps_r 15, sigma 0.005 S/m"
            ),
        )
    )
    polarization: Literal["vertical", "horizontal"] = Field(
        "vertical",
        description="Antenna polarisation for ITM",
        json_schema_extra=_meta("-", "Cellular base stations use vertical/cross-polar antennas"),
    )
    variability_mode: Literal["single_message", "accidental", "mobile", "broadcast"] = Field(
        "broadcast",
        description="ITM mode of variability (how time and location variability combine)",
        json_schema_extra=_meta(
            "-", "NTIA ITM mdvar 3 (broadcast): time and location variability independent"
        ),
    )
    reliability_pct: float = Field(
        50.0,
        gt=0,
        lt=100,
        description="Time and location reliability of the predicted received power (50 = median)",
        json_schema_extra=_meta(
            "%",
            "Alcance default: median prediction; probability of coverage is reported separately",
        ),
    )
    confidence_pct: float = Field(
        50.0,
        gt=0,
        lt=100,
        description="ITM situation confidence of every prediction",
        json_schema_extra=_meta("%", "Alcance default: median situation"),
    )
    lte_tx_power_dbm: float = Field(
        46.0,
        ge=0,
        le=70,
        description="LTE cell transmit power (total over the channel)",
        json_schema_extra=_meta("dBm", "3GPP TR 36.814 V9.2.0 Table A.2.1.1-2 (46 dBm for 10 MHz)"),
    )
    nr_tx_power_dbm: float = Field(
        46.0,
        ge=0,
        le=70,
        description="NR cell transmit power (total over the channel)",
        json_schema_extra=_meta("dBm", "ITU-R M.2412-0 Table 8-4 rural eMBB: 46 dBm"),
    )
    umts_tx_power_dbm: float = Field(
        43.0,
        ge=0,
        le=70,
        description="UMTS cell transmit power (total, 20 W)",
        json_schema_extra=_meta(
            "dBm", "3GPP TR 25.942 V17 Table 4.1 macro BS maximum power 43 dBm"
        ),
    )
    gsm_tx_power_dbm: float = Field(
        43.0,
        ge=0,
        le=70,
        description="GSM carrier transmit power (20 W)",
        json_schema_extra=_meta(
            "dBm", "Alcance assumption: 20 W macro TRX (3GPP TS 45.005 class 4-6 BTS: 20-40 W)"
        ),
    )
    lte_bandwidth_mhz: float = Field(
        10.0,
        gt=0,
        le=100,
        description="LTE channel bandwidth where the tower file is silent",
        json_schema_extra=_meta(
            "MHz", "Alcance assumption: 10 MHz, the most common LTE carrier in Latin America (GSMA)"
        ),
    )
    nr_bandwidth_mhz: float = Field(
        20.0,
        gt=0,
        le=400,
        description="NR channel bandwidth where the tower file is silent",
        json_schema_extra=_meta(
            "MHz", "Alcance assumption: 20 MHz, a common first NR carrier below 6 GHz"
        ),
    )
    sector_gain_dbi: float = Field(
        14.0,
        ge=-10,
        le=40,
        description="Boresight gain of a sector antenna",
        json_schema_extra=_meta("dBi", "3GPP TR 36.814 V9.2.0 Table A.2.1.1-2 (14 dBi)"),
    )
    sector_h_beamwidth_deg: float = Field(
        70.0,
        gt=0,
        le=360,
        description="Horizontal half-power beamwidth of a sector antenna",
        json_schema_extra=_meta("deg", "3GPP TR 36.814 V9.2.0 Table A.2.1.1-2 (70 deg)"),
    )
    sector_v_beamwidth_deg: float = Field(
        10.0,
        gt=0,
        le=180,
        description="Vertical half-power beamwidth of a sector antenna",
        json_schema_extra=_meta("deg", "3GPP TR 36.814 V9.2.0 Table A.2.1.1-2 (10 deg)"),
    )
    downtilt_deg: float = Field(
        3.0,
        ge=-20,
        le=45,
        description="Antenna downtilt where the tower file is silent",
        json_schema_extra=_meta(
            "deg",
            "Alcance assumption for rural macro cells (TR 36.814's 15 deg is for 500 m urban grids)",
        ),
    )
    feeder_loss_db: float = Field(
        2.0,
        ge=0,
        le=20,
        description="Tower cable/connector loss between radio and antenna",
        json_schema_extra=_meta("dB", "Alcance assumption (remote radio heads: 0.5-3 dB)"),
    )
    bs_noise_figure_db: float = Field(
        5.0,
        ge=0,
        le=20,
        description="Base station receiver noise figure (uplink)",
        json_schema_extra=_meta("dB", "3GPP TR 36.814 V9.2.0 Table A.2.1.1-2 (5 dB)"),
    )
    cpe_gain_dbi: float = Field(
        12.0,
        ge=-10,
        le=40,
        description="Gain of the school's outdoor CPE antenna toward the tower",
        json_schema_extra=_meta("dBi", "Alcance assumption: outdoor LTE CPE panels are 10-15 dBi"),
    )
    cpe_noise_figure_db: float = Field(
        9.0,
        ge=0,
        le=20,
        description="CPE receiver noise figure (downlink)",
        json_schema_extra=_meta("dB", "3GPP TR 36.814 V9.2.0 Table A.2.1.1-3 (UE 9 dB)"),
    )
    cpe_tx_power_dbm: float = Field(
        23.0,
        ge=0,
        le=40,
        description="CPE transmit power (uplink)",
        json_schema_extra=_meta("dBm", "3GPP TS 36.101 V15 Table 6.2.2-1 power class 3"),
    )
    cpe_losses_db: float = Field(
        1.0,
        ge=0,
        le=30,
        description="CPE cable loss plus any penetration loss (0 outdoors)",
        json_schema_extra=_meta("dB", "Alcance assumption: outdoor CPE on a mast, short cable"),
    )
    load_factor: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of each cell's resources used by other traffic in the busy hour (scales interference; the school gets the rest)",
        json_schema_extra=_meta(
            "-", "Alcance assumption; 3GPP TR 36.942 uses 0.5-1.0 loads in coexistence studies"
        ),
    )
    throughput_method: Literal["tr36942", "cqi"] = Field(
        "tr36942",
        description="SINR to spectral efficiency mapping for LTE/NR",
        json_schema_extra=_meta(
            "-",
            "3GPP TR 36.942 Annex A truncated Shannon (alpha 0.6, 4.4 bps/Hz) or TS 36.213 Table 7.2.3-1 CQI",
        ),
    )
    overhead_fraction: float = Field(
        0.25,
        ge=0,
        lt=1,
        description="Share of an LTE/NR channel that carries no user data",
        json_schema_extra=_meta(
            "-",
            "Alcance assumption: 10 % guard band (TS 36.101 Table 5.6-1) + ~15 % control/reference signals (TS 36.211)",
        ),
    )
    mimo_layers: int = Field(
        2,
        ge=1,
        le=8,
        description="Downlink MIMO layers for LTE/NR",
        json_schema_extra=_meta("-", "2x2 MIMO, the LTE baseline (TS 36.306 UE category 4)"),
    )
    umts_peak_mbps: float = Field(
        14.0,
        gt=0,
        le=100,
        description="Peak HSDPA rate of a 5 MHz UMTS carrier",
        json_schema_extra=_meta(
            "Mbit/s", "3GPP TS 25.306 Table 5.1a, HS-DSCH category 10 (14.0 Mbit/s)"
        ),
    )
    gsm_peak_mbps: float = Field(
        0.236,
        gt=0,
        le=2,
        description="Peak EDGE rate of one GSM carrier (4 timeslots x MCS-9)",
        json_schema_extra=_meta("Mbit/s", "3GPP TS 44.060 MCS-9 59.2 kbit/s per timeslot x 4"),
    )
    share_cell_among_schools: bool = Field(
        False,
        description="Split a cell's free capacity among all the schools it serves (all active at once) instead of giving each school the free capacity",
        json_schema_extra=_meta(
            "-",
            "Alcance default False: the load factor already stands for the busy-hour traffic; the planner's capacity constraints share cells among schools",
        ),
    )
    unknown_technology: TechnologyName = Field(
        "UMTS",
        description="Technology assumed for cells whose technology is not given",
        json_schema_extra=_meta(
            "-", "Alcance assumption; such cells are listed in the run's notes"
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


class Scenario(Section):
    """All assumptions of one run; the TOML file mirrors these sections."""

    region: RegionInputs = Field(default_factory=RegionInputs)
    terrain: TerrainSettings = Field(default_factory=TerrainSettings)
    defaults: SiteDefaults = Field(default_factory=SiteDefaults)
    service: ServiceSettings = Field(default_factory=ServiceSettings)
    satellite: SatelliteSettings = Field(default_factory=SatelliteSettings)
    radio: RadioSettings = Field(default_factory=RadioSettings)
    candidates: CandidateSettings = Field(default_factory=CandidateSettings)
    microwave: MicrowaveSettings = Field(default_factory=MicrowaveSettings)
    backhaul: BackhaulSettings = Field(default_factory=BackhaulSettings)
    cost: CostSettings = Field(default_factory=CostSettings)
    demand: DemandSettings = Field(default_factory=DemandSettings)
    plan: PlanSettings = Field(default_factory=PlanSettings)

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
