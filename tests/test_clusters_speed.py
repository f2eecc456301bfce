"""The fast paths of ``clusters`` (issue 15) give the answers of the straightforward ones.

- ``position_codes`` (votes weighed as integer codes, one pass) against
  ``items_reference.position_items_per_vote`` (every vote exploded into a row of strings and
  weighed by ``claim_weights``), and the matrix pivoted from codes against ``position_matrix``;
- ``claim_weights`` (dates parsed once per distinct value, integer groups) against a
  claim-by-claim reading of docs/TIME.md written out below;
- ``louvain_clusters`` on a graph already in sorted order (no copy) against networkx on the
  sorted copy, and ``agreement_graph`` against an edge-by-edge construction.

Stores hold the seed and real UN votes: the sample under tests/data (always) and a 1% slice
of the whole record from ../shared (skipped when it is absent). No test measures time.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from graph.algorithms.decay import Clock, claim_weights

DATA = Path(__file__).parent / "data"
UNVOTES = Path(__file__).resolve().parents[2] / "shared" / "data" / "unvotes"

#: Clocks that exercise decay, the horizon, supersession within a series and the future.
CLOCKS = [
    {},
    {"as_of": "2000-06-01", "horizon": "200y"},
    {"as_of": "1990-01-01", "half_life": "1y", "horizon": "3y"},
    {"as_of": "2019-12-31", "half_life": "18m"},
]


# ------------------------------------------------------------------------------ stores

def _seeded(uri: str):
    from conftest import seed_texts

    from graph.build import build
    from graph.store import open_store

    store = open_store(uri)
    build(store, [DATA / "kor_cosponsors_2023.ttl"], texts=seed_texts())
    return store


@pytest.fixture(scope="module")
def sample_stores():
    """The seed and the UN sample of tests/data, in rdflib (rows) and pyoxigraph (CSV)."""
    from graph.sources.runner import run_import

    stores = {}
    for uri in ("memory:", "oxigraph:memory"):
        store = _seeded(uri)
        run_import(store, "unvotes", [DATA / "import" / "unvotes"])
        stores[uri] = store
    return stores


@pytest.fixture(scope="module")
def slice_store(tmp_path_factory):
    """The seed and every 100th roll call of the whole UN record, plus every roll call of
    sessions 72 and 73 (2017-2019), whose yearly resolutions of one series supersede each
    other: about 50,000 votes."""
    if not (UNVOTES / "un_votes.csv").is_file():
        pytest.skip(f"the shared datasets are absent ({UNVOTES} not found)")
    from graph.sources.runner import run_import

    folder = tmp_path_factory.mktemp("unvotes-1pct")
    calls = pd.read_csv(UNVOTES / "un_roll_calls.csv", keep_default_na=False, dtype=str)
    keep = set(sorted(calls["rcid"].astype(int))[::100]) | set(
        calls.loc[calls["session"].isin(["72", "73"]), "rcid"].astype(int))
    for name in ("un_roll_calls.csv", "un_votes.csv", "un_roll_call_issues.csv"):
        table = pd.read_csv(UNVOTES / name, keep_default_na=False, dtype=str)
        table[table["rcid"].astype(int).isin(keep)].to_csv(folder / name, index=False)
    store = _seeded("oxigraph:memory")
    run_import(store, "unvotes", [folder])
    return store


def _stores(sample_stores, slice_store=None):
    found = dict(sample_stores)
    if slice_store is not None:
        found["slice"] = slice_store
    return found


# ------------------------------------------------------------------------------ positions

def _same_items(fast, slow):
    assert list(fast.columns) == list(slow.columns) == ["actor", "item", "position", "weight"]
    assert fast["actor"].tolist() == slow["actor"].tolist()
    assert fast["item"].tolist() == slow["item"].tolist()
    assert fast["position"].tolist() == pytest.approx(slow["position"].tolist())
    assert fast["weight"].tolist() == pytest.approx(slow["weight"].tolist())


def _check_positions(store, issue, clock):
    from graph.algorithms.similarity import position_matrix
    from graph.analysis.items import position_codes, position_items
    from graph.analysis.items_reference import position_items_per_vote
    from graph.analysis.project import time_context

    context = time_context(store, **clock)
    slow = position_items_per_vote(store, issue=issue, context=context)
    coded = position_codes(store, issue=issue, context=context)
    _same_items(coded.frame(), slow)
    _same_items(position_items(store, issue=issue, context=context), slow)
    if len(slow):
        fast, expected = coded.matrix(), position_matrix(slow, item="item")
        assert list(fast.index) == list(expected.index)
        assert list(fast.columns) == list(expected.columns)
        assert (fast.isna().to_numpy() == expected.isna().to_numpy()).all()
        assert fast.fillna(9.0).to_numpy().ravel().tolist() == pytest.approx(
            expected.fillna(9.0).to_numpy().ravel().tolist())
    return slow


@pytest.mark.parametrize("uri", ["memory:", "oxigraph:memory"])
@pytest.mark.parametrize("issue", [None, "human rights"])
@pytest.mark.parametrize("clock", CLOCKS)
def test_position_codes_equal_the_exploded_votes_on_the_sample(sample_stores, uri, issue,
                                                                clock):
    _check_positions(sample_stores[uri], issue, clock)


@pytest.mark.parametrize("issue", [None, "human rights"])
@pytest.mark.parametrize("clock", CLOCKS)
def test_position_codes_equal_the_exploded_votes_on_a_slice(slice_store, issue, clock):
    slow = _check_positions(slice_store, issue, clock)
    # Real votes counted, not only the seed's claims (at "now" few of the 1% fall within
    # the horizon; with a horizon of 200 years every vote before D does).
    assert len(slow) > (100 if clock.get("horizon") == "200y" else 0)


def test_the_slice_exercises_supersession_in_series(slice_store):
    """On the slice, some votes before D are superseded within their series (else the
    comparisons above would not test that rule)."""
    from graph.analysis.items import grouped_resolutions
    from graph.analysis.items_reference import resolution_positions_per_vote
    from graph.analysis.project import time_context

    context = time_context(slice_store, horizon="200y")
    grouped = grouped_resolutions(slice_store, None)
    before = grouped["adopted"].str.slice(0, 10) <= context.clock.as_of
    cast = int(grouped.loc[before, "codes"].str.split().str.len().sum())
    counted = len(resolution_positions_per_vote(slice_store, None, context))
    assert 0 < counted < cast


@pytest.mark.parametrize("issue", [None, "human rights"])
def test_clusters_cluster_the_reference_matrix(slice_store, issue):
    """run_clusters's matrix is position_matrix of the straightforward positions."""
    from graph.algorithms.similarity import position_matrix
    from graph.analysis import run_clusters
    from graph.analysis.items_reference import position_items_per_vote
    from graph.analysis.project import time_context

    result = run_clusters(slice_store, issue=issue)
    slow = position_matrix(position_items_per_vote(
        slice_store, issue=issue, context=time_context(slice_store)), item="item")
    found = result.items.loc[slow.index, slow.columns]
    assert list(result.items.columns) == list(slow.columns)
    assert found.fillna(9.0).to_numpy().ravel().tolist() == pytest.approx(
        slow.fillna(9.0).to_numpy().ravel().tolist())


