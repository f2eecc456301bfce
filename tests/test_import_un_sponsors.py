"""stancegraph import un-sponsors: UN Digital Library MARCXML -> coSponsored claims."""

from __future__ import annotations

import pytest
from import_helpers import FIXTURES, all_quads, claim, imported, seeded, shared, values

from graph.errors import InputError
from graph.sources.runner import ImportFailed, run_import
from graph.sources.un_sponsors import parse_note, split_names
from graph.store import open_store

SAMPLE = FIXTURES / "un_sponsors" / "c3_drafts_sample.xml"
S = "https://stancegraph.org/id/state/"
SG = "https://stancegraph.org/ontology#"


@pytest.fixture(scope="module")
def imported_sample():
    return imported("un-sponsors", [SAMPLE])


def _sponsors(store, symbol: str) -> set[str]:
    rows = store.query(
        "SELECT ?a ?symbol WHERE { ?c a sg:Claim ; sg:relation sg:coSponsored ; sg:actor ?a ; "
        "sg:target ?d . ?d sg:symbol ?symbol }", {"symbol": _literal(symbol)})
    return {str(r[0]).removeprefix(S) for r in rows}


def _literal(text):
    from rdflib import Literal

    return Literal(text)


def test_the_dprk_draft_has_its_37_original_and_22_additional_sponsors(imported_sample):
    store, report = imported_sample
    sponsors = _sponsors(store, "A/C.3/78/L.39")
    assert len(sponsors) == 59
    assert {"KOR", "USA", "JPN", "GBR", "AUS", "LBR", "MHL"} <= sponsors
    notes = store.query(
        "SELECT ?n (COUNT(*) AS ?k) WHERE { ?c sg:target ?d ; sg:note ?n . "
        "?d sg:symbol 'A/C.3/78/L.39' } GROUP BY ?n")
    assert {str(n): int(k) for n, k in notes} == {
        "original sponsor of A/C.3/78/L.39 (MARC 710)": 37,
        "additional sponsor of A/C.3/78/L.39 (MARC 515 note)": 22,
    }


def test_each_claim_points_at_the_line_of_its_name(imported_sample):
    store, _ = imported_sample
    found = claim(store, "claim:unsponsors-A-C-3-78-L-39-KOR")
    assert {float(p) for p in found.pop("position")} == {1.0}
    assert found == {
        "type": {SG + "Claim"},
        "actor": {S + "KOR"},
        "relation": {SG + "coSponsored"},
        "target": {"https://stancegraph.org/id/resolution/unga-A-C-3-78-L-39"},
        "wasDerivedFrom": {"https://stancegraph.org/id/source/dataset-unga-cosponsors"},
        "mode": {SG + "Stated"},
        "date": {"2023-11-02"},
        "dataset": {"UN Digital Library MARCXML, UNGA 78 Third Committee drafts "
                    "(un-bench-eda 61184e2)"},
        "recordId": {"4026559/Republic of Korea"},
        "row": {"998"},
        "note": {"original sponsor of A/C.3/78/L.39 (MARC 710)"},
        "onIssue": {"https://stancegraph.org/id/issue/dprk-human-rights"},
    }
    assert values(store, "claim:unsponsors-A-C-3-78-L-39-USA", "sg:row") == {"1026"}
    assert values(store, "claim:unsponsors-A-C-3-78-L-39-JPN", "sg:row") == {"849"}


def test_drafts_and_the_resolutions_they_became(imported_sample):
    store, _ = imported_sample
    draft = "res:unga-A-C-3-78-L-39"
    assert values(store, draft, "rdfs:label") == {
        "Situation of human rights in the Democratic People's Republic of Korea : draft "
        "resolution"}
    assert values(store, draft, "sg:symbol") == {"A/C.3/78/L.39"}
    assert values(store, draft, "sg:about") == {
        "https://stancegraph.org/id/issue/dprk-human-rights"}
    adopted = "res:unga-A-RES-78-218"
    assert values(store, adopted, "sg:symbol") == {"A/RES/78/218"}
    assert values(store, adopted, "prov:wasDerivedFrom") == {
        "https://stancegraph.org/id/resolution/unga-A-C-3-78-L-39"}
    # the seed's North Korea is the one the sponsors' claims can be compared with
    assert len(store.query("SELECT ?t WHERE { state:KOR a ?t }")) == 1


def test_names_are_matched_through_spelling_and_mojibake(imported_sample):
    store, report = imported_sample
    l11 = _sponsors(store, "A/C.3/78/L.11")
    assert {"IRL", "CIV", "TUR", "BOL", "NLD", "FSM", "VEN", "MDA", "VNM"} <= l11
    assert report.counts["names matched ignoring spaces: 'Ir eland' = IRL"] == 1
    assert report.problem_count == 0 and not report.unmatched


