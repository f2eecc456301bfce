"""The HTML explorer in Debian's headless Chromium: offline loading, counts, hover, XSS, filters.

Every page is opened from ``file://`` with each request recorded and anything that is not a
``file:`` or ``data:`` URL aborted. Screenshots of each view go to tests/output/screenshots/.
"""

import os
import re
from pathlib import Path

import pytest
from test_render import EVIDENCE, PAYLOAD, xss_turtle  # the same hostile source

from graph.build import build
from graph.explorer.render import render, view_graph
from graph.store import open_store

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = Path(__file__).parent / "output" / "screenshots"
VIEWPORT = {"width": 1400, "height": 900}

if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"{CHROMIUM} is missing (scripts/test-prerequisites.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright (Python) is missing")


def big_store():
    """The seed plus 260 states and 300 people with 820 synthetic claims: over the budget."""
    from rdflib import Literal
    from rdflib.namespace import DCTERMS, RDF, RDFS

    from graph.claims import Claim, claim_triples
    from graph.vocab import CLAIM, PERSON, SG, SGG, SOURCE, STATE

    store = open_store("oxigraph:memory")
    build(store)
    source = SOURCE["synthetic"]
    triples = [(source, RDF.type, SG.Source), (source, DCTERMS.title, Literal("Load test"))]
    states = [STATE[f"X{i:03d}"] for i in range(260)]
    for i, state in enumerate(states):
        code = Literal(f"X{i:03d}")
        triples += [(state, RDF.type, SG.State), (state, RDFS.label, Literal(f"State {i}")),
                    (state, SG.isoCode, code), (state, SG.code, code)]
    claims = []
    for i, state in enumerate(states):
        claims.append(Claim(CLAIM[f"syn-s{i}"], state, SG.supports, states[(i + 1) % 260],
                            source, date="2020-01-01", evidence=f"{i} backs its neighbour"))
        claims.append(Claim(CLAIM[f"syn-c{i}"], state, SG.criticizes, states[(i + 7) % 260],
                            source, date="2020-02-01", evidence=f"{i} blames another"))
    for j in range(300):
        person = PERSON[f"p{j}"]
        triples += [(person, RDF.type, SG.Person), (person, RDFS.label, Literal(f"Person {j}")),
                    (person, SG.code, Literal(f"p{j}"))]
        claims.append(Claim(CLAIM[f"syn-p{j}"], person, SG.criticizes, states[j % 260], source,
                            date="2020-03-01", evidence=f"person {j} speaks"))
    for claim in claims:
        triples += list(claim_triples(claim))
    store.replace_graphs({SGG["test/synthetic"]: triples})
    return store


@pytest.fixture(scope="module")
def seed():
    # pyoxigraph here (test_render.py uses rdflib's store): both stores drive the same pages.
    store = open_store("oxigraph:memory")
    build(store)
    return store


@pytest.fixture(scope="module")
def pages(seed, tmp_path_factory):
    """Every page the tests open, rendered once: name -> RenderReport."""
    folder = tmp_path_factory.mktemp("pages")
    extra = folder / "xss.ttl"
    extra.write_text(xss_turtle(), encoding="utf-8")
    xss = open_store("oxigraph:memory")
    build(xss, [extra])
    specs = {
        "claims": (seed, {"view": "claims"}),
        "states": (seed, {"view": "states"}),
        "gaps": (seed, {"view": "gaps"}),
        "clusters": (seed, {"view": "states", "color": "clusters"}),
        "focus": (seed, {"view": "claims", "focus": "KOR", "depth": 1}),
        "xss": (xss, {"view": "claims", "focus": "xss-actor", "depth": 1}),
        "big": (big_store(), {"view": "claims"}),
    }
    return {name: render(store, folder / f"{name}.html", **options)
            for name, (store, options) in specs.items()}


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


class Opened:
    """A page opened from file:// with its console errors, requests and dialogs recorded."""

    def __init__(self, browser, report):
        self.errors, self.requests, self.blocked, self.dialogs = [], [], [], []
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.context.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(report.path.as_uri())
        self.page.wait_for_function("window.sgReady === true", timeout=30_000)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def counts(self):
        return self.page.evaluate("[nodes.length, edges.length]")

    def visible(self):
        return self.page.evaluate("sgExplorer.visibleCounts()")

    def close(self):
        self.context.close()


