"""Property shapes given their node shape's targets (issue 15) make pySHACL report the same.

``graph.validate._lift_property_shapes`` copies a node shape's targets onto its property
shapes, so that pySHACL checks each property shape once for all focus nodes instead of once
per focus node. pySHACL must give the same results with the shapes as written and as lifted:
on the seed, on every bad-claim fixture, and on made-up shapes and data that use what the
lift must leave alone (closed, deactivated, severities, shapes referred to by other shapes,
property shapes shared or with targets of their own). No timed tests.
"""

from __future__ import annotations

from collections import Counter

import pyshacl
import pytest
from conftest import BAD
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from graph.build import source_files
from graph.resources import shapes_path
from graph.sources.turtle import read_turtle
from graph.validate import _closure, _lift_property_shapes, _shapes
from graph.vocab import ontology_graph

CASES = sorted(p for p in BAD.glob("*.ttl") if p.stem != "bad-syntax")


def _copy(graph: Graph) -> Graph:
    """A copy with the same prefixes (pySHACL writes paths with them in its messages)."""
    made = Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        made.bind(prefix, namespace)
    for triple in graph:
        made.add(triple)
    return made


def _core_as_written() -> Graph:
    """The shapes pySHACL got before the lift: the file less its SPARQL shapes."""
    shapes = Graph().parse(shapes_path(), format="turtle")
    for shape in set(shapes.subjects(SH.sparql, None)):
        for triple in _closure(shapes, shape):
            shapes.remove(triple)
    return shapes


def _results(data: Graph, shapes: Graph) -> tuple[bool, Counter]:
    """pySHACL's verdict and every result, whole (every value of each key: source shape and
    component included), counted: a result reported twice differs from one reported once."""
    conforms, report, _ = pyshacl.validate(_copy(data), shacl_graph=shapes, inference="none",
                                           advanced=True, allow_warnings=True)
    keys = (SH.focusNode, SH.resultPath, SH.value, SH.resultMessage, SH.resultSeverity,
            SH.sourceShape, SH.sourceConstraintComponent)
    return conforms, Counter(
        tuple(tuple(sorted(map(str, report.objects(result, key)))) for key in keys)
        for result in report.subjects(RDF.type, SH.ValidationResult))


def _union(extra=()) -> Graph:
    union = _copy(ontology_graph())
    for path in [*source_files(), *extra]:
        union += read_turtle(path)
    return union


def test_the_build_validates_with_the_lifted_shapes():
    core, _ = _shapes.__wrapped__()  # made anew: pySHACL adds RDFS axioms to the cached one
    assert core.isomorphic(_lift_property_shapes(_core_as_written()))
    lifted = [shape for shape in core.subjects(SH.path, None)
              if next(core.objects(shape, SH.targetClass), None) is not None]
    assert len(lifted) >= 20  # the claim shape's property shapes, among others
    assert not set(core.objects(None, SH.property))  # every property shape was lifted


@pytest.mark.parametrize("extra", [[], *[[p] for p in CASES], CASES],
                         ids=["seed", *[p.stem for p in CASES], "all-bad-files"])
def test_pyshacl_reports_the_same_with_the_shapes_as_written_and_lifted(extra):
    written = _core_as_written()
    union = _union(extra)
    as_written = _results(union, written)
    assert as_written == _results(union, _lift_property_shapes(_copy(written)))
    if not extra:
        assert as_written == (True, Counter())


#: Shapes the lift must leave alone (each guard), next to shapes it lifts, over one class.
SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix e: <https://example.org/> .
@prefix s: <https://example.org/shapes#> .

s:Plain a sh:NodeShape ; sh:targetClass e:Thing ;
    sh:property [ sh:path e:name ; sh:minCount 1 ; sh:message "plain: no name" ] ,
                [ sh:path e:size ; sh:datatype xsd:integer ; sh:maxCount 1 ] .
s:ByNode sh:targetNode e:one, e:two ; sh:targetSubjectsOf e:size ;
    sh:property [ sh:path e:size ; sh:maxInclusive 10 ; sh:message "too big" ] .
s:ByObjects a sh:NodeShape ; sh:targetObjectsOf e:link ;
    sh:property [ sh:path e:name ; sh:minCount 1 ; sh:message "linked, no name" ] .
s:Closed a sh:NodeShape ; sh:targetClass e:Thing ; sh:closed true ;
    sh:ignoredProperties ( <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> e:link ) ;
    sh:property [ sh:path e:name ] , [ sh:path e:size ] .
