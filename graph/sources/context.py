"""What a reader (``graph/sources/*.py``) is given and gives back: the files of one import
(:class:`Unit`), and a :class:`Context` to read lines and tables through and to report bad rows,
counts and shared declarations to (:class:`ImportReport`).

Also the declarations readers make of their sources: :func:`dataset_source`,
:func:`web_source`. The runner (:mod:`graph.sources.runner`) drives the readers and writes
what they yield.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD
from rdflib.term import Node

from graph.errors import InputError
from graph.sources.encoder import slug
from graph.sources.values import CONTROL, control_message, strip_controls
from graph.vocab import SG, SGG, SOURCE

__all__ = [
    "Context",
    "IMPORT_GRAPHS",
    "ImportFailed",
    "ImportReport",
    "MAX_PROBLEMS",
    "Problem",
    "Unit",
    "dataset_source",
    "graph_name",
    "web_source",
]

Triple = tuple[Node, Node, Node]

#: Every import's named graph is under this prefix (``<kind>/<file-stem>``).
IMPORT_GRAPHS = str(SGG) + "import/"

#: How many problems the report keeps word for word (all are counted).
MAX_PROBLEMS = 1000


# ------------------------------------------------------------------------------ reading
def _head(path: Path, size: int = 8192) -> bytes:
    """The first bytes of a file, to tell text from binary data and UTF-16 from UTF-8."""
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


# ------------------------------------------------------------------------------ reporting

@dataclass(frozen=True)
class Problem:
    """A bad row: where it is, which field, what is wrong."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ImportFailed(InputError):
    """A bad row stopped an import run with ``on_error="fail"``; nothing was written."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(f"{problem} (--on-error fail: nothing was written)")


@dataclass
class ImportReport:
    """What one import (one file, one named graph) read and wrote."""

    kind: str
    graph: str
    files: tuple[str, ...]
    rows: int = 0
    claims: int = 0
    skipped: int = 0
    triples: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    unmatched: Counter = field(default_factory=Counter)
    counts: Counter = field(default_factory=Counter)
    declarations: int = 0
    seeded: tuple[str, ...] = ()
    bulk: bool = False
    seconds: float = 0.0


@dataclass(frozen=True)
class Unit:
    """One import: the files read together into one named graph (e.g. votes + roll calls)."""

    kind: str
    name: str
    main: Path
    files: tuple[tuple[str, Path], ...] = ()

    def file(self, role: str) -> Path | None:
        """The file playing ``role`` (e.g. ``"roll-calls"``), or None."""
        return dict(self.files).get(role)

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file of the unit, the main file first."""
        return (self.main, *(p for _, p in self.files if p != self.main))


def graph_name(kind: str, stem: str) -> URIRef:
    """``https://stancegraph.org/graph/import/<kind>/<file-stem>``."""
    return URIRef(f"{IMPORT_GRAPHS}{kind}/{slug(stem)}")


