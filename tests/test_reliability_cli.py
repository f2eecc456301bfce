"""Issue 14 through the command line: time limits, dates, output safety and clear errors."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from graph.analysis.run import gap_rows, run_gaps
from graph.build import build
from graph.claims import Claim, claim_triples
from graph.cli import cli
from graph.errors import InputError
from graph.output import (
    escaped_controls,
    printable,
    rows_to_text,
    spreadsheet_safe,
    spreadsheet_value,
    write_file,
)
from graph.sources.turtle import read_text, read_turtle
from graph.store import open_store
from graph.vocab import CLAIM, SG, SGG, SOURCE, STATE

ROOT = Path(__file__).resolve().parents[1]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
INJECTION = "=cmd|' /C calc'!A0"
ESC_TEXT = "red\x1b[31m alert\x07 title\x1b]0;pwned\x07"


@pytest.fixture(scope="module")
def store_args(oxigraph_store, oxigraph_path):
    return ["--store", f"oxigraph:{oxigraph_path}"]


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    """The seed plus one claim whose evidence is a spreadsheet formula with terminal escapes."""
    path = tmp_path_factory.mktemp("hostile") / "store"
    store = open_store(f"oxigraph:{path}")
    build(store)
    claim = Claim(CLAIM["test-hostile"], STATE.USA, SG.criticizes, STATE.PRK,
                  SOURCE["kim-2021-03-27"], date="2021-03-18",
                  evidence=INJECTION + " " + ESC_TEXT)
    store.replace_graphs({SGG["test/hostile"]: list(claim_triples(claim))})
    store.close()
    return ["--store", f"oxigraph:{path}"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_error(result) -> str:
    assert result.exit_code != 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0].removeprefix("Error: ")


# ------------------------------------------------------------------------------ item 12

def _cli_process(*args):
    return subprocess.Popen(
        [sys.executable, "-m", "graph", *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_query_timeout_stops_a_runaway_query(store_args):
    process = _cli_process("query", RUNAWAY, "--timeout", "1", *store_args)
    out, err = process.communicate(timeout=120)  # without the limit: hours
    assert process.returncode == 1
    assert out == ""
    assert err.strip().splitlines() == [
        "Error: the query was stopped after 1 s (--timeout): add a LIMIT, narrow the query, "
        "or give a longer --timeout"]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_ctrl_c_stops_a_runaway_query(store_args):
    process = _cli_process("query", RUNAWAY, "--timeout", "0", *store_args)
    try:
        # Past start-up (about a second of CPU), the runaway query is what burns CPU.
        deadline = time.monotonic() + 60
        while _cpu_seconds(process.pid) < 3 and process.poll() is None:
            assert time.monotonic() < deadline, "the query never started"
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)  # without the fix: never
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert err.strip().splitlines() == ["Error: interrupted: the query was stopped"]


def test_query_timeout_must_not_be_negative(store_args):
    result = run("query", "ASK { ?s ?p ?o }", "--timeout", "-1", *store_args)
    assert result.exit_code == 2 and "--timeout" in result.stderr


# ------------------------------------------------------------------------------ item 16

BAD_DATES = ["2021-02-30", "yesterday", "2021-13-45", "20210301"]


@pytest.mark.parametrize("date", BAD_DATES)
@pytest.mark.parametrize("command", [["gaps"], ["clusters"], ["balance"], ["actor", "KOR"],
                                     ["export", "gexf"], ["render", "-o", "page.html"]])
def test_as_of_must_be_a_calendar_day(store_args, command, date):
    result = run(*command, "--as-of", date, *store_args)
    message = one_error(result)
    assert message.startswith(f"--as-of '{date}': expected a date YYYY-MM-DD")
    assert result.exit_code == 1


def test_query_file_that_is_binary_or_utf16(store_args, tmp_path):
    binary = tmp_path / "random.bin"
    binary.write_bytes(b"SELECT\n" + bytes(range(128, 256)) * 4)
    assert one_error(run("query", "--file", binary, *store_args)) == \
        f"{binary}:2: not UTF-8 text (byte 8): is it a query?"
    nul = tmp_path / "nul.rq"
    nul.write_bytes(b"ASK { ?s ?p ?o }\n\x00\x00")
    assert one_error(run("query", "--file", nul, *store_args)) == \
        f"{nul}:2: contains NUL bytes: a binary file, not a query"
    utf16 = tmp_path / "utf16.rq"
    utf16.write_text("ASK { ?s ?p ?o }", encoding="utf-16")
    assert "is UTF-16 text" in one_error(run("query", "--file", utf16, *store_args))


def test_query_file_with_a_byte_order_mark(store_args, tmp_path):
    path = tmp_path / "bom.rq"
    path.write_bytes(b"\xef\xbb\xbfASK { ?s ?p ?o }")
    result = run("query", "--file", path, *store_args)
    assert result.exit_code == 0, result.output
    assert result.stdout == "true\n"


# ------------------------------------------------------------------------------ item 15

@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_clusters_with_a_state_of_no_strength(store_args, fmt):
    # The example of the command's own --help: KOR's strength is NaN (alone in its community).
    result = run("clusters", "--issue", "human rights", "--method", "s_score", "--format", fmt,
                 *store_args)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        states = {r["state"]: r for r in json.loads(result.stdout)["states"]}
        assert states["KOR"]["strength"] is None  # JSON has no NaN
    elif fmt == "csv":
        section = result.stdout.split("# ")[1].split("\n", 1)[1]
        states = {r["state"]: r for r in csv.DictReader(io.StringIO(section))}
        assert states["KOR"]["strength"] == ""
    else:
        assert "KOR" in result.stdout


def test_cells_of_nan_and_infinity():
    text = rows_to_text([{"a": float("nan"), "b": float("inf"), "c": 0.5}], "csv")
    assert text == "a,b,c\n,inf,0.5\n"
    assert json.loads(rows_to_text([{"a": float("nan")}], "json")) == [{"a": None}]


# ------------------------------------------------------------------------------ item 11

def test_spreadsheet_safe_cells_and_their_inverse():
    for text in [INJECTION, "+1+2", "-2+3", "@SUM(A1)", "\tx", "'=x", "''@y"]:
        safe = spreadsheet_safe(text)
        assert safe.startswith("'") and spreadsheet_value(safe) == text
    for text in ["-1", "+2.5", "1e3", "plain", "'quoted", "", "a=b"]:
        assert spreadsheet_safe(text) == text == spreadsheet_value(text)


def test_query_csv_neutralises_formulas(store_args):
    query = f'SELECT ?x ?n WHERE {{ BIND("{INJECTION}" AS ?x) BIND(-1 AS ?n) }}'
    result = run("query", query, "--format", "csv", *store_args)
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row == {"x": "'" + INJECTION, "n": "-1"}
    # the machine formats keep the value as it is
    as_json = run("query", query, "--format", "json", *store_args)
    value = json.loads(as_json.stdout)["results"]["bindings"][0]["x"]["value"]
    assert value == INJECTION


def test_table_csv_neutralises_formulas():
    text = rows_to_text([{"evidence": INJECTION, "position": -1.0}], "csv")
    assert text == f"evidence,position\n'{INJECTION},-1\n"
    assert INJECTION in rows_to_text([{"evidence": INJECTION}], "tsv")


def test_export_csv_neutralises_formulas(hostile_store):
    result = run("export", "csv", *hostile_store)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    [row] = [r for r in rows if r["claim_id"].endswith("test-hostile")]
    assert row["evidence"].startswith("'" + INJECTION)
    assert spreadsheet_value(row["evidence"]).startswith(INJECTION)
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_import_csv_takes_the_neutralising_quote_off(tmp_path):
    store = f"oxigraph:{tmp_path / 'store'}"
    assert run("build", "--store", store).exit_code == 0
    sheet = tmp_path / "formulas.csv"
    sheet.write_text(
        "claim_id,actor,relation,target,date,source,evidence,evidence_start,evidence_end\n"
        f"formula-01,state:USA,supports,state:KOR,2021-01-01,source:kim-2021-03-27,"
        f"\"{spreadsheet_safe(INJECTION).replace(chr(34), chr(34) * 2)}\",0,{len(INJECTION)}\n",
        encoding="utf-8")
    result = run("import", "csv", sheet, "--store", store, "--quiet")
    assert result.exit_code == 0, result.output
    query = "SELECT ?e WHERE { ?c sg:evidence ?e . FILTER (STRENDS(STR(?c), 'formula-01')) }"
    shown = run("query", query, "--format", "json", "--store", store)
    [binding] = json.loads(shown.stdout)["results"]["bindings"]
    assert binding["e"]["value"] == INJECTION
    exported = run("export", "csv", "--store", store).stdout
    assert f"'{INJECTION}" in exported


def test_help_says_csv_is_neutralised():
    for command in (["query", "--help"], ["export", "--help"]):
        assert "leading '" in " ".join(run(*command).stdout.split())


# ------------------------------------------------------------------------------ item 17

def test_control_characters_never_reach_the_terminal(hostile_store):
    query = ('SELECT ?e WHERE { <https://stancegraph.org/id/claim/test-hostile> '
             'sg:evidence ?e }')
    for fmt in ("table", "csv", "tsv", "json"):
        result = run("query", query, "--format", fmt, *hostile_store)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout, fmt
    shown = run("query", query, *hostile_store).stdout
    assert "\\x1b[31m" in " ".join(shown.split())
    # JSON and Turtle carry the same characters as \u escapes: nothing is lost
    as_json = run("query", query, "--format", "json", *hostile_store).stdout
    assert ESC_TEXT in json.loads(as_json)["results"]["bindings"][0]["e"]["value"]
    construct = query.replace("SELECT ?e WHERE", "CONSTRUCT { ?s ?p ?e } WHERE").replace(
        "<https://stancegraph.org/id/claim/test-hostile> sg:evidence ?e",
        "?s ?p ?e . FILTER (?s = <https://stancegraph.org/id/claim/test-hostile> && "
        "?p = sg:evidence)")
    turtle = run("query", construct, "--format", "ttl", *hostile_store).stdout
    assert "\x1b" not in turtle
    assert ESC_TEXT in " ".join(str(o) for o in Graph().parse(data=turtle, format="turtle")
                                .objects())
    for command in (["gaps", "--format", "json"], ["gaps"], ["actor", "USA"],
                    ["export", "turtle"], ["export", "nt"], ["export", "jsonld"]):
        result = run(*command, *hostile_store)
        assert result.exit_code == 0, (command, result.output)
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout, command


def test_import_problems_quote_bad_cells_without_control_characters(tmp_path):
    store = f"oxigraph:{tmp_path / 'store'}"
    assert run("build", "--store", store).exit_code == 0
    sheet = tmp_path / "escape.csv"
    sheet.write_text("claim_id,actor,relation,target,date,source\n"
                     "esc-01,state:USA,sup\x1b[2Jports\x07,state:KOR,2021-01-01,"
                     "source:kim-2021-03-27\n", encoding="utf-8")
    result = run("import", "csv", sheet, "--store", store, "--quiet")
    assert "escape.csv:2" in result.stderr, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_printable_and_escaped_controls():
    assert printable("a\x00b\x9bc\u202ed\te\nf") == "a\\x00b\\x9bc\\u202ed\te\nf"
    assert escaped_controls('"\x1b"') == '"\\u001b"'
    assert json.loads(escaped_controls(json.dumps("x\x85\u202ey", ensure_ascii=False))) == \
        "x\x85\u202ey"


def test_rich_markup_and_emoji_codes_are_shown_as_text():
    text = rows_to_text([{"iri": "urn:x:a", "note": "[bold]not bold[/bold] :smile:"}], "table")
    assert "urn:x:a" in text and "[bold]not bold[/bold] :smile:" in text


def test_truncated_turtle_names_the_line(tmp_path):
    source = sorted((ROOT / "data" / "sources").glob("*.ttl"))[0]
    cut = tmp_path / "cut.ttl"
    cut.write_bytes(source.read_bytes()[:3000])
    line = cut.read_text(encoding="utf-8").count("\n") + 1
    with pytest.raises(InputError, match=rf"^{cut}: not valid Turtle at line {line}, "):
        read_turtle(cut)
    result = run("build", cut, "--store", "memory:")
    assert one_error(result).startswith(f"{cut}: not valid Turtle at line {line}")


def test_turtle_with_a_byte_order_mark_is_read(tmp_path):
    source = sorted((ROOT / "data" / "sources").glob("*.ttl"))[-1]
    with_bom = tmp_path / "bom.ttl"
    with_bom.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    assert len(read_turtle(with_bom)) == len(read_turtle(source)) > 0


def test_binary_turtle_is_refused_with_its_line(tmp_path):
    path = tmp_path / "nul.ttl"
    path.write_bytes(b"@prefix : <urn:x:> .\n:a :b :c .\n\x00\x01")
    with pytest.raises(InputError, match=rf"^{path}:3: contains NUL bytes"):
        read_turtle(path)
    with pytest.raises(InputError, match=r"cannot read"):
        read_text(tmp_path / "missing.ttl")


# ------------------------------------------------------------------------------ item 10

def test_export_replaces_a_regular_file_with_the_usual_mode(store_args, tmp_path):
    target = tmp_path / "out" / "seed.ttl"
    previous = os.umask(0o022)
    try:
        assert run("export", "turtle", "-o", target, *store_args).exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert len(Graph().parse(target, format="turtle")) > 0
    target.chmod(0o640)
    assert run("export", "nt", "-o", target, *store_args).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the file's own mode is kept
    assert [p.name for p in target.parent.iterdir()] == ["seed.ttl"]  # no temporary left


def test_export_refuses_a_symbolic_link(store_args, tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("keep me", encoding="utf-8")
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    message = one_error(run("export", "turtle", "-o", link, *store_args))
    assert message.startswith(f"{link}: is a symbolic link")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "keep me"


def test_export_writes_into_a_fifo_without_replacing_it(store_args, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []

    def reader():
        with open(fifo, "rb") as pipe:
            received.append(pipe.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    result = run("export", "nt", "-o", fifo, *store_args)
    thread.join(60)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].count(b"\n") > 100


def test_render_output_mode_and_links(store_args, tmp_path):
    page = tmp_path / "page.html"
    previous = os.umask(0o022)
    try:
        result = run("render", "-o", page, *store_args)
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(page.stat().st_mode) == 0o644  # mkstemp's 0600 before the fix
    link = tmp_path / "link.html"
    link.symlink_to(page)
    assert one_error(run("render", "-o", link, *store_args)).startswith(
        f"{link}: is a symbolic link")
    assert link.is_symlink()


def test_write_file_on_devices(tmp_path):
    write_file("/dev/null", b"nothing")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if Path("/dev/full").exists():
        with pytest.raises(InputError, match="^/dev/full: cannot write: No space left"):
            write_file("/dev/full", b"x")
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    with pytest.raises(InputError, match="is a folder"):
        write_file(tmp_path, b"x")


# ------------------------------------------------------------------------------ item 21

def test_gaps_of_zero_are_not_listed(memory_store):
    found = run_gaps(memory_store)
    assert found and all(g.distance > 0 for g in found)
    assert not any({g.actor_a, g.actor_b} == {"JPN", "USA"} and g.distance == pytest.approx(0)
                   for g in found)


def test_one_sentence_behind_two_claims_is_listed_once():
    from graph.algorithms.gaps import coordination_gaps

    columns = ["actor", "issue", "position", "claim", "source", "relation", "evidence"]
    table = pd.DataFrame([
        ("A", "X", 1.0, "c1", "s1", "supports", "We back it."),
        ("A", "X", 1.0, "c2", "s1", "praises", "We back it."),
        ("B", "X", -1.0, "c3", "s1", "opposes", "No."),
    ], columns=columns)
    [row] = gap_rows(coordination_gaps(table, [("A", "B", "treaty")]))
    assert row["evidence_a"] == ["supports, praises: We back it."]
    assert row["evidence_b"] == ["opposes: No."]


def test_actor_by_its_name(store_args):
    by_name = run("actor", "South Korea", "--format", "json", *store_args)
    assert by_name.exit_code == 0, by_name.output
    assert json.loads(by_name.stdout)["actor"]["code"] == "KOR"
    assert json.loads(run("actor", "south  KOREA", "--format", "json",
                          *store_args).stdout)["actor"]["code"] == "KOR"
    assert "no actor or target with code 'Atlantis'" in one_error(
        run("actor", "Atlantis", *store_args))


@pytest.mark.parametrize("spelling", ["ttl", "turtle"])
def test_query_accepts_both_turtle_spellings(store_args, spelling):
    result = run("query", "CONSTRUCT WHERE { ?s a sg:State }", "--format", spelling, *store_args)
    assert result.exit_code == 0, result.output
    assert len(Graph().parse(data=result.stdout, format="turtle")) > 0


@pytest.mark.parametrize("spelling", ["json", "jsonld", "json-ld"])
def test_query_accepts_the_json_ld_spellings(store_args, spelling):
    result = run("query", "CONSTRUCT WHERE { ?s a sg:State }", "--format", spelling, *store_args)
    assert result.exit_code == 0, result.output
    assert len(Graph().parse(data=result.stdout, format="json-ld")) > 0


@pytest.mark.parametrize(("spelling", "parser"), [("ttl", "turtle"), ("turtle", "turtle"),
                                                  ("ntriples", "nt"), ("json-ld", "json-ld"),
                                                  ("json", "json-ld"), ("jsonld", "json-ld")])
def test_export_accepts_both_spellings(store_args, spelling, parser):
    result = run("export", spelling, *store_args)
    assert result.exit_code == 0, result.output
    parsed = Dataset().parse(data=result.stdout, format=parser)  # JSON-LD keeps named graphs
    assert len(list(parsed.quads())) > 0


@pytest.mark.parametrize("module", ["graph.output", "graph.dates", "graph.deadline"])
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
