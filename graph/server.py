"""`stancegraph serve`: a read-only SPARQL 1.1 endpoint, the explorer page and a query page.

Design
------
The HTTP side is a Starlette app run by uvicorn. Queries never run in the server process: each one
goes to a small pool of worker processes (``multiprocessing`` "spawn"), each with its own read-only
handle on the store. A pyoxigraph query runs in Rust and cannot be interrupted from Python, so the
time limit is enforced from outside: when a query passes ``query_timeout`` the server answers 503
and kills that worker process (SIGKILL), and a fresh worker replaces it in the background. A slow
query therefore holds one worker, never the event loop, and the other workers keep answering.

Every query is checked before it is evaluated, inside the worker, by
:func:`graph.query.run_query` (which calls :func:`graph.query.check_query`): updates, ``SERVICE``,
``FROM`` / ``FROM NAMED`` and ``LOAD`` are refused whatever store is behind the server. Workers add
second layers: rdflib's ``SPARQL_LOAD_GRAPHS`` is off, a custom eval refuses ``SERVICE`` in rdflib's
engine, and an audit hook refuses any Python socket connection or URL request in the process.
Workers memoise successful checks by query text (parsing with rdflib costs ~30 ms).

Status codes: 400 malformed query or refused feature (SERVICE, FROM, dataset parameters), 403
updates, 404 unknown named query, 405 other methods, 406 no acceptable format, 413 query too large,
415 unsupported request body, 500 a worker died, 503 overloaded, cut off at the time limit, or a
result over ``max_results`` rows or triples (refused whole, never silently truncated).

``memory:`` and ``oxigraph:memory`` stores cannot be shared between processes: the server builds
the bundled seed once and every worker loads a copy (a demo mode; edits are not possible anyway).
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import dataclasses
import hashlib
import io
import itertools
import json
import logging
import multiprocessing
import os
import re
import signal
import time
from collections.abc import Sequence
from importlib import resources
from urllib.parse import parse_qs, urlsplit, urlunsplit

from graph.errors import QueryError, StanceGraphError, StoreError, UpdateRefused
from graph.settings import SETTINGS

__all__ = [
    "create_app", "run", "uvicorn_config", "negotiate", "check_origin", "page_csp", "redact",
    "WorkerPool", "DEFAULT_WORKERS",
]

log = logging.getLogger("stancegraph.server")

DEFAULT_WORKERS = min(4, max(2, os.cpu_count() or 2))
MEMORY_URIS = ("memory:", "oxigraph:memory")
WORKER_START_TIMEOUT = 120.0

# ------------------------------------------------------------------------------ formats

#: (media type a client may ask for, our format name), in the server's order of preference.
RESULT_OFFERS = (
    ("application/sparql-results+json", "json"),
    ("application/json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("text/xml", "xml"),
)
GRAPH_OFFERS = (
    ("text/turtle", "turtle"),
    ("application/turtle", "turtle"),
    ("application/x-turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("text/plain", "nt"),
    ("application/ld+json", "json-ld"),
    ("application/json", "json-ld"),
    ("application/x-json+ld", "json-ld"),
    ("application/rdf+xml", "rdf-xml"),
    ("application/xml", "rdf-xml"),
    ("text/xml", "rdf-xml"),
    ("text/n3", "turtle"),
    ("text/rdf+n3", "turtle"),
    ("application/n3", "turtle"),
)
CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
    "rdf-xml": "application/rdf+xml",
}


def _accept_ranges(accept: str) -> list[tuple[str, str, float, int]]:
    ranges = []
    for index, part in enumerate(accept.split(",")):
        fields = part.strip().split(";")
        media = fields[0].strip().lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        main, _, sub = media.partition("/")
        ranges.append((main, sub, q, index))
    return ranges


def negotiate(accept: str | None, offers: Sequence[tuple[str, str]]) -> str | None:
    """The format to send for an ``Accept`` header, or None when nothing acceptable is offered.

    The highest q wins; then the more specific range; then the range listed first; then the
    server's order. A missing or empty header takes the first offer.

    Examples
    --------
    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_OFFERS)
    'xml'
    >>> negotiate("*/*", GRAPH_OFFERS)
    'turtle'
    >>> negotiate("image/png", RESULT_OFFERS) is None
    True
    """
    if not accept or not accept.strip():
        return offers[0][1]
    ranges = _accept_ranges(accept)
    best, best_key = None, None
    for order, (media, fmt) in enumerate(offers):
        main, _, sub = media.partition("/")
        match = None
        for rmain, rsub, q, index in ranges:
            if (rmain, rsub) == (main, sub):
                specificity = 2
            elif rmain == main and rsub == "*":
                specificity = 1
            elif (rmain, rsub) == ("*", "*"):
                specificity = 0
            else:
                continue
            if match is None or specificity > match[0]:
                match = (specificity, q, index)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], match[0], -match[2], -order)
        if best_key is None or key > best_key:
            best, best_key = fmt, key
    return best


def _offered(offers) -> str:
    formats = dict.fromkeys(fmt for _, fmt in offers)
    return ", ".join(CONTENT_TYPES[fmt].split(";")[0] for fmt in formats)


def redact(uri: str) -> str:
    """``uri`` without user name, password or query string, fit for a log line.

    >>> redact("sparql+https://ann:secret@example.org/sparql?key=abc")
    'sparql+https://example.org/sparql'
    """
    parts = urlsplit(uri)
    if not parts.netloc and not parts.query:
        return uri
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


# ------------------------------------------------------------------------------ worker side


class _TooManyResults(Exception):
    """The result is over the server's size limit."""


