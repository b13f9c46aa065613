"""Backhaul graph: k cheapest hop-limited routes from sites to points of presence."""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.spatial import cKDTree
from shapely.geometry import LineString

from alcance.backhaul.graph import backhaul_options, build_backhaul_graph, route_geometries
from alcance.errors import InputError


def _nodes(rows: list[tuple[str, str, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "node_id": [r[0] for r in rows],
            "kind": [r[1] for r in rows],
            "longitude_deg": [-71.0 + 0.01 * k for k in range(len(rows))],
            "latitude_deg": [-32.5 + 0.005 * (k % 3) for k in range(len(rows))],
            "is_pop": [r[2] for r in rows],
        }
    )


def _links(rows: list[tuple[str, str, str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "link_id": [f"{a}-{b}" for a, b, *_ in rows],
            "a": [r[0] for r in rows],
            "b": [r[1] for r in rows],
            "kind": [r[2] for r in rows],
            "length_m": [1000.0] * len(rows),
            "cost_usd": [r[3] for r in rows],
            "capacity_mbps": [r[4] for r in rows],
            "availability_pct": [r[5] for r in rows],
        }
    )


@pytest.fixture
def small() -> nx.Graph[Any]:
    nodes = _nodes(
        [
            ("S", "school", False),
            ("C1", "candidate", False),
            ("C2", "candidate", False),
            ("T", "tower", True),
            ("F", "fibre_node", True),
            ("X", "school", False),
        ]
    )
    links = _links(
        [
            ("S", "C1", "microwave", 10.0, 100.0, 99.9),
            ("C1", "T", "microwave", 10.0, 50.0, 99.99),
            ("S", "C2", "microwave", 5.0, 200.0, 99.9),
            ("C2", "C1", "microwave", 5.0, 300.0, 99.9),
            ("C2", "F", "fibre", 40.0, 10_000.0, 99.999),
            ("S", "F", "fibre", 50.0, 10_000.0, 99.99),
        ]
    )
    return build_backhaul_graph(nodes, links)


def test_cheapest_first_with_relays_capacity_and_availability(small: nx.Graph[Any]) -> None:
    result = backhaul_options(small, ["S"], max_hops=4, routes_per_site=10)
    opts = result.options
    costs = opts["cost_usd"].tolist()
    assert costs == sorted(costs)
    assert costs[:4] == [20.0, 20.0, 45.0, 50.0]
    first = opts.iloc[0]
    # Ties are broken by fewer hops: S-C1-T (2 hops) before S-C2-C1-T (3 hops).
    assert first["path_node_ids"] == ("S", "C1", "T")
    assert first["relay_node_ids"] == ("C1",)
    assert first["pop_id"] == "T"
    assert first["kind"] == "microwave"
    assert first["capacity_mbps"] == 50.0
    assert first["availability_pct"] == pytest.approx(100 * 0.999 * 0.9999)
    second = opts.iloc[1]
    assert second["relay_node_ids"] == ("C2", "C1")
    assert second["capacity_mbps"] == 50.0
    mixed = opts[opts["path_node_ids"] == ("S", "C2", "F")].iloc[0]
    assert mixed["kind"] == "mixed"
    assert mixed["cost_usd"] == 45.0
    direct = opts[opts["path_node_ids"] == ("S", "F")].iloc[0]
    assert direct["kind"] == "fibre"
    assert direct["relay_node_ids"] == ()
    assert opts["rank"].tolist() == list(range(1, len(opts) + 1))
    links = result.route_links[result.route_links["route_id"] == first["route_id"]]
    assert links["link_id"].tolist() == ["S-C1", "C1-T"]
    assert links["hop"].tolist() == [1, 2]
    assert result.unreachable == []


def test_routes_stop_at_first_pop_and_limits(small: nx.Graph[Any]) -> None:
    opts = backhaul_options(small, ["S"], max_hops=4, routes_per_site=50).options
    for path in opts["path_node_ids"]:
        assert len(set(path)) == len(path)  # simple
        assert not any(small.nodes[n]["is_pop"] for n in path[:-1])
    assert len(set(opts["path_node_ids"])) == len(opts)  # distinct
    two = backhaul_options(small, ["S"], max_hops=2, routes_per_site=2).options
    assert len(two) == 2
    assert (two["n_hops"] <= 2).all()
    one = backhaul_options(small, ["S"], max_hops=1, routes_per_site=5).options
    assert one["path_node_ids"].tolist() == [("S", "F")]


def test_pop_site_and_unreachable_site(small: nx.Graph[Any]) -> None:
    result = backhaul_options(small, ["T", "X", "S"], max_hops=4, routes_per_site=1)
    opts = result.options.set_index("site_id")
    assert opts.loc["T", "kind"] == "at_pop"
    assert opts.loc["T", "cost_usd"] == 0.0
    assert opts.loc["T", "n_hops"] == 0
    assert opts.loc["T", "pop_id"] == "T"
    assert "X" not in opts.index
    assert result.unreachable == ["X"]
    assert result.route_links["route_id"].str.startswith("S/").all()


def test_hop_limit_on_a_chain() -> None:
    nodes = _nodes([("S", "school", False)] + [(f"R{k}", "candidate", False) for k in range(3)])
    nodes = pd.concat([nodes, _nodes([("P", "core", True)]).assign(longitude_deg=-70.9)])
    chain = ["S", "R0", "R1", "R2", "P"]
    links = _links([(a, b, "microwave", 1.0, 100.0, 99.9) for a, b in itertools.pairwise(chain)])
    graph = build_backhaul_graph(nodes.reset_index(drop=True), links)
    assert backhaul_options(graph, ["S"], max_hops=3, routes_per_site=3).unreachable == ["S"]
    four = backhaul_options(graph, ["S"], max_hops=4, routes_per_site=3)
    assert four.options["n_hops"].tolist() == [4]
    assert four.options["relay_node_ids"].iloc[0] == ("R0", "R1", "R2")


def _random_graph(seed: int, n: int, n_pop: int, k_near: int) -> tuple[nx.Graph[Any], list[str]]:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 1, (n, 2))
    ids = [f"n{i}" for i in range(n)]
    pops = set(rng.choice(n, n_pop, replace=False).tolist())
    nodes = pd.DataFrame(
        {
            "node_id": ids,
            "kind": ["fibre_node" if i in pops else "candidate" for i in range(n)],
            "longitude_deg": -71.0 + xy[:, 0],
            "latitude_deg": -33.0 + xy[:, 1],
            "is_pop": [i in pops for i in range(n)],
        }
    )
    _, near = cKDTree(xy).query(xy, k=k_near + 1)
    pairs = {(min(i, int(j)), max(i, int(j))) for i in range(n) for j in near[i, 1:]}
    a, b = zip(*sorted(pairs), strict=True)
    links = pd.DataFrame(
        {
            "link_id": [f"l{k}" for k in range(len(a))],
            "a": [ids[i] for i in a],
            "b": [ids[j] for j in b],
            "kind": rng.choice(["microwave", "fibre"], len(a)),
            "length_m": rng.uniform(1e3, 3e4, len(a)),
            "capacity_mbps": rng.uniform(50, 1000, len(a)),
            "cost_usd": rng.uniform(1e4, 1e5, len(a)).round(0),
            "availability_pct": rng.uniform(99.9, 100.0, len(a)),
        }
    )
    sites = [ids[i] for i in range(n) if i not in pops]
    return build_backhaul_graph(nodes, links), sites


def test_k_cheapest_match_brute_force_enumeration() -> None:
    graph, sites = _random_graph(3, 60, 5, 4)
    pops = {n for n, d in graph.nodes(data=True) if d["is_pop"]}
    max_hops, k = 3, 4
    opts = backhaul_options(graph, sites, max_hops=max_hops, routes_per_site=k).options
    n_checked = 0
    for site in sites:
        costs = []
        for pop in pops:
            for path in nx.all_simple_paths(graph, site, pop, cutoff=max_hops):
                if any(p in pops for p in path[:-1]):
                    continue
                costs.append(
                    sum(graph.edges[u, v]["cost_usd"] for u, v in itertools.pairwise(path))
                )
        ours = opts.loc[opts["site_id"] == site, "cost_usd"].tolist()
        assert ours == pytest.approx(sorted(costs)[:k])
        n_checked += len(ours)
    assert n_checked > 50


def test_scale_1000_sites_20000_links() -> None:
    graph, sites = _random_graph(11, 2100, 100, 18)
    assert graph.number_of_edges() > 19_000
    sites = sites[:1000]
    start = time.perf_counter()
    result = backhaul_options(graph, sites, max_hops=4, routes_per_site=3)
    elapsed = time.perf_counter() - start
    assert elapsed < 15.0, elapsed  # ~1-2 s on one core; generous for a busy machine
    assert len(result.options) + len(result.unreachable) >= len(sites)
    assert result.options.groupby("site_id").size().max() == 3


def test_route_geometries(small: nx.Graph[Any]) -> None:
    opts = backhaul_options(small, ["S", "T"], max_hops=4, routes_per_site=2).options
    road = LineString([(-70.96, -32.5), (-70.98, -32.49), (-71.0, -32.5)])  # F -> S, reversed
    gdf = route_geometries(small, opts, link_geometries={"S-F": road})
    assert len(gdf) == 2  # the at_pop route has nothing to draw
    assert gdf.crs.to_epsg() == 4326
    first = list(gdf.geometry.iloc[0].coords)
    s, c1, t = (small.nodes[n] for n in ("S", "C1", "T"))
    assert first == [
        (s["longitude_deg"], s["latitude_deg"]),
        (c1["longitude_deg"], c1["latitude_deg"]),
        (t["longitude_deg"], t["latitude_deg"]),
    ]
    assert gdf["relay_node_ids"].iloc[0] == "C1"
    direct = backhaul_options(small, ["S"], max_hops=1, routes_per_site=1).options
    line = route_geometries(small, direct, link_geometries={"S-F": road}).geometry.iloc[0]
    assert list(line.coords) == list(road.coords)[::-1]


def test_parallel_links_keep_the_cheapest() -> None:
    nodes = _nodes([("S", "school", False), ("P", "core", True)])
    links = _links([("S", "P", "microwave", 30.0, 100.0, 99.9)])
    links = pd.concat([links, _links([("P", "S", "fibre", 20.0, 10_000.0, 99.99)])])
    links["link_id"] = ["mw", "fibre"]
    graph = build_backhaul_graph(nodes, links.reset_index(drop=True))
    assert graph.edges["S", "P"]["link_id"] == "fibre"
    assert graph.graph["parallel_link_ids"] == ["mw"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda n, k: (n.assign(kind=["school", "mast", "core"]), k), "nodes.kind"),
        (lambda n, k: (n.assign(node_id=["A", "A", "C"]), k), "nodes.node_id"),
        (lambda n, k: (n.assign(latitude_deg=[0.0, 95.0, 0.0]), k), "nodes.latitude_deg"),
        (lambda n, k: (n.drop(columns="is_pop"), k), "nodes.is_pop"),
        (lambda n, k: (n, k.assign(b=["Z"])), "links.b"),
        (lambda n, k: (n, k.assign(b=["A"])), "links.b"),
        (lambda n, k: (n, k.assign(cost_usd=[-1.0])), "links.cost_usd"),
        (lambda n, k: (n, k.assign(capacity_mbps=[0.0])), "links.capacity_mbps"),
        (lambda n, k: (n, k.assign(availability_pct=[101.0])), "links.availability_pct"),
        (lambda n, k: (n, k.assign(kind=["copper"])), "links.kind"),
        (lambda n, k: (n, k.assign(length_m=["far"])), "links.length_m"),
    ],
)
def test_bad_tables_name_the_field(change: Any, field: str) -> None:
    nodes = _nodes([("A", "school", False), ("B", "candidate", False), ("C", "core", True)])
    links = _links([("A", "B", "microwave", 1.0, 100.0, 99.9)])
    nodes, links = change(nodes, links)
    with pytest.raises(InputError) as info:
        build_backhaul_graph(nodes, links)
    assert info.value.field == field


def test_bad_sites_and_settings(small: nx.Graph[Any]) -> None:
    with pytest.raises(InputError, match="not a node"):
        backhaul_options(small, ["nowhere"], max_hops=4, routes_per_site=1)
    with pytest.raises(InputError, match="twice"):
        backhaul_options(small, ["S", "S"], max_hops=4, routes_per_site=1)
    with pytest.raises(InputError):
        backhaul_options(small, ["S"], max_hops=0, routes_per_site=1)


def test_unknown_availability_propagates_as_nan() -> None:
    nodes = _nodes([("S", "school", False), ("P", "core", True)])
    links = _links([("S", "P", "fibre", 1.0, 100.0, 99.0)]).drop(columns="availability_pct")
    opts = backhaul_options(
        build_backhaul_graph(nodes, links), ["S"], max_hops=1, routes_per_site=1
    )
    assert math.isnan(opts.options["availability_pct"].iloc[0])
