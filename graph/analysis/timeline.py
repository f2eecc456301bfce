"""An actor's positions period by period, and each change tied to the claims behind it.

``stancegraph timeline ACTOR [--with OTHER] [--issue I]`` is a thin layer over
:func:`timeline`: the claims of the actor (and the other) are read once, then the weights of
docs/TIME.md are computed at the end of each period (vectorised over the claims,
graph.analysis.temporal) and aggregated into one position per issue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.errors import InputError, StanceGraphError

__all__ = ["Timeline", "timeline", "period_ends"]

STEPS = ("year", "month")
_SHOWN_CHANGES = 3


@dataclass(frozen=True)
class Timeline:
    """The result of :func:`timeline`.

    Attributes
    ----------
    rows : pandas.DataFrame
        One row per period and issue: ``period`` (D, the period's last day), ``issue``,
        ``issue_label``, ``position`` (the actor's), ``weight`` (sum of its keys' weights),
        ``keys``; with ``other``: ``other_position``, ``distance`` (``|a - b| / 2``, as in
        gaps), ``agreement`` (``1 - mean |v_a - v_b| / 2`` over the target keys both hold a
        value on, NaN when none), ``common_keys``; and ``changes`` (the claims that entered
        or stopped counting in the period, summarised).
    changes : pandas.DataFrame
        One row per claim whose standing changed: ``period``, ``actor``, ``issue``,
        ``claim``, ``relation``, ``target``, ``change`` (``entered``, ``superseded``,
        ``left the horizon``, ``ended``, ``out of office``), ``superseded_by``, ``evidence``.
    actor, other, issue : str or None
        What was asked for (codes).
    """

    rows: pd.DataFrame
    changes: pd.DataFrame
    actor: str
    other: str | None
    issue: str | None


def period_ends(start: str, end: str, step: str = "year") -> list[str]:
    """The last day of each period from ``start`` to ``end`` (the last one is ``end``).

    Examples
    --------
    >>> period_ends("2019-05-01", "2021-06-01")
    ['2019-12-31', '2020-12-31', '2021-06-01']
    >>> period_ends("2021-01-15", "2021-03-10", "month")
    ['2021-01-31', '2021-02-28', '2021-03-10']
    """
    if step not in STEPS:
        raise InputError(f"--step {step!r}: expected one of {', '.join(STEPS)}")
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if first > last:
        raise InputError(f"--from {start} is after --to {end}")
    freq = "YE" if step == "year" else "ME"
    ends = [d.date() for d in pd.date_range(first, last, freq=freq)]
    if not ends or ends[-1] < last:
        ends.append(last)
    return [d.isoformat() for d in ends]


def _change(before: pd.Series, after: pd.DataFrame) -> np.ndarray:
    was = before.to_numpy() > 0
    now = after["weight"].to_numpy() > 0
    status = after["status"].to_numpy()
    reason = np.where(status == "beyond horizon", "left the horizon", status)
    return np.where(~was & now, "entered", np.where(was & ~now, reason, ""))


def timeline(store, actor: str, *, other: str | None = None, issue: str | None = None,
             start: str | None = None, end: str | None = None, step: str = "year",
             half_life=None, horizon=None) -> Timeline:
    """The position of ``actor`` per issue at the end of each period, with the claims behind
    every change (docs/TIME.md: decay, horizon, supersession, office terms).

    Parameters
    ----------
    store : graph.store.Store
    actor, other : str
        State or actor codes (``KOR``); with ``other``, distance and agreement per period.
    issue : str, optional
        One issue (code or label): positions on it, including those propagated from the
        issues under it; without, every issue the claims speak to directly.
    start, end : str, optional
        ISO dates; default from the first claim of the actors to the newest date in the
        store.
    step : {"year", "month"}
    half_life, horizon : int or str, optional
        As ``--half-life`` / ``--horizon`` (days or ``2y``, ``18m``).

    Returns
    -------
    Timeline

    Raises
    ------
    graph.errors.InputError
        Bad dates or step. StanceGraphError: unknown actor, no claims, no such issue.
    """
    from graph.analysis.project import positions, time_context, weigh
    from graph.analysis.run import resolve_issue
    from graph.analysis.temporal import (
        WEIGHT_COLUMNS,
        aggregate_positions,
        claim_weights,
        day_numbers,
        parse_date,
    )
    from graph.store.query import resolve_actor

    start = parse_date(start, what="--from") if start is not None else None
    end = parse_date(end, what="--to") if end is not None else None
    context = time_context(store, as_of=end, half_life=half_life, horizon=horizon)
    iris = [str(resolve_actor(store, code)) for code in [actor] + ([other] if other else [])]
    codes = [_code_of(store, iri) for iri in iris]
    table = positions(store, level="all", actors=iris, propagate=issue is not None,
                      context=context, keep_inactive=True)
    if table.empty:
        raise StanceGraphError(f"no positions of {' or '.join(codes)}")
    wanted = resolve_issue(table, issue)
    if wanted is None:
        table = table[table["via"] == ""]
    else:
        table = table[table["issue"] == wanted]
    # The claims' own dates (positions shows validFrom in "date" for an interval).
    claims = table.assign(date=table["date"].where(table["valid_from"] == "", ""),
                          target_code=table["target"], target=table["key"])
    if start is None:
        dates = pd.concat([claims["date"], claims["valid_from"]])
        dates = dates[dates != ""]
        start = min(dates) if len(dates) else context.clock.as_of
    ends = period_ends(start, context.clock.as_of, step)
    labels = dict(zip(table["issue"], table["issue_label"], strict=False))
    rows, changes = [], []
    previous = None
    # Keys, kinds and dates are worked out once; each period only recomputes the weights.
    prepared = weigh(claims.drop(columns=["weight", "status", "superseded_by", "key", "kind"]),
                     context).drop(columns=[*WEIGHT_COLUMNS, "t"])
    prepared = prepared.assign(**day_numbers(prepared))
    group = pd.MultiIndex.from_arrays([prepared["actor"].to_numpy(),
                                       prepared["key"].to_numpy()]).factorize()[0]
    for day in ends:
        weighted = claim_weights(prepared.assign(_group=group), context.clock.at(day),
                                 context.terms)
        if previous is not None:
            change = _change(previous, weighted)
            moved = weighted[change != ""].assign(change=change[change != ""], period=day)
            changes.append(moved)
        previous = weighted["weight"]
        rows.append(_period_rows(weighted, day, codes, aggregate_positions))
    frame = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    change_frame = _change_frame(changes)
    frame = _attach_changes(frame, change_frame, codes[0])
    frame.insert(2, "issue_label", frame["issue"].map(labels).fillna(""))
    return Timeline(frame, change_frame, codes[0], other, wanted)


def _code_of(store, iri: str) -> str:
    # positions() names actors by sg:code (else the IRI's last segment), whatever was typed.
    from rdflib import URIRef

    rows = store.select_rows("SELECT ?x ?code WHERE { ?x sg:code ?code }", {"x": URIRef(iri)})
    return str(rows[0]["code"]) if rows else iri.rsplit("/", 1)[-1]


def _period_rows(weighted, day, codes, aggregate):
    from graph.analysis.temporal import key_values

    mine = aggregate(weighted[weighted["actor"] == codes[0]], by=("actor", "issue"),
                     claims=False)
    out = pd.DataFrame({"period": day, "actor": codes[0], "issue": mine["issue"],
                        "position": mine["position"].astype(float),
                        "weight": mine["weight"].astype(float), "keys": mine["keys"]})
    if len(codes) == 1:
        return out
    theirs = aggregate(weighted[weighted["actor"] == codes[1]], by=("actor", "issue"),
                       claims=False)
    other = pd.DataFrame({"issue": theirs["issue"],
                          "other_position": theirs["position"].astype(float)})
    out = out.merge(other, on="issue", how="outer")
    out["period"], out["actor"] = day, codes[0]
    out["distance"] = (out["position"] - out["other_position"]).abs() / 2
    values = key_values(weighted, by=("actor", "issue"), claims=False)
    a = values[values["actor"] == codes[0]].set_index(["issue", "key"])["value"]
    b = values[values["actor"] == codes[1]].set_index(["issue", "key"])["value"]
    both = pd.concat({"a": a, "b": b}, axis=1).dropna()
    if len(both):
        per_issue = (1 - (both["a"] - both["b"]).abs() / 2).groupby(level="issue")
        agreement = pd.DataFrame({"agreement": per_issue.mean(),
                                  "common_keys": per_issue.size()})
    else:
        agreement = pd.DataFrame(columns=["agreement", "common_keys"])
    out = out.merge(agreement, left_on="issue", right_index=True, how="left")
    out["common_keys"] = out["common_keys"].fillna(0).astype(int)
    return out


def _change_frame(changes) -> pd.DataFrame:
    columns = ["period", "actor", "issue", "claim", "relation", "target", "change",
               "superseded_by", "evidence"]
    if not changes:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(changes, ignore_index=True)
    frame = frame.assign(target=frame["target_label"].where(frame["target_label"] != "",
                                                            frame["target_code"]))
    return frame.drop_duplicates(["period", "actor", "issue", "claim"])[columns] \
        .reset_index(drop=True)


def _attach_changes(frame, changes, actor) -> pd.DataFrame:
    """A short text per period and issue: which claims entered or stopped counting (the first
    few, then how many more), built with vectorised string operations."""
    from graph.vocab import CLAIM

    if frame.empty:
        return frame
    if changes.empty:
        texts = pd.Series(dtype=object)
    else:
        text = (changes["actor"] + " " + changes["change"] + ": "
                + changes["claim"].str.replace(str(CLAIM), "claim:", n=1, regex=False))
        keys = [changes["period"], changes["issue"]]
        rank = text.groupby(keys, sort=False).cumcount()
        shown = text[rank < _SHOWN_CHANGES].groupby(
            [changes["period"][rank < _SHOWN_CHANGES], changes["issue"][rank < _SHOWN_CHANGES]],
            sort=False).agg("; ".join)
        extra = text.groupby(keys, sort=False).size() - _SHOWN_CHANGES
        more = extra[extra > 0].map(lambda n: f"; (+{n} more)").astype(object)
        texts = shown + more.reindex(shown.index).astype(object).where(
            more.reindex(shown.index).notna(), "")
    index = pd.MultiIndex.from_arrays([frame["period"], frame["issue"]])
    frame = frame.assign(changes=texts.reindex(index).fillna("").to_numpy())
    return frame.sort_values(["issue", "period"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------ gaps --compare

COMPARE_COLUMNS = ["pair", "issue", "change", "score_1", "score_2", "position_a_1",
                   "position_b_1", "position_a_2", "position_b_2", "claims"]


def compare_gaps(store, first: str, second: str, *, actor=None, issue=None, half_life=None,
                 horizon=None, tolerance: float = 1e-9) -> pd.DataFrame:
    """Gaps that opened, closed, widened or narrowed between two dates, with the claims
    responsible (``stancegraph gaps --compare D1 D2``).

    Both dates are evaluated with docs/TIME.md (graph.analysis.run.run_gaps at D1 and at D2).
    A gap is *opened* when it exists at D2 and not at D1 (not allied, no positions, or no
    distance then), *closed* the other way round, *widened* / *narrowed* when its score rose
    or fell by more than ``tolerance``. The claims responsible are the claims of either side
    on the issue that started or stopped counting between the dates (``entered``,
    ``superseded``, ``left the horizon``, ``ended``, ``out of office``), else, when only the
    decay moved the weights, those whose weight changed most.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARE_COLUMNS`, ordered by the size of the change; ``claims`` is a
        list of ``"<change>: <claim> (<relation>, weight w1 -> w2)"`` texts.
    """
    from graph.analysis.project import positions, state_iris, time_context
    from graph.analysis.run import run_gaps
    from graph.analysis.temporal import parse_date

    days = [parse_date(first, what="--compare"), parse_date(second, what="--compare")]
    contexts = [time_context(store, as_of=d, half_life=half_life, horizon=horizon)
                for d in days]
    found = [{(g.pair, g.issue): g for g in run_gaps(store, actor=actor, issue=issue,
                                                     context=c)} for c in contexts]
    keys = sorted(set(found[0]) | set(found[1]))
    members = sorted({a for (pair, _) in keys for a in pair})
    if not keys:
        return pd.DataFrame(columns=COMPARE_COLUMNS)
    iris = state_iris(store)
    tables = [positions(store, actors=[iris[m] for m in members if m in iris],
                        propagate=issue is not None, context=c, keep_inactive=True)
              .drop_duplicates(["actor", "issue", "claim"]).set_index(["actor", "issue",
                                                                       "claim"])
              for c in contexts]
    rows = []
    for key in keys:
        (a, b), i = key
        g1, g2 = found[0].get(key), found[1].get(key)
        s1, s2 = (g.score if g else 0.0 for g in (g1, g2))
        if g1 is None:
            change = "opened"
        elif g2 is None:
            change = "closed"
        elif s2 > s1 + tolerance:
            change = "widened"
        elif s2 < s1 - tolerance:
            change = "narrowed"
        else:
            continue
        rows.append({
            "pair": f"{a}-{b}", "issue": (g2 or g1).issue_label or i, "change": change,
            "score_1": round(s1, 4), "score_2": round(s2, 4),
            "position_a_1": None if g1 is None else round(g1.position_a, 4),
            "position_b_1": None if g1 is None else round(g1.position_b, 4),
            "position_a_2": None if g2 is None else round(g2.position_a, 4),
            "position_b_2": None if g2 is None else round(g2.position_b, 4),
            "claims": _responsible(tables, (a, b), i),
            "_size": abs(s2 - s1),
        })
    frame = pd.DataFrame(rows, columns=[*COMPARE_COLUMNS, "_size"])
    return frame.sort_values(["_size", "pair", "issue"], ascending=[False, True, True],
                             kind="stable").drop(columns="_size").reset_index(drop=True)


def _responsible(tables, pair, issue) -> list[str]:
    from graph.vocab import short

    before, after = tables
    texts, drifted = [], []
    for actor in pair:
        try:
            one = before.loc[(actor, issue)]
        except KeyError:
            one = before.iloc[0:0].droplevel([0, 1])
        try:
            two = after.loc[(actor, issue)]
        except KeyError:
            two = after.iloc[0:0].droplevel([0, 1])
        for claim in sorted(set(one.index) | set(two.index)):
            w1 = float(one.loc[claim, "weight"]) if claim in one.index else 0.0
            w2 = float(two.loc[claim, "weight"]) if claim in two.index else 0.0
            row = two.loc[claim] if claim in two.index else one.loc[claim]
            what = f"{short(claim)} ({row['relation']}, weight {w1:.2f} -> {w2:.2f})"
            if (w1 > 0) != (w2 > 0):
                reason = "entered" if w2 > 0 else str(row["status"]).replace(
                    "beyond horizon", "left the horizon")
                if reason == "superseded" and row["superseded_by"]:
                    reason += f" by {short(row['superseded_by'])}"
                texts.append(f"{actor} {reason}: {what}")
            elif abs(w2 - w1) > 1e-6:
                drifted.append((abs(w2 - w1), f"{actor} decayed: {what}"))
    if texts:
        return texts
    return [text for _, text in sorted(drifted, key=lambda d: -d[0])[:_SHOWN_CHANGES]]
