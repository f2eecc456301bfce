"""stancegraph import unvotes: UN General Assembly roll calls and votes."""

from __future__ import annotations

import shutil

import pytest
from import_helpers import (
    FIXTURES,
    all_quads,
    claim,
    graph_triples,
    imported,
    seeded,
    shared,
    values,
)

from graph.analysis.project import positions
from graph.errors import InputError
from graph.sources.runner import ImportFailed, run_import
from graph.store import open_store

UNVOTES = FIXTURES / "unvotes"
GRAPH = "https://stancegraph.org/graph/import/unvotes/un_votes"
S = "https://stancegraph.org/id/state/"
SG = "https://stancegraph.org/ontology#"


@pytest.fixture(scope="module")
def store():
    store, report = imported("unvotes", [UNVOTES])
    assert (report.rows, report.claims, report.skipped) == (31, 31, 0), report.problems
    return store


def _votes(store, rcid: int) -> dict[str, str]:
    rows = store.query(
        f"SELECT ?a ?r WHERE {{ ?c sg:target res:unga-rcid-{rcid} ; sg:actor ?a ; "
        "sg:relation ?r ; a sg:Claim }"
    )
    return {str(a).removeprefix(S): str(r).removeprefix(SG) for a, r in rows}


def test_a_roll_call_gives_one_claim_per_vote_with_the_relation_of_the_vote(store):
    assert _votes(store, 5377) == {
        "USA": "supports", "CUB": "opposes", "BRA": "supports", "GBR": "supports",
        "FRA": "supports", "RUS": "opposes", "CHN": "opposes", "PRK": "opposes",
        "KOR": "supports", "JPN": "supports", "IND": "declined", "LAO": "opposes",
        "VNM": "opposes",
    }


def test_each_claim_keeps_its_provenance_row_and_record(store):
    found = claim(store, "claim:unvotes-5377-PRK")
    assert {float(p) for p in found.pop("position")} == {-1.0}
    assert found == {
        "type": {SG + "Claim"},
        "actor": {S + "PRK"},
        "relation": {SG + "opposes"},
        "target": {"https://stancegraph.org/id/resolution/unga-rcid-5377"},
        "wasDerivedFrom": {"https://stancegraph.org/id/source/dataset-unvotes"},
        "mode": {SG + "Stated"},
        "date": {"2014-12-18"},
        "dataset": {"unvotes 7eb7034 (Voeten UNGA votes 1946-2020)"},
        "recordId": {"5377/KP"},
        "row": {"27"},
        "onIssue": {"https://stancegraph.org/id/issue/dprk-human-rights"},
    }
    # the direct edge, for easy queries
    assert values(store, "state:PRK", "sg:opposes") >= {
        "https://stancegraph.org/id/resolution/unga-rcid-5377"}


def test_roll_calls_become_resolutions(store):
    node = "res:unga-rcid-5377"
    assert values(store, node, "sg:symbol") == {"A/RES/69/188"}
    assert values(store, node, "sg:adoptedOn") == {"2014-12-18"}
    assert values(store, node, "sg:adoptedBy") == {"https://stancegraph.org/id/org/unga"}
    assert values(store, node, "sg:about") == {
        "https://stancegraph.org/id/issue/dprk-human-rights"}
    assert values(store, node, "rdfs:label") == {
        "Situation of human rights in the Democratic People's Republic of Korea : resolution / "
        "adopted by the General Assembly"}
    assert values(store, node, "skos:note") == {
        "UN General Assembly session 69, roll call 5377 (an important vote in the US State "
        "Department's list)"}
    assert values(store, "res:unga-rcid-3", "rdfs:label") == {
        "Amendment vote: AMENDMENTS, RULES OF PROCEDURE"}
    # the 2005 resolution's title is mojibake in the source, and is still recognised
    assert values(store, "res:unga-rcid-4604", "sg:about") == {
        "https://stancegraph.org/id/issue/dprk-human-rights"}


def test_issue_codes_become_concepts_and_hr_is_the_seeds_human_rights(store):
    issue = "https://stancegraph.org/id/issue/"
    assert values(store, "res:unga-rcid-1418", "sg:about") == {issue + "unga-nu",
                                                               issue + "unga-di"}
    assert values(store, "res:unga-rcid-1431", "sg:about") == {
        issue + "unga-me", issue + "human-rights", issue + "unga-co"}
    assert values(store, "issue:unga-nu", "rdfs:label") == {"nuclear weapons and nuclear material"}
    assert values(store, "issue:unga-me", "skos:inScheme") == {SG + "issues"}
    # declared once: by the seed, not again by the import
    assert len(store.query("SELECT ?t WHERE { issue:human-rights a ?t }")) == 1


