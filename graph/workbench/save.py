"""Saving a coding session: the draft as a Turtle source file, validated as ``build`` validates.

A *draft* is the JSON the coding page keeps (and autosaves): the source's description, the
coder, the claims (accepted, proposed or rejected) and the entities declared inline. Saving
writes the accepted claims, the inline entities and the source to ``FOLDER/<source id>.ttl``
(the layout of ``data/sources/*.ttl``) and into the store (that file's named graph, with the
direct edges and roll-ups ``build`` derives), or nothing at all:

1. each claim is checked field by field (required fields, dates, numbers, offsets against the
   text), so that the page can show a problem next to its field;
2. the file's graph is validated with the bundled data, the other files of ``FOLDER`` and the
   store's declarations of the nodes it references, by :func:`graph.validate.validate`: the
   same SHACL shapes and evidence check as ``stancegraph build --texts``;
3. only then the file is written to a temporary name, the store's graph replaced, and the file
   renamed into place (``os.replace``).

Every claim records its coder (``prov:wasAttributedTo coder:<name>``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from graph.errors import InputError, ValidationError
from graph.vocab import CLAIM, ID, SG, SOURCE, bind_prefixes, expand, relations, short

__all__ = [
    "CODER", "ENTITY_TYPES", "FieldProblem", "SaveReport", "check_draft", "draft_graph",
    "save_draft", "write_draft_file", "read_draft_file", "text_facts",
]

CODER = Namespace(ID + "coder/")
#: Inline declarations the page offers: type -> (class, IRI prefix).
ENTITY_TYPES = {
    "Person": (SG.Person, "person"), "Organisation": (SG.Organisation, "org"),
    "Government": (SG.Government, "gov"), "MediaOutlet": (SG.MediaOutlet, "media"),
    "Issue": (SG.Issue, "issue"), "Resolution": (SG.Resolution, "res"),
    "Event": (SG.Event, "event"),
}
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_FIELDS = {"sg:actor": "actor", "sg:relation": "relation", "sg:target": "target",
           "sg:issue": "issue", "sg:issuePosition": "position", "sg:date": "date",
           "sg:validFrom": "valid_from", "sg:validUntil": "valid_until",
           "sg:confidence": "confidence", "sg:evidence": "evidence",
           "sg:evidenceStart": "evidence", "sg:evidenceEnd": "evidence",
           "prov:wasDerivedFrom": "source", "rdfs:label": "label"}


@dataclass(frozen=True)
class FieldProblem:
    """A problem with one field of a claim (``item`` its id) or entity, or of the source."""

    item: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """JSON form for the page."""
        return {"item": self.item, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class SaveReport:
    """What a save wrote."""

    path: str
    graph: str
    claims: int
    triples: int


def text_facts(text: str) -> dict:
    """SHA-256 of the UTF-8 bytes and the length in characters (Python str indices)."""
    return {"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "length": len(text)}


def slug(text: str) -> str:
    """A lower-case identifier made of ``text``'s letters and digits (``Moon Jae-in`` ->
    ``moon-jae-in``)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _date(text: str) -> str | None:
    dt.date.fromisoformat(text)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return text


def _node(text: str) -> URIRef:
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    if text.startswith(("http://", "https://")):
        return URIRef(text)
    return expand(text)


def _accepted(draft: dict) -> list[dict]:
    return [c for c in draft.get("claims", []) if c.get("status", "accepted") == "accepted"]


