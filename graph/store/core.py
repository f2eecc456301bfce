"""Open a store from a URI, and the one interface every store offers (query, replace graphs, dump).

URIs:

- ``memory:`` -- rdflib's in-memory ``Dataset`` (tests, throwaway work).
- ``oxigraph:PATH`` or a bare path -- an on-disk pyoxigraph store (the default): crash-safe
  generations with concurrent readers, see :class:`OxigraphStore`.
- ``oxigraph:memory`` -- pyoxigraph in memory.
- ``sparql+http://HOST:PORT/PATH`` (or ``sparql+https``) -- any SPARQL 1.1 server, through the
  SPARQL 1.1 Protocol and the Graph Store Protocol (:mod:`graph.store.remote`).

Every store keeps one named graph per source file or import and answers queries over the union
of its named graphs, so that a query never needs ``GRAPH`` clauses.
"""

from __future__ import annotations

import gc
import hashlib
import io
import itertools
import json
import os
import re
import shutil
import threading
import time
import traceback
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from rdflib import BNode, Dataset, Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import QueryError, StanceGraphError, StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no locking between processes
    fcntl = None
from graph.vocab import PREFIXES

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef]

__all__ = ["Store", "open_store", "RdflibStore", "OxigraphStore", "NTriplesWriter"]


class Store(ABC):
    """A quad store seen as the union of its named graphs."""

    uri: str

    @abstractmethod
    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Result:
        """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) with variables pre-bound."""

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]]) -> None:
        """Replace each named graph by the given triples, all or nothing.

        A graph's content is an iterable of ``(s, p, o)`` rdflib terms, or, for the fastest
        path, N-Triples: an iterable of strings of whole lines, ``bytes``, or a
        ``pathlib.Path`` to a file (pyoxigraph and SPARQL servers parse it themselves;
        invalid N-Triples fails the whole call). An empty content removes the graph. Other
        graphs are left as they are.
        """

    def replace_graph_bulk(self, name: URIRef, lines: Iterable[str]) -> None:
        """Replace one graph by N-Triples ``lines`` (strings of whole lines), streamed.

        The same as ``replace_graphs({name: lines})``: as fast, and as atomic. Prefer one
        ``replace_graphs`` call for all the graphs an operation changes, so that they change
        together.
        """
        self.replace_graphs({name: lines})

    @abstractmethod
    def graph_names(self) -> list[URIRef]:
        """The named graphs in the store, sorted."""

    @abstractmethod
    def quads(self) -> Iterator[Quad]:
        """Every quad, for export."""

    def select_rows(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> list[dict]:
        """A SELECT as a list of dicts of Python values (IRIs as str), for projections."""
        result = self.query(sparql, bindings)
        names = [str(v) for v in result.vars]
        return [
            {name: _plain(value) for name, value in zip(names, row, strict=True)}
            for row in result
        ]

    def count_triples(self) -> int:
        """Number of triples in all named graphs together."""
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(result))[0])

    def close(self) -> None:  # noqa: B027 - stores without resources keep this
        """Release the store (files, locks)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _plain(term: Node | None):
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return value if not isinstance(value, Literal) else str(value)
    return str(term)


def _rdflib_triples(value) -> Iterable[Triple]:
    kind, items = _split(value)
    if kind == "nt":
        from rdflib import Graph

        data = b"".join(items).decode("utf-8")
        return Graph().parse(data=data, format="nt") if data.strip() else []
    return items


class RdflibStore(Store):
    """rdflib's in-memory Dataset, queried as the union of its graphs."""

    def __init__(self, uri: str = "memory:"):
        self.uri = uri
        self.dataset = Dataset(default_union=True)

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Result:
        from graph.store.query import rdflib_guard

        init = {Variable(k): v for k, v in (bindings or {}).items()}
        with rdflib_guard():
            try:
                return self.dataset.query(sparql, initBindings=init, initNs=PREFIXES)
            except Exception as exc:  # rdflib raises pyparsing errors of several kinds
                raise QueryError(f"query failed: {exc}") from exc

    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]]) -> None:
        # Materialise first, so that a failing iterator leaves the dataset untouched.
        staged = {name: list(_rdflib_triples(triples)) for name, triples in graphs.items()}
        for name, triples in staged.items():
            self.dataset.remove_graph(name)
            target = self.dataset.graph(name)
            for triple in triples:
                target.add(triple)

    def graph_names(self) -> list[URIRef]:
        return sorted(
            g.identifier
            for g in self.dataset.graphs()
            if isinstance(g.identifier, URIRef) and str(g.identifier) != "urn:x-rdflib:default"
            and len(g) > 0
        )

    def quads(self) -> Iterator[Quad]:
        for s, p, o, g in self.dataset.quads((None, None, None, None)):
            name = getattr(g, "identifier", g)
            if name is not None and str(name) != "urn:x-rdflib:default":
                yield s, p, o, name

    def count_triples(self) -> int:
        return sum(1 for _ in self.quads())

    def replace_graph_bulk(self, name: URIRef, lines: Iterable[str] | Path, *,
                           also=None) -> None:
        """Replace graph ``name`` by N-Triples ``lines`` (str lines, or a Path to an N-Triples
        file) and the ``also`` graphs (a mapping, or a function returning one that is called
        once the lines are read), all or nothing.

        The bulk path of imports (graph/imports.py); here the lines are parsed into a staging
        graph first, so a failing iterator leaves the dataset untouched.
        """
        from rdflib import Graph

        staged = Graph()
        if isinstance(lines, Path):
            staged.parse(lines, format="nt")
        else:
            batch: list[str] = []
            for line in lines:
                batch.append(line)
                if len(batch) >= 20000:
                    staged.parse(data="".join(batch), format="nt")
                    batch = []
            if batch:
                staged.parse(data="".join(batch), format="nt")
        extra = also() if callable(also) else also
        self.replace_graphs({**(extra or {}), name: staged})


