"""The server's pages: the explorer rendered at start-up, the query page, and their CSP."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from importlib import resources

__all__ = [
    "PLACEHOLDER_PAGE",
    "page_csp",
    "explorer_page",
    "named_query_catalogue",
    "static_text",
    "explorer",
    "query_page",
    "query_catalogue",
    "favicon",
]

log = logging.getLogger("stancegraph.server.app")

_INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)

PLACEHOLDER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stancegraph</title>
<link rel="icon" href="/favicon.ico"><link rel="stylesheet" href="/static/query.css"></head>
<body><main><h1>stancegraph</h1>
<p>The explorer page is not available in this version.
Use the <a href="/query">query page</a> or the <a href="/sparql">SPARQL endpoint</a>.</p>
</main></body></html>
"""


def page_csp(html: str) -> str:
    """A Content-Security-Policy for a generated page: its own inline scripts by hash, no others."""
    hashes = []
    for attributes, body in _INLINE_SCRIPT.findall(html):
        if re.search(r"\bsrc\s*=", attributes, re.I):
            continue
        if re.search(r"type\s*=\s*[\"']?application/(ld\+)?json", attributes, re.I):
            continue  # data blocks are never executed
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    scripts = " ".join(["'self'", *dict.fromkeys(hashes)])
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    )


def explorer_page(store) -> str:
    """The explorer page of the state view, or a placeholder if it cannot be rendered."""
    from graph.explorer.render import ViewOptions, render_page

    try:
        return render_page(store, ViewOptions(view="states"))
    except Exception as exc:
        log.warning("the explorer page could not be rendered (%s: %s); '/' serves a placeholder",
                    type(exc).__name__, exc)
        return PLACEHOLDER_PAGE


def _example_params(example: str) -> dict[str, str]:
    return dict(re.findall(r"--param\s+([A-Za-z_]\w*)=(\S+)", example))


def named_query_catalogue() -> list[dict]:
    """The named queries with their text and parameters (and example values) as JSON data."""
    from graph.store.query import named_queries

    catalogue = []
    for query in named_queries().values():
        examples = _example_params(query.example)
        catalogue.append({
            "name": query.name,
            "description": query.description,
            "text": query.text,
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "help": p.help,
                    "optional": p.optional,
                    "example": examples.get(p.name, ""),
                }
                for p in query.parameters
            ],
        })
    return catalogue


def static_text(name: str) -> str:
    """A file of the package's ``static`` folder as text."""
    return (resources.files("graph.server") / "static" / name).read_text(encoding="utf-8")



async def query_catalogue(request):
    """The named queries with their text and parameters (JSON)."""
    from starlette.responses import JSONResponse

    return JSONResponse(request.app.state.stancegraph.catalogue)


async def explorer(request):
    """The explorer page, rendered once at start-up."""
    from starlette.responses import HTMLResponse

    state = request.app.state.stancegraph
    return HTMLResponse(state.explorer_html,
                        headers={"content-security-policy": state.explorer_csp})


async def query_page(request):
    """The query page (all of its assets come from /static)."""
    from starlette.responses import HTMLResponse

    return HTMLResponse(request.app.state.stancegraph.query_html)


async def favicon(request):
    """The icon, so that browsers do not log a 404."""
    from starlette.responses import Response

    return Response(static_text("favicon.svg"), media_type="image/svg+xml")
