"""The explorer's views as networkx graphs: claims, states or gaps, filtered, focused, trimmed."""

from __future__ import annotations

from collections import defaultdict

from graph.errors import InputError, StanceGraphError
from graph.explorer.styles import relation_family
from graph.explorer.viewdata import (
    ClaimRecord,
    Filters,
    NodeRecord,
    ViewData,
    load_view_data,
    parse_filters,
)
from graph.vocab import relations, short

__all__ = ["VIEWS", "COLORINGS", "view_graph"]

VIEWS = ("claims", "states", "gaps")
COLORINGS = ("type", "clusters")


def _add_node(G, node: NodeRecord) -> None:
    G.add_node(node.iri, kind=node.kind, code=node.code, label=node.label)


def _claims_view(data: ViewData, flt: Filters):
    """Every actor and target; one edge per direct edge (actor, relation, target)."""
    import networkx as nx

    table = relations()
    G = nx.MultiDiGraph()
    for node in sorted(data.nodes.values(), key=lambda n: n.iri):
        _add_node(G, node)
    grouped: dict[tuple[str, str, str], list[ClaimRecord]] = defaultdict(list)
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


def _tie(claims: list[ClaimRecord]) -> dict | None:
    """A signed state tie from its claims, as graph.analysis.project.state_graph sums them."""
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


def _states_view(store, data: ViewData, flt: Filters, S=None):
    """The state-level signed graph of :func:`graph.analysis.project.state_graph` (or ``S``)."""
    import networkx as nx

    from graph.analysis.project import state_graph

    S = state_graph(store, as_of=flt.as_of) if S is None else S
    by_code = {n.code: n for n in data.nodes.values() if n.kind == "state"}
    G = nx.MultiDiGraph()
    iri_of = {}
    for code, attrs in S.nodes(data=True):
        node = by_code.get(code) or NodeRecord(attrs.get("iri", code), "state", code,
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


def _gap_claim(row, data: ViewData) -> ClaimRecord:
    """The claim behind a gap's evidence row (read from the store when it is there)."""
    known = data.claims.get(row.claim)
    if known is not None:
        return known
    return ClaimRecord(row.claim, "", row.relation, "", False, row.date, "", 1.0, row.source,
                       row.source_title, row.evidence, "")


def _gaps_view(store, data: ViewData, flt: Filters):
    """Allied states, their alliance edges and one labelled edge per coordination gap."""
    import networkx as nx

    from graph.analysis.project import allied_pairs
    from graph.analysis.run import run_gaps

    by_code = {n.code: n for n in data.nodes.values() if n.kind == "state"}
    G = nx.MultiDiGraph()

    def node(code):
        found = by_code.get(code) or NodeRecord(code, "state", code, code)
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
        side_a, side_b = gap.evidence_a, gap.evidence_b
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


def _focus(store, G, data: ViewData, focus: str, depth: int, view: str):
    from graph.store.query import resolve_actor

    center = str(resolve_actor(store, focus))
    if center not in G:
        node = data.nodes.get(center)
        name = f"{node.label} ({node.code})" if node else short(center)
        raise InputError(f"{name} is not in the {view} view (with these filters)")
    return _ego(G, center, depth), center


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
        :func:`graph.analysis.project.state_graph`; ``gaps``: allied states with one edge per
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
    data = load_view_data(store, claims=())
    flt = parse_filters(data, relations, actor_types, source, as_of)
    unfiltered = not focus and flt.relations is None and flt.types is None \
        and flt.source is None and flt.as_of is None
    if view == "claims" and unfiltered and len(data.nodes) > node_budget:
        return _aggregated_claims_view(store, data, flt, color, node_budget)
    data = load_view_data(store)
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
        notes.append(_aggregation_note(S, total_nodes, total_edges, node_budget))
        G = S
    return _finish(store, G, data, flt, notes, view=view, color=color, center=center,
                   depth=depth if focus else None, node_budget=node_budget,
                   total_nodes=total_nodes, total_edges=total_edges, aggregated=aggregated)


def _finish(store, G, data, flt, notes, *, view, color, center, depth, node_budget,
            total_nodes, total_edges, aggregated):
    """Cut to the node budget, colour by cluster, and record what the page says."""
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
        depth=depth, total_nodes=total_nodes, total_edges=total_edges,
        left_out_nodes=total_nodes - G.number_of_nodes(),
        left_out_edges=total_edges - G.number_of_edges() if not aggregated else total_edges,
        aggregated=aggregated, clusters=clusters, data=data,
    )
    return G