class _LimitedStore:
    """The worker's view of the store: ``query`` stops reading after ``limit + 1`` rows."""

    def __init__(self, store, limit: int):
        self.store = store
        self.limit = limit

    def select_rows(self, sparql, bindings=None):
        """Parameter look-ups (actor codes) go straight to the store."""
        return self.store.select_rows(sparql, bindings)

    def query(self, sparql, bindings=None):
        """Run ``sparql``; raise _TooManyResults rather than read past the limit."""
        from graph.store import OxigraphStore

        if isinstance(self.store, OxigraphStore):
            return _oxigraph_query(self.store, sparql, bindings, self.limit)
        return _rdflib_limited(self.store.query(sparql, bindings), self.limit)


def _too_many(limit: int) -> _TooManyResults:
    return _TooManyResults(
        f"the result has more than {limit:,} rows or triples (the server's --max-results "
        "limit): add a LIMIT or narrow the query"
    )


def _oxigraph_query(store, sparql, bindings, limit):
    # Same call as OxigraphStore.query, but reading the solutions lazily up to the limit.
    from rdflib import Variable
    from rdflib.query import Result

    from graph.vocab import PREFIXES

    ox = store._ox
    substitutions = {ox.Variable(k): store._to_ox(v) for k, v in (bindings or {}).items()}
    try:
        answer = store.store.query(
            sparql,
            use_default_graph_as_union=True,
            substitutions=substitutions or None,
            prefixes=PREFIXES,
        )
        if isinstance(answer, ox.QueryBoolean):
            return store._to_result(answer)
        items = list(itertools.islice(answer, limit + 1))
    except SyntaxError as exc:
        raise QueryError(f"malformed query: {exc}") from exc
    except Exception as exc:  # evaluation errors surface as OSError / RuntimeError
        raise QueryError(f"query failed: {exc}") from exc
    if len(items) > limit:
        raise _too_many(limit)
    if not isinstance(answer, ox.QuerySolutions):
        return store._to_result(items)  # a list of triples: CONSTRUCT / DESCRIBE
    names = [v.value for v in answer.variables]
    result = Result("SELECT")
    result.vars = [Variable(n) for n in names]
    result.bindings = [
        {Variable(n): store._from_ox(s[n]) for n in names if s[n] is not None} for s in items
    ]
    return result


def _rdflib_limited(result, limit):
    from rdflib import Variable
    from rdflib.query import Result

    if result.type in ("CONSTRUCT", "DESCRIBE"):
        if len(result.graph) > limit:
            raise _too_many(limit)
        return result
    if result.type != "SELECT":
        return result
    try:
        rows = list(itertools.islice(iter(result), limit + 1))
    except StanceGraphError:
        raise
    except Exception as exc:  # rdflib evaluates lazily, while the rows are read
        raise QueryError(f"query failed: {exc}") from exc
    if len(rows) > limit:
        raise _too_many(limit)
    limited = Result("SELECT")
    limited.vars = list(result.vars)
    limited.bindings = [{Variable(k): v for k, v in row.asdict().items()} for row in rows]
    return limited


