"""Candidate sites for new towers near uncovered schools, and what each would serve.

Pure computation (arrays and DataFrames in and out, no I/O). Two steps:

1. :func:`generate_candidates` proposes sites on the terrain around every uncovered
   school: DEM high points (local maxima), ridge points (high topographic position
   index), existing tower sites that could be upgraded, and a mast at the school itself.
2. :func:`candidate_coverage` predicts, with the coverage machinery of
   :mod:`alcance.coverage.links` (ITM over the terrain profile, TR 36.814 sector
   pattern, TR 36.942 throughput), which schools each candidate would serve alone at
   each mast height; :func:`candidate_summary` counts schools and people per candidate.

Distances between points are spherical (mean Earth radius): the chord on a sphere of
6,371 km differs from the WGS 84 geodesic by well under 1 % at these ranges, enough for
search windows and spacing rules. Link distances come from the geodesic (Karney).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd
from affine import Affine
from numpy.typing import NDArray
from scipy import ndimage
from scipy.spatial import cKDTree

from alcance.backhaul.settings import CandidateSettings
from alcance.coverage.links import evaluate_links
from alcance.errors import InputError
from alcance.radio.link_budget import best_server, thermal_noise_dbm
from alcance.radio.throughput import cell_throughput_mbps
from alcance.scenario import RadioSettings, ServiceSettings
from alcance.terrain import TerrainGrid, sample_points
from alcance.terrain._crs import is_wgs84_lonlat

__all__ = [
    "CANDIDATE_KINDS",
    "CandidateSettings",
    "candidate_cells",
    "candidate_coverage",
    "candidate_summary",
    "generate_candidates",
]

#: Kinds of candidate site, with the prefix of their ``candidate_id``.
CANDIDATE_KINDS: dict[str, str] = {
    "high_point": "hp",
    "ridge": "rg",
    "tower_upgrade": "tw",
    "school_mast": "sc",
}

_EARTH_RADIUS_M = 6_371_008.8
_M_PER_DEG = _EARTH_RADIUS_M * math.pi / 180.0


class PopulationGrid(Protocol):
    """A population raster window (e.g. :class:`alcance.io.PopulationWindow`)."""

    @property
    def persons(self) -> NDArray[np.float64]:
        """Persons per pixel ``(rows, cols)``."""

    @property
    def nodata(self) -> NDArray[np.bool_]:
        """``True`` where the raster has no data."""

    @property
    def transform(self) -> Affine:
        """Pixel → grid-CRS affine transform (rasterio convention)."""

    @property
    def crs_wkt(self) -> str:
        """CRS of the grid as WKT."""


# --------------------------------------------------------------------------- geometry


def _unit_xyz(lon_deg: NDArray[np.float64], lat_deg: NDArray[np.float64]) -> NDArray[np.float64]:
    """Points on the sphere of mean Earth radius (m), shape (n, 3)."""
    lo, la = np.radians(lon_deg), np.radians(lat_deg)
    return _EARTH_RADIUS_M * np.column_stack(
        [np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)]
    )


def _chord_m(distance_m: float) -> float:
    """Chord of a great-circle arc of ``distance_m`` on the mean sphere."""
    angle = min(math.pi, distance_m / _EARTH_RADIUS_M)
    return 2.0 * _EARTH_RADIUS_M * math.sin(angle / 2.0)


def _check_geographic(grid: TerrainGrid) -> None:
    if not grid.is_geographic:
        msg = (
            f"candidate search needs a geographic (WGS 84 lon/lat) terrain grid; "
            f"{grid.source or 'the grid'} is projected — read the DEM in EPSG:4326"
        )
        raise InputError(msg, field="dem")


def _as_float(name: str, value: Any, n: int | None = None) -> NDArray[np.float64]:
    arr = np.asarray(value, dtype=float).ravel()
    if n is not None and arr.size != n:
        msg = f"{name} has {arr.size} values, expected {n}"
        raise InputError(msg, field=name)
    return arr


def _disk_footprint(radius_m: float, dx_m: float, dy_m: float) -> NDArray[np.bool_]:
    """Elliptical (in pixels) disc of ``radius_m``; at least 3 x 3."""
    ry = max(1, math.floor(radius_m / dy_m))
    rx = max(1, math.floor(radius_m / dx_m))
    yy, xx = np.mgrid[-ry : ry + 1, -rx : rx + 1]
    inside = (yy * dy_m) ** 2 + (xx * dx_m) ** 2 <= radius_m**2 + 1e-9
    inside[ry, :] |= np.abs(xx[ry, :]) <= 1
    inside[:, rx] |= np.abs(yy[:, rx]) <= 1
    return np.asarray(inside, dtype=np.bool_)


def _thin(
    xyz: NDArray[np.float64],
    order: NDArray[np.int64],
    spacing_m: float,
    taken: NDArray[np.float64] | None = None,
) -> NDArray[np.int64]:
    """Greedy thinning: walk ``order`` (best first), keep a point when it is at least
    ``spacing_m`` (chord) from every point already kept and from ``taken``."""
    if order.size == 0:
        return order
    chord = _chord_m(spacing_m)
    kept: list[int] = []
    kept_xyz = np.zeros((0, 3)) if taken is None else np.asarray(taken, dtype=float)
    block: list[NDArray[np.float64]] = [kept_xyz]
    tree = cKDTree(kept_xyz) if kept_xyz.shape[0] else None
    pending = np.zeros((0, 3))
    for i in order:
        p = xyz[i]
        if tree is not None and tree.query_ball_point(p, r=chord - 1e-6, return_length=True):
            continue
        if pending.shape[0] and np.any(np.sum((pending - p) ** 2, axis=1) < (chord - 1e-6) ** 2):
            continue
        kept.append(int(i))
        pending = np.vstack([pending, p])
        if pending.shape[0] >= 256:  # rebuild the tree now and then
            block.append(pending)
            all_xyz = np.vstack(block)
            tree = cKDTree(all_xyz)
            block = [all_xyz]
            pending = np.zeros((0, 3))
    return np.asarray(kept, dtype=np.int64)


# --------------------------------------------------------------------------- candidates


def generate_candidates(
    grid: TerrainGrid,
    *,
    school_lon_deg: Any,
    school_lat_deg: Any,
    school_id: Sequence[object] | NDArray[Any],
    uncovered: Any,
    tower_sites: pd.DataFrame | None,
    settings: CandidateSettings,
) -> pd.DataFrame:
    """Candidate tower sites around the uncovered schools (deterministic).

    Parameters
    ----------
    grid
        Terrain on WGS 84 lon/lat (a projected grid raises :class:`InputError`).
    school_lon_deg, school_lat_deg, school_id
        Every school (degrees; ids as strings).
    uncovered
        ``True`` for schools without service today (only they attract candidates);
        schools outside the grid are ignored.
    tower_sites
        Existing sites (``site_id, longitude_deg, latitude_deg`` and optionally
        ``on_terrain``), or ``None``.
    settings
        The ``[candidates]`` section.

    Returns
    -------
    pandas.DataFrame
        One row per candidate: ``candidate_id`` ("hp-0007", "rg-0003", "tw-<site_id>",
        "sc-<school_id>"), ``kind`` (see :data:`CANDIDATE_KINDS`), ``longitude_deg``,
        ``latitude_deg``, ``ground_m``, ``tpi_m`` (elevation above the mean of the
        surrounding window), ``source_id`` (site or school id; "" for terrain points),
        ``near_school_ids`` (uncovered schools within ``search_radius_m``, joined with
        ",") and ``n_near_schools``.

    Notes
    -----
    *High points*: pixels equal to the maximum of the DEM over a disc of
    ``local_max_radius_m`` (``scipy.ndimage.maximum_filter`` with an elliptical pixel
    footprint sized at the schools' mean latitude), standing ``min_tpi_m`` or more
    above their surroundings (TPI below), not void, within ``search_radius_m`` of an
    uncovered school. *Ridge points*: pixels whose topographic position index
    TPI = z − mean(z over a square window of half-width ``ridge_tpi_radius_m``)
    exceeds ``ridge_tpi_sd`` standard deviations of the TPI in the search area (Weiss
    2001 landform rule for ridges) — crests and spurs that are not summits. Both are
    ranked by TPI (the site's height above its surroundings, then elevation, then
    position), thinned greedily to ``candidate_spacing_m`` (high points first, ridge
    points must also keep that distance from them), then at most
    ``max_candidates_per_school`` per uncovered school and ``max_candidates`` in all
    are kept, best first. Ids are numbered in that rank order, so they are stable for
    the same inputs and settings.
    """
    _check_geographic(grid)
    lon = _as_float("school_lon_deg", school_lon_deg)
    lat = _as_float("school_lat_deg", school_lat_deg, lon.size)
    ids = np.asarray([str(s) for s in school_id], dtype=object)
    unc = np.asarray(uncovered, dtype=bool).ravel()
    if ids.size != lon.size or unc.size != lon.size:
        msg = (
            f"school_id ({ids.size}) and uncovered ({unc.size}) must match the "
            f"{lon.size} school coordinates"
        )
        raise InputError(msg, field="school_id")
    west, south, east, north = grid.bounds
    inside = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    target = np.flatnonzero(unc & inside & np.isfinite(lon) & np.isfinite(lat))
    frames: list[pd.DataFrame] = []
    if target.size:
        frames.append(_terrain_candidates(grid, lon[target], lat[target], ids[target], settings))
        if settings.include_existing_towers and tower_sites is not None and len(tower_sites):
            frames.append(_tower_candidates(grid, tower_sites, lon[target], lat[target], settings))
        if settings.include_school_masts:
            z = sample_points(grid, lon_deg=lon[target], lat_deg=lat[target]).elevation_m
            frames.append(
                pd.DataFrame(
                    {
                        "candidate_id": [f"sc-{s}" for s in ids[target]],
                        "kind": "school_mast",
                        "longitude_deg": lon[target],
                        "latitude_deg": lat[target],
                        "ground_m": np.asarray(z, dtype=float),
                        "tpi_m": np.nan,
                        "source_id": ids[target].astype(str),
                    }
                )
            )
    columns = [
        "candidate_id",
        "kind",
        "longitude_deg",
        "latitude_deg",
        "ground_m",
        "tpi_m",
        "source_id",
    ]
    frames = [f for f in frames if len(f)]
    out = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(
            {
                c: pd.Series(dtype=object if c in ("candidate_id", "kind", "source_id") else float)
                for c in columns
            }
        )
    )
    near = _near_schools(
        out["longitude_deg"].to_numpy(dtype=float),
        out["latitude_deg"].to_numpy(dtype=float),
        lon[target],
        lat[target],
        ids[target],
        settings.search_radius_m,
    )
    out["near_school_ids"] = [",".join(n) for n in near]
    out["n_near_schools"] = np.array([len(n) for n in near], dtype=np.int64)
    return out.reset_index(drop=True)


def _near_schools(
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    s_lon: NDArray[np.float64],
    s_lat: NDArray[np.float64],
    s_ids: NDArray[Any],
    radius_m: float,
) -> list[list[str]]:
    if lon.size == 0:
        return []
    if s_lon.size == 0:
        return [[] for _ in range(lon.size)]
    tree = cKDTree(_unit_xyz(s_lon, s_lat))
    found = tree.query_ball_point(_unit_xyz(lon, lat), r=_chord_m(radius_m))
    return [[str(s_ids[j]) for j in sorted(f)] for f in found]


def _terrain_candidates(
    grid: TerrainGrid,
    s_lon: NDArray[np.float64],
    s_lat: NDArray[np.float64],
    s_ids: NDArray[Any],
    settings: CandidateSettings,
) -> pd.DataFrame:
    rows, cols = grid.shape
    lat_mid = float(np.clip(np.mean(s_lat), -89.0, 89.0))
    dy_m = abs(grid.dy) * _M_PER_DEG
    dx_m = grid.dx * _M_PER_DEG * math.cos(math.radians(lat_mid))
    reach = settings.search_radius_m
    margin = max(settings.local_max_radius_m, settings.ridge_tpi_radius_m) + reach
    # crop to the schools' search windows plus the filter margin
    lat_max = float(np.max(np.abs(s_lat))) + margin / _M_PER_DEG
    cos_min = math.cos(math.radians(min(89.0, lat_max)))
    mlon = margin / (_M_PER_DEG * cos_min)
    mlat = margin / _M_PER_DEG
    c0 = max(0, math.floor((float(s_lon.min()) - mlon - grid.x0) / grid.dx))
    c1 = min(cols, math.ceil((float(s_lon.max()) + mlon - grid.x0) / grid.dx) + 1)
    r0 = max(0, math.floor((float(s_lat.max()) + mlat - grid.y0) / grid.dy))
    r1 = min(rows, math.ceil((float(s_lat.min()) - mlat - grid.y0) / grid.dy) + 1)
    z = np.asarray(grid.elevation_m[r0:r1, c0:c1], dtype=np.float64)
    bad = np.asarray(grid.void[r0:r1, c0:c1], dtype=bool) | ~np.isfinite(z)
    if z.size == 0 or bad.all():
        return pd.DataFrame()
    fill = float(np.nanmean(np.where(bad, np.nan, z)))
    zf = np.where(bad, fill, z)
    footprint = _disk_footprint(settings.local_max_radius_m, dx_m, dy_m)
    zmax = ndimage.maximum_filter(
        np.where(bad, -np.inf, zf), footprint=footprint, mode="constant", cval=-np.inf
    )
    half_r = max(1, round(settings.ridge_tpi_radius_m / dy_m))
    half_c = max(1, round(settings.ridge_tpi_radius_m / dx_m))
    tpi = zf - ndimage.uniform_filter(zf, size=(2 * half_r + 1, 2 * half_c + 1), mode="nearest")

    # pixels within the search radius of an uncovered school
    rr, cc = np.mgrid[r0:r1, c0:c1]
    plon = grid.x0 + (cc.ravel() + 0.5) * grid.dx
    plat = grid.y0 + (rr.ravel() + 0.5) * grid.dy
    pxyz = _unit_xyz(plon, plat)
    d_school, _ = cKDTree(_unit_xyz(s_lon, s_lat)).query(pxyz, k=1)
    in_reach = (np.asarray(d_school) <= _chord_m(reach)).reshape(z.shape) & ~bad

    peak = in_reach & (zf >= zmax) & (tpi >= settings.min_tpi_m)
    tpi_in = tpi[in_reach]
    sd = float(np.std(tpi_in)) if tpi_in.size > 1 else 0.0
    ridge = (
        in_reach & ~peak & (tpi > settings.ridge_tpi_sd * sd)
        if settings.ridge_points and sd > 0
        else np.zeros_like(peak)
    )
    flat_tpi = tpi.ravel()
    flat_z = zf.ravel()

    def ranked(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
        idx = np.flatnonzero(mask.ravel())
        # best first: larger TPI, then higher, then north-west first (stable)
        order = np.lexsort((idx, -flat_z[idx], -np.round(flat_tpi[idx], 6)))
        return np.asarray(idx[order], dtype=np.int64)

    peaks = ranked(peak)
    keep_p = _thin(pxyz, peaks, settings.candidate_spacing_m)
    keep_r = np.zeros(0, dtype=np.int64)
    if ridge.any():
        keep_r = _thin(pxyz, ranked(ridge), settings.candidate_spacing_m, taken=pxyz[keep_p])
    chosen = np.concatenate([keep_p, keep_r])
    kind = np.array(["high_point"] * keep_p.size + ["ridge"] * keep_r.size, dtype=object)
    if chosen.size == 0:
        return pd.DataFrame()
    # caps: per school, then overall, by the same rank (TPI, elevation, position)
    order = np.lexsort((chosen, -flat_z[chosen], -np.round(flat_tpi[chosen], 6)))
    chosen, kind = chosen[order], kind[order]
    tree = cKDTree(pxyz[chosen])
    selected = np.zeros(chosen.size, dtype=bool)
    for near in tree.query_ball_point(_unit_xyz(s_lon, s_lat), r=_chord_m(reach)):
        best = np.sort(np.asarray(near, dtype=np.int64))[: settings.max_candidates_per_school]
        selected[best] = True
    pick = np.flatnonzero(selected)[: settings.max_candidates]
    chosen, kind = chosen[pick], kind[pick]
    numbers = {"high_point": 0, "ridge": 0}
    cand_ids = []
    for k in kind:
        numbers[str(k)] += 1
        cand_ids.append(f"{CANDIDATE_KINDS[str(k)]}-{numbers[str(k)]:04d}")
    return pd.DataFrame(
        {
            "candidate_id": cand_ids,
            "kind": kind.astype(str),
            "longitude_deg": plon[chosen],
            "latitude_deg": plat[chosen],
            "ground_m": flat_z[chosen],
            "tpi_m": flat_tpi[chosen],
            "source_id": "",
        }
    )


def _tower_candidates(
    grid: TerrainGrid,
    sites: pd.DataFrame,
    s_lon: NDArray[np.float64],
    s_lat: NDArray[np.float64],
    settings: CandidateSettings,
) -> pd.DataFrame:
    for col in ("site_id", "longitude_deg", "latitude_deg"):
        if col not in sites:
            msg = f"tower_sites has no '{col}' column"
            raise InputError(msg, field=col)
    lon = sites["longitude_deg"].to_numpy(dtype=float)
    lat = sites["latitude_deg"].to_numpy(dtype=float)
    west, south, east, north = grid.bounds
    ok = np.isfinite(lon) & np.isfinite(lat)
    ok &= (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    if "on_terrain" in sites:
        ok &= sites["on_terrain"].to_numpy(dtype=bool)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return pd.DataFrame()
    d, _ = cKDTree(_unit_xyz(s_lon, s_lat)).query(_unit_xyz(lon[idx], lat[idx]), k=1)
    idx = idx[np.asarray(d) <= _chord_m(settings.search_radius_m)]
    if idx.size == 0:
        return pd.DataFrame()
    site_ids = sites["site_id"].astype(str).to_numpy()[idx]
    order = np.argsort(site_ids, kind="stable")
    idx, site_ids = idx[order], site_ids[order]
    z = sample_points(grid, lon_deg=lon[idx], lat_deg=lat[idx]).elevation_m
    return pd.DataFrame(
        {
            "candidate_id": [f"tw-{s}" for s in site_ids],
            "kind": "tower_upgrade",
            "longitude_deg": lon[idx],
            "latitude_deg": lat[idx],
            "ground_m": np.asarray(z, dtype=float),
            "tpi_m": np.nan,
            "source_id": site_ids,
        }
    ).drop_duplicates("candidate_id")


# --------------------------------------------------------------------------- coverage


def candidate_cells(
    candidates: pd.DataFrame,
    *,
    mast_heights_m: Sequence[float],
    radio: RadioSettings,
    settings: CandidateSettings,
) -> pd.DataFrame:
    """A cell table shaped like :func:`alcance.coverage.cells.resolve_cells` output: one
    omnidirectional LTE cell per (candidate, mast height).

    School masts get ``settings.school_mast_height_m`` only; every other candidate each
    of ``mast_heights_m``. EIRP = ``radio.lte_tx_power_dbm + radio.sector_gain_dbi −
    radio.feeder_loss_db`` (boresight, as ``resolve_cells`` computes it); each cell is on
    its own carrier (``channel``), so candidates are evaluated alone.
    """
    heights = np.asarray(sorted({float(h) for h in mast_heights_m}), dtype=float)
    if heights.size == 0 or np.any(~(heights > 0)):
        msg = f"mast_heights_m must be positive heights, got {list(mast_heights_m)}"
        raise InputError(msg, field="mast_heights_m")
    is_mast = candidates["kind"].astype(str).to_numpy() == "school_mast"
    per = np.where(is_mast, 1, heights.size)
    rep = np.repeat(np.arange(len(candidates)), per)
    h = (
        np.concatenate(
            [np.array([settings.school_mast_height_m]) if m else heights for m in is_mast]
        )
        if len(candidates)
        else np.zeros(0)
    )
    cid = candidates["candidate_id"].astype(str).to_numpy()[rep]
    bw = (
        settings.new_site_bandwidth_mhz
        if settings.new_site_bandwidth_mhz is not None
        else radio.lte_bandwidth_mhz
    )
    n = rep.size
    return pd.DataFrame(
        {
            "cell_id": [f"{c}@{hh:g}m" for c, hh in zip(cid, h, strict=True)],
            "site_id": cid,
            "candidate_id": cid,
            "kind": candidates["kind"].astype(str).to_numpy()[rep],
            "mast_height_m": h,
            "operator": "new",
            "longitude_deg": candidates["longitude_deg"].to_numpy(dtype=float)[rep],
            "latitude_deg": candidates["latitude_deg"].to_numpy(dtype=float)[rep],
            "technology_used": np.full(n, "LTE", dtype=object),
            "freq_used_mhz": np.full(n, settings.new_site_freq_mhz),
            "height_used_m": h,
            "bandwidth_used_mhz": np.full(n, float(bw)),
            "gain_used_dbi": np.full(n, radio.sector_gain_dbi),
            "eirp_used_dbm": np.full(
                n, radio.lte_tx_power_dbm + radio.sector_gain_dbi - radio.feeder_loss_db
            ),
            "azimuth_used_deg": np.full(n, np.nan),
            "downtilt_used_deg": np.full(n, radio.downtilt_deg),
            "h_beamwidth_used_deg": np.full(n, radio.sector_h_beamwidth_deg),
            "v_beamwidth_used_deg": np.full(n, radio.sector_v_beamwidth_deg),
            "peak_mbps": np.full(n, np.inf),
            "channel": np.arange(n, dtype=np.int64),
            "on_terrain": np.ones(n, dtype=bool),
            "evaluated": np.ones(n, dtype=bool),
            "defaults_used": "",
        }
    )


def _link_service(
    grid: TerrainGrid,
    cells: pd.DataFrame,
    *,
    rx_lon: NDArray[np.float64],
    rx_lat: NDArray[np.float64],
    rx_on: NDArray[np.bool_],
    rx_height_m: float,
    radio: RadioSettings,
    spacing_m: float | None,
) -> pd.DataFrame:
    """Per (cell, receiver) link: loss, received power, SINR alone, downlink Mbit/s."""
    links, _losses = evaluate_links(
        grid,
        cells=cells,
        school_lon_deg=rx_lon,
        school_lat_deg=rx_lat,
        school_on_terrain=rx_on,
        radio=radio,
        cpe_height_m=rx_height_m,
        spacing_m=spacing_m,
    )
    rx = links["rx_power_dbm"].to_numpy(dtype=float)
    ci = links["cell_index"].to_numpy(dtype=np.int64)
    bw = cells["bandwidth_used_mhz"].to_numpy(dtype=float)[ci]
    noise = np.asarray(
        thermal_noise_dbm(bandwidth_mhz=bw, noise_figure_db=radio.cpe_noise_figure_db),
        dtype=float,
    ).reshape(-1)
    ok = np.isfinite(rx)
    sinr = np.full(rx.size, np.nan)
    if ok.any():
        # one candidate alone: the strongest-server rule with no co-channel cell
        result = best_server(
            rx_dbm=np.clip(rx[ok], -400.0, 120.0)[:, None],
            noise_dbm=noise[ok],
            load_factor=radio.load_factor,
        )
        sinr[ok] = result.sinr_db
    mbps = np.zeros(rx.size)
    if ok.any():
        mbps[ok] = np.asarray(
            cell_throughput_mbps(
                sinr_db=np.clip(sinr[ok], -300.0, 300.0),
                bandwidth_mhz=bw[ok],
                method=radio.throughput_method,
                overhead_fraction=radio.overhead_fraction,
                mimo_layers=radio.mimo_layers,
            ),
            dtype=float,
        ).reshape(-1)
    return links.assign(
        noise_dbm=noise,
        sinr_db=sinr,
        downlink_mbps=mbps * (1.0 - radio.load_factor),
    )


def candidate_coverage(
    grid: TerrainGrid,
    candidates: pd.DataFrame,
    *,
    mast_heights_m: Sequence[float],
    school_lon_deg: Any,
    school_lat_deg: Any,
    school_id: Sequence[object] | NDArray[Any],
    school_on_terrain: Any,
    radio: RadioSettings,
    service: ServiceSettings,
    cpe_height_m: float,
    settings: CandidateSettings,
    spacing_m: float | None = None,
) -> pd.DataFrame:
    """Schools each candidate would serve alone, per mast height.

    Parameters
    ----------
    grid
        Terrain (as for :func:`alcance.coverage.links.evaluate_links`).
    candidates
        From :func:`generate_candidates`.
    mast_heights_m
        Antenna heights above ground evaluated (m); school masts use
        ``settings.school_mast_height_m``.
    school_lon_deg, school_lat_deg, school_id, school_on_terrain
        Every school (all schools, covered or not: a candidate may serve both).
    radio, service
        The scenario's ``[radio]`` and ``[service]`` sections.
    cpe_height_m
        School CPE antenna height (m), ``defaults.school_antenna_height_m``.
    settings
        The ``[candidates]`` section (frequency and bandwidth of a new cell).
    spacing_m
        Terrain profile spacing (m), ``terrain.profile_spacing_m``.

    Returns
    -------
    pandas.DataFrame
        One row per (candidate, mast height, school) with downlink at or above
        ``service.moderate_mbps``: ``candidate_id, kind, mast_height_m, school_id,
        school_index, distance_m, path_loss_db, rx_power_dbm, rsrp_dbm, sinr_db,
        downlink_mbps, service_class`` ("good" or "moderate"), sorted by candidate
        (input order), height and school index.

    Notes
    -----
    The candidate is an omnidirectional LTE cell (:func:`candidate_cells`); links come
    from :func:`alcance.coverage.links.evaluate_links` (the scenario's path-loss model,
    ``radio.max_distance_m`` reach, sector pattern, CPE gain and losses). Each
    candidate is evaluated alone: SINR is noise-limited, since the scenario's
    interference rule (co-channel cells at ``radio.load_factor``) has no other cell on
    a new site's carrier. Downlink = TR 36.942 (or CQI) cell throughput at that SINR ×
    (1 − ``radio.load_factor``), the school's share in
    :func:`alcance.coverage.links.school_service` when it is alone on its cell; the
    cell is not split among the schools it serves (``schools_on_cell`` in
    :func:`candidate_summary` says how many would share it). RSRP = channel power −
    10 log10(12 N_RB).
    """
    lon = _as_float("school_lon_deg", school_lon_deg)
    lat = _as_float("school_lat_deg", school_lat_deg, lon.size)
    ids = np.asarray([str(s) for s in school_id], dtype=object)
    on = np.asarray(school_on_terrain, dtype=bool).ravel()
    if ids.size != lon.size or on.size != lon.size:
        msg = "school_id and school_on_terrain must match the school coordinates"
        raise InputError(msg, field="school_id")
    cells = candidate_cells(
        candidates, mast_heights_m=mast_heights_m, radio=radio, settings=settings
    )
    columns = [
        "candidate_id",
        "kind",
        "mast_height_m",
        "school_id",
        "school_index",
        "distance_m",
        "path_loss_db",
        "rx_power_dbm",
        "rsrp_dbm",
        "sinr_db",
        "downlink_mbps",
        "service_class",
    ]
    if len(cells) == 0 or not on.any():
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    links = _link_service(
        grid,
        cells,
        rx_lon=lon,
        rx_lat=lat,
        rx_on=on,
        rx_height_m=cpe_height_m,
        radio=radio,
        spacing_m=spacing_m,
    )
    links = links[links["downlink_mbps"] >= service.moderate_mbps]
    ci = links["cell_index"].to_numpy(dtype=np.int64)
    si = links["school_index"].to_numpy(dtype=np.int64)
    bw = cells["bandwidth_used_mhz"].to_numpy(dtype=float)[ci]
    rx = links["rx_power_dbm"].to_numpy(dtype=float)
    mbps = links["downlink_mbps"].to_numpy(dtype=float)
    cand_order = {c: k for k, c in enumerate(candidates["candidate_id"].astype(str))}
    out = pd.DataFrame(
        {
            "candidate_id": cells["candidate_id"].to_numpy()[ci],
            "kind": cells["kind"].to_numpy()[ci],
            "mast_height_m": cells["mast_height_m"].to_numpy(dtype=float)[ci],
            "school_id": ids[si].astype(str),
            "school_index": si,
            "distance_m": links["distance_m"].to_numpy(dtype=float),
            "path_loss_db": links["loss_db"].to_numpy(dtype=float),
            "rx_power_dbm": rx,
            "rsrp_dbm": rx - 10.0 * np.log10(bw / 0.015 * 0.9),
            "sinr_db": links["sinr_db"].to_numpy(dtype=float),
            "downlink_mbps": mbps,
            "service_class": np.where(mbps >= service.good_mbps, "good", "moderate"),
        }
    )
    out["_c"] = out["candidate_id"].map(cand_order)
    out = out.sort_values(["_c", "mast_height_m", "school_index"], kind="stable")
    return out.drop(columns="_c").reset_index(drop=True)


def _population_points(
    population: PopulationGrid, max_points: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], int]:
    """Centres and persons of populated pixels (summed in k x k blocks when needed)."""
    if not is_wgs84_lonlat(population.crs_wkt):
        msg = "the population raster must be on WGS 84 lon/lat (EPSG:4326)"
        raise InputError(msg, field="population")
    persons = np.asarray(population.persons, dtype=float)
    nodata = np.asarray(population.nodata, dtype=bool)
    if persons.ndim != 2 or nodata.shape != persons.shape:
        msg = f"population persons {persons.shape} and nodata {nodata.shape} must be 2-D alike"
        raise InputError(msg, field="population")
    p = np.where(nodata | ~np.isfinite(persons), 0.0, persons)
    if np.any(p < 0):
        msg = "population raster holds negative counts"
        raise InputError(msg, field="population")
    t = population.transform
    rows, cols = p.shape
    k = 1
    while True:
        rr, cc = -(-rows // k), -(-cols // k)
        padded = np.zeros((rr * k, cc * k))
        padded[:rows, :cols] = p
        blocks = padded.reshape(rr, k, cc, k).sum(axis=(1, 3))
        if np.count_nonzero(blocks) <= max_points or k >= max(rows, cols):
            break
        k *= 2
    r_idx, c_idx = np.nonzero(blocks)
    w = blocks[r_idx, c_idx]
    # person-weighted centre of each block
    rows_full, cols_full = np.mgrid[0:rows, 0:cols]
    br, bc = rows_full // k, cols_full // k
    sel = p > 0
    key = br[sel] * cc + bc[sel]
    wr = np.bincount(key, weights=p[sel] * (rows_full[sel] + 0.5), minlength=rr * cc)
    wc = np.bincount(key, weights=p[sel] * (cols_full[sel] + 0.5), minlength=rr * cc)
    flat = r_idx * cc + c_idx
    crow, ccol = wr[flat] / w, wc[flat] / w
    x = t.c + ccol * t.a + crow * t.b
    y = t.f + ccol * t.d + crow * t.e
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float), w, k


def candidate_summary(
    grid: TerrainGrid,
    candidates: pd.DataFrame,
    coverage: pd.DataFrame,
    *,
    mast_heights_m: Sequence[float],
    radio: RadioSettings,
    service: ServiceSettings,
    settings: CandidateSettings,
    settlements: pd.DataFrame | None = None,
    population: PopulationGrid | None = None,
    spacing_m: float | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Schools and people each candidate would serve, per mast height.

    Parameters
    ----------
    grid, candidates, coverage
        The terrain, :func:`generate_candidates` and :func:`candidate_coverage` output.
    mast_heights_m, radio, service, settings, spacing_m
        As for :func:`candidate_coverage`.
    settlements
        A (Geo)DataFrame with a ``population`` column and either a ``geometry`` (its
        representative point is used) or ``longitude_deg``/``latitude_deg``. Used when
        ``population`` is ``None``.
    population
        A population raster window on WGS 84 (persons per pixel, nodata, transform).

    Returns
    -------
    (pandas.DataFrame, list[str])
        One row per (candidate, mast height): ``candidate_id, kind, mast_height_m,
        schools_good, schools_moderate, schools_served, school_ids, people_served``
        (NaN when not computed) and ``people_method``; and notes.

    Notes
    -----
    People served: receivers at ``settings.population_receiver_height_m`` put through
    the same link machinery as schools (:func:`candidate_coverage`), counted when the
    candidate alone gives them at least ``service.moderate_mbps``. With a raster the
    receivers are the populated pixel centres (summed in k x k blocks, at their
    person-weighted centre, until at most ``settings.max_population_points`` remain);
    with settlements, one receiver per settlement. Schools served include covered ones.
    """
    cells = candidate_cells(
        candidates, mast_heights_m=mast_heights_m, radio=radio, settings=settings
    )
    notes: list[str] = []
    base = cells[["candidate_id", "kind", "mast_height_m"]].reset_index(drop=True)
    key = ["candidate_id", "mast_height_m"]
    if len(coverage):
        grouped = coverage.groupby(key, sort=False)
        counts = grouped.agg(
            schools_good=("service_class", lambda s: int((s == "good").sum())),
            schools_moderate=("service_class", lambda s: int((s == "moderate").sum())),
            school_ids=("school_id", lambda s: ",".join(str(v) for v in s)),
        ).reset_index()
        base = base.merge(counts, on=key, how="left")
    else:
        base = base.assign(schools_good=0, schools_moderate=0, school_ids="")
    base["schools_good"] = base["schools_good"].fillna(0).astype(np.int64)
    base["schools_moderate"] = base["schools_moderate"].fillna(0).astype(np.int64)
    base["school_ids"] = base["school_ids"].fillna("").astype(str)
    base["schools_served"] = base["schools_good"] + base["schools_moderate"]

    people = np.full(len(base), np.nan)
    method = "not computed"
    rx: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]] | None = None
    if population is not None:
        x, y, w, k = _population_points(population, settings.max_population_points)
        rx = (x, y, w)
        method = "population raster" if k == 1 else f"population raster ({k}x{k} blocks)"
    elif settlements is not None and "population" in settlements:
        pop = pd.to_numeric(settlements["population"], errors="coerce").to_numpy(dtype=float)
        if "geometry" in settlements:
            pts = settlements.geometry.representative_point()
            x, y = pts.x.to_numpy(dtype=float), pts.y.to_numpy(dtype=float)
        else:
            x = settlements["longitude_deg"].to_numpy(dtype=float)
            y = settlements["latitude_deg"].to_numpy(dtype=float)
        missing = ~np.isfinite(pop)
        if missing.any() and not missing.all():
            notes.append(f"{int(missing.sum())} settlement(s) without a population count as 0")
        if not missing.all():
            rx = (x, y, np.where(missing, 0.0, pop))
            method = "settlements"
    if rx is None:
        notes.append(
            "people served not computed: no population raster and no settlement population"
        )
    elif len(cells):
        x, y, w = rx
        west, south, east, north = grid.bounds
        on = (
            np.isfinite(x)
            & np.isfinite(y)
            & (x >= west)
            & (x <= east)
            & (y >= south)
            & (y <= north)
            & (w > 0)
        )
        links = _link_service(
            grid,
            cells,
            rx_lon=x,
            rx_lat=y,
            rx_on=on,
            rx_height_m=settings.population_receiver_height_m,
            radio=radio,
            spacing_m=spacing_m,
        )
        served = links["downlink_mbps"].to_numpy(dtype=float) >= service.moderate_mbps
        ci = links["cell_index"].to_numpy(dtype=np.int64)[served]
        ri = links["school_index"].to_numpy(dtype=np.int64)[served]
        people = np.bincount(ci, weights=w[ri], minlength=len(cells)).astype(float)
        # cells and base rows are in the same order
        notes.append(
            f"people served from the {method}: receivers at "
            f"{settings.population_receiver_height_m:g} m, >= {service.moderate_mbps:g} Mbit/s"
        )
    base["people_served"] = people
    base["people_method"] = method
    columns = [
        "candidate_id",
        "kind",
        "mast_height_m",
        "schools_good",
        "schools_moderate",
        "schools_served",
        "school_ids",
        "people_served",
        "people_method",
    ]
    return base[columns], notes