s:Severe a sh:NodeShape ; sh:targetClass e:Thing ; sh:severity sh:Warning ;
    sh:property [ sh:path e:colour ; sh:minCount 1 ; sh:message "severe: no colour" ] .
s:Off a sh:NodeShape ; sh:targetClass e:Thing ; sh:deactivated true ;
    sh:property [ sh:path e:name ; sh:maxCount 0 ; sh:message "off: has a name" ] .
s:Referred a sh:NodeShape ; sh:targetClass e:Other ;
    sh:property [ sh:path e:name ; sh:minLength 3 ; sh:message "referred: short name" ] .
s:Referrer a sh:NodeShape ; sh:targetClass e:Holder ;
    sh:property [ sh:path e:link ; sh:node s:Referred ; sh:message "link not conforming" ] .
s:SharedA a sh:NodeShape ; sh:targetClass e:Thing ; sh:property s:shared .
s:SharedB a sh:NodeShape ; sh:targetClass e:Other ; sh:property s:shared .
s:shared sh:path e:size ; sh:minInclusive 0 ; sh:message "shared: negative size" .
s:OwnTargets a sh:NodeShape ; sh:targetClass e:Thing ;
    sh:property [ sh:path e:name ; sh:targetNode e:three ; sh:maxLength 4 ;
                  sh:message "own targets: long name" ] .
s:WarnProperty a sh:NodeShape ; sh:targetClass e:Thing ;
    sh:property [ sh:path e:colour ; sh:in ( "red" "blue" ) ; sh:severity sh:Warning ] .
s:Outer sh:targetClass e:Thing ; sh:path e:link ;
    sh:property [ sh:path e:name ; sh:minCount 1 ; sh:message "outer: linked, no name" ] .
s:Hand a sh:NodeShape ; sh:targetClass e:Hand ;
    sh:property [ sh:path e:digit ; sh:qualifiedValueShape [ sh:class e:Thumb ] ;
                  sh:qualifiedValueShapesDisjoint true ;
                  sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ] ,
                [ sh:path e:digit ; sh:qualifiedValueShape [ sh:class e:Finger ] ;
                  sh:qualifiedValueShapesDisjoint true ;
                  sh:qualifiedMinCount 4 ; sh:qualifiedMaxCount 4 ] .
e:Classy a rdfs:Class, sh:NodeShape ;
    sh:property [ sh:path e:name ; sh:pattern "^[A-Z]" ; sh:message "classy: lower case" ] .
"""

DATA = """
@prefix e: <https://example.org/> .
e:one a e:Thing ; e:size 12, "x" ; e:colour "green" ; e:extra 1 .
e:two a e:Thing ; e:name "ab" ; e:size -1 .
e:three a e:Thing, e:Other ; e:name "longer", "al" ; e:colour "red" .
e:holder a e:Holder ; e:link e:two, e:four .
e:four a e:Other, e:Classy ; e:name "lowercase" .
e:three e:link e:one .
e:hand a e:Hand ; e:digit e:d1, e:d2, e:d3, e:d4, e:d5 .
e:d1 a e:Thumb, e:Finger . e:d2 a e:Finger . e:d3 a e:Finger . e:d4 a e:Finger .
e:d5 a e:Finger .
"""


def test_the_lift_leaves_alone_what_it_must():
    shapes = Graph().parse(data=SHAPES, format="turtle")
    lifted = _lift_property_shapes(_copy(shapes))
    s = "https://example.org/shapes#"
    moved = {str(node) for node in shapes.subjects(SH.property, None)} - \
        {str(node) for node in lifted.subjects(SH.property, None)}
    assert moved == {s + "Plain", s + "ByNode", s + "ByObjects", s + "Referrer"}
    # each guard: WarnProperty a property shape's own severity, Outer a property shape
    # holding one, Hand qualified value shapes that read their siblings
    for kept in ("Closed", "Severe", "Off", "Referred", "SharedA", "SharedB", "OwnTargets",
                 "WarnProperty", "Outer", "Hand"):
        assert set(lifted.objects(URIRef(s + kept), SH.property)) == \
            set(shapes.objects(URIRef(s + kept), SH.property)), kept
    assert set(lifted.objects(URIRef("https://example.org/Classy"), SH.property))


def test_made_up_shapes_report_the_same_as_written_and_lifted():
    shapes = Graph().parse(data=SHAPES, format="turtle")
    data = Graph().parse(data=DATA, format="turtle")
    as_written = _results(data, shapes)
    assert as_written == _results(data, _lift_property_shapes(_copy(shapes)))
    assert not as_written[0] and len(as_written[1]) >= 8
