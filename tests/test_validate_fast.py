"""The SHACL-SPARQL constraints run in pyoxigraph (issue 15) report what pySHACL reports.

``graph.validate`` hands pySHACL the core shapes only and runs the shapes file's SPARQL
constraints (evidence spans, offsets inside the text, complete evidence, a date or interval)
itself, in pyoxigraph: rdflib's SPARQL parser made them most of ``build``'s time on the seed.
Here pySHACL validates with the whole shapes file, SPARQL included, and both must find the
same problems on the seed and on every bad-claim fixture.
"""

from __future__ import annotations

import pytest
from conftest import BAD
from rdflib import Graph
from rdflib.namespace import RDF, SH

from graph.build import source_files
from graph.resources import shapes_path
from graph.sources.turtle import read_turtle
from graph.validate import _shacl_problems, _shapes
from graph.vocab import ontology_graph, short

CASES = sorted(p for p in BAD.glob("*.ttl") if p.stem != "bad-syntax")


def _union(extra=()) -> Graph:
    union = Graph()
    for triple in ontology_graph():
        union.add(triple)
    for path in [*source_files(), *extra]:
        for triple in read_turtle(path):
            union.add(triple)
    return union


def _pyshacl_problems(union: Graph) -> list[str]:
    """pySHACL alone, with every shape of the file, formatted as graph.validate formats."""
    import pyshacl

    shapes = Graph().parse(shapes_path(), format="turtle")
    _, report, _ = pyshacl.validate(union, shacl_graph=shapes, inference="none",
                                    advanced=True, allow_warnings=True)
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = report.value(result, SH.resultMessage)
        field = short(path) if path is not None else "-"
        shown = value is not None and value != focus
        detail = f" (value {value.n3()})" if shown else ""
        problems.append(f"<input>: {short(focus)}: {field}: {message}{detail}")
    return sorted(set(problems))


def test_the_sparql_constraints_are_split_off_and_none_is_lost():
    core, checks = _shapes()
    full = Graph().parse(shapes_path(), format="turtle")
    assert len(checks) == len(set(full.objects(None, SH.sparql))) >= 4
    assert not set(core.objects(None, SH.sparql))  # pySHACL gets no SPARQL to parse
    assert all(check.target is not None and check.message for check in checks)


def test_the_seed_passes_both_ways():
    union = _union()
    assert _shacl_problems(union, {}) == _pyshacl_problems(union) == []


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_each_bad_claim_gives_the_same_problems_both_ways(path):
    union = _union([path])
    assert _shacl_problems(union, {}) == _pyshacl_problems(union)


PREFIXES = """
@prefix sg:      <https://stancegraph.org/ontology#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix state:   <https://stancegraph.org/id/state/> .
@prefix issue:   <https://stancegraph.org/id/issue/> .
@prefix claim:   <https://stancegraph.org/id/claim/> .
@prefix source:  <https://stancegraph.org/id/source/> .
source:fast-fixture a sg:Source ; dcterms:title "A made-up source" ;
    sg:textLength "200"^^xsd:integer .
"""
#: One claim per SPARQL check (and one breaking two), each otherwise valid.
BROKEN = {
    "undated": "sg:evidence \"a fragment\" ; sg:evidenceStart 0 ; sg:evidenceEnd 10 .",
    "fragment-only": 'sg:date "2021-03-01"^^xsd:date ; sg:evidence "a fragment" .',
    "offsets-only": 'sg:date "2021-03-01"^^xsd:date ; sg:evidenceStart 0 ; sg:evidenceEnd 5 .',
    "span": 'sg:date "2021-03-01"^^xsd:date ; sg:evidence "a fragment" ; '
            'sg:evidenceStart 0 ; sg:evidenceEnd 12 .',
    "outside-and-span": 'sg:date "2021-03-01"^^xsd:date ; sg:evidence "a fragment" ; '
                        'sg:evidenceStart 195 ; sg:evidenceEnd 230 .',
}


def test_every_sparql_check_at_once_gives_the_same_problems(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text(PREFIXES + "".join(
        f"claim:fast-{name} a sg:Claim ; sg:actor state:KOR ; sg:relation sg:supports ; "
        f"sg:target issue:human-rights ; prov:wasDerivedFrom source:fast-fixture ; {rest}\n"
        for name, rest in BROKEN.items()), encoding="utf-8")
    chosen = [p for p in CASES if p.stem.startswith("offsets")]
    union = _union([path, *chosen])
    found = _shacl_problems(union, {})
    assert found == _pyshacl_problems(union)
    for name in BROKEN:  # each broken claim is reported
        assert any(f"claim:fast-{name}:" in problem for problem in found), name
    assert len(found) >= len(BROKEN) + len(chosen) + 1
