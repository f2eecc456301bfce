"""Hand coding in a spreadsheet: read claims from CSV, and write the store's claims back as CSV.

One row is one claim. The columns (any order; only the first four are required; a ``.tsv`` file
is read tab-separated, anything else comma-separated, UTF-8 with or without a BOM):

================  ================================================================================
column            value
================  ================================================================================
claim_id          the claim's id: ``kim2021-01`` (= ``claim:kim2021-01``) or a full IRI. Empty:
                  ``<file stem>-<line>`` (fill it in to keep ids when rows move)
actor             who takes the stance: a prefixed name (``state:USA``, ``person:antony-blinken``),
                  a full IRI, an ``sg:code`` of the store (``blinken``, ``KOR``), or a country
                  (ISO code or name: ``US``, ``South Korea``)
relation          one of the vocabulary's relations: ``supports``, ``opposes``, ``coSponsored``
                  ... (also ``sg:supports`` or the label ``co-sponsored``)
target            like actor: an actor, issue, resolution or event (``res:unsc-1718``)
issue             optional: the issue the stance is on (``issue:human-rights``, a code, or the
                  label ``human rights``)
issue_position    optional, -1..1: the actor's position on the issue when it differs from the
                  relation's polarity (criticising a violator of human rights: 1)
date              ``YYYY-MM-DD``; or, for a stance that holds over time,
valid_from        ``YYYY-MM-DD`` (a claim needs a date or valid_from)
valid_until       ``YYYY-MM-DD``, optional
source            where the claim comes from: a declared source (``source:kim-2021-03-27``, its
                  code), or a web page's URL (becomes ``source:web-<hash>``, titled by its URL)
evidence          optional: a short fragment quoted from the source (at most 240 characters) ...
evidence_start    ... with its offsets in the source text (Python string indices):
evidence_end      ``text[start:end] == evidence``; all three together or none
confidence        optional, 0..1
note              optional: why the claim was coded this way
================  ================================================================================

Names are resolved against the store, so build (or import) the actors first; a state that the
store does not know yet is declared from its ISO code. Each bad row is reported as
``FILE:LINE: column: message``: among them a claim id that the store holds in another graph (a
built file, another import) or that another file of the run uses, an IRI that cannot be written
(a space, ``<``, ``>``, ``"`` ...: :func:`graph.sources.values.check_iri`), a self-tie (actor =
target), a control character in any cell, and, when the run has source texts (``--texts``),
evidence that is not ``text[start:end]`` of its source's text. UTF-16 files with a BOM are read
too (:meth:`graph.sources.context.Context.lines`). After reading the rows, the importer derives what
``stancegraph build`` derives for hand-coded Turtle (direct edges, positions on issues, and the
roll-up of a minister's or government's stance to its state), so a spreadsheet claim is worth
exactly as much as a Turtle one. Rows go through in chunks: a sheet of any length imports in
about the memory of a short one (each claim id read is kept, as 128 bits, to find repeats).

:func:`claims_csv` (``stancegraph export csv``) writes every stated claim of the store in the same
layout, canonically (prefixed names, relation names, numbers without trailing zeros), so that
importing its output gives back the same claims, and exporting again gives the same file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from graph.claims import Claim, claim_triples, derived_triples
from graph.output import spreadsheet_value
from graph.sources.countries import NameMatcher, iso3_from_code, state_triples
from graph.sources.runner import Context, Unit, web_source
from graph.sources.values import check_iri, iso_date
from graph.vocab import CLAIM, PREFIXES, SG, SOURCE, STATE, expand, ontology_graph, relations, short

__all__ = ["COLUMNS", "SpreadsheetImporter", "claims_csv", "claim_rows"]

COLUMNS = (
    "claim_id", "actor", "relation", "target", "issue", "issue_position", "date", "valid_from",
    "valid_until", "source", "evidence", "evidence_start", "evidence_end", "confidence", "note",
)
REQUIRED = ("actor", "relation", "target", "source")
#: Rows checked, resolved and written together: large enough for batched look-ups, small
#: enough that a sheet of any length reads in flat memory.
CHUNK_ROWS = 5_000
# Terms used on every row, made once: rdflib builds a new URIRef on each ``SG.x`` access.
_SOURCE, _ACTOR = SG.Source, SG.Actor
_ISSUE_KINDS = frozenset({SG.Issue, SKOS.Concept})
_LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
MAX_EVIDENCE = 240


@cache
def _classes(root: URIRef) -> frozenset[URIRef]:
    graph = ontology_graph()
    return frozenset(graph.transitive_subjects(RDFS.subClassOf, root))


@cache
def _relation_iris() -> tuple[frozenset[URIRef], frozenset[URIRef]]:
    """Every relation of the vocabulary, and the symmetric ones (their edges go both ways)."""
    every = frozenset(r.iri for r in relations().values())
    return every, frozenset(r.iri for r in relations().values() if r.symmetric)


@cache
def _relation(text: str) -> URIRef | None:
    key = text.strip().removeprefix("sg:").casefold()
    for relation in relations().values():
        if key in (relation.name.casefold(), relation.label.casefold()):
            return relation.iri
    return None


class _Sources:
    """The store and the graphs an import writes first, queried as one (rows of terms)."""

    def __init__(self, store, pending):
        self.store = store
        self.pending = pending

    def query(self, text: str) -> list[tuple]:
        rows = [tuple(row) for row in self.store.query(text)] if self.store is not None else []
        if self.pending is not None:
            rows += [tuple(row) for row in self.pending.query(text, initNs=PREFIXES)]
        return rows


class _Resolver:
    """Looks names up in the store: codes, labels, types, representation, ``sg:about``."""

    def __init__(self, store):
        self.store = store
        self.codes: dict[str, list[URIRef]] = {}
        self.issue_labels: dict[str, list[URIRef]] = {}
        self.types: dict[URIRef, set[URIRef]] = {}
        self.matcher = NameMatcher()
        self.web: dict[str, URIRef] = {}  # URL -> its web source, declared once
        self.about: dict[URIRef, tuple] = {}  # target -> what it is about (sg:about)
        for row in store.query("SELECT ?x ?code WHERE { ?x sg:code ?code }"):
            self.codes.setdefault(str(row[1]), []).append(row[0])
            self.codes.setdefault(str(row[1]).casefold(), []).append(row[0])
        for row in store.query("SELECT ?x ?label WHERE { ?x a sg:Issue ; rdfs:label ?label }"):
            self.issue_labels.setdefault(str(row[1]).casefold(), []).append(row[0])

    def types_of(self, nodes: Sequence[URIRef]) -> None:
        missing = [n for n in dict.fromkeys(nodes) if n not in self.types]
        for n in missing:
            self.types[n] = set()
        for start in range(0, len(missing), 400):
            values = " ".join(f"<{n}>" for n in missing[start:start + 400])
            for node, kind in self.store.query(
                f"SELECT ?x ?type WHERE {{ VALUES ?x {{ {values} }} ?x a ?type }}"
            ):
                self.types[node].add(kind)

    def context(self, nodes: Sequence[URIRef]) -> Graph:
        """What derivation needs about ``nodes``: offices, representation, types, sg:about."""
        graph = Graph()
        nodes = list(dict.fromkeys(nodes))
        if not nodes:
            return graph
        for start in range(0, len(nodes), 400):
            values = " ".join(f"<{n}>" for n in nodes[start:start + 400])
            queries = [
                ("SELECT ?x ?t ?s ?f ?u WHERE {{ VALUES ?x {{ {v} }} ?x sg:holdsOffice ?t . "
                 "?t sg:ofState ?s OPTIONAL {{ ?t sg:validFrom ?f }} "
                 "OPTIONAL {{ ?t sg:validUntil ?u }} }}", self._offices),
                ("SELECT ?x ?s ?f ?u WHERE {{ VALUES ?x {{ {v} }} ?x sg:represents ?s "
                 "OPTIONAL {{ ?x sg:validFrom ?f }} OPTIONAL {{ ?x sg:validUntil ?u }} }}",
                 self._represents),
                ("SELECT ?x ?i WHERE {{ VALUES ?x {{ {v} }} ?x sg:about ?i }}", self._about),
            ]
            for text, add in queries:
                for row in self.store.query(text.format(v=values)):
                    add(graph, row)
        for node in nodes:
            for kind in self.types.get(node, ()):
                if kind in (SG.Issue, SKOS.Concept):
                    graph.add((node, RDF.type, kind))
        return graph

    @staticmethod
    def _offices(graph, row):
        actor, term, state, start, end = row
        graph.add((actor, SG.holdsOffice, term))
        graph.add((term, SG.ofState, state))
        if start is not None:
            graph.add((term, SG.validFrom, start))
        if end is not None:
            graph.add((term, SG.validUntil, end))

    @staticmethod
    def _represents(graph, row):
        actor, state, start, end = row
        graph.add((actor, SG.represents, state))
        if start is not None:
            graph.add((actor, SG.validFrom, start))
        if end is not None:
            graph.add((actor, SG.validUntil, end))

    @staticmethod
    def _about(graph, row):
        graph.add((row[0], SG.about, row[1]))

    def reference(self, text: str, role: str) -> tuple[URIRef | None, str | None, str | None]:
        """``(iri, ISO3 when it is a country to declare, error message)``."""
        text = text.strip()
        try:
            if text.startswith("<") and text.endswith(">"):
                return URIRef(check_iri(text[1:-1])), None, None
            prefix, sep, local = text.partition(":")
            if sep and prefix in PREFIXES and not local.startswith("//"):
                iri = URIRef(check_iri(str(expand(text))))
                if prefix == "state" and iso3_from_code(local) == local:
                    return iri, local, None
                return iri, None, None
            if text.startswith(("http://", "https://")):
                return URIRef(check_iri(text)), None, None
        except ValueError as exc:
            return None, None, str(exc)
        found = self.codes.get(text) or self.codes.get(text.casefold())
        if role in ("issue", "target") and not found:
            found = self.issue_labels.get(text.casefold())
        if found and len(set(found)) > 1:
            names = ", ".join(sorted(short(f) for f in set(found)))
            return None, None, f"{text!r} is ambiguous: {names}"
        if found:
            return found[0], None, None
        if role in ("actor", "target"):
            iso3 = iso3_from_code(text) if len(text) in (2, 3) else None
            iso3 = iso3 or self.matcher.match(text).iso3
            if iso3 is not None:
                return STATE[iso3], iso3, None
        return None, None, f"{text!r} is no prefixed name, IRI or code known to the store"


def _claim_iri(text: str, stem: str, line: int) -> tuple[URIRef | None, str | None]:
    text = text.strip()
    if not text:
        return CLAIM[f"{stem}-{line}"], None
    if text.startswith("claim:"):
        text = text.removeprefix("claim:")
    if text.startswith(("http://", "https://")):
        try:
            return URIRef(check_iri(text)), None
        except ValueError as exc:
            return None, str(exc)
    if not _LOCAL.match(text):
        return None, f"{text!r}: use letters, digits, '.', '_' and '-' (or a full IRI)"
    return CLAIM[text], None


def _id_key(iri: str) -> int:
    """A claim id as 128 bits (BLAKE2b: two ids of a million share one with odds of 1e-27)."""
    return int.from_bytes(hashlib.blake2b(iri.encode("utf-8"), digest_size=16).digest(), "big")


class _ClaimIds:
    """The claim ids a run has read (:func:`_id_key`) in one dict of packed ints: where each was
    last read (sheet number: 20 bits, line: 40) and the file and line of the claim that took it
    (from bit 60): about 150 bytes a row (a row's IRIs and places took 400; a 200,000-row
    sheet 80 MB)."""

    def __init__(self):
        self._ids: dict[int, int] = {}
        self._paths: list[str] = []

    def start(self, path: Path) -> None:
        """A new sheet: :meth:`line` looks in it from now on."""
        self._paths.append(str(path))

    def line(self, key: int) -> int | None:
        """The line of this sheet that has the id already, or None."""
        value = self._ids.get(key)
        mine = value is not None and value & 0xFFFFF == len(self._paths) - 1
        return value >> 20 & (1 << 40) - 1 if mine else None

    def saw(self, key: int, line: int) -> None:
        """The id is on ``line`` of this sheet."""
        self._ids[key] = self._ids.get(key, 0) >> 60 << 60 | line << 20 | len(self._paths) - 1

    def place(self, key: int) -> str | None:
        """``FILE:LINE`` of the claim of the run that took the id, or None."""
        taken = self._ids.get(key, 0) >> 60
        return f"{self._paths[(taken & 0xFFFFF) - 1]}:{taken >> 20}" if taken else None

    def keep(self, key: int, row: int) -> None:
        """The claim on ``row`` of this sheet takes the id."""
        self._ids[key] = self._ids.get(key, 0) & (1 << 60) - 1 | len(self._paths) << 60 | row << 80


def _number(text: str, low: float, high: float) -> tuple[float | None, str | None]:
    try:
        value = float(text)
    except ValueError:
        return None, f"not a number: {text!r}"
    if not low <= value <= high:
        return None, f"{text} is outside {low:g}..{high:g}"
    return value, None


@lru_cache(maxsize=4096)  # a sheet repeats its dates: each is checked once
def _date(text: str) -> tuple[str | None, str | None]:
    try:
        return iso_date(text), None
    except ValueError as exc:
        return None, str(exc)


class SpreadsheetImporter:
    """``stancegraph import csv FILE...``: see the module docstring."""

    kind = "csv"
    #: Bulk-load pieces of 4 MB (the runner's writes pass them on as ``piece_bytes``): a sheet
    #: imports in flat memory, 20,000 rows in about what 2,000 take (32 MB: 2.5 times as much).
    bulk_piece_bytes = 4 << 20

    def __init__(self):
        # One instance reads every file of a run: the claim ids read so far, and the source
        # texts found for --texts (source -> SourceText or None)
        self._ids = _ClaimIds()
        self._source_texts: dict = {}

    def units(self, paths: Sequence[Path]) -> list[Unit]:
        """One unit per spreadsheet file (a folder: every .csv / .tsv in it)."""
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                files += sorted(p for p in path.iterdir() if p.suffix in (".csv", ".tsv"))
            else:
                files.append(path)
        return [Unit(self.kind, path.stem, path) for path in files]

    def read(self, unit: Unit, ctx: Context) -> Iterator:
        """The claims of the sheet, then what derivation adds (edges, positions, roll-up)."""
        path = unit.main
        delimiter = "\t" if path.suffix == ".tsv" else ","
        # hand-typed text: a control character (ESC, BEL, NUL) is a bad row, never stored
        columns, rows = ctx.table(path, REQUIRED, delimiter=delimiter, controls="refuse")
        for column in columns:
            if column not in COLUMNS:
                ctx.count(f"ignored column: {column}")
        at = {c: columns.index(c) for c in COLUMNS if c in columns}
        resolver = _Resolver(_Sources(ctx.store, ctx.pending))
        # Rows go through in chunks (memory stays flat however long the sheet); each distinct
        # name is looked up once (``references``, kept across chunks), each claim id once.
        references: dict = {}
        seen = self._ids
        seen.start(path)
        edges: set = set()  # direct edges written so far (a roll-up repeats none of them)
        chunk = []
        for line, row in rows:
            # spreadsheet_value undoes the ' that `export csv` puts before =, +, -, @ (issue 14)
            cells = {c: spreadsheet_value(row[i].strip() if c != "evidence" else row[i])
                     for c, i in at.items()}
            if cells.get("claim_id", "").startswith("#"):
                continue  # a comment row
            chunk.append((line, cells))
            if len(chunk) >= CHUNK_ROWS:
                yield from self._chunk(path, unit, chunk, references, resolver, seen, edges, ctx)
                chunk = []
        yield from self._chunk(path, unit, chunk, references, resolver, seen, edges, ctx)

    def _chunk(self, path, unit, parsed, references, resolver, seen, edges, ctx) -> Iterator:
        """The claims of some rows, then what derivation adds to them (see :meth:`read`)."""
        # Look the chunk's new names up in one go, then check the rows one by one.
        new = []
        for _, cells in parsed:
            for role in ("actor", "target", "issue", "source"):
                text = cells.get(role, "")
                if text and (role, text) not in references and \
                        not (role == "source" and text.startswith(("http://", "https://"))):
                    references[role, text] = resolver.reference(text, role)
                    new.append(references[role, text][0])
        resolver.types_of([iri for iri in new if iri is not None])
        claims: list[Claim] = []
        for line, cells in parsed:
            claim = self._claim(path, unit.name, line, cells, references, resolver, seen, ctx)
            if claim is not None:
                claims.append(claim)
        claims = self._unclaimed(path, claims, ctx)
        # Derive as the build does (graph.claims.derived_triples), with what the store knows.
        # claim_triples already gives a claim's edges and positions; derivation adds only the
        # roll-up of a claim whose actor or target speaks for a state, so only those claims
        # go through it (tests/test_import_csv_scale.py: the same triples as deriving all).
        nodes = [n for c in claims for n in (c.actor, c.target)]
        resolver.types_of(nodes)
        graph = resolver.context(nodes)
        speakers = set(graph.subjects(SG.holdsOffice, None)) | \
            set(graph.subjects(SG.represents, None))
        stated: set = set()
        for claim in claims:
            if claim.actor in speakers or claim.target in speakers:
                for triple in claim_triples(claim, with_edges=False):
                    graph.add(triple)
                stated.update(claim_triples(claim))
        every, symmetric = _relation_iris()
        for claim in claims:
            edges.add((claim.actor, claim.relation, claim.target))
            if claim.relation in symmetric:
                edges.add((claim.target, claim.relation, claim.actor))
            yield claim
        for _, triple in derived_triples(graph):
            if triple not in stated and triple not in edges:
                if triple[1] == SG.derivedFrom:
                    ctx.count("derived state-level claims (roll-up)")
                stated.add(triple)
                if triple[1] in every:
                    edges.add(triple)
                yield triple

    def _claim(self, path, stem, line, cells, references, resolver, seen, ctx) -> Claim | None:
        def bad(column, message):
            ctx.problem(path, line, column, message)

        iri, error = _claim_iri(cells.get("claim_id", ""), stem, line)
        if error:
            return bad("claim_id", error)
        key = _id_key(iri)
        if (earlier := seen.line(key)) is not None:
            return bad("claim_id", f"{short(iri)} is also on line {earlier}")
        relation = _relation(cells.get("relation", ""))
        if relation is None:
            return bad("relation", f"unknown relation {cells.get('relation', '')!r}; use one "
                                   f"of {', '.join(relations())}")
        nodes = {}
        for role in ("actor", "target", "issue"):
            text = cells.get(role, "")
            if not text:
                if role != "issue":
                    return bad(role, "empty")
                nodes[role] = None
                continue
            node, iso3, error = references[role, text]
            if error:
                return bad(role, error)
            kinds = resolver.types.get(node, set())
            if iso3 is not None and not kinds:
                ctx.declare(node, state_triples(iso3))
                kinds = resolver.types[node] = {SG.State}  # declared once, not once a row
            if not kinds:
                return bad(role, f"{short(node)} is not declared in the store "
                                 "(build or import it first)")
            if role == "actor" and kinds.isdisjoint(_classes(_ACTOR)):
                return bad(role, f"{short(node)} is not an actor (a state, person, organisation, "
                                 "government or media outlet)")
            if role == "issue" and kinds.isdisjoint(_ISSUE_KINDS):
                return bad(role, f"{short(node)} is not an issue of the issue scheme")
            nodes[role] = node
        if nodes["actor"] == nodes["target"]:
            return bad("target", f"a self-tie: {short(nodes['actor'])} is both actor and target")
        text = cells.get("source", "")
        if not text:
            return bad("source", "empty: every claim needs its source")
        if text in resolver.web:  # a web page already seen on an earlier row
            source = resolver.web[text]
        elif text.startswith(("http://", "https://")) and \
                _SOURCE not in resolver.types.get(URIRef(text), set()):
            if re.search(r'[\s<>"{}|^`\\]', text):
                return bad("source", f"not a valid URL: {text!r}")
            source, triples = web_source(text)  # declared once per distinct URL
            ctx.declare(source, triples)
            resolver.web[text] = source
        else:
            source, _, error = references["source", text] if ("source", text) in references \
                else (URIRef(text), None, None)
            if error and _LOCAL.match(text):
                source, error = SOURCE[text], None
                resolver.types_of([source])
            if error:
                return bad("source", error)
            if _SOURCE not in resolver.types.get(source, set()):
                return bad("source", f"{short(source)} is not a declared source (sg:Source)")
        values: dict = {}
        for column in ("date", "valid_from", "valid_until"):
            if cells.get(column):
                values[column], error = _date(cells[column])
                if error:
                    return bad(column, error)
        if not values.get("date") and not values.get("valid_from"):
            return bad("date", "a claim needs a date or a valid_from")
        if values.get("valid_from") and values.get("valid_until") \
                and values["valid_until"] < values["valid_from"]:
            return bad("valid_until", "is before valid_from")
        for column, low, high in (("issue_position", -1, 1), ("confidence", 0, 1)):
            if cells.get(column):
                values[column], error = _number(cells[column], low, high)
                if error:
                    return bad(column, error)
        evidence = cells.get("evidence") or None
        offsets = [cells.get("evidence_start", ""), cells.get("evidence_end", "")]
        if evidence or any(offsets):
            if not evidence or not all(offsets):
                return bad("evidence", "give the evidence with both offsets (evidence_start, "
                                       "evidence_end), or none of them")
            if not all(re.fullmatch(r"[0-9]+", o) for o in offsets):
                return bad("evidence_start", f"offsets must be whole numbers: {offsets}")
            start, end = int(offsets[0]), int(offsets[1])
            if end - start != len(evidence):
                return bad("evidence_end", f"end - start = {end - start}, but the evidence has "
                                           f"{len(evidence)} characters")
            if len(evidence) > MAX_EVIDENCE:
                return bad("evidence", f"{len(evidence)} characters; quote at most "
                                       f"{MAX_EVIDENCE}")
            values["evidence_start"], values["evidence_end"] = start, end
            if ctx.texts:
                error = self._check_text(resolver, source, start, end, evidence, ctx)
                if error:
                    return bad("evidence", error)
        seen.saw(key, line)
        issue = nodes["issue"]
        return Claim(
            iri=iri,
            actor=nodes["actor"],
            relation=relation,
            target=nodes["target"],
            source=source,
            issue=issue,
            issue_position=values.get("issue_position"),
            date=values.get("date"),
            valid_from=values.get("valid_from"),
            valid_until=values.get("valid_until"),
            evidence=evidence,
            evidence_start=values.get("evidence_start"),
            evidence_end=values.get("evidence_end"),
            confidence=values.get("confidence"),
            dataset=f"spreadsheet {path.name}",
            record_id=cells.get("claim_id") or None,
            row=line,
            note=cells.get("note") or None,
            on_issues=self._issues(issue, nodes["target"], resolver),
        )

    def _unclaimed(self, path: Path, claims: list[Claim], ctx: Context) -> list[Claim]:
        """``claims`` less those whose id is taken: by the store outside this import's own
        graph (a built file, another import), or by another file of this run (each reported)."""
        from graph.validate import claims_elsewhere

        own = ctx.report.graph
        stored = claims_elsewhere(ctx.store, [c.iri for c in claims],
                                  ignore=lambda name: name == own) if ctx.store else {}
        kept = []
        for claim in claims:
            key = _id_key(claim.iri)
            place = stored.get(claim.iri) or self._ids.place(key)
            if place is not None:
                ctx.problem(path, claim.row, "claim_id",
                            f"{short(claim.iri)} is already a claim in {place}; a claim id "
                            "belongs to one file or import")
                continue
            self._ids.keep(key, claim.row)
            kept.append(claim)
        return kept

    def _check_text(self, resolver, source, start, end, evidence, ctx) -> str | None:
        # The check of stancegraph build --texts, with its message (graph.validate).
        from graph.validate import evidence_mismatch

        texts = self._source_texts
        if source not in texts:
            rows = resolver.store.query(
                f"SELECT ?d WHERE {{ <{check_iri(str(source))}> sg:textSha256 ?d }}")
            texts[source] = next((ctx.texts[str(row[0])] for row in rows
                                  if str(row[0]) in ctx.texts), None)
        text = texts[source]
        if text is None:
            ctx.count("claims whose source text is not among --texts (offsets not checked)")
            return None
        return evidence_mismatch(text, start, end, evidence)

    @staticmethod
    def _issues(issue, target, resolver) -> tuple:
        # As graph.claims derives them: the claim's issue, else the target when it is an issue,
        # else what the target (a resolution or event) is about.
        if issue is not None:
            return (issue,)
        if resolver.types.get(target, set()) & _ISSUE_KINDS:
            return (target,)
        if target not in resolver.about:  # once per distinct target
            rows = resolver.store.query(f"SELECT ?i WHERE {{ <{target}> sg:about ?i }}")
            resolver.about[target] = tuple(sorted({row[0] for row in rows}))
        return resolver.about[target]


# ------------------------------------------------------------------------------ writing

def _cell_number(value) -> str:
    if value is None:
        return ""
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _cell_iri(value) -> str:
    return "" if value is None else short(value)


def claim_rows(store, *, as_of: str | None = None) -> list[dict[str, str]]:
    """Every stated claim of ``store`` as a row of :data:`COLUMNS` (canonical text), sorted."""
    from graph.dates import valid_at

    result = store.query(
        """
        SELECT ?claim ?actor ?relation ?target ?issue ?issue_position ?date ?valid_from
               ?valid_until ?source ?url ?evidence ?evidence_start ?evidence_end ?confidence
               ?note WHERE {
            ?claim a sg:Claim ; sg:actor ?actor ; sg:relation ?relation ; sg:target ?target .
            FILTER NOT EXISTS { ?claim sg:mode sg:Derived }
            OPTIONAL { ?claim prov:wasDerivedFrom ?source OPTIONAL { ?source sg:url ?url } }
            OPTIONAL { ?claim sg:issue ?issue }
            OPTIONAL { ?claim sg:issuePosition ?issue_position }
            OPTIONAL { ?claim sg:date ?date }
            OPTIONAL { ?claim sg:validFrom ?valid_from }
            OPTIONAL { ?claim sg:validUntil ?valid_until }
            OPTIONAL { ?claim sg:evidence ?evidence }
            OPTIONAL { ?claim sg:evidenceStart ?evidence_start }
            OPTIONAL { ?claim sg:evidenceEnd ?evidence_end }
            OPTIONAL { ?claim sg:confidence ?confidence }
            OPTIONAL { ?claim sg:note ?note }
        }"""
    )
    names = [str(v) for v in result.vars]
    by_claim: dict[str, dict[str, str]] = {}
    for solution in result:
        raw = dict(zip(names, solution, strict=True))
        row = _row(raw)
        key = str(raw["claim"])
        # A claim stored in two graphs, or with two values, gives several rows: keep the first
        # of each column in sorted order, so that the output does not depend on the store.
        if key in by_claim:
            current = by_claim[key]
            for column in COLUMNS:
                if row[column] and (not current[column] or row[column] < current[column]):
                    current[column] = row[column]
        else:
            by_claim[key] = row
    rows = []
    for key in sorted(by_claim):
        row = by_claim[key]
        validity = {"date": row["date"] or None, "validFrom": row["valid_from"] or None,
                    "validUntil": row["valid_until"] or None}
        if valid_at(validity, as_of):
            rows.append(row)
    return rows


def _row(raw: dict) -> dict[str, str]:
    claim = str(raw["claim"])
    local = claim.removeprefix(str(CLAIM))
    source = raw.get("source")
    url = raw.get("url")
    if source is not None and url is not None and str(source).startswith(str(SOURCE) + "web-"):
        source_text = str(url)
    else:
        source_text = _cell_iri(source)

    def text(name):
        value = raw.get(name)
        return "" if value is None else str(value)

    return {
        "claim_id": local if local != claim and _LOCAL.match(local) else claim,
        "actor": _cell_iri(raw["actor"]),
        "relation": str(raw["relation"]).removeprefix(str(SG)),
        "target": _cell_iri(raw["target"]),
        "issue": _cell_iri(raw.get("issue")),
        "issue_position": _cell_number(_value(raw.get("issue_position"))),
        "date": text("date"),
        "valid_from": text("valid_from"),
        "valid_until": text("valid_until"),
        "source": source_text,
        "evidence": text("evidence"),
        "evidence_start": text("evidence_start"),
        "evidence_end": text("evidence_end"),
        "confidence": _cell_number(_value(raw.get("confidence"))),
        "note": text("note"),
    }


def _value(term):
    if term is None:
        return None
    return term.toPython() if isinstance(term, Literal) else term


def claims_csv(store, *, as_of: str | None = None) -> str:
    """The store's stated claims in the spreadsheet layout (``stancegraph export csv``)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(claim_rows(store, as_of=as_of))
    return buffer.getvalue()

