"""ITM against the official reference data in ``../shared/reference`` (one test per case).

Every file is computed in one batched kernel call (a module-scoped fixture); each
parametrised test then checks its row: basic transmission loss within 0.05 dB, the same
return code, warning flags and propagation mode, and the intermediate values NTIA
prints, within the precision they are printed to.

Files (see ``shared/reference/README.md`` §1 and ``itm_ntia_andes/README.md``):

* ``itm_ntia_andes/p2p_cases.csv`` — 2,000 p2p cases (TLS and CR) that NTIA's C++ v1.4
  computed on SRTM profiles; intermediates printed to 3-8 decimals.
* ``itm_ntia_andes/area_cases.csv`` — 600 area-mode cases.
* ``itm/ntia_p2p.csv``, ``itm/ntia_area.csv`` — NTIA/itm's own examples.
* ``itm/ntia_cmd_examples_p2p.csv``, ``itm/ntia_cmd_examples_area.csv`` — ITMDrvr v1.4.0
  outputs with intermediates (horizon angles in mrad there).
* ``itm/qkpfl_crystal_palace_mursley.csv`` — ITM 1.2.2 Fortran QKPFL sample (CR, N_s
  given directly; converted to N_0 as the README explains).
* ``itm/tr82_100_appendix_a_area.csv`` — NTIA Report TR-82-100 Appendix A (older model
  version; tolerance 0.1 dB, see :data:`TR82_TOLERANCE_DB`).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from alcance.propagation import itm

#: Where ``../shared`` is, computed as ``tests/conftest.py`` does (parametrisation
#: happens at collection time, before fixtures exist).
_ENV_SHARED = os.environ.get("ALCANCE_SHARED")
SHARED = Path(_ENV_SHARED) if _ENV_SHARED else Path(__file__).resolve().parents[2].parent / "shared"
REFERENCE = SHARED / "reference"
_ABSENT = "../shared/reference (official ITM validation data) is absent on this machine"

#: Loss tolerance of the brief, for every file but TR-82-100.
LOSS_TOLERANCE_DB = 0.05
#: TR-82-100 (1982) was computed with an older ITM than v1.2.2/v1.4 and printed to 0.1 dB;
#: NTIA's own C++ v1.4 reproduces it only within 0.06 dB (reference README §1, observed
#: 0.057 dB here too). 0.1 dB = the printing step allows for both.
TR82_TOLERANCE_DB = 0.1
#: Slack for values printed to a step: rounding to the step is off by at most half a step.
_EPS = 1e-9

pytestmark = pytest.mark.shared


# --------------------------------------------------------------------------------------
# Loading (collection time: case ids only; fixtures: everything)


def _rows(relative: str) -> list[dict[str, str]]:
    path = REFERENCE / relative
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _case_params(relative: str) -> list[object]:
    """One ``pytest.param`` per case id, or a single skipped one when data are absent."""
    rows = _rows(relative)
    if not rows:
        return [pytest.param("absent", marks=pytest.mark.skip(reason=_ABSENT), id="absent")]
    return [pytest.param(r["case_id"], id=r["case_id"]) for r in rows]


def _pfl_lines(relative: str, *, keyed: bool) -> Iterator[tuple[str, npt.NDArray[np.float64]]]:
    """PFL rows ``[np, xi, z_0 … z_np]``, keyed by their leading case id when ``keyed``."""
    with (REFERENCE / relative).open(newline="", encoding="utf-8") as fh:
        for line in csv.reader(fh):
            if not line:
                continue
            key, values = (line[0], line[1:]) if keyed else ("", line)
            yield key, np.array([float(v) for v in values if v != ""])


@dataclass(frozen=True)
class Profiles:
    """Profiles in Alcance's batched layout (NaN-padded 2-D elevations)."""

    elevation_m: npt.NDArray[np.float64]
    n_points: npt.NDArray[np.int64]
    spacing_m: npt.NDArray[np.float64]


