"""Agreement of pairs of states per period (session or year): share, S score, Cohen's kappa."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["period_agreement", "dense_matrix", "MEASURES"]

#: The measures of each row, in order (graph.algorithms.similarity.agreement_matrix).
MEASURES = ("share", "s_score", "kappa")
_COLUMNS = ["a", "b", "period", "roll_calls", "common", "absent_a", "absent_b", *MEASURES]


def period_agreement(votes, actors, *, others=None, by="session", min_common=1):
    """Agreement of pairs of states in each period, with the absences counted.

    Parameters
    ----------
    votes : pandas.DataFrame
        One row per vote: ``item`` (roll call), ``actor``, ``position`` (1 yes, 0 abstain,
        -1 no) and the period column `by` (e.g. :class:`graph.analysis.votes.VoteTable`'s
        ``votes``).
    actors : sequence of str
        States; without `others`, every pair of them.
    others : sequence of str, optional
        Pair each of `actors` with each of these instead (a state with itself is skipped).
    by : str, default "session"
        The period column.
    min_common : int, default 1
        Periods in which a pair has fewer common roll calls get NaN measures.

    Returns
    -------
    pandas.DataFrame
        One row per pair and period in which at least one of the two voted, sorted by ``a``,
        ``b``, ``period``: ``roll_calls`` (roll calls held in the period, whoever voted),
        ``common`` (both voted), ``absent_a`` / ``absent_b`` (roll calls of the period on
        which that state cast no vote: absent, not yet or no longer a member), and the
        measures ``share``, ``s_score`` and ``kappa`` over the common roll calls.

    Raises
    ------
    ValueError
        If a column is missing, `actors` is empty, or a position lies outside [-1, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> votes = pd.DataFrame({
    ...     "item": ["r1", "r1", "r2", "r2", "r3", "r3", "r4"],
    ...     "actor": ["USA", "KOR", "USA", "KOR", "USA", "KOR", "USA"],
    ...     "position": [1.0, 1.0, -1.0, 0.0, 1.0, 1.0, -1.0],
    ...     "session": [1, 1, 1, 1, 2, 2, 2]})
    >>> period_agreement(votes, ["USA", "KOR"])[["a", "b", "period", "common", "absent_a",
    ...                                           "share", "s_score"]]
         a    b  period  common  absent_a  share  s_score
    0  KOR  USA       1       2         0    0.5      0.5
    1  KOR  USA       2       1         1    1.0      1.0

    Notes
    -----
    The measures are those of :func:`graph.algorithms.similarity.agreement_matrix` on the
    period's roll calls: the share of identical votes; Signorino and Ritter's S with the
    absolute distance on the yes / abstain / no scale (an abstention against a yes is half a
    disagreement); Cohen's kappa, which discounts the agreement two states would reach by
    chance given how often each votes yes, abstains or votes no (NaN when both always cast
    one and the same vote). A roll call on which either state cast no vote is left out of
    the pair's measures and counted in ``absent_a`` / ``absent_b``, since the data record
    no reason for an absence (Voeten's files code absent and non-member alike).

    References
    ----------
    .. [1] Signorino, C. S. and Ritter, J. M. (1999). "Tau-b or not tau-b: measuring the
       similarity of foreign policy positions." International Studies Quarterly 43(1):115-144.
    .. [2] Cohen, J. (1960). "A coefficient of agreement for nominal scales." Educational and
       Psychological Measurement 20(1):37-46.
    .. [3] Häge, F. M. (2011). "Choosing the right tool for the job: the implications of
       alternative approaches to measuring similarity of foreign policy positions."
       Political Analysis 19(3):287-305.
    """
    missing = [c for c in ("item", "actor", "position", by) if c not in votes.columns]
    if missing:
        raise ValueError(f"votes is missing columns: {', '.join(missing)}")
    actors = sorted(set(actors))
    if not actors:
        raise ValueError("actors must name at least one state")
    if others is None:
        pairs = [(a, b) for i, a in enumerate(actors) for b in actors[i + 1:]]
    else:
        pairs = sorted({tuple(sorted((a, b))) for a in actors for b in set(others) if a != b})
    involved = sorted({x for pair in pairs for x in pair})
    dated = votes[votes[by].notna()]
    held = dated.groupby(by, sort=True)["item"].nunique()
    mine = dated[dated["actor"].isin(involved)]
    index = {a: i for i, a in enumerate(involved)}
    first = np.array([index[a] for a, _ in pairs], dtype=np.int64)
    second = np.array([index[b] for _, b in pairs], dtype=np.int64)
    names = np.array(pairs, dtype=object).reshape(-1, 2)
    frames = []
    for period, group in mine.groupby(by, sort=True):
        values = dense_matrix(group, involved).to_numpy()
        voted = (~np.isnan(values)).sum(axis=1)
        total = int(held[period])
        measures = _pair_measures(values[first], values[second], min_common)
        keep = (voted[first] > 0) | (voted[second] > 0)
        frames.append(pd.DataFrame({
            "a": names[keep, 0], "b": names[keep, 1], "period": _plain(period),
            "roll_calls": total, "common": measures.pop("common")[keep],
            "absent_a": total - voted[first][keep], "absent_b": total - voted[second][keep],
            **{m: measures[m][keep] for m in MEASURES}}))
    frames = [f for f in frames if len(f)]
    rows = pd.concat(frames, ignore_index=True) if frames else []
    frame = rows if len(rows) else pd.DataFrame(columns=_COLUMNS)
    frame = frame.astype({"a": object, "b": object})
    return frame.sort_values(["a", "b", "period"], kind="stable").reset_index(drop=True)


def _pair_measures(x, y, min_common):
    """Share, S and kappa of each row pair of ``x`` and ``y`` (pairs x roll calls, NaN = no
    vote), with the definitions of graph.algorithms.similarity.agreement_matrix: computed for
    the pairs asked only, where the matrix products there compute every pair."""
    both = ~np.isnan(x) & ~np.isnan(y)
    common = both.sum(axis=1)
    x0, y0 = np.where(both, x, 0.0), np.where(both, y, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (both & (np.rint(x0) == np.rint(y0))).sum(axis=1) / common
        s_score = 1.0 - np.abs(x0 - y0).sum(axis=1) / common
        chance = sum(((both & (np.rint(x0) == c)).sum(axis=1) / common)
                     * ((both & (np.rint(y0) == c)).sum(axis=1) / common)
                     for c in (-1.0, 0.0, 1.0))
        kappa = np.where(chance < 1, (share - chance) / (1 - chance), np.nan)
    low = common < min_common
    share[low], s_score[low], kappa[low] = np.nan, np.nan, np.nan
    return {"common": common.astype(np.int64), "share": share, "s_score": s_score,
            "kappa": kappa}


def dense_matrix(votes, actors=None):
    """Actors x items positions of a long vote table, NaN where an actor cast no vote.

    The pivot of :func:`graph.algorithms.similarity.position_matrix` for votes, which hold one
    position per actor and item: placed by integer codes instead of a groupby (a pivot per
    session costs more than the agreement itself). Rows follow `actors` (default: the sorted
    voters), columns the sorted items; a repeated (actor, item) keeps its last position.

    Examples
    --------
    >>> import pandas as pd
    >>> votes = pd.DataFrame({"item": ["r2", "r1", "r1"], "actor": ["A", "A", "B"],
    ...                       "position": [0.0, 1.0, -1.0]})
    >>> dense_matrix(votes, ["B", "A", "C"])  # doctest: +NORMALIZE_WHITESPACE
    item   r1   r2
    actor
    B    -1.0  NaN
    A     1.0  0.0
    C     NaN  NaN
    """
    if actors is None:
        actors = sorted(votes["actor"].unique())
    row_of = pd.Index(actors)
    rows = row_of.get_indexer(votes["actor"])
    columns, items = pd.factorize(votes["item"], sort=True)
    keep = rows >= 0
    values = np.full((len(row_of), len(items)), np.nan)
    values[rows[keep], columns[keep]] = votes["position"].to_numpy(dtype=float)[keep]
    return pd.DataFrame(values, index=pd.Index(list(actors), name="actor"),
                        columns=pd.Index(np.asarray(items), name="item"))


def _plain(value):
    """A period as a plain Python int where it is one (numpy and pandas integers print oddly)."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    return value
