"""A store on any SPARQL 1.1 server: SPARQL 1.1 Protocol for queries and updates, Graph Store
Protocol for bulk uploads.

URI: ``sparql+http://HOST:PORT/PATH`` (or ``sparql+https://``), where ``PATH`` is the query
endpoint. The update and Graph Store endpoints follow from it: ``/query`` (oxigraph, Fuseki
style) gives ``/update`` and ``/store``; ``/sparql`` (Virtuoso) gives ``/sparql`` and
``/sparql-graph-crud``. Override them with query parameters: ``?update=/u&store=/gsp``, and
set ``timeout=SECONDS`` (default 600) for slow servers. ``user:password@`` sends basic auth.
``write=direct`` trades atomicity for speed on big first loads (see Writes).

Scope. Every query sees the union of our named graphs only, those under
``https://stancegraph.org/graph/`` (a server's default graph may hold its own triples: a fresh
Virtuoso has thousands): the request names each of them as ``default-graph-uri`` and
``named-graph-uri`` (SPARQL 1.1 Protocol), so ``GRAPH ?g`` ranges over our graphs too.

Parameters. The protocol cannot carry bound variables, so bound values are joined to the query
as a ``VALUES`` block placed first in the outermost ``WHERE`` group, built from each rdflib
term's own N-Triples form (IRIs and language tags are checked, literals escaped; blank nodes are
refused). Everything in that group -- patterns, ``OPTIONAL``, ``FILTER``, ``BIND`` -- sees the
value, as with pyoxigraph's substitutions and rdflib's ``initBindings``; a subquery is evaluated
on its own and joined with the value afterwards, which gives the same rows (projecting the
parameter variable, as our named queries do, keeps every store's answers equal). A ``BIND`` to
a bound variable is an error, as in SPARQL. The rewritten query is parsed again before it is
sent (:mod:`graph.store.rewrite`).

Writes. :meth:`RemoteStore.replace_graphs` uploads each new graph with the Graph Store Protocol
(``PUT`` then ``POST`` of N-Triples in chunks) to a staging graph outside our namespace, so no
query sees it, then swaps all graphs in one SPARQL UPDATE request (``MOVE`` staging to target,
``DROP`` for emptied graphs). On the oxigraph server an update request is one transaction: all
graphs change or none. Virtuoso 7 runs the operations of one request in one transaction and
commits after the last (its answer ends ``Commit -- done``; a request it rejects changes
nothing, as tested here); a failure in the middle of a request on Virtuoso is rolled back by its
transaction, not by us. If an upload fails, nothing visible changed, and the staging graphs are
dropped (or, after a crash, by a later write, when they are a day old). The price: the server
copies each graph once more (``MOVE`` is a copy and a delete inside one transaction; measured on
the oxigraph server, about six times the bulk upload). Staging uploads to an oxigraph server use
its bulk loader (``no_transaction``), safe because no query sees a staging graph.

With ``write=direct`` in the URI, each graph is dropped and uploaded in place instead: several
times faster, but readers see a graph half loaded while it loads, and a failed or killed write
leaves it so (run it again). Meant for a first bulk load of a fresh server.

Virtuoso quirks handled here: queries are POSTed form-encoded (a body of type
``application/sparql-query`` hangs it); results are asked for as JSON (or CSV) explicitly; no
``INSERT DATA`` of more than a few hundred triples (bulk goes through the Graph Store endpoint);
``ResultSetMaxRows`` (10,000 by default) cuts results silently with HTTP 200: the answer then
carries ``X-SPARQL-MaxRows``, and SELECT results are read again page by page (ordered by the
projected variables, ``LIMIT``/``OFFSET``). CONSTRUCT results carry no such header: on a
server whose limit is known (Virtuoso says it when asked) a result of that size is refused as
possibly cut.
"""

from __future__ import annotations

import csv
import io
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import parse_qs, urlsplit, urlunsplit

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import QueryError, StoreError
from graph.store.base import Quad, Store, Triple
from graph.store.ntriples import ntriples_chunks
from graph.store.rewrite import inject_values, prologue, split_query
from graph.vocab import SGG

__all__ = ["RemoteStore", "inject_values", "split_query"]

