"""The backhaul graph: every costed link a site could use to reach the core network.

* :func:`build_backhaul_graph` — nodes (core, fibre nodes, towers, candidate sites,
  schools) and already-costed links (microwave hops, fibre runs) as a networkx graph.
* :func:`backhaul_options` — for each site, the cheapest distinct simple routes to any
  point of presence (pop) within a hop limit: one row per route, with the relay sites
  that must be built, the bottleneck capacity and the end-to-end availability.
* :func:`route_geometries` — the routes as LineStrings for a GeoPackage layer.

Pure computation: tables in, tables out; no file is read or written. Costs come from
the cost model and hop feasibility from the microwave model; this module only searches.

References
----------
.. [1] J. Y. Yen, "Finding the k shortest loopless paths in a network", Management
   Science 17(11), 712-716 (1971) — the problem solved here, with a hop limit.
.. [2] P. E. Hart, N. J. Nilsson, B. Raphael, "A formal basis for the heuristic
   determination of minimum cost paths", IEEE Trans. SSC 4(2), 100-107 (1968) — best
   first search with an admissible lower bound (A*), used to enumerate the routes.
.. [3] R. Bellman, "On a routing problem", Quarterly of Applied Mathematics 16(1),
   87-90 (1958) — the hop-bounded cost-to-go of every node.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, NamedTuple

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from alcance.errors import InputError

__all__ = [
    "LINK_KINDS",
    "NODE_KINDS",
    "OPTION_FIELDS",
    "ROUTE_KINDS",
    "BackhaulOptions",
    "backhaul_options",
    "build_backhaul_graph",
    "route_geometries",
]

#: Kinds of node in the backhaul graph.
NODE_KINDS = ("core", "fibre_node", "tower", "candidate", "school")
#: Kinds of link.
LINK_KINDS = ("microwave", "fibre")
#: Kinds of route: all fibre, all microwave, both, or a site that is itself a pop.
ROUTE_KINDS = ("fibre", "microwave", "mixed", "at_pop")

_NODE_COLUMNS = ("node_id", "kind", "longitude_deg", "latitude_deg", "is_pop")
_LINK_COLUMNS = ("link_id", "a", "b", "kind", "length_m", "capacity_mbps", "cost_usd")

#: Columns of the options table of :func:`backhaul_options`.
OPTION_FIELDS: dict[str, str] = {
    "site_id": "site needing backhaul",
    "route_id": "'<site_id>/r<rank>' (unique)",
    "rank": "1 = cheapest route of the site",
    "kind": "'fibre', 'microwave', 'mixed' or 'at_pop'",
    "n_hops": "links in the route (0 for 'at_pop')",
    "cost_usd": "sum of the links' lifetime costs, USD (stand-alone: shared links are paid once by the optimiser)",
    "capacity_mbps": "bottleneck (smallest) link capacity, Mbit/s",
    "availability_pct": "product of the link availabilities, % (NaN when a link's is unknown)",
    "length_m": "sum of the link lengths, m",
    "relay_node_ids": "tuple of intermediate nodes (none is a pop): sites to build for this route",
    "pop_id": "point of presence the route ends at",
    "path_node_ids": "tuple of all nodes, site first, pop last",
}


class BackhaulOptions(NamedTuple):
    """Result of :func:`backhaul_options` (unpacks as a 3-tuple)."""

    options: pd.DataFrame
    """One row per route, columns :data:`OPTION_FIELDS`."""
    route_links: pd.DataFrame
    """``route_id, link_id, hop``: one row per link of each route (hop 1 at the site)."""
    unreachable: list[Hashable]
    """Sites with no route to a pop within the hop limit (no rows in ``options``)."""


def build_backhaul_graph(nodes: pd.DataFrame, links: pd.DataFrame) -> nx.Graph[Any]:
    """Build the undirected backhaul graph from a node table and a costed link table.

    Parameters
    ----------
    nodes
        ``node_id`` (unique), ``kind`` (one of :data:`NODE_KINDS`), ``longitude_deg``,
        ``latitude_deg`` (WGS 84, degrees), ``is_pop`` (True when the node already has
        backhaul to the core: fibre nodes, core points, in-service towers when
        ``existing_towers_are_pops``); optional ``capacity_mbps`` (the pop's spare
        capacity, Mbit/s; default unlimited).
    links
        ``link_id`` (unique), ``a``, ``b`` (node ids), ``kind`` (one of
        :data:`LINK_KINDS`), ``length_m`` (m), ``capacity_mbps`` (Mbit/s, > 0),
        ``cost_usd`` (lifetime cost of the link, USD, ≥ 0); optional
        ``availability_pct`` (%, NaN unknown). Only feasible links belong here.

    Returns
    -------
    networkx.Graph
        Node attributes ``kind, longitude_deg, latitude_deg, is_pop, capacity_mbps``;
        edge attributes ``link_id, kind, length_m, capacity_mbps, cost_usd,
        availability_pct``. Of parallel links between the same two nodes only the
        cheapest is kept (then the one with more capacity); the others are listed in
        ``graph.graph["parallel_link_ids"]``.

    Raises
    ------
    InputError
        A missing column, unknown kind, duplicate or empty id, a link to an unknown
        node or to itself, a non-finite or negative length or cost, a capacity ≤ 0,
        an availability outside [0, 100], coordinates out of range.
    """
    _require(nodes, _NODE_COLUMNS, "nodes")
    _require(links, _LINK_COLUMNS, "links")
    node_ids = nodes["node_id"].tolist()
    _check_ids(node_ids, "nodes", "node_id")
    _check_kinds(nodes["kind"].tolist(), NODE_KINDS, "nodes")
    lon = _floats(nodes, "longitude_deg", "nodes")
    lat = _floats(nodes, "latitude_deg", "nodes")
    _check_range(lat, -90.0, 90.0, "nodes", "latitude_deg")
    _check_range(lon, -180.0, 180.0, "nodes", "longitude_deg")
    is_pop = nodes["is_pop"].tolist()
    for i, value in enumerate(is_pop):
        if not isinstance(value, (bool, np.bool_)):
            msg = f"is_pop must be True or False, got {value!r}"
            raise InputError(msg, row=i + 1, field="nodes.is_pop")
    if "capacity_mbps" in nodes.columns:
        pop_cap = _floats(nodes, "capacity_mbps", "nodes", allow_nan=True)
        pop_cap = np.where(np.isnan(pop_cap), np.inf, pop_cap)
        _check_range(pop_cap, 0.0, np.inf, "nodes", "capacity_mbps", open_low=True, allow_inf=True)
    else:
        pop_cap = np.full(len(nodes), np.inf)

    graph: nx.Graph[Any] = nx.Graph()
    graph.add_nodes_from(
        (
            node,
            {
                "kind": kind,
                "longitude_deg": float(x),
                "latitude_deg": float(y),
                "is_pop": bool(pop),
                "capacity_mbps": float(cap),
            },
        )
        for node, kind, x, y, pop, cap in zip(
            node_ids, nodes["kind"].tolist(), lon, lat, is_pop, pop_cap, strict=True
        )
    )

    link_ids = links["link_id"].tolist()
    _check_ids(link_ids, "links", "link_id")
    _check_kinds(links["kind"].tolist(), LINK_KINDS, "links")
    length = _floats(links, "length_m", "links")
    _check_range(length, 0.0, np.inf, "links", "length_m")
    capacity = _floats(links, "capacity_mbps", "links")
    _check_range(capacity, 0.0, np.inf, "links", "capacity_mbps", open_low=True)
    cost = _floats(links, "cost_usd", "links")
    _check_range(cost, 0.0, np.inf, "links", "cost_usd")
    if "availability_pct" in links.columns:
        avail = _floats(links, "availability_pct", "links", allow_nan=True)
        _check_range(avail, 0.0, 100.0, "links", "availability_pct", allow_nan=True)
    else:
        avail = np.full(len(links), np.nan)
    parallel: list[Hashable] = []
    rows = zip(
        link_ids,
        links["a"].tolist(),
        links["b"].tolist(),
        links["kind"].tolist(),
        length,
        capacity,
        cost,
        avail,
        strict=True,
    )
    for i, (lid, a, b, kind, len_m, cap, usd, pct) in enumerate(rows):
        for end, name in ((a, "a"), (b, "b")):
            if end not in graph:
                msg = f"link {lid!r} ends at unknown node {end!r}"
                raise InputError(msg, row=i + 1, field=f"links.{name}")
        if a == b:
            msg = f"link {lid!r} joins node {a!r} to itself"
            raise InputError(msg, row=i + 1, field="links.b")
        attrs = {
            "link_id": lid,
            "kind": kind,
            "length_m": float(len_m),
            "capacity_mbps": float(cap),
            "cost_usd": float(usd),
            "availability_pct": float(pct),
        }
        old = graph.get_edge_data(a, b)
        if old is not None:
            if (old["cost_usd"], -old["capacity_mbps"]) <= (float(usd), -float(cap)):
                parallel.append(lid)
                continue
            parallel.append(old["link_id"])
        graph.add_edge(a, b, **attrs)
    graph.graph["parallel_link_ids"] = parallel
    return graph


def backhaul_options(
    graph: nx.Graph[Any],
    sites: Iterable[Hashable],
    *,
    max_hops: int,
    routes_per_site: int,
) -> BackhaulOptions:
    """The cheapest distinct simple routes from each site to any pop, within a hop limit.

    Parameters
    ----------
    graph
        From :func:`build_backhaul_graph`.
    sites
        Node ids needing backhaul (schools, candidate sites …), each once.
    max_hops
        Most links in one route (``BackhaulSettings.max_hops``).
    routes_per_site
        Routes kept per site, cheapest first (``BackhaulSettings.routes_per_site``).

    Returns
    -------
    BackhaulOptions
        ``options`` (columns :data:`OPTION_FIELDS`), ``route_links`` and the
        ``unreachable`` sites.

    Raises
    ------
    InputError
        A site that is not a node of the graph or is listed twice; ``max_hops`` or
        ``routes_per_site`` below 1.

    Notes
    -----
    A route ends at the first pop it reaches (going on through a pop only costs more)
    and never visits a node twice. A site that is a pop gets one ``at_pop`` route of
    cost 0 whose capacity is the pop's ``capacity_mbps``.

    The routes are those of Yen's problem [1]_ with a hop limit, found exactly by a
    best-first search over partial paths [2]_: a partial path ending at node ``v``
    after ``h`` hops is ranked by its cost plus ``D[max_hops - h][v]``, the cheapest
    cost from ``v`` to any pop in at most that many hops, computed once for all sites
    by ``max_hops`` Bellman–Ford rounds over the link arrays [3]_. That bound never
    overestimates, so routes leave the queue cheapest first and the search stops after
    ``routes_per_site`` of them; nodes that cannot reach a pop in time are never
    entered. Equal costs are ordered by fewer hops, then by insertion order.
    Availability is ``100 × Π(a_i / 100)`` (independent outages).
    """
    if max_hops < 1:
        msg = f"max_hops must be at least 1, got {max_hops}"
        raise InputError(msg, field="max_hops")
    if routes_per_site < 1:
        msg = f"routes_per_site must be at least 1, got {routes_per_site}"
        raise InputError(msg, field="routes_per_site")
    site_list = list(sites)
    seen: set[Hashable] = set()
    for i, site in enumerate(site_list):
        if site not in graph:
            msg = f"site {site!r} is not a node of the backhaul graph"
            raise InputError(msg, row=i + 1, field="sites")
        if site in seen:
            msg = f"site {site!r} is listed twice"
            raise InputError(msg, row=i + 1, field="sites")
        seen.add(site)

    names = list(graph.nodes)
    index = {node: k for k, node in enumerate(names)}
    is_pop = np.array([bool(graph.nodes[n]["is_pop"]) for n in names], dtype=bool)
    edges = list(graph.edges(data=True))
    ea = np.array([index[a] for a, _, _ in edges], dtype=np.int64)
    eb = np.array([index[b] for _, b, _ in edges], dtype=np.int64)
    ecost = np.array([d["cost_usd"] for _, _, d in edges], dtype=np.float64)
    to_go = _cost_to_go(is_pop, ea, eb, ecost, max_hops)
    adjacency: list[list[tuple[int, float, int]]] = [[] for _ in names]
    for k in range(len(edges)):
        a, b, c = int(ea[k]), int(eb[k]), float(ecost[k])
        adjacency[a].append((b, c, k))
        adjacency[b].append((a, c, k))

    records: list[dict[str, Any]] = []
    link_rows: list[tuple[str, Hashable, int]] = []
    unreachable: list[Hashable] = []
    for site in site_list:
        s = index[site]
        if is_pop[s]:
            records.append(_at_pop(graph, site))
            continue
        found = _search(s, adjacency, is_pop, to_go, max_hops, routes_per_site)
        if not found:
            unreachable.append(site)
            continue
        for rank, (path, eids) in enumerate(found, start=1):
            route_id = f"{site}/r{rank}"
            data = [edges[k][2] for k in eids]
            kinds = {d["kind"] for d in data}
            records.append(
                {
                    "site_id": site,
                    "route_id": route_id,
                    "rank": rank,
                    "kind": kinds.pop() if len(kinds) == 1 else "mixed",
                    "n_hops": len(eids),
                    "cost_usd": math.fsum(d["cost_usd"] for d in data),
                    "capacity_mbps": min(d["capacity_mbps"] for d in data),
                    "availability_pct": 100.0
                    * math.prod(d["availability_pct"] / 100.0 for d in data),
                    "length_m": math.fsum(d["length_m"] for d in data),
                    "relay_node_ids": tuple(names[v] for v in path[1:-1]),
                    "pop_id": names[path[-1]],
                    "path_node_ids": tuple(names[v] for v in path),
                }
            )
            link_rows.extend((route_id, d["link_id"], h) for h, d in enumerate(data, start=1))
    options = pd.DataFrame.from_records(records, columns=list(OPTION_FIELDS))
    options = options.astype(
        {
            "rank": np.int64,
            "n_hops": np.int64,
            "cost_usd": np.float64,
            "capacity_mbps": np.float64,
            "availability_pct": np.float64,
            "length_m": np.float64,
        }
    )
    route_links = pd.DataFrame(link_rows, columns=["route_id", "link_id", "hop"])
    route_links["hop"] = route_links["hop"].astype(np.int64)
    return BackhaulOptions(options=options, route_links=route_links, unreachable=unreachable)


def route_geometries(
    graph: nx.Graph[Any],
    options: pd.DataFrame,
    *,
    link_geometries: Mapping[Hashable, BaseGeometry] | None = None,
) -> gpd.GeoDataFrame:
    """The routes of ``options`` as LineStrings (WGS 84) for a GeoPackage layer.

    Parameters
    ----------
    graph
        The graph the options were found in.
    options
        ``backhaul_options(...).options`` (or a subset, e.g. the chosen routes).
    link_geometries
        Optional ``link_id → LineString`` (e.g. a fibre route along roads from
        :func:`alcance.backhaul.fibre.fibre_routes`) drawn instead of the straight
        segment between the link's nodes; it is reversed when it starts at the far end.

    Returns
    -------
    geopandas.GeoDataFrame
        The option columns except the tuple ones (``relay_node_ids`` joined by ``;``),
        with the geometry running from the site to the pop. ``at_pop`` routes (no
        link) are left out.
    """
    geoms: list[LineString] = []
    keep: list[int] = []
    for i, path in enumerate(options["path_node_ids"].tolist()):
        if len(path) < 2:
            continue
        points: list[tuple[float, float]] = []
        for a, b in itertools.pairwise(path):
            pa = _xy(graph, a)
            pb = _xy(graph, b)
            seg: list[tuple[float, float]] = [pa, pb]
            lid = graph.edges[a, b]["link_id"]
            if link_geometries is not None and lid in link_geometries:
                coords = [(float(c[0]), float(c[1])) for c in link_geometries[lid].coords]
                if _d2(coords[0], pb) + _d2(coords[-1], pa) < _d2(coords[0], pa) + _d2(
                    coords[-1], pb
                ):
                    coords.reverse()
                seg = coords
            points.extend(seg if not points else seg[1:] if seg[0] == points[-1] else seg)
        geoms.append(LineString(points))
        keep.append(i)
    table = options.iloc[keep].drop(columns=["path_node_ids"]).reset_index(drop=True)
    table["relay_node_ids"] = [";".join(str(n) for n in r) for r in table["relay_node_ids"]]
    return gpd.GeoDataFrame(table, geometry=geoms, crs="EPSG:4326")


# --------------------------------------------------------------------------- search


def _cost_to_go(
    is_pop: NDArray[np.bool_],
    ea: NDArray[np.int64],
    eb: NDArray[np.int64],
    cost: NDArray[np.float64],
    max_hops: int,
) -> list[NDArray[np.float64]]:
    """``D[h][v]``: cheapest cost from ``v`` to any pop in at most ``h`` links."""
    d = np.where(is_pop, 0.0, np.inf)
    out = [d]
    src = np.concatenate([ea, eb])
    dst = np.concatenate([eb, ea])
    both = np.concatenate([cost, cost])
    for _ in range(max_hops):
        nxt = d.copy()
        np.minimum.at(nxt, src, both + d[dst])
        out.append(nxt)
        d = nxt
    return out


def _search(
    site: int,
    adjacency: list[list[tuple[int, float, int]]],
    is_pop: NDArray[np.bool_],
    to_go: list[NDArray[np.float64]],
    max_hops: int,
    k: int,
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Up to ``k`` cheapest simple site→pop paths of at most ``max_hops`` links."""
    if not np.isfinite(to_go[max_hops][site]):
        return []
    counter = 0
    # (bound, hops, counter, cost, done, nodes, edges)
    heap: list[tuple[float, int, int, float, bool, tuple[int, ...], tuple[int, ...]]] = [
        (float(to_go[max_hops][site]), 0, counter, 0.0, False, (site,), ())
    ]
    found: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    while heap and len(found) < k:
        _, hops, _, cost, done, path, eids = heapq.heappop(heap)
        if done:
            found.append((path, eids))
            continue
        left = max_hops - hops - 1
        for u, c, e in adjacency[path[-1]]:
            if u in path:
                continue
            new_cost = cost + c
            counter += 1
            if is_pop[u]:
                heapq.heappush(
                    heap, (new_cost, hops + 1, counter, new_cost, True, (*path, u), (*eids, e))
                )
            elif left > 0:
                bound = new_cost + float(to_go[left][u])
                if bound < math.inf:
                    heapq.heappush(
                        heap,
                        (bound, hops + 1, counter, new_cost, False, (*path, u), (*eids, e)),
                    )
    return found


