"""The explorer's time slider (issue 11, item 6): the page applies docs/TIME.md in the browser.

The store is the seed plus tests/data/kor_cosponsors_2023.ttl (South Korea co-sponsors the 2023
General Assembly resolution of the DPRK human rights series; an open-ended US-Japan alliance).
Pages open from ``file://`` in Debian's Chromium; the numbers the page computes (weights, ties,
positions, gaps) are compared with Python's at several dates.
"""

import os
from pathlib import Path

import pytest

from graph.analysis.project import positions, state_graph, time_context, weigh
from graph.analysis.run import run_gaps
from graph.analysis.temporal import aggregate_positions
from graph.build import build
from graph.explorer.render import render
from graph.explorer.timeline import claim_frame
from graph.explorer.viewdata import load_view_data
from graph.store import open_store

EXTRA = Path(__file__).parent / "data" / "kor_cosponsors_2023.ttl"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
DATES = ["2017-06-01", "2019-06-01", "2021-03-27", "2021-06-01", "2022-06-01", "2023-12-31"]
#: The hand-made file's JPN-KOR tie mixes a 2019 criticism and a 2023 support.
MIXED = {"2023-12-31": {"JPN,KOR"}}
GAP = ("KOR", "USA", "dprk-human-rights")


@pytest.fixture(scope="module")
def store():
    store = open_store("oxigraph:memory")
    build(store, [EXTRA])
    return store


@pytest.fixture(scope="module")
def pages(store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("time")
    return {view: render(store, folder / f"{view}.html", view=view)
            for view in ("claims", "states", "gaps")}


# ---------------------------------------------------------------------- without a browser

def test_the_page_carries_what_the_rules_need(store, pages):
    import json
    import re

    page = pages["claims"].path.read_text(encoding="utf-8")
    config = json.loads(re.search(r'<script id="sg-config" type="application/json">(.*?)'
                                  r"</script>", page).group(1))
    time = config["time"]
    assert time["asOf"] == "2023-11-15" and not time["explicit"]  # the newest date in the store
    assert (time["halfLife"], time["horizon"]) == (730, 2920)
    assert time["min"] <= "1954-11-17" and time["max"] == "2023-12-31"
    claims = {c["c"].rsplit("/", 1)[-1]: c for c in time["claims"]}
    # An act: its date, kind and the series as its target key.
    kor = claims["test-kor-unga-2023"]
    assert (kor["k"], kor["d"], kor["y"]) == (
        "Act", "2023-11-15", "https://stancegraph.org/id/series/dprk-human-rights")
    # A standing relation, open-ended at the end of its dataset's coverage.
    treaty = claims["test-jpn-usa-treaty"]
    assert (treaty["k"], treaty["f"], treaty["u"], treaty["o"]) == (
        "Standing", "1960-06-23", "2012-12-31", True)
    # A claim rolled up from the Moon administration carries its term of office.
    derived = [c for c in time["claims"] if any(t[2] == "2022-05-09" for t in c.get("m", ()))]
    assert derived and all(t[0] in ("actor", "target") for c in derived for t in c["m"])
    # Every edge's claims point into the table.
    edges = json.loads(re.search(r"edges = new vis\.DataSet\((.*?)\);\n", page).group(1))
    assert {r["i"] for e in edges for r in e["sg_claims"]} <= set(range(len(time["claims"])))


def test_report_counts_what_shows_at_the_date(pages):
    report = pages["gaps"]
    assert report.as_of == "2023-11-15"
    assert report.edges < report.total_edges  # the gaps of other dates travel hidden


# ---------------------------------------------------------------------- in the browser

if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"{CHROMIUM} is missing (scripts/test-prerequisites.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright (Python) is missing")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser):
    contexts, errors = [], []

    def opener(report, fragment=""):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.route("**/*", lambda route: route.continue_()
                      if route.request.url.startswith(("file://", "data:")) else route.abort())
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(report.path.as_uri() + fragment)
        page.wait_for_function("window.sgReady === true", timeout=30_000)
        return page

    yield opener
    for context in contexts:
        context.close()
    assert errors == []


