"""Export the dataset (RDF formats) or the state-level stance graph (GraphML, GEXF)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph

from graph.errors import InputError
from graph.vocab import bind_prefixes

__all__ = ["RDF_FORMATS", "GRAPH_FORMATS", "EXPORT_FORMATS", "export", "dataset"]

#: format name -> (rdflib serializer, keeps named graphs)
RDF_FORMATS = {
    "turtle": ("turtle", False),
    "nt": ("nt", False),
    "trig": ("trig", True),
    "nquads": ("nquads", True),
    "jsonld": ("json-ld", True),
}
GRAPH_FORMATS = ("graphml", "gexf")
EXPORT_FORMATS = tuple(RDF_FORMATS) + GRAPH_FORMATS


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


def _stringify(G):
    # GraphML and GEXF hold scalars only: lists become "; "-joined text.
    H = G.copy()
    for _, data in H.nodes(data=True):
        for key, value in list(data.items()):
            if isinstance(value, list | tuple):
                data[key] = "; ".join(map(str, value))
    for _, _, data in H.edges(data=True):
        for key, value in list(data.items()):
            if isinstance(value, list | tuple):
                data[key] = "; ".join(map(str, value))
    return H


def export(store, fmt: str, out: Path | None = None, *, as_of: str | None = None) -> bytes:
    """Serialise the store in ``fmt``; write it to ``out`` when given, and return the bytes.

    RDF formats carry the whole dataset (Turtle and N-Triples merge the named graphs; TriG,
    N-Quads and JSON-LD keep them). GraphML and GEXF carry the state-level signed graph.
    """
    if as_of is not None:
        import datetime as dt

        try:
            as_of = dt.date.fromisoformat(as_of).isoformat()  # also "20210301" -> "2021-03-01"
        except ValueError:
            raise InputError(f"--as-of {as_of!r}: expected a date YYYY-MM-DD") from None
    if fmt in RDF_FORMATS:
        serializer, keeps_graphs = RDF_FORMATS[fmt]
        source = dataset(store) if keeps_graphs else _merged(store)
        data = source.serialize(format=serializer, encoding="utf-8")
    elif fmt in GRAPH_FORMATS:
        import io

        import networkx as nx

        from graph.analysis.project import state_graph

        G = _stringify(state_graph(store, as_of=as_of))
        buffer = io.BytesIO()
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(G, buffer)
        data = buffer.getvalue()
    elif fmt == "csv":  # the spreadsheet layout of hand coding (graph/sources/spreadsheet.py)
        from graph.sources.spreadsheet import claims_csv

        data = claims_csv(store, as_of=as_of).encode("utf-8")
    else:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if out is not None:
        Path(out).write_bytes(data)
    return data
