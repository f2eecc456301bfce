"""Query worker processes: a pool with a per-query time limit, hardened, within a result limit."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import itertools
import logging
import multiprocessing
import os
import signal

from graph.errors import QueryError, StanceGraphError, StoreError
from graph.server.protocol import (
    CONTENT_TYPES,
    GRAPH_OFFERS,
    RESULT_OFFERS,
    offered,
    serialize,
    status_for,
)

__all__ = [
    "WorkerPool",
    "PoolStats",
    "Overloaded",
    "CutOff",
    "WorkerCrashed",
    "DEFAULT_WORKERS",
]

log = logging.getLogger("stancegraph.server.app")

DEFAULT_WORKERS = min(4, max(2, os.cpu_count() or 2))
WORKER_START_TIMEOUT = 120.0

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


def _execute(store, job: dict, max_results: int) -> tuple:
    """Run one job in a worker: ``("ok", content type, body)`` or ``("error", status, text)``."""
    from graph.store.query import named_query, run_query

    try:
        if job.get("named"):
            named = named_query(job["named"])
            text, declared = named.text, named.parameters
        else:
            text, declared = job["query"], ()
        result = run_query(_LimitedStore(store, max_results), text, job.get("params"), declared)
    except QueryError as exc:
        return ("error", status_for(exc), str(exc))
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
            f"acceptable: {offered(offers)}",
        )
    return ("ok", CONTENT_TYPES[fmt], serialize(result, fmt))


_NETWORK_EVENTS = frozenset({"socket.connect", "socket.getaddrinfo", "urllib.Request"})


def _store_endpoint(store_uri: str) -> set[tuple[str, int]]:
    """The (host, port) pairs of a SPARQL server store: the one place a worker may connect to."""
    import socket
    from urllib.parse import urlsplit

    if not store_uri.startswith(("sparql+http://", "sparql+https://")):
        return set()
    parts = urlsplit(store_uri.removeprefix("sparql+"))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    allowed = {(parts.hostname, port)}
    for *_, address in socket.getaddrinfo(parts.hostname, port):
        allowed.add((address[0], port))
    return allowed


def _network_guard(allowed: set[tuple[str, int]]):
    def guard(event: str, args) -> None:
        if event not in _NETWORK_EVENTS:
            return
        if event == "socket.getaddrinfo" and (args[0], args[1]) in allowed:
            return
        if event == "socket.connect" and isinstance(args[1], tuple) \
                and tuple(args[1][:2]) in allowed:
            return
        raise PermissionError("network access is disabled in stancegraph query workers")

    return guard


def _harden(store_uri: str = "") -> None:
    """Second layers behind check_query, process-wide: this process only ever runs queries.

    The only connections left open are to the store itself when it is a SPARQL server.
    """
    import sys

    from rdflib.plugins import sparql
    from rdflib.plugins.sparql import CUSTOM_EVALS

    sparql.SPARQL_LOAD_GRAPHS = False

    def refuse_service(ctx, part):
        if part.name == "ServiceGraphPattern":
            raise QueryError("SERVICE is refused: queries may not reach other endpoints")
        raise NotImplementedError

    CUSTOM_EVALS["stancegraph-refuse-service"] = refuse_service
    sys.addaudithook(_network_guard(_store_endpoint(store_uri)))


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
        _harden(store_uri)
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
