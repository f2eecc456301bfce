"""The proposal lexicon: data files, their provenance, and CAMEO codes mapped to relations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.vocab import relations
from graph.workbench.lexicon import (
    actor_names,
    cues,
    data_file,
    lookup_actors,
    lookup_cues,
    relation_for_cameo,
)
from graph.workbench.petrarch import petrarch_folder

ROOT = Path(__file__).resolve().parents[1]
# name variants and CAMEO cues are read from the PETRARCH dictionaries where they are provided
NEEDS_PETRARCH = pytest.mark.skipif(petrarch_folder() is None,
                                    reason="the PETRARCH dictionaries are absent (../shared)")


@pytest.mark.parametrize(("code", "relation"), [
    ("111", "criticizes"), ("1121", "criticizes"), ("112", "criticizes"),
    ("0211", "appealsTo"), ("021", "appealsTo"), ("020", "appealsTo"),
    ("051", "supports"), ("050", "alignedWith"), ("053", "coSponsored"),
    ("120", "opposes"), ("1246", "opposes"), ("126", "violates"),
    ("163", "sanctions"), ("160", "sanctions"), ("166", "sanctions"),
    ("070", "providesAid"), ("073", "providesAid"), ("150", "demonstratesForce"),
    ("011", "declined"), ("010", None), ("043", None), ("190", None),
])
def test_cameo_codes_map_to_relations_through_the_ontology(code, relation):
    assert relation_for_cameo(code) == relation


def test_every_relation_with_a_cameo_code_is_reachable_from_its_own_code():
    for name, relation in relations().items():
        if relation.cameo_code:
            assert relation_for_cameo(relation.cameo_code) == name


@NEEDS_PETRARCH
def test_lookup_finds_names_and_cues_by_first_word_only():
    names = lookup_actors({"south", "pyongyang"})
    found = {(n.phrase, n.code) for n in names}
    assert ("south korea", "KOR") in found and ("pyongyang", "PRK") in found
    assert all(n.phrase.split()[0] in ("south", "pyongyang") for n in names)
    found = {(c.phrase, c.relation) for c in lookup_cues({"condemned", "criticize"})}
    assert ("condemned", "criticizes") in found and ("criticize", "criticizes") in found
    assert lookup_actors(set()) == [] and lookup_cues({"zzzz-not-a-word"}) == []


@NEEDS_PETRARCH
def test_leaders_carry_their_dates_of_office():
    xi = [n for n in actor_names() if n.phrase == "xi jinping"]
    assert xi and all(n.code == "CHN" and n.kind == "person" for n in xi)
    assert any(n.valid_from for n in xi)
    for name in actor_names():
        for value in (name.valid_from, name.valid_until):
            assert value == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), name


@NEEDS_PETRARCH
def test_the_cameo_cues_all_map_to_a_relation():
    assert len(cues()) > 1000
    assert {c.relation for c in cues()} <= set(relations())


def test_the_provenance_names_the_dictionaries_and_their_commit():
    provenance = data_file("PROVENANCE.md").read_text(encoding="utf-8")
    assert "676801cd9cb2924bbbad09f86d15c9323e7097bf" in provenance
    assert "cues_english.tsv" in provenance


def test_without_the_dictionaries_the_lexicon_is_the_english_cues_only(monkeypatch, tmp_path):
    from graph.workbench import lexicon

    monkeypatch.setenv("STANCEGRAPH_PETRARCH", str(tmp_path))  # a folder without them
    for cached in (lexicon._table, lexicon._lines, lexicon.actor_names, lexicon.cues):
        cached.cache_clear()
    try:
        assert lexicon.lookup_actors({"south"}) == [] and lexicon.cues() == ()
        assert {c.relation for c in lexicon.lookup_cues({"criticism"})} == {"criticizes"}
    finally:
        for cached in (lexicon._table, lexicon._lines, lexicon.actor_names, lexicon.cues):
            cached.cache_clear()
