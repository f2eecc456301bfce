"""The import runner shared by every importer: streaming, progress, bad rows, idempotent writes.

An importer (``graph/sources/*.py``) turns its files into :class:`~graph.claims.Claim` objects and
plain triples, and reports what it cannot use to a :class:`Context`. The runner does the rest:

- **Nothing stored is lost.** Bad rows are reported as ``FILE:LINE: field: message`` and
  skipped; with ``on_error="fail"`` the first one stops the import and the store keeps what it
  had. Several files are all read (into memory, or past :data:`BULK_THRESHOLD` triples into a
  temporary N-Triples file) before any is written. A single large file streams straight into
  ``store.replace_graph_bulk`` while it is read, which keeps the same guarantee (on disk, one new
  store generation; in memory, a graph that did not exist is removed again on error, and an
  existing one is only dropped once every line was read). No file has to fit in memory.
- **One named graph per (kind, file).** Everything a file yields goes into
  ``https://stancegraph.org/graph/import/<kind>/<file-stem>``, replacing that graph; nothing else
  stored is touched, and importing the same file twice gives the same graph (claim IRIs are made
  from record ids, never from counters or clocks).
- **Shared declarations, once.** States that are not in the bundled seed, dataset sources and
  issue concepts are needed by several imports. They are declared once, in
  ``https://stancegraph.org/graph/import/entities``, never in the import graphs: the store answers
  queries over the union of its graphs without removing duplicates (pyoxigraph), so the same
  ``state:FRA a sg:State`` in two graphs would double every row that joins on it.
- **One write.** Up to :data:`BULK_THRESHOLD` triples a graph is written with one
  ``store.replace_graphs`` call, together with the entities graph (all or nothing). Claims are
  encoded by a :class:`ClaimEncoder`, compiled from :func:`graph.claims.claim_triples` and
  checked against it (the UN votes: 870,109 claims, 11 million triples).
"""

from __future__ import annotations

import itertools
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from graph.claims import Claim
from graph.errors import InputError
from graph.sources.context import (
    IMPORT_GRAPHS,
    Context,
    ImportFailed,
    ImportReport,
    Problem,
    Unit,
    dataset_source,
    graph_name,
    web_source,
)
from graph.sources.encoder import ClaimEncoder, nt_iri, nt_line, nt_term, slug

__all__ = [
    "KINDS",
    "IMPORT_GRAPHS",
    "ENTITIES_GRAPH",
    "BULK_THRESHOLD",
    "ImportReport",
    "ImportFailed",
    "Problem",
    "Context",
    "Unit",
    "ClaimEncoder",
    "run_import",
    "graph_name",
    "format_report",
    "nt_term",
    "nt_line",
    "slug",
    "dataset_source",
    "web_source",
]

Triple = tuple[Node, Node, Node]

#: Importer kinds, each the module (under graph.sources) and class that reads it.
KINDS: dict[str, tuple[str, str]] = {
    "unvotes": ("graph.sources.unvotes", "UnvotesImporter"),
    "un-sponsors": ("graph.sources.un_sponsors", "SponsorsImporter"),
    "events": ("graph.sources.events", "EventsImporter"),
    "alliances": ("graph.sources.cow", "AlliancesImporter"),
    "rivalries": ("graph.sources.cow", "RivalriesImporter"),
    "leaders": ("graph.sources.leaders", "LeadersImporter"),
    "csv": ("graph.sources.spreadsheet", "SpreadsheetImporter"),
}

ENTITIES_GRAPH = URIRef(IMPORT_GRAPHS + "entities")

#: Above this many triples an import is bulk-loaded (fast, not one transaction) instead of
#: written with one ``replace_graphs`` transaction.
BULK_THRESHOLD = 200_000
#: Characters of N-Triples an import keeps in memory before it spools them to a temporary file
#: (see :class:`_Sink`): a 20,000-row sheet held its 26 MB in memory and peaked at 2.5x the
#: memory of a 2,000-row one.
SPILL_CHARS = 2 << 20


# ------------------------------------------------------------------------------ the runner

def _importer(kind: str):
    import importlib

    if kind not in KINDS:
        raise InputError(f"unknown import kind {kind!r}; use one of {', '.join(KINDS)}")
    module, name = KINDS[kind]
    return getattr(importlib.import_module(module), name)()


def _seed_subjects() -> frozenset[URIRef]:
    from graph.resources import data_dir
    from graph.sources.turtle import read_turtle

    return frozenset(s for s in read_turtle(data_dir() / "entities.ttl").subjects(RDF.type, None)
                     if isinstance(s, URIRef))


