"""Open a store from a URI: a registry of URI schemes, each served by a backend module.

URIs:

- ``memory:`` -- rdflib's in-memory ``Dataset`` (tests, throwaway work).
- ``oxigraph:PATH`` or a bare path -- an on-disk pyoxigraph store (the default): crash-safe
  generations with concurrent readers, see :mod:`graph.store.generations`.
- ``oxigraph:memory`` -- pyoxigraph in memory.
- ``sparql+http://HOST:PORT/PATH`` (or ``sparql+https``) -- any SPARQL 1.1 server, through the
  SPARQL 1.1 Protocol and the Graph Store Protocol (:mod:`graph.store.remote`).

The opener names each backend by its module only, imported when a URI asks for it: the
backends depend on the store interface (:mod:`graph.store.base`), never on the opener, and a
backend whose libraries are missing (httpx for ``sparql+http``) fails only when used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from graph.errors import StoreError
from graph.store.base import Store

__all__ = ["open_store", "register_scheme", "schemes"]

#: URI scheme -> the backend module whose ``open_uri(uri, *, read_only)`` opens it, or a
#: callable with that signature (see :func:`register_scheme`).
_SCHEMES: dict[str, str | Callable[..., Store]] = {
    "memory": "graph.store.rdflib_store",
    "oxigraph": "graph.store.oxigraph_store",
    "sparql+http": "graph.store.remote",
    "sparql+https": "graph.store.remote",
}


def register_scheme(scheme: str, opener: str | Callable[..., Store]) -> None:
    """Serve URIs ``SCHEME:...`` with ``opener``.

    Parameters
    ----------
    scheme : str
        The part of the URI before the first ``:``, e.g. ``"sparql+http"``.
    opener : str or callable
        A module name whose ``open_uri(uri, *, read_only)`` returns a :class:`Store`, or such a
        function itself.
    """
    _SCHEMES[scheme] = opener


def schemes() -> list[str]:
    """The URI schemes :func:`open_store` knows, sorted."""
    return sorted(_SCHEMES)


def _scheme(uri: str) -> str | None:
    """The URI's scheme, or None for a bare path (``/x``, ``./x``, ``x``)."""
    if uri.startswith(("/", ".")) or ":" not in uri:
        return None
    return uri.split(":", 1)[0]


def open_store(uri: str, *, read_only: bool = False) -> Store:
    """Open the store named by ``uri`` (see the module docstring for the forms it takes).

    Parameters
    ----------
    uri : str
        ``memory:``, ``oxigraph:PATH``, ``oxigraph:memory``, a bare path, or
        ``sparql+http(s)://HOST:PORT/PATH``.
    read_only : bool
        Open for reading only: an on-disk store must then exist (a missing or empty folder is
        an error).

    Raises
    ------
    StoreError
        For an unknown or incomplete URI, or a store that cannot be opened.

    Examples
    --------
    >>> store = open_store("memory:")
    >>> store.count_triples()
    0
    """
    if not uri or not uri.strip():
        raise StoreError("no store URI given: use memory:, oxigraph:PATH or a folder")
    scheme = _scheme(uri)
    if scheme is None:
        scheme, uri = "oxigraph", f"oxigraph:{uri}"
    opener = _SCHEMES.get(scheme)
    if opener is None:
        raise StoreError(
            f"unknown store URI {uri!r}: use memory:, oxigraph:PATH, oxigraph:memory "
            "or sparql+http://HOST/PATH"
        )
    try:
        if isinstance(opener, str):
            opener = importlib.import_module(opener).open_uri
        return opener(uri, read_only=read_only)
    except ImportError as exc:
        raise StoreError(f"{uri}: {scheme} stores are not available here ({exc})") from exc