#: Our named graphs: every query is scoped to the graphs under this prefix.
GRAPH_PREFIX = str(SGG)
#: Staging graphs of uploads in progress (outside GRAPH_PREFIX, so no query sees them).
STAGING_PREFIX = "https://stancegraph.org/staging/"
#: Bytes of N-Triples per Graph Store request.
UPLOAD_CHUNK = 8 << 20
_JSON = "application/sparql-results+json"
_RDF_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"


# ------------------------------------------------------------------------------ results

def _term(cell: dict) -> Node:
    kind = cell["type"]
    value = cell["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    language = cell.get("xml:lang")
    if language:
        return Literal(value, lang=language)
    datatype = cell.get("datatype")
    if datatype and datatype not in (str(XSD.string), str(RDF.langString)):
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


def _select_result(variables: list[str], rows: list[dict]) -> Result:
    result = Result("SELECT")
    result.vars = [Variable(v) for v in variables]
    result.bindings = [
        {Variable(name): _term(cell) for name, cell in row.items() if name in variables}
        for row in rows
    ]
    return result


def _graph_from(data: bytes, content_type: str):
    from rdflib import Graph

    graph = Graph()
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("application/n-triples", "text/plain", "text/turtle", "application/x-turtle"):
        import pyoxigraph as ox

        from graph.store.oxigraph_io import from_ox

        fmt = ox.RdfFormat.TURTLE if "turtle" in kind else ox.RdfFormat.N_TRIPLES
        for triple in ox.parse(data, format=fmt):
            graph.add((from_ox(triple.subject), from_ox(triple.predicate),
                       from_ox(triple.object)))
        return graph
    if kind in ("application/rdf+xml", "application/ld+json"):
        return graph.parse(data=data, format="xml" if "xml" in kind else "json-ld")
    raise StoreError(f"the server answered a graph query with {content_type!r}")


# ------------------------------------------------------------------------------ the store

class RemoteStore(Store):
    """A SPARQL 1.1 server seen as the union of our named graphs (see the module docstring)."""

    def __init__(self, uri: str, *, graph_cache_seconds: float = 5.0):
        import httpx

        self.uri = uri
        parts = urlsplit(uri.removeprefix("sparql+"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StoreError(f"bad SPARQL store URI {uri!r}: use sparql+http://HOST:PORT/PATH")
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        path = parts.path or "/sparql"
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        base = urlunsplit((parts.scheme, netloc, "", "", ""))
        self.query_url = base + path
        if path.endswith("/query"):
            update, gsp = path[: -len("query")] + "update", path[: -len("query")] + "store"
        else:
            update, gsp = path, path.rstrip("/") + "-graph-crud"
        self.update_url = base + options.get("update", update)
        self.gsp_url = base + options.get("store", gsp)
        auth = (parts.username, parts.password or "") if parts.username else None
        timeout = float(options.get("timeout", 600))
        self.write_mode = options.get("write", "atomic")
        if self.write_mode not in ("atomic", "direct"):
            raise StoreError(f"{uri}: write= must be atomic or direct")
        self.client = httpx.Client(auth=auth, timeout=httpx.Timeout(timeout, connect=10.0))
        self._graphs: list[URIRef] | None = None
        self._graphs_at = 0.0
        self._graph_cache_seconds = graph_cache_seconds
        self._max_rows: int | None = None  # a server's result limit, when it told us
        self._server: str | None = None
        try:
            self._post(self.query_url, {"query": "ASK {}"}, _JSON)  # reachable? which server?
            self.graph_names()
        except StoreError:
            self.client.close()
            raise

    # -- HTTP ----------------------------------------------------------------------------
    def _post(self, url: str, data: dict, accept: str):
        import httpx

        try:
            response = self.client.post(url, data=data, headers={"Accept": accept})
        except httpx.HTTPError as exc:
            raise StoreError(f"{self.uri}: {exc}") from exc
        self._server = self._server or response.headers.get("server", "")
        if response.status_code >= 400:
            message = response.text.strip()[:500]
            if response.status_code in (400, 422) and url == self.query_url:
                raise QueryError(f"the server refused the query: {message}")
            raise StoreError(f"{self.uri}: HTTP {response.status_code}: {message}")
        return response

    def _run(self, text: str, accept: str, graphs: list[URIRef] | None = None):
        graphs = self.graph_names() if graphs is None else graphs
        # Scope to our graphs; with none yet, to a graph that cannot exist (never to the
        # server's own default graph).
        names = [str(g) for g in graphs] or [GRAPH_PREFIX + "none"]
        form = {"query": text, "default-graph-uri": names, "named-graph-uri": names}
        return self._post(self.query_url, form, accept)

    def update(self, text: str) -> str:
        """Run a SPARQL UPDATE request (ours only: user queries never reach this)."""
        response = self._post(self.update_url, {"update": text}, f"{_JSON}, */*;q=0.1")
        self._graphs = None
        return response.text

    # -- queries -------------------------------------------------------------------------
    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Result:
        text = inject_values(sparql, bindings) if bindings else sparql
        parts = split_query(text)
        full = prologue(text, parts.declared) + text
        if parts.form in ("SELECT", "ASK"):
            response = self._run(full, _JSON)
            try:
                answer = response.json()
            except ValueError as exc:
                raise StoreError(f"{self.uri}: the answer is not SPARQL JSON results") from exc
            if parts.form == "ASK":
                result = Result("ASK")
                result.askAnswer = bool(answer.get("boolean"))
                return result
            variables = answer["head"].get("vars", [])
            rows = answer["results"]["bindings"]
            if self._cut(response):
                rows = self._all_pages(full, parts, variables, self._cut(response))
            return _select_result(variables, rows)
        response = self._run(full, _RDF_ACCEPT)
        graph = _graph_from(response.content, response.headers.get("content-type", ""))
        limit = self._known_limit()
        if limit is not None and len(graph) >= limit:
            raise StoreError(
                f"{self.uri} returned {len(graph)} triples, its ResultSetMaxRows: the result "
                "may be cut; raise the limit in the server's ini or narrow the query"
            )
        result = Result("CONSTRUCT")
        result.graph = graph
        return result

    def select_csv(self, sparql: str, *, keep: bool = False) -> bytes:
        """A SELECT answered by the server as CSV (the fast path for big projections).

        ``keep`` is accepted for the interface of the local store, whose generations can keep
        answers; a server's data can change under us, so nothing is kept here."""
        parts = split_query(sparql)
        full = prologue(sparql, parts.declared) + sparql
        response = self._run(full, "text/csv")
        cut = self._cut(response)
        if not cut:
            return response.content
        reader = csv.reader(io.StringIO(response.content.decode("utf-8")))
        variables = next(reader)
        rows = self._all_pages(full, parts, variables, cut)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([row[v]["value"] if v in row else "" for v in variables])
        return out.getvalue().encode("utf-8")

    def _cut(self, response) -> int | None:
        """The server's row limit when the answer says it hit it (Virtuoso), else None."""
        value = response.headers.get("x-sparql-maxrows")
        if value and value.isdigit():
            self._max_rows = int(value)
            return int(value)
        return None

    def _known_limit(self) -> int | None:
        if self._max_rows is None and "virtuoso" in (self._server or "").lower():
            try:
                response = self._post(
                    self.query_url,
                    {"query": 'SELECT (bif:virtuoso_ini_item_value("SPARQL", '
                              '"ResultSetMaxRows") AS ?m) WHERE {}'},
                    _JSON,
                )
                rows = response.json()["results"]["bindings"]
                self._max_rows = int(rows[0]["m"]["value"])
            except (StoreError, QueryError, ValueError, KeyError, IndexError):
                self._max_rows = 0
        return self._max_rows or None

    def _all_pages(self, full: str, parts, variables: list[str], page: int) -> list[dict]:
        """Read a SELECT cut by the server's row limit again, ``page`` rows at a time."""
        if parts.modifiers & {"LIMIT", "OFFSET"}:
            raise StoreError(
                f"{self.uri} cut the result at {page} rows (ResultSetMaxRows) and a query with "
                "LIMIT/OFFSET cannot be paged: raise the limit in the server's ini"
            )
        order = self._page_order(full, variables)
        body_at = split_query(full).body_start
        prologue, body = full[:body_at], full[body_at:]
        head = " ".join(f"?{v}" for v in variables)
        rows: list[dict] = []
        offset = 0
        while True:
            paged = (f"{prologue}SELECT {head} WHERE {{ {{ {body}\n}} }} ORDER BY {order} "
                     f"LIMIT {page} OFFSET {offset}")
            answer = self._run(paged, _JSON).json()["results"]["bindings"]
            rows.extend(answer)
            if len(answer) < page:
                return rows
            offset += page

    def _page_order(self, full: str, variables: list[str]) -> str:
        """ORDER BY for paging: the query's own order (plain variables only), then the rest."""
        from rdflib.plugins.sparql.parser import parseQuery
        from rdflib.plugins.sparql.parserutils import CompValue

        parsed = parseQuery(full)[1]
        conditions, used = [], set()
        order = parsed["orderby"]["condition"] if "orderby" in parsed else []
        for condition in order:
            direction = None
            expr = condition
            if isinstance(condition, CompValue) and condition.name == "OrderCondition":
                direction = condition["order"] if "order" in condition else None
                expr = condition["expr"]
            while isinstance(expr, CompValue) and set(expr.keys()) == {"expr"}:
                expr = expr["expr"]
            if not isinstance(expr, Variable) or str(expr) not in variables:
                raise StoreError(
                    f"{self.uri} cut the result (ResultSetMaxRows) and its ORDER BY is not "
                    "on projected variables, so it cannot be paged: raise the server's limit"
                )
            conditions.append(f"{direction}(?{expr})" if direction else f"?{expr}")
            used.add(str(expr))
        conditions += [f"?{v}" for v in variables if v not in used]
        return " ".join(conditions)

    # -- writes --------------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]], *,
                       piece_bytes: int | None = None) -> None:
        # ``piece_bytes`` is ignored: the server parses each upload whole, as it sees fit.
        if self.write_mode == "direct":
            self._replace_directly(graphs)
            return
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        prefix = f"{STAGING_PREFIX}{stamp}-{uuid.uuid4().hex}/"
        staged: dict[URIRef, str] = {}
        try:
            for index, (name, value) in enumerate(graphs.items()):
                staging = f"{prefix}{index}"
                if self._upload(staging, value, bulk=True):
                    staged[name] = staging
            operations = []
            for name in graphs:
                if name in staged:
                    operations.append(f"MOVE SILENT GRAPH <{staged[name]}> TO <{name}>")
                else:
                    operations.append(f"DROP SILENT GRAPH <{name}>")
            if operations:
                self.update(" ;\n".join(operations))
        except BaseException:
            self._drop_quietly(staged.values())
            raise
        finally:
            self._graphs = None
        self._drop_stale_staging()

    def _replace_directly(self, graphs: Mapping[URIRef, Iterable[Triple]]) -> None:
        """``write=direct``: drop each graph, then upload straight into it (fast, not atomic)."""
        try:
            for name, value in graphs.items():
                self.update(f"DROP SILENT GRAPH <{name}>")
                self._upload(str(name), value, bulk=True)
        finally:
            self._graphs = None

    def _upload(self, staging: str, value, *, bulk: bool = False) -> bool:
        """PUT then POST a graph's N-Triples to ``staging``; False when it has no triples.

        With ``bulk`` on an oxigraph server, the upload skips the server's transaction
        (``no_transaction``: its bulk loader, several times faster): only for graphs no
        query sees until a later update makes them visible, or for ``write=direct``.
        """
        import httpx

        params = {"graph": staging}
        if bulk and (self._server or "").lower().startswith("oxigraph"):
            params["no_transaction"] = ""
        method = "PUT"
        buffer: list[bytes] = []
        size = 0
        sent = False

        def send(data: bytes, method: str) -> None:
            try:
                response = self.client.request(
                    method, self.gsp_url, params=params, content=data,
                    headers={"Content-Type": "application/n-triples"},
                )
            except httpx.HTTPError as exc:
                raise StoreError(f"{self.uri}: upload failed: {exc}") from exc
            if response.status_code >= 400:
                raise StoreError(f"{self.uri}: upload refused: HTTP {response.status_code}: "
                                 f"{response.text.strip()[:300]}")

        for chunk in ntriples_chunks(value):
            if not chunk:
                continue
            buffer.append(chunk)
            size += len(chunk)
            if size >= UPLOAD_CHUNK:
                # Each request must hold whole lines: a file is read in blocks that may end
                # inside one, so the tail after the last newline waits for the next request.
                data = b"".join(buffer)
                cut = data.rfind(b"\n") + 1
                if cut:
                    send(data[:cut], method)
                    method, sent = "POST", True
                buffer, size = [data[cut:]], len(data) - cut
        data = b"".join(buffer)
        if data.strip():
            send(data, method)
            sent = True
        return sent

    def _drop_quietly(self, names: Iterable[str]) -> None:
        names = list(names)
        if not names:
            return
        try:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{n}>" for n in names))
        except StoreError:
            pass

    def _drop_stale_staging(self, older_than_hours: float = 24.0) -> None:
        """Drop staging graphs left by writers that died more than a day ago."""
        cutoff = time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() - older_than_hours * 3600))
        names = [g for g in self._all_graphs(STAGING_PREFIX)
                 if str(g)[len(STAGING_PREFIX):len(STAGING_PREFIX) + 14] < cutoff]
        self._drop_quietly(names)

    # -- listing -------------------------------------------------------------------------
    def _all_graphs(self, prefix: str) -> list[URIRef]:
        # The oxigraph server lists its graphs for an empty GRAPH pattern (without reading
        # them); Virtuoso answers that with nothing, so it gets the pattern over every triple.
        pattern = "{ }" if (self._server or "").lower().startswith("oxigraph") else "{ ?s ?p ?o }"
        text = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {pattern} "
                f'FILTER (STRSTARTS(STR(?g), "{prefix}")) }}')
        response = self._post(self.query_url, {"query": text}, _JSON)
        try:
            rows = response.json()["results"]["bindings"]
        except (ValueError, KeyError) as exc:
            raise StoreError(f"{self.uri} did not answer with SPARQL JSON results") from exc
        if self._cut(response):
            raise StoreError(f"{self.uri}: more named graphs than the server's row limit")
        return sorted(URIRef(row["g"]["value"]) for row in rows if row["g"]["type"] == "uri")

    def refresh(self) -> None:
        """Forget the cached list of graphs (it is kept a few seconds between queries)."""
        self._graphs = None

    def graph_names(self) -> list[URIRef]:
        now = time.monotonic()
        if self._graphs is None or now - self._graphs_at > self._graph_cache_seconds:
            self._graphs = self._all_graphs(GRAPH_PREFIX)
            self._graphs_at = now
        return list(self._graphs)

    def quads(self) -> Iterator[Quad]:
        for name in self.graph_names():
            yield from ((s, p, o, name) for s, p, o in self._graph_triples(name))

    def _graph_triples(self, name: URIRef) -> Iterator[Triple]:
        import httpx

        expected = self._count([name])
        try:
            response = self.client.get(self.gsp_url, params={"graph": str(name)},
                                       headers={"Accept": _RDF_ACCEPT})
        except httpx.HTTPError as exc:
            raise StoreError(f"{self.uri}: {exc}") from exc
        if response.status_code < 400:
            graph = _graph_from(response.content, response.headers.get("content-type", ""))
            if len(graph) == expected:
                return iter(graph)
        # The Graph Store answer was refused or cut (Virtuoso cuts it silently): page it.
        result = self.query("SELECT ?s ?p ?o WHERE { GRAPH ?graph { ?s ?p ?o } }",
                            {"graph": name})
        return iter([tuple(row[:3]) for row in result])

    def _count(self, graphs: list[URIRef]) -> int:
        if not graphs:
            return 0
        response = self._run("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", _JSON,
                             graphs)
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    def count_triples(self) -> int:
        return self._count(self.graph_names())

    def close(self) -> None:
        self.client.close()


def open_uri(uri: str, *, read_only: bool = False) -> RemoteStore:
    """Open ``sparql+http(s)://...`` (the opener's entry point).

    ``read_only`` is not enforced here: what a client may do is the server's to decide.
    """
    return RemoteStore(uri)
