"""`stancegraph serve` over real HTTP on loopback: protocol, formats, refusals, limits, CORS."""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.query import Result
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from stores import serving  # the one uvicorn-in-a-thread runner

from graph.cli import cli
from graph.server.app import create_app, negotiate, page_csp, redact
from graph.store import open_store
from graph.store.query import named_queries

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
STATES = (
    "SELECT ?code ?label ?state WHERE { ?state a sg:State ; sg:isoCode ?code ; rdfs:label ?label }"
    " ORDER BY ?code"
)
ASK_TRUE = 'ASK { state:KOR sg:isoCode "KOR" }'
ASK_FALSE = 'ASK { state:KOR sg:isoCode "XXX" }'
CONSTRUCT = (
    "CONSTRUCT { ?s rdfs:label ?l ; sg:isoCode ?c } "
    "WHERE { ?s a sg:State ; rdfs:label ?l ; sg:isoCode ?c }"
)
ALLOWED = "http://allowed.test"
MAX_QUERY_BYTES = 20_000
ROOT = Path(__file__).resolve().parents[1]
JSON_ACCEPT = {"Accept": "application/sparql-results+json"}


# ------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="session")
def seed_store(oxigraph_store, oxigraph_path) -> Path:
    """The seed in an on-disk oxigraph store: conftest builds it once and closes the writer."""
    return oxigraph_path


@pytest.fixture(scope="module")
def served(seed_store):
    uri = f"oxigraph:{seed_store}"
    app = create_app(uri, query_timeout=1.0, max_results=1000, max_query_bytes=MAX_QUERY_BYTES,
                     workers=2, cors_origins=(ALLOWED,), max_pending=2, queue_timeout=60)
    with serving(app) as base:
        yield base, uri


@pytest.fixture
def base(served):
    base, _ = served
    wait_ready(base)
    return base


class Listener(http.server.ThreadingHTTPServer):
    """A loopback HTTP server that records every connection it is offered."""

    def __init__(self):
        self.connections = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    def verify_request(self, request, client_address):
        self.connections.append(client_address)
        return True


@pytest.fixture
def listener():
    server = Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------------------ helpers

def health(base) -> dict:
    return httpx.get(f"{base}/health", timeout=10).json()


def wait_until(condition, what, limit=60.0):
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def wait_ready(base):
    """Wait until every worker is up (a cut-off worker is replaced in the background)."""
    wait_until(lambda: (h := health(base))["ready"] == h["workers"] and h["busy"] == 0,
               "the workers to be ready")


def cli_query(uri, text, fmt, *params) -> str:
    """What `stancegraph query` prints for the same query on the same store."""
    args = ["query", text, "--format", fmt, "--store", uri]
    for param in params:
        args += ["--param", param]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")  # .stdout would turn CSV's CRLF into LF


def wrapper(base, query, fmt, method=GET, request_method=URLENCODED):
    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    return client.query()


def rows(result: Result) -> list[dict]:
    return [{str(k): v for k, v in binding.items()} for binding in result.bindings]


def sparql(base, query, accept="application/sparql-results+json", headers=()):
    return httpx.get(f"{base}/sparql", params={"query": query},
                     headers={"Accept": accept, **dict(headers)}, timeout=60)


# ------------------------------------------------------------------------------ answers

@pytest.mark.parametrize("query", [STATES, named_queries()["actors"].text],
                         ids=["states", "actors"])
def test_select_in_every_format_equals_stancegraph_query(base, served, query):
    _, uri = served
    expected_json = json.loads(cli_query(uri, query, "json"))
    assert expected_json["results"]["bindings"], "the seed should answer this query"

    response = wrapper(base, query, JSON)
    assert response.response.headers["Content-Type"] == "application/sparql-results+json"
    assert response.convert() == expected_json

    xml = wrapper(base, query, XML).response.read()
    expected = Result.parse(io.StringIO(json.dumps(expected_json)), format="json")
    got = Result.parse(io.BytesIO(xml), format="xml")
    assert [str(v) for v in got.vars] == expected_json["head"]["vars"]
    assert rows(got) == rows(expected)

    assert wrapper(base, query, CSV).response.read().decode() == cli_query(uri, query, "csv")
    assert wrapper(base, query, TSV).response.read().decode() == cli_query(uri, query, "tsv")


