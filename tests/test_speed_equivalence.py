"""The fast paths of issue 15 give the same answers as the straightforward ones."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graph.algorithms.swing import membership_strength, weighted_betweenness


# ------------------------------------------------------------------------------ betweenness

def _weighted_graphs():
    rng = np.random.default_rng(7)
    dense = nx.complete_graph(40)
    for u, v in dense.edges:
        dense[u][v]["weight"] = float(rng.uniform(0.05, 1.0))
    sparse = nx.gnp_random_graph(60, 0.08, seed=3)
    for u, v in sparse.edges:
        sparse[u][v]["weight"] = float(rng.choice([0.25, 0.5, 1.0]))  # many equal paths
    grid = nx.convert_node_labels_to_integers(nx.grid_2d_graph(5, 6))  # ties everywhere
    nx.set_edge_attributes(grid, 1.0, "weight")
    parts = nx.disjoint_union(nx.path_graph(5), nx.cycle_graph(6))  # unreachable pairs
    nx.set_edge_attributes(parts, 0.5, "weight")
    parts.add_node(99)  # an isolated node
    star = nx.star_graph(7)
    nx.set_edge_attributes(star, 1.0, "weight")
    return {"dense": dense, "sparse": sparse, "grid": grid, "parts": parts, "star": star,
            "two": nx.path_graph(2), "one": nx.empty_graph(1)}


def _distance(G, nodes):
    w = nx.to_numpy_array(G, nodelist=nodes, weight="weight", nonedge=0.0)
    with np.errstate(divide="ignore"):
        return np.where(w > 0, 1.0 / w, np.inf)


def _distance_graph(G):
    D = nx.Graph()
    D.add_nodes_from(sorted(G.nodes))
    for u, v, d in G.edges(data="weight", default=1.0):
        if d > 0 and u != v:
            D.add_edge(u, v, distance=1.0 / d)
    return D


@pytest.mark.parametrize("name", sorted(_weighted_graphs()))
def test_betweenness_equals_networkx_exact(name):
    G = _weighted_graphs()[name]
    nodes = sorted(G.nodes)
    expected = nx.betweenness_centrality(_distance_graph(G), weight="distance", normalized=True)
    found = weighted_betweenness(_distance(G, nodes), np.arange(len(nodes)))
    assert found.tolist() == pytest.approx([expected[v] for v in nodes], abs=1e-12)


@pytest.mark.parametrize("name", ["dense", "sparse", "grid", "parts"])
@pytest.mark.parametrize("seed", [0, 42])
def test_betweenness_equals_networkx_sampled(name, seed):
    """The seeded-source estimate: the same sources drawn, the same values."""
    G = _weighted_graphs()[name]
    nodes = sorted(G.nodes)
    k = 9
    expected = nx.betweenness_centrality(_distance_graph(G), k=k, seed=seed,
                                         weight="distance", normalized=True)
    chosen = nx.utils.create_py_random_state(seed).sample(nodes, k)
    index = {v: i for i, v in enumerate(nodes)}
    found = weighted_betweenness(_distance(G, nodes), [index[v] for v in chosen], sampled=True)
    assert found.tolist() == pytest.approx([expected[v] for v in nodes], abs=1e-12)


@pytest.mark.parametrize("sources", [None, 12, 200])
def test_membership_strength_betweenness_is_networkx(sources):
    """membership_strength's column is networkx's, estimated or exact, on an agreement-like
    graph with string node names inserted out of order and an edge without a weight."""
    rng = np.random.default_rng(11)
    names = [f"S{i:02d}" for i in rng.permutation(30)]
    G = nx.Graph()
    G.add_nodes_from(names)
    for i, u in enumerate(names):
        for v in names[i + 1:]:
            if rng.random() < 0.6:
                G.add_edge(u, v, weight=float(rng.uniform(0.0, 1.0)))
    G.add_edge(names[0], names[1])  # no weight: counts 1
    half = set(sorted(names)[:15])
    table = membership_strength(G, [half, set(names) - half], sources=sources, seed=5)
    nodes = sorted(G.nodes)
    k = sources if sources is not None and sources < len(nodes) else None
    expected = nx.betweenness_centrality(_distance_graph(G), k=k, seed=5 if k else None,
                                         weight="distance", normalized=True)
    assert table["betweenness"].tolist() == pytest.approx([expected[v] for v in nodes],
                                                          abs=1e-12)
