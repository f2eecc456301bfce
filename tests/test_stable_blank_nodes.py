"""``graph.build.stable_blank_nodes`` canonicalises only the triples that hold a blank node
(issue 15: a tenth of the time on the bundled data); it must give the IRIs that
canonicalising the whole graph gives, the straightforward way (no timed tests)."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

from graph.build import GENID, source_files, stable_blank_nodes
from graph.sources.turtle import read_turtle

HEAD = """@prefix sg: <https://stancegraph.org/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix e: <https://example.org/> .
"""

def whole_graph_skolemised(graph: Graph) -> Graph:
    """The straightforward way: canonicalise the whole graph, then skolemise."""
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        return graph
    stable = Graph()
    for triple in to_canonical_graph(graph):
        stable.add(tuple(URIRef(GENID + t) if isinstance(t, BNode) else t for t in triple))
    return stable


BLANK_GRAPHS = {
    "twins": "e:a e:p [ e:q 1 ] , [ e:q 1 ] . e:b e:p [ e:q 1 ] .",
    "nested": "e:a e:p [ e:q [ e:r [ e:s e:a ] ] ] .",
    "cycle": "_:x e:p _:y . _:y e:p _:z . _:z e:p _:x . e:a e:q _:x .",
    "symmetric-cycle": "_:x e:p _:y . _:y e:p _:x .",
    "lists": "e:a e:p ( 1 2 ( 3 ) ) , ( 1 2 ( 3 ) ) .",
    "shared-neighbours": "e:a e:p [ e:q e:b ; e:r 1 ] , [ e:q e:b ; e:r 2 ] . e:b e:s e:c .",
    "no-blank-node": "e:a e:p e:b .",
}


@pytest.mark.parametrize("name", sorted(BLANK_GRAPHS))
def test_stable_blank_nodes_are_those_of_the_whole_graph(tmp_path, name):
    path = tmp_path / f"{name}.ttl"
    path.write_text(HEAD + BLANK_GRAPHS[name] + "\ne:z e:label \"unrelated\" .\n",
                    encoding="utf-8")
    graph = read_turtle(path)
    before = set(graph)
    expected = set(whole_graph_skolemised(graph))
    assert set(stable_blank_nodes(graph)) == expected
    assert set(graph) == before  # a copy unless in_place
    assert set(stable_blank_nodes(graph, in_place=True)) == expected
    assert set(graph) == expected


@pytest.mark.parametrize("path", source_files(), ids=lambda p: p.name)
def test_stable_blank_nodes_of_the_bundled_data_are_those_of_the_whole_graph(path):
    graph = read_turtle(path)
    expected = set(whole_graph_skolemised(graph))
    assert set(stable_blank_nodes(graph, in_place=True)) == expected