@pytest.mark.parametrize(("method", "request_method"),
                         [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)],
                         ids=["get", "post-form", "post-direct"])
def test_every_protocol_binding(base, served, method, request_method):
    _, uri = served
    got = wrapper(base, STATES, JSON, method, request_method).convert()
    assert got == json.loads(cli_query(uri, STATES, "json"))


@pytest.mark.parametrize("query", [ASK_TRUE, ASK_FALSE], ids=["true", "false"])
def test_ask_in_every_format(base, served, query):
    _, uri = served
    expected = json.loads(cli_query(uri, query, "json"))["boolean"]
    assert expected is (query == ASK_TRUE)
    assert wrapper(base, query, JSON).convert()["boolean"] is expected
    xml = wrapper(base, query, XML).response.read()
    assert Result.parse(io.BytesIO(xml), format="xml").askAnswer is expected
    for fmt, name in ((CSV, "csv"), (TSV, "tsv")):
        assert wrapper(base, query, fmt).response.read().decode() == cli_query(uri, query, name)


def test_construct_in_every_format(base, served):
    _, uri = served
    expected = Graph().parse(data=cli_query(uri, CONSTRUCT, "ttl"), format="turtle")
    assert len(expected) > 10
    for fmt, parse_as, content_type in (
        (TURTLE, "turtle", "text/turtle"),
        (N3, "turtle", "text/turtle"),
        (RDFXML, "xml", "application/rdf+xml"),
        (XML, "xml", "application/rdf+xml"),
        (JSONLD, "json-ld", "application/ld+json"),
    ):
        response = wrapper(base, CONSTRUCT, fmt)
        assert response.response.headers["Content-Type"].startswith(content_type)
        got = Graph().parse(data=response.response.read(), format=parse_as)
        assert isomorphic(got, expected), fmt
    nt = sparql(base, CONSTRUCT, "application/n-triples")
    assert nt.headers["content-type"] == "application/n-triples"
    assert sorted(nt.text.splitlines()) == sorted(cli_query(uri, CONSTRUCT, "nt").splitlines())


