"""The fast paths of issue 15 give the same answers as the straightforward ones."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
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


# ------------------------------------------------------------------------------ positions

DATA = Path(__file__).parent / "data"


def _stores():
    """The seed plus the test data in rdflib's store (positions row by row) and in pyoxigraph
    (positions column by column from the store's CSV)."""
    from conftest import seed_texts

    from graph.build import build
    from graph.sources.runner import run_import
    from graph.store import open_store

    built = {}
    for uri in ("memory:", "oxigraph:memory"):
        store = open_store(uri)
        build(store, [DATA / "kor_cosponsors_2023.ttl"], texts=seed_texts())
        run_import(store, "unvotes", [DATA / "import" / "unvotes"])
        run_import(store, "csv", [DATA / "import" / "csv" / "hand_coded.csv"])
        built[uri] = store
    return built


@pytest.fixture(scope="module")
def both_stores():
    return _stores()


def _normal(frame):
    frame = frame.astype({c: str for c in frame.columns if c not in ("position", "weight")})
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


def _same_frames(fast, slow):
    assert list(fast.columns) == list(slow.columns)
    assert len(fast) == len(slow) > 0
    fast, slow = _normal(fast), _normal(slow)
    for column in fast.columns:
        if column in ("position", "weight"):
            assert fast[column].tolist() == pytest.approx(slow[column].tolist())
        else:
            assert fast[column].tolist() == slow[column].tolist(), column


@pytest.mark.parametrize("options", [
    {},
    {"keep_inactive": True},
    {"propagate": False, "keep_inactive": True},
    {"as_of": "2015-01-01", "keep_inactive": True},
    {"level": "all"},
    {"issue": "human rights"},
])
def test_positions_fast_path_equals_row_by_row(both_stores, options):
    from graph.analysis.project import positions

    fast_store, slow_store = both_stores["oxigraph:memory"], both_stores["memory:"]
    assert hasattr(fast_store, "select_csv") and not hasattr(slow_store, "select_csv")
    _same_frames(positions(fast_store, **options), positions(slow_store, **options))


@pytest.mark.parametrize("code", ["KOR", "USA"])
def test_positions_of_some_actors_fast_path_equals_row_by_row(both_stores, code):
    from graph.analysis.project import positions, state_iris

    found = {}
    for uri, store in both_stores.items():
        iris = state_iris(store)
        found[uri] = positions(store, actors=[iris[code], iris["JPN"]], propagate=False,
                               as_of="2015-01-01", keep_inactive=True)
    _same_frames(found["oxigraph:memory"], found["memory:"])


@pytest.mark.parametrize("options", [{}, {"actor": "KOR", "as_of": "2015-01-01"}])
def test_gaps_fast_path_equals_row_by_row(both_stores, options):
    from graph.analysis import run_gaps
    from graph.analysis.run import gap_rows

    fast = gap_rows(run_gaps(both_stores["oxigraph:memory"], **options))
    slow = gap_rows(run_gaps(both_stores["memory:"], **options))
    assert len(fast) == len(slow)
    key = lambda row: (row["pair"], row["issue"])  # noqa: E731
    for a, b in zip(sorted(fast, key=key), sorted(slow, key=key), strict=True):
        assert a.keys() == b.keys()
        for k in a:
            if isinstance(a[k], float):
                assert a[k] == pytest.approx(b[k])
            else:
                assert a[k] == b[k], k


def test_first_labels_equals_the_loop():
    import pandas as pd

    from graph.algorithms.gaps import _first_labels

    frame = pd.DataFrame({"k": ["a", "b", "a", "c", "b", "d", "c"],
                          "label": ["", "B1", "A1", "", "B2", "", "C1"]})
    expected = {}
    for k, text in zip(frame["k"], frame["label"], strict=True):
        if text and k not in expected:
            expected[k] = text
    found = _first_labels(frame, "k", "label")
    assert found == expected and list(found) == list(expected)


# ------------------------------------------------------------------------------ gaps, coverage

@pytest.mark.parametrize("options", [{}, {"as_of": "2021-06-01"}, {"actor": "KOR"},
                                     {"actor": "USA", "as_of": "2021-06-01"},
                                     {"min_score": 0.05}])
def test_gaps_of_allies_equal_gaps_from_all_positions(both_stores, options):
    """run_gaps reads the allies' claims only, with salience counted in the store; the
    straightforward reading takes every position of every state."""
    from graph.analysis import run_gaps
    from graph.analysis.project import allied_pairs, time_context
    from graph.analysis.run import gap_rows, gaps_from_all_positions

    for store in both_stores.values():
        context = time_context(store, as_of=options.get("as_of"))
        fast = run_gaps(store, **options)
        slow = gaps_from_all_positions(store, allied_pairs(store, context=context), context,
                                       actor=options.get("actor"),
                                       min_score=options.get("min_score", 0.0))
        assert len(fast) == len(slow) > 0
        for a, b in zip(gap_rows(fast), gap_rows(slow), strict=True):
            assert a.keys() == b.keys()
            for k in a:
                if isinstance(a[k], float):
                    assert a[k] == pytest.approx(b[k]), k
                else:
                    assert a[k] == b[k], k
        for a, b in zip(fast, slow, strict=True):
            assert a.evidence_a == b.evidence_a and a.evidence_b == b.evidence_b


def test_issue_coverage_equals_counts_of_all_positions(both_stores):
    from graph.algorithms.gaps import issue_salience
    from graph.analysis.project import issue_coverage, positions

    for store in both_stores.values():
        table = positions(store, propagate=False, keep_inactive=True)
        expected = issue_salience(table)[["n_claims", "n_sources"]].astype(int)
        found = issue_coverage(store)
        assert found.index.tolist() == expected.index.tolist()
        assert found["n_claims"].tolist() == expected["n_claims"].tolist()
        assert found["n_sources"].tolist() == expected["n_sources"].tolist()


def test_actor_profile_gaps_equal_gaps_of_the_actor(both_stores):
    """The profile reads the actor's and its allies' claims once and hands them to run_gaps."""
    from graph.analysis import actor_profile, run_gaps
    from graph.analysis.run import gap_rows

    for store in both_stores.values():
        for code in ("KOR", "USA"):
            profile = actor_profile(store, code)
            assert profile.gaps == gap_rows(run_gaps(store, actor=code))
            assert profile.positions and all(p["weight"] > 0 for p in profile.positions)


def test_kept_answers_follow_the_generation(tmp_path):
    """Whole-store counts are kept with a generation on disk and recounted after a write."""
    from conftest import seed_texts

    from graph.analysis.project import issue_coverage
    from graph.analysis.temporal import newest_date
    from graph.build import build
    from graph.sources.runner import run_import
    from graph.store import open_store

    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    build(store, texts=seed_texts())
    first, newest = issue_coverage(store), newest_date(store)
    assert list((tmp_path / "store").glob("gen-*.cache/*.csv"))  # kept with the generation
    assert issue_coverage(store).equals(first) and newest_date(store) == newest
    run_import(store, "unvotes", [DATA / "import" / "unvotes"])
    after = issue_coverage(store)
    assert not after.equals(first)
    assert after["n_claims"].sum() > first["n_claims"].sum()
    fresh = open_store("memory:")
    build(fresh, texts=seed_texts())
    run_import(fresh, "unvotes", [DATA / "import" / "unvotes"])
    assert after.equals(issue_coverage(fresh)) and newest_date(store) == newest_date(fresh)


def test_kept_claims_equal_the_claims_asked_for_and_follow_the_generation(tmp_path):
    """claims_then(keep=True), which clustering reads through, gives the rows asking the
    store gives (as text), and after a write the rows of the new contents."""
    from conftest import seed_texts

    from graph.analysis.items import position_codes
    from graph.analysis.project import claims_then
    from graph.analysis.run import run_clusters
    from graph.build import build
    from graph.sources.runner import run_import
    from graph.store import open_store

    finder = "SELECT DISTINCT ?claim WHERE { ?y sg:isoCode ?b . ?claim sg:target ?y }"
    detail = """SELECT ?claim ?relation ?date WHERE { VALUES ?claim { CLAIMS }
        ?claim sg:relation ?relation OPTIONAL { ?claim sg:date ?date } }"""

    def as_text(rows):
        return sorted(tuple(sorted((k, "" if v is None else str(v)) for k, v in row.items()))
                      for row in rows)

    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    build(store, texts=seed_texts())
    asked = claims_then(store, finder, detail)
    assert asked and as_text(claims_then(store, finder, detail, keep=True)) == as_text(asked)
    assert list((tmp_path / "store").glob("gen-*.cache/*.csv"))  # kept with the generation
    before = run_clusters(store, dendrogram=False)
    run_import(store, "unvotes", [DATA / "import" / "unvotes"])
    again = claims_then(store, finder, detail, keep=True)
    assert as_text(again) == as_text(claims_then(store, finder, detail))
    fresh = open_store("memory:")
    build(fresh, texts=seed_texts())
    run_import(fresh, "unvotes", [DATA / "import" / "unvotes"])
    after = run_clusters(store, dendrogram=False)
    assert len(after.actors) > len(before.actors)  # the votes' states: the kept rows moved on
    pd.testing.assert_frame_equal(after.actors, run_clusters(fresh, dendrogram=False).actors)
    assert position_codes(store).matrix().equals(position_codes(fresh).matrix())


def test_import_command_keeps_the_counts_for_the_analyses(tmp_path):
    """`stancegraph import` leaves the whole-store counts made, on the new generation."""
    from click.testing import CliRunner

    from graph.analysis.project import issue_coverage
    from graph.cli import cli
    from graph.store import open_store

    uri = f"oxigraph:{tmp_path / 'store'}"
    runner = CliRunner()
    votes = str(DATA / "import" / "unvotes")
    for args in (["build", "--store", uri],
                 ["import", "--quiet", "--store", uri, "unvotes", votes]):
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    generation = (tmp_path / "store" / "generation").read_text().strip()
    kept = list((tmp_path / "store" / f"{generation}.cache").glob("*.csv"))
    assert len(kept) >= 4  # three counts behind salience, the newest dates
    store = open_store(uri, read_only=True)
    assert len(list((tmp_path / "store" / f"{generation}.cache").glob("*.csv"))) == len(kept)
    assert issue_coverage(store)["n_claims"].sum() > 0
    assert len(list((tmp_path / "store" / f"{generation}.cache").glob("*.csv"))) == len(kept)


@pytest.mark.parametrize("issue", ["human rights", "dprk-human-rights"])
def test_votes_on_an_issue_picked_from_the_kept_table_equal_the_issue_query(tmp_path, issue):
    """On disk, the votes grouped by resolution are kept once for every resolution and an
    issue picks its resolutions from them; in memory the issue is asked of the store."""
    from conftest import seed_texts

    from graph.analysis.items import _resolve_issue_iri, grouped_resolutions, position_items
    from graph.analysis.prepare import prepare
    from graph.build import build
    from graph.sources.runner import run_import
    from graph.store import open_store

    disk, memory = open_store(f"oxigraph:{tmp_path / 'store'}"), open_store("oxigraph:memory")
    for store in (disk, memory):
        build(store, [DATA / "kor_cosponsors_2023.ttl"], texts=seed_texts())
        run_import(store, "unvotes", [DATA / "import" / "unvotes"])
    prepare(disk)
    assert disk.keeps_answers and not memory.keeps_answers
    wanted = _resolve_issue_iri(disk, issue)
    picked, asked = (grouped_resolutions(s, wanted) for s in (disk, memory))
    key = ["res", "relation"]
    picked, asked = (f.assign(codes=f["codes"].str.split().map(sorted))  # GROUP_CONCAT order
                     .sort_values(key).reset_index(drop=True) for f in (picked, asked))
    assert len(picked) > 0
    assert picked.to_dict("records") == asked.to_dict("records")
    _same_frames(position_items(disk, issue=issue), position_items(memory, issue=issue))
