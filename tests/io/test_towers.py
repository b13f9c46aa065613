"""Tower reader: OpenCelliD exports, the ITU FNS template, the Chilean SUBTEL registry
and plain site tables; cells grouped into sites; every bad-input message.

OpenCelliD and site files are written here in ``tmp_path`` with invented cells (no row
of ``shared/`` is copied).
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest

from alcance.errors import InputError
from alcance.io.towers import CELL_FIELDS, SITE_FIELDS, read_towers

GEOD = pyproj.Geod(ellps="WGS84")
LAT0, LON0 = -32.2472, -70.9361  # a hill near Petorca village


def offset(north_m: float, east_m: float) -> tuple[float, float]:
    """(lat, lon) of a point ``north_m``/``east_m`` from (LAT0, LON0)."""
    lon, lat, _ = GEOD.fwd(LON0, LAT0, math.degrees(math.atan2(east_m, north_m)),
                           math.hypot(north_m, east_m))  # fmt: skip
    return lat, lon


OPENCELLID_HEADER = (
    "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal"
)


def ocid_row(
    radio: str, net: int, area: int, cell: int, north_m: float, east_m: float, mcc: int = 730
) -> str:
    lat, lon = offset(north_m, east_m)
    unit = {"GSM": 0, "UMTS": 101, "LTE": 250, "NR": 500}.get(radio, 0)
    return (
        f"{radio},{mcc},{net},{area},{cell},{unit},{lon:.6f},{lat:.6f},1850,14,1,"
        f"1459814400,1622505600,0"
    )


# Chile: MNC 1 Entel, 2 Movistar, 3 Claro. Expected site of each row in the comment.
OPENCELLID_ROWS = [
    ocid_row("LTE", 1, 12010, 4_000_001, 0, 0),  # eNB 15625 (4_000_001 // 256)
    ocid_row("LTE", 1, 12010, 4_000_002, 40, -30),  # eNB 15625
    ocid_row("LTE", 1, 12010, 4_000_003, -25, 35),  # eNB 15625
    ocid_row("LTE", 1, 12010, 4_000_257, 3_000, 0),  # eNB 15626
    ocid_row("LTE", 3, 31010, 4_000_001, 5, 5),  # Claro eNB 15625: another operator
    ocid_row("GSM", 1, 1201, 21_301, 0, 0),  # Entel 2G/3G site A
    ocid_row("GSM", 1, 1201, 21_302, 80, 0),  # site A (80 m)
    ocid_row("UMTS", 1, 1201, 7_410_001, 60, 100),  # site A (3G on the same mast)
    ocid_row("GSM", 1, 1201, 21_303, 2_000, 0),  # Entel, 2 km away: site B
    ocid_row("GSM", 2, 5001, 21_301, 10, 0),  # Movistar beside Entel's A: site C
    ocid_row("NR", 1, 12010, 68_719_476, 0, 0),  # gNB 16777 (// 4096)
    ocid_row("NR", 1, 12010, 68_719_477, 10, 10),  # gNB 16777
]


def write_opencellid(path: Path, rows: list[str], *, header: bool = True) -> Path:
    lines = [OPENCELLID_HEADER, *rows] if header else rows
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def site_of(cells: pd.DataFrame) -> list[str]:
    return cells.sort_values("source_row")["site_id"].tolist()


@pytest.mark.parametrize("header", [True, False], ids=["header", "no_header"])
def test_opencellid_sites(tmp_path: Path, header: bool) -> None:
    path = write_opencellid(tmp_path / "730.csv", OPENCELLID_ROWS, header=header)
    towers, info = read_towers(path)
    cells, sites = towers.cells, towers.sites
    assert towers.layout == "opencellid"
    assert info.n_rows == len(cells) == 12
    assert list(cells.columns[: len(CELL_FIELDS)]) == list(CELL_FIELDS)
    assert list(sites.columns[: len(SITE_FIELDS)]) == list(SITE_FIELDS)
    site = site_of(cells)
    assert site[0] == site[1] == site[2] == "LTE-730-1-15625"
    assert site[3] == "LTE-730-1-15626"
    assert site[4] == "LTE-730-3-15625"
    assert site[5] == site[6] == site[7]  # GSM + UMTS of one operator within 150 m
    assert len({site[5], site[8], site[9]}) == 3  # 2 km away; another operator
    assert site[10] == site[11] == "NR-730-1-16777"
    assert len(sites) == 7
    assert cells["operator"].tolist()[:5] == ["730-01"] * 4 + ["730-03"]
    assert cells["technology"].tolist()[5:8] == ["GSM", "GSM", "UMTS"]
    assert cells["cell_id"].tolist()[0] == "LTE-730-1-12010-4000001"
    np.testing.assert_allclose(cells["range_m"], 1850)
    assert cells["samples"].tolist() == ["14"] * 12  # other OpenCelliD columns kept
    a = sites.set_index("site_id").loc[site[5]]
    assert a["n_cells"] == 3
    assert a["technologies"] == "GSM;UMTS"
    assert a["source_rows"] == "6,7,8"
    # A site lies at the mean of its cells' estimated positions.
    assert a["latitude_deg"] == pytest.approx(np.mean(cells["latitude_deg"][5:8]))
    assert any("eNodeB" in n for n in info.notes)


def test_opencellid_merge_radius(tmp_path: Path) -> None:
    path = write_opencellid(tmp_path / "730.csv", OPENCELLID_ROWS)
    apart, _ = read_towers(path, site_merge_radius_m=0)
    site = site_of(apart.cells)
    assert len({site[5], site[6], site[7]}) == 3
    assert site[0] == site[1]  # LTE grouping does not depend on distance
    wide, _ = read_towers(path, site_merge_radius_m=2_500)
    site = site_of(wide.cells)
    assert site[5] == site[8]  # 2 km apart, merged with a 2.5 km radius
    assert site[9] != site[5]  # never across operators
    for radius in (-1.0, math.nan, math.inf):
        with pytest.raises(InputError) as exc:
            read_towers(path, site_merge_radius_m=radius)
        assert exc.value.field == "site_merge_radius_m"


def test_opencellid_chain_of_cells_is_one_site(tmp_path: Path) -> None:
    # Single linkage: cells 100 m apart in a chain form one site.
    rows = [ocid_row("GSM", 1, 1201, 30_000 + k, 100 * k, 0) for k in range(4)]
    towers, _ = read_towers(write_opencellid(tmp_path / "chain.csv", rows))
    assert towers.sites["n_cells"].tolist() == [4]


def test_opencellid_same_cell_number_in_two_areas_is_two_sites(tmp_path: Path) -> None:
    # A cell number is unique only within its area (LAC) and technology.
    rows = [
        ocid_row("GSM", 1, 1201, 21_301, 0, 0),
        ocid_row("GSM", 1, 1202, 21_301, 20_000, 0),
        ocid_row("UMTS", 1, 1201, 21_301, -20_000, 0),
    ]
    towers, _ = read_towers(write_opencellid(tmp_path / "cells.csv", rows))
    assert towers.cells["site_id"].nunique() == 3
    assert len(towers.sites) == 3
    assert towers.sites["n_cells"].tolist() == [1, 1, 1]


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        (ocid_row("WIMAX", 1, 1201, 5, 0, 0), "radio", ["'WIMAX'"]),
        (ocid_row("GSM", 1, 1201, 5, 0, 0, mcc=7300), "mcc", ["7300", "999"]),
        (ocid_row("GSM", 1, 1201, 5, 0, 0).replace(",1201,", ",-3,"), "area", ["-3"]),
        (ocid_row("LTE", 1, 1201, 5, 0, 0).replace(",5,", ",5.5,", 1), "cell", ["5.5"]),
        (OPENCELLID_ROWS[0], "cell", ["duplicate", "row 1"]),
        (OPENCELLID_ROWS[1].replace("-32.", "-95.", 1), "lat", ["[-90, 90]"]),
    ],
    ids=["radio", "mcc", "area", "cell", "duplicate", "lat"],
)
def test_opencellid_bad_rows(tmp_path: Path, row: str, field: str, words: list[str]) -> None:
    path = write_opencellid(tmp_path / "cells.csv", [OPENCELLID_ROWS[0], row])
    with pytest.raises(InputError) as exc:
        read_towers(path)
    assert_location(exc.value, path, row=2, field=field)
    for word in words:
        assert word in str(exc.value)


def test_opencellid_without_header_bad_row_is_row_1(tmp_path: Path) -> None:
    # Without a header the first line is data row 1.
    path = write_opencellid(tmp_path / "cells.csv", [OPENCELLID_ROWS[0].replace("730", "x")],
                            header=False)  # fmt: skip
    with pytest.raises(InputError) as exc:
        read_towers(path)
    assert_location(exc.value, path, row=1, field="mcc")


# ----------------------------------------------------------------- shared data


@pytest.mark.parametrize("name", ["demo/towers.csv", "chile-petorca/towers_subtel.csv"])
def test_shared_subtel_registry(shared_data: Path, name: str) -> None:
    # chile-petorca/README.md: 21 radiating systems on 14 sites; technology GSM 14,
    # LTE 3, UMTS 2, "GSM UMTS" 1, blank 1; operators (rows) ENTEL PCS 6, Movistar 4,
    # MOVISTAR MOVIL 2, CLARO CHILE S.A. 3, Claro Serv. Empresariales 2, Wom 2, WILL 1,
    # VTR MOVIL 1; support 18 ... 61 m, median 36; bands 850/1900/2100/2600 MHz;
    # communes Petorca 14, Cabildo 3, Los Vilos 2, Salamanca 2; bounds lon -71.1344 ...
    # -70.8456, lat -32.3231 ... -32.0429; rows on sites 13026, 13028, 19775 lie west
    # of -71.0 (demo/README.md).
    towers, info = read_towers(shared_data / name)
    cells, sites = towers.cells, towers.sites
    rows = cells.drop_duplicates("source_row")
    assert towers.layout == "subtel"
    assert info.n_rows == len(rows) == 21
    assert len(sites) == 14
    # The "GSM UMTS" row becomes two cells; the blank one is "unknown".
    assert len(cells) == 22
    assert cells["technology"].value_counts().to_dict() == {
        "GSM": 14 + 1,
        "LTE": 3,
        "UMTS": 2 + 1,
        "unknown": 1,
    }
    split = cells[cells["cell_id"].str.endswith(("-GSM", "-UMTS"))]
    assert len(split) == 2
    assert split["source_row"].nunique() == 1
    assert split["site_id"].nunique() == 1
    assert rows["operator"].value_counts().to_dict() == {
        "ENTEL PCS": 6,
        "Movistar": 4,
        "CLARO CHILE S.A.": 3,
        "Claro Serv. Empresariales": 2,
        "MOVISTAR MOVIL": 2,
        "Wom": 2,
        "WILL": 1,
        "VTR MOVIL": 1,
    }
    assert (rows["height_m"].min(), rows["height_m"].median(), rows["height_m"].max()) == (
        18,
        36,
        61,
    )
    assert set(cells["freq_mhz"]) == {850, 1900, 2100, 2600}
    assert rows["commune"].value_counts().to_dict() == {
        "Petorca": 14,
        "Cabildo": 3,
        "Los Vilos": 2,
        "Salamanca": 2,
    }
    assert cells["longitude_deg"].min() == pytest.approx(-71.1344, abs=1e-4)
    assert cells["longitude_deg"].max() == pytest.approx(-70.8456, abs=1e-4)
    assert cells["latitude_deg"].min() == pytest.approx(-32.3231, abs=1e-4)
    assert cells["latitude_deg"].max() == pytest.approx(-32.0429, abs=1e-4)
    west = sites[sites["longitude_deg"] < -71.0]
    assert sorted(west["site_id"]) == ["13026", "13028", "19775"]
    assert int(sites["n_cells"].sum()) == len(cells)
    assert (sites["height_m"] >= 18).all()
    assert info.column_map["height_m"] == "support_height_m"
    assert info.column_map["cell_id"] == "element_id"


def test_shared_itu_cell_sites(shared_data: Path) -> None:
    # itu-fns-ibiza/README.md: 100 cell sites in ITU's template (radio_type, antenna
    # height in m, most optional columns empty). The README says 3G/4G; the file also
    # has 2G rows (6), which read as GSM.
    towers, info = read_towers(shared_data / "itu-fns-ibiza/cell-sites.csv")
    cells = towers.cells
    assert towers.layout == "itu-fns"
    assert len(cells) == len(towers.sites) == 100
    assert info.column_map["cell_id"] == "ict_id"
    assert info.column_map["technology"] == "radio_type"
    assert info.column_map["height_m"] == "antenna_height"
    assert cells["technology"].value_counts().to_dict() == {"LTE": 64, "UMTS": 30, "GSM": 6}
    assert cells["height_m"].between(1, 100).all()
    assert cells["eirp_dbm"].isna().all()
    assert cells["operator"].isna().all()
    assert cells["source_ict_id"].tolist()[:2] == ["SITE1", "SITE2"]
    assert cells["longitude_deg"].between(1.157, 1.637).all()
    assert cells["latitude_deg"].between(38.81, 39.12).all()


# --------------------------------------------------------------- plain site table

SITES_HEADER = "id,lat,lon,height_m,technology,operator,eirp_dbm,azimuth_deg,freq_mhz"


def test_plain_site_csv(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    lat_b, lon_b = offset(1_500, 2_000)
    path.write_text(
        f"{SITES_HEADER},owner\n"
        f"T1,{LAT0},{LON0},30,4G,Entel,58.5,120,1900,municipal\n"
        f"T2,{lat_b:.6f},{lon_b:.6f},45,3G,Claro,,,850,\n"
        f"T3,{LAT0},{LON0},30,LTE,Movistar,60,240,2600,\n"
        f"T4,{lat_b + 0.01:.6f},{lon_b:.6f},,,Wom,,,,\n",
        encoding="utf-8",
    )
    towers, info = read_towers(path)
    cells, sites = towers.cells, towers.sites
    assert towers.layout == "sites"
    assert cells["cell_id"].tolist() == ["T1", "T2", "T3", "T4"]
    assert cells["technology"].tolist() == ["LTE", "UMTS", "LTE", "unknown"]
    np.testing.assert_array_equal(cells["eirp_dbm"], [58.5, np.nan, 60, np.nan])
    np.testing.assert_array_equal(cells["azimuth_deg"], [120, np.nan, 240, np.nan])
    np.testing.assert_array_equal(cells["freq_mhz"], [1900, 850, 2600, np.nan])
    np.testing.assert_array_equal(cells["height_m"], [30, 45, 30, np.nan])
    assert cells["owner"].tolist() == ["municipal", "", "", ""]
    # No site column: rows at the same coordinates share a site.
    assert cells["site_id"].tolist() == ["T1", "T2", "T1", "T4"]
    assert len(sites) == 3
    t1 = sites.set_index("site_id").loc["T1"]
    assert t1["operators"] == "Entel;Movistar"
    assert t1["n_cells"] == 2
    assert any("same coordinates" in n for n in info.notes)
    assert any("1 cells have no antenna height" in n for n in info.notes)


def test_site_table_in_a_projected_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "sites.gpkg"
    lats = [LAT0, LAT0 + 0.05]
    lons = [LON0, LON0 + 0.07]
    gdf = gpd.GeoDataFrame(
        {"id": ["T1", "T2"], "technology": ["4G", "2G/3G"], "height_m": [30.0, 24.0]},
        geometry=gpd.points_from_xy(lons, lats),
        crs="EPSG:4326",
    ).to_crs("EPSG:32719")
    gdf.to_file(path)
    towers, _ = read_towers(path)
    np.testing.assert_allclose(towers.cells["latitude_deg"][:1], lats[:1], atol=1e-7)
    np.testing.assert_allclose(towers.sites["longitude_deg"], lons, atol=1e-7)
    assert towers.cells["technology"].tolist() == ["LTE", "GSM", "UMTS"]
    assert towers.cells["cell_id"].tolist() == ["T1", "T2-GSM", "T2-UMTS"]
    assert towers.sites["technologies"].tolist() == ["LTE", "GSM;UMTS"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2G", ["GSM"]),
        ("GSM UMTS", ["GSM", "UMTS"]),
        ("2G/3G", ["GSM", "UMTS"]),
        ("GSM+LTE", ["GSM", "LTE"]),
        ("HSPA+", ["UMTS"]),
        ("LTE-A", ["LTE"]),
        ("lte1800", ["LTE"]),
        ("GSM-900", ["GSM"]),
        ("5G NR", ["NR"]),
        ("4G; 5G", ["LTE", "NR"]),
        ("CDMA2000", ["CDMA"]),
        ("unknown", ["unknown"]),
        ("", ["unknown"]),
    ],
)
def test_technology_names(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(f'id,lat,lon,technology\nT1,{LAT0},{LON0},"{text}"\n', encoding="utf-8")
    towers, _ = read_towers(path)
    assert towers.cells["technology"].tolist() == expected


# ------------------------------------------------------------------------ errors


def assert_location(exc: InputError, path: Path, *, row: int | None, field: str | None) -> None:
    """The message names the file, and the row and field where they apply."""
    text = str(exc)
    assert path.name in text
    assert exc.row == row
    assert exc.field == field
    if row is not None:
        assert f"row {row}," in text or f"row {row}:" in text
    if field is not None:
        assert f"field '{field}'" in text


GOOD_SITE = f"T1,{LAT0},{LON0},30,4G,Entel,58,120,1900"

# (case, file text, row, field, words the message must contain)
BAD_TOWERS = [
    ("unknown_technology", f"{SITES_HEADER}\n{GOOD_SITE}\nT2,-32.1,-70.9,30,WiMAX,X,,,\n", 2,
     "technology", ["'WiMAX'", "unknown technology"]),
    ("non_numeric_height", f"{SITES_HEADER}\nT2,-32.1,-70.9,tall,4G,X,,,\n", 1, "height_m",
     ["'tall'"]),
    ("height_range", f"{SITES_HEADER}\n{GOOD_SITE}\nT2,-32.1,-70.9,900,4G,X,,,\n", 2,
     "height_m", ["900", "plausible"]),
    ("azimuth_range", f"{SITES_HEADER}\nT2,-32.1,-70.9,30,4G,X,,400,\n", 1, "azimuth_deg",
     ["400"]),
    ("lat_range", f"{SITES_HEADER}\nT2,-132.1,-70.9,30,4G,X,,,\n", 1, "lat", ["-132.1"]),
    ("lon_range", f"{SITES_HEADER}\n{GOOD_SITE}\nT2,-32.1,190,30,4G,X,,,\n", 2, "lon", ["190"]),
    ("duplicate_id", f"{SITES_HEADER}\n{GOOD_SITE}\n{GOOD_SITE}\n", 2, "id", ["duplicate"]),
    ("missing_lon", "id,lat,technology\nT1,-32.1,4G\n", None, "longitude_deg", ["no column"]),
    ("misspelled_lon", "id,lat,longitute\nT1,-32.1,-70.9\n", None, "longitude_deg",
     ["'longitute'"]),
    ("no_id", "lat,lon\n-32.1,-70.9\n", None, "cell_id", ["no column"]),
    ("header_only", f"{SITES_HEADER}\n", None, None, ["no data rows"]),
    ("subtel_blank_site", "element_id,site_id,lat,lon\n1,10,-32.1,-70.9\n2,,-32.1,-70.9\n",
     2, "site_id", ["empty"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "row", "field", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_TOWERS],
)
def test_bad_input_names_file_row_field(
    tmp_path: Path, text: str, row: int | None, field: str | None, words: list[str]
) -> None:
    path = tmp_path / "antenas.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_towers(path)
    assert_location(exc.value, path, row=row, field=field)
    for word in words:
        assert word in str(exc.value)


def test_empty_tower_file(tmp_path: Path) -> None:
    path = tmp_path / "antenas.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError) as exc:
        read_towers(path)
    assert_location(exc.value, path, row=None, field=None)


def test_wrong_encoding_names_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "antenas.csv"
    text = f"{SITES_HEADER}\n{GOOD_SITE}\nT2,-32.1,-70.9,30,4G,Telefónica,,,\n"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InputError) as exc:
        read_towers(path)
    assert_location(exc.value, path, row=2, field="operator")
    towers, _ = read_towers(path, encoding="latin-1")
    assert towers.cells["operator"].tolist() == ["Entel", "Telefónica"]
