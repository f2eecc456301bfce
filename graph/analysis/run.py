"""The analyses users run on a store: coordination gaps, structural balance, clusters, profiles.

Each function projects the store (graph.analysis.project) and calls the pure algorithms in
graph.algorithms; results are plain data classes and DataFrames a notebook can use directly.
The CLI commands of the same names are thin layers over these functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
]


def resolve_issue(frame, issue: str | None) -> str | None:
    """Turn an issue code, label or IRI into the code used in a positions table."""
    if issue is None:
        return None
    wanted = issue.strip().lower().rsplit("/", 1)[-1].removeprefix("issue:")
    codes = set(frame["issue"].str.lower())
    if wanted in codes:
        return frame.loc[frame["issue"].str.lower() == wanted, "issue"].iloc[0]
    by_label = frame.loc[frame["issue_label"].str.lower() == issue.strip().lower(), "issue"]
    if len(by_label):
        return by_label.iloc[0]
    raise StanceGraphError(f"no positions on an issue called {issue!r}")


# ------------------------------------------------------------------------------ gaps

def run_gaps(store, *, actor=None, issue=None, min_score=0.0, as_of=None):
    """Coordination gaps between allied states, ranked (see graph.algorithms.gaps).

    Allies are pairs of states with an ``alignedWith`` claim (stated, rolled up, or a formal
    alliance imported from the Correlates of War data). Without ``issue``, gaps are computed
    on the issues claims speak to directly; with it, also on broader issues, whose positions
    combine those of the issues under them.
    """
    from graph.algorithms.gaps import coordination_gaps
    from graph.analysis.project import allied_pairs, issue_coverage, positions, state_iris

    pairs = allied_pairs(store, as_of=as_of)
    if actor is not None and issue is None and as_of is None:
        # One state's gaps: read the claims of that state and its allies only, and take the
        # salience of each issue from counts made in the store over all the claims.
        members = {actor} | {x for a, b, _ in pairs if actor in (a, b) for x in (a, b)}
        iris = state_iris(store)
        table = positions(store, actors=[iris[m] for m in sorted(members) if m in iris],
                          propagate=False)
        if table.empty:
            return []
        return coordination_gaps(table, pairs, actor=actor, min_score=min_score,
                                 coverage=issue_coverage(store))
    table = positions(store, as_of=as_of)
    if table.empty:
        return []
    code = resolve_issue(table, issue)
    if code is None:
        table = table[table["via"] == ""]
    return coordination_gaps(table, pairs, actor=actor, issue=code, min_score=min_score)


def _evidence_lines(rows) -> list[str]:
    """Quoted evidence one line each; claims with no quote (roll-call votes, coded events)
    counted by relation and source instead of listed: a state's side on a UN issue can rest on
    thousands of votes."""
    quoted = [f"{e.relation}: {e.evidence}" for e in rows if e.evidence]
    counts: dict[tuple[str, str], int] = {}
    for e in rows:
        if not e.evidence:
            key = (e.relation, e.source_title or e.source)
            counts[key] = counts.get(key, 0) + 1
    return quoted + [f"{relation} x{n:,} ({source})" for (relation, source), n in
                     sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def gap_rows(gaps) -> list[dict]:
    """Gaps as flat rows for tables: one row per gap with both sides' evidence summarised."""
    rows = []
    for gap in gaps:
        rows.append({
            "pair": f"{gap.actor_a}-{gap.actor_b}",
            "issue": gap.issue_label or gap.issue,
            "position_a": round(gap.position_a, 3),
            "position_b": round(gap.position_b, 3),
            "distance": round(gap.distance, 3),
            "salience": round(gap.salience, 3),
            "score": round(gap.score, 3),
            "evidence_a": _evidence_lines(gap.evidence_a),
            "evidence_b": _evidence_lines(gap.evidence_b),
            "sources": sorted({e.source_title for e in gap.evidence_a + gap.evidence_b}),
        })
    return rows


# ------------------------------------------------------------------------------ balance

@dataclass(frozen=True)
class BalanceReport:
    """Structural balance of the state-level signed graph."""

    graph: object
    triads: list
    balance_ratio: float | None
    frustration: object
    partition: object