def _stack(pfls: list[npt.NDArray[np.float64]]) -> Profiles:
    n_points = np.array([int(p[0]) + 1 for p in pfls], dtype=np.int64)
    elevation = np.full((len(pfls), int(n_points.max())), np.nan)
    for k, p in enumerate(pfls):
        elevation[k, : n_points[k]] = p[2 : 2 + n_points[k]]
    return Profiles(elevation, n_points, np.array([p[1] for p in pfls]))


def _col(rows: list[dict[str, str]], name: str) -> npt.NDArray[np.float64]:
    return np.array([float(r[name]) if r[name] != "" else np.nan for r in rows])


def _icol(rows: list[dict[str, str]], name: str) -> npt.NDArray[np.int64]:
    return np.array([int(r[name]) for r in rows], dtype=np.int64)


@dataclass(frozen=True)
class Computed:
    """A reference file's rows by case id, with Alcance's result for each."""

    rows: dict[str, dict[str, str]]
    results: dict[str, itm.ItmResult]

    def __getitem__(self, case_id: str) -> tuple[dict[str, str], itm.ItmResult]:
        return self.rows[case_id], self.results[case_id]


def _computed(rows: list[dict[str, str]], batch: itm.ItmBatchResult) -> Computed:
    ids = [r["case_id"] for r in rows]
    return Computed(
        rows=dict(zip(ids, rows, strict=True)),
        results={cid: batch.result(k) for k, cid in enumerate(ids)},
    )


def _p2p_common(rows: list[dict[str, str]], profiles: Profiles) -> dict[str, Any]:
    return {
        "elevation_m": profiles.elevation_m,
        "n_points": profiles.n_points,
        "spacing_m": profiles.spacing_m,
        "h_tx_m": _col(rows, "h_tx__meter"),
        "h_rx_m": _col(rows, "h_rx__meter"),
        "climate": _icol(rows, "climate"),
        "n_0_n_units": _col(rows, "N_0"),
        "freq_mhz": _col(rows, "f__mhz"),
        "polarization": _icol(rows, "pol"),
        "epsilon_r": _col(rows, "epsilon"),
        "sigma_s_per_m": _col(rows, "sigma"),
        "mdvar": _icol(rows, "mdvar"),
    }


def _area_common(
    rows: list[dict[str, str]], tx_site: str, rx_site: str, delta_h: str = "delta_h__meter"
) -> dict[str, Any]:
    return {
        "distance_km": _col(rows, "d__km"),
        "delta_h_m": _col(rows, delta_h),
        "h_tx_m": _col(rows, "h_tx__meter"),
        "h_rx_m": _col(rows, "h_rx__meter"),
        "tx_siting": _icol(rows, tx_site),
        "rx_siting": _icol(rows, rx_site),
        "climate": _icol(rows, "climate"),
        "n_0_n_units": _col(rows, "N_0"),
        "freq_mhz": _col(rows, "f__mhz"),
        "polarization": _icol(rows, "pol"),
        "epsilon_r": _col(rows, "epsilon"),
        "sigma_s_per_m": _col(rows, "sigma"),
        "mdvar": _icol(rows, "mdvar"),
    }


def _subset(common: dict[str, Any], mask: npt.NDArray[np.bool_]) -> dict[str, Any]:
    """The rows ``mask`` of every per-path array in ``common`` (scalars are kept)."""
    n = mask.shape[0]
    return {
        k: (v[mask] if isinstance(v, np.ndarray) and v.shape[:1] == (n,) else v)
        for k, v in common.items()
    }


def _scatter(
    is_cr: npt.NDArray[np.bool_], tls: itm.ItmBatchResult | None, cr: itm.ItmBatchResult | None
) -> itm.ItmBatchResult:
    """One result per row from the TLS rows' and the CR rows' results."""
    fields: dict[str, Any] = {}
    for name in itm.ItmBatchResult.__dataclass_fields__:
        some = tls if tls is not None else cr
        assert some is not None
        dtype = getattr(some, name).dtype
        out = np.empty(is_cr.shape[0], dtype=dtype)
        if tls is not None:
            out[~is_cr] = getattr(tls, name)
        if cr is not None:
            out[is_cr] = getattr(cr, name)
        fields[name] = out
    return itm.ItmBatchResult(**fields)