def _serialize(result, fmt: str) -> bytes:
    from graph.output import write_result

    if result.type in ("CONSTRUCT", "DESCRIBE"):
        if fmt == "rdf-xml":
            from graph.vocab import bind_prefixes

            return bind_prefixes(result.graph).serialize(format="xml", encoding="utf-8")
        out = io.StringIO()
        write_result(result, {"turtle": "ttl", "nt": "nt", "json-ld": "json"}[fmt], out)
        return out.getvalue().encode("utf-8")
    if fmt in ("json", "xml"):
        return result.serialize(format=fmt)
    # csv / tsv, and ASK as csv / tsv ("true" / "false"): exactly what `stancegraph query` writes.
    out = io.StringIO()
    write_result(result, fmt, out)
    return out.getvalue().encode("utf-8")


def _status_for(exc: QueryError) -> int:
    return 403 if isinstance(exc, UpdateRefused) else 400


def _execute(store, job: dict, max_results: int) -> tuple:
    """Run one job in a worker: ``("ok", content type, body)`` or ``("error", status, text)``."""
    from graph.query import named_query, run_query

    try:
        if job.get("named"):
            named = named_query(job["named"])
            text, declared = named.text, named.parameters
        else:
            text, declared = job["query"], ()
        result = run_query(_LimitedStore(store, max_results), text, job.get("params"), declared)
    except QueryError as exc:
        return ("error", _status_for(exc), str(exc))
    except _TooManyResults as exc:
        return ("error", 503, str(exc))
    graph_form = result.type in ("CONSTRUCT", "DESCRIBE")
    fmt = job.get("graph_format") if graph_form else job.get("result_format")
    if fmt is None:
        offers = GRAPH_OFFERS if graph_form else RESULT_OFFERS
        return (
            "error",
            406,
            f"a {result.type} result cannot be sent as any type in the Accept header; "
            f"acceptable: {_offered(offers)}",
        )
    return ("ok", CONTENT_TYPES[fmt], _serialize(result, fmt))


_NETWORK_EVENTS = frozenset({"socket.connect", "socket.getaddrinfo", "urllib.Request"})


def _no_network(event: str, args) -> None:
    if event in _NETWORK_EVENTS:
        raise PermissionError("network access is disabled in stancegraph query workers")


def _harden() -> None:
    """Second layers behind check_query, process-wide: this process only ever runs queries."""
    import sys

    from rdflib.plugins import sparql
    from rdflib.plugins.sparql import CUSTOM_EVALS

    sparql.SPARQL_LOAD_GRAPHS = False

    def refuse_service(ctx, part):
        if part.name == "ServiceGraphPattern":
            raise QueryError("SERVICE is refused: queries may not reach other endpoints")
        raise NotImplementedError

    CUSTOM_EVALS["stancegraph-refuse-service"] = refuse_service
    sys.addaudithook(_no_network)


def _open_worker_store(store_uri: str, seed):
    from graph.store import open_store

    if seed is not None:
        store = open_store(store_uri)
        store.replace_graphs(seed)
        return store
    return open_store(store_uri, read_only=True)


