"""UN Digital Library MARCXML records of draft resolutions -> ``coSponsored`` claims.

Reads the MARC21 XML the UN Digital Library exports (``../shared/data/unga_cosponsors/raw/``),
one record per draft resolution, streaming (``xml.etree.ElementTree.XMLPullParser`` -- the engine
of ``iterparse`` -- fed line by line, so that every name is reported with its line number):

=====  ===========================================================================
tag    use
=====  ===========================================================================
001    the record id (``sg:recordId`` of every claim from the record)
191    $a the draft's symbol, e.g. ``A/C.3/78/L.39`` -> ``res:unga-A-C-3-78-L-39``
245    $a $b the title (``rdfs:label``)
269    $a the date (the claims' ``sg:date``)
710    $a an original sponsor (one field per sponsor)
515    $a the note "Additional sponsors: A, B and C (A/78/481/Add.3)." -- split on commas and
       the final "and" (checked against country names, so that "Trinidad and Tobago" stays
       whole); a later sentence "X was removed from the list of sponsors" removes X, and "X and
       Y are original sponsors" makes them original
993    ind1=1: the resolution the draft became, e.g. ``A/RES/78/218`` (a ``sg:Resolution``
       ``prov:wasDerivedFrom`` the draft)
650    subjects: a draft with a "HUMAN RIGHTS..." subject is ``sg:about issue:human-rights``,
       the DPRK one ``issue:dprk-human-rights``; amendments are about no issue, since
       sponsoring an amendment says nothing about the issue's direction
=====  ===========================================================================

Each draft (and the resolution it became) is linked to its recurring series
(``sg:inSeries``, derived from the title by :func:`graph.sources.series.series_of`: the
subject without the document kind and numbers; the DPRK human rights drafts are
``series:dprk-human-rights``), so that a later sponsorship in the series supersedes an
earlier act (docs/TIME.md); the draft carries its date as ``dcterms:issued``.

Each sponsor that is a state gives ``claim:unsponsors-<symbol>-<ISO3>``: the state
``sg:coSponsored`` the draft, with a note saying whether it was an original or an additional
sponsor. Names are matched by :class:`graph.sources.countries.NameMatcher` (mojibake such as
"CÃ´te d'Ivoire" repaired). Authors that are not states ("Group of 77", "UN. Secretariat" ...)
are counted in the summary, never claims; a name that matches nothing is a bad row.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from rdflib import Literal
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from graph.claims import Claim
from graph.errors import InputError
from graph.sources.countries import NameMatcher, repair_mojibake, state_triples
from graph.sources.runner import Context, Unit, dataset_source, slug
from graph.sources.series import series_of, series_triples
from graph.sources.values import iso_date, strip_controls
from graph.vocab import CLAIM, ISSUE, ORG, RES, SG, STATE

__all__ = ["SponsorsImporter", "parse_note", "split_names", "draft_iri"]

DATASET = "UN Digital Library MARCXML, UNGA 78 Third Committee drafts (un-bench-eda 61184e2)"
_NON_STATE = re.compile(r"^(UN\.|UN |Group of|European Union|African Union|Holy See)", re.I)
_DPRK = re.compile(r"democratic people.{1,3}s republic of korea", re.I)


def _source():
    return dataset_source(
        "unga-cosponsors",
        title="UN Digital Library records of the UNGA 78th session Third Committee draft "
              "resolutions (MARCXML)",
        publisher="United Nations Digital Library (digitallibrary.un.org), via "
                  "tlebryk/un-bench-eda",
        version="tlebryk/un-bench-eda @ 61184e2ec798dfc8256dffa6fa84e924684bfb8c, "
                "data/raw/xml/session_78_committee_3_drafts.xml",
        url="https://digitallibrary.un.org/",
        issued="2023",
        rights="metadata (c) United Nations; non-commercial use with attribution",
    )


def draft_iri(symbol: str):
    """``res:unga-<symbol>``, e.g. ``A/C.3/78/L.39`` -> ``res:unga-A-C-3-78-L-39``."""
    return RES[f"unga-{slug(symbol)}"]


def split_names(text: str, known: Callable[[str], bool]) -> list[str]:
    """Split "A, B, C and D" into names, keeping names that contain "and" whole.

    Examples
    --------
    >>> known = {"Chile", "Trinidad and Tobago", "Zambia", "Saint Vincent and the Grenadines"}
    >>> split_names("Chile, Trinidad and Tobago and Zambia", known.__contains__)
    ['Chile', 'Trinidad and Tobago', 'Zambia']
    >>> split_names("Chile and Saint Vincent and the Grenadines", known.__contains__)
    ['Chile', 'Saint Vincent and the Grenadines']
    """
    items = [item.strip() for item in text.split(", ") if item.strip()]
    if not items:
        return []
    last = items.pop()
    if " and " in last and not known(last):
        words = last.split(" and ")
        for cut in range(1, len(words)):
            left, right = " and ".join(words[:cut]), " and ".join(words[cut:])
            if known(left) and known(right):
                items += [left, right]
                break
        else:
            left, _, right = last.rpartition(" and ")
            items += [left, right]
    else:
        items.append(last)
    return items


_DOCUMENT = re.compile(r"\s*\((?:A|E|S)/[^()]*\)\s*\.?\s*$")


def parse_note(note: str, known: Callable[[str], bool]) -> tuple[list[str], list[str], list[str],
                                                                  list[str]]:
    """A MARC 515 note: ``(additional, removed, original, other sentences)``.

    Examples
    --------
    >>> known = {"Bolivia (Plurinational State of)", "Ecuador", "Sudan"}.__contains__
    >>> parse_note("Additional sponsors: Bolivia (Plurinational State of) and Ecuador. - Sudan "
    ...            "was removed from the list of sponsors of the draft resolution (A/78/475).",
    ...            known)
    (['Bolivia (Plurinational State of)', 'Ecuador'], ['Sudan'], [], [])
    """
    additional: list[str] = []
    removed: list[str] = []
    original: list[str] = []
    other: list[str] = []
    for part in note.split(" - "):
        part = _DOCUMENT.sub("", part.strip()).rstrip(".").strip()
        if not part:
            continue
        if match := re.match(r"Additional sponsors?:\s*(.*)$", part, re.S):
            additional += split_names(match.group(1), known)
        elif match := re.match(r"(.+?) (?:was|were) removed from the list of sponsors", part):
            removed += split_names(match.group(1), known)
        elif match := re.match(r"(.+?) (?:is an|are) original sponsors?", part):
            original += split_names(match.group(1), known)
        else:
            other.append(part)
    return additional, removed, original, other


def _clean_title(parts: list[str]) -> str:
    text = " ".join(repair_mojibake(p).strip() for p in parts if p)
    text = re.sub(r"\s*/\s*$", "", text)
    return " ".join(text.split())


class _Record:
    def __init__(self, line: int):
        self.line = line
        self.controls: dict[str, str] = {}
        self.fields: list[tuple[str, str, dict[str, list[tuple[str, int]]]]] = []

    def subfields(self, tag: str, code: str) -> list[tuple[str, int]]:
        return [value for t, _, codes in self.fields if t == tag for value in codes.get(code, [])]

    def first(self, tag: str, code: str) -> str:
        values = self.subfields(tag, code)
        return values[0][0].strip() if values else ""


def _text(element) -> str:
    """An element's text, mojibake repaired, then without control characters (DEL, C1)."""
    return strip_controls(repair_mojibake(element.text or ""))