_BatchFn = Callable[..., itm.ItmBatchResult]


def _run_variants(
    is_cr: npt.NDArray[np.bool_],
    run_tls: _BatchFn,
    run_cr: _BatchFn,
    common: dict[str, Any],
    tls_pct: dict[str, npt.NDArray[np.float64]],
    cr_pct: dict[str, npt.NDArray[np.float64]],
) -> itm.ItmBatchResult:
    """Each row through its own function: one TLS call on the TLS rows, one CR call on
    the CR rows (percentages given for all rows, as columns)."""
    tls = cr = None
    if (~is_cr).any():
        tls = run_tls(**_subset({**common, **tls_pct}, ~is_cr))
    if is_cr.any():
        cr = run_cr(**_subset({**common, **cr_pct}, is_cr))
    return _scatter(is_cr, tls, cr)


def _tls_and_cr(
    run_tls: _BatchFn, run_cr: _BatchFn, common: dict[str, Any], rows: list[dict[str, str]]
) -> itm.ItmBatchResult:
    """A mixed table (``variant`` TLS/CR, ``time_or_confidence``, …) of the Andes set."""
    is_cr = np.array([r["variant"] == "CR" for r in rows])
    t_or_c = _col(rows, "time_or_confidence")
    l_or_r = _col(rows, "location_or_reliability")
    return _run_variants(
        is_cr,
        run_tls,
        run_cr,
        common,
        {"time_pct": t_or_c, "location_pct": l_or_r, "situation_pct": _col(rows, "situation")},
        {"confidence_pct": t_or_c, "reliability_pct": l_or_r},
    )


# --------------------------------------------------------------------------------------
# Checks


def _decimals_unit(text: str) -> float:
    """One unit in the last printed digit of ``text`` (``"12.345"`` → 0.001)."""
    return 10.0 ** -len(text.split(".")[1]) if "." in text else 1.0


def _check_printed(name: str, ours: float, text: str, *, units: float) -> None:
    """``ours`` agrees with the printed ``text`` within ``units`` of its last digit."""
    tol = units * _decimals_unit(text) + _EPS
    assert abs(ours - float(text)) <= tol, f"{name}: {ours!r} vs printed {text} (tol {tol:g})"


def _check_loss(ours: float, text: str, tol_db: float = LOSS_TOLERANCE_DB) -> None:
    assert math.isfinite(ours), f"loss is {ours!r}"
    assert abs(ours - float(text)) <= tol_db + _EPS, f"A = {ours:.4f} dB vs {text} dB"


# --------------------------------------------------------------------------------------
# itm_ntia_andes: NTIA C++ v1.4 on SRTM profiles of the Lima and Santiago Andes


@pytest.fixture(scope="module")
def andes_p2p(shared_reference: Path) -> Computed:
    rows = _rows("itm_ntia_andes/p2p_cases.csv")
    pfls = dict(_pfl_lines("itm_ntia_andes/p2p_profiles.csv", keyed=True))
    profiles = _stack([pfls[r["case_id"]] for r in rows])
    batch = _tls_and_cr(
        itm.itm_p2p_tls_batch, itm.itm_p2p_cr_batch, _p2p_common(rows, profiles), rows
    )
    return _computed(rows, batch)


#: Intermediate columns of the Andes p2p table and the result attribute they map to.
_ANDES_INTERMEDIATES = {
    "d__km": "distance_km",
    "theta_hzn_tx": "theta_hzn_tx_rad",
    "theta_hzn_rx": "theta_hzn_rx_rad",
    "d_hzn_tx__meter": "d_hzn_tx_m",
    "d_hzn_rx__meter": "d_hzn_rx_m",
    "h_e_tx__meter": "h_e_tx_m",
    "h_e_rx__meter": "h_e_rx_m",
    "N_s": "n_s_n_units",
    "delta_h__meter": "delta_h_m",
    "A_ref__db": "a_ref_db",
    "A_fs__db": "free_space_loss_db",
}


