"""The explorer's vote layer: each state's strongest agreements per session, with a session
slider, a threshold on the page, and states coloured by camp or by ideal point.

Votes make no tie between states, so the claims and states views show nothing of the blocs of
the UN record; this page draws agreement instead. It is one self-contained HTML file drawn with
SVG by a small script (``assets/votes.js``), with no other host referenced; text from the data
reaches it only as JSON that cannot close a ``<script>`` and is put on the page as text nodes.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from graph.errors import StanceGraphError

__all__ = ["VoteLayer", "vote_layer", "vote_page", "render_votes"]

#: Agreement (S score) below this never makes an edge, whatever the threshold on the page.
FLOOR = 0.0


@dataclass(frozen=True)
class VoteLayer:
    """What the page carries and what it shows first."""

    data: dict
    periods: int
    states: int
    edges: int
    shown_edges: int


#: What would make the page load from another host (render.py checks its pages the same way).
_EXTERNAL = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _script_json(value) -> str:
    """JSON that cannot end a ``<script>`` element (no raw ``<``, ``>``, ``&``, U+2028/9)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _layout(table, states):
    """Fixed positions: the first two axes of the classical scaling of the whole record's
    agreement (Gower 1966), so that a state moves only in colour and ties across sessions."""
    from graph.algorithms.agreement import dense_matrix
    from graph.algorithms.camps import _centre
    from graph.algorithms.similarity import agreement_matrix

    matrix = dense_matrix(table.votes, states)
    agreement = agreement_matrix(matrix).to_numpy()
    filled = np.where(np.isnan(agreement), np.nanmean(agreement), agreement)
    centred = _centre(filled)
    values, vectors = np.linalg.eigh((centred + centred.T) / 2)
    order = np.argsort(values)[::-1][:2]
    coords = vectors[:, order] * np.sqrt(np.clip(values[order], 1e-12, None))
    if "USA" in states and coords[states.index("USA"), 0] < 0:
        coords[:, 0] = -coords[:, 0]
    span = np.abs(coords).max(axis=0)
    span[span == 0] = 1.0
    coords = coords / span
    return [[round(float(x), 4), round(float(y), 4)] for x, y in coords]


def vote_layer(table, *, by="session", top=5, threshold=0.8, fit=None):
    """The data of the vote layer: per period, each state's ``top`` strongest agreements.

    Parameters
    ----------
    table : graph.analysis.votes.VoteTable
    by : {"session", "year"}
    top : int, default 5
        Edges kept per state and period (its strongest agreements, S score above 0).
    threshold : float, default 0.8
        The threshold the page opens with; the page can move it.
    fit : graph.algorithms.idealpoints.IdealPointFit, optional
        Ideal points (with the period column ``by``) to colour states by.

    Returns
    -------
    VoteLayer

    Notes
    -----
    Agreement is the S score (Signorino and Ritter 1999) of the period's roll calls; camps
    are :func:`graph.algorithms.camps.two_camps` of that agreement, the United States on the
    positive side, with swing states marked.
    """
    from graph.algorithms.agreement import dense_matrix
    from graph.algorithms.camps import two_camps
    from graph.algorithms.similarity import agreement_matrix
    from graph.analysis.votes import period_of

    column = period_of(by)
    votes = table.votes[table.votes[column].notna()]
    if votes.empty:
        raise StanceGraphError("no roll-call votes to draw")
    states = sorted(votes["actor"].unique())
    index = {s: i for i, s in enumerate(states)}
    ideal = {}
    if fit is not None:
        for row in fit.points.itertuples(index=False):
            ideal[(row.actor, int(getattr(row, column)))] = round(float(row.ideal), 3)
    periods, total_edges, shown = [], 0, 0
    for period, group in votes.groupby(column, sort=True):
        agreement = agreement_matrix(dense_matrix(group))
        values = agreement.to_numpy()
        present = list(agreement.index)
        rows = [index[s] for s in present]
        camps = two_camps(agreement, anchor="USA" if "USA" in present else None)
        edges = set()
        for i in range(len(present)):
            line = values[i].copy()
            line[i] = -np.inf
            line = np.where(np.isnan(line), -np.inf, line)
            for j in np.argsort(-line, kind="stable")[:top]:
                if line[j] > FLOOR:
                    a, b = sorted((rows[i], rows[j]))
                    edges.add((a, b, int(round(float(values[i, j]) * 1000))))
        edges = sorted(edges)
        total_edges += len(edges)
        if period == votes[column].max():
            shown = sum(1 for e in edges if e[2] >= threshold * 1000)
        periods.append({
            "period": int(period),
            "roll_calls": int(group["item"].nunique()),
            "states": rows,
            "camp": [camps.membership[s] if camps else 0 for s in present],
            "swing": [index[s] for s in (camps.swing if camps else [])],
            "usa_camp": camps.membership.get("USA", -1) if camps else -1,
            "ideal": [ideal.get((s, int(period))) for s in present],
            "edges": [list(e) for e in edges],
        })
    data = {
        "by": column,
        "threshold": threshold,
        "top": top,
        "states": [{"code": s} for s in states],
        "labels": {},
        "xy": _layout(table, states),
        "periods": periods,
        "hasIdeal": fit is not None,
    }
    return VoteLayer(data, len(periods), len(states), total_edges, shown)


