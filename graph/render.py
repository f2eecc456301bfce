"""The interactive HTML explorer: one self-contained pyvis page per view of the stance graph.

A view is first built as a ``networkx.MultiDiGraph`` from the store (SPARQL through
:mod:`graph.project`), then drawn with pyvis. The page carries vis-network inline and no
reference to any other host; it opens from ``file://`` with the network off. Text from the
data reaches the page only as escaped HTML, as JSON that cannot close a ``<script>``, or as
plain-text vis-network tooltips (never HTML popups).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import os
import re
import string
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from rdflib.namespace import PROV

from graph.errors import InputError
from graph.vocab import SG, relations, short

__all__ = [
    "VIEWS",
    "COLORINGS",
    "NODE_CLASSES",
    "EDGE_FAMILIES",
    "RenderReport",
    "relation_family",
    "view_graph",
    "render_page",
    "render",
]

VIEWS = ("claims", "states", "gaps")
COLORINGS = ("type", "clusters")


@dataclass(frozen=True)
class NodeClass:
    """How one class of node is drawn: vis shape, colour, and whether its border is dashed."""

    key: str
    label: str
    shape: str
    color: str
    dashed: bool = False


#: Node classes by their vocabulary class (``sg:State`` ...), in legend order.
NODE_CLASSES: dict[str, NodeClass] = {
    "State": NodeClass("state", "state", "dot", "#4e79a7"),
    "Person": NodeClass("person", "person", "triangle", "#f28e2b"),
    "Government": NodeClass("government", "government", "square", "#b07aa1"),
    "Organisation": NodeClass("organisation", "organisation", "hexagon", "#76b7b2"),
    "MediaOutlet": NodeClass("media", "media outlet", "triangleDown", "#9c755f"),
    "Issue": NodeClass("issue", "policy / issue", "diamond", "#edc948"),
    "Resolution": NodeClass("resolution", "resolution", "star", "#ff9da7"),
    "Event": NodeClass("event", "event", "dot", "#bab0ac", dashed=True),
}
_OTHER = NodeClass("other", "other", "dot", "#cccccc")
_KIND = {c.key: c for c in NODE_CLASSES.values()}
_KIND_ORDER = {c.key: i for i, c in enumerate(NODE_CLASSES.values())}


@dataclass(frozen=True)
class EdgeFamily:
    """How a family of relations is drawn, so that it reads without hovering."""

    key: str
    label: str
    color: str
    width: float
    dashes: tuple = ()
    arrow: bool = True


#: Edge families in legend order. Relations fall into one by :func:`relation_family`.
EDGE_FAMILIES: dict[str, EdgeFamily] = {
    f.key: f
    for f in (
        EdgeFamily("aligned", "aligned (mutual)", "#2ca02c", 4.0, arrow=False),
        EdgeFamily("cooperative", "cooperative", "#59a14f", 2.0),
        EdgeFamily("cosponsored", "co-sponsored", "#1f77b4", 2.5),
        EdgeFamily("declined", "declined / neutral", "#8c8c8c", 1.5, dashes=(6, 5)),
        EdgeFamily("conflictual", "conflictual", "#e15759", 2.0),
        EdgeFamily("coercive", "sanctions / force", "#8b0000", 5.0),
        EdgeFamily("tie-positive", "positive tie (net cooperative)", "#59a14f", 2.0, arrow=False),
        EdgeFamily("tie-negative", "negative tie (net conflictual)", "#e15759", 2.0, arrow=False),
        EdgeFamily("gap", "coordination gap (labelled by issue)", "#d95f02", 2.0,
                   dashes=(10, 4, 2, 4), arrow=False),
    )
}
# Relations with a family of their own that polarity and CAMEO root alone do not give.
_FAMILY_BY_NAME = {"coSponsored": "cosponsored"}
_CLUSTER_COLORS = ("#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2",
                   "#edc948", "#ff9da7", "#9c755f", "#17becf")
_UNCLUSTERED = "#d9d9d9"
_PHYSICS_MAX_NODES = 150  # above this, positions are computed in Python and physics stays off
_MIXED_DASHES = (2, 4)
_ASSETS = "render_assets"


def relation_family(relation) -> str:
    """The drawing family of a :class:`graph.vocab.Relation`, from its polarity and CAMEO root.

    Neutral relations (polarity 0) are ``declined``; cooperative symmetric ones ``aligned``;
    conflictual ones whose CAMEO root is 15 or above (force posture, reducing relations such
    as sanctions, coercion, violence) ``coercive``; other conflictual ones ``conflictual``;
    other cooperative ones ``cooperative``, except co-sponsorship, which has its own colour.

    Examples
    --------
    >>> from graph.vocab import relations
    >>> [relation_family(relations()[n]) for n in ("opposes", "sanctions", "alignedWith")]
    ['conflictual', 'coercive', 'aligned']
    """
    if relation.name in _FAMILY_BY_NAME:
        return _FAMILY_BY_NAME[relation.name]
    if relation.polarity == 0:
        return "declined"
    if relation.polarity > 0:
        return "aligned" if relation.symmetric else "cooperative"
    root = relation.cameo_root
    return "coercive" if root.isdigit() and int(root) >= 15 else "conflictual"


# ------------------------------------------------------------------------------ reading

@dataclass(frozen=True)
class _Node:
    iri: str
    kind: str
    code: str
    label: str


@dataclass(frozen=True)
class _Claim:
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


@dataclass
class _Data:
    nodes: dict[str, _Node]
    claims: dict[str, _Claim]
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


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def _load(store) -> _Data:
    """Every actor and target with class, code and label; every claim with source and evidence."""
    nodes: dict[str, _Node] = {}
    rows = store.select_rows(_NODES_QUERY)
    for row in sorted(rows, key=lambda r: (r["x"], r["cls"], str(r.get("label") or ""))):
        cls = NODE_CLASSES.get(_local(row["cls"]))
        iri = row["x"]
        known = nodes.get(iri)
        if known and (cls is None or _KIND_ORDER.get(known.kind, 99) <= _KIND_ORDER[cls.key]):
            continue
        code = str(row.get("code") or row.get("iso") or (known.code if known else _local(iri)))
        label = str(row.get("label") or (known.label if known else "") or code)
        nodes[iri] = _Node(iri, cls.key if cls else _OTHER.key, code, label)
    sources = {}
    for row in sorted(store.select_rows(_SOURCES_QUERY), key=lambda r: (r["source"],
                                                                         str(r.get("title")))):
        sources.setdefault(row["source"], str(row.get("title") or short(row["source"])))
    fields: dict[str, dict] = defaultdict(dict)
    for row in store.select_rows(_CLAIMS_QUERY):
        name = _CLAIM_FIELDS.get(row["p"])
        if name is None:
            continue
        values = fields[row["claim"]]
        if name == "issues":
            values.setdefault(name, []).append(row["o"])
        elif name not in values or str(row["o"]) < str(values[name]):
            values[name] = row["o"]  # a repeated property: the smallest value, for stability
    claims: dict[str, _Claim] = {}
    for iri, values in sorted(fields.items()):
        if not all(k in values for k in ("actor", "relation", "target")):
            continue
        source = values.get("source") or ""
        claims[iri] = _Claim(
            iri=iri,
            actor=values["actor"],
            relation=_local(values["relation"]),
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
        )
    return _Data(nodes, claims, sources)


# ------------------------------------------------------------------------------ filters

@dataclass(frozen=True)
class _Filters:
    relations: frozenset | None
    types: frozenset | None
    source: str | None
    as_of: str | None

    @property
    def on_edges(self) -> bool:
        return self.relations is not None or self.source is not None or self.as_of is not None

    def keeps(self, claim: _Claim) -> bool:
        if self.relations is not None and claim.relation not in self.relations:
            return False
        if self.source is not None and claim.source != self.source:
            return False
        return self.valid(claim)

    def valid(self, claim: _Claim) -> bool:
        """Whether the claim holds on ``as_of`` (as graph.project.valid_at decides)."""
        if self.as_of is None:
            return True
        if claim.start and claim.start > self.as_of:
            return False
        return not (claim.end and claim.end < self.as_of)

    def describe(self, data: _Data) -> list[str]:
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


def _filters(data: _Data, relation_names, actor_types, source, as_of) -> _Filters:
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
            if wanted in (iri, short(iri), _local(iri)) or wanted.lower() == title.lower():
                chosen_source = iri
                break
        else:
            known = ", ".join(_local(i) for i in sorted(data.sources)) or "none"
            raise InputError(f"unknown source {source!r}; known: {known}")
    return _Filters(chosen_relations, chosen_types, chosen_source, _date(as_of))


def _date(value) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise InputError(f"as-of date {value!r} is not a YYYY-MM-DD date") from exc


# ------------------------------------------------------------------------------ views

def _add_node(G, node: _Node) -> None:
    G.add_node(node.iri, kind=node.kind, code=node.code, label=node.label)


def _claims_view(data: _Data, flt: _Filters):
    """Every actor and target; one edge per direct edge (actor, relation, target)."""
    import networkx as nx

    table = relations()
    G = nx.MultiDiGraph()
    for node in sorted(data.nodes.values(), key=lambda n: n.iri):
        _add_node(G, node)
    grouped: dict[tuple[str, str, str], list[_Claim]] = defaultdict(list)
    for claim in data.claims.values():
        relation = table.get(claim.relation)
        if relation is None or claim.actor not in G or claim.target not in G:
            continue
        a, b = claim.actor, claim.target
        if relation.symmetric and b < a:
            a, b = b, a
        grouped[a, claim.relation, b].append(claim)
    for (a, name, b), claims in sorted(grouped.items()):
        kept = sorted((c for c in claims if flt.keeps(c)), key=lambda c: c.iri)
        if not kept:
            continue
        relation = table[name]
        G.add_edge(
            a, b, key=name, family=relation_family(relation), relations=[name], claims=kept,
            derived=all(c.derived for c in kept), symmetric=relation.symmetric,
            strength=sum(abs(relation.weight) * c.confidence for c in kept),
        )
    return G


def _tie(claims: list[_Claim]) -> dict | None:
    """A signed state tie from its claims, as graph.project.state_graph sums them."""
    table = relations()
    score, positive, negative = 0.0, 0, 0
    for claim in claims:
        relation = table[claim.relation]
        score += relation.polarity * abs(relation.weight) * claim.confidence
        positive += relation.polarity > 0
        negative += relation.polarity < 0
    score = round(score, 6)
    if score == 0:
        return None
    return {"score": score, "weight": abs(score), "positive": positive, "negative": negative}


def _states_view(store, data: _Data, flt: _Filters):
    """The state-level signed graph of :func:`graph.project.state_graph`."""
    import networkx as nx

    from graph.project import state_graph

    S = state_graph(store, as_of=flt.as_of)
    by_code = {n.code: n for n in data.nodes.values() if n.kind == "state"}
    G = nx.MultiDiGraph()
    iri_of = {}
    for code, attrs in S.nodes(data=True):
        node = by_code.get(code) or _Node(attrs.get("iri", code), "state", code,
                                          attrs.get("label", code))
        iri_of[code] = node.iri
        _add_node(G, node)
    for a, b, attrs in sorted(S.edges(data=True), key=lambda e: tuple(sorted(e[:2]))):
        a, b = sorted((a, b))
        claims = [data.claims[c] for c in attrs["claims"] if c in data.claims]
        tie = {k: attrs[k] for k in ("score", "weight", "positive", "negative")}
        if flt.relations is not None or flt.source is not None:
            claims = [c for c in claims if flt.keeps(c)]
            tie = _tie(claims) if claims else None
            if tie is None:
                continue
        G.add_edge(
            iri_of[a], iri_of[b], key="tie",
            family="tie-positive" if tie["score"] > 0 else "tie-negative",
            relations=sorted({c.relation for c in claims}), claims=claims, derived=False,
            symmetric=True, strength=tie["weight"], score=tie["score"],
            mixed=tie["positive"] > 0 and tie["negative"] > 0,
        )
    return G


def _gap_claim(row, data: _Data) -> _Claim:
    """The claim behind a gap's evidence row (read from the store when it is there)."""
    known = data.claims.get(row.claim)
    if known is not None:
        return known
    return _Claim(row.claim, "", row.relation, "", False, row.date, "", 1.0, row.source,
                  row.source_title, row.evidence, "")