# ------------------------------------------------------------------------------ claim weights

def _day(text):
    if text is None or (isinstance(text, float) and math.isnan(text)) or str(text) == "":
        return None
    try:
        return date.fromisoformat(str(text)[:10]).toordinal() - date(1970, 1, 1).toordinal()
    except ValueError:
        return None


def _reference_weights(frame, clock, terms=None):
    """docs/TIME.md read claim by claim: weight, status and superseded_by of each row."""
    D = _day(clock.as_of)
    covered = {}
    if terms is not None:
        for term in terms.itertuples():
            start, end = _day(term.start), _day(term.end)
            ok = (start is None or start <= D) and (end is None or D <= end or term.open_ended)
            sides = covered.setdefault(term.claim, {})
            sides[term.side] = sides.get(term.side, False) or ok
    rows = []
    for row in frame.itertuples():
        when, start, until = _day(row.date), _day(row.valid_from), _day(row.valid_until)
        standing = row.kind == "Standing"
        in_office = all(covered.get(row.claim, {"actor": True}).values())
        begin = start if start is not None else when
        end = None if row.open_ended else until
        started = begin is None or begin <= D
        not_ended = end is None or D <= end
        if when is not None:
            t, act_started = when, when <= D
        else:
            t = None if begin is None else (D if end is None else min(end, D))
            act_started = started
        rows.append({"standing": standing, "in_office": in_office, "started": started,
                     "not_ended": not_ended, "t": t, "act_started": act_started,
                     "live": not standing and act_started and in_office})
    newest = {}
    for row, r in zip(frame.itertuples(), rows, strict=True):
        if r["live"]:
            t = -math.inf if r["t"] is None else r["t"]
            newest[(row.actor, row.key)] = max(newest.get((row.actor, row.key), -math.inf), t)
    winners = {}
    for row, r in zip(frame.itertuples(), rows, strict=True):
        t = -math.inf if r["t"] is None else r["t"]
        if r["live"] and t == newest[(row.actor, row.key)]:
            group = (row.actor, row.key)
            winners[group] = min(winners.get(group, row.claim), row.claim)
    out = []
    for row, r in zip(frame.itertuples(), rows, strict=True):
        t = -math.inf if r["t"] is None else r["t"]
        superseded = r["live"] and t < newest[(row.actor, row.key)]
        age = None if r["t"] is None else D - r["t"]
        in_horizon = age is None or age <= clock.horizon
        if r["standing"]:
            weight = float(r["started"] and r["not_ended"] and r["in_office"])
        elif r["live"] and not superseded and in_horizon:
            weight = 1.0 if age is None else 0.5 ** (max(age, 0) / clock.half_life)
        else:
            weight = 0.0
        if not r["in_office"]:
            status = "out of office"
        elif not (r["started"] if r["standing"] else r["act_started"]):
            status = "future"
        elif r["standing"] and not r["not_ended"]:
            status = "ended"
        elif superseded:
            status = "superseded"
        elif not r["standing"] and not in_horizon:
            status = "beyond horizon"
        else:
            status = "counts"
        out.append((weight, status, winners[(row.actor, row.key)] if superseded else ""))
    return out


