"""``import csv`` at scale (issue 15): rows in chunks, names resolved once, roll-ups only where due.

The importer derives only the roll-ups of claims whose actor or target speaks for a state, chunk
by chunk. These tests check that this gives exactly what deriving every claim of the sheet at
once gives (``graph.claims.derived_triples``, the build's derivation), however the rows are
chunked, and that a long sheet does not keep its rows (no timed assertions).
"""

from __future__ import annotations

import csv
import tracemalloc

import pytest
from import_helpers import _text, seeded
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from graph.claims import derived_triples
from graph.sources import spreadsheet
from graph.sources.runner import run_import
from graph.vocab import SG

COLUMNS = ["claim_id", "actor", "relation", "target", "issue", "date", "valid_from", "source"]
# Representatives (roll-ups to USA, KOR, PRK, within and outside their office terms), states,
# a state only named (declared by the import), the same roll-up edge from several claims and
# from a stated claim, issues by label, and web sources repeated across rows.
ROWS = [
    ["r1", "blinken", "criticizes", "kim-jong-un", "", "2021-03-18", "", "source:kim-2021-03-27"],
    ["r2", "USA", "criticizes", "PRK", "", "2021-03-19", "", "https://example.org/a"],
    ["r3", "biden", "criticizes", "PRK", "human rights", "2021-04-01", "", "https://example.org/a"],
    ["r4", "trump", "supports", "moon", "", "2019-06-30", "", "https://example.org/b"],
    ["r5", "trump", "supports", "moon", "", "2022-06-30", "", "https://example.org/b"],
    ["r6", "Brazil", "supports", "issue:human-rights", "", "2020-01-01", "", "https://example.org/c"],
    ["r7", "moon", "alignedWith", "USA", "", "", "2018-01-01", "https://example.org/c"],
    ["r8", "KOR", "alignedWith", "USA", "", "", "2018-01-01", "https://example.org/c"],
    ["r9", "austin", "criticizes", "PRK", "", "2021-05-01", "", "https://example.org/a"],
    ["r10", "lavrov", "supports", "res:unhrc-dprk-2021", "", "2021-03-23", "",
     "https://example.org/d"],
    ["r11", "Brazil", "opposes", "res:unhrc-dprk-2021", "", "2021-03-23", "",
     "https://example.org/d"],
]


def _sheet(folder, rows):
    path = folder / "sheet.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def _import(path, chunk, monkeypatch):
    monkeypatch.setattr(spreadsheet, "CHUNK_ROWS", chunk)
    store = seeded()
    (report,) = run_import(store, "csv", [path])
    assert report.problem_count == 0, report.problems
    name = URIRef(report.graph)
    return store, report, {(s, p, o) for s, p, o, g in store.quads() if g == name}


def _derived_all_at_once(store, written) -> set:
    """What the build's derivation gives for the sheet's stated claims, all derived together,
    with what the store knows about their actors and targets (offices, types, sg:about)."""
    stated = {s for s, p, o in written if p == SG.mode and o == SG.Stated}
    own = {(s, p, o) for s, p, o in written
           if s in stated and p not in (SG.onIssue, SG.position)}
    graph = Graph()
    for triple in own:
        graph.add(triple)
    nodes = {o for s, p, o in own if p in (SG.actor, SG.target)}
    for s, p, o, _ in store.quads():
        if s in nodes and p in (SG.holdsOffice, SG.represents, SG.about) or \
                s in nodes and p in (SG.validFrom, SG.validUntil) or \
                p in (SG.ofState,) or \
                (s in nodes and p == RDF.type and o in (SG.Issue, SKOS.Concept)):
            graph.add((s, p, o))
    for s, p, o, _ in store.quads():  # the office terms' own dates
        if p in (SG.validFrom, SG.validUntil) and (None, SG.holdsOffice, s) in graph:
            graph.add((s, p, o))
    return own | {triple for _, triple in derived_triples(graph)}


def _texts(triples) -> set:
    # pyoxigraph stores decimals canonically ("-1"), rdflib keeps the lexical form ("-1.0")
    return {(str(s), str(p), _text(o)) for s, p, o in triples}


