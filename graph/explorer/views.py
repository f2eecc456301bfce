"""The explorer's views as networkx graphs: claims, states or gaps, filtered, focused, trimmed."""

from __future__ import annotations

from collections import defaultdict

from graph.errors import InputError, StanceGraphError
from graph.explorer.gapsview import gaps_view
from graph.explorer.options import COLORINGS, VIEWS, ViewOptions, view_options
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

# ViewOptions lives in graph.explorer.options; re-exported here, where callers import it.
__all__ = ["VIEWS", "COLORINGS", "ViewOptions", "view_options", "view_graph"]


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
        # Every claim of any date: the slider shows the edge while one of them counts.
        kept = sorted((c for c in claims if flt.keeps(c, timed=False)), key=lambda c: c.iri)
        if not kept:
            continue
        relation = table[name]
        holding = [c for c in kept if flt.valid(c)]
        G.add_edge(
            a, b, key=name, family=relation_family(relation), relations=[name], claims=kept,
            derived=all(c.derived for c in kept), symmetric=relation.symmetric,
            strength=sum(abs(relation.weight) * c.confidence for c in holding or kept),
            holds=bool(holding),
        )
    return G


def _tie(claims: list[ClaimRecord], weights: dict | None = None) -> dict | None:
    """A signed state tie from its claims, as graph.analysis.project.state_graph sums them:
    polarity x |weight| x confidence x the claim's weight at D (``weights``; 1 without)."""
    table = relations()
    score, positive, negative = 0.0, 0, 0
    for claim in claims:
        w = 1.0 if weights is None else weights.get(claim.iri, 0.0)
        if w <= 0:
            continue
        relation = table[claim.relation]
        score += relation.polarity * abs(relation.weight) * claim.confidence * w
        positive += relation.polarity > 0
        negative += relation.polarity < 0
    score = round(score, 6)
    if score == 0:
        return None
    return {"score": score, "weight": abs(score), "positive": positive, "negative": negative}


def _state_claims(data: ViewData) -> dict:
    """(state IRI, state IRI) sorted -> the claims between the two states, of any date."""
    table = relations()
    states = {iri for iri, n in data.nodes.items() if n.kind == "state"}
    pairs = defaultdict(list)
    for claim in data.claims.values():
        if claim.relation in table and claim.actor in states and claim.target in states \
                and claim.actor != claim.target:
            pairs[tuple(sorted((claim.actor, claim.target)))].append(claim)
    return pairs


