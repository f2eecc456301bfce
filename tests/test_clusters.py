"""Tests for graph.algorithms.clusters: agreement measures, agreement graph and blocs."""

import doctest

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import dendrogram

from graph.algorithms import clusters
from graph.algorithms.clusters import (
    ClusterReport,
    HierarchicalResult,
    agreement_graph,
    agreement_matrix,
    cluster_report,
    common_counts,
    hierarchical_clusters,
    louvain_clusters,
    membership_strength,
    position_matrix,
)

NAN = np.nan

# A = (1, 1, -1, 0), B = (1, -1, -1, -), C = (-, 1, 1, 0).
HAND = pd.DataFrame(
    {"i1": [1, 1, NAN], "i2": [1, -1, 1], "i3": [-1, -1, 1], "i4": [0, NAN, 0]},
    index=["A", "B", "C"],
)

# Worked by hand on the common items of each pair:
# A-B on i1..i3: (1, 1, -1) vs (1, -1, -1). same 2/3; d = (0 + 2 + 0) / 3 = 2/3, S = 1/3;
#   marginals A yes 2/3 no 1/3, B yes 1/3 no 2/3: p_e = 4/9, kappa = (2/3 - 4/9) / (5/9) = 2/5.
# A-C on i2..i4: (1, -1, 0) vs (1, 1, 0). same 2/3; d = 2/3, S = 1/3;
#   A yes/no/abstain 1/3 each, C yes 2/3 abstain 1/3: p_e = 2/9 + 1/9 = 1/3, kappa = 1/2.
# B-C on i2, i3: (-1, -1) vs (1, 1). same 0; d = 2, S = -1; marginals never meet: p_e = 0,
#   kappa = 0 (kappa cannot go below 0 when each actor sticks to one category).
EXPECTED = {
    "share": {("A", "B"): 2 / 3, ("A", "C"): 2 / 3, ("B", "C"): 0.0},
    "s_score": {("A", "B"): 1 / 3, ("A", "C"): 1 / 3, ("B", "C"): -1.0},
    "kappa": {("A", "B"): 0.4, ("A", "C"): 0.5, ("B", "C"): 0.0},
}

BLOC_A = ["A1", "A2", "A3", "A4"]
BLOC_B = ["B1", "B2", "B3", "B4"]


def blocs():
    """Two blocs that split on 6 items and agree on 10; a little noise inside each bloc."""
    # The shared items mix yes, no and abstain so that kappa is defined within a bloc.
    shared = [1.0] * 5 + [-1.0] * 3 + [0.0] * 2
    rows = {a: [1.0] * 6 + shared for a in BLOC_A}
    rows.update({b: [-1.0] * 6 + shared for b in BLOC_B})
    rows["A2"][0] = 0.0
    rows["B3"][1] = 0.0
    rows["B4"][7] = NAN
    return pd.DataFrame.from_dict(rows, orient="index", columns=[f"r{k}" for k in range(16)])


def swing_matrix():
    """Blocs A and B agree on r1-r4 and split on r5-r8; S votes with both, abstains on the split."""
    rows = {a: [1.0] * 8 for a in ("A1", "A2", "A3")}
    rows.update({b: [1.0] * 4 + [-1.0] * 4 for b in ("B1", "B2", "B3")})
    rows["S"] = [1.0] * 4 + [0.0] * 4
    return pd.DataFrame.from_dict(rows, orient="index", columns=[f"r{k}" for k in range(1, 9)])


def naive_agreement(matrix, method, min_common=1):
    """The definitions, one pair at a time with pandas."""
    out = pd.DataFrame(NAN, index=matrix.index, columns=matrix.index)
    for a in matrix.index:
        for b in matrix.index:
            both = matrix.loc[a].notna() & matrix.loc[b].notna()
            x, y = matrix.loc[a][both], matrix.loc[b][both]
            if len(x) < min_common:
                continue
            if a == b:
                out.loc[a, b] = 1.0
            elif method == "s_score":
                out.loc[a, b] = 1 - 2 * (x - y).abs().mean() / 2
            else:
                cx, cy = x.round(), y.round()
                p_o = (cx == cy).mean()
                p_e = sum((cx == c).mean() * (cy == c).mean() for c in (-1, 0, 1))
                if method == "share":
                    out.loc[a, b] = p_o
                elif p_e < 1:
                    out.loc[a, b] = (p_o - p_e) / (1 - p_e)
    return out


