"""The analyses on the seed data: the findings users come for, traced to evidence."""

import json

import pytest
from click.testing import CliRunner

from graph.analysis import actor_profile, gap_rows, run_balance, run_clusters, run_gaps
from graph.analysis.items import position_items
from graph.analysis.project import allied_pairs, positions, state_graph
from graph.build import build
from graph.cli import cli
from graph.store import open_store


@pytest.fixture(scope="module")
def seed_store():
    store = open_store("memory:")
    build(store)
    return store


@pytest.fixture(scope="module")
def seed_disk(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "db"
    store = open_store(f"oxigraph:{path}")
    build(store)
    store.close()
    return f"oxigraph:{path}"


# ---------------------------------------------------------------------- projections

def test_state_graph_edges_carry_claims_and_signs(seed_store):
    G = state_graph(seed_store)
    assert set(G) >= {"USA", "KOR", "PRK", "CHN", "RUS", "JPN", "CUB", "VNM", "LAO"}
    assert G["USA"]["KOR"]["sign"] == 1 and "alignedWith" in G["USA"]["KOR"]["relations"]
    assert G["USA"]["CHN"]["sign"] == -1
    # Blinken's criticism of the Kim regime reaches the state level through the roll-up.
    assert any(c.endswith("kim2021-24--state") for c in G["USA"]["PRK"]["claims"])


def test_positions_propagate_up_the_issue_hierarchy(seed_store):
    table = positions(seed_store)
    direct = table[(table.issue == "dprk-human-rights") & (table.via == "")]
    assert {"USA", "KOR", "JPN"} <= set(direct.actor)
    up = table[(table.issue == "human-rights") & (table.via == "dprk-human-rights")]
    assert set(up.claim) <= set(direct.claim) and len(up) == len(direct)


def test_as_of_keeps_only_claims_valid_that_day(seed_store):
    in_2017 = positions(seed_store, as_of="2017-06-01")
    assert "kim2021-50" in " ".join(in_2017.claim)  # China's 2017 sanctions
    assert "kim2021-32" not in " ".join(in_2017.claim)  # the 2021 co-sponsorship


def test_position_items_use_the_resolution_as_item(seed_store):
    # a resolution of a recurring series is compared as its series (docs/TIME.md)
    items = position_items(seed_store, issue="DPRK human rights")
    on_2021 = items[items["item"] == "series:dprk-human-rights"].set_index("actor")["position"]
    assert [on_2021["USA"], on_2021["JPN"], on_2021["KOR"]] == pytest.approx([1.0, 1.0, 0.0])
    weapons = position_items(seed_store, issue="DPRK nuclear and missile programmes")
    # violating a 2006 resolution in 2021 counts from the claim's own date
    assert "unsc-1718" in set(weapons.loc[weapons["actor"] == "PRK", "item"])


def test_allied_pairs_from_aligned_claims(seed_store):
    pairs = {(a, b) for a, b, _ in allied_pairs(seed_store)}
    assert {("KOR", "USA"), ("JPN", "USA"), ("CHN", "PRK")} <= pairs


# ---------------------------------------------------------------------- findings

def test_top_gaps_are_the_us_rok_frictions(seed_store):
    gaps = run_gaps(seed_store)
    top = {(g.actor_a, g.actor_b, g.issue) for g in gaps[:4]}
    assert top == {
        ("KOR", "USA", "countering-china-russia"),
        ("KOR", "USA", "inter-korean-engagement"),
        ("KOR", "USA", "pressure-campaign"),
        ("KOR", "USA", "dprk-human-rights"),
    }
    human_rights = next(g for g in gaps if g.issue == "dprk-human-rights")
    assert (human_rights.position_a, human_rights.position_b) == pytest.approx((0.0, 1.0))
    relations_a = {e.relation for e in human_rights.evidence_a}
    relations_b = {e.relation for e in human_rights.evidence_b}
    assert relations_a == {"declined"} and {"coSponsored", "criticizes"} <= relations_b
    assert all(e.evidence and e.source_title for e in human_rights.evidence_a)


def test_gap_filters(seed_store):
    only_china = run_gaps(seed_store, actor="CHN")
    assert only_china and all("CHN" in (g.actor_a, g.actor_b) for g in only_china)
    broad = run_gaps(seed_store, issue="human rights")
    assert {g.issue for g in broad} == {"human-rights"}
    every = run_gaps(seed_store)
    assert run_gaps(seed_store, min_score=0.7) == [g for g in every if g.score >= 0.7]
    # Before the 2021 claims existed, there were no US-ROK gaps on countering China and Russia.
    assert not [g for g in run_gaps(seed_store, as_of="2018-06-01")
                if g.issue == "countering-china-russia"]


@pytest.mark.parametrize("actor", ["CHN", "KOR", "USA", "JPN"])
def test_one_states_gaps_read_only_its_allies_but_score_on_everything(seed_store, actor):
    # run_gaps(actor=...) reads the claims of the state and its allies only, with salience
    # counted in the store over all claims: it must agree with the whole computation.
    every = [g for g in run_gaps(seed_store) if actor in (g.actor_a, g.actor_b)]
    assert run_gaps(seed_store, actor=actor) == every


def test_us_rok_china_triad_is_unbalanced(seed_store):
    report = run_balance(seed_store)
    triads = {t.nodes: t for t in report.triads}
    assert triads[("CHN", "KOR", "USA")].balanced is False
    assert report.frustration.exact and report.frustration.value >= 1


def test_clusters_two_camps_and_south_korea_swings(seed_store):
    result = run_clusters(seed_store)
    camps = {frozenset(block) for block in result.camps.blocks}
    us_camp = next(c for c in camps if "USA" in c)
    other = next(c for c in camps if "PRK" in c)
    assert {"USA", "JPN"} <= us_camp
    assert {"PRK", "CHN", "RUS", "CUB", "VNM", "LAO"} <= other
    assert result.swing == ["KOR"]
    assert result.actors.loc["KOR", "silhouette"] == result.actors["silhouette"].min()
    us = next(c for c in result.communities if "USA" in c)
    assert "JPN" in us and "PRK" not in us


def test_clusters_are_deterministic(seed_store):
    first, second = run_clusters(seed_store), run_clusters(seed_store)
    assert first.communities == second.communities
    assert first.actors.equals(second.actors)


def test_clusters_on_one_issue(seed_store):
    result = run_clusters(seed_store, issue="dprk-human-rights")
    assert set(result.actors.index) == {"USA", "KOR", "JPN"}
    assert result.report.agreement.loc["USA", "JPN"] == pytest.approx(1.0)


def test_actor_profile(seed_store):
    profile = actor_profile(seed_store, "KOR")
    assert profile.label == "South Korea"
    assert any(a["state"] == "USA" for a in profile.allies)
    assert profile.gaps and profile.gaps[0]["pair"] == "KOR-USA"
    person = actor_profile(seed_store, "blinken")
    assert person.kind == "person" and person.positions


def test_gap_rows_carry_sources(seed_store):
    rows = gap_rows(run_gaps(seed_store))
    assert rows[0]["sources"] == ["North Korea conducted more missile tests. What happens next?"]


# ---------------------------------------------------------------------- CLI

@pytest.mark.parametrize("command", [["gaps"], ["balance"], ["clusters"], ["actor", "KOR"]])
@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_cli_analysis_commands(seed_disk, command, fmt):
    result = CliRunner().invoke(cli, [*command, "--store", seed_disk, "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        json.loads(result.output)
    else:
        assert "KOR" in result.output


def test_cli_gaps_json_has_evidence(seed_disk):
    result = CliRunner().invoke(cli, ["gaps", "--store", seed_disk, "--format", "json"])
    top = json.loads(result.output)["gaps"][0]
    assert {top["actor_a"], top["actor_b"]} == {"KOR", "USA"}
    assert top["evidence_a"] and top["evidence_b"][0]["evidence"]  # the quoted fragment
    # each claim carries its weight at D and why it counts or not (docs/TIME.md)
    assert {"weight", "status", "superseded_by"} <= set(top["evidence_b"][0])


def test_cli_clusters_reports_swing(seed_disk):
    result = CliRunner().invoke(cli, ["clusters", "--store", seed_disk, "--format", "json",
                                      "--matrix"])
    data = json.loads(result.output)
    assert data["swing states"] == [{"state": "KOR"}]
    assert data["agreement"]


def test_cli_balance_lists_unbalanced_triad(seed_disk):
    result = CliRunner().invoke(cli, ["balance", "--store", seed_disk, "--format", "csv"])
    assert "CHN-KOR-USA,False" in result.output


def test_cli_unknown_actor_is_a_clear_error(seed_disk):
    result = CliRunner().invoke(cli, ["actor", "XXX", "--store", seed_disk])
    assert result.exit_code == 1
    assert "Error: no actor or target with code 'XXX'" in result.output


def test_cli_unknown_issue_is_a_clear_error(seed_disk):
    result = CliRunner().invoke(cli, ["gaps", "--issue", "nothing", "--store", seed_disk])
    assert result.exit_code == 1 and "Error:" in result.output
