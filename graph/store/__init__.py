"""The store wing: one interface (:class:`Store`), its backends, and the safe query path.

``open_store(uri)`` is the entry point; see :mod:`graph.store.core` for the URI forms.
"""

from graph.store.core import (
    NTriplesWriter,
    OxigraphStore,
    Quad,
    RdflibStore,
    Store,
    Triple,
    ntriples_chunks,
    open_store,
)

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
