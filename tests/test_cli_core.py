"""The core commands (build, query, export) through click's CliRunner, and the CLI's manners."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BAD, SEEDS
from rdflib import Graph

from graph import __version__
from graph.cli import cli
from graph.store import open_store
from graph.store.query import named_queries

DATA = Path(__file__).parent / "data"

# rdflib's own serializers and parsers still call its deprecated APIs
pytestmark = pytest.mark.filterwarnings(
    "ignore:Dataset.contexts is deprecated:DeprecationWarning",
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning",
)

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
COSPONSORS = ["query", "cosponsors", "--param", "resolution=res:unhrc-dprk-2021"]


@pytest.fixture(scope="module")
def store_args(oxigraph_store, oxigraph_path):
    """``--store`` for the session's on-disk store (the CLI opens it read-only)."""
    return ["--store", f"oxigraph:{oxigraph_path}"]


def invoke(*args, code=0):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def error_lines(result):
    return [line for line in result.stderr.splitlines() if line.startswith("Error: ")]


def the_error(result) -> str:
    """The one ``Error: ...`` line of a failed command (and nothing on stdout)."""
    assert result.exit_code != 0
    assert result.stdout == ""
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    return lines[0].removeprefix("Error: ")


# ------------------------------------------------------------------------------ build

def test_build_into_memory():
    result = invoke("build", "--store", "memory:")
    assert result.stdout.startswith("built memory:: 3 files, 55 claims (")
    assert "triples" in result.stdout
    assert "evidence checked" not in result.stdout


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed article folder {SEEDS} is absent")
def test_build_checks_evidence_against_the_texts():
    result = invoke("build", "--store", "memory:", "--texts", SEEDS)
    assert "evidence checked against 1 source text(s)" in result.stdout


def test_build_on_disk_then_query_it(tmp_path):
    uri = f"oxigraph:{tmp_path / 'store'}"
    invoke("build", "--store", uri)
    result = invoke(*COSPONSORS, "--store", uri, "--format", "csv")
    assert [row["code"] for row in csv.DictReader(io.StringIO(result.stdout))] == ["JPN", "USA"]


def test_build_takes_the_store_from_the_environment(tmp_path):
    uri = f"oxigraph:{tmp_path / 'store'}"
    result = CliRunner().invoke(cli, ["build"], env={"STANCEGRAPH_STORE": uri})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"built {uri}:")


def test_build_with_a_bad_claim_names_file_claim_and_field_and_writes_nothing(tmp_path):
    uri = f"oxigraph:{tmp_path / 'store'}"
    invoke("build", "--store", uri)
    before = invoke("export", "nquads", "--store", uri).stdout_bytes
    bad = [BAD / "no-actor.ttl", BAD / "unknown-relation.ttl"]
    result = invoke("build", *bad, "--store", uri, code=1)
    assert result.stdout == ""
    lines = error_lines(result)
    assert lines[0] == f"Error: {bad[0]}: claim:bad-no-actor: sg:actor: claim has no actor, " \
                       "or more than one"
    assert lines[1].startswith(f"Error: {bad[1]}: claim:bad-unknown-relation: sg:relation: ")
    assert lines[-1] == "Error: 2 problems in the input; nothing was written"
    assert len(lines) == 3
    assert sorted(invoke("export", "nquads", "--store", uri).stdout_bytes.splitlines()) == \
        sorted(before.splitlines())


def test_build_with_bad_turtle():
    result = invoke("build", BAD / "bad-syntax.ttl", "--store", "memory:", code=1)
    message = the_error(result)
    assert message.startswith(f"{BAD / 'bad-syntax.ttl'}: not valid Turtle")
    assert "Traceback" not in result.stderr


def test_build_with_a_missing_path():
    message = the_error(invoke("build", "absent.ttl", "--store", "memory:", code=1))
    assert message == "absent.ttl: no such file or folder"


def test_an_unknown_store_uri():
    message = the_error(invoke("build", "--store", "bogus:x", code=1))
    assert message.startswith("unknown store URI 'bogus:x'")


