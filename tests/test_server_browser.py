"""The served pages in headless Chromium: the query page runs a named query and shows its rows."""

from __future__ import annotations

import contextlib
import csv
import io
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from stores import serving  # the one uvicorn-in-a-thread runner

from graph.cli import cli
from graph.server.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture(scope="session")
def seed_store(oxigraph_store, oxigraph_path) -> Path:
    """The seed in an on-disk oxigraph store: conftest builds it once and closes the writer."""
    return oxigraph_path


@pytest.fixture(scope="module")
def base(seed_store):
    app = create_app(f"oxigraph:{seed_store}", query_timeout=10.0, workers=1)
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextlib.contextmanager
def watched_page(browser, base):
    """A page that records every request and every script error or CSP report."""
    page = browser.new_page(accept_downloads=True)
    seen = {"requests": [], "problems": []}
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("pageerror", lambda error: seen["problems"].append(str(error)))
    page.on("console", lambda message: seen["problems"].append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None)
    try:
        yield page, seen
    finally:
        page.close()
    outside = [url for url in seen["requests"]
               if not url.startswith((base + "/", "blob:", "data:"))]
    assert outside == [], "requests outside the server's origin"
    assert seen["problems"] == []


def test_query_page_runs_a_named_query_and_shows_its_rows(browser, base, seed_store):
    uri = f"oxigraph:{seed_store}"
    done = CliRunner().invoke(cli, ["query", "cosponsors", "--param",
                                    "resolution=res:unhrc-dprk-2021", "--format", "csv",
                                    "--store", uri])
    assert done.exit_code == 0, done.output
    expected_csv = done.stdout_bytes.decode("utf-8")
    expected = list(csv.DictReader(io.StringIO(expected_csv)))
    assert expected

    with watched_page(browser, base) as (page, _):
        page.goto(f"{base}/query")
        page.wait_for_selector("#example[data-loaded='true']", state="attached")
        page.select_option("#example", "cosponsors")
        assert page.input_value("input[data-param='resolution']") == "res:unhrc-dprk-2021"
        page.click("#run")
        page.wait_for_selector("#results table tbody tr")
        headers = page.locator("#results thead th").all_text_contents()
        assert headers == list(expected[0])
        shown = [page.locator(f"#results tbody tr:nth-child({i + 1}) td").all_text_contents()
                 for i in range(page.locator("#results tbody tr").count())]
        assert [row[0] for row in shown] == [row["code"] for row in expected]
        assert [row[headers.index("evidence")] for row in shown] == \
            [row["evidence"] for row in expected]
        assert "row" in page.text_content("#status")

        with page.expect_download() as download:
            page.click("#download-csv")
        assert Path(download.value.path()).read_bytes().decode("utf-8") == expected_csv


def test_query_page_shows_data_as_text_and_errors_as_messages(browser, base):
    markup = "<img src=x id=pwned onerror=\\\"document.title='pwned'\\\">"
    with watched_page(browser, base) as (page, _):
        page.goto(f"{base}/query")
        page.wait_for_selector("#example[data-loaded='true']", state="attached")
        page.fill("#query", f'SELECT ?x WHERE {{ BIND("{markup}" AS ?x) }}')
        page.click("#run")
        page.wait_for_selector("#results tbody td")
        assert page.text_content("#results tbody td") == markup.replace("\\", "")
        assert page.locator("#pwned").count() == 0
        assert page.title() != "pwned"

        page.fill("#query", "SELECT ?s WHERE { ?s ?p }")
        page.click("#run")
        page.wait_for_selector("#status.error")
        assert "400" in page.text_content("#status")
        assert "malformed query" in page.text_content("#status")


def test_explorer_page_runs_under_its_csp_with_no_outside_request(browser, base):
    with watched_page(browser, base) as (page, _):
        response = page.goto(f"{base}/")
        assert response.status == 200
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        if page.locator("#mynetwork").count():  # graph.explorer.render's page, not the placeholder
            # the page's inline scripts ran (allowed by hash) and drew the state graph; polled
            # with evaluate, since wait_for_function evals in the page and the CSP forbids that
            deadline = time.monotonic() + 30
            while page.evaluate("window.sgReady") is not True:
                assert time.monotonic() < deadline, "the explorer page never got ready"
                time.sleep(0.1)
            assert page.evaluate("nodes.length") > 0
            assert page.locator("#mynetwork canvas").count() == 1