def test_countries_link_to_the_seeds_states_and_historical_members_get_states(store):
    assert _votes(store, 4604) == {"USA": "supports", "PRK": "opposes", "KOR": "declined"}
    assert _votes(store, 1418) == {
        "USA": "declined", "GFR": "declined", "DDR": "declined", "CSK": "declined",
        "SRB": "supports", "YAR": "supports", "YMD": "declined"}
    assert _votes(store, 874) == {"USA": "supports", "ZAN": "declined"}
    # the seed's state:PRK is the node the votes use: one declaration, the seed's label
    assert len(store.query("SELECT ?t WHERE { state:PRK a ?t }")) == 1
    assert values(store, "state:PRK", "rdfs:label") == {"North Korea"}
    # states the seed lacks are declared once, in the shared entities graph
    assert values(store, "state:ZAN", "rdfs:label") == {"Zanzibar"}
    assert values(store, "state:DDR", "sg:isoCode") == {"DDR"}
    assert len(store.query("SELECT ?t WHERE { state:FRA a ?t }")) == 1


def test_human_rights_positions_include_the_votes(store):
    table = positions(store, issue="human rights", keep_inactive=True)
    votes = table[table["item"] == "unga-rcid-5377"]
    assert dict(zip(votes["actor"], votes["position"], strict=True)) == {
        "USA": 1.0, "CUB": -1.0, "BRA": 1.0, "GBR": 1.0, "FRA": 1.0, "RUS": -1.0, "CHN": -1.0,
        "PRK": -1.0, "KOR": 1.0, "JPN": 1.0, "IND": 0.0, "LAO": -1.0, "VNM": -1.0}
    # docs/TIME.md: the seed's acts on the 2021 HRC resolution of the same series supersede
    # the USA's, Japan's and South Korea's votes on this General Assembly one
    superseded = votes[votes["status"] == "superseded"]
    assert set(superseded["actor"]) == {"USA", "JPN", "KOR"}
    assert (superseded["weight"] == 0).all()
    assert superseded["superseded_by"].str.contains("kim2021").all()
    assert set(votes["via"]) == {"dprk-human-rights"}
    assert set(votes["actor_label"]) >= {"North Korea", "South Korea", "United States"}
    # 1431 is coded hr itself; the seed's hand-coded claims are there too
    assert set(table[table["item"] == "unga-rcid-1431"]["actor"]) == {"USA", "GFR", "DDR"}
    assert "claim" in table and table["claim"].str.contains("kim2021").any()


def test_importing_twice_gives_the_same_graph_and_leaves_the_rest_alone():
    store = seeded()
    run_import(store, "unvotes", [UNVOTES])
    before = all_quads(store)
    run_import(store, "unvotes", [UNVOTES])
    assert all_quads(store) == before
    fresh = seeded()
    seed_only = all_quads(fresh)
    imported_graphs = ("https://stancegraph.org/graph/import/",)
    assert {q for q in before if not q[3].startswith(imported_graphs)} == seed_only


def test_the_files_can_be_given_one_by_one_in_any_order():
    store = open_store("oxigraph:memory")
    files = [UNVOTES / "un_roll_call_issues.csv", UNVOTES / "un_votes.csv",
             UNVOTES / "un_roll_calls.csv"]
    (report,) = run_import(store, "unvotes", files)
    reference, _ = imported("unvotes", [UNVOTES], seed=False)
    assert report.claims == 31
    assert graph_triples(store, GRAPH) == graph_triples(reference, GRAPH)


BAD_VOTES = """rcid,country,country_code,vote
5377,United States,US,yes
5377,Canada,CA
5377,Canada,CA,maybe
5377,Atlantis,XX,no
abc,Canada,CA,yes
99999,Canada,CA,yes
5377,United States,US,no
5377,Japan,JP,yes
"""


@pytest.fixture
def bad_folder(tmp_path):
    for name in ("un_roll_calls.csv", "un_roll_call_issues.csv"):
        shutil.copy(UNVOTES / name, tmp_path / name)
    (tmp_path / "un_votes.csv").write_text(BAD_VOTES, encoding="utf-8")
    return tmp_path


