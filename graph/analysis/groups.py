"""Camps and communities as a reader sees them: numbered, named, swing states explained, evidence.

The command line (``stancegraph clusters``) and the explorer (``render --color clusters``) both
describe the groups of :func:`graph.analysis.run.run_clusters` through this module, so that the
page and the CLI give each group the same number and name, and say the same thing about how
much evidence the grouping rests on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "GROUPINGS",
    "INDICATIVE_BELOW",
    "Group",
    "ClusterEvidence",
    "groups",
    "swing_reasons",
    "cluster_evidence",
]

#: The two groupings of a clusters result: the two-way split of the signed agreement graph
#: (default) and the Louvain communities of its positive part.
GROUPINGS = ("camps", "communities")

#: A grouping whose states have, at the median, fewer pieces of evidence than this (positions on
#: items plus ties to other states) is called indicative: with a handful of claims per state one
#: more claim can move a state to the other side.
INDICATIVE_BELOW = 10

_SINGULAR = {"camps": "camp", "communities": "community"}


@dataclass(frozen=True)
class Group:
    """One camp or community: its number (as printed by the CLI), members and swing states."""

    grouping: str
    number: int
    members: tuple[str, ...]
    swing: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """``"camp 0"``, ``"community 2"``: the name the page and the CLI both use."""
        return f"{_SINGULAR[self.grouping]} {self.number}"


def _check(grouping: str) -> None:
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}; choose one of {', '.join(GROUPINGS)}")


def groups(result, grouping: str = "camps") -> list[Group]:
    """The camps or communities of a clusters result, numbered from 0 in the result's order.

    Parameters
    ----------
    result : graph.analysis.run.AlignmentClusters
    grouping : {"camps", "communities"}

    Returns
    -------
    list of Group
        Members sorted; ``swing`` lists the members flagged as swing states (camps only:
        a swing state sits between the camps).

    Raises
    ------
    ValueError
        For an unknown grouping.
    """
    _check(grouping)
    if grouping == "communities":
        return [Group("communities", i, tuple(sorted(block)))
                for i, block in enumerate(result.communities)]
    swing = set(result.swing)
    if result.camps is None:  # no signed tie at all: every state in one camp
        blocks = [sorted(result.actors.index)]
    else:
        blocks = [sorted(block) for block in result.camps.blocks]
    return [Group("camps", i, tuple(block), tuple(a for a in block if a in swing))
            for i, block in enumerate(blocks) if block]


def swing_reasons(result) -> dict[str, str]:
    """Why each swing state is one, in a sentence: its silhouette and its mean affinity with
    each camp (the agreement of :func:`graph.analysis.run.run_clusters`, pairs with shared
    evidence only)."""
    camps = groups(result, "camps")
    agreement = result.report.agreement
    table = result.actors
    reasons = {}
    for code in result.swing:
        own = next((g for g in camps if code in g.members), None)
        parts = []
        for camp in camps:
            others = [m for m in camp.members if m != code and m in agreement.columns]
            values = [float(agreement.loc[code, m]) for m in others
                      if code in agreement.index and agreement.loc[code, m] == agreement.loc[
                          code, m]]
            if values:
                parts.append(f"{math.fsum(values) / len(values):+.2f} with {camp.name} "
                             f"({len(values)} of {len(camp.members) - (camp is own)} states "
                             f"with shared evidence)")
            else:
                parts.append(f"no shared evidence with {camp.name}")
        silhouette = float(table.loc[code, "silhouette"])
        where = own.name if own is not None else "its camp"
        reasons[code] = (f"between the camps: silhouette {silhouette:.2f} in {where} "
                         f"(1 = firmly placed, 0 = halfway); mean affinity "
                         + "; ".join(parts))
    return reasons


@dataclass(frozen=True)
class ClusterEvidence:
    """How much evidence a clusters result rests on.

    ``positions`` counts the (state, item) positions compared (an item is a resolution voted
    on or sponsored, or an issue), ``ties`` the claims between two states (weighted by their
    confidence, as the clustering weighs them), ``per_state`` the positions plus tie claims of
    each state.
    """

    states: int
    items: int
    positions: int
    ties: float
    per_state: dict

    @property
    def median(self) -> float:
        """The median evidence per state."""
        values = sorted(self.per_state.values())
        if not values:
            return 0.0
        middle = len(values) // 2
        return float(values[middle]) if len(values) % 2 else (values[middle - 1]
                                                              + values[middle]) / 2

    @property
    def indicative(self) -> bool:
        """Whether the grouping rests on little evidence (median below
        :data:`INDICATIVE_BELOW`)."""
        return self.median < INDICATIVE_BELOW

    @property
    def claims(self) -> int:
        """Positions plus tie claims, rounded: the "N claims" the note speaks of."""
        return self.positions + round(self.ties)

    @property
    def note(self) -> str:
        """The sentence shown beside the grouping (page legend and CLI)."""
        text = (f"based on about {self.claims} claims ({self.positions} positions on "
                f"{self.items} items, {self.ties:.3g} claims between states weighted by "
                f"confidence) for {self.states} states, a median of {self.median:.3g} per state")
        if not self.indicative:
            return text
        least = min(self.per_state.values(), default=0)
        thin = [code for code, value in self.per_state.items() if value == least]
        if thin and len(thin) < len(self.per_state):
            text += f" (fewest: {', '.join(thin)} with {least:.3g})"
        return text + "; treat as indicative"

    def row(self) -> dict:
        """The evidence as one table row for the CLI."""
        return {"states": self.states, "items": self.items, "positions": self.positions,
                "tie_claims": round(self.ties), "median_per_state": self.median,
                "indicative": self.indicative, "note": self.note}


def cluster_evidence(result) -> ClusterEvidence:
    """Count the evidence behind a clusters result (see :class:`ClusterEvidence`).

    Examples
    --------
    >>> from graph.build import build
    >>> from graph.store import open_store
    >>> from graph.analysis.run import run_clusters
    >>> store = open_store("memory:"); _ = build(store)
    >>> evidence = cluster_evidence(run_clusters(store, dendrogram=False))
    >>> evidence.states, evidence.indicative
    (9, True)
    """
    matrix = result.items
    per_state = {str(a): 0.0 for a in result.actors.index}
    positions = 0
    if matrix is not None and matrix.shape[1]:
        known = matrix.notna()
        for actor, count in known.sum(axis=1).items():
            per_state[str(actor)] = per_state.get(str(actor), 0.0) + int(count)
        positions = int(known.to_numpy().sum())
        items = int(known.any(axis=0).sum())
    else:
        items = 0
    ties = 0.0
    for (a, b), (_, weight) in (result.ties or {}).items():
        ties += weight
        for code in (a, b):
            per_state[str(code)] = per_state.get(str(code), 0.0) + weight
    per_state = {k: round(v, 6) for k, v in sorted(per_state.items())}
    return ClusterEvidence(states=len(per_state), items=items, positions=positions,
                           ties=round(ties, 6), per_state=per_state)
