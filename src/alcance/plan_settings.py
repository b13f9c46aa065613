"""Scenario section ``[plan]``: what the optimiser maximises or minimises, and within what."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from alcance._settings import Section, meta

__all__ = ["PlanSettings"]


class PlanSettings(Section):
    """The planner's question: objective, budget, cost metric and solver limits."""

    objective: Literal["max_students", "max_schools", "min_cost_all", "min_cost_share"] = Field(
        "max_students",
        description=(
            "max_students / max_schools: connect the most students (schools) within the budget; "
            "min_cost_all: cheapest plan connecting every school that has an option; "
            "min_cost_share: cheapest plan connecting target_share of the students"
        ),
        json_schema_extra=meta(
            "-", "Alcance default: the Giga question 'most students for the money'"
        ),
    )
    budget_usd: float = Field(
        1_000_000.0,
        gt=0,
        description="Budget of the plan in the cost metric (lifetime NPV or CAPEX)",
        json_schema_extra=meta("USD", "Alcance assumption: one million, the unit of a pledge"),
    )
    cost_metric: Literal["npv", "capex"] = Field(
        "npv",
        description="What the budget counts: lifetime net present cost (CAPEX + discounted OPEX) or CAPEX only",
        json_schema_extra=meta(
            "-", "Alcance default: lifetime cost (Giga cost model reports total cost of ownership)"
        ),
    )
    target_share: float = Field(
        0.9,
        gt=0,
        le=1,
        description="Share of the students to connect with objective = min_cost_share",
        json_schema_extra=meta("fraction", "Alcance assumption"),
    )
    sweep_points: int = Field(
        8,
        ge=0,
        le=50,
        description="Budgets solved for the cost-coverage curve (0 = no sweep)",
        json_schema_extra=meta("-", "Alcance default"),
    )
    time_limit_s: float = Field(
        60.0,
        gt=0,
        description="Time limit of one MILP solve",
        json_schema_extra=meta("s", "Alcance default"),
    )
    mip_rel_gap: float = Field(
        1e-3,
        ge=0,
        lt=1,
        description="Relative MIP gap at which HiGHS stops",
        json_schema_extra=meta("fraction", "Alcance default (0.1 %)"),
    )
    only_functioning: bool = Field(
        True,
        description="Plan only schools reported functioning (closed or in-recess schools are listed, not connected)",
        json_schema_extra=meta("-", "Alcance policy"),
    )
    use_new_sites: bool = Field(
        True,
        description="Offer new towers at candidate sites",
        json_schema_extra=meta("-", "Alcance default"),
    )
    use_satellite: bool = Field(
        True,
        description="Offer a GEO terminal where the satellite is visible and the link closes",
        json_schema_extra=meta("-", "Alcance default"),
    )
    use_school_microwave: bool = Field(
        True,
        description="Offer a microwave hop from the school to a point of presence",
        json_schema_extra=meta("-", "Alcance default"),
    )
    use_school_fibre: bool = Field(
        True,
        description="Offer a fibre run from the school to the nearest fibre node (needs fibre nodes)",
        json_schema_extra=meta("-", "Alcance default"),
    )
