"""The core behaviour on every store: rdflib in memory, pyoxigraph in memory and on disk, the
oxigraph server and Virtuoso 7 (real servers on loopback, see tests/servers.py).

Each test compares a store's answers with those of rdflib's in-memory store holding the same
build: values are compared, not spellings ("1.0" and "1" are the same xsd:decimal).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal, URIRef
from stores import PERSISTENT, clear

from graph.analysis import gap_rows, run_balance, run_clusters, run_gaps
from graph.analysis.items import position_items
from graph.analysis.project import state_graph
from graph.build import build
from graph.cli import cli
from graph.errors import QueryError, StoreError
from graph.export import export
from graph.store import open_store
from graph.store.query import named_queries, run_query

pytest_plugins = ["stores"]  # fixtures: store_kind, seeded, fresh_store, sparql_servers

EX = "https://stancegraph.org/graph/test/"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: pyoxigraph stores every integer type as xsd:integer (e.g. sg:evidenceEnd's
#: xsd:nonNegativeInteger): compare integer types as one.
INTEGER_TYPES = {XSD + t for t in ("nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                                   "negativeInteger", "long", "int", "short", "byte",
                                   "unsignedLong", "unsignedInt", "unsignedShort",
                                   "unsignedByte")}


# ------------------------------------------------------------------------------ helpers

def value(term):
    """A comparable value: numbers rounded, literals by value, IRIs as text."""
    if isinstance(term, Literal):
        term = term.toPython()
    if isinstance(term, bool) or term is None:
        return term
    if isinstance(term, Decimal | float | int):
        return round(float(term), 6)
    if isinstance(term, dt.date | dt.datetime):
        return term.isoformat()
    return str(term)


def quad_key(quad):
    """A quad with its literals by value, datatype and language (spelling aside)."""
    def key(term):
        if isinstance(term, Literal):
            datatype = str(term.datatype or "")
            datatype = XSD + "integer" if datatype in INTEGER_TYPES else datatype
            return ("literal", value(term), datatype, term.language or "")
        return (type(term).__name__, str(term))
    return tuple(key(t) for t in quad)


def quad_set(store):
    return sorted(quad_key(q) for q in store.quads())


def rows(result):
    return sorted((tuple(value(v) for v in row) for row in result), key=repr)


def members(row):
    """GROUP_CONCAT's order is up to the store: compare "JPN, USA" as a set."""
    return tuple(", ".join(sorted(v.split(", "))) if isinstance(v, str) else v for v in row)


def example_params(example: str) -> dict[str, str]:
    params = {}
    for part in example.split("--param")[1:]:
        name, _, text = part.strip().split()[0].partition("=")
        params[name] = text
    return params


# ------------------------------------------------------------------------------ build, query

def test_the_build_holds_the_same_quads(seeded, memory_store):
    store, _ = seeded
    assert store.graph_names() == memory_store.graph_names()
    assert store.count_triples() == memory_store.count_triples()
    assert quad_set(store) == quad_set(memory_store)


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_queries_give_the_same_answers(seeded, memory_store, name):
    store, _ = seeded
    query = named_queries()[name]
    params = example_params(query.example)
    expected = rows(run_query(memory_store, query.text, params, query.parameters))
    assert expected, f"{name}: the example returns rows on the seed"
    got = rows(run_query(store, query.text, params, query.parameters))
    assert sorted(map(members, got), key=repr) == sorted(map(members, expected), key=repr)


def test_queries_see_our_graphs_only(seeded, memory_store):
    store, _ = seeded
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert rows(store.query(text)) == rows(memory_store.query(text))
    text = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert rows(store.query(text)) == rows(memory_store.query(text))


def test_an_ask_and_a_construct(seeded, memory_store):
    store, _ = seeded
    ask = "ASK { state:KOR sg:alignedWith state:USA }"
    assert store.query(ask).askAnswer is True
    construct = "CONSTRUCT { ?s sg:coSponsored ?o } WHERE { ?s sg:coSponsored ?o }"
    got = sorted(quad_key((*t, URIRef(EX))) for t in store.query(construct).graph)
    want = sorted(quad_key((*t, URIRef(EX))) for t in memory_store.query(construct).graph)
    assert got == want and got


