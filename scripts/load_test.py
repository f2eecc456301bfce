"""Bounded load test of `stancegraph serve`: N concurrent clients send a fixed number of queries.

The script starts its own server (``python -m graph serve``) on a free loopback port, over the
store given with --store or else the bundled seed built into a temporary on-disk store; warms each
query once; runs the mix; prints throughput, latency percentiles and errors; writes them as JSON;
and stops the server it started.

    .venv/bin/python scripts/load_test.py --clients 50 --queries 3000 --json build/load.json

With ``--slow K``, K pathological queries (a four-way cartesian product) run alongside the mix:
each holds a worker until the time limit cuts it off (503), which shows what the other clients
see meanwhile.

With ``--attackers K``, K clients send such queries again and again for as long as the mix
runs, each time with a new text (a comment with a counter), so that the server cannot simply
refuse a query it has cut off before. The other clients should see no 503 and a p99 under 2 s
(issue 14); the attackers' own statuses are reported apart:

    .venv/bin/python scripts/load_test.py --workers 2 --timeout 5 --attackers 2
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

# (label, method, path, query-string params, form or body, content type, Accept)
MIX = [
    ("named actors (json)", "GET", "/api/queries/actors", {}, None, None,
     "application/sparql-results+json"),
    ("named cosponsors (csv)", "GET", "/api/queries/cosponsors",
     {"resolution": "res:unhrc-dprk-2021"}, None, None, "text/csv"),
    ("named actor-stances (json)", "GET", "/api/queries/actor-stances", {"actor": "KOR"}, None,
     None, "application/sparql-results+json"),
    ("named relations (tsv)", "GET", "/api/queries/relations", {}, None, None,
     "text/tab-separated-values"),
    ("GET select states (json)", "GET", "/sparql",
     {"query": "SELECT ?code ?label WHERE { ?s a sg:State ; sg:isoCode ?code ; rdfs:label ?label }"
               " ORDER BY ?code"}, None, None, "application/sparql-results+json"),
    ("POST form ask (json)", "POST", "/sparql", {},
     {"query": 'ASK { state:KOR sg:isoCode "KOR" }'}, None, "application/sparql-results+json"),
    ("POST direct construct (turtle)", "POST", "/sparql", {},
     "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a sg:State ; rdfs:label ?l }",
     "application/sparql-query", "text/turtle"),
    ("GET count (csv)", "GET", "/sparql",
     {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, None, None, "text/csv"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_seed(folder: Path) -> str:
    from graph.build import build
    from graph.store import open_store

    uri = f"oxigraph:{folder / 'store'}"
    store = open_store(uri)
    build(store)
    store.close()
    return uri


def start_server(uri: str, port: int, workers: int, timeout: float, log_path: Path):
    log = open(log_path, "wb")  # noqa: SIM115 -- closed with the process in stop_server
    process = subprocess.Popen(
        [sys.executable, "-m", "graph", "serve", "--store", uri, "--port", str(port),
         "--workers", str(workers), "--timeout", str(timeout)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{log_path.read_text()}")
        try:
            health = json.loads(urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read())
            if health["ready"] == workers:
                return process, log
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise SystemExit("the server did not start in 120 s")
        time.sleep(0.1)


def stop_server(process, log) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def prepare(entry) -> tuple[str, str, bytes | None, dict]:
    """An entry of MIX as (method, target, body, headers) for http.client."""
    _, method, path, params, body, content_type, accept = entry
    headers = {"Accept": accept}
    target = path + ("?" + urlencode(params) if params else "")
    if method == "GET":
        return method, target, None, headers
    if isinstance(body, dict):
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return method, target, urlencode(body).encode(), headers
    headers["Content-Type"] = content_type
    return method, target, body.encode("utf-8"), headers


class Client:
    """One keep-alive connection, as a SPARQL client library would hold it."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def send(self, request) -> int:
        method, target, body, headers = request
        try:
            self.connection.request(method, target, body=body, headers=headers)
            response = self.connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException) as exc:
            print(f"request error: {type(exc).__name__}: {exc}", file=sys.stderr)
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            return -1


