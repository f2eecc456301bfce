"""Honest camps (graph.algorithms.camps): two camps from dense agreement, swing states only near
the boundary; on the seed, and (slow) on the human rights roll calls of the whole record."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from graph.algorithms import camps as camps_module
from graph.algorithms import communities, similarity, swing
from graph.algorithms.camps import axis_silhouettes, two_camps
from graph.algorithms.similarity import agreement_matrix
from graph.analysis.run import run_clusters
from graph.cli import cli

SAMPLE = Path(__file__).resolve().parent / "data" / "unvotes_sample"


@pytest.mark.parametrize("module", [camps_module, similarity, communities, swing])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def dense_votes(seed=0):
    """Roll calls on which nearly everyone votes yes, and a Western bloc and an Eastern bloc
    that split on a third of them; a middle that mostly votes with the majority."""
    rng = np.random.default_rng(seed)
    west = [f"W{k}" for k in range(8)]
    east = [f"E{k}" for k in range(5)]
    middle = [f"M{k:02d}" for k in range(40)]
    rows = {}
    for k in range(120):
        split = k % 3 == 0
        for a in west:
            rows.setdefault(a, []).append(-1.0 if split else 1.0)
        for a in east:
            rows.setdefault(a, []).append(1.0)
        for a in middle:
            rows.setdefault(a, []).append(1.0 if rng.random() < 0.9 else 0.0)
    matrix = pd.DataFrame.from_dict(rows, orient="index")
    return matrix, west, east, middle


def test_dense_agreement_gives_two_real_camps():
    matrix, west, east, middle = dense_votes()
    agreement = agreement_matrix(matrix, method="share")
    assert (agreement.to_numpy() > 0).all()  # dense and all positive: what collapsed before
    found = two_camps(agreement, anchor="W0")
    camp = found.membership
    assert len({camp[a] for a in west}) == 1 and len({camp[a] for a in east}) == 1
    assert camp["W0"] != camp["E0"]
    assert (found.axis[west] > 0).all() and (found.axis[east] < 0).all()
    assert found.within > found.between
    assert 0 < found.explained <= 1
    assert set(found.swing) <= set(middle)
    quality = found.quality()
    assert quality["swing"] == len(found.swing)
    assert quality["camp_0_size"] + quality["camp_1_size"] == len(matrix)


def test_a_state_between_the_camps_is_the_swing_state():
    actors = ["A1", "A2", "A3", "B1", "B2", "B3", "S"]
    agreement = pd.DataFrame(0.1, index=actors, columns=actors)
    agreement.loc[actors[:3], actors[:3]] = 0.9
    agreement.loc[actors[3:6], actors[3:6]] = 0.9
    agreement.loc["S", :] = agreement.loc[:, "S"] = 0.5
    for a in actors:
        agreement.loc[a, a] = 1.0
    found = two_camps(agreement, anchor="A1")
    assert found.swing == ["S"]
    assert found.silhouette["S"] < 0.5 <= found.silhouette.drop("S").min()


def test_a_state_known_through_one_partner_is_placed_with_it():
    actors = ["A", "B", "C", "D", "X"]
    values = [[1.0, 0.9, -0.8, -0.7, 1.0],
              [0.9, 1.0, -0.6, -0.9, np.nan],
              [-0.8, -0.6, 1.0, 0.8, np.nan],
              [-0.7, -0.9, 0.8, 1.0, np.nan],
              [1.0, np.nan, np.nan, np.nan, 1.0]]
    found = two_camps(pd.DataFrame(values, index=actors, columns=actors))
    assert found.membership["X"] == found.membership["A"] != found.membership["C"]
    assert found.imputed == 3 and "X" not in found.swing


def test_the_anchor_fixes_the_sign_and_results_do_not_depend_on_row_order():
    matrix, *_ = dense_votes(1)
    agreement = agreement_matrix(matrix)
    one = two_camps(agreement, anchor="E0")
    shuffled = agreement.sample(frac=1.0, random_state=3)
    two = two_camps(shuffled[shuffled.index], anchor="E0")
    assert one.axis["E0"] > 0
    assert one.blocks == two.blocks and one.swing == two.swing
    assert one.axis.to_numpy() == pytest.approx(two.axis.to_numpy())


def test_axis_silhouettes_by_hand():
    # a: own {b} at 0.1, other {s, c} at 1.1 and 2.0 -> (1.55 - 0.1) / 1.55
    x = pd.Series([-1.0, -0.9, 0.1, 1.0], index=["a", "b", "s", "c"])
    found = axis_silhouettes(x, {"a": 0, "b": 0, "s": 1, "c": 1})
    assert found["a"] == pytest.approx(1.45 / 1.55)
    assert found["s"] == pytest.approx((1.05 - 0.9) / 1.05)
    alone = axis_silhouettes(pd.Series([0.0, 1.0], index=["p", "q"]), {"p": 0, "q": 1})
    assert alone.tolist() == [0.0, 0.0]  # alone in its camp: 0 by definition


def test_errors_and_small_inputs():
    one = pd.DataFrame([[1.0]], index=["A"], columns=["A"])
    assert two_camps(one) is None
    two = pd.DataFrame([[1.0, -1.0], [-1.0, 1.0]], index=["A", "B"], columns=["A", "B"])
    assert two_camps(two).blocks == [["A"], ["B"]]
    with pytest.raises(ValueError, match="anchor 'Z' is not one of the actors"):
        two_camps(two, anchor="Z")
    with pytest.raises(ValueError, match="symmetric"):
        two_camps(pd.DataFrame([[1.0, 0.5], [0.2, 1.0]], index=["A", "B"],
                               columns=["A", "B"]))


def test_seed_keeps_south_korea_as_the_one_swing_state(memory_store):
    result = run_clusters(memory_store)
    assert result.swing == ["KOR"]
    us = next(b for b in result.camps.blocks if "USA" in b)
    other = next(b for b in result.camps.blocks if "PRK" in b)
    assert "JPN" in us and {"CHN", "RUS", "CUB", "LAO", "VNM"} <= set(other)
    assert result.camps.quality()["swing"] == 1


# ------------------------------------------------------------------------------ whole record

PEOPLE = {"USA", "JPN", "KOR", "GBR", "FRA"}
OTHERS = {"PRK", "CHN", "RUS", "CUB"}


def assert_honest(actors, swing):
    camp = actors["camp"]
    assert len({camp[a] for a in PEOPLE}) == 1, camp[list(PEOPLE)].to_dict()
    assert len({camp[a] for a in OTHERS}) == 1, camp[list(OTHERS)].to_dict()
    assert camp["USA"] != camp["PRK"]
    assert len(swing) < 0.15 * len(actors), swing
    assert not set(swing) & (PEOPLE | OTHERS)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["s_score", "share"])
def test_human_rights_camps_over_the_whole_record(full_unvotes_store, method):
    result = run_clusters(full_unvotes_store, issue="human rights", method=method,
                          start="1946", end="2020", dendrogram=False)
    assert len(result.actors) >= 190
    assert_honest(result.actors, result.swing)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["s_score", "share"])
def test_human_rights_camps_at_the_end_of_the_record(full_unvotes_store, method):
    # Without a window: the positions at the newest date (docs/TIME.md).
    result = run_clusters(full_unvotes_store, issue="human rights", method=method,
                          dendrogram=False)
    assert_honest(result.actors, result.swing)


def test_cli_clusters_window_reports_the_split(tmp_path):
    from graph.build import build
    from graph.sources.runner import run_import
    from graph.store import open_store

    uri = f"oxigraph:{tmp_path / 'store'}"
    store = open_store(uri)
    build(store)
    run_import(store, "unvotes", [SAMPLE])
    store.close()
    result = CliRunner().invoke(cli, ["clusters", "--store", uri, "--from", "1991",
                                      "--to", "2019", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (split,) = data["camp split"]
    assert split["camp_0_size"] + split["camp_1_size"] == 12
    camps = {s["state"]: s["camp"] for s in data["states"]}
    assert camps["USA"] != camps["PRK"] and camps["CHN"] == camps["CUB"]


def test_a_window_does_not_combine_with_a_date(memory_store):
    from graph.errors import StanceGraphError

    with pytest.raises(StanceGraphError, match="do not combine with --as-of"):
        run_clusters(memory_store, start="2000", as_of="2021-01-01")
