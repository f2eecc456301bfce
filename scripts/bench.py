"""`make bench`: stancegraph on the UN General Assembly votes, against the floor and the baselines.

Measures, on ``../shared/data/unvotes/`` (whole record, and 10% / 1% slices of the roll calls):

- import time and claims per second into the on-disk store, against the floor: pyoxigraph bulk
  loading the same triples from an N-Triples file, no processing of ours (ratio);
- the same import into rdflib's default in-memory store on the 1% and 10% slices (ratio);
- agreement of all states over all roll calls, and over the human rights roll calls, from the
  store (one SPARQL projection, then the agreement matrix) against the same S scores computed in
  pandas straight from the CSV (ratio; the two matrices must be equal), and the whole
  ``clusters`` analysis (communities, camps, swing states);
- gaps and balance on the state graph; latency of each named query (p50, p99);
- peak resident memory of each step (each step runs in its own process: ``ru_maxrss``);
- the same import and queries against the oxigraph server (pip package ``oxigraph``);
- every CLI command on the seed data (wall time, target under 1 s), and that
  ``stancegraph --help`` imports neither pyvis, pandas nor SciPy.

Prints a table and writes it as JSON (``build/bench.json``). Not part of ``make test``.

    python scripts/bench.py [--data DIR] [--slices 1,10,100] [--out build/bench.json]
                            [--no-server] [--no-rdflib] [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "unvotes"
FILES = ("un_votes.csv", "un_roll_calls.csv", "un_roll_call_issues.csv")
VOTE_VALUES = {"yes": 1.0, "abstain": 0.0, "no": -1.0}
GIB = 1 << 30


# ------------------------------------------------------------------------------ steps
# Each step runs in a fresh process (``bench.py --step NAME ARGS``) and prints one JSON object.

def step_import(store_uri: str, folder: str) -> dict:
    """Build nothing, import the votes folder into the store (the ``import`` command's code)."""
    from graph.sources.runner import run_import
    from graph.store import open_store

    store = open_store(store_uri)
    started = time.perf_counter()
    reports = run_import(store, "unvotes", [Path(folder)])
    seconds = time.perf_counter() - started
    claims = sum(r.claims for r in reports)
    triples = store.count_triples()
    store.close()
    return {"seconds": seconds, "claims": claims, "triples": triples}


def step_build_seed(store_uri: str) -> dict:
    from graph.build import build
    from graph.store import open_store

    store = open_store(store_uri)
    started = time.perf_counter()
    report = build(store)
    seconds = time.perf_counter() - started
    store.close()
    return {"seconds": seconds, "triples": report.triples}


def step_dump(store_path: str, target: str) -> dict:
    """Every triple of the store as one N-Triples file (the floor's input)."""
    import pyoxigraph as ox

    from graph.store import open_store

    store = open_store(f"oxigraph:{store_path}", read_only=True).store
    count = 0
    with open(target, "wb") as out:
        for graph in store.named_graphs():
            store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
    with open(target, "rb") as handle:
        count = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return {"triples": count}


def step_floor(nt_file: str, store_path: str) -> dict:
    """pyoxigraph alone: bulk load the N-Triples file into a fresh on-disk store."""
    import pyoxigraph as ox

    started = time.perf_counter()
    store = ox.Store(store_path)
    store.bulk_load(path=nt_file, format=ox.RdfFormat.N_TRIPLES,
                    to_graph=ox.NamedNode("https://stancegraph.org/graph/floor"))
    store.flush()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "triples": len(store)}


def step_agreement_store(store_uri: str, issue: str, matrix_out: str) -> dict:
    """The store's projection (one SPARQL query) and the agreement matrix over roll calls."""
    from graph.algorithms.clusters import agreement_matrix, position_matrix
    from graph.analysis.project import position_items
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    started = time.perf_counter()
    items = position_items(store, issue=issue or None)
    items = items[items["item"].str.startswith("unga-rcid-")]
    matrix = position_matrix(items, item="item")
    agreement = agreement_matrix(matrix)
    seconds = time.perf_counter() - started
    agreement.to_pickle(matrix_out)
    return {"seconds": seconds, "states": len(agreement), "roll_calls": matrix.shape[1],
            "votes": int(matrix.notna().sum().sum())}


