"""Shared fixtures: the seed article folder and the seed data built into real stores.

Building takes about a second, so each store is built once per session. Tests that change a
store build their own; these two are read-only (the oxigraph one is opened read-only).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from graph.build import build
from graph.store import open_store

#: The folder holding the article the seed data is coded from (outside the project).
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
#: Bad-claim fixtures, one problem per file.
BAD = Path(__file__).resolve().parent / "data" / "bad"


def seed_texts() -> list[Path]:
    """``texts=`` for a build: the seed folder when it is present, else nothing."""
    return [SEEDS] if SEEDS.is_dir() else []


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The seed article folder; skips the test when it is absent."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed article folder {SEEDS} is absent")
    return SEEDS


@pytest.fixture(scope="session")
def memory_store():
    """The bundled data built into rdflib's in-memory store (``memory:``)."""
    store = open_store("memory:")
    build(store, texts=seed_texts())
    return store


@pytest.fixture(scope="session")
def oxigraph_path(tmp_path_factory) -> Path:
    """Folder of the on-disk pyoxigraph store built by :func:`oxigraph_store`."""
    return tmp_path_factory.mktemp("oxigraph") / "store"


@pytest.fixture(scope="session")
def oxigraph_store(oxigraph_path):
    """The bundled data built into an on-disk pyoxigraph store, then reopened read-only.

    The writer is closed first: pyoxigraph leaves a read-only open undefined while another
    handle writes, and the CLI opens the same folder read-only (``--store oxigraph:PATH``).
    """
    writer = open_store(f"oxigraph:{oxigraph_path}")
    build(writer, texts=seed_texts())
    writer.close()
    del writer
    store = open_store(f"oxigraph:{oxigraph_path}", read_only=True)
    yield store
    store.close()


@pytest.fixture(params=["memory", "oxigraph"])
def built_store(request):
    """Each of the two session stores in turn."""
    return request.getfixturevalue(f"{request.param}_store")


# ------------------------------------------------------------------------------ the full UN record
# (issues 12 and 15) One import per test run, shared by every test that needs the whole record,
# also across pytest-xdist workers: the first worker to need it imports it into the run's shared
# temporary folder under a file lock, the others wait for it and open the same store read-only.
# Tests that use it are marked ``slow``: under ``--dist loadgroup`` one worker runs them all
# (the xdist group ``slow``, see the pytest-xdist block below).

#: The real UN votes (read-only, outside the project; CI has them).
UNVOTES = Path(__file__).resolve().parents[2] / "shared" / "data" / "unvotes"
#: The fixtures below that import the whole record.
FULL_RECORD_FIXTURES = {"full_unvotes", "full_unvotes_store"}


@dataclass(frozen=True)
class FullRecord:
    """The seed plus the whole UN record in an on-disk store (``uri``), opened read-only;
    ``report``: the import's figures (rows, claims, problem_count, counts, graph, triples)."""

    store: object
    uri: str
    report: SimpleNamespace