def _gaps_view(store, data: _Data, flt: _Filters):
    """Allied states, their alliance edges and one labelled edge per coordination gap."""
    import networkx as nx

    from graph.analysis import run_gaps
    from graph.project import allied_pairs

    by_code = {n.code: n for n in data.nodes.values() if n.kind == "state"}
    G = nx.MultiDiGraph()

    def node(code):
        found = by_code.get(code) or _Node(code, "state", code, code)
        if found.iri not in G:
            _add_node(G, found)
        return found.iri

    table = relations()
    for a, b, basis in allied_pairs(store, as_of=flt.as_of):
        claims = [data.claims[c] for c in basis.split("; ") if c in data.claims]
        kept = [c for c in claims if flt.keeps(c)]
        if claims and not kept:
            continue
        ia, ib = node(a), node(b)
        G.add_edge(ia, ib, key="alliance", family="aligned", relations=["alignedWith"],
                   claims=kept, derived=False, symmetric=True,
                   strength=sum(abs(table["alignedWith"].weight) * c.confidence for c in kept))
    for gap in run_gaps(store, as_of=flt.as_of):
        if gap.distance <= 0:
            continue
        side_a = tuple(getattr(gap, "evidence_a", ()))
        side_b = tuple(getattr(gap, "evidence_b", ()))
        claims = sorted({_gap_claim(r, data) for r in side_a + side_b}, key=lambda c: c.iri)
        kept = [c for c in claims if flt.keeps(c)]
        if claims and not kept:
            continue
        ia, ib = node(gap.actor_a), node(gap.actor_b)
        G.add_edge(
            ia, ib, key=f"gap:{gap.issue}", family="gap", relations=sorted({c.relation
                                                                          for c in kept}),
            claims=kept, derived=False, symmetric=True, strength=float(gap.score),
            gap=gap, evidence_a=side_a, evidence_b=side_b,
        )
    return G