@pytest.mark.parametrize("case_id", _case_params("itm_ntia_andes/p2p_cases.csv"))
def test_andes_p2p(andes_p2p: Computed, case_id: str) -> None:
    row, res = andes_p2p[case_id]
    _check_loss(res.loss_db, row["A__db"])
    assert int(res.return_code) == int(row["return_code"])
    assert int(res.warnings) == int(row["warnings"]), f"{res.warnings!r}"
    assert int(res.mode) == int(row["mode"])
    # The table holds C++'s doubles rounded to 3-8 decimals: allow one unit in the last
    # printed digit (half a unit of rounding plus floating-point noise at a boundary).
    for column, attribute in _ANDES_INTERMEDIATES.items():
        _check_printed(column, getattr(res, attribute), row[column], units=1.0)


@pytest.fixture(scope="module")
def andes_area(shared_reference: Path) -> Computed:
    rows = _rows("itm_ntia_andes/area_cases.csv")
    common = _area_common(rows, "tx_site_criteria", "rx_site_criteria")
    batch = _tls_and_cr(itm.itm_area_tls_batch, itm.itm_area_cr_batch, common, rows)
    return _computed(rows, batch)


@pytest.mark.parametrize("case_id", _case_params("itm_ntia_andes/area_cases.csv"))
def test_andes_area(andes_area: Computed, case_id: str) -> None:
    row, res = andes_area[case_id]
    _check_loss(res.loss_db, row["A__db"])
    assert int(res.return_code) == int(row["return_code"])
    assert int(res.warnings) == int(row["warnings"]), f"{res.warnings!r}"
    assert int(res.mode) == int(row["mode"])
    # area mode: N_s = N_0 and the distance is the input
    assert res.n_s_n_units == float(row["N_0"])
    assert res.distance_km == float(row["d__km"])


# --------------------------------------------------------------------------------------
# NTIA/itm examples


@pytest.fixture(scope="module")
def ntia_p2p(shared_reference: Path) -> Computed:
    rows = _rows("itm/ntia_p2p.csv")
    pfls = dict(_pfl_lines("itm/ntia_p2p_pfls.csv", keyed=True))
    profiles = _stack([pfls[r["case_id"]] for r in rows])
    batch = itm.itm_p2p_tls_batch(
        **_p2p_common(rows, profiles),
        time_pct=_col(rows, "time"),
        location_pct=_col(rows, "location"),
        situation_pct=_col(rows, "situation"),
    )
    return _computed(rows, batch)


#: Warnings the reference README (§1) reports for NTIA's p2p examples; the others
#: return none (code 0).
_NTIA_P2P_WARNINGS = {"ntia_p2p_2": 0x400, "ntia_p2p_5": 0x600}


@pytest.mark.parametrize("case_id", _case_params("itm/ntia_p2p.csv"))
def test_ntia_p2p(ntia_p2p: Computed, case_id: str) -> None:
    row, res = ntia_p2p[case_id]
    _check_loss(res.loss_db, row["A__db"])
    expected = _NTIA_P2P_WARNINGS.get(case_id, 0)
    assert int(res.warnings) == expected
    assert int(res.return_code) == (1 if expected else 0)


@pytest.fixture(scope="module")
def ntia_area(shared_reference: Path) -> Computed:
    rows = _rows("itm/ntia_area.csv")
    batch = itm.itm_area_tls_batch(
        **_area_common(rows, "tx_siting_criteria", "rx_siting_criteria"),
        time_pct=_col(rows, "time"),
        location_pct=_col(rows, "location"),
        situation_pct=_col(rows, "situation"),
    )
    return _computed(rows, batch)


@pytest.mark.parametrize("case_id", _case_params("itm/ntia_area.csv"))
def test_ntia_area(ntia_area: Computed, case_id: str) -> None:
    row, res = ntia_area[case_id]
    _check_loss(res.loss_db, row["A__db"])
    assert int(res.return_code) < 1000


