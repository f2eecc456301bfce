"""rdflib's in-memory ``Dataset`` as a store (``memory:``): tests and throwaway work."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from rdflib import Dataset, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import QueryError, StoreError
from graph.store.base import Quad, Store, Triple
from graph.store.guard import rdflib_guard
from graph.store.ntriples import split_content
from graph.vocab import PREFIXES

__all__ = ["RdflibStore"]


def _rdflib_triples(value) -> Iterable[Triple]:
    kind, items = split_content(value)
    if kind == "nt":
        from rdflib import Graph

        data = b"".join(items).decode("utf-8")
        return Graph().parse(data=data, format="nt") if data.strip() else []
    return items


class RdflibStore(Store):
    """rdflib's in-memory Dataset, queried as the union of its graphs."""

    def __init__(self, uri: str = "memory:"):
        self.uri = uri
        self.dataset = Dataset(default_union=True)

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Result:
        init = {Variable(k): v for k, v in (bindings or {}).items()}
        with rdflib_guard():
            try:
                return self.dataset.query(sparql, initBindings=init, initNs=PREFIXES)
            except Exception as exc:  # rdflib raises pyparsing errors of several kinds
                raise QueryError(f"query failed: {exc}") from exc

    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]], *,
                       piece_bytes: int | None = None) -> None:
        # ``piece_bytes`` is ignored: rdflib adds triple by triple, there are no bulk pieces.
        # Materialise first, so that a failing iterator leaves the dataset untouched.
        staged = {name: list(_rdflib_triples(triples)) for name, triples in graphs.items()}
        for name, triples in staged.items():
            self.dataset.remove_graph(name)
            target = self.dataset.graph(name)
            for triple in triples:
                target.add(triple)

    def graph_names(self) -> list[URIRef]:
        return sorted(
            g.identifier
            for g in self.dataset.graphs()
            if isinstance(g.identifier, URIRef) and str(g.identifier) != "urn:x-rdflib:default"
            and len(g) > 0
        )

    def quads(self) -> Iterator[Quad]:
        for s, p, o, g in self.dataset.quads((None, None, None, None)):
            name = getattr(g, "identifier", g)
            if name is not None and str(name) != "urn:x-rdflib:default":
                yield s, p, o, name

    def count_triples(self) -> int:
        return sum(1 for _ in self.quads())

    def replace_graph_bulk(self, name: URIRef, lines: Iterable[str] | Path, *,
                           also=None, piece_bytes: int | None = None) -> None:
        """Replace graph ``name`` by N-Triples ``lines`` (str lines, or a Path to an N-Triples
        file) and the ``also`` graphs (a mapping, or a function returning one that is called
        once the lines are read), all or nothing.

        The bulk path of imports (:mod:`graph.sources.runner`); here the lines are parsed into
        a staging graph first, so a failing iterator leaves the dataset untouched.
        ``piece_bytes`` is ignored (see :meth:`replace_graphs`).
        """
        from rdflib import Graph

        staged = Graph()
        if isinstance(lines, Path):
            staged.parse(lines, format="nt")
        else:
            batch: list[str] = []
            for line in lines:
                batch.append(line)
                if len(batch) >= 20000:
                    staged.parse(data="".join(batch), format="nt")
                    batch = []
            if batch:
                staged.parse(data="".join(batch), format="nt")
        extra = also() if callable(also) else also
        self.replace_graphs({**(extra or {}), name: staged})




def open_uri(uri: str, *, read_only: bool = False) -> RdflibStore:
    """Open ``memory:`` (the opener's entry point); ``read_only`` changes nothing in memory."""
    if uri != "memory:":
        raise StoreError(f"unknown store URI {uri!r}: the rdflib store is just memory:")
    return RdflibStore(uri)
