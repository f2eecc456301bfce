"""Store parametrisation for tests: the same test on every kind of store.

Kinds: ``memory`` (rdflib), ``oxigraph-memory``, ``oxigraph`` (on disk), ``oxigraph-server``
(``oxigraph serve`` on loopback) and ``virtuoso`` (Debian's Virtuoso 7 on loopback). A server
kind is skipped, with the reason, when its binary is missing. ``STANCEGRAPH_TEST_STORES`` (a
comma-separated list of kinds) narrows the run, e.g. ``STANCEGRAPH_TEST_STORES=memory,virtuoso``.

Use from a test module (the ``tests`` folder is on ``sys.path`` under pytest)::

    from stores import store_kind, seeded, fresh_store  # noqa: F401 (fixtures)

    def test_x(seeded):          # (store, uri) holding the bundled seed, one per kind
        store, uri = seeded
    def test_y(fresh_store):     # (store, uri) empty, one per kind; servers are emptied
        ...

Server stores are shared by the tests of a module: ``fresh_store`` empties one, and ``seeded``
rebuilds the seed whenever it finds the store holding something else.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from servers import oxigraph_binary, start_oxigraph, start_virtuoso, virtuoso_binary

from graph.build import build
from graph.store import open_store

KINDS = ("memory", "oxigraph-memory", "oxigraph", "oxigraph-server", "virtuoso")
#: Kinds a CLI process can open by URI (their data outlives the process).
PERSISTENT = ("oxigraph", "oxigraph-server", "virtuoso")
SERVERS = {"oxigraph-server": (oxigraph_binary, start_oxigraph, "oxigraph (pip install oxigraph)"),
           "virtuoso": (virtuoso_binary, lambda folder: start_virtuoso(folder, buffers=10_000),
                        "virtuoso-t (apt-get install virtuoso-opensource)")}
#: (issue 15) Virtuoso's cache for the tests: 10,000 pages of 8 KiB hold the seed many times
#: over; the default 60,000 is for the benchmark's full record.


def selected_kinds() -> tuple[str, ...]:
    """The kinds this run covers (``STANCEGRAPH_TEST_STORES``, default all)."""
    wanted = os.environ.get("STANCEGRAPH_TEST_STORES", "")
    if not wanted.strip():
        return KINDS
    kinds = tuple(k.strip() for k in wanted.split(",") if k.strip())
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"STANCEGRAPH_TEST_STORES: unknown kinds {sorted(unknown)}; "
                         f"known: {', '.join(KINDS)}")
    return kinds


def _skip_unless_selected(kind: str) -> None:
    if kind not in selected_kinds():
        pytest.skip(f"store kind {kind} not in STANCEGRAPH_TEST_STORES")


#: The servers this process is running, by kind (None: not installed).
_STARTED: dict[str, object] = {}


@pytest.fixture(scope="module")
def sparql_servers(tmp_path_factory):
    """Servers started on first use, one per kind, stopped at the end of the module (issue 15:
    kept for the session, they sat idle through the rest of the run; a Virtuoso held 265 MB).
    The modules that use them (test_stores, test_import_runner) run on one pytest-xdist
    worker (the xdist group ``sparql-servers``, tests/conftest.py)."""

    def get(kind: str):
        if kind not in _STARTED:
            available, start, what = SERVERS[kind]
            if available() is None:
                _STARTED[kind] = None
            else:
                _STARTED[kind] = start(tmp_path_factory.mktemp(kind))
        if _STARTED[kind] is None:
            pytest.skip(f"{kind}: {SERVERS[kind][2]} is not installed")
        return _STARTED[kind]

    yield get
    while _STARTED:
        kind, server = _STARTED.popitem()
        _SEEDED.pop(kind, None)  # its store lived on the stopped server
        if server is not None:
            server.stop()


def clear(store) -> None:
    """Remove every graph of ours from ``store``."""
    names = store.graph_names()
    if names:
        store.replace_graphs({name: [] for name in names})


def _open(kind: str, sparql_servers, folder: Path):
    if kind == "memory":
        return open_store("memory:"), "memory:"
    if kind == "oxigraph-memory":
        return open_store("oxigraph:memory"), "oxigraph:memory"
    if kind == "oxigraph":
        uri = f"oxigraph:{folder / 'store'}"
        return open_store(uri), uri
    server = sparql_servers(kind)
    return open_store(server.uri), server.uri


@pytest.fixture(params=KINDS)
def store_kind(request) -> str:
    """Each store kind in turn (skipped when not selected)."""
    _skip_unless_selected(request.param)
    return request.param


@pytest.fixture
def fresh_store(store_kind, sparql_servers, tmp_path):
    """``(store, uri)``: an empty store of each kind."""
    store, uri = _open(store_kind, sparql_servers, tmp_path)
    clear(store)
    yield store, uri
    store.close()


_SEEDED: dict[str, tuple] = {}


@pytest.fixture
def seeded(store_kind, sparql_servers, tmp_path_factory):
    """``(store, uri)`` holding the bundled seed, built once per kind (rebuilt if changed)."""
    from conftest import seed_texts

    if store_kind not in _SEEDED:
        store, uri = _open(store_kind, sparql_servers, tmp_path_factory.mktemp(store_kind))
        clear(store)
        build(store, texts=seed_texts())
        _SEEDED[store_kind] = (store, uri, store.graph_names(), store.count_triples())
    store, uri, names, count = _SEEDED[store_kind]
    if hasattr(store, "refresh"):
        store.refresh()  # another store object may have changed the server meanwhile
    if store.graph_names() != names or store.count_triples() != count:
        clear(store)
        build(store, texts=seed_texts())
    return store, uri


@contextlib.contextmanager
def serving(app):
    """Run a Starlette ``app`` with uvicorn in a thread on a free loopback port; yield its URL."""
    import uvicorn

    from graph.server.app import uvicorn_config

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn_config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(60)
        sock.close()