def test_querying_a_store_that_was_never_built(tmp_path):
    message = the_error(invoke("query", "ASK {}", "--store", f"oxigraph:{tmp_path}/none", code=1))
    assert message.startswith(f"no store at {tmp_path}/none: run 'stancegraph build' first")


# ------------------------------------------------------------------------------ query

def test_query_named_as_a_table(store_args):
    result = invoke(*COSPONSORS, *store_args)
    assert "JPN" in result.stdout and "USA" in result.stdout and "KOR" not in result.stdout
    assert "claim:kim2021-32" in result.stdout  # IRIs shown with their prefixes
    assert result.stdout.rstrip().endswith("(2 rows)")


def test_query_named_as_csv(store_args):
    result = invoke(*COSPONSORS, *store_args, "--format", "csv")
    found = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["code"] for row in found] == ["JPN", "USA"]
    assert found[0]["claim"] == "https://stancegraph.org/id/claim/kim2021-33"
    assert found[0]["date"] == "2021-03-23"


def test_query_named_as_tsv(store_args):
    lines = invoke(*COSPONSORS, *store_args, "--format", "tsv").stdout.splitlines()
    assert lines[0].split("\t") == ["?code", "?actor", "?date", "?evidence", "?source", "?claim",
                                    "?resolution"]
    assert len(lines) == 3
    first = lines[1].split("\t")
    assert first[0] == '"JPN"'
    assert first[5] == "<https://stancegraph.org/id/claim/kim2021-33>"
    assert first[2] == '"2021-03-23"^^<http://www.w3.org/2001/XMLSchema#date>'


def check_sparql_json(document: dict) -> list[dict]:
    """Assert the W3C SPARQL 1.1 Query Results JSON shape; return the bindings."""
    assert set(document) == {"head", "results"}
    names = document["head"]["vars"]
    assert isinstance(names, list) and all(isinstance(n, str) for n in names)
    bindings = document["results"]["bindings"]
    assert isinstance(bindings, list)
    for binding in bindings:
        assert set(binding) <= set(names)
        for term in binding.values():
            assert term["type"] in ("uri", "literal", "bnode")
            assert isinstance(term["value"], str)
            assert set(term) <= {"type", "value", "datatype", "xml:lang"}
    return bindings


@pytest.mark.parametrize("store_kind", ["memory", "oxigraph"])
def test_query_json_is_w3c_sparql_json(store_kind, store_args):
    # memory: starts empty in every command: rdflib's engine answers with no rows
    args = store_args if store_kind == "oxigraph" else ["--store", "memory:"]
    result = invoke("query", "SELECT ?s ?label ?code WHERE { ?s a sg:State ; rdfs:label ?label ; "
                    "sg:isoCode ?code } ORDER BY ?code", *args, "--format", "json")
    bindings = check_sparql_json(json.loads(result.stdout))
    if store_kind == "memory":
        assert bindings == []
        return
    assert [b["code"]["value"] for b in bindings][:3] == ["CHN", "CUB", "JPN"]
    assert bindings[0]["s"] == {"type": "uri", "value": "https://stancegraph.org/id/state/CHN"}
    assert bindings[0]["label"] == {"type": "literal", "value": "China", "xml:lang": "en"}


def test_query_named_json_carries_datatypes(store_args):
    result = invoke(*COSPONSORS, *store_args, "--format", "json")
    bindings = check_sparql_json(json.loads(result.stdout))
    assert bindings[0]["date"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"
    assert json.loads(result.stdout)["head"]["vars"][0] == "code"


def test_query_from_a_file(store_args, tmp_path):
    path = tmp_path / "states.rq"
    path.write_text("SELECT ?code WHERE { ?s sg:isoCode ?code } ORDER BY ?code", encoding="utf-8")
    result = invoke("query", "--file", path, *store_args, "--format", "csv")
    assert result.stdout.split() == ["code", "CHN", "CUB", "JPN", "KOR", "LAO", "PRK", "RUS",
                                     "USA", "VNM"]


def test_query_string_with_params(store_args):
    result = invoke("query",
                    "SELECT ?s ?code ?label WHERE { ?s sg:code ?code ; rdfs:label ?label }",
                    "--param", "code=blinken", *store_args, "--format", "csv")
    found = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["label"] for row in found] == ["Antony Blinken"]


