"""Check data against the vocabulary: SHACL shapes (pySHACL), then evidence against source texts."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SH

from graph.errors import ValidationError
from graph.resources import shapes_path
from graph.vocab import SG, ontology_graph, short

__all__ = ["validate", "load_texts", "evidence_mismatch", "claims_elsewhere", "SourceText",
           "MAX_EVIDENCE_WORDS"]

#: Evidence is a short quoted fragment; past this many words it is a passage, not a quote.
MAX_EVIDENCE_WORDS = 25


@dataclass(frozen=True)
class SourceText:
    """The text of a source, found on disk by its SHA-256, to check evidence offsets against."""

    path: Path
    sha256: str
    text: str


def load_texts(folders: Iterable[Path]) -> dict[str, SourceText]:
    """Index every file in ``folders`` by SHA-256 of its bytes (texts are never copied in)."""
    texts: dict[str, SourceText] = {}
    for folder in folders:
        folder = Path(folder)
        files = [folder] if folder.is_file() else sorted(
            p for p in folder.rglob("*") if p.is_file())
        for path in files:
            raw = path.read_bytes()
            digest = hashlib.sha256(raw).hexdigest()
            try:
                texts[digest] = SourceText(path, digest, raw.decode("utf-8"))
            except UnicodeDecodeError:
                continue
    return texts


@dataclass(frozen=True)
class _SparqlCheck:
    """One SPARQL constraint of a node shape (SHACL-SPARQL, section 5), read from the shapes."""

    shape: URIRef
    target: str | None  # a SPARQLTarget's SELECT ?this, or None
    target_classes: tuple[URIRef, ...]
    select: str  # the constraint's SELECT, $this pre-bound to each focus node
    message: str


def _prefix_header(shapes: Graph, node) -> str:
    """``PREFIX`` lines for the ``sh:declare``s of the ``sh:prefixes`` of ``node``."""
    lines = []
    for owner in shapes.objects(node, SH.prefixes):
        for declared in shapes.objects(owner, SH.declare):
            prefix = shapes.value(declared, SH.prefix)
            namespace = shapes.value(declared, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(lines) + "\n"


def _closure(shapes: Graph, node) -> set:
    """The triples of ``node`` and of the blank nodes it leads to (a shape and its parts)."""
    found, todo = set(), [node]
    while todo:
        subject = todo.pop()
        for p, o in shapes.predicate_objects(subject):
            if (subject, p, o) not in found:
                found.add((subject, p, o))
                if isinstance(o, BNode):
                    todo.append(o)
    return found


@cache
def _shapes() -> tuple[Graph, tuple[_SparqlCheck, ...]]:
    """The core shapes for pySHACL, and the SPARQL constraints split off from them.

    pySHACL parses every SPARQL query with rdflib's pyparsing grammar (about 0.35 s for our
    eight, more than the whole build of the seed otherwise) and evaluates it in rdflib.
    The same queries, taken from the same shapes file, run in pyoxigraph in milliseconds;
    ``tests/test_validate_fast.py`` checks that both give the same problems. The core shapes
    go to pySHACL with their property shapes lifted (:func:`_lift_property_shapes`).
    """
    shapes = Graph().parse(shapes_path(), format="turtle")
    checks = []
    for shape in sorted(set(shapes.subjects(SH.sparql, None))):
        target = None
        for node in shapes.objects(shape, SH.target):
            if (node, RDF.type, SH.SPARQLTarget) in shapes:
                target = _prefix_header(shapes, node) + str(shapes.value(node, SH.select))
            else:
                raise ValueError(f"{shape}: only SPARQL targets are supported with sh:sparql")
        classes = tuple(sorted(shapes.objects(shape, SH.targetClass)))
        for constraint in shapes.objects(shape, SH.sparql):
            checks.append(_SparqlCheck(
                shape, target, classes,
                _prefix_header(shapes, constraint) + str(shapes.value(constraint, SH.select)),
                str(shapes.value(constraint, SH.message) or ""),
            ))
        for triple in _closure(shapes, shape):
            shapes.remove(triple)
    _lift_property_shapes(shapes)
    return shapes, tuple(checks)


#: The target predicates of SHACL core (section 2.1.3), copied from a node shape to its
#: property shapes by :func:`_lift_property_shapes`.
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)


def _lift_property_shapes(shapes: Graph) -> Graph:
    """Give each property shape the targets of the node shape that holds it; ``shapes``, changed.

    pySHACL (0.40) checks a node shape's ``sh:property`` shapes once per focus node, each a
    ``Shape.validate`` call that scans the shape's parameters anew: 1,500 calls and 60 % of
    the validation of the seed for 21 property shapes. A property shape with the node shape's
    targets is checked once for all of those focus nodes and gives the same results (SHACL
    2.3.1: a focus node conforms to a node shape's ``sh:property`` exactly when it conforms to
    that property shape; each result names the property shape, its path and the focus node).

    A node shape is left as it is unless the rewrite is plainly the same: it must have
    core targets only (no ``sh:target``, no implicit class target: typed ``sh:NodeShape``
    and nothing else), no other shape or list may refer to it (``sh:node``, ``sh:or``...),
    and it must not be closed, deactivated or given a severity, all of which read or change
    its property shapes as a whole, nor be a property shape itself. Each property shape moved
    must have a path, hold only parameters that read the focus node and its values
    (``_LIFTABLE``: no targets, severity or qualified value shapes of its own), and belong to
    this node shape alone.
    ``tests/test_shape_lifting.py`` checks that pySHACL reports the same with and
    without the rewrite; ``tests/test_validate_fast.py`` compares the build's problems
    with pySHACL on the shapes file as written.
    """
    for node in sorted(set(shapes.subjects(SH.property, None)), key=str):
        targets = [(p, o) for p in _TARGETS for o in shapes.objects(node, p)]
        if not targets or not _may_lift_from(shapes, node):
            continue
        for prop in sorted(set(shapes.objects(node, SH.property)), key=str):
            if not _may_lift(shapes, prop):
                continue
            shapes.remove((node, SH.property, prop))
            for predicate, target in targets:
                shapes.add((prop, predicate, target))
    return shapes


def _may_lift_from(shapes: Graph, node) -> bool:
    """Whether ``node``'s property shapes may take its targets (see _lift_property_shapes)."""
    return (
        set(shapes.objects(node, RDF.type)) <= {SH.NodeShape}
        # a property shape's own sh:property applies to its values, not to its focus nodes
        and (node, SH.path, None) not in shapes
        and next(shapes.subjects(None, node), None) is None
        and not any(next(shapes.objects(node, p), None) is not None
                    for p in (SH.target, SH.severity, SH.closed, SH.deactivated))
    )


