"""The coding page's HTTP side: ``/code`` and its JSON API, for ``serve`` and ``code``.

Routes (all under ``/code``; the page's script and style come from ``/code/static``, nothing
from elsewhere, and every response carries the server's strict Content-Security-Policy, added
by ``serve``'s middleware or, for ``code``, by :func:`workbench_app`'s):

=========================  =====  ==========================================================
route                      verb   what
=========================  =====  ==========================================================
``/code``                  GET    the page (static HTML; its data comes from the API)
``/code/api/session``      GET    ``?doc=SHA256``: the text, its facts, source, mentions,
                                  proposals, relations and the autosaved draft
``/code/api/text``         POST   ``{"text", "source"}``: a pasted text to code (``serve``)
``/code/api/lookup``       GET    ``?q=&role=actor|target|issue``: type-ahead from the store
``/code/api/draft``        POST   ``?doc=``: autosave the draft (JSON) next to the sources
``/code/api/save``         POST   ``?doc=``: validate and save (200, or 422 with the problems
                                  of each field; nothing written)
=========================  =====  ==========================================================
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from graph.errors import InputError, StanceGraphError, ValidationError
from graph.vocab import SOURCE, relations, short

__all__ = ["Workbench", "workbench_app", "MAX_TEXT_CHARS"]

MAX_TEXT_CHARS = 2_000_000
_MEMORY = ("memory:", "oxigraph:memory")
_DOC = re.compile(r"[0-9a-f]{64}\Z")


class _Headers:
    """ASGI middleware: adds ``headers`` to every response that does not set them already.

    ``stancegraph serve`` adds its security headers itself (graph.server.app); the ``code``
    command's app is given the same ones by its caller, so that this module does not import
    the server's app (which imports this module's routes).
    """

    def __init__(self, app, headers=()):
        self.app = app
        self.headers = tuple(headers)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.datastructures import MutableHeaders

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Workbench:
    """One coding workbench: a store, a folder for source files, and the texts being coded.

    Parameters
    ----------
    store_uri : str
        The store claims are looked up in and saved to. ``memory:`` / ``oxigraph:memory``: the
        bundled seed is built once in this process.
    into : Path
        Folder of the source files written (``<source id>.ttl``), of pasted texts
        (``texts/``) and of autosaved drafts (``.drafts/``).
    text_path : Path, optional
        A text to code (``stancegraph code TEXT_FILE``).
    source_id : str, optional
        Its source id (default: the file's stem).
    """

    def __init__(self, store_uri: str, into: Path, text_path: Path | None = None,
                 source_id: str | None = None):
        self.store_uri = store_uri
        self.into = Path(into)
        self.texts: dict[str, tuple[str, Path | None, str]] = {}
        self.default_doc: str | None = None
        self._lock = threading.RLock()
        self._memory = None
        self._names = None
        self._sessions: dict[str, dict] = {}
        if text_path is not None:
            self.default_doc = self.add_text(_read_text(Path(text_path)),
                                             source_id or _source_id(Path(text_path).stem),
                                             Path(text_path))

    # -- store ---------------------------------------------------------------------------
    def _store(self, *, write: bool = False):
        from graph.store import open_store

        if self.store_uri in _MEMORY:
            if self._memory is None:
                from graph.build import build

                self._memory = open_store(self.store_uri)
                build(self._memory)
            return self._memory, False
        try:
            return open_store(self.store_uri, read_only=not write), True
        except StanceGraphError:
            if write:
                raise
            return None, False

    def names(self) -> list[tuple[str, str, str, str]]:
        """The store's labels (cached until the next save)."""
        from graph.workbench.propose import store_names

        with self._lock:
            if self._names is None:
                store, close = self._store()
                try:
                    self._names = store_names(store)
                finally:
                    if close:
                        store.close()
            return self._names

    # -- texts ---------------------------------------------------------------------------
    def add_text(self, text: str, source_id: str, path: Path | None = None) -> str:
        """Register a text to code; return its document id (SHA-256)."""
        from graph.workbench.save import text_facts

        if len(text) > MAX_TEXT_CHARS:
            raise InputError(f"the text has {len(text):,} characters; at most "
                             f"{MAX_TEXT_CHARS:,}")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", source_id or ""):
            raise InputError(f"source id {source_id!r}: use letters, digits, '.', '_', '-'")
        doc = text_facts(text)["sha256"]
        if path is None:
            path = self.into / "texts" / f"{source_id}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_bytes() != text.encode("utf-8"):
                path.write_bytes(text.encode("utf-8"))
        with self._lock:
            self.texts[doc] = (text, path, source_id)
        return doc

    def _doc(self, doc: str | None) -> tuple[str, tuple]:
        doc = doc or self.default_doc
        if doc is None or not _DOC.match(doc) or doc not in self.texts:
            raise InputError("doc: no such text in this workbench (paste one first)")
        return doc, self.texts[doc]

    def session(self, doc: str | None) -> dict:
        """Everything the page shows for a text (see the module docstring)."""
        from graph.workbench.propose import mentions, propose
        from graph.workbench.save import read_draft_file, text_facts

        doc, (text, path, source_id) = self._doc(doc)
        with self._lock:
            if doc not in self._sessions:
                store, close = self._store()
                try:
                    source = _source_info(store, source_id)
                    date = source.get("date") or None
                    found = mentions(text, store=store, date=date)
                    proposed = propose(text, store=store, date=date)
                finally:
                    if close:
                        store.close()
                labels: dict[str, str] = {}
                for label, node, _, _ in self.names():
                    labels.setdefault(node, label)  # the preferred label comes first
                self._sessions[doc] = {
                    "doc": doc, "text": text, "facts": text_facts(text),
                    "text_path": str(path) if path else None, "source": source,
                    "mentions": [{"start": m.start, "end": m.end, "node": short(m.node),
                                  "label": labels.get(m.node, short(m.node)), "kind": m.kind}
                                 for m in found],
                    "proposals": [{"id": f"p{i}", "actor": short(p.actor),
                                   "relation": p.relation, "target": short(p.target),
                                   "evidence": p.evidence, "start": p.start, "end": p.end,
                                   "cue": p.cue, "cameo": p.cameo}
                                  for i, p in enumerate(proposed, 1)],
                    "relations": [{"name": r.name, "label": r.label}
                                  for r in relations().values()],
                }
            result = dict(self._sessions[doc])
        result["draft"] = read_draft_file(self.into, doc)
        return result

    def lookup(self, query: str, role: str, limit: int = 20) -> list[dict]:
        """Type-ahead: nodes whose label, code or id contains ``query`` (case-insensitive)."""
        query = query.strip().casefold()
        kinds = {"actor": {"actor"}, "target": {"actor", "target"}, "issue": {"target"}}
        wanted = kinds.get(role, {"actor", "target"})
        found: dict[str, dict] = {}
        for label, node, kind, cls in self.names():
            if kind not in wanted or (role == "issue" and cls != "Issue"):
                continue
            name = short(node)
            if query and query not in label.casefold() and query not in name.casefold():
                continue
            found.setdefault(name, {"id": name, "label": label, "type": cls})
        ranked = sorted(found.values(), key=lambda r: (
            not r["label"].casefold().startswith(query), r["label"].casefold()))
        return ranked[:limit]

    def autosave(self, doc: str | None, draft: dict) -> str:
        """Write the draft of a text; return its path."""
        from graph.workbench.save import write_draft_file

        doc, _ = self._doc(doc)
        return str(write_draft_file(self.into, doc, draft))

    def save(self, doc: str | None, draft: dict):
        """Validate and save the draft's accepted claims (see :func:`save_draft`)."""
        from graph.workbench.save import save_draft, write_draft_file

        doc, (text, path, _) = self._doc(doc)
        with self._lock:
            store, close = self._store(write=True)
            try:
                report = save_draft(store, draft, text, self.into, texts=path)
            finally:
                if close:
                    store.close()
            self._names = None
        write_draft_file(self.into, doc, draft)
        return report


def _read_text(path: Path) -> str:
    try:
        # Bytes, not read_text(): universal newlines would change offsets and the SHA-256.
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from exc


def _source_id(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._") or "article"


def _source_info(store, source_id: str) -> dict:
    info = {"id": source_id, "title": "", "creator": "", "publisher": "", "date": "", "url": ""}
    if store is None:
        return info
    rows = store.query(f"""
        SELECT ?title ?creator ?publisher ?date ?url WHERE {{
          <{SOURCE[source_id]}> a sg:Source
          OPTIONAL {{ <{SOURCE[source_id]}> dcterms:title ?title }}
          OPTIONAL {{ <{SOURCE[source_id]}> dcterms:creator ?creator }}
          OPTIONAL {{ <{SOURCE[source_id]}> dcterms:publisher ?publisher }}
          OPTIONAL {{ <{SOURCE[source_id]}> dcterms:issued ?date }}
          OPTIONAL {{ <{SOURCE[source_id]}> sg:url ?url }} }} LIMIT 1""")
    for row in rows:
        for key, value in zip(("title", "creator", "publisher", "date", "url"), row,
                              strict=True):
            if value is not None:
                info[key] = str(value)
    return info


# ------------------------------------------------------------------------------ HTTP


def _json(data, status: int = 200):
    from starlette.responses import JSONResponse

    return JSONResponse(data, status_code=status)


async def _body(request, limit: int = 4 * MAX_TEXT_CHARS) -> dict:
    raw = await request.body()
    if len(raw) > limit:
        raise InputError("request too large")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"the request body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError("the request body must be a JSON object")
    return data


def _endpoint(handler):
    async def endpoint(request):
        from starlette.concurrency import run_in_threadpool

        workbench = request.app.state.workbench
        try:
            return await handler(request, workbench, run_in_threadpool)
        except ValidationError as exc:
            problems = [p.as_dict() for p in getattr(exc, "field_problems", [])] or [
                {"item": "file", "field": "-", "message": line} for line in exc.problems]
            return _json({"saved": False, "problems": problems}, 422)
        except InputError as exc:
            return _json({"error": str(exc)}, 400)
        except StanceGraphError as exc:
            return _json({"error": str(exc)}, 500)

    return endpoint


async def _page(request, workbench, run):
    from importlib import resources

    from starlette.responses import HTMLResponse

    html = (resources.files("graph.workbench") / "assets" / "code.html").read_text("utf-8")
    return HTMLResponse(html)


async def _session(request, workbench, run):
    return _json(await run(workbench.session, request.query_params.get("doc")))


async def _text(request, workbench, run):
    data = await _body(request)
    text, source = data.get("text"), data.get("source")
    if not isinstance(text, str) or not text.strip():
        raise InputError("text: paste the article's text")
    doc = await run(workbench.add_text, text, str(source or ""))
    return _json({"doc": doc})


async def _lookup(request, workbench, run):
    params = request.query_params
    return _json(await run(workbench.lookup, params.get("q", "")[:200],
                           params.get("role", "")))


async def _draft(request, workbench, run):
    data = await _body(request)
    path = await run(workbench.autosave, request.query_params.get("doc"), data)
    return _json({"saved": True, "path": path})


async def _save(request, workbench, run):
    data = await _body(request)
    report = await run(workbench.save, request.query_params.get("doc"), data)
    return _json({"saved": True, "path": report.path, "graph": report.graph,
                  "claims": report.claims, "triples": report.triples})


def routes(workbench: Workbench | None = None) -> list:
    """The workbench's routes, to add to an app whose ``state.workbench`` is a Workbench."""
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    return [
        Route("/code", _endpoint(_page), name="code_page"),
        Route("/code/api/session", _endpoint(_session), name="code_session"),
        Route("/code/api/text", _endpoint(_text), methods=["POST"], name="code_text"),
        Route("/code/api/lookup", _endpoint(_lookup), name="code_lookup"),
        Route("/code/api/draft", _endpoint(_draft), methods=["POST"], name="code_draft"),
        Route("/code/api/save", _endpoint(_save), methods=["POST"], name="code_save"),
        Mount("/code/static", app=StaticFiles(packages=[("graph.workbench", "assets")]),
              name="code_static"),
    ]


def workbench_app(workbench: Workbench, headers=()):
    """A Starlette app serving only the workbench (``stancegraph code``).

    ``headers``: ``(name, value)`` pairs added to every response, the server's security headers
    (``graph.server.app.SECURITY_HEADERS``, with its strict Content-Security-Policy).
    """
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import RedirectResponse
    from starlette.routing import Route

    async def home(request):
        return RedirectResponse("/code")

    app = Starlette(routes=[Route("/", home), *routes(workbench)],
                    middleware=[Middleware(_Headers, headers=headers)])
    app.state.workbench = workbench
    return app