def vocabulary_graphs(store) -> dict[URIRef, list[Triple]]:
    """The vocabulary and bundled-entities graphs, when the store has not got them yet.

    Imports link to the seed's states, organisations and issues (state:PRK, org:unga,
    issue:human-rights) and never declare them again. Into a store that was never built, the
    first import also writes these two graphs, exactly as ``stancegraph build`` writes them (same
    graph names, same triples), so that a later build replaces them with the same content.
    """
    from graph.build import file_graph_name
    from graph.resources import data_dir
    from graph.sources.turtle import read_turtle
    from graph.vocab import ONTOLOGY_GRAPH, ontology_graph

    entities = data_dir() / "entities.ttl"
    names = set(store.graph_names())
    wanted: dict[URIRef, list[Triple]] = {}
    if ONTOLOGY_GRAPH not in names:
        wanted[ONTOLOGY_GRAPH] = list(ontology_graph())
    if file_graph_name(entities) not in names:
        wanted[file_graph_name(entities)] = list(read_turtle(entities))
    return wanted


def _entities_contents(store, declarations: dict[URIRef, list[Triple]]) -> list[Triple] | None:
    """The entities graph after adding ``declarations``, or None when it would not change."""
    current: dict[URIRef, set[Triple]] = {}
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }}"
    for s, p, o in store.query(query):
        current.setdefault(s, set()).add((s, p, o))
    seed = _seed_subjects()
    merged = {node: set(triples) for node, triples in current.items()}
    for node, triples in declarations.items():
        if node not in seed:
            merged.setdefault(node, set()).update(triples)
    elsewhere = _declared_elsewhere(store, [n for n in merged if isinstance(n, URIRef)])
    result = {n: t for n, t in merged.items() if n not in elsewhere and n not in seed}
    if result == current:
        return None
    return [t for node in sorted(result) for t in sorted(result[node])]


def _declared_elsewhere(store, nodes: list[URIRef]) -> set[URIRef]:
    found: set[URIRef] = set()
    for start in range(0, len(nodes), 500):
        chunk = nodes[start:start + 500]
        values = " ".join(nt_iri(str(n)) for n in chunk)
        with warnings.catch_warnings():  # rdflib's GRAPH ?g calls its own deprecated API
            warnings.simplefilter("ignore", DeprecationWarning)
            result = store.query(
                f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} "
                f"GRAPH ?g {{ ?s a ?type }} FILTER (?g != <{ENTITIES_GRAPH}>) }}"
            )
            found.update(row[0] for row in result)
    return found


def _encoded(items: Iterable, report: ImportReport) -> Iterator[tuple[str, int]]:
    """Each item as N-Triples text and its number of triples; counts claims and triples."""
    encoder = ClaimEncoder()
    for item in items:
        if isinstance(item, Claim):
            report.claims += 1
            text = encoder.lines(item)
            n = text.count("\n")
        else:
            text, n = nt_line(item), 1
        report.triples += n
        yield text, n


