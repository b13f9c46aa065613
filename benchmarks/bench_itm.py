"""Throughput of the batched ITM point-to-point kernel, against a pure-Python loop.

For profiles of 100, 300, 1,000 and 3,000 points taken from real terrain (the SRTM3 DEM
of the Lima Andes in ``../shared/data/peru-lima-andes``, read with rasterio and sampled
bilinearly along straight paths), the batched kernel :func:`itm.itm_p2p_tls_batch` is
timed on 1 and 2 threads (``numba.set_num_threads``) and compared, in the same process,
with a per-path loop of the *same code* run as plain Python (the kernel's helpers are
``register_jitable`` functions, i.e. Python functions that Numba compiles when a kernel
calls them). The Python loop is timed on a few paths and extrapolated.

* Quick mode (default, part of the test run): batches of 2,000 paths, the Python loop on
  3 paths per size; asserts that batched and looped results agree exactly and that the
  batched kernel is faster.
* Full mode (``ALCANCE_BENCH_FULL=1``): batches of 100,000 paths, Python loop on 30.

Reference figures: NTIA's C++ (v1.4) runs ~270,000 paths/s at 300 points on one core
(3.7 µs/path) and ~135,000 paths/s at 1,000 points (7.4 µs/path); the target for
Alcance is ≥ 540,000 paths/s at 300 points on 2 cores. Run with ``-s`` to see the table;
every figure is also in pytest-benchmark's ``extra_info``.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
import pytest

from alcance.propagation import _itm_core, itm

FULL = os.environ.get("ALCANCE_BENCH_FULL") == "1"
BATCH_PATHS = 100_000 if FULL else 2_000
PYTHON_PATHS = 30 if FULL else 3
ROUNDS = 3 if FULL else 2
DISTINCT_PROFILES = 2_000 if FULL else 400
SIZES = (100, 300, 1_000, 3_000)
THREADS = (1, 2)
#: NTIA C++ v1.4 on one core (brief: 3.7 µs/path at 300 points, 7.4 µs at 1,000).
C_REFERENCE_PATHS_PER_S = {300: 1 / 3.7e-6, 1_000: 1 / 7.4e-6}
TARGET_2_THREADS_300_POINTS = 540_000

_ENV_SHARED = os.environ.get("ALCANCE_SHARED")
SHARED = Path(_ENV_SHARED) if _ENV_SHARED else Path(__file__).resolve().parents[1].parent / "shared"
DEM = SHARED / "data" / "peru-lima-andes" / "dem_srtm3_lima_andes.tif"

FloatArray = npt.NDArray[np.float64]

pytestmark = pytest.mark.shared


# --------------------------------------------------------------------------------------
# Real-terrain profiles


@dataclass(frozen=True)
class Batch:
    """A batch of profiles with radio parameters, ready for the kernel."""

    elevation_m: FloatArray
    n_points: npt.NDArray[np.int64]
    spacing_m: FloatArray
    params: dict[str, npt.NDArray[Any]]

    def kwargs(self) -> dict[str, Any]:
        return {
            "elevation_m": self.elevation_m,
            "n_points": self.n_points,
            "spacing_m": self.spacing_m,
            **self.params,
        }


def _read_dem() -> tuple[FloatArray, Any]:
    import rasterio  # only the benchmark reads files

    with rasterio.open(DEM) as src:
        dem = src.read(1).astype(np.float64)
        nodata = src.nodata
        transform = src.transform
    dem[dem == nodata] = np.nan
    return dem, transform


def _sample_profiles(
    dem: FloatArray, transform: Any, n_points: int, n_profiles: int, seed: int
) -> tuple[FloatArray, FloatArray]:
    """``n_profiles`` void-free straight-line profiles of ``n_points`` points.

    Path lengths are 90 m × (n_points − 1) (SRTM3's spacing) up to 150 km, beyond which
    the points are closer than the DEM's cells (bilinear interpolation).
    """
    rng = np.random.default_rng(seed)
    length_m = min(90.0 * (n_points - 1), 150e3)
    rows, cols = dem.shape
    lon0, lat0 = transform.c, transform.f
    dlon, dlat = transform.a, transform.e
    m_per_deg_lat = 111_320.0
    out = np.empty((0, n_points))
    frac = np.linspace(0.0, 1.0, n_points)
    while out.shape[0] < n_profiles:
        k = 4 * n_profiles
        lat = lat0 + dlat * rng.uniform(0.05 * rows, 0.95 * rows, k)
        lon = lon0 + dlon * rng.uniform(0.05 * cols, 0.95 * cols, k)
        az = rng.uniform(0.0, 2 * math.pi, k)
        dlat_end = length_m * np.cos(az) / m_per_deg_lat
        dlon_end = length_m * np.sin(az) / (m_per_deg_lat * np.cos(np.radians(lat)))
        plat = lat[:, None] + dlat_end[:, None] * frac
        plon = lon[:, None] + dlon_end[:, None] * frac
        r = (plat - lat0) / dlat - 0.5
        c = (plon - lon0) / dlon - 0.5
        inside = ((r >= 0) & (r <= rows - 2) & (c >= 0) & (c <= cols - 2)).all(axis=1)
        r, c = r[inside], c[inside]
        r0, c0 = np.floor(r).astype(np.intp), np.floor(c).astype(np.intp)
        fr, fc = r - r0, c - c0
        z = (
            dem[r0, c0] * (1 - fr) * (1 - fc)
            + dem[r0 + 1, c0] * fr * (1 - fc)
            + dem[r0, c0 + 1] * (1 - fr) * fc
            + dem[r0 + 1, c0 + 1] * fr * fc
        )
        z = z[np.isfinite(z).all(axis=1)]
        out = np.vstack([out, z])
    return out[:n_profiles], np.full(n_profiles, length_m / (n_points - 1))


def _radio_params(n: int, seed: int) -> dict[str, npt.NDArray[Any]]:
    """Planning-like radio parameters (broadband frequencies, masts, average ground)."""
    rng = np.random.default_rng(seed)
    modes = np.array([b + f for b in range(4) for f in (0, 10, 20, 30)])
    return {
        "h_tx_m": rng.uniform(10.0, 60.0, n),
        "h_rx_m": rng.uniform(2.0, 15.0, n),
        "climate": rng.integers(1, 8, n),
        "n_0_n_units": rng.uniform(280.0, 360.0, n),
        "freq_mhz": rng.uniform(400.0, 6000.0, n),
        "polarization": rng.integers(0, 2, n),
        "epsilon_r": np.full(n, 15.0),
        "sigma_s_per_m": np.full(n, 0.005),
        "mdvar": modes[rng.integers(0, modes.size, n)],
        "time_pct": rng.uniform(1.0, 99.0, n),
        "location_pct": rng.uniform(1.0, 99.0, n),
        "situation_pct": rng.uniform(1.0, 99.0, n),
    }


@pytest.fixture(scope="module")
def dem() -> tuple[FloatArray, Any]:
    if not DEM.is_file():
        pytest.skip(f"{DEM} (real terrain for the benchmark) is absent on this machine")
    return _read_dem()


class Batches:
    """Batches by profile size (distinct real profiles tiled to BATCH_PATHS paths).

    Only the batch last asked for is kept: a full-mode batch of 3,000-point profiles
    alone takes 2.4 GB.
    """

    def __init__(self, dem: FloatArray, transform: Any) -> None:
        self._dem = dem
        self._transform = transform
        self._cached: dict[int, Batch] = {}

    def __getitem__(self, n_points: int) -> Batch:
        if n_points not in self._cached:
            self._cached.clear()
            profiles, spacing = _sample_profiles(
                self._dem, self._transform, n_points, DISTINCT_PROFILES, seed=n_points
            )
            idx = np.arange(BATCH_PATHS) % DISTINCT_PROFILES
            self._cached[n_points] = Batch(
                elevation_m=np.ascontiguousarray(profiles[idx]),
                n_points=np.full(BATCH_PATHS, n_points, dtype=np.int64),
                spacing_m=spacing[idx],
                params=_radio_params(BATCH_PATHS, seed=1000 + n_points),
            )
        return self._cached[n_points]


@pytest.fixture(scope="module")
def batches(dem: tuple[FloatArray, Any]) -> Batches:
    return Batches(*dem)


# --------------------------------------------------------------------------------------
# The pure-Python reference loop


def _python_loop(batch: Batch, n: int) -> tuple[float, list[_itm_core.PathResult]]:
    """Run :func:`_itm_core.p2p_path` as plain Python on the first ``n`` paths."""
    work = np.empty((4, _itm_core.SCRATCH_LEN))
    iwork = np.empty(_itm_core.ISCRATCH_LEN, dtype=np.int64)
    p = batch.params
    results = []
    start = time.perf_counter()
    for k in range(n):
        results.append(
            _itm_core.p2p_path(
                batch.elevation_m[k],
                int(batch.n_points[k]),
                float(batch.spacing_m[k]),
                float(p["h_tx_m"][k]),
                float(p["h_rx_m"][k]),
                int(p["climate"][k]),
                float(p["n_0_n_units"][k]),
                float(p["freq_mhz"][k]),
                int(p["polarization"][k]),
                float(p["epsilon_r"][k]),
                float(p["sigma_s_per_m"][k]),
                int(p["mdvar"][k]),
                float(p["time_pct"][k]),
                float(p["location_pct"][k]),
                float(p["situation_pct"][k]),
                work,
                iwork,
            )
        )
    return time.perf_counter() - start, results


_PYTHON_RATES: dict[int, tuple[float, list[_itm_core.PathResult]]] = {}


def _python_rate(batch: Batch, n_points: int) -> tuple[float, list[_itm_core.PathResult]]:
    """Paths/s of the pure-Python loop for one size (measured once), and its results."""
    if n_points not in _PYTHON_RATES:
        elapsed, results = _python_loop(batch, PYTHON_PATHS)
        _PYTHON_RATES[n_points] = (PYTHON_PATHS / elapsed, results)
    return _PYTHON_RATES[n_points]


@pytest.fixture
def threads(request: pytest.FixtureRequest) -> Iterator[int]:
    n: int = request.param
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(n)
    except ValueError:
        pytest.skip(f"{n} threads requested; Numba's thread pool is smaller on this machine")
    yield n
    numba.set_num_threads(before)


def _as_tuple(result: itm.ItmBatchResult, k: int) -> tuple[float, ...]:
    floats = tuple(float(getattr(result, name)[k]) for name in _itm_core.OUT_FIELDS)
    return (
        float(result.return_code[k]),
        float(result.warnings[k]),
        float(result.mode[k]),
        *floats,
    )


def _same(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))


# --------------------------------------------------------------------------------------
# The benchmark


@pytest.mark.parametrize("threads", THREADS, indirect=True, ids=lambda t: f"{t}thread")
@pytest.mark.parametrize("n_points", SIZES, ids=lambda n: f"{n}pts")
def test_itm_p2p_batch_throughput(
    benchmark: Any, batches: Batches, n_points: int, threads: int
) -> None:
    batch = batches[n_points]
    kwargs = batch.kwargs()
    itm.itm_p2p_tls_batch(**{k: v[:8] for k, v in kwargs.items()})  # compile / load cache
    durations: list[float] = []

    def run() -> itm.ItmBatchResult:
        start = time.perf_counter()
        out = itm.itm_p2p_tls_batch(**kwargs)
        durations.append(time.perf_counter() - start)
        return out

    run_once: Callable[[], itm.ItmBatchResult] = run
    result = benchmark.pedantic(run_once, rounds=ROUNDS, iterations=1, warmup_rounds=0)
    rate = BATCH_PATHS / min(durations)

    py_rate, py_results = _python_rate(batch, n_points)
    for k, expected in enumerate(py_results):
        got = _as_tuple(result, k)
        assert _same(got, tuple(float(x) for x in expected)), (k, got, expected)
    assert result.ok.all()

    ratio_python = rate / py_rate
    c_rate = C_REFERENCE_PATHS_PER_S.get(n_points)
    info = {
        "n_points": n_points,
        "threads": threads,
        "batch_paths": BATCH_PATHS,
        "paths_per_s": round(rate),
        "us_per_path_per_thread": round(1e6 * threads / rate, 3),
        "python_paths_per_s": round(py_rate, 1),
        "ratio_vs_python_loop": round(ratio_python, 1),
        "ratio_vs_ntia_cpp_1core": round(rate / c_rate, 2) if c_rate else None,
    }
    benchmark.extra_info.update(info)
    target = ""
    if n_points == 300 and threads == 2:
        target = f"  (target {TARGET_2_THREADS_300_POINTS:,}/s)"
    c_text = f"  x{rate / c_rate:.2f} NTIA C++ 1 core" if c_rate else ""
    print(
        f"\nITM p2p {n_points:>5} pts, {threads} thread(s): {rate:>11,.0f} paths/s "
        f"({1e6 * threads / rate:.2f} µs/path/thread); Python loop {py_rate:,.1f} paths/s "
        f"-> x{ratio_python:,.0f}{c_text}{target}"
    )
    assert ratio_python > 1.0
