"""Building: idempotence, the derived direct edges and roll-ups, and stale file graphs."""

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF

from graph.build import FILE_GRAPHS, build, file_graph_name, source_files
from graph.claims import Claim, claim_triples
from graph.store import open_store
from graph.vocab import CLAIM, GOV, ONTOLOGY_GRAPH, PERSON, RES, SG, SOURCE, STATE, relations

EXTRA = """\
@prefix sg:      <https://stancegraph.org/ontology#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix state:   <https://stancegraph.org/id/state/> .
@prefix claim:   <https://stancegraph.org/id/claim/> .
@prefix source:  <https://stancegraph.org/id/source/> .

source:extra a sg:Source ; dcterms:title "An extra source" .
claim:extra-1 a sg:Claim ;
    sg:actor state:JPN ; sg:relation sg:alignedWith ; sg:target state:KOR ;
    sg:date "2021-03-01"^^xsd:date ; prov:wasDerivedFrom source:extra .
"""


def snapshot(store):
    return sorted(store.quads(), key=lambda q: tuple(map(str, q)))


def fresh(kind, tmp_path):
    return open_store("memory:" if kind == "memory" else f"oxigraph:{tmp_path / 'store'}")


def ask(store, text, bindings=None) -> bool:
    return bool(store.query(text, bindings).askAnswer)


@pytest.mark.parametrize("kind", ["memory", "oxigraph"])
def test_building_twice_gives_the_same_quads(kind, tmp_path):
    store = fresh(kind, tmp_path)
    first = build(store)
    before = snapshot(store)
    second = build(store)
    assert snapshot(store) == before
    assert first == second
    assert store.count_triples() == len(before) == first.triples


def test_both_stores_hold_the_same_build(memory_store, oxigraph_store):
    assert memory_store.count_triples() == oxigraph_store.count_triples()
    assert memory_store.graph_names() == oxigraph_store.graph_names()
    # pyoxigraph keeps literals in canonical form ("1.0"^^xsd:decimal -> "1"), so compare values
    def plain(quads):
        return {tuple(t.toPython() if isinstance(t, Literal) else t for t in q) for q in quads}

    assert plain(memory_store.quads()) == plain(oxigraph_store.quads())


def test_the_report(memory_store):
    report = build(open_store("memory:"))
    assert report.store == "memory:"
    assert len(report.files) == len(source_files()) >= 2
    assert report.claims == 55  # the article's 54 and the US-ROK treaty (issue 11)
    assert report.derived_claims == sum(
        1 for _ in memory_store.quads() if _[1] == SG.mode and _[2] == SG.Derived
    )
    assert report.triples == memory_store.count_triples()


def test_one_named_graph_per_file_and_the_ontology(built_store):
    names = built_store.graph_names()
    assert ONTOLOGY_GRAPH in names
    for path in source_files():
        assert file_graph_name(path) in names
    assert URIRef(FILE_GRAPHS + "entities") in names


def test_direct_edges_are_derived_from_claims(built_store):
    assert ask(built_store, "ASK { state:USA sg:coSponsored res:unhrc-dprk-2021 }")
    assert ask(built_store, "ASK { state:JPN sg:coSponsored res:unhrc-dprk-2021 }")
    assert not ask(built_store, "ASK { state:KOR sg:coSponsored res:unhrc-dprk-2021 }")
    assert ask(built_store, "ASK { state:KOR sg:declined res:unhrc-dprk-2021 }")
    assert ask(built_store, "ASK { state:PRK sg:violates res:unsc-1718 }")
    # every stated claim has its edge
    missing = built_store.select_rows("""
        SELECT ?claim WHERE {
            ?claim a sg:Claim ; sg:actor ?a ; sg:relation ?r ; sg:target ?t .
            FILTER NOT EXISTS { ?a ?r ?t }
        }""")
    assert missing == []


def test_symmetric_relations_give_both_directions(built_store):
    assert ask(built_store, "ASK { state:USA sg:alignedWith state:KOR }")
    assert ask(built_store, "ASK { state:KOR sg:alignedWith state:USA }")
    assert ask(built_store, "ASK { person:kim-jong-un sg:alignedWith person:xi-jinping }")
    assert ask(built_store, "ASK { person:xi-jinping sg:alignedWith person:kim-jong-un }")
    # ...and the rolled-up pair too
    assert ask(built_store, "ASK { state:CHN sg:alignedWith state:PRK }")
    assert ask(built_store, "ASK { state:PRK sg:alignedWith state:CHN }")
    # a directed relation does not
    assert not ask(built_store, "ASK { res:unhrc-dprk-2021 sg:coSponsored state:USA }")


