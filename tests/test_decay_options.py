"""``--half-life`` / ``--horizon`` on ``render`` and ``export`` (issue 11: one definition of
``--as-of``, docs/TIME.md, with its decay options everywhere), on the seed."""

from __future__ import annotations

import io

import networkx as nx
import pytest
from click.testing import CliRunner

from graph.analysis.project import state_graph
from graph.cli import cli
from graph.explorer.render import render, render_page
from graph.export import export


def _graphml(data: bytes):
    return nx.read_graphml(io.BytesIO(data))


def _decaying_tie(store):
    """A tie between states whose score moves with the half-life (an act, not a standing
    relation, so its weight at D is below 1)."""
    default, short = state_graph(store), state_graph(store, half_life="30d")
    moved = [(a, b) for a, b, s in default.edges(data="score")
             if s != pytest.approx(short.edges[a, b]["score"])]
    assert moved, "the seed has a tie made of acts that decay"
    a, b = moved[0]
    return (a, b), default.edges[a, b]["score"], short.edges[a, b]["score"]


def test_export_graph_formats_take_the_half_life(oxigraph_store):
    (a, b), default, short = _decaying_tie(oxigraph_store)
    for fmt in ("graphml", "gexf"):
        plain = export(oxigraph_store, fmt)
        shorter = export(oxigraph_store, fmt, half_life="30d")
        assert plain != shorter
    G = _graphml(export(oxigraph_store, "graphml", half_life="30d"))
    assert G.edges[a, b]["score"] == pytest.approx(short)
    assert _graphml(export(oxigraph_store, "graphml")).edges[a, b]["score"] == pytest.approx(
        default)
    # a faster decay weakens the tie (its acts lie before D)
    assert abs(short) < abs(default)


def test_export_horizon_drops_the_ties_of_old_acts(oxigraph_store):
    day = "2023-01-01"  # the seed's acts of 2021 are within the default horizon of 8 years
    plain = _graphml(export(oxigraph_store, "graphml", as_of=day))
    near = _graphml(export(oxigraph_store, "graphml", as_of=day, horizon="1y"))
    assert set(near.edges) < set(plain.edges)
    assert {tuple(sorted(e)) for e in state_graph(oxigraph_store, as_of=day,
                                                  horizon=365).edges} == \
        {tuple(sorted(e)) for e in near.edges}


def test_export_cli_decay_options(oxigraph_store, oxigraph_path):
    runner = CliRunner()
    store = ["--store", f"oxigraph:{oxigraph_path}"]
    result = runner.invoke(cli, ["export", "graphml", "--half-life", "30d", *store])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == export(oxigraph_store, "graphml", half_life=30)
    assert result.stdout_bytes != export(oxigraph_store, "graphml")
    result = runner.invoke(cli, ["export", "gexf", "--horizon", "1y", "--as-of", "2023-01-01",
                                 *store])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == export(oxigraph_store, "gexf", as_of="2023-01-01",
                                         horizon="1y")
    result = runner.invoke(cli, ["export", "graphml", "--half-life", "soon", *store])
    assert result.exit_code == 1 and result.output.startswith("Error: --half-life 'soon'")
    result = runner.invoke(cli, ["export", "gexf", "--horizon", "0d", *store])
    assert result.exit_code == 1 and result.output.startswith("Error: --horizon '0d'")


def test_render_half_life_changes_the_tie_and_the_slider(oxigraph_store):
    (a, b), default, short = _decaying_tie(oxigraph_store)
    plain = render_page(oxigraph_store, view="states")
    shorter = render_page(oxigraph_store, view="states", half_life="30d")
    # the tooltip of the tie says its score at D with the page's half-life
    assert f"Score {default:.2f} from" in plain and f"Score {default:.2f} from" not in shorter
    assert f"Score {short:.2f} from" in shorter
    # and the slider recomputes the weights with the same half-life and horizon
    assert '"halfLife": 730' in plain and '"halfLife": 30,' in shorter
    assert '"horizon": 2920' in plain
    assert '"horizon": 400' in render_page(oxigraph_store, view="states", horizon="400d")


def test_render_horizon_drops_old_edges(oxigraph_store, tmp_path):
    plain = render(oxigraph_store, tmp_path / "a.html")
    near = render(oxigraph_store, tmp_path / "b.html", horizon="30d")
    assert near.edges < plain.edges
    assert near.as_of == plain.as_of


def test_render_cli_decay_options(oxigraph_store, oxigraph_path, tmp_path):
    runner = CliRunner()
    page = tmp_path / "page.html"
    args = ["render", "--view", "states", "-o", str(page), "--store",
            f"oxigraph:{oxigraph_path}"]
    result = runner.invoke(cli, [*args, "--half-life", "1m"])
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert '"halfLife": 30,' in text  # a month is 365/12 days, rounded
    (_, _), _, short = _decaying_tie(oxigraph_store)  # 30 days
    assert f"Score {short:.2f} from" in text
    result = runner.invoke(cli, [*args, "--horizon", "never"])
    assert result.exit_code == 1 and result.output.startswith("Error: --horizon 'never'")
    result = runner.invoke(cli, ["render", "--help"])
    assert "--half-life" in result.output and "--horizon" in result.output