# ------------------------------------------------------------------------------ N-Triples

#: Characters that may not appear in an IRI (N-Triples IRIREF); such an IRI is refused, never
#: written, so that a value cannot break out of its term.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE = re.compile(r"[A-Za-z]+(-[A-Za-z0-9]+)*\Z")
_BNODE_LABEL = re.compile(r"[A-Za-z0-9_]+\Z")
_XSD_STRING = str(XSD.string)


class NTriplesWriter:
    """Serialise rdflib terms as N-Triples, fast (IRIs cached), refusing what would not parse.

    Examples
    --------
    >>> NTriplesWriter().line((URIRef("http://a"), URIRef("http://b"), Literal('say "hi"')))
    '<http://a> <http://b> "say \\\\"hi\\\\"" .\\n'
    """

    def __init__(self) -> None:
        self._iris: dict[str, str] = {}

    def iri(self, value: str) -> str:
        """``<value>``; StoreError when ``value`` holds a character an IRI may not hold."""
        text = self._iris.get(value)
        if text is None:
            if _NOT_IN_IRI.search(value):
                raise StoreError(f"cannot store the IRI {value!r}: it holds a character "
                                 "that IRIs may not contain (space, <, >, \", {, }, |, ^, `, \\)")
            if len(self._iris) > 2_000_000:
                self._iris.clear()
            text = self._iris[value] = f"<{value}>"
        return text

    def term(self, term: Node) -> str:
        """One term in N-Triples syntax."""
        kind = type(term)
        if kind is URIRef:
            return self.iri(term)
        if kind is Literal or isinstance(term, Literal):
            value = str(term)
            if "\\" in value or '"' in value or "\n" in value or "\r" in value:
                value = (value.replace("\\", "\\\\").replace('"', '\\"')
                         .replace("\n", "\\n").replace("\r", "\\r"))
            if term.language:
                if not _LANGUAGE.match(term.language):
                    raise StoreError(f"cannot store the language tag {term.language!r}")
                return f'"{value}"@{term.language}'
            datatype = term.datatype
            if datatype is None or datatype == _XSD_STRING:
                return f'"{value}"'
            return f'"{value}"^^{self.iri(datatype)}'
        if isinstance(term, URIRef):
            return self.iri(term)
        if isinstance(term, BNode):
            label = str(term)
            if not _BNODE_LABEL.match(label):
                label = "x" + label.encode("utf-8").hex()
            return f"_:{label}"
        raise StoreError(f"cannot store {term!r}: not an RDF term")

    def line(self, triple: Triple) -> str:
        """One triple as an N-Triples line (with its newline)."""
        s, p, o = triple
        return f"{self.term(s)} {self.term(p)} {self.term(o)} .\n"

    def lines(self, triples: Iterable[Triple]) -> Iterator[str]:
        """Each triple as a line."""
        line = self.line
        for triple in triples:
            yield line(triple)


