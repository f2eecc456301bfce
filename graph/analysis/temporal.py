"""What a claim says at a date (``--as-of D``): weights, supersession and positions.

The one implementation of docs/TIME.md. Every analysis projects its claims into a DataFrame
(one row per claim) and calls :func:`claim_weights` then :func:`aggregate_positions`; both are
vectorised with pandas/numpy (no loop over rows), so that they run on the 870,109 votes of the
whole UN record, and both keep the claims behind each number (``superseded_by``, ``status``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.dates import parse_date  # the one strict date parser (re-exported here)
from graph.errors import InputError

__all__ = [
    "DEFAULT_HALF_LIFE",
    "DEFAULT_HORIZON",
    "Clock",
    "parse_date",
    "parse_duration",
    "newest_date",
    "make_clock",
    "claim_weights",
    "aggregate_positions",
    "key_values",
    "WEIGHT_COLUMNS",
    "TimeContext",
    "time_context",
    "office_terms",
    "weigh",
    "day_numbers",
]

#: Default half-life of an act's weight, in days (two years).
DEFAULT_HALF_LIFE = 730
#: Default horizon, in days (eight years: four half-lives, where the weight falls to 1/16).
DEFAULT_HORIZON = 2920

#: Columns :func:`claim_weights` adds.
WEIGHT_COLUMNS = ["weight", "age_days", "status", "superseded_by"]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([ymd]?)")
_DAYS_PER = {"y": 365.0, "m": 365.0 / 12, "d": 1.0, "": 1.0}


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


def parse_duration(text, *, what: str = "--half-life") -> int:
    """Days in ``730``, ``730d``, ``2y`` or ``18m`` (a year is 365 days, a month 1/12 of it).

    Examples
    --------
    >>> parse_duration("2y"), parse_duration("18m"), parse_duration("30d"), parse_duration(90)
    (730, 548, 30, 90)
    """
    match = _DURATION.fullmatch(str(text).strip().lower())
    days = round(float(match.group(1)) * _DAYS_PER[match.group(2)]) if match else 0
    if days < 1:
        raise InputError(f"{what} {text!r}: expected a positive duration such as 730, 730d, "
                         "24m or 2y")
    return days


def newest_date(store, *, today: str | None = None) -> str | None:
    """The newest ``sg:date``, ``sg:validFrom`` or ``sg:validUntil`` of a claim, not after
    ``today`` (office terms and other dated things do not move "now").

    This is D when no ``--as-of`` is given ("now" is the newest date the data know). The
    maximum is taken in the store (one aggregate per property), so no claim leaves it.
    """
    limit = parse_date(today or dt.date.today().isoformat(), what="today")
    newest = None
    for prop in ("sg:date", "sg:validFrom", "sg:validUntil"):
        # sg:date belongs to claims only (its domain), so the 870,000 votes' dates need no
        # check; validFrom/validUntil are also on office terms and governments, and are few:
        # a per-row EXISTS is an index lookup, where joining "?c a sg:Claim" walks every
        # claim (7 s on the UN record).
        typed = "" if prop == "sg:date" else "FILTER EXISTS { ?c sg:relation ?r }"
        rows = store.select_rows(
            f"SELECT (MAX(?d) AS ?newest) WHERE {{ ?c {prop} ?d . {typed} "
            f'FILTER (?d <= "{limit}"^^xsd:date) }}')
        value = rows[0].get("newest") if rows else None
        if value is not None:
            text = value.isoformat() if isinstance(value, dt.date) else str(value)[:10]
            newest = max(newest or text, text)
    return newest


def make_clock(store, as_of=None, half_life=None, horizon=None) -> Clock:
    """A :class:`Clock` from command-line style values: validated, defaults filled in.

    ``as_of`` None means the newest date in the store (:func:`newest_date`), or today for an
    empty store; ``half_life`` and ``horizon`` take days or ``Ny``/``Nm``/``Nd``.
    """
    day = parse_date(as_of) if as_of is not None else (
        newest_date(store) if store is not None else None) or dt.date.today().isoformat()
    return Clock(
        day,
        DEFAULT_HALF_LIFE if half_life is None else parse_duration(half_life),
        DEFAULT_HORIZON if horizon is None else parse_duration(horizon, what="--horizon"),
    )


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


# ------------------------------------------------------------------------------ from a store

def _iso_text(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def office_terms(store):
    """Office terms behind each rolled-up claim (pandas DataFrame).

    Columns ``claim`` (the derived claim), ``side`` (``actor`` or ``target``: the end that
    was rolled up), ``start``, ``end``, ``open_ended``: the representative's terms for that
    state (``sg:holdsOffice`` terms, e.g. Archigos leaders; else the representative's own
    ``sg:validFrom`` / ``sg:validUntil``, e.g. a declared government). Read at query time,
    so terms imported after the build (``import leaders``) apply too. Derived claims are few,
    so this small query never walks the stated claims.
    """
    import pandas as pd

    columns = ["claim", "side", "start", "end", "open_ended"]
    rows = store.select_rows("""
        SELECT ?claim ?side ?start ?end ?open WHERE {
            # Each branch starts from the derived claims: pyoxigraph evaluates a UNION before
            # what it is joined with (DESIGN.md), and a branch on ?claim sg:actor alone would
            # pair every claim of the store with every other (minutes on the UN record).
            { ?claim sg:mode sg:Derived ; sg:derivedFrom ?orig ; sg:actor ?state .
              ?orig sg:actor ?rep . BIND ("actor" AS ?side) }
            UNION
            { ?claim sg:mode sg:Derived ; sg:derivedFrom ?orig ; sg:target ?state .
              ?orig sg:target ?rep . BIND ("target" AS ?side) }
            FILTER (?rep != ?state)
            { ?rep sg:holdsOffice ?term . ?term sg:ofState ?state .
              OPTIONAL { ?term sg:validFrom ?start } OPTIONAL { ?term sg:validUntil ?end }
              OPTIONAL { ?term sg:openEnded ?open } }
            UNION
            { ?rep sg:represents ?state .
              FILTER NOT EXISTS { ?rep sg:holdsOffice ?other . ?other sg:ofState ?state }
              OPTIONAL { ?rep sg:validFrom ?start } OPTIONAL { ?rep sg:validUntil ?end } }
        }""")
    return pd.DataFrame.from_records(
        [{"claim": r["claim"], "side": str(r["side"]), "start": _iso_text(r.get("start")) or "",
          "end": _iso_text(r.get("end")) or "",
          "open_ended": str(r.get("open")).lower() in ("true", "1")} for r in rows],
        columns=columns)


@dataclass(frozen=True)
class TimeContext:
    """What weighing claims needs from the store besides the claims themselves."""

    clock: object
    series: dict
    open_ended: frozenset
    terms: object


def time_context(store, *, as_of=None, half_life=None, horizon=None, clock=None) -> TimeContext:
    """The clock (D, half-life, horizon: docs/TIME.md) and the store's series, open-ended
    claims and office terms, read once per analysis."""
    if clock is None:
        clock = make_clock(store, as_of, half_life, horizon)
    series = {r["r"]: r["s"] for r in store.select_rows(
        "SELECT ?r ?s WHERE { ?r sg:inSeries ?s }")}
    open_ended = frozenset(r["c"] for r in store.select_rows(
        "SELECT ?c WHERE { ?c sg:openEnded ?v . FILTER (STR(?v) IN (\"true\", \"1\")) }"))
    return TimeContext(clock, series, open_ended, office_terms(store))


def weigh(frame, context: TimeContext):
    """Add the weights of docs/TIME.md to a claims frame (see temporal.claim_weights).

    ``frame`` needs ``claim``, ``actor``, ``target``, ``relation`` (local name), and the
    optional ``date``, ``valid_from``, ``valid_until``; the target key (series or target),
    the relation's kind and the open-ended flag are filled in here.
    """
    from graph.vocab import relations

    kinds = {name: r.kind for name, r in relations().items()}
    frame = frame.assign(
        key=frame["target"].map(context.series).fillna(frame["target"]) if len(frame) else [],
        kind=frame["relation"].map(kinds).fillna("Act") if len(frame) else [],
        open_ended=frame["claim"].isin(context.open_ended) if len(frame) else [],
    )
    return claim_weights(frame, context.clock, context.terms)
