"""stancegraph import alliances / rivalries: Correlates of War alliances, strategic rivalries."""

from __future__ import annotations

import shutil

import pytest
from import_helpers import FIXTURES, all_quads, claim, imported, seeded, shared

from graph.analysis.project import allied_pairs, state_graph
from graph.errors import InputError
from graph.sources.countries import iso3_from_cow
from graph.sources.runner import ImportFailed, run_import
from graph.store import open_store

COW = FIXTURES / "cow"
S = "https://stancegraph.org/id/state/"
SG = "https://stancegraph.org/ontology#"


def _claims(store, relation: str, prefix: str) -> dict[str, tuple[str, str, str, str | None]]:
    rows = store.query(
        f"SELECT ?c ?a ?t ?f ?u WHERE {{ ?c a sg:Claim ; sg:relation sg:{relation} ; "
        "sg:actor ?a ; sg:target ?t ; sg:validFrom ?f OPTIONAL { ?c sg:validUntil ?u } }")
    found = {str(c).rsplit("/", 1)[-1]: (str(a).removeprefix(S), str(t).removeprefix(S),
                                         str(f), None if u is None else str(u))
             for c, a, t, f, u in rows}
    return {k: v for k, v in found.items() if k.startswith(prefix)}


@pytest.fixture(scope="module")
def alliances():
    return imported("alliances", [COW / "cow_alliance.csv"])


def test_alliance_years_become_spells_per_pair_and_type(alliances):
    store, report = alliances
    assert _claims(store, "alignedWith", "cow-") == {
        "cow-alliance-KOR-USA-defense-1953": ("KOR", "USA", "1953-01-01", "1955-12-31"),
        "cow-alliance-KOR-USA-entente-1953": ("KOR", "USA", "1953-01-01", "1955-12-31"),
        "cow-alliance-JPN-USA-entente-1908": ("JPN", "USA", "1908-01-01", "1910-12-31"),
        "cow-alliance-JPN-USA-entente-1921": ("JPN", "USA", "1921-01-01", "1923-12-31"),
        "cow-alliance-JPN-USA-defense-1951": ("JPN", "USA", "1951-01-01", "1953-12-31"),
        "cow-alliance-CHN-PRK-defense-1961": ("CHN", "PRK", "1961-01-01", "1963-12-31"),
        "cow-alliance-CHN-PRK-nonaggression-1961": ("CHN", "PRK", "1961-01-01", "1963-12-31"),
        "cow-alliance-KOR-PRK-nonaggression-1991": ("KOR", "PRK", "1991-01-01", "1993-12-31"),
    }
    assert (report.rows, report.claims, report.skipped) == (28, 8, 0)
    assert dict(report.unmatched) == {"Bavaria (COW 245)": 1}


def test_an_alliance_claim_keeps_its_provenance(alliances):
    store, _ = alliances
    assert claim(store, "claim:cow-alliance-KOR-USA-defense-1953") == {
        "type": {SG + "Claim"},
        "actor": {S + "KOR"},
        "relation": {SG + "alignedWith"},
        "target": {S + "USA"},
        "wasDerivedFrom": {"https://stancegraph.org/id/source/dataset-cow-alliances"},
        "mode": {SG + "Stated"},
        "validFrom": {"1953-01-01"},
        "validUntil": {"1955-12-31"},
        "dataset": {"COW Formal Alliances v4.1 dyad-years (cow_alliance.csv)"},
        "recordId": {"732-2 defense 1953-1955"},
        "row": {"2"},
        "note": {"COW formal alliance (defence pact), 1953-1955"},
    }


def test_allied_pairs_see_the_formal_alliances(alliances):
    store, _ = alliances
    pairs = {(a, b): basis for a, b, basis in allied_pairs(store)}
    assert {("KOR", "USA"), ("JPN", "USA"), ("CHN", "PRK"), ("KOR", "PRK")} <= set(pairs)
    assert "cow-alliance-KOR-USA-defense-1953" in pairs["KOR", "USA"]
    # ... at a date, only the alliances in force
    on_1992 = {(a, b) for a, b, _ in allied_pairs(store, as_of="1992-06-01")}
    assert ("KOR", "PRK") in on_1992 and ("KOR", "USA") not in on_1992
    # the seed's hand-coded alignment of the US and South Korea is there too
    assert any("kim2021-15" in basis for basis in pairs["KOR", "USA"].split("; "))


@pytest.fixture(scope="module")
def rivalries():
    return imported("rivalries", [COW])


def test_rivalries_are_opposes_both_ways(rivalries):
    store, report = rivalries
    assert _claims(store, "opposes", "td-") == {
        "td-rivalry-113-PRK-KOR": ("PRK", "KOR", "1948-01-01", "2010-12-31"),
        "td-rivalry-113-KOR-PRK": ("KOR", "PRK", "1948-01-01", "2010-12-31"),
        "td-rivalry-116-USA-CHN": ("USA", "CHN", "1949-01-01", "1972-12-31"),
        "td-rivalry-116-CHN-USA": ("CHN", "USA", "1949-01-01", "1972-12-31"),
        "td-rivalry-190-USA-CHN": ("USA", "CHN", "1996-01-01", "2010-12-31"),
        "td-rivalry-190-CHN-USA": ("CHN", "USA", "1996-01-01", "2010-12-31"),
        "td-rivalry-7-PRT-ESP": ("PRT", "ESP", "1494-01-01", "1580-12-31"),
        "td-rivalry-7-ESP-PRT": ("ESP", "PRT", "1494-01-01", "1580-12-31"),
    }
    path = COW / "td_rivalries.csv"
    assert [str(p) for p in report.problems] == [
        f"{path}:3: ccode1: no COW state 324 in cow_states.csv"]
    assert dict(report.unmatched) == {"Austria-Hungary (COW 300)": 1}
    assert claim(store, "claim:td-rivalry-113-PRK-KOR")["note"] == {
        "strategic rivalry 'North Korea-South Korea' (positional, ideological), 1948-2010"}
    # a negative tie in the state graph, as of a date inside the rivalry
    graph = state_graph(store, as_of="2000-01-01")
    assert graph["PRK"]["KOR"]["sign"] == -1