@pytest.mark.parametrize("hostile", [
    Literal('x" } ; DROP ALL ; #'),
    Literal("x'''\" } } INSERT DATA { <a:b> <a:b> <a:b> }"),
    Literal("KOR", lang="en"),
])
def test_bound_values_stay_values(seeded, hostile):
    store, _ = seeded
    before = store.count_triples()
    result = store.query("SELECT ?s ?code WHERE { ?s sg:code ?code }", {"code": hostile})
    assert list(result) == []
    assert store.count_triples() == before


def test_a_bound_value_binds(seeded):
    store, _ = seeded
    found = store.select_rows(
        "SELECT ?s ?code WHERE { ?s sg:isoCode ?code } ORDER BY ?s", {"code": Literal("JPN")}
    )
    assert [r["s"] for r in found] == ["https://stancegraph.org/id/state/JPN"]


def test_a_bad_iri_never_reaches_the_query_text(seeded):
    store, _ = seeded
    before = store.count_triples()
    try:  # refused (pyoxigraph, servers) or bound as the odd term it is (rdflib)
        found = list(store.query("SELECT ?x ?t WHERE { ?x a ?t }",
                                 {"t": URIRef("http://x> } ; DROP ALL ; #")}))
    except (QueryError, StoreError):
        found = []
    assert found == [] and store.count_triples() == before


# ------------------------------------------------------------------------------ writes

def test_replace_graphs_is_all_or_nothing(fresh_store, store_kind):
    store, _ = fresh_store
    assert store.count_triples() == 0 and store.graph_names() == []
    assert store.select_rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == [{"n": 0}]
    a, b = URIRef(EX + "a"), URIRef(EX + "b")
    triple = (URIRef("http://x/s"), URIRef("http://x/p"), Literal("o"))
    store.replace_graphs({a: [triple]})

    def failing():
        yield triple
        raise RuntimeError("the source broke off")

    with pytest.raises((RuntimeError, StoreError)):
        store.replace_graphs({a: [], b: failing()})
    assert store.graph_names() == [a] and store.count_triples() == 1
    if store_kind != "memory":  # rdflib accepts any IRI; the others refuse a space
        with pytest.raises(StoreError):
            store.replace_graphs({a: [], b: [triple, (URIRef("http://x/bad iri"), triple[1],
                                                       triple[2])]})
        assert store.graph_names() == [a] and store.count_triples() == 1
    store.replace_graphs({a: [], b: [triple, (triple[0], triple[1], Literal("p", lang="en"))]})
    assert store.graph_names() == [b] and store.count_triples() == 2


