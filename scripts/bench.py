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
  ``stancegraph --help`` imports neither pyvis, pandas nor SciPy;
- the analyses of issue 15 (``ANALYSES`` below: gaps, actor, clusters, ...), each as a ratio to
  the pandas agreement matrix of the same slice measured in the same run (the floor), against
  its target; ``import csv`` of generated claim rows against the unvotes importer's claims/s
  (and its memory at two sizes: flat, not growing with the rows); ``build`` on the seed;
- with ``--suite``, the test suite (wall time and the peak memory of its process tree).

Adding a row: write a ``step_NAME(store_uri, *args) -> dict`` (in its own process; return at
least ``seconds`` from :func:`timed`, and ``note``) and add an :class:`Analysis` to
``ANALYSES``.

Prints a table and writes it as JSON (``build/bench.json``). Not part of ``make test``.
``--quick`` runs the 1% and 10% slices only, without the server, rdflib, render and the
named queries (under 3 minutes).

    python scripts/bench.py [--quick] [--data DIR] [--slices 1,10,100] [--out build/bench.json]
                            [--no-server] [--no-rdflib] [--runs 20] [--suite]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "unvotes"
FILES = ("un_votes.csv", "un_roll_calls.csv", "un_roll_call_issues.csv")
VOTE_VALUES = {"yes": 1.0, "abstain": 0.0, "no": -1.0}
GIB = 1 << 30


# ------------------------------------------------------------------------------ steps
# Each step runs in a fresh process (``bench.py --step NAME ARGS``) and prints one JSON object.

def step_import(store_uri: str, folder: str) -> dict:
    """Build nothing, import the votes folder into the store (the ``import`` command's code:
    the import, then the whole-store counts it keeps for the analyses, timed apart)."""
    from graph.analysis.prepare import prepare
    from graph.sources.runner import run_import
    from graph.store import open_store

    store = open_store(store_uri)
    started = time.perf_counter()
    reports = run_import(store, "unvotes", [Path(folder)])
    seconds = time.perf_counter() - started
    prepare(store)
    prepared = time.perf_counter() - started - seconds
    claims = sum(r.claims for r in reports)
    triples = store.count_triples()
    store.close()
    return {"seconds": seconds, "prepare_seconds": prepared, "claims": claims,
            "triples": triples}


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
    """The store's vote table (one grouped SPARQL query) and the agreement matrix over roll
    calls."""
    from graph.algorithms.clusters import agreement_matrix, position_matrix
    from graph.analysis.votes import read_votes
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    with timed({}) as result:
        # Every recorded vote counts, each roll call its own item, as in the pandas floor (the
        # analyses themselves weigh positions at a date, docs/TIME.md: a state's newest vote
        # in a series of resolutions replaces its older ones there).
        items = read_votes(store, issue=issue or None).votes
        matrix = position_matrix(items, item="item")
        agreement = agreement_matrix(matrix)
    agreement.to_pickle(matrix_out)
    return {**result, "states": len(agreement), "roll_calls": matrix.shape[1],
            "votes": int(matrix.notna().sum().sum())}


def step_agreement_pandas(folder: str, issue: str, matrix_out: str) -> dict:
    """What a researcher writes instead: the S scores straight from the CSV with pandas/numpy."""
    import numpy as np
    import pandas as pd

    from graph.sources.countries import iso3_from_code, iso3_from_name

    wall, cpu = time.perf_counter(), time.process_time()
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
    seconds, cpu = time.perf_counter() - wall, time.process_time() - cpu
    frame.to_pickle(matrix_out)
    return {"seconds": seconds, "cpu_seconds": cpu, "states": len(frame),
            "roll_calls": table.shape[1],
            "votes": int(present.sum())}


def step_clusters(store_uri: str, issue: str) -> dict:
    """The whole ``clusters`` analysis as ``stancegraph clusters`` runs it: agreement, Louvain
    communities, camps, swing states (no dendrogram: the command shows none)."""
    from graph.analysis import run_clusters
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    with timed({}) as found:
        result = run_clusters(store, issue=issue or None, dendrogram=False)
    return {**found, "states": len(result.actors),
            "communities": len(result.communities), "swing": len(result.swing)}