#: What a property shape may hold to be lifted: the SHACL core parameters that read only the
#: focus node and its values (sections 4.1-4.8 but qualified value shapes, whose
#: ``sh:qualifiedValueShapesDisjoint`` reads the sibling shapes through the parent's
#: ``sh:property``), and the non-validating ones (section 2.3.2).
_LIFTABLE = frozenset({
    RDF.type, SH.path, SH.message, SH.name, SH.description, SH.order, SH.group,
    SH.defaultValue, SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount,
    SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive, SH.minLength,
    SH.maxLength, SH.pattern, SH.flags, SH.languageIn, SH.uniqueLang, SH.equals, SH.disjoint,
    SH.lessThan, SH.lessThanOrEquals, SH["not"], SH["and"], SH["or"], SH.xone, SH.node,
    SH["in"], SH.hasValue,
})


def _may_lift(shapes: Graph, prop) -> bool:
    """Whether the property shape ``prop`` may take its node shape's targets."""
    return (
        next(shapes.objects(prop, SH.path), None) is not None
        and len(set(shapes.subject_predicates(prop))) == 1
        and set(shapes.predicates(prop, None)) <= _LIFTABLE
    )


def _sparql_problems(union: Graph, checks: Iterable[_SparqlCheck]) -> list[tuple]:
    """``(focus, path, value, message)`` of every violation of ``checks`` in ``union``.

    SHACL-SPARQL semantics: the focus nodes are the shape's targets; the constraint's SELECT
    runs with ``$this`` pre-bound to each, and each solution is one violation (its ``?path``
    and ``?value`` when bound, ``{?var}`` in the message filled from the solution).
    """
    from graph.store import open_store
    from graph.vocab import ONTOLOGY_GRAPH

    checks = list(checks)
    if not checks:
        return []
    store = open_store("oxigraph:memory")
    store.replace_graphs({ONTOLOGY_GRAPH: list(union)})
    found = []
    for check in checks:
        focus = set()
        if check.target is not None:
            focus |= {row[0] for row in store.query(check.target)}
        for cls in check.target_classes:
            focus |= set(union.subjects(RDF.type, cls))
        for node in sorted(focus):
            for row in store.query(check.select, {"this": node}):
                solution = row.asdict()
                message = re.sub(r"\{[?$](\w+)\}",
                                 lambda m, s=solution: str(s.get(m.group(1), m.group(0))),
                                 check.message)
                found.append((node, solution.get("path"), solution.get("value"), message))
    store.close()
    return found