def test_notes_and_non_state_authors(imported_sample):
    store, report = imported_sample
    # L.64: Zambia (710) for the African Group, two additional sponsors; Sudan's removal is noted
    assert _sponsors(store, "A/C.3/78/L.64") == {"ZMB", "BOL", "ECU"}
    assert report.counts["note removes a sponsor that was not listed: Sudan (A/C.3/78/L.64)"] == 1
    assert report.counts["non-state authors (no claim): UN. Group of African States"] == 1
    # L.4: only the Committee's Chair, no claim
    assert _sponsors(store, "A/C.3/78/L.4") == set()
    assert report.counts["non-state authors (no claim): UN. General Assembly. 3rd Committee. "
                         "Chair"] == 1
    assert (report.rows, report.counts["draft resolutions"]) == (5, 5)
    assert report.claims == report.counts["sponsor entries"] == 192


def test_split_names_keeps_names_with_and():
    known = {"Trinidad and Tobago", "Zambia", "Antigua and Barbuda", "Chile"}.__contains__
    assert split_names("Chile, Antigua and Barbuda and Trinidad and Tobago", known) == [
        "Chile", "Antigua and Barbuda", "Trinidad and Tobago"]
    assert split_names("Zambia", known) == ["Zambia"]
    assert parse_note("The amendment was rejected by the Committee (A/78/481/Add.2).", known) \
        == ([], [], [], ["The amendment was rejected by the Committee"])


BAD_RECORD = """<?xml version="1.0" encoding="UTF-8"?>
<collection xmlns="http://www.loc.gov/MARC21/slim">
<record>
  <controlfield tag="001">1</controlfield>
  <datafield tag="191" ind1=" " ind2=" "><subfield code="a">A/C.3/78/L.99</subfield></datafield>
  <datafield tag="269" ind1=" " ind2=" "><subfield code="a">2023-11-02</subfield></datafield>
  <datafield tag="710" ind1=" " ind2=" "><subfield code="a">Atlantis</subfield></datafield>
  <datafield tag="710" ind1=" " ind2=" "><subfield code="a">Chile</subfield></datafield>
</record>
<record>
  <controlfield tag="001">2</controlfield>
  <datafield tag="191" ind1=" " ind2=" "><subfield code="a">A/C.3/78/L.98</subfield></datafield>
  <datafield tag="269" ind1=" " ind2=" "><subfield code="a">2 Nov. 2023</subfield></datafield>
</record>
</collection>
"""


def test_unknown_names_and_bad_dates_are_reported_with_lines(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text(BAD_RECORD, encoding="utf-8")
    store = open_store("oxigraph:memory")
    (report,) = run_import(store, "un-sponsors", [path])
    assert [str(p) for p in report.problems] == [
        f"{path}:7: 710: no state named 'Atlantis' (A/C.3/78/L.99)",
        f"{path}:10: 269: not a date (YYYY-MM-DD): '2 Nov. 2023' (A/C.3/78/L.98)",
    ]
    assert dict(report.unmatched) == {"Atlantis": 1}
    assert _sponsors(store, "A/C.3/78/L.99") == {"CHL"}


def test_on_error_fail_writes_nothing(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text(BAD_RECORD, encoding="utf-8")
    store = seeded()
    before = all_quads(store)
    with pytest.raises(ImportFailed, match=r"bad.xml:7: 710: no state named 'Atlantis'"):
        run_import(store, "un-sponsors", [path], on_error="fail")
    assert all_quads(store) == before


def test_xml_that_is_not_well_formed_is_an_input_error(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text(BAD_RECORD.replace("</record>\n<record>", "<record>", 1), encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.xml:\d+: not well-formed XML"):
        run_import(open_store("oxigraph:memory"), "un-sponsors", [path])


def test_importing_twice_gives_the_same_graph():
    store, _ = imported("un-sponsors", [SAMPLE])
    before = all_quads(store)
    run_import(store, "un-sponsors", [SAMPLE])
    assert all_quads(store) == before


@pytest.mark.slow
def test_the_full_marcxml_file():
    folder = shared("unga_cosponsors")
    store = open_store("oxigraph:memory")
    (report,) = run_import(store, "un-sponsors", [folder])
    # PROVENANCE.md: 94 records; 3,135 sponsor rows in the parsed CSV, each matched or reported
    assert report.rows == 94
    assert report.counts["sponsor entries"] == 3_135
    assert report.claims + report.problem_count + report.counts[
        "sponsors removed by the note (no claim)"] == 3_135
    assert report.claims == 3_135 and report.problem_count == 0
    assert len(_sponsors(store, "A/C.3/78/L.39")) == 37 + 22
    # amendments L.62-L.69: China, Russia and the DPRK sponsor L.62
    assert {"CHN", "RUS", "PRK", "IRN", "SYR"} <= _sponsors(store, "A/C.3/78/L.62")


def test_an_impossible_date_is_a_bad_record(tmp_path):
    """Issue 14, item 4: the date is checked to exist, not only to look like one."""
    path = tmp_path / "bad.xml"
    path.write_text(BAD_RECORD.replace("2 Nov. 2023", "2023-02-30"), encoding="utf-8")
    (report,) = run_import(open_store("oxigraph:memory"), "un-sponsors", [path])
    assert f"{path}:10: 269: not a date: '2023-02-30' (day is out of range for month) " \
           "(A/C.3/78/L.98)" in [str(p) for p in report.problems]
