"""An actor's positions period by period, and each change tied to the claims behind it.

``stancegraph timeline ACTOR [--with OTHER] [--issue I]`` is a thin layer over
:func:`timeline`. The claims of the actor (and the other) are read once, in bulk and with
only the columns the rules need (:func:`read_claims`); the weights of docs/TIME.md are then
computed for every period at once (graph.analysis.periods.weights_over: a claims x periods
matrix, the supersession rule as a segmented maximum over the acts of each actor and target
key), and the positions of every period come out of one grouped aggregation over the claims
that count (periods.positions_over). timeline_reference.timeline_per_period is the
straightforward computation (graph.analysis.project.positions, then temporal.claim_weights and
aggregate_positions at each period's end), kept as the reference the fast path is tested
against (tests/test_timeline.py).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.analysis.periods import (
    STATUSES,
    key_values_over,
    positions_from_values,
    weigh_periods,
)
from graph.errors import InputError, StanceGraphError

__all__ = ["Timeline", "timeline", "period_ends", "read_claims", "CLAIM_COLUMNS",
           "compare_gaps"]

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


# ------------------------------------------------------------------------------ the fast path

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

    Notes
    -----
    The same answers as timeline_reference.timeline_per_period (tested), computed in one
    pass over all periods: the claims are read once (:func:`read_claims`), weighed at every
    period's end at once (periods.weights_over) and aggregated in one grouped pass
    (periods.positions_over). Each change row keeps the claim that caused it (and the claim
    that superseded it).
    """
    from graph.analysis.run import resolve_issue
    from graph.analysis.temporal import make_clock, office_terms, parse_date
    from graph.store.query import resolve_actor

    start = parse_date(start, what="--from") if start is not None else None
    end = parse_date(end, what="--to") if end is not None else None
    clock = make_clock(store, end, half_life, horizon)
    iris = [str(resolve_actor(store, code)) for code in [actor] + ([other] if other else [])]
    codes = [_code_of(store, iri) for iri in iris]
    claims = read_claims(store, iris, codes, propagate=issue is not None)
    if claims.empty:
        raise StanceGraphError(f"no positions of {' or '.join(codes)}")
    wanted = resolve_issue(claims, issue)
    claims = claims[claims["via"] == ""] if wanted is None else claims[claims["issue"] == wanted]
    claims = claims.sort_values(["actor", "issue", "claim"], kind="stable") \
        .reset_index(drop=True)
    if start is None:
        own = claims["date"].where(claims["valid_from"] == "", "")
        dates = pd.concat([own, claims["valid_from"]])
        dates = dates[dates != ""]
        start = min(dates)[:10] if len(dates) else clock.as_of
    ends = period_ends(start, clock.as_of, step)
    terms = office_terms(store)
    terms = terms[terms["claim"].isin(claims["claim"])]
    live, changed = weigh_periods(claims, ends, clock, terms)
    values = key_values_over(claims, live)
    rows = _rows_over(values, ends, codes)
    change_frame = _changes_over(claims, changed, ends)
    rows = _attach_changes(rows, change_frame, codes[0])
    labels = dict(zip(claims["issue"], claims["issue_label"], strict=False))
    rows.insert(2, "issue_label", rows["issue"].map(labels).fillna(""))
    return Timeline(rows, change_frame, codes[0], other, wanted)


def _select(store, text: str, columns: list[str]) -> pd.DataFrame:
    """A SELECT as a frame of text (empty for unbound): serialised by the store as CSV when
    it can (pyoxigraph, SPARQL servers: PITFALLS, "move in bulk"), else row by row."""
    if hasattr(store, "select_csv"):
        frame = pd.read_csv(io.BytesIO(store.select_csv(text)), dtype=str,
                            keep_default_na=False)
        return frame.reindex(columns=columns, fill_value="")
    return pd.DataFrame.from_records(
        [{c: _text(r.get(c)) for c in columns} for r in store.select_rows(text)],
        columns=columns)


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


#: The columns of :func:`read_claims`.
CLAIM_COLUMNS = ["actor", "issue", "issue_label", "via", "claim", "position", "relation",
                 "target", "target_code", "target_label", "key", "kind", "open_ended",
                 "date", "valid_from", "valid_until", "evidence"]


