"""Scenario section ``[backhaul]``: how sites reach the core network (fibre and relays)."""

from __future__ import annotations

from pydantic import Field

from alcance._settings import Section, meta

__all__ = ["BackhaulSettings"]


class BackhaulSettings(Section):
    """Fibre routing and multi-hop backhaul route search."""

    fibre_routing_factor: float = Field(
        1.3,
        ge=1.0,
        le=5.0,
        description=(
            "Ratio of fibre route length to straight-line (geodesic) distance, used when "
            "no road network is given or a site cannot be snapped to it"
        ),
        json_schema_extra=meta(
            "-",
            "Alcance assumption: 1.3 for rural, hilly regions. Measured road circuity is "
            "~1.2 on urban grids (Newell 1980), 1.21-1.23 around transit stations "
            "(O'Sullivan 1996), and most national factors of Ballou, Rahardja & Sakai, "
            "'Selected country circuity factors for road travel distance estimation', "
            "Transportation Research Part A 36(9) 843-848 (2002) lie between 1.2 and 1.4; "
            "mountain roads run longer",
        ),
    )
    max_fibre_km: float = Field(
        50.0,
        gt=0,
        le=1000,
        description="Longest fibre run proposed from a site to its nearest fibre node",
        json_schema_extra=meta(
            "km",
            "ITU/Giga Connectivity Planning Platform (FNS-Division/cpp-user-guide, "
            "docs/models.md, fibre model parameters): max_connection_distance = 50,000 m",
        ),
    )
    road_snap_max_m: float = Field(
        2_000.0,
        ge=0,
        le=100_000,
        description=(
            "Farthest a site or fibre node may be from the road network and still be "
            "joined to it by a straight spur; farther away, the geodesic x routing "
            "factor estimate is used"
        ),
        json_schema_extra=meta(
            "m",
            "Alcance assumption: a 2 km spur is a short cross-country trench; beyond it "
            "the road layer probably misses the access track",
        ),
    )
    fibre_capacity_mbps: float = Field(
        10_000.0,
        gt=0,
        le=1_000_000,
        description="Capacity of a new fibre link (the port at each end)",
        json_schema_extra=meta(
            "Mbit/s",
            "Alcance assumption: one 10GBASE-LR port (IEEE 802.3 clause 52, 10 km reach); "
            "the ITU/Giga CPP caps fibre throughput at 15,000 Mbps (cpp-user-guide, "
            "docs/models.md, max_throughput_fibre)",
        ),
    )
    max_hops: int = Field(
        4,
        ge=1,
        le=10,
        description="Most links (microwave or fibre) in one backhaul route to a point of presence",
        json_schema_extra=meta(
            "links",
            "Alcance assumption: rural microwave chains of 3-4 hops are usual; every "
            "hop multiplies unavailability and adds latency and a relay site to build",
        ),
    )
    routes_per_site: int = Field(
        3,
        ge=1,
        le=20,
        description="Cheapest distinct routes kept per site for the optimiser to choose from",
        json_schema_extra=meta(
            "routes",
            "Alcance assumption: alternatives let the optimiser share relays between "
            "sites; more than a few rarely change the plan and grow the MILP",
        ),
    )
    existing_towers_are_pops: bool = Field(
        True,
        description=(
            "Treat every in-service macro tower as already having backhaul to its "
            "operator's core (a point of presence a new hop may end at)"
        ),
        json_schema_extra=meta(
            "-",
            "Alcance assumption: an in-service macro site carries traffic, so it has "
            "backhaul; its spare capacity and the operator's consent are not modelled",
        ),
    )
