"""stancegraph import csv / export csv: the spreadsheet layout for hand coding."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from import_helpers import FIXTURES, all_quads, claim, imported, seeded, values
from rdflib import Graph
from rdflib.namespace import RDF

from graph.build import build
from graph.cli import cli
from graph.errors import InputError, ValidationError
from graph.resources import data_dir
from graph.sources.runner import ImportFailed, run_import
from graph.sources.spreadsheet import COLUMNS, claims_csv
from graph.store import open_store
from graph.vocab import SG as SG_
from graph.vocab import bind_prefixes

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
    found = claim(store, "claim:sheet2021-24")
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
        "recordId": {"sheet2021-24"},
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
    derived = claim(store, "claim:sheet2021-24--state")
    assert derived["actor"] == {ID + "state/USA"} and derived["target"] == {ID + "state/PRK"}
    assert derived["mode"] == {SG + "Derived"}
    assert derived["derivedFrom"] == {ID + "claim/sheet2021-24"}
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
    # a store with the vocabulary, the entities and the sources, not the claims
    source = bind_prefixes(Graph())
    for path in sorted((data_dir() / "sources").glob("*.ttl")):
        data = Graph().parse(path)
        for node in data.subjects(RDF.type, SG_.Source):
            for triple in data.triples((node, None, None)):
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


# ------------------------------------------------------------------------------ issue 14

HEADER = "claim_id,actor,relation,target,date,source,evidence,evidence_start,evidence_end,note\n"


def _sheet(tmp_path, name: str, *rows: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding=encoding)
    return path


def _row(claim_id: str, actor: str = "state:USA", target: str = "state:KOR", *,
         evidence: str = ",,", note: str = "") -> str:
    return f"{claim_id},{actor},supports,{target},2021-01-01,source:kim-2021-03-27,{evidence}," \
           f"{note}"


def test_a_claim_id_of_a_built_file_is_refused_naming_both_places(tmp_path):
    """Item 2: claim:kim2021-01 is the seed article's; a sheet may not give it a second actor."""
    store = seeded()
    before = all_quads(store)
    path = _sheet(tmp_path, "clash.csv", _row("kim2021-01"), _row("mine-01"))
    with pytest.raises(ImportFailed, match=r"clash.csv:2: claim_id: claim:kim2021-01 is already "
                       r"a claim in the graph <https://stancegraph.org/graph/file/sources/"
                       r"kim-2021-03-27-monkey-cage>; a claim id belongs to one file or import"):
        run_import(store, "csv", [path], on_error="fail")
    assert all_quads(store) == before
    (report,) = run_import(store, "csv", [path])
    assert (report.claims, report.skipped) == (1, 1)
    assert values(store, "claim:kim2021-01", "sg:actor") == {ID + "state/PRK"}
    # importing the same file again replaces its own graph: no clash with itself
    (report,) = run_import(store, "csv", [path])
    assert (report.claims, report.skipped) == (1, 1)


def test_a_claim_id_of_another_import_or_file_is_refused(tmp_path):
    store = seeded()
    first = _sheet(tmp_path, "first.csv", _row("shared-01"))
    run_import(store, "csv", [first])
    second = _sheet(tmp_path, "second.csv", _row("shared-01", target="state:JPN"))
    (report,) = run_import(store, "csv", [second])
    assert [str(p).removeprefix(f"{second}:") for p in report.problems] == [
        "2: claim_id: claim:shared-01 is already a claim in the graph "
        "<https://stancegraph.org/graph/import/csv/first> (spreadsheet first.csv, line 2); a "
        "claim id belongs to one file or import"]
    # two new files of one run
    third, fourth = (_sheet(tmp_path, f"{n}.csv", _row("new-01")) for n in ("third", "fourth"))
    reports = run_import(store, "csv", [third, fourth])
    assert [r.claims for r in reports] == [1, 0]
    assert f"is already a claim in {third}:2" in str(reports[1].problems[0])
    assert values(store, "claim:shared-01", "sg:target") == {ID + "state/KOR"}