@pytest.fixture
def opened(browser):
    pages = []

    def open_page(report):
        page = Opened(browser, report)
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        page.close()


def hover_point(page, edge_id):
    """The page coordinates of an edge's midpoint, on its curve."""
    return page.evaluate(
        """(id) => {
            const edge = network.body.edges[id];
            const point = edge.edgeType.getPoint(0.5);
            const dom = network.canvasToDOM(point);
            const box = document.getElementById('mynetwork').getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y};
        }""",
        edge_id,
    )


def tooltip_text(page):
    return page.evaluate(
        """() => {
            const tip = document.querySelector('div.vis-tooltip');
            return tip && tip.style.visibility === 'visible' ? tip.innerText : null;
        }"""
    )


def squash(text):
    return re.sub(r"\s+", " ", text or "").strip()


def hover_edges(page, edge_ids):
    """Move the mouse onto each edge in turn; return (edge id, tooltip) of the first that shows
    its own tooltip (another node or edge may lie on a midpoint)."""
    box = page.evaluate("(() => { const b = document.getElementById('mynetwork')"
                        ".getBoundingClientRect(); return {x: b.left, y: b.top}; })()")
    for edge_id in edge_ids:
        title = page.evaluate("(id) => edges.get(id).title", edge_id)
        point = hover_point(page, edge_id)
        page.mouse.move(box["x"] + 3, box["y"] + 3)
        page.mouse.move(point["x"], point["y"], steps=4)
        try:
            page.wait_for_function(
                "(t) => { const tip = document.querySelector('div.vis-tooltip');"
                " return tip && tip.style.visibility === 'visible' && tip.innerText.trim()"
                ".replace(/\\s+/g, ' ') === t; }",
                arg=squash(title), timeout=1500,
            )
        except sync_api.TimeoutError:
            continue
        return edge_id, tooltip_text(page)
    raise AssertionError("no edge showed its tooltip under the mouse")


# ---------------------------------------------------------------------- every view

@pytest.mark.parametrize("name", ["claims", "states", "gaps", "clusters", "focus", "big"])
def test_each_view_loads_offline_and_shows_the_graph_built(opened, pages, name):
    report = pages[name]
    view = opened(report)
    assert view.errors == []
    assert view.blocked == [] and all(u.startswith(("file://", "data:")) for u in view.requests)
    # The page carries the edges of other dates too, hidden until the slider reaches them.
    nodes, edges = view.counts()
    assert nodes >= report.nodes and edges >= report.edges
    assert view.visible() == {"nodes": report.nodes, "edges": report.edges}
    assert view.page.evaluate("network.physics.options.enabled") is False  # settled, stopped
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    view.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_the_gaps_view_labels_each_gap_with_its_issue(opened, pages):
    view = opened(pages["gaps"])
    labels = view.page.evaluate(
        "edges.get().filter(e => e.sg_family === 'gap' && !e.hidden).map(e => e.label)")
    assert "countering China and Russia (0.75)" in labels
    alliances = view.page.evaluate("edges.get().filter(e => e.sg_pair && !e.hidden).length")
    assert alliances > 0 and len(labels) == pages["gaps"].edges - alliances