def _trim(G, budget: int, keep: str | None = None):
    """Keep at most ``budget`` nodes, adding the endpoints of the strongest edges first."""
    if G.number_of_nodes() <= budget:
        return G
    kept: set = {keep} if keep is not None else set()
    order = sorted(G.edges(keys=True, data=True),
                   key=lambda e: (-e[3].get("strength", 0.0), e[0], e[1], str(e[2])))
    for u, v, _, _ in order:
        new = {u, v} - kept
        if len(kept) + len(new) <= budget:
            kept |= new
        if len(kept) >= budget:
            break
    if len(kept) < budget:
        rest = sorted((n for n in G if n not in kept), key=lambda n: (-G.degree(n), n))
        kept |= set(rest[: budget - len(kept)])
    return G.subgraph(kept).copy()


def _focus(store, G, data: _Data, focus: str, depth: int, view: str):
    import networkx as nx

    from graph.query import resolve_actor

    center = str(resolve_actor(store, focus))
    if center not in G:
        node = data.nodes.get(center)
        name = f"{node.label} ({node.code})" if node else short(center)
        raise InputError(f"{name} is not in the {view} view (with these filters)")
    return nx.ego_graph(G, center, radius=depth, undirected=True).copy(), center


def view_graph(
    store,
    *,
    view: str = "claims",
    color: str | None = None,
    focus: str | None = None,
    depth: int = 1,
    relations=None,
    actor_types=None,
    source: str | None = None,
    as_of: str | None = None,
    node_budget: int = 500,
):
    """The graph a page draws, as a ``networkx.MultiDiGraph`` keyed by IRI.

    Parameters
    ----------
    store : graph.store.Store
    view : {"claims", "states", "gaps"}
        ``claims``: every actor and target, one edge per direct stance edge (actor, relation,
        target) carrying the claims behind it; ``states``: the signed state graph of
        :func:`graph.project.state_graph`; ``gaps``: allied states with one edge per
        coordination gap (:func:`graph.analysis.run_gaps`), labelled by issue.
    color : {"type", "clusters"}, optional
        ``clusters`` adds each state's alignment cluster (:func:`graph.analysis.run_clusters`)
        as the node attribute ``cluster``.
    focus, depth : str, int
        Keep the neighbourhood of one actor (code, prefixed name or IRI) up to ``depth`` hops.
    relations, actor_types, source, as_of
        Keep edges with at least one claim of these relations, from this source, valid on this
        date; keep nodes of these types. With an edge filter, nodes left without an edge go.
    node_budget : int
        Above this many nodes the claims view is aggregated to the state level, and any view
        is cut to its strongest edges; ``G.graph["notes"]`` says what was left out.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes: IRI with ``kind``, ``code``, ``label`` (and ``cluster``). Edges: ``family``,
        ``relations``, ``claims`` (claim records), ``derived``, ``symmetric``, ``strength``.
        ``G.graph`` holds ``view``, ``color``, ``notes``, ``filters``, ``total_nodes``,
        ``total_edges``, ``left_out_nodes``, ``left_out_edges``, ``aggregated``, ``focus``,
        ``clusters`` and the data the page needs.

    Raises
    ------
    graph.errors.InputError
        For an unknown view, colouring, relation, actor type or source, a malformed date, a
        negative depth, a budget below 1, or a focus that is not in the view.
    """
    if view not in VIEWS:
        raise InputError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
    color = color or "type"
    if color not in COLORINGS:
        raise InputError(f"unknown colouring {color!r}; choose one of {', '.join(COLORINGS)}")
    if not isinstance(depth, int) or depth < 0:
        raise InputError(f"depth must be a non-negative integer, got {depth!r}")
    if not isinstance(node_budget, int) or node_budget < 1:
        raise InputError(f"node budget must be a positive integer, got {node_budget!r}")
    data = _load(store)
    flt = _filters(data, relations, actor_types, source, as_of)
    build = {"claims": lambda: _claims_view(data, flt),
             "states": lambda: _states_view(store, data, flt),
             "gaps": lambda: _gaps_view(store, data, flt)}
    G = build[view]()
    G = _restrict(G, flt)
    notes: list[str] = []
    center = None
    if focus:
        G, center = _focus(store, G, data, focus, depth, view)
    total_nodes, total_edges = G.number_of_nodes(), G.number_of_edges()
    aggregated = False
    if total_nodes > node_budget and view == "claims":
        aggregated = True
        S = _restrict(_states_view(store, data, flt), flt)
        if center is not None:
            state = _state_of(store, data, center)
            if state in S:
                S = _ego(S, state, depth)
                center = state
            else:
                center = None
        notes.append(
            f"{total_nodes} actors and targets are more than the node budget of {node_budget}: "
            f"showing the state-level graph instead ({S.number_of_nodes()} states, "
            f"{S.number_of_edges()} ties, with the claims of people, governments and media "
            f"rolled up to their states). Left out: {total_nodes - S.number_of_nodes()} "
            f"non-state nodes and the {total_edges} direct edges."
        )
        G = S
    if G.number_of_nodes() > node_budget:
        before_nodes, before_edges = G.number_of_nodes(), G.number_of_edges()
        G = _trim(G, node_budget, keep=center)
        notes.append(
            f"{before_nodes} nodes are more than the node budget of {node_budget}: kept the "
            f"endpoints of the strongest edges first. Left out: "
            f"{before_nodes - G.number_of_nodes()} nodes and "
            f"{before_edges - G.number_of_edges()} edges."
        )
    clusters = []
    if color == "clusters":
        clusters = _clusters(store, flt.as_of)
        member = {code: i for i, block in enumerate(clusters) for code in block}
        for _, attrs in G.nodes(data=True):
            if attrs["kind"] == "state" and attrs["code"] in member:
                attrs["cluster"] = member[attrs["code"]]
    G.graph.update(
        view=view, color=color, notes=notes, filters=flt.describe(data), flt=flt, focus=center,
        depth=depth if focus else None, total_nodes=total_nodes, total_edges=total_edges,
        left_out_nodes=total_nodes - G.number_of_nodes(),
        left_out_edges=total_edges - G.number_of_edges() if not aggregated else total_edges,
        aggregated=aggregated, clusters=clusters, data=data,
    )
    return G


