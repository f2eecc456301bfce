"""The import runner shared by every importer: streaming, progress, bad rows, idempotent writes.

An importer (``graph/sources/*.py``) turns its files into :class:`~graph.claims.Claim` objects and
plain triples, and reports what it cannot use to a :class:`Context`. The runner does the rest:

- **Nothing stored is lost.** Bad rows are reported as ``FILE:LINE: field: message`` and
  skipped; with ``on_error="fail"`` the first one stops the import and the store keeps what it
  had. Several files are all read (into memory, or past :data:`BULK_THRESHOLD` triples into a
  temporary N-Triples file) before any is written. A single large file streams straight into
  ``store.replace_graph_bulk`` while it is read, which keeps the same guarantee (on disk, one new
  store generation; in memory, a graph that did not exist is removed again on error, and an
  existing one is only dropped once every line was read). No file has to fit in memory.
- **One named graph per (kind, file).** Everything a file yields goes into
  ``https://stancegraph.org/graph/import/<kind>/<file-stem>``, replacing that graph; nothing else
  stored is touched, and importing the same file twice gives the same graph (claim IRIs are made
  from record ids, never from counters or clocks).
- **Shared declarations, once.** States that are not in the bundled seed, dataset sources and
  issue concepts are needed by several imports. They are declared once, in
  ``https://stancegraph.org/graph/import/entities``, never in the import graphs: the store answers
  queries over the union of its graphs without removing duplicates (pyoxigraph), so the same
  ``state:FRA a sg:State`` in two graphs would double every row that joins on it.
- **One write.** Up to :data:`BULK_THRESHOLD` triples a graph is written with one
  ``store.replace_graphs`` call, together with the entities graph (all or nothing). Claims are
  encoded by a :class:`ClaimEncoder`, compiled from :func:`graph.claims.claim_triples` and
  checked against it (the UN votes: 870,109 claims, 11 million triples).
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import re
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD
from rdflib.term import Node

from graph.claims import Claim, claim_triples
from graph.errors import InputError
from graph.store import NTriplesWriter
from graph.vocab import SG, SGG, SOURCE

__all__ = [
    "KINDS",
    "IMPORT_GRAPHS",
    "ENTITIES_GRAPH",
    "BULK_THRESHOLD",
    "ImportReport",
    "ImportFailed",
    "Problem",
    "Context",
    "Unit",
    "ClaimEncoder",
    "run_import",
    "graph_name",
    "format_report",
    "nt_term",
    "nt_line",
    "slug",
    "dataset_source",
]

Triple = tuple[Node, Node, Node]

#: Importer kinds, each the module (under graph.sources) and class that reads it.
KINDS: dict[str, tuple[str, str]] = {
    "unvotes": ("graph.sources.unvotes", "UnvotesImporter"),
    "un-sponsors": ("graph.sources.un_sponsors", "SponsorsImporter"),
    "events": ("graph.sources.events", "EventsImporter"),
    "alliances": ("graph.sources.cow", "AlliancesImporter"),
    "rivalries": ("graph.sources.cow", "RivalriesImporter"),
    "csv": ("graph.sources.spreadsheet", "SpreadsheetImporter"),
}

IMPORT_GRAPHS = str(SGG) + "import/"
ENTITIES_GRAPH = URIRef(IMPORT_GRAPHS + "entities")

#: Above this many triples an import is bulk-loaded (fast, not one transaction) instead of
#: written with one ``replace_graphs`` transaction.
BULK_THRESHOLD = 200_000

#: How many problems the report keeps word for word (all are counted).
MAX_PROBLEMS = 1000


# ------------------------------------------------------------------------------ N-Triples

_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_WRITER = NTriplesWriter()


def _nt_string(text: str) -> str:
    # The escaping of graph.store.NTriplesWriter, so both write byte-identical lines.
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = (text.replace("\\", "\\\\").replace('"', '\\"')
                .replace("\n", "\\n").replace("\r", "\\r"))
    return f'"{text}"'


def _nt_iri(iri: str) -> str:
    if _BAD_IRI.search(iri):
        raise ValueError(f"not a valid IRI: {iri!r}")
    return f"<{iri}>"


def nt_term(term: Node) -> str:
    """One RDF term in N-Triples syntax (as :class:`graph.store.NTriplesWriter` writes it).

    Examples
    --------
    >>> nt_term(Literal('say "hi"', lang="en"))
    '"say \\\\"hi\\\\""@en'
    >>> nt_term(URIRef("https://stancegraph.org/id/state/KOR"))
    '<https://stancegraph.org/id/state/KOR>'
    """
    return _WRITER.term(term)


def nt_line(triple: Triple) -> str:
    """One triple as an N-Triples line (with its newline)."""
    return _WRITER.line(triple)


def slug(text: str) -> str:
    """A piece of text made safe for an IRI's local name or a graph name.

    Only letters, digits, ``_`` and ``-`` are kept: a local name such as ``unga-A-C.3-78-L.39``
    is valid SPARQL, but pyoxigraph's parser rejects it as a prefixed name.

    Examples
    --------
    >>> slug("A/C.3/78/L.39"), slug("A/RES/78/183 B")
    ('A-C-3-78-L-39', 'A-RES-78-183-B')
    """
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


# ------------------------------------------------------------------------------ claim encoder

_IRI_SLOTS = ("iri", "actor", "target", "source", "issue", "derived_from")
_DATE_SLOTS = {"date": "1001-01-01", "valid_from": "1002-01-01", "valid_until": "1003-01-01"}
_TEXT_SLOTS = ("evidence", "dataset", "record_id", "note")
_INT_SLOTS = {"evidence_start": 1000000001, "evidence_end": 1000000002, "row": 1000000003}
_DECIMAL_SLOTS = {"confidence": 0.111111, "weight": 0.222222, "issue_position": 0.333333}


def _shape(c: Claim) -> tuple:
    # Mirrors claim_triples: strings are left out when empty, numbers and IRIs when None.
    return (
        c.relation, c.derived, len(c.on_issues), c.issue is not None, c.derived_from is not None,
        bool(c.date), bool(c.valid_from), bool(c.valid_until),
        bool(c.evidence), bool(c.dataset), bool(c.record_id), bool(c.note),
        c.evidence_start is not None, c.evidence_end is not None, c.row is not None,
        c.confidence is not None, c.weight is not None, c.issue_position is not None,
    )


class ClaimEncoder:
    """Encode claims as N-Triples lines fast, with the exact triples of ``claim_triples``.

    For each shape of claim (relation, which optional fields are set, how many issues), the
    encoder runs :func:`graph.claims.claim_triples` once on a prototype whose fields hold
    placeholder values, and keeps the result as a template with a slot per field; each claim then
    costs one ``str.format``. The first claim of every shape is also encoded the slow way and
    compared, so a change to the claim model can never silently change what importers write.

    Examples
    --------
    >>> from graph.vocab import CLAIM, SOURCE, STATE, SG
    >>> c = Claim(CLAIM.x, STATE.USA, SG.criticizes, STATE.PRK, SOURCE.s, date="2021-03-18")
    >>> text = ClaimEncoder().lines(c)
    >>> sorted(_split(text)) == sorted(nt_line(t) for t in claim_triples(c))
    True
    """

    def __init__(self, *, verify: bool = True):
        self._templates: dict[tuple, tuple[str, dict[str, URIRef | None]]] = {}
        self._iris: dict[URIRef, str] = {}
        self._dates: dict[str, str] = {}
        self.verify = verify

    def _compile(self, claim: Claim, key: tuple) -> tuple[str, dict[str, URIRef | None]]:
        slot = "urn:x-stancegraph-slot:"
        values = {name: URIRef(slot + name) for name in _IRI_SLOTS}
        values["issue"] = values["issue"] if claim.issue is not None else None
        values["derived_from"] = values["derived_from"] if claim.derived_from is not None else None
        for name, sentinel in _DATE_SLOTS.items():
            values[name] = sentinel if getattr(claim, name) else None
        for name in _TEXT_SLOTS:
            values[name] = f"\ue000{name}" if getattr(claim, name) else None
        for name, sentinel in _INT_SLOTS.items():
            values[name] = sentinel if getattr(claim, name) is not None else None
        for name, sentinel in _DECIMAL_SLOTS.items():
            values[name] = sentinel if getattr(claim, name) is not None else None
        on_issues = tuple(URIRef(f"{slot}on_issue_{i}") for i in range(len(claim.on_issues)))
        prototype = Claim(
            relation=claim.relation, derived=claim.derived, on_issues=on_issues, **values
        )
        lexical = {str(v): k for k, v in _DATE_SLOTS.items()}
        lexical.update({f"\ue000{name}": name for name in _TEXT_SLOTS})
        lexical.update({str(v): k for k, v in _INT_SLOTS.items()})
        lexical.update({str(v): k for k, v in _DECIMAL_SLOTS.items()})
        datatypes: dict[str, URIRef | None] = {}
        lines = []
        for triple in claim_triples(prototype):
            parts = []
            for term in triple:
                if isinstance(term, URIRef) and str(term).startswith(slot):
                    parts.append("{" + str(term)[len(slot):] + "}")
                elif isinstance(term, Literal) and str(term) in lexical:
                    name = lexical[str(term)]
                    datatypes[name] = term.datatype
                    parts.append("{" + name + "}")
                else:
                    parts.append(nt_term(term).replace("{", "{{").replace("}", "}}"))
            lines.append(" ".join(parts) + " .\n")
        return "".join(lines), datatypes

    def _iri(self, value: URIRef) -> str:
        text = self._iris.get(value)
        if text is None:
            if len(self._iris) > 100_000:
                self._iris.clear()
            text = self._iris[value] = _nt_iri(str(value))
        return text

    def _date(self, value: str) -> str:
        text = self._dates.get(value)
        if text is None:
            if len(self._dates) > 100_000:
                self._dates.clear()
            text = self._dates[value] = f'"{_check_date(value)}"^^<{XSD.date}>'
        return text

    def lines(self, claim: Claim) -> str:
        """The claim's triples (as ``claim_triples`` yields them) as N-Triples lines."""
        c = claim
        key = _shape(c)
        compiled = self._templates.get(key)
        first = compiled is None
        if first:
            compiled = self._templates[key] = self._compile(c, key)
        template, datatypes = compiled
        iri = self._iri
        fill = {"iri": _nt_iri(str(c.iri)), "actor": iri(c.actor), "target": iri(c.target),
                "source": iri(c.source)}
        if c.issue is not None:
            fill["issue"] = iri(c.issue)
        if c.derived_from is not None:
            fill["derived_from"] = iri(c.derived_from)
        for i, issue in enumerate(c.on_issues):
            fill[f"on_issue_{i}"] = iri(issue)
        if c.date:
            fill["date"] = self._date(c.date)
        if c.valid_from:
            fill["valid_from"] = self._date(c.valid_from)
        if c.valid_until:
            fill["valid_until"] = self._date(c.valid_until)
        for name, value in (("evidence", c.evidence), ("dataset", c.dataset),
                            ("record_id", c.record_id), ("note", c.note)):
            if value:
                fill[name] = _nt_string(value)
        for name, value in (("evidence_start", c.evidence_start),
                            ("evidence_end", c.evidence_end), ("row", c.row)):
            if value is not None:
                fill[name] = f'"{int(value)}"^^<{datatypes[name]}>'
        for name, value in (("confidence", c.confidence), ("weight", c.weight),
                            ("issue_position", c.issue_position)):
            if value is not None:
                fill[name] = nt_term(Literal(round(float(value), 6), datatype=XSD.decimal))
        text = template.format_map(fill)
        if first and self.verify:
            expected = sorted(nt_line(t) for t in claim_triples(claim))
            if sorted(_split(text)) != expected:
                raise RuntimeError(
                    f"internal error: the compiled encoding of {claim.iri} differs from "
                    "graph.claims.claim_triples"
                )
        return text


