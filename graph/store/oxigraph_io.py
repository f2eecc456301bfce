"""The pyoxigraph boundary: rdflib terms in and out, and a graph's content bulk loaded.

Used by the pyoxigraph backend, by the remote backend (which parses answers with pyoxigraph)
and by the server's workers.

Each ``bulk_load`` call (one piece) is logged at DEBUG level on the ``graph.store.oxigraph_io``
logger, with the record attributes ``graph`` (the graph's IRI, or None for small graphs loaded
together) and ``piece_bytes`` (the bytes of N-Triples or N-Quads in that call): how a write was
cut into pieces can be seen without a profiler.
"""

from __future__ import annotations

import io
import logging

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from graph.errors import StanceGraphError, StoreError
from graph.store.ntriples import ChunkReader, ntriples_chunks

__all__ = ["BULK_PIECE_BYTES", "from_ox", "load_graph", "load_graphs", "to_ox"]

log = logging.getLogger(__name__)


def to_ox(term: Node):
    """The pyoxigraph term for an rdflib term; TypeError for anything else."""
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype and term.datatype != XSD.string:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


def from_ox(term) -> Node | None:
    """The rdflib term for a pyoxigraph term (plain literals untyped, as rdflib makes them)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        # Plain literals come back typed xsd:string; normalise so they compare equal
        # to rdflib's own (see PITFALLS: oxrdflib literal typing).
        if datatype in (str(XSD.string), str(RDF.langString)):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unexpected term {term!r}")


#: Bytes of N-Triples per ``bulk_load`` call (about 250,000 triples) unless a write asks for
#: other pieces (``piece_bytes``). pyoxigraph's bulk loader holds a call's whole batch in
#: memory: 3 million triples in one call peaked at 1.9 GB here, in calls of 250,000 at 270 MB,
#: in about the same time.
#:
#: Smaller pieces cost more calls (each syncs its files, and the store compacts more): 4 MB
#: pieces loaded the UN votes' 10% slice with about 10% more CPU than 32 MB ones, in a third
#: of the memory (100 against 330 MB). ``import csv`` asks for them (its importer's
#: ``bulk_piece_bytes``, passed down by graph.sources.runner through ``replace_graphs``): a
#: sheet of 20,000 rows then imports in about the memory of one of 2,000 (and one of 200,000
#: in 1.3 times that).
BULK_PIECE_BYTES = 32 << 20


def _piece_bytes(asked: int | None) -> int:
    """The piece size a write asked for, else :data:`BULK_PIECE_BYTES` (read at each write);
    ValueError for anything but None or a positive number of bytes."""
    if asked is None:
        return BULK_PIECE_BYTES
    # bool is an int: True would silently mean one-byte pieces.
    if isinstance(asked, bool) or not isinstance(asked, int) or asked <= 0:
        raise ValueError(f"piece_bytes must be None or a positive number of bytes, not {asked!r}")
    return asked


def _pieces(chunks, size: int):
    """The chunks regrouped into lists of about ``size`` bytes, each ending at a line end."""
    piece, held, rest = [], 0, b""
    for chunk in chunks:
        if rest:
            chunk, rest = rest + chunk, b""
        piece.append(chunk)
        held += len(chunk)
        if held >= size:
            cut = chunk.rfind(b"\n") + 1
            if cut == 0:
                continue  # no line ends in this chunk yet: read on
            piece[-1], rest = chunk[:cut], chunk[cut:]
            yield piece
            piece, held = [], 0
    if rest:
        piece.append(rest)
    if piece:
        yield piece


def load_graph(target, name: URIRef, value, *, piece_bytes: int | None = None) -> int:
    """Bulk load one graph's content into the pyoxigraph store ``target``; lines loaded.

    ``target`` is a store being written that nobody reads yet (a new generation, a scratch
    store): the content goes in by pieces of ``piece_bytes`` bytes of N-Triples (default
    :data:`BULK_PIECE_BYTES`), which keeps the loader's memory flat, and a failing piece
    leaves ``target`` to be thrown away (or, for a store that is read, the graph to be
    removed). ValueError for a ``piece_bytes`` that is neither None nor positive.
    """
    import pyoxigraph as ox

    graph = ox.NamedNode(str(name))
    lines = 0
    chunks = value.chunks if isinstance(value, _Rest) else ntriples_chunks(value)
    pieces = _pieces(chunks, _piece_bytes(piece_bytes))
    while True:
        try:
            piece = next(pieces)
        except StopIteration:
            return lines
        except StanceGraphError:
            raise
        except Exception as exc:  # producing the content failed (a term refused, a read)
            raise StoreError(f"graph {name}: {exc}") from exc
        size = sum(map(len, piece))
        log.debug("bulk load of %s: a piece of %d bytes", name, size,
                  extra={"graph": str(name), "piece_bytes": size})
        reader = ChunkReader(iter(piece))
        try:
            target.bulk_load(io.BufferedReader(reader, 1 << 20), format=ox.RdfFormat.N_TRIPLES,
                             to_graph=graph)
        except SyntaxError as exc:
            raise StoreError(f"graph {name}: not valid N-Triples: {exc}") from exc
        lines += reader.lines


#: A graph whose N-Triples stay under this size is loaded together with the other small graphs
#: of the same write (see :func:`load_graphs`); no bigger than a piece, so that no call loads
#: more than a piece.
SMALL_GRAPH_BYTES = BULK_PIECE_BYTES


def _small_content(name: URIRef, value, limit: int):
    """``(bytes, None)`` when ``value`` holds at most ``limit`` bytes of N-Triples, else
    ``(None, content)`` with ``content`` equal to ``value`` (what was read already put back in
    front), so that a big graph is read only once and never held whole."""
    import itertools
    from pathlib import Path

    if isinstance(value, Path):
        try:
            if value.stat().st_size > limit:
                return None, value
        except OSError as exc:
            raise StoreError(f"graph {name}: {exc}") from exc
    held, size = [], 0
    chunks = ntriples_chunks(value)
    try:
        for chunk in chunks:
            held.append(chunk)
            size += len(chunk)
            if size > limit:
                return None, _Rest(itertools.chain(held, chunks))
    except StanceGraphError:
        raise
    except Exception as exc:  # producing the content failed (a term refused, a read)
        raise StoreError(f"graph {name}: {exc}") from exc
    return b"".join(held), None


class _Rest:
    """N-Triples chunks already started (``bytes`` items): :func:`load_graph` reads them as
    they are instead of encoding them again."""

    def __init__(self, chunks):
        self.chunks = chunks


def load_graphs(target, graphs, *, piece_bytes: int | None = None) -> dict[str, int]:
    """Bulk load every graph of ``graphs`` (name -> content) into ``target``; lines per graph.

    Each ``bulk_load`` call writes and syncs a set of files per index (about 26 fsyncs here,
    whatever its size), so the small graphs of one write (a build's ontology and data files,
    an import's entities graph) go in together as N-Quads, in as few calls as fit in a piece
    of ``piece_bytes`` (default :data:`BULK_PIECE_BYTES`): a build of the seed made five calls,
    0.4 s of its wall time on a busy disk. A graph past :data:`SMALL_GRAPH_BYTES` (or past a
    piece, when pieces are smaller) streams in by itself through :func:`load_graph`, in flat
    memory as before. ``tests/test_build_speed.py`` checks that
    both ways store the same quads, and that a bad graph is still named in the error.
    ValueError for a ``piece_bytes`` that is neither None nor positive.
    """
    import pyoxigraph as ox

    counts: dict[str, int] = {}
    batch: list[bytes] = []
    held = 0
    piece = _piece_bytes(piece_bytes)
    small = min(SMALL_GRAPH_BYTES, piece)

    def flush():
        nonlocal batch, held
        if not batch:
            return
        pending, batch, held = batch, [], 0
        data = b"".join(pending)
        log.debug("bulk load of %d small graphs together: %d bytes", len(pending), len(data),
                  extra={"graph": None, "piece_bytes": len(data)})
        try:
            target.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:  # each graph was parsed already: not expected
            raise StoreError(f"not valid N-Quads: {exc}") from exc

    for name, value in graphs.items():
        data, rest = _small_content(name, value, small)
        if data is None:
            counts[str(name)] = load_graph(target, name, rest, piece_bytes=piece)
            continue
        quads, counts[str(name)] = _nquads(name, data)
        if held + len(quads) > piece:
            flush()
        batch.append(quads)
        held += len(quads)
    flush()
    return counts


def _nquads(name: URIRef, data: bytes) -> tuple[bytes, int]:
    """One graph's N-Triples as N-Quads in graph ``name``, and its number of triples;
    StoreError naming the graph when they are not valid N-Triples.

    Text as the project's writers make it (one triple a line, each ending `` .``, no blank
    node) is checked by the parser and gets the graph name written in (a third of the time of
    making the quads in Python); anything else (comments, other line ends, blank nodes, whose
    labels N-Quads would share between graphs) is made into quads by the parser, which gives
    blank nodes new labels.
    """
    import pyoxigraph as ox

    lines = data.count(b"\n")
    try:
        if b"_:" not in data and data.endswith(b" .\n") and data.count(b" .\n") == lines:
            # A line ends each triple and " .\n" ends a line only (N-Triples escapes line
            # ends inside literals): with as many triples as lines, each " .\n" closes one.
            if sum(1 for _ in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)) == lines:
                graph = str(ox.NamedNode(str(name))).encode()  # checked: "<iri>"
                return data.replace(b" .\n", b" " + graph + b" .\n"), lines
        graph = ox.NamedNode(str(name))
        quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
                 for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=True)]
    except SyntaxError as exc:
        raise StoreError(f"graph {name}: not valid N-Triples: {exc}") from exc
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS), len(quads)
