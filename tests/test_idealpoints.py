"""Ideal points (graph.algorithms.idealpoints): recovery of known points from votes drawn from the
model, the sign, the uncertainty, and (slow) the published estimates of Bailey, Strezhnev and
Voeten per decade."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graph.algorithms import idealpoints as idealpoints_module
from graph.algorithms.idealpoints import ideal_points

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_doctests():
    result = doctest.testmod(idealpoints_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def simulated(seed=0, states=30, sessions=8, roll_calls=40):
    """Votes drawn from the ordered logit with ideal points that drift, and the truth."""
    rng = np.random.default_rng(seed)
    names = ["USA"] + [f"S{k:02d}" for k in range(states - 1)]
    start = np.sort(rng.normal(0, 1, states))[::-1]  # USA highest
    truth, rows = {}, []
    for session in range(1, sessions + 1):
        drift = start + 0.05 * session * np.linspace(-1, 1, states)
        for k, name in enumerate(names):
            truth[name, session] = drift[k]
        for j in range(roll_calls):
            slope, cut, gap = rng.normal(0, 1.5), rng.normal(-0.5, 1), abs(rng.normal(1, 0.3))
            eta = slope * drift - cut
            p_up, p_yes = 1 / (1 + np.exp(-eta)), 1 / (1 + np.exp(-(eta - gap)))
            u = rng.random(states)
            vote = np.where(u < p_yes, 1.0, np.where(u < p_up, 0.0, -1.0))
            for k, name in enumerate(names):
                if rng.random() < 0.95:  # a few absences
                    rows.append((f"s{session}-r{j}", name, vote[k], session))
    votes = pd.DataFrame(rows, columns=["item", "actor", "position", "session"])
    return votes, pd.Series(truth)


def test_known_points_are_recovered_on_one_scale_with_the_us_positive():
    votes, truth = simulated()
    fit = ideal_points(votes)
    assert fit.converged
    points = fit.points.set_index(["actor", "period"])["ideal"]
    both = pd.concat([points, truth.rename_axis(["actor", "period"])], axis=1).dropna()
    assert np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1] > 0.9
    assert points.loc["USA"].mean() > 0
    assert points.mean() == pytest.approx(0.0, abs=1e-9)
    assert points.std(ddof=0) == pytest.approx(1.0)


def test_the_sign_follows_the_anchor():
    votes, _ = simulated(seed=1)
    usa = ideal_points(votes).points.query("actor == 'USA'")["ideal"].mean()
    flipped = ideal_points(votes, anchor="S28").points
    assert usa > 0 and flipped.query("actor == 'S28'")["ideal"].mean() > 0
    assert flipped.query("actor == 'USA'")["ideal"].mean() == pytest.approx(-usa, rel=1e-3)


def test_uncertainty_shrinks_with_more_votes():
    votes, _ = simulated(seed=2)
    few = votes[~((votes["actor"] == "S05") & (votes["item"].str.endswith(("1", "2", "3",
                                                                            "4", "5"))))]
    fit = ideal_points(few).points.set_index("actor")
    assert (fit["se"] > 0).all()
    per_state = fit.groupby(level=0)[["se", "votes"]].mean()
    assert per_state.loc["S05", "votes"] < per_state.drop("S05")["votes"].min()
    assert per_state.loc["S05", "se"] > per_state.drop("S05")["se"].median()


def test_roll_call_parameters_are_returned():
    votes, _ = simulated(seed=3, states=12, sessions=2, roll_calls=10)
    fit = ideal_points(votes)
    assert len(fit.items) == votes["item"].nunique()
    assert (fit.items["votes"] > 0).all()
    assert fit.iterations > 0 and np.isfinite(fit.log_posterior)


def test_errors():
    votes, _ = simulated(seed=4, states=5, sessions=2, roll_calls=4)
    with pytest.raises(ValueError, match="missing columns: session"):
        ideal_points(votes.drop(columns="session"))
    with pytest.raises(ValueError, match="positions must be -1, 0 or 1"):
        ideal_points(votes.assign(position=0.5))
    with pytest.raises(ValueError, match="evolution must be positive"):
        ideal_points(votes, evolution=0)
    with pytest.raises(ValueError, match="must be integers"):
        ideal_points(votes.assign(session=votes["session"] + 0.5))


def bsv_comparison(points):
    """Our points next to Bailey, Strezhnev and Voeten's (1946-1990), matched by COW code."""
    from graph.sources.countries import iso3_from_cow

    published = pd.read_csv(SHARED / "unvotes" / "bsv_idealpoints_1946_1990.csv")
    cow = pd.read_csv(SHARED / "ir_actors" / "cow_states.csv").drop_duplicates("stateabb")
    codes = {r.stateabb: iso3_from_cow(int(r.ccode), r.statenme) for r in cow.itertuples()}
    published["actor"] = published["CountryAbb"].map(codes)
    published["session"] = published["Year"] - 1945  # session 1 met in 1946
    both = published.merge(points, on=["actor", "session"])
    both["decade"] = both["Year"] // 10 * 10
    return both


@pytest.mark.slow
def test_the_whole_record_agrees_with_the_published_estimates_per_decade():
    from graph.analysis.votes import idealpoints, read_votes_csv

    for part in ("unvotes", "ir_actors"):
        if not (SHARED / part).is_dir():
            pytest.skip(f"the shared datasets are absent ({SHARED / part} not found)")
    fit = idealpoints(read_votes_csv(SHARED / "unvotes"))
    assert fit.converged
    both = bsv_comparison(fit.points)
    assert len(both) > 4900  # nearly every published state-year is matched
    by_decade = both.groupby("decade").apply(lambda d: d["idealpoint"].corr(d["ideal"]))
    print(by_decade.round(3).to_dict())
    assert (by_decade > 0.85).all(), by_decade.to_dict()
