"""stancegraph timeline and gaps --compare (issue 11), on the seed and on the shared data."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from import_helpers import seeded, shared

from graph.analysis.run import run_gaps
from graph.analysis.timeline import compare_gaps, period_ends, timeline
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
