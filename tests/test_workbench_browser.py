"""The coding page in headless Chromium (Debian's), served by ``stancegraph serve`` at /code.

A claim is coded end to end by selecting text with the mouse, saved, found after a reload in
the draft, in the store (validated) and in the source file; a proposal is accepted with the
keyboard; markup in the text stays text; an invalid entry is shown next to its field.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from stores import serving  # the one uvicorn-in-a-thread runner

from graph.build import build
from graph.server.app import create_app
from graph.store import open_store
from graph.vocab import SOURCE as SOURCE_NS
from graph.workbench.server import Workbench

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
PAYLOAD = "<img src=x onerror=window.__pwned=1>"
TEXT = (
    "Seoul, March 3\n\n"
    "South Korea criticized North Korea on Monday after the launch. "
    f"A slogan read {PAYLOAD} on a banner near the border.\n"
    "The United States and Japan condemned North Korea for the test.\n"
)
SOURCE = "wb-test-2021-03-03"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("workbench")
    uri = f"oxigraph:{root / 'store'}"
    writer = open_store(uri)
    build(writer)
    writer.close()
    texts = root / "texts"
    texts.mkdir()
    text_path = texts / "article.txt"
    text_path.write_bytes(TEXT.encode("utf-8"))
    into = root / "coded"
    workbench = Workbench(uri, into, text_path, SOURCE)
    app = create_app(uri, query_timeout=10.0, workers=1, workbench=workbench)
    with serving(app) as url:
        yield {"url": url, "uri": uri, "into": into, "texts": texts, "root": root}


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
    """A fresh page (own storage) that records requests and script errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    seen = {"requests": [], "problems": []}
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("pageerror", lambda error: seen["problems"].append(str(error)))
    page.on("console", lambda message: seen["problems"].append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None)
    try:
        yield page, seen
    finally:
        context.close()
    outside = [u for u in seen["requests"] if not u.startswith((base + "/", "data:"))]
    assert outside == [], "requests outside the server's origin"
    assert seen["problems"] == []


SELECT_JS = """
(fragment) => {
  const box = document.getElementById("text");
  const at = box.textContent.indexOf(fragment);
  if (at < 0) return null;
  function locate(pos, after) {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    let node, seen = 0;
    while ((node = walker.nextNode())) {
      if (after ? seen + node.length >= pos : seen + node.length > pos) return [node, pos - seen];
      seen += node.length;
    }
  }
  const [sn, so] = locate(at, false), [en, eo] = locate(at + fragment.length, true);
  const first = document.createRange(); first.setStart(sn, so); first.setEnd(sn, so + 1);
  // Scroll the text panel so that the fragment is in view, as a coder would.
  const shown = box.getBoundingClientRect(), place = first.getBoundingClientRect();
  box.scrollTop += place.top - shown.top - box.clientHeight / 3;
  const last = document.createRange(); last.setStart(en, eo - 1); last.setEnd(en, eo);
  const a = first.getBoundingClientRect(), b = last.getBoundingClientRect();
  return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
}
"""


def select_with_mouse(page, fragment: str) -> None:
    """Drag the mouse over ``fragment`` of the text, as a coder would."""
    page.locator("#text").scroll_into_view_if_needed()
    box = page.evaluate(SELECT_JS, fragment)
    assert box is not None, fragment
    x1, y1, x2, y2 = box
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move((x1 + x2) / 2, (y1 + y2) / 2, steps=4)
    page.mouse.move(x2, y2, steps=4)
    page.mouse.up()


def open_page(page, url: str, query: str = "") -> None:
    page.goto(f"{url}/code{query}")
    page.wait_for_selector("#work:not([hidden])")
    page.wait_for_selector("#text mark.mention")


def fill_source(page, title="Test article", coder="Alice Coder") -> None:
    page.fill("#source-form input[name=title]", title)
    page.fill("#source-form input[name=date]", "2021-03-03")
    page.fill("#source-form input[name=coder]", coder)


def stored_claims(uri: str) -> list[dict]:
    store = open_store(uri, read_only=True)
    try:
        return store.select_rows(
            "SELECT ?source ?claim ?actor ?relation ?target ?evidence ?start ?coder WHERE { "
            "?claim a sg:Claim ; prov:wasDerivedFrom ?source ; sg:actor ?actor ; "
            "sg:relation ?relation ; sg:target ?target ; prov:wasAttributedTo ?coder . "
            "OPTIONAL { ?claim sg:evidence ?evidence ; sg:evidenceStart ?start } "
            "FILTER NOT EXISTS { ?claim sg:mode sg:Derived } }",
            {"source": SOURCE_NS[SOURCE]})
    finally:
        store.close()


