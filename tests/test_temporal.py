"""docs/TIME.md on hand-made claims: decay, horizon, supersession, one value per key, office
terms, open intervals, "now", and duplicates that never move a position."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analysis.temporal import (
    DEFAULT_HALF_LIFE,
    DEFAULT_HORIZON,
    Clock,
    aggregate_positions,
    claim_weights,
    make_clock,
    newest_date,
    parse_duration,
)
from graph.errors import InputError


def claims(*rows):
    """Claims from (claim, actor, key, kind, date, valid_from, valid_until, position)."""
    columns = ["claim", "actor", "key", "kind", "date", "valid_from", "valid_until", "position"]
    frame = pd.DataFrame([dict(zip(columns, r, strict=True)) for r in rows], columns=columns)
    return frame.assign(issue="hr", relation="declined")


def weights(frame, day, **kw):
    out = claim_weights(frame, Clock(day, **kw))
    return dict(zip(out["claim"], out["weight"], strict=True)), out


# ------------------------------------------------------------------------------ acts

def test_an_act_decays_with_its_half_life():
    frame = claims(("a", "KOR", "r1", "Act", "2019-01-01", "", "", 0.0))
    w, out = weights(frame, "2021-01-01")  # 731 days
    assert w["a"] == pytest.approx(0.5 ** (731 / 730))
    w, _ = weights(frame, "2019-01-01")
    assert w["a"] == pytest.approx(1.0)
    w, _ = weights(frame, "2020-01-01", half_life=365)
    assert w["a"] == pytest.approx(0.5)
    assert out["status"].tolist() == ["counts"]


def test_an_act_in_the_future_does_not_count():
    w, out = weights(claims(("a", "KOR", "r1", "Act", "2023-11-02", "", "", 1.0)), "2021-06-01")
    assert w["a"] == 0 and out["status"].tolist() == ["future"]


def test_an_act_past_the_horizon_does_not_count():
    frame = claims(("a", "KOR", "r1", "Act", "2010-01-01", "", "", 1.0))
    w, out = weights(frame, "2017-12-30")  # 2920 days: the last day it counts
    assert w["a"] == pytest.approx(0.5 ** (2920 / 730)) == pytest.approx(1 / 16)
    w, out = weights(frame, "2017-12-31")
    assert w["a"] == 0 and out["status"].tolist() == ["beyond horizon"]
    w, _ = weights(frame, "2017-12-31", horizon=4000)
    assert w["a"] > 0


def test_a_later_act_on_the_same_target_supersedes():
    frame = claims(("old", "KOR", "r1", "Act", "2019-03-22", "", "", 0.0),
                   ("new", "KOR", "r1", "Act", "2021-03-23", "", "", 1.0),
                   ("usa", "USA", "r1", "Act", "2019-03-22", "", "", 1.0))
    w, out = weights(frame, "2021-06-01")
    assert w["old"] == 0 and w["new"] > 0 and w["usa"] > 0  # another actor is untouched
    row = out.set_index("claim").loc["old"]
    assert row["status"] == "superseded" and row["superseded_by"] == "new"
    # before the later act, the earlier one counts
    w, _ = weights(frame, "2020-01-01")
    assert w["old"] > 0 and w["new"] == 0


def test_supersession_runs_across_a_series():
    # the HRC's 2021 and the GA's 2023 DPRK human rights resolutions share one key: the series
    frame = claims(("hrc", "KOR", "series:dprk-hr", "Act", "2021-03-23", "", "", 0.0),
                   ("ga", "KOR", "series:dprk-hr", "Act", "2023-11-02", "", "", 1.0),
                   ("other", "KOR", "res:other", "Act", "2019-01-01", "", "", 0.0))
    w, out = weights(frame, "2023-12-31")
    assert w["hrc"] == 0 and w["ga"] > 0 and w["other"] > 0
    assert out.set_index("claim").loc["hrc", "superseded_by"] == "ga"


def test_acts_of_one_day_on_one_key_all_count():
    frame = claims(("s", "USA", "r1", "Act", "2021-03-23", "", "", 1.0),
                   ("c", "USA", "r1", "Act", "2021-03-23", "", "", 1.0))
    w, _ = weights(frame, "2021-06-01")
    assert w["s"] == w["c"] > 0


def test_an_act_given_as_an_interval_counts_inside_it_then_decays():
    frame = claims(("a", "KOR", "issue:hr", "Act", "", "2017-05-10", "2021-03-27", 0.0))
    assert weights(frame, "2017-05-09")[0]["a"] == 0
    assert weights(frame, "2020-01-01")[0]["a"] == pytest.approx(1.0)
    assert weights(frame, "2023-03-27")[0]["a"] == pytest.approx(0.5 ** (730 / 730))


# ------------------------------------------------------------------------------ standing

def test_a_standing_claim_holds_inside_its_interval_only():
    frame = claims(("mdt", "USA", "KOR", "Standing", "", "1954-11-17", "", 1.0),
                   ("spell", "USA", "JPN", "Standing", "", "1951-01-01", "1953-12-31", 1.0))
    w, out = weights(frame, "2023-12-31")
    assert w == {"mdt": 1.0, "spell": 0.0}  # no decay for standing relations
    assert out.set_index("claim").loc["spell", "status"] == "ended"
    assert weights(frame, "1953-06-01")[0] == {"mdt": 0.0, "spell": 1.0}


def test_an_open_ended_interval_counts_after_the_end_of_coverage():
    frame = claims(("cow", "KOR", "USA", "Standing", "", "1953-01-01", "2012-12-31", 1.0))
    assert weights(frame, "2019-06-01")[0]["cow"] == 0
    w, _ = weights(frame.assign(open_ended=True), "2019-06-01")
    assert w["cow"] == 1.0


def test_a_standing_claim_with_one_date_holds_from_it_on():
    frame = claims(("a", "USA", "KOR", "Standing", "2021-03-18", "", "", 1.0))
    assert weights(frame, "2021-03-17")[0]["a"] == 0
    assert weights(frame, "2040-01-01")[0]["a"] == 1.0


# ------------------------------------------------------------------------------ office

def test_a_rolled_up_claim_counts_only_while_in_office():
    frame = claims(("moon", "KOR", "issue:hr", "Act", "2021-03-18", "", "", 0.0),
                   ("stated", "KOR", "issue:x", "Act", "2021-03-18", "", "", 0.0))
    terms = pd.DataFrame({"claim": ["moon"], "start": ["2017-05-10"], "end": ["2022-05-09"]})
    inside = claim_weights(frame, Clock("2022-05-09"), terms).set_index("claim")
    after = claim_weights(frame, Clock("2022-05-10"), terms).set_index("claim")
    assert inside.loc["moon", "weight"] > 0
    assert after.loc["moon", "weight"] == 0 and after.loc["moon", "status"] == "out of office"
    assert after.loc["stated", "weight"] > 0  # claims without terms are not limited


def test_any_term_covers_and_each_rolled_up_side_must_be_in_office():
    frame = claims(("c", "KOR", "PRK", "Act", "2021-03-18", "", "", 0.0))
    terms = pd.DataFrame({"claim": ["c", "c", "c"], "side": ["actor", "actor", "target"],
                          "start": ["2000-01-01", "2020-01-01", "2011-12-17"],
                          "end": ["2004-12-31", "", "2020-12-31"]})
    assert claim_weights(frame, Clock("2021-06-01"), terms)["weight"].iloc[0] == 0
    terms.loc[2, "end"] = ""
    assert claim_weights(frame, Clock("2021-06-01"), terms)["weight"].iloc[0] > 0


# ------------------------------------------------------------------------------ positions

def test_one_value_per_key_then_weighted_over_keys():
    frame = claims(("s", "USA", "r1", "Act", "2021-03-23", "", "", 1.0),
                   ("c", "USA", "r1", "Act", "2021-03-23", "", "", 1.0),
                   ("d", "USA", "r2", "Act", "2019-03-23", "", "", -1.0))
    frame["relation"] = ["supports", "coSponsored", "criticizes"]
    out = claim_weights(frame, Clock("2021-03-23"))
    [row] = aggregate_positions(out).to_dict("records")
    w2 = 0.5 ** (731 / 730)
    assert row["position"] == pytest.approx((1.0 * 1 + w2 * -1) / (1 + w2))
    assert row["keys"] == 2 and row["claims"] == ("c", "d", "s")


def test_newest_date_and_the_clock(memory_store):
    # "now" is the newest date of a claim, not an office term (Moon's runs to 2022-05-09)
    assert newest_date(memory_store) == "2021-03-27"
    assert newest_date(memory_store, today="2021-03-20") == "2021-03-20"
    clock = make_clock(memory_store)
    assert (clock.as_of, clock.half_life, clock.horizon) == (
        "2021-03-27", DEFAULT_HALF_LIFE, DEFAULT_HORIZON)
    assert make_clock(memory_store, "2023-12-31", "18m", "8y") == Clock("2023-12-31", 548, 2920)


@pytest.mark.parametrize("text, days", [("730", 730), ("730d", 730), ("2y", 730),
                                        ("24m", 730), ("1.5y", 548)])
def test_durations(text, days):
    assert parse_duration(text) == days


@pytest.mark.parametrize("text", ["", "0", "-2y", "2w", "two years"])
def test_bad_durations_are_one_line_errors(text):
    with pytest.raises(InputError, match=r"^--half-life .*: expected a positive duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["2021-13-01", "yesterday", "20210301", "2021-02-30"])
def test_bad_dates_are_one_line_errors(text):
    with pytest.raises(InputError, match=r"^--as-of .*: expected a date YYYY-MM-DD"):
        make_clock(None, text)


# ------------------------------------------------------------------------------ property

_rows = st.lists(
    st.tuples(st.sampled_from(["KOR", "USA"]), st.sampled_from(["r1", "r2", "s1"]),
              st.sampled_from(["Act", "Standing"]),
              st.dates(min_value=pd.Timestamp("2010-01-01").date(),
                       max_value=pd.Timestamp("2024-01-01").date()),
              st.sampled_from([-1.0, 0.0, 0.5, 1.0]),
              st.sampled_from(["supports", "declined", "coSponsored"])),
    min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(rows=_rows, which=st.data(), as_of=st.dates(
    min_value=pd.Timestamp("2012-01-01").date(), max_value=pd.Timestamp("2025-01-01").date()))
def test_duplicating_a_claim_never_changes_a_position(rows, which, as_of):
    frame = pd.DataFrame(
        [{"claim": f"c{i}", "actor": a, "key": k, "kind": kind, "date": d.isoformat(),
          "position": p, "relation": rel, "issue": "hr"}
         for i, (a, k, kind, d, p, rel) in enumerate(rows)])
    i = which.draw(st.integers(0, len(frame) - 1))
    same_iri = pd.concat([frame, frame.iloc[[i]]], ignore_index=True)
    new_iri = pd.concat([frame, frame.iloc[[i]].assign(claim="copy")], ignore_index=True)
    clock = Clock(as_of.isoformat())
    base = aggregate_positions(claim_weights(frame, clock)).set_index(["actor", "issue"])
    for variant in (same_iri, new_iri):
        other = aggregate_positions(claim_weights(variant, clock)).set_index(["actor", "issue"])
        assert list(other.index) == list(base.index)
        for key in base.index:
            assert other.loc[key, "position"] == pytest.approx(base.loc[key, "position"])
