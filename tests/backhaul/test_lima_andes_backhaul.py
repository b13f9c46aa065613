"""Backhaul layers on the real Lima Andes terrain (issue 7, "done when").

A greenfield scenario written into ``tmp_path`` from the shared ``peru-lima-andes`` set:

* **schools**: the GeoNames places inside a ~40 km × 50 km window of the Huarochirí
  Andes (Rímac and Santa Eulalia valleys, lon −76.62 … −76.25, lat −12.05 … −11.60),
  except Matucana, which is a fibre node. Peru has no school file here (see
  ``shared/data/README.md``), so each place stands for one school; ``students`` =
  20 % of the GeoNames population (≈ the school-age share), clipped to 20 … 400
  (GeoNames population 0 means "unknown" and gives 20) — a test assumption, not data.
* **fibre nodes**: the INEI province capitals within 0.3° of the window (Matucana,
  capital of Huarochirí, inside it; Canta to the north).
* **DEM**: ``dem_srtm3_lima_andes.tif`` from ``shared`` (absolute path); no towers.

The planner stages (:func:`alcance.planner.plan_region`, which runs
:func:`~alcance.planner.backhaul_stage`) run on a terrain window read around the
schools; the full main job (:func:`alcance.pipeline.run_main_job`) runs once on the
same scenario.

Named hops are checked against an independent profile written here — WGS 84 points
from ``pyproj.Geod.npts``, the raw raster read with rasterio and interpolated
bilinearly by hand between pixel centres, earth bulge ``d1 d2 / (2 k a)`` at k = 4/3
(and at the hop's k_e(99.9 %)), first Fresnel radius ``17.3 sqrt(d1 d2 / (f d))``
(ITU-R P.530-18 §2.2.1 eq. (2)) — none of Alcance's terrain or clearance code.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest
import rasterio
import shapely
from numpy.typing import NDArray
from scipy import ndimage

from alcance.backhaul.candidates import CANDIDATE_KINDS
from alcance.io.region import read_region
from alcance.io.scenario import read_scenario
from alcance.io.writers import write_geopackage_layers
from alcance.pipeline import run_main_job
from alcance.planner import PlanResult, plan_layers, plan_region
from alcance.scenario import Scenario

pytestmark = pytest.mark.shared

#: Window of the "schools" (lon/lat degrees): west, south, east, north.
WINDOW = (-76.62, -12.05, -76.25, -11.60)
#: Terrain read around the window (degrees): covers the 10 km candidate search and Canta.
GRID_MARGIN_DEG = 0.2
#: Province capitals within this many degrees of the window become fibre nodes.
FIBRE_MARGIN_DEG = 0.3
#: Independent profile spacing (m), a third of the 3″ SRTM pixel (~92 m here).
PROFILE_STEP_M = 30.0
#: Radius of the earth used for the bulge (m); P.530's 12.74 k (km) is a = 6,370 km.
EARTH_RADIUS_M = 6_371_000.0
GEOD = pyproj.Geod(ellps="WGS84")
PLAN_LAYERS = ("plan_schools", "new_sites", "candidate_sites", "microwave_hops", "backhaul_routes")
#: Reasons :func:`alcance.backhaul.microwave.evaluate_hops` may give (prefixes).
ALLOWED_REASONS = (
    "no band and dish meet the availability target",
    "terrain obstructs the Fresnel zone (P.530 §2.2.2.1 criteria)",
    "no line of sight at median k",
    "longer than every band's max_hop_km",
    "path leaves the terrain grid",
)


# --------------------------------------------------------------------------- fixtures


@dataclass
class Planned:
    """The planner's output on the window, with what it was given."""

    scenario: Scenario
    schools: gpd.GeoDataFrame
    fibre_nodes: gpd.GeoDataFrame
    grid_bounds: tuple[float, float, float, float]
    result: PlanResult
    layers: dict[str, gpd.GeoDataFrame]


