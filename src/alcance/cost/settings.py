"""Scenario section ``[cost]``: prices, horizon and discount rate of the terrestrial options.

Satellite terminal and capacity prices stay in ``[satellite]``
(:class:`alcance.scenario.SatelliteSettings`); :func:`alcance.cost.model.satellite_npv`
only discounts the CAPEX/OPEX that :func:`alcance.satellite.service.satellite_costs`
computes from them. The power prices here (solar kit, grid tariff) serve every
technology, the satellite terminal included. All amounts are in :attr:`CostSettings.currency` (USD by default),
real (constant) money, so :attr:`CostSettings.discount_rate` is a real rate.
"""

from __future__ import annotations

from pydantic import Field

from alcance._settings import Section, meta

__all__ = ["CostSettings"]

_PYTAL = "Oughton et al., edwardoughton/pytal scripts/run.py @01a654da (COSTS / GLOBAL_PARAMETERS)"
_GIGA_BR = (
    "UNICEF Giga open cost model, unicef/giga-open-cost-model conf/countries/brazil.json @0470726d"
)
_ECU = "raulavilesrodriguez/expansionSMAv0 costeo/costosUnidad.R @a60d974a (Ecuadorian operator unit costs)"

_USD_MAX = 1e9


class CostSettings(Section):
    """Prices of the terrestrial connection options and how they are discounted."""

    # ------------------------------------------------------------------ money over time
    currency: str = Field(
        "USD",
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code of every amount in this section (labels only; no conversion)",
        json_schema_extra=meta("-", "Alcance default: every cited source is in USD"),
    )
    horizon_years: int = Field(
        10,
        ge=1,
        le=50,
        description="Appraisal horizon: OPEX is counted for years 1..horizon",
        json_schema_extra=meta(
            "years",
            f"{_PYTAL} 'return_period': 10; the Giga cost model counts 5 years of OPEX "
            f"({_GIGA_BR} scenario.years_opex)",
        ),
    )
    discount_rate: float = Field(
        0.06,
        ge=0,
        le=0.5,
        description="Real social discount rate per year (0.06 = 6 %)",
        json_schema_extra=meta(
            "1/year",
            "Chile's official social discount rate (tasa social de descuento) of 6 % used by "
            "the Ministerio de Desarrollo Social for public project appraisal (MIDEPLAN 2008 "
            "estimate, cited as in force by repositorio.uchile.cl handle 2250/113517); "
            f"{_PYTAL} uses 5 %",
        ),
    )
    maintenance_fraction_per_year: float = Field(
        0.10,
        ge=0,
        le=1,
        description="Yearly maintenance of a new tower site as a share of its CAPEX",
        json_schema_extra=meta("1/year", f"{_PYTAL} 'opex_percentage_of_capex': 10"),
    )

    # ------------------------------------------------- school on existing mobile coverage
    cpe_capex_usd: float = Field(
        301.0,
        ge=0,
        le=_USD_MAX,
        description="Outdoor LTE CPE (router + antenna) at the school, installed",
        json_schema_extra=meta(
            "USD",
            f"{_GIGA_BR} cellular.capex.fixed_costs = 301 (equipment installed at the school)",
        ),
    )
    cpe_installation_usd: float = Field(
        0.0,
        ge=0,
        le=_USD_MAX,
        description="Installation of the CPE when quoted apart from the kit",
        json_schema_extra=meta(
            "USD", f"0: installation is inside cpe_capex_usd in {_GIGA_BR}; set when quoted apart"
        ),
    )
    cpe_lifetime_years: float = Field(
        5.0,
        gt=0,
        le=50,
        description="CPE service life; the CPE is bought again at each multiple within the horizon",
        json_schema_extra=meta(
            "years", "Alcance assumption: consumer-grade outdoor LTE routers last about 5 years"
        ),
    )
    cpe_maintenance_usd_per_year: float = Field(
        30.0,
        ge=0,
        le=_USD_MAX,
        description="CPE upkeep (visits, spares) per year",
        json_schema_extra=meta(
            "USD/year", f"Alcance assumption: 10 % of cpe_capex_usd a year, the rule of {_PYTAL}"
        ),
    )
    cpe_power_w: float = Field(
        10.0,
        ge=0,
        le=10_000,
        description="Average electrical draw of the CPE (sizes the school's solar kit off grid)",
        json_schema_extra=meta(
            "W",
            f"Alcance assumption: outdoor LTE CPEs draw 5-15 W; {_GIGA_BR} cellular "
            "required_power 10 kWh/year (≈1.1 W) is lower",
        ),
    )
    mobile_data_usd_per_mbps_month: float = Field(
        128.0 / 12.0,
        ge=0,
        le=100_000,
        description="Mobile data plan price per Mbit/s of school demand per month",
        json_schema_extra=meta(
            "USD/(Mbit/s)/month",
            f"{_GIGA_BR} cellular.opex.annual_bandwidth_cost_per_mbps = 128 USD/year, ÷ 12",
        ),
    )

    # ------------------------------------------------------------------------ new tower
    tower_reference_usd: float = Field(
        10_000.0,
        ge=0,
        le=_USD_MAX,
        description="Mast/tower structure of the reference height",
        json_schema_extra=meta(
            "USD",
            "Alcance assumption: 10000, twice 'tower': 5000 of "
            f"{_PYTAL}, as another COSTS table of the same pytal family uses 10000 "
            "(one price for every height; see tower_reference_height_m)",
        ),
    )
    tower_reference_height_m: float = Field(
        30.0,
        gt=0,
        le=300,
        description="Height that tower_reference_usd buys; the price scales linearly with height",
        json_schema_extra=meta(
            "m",
            "Alcance assumption: pytal gives one tower price without height; taken at Alcance's "
            "default 30 m tower (SiteDefaults.tower_height_m) and scaled linearly (steel mass "
            "of lattice masts grows roughly with height)",
        ),
    )
    civil_works_usd: float = Field(
        5_000.0,
        ge=0,
        le=_USD_MAX,
        description="Foundations, fencing, equipment plinth",
        json_schema_extra=meta("USD", f"{_PYTAL} 'civil_materials': 5000"),
    )
    transport_usd: float = Field(
        5_000.0,
        ge=0,
        le=_USD_MAX,
        description="Transport of materials and crew to the site",
        json_schema_extra=meta("USD", f"{_PYTAL} 'transportation': 5000"),
    )
    site_installation_usd: float = Field(
        5_000.0,
        ge=0,
        le=_USD_MAX,
        description="Erection and installation labour at a new site",
        json_schema_extra=meta("USD", f"{_PYTAL} 'installation': 5000"),
    )
    site_acquisition_usd: float = Field(
        2_000.0,
        ge=0,
        le=_USD_MAX,
        description="Land search, permits and legal work for a new site",
        json_schema_extra=meta(
            "USD",
            "Alcance assumption: rural permits and survey; pytal's later COSTS variant puts "
            "500 USD each on administration, facilities and spectrum per site",
        ),
    )
    ran_equipment_usd: float = Field(
        25_500.0,
        ge=0,
        le=_USD_MAX,
        description="Radio access equipment of a 3-sector LTE site (antennas, RRUs, BBU, router)",
        json_schema_extra=meta(
            "USD",
            f"{_PYTAL}: 3 × (antenna 1500 + RRU 4000) + fronthaul/processing/S1-X2/control "
            "4 × 1500 + cooling 250 + power converter 250 + BBU cabinet 500 + router 2000; "
            f"{_ECU} eNodeB 36412-46740",
        ),
    )
    site_power_w: float = Field(
        1_000.0,
        gt=0,
        le=100_000,
        description="Average electrical load of a new rural LTE site",
        json_schema_extra=meta(
            "W", "Alcance assumption: a 3-sector single-band LTE macro site draws 0.8-2 kW"
        ),
    )
    grid_connection_usd: float = Field(
        5_000.0,
        ge=0,
        le=_USD_MAX,
        description="Grid connection with battery backup and rectifiers at a site that has grid power",
        json_schema_extra=meta("USD", f"{_PYTAL} 'power_generator_battery_system': 5000"),
    )
    solar_kit_capex_usd_per_w: float = Field(
        8.0,
        ge=0,
        le=1000,
        description="Off-grid solar + battery system per watt of continuous load (sites and schools without grid)",
        json_schema_extra=meta(
            "USD/W",
            "Alcance assumption (panel, charge controller and 2-day battery sized for the load); "
            f"{_GIGA_BR} electricity.capex.solar_cost_per_watt = 2.7 is per peak panel watt",
        ),
    )
    grid_power_usd_per_kwh: float = Field(
        0.14,
        ge=0,
        le=10,
        description="Grid electricity tariff at sites and schools with grid power",
        json_schema_extra=meta("USD/kWh", f"{_GIGA_BR} electricity.opex.cost_per_kwh = 0.14"),
    )
    site_rent_usd_per_year: float = Field(
        1_000.0,
        ge=0,
        le=_USD_MAX,
        description="Land rent of a rural site",
        json_schema_extra=meta("USD/year", f"{_PYTAL} 'site_rental_rural': 1000"),
    )

    # ---------------------------------------------------------------------- microwave hop
    microwave_radio_pair_usd: float = Field(
        10_794.0,
        ge=0,
        le=_USD_MAX,
        description="Radios (ODU + IDU) at both ends of one hop, without antennas",
        json_schema_extra=meta(
            "USD",
            f"{_ECU} radio.100.min = 10794 (max 16088), read as the radios of one link; "
            f"{_PYTAL} prices whole links "
            "at 20000/30000/60000 by distance class",
        ),
    )
    microwave_antenna_usd_per_m: float = Field(
        1_500.0,
        ge=0,
        le=_USD_MAX,
        description="Price of one parabolic antenna per metre of diameter (two per hop)",
        json_schema_extra=meta(
            "USD/m",
            "Alcance assumption: 0.6 m ≈ 900 USD to 1.8 m ≈ 2700 USD, order of list prices",
        ),
    )
    microwave_installation_usd: float = Field(
        1_356.0,
        ge=0,
        le=_USD_MAX,
        description="Installation and alignment of one hop",
        json_schema_extra=meta("USD", f"{_ECU} micro.install.min = 1356 (max 2329)"),
    )
    microwave_maintenance_usd_per_year: float = Field(
        1_652.61,
        ge=0,
        le=_USD_MAX,
        description="Maintenance of one hop per year",
        json_schema_extra=meta("USD/year", f"{_ECU} micro.mantenimiento = 1652.61"),
    )
    microwave_licence_usd_per_year: float = Field(
        1_908.0,
        ge=0,
        le=_USD_MAX,
        description="Spectrum licence fee of one licensed hop per year (unlicensed bands pay none)",
        json_schema_extra=meta(
            "USD/year",
            f"{_ECU} costo.frecuencia = 1908; override with the national (e.g. SUBTEL) fee schedule",
        ),
    )
    microwave_unlicensed_bands_ghz: tuple[tuple[float, float], ...] = Field(
        ((2.4, 2.5), (5.15, 5.875), (57.0, 71.0)),
        description="Licence-exempt bands as (low, high) GHz pairs; a hop whose band falls inside pays no licence",
        json_schema_extra=meta(
            "GHz",
            "ITU Radio Regulations ISM/RLAN allocations (2.4 GHz ISM, 5 GHz RLAN, 57-71 GHz "
            "V-band); national rules differ — override per country",
        ),
    )

    # ---------------------------------------------------------------------------- fibre
    fibre_usd_per_km: float = Field(
        5_000.0,
        ge=0,
        le=_USD_MAX,
        description="Building one km of fibre route (cable, poles/duct, labour)",
        json_schema_extra=meta(
            "USD/km",
            f"{_GIGA_BR} fiber.capex.cost_per_km = 5000; {_ECU} 1900-4329 cable + 1231 "
            "installation per km",
        ),
    )
    fibre_maintenance_usd_per_km_year: float = Field(
        100.0,
        ge=0,
        le=_USD_MAX,
        description="Fibre route maintenance per km per year",
        json_schema_extra=meta(
            "USD/(km·year)",
            f"{_GIGA_BR} fiber.opex.cost_per_km = 100; {_ECU} fibkm.mantenimiento = 154",
        ),
    )
    fibre_node_usd: float = Field(
        2_000.0,
        ge=0,
        le=_USD_MAX,
        description="Connection at the fibre node and the far end (splice closures, optics) per run",
        json_schema_extra=meta(
            "USD",
            f"Alcance assumption: splices and a pair of optical ports; {_GIGA_BR} "
            "fiber.capex.fixed_costs = 0",
        ),
    )