def _split(text: str) -> list[str]:
    """N-Triples text as lines (str.splitlines would also split at U+001E, U+2028 ...)."""
    return [line + "\n" for line in text.split("\n")[:-1]]


_ISO_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}$")


def _check_date(value: str) -> str:
    if not _ISO_DATE.match(value):
        raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}")
    return value


# ------------------------------------------------------------------------------ reporting

@dataclass(frozen=True)
class Problem:
    """A bad row: where it is, which field, what is wrong."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ImportFailed(InputError):
    """A bad row stopped an import run with ``on_error="fail"``; nothing was written."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(f"{problem} (--on-error fail: nothing was written)")


@dataclass
class ImportReport:
    """What one import (one file, one named graph) read and wrote."""

    kind: str
    graph: str
    files: tuple[str, ...]
    rows: int = 0
    claims: int = 0
    skipped: int = 0
    triples: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    unmatched: Counter = field(default_factory=Counter)
    counts: Counter = field(default_factory=Counter)
    declarations: int = 0
    seeded: tuple[str, ...] = ()
    bulk: bool = False
    seconds: float = 0.0


@dataclass(frozen=True)
class Unit:
    """One import: the files read together into one named graph (e.g. votes + roll calls)."""

    kind: str
    name: str
    main: Path
    files: tuple[tuple[str, Path], ...] = ()

    def file(self, role: str) -> Path | None:
        """The file playing ``role`` (e.g. ``"roll-calls"``), or None."""
        return dict(self.files).get(role)

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file of the unit, the main file first."""
        return (self.main, *(p for _, p in self.files if p != self.main))


def graph_name(kind: str, stem: str) -> URIRef:
    """``https://stancegraph.org/graph/import/<kind>/<file-stem>``."""
    return URIRef(f"{IMPORT_GRAPHS}{kind}/{slug(stem)}")