def _at_pop(graph: nx.Graph[Any], site: Hashable) -> dict[str, Any]:
    return {
        "site_id": site,
        "route_id": f"{site}/r1",
        "rank": 1,
        "kind": "at_pop",
        "n_hops": 0,
        "cost_usd": 0.0,
        "capacity_mbps": float(graph.nodes[site]["capacity_mbps"]),
        "availability_pct": 100.0,
        "length_m": 0.0,
        "relay_node_ids": (),
        "pop_id": site,
        "path_node_ids": (site,),
    }


# ------------------------------------------------------------------------ checks


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    for col in columns:
        if col not in frame.columns:
            msg = f"the {what} table has no '{col}' column (columns: {', '.join(map(str, frame.columns))})"
            raise InputError(msg, field=f"{what}.{col}")


def _check_ids(ids: list[Any], what: str, field: str) -> None:
    seen: dict[Any, int] = {}
    for i, value in enumerate(ids):
        if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
            msg = "identifier is empty"
            raise InputError(msg, row=i + 1, field=f"{what}.{field}")
        if value in seen:
            msg = f"duplicate identifier {value!r} (first in row {seen[value]})"
            raise InputError(msg, row=i + 1, field=f"{what}.{field}")
        seen[value] = i + 1


def _check_kinds(kinds: list[Any], allowed: tuple[str, ...], what: str) -> None:
    for i, kind in enumerate(kinds):
        if kind not in allowed:
            msg = f"unknown kind {kind!r}; expected one of {', '.join(allowed)}"
            raise InputError(msg, row=i + 1, field=f"{what}.kind")


