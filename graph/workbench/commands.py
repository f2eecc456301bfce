"""What the workbench's commands do (``propose``, ``code``, ``agreement``), kept out of cli.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from graph.errors import InputError, StanceGraphError
from graph.vocab import SOURCE

__all__ = ["propose_rows", "serve_workbench", "agreement_report", "read_text"]


def read_text(path: Path) -> str:
    """A source text as Python indexes it for offsets: the UTF-8 bytes decoded, newlines kept."""
    from graph.workbench.server import _read_text

    return _read_text(Path(path))


def _open(store_uri: str | None):
    from graph.settings import store_uri as resolve
    from graph.store import open_store

    try:
        return open_store(resolve(store_uri), read_only=True)
    except StanceGraphError:
        return None  # no store yet: the bundled entities give the labels


def propose_rows(text_file: Path, source_id: str, *, date: str | None = None,
                 store_uri: str | None = None) -> list[dict[str, str]]:
    """``stancegraph propose``: the proposals for a text file as spreadsheet rows."""
    from graph.workbench.propose import proposal_rows, propose, source_date

    if date is not None:
        from graph.dates import parse_date

        date = parse_date(date, what="--date")
    source_id = source_id.removeprefix("source:")
    text = read_text(text_file)
    store = _open(store_uri)
    try:
        date = date or source_date(store, SOURCE[source_id])
        proposals = propose(text, store=store, date=date)
    finally:
        if store is not None:
            store.close()
    return proposal_rows(proposals, source_id, date=date)


def serve_workbench(text_file: Path, source_id: str | None, into: Path, store_uri: str, *,
                    host: str = "127.0.0.1", port: int = 8001, browser: bool = True,
                    say: Callable[[str], None] = print) -> None:
    """``stancegraph code``: serve the coding page for one text until interrupted."""
    import threading
    import webbrowser

    import uvicorn

    from graph.server.app import SECURITY_HEADERS
    from graph.workbench.server import Workbench, workbench_app

    workbench = Workbench(store_uri, into, Path(text_file), source_id)
    app = workbench_app(workbench, SECURITY_HEADERS)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            server_header=False)
    server = uvicorn.Server(config)
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/code"
    say(f"stancegraph: coding {text_file} at {url} (saving into {into}); Ctrl-C to stop")
    if browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    server.run()


def agreement_report(file_a: Path, file_b: Path, merge_out: Path | None, prefer: str,
                     choices: Sequence[str]):
    """``stancegraph agreement``: (alpha per variable, disagreements, units merged or None)."""
    from graph.workbench.agreement import agreement, merge, read_coding

    a, b = read_coding(file_a), read_coding(file_b)
    summary, table = agreement(a, b)
    merged = None
    if merge_out is not None:
        chosen = {}
        for choice in choices:
            unit, sep, side = choice.partition("=")
            if not sep or side not in ("a", "b"):
                raise InputError(f"--choose {choice!r}: use UNIT=a or UNIT=b (e.g. 946..997=b)")
            chosen[unit] = side
        merged = merge(a, b, merge_out, prefer=prefer, choices=chosen)
    return summary, table, merged