def _restrict(G, flt: _Filters):
    """Drop nodes of other types; with an edge filter, also the nodes left without an edge."""
    if flt.types is not None:
        G.remove_nodes_from([n for n, k in G.nodes(data="kind") if k not in flt.types])
    if flt.on_edges:
        G.remove_nodes_from([n for n in list(G) if G.degree(n) == 0])
    return G


def _ego(G, center, depth):
    import networkx as nx

    return nx.ego_graph(G, center, radius=depth, undirected=True).copy()


def _state_of(store, data: _Data, iri: str) -> str | None:
    """The state an actor is, or represents (for a focus kept through aggregation)."""
    node = data.nodes.get(iri)
    if node and node.kind == "state":
        return iri
    from rdflib import URIRef

    rows = store.select_rows("SELECT ?x ?s WHERE { ?x sg:represents ?s . ?s a sg:State } "
                             "ORDER BY ?s LIMIT 1", {"x": URIRef(iri)})
    return rows[0]["s"] if rows else None


def _clusters(store, as_of) -> list[frozenset]:
    from graph.analysis import run_clusters
    from graph.errors import StanceGraphError

    try:
        return [frozenset(c) for c in run_clusters(store, as_of=as_of).communities]
    except StanceGraphError:
        return []  # no state positions to cluster: every node stays uncoloured


# ------------------------------------------------------------------------------ text

def _date_text(claim: _Claim) -> str:
    if claim.start and claim.end:
        return claim.start if claim.start == claim.end else f"{claim.start} to {claim.end}"
    if claim.start:
        return claim.start
    if claim.end:
        return f"until {claim.end}"
    return "undated"


def _claim_text(claim: _Claim, data: _Data) -> str:
    table = relations()
    relation = table.get(claim.relation)
    actor = data.nodes.get(claim.actor)
    target = data.nodes.get(claim.target)
    lines = [
        f"{relation.label if relation else claim.relation}: "
        f"{actor.label if actor else short(claim.actor)} "
        f"{'<->' if relation and relation.symmetric else '->'} "
        f"{target.label if target else short(claim.target)}",
        f"Date: {_date_text(claim)}",
        f"Source: {claim.source_title or (short(claim.source) if claim.source else 'none')}",
    ]
    if claim.evidence:
        lines.append(f"Evidence: \u201c{claim.evidence}\u201d")
    mode = (f"derived by roll-up from {short(claim.derived_from)}" if claim.derived
            else "stated")
    lines.append(f"Claim: {short(claim.iri)} ({mode})")
    return "\n".join(lines)


_MAX_CLAIMS_SHOWN = 6


def _claims_block(claims, data: _Data) -> list[str]:
    lines = []
    for claim in claims[:_MAX_CLAIMS_SHOWN]:
        lines += ["", _claim_text(claim, data)]
    if len(claims) > _MAX_CLAIMS_SHOWN:
        lines += ["", f"... and {len(claims) - _MAX_CLAIMS_SHOWN} more claims"]
    return lines


