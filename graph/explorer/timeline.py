"""The explorer's time slider: what the page carries so that its script can apply docs/TIME.md.

Python decides which edges hold at the page's first date D with the analyses themselves
(:func:`graph.analysis.project.weigh`, ``state_graph``, ``allied_pairs``, ``run_gaps``); the
page carries, for each claim behind an edge, what those rules need (date or interval, relation
kind, open-ended flag, target key, actor, the representative's office terms for a rolled-up
claim), and its script (assets/explorer.js, ``sgTime``) recomputes weights, ties, positions,
alliances and gaps at the slider's date. A test compares the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.explorer.viewdata import ClaimRecord
from graph.vocab import relations

__all__ = ["MAX_TIMED_CLAIMS", "TimeTable", "claim_frame", "weights_at", "time_payload"]

#: Above this many claims a page carries no time data (a few hundred bytes each): the slider
#: is left out and the page shows D only. The whole UN record is for the command line.
MAX_TIMED_CLAIMS = 50_000

_FRAME_COLUMNS = ["claim", "actor", "target", "relation", "date", "valid_from", "valid_until"]


def claim_frame(claims):
    """Claim records as the frame :func:`graph.analysis.project.weigh` takes (one row each)."""
    import pandas as pd

    return pd.DataFrame.from_records(
        [{"claim": c.iri, "actor": c.actor, "target": c.target, "relation": c.relation,
          "date": c.date, "valid_from": c.valid_from, "valid_until": c.end} for c in claims],
        columns=_FRAME_COLUMNS)


def weights_at(claims, context) -> dict[str, float]:
    """Claim IRI -> weight at the context's date, the claims weighed together (supersession
    compares the acts of one actor on one target key among ``claims``)."""
    from graph.analysis.project import weigh

    claims = list(claims)
    if not claims:
        return {}
    weighted = weigh(claim_frame(claims), context)
    return {c: float(w) for c, w in zip(weighted["claim"], weighted["weight"], strict=True)}


@dataclass
class TimeTable:
    """The claims a page carries for its slider, numbered in the order they are added."""

    context: object
    index: dict = field(default_factory=dict)
    records: list = field(default_factory=list)

    def add(self, claim: ClaimRecord, text: bool = False) -> int:
        """The number of ``claim`` in the table (added on first use). With ``text``, the
        record also carries what a recomputed gap tooltip shows (relation, date, source,
        evidence)."""
        number = self.index.get(claim.iri)
        if number is None:
            number = self.index[claim.iri] = len(self.records)
            self.records.append(self._record(claim))
        if text and "e" not in self.records[number]:
            self.records[number].update(
                e=claim.evidence, r=claim.relation, s=claim.source_title or claim.source,
                src=claim.source, dt=claim.start)
        return number

    def _record(self, claim: ClaimRecord) -> dict:
        context = self.context
        relation = relations().get(claim.relation)
        record = {
            "c": claim.iri,
            "k": relation.kind if relation is not None else "Act",
            "d": claim.date, "f": claim.valid_from, "u": claim.end,
            "o": claim.iri in context.open_ended,
            "y": context.series.get(claim.target, claim.target),
            "x": claim.actor,
        }
        terms = _terms(context).get(claim.iri)
        if terms:
            record["m"] = terms
        return record

    def __len__(self) -> int:
        return len(self.records)


def _terms(context) -> dict:
    """Claim IRI -> its office terms as ``[side, start, end, open_ended]`` lists (cached)."""
    cached = getattr(context, "_sg_terms", None)
    if cached is not None:
        return cached
    terms: dict[str, list] = {}
    frame = context.terms
    if frame is not None and len(frame):
        for row in frame.itertuples(index=False):
            terms.setdefault(row.claim, []).append(
                [str(row.side), str(row.start or ""), str(row.end or ""),
                 bool(row.open_ended)])
    object.__setattr__(context, "_sg_terms", terms)
    return terms


def time_payload(table: TimeTable, explicit: bool) -> dict:
    """The page's ``time`` configuration: D, the slider's range, the decay parameters and the
    claims (see :class:`TimeTable`)."""
    clock = table.context.clock
    # The claims' own dates (office terms reach far back: Lavrov took office in 2004).
    dates = [v for r in table.records for v in (r["d"], r["f"], r["u"]) if v]
    first = min([*dates, clock.as_of])
    # To the end of the last year: "at the end of 2023" is a date people ask about.
    last = max([*dates, clock.as_of])[:4] + "-12-31"
    return {"asOf": clock.as_of, "explicit": explicit, "min": first, "max": last,
            "halfLife": clock.half_life, "horizon": clock.horizon, "claims": table.records}