def _random_claims(seed, n=400):
    rng = np.random.default_rng(seed)
    days = pd.date_range("1995-01-01", "2021-12-31", freq="91D").strftime("%Y-%m-%d").tolist()
    dates = days + ["", None, "2021-03-27T00:00:00"]

    def pick(values, size=n):
        return [values[i] for i in rng.integers(0, len(values), size)]

    frame = pd.DataFrame({
        "claim": [f"c{i}" for i in rng.integers(0, n // 2, n)],
        "actor": pick(["KOR", "USA", "JPN", "PRK"]),
        "key": pick(["series:dprk", "res:a", "res:b", "issue:hr", "CHN"]),
        "kind": pick(["Act", "Act", "Act", "Standing"]),
        "date": pick(dates + days),
        "valid_from": pick(dates + [""] * 40),
        "valid_until": pick(dates + [""] * 40),
        "open_ended": pick([True, False, False, False]),
    })
    terms = pd.DataFrame({"claim": pick(frame["claim"].tolist(), 40),
                          "start": pick(days, 40), "end": pick(days + [""], 40),
                          "open_ended": pick([True, False, False], 40),
                          "side": pick(["actor", "target"], 40)})
    return frame, terms


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("as_of", ["1994-01-01", "2003-07-01", "2021-03-27", "2030-01-01"])
def test_claim_weights_equal_the_rules_read_claim_by_claim(seed, as_of):
    frame, terms = _random_claims(seed)
    clock = Clock(as_of, half_life=500, horizon=2000)
    found = claim_weights(frame, clock, terms)
    expected = _reference_weights(frame, clock, terms)
    assert found["weight"].tolist() == pytest.approx([w for w, _, _ in expected])
    assert found["status"].tolist() == [s for _, s, _ in expected]
    assert found["superseded_by"].tolist() == [b for _, _, b in expected]


def test_claim_weights_with_precomputed_days_and_groups_are_the_same():
    """The timeline's entry (day numbers and groups computed once) gives the same rows."""
    from graph.algorithms.decay import day_numbers

    frame, terms = _random_claims(5)
    clock = Clock("2010-01-01")
    group = pd.MultiIndex.from_arrays([frame["actor"], frame["key"]]).factorize()[0]
    plain = claim_weights(frame, clock, terms)
    prepared = claim_weights(frame.assign(**day_numbers(frame), _group=group), clock, terms)
    pd.testing.assert_frame_equal(plain, prepared)


# ------------------------------------------------------------------------------ graph

def _agreement(seed, n=40):
    rng = np.random.default_rng(seed)
    names = [f"S{i:02d}" for i in range(n)]
    values = rng.uniform(-1, 1, (n, n))
    values = (values + values.T) / 2
    values[rng.random((n, n)) < 0.1] = np.nan
    values = np.triu(values, 1) + np.triu(values, 1).T
    np.fill_diagonal(values, 1.0)
    order = rng.permutation(n)
    return pd.DataFrame(values, index=names, columns=names).iloc[order, order]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_agreement_graph_equals_edge_by_edge(seed):
    from graph.algorithms.similarity import agreement_graph

    agreement = _agreement(seed)
    G = agreement_graph(agreement)
    expected = nx.Graph()
    actors = sorted(agreement.index)
    expected.add_nodes_from(actors)
    for i, a in enumerate(actors):
        for b in actors[i + 1:]:
            value = agreement.loc[a, b]
            if not np.isnan(value) and value > 0:
                expected.add_edge(a, b, weight=float(value), agreement=float(value))
    assert list(G.nodes) == list(expected.nodes)
    assert list(G.edges(data=True)) == list(expected.edges(data=True))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("resolution", [0.5, 1.0, 1.5])
def test_louvain_without_the_copy_equals_networkx_on_the_sorted_copy(seed, resolution):
    from graph.algorithms.communities import _sorted_copy, louvain_clusters
    from graph.algorithms.similarity import agreement_graph

    G = agreement_graph(_agreement(seed))
    expected = nx.community.louvain_communities(_sorted_copy(G, "weight"), weight="weight",
                                                resolution=resolution, seed=seed)
    found = louvain_clusters(G, resolution=resolution, seed=seed)
    assert sorted(map(sorted, found)) == sorted(map(sorted, expected))


def test_louvain_on_the_slice_equals_networkx_on_the_sorted_copy(slice_store):
    from graph.algorithms.communities import _sorted_copy
    from graph.analysis import run_clusters

    result = run_clusters(slice_store)
    G = result.report.graph
    expected = nx.community.louvain_communities(_sorted_copy(G, "weight"), weight="weight",
                                                seed=0)
    assert sorted(map(sorted, result.communities)) == sorted(map(sorted, expected))


def test_the_dendrogram_is_that_of_the_agreement(sample_stores):
    from graph.algorithms.communities import hierarchical_clusters
    from graph.analysis import run_clusters

    result = run_clusters(sample_stores["oxigraph:memory"])
    expected = hierarchical_clusters(result.report.agreement)
    found = result.report.hierarchy
    assert found.labels == expected.labels
    assert found.linkage.ravel().tolist() == pytest.approx(expected.linkage.ravel().tolist())
    assert run_clusters(sample_stores["oxigraph:memory"], dendrogram=False).report.hierarchy \
        is None
