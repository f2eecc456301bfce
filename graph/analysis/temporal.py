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

import pandas as pd

from graph.algorithms.decay import (  # re-exported: the pure rules live there
    DEFAULT_HALF_LIFE,
    DEFAULT_HORIZON,
    WEIGHT_COLUMNS,
    Clock,
    aggregate_positions,
    claim_weights,
    day_numbers,
    key_values,
)
from graph.dates import (
    iso_or_none,
    parse_date,  # the one strict date parser (re-exported here)
)
from graph.errors import InputError
from graph.store.kept import kept_rows

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


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([ymd]?)")
_DAYS_PER = {"y": 365.0, "m": 365.0 / 12, "d": 1.0, "": 1.0}


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
        rows = kept_rows(store,
                         f"SELECT (MAX(?d) AS ?newest) WHERE {{ ?c {prop} ?d . {typed} "
                         f'FILTER (?d <= "{limit}"^^xsd:date) }}')
        value = rows[0].get("newest") if rows else ""
        if value:
            text = str(value)[:10]
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


# ------------------------------------------------------------------------------ from a store

def office_terms(store):
    """Office terms behind each rolled-up claim (pandas DataFrame).

    Columns ``claim`` (the derived claim), ``side`` (``actor`` or ``target``: the end that
    was rolled up), ``start``, ``end``, ``open_ended``: the representative's terms for that
    state (``sg:holdsOffice`` terms, e.g. Archigos leaders; else the representative's own
    ``sg:validFrom`` / ``sg:validUntil``, e.g. a declared government). Read at query time,
    so terms imported after the build (``import leaders``) apply too. Derived claims are few,
    so this small query never walks the stated claims.
    """

    columns = ["claim", "side", "start", "end", "open_ended"]
    # The store's contents only (no date): kept with a store on disk (graph.store.kept), so
    # that the analyses, which all start here, do not ask for it again (values as text).
    rows = kept_rows(store, """
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
        [{"claim": r["claim"], "side": str(r["side"]), "start": iso_or_none(r.get("start")) or "",
          "end": iso_or_none(r.get("end")) or "",
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
    series = {r["r"]: r["s"] for r in kept_rows(
        store, "SELECT ?r ?s WHERE { ?r sg:inSeries ?s }")}
    open_ended = frozenset(r["c"] for r in kept_rows(
        store, "SELECT ?c WHERE { ?c sg:openEnded ?v . FILTER (STR(?v) IN (\"true\", \"1\")) }"))
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
    terms = context.terms
    if len(terms):
        # Only the terms of these claims count for them: most frames (claims on issues, ties
        # between states) have none, and then the terms' grouping is skipped altogether.
        terms = terms[terms["claim"].isin(frame["claim"])] if len(frame) else terms.iloc[:0]
    return claim_weights(frame, context.clock, terms)
