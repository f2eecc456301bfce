"""The seed dataset codes the article completely: its actors, and every stance the issue lists."""

import pytest
from rdflib import Graph

from graph.build import source_files
from graph.sources.turtle import read_turtle
from graph.validate import MAX_EVIDENCE_WORDS
from graph.vocab import SG, expand

STATES = {"USA": "United States", "KOR": "South Korea", "PRK": "North Korea", "CHN": "China",
          "RUS": "Russia", "JPN": "Japan", "CUB": "Cuba", "VNM": "Vietnam", "LAO": "Laos"}

# person -> (state, words of the office)
LEADERS = {
    "joe-biden": ("USA", "President"),
    "antony-blinken": ("USA", "Secretary of State"),
    "lloyd-austin": ("USA", "Secretary of Defense"),
    "moon-jae-in": ("KOR", "President"),
    "kim-jong-un": ("PRK", "Supreme Leader"),
    "xi-jinping": ("CHN", "President"),
    "sergey-lavrov": ("RUS", "Foreign Affairs"),
}

GOVERNMENTS = {"biden-administration": "USA", "moon-administration": "KOR",
               "kim-regime": "PRK", "trump-administration": "USA"}

# (actor, relation, target[, issue]) the issue asks for, each as stated in the source;
# "a|b" accepts either target (a coder may file a stance under the broader issue)
STANCES = [
    ("state:PRK", "demonstratesForce", "event:srbm-test-2021-03-25"),
    ("state:PRK", "demonstratesForce", "event:cruise-missile-test-2021-03-21"),
    ("state:PRK", "violates", "res:unsc-1718"),
    ("state:PRK", "criticizes", "event:us-rok-exercises-2021-03"),
    ("person:kim-jong-un", "alignedWith", "person:xi-jinping"),
    ("person:kim-jong-un", "supports", "issue:countering-hostile-forces"),
    ("person:xi-jinping", "supports", "issue:countering-hostile-forces"),
    ("person:kim-jong-un", "appealsTo", "state:CUB", "issue:anti-imperialist-solidarity"),
    ("person:kim-jong-un", "appealsTo", "state:VNM", "issue:anti-imperialist-solidarity"),
    ("person:kim-jong-un", "appealsTo", "state:LAO", "issue:anti-imperialist-solidarity"),
    ("person:kim-jong-un", "supports", "issue:anti-imperialist-solidarity"),
    ("state:USA", "alignedWith", "state:KOR"),
    ("gov:moon-administration", "supports", "issue:kaesong-industrial-complex"),
    ("gov:moon-administration", "supports", "issue:mount-kumgang-tourism"),
    ("state:KOR", "supports", "issue:humanitarian-aid-dprk|issue:inter-korean-engagement"),
    ("state:USA", "supports", "issue:economic-pressure-campaign"),
    ("state:KOR", "criticizes", "issue:economic-pressure-campaign"),
    ("state:USA", "opposes", "issue:inter-korean-engagement"),
    ("state:PRK", "appealsTo", "state:KOR", "issue:dprk-sanctions"),
    ("person:antony-blinken", "criticizes", "gov:kim-regime", "issue:dprk-human-rights"),
    ("person:antony-blinken", "supports", "issue:dprk-human-rights"),
    ("gov:biden-administration", "supports", "issue:democracy-promotion"),
    ("gov:moon-administration", "declined", "gov:kim-regime", "issue:dprk-human-rights"),
    ("state:USA", "coSponsored", "res:unhrc-dprk-2021"),
    ("state:JPN", "coSponsored", "res:unhrc-dprk-2021"),
    ("state:USA", "supports", "issue:countering-china-russia"),
    ("state:USA", "criticizes", "state:CHN"),
    ("state:USA", "criticizes", "state:RUS"),
    ("state:KOR", "declined", "state:CHN", "issue:countering-china-russia"),
    ("state:KOR", "declined", "state:RUS", "issue:countering-china-russia"),
    ("gov:moon-administration", "supports", "event:lavrov-visit-seoul-2021-03"),
    ("person:sergey-lavrov", "appealsTo", "state:USA"),
    ("media:global-times", "criticizes", "issue:countering-china-russia"),
    ("state:CHN", "providesAid", "state:PRK", "issue:dprk-sanctions"),
    ("state:CHN", "declined", "issue:dprk-sanctions"),
    ("state:CHN", "sanctions", "state:PRK"),
    ("state:USA", "opposes", "issue:preventive-strike"),
    ("state:KOR", "opposes", "issue:preventive-strike"),
]


