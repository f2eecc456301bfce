"""One table of settings: name, default, help. Validated where they enter (the CLI, the server)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


def _default_store() -> str:
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return f"oxigraph:{base / 'stancegraph' / 'store'}"


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("store", None, "store URI; env STANCEGRAPH_STORE; default an on-disk store in "
                "$XDG_DATA_HOME/stancegraph/store"),
        Setting("query_timeout", 10.0,
                "seconds a query may run on the server before it is cut off"),
        Setting("max_results", 100_000, "rows or triples a query may return on the server"),
        Setting("max_query_bytes", 100_000, "size limit of a query sent to the server"),
        Setting("node_budget", 500, "nodes an HTML page shows before it aggregates"),
        Setting("louvain_seed", 0, "seed for community detection"),
    ]
}


def store_uri(explicit: str | None = None) -> str:
    """The store to use: the explicit URI, else $STANCEGRAPH_STORE, else the per-user default."""
    return explicit or os.environ.get("STANCEGRAPH_STORE") or _default_store()