def test_blinkens_criticism_rolls_up_to_the_united_states(built_store):
    rows = built_store.select_rows("""
        SELECT ?derived ?actor ?target ?relation ?source WHERE {
            ?derived sg:derivedFrom claim:kim2021-24 ; sg:mode sg:Derived ;
                     sg:actor ?actor ; sg:target ?target ; sg:relation ?relation ;
                     prov:wasDerivedFrom ?source .
        }""")
    assert len(rows) == 1
    row = rows[0]
    assert row["actor"] == str(STATE.USA)
    assert row["target"] == str(STATE.PRK)  # the Kim regime represents North Korea
    assert row["relation"] == str(SG.criticizes)
    assert row["source"] == str(SOURCE["kim-2021-03-27"])
    assert ask(built_store, "ASK { state:USA sg:criticizes state:PRK }")
    assert ask(built_store, "ASK { ?d sg:derivedFrom claim:kim2021-24 ; a sg:Claim ; "
                            "sg:onIssue issue:dprk-human-rights ; sg:position ?p FILTER (?p = 1) }")
    # the original stays as it was
    assert ask(built_store, "ASK { claim:kim2021-24 sg:mode sg:Stated ; "
                            "sg:actor person:antony-blinken ; sg:target gov:kim-regime }")


def test_roll_up_respects_office_terms(built_store):
    # Moon's administration declined in 2021: counts for South Korea
    assert ask(built_store, "ASK { ?d sg:derivedFrom claim:kim2021-27 ; sg:actor state:KOR ; "
                            "sg:target state:PRK ; sg:relation sg:declined }")
    # Global Times is state-run: its criticism counts for China
    assert ask(built_store, "ASK { ?d sg:derivedFrom claim:kim2021-44 ; sg:actor state:CHN }")
    # a stance between state-level actors is not rolled up again
    assert not ask(built_store, "ASK { ?d sg:derivedFrom claim:kim2021-32 }")
    # derived claims are never derived from derived claims
    assert not ask(built_store, "ASK { ?d sg:derivedFrom ?c . ?c sg:mode sg:Derived }")


def test_positions_on_issues(built_store):
    rows = built_store.select_rows(
        "SELECT ?issue ?position WHERE { claim:kim2021-29 sg:onIssue ?issue ; "
        "sg:position ?position }"
    )
    assert [(r["issue"], float(r["position"])) for r in rows] == [
        ("https://stancegraph.org/id/issue/dprk-human-rights", 0.0)
    ]
    rows = built_store.select_rows(
        "SELECT ?position WHERE { claim:kim2021-23 sg:position ?position }"
    )
    # the explicit issuePosition
    assert [float(r["position"]) for r in rows] == pytest.approx([-1.0])


@pytest.mark.parametrize("kind", ["memory", "oxigraph"])
def test_a_file_left_out_of_the_next_build_loses_its_graph(kind, tmp_path, request):
    extra = tmp_path / "extra-source.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    store = fresh(kind, tmp_path)
    build(store, [extra])
    name = file_graph_name(extra)
    assert name == URIRef(FILE_GRAPHS + "extra/extra-source")
    assert name in store.graph_names()
    assert ask(store, "ASK { state:KOR sg:alignedWith state:JPN }")
    build(store)
    assert name not in store.graph_names()
    assert not ask(store, "ASK { state:KOR sg:alignedWith state:JPN }")
    assert not ask(store, "ASK { claim:extra-1 ?p ?o }")
    assert snapshot(store) == snapshot(request.getfixturevalue(f"{kind}_store"))


def test_graphs_not_written_by_build_are_kept():
    store = open_store("memory:")
    imported = URIRef("https://stancegraph.org/graph/import/test")
    store.replace_graphs({imported: [(STATE.USA, SG.note, Literal("kept"))]})
    build(store)
    assert imported in store.graph_names()


def test_folders_are_read_recursively(tmp_path):
    (tmp_path / "deeper").mkdir()
    (tmp_path / "deeper" / "x.ttl").write_text(EXTRA, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not data", encoding="utf-8")
    found = source_files([tmp_path])
    assert found[-1] == tmp_path / "deeper" / "x.ttl"
    assert len(found) == len(source_files()) + 1
    assert source_files([tmp_path], bundled=False) == [tmp_path / "deeper" / "x.ttl"]
    # the same file twice is read once
    assert source_files([tmp_path, tmp_path / "deeper" / "x.ttl"], bundled=False) == found[-1:]


def test_claim_triples_match_what_the_build_derives():
    from rdflib.namespace import XSD  # (imported here: pytest's collection trips XSD's warnings)

    claim = Claim(CLAIM.x, PERSON["antony-blinken"], SG.alignedWith, GOV["moon-administration"],
                  SOURCE.s, date="2021-03-18", evidence="quoted", evidence_start=0,
                  evidence_end=6, confidence=0.5, issue=RES["unhrc-dprk-2021"])
    triples = set(claim_triples(claim))
    assert (CLAIM.x, RDF.type, SG.Claim) in triples
    assert (CLAIM.x, PROV.wasDerivedFrom, SOURCE.s) in triples
    assert (CLAIM.x, SG.mode, SG.Stated) in triples
    assert (CLAIM.x, SG.date, Literal("2021-03-18", datatype=XSD.date)) in triples
    assert (CLAIM.x, SG.evidenceEnd, Literal(6, datatype=XSD.integer)) in triples
    assert (PERSON["antony-blinken"], SG.alignedWith, GOV["moon-administration"]) in triples
    assert (GOV["moon-administration"], SG.alignedWith, PERSON["antony-blinken"]) in triples
    assert relations()["alignedWith"].symmetric