def _origin_index(files: Mapping[Path, Graph]) -> dict[URIRef, Path]:
    where: dict[URIRef, Path] = {}
    for path, graph in files.items():
        for subject in graph.subjects(RDF.type, None):
            where.setdefault(subject, path)
    return where


def _shacl_problems(union: Graph, origin: Mapping[URIRef, Path]) -> list[str]:
    import pyshacl

    shapes, checks = _shapes()
    found = []
    try:
        # inplace: no copy of the union (nothing is inferred, so pySHACL changes nothing in it)
        conforms, report, _ = pyshacl.validate(union, shacl_graph=shapes, inference="none",
                                               advanced=True, allow_warnings=True, inplace=True)
    except TypeError:
        # pySHACL 0.40 cannot compare an ill-typed literal ("yes"^^xsd:date) with a date
        # (sh:lessThanOrEquals): such values are reported here, and the rest is validated
        # without them.
        set_aside = {(s, p, o) for s, p, o in union if isinstance(o, Literal) and o.ill_typed}
        if not set_aside:
            raise
        found = [(s, p, o, f"{o} is not a valid {short(o.datatype)}")
                 for s, p, o in sorted(set_aside)]
        rest = Graph()
        for triple in union:
            if triple not in set_aside:
                rest.add(triple)
        conforms, report, _ = pyshacl.validate(rest, shacl_graph=shapes, inference="none",
                                               advanced=True, allow_warnings=True, inplace=True)
    found += [] if conforms else [
        (report.value(result, SH.focusNode), report.value(result, SH.resultPath),
         report.value(result, SH.value), report.value(result, SH.resultMessage))
        for result in report.subjects(RDF.type, SH.ValidationResult)
    ]
    found += _sparql_problems(union, checks)
    problems = []
    for focus, path, value, message in found:
        where = origin.get(focus, "<input>")
        field = short(path) if path is not None else "-"
        shown = value is not None and value != focus  # node checks report the claim itself
        detail = f" (value {value.n3() if hasattr(value, 'n3') else value})" if shown else ""
        problems.append(f"{where}: {short(focus)}: {field}: {message}{detail}")
    return sorted(set(problems))


def _evidence_problems(
    union: Graph, origin: Mapping[URIRef, Path], texts: Mapping[str, SourceText]
) -> list[str]:
    problems = []
    for claim in union.subjects(RDF.type, SG.Claim):
        evidence = union.value(claim, SG.evidence)
        if evidence is None:
            continue
        where = f"{origin.get(claim, '<input>')}: {short(claim)}: sg:evidence"
        words = len(str(evidence).split())
        if words > MAX_EVIDENCE_WORDS:
            problems.append(
                f"{where}: evidence has {words} words; quote at most {MAX_EVIDENCE_WORDS}"
            )
        source = union.value(claim, PROV.wasDerivedFrom)
        digest = union.value(source, SG.textSha256) if source is not None else None
        text = texts.get(str(digest)) if digest is not None else None
        start, end = union.value(claim, SG.evidenceStart), union.value(claim, SG.evidenceEnd)
        if text is None or start is None or end is None:
            continue
        message = evidence_mismatch(text, int(start), int(end), str(evidence))
        if message:
            problems.append(f"{where}: {message}")
    return problems


