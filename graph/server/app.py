"""`stancegraph serve`: a read-only SPARQL 1.1 endpoint, the explorer page and a query page.

Design
------
The HTTP side is a Starlette app run by uvicorn: this module assembles it (routes, security
headers, CORS, start-up), :mod:`graph.server.endpoint` answers the SPARQL routes with the rules of
:mod:`graph.server.protocol`, and :mod:`graph.server.pages` serves the pages. Queries never run in
the server process: each one goes to a small pool of worker processes (:mod:`graph.server.workers`,
``multiprocessing`` "spawn"), each with its own read-only handle on the store. A pyoxigraph query
runs in Rust and cannot be interrupted from Python, so the time limit is enforced from outside:
when a query passes ``query_timeout`` the server answers 503 and kills that worker process
(SIGKILL), and a fresh worker replaces it in the background. A slow query therefore holds one
worker, never the event loop, and the other workers keep answering. Queries not known to be cheap
never hold the last worker, and a query cut off is refused at once when sent again for a while
(see :class:`graph.server.workers.WorkerPool`), so clients re-sending runaway queries cannot
starve the others.

Every query is checked before it is evaluated, inside the worker, by
:func:`graph.store.query.run_query` (which calls :func:`graph.store.query.check_query`): updates,
``SERVICE``, ``FROM`` / ``FROM NAMED`` and ``LOAD`` are refused whatever store is behind the
server. Workers add second layers: rdflib's ``SPARQL_LOAD_GRAPHS`` is off, a custom eval refuses
``SERVICE`` in rdflib's engine, and an audit hook refuses any Python socket connection or URL
request in the process.
Workers memoise successful checks by query text (parsing with rdflib costs ~30 ms).

Status codes: 400 malformed query or refused feature (SERVICE, FROM, dataset parameters), 403
updates, 404 unknown named query, 405 other methods, 406 no acceptable format, 413 query too large,
415 unsupported request body, 500 a worker died, 503 overloaded, cut off at the time limit, or a
result over ``max_results`` rows or triples (refused whole, never silently truncated).

``memory:`` and ``oxigraph:memory`` stores cannot be shared between processes: the server builds
the bundled seed once and every worker loads a copy (a demo mode; edits are not possible anyway).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from graph.errors import StanceGraphError, StoreError
from graph.server.endpoint import Limits, named_query_run, sparql_endpoint
from graph.server.pages import (
    explorer,
    explorer_page,
    favicon,
    named_query_catalogue,
    page_csp,
    query_catalogue,
    query_page,
    static_text,
)
from graph.server.protocol import negotiate, redact
from graph.server.workers import DEFAULT_WORKERS, WorkerPool
from graph.settings import SETTINGS

__all__ = [
    "create_app", "run", "uvicorn_config", "negotiate", "check_origin", "page_csp", "redact",
    "WorkerPool", "DEFAULT_WORKERS",
]

log = logging.getLogger("stancegraph.server.app")

MEMORY_URIS = ("memory:", "oxigraph:memory")

# ------------------------------------------------------------------------------ HTTP

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


async def health(request):
    """Worker pool state and counters (JSON)."""
    from starlette.responses import JSONResponse

    return JSONResponse(request.app.state.stancegraph.pool.health())


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
        page = explorer_page(store)
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
    workbench=None,
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
    workbench : graph.workbench.server.Workbench, optional
        Serve the coding page at ``/code`` (``stancegraph serve --code-into FOLDER``).

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
        timeout=query_timeout,  # what counts as a cheap query, and the cut-off cool-down
    )
    state = _State(
        limits=limits,
        pool=pool,
        graph_names=graph_names,
        catalogue=named_query_catalogue(),
        explorer_html=page,
        explorer_csp=page_csp(page),
        query_html=static_text("query.html"),
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
        Mount("/static", app=StaticFiles(packages=[("graph.server", "static")]), name="static"),
    ]
    if workbench is not None:  # the coding page, /code (graph.workbench.server)
        from graph.workbench.server import routes as workbench_routes

        routes += workbench_routes(workbench)
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.stancegraph = state
    app.state.workbench = workbench
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


def listen(host: str, port: int):
    """A socket bound to ``host:port`` and listening; StanceGraphError naming the address when
    it cannot be had (a busy port, an address not on this machine)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        raise StanceGraphError(f"cannot serve on {where}: {exc.strerror or exc}") from None
    return sock


def run(app, *, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info",
        on_listening=None) -> None:
    """Serve ``app`` with uvicorn until interrupted.

    The port is bound first, so that ``on_listening`` (called then, e.g. to print the
    addresses) never announces a server that cannot start.
    """
    import uvicorn

    sock = listen(host, port)
    if on_listening is not None:
        on_listening()
    server = uvicorn.Server(uvicorn_config(app, host=host, port=port, log_level=log_level))
    server.run(sockets=[sock])
    if not server.started:
        raise StoreError("the server did not start (see the messages above)")