def test_camps_legend_swing_state_and_colours(opened, pages, seed):
    """Issue 17: the demo page shows the camps, marks KOR as swing, and no group colour is
    an edge colour; the page switches to the communities."""
    from graph.analysis.groups import cluster_evidence, groups
    from graph.analysis.run import run_clusters

    result = run_clusters(seed, dendrogram=False)
    view = opened(pages["clusters"])
    page = view.page
    legend = page.inner_text("#sg-legend")
    assert "Camps" in legend and page.input_value("#sg-grouping") == "camps"
    for group in groups(result, "camps"):
        members = ", ".join(f"{m} (swing)" if m in group.swing else m for m in group.members)
        assert f"{group.name}: {members}" in legend
    assert "ringed: swing state, between the camps (KOR)" in legend
    note = cluster_evidence(result).note
    assert note[1:] in legend and "treat as indicative" in legend
    assert not page.is_visible(".sg-grouping[data-grouping=communities]")
    # KOR is ringed: the only node with the swing outline, its reason in its tooltip.
    swing = page.evaluate("nodes.get().filter(n => n.sg_swing).map(n => [n.sg_code, "
                          "n.borderWidth, n.shapeProperties.borderDashes, n.title])")
    assert [s[0] for s in swing] == ["KOR"]
    assert swing[0][1] >= 4 and swing[0][2] and "Swing state, between the camps" in swing[0][3]
    # The legend's swatches are the nodes' colours, and none is an edge colour.
    fills = set(page.evaluate("nodes.get().map(n => n.color.background)"))
    edge_colours = set(page.evaluate(
        "edges.get().map(e => (e.color && e.color.color) || '').filter(Boolean)"))
    legend_fills = set(page.evaluate(
        "[...document.querySelectorAll('.sg-grouping li[data-group] circle')]"
        ".map(c => c.getAttribute('fill'))"))
    assert fills <= legend_fills and len(fills) == len(groups(result, "camps"))
    assert not {c.lower() for c in fills | legend_fills} & {c.lower() for c in edge_colours}
    from graph.explorer.styles import EDGE_FAMILIES
    assert not {c.lower() for c in legend_fills} & {f.color.lower()
                                                    for f in EDGE_FAMILIES.values()}
    # The communities, one choice away; the ring is a camp matter.
    page.select_option("#sg-grouping", "communities")
    assert page.is_visible(".sg-grouping[data-grouping=communities]")
    assert not page.is_visible(".sg-grouping[data-grouping=camps]")
    communities = groups(result, "communities")
    assert len(set(page.evaluate("nodes.get().map(n => n.color.background)"))) == \
        len(communities)
    assert page.evaluate("nodes.get().find(n => n.sg_code === 'KOR').borderWidth") == 1
    legend = page.inner_text("#sg-legend")
    for group in communities:
        assert f"{group.name}: {', '.join(group.members)}" in legend
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.select_option("#sg-grouping", "camps")
    assert view.errors == []


def test_over_the_budget_the_page_says_what_it_left_out(opened, pages):
    report = pages["big"]
    assert report.aggregated and report.left_out_nodes > 0 and not report.physics
    view = opened(report)
    note = view.page.inner_text(".sg-left-out")
    assert f"{report.total_nodes} actors and targets are more than the node budget of 500" in note
    assert f"Left out: {report.left_out_nodes} non-state nodes" in note
    # Positions were computed in Python: every node has one and nothing moves.
    assert view.page.evaluate("nodes.get().every(n => typeof n.x === 'number')")


# ---------------------------------------------------------------------- tooltips

def test_hovering_an_edge_shows_its_relation_date_source_and_evidence(opened, pages):
    view = opened(pages["claims"])
    candidates = view.page.evaluate(
        "edges.get().filter(e => e.sg_claims.length === 1).map(e => e.id)")
    edge_id, text = hover_edges(view.page, candidates[:25])
    claim = view.page.evaluate("(id) => edges.get(id).sg_claims[0]", edge_id)
    lines = text.splitlines()
    assert re.match(r"[\w /]+\n.+: .+ (->|<->) .+$", "\n".join(lines[:2]))
    assert f"Date: {claim['a']}" in text
    assert "Source: North Korea conducted more missile tests. What happens next?" in text
    assert re.search(r"Evidence: \u201c.+\u201d", text) and "Claim: claim:kim2021-" in text


def test_hovering_a_node_shows_its_type_code_and_positions(opened, pages):
    view = opened(pages["states"])
    page = view.page
    node_id = page.evaluate("nodes.get().find(n => n.sg_code === 'USA').id")
    point = page.evaluate(
        """(id) => { const p = network.canvasToDOM(network.getPositions([id])[id]);
        const b = document.getElementById('mynetwork').getBoundingClientRect();
        return {x: b.left + p.x, y: b.top + p.y}; }""", node_id)
    page.mouse.move(point["x"] - 40, point["y"] - 40)
    page.mouse.move(point["x"], point["y"], steps=4)
    page.wait_for_function("() => { const t = document.querySelector('div.vis-tooltip');"
                           " return t && t.style.visibility === 'visible'; }", timeout=5000)
    text = tooltip_text(page)
    assert text.startswith("United States\nState \u00b7 code USA")
    assert "Main positions:" in text


