"""Weights of dated claims at a date, and positions from them (docs/TIME.md), vectorised.

Pure functions over pandas frames, with no store: an act's weight halves every half-life and
stops at a horizon, a later act of one actor on one target key supersedes an earlier one, a
standing relation counts inside its interval, and a position is the weighted mean over target
keys of one value per key (so that restating an act never moves it). The definition is
docs/TIME.md (the project's own); :mod:`graph.analysis.temporal` reads the claims from a store
and calls these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_HALF_LIFE",
    "DEFAULT_HORIZON",
    "WEIGHT_COLUMNS",
    "Clock",
    "claim_weights",
    "key_values",
    "aggregate_positions",
    "day_numbers",
    "weigh_arrays",
    "Weights",
]

#: Default half-life of an act's weight, in days (two years).
DEFAULT_HALF_LIFE = 730
#: Default horizon, in days (eight years: four half-lives, where the weight falls to 1/16).
DEFAULT_HORIZON = 2920

#: Columns :func:`claim_weights` adds.
WEIGHT_COLUMNS = ["weight", "age_days", "status", "superseded_by"]


@dataclass(frozen=True)
class Clock:
    """The date D and the decay parameters every weight is computed with.

    Attributes
    ----------
    as_of : str
        D, an ISO date ``YYYY-MM-DD``.
    half_life : int
        Days after which an act's weight halves.
    horizon : int
        Days after which an act no longer counts at all.
    """

    as_of: str
    half_life: int = DEFAULT_HALF_LIFE
    horizon: int = DEFAULT_HORIZON

    def at(self, as_of: str) -> Clock:
        """The same clock at another date."""
        return Clock(as_of, self.half_life, self.horizon)


def day_numbers(frame) -> dict:
    """``_date_days``, ``_valid_from_days``, ``_valid_until_days``: the claims' dates parsed
    once, for :func:`claim_weights` at many dates (``frame.assign(**day_numbers(frame))``)."""
    return {f"_{c}_days": _days(_column(frame, c, None))
            for c in ("date", "valid_from", "valid_until")}


def _days(values) -> np.ndarray:
    """ISO dates (str, date or empty) as float days since 1970-01-01, NaN when missing.

    Each distinct value is parsed once: the 870,000 votes of the UN record carry a few
    thousand dates, and parsing text is most of the cost of weighing them.
    """
    series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    codes, uniques = pd.factorize(series)
    # The few distinct values sliced in a comprehension: pandas' string methods cost more
    # than the parsing on the small frames an analysis weighs several times (issue 15).
    # factorize leaves no missing value among them; "" is no date.
    texts = [text[:10] if (text := str(value)) != "" else None for value in uniques]
    parsed = pd.to_datetime(pd.Series(texts, dtype=object), format="%Y-%m-%d",
                            errors="coerce")
    days = parsed.to_numpy(dtype="datetime64[D]").astype("int64").astype(float)
    days[parsed.isna().to_numpy()] = np.nan
    # Code -1 is a missing value (None, NaN): no date.
    return np.where(codes >= 0, days[np.maximum(codes, 0)] if len(days) else np.nan, np.nan)


def _column(frame, name, default):
    return frame[name] if name in frame.columns else pd.Series(default, index=frame.index)


@dataclass(frozen=True)
class Weights:
    """The rules of docs/TIME.md applied to arrays of claims (:func:`weigh_arrays`).

    Attributes hold one value per claim: ``weight``, ``age_days`` (NaN for standing claims
    and acts after D), ``t`` (an act's time in days), and the masks the statuses come from
    (with the caller's ``standing`` and ``in_office``); ``live`` (row numbers of the acts
    that count before supersession), ``group`` (their dense (actor, key) group numbers) and
    ``older`` (which of them are superseded).
    """

    weight: np.ndarray
    age_days: np.ndarray
    t: np.ndarray
    started: np.ndarray
    act_started: np.ndarray
    not_ended: np.ndarray
    in_horizon: np.ndarray
    superseded: np.ndarray
    live: np.ndarray
    group: np.ndarray
    older: np.ndarray


def weigh_arrays(date, start, until, *, open_ended, standing, in_office, group, clock: Clock,
                 as_of_days: float | None = None) -> Weights:
    """The weights of docs/TIME.md on plain arrays: the rules behind :func:`claim_weights`.

    ``date``, ``start``, ``until`` are float days (NaN when missing, see :func:`day_numbers`),
    ``open_ended``, ``standing``, ``in_office`` boolean arrays, and ``group`` a callable
    that, given the row numbers of the live acts, returns an integer (actor, key) group for
    each (any integers: equal means the same actor and target key). Callers that hold
    their claims as arrays (one row per vote, grouped in the store) weigh them here without
    building a frame of strings; :func:`claim_weights` is this plus the frame, the statuses
    and the superseding claims.
    """
    D = float(_days([clock.as_of])[0]) if as_of_days is None else float(as_of_days)
    begin = np.where(np.isnan(start), date, start)
    end = np.where(open_ended, np.nan, until)
    started = np.isnan(begin) | (begin <= D)
    not_ended = np.isnan(end) | (D <= end)
    # The time of an act: its date; for an interval, D while inside it, else its end.
    has_date = ~np.isnan(date)
    t = np.where(has_date, date, np.where(np.isnan(begin), np.nan,
                                          np.where(np.isnan(end), D, np.minimum(end, D))))
    age = D - t
    act_started = np.where(has_date, date <= D, started)
    in_horizon = np.isnan(age) | (age <= clock.horizon)
    live_act = ~standing & act_started & in_office
    # Supersession: the newest t among the live acts of one actor on one key; undated acts
    # are older than any dated one.
    t_sup = np.where(np.isnan(t), -np.inf, t)
    superseded = np.zeros(len(t), dtype=bool)
    live = np.flatnonzero(live_act)
    codes = np.zeros(0, dtype=np.int64)
    older = np.zeros(0, dtype=bool)
    if len(live):
        # Dense group numbers, so that the newest time of each is one array lookup.
        codes = pd.factorize(np.asarray(group(live)))[0]
        newest = np.full(int(codes.max()) + 1, -np.inf)
        np.maximum.at(newest, codes, t_sup[live])
        older = t_sup[live] < newest[codes]
        superseded[live[older]] = True
    with np.errstate(invalid="ignore", over="ignore"):
        decay = np.where(np.isnan(age), 1.0, 0.5 ** (np.maximum(age, 0) / clock.half_life))
    act_weight = np.where(live_act & ~superseded & in_horizon, decay, 0.0)
    standing_weight = (started & not_ended & in_office).astype(float)
    return Weights(
        weight=np.where(standing, standing_weight, act_weight),
        age_days=np.where(standing | ~act_started, np.nan, age), t=t, started=started,
        act_started=act_started, not_ended=not_ended, in_horizon=in_horizon,
        superseded=superseded, live=live, group=codes, older=older)


def _pair_codes(first, second) -> np.ndarray:
    """One integer per distinct (first, second) pair (missing values a value of their own):
    two hash passes over the columns instead of hashing tuples of strings."""
    a = pd.factorize(first)[0].astype(np.int64) + 1
    b = pd.factorize(second)[0].astype(np.int64) + 1
    return a * (int(b.max(initial=0)) + 1) + b


def claim_weights(claims, clock: Clock, terms=None):
    """The weight of every claim at ``clock.as_of`` (docs/TIME.md), vectorised.

    Parameters
    ----------
    claims : pandas.DataFrame
        One row per claim (repeated rows of one claim are allowed and weigh the same). Columns:
        ``claim``, ``actor``, ``key`` (the target key: the series of a resolution in one, else
        the target), ``kind`` (``"Act"`` or ``"Standing"``), and the optional ``date``,
        ``valid_from``, ``valid_until`` (ISO text or empty), ``open_ended`` (bool).
    clock : Clock
        D, the half-life and the horizon.
    terms : pandas.DataFrame, optional
        Office terms of rolled-up claims: ``claim``, ``start``, ``end``, optional
        ``open_ended`` and ``side`` (``"actor"`` or ``"target"``, the end rolled up); a claim
        listed here counts only when, on each side listed, one of its terms covers D. Claims
        not listed (stated claims) are not limited.

    Returns
    -------
    pandas.DataFrame
        A copy of ``claims`` with ``weight`` (0..1), ``age_days`` (D - t of an act, NaN
        otherwise), ``status`` (``counts``, ``future``, ``ended``, ``beyond horizon``,
        ``superseded``, ``out of office``) and ``superseded_by`` (the claim that supersedes a
        superseded act, else ""), plus ``t`` (the act's time in days, used for supersession).

    Notes
    -----
    Standing claims weigh 1 inside ``[valid_from or date, valid_until]`` (no end, or
    ``open_ended``: no ending). An act at time t weighs ``0.5 ** ((D - t) / half_life)`` for
    ``0 <= D - t <= horizon``, else 0. An act given as an interval counts with weight 1 while
    D lies inside it (t = D) and decays from its end (t = valid_until) after it. Among the
    acts of one actor on one key that count at D, only those with the newest t count;
    undated acts are older than any dated one. The exponential decay is the usual half-life
    discounting of event data (e.g. the "decay" weighting of Schrodt & Gerner's event-data
    aggregates); the supersession rule follows UN practice, where a state's act on this
    year's resolution of a series replaces its act on last year's.
    """
    frame = claims.copy()
    D = float(_days([clock.as_of])[0])
    # Day numbers parsed once by a caller that weighs the same claims at many dates
    # (graph.analysis.timeline) are reused: parsing dominates the cost.
    date, start, until = (frame.pop(f"_{c}_days").to_numpy() if f"_{c}_days" in frame
                          else _days(_column(frame, c, None))
                          for c in ("date", "valid_from", "valid_until"))
    open_ended = _column(frame, "open_ended", False).fillna(False).astype(bool).to_numpy()
    standing = (_column(frame, "kind", "Act").astype(str) == "Standing").to_numpy()
    in_office = np.ones(len(frame), dtype=bool)
    if terms is not None and len(terms):
        # Several terms of one side: any covering D will do; both sides (a rolled-up actor
        # and a rolled-up target): each must be covered.
        first, last = _days(terms["start"]), _days(terms["end"])
        covered = (np.isnan(first) | (first <= D)) & (
            np.isnan(last) | (D <= last)
            | _column(terms, "open_ended", False).fillna(False).astype(bool).to_numpy())
        # Any term of a (claim, side) covers it, and every side of a claim must be covered:
        # logical or / and per integer group (a pandas groupby cost ~1.5 ms a call on the
        # few terms of a small frame). Terms without a claim or a side count nowhere.
        claim, claims = pd.factorize(terms["claim"])
        side = pd.factorize(_column(terms, "side", "actor"))[0]
        named = (claim >= 0) & (side >= 0)
        sides = int(side.max(initial=0)) + 1
        pairs, pair = np.unique(claim[named] * sides + side[named], return_inverse=True)
        side_covered = np.zeros(len(pairs), dtype=bool)
        np.logical_or.at(side_covered, pair, covered[named])
        claim_covered = np.ones(len(claims), dtype=bool)
        np.logical_and.at(claim_covered, pairs // sides, side_covered)
        in_office = ~frame["claim"].isin(np.asarray(claims)[~claim_covered]).to_numpy()
    # (actor, key) as one integer group: a caller weighing the same claims at many dates
    # passes it precomputed (``_group``), grouping on integers being the cheap part.
    given = frame.pop("_group").to_numpy() if "_group" in frame else None

    def group(live):
        if given is not None:
            return given[live]
        return _pair_codes(frame["actor"].to_numpy()[live], frame["key"].to_numpy()[live])

    w = weigh_arrays(date, start, until, open_ended=open_ended, standing=standing,
                     in_office=in_office, group=group, clock=clock, as_of_days=D)
    superseded_by = np.full(len(frame), "", dtype=object)
    if w.older.any():
        # The superseding claim of a group: the first by name among its newest acts.
        groups = int(w.group.max()) + 1
        with_older = np.zeros(groups, dtype=bool)
        with_older[w.group[w.older]] = True
        newest = ~w.older & with_older[w.group]
        names = frame["claim"].to_numpy()[w.live[newest]]
        ranks, distinct = pd.factorize(names, sort=True)
        missing = len(distinct)  # a claim with no name sorts last, as sort_values puts NaN
        first = np.full(groups, missing)
        np.minimum.at(first, w.group[newest], np.where(ranks < 0, missing, ranks))
        lookup = np.append(np.asarray(distinct, dtype=object), [np.nan])
        superseded_by[w.live[w.older]] = lookup[first[w.group[w.older]]]
    frame["weight"] = w.weight
    frame["age_days"] = w.age_days
    frame["t"] = w.t
    status = np.select(
        [~in_office, np.where(standing, ~w.started, ~w.act_started),
         standing & ~w.not_ended, ~standing & w.superseded, ~standing & ~w.in_horizon],
        ["out of office", "future", "ended", "superseded", "beyond horizon"],
        default="counts")
    frame["status"] = status
    frame["superseded_by"] = superseded_by
    return frame


def key_values(weighted, by=("actor", "issue"), *, claims: bool = True):
    """One value per target key (step 2 of docs/TIME.md), from :func:`claim_weights` rows.

    Only rows with weight > 0 count. Restatements of one act (rows of one claim, or claims
    with the same relation, time and position on one key) count once; the key's value is the
    mean of the remaining positions and its weight the largest weight among them.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by``, ``key``, ``value``, ``weight``, ``claims`` (sorted tuple of claims).
    """
    by = list(by)
    live = weighted[weighted["weight"] > 0]
    if live.empty:
        return pd.DataFrame(columns=[*by, "key", "value", "weight", "claims"])
    relation = _column(live, "relation", "")
    tkey = live["t"].fillna(-1.0) if "t" in live.columns else _column(live, "date", "")
    acts = live.assign(_relation=relation.to_numpy(), _t=tkey.to_numpy())
    distinct = acts.drop_duplicates([*by, "key", "_relation", "_t", "position"])
    values = distinct.groupby([*by, "key"], sort=True).agg(
        value=("position", "mean"), weight=("weight", "max"))
    if not claims:
        return values.reset_index()
    behind = acts.groupby([*by, "key"], sort=True)["claim"].agg(
        lambda c: tuple(sorted(set(c))))
    return values.assign(claims=behind).reset_index()


def aggregate_positions(weighted, by=("actor", "issue"), *, claims: bool = True):
    """Positions at D: ``sum(w_k * v_k) / sum(w_k)`` over target keys k (docs/TIME.md).

    Parameters
    ----------
    weighted : pandas.DataFrame
        Rows of :func:`claim_weights` with a ``position`` column and the ``by`` columns.
    by : sequence of str
        The groups that get one position each (default one per actor and issue).
    claims : bool, default True
        Also list the counting claims of each group (leave out for speed).

    Returns
    -------
    pandas.DataFrame
        One row per group with a counting claim: ``*by``, ``position``, ``weight`` (sum of
        the keys' weights), ``keys`` (number of target keys), ``claims`` (sorted tuple of the
        counting claims).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"actor": ["KOR", "KOR", "KOR"], "issue": ["hr"] * 3,
    ...     "key": ["r1", "r1", "r2"], "claim": ["a", "b", "c"], "relation": ["x", "y", "x"],
    ...     "position": [1.0, 1.0, 0.0], "weight": [1.0, 1.0, 0.5], "t": [1.0, 1.0, 0.0]})
    >>> aggregate_positions(rows)[["actor", "position", "keys"]].round(3)
      actor  position  keys
    0   KOR     0.667     2
    """
    by = list(by)
    keys = key_values(weighted, by, claims=claims)
    if keys.empty:
        return pd.DataFrame(columns=[*by, "position", "weight", "keys", "claims"])
    keys = keys.assign(wv=keys["weight"] * keys["value"])
    grouped = keys.groupby(by, sort=True)
    out = pd.DataFrame({
        "position": grouped["wv"].sum() / grouped["weight"].sum(),
        "weight": grouped["weight"].sum(),
        "keys": grouped["key"].size(),
    })
    if claims:
        out["claims"] = grouped["claims"].agg(
            lambda c: tuple(sorted({x for t in c for x in t})))
    return out.reset_index()
