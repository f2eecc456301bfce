"""Nothing lost: a build or import killed with SIGKILL at any moment leaves the on-disk store as
it was before or as it is after, and readers keep answering while a writer writes.

Each trial copies a store holding state A, starts ``stancegraph build`` (or ``import``) that
would turn it into state B, kills it (SIGKILL) after a random delay -- half the trials anywhere
in the run, half inside the write itself (from the moment the new generation's folder appears) --
then opens the store and compares a digest of its sorted quads with A's and B's. Seeded, so a
failure can be replayed; bounded in time by the size of the data.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graph.store import open_store

STANCEGRAPH = [sys.executable, "-m", "graph"]
TRIALS = 20
SEED = 20240607


def digest(path: Path) -> tuple[int, str]:
    """(quad count, sha256 of the sorted N-Quads) of the store at ``path``, opened read-only."""
    store = open_store(f"oxigraph:{path}", read_only=True)
    try:
        lines = sorted(f"{s.n3()} {p.n3()} {o.n3()} {g.n3()}" for s, p, o, g in store.quads())
    finally:
        store.close()
    return len(lines), hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def extra_data(folder: Path, version: int) -> Path:
    """A data file of plain triples whose content (and size) depends on ``version``."""
    things = 500 + 100 * version
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             "@prefix ex: <https://example.org/thing/> ."]
    lines += [f'ex:t{i}-{version} rdfs:label "thing {i}, version {version}" .'
              for i in range(things)]
    (folder / "extra.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def run_build(store: Path, data: Path) -> None:
    done = subprocess.run([*STANCEGRAPH, "build", str(data), "--store", f"oxigraph:{store}"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """A store in state A (the seed and extra data version 1) and the digests of A and B (the
    seed and version 2), with the command that takes A to B and its timings."""
    root = tmp_path_factory.mktemp("crash")
    v1, v2 = extra_data(root / "v1", 1), extra_data(root / "v2", 2)
    before = root / "before"
    run_build(before, v1)
    after = root / "after"
    shutil.copytree(before, after)
    command = [*STANCEGRAPH, "build", str(v2), "--store"]
    started = time.monotonic()
    run_build(after, v2)
    total = time.monotonic() - started
    a, b = digest(before), digest(after)
    assert a != b
    return {"root": root, "before": before, "A": a, "B": b, "command": command, "total": total}


def _partial_appears(store: Path, process: subprocess.Popen, limit: float) -> bool:
    """Wait until the writer creates its new generation folder (or exits); True if it did."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        if any(name.endswith(".partial") for name in os.listdir(store)):
            return True
        time.sleep(0.0005)
    return False


