"""stancegraph import csv / export csv: the spreadsheet layout for hand coding."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from import_helpers import FIXTURES, all_quads, claim, imported, seeded, values
from rdflib import Graph

from graph.build import build
from graph.cli import cli
from graph.resources import data_dir
from graph.sources.runner import ImportFailed, run_import
from graph.sources.spreadsheet import COLUMNS, claims_csv
from graph.store import open_store
from graph.vocab import SOURCE, bind_prefixes

SHEET = FIXTURES / "csv" / "hand_coded.csv"
SG = "https://stancegraph.org/ontology#"
ID = "https://stancegraph.org/id/"
#: Claim and edge triples: what must come out the same whichever way the claims went in.
CLAIM_TRIPLES = """
SELECT ?s ?p ?o WHERE { ?s ?p ?o .
  FILTER((STRSTARTS(STR(?s), "https://stancegraph.org/id/claim/")
          && ?p NOT IN (sg:dataset, sg:row, sg:recordId))
         || STRSTARTS(STR(?p), "https://stancegraph.org/ontology#")
            && EXISTS { ?p a sg:StanceRelation }) }"""


@pytest.fixture(scope="module")
def sheet():
    return imported("csv", [SHEET])


def test_rows_become_claims_with_their_provenance(sheet):
    store, report = sheet
    assert (report.rows, report.claims, report.skipped) == (7, 6, 0)  # one comment row
    found = claim(store, "claim:kim2021-24")
    assert {float(p) for p in found.pop("position")} == {1.0}
    assert {float(p) for p in found.pop("issuePosition")} == {1.0}
    assert {float(p) for p in found.pop("confidence")} == {1.0}
    assert found == {
        "type": {SG + "Claim"},
        "actor": {ID + "person/antony-blinken"},
        "relation": {SG + "criticizes"},
        "target": {ID + "gov/kim-regime"},
        "issue": {ID + "issue/dprk-human-rights"},
        "onIssue": {ID + "issue/dprk-human-rights"},
        "wasDerivedFrom": {ID + "source/kim-2021-03-27"},
        "mode": {SG + "Stated"},
        "date": {"2021-03-18"},
        "evidence": {"Blinken called out the Kim regime for its repressive nature during his "
                     "trip to Seoul"},
        "evidenceStart": {"3429"},
        "evidenceEnd": {"3513"},
        "dataset": {"spreadsheet hand_coded.csv"},
        "recordId": {"kim2021-24"},
        "row": {"4"},
    }


def test_names_codes_and_urls_are_resolved(sheet):
    store, _ = sheet
    # row 7: no claim_id, a code for the actor, an issue label, the article's URL as source
    found = claim(store, "claim:hand_coded-7")
    assert found["actor"] == {ID + "person/antony-blinken"}
    assert found["target"] == {ID + "issue/human-rights"}
    assert found["onIssue"] == {ID + "issue/human-rights"}
    (source,) = found["wasDerivedFrom"]
    assert source.startswith(ID + "source/web-")
    assert values(store, source, "sg:url") == {
        "https://www.washingtonpost.com/politics/2021/03/27/north-korea-conducted-more-missile-"
        "tests-what-happens-next/"}
    # row 8: an ISO code, a country name, a relation in another case, a source's local name
    found = claim(store, "claim:sheet-07")
    assert (found["actor"], found["target"], found["relation"], found["wasDerivedFrom"]) == (
        {ID + "state/USA"}, {ID + "state/KOR"}, {SG + "supports"},
        {ID + "source/kim-2021-03-27"})


def test_derivation_is_the_builds(sheet):
    store, report = sheet
    # Blinken's criticism of the Kim regime rolls up to the United States and North Korea,
    # and his support for human rights (row 7) to the United States
    assert report.counts["derived state-level claims (roll-up)"] == 2
    derived = claim(store, "claim:kim2021-24--state")
    assert derived["actor"] == {ID + "state/USA"} and derived["target"] == {ID + "state/PRK"}
    assert derived["mode"] == {SG + "Derived"}
    assert derived["derivedFrom"] == {ID + "claim/kim2021-24"}
    assert claim(store, "claim:hand_coded-7--state")["actor"] == {ID + "state/USA"}
    # alignedWith is symmetric: both direct edges
    assert ID + "state/USA" in values(store, "state:KOR", "sg:alignedWith")


def test_export_writes_the_layout_and_a_round_trip_is_lossless(tmp_path):
    """Seed -> export csv -> import into a store without the seed's claims -> the same claims."""
    seed = open_store("oxigraph:memory")
    build(seed)
    text = claims_csv(seed)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert len(text.splitlines()) == 1 + len(seed.query("SELECT ?c WHERE { ?c sg:mode sg:Stated }"))
    sheet = tmp_path / "seed.csv"
    sheet.write_text(text, encoding="utf-8")
    # a store with the vocabulary, the entities and the source, not the claims
    source = bind_prefixes(Graph())
    article = Graph().parse(data_dir() / "sources" / "kim-2021-03-27-monkey-cage.ttl")
    for triple in article.triples((SOURCE["kim-2021-03-27"], None, None)):
        source.add(triple)
    (tmp_path / "source.ttl").write_text(source.serialize(format="turtle"), encoding="utf-8")
    store = open_store("oxigraph:memory")
    build(store, [tmp_path / "source.ttl"], bundled=False)
    (report,) = run_import(store, "csv", [sheet])
    assert report.problem_count == 0
    assert claims_csv(store) == text
    assert {tuple(map(str, r)) for r in store.query(CLAIM_TRIPLES)} == {
        tuple(map(str, r)) for r in seed.query(CLAIM_TRIPLES)}