def _split(value) -> tuple[str, Iterator]:
    """A graph's content as ``("nt", chunks of N-Triples bytes)`` or ``("triples", triples)``."""
    if isinstance(value, bytes | bytearray):
        return "nt", iter([bytes(value)])
    if isinstance(value, Path):
        def read(path=value):
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    yield chunk
        return "nt", read()
    items = iter(value)
    first = next(items, None)
    if first is None:
        return "nt", iter(())
    items = itertools.chain([first], items)
    if isinstance(first, str):  # N-Triples text: whole lines, one or more per string
        def encode(pieces=items):
            while batch := list(itertools.islice(pieces, 5000)):
                yield "".join(batch).encode("utf-8")
        return "nt", encode()
    return "triples", items


def ntriples_chunks(value, *, chunk_lines: int = 5000) -> Iterator[bytes]:
    """A graph's content as N-Triples chunks (bytes).

    The content is an iterable of ``(s, p, o)`` rdflib terms, an iterable of strings of
    N-Triples lines, N-Triples ``bytes``, or a ``pathlib.Path`` to an N-Triples file.
    """
    kind, items = _split(value)
    if kind == "nt":
        yield from items
        return
    lines = NTriplesWriter().lines(items)
    while True:
        batch = list(itertools.islice(lines, chunk_lines))
        if not batch:
            return
        yield "".join(batch).encode("utf-8")


class _ChunkReader(io.RawIOBase):
    """A file-like view of a chunk iterator, for pyoxigraph's streaming ``bulk_load``.

    An error raised while producing chunks is kept (and ends the stream) so that the caller can
    raise it after the loader returns; ``chunks`` counts the lines delivered.
    """

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._buffer = memoryview(b"")
        self.error: BaseException | None = None
        self.lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                return 0
            except Exception as exc:  # reported by the caller, see the class docstring
                self.error = exc
                return 0
            self.lines += chunk.count(b"\n")
            self._buffer = memoryview(chunk)
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


# ------------------------------------------------------------------------------ pyoxigraph

def _to_ox(term: Node):
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype and term.datatype != XSD.string:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


def _from_ox(term) -> Node | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        # Plain literals come back typed xsd:string; normalise so they compare equal
        # to rdflib's own (see PITFALLS: oxrdflib literal typing).
        if datatype in (str(XSD.string), str(RDF.langString)):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unexpected term {term!r}")


def _load_graph(target, name: URIRef, value) -> int:
    """Bulk load one graph's content into the pyoxigraph store ``target``; lines loaded."""
    import pyoxigraph as ox

    reader = _ChunkReader(ntriples_chunks(value))
    try:
        target.bulk_load(io.BufferedReader(reader, 1 << 20), format=ox.RdfFormat.N_TRIPLES,
                         to_graph=ox.NamedNode(str(name)))
    except SyntaxError as exc:
        raise StoreError(f"graph {name}: not valid N-Triples: {exc}") from exc
    if reader.error is not None:
        if isinstance(reader.error, StanceGraphError):
            raise reader.error
        raise StoreError(f"graph {name}: {reader.error}") from reader.error
    return reader.lines


#: The on-disk layout (see OxigraphStore): the pointer file naming the current generation.
POINTER = "generation"
#: A generation that bulk loaded at least this many triples (and at least half its triples)
#: is compacted (``Store.optimize``) before it is published.
OPTIMIZE_AFTER = 500_000
#: select_csv keeps answers that took longer than this next to their generation.
CACHE_AFTER_SECONDS = 1.0
_GENERATION = re.compile(r"gen-(\d{6,})\Z")
_LEGACY_FILES = re.compile(
    r"(CURRENT|IDENTITY|LOCK|LOG(\.old\.\d+)?|MANIFEST-\d+|OPTIONS-\d+|\d+\.(sst|log|blob))\Z"
)


