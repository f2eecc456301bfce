"""Typed values as importers read them: dates, years, IRIs and text, checked before storing.

Every importer checks its values here itself, before any becomes an RDF literal, so that a bad
value is one ``FILE:LINE: field: message`` line, never an ill-typed literal in the store or an
rdflib traceback on stderr (rdflib logs one for ``"2021-02-30"^^xsd:date``). Each check returns
the clean value or raises ``ValueError`` with the message to report.
"""

from __future__ import annotations

import datetime as dt
import re

from graph.store.ntriples import IRI_FORBIDDEN

__all__ = ["iso_date", "year", "check_iri", "CONTROL", "control_message", "strip_controls"]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
#: Characters an importer refuses in an IRI: those N-Triples, Turtle and SPARQL refuse between
#: ``<>`` (:data:`graph.store.ntriples.IRI_FORBIDDEN`, the one definition), and also DEL and
#: the C1 controls (U+007F-U+009F). Stricter on purpose: those grammars let DEL and C1 through,
#: but RFC 3987 leaves them out of IRIs (its ucschar starts at U+00A0), and in a value read
#: from a file they are the same stray control characters :data:`CONTROL` refuses in text, so
#: they are reported on the row rather than stored in an IRI nobody can type.
_BAD_IRI = re.compile(f"[{IRI_FORBIDDEN}\\x7f-\\x9f]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
#: Control characters (C0 but tab, line feed and carriage return; DEL; C1): terminal escape
#: sequences (ESC), bells and NULs are data nobody means to store or print.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def iso_date(text: str) -> str:
    """A calendar date written ``YYYY-MM-DD`` (years 0001-9999), checked to exist.

    Raises
    ------
    ValueError
        with the message to report, e.g. ``not a date: '2021-02-30' (day is out of range
        for month)``

    Examples
    --------
    >>> iso_date(" 2021-03-18 ")
    '2021-03-18'
    >>> iso_date("2021-02-30")
    Traceback (most recent call last):
    ...
    ValueError: not a date: '2021-02-30' (day is out of range for month)
    """
    text = text.strip()
    if not _ISO_DATE.match(text):
        raise ValueError(f"not a date (YYYY-MM-DD): {text!r}")
    try:
        dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not a date: {text!r} ({exc})") from None
    return text


def year(value: int, *, low: int = 1, high: int = 9999) -> int:
    """A year that makes a valid ``xsd:date`` (``YYYY-01-01``), else ValueError.

    Examples
    --------
    >>> year(1949)
    1949
    >>> year(123456)
    Traceback (most recent call last):
    ...
    ValueError: year 123456 is outside 1..9999
    """
    if not low <= value <= high:
        raise ValueError(f"year {value} is outside {low}..{high}")
    return value


def check_iri(text: str) -> str:
    """An absolute IRI that N-Triples, Turtle and SPARQL accept between ``<>``, else ValueError.

    Examples
    --------
    >>> check_iri("https://example.org/a")
    'https://example.org/a'
    >>> check_iri('http://ex.org/a"b')
    Traceback (most recent call last):
    ...
    ValueError: not a valid IRI: 'http://ex.org/a"b' ('"' is not allowed in an IRI)
    """
    bad = _BAD_IRI.search(text)
    if bad:
        shown = "a space" if bad.group() == " " else repr(bad.group())
        raise ValueError(f"not a valid IRI: {text!r} ({shown} is not allowed in an IRI)")
    if not _SCHEME.match(text):
        raise ValueError(f"not an absolute IRI: {text!r} (no scheme such as https:)")
    return text


def control_message(text: str) -> str | None:
    """Why ``text`` must not be stored (its first control character), or None.

    Examples
    --------
    >>> control_message("ring\\x07"), control_message("fine\\ttext")
    ('control character U+0007 in the text; remove it', None)
    """
    found = CONTROL.search(text)
    if found is None:
        return None
    return f"control character U+{ord(found.group()):04X} in the text; remove it"


def strip_controls(text: str) -> str:
    """``text`` without control characters (see :data:`CONTROL`).

    Examples
    --------
    >>> strip_controls("12\\x08 We first turn"), strip_controls("San\\x91a")
    ('12 We first turn', 'Sana')
    """
    return CONTROL.sub("", text)
