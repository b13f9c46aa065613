"""Fibre routes from sites to the nearest fibre node, along roads when they are known.

* :func:`road_graph` — a road layer (LineStrings in WGS 84) as a weighted
  :class:`networkx.Graph` whose nodes are the lines' vertices.
* :func:`fibre_routes` — for every site, the fibre node nearest by route length, the
  route length and its geometry: along the road graph (one Dijkstra search from all
  fibre nodes at once) or, without roads, the geodesic distance times a routing factor.

Pure computation: arrays and graphs in, a table out; no file is read or written.

References
----------
.. [1] ITU/Giga Connectivity Planning Platform user guide (FNS-Division/cpp-user-guide,
   docs/models.md, "Fibre"): points and fibre nodes are joined to the road network by
   straight lines, then each point is routed to the fibre network by shortest path.
.. [2] R. H. Ballou, H. Rahardja, N. Sakai, "Selected country circuity factors for road
   travel distance estimation", Transportation Research Part A 36(9), 843-848 (2002).
.. [3] E. W. Dijkstra, "A note on two problems in connexion with graphs", Numerische
   Mathematik 1, 269-271 (1959).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, cast

import networkx as nx
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree
from shapely.geometry import LineString

from alcance.backhaul.settings import BackhaulSettings
from alcance.errors import InputError
from alcance.terrain.geodesic import geodesic_inverse

__all__ = [
    "FIBRE_ROUTE_FIELDS",
    "METHOD_GEODESIC",
    "METHOD_ROAD",
    "ROAD_VERTEX_DECIMALS",
    "fibre_routes",
    "road_graph",
]

#: Decimal places of degrees kept for road vertices (1e-7 degree is about 1 cm): line
#: ends that meet at a junction merge into one graph node.
ROAD_VERTEX_DECIMALS = 7

METHOD_ROAD = "road network"
METHOD_GEODESIC = "geodesic × routing factor"

#: Columns of :func:`fibre_routes`' table.
FIBRE_ROUTE_FIELDS: dict[str, str] = {
    "site_id": "site identifier (text)",
    "fibre_node_id": "fibre node the route ends at (None when no route is proposed)",
    "route_length_m": "fibre route length, m (NaN when no route is proposed)",
    "straight_line_m": "geodesic distance from the site to that fibre node, m",
    "method": f"'{METHOD_ROAD}' or '{METHOD_GEODESIC}' (None when no route)",
    "site_snap_m": "straight spur from the site to its nearest road vertex, m (NaN off-road)",
    "node_snap_m": "straight spur from the fibre node to its nearest road vertex, m",
    "reason": "why there is no road route or no route at all ('' when routed by road)",
    "geometry": "shapely LineString of the route, WGS 84 (None when no route)",
}

# Source of the road search; road nodes are (lon, lat) tuples, so a string never clashes.
_SOURCE = "fibre nodes"
# Equirectangular scale for nearest-neighbour pre-selection only (exact distances are
# geodesic): metres per degree of latitude and of longitude at the equator.
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_320.0
_CANDIDATES = 8

FloatArray = NDArray[np.float64]


def road_graph(roads: Any, *, decimals: int = ROAD_VERTEX_DECIMALS) -> nx.Graph[Any]:
    """The road network as a graph of line vertices joined by geodesic segments.

    Parameters
    ----------
    roads
        GeoDataFrame / GeoSeries / sequence of shapely LineStrings or MultiLineStrings in
        WGS 84 longitude/latitude (e.g. :func:`alcance.io.network.read_roads`).
    decimals
        Vertices are rounded to this many decimal places of a degree, so that lines
        meeting at a shared vertex become connected.

    Returns
    -------
    networkx.Graph
        Nodes are ``(lon_deg, lat_deg)`` tuples; each edge has ``length_m``, the
        geodesic length of the segment in metres (the shortest when segments repeat).

    Raises
    ------
    InputError
        A geometry that is not a (Multi)LineString, or a vertex outside the lon/lat range.

    Notes
    -----
    Segment lengths are WGS 84 geodesics (Karney 2013 §4, through
    :func:`alcance.terrain.geodesic.geodesic_inverse`), all in one vectorised call.
    """
    geoms = np.asarray(
        list(roads.geometry) if hasattr(roads, "geometry") else list(roads), dtype=object
    )
    graph: nx.Graph[Any] = nx.Graph()
    if geoms.size == 0:
        return graph
    kinds = shapely.get_type_id(geoms)  # -1 for a missing geometry (skipped)
    bad = np.flatnonzero((kinds >= 0) & (kinds != 1) & (kinds != 5))  # (Multi)LineString
    if bad.size:
        i = int(bad[0])
        msg = f"road {i + 1} is a {geoms[i].geom_type}, expected a LineString"
        raise InputError(msg, row=i + 1, field="geometry")
    geoms = geoms[kinds >= 0]
    parts = shapely.get_parts(geoms)
    coords, part = shapely.get_coordinates(parts, return_index=True)
    if coords.size == 0:
        return graph
    coords = np.round(coords[:, :2], decimals)
    lon, lat = coords[:, 0], coords[:, 1]
    if not (np.all(np.abs(lat) <= 90.0) and np.all(np.abs(lon) <= 180.0)):
        msg = "road vertices must be WGS 84 longitude/latitude degrees"
        raise InputError(msg, field="geometry")
    same = part[1:] == part[:-1]
    a = np.flatnonzero(same)
    b = a + 1
    moved = (lon[a] != lon[b]) | (lat[a] != lat[b])
    a, b = a[moved], b[moved]
    if a.size == 0:
        return graph
    length_m = geodesic_inverse(
        lon1_deg=lon[a], lat1_deg=lat[a], lon2_deg=lon[b], lat2_deg=lat[b]
    ).distance_m
    order = np.argsort(length_m, kind="stable")[::-1]  # longest first: shortest wins
    lon_l, lat_l, len_l = lon.tolist(), lat.tolist(), length_m.tolist()
    a_l, b_l = a.tolist(), b.tolist()
    graph.add_edges_from(
        (
            (lon_l[a_l[k]], lat_l[a_l[k]]),
            (lon_l[b_l[k]], lat_l[b_l[k]]),
            {"length_m": len_l[k]},
        )
        for k in order.tolist()
    )
    return graph


def fibre_routes(
    *,
    site_id: Sequence[Hashable],
    site_lon_deg: ArrayLike,
    site_lat_deg: ArrayLike,
    node_id: Sequence[Hashable],
    node_lon_deg: ArrayLike,
    node_lat_deg: ArrayLike,
    roads: nx.Graph[Any] | None = None,
    settings: BackhaulSettings | None = None,
) -> pd.DataFrame:
    """Route every site to the fibre node nearest by route length.

    Parameters
    ----------
    site_id, site_lon_deg, site_lat_deg
        Sites needing fibre: identifiers and WGS 84 coordinates, degrees.
    node_id, node_lon_deg, node_lat_deg
        Fibre nodes (points of presence): unique identifiers and coordinates, degrees.
    roads
        Road graph from :func:`road_graph`; ``None`` routes every site by geodesic
        distance times ``settings.fibre_routing_factor``.
    settings
        ``fibre_routing_factor``, ``max_fibre_km``, ``road_snap_max_m``
        (default :class:`BackhaulSettings`).

    Returns
    -------
    pandas.DataFrame
        One row per site, in input order, columns :data:`FIBRE_ROUTE_FIELDS`.

    Raises
    ------
    InputError
        Mismatched lengths, non-finite or out-of-range coordinates, duplicate fibre
        node identifiers.

    Notes
    -----
    With roads, the site and each fibre node are joined to their nearest road vertex
    by a straight spur (CPP user guide [1]_) when that spur is at most
    ``road_snap_max_m``. One Dijkstra search [3]_ runs from a virtual source joined to
    every snapped fibre node's vertex with a weight equal to its spur, bounded by
    ``max_fibre_km``; the route of a site is its spur plus the distance of its vertex
    (the node reached is the nearest by route length). A site too far from any road,
    or every site when no fibre node reaches the roads, is routed by
    ``geodesic × fibre_routing_factor`` [2]_ instead and says why in ``reason``; a
    site on the roads that no fibre node reaches within ``max_fibre_km`` by road gets
    no route. A fibre node farther than ``road_snap_max_m`` from every road is not
    reached by road routes. A route longer than ``max_fibre_km`` is never proposed (NaN
    length).
    Nearest candidates are pre-selected in a local equirectangular frame (not valid
    across the ±180° meridian) and measured as geodesics.
    """
    cfg = settings if settings is not None else BackhaulSettings()
    s_ids = list(site_id)
    n_ids = list(node_id)
    s_lon, s_lat = _coords(site_lon_deg, site_lat_deg, len(s_ids), "site")
    f_lon, f_lat = _coords(node_lon_deg, node_lat_deg, len(n_ids), "node")
    if len(set(n_ids)) != len(n_ids):
        seen: set[Hashable] = set()
        dup = next(x for x in n_ids if x in seen or seen.add(x))  # type: ignore[func-returns-value]
        msg = f"duplicate fibre node identifier {dup!r}"
        raise InputError(msg, field="node_id")
    n_sites = len(s_ids)
    max_m = cfg.max_fibre_km * 1000.0
    out: dict[str, list[Any]] = {name: [None] * n_sites for name in FIBRE_ROUTE_FIELDS}
    out["site_id"] = s_ids
    for name in ("route_length_m", "straight_line_m", "site_snap_m", "node_snap_m"):
        out[name] = [np.nan] * n_sites
    out["reason"] = [""] * n_sites
    if n_sites == 0:
        return pd.DataFrame(out, columns=list(FIBRE_ROUTE_FIELDS))
    if len(n_ids) == 0:
        out["reason"] = ["no fibre nodes given"] * n_sites
        return pd.DataFrame(out, columns=list(FIBRE_ROUTE_FIELDS))
    lat0 = float(np.deg2rad(np.mean(np.concatenate([s_lat, f_lat]))))

    fallback = np.ones(n_sites, dtype=bool)
    why = ["no road network given"] * n_sites
    if roads is not None and roads.number_of_nodes() > 0:
        fallback, why = _road_routes(
            out, roads, s_lon, s_lat, f_lon, f_lat, n_ids, lat0=lat0, cfg=cfg, max_m=max_m
        )
    idx = np.flatnonzero(fallback)
    if idx.size:
        nearest, dist = _nearest(s_lon[idx], s_lat[idx], f_lon, f_lat, lat0)
        for j, i in enumerate(idx.tolist()):
            k = int(nearest[j])
            length = float(dist[j]) * cfg.fibre_routing_factor
            if length > max_m:
                out["reason"][i] = (
                    f"{why[i]}; nearest fibre node {n_ids[k]!r} is {length / 1000:.1f} km "
                    f"by geodesic × {cfg.fibre_routing_factor:g}, beyond max_fibre_km "
                    f"{cfg.max_fibre_km:g}"
                )
                continue
            out["fibre_node_id"][i] = n_ids[k]
            out["route_length_m"][i] = length
            out["straight_line_m"][i] = float(dist[j])
            out["method"][i] = METHOD_GEODESIC
            out["reason"][i] = why[i]
            out["geometry"][i] = LineString(
                [(float(f_lon[k]), float(f_lat[k])), (float(s_lon[i]), float(s_lat[i]))]
            )
    return pd.DataFrame(out, columns=list(FIBRE_ROUTE_FIELDS))


def _road_routes(
    out: dict[str, list[Any]],
    roads: nx.Graph[Any],
    s_lon: FloatArray,
    s_lat: FloatArray,
    f_lon: FloatArray,
    f_lat: FloatArray,
    n_ids: list[Hashable],
    *,
    lat0: float,
    cfg: BackhaulSettings,
    max_m: float,
) -> tuple[NDArray[np.bool_], list[str]]:
    """Fill ``out`` for sites routed by road; return which sites fall back, and why."""
    vertices = list(roads.nodes)
    v_xy = np.asarray(vertices, dtype=np.float64).reshape(-1, 2)
    s_vertex, s_snap = _nearest(s_lon, s_lat, v_xy[:, 0], v_xy[:, 1], lat0)
    f_vertex, f_snap = _nearest(f_lon, f_lat, v_xy[:, 0], v_xy[:, 1], lat0)
    n_sites = len(s_lon)
    fallback = np.zeros(n_sites, dtype=bool)
    why = [""] * n_sites
    snap_max = cfg.road_snap_max_m
    routed: list[int] = []
    routed_node: list[int] = []

    # Best fibre node (shortest spur) per road vertex.
    entry: dict[Any, tuple[float, int]] = {}
    for k in np.flatnonzero(f_snap <= snap_max).tolist():
        v = vertices[int(f_vertex[k])]
        if v not in entry or f_snap[k] < entry[v][0]:
            entry[v] = (float(f_snap[k]), k)
    if not entry:
        fallback[:] = True
        why = [f"no fibre node within road_snap_max_m {snap_max:g} m of a road"] * n_sites
        return fallback, why

    search = roads.copy()
    search.add_weighted_edges_from(
        ((_SOURCE, v, spur) for v, (spur, _) in entry.items()), weight="length_m"
    )
    found = nx.single_source_dijkstra(search, _SOURCE, cutoff=max_m, weight="length_m")
    dist = cast("dict[Any, float]", found[0])
    paths = cast("dict[Any, list[Any]]", found[1])

    for i in range(n_sites):
        spur = float(s_snap[i])
        out["site_snap_m"][i] = spur
        if spur > snap_max:
            fallback[i] = True
            why[i] = (
                f"site is {spur:.0f} m from the nearest road vertex (road_snap_max_m {snap_max:g})"
            )
            continue
        v = vertices[int(s_vertex[i])]
        if v not in dist or float(dist[v]) + spur > max_m:
            out["reason"][i] = f"no fibre node within max_fibre_km {cfg.max_fibre_km:g} by road"
            continue
        path = paths[v]
        node_spur, k = entry[path[1]]
        points = [(float(f_lon[k]), float(f_lat[k])), *path[1:], (float(s_lon[i]), float(s_lat[i]))]
        points = [p for j, p in enumerate(points) if j == 0 or p != points[j - 1]]
        if len(points) == 1:
            points = points * 2
        out["fibre_node_id"][i] = n_ids[k]
        out["route_length_m"][i] = float(dist[v]) + spur
        out["node_snap_m"][i] = node_spur
        out["method"][i] = METHOD_ROAD
        out["geometry"][i] = LineString(points)
        routed.append(i)
        routed_node.append(k)
    if routed:
        ks = routed_node
        straight = geodesic_inverse(
            lon1_deg=s_lon[routed], lat1_deg=s_lat[routed], lon2_deg=f_lon[ks], lat2_deg=f_lat[ks]
        ).distance_m
        for j, i in enumerate(routed):
            out["straight_line_m"][i] = float(straight[j])
    return fallback, why


def _coords(lon: ArrayLike, lat: ArrayLike, n: int, what: str) -> tuple[FloatArray, FloatArray]:
    lon_a = np.asarray(lon, dtype=np.float64).reshape(-1)
    lat_a = np.asarray(lat, dtype=np.float64).reshape(-1)
    if lon_a.size != n or lat_a.size != n:
        msg = f"{what} ids, longitudes and latitudes differ in length ({n}, {lon_a.size}, {lat_a.size})"
        raise InputError(msg, field=f"{what}_lon_deg")
    bad = np.flatnonzero(~(np.abs(lat_a) <= 90.0))
    if bad.size:
        msg = f"{what} {int(bad[0]) + 1}: latitude {lat_a[bad[0]]!r} is outside [-90, 90]"
        raise InputError(msg, row=int(bad[0]) + 1, field=f"{what}_lat_deg")
    bad = np.flatnonzero(~(np.abs(lon_a) <= 180.0))
    if bad.size:
        msg = f"{what} {int(bad[0]) + 1}: longitude {lon_a[bad[0]]!r} is outside [-180, 180]"
        raise InputError(msg, row=int(bad[0]) + 1, field=f"{what}_lon_deg")
    return lon_a, lat_a


def _nearest(
    lon: FloatArray, lat: FloatArray, to_lon: FloatArray, to_lat: FloatArray, lat0: float
) -> tuple[NDArray[np.intp], FloatArray]:
    """Index of and geodesic distance (m) to the nearest of the ``to`` points."""
    scale = np.array([_M_PER_DEG_LON * np.cos(lat0), _M_PER_DEG_LAT])
    tree = cKDTree(np.column_stack([to_lon, to_lat]) * scale)
    k = min(_CANDIDATES, len(to_lon))
    _, cand = tree.query(np.column_stack([lon, lat]) * scale, k=k)
    cand = np.asarray(cand, dtype=np.intp).reshape(len(lon), k)
    rows = np.repeat(np.arange(len(lon)), k)
    dist = geodesic_inverse(
        lon1_deg=lon[rows],
        lat1_deg=lat[rows],
        lon2_deg=to_lon[cand.reshape(-1)],
        lat2_deg=to_lat[cand.reshape(-1)],
    ).distance_m.reshape(len(lon), k)
    best = np.argmin(dist, axis=1)
    pick = np.arange(len(lon))
    return cand[pick, best], dist[pick, best]
