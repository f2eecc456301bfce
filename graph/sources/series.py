"""Recurring series of UN resolutions, derived from their titles (docs/TIME.md).

A state's act on this year's resolution on a subject supersedes its act on last year's, so each
imported resolution is linked (``sg:inSeries``) to the series of its subject. The series is
derived from the title: the part that names the subject, with the document kind ("draft
resolution", "revised draft resolution", "draft decision"), numbers, ordinals and years removed,
lower-cased and slugged: "The girl child : draft resolution /" and next year's "The girl
child : revised draft resolution" are both ``series:the-girl-child``. Resolutions on the
situation of human rights in the DPRK, whether of the Human Rights Council or of the General
Assembly, whatever their wording, are ``series:dprk-human-rights`` (the series the seed data
declare). Amendments and separate paragraph votes belong to no series: they are about one text.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from graph.vocab import ISSUE, SERIES, SG

__all__ = ["series_of", "series_triples", "DPRK_HUMAN_RIGHTS_SERIES"]

DPRK_HUMAN_RIGHTS_SERIES = SERIES["dprk-human-rights"]
_DPRK = re.compile(r"human rights in the (democratic people.{1,12}republic of korea|dprk)", re.I)
_KIND = re.compile(r"\s*:\s*(revised\s+)?draft\s+(resolution|decision)\b.*$", re.I)
_NOISE = re.compile(r"\b\d+(st|nd|rd|th)?\b|\b(19|20)\d\d\b", re.I)
_AMENDMENT = re.compile(r"\bamendments?\b|^paragraph vote", re.I)


def series_of(title: str) -> tuple[URIRef, str] | None:
    """The series of a resolution with this title, and the series' label; None for none.

    Examples
    --------
    >>> series_of("The girl child : revised draft resolution /")[0]
    rdflib.term.URIRef('https://stancegraph.org/id/series/the-girl-child')
    >>> str(series_of("Situation of human rights in the Democratic People's Republic of "
    ...               "Korea : draft resolution /")[0]).rsplit("/", 1)[-1]
    'dprk-human-rights'
    >>> series_of("Amendment vote: Human rights") is None
    True
    """
    text = " ".join(str(title).split())
    if not text or _AMENDMENT.search(text):
        return None
    if _DPRK.search(text):
        return DPRK_HUMAN_RIGHTS_SERIES, "resolutions on the situation of human rights in the DPRK"
    subject = _KIND.sub("", text).rstrip(" /:;,.")
    words = re.sub(r"[^a-z]+", "-", _NOISE.sub(" ", subject.lower())).strip("-")
    if not words:
        return None
    return SERIES[words[:120].rstrip("-")], f"resolutions on: {subject}"


def series_triples(series: URIRef, label: str):
    """The declaration of a series node (class, label; DPRK human rights: what it is about)."""
    yield series, RDF.type, SG.Series
    yield series, RDFS.label, Literal(label, lang="en")
    if series == DPRK_HUMAN_RIGHTS_SERIES:
        yield series, SG.about, ISSUE["dprk-human-rights"]