def _edge_title(u, v, attrs, data: _Data, G) -> str:
    family = EDGE_FAMILIES[attrs["family"]]
    a, b = G.nodes[u]["label"], G.nodes[v]["label"]
    if attrs["family"] == "gap":
        gap = attrs["gap"]
        issue = gap.issue_label or gap.issue
        lines = [f"Coordination gap on {issue}",
                 f"{a} and {b} are allies but stand apart: distance "
                 f"{gap.distance:.2f}, score {gap.score:.2f}"]
        for side, label, rows in ((gap.actor_a, getattr(gap, "label_a", ""), attrs["evidence_a"]),
                                  (gap.actor_b, getattr(gap, "label_b", ""), attrs["evidence_b"])):
            value = getattr(gap, "position_a" if side == gap.actor_a else "position_b", None)
            where = f" {value:+.2f}" if value is not None else ""
            lines += ["", f"{label or side} ({side}) position{where}:"]
            for row in rows[:_MAX_CLAIMS_SHOWN]:
                via = f" (via {row.via})" if row.via else ""
                lines.append(f"- {row.relation}{via}, {row.date or 'undated'}, "
                             f"{row.source_title or short(row.source)}: \u201c{row.evidence}\u201d")
        return "\n".join(lines)
    if attrs["family"].startswith("tie-"):
        names = ", ".join(attrs["relations"])
        lines = [f"{family.label}: {a} - {b}",
                 f"Score {attrs['score']:+.2f} from {len(attrs['claims'])} claim(s): {names}"]
        if attrs.get("mixed"):
            lines.append("Mixed: both cooperative and conflictual claims")
        return "\n".join(lines + _claims_block(attrs["claims"], data))
    claims = attrs["claims"]
    if len(claims) == 1:
        return f"{family.label}\n" + _claim_text(claims[0], data)
    lines = [f"{family.label}: {len(claims)} claims"]
    return "\n".join(lines + _claims_block(claims, data))


def _position_summaries(data: _Data, flt: _Filters) -> tuple[dict, dict]:
    """Per actor IRI and per issue IRI, lines '<name>: +0.50 (2 claims)', most claims first.

    A claim's position on its issues (``sg:onIssue`` / ``sg:position``), as in
    :func:`graph.project.positions` without propagation, for the claims valid on ``as_of``.
    """
    values = defaultdict(list)
    for claim in data.claims.values():
        if claim.position is None or not flt.valid(claim):
            continue
        for issue in claim.issues:
            values[claim.actor, issue].append(claim.position)
    by_actor, by_issue = defaultdict(list), defaultdict(list)
    for (actor, issue), found in sorted(values.items()):
        mean = math.fsum(found) / len(found)
        claims = f"{len(found)} claim{'s' if len(found) != 1 else ''}"
        issue_name = data.nodes[issue].label if issue in data.nodes else _local(issue)
        actor_name = data.nodes[actor].label if actor in data.nodes else _local(actor)
        by_actor[actor].append((-len(found), issue, f"{issue_name}: {mean:+.2f} ({claims})"))
        by_issue[issue].append((-len(found), actor, f"{actor_name}: {mean:+.2f} ({claims})"))
    return ({k: [t for *_, t in sorted(v)] for k, v in by_actor.items()},
            {k: [t for *_, t in sorted(v)] for k, v in by_issue.items()})


def _node_title(iri, attrs, G, by_actor, by_issue, clusters) -> str:
    kind = _KIND.get(attrs["kind"], _OTHER)
    lines = [attrs["label"], f"{kind.label.capitalize()} \u00b7 code {attrs['code']}",
             short(iri)]
    if "cluster" in attrs:
        block = sorted(clusters[attrs["cluster"]])
        lines.append(f"Alignment cluster {attrs['cluster'] + 1}: {', '.join(block)}")
    top = 5
    on_issue = attrs["kind"] == "issue"
    rows = (by_issue if on_issue else by_actor).get(iri, [])
    if rows:
        lines.append("Positions taken on it:" if on_issue else "Main positions:")
        lines += [f"  {r}" for r in rows[:top]]
    if len(rows) > top:
        lines.append(f"  ... and {len(rows) - top} more")
    degree = G.degree(iri)
    lines.append(f"{degree} edge{'s' if degree != 1 else ''} in this view")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ page

def _script_json(value) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>``, ``&`` or U+2028/2029 left raw."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _claim_filter_record(claim: _Claim) -> dict:
    return {"r": claim.relation, "s": claim.source, "a": claim.start, "b": claim.end,
            "d": claim.derived}


def _sizes(G) -> dict:
    """Node size by degree centrality (claims) or summed edge strength (states, gaps)."""
    import networkx as nx

    if G.graph["view"] == "claims" and not G.graph["aggregated"]:
        simple = nx.Graph(G.to_undirected(as_view=True))
        score = nx.degree_centrality(simple) if len(simple) > 1 else {n: 0.0 for n in simple}
    else:
        score = dict(G.degree(weight="strength"))
    top = max(score.values(), default=0.0) or 1.0
    return {n: round(12 + 26 * math.sqrt(max(score.get(n, 0.0), 0.0) / top), 2) for n in G}


def _layout(G) -> dict:
    import networkx as nx

    simple = nx.Graph(G.to_undirected(as_view=True))
    pos = nx.spring_layout(simple, seed=0, iterations=60, k=2 / math.sqrt(max(len(simple), 1)))
    scale = 60 * math.sqrt(max(len(simple), 1))
    return {n: (round(float(x) * scale, 1), round(float(y) * scale, 1))
            for n, (x, y) in pos.items()}