def test_build_refuses_a_claim_id_that_an_import_holds(tmp_path):
    store = seeded()
    run_import(store, "csv", [_sheet(tmp_path, "sheet.csv", _row("x9"))])
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix sg: <https://stancegraph.org/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "@prefix state: <https://stancegraph.org/id/state/> .\n"
        "@prefix claim: <https://stancegraph.org/id/claim/> .\n"
        "@prefix source: <https://stancegraph.org/id/source/> .\n"
        "claim:x9 a sg:Claim ; sg:actor state:USA ; sg:relation sg:opposes ; "
        "sg:target state:PRK ; sg:date \"2021-03-25\"^^xsd:date ; "
        "prov:wasDerivedFrom source:kim-2021-03-27 .\n"
        "claim:x10 a sg:Claim ; sg:actor state:USA ; sg:relation sg:opposes ; "
        "sg:target state:USA ; sg:date \"2021-03-25\"^^xsd:date ; "
        "prov:wasDerivedFrom source:kim-2021-03-27 .\n", encoding="utf-8")
    before = all_quads(store)
    with pytest.raises(ValidationError) as caught:
        build(store, [extra])
    assert caught.value.problems == [
        f"{extra}: claim:x9: claim id already used in the graph "
        "<https://stancegraph.org/graph/import/csv/sheet> (spreadsheet sheet.csv, line 2); a "
        "claim id belongs to one file or import",
        f"{extra}: claim:x10: sg:target: a self-tie: state:USA is both actor and target",
    ]
    assert all_quads(store) == before


TEXT = "North Korea fired two short-range ballistic missiles off its east coast."


def _store_with_text(tmp_path):
    """A built store whose source declares the SHA-256 of a text in tmp_path/texts."""
    import hashlib

    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "article.txt").write_text(TEXT, encoding="utf-8")
    digest = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    source = tmp_path / "source.ttl"
    source.write_text(
        "@prefix sg: <https://stancegraph.org/ontology#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix source: <https://stancegraph.org/id/source/> .\n"
        f'source:t a sg:Source ; dcterms:title "a text" ; sg:textSha256 "{digest}" .\n',
        encoding="utf-8")
    store = open_store("oxigraph:memory")
    build(store, [source])
    return store, texts


def test_evidence_offsets_are_checked_against_the_texts_as_build_does(tmp_path):
    """Item 3: offsets 99999..100013 on a 73-character text; same check and message as build."""
    store, texts = _store_with_text(tmp_path)
    rows = ["e1,state:USA,supports,state:KOR,2021-01-01,source:t,North Korea,0,11,",
            "e2,state:USA,supports,state:KOR,2021-01-01,source:t,abcdefghijklmn,99999,100013,",
            "e3,state:USA,supports,state:KOR,2021-01-01,source:t,North Korea,1,12,"]
    path = _sheet(tmp_path, "offsets.csv", *rows)
    (report,) = run_import(store, "csv", [path], texts=[texts])
    text = texts / "article.txt"
    assert [str(p).removeprefix(f"{path}:") for p in report.problems] == [
        f"3: evidence: offsets 99999..100013 fall outside {text} ({len(TEXT)} characters)",
        f"4: evidence: {text}[1:12] is 'orth Korea ', not the quoted fragment 'North Korea'",
    ]
    assert report.claims == 1
    # the CLI: --texts on import, exit 1 with --on-error fail and nothing written
    uri = f"oxigraph:{tmp_path / 'store'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["build", str(tmp_path / "source.ttl"), "--store", uri]).exit_code \
        == 0
    result = runner.invoke(cli, ["import", "csv", str(path), "--texts", str(texts), "--quiet",
                                 "--on-error", "fail", "--store", uri])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {path}:3: evidence: offsets 99999..100013 fall outside {text} "
        f"({len(TEXT)} characters) (--on-error fail: nothing was written)")
    result = runner.invoke(cli, ["import", "events", str(path), "--texts", str(texts),
                                 "--store", uri])
    assert result.exit_code == 2 and "use it with 'import csv'" in result.stderr