def step_balance(store_uri: str) -> dict:
    """``stancegraph balance``: triads and the frustration index of the state graph."""
    from graph.analysis import run_balance
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    with timed({}) as result:
        balance = run_balance(store)
    result["signed_edges"] = balance.graph.number_of_edges()
    return result


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


def step_period_agreement(store_uri: str) -> dict:
    """Agreement of the United States with every state per session (issue 12), from the store."""
    from graph.analysis.votes import alignment, read_votes
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    started = time.perf_counter()
    table = read_votes(store)
    others = sorted(set(table.votes["actor"]) - {"USA"})
    frame = alignment(table, "USA", others, by="session")
    return {"seconds": time.perf_counter() - started, "rows": len(frame),
            "pairs": len(others)}


def step_period_agreement_pandas(folder: str) -> dict:
    """The same share and S score per session in pandas straight from the CSV (the floor)."""
    import pandas as pd

    started = time.perf_counter()
    votes = pd.read_csv(Path(folder) / "un_votes.csv", keep_default_na=False,
                        usecols=["rcid", "country_code", "vote"])
    calls = pd.read_csv(Path(folder) / "un_roll_calls.csv", usecols=["rcid", "session"])
    votes = votes[votes["vote"].isin(list(VOTE_VALUES))].merge(calls, on="rcid")
    votes["x"] = votes["vote"].map(VOTE_VALUES)
    us = votes.loc[votes["country_code"] == "US", ["rcid", "x"]].rename(columns={"x": "us"})
    both = votes.merge(us, on="rcid")
    both["same"] = both["x"] == both["us"]
    both["d"] = (both["x"] - both["us"]).abs()
    table = both.groupby(["session", "country_code"]).agg(share=("same", "mean"),
                                                          d=("d", "mean"))
    table["s_score"] = 1 - table["d"]
    return {"seconds": time.perf_counter() - started, "rows": len(table)}


def step_idealpoints(store_uri: str) -> dict:
    """Ideal points of every state per session over the whole store (issue 12)."""
    from graph.analysis.votes import idealpoints, read_votes
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    started = time.perf_counter()
    fit = idealpoints(read_votes(store))
    return {"seconds": time.perf_counter() - started, "points": len(fit.points),
            "sweeps": fit.iterations, "converged": fit.converged}


def step_vote_layer(store_uri: str, page: str) -> dict:
    """``stancegraph render --view votes``: the agreement layer with its session slider."""
    from graph.explorer.render import render
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    started = time.perf_counter()
    report = render(store, page, view="votes")
    return {"seconds": time.perf_counter() - started, "nodes": report.nodes,
            "edges": report.total_edges, "bytes": Path(page).stat().st_size}


@contextlib.contextmanager
def timed(into: dict):
    """Wall time (``seconds``) and CPU time of this process (``cpu_seconds``) of a block.

    CPU time does not grow when other processes share the cores; the table's ratios are of wall
    time, and the CPU ratio goes in the note so that a busy machine can be told apart.
    The third-party libraries are imported before the clock starts, as the pandas floor
    imports numpy and pandas before its own: the rows measure the work, not Python's import
    system (about 0.5 s for pandas and 0.4 s for networkx and SciPy in a new process, most
    of a ratio on the 1% slice).
    """
    import networkx  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import scipy.linalg  # noqa: F401
    import scipy.sparse  # noqa: F401
    import scipy.sparse.csgraph  # noqa: F401

    wall, cpu = time.perf_counter(), time.process_time()
    yield into
    into["seconds"] = time.perf_counter() - wall
    into["cpu_seconds"] = time.process_time() - cpu


def step_gaps(store_uri: str, actor: str = "", as_of: str = "") -> dict:
    """``stancegraph gaps [--actor A] [--as-of D]``: the gaps and the rows the CLI prints."""
    from graph.analysis import run_gaps
    from graph.analysis.run import gap_rows
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    with timed({}) as result:
        gaps = run_gaps(store, actor=actor or None, as_of=as_of or None)
        rows = gap_rows(gaps)
    result["note"] = f"{len(rows)} gaps"
    return result


