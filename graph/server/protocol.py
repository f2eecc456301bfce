"""The SPARQL 1.1 Protocol's rules: media types, negotiation, serialisation, service description."""

from __future__ import annotations

import io
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

from graph.errors import QueryError, UpdateRefused

__all__ = [
    "RESULT_OFFERS",
    "GRAPH_OFFERS",
    "CONTENT_TYPES",
    "negotiate",
    "offered",
    "prefers_html",
    "redact",
    "serialize",
    "status_for",
    "service_description_graph",
]

#: (media type a client may ask for, our format name), in the server's order of preference.
RESULT_OFFERS = (
    ("application/sparql-results+json", "json"),
    ("application/json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("text/xml", "xml"),
)
GRAPH_OFFERS = (
    ("text/turtle", "turtle"),
    ("application/turtle", "turtle"),
    ("application/x-turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("text/plain", "nt"),
    ("application/ld+json", "json-ld"),
    ("application/json", "json-ld"),
    ("application/x-json+ld", "json-ld"),
    ("application/rdf+xml", "rdf-xml"),
    ("application/xml", "rdf-xml"),
    ("text/xml", "rdf-xml"),
    ("text/n3", "turtle"),
    ("text/rdf+n3", "turtle"),
    ("application/n3", "turtle"),
)
CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
    "rdf-xml": "application/rdf+xml",
}


def _accept_ranges(accept: str) -> list[tuple[str, str, float, int]]:
    ranges = []
    for index, part in enumerate(accept.split(",")):
        fields = part.strip().split(";")
        media = fields[0].strip().lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        main, _, sub = media.partition("/")
        ranges.append((main, sub, q, index))
    return ranges


def negotiate(accept: str | None, offers: Sequence[tuple[str, str]]) -> str | None:
    """The format to send for an ``Accept`` header, or None when nothing acceptable is offered.

    The highest q wins; then the more specific range; then the range listed first; then the
    server's order. A missing or empty header takes the first offer.

    Examples
    --------
    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_OFFERS)
    'xml'
    >>> negotiate("*/*", GRAPH_OFFERS)
    'turtle'
    >>> negotiate("image/png", RESULT_OFFERS) is None
    True
    """
    if not accept or not accept.strip():
        return offers[0][1]
    ranges = _accept_ranges(accept)
    best, best_key = None, None
    for order, (media, fmt) in enumerate(offers):
        main, _, sub = media.partition("/")
        match = None
        for rmain, rsub, q, index in ranges:
            if (rmain, rsub) == (main, sub):
                specificity = 2
            elif rmain == main and rsub == "*":
                specificity = 1
            elif (rmain, rsub) == ("*", "*"):
                specificity = 0
            else:
                continue
            if match is None or specificity > match[0]:
                match = (specificity, q, index)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], match[0], -match[2], -order)
        if best_key is None or key > best_key:
            best, best_key = fmt, key
    return best


def offered(offers) -> str:
    """The media types of ``offers``, one per format, for an error message."""
    formats = dict.fromkeys(fmt for _, fmt in offers)
    return ", ".join(CONTENT_TYPES[fmt].split(";")[0] for fmt in formats)


def redact(uri: str) -> str:
    """``uri`` without user name, password or query string, fit for a log line.

    >>> redact("sparql+https://ann:secret@example.org/sparql?key=abc")
    'sparql+https://example.org/sparql'
    """
    parts = urlsplit(uri)
    if not parts.netloc and not parts.query:
        return uri
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def prefers_html(accept: str) -> bool:
    """Whether an ``Accept`` header ranks ``text/html`` first, as browsers send it."""
    ranges = _accept_ranges(accept or "")
    html = max((q for main, sub, q, _ in ranges if (main, sub) == ("text", "html")), default=0)
    return html > 0 and all(q <= html for *_, q, _ in ranges)


def serialize(result, fmt: str) -> bytes:
    """A query result as the bytes of a negotiated format (see :data:`CONTENT_TYPES`)."""
    from graph.output import write_result

    if result.type in ("CONSTRUCT", "DESCRIBE"):
        if fmt == "rdf-xml":
            from graph.vocab import bind_prefixes

            return bind_prefixes(result.graph).serialize(format="xml", encoding="utf-8")
        out = io.StringIO()
        write_result(result, {"turtle": "ttl", "nt": "nt", "json-ld": "json"}[fmt], out)
        return out.getvalue().encode("utf-8")
    if fmt in ("json", "xml"):
        return result.serialize(format=fmt)
    # csv / tsv, and ASK as csv / tsv ("true" / "false"): exactly what `stancegraph query` writes.
    out = io.StringIO()
    write_result(result, fmt, out)
    return out.getvalue().encode("utf-8")


def status_for(exc: QueryError) -> int:
    """The HTTP status of a refused or malformed query: 403 for an update, 400 otherwise."""
    return 403 if isinstance(exc, UpdateRefused) else 400


def service_description_graph(endpoint: str, graph_names: Sequence[str], settings: dict):
    """The SPARQL 1.1 Service Description of ``endpoint`` as an rdflib Graph.

    ``settings`` holds the limits the description states (``query_timeout``, ``max_results``,
    ``max_query_bytes``).
    """
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, RDF

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    graph = Graph()
    graph.bind("sd", sd)
    graph.bind("formats", formats)
    graph.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, sd.Service))
    graph.add((service, sd.endpoint, service))
    graph.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    graph.add((service, sd.feature, sd.UnionDefaultGraph))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                 "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        graph.add((service, sd.resultFormat, formats[name]))
    graph.add((service, DCTERMS.title, Literal("stancegraph SPARQL endpoint")))
    graph.add((service, DCTERMS.description, Literal(
        "Read-only SPARQL 1.1 Query over the stancegraph actor-stance graph; the default graph "
        "is the union of the named graphs. Updates, SERVICE, FROM, FROM NAMED and LOAD are "
        f"refused. Each query may run {settings['query_timeout']:g} s and return "
        f"{settings['max_results']:,} rows or triples; a query may be "
        f"{settings['max_query_bytes']:,} bytes long."
    )))
    dataset, default = BNode("dataset"), BNode("default")
    graph.add((service, sd.defaultDataset, dataset))
    graph.add((dataset, RDF.type, sd.Dataset))
    graph.add((dataset, sd.defaultGraph, default))
    graph.add((default, RDF.type, sd.Graph))
    for index, name in enumerate(graph_names):
        node = BNode(f"g{index}")
        graph.add((dataset, sd.namedGraph, node))
        graph.add((node, RDF.type, sd.NamedGraph))
        graph.add((node, sd.name, URIRef(name)))
    return graph
