"""Cost of the connection options: CAPEX, yearly OPEX and lifetime NPV (pure)."""

from __future__ import annotations

from alcance.cost.model import (
    HOURS_PER_YEAR,
    Cost,
    annuity_factor,
    existing_coverage_cost,
    fibre_cost,
    microwave_hop_cost,
    new_tower_cost,
    npv_usd,
    satellite_npv,
    school_power_cost,
    tower_upgrade_cost,
)
from alcance.cost.settings import CostSettings

__all__ = [
    "HOURS_PER_YEAR",
    "Cost",
    "CostSettings",
    "annuity_factor",
    "existing_coverage_cost",
    "fibre_cost",
    "microwave_hop_cost",
    "new_tower_cost",
    "npv_usd",
    "satellite_npv",
    "school_power_cost",
    "tower_upgrade_cost",
]
