"""Export the dataset (RDF formats) or the state-level stance graph (GraphML, GEXF)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph

from graph.output import escaped_controls, printable, spreadsheet_safe
from graph.vocab import bind_prefixes

__all__ = ["RDF_FORMATS", "GRAPH_FORMATS", "EXPORT_FORMATS", "EXPORT_ALIASES", "export",
           "dataset"]

#: format name -> (rdflib serializer, keeps named graphs)
RDF_FORMATS = {
    "turtle": ("turtle", False),
    "nt": ("nt", False),
    "trig": ("trig", True),
    "nquads": ("nquads", True),
    "jsonld": ("json-ld", True),
}
GRAPH_FORMATS = ("graphml", "gexf")
EXPORT_FORMATS = tuple(RDF_FORMATS) + GRAPH_FORMATS + ("csv",)
#: Other spellings, as ``query --format`` and other tools write them.
EXPORT_ALIASES = {"ttl": "turtle", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld",
                  "json": "jsonld", "n-quads": "nquads"}


def dataset(store) -> Dataset:
    """Every named graph of ``store`` in an rdflib Dataset."""
    ds = Dataset()
    bind_prefixes(ds)
    for s, p, o, g in store.quads():
        ds.graph(g).add((s, p, o))
    return ds


def _merged(store) -> Graph:
    graph = bind_prefixes(Graph())
    for s, p, o, _ in store.quads():
        graph.add((s, p, o))
    return graph


def _scalar(value):
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value))
    if isinstance(value, set | frozenset):
        return "; ".join(sorted(map(str, value)))
    if isinstance(value, dict):  # e.g. claim -> time weight: JSON text
        import json

        from graph.output import _jsonable

        return json.dumps(_jsonable(value), sort_keys=True, ensure_ascii=False)
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        return value.item()
    return value


def _stringify(G):
    # GraphML and GEXF hold scalars only: lists become "; "-joined text, mappings JSON.
    H = G.copy()
    for _, data in H.nodes(data=True):
        for key, value in list(data.items()):
            data[key] = _scalar(value)
    for _, _, data in H.edges(data=True):
        for key, value in list(data.items()):
            data[key] = _scalar(value)
    return H


def _spreadsheet_safe_csv(text: str) -> str:
    """Every cell through :func:`graph.output.spreadsheet_safe` (OWASP CSV injection).

    ``import csv`` undoes it with :func:`graph.output.spreadsheet_value`, so a round trip
    keeps the data.
    """
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([spreadsheet_safe(printable(cell)) for cell in row])
    return buffer.getvalue()


def export(store, fmt: str, out: Path | None = None, *, as_of: str | None = None,
           half_life=None, horizon=None) -> bytes:
    """Serialise the store in ``fmt``; write it to ``out`` when given, and return the bytes.

    RDF formats carry the whole dataset (Turtle and N-Triples merge the named graphs; TriG,
    N-Quads and JSON-LD keep them). GraphML and GEXF carry the state-level signed graph at D
    (``as_of``, default the newest date in the store), its claims weighed with ``half_life``
    and ``horizon`` (days or ``2y``, ``18m``; docs/TIME.md).
    """
    fmt = EXPORT_ALIASES.get(fmt.lower(), fmt.lower())
    if as_of is not None:
        from graph.dates import parse_date

        as_of = parse_date(as_of)
    if fmt in RDF_FORMATS:
        serializer, keeps_graphs = RDF_FORMATS[fmt]
        source = dataset(store) if keeps_graphs else _merged(store)
        text = source.serialize(format=serializer, encoding="utf-8").decode("utf-8")
        # Control characters from sources as \uXXXX: the same data, nothing raw on a terminal.
        data = escaped_controls(text).encode("utf-8")
    elif fmt in GRAPH_FORMATS:
        import io

        import networkx as nx

        from graph.analysis.project import state_graph

        G = _stringify(state_graph(store, as_of=as_of, half_life=half_life, horizon=horizon))
        buffer = io.BytesIO()
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(G, buffer)
        data = buffer.getvalue()
    elif fmt == "csv":  # the spreadsheet layout of hand coding (graph/sources/spreadsheet.py)
        from graph.sources.spreadsheet import claims_csv

        data = _spreadsheet_safe_csv(claims_csv(store, as_of=as_of)).encode("utf-8")
    else:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if out is not None:
        from graph.output import write_file

        write_file(out, data)
    return data
