"""The store wing: one interface (:class:`Store`), its backends, and the safe query path.

``open_store(uri)`` is the entry point (:mod:`graph.store.opener` lists the URI forms). The
modules: :mod:`~graph.store.base` (the interface), :mod:`~graph.store.ntriples` (N-Triples
out of rdflib terms), :mod:`~graph.store.rdflib_store`, :mod:`~graph.store.oxigraph_store`
with :mod:`~graph.store.generations` (its on-disk layout) and :mod:`~graph.store.oxigraph_io`,
:mod:`~graph.store.remote` with :mod:`~graph.store.rewrite` (SPARQL servers),
:mod:`~graph.store.query` (named queries and the one safe way to run any query) and
:mod:`~graph.store.guard`.
"""

from graph.store.base import Quad, Store, Triple
from graph.store.ntriples import NTriplesWriter, ntriples_chunks
from graph.store.opener import open_store
from graph.store.oxigraph_store import OxigraphStore
from graph.store.rdflib_store import RdflibStore

__all__ = [
    "NTriplesWriter",
    "OxigraphStore",
    "Quad",
    "RdflibStore",
    "Store",
    "Triple",
    "ntriples_chunks",
    "open_store",
]