def _lock(path: Path, mode: int, *, blocking: bool = True) -> int | None:
    """Open ``path`` and flock it; the fd, or None when ``blocking`` is off and it is taken."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    if fcntl is None:
        return fd
    try:
        fcntl.flock(fd, mode | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _Generation:
    """One open, read-only generation and the shared lock that keeps it from being deleted."""

    def __init__(self, store, name: str | None, lock_fd: int | None, stamp):
        self.store = store
        self.name = name
        self.lock_fd = lock_fd
        self.stamp = stamp

    def close(self) -> None:
        self.store = None
        if self.lock_fd is not None:
            os.close(self.lock_fd)  # releases the shared lock
            self.lock_fd = None


class OxigraphStore(Store):
    """A pyoxigraph store, on disk (crash-safe generations, concurrent readers) or in memory.

    On disk, ``PATH`` holds generations, each a complete pyoxigraph (RocksDB) store that is
    never written again once published, and a pointer file naming the current one::

        PATH/generation        "gen-000007": the current generation (replaced atomically)
        PATH/gen-000007/       a pyoxigraph store, opened read-only by every reader
        PATH/gen-000007.lock   readers hold a shared flock on it while they use that generation
        PATH/gen-000007.json   triple counts per graph (an estimate the writer plans with)
        PATH/gen-000007.cache/ answers of slow queries on that generation (see select_csv)
        PATH/write.lock        the one writer at a time holds an exclusive flock on it
        PATH/gen-000008.*.partial/ a generation being written (discarded if the writer dies)

    A write (:meth:`replace_graphs`) takes the writer lock, makes ``gen-N+1.*.partial`` (a
    hard-link backup of the current generation with the replaced graphs removed, or a fresh
    store into which the kept graphs are copied, whichever moves fewer triples), bulk loads the
    new graphs into it (compacting it after a big bulk load), closes it, renames it to
    ``gen-N+1`` and then atomically replaces the pointer file (write, fsync, ``os.replace``).
    A process killed at any moment therefore
    leaves the pointer on the old generation (and a partial folder the next writer deletes) or
    on the complete new one: the store holds the state before or the state after, never a mix.

    Readers (queries, the server) open the pointed generation with ``Store.read_only``, which
    is safe because no process writes a published generation (pyoxigraph leaves a read-only
    open concurrent with a writer undefined). A reader notices a newer pointer at its next
    query and moves to that generation; the writer deletes old generations once no reader
    holds their lock. A folder in the older single-store layout (a bare RocksDB directory) is
    read as it is and converted into a first generation by the first write.

    Durability against power loss rests on RocksDB's own flush and the fsync of the pointer;
    locking uses ``fcntl.flock`` (POSIX).
    """

    def __init__(self, path: str | None, *, read_only: bool = False, uri: str | None = None):
        import pyoxigraph

        self._ox = pyoxigraph
        self.path = path
        self.read_only = read_only
        self.uri = uri or (f"oxigraph:{path}" if path else "oxigraph:memory")
        self._memory = None
        self._gen: _Generation | None = None
        self._switching = threading.Lock()
        self.root: Path | None = None
        if path is None:
            self._memory = pyoxigraph.Store()
            return
        root = Path(path)
        if read_only and not root.is_dir():
            raise StoreError(f"no store at {path}: run 'stancegraph build' first (or pass --store)")
        try:
            if not read_only:
                root.mkdir(parents=True, exist_ok=True)
            self.root = root
            self._refresh()
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc

    # -- generations -------------------------------------------------------------------
    @property
    def store(self):
        """The pyoxigraph ``Store`` queries run on (on disk: the current generation)."""
        if self._memory is not None:
            return self._memory
        if self.root is None:
            raise StoreError(f"{self.uri} is closed")
        self._refresh()
        return self._gen.store

    def _stamp(self):
        try:
            info = os.stat(self.root / POINTER)
        except FileNotFoundError:
            return None
        return info.st_ino, info.st_mtime_ns, info.st_size

    def _pointer(self) -> str | None:
        try:
            name = (self.root / POINTER).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        if not _GENERATION.match(name):
            raise StoreError(f"{self.root / POINTER} is damaged: {name!r}")
        return name

    def _legacy(self) -> bool:
        return (self.root / "CURRENT").exists() and not (self.root / POINTER).exists()

    def _refresh(self) -> None:
        """Open the current generation if the pointer moved since we last looked."""
        stamp = self._stamp()
        if self._gen is not None and self._gen.stamp == stamp:
            return
        with self._switching:
            self._switch()

    def _switch(self) -> None:
        ox = self._ox
        for _ in range(100):
            stamp = self._stamp()
            name = self._pointer()
            if name is None:
                store = ox.Store.read_only(str(self.root)) if self._legacy() else ox.Store()
                generation = _Generation(store, None, None, stamp)
            else:
                fd = _lock(self.root / f"{name}.lock", fcntl.LOCK_SH if fcntl else 0)
                if self._pointer() != name or not (self.root / name).is_dir():
                    os.close(fd)  # a writer moved on meanwhile: look again
                    continue
                try:
                    store = ox.Store.read_only(str(self.root / name))
                except OSError:
                    os.close(fd)
                    raise
                generation = _Generation(store, name, fd, stamp)
            old, self._gen = self._gen, generation
            if old is not None:
                old.close()
            return
        raise StoreError(f"{self.root}: the store keeps changing; try again")

    def _numbers(self) -> list[int]:
        found = []
        for entry in self.root.iterdir():
            match = _GENERATION.match(entry.name.split(".", 1)[0])
            if match and entry.is_dir():
                found.append(int(match.group(1)))
        return found

    def _counts(self, name: str | None, store) -> dict[str, int]:
        """Triples per graph of a generation: from its counts file, else counted once."""
        if name is not None:
            try:
                return json.loads((self.root / f"{name}.json").read_text())
            except (OSError, ValueError):
                pass
        answer = store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        return {solution["g"].value: int(solution["n"].value) for solution in answer}

    def _collect(self, *, keep: str | None) -> None:
        """Delete partial folders and unused old generations (writer lock held)."""
        for entry in list(self.root.iterdir()):
            if entry.name.endswith(".partial") and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
        for entry in list(self.root.iterdir()):
            if not (_GENERATION.match(entry.name) and entry.is_dir()) or entry.name == keep:
                continue
            lock = self.root / f"{entry.name}.lock"
            fd = _lock(lock, fcntl.LOCK_EX if fcntl else 0, blocking=False)
            if fd is None:
                continue  # a reader still uses it: a later write deletes it
            try:
                shutil.rmtree(entry, ignore_errors=True)
                shutil.rmtree(self.root / f"{entry.name}.cache", ignore_errors=True)
                (self.root / f"{entry.name}.json").unlink(missing_ok=True)
                lock.unlink(missing_ok=True)
            finally:
                os.close(fd)
        for entry in list(self.root.iterdir()):  # leftovers of generations already gone
            stem = entry.name.rsplit(".", 1)[0]
            if (entry.suffix in (".lock", ".json", ".cache") and _GENERATION.match(stem)
                    and stem != keep and not (self.root / stem).is_dir()):
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)

    def _write_generation(self, graphs: Mapping[URIRef, Iterable[Triple]]) -> None:
        ox = self._ox
        root = self.root
        writer = _lock(root / "write.lock", fcntl.LOCK_EX if fcntl else 0)
        try:
            current = self._pointer()
            self._collect(keep=current)
            legacy = current is None and self._legacy()
            number = max(self._numbers(), default=0) + 1
            name = f"gen-{number:06d}"
            # A unique folder: RocksDB remembers in-process locks by path.
            partial = root / f"{name}.{uuid.uuid4().hex[:12]}.partial"
            counts: dict[str, int] = {}
            target = source = None
            try:
                if current is not None or legacy:
                    source_path = root / current if current else root
                    source = ox.Store.read_only(str(source_path))
                    counts = self._counts(current, source)
                    replaced = sum(counts.get(str(g), 0) for g in graphs)
                    kept = sum(counts.values()) - replaced
                    # Removing a triple costs about twice as much as copying one (measured).
                    if 2 * replaced <= kept:
                        source.backup(str(partial))
                        source = None
                        target = ox.Store(str(partial))
                        for graph in graphs:
                            if counts.get(str(graph)):
                                target.remove_graph(ox.NamedNode(str(graph)))
                    else:
                        target = ox.Store(str(partial))
                        for graph in sorted(set(counts) - {str(g) for g in graphs}):
                            node = ox.NamedNode(graph)
                            target.bulk_extend(source.quads_for_pattern(None, None, None, node))
                        source = None
                    for graph in graphs:
                        counts.pop(str(graph), None)
                else:
                    target = ox.Store(str(partial))
                loaded = 0
                for graph, value in graphs.items():
                    lines = _load_graph(target, graph, value)
                    loaded += lines
                    if lines:
                        counts[str(graph)] = lines
                if loaded >= OPTIMIZE_AFTER and 2 * loaded >= sum(counts.values()):
                    # The bulk loader leaves many overlapping files: compacting them once makes
                    # every later query 2-3x faster (measured on the UN votes), for about a
                    # quarter of the load time. Small writes next to big data skip it.
                    target.optimize()
                target.flush()
                target = None  # closes the RocksDB instance
            except BaseException as exc:
                # Close RocksDB before deleting its files: drop our references, and those the
                # traceback's frames hold (e.g. _load_graph's ``target``).
                target = source = None
                traceback.clear_frames(exc.__traceback__)
                gc.collect()
                shutil.rmtree(partial, ignore_errors=True)
                raise
            (root / f"{name}.json").write_text(json.dumps(counts, sort_keys=True))
            os.rename(partial, root / name)
            staged = root / f"{POINTER}.tmp"
            with staged.open("w", encoding="ascii") as handle:
                handle.write(name + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(staged, root / POINTER)  # the commit point
            _fsync_dir(root)
            self._refresh()
            if legacy:
                for entry in root.iterdir():
                    if entry.is_file() and _LEGACY_FILES.match(entry.name):
                        entry.unlink(missing_ok=True)
            self._collect(keep=name)
        finally:
            os.close(writer)

    # -- Store --------------------------------------------------------------------------
    def _to_ox(self, term: Node):
        return _to_ox(term)

    def _from_ox(self, term) -> Node | None:
        return _from_ox(term)

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
                        row[name] = cache[term] = _plain(_from_ox(term))
            rows.append(row)
        return rows

    def _answer(self, sparql: str, bindings: Mapping[str, Node] | None, convert):
        ox = self._ox
        try:
            substitutions = {ox.Variable(k): _to_ox(v) for k, v in (bindings or {}).items()}
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
                    Variable(n): _from_ox(solution[n])
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
            graph.add((_from_ox(triple.subject), _from_ox(triple.predicate),
                       _from_ox(triple.object)))
        result.graph = graph
        return result

    def select_csv(self, sparql: str) -> bytes:
        """A SELECT serialised by the store itself as CSV (the fast path for big projections).

        On disk, an answer that took more than :data:`CACHE_AFTER_SECONDS` is kept next to the
        generation it was computed on (``PATH/gen-N.cache/<sha256 of the query>.csv``) and
        read from there while that generation is current: a published generation never
        changes, so the answer cannot go stale, and it goes when the generation goes.
        """
        ox = self._ox
        store = self.store
        generation = self._gen.name if self._memory is None and self._gen else None
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
        if cached is not None and time.perf_counter() - started > CACHE_AFTER_SECONDS:
            try:  # our shared lock on the generation keeps its cache folder from going
                cached.parent.mkdir(exist_ok=True)
                staged = cached.with_name(f".{cached.name}.{uuid.uuid4().hex[:8]}")
                staged.write_bytes(data)
                os.replace(staged, cached)
            except OSError:
                pass  # a cache is an optimisation: a read-only folder just goes without
        return data

    def replace_graphs(self, graphs: Mapping[URIRef, Iterable[Triple]]) -> None:
        if self.read_only:
            raise StoreError(f"{self.uri} is open read-only")
        try:
            if self._memory is None:
                self._write_generation(graphs)
                return
            # In memory: load into a scratch store first, so that bad data changes nothing.
            ox = self._ox
            scratch = ox.Store()
            for graph, value in graphs.items():
                _load_graph(scratch, graph, value)
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
                _from_ox(quad.subject),
                _from_ox(quad.predicate),
                _from_ox(quad.object),
                URIRef(quad.graph_name.value),
            )

    def count_triples(self) -> int:
        return len(self.store)

    def close(self) -> None:
        if self._gen is not None:
            self._gen.close()
            self._gen = None
        if self._memory is None:
            self.root = None

    def replace_graph_bulk(self, name: URIRef, lines: Iterable[str] | Path, *,
                           also=None) -> None:
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
        """
        if self.read_only:
            raise StoreError(f"{self.uri} is open read-only")

        def extra():
            return (also() if callable(also) else also) or {}

        streaming = (self._memory is not None and not isinstance(lines, Path)
                     and not self._memory.contains_named_graph(self._ox.NamedNode(str(name))))
        if streaming:
            self._bulk_into_memory(name, lines, extra)
            return
        spool = None
        if not isinstance(lines, Path):
            import tempfile

            handle = tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.root, prefix="bulk-", suffix=".nt.partial",
                delete=False)
            spool = Path(handle.name)
            try:
                with handle:
                    handle.writelines(lines)
            except BaseException:
                spool.unlink(missing_ok=True)
                raise
        try:
            if self._memory is None:
                self.replace_graphs({**extra(), name: spool or lines})
            else:
                self._bulk_into_memory(name, spool or lines, extra)
        finally:
            if spool is not None:
                spool.unlink(missing_ok=True)

    def _bulk_into_memory(self, name: URIRef, lines: Iterable[str] | Path, extra) -> None:
        ox = self._ox
        graph = ox.NamedNode(str(name))
        self._memory.remove_graph(graph)

        def chunks():
            batch: list[str] = []
            for line in lines:
                batch.append(line)
                if len(batch) >= 2048:
                    yield "".join(batch).encode("utf-8")
                    batch = []
            if batch:
                yield "".join(batch).encode("utf-8")

        try:
            if isinstance(lines, Path):
                self._memory.bulk_load(path=str(lines), format=ox.RdfFormat.N_TRIPLES,
                                       to_graph=graph)
            else:
                reader = _ChunkReader(chunks())
                self._memory.bulk_load(io.BufferedReader(reader, 1 << 20),
                                       format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
                if reader.error is not None:
                    raise reader.error
            graphs = extra()
            if graphs:
                self.replace_graphs(graphs)
        except BaseException as exc:
            self._memory.remove_graph(graph)
            if isinstance(exc, StanceGraphError | KeyboardInterrupt):
                raise
            raise StoreError(f"bulk load of {name} failed, the graph was removed: {exc}") from exc


def open_store(uri: str, *, read_only: bool = False) -> Store:
    """Open the store named by ``uri`` (see the module docstring for the forms it takes).

    Examples
    --------
    >>> store = open_store("memory:")
    >>> store.count_triples()
    0
    """
    if uri == "memory:":
        return RdflibStore(uri)
    if uri == "oxigraph:memory":
        return OxigraphStore(None, uri=uri)
    if uri.startswith("oxigraph:"):
        return OxigraphStore(uri.removeprefix("oxigraph:"), read_only=read_only)
    if uri.startswith(("sparql+http://", "sparql+https://")):
        try:
            from graph.store.remote import RemoteStore
        except ImportError as exc:
            raise StoreError(f"{uri}: SPARQL server stores are not available") from exc
        return RemoteStore(uri)
    if "://" in uri or (":" in uri and not uri.startswith(("/", "."))):
        raise StoreError(
            f"unknown store URI {uri!r}: use memory:, oxigraph:PATH, oxigraph:memory "
            "or sparql+http://HOST/PATH"
        )
    return OxigraphStore(uri, read_only=read_only)