def check_draft(draft: dict, text: str, known=lambda iri: True) -> list[FieldProblem]:
    """Field-level problems of ``draft`` before any RDF is built (none: it can be validated).

    Parameters
    ----------
    draft : dict
        The page's draft (see the module docstring).
    text : str
        The source text the offsets index into.
    known : callable
        ``known(iri) -> bool``: whether the store (or the draft) declares a node.
    """
    problems: list[FieldProblem] = []
    source = draft.get("source") or {}
    if not _SLUG.match(str(source.get("id", ""))):
        problems.append(FieldProblem("source", "id", "letters, digits, '.', '_', '-' only"))
    if not str(source.get("title", "")).strip():
        problems.append(FieldProblem("source", "title", "every source needs a title"))
    if source.get("date"):
        try:
            _date(str(source["date"]))
        except ValueError:
            problems.append(FieldProblem("source", "date", "not a date (YYYY-MM-DD)"))
    if not _SLUG.match(slug(str(draft.get("coder", ""))) or "-"):
        problems.append(FieldProblem("coder", "coder", "who is coding? (a name)"))
    declared = set()
    for entity in draft.get("entities", []):
        item = str(entity.get("id", ""))
        if entity.get("type") not in ENTITY_TYPES:
            problems.append(FieldProblem(item, "type", f"one of {', '.join(ENTITY_TYPES)}"))
            continue
        prefix = ENTITY_TYPES[entity["type"]][1]
        if not re.fullmatch(prefix + r":[A-Za-z0-9][A-Za-z0-9._-]*", item):
            problems.append(FieldProblem(item, "id", f"an id like {prefix}:a-short-name"))
        if not str(entity.get("label", "")).strip():
            problems.append(FieldProblem(item, "label", "a label is required"))
        declared.add(item)
    names = relations()
    seen = set()
    for claim in _accepted(draft):
        item = str(claim.get("id", ""))
        if not _SLUG.match(item.removeprefix("claim:")):
            problems.append(FieldProblem(item, "id", "letters, digits, '.', '_', '-' only"))
        elif item in seen:
            problems.append(FieldProblem(item, "id", "used by another claim"))
        seen.add(item)
        for role in ("actor", "target", "issue"):
            value = str(claim.get(role) or "").strip()
            if not value:
                if role != "issue":
                    problems.append(FieldProblem(item, role, "required"))
                continue
            try:
                iri = _node(value)
            except Exception:
                problems.append(FieldProblem(item, role, f"{value!r} is no prefixed name"))
                continue
            if value not in declared and not known(str(iri)):
                problems.append(FieldProblem(item, role, f"{value} is not declared in the store "
                                                         "(declare it as a new entity)"))
        if claim.get("relation") not in names:
            problems.append(FieldProblem(item, "relation", f"one of {', '.join(names)}"))
        for field in ("date", "valid_from", "valid_until"):
            if claim.get(field):
                try:
                    _date(str(claim[field]))
                except ValueError:
                    problems.append(FieldProblem(item, field, "not a date (YYYY-MM-DD)"))
        if not claim.get("date") and not claim.get("valid_from") and not source.get("date"):
            problems.append(FieldProblem(item, "date", "a date or valid from is required"))
        if claim.get("valid_from") and claim.get("valid_until") and \
                str(claim["valid_until"]) < str(claim["valid_from"]):
            problems.append(FieldProblem(item, "valid_until", "is before valid from"))
        for field, low, high in (("position", -1, 1), ("confidence", 0, 1)):
            if claim.get(field) not in (None, ""):
                try:
                    value = float(claim[field])
                    if not low <= value <= high:
                        raise ValueError
                except (TypeError, ValueError):
                    problems.append(FieldProblem(item, field, f"a number from {low} to {high}"))
        start, end = claim.get("start"), claim.get("end")
        evidence = claim.get("evidence") or ""
        if evidence or start not in (None, ""):
            if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
                problems.append(FieldProblem(item, "evidence", "select the evidence in the text"))
            elif text[start:end] != evidence:
                problems.append(FieldProblem(item, "evidence", f"the text at {start}..{end} is "
                                             f"not the quoted evidence"))
            elif len(evidence.split()) > 25 or len(evidence) > 240:
                problems.append(FieldProblem(item, "evidence", "quote at most 25 words "
                                             "(240 characters): select a shorter fragment"))
    return problems