@pytest.fixture(scope="session")
def full_unvotes(tmp_path_factory) -> FullRecord:
    """The seed plus the whole UN record (870,109 votes), imported once per test run into an
    on-disk pyoxigraph store, then opened read-only; skips when ../shared/data/unvotes is
    absent. On disk rather than in memory: the 11 million triples would hold some GB of each
    test process's memory for the whole run."""
    if not (UNVOTES / "un_votes.csv").is_file():
        pytest.skip(f"the shared datasets are absent ({UNVOTES} not found)")
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, shared by its workers
    folder, uri = root / "un-record", f"oxigraph:{root / 'un-record' / 'store'}"
    with open(root / "un-record.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        done = folder / "report.json"
        if not done.is_file():
            from graph.sources.runner import run_import

            folder.mkdir(exist_ok=True)
            writer = open_store(uri)
            build(writer)
            (report,) = run_import(writer, "unvotes", [UNVOTES])
            writer.close()
            del writer
            done.write_text(json.dumps({
                "rows": report.rows, "claims": report.claims, "triples": report.triples,
                "problem_count": report.problem_count, "counts": dict(report.counts),
                "graph": report.graph, "problems": [str(p) for p in report.problems]}))
    report = SimpleNamespace(**json.loads(done.read_text()))
    assert report.claims == 870_109, report.problems
    store = open_store(uri, read_only=True)
    yield FullRecord(store, uri, report)
    store.close()


@pytest.fixture(scope="session")
def full_unvotes_store(full_unvotes):
    """The store of :func:`full_unvotes` (read-only)."""
    return full_unvotes.store


# ------------------------------------------------------------------------------ pytest-xdist
# (issue 15) ``make test`` runs ``pytest -n 2 --dist loadgroup``: two worker processes, each with
# its own session fixtures (stores, SPARQL servers, the full record's read-only handle). Three
# xdist groups each keep their tests on one worker, one test after another:
# - ``slow``: the tests on the full datasets of ../shared/data. Each holds up to about 1.2 GiB
#   (the whole UN record in pandas, a notebook kernel on it), two at once would pass the suite's
#   2 GiB budget, and the worker that imports the full record runs every test that reads it
#   instead of another worker waiting for the import.
# - ``browser``: the tests that drive Chromium (marked ``browser`` or using a ``browser``
#   fixture): a headless Chromium and its helpers hold about 1 GB, two at once (one per
#   worker) took the suite to 3.7 GB. A slow browser test stays in ``slow``.
# - ``sparql-servers``: the tests on the oxigraph server and Virtuoso, which one worker starts
#   once (tests/stores.py) instead of each worker starting its own.

#: Fixtures whose tests form the xdist group ``sparql-servers``.
SERVER_FIXTURES = {"sparql_servers", "small_virtuoso"}


def pytest_configure(config):
    """Give each xdist worker its own on-disk ``$STANCEGRAPH_STORE`` (``make test`` sets
    ``oxigraph:build/test-store``): two processes cannot open one pyoxigraph folder for writing,
    so ``gw0`` uses ``build/test-store-gw0`` and so on. Stores in memory or on a server are left
    as they are.

    Also undo an inherited "ignore SIGINT": a shell starts a background job (``make test &``)
    with SIGINT ignored, every process the tests start inherits that, and Python then installs no
    KeyboardInterrupt handler, so tests of what Ctrl-C does to a command (test_reliability_cli)
    would fail by how the suite was started."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    uri = os.environ.get("STANCEGRAPH_STORE", "")
    if not worker or not uri.strip():
        return
    scheme = uri.partition(":")[0] if ":" in uri and not uri.startswith(("/", ".")) else None
    if (scheme == "oxigraph" and uri != "oxigraph:memory") or scheme is None:
        os.environ["STANCEGRAPH_STORE"] = f"{uri.rstrip('/')}-{worker}"


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Tests on the whole UN record are slow; slow tests, browser tests and tests on SPARQL
    servers go to their xdist groups (``xdist_group`` marks in test files count too). The marks
    are added before the other plugins see the items (``-m "not slow"`` must see them), the node
    ids for ``--dist loadgroup`` are written after (pytest-xdist's own attempt comes first)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if FULL_RECORD_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.xdist_group("slow"))
        elif item.get_closest_marker("browser") or "browser" in fixtures:
            item.add_marker(pytest.mark.xdist_group("browser"))
        if SERVER_FIXTURES & fixtures:
            item.add_marker(pytest.mark.xdist_group("sparql-servers"))
    result = yield
    if getattr(config.option, "loadgroup", False):  # set in xdist workers
        for item in items:
            _group_node_id(item)
    return result


def pytest_runtest_teardown(item, nextitem):
    """After a slow test, hand the memory it freed back to the system: glibc keeps freed heap
    pages of a process (some 100 MB after a whole-record test), which the next slow test of the
    same worker would otherwise sit on top of."""
    if item.get_closest_marker("slow") and sys.platform == "linux":
        import ctypes
        import gc

        gc.collect()
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _group_node_id(item) -> None:
    """``--dist loadgroup`` for pytest 9: the scheduler reads an item's group from the suffix
    ``@GROUP`` of its node id, which pytest-xdist 3.8 writes to ``item._nodeid``, an attribute
    pytest 9 no longer reads (it keeps the id in ``item._id``); without this every test is
    scheduled alone. Does nothing when the id already carries the suffix.

    Upstream: pytest-dev/pytest-xdist#1386 (open; fix proposed in #1388). Remove this once a
    released pytest-xdist groups tests under pytest 9 by itself."""
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # a pytest whose node ids xdist still writes itself (pytest 8)
        return
    names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                    for mark in item.iter_markers("xdist_group")})
    nodeid = item.nodeid
    if not names or nodeid.rfind("@") > nodeid.rfind("]") or not hasattr(item, "_id"):
        return
    item._id = NodeId.parse(f"{nodeid}@{'_'.join(names)}")