def claims_elsewhere(store, claims: Iterable[URIRef], *,
                     ignore: Callable[[str], bool]) -> dict[URIRef, str]:
    """Which of ``claims`` the store already holds in a graph not ``ignore``d, and where.

    Returns claim -> a place for the user: the graph, and the file and line of the claim when
    an importer recorded them (``sg:dataset``, ``sg:row``).
    """
    import warnings

    from graph.sources.values import check_iri

    names = []
    for claim in dict.fromkeys(claims):
        try:
            names.append(f"<{check_iri(str(claim))}>")
        except ValueError:
            continue  # the parser or the shapes report it; it cannot be stored anyway
    found: dict[URIRef, str] = {}
    for start in range(0, len(names), 400):
        values = " ".join(names[start:start + 400])
        text = ("SELECT ?c ?g ?dataset ?row WHERE { VALUES ?c { " + values + " } "
                "GRAPH ?g { ?c a sg:Claim OPTIONAL { ?c sg:dataset ?dataset } "
                "OPTIONAL { ?c sg:row ?row } } }")
        with warnings.catch_warnings():  # rdflib's GRAPH ?g calls its own deprecated API
            warnings.simplefilter("ignore", DeprecationWarning)
            rows = list(store.query(text))
        for claim, graph, dataset, row in sorted(rows, key=lambda r: tuple(map(str, r))):
            if claim in found or ignore(str(graph)):
                continue
            place = f"the graph <{graph}>"
            if dataset is not None:
                place += f" ({dataset}" + (f", line {row}" if row is not None else "") + ")"
            found[claim] = place
    return found


def evidence_mismatch(text: SourceText, start: int, end: int, evidence: str) -> str | None:
    """Why ``text.text[start:end]`` is not ``evidence``, or None when it is.

    The one check of quoted fragments against their source text: ``stancegraph build --texts``
    and ``stancegraph import csv --texts`` report the same message.

    Examples
    --------
    >>> text = SourceText(Path("a.txt"), "0" * 64, "North Korea fired two missiles")
    >>> evidence_mismatch(text, 0, 11, "North Korea") is None
    True
    >>> evidence_mismatch(text, 99999, 100013, "abc")
    'offsets 99999..100013 fall outside a.txt (30 characters)'
    """
    found = text.text[start:end]
    if end > len(text.text):
        return f"offsets {start}..{end} fall outside {text.path} ({len(text.text)} characters)"
    if found != evidence:
        return (f"{text.path}[{start}:{end}] is {found[:60]!r}, "
                f"not the quoted fragment {evidence[:60]!r}")
    return None


def validate(
    files: Mapping[Path, Graph], texts: Mapping[str, SourceText] | None = None, *,
    stored: Mapping[URIRef, str] | None = None,
) -> Graph:
    """Validate the union of ``files`` with the vocabulary; return that union graph.

    A claim id belongs to one file: a claim in two files, or in a file and in ``stored`` (claim
    -> where the store already holds it, see :func:`claims_elsewhere`), is a problem, and so is
    a claim whose actor is its target (a self-tie).

    Raises
    ------
    ValidationError
        One line per problem: ``file: claim: field: message``. Nothing is written by the
        caller when this is raised.
    """
    union = Graph()
    for triple in ontology_graph():
        union.add(triple)
    seen: dict[URIRef, Path] = {}
    problems = []
    for path, graph in files.items():
        for claim in graph.subjects(RDF.type, SG.Claim):
            if claim in seen and seen[claim] != path:
                problems.append(f"{path}: {short(claim)}: claim id already used in {seen[claim]}")
            elif stored and claim in stored:
                problems.append(f"{path}: {short(claim)}: claim id already used in "
                                f"{stored[claim]}; a claim id belongs to one file or import")
            seen[claim] = path
            actor = graph.value(claim, SG.actor)
            if actor is not None and actor == graph.value(claim, SG.target):
                problems.append(f"{path}: {short(claim)}: sg:target: a self-tie: {short(actor)} "
                                "is both actor and target")
        for triple in graph:
            union.add(triple)
    origin = _origin_index(files)
    problems += _shacl_problems(union, origin)
    problems += _evidence_problems(union, origin, texts or {})
    if problems:
        raise ValidationError(problems)
    return union