def _floats(
    frame: pd.DataFrame, column: str, what: str, *, allow_nan: bool = False
) -> NDArray[np.float64]:
    try:
        values = pd.to_numeric(frame[column], errors="raise").to_numpy(dtype=np.float64)
    except (ValueError, TypeError):
        bad = pd.to_numeric(frame[column], errors="coerce").isna() & frame[column].notna()
        i = int(np.flatnonzero(bad.to_numpy())[0]) if bad.any() else 0
        msg = f"value {frame[column].iloc[i]!r} is not a number"
        raise InputError(msg, row=i + 1, field=f"{what}.{column}") from None
    if not allow_nan and np.isnan(values).any():
        i = int(np.flatnonzero(np.isnan(values))[0])
        msg = "value is missing"
        raise InputError(msg, row=i + 1, field=f"{what}.{column}")
    return values


def _check_range(
    values: NDArray[np.float64],
    low: float,
    high: float,
    what: str,
    column: str,
    *,
    open_low: bool = False,
    allow_nan: bool = False,
    allow_inf: bool = False,
) -> None:
    ok = (values > low) if open_low else (values >= low)
    ok &= values <= high
    ok &= np.isfinite(values) | (allow_inf & np.isposinf(values))
    if allow_nan:
        ok |= np.isnan(values)
    bad = np.flatnonzero(~ok)
    if bad.size:
        i = int(bad[0])
        bound = f"({low:g}" if open_low else f"[{low:g}"
        msg = f"value {values[i]:g} is outside {bound}, {high:g}]"
        raise InputError(msg, row=i + 1, field=f"{what}.{column}")


def _xy(graph: nx.Graph[Any], node: Hashable) -> tuple[float, float]:
    data = graph.nodes[node]
    return (float(data["longitude_deg"]), float(data["latitude_deg"]))


def _d2(p: tuple[float, float], q: tuple[float, float]) -> float:
    return (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2
