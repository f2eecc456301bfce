"""The explorer at scale: ``stancegraph render`` on a 10% slice of the UN votes (every tenth roll
call, ~87,000 votes) gives a page that opens in headless Chromium, by aggregating: state level,
within the node budget, with what was left out said on the page.

Needs ../shared/data/unvotes (skipped without it) and Debian's Chromium. Times are not asserted.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import cli

pytestmark = [pytest.mark.slow, pytest.mark.browser]

UNVOTES = Path(__file__).resolve().parents[2] / "shared" / "data" / "unvotes"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

if not (UNVOTES / "un_votes.csv").is_file():
    pytest.skip(f"{UNVOTES} is absent", allow_module_level=True)
if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"{CHROMIUM} is missing (scripts/test-prerequisites.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright (Python) is missing")


def ten_percent(folder: Path) -> Path:
    """Every tenth roll call (by rcid) with its votes and issues, in the importer's layout."""
    folder.mkdir(parents=True, exist_ok=True)
    with (UNVOTES / "un_roll_calls.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    keep = {r[0] for r in sorted(rows[1:], key=lambda r: int(r[0]))[::10]}
    for name in ("un_roll_calls.csv", "un_votes.csv", "un_roll_call_issues.csv"):
        with (UNVOTES / name).open(newline="", encoding="utf-8") as source, \
                (folder / name).open("w", newline="", encoding="utf-8") as target:
            reader, writer = csv.reader(source), csv.writer(target)
            writer.writerow(next(reader))
            writer.writerows(row for row in reader if row[0] in keep)
    return folder


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The page ``stancegraph render`` writes for the seed plus the 10% slice."""
    from graph.build import build
    from graph.sources.runner import run_import
    from graph.store import open_store

    root = tmp_path_factory.mktemp("render-scale")
    uri = f"oxigraph:{root / 'store'}"
    store = open_store(uri)
    build(store)
    reports = run_import(store, "unvotes", [ten_percent(root / "unvotes-10pct")])
    assert sum(r.claims for r in reports) > 50_000
    store.close()
    path = root / "un.html"
    result = CliRunner().invoke(cli, ["render", "-o", str(path), "--store", uri])
    assert result.exit_code == 0, result.output
    return path, result.output + (result.stderr if result.stderr_bytes else "")


def test_the_page_opens_in_chromium_aggregated(page):
    path, said = page
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            tab = context.new_page()
            errors, outside = [], []
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.on("console", lambda m: m.type == "error" and errors.append(m.text))

            def route(request_route):
                url = request_route.request.url
                if url.startswith(("file://", "data:")):
                    request_route.continue_()
                else:
                    outside.append(url)
                    request_route.abort()

            context.route("**/*", route)
            tab.goto(path.as_uri())
            # Generous: the test proves the page settles, not how fast (times are benched).
            tab.wait_for_function("window.sgReady === true", timeout=120_000)
            nodes, edges = tab.evaluate("[nodes.length, edges.length]")
            notes = tab.evaluate(
                "Array.from(document.querySelectorAll('.sg-left-out')).map(e => e.innerText)")
        finally:
            browser.close()
    assert errors == [] and outside == []
    assert 0 < nodes <= 500 and edges > 0  # within the default node budget
    # What was left out (or aggregated) is said on the page.
    assert notes, f"no note of what was left out; render said: {said}"
