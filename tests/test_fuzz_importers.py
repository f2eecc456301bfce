"""Fuzzing every importer and ``build`` (issue 14, "Done when").

Hypothesis feeds each importer of :data:`graph.sources.runner.KINDS` (and ``build``) random bytes
and random rows: the test fixtures of the kind with cells, lines or literals replaced by hostile
values (impossible dates, huge numbers, IRIs with spaces and quotes, control characters, other
scripts' digits, truncation). Whatever comes in, the outcome is success or a clean
:class:`graph.errors.StanceGraphError` (what the CLI prints as one ``Error:`` line), never another
exception and never an rdflib traceback in the log; on error the store is exactly as it was.

A kind added to ``KINDS`` is fuzzed too, from its fixture folder ``tests/data/import/<kind>/``
(``-`` as ``_``); the leaders importer, until it has one, from the head of Archigos in
``../shared/data`` (skipped, saying so, when that is absent).
Each target runs a dozen examples, a few seconds (``STANCEGRAPH_FUZZ_EXAMPLES`` sets how many).
"""

from __future__ import annotations

import csv
import io
import logging
import os
import random
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_helpers import FIXTURES, SHARED, all_quads, seeded

from graph.build import build
from graph.errors import StanceGraphError
from graph.resources import data_dir
from graph.sources.runner import KINDS, run_import

#: Fixture folder of each kind, and whether the importer is given the folder or its files.
FOLDERS = {"csv": "csv", "unvotes": "unvotes", "un-sponsors": "un_sponsors", "events": "events",
           "alliances": "cow", "rivalries": "cow"}
AS_FILES = {"events"}
#: Which files of a shared fixture folder a kind reads (the rest are left alone).
READS = {"alliances": ("cow_alliance.csv", "cow_states.csv"),
         "rivalries": ("td_rivalries.csv", "cow_states.csv")}

#: Values that broke importers before, or that a careless or hostile file holds.
NASTY = [
    "", " ", "NA", "0", "-1", "1", "2", "yes", "no", "abstain", "absent", "1e400", "inf", "nan",
    "-0", "99999999999999999999999", "1.5", "٣", "²", "2021-02-30", "2021-13-45", "20210230",
    "0000-01-01", "9999-12-31", "-2021-01-01", "2021-1-1", "USA", "KOR", "PRK", "DE", "YU",
    "255", "260", "678", "679", "2", "731", "732", "state:USA", "state:KOR", "state:XXX",
    "person:antony-blinken", "source:kim-2021-03-27", "issue:human-rights", "claim:kim2021-01",
    "kim2021-01", "http://ex.org/a b", "http://ex.org/a>b", 'http://ex.org/a"b', "<http://x>",
    "<>", "<x y>", "state:U S", "http://", "https://example.org/{x}", "a\x00b", "\x1b[2J\x07",
    "\x85", "\u2028", "\ufeff", "'", '"', '""', ",", "\t", "\n", "\r\n", "\\", "{", "}",
    "%s", "{0}", "South Korea", "Federal Republic of Germany", "Atlantis", "x" * 300,
    "<script>alert(1)</script>", "]]>", "&amp;", "&#27;", "&unknown;",
]
#: Stands for "a hostile variant of the value that was there" (see _variant): an impossible date
#: where a date was, a huge or non-finite number where a number was, a quote in a name.
VARIANT = "\ue000variant"
values = st.one_of(st.just(VARIANT),  # half of the values
                   st.one_of(st.sampled_from(NASTY), st.text(max_size=40),
                             st.integers(min_value=-10**30, max_value=10**30).map(str)))


_TYPED = re.compile(r"\d{4}-\d{2}-\d{2}|-?\d+(\.\d+)?")


