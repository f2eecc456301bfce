"""Proposals: actor mentions and stance cues combined sentence by sentence (no ../shared)."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from graph.cli import cli
from graph.vocab import short
from graph.workbench.petrarch import petrarch_folder
from graph.workbench.propose import mentions, proposal_rows, propose

# name variants and CAMEO cues are read from the PETRARCH dictionaries where they are provided
NEEDS_PETRARCH = pytest.mark.skipif(petrarch_folder() is None,
                                    reason="the PETRARCH dictionaries are absent (../shared)")


def triples(text, **kwargs):
    return [(short(p.actor), p.relation, short(p.target)) for p in propose(text, **kwargs)]


def test_a_cue_between_actor_and_target_gives_a_proposal_with_its_offsets():
    text = "On Monday, South Korea criticized North Korea over the launch."
    found = propose(text)
    assert [(short(p.actor), p.relation, short(p.target)) for p in found] == \
        [("state:KOR", "criticizes", "state:PRK")]
    p = found[0]
    assert text[p.start:p.end] == p.evidence == "South Korea criticized North Korea"
    assert p.cue == "criticized" and p.cameo.startswith("11")


@NEEDS_PETRARCH
def test_coordinated_actors_and_targets_give_one_proposal_each():
    text = "The United States and Japan condemned China, Russia and Iran yesterday."
    assert sorted(triples(text)) == sorted(
        (a, "criticizes", t) for a in ("state:USA", "state:JPN")
        for t in ("state:CHN", "state:RUS", "state:IRN"))


def test_a_comma_before_the_actor_does_not_join_an_earlier_list():
    text = "Unlike China and Russia, South Korea condemned North Korea."
    assert triples(text) == [("state:KOR", "criticizes", "state:PRK")]


def test_a_negated_cue_is_a_refusal():
    text = "South Korea refrained from criticizing China."
    assert triples(text) == [("state:KOR", "declined", "state:CHN")]
    text = "Japan did not condemn North Korea."
    assert triples(text) == [("state:JPN", "declined", "state:PRK")]


def test_a_cue_used_as_a_noun_is_no_stance():
    assert triples("The United States faces three challenges in North Korea.") == []


@NEEDS_PETRARCH
def test_a_symmetric_relation_between_coordinated_actors():
    text = "Kim Jong Un and Chinese President Xi Jinping pledged to cooperate."
    assert triples(text) == [("person:kim-jong-un", "alignedWith", "person:xi-jinping")]


def test_names_from_the_store_win_over_the_lexicon_and_surnames_follow_full_names():
    text = ("Secretary of State Antony Blinken met officials in Seoul. "
            "Later, Blinken criticized Pyongyang.")
    nodes = [(m.text, short(m.node)) for m in mentions(text)]
    assert ("Antony Blinken", "person:antony-blinken") in nodes
    assert ("Blinken", "person:antony-blinken") in nodes
    assert triples(text) == [("person:antony-blinken", "criticizes", "state:PRK")]


@NEEDS_PETRARCH
def test_short_names_are_matched_case_sensitively():
    text = "Tell us what you think. The US condemned the UN report."
    nodes = [(m.text, short(m.node)) for m in mentions(text)]
    assert [node for _, node in nodes] == ["state:USA"]
    assert nodes[0][0].endswith("US")


@NEEDS_PETRARCH
def test_leaders_of_the_lexicon_count_only_while_in_office():
    # Roh Moo-hyun was South Korea's president 2003-2008 (Phoenix: NO_MU_HYON, ROH_MOO_HYUN).
    text = "Roh Moo-hyun criticized Japan."
    assert triples(text, date="2004-01-01") == [("state:KOR", "criticizes", "state:JPN")]
    assert triples(text, date="2021-01-01") == []


def test_markup_in_the_text_is_carried_as_text():
    text = 'South Korea criticized North Korea <img src=x onerror="alert(1)"> again.'
    p = propose(text)[0]
    assert text[p.start:p.end] == p.evidence


def test_offsets_count_code_points():
    text = "😀 ✓ South Korea criticized North Korea."
    p = propose(text)[0]
    assert text[p.start:p.end] == "South Korea criticized North Korea"


def test_a_bad_date_is_refused():
    with pytest.raises(ValueError):
        propose("South Korea criticized North Korea.", date="2021-13-01")


def test_rows_follow_the_spreadsheet_layout_and_import_cleanly(tmp_path):
    from graph.build import build
    from graph.sources.spreadsheet import COLUMNS
    from graph.store import open_store

    text = "On Monday, South Korea criticized North Korea over the launch."
    rows = proposal_rows(propose(text), "kim-2021-03-27", date="2021-03-27")
    assert list(rows[0]) == list(COLUMNS)
    sheet = tmp_path / "proposals.csv"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    uri = f"oxigraph:{tmp_path / 'store'}"
    store = open_store(uri)
    build(store)
    store.close()
    done = CliRunner().invoke(cli, ["import", "csv", str(sheet), "--store", uri, "--quiet",
                                    "--on-error", "fail"])
    assert done.exit_code == 0, done.output
    store = open_store(uri, read_only=True)
    try:
        found = store.select_rows(
            "SELECT ?e WHERE { claim:kim-2021-03-27-p01 sg:evidence ?e ; sg:actor state:KOR ; "
            "sg:target state:PRK }")
    finally:
        store.close()
    assert [r["e"] for r in found] == ["South Korea criticized North Korea"]


def test_the_propose_command_prints_csv(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(b"Seoul\r\nSouth Korea criticized North Korea.\r\n")
    done = CliRunner().invoke(cli, ["propose", str(path), "--source", "test-article",
                                    "--date", "2021-03-03", "--store", "memory:"])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["actor"], r["relation"], r["target"], r["date"], r["source"]) for r in rows] == \
        [("state:KOR", "criticizes", "state:PRK", "2021-03-03", "source:test-article")]
    text = path.read_bytes().decode()
    start, end = int(rows[0]["evidence_start"]), int(rows[0]["evidence_end"])
    assert text[start:end] == rows[0]["evidence"]  # offsets into the bytes as decoded


def test_the_propose_command_refuses_bad_input(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(b"\xff\xfe not utf-8")
    done = CliRunner().invoke(cli, ["propose", str(path), "--source", "x", "--store", "memory:"])
    assert done.exit_code == 1 and f"Error: {path}: not UTF-8 text" in done.stderr
    path.write_text("South Korea criticized North Korea.", encoding="utf-8")
    done = CliRunner().invoke(cli, ["propose", str(path), "--source", "x", "--date", "2021-3",
                                    "--store", "memory:"])
    assert done.exit_code == 1
    assert "Error: --date " in done.stderr and "expected a date" in done.stderr


# ------------------------------------------------------------------ recall rules (issue 13)
# Sentences written for these tests; the issues and events come from a store built here.

ENTITIES = """
@prefix sg: <https://stancegraph.org/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix issue: <https://stancegraph.org/id/issue/> .
@prefix res: <https://stancegraph.org/id/resolution/> .
@prefix event: <https://stancegraph.org/id/event/> .
issue:blue-nile-dam a sg:Issue ; rdfs:label "dam project on the Blue Nile"@en .
issue:grain-tariff a sg:Issue ; rdfs:label "tariff on grain imports"@en .
res:plastics-2024 a sg:Resolution ; rdfs:label "resolution towards a global plastics treaty"@en ;
    sg:adoptedOn "2024-03-01"^^xsd:date .
