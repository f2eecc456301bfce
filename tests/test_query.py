"""Queries: the named queries and their answers on the seed, parameters, and what is refused."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from rdflib import Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from graph.errors import QueryError
from graph.store.query import (
    PARAM_TYPES,
    check_query,
    named_queries,
    named_query,
    parse_params,
    resolve_actor,
    run_query,
)
from graph.vocab import PREFIXES, STATE

INJECTION = 'x" } ; DROP ALL ; #'


def run(store, name, **params):
    query = named_query(name)
    return run_query(store, query.text, params, query.parameters)


def plain(value):
    """A store-independent form of a result value (pyoxigraph canonicalises literals)."""
    if value is None:
        return None
    if isinstance(value, Literal):
        value = value.toPython()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return round(float(value), 6)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if ", " in text and name_list(text):
        return frozenset(text.split(", "))  # GROUP_CONCAT: order is not defined
    return text


def name_list(text):
    return all(re.fullmatch(r"[A-Z]{3}", part) for part in text.split(", "))


def rows(result):
    return [{str(var): plain(row[var]) for var in result.vars} for row in result]


def as_set(result):
    return {frozenset(row.items()) for row in rows(result)}


def snapshot(store):
    return store.count_triples(), sorted(store.quads(), key=lambda q: tuple(map(str, q)))


# ------------------------------------------------------------------------------ named queries

def test_the_named_queries_the_issue_asks_for():
    names = set(named_queries())
    assert {"cosponsors", "actor-stances", "allies-disagree", "positions-on-issue",
            "source-claims"} <= names


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_query_headers_parse_and_parameters_are_projected(name):
    query = named_queries()[name]
    assert query.name == name
    assert re.search(rf"^# name: {re.escape(name)}$", query.text, re.M)
    assert len(query.description) > 20
    assert query.example.startswith(f"stancegraph query {name}")
    assert check_query(query.text) == "SELECT"
    projected = {str(v) for v in prepareQuery(query.text, initNs=PREFIXES).algebra["PV"]}
    for parameter in query.parameters:
        assert parameter.type in PARAM_TYPES
        assert parameter.help
        # pyoxigraph binds only variables the SELECT projects
        assert parameter.name in projected, (name, parameter.name)
        assert f"--param {parameter.name}=" in query.example or parameter.optional


def test_unknown_named_query():
    with pytest.raises(QueryError, match="no named query 'nope'; known: .*cosponsors"):
        named_query("nope")


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_each_example_answers_on_both_stores(memory_store, oxigraph_store, name):
    query = named_queries()[name]
    params = dict(re.findall(r"--param (\w+)=(\S+)", query.example))
    on_memory = run_query(memory_store, query.text, params, query.parameters)
    on_oxigraph = run_query(oxigraph_store, query.text, params, query.parameters)
    assert len(on_memory) > 0
    assert [str(v) for v in on_memory.vars] == [str(v) for v in on_oxigraph.vars]
    assert as_set(on_memory) == as_set(on_oxigraph)


@pytest.mark.parametrize("resolution", ["res:unhrc-dprk-2021", "A/HRC/RES/46/17",
                                        "<https://stancegraph.org/id/resolution/unhrc-dprk-2021>"])
def test_cosponsors_of_the_2021_resolution(built_store, resolution):
    codes = [row["code"] for row in rows(run(built_store, "cosponsors", resolution=resolution))]
    assert codes == ["JPN", "USA"]
    assert "KOR" not in codes


def test_cosponsors_carry_evidence_and_source(built_store):
    for row in rows(run(built_store, "cosponsors", resolution="res:unhrc-dprk-2021")):
        assert "co-sponsors" in row["evidence"]
        assert row["source"].startswith("North Korea conducted more missile tests")
        assert row["claim"].startswith("https://stancegraph.org/id/claim/")


def test_actor_stances_of_south_korea_include_the_declined_claims(built_store):
    found = rows(run(built_store, "actor-stances", actor="KOR"))
    assert {row["actor"] for row in found} == {str(STATE.KOR)}
    declined = {row["target"] for row in found if row["relation"] == "declined"}
    for year in (2019, 2020, 2021):
        assert f"HRC resolution on the situation of human rights in the DPRK ({year})" in declined
    assert {"China", "Russia"} <= declined
    # Moon's administration declining to criticise the regime, rolled up to Seoul
    rolled = [row for row in found if row["mode"] == "derived" and row["relation"] == "declined"]
    assert any(row["target"] == "North Korea" for row in rolled)
    # the alliance shows from both ends
    assert any(row["relation"] == "aligned with" and row["target"] == "United States"
               for row in found)
    assert all(row["source"] for row in found)
    # every claim quotes the article, except the public-record US-ROK treaty (issue 11)
    assert all(row["evidence"] for row in found if "us-rok-mdt" not in row["claim"])


def test_actor_stances_by_code_prefixed_name_and_iri_agree(memory_store):
    by_code = as_set(run(memory_store, "actor-stances", actor="blinken"))
    by_name = as_set(run(memory_store, "actor-stances", actor="person:antony-blinken"))
    by_iri = as_set(run(memory_store, "actor-stances",
                        actor="<https://stancegraph.org/id/person/antony-blinken>"))
    assert by_code == by_name == by_iri
    assert len(by_code) == 2


def test_allies_disagree_on_dprk_human_rights(built_store):
    found = rows(run(built_store, "allies-disagree"))
    pairs = {(row["stateA"], row["stateB"], row["issueLabel"]) for row in found}
    assert ("KOR", "USA", "DPRK human rights") in pairs
    assert all(row["difference"] > 0 for row in found)
    differences = [row["difference"] for row in found]
    assert differences == sorted(differences, reverse=True)
    one = rows(run(built_store, "allies-disagree", issue="dprk-human-rights"))
    assert [(r["stateA"], r["stateB"], r["positionA"], r["positionB"]) for r in one] == [
        ("KOR", "USA", 0.0, 1.0)
    ]


def test_positions_on_issue_groups_states(built_store):
    found = rows(run(built_store, "positions-on-issue", issue="dprk-human-rights"))
    groups = {row["position"]: row["members"] for row in found}
    members = {p: (m if isinstance(m, frozenset) else frozenset([m])) for p, m in groups.items()}
    assert members[1.0] >= {"USA", "JPN"}
    assert members[0.0] == {"KOR"}
    assert [row["position"] for row in found] == sorted(groups, reverse=True)
    assert all(row["states"] == len(members[row["position"]]) for row in found)


def test_positions_follow_the_issue_hierarchy(built_store):
    # dprk-human-rights is narrower than human-rights: its positions count there too
    narrow = as_set(run(built_store, "positions-on-issue", issue="dprk-human-rights"))
    broad = rows(run(built_store, "positions-on-issue", issue="issue:human-rights"))
    assert len(broad) >= 1 and narrow


def test_source_claims_lists_the_seed_claims(built_store):
    found = rows(run(built_store, "source-claims", source="source:kim-2021-03-27"))
    claims = [row["claim"] for row in found]
    assert len(claims) == len(set(claims)) == 54
    assert "kim2021-24" in claims and "kim2021-24--state" not in claims  # stated only
    starts = [row["start"] for row in found]
    assert starts == sorted(starts)


def test_relations_query_matches_the_vocabulary(built_store):
    from graph.vocab import relations

    found = {row["relation"]: row for row in rows(run(built_store, "relations"))}
    assert set(found) == set(relations())
    for name, relation in relations().items():
        assert found[name]["polarity"] == relation.polarity
        assert found[name]["weight"] == relation.weight
        assert found[name]["cameoRoot"] == relation.cameo_root


# ------------------------------------------------------------------------------ parameters

def test_resolve_actor(built_store):
    assert resolve_actor(built_store, "KOR") == STATE.KOR
    assert resolve_actor(built_store, "kor") == STATE.KOR  # ISO codes in any case
    assert resolve_actor(built_store, "state:KOR") == STATE.KOR
    assert resolve_actor(built_store, "blinken") == URIRef(
        "https://stancegraph.org/id/person/antony-blinken")
    with pytest.raises(QueryError, match="no actor or target with code 'Atlantis'"):
        resolve_actor(built_store, "Atlantis")


def test_parse_params():
    assert parse_params(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(QueryError, match="expected NAME=VALUE"):
        parse_params(["novalue"])


@pytest.mark.parametrize("query", [
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label }",
    "SELECT ?s ?code WHERE { ?s sg:code ?code }",
    "ASK { ?s sg:code ?code }",
])
def test_a_hostile_value_is_bound_as_a_literal(built_store, query):
    before = snapshot(built_store)
    name = "label" if "label" in query else "code"
    result = run_query(built_store, query, {name: INJECTION})
    if result.type == "ASK":
        assert result.askAnswer is False
    else:
        assert list(result) == []
    assert snapshot(built_store) == before


def test_a_bound_value_really_binds(built_store):
    result = run_query(built_store, "SELECT ?s ?code WHERE { ?s sg:code ?code }", {"code": "JPN"})
    assert [str(row.s) for row in result] == [str(STATE.JPN)]


@pytest.mark.parametrize("name,param", [("cosponsors", "resolution"), ("actor-stances", "actor"),
                                        ("source-claims", "source"), ("allies-disagree", "issue")])
@pytest.mark.parametrize("value", [INJECTION, "res:" + INJECTION, "<http://x> } ; DROP ALL ; #>"])
def test_a_hostile_value_for_a_named_query_is_a_clear_error(built_store, name, param, value):
    before = snapshot(built_store)
    with pytest.raises(QueryError, match=r"^(no actor or target with code|parameter \w+: )"):
        run(built_store, name, **{param: value})
    assert snapshot(built_store) == before


def test_parameters_are_checked_against_the_declaration(built_store):
    with pytest.raises(QueryError, match="missing parameter.*resolution"):
        run(built_store, "cosponsors")
    with pytest.raises(QueryError, match="unknown parameter 'actor'.*resolution"):
        run(built_store, "cosponsors", resolution="res:unhrc-dprk-2021", actor="KOR")


def test_an_unprojected_parameter_binds_or_fails_clearly(built_store):
    # rdflib binds it; pyoxigraph binds projected variables only and says so
    text = "SELECT ?s WHERE { ?s sg:code ?code }"
    try:
        result = run_query(built_store, text, {"code": "JPN"})
    except QueryError as exc:
        assert "oxigraph" in built_store.uri
        assert "projection" in str(exc)
    else:
        assert [str(row.s) for row in result] == [str(STATE.JPN)]


# ------------------------------------------------------------------------------ refusals

REFUSED = {
    "insert": ("INSERT DATA { <http://a> <http://b> <http://c> }", "updates"),
    "delete": ("DELETE WHERE { ?s ?p ?o }", "updates"),
    "drop": ("DROP ALL", "updates"),
    "clear": ("CLEAR DEFAULT", "updates"),
    "load": ("LOAD <file:///etc/passwd>", "updates"),
    "load-into": ("LOAD <http://example.org/x> INTO GRAPH <http://example.org/g>", "updates"),
    "service": ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    "service-silent": ("SELECT * WHERE { SERVICE SILENT <http://example.org/s> { ?s ?p ?o } }",
                       "SERVICE"),
    "service-variable": ("SELECT * WHERE { BIND (<http://example.org/s> AS ?e) "
                         "SERVICE ?e { ?s ?p ?o } }", "SERVICE"),
    "service-in-optional": ("SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://example.org/s> "
                            "{ ?s ?p ?x } } }", "SERVICE"),
    "service-in-exists": ("SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE "
                          "<http://example.org/s> { ?s ?p ?x } } }", "SERVICE"),
    "service-in-not-exists": ("SELECT * WHERE { ?s ?p ?o FILTER NOT EXISTS { SERVICE "
                              "<http://example.org/s> { ?s ?p ?x } } }", "SERVICE"),
    "service-in-subquery": ("SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://example.org/s> "
                            "{ ?s ?p ?o } } } }", "SERVICE"),
    "service-in-bind": ("SELECT * WHERE { BIND (EXISTS { SERVICE <http://example.org/s> "
                        "{ ?s ?p ?o } } AS ?b) }", "SERVICE"),
    "service-in-ask": ("ASK { SERVICE <http://example.org/s> { ?s ?p ?o } }", "SERVICE"),
    "service-in-construct": ("CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://example.org/s> "
                             "{ ?s ?p ?o } }", "SERVICE"),
    "service-in-describe": ("DESCRIBE ?s WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }",
                            "SERVICE"),
    "from": ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM"),
    "from-file": ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
    "from-named": ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
                   "FROM"),
    "from-in-ask": ("ASK FROM <http://example.org/g> { ?s ?p ?o }", "FROM"),
    "from-in-construct": ("CONSTRUCT { ?s ?p ?o } FROM <http://example.org/g> "
                          "WHERE { ?s ?p ?o }", "FROM"),
    "from-in-describe": ("DESCRIBE <http://example.org/a> FROM <http://example.org/g>", "FROM"),
}
MESSAGES = {
    "updates": "updates (INSERT, DELETE, LOAD, CLEAR, DROP...) are refused: the graph is read-only",
    "SERVICE": "SERVICE is refused: queries may not reach other endpoints",
    "FROM": "FROM and FROM NAMED are refused: queries run on the stored graph only",
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused(case):
    text, kind = REFUSED[case]
    with pytest.raises(QueryError) as caught:
        check_query(text)
    assert str(caught.value) == MESSAGES[kind]


@pytest.mark.parametrize("case", ["insert", "drop", "load", "service", "from-file"])
def test_refused_before_reaching_either_store(built_store, case):
    before = snapshot(built_store)
    with pytest.raises(QueryError, match="refused"):
        run_query(built_store, REFUSED[case][0])
    assert snapshot(built_store) == before


@pytest.mark.parametrize("text,line,column", [
    ("SELECT ?s WHERE { ?s ?p }", 1, None),
    ("SELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER (?s = )\n}", None, None),
    ("SELEC * WHERE { ?s ?p ?o }", 1, 1),
])
def test_malformed_query_gives_the_position(text, line, column):
    with pytest.raises(QueryError) as caught:
        check_query(text)
    message = str(caught.value)
    match = re.match(r"malformed query at line (\d+), column (\d+): \S", message)
    assert match, message
    if line is not None:
        assert int(match.group(1)) == line
    if column is not None:
        assert int(match.group(2)) == column


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment", "PREFIX ex: <http://e/>"])
def test_an_empty_query_is_not_taken_for_an_update(text):
    with pytest.raises(QueryError, match="^empty query"):
        check_query(text)


@pytest.mark.parametrize("text,form", [
    ("SELECT ?s WHERE { ?s a sg:State }", "SELECT"),
    ("ASK { ?s a sg:State }", "ASK"),
    ("CONSTRUCT { ?s a sg:State } WHERE { ?s a sg:State }", "CONSTRUCT"),
    ("CONSTRUCT WHERE { ?s a sg:State }", "CONSTRUCT"),
    ("DESCRIBE state:KOR", "DESCRIBE"),
    ("SELECT * WHERE { { SELECT ?s WHERE { ?s a sg:State } LIMIT 1 } ?s ?p ?o }", "SELECT"),
])
def test_allowed_query_forms(built_store, text, form):
    assert check_query(text) == form
    result = run_query(built_store, text)
    assert result.type == form


def test_a_query_can_say_where_its_bindings_go():
    from rdflib import Literal, URIRef

    from graph.errors import StoreError
    from graph.store.query import place_bindings

    text = "SELECT ?s WHERE {\n  {\n    #@values a\n ?s ?p ?a }\n  #@values a\n  #@values b\n}"
    placed, rest = place_bindings(text, {"a": URIRef("http://x/a"), "c": Literal(1)})
    assert placed.count("VALUES ?a { <http://x/a> }") == 2
    assert "#@values b" in placed and rest == {"c": Literal(1)}
    quoted, _ = place_bindings(text, {"a": Literal('say "} }')})
    assert 'VALUES ?a { "say \\"} }" }' in quoted
    with pytest.raises(StoreError):
        place_bindings(text, {"a": URIRef("http://x/a> } ?s ?p ?o . <http://x/b")})


def test_named_queries_with_placed_bindings_answer_as_before(built_store):
    # The same answers with the binding placed as VALUES and with the store's own binding.
    from graph.store.query import named_queries

    for name in ("actor-stances", "source-claims", "positions-on-issue", "allies-disagree"):
        query = named_queries()[name]
        params = dict(part.strip().split()[0].split("=", 1)
                      for part in query.example.split("--param")[1:])
        placed = run_query(built_store, query.text, params, query.parameters)
        plain = run_query(built_store, query.text.replace("#@values", "# values"), params,
                          query.parameters)
        assert sorted(map(tuple, placed)) == sorted(map(tuple, plain)), name
        assert len(placed) > 0, name