def load(port: int, clients: int, total: int, slow: int, attackers: int = 0) -> dict:
    """``clients`` threads, each with its own connection, share ``total`` requests of MIX;
    ``slow`` one-off and ``attackers`` repeating runaway queries run alongside."""
    requests = [prepare(entry) for entry in MIX]
    warm = Client(port)
    for entry, request in zip(MIX, requests, strict=True):  # warm-up: one of each, not timed
        status = warm.send(request)
        if status != 200:
            raise SystemExit(f"warm-up query {entry[0]!r} failed with {status}")
    counter, lock = itertools.count(), threading.Lock()
    records: list[tuple[str, int, float]] = []
    slow_statuses: list[int] = []

    def one_client():
        client = Client(port)
        while True:
            with lock:
                index = next(counter)
            if index >= total:
                return
            started = time.perf_counter()
            status = client.send(requests[index % len(MIX)])
            records.append((MIX[index % len(MIX)][0], status, time.perf_counter() - started))

    def one_slow():
        slow_statuses.append(
            Client(port).send(("GET", "/sparql?" + urlencode({"query": SLOW}), None,
                               {"Accept": "application/sparql-results+json"})))

    attack_statuses: list[int] = []
    mix_done = threading.Event()

    def one_attacker(number: int):
        client = Client(port)
        for attempt in itertools.count():
            if mix_done.is_set():
                return
            text = f"{SLOW} # attacker {number} attempt {attempt}"
            attack_statuses.append(client.send(
                ("GET", "/sparql?" + urlencode({"query": text}), None,
                 {"Accept": "application/sparql-results+json"})))

    attacks = [threading.Thread(target=one_attacker, args=(n,)) for n in range(attackers)]
    for thread in attacks:
        thread.start()
    if attackers:
        time.sleep(0.5)  # let the attack start first: the mix then runs under it throughout
    threads = [threading.Thread(target=one_slow) for _ in range(slow)]
    threads += [threading.Thread(target=one_client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads[slow:]:
        thread.join()
    elapsed = time.perf_counter() - started
    mix_done.set()
    for thread in threads[:slow] + attacks:
        thread.join()
    health = json.loads(urlopen(f"http://127.0.0.1:{port}/health", timeout=10).read())
    return {"records": records, "elapsed": elapsed, "slow_statuses": slow_statuses,
            "attack_statuses": attack_statuses, "health": health}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


def summarise(run: dict, args, store: str) -> dict:
    records = run["records"]
    latencies = [seconds * 1000 for _, _, seconds in records]
    statuses = Counter(status for _, status, _ in records)
    by_query = {}
    for label in dict.fromkeys(label for label, _, _ in records):
        mine = [s * 1000 for name, _, s in records if name == label]
        by_query[label] = {"n": len(mine), "p50_ms": round(percentile(mine, 0.5), 1),
                           "p99_ms": round(percentile(mine, 0.99), 1)}
    return {
        "store": store,
        "clients": args.clients,
        "queries": len(records),
        "workers": args.workers,
        "timeout_s": args.timeout,
        "slow_queries": args.slow,
        "slow_statuses": run["slow_statuses"],
        "attackers": args.attackers,
        "attack_statuses": {str(k): v for k, v in
                            sorted(Counter(run.get("attack_statuses", [])).items())},
        "elapsed_s": round(run["elapsed"], 2),
        "throughput_qps": round(len(records) / run["elapsed"], 1),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50), 1),
            "p90": round(percentile(latencies, 0.90), 1),
            "p99": round(percentile(latencies, 0.99), 1),
            "max": round(max(latencies), 1),
            "mean": round(statistics.fmean(latencies), 1),
        },
        "errors": sum(n for status, n in statuses.items() if status != 200),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "by_query": by_query,
        "server_health": run["health"],
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="store URI (default: the seed in a temporary store)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--slow", type=int, default=0, help="pathological queries to add")
    parser.add_argument("--attackers", type=int, default=0,
                        help="clients re-sending pathological queries while the mix runs")
    parser.add_argument("--json", type=Path, default=Path("load_test.json"),
                        help="where to write the figures")
    args = parser.parse_args(argv)
    for name in ("clients", "queries", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    for name in ("slow", "attackers"):
        if getattr(args, name) < 0:
            parser.error(f"--{name} must be at least 0")

    with tempfile.TemporaryDirectory(prefix="stancegraph-load-") as folder:
        folder = Path(folder)
        uri = args.store or build_seed(folder)
        port = free_port()
        process, log = start_server(uri, port, args.workers, args.timeout, folder / "server.log")
        try:
            run = load(port, args.clients, args.queries, args.slow, args.attackers)
        finally:
            stop_server(process, log)
    figures = summarise(run, args, "seed" if not args.store else args.store)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    latency = figures["latency_ms"]
    print(f"{figures['queries']} queries, {args.clients} clients, {args.workers} workers, "
          f"{figures['machine']['cpus']} CPUs: {figures['throughput_qps']} queries/s over "
          f"{figures['elapsed_s']} s")
    print(f"latency ms: p50 {latency['p50']}, p90 {latency['p90']}, p99 {latency['p99']}, "
          f"max {latency['max']}")
    print(f"errors: {figures['errors']} (statuses {figures['statuses']})")
    if args.slow:
        print(f"slow queries: statuses {figures['slow_statuses']}")
    if args.attackers:
        print(f"attackers: {args.attackers}, their statuses {figures['attack_statuses']}; "
              f"the other clients: {figures['statuses'].get('503', 0)} x 503, p99 "
              f"{latency['p99']} ms ({'under' if latency['p99'] < 2000 else 'OVER'} 2 s)")
    for label, stats in figures["by_query"].items():
        print(f"  {label:32} n={stats['n']:5}  p50 {stats['p50_ms']:7} ms  "
              f"p99 {stats['p99_ms']:7} ms")
    print(f"wrote {args.json}")
    return 0 if figures["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