def _worker_main(conn, store_uri: str, seed, max_results: int) -> None:
    """A query worker: open the store, say ready, then answer jobs until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which stops us
    try:
        store = _open_worker_store(store_uri, seed)
        _harden()
    except Exception as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = _execute(store, job, max_results)
        except Exception as exc:  # a bug: report its kind, never the query text
            reply = ("error", 500, f"internal error in the query worker: {type(exc).__name__}")
        conn.send(reply)


# ------------------------------------------------------------------------------ the pool


class Overloaded(Exception):
    """Too many queries are waiting for a worker."""


class CutOff(Exception):
    """A query ran past the time limit; its worker was replaced."""


class WorkerCrashed(Exception):
    """A worker died while running a query; it was replaced."""


class _Worker:
    def __init__(self, ctx, store_uri, seed, max_results):
        parent, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=_worker_main,
            args=(child, store_uri, seed, max_results),
            name="stancegraph-query-worker",
            daemon=True,
        )
        self.process.start()
        child.close()  # so that our recv() sees EOF when the worker dies
        self.conn = parent

    def wait_ready(self) -> None:
        try:
            if not self.conn.poll(WORKER_START_TIMEOUT):
                raise StoreError("a query worker did not start in time")
            kind, detail = self.conn.recv()
        except (EOFError, OSError) as exc:
            raise StoreError("a query worker exited while opening the store") from exc
        if kind != "ready":
            raise StoreError(f"a query worker could not open the store: {detail}")

    def roundtrip(self, job):
        self.conn.send(job)
        return self.conn.recv()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(10)

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(2)
        if self.process.is_alive():
            self.kill()
        self.conn.close()


@dataclasses.dataclass
class PoolStats:
    """Counters shown at ``/health``."""

    served: int = 0
    cut_off: int = 0
    crashed: int = 0
    overloaded: int = 0
    replaced: int = 0


class WorkerPool:
    """A fixed number of query worker processes; one job per worker at a time.

    ``run(job, timeout)`` waits for an idle worker (503 Overloaded when ``max_pending`` jobs already
    wait, or none frees within ``queue_timeout``), sends the job and waits for the reply for at most
    ``timeout`` seconds; past it the worker is killed and replaced in the background.
    """

    def __init__(self, store_uri, size, *, max_results, seed=None, max_pending=100,
                 queue_timeout=10.0):
        self.store_uri = store_uri
        self.size = size
        self.max_results = max_results
        self.seed = seed
        self.max_pending = max_pending
        self.queue_timeout = queue_timeout
        self.stats = PoolStats()
        self._ctx = multiprocessing.get_context("spawn")
        self._threads = concurrent.futures.ThreadPoolExecutor(
            max_workers=2 * size + 2, thread_name_prefix="stancegraph-query"
        )
        self._workers: set[_Worker] = set()
        self._tasks: set[asyncio.Task] = set()
        self._idle: asyncio.Queue | None = None
        self._pending = 0
        self._busy = 0
        self._closing = False

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self.store_uri, self.seed, self.max_results)
        try:
            worker.wait_ready()
        except BaseException:
            worker.kill()
            raise
        return worker

    async def start(self) -> None:
        """Start every worker and wait until each has opened the store."""
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        results = await asyncio.gather(
            *(loop.run_in_executor(None, self._spawn) for _ in range(self.size)),
            return_exceptions=True,
        )
        started = [w for w in results if isinstance(w, _Worker)]
        for worker in started:
            self._workers.add(worker)
            self._idle.put_nowait(worker)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            await self.close()
            raise failures[0]

    def health(self) -> dict:
        """Workers ready, busy and waiting, and the counters."""
        idle = self._idle.qsize() if self._idle is not None else 0
        return {
            "workers": self.size,
            "ready": idle + self._busy,
            "busy": self._busy,
            "pending": self._pending,
            **dataclasses.asdict(self.stats),
        }

    async def run(self, job: dict, timeout: float):
        """Run ``job`` on a worker; raises Overloaded, CutOff or WorkerCrashed."""
        if self._pending >= self.max_pending:
            self.stats.overloaded += 1
            raise Overloaded(f"{self._pending} queries are already waiting")
        self._pending += 1
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.queue_timeout)
        except TimeoutError as exc:
            self.stats.overloaded += 1
            raise Overloaded(f"no worker was free for {self.queue_timeout:g} s") from exc
        finally:
            self._pending -= 1
        loop = asyncio.get_running_loop()
        self._busy += 1
        future = loop.run_in_executor(self._threads, worker.roundtrip, job)
        try:
            reply = await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError as exc:
            self.stats.cut_off += 1
            self._replace(worker, future)
            raise CutOff(timeout) from exc
        except (EOFError, OSError) as exc:
            self.stats.crashed += 1
            self._replace(worker, future)
            raise WorkerCrashed(str(exc)) from exc
        except asyncio.CancelledError:
            self._replace(worker, future)
            raise
        finally:
            self._busy -= 1
        self.stats.served += 1
        self._idle.put_nowait(worker)
        return reply

    def _replace(self, worker: _Worker, future) -> None:
        self.stats.replaced += 1
        self._workers.discard(worker)
        task = asyncio.get_running_loop().create_task(self._respawn(worker, future))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respawn(self, worker: _Worker, future) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, worker.kill)
        with contextlib.suppress(BaseException):
            await future  # the blocked recv() ends with EOFError once the process is gone
        worker.conn.close()
        while not self._closing:
            try:
                fresh = await loop.run_in_executor(None, self._spawn)
            except StanceGraphError as exc:
                log.error("could not replace a query worker (%s); retrying in 5 s", exc)
                await asyncio.sleep(5)
                continue
            if self._closing:
                await loop.run_in_executor(None, fresh.stop)
                return
            self._workers.add(fresh)
            self._idle.put_nowait(fresh)
            return

    async def close(self) -> None:
        """Stop every worker (idle ones politely, stuck ones by force)."""
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        workers = list(self._workers)
        self._workers.clear()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(None, w.stop) for w in workers))
        self._threads.shutdown(wait=False, cancel_futures=True)


# ------------------------------------------------------------------------------ pages

STRICT_CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS = (
    ("content-security-policy", STRICT_CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
)

_INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)

PLACEHOLDER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stancegraph</title>
<link rel="icon" href="/favicon.ico"><link rel="stylesheet" href="/static/query.css"></head>
<body><main><h1>stancegraph</h1>
<p>The explorer page is not available in this version.
Use the <a href="/query">query page</a> or the <a href="/sparql">SPARQL endpoint</a>.</p>
</main></body></html>
"""


