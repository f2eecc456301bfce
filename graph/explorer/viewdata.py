"""What the explorer's views read from the store (nodes, claims, sources), and their filters."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from rdflib.namespace import PROV

from graph.errors import InputError
from graph.explorer.styles import NODE_CLASSES, OTHER, kind_rank
from graph.vocab import SG, relations, short

__all__ = [
    "NodeRecord",
    "ClaimRecord",
    "ViewData",
    "Filters",
    "load_view_data",
    "parse_filters",
    "local_name",
]


@dataclass(frozen=True)
class NodeRecord:
    """An actor or target: its IRI, node kind (a :class:`graph.explorer.styles.NodeClass` key), code
    and label."""

    iri: str
    kind: str
    code: str
    label: str


@dataclass(frozen=True)
class ClaimRecord:
    """One claim as the views need it: its edge, validity, confidence, source and evidence."""

    iri: str
    actor: str
    relation: str
    target: str
    derived: bool
    start: str
    end: str
    confidence: float
    source: str
    source_title: str
    evidence: str
    derived_from: str
    issues: tuple = ()
    position: float | None = None
    date: str = ""
    valid_from: str = ""


@dataclass
class ViewData:
    """Everything the views read from the store, keyed by IRI (sources map to their titles)."""

    nodes: dict[str, NodeRecord]
    claims: dict[str, ClaimRecord]
    sources: dict[str, str]


_NODES_QUERY = """
SELECT ?x ?cls ?code ?iso ?label WHERE {
    ?x a ?cls . ?cls rdfs:subClassOf* ?top . VALUES ?top { sg:Actor sg:Target }
    OPTIONAL { ?x sg:code ?code }
    OPTIONAL { ?x sg:isoCode ?iso }
    OPTIONAL { ?x rdfs:label ?label }
}"""

# Every property of every claim in one pass (a plain pattern: far faster on rdflib than one
# OPTIONAL per property), kept in Python by _CLAIM_FIELDS.
_CLAIMS_QUERY = "SELECT ?claim ?p ?o WHERE { ?claim a sg:Claim ; ?p ?o }"
_SOURCES_QUERY = "SELECT ?source ?title WHERE { ?source a sg:Source . " \
                 "OPTIONAL { ?source dcterms:title ?title } }"
_CLAIM_FIELDS = {
    str(SG.actor): "actor", str(SG.relation): "relation", str(SG.target): "target",
    str(SG.mode): "mode", str(SG.confidence): "confidence", str(PROV.wasDerivedFrom): "source",
    str(SG.evidence): "evidence", str(SG.derivedFrom): "derived_from", str(SG.date): "date",
    str(SG.validFrom): "valid_from", str(SG.validUntil): "valid_until",
    str(SG.onIssue): "issues", str(SG.position): "position",
}


def _iso(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``/`` or ``#``."""
    return re.split(r"[/#]", iri)[-1]


def load_view_data(store, claims=None) -> ViewData:
    """Every actor and target with class, code and label; every claim with source and evidence.

    With ``claims`` (IRIs), only those claims are read: an aggregated page of the whole UN
    record needs the few claims behind its state ties, not the 870,000 votes (11 million
    triples, minutes and gigabytes to read).
    """
    nodes: dict[str, NodeRecord] = {}
    rows = store.select_rows(_NODES_QUERY)
    for row in sorted(rows, key=lambda r: (r["x"], r["cls"], str(r.get("label") or ""))):
        cls = NODE_CLASSES.get(local_name(row["cls"]))
        iri = row["x"]
        known = nodes.get(iri)
        if known and (cls is None or kind_rank(known.kind) <= kind_rank(cls.key)):
            continue
        code = str(row.get("code") or row.get("iso")
                   or (known.code if known else local_name(iri)))
        label = str(row.get("label") or (known.label if known else "") or code)
        nodes[iri] = NodeRecord(iri, cls.key if cls else OTHER.key, code, label)
    sources = {}
    for row in sorted(store.select_rows(_SOURCES_QUERY), key=lambda r: (r["source"],
                                                                         str(r.get("title")))):
        sources.setdefault(row["source"], str(row.get("title") or short(row["source"])))
    fields: dict[str, dict] = defaultdict(dict)
    if claims is None:
        claim_rows = store.select_rows(_CLAIMS_QUERY)
    else:
        from graph.analysis.project import claims_then

        wanted = sorted(set(claims))
        claim_rows = claims_then(
            store, "SELECT ?claim WHERE { VALUES ?claim { WANTED } ?claim a sg:Claim }".replace(
                "WANTED", " ".join(f"<{c}>" for c in wanted)),
            "SELECT ?claim ?p ?o WHERE { VALUES ?claim { CLAIMS } ?claim ?p ?o }",
        ) if wanted else []
    for row in claim_rows:
        name = _CLAIM_FIELDS.get(row["p"])
        if name is None:
            continue
        values = fields[row["claim"]]
        if name == "issues":
            values.setdefault(name, []).append(row["o"])
        elif name not in values or str(row["o"]) < str(values[name]):
            values[name] = row["o"]  # a repeated property: the smallest value, for stability
    claims: dict[str, ClaimRecord] = {}
    for iri, values in sorted(fields.items()):
        if not all(k in values for k in ("actor", "relation", "target")):
            continue
        source = values.get("source") or ""
        claims[iri] = ClaimRecord(
            iri=iri,
            actor=values["actor"],
            relation=local_name(values["relation"]),
            target=values["target"],
            derived=values.get("mode") == str(SG.Derived),
            start=_iso(values.get("valid_from")) or _iso(values.get("date")),
            end=_iso(values.get("valid_until")),
            confidence=float(values["confidence"]) if "confidence" in values else 1.0,
            source=source,
            source_title=sources.get(source, ""),
            evidence=str(values.get("evidence") or ""),
            derived_from=values.get("derived_from") or "",
            issues=tuple(sorted(values.get("issues", ()))),
            position=float(values["position"]) if "position" in values else None,
            date=_iso(values.get("date")),
            valid_from=_iso(values.get("valid_from")),
        )
    return ViewData(nodes, claims, sources)


