"""Scenario sections ``[candidates]`` (where new towers may go) and ``[backhaul]`` (how sites reach the core network)."""

from __future__ import annotations

from pydantic import Field, field_validator

from alcance._settings import Section, meta

__all__ = ["BackhaulSettings", "CandidateSettings"]


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
    fibre_node_mast_m: float = Field(
        15.0,
        gt=0,
        le=300,
        description="Height of a microwave dish at a fibre node (a mast on the node's building)",
        json_schema_extra=meta("m", "Alcance assumption: a rooftop mast on an exchange building"),
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


class CandidateSettings(Section):
    """Scenario section ``[candidates]``: where new towers may go and how they are built.

    A new site is one omnidirectional LTE cell (three sectors' power over 360°) using the
    scenario's ``[radio]`` LTE defaults (transmit power, sector gain, feeder loss,
    downtilt, CPE) at ``new_site_freq_mhz``; only frequency and bandwidth are set here.
    """

    search_radius_m: float = Field(
        10_000.0,
        gt=0,
        le=100_000,
        description="Candidates are sought within this distance of an uncovered school",
        json_schema_extra=meta(
            "m",
            "Alcance assumption: a 700 MHz rural macro site reaches an outdoor school CPE "
            "at 1 Mbit/s or more up to ~10 km over Andean terrain; farther sites rarely "
            "clear the intervening ridges",
        ),
    )
    local_max_radius_m: float = Field(
        1_000.0,
        gt=0,
        le=20_000,
        description="A high point is the highest pixel within this radius (local maximum)",
        json_schema_extra=meta(
            "m",
            "Alcance assumption: at 1 km a 3″ SRTM DEM (~90 m) separates distinct summits "
            "without keeping every knoll",
        ),
    )
    candidate_spacing_m: float = Field(
        1_500.0,
        ge=0,
        le=50_000,
        description="Smallest distance between two terrain candidates (high points, ridges)",
        json_schema_extra=meta(
            "m",
            "Alcance assumption: two sites closer than ~1.5 km see nearly the same terrain "
            "from a 15-45 m mast",
        ),
    )
    max_candidates_per_school: int = Field(
        8,
        ge=1,
        le=1000,
        description="Terrain candidates kept per uncovered school (best-placed first)",
        json_schema_extra=meta("-", "Alcance assumption: bounds the planning problem size"),
    )
    max_candidates: int = Field(
        400,
        ge=1,
        le=100_000,
        description="Terrain candidates kept in the whole region (best-placed first)",
        json_schema_extra=meta("-", "Alcance assumption: bounds the planning problem size"),
    )
    min_tpi_m: float = Field(
        5.0,
        ge=0,
        le=1_000,
        description=(
            "A high point must stand at least this far above the mean elevation of its "
            "TPI window (keeps flat valley floors and plains out)"
        ),
        json_schema_extra=meta(
            "m",
            "Alcance assumption: a flat plain or valley floor has TPI ≈ 0; 5 m keeps "
            "metre-scale DEM noise on flats from making 'summits'",
        ),
    )
    ridge_points: bool = Field(
        True,
        description="Also propose ridge points (high topographic position, not summits)",
        json_schema_extra=meta("-", "Alcance assumption"),
    )
    ridge_tpi_radius_m: float = Field(
        1_000.0,
        gt=0,
        le=20_000,
        description=(
            "Half-width of the square window whose mean elevation the topographic "
            "position index (TPI) compares each pixel with"
        ),
        json_schema_extra=meta(
            "m",
            "Alcance assumption, same scale as local_max_radius_m (Weiss 2001 uses "
            "neighbourhoods of a few hundred metres to a few kilometres)",
        ),
    )
    ridge_tpi_sd: float = Field(
        1.0,
        gt=0,
        le=5,
        description="A pixel is on a ridge when its TPI exceeds this many standard deviations",
        json_schema_extra=meta(
            "-",
            "Weiss, A. (2001) 'Topographic Position and Landforms Analysis', ESRI User "
            "Conference poster: ridge when TPI > +1 SD",
        ),
    )
    include_existing_towers: bool = Field(
        True,
        description="Propose existing tower sites near uncovered schools (upgrade / new cell)",
        json_schema_extra=meta("-", "Alcance assumption: co-location is cheaper than a new site"),
    )
    include_school_masts: bool = Field(
        True,
        description="Propose a mast at every uncovered school itself",
        json_schema_extra=meta("-", "Alcance assumption"),
    )
    school_mast_height_m: float = Field(
        15.0,
        gt=0,
        le=100,
        description="Antenna height of a mast at a school",
        json_schema_extra=meta(
            "m", "Alcance assumption: a guyed or self-supporting lattice mast on school land"
        ),
    )
    mast_heights_m: list[float] = Field(
        default_factory=lambda: [15.0, 30.0, 45.0],
        min_length=1,
        description="Antenna heights evaluated at each high point, ridge or tower site",
        json_schema_extra=meta(
            "m",
            "Alcance assumption: the range of rural supports; SUBTEL registry supports in "
            "Petorca are 18-61 m, median 36 m (see defaults.tower_height_m)",
        ),
    )
    new_site_freq_mhz: float = Field(
        700.0,
        gt=20,
        le=6_000,
        description="Downlink frequency of a new site's LTE cell",
        json_schema_extra=meta(
            "MHz",
            "LTE band 28 (APT 700, 3GPP TS 36.101 Table 5.5-1: downlink 758-803 MHz), the "
            "band Chile tied to rural coverage: SUBTEL's 700 MHz tender (2014) carried the "
            "~1,200 rural localities left by the FDT rural calls (La Tercera, 'Subtel "
            "revalúa bases de licitación para segundo concurso de 4G', 2013) and the "
            "2020-21 700 MHz remainder 366 rural localities (DPL News, 'Chile: Subtel cede "
            "a la presión e incluye obligaciones de cobertura en licitación 5G')",
        ),
    )
    new_site_bandwidth_mhz: float | None = Field(
        None,
        gt=0,
        le=100,
        description="Channel bandwidth of a new site's LTE cell; none = radio.lte_bandwidth_mhz",
        json_schema_extra=meta("MHz", "scenario [radio] lte_bandwidth_mhz"),
    )
    population_receiver_height_m: float = Field(
        1.5,
        gt=0,
        le=30,
        description="Receiver height for counting people served (handset at street level)",
        json_schema_extra=meta("m", "3GPP TR 38.901 Table 7.4.1-1, RMa scenario: UT height 1.5 m"),
    )
    max_population_points: int = Field(
        20_000,
        ge=1,
        le=10_000_000,
        description=(
            "Most population-raster receivers evaluated; pixels are summed in k x k "
            "blocks until at most this many populated blocks remain"
        ),
        json_schema_extra=meta("-", "Alcance assumption: bounds run time"),
    )

    @field_validator("mast_heights_m")
    @classmethod
    def _heights(cls, value: list[float]) -> list[float]:
        if any(not (0.0 < h <= 300.0) for h in value):
            msg = f"mast_heights_m must lie in (0, 300] m, got {value}"
            raise ValueError(msg)
        return sorted({float(h) for h in value})
