"""Shared fixtures: the seed article folder and the seed data built into real stores.

Building takes about a second, so each store is built once per session. Tests that change a
store build their own; these two are read-only (the oxigraph one is opened read-only).
"""

from __future__ import annotations

from pathlib import Path

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
