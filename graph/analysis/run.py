"""The analyses users run on a store: coordination gaps, structural balance, clusters, profiles.

Each function projects the store (graph.analysis.project) and calls the pure algorithms in
graph.algorithms; results are plain data classes and DataFrames a notebook can use directly.
The CLI commands of the same names are thin layers over these functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.analysis.gaps import gap_rows, gaps_from_all_positions, resolve_issue, run_gaps
from graph.errors import StanceGraphError

__all__ = [
    "run_gaps",
    "run_balance",
    "run_clusters",
    "actor_profile",
    "BalanceReport",
    "AlignmentClusters",
    "ActorProfile",
    "resolve_issue",
    "gap_rows",
    "gaps_from_all_positions",
]


# ------------------------------------------------------------------------------ balance

@dataclass(frozen=True)
class BalanceReport:
    """Structural balance of the state-level signed graph."""

    graph: object
    triads: list
    balance_ratio: float | None
    frustration: object
    partition: object
    #: Signed ties the state graph does not hold (issue 14): ``rolled_up`` claims between
    #: other actors that count through a derived state-level claim, ``left_out`` ones that
    #: count nowhere (an organisation, or a person of no state), and a few ``examples``.
    other_ties: dict = field(default_factory=dict)


#: Every actor (typed with a class under sg:Actor) and whether it is a state.
_ACTORS = """
SELECT ?x ?class WHERE { ?class rdfs:subClassOf sg:Actor . ?x a ?class }"""
#: The claims whose target is an actor, found first (claims_then), then read one by one, with
#: the state-level claims derived from them; the typing tests are made here in Python.
#: One query with the tests as FILTER (NOT) EXISTS walked the 870,000 votes of the UN record
#: (7 s) for a few dozen ties.
_ACTOR_TARGETS = """
SELECT DISTINCT ?claim WHERE { ?class rdfs:subClassOf sg:Actor . ?t a ?class .
                               ?claim sg:target ?t }"""
_TIES = """
SELECT ?claim ?a ?r ?t ?p ?da ?dt WHERE {
    VALUES ?claim { CLAIMS }
    ?claim a sg:Claim ; sg:target ?t ; sg:actor ?a ; sg:relation ?r . ?r sg:polarity ?p .
    OPTIONAL { ?d sg:derivedFrom ?claim ; sg:actor ?da ; sg:target ?dt }
}"""


def _other_ties(store) -> dict:
    """Signed claims between actors that are not both states (see BalanceReport.other_ties)."""
    from graph.analysis.project import claims_then
    from graph.vocab import SG, short

    actors: dict[str, bool] = {}
    for row in store.select_rows(_ACTORS):
        actors[row["x"]] = actors.get(row["x"], False) or row["class"] == str(SG.State)
    rows: dict[str, dict] = {}
    for row in claims_then(store, _ACTOR_TARGETS, _TIES):
        a, t = row["a"], row["t"]
        if int(row["p"]) == 0 or a not in actors or (actors[a] and actors.get(t, False)):
            continue
        entry = rows.setdefault(row["claim"], {**row, "rolled": False})
        if actors.get(row.get("da"), False) and actors.get(row.get("dt"), False):
            entry["rolled"] = True
    left = sorted(c for c, r in rows.items() if not r["rolled"])
    return {
        "rolled_up": len(rows) - len(left),
        "left_out": len(left),
        "examples": [f"{short(rows[c]['a'])} {short(rows[c]['r'])} {short(rows[c]['t'])}"
                     for c in left[:5]],
    }


def run_balance(store, *, k=2, as_of=None, method="auto", seed=0, half_life=None,
                horizon=None) -> BalanceReport:
    """Triads, frustration index and the balanced k-way partition of the state graph at D
    (docs/TIME.md: ``as_of``, default the newest date in the store).

    See graph.algorithms.balance for the definitions (Cartwright & Harary 1956; Aref & Wilson
    2019; Doreian & Mrvar 1996).
    """
    from graph.algorithms import balance
    from graph.analysis.project import state_graph

    G = state_graph(store, as_of=as_of, half_life=half_life, horizon=horizon)
    signed = G.edge_subgraph([(u, v) for u, v, d in G.edges(data=True) if d.get("sign")]).copy()
    triads = balance.triads(signed)
    ratio = balance.triangle_balance_ratio(signed) if triads else None
    frustration = balance.frustration_index(signed, method=method, seed=seed)
    if signed.number_of_edges() and k == 2 and frustration.exact:
        # The exact frustration index's two sides are an optimal 2-way partition: show those,
        # so that the partition never violates more edges than the index says (issue 14).
        partition = balance.signed_partition(signed, frustration.partition, exact=True)
    elif signed.number_of_edges():
        partition = balance.balanced_partition(signed, k=k, seed=seed)
        sides = balance.signed_partition(signed, frustration.partition)
        if k >= 2 and sides.criterion < partition.criterion:
            partition = sides
    else:
        partition = None
    return BalanceReport(G, triads, ratio, frustration, partition, _other_ties(store))


# ------------------------------------------------------------------------------ clusters

@dataclass(frozen=True)
class AlignmentClusters:
    """Alignment clusters with the tables behind them.

    ``report`` holds the affinity matrix, the Louvain communities, their membership table and
    the hierarchical clustering; ``camps`` the two-camp split of the signed affinity graph;
    ``actors`` one row per state: community, camp, silhouette, strength, betweenness, swing.
    """

    report: object
    items: object
    camps: object
    actors: object
    ties: dict = field(default_factory=dict)

    @property
    def communities(self):
        return self.report.communities

    @property
    def membership(self):
        return self.report.membership

    @property
    def swing(self) -> list[str]:
        """The states flagged as swing actors."""
        return sorted(self.actors.index[self.actors["swing"]])


def _tie_signals(store, as_of, context=None):
    """Per pair of states: (sum of polarity x confidence x w, sum of confidence x w) over their
    claims, w the claim's weight at D (docs/TIME.md).

    Neutral claims (declined) count with polarity 0: a deliberate silence between two states
    is evidence of a relation that is neither cooperative nor hostile.
    """
    from graph.analysis.project import _iso, claims_then, time_context, weigh

    # The claims whose target is a state are found first: starting from every claim would
    # read all the votes of an imported UN record (a minute) for a few thousand ties. Both
    # answers are the store's contents, kept with it until its next write (values as text).
    rows = claims_then(
        store,
        "SELECT DISTINCT ?claim WHERE { ?y sg:isoCode ?b . ?claim sg:target ?y }",
        """
        SELECT ?claim ?x ?y ?relation ?a ?b ?polarity ?confidence ?date ?validFrom ?validUntil
        WHERE {
            VALUES ?claim { CLAIMS }
            ?claim sg:actor ?x ; sg:target ?y ; sg:relation ?relation .
            ?relation sg:polarity ?polarity .
            ?x sg:isoCode ?a . ?y sg:isoCode ?b .
            OPTIONAL { ?claim sg:confidence ?confidence }
            OPTIONAL { ?claim sg:date ?date }
            OPTIONAL { ?claim sg:validFrom ?validFrom }
            OPTIONAL { ?claim sg:validUntil ?validUntil }
        }""",
        keep=True,
    )
    import pandas as pd

    if context is None:
        context = time_context(store, as_of=as_of)
    frame = pd.DataFrame.from_records(
        [{"claim": r["claim"], "actor": r["x"], "target": r["y"],
          "relation": str(r["relation"]).rsplit("#", 1)[-1], "date": _iso(r.get("date")) or "",
          "valid_from": _iso(r.get("validFrom")) or "",
          "valid_until": _iso(r.get("validUntil")) or ""} for r in rows],
        columns=["claim", "actor", "target", "relation", "date", "valid_from", "valid_until"])
    weights = weigh(frame, context)["weight"].to_numpy() if len(frame) else []
    signals: dict[tuple[str, str], list[float]] = {}
    for row, w in zip(rows, weights, strict=True):
        if row["a"] == row["b"] or w <= 0:
            continue
        confidence = float(row.get("confidence") or 1.0) * float(w)
        entry = signals.setdefault(tuple(sorted((row["a"], row["b"]))), [0.0, 0.0])
        entry[0] += int(row["polarity"]) * confidence
        entry[1] += confidence
    return {pair: (total, weight) for pair, (total, weight) in signals.items()}


#: Betweenness in ``clusters`` is exact up to this many states, estimated from this many
#: seeded sources above (Brandes & Pich 2007): the UN's ~200 members would cost ~20 s exact.
BETWEENNESS_SOURCES = 64


def run_clusters(
    store,
    *,
    issue=None,
    method="s_score",
    resolution=1.0,
    seed=0,
    as_of=None,
    min_common=1,
    ties=True,
    swing_threshold=0.5,
    dendrogram=True,
    half_life=None,
    horizon=None,
    start=None,
    end=None,
) -> AlignmentClusters:
    """Alignment clusters of states from their positions and, optionally, their direct ties.

    The agreement of two states is ``method`` (default the Signorino-Ritter S score) over the
    items both take positions on: each resolution they voted on or (co-)sponsored, each issue
    they took a position on otherwise. With ``ties``, each claim between the two states counts
    as one more item on which they agree (+1, a cooperative claim) or disagree (-1, a
    conflictual one), so that states known only from their ties to others (Cuba, Laos) are
    placed too: affinity = (agreement x common items + sum of tie signs) / (common items +
    ties). Communities are Louvain (Blondel et al. 2008) on the positive affinities with a
    fixed seed (positive affinities only). Camps are the two signs of the leading axis of the
    double-centred affinity (graph.algorithms.camps.two_camps: classical scaling, Newman's
    spectral bisection), which stays two-sided on dense roll-call agreement where a partition
    of the signed graph collapses into one camp; ``camps.quality()`` says how good the split
    is. A state whose silhouette on that axis (Rousseeuw 1987) is below ``swing_threshold``
    sits near the boundary: a swing state. With ``dendrogram`` (the default) the report also
    holds the average-linkage hierarchy (SciPy) for dendrograms.

    ``start`` / ``end`` (ISO dates or years, inclusive) cluster on the roll calls of that
    window only, each vote counting once (graph.analysis.votes): the agreement over a period,
    rather than the positions at one date of docs/TIME.md; claims that are not votes are left
    out of a window.

    References
    ----------
    Blondel, Guillaume, Lambiotte & Lefebvre (2008), J. Stat. Mech. P10008.
    Newman (2006), Phys. Rev. E 74(3):036104.
    Rousseeuw (1987), J. Comput. Appl. Math. 20:53-65.
    Signorino & Ritter (1999), International Studies Quarterly 43(1):115-144.
    """
    import numpy as np
    import pandas as pd

    from graph.algorithms.camps import two_camps
    from graph.algorithms.clusters import (
        ClusterReport,
        agreement_graph,
        agreement_matrix,
        common_counts,
        hierarchical_clusters,
        louvain_clusters,
        membership_strength,
        position_matrix,
    )
    from graph.analysis.items import position_codes
    from graph.analysis.project import time_context

    # One D for positions and ties (docs/TIME.md; half_life and horizon in days or 2y/18m).
    context = time_context(store, as_of=as_of, half_life=half_life, horizon=horizon)
    if start is not None or end is not None:
        from graph.analysis.votes import read_votes

        if as_of is not None or half_life is not None or horizon is not None:
            raise StanceGraphError("--from/--to count every vote of the window once; they do "
                                   "not combine with --as-of, --half-life or --horizon")

        items = read_votes(store, issue=issue).window(start, end).votes
        ties = False
        matrix = position_matrix(items, item="item") if len(items) else pd.DataFrame()
    else:
        # The positions as integer codes, pivoted without a table of strings (issue 15): the
        # matrix of position_matrix(position_items(...)), in a fraction of the time.
        coded = position_codes(store, issue=issue, context=context)
        matrix = coded.matrix() if len(coded) else pd.DataFrame()
    signals = _tie_signals(store, as_of, context) if ties and issue is None else {}
    actors = sorted(set(matrix.index) | {a for pair in signals for a in pair})
    if not actors:
        where = f" on {issue!r}" if issue else ""
        raise StanceGraphError(f"no state positions to cluster{where}")
    matrix = matrix.reindex(index=actors)
    if matrix.shape[1]:
        agreement = agreement_matrix(matrix, method=method, min_common=min_common)
        common = common_counts(matrix).astype(float)
    else:
        agreement = pd.DataFrame(np.nan, index=actors, columns=actors)
        common = pd.DataFrame(0.0, index=actors, columns=actors)
    # Ties blended in as arrays: one DataFrame .loc per pair and per diagonal cell cost more
    # than the agreement itself on a small slice (issue 15).
    position = {a: i for i, a in enumerate(actors)}
    affinity = agreement.fillna(0.0).to_numpy() * common.to_numpy()
    counts = common.to_numpy().copy()
    for (a, b), (sign_sum, n) in signals.items():
        for x, y in ((position[a], position[b]), (position[b], position[a])):
            affinity[x, y] += sign_sum
            counts[x, y] += n
    with np.errstate(invalid="ignore", divide="ignore"):
        values = affinity / np.where(counts == 0.0, np.nan, counts)
    np.fill_diagonal(values, 1.0)
    blended = pd.DataFrame(values, index=agreement.index.copy(),
                           columns=agreement.columns.copy())
    counts = pd.DataFrame(counts, index=common.index.copy(), columns=common.columns.copy())
    G = agreement_graph(blended)
    communities = louvain_clusters(G, resolution=resolution, seed=seed)
    # Above BETWEENNESS_SOURCES states, betweenness is estimated from that many sources.
    membership = membership_strength(G, communities, sources=BETWEENNESS_SOURCES, seed=seed)
    # The dendrogram (SciPy) is for Python users; the command line shows none.
    hierarchy = hierarchical_clusters(blended) if dendrogram and len(actors) > 2 else None
    report = ClusterReport(
        method=method,
        agreement=blended,
        common=counts,
        graph=G,
        communities=communities,
        membership=membership,
        hierarchy=hierarchy,
    )
    camps = two_camps(blended, anchor="USA" if "USA" in blended.index else None,
                      swing_threshold=swing_threshold)
    camp_of = camps.membership if camps else {a: 0 for a in actors}
    scores = camps.silhouette.to_dict() if camps else {a: 0.0 for a in actors}
    table = membership[["cluster", "strength", "betweenness"]].rename(
        columns={"cluster": "community"}
    )
    table.insert(1, "camp", [camp_of.get(a, 0) for a in table.index])
    table.insert(2, "silhouette", [round(scores[a], 4) for a in table.index])
    table["swing"] = table.index.isin(camps.swing if camps else [])
    return AlignmentClusters(report=report, items=matrix, camps=camps, actors=table, ties=signals)


# ------------------------------------------------------------------------------ actor

@dataclass(frozen=True)
class ActorProfile:
    """One actor: its positions, allies, rivals and coordination gaps, with evidence."""

    code: str
    label: str
    kind: str
    positions: list
    allies: list
    rivals: list
    gaps: list


def actor_profile(store, code: str, *, as_of=None, half_life=None,
                  horizon=None) -> ActorProfile:
    """Everything the graph says about one actor at D (docs/TIME.md; ``as_of``, default the
    newest date in the store): positions with their weights, allies, rivals, gaps."""
    from graph.analysis.gaps import allies_at
    from graph.analysis.project import positions, state_graph, state_iris, time_context
    from graph.store.query import resolve_actor

    iri = resolve_actor(store, code)
    rows = store.select_rows(
        "SELECT ?label ?kind ?code ?iri WHERE { ?iri rdfs:label ?label ; a ?class . "
        "?class rdfs:label ?kind . OPTIONAL { ?iri sg:code ?code } "
        "FILTER (?class != sg:Issue || true) }",
        {"iri": iri},
    )
    if not rows:
        raise StanceGraphError(f"{code}: not found")
    label, kind = str(rows[0]["label"]), str(rows[0]["kind"])
    actor_code = rows[0].get("code") or str(iri).rsplit("/", 1)[-1]
    context = time_context(store, as_of=as_of, half_life=half_life, horizon=horizon)
    # The actor's claims and its allies' are read at once: the gaps need the allies' too.
    allied_states = allies_at(store, context, actor=actor_code)
    allied = allied_states.members - {actor_code}
    iris = state_iris(store)
    table = positions(store, level="all", propagate=False, context=context, keep_inactive=True,
                      actors=[str(iri), *(iris[x] for x in sorted(allied) if x in iris)])
    mine = table[table["actor"] == actor_code]
    position_rows = [
        {"issue": r.issue_label or r.issue, "position": r.position, "relation": r.relation,
         "target": r.target_label or r.target, "date": r.date,
         "weight": round(float(r.weight), 4), "evidence": r.evidence, "source": r.source_title}
        for r in mine.itertuples()
        if r.weight > 0
    ]
    allies, rivals, gaps = [], [], []
    G = state_graph(store, context=context)
    if actor_code in G:
        for other in sorted(G[actor_code]):
            edge = G[actor_code][other]
            entry = {"state": other, "label": G.nodes[other].get("label", ""),
                     "weight": edge["weight"], "relations": edge["relations"],
                     "claims": len(edge["claims"])}
            (allies if edge["sign"] > 0 else rivals).append(entry)
        gaps = gap_rows(run_gaps(store, actor=actor_code, context=context, table=table,
                                 allies=allied_states))
    return ActorProfile(actor_code, label, kind, position_rows, allies, rivals, gaps)