@pytest.mark.parametrize("chunk", [1, 3, 100_000])
def test_chunked_import_derives_what_deriving_all_at_once_gives(tmp_path, monkeypatch, chunk):
    store, report, written = _import(_sheet(tmp_path, ROWS), chunk, monkeypatch)
    assert report.claims == len(ROWS)
    assert _texts(written) == _texts(_derived_all_at_once(store, written))
    # the roll-ups happened (Blinken, Biden, Austin, Moon in office; Trump only in 2019)
    derived = {s for s, p, o in written if p == SG.derivedFrom}
    assert {str(s).rsplit("/", 1)[-1] for s in derived} == {
        "r1--state", "r3--state", "r4--state", "r7--state", "r9--state", "r10--state"}


def test_the_same_graph_whatever_the_chunks(tmp_path, monkeypatch):
    path = _sheet(tmp_path, ROWS * 1)
    _, one, whole = _import(path, 100_000, monkeypatch)
    _, many, chunked = _import(path, 2, monkeypatch)
    assert whole == chunked
    assert (one.triples, one.claims) == (many.triples, many.claims)


def test_each_distinct_name_and_url_is_resolved_once(tmp_path, monkeypatch):
    rows = [[f"n{i}", ("USA", "United States", "Brazil")[i % 3], "supports",
             "issue:human-rights", "", "2020-01-01", "", f"https://example.org/{i % 4}"]
            for i in range(60)]
    looked_up = []
    reference = spreadsheet._Resolver.reference

    def counting(self, text, role):
        looked_up.append((role, text))
        return reference(self, text, role)

    monkeypatch.setattr(spreadsheet._Resolver, "reference", counting)
    _, report, written = _import(_sheet(tmp_path, rows), 7, monkeypatch)
    assert report.claims == 60
    assert sorted(looked_up) == sorted(set(looked_up))  # no name twice, across the chunks
    sources = {o for s, p, o in written if p == URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")}
    assert len(sources) == 4


def test_a_long_sheet_is_not_held_in_memory(tmp_path, monkeypatch):
    # Python memory traced while importing: ten times the rows must not take anywhere near ten
    # times the memory (rows go through in chunks; only claim ids are kept, for duplicates).
    def peak(rows):
        path = _sheet(tmp_path, [[f"m{i}", ("USA", "KOR", "JPN")[i % 3], "supports",
                                  "issue:human-rights", "", "2020-01-01", "",
                                  f"https://example.org/{i % 50}"] for i in range(rows)])
        monkeypatch.setattr(spreadsheet, "CHUNK_ROWS", 500)
        store = seeded()
        tracemalloc.start()
        try:  # both past the bulk threshold: the triples stream to the store as they come
            (report,) = run_import(store, "csv", [path], bulk_threshold=1_000)
            return tracemalloc.get_traced_memory()[1], report.claims
        finally:
            tracemalloc.stop()

    small, n_small = peak(1_000)
    large, n_large = peak(10_000)
    assert (n_small, n_large) == (1_000, 10_000)
    assert large < 4 * small, (small, large)


def test_claim_ids_across_the_files_of_a_run(tmp_path):
    # The ids a run has read are kept as packed 128-bit keys (spreadsheet._ClaimIds): a repeat
    # in one sheet names its line there, an id another sheet took names that sheet's line,
    # and the same file given twice is two sheets.
    def sheet(name, ids):
        path = tmp_path / name
        rows = [[i, "USA", "supports", "issue:human-rights", "", "2020-01-01", "",
                 "https://example.org/x"] for i in ids]
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
        return path

    first, second = sheet("a.csv", ["x1", "x2"]), sheet("b.csv", ["y1", "x2", "y2", "x2", "y1"])
    reports = run_import(seeded(), "csv", [first, second, first])
    assert [r.claims for r in reports] == [2, 2, 0]
    assert sorted(str(p).removeprefix(f"{second}:") for p in reports[1].problems) == [
        f"3: claim_id: claim:x2 is already a claim in {first}:3; a claim id belongs to one "
        "file or import",
        "5: claim_id: claim:x2 is also on line 3",
        "6: claim_id: claim:y1 is also on line 2"]
    assert sorted(str(p).removeprefix(f"{first}:") for p in reports[2].problems) == [
        f"2: claim_id: claim:x1 is already a claim in {first}:2; a claim id belongs to one "
        "file or import",
        f"3: claim_id: claim:x2 is already a claim in {first}:3; a claim id belongs to one "
        "file or import"]