def test_a_killed_build_leaves_the_store_before_or_after(states):
    rng = random.Random(SEED)
    outcomes = {"A": 0, "B": 0}
    in_write = 0
    for trial in range(TRIALS):
        store = states["root"] / f"trial-{trial}"
        shutil.copytree(states["before"], store)
        process = subprocess.Popen([*states["command"], f"oxigraph:{store}"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            if trial % 2:  # inside the write: from the new generation's folder on
                if _partial_appears(store, process, 120):
                    in_write += 1
                    time.sleep(rng.uniform(0, 0.3))
            else:  # anywhere in the run
                time.sleep(rng.uniform(0, states["total"] * 1.1))
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait(60)
        found = digest(store)
        assert found in (states["A"], states["B"]), (
            f"trial {trial} (seed {SEED}): the store holds {found[0]} quads, neither state"
        )
        outcomes["A" if found == states["A"] else "B"] += 1
        if trial == TRIALS - 1:
            run_build(store, states["root"] / "v2")  # a later write recovers and cleans up
            assert digest(store) == states["B"]
            assert not [p for p in os.listdir(store) if p.endswith(".partial")]
        shutil.rmtree(store)
    assert in_write >= TRIALS // 4, "too few kills landed inside the write"
    assert outcomes["A"] and outcomes["B"], outcomes


def test_a_failed_write_changes_nothing(tmp_path):
    from rdflib import Literal, URIRef

    from graph.errors import StoreError

    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    good = (URIRef("http://x/s"), URIRef("http://x/p"), Literal("o"))
    store.replace_graphs({URIRef("https://stancegraph.org/graph/a"): [good]})
    before = digest(tmp_path / "store")
    with pytest.raises(StoreError):
        store.replace_graphs({URIRef("https://stancegraph.org/graph/b"):
                              [good, (URIRef("http://x/not an iri"), good[1], good[2])]})
    assert digest(tmp_path / "store") == before
    assert not [p for p in os.listdir(tmp_path / "store") if p.endswith(".partial")]
    store.close()


# ------------------------------------------------------------------------------ readers

READER = textwrap.dedent("""
    import os, sys, time
    from graph.store import open_store
    store = open_store("oxigraph:" + sys.argv[1], read_only=True)
    deadline = time.monotonic() + 600
    seen = []
    while time.monotonic() < deadline and not os.path.exists(sys.argv[2]):
        n = store.select_rows("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
        if not seen or seen[-1] != n:
            seen.append(n)
        time.sleep(0.01)
    print(" ".join(map(str, seen)))
""")


def test_readers_keep_answering_while_a_writer_writes(states, tmp_path):
    """A long-lived reader (one open store, as ``serve`` keeps), short-lived CLI queries and the
    HTTP server all answer while builds switch the store between A and B, always with A or B."""
    import httpx
    from stores import serving

    from graph.server.app import create_app

    store = tmp_path / "store"
    shutil.copytree(states["before"], store)
    counts = {states["A"][0], states["B"][0]}
    versions = [states["root"] / "v2", states["root"] / "v1"]
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(store), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    app = create_app(f"oxigraph:{store}", workers=1, query_timeout=30.0)
    answers, cli_answers = [], []
    try:
        with serving(app) as base:
            writer = None
            for data in versions:
                writer = subprocess.Popen([*STANCEGRAPH, "build", str(data), "--store",
                                           f"oxigraph:{store}"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                while writer.poll() is None:
                    response = httpx.post(
                        f"{base}/sparql", timeout=60,
                        data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                        headers={"Accept": "application/sparql-results+json"},
                    )
                    assert response.status_code == 200, response.text
                    answers.append(int(response.json()["results"]["bindings"][0]["n"]["value"]))
                    done = subprocess.run(
                        [*STANCEGRAPH, "query", "--format", "csv", "--store", f"oxigraph:{store}",
                         "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"],
                        capture_output=True, text=True, timeout=120,
                    )
                    assert done.returncode == 0, done.stderr
                    cli_answers.append(int(done.stdout.split()[-1]))
                assert writer.wait() == 0, writer.stderr.read()
            time.sleep(0.2)
            response = httpx.post(f"{base}/sparql", timeout=60, headers={
                "Accept": "application/sparql-results+json"},
                data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
            final = int(response.json()["results"]["bindings"][0]["n"]["value"])
    finally:
        stop.touch()
    out, err = reader.communicate(timeout=60)
    assert answers and cli_answers
    assert set(answers) <= counts and set(cli_answers) <= counts
    assert final == states["A"][0]  # the server moved on to the last build's generation
    seen = [int(n) for n in out.split()] if out.strip() else []
    assert reader.returncode == 0, err
    assert len(seen) >= 2, f"the long-lived reader never saw a new generation: {seen}"
    assert set(seen) <= counts, (seen, err)
    # Old generations are deleted once no reader holds them; at most a few are left.
    assert len([p for p in os.listdir(store) if p.startswith("gen-") and
                Path(store, p).is_dir()]) <= 3


# ------------------------------------------------------------------------------ leftovers

BULK_WRITER = textwrap.dedent("""
    import sys, time
    from rdflib import URIRef
    from graph.store import open_store
    store = open_store("oxigraph:" + sys.argv[1])
    def lines():
        for i in range(5000):
            yield f"<http://x/s{i}> <http://x/p> <http://x/o> .\\n"
        open(sys.argv[2], "w").close()  # the spool holds lines now: kill me
        time.sleep(600)
    store.replace_graph_bulk(URIRef("https://stancegraph.org/graph/import/x/y"), lines())
""")


def _spools(store: Path) -> list[str]:
    return sorted(n for n in os.listdir(store) if n.startswith("bulk-") and n.endswith(".partial"))


def _wait_for(path: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "the bulk writer never got going"
        time.sleep(0.01)


def test_a_killed_bulk_import_leaves_no_spool_after_the_next_open(tmp_path):
    """Issue 14 item 9: ``bulk-*.nt.partial`` of a killed import went on filling the folder."""
    from rdflib import Literal, URIRef

    store = tmp_path / "store"
    first = open_store(f"oxigraph:{store}")
    first.replace_graphs({URIRef("https://stancegraph.org/graph/a"):
                          [(URIRef("http://x/s"), URIRef("http://x/p"), Literal("o"))]})
    first.close()
    before = digest(store)
    ready = tmp_path / "ready"
    writer = subprocess.Popen([sys.executable, "-c", BULK_WRITER, str(store), str(ready)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(ready, writer)
        assert len(_spools(store)) == 1
        open_store(f"oxigraph:{store}", read_only=True).close()
        assert len(_spools(store)) == 1, "a live import's spool was deleted"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(60)
    assert len(_spools(store)) == 1  # what a killed import leaves
    reader = open_store(f"oxigraph:{store}", read_only=True)
    assert _spools(store) == []
    assert reader.count_triples() == 1
    reader.close()
    assert digest(store) == before


def test_the_next_open_for_writing_deletes_a_killed_writers_partial_generation(tmp_path):
    from rdflib import Literal, URIRef

    store = tmp_path / "store"
    first = open_store(f"oxigraph:{store}")
    first.replace_graphs({URIRef("https://stancegraph.org/graph/a"):
                          [(URIRef("http://x/s"), URIRef("http://x/p"), Literal("o"))]})
    first.close()
    (store / "gen-000002.0123456789ab.partial").mkdir()  # as a writer killed mid-write leaves
    (store / "gen-000002.0123456789ab.partial" / "000001.sst").write_bytes(b"x" * 1000)
    open_store(f"oxigraph:{store}", read_only=True).close()
    assert (store / "gen-000002.0123456789ab.partial").exists()  # readers leave it to writers
    writer = open_store(f"oxigraph:{store}")
    assert not [n for n in os.listdir(store) if n.endswith(".partial")]
    assert writer.count_triples() == 1
    writer.close()


def test_build_refuses_an_empty_source_folder(tmp_path):
    """Issue 14 item 9: ``build --no-bundled EMPTY`` replaced every hand-coded claim by nothing."""
    store = tmp_path / "store"
    run_build(store, extra_data(tmp_path / "v1", 1))
    before = digest(store)
    empty = tmp_path / "empty"
    empty.mkdir()
    for args in ([str(empty)], ["--no-bundled", str(empty)], ["--no-bundled"]):
        done = subprocess.run([*STANCEGRAPH, "build", *args, "--store", f"oxigraph:{store}"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, (args, done.stderr)
        error = done.stderr.strip().splitlines()[-1]
        assert error.startswith("Error: ") and "--allow-empty" in error, error
        if args[-1] == str(empty):
            assert f"{empty}: no .ttl data files" in error
        assert digest(store) == before, args
    done = subprocess.run([*STANCEGRAPH, "build", "--no-bundled", str(empty), "--allow-empty",
                           "--store", f"oxigraph:{store}"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    emptied = open_store(f"oxigraph:{store}", read_only=True)
    assert not emptied.select_rows("SELECT ?c WHERE { ?c a sg:Claim } LIMIT 1")
    emptied.close()