def draft_graph(draft: dict, text: str) -> Graph:
    """The RDF of a (checked) draft: source, inline entities, coder and accepted claims."""
    graph = bind_prefixes(Graph())
    graph.bind("coder", CODER)
    info = draft["source"]
    source = SOURCE[info["id"]]
    facts = text_facts(text)
    graph.add((source, RDF.type, SG.Source))
    graph.add((source, DCTERMS.title, Literal(info["title"].strip())))
    for key, prop in (("creator", DCTERMS.creator), ("publisher", DCTERMS.publisher)):
        if str(info.get(key, "")).strip():
            graph.add((source, prop, Literal(str(info[key]).strip())))
    if info.get("date"):
        graph.add((source, DCTERMS.issued, Literal(info["date"], datatype=XSD.date)))
    if str(info.get("url", "")).strip():
        graph.add((source, SG.url, Literal(str(info["url"]).strip(), datatype=XSD.anyURI)))
    graph.add((source, SG.textLength, Literal(facts["length"], datatype=XSD.integer)))
    graph.add((source, SG.textSha256, Literal(facts["sha256"])))
    coder = CODER[slug(draft["coder"])]
    graph.add((coder, RDF.type, PROV.Agent))
    graph.add((coder, RDFS.label, Literal(str(draft["coder"]).strip())))
    for entity in draft.get("entities", []):
        node = _node(entity["id"])
        graph.add((node, RDF.type, ENTITY_TYPES[entity["type"]][0]))
        graph.add((node, RDFS.label, Literal(entity["label"].strip(), lang="en")))
        graph.add((node, SG.code, Literal(str(entity["id"]).split(":", 1)[1])))
        if entity["type"] == "Issue":
            graph.add((node, SKOS.inScheme, SG.issues))
            if entity.get("broader"):
                graph.add((node, SKOS.broader, _node(entity["broader"])))
        if entity.get("represents") and entity["type"] in ("Person", "Government",
                                                             "MediaOutlet"):
            graph.add((node, SG.represents, _node(entity["represents"])))
        if entity.get("about") and entity["type"] in ("Resolution", "Event"):
            graph.add((node, SG.about, _node(entity["about"])))
        if entity.get("date") and entity["type"] == "Event":
            graph.add((node, SG.eventDate, Literal(entity["date"], datatype=XSD.date)))
    for claim in _accepted(draft):
        node = CLAIM[claim["id"].removeprefix("claim:")]
        graph.add((node, RDF.type, SG.Claim))
        graph.add((node, SG.actor, _node(claim["actor"])))
        graph.add((node, SG.relation, SG[claim["relation"]]))
        graph.add((node, SG.target, _node(claim["target"])))
        if claim.get("issue"):
            graph.add((node, SG.issue, _node(claim["issue"])))
        if claim.get("position") not in (None, ""):
            graph.add((node, SG.issuePosition, Literal(float(claim["position"]))))
        if not claim.get("date") and not claim.get("valid_from"):
            claim = {**claim, "date": info.get("date")}
        for field, prop in (("date", SG.date), ("valid_from", SG.validFrom),
                            ("valid_until", SG.validUntil)):
            if claim.get(field):
                graph.add((node, prop, Literal(claim[field], datatype=XSD.date)))
        if claim.get("confidence") not in (None, ""):
            graph.add((node, SG.confidence, Literal(float(claim["confidence"]))))
        graph.add((node, PROV.wasDerivedFrom, source))
        graph.add((node, PROV.wasAttributedTo, coder))
        if claim.get("evidence"):
            graph.add((node, SG.evidence, Literal(claim["evidence"])))
            graph.add((node, SG.evidenceStart, Literal(int(claim["start"]),
                                                       datatype=XSD.integer)))
            graph.add((node, SG.evidenceEnd, Literal(int(claim["end"]), datatype=XSD.integer)))
        if str(claim.get("note", "")).strip():
            graph.add((node, SG.note, Literal(str(claim["note"]).strip())))
    return graph


def _known(store):
    cache: dict[str, bool] = {}

    def known(iri: str) -> bool:
        if iri not in cache:
            rows = list(store.query(f"SELECT ?type WHERE {{ <{iri}> a ?type }} LIMIT 1")) \
                if store is not None else []
            cache[iri] = bool(rows)
        return cache[iri]

    return known


def _new_states(draft: dict, known) -> dict[str, str]:
    """IRI -> ISO3 of the ``state:XXX`` a claim names that the store does not declare."""
    from graph.sources.countries import iso3_from_code

    found = {}
    for claim in _accepted(draft):
        for role in ("actor", "target"):
            value = str(claim.get(role) or "").strip()
            if value.startswith("state:"):
                code = value.removeprefix("state:")
                iri = str(expand(value))
                if iso3_from_code(code) == code and not known(iri):
                    found[iri] = code
    return found


def _store_context(store, graph: Graph) -> Graph:
    """Types, labels and offices the store holds for the nodes ``graph`` references."""
    context = Graph()
    nodes = {o for _, p, o in graph if p in (SG.actor, SG.target, SG.issue)}
    nodes -= set(graph.subjects(RDF.type, None))
    for node in sorted(nodes):
        for row in store.query(f"SELECT ?p ?o WHERE {{ <{node}> ?p ?o }}"):
            if row[0] in (RDF.type, RDFS.label, SG.isoCode, SG.represents):
                context.add((node, row[0], row[1]))
    return context


