"""Helpers for the importer tests (tests/test_import_*.py): fixture paths, stores, graph reading."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from graph.build import build
from graph.sources.runner import graph_name, run_import
from graph.store import open_store

FIXTURES = Path(__file__).resolve().parent / "data" / "import"
#: The real datasets (read-only, outside the project; CI has them).
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared(*parts: str) -> Path:
    """A path under ../shared/data; skips the test when the folder is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"the shared datasets are absent ({path} not found)")
    return path


def seeded(uri: str = "oxigraph:memory"):
    """A store holding the bundled seed (vocabulary, entities, the seed article's claims)."""
    store = open_store(uri)
    build(store)
    return store


def imported(kind: str, paths, uri: str = "oxigraph:memory", *, seed: bool = True, **options):
    """``(store, report)`` after importing ``paths`` (one unit) into a fresh store."""
    store = seeded(uri) if seed else open_store(uri)
    (report,) = run_import(store, kind, [Path(p) for p in paths], **options)
    return store, report


def _text(term) -> str:
    # rdflib keeps a decimal's lexical form ("1.0"), pyoxigraph normalises it ("1")
    if isinstance(term, Literal) and term.datatype in (XSD.decimal, XSD.double, XSD.float):
        return repr(float(term))
    return str(term)


def graph_triples(store, name) -> set[tuple[str, str, str]]:
    """The triples of one named graph, as text (comparable across stores)."""
    name = URIRef(name)
    return {(str(s), str(p), _text(o)) for s, p, o, g in store.quads() if g == name}


def all_quads(store) -> set[tuple[str, str, str, str]]:
    """Every quad, as text (blank nodes included by label)."""
    return {(str(s), str(p), str(o), str(g)) for s, p, o, g in store.quads()}


def _iri(name: str) -> str:
    from graph.vocab import expand

    return f"<{expand(name)}>"


def values(store, subject: str, predicate: str) -> set[str]:
    """Objects of ``subject predicate`` (prefixed names allowed), as text."""
    rows = store.query(f"SELECT ?o WHERE {{ {_iri(subject)} {predicate} ?o }}")
    return {str(row[0]) for row in rows}


def claim(store, iri: str) -> dict[str, set[str]]:
    """Every property of a claim node, by local name: ``{"actor": {...}, "row": {"27"}}``."""
    rows = store.query(f"SELECT ?p ?o WHERE {{ {_iri(iri)} ?p ?o }}")
    result: dict[str, set[str]] = {}
    for p, o in rows:
        key = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        result.setdefault(key, set()).add(str(o))
    return result


__all__ = ["FIXTURES", "SHARED", "shared", "seeded", "imported", "graph_triples", "all_quads",
           "values", "claim", "graph_name"]
