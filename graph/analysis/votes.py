"""The roll-call vote table: every state's vote on every resolution, read in bulk.

A vote is a direct edge ``state -supports|opposes|declined-> resolution`` (yes, no, abstain:
docs/DESIGN.md). The store groups the edges by resolution and relation and concatenates the
ISO codes, so the whole UN record (870,109 votes) leaves the store as about 17,000 rows; terms
are decoded only when they leave it. The same table can be read straight from the CSV files of
the UN votes (:func:`read_votes_csv`) for notebooks and checks.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from graph.errors import InputError, StanceGraphError
from graph.vocab import SG

__all__ = ["VoteTable", "read_votes", "read_votes_csv", "POSITIONS", "period_of"]

#: The vote relations and the position each stands for (yes > abstain > no).
POSITIONS = {str(SG.supports): 1.0, str(SG.declined): 0.0, str(SG.opposes): -1.0}
_CSV_POSITIONS = {"yes": 1.0, "abstain": 0.0, "no": -1.0}
_SESSION = re.compile(r"session (\d+)")
_RCID = re.compile(r"unga-rcid-(\d+)$")


@dataclass(frozen=True)
class VoteTable:
    """Votes in long form and the roll calls they were cast on.

    Attributes
    ----------
    votes : pandas.DataFrame
        One row per vote: ``item`` (resolution local name, e.g. ``unga-rcid-5377``), ``actor``
        (ISO code), ``position`` (1.0 yes, 0.0 abstain, -1.0 no), and the roll call's
        ``session`` and ``year`` (nullable integers), sorted by item then actor.
    items : pandas.DataFrame
        One row per roll call, indexed by ``item``: ``rcid``, ``session``, ``year``, ``date``
        (ISO text or ""), ``label``.
    """

    votes: object
    items: object

    def window(self, start=None, end=None, *, by="date"):
        """The votes of roll calls from ``start`` to ``end`` inclusive (either may be None).

        ``by="date"`` compares ISO dates (a year ``YYYY`` is its whole year); ``"session"``
        and ``"year"`` compare those numbers.
        """
        if start is None and end is None:
            return self
        items = self.items
        if by == "date":
            lo = _date_bound(start, first=True)
            hi = _date_bound(end, first=False)
            keep = items["date"].ne("")
            if lo:
                keep &= items["date"] >= lo
            if hi:
                keep &= items["date"] <= hi
        else:
            column = items[by]
            keep = column.notna()
            if start is not None:
                keep &= column >= int(start)
            if end is not None:
                keep &= column <= int(end)
            keep = keep.fillna(False).astype(bool)
        items = items[keep]
        return VoteTable(self.votes[self.votes["item"].isin(items.index)].reset_index(drop=True),
                         items)


def _date_bound(value, *, first: bool) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-01-01" if first else f"{text}-12-31"
    from graph.dates import parse_date

    return parse_date(text, what="date (YYYY-MM-DD or YYYY)")


def period_of(by: str) -> str:
    """The column a period name stands for, or a clear error."""
    if by not in ("session", "year"):
        raise InputError(f"period must be 'session' or 'year', got {by!r}")
    return by


def _items(meta):
    """Roll calls indexed by item from (res, date, note, label) rows."""
    import pandas as pd

    items = meta.assign(item=meta["res"].str.rsplit("/", n=1).str[-1])
    items = items.drop_duplicates("item").set_index("item").sort_index()
    items["rcid"] = pd.array([int(m.group(1)) if (m := _RCID.search(i)) else None
                              for i in items.index], dtype="Int64")
    items["session"] = pd.array([int(m.group(1)) if (m := _SESSION.search(n)) else None
                                 for n in items["note"]], dtype="Int64")
    items["year"] = pd.array([int(d[:4]) if d else None for d in items["date"]], dtype="Int64")
    return items[["rcid", "session", "year", "date", "label"]]


def _finish(votes, items):
    """The VoteTable of (item, actor, position) rows and the roll calls they were cast on."""
    votes = votes[votes["item"].isin(items.index)]
    votes = votes.join(items[["session", "year"]], on="item")
    votes = votes.sort_values(["item", "actor"], kind="stable").reset_index(drop=True)
    return VoteTable(votes, items[items.index.isin(votes["item"].unique())])


def _select(store, text, columns):
    import pandas as pd

    if hasattr(store, "select_csv"):
        return pd.read_csv(io.BytesIO(store.select_csv(text)), dtype=str, keep_default_na=False)
    return pd.DataFrame.from_records(
        [{c: ("" if r.get(c) is None else str(r.get(c))) for c in columns}
         for r in store.select_rows(text)], columns=columns)


def read_votes(store, *, issue: str | None = None):
    """Every recorded vote (yes, no, abstain) of a state on a resolution, from the store.

    Parameters
    ----------
    store : graph.store.Store
    issue : str, optional
        Only roll calls about this issue or one under it (code, label or IRI).

    Returns
    -------
    VoteTable

    Raises
    ------
    graph.errors.StanceGraphError
        If the issue is unknown.

    Notes
    -----
    Reads the direct edges grouped in the store by resolution and relation, with the ISO codes
    of the voters concatenated (docs/DESIGN.md, "Reading a large store"), and the roll calls'
    dates, labels and notes in a second query; the session is the number in the roll call's
    note ("UN General Assembly session 69, roll call 5377"), the year that of its date.
    Only roll calls count (resolutions whose note gives their session, as the UN import writes
    it): a hand-coded claim that a state supports a resolution is not a recorded vote.
    """
    import pandas as pd

    from graph.analysis.items import _issue_filter, _resolve_issue_iri

    wanted = _resolve_issue_iri(store, issue) if issue else None
    about = f"; sg:about ?about . {_issue_filter('?about', wanted)}" if wanted else "."
    values = " ".join(f"<{iri}>" for iri in POSITIONS)
    grouped = _select(store, f"""
        SELECT ?res ?relation (GROUP_CONCAT(?code; SEPARATOR=" ") AS ?codes) WHERE {{
            {{ SELECT DISTINCT ?res WHERE {{ ?res a sg:Resolution {about} }} }}
            VALUES ?relation {{ {values} }}
            ?a ?relation ?res .
            {{ SELECT ?a ?code WHERE {{ ?a sg:isoCode ?code }} }}
        }} GROUP BY ?res ?relation""", ["res", "relation", "codes"])
    meta = _select(store, """
        SELECT ?res (SAMPLE(?d) AS ?date) (SAMPLE(?n) AS ?note) (SAMPLE(?l) AS ?label) WHERE {
            ?res a sg:Resolution .
            OPTIONAL { ?res sg:adoptedOn ?d }
            OPTIONAL { ?res skos:note ?n }
            OPTIONAL { ?res rdfs:label ?l }
        } GROUP BY ?res""", ["res", "date", "note", "label"])
    if grouped.empty:
        votes = pd.DataFrame({"item": pd.Series(dtype=str), "actor": pd.Series(dtype=str),
                              "position": pd.Series(dtype=float)})
    else:
        grouped = grouped.assign(
            item=grouped["res"].str.rsplit("/", n=1).str[-1],
            position=grouped["relation"].map(POSITIONS).astype(float),
            actor=grouped["codes"].str.split(),
        )
        votes = grouped.explode("actor")[["item", "actor", "position"]].dropna(subset=["actor"])
    items = _items(meta.fillna(""))
    # Roll calls only: the hand-coded data's support for a resolution is a claim, not a vote.
    return _finish(votes, items[items["session"].notna()])


def read_votes_csv(folder):
    """The same :class:`VoteTable` straight from the CSV files of the UN votes (pandas only).

    Parameters
    ----------
    folder : path
        A folder holding ``un_votes.csv`` and ``un_roll_calls.csv`` (the layout of
        ``../shared/data/unvotes``, see its PROVENANCE.md).

    Returns
    -------
    VoteTable

    Raises
    ------
    graph.errors.InputError
        If a file is missing or lacks a column.

    Notes
    -----
    Countries are matched as the importer matches them (the ISO 2 code, else the name). The
    votes equal those :func:`read_votes` gives on a store that imported the same files; labels
    are the roll call's ``short`` text as it is (the importer prefixes amendment and paragraph
    votes and falls back to ``descr``).
    """
    import pandas as pd

    from graph.sources.countries import iso3_from_code, iso3_from_name

    folder = Path(folder)
    frames = {}
    for name, columns in (("un_votes.csv", ["rcid", "country", "country_code", "vote"]),
                          ("un_roll_calls.csv", ["rcid", "session", "date", "short"])):
        path = folder / name
        if not path.is_file():
            raise InputError(f"{path}: not found")
        try:
            frames[name] = pd.read_csv(path, usecols=columns, dtype=str, keep_default_na=False)
        except ValueError as exc:
            raise InputError(f"{path}: {exc}") from exc
    votes, calls = frames["un_votes.csv"], frames["un_roll_calls.csv"]
    votes = votes[votes["vote"].str.strip().str.lower().isin(list(_CSV_POSITIONS))]
    key = votes["country_code"].where(votes["country_code"] != "", "name:" + votes["country"])
    codes = {k: iso3_from_name(k[5:]) if k.startswith("name:") else iso3_from_code(k)
             for k in key.unique()}
    votes = pd.DataFrame({
        "item": "unga-rcid-" + votes["rcid"].str.strip(),
        "actor": key.map(codes),
        "position": votes["vote"].str.strip().str.lower().map(_CSV_POSITIONS),
    }).dropna(subset=["actor"])
    meta = pd.DataFrame({
        "res": "unga-rcid-" + calls["rcid"].str.strip(),
        "date": calls["date"].str.strip(),
        "note": "session " + calls["session"].str.strip(),
        "label": calls["short"].str.strip(),
    })
    table = _finish(votes, _items(meta))
    if table.votes.empty:
        raise StanceGraphError(f"{folder}: no votes")
    return table


# ------------------------------------------------------------------------------ analyses
# What the commands `alignment`, `idealpoints` and `changepoints` compute, on a VoteTable
# (from the store or from the CSV files, so that notebooks can use either).

def alignment(table, actor, others=None, *, by="session", start=None, end=None):
    """Agreement per period of ``actor`` with each of ``others`` (or of every pair of
    ``actor``, a list, when ``others`` is None), from a :class:`VoteTable`.

    ``start`` / ``end`` bound the periods (numbers of the ``by`` column). See
    :func:`graph.algorithms.agreement.period_agreement` for the columns; ``a`` and ``b`` are
    put in the order asked (``actor`` first).
    """
    from graph.algorithms.agreement import period_agreement

    column = period_of(by)
    actors = [actor] if isinstance(actor, str) else list(actor)
    known = set(table.votes["actor"].unique())
    for code in actors + list(others or []):
        if code not in known:
            raise StanceGraphError(f"no votes of {code!r}")
    votes = table.window(start, end, by=column).votes
    frame = period_agreement(votes, actors, others=others, by=column)
    if others is not None and isinstance(actor, str):
        swap = frame["b"] == actor
        for left, right in (("a", "b"), ("absent_a", "absent_b")):
            first, second = frame[left].copy(), frame[right].copy()
            frame[left], frame[right] = first.where(~swap, second), second.where(~swap, first)
        frame = frame.sort_values(["a", "b", "period"], kind="stable").reset_index(drop=True)
    return frame.rename(columns={"period": column})


def idealpoints(table, *, by="session", anchor="USA", **options):
    """Ideal points per state and period (:func:`graph.algorithms.idealpoints.ideal_points`)
    of a :class:`VoteTable`; returns the fit, whose ``points`` name the period column ``by``."""
    from graph.algorithms.idealpoints import ideal_points

    column = period_of(by)
    if table.votes.empty:
        raise StanceGraphError("no roll-call votes in the store")
    fit = ideal_points(table.votes, by=column, anchor=anchor, **options)
    points = fit.points.rename(columns={"period": column})
    return type(fit)(points, fit.items, fit.iterations, fit.converged, fit.log_posterior)


def changepoints(table, actor, other=None, *, by="session", measure="s_score", scale=4.0,
                 top=5, fit=None):
    """Change points in the agreement of ``actor`` and ``other`` per period, or (without
    ``other``) in ``actor``'s ideal point, each with the recurring roll calls that moved most.

    Returns ``(series, changes)``: the series (indexed by period) and a list of
    ``(ChangePoint, moved)`` with ``moved`` a DataFrame
    (:func:`graph.algorithms.changepoints.moved_roll_calls`). ``fit`` reuses ideal points
    already estimated.
    """
    from graph.algorithms.changepoints import change_points, moved_roll_calls

    column = period_of(by)
    if other is not None:
        if measure not in ("share", "s_score", "kappa"):
            raise InputError(f"measure must be share, s_score or kappa, got {measure!r}")
        frame = alignment(table, actor, [other], by=column)
        series = frame.set_index(column)[measure]
        pair = [actor, other]
    else:
        if actor not in set(table.votes["actor"].unique()):
            raise StanceGraphError(f"no votes of {actor!r}")
        fit = fit if fit is not None else idealpoints(table, by=column)
        mine = fit.points[fit.points["actor"] == actor]
        series = mine.set_index(column)["ideal"]
        pair = [actor]
    series.name = measure if other is not None else "ideal"
    votes = table.votes.rename(columns={column: "period"})
    labels = table.items["label"]
    changes = []
    for change in change_points(series, scale=scale):
        before = [p for p in series.index if change.start <= p <= change.previous]
        after = [p for p in series.index if change.period <= p <= change.end]
        changes.append((change, moved_roll_calls(votes, labels, pair, before, after, top=top)))
    return series, changes
