"""The SPARQL endpoint's routes: requests parsed and bounded, then answered by the worker pool."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs

from graph.server.protocol import (
    CONTENT_TYPES,
    GRAPH_OFFERS,
    RESULT_OFFERS,
    negotiate,
    offered,
    prefers_html,
    service_description_graph,
)
from graph.server.workers import CutOff, Overloaded, RecentlyCutOff, WorkerCrashed

__all__ = [
    "Limits",
    "UPDATE_REFUSED",
    "DATASET_REFUSED",
    "sparql_endpoint",
    "service_description",
    "named_query_run",
]


@dataclasses.dataclass(frozen=True)
class Limits:
    """The server's limits, as validated by :func:`graph.server.create_app`."""

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


async def _dispatch(request, job: dict):
    from starlette.responses import Response

    state = request.app.state.stancegraph
    accept = request.headers.get("accept", "")
    job["result_format"] = negotiate(accept, RESULT_OFFERS)
    job["graph_format"] = negotiate(accept, GRAPH_OFFERS)
    if job["result_format"] is None and job["graph_format"] is None:
        return _text(406, "none of the types in the Accept header can be sent; results: "
                          f"{offered(RESULT_OFFERS)}; graphs: {offered(GRAPH_OFFERS)}")
    timeout = state.limits.query_timeout
    try:
        reply = await state.pool.run(job, timeout)
    except RecentlyCutOff as exc:
        return _text(503, str(exc))
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


def _endpoint_url(request) -> str:
    """The endpoint's address from the socket the server listens on (its --host and --port).

    Never from the request's ``Host`` header: a client chooses that, and the description would
    then advertise an endpoint of the client's choosing (issue 14).
    """
    path = request.app.url_path_for("sparql")
    server = request.scope.get("server")
    if not server or server[1] is None:
        return path
    host, port = server
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}{path}"


def service_description(request):
    """SPARQL 1.1 Service Description of this endpoint (Turtle by default)."""
    from starlette.responses import RedirectResponse, Response

    accept = request.headers.get("accept", "")
    if prefers_html(accept):
        # A path, not request.url_for: that would build the address from the Host header.
        return RedirectResponse(request.app.url_path_for("query_page"), status_code=303)
    fmt = negotiate(accept, GRAPH_OFFERS)
    if fmt is None:
        return _text(406, f"the service description is sent as {offered(GRAPH_OFFERS)}")
    state = request.app.state.stancegraph
    endpoint = _endpoint_url(request)
    graph = service_description_graph(endpoint, state.graph_names, dataclasses.asdict(state.limits))
    rdf_format = {"turtle": "turtle", "nt": "nt", "json-ld": "json-ld", "rdf-xml": "xml"}[fmt]
    return Response(graph.serialize(format=rdf_format, encoding="utf-8"),
                    media_type=CONTENT_TYPES[fmt], headers={"Vary": "Accept"})


async def named_query_run(request):
    """Run a named query with its parameters from the query string (the query page uses it)."""
    from graph.store.query import named_queries

    state = request.app.state.stancegraph
    name = request.path_params["name"]
    if name not in named_queries():
        return _text(404, f"no named query {name!r}; known: {', '.join(sorted(named_queries()))}")
    params = {key: request.query_params[key] for key in request.query_params}
    if sum(len(k) + len(v) for k, v in params.items()) > state.limits.max_query_bytes:
        return _too_large(state.limits)
    return await _dispatch(request, {"named": name, "params": params})
