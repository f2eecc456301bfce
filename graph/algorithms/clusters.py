"""Agreement between actors' positions, the agreement graph and the blocs it falls into."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

__all__ = [
    "position_matrix",
    "common_counts",
    "agreement_matrix",
    "agreement_graph",
    "louvain_clusters",
    "HierarchicalResult",
    "hierarchical_clusters",
    "membership_strength",
    "ClusterReport",
    "cluster_report",
]

_METHODS = ("share", "kappa", "s_score")
# ward, centroid and median assume Euclidean distances, which 1 - agreement is not.
_LINKAGES = ("single", "complete", "average", "weighted")
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
    # np.nonzero walks row-major, so with sorted actors the edges come out sorted too.
    for i, j in zip(*np.nonzero(keep), strict=True):
        attrs = {"weight": float(values[i, j]), "agreement": float(values[i, j])}
        if counts is not None:
            attrs["common"] = int(counts[i, j])
        graph.add_edge(actors[i], actors[j], **attrs)
    return graph


@nx.utils.not_implemented_for("directed")
@nx.utils.not_implemented_for("multigraph")
def louvain_clusters(G, resolution=1.0, seed=0, weight="weight"):
    """Blocs of actors found by Louvain modularity optimisation, in a deterministic order.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph with non-negative edge weights (from :func:`agreement_graph`).
    resolution : float, default 1.0
        Modularity resolution; above 1 favours smaller blocs, below 1 larger ones.
    seed : int, random_state or None, default 0
        Seed of networkx's Louvain implementation.
    weight : str or None, default "weight"
        Edge attribute holding the weight; None treats every edge as weight 1.

    Returns
    -------
    list of frozenset
        The communities, sorted by size (largest first), then by smallest member.

    Raises
    ------
    ValueError
        If `resolution` is not positive or an edge weight is negative.
    NetworkXNotImplemented
        If `G` is directed or a multigraph.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"),
    ...               ("x", "z"), ("c", "x")])
    >>> [sorted(c) for c in louvain_clusters(G, seed=1)]
    [['a', 'b', 'c'], ['x', 'y', 'z']]

    Notes
    -----
    The graph is copied with nodes and edges in sorted order before the call, because
    networkx's Louvain varies with insertion order even under a fixed seed. networkx accepts
    negative weights silently and optimises a meaningless modularity with them, so they are
    refused here.

    References
    ----------
    .. [1] Blondel, V. D., Guillaume, J.-L., Lambiotte, R. and Lefebvre, E. (2008). "Fast
       unfolding of communities in large networks." Journal of Statistical Mechanics:
       Theory and Experiment 2008(10):P10008.
    """
    if not resolution > 0:
        raise ValueError(f"resolution must be positive, got {resolution!r}")
    ordered = _sorted_copy(G, weight)
    if weight is not None and any(w < 0 for _, _, w in ordered.edges(data=weight, default=1)):
        raise ValueError("louvain_clusters needs non-negative edge weights")
    if ordered.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(
        ordered, weight=weight, resolution=resolution, seed=seed
    )
    return _sort_communities(found)


@dataclass(frozen=True, eq=False)
class HierarchicalResult:
    """Agglomerative clustering of actors: the tree and, optionally, a flat cut of it.

    Attributes
    ----------
    linkage : numpy.ndarray
        scipy linkage matrix, ready for ``scipy.cluster.hierarchy.dendrogram(linkage,
        labels=list(labels))``.
    labels : tuple of str
        Actors in the order of the linkage's observations (sorted).
    distance : pandas.DataFrame
        The actors × actors distance that was clustered.
    clusters : pandas.Series or None
        Flat cluster id per actor (0 = largest cluster), None when no cut was asked for.
    method : str
        The linkage method.
    """

    linkage: np.ndarray
    labels: tuple
    distance: pd.DataFrame
    clusters: pd.Series | None
    method: str

    @property
    def communities(self):
        """Flat clusters as sorted frozensets, comparable with :func:`louvain_clusters`."""
        if self.clusters is None:
            return []
        groups = self.clusters.groupby(self.clusters, sort=True)
        return [frozenset(members.index) for _, members in groups]


def hierarchical_clusters(agreement, method="average", n_clusters=None, threshold=None):
    """Agglomerative clustering of actors on the distance ``(1 - agreement) / 2``.

    Parameters
    ----------
    agreement : pandas.DataFrame
        Symmetric actors × actors agreement in [-1, 1] (from :func:`agreement_matrix`).
    method : {"average", "complete", "single", "weighted"}, default "average"
        scipy linkage method.
    n_clusters : int, optional
        Cut the tree into at most this many flat clusters.
    threshold : float in [0, 1], optional
        Cut the tree at this distance instead.

    Returns
    -------
    HierarchicalResult

    Raises
    ------
    ValueError
        If `method` is unknown, both `n_clusters` and `threshold` are given, either is out of
        range, there are fewer than two actors, or `agreement` is not a symmetric square
        matrix of values in [-1, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> actors = ["FRA", "GBR", "USA", "CHN", "RUS"]
    >>> a = pd.DataFrame(-0.4, index=actors, columns=actors)
    >>> a.loc[actors[:3], actors[:3]] = 0.9
    >>> a.loc[actors[3:], actors[3:]] = 0.8
    >>> result = hierarchical_clusters(a, n_clusters=2)
    >>> [sorted(c) for c in result.communities]
    [['FRA', 'GBR', 'USA'], ['CHN', 'RUS']]
    >>> result.linkage.shape
    (4, 4)

    Notes
    -----
    The agreement is first mapped linearly to [0, 1], ``(a + 1) / 2``, and the distance is
    one minus that. Unlike the graph weights of :func:`agreement_graph`, a linear map is safe
    here: the tree only depends on the order of distances, and keeping the negative range
    keeps strong opponents apart from mild ones. Pairs without an agreement (NaN, too few
    common items) get the largest distance, 1, so they join last. Ward, centroid and median
    linkage are refused because they assume Euclidean distances.

    References
    ----------
    .. [1] Müllner, D. (2011). "Modern hierarchical, agglomerative clustering algorithms."
       arXiv:1109.2378.
    """
    if method not in _LINKAGES:
        raise ValueError(
            f"method must be one of 'single', 'complete', 'average', 'weighted', got {method!r}"
        )
    if n_clusters is not None and threshold is not None:
        raise ValueError("n_clusters and threshold are mutually exclusive")
    actors, values = _agreement_values(agreement)
    n = len(actors)
    if n < 2:
        raise ValueError("hierarchical clustering needs at least two actors")
    if n_clusters is not None and not (isinstance(n_clusters, int) and 1 <= n_clusters <= n):
        raise ValueError(f"n_clusters must be an integer in [1, {n}], got {n_clusters!r}")
    if threshold is not None and not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be in [0, 1], got {threshold!r}")
    dist = np.nan_to_num((1.0 - values) / 2.0, nan=1.0)
    dist = (dist + dist.T) / 2.0
    np.fill_diagonal(dist, 0.0)
    # Imported here: SciPy's clustering costs ~0.3 s, more than clusters on the seed itself.
    from scipy.cluster import hierarchy
    from scipy.spatial.distance import squareform

    link = hierarchy.linkage(squareform(dist, checks=False), method=method)
    clusters = None
    if n_clusters is not None or threshold is not None:
        if n_clusters is not None:
            flat = hierarchy.fcluster(link, n_clusters, criterion="maxclust")
        else:
            flat = hierarchy.fcluster(link, threshold, criterion="distance")
        groups = [frozenset(a for a, f in zip(actors, flat, strict=True) if f == k)
                  for k in np.unique(flat)]
        ids = {a: k for k, group in enumerate(_sort_communities(groups)) for a in group}
        clusters = pd.Series([ids[a] for a in actors], index=pd.Index(actors, name="actor"),
                             name="cluster")
    frame = pd.DataFrame(dist, index=actors, columns=actors)
    return HierarchicalResult(link, tuple(actors), frame, clusters, method)


@nx.utils.not_implemented_for("directed")
@nx.utils.not_implemented_for("multigraph")
def membership_strength(G, communities, weight="weight", *, sources=None, seed=None):
    """How firmly each actor sits in its bloc, and which actors swing between blocs.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph with non-negative edge weights (from :func:`agreement_graph`).
    communities : sequence of sets
        A partition of the graph's nodes; a bloc's id is its position in this sequence.
    weight : str, default "weight"
        Edge attribute holding the weight.
    sources : int, optional
        Estimate betweenness from this many source nodes drawn with `seed` (the pivot
        estimator of Brandes & Pich [4]_) instead of all of them: exact Brandes on the dense
        agreement graph of ~200 UN members takes about 20 s in pure Python. Exact by default,
        and whenever `sources` is not below the number of actors.
    seed : int, random_state, or None
        Indicator of random number generation state for the sampled sources.

    Returns
    -------
    pandas.DataFrame
        One row per actor (sorted index ``actor``) with columns ``cluster`` (id), ``size``,
        ``own`` (mean weight to the other members of its bloc, missing edges counting 0,
        NaN for a bloc of one), ``best_other`` (highest mean weight to the members of
        another bloc, NaN when there is one bloc), ``other_cluster`` (that bloc's id, -1
        when none), ``strength`` = ``own - best_other``, ``betweenness`` and ``swing``.

    Raises
    ------
    ValueError
        If `communities` is not a partition of the nodes or a weight is negative.
    NetworkXNotImplemented
        If the graph is directed or a multigraph.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([("a", "b", 1.0), ("x", "y", 1.0),
    ...                            ("a", "s", 0.5), ("x", "s", 0.5)])
    >>> table = membership_strength(G, [{"a", "b", "s"}, {"x", "y"}])
    >>> table[["cluster", "own", "best_other", "strength", "betweenness", "swing"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
           cluster   own  best_other  strength  betweenness  swing
    actor
    a            0  0.75       0.000     0.750        0.500  False
    b            0  0.50       0.000     0.500        0.000  False
    s            0  0.25       0.250     0.000        0.667   True
    x            1  1.00       0.167     0.833        0.500  False
    y            1  1.00       0.000     1.000        0.000  False

    Notes
    -----
    ``strength`` is a similarity analogue of the silhouette [1]_, as a difference rather than
    a ratio so that it stays defined when weights are 0. ``betweenness`` is the normalised
    weighted betweenness centrality [2]_ with edge length ``1 / weight``, the usual way to
    turn tie strength into distance [3]_ (strong agreement = short path); zero-weight edges
    are left out. An actor is flagged ``swing`` when its ``strength <= 0`` (it agrees at least
    as much, on average, with another bloc as with its own) or when it has the highest
    betweenness in the graph and that betweenness is above 0 (ties are all flagged).

    References
    ----------
    .. [1] Rousseeuw, P. J. (1987). "Silhouettes: a graphical aid to the interpretation and
       validation of cluster analysis." Journal of Computational and Applied Mathematics
       20:53-65.
    .. [2] Brandes, U. (2001). "A faster algorithm for betweenness centrality." Journal of
       Mathematical Sociology 25(2):163-177.
    .. [3] Opsahl, T., Agneessens, F. and Skvoretz, J. (2010). "Node centrality in weighted
       networks: generalizing degree and shortest paths." Social Networks 32(3):245-251.
    .. [4] Brandes, U. and Pich, C. (2007). "Centrality estimation in large networks."
       International Journal of Bifurcation and Chaos 17(7):2303-2318.
    """
    communities = [frozenset(c) for c in communities]
    if not nx.community.is_partition(G, communities):
        raise ValueError("communities must be a partition of the nodes of the graph")
    actors = sorted(G.nodes)
    w = nx.to_numpy_array(G, nodelist=actors, weight=weight, nonedge=0.0)
    if (w < 0).any():
        raise ValueError("membership_strength needs non-negative edge weights")
    np.fill_diagonal(w, 0.0)
    index = {a: i for i, a in enumerate(actors)}
    cluster = np.empty(len(actors), dtype=np.int64)
    for k, members in enumerate(communities):
        cluster[[index[a] for a in members]] = k
    sizes = np.array([len(c) for c in communities], dtype=float)
    # mean_to[i, k]: mean weight of actor i to the members of bloc k other than itself.
    sums = np.column_stack([w[:, cluster == k].sum(axis=1) for k in range(len(communities))])
    others = sizes[None, :] - (cluster[:, None] == np.arange(len(communities))[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_to = np.where(others > 0, sums / others, np.nan)
    rows = np.arange(len(actors))
    own = mean_to[rows, cluster]
    foreign = mean_to.copy()
    foreign[rows, cluster] = -np.inf
    if len(communities) > 1:
        other_cluster = np.argmax(foreign, axis=1)
        best_other = foreign[rows, other_cluster]
    else:
        other_cluster = np.full(len(actors), -1)
        best_other = np.full(len(actors), np.nan)
    distance_graph = nx.Graph()
    distance_graph.add_nodes_from(actors)
    for u, v, d in _sorted_copy(G, weight).edges(data=weight, default=1.0):
        if d > 0 and u != v:
            distance_graph.add_edge(u, v, distance=1.0 / d)
    sampled = sources if sources is not None and sources < len(actors) else None
    between = nx.betweenness_centrality(distance_graph, k=sampled, seed=seed if sampled else None,
                                        weight="distance", normalized=True)
    betweenness = np.array([between[a] for a in actors])
    strength = own - best_other
    top = betweenness.max() if len(actors) else 0.0
    swing = (strength <= 0) | ((betweenness >= top - 1e-12) & (top > 0))
    return pd.DataFrame(
        {
            "cluster": cluster,
            "size": sizes[cluster].astype(np.int64),
            "own": own,
            "best_other": best_other,
            "other_cluster": other_cluster.astype(np.int64),
            "strength": strength,
            "betweenness": betweenness,
            "swing": swing,
        },
        index=pd.Index(actors, name="actor"),
    )


@dataclass(frozen=True, eq=False)
class ClusterReport:
    """Everything :func:`cluster_report` computed, for the CLI and the notebook.

    Attributes
    ----------
    method : str
        The agreement measure.
    agreement : pandas.DataFrame
        Actors × actors agreement (:func:`agreement_matrix`).
    common : pandas.DataFrame
        Actors × actors common item counts (:func:`common_counts`).
    graph : networkx.Graph
        The agreement graph (:func:`agreement_graph`).
    communities : tuple of frozenset
        Louvain blocs (:func:`louvain_clusters`).
    membership : pandas.DataFrame
        Per-actor bloc strength and swing flag (:func:`membership_strength`).
    hierarchy : HierarchicalResult or None
        Average-linkage tree cut into as many clusters as Louvain found; None with fewer than
        two actors.
    """

    method: str
    agreement: pd.DataFrame
    common: pd.DataFrame
    graph: nx.Graph
    communities: tuple
    membership: pd.DataFrame
    hierarchy: HierarchicalResult | None


def cluster_report(matrix, method="s_score", resolution=1.0, seed=0, min_common=1,
                   threshold=None):
    """Agreement, blocs, swing actors and the dendrogram of a positions matrix in one call.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Positions matrix, rows = actors, columns = items, values in [-1, 1] or NaN.
    method : {"s_score", "share", "kappa"}, default "s_score"
        Agreement measure, see :func:`agreement_matrix`.
    resolution : float, default 1.0
        Louvain resolution, see :func:`louvain_clusters`.
    seed : int or None, default 0
        Louvain seed.
    min_common : int, default 1
        Pairs with fewer common items get no agreement and no edge.
    threshold : float in [0, 1], optional
        Minimum agreement for an edge, see :func:`agreement_graph`.

    Returns
    -------
    ClusterReport

    Raises
    ------
    ValueError
        As :func:`agreement_matrix`, :func:`agreement_graph` and :func:`louvain_clusters`.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"r1": [1, 1, -1, -1], "r2": [1, 1, -1, -1], "r3": [1, 0, -1, 0]},
    ...                  index=["FRA", "USA", "CHN", "RUS"])
    >>> report = cluster_report(m)
    >>> [sorted(c) for c in report.communities]
    [['CHN', 'RUS'], ['FRA', 'USA']]
    >>> report.membership["cluster"].to_dict()
    {'CHN': 0, 'FRA': 1, 'RUS': 0, 'USA': 1}
    """
    agreement = agreement_matrix(matrix, method=method, min_common=min_common)
    common = common_counts(matrix)
    graph = agreement_graph(agreement, threshold=threshold, min_common=min_common,
                            common=common)
    communities = louvain_clusters(graph, resolution=resolution, seed=seed)
    membership = membership_strength(graph, communities)
    tree = None
    if len(agreement) >= 2:
        tree = hierarchical_clusters(agreement, n_clusters=len(communities))
    return ClusterReport(method, agreement, common, graph, tuple(communities), membership,
                         tree)


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


def _sorted_copy(G, weight):
    """Copy of G holding only `weight`, with nodes and edges inserted in sorted order."""
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(G.nodes))
    edges = sorted((min(u, v), max(u, v), d) for u, v, d in _edge_weights(G, weight))
    for u, v, d in edges:
        if weight is None or d is None:
            ordered.add_edge(u, v)
        else:
            ordered.add_edge(u, v, **{weight: d})
    return ordered


def _edge_weights(G, weight):
    if weight is None:
        return ((u, v, None) for u, v in G.edges)
    return G.edges(data=weight, default=None)


def _sort_communities(communities):
    return sorted((frozenset(c) for c in communities), key=lambda c: (-len(c), min(c)))