def vote_page(layer: VoteLayer, *, title=None, color="camps", labels=None) -> str:
    """The self-contained HTML page of a :class:`VoteLayer`."""
    if color not in ("camps", "ideal"):
        raise StanceGraphError(f"the votes view colours by camps or ideal, not {color!r}")
    if color == "ideal" and not layer.data["hasIdeal"]:
        raise StanceGraphError("colouring by ideal point needs the ideal points")
    data = dict(layer.data, color=color, labels=dict(labels or {}))
    title = title or f"stancegraph: agreement in UN votes per {data['by']}"
    assets = resources.files("graph.explorer") / "assets"
    script = (assets / "votes.js").read_text(encoding="utf-8")
    style = (assets / "votes.css").read_text(encoding="utf-8")
    esc = html.escape
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>{style}</style>
</head>
<body>
<header>
<h1>{esc(title)}</h1>
<p class="sg-summary">{layer.states} states, {layer.periods} {esc(data['by'])}s of roll calls.
Each state is joined to its {layer.data['top']} strongest agreements (S score, Signorino and
Ritter 1999) in the chosen {esc(data['by'])}, above the threshold; states are coloured by camp
(the leading axis of the centred agreement; swing states ringed) or by ideal point.</p>
<form class="sg-controls" onsubmit="return false">
<label>{esc(data['by'].capitalize())} <input id="sg-period" type="range" min="0"
 max="{max(layer.periods - 1, 0)}" step="1" value="{max(layer.periods - 1, 0)}"></label>
<output id="sg-period-value"></output>
<label>Threshold <input id="sg-threshold" type="range" min="0" max="1" step="0.01"
 value="{layer.data['threshold']}"></label>
<output id="sg-threshold-value"></output>
<label>Colour <select id="sg-color"><option value="camps">camps</option>
<option value="ideal"{' ' if data['hasIdeal'] else ' disabled'}>ideal point</option>
</select></label>
</form>
<p id="sg-status" role="status"></p>
<div id="sg-legend"></div>
</header>
<svg id="sg-votes" viewBox="-1.15 -1.15 2.3 2.3" preserveAspectRatio="xMidYMid meet"
 role="img" aria-label="agreement between states"></svg>
<script id="sg-vote-data" type="application/json">{_script_json(data)}</script>
<script>{script}</script>
</body>
</html>
"""
    if _EXTERNAL.search(page):
        raise RuntimeError("the vote layer would load from another host")
    return page


def render_votes(store, path=None, *, issue=None, by="session", color="camps", threshold=0.8,
                 top=5, title=None):
    """Read the votes from the store and write (or return) the vote layer's page.

    Returns ``(page, layer)``; with ``path`` the page is also written there (UTF-8, the
    parent folder created). ``color="ideal"`` estimates the ideal points of the whole record
    first (:func:`graph.analysis.votes.idealpoints`, under a minute for the UN record).
    """
    from pathlib import Path

    from graph.analysis.project import labels as all_labels
    from graph.analysis.votes import idealpoints, read_votes

    if not (isinstance(threshold, (int, float)) and 0 <= threshold <= 1) or \
            (isinstance(threshold, float) and math.isnan(threshold)):
        raise StanceGraphError(f"threshold must be in [0, 1], got {threshold!r}")
    table = read_votes(store, issue=issue)
    fit = idealpoints(table, by=by) if color == "ideal" else None
    layer = vote_layer(table, by=by, top=top, threshold=threshold, fit=fit)
    names = {iri.rsplit("/", 1)[-1]: label for iri, label in all_labels(store).items()
             if "/id/state/" in iri}
    page = vote_page(layer, title=title, color=color,
                     labels={s["code"]: names.get(s["code"], s["code"])
                             for s in layer.data["states"]})
    if path is not None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    return page, layer


def _frame(layer: VoteLayer):
    """The layer's edges as a DataFrame (period, a, b, agreement): for checks and notebooks."""
    states = [s["code"] for s in layer.data["states"]]
    rows = [(p["period"], states[a], states[b], w / 1000) for p in layer.data["periods"]
            for a, b, w in p["edges"]]
    return pd.DataFrame(rows, columns=["period", "a", "b", "agreement"])
