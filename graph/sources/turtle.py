"""Read hand-coded Turtle files (entities, sources and their claims)."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph

from graph.errors import InputError
from graph.vocab import bind_prefixes

__all__ = ["read_turtle", "read_text"]

_BOM = "\ufeff"
_POSITION = re.compile(r"line (\d+)(?: column (\d+))?", re.I)


def read_text(path: Path, *, what: str = "a text file") -> str:
    """The text of a UTF-8 file; InputError naming the file and the line for anything else.

    A UTF-8 byte order mark is accepted and dropped (editors on Windows write one). A file
    with NUL bytes, or bytes that are not UTF-8 (a binary file, a UTF-16 export), is refused
    with the line where the first bad byte is.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    what : str
        What the file should be, for the message ("a query", "Turtle").

    Raises
    ------
    graph.errors.InputError
        ``FILE: cannot read: ...``, ``FILE:LINE: not UTF-8 text ...``.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        raise InputError(f"{path}: is UTF-16 text; save it as UTF-8 to read it as {what}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{path}:{line}: not UTF-8 text (byte {exc.start + 1}): is it "
                         f"{what}?") from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise InputError(f"{path}:{line}: contains NUL bytes: a binary file, not {what}")
    return text.removeprefix(_BOM)


def _syntax_position(text: str) -> str:
    """Where pyoxigraph's Turtle parser stops on ``text`` (``line L column C``), or "".

    rdflib's parser sometimes fails without a position (an IndexError on a truncated file);
    pyoxigraph's always gives one.
    """
    try:
        import pyoxigraph as ox
    except ImportError:  # pragma: no cover - pyoxigraph is a core dependency
        return ""
    try:
        for _ in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE,
                          base_iri="urn:stancegraph:check", lenient=True):
            pass
    except SyntaxError as exc:
        match = _POSITION.search(str(exc))
        if match:
            line, column = match.groups()
            return f"line {line}" + (f", column {column}" if column else "")
    except Exception:  # noqa: BLE001 -- only a hint for the message
        return ""
    return ""


def read_turtle(path: Path) -> Graph:
    """Parse one Turtle file; InputError naming the file and the parser's line on bad syntax.

    Parameters
    ----------
    path : pathlib.Path
        A UTF-8 Turtle file (a byte order mark is accepted).

    Returns
    -------
    rdflib.Graph
        The triples, with the project's prefixes bound.

    Raises
    ------
    graph.errors.InputError
        One line: ``FILE: not valid Turtle at line L, column C: ...`` for bad syntax (a
        truncated file included), or why the file cannot be read as text.
    """
    text = read_text(path, what="Turtle")
    graph = bind_prefixes(Graph())
    try:
        graph.parse(data=text, format="turtle", publicID=Path(path).resolve().as_uri())
    except Exception as exc:  # rdflib raises BadSyntax and several others
        from graph.output import printable  # only for a message: 3 ms of a build's start

        message = printable(" ".join(str(exc).split()))[:300]
        where = _syntax_position(text)
        if not where:
            match = _POSITION.search(message)
            where = f"line {match.group(1)}" if match else ""
        if isinstance(exc, IndexError | KeyError | ValueError | TypeError) and where:
            message = "the file ends early or is cut off" if "end" in message.lower() or \
                isinstance(exc, IndexError) else message
        raise InputError(f"{path}: not valid Turtle{' at ' + where if where else ''}: "
                         f"{message}") from exc
    return graph
