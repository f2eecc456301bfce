"""The HTML explorer without a browser: graphs per view, filters, budget, escaping, the CLI."""

import doctest
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.explorer import render as render_module
from graph.explorer import styles as styles_module
from graph.analysis import run_clusters, run_gaps
from graph.analysis.project import allied_pairs, state_graph
from graph.build import build
from graph.cli import cli
from graph.errors import InputError, QueryError
from graph.explorer.render import (
    EDGE_FAMILIES,
    NODE_CLASSES,
    relation_family,
    render,
    render_page,
    view_graph,
)
from graph.store import open_store
from graph.vocab import relations

PAYLOAD = "<img src=x onerror=alert(1)>"
SCRIPT_BREAK = "</script><script>alert(2)</script>"
EVIDENCE = f'{PAYLOAD} said <a href="javascript:alert(3)">this</a>\u2028{SCRIPT_BREAK}'

XSS_TURTLE = """\
@prefix sg:      <https://stancegraph.org/ontology#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix state:   <https://stancegraph.org/id/state/> .
@prefix person:  <https://stancegraph.org/id/person/> .
@prefix claim:   <https://stancegraph.org/id/claim/> .
@prefix source:  <https://stancegraph.org/id/source/> .

person:xss-actor a sg:Person ; rdfs:label "PAYLOAD"@en ; sg:code "xss-actor" ;
    sg:represents state:KOR .
source:xss-source a sg:Source ; dcterms:title "SCRIPT_BREAK & <b>bold</b>" .
claim:xss-1 a sg:Claim ;
    sg:actor person:xss-actor ; sg:relation sg:criticizes ; sg:target state:PRK ;
    sg:date "2021-03-26"^^xsd:date ; prov:wasDerivedFrom source:xss-source ;
    sg:evidence "EVIDENCE" ;
    sg:evidenceStart "0"^^xsd:integer ; sg:evidenceEnd "LENGTH"^^xsd:integer .
"""


def xss_turtle() -> str:
    """The extra source: an actor label, a source title and a quote that try to run code."""
    evidence = EVIDENCE.replace('"', '\\"').replace("\u2028", "\\u2028")
    return (XSS_TURTLE.replace("PAYLOAD", PAYLOAD).replace("SCRIPT_BREAK", SCRIPT_BREAK)
            .replace("EVIDENCE", evidence).replace("LENGTH", str(len(EVIDENCE))))


@pytest.fixture(scope="module")
def seed():
    store = open_store("memory:")
    build(store)
    return store


@pytest.fixture(scope="module")
def xss_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("xss") / "xss.ttl"
    path.write_text(xss_turtle(), encoding="utf-8")
    store = open_store("memory:")
    build(store, [path])
    return store