class Context:
    """What an importer reports to while it reads: bad rows, unmatched names, counts, entities.

    The importer calls :meth:`problem` for a bad row (and skips it), :meth:`unmatched` for a name
    or code it cannot link to a state, :meth:`count` for anything worth a line in the summary,
    and :meth:`declare` for a node shared between imports (a state, a dataset source).
    """

    def __init__(self, report: ImportReport, *, on_error: str = "skip", progress=None,
                 verb: str = "reading", store=None, pending=None):
        if on_error not in ("skip", "fail"):
            raise ValueError(f"on_error must be 'skip' or 'fail', not {on_error!r}")
        self.report = report
        # For importers that resolve names against what is stored (csv): the store, and an
        # rdflib Graph of what this import will write before its own graph (the vocabulary and
        # bundled entities of a store that was never built), or None.
        self.store = store
        self.pending = pending
        self.on_error = on_error
        self.progress = progress
        self.verb = verb
        self.declarations: dict[URIRef, list[Triple]] = {}
        self._bad_rows: set[tuple[str, int]] = set()

    # -- reporting -------------------------------------------------------------------
    def problem(self, path: Path | str, line: int, field_name: str, message: str) -> None:
        """Report a bad row; raises :class:`ImportFailed` when running with ``on_error="fail"``."""
        problem = Problem(str(path), int(line), field_name, message)
        if self.on_error == "fail":
            raise ImportFailed(problem)
        self.report.problem_count += 1
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append(problem)
        key = (problem.path, problem.line)
        if key not in self._bad_rows:
            self._bad_rows.add(key)
            self.report.skipped += 1

    def unmatched(self, name: str, n: int = 1) -> None:
        """A name or code that matched no state (reported in the summary, no claim made)."""
        self.report.unmatched[name] += n

    def count(self, what: str, n: int = 1) -> None:
        """Count something for the summary (``"resolutions"``, ``"skipped: domestic event"``)."""
        self.report.counts[what] += n

    def row(self, n: int = 1) -> None:
        """Count a data row read."""
        self.report.rows += n

    def declare(self, node: URIRef, triples: Iterable[Triple]) -> None:
        """Declare a node shared between imports (written once, to the entities graph)."""
        if node not in self.declarations:
            self.declarations[node] = list(triples)

    # -- reading ---------------------------------------------------------------------
    def lines(self, path: Path) -> Iterator[tuple[int, str]]:
        """The lines of a UTF-8 text file (BOM dropped), numbered from 1, with progress."""
        path = Path(path)
        task = None
        if self.progress is not None:
            task = self.progress.add_task(f"{self.verb} {path.name}",
                                          total=max(path.stat().st_size, 1))
        pending = 0
        try:
            with open(path, "rb") as handle:
                for number, raw in enumerate(handle, start=1):
                    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                        raw = raw[3:]
                    pending += len(raw)
                    if task is not None and pending > 1 << 20:
                        self.progress.advance(task, pending)
                        pending = 0
                    try:
                        text = raw.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        self.problem(path, number, "encoding", f"not UTF-8 ({exc.reason})")
                        continue
                    yield number, text
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc}") from exc
        finally:
            if task is not None:
                self.progress.update(task, completed=path.stat().st_size)

    def table(
        self,
        path: Path,
        required: Sequence[str],
        *,
        delimiter: str = ",",
        header: Sequence[str] | None = None,
        widths: Sequence[int] | None = None,
        count_rows: bool = True,
        quoting: int = csv.QUOTE_MINIMAL,
    ) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
        """Read a delimited file: its header and its rows as ``(line, fields)``.

        The header (the first line, or ``header`` for files without one) must hold every
        ``required`` column, else :class:`InputError`. Rows with another number of fields than the
        header (or than one of ``widths``) are reported as bad rows and not yielded; blank lines
        are skipped. Each yielded row counts as a row read (unless ``count_rows`` is off, for
        auxiliary tables).
        """
        state = {"line": 0}

        def text_lines():
            for number, text in self.lines(path):
                state["line"] = number
                yield text

        reader = csv.reader(text_lines(), delimiter=delimiter, quoting=quoting)
        if header is None:
            try:
                columns = [c.strip() for c in next(reader)]
            except StopIteration:
                raise InputError(f"{path}: the file is empty") from None
            except csv.Error as exc:
                raise InputError(f"{path}:1: cannot read the header: {exc}") from exc
        else:
            columns = list(header)
        missing = [c for c in required if c not in columns]
        if missing:
            raise InputError(
                f"{path}: not the expected layout: missing column(s) {', '.join(missing)} "
                f"(found: {', '.join(columns) or 'nothing'})"
            )
        allowed = set(widths or (len(columns),))
        start_line = state["line"] + 1

        def rows():
            nonlocal start_line
            while True:
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    self.problem(path, start_line, "row", f"cannot parse: {exc}")
                    start_line = state["line"] + 1
                    continue
                line, start_line = start_line, state["line"] + 1
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                if len(record) not in allowed:
                    expected = " or ".join(str(w) for w in sorted(allowed))
                    self.problem(path, line, "row",
                                 f"{len(record)} fields, expected {expected}")
                    continue
                if count_rows:
                    self.row()
                yield line, record

        return columns, rows()