def test_a_claim_coded_by_mouse_selection_is_saved_validated_and_survives_a_reload(browser,
                                                                                    site):
    fragment = "South Korea criticized North Korea"
    with watched_page(browser, site["url"]) as (page, _):
        open_page(page, site["url"])
        fill_source(page)
        select_with_mouse(page, fragment)
        page.wait_for_selector("#editor:not([hidden])")
        assert page.text_content("#ed-evidence") == fragment
        start = int(page.text_content("#ed-start"))
        assert TEXT[start:start + len(fragment)] == fragment
        assert int(page.text_content("#ed-end")) == start + len(fragment)
        page.fill("#claim-form input[name=actor]", "state:KOR")
        page.select_option("#relation", "criticizes")
        page.fill("#claim-form input[name=target]", "state:PRK")
        page.press("#claim-form input[name=target]", "Enter")
        page.wait_for_selector("#claim-list li[data-claim]")
        page.click("#save")
        expect(page.locator("#status")).to_have_text(re.compile("^Saved"), timeout=60000)
        page.reload()
        page.wait_for_selector("#claim-list li.saved")
        assert fragment in page.text_content("#claim-list")

    path = site["into"] / f"{SOURCE}.ttl"
    turtle = path.read_text(encoding="utf-8")
    assert f'"{fragment}"' in turtle and "prov:wasAttributedTo coder:alice-coder" in turtle
    rows = [r for r in stored_claims(site["uri"]) if r["evidence"] == fragment]
    assert len(rows) == 1
    assert rows[0]["actor"].endswith("/state/KOR") and rows[0]["relation"].endswith("criticizes")
    assert rows[0]["start"] == start and rows[0]["coder"].endswith("/coder/alice-coder")
    # The file passes the build's own validation (shapes and offsets against the text).
    fresh = open_store("memory:")
    report = build(fresh, [site["into"]], texts=[site["texts"]])
    assert report.texts_checked >= 1


def test_a_proposal_is_accepted_with_the_keyboard_on_a_pasted_text(browser, site):
    text = "The United States and Japan condemned North Korea for the missile test.\n"
    with watched_page(browser, site["url"]) as (page, _):
        page.goto(f"{site['url']}/code?doc=" + "0" * 64)
        page.wait_for_selector("#paste:not([hidden])")
        page.fill("#paste-source", "wb-pasted-2021")
        page.fill("#paste-text", text)
        page.click("#paste-go")
        page.wait_for_selector("#work:not([hidden])")
        page.wait_for_selector("#proposal-list li")
        triples = page.locator("#proposal-list .triple").all_text_contents()
        assert "state:USA criticizes state:PRK" in triples
        fill_source(page, title="Pasted article", coder="Bob")
        page.focus("#proposal-list")
        index = triples.index("state:USA criticizes state:PRK")
        for _ in range(index):
            page.keyboard.press("j")
        page.keyboard.press("a")
        page.wait_for_selector("#proposal-list li.accepted")
        assert page.locator("#claim-list .triple").all_text_contents() == \
            ["state:USA criticizes state:PRK"]
        page.click("#save")
        expect(page.locator("#status")).to_have_text(re.compile("^Saved"), timeout=60000)
    turtle = (site["into"] / "wb-pasted-2021.ttl").read_text(encoding="utf-8")
    assert "sg:criticizes" in turtle and "coder:bob" in turtle
    assert (site["into"] / "texts" / "wb-pasted-2021.txt").read_bytes() == text.encode()


def test_markup_in_the_text_stays_text(browser, site):
    with watched_page(browser, site["url"]) as (page, _):
        open_page(page, site["url"])
        assert PAYLOAD in page.text_content("#text")
        assert page.locator("#text img, img").count() == 0
        assert page.evaluate("window.__pwned") is None
        select_with_mouse(page, f"read {PAYLOAD} on")
        page.wait_for_selector("#editor:not([hidden])")
        assert page.text_content("#ed-evidence") == f"read {PAYLOAD} on"
        assert page.locator("img").count() == 0
        assert page.evaluate("window.__pwned") is None


def test_an_invalid_entry_is_shown_next_to_its_field_and_nothing_is_written(browser, site):
    before = stored_claims(site["uri"])
    target = site["into"] / f"{SOURCE}.ttl"
    saved = target.read_bytes() if target.exists() else None
    with watched_page(browser, site["url"]) as (page, _):
        open_page(page, site["url"])
        fill_source(page)
        select_with_mouse(page, "The United States and Japan condemned")
        page.wait_for_selector("#editor:not([hidden])")
        page.fill("#claim-form input[name=actor]", "state:USA")
        page.select_option("#relation", "criticizes")
        page.fill("#claim-form input[name=target]", "person:nobody-known")
        page.press("#claim-form input[name=target]", "Enter")
        page.click("#save")
        expect(page.locator("#status")).to_have_text(re.compile("^Not saved"), timeout=60000)
        item = page.locator("#claim-list li.invalid")
        assert "target" in item.text_content()
        item.locator("button", has_text="edit").click()
        message = page.text_content("#editor .err[data-field=target]")
        assert "not declared" in message
        # The draft survives a reload (autosave), problems and all fixed later.
        page.reload()
        page.wait_for_selector("#claim-list li[data-claim]")
        assert "person:nobody-known" in page.text_content("#claim-list")
    assert stored_claims(site["uri"]) == before
    assert (target.read_bytes() if target.exists() else None) == saved
    drafts = list((site["into"] / ".drafts").glob("*.json"))
    assert any("person:nobody-known" in json.dumps(json.loads(p.read_text())) for p in drafts)