def test_doctests():
    result = doctest.testmod(clusters, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_position_matrix_means_and_sorts():
    long = pd.DataFrame(
        {
            "actor": ["USA", "USA", "KOR", "PRK", "USA"],
            "issue": ["hr", "hr", "hr", "nuclear", "nuclear"],
            "position": [1.0, 0.0, 0.0, -1.0, 1.0],
        }
    )
    matrix = position_matrix(long)
    expected = pd.DataFrame(
        {"hr": [0.0, NAN, 0.5], "nuclear": [NAN, -1.0, 1.0]},
        index=pd.Index(["KOR", "PRK", "USA"], name="actor"),
    )
    expected.columns.name = "issue"
    pd.testing.assert_frame_equal(matrix, expected, check_index_type=False,
                                  check_column_type=False)


def test_position_matrix_other_item_column():
    long = pd.DataFrame({"actor": ["A", "B"], "rcid": ["r2", "r1"], "vote": [1, -1]})
    matrix = position_matrix(long, item="rcid", value="vote")
    assert list(matrix.columns) == ["r1", "r2"]
    assert matrix.loc["B", "r1"] == pytest.approx(-1.0)


def test_position_matrix_errors():
    with pytest.raises(ValueError, match="positions_long is missing columns: position"):
        position_matrix(pd.DataFrame({"actor": ["A"], "issue": ["x"]}))
    long = pd.DataFrame({"actor": ["A", "A"], "issue": ["x", "x"], "position": [1.0, 1.0]})
    with pytest.raises(ValueError, match=r"positions values must be NaN or in \[-1, 1\]"):
        position_matrix(long, agg="sum")


def test_common_counts_hand():
    expected = pd.DataFrame([[4, 3, 3], [3, 3, 2], [3, 2, 3]], index=list("ABC"),
                            columns=list("ABC"))
    pd.testing.assert_frame_equal(common_counts(HAND), expected)


@pytest.mark.parametrize("method", ["share", "s_score", "kappa"])
def test_agreement_hand_values(method):
    agreement = agreement_matrix(HAND, method=method)
    for (a, b), value in EXPECTED[method].items():
        assert agreement.loc[a, b] == pytest.approx(value, abs=1e-15)
        assert agreement.loc[b, a] == agreement.loc[a, b]
    assert list(np.diag(agreement)) == pytest.approx([1.0, 1.0, 1.0])
    assert list(agreement.index) == list(agreement.columns) == ["A", "B", "C"]


@pytest.mark.parametrize("method", ["share", "s_score", "kappa"])
def test_agreement_min_common(method):
    agreement = agreement_matrix(HAND, method=method, min_common=3)
    assert np.isnan(agreement.loc["B", "C"]) and np.isnan(agreement.loc["C", "B"])
    assert agreement.loc["A", "B"] == pytest.approx(EXPECTED[method]["A", "B"])
    only_a = agreement_matrix(HAND, method=method, min_common=4)
    assert only_a.loc["A", "A"] == pytest.approx(1.0)
    assert only_a.drop(index="A").isna().all().all()


def test_agreement_no_common_items_is_nan():
    matrix = pd.DataFrame({"x": [1, NAN], "y": [NAN, 1]}, index=["A", "B"])
    agreement = agreement_matrix(matrix)
    assert np.isnan(agreement.loc["A", "B"])
    assert agreement.loc["A", "A"] == pytest.approx(1.0)


def test_s_score_uses_values_and_share_rounds():
    # 0.5 vs -1: d = 1.5, S = -0.5. Rounded, 0.5 and 0 are both abstentions.
    matrix = pd.DataFrame({"x": [0.5, -1.0, 0.0]}, index=["F", "G", "H"])
    assert agreement_matrix(matrix).loc["F", "G"] == pytest.approx(-0.5)
    assert agreement_matrix(matrix).loc["F", "H"] == pytest.approx(0.5)
    assert agreement_matrix(matrix, method="share").loc["F", "H"] == pytest.approx(1.0)


def test_kappa_undefined_when_both_always_agree_in_one_category():
    matrix = pd.DataFrame({"x": [1, 1], "y": [1, 1]}, index=["D", "E"])
    kappa = agreement_matrix(matrix, method="kappa")
    assert np.isnan(kappa.loc["D", "E"])
    assert kappa.loc["D", "D"] == pytest.approx(1.0)
    assert agreement_matrix(matrix).loc["D", "E"] == pytest.approx(1.0)


@pytest.mark.parametrize("method", ["share", "s_score", "kappa"])
@pytest.mark.parametrize("values", ["votes", "halves", "continuous"])
def test_agreement_equals_naive_loop(method, values):
    rng = np.random.default_rng(7)
    shape = (10, 40)
    if values == "votes":
        data = rng.choice([-1.0, 0.0, 1.0], size=shape)
    elif values == "halves":
        data = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0], size=shape)
    else:  # more distinct values than the matrix-product path takes: the row loop runs
        data = rng.uniform(-1, 1, size=shape)
    data[rng.random(shape) < 0.3] = NAN
    data[3, :35] = NAN  # one actor with few positions
    matrix = pd.DataFrame(data, index=[f"a{k:02d}" for k in range(shape[0])])
    for min_common in (1, 15):
        fast = agreement_matrix(matrix, method=method, min_common=min_common)
        slow = naive_agreement(matrix, method, min_common=min_common)
        np.testing.assert_allclose(fast.to_numpy(), slow.to_numpy(), rtol=1e-12, atol=1e-12)


