"""Pairwise agreement of actors' positions: the position matrix, agreement measures, the graph."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

__all__ = ["position_matrix", "coded_position_matrix", "common_counts", "agreement_matrix",
           "agreement_graph"]

_METHODS = ("share", "kappa", "s_score")
_CATEGORIES = (-1.0, 0.0, 1.0)
# Above this many distinct position values the per-level matrix products cost more than a
# row loop; votes have 3 levels, means of a few claims rarely more than a dozen.
_MAX_LEVELS = 16


def position_matrix(positions_long, item="issue", value="position", agg="mean"):
    """Pivot a long positions table into an actors × items matrix.

    Parameters
    ----------
    positions_long : pandas.DataFrame
        The positions table of docs/DESIGN.md: one row per (actor, issue, claim) with at
        least the columns ``actor``, `item` and `value`.
    item : str, default "issue"
        Column whose values become the matrix columns (an issue, a roll call, ...).
    value : str, default "position"
        Column holding positions in [-1, 1].
    agg : str or callable, default "mean"
        How the rows of one actor on one item are combined (any pandas groupby aggregation).

    Returns
    -------
    pandas.DataFrame
        Rows = actors (index named ``actor``), columns = items (named `item`), both sorted;
        NaN where an actor has no position on an item.

    Raises
    ------
    ValueError
        If a column is missing or a combined position lies outside [-1, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"actor": ["USA", "USA", "KOR"], "issue": ["hr"] * 3,
    ...                      "position": [1.0, 0.0, 0.0]})
    >>> position_matrix(long)  # doctest: +NORMALIZE_WHITESPACE
    issue   hr
    actor
    KOR    0.0
    USA    0.5

    Notes
    -----
    Rows propagated up the issue hierarchy (``via`` not empty) are kept, so the column of a
    broader issue combines the claims on all its narrower issues; select ``via == ""`` first
    to keep direct positions only.
    """
    missing = [c for c in ("actor", item, value) if c not in positions_long.columns]
    if missing:
        raise ValueError(f"positions_long is missing columns: {', '.join(missing)}")
    grouped = positions_long.groupby(["actor", item], sort=True)[value].agg(agg)
    matrix = grouped.unstack(item).sort_index().sort_index(axis=1).astype(float)
    matrix.index.name = "actor"
    matrix.columns.name = item
    _matrix_values(matrix, "positions")
    return matrix


def coded_position_matrix(actors, items, actor, item, value, *, item_name="item"):
    """:func:`position_matrix` (mean per actor and item) of rows given as integer codes.

    Parameters
    ----------
    actors, items : array of str
        The names, sorted; ``actor`` and ``item`` code each row into them.
    actor, item : array of int
        Per row, its actor and item.
    value : array of float
        Per row, its position in [-1, 1].
    item_name : str, default "item"
        Name of the columns' index (the item column of :func:`position_matrix`).

    Returns
    -------
    pandas.DataFrame
        What ``position_matrix(frame, item=item_name)`` returns for the frame of those rows
        as strings: the actors and items that have a row, sorted, the mean of each cell.

    Raises
    ------
    ValueError
        If a mean lies outside [-1, 1].

    Examples
    --------
    >>> import numpy as np
    >>> coded_position_matrix(np.array(["KOR", "USA"], dtype=object),
    ...     np.array(["hr", "nk"], dtype=object), np.array([1, 1, 0]), np.array([0, 0, 0]),
    ...     np.array([1.0, 0.0, 0.0]))  # doctest: +NORMALIZE_WHITESPACE
    item    hr
    actor
    KOR    0.0
    USA    0.5

    Notes
    -----
    The mean of each cell is pandas' grouped mean over the same rows in the same order
    (grouped on one integer per cell instead of two string columns), so the values are
    those of :func:`position_matrix` to the last bit; the 870,000 votes of the UN record
    take a few hundredths of a second where grouping on strings takes about a second.
    """
    actors = np.asarray(actors, dtype=object)
    items = np.asarray(items, dtype=object)
    actor = np.asarray(actor, dtype=np.int64)
    item = np.asarray(item, dtype=np.int64)
    used_actors, actor = np.unique(actor, return_inverse=True)
    used_items, item = np.unique(item, return_inverse=True)
    cell = actor.reshape(-1) * len(used_items) + item.reshape(-1)
    means = pd.Series(np.asarray(value, dtype=float)).groupby(cell, sort=True).mean()
    values = np.full(len(used_actors) * len(used_items), np.nan)
    values[means.index.to_numpy()] = means.to_numpy()
    # Not copied, so that the frame's values keep the row-major layout an unstacked table
    # has: agreement_matrix sums along rows, and a sum's rounding depends on the layout.
    matrix = pd.DataFrame(values.reshape(len(used_actors), len(used_items)),
                          index=pd.Index(actors[used_actors], name="actor"),
                          columns=pd.Index(items[used_items], name=item_name), copy=False)
    _matrix_values(matrix, "positions")
    return matrix


def common_counts(matrix):
    """Number of items on which both actors of each pair have a position.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Positions matrix, rows = actors, columns = items, values in [-1, 1] or NaN.

    Returns
    -------
    pandas.DataFrame
        Symmetric actors × actors integer matrix in the row order of `matrix`; the diagonal
        holds each actor's number of positions.

    Raises
    ------
    ValueError
        If the index is not unique or a value lies outside [-1, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"x": [1, -1], "y": [1, None]}, index=["USA", "KOR"])
    >>> common_counts(m)
         USA  KOR
    USA    2    1
    KOR    1    1
    """
    _, present = _matrix_values(matrix, "matrix")
    mask = present.astype(float)
    counts = np.rint(mask @ mask.T).astype(np.int64)
    return pd.DataFrame(counts, index=matrix.index.copy(), columns=matrix.index.copy())


def agreement_matrix(matrix, method="s_score", min_common=1):
    """Pairwise agreement of actors over the items both took a position on.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Positions matrix, rows = actors, columns = items, values in [-1, 1] (1 = yes or
        supports, 0 = abstains or declines, -1 = no or opposes) or NaN (no position).
    method : {"s_score", "share", "kappa"}, default "s_score"
        ``"s_score"``: Signorino and Ritter's S with absolute distance and unit weights,
        ``S = 1 - 2 * d / d_max`` where ``d`` is the mean of ``|x_i - x_j|`` over the common
        items and ``d_max = 2`` (the width of the [-1, 1] scale), i.e. ``S = 1 - d``, in [-1, 1].
        ``"share"``: share of common items with the same position, in [0, 1].
        ``"kappa"``: Cohen's kappa over the common items, in [-1, 1].
        ``"share"`` and ``"kappa"`` first round positions to the nearest of -1, 0, 1
        (ties at ±0.5 go to 0); ``"s_score"`` uses the values as they are.
    min_common : int, default 1
        Pairs with fewer common items get NaN.

    Returns
    -------
    pandas.DataFrame
        Symmetric actors × actors matrix in the row order of `matrix`. The diagonal is 1.0 for
        actors with at least `min_common` positions, NaN otherwise.

    Raises
    ------
    ValueError
        If `method` is unknown, `min_common` is not a positive integer, the index is not
        unique or a value lies outside [-1, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"r1": [1, 1, -1], "r2": [1, 0, -1], "r3": [-1, -1, 1]},
    ...                  index=["USA", "GBR", "PRK"])
    >>> agreement_matrix(m).round(3)
           USA    GBR    PRK
    USA  1.000  0.667 -1.000
    GBR  0.667  1.000 -0.667
    PRK -1.000 -0.667  1.000
    >>> float(agreement_matrix(m, method="share").loc["USA", "GBR"])
    0.6666666666666666

    Notes
    -----
    All three measures are computed with matrix products over indicator matrices, so 200
    actors × 6,200 roll calls take about a second. For S, ``|a - b|`` is written as a sum over
    the gaps between consecutive distinct values ``v_k < v_{k+1}`` of
    ``(v_{k+1} - v_k) * |[a >= v_{k+1}] - [b >= v_{k+1}]|``, and for 0/1 indicators
    ``|u - w| = u + w - 2uw`` is bilinear; with more than 16 distinct values a row loop is
    used instead. Kappa is ``(p_o - p_e) / (1 - p_e)`` with the marginals of each actor taken
    over the items common to the pair; it is NaN when ``p_e = 1`` (both actors always chose
    one and the same category), the known limit of kappa. Unlike Lijphart's index of
    agreement, ``"share"`` counts an abstention against a vote as a full disagreement; S
    counts it as half of one.

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
    if method not in _METHODS:
        raise ValueError(f"method must be one of 'share', 'kappa', 's_score', got {method!r}")
    _check_min_common(min_common)
    values, present = _matrix_values(matrix, "matrix")
    mask = present.astype(float)
    x0 = np.where(present, values, 0.0)
    common = mask @ mask.T
    if method == "s_score":
        # S = 1 - d with d = D / N, written (N - D) / N.
        num, den = common - _abs_distance_sums(x0, present, mask), common
    else:
        cats = np.rint(x0)
        ind = [((cats == c) & present).astype(float) for c in _CATEGORIES]
        same = sum(e @ e.T for e in ind)
        if method == "share":
            num, den = same, common
        else:
            # margins[c][i, j]: common items of i and j on which i chose category c; the
            # abstentions are what the other two leave of the common items.
            against, support = ind[0] @ mask.T, ind[2] @ mask.T
            margins = (against, common - against - support, support)
            chance = sum(m * m.T for m in margins)
            # (p_o - p_e) / (1 - p_e) times N**2 / N**2 keeps every term an exact integer.
            num, den = same * common - chance, common**2 - chance
    with np.errstate(divide="ignore", invalid="ignore"):
        agreement = num / den
    agreement[(common < min_common) | (den == 0)] = np.nan
    np.fill_diagonal(agreement, np.where(np.diag(common) >= min_common, 1.0, np.nan))
    # Mirror the upper triangle so the result is symmetric to the last bit.
    agreement = np.triu(agreement) + np.triu(agreement, 1).T
    return pd.DataFrame(agreement, index=matrix.index.copy(), columns=matrix.index.copy())