def dataset_source(
    key: str,
    *,
    title: str,
    publisher: str,
    version: str,
    url: str,
    issued: str | None = None,
    creator: str | None = None,
    rights: str | None = None,
) -> tuple[URIRef, list[Triple]]:
    """The ``sg:Source`` node of a dataset (``source:dataset-<key>``) and its triples."""
    node = SOURCE[f"dataset-{key}"]
    triples: list[Triple] = [
        (node, RDF.type, SG.Source),
        (node, DCTERMS.title, Literal(title)),
        (node, DCTERMS.publisher, Literal(publisher)),
        (node, OWL.versionInfo, Literal(version)),
        (node, SG.url, Literal(url, datatype=XSD.anyURI)),
    ]
    if issued:
        datatype = XSD.gYear if re.fullmatch(r"\d{4}", issued) else XSD.date
        triples.append((node, DCTERMS.issued, Literal(issued, datatype=datatype)))
    if creator:
        triples.append((node, DCTERMS.creator, Literal(creator)))
    if rights:
        triples.append((node, DCTERMS.rights, Literal(rights)))
    return node, triples


def web_source(url: str, *, referenced_by: URIRef | None = None) -> tuple[URIRef, list[Triple]]:
    """The ``sg:Source`` of a web page (``source:web-<hash of the URL>``), titled by its URL."""
    node = SOURCE["web-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]]
    triples: list[Triple] = [
        (node, RDF.type, SG.Source),
        (node, DCTERMS.title, Literal(url)),
        (node, SG.url, Literal(url, datatype=XSD.anyURI)),
    ]
    if referenced_by is not None:
        triples.append((node, DCTERMS.isReferencedBy, referenced_by))
    return node, triples


# ------------------------------------------------------------------------------ the runner

def _importer(kind: str):
    import importlib

    if kind not in KINDS:
        raise InputError(f"unknown import kind {kind!r}; use one of {', '.join(KINDS)}")
    module, name = KINDS[kind]
    return getattr(importlib.import_module(module), name)()


def _seed_subjects() -> frozenset[URIRef]:
    from graph.resources import data_dir
    from graph.sources.turtle import read_turtle

    return frozenset(s for s in read_turtle(data_dir() / "entities.ttl").subjects(RDF.type, None)
                     if isinstance(s, URIRef))


def vocabulary_graphs(store) -> dict[URIRef, list[Triple]]:
    """The vocabulary and bundled-entities graphs, when the store has not got them yet.

    Imports link to the seed's states, organisations and issues (state:PRK, org:unga,
    issue:human-rights) and never declare them again. Into a store that was never built, the
    first import also writes these two graphs, exactly as ``stancegraph build`` writes them (same
    graph names, same triples), so that a later build replaces them with the same content.
    """
    from graph.build import file_graph_name
    from graph.resources import data_dir
    from graph.sources.turtle import read_turtle
    from graph.vocab import ONTOLOGY_GRAPH, ontology_graph

    entities = data_dir() / "entities.ttl"
    names = set(store.graph_names())
    wanted: dict[URIRef, list[Triple]] = {}
    if ONTOLOGY_GRAPH not in names:
        wanted[ONTOLOGY_GRAPH] = list(ontology_graph())
    if file_graph_name(entities) not in names:
        wanted[file_graph_name(entities)] = list(read_turtle(entities))
    return wanted


def _entities_contents(store, declarations: dict[URIRef, list[Triple]]) -> list[Triple] | None:
    """The entities graph after adding ``declarations``, or None when it would not change."""
    current: dict[URIRef, set[Triple]] = {}
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }}"
    for s, p, o in store.query(query):
        current.setdefault(s, set()).add((s, p, o))
    seed = _seed_subjects()
    merged = {node: set(triples) for node, triples in current.items()}
    for node, triples in declarations.items():
        if node not in seed:
            merged.setdefault(node, set()).update(triples)
    elsewhere = _declared_elsewhere(store, [n for n in merged if isinstance(n, URIRef)])
    result = {n: t for n, t in merged.items() if n not in elsewhere and n not in seed}
    if result == current:
        return None
    return [t for node in sorted(result) for t in sorted(result[node])]