def page_csp(html: str) -> str:
    """A Content-Security-Policy for a generated page: its own inline scripts by hash, no others."""
    hashes = []
    for attributes, body in _INLINE_SCRIPT.findall(html):
        if re.search(r"\bsrc\s*=", attributes, re.I):
            continue
        if re.search(r"type\s*=\s*[\"']?application/(ld\+)?json", attributes, re.I):
            continue  # data blocks are never executed
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    scripts = " ".join(["'self'", *dict.fromkeys(hashes)])
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    )


def _explorer_page(store) -> str:
    try:
        from graph.render import render_page
    except ImportError:
        log.warning("graph.render is not available: '/' serves a placeholder page")
        return PLACEHOLDER_PAGE
    try:
        return render_page(store, view="states")
    except Exception as exc:
        log.warning("the explorer page could not be rendered (%s: %s); '/' serves a placeholder",
                    type(exc).__name__, exc)
        return PLACEHOLDER_PAGE


def _example_params(example: str) -> dict[str, str]:
    return dict(re.findall(r"--param\s+([A-Za-z_]\w*)=(\S+)", example))


def _query_catalogue() -> list[dict]:
    from graph.query import named_queries

    catalogue = []
    for query in named_queries().values():
        examples = _example_params(query.example)
        catalogue.append({
            "name": query.name,
            "description": query.description,
            "text": query.text,
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "help": p.help,
                    "optional": p.optional,
                    "example": examples.get(p.name, ""),
                }
                for p in query.parameters
            ],
        })
    return catalogue


def _service_description(endpoint: str, graph_names: Sequence[str], settings: dict):
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, RDF

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    graph = Graph()
    graph.bind("sd", sd)
    graph.bind("formats", formats)
    graph.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, sd.Service))
    graph.add((service, sd.endpoint, service))
    graph.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    graph.add((service, sd.feature, sd.UnionDefaultGraph))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                 "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        graph.add((service, sd.resultFormat, formats[name]))
    graph.add((service, DCTERMS.title, Literal("stancegraph SPARQL endpoint")))
    graph.add((service, DCTERMS.description, Literal(
        "Read-only SPARQL 1.1 Query over the stancegraph actor-stance graph; the default graph "
        "is the union of the named graphs. Updates, SERVICE, FROM, FROM NAMED and LOAD are "
        f"refused. Each query may run {settings['query_timeout']:g} s and return "
        f"{settings['max_results']:,} rows or triples; a query may be "
        f"{settings['max_query_bytes']:,} bytes long."
    )))
    dataset, default = BNode("dataset"), BNode("default")
    graph.add((service, sd.defaultDataset, dataset))
    graph.add((dataset, RDF.type, sd.Dataset))
    graph.add((dataset, sd.defaultGraph, default))
    graph.add((default, RDF.type, sd.Graph))
    for index, name in enumerate(graph_names):
        node = BNode(f"g{index}")
        graph.add((dataset, sd.namedGraph, node))
        graph.add((node, RDF.type, sd.NamedGraph))
        graph.add((node, sd.name, URIRef(name)))
    return graph


# ------------------------------------------------------------------------------ HTTP


class _Guard:
    """Adds the security headers to every response and logs one line per request.

    The line names the route (never the query string, which may carry a query or a token).
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.datastructures import MutableHeaders

        started = time.perf_counter()
        status = 500

        async def send_with_headers(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route = getattr(scope.get("route"), "path", None) or "(no route)"
            if route == "/static":
                route = scope.get("path", route)[:100]
            log.info("%s %s %d %.1f ms", scope.get("method"), route, status,
                     (time.perf_counter() - started) * 1000)


@dataclasses.dataclass(frozen=True)
class Limits:
    """The server's limits, as validated by :func:`create_app`."""

    query_timeout: float
    max_results: int
    max_query_bytes: int

    @property
    def max_body_bytes(self) -> int:
        # A form-encoded query may be up to three times its own size.
        return 3 * self.max_query_bytes + 4096


