"""docs/TIME.md at many dates at once.

:func:`weights_over` weighs claims at every date of a list in one pass (a claims x dates matrix;
supersession, the newest act of each actor on each target key, a maximum per group over
sorted rows), and :func:`positions_over` aggregates them into the positions of every date in
one grouped pass: what ``stancegraph timeline`` (graph.analysis.timeline) runs on. Both give
what graph.analysis.temporal.claim_weights and aggregate_positions give at each date (tested on
hand-made claims); graph.analysis.timeline_reference computes the timeline one date at a time,
the reference the fast path is tested against on real stores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["STATUSES", "CELLS_PER_BLOCK", "PeriodWeights", "weights_over", "positions_over",
           "weigh_periods", "key_values_over", "positions_from_values"]

#: What :attr:`PeriodWeights.status` codes mean (the statuses of temporal.claim_weights).
STATUSES = ("counts", "out of office", "future", "ended", "superseded", "beyond horizon")
#: Claims x periods evaluated at once by :func:`weights_over` (bounds its memory: a monthly
#: timeline of two states over the whole UN record is ~12,000 claims x 900 months).
CELLS_PER_BLOCK = 1 << 20


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
        from graph.algorithms.decay import day_numbers

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
        from graph.algorithms.decay import _days

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
    from graph.algorithms.decay import _days

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


def weigh_periods(claims, ends, clock, terms):
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


def key_values_over(claims, live) -> pd.DataFrame:
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


def positions_over(claims: pd.DataFrame, days, clock, terms=None) -> pd.DataFrame:
    """The positions of docs/TIME.md at each of ``days``, all dates in one pass.

    ``claims`` are rows as :func:`weights_over` takes them, with ``issue``, ``relation`` and
    ``position``; the answer is what ``aggregate_positions(claim_weights(claims, D))`` gives
    at each date D (tested), stacked: ``period`` (the date), ``actor``, ``issue``,
    ``position``, ``weight``, ``keys``.
    """
    days = list(days)
    live, _ = weigh_periods(claims, days, clock, terms)
    found = positions_from_values(key_values_over(claims, live))
    return found.assign(period=np.asarray(days, dtype=object)[
        found["period"].to_numpy(dtype=int)]) if len(found) else found


def positions_from_values(values: pd.DataFrame) -> pd.DataFrame:
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