def test_malformed_rows_are_reported_with_their_lines_and_skipped(bad_folder):
    store = open_store("oxigraph:memory")
    (report,) = run_import(store, "unvotes", [bad_folder])
    votes = bad_folder / "un_votes.csv"
    assert [str(p) for p in report.problems] == [
        f"{votes}:3: row: 3 fields, expected 4",
        f"{votes}:4: vote: unknown vote 'maybe' (expected yes, no, abstain)",
        f"{votes}:5: country_code: unknown country 'XX' (Atlantis)",
        f"{votes}:6: rcid: not a number: 'abc'",
        f"{votes}:7: rcid: no roll call 99999 in the roll calls file",
        f"{votes}:8: country_code: a second vote of USA on roll call 5377",
    ]
    assert (report.claims, report.skipped) == (2, 6)
    assert _votes(store, 5377) == {"USA": "supports", "JPN": "supports"}


def test_on_error_fail_stops_at_the_first_bad_row_and_writes_nothing(bad_folder):
    store = seeded()
    run_import(store, "unvotes", [UNVOTES])
    before = all_quads(store)
    with pytest.raises(ImportFailed, match=r"un_votes.csv:3: row: 3 fields, expected 4 "
                                           r"\(--on-error fail: nothing was written\)"):
        run_import(store, "unvotes", [bad_folder], on_error="fail")
    assert all_quads(store) == before


def test_the_bulk_path_writes_the_same_graph():
    small, _ = imported("unvotes", [UNVOTES])
    bulk, report = imported("unvotes", [UNVOTES], bulk_threshold=10)
    assert report.bulk
    assert all_quads(bulk) == all_quads(small)
    # again, now that the graph exists (spooled, then replaced)
    run_import(bulk, "unvotes", [UNVOTES], bulk_threshold=10)
    assert all_quads(bulk) == all_quads(small)


@pytest.mark.slow
def test_the_full_un_votes(full_unvotes):
    # the session's one import of the whole record (tests/conftest.py), into a store on disk
    folder = shared("unvotes")
    store, report = full_unvotes.store, full_unvotes.report
    # PROVENANCE.md: 870,109 votes, all yes / no / abstain; 6,203 roll calls
    assert (report.rows, report.claims, report.problem_count) == (870_109, 870_109, 0)
    assert report.counts["roll calls (resolutions)"] == 6_203
    rcid = store.query("SELECT ?r WHERE { ?r sg:symbol 'A/RES/69/188' }")
    assert [str(r[0]) for r in rcid] == ["https://stancegraph.org/id/resolution/unga-rcid-5377"]
    counts = {
        str(r[0]).removeprefix(SG): int(r[1]) for r in store.query(
            "SELECT ?r (COUNT(*) AS ?n) WHERE { ?c a sg:Claim ; sg:target res:unga-rcid-5377 ; "
            "sg:relation ?r } GROUP BY ?r")
    }
    assert counts == {"supports": 116, "opposes": 20, "declined": 53}
    by_relation = {  # the import's own graph (the shared store holds the seed's claims too)
        str(r[0]).removeprefix(SG): int(r[1]) for r in store.query(
            f"SELECT ?r (COUNT(*) AS ?n) WHERE {{ GRAPH <{report.graph}> "
            "{ ?c a sg:Claim ; sg:relation ?r } } GROUP BY ?r")
    }
    assert by_relation == {"supports": 693_664, "opposes": 65_548, "declined": 110_897}
    # R/70/172: 119-19-48 (PROVENANCE.md)
    counts = {
        str(r[0]).removeprefix(SG): int(r[1]) for r in store.query(
            "SELECT ?r (COUNT(*) AS ?n) WHERE { ?c a sg:Claim ; sg:relation ?r ; sg:target ?t . "
            "?t sg:symbol 'A/RES/70/172' } GROUP BY ?r")
    }
    assert counts == {"supports": 119, "opposes": 19, "declined": 48}
    # 197 country codes, plus Zanzibar, the Federal Republic of Germany and the Yemen Arab
    # Republic (no codes; GFR and YAR, apart from DEU and YEM: issue 14). Each state is
    # declared exactly once.
    states = store.query("SELECT ?s WHERE { ?s a sg:State }")
    assert len(states) == len({row[0] for row in states}) == 200
    # Issue 6: clusters on the human rights roll calls of the whole record, and the blocs on
    # the DPRK human rights resolutions.
    import pandas as pd

    from graph.analysis import run_clusters
    from graph.analysis.items import position_items

    votes = pd.read_csv(folder / "un_votes.csv", usecols=["rcid"])
    issues = pd.read_csv(folder / "un_roll_call_issues.csv")
    on_human_rights = votes["rcid"].isin(issues.loc[issues["short_name"] == "hr", "rcid"]).sum()
    # docs/TIME.md: at D (the newest date, the seed's 2021-03-27) only the votes within the
    # eight-year horizon count, each state's newest in a series of resolutions, with weights
    items = position_items(store, issue="human rights")
    roll_calls = pd.read_csv(folder / "un_roll_calls.csv", usecols=["rcid", "date"])
    recent = roll_calls.loc[roll_calls["date"] >= "2013-03-29", "rcid"]
    hr = issues.loc[issues["short_name"] == "hr", "rcid"]
    within = votes["rcid"].isin(set(recent) & set(hr)).sum()
    assert 0 < len(items) <= within < on_human_rights
    assert ((items["weight"] > 0) & (items["weight"] <= 1)).all()
    assert len(run_clusters(store, issue="human rights").actors) >= 190
    dprk = run_clusters(store, issue="DPRK human rights").actors
    community, camp = dprk["community"], dprk["camp"]
    assert community["PRK"] == community["CHN"] == community["RUS"] == community["CUB"]
    assert community["USA"] == community["JPN"] != community["PRK"]
    assert camp["USA"] != camp["PRK"] and not dprk.loc[["USA", "PRK"], "swing"].any()
    # docs/TIME.md: in 2015 South Korea voted with the United States and Japan; at D its newest
    # acts on the series are the seed's declines of 2019-2021, and it has left their community
    then = run_clusters(store, issue="DPRK human rights", as_of="2015-12-31").actors
    assert then.loc["KOR", "community"] == then.loc["USA", "community"] == \
        then.loc["JPN", "community"]
    assert community["KOR"] != community["USA"]


