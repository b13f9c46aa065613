"""CAPEX, yearly OPEX and net present value of each connection option (pure, no I/O).

Every function takes arrays (or scalars, broadcast together) and returns a
:class:`Cost` of float64 arrays of the broadcast shape.

Shared infrastructure is costed once. The functions price **one asset** each — a
tower site (:func:`new_tower_cost`), a microwave hop (:func:`microwave_hop_cost`), a
fibre run (:func:`fibre_cost`) — or **one school's own equipment**
(:func:`existing_coverage_cost`, :func:`school_power_cost`, :func:`satellite_npv`).
Nothing here splits an asset between the schools it serves: the optimiser adds each
asset's cost once however many schools use it, and adds each school's own cost per
school.

Conventions (stated once, used everywhere): CAPEX is spent at the start of year
``capex_year`` (0 = now) and discounted by ``(1 + r) ** -capex_year``; OPEX is paid at
the **end** of each year ``1 .. horizon_years``; amounts are real (constant money) and
``r`` is a real discount rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.typing import NDArray

from alcance._arrays import ranged
from alcance.cost.settings import CostSettings
from alcance.errors import InputError

__all__ = [
    "HOURS_PER_YEAR",
    "Cost",
    "Flags",
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

#: Hours in a (non-leap) year, for energy from an average load.
HOURS_PER_YEAR = 8760.0

_F64 = NDArray[np.float64]

#: True / False / missing per school or site (bools, ``None``, ``pd.NA``, nullable Series).
Flags: TypeAlias = npt.ArrayLike | pd.Series | Sequence[bool | None] | None
_USD_MAX = 1e12


class Cost(NamedTuple):
    """CAPEX, OPEX per year and NPV of one option, each an array of the same shape."""

    capex_usd: _F64
    opex_usd_per_year: _F64
    npv_usd: _F64


# ------------------------------------------------------------------------- discounting


def annuity_factor(*, horizon_years: npt.ArrayLike, discount_rate: npt.ArrayLike) -> _F64:
    """Present value of 1 paid at the end of each year ``1 .. horizon_years``.

    Parameters
    ----------
    horizon_years
        Number of yearly payments, ≥ 0 (whole years; fractions are refused).
    discount_rate
        Real discount rate per year, in [0, 1].

    Returns
    -------
    ndarray
        ``A = sum_{t=1..H} (1 + r) ** -t = (1 - (1 + r) ** -H) / r``, and ``A = H``
        when ``r = 0``.

    Raises
    ------
    InputError
        For a negative or fractional horizon or a rate outside [0, 1].

    References
    ----------
    Ordinary annuity (present value of an annuity-immediate); e.g. HM Treasury Green
    Book (2022) Annex A6 discount factors ``1 / (1 + r) ** t``.
    """
    h = ranged("horizon_years", horizon_years, 0.0, 1000.0)
    if np.any(h != np.floor(h)):
        msg = f"horizon_years must be whole years, got {h[h != np.floor(h)].flat[0]!r}"
        raise InputError(msg, field="horizon_years")
    r = ranged("discount_rate", discount_rate, 0.0, 1.0)
    h, r = np.broadcast_arrays(h, r)
    out = np.array(h, dtype=np.float64, copy=True)
    pos = r > 0
    out[pos] = (1.0 - (1.0 + r[pos]) ** -h[pos]) / r[pos]
    return out


def npv_usd(
    capex_usd: npt.ArrayLike,
    opex_usd_per_year: npt.ArrayLike,
    *,
    horizon_years: npt.ArrayLike,
    discount_rate: npt.ArrayLike,
    capex_year: npt.ArrayLike = 0,
) -> _F64:
    """Net present cost of a CAPEX and a constant yearly OPEX.

    Parameters
    ----------
    capex_usd
        Investment (currency units), ≥ 0, spent at the start of year ``capex_year``.
    opex_usd_per_year
        Running cost per year, ≥ 0, paid at the end of each year 1 .. ``horizon_years``.
    horizon_years
        Appraisal horizon (whole years, ≥ 0).
    discount_rate
        Real discount rate per year, in [0, 1].
    capex_year
        Year the CAPEX is spent (0 = now), ≥ 0.

    Returns
    -------
    ndarray
        ``NPV = CAPEX (1 + r) ** -y0 + OPEX · A(H, r)`` (see :func:`annuity_factor`),
        broadcast over all inputs.

    Raises
    ------
    InputError
        For negative amounts, a bad horizon or a rate outside [0, 1].

    Examples
    --------
    >>> float(npv_usd(1000.0, 100.0, horizon_years=5, discount_rate=0.10).round(2))
    1379.08
    """
    capex = ranged("capex_usd", capex_usd, 0.0, _USD_MAX)
    opex = ranged("opex_usd_per_year", opex_usd_per_year, 0.0, _USD_MAX)
    y0 = ranged("capex_year", capex_year, 0.0, 1000.0)
    r = ranged("discount_rate", discount_rate, 0.0, 1.0)
    a = annuity_factor(horizon_years=horizon_years, discount_rate=r)
    return np.asarray(capex * (1.0 + r) ** -y0 + opex * a, dtype=np.float64)


def _replacements_pv(
    capex: _F64, *, lifetime_years: float, horizon_years: int, discount_rate: float
) -> _F64:
    """Present value of buying ``capex`` again at years L, 2L, … strictly before H."""
    years = np.arange(lifetime_years, horizon_years, lifetime_years, dtype=np.float64)
    factor = float(np.sum((1.0 + discount_rate) ** -years)) if years.size else 0.0
    return capex * factor


def _cost(capex: npt.ArrayLike, opex: npt.ArrayLike, settings: CostSettings) -> Cost:
    capex_a, opex_a = np.broadcast_arrays(
        np.asarray(capex, dtype=np.float64), np.asarray(opex, dtype=np.float64)
    )
    npv = npv_usd(
        capex_a,
        opex_a,
        horizon_years=settings.horizon_years,
        discount_rate=settings.discount_rate,
    )
    return Cost(capex_a.copy(), opex_a.copy(), npv)


# ----------------------------------------------------------------------------- power


def _has_grid(name: str, value: Flags) -> NDArray[np.bool_]:
    """True / False / missing → bool, missing read as grid (``True``)."""
    try:
        flags = pd.array(np.asarray(value, dtype=object).ravel(), dtype="boolean")
    except (TypeError, ValueError) as exc:
        msg = f"{name} must be True, False or missing, got {value!r}"
        raise InputError(msg, field=name) from exc
    shape = np.shape(np.asarray(value, dtype=object))
    return np.asarray(flags.fillna(True), dtype=bool).reshape(shape)


def school_power_cost(
    has_electricity: Flags,
    load_w: npt.ArrayLike,
    settings: CostSettings,
) -> Cost:
    """Electricity for a school's terrestrial equipment: grid tariff or an off-grid solar kit.

    Parameters
    ----------
    has_electricity
        Per school True / False / missing (``None``, ``pd.NA``). Missing is costed as
        grid-connected, as :func:`alcance.satellite.service.satellite_costs` does.
    load_w
        Average electrical draw of the equipment to power (W), ≥ 0.
    settings
        ``solar_kit_capex_usd_per_w``, ``grid_power_usd_per_kwh``, horizon and rate.

    Returns
    -------
    Cost
        Off grid (``False``): CAPEX = USD/W × load, OPEX = 0 (the kit's upkeep is in the
        equipment's maintenance). On grid: CAPEX = 0, OPEX = load × 8760 h / 1000 ×
        tariff.

    Raises
    ------
    InputError
        For an unreadable ``has_electricity`` or a negative load.
    """
    grid = _has_grid("has_electricity", has_electricity)
    load = ranged("load_w", load_w, 0.0, 1e7)
    grid, load = np.broadcast_arrays(grid, load)
    capex = np.where(grid, 0.0, settings.solar_kit_capex_usd_per_w * load)
    opex = np.where(grid, load * HOURS_PER_YEAR / 1000.0 * settings.grid_power_usd_per_kwh, 0.0)
    return _cost(capex, opex, settings)


# ------------------------------------------------------------------------ the options


def tower_upgrade_cost(n_sites: int, settings: CostSettings) -> Cost:
    """Adding the plan's LTE cell to an existing, powered tower, **excluding backhaul**.

    A shared asset. The structure, civil works, site acquisition and power connection
    exist already (the tower is in service on the grid); the plan pays the RAN
    equipment, its transport and installation, and the extra energy and maintenance.
    Rent is assumed unchanged (co-location on the operator's own tower).

    Returns
    -------
    Cost
        CAPEX = RAN + transport + installation; OPEX = maintenance fraction × CAPEX +
        energy of ``site_power_w`` on the grid (one value per site, ``n_sites`` rows).

    References
    ----------
    Cost items of Oughton et al., pytal (edwardoughton/pytal scripts/run.py COSTS);
    the upgrade subset is an Alcance assumption.
    """
    if n_sites < 0:
        msg = f"n_sites must be >= 0, got {n_sites!r}"
        raise InputError(msg, field="n_sites")
    s = settings
    capex = np.full(n_sites, s.ran_equipment_usd + s.transport_usd + s.site_installation_usd)
    energy = s.site_power_w * HOURS_PER_YEAR / 1000.0 * s.grid_power_usd_per_kwh
    opex = s.maintenance_fraction_per_year * capex + energy
    return _cost(capex, opex, settings)


def existing_coverage_cost(
    demand_mbps: npt.ArrayLike,
    has_electricity: Flags,
    settings: CostSettings,
) -> Cost:
    """One school connected through existing mobile coverage: CPE, data plan, power.

    A per-school cost (no shared asset).

    Parameters
    ----------
    demand_mbps
        Demand bought as a data plan per school (Mbit/s), ≥ 0.
    has_electricity
        Per school True / False / missing (missing = grid, see :func:`school_power_cost`).
    settings
        ``cpe_*``, ``mobile_data_usd_per_mbps_month``, power prices, horizon and rate.

    Returns
    -------
    Cost
        CAPEX = CPE + installation (+ solar kit for the CPE off grid); OPEX = demand ×
        price × 12 + CPE maintenance (+ CPE energy on grid); NPV = the discounted sum
        **plus** the CPE bought again every ``cpe_lifetime_years`` before the horizon
        (so NPV > ``npv_usd(capex, opex)`` when the CPE wears out within the horizon).

    Raises
    ------
    InputError
        For negative demand or an unreadable ``has_electricity``.

    References
    ----------
    Cost structure of the cellular option of the UNICEF Giga open cost model
    (unicef/giga-open-cost-model docs/models.md, "Cellular Cost Model").
    """
    demand = ranged("demand_mbps", demand_mbps, 0.0, 1e9)
    power = school_power_cost(has_electricity, settings.cpe_power_w, settings)
    demand, p_capex, p_opex = np.broadcast_arrays(demand, power.capex_usd, power.opex_usd_per_year)
    cpe = settings.cpe_capex_usd + settings.cpe_installation_usd
    capex = cpe + p_capex
    opex = (
        demand * settings.mobile_data_usd_per_mbps_month * 12.0
        + settings.cpe_maintenance_usd_per_year
        + p_opex
    )
    base = _cost(capex, opex, settings)
    again = _replacements_pv(
        np.full(capex.shape, cpe),
        lifetime_years=settings.cpe_lifetime_years,
        horizon_years=settings.horizon_years,
        discount_rate=settings.discount_rate,
    )
    return Cost(base.capex_usd, base.opex_usd_per_year, base.npv_usd + again)


def new_tower_cost(
    mast_height_m: npt.ArrayLike,
    has_grid: Flags,
    settings: CostSettings,
) -> Cost:
    """One new LTE tower site, **excluding backhaul** (price hops/fibre separately).

    A shared asset: add it once however many schools it serves.

    Parameters
    ----------
    mast_height_m
        Mast height (m), in (0, 300].
    has_grid
        True / False / missing per site; missing = grid (as for schools).
    settings
        Tower, civil, RAN, power, rent and maintenance prices, horizon and rate.

    Returns
    -------
    Cost
        CAPEX = tower_reference_usd × h / tower_reference_height_m + civil works +
        transport + installation + site acquisition + RAN + power (grid connection, or
        solar kit USD/W × site load off grid). OPEX = maintenance fraction × CAPEX + rent
        (+ site energy on grid).

    Raises
    ------
    InputError
        For a height outside (0, 300] m or an unreadable ``has_grid``.

    References
    ----------
    Cost items of Oughton et al., pytal (edwardoughton/pytal scripts/run.py COSTS).
    """
    h = ranged("mast_height_m", mast_height_m, 0.0, 300.0)
    if np.any(h <= 0):
        msg = f"mast_height_m must be > 0, got {h[h <= 0].flat[0]!r}"
        raise InputError(msg, field="mast_height_m")
    grid = _has_grid("has_grid", has_grid)
    h, grid = np.broadcast_arrays(h, grid)
    s = settings
    structure = s.tower_reference_usd * h / s.tower_reference_height_m
    fixed = (
        s.civil_works_usd
        + s.transport_usd
        + s.site_installation_usd
        + s.site_acquisition_usd
        + s.ran_equipment_usd
    )
    power_capex = np.where(
        grid, s.grid_connection_usd, s.solar_kit_capex_usd_per_w * s.site_power_w
    )
    capex = structure + fixed + power_capex
    energy = np.where(
        grid, s.site_power_w * HOURS_PER_YEAR / 1000.0 * s.grid_power_usd_per_kwh, 0.0
    )
    opex = s.maintenance_fraction_per_year * capex + s.site_rent_usd_per_year + energy
    return _cost(capex, opex, settings)


def _licensed(band_ghz: _F64, bands: tuple[tuple[float, float], ...]) -> NDArray[np.bool_]:
    free = np.zeros(band_ghz.shape, dtype=bool)
    for lo, hi in bands:
        free |= (band_ghz >= lo) & (band_ghz <= hi)
    return ~free


def microwave_hop_cost(
    distance_m: npt.ArrayLike,
    band_ghz: npt.ArrayLike,
    dish_m: npt.ArrayLike,
    settings: CostSettings,
) -> Cost:
    """One point-to-point microwave hop (both ends), excluding the masts it hangs on.

    A shared asset: add it once however many schools its route serves.

    Parameters
    ----------
    distance_m
        Hop length (m), in [0, 200 km]. It does not change the price directly: the link
        budget (``alcance.backhaul``) turns distance into band and dish size, and those
        are priced here.
    band_ghz
        Carrier frequency (GHz), in [1, 100]. Hops inside
        ``microwave_unlicensed_bands_ghz`` pay no licence.
    dish_m
        Antenna diameter at each end (m), in (0, 5].
    settings
        ``microwave_*`` prices, horizon and rate.

    Returns
    -------
    Cost
        CAPEX = radio pair + 2 × USD/m × dish + installation; OPEX = maintenance +
        licence (licensed bands only).

    Raises
    ------
    InputError
        For a distance, band or dish size out of range.
    """
    d = ranged("distance_m", distance_m, 0.0, 200_000.0)
    f = ranged("band_ghz", band_ghz, 1.0, 100.0)
    dish = ranged("dish_m", dish_m, 0.0, 5.0)
    if np.any(dish <= 0):
        msg = f"dish_m must be > 0, got {dish[dish <= 0].flat[0]!r}"
        raise InputError(msg, field="dish_m")
    d, f, dish = np.broadcast_arrays(d, f, dish)
    s = settings
    capex = (
        s.microwave_radio_pair_usd
        + 2.0 * s.microwave_antenna_usd_per_m * dish
        + s.microwave_installation_usd
    )
    licence = np.where(
        _licensed(f, s.microwave_unlicensed_bands_ghz), s.microwave_licence_usd_per_year, 0.0
    )
    opex = s.microwave_maintenance_usd_per_year + licence
    return _cost(capex, opex, settings)


def fibre_cost(length_m: npt.ArrayLike, settings: CostSettings) -> Cost:
    """One fibre run of a given route length, with its end connections.

    A shared asset: add it once however many schools its route serves. Give the
    **route** length (along roads, or geodesic × routing factor), not the crow-flies
    distance.

    Parameters
    ----------
    length_m
        Route length (m), in [0, 10 000 km].
    settings
        ``fibre_*`` prices, horizon and rate.

    Returns
    -------
    Cost
        CAPEX = USD/km × L/1000 + node connection; OPEX = USD/(km·year) × L/1000.

    Raises
    ------
    InputError
        For a negative or absurd length.

    References
    ----------
    UNICEF Giga open cost model, fibre model: cost = cost_per_km × distance + fixed
    costs (unicef/giga-open-cost-model docs/models.md, "Fiber Cost Model").
    """
    km = ranged("length_m", length_m, 0.0, 1e7) / 1000.0
    capex = settings.fibre_usd_per_km * km + settings.fibre_node_usd
    opex = settings.fibre_maintenance_usd_per_km_year * km
    return _cost(capex, opex, settings)


def satellite_npv(
    capex_usd: npt.ArrayLike, opex_usd_per_year: npt.ArrayLike, settings: CostSettings
) -> Cost:
    """Discount the per-school VSAT CAPEX/OPEX of ``satellite_costs`` over the horizon.

    A per-school cost. The prices themselves live in ``[satellite]``; pass
    ``geo_capex_usd`` and ``geo_opex_usd_per_year`` from
    :func:`alcance.satellite.service.satellite_costs`.

    Raises
    ------
    InputError
        For negative amounts or shapes that do not broadcast.
    """
    capex = ranged("capex_usd", capex_usd, 0.0, _USD_MAX)
    opex = ranged("opex_usd_per_year", opex_usd_per_year, 0.0, _USD_MAX)
    try:
        np.broadcast_shapes(capex.shape, opex.shape)
    except ValueError as exc:
        msg = f"capex_usd has shape {capex.shape} but opex_usd_per_year has {opex.shape}"
        raise InputError(msg, field="opex_usd_per_year") from exc
    return _cost(capex, opex, settings)
