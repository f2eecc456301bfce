"""CAMEO-coded event data (GDELT 1.0 and 2.0 event files) -> claims between states.

GDELT event files are tab-separated with no header. The layout is recognised row by row from the
number of fields: 57 (GDELT 1.0 historical backfile, no SOURCEURL), 58 (GDELT 1.0 daily files) or
61 (GDELT 2.0, three more geography columns). The fields used sit at the same places in all three:
GLOBALEVENTID (0), SQLDATE (1), Actor1Name/CountryCode (6, 7), Actor2Name/CountryCode (16, 17),
EventCode (26), EventRootCode (28), GoldsteinScale (30) and, when present, SOURCEURL (last).

Each event between two different states becomes one claim ``claim:gdelt<1|2>-<GLOBALEVENTID>``:
Actor1's state -relation-> Actor2's state, dated SQLDATE, with the Goldstein score kept as
``sg:eventWeight`` and the event code in ``sg:note``. Actor country codes are CAMEO's, which are
ISO 3166-1 alpha-3 for states; regional and other codes (EUR, AFR, WST ...) are reported as not
matched. Events with an actor that has no country code, or between a state and itself, make no
claim (counted in the summary).

The relation comes from the vocabulary's own CAMEO mapping (``sg:cameoCode`` /
``sg:cameoRoot`` in ontology/actors.ttl): an event whose code is a relation's code gets that
relation (051 supports, 111 criticizes, 126 violates ...). Otherwise its root decides, by
:data:`ROOT_RELATIONS`, which follows the root's polarity and whether it is words or deeds:

====  ==============================  =================  ====================================
root  CAMEO                           relation           why
====  ==============================  =================  ====================================
01    make public statement           (none)             neutral; only 011 (decline comment)
                                                         is ``declined``, by its code
02    appeal                          appealsTo          the vocabulary's root 02
03    express intent to cooperate     supports           cooperative, in words
04    consult                         (none)             meetings carry no stance
05    engage in diplomatic coop.      alignedWith        the vocabulary's generic 050
06    engage in material coop.        alignedWith        cooperative, in deeds
07    provide aid                     providesAid        the vocabulary's root 07
08    yield                           supports           cooperative, accommodating
09    investigate                     criticizes         conflictual, in words
10    demand                          criticizes         conflictual, in words
11    disapprove                      criticizes         the vocabulary's root 11
12    reject                          opposes            the vocabulary's generic 120
13    threaten                        opposes            conflictual, works against
14    protest                         opposes            conflictual, works against
15    exhibit force posture           demonstratesForce  the vocabulary's root 15
16    reduce relations                sanctions          the vocabulary's root 16
17    coerce                          opposes            conflictual, in deeds
18    assault                         opposes            (the Goldstein score keeps the
19    fight                           opposes             severity: -9 to -10)
20    unconventional mass violence    opposes
====  ==============================  =================  ====================================

SOURCEURL becomes the claim's source: one ``sg:Source`` per URL (``source:web-<hash>``, titled by
its URL, ``sg:url``, ``dcterms:isReferencedBy`` the GDELT dataset), shared with any spreadsheet
claim citing the same page; rows without one (the 57-column backfile) cite the dataset itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from graph.claims import Claim
from graph.errors import InputError
from graph.sources.countries import is_state_code, state_triples
from graph.sources.runner import Context, Unit, dataset_source, web_source
from graph.vocab import CLAIM, SG, STATE, relations

__all__ = ["EventsImporter", "ROOT_RELATIONS", "relation_for", "LAYOUTS"]

#: CAMEO root code -> relation (None: no claim). See the module docstring for the reasons.
ROOT_RELATIONS: dict[str, str | None] = {
    "01": None, "02": "appealsTo", "03": "supports", "04": None, "05": "alignedWith",
    "06": "alignedWith", "07": "providesAid", "08": "supports", "09": "criticizes",
    "10": "criticizes", "11": "criticizes", "12": "opposes", "13": "opposes", "14": "opposes",
    "15": "demonstratesForce", "16": "sanctions", "17": "opposes", "18": "opposes",
    "19": "opposes", "20": "opposes",
}

#: Fields per row -> (GDELT version, layout name, index of SOURCEURL or None).
LAYOUTS = {
    57: ("1", "GDELT 1.0 backfile", None),
    58: ("1", "GDELT 1.0 daily", 57),
    61: ("2", "GDELT 2.0", 60),
}
ID, DATE, NAME1, COUNTRY1, NAME2, COUNTRY2, CODE, ROOT, GOLDSTEIN = 0, 1, 6, 7, 16, 17, 26, 28, 30


def relation_for(code: str, root: str) -> tuple[str | None, bool]:
    """The relation for a CAMEO event: ``(name or None, True when the code itself matched)``.

    Examples
    --------
    >>> relation_for("051", "05"), relation_for("0834", "08"), relation_for("040", "04")
    (('supports', True), ('supports', False), (None, False))
    >>> relation_for("126", "12"), relation_for("011", "01")
    (('violates', True), ('declined', True))
    """
    by_code = {r.cameo_code: r.name for r in relations().values()}
    if code in by_code:
        return by_code[code], True
    return ROOT_RELATIONS.get(root), False


def _sources(version: str):
    if version == "1":
        return dataset_source(
            "gdelt-1",
            title="GDELT 1.0 Event Database",
            publisher="The GDELT Project",
            version="GDELT 1.0 event files (daily and historical backfile)",
            url="https://www.gdeltproject.org/data.html",
            rights="open: unlimited and unrestricted use (gdeltproject.org terms)",
        )
    return dataset_source(
        "gdelt-2",
        title="GDELT 2.0 Event Database",
        publisher="The GDELT Project",
        version="GDELT 2.0 event files (15-minute exports)",
        url="https://www.gdeltproject.org/data.html",
        rights="open: unlimited and unrestricted use (gdeltproject.org terms)",
    )


def _sniff(path: Path) -> int:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    return len(line.rstrip("\r\n").split("\t"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    return 0


class EventsImporter:
    """``stancegraph import events FILE...``: see the module docstring."""

    kind = "events"

    def units(self, paths: Sequence[Path]) -> list[Unit]:
        """One unit per event file; each must look like GDELT (57, 58 or 61 tab-separated
        fields on its first line)."""
        units = []
        for path in paths:
            if path.is_dir():
                raise InputError(f"{path}: give the event files themselves, not a folder")
            fields = _sniff(path)
            if fields not in LAYOUTS:
                raise InputError(
                    f"{path}: not a GDELT event file: its first row has {fields} tab-separated "
                    "fields (GDELT 1.0 has 57 or 58, GDELT 2.0 has 61)"
                )
            units.append(Unit(self.kind, path.stem, path))
        return units

    def read(self, unit: Unit, ctx: Context) -> Iterator[Claim]:
        """One claim per state-to-state event whose code maps to a relation."""
        path = unit.main
        _, rows = ctx.table(path, (), delimiter="\t", header=["GLOBALEVENTID"],
                            widths=tuple(LAYOUTS), quoting=csv.QUOTE_NONE)
        declared: set = set()
        seen: dict[tuple[str, str], int] = {}
        for line, row in rows:
            version, layout, url_at = LAYOUTS[len(row)]
            event_id = row[ID].strip()
            if not re.fullmatch(r"[0-9]+", event_id):  # str.isdigit takes '²' and '٣'
                ctx.problem(path, line, "GLOBALEVENTID", f"not a number: {event_id!r}")
                continue
            if (version, event_id) in seen:
                ctx.problem(path, line, "GLOBALEVENTID",
                            f"event {event_id} is also on line {seen[version, event_id]}")
                continue
            seen[version, event_id] = line
            try:
                day = dt.datetime.strptime(row[DATE].strip(), "%Y%m%d").date().isoformat()
            except ValueError:
                ctx.problem(path, line, "SQLDATE", f"not a date (YYYYMMDD): {row[DATE]!r}")
                continue
            code, root = row[CODE].strip(), row[ROOT].strip()
            if root not in ROOT_RELATIONS or not re.fullmatch(r"\d{3,4}", code) \
                    or not code.startswith(root):
                ctx.problem(path, line, "EventCode",
                            f"not a CAMEO event code: {code!r} (root {root!r})")
                continue
            try:
                goldstein = float(row[GOLDSTEIN])
            except ValueError:
                ctx.problem(path, line, "GoldsteinScale", f"not a number: {row[GOLDSTEIN]!r}")
                continue
            if not -10.0 <= goldstein <= 10.0:
                ctx.problem(path, line, "GoldsteinScale", f"{goldstein} is outside -10..10")
                continue
            actors = []
            for field, at in (("Actor1CountryCode", COUNTRY1), ("Actor2CountryCode", COUNTRY2)):
                country = row[at].strip()
                if country and not re.fullmatch(r"[A-Z]{3}", country):
                    ctx.problem(path, line, field, f"not a CAMEO country code: {country!r}")
                    break
                actors.append(country)
            else:
                yield from self._claim(path, line, row, version, layout, url_at, event_id, day,
                                       code, root, goldstein, actors, declared, ctx)

    def _claim(self, path, line, row, version, layout, url_at, event_id, day, code, root,
               goldstein, actors, declared, ctx) -> Iterator[Claim]:
        if not all(actors):
            ctx.count("events with an actor without a country code (no claim)")
            return
        for country in actors:
            if not is_state_code(country):
                ctx.unmatched(f"{country} (CAMEO code, not a state)")
        if not all(is_state_code(c) for c in actors):
            return
        if actors[0] == actors[1]:
            ctx.count("events within one state (no claim)")
            return
        name, exact = relation_for(code, root)
        if name is None:
            ctx.count(f"events with CAMEO root {root} (no stance relation, no claim)")
            return
        dataset, dataset_triples = _sources(version)
        if dataset not in declared:
            declared.add(dataset)
            ctx.declare(dataset, dataset_triples)
        source = dataset
        url = row[url_at].strip() if url_at is not None else ""
        if url.startswith(("http://", "https://")) and not re.search(r"\s", url):
            source, triples = web_source(url, referenced_by=dataset)
            ctx.declare(source, triples)
        for country in actors:
            ctx.declare(STATE[country], state_triples(country))
        note = f"CAMEO {code}" + ("" if exact else f" (relation from its root {root})")
        note += f": {row[NAME1].strip()} -> {row[NAME2].strip()}"
        yield Claim(
            iri=CLAIM[f"gdelt{version}-{event_id}"],
            actor=STATE[actors[0]],
            relation=SG[name],
            target=STATE[actors[1]],
            source=source,
            date=day,
            weight=goldstein,
            dataset=f"{layout} events ({path.name})",
            record_id=event_id,
            row=line,
            note=note,
        )
