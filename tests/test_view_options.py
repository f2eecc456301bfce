"""One options object for a view (graph.explorer.views.ViewOptions): checked once when made,
taken by view_graph, render_page and render, whose keyword calls keep working."""

from __future__ import annotations

import dataclasses
import re

import pytest

from graph.build import build
from graph.errors import InputError
from graph.explorer.render import ViewOptions, render, render_page
from graph.explorer.views import view_graph, view_options
from graph.store import open_store


@pytest.fixture(scope="module")
def seed():
    store = open_store("memory:")
    build(store)
    return store


def _shape(G):
    """What a view graph shows, comparable across calls."""
    return (sorted(G.nodes(data="label")), sorted((a, b, k) for a, b, k in G.edges(keys=True)),
            {k: v for k, v in G.graph.items() if k in ("view", "color", "notes", "focus",
                                                       "total_nodes", "total_edges",
                                                       "aggregated", "grouping")})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"view": "map"}, "unknown view 'map'; choose one of claims, states, gaps, votes"),
        ({"color": "rainbow"}, "unknown colouring 'rainbow'"),
        ({"depth": -1}, "depth must be a non-negative integer, got -1"),
        ({"depth": 1.5}, "depth must be a non-negative integer, got 1.5"),
        ({"node_budget": 0}, "node budget must be a positive integer, got 0"),
    ],
)
def test_bad_options_fail_once_when_made(fields, message):
    with pytest.raises(InputError, match=re.escape(message)):
        ViewOptions(**fields)


def test_defaults_and_no_colouring():
    options = ViewOptions(color=None)
    assert (options.view, options.color, options.depth, options.node_budget) == \
        ("claims", "type", 1, 500)
    assert options == ViewOptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.view = "states"


def test_keywords_replace_the_fields_of_the_options():
    base = ViewOptions(view="states", color="clusters")
    assert view_options(base) is base
    assert view_options(base, depth=2) == ViewOptions(view="states", color="clusters", depth=2)
    assert view_options(view="gaps") == ViewOptions(view="gaps")
    with pytest.raises(InputError, match="depth must be"):
        view_options(base, depth=-3)  # a replaced field is checked too
    with pytest.raises(TypeError, match="colour"):
        view_options(base, colour="type")  # a misspelt option is not silently dropped


@pytest.mark.parametrize("fields", [
    {"view": "states"},
    {"view": "claims", "focus": "KOR", "depth": 1},
    {"view": "claims", "relations": ["sanctions"], "as_of": "2017-06-01"},
    {"view": "claims", "node_budget": 20},
    {"view": "gaps", "half_life": "2y"},
], ids=["states", "focus", "filters", "budget", "decay"])
def test_view_graph_takes_the_options_or_their_keywords_alike(seed, fields):
    by_keywords = view_graph(seed, **fields)
    by_options = view_graph(seed, ViewOptions(**fields))
    assert _shape(by_options) == _shape(by_keywords)


def test_view_graph_still_refuses_the_votes_view(seed):
    with pytest.raises(InputError, match="drawn by graph.explorer.votes"):
        view_graph(seed, ViewOptions(view="votes"))
    with pytest.raises(InputError, match="drawn by graph.explorer.votes"):
        view_graph(seed, color="ideal")


def test_render_page_and_render_take_the_options_or_their_keywords_alike(seed, tmp_path):
    options = ViewOptions(view="states", color="clusters")
    page = render_page(seed, options, title="Allies")
    assert page == render_page(seed, view="states", color="clusters", title="Allies")
    assert page == render_page(seed, ViewOptions(view="claims"), view="states",
                               color="clusters", title="Allies")
    by_options = render(seed, tmp_path / "a.html", options, title="Allies")
    by_keywords = render(seed, tmp_path / "b.html", view="states", color="clusters",
                         title="Allies")
    assert by_options.path.read_text(encoding="utf-8") == page
    assert dataclasses.replace(by_options, path=None) == \
        dataclasses.replace(by_keywords, path=None)


def test_the_votes_page_takes_the_options_too(seed, tmp_path):
    """The votes view goes to its own page (graph.explorer.votes), which the seed, holding no
    roll-call votes, cannot draw: both calls get there and say so."""
    from graph.errors import StanceGraphError

    with pytest.raises(StanceGraphError, match="no roll-call votes"):
        render(seed, tmp_path / "votes.html", ViewOptions(view="votes"))
    with pytest.raises(StanceGraphError, match="no roll-call votes"):
        render_page(seed, view="votes", color="ideal")