def _records(path: Path, ctx: Context) -> Iterator[_Record]:
    parser = ET.XMLPullParser(events=("start", "end"))
    record: _Record | None = None
    field: tuple[str, str, dict] | None = None
    root = None
    line = 0
    try:
        # controls kept: the C1 characters of double-encoded UTF-8 ("\u00c3\u0096") are repaired
        # by _text, and XML refuses the C0 ones itself
        for line, text in ctx.lines(path, controls="keep"):
            parser.feed(text)
            for event, element in parser.read_events():
                name = element.tag.rsplit("}", 1)[-1]
                if event == "start":
                    if root is None:
                        root = element
                    if name == "record":
                        record = _Record(line)
                    elif name == "datafield" and record is not None:
                        field = (element.get("tag", ""), element.get("ind1", " "), {})
                    continue
                if record is None:
                    continue
                if name == "controlfield":
                    record.controls[element.get("tag", "")] = _text(element).strip()
                elif name == "subfield" and field is not None:
                    field[2].setdefault(element.get("code", ""), []).append(
                        (_text(element), line))
                elif name == "datafield" and field is not None:
                    record.fields.append(field)
                    field = None
                elif name == "record":
                    yield record
                    record = None
                    root.clear()
        parser.close()
    except ET.ParseError as exc:
        raise InputError(f"{path}:{line}: not well-formed XML: {exc}") from exc