@pytest.fixture(scope="module")
def seed_uri(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "db"
    store = open_store(f"oxigraph:{path}")
    build(store)
    store.close()
    return f"oxigraph:{path}"


def codes(G):
    return {attrs["code"] for _, attrs in G.nodes(data=True)}


def edge_with(G, relation, actor_code, target_code):
    for u, v, attrs in G.edges(data=True):
        if relation in attrs["relations"] and {G.nodes[u]["code"], G.nodes[v]["code"]} == {
            actor_code, target_code
        }:
            return attrs
    raise AssertionError(f"no {relation} edge {actor_code} -> {target_code}")


# ---------------------------------------------------------------------- the visual grammar

def test_doctests():
    for module in (render_module, styles_module):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_every_relation_has_a_family_that_agrees_with_its_polarity():
    for relation in relations().values():
        family = relation_family(relation)
        assert family in EDGE_FAMILIES
        if relation.polarity > 0:
            assert family in ("aligned", "cooperative", "cosponsored")
        elif relation.polarity < 0:
            assert family in ("conflictual", "coercive")
        else:
            assert family == "declined"
    table = relations()
    assert relation_family(table["sanctions"]) == "coercive"
    assert relation_family(table["coSponsored"]) == "cosponsored"
    assert relation_family(table["alignedWith"]) == "aligned"
    assert relation_family(table["declined"]) == "declined"
    # Opposition and co-sponsorship differ in colour; declined is the dashed one.
    opposes, cosponsored = EDGE_FAMILIES["conflictual"], EDGE_FAMILIES["cosponsored"]
    assert opposes.color != cosponsored.color
    assert EDGE_FAMILIES["declined"].dashes and not opposes.dashes
    assert EDGE_FAMILIES["coercive"].width > opposes.width
    assert not EDGE_FAMILIES["aligned"].arrow


def test_node_classes_have_distinct_looks():
    looks = {(c.shape, c.color, c.dashed) for c in NODE_CLASSES.values()}
    assert len(looks) == len(NODE_CLASSES)


# ---------------------------------------------------------------------- views

def test_claims_view_has_every_actor_and_target_and_each_direct_edge(seed):
    G = view_graph(seed, view="claims")
    expected = seed.select_rows(
        "SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* ?top . "
        "VALUES ?top { sg:Actor sg:Target } }"
    )
    assert set(G) == {r["x"] for r in expected}
    assert {k for _, k in G.nodes(data="kind")} == {c.key for c in NODE_CLASSES.values()}
    claims = seed.select_rows(
        "SELECT ?claim ?a ?r ?b WHERE { ?claim a sg:Claim ; sg:actor ?a ; sg:relation ?r ; "
        "sg:target ?b }"
    )
    symmetric = {str(r.iri) for r in relations().values() if r.symmetric}
    direct = {(min(r["a"], r["b"]), r["r"], max(r["a"], r["b"])) if r["r"] in symmetric
              else (r["a"], r["r"], r["b"]) for r in claims}
    assert G.number_of_edges() == len(direct)
    assert sum(len(a["claims"]) for _, _, a in G.edges(data=True)) == len(claims)


def test_claims_view_edges_carry_relation_date_source_and_evidence(seed):
    G = view_graph(seed, view="claims")
    violation = edge_with(G, "violates", "PRK", "S/RES/1718")
    [claim] = violation["claims"]
    assert violation["family"] == "conflictual"
    assert claim.start == "2021-03-25"
    assert claim.source_title == "North Korea conducted more missile tests. What happens next?"
    assert "U.N. Security Council resolution" in claim.evidence
    assert edge_with(G, "sanctions", "CHN", "PRK")["family"] == "coercive"
    assert edge_with(G, "coSponsored", "USA", "A/HRC/RES/46/17")["family"] == "cosponsored"
    assert edge_with(G, "alignedWith", "USA", "KOR")["symmetric"]
    # A rolled-up claim is marked as derived and points to the claim it came from.
    derived = [a for _, _, a in G.edges(data=True) if a["derived"]]
    assert derived and all(c.derived_from for a in derived for c in a["claims"])


def test_states_view_is_the_state_graph(seed):
    G = view_graph(seed, view="states")
    S = state_graph(seed)
    assert codes(G) == set(S)
    assert G.number_of_edges() == S.number_of_edges()
    for u, v, attrs in G.edges(data=True):
        tie = S[G.nodes[u]["code"]][G.nodes[v]["code"]]
        assert attrs["family"] == ("tie-positive" if tie["sign"] > 0 else "tie-negative")
        assert attrs["strength"] == tie["weight"]
        assert sorted(c.iri for c in attrs["claims"]) == tie["claims"]
    assert edge_with(G, "sanctions", "CHN", "PRK")["mixed"]


def test_states_view_relation_filter_recomputes_the_ties(seed):
    G = view_graph(seed, view="states", relations=["criticizes", "opposes"])
    assert G.number_of_edges() > 0
    assert all(a["family"] == "tie-negative" for _, _, a in G.edges(data=True))
    assert all(G.degree(n) > 0 for n in G)  # states left without a tie go
    assert "CUB" not in codes(G)


def test_gaps_view_draws_allies_and_their_gaps_by_issue(seed):
    G = view_graph(seed, view="gaps")
    allies = allied_pairs(seed)
    assert codes(G) == {code for a, b, _ in allies for code in (a, b)}
    families = [a["family"] for _, _, a in G.edges(data=True)]
    assert families.count("aligned") == len(allies)
    expected = {(g.actor_a, g.actor_b, g.issue) for g in run_gaps(seed) if g.distance > 0}
    drawn = {(a["gap"].actor_a, a["gap"].actor_b, a["gap"].issue)
             for _, _, a in G.edges(data=True) if a["family"] == "gap"}
    assert drawn == expected


def test_cluster_colouring_follows_run_clusters(seed, tmp_path):
    report = render(seed, tmp_path / "clusters.html", view="states", color="clusters")
    page = report.path.read_text(encoding="utf-8")
    communities = run_clusters(seed).communities
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((.*?)\);\n", page).group(1))
    colour_of = {}
    for node in nodes:
        [block] = [i for i, c in enumerate(communities) if node["sg_code"] in c]
        colour_of.setdefault(block, node["color"]["background"])
        assert colour_of[block] == node["color"]["background"]
    assert len(set(colour_of.values())) == len(communities)
    assert "Alignment clusters" in page
    for i, block in enumerate(communities):
        assert f"cluster {i + 1}: {', '.join(sorted(block))}" in page


def test_focus_keeps_one_neighbourhood(seed):
    G = view_graph(seed, view="claims", focus="KOR", depth=1)
    center = G.graph["focus"]
    assert G.nodes[center]["code"] == "KOR"
    whole = view_graph(seed, view="claims")
    neighbours = set(whole.predecessors(center)) | set(whole.successors(center)) | {center}
    assert set(G) == neighbours
    assert set(view_graph(seed, view="claims", focus="KOR", depth=0)) == {center}
    assert len(view_graph(seed, view="claims", focus="KOR", depth=2)) > len(G)
    with pytest.raises(InputError, match="not in the states view"):
        view_graph(seed, view="states", focus="blinken")
    with pytest.raises(QueryError, match="no actor or target"):
        view_graph(seed, focus="nobody")


def test_filters_keep_what_they_say(seed):
    early = view_graph(seed, view="claims", as_of="2018-01-01")
    assert 0 < early.number_of_edges() < view_graph(seed).number_of_edges()
    for _, _, attrs in early.edges(data=True):
        assert any((not c.start or c.start <= "2018-01-01") and (not c.end or c.end >= "2018-01-01")
                   for c in attrs["claims"])
    people = view_graph(seed, view="claims", actor_types=["person"])
    assert {k for _, k in people.nodes(data="kind")} == {"person"}
    by_source = view_graph(seed, view="claims", source="kim-2021-03-27")
    assert by_source.number_of_edges() == view_graph(seed).number_of_edges()
    only = view_graph(seed, view="claims", relations=["sanctions"])
    assert codes(only) == {"CHN", "PRK"} and only.number_of_edges() == 1


@pytest.mark.parametrize(
    "options, message",
    [
        ({"relations": ["likes"]}, "unknown relation 'likes'"),
        ({"actor_types": ["planet"]}, "unknown actor type 'planet'"),
        ({"source": "nowhere"}, "unknown source 'nowhere'"),
        ({"as_of": "March 2021"}, "not a YYYY-MM-DD date"),
        ({"view": "map"}, "unknown view 'map'"),
        ({"color": "rainbow"}, "unknown colouring 'rainbow'"),
        ({"depth": -1}, "depth must be a non-negative integer"),
        ({"node_budget": 0}, "node budget must be a positive integer"),
    ],
)
def test_bad_options_fail_with_a_clear_message(seed, options, message):
    with pytest.raises(InputError, match=re.escape(message)):
        view_graph(seed, **options)


def test_over_budget_the_claims_view_is_aggregated_to_states(seed):
    G = view_graph(seed, view="claims", node_budget=20)
    assert G.graph["aggregated"] and G.graph["view"] == "claims"
    assert codes(G) == set(state_graph(seed))
    assert G.graph["left_out_nodes"] == 52 - 9
    [note] = G.graph["notes"]
    assert "node budget of 20" in note and "43 non-state nodes" in note
    page = render_page(seed, view="claims", node_budget=20)
    assert "node budget of 20" in page
    # Without a filter the aggregation never builds the claims view (it reads only the
    # claims behind the state ties); with one it does: both must give the same graph.
    assert G.graph["total_edges"] == view_graph(seed, view="claims").number_of_edges()
    assert len(G.graph["data"].claims) < 60
    every = [r.name for r in relations().values()]
    filtered = view_graph(seed, view="claims", node_budget=20, relations=every)
    assert sorted(G.edges(data="strength")) == sorted(filtered.edges(data="strength"))
    assert {c for _, _, cs in G.edges(data="claims") for c in cs} == \
        {c for _, _, cs in filtered.edges(data="claims") for c in cs}


def test_over_budget_the_strongest_edges_are_kept_first(seed):
    G = view_graph(seed, view="states", node_budget=4)
    assert G.number_of_nodes() == 4
    strongest = max(state_graph(seed).edges(data="weight"), key=lambda e: e[2])
    assert {strongest[0], strongest[1]} <= codes(G)
    assert G.graph["left_out_nodes"] == 5
    assert "Left out: 5 nodes" in G.graph["notes"][0]


def test_an_empty_store_renders_an_empty_page():
    page = render_page(open_store("memory:"), view="claims")
    assert "0 nodes, 0 edges" in page


# ---------------------------------------------------------------------- the page

@pytest.mark.parametrize("view", ["claims", "states", "gaps"])
def test_the_page_is_self_contained(seed, view):
    page = render_page(seed, view=view)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "bootstrap" not in page
    assert "cdn.jsdelivr" not in page and "cdnjs.cloudflare" not in page
    assert "vis.Network" in page and "new vis.DataSet" in page
    assert '<script id="sg-config" type="application/json">' in page
    assert "Legend" in page and 'id="sg-search"' in page


def test_vis_ids_are_generated_not_data(seed):
    page = render_page(seed, view="claims")
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((.*?)\);\n", page).group(1))
    assert [n["id"] for n in nodes] == [f"n{i}" for i in range(len(nodes))]
    assert all(isinstance(n["title"], str) for n in nodes)


def page_config(page):
    block = re.search(r'<script id="sg-config" type="application/json">(.*?)</script>', page)
    return json.loads(block.group(1))


def test_data_text_is_escaped_everywhere(xss_store):
    page = render_page(xss_store, view="claims", focus="xss-actor")
    assert PAYLOAD not in page  # not as markup anywhere: heading, JSON, legend
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the heading shows it as text
    assert SCRIPT_BREAK not in page and "<b>bold</b>" not in page
    assert "\u2028" not in page and "\u2029" not in page
    # Tooltips stay vis-network's plain text even though a title contains "href".
    assert "popup.innerHTML" not in page and "tooltip_link" not in page
    # The embedded JSON still round-trips to the exact text.
    config = page_config(page)
    assert f"{SCRIPT_BREAK} & <b>bold</b>" in [s["title"] for s in config["sources"]]
    data = json.loads(re.search(r"edges = new vis\.DataSet\((.*?)\);\n", page).group(1))
    assert any(EVIDENCE in e["title"] for e in data)


def test_a_custom_title_is_escaped(seed):
    page = render_page(seed, view="states", title="Allies & <rivals>")
    assert "<title>Allies &amp; &lt;rivals&gt;</title>" in page


def test_render_writes_the_file_atomically(seed, tmp_path):
    target = tmp_path / "out" / "page.html"
    report = render(seed, target, view="states")
    assert report.path == target and target.read_text(encoding="utf-8").startswith("<html")
    assert (report.nodes, report.edges) == (9, 12)
    assert report.bytes == len(target.read_bytes())
    assert report.physics and report.left_out == 0
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.html"]


def test_big_graphs_get_positions_and_no_physics(seed, monkeypatch):
    monkeypatch.setattr(render_module, "_PHYSICS_MAX_NODES", 20)
    page = render_page(seed, view="claims")
    config = page_config(page)
    assert config["physics"] is False
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((.*?)\);\n", page).group(1))
    assert all("x" in n and "y" in n for n in nodes)


# ---------------------------------------------------------------------- CLI

def test_cli_render_writes_the_default_path(seed_uri, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "--store", seed_uri])
    assert result.exit_code == 0, result.output
    assert result.stdout == "build/stancegraph.html\n"
    assert "52 nodes, 75 edges" in result.stderr
    assert Path("build/stancegraph.html").read_text(encoding="utf-8").startswith("<html")


def test_cli_render_passes_every_option(seed_uri, tmp_path):
    target = tmp_path / "focus.html"
    result = CliRunner().invoke(cli, [
        "render", "--store", seed_uri, "-o", str(target), "--view", "states", "--color",
        "clusters", "--focus", "KOR", "--depth", "1", "--relation", "supports", "--relation",
        "alignedWith", "--actor-type", "state", "--source", "kim-2021-03-27", "--as-of",
        "2021-03-26", "--node-budget", "3", "--title", "Seoul's friends",
    ])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{target}\n"
    assert "note: " in result.stderr and "node budget of 3" in result.stderr
    page = target.read_text(encoding="utf-8")
    assert "<title>Seoul&#x27;s friends</title>" in page
    assert "3 nodes" in page and "nodes coloured by alignment cluster" in page


def test_cli_render_reports_bad_options(seed_uri, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["render", "--store", seed_uri, "-o", str(tmp_path / "x.html"),
                                 "--relation", "likes"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: unknown relation 'likes'; known: alignedWith")
    result = runner.invoke(cli, ["render", "--store", seed_uri, "--view", "map"])
    assert result.exit_code == 2 and "Invalid value for '--view'" in result.stderr
    assert not (tmp_path / "x.html").exists()