def test_agreement_errors():
    with pytest.raises(ValueError, match="method must be one of 'share', 'kappa', 's_score', "
                                         "got 'tau_b'"):
        agreement_matrix(HAND, method="tau_b")
    with pytest.raises(ValueError, match="min_common must be a positive integer, got 0"):
        agreement_matrix(HAND, min_common=0)
    with pytest.raises(ValueError, match=r"matrix values must be NaN or in \[-1, 1\]"):
        agreement_matrix(HAND * 2)
    with pytest.raises(ValueError, match="matrix index must be unique"):
        agreement_matrix(HAND.rename(index={"B": "A"}))


def test_agreement_graph_weights_and_order():
    graph = agreement_graph(agreement_matrix(HAND), common=common_counts(HAND))
    assert list(graph.nodes) == ["A", "B", "C"]
    # B-C has S = -1: disagreement is no attraction, so no edge.
    assert list(graph.edges) == [("A", "B"), ("A", "C")]
    assert graph.edges["A", "B"] == pytest.approx(
        {"weight": 1 / 3, "agreement": 1 / 3, "common": 3}
    )


def test_agreement_graph_threshold_and_min_common():
    agreement = agreement_matrix(HAND, method="kappa")
    assert list(agreement_graph(agreement, threshold=0.45).edges) == [("A", "C")]
    share = agreement_matrix(HAND, method="share")
    assert list(agreement_graph(share).edges) == [("A", "B"), ("A", "C")]
    counts = common_counts(HAND).copy()
    counts.loc["A", "C"] = counts.loc["C", "A"] = 2
    assert list(agreement_graph(share, min_common=3, common=counts).edges) == [("A", "B")]


def test_agreement_graph_errors():
    agreement = agreement_matrix(HAND)
    with pytest.raises(ValueError, match=r"threshold must be in \[0, 1\], got 1.5"):
        agreement_graph(agreement, threshold=1.5)
    with pytest.raises(ValueError, match="common is required when min_common > 1"):
        agreement_graph(agreement, min_common=2)
    with pytest.raises(ValueError, match="agreement must be symmetric"):
        lopsided = agreement.copy()
        lopsided.loc["A", "B"] = 0.9
        agreement_graph(lopsided)
    with pytest.raises(ValueError, match="agreement must be square with the same actors"):
        agreement_graph(agreement.drop(columns="C"))
    with pytest.raises(ValueError, match="common must have the same actors as agreement"):
        agreement_graph(agreement, common=common_counts(HAND).drop(index="C", columns="C"))


@pytest.mark.parametrize("method", ["share", "s_score", "kappa"])
def test_louvain_recovers_two_blocs(method):
    graph = agreement_graph(agreement_matrix(blocs(), method=method))
    assert louvain_clusters(graph, seed=42) == [frozenset(BLOC_A), frozenset(BLOC_B)]


@pytest.mark.parametrize("order", ["sorted", "reversed", "shuffled"])
def test_louvain_ignores_insertion_order(order):
    reference = agreement_graph(agreement_matrix(blocs()))
    edges = list(reference.edges(data=True))
    if order == "reversed":
        edges.reverse()
    elif order == "shuffled":
        np.random.default_rng(3).shuffle(edges)
    graph = nx.Graph()
    graph.add_nodes_from(reversed(list(reference.nodes)))
    graph.add_edges_from((v, u, d) for u, v, d in edges)
    for seed in (0, 1, 2):
        assert louvain_clusters(graph, seed=seed) == louvain_clusters(reference, seed=seed)


