"""What a view shows (:class:`ViewOptions`), checked when it is made, before any store is read.

Re-exported by graph.explorer.views and graph.explorer.render, where callers import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from graph.analysis.temporal import parse_duration
from graph.errors import InputError
from graph.explorer.viewdata import parse_filters

__all__ = ["VIEWS", "COLORINGS", "ViewOptions", "view_options"]

#: ``votes`` is a page of its own (graph.explorer.votes: agreement per session), drawn by render.
VIEWS = ("claims", "states", "gaps", "votes")
#: Node colourings: by node class, or by the groups of run_clusters. ``clusters`` shows the
#: camps with swing states ringed (the page can switch to communities); ``camps`` is the same;
#: ``communities`` opens on the Louvain communities.
COLORINGS = ("type", "clusters", "camps", "communities", "ideal")


@dataclass(frozen=True)
class ViewOptions:
    """What a view shows: one object that :func:`graph.explorer.views.view_graph`,
    ``render_page`` and ``render`` (graph.explorer.render) take.

    Everything that can be checked without a store is checked when it is made (InputError):
    the view, the colouring, ``depth``, ``node_budget``, the ``relations`` (against the
    vocabulary's stance relations), the ``actor_types`` (against the node classes), the
    ``as_of`` date (``YYYY-MM-DD``, a real day) and the ``half_life`` / ``horizon``
    durations. What needs the store is checked when a view is drawn: the ``source`` (against
    the store's sources) and the ``focus`` (an actor in the view). ``relations`` and
    ``actor_types`` are kept as tuples (a single name is a tuple of one), so that options are
    hashable.

    Attributes
    ----------
    view : {"claims", "states", "gaps", "votes"}
        ``claims``: every actor and target, one edge per direct stance edge (actor, relation,
        target) carrying the claims behind it; ``states``: the signed state graph of
        :func:`graph.analysis.project.state_graph`; ``gaps``: allied states with one edge per
        coordination gap (:func:`graph.analysis.run_gaps`), labelled by issue; ``votes``: a
        page of its own (graph.explorer.votes), drawn by render only.
    color : {"type", "clusters", "camps", "communities", "ideal"}
        Any but ``type`` adds each state's groups from :func:`graph.analysis.run_clusters`
        as node attributes ``camp`` and ``community`` (numbered as ``stancegraph clusters``
        prints them), and ``swing`` / ``swing_reason`` for swing states; ``G.graph["grouping"]``
        is the one the page opens on: ``communities`` for that colouring, else ``camps``.
        ``ideal`` is for the votes view. None is ``type``.
    focus, depth : str, int
        Keep the neighbourhood of one actor (code, prefixed name or IRI) up to ``depth`` hops.
    relations, actor_types, source
        Keep edges with at least one claim of these relations, from this source; keep nodes
        of these types. Nodes left without an edge go.
    as_of : str, optional
        The date D (docs/TIME.md; default the newest date in the store): an edge holds when
        one of its claims weighs more than 0 at D (ties: a non-zero sum; alliances and gaps:
        as graph.analysis.run.run_gaps finds them at D). Edges that do not hold go, and so do
        the nodes all of whose edges went.
    node_budget : int
        Above this many nodes the claims view is aggregated to the state level, and any view
        is cut to its strongest edges; ``G.graph["notes"]`` says what was left out.
    half_life, horizon : int or str, optional
        As ``--half-life`` / ``--horizon`` (days or ``2y``, ``18m``; docs/TIME.md): the decay
        of the acts' weights at D, and at the page's slider dates.

    Examples
    --------
    >>> ViewOptions(depth=-1)
    Traceback (most recent call last):
    graph.errors.InputError: depth must be a non-negative integer, got -1
    >>> ViewOptions(relations=["sanctions"]).relations
    ('sanctions',)
    """

    view: str = "claims"
    color: str = "type"
    focus: str | None = None
    depth: int = 1
    relations: Sequence[str] | None = None
    actor_types: Sequence[str] | None = None
    source: str | None = None
    as_of: str | None = None
    node_budget: int = 500
    half_life: int | str | None = None
    horizon: int | str | None = None

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise InputError(f"unknown view {self.view!r}; choose one of {', '.join(VIEWS)}")
        if self.color is None:  # what a caller passes for "no colouring asked"
            object.__setattr__(self, "color", "type")
        if self.color not in COLORINGS:
            raise InputError(f"unknown colouring {self.color!r}; choose one of "
                             f"{', '.join(COLORINGS)}")
        if not isinstance(self.depth, int) or self.depth < 0:
            raise InputError(f"depth must be a non-negative integer, got {self.depth!r}")
        if not isinstance(self.node_budget, int) or self.node_budget < 1:
            raise InputError(f"node budget must be a positive integer, got {self.node_budget!r}")
        for name in ("relations", "actor_types"):
            value = getattr(self, name)
            if value is not None:
                # A frozen dataclass is hashable only with hashable fields: no lists.
                object.__setattr__(self, name, (value,) if isinstance(value, str)
                                   else tuple(value))
        # The same checks, and messages, as view_graph's filters; the source is left out (it
        # is looked up among the store's sources), and with it the only use of the data.
        parse_filters(None, self.relations, self.actor_types, None, self.as_of)
        if self.half_life is not None:
            parse_duration(self.half_life)
        if self.horizon is not None:
            parse_duration(self.horizon, what="--horizon")


def view_options(options: ViewOptions | None = None, **changes) -> ViewOptions:
    """``options`` (default :class:`ViewOptions`) with the fields named in ``changes`` replaced:
    how the functions that take a ViewOptions also take its fields as keywords."""
    if options is None:
        return ViewOptions(**changes)
    return replace(options, **changes) if changes else options
