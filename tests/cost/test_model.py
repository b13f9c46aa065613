"""Cost model: NPV and each option's CAPEX/OPEX, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from alcance.cost import (
    CostSettings,
    annuity_factor,
    existing_coverage_cost,
    fibre_cost,
    microwave_hop_cost,
    new_tower_cost,
    npv_usd,
    satellite_npv,
    school_power_cost,
)
from alcance.errors import InputError
from alcance.satellite.service import satellite_costs
from alcance.scenario import SatelliteSettings

# ------------------------------------------------------------------------- discounting


def test_npv_hand_case() -> None:
    # 1000 + 100 * (1 - 1.1**-5) / 0.1 = 1000 + 379.0787 = 1379.0787
    assert npv_usd(1000.0, 100.0, horizon_years=5, discount_rate=0.10) == pytest.approx(
        1379.0787, abs=1e-4
    )


def test_npv_equals_explicit_sum_of_discounted_flows() -> None:
    r, h = 0.07, 12
    explicit = 5000.0 + sum(250.0 / (1.0 + r) ** t for t in range(1, h + 1))
    assert npv_usd(5000.0, 250.0, horizon_years=h, discount_rate=r) == pytest.approx(explicit)


def test_zero_rate_is_undiscounted_sum() -> None:
    assert npv_usd(1000.0, 100.0, horizon_years=5, discount_rate=0.0) == pytest.approx(1500.0)
    # and the r -> 0 limit is continuous
    near = npv_usd(1000.0, 100.0, horizon_years=5, discount_rate=1e-9)
    assert near == pytest.approx(1500.0, rel=1e-6)


def test_capex_year_discounts_capex_only() -> None:
    got = npv_usd(1000.0, 0.0, horizon_years=5, discount_rate=0.10, capex_year=2)
    assert got == pytest.approx(1000.0 / 1.21)


def test_annuity_factor_vectorised_and_zero_horizon() -> None:
    h = np.array([[0], [1], [5], [10]])
    r = np.array([0.0, 0.05, 0.10])
    got = annuity_factor(horizon_years=h, discount_rate=r)
    assert got.shape == (4, 3)
    for i, hh in enumerate(h[:, 0]):
        for j, rr in enumerate(r):
            want = sum((1.0 + rr) ** -t for t in range(1, int(hh) + 1))
            assert got[i, j] == pytest.approx(want)
    assert np.all(got[0] == 0.0)


def test_npv_broadcasts_arrays() -> None:
    capex = np.array([[0.0], [1000.0], [2000.0]])
    opex = np.array([0.0, 100.0, 200.0, 300.0])
    got = npv_usd(capex, opex, horizon_years=5, discount_rate=0.1)
    assert got.shape == (3, 4)
    a = annuity_factor(horizon_years=5, discount_rate=0.1)
    np.testing.assert_allclose(got, capex + opex * a)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"discount_rate": -0.01}, "discount_rate"),
        ({"discount_rate": 1.5}, "discount_rate"),
        ({"horizon_years": 2.5}, "horizon_years"),
        ({"horizon_years": -1}, "horizon_years"),
        ({"capex_year": -1}, "capex_year"),
    ],
)
def test_npv_rejects_bad_options(kwargs: dict[str, float], field: str) -> None:
    args: dict[str, float] = {"horizon_years": 5, "discount_rate": 0.1} | kwargs
    with pytest.raises(InputError) as info:
        npv_usd(1000.0, 100.0, **args)
    assert info.value.field == field


def test_npv_rejects_negative_amounts() -> None:
    with pytest.raises(InputError, match="capex_usd"):
        npv_usd([-1.0, 2.0], 0.0, horizon_years=5, discount_rate=0.1)
    with pytest.raises(InputError, match="opex_usd_per_year"):
        npv_usd(1.0, np.nan, horizon_years=5, discount_rate=0.1)


# ----------------------------------------------------------------------------- power

SIMPLE = CostSettings(
    horizon_years=10,
    discount_rate=0.10,
    solar_kit_capex_usd_per_w=8.0,
    grid_power_usd_per_kwh=0.10,
)


def test_school_power_cost_by_hand() -> None:
    cost = school_power_cost([True, False, None], 10.0, SIMPLE)
    # off grid: 8 USD/W x 10 W; on grid (and unknown): 10 W x 8760 h / 1000 x 0.10 USD/kWh
    np.testing.assert_allclose(cost.capex_usd, [0.0, 80.0, 0.0])
    np.testing.assert_allclose(cost.opex_usd_per_year, [8.76, 0.0, 8.76])
    a = float(annuity_factor(horizon_years=10, discount_rate=0.10))
    np.testing.assert_allclose(cost.npv_usd, [8.76 * a, 80.0, 8.76 * a])


def test_school_power_accepts_nullable_series() -> None:
    flags = pd.Series([True, pd.NA, False], dtype="boolean")
    cost = school_power_cost(flags, 100.0, SIMPLE)
    np.testing.assert_allclose(cost.capex_usd, [0.0, 0.0, 800.0])


def test_school_power_rejects_garbage() -> None:
    with pytest.raises(InputError) as info:
        school_power_cost(["maybe"], 10.0, SIMPLE)
    assert info.value.field == "has_electricity"
    with pytest.raises(InputError, match="load_w"):
        school_power_cost([True], -5.0, SIMPLE)


# ----------------------------------------------------------------- existing coverage


def _cpe_settings(**extra: float) -> CostSettings:
    values: dict[str, float] = {
        "cpe_capex_usd": 300.0,
        "cpe_installation_usd": 50.0,
        "cpe_maintenance_usd_per_year": 20.0,
        "cpe_power_w": 10.0,
        "cpe_lifetime_years": 50.0,
        "mobile_data_usd_per_mbps_month": 10.0,
    } | extra
    return SIMPLE.model_copy(update=values)


def test_existing_coverage_by_hand() -> None:
    s = _cpe_settings()
    cost = existing_coverage_cost([20.0, 20.0], [True, False], s)
    # capex = 300 + 50 (+ 8 x 10 off grid)
    np.testing.assert_allclose(cost.capex_usd, [350.0, 430.0])
    # opex = 20 Mbps x 10 USD x 12 + 20 (+ 8.76 grid energy)
    np.testing.assert_allclose(cost.opex_usd_per_year, [2428.76, 2420.0])
    np.testing.assert_allclose(
        cost.npv_usd,
        npv_usd(cost.capex_usd, cost.opex_usd_per_year, horizon_years=10, discount_rate=0.1),
    )


def test_existing_coverage_replaces_cpe_within_horizon() -> None:
    s = _cpe_settings(cpe_lifetime_years=4.0)
    cost = existing_coverage_cost(10.0, True, s)
    base = npv_usd(cost.capex_usd, cost.opex_usd_per_year, horizon_years=10, discount_rate=0.1)
    # bought again at years 4 and 8 (not at 12 > horizon)
    assert cost.npv_usd == pytest.approx(base + 350.0 * (1.1**-4 + 1.1**-8))


def test_existing_coverage_no_replacement_at_horizon_end() -> None:
    s = _cpe_settings(cpe_lifetime_years=10.0)
    cost = existing_coverage_cost(10.0, True, s)
    base = npv_usd(cost.capex_usd, cost.opex_usd_per_year, horizon_years=10, discount_rate=0.1)
    assert cost.npv_usd == pytest.approx(base)


def test_existing_coverage_grows_with_demand() -> None:
    cost = existing_coverage_cost([1.0, 5.0, 20.0, 100.0], None, CostSettings())
    assert np.all(np.diff(cost.npv_usd) > 0)
    with pytest.raises(InputError, match="demand_mbps"):
        existing_coverage_cost([-1.0], True, CostSettings())


# ----------------------------------------------------------------------------- tower


def test_new_tower_by_hand() -> None:
    s = CostSettings(
        tower_reference_usd=9000.0,
        tower_reference_height_m=30.0,
        civil_works_usd=1000.0,
        transport_usd=2000.0,
        site_installation_usd=3000.0,
        site_acquisition_usd=4000.0,
        ran_equipment_usd=5000.0,
        grid_connection_usd=600.0,
        solar_kit_capex_usd_per_w=10.0,
        site_power_w=500.0,
        grid_power_usd_per_kwh=0.2,
        maintenance_fraction_per_year=0.1,
        site_rent_usd_per_year=700.0,
        horizon_years=5,
        discount_rate=0.05,
    )
    cost = new_tower_cost([30.0, 60.0], [True, False], s)
    fixed = 1000.0 + 2000.0 + 3000.0 + 4000.0 + 5000.0
    grid_capex = 9000.0 + fixed + 600.0
    solar_capex = 18_000.0 + fixed + 10.0 * 500.0
    np.testing.assert_allclose(cost.capex_usd, [grid_capex, solar_capex])
    energy = 500.0 * 8760.0 / 1000.0 * 0.2
    np.testing.assert_allclose(
        cost.opex_usd_per_year, [0.1 * grid_capex + 700.0 + energy, 0.1 * solar_capex + 700.0]
    )


def test_taller_tower_costs_more_and_height_validated() -> None:
    cost = new_tower_cost(np.array([10.0, 30.0, 60.0]), True, CostSettings())
    assert np.all(np.diff(cost.capex_usd) > 0)
    assert np.all(np.diff(cost.npv_usd) > 0)
    with pytest.raises(InputError) as info:
        new_tower_cost(0.0, True, CostSettings())
    assert info.value.field == "mast_height_m"


# ------------------------------------------------------------------------- microwave


def test_microwave_hop_by_hand() -> None:
    s = CostSettings(
        microwave_radio_pair_usd=10_000.0,
        microwave_antenna_usd_per_m=1000.0,
        microwave_installation_usd=1500.0,
        microwave_maintenance_usd_per_year=800.0,
        microwave_licence_usd_per_year=1200.0,
    )
    cost = microwave_hop_cost(15_000.0, [5.8, 18.0], [0.6, 1.2], s)
    np.testing.assert_allclose(
        cost.capex_usd, [10_000.0 + 1200.0 + 1500.0, 10_000.0 + 2400.0 + 1500.0]
    )
    # 5.8 GHz is licence-exempt, 18 GHz is licensed
    np.testing.assert_allclose(cost.opex_usd_per_year, [800.0, 2000.0])


def test_microwave_unlicensed_bands_override_and_validation() -> None:
    s = CostSettings(microwave_unlicensed_bands_ghz=[[17.7, 19.7]])
    cost = microwave_hop_cost(5000.0, [5.8, 18.0], 0.6, s)
    assert cost.opex_usd_per_year[0] > cost.opex_usd_per_year[1]
    with pytest.raises(InputError, match="dish_m"):
        microwave_hop_cost(5000.0, 18.0, 0.0, s)
    with pytest.raises(InputError, match="band_ghz"):
        microwave_hop_cost(5000.0, 0.1, 0.6, s)
    with pytest.raises(InputError, match="distance_m"):
        microwave_hop_cost(-1.0, 18.0, 0.6, s)


# ----------------------------------------------------------------------------- fibre


def test_fibre_by_hand_and_monotonic() -> None:
    s = CostSettings(
        fibre_usd_per_km=5000.0, fibre_maintenance_usd_per_km_year=100.0, fibre_node_usd=2000.0
    )
    cost = fibre_cost([0.0, 2500.0, 10_000.0], s)
    np.testing.assert_allclose(cost.capex_usd, [2000.0, 14_500.0, 52_000.0])
    np.testing.assert_allclose(cost.opex_usd_per_year, [0.0, 250.0, 1000.0])
    assert np.all(np.diff(cost.npv_usd) > 0)
    with pytest.raises(InputError, match="length_m"):
        fibre_cost([-5.0], s)


# ------------------------------------------------------------------------- satellite


def test_satellite_npv_discounts_satellite_costs() -> None:
    sat = SatelliteSettings()
    power = CostSettings()
    costs = satellite_costs(
        committed_mbps=np.array([5.0, 5.0]),
        has_electricity=[True, False],
        terminal_capex_usd=sat.terminal_capex_usd,
        installation_usd=sat.installation_usd,
        terminal_power_w=sat.terminal_power_w,
        solar_kit_capex_usd_per_w=power.solar_kit_capex_usd_per_w,
        grid_power_usd_per_kwh=power.grid_power_usd_per_kwh,
        capacity_price_usd_per_mbps_month=sat.capacity_price_usd_per_mbps_month,
        maintenance_usd_per_year=sat.maintenance_usd_per_year,
    )
    s = CostSettings(horizon_years=7, discount_rate=0.08)
    got = satellite_npv(costs["geo_capex_usd"], costs["geo_opex_usd_per_year"], s)
    want = npv_usd(
        costs["geo_capex_usd"], costs["geo_opex_usd_per_year"], horizon_years=7, discount_rate=0.08
    )
    np.testing.assert_allclose(got.npv_usd, want)
    np.testing.assert_array_equal(got.capex_usd, costs["geo_capex_usd"])
    with pytest.raises(InputError):
        satellite_npv([1.0, 2.0, 3.0], [1.0, 2.0], s)


# -------------------------------------------------------------------------- settings


def test_settings_override_and_validation() -> None:
    s = CostSettings(fibre_usd_per_km=12_000.0)
    assert s.fibre_usd_per_km == 12_000.0
    assert fibre_cost(1000.0, s).capex_usd == pytest.approx(12_000.0 + s.fibre_node_usd)
    with pytest.raises(ValidationError):
        CostSettings(discount_rate=-0.02)
    with pytest.raises(ValidationError):
        CostSettings(horizon_years=0)
    with pytest.raises(ValidationError):
        CostSettings(fibre_usd_per_kilometre=1.0)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        CostSettings(currency="dollars")


def test_every_field_has_description_unit_and_source() -> None:
    for name, field in CostSettings.model_fields.items():
        extra = field.json_schema_extra
        assert isinstance(extra, dict), name
        assert extra.get("unit"), name
        assert extra.get("source"), name
        assert field.description, name


def test_tower_upgrade_costs_ran_installation_and_energy_only() -> None:
    from alcance.cost import tower_upgrade_cost

    s = CostSettings()
    up = tower_upgrade_cost(2, s)
    capex = s.ran_equipment_usd + s.transport_usd + s.site_installation_usd
    assert up.capex_usd.shape == (2,)
    assert up.capex_usd[0] == pytest.approx(capex)
    energy = s.site_power_w * 8760.0 / 1000.0 * s.grid_power_usd_per_kwh
    assert up.opex_usd_per_year[1] == pytest.approx(
        s.maintenance_fraction_per_year * capex + energy
    )
    new = new_tower_cost(30.0, True, s)
    assert float(up.npv_usd[0]) < float(new.npv_usd)
