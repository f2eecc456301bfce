"""Saving a coding session: validation as in build, all or nothing; drafts; the HTTP API."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time

import httpx
import pytest

from graph.build import build
from graph.errors import InputError, ValidationError
from graph.server.app import SECURITY_HEADERS
from graph.store import open_store
from graph.workbench.save import read_draft_file, save_draft, text_facts, write_draft_file
from graph.workbench.server import Workbench, workbench_app

TEXT = "Seoul\r\nSouth Korea criticized North Korea on Monday. 😀 Japan agreed.\n"
START = TEXT.index("South Korea criticized")


@contextlib.contextmanager
def serving(app):
    """The ``code`` command's app under uvicorn in a thread, on a free loopback port."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def draft(**claim):
    base = {"id": "t-c01", "actor": "state:KOR", "relation": "criticizes",
            "target": "state:PRK", "evidence": "South Korea criticized North Korea",
            "start": START, "end": START + 34, "status": "accepted"}
    base.update(claim)
    return {"source": {"id": "t-2021", "title": "A <b>test</b>", "date": "2021-03-03"},
            "coder": "Ann Example", "claims": [base], "entities": []}


@pytest.fixture
def store(tmp_path):
    uri = f"oxigraph:{tmp_path / 'store'}"
    handle = open_store(uri)
    build(handle)
    yield handle
    handle.close()


def test_a_valid_draft_is_written_to_the_file_and_the_store(store, tmp_path):
    into = tmp_path / "coded"
    report = save_draft(store, draft(), TEXT, into)
    path = into / "t-2021.ttl"
    assert report.path == str(path) and report.claims == 1
    turtle = path.read_text(encoding="utf-8")
    assert "prov:wasAttributedTo coder:ann-example" in turtle
    assert f'sg:textSha256 "{text_facts(TEXT)["sha256"]}"' in turtle
    rows = store.select_rows("SELECT ?e ?s WHERE { claim:t-c01 sg:evidence ?e ; "
                             "sg:evidenceStart ?s ; prov:wasAttributedTo "
                             "<https://stancegraph.org/id/coder/ann-example> }")
    assert rows == [{"e": "South Korea criticized North Korea", "s": START}]
    # The direct edge and the roll-up are derived as build derives them.
    assert store.select_rows("SELECT ?x WHERE { state:KOR sg:criticizes ?x }") != []
    # The file passes build with the text (the offset check runs: one text checked).
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "t.txt").write_bytes(TEXT.encode("utf-8"))
    assert build(open_store("memory:"), [into], texts=[texts]).texts_checked >= 1


@pytest.mark.parametrize(("claim", "field", "message"), [
    ({"actor": "person:nobody"}, "actor", "not declared"),
    ({"relation": "likes"}, "relation", "one of"),
    ({"target": ""}, "target", "required"),
    ({"date": "2021-02-30"}, "date", "not a date"),
    ({"valid_from": "2021-03-01", "valid_until": "2020-01-01"}, "valid_until", "before"),
    ({"confidence": "2"}, "confidence", "0 to 1"),
    ({"start": START + 1}, "evidence", "not the quoted evidence"),
    ({"target": "state:KOR"}, "target", "self-tie"),  # found by the build's validation
])
def test_an_invalid_claim_names_its_field_and_nothing_is_written(store, tmp_path, claim,
                                                                 field, message):
    into = tmp_path / "coded"
    before = store.count_triples()
    with pytest.raises(ValidationError) as caught:
        save_draft(store, draft(**claim), TEXT, into)
    problems = caught.value.field_problems
    assert any(p.item == "t-c01" and p.field == field and message in p.message
               for p in problems), problems
    assert not (into / "t-2021.ttl").exists()
    assert store.count_triples() == before


def test_new_entities_are_declared_inline(store, tmp_path):
    data = draft(actor="person:jane-roe", target="issue:new-issue")
    data["entities"] = [
        {"id": "person:jane-roe", "type": "Person", "label": "Jane Roe",
         "represents": "state:KOR"},
        {"id": "issue:new-issue", "type": "Issue", "label": "A new issue"},
    ]
    save_draft(store, data, TEXT, tmp_path)
    rows = store.select_rows("SELECT ?l WHERE { person:jane-roe a sg:Person ; rdfs:label ?l }")
    assert [r["l"] for r in rows] == ["Jane Roe"]
    data["entities"][0]["label"] = ""
    with pytest.raises(ValidationError) as caught:
        save_draft(store, data, TEXT, tmp_path)
    assert [(p.item, p.field) for p in caught.value.field_problems] == \
        [("person:jane-roe", "label")]