class _TooLarge(Exception):
    pass


def _text(status: int, message: str, headers: dict | None = None):
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(message.rstrip("\n") + "\n", status_code=status, headers=headers)


UPDATE_REFUSED = (
    "updates (INSERT, DELETE, LOAD, CLEAR, DROP...) are refused: the graph is read-only"
)
DATASET_REFUSED = (
    "default-graph-uri and named-graph-uri are refused: queries run on the stored graph only"
)


async def _read_body(request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limits: Limits):
    return _text(413, f"the query is over {limits.max_query_bytes:,} bytes (the server's "
                      "--max-query-bytes limit)")


def _prefers_html(accept: str) -> bool:
    ranges = _accept_ranges(accept or "")
    html = max((q for main, sub, q, _ in ranges if (main, sub) == ("text", "html")), default=0)
    return html > 0 and all(q <= html for *_, q, _ in ranges)


async def _dispatch(request, job: dict):
    from starlette.responses import Response

    state = request.app.state.stancegraph
    accept = request.headers.get("accept", "")
    job["result_format"] = negotiate(accept, RESULT_OFFERS)
    job["graph_format"] = negotiate(accept, GRAPH_OFFERS)
    if job["result_format"] is None and job["graph_format"] is None:
        return _text(406, "none of the types in the Accept header can be sent; results: "
                          f"{_offered(RESULT_OFFERS)}; graphs: {_offered(GRAPH_OFFERS)}")
    timeout = state.limits.query_timeout
    try:
        reply = await state.pool.run(job, timeout)
    except Overloaded as exc:
        return _text(503, f"the server is busy ({exc}): try again shortly",
                     headers={"Retry-After": "1"})
    except CutOff:
        return _text(503, f"the query was cut off after {timeout:g} s (the server's --timeout "
                          "limit): add a LIMIT or narrow the query")
    except WorkerCrashed:
        return _text(500, "the query stopped its worker process unexpectedly; the worker has "
                          "been replaced")
    if reply[0] == "ok":
        _, content_type, body = reply
        return Response(body, media_type=content_type, headers={"Vary": "Accept"})
    _, status, message = reply
    return _text(status, message)


async def sparql_endpoint(request):
    """The SPARQL 1.1 Protocol: GET ``query=``, POST form or ``application/sparql-query``."""
    state = request.app.state.stancegraph
    limits = state.limits
    fields: dict[str, list[str]] = {}
    for key in request.query_params:
        fields[key] = request.query_params.getlist(key)
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            return _text(403, UPDATE_REFUSED)
        if content_type not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            return _text(415, "send the query as application/x-www-form-urlencoded (query=...) "
                              "or application/sparql-query")
        try:
            body = await _read_body(request, limits.max_body_bytes)
            text_body = body.decode("utf-8")
        except _TooLarge:
            return _too_large(limits)
        except UnicodeDecodeError:
            return _text(400, "the request body is not UTF-8")
        if content_type == "application/sparql-query":
            fields.setdefault("query", []).append(text_body)
        else:
            try:
                form = parse_qs(text_body, keep_blank_values=True, max_num_fields=100)
            except ValueError:
                return _text(400, "too many form fields")
            for key, values in form.items():
                fields.setdefault(key, []).extend(values)
    if "update" in fields:
        return _text(403, UPDATE_REFUSED)
    if "default-graph-uri" in fields or "named-graph-uri" in fields:
        return _text(400, DATASET_REFUSED)
    queries = fields.get("query", [])
    if not queries:
        if request.method == "POST":
            return _text(400, "no query given: send query=...")
        return service_description(request)
    if len(queries) > 1:
        return _text(400, "give exactly one query")
    text = queries[0]
    if len(text.encode("utf-8")) > limits.max_query_bytes:
        return _too_large(limits)
    return await _dispatch(request, {"query": text})


