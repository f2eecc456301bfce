"""Positions for clustering read the straightforward way: the reference the fast path of
graph.analysis.items is tested against (tests/test_clusters_speed.py).

:func:`position_items_per_vote` explodes every vote into a row of strings and weighs it with
graph.analysis.temporal.claim_weights; graph.analysis.items.position_codes gives the same
positions from integer codes, each resolution weighed once.
"""

from __future__ import annotations

from graph.analysis.items import (
    _ON_THE_DATE,
    _issue_positions,
    _resolve_issue_iri,
    grouped_resolutions,
)
from graph.analysis.project import time_context
from graph.vocab import relations

__all__ = ["position_items_per_vote", "resolution_positions_per_vote"]


def position_items_per_vote(store, *, issue: str | None = None, context=None):
    """graph.analysis.items.position_items the straightforward way: every vote exploded into
    a row of strings and weighed by graph.analysis.temporal.claim_weights (tests compare)."""
    import pandas as pd

    wanted = _resolve_issue_iri(store, issue) if issue else None
    if context is None:
        context = time_context(store)
    frames = [resolution_positions_per_vote(store, wanted, context),
              _issue_positions(store, wanted, context, resolutions=True),
              _issue_positions(store, wanted, context)]
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(
        len(f) for f in frames) else pd.DataFrame(columns=["actor", "item", "position", "weight"])
    return frame.sort_values(["actor", "item", "position"], kind="stable").reset_index(drop=True)


def resolution_positions_per_vote(store, wanted: str | None, context):
    """The straightforward graph.analysis.items._resolution_votes: the grouped votes exploded
    into one row of strings per vote and weighed with claim_weights (the reference tests
    compare with)."""
    import pandas as pd

    from graph.analysis.temporal import claim_weights

    table = {str(r.iri): r.polarity for r in relations().values()
             if not r.symmetric and r.name in _ON_THE_DATE}
    kinds = {str(r.iri): r.kind for r in relations().values()}
    grouped = grouped_resolutions(store, wanted)
    if grouped.empty:
        return pd.DataFrame(columns=["actor", "item", "position", "weight"])
    grouped = grouped.assign(
        actor=grouped["codes"].str.split(),
        item=grouped["res"].str.rsplit("/", n=1).str[-1],
        position=grouped["relation"].map(table).astype(float),
        key=grouped["series"].where(grouped["series"] != "", grouped["res"]),
        kind=grouped["relation"].map(kinds).fillna("Act"),
        date=grouped["adopted"].str.slice(0, 10),
    )
    exploded = grouped.explode("actor").dropna(subset=["actor"])
    # One vote or sponsorship per state and resolution: the resolution stands for the claim.
    weighted = claim_weights(exploded.assign(claim=exploded["item"]), context.clock)
    weighted = weighted[weighted["weight"] > 0]
    # What states are compared on is the target key: a series of resolutions is one item,
    # on which each state's newest act counts (docs/TIME.md), whichever year's text it was.
    in_series = weighted["series"] != ""
    weighted = weighted.assign(item=weighted["item"].where(
        ~in_series, "series:" + weighted["series"].str.rsplit("/", n=1).str[-1]))
    return weighted[["actor", "item", "position", "weight"]]