def _cmd_batch(
    rows: list[dict[str, str]], run_tls: _BatchFn, run_cr: _BatchFn, common: dict[str, Any]
) -> itm.ItmBatchResult:
    """The ITMDrvr tables: ``function`` says TLS or CR."""
    is_cr = np.array(["_CR_" in r["function"] for r in rows])
    return _run_variants(
        is_cr,
        run_tls,
        run_cr,
        common,
        {name: _col(rows, name.removesuffix("_pct")) for name in _TLS_PCT},
        {name: _col(rows, name.removesuffix("_pct")) for name in _CR_PCT},
    )


_TLS_PCT = ("time_pct", "location_pct", "situation_pct")
_CR_PCT = ("confidence_pct", "reliability_pct")


#: ITMDrvr's printed intermediates (horizon angles in mrad) and the result attribute and
#: scale to compare them with.
_CMD_INTERMEDIATES = {
    "A_fs__db": ("free_space_loss_db", 1.0),
    "d_path__km": ("distance_km", 1.0),
    "theta_hzn_tx__mrad": ("theta_hzn_tx_rad", 1e3),
    "theta_hzn_rx__mrad": ("theta_hzn_rx_rad", 1e3),
    "d_hzn_tx__meter": ("d_hzn_tx_m", 1.0),
    "d_hzn_rx__meter": ("d_hzn_rx_m", 1.0),
    "h_e_tx__meter": ("h_e_tx_m", 1.0),
    "h_e_rx__meter": ("h_e_rx_m", 1.0),
    "N_s": ("n_s_n_units", 1.0),
    "delta_h_out__meter": ("delta_h_m", 1.0),
    "A_ref__db": ("a_ref_db", 1.0),
}


def _check_cmd_row(row: dict[str, str], res: itm.ItmResult) -> None:
    _check_loss(res.loss_db, row["A__db"])
    assert int(res.return_code) == int(row["rtn"])
    assert int(res.warnings) == int(row["warnings"], 16)
    if row["propagation_mode"]:
        assert int(res.mode) == int(row["propagation_mode"])
    # ITMDrvr prints with 0-3 decimals: the value is within half a printed step
    for column, (attribute, scale) in _CMD_INTERMEDIATES.items():
        if row[column]:
            _check_printed(column, getattr(res, attribute) * scale, row[column], units=0.5)


@pytest.fixture(scope="module")
def cmd_p2p(shared_reference: Path) -> Computed:
    rows = _rows("itm/ntia_cmd_examples_p2p.csv")
    (_, pfl), *_ = _pfl_lines("itm/ntia_cmd_examples_pfl.csv", keyed=False)
    profiles = _stack([pfl] * len(rows))
    common = _p2p_common(rows, profiles)
    return _computed(rows, _cmd_batch(rows, itm.itm_p2p_tls_batch, itm.itm_p2p_cr_batch, common))


@pytest.mark.parametrize("case_id", _case_params("itm/ntia_cmd_examples_p2p.csv"))
def test_ntia_cmd_examples_p2p(cmd_p2p: Computed, case_id: str) -> None:
    _check_cmd_row(*cmd_p2p[case_id])


@pytest.fixture(scope="module")
def cmd_area(shared_reference: Path) -> Computed:
    rows = _rows("itm/ntia_cmd_examples_area.csv")
    common = _area_common(rows, "tx_site_criteria", "rx_site_criteria")
    return _computed(rows, _cmd_batch(rows, itm.itm_area_tls_batch, itm.itm_area_cr_batch, common))


@pytest.mark.parametrize("case_id", _case_params("itm/ntia_cmd_examples_area.csv"))
def test_ntia_cmd_examples_area(cmd_area: Computed, case_id: str) -> None:
    _check_cmd_row(*cmd_area[case_id])


# --------------------------------------------------------------------------------------
# QKPFL (ITM 1.2.2 Fortran sample): Crystal Palace → Mursley


def _h_sys_m(pfl: npt.NDArray[np.float64]) -> float:
    """ITM's mean profile elevation: points int(0.1 np) … np - int(0.1 np)."""
    n_intervals = int(pfl[0])
    p10 = int(0.1 * n_intervals)
    z = pfl[2:]
    return float(np.mean(z[p10 : n_intervals - p10 + 1]))


