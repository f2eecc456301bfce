"""One rule for the characters an IRI may not hold (graph.store.ntriples.IRI_FORBIDDEN), and
every user of it refusing the same characters: the N-Triples writer, the claim encoder, the
query parameters, and the importers' value check (stricter on purpose: DEL and C1 too)."""

from __future__ import annotations

import pytest

from graph.errors import QueryError, StoreError
from graph.sources.encoder import nt_iri
from graph.sources.values import check_iri
from graph.store import NTriplesWriter, open_store
from graph.store.ntriples import NOT_IN_IRI
from graph.store.query import Parameter, bind_parameter

#: Every character of the first 256 code points, and a few beyond.
CHARACTERS = [chr(c) for c in range(256)] + ["\u00a0", "\u2028", "\u4e2d", "\U0001f600"]
#: The IRIREF production of N-Triples, Turtle and SPARQL, written out by hand.
IRIREF_REFUSES = {chr(c) for c in range(0x21)} | set('<>"{}|^`\\')


def _refused(accepts) -> set[str]:
    refused = set()
    for character in CHARACTERS:
        if not accepts(f"https://example.org/a{character}b"):
            refused.add(character)
    return refused


def _accepts(check, refusal):
    """Whether ``check`` takes an IRI, ``refusal`` being the exception it refuses one with."""
    def accepts(iri: str) -> bool:
        try:
            check(iri)
        except refusal:
            return False
        return True
    return accepts


_writer_accepts = _accepts(lambda iri: NTriplesWriter().iri(iri), StoreError)
_encoder_accepts = _accepts(nt_iri, ValueError)
_importer_accepts = _accepts(check_iri, ValueError)


@pytest.fixture(scope="module")
def store():
    with open_store("memory:") as opened:
        yield opened


def test_the_rule_is_the_iriref_production():
    assert {c for c in CHARACTERS if NOT_IN_IRI.search(c)} == IRIREF_REFUSES


@pytest.mark.parametrize("accepts", [_writer_accepts, _encoder_accepts],
                         ids=["ntriples-writer", "claim-encoder"])
def test_the_writers_refuse_exactly_the_rule(accepts):
    assert _refused(accepts) == IRIREF_REFUSES


def test_a_query_parameter_refuses_exactly_the_rule(store):
    parameter = Parameter("x", "iri", "an IRI")

    def accepts(iri: str) -> bool:
        try:
            bind_parameter(store, parameter, iri)
        except QueryError as exc:
            assert "is not a valid iri" in str(exc)
            return False
        return True

    assert _refused(accepts) == IRIREF_REFUSES
    # written between <> too, as a SPARQL IRI is
    assert not accepts("<https://example.org/a b>") and accepts("<https://example.org/ab>")


def test_the_importers_also_refuse_del_and_the_c1_controls():
    c1 = {chr(c) for c in range(0x7F, 0xA0)}
    assert _refused(_importer_accepts) == IRIREF_REFUSES | c1
    with pytest.raises(ValueError, match=r"'\\x85' is not allowed in an IRI"):
        check_iri("https://example.org/a\x85b")
    with pytest.raises(ValueError, match="a space is not allowed in an IRI"):
        check_iri("https://example.org/a b")