def read_claims(store, iris, codes=None, *, propagate: bool = False) -> pd.DataFrame:
    """The claims of the actors ``iris`` on issues, as graph.analysis.periods weighs them.

    One row per claim and issue (and, with ``propagate``, one more per broader issue, marked
    with ``via`` as in graph.analysis.project.positions): columns :data:`CLAIM_COLUMNS`
    (``actor`` the code, ``key`` the target key: the resolution's series or the target,
    ``kind`` the relation's, dates as ISO text or empty). The claims are read in one query
    bound to the actors (``VALUES`` first, DESIGN.md) with only the columns the rules need,
    serialised by the store as CSV (PITFALLS: move in bulk); codes, labels and series come
    from three scans of one property each, joined in pandas (on the whole UN record that is
    cheaper than an OPTIONAL lookup per target).
    """
    from graph.analysis.project import issue_hierarchy
    from graph.store import NTriplesWriter
    from graph.vocab import relations

    writer = NTriplesWriter()
    iris = [str(i) for i in iris]
    actor_codes = list(codes) if codes is not None else [_code_of(store, i) for i in iris]
    actors = " ".join(writer.iri(i) for i in iris)
    found = _select(store, f"""
        SELECT ?claim ?actor ?issue ?position ?relation ?target ?date ?validFrom ?validUntil
               ?evidence WHERE {{
            VALUES ?actor {{ {actors} }}
            ?claim sg:actor ?actor ; sg:onIssue ?issue ; sg:position ?position ;
                   sg:relation ?relation ; sg:target ?target .
            FILTER EXISTS {{ ?claim prov:wasDerivedFrom ?source }}
            OPTIONAL {{ ?claim sg:date ?date }} OPTIONAL {{ ?claim sg:validFrom ?validFrom }}
            OPTIONAL {{ ?claim sg:validUntil ?validUntil }}
            OPTIONAL {{ ?claim sg:evidence ?evidence }}
        }}""", ["claim", "actor", "issue", "position", "relation", "target", "date",
                "validFrom", "validUntil", "evidence"])
    if found.empty:
        return pd.DataFrame(columns=CLAIM_COLUMNS)
    # Codes, labels and series of everything, as positions() reads them (one value each, the
    # last one read): three index scans moved in bulk cost less than looking each target up.
    codes = _lookup(store, "sg:code")
    names = _lookup(store, "rdfs:label")
    in_series = _lookup(store, "sg:inSeries")
    kinds = {name: r.kind for name, r in relations().items()}
    actor_code = dict(zip(iris, actor_codes, strict=True))
    target = found["target"]
    series = target.map(in_series).fillna("")
    relation = found["relation"].str.rsplit("#", n=1).str[-1]
    frame = pd.DataFrame({
        "actor": found["actor"].map(actor_code),
        "issue": found["issue"],
        "via": "",
        "claim": found["claim"],
        "position": found["position"].astype(float),
        "relation": relation,
        "target": target,
        "target_code": _code_or_last(target, codes),
        "target_label": target.map(names).fillna(""),
        "key": series.where(series != "", target),
        "kind": relation.map(kinds).fillna("Act"),
        "date": found["date"], "valid_from": found["validFrom"],
        "valid_until": found["validUntil"], "evidence": found["evidence"],
    })
    open_ended = {r["c"] for r in store.select_rows(
        "SELECT ?c WHERE { ?c sg:openEnded ?v . FILTER (STR(?v) IN (\"true\", \"1\")) }")}
    frame["open_ended"] = frame["claim"].isin(open_ended)
    if propagate:
        from graph.analysis.project import _ancestors

        broader = issue_hierarchy(store)
        up = pd.DataFrame([(i, a) for i in frame["issue"].unique()
                           for a in _ancestors(i, broader)], columns=["via_iri", "issue"])
        if len(up):
            above = frame.rename(columns={"issue": "via_iri"}).merge(up, on="via_iri")
            above["via"] = _code_or_last(above["via_iri"], codes)
            frame = pd.concat([frame, above.drop(columns="via_iri")], ignore_index=True)
    frame["issue_label"] = frame["issue"].map(names).fillna("")
    frame["issue"] = _code_or_last(frame["issue"], codes)
    return frame[CLAIM_COLUMNS]


def _lookup(store, prop: str) -> pd.Series:
    """Subject IRI -> value of ``prop`` for every subject (the last value read of several)."""
    found = _select(store, f"SELECT ?x ?v WHERE {{ ?x {prop} ?v }}", ["x", "v"])
    return found.drop_duplicates("x", keep="last").set_index("x")["v"]


def _code_or_last(iris: pd.Series, codes: pd.Series) -> pd.Series:
    """sg:code of each IRI, else its last path segment (as positions() names things)."""
    code = iris.map(codes).fillna("")
    return code.where(code != "", iris.str.rsplit("/", n=1).str[-1])


