"""Positions for clustering: what each state's position on each item is at D, in bulk.

An item is what states are compared on (docs/TIME.md, docs/DESIGN.md): a resolution (votes,
co-sponsorships; a series of resolutions is one item), else an issue. Votes are read as direct
edges grouped in the store by resolution and relation, weighed per resolution and coded as
integers (:func:`position_codes`); :func:`position_items` gives the same positions as a table,
and graph.analysis.items_reference.position_items_per_vote is the straightforward reading
the tests compare them with. The claim-level projections (state graph, positions with
provenance) are in :mod:`graph.analysis.project`.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.analysis.project import _VALIDITY, _code, claims_then, time_context, weigh
from graph.dates import iso_or_none as _iso
from graph.vocab import relations

__all__ = ["position_items", "position_codes", "PositionCodes", "grouped_resolutions"]


def _resolve_issue_iri(store, issue: str) -> str:
    from graph.errors import StanceGraphError

    text = issue.strip()
    if text.startswith(("http://", "https://")):
        return text
    local = text.removeprefix("issue:")
    for row in store.select_rows(
        "SELECT ?i ?code ?label WHERE { ?i a sg:Issue . OPTIONAL { ?i sg:code ?code } "
        "OPTIONAL { ?i rdfs:label ?label } }"
    ):
        names = {str(row.get("code") or "").lower(), str(row.get("label") or "").lower(),
                 _code(row["i"]).lower()}
        if local.lower() in names:
            return row["i"]
    raise StanceGraphError(f"no issue called {issue!r}")


def position_items(store, *, issue: str | None = None, as_of: str | None = None,
                   half_life=None, horizon=None, context=None):
    """Lean projection for clustering: one row per state position with (actor, item, position,
    weight), the positions that count at D (docs/TIME.md; D = ``as_of``, default the newest
    date in the store) with their weights.

    ``item`` is the resolution a position is about (roll calls, co-sponsorships; for a
    resolution in a recurring series, the series ``series:<name>``, on which each state's
    newest act counts) or else the issue of a claim on an issue or a policy. With ``issue``,
    only items on that issue or an issue under it (``skos:broader*``).

    Positions on resolutions come from the direct edges (state -relation-> resolution, position
    = the relation's polarity), grouped in the store by resolution and relation with the ISO
    codes concatenated: 870,109 UN votes leave the store as about 17,000 rows in about a second,
    where reading the statement nodes costs tens of seconds on disk (PITFALLS: project over the
    direct edges, move in bulk). With ``as_of`` they count from the resolution's adoption date
    (``sg:adoptedOn``, else a draft's ``dcterms:issued``; undated resolutions are older than
    any dated one), and within a series (``sg:inSeries``) a state's newest act supersedes its
    older ones; the weights are computed on integer codes, one row per vote (see
    :func:`position_codes`, the same rows without the strings).
    Claims on issues and policies are few: they are found first and then read with their
    dates, actors and (for symmetric relations) both ends.
    """
    return position_codes(store, issue=issue, as_of=as_of, half_life=half_life,
                          horizon=horizon, context=context).frame()


@dataclass(frozen=True)
class PositionCodes:
    """The rows of :func:`position_items` as integer codes (what clustering needs).

    ``actors`` and ``items`` are the sorted names; ``actor`` and ``item`` code each row into
    them, with its ``position`` and ``weight``; rows are in the order they were read (votes,
    other acts on resolutions, claims on issues). Building the 870,000 strings of the whole UN
    record, sorting them and grouping on them again cost more than the agreement itself.
    """

    actors: object
    items: object
    actor: object
    item: object
    position: object
    weight: object

    def __len__(self) -> int:
        return len(self.actor)

    def frame(self):
        """The long table of :func:`position_items`: actor, item, position, weight, sorted
        by actor, item and position (stable)."""
        import numpy as np
        import pandas as pd

        if not len(self):
            return pd.DataFrame(columns=["actor", "item", "position", "weight"])
        # The names are sorted, so their codes sort as the strings do.
        order = np.lexsort((self.position, self.item, self.actor))
        # The column types of the table this replaced: actor text, item objects (pandas
        # infers no string type for the item column it assembled).
        return pd.DataFrame({
            "actor": pd.Series(self.actors[self.actor[order]], dtype="str"),
            "item": pd.Series(self.items[self.item[order]], dtype=object),
            "position": self.position[order], "weight": self.weight[order]})

    def matrix(self):
        """Actors x items, the mean position per cell: ``position_matrix(frame(), item="item")``
        (graph.algorithms.similarity.coded_position_matrix)."""
        from graph.algorithms.similarity import coded_position_matrix

        return coded_position_matrix(self.actors, self.items, self.actor, self.item,
                                     self.position, item_name="item")


def position_codes(store, *, issue: str | None = None, as_of: str | None = None,
                   half_life=None, horizon=None, context=None) -> PositionCodes:
    """The positions of :func:`position_items` as a :class:`PositionCodes` (no strings per
    row): what ``clusters`` reads."""
    import numpy as np

    wanted = _resolve_issue_iri(store, issue) if issue else None
    if context is None:
        context = time_context(store, as_of=as_of, half_life=half_life, horizon=horizon)
    votes = _resolution_votes(store, wanted, context)
    others = [f for f in (_issue_positions(store, wanted, context, resolutions=True),
                          _issue_positions(store, wanted, context)) if len(f)]
    small = {c: np.concatenate([f[c].to_numpy(dtype=object if c in ("actor", "item")
                                              else float) for f in others])
             if others else np.zeros(0, dtype=object if c in ("actor", "item") else float)
             for c in ("actor", "item", "position", "weight")}
    # One sorted vocabulary per column for the votes' names and the few other claims' (a
    # binary search per distinct vote name and per other row), so that codes sort as names.
    codes = {}
    for column, names in (("actor", votes["actors"]), ("item", votes["items"])):
        every = np.unique(np.concatenate([np.asarray(names, dtype=object),
                                          small[column]]).astype(str)).astype(object)
        codes[column] = (every, np.concatenate([
            np.searchsorted(every, np.asarray(names, dtype=object).astype(str))[votes[column]],
            np.searchsorted(every, small[column].astype(str))]).astype(np.int64))
    return PositionCodes(
        actors=codes["actor"][0], items=codes["item"][0], actor=codes["actor"][1],
        item=codes["item"][1],
        position=np.concatenate([votes["position"], small["position"]]).astype(float),
        weight=np.concatenate([votes["weight"], small["weight"]]).astype(float))


def _issue_filter(subject: str, wanted: str | None) -> str:
    # The issue is an IRI found in the store, written as a checked IRI term (never pasted text:
    # NTriplesWriter refuses any character that could end it).
    from graph.store import NTriplesWriter

    return f"{subject} skos:broader* {NTriplesWriter().iri(wanted)} ." if wanted else ""


def _acts_on_resolutions(store, wanted: str | None, context):
    """Positions from the claims on resolutions other than votes and sponsorships, with the
    claims' own dates; a resolution in a series is compared as its series."""
    import pandas as pd

    others = " ".join(f"sg:{r.name}" for r in relations().values()
                      if not r.symmetric and r.name not in _ON_THE_DATE)
    about = f"?t sg:about ?about . {_issue_filter('?about', wanted)}" if wanted else ""
    rows = claims_then(store, f"""
        SELECT DISTINCT ?claim WHERE {{ VALUES ?relation {{ {others} }}
            ?claim sg:relation ?relation ; sg:target ?t . ?t a sg:Resolution . {about} }}""",
        """
        SELECT ?claim ?position ?actorCode ?t ?relation ?series ?date ?validFrom ?validUntil
        WHERE {
            VALUES ?claim { CLAIMS }
            ?claim sg:position ?position ; sg:relation ?relation ; sg:actor ?a ; sg:target ?t .
            ?a sg:isoCode ?actorCode .
            OPTIONAL { ?t sg:inSeries ?series }
        """ + _VALIDITY + "}", keep=True)
    columns = ["claim", "actor", "item", "position", "target", "relation", "date",
               "valid_from", "valid_until"]
    frame = pd.DataFrame.from_records(
        [{"claim": r["claim"], "actor": str(r["actorCode"]),
          "item": f"series:{_code(r['series'])}" if r.get("series") else _code(r["t"]),
          "position": float(r["position"]), "target": r["t"],
          "relation": str(r["relation"]).rsplit("#", 1)[-1],
          "date": _iso(r.get("date")) or "", "valid_from": _iso(r.get("validFrom")) or "",
          "valid_until": _iso(r.get("validUntil")) or ""} for r in rows], columns=columns)
    if frame.empty:
        return pd.DataFrame(columns=["actor", "item", "position", "weight"])
    weighted = weigh(frame, context)
    weighted = weighted[weighted["weight"] > 0]
    return weighted[["actor", "item", "position", "weight"]]


def grouped_resolutions(store, wanted: str | None):
    """Votes and sponsorships as the store groups them: one row per resolution and relation
    (``res``, ``relation``, ``adopted``, ``series``, ``codes``: the ISO codes, space-separated).
    """
    import io

    import pandas as pd

    table = {str(r.iri): r.polarity for r in relations().values()
             if not r.symmetric and r.name in _ON_THE_DATE}
    values = " ".join(f"<{iri}>" for iri in sorted(table))
    about = f"; sg:about ?about . {_issue_filter('?about', wanted)}" if wanted else "."
    # Both subqueries are evaluated once and hash-joined (a join on ?a inline costs a lookup
    # per vote); grouping before the terms are decoded keeps the answer small. The separator
    # is spelt out because Virtuoso requires it.
    text = f"""
        SELECT ?res ?relation ?adopted ?series (GROUP_CONCAT(?code; SEPARATOR=" ") AS ?codes)
        WHERE {{
            {{ SELECT DISTINCT ?res ?adopted ?series WHERE {{
                ?res a sg:Resolution {about}
                OPTIONAL {{ ?res sg:adoptedOn ?voted }} OPTIONAL {{ ?res dcterms:issued ?issued }}
                OPTIONAL {{ ?res sg:inSeries ?series }}
                BIND (COALESCE(?voted, ?issued) AS ?adopted) }} }}
            VALUES ?relation {{ {values} }}
            ?a ?relation ?res .
            {{ SELECT ?a ?code WHERE {{ ?a sg:isoCode ?code }} }}
        }} GROUP BY ?res ?relation ?adopted ?series"""
    columns = ["res", "relation", "adopted", "series", "codes"]
    if getattr(store, "keeps_answers", False) and wanted:
        # The table of every resolution is kept with the generation (made at import:
        # graph.analysis.prepare), and an issue only picks its resolutions from it.
        grouped = grouped_resolutions(store, None)
        about = {r["res"] for r in store.select_rows(
            f"SELECT DISTINCT ?res WHERE {{ ?res a sg:Resolution ; sg:about ?about . "
            f"{_issue_filter('?about', wanted)} }}")}
        return grouped[grouped["res"].isin(about)].reset_index(drop=True)
    if hasattr(store, "select_csv"):
        return pd.read_csv(io.BytesIO(store.select_csv(text, keep=not wanted)), dtype=str,
                           keep_default_na=False)
    return pd.DataFrame.from_records(
        [{c: ("" if r.get(c) is None else str(r.get(c))) for c in columns}
         for r in store.select_rows(text)], columns=columns)


def _resolution_votes(store, wanted: str | None, context) -> dict:
    """The votes and sponsorships that count at D as codes: ``actors`` and ``items`` (names),
    and per counting vote ``actor``, ``item`` (codes into them), ``position``, ``weight``, in
    the order of graph.analysis.items_reference.resolution_positions_per_vote (the
    straightforward version, which tests
    compare with this one).

    Everything but the actor is a property of the grouped row (resolution, relation), so it
    is computed once per row and repeated; the weights are those of docs/TIME.md from
    graph.algorithms.decay.weigh_arrays (the rules of claim_weights) with the (actor, target
    key) groups as integers: a vote's claim is its resolution, and what its weight needs is
    the resolution's date and series.
    """
    import itertools

    import numpy as np
    import pandas as pd

    from graph.algorithms.decay import _days, weigh_arrays

    empty = {"actors": np.zeros(0, dtype=object), "items": np.zeros(0, dtype=object),
             "actor": np.zeros(0, dtype=np.int64), "item": np.zeros(0, dtype=np.int64),
             "position": np.zeros(0), "weight": np.zeros(0)}
    grouped = grouped_resolutions(store, wanted)
    if grouped.empty:
        return empty
    table = {str(r.iri): r.polarity for r in relations().values()
             if not r.symmetric and r.name in _ON_THE_DATE}
    kinds = {str(r.iri): r.kind for r in relations().values()}
    split = [codes.split() for codes in grouped["codes"].tolist()]
    lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
    actor, actors = pd.factorize(np.fromiter(itertools.chain.from_iterable(split),
                                             dtype=object, count=int(lengths.sum())))
    series = grouped["series"]
    in_series = (series != "").to_numpy()
    item_names = np.where(in_series, "series:" + series.str.rsplit("/", n=1).str[-1],
                          grouped["res"].str.rsplit("/", n=1).str[-1]).astype(object)
    item, items = pd.factorize(item_names)
    key = pd.factorize(series.where(series != "", grouped["res"]))[0].astype(np.int64)
    row = np.repeat(np.arange(len(grouped)), lengths)
    date = _days(grouped["adopted"].str.slice(0, 10))[row]
    standing = (grouped["relation"].map(kinds).fillna("Act") == "Standing").to_numpy()[row]
    none = np.full(len(row), np.nan)
    actor = actor.astype(np.int64)
    weights = weigh_arrays(
        date, none, none, open_ended=np.zeros(len(row), dtype=bool), standing=standing,
        in_office=np.ones(len(row), dtype=bool), clock=context.clock,
        group=lambda live: actor[live] * (int(key.max()) + 1) + key[row[live]]).weight
    keep = weights > 0
    position = grouped["relation"].map(table).astype(float).to_numpy()
    return {"actors": np.asarray(actors, dtype=object), "items": np.asarray(items, dtype=object),
            "actor": actor[keep], "item": item.astype(np.int64)[row[keep]],
            "position": position[row[keep]], "weight": weights[keep]}


#: Relations whose act on a resolution happens on its date (a vote, a sponsorship): read as
#: grouped direct edges dated by the resolution. Others (violating a 2006 resolution in
#: 2021) are few and are read as claims with their own dates.
_ON_THE_DATE = ("supports", "opposes", "declined", "coSponsored")


def _issue_positions(store, wanted: str | None, context, *, resolutions: bool = False):
    import pandas as pd

    if resolutions:
        return _acts_on_resolutions(store, wanted, context)

    # A claim is on an issue when it names one (sg:issue), targets one, or targets a policy
    # about one (graph.claims._issues_of); those on resolutions are counted above.
    validity = _VALIDITY
    # OPTIONAL, not UNION, for the far end of symmetric claims: pyoxigraph evaluates a UNION
    # before the VALUES it joins with, i.e. over every claim in the store.
    rows = claims_then(store, """
        SELECT DISTINCT ?claim WHERE {
            { ?claim sg:issue ?x } UNION { ?t a sg:Issue . ?claim sg:target ?t }
            UNION { ?t sg:about ?x . MINUS { ?t a sg:Resolution } ?claim sg:target ?t } }""",
        f"""
        SELECT ?claim ?issue ?position ?actorCode ?targetCode ?symmetric ?relation ?t ?a
               ?date ?validFrom ?validUntil WHERE {{
            VALUES ?claim {{ CLAIMS }}
            ?claim sg:onIssue ?issue ; sg:position ?position ; sg:relation ?relation ;
                   sg:actor ?a ; sg:target ?t .
            FILTER NOT EXISTS {{ ?t a sg:Resolution }}
            {_issue_filter('?issue', wanted)}
            OPTIONAL {{ ?a sg:isoCode ?actorCode }}
            OPTIONAL {{ ?t sg:isoCode ?targetCode }}
            BIND (EXISTS {{ ?relation a owl:SymmetricProperty }} AS ?symmetric)
            {validity}
        }}""", keep=True)
    records = []
    for row in rows:
        item, position = _code(row["issue"]), float(row["position"])
        ends = [(row.get("actorCode"), row["t"])]
        if str(row.get("symmetric")).lower() in ("true", "1"):  # text: "true", "True"
            ends.append((row.get("targetCode"), row["a"]))  # its target is the actor
        records.extend({"claim": row["claim"], "actor": str(code), "item": item,
                        "position": position, "target": target,
                        "relation": str(row["relation"]).rsplit("#", 1)[-1],
                        "date": _iso(row.get("date")) or "",
                        "valid_from": _iso(row.get("validFrom")) or "",
                        "valid_until": _iso(row.get("validUntil")) or ""}
                       for code, target in ends if code)
    columns = ["claim", "actor", "item", "position", "target", "relation", "date",
               "valid_from", "valid_until"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    if frame.empty:
        return pd.DataFrame(columns=["actor", "item", "position", "weight"])
    weighted = weigh(frame, context)
    weighted = weighted[weighted["weight"] > 0]
    return weighted[["actor", "item", "position", "weight"]]