def test_cow_codes_map_to_iso_states():
    # the table for the codes whose name does not say it; the COW name for the others
    assert [iso3_from_cow(c) for c in (2, 731, 732, 365, 345, 260, 255, 678, 680)] == [
        "USA", "PRK", "KOR", "RUS", "SRB", "DEU", "DEU", "YEM", "YMD"]
    assert (iso3_from_cow(710, "China"), iso3_from_cow(740, "Japan")) == ("CHN", "JPN")
    assert iso3_from_cow(245, "Bavaria") is None


def test_the_state_list_must_be_found(tmp_path):
    shutil.copy(COW / "cow_alliance.csv", tmp_path / "cow_alliance.csv")
    with pytest.raises(InputError, match="cow_states.csv is not next to it"):
        run_import(open_store("oxigraph:memory"), "alliances", [tmp_path / "cow_alliance.csv"])
    # given explicitly, in any order
    (report,) = run_import(open_store("oxigraph:memory"), "alliances",
                           [COW / "cow_states.csv", tmp_path / "cow_alliance.csv"])
    assert report.claims == 8


def test_bad_alliance_rows(tmp_path):
    shutil.copy(COW / "cow_states.csv", tmp_path / "cow_states.csv")
    path = tmp_path / "cow_alliance.csv"
    path.write_text(
        "ccode1,ccode2,year,cow_defense,cow_neutral,cow_nonagg,cow_entente\n"
        "2,732,1953,1,0,0,1\n"
        "2,732,x,1,0,0,1\n"
        "2,999,1953,1,0,0,1\n"
        "2,732,1954,2,0,0,1\n"
        "2,732,1955,1,0,0\n", encoding="utf-8")
    store = seeded()
    before = all_quads(store)
    with pytest.raises(ImportFailed, match=r"cow_alliance.csv:3: row: not a number"):
        run_import(store, "alliances", [path], on_error="fail")
    assert all_quads(store) == before
    (report,) = run_import(store, "alliances", [path])
    assert [str(p) for p in report.problems] == [
        f"{path}:3: row: not a number: could not convert string to float: 'x'",
        f"{path}:4: ccode2: no COW state 999 in cow_states.csv",
        f"{path}:5: cow_defense: expected 0 or 1, not 2",
        f"{path}:6: row: 6 fields, expected 7",
    ]
    assert report.claims == 2


def test_importing_twice_gives_the_same_graph():
    store, _ = imported("alliances", [COW])
    run_import(store, "rivalries", [COW])
    before = all_quads(store)
    run_import(store, "alliances", [COW])
    run_import(store, "rivalries", [COW / "td_rivalries.csv"])
    assert all_quads(store) == before


@pytest.mark.slow
def test_the_full_alliance_and_rivalry_tables():
    folder = shared("ir_actors")
    store = open_store("oxigraph:memory")
    (report,) = run_import(store, "alliances", [folder / "cow_alliance.csv"])
    # PROVENANCE.md: 120,784 dyad-years; contains USA-ROK, USA-Japan, China-DPRK
    assert (report.rows, report.problem_count) == (120_784, 0)
    assert report.claims == 4_633
    pairs = {(a, b) for a, b, _ in allied_pairs(store)}
    assert {("KOR", "USA"), ("JPN", "USA"), ("CHN", "PRK")} <= pairs
    on_2010 = {(a, b) for a, b, _ in allied_pairs(store, as_of="2010-06-01")}
    assert ("KOR", "USA") in on_2010 and ("CHN", "PRK") in on_2010
    (report,) = run_import(store, "rivalries", [folder])
    # 197 rivalries; two name COW state 324, which the state list lacks; Austria-Hungary and
    # South Vietnam have no ISO state
    assert (report.rows, report.problem_count, report.claims) == (197, 2, 2 * 186)
    assert dict(report.unmatched) == {"Austria-Hungary (COW 300)": 7,
                                      "Republic of Vietnam (COW 817)": 2}
    assert {("CHN", "USA"), ("KOR", "PRK"), ("CHN", "TWN")} <= {
        (str(a).rsplit("/", 1)[-1], str(b).rsplit("/", 1)[-1]) for a, b in store.query(
            "SELECT ?a ?b WHERE { ?c sg:relation sg:opposes ; sg:actor ?a ; sg:target ?b }")}


def test_gaps_take_the_formal_alliances_as_allies(alliances):
    # China and North Korea have no hand-coded alignment in the seed: the COW defence pact
    # makes them allies, so their differences on the seed's issues are coordination gaps.
    from graph.analysis import run_gaps

    store, _ = alliances
    gaps = run_gaps(store)
    basis = {g.pair: g.basis for g in gaps}
    assert ("CHN", "PRK") in basis and "cow-alliance-CHN-PRK-defense-1961" in basis["CHN", "PRK"]
    assert run_gaps(store, actor="PRK") == [g for g in gaps if "PRK" in g.pair]