def gap_edges(page):
    """(a, b, issue) -> hidden, for every gap edge the page carries."""
    rows = page.evaluate("edges.get().filter(e => e.sg_gap).map(e => [e.sg_gap, !!e.hidden])")
    return {tuple(gap[:3]): hidden for gap, hidden in rows}


def move_slider(page, date):
    """Drag the slider's value to ``date`` as a user's input would (an input event)."""
    page.evaluate(
        """(date) => { const s = document.getElementById('sg-slider');
        const cfg = JSON.parse(document.getElementById('sg-config').textContent).time;
        s.value = String(sgTime.days(date) - sgTime.days(cfg.min));
        s.dispatchEvent(new Event('input', {bubbles: true})); }""", date)


def test_moving_the_slider_from_2021_to_2023_removes_the_kor_usa_human_rights_gap(
        open_page, pages, store):
    page = open_page(pages["gaps"], "#as_of=2021-06-01")
    # The date comes from the URL.
    assert page.evaluate("sgExplorer.date()") == "2021-06-01"
    assert page.input_value("#sg-asof") == "2021-06-01"
    assert gap_edges(page)[GAP] is False
    label = page.evaluate(
        f"edges.get().find(e => e.sg_gap && e.sg_gap.slice(0, 3).join() === '{','.join(GAP)}')"
        ".label")
    [gap] = [g for g in run_gaps(store, as_of="2021-06-01") if (g.actor_a, g.actor_b, g.issue)
             == GAP]
    assert label == f"DPRK human rights ({gap.distance:.2f})"
    move_slider(page, "2023-12-31")
    assert page.evaluate("sgExplorer.date()") == "2023-12-31"
    assert gap_edges(page)[GAP] is True
    # The allies stay allied: the gap closed because South Korea's 2023 act replaced its
    # declines, not because the alliance lapsed.
    alliance = page.evaluate(
        "edges.get().filter(e => e.sg_pair && e.sg_pair.join() === 'KOR,USA')"
        ".map(e => !!e.hidden)")
    assert alliance == [False]
    assert page.evaluate("location.hash") == "#as_of=2023-12-31"
    # And back: the gap is there again, with Python's tooltip of its first date restored
    # only at that date; at 2021-06-01 the page writes it, with the claims and weights.
    move_slider(page, "2021-06-01")
    assert gap_edges(page)[GAP] is False
    title = page.evaluate(
        f"edges.get().find(e => e.sg_gap && e.sg_gap.slice(0, 3).join() === '{','.join(GAP)}')"
        ".title")
    assert title.startswith("Coordination gap on DPRK human rights at 2021-06-01\n")
    assert "[superseded]" in title and "coSponsored" in title
    # A reload opens at the date the URL keeps.
    move_slider(page, "2023-12-31")
    page.reload()
    page.wait_for_function("window.sgReady === true", timeout=30_000)
    assert page.evaluate("sgExplorer.date()") == "2023-12-31"
    assert gap_edges(page)[GAP] is True


def test_the_page_and_python_give_the_same_gaps(open_page, pages, store):
    page = open_page(pages["gaps"])
    for date in DATES:
        page.evaluate("(d) => sgExplorer.setDate(d)", date)
        shown = {gap for gap, hidden in gap_edges(page).items() if not hidden}
        expected = {(g.actor_a, g.actor_b, g.issue): g for g in run_gaps(store, as_of=date)
                    if g.distance > 0}
        assert shown == set(expected), date
        computed = page.evaluate(
            """(d) => { const cfg = JSON.parse(document.getElementById('sg-config')
            .textContent).time; const candidates = edges.get().filter(e => e.sg_gap)
            .map(e => e.sg_gap); return sgTime.gaps(cfg, d, candidates); }""", date)
        for gap in computed:
            if gap is None or gap["distance"] <= 0:
                continue
            want = expected[gap["a"], gap["b"], gap["issue"]]
            assert gap["positionA"] == pytest.approx(want.position_a)
            assert gap["positionB"] == pytest.approx(want.position_b)
            assert gap["salience"] == pytest.approx(want.salience)
            assert gap["score"] == pytest.approx(want.score)