@pytest.fixture(scope="module")
def seed() -> Graph:
    """The union of the bundled data files, as written by the analyst."""
    union = Graph()
    for path in source_files():
        union += read_turtle(path)
    return union


@pytest.fixture(scope="module")
def article(seeds_dir) -> str:
    files = sorted(p for p in seeds_dir.iterdir() if p.is_file())
    assert len(files) == 1, files
    return files[0].read_bytes().decode("utf-8")


def stated(store, actor, relation, target):
    return store.select_rows(
        """SELECT ?claim ?issue ?date ?validFrom ?evidence WHERE {
            ?claim a sg:Claim ; sg:mode sg:Stated ; prov:wasDerivedFrom source:kim-2021-03-27 ;
                   sg:actor ?actor ; sg:relation ?relation ; sg:target ?target .
            OPTIONAL { ?claim sg:issue ?issue }
            OPTIONAL { ?claim sg:date ?date }
            OPTIONAL { ?claim sg:validFrom ?validFrom }
            OPTIONAL { ?claim sg:evidence ?evidence }
        } ORDER BY ?claim""",
        {"actor": expand(actor), "relation": SG[relation], "target": expand(target)},
    )


def test_the_nine_states_with_iso_codes(memory_store):
    rows = memory_store.select_rows(
        "SELECT ?code ?label WHERE { ?s a sg:State ; sg:isoCode ?code ; rdfs:label ?label }"
    )
    assert {r["code"]: str(r["label"]) for r in rows} == STATES


@pytest.mark.parametrize("person", sorted(LEADERS))
def test_leaders_hold_offices(memory_store, person):
    state, office = LEADERS[person]
    rows = memory_store.select_rows(
        """SELECT ?office ?code ?from WHERE {
            ?p sg:represents ?state ; sg:holdsOffice ?term .
            ?term a sg:OfficeTerm ; sg:office ?office ; sg:ofState ?state ; sg:validFrom ?from .
            ?state sg:isoCode ?code .
        }""",
        {"p": expand(f"person:{person}")},
    )
    assert len(rows) == 1
    assert rows[0]["code"] == state
    assert office in rows[0]["office"]


def test_the_two_un_bodies(memory_store):
    rows = memory_store.select_rows(
        "SELECT ?org ?label WHERE { ?org a sg:Organisation ; rdfs:label ?label }"
    )
    labels = {r["org"].rsplit("/", 1)[-1]: str(r["label"]) for r in rows}
    assert labels["unsc"] == "UN Security Council"
    assert labels["unhrc"] == "UN Human Rights Council"


@pytest.mark.parametrize("government", sorted(GOVERNMENTS))
def test_the_administrations(memory_store, government):
    rows = memory_store.select_rows(
        "SELECT ?code WHERE { ?g a sg:Government ; sg:represents/sg:isoCode ?code }",
        {"g": expand(f"gov:{government}")},
    )
    assert [r["code"] for r in rows] == [GOVERNMENTS[government]]


def test_the_state_run_tabloid_represents_china(memory_store):
    assert memory_store.query(
        "ASK { media:global-times a sg:MediaOutlet ; rdfs:label ?l ; sg:represents state:CHN }"
    ).askAnswer


def test_resolutions_are_adopted_by_their_bodies(memory_store):
    rows = memory_store.select_rows(
        """SELECT ?res ?body ?on ?symbol WHERE {
            ?res a sg:Resolution ; sg:adoptedBy ?body ; sg:adoptedOn ?on ; sg:symbol ?symbol
        }"""
    )
    by_res = {r["res"].rsplit("/", 1)[-1]: r for r in rows}
    assert by_res["unsc-1718"]["body"].endswith("/org/unsc")
    assert by_res["unhrc-dprk-2021"]["symbol"] == "A/HRC/RES/46/17"
    assert str(by_res["unhrc-dprk-2021"]["on"]) == "2021-03-23"


@pytest.mark.parametrize("stance", STANCES, ids=lambda s: " ".join(x.split(":")[-1] for x in s[:3]))
def test_the_stances_the_issue_lists(memory_store, stance):
    actor, relation, target, *issue = stance
    rows = [row for one in target.split("|") for row in stated(memory_store, actor, relation, one)]
    assert rows, f"no claim {actor} {relation} {target}"
    for row in rows:
        assert row["evidence"], row["claim"]
        assert row["date"] or row["validFrom"], row["claim"]
    if issue:
        assert any(r["issue"] == str(expand(issue[0])) for r in rows), rows


