"""Open a store from a URI, and the one interface every store offers (query, replace graphs, dump).

URIs:

- ``memory:`` -- rdflib's in-memory ``Dataset`` (tests, throwaway work).
- ``oxigraph:PATH`` or a bare path -- an on-disk pyoxigraph store (the default).
- ``oxigraph:memory`` -- pyoxigraph in memory.

Every store keeps one named graph per source file or import and answers queries over the union
of its named graphs, so that a query never needs ``GRAPH`` clauses.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from rdflib import BNode, Dataset, Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import QueryError, StoreError
from graph.vocab import PREFIXES

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef]

__all__ = ["Store", "open_store", "RdflibStore", "OxigraphStore"]


class Store(ABC):
    """A quad store seen as the union of its named graphs."""

    uri: str

    @abstractmethod
    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Result:
        """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) with variables pre-bound."""

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]]) -> None:
        """Replace each named graph by the given triples, all or nothing."""

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
            {name: _plain(value) for name, value in zip(names, row, strict=True)}
            for row in result
        ]

    def count_triples(self) -> int:
        """Number of triples in all named graphs together."""
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(result))[0])

    def close(self) -> None:
        """Release the store (files, locks)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _plain(term: Node | None):
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return value if not isinstance(value, Literal) else str(value)
    return str(term)


class RdflibStore(Store):
    """rdflib's in-memory Dataset, queried as the union of its graphs."""

    def __init__(self, uri: str = "memory:"):
        self.uri = uri
        self.dataset = Dataset(default_union=True)

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Result:
        from graph.query import rdflib_guard

        init = {Variable(k): v for k, v in (bindings or {}).items()}
        with rdflib_guard():
            try:
                return self.dataset.query(sparql, initBindings=init, initNs=PREFIXES)
            except Exception as exc:  # rdflib raises pyparsing errors of several kinds
                raise QueryError(f"query failed: {exc}") from exc

    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]]) -> None:
        # Materialise first, so that a failing iterator leaves the dataset untouched.
        staged = {name: list(triples) for name, triples in graphs.items()}
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


class OxigraphStore(Store):
    """A pyoxigraph store, on disk (persistent, transactional) or in memory."""

    def __init__(self, path: str | None, *, read_only: bool = False, uri: str | None = None):
        import pyoxigraph

        self._ox = pyoxigraph
        self.path = path
        self.read_only = read_only
        self.uri = uri or (f"oxigraph:{path}" if path else "oxigraph:memory")
        try:
            if path is None:
                self.store = pyoxigraph.Store()
            elif read_only:
                if not Path(path).is_dir():
                    raise StoreError(
                        f"no store at {path}: run 'stancegraph build' first (or pass --store)"
                    )
                self.store = pyoxigraph.Store.read_only(path)
            else:
                Path(path).mkdir(parents=True, exist_ok=True)
                self.store = pyoxigraph.Store(path)
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc

    # -- terms --------------------------------------------------------------------------
    def _to_ox(self, term: Node):
        ox = self._ox
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

    def _from_ox(self, term) -> Node | None:
        ox = self._ox
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

    # -- Store --------------------------------------------------------------------------
    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Result:
        ox = self._ox
        substitutions = {ox.Variable(k): self._to_ox(v) for k, v in (bindings or {}).items()}
        try:
            answer = self.store.query(
                sparql,
                use_default_graph_as_union=True,
                substitutions=substitutions or None,
                prefixes=PREFIXES,
            )
            return self._to_result(answer)
        except SyntaxError as exc:
            raise QueryError(f"malformed query: {exc}") from exc
        except (OSError, RuntimeError) as exc:
            # e.g. a bound parameter that the SELECT clause does not project: pyoxigraph
            # substitutes only projected variables, so named queries always project theirs.
            raise QueryError(f"query failed: {exc}") from exc

    def _to_result(self, answer) -> Result:
        ox = self._ox
        if isinstance(answer, ox.QueryBoolean):
            result = Result("ASK")
            result.askAnswer = bool(answer)
            return result
        if isinstance(answer, ox.QuerySolutions):
            names = [v.value for v in answer.variables]
            result = Result("SELECT")
            result.vars = [Variable(n) for n in names]
            result.bindings = [
                {
                    Variable(n): self._from_ox(solution[n])
                    for n in names
                    if solution[n] is not None
                }
                for solution in answer
            ]
            return result
        from rdflib import Graph

        result = Result("CONSTRUCT")
        graph = Graph()
        for triple in answer:
            graph.add(
                (
                    self._from_ox(triple.subject),
                    self._from_ox(triple.predicate),
                    self._from_ox(triple.object),
                )
            )
        result.graph = graph
        return result

    def select_csv(self, sparql: str) -> bytes:
        """A SELECT serialised by the store itself as CSV (the fast path for big projections)."""
        ox = self._ox
        answer = self.store.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
        return answer.serialize(format=ox.QueryResultsFormat.CSV)

    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]]) -> None:
        # One SPARQL UPDATE is one transaction in pyoxigraph: all graphs change, or none.
        buffer = io.StringIO()
        for name in graphs:
            buffer.write(f"DROP SILENT GRAPH <{name}> ;\n")
        buffer.write("INSERT DATA {\n")
        for name, triples in graphs.items():
            buffer.write(f"GRAPH <{name}> {{\n")
            for s, p, o in triples:
                buffer.write(f"{_nt(s)} {_nt(p)} {_nt(o)} .\n")
            buffer.write("}\n")
        buffer.write("}\n")
        try:
            self.store.update(buffer.getvalue())
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"writing to {self.uri} failed, nothing was changed: {exc}") from exc
        if self.path:
            self.store.flush()

    def graph_names(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self.store.named_graphs() if hasattr(g, "value"))

    def quads(self) -> Iterator[Quad]:
        ox = self._ox
        for quad in self.store.quads_for_pattern(None, None, None, None):
            if isinstance(quad.graph_name, ox.DefaultGraph):
                continue
            yield (
                self._from_ox(quad.subject),
                self._from_ox(quad.predicate),
                self._from_ox(quad.object),
                URIRef(quad.graph_name.value),
            )

    def count_triples(self) -> int:
        return len(self.store)

    def close(self) -> None:
        if self.path and not self.read_only and self.store is not None:
            self.store.flush()
        self.store = None


def _nt(term: Node) -> str:
    if isinstance(term, BNode):
        return f"_:b{term}"
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term)).n3()
    return term.n3()


def open_store(uri: str, *, read_only: bool = False) -> Store:
    """Open the store named by ``uri`` (see the module docstring for the forms it takes).

    Examples
    --------
    >>> store = open_store("memory:")
    >>> store.count_triples()
    0
    """
    if uri == "memory:":
        return RdflibStore(uri)
    if uri == "oxigraph:memory":
        return OxigraphStore(None, uri=uri)
    if uri.startswith("oxigraph:"):
        return OxigraphStore(uri.removeprefix("oxigraph:"), read_only=read_only)
    if uri.startswith(("sparql+http://", "sparql+https://")):
        try:
            from graph.remote import RemoteStore
        except ImportError as exc:
            raise StoreError(f"{uri}: SPARQL server stores are not available") from exc
        return RemoteStore(uri)
    if "://" in uri or (":" in uri and not uri.startswith(("/", "."))):
        raise StoreError(
            f"unknown store URI {uri!r}: use memory:, oxigraph:PATH, oxigraph:memory "
            "or sparql+http://HOST/PATH"
        )
    return OxigraphStore(uri, read_only=read_only)