def test_the_page_and_python_give_the_same_positions(open_page, pages, store):
    page = open_page(pages["gaps"])
    for date in DATES:
        table = positions(store, as_of=date, propagate=False)
        want = aggregate_positions(table)
        computed = page.evaluate(
            """(d) => { const cfg = JSON.parse(document.getElementById('sg-config')
            .textContent).time; return sgTime.positions(cfg, d).positions; }""", date)
        expected = {f"{r.actor}|{r.issue}": r for r in want.itertuples()}
        assert set(computed) == set(expected), date
        for key, row in expected.items():
            assert computed[key]["position"] == pytest.approx(row.position), (date, key)
            assert computed[key]["weight"] == pytest.approx(row.weight), (date, key)
            assert tuple(computed[key]["claims"]) == tuple(row.claims), (date, key)


def test_the_page_and_python_give_the_same_claim_weights(open_page, pages, store):
    page = open_page(pages["claims"])
    claims = list(load_view_data(store).claims.values())
    for date in DATES:
        page.evaluate("(d) => sgExplorer.setDate(d)", date)
        computed = page.evaluate("sgExplorer.weights()")
        weighted = weigh(claim_frame(claims), time_context(store, as_of=date))
        expected = dict(zip(weighted["claim"], weighted["weight"], strict=True))
        assert set(computed) <= set(expected)
        assert len(computed) > 50
        for claim, weight in computed.items():
            assert weight == pytest.approx(expected[claim]), (date, claim)
        # Every kind of weight shows up somewhere across the dates: decayed acts,
        # superseded ones (0) and standing relations (1).
    assert any(0 < w < 1 for w in computed.values())


def test_the_page_and_python_give_the_same_ties(open_page, pages, store):
    page = open_page(pages["states"])
    for date in DATES:
        page.evaluate("(d) => sgExplorer.setDate(d)", date)
        shown = page.evaluate(
            """() => edges.get().filter(e => !e.hidden).map(e => [
                nodes.get(e.from).sg_code, nodes.get(e.to).sg_code,
                sgTime.tieScore(e.sg_claims, sgTime.weigh(
                    JSON.parse(document.getElementById('sg-config').textContent).time,
                    JSON.parse(document.getElementById('sg-config').textContent).time.claims
                        .map((_, i) => i), sgExplorer.date()))])""")
        S = state_graph(store, as_of=date)
        assert {tuple(sorted(e[:2])) for e in shown} == {tuple(sorted(e)) for e in S.edges()}, \
            date
        for a, b, score in shown:
            assert score == pytest.approx(S[a][b]["score"]), (date, a, b)
        # A tie is dotted while claims of both signs count.
        dotted = page.evaluate(
            "edges.get().filter(e => !e.hidden && Array.isArray(e.dashes))"
            ".map(e => [nodes.get(e.from).sg_code, nodes.get(e.to).sg_code].sort().join())")
        assert set(dotted) == {",".join(sorted((a, b))) for a, b, d in S.edges(data=True)
                               if d["positive"] and d["negative"]} == MIXED.get(date, set()), date


def test_the_slider_shows_what_the_python_view_keeps(open_page, pages, store):
    from graph.explorer.views import view_graph

    page = open_page(pages["claims"])
    for date in ("2019-06-01", "2023-12-31"):
        move_slider(page, date)
        G = view_graph(store, view="claims", as_of=date)
        assert page.evaluate("sgExplorer.visibleCounts()") == {
            "nodes": G.number_of_nodes(), "edges": G.number_of_edges()}, date