@pytest.mark.parametrize("actor, message", [
    ("<http://ex.org/a b>", "not a valid IRI: 'http://ex.org/a b' (a space is not allowed in an "
                            "IRI)"),
    ("http://ex.org/a>b", "not a valid IRI: 'http://ex.org/a>b' ('>' is not allowed in an IRI)"),
    ('"http://ex.org/a""b"', "not a valid IRI: 'http://ex.org/a\"b' ('\"' is not allowed in an "
                             "IRI)"),
    ("state:U{S}", "not a valid IRI: 'https://stancegraph.org/id/state/U{S}' ('{' is not "
                   "allowed in an IRI)"),
])
def test_bad_iris_are_bad_rows_and_the_rest_is_kept(tmp_path, actor, message):
    """Item 5: FILE:LINE and the column; with --on-error skip the other rows are imported."""
    path = _sheet(tmp_path, "iris.csv", _row("i1", actor=actor), _row("i2"))
    store = seeded()
    (report,) = run_import(store, "csv", [path])
    assert [str(p) for p in report.problems] == [f"{path}:2: actor: {message}"]
    assert report.claims == 1
    with pytest.raises(ImportFailed, match="iris.csv:2: actor: not a valid IRI"):
        run_import(store, "csv", [path], on_error="fail")
    bad_id = _sheet(tmp_path, "ids.csv", _row("http://ex.org/c d"))
    (report,) = run_import(store, "csv", [bad_id])
    assert [str(p) for p in report.problems] == [
        f"{bad_id}:2: claim_id: not a valid IRI: 'http://ex.org/c d' (a space is not allowed "
        "in an IRI)"]


def test_self_ties_and_control_characters_are_refused(tmp_path):
    """Items 6 and 17: no state supports itself; ESC, BEL and NUL never reach the store."""
    path = _sheet(tmp_path, "odd.csv", _row("s1", target="state:USA"),
                  _row("s2", note="ring\x07 \x1b[31mred"), _row("s3", note="ok\there"))
    store = seeded()
    (report,) = run_import(store, "csv", [path])
    assert sorted(str(p).removeprefix(f"{path}:") for p in report.problems) == [
        "2: target: a self-tie: state:USA is both actor and target",
        "3: note: control character U+0007 in the text; remove it",
    ]
    assert report.claims == 1 and values(store, "claim:s3", "sg:note") == {"ok\there"}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_bom_and_utf16_spreadsheets_are_read(tmp_path, encoding):
    """Item 17: what spreadsheet programs save ("CSV UTF-8" has a BOM; "Unicode text" is
    UTF-16) reads like plain UTF-8."""
    text = HEADER + _row("enc-1", note="Seoul’s view") + "\n"
    path = tmp_path / "sheet.csv"
    if encoding.endswith("-bom"):
        codec = encoding.removesuffix("-bom")
        path.write_bytes(("\ufeff" + text).encode(codec))
    else:
        path.write_text(text, encoding=encoding)
    (report,) = run_import(seeded(), "csv", [path])
    assert (report.claims, report.problem_count) == (1, 0)


def test_utf16_without_a_bom_and_binary_files_are_refused_clearly(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_bytes((HEADER + _row("x") + "\n").encode("utf-16-le"))
    store = seeded()
    before = all_quads(store)
    with pytest.raises(InputError, match=r"sheet.csv: binary data \(NUL bytes\), not a text "
                                         r"file: save it as UTF-8 text"):
        run_import(store, "csv", [path])
    path.write_bytes(b"\xc9A" + HEADER.encode())
    with pytest.raises(InputError, match=r"sheet.csv:1: not UTF-8 text \(invalid continuation "
                                         r"byte at byte 0\)"):
        run_import(store, "csv", [path])
    path.write_bytes(b"claim_id,\x1b[2J\x07\n")
    with pytest.raises(InputError) as caught:
        run_import(store, "csv", [path])
    assert "\x1b" not in str(caught.value) and "\\x1b[2J" in str(caught.value)
    assert all_quads(store) == before
