"""Bulk-load pieces as a plain parameter: the importer's ``bulk_piece_bytes`` goes from the
runner to every store write (``piece_bytes``), and on to pyoxigraph's loader, which loads a
sheet in pieces of that size and stores the same quads whatever the size.

Every pyoxigraph write honours it: a new generation on disk (``Generations.write``) and the
in-memory ``replace_graphs``; the in-memory ``replace_graph_bulk`` (streamed lines, a file)
streams its graph in one load whatever the size (pieces are held in Python while they load,
and in memory they save nothing: tests/test_import_csv_scale.py). The pieces are observed
as pyoxigraph gets them: each ``bulk_load`` call is
logged by graph.store.oxigraph_io (one DEBUG record a call, with ``graph`` and
``piece_bytes``). Backends that do not load in pieces accept and ignore the parameter:
tests/test_stores.py ``test_every_store_takes_a_piece_size_and_stores_the_same`` writes with
it to each kind of store (rdflib, pyoxigraph, and the SPARQL servers when installed).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from import_helpers import FIXTURES, all_quads
from rdflib import URIRef

from graph.build import build
from graph.sources.runner import graph_name, run_import
from graph.sources.spreadsheet import SpreadsheetImporter
from graph.store import NTriplesWriter, OxigraphStore, RdflibStore, open_store
from graph.store.generations import Generations
from graph.store.oxigraph_io import load_graph, load_graphs

#: A sheet whose graph spans several 4 MB pieces (about 7 MB of N-Triples).
BIG_ROWS = 6_000
BIG_GRAPH = URIRef(graph_name("csv", "big"))
HEADER = "claim_id,actor,relation,target,date,source,evidence,evidence_start,evidence_end,note\n"
MB = 1 << 20
#: Lines per chunk when the content is an iterable of str lines (graph.store.ntriples).
LINES_A_CHUNK = 5_000


class Pieces:
    """The ``bulk_load`` calls logged by graph.store.oxigraph_io since the last ``clear``."""

    def __init__(self, caplog):
        self.caplog = caplog

    def clear(self) -> None:
        self.caplog.clear()

    def sizes(self, graph=...) -> list[int]:
        """Bytes loaded by each call: all calls, or those of ``graph`` (None: small graphs
        loaded together)."""
        return [r.piece_bytes for r in self.caplog.records
                if r.name == "graph.store.oxigraph_io"
                and (graph is ... or r.graph == (None if graph is None else str(graph)))]


@pytest.fixture
def pieces(caplog) -> Pieces:
    caplog.set_level(logging.DEBUG, logger="graph.store.oxigraph_io")
    return Pieces(caplog)


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


def _quads(store: ox.Store) -> set:
    return set(store.quads_for_pattern(None, None, None, None))


# ------------------------------------------------------------------------------ the size

@pytest.mark.parametrize("size", [0, -1, -(4 << 20), 2.5, True])
def test_a_piece_size_is_none_or_a_positive_number_of_bytes(tmp_path, size):
    triple = (URIRef("https://example.org/a"), URIRef("https://example.org/b"),
              URIRef("https://example.org/c"))
    kept, other = URIRef("https://example.org/kept"), URIRef("https://example.org/other")
    message = re.escape(f"piece_bytes must be None or a positive number of bytes, not {size!r}")
    with pytest.raises(ValueError, match=message):
        load_graph(ox.Store(), kept, [triple], piece_bytes=size)
    with pytest.raises(ValueError, match=message):
        load_graphs(ox.Store(), {kept: [triple]}, piece_bytes=size)
    for store in (OxigraphStore(str(tmp_path / "store")), OxigraphStore(None)):
        store.replace_graphs({kept: [triple]})
        with pytest.raises(ValueError, match=message):
            store.replace_graphs({kept: [], other: [triple]}, piece_bytes=size)
        for lines in ([NTriplesWriter().line(triple)], tmp_path / "missing.nt"):
            with pytest.raises(ValueError, match=message):
                store.replace_graph_bulk(kept, lines, piece_bytes=size)
        # Refused before anything changed: the graph a bulk write replaces is still there.
        assert store.graph_names() == [kept] and store.count_triples() == 1
        store.close()


# ------------------------------------------------------------------- the pieces, as loaded

def test_a_sheet_loads_in_pieces_of_the_size_asked(sheet_ntriples, pieces):
    size = sheet_ntriples.stat().st_size
    asked = SpreadsheetImporter.bulk_piece_bytes
    assert 1.5 * asked < size < 32 << 20  # two 4 MB pieces, one of the default 32 MB
    lines = sheet_ntriples.read_bytes().count(b"\n")
    loaded = {}
    for piece_bytes, count in [(None, 1), (asked, 2), (1, -(-size // MB))]:
        # A piece ends at the first line end past its size; a file is read by the megabyte,
        # so one-byte pieces are one a megabyte read.
        pieces.clear()
        loaded[piece_bytes] = ox.Store()
        assert load_graph(loaded[piece_bytes], BIG_GRAPH, sheet_ntriples,
                          piece_bytes=piece_bytes) == lines
        assert len(pieces.sizes(BIG_GRAPH)) == count
        assert sum(pieces.sizes(BIG_GRAPH)) == size
    assert _quads(loaded[None]) == _quads(loaded[asked]) == _quads(loaded[1])


def test_a_write_of_several_graphs_loads_in_pieces_of_the_size_asked(sheet_ntriples, pieces):
    lines = sheet_ntriples.read_bytes().splitlines(keepends=True)
    whole = URIRef(f"{BIG_GRAPH}-whole")
    graphs = {whole: sheet_ntriples,  # past a 4 MB piece: streamed
              URIRef(f"{BIG_GRAPH}-part"): b"".join(lines[:5_000]),  # under a piece
              URIRef(f"{BIG_GRAPH}-few"): b"".join(lines[:10])}  # small: loaded together
    default, in_pieces = ox.Store(), ox.Store()
    counts = load_graphs(default, graphs)
    assert pieces.sizes() == pieces.sizes(None) and len(pieces.sizes()) == 1  # all together
    pieces.clear()
    assert load_graphs(in_pieces, graphs,
                       piece_bytes=SpreadsheetImporter.bulk_piece_bytes) == counts
    assert len(pieces.sizes(whole)) == 2 and len(pieces.sizes(None)) == 1
    assert _quads(in_pieces) == _quads(default)


def _generation(tmp_path, graphs, piece_bytes):
    root = tmp_path / "generations"
    root.mkdir()
    disk = Generations(root)
    disk.write(graphs, piece_bytes=piece_bytes)
    count = len(disk.store)
    disk.close()
    return count


def _store(tmp_path, where: str, how: str, content, piece_bytes):
    store = OxigraphStore(str(tmp_path / "store") if where == "disk" else None)
    if how == "replace_graphs":
        store.replace_graphs({BIG_GRAPH: content}, piece_bytes=piece_bytes)
    else:
        store.replace_graph_bulk(BIG_GRAPH, content, piece_bytes=piece_bytes)
    count = store.count_triples()
    store.close()
    return count


WRITES = {
    # name: (write, content "file" or "lines")
    "generation": (_generation, "file"),
    "disk": (lambda tmp, g, p: _store(tmp, "disk", "replace_graphs", g[BIG_GRAPH], p), "file"),
    "disk-bulk": (lambda tmp, g, p: _store(tmp, "disk", "bulk", g[BIG_GRAPH], p), "lines"),
    "memory": (lambda tmp, g, p: _store(tmp, "memory", "replace_graphs", g[BIG_GRAPH], p),
               "file"),
    "memory-bulk-lines": (lambda tmp, g, p: _store(tmp, "memory", "bulk", g[BIG_GRAPH], p),
                          "lines"),
    "memory-bulk-file": (lambda tmp, g, p: _store(tmp, "memory", "bulk", g[BIG_GRAPH], p),
                         "file"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_loads_in_the_pieces_asked(tmp_path, sheet_ntriples, pieces, write):
    """One-byte pieces make one piece a chunk read: a megabyte of a file, 5,000 lines of an
    iterable (the disk's bulk path spools lines to a file first); the default makes one."""
    make, kind = WRITES[write]
    data = sheet_ntriples.read_bytes()
    lines = data.count(b"\n")
    chunks = -(-len(data) // MB)
    if kind == "lines":
        content = data.decode("utf-8").splitlines(keepends=True)
        if write.startswith("memory"):
            chunks = -(-lines // LINES_A_CHUNK)
    else:
        content = sheet_ntriples
    if write.startswith("memory-bulk"):
        chunks = 1  # streamed in one load (OxigraphStore._bulk_into_memory)
    for piece_bytes, count in [(1, chunks), (None, 1)]:
        pieces.clear()
        where = tmp_path / str(piece_bytes)
        where.mkdir()
        assert make(where, {BIG_GRAPH: content}, piece_bytes) == lines
        assert len(pieces.sizes()) == count
        if piece_bytes == 1:  # every byte went through a logged piece of the graph
            assert sum(pieces.sizes(BIG_GRAPH)) == len(data)
    # (The default's one call may be N-Quads, graph names written in: on disk it loads the
    # graph with the write's small graphs.)


# ----------------------------------------------------------------------------- the runner

@pytest.mark.parametrize("uri_kind", ["disk", "memory"])
@pytest.mark.parametrize("bulk_threshold", [None, 0], ids=["one-write", "bulk-path"])
def test_the_runner_hands_the_importers_piece_size_to_its_writes(
        tmp_path, monkeypatch, big_sheet, pieces, uri_kind, bulk_threshold):
    def imported(name: str):
        uri = f"oxigraph:{tmp_path / name}" if uri_kind == "disk" else "oxigraph:memory"
        store = open_store(uri)
        build(store)
        pieces.clear()
        run_import(store, "csv", [big_sheet], bulk_threshold=bulk_threshold)
        return store, pieces.sizes(BIG_GRAPH)

    in_pieces, asked = imported("pieces")
    assert SpreadsheetImporter.bulk_piece_bytes == 4 << 20
    # the sheet's graph, about 7 MB, in two 4 MB pieces; streamed in one load by the
    # in-memory bulk path (OxigraphStore._bulk_into_memory)
    assert len(asked) == (1 if uri_kind == "memory" and bulk_threshold == 0 else 2)
    monkeypatch.setattr(SpreadsheetImporter, "bulk_piece_bytes", None)  # the default 32 MB
    whole, default = imported("whole")
    # On disk a graph under a default piece goes in with the small graphs of the write.
    assert len(default) == (0 if uri_kind == "disk" else 1)
    assert all_quads(in_pieces) == all_quads(whole)
    assert sum(1 for *_, g in all_quads(in_pieces) if g == str(BIG_GRAPH)) > 10 * BIG_ROWS
    in_pieces.close()
    whole.close()


class UnsizedStore(RdflibStore):
    """A backend written before ``piece_bytes`` existed (its writes take no such keyword)."""

    def replace_graphs(self, graphs):  # noqa: D102 (the old signature is the point)
        super().replace_graphs(graphs)

    def replace_graph_bulk(self, name, lines, *, also=None):  # noqa: D102
        super().replace_graph_bulk(name, lines, also=also)


@pytest.mark.parametrize("bulk_threshold", [None, 0], ids=["one-write", "bulk-path"])
def test_an_importer_without_a_piece_size_writes_to_an_older_backend(bulk_threshold):
    store = UnsizedStore("memory:")
    build(store)
    (report,) = run_import(store, "events", [FIXTURES / "events" / "gdelt_mixed_sample.tsv"],
                           bulk_threshold=bulk_threshold)
    assert report.bulk == (bulk_threshold == 0)
    assert URIRef(report.graph) in store.graph_names()
    assert sum(1 for *_, g in store.quads() if g == URIRef(report.graph)) == report.triples
