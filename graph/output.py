"""One place that writes every output format: tables, CSV, TSV, JSON, and SPARQL results."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.query import Result

__all__ = [
    "FORMATS",
    "write_rows",
    "write_result",
    "rows_to_text",
    "printable",
    "spreadsheet_safe",
    "spreadsheet_value",
    "write_file",
    "escaped_controls",
    "to_json",
    "normalise_format",
    "FORMAT_ALIASES",
]

FORMATS = ("table", "csv", "tsv", "json")

#: Other spellings of the RDF formats, as ``export`` and other tools write them.
FORMAT_ALIASES = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "jsonld": "json",
                  "json-ld": "json"}


def normalise_format(fmt: str) -> str:
    """The name :func:`write_result` uses for ``fmt`` (``turtle`` -> ``ttl``, ``jsonld`` ->
    ``json``), so that ``query`` and ``export`` accept the same spellings.

    >>> normalise_format("turtle"), normalise_format("json-ld"), normalise_format("csv")
    ('ttl', 'json', 'csv')
    """
    return FORMAT_ALIASES.get(fmt.lower(), fmt.lower())

#: C0 controls but tab and newline, DEL, C1 controls (0x9b is a CSI in some terminals), and
#: the Unicode bidirectional overrides and isolates that reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` with control characters written as visible escapes (``\x1b``, ``\u202e``).

    Text read from sources is data: an ESC or BEL stored in a quote must never reach the
    terminal raw, where it could move the cursor, retitle the window or ring the bell. Tabs
    and newlines are kept.

    Examples
    --------
    >>> printable("a\x1b[31mb\x07")
    'a\\x1b[31mb\\x07'
    >>> printable("tab\tkept")
    'tab\tkept'
    """
    def escape(match: re.Match) -> str:
        code = ord(match.group(0))
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(escape, text)


def escaped_controls(text: str) -> str:
    r"""Control characters as ``\uXXXX`` escapes, for JSON, Turtle and N-Triples text.

    All three formats read ``\u001b`` inside a string as the character itself, so the data is
    unchanged while the terminal never sees it raw. JSON serialisers already escape C0
    controls; this also covers DEL, the C1 controls and the bidirectional overrides.

    >>> escaped_controls('"a\x1bb\u202e"')
    '"a\\u001bb\\u202e"'
    """
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_START) and not _is_number(text)


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP "CSV injection").

    A cell starting with ``= + - @``, a tab or a carriage return gets a leading ``'``, unless
    it is a plain number (``-1.5`` stays a number). A cell that already starts with ``'``
    before such a character gets one more, so that :func:`spreadsheet_value` gives back
    exactly the original text.

    Examples
    --------
    >>> spreadsheet_safe("=cmd|' /C calc'!A0"), spreadsheet_safe("-1"), spreadsheet_safe("ok")
    ("'=cmd|' /C calc'!A0", '-1', 'ok')
    """
    if _formula_like(text.lstrip("'")) and (text[:1] == "'" or _formula_like(text)):
        return "'" + text
    return text


def spreadsheet_value(text: str) -> str:
    """Undo :func:`spreadsheet_safe`: what an importer reading our CSV should store.

    >>> spreadsheet_value(spreadsheet_safe("=1+2")), spreadsheet_value("'quoted")
    ('=1+2', "'quoted")
    """
    if text.startswith("'") and _formula_like(text[1:].lstrip("'")):
        return text[1:]
    return text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):  # no value (e.g. the strength of a state alone in its cluster)
            return ""
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(_cell(v) for v in value)
    return printable(str(value))


def _jsonable(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # NamedTuple: keep the names
        return {k: _jsonable(v) for k, v in value._asdict().items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        return _jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN or infinity
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def to_json(value) -> str:
    """``value`` (made JSON-ready) as indented JSON with no raw control characters."""
    return escaped_controls(json.dumps(_jsonable(value), indent=2, ensure_ascii=False))


def rows_to_text(rows: Sequence[dict], fmt: str, columns: Sequence[str] | None = None) -> str:
    """Render a list of dicts as ``table``, ``csv``, ``tsv`` or ``json``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        return to_json([_jsonable(r) for r in rows]) + "\n"
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        # csv is meant for spreadsheets: formula-like cells are neutralised (see the README).
        safe = spreadsheet_safe if fmt == "csv" else str
        writer.writerow([safe(printable(str(c))) for c in columns])
        for row in rows:
            writer.writerow([safe(_cell(row.get(c))) for c in columns])
        return buffer.getvalue()
    return _table(rows, columns)


