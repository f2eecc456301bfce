"""Agreement, blocs, swing actors and the dendrogram of a positions matrix in one call.

The parts live in one module per concept: :mod:`graph.algorithms.similarity` (agreement
measures and the agreement graph), :mod:`graph.algorithms.communities` (Louvain and
agglomerative blocs), :mod:`graph.algorithms.swing` (membership strength) and
:mod:`graph.algorithms.camps` (the two camps of dense agreement data). Their public names are
importable from here too, where the notebooks and the README import them.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pandas as pd

from graph.algorithms.communities import (
    HierarchicalResult,
    hierarchical_clusters,
    louvain_clusters,
)
from graph.algorithms.similarity import (
    agreement_graph,
    agreement_matrix,
    common_counts,
    position_matrix,
)
from graph.algorithms.swing import membership_strength

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
