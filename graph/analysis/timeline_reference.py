"""The timeline computed the straightforward way: the reference the fast path is tested against.

:func:`timeline_per_period` projects the actors' claims with graph.analysis.project.positions,
then weighs them with graph.analysis.temporal.claim_weights and aggregates them with
aggregate_positions at the end of each period in turn, one period after another.
graph.analysis.timeline.timeline gives the same answers (tests/test_timeline.py) in one pass
over all periods (graph.analysis.periods).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from graph.analysis.timeline import Timeline, _attach_changes, _code_of, period_ends
from graph.errors import StanceGraphError

__all__ = ["timeline_per_period"]


def _change(before: pd.Series, after: pd.DataFrame) -> np.ndarray:
    was = before.to_numpy() > 0
    now = after["weight"].to_numpy() > 0
    status = after["status"].to_numpy()
    reason = np.where(status == "beyond horizon", "left the horizon", status)
    return np.where(~was & now, "entered", np.where(was & ~now, reason, ""))


def timeline_per_period(store, actor: str, *, other: str | None = None, issue: str | None = None,
             start: str | None = None, end: str | None = None, step: str = "year",
             half_life=None, horizon=None):
    """graph.analysis.timeline.timeline computed the straightforward way: the reference the
    fast path is tested against.

    The claims are projected with graph.analysis.project.positions, then weighed with
    graph.analysis.temporal.claim_weights and aggregated with aggregate_positions at the end
    of each period in turn. Same parameters and result as graph.analysis.timeline.timeline.
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