def test_shuffled_rows_give_same_communities_and_table():
    matrix = blocs()
    rng = np.random.default_rng(11)
    shuffled = matrix.iloc[rng.permutation(len(matrix)), rng.permutation(matrix.shape[1])]
    first, second = cluster_report(matrix, seed=5), cluster_report(shuffled, seed=5)
    assert first.communities == second.communities
    pd.testing.assert_frame_equal(first.membership, second.membership)


def test_louvain_sorts_by_size_then_smallest_member():
    graph = nx.Graph([("z", "y"), ("y", "x"), ("x", "z"), ("b", "a"), ("q", "p"), ("p", "o")])
    graph.add_node("c")
    assert louvain_clusters(graph) == [
        frozenset("oqp"), frozenset("xyz"), frozenset("ab"), frozenset("c"),
    ]
    assert louvain_clusters(nx.Graph()) == []


def test_louvain_errors():
    graph = nx.Graph()
    graph.add_edge("a", "b", weight=-0.5)
    with pytest.raises(ValueError, match="louvain_clusters needs non-negative edge weights"):
        louvain_clusters(graph)
    with pytest.raises(ValueError, match="resolution must be positive, got 0"):
        louvain_clusters(nx.Graph([("a", "b")]), resolution=0)
    with pytest.raises(nx.NetworkXNotImplemented):
        louvain_clusters(nx.DiGraph([("a", "b")]))


@pytest.mark.parametrize("method", ["average", "complete", "single", "weighted"])
def test_hierarchical_splits_two_blocs(method):
    result = hierarchical_clusters(agreement_matrix(blocs()), method=method, n_clusters=2)
    assert isinstance(result, HierarchicalResult)
    assert result.communities == [frozenset(BLOC_A), frozenset(BLOC_B)]
    assert result.labels == tuple(BLOC_A + BLOC_B)
    assert result.clusters.to_dict() == {a: 0 for a in BLOC_A} | {b: 1 for b in BLOC_B}
    assert result.linkage.shape == (7, 4)
    leaves = dendrogram(result.linkage, labels=list(result.labels), no_plot=True)["ivl"]
    assert sorted(leaves) == BLOC_A + BLOC_B


def test_hierarchical_distance_and_threshold():
    agreement = agreement_matrix(HAND)
    result = hierarchical_clusters(agreement)
    assert result.clusters is None and result.communities == []
    # distance = (1 - S) / 2: A-B and A-C 1/3, B-C 1.
    assert result.distance.loc["A", "B"] == pytest.approx(1 / 3)
    assert result.distance.loc["B", "C"] == pytest.approx(1.0)
    cut = hierarchical_clusters(agreement, method="single", threshold=0.5)
    assert cut.communities == [frozenset("ABC")]
    apart = hierarchical_clusters(agreement, method="complete", threshold=0.5)
    assert apart.communities == [frozenset("AB"), frozenset("C")]


def test_hierarchical_missing_agreement_is_farthest():
    matrix = pd.DataFrame({"x": [1, 1, NAN], "y": [NAN, NAN, 1]}, index=["A", "B", "C"])
    result = hierarchical_clusters(agreement_matrix(matrix), n_clusters=2)
    assert result.distance.loc["A", "C"] == pytest.approx(1.0)
    assert result.communities == [frozenset("AB"), frozenset("C")]


def test_hierarchical_errors():
    agreement = agreement_matrix(HAND)
    with pytest.raises(ValueError, match="method must be one of 'single', 'complete', "
                                         "'average', 'weighted', got 'ward'"):
        hierarchical_clusters(agreement, method="ward")
    with pytest.raises(ValueError, match="n_clusters and threshold are mutually exclusive"):
        hierarchical_clusters(agreement, n_clusters=2, threshold=0.5)
    with pytest.raises(ValueError, match=r"n_clusters must be an integer in \[1, 3\], got 4"):
        hierarchical_clusters(agreement, n_clusters=4)
    with pytest.raises(ValueError, match=r"threshold must be in \[0, 1\], got -0.1"):
        hierarchical_clusters(agreement, threshold=-0.1)
    with pytest.raises(ValueError, match="hierarchical clustering needs at least two actors"):
        hierarchical_clusters(agreement.loc[["A"], ["A"]])