def service_description(request):
    """SPARQL 1.1 Service Description of this endpoint (Turtle by default)."""
    from starlette.responses import RedirectResponse, Response

    accept = request.headers.get("accept", "")
    if _prefers_html(accept):
        return RedirectResponse(request.url_for("query_page"), status_code=303)
    fmt = negotiate(accept, GRAPH_OFFERS)
    if fmt is None:
        return _text(406, f"the service description is sent as {_offered(GRAPH_OFFERS)}")
    state = request.app.state.stancegraph
    endpoint = redact(str(request.url))
    graph = _service_description(endpoint, state.graph_names, dataclasses.asdict(state.limits))
    rdf_format = {"turtle": "turtle", "nt": "nt", "json-ld": "json-ld", "rdf-xml": "xml"}[fmt]
    return Response(graph.serialize(format=rdf_format, encoding="utf-8"),
                    media_type=CONTENT_TYPES[fmt], headers={"Vary": "Accept"})


async def named_query_run(request):
    """Run a named query with its parameters from the query string (the query page uses it)."""
    from graph.query import named_queries

    state = request.app.state.stancegraph
    name = request.path_params["name"]
    if name not in named_queries():
        return _text(404, f"no named query {name!r}; known: {', '.join(sorted(named_queries()))}")
    params = {key: request.query_params[key] for key in request.query_params}
    if sum(len(k) + len(v) for k, v in params.items()) > state.limits.max_query_bytes:
        return _too_large(state.limits)
    return await _dispatch(request, {"named": name, "params": params})


async def query_catalogue(request):
    """The named queries with their text and parameters (JSON)."""
    from starlette.responses import JSONResponse

    return JSONResponse(request.app.state.stancegraph.catalogue)


async def explorer(request):
    """The explorer page, rendered once at start-up."""
    from starlette.responses import HTMLResponse

    state = request.app.state.stancegraph
    return HTMLResponse(state.explorer_html,
                        headers={"content-security-policy": state.explorer_csp})


async def query_page(request):
    """The query page (all of its assets come from /static)."""
    from starlette.responses import HTMLResponse

    return HTMLResponse(request.app.state.stancegraph.query_html)


async def favicon(request):
    """The icon, so that browsers do not log a 404."""
    from starlette.responses import Response

    return Response(_static_text("favicon.svg"), media_type="image/svg+xml")


async def health(request):
    """Worker pool state and counters (JSON)."""
    from starlette.responses import JSONResponse

    return JSONResponse(request.app.state.stancegraph.pool.health())


def _static_text(name: str) -> str:
    return (resources.files("graph") / "static" / name).read_text(encoding="utf-8")


# ------------------------------------------------------------------------------ app


@dataclasses.dataclass
class _State:
    limits: Limits
    pool: WorkerPool
    graph_names: list[str]
    catalogue: list[dict]
    explorer_html: str
    explorer_csp: str
    query_html: str


def _prepare(store_uri: str):
    """Open the store once here: check it, list its graphs, render the explorer page, and for
    in-memory stores build the seed that every worker loads."""
    from graph.store import open_store

    seed = None
    if store_uri in MEMORY_URIS:
        from graph.build import build

        store = open_store(store_uri)
        build(store)
        seed = {}
        for s, p, o, g in store.quads():
            seed.setdefault(g, []).append((s, p, o))
    else:
        store = open_store(store_uri, read_only=True)
    try:
        names = [str(name) for name in store.graph_names()]
        page = _explorer_page(store)
    finally:
        store.close()
    return seed, names, page


def _check_positive(name: str, value, kind) -> None:
    if isinstance(value, bool) or not isinstance(value, kind) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, not {value!r}")


def check_origin(origin: str) -> str:
    """A CORS origin as ``scheme://host[:port]``; ValueError otherwise.

    >>> check_origin("https://example.org")
    'https://example.org'
    """
    parts = urlsplit(origin)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ValueError(f"{redact(origin)!r} is not an origin: use scheme://host[:port] "
                         "(no user name, path or query), e.g. https://example.org")
    try:
        parts.port  # noqa: B018 -- raises ValueError for a bad port
    except ValueError as exc:
        raise ValueError(f"{redact(origin)!r} has a bad port") from exc
    return f"{parts.scheme}://{parts.netloc}"