def step_agreement_pandas(folder: str, issue: str, matrix_out: str) -> dict:
    """What a researcher writes instead: the S scores straight from the CSV with pandas/numpy."""
    import numpy as np
    import pandas as pd

    from graph.sources.countries import iso3_from_code, iso3_from_name

    started = time.perf_counter()
    votes = pd.read_csv(Path(folder) / "un_votes.csv", keep_default_na=False,
                        usecols=["rcid", "country", "country_code", "vote"])
    issues = pd.read_csv(Path(folder) / "un_roll_call_issues.csv")
    if issue:  # the human rights roll calls (those on the DPRK included): issue code "hr"
        votes = votes[votes["rcid"].isin(issues.loc[issues["short_name"] == "hr", "rcid"])]
    votes = votes[votes["vote"].isin(list(VOTE_VALUES))]
    # The state of a row: its ISO code, or its name when the code is empty (as the importer).
    key = votes["country_code"].where(votes["country_code"] != "", "name:" + votes["country"])
    codes = {k: iso3_from_name(k[5:]) if k.startswith("name:") else iso3_from_code(k)
             for k in key.unique()}
    votes = votes.assign(actor=key.map(codes), position=votes["vote"].map(VOTE_VALUES))
    votes = votes[votes["actor"].notna()]
    table = votes.pivot_table(index="actor", columns="rcid", values="position", aggfunc="mean")
    x = table.to_numpy(dtype=float)
    present = ~np.isnan(x)
    x0 = np.where(present, x, 0.0)
    mask = present.astype(float)
    common = mask @ mask.T
    distance = np.zeros_like(common)
    for i in range(len(x0)):  # sum over common roll calls of |x_i - x_j|
        distance[i] = (np.abs(x0 - x0[i]) * (mask * mask[i])).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        agreement = 1.0 - distance / common
    agreement[common == 0] = np.nan
    np.fill_diagonal(agreement, 1.0)
    frame = pd.DataFrame(agreement, index=table.index, columns=table.index)
    seconds = time.perf_counter() - started
    frame.to_pickle(matrix_out)
    return {"seconds": seconds, "states": len(frame), "roll_calls": table.shape[1],
            "votes": int(present.sum())}


def step_clusters(store_uri: str, issue: str) -> dict:
    """The whole ``clusters`` analysis: agreement, Louvain communities, camps, swing states."""
    from graph.analysis import run_clusters
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    started = time.perf_counter()
    result = run_clusters(store, issue=issue or None)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "states": len(result.actors),
            "communities": len(result.communities), "swing": len(result.swing)}


def step_gaps_balance(store_uri: str) -> dict:
    from graph.analysis import run_balance, run_gaps
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    started = time.perf_counter()
    gaps = run_gaps(store)
    middle = time.perf_counter()
    balance = run_balance(store)
    end = time.perf_counter()
    return {"gaps_seconds": middle - started, "balance_seconds": end - middle,
            "gaps": len(gaps), "signed_edges": balance.graph.number_of_edges()}


def step_queries(store_uri: str, runs: int) -> dict:
    """Latency of each named query with its example parameters: p50 and p99 over ``runs``."""
    from graph.store import open_store
    from graph.store.query import named_queries, run_query

    store = open_store(store_uri, read_only=True)
    found = {}
    for name, query in named_queries().items():
        params = {}
        for part in query.example.split("--param")[1:]:
            key, _, value = part.strip().split()[0].partition("=")
            params[key] = value
        times, rows = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            rows = len(list(run_query(store, query.text, params, query.parameters)))
            times.append(time.perf_counter() - started)
        times.sort()
        found[name] = {"p50": statistics.median(times),
                       "p99": times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))],
                       "rows": rows}
    return found


