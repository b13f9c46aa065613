"""Fibre routes along roads (one multi-source Dijkstra) and by geodesic × routing factor."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import pytest
from shapely.geometry import LineString, MultiLineString, Point

from alcance.backhaul.fibre import METHOD_GEODESIC, METHOD_ROAD, fibre_routes, road_graph
from alcance.backhaul.settings import BackhaulSettings
from alcance.errors import InputError

GEOD = pyproj.Geod(ellps="WGS84")
X0, Y0, STEP = -71.0, -32.5, 0.01


def _d(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def _pt(i: float, j: float) -> tuple[float, float]:
    return (X0 + i * STEP, Y0 + j * STEP)


def _grid(n: int = 4) -> list[LineString]:
    rows = [LineString([_pt(i, j) for i in range(n)]) for j in range(n)]
    cols = [LineString([_pt(i, j) for j in range(n)]) for i in range(n)]
    return rows + cols


def _route(
    roads: nx.Graph[Any] | None,
    sites: list[tuple[float, float]],
    nodes: list[tuple[float, float]],
    **cfg: float,
) -> pd.DataFrame:
    return fibre_routes(
        site_id=[f"s{k}" for k in range(len(sites))],
        site_lon_deg=[p[0] for p in sites],
        site_lat_deg=[p[1] for p in sites],
        node_id=[f"f{k}" for k in range(len(nodes))],
        node_lon_deg=[p[0] for p in nodes],
        node_lat_deg=[p[1] for p in nodes],
        roads=roads,
        settings=BackhaulSettings.model_validate(cfg),
    )


def test_road_graph_merges_shared_vertices_and_measures_geodesics() -> None:
    graph = road_graph(_grid())
    assert graph.number_of_nodes() == 16
    assert graph.number_of_edges() == 24  # 4 rows x 3 + 4 columns x 3
    assert nx.is_connected(graph)
    a, b = _pt(0, 0), _pt(1, 0)
    assert graph.edges[a, b]["length_m"] == pytest.approx(_d(*a, *b), abs=1e-6)


def test_road_graph_multilinestring_and_bad_geometry() -> None:
    multi = MultiLineString([[_pt(0, 0), _pt(1, 0)], [_pt(1, 0), _pt(1, 1)]])
    graph = road_graph([multi])
    assert nx.has_path(graph, _pt(0, 0), _pt(1, 1))
    with pytest.raises(InputError, match="Point") as info:
        road_graph([LineString([_pt(0, 0), _pt(1, 0)]), Point(_pt(0, 0))])
    assert info.value.field == "geometry"
    assert info.value.row == 2
    assert road_graph([None, multi]).number_of_edges() == 2  # a missing geometry is skipped


def test_grid_route_length_known_by_hand() -> None:
    roads = road_graph(_grid())
    # Site on the far corner, fibre node on the near corner (southernmost row: the
    # shortest parallel, so the route runs east along it, then north).
    table = _route(roads, [_pt(3, 3)], [_pt(0, 0)])
    east = 3 * _d(*_pt(0, 0), *_pt(1, 0))
    north = _d(*_pt(0, 0), *_pt(0, 3))
    row = table.iloc[0]
    assert row["method"] == METHOD_ROAD
    assert row["fibre_node_id"] == "f0"
    assert row["route_length_m"] == pytest.approx(east + north, rel=1e-9)
    assert row["site_snap_m"] == pytest.approx(0.0, abs=1e-6)
    assert row["straight_line_m"] == pytest.approx(_d(*_pt(0, 0), *_pt(3, 3)), rel=1e-9)
    assert row["straight_line_m"] < row["route_length_m"]
    coords = list(row["geometry"].coords)
    assert coords[0] == pytest.approx(_pt(0, 0))
    assert coords[-1] == pytest.approx(_pt(3, 3))
    assert len(coords) == 7  # node, 6 segments along the grid, site on the last vertex


def test_off_road_site_and_node_are_snapped_with_straight_spurs() -> None:
    roads = road_graph(_grid())
    site = (X0 + 3 * STEP, Y0 + 3 * STEP + 0.002)  # ~220 m north of the corner
    node = (X0 - 0.001, Y0)  # ~94 m west of the origin
    table = _route(roads, [site], [node])
    row = table.iloc[0]
    site_spur = _d(*site, *_pt(3, 3))
    node_spur = _d(*node, *_pt(0, 0))
    along = 3 * _d(*_pt(0, 0), *_pt(1, 0)) + _d(*_pt(0, 0), *_pt(0, 3))
    assert row["site_snap_m"] == pytest.approx(site_spur, rel=1e-9)
    assert row["node_snap_m"] == pytest.approx(node_spur, rel=1e-9)
    assert row["route_length_m"] == pytest.approx(along + site_spur + node_spur, rel=1e-9)
    coords = list(row["geometry"].coords)
    assert coords[0] == pytest.approx(node)
    assert coords[-1] == pytest.approx(site)


def test_nearest_by_route_length_not_straight_line() -> None:
    # Bottom road x=0..4, sides up to y=2, top road only x=0..1 and x=3..4 (a gap).
    roads = road_graph(
        [
            LineString([_pt(i, 0) for i in range(5)]),
            LineString([_pt(0, j) for j in range(3)]),
            LineString([_pt(4, j) for j in range(3)]),
            LineString([_pt(0, 2), _pt(1, 2)]),
            LineString([_pt(3, 2), _pt(4, 2)]),
        ]
    )
    site = _pt(1, 2)
    across_gap, down_left = _pt(3, 2), _pt(0, 0)
    assert _d(*site, *across_gap) < _d(*site, *down_left)
    table = _route(roads, [site], [across_gap, down_left])
    row = table.iloc[0]
    assert row["fibre_node_id"] == "f1"
    expected = _d(*_pt(1, 2), *_pt(0, 2)) + _d(*_pt(0, 2), *_pt(0, 0))
    assert row["route_length_m"] == pytest.approx(expected, rel=1e-9)


def test_geodesic_times_factor_without_roads() -> None:
    sites = [(-70.9, -32.4), (-71.3, -32.9)]
    nodes = [(-70.95, -32.45), (-71.2, -32.8)]
    table = _route(None, sites, nodes, fibre_routing_factor=1.4)
    assert list(table["fibre_node_id"]) == ["f0", "f1"]
    for k in range(2):
        d = _d(*sites[k], *nodes[k])
        assert table["straight_line_m"].iloc[k] == pytest.approx(d, rel=1e-12)
        assert table["route_length_m"].iloc[k] == pytest.approx(1.4 * d, rel=1e-12)
    assert set(table["method"]) == {METHOD_GEODESIC}
    assert (table["reason"] == "no road network given").all()


def test_site_far_from_roads_falls_back_to_geodesic() -> None:
    roads = road_graph(_grid())
    far = (X0 + 0.1, Y0 + 0.1)  # ~10 km from the grid
    table = _route(roads, [far, _pt(2, 2)], [_pt(0, 0)], road_snap_max_m=500.0)
    assert table["method"].tolist() == [METHOD_GEODESIC, METHOD_ROAD]
    assert "road_snap_max_m" in table["reason"].iloc[0]
    assert table["route_length_m"].iloc[0] == pytest.approx(1.3 * _d(*far, *_pt(0, 0)))
    assert table["reason"].iloc[1] == ""


def test_max_fibre_km_cuts_both_methods() -> None:
    far = (X0 + 0.1, Y0)  # ~9.4 km east
    table = _route(None, [far, _pt(1, 0)], [_pt(0, 0)], max_fibre_km=5.0)
    assert math.isnan(table["route_length_m"].iloc[0])
    assert pd.isna(table["fibre_node_id"].iloc[0])
    assert table["geometry"].iloc[0] is None
    assert "max_fibre_km" in table["reason"].iloc[0]
    assert table["route_length_m"].iloc[1] == pytest.approx(1.3 * _d(*_pt(1, 0), *_pt(0, 0)))

    roads = road_graph(_grid())
    route_m = 3 * _d(*_pt(0, 0), *_pt(1, 0)) + _d(*_pt(0, 0), *_pt(0, 3))
    cut = _route(roads, [_pt(3, 3), _pt(1, 0)], [_pt(0, 0)], max_fibre_km=route_m / 1000 - 0.01)
    assert math.isnan(cut["route_length_m"].iloc[0])
    assert "by road" in cut["reason"].iloc[0]
    assert cut["method"].iloc[1] == METHOD_ROAD


def test_multi_source_matches_brute_force_dijkstra_per_site() -> None:
    rng = np.random.default_rng(7)
    pts = np.column_stack([X0 + rng.uniform(0, 0.3, 120), Y0 + rng.uniform(0, 0.3, 120)])
    lines = []
    for k in range(len(pts)):  # join every point to its 3 nearest
        d2 = ((pts - pts[k]) ** 2).sum(axis=1)
        for m in np.argsort(d2)[1:4]:
            lines.append(LineString([pts[k], pts[m]]))
    roads = road_graph(lines)
    sites = [(float(x), float(y)) for x, y in pts[:25] + rng.normal(0, 0.002, (25, 2))]
    nodes = [(float(x), float(y)) for x, y in pts[-8:] + rng.normal(0, 0.002, (8, 2))]
    table = _route(roads, sites, nodes, road_snap_max_m=50_000.0, max_fibre_km=1000.0)

    vertices = list(roads.nodes)
    vx = np.array([v[0] for v in vertices])
    vy = np.array([v[1] for v in vertices])

    def snap(p: tuple[float, float]) -> tuple[tuple[float, float], float]:
        d = GEOD.inv(np.full(vx.size, p[0]), np.full(vx.size, p[1]), vx, vy)[2]
        k = int(np.argmin(d))
        return vertices[k], float(d[k])

    node_snaps = [snap(p) for p in nodes]
    for i, site in enumerate(sites):
        sv, s_spur = snap(site)
        lengths = nx.single_source_dijkstra_path_length(roads, sv, weight="length_m")
        best = min(
            (lengths[v] + spur + s_spur, k)
            for k, (v, spur) in enumerate(node_snaps)
            if v in lengths
        )
        assert table["route_length_m"].iloc[i] == pytest.approx(best[0], rel=1e-9)
        assert table["fibre_node_id"].iloc[i] == f"f{best[1]}"


def test_bad_inputs_raise_input_error() -> None:
    with pytest.raises(InputError) as info:
        _route(None, [(-71.0, -95.0)], [(-71.0, -32.0)])
    assert info.value.field == "site_lat_deg"
    assert info.value.row == 1
    with pytest.raises(InputError, match="duplicate"):
        fibre_routes(
            site_id=["a"],
            site_lon_deg=[-71.0],
            site_lat_deg=[-32.0],
            node_id=["n", "n"],
            node_lon_deg=[-71.0, -71.1],
            node_lat_deg=[-32.0, -32.1],
        )
    with pytest.raises(InputError, match="length"):
        fibre_routes(
            site_id=["a", "b"],
            site_lon_deg=[-71.0],
            site_lat_deg=[-32.0],
            node_id=["n"],
            node_lon_deg=[-71.0],
            node_lat_deg=[-32.0],
        )


def test_no_fibre_nodes_gives_no_routes() -> None:
    table = _route(None, [_pt(0, 0)], [])
    assert math.isnan(table["route_length_m"].iloc[0])
    assert table["reason"].iloc[0] == "no fibre nodes given"


def test_settings_fields_carry_unit_and_source() -> None:
    schema = BackhaulSettings.model_json_schema()["properties"]
    assert set(schema) >= {
        "fibre_routing_factor",
        "max_hops",
        "routes_per_site",
        "fibre_capacity_mbps",
        "existing_towers_are_pops",
        "max_fibre_km",
        "road_snap_max_m",
    }
    for name, field in schema.items():
        assert field["unit"], name
        assert len(field["source"]) > 10, name
    with pytest.raises(ValueError, match="max_hops"):
        BackhaulSettings(max_hops=0)
    with pytest.raises(ValueError, match="fibre_routing_factor"):
        BackhaulSettings(fibre_routing_factor=0.9)
    with pytest.raises(ValueError, match=r"unknown_key|extra"):
        BackhaulSettings(unknown_key=1)  # type: ignore[call-arg]
