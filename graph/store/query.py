"""The one safe way to run a query: check it, bind its parameters, run it; and the named queries.

A query is parsed before it runs. Updates, ``SERVICE``, ``FROM`` / ``FROM NAMED`` and ``LOAD``
are refused whatever store is behind it (pyoxigraph would evaluate them in Rust, out of reach of
any Python hook; see PITFALLS). Parameters are bound as RDF terms (rdflib ``initBindings`` or
pyoxigraph substitutions), never pasted into the query text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import QueryError, UpdateRefused
from graph.store.guard import rdflib_guard
from graph.store.ntriples import NOT_IN_IRI, NTriplesWriter
from graph.vocab import ID, PREFIXES, SG, expand

__all__ = [
    "NamedQuery",
    "Parameter",
    "check_query",
    "named_queries",
    "named_query",
    "run_query",
    "resolve_actor",
    "rdflib_guard",
]

PARAM_TYPES = ("iri", "actor", "string", "date", "integer", "decimal")


@dataclass(frozen=True)
class Parameter:
    """A named query's parameter, declared in its header: ``# param: NAME TYPE [optional] HELP``."""

    name: str
    type: str
    help: str
    optional: bool = False


@dataclass(frozen=True)
class NamedQuery:
    """A ``.rq`` file shipped in ``graph/queries`` with its header parsed."""

    name: str
    description: str
    text: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    example: str = ""


_HEADER = re.compile(r"^#\s*(name|description|param|example):\s*(.*)$")


def _parse_named(name: str, text: str) -> NamedQuery:
    description, example, params = [], "", []
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if not match:
            if line.strip() and not line.strip().startswith("#"):
                break
            continue
        key, value = match.groups()
        if key == "description":
            description.append(value.strip())
        elif key == "example":
            example = value.strip()
        elif key == "param":
            pname, ptype, *rest = value.split(None, 2)
            help_text = rest[0] if rest else ""
            optional = help_text.startswith("optional")
            help_text = help_text.removeprefix("optional").strip()
            if ptype not in PARAM_TYPES:
                raise ValueError(f"{name}.rq: parameter {pname} has unknown type {ptype}")
            params.append(Parameter(pname, ptype, help_text, optional))
    return NamedQuery(name, " ".join(description), text, tuple(params), example)


@cache
def named_queries() -> dict[str, NamedQuery]:
    """Every named query shipped with the package, by name."""
    folder = resources.files("graph") / "queries"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name.removesuffix(".rq")
            found[name] = _parse_named(name, entry.read_text(encoding="utf-8"))
    return found


def named_query(name: str) -> NamedQuery:
    """A named query by name; QueryError listing the known names otherwise."""
    queries = named_queries()
    if name not in queries:
        raise QueryError(f"no named query {name!r}; known: {', '.join(sorted(queries))}")
    return queries[name]


# ------------------------------------------------------------------------------- checking

def _position(text: str, exc) -> str:
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "col", None)
    if line is None:
        return ""
    return f" at line {line}, column {col}"