def step_gaps_check(store_uri: str) -> dict:
    """Whether ``gaps`` (the allies' claims, salience counted in the store) gives the rows
    and evidence of the straightforward reading of every position of every state."""
    from graph.analysis.project import allied_pairs, time_context
    from graph.analysis.run import gap_rows, gaps_from_all_positions, run_gaps
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    context = time_context(store)
    fast = run_gaps(store, context=context)
    slow = gaps_from_all_positions(store, allied_pairs(store, context=context), context)
    same = gap_rows(fast) == gap_rows(slow) and all(
        a.evidence_a == b.evidence_a and a.evidence_b == b.evidence_b
        for a, b in zip(fast, slow, strict=True))
    return {"gaps": len(fast), "same": same}


def step_actor(store_uri: str, code: str) -> dict:
    """``stancegraph actor CODE``: positions, allies, rivals and gaps of one actor."""
    from graph.analysis import actor_profile
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    with timed({}) as result:
        profile = actor_profile(store, code)
    result["note"] = f"{len(profile.positions)} positions, {len(profile.gaps)} gaps"
    return result


def step_timeline(store_uri: str, code: str) -> dict:
    """``stancegraph timeline CODE``: one state's positions per issue, year by year, over the
    whole record (docs/TIME.md; issue 11's target: under 2 s on the whole UN record)."""
    from graph.analysis.timeline import timeline
    from graph.store import open_store

    store = open_store(store_uri, read_only=True)
    with timed({}) as result:
        found = timeline(store, code)
    result["note"] = (f"{found.rows['period'].nunique()} years, {len(found.rows)} rows, "
                      f"{len(found.changes)} changes")
    return result


def step_analysis_clusters(store_uri: str, issue: str = "") -> dict:
    """``stancegraph clusters [--issue I]``: the whole analysis."""
    found = step_clusters(store_uri, issue)
    found["note"] = f"{found['communities']} communities, {found['swing']} swing states"
    return found


