"""School reader: every format, the source layouts it must recognise, the shared data
(against the numbers their READMEs state) and every bad-input message.

Small files are written here in ``tmp_path``; the schools in them are invented (no row
of ``shared/`` is copied).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from alcance.errors import InputError
from alcance.io.schools import SCHOOL_FIELDS, read_schools

# Three invented schools in the Petorca area, as (id, name, lat, lon, students, rural).
SMALL = pd.DataFrame(
    {
        "school_id": ["S-1", "S-2", "S-3"],
        "name": ["ESCUELA EL SAUCE", "LICEO LA VEGA", "ESCUELA LOS MAITENES"],
        "lat": [-32.25, -32.1875, -32.4125],
        "lon": [-70.93, -70.8125, -70.6375],
        "students": [12, 310, 0],
        "rural": [1, 0, 1],
    }
)


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",") -> Path:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def small_gdf(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(
        SMALL.drop(columns=["lat", "lon"]),
        geometry=gpd.points_from_xy(SMALL["lon"], SMALL["lat"]),
        crs="EPSG:4326",
    )
    return gdf.to_crs(crs)


def assert_small(schools: gpd.GeoDataFrame) -> None:
    """The table read back equals SMALL (coordinates to 1e-7°, ~1 cm)."""
    assert list(schools.columns[: len(SCHOOL_FIELDS)]) == list(SCHOOL_FIELDS)
    assert schools["school_id"].tolist() == SMALL["school_id"].tolist()
    assert schools["name"].tolist() == SMALL["name"].tolist()
    np.testing.assert_allclose(schools["latitude_deg"], SMALL["lat"], atol=1e-7)
    np.testing.assert_allclose(schools["longitude_deg"], SMALL["lon"], atol=1e-7)
    assert schools["students"].tolist() == SMALL["students"].tolist()
    assert schools["rural"].tolist() == [True, False, True]
    assert schools["source_row"].tolist() == [1, 2, 3]
    assert schools.crs.to_epsg() == 4326
    np.testing.assert_allclose(schools.geometry.y, SMALL["lat"], atol=1e-7)


# ----------------------------------------------------------------------- formats


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "schools.csv"
    SMALL.to_csv(path, index=False)
    schools, info = read_schools(path)
    assert_small(schools)
    assert info.n_rows == 3
    assert info.column_map["latitude_deg"] == "lat"


def test_geojson(tmp_path: Path) -> None:
    path = tmp_path / "schools.geojson"
    small_gdf().to_file(path, driver="GeoJSON")
    schools, info = read_schools(path)
    assert_small(schools)
    assert "latitude_deg" not in info.column_map
    assert any("point geometry" in n for n in info.notes)


def test_geopackage_in_utm_is_reprojected(tmp_path: Path) -> None:
    path = tmp_path / "schools.gpkg"
    projected = small_gdf("EPSG:32719")
    # Projected coordinates also as x/y columns, in metres: the geometry must win,
    # although "x"/"y" are longitude/latitude aliases.
    projected["x"] = projected.geometry.x
    projected["y"] = projected.geometry.y
    assert (projected["y"] > 6_000_000).all()  # really metres, southern hemisphere UTM
    projected.to_file(path, layer="escuelas", driver="GPKG")
    schools, info = read_schools(path)
    assert_small(schools)
    assert (schools["y"] > 6_000_000).all()  # kept as a source column
    assert any("column 'y' kept" in n for n in info.notes)


def test_geopackage_layer_choice(tmp_path: Path) -> None:
    path = tmp_path / "two_layers.gpkg"
    small_gdf().to_file(path, layer="schools", driver="GPKG")
    other = small_gdf().iloc[:1].assign(school_id=["OTHER"])
    other.to_file(path, layer="other", driver="GPKG")
    schools, info = read_schools(path)  # the first layer, with a note (no warning)
    assert_small(schools)
    assert any("More than one layer" in n for n in info.notes)
    chosen, _ = read_schools(path, layer="other")
    assert chosen["school_id"].tolist() == ["OTHER"]
    with pytest.raises(InputError) as exc:
        read_schools(path, layer="escuelas")
    assert path.name in str(exc.value)
    assert "layer escuelas" in str(exc.value)


def test_geopackage_attribute_table_with_coordinates(tmp_path: Path) -> None:
    import pyogrio

    path = tmp_path / "table.gpkg"
    pyogrio.write_dataframe(SMALL, path, layer="schools")  # no geometry column
    schools, _ = read_schools(path)
    assert_small(schools)


def test_geoparquet(tmp_path: Path) -> None:
    path = tmp_path / "schools.parquet"
    small_gdf("EPSG:32719").to_parquet(path)
    schools, _ = read_schools(path)
    assert_small(schools)


def test_plain_parquet_with_lat_lon(tmp_path: Path) -> None:
    path = tmp_path / "schools.parquet"
    SMALL.to_parquet(path, index=False)
    schools, info = read_schools(path)
    assert_small(schools)
    assert info.column_map["longitude_deg"] == "lon"


def test_parquet_id_in_index_and_nullable_types(tmp_path: Path) -> None:
    path = tmp_path / "schools.parquet"
    frame = SMALL.convert_dtypes().set_index("school_id")
    frame.loc["S-3", "students"] = pd.NA
    frame.to_parquet(path)
    schools, _ = read_schools(path)
    assert schools["school_id"].tolist() == ["S-1", "S-2", "S-3"]
    assert schools["students"].isna().tolist() == [False, False, True]
    assert schools["rural"].tolist() == [True, False, True]


def test_polygon_features_use_a_point_inside(tmp_path: Path) -> None:
    path = tmp_path / "grounds.geojson"
    square = Polygon([(-70.90, -32.20), (-70.89, -32.20), (-70.89, -32.21), (-70.90, -32.21)])
    gpd.GeoDataFrame({"id": ["A"]}, geometry=[square], crs="EPSG:4326").to_file(path)
    schools, _ = read_schools(path)
    assert square.contains(Point(schools["longitude_deg"][0], schools["latitude_deg"][0]))


def test_feature_without_geometry_names_the_feature(tmp_path: Path) -> None:
    path = tmp_path / "schools.geojson"
    gdf = small_gdf()
    gdf.loc[1, "geometry"] = None
    gdf.to_file(path)
    with pytest.raises(InputError) as exc:
        read_schools(path)
    assert_location(exc.value, path, row=2, field="geometry")


def test_feature_without_geometry_falls_back_to_columns(tmp_path: Path) -> None:
    path = tmp_path / "schools.geojson"
    gdf = small_gdf().assign(lat=SMALL["lat"], lon=SMALL["lon"])
    gdf.loc[1, "geometry"] = None
    gdf.to_file(path)
    schools, info = read_schools(path)
    assert_small(schools)
    assert info.column_map["latitude_deg"] == "lat"


@pytest.mark.parametrize(("suffix", "delimiter"), [(".csv", ";"), (".tsv", "\t"), (".txt", "|")])
def test_delimiters(tmp_path: Path, suffix: str, delimiter: str) -> None:
    path = tmp_path / f"schools{suffix}"
    SMALL.to_csv(path, index=False, sep=delimiter)
    schools, _ = read_schools(path)
    assert_small(schools)


def test_utf8_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    text = SMALL.to_csv(index=False, lineterminator="\r\n")
    path.write_bytes(text.encode("utf-8-sig"))
    schools, _ = read_schools(path)
    assert_small(schools)


def test_blank_lines_do_not_count_as_rows(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("id,lat,lon\n\nA,-32.2,-70.9\n\nB,-32.3,x\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_schools(path)
    assert_location(exc.value, path, row=2, field="lon")


# ----------------------------------------------------------------------- layouts


def test_giga_itu_points_of_interest_template(tmp_path: Path) -> None:
    header = [
        "poi_id", "source_poi_id", "dataset_id", "lat", "lon", "poi_type", "is_public",
        "poi_subtype", "country_code", "admin1", "admin2", "admin3", "is_connected",
        "connectivity_type", "has_electricity", "electricity_type", "label",
    ]  # fmt: skip
    rows = [
        ["p-1", "POI1", "PER-1", "-12.05", "-76.95", "school", "True", "", "PER", "Lima",
         "Huarochiri", "San Damian", "True", "fibre", "True", "grid", "school"],
        ["p-2", "POI2", "PER-1", "-11.98", "-76.40", "school", "True", "", "PER", "Lima",
         "Huarochiri", "Matucana", "False", "", "False", "", "school"],
        ["p-3", "POI3", "PER-1", "-12.20", "-76.60", "school", "", "", "PER", "", "", "",
         "", "", "", "", "school"],
    ]  # fmt: skip
    schools, info = read_schools(write_csv(tmp_path / "poi.csv", [header, *rows]))
    assert info.column_map["school_id"] == "poi_id"
    assert schools["is_connected"].tolist() == [True, False, pd.NA]
    assert schools["has_electricity"].tolist() == [True, False, pd.NA]
    assert schools["connectivity_type"].tolist() == ["fibre", pd.NA, pd.NA]
    assert schools["admin_area"].tolist() == ["San Damian", "Matucana", pd.NA]
    assert schools["students"].isna().all()
    assert any("no student counts" in n for n in info.notes)
    assert schools["source_poi_id"].tolist() == ["POI1", "POI2", "POI3"]  # kept as is


def test_giga_school_template(tmp_path: Path) -> None:
    # Giga's school master schema (unicef/giga-meter-backend).
    header = [
        "school_id_giga", "school_id_govt", "school_name", "latitude", "longitude",
        "education_level", "school_area_type", "electricity_availability",
        "connectivity_govt", "connectivity_type_govt", "num_students", "is_school_open",
    ]  # fmt: skip
    rows = [
        ["g-1", "0123", "EE 1", "-12.1", "-76.1", "Primary", "Rural", "Yes", "No", "", "45",
         "Yes"],
        ["g-2", "0456", "EE 2", "-12.2", "-76.2", "Secondary", "Urban", "No", "Yes", "4G", "",
         "No"],
    ]  # fmt: skip
    schools, info = read_schools(write_csv(tmp_path / "giga.csv", [header, *rows]))
    assert info.column_map["school_id"] == "school_id_giga"
    assert schools["rural"].tolist() == [True, False]
    assert schools["has_electricity"].tolist() == [True, False]
    assert schools["is_connected"].tolist() == [False, True]
    assert schools["connectivity_type"].tolist() == [pd.NA, "4G"]
    assert schools["students"].tolist() == [45, pd.NA]
    assert schools["level"].tolist() == ["Primary", "Secondary"]
    assert schools["is_operational"].tolist() == [True, False]
    assert schools["school_id_govt"].tolist() == ["0123", "0456"]


# The official MINEDUC directory: semicolon-separated, latin-1, decimal commas.
MINEDUC_HEADER = (
    "AGNO;RBD;DGV_RBD;NOM_RBD;COD_REG_RBD;COD_COM_RBD;NOM_COM_RBD;COD_DEPE;RURAL_RBD;"
    "LATITUD;LONGITUD;MAT_TOTAL;MATRICULA;ESTADO_ESTAB"
)
MINEDUC_ROWS = [
    "2024;9001;5;ESCUELA BÁSICA EL ÑILHUE;5;5404;PETORCA;1;1;-32,2512;-70,9303;48;1;1",
    "2024;9002;3;LICEO PEÑÓN ALTO;13;13122;PEÑALOLÉN;2;0;-33,4797;-70,5383;1120;1;1",
    "2024;9003;1;ESCUELA LOS CÓNDORES;5;5404;PETORCA;1;1;-32,3001;-70,8870;0;0;2",
]


def write_mineduc(path: Path, rows: list[str] = MINEDUC_ROWS) -> Path:
    path.write_bytes(("\r\n".join([MINEDUC_HEADER, *rows]) + "\r\n").encode("latin-1"))
    return path


def test_mineduc_official_directory_latin1(tmp_path: Path) -> None:
    path = write_mineduc(tmp_path / "Directorio_Oficial_EE_2024.csv")
    schools, info = read_schools(path, encoding="latin-1")
    assert info.column_map == {
        "school_id": "RBD",
        "latitude_deg": "LATITUD",
        "longitude_deg": "LONGITUD",
        "name": "NOM_RBD",
        "students": "MAT_TOTAL",
        "admin_area": "NOM_COM_RBD",
        "rural": "RURAL_RBD",
        "status": "ESTADO_ESTAB",
    }
    assert schools["school_id"].tolist() == ["9001", "9002", "9003"]
    assert schools["name"].tolist()[:2] == ["ESCUELA BÁSICA EL ÑILHUE", "LICEO PEÑÓN ALTO"]
    assert schools["admin_area"].tolist() == ["PETORCA", "PEÑALOLÉN", "PETORCA"]
    np.testing.assert_allclose(schools["latitude_deg"], [-32.2512, -33.4797, -32.3001])
    np.testing.assert_allclose(schools["longitude_deg"], [-70.9303, -70.5383, -70.8870])
    assert schools["students"].tolist() == [48, 1120, 0]
    assert schools["rural"].tolist() == [True, False, True]
    assert schools["is_operational"].tolist() == [True, True, False]  # 2 = in recess
    assert schools["MATRICULA"].tolist() == ["1", "1", "0"]  # unmapped columns kept


def test_mineduc_latin1_read_as_utf8_names_row_and_field(tmp_path: Path) -> None:
    path = write_mineduc(tmp_path / "directorio.csv")
    with pytest.raises(InputError) as exc:
        read_schools(path)  # default UTF-8
    assert_location(exc.value, path, row=1, field="NOM_RBD")
    assert "encoding='latin-1'" in str(exc.value)
    assert "0xc1" in str(exc.value)  # Á in latin-1


def test_mineduc_decimal_comma_error_names_row(tmp_path: Path) -> None:
    rows = [*MINEDUC_ROWS[:2], MINEDUC_ROWS[2].replace("-32,3001", "-32,30,01")]
    path = write_mineduc(tmp_path / "directorio.csv", rows)
    with pytest.raises(InputError) as exc:
        read_schools(path, encoding="latin-1")
    assert_location(exc.value, path, row=3, field="LATITUD")
    assert "-32,30,01" in str(exc.value)


def test_peru_escale_padron(tmp_path: Path) -> None:
    header = [
        "COD_MOD", "ANEXO", "CODLOCAL", "CEN_EDU", "D_NIV_MOD", "D_DPTO", "D_PROV", "D_DIST",
        "NLAT_IE", "NLONG_IE", "TALUMNO", "DAREACENSO", "D_ESTADO",
    ]  # fmt: skip
    rows = [
        ["0300012", "0", "314021", "20145 SAN DAMIÁN", "Primaria", "LIMA", "HUAROCHIRI",
         "SAN DAMIAN", "-12.0189", "-76.3870", "85", "Rural", "Activa"],
        ["0500017", "0", "314021", "20145 SAN DAMIÁN", "Secundaria", "LIMA", "HUAROCHIRI",
         "SAN DAMIAN", "-12.0189", "-76.3870", "120", "Rural", "Activa"],
        ["1234567", "0", "298811", "IE MATUCANA", "Inicial - Jardín", "LIMA", "HUAROCHIRI",
         "MATUCANA", "-11.8442", "-76.3861", "", "Urbana", "Inactiva"],
    ]  # fmt: skip
    schools, info = read_schools(write_csv(tmp_path / "padron.csv", [header, *rows]))
    assert info.column_map["school_id"] == "COD_MOD"  # CODLOCAL is shared by 2 rows
    assert info.column_map["admin_area"] == "D_DIST"
    # Leading zeros of the modular code are kept.
    assert schools["school_id"].tolist() == ["0300012", "0500017", "1234567"]
    assert schools["name"].tolist()[0] == "20145 SAN DAMIÁN"
    assert schools["students"].tolist() == [85, 120, pd.NA]
    assert schools["rural"].tolist() == [True, True, False]
    assert schools["is_operational"].tolist() == [True, True, False]
    assert schools["level"].tolist() == ["Primaria", "Secundaria", "Inicial - Jardín"]
    assert schools["CODLOCAL"].tolist() == ["314021", "314021", "298811"]


# ------------------------------------------------------------------ shared data


def functioning(schools: gpd.GeoDataFrame) -> pd.Series:
    """Functioning schools (``is_operational`` true; unknown counts as not)."""
    ok: pd.Series = schools["is_operational"].fillna(False).astype(bool)
    return ok


@pytest.mark.parametrize(
    "name", ["demo/schools.csv", "chile-petorca/schools_mineduc_2024_dem_extent.csv"]
)
def test_shared_demo_schools(shared_data: Path, name: str) -> None:
    # demo/README.md and chile-petorca/README.md: 19 schools, 18 functioning (14 rural),
    # 2,090 students, 3 - 464 per functioning school; functioning by commune Petorca 10
    # (+1 in recess), Cabildo 7, Los Andes 1 (RBD 42161, urban, in the Andes).
    schools, info = read_schools(shared_data / name)
    ok = functioning(schools)
    assert len(schools) == 19
    assert int(ok.sum()) == 18
    assert int((schools["rural"] & ok).sum()) == 14
    assert int(schools.loc[ok, "students"].sum()) == 2090
    assert int(schools.loc[ok, "students"].min()) == 3
    assert int(schools.loc[ok, "students"].max()) == 464
    by_commune = schools.loc[ok, "admin_area"].value_counts().to_dict()
    assert by_commune == {"PETORCA": 10, "CABILDO": 7, "LOS ANDES": 1}
    assert schools.loc[~ok, "admin_area"].tolist() == ["PETORCA"]
    odd = schools[schools["rbd"] == "42161"].iloc[0]
    assert odd["admin_area"] == "LOS ANDES"
    assert not odd["rural"]
    # Point bounds lon -70.9839 ... -70.3625, lat -32.4951 ... -32.0923.
    assert schools["longitude_deg"].min() == pytest.approx(-70.9839, abs=1e-4)
    assert schools["longitude_deg"].max() == pytest.approx(-70.3625, abs=1e-4)
    assert schools["latitude_deg"].min() == pytest.approx(-32.4951, abs=1e-4)
    assert schools["latitude_deg"].max() == pytest.approx(-32.0923, abs=1e-4)
    assert info.column_map["school_id"] == "school_id"
    assert schools["school_id"].str.fullmatch(r"CL-RBD-\d+").all()


def test_shared_petorca_commune_schools(shared_data: Path) -> None:
    # chile-petorca/README.md: 18 rows, 16 functioning (13 rural), 1,748 students
    # (3 ... 464 per school), 2 in recess; 11 lie east of -71.0 and are in the DEM-extent
    # file too.
    schools, _ = read_schools(shared_data / "chile-petorca/schools_mineduc_2024.csv")
    ok = functioning(schools)
    assert len(schools) == 18
    assert int(ok.sum()) == 16
    assert int((~ok).sum()) == 2
    assert int((schools["rural"] & ok).sum()) == 13
    assert int(schools.loc[ok, "students"].sum()) == 1748
    assert (int(schools.loc[ok, "students"].min()), int(schools["students"].max())) == (3, 464)
    east = schools[schools["longitude_deg"] > -71.0]
    assert len(east) == 11
    extent, _ = read_schools(shared_data / "chile-petorca/schools_mineduc_2024_dem_extent.csv")
    assert set(east["school_id"]) <= set(extent["school_id"])


def test_shared_petorca_2020_geojson(shared_data: Path) -> None:
    # chile-petorca/README.md: 17 points with MINEDUC column names (RBD, NOM_RBD,
    # LATITUD, LONGITUD, MAT_TOT); joins the 2024 file on RBD = rbd.
    schools, info = read_schools(shared_data / "chile-petorca/schools_petorca_2020.geojson")
    assert len(schools) == 17
    assert info.column_map["school_id"] == "RBD"
    assert info.column_map["name"] == "NOM_RBD"
    assert info.column_map["students"] == "MAT_TOT"
    assert schools["students"].notna().all()
    # The point geometry is used; it agrees with the LATITUD/LONGITUD attributes.
    np.testing.assert_allclose(schools["latitude_deg"], schools["LATITUD"].astype(float))
    np.testing.assert_allclose(schools["longitude_deg"], schools["LONGITUD"].astype(float))
    later, _ = read_schools(shared_data / "chile-petorca/schools_mineduc_2024.csv")
    assert set(schools["school_id"]) <= set(later["rbd"])


def test_shared_santiago_andes(shared_data: Path) -> None:
    # chile-santiago-andes/README.md: 2,769 rows, 2,502 functioning (37 rural),
    # 1,084,633 students in functioning schools, 43 communes; largest Puente Alto 207,
    # La Florida 200, Santiago 146, San Bernardo 139 (functioning schools);
    # points lon -70.7498 ... -70.1994, lat -34.0000 ... -33.1781.
    schools, _ = read_schools(shared_data / "chile-santiago-andes/schools_mineduc_2024.csv")
    ok = functioning(schools)
    assert len(schools) == 2769
    assert int(ok.sum()) == 2502
    assert int((schools["rural"] & ok).sum()) == 37
    assert int(schools.loc[ok, "students"].sum()) == 1_084_633
    assert schools["admin_area"].nunique() == 43
    top = schools.loc[ok, "admin_area"].value_counts().head(4).to_dict()
    assert top == {"PUENTE ALTO": 207, "LA FLORIDA": 200, "SANTIAGO": 146, "SAN BERNARDO": 139}
    assert schools["longitude_deg"].min() == pytest.approx(-70.7498, abs=1e-4)
    assert schools["longitude_deg"].max() == pytest.approx(-70.1994, abs=1e-4)
    assert schools["latitude_deg"].min() == pytest.approx(-34.0, abs=1e-4)
    assert schools["latitude_deg"].max() == pytest.approx(-33.1781, abs=1e-4)


def test_shared_santiago_demo_box(shared_data: Path) -> None:
    # chile-santiago-andes/demo-box/README.md: 91 rows; 71 functioning (10 rural, 61
    # urban), 6 in recess, 14 closed; 30,336 students in functioning schools (median
    # 306, max 1,763; rural 7 ... 1,076); no electricity/connectivity in the source;
    # a strict subset of the parent folder's file.
    base = shared_data / "chile-santiago-andes"
    schools, _ = read_schools(base / "demo-box/schools.csv")
    ok = functioning(schools)
    assert len(schools) == 91
    assert int(ok.sum()) == 71
    assert int((schools["rural"] & ok).sum()) == 10
    assert int((~schools["rural"] & ok).sum()) == 61
    assert schools["status_code"].value_counts().to_dict() == {"1": 71, "3": 14, "2": 6}
    students = schools.loc[ok, "students"]
    assert int(students.sum()) == 30_336
    assert float(students.median()) == 306
    assert int(students.max()) == 1_763
    rural = schools.loc[ok & schools["rural"], "students"]
    assert (int(rural.min()), int(rural.max())) == (7, 1_076)
    by_commune = schools.loc[ok, "admin_area"].value_counts().to_dict()
    assert by_commune == {
        "PEÑALOLÉN": 27,
        "PUENTE ALTO": 14,
        "SAN JOSÉ DE MAIPO": 12,
        "LA REINA": 10,
        "LA FLORIDA": 4,
        "PIRQUE": 3,
        "MOSTAZAL": 1,
    }
    assert schools["has_electricity"].isna().all()
    assert schools["is_connected"].isna().all()
    parent, _ = read_schools(base / "schools_mineduc_2024.csv")
    assert set(schools["school_id"]) < set(parent["school_id"])


def test_shared_itu_points_of_interest(shared_data: Path) -> None:
    # itu-fns-ibiza/README.md: 100 schools in ITU's points-of-interest template,
    # extent lon 1.157 ... 1.637, lat 38.81 ... 39.12.
    schools, info = read_schools(shared_data / "itu-fns-ibiza/points-of-interest.csv")
    assert len(schools) == 100
    assert info.column_map["school_id"] == "poi_id"
    assert schools["source_poi_id"].tolist()[:2] == ["POI1", "POI2"]
    assert schools["longitude_deg"].between(1.157, 1.637).all()
    assert schools["latitude_deg"].between(38.81, 39.12).all()
    # The template's optional columns are present but empty in this sample.
    assert schools["is_connected"].isna().all()
    assert schools["has_electricity"].isna().all()
    assert schools["students"].isna().all()


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


GOOD_HEADER = "school_id,name,lat,lon,students,rural"
GOOD = ["A,Escuela A,-32.20,-70.90,10,1", "B,Escuela B,-32.21,-70.91,20,0"]

# (case, file text, row, field, words the message must contain)
BAD_SCHOOLS = [
    ("missing_lat", "school_id,lon\nA,-70.9\n", None, "latitude_deg", ["no column", "latitud"]),
    (
        "misspelled_lat",
        "school_id,lattitude,lon\nA,-32.2,-70.9\n",
        None,
        "latitude_deg",
        ["'lattitude'", "'latitude'"],
    ),
    ("misspelled_id", "shool_id,lat,lon\nA,-32.2,-70.9\n", None, "school_id", ["'shool_id'"]),
    ("non_numeric", f"{GOOD_HEADER}\n{GOOD[0]}\nB,x,abc,-70.9,1,0\n", 2, "lat", ["'abc'"]),
    ("lat_range", f"{GOOD_HEADER}\n{GOOD[0]}\nB,x,91,-70.9,1,0\n", 2, "lat", ["[-90, 90]"]),
    ("lat_swapped", f"{GOOD_HEADER}\nB,x,-100.9,-32.2,1,0\n", 1, "lat", ["swapped"]),
    ("lon_range", f"{GOOD_HEADER}\n{GOOD[0]}\nB,x,-32.2,-180.5,1,0\n", 2, "lon", ["[-180"]),
    ("lat_missing", f"{GOOD_HEADER}\n{GOOD[0]}\nB,x,,-70.9,1,0\n", 2, "lat", ["missing"]),
    ("lat_inf", f"{GOOD_HEADER}\nB,x,inf,-70.9,1,0\n", 1, "lat", ["finite"]),
    (
        "duplicate_id",
        f"{GOOD_HEADER}\n{GOOD[0]}\n{GOOD[1]}\n{GOOD[0]}\n",
        3,
        "school_id",
        ["duplicate", "'A'", "row 1"],
    ),
    ("empty_id", f"{GOOD_HEADER}\n{GOOD[0]}\n ,x,-32.2,-70.9,1,0\n", 2, "school_id", ["empty"]),
    (
        "negative_students",
        f"{GOOD_HEADER}\n{GOOD[0]}\nB,x,-32.2,-70.9,-4,0\n",
        2,
        "students",
        ["-4", "whole number"],
    ),
    ("fractional_students", f"{GOOD_HEADER}\nB,x,-32.2,-70.9,12.5,0\n", 1, "students", ["12.5"]),
    ("huge_students", f"{GOOD_HEADER}\nB,x,-32.2,-70.9,1e12,0\n", 1, "students", ["1e+12"]),
    ("bad_rural", f"{GOOD_HEADER}\n{GOOD[0]}\nB,x,-32.2,-70.9,1,maybe\n", 2, "rural", ["maybe"]),
    (
        "too_many_fields",
        f"{GOOD_HEADER}\n{GOOD[0]}\nB,x,-32,2,-70,9,1,0\n",
        2,
        None,
        ["8 fields", "header has 6"],
    ),
    ("duplicate_column", "school_id,lat,lon,lat\nA,1,2,3\n", None, "lat", ["duplicate column"]),
    ("header_only", f"{GOOD_HEADER}\n", None, None, ["no data rows"]),
    ("blank_only", "\n \n\n", None, None, ["empty"]),
    ("nul_bytes", f"{GOOD_HEADER}\nB,x\x00,-32.2,-70.9,1,0\n", 1, "name", ["NUL"]),
]


@pytest.mark.parametrize(
    ("text", "row", "field", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_SCHOOLS],
)
def test_bad_input_names_file_row_field(
    tmp_path: Path, text: str, row: int | None, field: str | None, words: list[str]
) -> None:
    path = tmp_path / "escuelas.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_schools(path)
    assert_location(exc.value, path, row=row, field=field)
    for word in words:
        assert word in str(exc.value)


def test_empty_file_zero_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError) as exc:
        read_schools(path)
    assert_location(exc.value, path, row=None, field=None)
    assert "empty" in str(exc.value)


def test_wrong_encoding_in_a_later_row(tmp_path: Path) -> None:
    path = tmp_path / "escuelas.csv"
    text = f"{GOOD_HEADER}\n{GOOD[0]}\n{GOOD[1]}\nC,Escuela Peñón,-32.2,-70.9,1,0\n"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InputError) as exc:
        read_schools(path)
    assert_location(exc.value, path, row=3, field="name")
    assert "0xf1" in str(exc.value)  # ñ in latin-1
    schools, _ = read_schools(path, encoding="latin-1")
    assert schools["name"].tolist()[2] == "Escuela Peñón"


def test_wrong_encoding_in_the_header(tmp_path: Path) -> None:
    path = tmp_path / "escuelas.csv"
    path.write_bytes("school_id,año,lat,lon\nA,2024,-32.2,-70.9\n".encode("latin-1"))
    with pytest.raises(InputError) as exc:
        read_schools(path)
    assert_location(exc.value, path, row=None, field="column 2")
    assert "header" in str(exc.value)


def test_unknown_encoding_name(tmp_path: Path) -> None:
    path = tmp_path / "escuelas.csv"
    path.write_text(f"{GOOD_HEADER}\n{GOOD[0]}\n", encoding="utf-8")
    for encoding in ("klingon-8", "rot13"):
        with pytest.raises(InputError) as exc:
            read_schools(path, encoding=encoding)
        assert_location(exc.value, path, row=None, field="encoding")


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("schools.xlsx", b"PK\x03\x04", ["unsupported", ".xlsx"]),
        ("schools.geojson", b'{"type": "FeatureCollection", "features": []}', ["no rows"]),
        ("schools.geojson", b"<html>not json</html>", ["vector"]),
        ("schools.parquet", b"PAR1 but not really", ["Parquet"]),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, data: bytes, words: list[str]) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as exc:
        read_schools(path)
    assert path.name in str(exc.value)
    for word in words:
        assert word in str(exc.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found") as exc:
        read_schools(tmp_path / "nowhere.csv")
    assert "nowhere.csv" in str(exc.value)
    with pytest.raises(InputError, match="directory"):
        read_schools(tmp_path)


def test_input_error_is_a_value_error(tmp_path: Path) -> None:
    path = tmp_path / "escuelas.csv"
    path.write_text("school_id,lat,lon\nA,-95,0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="outside"):
        read_schools(path)
