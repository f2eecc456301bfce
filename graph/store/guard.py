"""The rdflib switch that keeps its SPARQL engine off the disk and the network.

A module of its own so that the backends (:mod:`graph.store.rdflib_store`) and the safe query
path (:mod:`graph.store.query`) can both use it without importing each other.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["rdflib_guard"]


@contextlib.contextmanager
def rdflib_guard() -> Iterator[None]:
    """Second layer behind :func:`graph.store.query.check_query`: stop rdflib's engine loading
    FROM/LOAD graphs.

    rdflib reads ``FROM <file://...>`` and ``LOAD`` targets unless
    ``rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS`` is off (see /work/shared/PITFALLS.md, "SPARQL
    reaches the network and the disk"); the previous value is restored on exit.

    Examples
    --------
    >>> from rdflib.plugins import sparql
    >>> with rdflib_guard():
    ...     sparql.SPARQL_LOAD_GRAPHS
    False
    """
    from rdflib.plugins import sparql

    previous = sparql.SPARQL_LOAD_GRAPHS
    sparql.SPARQL_LOAD_GRAPHS = False
    try:
        yield
    finally:
        sparql.SPARQL_LOAD_GRAPHS = previous
