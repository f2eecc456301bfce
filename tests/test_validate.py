"""Validation: the seed data passes; each kind of bad claim is refused and nothing is written.

Each file in tests/data/bad holds one problem; it is built together with the bundled data (so it
can use the seed's actors and targets) into a store that already holds a build, and the store
must come out of the failed build exactly as it went in.
"""

import pytest
from conftest import BAD, SEEDS, seed_texts
from rdflib.namespace import RDF

from graph.build import build, source_files
from graph.errors import InputError, ValidationError
from graph.sources.turtle import read_turtle
from graph.store import open_store
from graph.validate import MAX_EVIDENCE_WORDS, load_texts, validate
from graph.vocab import SG

# file -> (claim, field, words of the message)
CASES = {
    "no-actor": ("claim:bad-no-actor", "sg:actor", "claim has no actor"),
    "no-relation": ("claim:bad-no-relation", "sg:relation", "claim has no relation"),
    "no-target": ("claim:bad-no-target", "sg:target", "claim has no target"),
    "no-source": ("claim:bad-no-source", "prov:wasDerivedFrom", "claim has no source"),
    "unknown-relation": ("claim:bad-unknown-relation", "sg:relation",
                         "relation is not one of the vocabulary's stance relations"),
    "undeclared-actor": ("claim:bad-undeclared-actor", "sg:actor", "actor is not declared"),
    "undeclared-target": ("claim:bad-undeclared-target", "sg:target",
                          "target is not a declared actor, issue, resolution or event"),
    "malformed-date": ("claim:bad-malformed-date", "sg:date", "date is not a valid xsd:date"),
    "until-before-from": ("claim:bad-until-before-from", "sg:validFrom",
                          "validUntil is before validFrom"),
    "offsets-outside": ("claim:bad-offsets-outside", "sg:evidenceEnd",
                        "evidence offsets fall outside the source text"),
    "offsets-length-mismatch": ("claim:bad-offsets-length", "sg:evidenceEnd",
                                "evidence offsets do not span the quoted fragment"),
    "long-evidence": ("claim:bad-long-evidence", "sg:evidence",
                      f"evidence has 26 words; quote at most {MAX_EVIDENCE_WORDS}"),
    "wrong-fragment": ("claim:bad-wrong-fragment", "sg:evidence",
                       "not the quoted fragment 'South Korea fired"),
}
NEEDS_TEXT = {"wrong-fragment"}


def snapshot(store):
    """Everything a store holds, in an order that compares."""
    return store.count_triples(), sorted(store.quads(), key=lambda q: tuple(map(str, q)))


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def store(request, tmp_path_factory):
    """A store of each kind holding a good build, owned by this module (failed builds go here)."""
    uri = "memory:" if request.param == "memory" else \
        f"oxigraph:{tmp_path_factory.mktemp('validate') / 'store'}"
    store = open_store(uri)
    build(store, texts=seed_texts())
    yield store
    store.close()


def test_every_seed_claim_validates():
    graphs = {path: read_turtle(path) for path in source_files()}
    union = validate(graphs, load_texts(seed_texts()))
    claims = set(union.subjects(RDF.type, SG.Claim))
    assert len(claims) >= 54


def test_the_fixture_folder_has_one_file_per_case():
    names = {p.stem for p in BAD.glob("*.ttl")}
    assert names == set(CASES) | {"bad-syntax"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_claim_is_refused_and_the_store_is_unchanged(store, case):
    if case in NEEDS_TEXT and not SEEDS.is_dir():
        pytest.skip(f"needs the seed article folder {SEEDS}")
    claim, field, words = CASES[case]
    path = BAD / f"{case}.ttl"
    before = snapshot(store)
    with pytest.raises(ValidationError) as caught:
        build(store, [path], texts=seed_texts())
    problems = caught.value.problems
    assert len(problems) == 1, problems
    problem = problems[0]
    # file: claim: field: message
    assert problem.startswith(f"{path}: {claim}: {field}: "), problem
    assert words in problem
    assert "nothing was written" in str(caught.value).splitlines()[0]
    assert snapshot(store) == before


def test_several_bad_files_give_one_problem_each(store):
    paths = [BAD / f"{case}.ttl" for case in ("no-actor", "unknown-relation", "malformed-date")]
    before = snapshot(store)
    with pytest.raises(ValidationError) as caught:
        build(store, paths)
    assert len(caught.value.problems) == 3
    assert str(caught.value).startswith("3 problems in the input; nothing was written")
    for path in paths:
        assert any(problem.startswith(str(path)) for problem in caught.value.problems)
    assert snapshot(store) == before


def test_bad_turtle_is_an_input_error_naming_the_file(store):
    path = BAD / "bad-syntax.ttl"
    before = snapshot(store)
    with pytest.raises(InputError) as caught:
        build(store, [path])
    message = str(caught.value)
    assert message.startswith(f"{path}: not valid Turtle")
    assert "line 6" in message
    assert "\n" not in message
    assert snapshot(store) == before


def test_a_missing_file_is_an_input_error(store, tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        build(store, [tmp_path / "absent.ttl"])


def test_a_claim_id_used_in_two_files_is_refused(store, tmp_path):
    seed = next(p for p in source_files() if "sources" in p.parts)
    copy = tmp_path / "copy.ttl"
    copy.write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    before = snapshot(store)
    with pytest.raises(ValidationError, match="claim id already used in"):
        build(store, [copy])
    assert snapshot(store) == before


def test_the_wrong_fragment_passes_without_the_text():
    # Right length, wrong words: only the article itself can tell; without it the shapes pass.
    graphs = {path: read_turtle(path) for path in source_files()}
    graphs[BAD / "wrong-fragment.ttl"] = read_turtle(BAD / "wrong-fragment.ttl")
    validate(graphs, {})


def test_an_ill_typed_date_in_an_interval_is_a_problem_not_a_traceback(tmp_path):
    """pySHACL 0.40 raises TypeError comparing "yes"^^xsd:date with a date
    (sh:lessThanOrEquals); the build reports the value instead (found by comparing fast
    validation paths with pySHACL on generated values)."""
    import pytest

    from graph.build import build
    from graph.errors import ValidationError
    from graph.store import open_store

    path = tmp_path / "interval.ttl"
    path.write_text(
        "@prefix sg: <https://stancegraph.org/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "<https://stancegraph.org/id/claim/interval-1> a sg:Claim ;\n"
        "  sg:actor <https://stancegraph.org/id/state/KOR> ; sg:relation sg:alignedWith ;\n"
        "  sg:target <https://stancegraph.org/id/state/USA> ;\n"
        "  prov:wasDerivedFrom <https://stancegraph.org/id/source/kim-2021-03-27-monkey-cage> ;\n"
        '  sg:validFrom "yes"^^xsd:date ; sg:validUntil "2021-01-01"^^xsd:date .\n',
        encoding="utf-8")
    store = open_store("oxigraph:memory")
    with pytest.raises(ValidationError) as caught:
        build(store, [path])
    problems = "\n".join(caught.value.problems)
    assert f"{path}: claim:interval-1: sg:validFrom: yes is not a valid xsd:date" in problems
    assert store.count_triples() == 0