def _network(G):
    """The pyvis Network of a view graph, with generated ids and plain-string titles."""
    from pyvis.network import Network

    data: _Data = G.graph["data"]
    by_actor, by_issue = _position_summaries(data, G.graph["flt"])
    clusters = G.graph["clusters"]
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line",
                  heading="")
    order = sorted(G.nodes(data=True),
                   key=lambda item: (_KIND_ORDER.get(item[1]["kind"], 99),
                                     item[1]["label"].lower(), item[0]))
    ids = {iri: f"n{i}" for i, (iri, _) in enumerate(order)}
    sizes = _sizes(G)
    positions = _layout(G) if G.number_of_nodes() > _PHYSICS_MAX_NODES else {}
    for iri, attrs in order:
        kind = _KIND.get(attrs["kind"], _OTHER)
        fill = kind.color
        if G.graph["color"] == "clusters":
            fill = (_CLUSTER_COLORS[attrs["cluster"] % len(_CLUSTER_COLORS)]
                    if "cluster" in attrs else _UNCLUSTERED)
        options = {
            "title": _node_title(iri, attrs, G, by_actor, by_issue, clusters),
            "size": sizes[iri],
            "borderWidth": 2 if kind.dashed else 1,
            "shapeProperties": {"borderDashes": [4, 3] if kind.dashed else False},
            "sg_kind": attrs["kind"],
            "sg_code": attrs["code"],
        }
        if iri == G.graph["focus"]:
            options["borderWidth"] = 4
        if iri in positions:
            options["x"], options["y"] = positions[iri]
        net.add_node(ids[iri], label=attrs["label"] or attrs["code"], shape=kind.shape,
                     color={"background": fill, "border": "#333333",
                            "highlight": {"background": fill, "border": "#000000"},
                            "hover": {"background": fill, "border": "#000000"}},
                     **options)
    edges = sorted(G.edges(keys=True, data=True),
                   key=lambda e: (ids[e[0]], ids[e[1]], str(e[2])))
    precomputed = G.number_of_nodes() > _PHYSICS_MAX_NODES
    # With physics, "dynamic" curves get support nodes that push parallel edges apart.
    bends = _fan(edges, ids) if precomputed else {}
    for j, (u, v, _, attrs) in enumerate(edges):
        family = EDGE_FAMILIES[attrs["family"]]
        width = family.width
        if attrs["family"].startswith("tie-"):
            width = round(1 + min(attrs["strength"], 12) * 0.6, 2)
        elif attrs["family"] == "gap":
            width = round(1.5 + 5 * attrs["strength"], 2)
        dashes = list(family.dashes) or False
        if attrs.get("mixed"):
            dashes = list(_MIXED_DASHES)
        options = {
            "id": f"e{j}",
            "title": _edge_title(u, v, attrs, data, G),
            "color": {"color": family.color, "highlight": family.color, "hover": family.color,
                      "opacity": 0.45 if attrs["derived"] else 1.0},
            "width": width,
            "dashes": dashes,
            "arrows": {"to": {"enabled": family.arrow and not attrs["symmetric"],
                              "scaleFactor": 0.7}},
            "sg_family": attrs["family"],
            "sg_claims": [_claim_filter_record(c) for c in attrs["claims"]],
        }
        if j in bends:
            options["smooth"] = bends[j]
        if attrs["family"] == "gap":
            gap = attrs["gap"]
            issue = gap.issue_label or gap.issue
            options["label"] = f"{issue[:40]}{'...' if len(issue) > 40 else ''} " \
                               f"({gap.distance:.2f})"
            options["font"] = {"size": 12, "color": "#7a3b00", "strokeWidth": 4}
            options["length"] = 380
        net.add_edge(ids[u], ids[v], **options)
    physics = not precomputed
    net.options = {
        "autoResize": True,
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -80,
                                 "springLength": 260 if G.graph["view"] == "gaps" else 110,
                                 "springConstant": 0.06, "avoidOverlap": 0.5},
            "stabilization": {"enabled": physics, "iterations": 300, "updateInterval": 25,
                              "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "multiselect": True,
                        "hideEdgesOnDrag": precomputed},
        "layout": {"improvedLayout": G.number_of_nodes() <= 100, "randomSeed": 7},
        "nodes": {"font": {"size": 14, "face": "system-ui, sans-serif",
                           "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"smooth": {"enabled": True, "type": "dynamic"} if physics else False,
                  "selectionWidth": 2, "hoverWidth": 1.5},
    }
    return net, physics


def _fan(edges, ids) -> dict:
    """Curves that spread the parallel edges of one pair in a fan instead of a bundle."""
    groups = defaultdict(list)
    for j, (u, v, _, _) in enumerate(edges):
        groups[tuple(sorted((ids[u], ids[v])))].append(j)
    bends = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        for i, j in enumerate(members):
            offset = (i - (len(members) - 1) / 2) * 0.22
            u, v = edges[j][0], edges[j][1]
            if ids[u] > ids[v]:
                offset = -offset
            if offset == 0:
                bends[j] = {"enabled": False}
            else:
                bends[j] = {"enabled": True, "type": "curvedCW" if offset > 0 else "curvedCCW",
                            "roundness": round(abs(offset), 3)}
    return bends


@cache
def _template(folder: str, name: str):
    """pyvis's page template, compiled once (compiling it takes a good part of a render)."""
    from jinja2 import Environment, FileSystemLoader

    return Environment(loader=FileSystemLoader(folder)).get_template(name)


def _pyvis_html(net) -> str:
    """pyvis's page template, rendered with HTML tooltips, menus and heading switched off.

    ``Network.generate_html`` turns every tooltip into an HTML popup as soon as one title
    contains ``href`` (see PITFALLS); rendering its template with ``tooltip_link=False``
    keeps vis-network's plain-text tooltips whatever the data says. Its loading bar is left
    out (``physics_enabled=False`` only drives that bar); the page's own script reports
    stabilisation and then stops the physics.
    """
    template = _template(net.template_dir, net.path)
    nodes, edges, _, height, width, options = net.get_network_data()
    page = template.render(
        height=height, width=width, nodes=nodes, edges=edges, heading="", options=options,
        physics_enabled=False, use_DOT=False, dot_lang="", widget=False, bgcolor="#ffffff",
        conf=False, tooltip_link=False, neighborhood_highlight=False, select_menu=False,
        filter_menu=False, notebook=False, cdn_resources="in_line",
    )
    # The template always links bootstrap from a CDN; the page does not use it.
    page = re.sub(r"<link\b[^>]*bootstrap[^>]*>", "", page)
    page = re.sub(r"<script\b[^>]*bootstrap[^>]*>\s*</script>", "", page)
    page = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>", "", page)
    return page


