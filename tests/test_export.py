"""Export: every format, read back by rdflib (isomorphic), pyoxigraph and networkx."""

import io
from decimal import Decimal

import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic

from graph.errors import InputError
from graph.export import EXPORT_FORMATS, GRAPH_FORMATS, RDF_FORMATS, export
from graph.vocab import ONTOLOGY_GRAPH

# rdflib's own serializers and parsers still call its deprecated APIs
pytestmark = pytest.mark.filterwarnings(
    "ignore:Dataset.contexts is deprecated:DeprecationWarning",
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning",
)

PARSERS = {"turtle": "turtle", "nt": "nt", "trig": "trig", "nquads": "nquads",
           "jsonld": "json-ld"}
STATES = {"USA", "KOR", "PRK", "CHN", "RUS", "JPN", "CUB", "VNM", "LAO"}


def normalised(triples) -> Graph:
    """Literals in one lexical form per value, so that "1"^^xsd:decimal equals "1.0".

    pyoxigraph stores literals in canonical form and rdflib's Turtle writer spells decimals its
    own way: the same value may come back spelled differently (see PITFALLS).
    """
    graph = Graph()
    for s, p, o in triples:
        if isinstance(o, Literal) and o.datatype is not None and not o.ill_typed:
            value = o.toPython()
            if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
                o = Literal(format(Decimal(str(value)).normalize(), "f"), datatype=o.datatype)
        graph.add((s, p, o))
    return graph


def store_graph(store, name=None) -> Graph:
    return normalised((s, p, o) for s, p, o, g in store.quads() if name is None or g == name)


def same(left: Graph, right: Graph) -> bool:
    if isomorphic(left, right):
        return True
    _, only_left, only_right = graph_diff(left, right)
    pytest.fail(f"not isomorphic: {sorted(only_left)[:3]} vs {sorted(only_right)[:3]}")


def test_the_formats():
    assert set(EXPORT_FORMATS) == {"turtle", "nt", "trig", "nquads", "jsonld", "graphml", "gexf",
                                   "csv"}


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
def test_merged_formats_round_trip(built_store, fmt):
    data = export(built_store, fmt)
    back = Graph().parse(data=data, format=PARSERS[fmt])
    assert len(back) == distinct_triples(built_store)
    assert same(normalised(back), store_graph(built_store))


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_dataset_formats_round_trip_graph_by_graph(built_store, fmt):
    data = export(built_store, fmt)
    back = Dataset()
    back.parse(data=data, format=PARSERS[fmt])
    names = sorted(g.identifier for g in back.graphs() if len(g) and isinstance(g.identifier,
                                                                              URIRef))
    names = [n for n in names if str(n) != "urn:x-rdflib:default"]
    assert names == built_store.graph_names()
    assert ONTOLOGY_GRAPH in names
    for name in names:
        assert same(normalised(back.graph(name)), store_graph(built_store, name)), name


def test_memory_round_trip_is_exact(memory_store):
    # rdflib to rdflib: no normalisation needed
    back = Graph().parse(data=export(memory_store, "nt"), format="nt")
    merged = Graph()
    for s, p, o, _ in memory_store.quads():
        merged.add((s, p, o))
    assert isomorphic(back, merged)


def distinct_triples(store) -> int:
    """Triples once each: a direct edge two sources derive sits in both their graphs."""
    return len({(s, p, o) for s, p, o, _ in store.quads()})


def test_turtle_is_read_by_pyoxigraph_too(built_store):
    data = export(built_store, "turtle")
    quads = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    assert len(quads) == distinct_triples(built_store)
    triples = {quad.triple for quad in quads}
    assert ox.Triple(ox.NamedNode("https://stancegraph.org/id/state/USA"),
                     ox.NamedNode("https://stancegraph.org/ontology#coSponsored"),
                     ox.NamedNode("https://stancegraph.org/id/resolution/unhrc-dprk-2021")
                     ) in triples


def test_trig_is_read_by_pyoxigraph_too(built_store):
    quads = list(ox.parse(export(built_store, "trig"), format=ox.RdfFormat.TRIG))
    assert len(quads) == built_store.count_triples()
    assert {q.graph_name.value for q in quads} == {str(n) for n in built_store.graph_names()}


def test_export_writes_the_file(memory_store, tmp_path):
    out = tmp_path / "all.nq"
    data = export(memory_store, "nquads", out)
    assert out.read_bytes() == data


def test_export_uses_the_project_prefixes(memory_store):
    text = export(memory_store, "turtle").decode("utf-8")
    assert "@prefix state: <https://stancegraph.org/id/state/> ." in text
    assert "state:USA" in text


def test_an_unknown_format(memory_store):
    with pytest.raises(ValueError, match="unknown export format 'xml'"):
        export(memory_store, "xml")


def read_network(fmt, data):
    reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    return reader(io.BytesIO(data))


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_network_formats_are_read_by_networkx(built_store, fmt):
    G = read_network(fmt, export(built_store, fmt))
    assert set(G.nodes) == STATES
    assert G.nodes["KOR"]["label"] == "South Korea"
    assert G.number_of_edges() > 5
    for a, b, data in G.edges(data=True):
        assert int(data["sign"]) in (-1, 1), (a, b)
        assert float(data["weight"]) > 0
        assert data["relations"] and data["claims"]
    assert int(G.edges["KOR", "USA"]["sign"]) == 1
    assert "alignedWith" in G.edges["KOR", "USA"]["relations"]
    assert int(G.edges["CHN", "USA"]["sign"]) == -1
    assert int(G.edges["PRK", "USA"]["sign"]) == -1  # Blinken's criticism, rolled up


def test_network_formats_agree_across_stores(memory_store, oxigraph_store):
    for fmt in GRAPH_FORMATS:
        left = read_network(fmt, export(memory_store, fmt))
        right = read_network(fmt, export(oxigraph_store, fmt))
        assert sorted(left.edges(data="sign")) == sorted(right.edges(data="sign"))


def test_network_as_of_a_date(memory_store):
    everything = read_network("graphml", export(memory_store, "graphml"))
    early = read_network("graphml", export(memory_store, "graphml", as_of="2017-06-01"))
    assert early.number_of_edges() < everything.number_of_edges()
    # in 2017 China signed on to sanctions on North Korea
    assert ("CHN", "PRK") in early.edges or ("PRK", "CHN") in early.edges
    assert "sanctions" in early.edges["CHN", "PRK"]["relations"]


def test_a_bad_as_of_date(memory_store):
    with pytest.raises(InputError, match="--as-of '2021-13-45': expected a date YYYY-MM-DD"):
        export(memory_store, "gexf", as_of="2021-13-45")


def test_rdf_formats_cover_the_whole_dataset(memory_store):
    assert set(RDF_FORMATS) == {"turtle", "nt", "trig", "nquads", "jsonld"}