def _variant(old: str, rng: random.Random) -> str:
    """A hostile value of the same kind as ``old`` (typed values are where importers trip)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", old.strip()):
        year = old.strip()[:4]
        return rng.choice([f"{year}-02-30", f"{year}-13-01", f"{year}-00-10", f"{year}-04-31",
                           "0000-01-01", f"{year}-2-3", f"{old}T00:00", f"+{old}", f"{year}0101"])
    if re.fullmatch(r"\d{8}", old.strip()):  # GDELT's SQLDATE
        return rng.choice([f"{old[:4]}0230", f"{old[:4]}1345", "00000000", old + "0"])
    if re.fullmatch(r"-?\d+(\.\d+)?", old.strip()):
        return rng.choice(["inf", "-inf", "nan", "1e400", "-1", "9" * 30, f"{old}.5", "٣",
                           f"-{old}", "0x10", "1_000"])
    return old + rng.choice(['"', "<", ">", " x", "\x1b[31m", "\x00", "\\", "{}", "\u2028"])


def _kinds():
    return sorted(KINDS)


#: Kinds without a fixture folder yet: the head of their file in ../shared/data, and the
#: small tables read with it, whole.
SHARED_HEADS = {"leaders": ("ir_actors", "archigos.csv", ("gw_states.csv",))}


def _fixture(kind: str, tmp: Path) -> Path:
    folder = FIXTURES / FOLDERS.get(kind, kind.replace("-", "_"))
    if folder.is_dir():
        return folder
    if kind not in SHARED_HEADS:
        pytest.skip(f"no fixture folder {folder} for the importer {kind!r}: add one to fuzz it")
    name, main, tables = SHARED_HEADS[kind]
    source = SHARED / name
    if not source.is_dir():
        pytest.skip(f"no fixture folder {folder}, and the shared datasets are absent ({source})")
    folder = tmp / f"{kind}-head"
    folder.mkdir(exist_ok=True)
    lines = (source / main).read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / main).write_text("".join(lines[:60]), encoding="utf-8")
    for table in tables:
        shutil.copy(source / table, folder / table)
    return folder


def _data_files(kind: str, folder: Path) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != "PROVENANCE.md")
    return [p for p in files if p.name in READS[kind]] if kind in READS else files


def _copy(kind: str, tmp: Path) -> tuple[Path, list[Path]]:
    source = _fixture(kind, tmp)
    target = tmp / f"copy-{source.name}"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return target, _data_files(kind, target)


def _paths(kind: str, folder: Path, files: list[Path]) -> list[Path]:
    return files if kind in AS_FILES else [folder]


# ------------------------------------------------------------------------------ mutation

def _delimiter(path: Path) -> str | None:
    if path.suffix == ".xml":
        return None
    return "\t" if path.suffix == ".tsv" else ","


def _mutate(path: Path, choices, rng: random.Random) -> bytes:
    """The file with a few rows changed: a cell, a whole line or the end replaced."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    delimiter = _delimiter(path)
    for value in choices:
        operation = rng.randrange(5)
        at = rng.randrange(len(lines))
        if operation <= 2 and delimiter is not None:  # one cell, properly quoted or not
            try:
                cells = next(csv.reader([lines[at]], delimiter=delimiter), [""]) or [""]
            except csv.Error:  # a line an earlier mutation broke: its raw pieces
                cells = lines[at].rstrip("\n").split(delimiter)
            at_cell = rng.randrange(len(cells))
            if value == VARIANT:  # a typed cell (a date, a number) when the row has one
                typed = [i for i, c in enumerate(cells) if _TYPED.fullmatch(c.strip())]
                at_cell = rng.choice(typed) if typed else at_cell
                value = _variant(cells[at_cell], rng)
            cells[at_cell] = value
            if delimiter == "\t":  # GDELT: no quoting at all
                lines[at] = "\t".join(cells) + "\n"
            else:
                out = io.StringIO()
                csv.writer(out, delimiter=delimiter, lineterminator="\n").writerow(cells)
                lines[at] = out.getvalue()
        elif operation <= 2:  # XML: one element's text, escaped or raw
            line = lines[at]
            start, end = line.find(">"), line.rfind("<")
            if 0 <= start < end:
                from xml.sax.saxutils import escape

                if value == VARIANT:
                    value = _variant(line[start + 1:end], rng)
                shown = escape(value) if rng.random() < 0.7 else value
                lines[at] = line[:start + 1] + shown + line[end:]
        elif operation == 3:  # a new line
            lines.insert(at, ("" if value == VARIANT else value) + "\n")
        else:  # cut the file short
            lines = lines[:at + 1]
            lines[-1] = lines[-1][:rng.randrange(len(lines[-1]) + 1)]
    return "".join(lines).encode("utf-8", errors="replace")


# ------------------------------------------------------------------------------ the check

