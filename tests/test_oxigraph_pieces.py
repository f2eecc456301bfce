"""Bulk-load pieces as a plain parameter: the importer's ``bulk_piece_bytes`` goes from the
runner to every store write (``piece_bytes``), and on to pyoxigraph's loader, which loads a
sheet in pieces of that size and stores the same quads whatever the size."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from import_helpers import FIXTURES, all_quads
from rdflib import URIRef

from graph.build import build
from graph.sources.runner import graph_name, run_import
from graph.sources.spreadsheet import SpreadsheetImporter
from graph.store import NTriplesWriter, OxigraphStore, RdflibStore, open_store
from graph.store.oxigraph_io import load_graph, load_graphs

SHEET = FIXTURES / "csv" / "hand_coded.csv"
#: A sheet whose graph spans several 4 MB pieces (about 7 MB of N-Triples).
BIG_ROWS = 6_000
BIG_GRAPH = URIRef(graph_name("csv", "big"))
HEADER = "claim_id,actor,relation,target,date,source,evidence,evidence_start,evidence_end,note\n"


class RecordingStore(OxigraphStore):
    """A real pyoxigraph store that notes the piece size each write was asked for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked: list[int | None] = []

    def replace_graphs(self, graphs, *, piece_bytes=None):
        self.asked.append(piece_bytes)
        super().replace_graphs(graphs, piece_bytes=piece_bytes)


class CountingTarget:
    """A real pyoxigraph store counting its ``bulk_load`` calls: one call is one piece."""

    def __init__(self):
        self.store = ox.Store()
        self.calls = 0

    def bulk_load(self, *args, **kwargs):
        self.calls += 1
        return self.store.bulk_load(*args, **kwargs)


def _quads(store: ox.Store) -> set:
    return set(store.quads_for_pattern(None, None, None, None))


@pytest.fixture(scope="module")
def big_sheet(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sheets") / "big.csv"
    path.write_text(HEADER + "".join(
        f"big{i},state:USA,supports,state:KOR,2021-01-{1 + i % 28:02d},source:kim-2021-03-27,"
        ",,,\n" for i in range(BIG_ROWS)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sheet_ntriples(big_sheet, tmp_path_factory) -> Path:
    """The graph an import of the big sheet writes, as an N-Triples file (as the runner spools
    a graph past its bulk threshold)."""
    store = open_store("oxigraph:memory")
    build(store)
    run_import(store, "csv", [big_sheet])
    writer = NTriplesWriter()
    lines = sorted(writer.line((s, p, o)) for s, p, o, g in store.quads() if g == BIG_GRAPH)
    path = tmp_path_factory.mktemp("spooled") / "big.nt"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("bulk_threshold", [None, 0], ids=["one-write", "bulk-path"])
def test_the_runner_hands_the_importers_piece_size_to_its_write(tmp_path, bulk_threshold):
    store = RecordingStore(tmp_path / "store")
    build(store)
    store.asked.clear()
    run_import(store, "csv", [SHEET], bulk_threshold=bulk_threshold)
    assert store.asked == [SpreadsheetImporter.bulk_piece_bytes] == [4 << 20]
    store.close()


def test_an_importer_without_a_piece_size_leaves_the_default(tmp_path):
    store = RecordingStore(tmp_path / "store")
    build(store)
    store.asked.clear()
    run_import(store, "events", [FIXTURES / "events" / "gdelt_mixed_sample.tsv"])
    assert store.asked and set(store.asked) == {None}
    store.close()


def test_a_sheet_loads_in_pieces_of_the_size_asked(sheet_ntriples):
    size = sheet_ntriples.stat().st_size
    asked = SpreadsheetImporter.bulk_piece_bytes
    assert 1.5 * asked < size < 32 << 20  # two 4 MB pieces, one of the default 32 MB
    lines = sheet_ntriples.read_bytes().count(b"\n")
    default, sheet, small = CountingTarget(), CountingTarget(), CountingTarget()
    assert load_graph(default, BIG_GRAPH, sheet_ntriples) == lines
    assert load_graph(sheet, BIG_GRAPH, sheet_ntriples, piece_bytes=asked) == lines
    assert load_graph(small, BIG_GRAPH, sheet_ntriples, piece_bytes=1) == lines
    # A piece ends at the first line end past its size; a file is read by the megabyte.
    assert (default.calls, sheet.calls) == (1, 2)
    assert small.calls == -(-size // (1 << 20))  # one piece per megabyte read
    assert _quads(sheet.store) == _quads(default.store) == _quads(small.store)


def test_a_write_of_several_graphs_loads_in_pieces_of_the_size_asked(sheet_ntriples, tmp_path):
    lines = sheet_ntriples.read_bytes().splitlines(keepends=True)
    graphs = {URIRef(f"{BIG_GRAPH}-whole"): sheet_ntriples,  # past a piece: streamed
              URIRef(f"{BIG_GRAPH}-part"): b"".join(lines[:5_000]),  # under a piece
              URIRef(f"{BIG_GRAPH}-few"): b"".join(lines[:10])}  # small: loaded together
    default, pieces = CountingTarget(), CountingTarget()
    assert load_graphs(default, graphs) \
        == load_graphs(pieces, graphs, piece_bytes=SpreadsheetImporter.bulk_piece_bytes)
    assert default.calls == 1 < pieces.calls
    assert _quads(pieces.store) == _quads(default.store)


@pytest.mark.parametrize("uri_kind", ["disk", "memory"])
@pytest.mark.parametrize("bulk_threshold", [None, 0], ids=["one-write", "bulk-path"])
def test_an_import_in_small_pieces_stores_what_one_in_big_pieces_stores(
        tmp_path, monkeypatch, big_sheet, uri_kind, bulk_threshold):
    def imported(name: str):
        uri = f"oxigraph:{tmp_path / name}" if uri_kind == "disk" else "oxigraph:memory"
        store = open_store(uri)
        build(store)
        run_import(store, "csv", [big_sheet], bulk_threshold=bulk_threshold)
        return store

    in_pieces = imported("pieces")  # the sheet's 4 MB pieces
    monkeypatch.setattr(SpreadsheetImporter, "bulk_piece_bytes", None)  # the default 32 MB
    whole = imported("whole")
    assert all_quads(in_pieces) == all_quads(whole)
    assert sum(1 for *_, g in all_quads(in_pieces) if g == str(BIG_GRAPH)) > 10 * BIG_ROWS
    in_pieces.close()
    whole.close()


def test_every_backend_takes_a_piece_size():
    """``piece_bytes`` is part of the Store interface: backends that do not load in pieces
    accept and ignore it (the SPARQL server backend too: tests/test_stores.py)."""
    store = RdflibStore("memory:")
    triple = (URIRef("https://example.org/a"), URIRef("https://example.org/b"),
              URIRef("https://example.org/c"))
    store.replace_graphs({URIRef("https://example.org/g"): [triple]}, piece_bytes=10)
    store.replace_graph_bulk(URIRef("https://example.org/h"),
                             [NTriplesWriter().line(triple)], piece_bytes=10)
    assert store.count_triples() == 2