@pytest.fixture(scope="module")
def qkpfl(shared_reference: Path) -> Computed:
    rows = _rows("itm/qkpfl_crystal_palace_mursley.csv")
    (_, pfl), *_ = _pfl_lines("itm/qkpfl_crystal_palace_mursley_pfl.csv", keyed=False)
    profiles = _stack([pfl] * len(rows))
    # QKPFL takes N_s directly; ITM v1.4 takes N_0 and computes N_s = N_0 exp(-h_sys/9460)
    n_0 = _col(rows, "N_s") * math.exp(_h_sys_m(pfl) / 9460.0)
    rows_n0 = [{**r, "N_0": repr(float(v))} for r, v in zip(rows, n_0, strict=True)]
    batch = itm.itm_p2p_cr_batch(
        **_p2p_common(rows_n0, profiles),
        confidence_pct=_col(rows, "confidence"),
        reliability_pct=_col(rows, "reliability"),
    )
    return _computed(rows, batch)


@pytest.mark.parametrize("case_id", _case_params("itm/qkpfl_crystal_palace_mursley.csv"))
def test_qkpfl_crystal_palace_mursley(qkpfl: Computed, case_id: str) -> None:
    row, res = qkpfl[case_id]
    _check_loss(res.loss_db, row["A__db"])
    assert int(res.return_code) == 0
    assert res.n_s_n_units == pytest.approx(float(row["N_s"]), abs=1e-9)
    gamma_e = 157e-9 * (1.0 - 0.04665 * math.exp(res.n_s_n_units / 179.3))
    _check_printed("k_factor", 157e-9 / gamma_e, row["k_factor"], units=0.5)
    # QKPFL prints "A DOUBLE-HORIZON PATH" and "DIFFRACTION IS THE DOMINANT MODE": both
    # terrain horizons lie inside the path (d_ML = d_hzn,tx + d_hzn,rx = 74.8 km < d). The
    # mode NTIA's C++ returns means something else: LongleyRice.cpp labels a path line of
    # sight when d is below the smooth-earth horizon distance d_sML = sqrt(2 h_e,tx a_e)
    # + sqrt(2 h_e,rx a_e) (82.6 km and 89.6 km here), which it is.
    d_m = res.distance_km * 1e3
    assert "DOUBLE-HORIZON" in row["path_type"]
    assert "DIFFRACTION" in row["dominant_mode"]
    assert res.d_hzn_tx_m + res.d_hzn_rx_m < d_m
    d_sml_m = math.sqrt(2 * res.h_e_tx_m / gamma_e) + math.sqrt(2 * res.h_e_rx_m / gamma_e)
    assert d_m < d_sml_m
    assert res.mode == itm.PropagationMode.LINE_OF_SIGHT
    for column, attribute in (
        ("A_fs__db", "free_space_loss_db"),
        ("h_e_tx__meter", "h_e_tx_m"),
        ("h_e_rx__meter", "h_e_rx_m"),
        ("delta_h__meter", "delta_h_m"),
    ):
        _check_printed(column, getattr(res, attribute), row[column], units=0.5)


# --------------------------------------------------------------------------------------
# NTIA Report TR-82-100, Appendix A (area mode)


@pytest.fixture(scope="module")
def tr82(shared_reference: Path) -> Computed:
    rows = _rows("itm/tr82_100_appendix_a_area.csv")
    batch = itm.itm_area_tls_batch(
        **_area_common(rows, "tx_site_criteria", "rx_site_criteria"),
        time_pct=_col(rows, "time"),
        location_pct=_col(rows, "location"),
        situation_pct=_col(rows, "situation"),
    )
    return _computed(rows, batch)


@pytest.mark.parametrize("case_id", _case_params("itm/tr82_100_appendix_a_area.csv"))
def test_tr82_100_appendix_a(tr82: Computed, case_id: str) -> None:
    row, res = tr82[case_id]
    _check_loss(res.loss_db, row["A__db"], TR82_TOLERANCE_DB)
    assert int(res.return_code) < 1000
    _check_printed("A_fs__db", res.free_space_loss_db, row["A_fs__db"], units=0.5)