def test_n_triples_documents_load_as_they_are(fresh_store, tmp_path):
    store, _ = fresh_store
    document = (b'<http://x/s> <http://x/p> "a \\"quoted\\" value" .\n'
                b'<http://x/s> <http://x/p> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    path = tmp_path / "g.nt"
    path.write_bytes(document)
    store.replace_graphs({URIRef(EX + "bytes"): document, URIRef(EX + "path"): path})
    assert store.count_triples() == 4
    found = store.select_rows("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o")
    assert {value(r["o"]) for r in found} == {3.0, 'a "quoted" value'}


def test_every_store_takes_a_piece_size_and_stores_the_same(fresh_store, tmp_path):
    """``piece_bytes`` is part of the Store interface: pyoxigraph loads in pieces of that
    size, rdflib and the SPARQL servers accept and ignore it; all store the same triples."""
    store, _ = fresh_store
    lines = [f'<http://x/s{i}> <http://x/p> "value {i}" .\n' for i in range(200)]
    path = tmp_path / "g.nt"
    path.write_text("".join(lines), encoding="utf-8")
    a, b = URIRef(EX + "pieces-a"), URIRef(EX + "pieces-b")
    store.replace_graphs({a: lines}, piece_bytes=100)  # a few lines a piece
    store.replace_graph_bulk(b, path, piece_bytes=100)
    assert store.graph_names() == [a, b] and store.count_triples() == 400
    found = store.select_rows(f"SELECT ?o WHERE {{ GRAPH <{b}> {{ ?s ?p ?o }} }}")
    assert {r["o"] for r in found} == {f"value {i}" for i in range(200)}


def test_a_file_bigger_than_one_upload_is_sent_in_whole_lines(fresh_store, tmp_path,
                                                              monkeypatch):
    import graph.store.remote

    monkeypatch.setattr(graph.store.remote, "UPLOAD_CHUNK", 100_000)  # several requests per graph
    store, _ = fresh_store
    path = tmp_path / "big.nt"  # read in 1 MiB blocks that end inside lines
    path.write_text("".join(f'<http://x/s{i}> <http://x/p> "value {i}, padded to a long line" .\n'
                            for i in range(25_000)), encoding="utf-8")
    store.replace_graphs({URIRef(EX + "big"): path})
    assert store.count_triples() == 25_000


def test_building_twice_gives_the_same_store(fresh_store, memory_store):
    store, _ = fresh_store
    build(store)
    first = quad_set(store)
    build(store)
    assert quad_set(store) == first == quad_set(memory_store)


# ------------------------------------------------------------------------------ export

@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_export_round_trip(seeded, memory_store, fmt):
    store, _ = seeded
    data = export(store, fmt)
    back = Dataset()
    back.parse(data=data.decode("utf-8"), format={"nquads": "nquads", "trig": "trig"}[fmt])
    again = open_store("memory:")
    graphs = {}
    for s, p, o, g in back.quads((None, None, None, None)):
        name = getattr(g, "identifier", g)
        if str(name) != "urn:x-rdflib:default":
            graphs.setdefault(name, []).append((s, p, o))
    again.replace_graphs(graphs)
    assert quad_set(again) == quad_set(memory_store)


# ------------------------------------------------------------------------------ analysis

def test_projections_agree(seeded, memory_store):
    store, _ = seeded
    G, H = state_graph(store), state_graph(memory_store)
    assert sorted(G.nodes) == sorted(H.nodes)
    edges = lambda g: sorted(  # noqa: E731
        (u, v, d["sign"], round(d["weight"], 6), tuple(d["claims"])) for u, v, d in
        ((min(a, b), max(a, b), d) for a, b, d in g.edges(data=True))
    )
    assert edges(G) == edges(H)
    items = lambda s: sorted(map(tuple, position_items(s).values.tolist()))  # noqa: E731
    assert items(store) == items(memory_store)


def test_gaps_balance_and_clusters_agree(seeded, memory_store):
    store, _ = seeded
    assert gap_rows(run_gaps(store)) == gap_rows(run_gaps(memory_store))
    a, b = run_balance(store), run_balance(memory_store)
    assert a.frustration.value == b.frustration.value
    assert [t.nodes for t in a.triads] == [t.nodes for t in b.triads]
    assert a.partition.blocks == b.partition.blocks
    c, d = run_clusters(store), run_clusters(memory_store)
    assert sorted(map(sorted, c.communities)) == sorted(map(sorted, d.communities))
    assert c.camps.blocks == d.camps.blocks and c.swing == d.swing
    assert (c.report.agreement - d.report.agreement).abs().max().max() < 1e-9


def test_render_shows_the_same(seeded, memory_store, tmp_path):
    from graph.explorer.render import render

    store, _ = seeded
    for view in ("claims", "states"):
        got = render(store, tmp_path / f"{view}.html", view=view)
        want = render(memory_store, tmp_path / f"{view}-ref.html", view=view)
        assert (got.nodes, got.edges, got.total_nodes, got.total_edges) == \
            (want.nodes, want.edges, want.total_nodes, want.total_edges)


# ------------------------------------------------------------------------------ the CLI

CLI_COMMANDS = [
    ["query", "cosponsors", "--param", "resolution=res:unhrc-dprk-2021", "--format", "csv"],
    ["query", "actor-stances", "--param", "actor=KOR", "--format", "csv"],
    ["gaps", "--format", "csv"],
    ["balance", "--format", "csv"],
    ["clusters", "--format", "csv"],
    ["actor", "KOR", "--format", "csv"],
    ["export", "gexf"],
]


@pytest.fixture(scope="module")
def reference_outputs(oxigraph_store, oxigraph_path):
    runner = CliRunner()
    outputs = {}
    for command in CLI_COMMANDS:
        result = runner.invoke(cli, [*command, "--store", f"oxigraph:{oxigraph_path}"])
        assert result.exit_code == 0, result.output
        outputs[tuple(command)] = result.stdout
    return outputs


def _canonical(command, text):
    if command[0] != "export":
        return text
    import networkx as nx

    G = nx.read_gexf(io.BytesIO(text.encode("utf-8")))
    return sorted((min(u, v), max(u, v), d.get("sign"), d.get("claims")) for u, v, d in
                  G.edges(data=True))


def test_every_command_on_every_persistent_store(seeded, store_kind, reference_outputs,
                                                 tmp_path):
    if store_kind not in PERSISTENT:
        pytest.skip(f"{store_kind} lives in one process: a CLI command cannot open it")
    store, uri = seeded
    runner = CliRunner()
    for command in CLI_COMMANDS:
        result = runner.invoke(cli, [*command, "--store", uri])
        assert result.exit_code == 0, (command, result.output)
        assert _canonical(command, result.stdout) == \
            _canonical(command, reference_outputs[tuple(command)]), command
    page = tmp_path / "page.html"
    result = runner.invoke(cli, ["render", "-o", str(page), "--store", uri])
    assert result.exit_code == 0, result.output
    assert page.read_text(encoding="utf-8").startswith("<html")


def test_build_command_on_every_persistent_store(fresh_store, store_kind):
    if store_kind not in PERSISTENT:
        pytest.skip(f"{store_kind} lives in one process: a CLI command cannot open it")
    store, uri = fresh_store
    result = CliRunner().invoke(cli, ["build", "--store", uri])
    assert result.exit_code == 0, result.output
    if hasattr(store, "refresh"):
        store.refresh()
    assert store.count_triples() > 1000


def test_serve_answers_from_every_persistent_store(seeded, store_kind, memory_store, request):
    if store_kind not in PERSISTENT:
        pytest.skip(f"{store_kind}: the server's demo mode builds its own seed")
    import httpx
    from stores import serving

    from graph.server.app import create_app

    _, uri = seeded
    query = "SELECT ?code WHERE { ?s sg:isoCode ?code } ORDER BY ?code"
    app = create_app(uri, workers=1, query_timeout=30.0)
    with serving(app) as base:
        response = httpx.post(f"{base}/sparql", data={"query": query}, timeout=60,
                              headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    codes = [b["code"]["value"] for b in json.loads(response.text)["results"]["bindings"]]
    assert codes == [r["code"] for r in memory_store.select_rows(query)]


# ------------------------------------------------------------------------- Virtuoso's row limit

@pytest.fixture(scope="module")
def small_virtuoso(tmp_path_factory):
    from servers import start_virtuoso, virtuoso_binary

    if virtuoso_binary() is None:
        pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-small"), max_rows=100,
                            buffers=10_000)
    yield server
    server.stop()


def test_results_past_virtuosos_row_limit_are_paged_not_cut(small_virtuoso):
    store = open_store(small_virtuoso.uri)
    clear(store)
    triples = [(URIRef(f"http://x/s{i:03d}"), URIRef("http://x/p"), Literal(i)) for i in range(250)]
    store.replace_graphs({URIRef(EX + "many"): triples})
    assert store.count_triples() == 250
    result = store.query("SELECT ?s ?o WHERE { ?s ?p ?o }")
    assert sorted(int(row.o) for row in result) == list(range(250))
    ordered = store.query("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY DESC(?o)")
    assert [int(row.o) for row in ordered] == list(range(249, -1, -1))
    assert store.select_csv("SELECT ?s WHERE { ?s ?p ?o }").count(b"\n") == 251
    assert len(list(store.quads())) == 250
    with pytest.raises(StoreError, match="cannot be paged"):
        store.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 200")
    with pytest.raises(StoreError, match="ResultSetMaxRows"):
        store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


# ------------------------------------------------------------------------------ opening

def test_an_empty_folder_is_no_store_for_reading(tmp_path):
    """Issue 14 item 18: an existing empty folder was read as an empty store."""
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(StoreError, match=f"no store at {empty}: the folder holds no"):
        open_store(f"oxigraph:{empty}", read_only=True)
    with pytest.raises(StoreError, match="no store at"):
        open_store(str(empty), read_only=True)
    result = CliRunner().invoke(cli, ["query", "--store", f"oxigraph:{empty}",
                                      "SELECT * WHERE { ?s ?p ?o }"])
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (f"Error: no store at {empty}: the folder holds no "
                                     "stancegraph store; run 'stancegraph build' first "
                                     "(or pass --store)")
    assert list(empty.iterdir()) == []  # reading left nothing behind
    result = CliRunner().invoke(cli, ["build", "--store", f"oxigraph:{empty}"])
    assert result.exit_code == 0, result.output  # build creates
    store = open_store(f"oxigraph:{empty}", read_only=True)
    assert store.count_triples() > 0
    store.close()


@pytest.mark.parametrize("uri", ["oxigraph:", "oxigraph: ", "", "memory:x"])
def test_a_store_uri_without_a_place_is_refused(uri, tmp_path, monkeypatch):
    """Issue 14 item 18: ``oxigraph:`` with no path opened the current folder as a store."""
    monkeypatch.chdir(tmp_path)
    for read_only in (True, False):
        with pytest.raises(StoreError, match="names no folder|no store URI|unknown store URI"):
            open_store(uri, read_only=read_only)
    assert list(tmp_path.iterdir()) == []
    if uri.strip():
        for command in (["query", "SELECT * WHERE { ?s ?p ?o }"], ["build"]):
            result = CliRunner().invoke(cli, [*command, "--store", uri])
            assert result.exit_code == 1, result.output
            assert result.stderr.startswith("Error: ") and "\n" == result.stderr[-1:]
            assert len(result.stderr.strip().splitlines()) == 1
        assert list(tmp_path.iterdir()) == []


def test_schemes_are_a_registry(tmp_path):
    from graph.store.opener import register_scheme, schemes

    assert {"memory", "oxigraph", "sparql+http", "sparql+https"} <= set(schemes())
    opened = []

    def opener(uri, *, read_only=False):
        opened.append((uri, read_only))
        return open_store("memory:")

    register_scheme("test-scheme", opener)
    try:
        assert open_store("test-scheme:anything", read_only=True).count_triples() == 0
    finally:
        from graph.store import opener as module

        module._SCHEMES.pop("test-scheme")
    assert opened == [("test-scheme:anything", True)]
    with pytest.raises(StoreError, match="unknown store URI"):
        open_store("test-scheme:anything")


def test_serve_on_a_busy_port_says_so_without_announcing_a_server(tmp_path):
    """Issue 14 item 18: ``serve`` printed "serving ..." before the bind error."""
    import socket

    store = tmp_path / "store"
    with open_store(f"oxigraph:{store}") as writable:
        build(writable)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        result = CliRunner().invoke(cli, ["serve", "--store", f"oxigraph:{store}",
                                          "--port", str(port), "--workers", "1"])
    finally:
        busy.close()
    assert result.exit_code == 1, result.output
    assert "serving" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"Error: cannot serve on 127.0.0.1:{port}: ")
