"""Precision and recall of proposals against a hand coding, on (actor, relation, target).

A proposal is correct when the hand coding of the same source has a claim with the same actor,
relation and target (wherever its evidence is): both sides are compared as sets of distinct
triples, so proposing one triple twice counts once. ``scripts/proposal_quality.py`` runs it on
the seed article; the README reports the figures and ``tests/test_workbench_quality.py`` checks
them as a floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib.namespace import PROV, RDF

from graph.vocab import SG, SOURCE

__all__ = ["Quality", "gold_triples", "quality"]


@dataclass(frozen=True)
class Quality:
    """Counts and rates of one comparison."""

    proposed: int
    coded: int
    correct: int

    @property
    def precision(self) -> float:
        """Correct / proposed (0 when nothing is proposed)."""
        return self.correct / self.proposed if self.proposed else 0.0

    @property
    def recall(self) -> float:
        """Correct / hand-coded (0 when nothing is coded)."""
        return self.correct / self.coded if self.coded else 0.0

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def gold_triples(path: Path, source_id: str) -> set[tuple[str, str, str]]:
    """The (actor IRI, relation name, target IRI) of the stated claims of ``source_id``."""
    from graph.sources.turtle import read_turtle

    graph = read_turtle(path)
    found = set()
    for claim in graph.subjects(RDF.type, SG.Claim):
        if graph.value(claim, PROV.wasDerivedFrom) != SOURCE[source_id]:
            continue
        if graph.value(claim, SG.mode) == SG.Derived:
            continue
        relation = str(graph.value(claim, SG.relation)).removeprefix(str(SG))
        found.add((str(graph.value(claim, SG.actor)), relation, str(graph.value(claim, SG.target))))
    return found


def quality(proposals, gold: set[tuple[str, str, str]]) -> Quality:
    """Compare proposals (:class:`graph.workbench.propose.Proposal`) with hand-coded triples."""
    proposed = {p.key() for p in proposals}
    return Quality(len(proposed), len(gold), len(proposed & gold))