def _states_view(store, data: ViewData, flt: Filters, S=None, context=None):
    """The state-level signed graph of :func:`graph.analysis.project.state_graph` at D (or
    ``S``), with the ties of other dates as edges that do not hold (``holds`` False)."""
    import networkx as nx

    from graph.analysis.project import state_graph

    S = state_graph(store, as_of=flt.as_of, context=context) if S is None else S
    by_code = {n.code: n for n in data.nodes.values() if n.kind == "state"}
    G = nx.MultiDiGraph()
    iri_of = {}
    for code, attrs in S.nodes(data=True):
        node = by_code.get(code) or NodeRecord(attrs.get("iri", code), "state", code,
                                          attrs.get("label", code))
        iri_of[code] = node.iri
        _add_node(G, node)
    now = {tuple(sorted((iri_of[a], iri_of[b]))): attrs for a, b, attrs in S.edges(data=True)}
    ever = _state_claims(data) if flt.weights is not None else {}
    table = relations()
    filtered = flt.relations is not None or flt.source is not None
    for pair in sorted(set(now) | set(ever)):
        if not all(x in G for x in pair):
            continue
        attrs = now.get(pair)
        claims = sorted(ever.get(pair) or [data.claims[c] for c in attrs["claims"]
                                           if c in data.claims], key=lambda c: c.iri)
        claims = [c for c in claims if flt.keeps(c, timed=False)]
        if filtered or attrs is None:
            tie = _tie(claims, flt.weights)
        else:
            tie = {k: attrs[k] for k in ("score", "weight", "positive", "negative")}
        if tie is None:
            # A tie of other dates: drawn by the sign of its claims, hidden at D.
            if not any(table[c.relation].polarity for c in claims):
                continue
            ever_tie = _tie(claims) or {"score": 1.0, "weight": 1.0, "positive": 0,
                                         "negative": 0}
            G.add_edge(*pair, key="tie",
                       family="tie-positive" if ever_tie["score"] > 0 else "tie-negative",
                       relations=sorted({c.relation for c in claims}), claims=claims,
                       derived=False, symmetric=True, strength=0.0, score=0.0, mixed=False,
                       holds=False)
            continue
        G.add_edge(
            *pair, key="tie",
            family="tie-positive" if tie["score"] > 0 else "tie-negative",
            relations=sorted({c.relation for c in claims}), claims=claims, derived=False,
            symmetric=True, strength=tie["weight"], score=tie["score"],
            mixed=tie["positive"] > 0 and tie["negative"] > 0, holds=True,
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


def view_graph(store, options: ViewOptions | None = None, *, timeline: bool = False,
               **changes):
    """The graph a page draws, as a ``networkx.MultiDiGraph`` keyed by IRI.

    Parameters
    ----------
    store : graph.store.Store
    options : ViewOptions, optional
        What to show (view, colouring, focus, filters, date, decay, node budget); its fields
        may also be given as keywords (``view_graph(store, view="states")``), which replace
        those of ``options``.
    timeline : bool
        Keep the edges and nodes of other dates too, marked ``holds`` False, for the page's
        time slider (below :data:`graph.explorer.timeline.MAX_TIMED_CLAIMS` claims).

    Returns
    -------
    networkx.MultiDiGraph
        Nodes: IRI with ``kind``, ``code``, ``label`` (and the groups). Edges: ``family``,
        ``relations``, ``claims`` (claim records), ``derived``, ``symmetric``, ``strength``.
        ``G.graph`` holds ``view``, ``color``, ``notes``, ``filters``, ``total_nodes``,
        ``total_edges``, ``left_out_nodes``, ``left_out_edges``, ``aggregated``, ``focus``,
        ``grouping``, ``groups`` (grouping -> list of graph.analysis.groups.Group),
        ``evidence`` (graph.analysis.groups.ClusterEvidence) and the data the page needs.

    Raises
    ------
    graph.errors.InputError
        For bad options given as keywords (checked as :class:`ViewOptions` checks them when
        made), a source the store does not hold, or a focus that is not in the view.
    """
    options = view_options(options, **changes)
    view, color, focus, depth = options.view, options.color, options.focus, options.depth
    node_budget, half_life, horizon = options.node_budget, options.half_life, options.horizon
    if view == "votes" or color == "ideal":
        raise InputError("the votes view and its ideal point colouring are drawn by "
                         "graph.explorer.votes (stancegraph render --view votes)")
    data = load_view_data(store, claims=())
    # The options' names and dates were checked when they were made; this looks up the
    # source among the store's and turns the rest into filters.
    flt = parse_filters(data, options.relations, options.actor_types, options.source,
                        options.as_of)
    unfiltered = not focus and flt.relations is None and flt.types is None \
        and flt.source is None and flt.as_of is None
    if view == "claims" and unfiltered and len(data.nodes) > node_budget:
        return _aggregated_claims_view(store, data, flt, color, node_budget,
                                       half_life=half_life, horizon=horizon)
    data = load_view_data(store)
    from graph.analysis.project import time_context
    from graph.explorer.timeline import MAX_TIMED_CLAIMS

    context = time_context(store, as_of=flt.as_of, half_life=half_life, horizon=horizon)
    explicit = flt.as_of is not None
    timed = timeline and len(data.claims) <= MAX_TIMED_CLAIMS
    flt = _at(flt, data, view, context)
    build = {"claims": lambda: _claims_view(data, flt),
             "states": lambda: _states_view(store, data, flt, context=context),
             "gaps": lambda: gaps_view(store, data, flt, context=context, timed=timed)}
    G = build[view]()
    G = _restrict(G, flt)
    if not timed:
        G = _at_date(G, False)
    notes: list[str] = []
    center = None
    if focus:
        G, center = _focus(store, G, data, focus, depth, view)
    total_nodes, total_edges = G.number_of_nodes(), G.number_of_edges()
    aggregated = False
    if total_nodes > node_budget and view == "claims":
        aggregated = True
        flt = _at(flt, data, "states", context)
        S = _restrict(_states_view(store, data, flt, context=context), flt)
        if not timed:
            S = _at_date(S, False)
        if center is not None:
            state = _state_of(store, data, center)
            if state in S:
                S = _ego(S, state, depth)
                center = state
            else:
                center = None
        notes.append(_aggregation_note(S, total_nodes, total_edges, node_budget))
        G = S
    G = _finish(store, G, data, flt, notes, view=view, color=color, center=center,
                depth=depth if focus else None, node_budget=node_budget,
                total_nodes=total_nodes, total_edges=total_edges, aggregated=aggregated,
                half_life=half_life, horizon=horizon)
    if timed:
        G = _at_date(G, True)
    G.graph.update(timed=timed, context=context, explicit_date=explicit)
    return G


def _at(flt: Filters, data: ViewData, view: str, context) -> Filters:
    """The filters at the context's date D, with the weights of the claims a view weighs
    together: the ties of the states view weigh the claims between states (as
    graph.analysis.project.state_graph does), the other views every claim."""
    from dataclasses import replace

    from graph.explorer.timeline import weights_at

    if view == "states":
        claims = [c for pair in _state_claims(data).values() for c in pair]
    else:
        claims = list(data.claims.values())
    return replace(flt, as_of=context.clock.as_of, weights=weights_at(claims, context))


def _at_date(G, timed: bool):
    """The graph at D: edges that do not hold there (``holds`` False) are removed, and so are
    the nodes all of whose edges went; with ``timed`` they stay, marked (``holds`` on nodes
    too), for the page's slider to show at other dates."""
    had = {n for n in G if G.degree(n) > 0}
    holding = [(u, v, k) for u, v, k, h in G.edges(keys=True, data="holds", default=True) if h]
    shown = {n for u, v, _ in holding for n in (u, v)}
    if timed:
        for n, attrs in G.nodes(data=True):
            attrs["holds"] = n in shown or n not in had
        return G
    G.remove_edges_from([(u, v, k) for u, v, k, h in G.edges(keys=True, data="holds",
                                                            default=True) if not h])
    G.remove_nodes_from([n for n in had if n not in shown])
    return G


def _finish(store, G, data, flt, notes, *, view, color, center, depth, node_budget,
            total_nodes, total_edges, aggregated, half_life=None, horizon=None):
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
    grouped, evidence = {}, None
    if color != "type":
        grouped, evidence = _groups(store, flt.as_of, G, half_life, horizon)
    G.graph.update(
        view=view, color=color, notes=notes, filters=flt.describe(data), flt=flt, focus=center,
        depth=depth, total_nodes=total_nodes, total_edges=total_edges,
        left_out_nodes=total_nodes - G.number_of_nodes(),
        left_out_edges=total_edges - G.number_of_edges() if not aggregated else total_edges,
        aggregated=aggregated, data=data, evidence=evidence, groups=grouped,
        grouping=("communities" if color == "communities" else "camps") if grouped else None,
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


def _aggregated_claims_view(store, data: ViewData, flt: Filters, color, node_budget, *,
                            half_life=None, horizon=None):
    """The claims view above the node budget with no filter: the state level straight away,
    reading only the claims behind the state ties (the same page as building the claims view
    first, without reading every claim of a large import)."""
    from graph.analysis.project import state_graph

    S = state_graph(store, half_life=half_life, horizon=horizon)
    data = load_view_data(store, claims={c for _, _, cs in S.edges(data="claims") for c in cs})
    G = _states_view(store, data, flt, S)
    total_nodes, total_edges = len(data.nodes), _direct_edge_count(store)
    notes = [_aggregation_note(G, total_nodes, total_edges, node_budget)]
    return _finish(store, G, data, flt, notes, view="claims", color=color, center=None,
                   depth=None, node_budget=node_budget, total_nodes=total_nodes,
                   total_edges=total_edges, aggregated=True, half_life=half_life,
                   horizon=horizon)


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


def _groups(store, as_of, G, half_life=None, horizon=None) -> tuple[dict, object]:
    """Camps and communities of run_clusters, marked on the state nodes of ``G``."""
    from graph.analysis.groups import cluster_evidence, groups, swing_reasons
    from graph.analysis.run import run_clusters

    try:
        result = run_clusters(store, as_of=as_of, dendrogram=False, half_life=half_life,
                              horizon=horizon)
    except StanceGraphError:
        return {}, None  # no state positions to cluster: every node stays uncoloured
    grouped = {name: groups(result, name) for name in ("camps", "communities")}
    reasons = swing_reasons(result)
    member = {name: {code: g.number for g in found for code in g.members}
              for name, found in grouped.items()}
    for _, attrs in G.nodes(data=True):
        if attrs["kind"] != "state":
            continue
        code = attrs["code"]
        if code in member["camps"]:
            attrs["camp"] = member["camps"][code]
        if code in member["communities"]:
            attrs["community"] = member["communities"][code]
        if code in reasons:
            attrs["swing"], attrs["swing_reason"] = True, reasons[code]
    return grouped, cluster_evidence(result)
