"""The on-disk layout of a pyoxigraph store: crash-safe generations with concurrent readers.

``PATH`` holds generations, each a complete pyoxigraph (RocksDB) store that is never written
again once published, and a pointer file naming the current one::

    PATH/generation        "gen-000007": the current generation (replaced atomically)
    PATH/gen-000007/       a pyoxigraph store, opened read-only by every reader
    PATH/gen-000007.lock   readers hold a shared flock on it while they use that generation
    PATH/gen-000007.json   triple counts per graph (an estimate the writer plans with)
    PATH/gen-000007.cache/ answers of slow queries on that generation (see select_csv)
    PATH/write.lock        the one writer at a time holds an exclusive flock on it
    PATH/gen-000008.*.partial/ a generation being written (discarded if the writer dies)
    PATH/bulk-*.nt.partial N-Triples spooled by a bulk import; its writer holds a flock on it

A write (:meth:`Generations.write`) takes the writer lock, makes ``gen-N+1.*.partial`` (a
hard-link backup of the current generation with the replaced graphs removed, or a fresh store
into which the kept graphs are copied, whichever moves fewer triples), bulk loads the new
graphs into it (compacting it after a big bulk load), closes it, renames it to ``gen-N+1`` and
then atomically replaces the pointer file (write, fsync, ``os.replace``). A process killed at
any moment therefore leaves the pointer on the old generation (and a partial folder the next
writer deletes) or on the complete new one: the store holds the state before or the state
after, never a mix. Spool files and partial folders of killed processes are deleted by the
next open (:meth:`Generations.sweep`): a flock, released by the kernel when its holder dies,
tells a live file from a leftover.

Readers (queries, the server) open the pointed generation with ``Store.read_only``, which is
safe because no process writes a published generation (pyoxigraph leaves a read-only open
concurrent with a writer undefined). A reader notices a newer pointer at its next query and
moves to that generation; the writer deletes old generations once no reader holds their lock.
A folder in the older single-store layout (a bare RocksDB directory) is read as it is and
converted into a first generation by the first write.

Durability against power loss rests on RocksDB's own flush and the fsync of the pointer;
locking uses ``fcntl.flock`` (POSIX).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import shutil
import tempfile
import threading
import traceback
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO

from rdflib import URIRef

from graph.errors import StoreError
from graph.store.base import Triple
from graph.store.oxigraph_io import _piece_bytes, load_graphs

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no locking between processes
    fcntl = None

__all__ = ["Generations", "POINTER", "OPTIMIZE_AFTER", "CACHE_AFTER_SECONDS"]

#: The pointer file naming the current generation.
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


#: Spool files of bulk imports: ``bulk-XXXX.nt.partial`` in the store folder.
SPOOL_PREFIX, SPOOL_SUFFIX = "bulk-", ".nt.partial"


class Generations:
    """The generations of one on-disk store folder (see the module docstring).

    Parameters
    ----------
    root : pathlib.Path
        The store folder; it must exist.
    """

    def __init__(self, root: Path):
        import pyoxigraph

        self._ox = pyoxigraph
        self.root = root
        self._gen: _Generation | None = None
        self._switching = threading.Lock()

    @property
    def store(self):
        """The pyoxigraph ``Store`` of the current generation (moving to a newer one first)."""
        self.refresh()
        return self._gen.store

    @property
    def name(self) -> str | None:
        """The name of the generation open now (None: empty, or the older layout)."""
        return self._gen.name if self._gen is not None else None

    def exists(self) -> bool:
        """Whether the folder holds a store: a generation pointer, or the older layout."""
        return (self.root / POINTER).exists() or self._legacy()

    def close(self) -> None:
        """Release the open generation (and its shared lock)."""
        if self._gen is not None:
            self._gen.close()
            self._gen = None

    def sweep(self, *, writable: bool) -> None:
        """Delete what killed processes left: spool files no live process holds, and (when
        ``writable`` and no writer is at work) partial generation folders.

        Best effort: a folder we may not write is left as it is.
        """
        if fcntl is None:
            return  # no flock: a live spool cannot be told from a leftover
        try:
            entries = list(self.root.iterdir())
        except OSError:
            return
        for entry in entries:
            name = entry.name
            if not (name.startswith(SPOOL_PREFIX) and name.endswith(SPOOL_SUFFIX)):
                continue
            try:
                fd = os.open(entry, os.O_RDONLY)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                entry.unlink(missing_ok=True)  # unlinked while locked: no writer can take it
            except OSError:
                pass  # a live import holds it (BlockingIOError), or a read-only folder
            finally:
                os.close(fd)
        if not writable:
            return
        try:
            writer = _lock(self.root / "write.lock", fcntl.LOCK_EX, blocking=False)
        except OSError:
            return
        if writer is None:
            return  # a writer is at work; it cleans up after itself
        try:
            self._collect(keep=self._pointer())
        finally:
            os.close(writer)

    @contextlib.contextmanager
    def spool(self) -> Iterator[tuple[IO[str], Path]]:
        """A new spool file in the store folder, ``(open text handle, path)``, flocked until
        the block ends and deleted then (a killed process's spool goes at the next open)."""
        while True:
            handle = tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.root, prefix=SPOOL_PREFIX, suffix=SPOOL_SUFFIX,
                delete=False)
            path = Path(handle.name)
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                ours = os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
            except FileNotFoundError:
                ours = False
            if ours:
                break
            handle.close()  # a sweep deleted it between creation and our lock: take another
        try:
            yield handle, path
        finally:
            handle.close()
            path.unlink(missing_ok=True)

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

    def refresh(self) -> None:
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

    def write(self, graphs: Mapping[URIRef, Iterable[Triple]], *,
              piece_bytes: int | None = None) -> None:
        """Publish a new generation: the current one with ``graphs`` replaced, all or nothing.

        ``piece_bytes``: bytes of N-Triples per bulk-load call (graph.store.oxigraph_io), for
        every graph written; ValueError, before the write lock is taken, for one that is
        neither None nor positive.
        """
        _piece_bytes(piece_bytes)
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
                    if current is not None and self._gen is not None and \
                            self._gen.name == current:
                        source = self._gen.store  # open already (and locked): no second open
                    else:
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
                for graph, lines in load_graphs(target, graphs, piece_bytes=piece_bytes).items():
                    loaded += lines
                    if lines:
                        counts[graph] = lines
                if loaded >= OPTIMIZE_AFTER and 2 * loaded >= sum(counts.values()):
                    # The bulk loader leaves many overlapping files: compacting them once makes
                    # every later query 2-3x faster (measured on the UN votes), for about a
                    # quarter of the load time. Small writes next to big data skip it.
                    target.optimize()
                target.flush()
                target = None  # closes the RocksDB instance
            except BaseException as exc:
                # Close RocksDB before deleting its files: drop our references, and those the
                # traceback's frames hold (e.g. load_graphs' ``target``).
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
            self.refresh()
            if legacy:
                for entry in root.iterdir():
                    if entry.is_file() and _LEGACY_FILES.match(entry.name):
                        entry.unlink(missing_ok=True)
            self._collect(keep=name)
        finally:
            os.close(writer)

