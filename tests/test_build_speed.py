"""The fast write paths of issue 15 store what the straightforward ones store (no timed tests).

- ``graph.store.oxigraph_io.load_graphs`` loads the small graphs of one write together (one
  ``bulk_load`` of N-Quads instead of one call per graph, each of which syncs ~26 files): the
  store must hold the same quads as loading each graph by itself with ``load_graph``, for every
  kind of content, big graphs (streamed by themselves) and empty ones included, and a bad graph
  must still fail the whole write with the graph's name.
- The import runner spools an import's N-Triples to a temporary file past ``SPILL_CHARS``
  instead of holding them: a sheet imported with a tiny budget (so that it spills, below and
  past the bulk threshold) gives the same graph as with everything in memory.
- ``build`` reads the data with pyoxigraph, canonicalises only the triples with blank nodes and
  validates with property shapes given their node shape's targets: the store must hold, for
  each file, the triples rdflib's parser reads with blank nodes canonicalised over the whole
  graph (the straightforward path), plus the triples derived from them.
"""

from __future__ import annotations

import csv

import pyoxigraph as ox
import pytest
from import_helpers import seeded
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph.build import GENID, build, file_graph_name, source_files
from graph.claims import derived_triples
from graph.errors import StoreError
from graph.sources import runner
from graph.sources.runner import run_import
from graph.sources.turtle import read_turtle
from graph.store import NTriplesWriter, open_store, oxigraph_io
from graph.store.oxigraph_io import load_graph, load_graphs
from graph.validate import validate

EX = "https://example.org/"


def _triples(n: int, tag: str) -> list:
    """Four triples a node: a type, a language string with quotes and a line end, a number,
    and a blank node pointing at it (the same blank node labels in every graph)."""
    return [t for i in range(n) for t in (
        (URIRef(f"{EX}{tag}/{i}"), RDF.type, URIRef(f"{EX}Thing")),
        (URIRef(f"{EX}{tag}/{i}"), URIRef(f"{EX}label"),
         Literal(f'say "{tag}" {i}\nnow .', lang="en")),
        (URIRef(f"{EX}{tag}/{i}"), URIRef(f"{EX}n"), Literal(str(i), datatype=XSD.integer)),
        (BNode(f"b{i}"), URIRef(f"{EX}of"), URIRef(f"{EX}{tag}/{i}")),
    )]


def _plain(n: int, tag: str) -> list:
    """:func:`_triples` less the blank nodes: text that takes load_graphs' written-in path."""
    return [t for t in _triples(n, tag) if not isinstance(t[0], BNode)]


def _contents(tmp_path) -> dict:
    """One graph of each kind of content ``replace_graphs`` takes, and an empty one."""
    writer = NTriplesWriter()
    path = tmp_path / "graph.nt"
    path.write_text("".join(writer.lines(_triples(40, "path"))), encoding="utf-8")
    return {
        URIRef(f"{EX}g/triples"): _triples(50, "triples"),
        URIRef(f"{EX}g/lines"): list(writer.lines(_triples(30, "lines"))),
        URIRef(f"{EX}g/bytes"): "".join(writer.lines(_triples(20, "bytes"))).encode("utf-8"),
        URIRef(f"{EX}g/path"): path,
        URIRef(f"{EX}g/generator"): (t for t in _triples(25, "generator")),
        URIRef(f"{EX}g/plain"): _plain(10, "plain"),
        URIRef(f"{EX}g/plain-bytes"): "".join(writer.lines(_plain(12, "pb"))).encode("utf-8"),
        # a comment line: not one triple a line, so parsed rather than written in
        URIRef(f"{EX}g/comment"): b"# a comment\n" + "".join(writer.lines(_plain(3, "c"))).encode(),
        URIRef(f"{EX}g/empty"): [],
    }


def _quads(store) -> set:
    """The quads, each blank node named by what it points at (a parser names them anew)."""
    def term(node):
        if isinstance(node, ox.BlankNode):
            (target,) = {q.object for q in store.quads_for_pattern(node, None, None, None)}
            return ("blank", target)
        return node

    return {(term(q.subject), q.predicate, q.object, q.graph_name)
            for q in store.quads_for_pattern(None, None, None, None)}


@pytest.mark.parametrize("small", [None, 2_000], ids=["together", "big-ones-streamed"])
def test_load_graphs_stores_what_loading_each_graph_stores(tmp_path, monkeypatch, small):
    if small is not None:  # graphs past this many bytes stream by themselves, in pieces
        monkeypatch.setattr(oxigraph_io, "SMALL_GRAPH_BYTES", small)
        monkeypatch.setattr(oxigraph_io, "BULK_PIECE_BYTES", small)
    fast, plain = ox.Store(), ox.Store()
    counts = load_graphs(fast, _contents(tmp_path))
    for name, value in _contents(tmp_path).items():
        load_graph(plain, name, value)
    assert _quads(fast) == _quads(plain)
    assert len(_quads(fast)) == 4 * (50 + 30 + 20 + 40 + 25) + 3 * (10 + 12 + 3)
    assert counts[f"{EX}g/triples"] == 200 and counts[f"{EX}g/empty"] == 0
    # the same blank node label in two graphs is two blank nodes, loaded together or not
    of = ox.NamedNode(f"{EX}of")
    blanks = {q.subject for q in fast.quads_for_pattern(None, of, None, None)}
    assert len(blanks) == 50 + 30 + 20 + 40 + 25