def run_balance(store, *, k=2, as_of=None, method="auto", seed=0) -> BalanceReport:
    """Triads, frustration index and the balanced k-way partition of the state graph.

    See graph.algorithms.balance for the definitions (Cartwright & Harary 1956; Aref & Wilson
    2019; Doreian & Mrvar 1996).
    """
    from graph.algorithms import balance
    from graph.analysis.project import state_graph

    G = state_graph(store, as_of=as_of)
    signed = G.edge_subgraph([(u, v) for u, v, d in G.edges(data=True) if d.get("sign")]).copy()
    triads = balance.triads(signed)
    ratio = balance.triangle_balance_ratio(signed) if triads else None
    frustration = balance.frustration_index(signed, method=method, seed=seed)
    partition = balance.balanced_partition(signed, k=k, seed=seed) if signed.number_of_edges() \
        else None
    return BalanceReport(G, triads, ratio, frustration, partition)


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


def _signed_graph(affinity):
    import networkx as nx

    G = nx.Graph()
    G.add_nodes_from(sorted(affinity.index))
    actors = sorted(affinity.index)
    for i, a in enumerate(actors):
        for b in actors[i + 1:]:
            value = affinity.loc[a, b]
            if value == value and value != 0:  # NaN (no shared evidence) and 0 make no tie
                G.add_edge(a, b, sign=1 if value > 0 else -1, weight=abs(float(value)))
    return G


def silhouettes(affinity, membership: dict) -> dict:
    """Silhouette of each actor in a partition (Rousseeuw 1987), on the signed affinity.

    Distance is ``(1 - affinity) / 2`` in [0, 1]; pairs with no shared evidence are left out
    of the means, and an actor with nothing known about the other side gets distance 1 to it
    (unrelated). s = (b - a) / max(a, b), with a the mean distance to its own camp and b the
    smallest mean distance to another camp: near 1 firmly placed, near 0 between camps,
    negative closer to another camp than to its own.
    """
    import numpy as np

    distance = (1 - affinity) / 2
    groups = sorted(set(membership.values()))
    scores = {}
    for actor, own in membership.items():
        means = {}
        for group in groups:
            others = [x for x, g in membership.items() if g == group and x != actor]
            values = [distance.loc[actor, x] for x in others]
            values = [v for v in values if v == v]
            means[group] = float(np.mean(values)) if values else (0.0 if group == own else 1.0)
        a = means[own]
        b = min((v for g, v in means.items() if g != own), default=1.0)
        scores[actor] = 0.0 if max(a, b) == 0 else (b - a) / max(a, b)
    return scores