_EXTERNAL = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _check_self_contained(page: str) -> None:
    match = _EXTERNAL.search(page)
    if match:
        raise RuntimeError(f"the page would load from another host: {page[match.start():][:80]}")


def _asset(name: str) -> str:
    return (resources.files("graph") / _ASSETS / name).read_text(encoding="utf-8")


def _svg_node(kind: NodeClass, fill: str | None = None) -> str:
    fill = fill or kind.color
    style = f'fill="{fill}" stroke="#333" stroke-width="1.2"'
    if kind.dashed:
        style += ' stroke-dasharray="3 2"'
    shapes = {
        "dot": f'<circle cx="9" cy="9" r="6.5" {style}/>',
        "square": f'<rect x="3" y="3" width="12" height="12" {style}/>',
        "diamond": f'<polygon points="9,1.5 16.5,9 9,16.5 1.5,9" {style}/>',
        "triangle": f'<polygon points="9,2 16,15 2,15" {style}/>',
        "triangleDown": f'<polygon points="2,3 16,3 9,16" {style}/>',
        "hexagon": f'<polygon points="5,2.5 13,2.5 16.5,9 13,15.5 5,15.5 1.5,9" {style}/>',
        "star": f'<polygon points="9,1 11.2,6.6 17,6.9 12.5,10.6 14,16.4 9,13.2 4,16.4 5.5,10.6 '
                f'1,6.9 6.8,6.6" {style}/>',
    }
    return (f'<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">'
            f'{shapes.get(kind.shape, shapes["dot"])}</svg>')


def _svg_edge(family: EdgeFamily, dashes=None) -> str:
    dash = dashes if dashes is not None else family.dashes
    dash_attr = f' stroke-dasharray="{" ".join(str(d) for d in dash)}"' if dash else ""
    arrow = (f'<polygon points="34,7 27,3 27,11" fill="{family.color}"/>' if family.arrow else "")
    end = 27 if family.arrow else 34
    return (f'<svg width="36" height="14" viewBox="0 0 36 14" aria-hidden="true">'
            f'<line x1="2" y1="7" x2="{end}" y2="7" stroke="{family.color}" '
            f'stroke-width="{min(family.width, 5)}"{dash_attr}/>{arrow}</svg>')


def _legend(G) -> str:
    esc = html.escape
    kinds = sorted({k for _, k in G.nodes(data="kind")}, key=lambda k: _KIND_ORDER.get(k, 99))
    families = [f for f in EDGE_FAMILIES
                if any(a["family"] == f for _, _, a in G.edges(data=True))]
    table = relations()
    members = defaultdict(list)
    for relation in table.values():
        members[relation_family(relation)].append(relation.label)
    parts = ['<h2>Legend</h2>', '<h3>Nodes</h3>', '<ul class="sg-legend-list">']
    for key in kinds or ["state"]:
        kind = _KIND.get(key, _OTHER)
        fill = _UNCLUSTERED if G.graph["color"] == "clusters" else None
        parts.append(f"<li>{_svg_node(kind, fill)}<span>{esc(kind.label)}</span></li>")
    parts.append("</ul>")
    by_degree = G.graph["view"] == "claims" and not G.graph["aggregated"]
    size = "degree centrality" if by_degree else "summed strength of its ties"
    parts.append(f'<p class="sg-note">Size: {esc(size)}.</p>')
    if G.graph["color"] == "clusters":
        parts += ["<h3>Alignment clusters</h3>", '<ul class="sg-legend-list">']
        for i, block in enumerate(G.graph["clusters"]):
            dot = _svg_node(_KIND["state"], _CLUSTER_COLORS[i % len(_CLUSTER_COLORS)])
            parts.append(f"<li>{dot}<span>cluster {i + 1}: {esc(', '.join(sorted(block)))}"
                         f"</span></li>")
        parts.append(f"<li>{_svg_node(_KIND['state'], _UNCLUSTERED)}<span>not clustered"
                     f"</span></li></ul>")
    parts += ["<h3>Edges</h3>", '<ul class="sg-legend-list">']
    for key in families:
        family = EDGE_FAMILIES[key]
        names = sorted(members.get(key, []))
        detail = f' <small>({esc(", ".join(names))})</small>' if names else ""
        parts.append(f"<li>{_svg_edge(family)}<span>{esc(family.label)}{detail}</span></li>")
    if any(a.get("mixed") for _, _, a in G.edges(data=True)):
        mixed = EDGE_FAMILIES["tie-positive"]
        parts.append(f"<li>{_svg_edge(mixed, _MIXED_DASHES)}<span>dotted: the tie mixes "
                     f"cooperative and conflictual claims</span></li>")
    if any(a["derived"] for _, _, a in G.edges(data=True)):
        parts.append('<li><span class="sg-faded">faded</span><span>derived by roll-up (a '
                     "person's, government's or outlet's claim counted for its state)</span></li>")
    parts.append("</ul>")
    if any(f.startswith("tie-") for f in families):
        parts.append('<p class="sg-note">Width: the tie\'s summed Goldstein weight.</p>')
    parts.append('<p class="sg-note">Hover a node or an edge for its evidence; click to keep '
                 "it in the details panel.</p>")
    return "\n".join(parts)