def _rows_over(values, ends, codes) -> pd.DataFrame:
    """The rows of :class:`Timeline` (before the change texts): the actor's positions per
    period and issue; with the other, its position, the distance and the agreement."""
    mine_columns = ["period", "actor", "issue", "position", "weight", "keys"]
    found = positions_from_values(values)
    mine = found[found["actor"] == codes[0]][mine_columns].astype(
        {"position": float, "weight": float})
    if len(codes) == 1:
        out = mine
    else:
        theirs = found[found["actor"] == codes[1]]
        other = pd.DataFrame({"period": theirs["period"], "issue": theirs["issue"],
                              "other_position": theirs["position"].astype(float)})
        out = mine.merge(other, on=["period", "issue"], how="outer")
        out["actor"] = codes[0]
        out["distance"] = (out["position"] - out["other_position"]).abs() / 2
        a = values[values["actor"] == codes[0]].set_index(["period", "issue", "key"])["value"]
        b = values[values["actor"] == codes[1]].set_index(["period", "issue", "key"])["value"]
        both = pd.concat({"a": a, "b": b}, axis=1).dropna()
        if len(both):
            per_issue = (1 - (both["a"] - both["b"]).abs() / 2).groupby(
                level=["period", "issue"])
            agreement = pd.DataFrame({"agreement": per_issue.mean(),
                                      "common_keys": per_issue.size()}).reset_index()
        else:
            agreement = pd.DataFrame(columns=["period", "issue", "agreement", "common_keys"])
        out = out.merge(agreement, on=["period", "issue"], how="left")
        out["agreement"] = out["agreement"].astype(float)
        out["common_keys"] = out["common_keys"].fillna(0).astype(int)
    out = out.assign(period=np.asarray(ends, dtype=object)[out["period"].to_numpy(dtype=int)])
    return out.reset_index(drop=True)


def _changes_over(claims, changed, ends) -> pd.DataFrame:
    """The changes table of :class:`Timeline`: one row per claim, issue and period where its
    weight went from 0 to > 0 (``entered``) or back (its status then), in period and row
    order."""
    columns = ["period", "actor", "issue", "claim", "relation", "target", "change",
               "superseded_by", "evidence"]
    if changed.empty:
        return pd.DataFrame(columns=columns)
    changed = changed.sort_values(["period", "row"], kind="stable")
    rows = changed["row"].to_numpy()
    reasons = np.array(["entered", *STATUSES], dtype=object)
    reasons[1 + STATUSES.index("beyond horizon")] = "left the horizon"
    picked = claims.iloc[rows]
    frame = pd.DataFrame({
        "period": np.asarray(ends, dtype=object)[changed["period"].to_numpy(dtype=int)],
        "actor": picked["actor"].to_numpy(),
        "issue": picked["issue"].to_numpy(),
        "claim": picked["claim"].to_numpy(),
        "relation": picked["relation"].to_numpy(),
        "target": picked["target_label"].where(picked["target_label"] != "",
                                               picked["target_code"]).to_numpy(),
        "change": reasons[changed["status"].to_numpy(dtype=int) + 1],
        "superseded_by": changed["superseded_by"].to_numpy(),
        "evidence": picked["evidence"].to_numpy(),
    })
    return frame.drop_duplicates(["period", "actor", "issue", "claim"])[columns] \
        .reset_index(drop=True)


def _code_of(store, iri: str) -> str:
    # positions() names actors by sg:code (else the IRI's last segment), whatever was typed.
    from rdflib import URIRef

    rows = store.select_rows("SELECT ?x ?code WHERE { ?x sg:code ?code }", {"x": URIRef(iri)})
    return str(rows[0]["code"]) if rows else iri.rsplit("/", 1)[-1]


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
    from graph.analysis.gaps import gaps_at_dates
    from graph.analysis.temporal import parse_date

    days = [parse_date(first, what="--compare"), parse_date(second, what="--compare")]
    # One reading of what both dates share; the positions of each date also hold the claims
    # behind every gap, so the claims responsible need no second reading.
    dated = gaps_at_dates(store, days, actor=actor, issue=issue, half_life=half_life,
                          horizon=horizon)
    found = [{(g.pair, g.issue): g for g in d.gaps} for d in dated]
    keys = sorted(set(found[0]) | set(found[1]))
    if not keys:
        return pd.DataFrame(columns=COMPARE_COLUMNS)
    tables = [d.positions.drop_duplicates(["actor", "issue", "claim"])
              .set_index(["actor", "issue", "claim"]) for d in dated]
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