BAD = """claim_id,actor,relation,target,issue,date,source,evidence,evidence_start,evidence_end,\
confidence
a1,state:USA,supports,state:KOR,,2021-03-18,source:kim-2021-03-27,,,,
a2,state:USA,likes,state:KOR,,2021-03-18,source:kim-2021-03-27,,,,
a3,person:nobody,supports,state:KOR,,2021-03-18,source:kim-2021-03-27,,,,
a4,state:USA,supports,state:KOR,,,source:kim-2021-03-27,,,,
a5,state:USA,supports,state:KOR,,2021-02-30,source:kim-2021-03-27,,,,
a6,state:USA,supports,state:KOR,,2021-03-18,source:kim-2021-03-27,some words,10,12,
a7,state:USA,supports,state:KOR,,2021-03-18,source:kim-2021-03-27,,,,1.5
a1,state:USA,supports,state:KOR,,2021-03-18,source:kim-2021-03-27,,,,
a9,state:USA,supports,state:KOR,state:KOR,2021-03-18,source:kim-2021-03-27,,,,
a10,issue:human-rights,supports,state:KOR,,2021-03-18,source:kim-2021-03-27,,,,
a11,state:USA,supports,state:KOR,,2021-03-18,source:nowhere,,,,
a12,state:USA,supports,state:KOR,,2021-03-18,,,,,
bad id,state:USA,supports,state:KOR,,2021-03-18,source:kim-2021-03-27,,,,
"""


def test_bad_rows_are_reported_with_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    store = seeded()
    before = all_quads(store)
    with pytest.raises(ImportFailed, match=r"bad.csv:3: relation: unknown relation 'likes'"):
        run_import(store, "csv", [path], on_error="fail")
    assert all_quads(store) == before
    (report,) = run_import(store, "csv", [path])
    assert [str(p).removeprefix(f"{path}:") for p in report.problems] == [
        "3: relation: unknown relation 'likes'; use one of alignedWith, appealsTo, "
        "coSponsored, criticizes, declined, demonstratesForce, opposes, providesAid, sanctions, "
        "supports, violates",
        "4: actor: person:nobody is not declared in the store (build or import it first)",
        "5: date: a claim needs a date or a valid_from",
        "6: date: not a date: '2021-02-30' (day is out of range for month)",
        "7: evidence_end: end - start = 2, but the evidence has 10 characters",
        "8: confidence: 1.5 is outside 0..1",
        "9: claim_id: claim:a1 is also on line 2",
        "10: issue: state:KOR is not an issue of the issue scheme",
        "11: actor: issue:human-rights is not an actor (a state, person, organisation, "
        "government or media outlet)",
        "12: source: source:nowhere is not a declared source (sg:Source)",
        "13: source: empty: every claim needs its source",
        "14: claim_id: 'bad id': use letters, digits, '.', '_' and '-' (or a full IRI)",
    ]
    assert report.claims == 1


def test_cli_import_and_export_csv(tmp_path):
    store = f"oxigraph:{tmp_path / 'store'}"
    runner = CliRunner()
    result = runner.invoke(cli, ["build", "--store", store])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["import", "csv", str(SHEET), "--store", store, "--quiet"])
    assert result.exit_code == 0, result.output
    assert "csv: hand_coded.csv -> <https://stancegraph.org/graph/import/csv/hand_coded>" \
        in result.stdout
    assert "7 rows read, 6 claims written, 0 bad rows skipped" in result.stdout
    result = runner.invoke(cli, ["export", "csv", "--store", store])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows[0] == ",".join(COLUMNS)
    assert "sheet-07,state:USA,supports,state:KOR,,,2021-03-18,,,source:kim-2021-03-27,,,,," \
           "codes and names instead of prefixed names" in rows
    assert any(row.startswith("hand_coded-7,person:antony-blinken,supports,issue:human-rights,"
                              ",,2021-03-18,,,https://www.washingtonpost.com/") for row in rows)