class _Sink:
    """Where an import's N-Triples go while it is read: memory, then a temporary file.

    Text stays in memory up to ``memory`` characters and ``threshold`` triples, whichever
    comes first; past that it spills to a file in a temporary folder, so that no import, of
    any size, holds its graph in memory (the UN votes are 1.5 GB of N-Triples, a 20,000-row
    sheet 34 MB). ``triples`` tells the runner whether the graph is past the bulk threshold.
    """

    def __init__(self, threshold: int, memory: int | None = None):
        self.threshold = threshold
        self.memory = SPILL_CHARS if memory is None else memory
        self.buffer: list[str] = []
        self.held = 0
        self.triples = 0
        self.folder = None
        self.path: Path | None = None
        self._handle = None

    def add(self, text: str, triples: int) -> None:
        self.triples += triples
        if self._handle is not None:
            self._handle.write(text)
            return
        self.buffer.append(text)
        self.held += len(text)
        if self.triples > self.threshold or self.held > self.memory:
            import tempfile

            self.folder = tempfile.TemporaryDirectory(prefix="stancegraph-import-")
            self.path = Path(self.folder.name) / "graph.nt"
            self._handle = self.path.open("w", encoding="utf-8")
            self._handle.writelines(self.buffer)
            self.buffer, self.held = [], 0

    def finish(self) -> bytes | Path:
        """The content for the store: N-Triples bytes (small) or the spooled file (large)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            return self.path
        return "".join(self.buffer).encode("utf-8")

    def replay(self) -> Iterator[str]:
        """What was added so far, as text, read back from the file when it spilled."""
        if self.path is None:
            yield from self.buffer
            return
        self._handle.flush()
        # whole lines, as the stores' bulk paths take them (rdflib parses batches of lines);
        # newline="\n": N-Triples text holds no other line end (the writers escape \r)
        with self.path.open("r", encoding="utf-8", newline="\n") as handle:
            yield from handle

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None
        self.buffer = []


def _bulk_with_also(store) -> bool:
    """Whether ``store.replace_graph_bulk`` takes ``also`` (OxigraphStore, RdflibStore): the
    graphs to write with the bulk-loaded one, known only once its lines were read."""
    import inspect

    method = getattr(store, "replace_graph_bulk", None)
    return method is not None and "also" in inspect.signature(method).parameters


class _Writer:
    """Writes one import's graph with the shared graphs that go with it (entities, seed).

    ``piece_bytes`` goes with every write: the bulk-load piece size the importer asks for
    (its ``bulk_piece_bytes``; None: the store's default), see
    :meth:`graph.store.Store.replace_graphs`. It is passed only when set, so that a backend
    written before the parameter existed still takes the writes of importers that ask none.
    """

    def __init__(self, store, progress, *, piece_bytes: int | None = None):
        self.store = store
        self.progress = progress
        # Keyword arguments for each write: empty for the store's default pieces.
        self.sizing = {} if piece_bytes is None else {"piece_bytes": piece_bytes}
        self.vocabulary = vocabulary_graphs(store)

    def pending(self):
        """The vocabulary graphs still to be written, as one rdflib Graph (or None)."""
        if not self.vocabulary:
            return None
        from rdflib import Graph

        graph = Graph()
        for triples in self.vocabulary.values():
            for triple in triples:
                graph.add(triple)
        return graph

    def extra(self, report: ImportReport, context: Context) -> dict[URIRef, list[Triple]]:
        graphs: dict[URIRef, list[Triple]] = dict(self.vocabulary)
        report.seeded = tuple(str(g) for g in self.vocabulary)
        self.vocabulary = {}
        entities = _entities_contents(self.store, context.declarations)
        report.declarations = len(context.declarations)
        if entities is not None:
            graphs[ENTITIES_GRAPH] = entities
        return graphs

    def small(self, report: ImportReport, context: Context, content: bytes | Path) -> None:
        self.store.replace_graphs({**self.extra(report, context), URIRef(report.graph): content},
                                  **self.sizing)

    def bulk(self, report: ImportReport, context: Context, lines: Iterable[str] | Path) -> None:
        report.bulk = True
        name = URIRef(report.graph)
        task = None
        if self.progress is not None and isinstance(lines, Path):
            task = self.progress.add_task(f"writing {report.triples:,} triples", total=None)
        if _bulk_with_also(self.store):
            self.store.replace_graph_bulk(name, lines,
                                          also=lambda: self.extra(report, context),
                                          **self.sizing)
        elif isinstance(lines, Path):
            self.store.replace_graphs({**self.extra(report, context), name: lines},
                                      **self.sizing)
        else:  # a store whose bulk path takes one graph (a SPARQL server): spool, one write
            sink = _Sink(0)
            try:
                for line in lines:
                    sink.add(line, 1)
                spooled = sink.finish()
                self.store.replace_graphs({**self.extra(report, context), name: spooled},
                                          **self.sizing)
            finally:
                sink.close()
        if task is not None:
            self.progress.update(task, total=1, completed=1)


def run_import(
    store,
    kind: str,
    paths: Sequence[Path | str],
    *,
    on_error: str = "skip",
    progress=None,
    bulk_threshold: int | None = None,
    texts: Sequence[Path | str] = (),
) -> list[ImportReport]:
    """Import ``paths`` of ``kind`` into ``store``: one named graph per file, replaced whole.

    Nothing already stored is lost: with ``on_error="fail"`` the first bad row stops the import
    and the store keeps what it had. Several files are all read before any is written. A single
    large file is streamed into ``store.replace_graph_bulk`` while it is read, which keeps the
    same guarantee (see :meth:`graph.store.OxigraphStore.replace_graph_bulk`).

    Parameters
    ----------
    store : graph.store.Store
    kind : one of :data:`KINDS` (``unvotes``, ``un-sponsors``, ``events``, ``alliances``,
        ``rivalries``, ``csv``)
    paths : files or folders, as the importer documents
    on_error : ``"skip"`` reports bad rows and goes on; ``"fail"`` stops at the first bad row
    progress : a ``rich.progress.Progress`` to show progress in, or None
    bulk_threshold : triples above which a graph is bulk-loaded (default :data:`BULK_THRESHOLD`)
    texts : files or folders of source texts; evidence offsets are checked against the text of
        each claim's source, as ``stancegraph build --texts`` does (``csv``)

    Returns
    -------
    list of ImportReport, one per file (named graph)

    Raises
    ------
    graph.errors.InputError
        unreadable or unrecognised files; :class:`ImportFailed` for a bad row with ``"fail"``
    """
    importer = _importer(kind)
    return _run(store, importer, kind, paths, on_error=on_error, progress=progress,
                bulk_threshold=bulk_threshold, texts=texts)


def _run(store, importer, kind, paths, *, on_error, progress, bulk_threshold, texts):
    """:func:`run_import` with its importer made."""
    units = importer.units([Path(p) for p in paths])
    if not units:
        raise InputError(f"nothing to import: no {kind} files in {', '.join(map(str, paths))}")
    threshold = BULK_THRESHOLD if bulk_threshold is None else bulk_threshold
    from graph.validate import load_texts

    text_index = load_texts([Path(t) for t in texts]) if texts else {}
    # An importer may ask for smaller bulk-load pieces (flatter memory, a little more CPU):
    # the writer hands its ``bulk_piece_bytes`` to every write (graph.store.oxigraph_io).
    writer = _Writer(store, progress, piece_bytes=getattr(importer, "bulk_piece_bytes", None))
    staged = []
    try:
        for unit in units:
            started = time.perf_counter()
            report = ImportReport(kind, str(graph_name(kind, unit.name)),
                                  tuple(str(p) for p in unit.paths))
            context = Context(report, on_error=on_error, progress=progress, store=store,
                              pending=writer.pending(), texts=text_index)
            encoded = _encoded(importer.read(unit, context), report)
            if len(units) == 1:
                sink = _Sink(threshold)
                staged.append((report, context, sink))  # closed (its file deleted) below
                for text, n in encoded:
                    sink.add(text, n)
                    if report.triples > threshold:
                        lines = itertools.chain(sink.replay(), (text for text, _ in encoded))
                        writer.bulk(report, context, lines)
                        break
                else:
                    writer.small(report, context, sink.finish())
                report.seconds = time.perf_counter() - started
                return [report]
            sink = _Sink(threshold)
            staged.append((report, context, sink))
            for text, n in encoded:
                sink.add(text, n)
            report.seconds = time.perf_counter() - started
        for report, context, sink in staged:
            started = time.perf_counter()
            content = sink.finish()
            if sink.triples > threshold:
                writer.bulk(report, context, content)
            else:
                writer.small(report, context, content)
            sink.close()
            report.seconds += time.perf_counter() - started
    finally:
        for _, _, sink in staged:
            sink.close()
    return [report for report, _, _ in staged]


def format_report(report: ImportReport, *, max_problems: int = 20) -> tuple[list[str], list[str]]:
    """Lines for the user: ``(summary, problems)``; the CLI prints the problems on stderr."""
    files = ", ".join(Path(f).name for f in report.files)
    summary = []
    for graph in report.seeded:
        summary.append(f"the store had no {graph.rsplit('/', 1)[-1]} graph: wrote it as "
                       "'stancegraph build' does")
    summary.append(f"{report.kind}: {files} -> <{report.graph}>")
    summary.append(
        f"  {report.rows:,} rows read, {report.claims:,} claims written, "
        f"{report.skipped:,} bad rows skipped, {report.triples:,} triples"
        f"{' (bulk load)' if report.bulk else ''}, {report.seconds:.1f} s"
    )
    for what, n in sorted(report.counts.items()):
        summary.append(f"  {what}: {n:,}")
    if report.unmatched:
        total = sum(report.unmatched.values())
        names = ", ".join(f"{name} ({n:,})" for name, n in sorted(
            report.unmatched.items(), key=lambda kv: (-kv[1], kv[0])))
        summary.append(f"  not matched to a state ({total:,} rows, no claim): {names}")
    problems = [str(p) for p in report.problems[:max_problems]]
    if report.problem_count > len(problems):
        problems.append(f"... and {report.problem_count - len(problems):,} more problem(s)")
    return summary, problems


def progress_bar(enabled: bool = True):
    """A ``rich`` progress display on stderr (a no-op when stderr is not a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
        console=console, disable=not (enabled and console.is_terminal), transient=True,
    )
