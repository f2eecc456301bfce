"""stancegraph timeline and gaps --compare (issue 11), on the seed and on the shared data; the
fast timeline (graph.analysis.periods) against the straightforward one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from import_helpers import seeded, shared

from graph.analysis.periods import STATUSES, positions_over, weights_over
from graph.analysis.run import run_gaps
from graph.analysis.temporal import Clock, aggregate_positions, claim_weights
from graph.analysis.timeline import compare_gaps, period_ends, timeline
from graph.analysis.timeline_reference import timeline_per_period
from graph.cli import cli
from graph.sources.runner import run_import

ISSUE = "DPRK human rights"


@pytest.fixture(scope="module")
def seed():
    return seeded("oxigraph:memory")


def test_period_ends():
    assert period_ends("2019-05-01", "2021-06-01") == ["2019-12-31", "2020-12-31", "2021-06-01"]
    assert period_ends("2020-01-01", "2020-03-31", "month") == [
        "2020-01-31", "2020-02-29", "2020-03-31"]


def test_the_seed_timeline_ties_each_change_to_its_claims(seed):
    found = timeline(seed, "KOR", other="USA", issue=ISSUE, start="2018-01-01")
    rows = found.rows.set_index("period")
    assert list(rows.index) == ["2018-12-31", "2019-12-31", "2020-12-31", "2021-03-27"]
    # South Korea declined every year (the Moon administration's practice, rolled up, and the
    # HRC resolutions); the US has a position only from 2021
    assert rows["position"].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert rows["other_position"].isna().tolist() == [True, True, True, False]
    assert rows.loc["2021-03-27", "distance"] == pytest.approx(0.5)
    changes = found.changes.set_index("claim")
    hrc_2019 = "https://stancegraph.org/id/claim/kim2021-31"
    hrc_2020 = "https://stancegraph.org/id/claim/kim2021-30"
    assert changes.loc[hrc_2020, "change"].tolist() == ["entered", "superseded"]
    assert found.changes[found.changes["claim"] == hrc_2019]["change"].tolist() == [
        "entered", "superseded"]
    superseded = found.changes[(found.changes["claim"] == hrc_2019)
                               & (found.changes["change"] == "superseded")]
    assert superseded["superseded_by"].tolist() == [hrc_2020]
    assert "KOR superseded: claim:kim2021-31" in rows.loc["2020-12-31", "changes"]


def test_the_office_term_ends_a_rolled_up_claim(seed):
    found = timeline(seed, "KOR", issue=ISSUE, start="2021-01-01", end="2023-01-01")
    left = found.changes[found.changes["change"] == "out of office"]
    assert set(left["claim"].str.rsplit("/", n=1).str[-1]) == {
        "kim2021-27--state", "kim2021-28--state"}
    assert set(left["period"]) == {"2022-12-31"}


def test_timeline_cli_formats(seed, tmp_path):
    runner = CliRunner()
    path = tmp_path / "store"
    from graph.build import build
    from graph.store import open_store

    store = open_store(f"oxigraph:{path}")
    build(store)
    store.close()
    args = ["timeline", "KOR", "--with", "USA", "--issue", ISSUE, "--from", "2020-01-01",
            "--store", f"oxigraph:{path}"]
    result = runner.invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["period"] for r in data["timeline"]] == ["2020-12-31", "2021-03-27"]
    assert {c["change"] for c in data["changes"]} >= {"entered", "superseded"}
    result = runner.invoke(cli, [*args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("period,actor,issue_label,issue,position")
    result = runner.invoke(cli, [*args, "--to", "2021-02-30"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: --to '2021-02-30': expected a date YYYY-MM-DD; there is no such day")
    result = runner.invoke(cli, [*args, "--half-life", "soon"])
    assert result.exit_code == 1 and result.output.startswith("Error: --half-life 'soon'")
    result = runner.invoke(cli, ["gaps", "--compare", "2021-01-01", "later", "--store",
                                 f"oxigraph:{path}"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: --compare 'later': expected a date YYYY-MM-DD"


def test_half_life_and_horizon_change_the_weights(seed):
    def weight(**kw):
        [gap] = [g for g in run_gaps(seed, actor="KOR", as_of="2023-03-23", **kw)
                 if g.issue == "dprk-human-rights"]
        return {e.claim.rsplit("/", 1)[-1]: e.weight for e in gap.evidence_b}["kim2021-32"]

    assert weight() == pytest.approx(0.5)  # two years after the 2021 co-sponsorship
    assert weight(half_life="1y") == pytest.approx(0.5 ** (730 / 365))
    # with a one-year horizon, every act of 2021 is gone by 2023: no positions, no gap
    assert not [g for g in run_gaps(seed, actor="KOR", as_of="2023-03-23", horizon="1y")
                if g.issue == "dprk-human-rights"]


# ------------------------------------------------------------------------------ done when

@pytest.fixture(scope="module")
def korea():
    """Seed + the 2023 Third Committee co-sponsors + COW alliances and rivalries."""
    cosponsors, actors = shared("unga_cosponsors", "raw"), shared("ir_actors")
    store = seeded("oxigraph:memory")
    run_import(store, "un-sponsors", [cosponsors])
    run_import(store, "alliances", [actors])
    run_import(store, "rivalries", [actors])
    return store


def _dprk(gaps):
    return {g.pair: g for g in gaps if g.issue == "dprk-human-rights"}


@pytest.mark.slow
def test_the_kor_usa_dprk_human_rights_gap_opens_and_closes(korea):
    in_2021 = run_gaps(korea, actor="KOR", as_of="2021-06-01")
    gap = _dprk(in_2021)[("KOR", "USA")]
    assert (gap.position_a, gap.position_b) == (0.0, 1.0)
    assert gap.score > 0.25 and gap in in_2021[:3]  # ranked among KOR's first gaps
    later = _dprk(run_gaps(korea, actor="KOR", as_of="2023-12-31")).get(("KOR", "USA"))
    assert later is None or later.score <= gap.score / 4
    # why: the 2023 co-sponsorship supersedes the 2021 decline (one series), and the Moon
    # administration's practice left office with it
    changes = compare_gaps(korea, "2021-06-01", "2023-12-31", actor="KOR")
    [row] = changes[changes["issue"] == ISSUE].to_dict("records")
    assert row["change"] == "closed"
    text = " | ".join(row["claims"])
    assert "KOR entered: claim:unsponsors-A-C-3-78-L-39-KOR" in text
    assert "KOR superseded by claim:unsponsors-A-C-3-78-L-39-KOR: claim:kim2021-29" in text
    assert "KOR out of office: claim:kim2021-28--state" in text


@pytest.mark.slow
def test_the_timeline_shows_the_divergence_and_the_return(korea):
    rows = timeline(korea, "KOR", other="USA", issue=ISSUE, start="2018-01-01").rows
    by_year = rows.set_index("period")["distance"]
    assert by_year["2021-12-31"] == pytest.approx(0.5)
    assert by_year["2023-11-09"] == pytest.approx(0.0)
    result = CliRunner().invoke(cli, ["timeline", "--help"])
    assert result.exit_code == 0 and "--with" in result.output


@pytest.mark.slow
def test_the_alliance_holds_in_2019_and_2023(korea):
    from graph.analysis.project import allied_pairs

    for day in ("2019-03-22", "2023-12-31"):
        basis = {(a, b): c for a, b, c in allied_pairs(korea, as_of=day)}[("KOR", "USA")]
        assert "cow-alliance-KOR-USA-defense-1953" in basis  # open-ended at the end of 2012
        assert "us-rok-mdt-1953" in basis


def test_gaps_compare_on_the_seed(seed, tmp_path):
    # by the end of 2029 every act of 2021 is past the eight-year horizon: the gaps close
    found = compare_gaps(seed, "2021-03-27", "2029-12-31", actor="KOR")
    assert set(found["change"]) == {"closed"}
    assert set(found["issue"]) >= {"DPRK human rights", "countering China and Russia"}
    row = found[found["issue"] == "DPRK human rights"].iloc[0]
    assert (row["position_a_1"], row["position_b_1"]) == (0.0, 1.0)
    assert any(text.startswith("KOR left the horizon: claim:kim2021-29") for text in row["claims"])
    # the CLI prints the same rows; --compare gives the dates, so --as-of is refused
    from graph.build import build
    from graph.store import open_store

    path = tmp_path / "store"
    store = open_store(f"oxigraph:{path}")
    build(store)
    store.close()
    result = CliRunner().invoke(cli, ["gaps", "--actor", "KOR", "--compare", "2021-03-27",
                                      "2029-12-31", "--format", "csv", "--store",
                                      f"oxigraph:{path}"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ",".join(
        ["pair", "issue", "change", "score_1", "score_2", "position_a_1", "position_b_1",
         "position_a_2", "position_b_2", "claims"])
    assert "KOR-USA,DPRK human rights,closed" in result.output
    result = CliRunner().invoke(cli, ["gaps", "--compare", "2021-03-27", "2029-12-31",
                                      "--as-of", "2021-01-01", "--store", f"oxigraph:{path}"])
    assert result.exit_code == 2 and "leave out --as-of" in result.output


# ------------------------------------------------------------------------------ the fast path
# timeline() weighs every period at once (weights_over, positions_over); timeline_per_period()
# is the straightforward computation, one claim_weights + aggregate_positions per period.
# Both must give the same answers.

TESTS_DATA = Path(__file__).resolve().parent / "data"
_DAYS = [f"{y}-{m:02d}-{d:02d}" for y in (2018, 2019, 2020, 2021) for m in (1, 6, 12)
         for d in (1, 28)]


def _day(draw, empty=0.3):
    return "" if draw(st.floats(0, 1)) < empty else draw(st.sampled_from(_DAYS))


@st.composite
def hand_made(draw):
    """Claims (acts and standing relations; dated, intervals, open-ended, undated), a few
    repeated rows, office terms on some (one side or both, several terms), and dates."""
    rows = []
    for i in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["Act", "Act", "Standing"]))
        shape = draw(st.sampled_from(["date", "date", "interval", "from", "none"]))
        date = draw(st.sampled_from(_DAYS)) if shape == "date" else ""
        start = draw(st.sampled_from(_DAYS)) if shape in ("interval", "from") else ""
        until = _day(draw, 0) if shape == "interval" else ""
        if start and until and until < start:
            start, until = until, start
        rows.append({"claim": f"c{i:02d}", "actor": draw(st.sampled_from(["KOR", "USA"])),
                     "key": draw(st.sampled_from(["k1", "k2", "series:s"])), "kind": kind,
                     "date": date, "valid_from": start, "valid_until": until,
                     "open_ended": draw(st.booleans()) and shape == "interval",
                     "issue": draw(st.sampled_from(["hr", "nu"])),
                     "relation": draw(st.sampled_from(["declined", "coSponsored"])),
                     "position": draw(st.sampled_from([-1.0, 0.0, 0.5, 1.0]))})
    frame = pd.DataFrame(rows)
    repeat = draw(st.lists(st.integers(0, len(frame) - 1), max_size=3))
    frame = pd.concat([frame, frame.iloc[repeat]], ignore_index=True)
    terms = []
    for claim in draw(st.lists(st.sampled_from(list(frame["claim"].unique())), max_size=4)):
        for _ in range(draw(st.integers(1, 2))):
            first, last = sorted([_day(draw), _day(draw)], key=lambda d: d or "0")
            terms.append({"claim": claim, "side": draw(st.sampled_from(["actor", "target"])),
                          "start": first, "end": last, "open_ended": draw(st.booleans())})
    terms = pd.DataFrame(terms, columns=["claim", "side", "start", "end", "open_ended"])
    days = sorted(draw(st.lists(st.sampled_from(_DAYS), min_size=1, max_size=6, unique=True)))
    clock = Clock(days[-1], draw(st.sampled_from([30, 365, 730])),
                  draw(st.sampled_from([200, 800, 2920])))
    return frame, terms, days, clock


@settings(max_examples=120, deadline=None)
@given(hand_made())
def test_weights_over_are_claim_weights_at_each_date(case):
    frame, terms, days, clock = case
    found = weights_over(frame, days, clock, terms)
    for p, day in enumerate(days):
        one = claim_weights(frame, clock.at(day), terms)
        assert found.weight[:, p] == pytest.approx(one["weight"].to_numpy())
        assert [STATUSES[c] for c in found.status[:, p]] == one["status"].tolist()
        assert found.superseded_by[:, p].tolist() == one["superseded_by"].tolist()
        np.testing.assert_array_equal(found.t[:, p], one["t"].to_numpy(dtype=float))


@settings(max_examples=80, deadline=None)
@given(hand_made())
def test_positions_over_are_the_positions_at_each_date(case):
    frame, terms, days, clock = case
    found = positions_over(frame, days, clock, terms)
    for day in days:
        one = aggregate_positions(claim_weights(frame, clock.at(day), terms), claims=False)
        mine = found[found["period"] == day].reset_index(drop=True)
        assert mine[["actor", "issue"]].values.tolist() == one[["actor", "issue"]].values.tolist()
        assert mine["position"].tolist() == pytest.approx(one["position"].astype(float).tolist())
        assert mine["weight"].tolist() == pytest.approx(one["weight"].astype(float).tolist())
        assert mine["keys"].tolist() == one["keys"].tolist()


def test_weights_over_on_a_superseded_series():
    acts = pd.DataFrame({"claim": ["hrc-2019", "hrc-2020", "unga-2023"],
                         "actor": ["KOR"] * 3, "key": ["series:dprk-hr"] * 3,
                         "kind": ["Act"] * 3,
                         "date": ["2019-03-22", "2020-06-22", "2023-11-15"]})
    days = ["2019-12-31", "2020-12-31", "2023-12-31", "2032-12-31"]
    found = weights_over(acts, days, Clock(days[-1]))
    assert (found.weight > 0).tolist() == [[True, False, False, False],
                                           [False, True, False, False],
                                           [False, False, True, False]]
    assert found.superseded_by[0].tolist() == ["", "hrc-2020", "unga-2023", "unga-2023"]
    assert [STATUSES[c] for c in found.status[2]] == ["future", "future", "counts",
                                                       "beyond horizon"]
    assert found.weight[2, 2] == pytest.approx(0.5 ** (46 / 730))


def _same(store, **kw):
    fast, slow = timeline(store, **kw), timeline_per_period(store, **kw)
    pd.testing.assert_frame_equal(fast.rows, slow.rows, check_dtype=False)
    pd.testing.assert_frame_equal(fast.changes, slow.changes, check_dtype=False)
    assert (fast.actor, fast.other, fast.issue) == (slow.actor, slow.other, slow.issue)
    return fast


@pytest.fixture(scope="module")
def mixed():
    """The seed, the 2023 co-sponsorship (tests/data) and the importers' test samples: UN
    votes, co-sponsors, COW alliances and rivalries, a hand-coded sheet, events."""
    from graph.build import build
    from graph.store import open_store

    store = open_store("oxigraph:memory")
    build(store, [TESTS_DATA / "kor_cosponsors_2023.ttl"])
    for kind, path in [("unvotes", "unvotes_sample"), ("un-sponsors", "import/un_sponsors"),
                       ("alliances", "import/cow"), ("rivalries", "import/cow"),
                       ("csv", "import/csv/hand_coded.csv"),
                       ("events", "import/events/gdelt_mixed_sample.tsv")]:
        run_import(store, kind, [TESTS_DATA / path])
    return store


@pytest.mark.parametrize("kw", [
    {"actor": "USA"},
    {"actor": "KOR", "other": "USA"},
    {"actor": "KOR", "other": "USA", "issue": ISSUE, "start": "2018-01-01", "step": "month"},
    {"actor": "KOR", "other": "USA", "issue": "human rights"},
    {"actor": "PRK", "other": "CHN", "half_life": "90d", "horizon": "1y"},
    {"actor": "KOR", "issue": ISSUE, "start": "2021-01-01", "end": "2023-01-01"},
    {"actor": "USA", "other": "KOR", "end": "2030-01-01"},
], ids=lambda kw: " ".join(f"{k}={v}" for k, v in kw.items()))
def test_the_fast_timeline_is_the_per_period_one(mixed, kw):
    found = _same(mixed, **kw)
    assert len(found.rows) and len(found.changes)


def test_the_fast_timeline_on_the_seed_in_rdflib():
    # the rdflib store has no CSV serialisation: the rows come one by one
    from graph.build import build
    from graph.store import open_store

    store = open_store("memory:")
    build(store, [TESTS_DATA / "kor_cosponsors_2023.ttl"])
    found = _same(store, actor="KOR", other="USA", issue=ISSUE, start="2018-01-01")
    assert found.rows.set_index("period")["distance"].iloc[-1] == pytest.approx(0.0)


def test_the_fast_timeline_over_the_whole_un_record(full_unvotes_store):
    found = _same(full_unvotes_store, actor="USA")
    assert found.rows["period"].nunique() > 70  # 1946 to 2021, year by year
    found = _same(full_unvotes_store, actor="KOR", other="USA", issue="human rights",
                  start="2005-01-01", step="month")
    assert found.rows["agreement"].notna().any()