def test_query_several_params(store_args):
    text = ("SELECT ?actor ?relation ?claim WHERE { ?claim sg:actor ?actor ; "
            "sg:relation ?relation ; sg:target res:unhrc-dprk-2021 }")
    result = invoke("query", text, "--param", "actor=state:KOR", "--param",
                    "relation=sg:declined", *store_args, "--format", "csv")
    found = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["claim"].rsplit("/", 1)[-1] for row in found] == ["kim2021-29"]


def test_query_list(store_args):
    result = invoke("query", "--list", *store_args, "--format", "json")
    listed = {row["name"]: row for row in json.loads(result.stdout)}
    assert set(listed) == set(named_queries())
    assert listed["cosponsors"]["parameters"] == "resolution (iri)"
    assert listed["allies-disagree"]["parameters"] == "issue (iri, optional)"
    assert listed["cosponsors"]["description"].startswith("Who co-sponsored a resolution")
    table = invoke("query", "--list", *store_args).stdout
    for name in named_queries():
        assert name in table


def test_query_ask(store_args):
    text = "ASK { state:USA sg:coSponsored res:unhrc-dprk-2021 }"
    assert invoke("query", text, *store_args).stdout == "true\n"
    assert json.loads(invoke("query", text, *store_args, "--format", "json").stdout) == {
        "head": {}, "boolean": True}
    text = "ASK { state:KOR sg:coSponsored res:unhrc-dprk-2021 }"
    assert json.loads(invoke("query", text, *store_args, "--format", "json").stdout)[
        "boolean"] is False


@pytest.mark.parametrize("fmt,parser", [("ttl", "turtle"), ("nt", "nt"), ("json", "json-ld")])
def test_query_construct(store_args, fmt, parser):
    text = "CONSTRUCT { ?s sg:isoCode ?code } WHERE { ?s sg:isoCode ?code }"
    result = invoke("query", text, *store_args, "--format", fmt)
    graph = Graph().parse(data=result.stdout, format=parser)
    assert len(graph) == 9
    if fmt == "ttl":
        assert "@prefix state: <https://stancegraph.org/id/state/>" in result.stdout


def test_query_describe(store_args):
    result = invoke("query", "DESCRIBE state:JPN", *store_args, "--format", "ttl")
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert len(graph) >= 5
    assert "sg:coSponsored res:unhrc-dprk-2021" in result.stdout


@pytest.mark.parametrize("args,words", [
    (["SELECT ?s WHERE { ?s ?p }"], "malformed query at line 1, column"),
    (["DROP ALL"], "updates (INSERT, DELETE, LOAD, CLEAR, DROP...) are refused"),
    (["SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }"], "SERVICE is refused"),
    (["SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"], "FROM and FROM NAMED are refused"),
    (["cosponsors"], "missing parameter(s): resolution (use --param NAME=VALUE)"),
    (["cosponsors", "--param", "who=KOR"], "unknown parameter 'who'"),
    (["cosponsors", "--param", "resolution"], "--param 'resolution': expected NAME=VALUE"),
    (["actor-stances", "--param", "actor=Atlantis"], "no actor or target with code 'Atlantis'"),
    (["actor-stances", "--param", 'actor=state:x" } ; DROP ALL ; #'],
     "parameter actor: 'state:x\" } ; DROP ALL ; #' is not a valid actor"),
    (["cosponsors", "--param", "resolution=res:unhrc-dprk-2021", "--format", "ttl"],
     "--format ttl is for CONSTRUCT and DESCRIBE results"),
    (["CONSTRUCT WHERE { ?s a sg:State }", "--format", "csv"], "--format csv is for SELECT"),
])
def test_query_errors(store_args, args, words):
    result = invoke("query", *args, *store_args, code=1)
    assert the_error(result).startswith(words)
    assert "Traceback" not in result.stderr


def test_query_without_a_query_is_a_usage_error(store_args):
    result = invoke("query", *store_args, code=2)
    assert error_lines(result) == ["Error: give a named query, SPARQL text, --file or --list"]


# ------------------------------------------------------------------------------ export

