"""Property tests of the table readers: any input loads or raises ``InputError``.

Nothing else may escape ``read_schools`` / ``read_towers``: no pandas, pyarrow, pyogrio
or shapely exception, no ``KeyError``, and (tests turn warnings into errors) no warning.
When a file loads, the result obeys the readers' contract.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alcance.errors import InputError
from alcance.io._tables import read_table
from alcance.io.schools import SCHOOL_FIELDS, read_schools
from alcance.io.towers import CELL_FIELDS, SITE_FIELDS, read_towers

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
FUZZ_SLOW = settings(FUZZ, max_examples=60)


def check_schools(path: Path, **kwargs: Any) -> None:
    """``read_schools`` loads a valid table or raises ``InputError`` naming the file."""
    try:
        schools, info = read_schools(path, **kwargs)
    except InputError as exc:
        assert path.name in str(exc)
        return
    assert list(schools.columns[: len(SCHOOL_FIELDS)]) == list(SCHOOL_FIELDS)
    assert len(schools) == info.n_rows > 0
    ids = schools["school_id"]
    assert ids.notna().all()
    assert ids.is_unique
    assert (ids.str.len() > 0).all()
    lat = schools["latitude_deg"].to_numpy(dtype=float)
    lon = schools["longitude_deg"].to_numpy(dtype=float)
    assert ((lat >= -90) & (lat <= 90)).all()
    assert ((lon >= -180) & (lon <= 180)).all()
    students = schools["students"].dropna().to_numpy(dtype=float)
    assert (students >= 0).all()
    assert schools["source_row"].tolist() == list(range(1, len(schools) + 1))
    assert str(schools.crs) == "EPSG:4326"


def check_towers(path: Path, **kwargs: Any) -> None:
    """``read_towers`` loads valid tables or raises ``InputError`` naming the file."""
    try:
        towers, info = read_towers(path, **kwargs)
    except InputError as exc:
        assert path.name in str(exc)
        return
    cells, sites = towers.cells, towers.sites
    assert list(cells.columns[: len(CELL_FIELDS)]) == list(CELL_FIELDS)
    assert list(sites.columns[: len(SITE_FIELDS)]) == list(SITE_FIELDS)
    assert len(cells) >= info.n_rows > 0
    assert cells["cell_id"].is_unique
    assert sites["site_id"].is_unique
    assert set(cells["site_id"]) == set(sites["site_id"])
    assert int(sites["n_cells"].sum()) == len(cells)
    assert set(cells["technology"]) <= {"GSM", "UMTS", "LTE", "NR", "CDMA", "unknown"}
    lat = cells["latitude_deg"].to_numpy(dtype=float)
    assert ((lat >= -90) & (lat <= 90)).all()
    assert set(cells["source_row"]) == set(range(1, info.n_rows + 1))


# ------------------------------------------------------------------ arbitrary bytes

# Bytes with a bias towards text-like content, so that some examples reach the parser.
TEXTISH = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.text(alphabet=st.sampled_from(list('ab01,;|\t\n\r"-.\x00 é')), max_size=200).map(
        lambda s: s.encode("utf-8")
    ),
)


@FUZZ
@given(data=TEXTISH)
def test_any_bytes_as_csv_schools(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "schools.csv"
    path.write_bytes(data)
    check_schools(path)


@FUZZ
@given(data=TEXTISH)
def test_any_bytes_as_csv_towers(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "towers.csv"
    path.write_bytes(data)
    check_towers(path)


@FUZZ
@given(data=TEXTISH, encoding=st.sampled_from(["latin-1", "utf-16", "ascii", "cp1252"]))
def test_any_bytes_other_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "schools.csv"
    path.write_bytes(data)
    check_schools(path, encoding=encoding)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


@st.composite
def geojson_like(draw: st.DrawFn) -> bytes:
    """Arbitrary bytes, arbitrary JSON, or a FeatureCollection with odd members."""
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(TEXTISH)
    if kind == 1:
        return json.dumps(draw(JSON_VALUES)).encode()
    geometry = st.one_of(
        st.none(),
        st.builds(
            lambda x, y: {"type": "Point", "coordinates": [x, y]},
            st.floats(-400, 400, allow_nan=False),
            st.floats(-200, 200, allow_nan=False),
        ),
        st.just({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}),
        st.just({"type": "Point", "coordinates": []}),
        JSON_VALUES,
    )
    props = st.dictionaries(
        st.sampled_from(["id", "school_id", "name", "lat", "lon", "students", "rural", "x"]),
        st.none() | st.integers(-5, 10**6) | st.text(max_size=6) | st.floats(allow_nan=False),
        max_size=6,
    )
    features = draw(
        st.lists(
            st.builds(
                lambda g, p: {"type": "Feature", "geometry": g, "properties": p}, geometry, props
            ),
            max_size=5,
        )
    )
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@FUZZ
@given(data=geojson_like())
def test_any_bytes_as_geojson(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "schools.geojson"
    path.write_bytes(data)
    check_schools(path)
    check_towers(path)


@FUZZ
@given(data=TEXTISH)
def test_any_bytes_as_parquet(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "schools.parquet"
    path.write_bytes(data)
    check_schools(path)
    check_towers(path)


# ---------------------------------------------------------------- structured input

# Cell texts that exercise the parsers: numbers, decimal commas, missing-value words,
# yes/no words, technologies, huge and non-finite numbers, odd Unicode and delimiters.
CELL = st.one_of(
    st.sampled_from(
        [
            "", " ", "0", "1", "-1", "12", "1.5", "-33,45", "-70.9", "91", "-181", "1e400",
            "inf", "nan", "NaN", "NA", "null", "-", "1_000", "1,234.5", "0x10", "٣",
            "yes", "no", "Rural", "Urbana", "Activa", "Inactiva", "functioning", "3",
            "GSM", "LTE", "GSM UMTS", "4G", "2G/3G", "5G NR", "lte1800", "WiMAX", "unknown",
            "1.0", "1148.0", "999999999999999999999", "-0", "true", "sí", "<NA>", '"', "a,b",
        ]
    ),
    st.text(max_size=8),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**20), 10**20).map(str),
)
SCHOOL_HEADERS = [
    "school_id", "id", "poi_id", "RBD", "COD_MOD", "lat", "lon", "LATITUD", "LONGITUD",
    "NLAT_IE", "NLONG_IE", "name", "students", "MAT_TOTAL", "TALUMNO", "rural", "RURAL_RBD",
    "DAREACENSO", "has_electricity", "is_connected", "status", "ESTADO_ESTAB", "D_ESTADO",
    "level", "commune", "x", "y", "geometry", "source_row", "extra",
]  # fmt: skip
TOWER_HEADERS = [
    "id", "cell_id", "site_id", "element_id", "ict_id", "lat", "lon", "operator",
    "technology", "radio_type", "radio", "mcc", "net", "area", "cell", "height_m",
    "support_height_m", "freq_mhz", "eirp_dbm", "azimuth_deg", "range", "geometry", "extra",
]  # fmt: skip


@st.composite
def csv_text(draw: st.DrawFn, headers: list[str], required: list[str]) -> str:
    """A CSV text with the required columns (plus others) and random cells."""
    extra = draw(st.lists(st.sampled_from(headers), max_size=5, unique=True))
    header = list(dict.fromkeys([*required, *extra]))
    header = draw(st.permutations(header))
    n_rows = draw(st.integers(1, 6))
    rows = [[draw(CELL) for _ in header] for _ in range(n_rows)]
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    if draw(st.booleans()):
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([header, *rows])
        return out.getvalue()
    # Unquoted: a delimiter or newline inside a cell breaks the row structure.
    return "\n".join(delimiter.join(r) for r in [header, *rows]) + "\n"


@FUZZ
@given(text=csv_text(SCHOOL_HEADERS, ["school_id", "lat", "lon"]))
def test_structured_school_csv(tmp_path: Path, text: str) -> None:
    path = tmp_path / "schools.csv"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    check_schools(path)


@FUZZ
@given(text=csv_text(SCHOOL_HEADERS, ["RBD", "LATITUD", "LONGITUD", "MAT_TOTAL", "RURAL_RBD"]))
def test_structured_mineduc_latin1(tmp_path: Path, text: str) -> None:
    path = tmp_path / "directorio.csv"
    path.write_bytes(text.encode("latin-1", errors="replace"))
    check_schools(path, encoding="latin-1")


@FUZZ
@given(text=csv_text(TOWER_HEADERS, ["id", "lat", "lon", "technology"]))
def test_structured_tower_csv(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    check_towers(path)


OPENCELLID_ROW = st.tuples(
    st.sampled_from(["GSM", "UMTS", "LTE", "NR", "CDMA", "gsm", "", "XYZ"]),
    st.one_of(st.sampled_from(["730", "716", "1000", "-1", "7.5", ""]), CELL),
    st.one_of(st.sampled_from(["1", "2", "3", "10"]), CELL),
    st.one_of(st.integers(0, 70000).map(str), CELL),
    st.one_of(st.integers(0, 2**28).map(str), CELL),
    st.floats(-75, -69, allow_nan=False).map(lambda v: f"{v:.5f}"),
    st.floats(-35, -31, allow_nan=False).map(lambda v: f"{v:.5f}"),
)


@FUZZ
@given(rows=st.lists(OPENCELLID_ROW, min_size=1, max_size=8), header=st.booleans())
def test_structured_opencellid(tmp_path: Path, rows: list[tuple[str, ...]], header: bool) -> None:
    lines = ["radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal"] if header else []  # fmt: skip
    for radio, mcc, net, area, cell, lon, lat in rows:
        fields = [radio, mcc, net, area, cell, "0", lon, lat, "1000", "3", "1", "1", "2", "0"]
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(fields)
        lines.append(out.getvalue())
    path = tmp_path / "cells.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    check_towers(path)


# Parquet columns of many types, missing values included.
PARQUET_COLUMN = st.one_of(
    st.lists(st.none() | st.text(max_size=5), min_size=3, max_size=3),
    st.lists(st.none() | st.integers(-(2**62), 2**62), min_size=3, max_size=3),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=3, max_size=3),
    st.lists(st.none() | st.booleans(), min_size=3, max_size=3),
    st.lists(st.floats(-95, 95), min_size=3, max_size=3),
)


@FUZZ_SLOW
@given(
    columns=st.dictionaries(
        st.sampled_from(["school_id", "id", "lat", "lon", "students", "rural", "status"]),
        PARQUET_COLUMN,
        min_size=1,
        max_size=6,
    ),
    nullable=st.booleans(),
)
def test_structured_parquet(tmp_path: Path, columns: dict[str, list[Any]], nullable: bool) -> None:
    frame = pd.DataFrame(columns)
    if nullable:
        frame = frame.convert_dtypes()  # pandas' nullable types: <NA>, not NaN
    path = tmp_path / "schools.parquet"
    frame.to_parquet(path)
    check_schools(path)
    check_towers(path)


# ------------------------------------------------------------------- fixed cases
# Escapes the fuzzing above found in the first version of the readers, kept as
# examples so that they stay fixed.


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("nul.csv", b"school_id,lat,lon\n1,\x00,2\n"),
        ("bom_only.csv", b"\xef\xbb\xbf"),
        ("quote.csv", b'school_id,lat,lon\n"1,2,3\n'),
        ("ragged.csv", b"school_id,lat,lon\n1,2,3,4\n"),
        ("huge_students.csv", b"school_id,lat,lon,students\n1,2,3,1e300\n"),
        ("pd_na.csv", b"school_id,lat,lon,rural\n1,2,3,<NA>\n"),
        ("geometry_column.csv", b"school_id,lat,lon,geometry\n1,2,3,POINT (3 2)\n"),
        ("not_json.geojson", b"{"),
        ("empty_fc.geojson", b'{"type":"FeatureCollection","features":[]}'),
        ("not_parquet.parquet", b"PAR1\x00\x00PAR1"),
    ],
)
def test_known_hard_inputs(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    check_schools(path)
    check_towers(path)


def test_blank_lines_are_not_rows(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n\nschool_id,lat,lon\n\na,1,2\n\nb,3,4\n\n", encoding="utf-8")
    raw = read_table(path)
    assert raw.frame["school_id"].tolist() == ["a", "b"]
    schools, _ = read_schools(path)
    assert np.allclose(schools["latitude_deg"], [1, 3])
