"""The import runner (graph/sources/runner.py, graph/sources/encoder.py): encoding, shared
declarations, atomic writes, the CLI."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from import_helpers import FIXTURES, all_quads, graph_triples, seeded, shared

from graph.build import build
from graph.claims import Claim, claim_triples
from graph.cli import cli
from graph.sources.runner import (
    ENTITIES_GRAPH,
    ClaimEncoder,
    ImportFailed,
    nt_line,
    run_import,
    slug,
)
from graph.store import open_store
from graph.vocab import CLAIM, ISSUE, SG, SOURCE, STATE, relations

UNVOTES = FIXTURES / "unvotes"
COW = FIXTURES / "cow"
GRAPH = "https://stancegraph.org/graph/import/unvotes/un_votes"

# ------------------------------------------------------------------------------ the encoder

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=30)
_date = st.dates().map(lambda d: d.isoformat())


@st.composite
def claims(draw):
    maybe = lambda strategy: draw(st.none() | strategy)  # noqa: E731
    issues = draw(st.lists(st.sampled_from(["human-rights", "unga-me", "dprk-sanctions"]),
                           max_size=3, unique=True))
    return Claim(
        iri=CLAIM[f"c{draw(st.integers(0, 10**9))}"],
        actor=STATE[draw(st.sampled_from(["USA", "PRK", "KOR"]))],
        relation=SG[draw(st.sampled_from(sorted(relations())))],
        target=STATE[draw(st.sampled_from(["CHN", "RUS"]))],
        source=SOURCE["s"],
        issue=maybe(st.just(ISSUE["human-rights"])),
        issue_position=maybe(st.floats(-1, 1, allow_nan=False)),
        date=maybe(_date | st.just("")),
        valid_from=maybe(_date),
        valid_until=maybe(_date),
        evidence=maybe(_text),
        evidence_start=maybe(st.integers(0, 10**6)),
        evidence_end=maybe(st.integers(0, 10**6)),
        confidence=maybe(st.floats(0, 1, allow_nan=False)),
        derived=draw(st.booleans()),
        derived_from=maybe(st.just(CLAIM["origin"])),
        dataset=maybe(_text),
        record_id=maybe(_text),
        row=maybe(st.integers(0, 10**7)),
        weight=maybe(st.floats(-10, 10, allow_nan=False)),
        note=maybe(_text),
        on_issues=tuple(ISSUE[i] for i in issues),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(claims(), min_size=1, max_size=4))
def test_the_compiled_encoding_is_exactly_claim_triples(batch):
    encoder = ClaimEncoder(verify=False)  # compare every claim, not just the first of a shape
    for claim in batch:
        text = encoder.lines(claim)
        assert sorted(line + "\n" for line in text.split("\n")[:-1]) == sorted(
            nt_line(t) for t in claim_triples(claim))


def test_slugs_are_safe_local_names():
    assert slug("A/C.3/78/L.39") == "A-C-3-78-L-39"
    assert slug("un votes (copy).csv") == "un-votes-copy-csv"


# ------------------------------------------------------------------------------ declarations

def test_an_unbuilt_store_gets_the_vocabulary_and_a_later_build_duplicates_nothing():
    store = open_store("oxigraph:memory")
    (report,) = run_import(store, "unvotes", [UNVOTES])
    assert len(report.seeded) == 2
    assert "https://stancegraph.org/graph/ontology" in {str(g) for g in store.graph_names()}
    build(store)
    for node in ("state:PRK", "state:KOR", "org:unga", "issue:human-rights"):
        assert len(store.query(f"SELECT ?t WHERE {{ {node} a ?t }}")) == 1, node


def test_states_are_declared_once_however_many_imports_use_them():
    store = seeded()
    run_import(store, "unvotes", [UNVOTES])
    run_import(store, "alliances", [COW])
    run_import(store, "rivalries", [COW])
    run_import(store, "un-sponsors", [FIXTURES / "un_sponsors"])
    run_import(store, "unvotes", [UNVOTES])  # again: the entities graph does not grow
    rows = store.query("SELECT ?s WHERE { ?s a sg:State }")
    assert len(rows) == len({r[0] for r in rows}) > 100
    sources = store.query("SELECT ?s WHERE { ?s a sg:Source }")
    assert len(sources) == len({r[0] for r in sources})
    # and the seed's own states stay the seed's
    assert graph_triples(store, ENTITIES_GRAPH) and not any(
        s == "https://stancegraph.org/id/state/USA" for s, _, _ in
        graph_triples(store, ENTITIES_GRAPH))


# ------------------------------------------------------------------------------ writing

@pytest.mark.parametrize("uri", ["memory:", "oxigraph:memory", "disk"])
def test_every_store_and_path_writes_the_same_graph(uri, tmp_path):
    reference = open_store("oxigraph:memory")
    run_import(reference, "unvotes", [UNVOTES])
    expected = graph_triples(reference, GRAPH)
    store = open_store(f"oxigraph:{tmp_path / 'store'}" if uri == "disk" else uri)
    (report,) = run_import(store, "unvotes", [UNVOTES])
    assert not report.bulk
    assert graph_triples(store, GRAPH) == expected
    (report,) = run_import(store, "unvotes", [UNVOTES], bulk_threshold=10)
    assert report.bulk
    assert graph_triples(store, GRAPH) == expected


BAD_VOTES = "rcid,country,country_code,vote\n5377,United States,US,yes\n5377,Canada,CA,maybe\n"


@pytest.fixture
def bad_folder(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for name in ("un_roll_calls.csv", "un_roll_call_issues.csv"):
        shutil.copy(UNVOTES / name, folder / name)
    (folder / "un_votes.csv").write_text(BAD_VOTES, encoding="utf-8")
    return folder


@pytest.mark.parametrize("uri", ["memory:", "oxigraph:memory", "disk"])
@pytest.mark.parametrize("exists", [False, True])
def test_a_failing_bulk_import_keeps_what_was_stored(uri, exists, bad_folder, tmp_path):
    store = open_store(f"oxigraph:{tmp_path / 'store'}" if uri == "disk" else uri)
    build(store)
    if exists:
        shutil.copy(UNVOTES / "un_votes.csv", tmp_path / "good.csv")
        run_import(store, "unvotes", [UNVOTES])
    before = all_quads(store)
    # the bad row is on line 3: with a threshold of 10 triples the load has begun by then
    with pytest.raises(ImportFailed, match="un_votes.csv:3: vote: unknown vote 'maybe'"):
        run_import(store, "unvotes", [bad_folder], on_error="fail", bulk_threshold=10)
    assert all_quads(store) == before


def test_several_files_are_all_checked_before_any_is_written(tmp_path):
    good = tmp_path / "good.tsv"
    good.write_bytes((FIXTURES / "events" / "gdelt_mixed_sample.tsv").read_bytes())
    bad = tmp_path / "bad.tsv"
    bad.write_text("1\t2\n" + "\t".join(["x"] * 58) + "\n", encoding="utf-8")
    store = seeded()
    before = all_quads(store)
    with pytest.raises(Exception, match="not a GDELT event file"):
        run_import(store, "events", [good, bad])
    bad.write_text("\t".join(["x"] * 58) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="bad.tsv:1: GLOBALEVENTID: not a number"):
        run_import(store, "events", [good, bad], on_error="fail")
    assert all_quads(store) == before


# ------------------------------------------------------------------------------ the CLI

def test_cli_import_reports_and_fails_as_asked(tmp_path, bad_folder):
    store = f"oxigraph:{tmp_path / 'store'}"
    runner = CliRunner()
    result = runner.invoke(cli, ["import", "unvotes", str(UNVOTES), "--store", store])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "the store had no ontology graph: wrote it as 'stancegraph build' does",
        "the store had no entities graph: wrote it as 'stancegraph build' does",
        "unvotes: un_votes.csv, un_roll_calls.csv, un_roll_call_issues.csv -> "
        f"<{GRAPH}>",
        result.stdout.splitlines()[3],  # the timing varies
        "  roll calls (resolutions): 6",
    ]
    assert result.stdout.splitlines()[3].startswith(
        "  31 rows read, 31 claims written, 0 bad rows skipped, 463 triples, ")

    result = runner.invoke(cli, ["import", "unvotes", str(bad_folder), "--store", store,
                                 "--on-error", "fail"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {bad_folder / 'un_votes.csv'}:3: vote: unknown vote 'maybe' (expected yes, "
        "no, abstain) (--on-error fail: nothing was written)")
    result = runner.invoke(cli, ["import", "unvotes", str(bad_folder), "--store", store])
    assert result.exit_code == 0
    assert result.stderr.strip() == (
        f"{bad_folder / 'un_votes.csv'}:3: vote: unknown vote 'maybe' (expected yes, no, "
        "abstain)")
    assert "2 rows read, 1 claims written, 1 bad rows skipped" in result.stdout

    result = runner.invoke(cli, ["import", "nonsense", str(UNVOTES), "--store", store])
    assert result.exit_code == 2
    assert "'nonsense' is not one of 'unvotes', 'un-sponsors', 'events', 'alliances', " \
        "'rivalries', 'csv'" in result.output


def test_cli_import_help_has_an_example():
    result = CliRunner().invoke(cli, ["import", "--help"])
    assert result.exit_code == 0
    assert "stancegraph import unvotes ../shared/data/unvotes/" in result.stdout


# ------------------------------------------------------------------------------ every store kind

from stores import fresh_store, sparql_servers, store_kind  # noqa: E402, F401 (fixtures)


def test_imports_work_on_every_kind_of_store(fresh_store):  # noqa: F811 (the fixture)
    store, _ = fresh_store
    build(store)
    (report,) = run_import(store, "unvotes", [UNVOTES])
    assert (report.claims, report.problem_count) == (31, 0)
    (report,) = run_import(store, "csv", [FIXTURES / "csv" / "hand_coded.csv"])
    assert (report.claims, report.problem_count) == (6, 0)
    run_import(store, "unvotes", [UNVOTES], bulk_threshold=10)  # again, by the bulk path
    votes = store.query("SELECT ?a ?r WHERE { ?c a sg:Claim ; sg:target res:unga-rcid-5377 ; "
                        "sg:actor ?a ; sg:relation ?r }")
    assert len(votes) == 13
    states = store.query("SELECT ?s WHERE { ?s a sg:State }")
    assert len(states) == len({row[0] for row in states})


def test_the_leaders_importer_checks_its_dates_and_numbers(tmp_path):
    """Issue 14, item 4 (every importer checks its typed values): Archigos dates that do not
    exist and a non-finite state code are bad rows, not rdflib tracebacks."""
    import logging

    folder = shared("ir_actors")
    lines = (folder / "archigos.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    rows = [lines[1].replace("1869-03-04", "1869-02-30"), lines[2].replace(",2,", ",inf,", 1),
            lines[3]]
    (tmp_path / "archigos.csv").write_text(lines[0] + "".join(rows), encoding="utf-8")
    path = tmp_path / "archigos.csv"
    store = open_store("oxigraph:memory")
    logger = logging.getLogger("rdflib")
    seen = []
    handler = logging.Handler()
    handler.emit = seen.append
    logger.addHandler(handler)
    try:
        (report,) = run_import(store, "leaders", [path])
    finally:
        logger.removeHandler(handler)
    assert [str(p) for p in report.problems] == [
        f"{path}:2: startdate: not a date: '1869-02-30' (day is out of range for month)",
        f"{path}:3: gwcode: not a number: 'inf'",
    ]
    assert seen == []