def _config(G) -> dict:
    data: _Data = G.graph["data"]
    table = relations()
    counts = Counter(c.relation for _, _, a in G.edges(data=True) for c in a["claims"])
    used_sources = sorted({c.source for _, _, a in G.edges(data=True) for c in a["claims"]
                           if c.source})
    kinds = sorted({k for _, k in G.nodes(data="kind")}, key=lambda k: _KIND_ORDER.get(k, 99))
    return {
        "view": G.graph["view"],
        "relations": [
            {"name": name, "label": table[name].label if name in table else name,
             "family": relation_family(table[name]) if name in table else "",
             "color": EDGE_FAMILIES[relation_family(table[name])].color if name in table
             else "#999999", "count": counts[name]}
            for name in sorted(counts, key=lambda n: (list(table).index(n) if n in table else 99))
        ],
        "types": [{"key": k, "label": _KIND.get(k, _OTHER).label,
                   "color": _KIND.get(k, _OTHER).color} for k in kinds],
        "sources": [{"id": s, "title": data.sources.get(s) or short(s)} for s in used_sources],
        "derivedToggle": any(a["derived"] for _, _, a in G.edges(data=True)),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
    }


def _summary(G) -> str:
    graph = G.graph
    view = "states" if graph["aggregated"] else graph["view"]
    what = {"claims": "actors and targets with their direct stance edges",
            "states": "the state-level signed graph (claims rolled up to states)",
            "gaps": "allied states and their coordination gaps, labelled by issue"}[view]
    text = f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges: {what}"
    if graph["focus"]:
        node = G.nodes[graph["focus"]]
        text += f"; the neighbourhood of {node['label']} ({node['code']}) within " \
                f"{graph['depth']} hop{'s' if graph['depth'] != 1 else ''}"
    if graph["color"] == "clusters":
        text += "; nodes coloured by alignment cluster"
    if graph["filters"]:
        text += "; filtered by " + "; ".join(graph["filters"])
    return text + "."


def _default_title(G) -> str:
    names = {"claims": "Claims", "states": "States", "gaps": "Coordination gaps"}
    title = f"stancegraph: {names[G.graph['view']]}"
    if G.graph["focus"]:
        title += f" around {G.nodes[G.graph['focus']]['label']}"
    return title


def _page(G, title: str | None) -> tuple[str, dict]:
    net, physics = _network(G)
    page = _pyvis_html(net)
    esc = html.escape
    title = title or _default_title(G)
    config = _config(G)
    config["physics"] = physics
    notes = "".join(f'<p class="sg-left-out" role="status">{esc(n)}</p>'
                    for n in G.graph["notes"])
    head = (f"<title>{esc(title)}</title>\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<link rel="icon" href="data:,">\n'
            f"<style>{_asset('explorer.css')}</style>\n")
    # Every value is escaped HTML (the legend escapes its own text).
    chrome = string.Template(_asset("explorer.html")).substitute(
        title=esc(title), summary=esc(_summary(G)), notes=notes, legend=_legend(G),
    )
    script = (f'<script id="sg-config" type="application/json">{_script_json(config)}</script>\n'
              f"<script>{_asset('explorer.js')}</script>\n")
    page = page.replace("<head>", "<head>\n" + head, 1)
    page = page.replace("<html>", '<html lang="en">', 1)
    body = page.index("<body>") + len("<body>")
    page = page[:body] + "\n" + chrome + page[body:]
    end = page.rindex("</body>")
    page = page[:end] + script + page[end:]
    _check_self_contained(page)
    return page, config


# ------------------------------------------------------------------------------ public

@dataclass(frozen=True)
class RenderReport:
    """What a page shows and what it left out."""

    path: Path | None
    view: str
    nodes: int
    edges: int
    total_nodes: int
    total_edges: int
    left_out_nodes: int
    left_out_edges: int
    aggregated: bool
    physics: bool
    bytes: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def left_out(self) -> int:
        """Nodes left out of the page by the node budget."""
        return self.left_out_nodes


def _render(store, *, title=None, **options) -> tuple[str, RenderReport]:
    G = view_graph(store, **options)
    page, config = _page(G, title)
    report = RenderReport(
        path=None, view=G.graph["view"], nodes=G.number_of_nodes(), edges=G.number_of_edges(),
        total_nodes=G.graph["total_nodes"], total_edges=G.graph["total_edges"],
        left_out_nodes=G.graph["left_out_nodes"], left_out_edges=G.graph["left_out_edges"],
        aggregated=G.graph["aggregated"], physics=config["physics"],
        bytes=len(page.encode("utf-8")), notes=tuple(G.graph["notes"]),
    )
    return page, report


def render_page(
    store,
    *,
    view: str = "claims",
    color: str | None = None,
    focus: str | None = None,
    depth: int = 1,
    relations=None,
    actor_types=None,
    source: str | None = None,
    as_of: str | None = None,
    node_budget: int = 500,
    title: str | None = None,
) -> str:
    """The whole self-contained HTML page of one view (see :func:`view_graph` for options).

    The page inlines vis-network and its own script and style, references no other host,
    and offers a legend, a search box, relation / type / source / date filters, and
    plain-text tooltips with the evidence behind every edge.

    Examples
    --------
    >>> from graph.store import open_store
    >>> page = render_page(open_store("memory:"), view="states")
    >>> page.startswith("<html") and "vis.Network" in page
    True
    """
    page, _ = _render(store, view=view, color=color, focus=focus, depth=depth,
                      relations=relations, actor_types=actor_types, source=source, as_of=as_of,
                      node_budget=node_budget, title=title)
    return page


def render(store, path, **options) -> RenderReport:
    """Write :func:`render_page` to ``path`` atomically (UTF-8) and say what it shows.

    Takes the same keyword options as :func:`render_page`; the parent folder is created.
    Returns a :class:`RenderReport` with the numbers of nodes and edges on the page, and what
    the node budget left out.
    """
    page, report = _render(store, **options)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(page)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return RenderReport(**{**report.__dict__, "path": target})