def _walk(node) -> Iterator:
    """Every node of a parsed query or algebra tree."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, CompValue):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | ParseResults):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


@lru_cache(maxsize=1024)
def check_query(text: str) -> str:
    """Parse ``text`` and refuse what a read-only, closed endpoint must not run.

    Returns the query form: ``"SELECT"``, ``"ASK"``, ``"CONSTRUCT"`` or ``"DESCRIBE"``.

    Raises
    ------
    QueryError
        With the parser's message and position for a malformed query, or the reason a
        well-formed one is refused (update, SERVICE, FROM / FROM NAMED, LOAD).

    Examples
    --------
    >>> check_query("ASK { ?s ?p ?o }")
    'ASK'
    >>> check_query("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: SERVICE is refused: queries may not reach other endpoints
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        try:
            update = parseUpdate(text)
        except ParseException:
            raise QueryError(f"malformed query{_position(text, exc)}: {exc.msg}") from exc
        if "request" not in update:  # empty, or only comments and PREFIX lines
            raise QueryError("empty query: give a SELECT, ASK, CONSTRUCT or DESCRIBE") from exc
        raise UpdateRefused(
            "updates (INSERT, DELETE, LOAD, CLEAR, DROP...) are refused: the graph is read-only"
        ) from exc
    except Exception as exc:  # the tokenizer raises other pyparsing errors on odd input
        raise QueryError(f"malformed query: {exc}") from exc

    form = "SELECT"
    for node in _walk(parsed):
        if not isinstance(node, CompValue):
            continue
        if node.name == "ServiceGraphPattern":
            raise QueryError("SERVICE is refused: queries may not reach other endpoints")
        if node.name == "DatasetClause":
            raise QueryError(
                "FROM and FROM NAMED are refused: queries run on the stored graph only"
            )
        if node.name in ("SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery"):
            form = node.name.removesuffix("Query").upper()
            if "datasetClause" in node:
                raise QueryError(
                    "FROM and FROM NAMED are refused: queries run on the stored graph only"
                )
    return form


# ------------------------------------------------------------------------------- binding

def resolve_actor(store, text: str) -> URIRef:
    """Find an actor or target by its code (``USA``), prefixed name or IRI."""
    text = text.strip()
    if ":" in text:
        return expand(text)
    rows = store.select_rows(
        "SELECT ?x ?code WHERE { ?x sg:code ?code } ORDER BY ?x LIMIT 2",
        {"code": Literal(text)},
    )
    if not rows:
        rows = store.select_rows(
            "SELECT ?x ?code WHERE { ?x sg:isoCode ?code } ORDER BY ?x LIMIT 2",
            {"code": Literal(text.upper())},
        )
    if not rows:
        rows = _by_label(store, text)
    if not rows:
        raise QueryError(f"no actor or target with code {text!r} (nor with that name)")
    return URIRef(rows[0]["x"])


def _by_label(store, text: str) -> list[dict]:
    """Actors and targets whose label (or alternative label) is ``text``, ignoring case.

    ``actor "South Korea"`` works as ``--issue "human rights"`` does; a name two entities
    share is refused rather than guessed.
    """
    rows = store.select_rows(
        "SELECT DISTINCT ?x ?name WHERE { ?x rdfs:label|skos:altLabel ?label . "
        "FILTER (LCASE(STR(?label)) = ?name) "
        "FILTER EXISTS { ?x a ?class . ?class rdfs:subClassOf sg:Actor } } ORDER BY ?x LIMIT 3",
        {"name": Literal(" ".join(text.split()).lower())},
    )
    if len(rows) > 1:
        found = ", ".join(str(r["x"]).rsplit("/", 1)[-1] for r in rows)
        raise QueryError(f"{text!r} names more than one actor ({found}): give a code")
    return rows


def _unbracket(value: str) -> str:
    value = value.strip()
    return value[1:-1] if value.startswith("<") and value.endswith(">") else value


def bind_parameter(store, parameter: Parameter, value: str) -> Node:
    """Turn a ``--param`` string into the RDF term its declared type asks for."""
    try:
        as_iri = ":" in value or value.strip().startswith("<")
        if parameter.type in ("actor", "iri") and as_iri and NOT_IN_IRI.search(_unbracket(value)):
            raise ValueError("characters that cannot appear in an IRI")
        if parameter.type == "actor":
            return resolve_actor(store, value)
        if parameter.type == "iri":
            if ":" not in value:
                return resolve_actor(store, value)
            return expand(value)
        if parameter.type == "date":
            literal = Literal(value, datatype=XSD.date)
            if not isinstance(literal.toPython(), __import__("datetime").date):
                raise ValueError("not a YYYY-MM-DD date")
            return literal
        if parameter.type == "integer":
            return Literal(int(value))
        if parameter.type == "decimal":
            return Literal(float(value))
        return Literal(value)
    except ValueError as exc:
        raise QueryError(f"parameter {parameter.name}: {value!r} is not a valid {parameter.type}")\
            from exc


def parse_params(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["a=1", "b=x"]`` into a dict; QueryError on a pair without ``=``."""
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise QueryError(f"--param {pair!r}: expected NAME=VALUE")
        values[name.strip()] = value
    return values


def run_query(
    store,
    text: str,
    params: Mapping[str, str] | None = None,
    declared: tuple[Parameter, ...] = (),
    *,
    how: str = "use --param NAME=VALUE",
) -> Result:
    """Check ``text``, bind ``params`` (typed by ``declared`` when given) and run it on ``store``.

    Undeclared parameters are bound as IRIs when they look like one, else as plain literals.
    ``how`` tells the user how to give a missing parameter where the query came from (the
    command line's ``--param``; the HTTP API says otherwise).
    """
    form = check_query(text)
    by_name = {p.name: p for p in declared}
    bindings: dict[str, Node] = {}
    for name, value in (params or {}).items():
        if declared and name not in by_name:
            known = ", ".join(by_name) or "none"
            raise QueryError(f"unknown parameter {name!r} (this query takes: {known})")
        parameter = by_name.get(name) or Parameter(
            name, "iri" if value.startswith(("<", ID, str(SG))) or _prefixed(value) else "string",
            "",
        )
        bindings[name] = bind_parameter(store, parameter, value)
    missing = [p.name for p in declared if not p.optional and p.name not in bindings]
    if missing:
        raise QueryError(f"missing parameter(s): {', '.join(missing)} ({how})")
    text, bindings = place_bindings(text, bindings)
    result = store.query(text, bindings)
    if form == "DESCRIBE":
        result.type = "DESCRIBE"  # pyoxigraph answers DESCRIBE with plain triples
    return result


_VALUES_MARK = re.compile(r"^[ \t]*#@values[ \t]+(\w+)[ \t]*$", re.M)


def place_bindings(text: str, bindings: Mapping[str, Node]) -> tuple[str, dict[str, Node]]:
    """Write the bindings a query places itself as ``VALUES`` where it says so.

    A line ``#@values NAME`` (a comment, so the query also runs as it is) becomes
    ``VALUES ?NAME { term }`` when NAME is bound, at that place: the start of the group (or
    of each UNION branch, each subquery) that should begin from it. pyoxigraph plans a query
    without looking at its substitutions, so a bound actor or source given that way still
    has every claim of the store scanned (18-180 s on the UN record instead of milliseconds).
    Terms are written by :class:`graph.store.NTriplesWriter`, which refuses what could end
    them; the other bindings are returned to go to the store as before.
    """
    placed = {m.group(1) for m in _VALUES_MARK.finditer(text)} & set(bindings)
    if not placed:
        return text, dict(bindings)
    writer = NTriplesWriter()

    def values(match: re.Match) -> str:
        name = match.group(1)
        if name not in placed:
            return match.group(0)
        return f"VALUES ?{name} {{ {writer.term(bindings[name])} }}"

    rest = {k: v for k, v in bindings.items() if k not in placed}
    return _VALUES_MARK.sub(values, text), rest


def _prefixed(value: str) -> bool:
    prefix, sep, _ = value.partition(":")
    return bool(sep) and prefix in PREFIXES
