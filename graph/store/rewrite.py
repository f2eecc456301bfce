"""Query text for SPARQL servers: find a query's parts, join bound values to it as VALUES.

The SPARQL 1.1 Protocol cannot carry bound variables (see :mod:`graph.store.remote`, which
uses this module), so bound values are written into the query as a ``VALUES`` block placed first
in the outermost ``WHERE`` group, built from each rdflib term's own N-Triples form, and the
rewritten query is parsed again. The lexer only finds where things are; the SPARQL grammar
itself stays rdflib's (``parseQuery``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph.errors import QueryError
from graph.store.ntriples import NTriplesWriter
from graph.vocab import PREFIXES

__all__ = ["QueryParts", "inject_values", "prologue", "split_query"]


# ------------------------------------------------------------------------------ lexing

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<word>[A-Za-z_][\w\-.]*(?::[\w\-.:%]*)?|:[\w\-.:%]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of each token, whitespace and comments left out."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind not in ("ws", "comment"):
            found.append((kind, match.group(), match.start()))
    return found


class QueryParts:
    """Where the parts of a query start: prologue, form, the outermost WHERE group."""

    def __init__(self, form: str, body_start: int, where_open: int | None,
                 where_close: int | None, modifiers: set[str], declared: set[str],
                 short_construct: bool = False):
        self.form = form
        self.short_construct = short_construct
        self.body_start = body_start
        self.where_open = where_open
        self.where_close = where_close
        self.modifiers = modifiers
        self.declared = declared


def split_query(text: str) -> QueryParts:
    """Find the query form, the end of the prologue and the outermost WHERE group of ``text``.

    Examples
    --------
    >>> parts = split_query("PREFIX a: <x:> SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
    >>> parts.form, parts.modifiers, parts.declared
    ('SELECT', {'LIMIT'}, {'a'})
    """
    tokens = _tokens(text)
    declared: set[str] = set()
    i = 0
    while i < len(tokens) and tokens[i][1].upper() in ("PREFIX", "BASE"):
        if tokens[i][1].upper() == "PREFIX" and i + 1 < len(tokens):
            declared.add(tokens[i + 1][1].split(":", 1)[0])
            i += 3
        else:
            i += 2
    if i >= len(tokens):
        raise QueryError("malformed query: no query form")
    form = tokens[i][1].upper()
    if form not in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
        raise QueryError(f"malformed query: expected SELECT, CONSTRUCT, ASK or DESCRIBE, "
                         f"found {tokens[i][1]!r}")
    body_start = tokens[i][2]
    j = i + 1
    if form == "CONSTRUCT" and j < len(tokens) and tokens[j][1] == "{":
        depth = 0
        while j < len(tokens):  # skip the template
            if tokens[j][1] == "{":
                depth += 1
            elif tokens[j][1] == "}":
                depth -= 1
                if depth == 0:
                    j += 1
                    break
            j += 1
    parens = 0
    where_open = where_close = None
    while j < len(tokens):
        value = tokens[j][1]
        if value == "(":
            parens += 1
        elif value == ")":
            parens -= 1
        elif value == "{" and parens == 0:
            where_open = j
            break
        j += 1
    modifiers: set[str] = set()
    if where_open is not None:
        depth = 0
        for k in range(where_open, len(tokens)):
            if tokens[k][1] == "{":
                depth += 1
            elif tokens[k][1] == "}":
                depth -= 1
                if depth == 0:
                    where_close = k
                    break
        if where_close is None:
            raise QueryError("malformed query: unbalanced braces")
        for kind, value, _ in tokens[where_close + 1:]:
            if kind == "word" and value.upper() in ("LIMIT", "OFFSET", "ORDER", "GROUP",
                                                     "VALUES", "HAVING"):
                modifiers.add(value.upper())
        short = (form == "CONSTRUCT" and tokens[where_open - 1][1].upper() == "WHERE"
                 and tokens[where_open - 2][1].upper() == "CONSTRUCT")
        return QueryParts(form, body_start, tokens[where_open][2], tokens[where_close][2],
                          modifiers, declared, short)
    return QueryParts(form, body_start, None, None, modifiers, declared)


def _value_text(term: Node) -> str:
    """A bound value in SPARQL syntax, from the term itself, never from user text."""
    if isinstance(term, BNode):
        raise QueryError("a blank node cannot be bound as a parameter on a SPARQL server")
    if isinstance(term, Literal | URIRef):
        return NTriplesWriter().term(term)
    raise QueryError(f"cannot bind {term!r}")


def inject_values(text: str, bindings: Mapping[str, Node]) -> str:
    """``text`` with ``bindings`` joined as a VALUES block first in its outermost WHERE group.

    Examples
    --------
    >>> inject_values("SELECT ?x WHERE { ?x ?p ?o }", {"o": Literal("a")})
    'SELECT ?x WHERE { VALUES (?o) { ("a") }  ?x ?p ?o }'
    """
    if not bindings:
        return text
    parts = split_query(text)
    if parts.where_open is None:
        raise QueryError("parameters need a query with a WHERE clause")
    if parts.short_construct:
        raise QueryError("parameters need the full CONSTRUCT { ... } WHERE { ... } form")
    names = []
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise QueryError(f"invalid parameter name {name!r}")
        names.append(name)
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(_value_text(bindings[n]) for n in names)
    block = f" VALUES ({head}) {{ ({row}) }} "
    cut = parts.where_open + 1
    rewritten = text[:cut] + block + text[cut:]
    _check_parses(rewritten)
    return rewritten


def _check_parses(text: str) -> None:
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(prologue(text) + text)
    except Exception as exc:
        raise QueryError(f"query failed after binding its parameters: {exc}") from exc


def prologue(text: str, declared: set[str] | None = None) -> str:
    """PREFIX lines for our prefixes that ``text`` does not declare itself."""
    if declared is None:
        declared = split_query(text).declared
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in declared)