# ------------------------------------------------------------------------------ issue 14

def test_an_impossible_date_is_one_clear_problem_and_no_rdflib_traceback(tmp_path, caplog):
    """Item 4: 2021-02-30 was stored as an ill-typed xsd:date with four rdflib tracebacks."""
    folder = tmp_path / "unvotes"
    shutil.copytree(UNVOTES, folder)
    path = folder / "un_roll_calls.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[3] = "2021-02-30"
    lines[1] = ",".join(fields)
    path.write_text("".join(lines), encoding="utf-8")
    store = seeded()
    before = all_quads(store)
    with pytest.raises(ImportFailed, match=r"un_roll_calls.csv:2: date: not a date: "
                                           r"'2021-02-30' \(day is out of range for month\)"):
        run_import(store, "unvotes", [folder], on_error="fail")
    assert all_quads(store) == before
    with caplog.at_level("WARNING"):
        (report,) = run_import(store, "unvotes", [folder])
    assert str(report.problems[0]) == (
        f"{path}:2: date: not a date: '2021-02-30' (day is out of range for month)")
    assert not [r for r in caplog.records if r.name.startswith("rdflib")]
    rcid = fields[0]
    assert not values(store, f"res:unga-rcid-{rcid}", "sg:adoptedOn")


def test_random_bytes_as_the_votes_file_give_an_honest_error(tmp_path):
    """Item 17: 20 kB of random bytes said "the file is empty"."""
    import random

    folder = tmp_path / "unvotes"
    shutil.copytree(UNVOTES, folder)
    noise = random.Random(14).randbytes(20_000)
    store = seeded()
    before = all_quads(store)
    (folder / "un_votes.csv").write_bytes(noise)
    with pytest.raises(InputError, match=r"un_votes.csv: binary data \(NUL bytes\), not a text "
                                         "file"):
        run_import(store, "unvotes", [folder])
    # without NULs: still not text, and said so on its first line
    (folder / "un_votes.csv").write_bytes(noise.replace(b"\x00", b"\x01").replace(b"\n", b""))
    with pytest.raises(InputError, match=r"un_votes.csv:1: not UTF-8 text"):
        run_import(store, "unvotes", [folder])
    assert all_quads(store) == before


def test_control_characters_in_the_data_are_removed_and_counted(tmp_path):
    """Item 17: the real roll calls hold backspaces (rcid 5917: "12\\b We first turn")."""
    folder = tmp_path / "unvotes"
    shutil.copytree(UNVOTES, folder)
    path = folder / "un_roll_calls.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("PEACEKEEPING FINANCES", "PEACEKEEPING\x1b[31m\x07 FINANCES"),
                    encoding="utf-8")
    store, report = imported("unvotes", [folder])
    assert report.counts["lines with control characters removed (un_roll_calls.csv)"] == 1
    assert values(store, "res:unga-rcid-874", "rdfs:label") == {
        "Paragraph vote: PEACEKEEPING[31m FINANCES"}
