"""GEO satellite service: return link, availability, beams and costs (demo + by hand)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from alcance.cost.settings import CostSettings
from alcance.errors import InputError
from alcance.satellite import link_budget as lb
from alcance.satellite.modcod import DVB_S2_MODCODS
from alcance.satellite.service import (
    assign_beams,
    availability_from_attenuation_pct,
    beam_constraints,
    forward_availability,
    max_attenuation_db,
    return_link_budget,
    satellite_costs,
    satellite_service,
    terminal_eirp_dbw,
)
from alcance.scenario import SatelliteSettings


@dataclass(frozen=True)
class Demo:
    geo: pd.DataFrame
    schools: pd.DataFrame
    settings: SatelliteSettings
    height_m: np.ndarray
    table: pd.DataFrame
    beams: pd.DataFrame


@pytest.fixture(scope="module")
def demo() -> Demo:
    from alcance.io import load_demo
    from alcance.pipeline import geo_line_of_sight, read_terrain_window
    from alcance.terrain import sample_points

    with load_demo() as region:
        grid = read_terrain_window(region)
        geo, _ = geo_line_of_sight(region, grid)
        schools = pd.DataFrame(region.schools.drop(columns="geometry"))
        settings = region.scenario.satellite
        assert grid is not None
        on = schools["on_terrain"].to_numpy(dtype=bool)
        # The ground heights the forward link used (pipeline.geo_line_of_sight).
        height = np.zeros(len(schools))
        height[on] = sample_points(
            grid,
            lon_deg=schools["longitude_deg"].to_numpy(dtype=float)[on],
            lat_deg=schools["latitude_deg"].to_numpy(dtype=float)[on],
        ).elevation_m
    table, beams = satellite_service(geo, schools, settings, demand_mbps=20.0, site_height_m=height)
    return Demo(geo, schools, settings, height, table, beams)


def test_return_link_by_hand() -> None:
    gain = float(lb.dish_gain_dbi(diameter_m=1.2, freq_ghz=14.25, efficiency=0.65))
    eirp = terminal_eirp_dbw(tx_power_w=2.0, gain_dbi=gain, losses_db=0.5)
    assert float(eirp) == pytest.approx(3.0103 + gain - 0.5, abs=1e-4)
    assert 42.5 < gain < 44.0  # 10 log10(0.65 (pi 1.2 14.25e9 / c)^2) = 43.2 dBi
    link = return_link_budget(
        eirp_dbw=[float(eirp), float(eirp), float(eirp)],
        free_space_loss_db=[207.0, 207.0, 207.0],
        atmospheric_loss_db=[0.5, 30.0, np.nan],
        satellite_g_over_t_db_per_k=5.0,
        symbol_rate_mbaud=2.0,
        interference_cn_db=14.0,
        implementation_margin_db=1.0,
    )
    c_n0 = float(eirp) - 207.0 - 0.5 + 5.0 + 228.6
    assert link.c_over_n0_dbhz[0] == pytest.approx(c_n0, abs=1e-9)
    up = c_n0 - 10 * math.log10(2e6)
    combined = -10 * math.log10(10 ** (-up / 10) + 10 ** (-14.0 / 10))
    assert link.es_n0_db[0] == pytest.approx(combined, abs=1e-9)
    best = max(
        (m for m in DVB_S2_MODCODS if m.es_over_n0_db + 1.0 <= combined),
        key=lambda m: m.spectral_efficiency_bit_per_symbol,
    )
    assert link.modcod[0] == best.name
    assert link.mbps[0] == pytest.approx(2.0 * best.spectral_efficiency_bit_per_symbol)
    # A 30 dB fade closes nothing; a NaN attenuation (not computed) gives NaN, 0 Mbit/s.
    assert list(link.modcod[1:]) == ["none", "none"]
    assert list(link.mbps[1:]) == [0.0, 0.0]
    assert np.isnan(link.es_n0_db[2])


def test_availability_inversion_by_hand() -> None:
    p = [0.01, 0.1, 1.0]
    a = np.array([[10.0] * 5, [4.0] * 5, [1.0] * 5])
    amax = np.array([4.0, 7.0, 20.0, 0.5, np.nan])
    out = availability_from_attenuation_pct(
        max_attenuation_db=amax, unavailability_pct=p, attenuation_db=a
    )
    # 7 dB lies half-way between 10 dB (0.01 %) and 4 dB (0.1 %): p = 10^-1.5 % in log p.
    expected = [99.9, 100 - 10**-1.5, 99.99, 0.0]
    assert out[:4] == pytest.approx(expected, abs=1e-12)
    assert np.isnan(out[4])
    # Margin by hand: Es/N0_0 = 20 dB, need 10 dB against C/I = 20 dB: thermal 10.458 dB.
    need = -10 * math.log10(10**-1.0 - 10**-2.0)
    fade = max_attenuation_db(
        clear_sky_es_n0_db=[20.0, 20.0], required_es_n0_db=[10.0, 21.0], interference_cn_db=20.0
    )
    assert fade[0] == pytest.approx(20.0 - need, abs=1e-12)
    assert fade[1] == -np.inf
    with pytest.raises(InputError, match="unavailability_pct"):
        availability_from_attenuation_pct(
            max_attenuation_db=[1.0], unavailability_pct=[0.1, 0.01], attenuation_db=[[2.0], [3.0]]
        )


def test_demo_service_columns_and_forward_consistency(demo: Demo) -> None:
    t, s = demo.table, demo.settings
    assert t.index.equals(demo.geo.index)
    assert len(t) == 19
    assert (demo.geo["geo_status"] == "clear").all()
    # The recomputed forward budget passes through the pipeline's Es/N0 at the target.
    fa = forward_availability(
        lat_deg=demo.schools["latitude_deg"],
        lon_deg=demo.schools["longitude_deg"],
        elevation_deg=demo.geo["geo_elevation_deg"],
        slant_range_km=demo.geo["geo_slant_range_km"],
        modcod=demo.geo["geo_modcod"].to_numpy(),
        settings=s,
        site_height_m=demo.height_m,
    )
    assert np.allclose(fa["forward_es_n0_at_target_db"], demo.geo["geo_es_n0_db"], atol=1e-9)
    # MODCOD chosen at the target → availability ≥ target; QPSK 1/4 at least as available.
    avail = t["geo_availability_pct"].to_numpy()
    low = t["geo_min_modcod_availability_pct"].to_numpy()
    assert np.all(avail >= s.availability_pct)
    assert np.all(avail <= 99.999)
    assert np.all(low >= avail)
    # Return link: a 2 W Ku terminal to a 5 dB/K beam closes a few Mbit/s at 2 Mbaud.
    assert np.all(t["geo_return_mbps"] > 0.0)
    assert np.all(t["geo_return_mbps"] <= s.return_symbol_rate_mbaud * 4.5)
    assert np.all(t["geo_return_es_n0_db"] < s.return_interference_cn_db)
    assert np.all(
        t["geo_return_atmospheric_loss_db"] > demo.geo["geo_atmospheric_loss_db"]
    )  # 14.25 GHz fades more than 11.7 GHz
    assert np.allclose(t["geo_committed_mbps"], 20.0 / s.contention_ratio)
    assert np.allclose(t["geo_feasible_mbps"], demo.geo["geo_forward_mbps"])
    # Demo: has_electricity unknown everywhere → grid assumed, both variants reported.
    assert t["geo_power_assumed"].all()
    assert (t["geo_power_source"] == "grid").all()
    assert np.allclose(t["geo_capex_usd"], s.terminal_capex_usd + s.installation_usd)
    assert np.allclose(
        t["geo_capex_off_grid_usd"] - t["geo_capex_usd"],
        CostSettings().solar_kit_capex_usd_per_w * s.terminal_power_w,
    )


def test_higher_modcods_are_less_available(demo: Demo) -> None:
    names = [m.name for m in DVB_S2_MODCODS]
    one = {k: demo.geo[k].iloc[0] for k in ("geo_elevation_deg", "geo_slant_range_km")}
    fa = forward_availability(
        lat_deg=np.full(len(names), demo.schools["latitude_deg"].iloc[0]),
        lon_deg=demo.schools["longitude_deg"].iloc[0],
        elevation_deg=one["geo_elevation_deg"],
        slant_range_km=one["geo_slant_range_km"],
        modcod=np.array(names, dtype=object),
        settings=demo.settings,
        site_height_m=demo.height_m[0],
    )
    avail = fa["geo_availability_pct"]
    order = np.argsort([m.es_over_n0_db for m in DVB_S2_MODCODS], kind="stable")
    assert np.all(np.diff(avail[order]) <= 1e-12)
    assert avail[0] == pytest.approx(fa["geo_min_modcod_availability_pct"][0])
    # The demo's forward C/(N+I) of 16 dB cannot carry 32APSK 9/10 + 1 dB margin at all.
    assert avail[names.index("32APSK 9/10")] == 0.0
    assert avail[names.index("32APSK 4/5")] > 99.5 > avail[names.index("32APSK 5/6")]


def test_blocked_schools_get_nothing_and_beam_caps_the_rate(demo: Demo) -> None:
    geo = demo.geo.copy()
    geo.loc[geo.index[:2], "geo_status"] = ["blocked", "too low"]
    geo.loc[geo.index[:2], "geo_forward_mbps"] = 0.0
    settings = demo.settings.model_copy(update={"beam_capacity_mbps": 50.0})
    t, beams = satellite_service(
        geo, demo.schools, settings, demand_mbps=np.full(len(geo), 8.0), site_height_m=0.0
    )
    bad, good = t.iloc[:2], t.iloc[2:]
    assert (bad["geo_return_mbps"] == 0.0).all()
    assert (bad["geo_return_modcod"] == "none").all()
    assert bad[["geo_availability_pct", "geo_min_modcod_availability_pct"]].isna().all().all()
    assert (bad["geo_feasible_mbps"] == 0.0).all()
    assert (bad["geo_committed_mbps"] == 0.0).all()
    assert bad[["geo_capex_usd", "geo_opex_usd_per_year"]].isna().all().all()
    assert np.allclose(good["geo_feasible_mbps"], 50.0)  # carrier 118 Mbit/s > beam 50
    assert np.allclose(good["geo_committed_mbps"], 2.0)
    assert beams["committed_mbps"].sum() == pytest.approx(2.0 * 17)
    assert (beams["capacity_mbps"] == 50.0).all()


def test_beams_group_every_school_once(demo: Demo) -> None:
    t, beams = demo.table, demo.beams
    assert beams["n_schools"].sum() == len(t)
    assert set(beams["beam_id"]) == set(t["geo_beam_id"])
    cons = beam_constraints(
        beam_id=t["geo_beam_id"].to_numpy(),
        committed_mbps=t["geo_committed_mbps"].to_numpy(),
        capacity_mbps=demo.settings.beam_capacity_mbps,
    )
    dense = cons.matrix.toarray()
    assert np.all((dense > 0).sum(axis=0) == 1)  # every school in exactly one beam
    assert np.allclose(dense.sum(axis=0), t["geo_committed_mbps"])
    assert np.allclose(dense.sum(axis=1), beams["committed_mbps"])
    assert list(cons.beam_ids) == list(beams["beam_id"])
    assert np.allclose(beams["price_usd_per_month"], beams["committed_mbps"] * 100.0)
    x = np.ones(len(t))
    assert np.all(cons.matrix @ x <= cons.capacity_mbps)
    for b, members in enumerate(cons.members):
        assert set(t["geo_beam_id"].iloc[members]) == {cons.beam_ids[b]}
    # Hand cases: 800 km cells; 10 km apart → same beam, 2000 km apart → different;
    # longitude 180° E and 180° W are the same meridian.
    ids = assign_beams(
        lat_deg=[-32.0, -32.0, -32.0, 10.0, 10.0],
        lon_deg=[-70.55, -70.5, -50.0, 180.0, -180.0],
        beam_radius_km=400.0,
    )
    assert ids[0] == ids[1] != ids[2]
    assert ids[3] == ids[4]
    with pytest.raises(InputError, match="capacity_mbps"):
        beam_constraints(beam_id=["a", "a"], committed_mbps=[1.0, 1.0], capacity_mbps=[5.0, 6.0])


def test_costs_by_hand() -> None:
    costs = satellite_costs(
        committed_mbps=[5.0, 5.0, 2.0],
        has_electricity=pd.array([True, False, None], dtype="boolean"),
        terminal_capex_usd=1500.0,
        installation_usd=500.0,
        terminal_power_w=60.0,
        solar_kit_capex_usd_per_w=8.0,
        grid_power_usd_per_kwh=0.15,
        capacity_price_usd_per_mbps_month=100.0,
        maintenance_usd_per_year=150.0,
    )
    energy = 60.0 * 8760.0 / 1000.0 * 0.15  # 78.84 USD/year
    assert list(costs["geo_capex_usd"]) == [2000.0, 2480.0, 2000.0]
    assert costs["geo_opex_usd_per_year"] == pytest.approx(
        [6000 + 150 + energy, 6000 + 150, 2400 + 150 + energy]
    )
    assert costs["geo_capex_off_grid_usd"] == pytest.approx([2480.0] * 3)
    assert costs["geo_opex_off_grid_usd_per_year"] == pytest.approx([6150.0, 6150.0, 2550.0])
    assert list(costs["geo_power_source"]) == ["grid", "solar", "grid"]
    assert list(costs["geo_power_assumed"]) == [False, False, True]
    with pytest.raises(InputError, match="grid_power_usd_per_kwh"):
        satellite_costs(
            committed_mbps=[1.0],
            has_electricity=[True],
            terminal_capex_usd=1.0,
            installation_usd=1.0,
            terminal_power_w=1.0,
            solar_kit_capex_usd_per_w=1.0,
            grid_power_usd_per_kwh=-0.1,
            capacity_price_usd_per_mbps_month=1.0,
            maintenance_usd_per_year=1.0,
        )


def test_service_rejects_bad_input(demo: Demo) -> None:
    with pytest.raises(InputError, match="index"):
        satellite_service(demo.geo, demo.schools.iloc[::-1], demo.settings)
    with pytest.raises(InputError, match="demand_mbps"):
        satellite_service(demo.geo, demo.schools, demo.settings, demand_mbps=-1.0)
    with pytest.raises(InputError, match="geo_status"):
        satellite_service(demo.geo.drop(columns="geo_status"), demo.schools, demo.settings)
