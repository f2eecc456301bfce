"""Archigos leaders -> persons with office terms (``stancegraph import leaders``).

Archigos 4.1 (Goemans, Gleditsch & Chiozza 2009), ``../shared/data/ir_actors/archigos.csv``:
one row per spell in office of a state's effective leader (obsid, gwcode, leadid, leader,
yrborn, gender, startdate, enddate, entry, exit, exitcode). Each leader (``leadid``) becomes
``person:archigos-<leadid>``, a ``sg:Person`` that ``sg:represents`` its state, and each spell
an ``sg:OfficeTerm`` (``person:archigos-<leadid>-<obsid>``) with ``sg:office``,
``sg:ofState``, ``sg:validFrom`` and ``sg:validUntil``. docs/TIME.md: a stance rolled up from a
person counts for its state only inside such a term, read when the analysis runs.

Coverage is not an ending: the data stop on 2015-12-31, and a leader whose ``exit`` is "Still
in Office" gets no ``sg:validUntil`` but ``sg:openEnded true`` and ``sg:coverageEnd``
(the largest ``enddate`` of the file), and a note saying so. Gleditsch-Ward codes are mapped to
ISO states with the COW table (the codes agree for the states of today) and, failing that, the
state's name in ``gw_states.csv`` (taken from the folder of the file, when present).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from rdflib import Literal
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from graph.errors import InputError
from graph.sources.countries import iso3_from_cow, state_triples
from graph.sources.runner import Context, Unit, dataset_source, slug
from graph.sources.values import iso_date
from graph.vocab import PERSON, SG, STATE

__all__ = ["LeadersImporter", "COLUMNS"]

COLUMNS = ("obsid", "gwcode", "leadid", "leader", "startdate", "enddate", "exit")
OFFICE = "effective leader (Archigos)"


def _date_error(text: str) -> str | None:
    try:
        iso_date(text)
    except ValueError as exc:
        return str(exc)
    return None


def _iso3(gwcode: int, name: str | None) -> str | None:
    """ISO3 of a Gleditsch-Ward state: the COW table, else its name or a part of it
    ("Italy/Sardinia", "Sri Lanka (Ceylon)", "Congo, Democratic Republic of (Zaire)")."""
    from graph.sources.countries import iso3_from_name

    found = iso3_from_cow(gwcode, name)
    if found or not name:
        return found
    base = name.split("(")[0].strip()
    inverted = ", ".join(reversed(base.split(", ", 1))) if ", " in base else base
    candidates = [base, inverted.replace(" of", ""), *base.split("/"),
                  *re.findall(r"\(([^)]+)\)", name), "Romania" if name == "Rumania" else ""]
    return next((iso for c in candidates if c and (iso := iso3_from_name(c.strip()))), None)


class LeadersImporter:
    """``stancegraph import leaders archigos.csv | FOLDER``: see the module docstring."""

    kind = "leaders"

    def units(self, paths: Sequence[Path]) -> list[Unit]:
        """One unit per Archigos file (``archigos.csv`` inside a folder)."""
        units = []
        for path in paths:
            main = path / "archigos.csv" if path.is_dir() else path
            if not main.is_file():
                raise InputError(f"{path}: no archigos.csv in this folder")
            names = main.parent / "gw_states.csv"
            extra = (("gw-states", names),) if names.is_file() else ()
            units.append(Unit(self.kind, main.stem, main, extra))
        if not units:
            raise InputError("no Archigos file (archigos.csv) given")
        return units

    def read(self, unit: Unit, ctx: Context) -> Iterator:
        """Persons, their office terms, and the declarations of their states."""
        source, source_triples = dataset_source(
            "archigos",
            title="Archigos: A Data Set on Leaders 1875-2015 (version 4.1)",
            creator="H. E. Goemans, Kristian Skrede Gleditsch and Giacomo Chiozza (2009), "
                    "Journal of Peace Research 46(2):269-283",
            publisher="Archigos, via the peacesciencer R package",
            version="4.1",
            url="https://www.rochester.edu/college/faculty/hgoemans/data.htm",
            issued="2016",
        )
        ctx.declare(source, source_triples)
        names = self._gw_names(unit.file("gw-states"), ctx)
        columns, rows = ctx.table(unit.main, COLUMNS)
        at = {c: columns.index(c) for c in columns}
        spells = []
        for line, row in rows:
            get = {c: row[at[c]].strip() for c in COLUMNS}
            try:
                gwcode = int(float(get["gwcode"]))
            except (ValueError, OverflowError):  # int(float("inf")) is an OverflowError
                ctx.problem(unit.main, line, "gwcode", f"not a number: {get['gwcode']!r}")
                continue
            # issue 14: a date must exist (2021-02-30 does not), not only look like one
            bad = next(((c, m) for c in ("startdate", "enddate") if (m := _date_error(get[c]))),
                       None)
            if bad:
                ctx.problem(unit.main, line, bad[0], bad[1])
                continue
            if get["enddate"] < get["startdate"]:
                ctx.problem(unit.main, line, "enddate",
                            f"{get['enddate']} is before startdate {get['startdate']}")
                continue
            if not get["leadid"] or not get["obsid"]:
                ctx.problem(unit.main, line, "leadid" if not get["leadid"] else "obsid",
                            "missing")
                continue
            iso3 = _iso3(gwcode, names.get(gwcode))
            if iso3 is None:
                ctx.unmatched(f"{names.get(gwcode, '?')} (GW {gwcode})")
                continue
            spells.append((line, iso3, get))
        covered = max((g["enddate"] for _, _, g in spells), default=None)
        for line, iso3, get in spells:
            state = STATE[iso3]
            ctx.declare(state, state_triples(iso3))
            person = PERSON[f"archigos-{slug(get['leadid'])}"]
            term = PERSON[f"archigos-{slug(get['leadid'])}-{slug(get['obsid'])}"]
            running = get["exit"].lower() == "still in office" and get["enddate"] == covered
            ctx.count("office terms" + (" still running at the end of coverage (open-ended)"
                                        if running else ""))
            yield person, RDF.type, SG.Person
            yield person, RDFS.label, Literal(get["leader"] or get["obsid"], lang="en")
            yield person, SG.represents, state
            yield person, SG.holdsOffice, term
            yield term, RDF.type, SG.OfficeTerm
            yield term, SG.office, Literal(OFFICE)
            yield term, SG.ofState, state
            yield term, SG.validFrom, Literal(get["startdate"], datatype=XSD.date)
            yield term, PROV.wasDerivedFrom, source
            yield term, SG.recordId, Literal(get["obsid"])
            yield term, SG.row, Literal(line)
            if running:
                yield term, SG.openEnded, Literal(True)
                yield term, SG.coverageEnd, Literal(covered, datatype=XSD.date)
                yield term, SKOS.note, Literal(
                    f"in office at the end of coverage ({covered})", lang="en")
            else:
                yield term, SG.validUntil, Literal(get["enddate"], datatype=XSD.date)

    @staticmethod
    def _gw_names(path: Path | None, ctx: Context) -> dict[int, str]:
        if path is None:
            return {}
        columns, rows = ctx.table(path, ("gwcode", "statename"), count_rows=False)
        at = {c: columns.index(c) for c in ("gwcode", "statename")}
        names = {}
        for _, row in rows:
            try:
                names[int(float(row[at["gwcode"]]))] = row[at["statename"]].strip()
            except (ValueError, OverflowError):
                continue
        return names
