"""Take the README's explorer screenshots (docs/screenshots/) in Debian's Chromium.

Builds the bundled seed into an in-memory store (with the seed article folder when present),
renders the demo pages and photographs them with Playwright:

- ``states.png``: the demo page (``render --view states --color clusters``): the camps, KOR
  ringed as the swing state, the evidence note beside the camps;
- ``gaps.png``: the gaps view (``render --view gaps``) with its time slider;
- ``claims.png``: the claims view.

Usage: ``.venv/bin/python scripts/explorer_screenshots.py [OUT_FOLDER]``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 860}
PAGES = {
    "states": {"view": "states", "color": "clusters"},
    "gaps": {"view": "gaps"},
    "claims": {"view": "claims"},
}


def main(out: Path) -> None:
    """Render each page of :data:`PAGES` and save its screenshot in ``out``."""
    from playwright.sync_api import sync_playwright

    from graph.build import build
    from graph.explorer.render import render
    from graph.store import open_store

    seeds = ROOT.parent / "shared" / "seeds"
    store = open_store("memory:")
    build(store, texts=[seeds] if seeds.is_dir() else [])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        for name, options in PAGES.items():
            report = render(store, Path(folder) / f"{name}.html", **options)
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(report.path.as_uri())
            page.wait_for_function("window.sgReady === true", timeout=30_000)
            page.screenshot(path=str(out / f"{name}.png"))
            page.close()
            print(out / f"{name}.png", f"({report.nodes} nodes, {report.edges} edges "
                  f"as of {report.as_of})")
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
