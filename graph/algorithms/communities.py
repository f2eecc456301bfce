"""Blocs of actors in an agreement graph: Louvain communities and agglomerative clusters."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from graph.algorithms.similarity import _agreement_values

__all__ = ["louvain_clusters", "HierarchicalResult", "hierarchical_clusters"]

# ward, centroid and median assume Euclidean distances, which 1 - agreement is not.
_LINKAGES = ("single", "complete", "average", "weighted")


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
    # A graph already in sorted order (agreement_graph builds it so) is used as it is: the
    # copy would insert the same nodes and edges in the same order (issue 15: on ~200 states
    # the dense agreement graph's copy cost as much as Louvain's first pass).
    ordered = G if _in_sorted_order(G, weight) else _sorted_copy(G, weight)
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


def _in_sorted_order(G, weight) -> bool:
    """Whether G's nodes, and each node's neighbours, iterate in sorted order (and no weight
    is None, which the copy drops): then G and :func:`_sorted_copy` of it give networkx the
    same nodes and edges in the same order."""
    if type(G) is not nx.Graph:
        return False
    if weight is not None and any(w is None for _, _, w in G.edges(data=weight, default=1)):
        return False
    nodes = list(G)
    try:
        if nodes != sorted(nodes):
            return False
        return all(list(nbrs) == sorted(nbrs) for _, nbrs in G.adjacency())
    except TypeError:  # names that do not sort
        return False


def _edge_weights(G, weight):
    if weight is None:
        return ((u, v, None) for u, v in G.edges)
    return G.edges(data=weight, default=None)


def _sort_communities(communities):
    return sorted((frozenset(c) for c in communities), key=lambda c: (-len(c), min(c)))