class Context:
    """What an importer reports to while it reads: bad rows, unmatched names, counts, entities.

    The importer calls :meth:`problem` for a bad row (and skips it), :meth:`unmatched` for a name
    or code it cannot link to a state, :meth:`count` for anything worth a line in the summary,
    and :meth:`declare` for a node shared between imports (a state, a dataset source).
    """

    def __init__(self, report: ImportReport, *, on_error: str = "skip", progress=None,
                 verb: str = "reading", store=None, pending=None, texts=None):
        if on_error not in ("skip", "fail"):
            raise ValueError(f"on_error must be 'skip' or 'fail', not {on_error!r}")
        self.report = report
        # For importers that resolve names against what is stored (csv): the store, and an
        # rdflib Graph of what this import will write before its own graph (the vocabulary and
        # bundled entities of a store that was never built), or None.
        self.store = store
        self.pending = pending
        # Source texts by SHA-256 (graph.validate.load_texts), to check evidence offsets against.
        self.texts = texts or {}
        self.on_error = on_error
        self.progress = progress
        self.verb = verb
        self.declarations: dict[URIRef, list[Triple]] = {}
        self._bad_rows: set[tuple[str, int]] = set()

    # -- reporting -------------------------------------------------------------------
    def problem(self, path: Path | str, line: int, field_name: str, message: str) -> None:
        """Report a bad row; raises :class:`ImportFailed` when running with ``on_error="fail"``."""
        problem = Problem(str(path), int(line), field_name, message)
        if self.on_error == "fail":
            raise ImportFailed(problem)
        self.report.problem_count += 1
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append(problem)
        key = (problem.path, problem.line)
        if key not in self._bad_rows:
            self._bad_rows.add(key)
            self.report.skipped += 1

    def unmatched(self, name: str, n: int = 1) -> None:
        """A name or code that matched no state (reported in the summary, no claim made)."""
        self.report.unmatched[name] += n

    def count(self, what: str, n: int = 1) -> None:
        """Count something for the summary (``"resolutions"``, ``"skipped: domestic event"``)."""
        self.report.counts[what] += n

    def row(self, n: int = 1) -> None:
        """Count a data row read."""
        self.report.rows += n

    def declare(self, node: URIRef, triples: Iterable[Triple]) -> None:
        """Declare a node shared between imports (written once, to the entities graph)."""
        if node not in self.declarations:
            self.declarations[node] = list(triples)

    # -- reading ---------------------------------------------------------------------
    def lines(self, path: Path, *, strict_first: bool = False,
              controls: str = "drop") -> Iterator[tuple[int, str]]:
        """The lines of a UTF-8 text file (BOM dropped), numbered from 1, with progress.

        A UTF-16 file with its BOM (a spreadsheet saved as "Unicode text") is decoded as such.
        A file with NUL bytes near its start is binary, not text: :class:`InputError`, and so is
        a first line that is not UTF-8 when ``strict_first`` (a header: the whole file is then
        not what it claims to be); later such lines are bad rows. Control characters
        (:data:`graph.sources.values.CONTROL`: ESC, BEL, NUL ...) are removed and counted
        (``controls="drop"``) or left for the caller to refuse (``"keep"``).
        """
        path = Path(path)
        head = _head(path)
        if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
            raise InputError(f"{path}: UTF-32 text; save it as UTF-8")
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            yield from self._clean(path, self._utf16_lines(path), controls)
            return
        if b"\x00" in head:
            raise InputError(f"{path}: binary data (NUL bytes), not a text file: save it as "
                             "UTF-8 text (UTF-16 is read when it starts with its BOM)")
        yield from self._clean(path, self._utf8_lines(path, strict_first), controls)

    def _clean(self, path, lines, controls):
        for number, text in lines:
            if controls == "drop" and CONTROL.search(text):
                text = strip_controls(text)
                self.count(f"lines with control characters removed ({Path(path).name})")
            yield number, text

    def _utf16_lines(self, path: Path) -> Iterator[tuple[int, str]]:
        number = 0
        try:
            # the codec reads the BOM and drops it; newline="" keeps line ends for the csv module
            with open(path, encoding="utf-16", newline="") as handle:
                for number, text in enumerate(handle, start=1):
                    yield number, text
        except UnicodeError as exc:
            raise InputError(f"{path}:{number + 1}: not valid UTF-16 text ({exc.reason}); "
                             "save the file as UTF-8") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc}") from exc

    def _utf8_lines(self, path: Path, strict_first: bool) -> Iterator[tuple[int, str]]:
        task = None
        if self.progress is not None:
            task = self.progress.add_task(f"{self.verb} {path.name}",
                                          total=max(path.stat().st_size, 1))
        pending = 0
        try:
            with open(path, "rb") as handle:
                for number, raw in enumerate(handle, start=1):
                    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                        raw = raw[3:]
                    pending += len(raw)
                    if task is not None and pending > 1 << 20:
                        self.progress.advance(task, pending)
                        pending = 0
                    try:
                        text = raw.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        if number == 1 and strict_first:
                            raise InputError(
                                f"{path}:1: not UTF-8 text ({exc.reason} at byte {exc.start}): "
                                "not a file of the expected kind, or save it as UTF-8"
                            ) from None
                        self.problem(path, number, "encoding", f"not UTF-8 ({exc.reason})")
                        continue
                    yield number, text
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc}") from exc
        finally:
            if task is not None:
                self.progress.update(task, completed=path.stat().st_size)

    def table(
        self,
        path: Path,
        required: Sequence[str],
        *,
        delimiter: str = ",",
        header: Sequence[str] | None = None,
        widths: Sequence[int] | None = None,
        count_rows: bool = True,
        quoting: int = csv.QUOTE_MINIMAL,
        controls: str = "drop",
    ) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
        """Read a delimited file: its header and its rows as ``(line, fields)``.

        The header (the first line, or ``header`` for files without one) must hold every
        ``required`` column, else :class:`InputError`. Rows with another number of fields than the
        header (or than one of ``widths``) are reported as bad rows and not yielded; blank lines
        are skipped. Each yielded row counts as a row read (unless ``count_rows`` is off, for
        auxiliary tables). Control characters in fields are removed (``controls="drop"``, see
        :meth:`lines`) or make the row a bad row (``"refuse"``, for hand-typed text).
        """
        state = {"line": 0}

        def text_lines():
            for number, text in self.lines(path, strict_first=header is None,
                                           controls="keep" if controls == "refuse" else "drop"):
                state["line"] = number
                yield text

        reader = csv.reader(text_lines(), delimiter=delimiter, quoting=quoting)
        if header is None:
            try:
                columns = [c.strip() for c in next(reader)]
            except StopIteration:
                raise InputError(f"{path}: the file is empty") from None
            except csv.Error as exc:
                raise InputError(f"{path}:1: cannot read the header: {exc}") from exc
        else:
            columns = list(header)
        missing = [c for c in required if c not in columns]
        if missing:
            found = ", ".join(columns)
            # what was found is data: no control characters to the terminal, and not all of it
            found = repr(found[:200])[1:-1] + ("..." if len(found) > 200 else "")
            raise InputError(
                f"{path}: not the expected layout: missing column(s) {', '.join(missing)} "
                f"(found: {found or 'nothing'})"
            )
        allowed = set(widths or (len(columns),))
        start_line = state["line"] + 1

        def rows():
            nonlocal start_line
            while True:
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    self.problem(path, start_line, "row", f"cannot parse: {exc}")
                    start_line = state["line"] + 1
                    continue
                line, start_line = start_line, state["line"] + 1
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                if len(record) not in allowed:
                    expected = " or ".join(str(w) for w in sorted(allowed))
                    self.problem(path, line, "row",
                                 f"{len(record)} fields, expected {expected}")
                    continue
                if controls == "refuse":
                    bad = next(((i, m) for i, v in enumerate(record)
                                if (m := control_message(v))), None)
                    if bad is not None:
                        name = columns[bad[0]] if bad[0] < len(columns) else f"field {bad[0] + 1}"
                        self.problem(path, line, name, bad[1])
                        continue
                if count_rows:
                    self.row()
                yield line, record

        return columns, rows()