res:whaling-2022 a sg:Resolution ; rdfs:label "resolution on a whaling moratorium (2022)"@en ;
    sg:inSeries <urn:test:whaling> ; sg:adoptedOn "2022-04-01"^^xsd:date .
res:whaling-2023 a sg:Resolution ; rdfs:label "resolution on a whaling moratorium (2023)"@en ;
    sg:inSeries <urn:test:whaling> ; sg:adoptedOn "2023-04-01"^^xsd:date .
res:whaling-2024 a sg:Resolution ; rdfs:label "resolution on a whaling moratorium (2024)"@en ;
    sg:inSeries <urn:test:whaling> ; sg:adoptedOn "2024-04-01"^^xsd:date .
event:gulf-drill-2019 a sg:Event ; rdfs:label "naval exercise in the Gulf, June 2019"@en ;
    sg:eventDate "2019-06-02"^^xsd:date .
event:gulf-drill-2024 a sg:Event ; rdfs:label "naval exercise in the Gulf, May 2024"@en ;
    sg:eventDate "2024-05-02"^^xsd:date .
"""


@pytest.fixture(scope="module")
def store():
    from rdflib import Graph, URIRef

    from graph.store import open_store

    store = open_store("memory:")
    store.replace_graphs({URIRef("urn:test:entities"): list(Graph().parse(
        data=ENTITIES, format="turtle"))})
    return store


@NEEDS_PETRARCH
def test_a_nominal_cue_after_a_possessive():
    assert triples("Brazil's criticism of Argentina drew a sharp reply.") == [
        ("state:BRA", "criticizes", "state:ARG")]


@NEEDS_PETRARCH
def test_the_passive_voice_swaps_actor_and_target():
    assert triples("Chile was criticised by Peru on Monday.") == [
        ("state:PER", "criticizes", "state:CHL")]


@NEEDS_PETRARCH
def test_a_pronoun_stands_for_the_subject_of_the_sentence_before():
    assert triples("Norway hosted Sweden for talks. It later condemned Denmark.") == [
        ("state:NOR", "criticizes", "state:DNK")]


def test_phrases_marked_as_no_cue_are_dropped():
    # CAMEO files "deal" under cooperation; "deal with a neighbour" is no stance.
    assert triples("Spain will deal with France next week.") == []


@NEEDS_PETRARCH
def test_store_issues_match_by_their_content_words(store):
    found = triples("Egypt criticized the Nile dam project on Sunday.", store=store)
    # "Nile" (a Phoenix name of Egypt) is part of the issue's words, not a target of its own.
    assert found == [("state:EGY", "criticizes", "issue:blue-nile-dam")]
    assert triples("Tanzania objected to the proposed grain tariff.", store=store) == [
        ("state:TZA", "opposes", "issue:grain-tariff")]
    assert triples("The proposed grain tariff was opposed by Uganda.", store=store) == [
        ("state:UGA", "opposes", "issue:grain-tariff")]


def test_names_sharing_one_word_with_a_label_are_no_match(store):
    assert triples("Egypt criticized the new project.", store=store) == []


@NEEDS_PETRARCH
def test_the_recent_event_wins_over_an_older_one_with_the_same_words(store):
    text = "Qatar criticized the naval exercise in the Gulf."
    assert triples(text, store=store, date="2024-05-20") == [
        ("state:QAT", "criticizes", "event:gulf-drill-2024")]
    assert triples(text, store=store, date="2019-07-01") == [
        ("state:QAT", "criticizes", "event:gulf-drill-2019")]


@NEEDS_PETRARCH
def test_agreeing_on_an_issue_supports_it_and_aligns_the_parties(store):
    found = triples("Chile and Peru agreed on a global plastics treaty.", store=store,
                    date="2024-03-08")
    assert sorted(found) == [("state:CHL", "alignedWith", "state:PER"),
                             ("state:CHL", "supports", "res:plastics-2024"),
                             ("state:PER", "supports", "res:plastics-2024")]


@NEEDS_PETRARCH
def test_a_participle_after_the_targets_keeps_the_earlier_actor(store):
    text = "Norway sent messages to Chile and Peru calling for a global plastics treaty."
    assert sorted(triples(text, store=store, date="2024-03-08")) == [
        ("state:NOR", "appealsTo", "state:CHL"), ("state:NOR", "appealsTo", "state:PER"),
        ("state:NOR", "supports", "res:plastics-2024")]


@NEEDS_PETRARCH
def test_a_cue_ending_the_sentence_refers_to_the_target_before(store):
    text = ("The plastics resolution passed easily in the assembly. "
            "Canada and Mexico were among the co-sponsors.")
    assert sorted(triples(text, store=store, date="2024-03-08")) == [
        ("state:CAN", "coSponsored", "res:plastics-2024"),
        ("state:MEX", "coSponsored", "res:plastics-2024")]


def test_the_english_cues_map_to_relations_and_are_found_by_their_first_token():
    from graph.vocab import relations
    from graph.workbench.lexicon import ENGLISH_CUES, NOT_A_CUE, NOUN, data_file, lookup_cues

    lines = data_file(ENGLISH_CUES).read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == ["phrase", "cameo", "verb", "relation"]
    found = lookup_cues({line.split()[0].split("-")[0] for line in lines[1:]})
    assert {c.relation for c in found} <= set(relations()) | {NOT_A_CUE}
    by_phrase = {}
    for cue in found:
        by_phrase.setdefault(cue.phrase, cue)  # the English file's cue comes first
    # spaCy splits "co-sponsored" into "co", "-", "sponsored": the lookup is by "co".
    assert by_phrase["co-sponsored"].relation == "coSponsored"
    assert {c.phrase for c in lookup_cues({"co"})} >= {"co-sponsor", "co-sponsored"}
    assert by_phrase["warned"].relation == "criticizes"  # CAMEO 13 has no relation
    assert by_phrase["criticism of"].verb == NOUN
    assert by_phrase["deal with"].relation == NOT_A_CUE


@NEEDS_PETRARCH
def test_the_nth_consecutive_year_reaches_back_in_the_series(store):
    text = ("Iceland again refused to co-sponsor the resolution on the whaling moratorium "
            "for the second consecutive year.")
    assert sorted(triples(text, store=store, date="2024-04-10")) == [
        ("state:ISL", "declined", "res:whaling-2023"),
        ("state:ISL", "declined", "res:whaling-2024")]
    text = "Iceland refused to co-sponsor the resolution on the whaling moratorium."
    assert triples(text, store=store, date="2024-04-10") == [
        ("state:ISL", "declined", "res:whaling-2024")]
