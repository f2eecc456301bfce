"""The one interface every store offers: query the union of named graphs, replace graphs, dump.

Backends: :mod:`graph.store.rdflib_store` (``memory:``), :mod:`graph.store.oxigraph_store`
(``oxigraph:PATH``, ``oxigraph:memory``), :mod:`graph.store.remote` (``sparql+http://``);
:func:`graph.store.opener.open_store` picks one from a URI. Every store keeps one named graph
per source file or import and answers queries over the union of its named graphs, so that a
query never needs ``GRAPH`` clauses.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping

from rdflib import Literal, URIRef
from rdflib.query import Result
from rdflib.term import Node

__all__ = ["Quad", "Store", "Triple", "python_value"]

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef]


class Store(ABC):
    """A quad store seen as the union of its named graphs."""

    uri: str

    @abstractmethod
    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Result:
        """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) with variables pre-bound."""

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]], *,
                       piece_bytes: int | None = None) -> None:
        """Replace each named graph by the given triples, all or nothing.

        A graph's content is an iterable of ``(s, p, o)`` rdflib terms, or, for the fastest
        path, N-Triples: an iterable of strings of whole lines, ``bytes``, or a
        ``pathlib.Path`` to a file (pyoxigraph and SPARQL servers parse it themselves;
        invalid N-Triples fails the whole call). An empty content removes the graph. Other
        graphs are left as they are.

        ``piece_bytes`` asks a backend that bulk loads in pieces (pyoxigraph:
        :data:`graph.store.oxigraph_io.BULK_PIECE_BYTES`) for pieces of that many bytes of
        N-Triples: smaller pieces keep the memory of a big write flatter for a little more
        CPU. None is the backend's default; backends that load otherwise ignore it. The
        content stored is the same whatever the pieces. pyoxigraph refuses (ValueError) a
        size that is neither None nor positive.
        """

    def replace_graph_bulk(self, name: URIRef, lines: Iterable[str], *,
                           piece_bytes: int | None = None) -> None:
        """Replace one graph by N-Triples ``lines`` (strings of whole lines), streamed.

        The same as ``replace_graphs({name: lines})``: as fast, and as atomic. Prefer one
        ``replace_graphs`` call for all the graphs an operation changes, so that they change
        together. ``piece_bytes`` as in :meth:`replace_graphs`.
        """
        self.replace_graphs({name: lines}, piece_bytes=piece_bytes)

    @abstractmethod
    def graph_names(self) -> list[URIRef]:
        """The named graphs in the store, sorted."""

    @abstractmethod
    def quads(self) -> Iterator[Quad]:
        """Every quad, for export."""

    def select_rows(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> list[dict]:
        """A SELECT as a list of dicts of Python values (IRIs as str), for projections."""
        result = self.query(sparql, bindings)
        names = [str(v) for v in result.vars]
        return [
            {name: python_value(value) for name, value in zip(names, row, strict=True)}
            for row in result
        ]

    def count_triples(self) -> int:
        """Number of triples in all named graphs together."""
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(result))[0])

    def close(self) -> None:  # noqa: B027 - stores without resources keep this
        """Release the store (files, locks)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()



def python_value(term: Node | None):
    """The Python value of an RDF term, as projections use it: IRIs and blank nodes as str,
    literals as ``toPython()`` (str when rdflib has no Python type for them), None as None.

    Examples
    --------
    >>> python_value(Literal(3)), python_value(URIRef("http://a")), python_value(None)
    (3, 'http://a', None)
    """
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return value if not isinstance(value, Literal) else str(value)
    return str(term)
