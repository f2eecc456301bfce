"""Coordination gaps: salient issues on which allied actors take different positions."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["EvidenceRow", "Gap", "issue_salience", "coordination_gaps", "gaps_frame"]

_REQUIRED = ("actor", "issue", "position", "claim", "source")
_OPTIONAL = ("actor_label", "issue_label", "relation", "source_title", "evidence", "date", "via",
             "status", "superseded_by", "key")


class EvidenceRow(NamedTuple):
    """One claim behind a side's position on an issue (``via`` is "" for a direct claim).

    ``weight`` is the claim's weight at D (docs/TIME.md; 1 in a table without weights),
    ``status`` why it counts or not (``counts``, ``superseded``, ...), ``superseded_by`` the
    claim that replaced it.
    """

    claim: str
    relation: str
    position: float
    evidence: str
    source: str
    source_title: str
    date: str
    via: str
    weight: float = 1.0
    status: str = "counts"
    superseded_by: str = ""


@dataclass(frozen=True)
class Gap:
    """Two allies' positions on one issue, how far apart they are and why it matters.

    Attributes
    ----------
    actor_a, actor_b : str
        The allied pair, ``actor_a < actor_b``.
    label_a, label_b : str
        Their labels ("" when the table has none).
    basis : str
        Why they count as allies; the bases of a pair listed several times, sorted and
        joined with "; ".
    issue, issue_label : str
        The issue.
    position_a, position_b : float
        Each side's position on the issue, in [-1, 1]: the weighted mean over target keys of
        docs/TIME.md when the table has weights, else the mean of its claims' positions.
    distance : float
        ``|position_a - position_b| / 2``, in [0, 1].
    salience : float
        The issue's salience (:func:`issue_salience`), in (0, 1].
    score : float
        ``distance * salience``, in [0, 1].
    evidence_a, evidence_b : tuple of EvidenceRow
        The claims behind each side's position, sorted by claim; with weights, also those
        with weight 0 at D (superseded, ended...), marked so.
    """

    actor_a: str
    actor_b: str
    label_a: str
    label_b: str
    basis: str
    issue: str
    issue_label: str
    position_a: float
    position_b: float
    distance: float
    salience: float
    score: float
    evidence_a: tuple
    evidence_b: tuple

    @property
    def pair(self):
        """The allied pair as ``(actor_a, actor_b)``."""
        return (self.actor_a, self.actor_b)


def issue_salience(positions):
    """How much attention each issue gets in the data: claims, sources, actors and salience.

    Parameters
    ----------
    positions : pandas.DataFrame
        The positions table of docs/DESIGN.md; needs the columns ``actor``, ``issue``,
        ``position``, ``claim`` and ``source`` (``issue_label`` and ``via`` are used when
        present).

    Returns
    -------
    pandas.DataFrame
        One row per issue (sorted index ``issue``) with columns ``issue_label``, ``n_claims``
        (distinct claims), ``n_sources`` (distinct non-empty sources), ``n_actors`` (distinct
        actors) and ``salience``::

            raw(i)      = ln(1 + n_claims(i)) + ln(1 + n_sources(i))
            salience(i) = raw(i) / max over issues j of raw(j)

        so the most documented issue has salience 1 and every issue with a claim has
        salience > 0.

    Raises
    ------
    ValueError
        If a column is missing or a position is not a number in [-1, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> positions = pd.DataFrame({"actor": ["USA", "KOR", "USA"], "issue": ["hr", "hr", "trade"],
    ...                           "position": [1.0, 0.0, 1.0], "claim": ["c1", "c2", "c3"],
    ...                           "source": ["s1", "s2", "s1"]})
    >>> issue_salience(positions)[["n_claims", "n_sources", "n_actors", "salience"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
           n_claims  n_sources  n_actors  salience
    issue
    hr            2          2         2     1.000
    trade         1          1         1     0.631

    Notes
    -----
    Salience is measured by coverage, as in [1]_: an issue that many claims and many
    independent sources speak about matters more to the relationship than one remark. Both
    counts are log-scaled because attention has diminishing returns (the tenth article on an
    issue adds less than the second), and normalised by the maximum so the score reads as
    "relative to the most documented issue in this graph"; adding data on other issues can
    therefore change it. Rows propagated up the issue hierarchy count for the broader issue,
    so a broad issue is at least as salient as each of its narrower ones.

    References
    ----------
    .. [1] Epstein, L. and Segal, J. A. (2000). "Measuring issue salience." American Journal
       of Political Science 44(1):66-83.
    """
    return _salience(_prepare(positions))


def coordination_gaps(positions, allied_pairs, *, actor=None, issue=None, min_score=0.0,
                      coverage=None):
    """Issues on which allied actors take different positions, most salient splits first.

    Parameters
    ----------
    positions : pandas.DataFrame
        The positions table of docs/DESIGN.md, one row per (actor, issue, claim); needs the
        columns ``actor``, ``issue``, ``position``, ``claim`` and ``source``; ``actor_label``,
        ``issue_label``, ``relation``, ``source_title``, ``evidence``, ``date`` and ``via``
        are carried into the evidence when present ("" otherwise).
    allied_pairs : iterable of (actor_a, actor_b, basis)
        Allied pairs in either order; a pair listed more than once is reported once.
    actor : str, optional
        Keep only the pairs that contain this actor.
    issue : str, optional
        Keep only gaps on this issue, or on a broader issue whose evidence includes rows
        propagated from it (``via == issue``).
    min_score : float in [0, 1], default 0.0
        Keep only gaps with ``score >= min_score``; with 0 the issues the allies agree on are
        listed too, with score 0.
    coverage : pandas.DataFrame, optional
        ``n_claims`` and ``n_sources`` by issue (index) for the whole data, when `positions`
        holds only the allies' rows (so that salience does not depend on the rows passed in);
        by default they are counted in `positions`.

    Returns
    -------
    list of Gap
        One per allied pair and issue on which both have a position, sorted by score
        (highest first), then pair and issue. For a pair (a, b) and an issue i::

            position_a = mean of a's claims' positions on i          (in [-1, 1])
            distance   = |position_a - position_b| / 2              (in [0, 1])
            score      = distance * salience(i)                     (in [0, 1])

        with salience as in :func:`issue_salience`, computed on the whole table before any
        filter.

    Raises
    ------
    ValueError
        If a column is missing, a position is not a number in [-1, 1], an allied pair is not a
        triple or joins an actor to itself, or `min_score` is outside [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> positions = pd.DataFrame({"actor": ["USA", "KOR"], "issue": ["dprk-hr", "dprk-hr"],
    ...                           "position": [1.0, 0.0], "claim": ["claim:1", "claim:2"],
    ...                           "source": ["source:a", "source:a"]})
    >>> [gap] = coordination_gaps(positions, [("USA", "KOR", "alignedWith claim:9")])
    >>> gap.pair, gap.position_a, gap.position_b, gap.distance, gap.score
    (('KOR', 'USA'), 0.0, 1.0, 0.5, 0.5)
    >>> gap.evidence_b[0].claim
    'claim:1'

    Notes
    -----
    The score is symmetric in the pair and depends only on the data: which issues the allies
    both speak about, what they say, and how much the sources say about the issue. Each
    claim counts once per side and issue, whatever the number of rows repeating it.
    Positions are averaged with :func:`math.fsum`, so the result does not depend on the row
    order.
    """
    if not 0 <= min_score <= 1:
        raise ValueError(f"min_score must be in [0, 1], got {min_score!r}")
    frame = _prepare(positions)
    pairs = _normalise_pairs(allied_pairs)
    if actor is not None:
        pairs = {pair: basis for pair, basis in pairs.items() if actor in pair}
    # Salience is the issue's coverage in the whole data, whatever the date (as the counts of
    # graph.analysis.project.issue_coverage): rows of weight 0 count here too.
    salience = _salience(frame if coverage is None else coverage)["salience"]
    members = {a for pair in pairs for a in pair}
    rows = frame[frame["actor"].isin(members)]
    evidence = defaultdict(list)
    # Plain lists, not itertuples: iterating pandas' string arrays element by element costs
    # more than building the evidence (a state's side can rest on thousands of votes).
    columns = [rows[c].tolist() for c in ("actor", "issue", "claim", "relation", "position",
                                          "evidence", "source", "source_title", "date", "via",
                                          "weight", "status", "superseded_by")]
    for (a, i, claim, relation, position, quote, source, title, date, via, weight, status,
         superseded_by) in zip(*columns, strict=True):
        evidence[a, i].append(EvidenceRow(claim, relation, float(position), quote, source, title,
                                           date, via, float(weight), status, superseded_by))
    side = _side_positions(rows)
    issues_of = defaultdict(set)
    for a, i in side:
        issues_of[a].add(i)
    labels = _first_labels(rows, "actor", "actor_label")
    issue_labels = _first_labels(frame, "issue", "issue_label")
    gaps = []
    for (a, b), basis in pairs.items():
        for i in sorted(issues_of[a] & issues_of[b]):
            rows_a, rows_b = tuple(evidence[a, i]), tuple(evidence[b, i])
            if issue is not None and i != issue and not any(
                r.via == issue for r in rows_a + rows_b
            ):
                continue
            pa, pb = side[a, i], side[b, i]
            distance = abs(pa - pb) / 2.0
            sal = float(salience[i])
            score = distance * sal
            if score < min_score:
                continue
            gaps.append(Gap(a, b, labels.get(a, ""), labels.get(b, ""), basis, i,
                            issue_labels.get(i, ""), pa, pb, distance, sal, score,
                            rows_a, rows_b))
    gaps.sort(key=lambda g: (-g.score, g.actor_a, g.actor_b, g.issue))
    return gaps


def gaps_frame(gaps):
    """The gaps as a DataFrame, one row per gap, one column per :class:`Gap` field.

    Parameters
    ----------
    gaps : iterable of Gap

    Returns
    -------
    pandas.DataFrame
        Columns in the order of the :class:`Gap` fields; ``evidence_a`` and ``evidence_b``
        hold tuples of :class:`EvidenceRow`. An empty list gives an empty frame with the same
        columns.

    Examples
    --------
    >>> import pandas as pd
    >>> positions = pd.DataFrame({"actor": ["USA", "KOR"], "issue": ["dprk-hr", "dprk-hr"],
    ...                           "position": [1.0, -1.0], "claim": ["c1", "c2"],
    ...                           "source": ["s1", "s1"]})
    >>> frame = gaps_frame(coordination_gaps(positions, [("KOR", "USA", "treaty")]))
    >>> frame[["actor_a", "actor_b", "issue", "distance", "score"]]
      actor_a actor_b    issue  distance  score
    0     KOR     USA  dprk-hr       1.0    1.0
    """
    names = [f.name for f in fields(Gap)]
    return pd.DataFrame([[getattr(g, n) for n in names] for g in gaps], columns=names)


def _prepare(positions):
    """Checked copy of the positions table: text columns as str, one row per claim, sorted."""
    missing = [c for c in _REQUIRED if c not in positions.columns]
    if missing:
        raise ValueError(f"positions is missing columns: {', '.join(missing)}")
    frame = positions.copy()
    if "weight" not in frame.columns:
        frame["weight"] = 1.0
    frame["weight"] = frame["weight"].astype(float)
    if "status" not in frame.columns:
        frame["status"] = "counts"
    for column in _OPTIONAL:
        if column not in frame.columns:
            frame[column] = ""
    for column in (*_REQUIRED, *_OPTIONAL):
        if column != "position":
            frame[column] = frame[column].fillna("").astype(str)
    try:
        values = frame["position"].to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        values = None
    if values is None or not (np.isfinite(values) & (np.abs(values) <= 1)).all():
        raise ValueError("positions.position must be numbers in [-1, 1]")
    frame["position"] = values
    frame = frame.sort_values(["actor", "issue", "claim", "via"], kind="stable")
    # A claim reached through two paths of the issue hierarchy must not count twice; the
    # sort puts the direct row (via == "") first.
    frame = frame.drop_duplicates(["actor", "issue", "claim"], keep="first")
    return frame.reset_index(drop=True)


def _salience(frame):
    columns = ["issue_label", "n_claims", "n_sources", "n_actors", "salience"]
    if frame.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="issue"))
    if "claim" not in frame.columns:  # counts already made (coverage)
        table = frame.reindex(columns=["n_claims", "n_sources"]).astype(float)
        raw = np.log1p(table["n_claims"]) + np.log1p(table["n_sources"])
        return table.assign(salience=raw / raw.max())
    grouped = frame.groupby("issue", sort=True)
    sources = frame["source"].where(frame["source"] != "")
    table = pd.DataFrame(
        {
            "issue_label": pd.Series(_first_labels(frame, "issue", "issue_label")),
            "n_claims": grouped["claim"].nunique(),
            "n_sources": sources.groupby(frame["issue"], sort=True).nunique(),
            "n_actors": grouped["actor"].nunique(),
        }
    )
    table.index.name = "issue"
    table["issue_label"] = table["issue_label"].fillna("")
    raw = np.log1p(table["n_claims"]) + np.log1p(table["n_sources"])
    table["salience"] = raw / raw.max()
    return table[columns]


def _normalise_pairs(allied_pairs):
    """``{(a, b): basis}`` with ``a < b``, sorted; repeated pairs merge their bases."""
    bases = defaultdict(set)
    for item in allied_pairs:
        try:
            a, b, basis = item
        except (TypeError, ValueError):
            raise ValueError(
                f"allied pairs must be (actor_a, actor_b, basis) triples, got {item!r}"
            ) from None
        if a == b:
            raise ValueError(f"allied pair joins {a!r} to itself")
        bases[tuple(sorted((str(a), str(b))))].add("" if basis is None else str(basis))
    return {pair: "; ".join(sorted(b for b in bases[pair] if b)) for pair in sorted(bases)}


def _first_labels(frame, key, label):
    """First non-empty label of each key, in the frame's (sorted) row order."""
    texts = frame[label]
    named = frame.loc[texts.notna() & (texts.astype(bool)), [key, label]]
    first = named.drop_duplicates(key, keep="first")
    return dict(zip(first[key], first[label], strict=True))


def _side_positions(rows) -> dict:
    """(actor, issue) -> position: docs/TIME.md's weighted mean over target keys when the rows
    carry a target key, else the plain mean of the claims (fsum: independent of row order)."""
    live = rows[rows["weight"] > 0]
    if live.empty:
        return {}
    if (live["key"] != "").all():
        from graph.algorithms.decay import aggregate_positions

        table = aggregate_positions(live)
        return {(a, i): float(p) for a, i, p in
                zip(table["actor"], table["issue"], table["position"], strict=True)}
    return {(a, i): math.fsum(group["position"]) / len(group)
            for (a, i), group in live.groupby(["actor", "issue"], sort=True)}
