"""Change points (graph.algorithms.changepoints) and the roll calls that moved across them."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from graph.algorithms import changepoints as changepoints_module
from graph.algorithms.changepoints import (
    change_points,
    moved_roll_calls,
    noise_variance,
)


def test_doctests():
    result = doctest.testmod(changepoints_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def steps(levels, length=10, noise=0.02, seed=0):
    rng = np.random.default_rng(seed)
    values = np.concatenate([np.full(length, level) for level in levels])
    values = values + rng.normal(0.0, noise, len(values))
    return pd.Series(values, index=range(1946, 1946 + len(values)))


def test_two_level_shifts_are_found_where_they_are():
    found = change_points(steps([0.8, 0.3, 0.6]))
    assert [(c.previous, c.period) for c in found] == [(1955, 1956), (1965, 1966)]
    assert [c.shift for c in found] == pytest.approx([-0.5, 0.3], abs=0.03)
    assert (found[0].start, found[-1].end) == (1946, 1975)


@pytest.mark.parametrize("factor", [0.01, 1.0, 100.0])
def test_the_penalty_follows_the_variance_so_units_do_not_matter(factor):
    series = steps([0.8, 0.3, 0.6]) * factor
    assert [c.period for c in change_points(series)] == [1956, 1966]


def test_noise_alone_gives_no_change():
    rng = np.random.default_rng(5)
    series = pd.Series(rng.normal(0.5, 0.1, 60), index=range(60))
    assert change_points(series) == []


def test_a_larger_scale_keeps_only_the_big_shift():
    wiggle = np.tile([0.004, -0.003, 0.001, -0.002, 0.0], 6)  # fixed, small noise
    series = pd.Series(np.repeat([0.8, 0.75, 0.2], 10) + wiggle, index=range(1946, 1976))
    assert [c.period for c in change_points(series)] == [1956, 1966]
    assert [c.period for c in change_points(series, scale=1000.0)] == [1966]


def test_short_and_gappy_series():
    assert change_points(pd.Series([1.0, 2.0, 3.0], index=[1, 2, 3])) == []
    gappy = pd.Series([0.1, np.nan, 0.1, 0.1, 0.9, 0.9, np.nan, 0.9], index=range(8))
    (change,) = change_points(gappy)
    assert (change.previous, change.period) == (3, 4)  # NaN periods are left out


def test_noise_variance_ignores_the_jumps():
    assert noise_variance([0.0, 0.0, 5.0, 5.0, 5.0]) == 0.0
    assert noise_variance([1.0]) == 0.0


def test_errors():
    series = steps([0.0, 1.0])
    with pytest.raises(ValueError, match="scale must be positive"):
        change_points(series, scale=0)
    with pytest.raises(ValueError, match="min_size must be a positive integer"):
        change_points(series, min_size=0)
    with pytest.raises(ValueError, match="one state or a pair"):
        moved_roll_calls(pd.DataFrame(columns=["item", "actor", "position", "period"]),
                         pd.Series(dtype=str), ["A", "B", "C"], [1], [2])


def test_moved_roll_calls_rank_recurring_questions_by_how_far_they_moved():
    rows, labels = [], {}
    for period in (1, 2, 3, 4):
        for question, a_vote, b_before, b_after in (("Human rights in X", 1.0, 1.0, -1.0),
                                                   ("Nuclear tests", 1.0, 1.0, 0.0),
                                                   ("Budget", 1.0, 1.0, 1.0)):
            item = f"{question[:3]}-{period}"
            labels[item] = f"{question} {1990 + period}"
            b_vote = b_before if period <= 2 else b_after
            rows += [(item, "A", a_vote, period), (item, "B", b_vote, period)]
    rows.append(("once-3", "A", 1.0, 3))
    rows.append(("once-3", "B", -1.0, 3))
    labels["once-3"] = "A question asked once"
    votes = pd.DataFrame(rows, columns=["item", "actor", "position", "period"])
    table = moved_roll_calls(votes, pd.Series(labels), ["A", "B"], [1, 2], [3, 4])
    assert table["question"].tolist() == ["Human rights in X 1993", "Nuclear tests 1993",
                                          "Budget 1993"]
    assert table["moved"].tolist() == pytest.approx([-2.0, -1.0, 0.0])
    assert table[["roll_calls_before", "roll_calls_after"]].iloc[0].tolist() == [2, 2]
    assert (table.loc[0, "last_before"], table.loc[0, "first_after"]) == ("Hum-2", "Hum-3")
    one = moved_roll_calls(votes, pd.Series(labels), ["B"], [1, 2], [3, 4], top=1)
    assert one["question"].tolist() == ["Human rights in X 1993"]
    assert one["moved"].tolist() == pytest.approx([-2.0])