def _declared_elsewhere(store, nodes: list[URIRef]) -> set[URIRef]:
    found: set[URIRef] = set()
    for start in range(0, len(nodes), 500):
        chunk = nodes[start:start + 500]
        values = " ".join(_nt_iri(str(n)) for n in chunk)
        with warnings.catch_warnings():  # rdflib's GRAPH ?g calls its own deprecated API
            warnings.simplefilter("ignore", DeprecationWarning)
            result = store.query(
                f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} "
                f"GRAPH ?g {{ ?s a ?type }} FILTER (?g != <{ENTITIES_GRAPH}>) }}"
            )
            found.update(row[0] for row in result)
    return found


def _encoded(items: Iterable, report: ImportReport) -> Iterator[tuple[str, int]]:
    """Each item as N-Triples text and its number of triples; counts claims and triples."""
    encoder = ClaimEncoder()
    for item in items:
        if isinstance(item, Claim):
            report.claims += 1
            text = encoder.lines(item)
            n = text.count("\n")
        else:
            text, n = nt_line(item), 1
        report.triples += n
        yield text, n


class _Sink:
    """Where an import's N-Triples go when it is read before writing: memory, then a file.

    Lines stay in memory up to ``threshold`` triples; past that they spill to a file in a
    temporary folder, so that even the UN votes (1.5 GB of N-Triples) never sit in memory.
    """

    def __init__(self, threshold: int):
        self.threshold = threshold
        self.buffer: list[str] = []
        self.triples = 0
        self.folder = None
        self.path: Path | None = None
        self._handle = None

    def add(self, text: str, triples: int) -> None:
        self.triples += triples
        if self._handle is not None:
            self._handle.write(text)
            return
        self.buffer.append(text)
        if self.triples > self.threshold:
            import tempfile

            self.folder = tempfile.TemporaryDirectory(prefix="stancegraph-import-")
            self.path = Path(self.folder.name) / "graph.nt"
            self._handle = self.path.open("w", encoding="utf-8")
            self._handle.writelines(self.buffer)
            self.buffer = []

    def finish(self) -> bytes | Path:
        """The content for the store: N-Triples bytes (small) or the spooled file (large)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            return self.path
        return "".join(self.buffer).encode("utf-8")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None
        self.buffer = []


def _bulk_with_also(store) -> bool:
    """Whether ``store.replace_graph_bulk`` takes ``also`` (OxigraphStore, RdflibStore): the
    graphs to write with the bulk-loaded one, known only once its lines were read."""
    import inspect

    method = getattr(store, "replace_graph_bulk", None)
    return method is not None and "also" in inspect.signature(method).parameters


class _Writer:
    """Writes one import's graph with the shared graphs that go with it (entities, seed)."""

    def __init__(self, store, progress):
        self.store = store
        self.progress = progress
        self.vocabulary = vocabulary_graphs(store)

    def pending(self):
        """The vocabulary graphs still to be written, as one rdflib Graph (or None)."""
        if not self.vocabulary:
            return None
        from rdflib import Graph

        graph = Graph()
        for triples in self.vocabulary.values():
            for triple in triples:
                graph.add(triple)
        return graph

    def extra(self, report: ImportReport, context: Context) -> dict[URIRef, list[Triple]]:
        graphs: dict[URIRef, list[Triple]] = dict(self.vocabulary)
        report.seeded = tuple(str(g) for g in self.vocabulary)
        self.vocabulary = {}
        entities = _entities_contents(self.store, context.declarations)
        report.declarations = len(context.declarations)
        if entities is not None:
            graphs[ENTITIES_GRAPH] = entities
        return graphs

    def small(self, report: ImportReport, context: Context, content: bytes) -> None:
        self.store.replace_graphs({**self.extra(report, context), URIRef(report.graph): content})

    def bulk(self, report: ImportReport, context: Context, lines: Iterable[str] | Path) -> None:
        report.bulk = True
        name = URIRef(report.graph)
        task = None
        if self.progress is not None and isinstance(lines, Path):
            task = self.progress.add_task(f"writing {report.triples:,} triples", total=None)
        if _bulk_with_also(self.store):
            self.store.replace_graph_bulk(name, lines,
                                          also=lambda: self.extra(report, context))
        elif isinstance(lines, Path):
            self.store.replace_graphs({**self.extra(report, context), name: lines})
        else:  # a store whose bulk path takes one graph (a SPARQL server): spool, one write
            sink = _Sink(0)
            try:
                for line in lines:
                    sink.add(line, 1)
                spooled = sink.finish()
                self.store.replace_graphs({**self.extra(report, context), name: spooled})
            finally:
                sink.close()
        if task is not None:
            self.progress.update(task, total=1, completed=1)


