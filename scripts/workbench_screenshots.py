"""Screenshots of the coding page for the README (docs/screenshots/coding*.png).

    .venv/bin/python scripts/workbench_screenshots.py

Codes a short sample text written for this purpose (below: the seed article is not copied into
the project, not even as a picture) in a throw-away folder, with the bundled seed built in
memory, in Debian's headless Chromium: a span selected with the mouse and the claim editor open
(coding.png), then a proposal accepted and the source saved (coding-saved.png). Nothing is
written outside a temporary folder but the two images.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
#: A sample written for the screenshots (invented events).
SAMPLE = (
    "Allies weigh their answer to another launch\n\n"
    "Seoul, April 2 (a sample text written for the stancegraph README)\n\n"
    "North Korea fired a ballistic missile into the sea on Thursday. South Korea condemned North "
    "Korea within the hour, and Japan protested through diplomatic channels.\n\n"
    "The United States and Japan urged China to enforce the sanctions it has signed. Officials "
    "in Seoul refrained from criticizing Beijing, which they still count on as a partner.\n\n"
    "Russia rejected the statement, and China called on all sides to show restraint.\n"
)


def main() -> int:
    """Take the screenshots; return the exit code."""
    import uvicorn
    from playwright.sync_api import expect, sync_playwright
    from test_workbench_browser import CHROMIUM_ARGS, select_with_mouse

    from graph.server.app import SECURITY_HEADERS
    from graph.workbench.server import Workbench, workbench_app

    with tempfile.TemporaryDirectory() as folder:
        text_path = Path(folder) / "sample-2021-04-02.txt"
        text_path.write_bytes(SAMPLE.encode("utf-8"))
        workbench = Workbench("oxigraph:memory", Path(folder), text_path, "sample-2021-04-02")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        app = workbench_app(workbench, SECURITY_HEADERS)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                     args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 760})
                page.goto(f"{url}/code")
                page.wait_for_selector("#text mark.mention", timeout=120000)
                page.fill("#source-form input[name=title]",
                          "Allies weigh their answer to another launch")
                page.fill("#source-form input[name=date]", "2021-04-02")
                page.fill("#source-form input[name=coder]", "Alice")
                select_with_mouse(page, "Japan protested through diplomatic channels")
                page.wait_for_selector("#editor:not([hidden])")
                page.fill("#claim-form input[name=actor]", "state:JPN")
                page.select_option("#relation", "criticizes")
                page.fill("#claim-form input[name=target]", "state:PRK")
                OUT.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(OUT / "coding.png"))
                page.press("#claim-form input[name=target]", "Enter")
                page.focus("#proposal-list")
                page.keyboard.press("a")
                page.keyboard.press("a")
                page.click("#save")
                expect(page.locator("#status")).to_contain_text("Saved", timeout=120000)
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(OUT / "coding-saved.png"))
                browser.close()
        finally:
            server.should_exit = True
            thread.join(30)
    print(f"wrote {OUT / 'coding.png'} and {OUT / 'coding-saved.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