# ---------------------------------------------------------------------- escaping

def test_markup_in_labels_and_quotes_stays_text(opened, pages):
    view = opened(pages["xss"])
    page = view.page
    assert page.inner_text("h1") == f"stancegraph: Claims around {PAYLOAD}"
    # The quote with the payload, an <a href> and a script end tag, shown by a real hover.
    candidates = page.evaluate(
        "edges.get().filter(e => e.title.includes('onerror')).map(e => e.id)")
    _, text = hover_edges(page, candidates)
    assert squash(EVIDENCE) in squash(text)
    # The search box finds the actor and the details panel shows its label as text.
    page.fill("#sg-search", "xss-actor")
    assert page.inner_text("#sg-details").startswith(PAYLOAD)
    page.wait_for_timeout(300)
    assert view.dialogs == []
    assert page.evaluate("document.querySelectorAll('img, div.vis-tooltip a, b').length") == 0
    assert view.errors == [] and view.blocked == []


# ---------------------------------------------------------------------- filters and search

def expected(seed, **options):
    """What the Python side keeps with the same filters."""
    G = view_graph(seed, **options)
    return {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()}


def test_page_filters_agree_with_the_python_filters(opened, pages, seed):
    view = opened(pages["claims"])
    page = view.page
    everything = view.visible()
    names = page.evaluate("sgExplorer.state().relations")
    page.click("#sg-filters summary")
    page.uncheck("#sg-relations input[value=supports]")
    after = view.visible()
    assert after["edges"] < everything["edges"]
    rest = [n for n in names if n != "supports"]
    assert after == expected(seed, view="claims", relations=rest)
    assert page.inner_text("#sg-status") == (
        f"Showing {after['nodes']} of {everything['nodes']} nodes and {after['edges']} of "
        f"{everything['edges']} edges at {page.evaluate('sgExplorer.date()')}")
    page.click("#sg-reset")
    assert view.visible() == everything
    first = page.evaluate("sgExplorer.date()")
    page.fill("#sg-asof", "2018-01-01")
    page.dispatch_event("#sg-asof", "change")
    assert view.visible() == expected(seed, view="claims", as_of="2018-01-01")
    page.fill("#sg-asof", first)  # the date is the slider's, not a filter: set it back
    page.dispatch_event("#sg-asof", "change")
    page.click("#sg-reset")
    page.uncheck("#sg-types input[value=person]")
    kinds = [k for k in page.evaluate("sgExplorer.state().types") if k != "person"]
    assert view.visible() == expected(seed, view="claims", actor_types=kinds)
    page.click("#sg-reset")
    source = page.evaluate("document.querySelector('#sg-source option:nth-child(2)').value")
    page.select_option("#sg-source", source)
    assert view.visible() == expected(seed, view="claims", source=source)
    page.uncheck("#sg-derived")
    assert view.visible()["edges"] < everything["edges"]
    assert view.errors == []


def test_search_finds_and_selects_a_node(opened, pages):
    view = opened(pages["claims"])
    page = view.page
    page.fill("#sg-search", "korea")
    selected = page.evaluate("network.getSelectedNodes().map(id => nodes.get(id).label)")
    assert {"South Korea", "North Korea"} <= set(selected)
    assert re.match(r"\d+ found; showing 1: ", page.inner_text("#sg-search-status"))
    page.fill("#sg-search", "KOR")
    assert page.evaluate("nodes.get(network.getSelectedNodes()[0]).sg_code") == "KOR"
    assert page.inner_text("#sg-details").startswith("South Korea\nState \u00b7 code KOR")
    page.fill("#sg-search", "no such actor")
    assert page.inner_text("#sg-search-status") == "no match"
