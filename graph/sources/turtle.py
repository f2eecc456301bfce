"""Read hand-coded Turtle files (entities, sources and their claims)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from graph.errors import InputError
from graph.vocab import bind_prefixes

__all__ = ["read_turtle"]


def read_turtle(path: Path) -> Graph:
    """Parse one Turtle file; InputError naming the file and the parser's line on bad syntax."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    graph = bind_prefixes(Graph())
    try:
        graph.parse(data=text, format="turtle", publicID=Path(path).resolve().as_uri())
    except Exception as exc:  # rdflib raises BadSyntax and several others
        message = " ".join(str(exc).split())
        raise InputError(f"{path}: not valid Turtle: {message[:300]}") from exc
    return graph
