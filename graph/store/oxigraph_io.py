"""The pyoxigraph boundary: rdflib terms in and out, and a graph's content bulk loaded.

Used by the pyoxigraph backend, by the remote backend (which parses answers with pyoxigraph)
and by the server's workers.
"""

from __future__ import annotations

import io

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from graph.errors import StanceGraphError, StoreError
from graph.store.ntriples import ChunkReader, ntriples_chunks

__all__ = ["from_ox", "load_graph", "to_ox"]


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


#: Bytes of N-Triples per ``bulk_load`` call (about 250,000 triples). pyoxigraph's bulk loader
#: holds a call's whole batch in memory: 3 million triples in one call peaked at 1.9 GB here,
#: in calls of 250,000 at 270 MB, in about the same time.
BULK_PIECE_BYTES = 32 << 20


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


def load_graph(target, name: URIRef, value) -> int:
    """Bulk load one graph's content into the pyoxigraph store ``target``; lines loaded.

    ``target`` is a store being written that nobody reads yet (a new generation, a scratch
    store): the content goes in by pieces of :data:`BULK_PIECE_BYTES`, which keeps the
    loader's memory flat, and a failing piece leaves ``target`` to be thrown away.
    """
    import pyoxigraph as ox

    graph = ox.NamedNode(str(name))
    lines = 0
    pieces = _pieces(ntriples_chunks(value), BULK_PIECE_BYTES)
    while True:
        try:
            piece = next(pieces)
        except StopIteration:
            return lines
        except StanceGraphError:
            raise
        except Exception as exc:  # producing the content failed (a term refused, a read)
            raise StoreError(f"graph {name}: {exc}") from exc
        reader = ChunkReader(iter(piece))
        try:
            target.bulk_load(io.BufferedReader(reader, 1 << 20), format=ox.RdfFormat.N_TRIPLES,
                             to_graph=graph)
        except SyntaxError as exc:
            raise StoreError(f"graph {name}: not valid N-Triples: {exc}") from exc
        lines += reader.lines

