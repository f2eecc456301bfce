"""The vocabulary (ontology/actors.ttl), the shapes, and graph.vocab's view of them."""

import re

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from graph.resources import ontology_path, shapes_path
from graph.vocab import (
    PREFIXES,
    SG,
    STATE,
    expand,
    ontology_graph,
    relation_by_iri,
    relations,
    short,
    sparql_prologue,
)

REQUIRED = ["alignedWith", "opposes", "sanctions", "coSponsored", "supports", "criticizes",
            "declined"]


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


@pytest.mark.parametrize("path", [ontology_path(), shapes_path()], ids=["actors", "shapes"])
def test_parses_with_rdflib_and_pyoxigraph(path):
    with_rdflib = Graph().parse(path, format="turtle")
    with_oxigraph = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert len(with_rdflib) > 50
    assert len(with_oxigraph) == len(with_rdflib)


def test_ontology_graph_is_the_file(vocab):
    assert set(ontology_graph()) == set(vocab)


@pytest.mark.parametrize("name", REQUIRED)
def test_required_relations_exist(vocab, name):
    assert (SG[name], RDF.type, SG.StanceRelation) in vocab
    assert name in relations()


def test_every_relation_is_documented_and_scaled(vocab):
    found = sorted(vocab.subjects(RDF.type, SG.StanceRelation))
    assert len(found) >= len(REQUIRED)
    for iri in found:
        label = vocab.value(iri, RDFS.label)
        definition = vocab.value(iri, SKOS.definition)
        assert label is not None and str(label).strip(), iri
        assert definition is not None and len(str(definition)) > 20, iri
        polarity = vocab.value(iri, SG.polarity).toPython()
        assert polarity in (-1, 0, 1), iri
        weight = float(vocab.value(iri, SG.weight).toPython())
        assert -10 <= weight <= 10, iri
        root = str(vocab.value(iri, SG.cameoRoot))
        code = str(vocab.value(iri, SG.cameoCode))
        assert re.fullmatch(r"[0-2][0-9]", root), (iri, root)
        assert re.fullmatch(r"[0-9]{3,4}", code) and code.startswith(root), (iri, code)
        # a relation is also the property of its direct edge
        assert (iri, RDF.type, OWL.ObjectProperty) in vocab, iri


def test_weights_follow_polarity():
    for relation in relations().values():
        if relation.polarity > 0:
            assert relation.weight > 0, relation.name
        elif relation.polarity < 0:
            assert relation.weight < 0, relation.name
        else:
            assert abs(relation.weight) < 1, relation.name


def test_aligned_with_is_symmetric_and_the_others_are_not(vocab):
    assert (SG.alignedWith, RDF.type, OWL.SymmetricProperty) in vocab
    assert relations()["alignedWith"].symmetric
    assert relation_by_iri(SG.alignedWith).symmetric
    assert not relations()["opposes"].symmetric
    assert not relations()["coSponsored"].symmetric


def test_relation_table_matches_the_file(vocab):
    table = relations()
    declined = table["declined"]
    assert declined.polarity == 0
    assert declined.iri == SG.declined
    assert declined.label == str(vocab.value(SG.declined, RDFS.label))
    assert table["sanctions"].polarity == -1 and table["sanctions"].cameo_root == "16"
    assert table["coSponsored"].polarity == 1
    with pytest.raises(KeyError):
        relation_by_iri(SG.admires)


def test_every_class_and_property_has_label_and_definition(vocab):
    kinds = [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SG.StanceRelation,
             SG.ClaimMode, SKOS.ConceptScheme]
    terms = {s for kind in kinds for s in vocab.subjects(RDF.type, kind)
             if isinstance(s, URIRef) and str(s).startswith(str(SG))}
    assert len(terms) > 40
    missing = sorted(short(t) for t in terms
                     if vocab.value(t, RDFS.label) is None
                     or vocab.value(t, SKOS.definition) is None)
    assert missing == []


def test_the_actor_classes_the_issue_asks_for(vocab):
    for name in ["State", "Person", "Organisation", "Government", "MediaOutlet"]:
        assert (SG[name], RDFS.subClassOf, SG.Actor) in vocab
    for name in ["Issue", "Resolution", "Event"]:
        assert (SG[name], RDFS.subClassOf, SG.Target) in vocab
    assert (SG.Issue, RDFS.subClassOf, SKOS.Concept) in vocab
    for prop in ["represents", "holdsOffice", "office", "ofState", "isoCode", "actor",
                 "relation", "target", "evidence", "evidenceStart", "evidenceEnd", "confidence",
                 "mode", "derivedFrom", "validFrom", "validUntil", "date", "textLength"]:
        assert (SG[prop], RDFS.label, None) in vocab, prop


def test_the_vocabulary_conforms_to_its_own_shapes():
    import pyshacl

    shapes = Graph().parse(shapes_path(), format="turtle")
    conforms, _, text = pyshacl.validate(ontology_graph(), shacl_graph=shapes, advanced=True)
    assert conforms, text


def test_short_and_expand_round_trip():
    assert short(STATE.USA) == "state:USA"
    assert short(SG.alignedWith) == "sg:alignedWith"
    assert short("http://example.org/x") == "http://example.org/x"
    assert expand("state:USA") == STATE.USA
    assert expand("<https://stancegraph.org/id/state/KOR>") == STATE.KOR
    assert expand("http://example.org/x") == URIRef("http://example.org/x")
    for prefix, iri in PREFIXES.items():
        assert f"PREFIX {prefix}: <{iri}>" in sparql_prologue()


def test_every_relation_has_a_kind(vocab):
    """docs/TIME.md: each relation is an act or a standing relation, stated in the vocabulary."""
    for iri in vocab.subjects(RDF.type, SG.StanceRelation):
        kinds = list(vocab.objects(iri, SG.relationKind))
        assert kinds in ([SG.Act], [SG.Standing]), iri
    table = relations()
    assert table["alignedWith"].kind == "Standing"
    assert table["sanctions"].kind == "Standing"
    assert table["coSponsored"].kind == "Act" and table["declined"].kind == "Act"


def test_time_vocabulary_is_declared(vocab):
    for name in ("Series", "inSeries", "openEnded", "coverageEnd", "relationKind", "Act",
                 "Standing"):
        assert (SG[name], RDFS.label, None) in vocab, name
