"""Two camps of actors from dense agreement data: the leading axis of the centred agreement."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.algorithms.similarity import _agreement_values

__all__ = ["Camps", "two_camps", "axis_silhouettes"]


@dataclass(frozen=True, eq=False)
class Camps:
    """The two camps, where each actor sits between them, and how good the split is.

    Attributes
    ----------
    blocks : list of list of str
        The two camps, members sorted, camps ordered by their first member.
    membership : dict
        Actor -> index of its camp in `blocks`.
    axis : pandas.Series
        Each actor's coordinate on the camp axis (classical scaling of the agreement, first
        dimension); the camps are its two signs, the anchor on the positive side.
    silhouette : pandas.Series
        Each actor's silhouette on the axis, in [-1, 1] (:func:`axis_silhouettes`).
    swing : list of str
        Actors whose silhouette is below the threshold: near the boundary.
    explained : float
        Share of the centred agreement's positive eigenvalues on the axis, in (0, 1]: near 1
        the actors line up on one axis, low values say a second dimension matters too.
    mean_silhouette : float
        Mean silhouette over the actors (Rousseeuw's overall width of the split).
    within, between : float
        Mean observed agreement of pairs inside a camp and of pairs across the camps.
    imputed : int
        Pairs with no observed agreement, filled in from the axis.
    """

    blocks: list
    membership: dict
    axis: pd.Series
    silhouette: pd.Series
    swing: list
    explained: float
    mean_silhouette: float
    within: float
    between: float
    imputed: int

    def quality(self) -> dict:
        """The numbers that say how good the split is, as one flat dict."""
        sizes = {f"camp_{k}_size": len(block) for k, block in enumerate(self.blocks)}
        return {**sizes, "explained": self.explained, "mean_silhouette": self.mean_silhouette,
                "within_agreement": self.within, "between_agreement": self.between,
                "swing": len(self.swing), "imputed_pairs": self.imputed}


def two_camps(agreement, *, anchor=None, swing_threshold=0.5, max_iter=200, tol=1e-9):
    """Split actors into two camps by the sign of the leading eigenvector of their agreement.

    Parameters
    ----------
    agreement : pandas.DataFrame
        Symmetric actors × actors agreement in [-1, 1] (S score or kappa) or [0, 1] (share),
        NaN where a pair has nothing in common.
    anchor : str, optional
        An actor put on the positive side of the axis (e.g. ``"USA"``); by default the actor
        with the largest coordinate in absolute value.
    swing_threshold : float, default 0.5
        Actors whose silhouette on the axis is below this are swing actors.
    max_iter : int, default 200
        Rounds of filling in the missing pairs (when there are any).
    tol : float, default 1e-9
        Stop filling in when the filled values change by less than this.

    Returns
    -------
    Camps or None
        None with fewer than two actors.

    Raises
    ------
    ValueError
        If `agreement` is not a symmetric square matrix of values in [-1, 1], or the anchor
        is not one of its actors.

    Examples
    --------
    >>> import pandas as pd
    >>> actors = ["FRA", "GBR", "USA", "CHN", "RUS", "IND"]
    >>> a = pd.DataFrame(0.2, index=actors, columns=actors)
    >>> a.loc[actors[:3], actors[:3]] = 0.9
    >>> a.loc[actors[3:5], actors[3:5]] = 0.8
    >>> a.loc["IND", ["CHN", "RUS"]] = a.loc[["CHN", "RUS"], "IND"] = 0.5
    >>> a.loc["IND", actors[:3]] = a.loc[actors[:3], "IND"] = 0.45
    >>> camps = two_camps(a, anchor="USA")
    >>> camps.blocks
    [['CHN', 'IND', 'RUS'], ['FRA', 'GBR', 'USA']]
    >>> camps.swing
    ['IND']

    Notes
    -----
    Agreement on roll calls is dense and mostly positive (most states vote yes on most
    resolutions), so a partition that maximises agreement inside camps, or a balanced
    partition of the signed graph, collapses into one large camp and a handful of states. The
    axis here removes what all pairs share first: the matrix is double-centred,
    ``B = J A J`` with ``J = I - 11'/n`` (classical scaling, Torgerson 1952; Gower 1966),
    and the camps are the signs of the leading eigenvector of ``B``, the spectral bisection of
    Newman (2006) with the centred agreement in place of the modularity matrix. The
    coordinate ``x = sqrt(lambda_1) v_1`` says how far each actor sits from the boundary.

    Pairs with no common item are filled in by hard imputation (Mazumder, Hastie and
    Tibshirani 2010) with rank one: start from the mean agreement, then repeatedly replace
    the missing entries by the centred rank-one reconstruction (clipped to [-1, 1]) until
    they settle; an actor known only through one partner is then placed near it instead of
    at the centre.

    Swing actors are those near the boundary: their silhouette (Rousseeuw 1987) on the axis
    is below `swing_threshold`, i.e. their mean distance to the other camp is less than
    ``1 / (1 - swing_threshold)`` times (twice, for 0.5) their mean distance to their own,
    and they sit no farther from the boundary than the median member of their camp (an
    outlier beyond its own camp also has a low silhouette, but it is not between the camps).

    References
    ----------
    .. [1] Torgerson, W. S. (1952). "Multidimensional scaling: I. Theory and method."
       Psychometrika 17(4):401-419.
    .. [2] Gower, J. C. (1966). "Some distance properties of latent root and vector methods
       used in multivariate analysis." Biometrika 53(3-4):325-338.
    .. [3] Newman, M. E. J. (2006). "Finding community structure in networks using the
       eigenvectors of matrices." Physical Review E 74(3):036104.
    .. [4] Mazumder, R., Hastie, T. and Tibshirani, R. (2010). "Spectral regularization
       algorithms for learning large incomplete matrices." Journal of Machine Learning
       Research 11:2287-2322.
    .. [5] Rousseeuw, P. J. (1987). "Silhouettes: a graphical aid to the interpretation and
       validation of cluster analysis." Journal of Computational and Applied Mathematics
       20:53-65.
    """
    actors, values = _agreement_values(agreement)
    if anchor is not None and anchor not in actors:
        raise ValueError(f"anchor {anchor!r} is not one of the actors")
    n = len(actors)
    if n < 2:
        return None
    missing = np.isnan(values)
    filled = np.where(missing, np.nanmean(values) if (~missing).any() else 0.0, values)
    vector = None
    # With nothing to fill in (roll calls: every pair shares votes) no round is needed: the
    # one decomposition below gives the axis and the spectrum (issue 15: the rounds'
    # decompositions were most of the cost of the camps on ~200 states).
    for _ in range(max_iter if missing.any() else 0):
        weight, vector, reconstruction, _ = _leading_axis(filled, vector)
        update = np.where(missing, np.clip(reconstruction, -1.0, 1.0), values)
        change = np.max(np.abs(update - filled))
        filled = update
        if change < tol:
            break
    weight, vector, _, eigenvalues = _leading_axis(filled, vector)
    if eigenvalues is None:  # the power iteration gives the leading pair only
        centred = _centre(filled)
        eigenvalues = np.linalg.eigvalsh((centred + centred.T) / 2.0)
    positive = eigenvalues[eigenvalues > 0].sum()
    x = vector * np.sqrt(max(weight, 0.0))
    pivot = actors.index(anchor) if anchor is not None else int(np.argmax(np.abs(x)))
    if x[pivot] < 0:
        x = -x
    side = x > 0
    groups = [sorted(a for a, s in zip(actors, side, strict=True) if s == flag)
              for flag in (True, False)]
    blocks = sorted((g for g in groups if g), key=lambda g: g[0])
    membership = {a: k for k, block in enumerate(blocks) for a in block}
    axis = pd.Series(x, index=pd.Index(actors, name="actor"), name="axis")
    silhouette = axis_silhouettes(axis, membership)
    same = np.equal.outer(side, side)
    off = ~np.eye(n, dtype=bool) & ~missing
    within = float(values[same & off].mean()) if (same & off).any() else float("nan")
    between = float(values[~same & off].mean()) if (~same & off).any() else float("nan")
    return Camps(
        blocks=blocks,
        membership=membership,
        axis=axis,
        silhouette=silhouette,
        swing=_near_boundary(axis, membership, silhouette, swing_threshold),
        explained=float(weight / positive) if positive > 0 else 0.0,
        mean_silhouette=float(silhouette.mean()),
        within=within,
        between=between,
        imputed=int(np.triu(missing, 1).sum()),
    )


def _near_boundary(axis, membership, silhouette, threshold):
    """Actors with a low silhouette that sit on the inner side of their camp's median."""
    distance = axis.abs()
    camp = pd.Series(membership).reindex(axis.index)
    median = distance.groupby(camp).transform("median")
    return sorted(axis.index[(silhouette < threshold) & (distance <= median)])


def axis_silhouettes(axis, membership):
    """Silhouette of each actor on a one-dimensional axis, given its camp.

    Parameters
    ----------
    axis : pandas.Series
        Coordinate per actor.
    membership : dict
        Actor -> camp.

    Returns
    -------
    pandas.Series
        ``s = (b - a) / max(a, b)`` with ``a`` the mean distance ``|x_i - x_j|`` to the other
        members of its camp and ``b`` the mean distance to the other camp (0 for an actor
        alone in its camp, as Rousseeuw defines it, and when both distances are 0).

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.Series([-1.0, -0.9, 0.1, 1.0], index=["a", "b", "s", "c"])
    >>> axis_silhouettes(x, {"a": 0, "b": 0, "s": 1, "c": 1}).round(3).to_dict()
    {'a': 0.935, 'b': 0.931, 's': 0.143, 'c': 0.538}

    References
    ----------
    .. [1] Rousseeuw, P. J. (1987). "Silhouettes: a graphical aid to the interpretation and
       validation of cluster analysis." Journal of Computational and Applied Mathematics
       20:53-65.
    """
    x = axis.to_numpy(dtype=float)
    camp = np.array([membership[a] for a in axis.index])
    distance = np.abs(x[:, None] - x[None, :])
    same = np.equal.outer(camp, camp)
    np.fill_diagonal(same, False)
    other = ~np.equal.outer(camp, camp)
    own_n, other_n = same.sum(axis=1), other.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(own_n > 0, (distance * same).sum(axis=1) / own_n, 0.0)
        b = np.where(other_n > 0, (distance * other).sum(axis=1) / other_n, 0.0)
        top = np.maximum(a, b)
        s = np.where((own_n > 0) & (top > 0), (b - a) / top, 0.0)
    return pd.Series(s, index=axis.index, name="silhouette")


def _centre(matrix):
    """Double centring: subtract row and column means, add back the grand mean."""
    return (matrix - matrix.mean(axis=0, keepdims=True) - matrix.mean(axis=1, keepdims=True)
            + matrix.mean())


#: Up to this many actors the leading eigenpair comes from a full decomposition; above it from
#: warm-started power iteration, since the filling-in rounds each need one and a full
#: decomposition of ~200 states costs far more than a few hundred matrix-vector products.
_FULL_EIGEN = 64


def _leading_axis(filled, start=None, rounds=5000, tol=1e-12):
    """Largest eigenvalue and its eigenvector of the centred matrix, the rank-one
    reconstruction of the matrix from them (centring added back), and all eigenvalues when a
    full decomposition gave them (else None)."""
    centred = _centre(filled)
    centred = (centred + centred.T) / 2.0
    n = len(centred)
    eigenvalues = None
    if n <= _FULL_EIGEN or start is None:
        eigenvalues, vectors = np.linalg.eigh(centred)
        k = int(np.argmax(eigenvalues))
        weight, vector = float(eigenvalues[k]), vectors[:, k]
    else:
        # Shifted by a bound on the spectral radius so that the largest eigenvalue (not the
        # largest in absolute value) dominates; the previous round's vector starts it.
        shift = float(np.abs(centred).sum(axis=1).max())
        vector = start / np.linalg.norm(start)
        for _ in range(rounds):
            following = centred @ vector + shift * vector
            following /= np.linalg.norm(following)
            done = np.max(np.abs(following - vector)) < tol
            vector = following
            if done:
                break
        weight = float(vector @ centred @ vector)
    # eigh's sign is arbitrary; fixing it on the largest component keeps results stable.
    if vector[int(np.argmax(np.abs(vector)))] < 0:
        vector = -vector
    reconstruction = weight * np.outer(vector, vector) + (filled - centred)
    return weight, vector, reconstruction, eigenvalues