def test_a_state_the_store_lacks_is_declared_from_its_iso_code(store, tmp_path):
    save_draft(store, draft(target="state:FRA"), TEXT, tmp_path)
    rows = store.select_rows("SELECT ?code WHERE { state:FRA a sg:State ; sg:isoCode ?code }")
    assert [r["code"] for r in rows] == ["FRA"]
    with pytest.raises(ValidationError) as caught:
        save_draft(store, draft(target="state:XXZ"), TEXT, tmp_path)
    assert [(p.field, "not declared" in p.message) for p in caught.value.field_problems] == \
        [("target", True)]


def test_drafts_are_written_atomically_and_never_replaced_by_older_ones(tmp_path):
    doc = text_facts(TEXT)["sha256"]
    write_draft_file(tmp_path, doc, {"claims": [1], "updated": "2021-01-02T00:00:00Z"})
    write_draft_file(tmp_path, doc, {"claims": [], "updated": "2021-01-01T00:00:00Z"})
    assert read_draft_file(tmp_path, doc)["claims"] == [1]
    assert list((tmp_path / ".drafts").iterdir()) == [tmp_path / ".drafts" / f"{doc}.json"]
    with pytest.raises(InputError, match="not a SHA-256"):
        write_draft_file(tmp_path, "../../etc/passwd", {})
    (tmp_path / ".drafts" / f"{doc}.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable draft"):
        read_draft_file(tmp_path, doc)


def test_the_api_of_the_code_command(tmp_path):
    uri = f"oxigraph:{tmp_path / 'store'}"
    writer = open_store(uri)
    build(writer)
    writer.close()
    text_path = tmp_path / "article.txt"
    text_path.write_bytes(TEXT.encode("utf-8"))
    workbench = Workbench(uri, tmp_path / "coded", text_path, "t-2021")
    app = workbench_app(workbench, SECURITY_HEADERS)
    with serving(app) as url, httpx.Client(base_url=url) as client:
        page = client.get("/code")
        assert page.status_code == 200 and "default-src 'self'" in \
            page.headers["content-security-policy"]
        assert "<script src=\"/code/static/code.js\"" in page.text
        session = client.get("/code/api/session").json()
        assert session["text"] == TEXT and session["facts"]["length"] == len(TEXT)
        assert ("state:KOR", "criticizes", "state:PRK") in {
            (p["actor"], p["relation"], p["target"]) for p in session["proposals"]}
        for p in session["proposals"]:
            assert TEXT[p["start"]:p["end"]] == p["evidence"]
        found = client.get("/code/api/lookup", params={"q": "kor", "role": "actor"}).json()
        assert {"id": "state:KOR", "label": "South Korea", "type": "State"} in found
        issues = client.get("/code/api/lookup", params={"q": "human", "role": "issue"}).json()
        assert issues and all(row["type"] == "Issue" for row in issues)
        doc = session["doc"]
        bad = client.post(f"/code/api/save?doc={doc}", json=draft(relation="likes"))
        assert bad.status_code == 422
        assert {"item": "t-c01", "field": "relation"}.items() <= bad.json()["problems"][0].items()
        good = client.post(f"/code/api/save?doc={doc}", json=draft())
        assert good.status_code == 200 and good.json()["claims"] == 1
        assert client.post(f"/code/api/draft?doc={doc}", content=b"{nope").status_code == 400
        assert client.get("/code/api/session", params={"doc": "f" * 64}).status_code == 400
        pasted = client.post("/code/api/text", json={"text": "Japan agreed.",
                                                     "source": "../evil"})
        assert pasted.status_code == 400 and "source id" in pasted.json()["error"]
    saved = json.loads((tmp_path / "coded" / ".drafts" / f"{doc}.json").read_text())
    assert saved["claims"][0]["id"] == "t-c01"
