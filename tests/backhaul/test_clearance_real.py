"""Clearance kernel on real DEMs, against an independent per-path profile check.

Named hops on the Lima Andes SRTM3 DEM (GeoNames places) and on the demo DEM (Petorca,
Chile: a Movistar tower and schools). The expected answer comes from a plain Python
check written here: WGS 84 geodesic points from ``pyproj.Geod.npts``, the raster read
with rasterio and interpolated bilinearly by hand between pixel centres, the earth bulge
``d1 d2 / (2 k a)`` and the first Fresnel radius ``17.3 sqrt(d1 d2 / (f d))``
(ITU-R P.530-18 eq. (2)) — none of Alcance's terrain code.

The two sample the path at slightly different points (pyproj's npts spacing vs the
kernel's pixel-size intervals), so the minimum normalised clearance may differ where a
sharp crest falls between samples: values agree within max(0.25 F1, 2 %) (deep crests
of tens of F1 move by a few metres between samples; 0.01 F1 on the near miss); each
named pair is at least 0.3 F1 from 0, so clear/blocked cannot flip.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
import rasterio

from alcance.backhaul.microwave import path_clearance
from alcance.io.terrain import open_dem

pytestmark = pytest.mark.shared

FREQ_GHZ = 7.0
K_VALUES = (4.0 / 3.0, 0.53)
A_M = 6_371_000.0
GEOD = pyproj.Geod(ellps="WGS84")


def independent_min_clearance(
    path: Path, lon1: float, lat1: float, h1: float, lon2: float, lat2: float, h2: float
) -> list[float]:
    """Minimum clearance / F1 over the path, one value per k of K_VALUES."""
    with rasterio.open(path) as src:
        z = src.read(1).astype(np.float64)
        inv = ~src.transform

    def ground(lon: float, lat: float) -> float:
        col, row = inv @ (lon, lat)
        x, y = col - 0.5, row - 0.5  # pixel-centre coordinates
        c0, r0 = math.floor(x), math.floor(y)
        fx, fy = x - c0, y - r0
        return float(
            z[r0, c0] * (1 - fx) * (1 - fy)
            + z[r0, c0 + 1] * fx * (1 - fy)
            + z[r0 + 1, c0] * (1 - fx) * fy
            + z[r0 + 1, c0 + 1] * fx * fy
        )

    _, _, d = GEOD.inv(lon1, lat1, lon2, lat2)
    n = max(2, math.ceil(d / 85.0))
    pts = GEOD.npts(lon1, lat1, lon2, lat2, n - 1)
    y1 = ground(lon1, lat1) + h1
    y2 = ground(lon2, lat2) + h2
    out = []
    for k in K_VALUES:
        worst = math.inf
        for idx, (lo, la) in enumerate(pts, start=1):
            d1 = d * idx / n
            d2 = d - d1
            ray = y1 + (y2 - y1) * d1 / d
            obstacle = ground(lo, la) + d1 * d2 / (2 * k * A_M)
            f1 = 17.3 * math.sqrt((d1 / 1000) * (d2 / 1000) / (FREQ_GHZ * d / 1000))
            worst = min(worst, (ray - obstacle) / f1)
        out.append(worst)
    return out


def check_pairs(
    dem_path: Path,
    pairs: list[tuple[str, tuple[float, float, float], tuple[float, float, float], bool]],
) -> None:
    lon1 = np.array([p[1][0] for p in pairs])
    lat1 = np.array([p[1][1] for p in pairs])
    h1 = np.array([p[1][2] for p in pairs])
    lon2 = np.array([p[2][0] for p in pairs])
    lat2 = np.array([p[2][1] for p in pairs])
    h2 = np.array([p[2][2] for p in pairs])
    pad = 0.02
    with open_dem(dem_path) as dem:
        grid = dem.read(
            float(min(lon1.min(), lon2.min())) - pad, float(min(lat1.min(), lat2.min())) - pad,
            float(max(lon1.max(), lon2.max())) + pad, float(max(lat1.max(), lat2.max())) + pad,
        )  # fmt: skip
    res = path_clearance(
        grid, lon_a=lon1, lat_a=lat1, h_a_m=h1, lon_b=lon2, lat_b=lat2, h_b_m=h2,
        freq_ghz=FREQ_GHZ, k_values=list(K_VALUES),
    )  # fmt: skip
    assert not res.off_grid.any()
    for n, (name, a, b, expect_clear) in enumerate(pairs):
        ref = independent_min_clearance(dem_path, *a, *b)
        for row in range(len(K_VALUES)):
            got = float(res.min_clearance_f1[row, n])
            assert got == pytest.approx(ref[row], abs=0.25, rel=0.02), (name, K_VALUES[row])
            assert (ref[row] > 0.0) == expect_clear, (name, ref[row])
            assert bool(res.los[row, n]) == expect_clear, name


def test_lima_andes_named_places(shared_data: Path) -> None:
    dem_path = shared_data / "peru-lima-andes" / "dem_srtm3_lima_andes.tif"
    places_path = shared_data / "peru-lima-andes" / "places_geonames.csv"
    if not dem_path.is_file() or not places_path.is_file():
        pytest.skip(f"{dem_path} or {places_path} is absent")
    places = pd.read_csv(places_path).set_index("geonameid")

    def at(geonameid: int, mast_m: float) -> tuple[float, float, float]:
        row = places.loc[geonameid].to_dict()
        return float(row["lon"]), float(row["lat"]), mast_m

    lima, santa_maria, callao, independencia = 3936456, 3929172, 3946083, 3938324
    matucana, san_juan_de_iris, chosica, san_bartolome = 3935155, 3929480, 3943423, 3929800
    check_pairs(dem_path, [
        ("Lima–Santa María (15 km over the Rímac plain)", at(lima, 30), at(santa_maria, 30), True),
        ("Callao–Independencia (12 km, coastal)", at(callao, 30), at(independencia, 30), True),
        ("Matucana–San Juan de Iris (23 km across the Andes)", at(matucana, 30), at(san_juan_de_iris, 30), False),
        ("Chosica–San Bartolomé (20 km up the Rímac valley)", at(chosica, 30), at(san_bartolome, 30), False),
    ])  # fmt: skip


def test_demo_tower_and_schools(shared_data: Path) -> None:
    dem_path = shared_data / "demo" / "dem.tif"
    towers_path = shared_data / "demo" / "towers.csv"
    schools_path = shared_data / "demo" / "schools.csv"
    if not all(p.is_file() for p in (dem_path, towers_path, schools_path)):
        pytest.skip(f"demo data absent under {dem_path.parent}")
    towers = pd.read_csv(towers_path).set_index("element_id")
    schools = pd.read_csv(schools_path).set_index("rbd")

    def tower(element_id: int) -> tuple[float, float, float]:
        row = towers.loc[element_id].to_dict()
        return float(row["lon"]), float(row["lat"]), float(row["support_height_m"])

    def school(rbd: int, mast_m: float = 10.0) -> tuple[float, float, float]:
        row = schools.loc[rbd].to_dict()
        return float(row["lon"]), float(row["lat"]), mast_m

    chincolco = 29889  # Movistar, Cerro Quillay (Chincolco), 30 m self-supporting tower
    liceo_cordillera, borgono, la_vina, frei, san_lorenzo = 1149, 1148, 1178, 1152, 1174
    check_pairs(dem_path, [
        ("Chincolco tower–Liceo Cordillera (3 km)", tower(chincolco), school(liceo_cordillera), True),
        ("Escuela San Lorenzo–Escuela La Viña (6 km, Cabildo)", school(san_lorenzo, 30), school(la_vina, 30), True),
        # a near miss: the ray passes ≈ 3 m (0.37 F1) below a spur
        ("Liceo J. M. Borgoño–Escuela Frei Montalva (5.5 km)", school(borgono, 30), school(frei, 30), False),
        ("Liceo J. M. Borgoño–Escuela La Viña (19 km across the ridge)", school(borgono, 30), school(la_vina, 30), False),
    ])  # fmt: skip