class RawDem:
    """The shared GeoTIFF as plain floats, bilinear between pixel centres.

    SRTM voids (−32768) are kept as NaN in ``z``; ``z_low`` / ``z_high`` replace each
    void by the lowest / highest valid pixel bordering its (4-connected) void region.
    Alcance fills voids by harmonic interpolation, whose values lie between those two
    (discrete maximum principle), so profiles over ``z_low`` and ``z_high`` bound the
    clearance Alcance can compute whatever the window it fills in.
    """

    def __init__(self, path: Path) -> None:
        with rasterio.open(path) as src:
            band = src.read(1).astype(np.float64)
            nodata = src.nodata
            self.transform = src.transform
        band[band == -32768] = np.nan
        if nodata is not None:
            band[band == nodata] = np.nan
        self.z = band
        void = np.isnan(band)
        labels, n = ndimage.label(void)  # 4-connected (the default structure)
        low = np.full(n + 1, np.inf)
        high = np.full(n + 1, -np.inf)
        rows, cols = band.shape
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            # a valid pixel and the void label of its neighbour (dr, dc)
            r0, r1 = max(0, -dr), rows - max(0, dr)
            c0, c1 = max(0, -dc), cols - max(0, dc)
            value = band[r0:r1, c0:c1]
            label = labels[r0 + dr : r1 + dr, c0 + dc : c1 + dc]
            edge = (label > 0) & ~np.isnan(value)
            np.minimum.at(low, label[edge], value[edge])
            np.maximum.at(high, label[edge], value[edge])
        self.z_low = np.where(void, low[labels], band)
        self.z_high = np.where(void, high[labels], band)

    def to_pixel(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Fractional (column, row) of each point (pixel edges at integers)."""
        t = self.transform
        x = np.asarray(lon, dtype=float)
        y = np.asarray(lat, dtype=float)
        return (x - t.c) / t.a, (y - t.f) / t.e

    def to_lonlat(
        self, col: NDArray[np.float64], row: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Longitude and latitude of fractional (column, row)."""
        t = self.transform
        return t.c + np.asarray(col) * t.a, t.f + np.asarray(row) * t.e

    def pixel(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
        """Value of the pixel containing each point (NaN in a void)."""
        col, row = self.to_pixel(lon, lat)
        value = self.z[np.floor(row).astype(int), np.floor(col).astype(int)]
        return np.asarray(value, dtype=np.float64)

    def bilinear(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64], z: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Bilinear value of raster ``z`` between the four surrounding pixel centres."""
        col, row = self.to_pixel(lon, lat)
        x, y = col - 0.5, row - 0.5
        c0, r0 = np.floor(x).astype(int), np.floor(y).astype(int)
        fx, fy = x - c0, y - r0
        total = np.zeros(np.shape(x))
        nan = np.zeros(np.shape(x), dtype=bool)
        for dr, dc, w in (
            (0, 0, (1 - fx) * (1 - fy)),
            (0, 1, fx * (1 - fy)),
            (1, 0, (1 - fx) * fy),
            (1, 1, fx * fy),
        ):
            v = z[r0 + dr, c0 + dc]
            used = w > 0.0  # a pixel of zero weight (point on a centre line) is not used
            nan |= used & np.isnan(v)
            total += np.where(used, w * np.nan_to_num(v), 0.0)
        return np.where(nan, np.nan, total)


@pytest.fixture(scope="module")
def lima_dir(shared_data: Path) -> Path:
    folder = shared_data / "peru-lima-andes"
    needed = [
        folder / "dem_srtm3_lima_andes.tif",
        folder / "places_geonames.csv",
        folder / "boundaries" / "peru_capitales_provincia.geojson",
    ]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        pytest.skip(f"Lima Andes data absent: {', '.join(missing)}")
    return folder


@pytest.fixture(scope="module")
def raw_dem(lima_dir: Path) -> RawDem:
    return RawDem(lima_dir / "dem_srtm3_lima_andes.tif")


@pytest.fixture(scope="module")
def scenario_path(lima_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Schools, fibre nodes and scenario TOML in a temporary folder."""
    west, south, east, north = WINDOW
    folder = tmp_path_factory.mktemp("lima_andes")
    places = pd.read_csv(lima_dir / "places_geonames.csv")
    capitals = gpd.read_file(lima_dir / "boundaries" / "peru_capitales_provincia.geojson")
    cap_lon = capitals.geometry.x.to_numpy()
    cap_lat = capitals.geometry.y.to_numpy()
    m = FIBRE_MARGIN_DEG
    near = (
        (cap_lon > west - m) & (cap_lon < east + m) & (cap_lat > south - m) & (cap_lat < north + m)
    )
    caps = capitals.loc[near]
    pd.DataFrame(
        {
            "node_id": caps["CAPITAL"].str.lower().to_numpy(),
            "name": caps["CAPITAL"].str.title().to_numpy(),
            "lat": caps.geometry.y.to_numpy(),
            "lon": caps.geometry.x.to_numpy(),
        }
    ).to_csv(folder / "fibre_nodes.csv", index=False)
    inside = (
        (places["lon"] > west)
        & (places["lon"] < east)
        & (places["lat"] > south)
        & (places["lat"] < north)
        & ~places["name"].str.upper().isin(caps["CAPITAL"].str.upper())
    )
    sel = places.loc[inside]
    pd.DataFrame(
        {
            "school_id": sel["geonameid"].astype(str).to_numpy(),
            "name": sel["name"].to_numpy(),
            "lat": sel["lat"].to_numpy(),
            "lon": sel["lon"].to_numpy(),
            "students": np.clip(np.round(0.2 * sel["population"].to_numpy()), 20, 400).astype(int),
        }
    ).to_csv(folder / "schools.csv", index=False)
    dem = (lima_dir / "dem_srtm3_lima_andes.tif").resolve()
    # Two sweep points keep the budget sweep (a MILP per point) quick.
    (folder / "scenario.toml").write_text(
        f"""[region]
name = "Huarochirí Andes (GeoNames places as schools)"
schools = "schools.csv"
fibre_nodes = "fibre_nodes.csv"
dem = [{json.dumps(str(dem))}]

[plan]
sweep_points = 2
""",
        encoding="utf-8",
    )
    return folder / "scenario.toml"


@pytest.fixture(scope="module")
def planned(scenario_path: Path) -> Planned:
    """Candidate sites, backhaul and plan on a terrain window around the schools."""
    scenario = read_scenario(scenario_path)
    # Without the satellite columns of the main job the budget sweep is a hard MILP
    # (~20 s): the direct run skips it; run_main_job below runs it.
    scenario = scenario.model_copy(
        update={"plan": scenario.plan.model_copy(update={"sweep_points": 0})}
    )
    west, south, east, north = WINDOW
    m = GRID_MARGIN_DEG
    with read_region(scenario) as region:
        assert region.dem is not None
        assert region.fibre_nodes is not None
        grid = region.dem.read(west - m, south - m, east + m, north + m)
        result = plan_region(region, grid, region.schools, progress=lambda _s: None)
        schools = region.schools
        fibre = region.fibre_nodes
    layers = plan_layers(result, schools)
    return Planned(
        scenario=scenario,
        schools=schools,
        fibre_nodes=fibre,
        grid_bounds=tuple(float(v) for v in grid.bounds),  # type: ignore[arg-type]
        result=result,
        layers=layers,
    )


# ------------------------------------------------------------ independent clearance


@dataclass
class Profile:
    """Independent clearance of one hop: bounds over the possible void fills."""

    distance_m: float
    #: k -> minimum clearance / F1 with voids at their highest (pessimistic) fill
    low_f1: dict[float, float]
    #: k -> the same with voids at their lowest (optimistic) fill
    high_f1: dict[float, float]
    #: k -> the ray clears every point (pessimistic, optimistic)
    los: dict[float, tuple[bool, bool]]
    touches_void: bool


def pixel_spacing_m(dem: RawDem, lat_deg: float) -> float:
    """East-west width of one pixel at ``lat_deg`` (m): Alcance's default profile step."""
    _, _, d = GEOD.inv(0.0, lat_deg, dem.transform.a, lat_deg)
    return float(d)


def independent_clearance(
    dem: RawDem,
    a: tuple[float, float, float],
    b: tuple[float, float, float],
    *,
    freq_ghz: float,
    k_values: tuple[float, ...],
    step_m: float,
) -> Profile:
    """Minimum normalised first-Fresnel clearance of the straight ray a -> b.

    ``a`` and ``b`` are (lon, lat, antenna height above ground); the path is cut into
    ``ceil(d / step_m)`` equal intervals and clearance taken at the interior points.
    """
    lon_a, lat_a, h_a = a
    lon_b, lat_b, h_b = b
    _, _, d = GEOD.inv(lon_a, lat_a, lon_b, lat_b)
    n_int = max(2, math.ceil(d / step_m - 1e-9))
    pts = np.asarray(GEOD.npts(lon_a, lat_a, lon_b, lat_b, n_int - 1), dtype=float)
    d1 = d * np.arange(1, n_int) / n_int
    d2 = d - d1
    f1 = 17.3 * np.sqrt((d1 / 1000.0) * (d2 / 1000.0) / (freq_ghz * d / 1000.0))
    end_lon, end_lat = np.array([lon_a, lon_b]), np.array([lat_a, lat_b])
    touches = bool(
        np.isnan(dem.bilinear(pts[:, 0], pts[:, 1], dem.z)).any()
        or np.isnan(dem.bilinear(end_lon, end_lat, dem.z)).any()
    )
    out: dict[str, dict[float, float]] = {}
    clear_at: dict[str, dict[float, bool]] = {}
    for name, z in (("low", dem.z_high), ("high", dem.z_low)):
        ground = dem.bilinear(pts[:, 0], pts[:, 1], z)
        # the ends' ground in a void is bounded too: the pessimistic profile lowers
        # the ray (ends at their lowest fill), the optimistic one raises it
        ends = dem.bilinear(end_lon, end_lat, dem.z_low if name == "low" else dem.z_high)
        y_a, y_b = ends[0] + h_a, ends[1] + h_b
        ray = y_a + (y_b - y_a) * d1 / d
        out[name], clear_at[name] = {}, {}
        for k in k_values:
            clear_m = ray - (ground + d1 * d2 / (2.0 * k * EARTH_RADIUS_M))
            out[name][k] = float(np.min(clear_m / f1))
            clear_at[name][k] = bool(np.all(clear_m > 0.0))
    return Profile(
        distance_m=float(d),
        low_f1=out["low"],
        high_f1=out["high"],
        los={k: (clear_at["low"][k], clear_at["high"][k]) for k in k_values},
        touches_void=touches,
    )


def node_at(nodes: pd.DataFrame, lon: float, lat: float) -> pd.Series:
    """The backhaul node within 50 m of (lon, lat)."""
    _, _, d = GEOD.inv(
        np.full(len(nodes), lon),
        np.full(len(nodes), lat),
        nodes["longitude_deg"].to_numpy(dtype=float),
        nodes["latitude_deg"].to_numpy(dtype=float),
    )
    i = int(np.argmin(d))
    if d[i] > 50.0:
        msg = f"no backhaul node within 50 m of ({lon}, {lat}); nearest {d[i]:.0f} m"
        raise LookupError(msg)
    return nodes.iloc[i]


def hop_between(hops: pd.DataFrame, a: str, b: str) -> pd.Series:
    sel = hops.loc[((hops["a"] == a) & (hops["b"] == b)) | ((hops["a"] == b) & (hops["b"] == a))]
    if len(sel) != 1:
        msg = f"hop {a}~{b} evaluated {len(sel)} times"
        raise LookupError(msg)
    return sel.iloc[0]


def ends(nodes: pd.DataFrame, node_id: str) -> tuple[float, float, float]:
    row = nodes.loc[nodes["node_id"] == node_id].iloc[0]
    return float(row["longitude_deg"]), float(row["latitude_deg"]), float(row["mast_height_m"])


def criteria_met(planned: Planned, f1: dict[float, float], k_min: float) -> bool:
    mw = planned.scenario.microwave
    return f1[4.0 / 3.0] >= mw.clearance_median_f1 and f1[k_min] >= mw.kmin_clearance_f1()


# --------------------------------------------------------------------------- inputs


def test_scenario_inputs(planned: Planned) -> None:
    schools = planned.schools
    assert 10 <= len(schools) <= 20
    assert schools["on_terrain"].all()
    assert set(planned.fibre_nodes["node_id"].astype(str)) == {"matucana", "canta"}
    west, south, east, north = planned.grid_bounds
    for frame in (schools, planned.fibre_nodes):
        lon = frame["longitude_deg"].to_numpy(dtype=float)
        lat = frame["latitude_deg"].to_numpy(dtype=float)
        assert ((lon > west) & (lon < east) & (lat > south) & (lat < north)).all()


# ----------------------------------------------------------------------- candidates


def test_candidate_sites_are_high_ground(planned: Planned, raw_dem: RawDem) -> None:
    cands = planned.result.backhaul.candidates
    kinds = set(cands["kind"].astype(str))
    assert {"high_point", "ridge"} <= kinds <= set(CANDIDATE_KINDS)
    terrain = cands.loc[cands["kind"].isin(["high_point", "ridge"])]
    assert len(terrain) >= 10
    # every terrain candidate serves (lies within the search radius of) some school
    assert (terrain["n_near_schools"] >= 1).all()
    lon = terrain["longitude_deg"].to_numpy(dtype=float)
    lat = terrain["latitude_deg"].to_numpy(dtype=float)
    # ground_m is the DEM pixel itself (candidates sit on pixel centres), wherever the
    # raw SRTM has no void there
    raw = raw_dem.pixel(lon, lat)
    ok = np.isfinite(raw)
    assert ok.mean() > 0.9
    np.testing.assert_allclose(terrain["ground_m"].to_numpy(dtype=float)[ok], raw[ok], atol=0.5)
    # high ground: the median candidate stands well above the median place it serves
    schools = planned.schools
    school_ground = raw_dem.bilinear(
        schools["longitude_deg"].to_numpy(dtype=float),
        schools["latitude_deg"].to_numpy(dtype=float),
        raw_dem.z,
    )
    assert np.isfinite(school_ground).all()
    median_cand = float(np.median(terrain["ground_m"]))
    median_school = float(np.median(school_ground))
    assert median_cand > median_school + 500.0, (median_cand, median_school)
    # and most stand above every school within their search radius (a ridge may lie
    # below a high village across the valley: 2 of 64 here)
    ground_of = dict(zip(schools["school_id"].astype(str), school_ground, strict=True))
    above = [
        all(ground_of[s] < z for s in str(near).split(","))
        for z, near in zip(terrain["ground_m"], terrain["near_school_ids"], strict=True)
    ]
    assert np.mean(above) >= 0.8, np.mean(above)


def test_high_points_are_local_maxima(planned: Planned, raw_dem: RawDem) -> None:
    """No raw DEM pixel within 900 m of a high point is higher (footprint radius 1 km)."""
    cands = planned.result.backhaul.candidates
    hp = cands.loc[cands["kind"] == "high_point"]
    assert len(hp) >= 5
    radius_m = 0.9 * planned.scenario.candidates.local_max_radius_m
    for cid, lon, lat, z in zip(
        hp["candidate_id"], hp["longitude_deg"], hp["latitude_deg"], hp["ground_m"], strict=True
    ):
        col, row = raw_dem.to_pixel(np.array([lon]), np.array([lat]))
        c, r = int(col[0]), int(row[0])
        rr, cc = np.mgrid[r - 15 : r + 16, c - 15 : c + 16]
        plon, plat = raw_dem.to_lonlat(cc + 0.5, rr + 0.5)
        _, _, d = GEOD.inv(np.full(plon.shape, lon), np.full(plon.shape, lat), plon, plat)
        disc = raw_dem.z[rr, cc][np.asarray(d) <= radius_m]
        assert np.nanmax(disc) <= z + 0.5, f"{cid} ({z:.0f} m) is not a local maximum"


# ---------------------------------------------------------------------------- hops


def test_hops_feasible_and_infeasible(planned: Planned) -> None:
    bh = planned.result.backhaul
    hops = bh.hops
    mw = planned.scenario.microwave
    assert len(hops) > 100
    feasible = hops["feasible"].to_numpy(dtype=bool)
    assert feasible.any()
    assert (~feasible).any()
    reason = hops["reason"].astype(str)
    assert ((reason == "") == feasible).all()
    bad = [r for r in set(reason[~feasible]) if not r.startswith(ALLOWED_REASONS)]
    assert not bad, bad
    # no hop joins two points of presence; both ends are backhaul nodes
    pops = set(bh.nodes.loc[bh.nodes["is_pop"], "node_id"])
    ids = set(bh.nodes["node_id"])
    assert set(hops["a"]) | set(hops["b"]) <= ids
    assert not (hops["a"].isin(pops) & hops["b"].isin(pops)).any()
    assert (hops["distance_m"] <= 1000.0 * max(mw.max_hop_km)).all()

    f = hops.loc[feasible]
    assert (f["clearance_f1_median"] >= mw.clearance_median_f1).all()
    assert (f["clearance_f1_kmin"] >= mw.kmin_clearance_f1()).all()
    assert f["los"].all()
    assert f["clear"].all()
    assert (f["availability_pct"] >= mw.availability_target_pct).all()
    assert (f["availability_pct"] <= 100.0).all()
    assert f["band_ghz"].isin(mw.bands_ghz).all()
    assert f["dish_m"].isin(mw.dish_diameters_m).all()
    cap_km = dict(zip(mw.bands_ghz, mw.max_hop_km, strict=True))
    assert (f["distance_m"] <= 1000.0 * f["band_ghz"].map(cap_km)).all()
    assert (f["capacity_mbps"] > 0).all()
    # the infeasible ones fail a stated criterion
    blocked = hops.loc[~feasible & reason.str.startswith("terrain obstructs")]
    assert (
        (blocked["clearance_f1_median"] < mw.clearance_median_f1)
        | (blocked["clearance_f1_kmin"] < mw.kmin_clearance_f1())
    ).all()
    no_los = hops.loc[reason == "no line of sight at median k"]
    assert (no_los["clearance_f1_median"] <= 0.0).all()
    assert not no_los["los"].any()


#: (label, end a (lon, lat), end b (lon, lat), clear?) — candidate ends sit on 3″ pixel
#: centres, school masts on the GeoNames points, fibre nodes on the INEI capitals. These
#: profiles keep clear of SRTM voids, so the independent verdict is certain.
NAMED_HOPS = [
    (
        "summit 4,699 m 6.4 km N of Huanza -> school mast at Carampoma (7.0 km, clear)",
        (-76.499167, -11.599167),
        (-76.51444, -11.66083),
        True,
    ),
    (
        "ridge 4,314 m 2.5 km NE of San Damián -> ridge 3,733 m 4.2 km N of it (3.7 km)",
        (-76.371667, -12.006667),
        (-76.390833, -11.979167),
        True,
    ),
    (
        "summit 4,699 m N of Huanza -> fibre node Canta (20 km across the Chillón basin)",
        (-76.499167, -11.599167),
        (-76.62665, -11.46765),
        False,
    ),
    (
        "school mast at Surco -> fibre node Matucana (7 km down the Rímac gorge)",
        (-76.44002, -11.88401),
        (-76.38837, -11.84593),
        False,
    ),
]
#: Values agree within max(0.3 F1, 3 %): the same equations at nearly the same points
#: (pyproj npts vs Alcance's Karney nodes with interpolation in between).
TOL_ABS_F1, TOL_REL = 0.3, 0.03
#: Fine profile step (m) for the verdicts of the named hops.
FINE_STEP_M = 10.0


@pytest.mark.parametrize(
    ("label", "a", "b", "clear"),
    NAMED_HOPS,
    ids=["summit-carampoma", "ridge-ridge", "summit-canta", "surco-matucana"],
)
def test_named_hop_against_independent_profile(
    planned: Planned,
    raw_dem: RawDem,
    label: str,
    a: tuple[float, float],
    b: tuple[float, float],
    clear: bool,
) -> None:
    bh = planned.result.backhaul
    mw = planned.scenario.microwave
    ia = str(node_at(bh.nodes, *a)["node_id"])
    ib = str(node_at(bh.nodes, *b)["node_id"])
    hop = hop_between(bh.hops, ia, ib)
    assert (str(hop["a"]), str(hop["b"])) in ((ia, ib), (ib, ia))
    k_min = float(hop["k_min"])
    assert 0.5 <= k_min <= 1.0
    ks = (4.0 / 3.0, k_min)
    # clearance is evaluated at the lowest band (F1 largest: clear there, clear in all)
    f_ghz = min(mw.bands_ghz)
    end_a, end_b = ends(bh.nodes, str(hop["a"])), ends(bh.nodes, str(hop["b"]))
    mid_lat = 0.5 * (planned.grid_bounds[1] + planned.grid_bounds[3])
    step = pixel_spacing_m(raw_dem, mid_lat) / planned.scenario.microwave.profile_oversampling
    same = independent_clearance(raw_dem, end_a, end_b, freq_ghz=f_ghz, k_values=ks, step_m=step)
    fine = independent_clearance(
        raw_dem, end_a, end_b, freq_ghz=f_ghz, k_values=ks, step_m=FINE_STEP_M
    )
    assert float(hop["distance_m"]) == pytest.approx(same.distance_m, rel=1e-6)
    # the verdict, certain whatever the fill of the SRTM voids, at both samplings
    for prof in (same, fine):
        if clear:
            assert criteria_met(planned, prof.low_f1, k_min), (label, prof)
        else:
            assert not criteria_met(planned, prof.high_f1, k_min), (label, prof)
    assert bool(hop["clear"]) == clear, label
    assert bool(hop["feasible"]) == clear, (label, hop["reason"])
    if clear:
        assert bool(hop["los"]), label
        assert float(hop["availability_pct"]) >= mw.availability_target_pct
    else:
        assert str(hop["reason"]).startswith(ALLOWED_REASONS[1:3]), hop["reason"]
    if not same.los[4.0 / 3.0][1]:  # even the optimistic ray hits the terrain
        assert not bool(hop["los"]), label
        assert hop["reason"] == "no line of sight at median k"
    # the values: no void on these profiles, so the bounds coincide and the same
    # equations at nearly the same points agree closely
    assert not same.touches_void, label
    for col, k in (("clearance_f1_median", 4.0 / 3.0), ("clearance_f1_kmin", k_min)):
        assert float(hop[col]) == pytest.approx(same.low_f1[k], abs=0.1, rel=0.01), (label, col)


def test_every_hop_against_independent_profile(planned: Planned, raw_dem: RawDem) -> None:
    """All evaluated hops, same sampling step: values within the void bounds, same verdict."""
    bh = planned.result.backhaul
    mw = planned.scenario.microwave
    f_ghz = min(mw.bands_ghz)
    mid_lat = 0.5 * (planned.grid_bounds[1] + planned.grid_bounds[3])
    step = pixel_spacing_m(raw_dem, mid_lat) / planned.scenario.microwave.profile_oversampling
    xy = {
        str(n): (float(x), float(y), float(h))
        for n, x, y, h in zip(
            bh.nodes["node_id"],
            bh.nodes["longitude_deg"],
            bh.nodes["latitude_deg"],
            bh.nodes["mast_height_m"],
            strict=True,
        )
    }
    outside: list[tuple[str, str, str, float, float, float]] = []
    wrong: list[tuple[str, str, bool]] = []
    certain = 0
    for a, b, k_min, got_clear, med, low in zip(
        bh.hops["a"],
        bh.hops["b"],
        bh.hops["k_min"],
        bh.hops["clear"],
        bh.hops["clearance_f1_median"],
        bh.hops["clearance_f1_kmin"],
        strict=True,
    ):
        ks = (4.0 / 3.0, float(k_min))
        prof = independent_clearance(
            raw_dem, xy[str(a)], xy[str(b)], freq_ghz=f_ghz, k_values=ks, step_m=step
        )
        for col, k, got in (("median", ks[0], med), ("kmin", ks[1], low)):
            lo, hi = prof.low_f1[k], prof.high_f1[k]
            tol = max(TOL_ABS_F1, TOL_REL * max(abs(lo), abs(hi)))
            if not lo - tol <= float(got) <= hi + tol:
                outside.append((str(a), str(b), col, float(got), lo, hi))
        # a verdict is certain when it holds for both void fills, 0.3 F1 from the line
        shifted_low = {k: v - TOL_ABS_F1 for k, v in prof.low_f1.items()}
        shifted_high = {k: v + TOL_ABS_F1 for k, v in prof.high_f1.items()}
        if criteria_met(planned, shifted_low, ks[1]):
            certain += 1
            if not got_clear:
                wrong.append((str(a), str(b), True))
        elif not criteria_met(planned, shifted_high, ks[1]):
            certain += 1
            if got_clear:
                wrong.append((str(a), str(b), False))
    assert not outside, outside[:10]
    assert not wrong, wrong[:10]
    assert certain >= 0.8 * len(bh.hops), (certain, len(bh.hops))


def test_feasible_hops_clear_the_finely_sampled_terrain(planned: Planned, raw_dem: RawDem) -> None:
    bh = planned.result.backhaul
    mw = planned.scenario.microwave
    f = bh.hops.loc[bh.hops["feasible"]]
    assert len(f) > 0
    too_optimistic: list[tuple[str, str, float, float]] = []
    for a, b, k_min, med in zip(f["a"], f["b"], f["k_min"], f["clearance_f1_median"], strict=True):
        ks = (4.0 / 3.0, float(k_min))
        fine = independent_clearance(
            raw_dem,
            ends(bh.nodes, str(a)),
            ends(bh.nodes, str(b)),
            freq_ghz=min(mw.bands_ghz),
            k_values=ks,
            step_m=FINE_STEP_M,
        )
        # blocked for certain, whatever the void fill
        if not criteria_met(planned, fine.high_f1, ks[1]):
            too_optimistic.append((str(a), str(b), float(med), fine.high_f1[ks[0]]))
    assert not too_optimistic, (len(too_optimistic), too_optimistic[:10])


# -------------------------------------------------------------------------- routes


def test_routes_reach_fibre_within_max_hops(planned: Planned) -> None:
    bh = planned.result.backhaul
    sc = planned.scenario
    routes = bh.routes
    assert len(routes) > 0
    assert routes["pop_id"].astype(str).str.startswith("fn-").all()
    assert (routes["n_hops"] >= 1).all()
    assert (routes["n_hops"] <= sc.backhaul.max_hops).all()
    assert (routes.groupby("site_id").size() <= sc.backhaul.routes_per_site).all()
    site_ids = set(bh.sites["candidate_id"].astype(str))
    assert set(routes["site_id"].astype(str)) | {str(u) for u in bh.unreachable} == site_ids
    candidate_ids = set(bh.candidates["candidate_id"].astype(str))
    feasible_hops = {
        frozenset((str(a), str(b)))
        for a, b in zip(
            bh.hops.loc[bh.hops["feasible"], "a"],
            bh.hops.loc[bh.hops["feasible"], "b"],
            strict=True,
        )
    }
    link_ends = {
        str(lid): (frozenset((str(a), str(b))), str(kind), float(cost))
        for lid, a, b, kind, cost in zip(
            bh.links["link_id"],
            bh.links["a"],
            bh.links["b"],
            bh.links["kind"],
            bh.links["cost_usd"],
            strict=True,
        )
    }
    ordered = bh.route_links.sort_values(["route_id", "hop"])
    links_of: dict[str, list[str]] = {}
    for rid, lid in zip(ordered["route_id"], ordered["link_id"], strict=True):
        links_of.setdefault(str(rid), []).append(str(lid))
    for rec in routes.to_dict("records"):
        rid, site, pop = str(rec["route_id"]), str(rec["site_id"]), str(rec["pop_id"])
        n_hops = int(rec["n_hops"])
        path = tuple(str(p) for p in rec["path_node_ids"])
        assert path[0] == site
        assert path[-1] == pop
        assert tuple(str(r) for r in rec["relay_node_ids"]) == path[1:-1]
        assert len(path) == n_hops + 1
        assert len(set(path)) == len(path)
        for relay in path[1:-1]:
            assert relay in candidate_ids, (rid, relay)
        link_ids = links_of[rid]
        assert len(link_ids) == n_hops
        for (u, v), lid in zip(itertools.pairwise(path), link_ids, strict=True):
            pair, kind, _ = link_ends[lid]
            assert pair == frozenset((u, v)), (rid, lid)
            if kind == "microwave":
                assert pair in feasible_hops, (rid, lid)
        total = math.fsum(link_ends[lid][2] for lid in link_ids)
        assert float(rec["cost_usd"]) == pytest.approx(total)
    # ranks are cheapest first within a site
    for _, g in routes.groupby("site_id"):
        assert g.sort_values("rank")["cost_usd"].is_monotonic_increasing


# -------------------------------------------------------------------- plan, layers


def test_plan_connects_schools_with_options_that_meet_demand(planned: Planned) -> None:
    d = planned.result.decoded["schools"]
    assert len(d) == len(planned.schools)
    connected = d.loc[d["option_kind"] != "not_connected"]
    assert len(connected) >= 1
    assert (connected["mbps"] >= connected["demand_mbps"]).all()
    spent = float(d["npv_usd"].sum())
    assert spent <= planned.scenario.plan.budget_usd * (1 + 1e-6)


def test_layers_are_valid_and_reopen_from_geopackage(planned: Planned, tmp_path: Path) -> None:
    layers = planned.layers
    assert set(PLAN_LAYERS) <= set(layers)
    west, south, east, north = planned.grid_bounds
    for name in PLAN_LAYERS:
        layer = layers[name]
        assert layer.crs is not None
        assert layer.crs.to_epsg() == 4326, name
        if len(layer) == 0:
            continue
        geoms = layer.geometry.to_numpy()
        assert shapely.is_valid(geoms).all(), name
        assert not shapely.is_empty(geoms).any(), name
        x0, y0, x1, y1 = shapely.total_bounds(geoms)
        assert west <= x0, name
        assert x1 <= east, name
        assert south <= y0, name
        assert y1 <= north, name
    bh = planned.result.backhaul
    assert len(layers["plan_schools"]) == len(planned.schools)
    assert len(layers["candidate_sites"]) == len(bh.candidates)
    assert len(layers["microwave_hops"]) == len(bh.hops)
    assert len(layers["backhaul_routes"]) == len(bh.routes)
    # a route line runs from its site to its fibre node
    nodes = bh.nodes.set_index("node_id")
    for row in layers["backhaul_routes"].itertuples(index=False):
        coords = list(row.geometry.coords)
        site = nodes.loc[row.site_id]
        pop = nodes.loc[row.pop_id]
        assert coords[0] == pytest.approx((site["longitude_deg"], site["latitude_deg"]))
        assert coords[-1] == pytest.approx((pop["longitude_deg"], pop["latitude_deg"]))

    path = write_geopackage_layers(tmp_path / "plan.gpkg", layers)
    listed = {str(n): str(t) for n, t in pyogrio.list_layers(path)}
    assert set(layers) == set(listed)
    for name, layer in layers.items():
        back = pyogrio.read_dataframe(path, layer=name)
        assert len(back) == len(layer), name
        if len(layer):
            assert back.crs is not None
            assert back.crs.to_epsg() == 4326
            assert shapely.is_valid(back.geometry.to_numpy()).all()
    assert listed["microwave_hops"] == "LineString"
    assert listed["backhaul_routes"] == "LineString"
    assert listed["candidate_sites"] == "Point"


def test_main_job_writes_plan_layers(scenario_path: Path, planned: Planned, tmp_path: Path) -> None:
    scenario = read_scenario(scenario_path)
    job = run_main_job(scenario, output_dir=tmp_path / "out", area=False)
    plan_path = job.outputs["plan"]
    assert plan_path.is_file()
    listed = {str(n) for n, _ in pyogrio.list_layers(plan_path)}
    assert {"new_sites", "backhaul_routes"} <= listed
    assert set(PLAN_LAYERS) <= listed
    routes = pyogrio.read_dataframe(plan_path, layer="backhaul_routes")
    hops = pyogrio.read_dataframe(plan_path, layer="microwave_hops")
    cands = pyogrio.read_dataframe(plan_path, layer="candidate_sites")
    assert len(routes) > 0
    assert routes["pop_id"].astype(str).str.startswith("fn-").all()
    summary: dict[str, Any] = json.loads(job.outputs["summary"].read_text(encoding="utf-8"))
    plan = summary["plan"]
    assert plan["backhaul_routes"] == len(routes)
    assert plan["microwave_hops_evaluated"] == len(hops)
    assert 0 < plan["microwave_hops_feasible"] < len(hops)
    assert plan["candidate_sites"] == len(cands)
    assert len(plan["budget_sweep"]) >= 2
    # Same schools, all uncovered in a greenfield: the whole-DEM job proposes the same
    # candidates and hops as the windowed run.
    bh = planned.result.backhaul
    assert sorted(cands["candidate_id"]) == sorted(bh.candidates["candidate_id"])
    assert len(hops) == len(bh.hops)
    # the profile step is the pixel width at the grid's mid-latitude, which differs a
    # little between the whole DEM and the window: a marginal hop may flip
    assert int(hops["feasible"].sum()) == pytest.approx(int(bh.hops["feasible"].sum()), rel=0.02)
    assert job.plan is not None
    assert job.plan["schools_connected_after"] >= 1
