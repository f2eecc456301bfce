"""The explorer's gaps view: allied states, their alliances and their coordination gaps."""

from __future__ import annotations

from collections import defaultdict

from graph.explorer.viewdata import ClaimRecord, Filters, NodeRecord, ViewData
from graph.vocab import relations

__all__ = ["gaps_view"]


def _gap_claim(row, data: ViewData) -> ClaimRecord:
    """The claim behind a gap's evidence row (read from the store when it is there)."""
    known = data.claims.get(row.claim)
    if known is not None:
        return known
    return ClaimRecord(row.claim, "", row.relation, "", False, row.date, "", 1.0, row.source,
                       row.source_title, row.evidence, "")


def gaps_view(store, data: ViewData, flt: Filters, context=None, timed: bool = False):
    """Allied states, their alliance edges and one labelled edge per coordination gap at D.

    With ``timed``, also the alliances and the possible gaps of other dates (edges with
    ``holds`` False: a pair allied at some date, an issue both take positions on at some
    date), and ``G.graph["gap_rows"]``: every state's direct positions, for the page to
    recompute positions, salience and gaps at the slider's date.
    """
    import networkx as nx

    from graph.analysis.project import allied_pairs, positions
    from graph.analysis.run import run_gaps

    by_code = {n.code: n for n in data.nodes.values() if n.kind == "state"}
    G = nx.MultiDiGraph()
    G.graph["gap_rows"], G.graph["alliance_claims"] = [], []

    def node(code):
        found = by_code.get(code) or NodeRecord(code, "state", code, code)
        if found.iri not in G:
            G.add_node(found.iri, kind=found.kind, code=found.code, label=found.label)
        return found.iri

    table = relations()
    now = {(a, b): basis for a, b, basis in allied_pairs(store, as_of=flt.as_of,
                                                         context=context)}
    alliances: dict[tuple, set] = defaultdict(set)
    for pair, basis in now.items():
        alliances[pair] |= {data.claims[c] for c in basis.split("; ") if c in data.claims}
    if timed:
        for claim in data.claims.values():
            a, b = data.nodes.get(claim.actor), data.nodes.get(claim.target)
            if claim.relation == "alignedWith" and a and b and a.kind == b.kind == "state" \
                    and a.code != b.code:
                pair = tuple(sorted((a.code, b.code)))
                alliances[pair].add(claim)
                G.graph["alliance_claims"].append((claim, *pair))
    for pair in sorted(alliances):
        claims = sorted(alliances[pair], key=lambda c: c.iri)
        kept = [c for c in claims if flt.keeps(c, timed=False)]
        if claims and not kept:
            continue
        ia, ib = node(pair[0]), node(pair[1])
        G.add_edge(ia, ib, key="alliance", family="aligned", relations=["alignedWith"],
                   claims=kept, derived=False, symmetric=True, pair=pair, holds=pair in now,
                   strength=sum(abs(table["alignedWith"].weight) * c.confidence for c in kept))
    found = {(g.actor_a, g.actor_b, g.issue): g
             for g in run_gaps(store, as_of=flt.as_of, context=context) if g.distance > 0}
    sides: dict[tuple, list] = defaultdict(list)
    labels = {}
    if timed:
        rows = positions(store, context=context, keep_inactive=True, propagate=False)
        for row in rows.itertuples(index=False):
            claim = data.claims.get(row.claim)
            if claim is None:
                continue
            G.graph["gap_rows"].append((claim, row.actor, row.issue, float(row.position)))
            sides[row.actor, row.issue].append(claim)
            labels.setdefault(row.issue, row.issue_label or row.issue)
    candidates = set(found)
    issues_of = defaultdict(set)
    for actor, issue in sides:
        issues_of[actor].add(issue)
    for a, b in alliances:
        candidates |= {(a, b, issue) for issue in issues_of[a] & issues_of[b]}
    for a, b, issue in sorted(candidates):
        gap = found.get((a, b, issue))
        if gap is not None:
            side_a, side_b = gap.evidence_a, gap.evidence_b
            claims = sorted({_gap_claim(r, data) for r in side_a + side_b}, key=lambda c: c.iri)
            label = gap.issue_label or gap.issue
        else:
            side_a, side_b = (), ()
            claims = sorted(set(sides[a, issue]) | set(sides[b, issue]), key=lambda c: c.iri)
            label = labels.get(issue, issue)
        kept = [c for c in claims if flt.keeps(c, timed=False)]
        if claims and not kept:
            continue
        G.add_edge(
            node(a), node(b), key=f"gap:{issue}", family="gap",
            relations=sorted({c.relation for c in kept}), claims=kept, derived=False,
            symmetric=True, strength=float(gap.score) if gap else 0.0, gap=gap,
            evidence_a=side_a, evidence_b=side_b, holds=gap is not None,
            pair=(a, b), issue=issue, issue_label=label,
        )
    return G
