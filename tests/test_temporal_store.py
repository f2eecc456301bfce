"""docs/TIME.md through the store: series links, office terms from imported leaders, clusters'
items and the state graph at a date (issue 11)."""

from __future__ import annotations

import pytest
from import_helpers import seeded, shared
from rdflib import URIRef

from graph.analysis.items import position_items
from graph.analysis.project import office_terms, positions, state_graph
from graph.claims import Claim, claim_triples
from graph.sources.runner import run_import
from graph.sources.series import series_of
from graph.vocab import CLAIM, ISSUE, PERSON, SG, SOURCE, STATE

ARCHIGOS = (
    "obsid,gwcode,leadid,leader,yrborn,gender,startdate,enddate,entry,exit,exitcode\n"
    "ROK-2003,732,lead-roh,Roh Moo Hyun,1946,M,2003-02-25,2008-02-25,Regular,Regular,Regular\n"
    "ROK-2013,732,lead-park,Park Geun-hye,1952,F,2013-02-25,2015-12-31,Regular,"
    "Still in Office,Still in Office\n"
    "XXX-1900,99999,lead-x,Nobody,1900,M,1900-01-01,1901-01-01,Regular,Regular,Regular\n"
)


@pytest.fixture()
def leaders(tmp_path):
    path = tmp_path / "archigos.csv"
    path.write_text(ARCHIGOS, encoding="utf-8")
    store = seeded("oxigraph:memory")
    (report,) = run_import(store, "leaders", [path])
    return store, report


def test_leaders_become_persons_with_office_terms(leaders):
    store, report = leaders
    assert (report.rows, report.skipped) == (3, 0)
    assert dict(report.unmatched) == {"? (GW 99999)": 1}
    rows = store.select_rows(
        "SELECT ?p ?from ?until ?open ?end WHERE { ?p sg:represents state:KOR ; "
        "sg:holdsOffice ?t . ?t sg:ofState state:KOR ; sg:validFrom ?from . "
        "OPTIONAL { ?t sg:validUntil ?until } OPTIONAL { ?t sg:openEnded ?open } "
        "OPTIONAL { ?t sg:coverageEnd ?end } } ORDER BY ?from")
    rows = [r for r in rows if "archigos" in r["p"]]
    assert [str(r["from"]) for r in rows] == ["2003-02-25", "2013-02-25"]
    assert str(rows[0]["until"]) == "2008-02-25" and rows[0].get("open") is None
    # still in office when the data end: open-ended, not ended on 2015-12-31
    assert rows[1].get("until") is None
    assert str(rows[1]["open"]).lower() == "true" and str(rows[1]["end"]) == "2015-12-31"


def _rolled_up(person: URIRef, day: str):
    """A stance of ``person`` and its roll-up to South Korea, as the build writes them."""
    stated = Claim(CLAIM["t-stated"], person, SG.declined, ISSUE["dprk-human-rights"],
                   SOURCE["t"], date=day)
    derived = Claim(CLAIM["t-stated--state"], STATE.KOR, SG.declined,
                    ISSUE["dprk-human-rights"], SOURCE["t"], date=day, derived=True,
                    derived_from=stated.iri, on_issues=(ISSUE["dprk-human-rights"],))
    return [*claim_triples(stated), *claim_triples(derived),
            (SOURCE["t"], URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SG.Source)]


def test_a_leaders_stance_counts_for_the_state_only_in_office(leaders):
    store, _ = leaders
    roh = PERSON["archigos-lead-roh"]
    store.replace_graphs({URIRef("urn:test:roh"): _rolled_up(roh, "2005-06-01")})
    terms = office_terms(store)
    mine = terms[terms["claim"] == str(CLAIM["t-stated--state"])]
    assert mine[["side", "start", "end"]].values.tolist() == [["actor", "2003-02-25",
                                                                "2008-02-25"]]

    def status(day):
        table = positions(store, actors=[str(STATE.KOR)], as_of=day, keep_inactive=True)
        row = table[table["claim"] == str(CLAIM["t-stated--state"])].iloc[0]
        return row["status"], row["weight"]

    assert status("2007-01-01")[0] == "counts"
    assert status("2008-02-26") == ("out of office", 0.0)


def test_series_from_titles():
    assert str(series_of("The girl child : draft resolution /")[0]).endswith("/the-girl-child")
    assert series_of("The girl child : revised draft resolution")[0] == series_of(
        "The girl child : draft resolution /")[0]
    assert series_of("Situation of human rights in the DPRK")[0] == series_of(
        "Situation of human rights in the Democratic People's Republic of Korea : draft "
        "resolution /")[0]
    assert series_of("Preparations for the 30th anniversary of the Year of the Family")[0] \
        == series_of("Preparations for the 31st anniversary of the Year of the Family")[0]
    assert series_of("Protection of IDPs : amendment to draft resolution A/C.3/78/L.31") is None


def test_clusters_items_and_state_graph_follow_the_date():
    store = seeded("oxigraph:memory")
    # the HRC resolutions form one series: one item, on which each state's newest act counts
    series = "series:dprk-human-rights"
    items = position_items(store, as_of="2019-12-31")
    assert items[items["item"] == series][["actor", "position"]].values.tolist() == [
        ["KOR", 0.0]]  # only South Korea's 2019 decline is known then
    later = position_items(store, as_of="2021-06-01")
    on_series = later[later["item"] == series].set_index("actor")
    assert on_series["position"].to_dict() == {"JPN": 1.0, "KOR": 0.0, "USA": 1.0}
    assert on_series["weight"].tolist() == pytest.approx([0.5 ** (70 / 730)] * 3)
    assert not later["item"].str.startswith("unhrc-dprk").any()
    assert (later["weight"] > 0).all() and (later["weight"] <= 1).all()
    G = state_graph(store, as_of="2021-06-01")
    assert G["KOR"]["USA"]["sign"] == 1
    assert set(G["KOR"]["USA"]["claim_weights"]) == set(G["KOR"]["USA"]["claims"])
    assert state_graph(store, as_of="1950-01-01").number_of_edges() == 0


@pytest.mark.slow
def test_the_whole_archigos_file():
    store = seeded("oxigraph:memory")
    (report,) = run_import(store, "leaders", [shared("ir_actors")])
    assert report.rows == 3409 and report.problem_count == 0
    open_ended = store.select_rows(
        "SELECT (COUNT(?t) AS ?n) WHERE { ?t a sg:OfficeTerm ; sg:openEnded ?o }")
    assert int(open_ended[0]["n"]) > 100


@pytest.mark.parametrize("day", ["1950-01-01", "1960-01-01", "2021-03-10", "2023-12-31"])
def test_the_allies_at_query_agrees_with_allied_pairs(day):
    from graph.analysis.project import allied_pairs
    from graph.store.query import named_query, run_query

    store = seeded("oxigraph:memory")
    query = named_query("allies-at")
    rows = run_query(store, query.text, {"asOf": day}, query.parameters)
    by_query = {str(r.claim) for r in rows}
    by_python = {c for _, _, basis in allied_pairs(store, as_of=day) for c in basis.split("; ")
                 if c}
    assert by_query == by_python
