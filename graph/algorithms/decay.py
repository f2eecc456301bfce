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
    """ISO dates (str, date or empty) as float days since 1970-01-01, NaN when missing."""
    series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    parsed = pd.to_datetime(series.astype(str).str.slice(0, 10).where(series.notna() & (
        series.astype(str) != "")), format="%Y-%m-%d", errors="coerce")
    out = parsed.to_numpy(dtype="datetime64[D]").astype("int64").astype(float)
    out[parsed.isna().to_numpy()] = np.nan
    return out


def _column(frame, name, default):
    return frame[name] if name in frame.columns else pd.Series(default, index=frame.index)


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
    in_office = np.ones(len(frame), dtype=bool)
    if terms is not None and len(terms):
        # Several terms of one side: any covering D will do; both sides (a rolled-up actor
        # and a rolled-up target): each must be covered.
        first, last = _days(terms["start"]), _days(terms["end"])
        covered = terms.assign(
            side=_column(terms, "side", "actor").to_numpy(),
            covered=(np.isnan(first) | (first <= D)) & (np.isnan(last) | (D <= last)
                     | _column(terms, "open_ended", False).fillna(False).astype(bool)
                     .to_numpy()))
        by_claim = covered.groupby(["claim", "side"])["covered"].any().groupby("claim").all()
        in_office = ~frame["claim"].isin(by_claim.index[~by_claim.to_numpy()]).to_numpy()
    live_act = ~standing & act_started & in_office
    # Supersession: the newest t among the live acts of one actor on one key.
    t_sup = np.where(np.isnan(t), -np.inf, t)
    superseded = np.zeros(len(frame), dtype=bool)
    superseded_by = np.full(len(frame), "", dtype=object)
    if live_act.any():
        # (actor, key) as one integer group: a caller weighing the same claims at many dates
        # passes it precomputed (``_group``), grouping on integers being the cheap part.
        group = frame.pop("_group").to_numpy() if "_group" in frame else pd.MultiIndex.from_arrays(
            [frame["actor"].to_numpy(), frame["key"].to_numpy()]).factorize()[0]
        acts = pd.DataFrame({"actor": frame["actor"].to_numpy()[live_act],
                             "key": frame["key"].to_numpy()[live_act],
                             "claim": frame["claim"].to_numpy()[live_act],
                             "t": t_sup[live_act], "group": group[live_act]})
        newest = acts.groupby("group", sort=False)["t"].transform("max").to_numpy()
        older = acts["t"].to_numpy() < newest
        if older.any():
            winners = (acts[~older].sort_values("claim", kind="stable")
                       .drop_duplicates(["actor", "key"]).set_index(["actor", "key"])["claim"])
            index = pd.MultiIndex.from_frame(acts.loc[older, ["actor", "key"]])
            rows = np.flatnonzero(live_act)[older]
            superseded[rows] = True
            superseded_by[rows] = winners.reindex(index).to_numpy()
    with np.errstate(invalid="ignore", over="ignore"):
        decay = np.where(np.isnan(age), 1.0, 0.5 ** (np.maximum(age, 0) / clock.half_life))
    act_weight = np.where(live_act & ~superseded & in_horizon, decay, 0.0)
    standing_weight = (started & not_ended & in_office).astype(float)
    if "_group" in frame:
        frame.pop("_group")
    frame["weight"] = np.where(standing, standing_weight, act_weight)
    frame["age_days"] = np.where(standing | ~act_started, np.nan, age)
    frame["t"] = t
    status = np.select(
        [~in_office, np.where(standing, ~started, ~act_started),
         standing & ~not_ended, ~standing & superseded, ~standing & ~in_horizon],
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
