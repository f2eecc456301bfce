"""Coordination gaps on a store: allies' positions read, salience counted, gaps ranked.

The algorithm is :func:`graph.algorithms.gaps.coordination_gaps`; this module reads what it
needs from the store at a date (docs/TIME.md), or at several dates reading what they share once
(:func:`gaps_at_dates`, for ``gaps --compare``), and flattens the gaps for tables
(:func:`gap_rows`). ``graph.analysis.run`` re-exports it with the other analyses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.errors import StanceGraphError

__all__ = ["Allies", "DatedGaps", "allies_at", "run_gaps", "gaps_at_dates",
           "gaps_from_all_positions", "gap_rows", "resolve_issue"]


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

@dataclass(frozen=True)
class Allies:
    """The pairs of states allied at one date, and the states whose claims their gaps need.

    Attributes
    ----------
    pairs : list of (str, str, str)
        ``(code_a, code_b, basis)`` as :func:`graph.analysis.project.allied_pairs` gives them.
    actor : str or None
        The state the gaps are asked for (None: every pair).
    members : frozenset of str
        The states of the pairs (with ``actor``, of its pairs only), and ``actor`` itself.
    as_of : str
        The date D the alliances hold at (``YYYY-MM-DD``).
    """

    pairs: list
    actor: str | None
    members: frozenset
    as_of: str


def allies_at(store, context, *, actor: str | None = None) -> Allies:
    """The allied pairs at the date of ``context`` (a graph.analysis.temporal.TimeContext),
    read from the store once, for :func:`run_gaps` (``allies=``) and for callers that need
    them too (``actor_profile`` reads the claims of an actor and of its allies at once)."""
    from graph.analysis.project import allied_pairs

    pairs = allied_pairs(store, context=context)
    members = {x for a, b, _ in pairs if actor is None or actor in (a, b) for x in (a, b)}
    if actor is not None:
        members.add(actor)
    return Allies(pairs, actor, frozenset(members), context.clock.as_of)


def run_gaps(store, *, actor=None, issue=None, min_score=0.0, as_of=None, half_life=None,
             horizon=None, context=None, table=None, allies: Allies | None = None):
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
    positions and ``allies`` the :func:`allies_at` of ``context`` and ``actor`` when the
    caller has read them already (:func:`actor_profile`).
    """
    from graph.analysis.project import issue_coverage, time_context

    if context is None:
        context = time_context(store, as_of=as_of, half_life=half_life, horizon=horizon)
    if allies is None:
        allies = allies_at(store, context, actor=actor)
    elif allies.actor != actor:
        raise ValueError(f"allies found for actor {allies.actor!r}, gaps asked for {actor!r}")
    elif allies.as_of != context.clock.as_of:
        raise ValueError(f"allies found at {allies.as_of}, gaps asked for at "
                         f"{context.clock.as_of}")
    if issue is not None:
        return gaps_from_all_positions(store, allies.pairs, context, actor=actor, issue=issue,
                                       min_score=min_score)
    if table is None:
        table = _member_positions(store, allies.members, context)
    return _member_gaps(table, allies, min_score=min_score, coverage=issue_coverage(store))


def _member_positions(store, members, context, iris=None):
    """The positions (direct issues, weight 0 kept) of the claims of the states ``members``."""
    from graph.analysis.project import positions, state_iris

    iris = state_iris(store) if iris is None else iris
    return positions(store, actors=[iris[m] for m in sorted(members) if m in iris],
                     propagate=False, context=context, keep_inactive=True)


def _member_gaps(table, allies: Allies, *, min_score, coverage) -> list:
    """:func:`run_gaps` without ``issue``, from positions holding the allies' claims."""
    from graph.algorithms.gaps import coordination_gaps

    table = table[table["actor"].isin(allies.members)]
    if table.empty:
        return []
    return _real_gaps(coordination_gaps(table, allies.pairs, actor=allies.actor,
                                        min_score=min_score, coverage=coverage))


def gaps_from_all_positions(store, pairs, context, *, actor=None, issue=None, min_score=0.0,
                            table=None):
    """:func:`run_gaps` from the positions of every state on every issue (all claims read,
    propagated up the issue hierarchy): the straightforward reading, used with ``issue``
    (whose broader issues combine the claims under them) and by the tests as the reference
    the faster reading must equal. ``table``: those positions at ``context``, if read."""
    from graph.algorithms.gaps import coordination_gaps
    from graph.analysis.project import positions

    if table is None:
        table = positions(store, context=context, keep_inactive=True)
    if table.empty:
        return []
    code = resolve_issue(table, issue)
    if code is None:
        table = table[table["via"] == ""]
    return _real_gaps(coordination_gaps(table, pairs, actor=actor, issue=code,
                                        min_score=min_score))


# ------------------------------------------------------------------------------ at several dates

@dataclass(frozen=True)
class DatedGaps:
    """The gaps at one date of :func:`gaps_at_dates`, with what they were computed from.

    Attributes
    ----------
    context : graph.analysis.temporal.TimeContext
        The date D and the decay.
    gaps : list of graph.algorithms.gaps.Gap
        What :func:`run_gaps` finds at D.
    positions : pandas.DataFrame
        The positions at D that were read for them (weight 0 kept): with ``issue``, of every
        state, propagated up the issue hierarchy; without, of every state that is a member
        (:attr:`Allies.members`) at any of the dates, on their direct issues. It holds the
        claims of both sides of every gap found at any of the dates.
    """

    context: object
    gaps: list
    positions: object


def gaps_at_dates(store, days: Sequence[str], *, actor=None, issue=None, min_score=0.0,
                  half_life=None, horizon=None) -> list[DatedGaps]:
    """:func:`run_gaps` at each of ``days`` (``YYYY-MM-DD``), reading what the dates share once
    (``stancegraph gaps --compare``: graph.analysis.timeline.compare_gaps).

    What does not depend on the date is read once: the store's series, open-ended claims and
    office terms (the time context but its clock), the states' IRIs and the issue coverage
    behind salience. The allied pairs are found at each date, and the positions (their
    claims read again, weighed at that date) once per date, for the states allied at any of
    the dates (with ``issue``, for every state): the same gaps as
    ``run_gaps(store, as_of=day, ...)`` at each day (tests/test_gaps.py compares them), and
    positions that also hold the claims behind every gap, so that a comparison needs no
    second reading.
    """
    from dataclasses import replace

    from graph.analysis.project import issue_coverage, positions, state_iris, time_context
    from graph.analysis.temporal import make_clock

    if not days:
        return []
    first = time_context(store, as_of=days[0], half_life=half_life, horizon=horizon)
    contexts = [first, *(replace(first, clock=make_clock(store, day, half_life, horizon))
                         for day in days[1:])]
    allies = [allies_at(store, context, actor=actor) for context in contexts]
    if issue is not None:
        tables = [positions(store, context=context, keep_inactive=True) for context in contexts]
        found = [gaps_from_all_positions(store, a.pairs, c, actor=actor, issue=issue,
                                         min_score=min_score, table=t)
                 for a, c, t in zip(allies, contexts, tables, strict=True)]
    else:
        members = frozenset().union(*(a.members for a in allies))
        iris, coverage = state_iris(store), issue_coverage(store)
        tables = [_member_positions(store, members, context, iris) for context in contexts]
        found = [_member_gaps(t, a, min_score=min_score, coverage=coverage)
                 for a, t in zip(allies, tables, strict=True)]
    return [DatedGaps(c, g, t) for c, g, t in zip(contexts, found, tables, strict=True)]


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