def test_seoul_declined_the_hrc_resolution_three_years_running(memory_store):
    years = {}
    for year in (2019, 2020, 2021):
        rows = stated(memory_store, "state:KOR", "declined", f"res:unhrc-dprk-{year}")
        assert len(rows) == 1, (year, rows)
        years[year] = str(rows[0]["date"])
    assert [d[:4] for d in years.values()] == ["2019", "2020", "2021"]
    assert not stated(memory_store, "state:KOR", "coSponsored", "res:unhrc-dprk-2021")


def test_china_signed_on_to_sanctions_in_2017(memory_store):
    rows = stated(memory_store, "state:CHN", "sanctions", "state:PRK")
    assert any(str(r["validFrom"]).startswith("2017") for r in rows)
    assert any("sanctions" in r["evidence"] for r in rows)


def test_global_times_countermove(memory_store):
    rows = memory_store.select_rows(
        "SELECT ?evidence WHERE { ?c sg:actor media:global-times ; sg:evidence ?evidence }"
    )
    assert rows and all("countermove" in r["evidence"] for r in rows)


def test_the_source_is_bibliographic(seed):
    from rdflib.namespace import DCTERMS

    source = expand("source:kim-2021-03-27")
    assert str(seed.value(source, DCTERMS.creator)) == "Patricia M. Kim"
    assert str(seed.value(source, DCTERMS.issued)) == "2021-03-27"
    assert seed.value(source, DCTERMS.title)
    assert seed.value(source, SG.url)
    assert len(str(seed.value(source, SG.textSha256))) == 64
    assert int(seed.value(source, SG.textLength)) > 1000


def test_every_fragment_is_short(seed):
    fragments = list(seed.subject_objects(SG.evidence))
    assert len(fragments) >= 54
    counts = {claim: len(str(fragment).split()) for claim, fragment in fragments}
    assert max(counts.values()) <= MAX_EVIDENCE_WORDS, counts
    # the issue's "at most about 20 words": nearly all fragments stay within 20
    assert sum(n <= 20 for n in counts.values()) >= 0.9 * len(counts), counts


def test_every_claim_quotes_its_evidence_with_offsets(seed):
    from rdflib.namespace import PROV, RDF

    article = expand("source:kim-2021-03-27")
    for claim in seed.subjects(RDF.type, SG.Claim):
        if seed.value(claim, PROV.wasDerivedFrom) != article:
            continue  # public-record facts (the US-ROK treaty) quote no text
        fragment = seed.value(claim, SG.evidence)
        start, end = seed.value(claim, SG.evidenceStart), seed.value(claim, SG.evidenceEnd)
        assert fragment is not None and start is not None and end is not None, claim
        assert int(end) - int(start) == len(str(fragment)), claim


def test_every_fragment_is_the_article_text_at_its_offsets(seed, article):
    source = expand("source:kim-2021-03-27")
    assert int(seed.value(source, SG.textLength)) == len(article)
    mismatches = []
    for claim, fragment in seed.subject_objects(SG.evidence):
        start = int(seed.value(claim, SG.evidenceStart))
        end = int(seed.value(claim, SG.evidenceEnd))
        if article[start:end] != str(fragment):
            mismatches.append((claim, article[start:end], str(fragment)))
    assert mismatches == []


def test_the_article_is_not_in_the_project(article):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    opening = article[300:360]
    for folder in ("data", "ontology", "graph"):
        for path in (root / folder).rglob("*"):
            if path.is_file() and path.suffix in (".ttl", ".py", ".txt", ".md", ".rq"):
                assert opening not in path.read_text(encoding="utf-8", errors="replace"), path


def test_the_us_rok_alliance_is_a_standing_claim_still_in_force(seed, memory_store):
    """docs/TIME.md: the Mutual Defense Treaty (in force 1954-11-17) holds in 2019 and 2023;
    the article's own alignment claim no longer ends on the article's date."""
    from graph.analysis.project import allied_pairs

    treaty = expand("claim:us-rok-mdt-1953")
    assert str(seed.value(treaty, SG.validFrom)) == "1954-11-17"
    assert seed.value(treaty, SG.validUntil) is None
    assert seed.value(expand("claim:kim2021-15"), SG.validUntil) is None
    for day in ("1960-01-01", "2019-03-22", "2023-12-31"):
        pairs = {(a, b) for a, b, _ in allied_pairs(memory_store, as_of=day)}
        assert ("KOR", "USA") in pairs, day
    assert ("KOR", "USA") not in {(a, b) for a, b, _ in
                                  allied_pairs(memory_store, as_of="1954-01-01")}


def test_the_dprk_human_rights_resolutions_form_a_series(seed):
    for year in (2019, 2020, 2021):
        assert seed.value(expand(f"res:unhrc-dprk-{year}"), SG.inSeries) == expand(
            "series:dprk-human-rights")
