"""Property tests of the table readers: any input loads or raises ``InputError``.

Nothing else may escape ``read_schools`` / ``read_towers``: no pandas, pyarrow, pyogrio
or shapely exception, no ``KeyError``, and (tests turn warnings into errors) no warning.
When a file loads, the result obeys the readers' contract.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from alcance.errors import InputError
from alcance.io._tables import read_table
from alcance.io.schools import SCHOOL_FIELDS, read_schools
from alcance.io.towers import CELL_FIELDS, SITE_FIELDS, read_towers

# ALCANCE_FUZZ_EXAMPLES=5000 for a long hunt; the default keeps the run short.
EXAMPLES = int(os.environ.get("ALCANCE_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
FUZZ_SLOW = settings(FUZZ, max_examples=max(EXAMPLES // 3, 1))


def note(outcome: str) -> None:
    """Count outcomes in hypothesis' statistics (``--hypothesis-show-statistics``)."""
    if currently_in_test_context():
        event(outcome)


def check_schools(path: Path, **kwargs: Any) -> None:
    """``read_schools`` loads a valid table or raises ``InputError`` naming the file."""
    error: str | None = None
    try:
        schools, info = read_schools(path, **kwargs)
    except InputError as exc:
        error = str(exc)
    if error is not None:
        assert path.name in error
        note("InputError")
        return
    note("loaded")
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
    error: str | None = None
    try:
        towers, info = read_towers(path, **kwargs)
    except InputError as exc:
        error = str(exc)
    if error is not None:
        assert path.name in error
        note("InputError")
        return
    note("loaded")
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
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
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
            "",
            " ",
            "0",
            "1",
            "-1",
            "12",
            "1.5",
            "-33,45",
            "-70.9",
            "91",
            "-181",
            "1e400",
            "inf",
            "nan",
            "NaN",
            "NA",
            "null",
            "-",
            "1_000",
            "1,234.5",
            "0x10",
            "٣",
            "yes",
            "no",
            "Rural",
            "Urbana",
            "Activa",
            "Inactiva",
            "functioning",
            "3",
            "GSM",
            "LTE",
            "GSM UMTS",
            "4G",
            "2G/3G",
            "5G NR",
            "lte1800",
            "WiMAX",
            "unknown",
            "1.0",
            "1148.0",
            "999999999999999999999",
            "-0",
            "true",
            "sí",
            "<NA>",
            '"',
            "a,b",
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


COORDINATE = st.one_of(
    st.floats(-89.9, 89.9).map(lambda v: f"{v:.6f}"),
    st.floats(-89.9, 89.9).map(lambda v: f"{v:.4f}".replace(".", ",")),
)
ID_NAMES = {"school_id", "id", "poi_id", "RBD", "COD_MOD", "cell_id", "element_id", "ict_id"}
# Mostly-valid cells of typed columns.
COORDINATE_NAMES = ("lat", "lon", "LATITUD", "LONGITUD", "NLAT_IE", "NLONG_IE", "x", "y")
VALID: dict[str, st.SearchStrategy[str]] = dict.fromkeys(COORDINATE_NAMES, COORDINATE)
VALID |= {name: st.integers(0, 3000).map(str) for name in ("students", "MAT_TOTAL", "TALUMNO")}
VALID |= {
    name: st.sampled_from(["0", "1", "Rural", "Urbana", "", "yes", "no"])
    for name in ("rural", "RURAL_RBD", "DAREACENSO", "has_electricity", "is_connected")
}
VALID |= {
    name: st.sampled_from(["GSM", "UMTS", "LTE", "4G", "3G", "GSM UMTS", "", "5G"])
    for name in ("technology", "radio_type", "radio")
}
VALID |= {name: st.integers(0, 700).map(str) for name in ("height_m", "support_height_m", "range")}
VALID |= {"freq_mhz": st.sampled_from(["850", "1900", "2100,5", ""])}
VALID |= {"azimuth_deg": st.integers(0, 360).map(str), "eirp_dbm": st.integers(0, 70).map(str)}


@st.composite
def csv_text(draw: st.DrawFn, headers: list[str], required: list[str]) -> str:
    """A CSV text with the required columns (plus others) and random cells.

    Identifier and coordinate cells are mostly valid so that many files load and the
    optional columns get parsed; any cell may still be arbitrary.
    """
    extra = draw(st.lists(st.sampled_from(headers), max_size=5, unique=True))
    header = draw(st.permutations(list(dict.fromkeys([*required, *extra]))))
    n_rows = draw(st.integers(1, 6))
    rows: list[list[str]] = []
    for i in range(n_rows):
        row: list[str] = []
        for name in header:
            if name in ID_NAMES and draw(st.integers(0, 9)) > 0:
                row.append(f"S{i}")
            elif name in VALID and draw(st.integers(0, 9)) > 0:
                row.append(draw(VALID[name]))
            else:
                row.append(draw(CELL))
        rows.append(row)
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    if delimiter == ";" or draw(st.booleans()):
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


def mostly(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``valid`` nine times in ten, else an arbitrary cell."""
    return st.integers(0, 9).flatmap(lambda k: valid if k else CELL)


OPENCELLID_ROW = st.tuples(
    mostly(st.sampled_from(["GSM", "UMTS", "LTE", "NR", "CDMA", "gsm", "", "XYZ"])),
    mostly(st.sampled_from(["730", "716", "1000", "-1", "7.5", ""])),
    mostly(st.sampled_from(["1", "2", "3", "10"])),
    mostly(st.integers(0, 70000).map(str)),
    mostly(st.integers(0, 2**28).map(str)),
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
        st.sampled_from(["students", "rural", "status", "technology", "height_m", "name"]),
        PARQUET_COLUMN,
        max_size=4,
    ),
    ids=st.one_of(st.just(["a", "b", "c"]), st.just([1.0, 2.0, 3.0]), PARQUET_COLUMN),
    lat=st.one_of(st.just([-33.1, -33.2, -33.3]), PARQUET_COLUMN),
    lon=st.one_of(st.just([-70.1, -70.2, -70.3]), PARQUET_COLUMN),
    nullable=st.booleans(),
)
def test_structured_parquet(
    tmp_path: Path,
    columns: dict[str, list[Any]],
    ids: list[Any],
    lat: list[Any],
    lon: list[Any],
    nullable: bool,
) -> None:
    frame = pd.DataFrame({"id": ids, "lat": lat, "lon": lon, **columns})
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