def step_render(store_uri: str, page: str) -> dict:
    """``stancegraph render`` (the default claims view, aggregated above the node budget)."""
    from graph.explorer.render import render
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    started = time.perf_counter()
    report = render(store, page)
    return {"seconds": time.perf_counter() - started, "nodes": report.nodes,
            "edges": report.edges, "bytes": Path(page).stat().st_size}


def step_open_page(page: str) -> dict:
    """Headless Chromium (Debian's) opens the page until the explorer says it is ready."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 900})
            started = time.perf_counter()
            tab.goto(Path(page).resolve().as_uri())
            tab.wait_for_function("window.sgReady === true", timeout=120_000)
            seconds = time.perf_counter() - started
            nodes, edges = tab.evaluate("[nodes.length, edges.length]")
        finally:
            browser.close()
    return {"seconds": seconds, "nodes": nodes, "edges": edges}


def step_help_imports() -> dict:
    sys.argv = ["stancegraph", "--help"]
    import io
    from contextlib import redirect_stdout

    from graph.cli import main

    with redirect_stdout(io.StringIO()):
        try:
            main()
        except SystemExit:
            pass
    heavy = ("pyvis", "pandas", "scipy", "networkx", "rdflib", "pyoxigraph", "numpy")
    return {"imported": sorted(m for m in heavy if m in sys.modules)}


STEPS = {name.removeprefix("step_").replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("step_")}


# ------------------------------------------------------------------------------ the runner

class Bench:
    """Runs steps in subprocesses and collects rows for the table."""

    def __init__(self, work: Path, timeout: float):
        self.work = work
        self.timeout = timeout
        self.steps = 0
        self.rows: list[dict] = []

    def run(self, name: str, *args, label: str | None = None, timeout: float | None = None) -> dict:
        """Run a step in its own process; its JSON plus wall time and peak RSS."""
        timeout = timeout or self.timeout
        self.steps += 1
        out = self.work / f"step-{self.steps}.json"
        err = self.work / f"step-{self.steps}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            started = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, __file__, "--step", name, json.dumps(list(args))],
                stdout=stdout, stderr=stderr, cwd=ROOT,
            )
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() - started > timeout:
                    process.kill()
                    _, status, usage = os.wait4(process.pid, 0)
                    print(f"  {label or name}: stopped after {timeout:.0f} s", flush=True)
                    return {"timed_out": timeout, "seconds": None, "wall": timeout,
                            "peak_rss_mib": usage.ru_maxrss / 1024}
                time.sleep(0.05)
            wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:  # reported in the table; the other steps go on
            tail = err.read_text().strip().splitlines()[-1:] or ["no message"]
            print(f"  {label or name}: FAILED: {tail[0]}", flush=True)
            return {"error": tail[0][:200], "seconds": None, "wall": wall,
                    "peak_rss_mib": usage.ru_maxrss / 1024}
        result = json.loads(out.read_text().strip().splitlines()[-1])
        result["wall"] = wall
        result["peak_rss_mib"] = usage.ru_maxrss / 1024  # Linux: KiB
        print(f"  {label or name}: {wall:.1f} s, {result['peak_rss_mib']:.0f} MiB", flush=True)
        return result

    def row(self, step: str, data: str, seconds: float | None, *, ratio=None, target=None,
            rss=None, note: str = "") -> None:
        self.rows.append({"step": step, "data": data, "seconds": seconds, "ratio": ratio,
                          "target": target, "peak_rss_mib": rss, "note": note})


def _seconds(result: dict) -> float | None:
    return result.get("seconds")


def _ratio(a, b) -> float | None:
    return a / b if a is not None and b else None


def _stopped(result: dict) -> str:
    if result.get("error"):
        return f"FAILED: {result['error']}"
    return f"stopped after {result['timed_out']:.0f} s" if result.get("timed_out") else ""


def per_slice(bench: Bench, options, work: Path, percent: int, folder: Path, label: str) -> dict:
    """Import, floor, baselines, agreement, clusters, gaps, balance, queries on one slice."""
    folder = str(folder)
    path = work / f"store-{percent}"
    uri = f"oxigraph:{path}"
    entry: dict = {"seed": bench.run("build-seed", uri, label="build the seed")}
    imported = entry["import"] = bench.run("import", uri, folder, label="import into oxigraph:PATH")
    nt = work / f"floor-{percent}.nt"
    dumped = entry["triples"] = bench.run("dump", str(path), str(nt), label="dump N-Triples")
    floor = entry["floor"] = bench.run("floor", str(nt), str(work / f"floor-{percent}"),
                                       label="floor: pyoxigraph bulk_load")
    nt.unlink(missing_ok=True)
    shutil.rmtree(work / f"floor-{percent}", ignore_errors=True)
    claims = imported.get("claims") or 0
    bench.row("import (oxigraph on disk)", label, _seconds(imported),
              ratio=_ratio(_seconds(imported), _seconds(floor)), target="<= 2x floor",
              rss=imported["peak_rss_mib"],
              note=_stopped(imported) or f"{claims:,} claims, "
                   f"{claims / imported['seconds']:,.0f} claims/s, "
                   f"{imported['triples']:,} triples")
    bench.row("floor: pyoxigraph bulk_load of the same N-Triples", label, _seconds(floor),
              rss=floor["peak_rss_mib"],
              note=_stopped(floor) or f"{dumped.get('triples', 0):,} triples")
    if percent <= 10 and not options.no_rdflib:
        rdflib = entry["rdflib"] = bench.run("import", "memory:", folder,
                                             label="import into memory:")
        bench.row("import (rdflib memory:)", label, _seconds(rdflib),
                  ratio=_ratio(_seconds(rdflib), _seconds(imported)),
                  rss=rdflib["peak_rss_mib"], note=_stopped(rdflib) or "ratio: rdflib / ours")
    for issue, what in (("", "all roll calls"),
                        ("human rights", "human rights roll calls")):
        ours = work / f"agreement-{percent}-{bool(issue)}-store.pkl"
        theirs = work / f"agreement-{percent}-{bool(issue)}-pandas.pkl"
        cold = bench.run("agreement-store", uri, issue, str(ours),
                         label=f"agreement from the store, first time ({what})")
        warm = bench.run("agreement-store", uri, issue, str(ours),
                         label=f"agreement from the store, again ({what})")
        pandas = bench.run("agreement-pandas", folder, issue, str(theirs),
                           label=f"agreement in pandas from the CSV ({what})")
        note = _stopped(cold)
        if not note:
            difference = equal_matrices(ours, theirs)
            assert difference < 1e-9, f"agreement matrices differ by {difference}"
            note = (f"{cold['states']} states x {cold['roll_calls']} roll calls, "
                    f"{cold['votes']:,} votes; equal to pandas (max diff {difference:.1e})")
        bench.row(f"agreement, {what}: store, first query", label, _seconds(cold),
                  ratio=_ratio(_seconds(cold), _seconds(pandas)), target="<= 3x pandas",
                  rss=cold["peak_rss_mib"], note=note)
        bench.row(f"agreement, {what}: store, again (cached answer)", label, _seconds(warm),
                  ratio=_ratio(_seconds(warm), _seconds(pandas)), target="<= 3x pandas",
                  rss=warm["peak_rss_mib"], note=_stopped(warm))
        bench.row(f"agreement, {what}: pandas from the CSV", label, _seconds(pandas),
                  rss=pandas["peak_rss_mib"])
        clusters = bench.run("clusters", uri, issue, label=f"clusters ({what})")
        bench.row(f"clusters, {what} (whole analysis, answer cached)", label, _seconds(clusters),
                  ratio=_ratio(_seconds(clusters), _seconds(pandas)),
                  rss=clusters["peak_rss_mib"],
                  note=_stopped(clusters) or f"{clusters['communities']} communities, "
                                             f"{clusters['swing']} swing states")
        entry[f"agreement {what}"] = {"store": cold, "store_again": warm, "pandas": pandas,
                                      "clusters": clusters}
    gb = entry["gaps_balance"] = bench.run("gaps-balance", uri, label="gaps and balance")
    bench.row("gaps", label, gb.get("gaps_seconds"), rss=gb["peak_rss_mib"],
              note=_stopped(gb) or f"{gb['gaps']} gaps")
    bench.row("balance", label, gb.get("balance_seconds"),
              note=_stopped(gb) or f"{gb['signed_edges']} signed edges")
    page = work / f"render-{percent}.html"
    rendered = entry["render"] = bench.run("render", uri, str(page), label="render")
    bench.row("render (claims view, aggregated)", label, _seconds(rendered),
              rss=rendered["peak_rss_mib"],
              note=_stopped(rendered) or f"{rendered['nodes']} nodes, {rendered['edges']} edges, "
                                         f"{rendered['bytes'] / 1024:.0f} kB")
    if not rendered.get("error") and os.access("/usr/bin/chromium", os.X_OK):
        opened = entry["open_page"] = bench.run("open-page", str(page), label="open in Chromium")
        bench.row("page opens in headless Chromium", label, _seconds(opened),
                  target="a few seconds", rss=opened["peak_rss_mib"],
                  note=_stopped(opened) or "until the explorer is ready (window.sgReady)")
    runs = options.runs if percent < 100 else max(3, options.runs // 4)
    queries = entry["queries"] = bench.run("queries", uri, runs,
                                           label=f"named queries ({runs} runs each)")
    for name, q in queries.items():
        if isinstance(q, dict):
            bench.row(f"query {name} (p50)", label, q["p50"],
                      note=f"p99 {q['p99'] * 1000:.0f} ms over {runs} runs, {q['rows']} rows",
                      rss=queries["peak_rss_mib"])
    if queries.get("timed_out"):
        bench.row("named queries", label, None, note=_stopped(queries))
    return entry


def on_server(bench: Bench, options, work: Path, server, percent: int, folder: Path,
              label: str, local: dict) -> dict:
    """The seed, the import and the queries against an oxigraph server."""
    # The whole record goes in with write=direct (a first load of a fresh server): the atomic
    # swap (MOVE) copies every triple once more inside one transaction.
    direct = percent >= 100
    uri = server.uri + ("?write=direct" if direct else "")
    entry = {"seed": bench.run("build-seed", uri, label="build the seed")}
    imported = entry["import"] = bench.run("import", uri, str(folder),
                                           label="import into the oxigraph server")
    bench.row("import (oxigraph server" + (", write=direct)" if direct else ", atomic)"), label,
              _seconds(imported),
              ratio=_ratio(_seconds(imported), _seconds(local["import"])),
              rss=imported["peak_rss_mib"],
              note=_stopped(imported) or f"ratio: server / on disk; "
                                         f"{imported['claims']:,} claims")
    a = entry["agreement"] = bench.run("agreement-store", uri, "", str(work / "server.pkl"),
                                       label="agreement from the server")
    bench.row("agreement, all roll calls (oxigraph server)", label,
              _seconds(a), rss=a["peak_rss_mib"], note=_stopped(a))
    queries = entry["queries"] = bench.run("queries", uri, max(5, options.runs // 4),
                                           label="named queries on the server")
    for name, q in queries.items():
        if isinstance(q, dict):
            bench.row(f"query {name} on the server (p50)", label, q["p50"],
                      note=f"p99 {q['p99'] * 1000:.0f} ms, {q['rows']} rows")
    return entry


def make_slices(data: Path, work: Path, percents: list[int]) -> dict[int, Path]:
    """Folders holding every k-th roll call (by rcid) with its votes and issues."""
    import pandas as pd

    folders = {}
    calls = pd.read_csv(data / "un_roll_calls.csv", keep_default_na=False, dtype=str)
    votes = pd.read_csv(data / "un_votes.csv", keep_default_na=False, dtype=str)
    issues = pd.read_csv(data / "un_roll_call_issues.csv", keep_default_na=False, dtype=str)
    order = sorted(calls["rcid"].astype(int))
    for percent in percents:
        if percent >= 100:
            folders[percent] = data
            continue
        keep = {str(r) for r in order[:: max(1, round(100 / percent))]}
        folder = work / f"unvotes-{percent}pct"
        folder.mkdir(parents=True, exist_ok=True)
        calls[calls["rcid"].isin(keep)].to_csv(folder / FILES[1], index=False)
        votes[votes["rcid"].isin(keep)].to_csv(folder / FILES[0], index=False)
        issues[issues["rcid"].isin(keep)].to_csv(folder / FILES[2], index=False)
        folders[percent] = folder
    return folders


def cli_on_seed(bench: Bench, work: Path) -> None:
    """Wall time of every CLI command on the seed (median of 3 runs) against the 1 s target."""
    from graph.store.query import named_queries

    store = f"oxigraph:{work / 'seed-store'}"
    exe = [sys.executable, "-m", "graph"]
    commands = [["--help"], ["build", "--store", store]]
    for name, query in named_queries().items():
        args = query.example.split("stancegraph ", 1)[-1].split() if query.example else \
            ["query", name]
        commands.append([*args, "--store", store])
    commands += [[c, "--store", store] for c in ("gaps", "balance", "clusters")]
    commands += [["actor", "KOR", "--store", store], ["export", "turtle", "--store", store],
                 ["export", "gexf", "--store", store],
                 ["render", "-o", str(work / "seed.html"), "--store", store]]
    for command in commands:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            done = subprocess.run([*exe, *command], capture_output=True, cwd=ROOT)
            times.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise RuntimeError(f"{command}: {done.stderr.decode()[-2000:]}")
        shown = " ".join(a for a in command if not a.startswith(("oxigraph:", "--store")))
        bench.row(f"stancegraph {shown}", "seed", statistics.median(times), target="< 1 s",
                  note="OK" if statistics.median(times) < 1.0 else "over 1 s")


def equal_matrices(a_path: Path, b_path: Path) -> float:
    """Largest difference between two agreement matrices (same states, NaN in the same places)."""
    import numpy as np
    import pandas as pd

    a, b = pd.read_pickle(a_path), pd.read_pickle(b_path)
    states = sorted(set(a.index) & set(b.index))
    if set(a.index) != set(b.index):
        raise AssertionError(f"different states: {sorted(set(a.index) ^ set(b.index))}")
    x = a.loc[states, states].to_numpy()
    y = b.loc[states, states].to_numpy()
    if not (np.isnan(x) == np.isnan(y)).all():
        raise AssertionError("the matrices have NaN in different places")
    return float(np.nanmax(np.abs(x - y)))


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    import pyoxigraph

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory / GIB, 1),
            "os": platform.platform(), "python": platform.python_version(),
            "pyoxigraph": pyoxigraph.__version__,
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--slices", default="1,10,100", help="percent of the roll calls")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    parser.add_argument("--no-server", action="store_true", help="skip the oxigraph server")
    parser.add_argument("--no-rdflib", action="store_true", help="skip rdflib's store")
    parser.add_argument("--runs", type=int, default=20, help="runs of each named query")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds a step may take before it is stopped (and reported)")
    options = parser.parse_args(argv)
    if options.step:
        result = STEPS[options.step](*json.loads(options.args or "[]"))
        print(json.dumps(result))
        return 0

    if not (options.data / FILES[0]).is_file():
        print(f"no UN votes in {options.data} (expected {FILES[0]})", file=sys.stderr)
        return 1
    percents = sorted(int(p) for p in options.slices.split(","))
    work = Path(tempfile.mkdtemp(prefix="stancegraph-bench-", dir=ROOT / "build"
                                 if (ROOT / "build").is_dir() else None))
    bench = Bench(work, options.timeout)
    info = machine()
    print(f"stancegraph bench on {info['cpu']} ({info['cores']} cores, {info['memory_gib']} GiB)"
          f"; work folder {work}", flush=True)
    folders = make_slices(options.data, work, percents)
    results: dict = {"machine": info, "slices": {}}
    server = None
    try:
        for percent in percents:
            label = "whole record" if percent >= 100 else f"{percent}% slice"
            print(f"{label}:", flush=True)
            results["slices"][label] = per_slice(bench, options, work, percent, folders[percent],
                                                 label)
            save(options.out, results, bench)

        if not options.no_server:
            sys.path.insert(0, str(ROOT / "tests"))
            from servers import oxigraph_binary, start_oxigraph

            if oxigraph_binary() is None:
                print("skipping the oxigraph server: pip install oxigraph", file=sys.stderr)
            else:
                results["oxigraph-server"] = {}
                for percent in percents:
                    label = "whole record" if percent >= 100 else f"{percent}% slice"
                    print(f"oxigraph server, {label}:", flush=True)
                    server = start_oxigraph(work / f"server-{percent}")
                    results["oxigraph-server"][label] = on_server(
                        bench, options, work, server, percent, folders[percent], label,
                        results["slices"][label])
                    server.stop()
                    server = None
                    shutil.rmtree(work / f"server-{percent}", ignore_errors=True)
                    save(options.out, results, bench)

        print("CLI on the seed:", flush=True)
        cli_on_seed(bench, work)
        helped = bench.run("help-imports", label="stancegraph --help imports")
        imported = helped.get("imported", [])
        bad = [m for m in imported if m in ("pyvis", "pandas", "scipy")]
        bench.row("stancegraph --help: heavy imports", "-", None,
                  note=("none of pyvis, pandas, SciPy" if not bad else f"IMPORTS {bad}")
                  + f"; imported: {', '.join(imported) or 'none'}")
    finally:
        if server is not None:
            server.stop()
    save(options.out, results, bench)
    print()
    print(markdown_table(bench.rows, info))
    print(f"\nwrote {options.out}; peak RSS of any step "
          f"{results['peak_rss_max_mib']:.0f} MiB (target < 4 GiB)")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def save(out: Path, results: dict, bench: Bench) -> None:
    """Write the results so far (after every slice: a long run that fails keeps them)."""
    results["table"] = bench.rows
    results["peak_rss_max_mib"] = max((r["peak_rss_mib"] or 0) for r in bench.rows) \
        if bench.rows else 0
    results["markdown"] = markdown_table(bench.rows, results["machine"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))


def markdown_table(rows: list[dict], info: dict) -> str:
    """The table as Markdown (the README's Performance section holds a copy)."""
    lines = [
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB RAM, "
        f"{info['os']}, Python {info['python']}, pyoxigraph {info['pyoxigraph']}.",
        "",
        "| step | data | time | ratio | target | peak RSS | notes |",
        "|---|---|---:|---:|---|---:|---|",
    ]
    for r in rows:
        seconds = "" if r["seconds"] is None else (
            f"{r['seconds'] * 1000:.0f} ms" if r["seconds"] < 1 else f"{r['seconds']:.1f} s")
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        rss = "" if r["peak_rss_mib"] is None else f"{r['peak_rss_mib']:.0f} MiB"
        lines.append(f"| {r['step']} | {r['data']} | {seconds} | {ratio} | {r['target'] or ''} "
                     f"| {rss} | {r['note']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