def _tie_signals(store, as_of):
    """Per pair of states: (sum of polarity x confidence, sum of confidence) over their claims.

    Neutral claims (declined) count with polarity 0: a deliberate silence between two states
    is evidence of a relation that is neither cooperative nor hostile.
    """
    from graph.analysis.project import claims_then, valid_at

    # The claims whose target is a state are found first: starting from every claim would
    # read all the votes of an imported UN record (a minute) for a few thousand ties.
    rows = claims_then(
        store,
        "SELECT DISTINCT ?claim WHERE { ?y sg:isoCode ?b . ?claim sg:target ?y }",
        """
        SELECT ?a ?b ?polarity ?confidence ?date ?validFrom ?validUntil WHERE {
            VALUES ?claim { CLAIMS }
            ?claim sg:actor ?x ; sg:target ?y ; sg:relation ?relation .
            ?relation sg:polarity ?polarity .
            ?x sg:isoCode ?a . ?y sg:isoCode ?b .
            OPTIONAL { ?claim sg:confidence ?confidence }
            OPTIONAL { ?claim sg:date ?date }
            OPTIONAL { ?claim sg:validFrom ?validFrom }
            OPTIONAL { ?claim sg:validUntil ?validUntil }
        }""",
    )
    signals: dict[tuple[str, str], list[float]] = {}
    for row in rows:
        if row["a"] == row["b"] or not valid_at(row, as_of):
            continue
        confidence = float(row.get("confidence") or 1.0)
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
) -> AlignmentClusters:
    """Alignment clusters of states from their positions and, optionally, their direct ties.

    The agreement of two states is ``method`` (default the Signorino-Ritter S score) over the
    items both take positions on: each resolution they voted on or (co-)sponsored, each issue
    they took a position on otherwise. With ``ties``, each claim between the two states counts
    as one more item on which they agree (+1, a cooperative claim) or disagree (-1, a
    conflictual one), so that states known only from their ties to others (Cuba, Laos) are
    placed too: affinity = (agreement x common items + sum of tie signs) / (common items +
    ties). Communities are Louvain (Blondel et al. 2008) on the positive affinities with a
    fixed seed (positive affinities only). Camps are the balanced two-way partition of the
    signed affinity graph (Doreian & Mrvar 1996), which also uses the negative affinities that
    modularity ignores. An actor whose silhouette in its camp (Rousseeuw 1987) is below
    ``swing_threshold`` sits between the camps: a swing state. With ``dendrogram`` (the
    default) the report also holds the average-linkage hierarchy (SciPy) for dendrograms.

    References
    ----------
    Blondel, Guillaume, Lambiotte & Lefebvre (2008), J. Stat. Mech. P10008.
    Doreian & Mrvar (1996), Social Networks 18(2):149-168.
    Rousseeuw (1987), J. Comput. Appl. Math. 20:53-65.
    Signorino & Ritter (1999), International Studies Quarterly 43(1):115-144.
    """
    import numpy as np
    import pandas as pd

    from graph.algorithms import balance
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
    from graph.analysis.project import position_items

    items = position_items(store, issue=issue, as_of=as_of)
    matrix = position_matrix(items, item="item") if len(items) else pd.DataFrame()
    signals = _tie_signals(store, as_of) if ties and issue is None else {}
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
    affinity = agreement.fillna(0.0) * common
    counts = common.copy()
    for (a, b), (sign_sum, n) in signals.items():
        for x, y in ((a, b), (b, a)):
            affinity.loc[x, y] += sign_sum
            counts.loc[x, y] += n
    with np.errstate(invalid="ignore", divide="ignore"):
        blended = affinity / counts.replace(0.0, np.nan)
    for actor in actors:
        blended.loc[actor, actor] = 1.0
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
    signed = _signed_graph(blended)
    camps = balance.balanced_partition(signed, k=2, seed=seed) if signed.number_of_edges() \
        else None
    camp_of = camps.membership if camps else {a: 0 for a in actors}
    scores = silhouettes(blended, camp_of)
    table = membership[["cluster", "strength", "betweenness"]].rename(
        columns={"cluster": "community"}
    )
    table.insert(1, "camp", [camp_of.get(a, 0) for a in table.index])
    table.insert(2, "silhouette", [round(scores[a], 4) for a in table.index])
    table["swing"] = table["silhouette"] < swing_threshold
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


def actor_profile(store, code: str, *, as_of=None) -> ActorProfile:
    """Everything the graph says about one actor (states get allies, rivals and gaps too)."""
    from graph.analysis.project import positions, state_graph
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
    table = positions(store, level="all", as_of=as_of, propagate=False, actors=[str(iri)])
    mine = table[table["actor"] == actor_code]
    position_rows = [
        {"issue": r.issue_label or r.issue, "position": r.position, "relation": r.relation,
         "target": r.target_label or r.target, "date": r.date, "evidence": r.evidence,
         "source": r.source_title}
        for r in mine.itertuples()
    ]
    allies, rivals, gaps = [], [], []
    G = state_graph(store, as_of=as_of)
    if actor_code in G:
        for other in sorted(G[actor_code]):
            edge = G[actor_code][other]
            entry = {"state": other, "label": G.nodes[other].get("label", ""),
                     "weight": edge["weight"], "relations": edge["relations"],
                     "claims": len(edge["claims"])}
            (allies if edge["sign"] > 0 else rivals).append(entry)
        gaps = gap_rows(run_gaps(store, actor=actor_code, as_of=as_of))
    return ActorProfile(actor_code, label, kind, position_rows, allies, rivals, gaps)
