"""An actor's positions period by period, and each change tied to the claims behind it.

``stancegraph timeline ACTOR [--with OTHER] [--issue I]`` is a thin layer over
:func:`timeline`. The claims of the actor (and the other) are read once, in bulk and with
only the columns the rules need (:func:`read_claims`); the weights of docs/TIME.md are then
computed for every period at once (:func:`weights_over`: a claims x periods matrix, the
supersession rule as a segmented maximum over the acts of each actor and target key), and
the positions of every period come out of one grouped aggregation over the claims that
count (:func:`positions_over`). :func:`timeline_per_period` is the straightforward
computation (graph.analysis.project.positions, then temporal.claim_weights and
aggregate_positions at each period's end), kept as the reference the fast path is tested
against (tests/test_timeline.py).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.errors import InputError, StanceGraphError

__all__ = ["Timeline", "timeline", "timeline_per_period", "period_ends", "read_claims",
           "weights_over", "positions_over", "PeriodWeights", "STATUSES", "compare_gaps"]

STEPS = ("year", "month")
_SHOWN_CHANGES = 3

#: What :attr:`PeriodWeights.status` codes mean (the statuses of temporal.claim_weights).
STATUSES = ("counts", "out of office", "future", "ended", "superseded", "beyond horizon")
#: Claims x periods evaluated at once by :func:`weights_over` (bounds its memory: a monthly
#: timeline of two states over the whole UN record is ~12,000 claims x 900 months).
CELLS_PER_BLOCK = 1 << 20


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
    The same answers as :func:`timeline_per_period` (tested), computed in one pass over all
    periods: the claims are read once (:func:`read_claims`), weighed at every period's end
    at once (:func:`weights_over`) and aggregated in one grouped pass
    (:func:`positions_over`). Each change row keeps the claim that caused it (and the claim
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
    live, changed = _weigh_periods(claims, ends, clock, terms)
    values = _key_values_over(claims, live)
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
    """The claims of the actors ``iris`` on issues, as :func:`weights_over` weighs them.

    One row per claim and issue (and, with ``propagate``, one more per broader issue, marked
    with ``via`` as in graph.analysis.project.positions): columns :data:`CLAIM_COLUMNS`
    (``actor`` the code, ``key`` the target key: the resolution's series or the target,
    ``kind`` the relation's, dates as ISO text or empty). The claims are read in one query
    bound to the actors (``VALUES`` first, DESIGN.md), serialised by the store as CSV; the
    codes, labels and series of their targets in a second, and the issues' names in a third
    small one; nothing else of the store is read.
    """
    from graph.analysis.project import issue_hierarchy
    from graph.store import NTriplesWriter
    from graph.vocab import relations

    writer = NTriplesWriter()
    iris = [str(i) for i in iris]
    codes = list(codes) if codes is not None else [_code_of(store, i) for i in iris]
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
    targets = _select(store, f"""
        SELECT DISTINCT ?target ?code ?label ?series WHERE {{
            VALUES ?actor {{ {actors} }}
            ?claim sg:actor ?actor ; sg:target ?target .
            OPTIONAL {{ ?target sg:code ?code }} OPTIONAL {{ ?target rdfs:label ?label }}
            OPTIONAL {{ ?target sg:inSeries ?series }}
        }}""", ["target", "code", "label", "series"])
    targets = targets.drop_duplicates("target", keep="last").set_index("target")
    issues = _select(store, """
        SELECT ?issue ?code ?label WHERE { ?issue a sg:Issue .
            OPTIONAL { ?issue sg:code ?code } OPTIONAL { ?issue rdfs:label ?label } }""",
                     ["issue", "code", "label"])
    issues = issues.drop_duplicates("issue", keep="last").set_index("issue")
    issue_code = issues["code"].where(issues["code"] != "",
                                      issues.index.str.rsplit("/", n=1).str[-1])
    kinds = {name: r.kind for name, r in relations().items()}
    actor_code = dict(zip(iris, codes, strict=True))
    target = found["target"]
    target_code = target.map(targets["code"]).fillna("")
    series = target.map(targets["series"]).fillna("")
    relation = found["relation"].str.rsplit("#", n=1).str[-1]
    frame = pd.DataFrame({
        "actor": found["actor"].map(actor_code),
        "issue": found["issue"],
        "via": "",
        "claim": found["claim"],
        "position": found["position"].astype(float),
        "relation": relation,
        "target": target,
        "target_code": target_code.where(target_code != "",
                                         target.str.rsplit("/", n=1).str[-1]),
        "target_label": target.map(targets["label"]).fillna(""),
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
            above["via"] = above["via_iri"].map(issue_code).fillna(
                above["via_iri"].str.rsplit("/", n=1).str[-1])
            frame = pd.concat([frame, above.drop(columns="via_iri")], ignore_index=True)
    frame["issue_label"] = frame["issue"].map(issues["label"]).fillna("")
    frame["issue"] = frame["issue"].map(issue_code).fillna(
        frame["issue"].str.rsplit("/", n=1).str[-1])
    return frame[CLAIM_COLUMNS]


@dataclass(frozen=True)
class PeriodWeights:
    """The weights of claims at many dates (:func:`weights_over`): arrays of claims x dates.

    Attributes
    ----------
    weight : numpy.ndarray
        The weight (0..1) of each claim (row) at each date (column), as
        graph.analysis.temporal.claim_weights computes it at that date.
    t : numpy.ndarray
        The act's time in days (NaN for an undated act or a standing claim with no date).
    status : numpy.ndarray
        Codes into :data:`STATUSES`.
    superseded_by : numpy.ndarray
        Object array: the claim that supersedes a superseded act, else "".
    """

    weight: np.ndarray
    t: np.ndarray
    status: np.ndarray
    superseded_by: np.ndarray


class _Prepared:
    """What the weights at any date need, worked out once per claims frame."""

    def __init__(self, claims: pd.DataFrame, terms):
        from graph.analysis.temporal import day_numbers

        days = day_numbers(claims)
        self.date = days["_date_days"]
        start, until = days["_valid_from_days"], days["_valid_until_days"]
        open_ended = (claims["open_ended"].fillna(False).astype(bool).to_numpy()
                      if "open_ended" in claims else np.zeros(len(claims), dtype=bool))
        kind = claims["kind"] if "kind" in claims else pd.Series("Act", index=claims.index)
        self.standing = (kind.astype(str) == "Standing").to_numpy()
        self.begin = np.where(np.isnan(start), self.date, start)
        self.end = np.where(open_ended, np.nan, until)
        self.has_date = ~np.isnan(self.date)
        # Supersession compares the acts of one actor on one target key: rows sorted by
        # that group, so that a maximum per group is one numpy reduceat.
        self.group = pd.MultiIndex.from_arrays(
            [claims["actor"].to_numpy(), claims["key"].to_numpy()]).factorize()[0]
        self.order = np.argsort(self.group, kind="stable")
        sorted_groups = self.group[self.order]
        self.starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]]) \
            if len(sorted_groups) else np.zeros(0, dtype=int)
        # The winner of a supersession is the first claim (by IRI) with the newest time.
        self.rank, self.claims = pd.factorize(claims["claim"].to_numpy(), sort=True)
        self.terms = None
        if terms is not None and len(terms):
            self._office(claims, terms)

    def _office(self, claims, terms):
        from graph.analysis.temporal import _days

        terms = terms[terms["claim"].isin(claims["claim"])]
        if not len(terms):
            return
        side = terms["side"] if "side" in terms else pd.Series("actor", index=terms.index)
        pair, _ = pd.MultiIndex.from_arrays([terms["claim"].to_numpy(),
                                             side.to_numpy()]).factorize()
        order = np.lexsort((pair,))
        pair_sorted = pair[order]
        pair_starts = np.flatnonzero(np.r_[True, pair_sorted[1:] != pair_sorted[:-1]])
        # the claim of each (claim, side) pair, in pair order
        pair_claim = terms["claim"].to_numpy()[order][pair_starts]
        claim_of_pair, listed = pd.factorize(pair_claim)
        by_claim = np.argsort(claim_of_pair, kind="stable")
        claim_sorted = claim_of_pair[by_claim]
        claim_starts = np.flatnonzero(np.r_[True, claim_sorted[1:] != claim_sorted[:-1]])
        open_ended = (terms["open_ended"].fillna(False).astype(bool).to_numpy()
                      if "open_ended" in terms else np.zeros(len(terms), dtype=bool))
        self.terms = (_days(terms["start"])[order], _days(terms["end"])[order],
                      open_ended[order], pair_starts, by_claim, claim_starts)
        # the row -> listed claim index (-1: a stated claim, never out of office)
        self.listed = pd.Index(listed).get_indexer(claims["claim"].to_numpy())

    def in_office(self, D: np.ndarray) -> np.ndarray:
        """Rows x dates: whether each claim's representatives held office at D."""
        n = len(self.date)
        if self.terms is None:
            return np.ones((n, len(D)), dtype=bool)
        first, last, open_ended, pair_starts, by_claim, claim_starts = self.terms
        covered = ((np.isnan(first)[:, None] | (first[:, None] <= D))
                   & (np.isnan(last)[:, None] | (D <= last[:, None]) | open_ended[:, None]))
        # any term of one side covering D will do; every side listed must be covered
        per_pair = np.maximum.reduceat(covered, pair_starts, axis=0)
        per_claim = np.minimum.reduceat(per_pair[by_claim], claim_starts, axis=0)
        out = np.ones((n, len(D)), dtype=bool)
        rows = self.listed >= 0
        out[rows] = per_claim[self.listed[rows]]
        return out


def _block(prep: _Prepared, D: np.ndarray, clock):
    """weight, t, status codes and the winner's rank (-1: none) of every row at dates D:
    temporal.claim_weights, rule for rule, with one column per date."""
    Dm = D[None, :]
    begin, end, date = prep.begin[:, None], prep.end[:, None], prep.date[:, None]
    no_begin, no_end = np.isnan(begin), np.isnan(end)
    standing = prep.standing[:, None]
    started = no_begin | (begin <= Dm)
    not_ended = no_end | (Dm <= end)
    has_date = prep.has_date[:, None]
    # The time of an act: its date; for an interval, D while inside it, else its end.
    t = np.where(has_date, date, np.where(no_begin, np.nan,
                                          np.where(no_end, Dm, np.minimum(end, Dm))))
    age = Dm - t
    act_started = np.where(has_date, date <= Dm, started)
    in_horizon = np.isnan(age) | (age <= clock.horizon)
    in_office = prep.in_office(D)
    live_act = ~standing & act_started & in_office
    # Supersession: the newest t among the live acts of one actor on one key (a maximum per
    # group: the rows are sorted by group and reduced segment by segment).
    t_sup = np.where(np.isnan(t), -np.inf, t)
    candidate = np.where(live_act, t_sup, -np.inf)
    if len(prep.starts):
        newest = np.maximum.reduceat(candidate[prep.order], prep.starts, axis=0)[prep.group]
    else:
        newest = candidate
    superseded = live_act & (t_sup < newest)
    winner = np.full(t.shape, -1, dtype=np.int64)
    if superseded.any():
        first = np.where(live_act & (t_sup == newest), prep.rank[:, None], np.iinfo(np.int64).max)
        best = np.minimum.reduceat(first[prep.order], prep.starts, axis=0)[prep.group]
        winner = np.where(superseded, best, -1)
    with np.errstate(invalid="ignore", over="ignore"):
        decay = np.where(np.isnan(age), 1.0, 0.5 ** (np.maximum(age, 0) / clock.half_life))
    act_weight = np.where(live_act & ~superseded & in_horizon, decay, 0.0)
    weight = np.where(standing, (started & not_ended & in_office).astype(float), act_weight)
    status = np.select(
        [~in_office, np.where(standing, ~started, ~act_started), standing & ~not_ended,
         ~standing & superseded, ~standing & ~in_horizon],
        [1, 2, 3, 4, 5], default=0).astype(np.int8)
    return weight, t, status, winner


def _blocks(prep: _Prepared, days, clock):
    """(first column, weight, t, status, winner rank) for blocks of dates."""
    from graph.analysis.temporal import _days

    D = _days(list(days))
    step = max(1, CELLS_PER_BLOCK // max(1, len(prep.date)))
    for lo in range(0, len(D), step):
        yield (lo, *_block(prep, D[lo:lo + step], clock))


def weights_over(claims: pd.DataFrame, days, clock, terms=None) -> PeriodWeights:
    """The weight of every claim at each of ``days`` (docs/TIME.md), all dates at once.

    Takes what graph.analysis.temporal.claim_weights takes (``claim``, ``actor``, ``key``,
    ``kind``, optional ``date``, ``valid_from``, ``valid_until``, ``open_ended``; office
    ``terms``), and gives, for each date, the weights, times, statuses and superseding claims
    that claim_weights gives at that date (tested), without a pass over the claims per date:
    dates are columns of arrays, supersession a maximum per (actor, target key) group.

    Examples
    --------
    >>> import pandas as pd
    >>> from graph.analysis.temporal import Clock
    >>> acts = pd.DataFrame({"claim": ["a", "b"], "actor": ["KOR", "KOR"],
    ...     "key": ["series"] * 2, "kind": ["Act"] * 2, "date": ["2019-01-01", "2021-01-01"]})
    >>> found = weights_over(acts, ["2020-01-01", "2022-01-01"], Clock("2022-01-01"))
    >>> found.weight.round(3).tolist(), found.superseded_by[0].tolist()
    ([[0.707, 0.0], [0.0, 0.707]], ['', 'b'])
    """
    prep = _Prepared(claims, terms)
    parts = [block[1:] for block in _blocks(prep, days, clock)]
    n = len(claims)
    if not parts:
        empty = np.zeros((n, 0))
        return PeriodWeights(empty, empty, empty.astype(np.int8), empty.astype(object))
    weight, t, status, winner = (np.concatenate(p, axis=1) for p in zip(*parts, strict=True))
    names = np.asarray(prep.claims, dtype=object)
    superseded_by = np.where(winner >= 0, names[np.maximum(winner, 0)] if len(names) else "",
                             "").astype(object)
    return PeriodWeights(weight, t, status, superseded_by)


def _weigh_periods(claims, ends, clock, terms):
    """The rows that count at each period's end (``live``: row, period, weight, t) and the
    rows whose standing changed there (``changed``: row, period, change, superseded_by), in
    blocks of periods so that memory stays bounded."""
    live, changed = [], []
    before = None
    prep = _Prepared(claims, terms)
    for lo, weight, t, status, winner in _blocks(prep, ends, clock):
        counts = weight > 0
        rows, cols = np.nonzero(counts)
        live.append(pd.DataFrame({"row": rows, "period": cols + lo, "weight": weight[rows, cols],
                                  "t": t[rows, cols]}))
        was = np.concatenate([before[:, None] if before is not None else counts[:, :1],
                              counts[:, :-1]], axis=1)
        moved = was != counts
        if before is None:
            moved[:, 0] = False  # the first period has nothing before it
        rows, cols = np.nonzero(moved)
        entered = counts[rows, cols]
        changed.append(pd.DataFrame({
            "row": rows, "period": cols + lo,
            "status": np.where(entered, -1, status[rows, cols]),
            "winner": winner[rows, cols]}))
        before = counts[:, -1]
    live = pd.concat(live, ignore_index=True) if live else pd.DataFrame(
        columns=["row", "period", "weight", "t"])
    changed = pd.concat(changed, ignore_index=True) if changed else pd.DataFrame(
        columns=["row", "period", "status", "winner"])
    names = np.asarray(prep.claims, dtype=object)
    winner = changed["winner"].to_numpy(dtype=np.int64)
    changed["superseded_by"] = np.where(winner >= 0, names[np.maximum(winner, 0)]
                                        if len(names) else "", "")
    return live, changed.drop(columns="winner")


def _key_values_over(claims, live) -> pd.DataFrame:
    """temporal.key_values for every period at once: one value per period, actor, issue
    and target key (restatements of one act counted once)."""
    columns = ["period", "actor", "issue", "key", "value", "weight"]
    if live.empty:
        return pd.DataFrame(columns=columns)
    rows = live["row"].to_numpy()
    acts = pd.DataFrame({
        "period": live["period"].to_numpy(),
        "actor": claims["actor"].to_numpy()[rows],
        "issue": claims["issue"].to_numpy()[rows],
        "key": claims["key"].to_numpy()[rows],
        "_relation": claims["relation"].to_numpy()[rows],
        "_t": np.nan_to_num(live["t"].to_numpy(dtype=float), nan=-1.0),
        "position": claims["position"].to_numpy(dtype=float)[rows],
        "weight": live["weight"].to_numpy(),
        "_order": rows,
    }).sort_values(["period", "_order"], kind="stable")
    distinct = acts.drop_duplicates(["period", "actor", "issue", "key", "_relation", "_t",
                                     "position"])
    return distinct.groupby(["period", "actor", "issue", "key"], sort=True).agg(
        value=("position", "mean"), weight=("weight", "max")).reset_index()


def positions_over(values: pd.DataFrame) -> pd.DataFrame:
    """temporal.aggregate_positions for every period at once, from key values
    (``period``, ``actor``, ``issue``, ``key``, ``value``, ``weight``): ``sum(w_k * v_k) /
    sum(w_k)`` per period, actor and issue, with ``weight`` and ``keys``."""
    if values.empty:
        return pd.DataFrame(columns=["period", "actor", "issue", "position", "weight",
                                     "keys"])
    grouped = values.assign(wv=values["weight"] * values["value"]).groupby(
        ["period", "actor", "issue"], sort=True)
    out = pd.DataFrame({"position": grouped["wv"].sum() / grouped["weight"].sum(),
                        "weight": grouped["weight"].sum(),
                        "keys": grouped["key"].size()})
    return out.reset_index()


def _rows_over(values, ends, codes) -> pd.DataFrame:
    """The rows of :class:`Timeline` (before the change texts): the actor's positions per
    period and issue; with the other, its position, the distance and the agreement."""
    mine_columns = ["period", "actor", "issue", "position", "weight", "keys"]
    found = positions_over(values)
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


# ------------------------------------------------------------------------------ the reference

def _change(before: pd.Series, after: pd.DataFrame) -> np.ndarray:
    was = before.to_numpy() > 0
    now = after["weight"].to_numpy() > 0
    status = after["status"].to_numpy()
    reason = np.where(status == "beyond horizon", "left the horizon", status)
    return np.where(~was & now, "entered", np.where(was & ~now, reason, ""))


def timeline_per_period(store, actor: str, *, other: str | None = None, issue: str | None = None,
             start: str | None = None, end: str | None = None, step: str = "year",
             half_life=None, horizon=None) -> Timeline:
    """:func:`timeline` computed the straightforward way: the reference it is tested against.

    The claims are projected with graph.analysis.project.positions, then weighed with
    graph.analysis.temporal.claim_weights and aggregated with aggregate_positions at the end
    of each period in turn. Same parameters and result as :func:`timeline`.

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
