"""The HTML explorer without a browser: graphs per view, filters, budget, escaping, the CLI."""

import doctest
import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.analysis import groups as groups_module
from graph.analysis import run_clusters, run_gaps
from graph.analysis.groups import INDICATIVE_BELOW, cluster_evidence, groups, swing_reasons
from graph.analysis.project import allied_pairs, state_graph
from graph.build import build
from graph.cli import cli
from graph.errors import InputError, QueryError
from graph.explorer import render as render_module
from graph.explorer import styles as styles_module
from graph.explorer.render import (
    EDGE_FAMILIES,
    NODE_CLASSES,
    relation_family,
    render,
    render_page,
    view_graph,
)
from graph.explorer.styles import CLUSTER_COLORS, SWING_BORDER, SWING_WIDTH
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


def delta_e(first: str, second: str) -> float:
    """CIE 1976 colour difference of two #rrggbb colours (sRGB, D65): about 2.3 is just
    noticeable, above 25 two colours are not mistaken for each other."""
    def lab(colour):
        channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = [((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92 for c in channels]
        xyz = ((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
               0.2126 * r + 0.7152 * g + 0.0722 * b,
               (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)
        fx, fy, fz = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in xyz]
        return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)

    return sum((a - b) ** 2 for a, b in zip(lab(first), lab(second), strict=True)) ** 0.5


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
    for module in (render_module, styles_module, groups_module):
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
    G = view_graph(seed, view="claims", timeline=True)  # every date: the slider's page
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


def test_claims_view_at_a_date_keeps_the_edges_whose_claims_count(seed):
    """docs/TIME.md at D (the newest date): South Korea's declines of the 2019 and 2020
    resolutions are superseded by its 2021 decline in the same series, so those edges and
    the two resolutions are not drawn; every edge drawn has a claim that counts."""
    G = view_graph(seed, view="claims")
    assert G.graph["flt"].as_of == "2021-03-27"
    assert {"A/HRC/RES/40/20", "A/HRC/RES/43/25"}.isdisjoint(codes(G))
    assert edge_with(G, "declined", "KOR", "A/HRC/RES/46/17")
    weights = G.graph["flt"].weights
    assert all(any(weights[c.iri] > 0 for c in a["claims"]) for _, _, a in G.edges(data=True))
    timeline = view_graph(seed, view="claims", timeline=True)
    lapsed = [a for _, _, a in timeline.edges(data=True) if not a["holds"]]
    assert len(lapsed) == timeline.number_of_edges() - G.number_of_edges() > 0
    assert all(weights[c.iri] == 0 for a in lapsed for c in a["claims"])


def test_claims_view_edges_carry_relation_date_source_and_evidence(seed):
    G = view_graph(seed, view="claims", timeline=True)
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
        assert attrs["strength"] == pytest.approx(tie["weight"])
        # The edge carries the claims of every date (for the slider); those that count at D
        # are the tie's.
        weights = G.graph["flt"].weights
        table = relations()
        assert sorted(c.iri for c in attrs["claims"] if weights[c.iri] > 0
                      and table[c.relation].polarity) == tie["claims"]
        assert attrs["mixed"] == (tie["positive"] > 0 and tie["negative"] > 0)
    # China's sanctions held in 2017 only: at D its tie to North Korea is cooperative.
    assert edge_with(G, "sanctions", "CHN", "PRK")["family"] == "tie-positive"
    assert edge_with(view_graph(seed, view="states", as_of="2017-06-01"), "sanctions", "CHN",
                     "PRK")["family"] == "tie-negative"


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


def page_nodes(page):
    return json.loads(re.search(r"nodes = new vis\.DataSet\((.*?)\);\n", page).group(1))


@pytest.mark.parametrize("color, grouping", [("clusters", "camps"), ("camps", "camps"),
                                             ("communities", "communities")])
def test_group_colouring_follows_run_clusters(seed, tmp_path, color, grouping):
    report = render(seed, tmp_path / "clusters.html", view="states", color=color)
    page = report.path.read_text(encoding="utf-8")
    result = run_clusters(seed, dendrogram=False)
    found = groups(result, grouping)
    colour_of = {}
    for node in page_nodes(page):
        [number] = [g.number for g in found if node["sg_code"] in g.members]
        colour_of.setdefault(number, node["color"]["background"])
        assert colour_of[number] == node["color"]["background"]
        # Both groupings travel with the node: the page switches between them.
        assert set(node["sg_looks"]) == {"type", "camps", "communities"}
    assert len(set(colour_of.values())) == len(found)
    # The legend names the groups as `stancegraph clusters` prints them (numbers from 0).
    for grouping_name in ("camps", "communities"):
        for g in groups(result, grouping_name):
            members = ", ".join(f"{m} (swing)" if m in g.swing else m for m in g.members)
            assert f"{g.name}: {members}" in html.unescape(page)
    assert f'<option value="{grouping}" selected>' in page


def test_swing_states_are_ringed_with_the_reason_in_their_tooltip(seed, tmp_path):
    report = render(seed, tmp_path / "camps.html", view="states", color="clusters")
    page = report.path.read_text(encoding="utf-8")
    nodes = {n["sg_code"]: n for n in page_nodes(page)}
    assert [code for code, n in nodes.items() if n["sg_swing"]] == ["KOR"]
    kor = nodes["KOR"]
    assert kor["borderWidth"] == SWING_WIDTH and kor["shapeProperties"]["borderDashes"]
    assert kor["color"]["border"] == SWING_BORDER
    assert all(n["color"]["border"] != SWING_BORDER for c, n in nodes.items() if c != "KOR")
    result = run_clusters(seed, dendrogram=False)
    reason = swing_reasons(result)["KOR"]
    assert f"Swing state, {reason}" in kor["title"]
    assert re.match(r"between the camps: silhouette -?\d\.\d\d in camp \d .*; mean affinity "
                    r"[+-]\d\.\d\d with camp 0 .*; [+-]\d\.\d\d with camp 1", reason)
    # Among the communities the ring goes: swing is about the two camps.
    assert kor["sg_looks"]["communities"]["borderWidth"] == 1
    # The evidence note stands beside the grouping.
    evidence = cluster_evidence(result)
    assert evidence.indicative and evidence.states == 9
    assert html.escape(evidence.note[1:]) in page and "treat as indicative." in page


def test_cli_clusters_names_the_groups_as_the_page_and_says_how_thin_the_evidence_is(seed_uri,
                                                                                   seed):
    result = CliRunner().invoke(cli, ["clusters", "--store", seed_uri, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    found = run_clusters(seed, dendrogram=False)
    assert data["camps"] == [{"camp": g.number, "states": ", ".join(g.members)}
                             for g in groups(found, "camps")]
    assert data["communities"] == [{"community": g.number, "states": ", ".join(g.members)}
                                   for g in groups(found, "communities")]
    [evidence] = data["evidence"]
    counted = cluster_evidence(found)
    assert evidence["note"] == counted.note and evidence["indicative"] is True
    assert evidence["note"].startswith(f"based on about {counted.claims} claims (")
    assert evidence["note"].endswith("; treat as indicative")
    assert evidence["median_per_state"] < INDICATIVE_BELOW and evidence["states"] == 9
    # Beside the camps in the table too.
    table = CliRunner().invoke(cli, ["clusters", "--store", seed_uri, "--format", "csv"]).output
    assert table.index("# camps") < table.index("# evidence") < table.index("# swing states")


def test_evidence_counts_positions_and_ties(seed):
    found = run_clusters(seed, dendrogram=False)
    counted = cluster_evidence(found)
    assert counted.positions == int(found.items.notna().to_numpy().sum())
    assert counted.ties == pytest.approx(sum(w for _, w in found.ties.values()))
    assert sum(counted.per_state.values()) == pytest.approx(counted.positions + 2 * counted.ties)
    with pytest.raises(ValueError, match="unknown grouping 'blocs'"):
        groups(found, "blocs")


def test_group_colours_never_reuse_or_resemble_the_edge_colours():
    edge_colours = {f.color.lower() for f in EDGE_FAMILIES.values()}
    assert not edge_colours & {c.lower() for c in CLUSTER_COLORS}
    for colour in CLUSTER_COLORS:
        assert min(delta_e(colour, e) for e in edge_colours) > 25, colour
    # The two camps are far apart from each other too.
    assert delta_e(CLUSTER_COLORS[0], CLUSTER_COLORS[1]) > 50


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
        # A claim that counts on that date (docs/TIME.md): started, with a weight; an act
        # given as an interval that ended decays from its end.
        assert any((not c.start or c.start <= "2018-01-01")
                   and early.graph["flt"].weights[c.iri] > 0 for c in attrs["claims"])
    people = view_graph(seed, view="claims", actor_types=["person"])
    assert {k for _, k in people.nodes(data="kind")} == {"person"}
    by_source = view_graph(seed, view="claims", source="kim-2021-03-27")
    assert by_source.number_of_edges() == view_graph(seed).number_of_edges()
    # China's sanctions on North Korea: a standing relation coded for 2017 only.
    only = view_graph(seed, view="claims", relations=["sanctions"], as_of="2017-06-01")
    assert codes(only) == {"CHN", "PRK"} and only.number_of_edges() == 1
    assert view_graph(seed, view="claims", relations=["sanctions"]).number_of_edges() == 0


@pytest.mark.parametrize(
    "options, message",
    [
        ({"relations": ["likes"]}, "unknown relation 'likes'"),
        ({"actor_types": ["planet"]}, "unknown actor type 'planet'"),
        ({"source": "nowhere"}, "unknown source 'nowhere'"),
        ({"as_of": "March 2021"}, "expected a date YYYY-MM-DD"),
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
    assert G.graph["total_edges"] == view_graph(seed, view="claims",
                                                timeline=True).number_of_edges()
    assert len(G.graph["data"].claims) < 60
    every = [r.name for r in relations().values()]
    filtered = view_graph(seed, view="claims", node_budget=20, relations=every)
    assert sorted(G.edges(data="strength")) == sorted(filtered.edges(data="strength"))
    # The filtered page carries the claims of other dates too (for its slider).
    assert {c for _, _, cs in G.edges(data="claims") for c in cs} <= \
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
    shown = view_graph(open_store(seed_uri, read_only=True), view="claims")
    assert f"{shown.number_of_nodes()} nodes, {shown.number_of_edges()} edges as of " \
           f"2021-03-27" in result.stderr
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
    assert "3 nodes" in page and "states coloured by camp, swing states ringed" in page
    assert "as of 2021-03-26" in page


def test_cli_render_reports_bad_options(seed_uri, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["render", "--store", seed_uri, "-o", str(tmp_path / "x.html"),
                                 "--relation", "likes"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: unknown relation 'likes'; known: alignedWith")
    result = runner.invoke(cli, ["render", "--store", seed_uri, "--view", "map"])
    assert result.exit_code == 2 and "Invalid value for '--view'" in result.stderr
    assert not (tmp_path / "x.html").exists()