def run_import(
    store,
    kind: str,
    paths: Sequence[Path | str],
    *,
    on_error: str = "skip",
    progress=None,
    bulk_threshold: int | None = None,
) -> list[ImportReport]:
    """Import ``paths`` of ``kind`` into ``store``: one named graph per file, replaced whole.

    Nothing already stored is lost: with ``on_error="fail"`` the first bad row stops the import
    and the store keeps what it had. Several files are all read before any is written. A single
    large file is streamed into ``store.replace_graph_bulk`` while it is read, which keeps the
    same guarantee (see :meth:`graph.store.OxigraphStore.replace_graph_bulk`).

    Parameters
    ----------
    store : graph.store.Store
    kind : one of :data:`KINDS` (``unvotes``, ``un-sponsors``, ``events``, ``alliances``,
        ``rivalries``, ``csv``)
    paths : files or folders, as the importer documents
    on_error : ``"skip"`` reports bad rows and goes on; ``"fail"`` stops at the first bad row
    progress : a ``rich.progress.Progress`` to show progress in, or None
    bulk_threshold : triples above which a graph is bulk-loaded (default :data:`BULK_THRESHOLD`)

    Returns
    -------
    list of ImportReport, one per file (named graph)

    Raises
    ------
    graph.errors.InputError
        unreadable or unrecognised files; :class:`ImportFailed` for a bad row with ``"fail"``
    """
    importer = _importer(kind)
    units = importer.units([Path(p) for p in paths])
    if not units:
        raise InputError(f"nothing to import: no {kind} files in {', '.join(map(str, paths))}")
    threshold = BULK_THRESHOLD if bulk_threshold is None else bulk_threshold
    writer = _Writer(store, progress)
    staged = []
    try:
        for unit in units:
            started = time.perf_counter()
            report = ImportReport(kind, str(graph_name(kind, unit.name)),
                                  tuple(str(p) for p in unit.paths))
            context = Context(report, on_error=on_error, progress=progress, store=store,
                              pending=writer.pending())
            encoded = _encoded(importer.read(unit, context), report)
            if len(units) == 1:
                buffer: list[str] = []
                for text, _ in encoded:
                    buffer.append(text)
                    if report.triples > threshold:
                        lines = itertools.chain(buffer, (text for text, _ in encoded))
                        writer.bulk(report, context, lines)
                        break
                else:
                    writer.small(report, context, "".join(buffer).encode("utf-8"))
                report.seconds = time.perf_counter() - started
                return [report]
            sink = _Sink(threshold)
            staged.append((report, context, sink))
            for text, n in encoded:
                sink.add(text, n)
            report.seconds = time.perf_counter() - started
        for report, context, sink in staged:
            started = time.perf_counter()
            content = sink.finish()
            if isinstance(content, Path):
                writer.bulk(report, context, content)
            else:
                writer.small(report, context, content)
            sink.close()
            report.seconds += time.perf_counter() - started
    finally:
        for _, _, sink in staged:
            sink.close()
    return [report for report, _, _ in staged]