def dataset_source(
    key: str,
    *,
    title: str,
    publisher: str,
    version: str,
    url: str,
    issued: str | None = None,
    creator: str | None = None,
    rights: str | None = None,
) -> tuple[URIRef, list[Triple]]:
    """The ``sg:Source`` node of a dataset (``source:dataset-<key>``) and its triples."""
    node = SOURCE[f"dataset-{key}"]
    triples: list[Triple] = [
        (node, RDF.type, SG.Source),
        (node, DCTERMS.title, Literal(title)),
        (node, DCTERMS.publisher, Literal(publisher)),
        (node, OWL.versionInfo, Literal(version)),
        (node, SG.url, Literal(url, datatype=XSD.anyURI)),
    ]
    if issued:
        datatype = XSD.gYear if re.fullmatch(r"\d{4}", issued) else XSD.date
        triples.append((node, DCTERMS.issued, Literal(issued, datatype=datatype)))
    if creator:
        triples.append((node, DCTERMS.creator, Literal(creator)))
    if rights:
        triples.append((node, DCTERMS.rights, Literal(rights)))
    return node, triples


def web_source(url: str, *, referenced_by: URIRef | None = None) -> tuple[URIRef, list[Triple]]:
    """The ``sg:Source`` of a web page (``source:web-<hash of the URL>``), titled by its URL."""
    node = SOURCE["web-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]]
    triples: list[Triple] = [
        (node, RDF.type, SG.Source),
        (node, DCTERMS.title, Literal(url)),
        (node, SG.url, Literal(url, datatype=XSD.anyURI)),
    ]
    if referenced_by is not None:
        triples.append((node, DCTERMS.isReferencedBy, referenced_by))
    return node, triples