def step_make_claims_csv(folder: str, rows: int, target: str) -> dict:
    """A spreadsheet of ``rows`` claims (``import csv`` layout) made from the UN votes.

    Actors alternate between ISO codes and country names (both resolved by the importer),
    targets cycle over the seed's states, issues and a resolution, and each roll call's
    record URL is its source (a web source declared once per distinct URL).
    """
    import csv
    import itertools

    dates = {}
    with open(Path(folder) / FILES[1], newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            dates[row["rcid"]] = row["date"]
    targets = ("issue:human-rights", "KOR", "issue:dprk-human-rights", "PRK",
               "res:unhrc-dprk-2021", "CHN", "issue:korean-peninsula", "JPN")
    relation = {"yes": "supports", "no": "opposes", "abstain": "declined"}
    written = 0
    with open(Path(folder) / FILES[0], newline="", encoding="utf-8") as votes, \
            open(target, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["claim_id", "actor", "relation", "target", "date", "source", "note"])
        for i, vote in enumerate(itertools.cycle(csv.DictReader(votes))):
            if written >= rows:
                break
            code = vote["country_code"]
            actor = vote["country"] if i % 2 or not code else code
            aim = targets[i % len(targets)]
            if aim in (code, vote["country"]) or (len(aim) == 3 and code and aim[:2] == code):
                aim = targets[(i + 1) % len(targets)]  # no self-ties
            writer.writerow([f"bench-{i}", actor, relation.get(vote["vote"], "supports"), aim,
                             dates[vote["rcid"]],
                             f"https://digitallibrary.un.org/record/{vote['rcid']}", f"row {i}"])
            written += 1
    return {"rows": written}


def step_import_csv(store_uri: str, sheet: str) -> dict:
    """``stancegraph import csv SHEET`` into a store holding the seed."""
    from graph.sources.runner import run_import
    from graph.store import open_store

    store = open_store(store_uri)
    with timed({}) as result:
        (report,) = run_import(store, "csv", [Path(sheet)])
    result.update(claims=report.claims, rows=report.rows, problems=report.problem_count,
                  triples=report.triples)
    store.close()
    return result


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
        result["process_cpu"] = usage.ru_utime + usage.ru_stime
        result["peak_rss_mib"] = usage.ru_maxrss / 1024  # Linux: KiB
        print(f"  {label or name}: {wall:.1f} s, {result['peak_rss_mib']:.0f} MiB", flush=True)
        return result

    def row(self, step: str, data: str, seconds: float | None, *, ratio=None, target=None,
            rss=None, note: str = "", met: bool | None = None) -> None:
        """One line of the table; ``met``: whether the row's target holds (None: no target)."""
        self.rows.append({"step": step, "data": data, "seconds": seconds, "ratio": ratio,
                          "target": target, "peak_rss_mib": rss, "note": note,
                          "met": None if met is None else bool(met)})


def _seconds(result: dict) -> float | None:
    return result.get("seconds")


def _ratio(a, b) -> float | None:
    return a / b if a is not None and b else None


def _stopped(result: dict) -> str:
    if result.get("error"):
        return f"FAILED: {result['error']}"
    return f"stopped after {result['timed_out']:.0f} s" if result.get("timed_out") else ""


# ------------------------------------------------------------------------------ issue 15 rows

@dataclass(frozen=True)
class Analysis:
    """One row of the table per slice: a step, its arguments and its target.

    ``step`` names a ``step_*`` function (``step_gaps`` -> ``"gaps"``), called in its own
    process as ``step(store_uri, *args)``; it returns ``seconds`` (see :func:`timed`) and a
    ``note``. The ratio is to the pandas agreement matrix of the same slice in the same run:
    of all roll calls (``floor="all"``), or of the human rights roll calls (``"hr"``).
    """

    label: str
    step: str
    args: tuple = ()
    ratio: float | None = None  # target: at most this many times the floor
    rss_gib: float | None = None  # target: peak resident memory below this
    floor: str = "all"
    #: Slices (percent of the roll calls) the target is set for: issue 15's table measures
    #: the whole record, and names the 1% slice for clusters (a fixed cost would show there).
    #: On other slices the ratio is shown without a target.
    at: tuple = (100,)


ANALYSES = (
    Analysis("gaps (every allied pair)", "gaps", (), ratio=3.0, rss_gib=1.0),
    Analysis("gaps --actor KOR --as-of 2015-01-01", "gaps", ("KOR", "2015-01-01"), ratio=1.0),
    Analysis("actor KOR", "actor", ("KOR",), ratio=1.0),
    # issue 11: "timeline of one state over the whole UN record in under 2 s" (~2x the floor)
    Analysis("timeline USA (yearly)", "timeline", ("USA",), ratio=2.0),
    Analysis("clusters (whole analysis)", "analysis-clusters", ("",), ratio=2.0, at=(1, 100)),
    Analysis('clusters --issue "human rights"', "analysis-clusters", ("human rights",),
             ratio=2.0, floor="hr"),
)


def _target_text(analysis: Analysis) -> str:
    parts = []
    if analysis.ratio is not None:
        parts.append(f"<= {analysis.ratio:g}x pandas" + (" (human rights)"
                                                        if analysis.floor == "hr" else ""))
    if analysis.rss_gib is not None:
        parts.append(f"< {analysis.rss_gib:g} GiB")
    return ", ".join(parts)


def analyses(bench: Bench, uri: str, label: str, floors: dict[str, dict], percent: int) -> dict:
    """Every row of ``ANALYSES`` on one slice's store, against that slice's pandas floors."""
    entry = {}
    for analysis in ANALYSES:
        if percent not in analysis.at:
            analysis = replace(analysis, ratio=None, rss_gib=None)
        found = entry[analysis.label] = bench.run(analysis.step, uri, *analysis.args,
                                                  label=analysis.label)
        floor = floors.get(analysis.floor, {})
        ratio = _ratio(_seconds(found), _seconds(floor))
        cpu_ratio = _ratio(found.get("cpu_seconds"), floor.get("cpu_seconds"))
        met = None
        if ratio is not None and (analysis.ratio is not None or analysis.rss_gib is not None):
            met = (analysis.ratio is None or ratio <= analysis.ratio) and \
                (analysis.rss_gib is None or found["peak_rss_mib"] < analysis.rss_gib * 1024)
        elif _stopped(found):
            met = False
        note = _stopped(found) or found.get("note", "")
        if cpu_ratio is not None:
            note += f"; CPU {cpu_ratio:.2f}x"
        bench.row(analysis.label, label, _seconds(found), ratio=ratio,
                  target=_target_text(analysis), rss=found["peak_rss_mib"], note=note, met=met)
    return entry


def csv_import_rows(bench: Bench, work: Path, data: Path, sizes: list[int], label: str,
                    unvotes: dict) -> dict:
    """``import csv`` of generated sheets of ``sizes`` rows into a seeded store each.

    Targets: at least the unvotes importer's claims/s (``unvotes``: its import on the
    largest slice of this run) and flat memory (the largest sheet's peak within 1.25x of the
    smallest's, though it holds ten times the rows).
    """
    entry = {}
    rate = None
    if unvotes.get("claims") and unvotes.get("seconds"):
        rate = unvotes["claims"] / unvotes["seconds"]
    peaks = {}
    for rows in sizes:
        sheet = work / f"claims-{rows}.csv"
        bench.run("make-claims-csv", str(data), rows, str(sheet), label=f"make {rows:,} rows")
        store = work / f"csv-store-{rows}"
        bench.run("build-seed", f"oxigraph:{store}", label="build the seed")
        found = entry[rows] = bench.run("import-csv", f"oxigraph:{store}", str(sheet),
                                        label=f"import csv, {rows:,} rows")
        shutil.rmtree(store, ignore_errors=True)
        sheet.unlink(missing_ok=True)
        peaks[rows] = found["peak_rss_mib"]
        if _stopped(found):
            bench.row(f"import csv, {rows:,} claim rows", label, None, note=_stopped(found),
                      met=False)
            continue
        ours = found["claims"] / found["seconds"]
        ratio = _ratio(ours, rate)
        flat = peaks[rows] <= 1.25 * peaks[min(peaks)] if rows != min(peaks) else None
        met = None if ratio is None else ratio >= 1.0 and flat is not False
        bench.row(f"import csv, {rows:,} claim rows", label, _seconds(found), ratio=ratio,
                  target=">= 1x unvotes claims/s" + (", flat memory" if flat is not None
                                                     else ""),
                  rss=found["peak_rss_mib"], met=met,
                  note=f"{found['claims']:,} claims, {ours:,.0f} claims/s "
                       f"(unvotes: {rate or 0:,.0f}/s); ratio: ours / unvotes"
                       + (f"; memory {peaks[rows] / peaks[min(peaks)]:.2f}x the "
                          f"{min(peaks):,}-row sheet's" if flat is not None else ""))
    return entry


def build_rows(bench: Bench, work: Path, runs: int = 5) -> dict:
    """``stancegraph build`` on the seed, as a user runs it (a new process each time)."""
    store = f"oxigraph:{work / 'build-seed-store'}"
    # An installed package carries its bytecode; with PYTHONDONTWRITEBYTECODE set (as on this
    # machine) an editable checkout would compile the package in every run (~25 ms of CPU).
    # It goes where Python looks for it, graph/__pycache__ (ignored by git): a
    # PYTHONPYCACHEPREFIX of the bench's own would hide every installed library's bytecode
    # too, and each run would compile rdflib, pySHACL and pandas (a second of CPU).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "graph")],
                   check=True, capture_output=True)
    env = dict(os.environ)
    walls = []
    resource_children()  # from here on
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "graph", "build", "--store", store],
                              capture_output=True, cwd=ROOT, env=env)
        walls.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"build: {done.stderr.decode()[-2000:]}")
    usage = resource_children()
    wall = statistics.median(walls)
    bench.row("build on the seed (stancegraph build, a new process)", "seed", wall,
              target="< 0.5 s", met=wall < 0.5,
              note=f"median of {runs}; CPU {usage / runs:.2f} s per run")
    return {"walls": walls, "cpu_per_run": usage / runs}


