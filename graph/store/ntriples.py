"""N-Triples out of rdflib terms, and a graph's content as N-Triples chunks, for every backend.

A graph's content, as :meth:`graph.store.base.Store.replace_graphs` takes it, is an iterable of
``(s, p, o)`` rdflib terms, an iterable of strings of whole N-Triples lines, N-Triples
``bytes``, or a ``pathlib.Path`` to an N-Triples file; :func:`split_content` tells them apart.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from graph.errors import StoreError
from graph.store.base import Triple

__all__ = ["ChunkReader", "IRI_FORBIDDEN", "NOT_IN_IRI", "NTriplesWriter", "ntriples_chunks",
           "split_content"]

#: The characters no IRI may hold between ``<>`` in N-Triples, Turtle and SPARQL (their IRIREF
#: production): controls, space and ``<>"{}|^`\``. An IRI holding one is refused, never
#: written, so that a value cannot break out of its term (pyoxigraph rejects it too, rdflib
#: only warns). The one definition: the query parameters (graph.store.query), the claim
#: encoder (graph.sources.encoder) and the importers' value checks (graph.sources.values)
#: use it; it lives here, in the store, because every wing may import the store.
IRI_FORBIDDEN = r'\x00-\x20<>"{}|^`\\'
#: A search for the first :data:`IRI_FORBIDDEN` character.
NOT_IN_IRI = re.compile(f"[{IRI_FORBIDDEN}]")
_LANGUAGE = re.compile(r"[A-Za-z]+(-[A-Za-z0-9]+)*\Z")
_BNODE_LABEL = re.compile(r"[A-Za-z0-9_]+\Z")
_XSD_STRING = str(XSD.string)


class NTriplesWriter:
    """Serialise rdflib terms as N-Triples, fast (IRIs cached), refusing what would not parse.

    Examples
    --------
    >>> NTriplesWriter().line((URIRef("http://a"), URIRef("http://b"), Literal('say "hi"')))
    '<http://a> <http://b> "say \\\\"hi\\\\"" .\\n'
    """

    def __init__(self) -> None:
        self._iris: dict[str, str] = {}

    def iri(self, value: str) -> str:
        """``<value>``; StoreError when ``value`` holds a character an IRI may not hold."""
        text = self._iris.get(value)
        if text is None:
            if NOT_IN_IRI.search(value):
                raise StoreError(f"cannot store the IRI {value!r}: it holds a character "
                                 "that IRIs may not contain (space, <, >, \", {, }, |, ^, `, \\)")
            if len(self._iris) > 2_000_000:
                self._iris.clear()
            text = self._iris[value] = f"<{value}>"
        return text

    def term(self, term: Node) -> str:
        """One term in N-Triples syntax."""
        kind = type(term)
        if kind is URIRef:
            return self.iri(term)
        if kind is Literal or isinstance(term, Literal):
            value = str(term)
            if "\\" in value or '"' in value or "\n" in value or "\r" in value:
                value = (value.replace("\\", "\\\\").replace('"', '\\"')
                         .replace("\n", "\\n").replace("\r", "\\r"))
            if term.language:
                if not _LANGUAGE.match(term.language):
                    raise StoreError(f"cannot store the language tag {term.language!r}")
                return f'"{value}"@{term.language}'
            datatype = term.datatype
            if datatype is None or datatype == _XSD_STRING:
                return f'"{value}"'
            return f'"{value}"^^{self.iri(datatype)}'
        if isinstance(term, URIRef):
            return self.iri(term)
        if isinstance(term, BNode):
            label = str(term)
            if not _BNODE_LABEL.match(label):
                label = "x" + label.encode("utf-8").hex()
            return f"_:{label}"
        raise StoreError(f"cannot store {term!r}: not an RDF term")

    def line(self, triple: Triple) -> str:
        """One triple as an N-Triples line (with its newline)."""
        s, p, o = triple
        return f"{self.term(s)} {self.term(p)} {self.term(o)} .\n"

    def lines(self, triples: Iterable[Triple]) -> Iterator[str]:
        """Each triple as a line."""
        line = self.line
        for triple in triples:
            yield line(triple)


def split_content(value) -> tuple[str, Iterator]:
    """A graph's content as ``("nt", chunks of N-Triples bytes)`` or ``("triples", triples)``."""
    if isinstance(value, bytes | bytearray):
        return "nt", iter([bytes(value)])
    if isinstance(value, Path):
        def read(path=value):
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    yield chunk
        return "nt", read()
    items = iter(value)
    first = next(items, None)
    if first is None:
        return "nt", iter(())
    items = itertools.chain([first], items)
    if isinstance(first, str):  # N-Triples text: whole lines, one or more per string
        def encode(pieces=items):
            while batch := list(itertools.islice(pieces, 5000)):
                yield "".join(batch).encode("utf-8")
        return "nt", encode()
    return "triples", items


def ntriples_chunks(value, *, chunk_lines: int = 5000) -> Iterator[bytes]:
    """A graph's content as N-Triples chunks (bytes).

    The content is an iterable of ``(s, p, o)`` rdflib terms, an iterable of strings of
    N-Triples lines, N-Triples ``bytes``, or a ``pathlib.Path`` to an N-Triples file.
    """
    kind, items = split_content(value)
    if kind == "nt":
        yield from items
        return
    lines = NTriplesWriter().lines(items)
    while True:
        batch = list(itertools.islice(lines, chunk_lines))
        if not batch:
            return
        yield "".join(batch).encode("utf-8")


class ChunkReader(io.RawIOBase):
    """A file-like view of a chunk iterator, for pyoxigraph's streaming ``bulk_load``.

    An error raised while producing chunks is kept (and ends the stream) so that the caller can
    raise it after the loader returns; ``chunks`` counts the lines delivered.
    """

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._buffer = memoryview(b"")
        self.error: BaseException | None = None
        self.lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                return 0
            except Exception as exc:  # reported by the caller, see the class docstring
                self.error = exc
                return 0
            self.lines += chunk.count(b"\n")
            self._buffer = memoryview(chunk)
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