def test_a_bad_graph_fails_the_write_with_its_name(tmp_path):
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    build(store)
    before = sorted(store.quads(), key=lambda q: tuple(map(str, q)))
    good = "".join(NTriplesWriter().lines(_plain(5, "good"))).encode()
    for text in (b"<https://example.org/a> <https://example.org/b> .\n",  # two terms
                 b"<https://example.org/a> <https://example.org/b> <x y> .\n",  # a bad IRI
                 good + b"<https://example.org/a> <https://example.org/b> <https://e.org/c>"
                        b" <https://example.org/g> .\n"):  # a quad
        bad = URIRef(f"{EX}g/bad")
        with pytest.raises(StoreError, match=f"graph {bad}: not valid N-Triples"):
            store.replace_graphs({URIRef(f"{EX}g/good"): good, bad: text})
        assert sorted(store.quads(), key=lambda q: tuple(map(str, q))) == before
    store.close()


def test_a_build_on_disk_holds_what_a_build_in_memory_holds(tmp_path):
    disk, memory = open_store(f"oxigraph:{tmp_path / 'store'}"), open_store("oxigraph:memory")
    build(disk)
    build(disk)  # again: the second build replaces the first generation's graphs
    build(memory)
    assert sorted(disk.quads(), key=lambda q: tuple(map(str, q))) == \
        sorted(memory.quads(), key=lambda q: tuple(map(str, q)))
    disk.close()


def _straightforward(path):
    """A data file as rdflib's parser reads it, blank nodes canonicalised over the whole graph."""
    from test_stable_blank_nodes import whole_graph_skolemised

    return whole_graph_skolemised(read_turtle(path))


def _as_stored(graphs: dict) -> dict:
    """Each graph's triples as the store gives them back (it writes numbers canonically)."""
    scratch = open_store("oxigraph:memory")
    scratch.replace_graphs({name: list(triples) for name, triples in graphs.items()})
    found = {name: set() for name in graphs}
    for s, p, o, g in scratch.quads():
        found[g].add((s, p, o))
    scratch.close()
    return found


def test_a_build_stores_the_files_as_the_straightforward_path_reads_them():
    store = open_store("oxigraph:memory")
    build(store)
    files = {path: _straightforward(path) for path in source_files()}
    assert any(o.startswith(GENID) for graph in files.values() for _, _, o in graph)
    derived = {triple for _, triple in derived_triples(validate(files, {}))}
    read = _as_stored({file_graph_name(path): graph for path, graph in files.items()})
    (all_derived,) = _as_stored({URIRef(f"{EX}derived"): derived}).values()
    stored_derived = set()
    for name, triples in read.items():
        stored = {(s, p, o) for s, p, o, g in store.quads() if g == name}
        assert triples <= stored, name
        assert stored - triples <= all_derived, name
        stored_derived |= stored - triples
    assert stored_derived == all_derived - set().union(*read.values())
    store.close()


# ------------------------------------------------------------------------------ the runner

def _sheet(folder, rows: int):
    path = folder / "sheet.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["claim_id", "actor", "relation", "target", "date", "source", "note"])
        for i in range(rows):
            out.writerow([f"s{i}", ("USA", "KOR", "Japan")[i % 3], "supports",
                          "issue:human-rights", "2020-01-01", f"https://example.org/{i % 7}",
                          f"row {i}, with a \"quote\""])
    return path


def _imported(path, **options):
    store = seeded()
    (report,) = run_import(store, "csv", [path], **options)
    name = URIRef(report.graph)
    return report, {q for q in store.quads() if q[3] == name}


@pytest.mark.parametrize("threshold", [None, 300], ids=["one-write", "bulk"])
def test_spooling_to_a_file_gives_the_same_graph(tmp_path, monkeypatch, threshold):
    path = _sheet(tmp_path, 120)
    options = {} if threshold is None else {"bulk_threshold": threshold}
    held_report, held = _imported(path, **options)
    monkeypatch.setattr(runner, "SPILL_CHARS", 500)  # spills after a claim or two
    spilled_report, spilled = _imported(path, **options)
    assert held == spilled and len(held) > 120 * 10
    assert (held_report.claims, held_report.triples, held_report.bulk) == \
        (spilled_report.claims, spilled_report.triples, spilled_report.bulk) == \
        (120, spilled_report.triples, threshold is not None)


def test_plain_text_gets_the_graph_written_in_and_the_rest_is_parsed():
    name = URIRef(f"{EX}g/x")
    plain = "".join(NTriplesWriter().lines(_plain(3, "p"))).encode()
    quads, n = oxigraph_io._nquads(name, plain)
    assert n == 9 and quads == plain.replace(b" .\n", f" <{name}> .\n".encode())
    blank = "".join(NTriplesWriter().lines(_triples(3, "b"))).encode()
    quads, n = oxigraph_io._nquads(name, blank)
    assert n == 12 and b"_:b1 " not in quads  # parsed: blank nodes renamed