_CHILD_CPU = [0.0]


def resource_children() -> float:
    """CPU seconds of the waited-for children since the last call."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _CHILD_CPU[0] = total - _CHILD_CPU[0], total
    return spent


def suite_row(bench: Bench, args: str) -> dict:
    """The test suite (``python -m pytest ARGS``): wall time and the peak memory of its tree.

    The peak is of the memory of every process of the run together (pytest, its workers, the
    servers and browsers it starts: :func:`tree_rss`), sampled twice a second.
    """
    import shlex

    log = bench.work / "suite.log"
    started = time.perf_counter()
    with log.open("w") as out:  # a file, not a pipe: a full pipe would stall the run
        process = subprocess.Popen([sys.executable, "-m", "pytest", *shlex.split(args)],
                                   cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        peak = 0
        while process.poll() is None:
            with contextlib.suppress(OSError):
                peak = max(peak, tree_rss(process.pid))
            time.sleep(0.5)
    wall = time.perf_counter() - started
    output = log.read_text(errors="replace")
    summary = (output.strip().splitlines() or ["no output"])[-1]
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", output, re.MULTILINE)
    if failed:  # the log goes with the bench's folder: name what failed
        summary += f" ({', '.join(failed[:5])})"
    met = process.returncode == 0 and wall < 480 and peak < 2 * GIB
    bench.row(f"test suite (pytest {args})", "seed + ../shared", wall,
              target="< 8 min, < 2 GiB", rss=peak / (1 << 20), met=met,
              note=f"{summary}; peak memory of the process tree (sum of PSS)")
    return {"wall": wall, "peak_bytes": peak, "summary": summary,
            "returncode": process.returncode}


def tree_rss(root: int) -> int:
    """Memory of ``root`` and all its descendants (Linux /proc): the sum of each process's
    proportional set size (``Pss``: a page shared by n processes counts 1/n in each), or its
    resident size where the kernel gives no ``smaps_rollup``. Summed RSS counts every shared
    page once per process: Chromium's dozen processes share most of theirs, and two test
    workers share their libraries, so RSS overstates the tree by hundreds of MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * page
        except (OSError, ValueError, IndexError):
            continue
    pss = {}
    for pid in rss:
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in (Path("/proc") / str(pid) / "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss[pid] = int(line.split()[1]) * 1024
                    break
    rss.update(pss)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def per_slice(bench: Bench, options, work: Path, percent: int, folder: Path, label: str) -> dict:
    """Import, floor, baselines, agreement, the analyses of issue 15, balance, render, queries."""
    folder = str(folder)
    path = work / f"store-{percent}"
    uri = f"oxigraph:{path}"
    entry: dict = {"seed": bench.run("build-seed", uri, label="build the seed")}
    imported = entry["import"] = bench.run("import", uri, folder, label="import into oxigraph:PATH")
    claims = imported.get("claims") or 0
    note = _stopped(imported) or (f"{claims:,} claims, {claims / imported['seconds']:,.0f} "
                                  f"claims/s, {imported['triples']:,} triples; then "
                                  f"{imported['prepare_seconds']:.1f} s for the counts the "
                                  "analyses start from (stancegraph import makes them)")
    if options.quick:  # no floor: the dump and its bulk load take as long as the import
        bench.row("import (oxigraph on disk)", label, _seconds(imported),
                  rss=imported["peak_rss_mib"], note=note)
    else:
        floor = import_floor(bench, entry, work, percent, path)
        bench.row("import (oxigraph on disk)", label, _seconds(imported),
                  ratio=_ratio(_seconds(imported), _seconds(floor)), target="<= 2x floor",
                  rss=imported["peak_rss_mib"], note=note)
        bench.row("floor: pyoxigraph bulk_load of the same N-Triples", label, _seconds(floor),
                  rss=floor["peak_rss_mib"],
                  note=_stopped(floor) or f"{entry['triples'].get('triples', 0):,} triples")
    if percent <= 10 and not options.no_rdflib:
        rdflib = entry["rdflib"] = bench.run("import", "memory:", folder,
                                             label="import into memory:")
        bench.row("import (rdflib memory:)", label, _seconds(rdflib),
                  ratio=_ratio(_seconds(rdflib), _seconds(imported)),
                  rss=rdflib["peak_rss_mib"], note=_stopped(rdflib) or "ratio: rdflib / ours")
    floors = {}
    for issue, what, key in (("", "all roll calls", "all"),
                             ("human rights", "human rights roll calls", "hr")):
        ours = work / f"agreement-{percent}-{key}-store.pkl"
        theirs = work / f"agreement-{percent}-{key}-pandas.pkl"
        pandas = floors[key] = bench.run("agreement-pandas", folder, issue, str(theirs),
                                         label=f"agreement in pandas from the CSV ({what})")
        cold = bench.run("agreement-store", uri, issue, str(ours),
                         label=f"agreement from the store, first time ({what})")
        warm = bench.run("agreement-store", uri, issue, str(ours),
                         label=f"agreement from the store, again ({what})")
        note = _stopped(cold)
        if not note:
            try:
                difference = equal_matrices(ours, theirs)
                same = f"equal to pandas (max diff {difference:.1e})" if difference < 1e-9 \
                    else f"DIFFERS from pandas by up to {difference:.2g}"
            except AssertionError as exc:
                same = f"DIFFERS from pandas: {exc}"
            note = (f"{cold['states']} states x {cold['roll_calls']} roll calls, "
                    f"{cold['votes']:,} votes; {same}")
        ratio = _ratio(_seconds(cold), _seconds(pandas))
        bench.row(f"agreement, {what}: store, first query", label, _seconds(cold),
                  ratio=ratio, target="<= 3x pandas", rss=cold["peak_rss_mib"], note=note,
                  met=None if ratio is None else ratio <= 3)
        ratio = _ratio(_seconds(warm), _seconds(pandas))
        bench.row(f"agreement, {what}: store, again (cached answer)", label, _seconds(warm),
                  ratio=ratio, target="<= 3x pandas", rss=warm["peak_rss_mib"],
                  note=_stopped(warm), met=None if ratio is None else ratio <= 3)
        bench.row(f"agreement, {what}: pandas from the CSV (the floor)", label,
                  _seconds(pandas), rss=pandas["peak_rss_mib"], note=_stopped(pandas))
        entry[f"agreement {what}"] = {"store": cold, "store_again": warm, "pandas": pandas}
    entry["analyses"] = analyses(bench, uri, label, floors, percent)
    check = entry["gaps_check"] = bench.run("gaps-check", uri, label="gaps, checked")
    bench.row("gaps: the same as reading every position", label, None, rss=check["peak_rss_mib"],
              note=_stopped(check) or (f"{check['gaps']} gaps; " + (
                  "same rows and evidence" if check["same"] else "DIFFERENT rows or evidence")),
              met=None if _stopped(check) else check["same"])
    entry["votes"] = vote_rows(bench, options, work, percent, uri, folder, label)
    balance = entry["balance"] = bench.run("balance", uri, label="balance")
    bench.row("balance", label, _seconds(balance), rss=balance["peak_rss_mib"],
              note=_stopped(balance) or f"{balance['signed_edges']} signed edges")
    if options.quick:
        return entry
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


def vote_rows(bench: Bench, options, work: Path, percent: int, uri: str, folder: str,
              label: str) -> dict:
    """Issue 12: per-period agreement and ideal points against pandas from the CSV, and the
    vote layer of the explorer (rendered, then opened in Chromium)."""
    entry = {"pandas": bench.run("period-agreement-pandas", folder,
                                 label="agreement per session in pandas from the CSV")}
    floor = _seconds(entry["pandas"])
    ours = entry["store"] = bench.run("period-agreement", uri,
                                      label="agreement per session from the store")
    ratio = _ratio(_seconds(ours), floor)
    bench.row("agreement per session, USA with every state: store", label, _seconds(ours),
              ratio=ratio, target="<= 3x pandas", rss=ours["peak_rss_mib"],
              note=_stopped(ours) or f"{ours['rows']:,} pair-sessions with share, S and kappa",
              met=None if ratio is None else ratio <= 3)
    bench.row("agreement per session: pandas from the CSV (the floor, share and S only)",
              label, floor, rss=entry["pandas"]["peak_rss_mib"], note=_stopped(entry["pandas"]))
    fit = entry["idealpoints"] = bench.run("idealpoints", uri, label="ideal points")
    bench.row("ideal points, every state per session (store -> estimates)", label,
              _seconds(fit), ratio=_ratio(_seconds(fit), floor), target="< 60 s",
              rss=fit["peak_rss_mib"],
              note=_stopped(fit) or f"{fit['points']:,} state-sessions, {fit['sweeps']} sweeps, "
                                    f"converged {fit['converged']}; ratio to the pandas floor",
              met=None if _seconds(fit) is None else _seconds(fit) < 60)
    if options.quick:
        return entry
    page = work / f"votes-{percent}.html"
    layer = entry["vote_layer"] = bench.run("vote-layer", uri, str(page), label="vote layer")
    bench.row("render --view votes (agreement layer)", label, _seconds(layer),
              rss=layer["peak_rss_mib"],
              note=_stopped(layer) or f"{layer['nodes']} states, {layer['edges']:,} edges over "
                                      f"all sessions, {layer['bytes'] / 1024:.0f} kB")
    if not layer.get("error") and os.access("/usr/bin/chromium", os.X_OK):
        opened = entry["open"] = bench.run("open-page", str(page), label="open the vote layer")
        bench.row("vote layer opens in headless Chromium", label, _seconds(opened),
                  target="< 2 s", rss=opened["peak_rss_mib"],
                  note=_stopped(opened) or f"until ready: {opened['nodes']} states, "
                                            f"{opened['edges']} edges shown",
                  met=None if _seconds(opened) is None else _seconds(opened) < 2)
    return entry


def import_floor(bench: Bench, entry: dict, work: Path, percent: int, path: Path) -> dict:
    """The import's floor: pyoxigraph bulk loading the store's triples from N-Triples."""
    nt = work / f"floor-{percent}.nt"
    entry["triples"] = bench.run("dump", str(path), str(nt), label="dump N-Triples")
    floor = entry["floor"] = bench.run("floor", str(nt), str(work / f"floor-{percent}"),
                                       label="floor: pyoxigraph bulk_load")
    nt.unlink(missing_ok=True)
    shutil.rmtree(work / f"floor-{percent}", ignore_errors=True)
    return floor


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
    parser.add_argument("--quick", action="store_true",
                        help="1%% and 10%% slices; no server, rdflib, floor, render, queries")
    parser.add_argument("--suite", nargs="?", const="-q -p no:cacheprovider", default=None,
                        metavar="PYTEST_ARGS", help="also time the test suite (pytest ARGS)")
    options = parser.parse_args(argv)
    if options.quick:
        options.slices, options.no_server, options.no_rdflib = "1,10", True, True
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

        biggest = max(percents)
        largest = results["slices"][f"{biggest}% slice" if biggest < 100 else "whole record"]
        print("import csv:", flush=True)
        results["import csv"] = csv_import_rows(
            bench, work, options.data, [2_000, 20_000] if options.quick else [20_000, 200_000],
            "generated sheet", largest.get("import", {}))
        save(options.out, results, bench)
        print("build on the seed:", flush=True)
        results["build"] = build_rows(bench, work)

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

        if options.quick:
            return finish(options, results, bench, info, work)
        print("CLI on the seed:", flush=True)
        cli_on_seed(bench, work)
        helped = bench.run("help-imports", label="stancegraph --help imports")
        imported = helped.get("imported", [])
        bad = [m for m in imported if m in ("pyvis", "pandas", "scipy")]
        bench.row("stancegraph --help: heavy imports", "-", None,
                  note=("none of pyvis, pandas, SciPy" if not bad else f"IMPORTS {bad}")
                  + f"; imported: {', '.join(imported) or 'none'}")
        if options.suite is not None:
            print(f"test suite (pytest {options.suite}):", flush=True)
            results["suite"] = suite_row(bench, options.suite)
    finally:
        if server is not None:
            server.stop()
    return finish(options, results, bench, info, work)


def finish(options, results: dict, bench: Bench, info: dict, work: Path) -> int:
    """Save the results, print the table, remove the work folder."""
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
        "| step | data | time | ratio | target | met | peak RSS | notes |",
        "|---|---|---:|---:|---|---|---:|---|",
    ]
    for r in rows:
        seconds = "" if r["seconds"] is None else (
            f"{r['seconds'] * 1000:.0f} ms" if r["seconds"] < 1 else f"{r['seconds']:.1f} s")
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        rss = "" if r["peak_rss_mib"] is None else f"{r['peak_rss_mib']:.0f} MiB"
        met = {None: "", True: "yes", False: "**no**"}[r.get("met")]
        lines.append(f"| {r['step']} | {r['data']} | {seconds} | {ratio} | {r['target'] or ''} "
                     f"| {met} | {rss} | {r['note']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