def test_export_to_stdout_and_to_a_file(store_args, tmp_path):
    data = invoke("export", "turtle", *store_args).stdout_bytes
    assert len(Graph().parse(data=data, format="turtle")) > 1000
    out = tmp_path / "stances.gexf"
    result = invoke("export", "gexf", "-o", out, *store_args)
    assert result.stdout == ""
    assert result.stderr == f"wrote {out} ({out.stat().st_size} bytes)\n"
    assert out.read_bytes().startswith(b"<?xml")


def test_export_errors(store_args):
    result = invoke("export", "xml", *store_args, code=2)
    assert "Invalid value for 'FORMAT'" in error_lines(result)[0]
    message = the_error(invoke("export", "gexf", "--as-of", "last week", *store_args, code=1))
    assert message == "--as-of 'last week': expected a date YYYY-MM-DD"


# ------------------------------------------------------------------------------ manners

@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help(flag):
    result = invoke(flag)
    assert result.stdout.startswith("Usage: ")
    for name in ("build", "query", "export"):
        assert name in result.stdout


@pytest.mark.parametrize("name", ["build", "query", "export"])
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_command_help_ends_with_an_example(name, flag):
    result = invoke(name, flag)
    assert "Example:" in result.stdout
    assert f"stancegraph {name}" in result.stdout.split("Example:")[1]
    assert "--store URI" in result.stdout


def test_every_command_has_help():
    for name in cli.commands:
        assert invoke(name, "-h").stdout.startswith("Usage: ")


def test_version():
    assert invoke("--version").stdout == f"stancegraph, version {__version__}\n"


def test_python_m_graph(tmp_path):
    result = subprocess.run([sys.executable, "-m", "graph", "--help"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: stancegraph ")


def test_help_does_not_import_the_heavy_libraries(tmp_path):
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from graph.cli import cli\n"
        "runner = CliRunner()\n"
        "assert runner.invoke(cli, ['--help']).exit_code == 0\n"
        "for name in cli.commands:\n"
        "    assert runner.invoke(cli, [name, '--help']).exit_code == 0, name\n"
        "print(sorted(m for m in ('pyvis', 'pandas', 'scipy') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_readme_mentions_every_command():
    text = README.read_text(encoding="utf-8")
    missing = [name for name in cli.commands if f"stancegraph {name}" not in text]
    assert missing == []


def _run_in(tmp_path, scratch, *args):
    return subprocess.run([sys.executable, "-m", "graph", *map(str, args), "--store",
                           f"oxigraph:{tmp_path / 'store'}"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "TMPDIR": str(scratch)})


def test_an_import_that_spools_leaves_no_temporary_file(tmp_path):
    """A sheet past the runner's 2 MB in memory (graph.sources.runner.SPILL_CHARS) spools its
    triples to a temporary folder: after the command, finished (main freezes what is left for
    the collector) or refused, the folder is gone."""
    from graph.sources.runner import SPILL_CHARS

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    header = "claim_id,actor,relation,target,date,source,evidence,evidence_start,evidence_end\n"
    rows = [f"big{i},state:USA,supports,state:KOR,2021-01-{1 + i % 28:02d},"
            "source:kim-2021-03-27,,,\n" for i in range(3_000)]
    sheet = tmp_path / "big.csv"
    sheet.write_text(header + "".join(rows), encoding="utf-8")
    assert _run_in(tmp_path, scratch, "build").returncode == 0
    done = _run_in(tmp_path, scratch, "import", "csv", sheet)
    assert done.returncode == 0, done.stderr
    assert "3,000 claims" in done.stdout or "3000" in done.stdout, done.stdout
    store = open_store(f"oxigraph:{tmp_path / 'store'}", read_only=True)
    # what was spooled: the N-Triples of the sheet's graph, past the runner's limit
    assert sum(len(line) for line in store.select_csv(
        "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER (CONTAINS(STR(?g), 'big')) }"
    ).decode().splitlines()) > SPILL_CHARS // 2
    store.close()
    refused = _run_in(tmp_path, scratch, "import", "csv", BAD / "bad-syntax.ttl")
    assert refused.returncode == 1
    assert not list(scratch.iterdir())
    assert not list((tmp_path / "store").glob("bulk-*"))