def _problems(error: ValidationError, path: Path) -> list[FieldProblem]:
    found = []
    for line in error.problems:
        parts = [p.strip() for p in line.split(": ", 3)]
        if len(parts) >= 4 and parts[0] == str(path):
            item, field, message = parts[1], parts[2], parts[3]
            found.append(FieldProblem(item.removeprefix("claim:"),
                                      _FIELDS.get(field, field), message))
        else:
            found.append(FieldProblem("file", "-", line))
    return found


def save_draft(store, draft: dict, text: str, into: Path, *,
               texts: Path | None = None) -> SaveReport:
    """Validate ``draft`` and write its accepted claims to ``into/<source id>.ttl`` and the store.

    Raises
    ------
    graph.errors.ValidationError
        With ``field_problems`` (a list of :class:`FieldProblem`): nothing was written.
    """
    from graph.build import file_graph_name, source_files, stable_blank_nodes
    from graph.claims import derived_triples
    from graph.sources.countries import state_triples
    from graph.sources.turtle import read_turtle
    from graph.validate import SourceText, validate

    known = _known(store)
    states = _new_states(draft, known)
    problems = check_draft(draft, text, lambda iri: iri in states or known(iri))
    if problems:
        raise _failure(problems)
    into = Path(into)
    path = into / f"{draft['source']['id']}.ttl"
    graph = draft_graph(draft, text)
    for iso3 in states.values():
        # A state the store does not know yet is declared from its ISO code, as the
        # spreadsheet importer does (proposals name any state of the Phoenix dictionaries).
        for triple in state_triples(iso3):
            graph.add(triple)
    files = {}
    for other in source_files([into] if into.is_dir() else []):
        if other.resolve() != path.resolve():
            files[other] = stable_blank_nodes(read_turtle(other))
    files[path] = graph
    if store is not None:
        files[Path("<store>")] = _store_context(store, graph)
    facts = text_facts(text)
    index = {facts["sha256"]: SourceText(texts or Path("<text>"), facts["sha256"], text)}
    try:
        union = validate(files, index)
    except ValidationError as exc:
        raise _failure(_problems(exc, path)) from exc
    claims = set(graph.subjects(RDF.type, SG.Claim))
    triples = set(graph)
    for claim, triple in derived_triples(union):
        if claim in claims:
            triples.add(triple)
    into.mkdir(parents=True, exist_ok=True)
    header = (f"# Claims coded with the stancegraph workbench by {draft['coder']} from "
              f"{short(SOURCE[draft['source']['id']])}.\n# Evidence offsets are Python str "
              f"indices into the text whose SHA-256 is given (sg:textSha256).\n\n")
    body = header + graph.serialize(format="turtle")
    handle, temporary = tempfile.mkstemp(dir=into, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        name = file_graph_name(path)
        if store is not None:
            store.replace_graphs({name: list(triples)})
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return SaveReport(str(path), str(name), len(claims), len(triples))


def _failure(problems: list[FieldProblem]) -> ValidationError:
    error = ValidationError([f"{p.item}: {p.field}: {p.message}" for p in problems])
    error.field_problems = problems
    return error


# ------------------------------------------------------------------------------ drafts


def _draft_path(into: Path, sha256: str) -> Path:
    return Path(into) / ".drafts" / f"{sha256}.json"


def write_draft_file(into: Path, sha256: str, draft: dict) -> Path:
    """Autosave: write the draft for the text ``sha256`` atomically (temporary file, rename).

    A draft whose ``updated`` time stamp (ISO, set by the page) is older than the one on disk
    is ignored, so that a late request cannot undo a newer one.
    """
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise InputError(f"not a SHA-256: {sha256[:80]!r}")
    path = _draft_path(into, sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Requests may arrive out of order: never replace a draft by an older one.
    try:
        current = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        current = {}
    if str(current.get("updated", "")) > str(draft.get("updated", "")):
        return path
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".partial")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(draft, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_draft_file(into: Path, sha256: str) -> dict | None:
    """The autosaved draft for the text ``sha256``, or None."""
    path = _draft_path(into, sha256)
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable draft: {exc}") from exc