def _table(rows: Sequence[dict], columns: Sequence[str]) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(Text(printable(str(column))), overflow="fold")
    for row in rows:
        # rich reads [brackets] as markup and :x: as an emoji in strings: Text is plain text.
        table.add_row(*[Text(_cell(row.get(c))) for c in columns])
    buffer = io.StringIO()
    Console(file=buffer, width=160, force_terminal=False, color_system=None).print(table)
    text = buffer.getvalue()
    return text + (f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def write_rows(rows: Iterable[dict], fmt: str, out, columns: Sequence[str] | None = None) -> None:
    """Write rows to the text stream ``out`` in ``fmt``."""
    out.write(rows_to_text(list(rows), fmt, columns))


# ------------------------------------------------------------------------------ SPARQL results

def _term_text(term) -> str:
    from graph.vocab import short

    if term is None:
        return ""
    if isinstance(term, URIRef):
        return short(term)
    return str(term)


def _tsv_term(term) -> str:
    # W3C SPARQL 1.1 TSV: terms in their Turtle / N-Triples form, where \uXXXX is an escape.
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype is None and not term.language:
        return escaped_controls(Literal(str(term)).n3())
    return escaped_controls(term.n3())


def _csv_term(term) -> str:
    # W3C SPARQL 1.1 CSV: IRIs and literals as plain text, blank nodes as _:label.
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return spreadsheet_safe(printable(str(term)))


def write_result(result: Result, fmt: str, out) -> None:
    """Write a SPARQL result: W3C JSON / CSV / TSV, a readable table, or Turtle for graphs.

    ``json`` is the SPARQL 1.1 Query Results JSON Format; ``csv`` and ``tsv`` follow the
    SPARQL 1.1 CSV/TSV format. CONSTRUCT and DESCRIBE results are written as Turtle
    (``ttl``/``table``), N-Triples (``nt``) or JSON-LD (``json``). A format that does not fit
    the result (``ttl`` for a SELECT, ``csv`` for a CONSTRUCT) raises QueryError.

    Control characters in the data never reach the output raw: JSON, Turtle, N-Triples and
    TSV get ``\\uXXXX`` escapes (the same text to a parser), tables and CSV visible escapes.
    CSV cells that a spreadsheet would run as a formula get a leading ``'``
    (:func:`spreadsheet_safe`).
    """
    from graph.errors import QueryError

    fmt = normalise_format(fmt)
    graph_result = result.type in ("CONSTRUCT", "DESCRIBE")
    if graph_result and fmt in ("csv", "tsv"):
        raise QueryError(f"--format {fmt} is for SELECT results; {result.type} gives ttl, nt "
                         "or json")
    if not graph_result and fmt in ("ttl", "nt"):
        raise QueryError(f"--format {fmt} is for CONSTRUCT and DESCRIBE results; {result.type} "
                         "gives table, csv, tsv or json")
    if graph_result:
        from graph.vocab import bind_prefixes

        graph = bind_prefixes(result.graph)
        rdf_format = {"nt": "nt", "json": "json-ld"}.get(fmt, "turtle")
        out.write(escaped_controls(graph.serialize(format=rdf_format)))
        return
    if result.type == "ASK":
        answer = bool(result.askAnswer)
        if fmt == "json":
            out.write(json.dumps({"head": {}, "boolean": answer}) + "\n")
        else:
            out.write(("true" if answer else "false") + "\n")
        return
    names = [str(v) for v in result.vars]
    if fmt == "json":
        out.write(escaped_controls(result.serialize(format="json").decode("utf-8")) + "\n")
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180, as the W3C format
        writer.writerow(names)
        for row in result:
            writer.writerow([_csv_term(t) for t in row])
        out.write(buffer.getvalue())
    elif fmt == "tsv":
        lines = ["\t".join(f"?{n}" for n in names)]
        for row in result:
            lines.append("\t".join(_tsv_term(t) for t in row))
        out.write("\n".join(lines) + "\n")
    else:
        rows = [{n: _term_text(t) for n, t in zip(names, row, strict=True)} for row in result]
        out.write(rows_to_text(rows, "table", names))


# ------------------------------------------------------------------------------ files

def _umask() -> int:
    # os.umask can only be read by setting it; put it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_file(path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` so that a reader never sees half a file, and nothing else is hit.

    A regular file (or a path that does not exist yet) is replaced atomically: the data goes to
    a temporary file in the same folder, which is renamed over the target once complete, with
    the usual permissions (0666 minus the umask, 0644 by default) or those of the file it
    replaces. A FIFO or a character device (``/dev/stdout``, a named pipe) is written through,
    never replaced. A symbolic link, a folder, a block device or a socket is refused: replacing
    it would destroy something that is not an output file.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write; its parent folder is created.
    data : bytes or str
        The content; text is written as UTF-8.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    graph.errors.InputError
        Naming the path, when it is refused or cannot be written.
    """
    from graph.errors import InputError

    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(f"{target}: cannot write: {exc.strerror}") from exc
    if info is not None and not stat.S_ISREG(info.st_mode):
        mode = info.st_mode
        if stat.S_ISLNK(mode):
            raise InputError(f"{target}: is a symbolic link; give the path of the file it "
                             f"points to ({os.path.realpath(target)}) to write there")
        if stat.S_ISDIR(mode):
            raise InputError(f"{target}: is a folder; give a file name")
        if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
            try:  # a pipe or a terminal-like device: write into it, never replace it
                with open(target, "wb") as out:
                    out.write(payload)
            except OSError as exc:
                raise InputError(f"{target}: cannot write: {exc.strerror}") from exc
            return target
        raise InputError(f"{target}: is not a regular file (a block device or socket); "
                         "refusing to replace it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"{target}: cannot write: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes 0600; an output file gets what open() would have given it.
        os.chmod(tmp, stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{target}: cannot write: {exc.strerror}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
