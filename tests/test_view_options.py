"""One options object for a view (graph.explorer.options.ViewOptions, re-exported by views and
render): what needs no store checked when made, the source and focus when a view is drawn;
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
from graph.vocab import short


@pytest.fixture(scope="module")
def seed():
    store = open_store("memory:")
    build(store)
    return store


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"view": "map"}, "unknown view 'map'; choose one of claims, states, gaps, votes"),
        ({"color": "rainbow"}, "unknown colouring 'rainbow'"),
        ({"depth": -1}, "depth must be a non-negative integer, got -1"),
        ({"depth": 1.5}, "depth must be a non-negative integer, got 1.5"),
        ({"node_budget": 0}, "node budget must be a positive integer, got 0"),
        ({"relations": ["sanctions", "befriends"]}, "unknown relation 'befriends'; known: "),
        ({"relations": "befriends"}, "unknown relation 'befriends'"),
        ({"actor_types": ["state", "robot"]}, "unknown actor type 'robot'; known: "),
        ({"as_of": "2021-02-30"}, "as-of date '2021-02-30'"),
        ({"as_of": "yesterday"}, "as-of date 'yesterday'"),
        ({"half_life": "soon"}, "--half-life 'soon': expected a positive duration"),
        ({"half_life": 0}, "--half-life 0: expected a positive duration"),
        ({"horizon": "-2y"}, "--horizon '-2y': expected a positive duration"),
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


def test_names_and_dates_are_kept_as_given_in_hashable_fields():
    options = ViewOptions(relations=["sanctions", "sg:opposes"], actor_types=["state"],
                          as_of="2017-06-01", half_life="2y", horizon=3650)
    assert options.relations == ("sanctions", "sg:opposes") and options.actor_types == ("state",)
    assert options == ViewOptions(relations=("sanctions", "sg:opposes"), actor_types=("state",),
                                  as_of="2017-06-01", half_life="2y", horizon=3650)
    assert hash(options) == hash(view_options(options, depth=1))
    assert ViewOptions(relations="sanctions").relations == ("sanctions",)  # one name


def test_the_source_needs_the_store_so_the_view_checks_it(seed):
    options = ViewOptions(source="no-such-source")  # made: sources are the store's
    with pytest.raises(InputError, match="unknown source 'no-such-source'; known: "):
        view_graph(seed, options)
    with pytest.raises(InputError, match="unknown source 'no-such-source'"):
        render_page(seed, source="no-such-source")


def _edges(G) -> set:
    return {(short(a), short(b), k) for a, b, k in G.edges(keys=True)}


#: Ties of the state view at the seed's newest date: the nine states of the seed article
#: (data/sources/kim-2021-03-27-monkey-cage.ttl) and each pair its claims link.
STATE_TIES = {("state:CHN", "state:KOR"), ("state:CHN", "state:PRK"), ("state:CHN", "state:USA"),
              ("state:CUB", "state:PRK"), ("state:JPN", "state:USA"), ("state:KOR", "state:PRK"),
              ("state:KOR", "state:RUS"), ("state:KOR", "state:USA"), ("state:LAO", "state:PRK"),
              ("state:PRK", "state:USA"), ("state:PRK", "state:VNM"), ("state:RUS", "state:USA")}


def _by_options_and_by_keywords(seed, fields):
    """The view drawn from a ViewOptions, from keywords, and from other options that the
    keywords replace: three ways in, each compared with what the seed says, not each other."""
    other = ViewOptions(view="gaps" if fields.get("view") != "gaps" else "states",
                        relations=["opposes"], node_budget=3)
    reset = {"relations": None, "node_budget": 500, **fields}
    return [view_graph(seed, ViewOptions(**fields)), view_graph(seed, **fields),
            view_graph(seed, other, **reset)]


def test_a_relation_filter_at_a_date_keeps_the_claims_that_hold_then(seed):
    """The seed's one sanctions claim (kim2021-50: China on North Korea) holds through 2017:
    at 2017-06-01 it is the view; at the seed's newest date (2021) it has ended."""
    fields = {"view": "claims", "relations": ["sanctions"], "as_of": "2017-06-01"}
    for G in _by_options_and_by_keywords(seed, fields):
        assert _edges(G) == {("state:CHN", "state:PRK", "sanctions")}
        assert {short(n) for n in G} == {"state:CHN", "state:PRK"}
    for G in _by_options_and_by_keywords(seed, {"view": "claims", "relations": ["sanctions"]}):
        assert _edges(G) == set() and G.number_of_nodes() == 0


def test_the_states_view_and_an_aggregated_claims_view_show_the_state_ties(seed):
    for G in _by_options_and_by_keywords(seed, {"view": "states"}):
        assert {(a, b) for a, b, _ in _edges(G)} == STATE_TIES
        assert {k for *_, k in _edges(G)} == {"tie"} and not G.graph["aggregated"]
    # The seed's claims view has 52 nodes: past a budget of 20 it rolls up to the states.
    for G in _by_options_and_by_keywords(seed, {"view": "claims", "node_budget": 20}):
        assert G.graph["aggregated"] and G.graph["view"] == "claims"
        assert {(a, b) for a, b, _ in _edges(G)} == STATE_TIES
        assert "52 actors and targets are more than the node budget of 20" in G.graph["notes"][0]


def test_a_focus_keeps_the_actors_one_hop_away(seed):
    whole = view_graph(seed, ViewOptions(view="claims"))
    korea = "https://stancegraph.org/id/state/KOR"
    near = {korea} | set(whole.successors(korea)) | set(whole.predecessors(korea))
    assert len(near) < whole.number_of_nodes()  # the focus leaves something out
    for G in _by_options_and_by_keywords(seed, {"view": "claims", "focus": "KOR", "depth": 1}):
        assert set(G) == near and G.graph["focus"] == korea


def test_the_gaps_view_with_a_half_life(seed):
    """Allies (sg:alignedWith) and the issues they part on in the seed article."""
    expected = {("state:CHN", "state:PRK", "alliance"),
                ("state:CHN", "state:PRK", "gap:dprk-sanctions"),
                ("state:JPN", "state:USA", "alliance"),
                ("state:KOR", "state:USA", "alliance"),
                ("state:KOR", "state:USA", "gap:countering-china-russia"),
                ("state:KOR", "state:USA", "gap:dprk-human-rights"),
                ("state:KOR", "state:USA", "gap:inter-korean-engagement"),
                ("state:KOR", "state:USA", "gap:pressure-campaign")}
    for G in _by_options_and_by_keywords(seed, {"view": "gaps", "half_life": "2y"}):
        assert _edges(G) == expected


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