def test_named_query_with_parameters_equals_stancegraph_query(base, served):
    _, uri = served
    response = httpx.get(f"{base}/api/queries/cosponsors",
                         params={"resolution": "res:unhrc-dprk-2021"},
                         headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    expected = cli_query(uri, "cosponsors", "csv", "resolution=res:unhrc-dprk-2021")
    assert response.text == expected
    assert len(expected.splitlines()) > 1

    catalogue = httpx.get(f"{base}/api/queries").json()
    assert [q["name"] for q in catalogue] == list(named_queries())
    cosponsors = next(q for q in catalogue if q["name"] == "cosponsors")
    assert cosponsors["parameters"][0]["name"] == "resolution"
    assert cosponsors["parameters"][0]["example"] == "res:unhrc-dprk-2021"

    missing = httpx.get(f"{base}/api/queries/cosponsors")
    assert missing.status_code == 400 and "missing parameter" in missing.text
    # issue 14: the HTTP API says how to give it over HTTP, not with the CLI's --param
    assert "--param" not in missing.text and "query string" in missing.text
    assert httpx.get(f"{base}/api/queries/no-such-query").status_code == 404


def test_service_description(base, seed_store):
    response = httpx.get(f"{base}/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    answer = graph.query(f"""
        PREFIX sd: <{sd}>
        SELECT (COUNT(DISTINCT ?name) AS ?n) WHERE {{
          ?service a sd:Service ; sd:endpoint <{base}/sparql> ;
                   sd:supportedLanguage sd:SPARQL11Query ;
                   sd:defaultDataset/sd:namedGraph/sd:name ?name }}""")
    store = open_store(f"oxigraph:{seed_store}", read_only=True)
    assert int(next(iter(answer))[0]) == len(store.graph_names()) > 0
    store.close()
    as_json_ld = httpx.get(f"{base}/sparql", headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=as_json_ld.text, format="json-ld")) == len(graph)
    browser = httpx.get(f"{base}/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.status_code == 303 and browser.headers["location"].endswith("/query")


def test_service_description_ignores_the_host_header(base):
    # Issue 14: a client-chosen Host header must not become the advertised endpoint.
    hostile = {"Host": "evil.example.com"}
    response = httpx.get(f"{base}/sparql", headers=hostile)
    assert response.status_code == 200
    assert "evil.example.com" not in response.text
    assert f"<{base}/sparql>" in response.text
    browser = httpx.get(f"{base}/sparql", headers={**hostile, "Accept": "text/html"})
    assert browser.status_code == 303 and browser.headers["location"] == "/query"


# ------------------------------------------------------------------------------ refusals

def assert_refused(response, status, *words):
    assert response.status_code == status, response.text
    for word in words:
        assert word in response.text


def count_triples(base) -> int:
    return int(sparql(base, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv")
               .text.split()[1])


def test_updates_are_refused(base, tmp_path):
    before = count_triples(base)
    insert = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    assert_refused(sparql(base, insert), 403, "read-only")
    assert_refused(httpx.post(f"{base}/sparql", data={"update": insert}), 403, "read-only")
    assert_refused(httpx.post(f"{base}/sparql", content=insert,
                              headers={"Content-Type": "application/sparql-update"}),
                   403, "read-only")
    secret = tmp_path / "secret.ttl"
    secret.write_text('<urn:x:s> <urn:x:p> "load-marker" .\n', encoding="utf-8")
    load = f"LOAD <{secret.as_uri()}>"
    assert_refused(sparql(base, load), 403, "LOAD")
    assert_refused(httpx.post(f"{base}/sparql", data={"update": load}), 403, "read-only")
    assert httpx.put(f"{base}/sparql", content=insert).status_code == 405
    assert httpx.delete(f"{base}/sparql").status_code == 405
    assert count_triples(base) == before


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s a sg:State OPTIONAL {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?s a sg:State FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
], ids=["plain", "optional-silent", "filter-exists", "subquery", "ask", "construct"])
def test_service_is_refused_and_never_called(base, listener, template):
    url = f"http://127.0.0.1:{listener.server_address[1]}/sparql"
    query = template.format(url=url)
    assert_refused(sparql(base, query), 400, "SERVICE is refused")
    assert_refused(httpx.post(f"{base}/sparql", content=query,
                              headers={"Content-Type": "application/sparql-query"}),
                   400, "SERVICE is refused")
    assert listener.connections == []


def test_from_and_dataset_parameters_are_refused(base, tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text('<urn:x:s> <urn:x:p> "from-marker" .\n', encoding="utf-8")
    for query in (
        f"SELECT ?o FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}",
        f"SELECT ?o FROM NAMED <{secret.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"ASK FROM <{secret.as_uri()}> {{ ?s ?p \"from-marker\" }}",
    ):
        response = sparql(base, query)
        assert_refused(response, 400, "FROM and FROM NAMED are refused")
        assert "from-marker" not in response.text
    for parameter in ("default-graph-uri", "named-graph-uri"):
        response = httpx.get(f"{base}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }",
                                                       parameter: secret.as_uri()})
        assert_refused(response, 400, parameter)


def test_malformed_query_gets_the_parsers_message(base):
    response = sparql(base, "SELECT ?s WHERE { ?s ?p }")
    assert_refused(response, 400, "malformed query at line 1")
    client_error = httpx.post(f"{base}/sparql", content="x", headers={"Content-Type": "text/plain"})
    assert client_error.status_code == 415
    assert_refused(httpx.post(f"{base}/sparql", data={"format": "json"}), 400, "no query")


def test_not_acceptable(base):
    assert_refused(sparql(base, STATES, "image/png"), 406, "application/sparql-results+json")
    # a graph form asked for as a results-only type: 406 from the worker
    assert_refused(sparql(base, CONSTRUCT, "text/csv"), 406, "CONSTRUCT", "text/turtle")
    assert_refused(sparql(base, STATES, "text/turtle"), 406, "SELECT")
    assert httpx.get(f"{base}/sparql", headers={"Accept": "text/csv"}).status_code == 406


def test_too_large(base):
    query = "ASK { ?s ?p ?o }" + " " * MAX_QUERY_BYTES
    assert_refused(httpx.post(f"{base}/sparql", data={"query": query}), 413, "--max-query-bytes")
    assert_refused(httpx.post(f"{base}/sparql", content=query,
                              headers={"Content-Type": "application/sparql-query"}), 413)
    assert_refused(sparql(base, query), 413)
    fits = "ASK { ?s ?p ?o }" + " " * (MAX_QUERY_BYTES - 100)
    assert httpx.post(f"{base}/sparql", data={"query": fits}, headers=JSON_ACCEPT).json()[
        "boolean"] is True


def test_result_size_limit(base):
    assert_refused(sparql(base, "SELECT * WHERE { ?s ?p ?o }"), 503, "more than 1,000")
    assert_refused(sparql(base, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle"), 503, "1,000")
    response = sparql(base, "SELECT * WHERE { ?s ?p ?o } LIMIT 1000")
    assert len(response.json()["results"]["bindings"]) == 1000


# ------------------------------------------------------------------------------ time limit

def test_slow_query_is_cut_off_while_a_concurrent_query_is_answered(base):
    # A query known to be cheap is answered beside a slow one (the reserved worker).
    assert sparql(base, ASK_TRUE).status_code == 200
    with ThreadPoolExecutor(1) as executor:
        slow = executor.submit(sparql, base, f"{SLOW} # {time.time_ns()}")
        wait_until(lambda: health(base)["busy"] >= 1, "the slow query to start")
        quick = sparql(base, ASK_TRUE)
        slow_still_running = not slow.done()
        slow_response = slow.result()
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert slow_still_running
    assert_refused(slow_response, 503, "cut off after 1 s")
    wait_ready(base)
    after = health(base)
    assert after["cut_off"] >= 1 and after["replaced"] >= 1
    # the server still answers, on the replacement worker too
    for _ in range(4):
        assert sparql(base, ASK_TRUE).json()["boolean"] is True


def test_overload_gets_503_and_slow_queries_never_take_the_last_worker(base):
    # Issue 14: queries not known to be cheap share all workers but one; a cheap query (one
    # that ran quickly before) still gets an answer while two slow ones run or wait.
    assert sparql(base, ASK_TRUE).status_code == 200  # now known to be cheap
    tag = time.time_ns()  # new texts, so that no earlier cut-off is remembered
    variants = [f"{SLOW} # overload {tag} {i}" for i in range(4)]
    with ThreadPoolExecutor(4) as executor:
        first = executor.submit(sparql, base, variants[0])
        wait_until(lambda: health(base)["slow_running"] == 1, "the first slow query to start")
        second = executor.submit(sparql, base, variants[1])
        wait_until(lambda: health(base)["pending"] == 1, "the second slow query to wait")
        quick = [sparql(base, ASK_TRUE) for _ in range(3)]
        third = executor.submit(sparql, base, variants[2])
        wait_until(lambda: health(base)["pending"] == 2, "two queries to wait")
        refused = sparql(base, variants[3])
        also_quick = sparql(base, ASK_TRUE)  # waits behind no slow query
        assert_refused(refused, 503, "busy")
        assert refused.headers["retry-after"] == "1"
        for future in (first, second, third):
            assert_refused(future.result(), 503, "cut off after 1 s")
    for response in quick + [also_quick]:
        assert response.status_code == 200 and response.json()["boolean"] is True
    wait_ready(base)
    assert sparql(base, ASK_TRUE).status_code == 200


def test_a_query_cut_off_is_refused_at_once_when_sent_again(base):
    text = f"{SLOW} # again {time.time_ns()}"
    assert_refused(sparql(base, text), 503, "cut off after 1 s")
    before = health(base)["refused_recently_cut_off"]
    again = sparql(base, text)
    assert_refused(again, 503, "was cut off at the time limit", "LIMIT")
    assert health(base)["refused_recently_cut_off"] == before + 1
    wait_ready(base)


def test_load_test_with_attackers_gives_other_clients_no_503(tmp_path):
    # Issue 14: scripts/load_test.py --attackers 2 keeps sending runaway queries; the other
    # clients must see no 503 (their latency is the script's to report, not a test's).
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import load_test
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    out = tmp_path / "load.json"
    code = load_test.main(["--clients", "4", "--queries", "400", "--workers", "2",
                           "--timeout", "2", "--attackers", "2", "--json", str(out)])
    figures = json.loads(out.read_text())
    assert figures["statuses"] == {"200": 400}, figures["statuses"]
    assert figures["errors"] == 0 and code == 0
    assert figures["attackers"] == 2 and figures["attack_statuses"].get("503", 0) >= 2


# ------------------------------------------------------------------------------ pages, CORS

def test_pages_and_security_headers(base):
    query_page = httpx.get(f"{base}/query")
    assert query_page.status_code == 200
    assert query_page.headers["content-security-policy"].startswith("default-src 'self'")
    assert '<script src="/static/query.js"' in query_page.text
    explorer = httpx.get(f"{base}/")
    assert explorer.status_code == 200 and "<html" in explorer.text.lower()
    assert "default-src 'self'" in explorer.headers["content-security-policy"]
    for asset, kind in (("query.js", "javascript"), ("query.css", "text/css")):
        response = httpx.get(f"{base}/static/{asset}")
        assert response.status_code == 200 and kind in response.headers["content-type"]
        assert "http://" not in response.text and "https://" not in response.text
    assert httpx.get(f"{base}/favicon.ico").status_code == 200
    for response in (query_page, explorer, sparql(base, ASK_TRUE)):
        assert response.headers["x-content-type-options"] == "nosniff"


def test_cors_only_for_the_allowed_origin(base):
    allowed = sparql(base, ASK_TRUE, headers={"Origin": ALLOWED})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "access-control-allow-credentials" not in allowed.headers
    other = sparql(base, ASK_TRUE, headers={"Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in other.headers
    preflight = httpx.options(f"{base}/sparql", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED
    refused = httpx.options(f"{base}/sparql", headers={
        "Origin": "http://evil.test", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in refused.headers


# ------------------------------------------------------------------------------ the CLI

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_cli_serves_without_cors_and_logs_no_query_strings(seed_store, tmp_path):
    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "graph", "serve", "--store", f"oxigraph:{seed_store}",
             "--port", str(port), "--workers", "1"],
            stdout=log_file, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            def up():
                if process.poll() is not None:
                    raise AssertionError(log_path.read_text())
                with contextlib.suppress(httpx.HTTPError):
                    return health(base)["ready"] == 1
                return False

            wait_until(up, "the CLI server")
            response = httpx.get(f"{base}/sparql", headers={"Origin": ALLOWED, **JSON_ACCEPT},
                                 params={"query": 'ASK { ?s ?p "tok-QUERYSECRET" }',
                                         "access_token": "tok-URLSECRET"})
            assert response.status_code == 200, response.text
            assert "access-control-allow-origin" not in response.headers
            preflight = httpx.options(f"{base}/sparql", headers={
                "Origin": ALLOWED, "Access-Control-Request-Method": "POST"})
            assert "access-control-allow-origin" not in preflight.headers
        finally:
            process.terminate()
            process.wait(30)
    log = log_path.read_text()
    assert "GET /sparql 200" in log
    assert "tok-" not in log
    assert "127.0.0.1:" in log  # uvicorn's own start-up line


@pytest.mark.parametrize("args", [
    ["--timeout", "0"], ["--timeout", "abc"], ["--max-results", "0"],
    ["--max-query-bytes", "-1"], ["--workers", "0"], ["--port", "70000"],
    ["--cors-origin", "not an origin"], ["--cors-origin", "http://user:pw@example.org"],
    ["--cors-origin", "https://example.org/path"],
])
def test_cli_rejects_bad_settings_at_start_up(args):
    result = CliRunner().invoke(cli, ["serve", "--store", "oxigraph:/nonexistent", *args])
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.output
    assert "pw" not in result.output


def test_cli_reports_a_missing_store(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--store", f"oxigraph:{tmp_path / 'none'}"])
    assert result.exit_code == 1
    assert "Error: no store at" in result.output


# ------------------------------------------------------------------------------ layers, helpers

def test_worker_second_layers_stop_rdflib_reaching_network_and_disk(listener, tmp_path):
    """Behind check_query, a worker's rdflib engine refuses SERVICE, FROM <file:> and sockets."""
    secret = tmp_path / "secret.ttl"
    secret.write_text('<urn:x:s> <urn:x:p> "layer-marker" .\n', encoding="utf-8")
    url = f"http://127.0.0.1:{listener.server_address[1]}/sparql"
    script = f"""
import urllib.request
from rdflib import Dataset
from graph.server.workers import _harden
_harden()
dataset = Dataset(default_union=True)
try:
    list(dataset.query("SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"))
    print("service: ran")
except Exception as exc:
    print("service:", exc)
rows = list(dataset.query("SELECT ?o FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}"))
print("from rows:", len(rows))
try:
    urllib.request.urlopen("{url}", timeout=5)
    print("urlopen: ran")
except PermissionError as exc:
    print("urlopen:", exc)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "service: SERVICE is refused" in done.stdout
    assert "from rows: 0" in done.stdout
    assert "urlopen: network access is disabled" in done.stdout
    assert listener.connections == []


def test_worker_job_on_an_rdflib_store(seed_store, listener):
    """The job runner used by workers, on rdflib's engine (the memory: store)."""
    from graph.server.workers import _execute

    source = open_store(f"oxigraph:{seed_store}", read_only=True)
    graphs = {}
    for s, p, o, g in source.quads():
        graphs.setdefault(g, []).append((s, p, o))
    source.close()
    memory = open_store("memory:")
    memory.replace_graphs(graphs)
    formats = {"result_format": "csv", "graph_format": "turtle"}
    status, content_type, body = _execute(memory, {"query": STATES, **formats}, 1000)
    assert (status, content_type) == ("ok", "text/csv; charset=utf-8")
    assert body.decode().splitlines()[0] == "code,label,state"
    assert _execute(memory, {"query": "SELECT * WHERE { ?s ?p ?o }", **formats}, 100)[1] == 503
    url = f"http://127.0.0.1:{listener.server_address[1]}/"
    refused = _execute(memory, {"query": f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", **formats},
                       100)
    assert refused[:2] == ("error", 400)
    assert listener.connections == []


@pytest.mark.parametrize(("accept", "expected"), [
    ("", "json"),
    ("*/*", "json"),
    ("text/csv", "csv"),
    ("text/*", "csv"),
    ("application/sparql-results+xml;q=0.5, text/tab-separated-values", "tsv"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "xml"),
    ("text/csv;q=0, */*", "json"),
    ("image/png", None),
])
def test_negotiate(accept, expected):
    from graph.server.protocol import RESULT_OFFERS

    assert negotiate(accept, RESULT_OFFERS) == expected


def test_page_csp_allows_only_the_pages_own_inline_scripts():
    html = "<script>var a = 1;</script><script src='/x.js'></script>"
    csp = page_csp(html)
    assert "'sha256-" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert csp.count("'sha256-") == 1


def test_redact():
    assert redact("sparql+https://ann:pw@example.org:8890/sparql?key=1") == \
        "sparql+https://example.org:8890/sparql"
    assert redact("oxigraph:/data/store") == "oxigraph:/data/store"


def test_static_folder_ships_with_the_package():
    folder = Path(__file__).parents[1] / "graph" / "server" / "static"
    assert {"query.html", "query.js", "query.css", "favicon.svg"} <= {
        p.name for p in folder.iterdir()}