def format_report(report: ImportReport, *, max_problems: int = 20) -> tuple[list[str], list[str]]:
    """Lines for the user: ``(summary, problems)``; the CLI prints the problems on stderr."""
    files = ", ".join(Path(f).name for f in report.files)
    summary = []
    for graph in report.seeded:
        summary.append(f"the store had no {graph.rsplit('/', 1)[-1]} graph: wrote it as "
                       "'stancegraph build' does")
    summary.append(f"{report.kind}: {files} -> <{report.graph}>")
    summary.append(
        f"  {report.rows:,} rows read, {report.claims:,} claims written, "
        f"{report.skipped:,} bad rows skipped, {report.triples:,} triples"
        f"{' (bulk load)' if report.bulk else ''}, {report.seconds:.1f} s"
    )
    for what, n in sorted(report.counts.items()):
        summary.append(f"  {what}: {n:,}")
    if report.unmatched:
        total = sum(report.unmatched.values())
        names = ", ".join(f"{name} ({n:,})" for name, n in sorted(
            report.unmatched.items(), key=lambda kv: (-kv[1], kv[0])))
        summary.append(f"  not matched to a state ({total:,} rows, no claim): {names}")
    problems = [str(p) for p in report.problems[:max_problems]]
    if report.problem_count > len(problems):
        problems.append(f"... and {report.problem_count - len(problems):,} more problem(s)")
    return summary, problems


def progress_bar(enabled: bool = True):
    """A ``rich`` progress display on stderr (a no-op when stderr is not a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
        console=console, disable=not (enabled and console.is_terminal), transient=True,
    )
