"""One place that writes every output format: tables, CSV, TSV, JSON, and SPARQL results."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable, Sequence

from rdflib import Literal, URIRef
from rdflib.query import Result

__all__ = ["FORMATS", "write_rows", "write_result", "rows_to_text"]

FORMATS = ("table", "csv", "tsv", "json")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(_cell(v) for v in value)
    return str(value)


def _jsonable(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def rows_to_text(rows: Sequence[dict], fmt: str, columns: Sequence[str] | None = None) -> str:
    """Render a list of dicts as ``table``, ``csv``, ``tsv`` or ``json``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        return json.dumps([_jsonable(r) for r in rows], indent=2, ensure_ascii=False) + "\n"
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        return buffer.getvalue()
    return _table(rows, columns)


def _table(rows: Sequence[dict], columns: Sequence[str]) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        # rich reads [brackets] as markup: escape so data is always shown as text.
        from rich.markup import escape

        table.add_row(*[escape(_cell(row.get(c))) for c in columns])
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
    # W3C SPARQL 1.1 TSV: terms in their Turtle / N-Triples form.
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype is None and not term.language:
        return Literal(str(term)).n3()
    return term.n3()


def write_result(result: Result, fmt: str, out) -> None:
    """Write a SPARQL result: W3C JSON / CSV / TSV, a readable table, or Turtle for graphs.

    ``json`` is the SPARQL 1.1 Query Results JSON Format; ``csv`` and ``tsv`` follow the
    SPARQL 1.1 CSV/TSV format. CONSTRUCT and DESCRIBE results are written as Turtle
    (``ttl``/``table``), N-Triples (``nt``) or JSON-LD (``json``). A format that does not fit
    the result (``ttl`` for a SELECT, ``csv`` for a CONSTRUCT) raises QueryError.
    """
    from graph.errors import QueryError

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
        out.write(graph.serialize(format=rdf_format))
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
        out.write(result.serialize(format="json").decode("utf-8") + "\n")
    elif fmt == "csv":
        out.write(result.serialize(format="csv").decode("utf-8"))
    elif fmt == "tsv":
        lines = ["\t".join(f"?{n}" for n in names)]
        for row in result:
            lines.append("\t".join(_tsv_term(t) for t in row))
        out.write("\n".join(lines) + "\n")
    else:
        rows = [{n: _term_text(t) for n, t in zip(names, row, strict=True)} for row in result]
        out.write(rows_to_text(rows, "table", names))
