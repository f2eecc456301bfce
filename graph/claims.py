"""Claims as statement nodes, and what the build derives from them.

Following Wikidata's statement model, each stance is a node (``sg:Claim``) with its qualifiers
and references; the direct edge ``actor relation target`` is derived from it, for easy queries.
Importers build :class:`Claim` objects and call :func:`claim_triples`; hand-coded Turtle is
already claim triples, and :func:`derived_triples` adds what the build derives for both.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS, XSD
from rdflib.term import Node

from graph.vocab import SG, relation_by_iri, relations

__all__ = ["Claim", "claim_triples", "derived_triples", "Representation"]

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Claim:
    """One stance with its provenance. Dates are ISO strings (``YYYY-MM-DD``)."""

    iri: URIRef
    actor: URIRef
    relation: URIRef
    target: URIRef
    source: URIRef
    issue: URIRef | None = None
    issue_position: float | None = None
    date: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    evidence: str | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None
    confidence: float | None = None
    derived: bool = False
    derived_from: URIRef | None = None
    dataset: str | None = None
    record_id: str | None = None
    row: int | None = None
    weight: float | None = None
    note: str | None = None
    on_issues: tuple[URIRef, ...] = ()
    open_ended: bool = False
    coverage_end: str | None = None


def _date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


def claim_triples(claim: Claim, *, with_edges: bool = True) -> Iterator[Triple]:
    """The statement node's triples, its derived position, and (by default) its direct edge(s).

    Examples
    --------
    >>> from graph.vocab import CLAIM, SOURCE, STATE, SG
    >>> c = Claim(CLAIM.x, STATE.USA, SG.criticizes, STATE.PRK, SOURCE.s, date="2021-03-18")
    >>> (STATE.USA, SG.criticizes, STATE.PRK) in set(claim_triples(c))
    True
    """
    node = claim.iri
    yield node, RDF.type, SG.Claim
    yield node, SG.actor, claim.actor
    yield node, SG.relation, claim.relation
    yield node, SG.target, claim.target
    yield node, PROV.wasDerivedFrom, claim.source
    yield node, SG.mode, SG.Derived if claim.derived else SG.Stated
    optional = [
        (SG.issue, claim.issue),
        (SG.issuePosition, _decimal(claim.issue_position)),
        (SG.date, claim.date and _date(claim.date)),
        (SG.validFrom, claim.valid_from and _date(claim.valid_from)),
        (SG.validUntil, claim.valid_until and _date(claim.valid_until)),
        (SG.evidence, claim.evidence and Literal(claim.evidence)),
        (SG.evidenceStart, _count(claim.evidence_start)),
        (SG.evidenceEnd, _count(claim.evidence_end)),
        (SG.confidence, _decimal(claim.confidence)),
        (SG.derivedFrom, claim.derived_from),
        (SG.dataset, claim.dataset and Literal(claim.dataset)),
        (SG.recordId, claim.record_id and Literal(claim.record_id)),
        (SG.row, claim.row is not None and Literal(claim.row)),
        (SG.eventWeight, _decimal(claim.weight)),
        (SG.note, claim.note and Literal(claim.note)),
        # docs/TIME.md: an interval running at the end of the data's coverage is not ended
        (SG.openEnded, Literal(True) if claim.open_ended else None),
        (SG.coverageEnd, claim.coverage_end and _date(claim.coverage_end)),
    ]
    for predicate, value in optional:
        if value is not None and value is not False and value != "":
            yield node, predicate, value
    if with_edges:
        relation = relation_by_iri(claim.relation)
        yield claim.actor, claim.relation, claim.target
        if relation.symmetric:
            yield claim.target, claim.relation, claim.actor
        issues = claim.on_issues or ((claim.issue,) if claim.issue is not None else ())
        position = claim.issue_position
        for issue in issues:
            yield node, SG.onIssue, issue
        if issues:
            yield node, SG.position, _decimal(relation.polarity if position is None else position)


def _decimal(value: float | None) -> Literal | None:
    return None if value is None else Literal(round(float(value), 6), datatype=XSD.decimal)


def _count(value: int | None) -> Literal | None:
    return None if value is None else Literal(int(value), datatype=XSD.integer)


# ------------------------------------------------------------------------------ derivation

@dataclass(frozen=True)
class Representation:
    """``actor`` speaks for ``state`` from ``start`` to ``end`` (ISO dates, open when None)."""

    actor: URIRef
    state: URIRef
    start: str | None = None
    end: str | None = None

    def overlaps(self, start: str | None, end: str | None) -> bool:
        """True when the claim's interval [start, end] (open ends allowed) meets this term."""
        starts_before_end = self.end is None or start is None or start <= self.end
        ends_after_start = self.start is None or end is None or self.start <= end
        return starts_before_end and ends_after_start