def _direct_edge_count(store) -> int:
    """The claims view's edges, counted in the store: distinct (actor, relation, target),
    a symmetric relation's two directions once."""
    table = {str(r.iri): r for r in relations().values()}
    values = " ".join(f"<{iri}>" for iri in sorted(table))
    rows = store.select_rows(
        f"SELECT ?r (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?a ?r ?b WHERE {{ "
        f"VALUES ?r {{ {values} }} ?a ?r ?b }} }} GROUP BY ?r")
    return sum(int(row["n"]) // (2 if table[row["r"]].symmetric else 1) for row in rows)


def _aggregation_note(S, total_nodes: int, total_edges: int, node_budget: int) -> str:
    return (
        f"{total_nodes} actors and targets are more than the node budget of {node_budget}: "
        f"showing the state-level graph instead ({S.number_of_nodes()} states, "
        f"{S.number_of_edges()} ties, with the claims of people, governments and media "
        f"rolled up to their states). Left out: {total_nodes - S.number_of_nodes()} "
        f"non-state nodes and the {total_edges} direct edges."
    )


def _aggregated_claims_view(store, data: ViewData, flt: Filters, color, node_budget):
    """The claims view above the node budget with no filter: the state level straight away,
    reading only the claims behind the state ties (the same page as building the claims view
    first, without reading every claim of a large import)."""
    from graph.analysis.project import state_graph

    S = state_graph(store)
    data = load_view_data(store, claims={c for _, _, cs in S.edges(data="claims") for c in cs})
    G = _states_view(store, data, flt, S)
    total_nodes, total_edges = len(data.nodes), _direct_edge_count(store)
    notes = [_aggregation_note(G, total_nodes, total_edges, node_budget)]
    return _finish(store, G, data, flt, notes, view="claims", color=color, center=None,
                   depth=None, node_budget=node_budget, total_nodes=total_nodes,
                   total_edges=total_edges, aggregated=True)


def _restrict(G, flt: Filters):
    """Drop nodes of other types; with an edge filter, also the nodes left without an edge."""
    if flt.types is not None:
        G.remove_nodes_from([n for n, k in G.nodes(data="kind") if k not in flt.types])
    if flt.on_edges:
        G.remove_nodes_from([n for n in list(G) if G.degree(n) == 0])
    return G


def _ego(G, center, depth):
    import networkx as nx

    return nx.ego_graph(G, center, radius=depth, undirected=True).copy()


def _state_of(store, data: ViewData, iri: str) -> str | None:
    """The state an actor is, or represents (for a focus kept through aggregation)."""
    node = data.nodes.get(iri)
    if node and node.kind == "state":
        return iri
    from rdflib import URIRef

    rows = store.select_rows("SELECT ?x ?s WHERE { ?x sg:represents ?s . ?s a sg:State } "
                             "ORDER BY ?s LIMIT 1", {"x": URIRef(iri)})
    return rows[0]["s"] if rows else None


def _clusters(store, as_of) -> list[frozenset]:
    from graph.analysis.run import run_clusters

    try:
        result = run_clusters(store, as_of=as_of, dendrogram=False)
        return [frozenset(c) for c in result.communities]
    except StanceGraphError:
        return []  # no state positions to cluster: every node stays uncoloured
