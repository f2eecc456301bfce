"""Coordination gaps on a store: allies' positions read, salience counted, gaps ranked.

The algorithm is :func:`graph.algorithms.gaps.coordination_gaps`; this module reads what it
needs from the store at a date (docs/TIME.md) and flattens the gaps for tables
(:func:`gap_rows`). ``graph.analysis.run`` re-exports it with the other analyses.
"""

from __future__ import annotations

from graph.errors import StanceGraphError

__all__ = ["run_gaps", "gaps_from_all_positions", "gap_rows", "resolve_issue"]


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

def run_gaps(store, *, actor=None, issue=None, min_score=0.0, as_of=None, half_life=None,
             horizon=None, context=None, table=None):
    """Coordination gaps between allied states at D, ranked (see graph.algorithms.gaps).

    Allies are pairs of states with an ``alignedWith`` claim holding at D (stated, rolled up,
    or a formal alliance imported from the Correlates of War data). Positions are those of
    docs/TIME.md at D (``as_of``, default the newest date in the store; ``half_life`` and
    ``horizon`` in days or ``2y``/``18m``); the evidence lists superseded claims too, with
    weight 0. Without ``issue``, gaps are computed on the issues claims speak to directly;
    with it, also on broader issues, whose positions combine those of the issues under them.

    Without ``issue``, only the claims of allied states are read (with ``actor``, of that
    state and its allies), and each issue's salience comes from counts made in the store over
    all the claims (:func:`graph.analysis.project.issue_coverage`): the same gaps as from the
    whole positions table (:func:`gaps_from_all_positions`, the straightforward reading),
    without reading the votes of the states no alliance involves. ``table`` is those claims'
    positions when the caller has read them already (:func:`actor_profile`).
    """
    from graph.algorithms.gaps import coordination_gaps
    from graph.analysis.project import (
        allied_pairs,
        issue_coverage,
        positions,
        state_iris,
        time_context,
    )

    if context is None:
        context = time_context(store, as_of=as_of, half_life=half_life, horizon=horizon)
    pairs = allied_pairs(store, context=context)
    if issue is not None:
        return gaps_from_all_positions(store, pairs, context, actor=actor, issue=issue,
                                       min_score=min_score)
    members = {x for a, b, _ in pairs if actor is None or actor in (a, b) for x in (a, b)}
    if actor is not None:
        members.add(actor)
    if table is None:
        iris = state_iris(store)
        table = positions(store, actors=[iris[m] for m in sorted(members) if m in iris],
                          propagate=False, context=context, keep_inactive=True)
    table = table[table["actor"].isin(members)]
    if table.empty:
        return []
    return _real_gaps(coordination_gaps(table, pairs, actor=actor, min_score=min_score,
                                        coverage=issue_coverage(store)))


def gaps_from_all_positions(store, pairs, context, *, actor=None, issue=None, min_score=0.0):
    """:func:`run_gaps` from the positions of every state on every issue (all claims read,
    propagated up the issue hierarchy): the straightforward reading, used with ``issue``
    (whose broader issues combine the claims under them) and by the tests as the reference
    the faster reading must equal."""
    from graph.algorithms.gaps import coordination_gaps
    from graph.analysis.project import positions

    table = positions(store, context=context, keep_inactive=True)
    if table.empty:
        return []
    code = resolve_issue(table, issue)
    if code is None:
        table = table[table["via"] == ""]
    return _real_gaps(coordination_gaps(table, pairs, actor=actor, issue=code,
                                        min_score=min_score))


def _real_gaps(found) -> list:
    """Leave out pairs that agree (distance 0): a gap of zero is no gap (issue 14)."""
    return [g for g in found if g.distance > 1e-12]


def _evidence_lines(rows) -> list[str]:
    """Quoted evidence one line each; claims with no quote (roll-call votes, coded events)
    counted by relation and source instead of listed: a state's side on a UN issue can rest on
    thousands of votes."""
    # One sentence behind several claims is listed once, with each claim's relation.
    by_quote: dict[str, dict[str, None]] = {}
    for e in rows:
        if e.evidence:
            by_quote.setdefault(e.evidence, {})[(e.relation, _weight_note(e))] = None
    quoted = []
    for quote, claims in by_quote.items():
        notes = {note for _, note in claims}
        if len(notes) == 1:
            quoted.append(f"{', '.join(dict.fromkeys(r for r, _ in claims))}: {quote}"
                          f"{notes.pop()}")
        else:
            quoted.append(f"{', '.join(r + n for r, n in claims)}: {quote}")
    counts: dict[tuple[str, str, str], int] = {}
    for e in rows:
        if not e.evidence:
            key = (e.relation, e.source_title or e.source, _weight_note(e, counted=True))
            counts[key] = counts.get(key, 0) + 1
    return quoted + [f"{relation} x{n:,} ({source}){note}" for (relation, source, note), n in
                     sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _weight_note(e, counted: bool = False) -> str:
    """How a claim counts at D (docs/TIME.md): its weight, or why it does not count."""
    from graph.vocab import short

    status = getattr(e, "status", "counts")
    if status == "superseded":
        return " [superseded" + ("" if counted else f" by {short(e.superseded_by)}") + "]"
    if status != "counts":
        return f" [{status}]"
    weight = getattr(e, "weight", 1.0)
    return "" if counted or weight >= 1 else f" [weight {weight:.2f}]"


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
