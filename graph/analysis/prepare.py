"""What an import leaves ready for the analyses: the whole-store answers kept with the store.

The newest date, the series of resolutions, the claims and sources on each issue
(:mod:`graph.analysis.coverage`) and the votes grouped by resolution
(:mod:`graph.analysis.items`) depend on the store's contents only, not on a date or an
option: on disk they are kept with the store's generation (:mod:`graph.store.kept`), so that
computing them once after an import (``stancegraph import`` calls :func:`prepare`) spares
every later analysis. Stores that keep nothing (in memory, rdflib, servers) are left alone.
"""

from __future__ import annotations

__all__ = ["prepare"]


def prepare(store) -> None:
    """Compute and keep the whole-store answers the analyses start from (after an import)."""
    from graph.analysis.coverage import issue_coverage
    from graph.analysis.items import grouped_resolutions
    from graph.analysis.temporal import time_context

    if getattr(store, "keeps_answers", False):
        issue_coverage(store)
        time_context(store)  # the newest date and the series of resolutions
        grouped_resolutions(store, None)
