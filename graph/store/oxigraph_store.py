"""pyoxigraph as a store: ``oxigraph:PATH`` on disk (the default), ``oxigraph:memory``.

On disk the folder holds crash-safe generations with concurrent readers
(:mod:`graph.store.generations`); in memory, one pyoxigraph ``Store``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from rdflib import URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import QueryError, StanceGraphError, StoreError
from graph.store.base import Quad, Store, Triple, python_value
from graph.store.generations import CACHE_AFTER_SECONDS, Generations
from graph.store.ntriples import ChunkReader
from graph.store.oxigraph_io import _piece_bytes, from_ox, load_graph, to_ox
from graph.store.oxigraph_io import log as load_log
from graph.vocab import PREFIXES

__all__ = ["OxigraphStore"]


class OxigraphStore(Store):
    """A pyoxigraph store, on disk (crash-safe generations, concurrent readers) or in memory.

    Parameters
    ----------
    path : str or None
        The store folder (created unless ``read_only``), or None for a store in memory.
    read_only : bool
        Refuse writes; the folder must already hold a store (a missing or empty folder is an
        error, not an empty store, so that a mistyped path cannot pass for no data).
    uri : str, optional
        The URI the store was opened with, for messages.

    Notes
    -----
    The on-disk layout, its write protocol and why a killed writer leaves the store as it was
    are described in :mod:`graph.store.generations`.
    """

    def __init__(self, path: str | None, *, read_only: bool = False, uri: str | None = None):
        import pyoxigraph

        self._ox = pyoxigraph
        self.path = path
        self.read_only = read_only
        self.uri = uri or (f"oxigraph:{path}" if path else "oxigraph:memory")
        self._memory = None
        self._disk: Generations | None = None
        self.root: Path | None = None
        if path is None:
            self._memory = pyoxigraph.Store()
            return
        root = Path(path)
        hint = "run 'stancegraph build' first (or pass --store)"
        if read_only and not root.is_dir():
            raise StoreError(f"no store at {path}: {hint}")
        try:
            if not read_only:
                root.mkdir(parents=True, exist_ok=True)
            disk = Generations(root)
            if read_only and not disk.exists():
                raise StoreError(f"no store at {path}: the folder holds no stancegraph store; "
                                 f"{hint}")
            disk.sweep(writable=not read_only)
            disk.refresh()
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        self.root, self._disk = root, disk

    @property
    def store(self):
        """The pyoxigraph ``Store`` queries run on (on disk: the current generation)."""
        if self._memory is not None:
            return self._memory
        if self._disk is None:
            raise StoreError(f"{self.uri} is closed")
        return self._disk.store

    # -- Store --------------------------------------------------------------------------
    def _to_ox(self, term: Node):
        return to_ox(term)

    def _from_ox(self, term) -> Node | None:
        return from_ox(term)

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Result:
        return self._answer(sparql, bindings, self._to_result)

    def select_rows(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> list[dict]:
        """A SELECT as a list of dicts of Python values, converted straight from pyoxigraph's
        terms (each distinct literal once per call): several times faster than going through
        rdflib terms, with the same values."""
        return self._answer(sparql, bindings, self._to_rows)

    def _to_rows(self, answer) -> list[dict]:
        ox = self._ox
        if not isinstance(answer, ox.QuerySolutions):
            raise QueryError("select_rows needs a SELECT query")
        names = list(enumerate(v.value for v in answer.variables))
        named = ox.NamedNode
        cache: dict = {}
        rows = []
        for solution in answer:
            row = {}
            for i, name in names:
                term = solution[i]
                if term is None:
                    row[name] = None
                elif type(term) is named:
                    row[name] = term.value
                else:
                    try:
                        row[name] = cache[term]
                    except KeyError:
                        row[name] = cache[term] = python_value(from_ox(term))
            rows.append(row)
        return rows

    def _answer(self, sparql: str, bindings: Mapping[str, Node] | None, convert):
        ox = self._ox
        try:
            substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        except (TypeError, ValueError) as exc:
            raise QueryError(f"cannot bind that value: {exc}") from exc
        try:
            answer = self.store.query(
                sparql,
                use_default_graph_as_union=True,
                substitutions=substitutions or None,
                prefixes=PREFIXES,
            )
            return convert(answer)
        except SyntaxError as exc:
            raise QueryError(f"malformed query: {exc}") from exc
        except (OSError, RuntimeError) as exc:
            # e.g. a bound parameter that the SELECT clause does not project: pyoxigraph
            # substitutes only projected variables, so named queries always project theirs.
            raise QueryError(f"query failed: {exc}") from exc

    def _to_result(self, answer) -> Result:
        ox = self._ox
        if isinstance(answer, ox.QueryBoolean):
            result = Result("ASK")
            result.askAnswer = bool(answer)
            return result
        if isinstance(answer, ox.QuerySolutions):
            names = [v.value for v in answer.variables]
            result = Result("SELECT")
            result.vars = [Variable(n) for n in names]
            result.bindings = [
                {
                    Variable(n): from_ox(solution[n])
                    for n in names
                    if solution[n] is not None
                }
                for solution in answer
            ]
            return result
        from rdflib import Graph

        result = Result("CONSTRUCT")
        graph = Graph()
        for triple in answer:
            graph.add((from_ox(triple.subject), from_ox(triple.predicate),
                       from_ox(triple.object)))
        result.graph = graph
        return result

    @property
    def keeps_answers(self) -> bool:
        """Whether :meth:`select_csv` keeps answers with the generation (on disk)."""
        return self._disk is not None

    def select_csv(self, sparql: str, *, keep: bool = False) -> bytes:
        """A SELECT serialised by the store itself as CSV (the fast path for big projections).

        On disk, an answer that took more than :data:`CACHE_AFTER_SECONDS` (or any answer,
        with ``keep``: small aggregates over the whole store that every analysis asks for) is
        kept next to the generation it was computed on
        (``PATH/gen-N.cache/<sha256 of the query>.csv``) and read from there while that
        generation is current: a published generation never changes, so the answer cannot go
        stale, and it goes when the generation goes.
        """
        ox = self._ox
        store = self.store
        generation = self._disk.name if self._disk is not None else None
        cached = None
        if generation is not None:
            key = hashlib.sha256(sparql.encode("utf-8")).hexdigest()
            cached = self.root / f"{generation}.cache" / f"{key}.csv"
            try:
                return cached.read_bytes()
            except OSError:
                pass
        started = time.perf_counter()
        answer = store.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
        data = answer.serialize(format=ox.QueryResultsFormat.CSV)
        if cached is not None and (keep or time.perf_counter() - started > CACHE_AFTER_SECONDS):
            try:  # our shared lock on the generation keeps its cache folder from going
                cached.parent.mkdir(exist_ok=True)
                staged = cached.with_name(f".{cached.name}.{uuid.uuid4().hex[:8]}")
                staged.write_bytes(data)
                os.replace(staged, cached)
            except OSError:
                pass  # a cache is an optimisation: a read-only folder just goes without
        return data

    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]], *,
                       piece_bytes: int | None = None) -> None:
        """See :meth:`graph.store.Store.replace_graphs`: on disk and in memory every graph is
        bulk loaded in pieces of ``piece_bytes`` (:mod:`graph.store.oxigraph_io`),
        and a ``piece_bytes`` neither None nor positive is a ValueError before anything
        changes."""
        if self.read_only:
            raise StoreError(f"{self.uri} is open read-only")
        _piece_bytes(piece_bytes)  # a bad size fails before any work (ValueError)
        try:
            if self._memory is None:
                self._disk.write(graphs, piece_bytes=piece_bytes)
                return
            # In memory: load into a scratch store first, so that bad data changes nothing.
            ox = self._ox
            scratch = ox.Store()
            for graph, value in graphs.items():
                load_graph(scratch, graph, value, piece_bytes=piece_bytes)
            for graph in graphs:
                self._memory.remove_graph(ox.NamedNode(str(graph)))
            self._memory.extend(scratch)
        except OSError as exc:
            raise StoreError(f"writing to {self.uri} failed, nothing was changed: {exc}") from exc

    def graph_names(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self.store.named_graphs() if hasattr(g, "value"))

    def quads(self) -> Iterator[Quad]:
        ox = self._ox
        for quad in self.store.quads_for_pattern(None, None, None, None):
            if isinstance(quad.graph_name, ox.DefaultGraph):
                continue
            yield (
                from_ox(quad.subject),
                from_ox(quad.predicate),
                from_ox(quad.object),
                URIRef(quad.graph_name.value),
            )

    def count_triples(self) -> int:
        return len(self.store)

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()
            self._disk = None
        self.root = None

    def replace_graph_bulk(self, name: URIRef, lines: Iterable[str] | Path, *,
                           also=None, piece_bytes: int | None = None) -> None:
        """Replace graph ``name`` by N-Triples ``lines`` (str lines, or a Path to an N-Triples
        file) and the ``also`` graphs (a mapping, or a function returning one that is called
        once the lines are read), for millions of triples (the UN votes: 11 million).

        On disk the lines (spooled to a file in the store folder unless given as a file) are
        written with the ``also`` graphs as one new generation by :meth:`replace_graphs`: all
        or nothing, crash-safe.

        In memory, ``replace_graphs`` stages into a scratch store and copies it in one
        transaction (for the UN votes 250 s and 9 GB, measured). Here the graph is bulk-loaded
        straight into the store instead: while the lines are still being produced when ``name``
        does not exist yet (reading and loading overlap: 110 s instead of 160 s), else from a
        spooled file after dropping the old graph. If the lines or the load fail, the partial
        graph is removed and the error raised: an absent graph stays absent, an existing one is
        only dropped once every line was read (so only a failing store can lose it).

        ``piece_bytes`` (see :meth:`graph.store.Store.replace_graphs`) cuts every load of this
        write into pieces: on disk the graph ``name`` and the ``also`` graphs, in memory the
        ``also`` graphs (``name`` is streamed into the store in one load: see
        ``_bulk_into_memory``); ValueError, before anything changes, for one neither None nor
        positive.
        """
        if self.read_only:
            raise StoreError(f"{self.uri} is open read-only")

        def extra():
            return (also() if callable(also) else also) or {}

        streaming = (self._memory is not None and not isinstance(lines, Path)
                     and not self._memory.contains_named_graph(self._ox.NamedNode(str(name))))
        if streaming:
            self._bulk_into_memory(name, lines, extra, piece_bytes=piece_bytes)
            return
        with self._spooled(lines) as path:
            if self._memory is None:
                self.replace_graphs({**extra(), name: path}, piece_bytes=piece_bytes)
            else:
                self._bulk_into_memory(name, path, extra, piece_bytes=piece_bytes)

    @contextlib.contextmanager
    def _spooled(self, lines: Iterable[str] | Path) -> Iterator[Path]:
        """``lines`` as an N-Triples file: spooled into the store folder (into the temporary
        folder in memory) and deleted afterwards, or the file itself when given one."""
        if isinstance(lines, Path):
            yield lines
            return
        if self._disk is not None:
            with self._disk.spool() as (handle, path):
                handle.writelines(lines)
                handle.flush()
                yield path
            return
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix="bulk-",
                                         suffix=".nt") as handle:
            handle.writelines(lines)
            handle.flush()
            yield Path(handle.name)

    def _bulk_into_memory(self, name: URIRef, lines: Iterable[str] | Path, extra, *,
                          piece_bytes: int | None) -> None:
        # Straight into the store read by others, streamed in one load whatever piece_bytes
        # says: pieces keep the on-disk loader's memory flat, but each is held in Python
        # while it loads, and in memory nothing is gained by them (a 10,000-row sheet held
        # 34 MB of pieces instead of 5 MB streamed: tests/test_import_csv_scale.py). A
        # failure removes the partial graph below.
        ox = self._ox
        graph = ox.NamedNode(str(name))
        _piece_bytes(piece_bytes)  # a bad size fails before the old graph is dropped
        self._memory.remove_graph(graph)
        streamed = [0]

        def chunks():
            batch: list[str] = []
            for line in lines:
                batch.append(line)
                if len(batch) >= 2048:
                    data = "".join(batch).encode("utf-8")
                    streamed[0] += len(data)
                    yield data
                    batch = []
            if batch:
                data = "".join(batch).encode("utf-8")
                streamed[0] += len(data)
                yield data

        try:
            if isinstance(lines, Path):
                streamed[0] = lines.stat().st_size
                self._memory.bulk_load(path=str(lines), format=ox.RdfFormat.N_TRIPLES,
                                       to_graph=graph)
            else:
                reader = ChunkReader(chunks())
                self._memory.bulk_load(io.BufferedReader(reader, 1 << 20),
                                       format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
                if reader.error is not None:
                    raise reader.error
            load_log.debug("bulk load of %s: %d bytes streamed in one load", name, streamed[0],
                           extra={"graph": str(name), "piece_bytes": streamed[0]})
            graphs = extra()
            if graphs:
                self.replace_graphs(graphs, piece_bytes=piece_bytes)
        except BaseException as exc:
            self._memory.remove_graph(graph)
            if isinstance(exc, StanceGraphError | KeyboardInterrupt):
                raise
            raise StoreError(f"bulk load of {name} failed, the graph was removed: {exc}") from exc


def open_uri(uri: str, *, read_only: bool = False) -> OxigraphStore:
    """Open ``oxigraph:PATH`` or ``oxigraph:memory`` (the opener's entry point)."""
    path = uri.removeprefix("oxigraph:")
    if path == "memory":
        return OxigraphStore(None, uri=uri)
    if not path.strip():
        raise StoreError(f"{uri!r} names no folder: use oxigraph:PATH or oxigraph:memory")
    return OxigraphStore(path, read_only=read_only)
