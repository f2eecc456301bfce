"""stancegraph import events: GDELT 1.0 / 2.0 event files -> claims between states."""

from __future__ import annotations

import pytest
from import_helpers import FIXTURES, all_quads, claim, imported, seeded, shared, values

from graph.errors import InputError
from graph.sources.events import ROOT_RELATIONS, relation_for
from graph.sources.runner import ImportFailed, run_import
from graph.store import open_store
from graph.vocab import relations

SAMPLE = FIXTURES / "events" / "gdelt_mixed_sample.tsv"
S = "https://stancegraph.org/id/state/"
SG = "https://stancegraph.org/ontology#"


@pytest.fixture(scope="module")
def imported_sample():
    return imported("events", [SAMPLE])


def _claims(store) -> dict[str, tuple[str, str, str, float]]:
    rows = store.query(
        "SELECT ?c ?a ?r ?t ?w WHERE { ?c a sg:Claim ; sg:actor ?a ; sg:relation ?r ; "
        "sg:target ?t ; sg:eventWeight ?w }")
    return {str(c).rsplit("/", 1)[-1]: (str(a).removeprefix(S), str(r).removeprefix(SG),
                                        str(t).removeprefix(S), float(w))
            for c, a, r, t, w in rows}


def test_state_to_state_events_become_claims_in_all_three_layouts(imported_sample):
    store, report = imported_sample
    assert _claims(store) == {
        # GDELT 1.0 daily (58 fields)
        "gdelt1-564111714": ("CHN", "criticizes", "USA", -2.0),      # 112, root 11
        "gdelt1-564137398": ("GRC", "supports", "USA", 3.4),         # 051 = supports' code
        "gdelt1-564157307": ("USA", "supports", "RUS", 3.4),
        "gdelt1-564160316": ("CHN", "opposes", "JPN", -5.0),         # 173, root 17
        "gdelt1-564442492": ("RUS", "supports", "UKR", 7.0),         # 085, root 08
        "gdelt1-564443022": ("USA", "opposes", "PRK", -4.4),         # 130, root 13
        # GDELT 1.0 backfile (57 fields, no SOURCEURL)
        "gdelt1-1552839": ("CAN", "opposes", "POL", -5.8),           # 1312, root 13
        "gdelt1-1552939": ("EGY", "supports", "PSE", 3.4),
        "gdelt1-1553189": ("IRN", "sanctions", "IRQ", -7.0),         # 164, root 16
        "gdelt1-1553489": ("PSE", "opposes", "ISR", -4.0),           # 1246, root 12
        # GDELT 2.0 (61 fields)
        "gdelt2-669666367": ("SAU", "opposes", "EGY", -5.0),
        "gdelt2-669666380": ("MLI", "opposes", "TCD", -10.0),        # 190, root 19
    }
    assert (report.rows, report.claims, report.skipped) == (19, 12, 0)
    assert report.counts == {
        "events with CAMEO root 01 (no stance relation, no claim)": 1,   # KOR -> PRK 016
        "events with CAMEO root 04 (no stance relation, no claim)": 2,
        "events with an actor without a country code (no claim)": 2,
        "events within one state (no claim)": 1,
    }
    assert dict(report.unmatched) == {"EUR (CAMEO code, not a state)": 1}


def test_each_event_claim_keeps_its_provenance(imported_sample):
    store, _ = imported_sample
    found = claim(store, "claim:gdelt1-564443022")
    assert {float(w) for w in found.pop("eventWeight")} == {-4.4}
    source = found.pop("wasDerivedFrom")
    assert found == {
        "type": {SG + "Claim"},
        "actor": {S + "USA"},
        "relation": {SG + "opposes"},
        "target": {S + "PRK"},
        "mode": {SG + "Stated"},
        "date": {"2016-07-28"},
        "dataset": {"GDELT 1.0 daily events (gdelt_mixed_sample.tsv)"},
        "recordId": {"564443022"},
        "row": {"9"},
        "note": {"CAMEO 130 (relation from its root 13): THE US -> NORTH KOREA"},
    }
    (page,) = source
    assert page.startswith("https://stancegraph.org/id/source/web-")
    # GDELT's own SOURCEURL, whatever it points at
    assert values(store, page, "sg:url") == {
        "http://potiner.com/2016/07/england-all-rounder-ben-stokes-misses-third-test-against/"}
    assert values(store, page, "dcterms:title") == values(store, page, "sg:url")
    assert values(store, page, "dcterms:isReferencedBy") == {
        "https://stancegraph.org/id/source/dataset-gdelt-1"}
    # no SOURCEURL in the backfile: the dataset is the source
    assert values(store, "claim:gdelt1-1552839", "prov:wasDerivedFrom") == {
        "https://stancegraph.org/id/source/dataset-gdelt-1"}
    assert values(store, "claim:gdelt1-1552839", "sg:note") == {
        "CAMEO 1312 (relation from its root 13): CANADA -> POLAND"}


