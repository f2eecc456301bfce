"""Shared fixtures: the seed article folder and the seed data built into real stores.

Building takes about a second, so each store is built once per session. Tests that change a
store build their own; these two are read-only (the oxigraph one is opened read-only).
"""

from __future__ import annotations

import fcntl
import json
import os
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
# (``--dist loadgroup`` cannot keep these tests on one worker: pytest-xdist 3.8 sets a node id
# attribute that pytest 9 no longer reads.) Tests that use it are marked ``slow``.

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


def pytest_collection_modifyitems(config, items):
    """Tests on the whole UN record are slow."""
    for item in items:
        if FULL_RECORD_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