def _outcome(store, call, caplog) -> None:
    """Run ``call``: success or a clean error; unchanged store on error; no logged traceback."""
    before = all_quads(store)
    caplog.clear()
    try:
        with caplog.at_level(logging.WARNING):
            call()
    except StanceGraphError as exc:
        assert str(exc).strip(), "an error without a message"
        assert all_quads(store) == before, f"the store changed although {exc} was raised"
    tracebacks = [r for r in caplog.records if r.exc_info or r.name.startswith("rdflib")]
    assert not tracebacks, [r.getMessage() for r in tracebacks]


#: Examples per target; STANCEGRAPH_FUZZ_EXAMPLES=500 for a long hunt.
EXAMPLES = int(os.environ.get("STANCEGRAPH_FUZZ_EXAMPLES", "12"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def store():
    return seeded()


@pytest.mark.parametrize("kind", _kinds())
@FUZZ
@given(data=st.binary(min_size=0, max_size=20_000), which=st.integers(0, 10),
       on_error=st.sampled_from(["skip", "fail"]))
def test_random_bytes_give_a_clean_error_or_success(kind, data, which, on_error, store,
                                                    tmp_path_factory, caplog):
    folder, files = _copy(kind, tmp_path_factory.mktemp("bytes"))
    target = files[which % len(files)]
    target.write_bytes(data)
    _outcome(store, lambda: run_import(store, kind, _paths(kind, folder, files),
                                       on_error=on_error), caplog)


@pytest.mark.parametrize("kind", _kinds())
@settings(FUZZ, max_examples=EXAMPLES * 5 // 3)  # rows find more than bytes: a few more
@given(choices=st.lists(values, min_size=4, max_size=16), seed=st.integers(0, 2**32),
       which=st.integers(0, 10), on_error=st.sampled_from(["skip", "fail"]))
def test_random_rows_give_a_clean_error_or_success(kind, choices, seed, which, on_error, store,
                                                   tmp_path_factory, caplog):
    folder, files = _copy(kind, tmp_path_factory.mktemp("rows"))
    target = files[which % len(files)]
    target.write_bytes(_mutate(target, choices, random.Random(seed)))
    _outcome(store, lambda: run_import(store, kind, _paths(kind, folder, files),
                                       on_error=on_error), caplog)


# ------------------------------------------------------------------------------ build

def _turtle_literal(value: str, rng: random.Random) -> str:
    if rng.random() < 0.7:
        escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\r", "\\r"))
        return f'"{escaped}"'
    return f'"{value}"'  # raw: may break the syntax, which must be a clean error too


def _mutate_turtle(path: Path, choices, rng: random.Random) -> str:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for value in choices:
        at = rng.randrange(len(lines))
        line = lines[at]
        operation = rng.randrange(4)
        if value == VARIANT:
            literal = re.search(r'"([^"]*)"', line)
            value = _variant(literal.group(1) if literal else "", rng)
        if operation <= 1 and line.count('"') >= 2:  # a literal's text, its datatype kept
            start = line.index('"')
            end = line.index('"', start + 1)
            lines[at] = line[:start] + _turtle_literal(value, rng) + line[end + 1:]
        elif operation == 2:  # a term replaced by the value
            words = line.split(" ")
            words[rng.randrange(len(words))] = value
            lines[at] = " ".join(words)
        else:
            lines = lines[:at + 1]
            lines[-1] = lines[-1][:rng.randrange(len(lines[-1]) + 1)]
    return "".join(lines)


SOURCE = data_dir() / "sources" / "kim-2021-03-27-monkey-cage.ttl"


@settings(max_examples=max(EXAMPLES * 2 // 3, 1), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.binary(max_size=20_000))
def test_build_of_random_bytes(data, store, tmp_path_factory, caplog):
    path = tmp_path_factory.mktemp("build") / "random.ttl"
    path.write_bytes(data)
    _outcome(store, lambda: build(store, [data_dir() / "entities.ttl", path], bundled=False),
             caplog)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(choices=st.lists(values, min_size=1, max_size=4), seed=st.integers(0, 2**32))
def test_build_of_random_claims(choices, seed, store, tmp_path_factory, caplog):
    path = tmp_path_factory.mktemp("build") / SOURCE.name
    path.write_text(_mutate_turtle(SOURCE, choices, random.Random(seed)), encoding="utf-8",
                    errors="replace")
    _outcome(store, lambda: build(store, [data_dir() / "entities.ttl", path], bundled=False),
             caplog)