def test_the_vocabularys_cameo_codes_decide_first():
    by_code = {r.cameo_code: r.name for r in relations().values()}
    for code, name in by_code.items():
        assert relation_for(code, code[:2]) == (name, True)
    # the root table agrees with the vocabulary wherever it names a root's generic code
    for relation in relations().values():
        if relation.cameo_code == relation.cameo_root + "0":
            assert ROOT_RELATIONS[relation.cameo_root] == relation.name
    assert set(ROOT_RELATIONS) == {f"{i:02d}" for i in range(1, 21)}


def _row(fields: int, **values) -> str:
    row = [""] * fields
    row[0], row[1], row[7], row[17], row[26], row[28], row[30] = (
        "1", "20160727", "USA", "PRK", "130", "13", "-4.4")
    for index, value in values.items():
        row[int(index.removeprefix("f"))] = value
    return "\t".join(row)


def test_malformed_rows_are_reported_with_their_lines(tmp_path):
    path = tmp_path / "events.tsv"
    path.write_text("\n".join([
        _row(58),
        _row(59, f0="2"),
        _row(58, f0="3", f1="2016-07-27"),
        _row(61, f0="4", f30="-12"),
        _row(57, f0="5", f26="999", f28="99"),
        _row(58, f0="6", f7="usa"),
        _row(58),
    ]) + "\n", encoding="utf-8")
    store = open_store("oxigraph:memory")
    (report,) = run_import(store, "events", [path])
    assert [str(p) for p in report.problems] == [
        f"{path}:2: row: 59 fields, expected 57 or 58 or 61",
        f"{path}:3: SQLDATE: not a date (YYYYMMDD): '2016-07-27'",
        f"{path}:4: GoldsteinScale: -12.0 is outside -10..10",
        f"{path}:5: EventCode: not a CAMEO event code: '999' (root '99')",
        f"{path}:6: Actor1CountryCode: not a CAMEO country code: 'usa'",
        f"{path}:7: GLOBALEVENTID: event 1 is also on line 1",
    ]
    assert report.claims == 1
    with pytest.raises(ImportFailed, match=r"events.tsv:2: row: 59 fields"):
        run_import(store, "events", [path], on_error="fail")


def test_a_file_that_is_not_gdelt_is_refused(tmp_path):
    path = tmp_path / "other.tsv"
    path.write_text("a\tb\tc\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a GDELT event file: its first row has 3"):
        run_import(open_store("oxigraph:memory"), "events", [path])


def test_importing_twice_gives_the_same_graph_and_two_files_two_graphs(tmp_path):
    store = seeded()
    copy = tmp_path / "second.tsv"
    copy.write_bytes(SAMPLE.read_bytes()[:SAMPLE.read_bytes().index(b"\n") + 1])
    reports = run_import(store, "events", [SAMPLE, copy])
    assert [r.graph.rsplit("/", 1)[-1] for r in reports] == ["gdelt_mixed_sample", "second"]
    before = all_quads(store)
    run_import(store, "events", [SAMPLE, copy])
    assert all_quads(store) == before


@pytest.mark.slow
def test_the_real_gdelt_files():
    folder = shared("gdelt")
    files = [folder / name for name in (
        "reed9999_gdelt1_daily_20160728_58col.tsv", "reed9999_gdelt1_backfile_57col.tsv",
        "gdeltPyR_events1_sample_dateadded20170312.tsv",
        "gdeltPyR_events2_sample_dateadded20170701234500.tsv")]
    store = open_store("oxigraph:memory")
    reports = run_import(store, "events", files)
    # PROVENANCE.md: 509, 201, 50 and 50 rows
    assert [r.rows for r in reports] == [509, 201, 50, 50]
    assert all(r.problem_count == 0 for r in reports)
    assert [r.claims for r in reports] == [39, 28, 7, 5]
    # the mixed original (the two reed9999 files interleaved) is recognised row by row
    (mixed,) = run_import(open_store("oxigraph:memory"), "events",
                          [folder / "reed9999_events_csv_ORIGINAL_mixed.tsv"])
    assert (mixed.rows, mixed.claims, mixed.problem_count) == (710, 39 + 28, 0)


def test_event_ids_are_ascii_digits(tmp_path):
    """Issue 14, item 4: str.isdigit() took '²' (and Arabic-Indic digits) as an event id."""
    row = (FIXTURES / "events" / "gdelt_mixed_sample.tsv").read_text(
        encoding="utf-8").splitlines()[0].split("\t")
    row[0] = "12²"
    path = tmp_path / "events.tsv"
    path.write_text("\t".join(row) + "\n", encoding="utf-8")
    (report,) = run_import(open_store("oxigraph:memory"), "events", [path])
    assert [str(p) for p in report.problems] == [f"{path}:1: GLOBALEVENTID: not a number: '12²'"]