# ------------------------------------------------------------------------------ filters

@dataclass(frozen=True)
class Filters:
    """The relation, actor type, source and date filters of a view, checked and resolved.

    ``as_of`` is the date asked for; ``weights`` (claim IRI -> weight at D, docs/TIME.md), when
    set, decides which claims count: those with a weight above 0.
    """

    relations: frozenset | None
    types: frozenset | None
    source: str | None
    as_of: str | None
    weights: dict | None = None

    @property
    def on_edges(self) -> bool:
        """Whether a relation or source filter applies to edges (then nodes left without an
        edge go; the date removes only the nodes all of whose edges lapsed)."""
        return self.relations is not None or self.source is not None

    def keeps(self, claim: ClaimRecord, timed: bool = True) -> bool:
        """Whether the claim passes the relation and source filters and (with ``timed``)
        counts at the date."""
        if self.relations is not None and claim.relation not in self.relations:
            return False
        if self.source is not None and claim.source != self.source:
            return False
        return self.valid(claim) if timed else True

    def valid(self, claim: ClaimRecord) -> bool:
        """Whether the claim counts at the date: its weight (docs/TIME.md) is above 0."""
        if self.weights is not None:
            return self.weights.get(claim.iri, 0.0) > 0
        if self.as_of is None:
            return True
        if claim.start and claim.start > self.as_of:
            return False
        return not (claim.end and claim.end < self.as_of)

    def describe(self, data: ViewData) -> list[str]:
        """The filters in words, one phrase each, for the page's summary."""
        parts = []
        if self.relations is not None:
            parts.append("relations: " + ", ".join(sorted(self.relations)))
        if self.types is not None:
            parts.append("types: " + ", ".join(sorted(self.types)))
        if self.source is not None:
            parts.append("source: " + data.sources.get(self.source, self.source))
        if self.as_of is not None:
            parts.append("as of " + self.as_of)
        return parts


def parse_filters(data: ViewData, relation_names, actor_types, source, as_of) -> Filters:
    """The :class:`Filters` for these options; InputError names an unknown value and the known
    ones."""
    table = relations()
    chosen_relations = None
    if relation_names:
        by_lower = {name.lower(): name for name in table}
        chosen = set()
        for name in relation_names:
            key = str(name).strip().removeprefix("sg:").lower()
            if key not in by_lower:
                raise InputError(f"unknown relation {name!r}; known: {', '.join(sorted(table))}")
            chosen.add(by_lower[key])
        chosen_relations = frozenset(chosen)
    chosen_types = None
    if actor_types:
        known = {c.key for c in NODE_CLASSES.values()}
        aliases = {"organization": "organisation", "mediaoutlet": "media", "policy": "issue"}
        chosen = set()
        for name in actor_types:
            key = aliases.get(str(name).strip().lower(), str(name).strip().lower())
            if key not in known:
                raise InputError(f"unknown actor type {name!r}; known: {', '.join(sorted(known))}")
            chosen.add(key)
        chosen_types = frozenset(chosen)
    chosen_source = None
    if source:
        wanted = str(source).strip()
        for iri, title in sorted(data.sources.items()):
            if wanted in (iri, short(iri), local_name(iri)) or wanted.lower() == title.lower():
                chosen_source = iri
                break
        else:
            known = ", ".join(local_name(i) for i in sorted(data.sources)) or "none"
            raise InputError(f"unknown source {source!r}; known: {known}")
    return Filters(chosen_relations, chosen_types, chosen_source, _date(as_of))


def _date(value) -> str | None:
    if not value:
        return None
    from graph.dates import parse_date

    return parse_date(value, what="as-of date")