def agreement_graph(agreement, threshold=None, min_common=1, common=None):
    """Undirected graph of actors joined by positive agreement.

    Parameters
    ----------
    agreement : pandas.DataFrame
        Symmetric actors × actors agreement in [-1, 1] (from :func:`agreement_matrix`).
    threshold : float in [0, 1], optional
        Keep only pairs whose agreement is at least `threshold`.
    min_common : int, default 1
        Keep only pairs with at least this many common items (needs `common` when > 1).
    common : pandas.DataFrame, optional
        Common item counts (from :func:`common_counts`), stored on the edges when given.

    Returns
    -------
    networkx.Graph
        One node per actor, nodes and edges added in sorted order. Edge attributes:
        ``weight`` = ``max(agreement, 0)``, ``agreement`` (the raw value) and, when `common`
        is given, ``common``. Pairs whose weight would be 0 (agreement <= 0) or that are NaN
        get no edge.

    Raises
    ------
    ValueError
        If `agreement` is not a symmetric square matrix of values in [-1, 1], `threshold`
        is outside [0, 1], `min_common` is not a positive integer, or `min_common` > 1
        without `common`.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame([[1, 0.5, -0.5], [0.5, 1, 0.2], [-0.5, 0.2, 1]],
    ...                  index=["USA", "KOR", "PRK"], columns=["USA", "KOR", "PRK"])
    >>> sorted(agreement_graph(a).edges(data="weight"))
    [('KOR', 'PRK', 0.2), ('KOR', 'USA', 0.5)]
    >>> sorted(agreement_graph(a, threshold=0.3).edges())
    [('KOR', 'USA')]

    Notes
    -----
    The weight is the positive part of the agreement rather than a linear rescaling such as
    ``(a + 1) / 2``: modularity-based methods read every weight as attraction, and a rescaling
    would make two actors that vote against each other (S = -1 < a < 0) attract. The
    positive part keeps S and kappa at 0 for chance-level or worse agreement; ``"share"`` is
    already in [0, 1] and passes through unchanged. Louvain with a fixed seed still depends on
    insertion order, hence the sorted construction.
    """
    actors, values = _agreement_values(agreement)
    if threshold is not None and not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be in [0, 1], got {threshold!r}")
    _check_min_common(min_common)
    if min_common > 1 and common is None:
        raise ValueError("common is required when min_common > 1")
    counts = None
    if common is not None:
        if set(common.index) != set(actors) or set(common.columns) != set(actors):
            raise ValueError("common must have the same actors as agreement")
        counts = common.loc[actors, actors].to_numpy()
    keep = np.nan_to_num(values, nan=0.0) > 0
    if threshold is not None:
        keep &= np.nan_to_num(values, nan=-np.inf) >= threshold
    if counts is not None:
        keep &= counts >= min_common
    keep = np.triu(keep, 1)
    graph = nx.Graph()
    graph.add_nodes_from(actors)
    # np.nonzero walks row-major, so with sorted actors the edges come out sorted too; one
    # add_edges_from call inserts them in that order at a fraction of add_edge's cost.
    rows, cols = np.nonzero(keep)
    found = values[rows, cols].tolist()
    names = np.asarray(actors, dtype=object)
    if counts is None:
        edges = [(u, v, {"weight": x, "agreement": x})
                 for u, v, x in zip(names[rows], names[cols], found, strict=True)]
    else:
        edges = [(u, v, {"weight": x, "agreement": x, "common": n})
                 for u, v, x, n in zip(names[rows], names[cols], found,
                                       counts[rows, cols].astype(np.int64).tolist(),
                                       strict=True)]
    graph.add_edges_from(edges)
    return graph


