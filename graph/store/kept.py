"""Answers that depend on a store's contents only, kept with its generation.

Every analysis starts from a few aggregates over the whole store (the newest date, the claims
and sources on each issue) that no date or option changes. A pyoxigraph store on disk keeps
such answers next to the generation they were computed on (``select_csv(..., keep=True)``);
a published generation never changes, so they cannot go stale, and they go with it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

__all__ = ["kept_rows"]


def kept_rows(store, text: str) -> list[dict]:
    """The rows of a SELECT over the store's contents only (never over a date or what a user
    typed), as text ("" for unbound).

    Stores that keep answers with their generation compute it once per write (see the module
    docstring); other stores answer it each time, with the same text.
    """
    if hasattr(store, "select_csv"):
        answer = store.select_csv(text, keep=True).decode("utf-8")
        return list(csv.DictReader(io.StringIO(answer)))
    return [{k: "" if v is None else (v.isoformat() if isinstance(v, dt.date) else str(v))
             for k, v in row.items()} for row in store.select_rows(text)]