def representations(graph: Graph) -> dict[URIRef, list[Representation]]:
    """Who represents which state when: dated office terms first, plain sg:represents otherwise."""
    table: dict[URIRef, list[Representation]] = defaultdict(list)
    for actor, term in graph.subject_objects(SG.holdsOffice):
        state = graph.value(term, SG.ofState)
        if state is None:
            continue
        start, end = graph.value(term, SG.validFrom), graph.value(term, SG.validUntil)
        table[actor].append(Representation(actor, state, _iso(start), _iso(end)))
    for actor, state in graph.subject_objects(SG.represents):
        if not any(r.state == state for r in table[actor]):
            start, end = graph.value(actor, SG.validFrom), graph.value(actor, SG.validUntil)
            table[actor].append(Representation(actor, state, _iso(start), _iso(end)))
    return table


def _iso(value) -> str | None:
    if value is None:
        return None
    python = value.toPython() if isinstance(value, Literal) else value
    return python.isoformat() if isinstance(python, dt.date) else str(python)


def _represented(table, actor: URIRef, start: str | None, end: str | None) -> URIRef | None:
    states = sorted({r.state for r in table.get(actor, ()) if r.overlaps(start, end)})
    return states[0] if len(states) == 1 else None


def _issues_of(graph: Graph, claim: URIRef, target: URIRef) -> list[URIRef]:
    explicit = sorted(graph.objects(claim, SG.issue))
    if explicit:
        return explicit
    if (target, RDF.type, SG.Issue) in graph or (target, RDF.type, SKOS.Concept) in graph:
        return [target]
    return sorted(graph.objects(target, SG.about))


def derived_triples(graph: Graph) -> Iterator[tuple[URIRef, Triple]]:
    """What the build derives from the claims in ``graph``, each with the claim it belongs to.

    For every stated claim: its mode (when the author left it out), its direct edge (both ways
    for symmetric relations), the issue(s) it is a position on (``sg:onIssue``) and the position
    (``sg:position``). For a claim whose actor or target represents a state (a minister, an
    administration, a state-run outlet), a derived claim at state level, linked back with
    ``sg:derivedFrom``: Blinken criticising the Kim regime also counts as the United States
    criticising North Korea.
    """
    table = representations(graph)
    known = {r.iri for r in relations().values()}
    for claim in sorted(graph.subjects(RDF.type, SG.Claim)):
        actor = graph.value(claim, SG.actor)
        relation = graph.value(claim, SG.relation)
        target = graph.value(claim, SG.target)
        if actor is None or target is None or relation not in known:
            continue  # validation reports these; derivation only runs on valid data
        spec = relation_by_iri(relation)
        if graph.value(claim, SG.mode) is None:
            yield claim, (claim, SG.mode, SG.Stated)
        yield claim, (actor, relation, target)
        if spec.symmetric:
            yield claim, (target, relation, actor)
        explicit_position = graph.value(claim, SG.issuePosition)
        position = explicit_position.toPython() if explicit_position is not None else spec.polarity
        for issue in _issues_of(graph, claim, target):
            yield claim, (claim, SG.onIssue, issue)
            yield claim, (claim, SG.position, _decimal(position))
        if graph.value(claim, SG.mode) == SG.Derived:
            continue
        day = _iso(graph.value(claim, SG.date))
        start = day or _iso(graph.value(claim, SG.validFrom))
        end = day or _iso(graph.value(claim, SG.validUntil))
        actor_state = _represented(table, actor, start, end)
        target_state = _represented(table, target, start, end)
        if actor_state is None and target_state is None:
            continue
        new_actor, new_target = actor_state or actor, target_state or target
        if new_actor == new_target:
            continue
        derived = URIRef(f"{claim}--state")
        for triple in _copy_as_derived(graph, claim, derived, new_actor, new_target):
            yield claim, triple
        yield claim, (new_actor, relation, new_target)
        if spec.symmetric:
            yield claim, (new_target, relation, new_actor)
        for issue in _issues_of(graph, claim, target):
            yield claim, (derived, SG.onIssue, issue)
            yield claim, (derived, SG.position, _decimal(position))


_NOT_COPIED = {SG.actor, SG.target, SG.mode, SG.onIssue, SG.position}


def _copy_as_derived(graph, claim, derived, actor, target) -> Iterable[Triple]:
    for predicate, value in graph.predicate_objects(claim):
        if predicate not in _NOT_COPIED:
            yield derived, predicate, value
    yield derived, SG.actor, actor
    yield derived, SG.target, target
    yield derived, SG.mode, SG.Derived
    yield derived, SG.derivedFrom, claim
