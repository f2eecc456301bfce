"""The claim encoder: claims and triples as N-Triples lines, fast and byte-identical to
:class:`graph.store.NTriplesWriter`.

Importers hand the runner (:mod:`graph.sources.runner`) claims by the hundred thousand (the UN
votes: 870,109 claims, 11 million triples); :class:`ClaimEncoder` writes each one with a
template compiled from :func:`graph.claims.claim_triples` and checked against it.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from graph.claims import Claim, claim_triples
from graph.store import NTriplesWriter
from graph.store.ntriples import NOT_IN_IRI

__all__ = ["ClaimEncoder", "nt_iri", "nt_line", "nt_term", "slug"]

Triple = tuple[Node, Node, Node]

# ------------------------------------------------------------------------------ N-Triples

_WRITER = NTriplesWriter()


def _nt_string(text: str) -> str:
    # The escaping of graph.store.NTriplesWriter, so both write byte-identical lines.
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = (text.replace("\\", "\\\\").replace('"', '\\"')
                .replace("\n", "\\n").replace("\r", "\\r"))
    return f'"{text}"'


def nt_iri(iri: str) -> str:
    """``<iri>``; ValueError when it holds a character an IRI may not hold."""
    if NOT_IN_IRI.search(iri):
        raise ValueError(f"not a valid IRI: {iri!r}")
    return f"<{iri}>"


def nt_term(term: Node) -> str:
    """One RDF term in N-Triples syntax (as :class:`graph.store.NTriplesWriter` writes it).

    Examples
    --------
    >>> nt_term(Literal('say "hi"', lang="en"))
    '"say \\\\"hi\\\\""@en'
    >>> nt_term(URIRef("https://stancegraph.org/id/state/KOR"))
    '<https://stancegraph.org/id/state/KOR>'
    """
    return _WRITER.term(term)


def nt_line(triple: Triple) -> str:
    """One triple as an N-Triples line (with its newline)."""
    return _WRITER.line(triple)


def slug(text: str) -> str:
    """A piece of text made safe for an IRI's local name or a graph name.

    Only letters, digits, ``_`` and ``-`` are kept: a local name such as ``unga-A-C.3-78-L.39``
    is valid SPARQL, but pyoxigraph's parser rejects it as a prefixed name.

    Examples
    --------
    >>> slug("A/C.3/78/L.39"), slug("A/RES/78/183 B")
    ('A-C-3-78-L-39', 'A-RES-78-183-B')
    """
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


# ------------------------------------------------------------------------------ claim encoder

_IRI_SLOTS = ("iri", "actor", "target", "source", "issue", "derived_from")
_DATE_SLOTS = {"date": "1001-01-01", "valid_from": "1002-01-01", "valid_until": "1003-01-01",
               "coverage_end": "1004-01-01"}
_TEXT_SLOTS = ("evidence", "dataset", "record_id", "note")
_INT_SLOTS = {"evidence_start": 1000000001, "evidence_end": 1000000002, "row": 1000000003}
_DECIMAL_SLOTS = {"confidence": 0.111111, "weight": 0.222222, "issue_position": 0.333333}


def _shape(c: Claim) -> tuple:
    # Mirrors claim_triples: strings are left out when empty, numbers and IRIs when None.
    return (
        c.relation, c.derived, len(c.on_issues), c.issue is not None, c.derived_from is not None,
        bool(c.date), bool(c.valid_from), bool(c.valid_until),
        bool(c.evidence), bool(c.dataset), bool(c.record_id), bool(c.note),
        c.evidence_start is not None, c.evidence_end is not None, c.row is not None,
        c.confidence is not None, c.weight is not None, c.issue_position is not None,
        c.open_ended, bool(c.coverage_end),
    )


class ClaimEncoder:
    """Encode claims as N-Triples lines fast, with the exact triples of ``claim_triples``.

    For each shape of claim (relation, which optional fields are set, how many issues), the
    encoder runs :func:`graph.claims.claim_triples` once on a prototype whose fields hold
    placeholder values, and keeps the result as a template with a slot per field; each claim then
    costs one ``str.format``. The first claim of every shape is also encoded the slow way and
    compared, so a change to the claim model can never silently change what importers write.

    Examples
    --------
    >>> from graph.vocab import CLAIM, SOURCE, STATE, SG
    >>> c = Claim(CLAIM.x, STATE.USA, SG.criticizes, STATE.PRK, SOURCE.s, date="2021-03-18")
    >>> text = ClaimEncoder().lines(c)
    >>> sorted(_split(text)) == sorted(nt_line(t) for t in claim_triples(c))
    True
    """

    def __init__(self, *, verify: bool = True):
        self._templates: dict[tuple, tuple[str, dict[str, URIRef | None]]] = {}
        self._iris: dict[URIRef, str] = {}
        self._dates: dict[str, str] = {}
        self.verify = verify

    def _compile(self, claim: Claim, key: tuple) -> tuple[str, dict[str, URIRef | None]]:
        slot = "urn:x-stancegraph-slot:"
        values = {name: URIRef(slot + name) for name in _IRI_SLOTS}
        values["issue"] = values["issue"] if claim.issue is not None else None
        values["derived_from"] = values["derived_from"] if claim.derived_from is not None else None
        for name, sentinel in _DATE_SLOTS.items():
            values[name] = sentinel if getattr(claim, name) else None
        for name in _TEXT_SLOTS:
            values[name] = f"\ue000{name}" if getattr(claim, name) else None
        for name, sentinel in _INT_SLOTS.items():
            values[name] = sentinel if getattr(claim, name) is not None else None
        for name, sentinel in _DECIMAL_SLOTS.items():
            values[name] = sentinel if getattr(claim, name) is not None else None
        on_issues = tuple(URIRef(f"{slot}on_issue_{i}") for i in range(len(claim.on_issues)))
        prototype = Claim(
            relation=claim.relation, derived=claim.derived, on_issues=on_issues,
            open_ended=claim.open_ended, **values
        )
        lexical = {str(v): k for k, v in _DATE_SLOTS.items()}
        lexical.update({f"\ue000{name}": name for name in _TEXT_SLOTS})
        lexical.update({str(v): k for k, v in _INT_SLOTS.items()})
        lexical.update({str(v): k for k, v in _DECIMAL_SLOTS.items()})
        datatypes: dict[str, URIRef | None] = {}
        lines = []
        for triple in claim_triples(prototype):
            parts = []
            for term in triple:
                if isinstance(term, URIRef) and str(term).startswith(slot):
                    parts.append("{" + str(term)[len(slot):] + "}")
                elif isinstance(term, Literal) and str(term) in lexical:
                    name = lexical[str(term)]
                    datatypes[name] = term.datatype
                    parts.append("{" + name + "}")
                else:
                    parts.append(nt_term(term).replace("{", "{{").replace("}", "}}"))
            lines.append(" ".join(parts) + " .\n")
        return "".join(lines), datatypes

    def _iri(self, value: URIRef) -> str:
        text = self._iris.get(value)
        if text is None:
            if len(self._iris) > 100_000:
                self._iris.clear()
            text = self._iris[value] = nt_iri(str(value))
        return text

    def _date(self, value: str) -> str:
        text = self._dates.get(value)
        if text is None:
            if len(self._dates) > 100_000:
                self._dates.clear()
            text = self._dates[value] = f'"{_check_date(value)}"^^<{XSD.date}>'
        return text

    def lines(self, claim: Claim) -> str:
        """The claim's triples (as ``claim_triples`` yields them) as N-Triples lines."""
        c = claim
        key = _shape(c)
        compiled = self._templates.get(key)
        first = compiled is None
        if first:
            compiled = self._templates[key] = self._compile(c, key)
        template, datatypes = compiled
        iri = self._iri
        fill = {"iri": nt_iri(str(c.iri)), "actor": iri(c.actor), "target": iri(c.target),
                "source": iri(c.source)}
        if c.issue is not None:
            fill["issue"] = iri(c.issue)
        if c.derived_from is not None:
            fill["derived_from"] = iri(c.derived_from)
        for i, issue in enumerate(c.on_issues):
            fill[f"on_issue_{i}"] = iri(issue)
        if c.date:
            fill["date"] = self._date(c.date)
        if c.valid_from:
            fill["valid_from"] = self._date(c.valid_from)
        if c.valid_until:
            fill["valid_until"] = self._date(c.valid_until)
        if c.coverage_end:
            fill["coverage_end"] = self._date(c.coverage_end)
        for name, value in (("evidence", c.evidence), ("dataset", c.dataset),
                            ("record_id", c.record_id), ("note", c.note)):
            if value:
                fill[name] = _nt_string(value)
        for name, value in (("evidence_start", c.evidence_start),
                            ("evidence_end", c.evidence_end), ("row", c.row)):
            if value is not None:
                fill[name] = f'"{int(value)}"^^<{datatypes[name]}>'
        for name, value in (("confidence", c.confidence), ("weight", c.weight),
                            ("issue_position", c.issue_position)):
            if value is not None:
                fill[name] = nt_term(Literal(round(float(value), 6), datatype=XSD.decimal))
        text = template.format_map(fill)
        if first and self.verify:
            expected = sorted(nt_line(t) for t in claim_triples(claim))
            if sorted(_split(text)) != expected:
                raise RuntimeError(
                    f"internal error: the compiled encoding of {claim.iri} differs from "
                    "graph.claims.claim_triples"
                )
        return text


def _split(text: str) -> list[str]:
    """N-Triples text as lines (str.splitlines would also split at U+001E, U+2028 ...)."""
    return [line + "\n" for line in text.split("\n")[:-1]]


_ISO_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}$")




def _check_date(value: str) -> str:
    if not _ISO_DATE.match(value):
        raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}")
    return value