def create_app(
    store_uri: str,
    *,
    query_timeout: float = SETTINGS["query_timeout"].default,
    max_results: int = SETTINGS["max_results"].default,
    max_query_bytes: int = SETTINGS["max_query_bytes"].default,
    cors_origins: Sequence[str] = (),
    workers: int | None = None,
    max_pending: int = 100,
    queue_timeout: float | None = None,
):
    """The Starlette app that ``stancegraph serve`` runs.

    Opens the store once (to check it, list its named graphs and render the explorer page);
    the worker processes start with the app's lifespan.

    Parameters
    ----------
    store_uri : str
        ``oxigraph:PATH`` (workers open it read-only), or ``memory:`` / ``oxigraph:memory``
        (the bundled seed, built once and copied into every worker).
    query_timeout : float
        Seconds a query may run before it is cut off (503) and its worker replaced.
    max_results : int
        Rows (SELECT) or triples (CONSTRUCT, DESCRIBE) a query may return; past it, 503.
    max_query_bytes : int
        Size limit of a query (UTF-8 bytes); past it, 413.
    cors_origins : sequence of str
        Origins allowed to read responses cross-origin; none by default (no CORS headers).
    workers : int, optional
        Number of query worker processes (default: 2 to 4 by CPU count).
    max_pending : int
        Queries that may wait for a worker; one more gets 503.
    queue_timeout : float, optional
        Seconds a query may wait for a worker before 503 (default: max(query_timeout, 5)).

    Raises
    ------
    ValueError
        For a bad limit or origin. StoreError when the store cannot be opened.
    """
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    workers = DEFAULT_WORKERS if workers is None else workers
    for name, value in (("query_timeout", query_timeout), ("queue_timeout", queue_timeout)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or not value > 0
        ):
            raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
    for name, value in (("max_results", max_results), ("max_query_bytes", max_query_bytes),
                        ("workers", workers), ("max_pending", max_pending)):
        _check_positive(name, value, int)
    origins = [check_origin(origin) for origin in cors_origins]
    limits = Limits(float(query_timeout), max_results, max_query_bytes)

    seed, graph_names, page = _prepare(store_uri)
    pool = WorkerPool(
        store_uri,
        workers,
        max_results=max_results,
        seed=seed,
        max_pending=max_pending,
        queue_timeout=queue_timeout if queue_timeout is not None else max(query_timeout, 5.0),
    )
    state = _State(
        limits=limits,
        pool=pool,
        graph_names=graph_names,
        catalogue=_query_catalogue(),
        explorer_html=page,
        explorer_csp=page_csp(page),
        query_html=_static_text("query.html"),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await pool.start()
        log.info("serving %s with %d query workers (timeout %g s, max %s results, max %s bytes)",
                 redact(store_uri), workers, limits.query_timeout, f"{max_results:,}",
                 f"{max_query_bytes:,}")
        try:
            yield
        finally:
            await pool.close()

    middleware = [Middleware(_Guard)]
    if origins:
        middleware.insert(0, Middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type"],
            allow_credentials=False,
            max_age=600,
        ))
    routes = [
        Route("/", explorer, name="explorer"),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"], name="sparql"),
        Route("/query", query_page, name="query_page"),
        Route("/api/queries", query_catalogue, name="queries"),
        Route("/api/queries/{name}", named_query_run, name="named_query"),
        Route("/health", health, name="health"),
        Route("/favicon.ico", favicon, name="favicon"),
        Mount("/static", app=StaticFiles(packages=[("graph", "static")]), name="static"),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.stancegraph = state
    return app


def _log_config() -> dict:
    from uvicorn.config import LOGGING_CONFIG

    config = json.loads(json.dumps(LOGGING_CONFIG))
    config["loggers"]["stancegraph"] = {"handlers": ["default"], "level": "INFO",
                                        "propagate": False}
    return config


def uvicorn_config(app, *, host: str = "127.0.0.1", port: int = 8000,
                   log_level: str = "info"):
    """The uvicorn settings the server runs with (no access log: it would print query strings)."""
    import uvicorn

    limits: Limits = app.state.stancegraph.limits
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        log_config=_log_config(),
        access_log=False,  # uvicorn's access log prints query strings; _Guard logs routes
        proxy_headers=False,
        server_header=False,
        http="h11",
        # Let a GET query up to the limit through h11, so that the app answers 413 past it.
        h11_max_incomplete_event_size=limits.max_body_bytes + 16384,
        lifespan="on",
    )


def run(app, *, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """Serve ``app`` with uvicorn until interrupted."""
    import uvicorn

    server = uvicorn.Server(uvicorn_config(app, host=host, port=port, log_level=log_level))
    server.run()
    if not server.started:
        raise StoreError("the server did not start (see the messages above)")