def test_swing_actor_between_blocs_is_flagged():
    graph = agreement_graph(agreement_matrix(swing_matrix()))
    # A-B: d = (4 * 0 + 4 * 2) / 8 = 1, S = 0, no edge; S-A and S-B: d = 1/2, S = 1/2.
    assert [e for e in graph.edges if "S" in e] == [(a, "S") for a in ("A1", "A2", "A3")] + [
        (b, "S") for b in ("B1", "B2", "B3")
    ]
    assert not any(u[0] != v[0] for u, v in graph.edges if "S" not in (u, v))
    communities = louvain_clusters(graph, seed=0)
    table = membership_strength(graph, communities)
    assert table.index[table["swing"]].tolist() == ["S"]
    assert table.loc["S", "own"] == pytest.approx(0.5)
    assert table.loc["S", "best_other"] == pytest.approx(0.5)
    assert table.loc["S", "strength"] == pytest.approx(0.0)
    # Every path between the blocs runs through S: 9 of the 15 pairs of other actors.
    assert table.loc["S", "betweenness"] == pytest.approx(9 / 15)
    assert (table.drop(index="S")["betweenness"] == 0).all()
    assert (table.drop(index="S")["strength"] > 0.8).all()


def test_membership_strength_columns_and_singletons():
    graph = nx.Graph()
    graph.add_weighted_edges_from([("a", "b", 0.8), ("b", "c", 0.2)])
    graph.add_node("d")
    table = membership_strength(graph, [{"a", "b"}, {"c"}, {"d"}])
    assert list(table.columns) == ["cluster", "size", "own", "best_other", "other_cluster",
                                   "strength", "betweenness", "swing"]
    assert table.loc["b"].to_dict() == pytest.approx(
        {"cluster": 0, "size": 2, "own": 0.8, "best_other": 0.2, "other_cluster": 1,
         "strength": 0.6, "betweenness": 1 / 3, "swing": True}
    )
    assert np.isnan(table.loc["c", "own"]) and not table.loc["c", "swing"]
    one = membership_strength(graph, [set("abcd")])
    assert one["best_other"].isna().all() and (one["other_cluster"] == -1).all()


def test_membership_strength_errors():
    graph = nx.Graph([("a", "b")])
    with pytest.raises(ValueError, match="communities must be a partition of the nodes"):
        membership_strength(graph, [{"a"}])
    graph.add_edge("a", "b", weight=-1.0)
    with pytest.raises(ValueError, match="membership_strength needs non-negative edge weights"):
        membership_strength(graph, [{"a", "b"}])
    with pytest.raises(nx.NetworkXNotImplemented):
        membership_strength(nx.DiGraph([("a", "b")]), [{"a", "b"}])


def test_cluster_report_bundles_everything():
    report = cluster_report(blocs(), method="kappa", seed=1)
    assert isinstance(report, ClusterReport)
    assert report.method == "kappa"
    assert report.communities == (frozenset(BLOC_A), frozenset(BLOC_B))
    pd.testing.assert_frame_equal(report.agreement, agreement_matrix(blocs(), method="kappa"))
    pd.testing.assert_frame_equal(report.common, common_counts(blocs()))
    assert report.membership["cluster"].to_dict() == {a: 0 for a in BLOC_A} | {
        b: 1 for b in BLOC_B
    }
    assert report.hierarchy.communities == list(report.communities)
    assert set(report.graph.nodes) == set(BLOC_A + BLOC_B)
    with pytest.raises(AttributeError):
        report.method = "share"


def test_sampled_betweenness_is_exact_with_enough_sources_and_seeded_below():
    import networkx as nx

    from graph.algorithms.clusters import membership_strength

    G = nx.connected_watts_strogatz_graph(40, 6, 0.3, seed=1)
    for u, v in G.edges:
        G[u][v]["weight"] = 0.1 + ((u * 7 + v * 13) % 10) / 10
    blocs = [set(range(20)), set(range(20, 40))]
    exact = membership_strength(G, blocs)
    assert membership_strength(G, blocs, sources=40, seed=3).equals(exact)
    sampled = membership_strength(G, blocs, sources=10, seed=3)
    assert sampled.equals(membership_strength(G, blocs, sources=10, seed=3))
    assert not sampled["betweenness"].equals(exact["betweenness"])
    assert sampled.drop(columns=["betweenness", "swing"]).equals(
        exact.drop(columns=["betweenness", "swing"]))