class SponsorsImporter:
    """``stancegraph import un-sponsors FILE.xml | FOLDER``: see the module docstring."""

    kind = "un-sponsors"

    def units(self, paths: Sequence[Path]) -> list[Unit]:
        """One unit per XML file (a folder: every ``*.xml`` in it, recursively)."""
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                found = sorted(p for p in path.rglob("*.xml") if p.is_file())
                if not found:
                    raise InputError(f"{path}: no .xml files in this folder")
                files += found
            else:
                files.append(path)
        for path in files:
            try:
                with open(path, "rb") as handle:
                    head = handle.read(4096)
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc}") from exc
            if b"<" not in head or b"MARC21" not in head and b"record" not in head:
                raise InputError(f"{path}: not a MARCXML file (no MARC21 records)")
        return [Unit(self.kind, path.stem, path) for path in files]

    def read(self, unit: Unit, ctx: Context) -> Iterator:
        """The drafts (and the resolutions they became) and one claim per state sponsor."""
        source, source_triples = _source()
        ctx.declare(source, source_triples)
        matcher = NameMatcher()

        def known(name: str) -> bool:
            return matcher.match(name).iso3 is not None or bool(_NON_STATE.match(name))

        for record in _records(unit.main, ctx):
            ctx.row()
            yield from self._record(unit.main, record, source, matcher, known, ctx)
        matcher.unmatched.clear()

    def _record(self, path, record: _Record, source, matcher, known, ctx) -> Iterator:
        record_id = record.controls.get("001", "")
        symbol = record.first("191", "a")
        if not record_id or not symbol:
            ctx.problem(path, record.line, "191" if record_id else "001",
                        "record without a " + ("symbol" if record_id else "control number"))
            return
        try:
            date = iso_date(record.first("269", "a"))
        except ValueError as exc:
            ctx.problem(path, record.line, "269", f"{exc} ({symbol})")
            return
        title = _clean_title([v for v, _ in record.subfields("245", "a")]
                             + [v for v, _ in record.subfields("245", "b")])
        subjects = [v.strip().upper() for v, _ in record.subfields("650", "a")]
        amendment = "amendment to draft resolution" in title.lower()
        about = []
        if not amendment and any(s.startswith("HUMAN RIGHTS") for s in subjects):
            dprk = _DPRK.search(title) or any(_DPRK.search(s) for s in subjects)
            about = [ISSUE["dprk-human-rights"] if dprk else ISSUE["human-rights"]]
        node = draft_iri(symbol)
        ctx.count("draft resolutions")
        yield node, RDF.type, SG.Resolution
        yield node, RDFS.label, Literal(title or symbol, lang="en")
        yield node, SG.symbol, Literal(symbol)
        yield node, SG.adoptedBy, ORG.unga
        yield node, SKOS.note, Literal(
            f"Draft {'amendment' if amendment else 'resolution'} of the Third Committee of the "
            f"UN General Assembly, issued {date}; UN Digital Library record {record_id}",
            lang="en")
        for issue in about:
            yield node, SG.about, issue
        yield node, DCTERMS.issued, Literal(date, datatype=XSD.date)
        series = None if amendment else series_of(title)
        if series is not None:
            ctx.declare(series[0], series_triples(*series))
            yield node, SG.inSeries, series[0]
        for field in record.fields:
            tag, ind1, codes = field
            if tag == "993" and ind1 == "1":
                for value, _ in codes.get("a", []):
                    adopted = value.strip()
                    if adopted:
                        result = draft_iri(adopted)
                        yield result, RDF.type, SG.Resolution
                        yield result, RDFS.label, Literal(adopted, lang="en")
                        yield result, SG.symbol, Literal(adopted)
                        yield result, SG.adoptedBy, ORG.unga
                        yield result, PROV.wasDerivedFrom, node
                        for issue in about:
                            yield result, SG.about, issue
                        if series is not None:
                            yield result, SG.inSeries, series[0]
        sponsors: list[tuple[str, int, str]] = []  # (name, line, MARC tag)
        for value, line in record.subfields("710", "a"):
            sponsors.append((repair_mojibake(value.strip()), line, "710"))
        removed: set[str] = set()
        made_original: set[str] = set()
        for value, line in record.subfields("515", "a"):
            additional, gone, original, _ = parse_note(repair_mojibake(value), known)
            sponsors += [(name, line, "515") for name in additional]
            removed.update(gone)
            made_original.update(original)
        claims: dict[str, Claim] = {}
        for name, line, tag in sponsors:
            if _NON_STATE.match(name):
                ctx.count(f"non-state authors (no claim): {name}")
                continue
            ctx.count("sponsor entries")
            match = matcher.match(name)
            if match.iso3 is None:
                ctx.unmatched(name)
                ctx.problem(path, line, tag, f"no state named {name!r} ({symbol})")
                continue
            if match.loose:
                ctx.count(f"names matched ignoring spaces: {name!r} = {match.iso3}")
            if name in removed:
                ctx.count("sponsors removed by the note (no claim)")
                continue
            if match.iso3 in claims:
                ctx.count("sponsors listed twice (one claim)")
                continue
            kind = "original" if tag == "710" or name in made_original else "additional"
            state = STATE[match.iso3]
            ctx.declare(state, state_triples(match.iso3))
            claims[match.iso3] = Claim(
                iri=CLAIM[f"unsponsors-{slug(symbol)}-{match.iso3}"],
                actor=state,
                relation=SG.coSponsored,
                target=node,
                source=source,
                date=date,
                dataset=DATASET,
                record_id=f"{record_id}/{name}",
                row=line,
                note=f"{kind} sponsor of {symbol} "
                     + ("(MARC 710)" if tag == "710" else "(MARC 515 note)"),
                on_issues=tuple(about),
            )
        for name in removed:
            if name not in {n for n, _, _ in sponsors}:
                ctx.count(f"note removes a sponsor that was not listed: {name} ({symbol})")
        yield from claims.values()