def _matrix_values(matrix, name):
    """Float values and presence mask of a positions matrix, after checking them."""
    if not matrix.index.is_unique:
        raise ValueError(f"{name} index must be unique")
    values = matrix.to_numpy(dtype=float, na_value=np.nan)
    present = ~np.isnan(values)
    if (np.abs(values[present]) > 1).any():
        raise ValueError(f"{name} values must be NaN or in [-1, 1]")
    return values, present


def _check_min_common(min_common):
    if isinstance(min_common, bool) or not isinstance(min_common, (int, np.integer)) \
            or min_common < 1:
        raise ValueError(f"min_common must be a positive integer, got {min_common!r}")


def _abs_distance_sums(x0, present, mask):
    """``D[i, j]`` = sum of ``|x_i - x_j|`` over the items both i and j have."""
    levels = np.unique(x0[present])
    n = len(x0)
    if len(levels) <= _MAX_LEVELS:
        dist = np.zeros((n, n))
        for low, high in zip(levels[:-1], levels[1:], strict=True):
            above = ((x0 >= high) & present).astype(float)
            cross = above @ mask.T
            dist += (high - low) * (cross + cross.T - 2.0 * (above @ above.T))
        return dist
    dist = np.zeros((n, n))
    for i in range(n - 1):
        both = mask[i + 1:] * mask[i]
        dist[i, i + 1:] = (np.abs(x0[i + 1:] - x0[i]) * both).sum(axis=1)
    return dist + dist.T


def _agreement_values(agreement):
    """Sorted actors and the agreement values in that order, after checking them."""
    index, columns = agreement.index, agreement.columns
    if not index.is_unique or len(index) != len(columns) or set(index) != set(columns):
        raise ValueError("agreement must be square with the same actors as rows and columns")
    actors = sorted(index)
    values = agreement.loc[actors, actors].to_numpy(dtype=float, na_value=np.nan)
    if (np.abs(values[~np.isnan(values)]) > 1).any():
        raise ValueError("agreement values must be NaN or in [-1, 1]")
    if not np.allclose(values, values.T, equal_nan=True):
        raise ValueError("agreement must be symmetric")
    return actors, values
