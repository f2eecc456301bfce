"""Namespaces, and the stance relations read from the vocabulary (polarity, weight, CAMEO)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from graph.resources import ontology_path

SG = Namespace("https://stancegraph.org/ontology#")
ID = "https://stancegraph.org/id/"
STATE = Namespace(ID + "state/")
PERSON = Namespace(ID + "person/")
ORG = Namespace(ID + "org/")
GOV = Namespace(ID + "gov/")
MEDIA = Namespace(ID + "media/")
ISSUE = Namespace(ID + "issue/")
RES = Namespace(ID + "resolution/")
EVENT = Namespace(ID + "event/")
CLAIM = Namespace(ID + "claim/")
SOURCE = Namespace(ID + "source/")
SERIES = Namespace(ID + "series/")
SGG = Namespace("https://stancegraph.org/graph/")
SCHEMA = Namespace("https://schema.org/")

ONTOLOGY_GRAPH = SGG["ontology"]

#: Prefixes used in every query, data file and export, so that one spelling works everywhere.
PREFIXES: dict[str, str] = {
    "sg": str(SG),
    "state": str(STATE),
    "person": str(PERSON),
    "org": str(ORG),
    "gov": str(GOV),
    "media": str(MEDIA),
    "issue": str(ISSUE),
    "res": str(RES),
    "event": str(EVENT),
    "claim": str(CLAIM),
    "source": str(SOURCE),
    "series": str(SERIES),
    "sgg": str(SGG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
}


def sparql_prologue() -> str:
    """PREFIX lines for every prefix in :data:`PREFIXES`."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on ``graph`` (for readable Turtle) and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)
    return graph


@dataclass(frozen=True)
class Relation:
    """A stance relation of the vocabulary with its scales."""

    iri: URIRef
    name: str
    label: str
    definition: str
    polarity: int
    weight: float
    cameo_root: str
    cameo_code: str
    symmetric: bool
    kind: str = "Act"
    """``"Act"`` (a point in time) or ``"Standing"`` (an interval): docs/TIME.md."""


@cache
def ontology_graph() -> Graph:
    """The parsed vocabulary (cached: it never changes while a process runs)."""
    return bind_prefixes(Graph()).parse(ontology_path(), format="turtle")


@cache
def relations() -> dict[str, Relation]:
    """Every stance relation, by local name (``"opposes"``), read from ``actors.ttl``."""
    g = ontology_graph()
    table: dict[str, Relation] = {}
    for iri in sorted(g.subjects(RDF.type, SG.StanceRelation)):
        name = str(iri).removeprefix(str(SG))
        table[name] = Relation(
            iri=iri,
            name=name,
            label=str(g.value(iri, RDFS.label)),
            definition=str(g.value(iri, SKOS.definition)),
            polarity=int(g.value(iri, SG.polarity).toPython()),
            weight=float(g.value(iri, SG.weight).toPython()),
            cameo_root=str(g.value(iri, SG.cameoRoot)),
            cameo_code=str(g.value(iri, SG.cameoCode)),
            symmetric=(iri, RDF.type, OWL.SymmetricProperty) in g,
            kind=str(g.value(iri, SG.relationKind) or SG.Act).removeprefix(str(SG)),
        )
    return table


def relation_by_iri(iri: str) -> Relation:
    """Look a relation up by its IRI; KeyError when the vocabulary has no such relation."""
    return relations()[str(iri).removeprefix(str(SG))]


def short(iri: str) -> str:
    """Compact an IRI with the project's prefixes (``state:USA``); unknown IRIs stay whole."""
    text = str(iri)
    best = ""
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        return f"{best}:{text[len(PREFIXES[best]):]}"
    return text


def expand(text: str) -> URIRef:
    """Turn ``state:USA``, ``<http://...>`` or a full IRI into a URIRef."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return URIRef(PREFIXES[prefix] + local)
    return URIRef(text)
