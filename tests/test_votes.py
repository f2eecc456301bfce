"""The roll-call commands (alignment, idealpoints, changepoints, clusters --from/--to) and the
explorer's vote layer, on the bundled sample of the UN votes imported into an on-disk store;
the vote layer opened in Debian's Chromium."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import cli

SAMPLE = Path(__file__).resolve().parent / "data" / "unvotes_sample"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def sample_uri(tmp_path_factory):
    """An on-disk store holding the seed and the sample, as the CLI opens it."""
    from graph.build import build
    from graph.sources.runner import run_import
    from graph.store import open_store

    uri = f"oxigraph:{tmp_path_factory.mktemp('votes') / 'store'}"
    store = open_store(uri)
    build(store)
    run_import(store, "unvotes", [SAMPLE])
    store.close()
    return uri


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_alignment_per_year_with_absences(sample_uri):
    result = invoke("alignment", "usa", "--with", "KOR", "--with", "JPN", "--by", "year",
                    "--from", 1991, "--to", 2000, "--format", "json", "--store", sample_uri)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {(r["a"], r["b"]) for r in rows} == {("USA", "KOR"), ("USA", "JPN")}
    assert all(1991 <= r["year"] <= 2000 for r in rows)
    assert all(r["common"] <= r["roll_calls"] - max(r["absent_a"], r["absent_b"]) for r in rows)
    assert {"share", "s_score", "kappa", "absent_a", "absent_b"} <= set(rows[0])


def test_alignment_unknown_state_is_a_clear_error(sample_uri):
    result = invoke("alignment", "USA", "--with", "XXX", "--store", sample_uri)
    assert result.exit_code == 1
    assert "Error: no votes of 'XXX'" in result.output


def test_idealpoints_one_session_us_positive(sample_uri):
    result = invoke("idealpoints", "--session", 60, "--format", "json", "--store", sample_uri)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    ideal = {r["state"]: r["ideal"] for r in rows}
    assert {r["session"] for r in rows} == {60}
    assert ideal["USA"] > 0 > ideal["PRK"] and ideal["USA"] == max(ideal.values())
    assert all(r["se"] > 0 for r in rows)


def test_idealpoints_options_clash_and_missing_session(sample_uri):
    both = invoke("idealpoints", "--session", 60, "--year", 2005, "--store", sample_uri)
    assert both.exit_code == 2 and "give --session or --year, not both" in both.output
    none = invoke("idealpoints", "--session", 99, "--store", sample_uri)
    assert none.exit_code == 1 and "Error: no ideal points for session 99" in none.output


def test_changepoints_of_a_pair_and_of_a_state(sample_uri):
    result = invoke("changepoints", "USA", "--with", "IND", "--format", "json",
                    "--store", sample_uri)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"change points", "roll calls that moved most", "series"}
    assert len(data["series"]) > 50
    for change in data["change points"]:
        assert change["from"] < change["to"]
    state = invoke("changepoints", "RUS", "--format", "json", "--store", sample_uri)
    assert state.exit_code == 0, state.output
    assert json.loads(state.output)["series"]


@pytest.mark.xdist_group("browser")  # drives Chromium: one at a time (tests/conftest.py)
def test_vote_layer_page_opens_with_its_slider_and_threshold(sample_uri, tmp_path):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing (scripts/test-prerequisites.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is missing")
    page = tmp_path / "votes.html"
    result = invoke("render", "--view", "votes", "-o", page, "--store", sample_uri)
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 800})
            outside, errors = [], []
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                ("file://", "data:")) else (outside.append(r.request.url), r.abort()))
            tab = context.new_page()
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.goto(page.as_uri())
            tab.wait_for_function("window.sgReady === true", timeout=60_000)
            assert tab.evaluate("nodes.length") == 12
            high = tab.evaluate("edges.length")
            assert tab.input_value("#sg-threshold") == "0.8"
            tab.evaluate("(() => { const t = document.getElementById('sg-threshold');"
                         " t.value = 0.2; t.dispatchEvent(new Event('input')); })()")
            low = tab.evaluate("edges.length")
            assert low >= high and low > 0
            assert "0.20" in tab.inner_text("#sg-threshold-value")
            tab.evaluate("(() => { const p = document.getElementById('sg-period');"
                         " p.value = 0; p.dispatchEvent(new Event('input')); })()")
            status = tab.inner_text("#sg-status")
            assert status.startswith("session 1:")
            legend = tab.inner_text("#sg-legend")
            assert "camp of the United States" in legend and "swing state" in legend
            title = tab.evaluate("document.querySelector('.sg-state title').textContent")
            assert "(" in title  # the label and the code, as text
        finally:
            browser.close()
    assert errors == [] and outside == []


def test_vote_layer_text_from_the_data_is_escaped():
    import pandas as pd

    from graph.analysis.votes import VoteTable
    from graph.explorer.votes import vote_layer, vote_page

    votes = pd.DataFrame({"item": ["r1", "r1", "r2", "r2"], "actor": ["USA", "KOR"] * 2,
                          "position": [1.0, 1.0, 1.0, 0.0], "session": [1, 1, 2, 2],
                          "year": [1946, 1946, 1947, 1947]})
    items = pd.DataFrame({"rcid": [1, 2], "session": [1, 2], "year": [1946, 1947],
                          "date": ["1946-01-01", "1947-01-01"], "label": ["x", "y"]},
                         index=pd.Index(["r1", "r2"], name="item"))
    layer = vote_layer(VoteTable(votes, items))
    evil = '</script><img src=x onerror="alert(1)">'
    page = vote_page(layer, title=evil, labels={"USA": evil})
    assert evil not in page and "<img" not in page
    assert "\\u003c/script\\u003e" in page  # the label, inside the JSON block
    assert "&lt;/script&gt;" in page  # the title, as HTML text
