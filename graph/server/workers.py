"""Query worker processes: a pool with a per-query time limit, hardened, within a result limit."""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import dataclasses
import itertools
import logging
import multiprocessing
import os
import signal
import time

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
    "RecentlyCutOff",
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
        result = run_query(_LimitedStore(store, max_results), text, job.get("params"), declared,
                           how="add NAME=VALUE to the query string")
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


class RecentlyCutOff(Overloaded):
    """The same query was cut off at the time limit a moment ago: it is not run again yet."""


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
    refused_recently_cut_off: int = 0


@dataclasses.dataclass
class _Cost:
    """What the pool remembers of a query: how long it last ran, and when it was cut off."""

    seconds: float | None = None
    cut_off_at: float | None = None


class _Waiter:
    __slots__ = ("future", "cheap")

    def __init__(self, future, cheap: bool):
        self.future = future
        self.cheap = cheap


def cost_key(job: dict) -> str:
    """The identity of a job for the cost memory: the query text, or the name and parameters."""
    if job.get("named"):
        params = sorted((job.get("params") or {}).items())
        return "named:" + job["named"] + "?" + "&".join(f"{k}={v}" for k, v in params)
    return "query:" + job.get("query", "")


class WorkerPool:
    """A fixed number of query worker processes; one job per worker at a time.

    ``run(job, timeout)`` waits for a worker (503 Overloaded when ``max_pending`` jobs already
    wait, or none frees within ``queue_timeout``), sends the job and waits for the reply for at
    most ``timeout`` seconds; past it the worker is killed and replaced in the background.

    A slow query must not starve cheap ones (issue 14). The pool remembers how long each query
    (by text, or named query and parameters) took at its fastest. One that finished within
    ``cheap_seconds`` is *cheap* and may take any idle worker; any other (new, or known to be
    slow) may only run on ``size - 1`` workers at once, counting a worker being replaced after
    a cut-off, so that one worker is always left to cheap queries, and cheap queries waiting
    are served first. A query cut off at the time limit is refused at once (503) if it is sent
    again within ``cooldown`` seconds: re-sending a runaway query costs the server nothing.
    Clients re-sending variants of a runaway query still share the slow workers between them,
    never the reserved one.
    """

    def __init__(self, store_uri, size, *, max_results, seed=None, max_pending=100,
                 queue_timeout=10.0, cheap_seconds=None, cooldown=None, timeout=None):
        self.store_uri = store_uri
        self.size = size
        self.max_results = max_results
        self.seed = seed
        self.max_pending = max_pending
        self.queue_timeout = queue_timeout
        reference = timeout if timeout is not None else queue_timeout
        #: A query that ran at most this long is cheap (half the time limit, at most 1 s).
        self.cheap_seconds = cheap_seconds if cheap_seconds is not None \
            else min(1.0, reference / 2)
        #: Seconds a query cut off at the time limit is refused when sent again.
        self.cooldown = cooldown if cooldown is not None else max(30.0, 6 * reference)
        #: Workers that must stay free of queries not known to be cheap.
        self.reserve = 1 if size >= 2 else 0
        self.stats = PoolStats()
        self._ctx = multiprocessing.get_context("spawn")
        self._threads = concurrent.futures.ThreadPoolExecutor(
            max_workers=2 * size + 2, thread_name_prefix="stancegraph-query"
        )
        self._workers: set[_Worker] = set()
        self._tasks: set[asyncio.Task] = set()
        self._idle: list[_Worker] = []
        self._waiters: collections.deque[_Waiter] = collections.deque()
        self._costs: collections.OrderedDict[str, _Cost] = collections.OrderedDict()
        self._busy = 0
        self._slow_running = 0  # queries not known to be cheap, running or being replaced
        self._closing = False

    # -------------------------------------------------------------------------- workers

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
        results = await asyncio.gather(
            *(loop.run_in_executor(None, self._spawn) for _ in range(self.size)),
            return_exceptions=True,
        )
        started = [w for w in results if isinstance(w, _Worker)]
        for worker in started:
            self._workers.add(worker)
            self._release(worker)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            await self.close()
            raise failures[0]

    def health(self) -> dict:
        """Workers ready, busy and waiting, and the counters."""
        return {
            "workers": self.size,
            "ready": len(self._idle) + self._busy,
            "busy": self._busy,
            "pending": len(self._waiters),
            "slow_running": self._slow_running,
            **dataclasses.asdict(self.stats),
        }

    # -------------------------------------------------------------------------- scheduling

    def _may_run_slow(self) -> bool:
        return self._slow_running < self.size - self.reserve

    def _take(self, cheap: bool) -> _Worker | None:
        if not self._idle or not (cheap or self._may_run_slow()):
            return None
        if not cheap:
            self._slow_running += 1
        return self._idle.pop()

    def _release(self, worker: _Worker) -> None:
        self._idle.append(worker)
        self._wake()

    def _wake(self) -> None:
        """Hand idle workers to waiting jobs: cheap ones first, each kind in arrival order."""
        for cheap in (True, False):
            for waiter in [w for w in self._waiters if w.cheap == cheap]:
                if waiter.future.done():
                    self._waiters.remove(waiter)
                    continue
                worker = self._take(cheap)
                if worker is None:
                    break
                self._waiters.remove(waiter)
                waiter.future.set_result(worker)

    async def _acquire(self, cheap: bool) -> _Worker:
        # Jump no queue: a cheap job waits only behind cheap ones, any other behind all.
        ahead = any(w.cheap for w in self._waiters) if cheap else bool(self._waiters)
        worker = None if ahead else self._take(cheap)
        if worker is not None:
            return worker
        if len(self._waiters) >= self.max_pending:
            self.stats.overloaded += 1
            raise Overloaded(f"{len(self._waiters)} queries are already waiting")
        waiter = _Waiter(asyncio.get_running_loop().create_future(), cheap)
        self._waiters.append(waiter)
        self._wake()  # it may be served at once (a cheap job behind slow ones)
        try:
            await asyncio.wait({waiter.future}, timeout=self.queue_timeout)
        except asyncio.CancelledError:
            self._abandon(waiter)
            raise
        if not waiter.future.done():
            self._abandon(waiter)
            self.stats.overloaded += 1
            raise Overloaded(f"no worker was free for {self.queue_timeout:g} s")
        return waiter.future.result()

    def _abandon(self, waiter: _Waiter) -> None:
        """A waiter gives up: if a worker was handed to it meanwhile, give the worker back."""
        if waiter in self._waiters:
            self._waiters.remove(waiter)
        if waiter.future.done() and not waiter.future.cancelled():
            if not waiter.cheap:
                self._slow_running -= 1
            self._release(waiter.future.result())
        else:
            waiter.future.cancel()

    def _remember(self, key: str, seconds: float | None = None, cut_off: bool = False) -> None:
        cost = self._costs.pop(key, None) or _Cost()
        if cut_off:
            cost.cut_off_at = time.monotonic()
            cost.seconds = None
        else:
            # The fastest run is the query's own cost; slower ones waited for a busy CPU (a
            # worker starting beside it), and must not turn a cheap query into a slow one.
            cost.seconds = seconds if cost.seconds is None else min(cost.seconds, seconds)
        self._costs[key] = cost
        while len(self._costs) > 4096:  # a bounded memory: the oldest entries go
            self._costs.popitem(last=False)

    async def run(self, job: dict, timeout: float):
        """Run ``job`` on a worker; raises Overloaded, RecentlyCutOff, CutOff or WorkerCrashed."""
        key = cost_key(job)
        cost = self._costs.get(key)
        if cost is not None and cost.cut_off_at is not None:
            ago = time.monotonic() - cost.cut_off_at
            if ago < self.cooldown:
                self.stats.refused_recently_cut_off += 1
                raise RecentlyCutOff(
                    f"this query was cut off at the time limit {ago:.0f} s ago; it is refused "
                    f"for {self.cooldown - ago:.0f} s more: add a LIMIT or narrow the query")
        cheap = cost is not None and cost.seconds is not None and \
            cost.seconds <= self.cheap_seconds
        worker = await self._acquire(cheap)
        loop = asyncio.get_running_loop()
        self._busy += 1
        started = time.monotonic()
        future = loop.run_in_executor(self._threads, worker.roundtrip, job)
        try:
            reply = await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError as exc:
            self.stats.cut_off += 1
            self._remember(key, cut_off=True)
            self._replace(worker, future, cheap)
            raise CutOff(timeout) from exc
        except (EOFError, OSError) as exc:
            self.stats.crashed += 1
            self._replace(worker, future, cheap)
            raise WorkerCrashed(str(exc)) from exc
        except asyncio.CancelledError:
            self._replace(worker, future, cheap)
            raise
        finally:
            self._busy -= 1
        self._remember(key, time.monotonic() - started)
        self.stats.served += 1
        if not cheap:
            self._slow_running -= 1
        self._release(worker)
        return reply

    def _replace(self, worker: _Worker, future, cheap: bool) -> None:
        self.stats.replaced += 1
        self._workers.discard(worker)
        task = asyncio.get_running_loop().create_task(self._respawn(worker, future, cheap))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respawn(self, worker: _Worker, future, cheap: bool) -> None:
        # A slow query's share is held until its replacement is ready: otherwise the next slow
        # query would take the reserved worker while this one restarts.
        loop = asyncio.get_running_loop()
        try:
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
                if not cheap:
                    self._slow_running -= 1
                    cheap = True  # released once
                self._release(fresh)
                return
        finally:
            if not cheap:
                self._slow_running -= 1

    async def close(self) -> None:
        """Stop every worker (idle ones politely, stuck ones by force)."""
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        for waiter in list(self._waiters):
            waiter.future.cancel()
        self._waiters.clear()
        workers = list(self._workers)
        self._workers.clear()
        self._idle.clear()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(None, w.stop) for w in workers))
        self._threads.shutdown(wait=False, cancel_futures=True)
