"""UN General Assembly roll-call votes (Voeten's data, via the ``unvotes`` R package) -> claims.

Three CSV files, as the package ships them (``../shared/data/unvotes/``):

- ``un_roll_calls.csv`` (rcid, session, importantvote, date, unres, amend, para, short, descr):
  each roll call becomes a resolution ``res:unga-rcid-<rcid>`` -- ``sg:symbol`` (``R/69/188``
  written ``A/RES/69/188``), ``sg:adoptedOn`` (the vote's date), ``sg:adoptedBy org:unga``,
  ``rdfs:label`` (``short``, else ``descr``), ``skos:definition`` (``descr``), a ``skos:note``
  with the session and roll-call number, and ``sg:about`` its issues;
- ``un_roll_call_issues.csv`` (rcid, short_name, issue): the six issue codes become concepts of
  the issue scheme, ``issue:unga-me`` (Palestinian conflict), ``-nu`` (nuclear weapons and nuclear
  material), ``-di`` (arms control and disarmament), ``-co`` (colonialism), ``-ec`` (economic
  development) -- except ``hr``, which *is* the seed's ``issue:human-rights``, so that
  ``--issue "human rights"`` finds hand-coded claims and votes alike. Roll calls on the situation
  of human rights in the DPRK are about the seed's ``issue:dprk-human-rights`` instead (narrower
  than human rights, so their votes still count for human rights);
- ``un_votes.csv`` (rcid, country, country_code, vote): each vote a claim
  ``claim:unvotes-<rcid>-<ISO3>`` by the state on the roll call: yes = ``supports``, no =
  ``opposes``, abstain = ``declined``; "absent" and "not a member" (not in this file, but in
  Voeten's raw data) make no claim. ``sg:recordId`` is ``<rcid>/<country code>``, ``sg:row`` the
  line in ``un_votes.csv``.

Pass the folder (``stancegraph import unvotes ../shared/data/unvotes/``) or the files in any order
(each is recognised by its header); the issues file is optional. Every votes file given is one
import (one named graph, ``import/unvotes/<stem>``); the roll calls are read with each.

Each roll call on a whole resolution is linked (``sg:inSeries``) to the recurring series of
its subject, derived from its title (``short``, else ``descr``) by
:func:`graph.sources.series.series_of`; the DPRK human rights votes are
``series:dprk-human-rights``. Amendment and paragraph votes belong to no series.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from graph.claims import Claim
from graph.errors import InputError
from graph.sources.countries import iso3_from_code, iso3_from_name, state_triples
from graph.sources.runner import Context, Unit, dataset_source
from graph.sources.series import series_of, series_triples
from graph.sources.values import iso_date
from graph.vocab import CLAIM, ISSUE, ORG, RES, SG, STATE

__all__ = ["UnvotesImporter", "ISSUES", "VOTES", "symbol"]

#: Voeten's issue codes -> (local name in the issue scheme, label; None = declared by the seed).
ISSUES: dict[str, tuple[str, str | None]] = {
    "me": ("unga-me", "Palestinian conflict"),
    "nu": ("unga-nu", "nuclear weapons and nuclear material"),
    "di": ("unga-di", "arms control and disarmament"),
    "hr": ("human-rights", None),
    "co": ("unga-co", "colonialism"),
    "ec": ("unga-ec", "economic development"),
}
DPRK_HUMAN_RIGHTS = ISSUE["dprk-human-rights"]
_DPRK_TITLE = re.compile(r"human rights in the democratic people.{1,12}republic of korea", re.I)

#: Vote values -> relation (None: no claim).
VOTES: dict[str, str | None] = {
    "yes": "supports",
    "no": "opposes",
    "abstain": "declined",
    "absent": None,
    "not a member": None,
}

FILES = {"votes": "un_votes.csv", "roll-calls": "un_roll_calls.csv",
         "issues": "un_roll_call_issues.csv"}
COLUMNS = {
    "votes": ("rcid", "country", "country_code", "vote"),
    "roll-calls": ("rcid", "session", "date", "unres", "short", "descr"),
    "issues": ("rcid", "short_name"),
}
DATASET = "unvotes 7eb7034 (Voeten UNGA votes 1946-2020)"


def _source():
    return dataset_source(
        "unvotes",
        title="United Nations General Assembly Voting Data (roll calls, votes and issues)",
        creator="Erik Voeten; R package unvotes by David Robinson",
        publisher="Harvard Dataverse (hdl:1902.1/12379) via the unvotes R package",
        version="dgrtwo/unvotes @ 7eb7034314ff79c49c9e0785fcd9d216fa04cf14; "
                "votes to 2020-01-14 (session 74)",
        url="https://github.com/dgrtwo/unvotes",
        rights="package MIT; data CC0 (Voeten's Dataverse files)",
    )


def symbol(unres: str) -> str:
    """The UN document symbol of a roll call's resolution: ``R/69/188`` -> ``A/RES/69/188``.

    Examples
    --------
    >>> symbol("R/69/188"), symbol("R/52/38B"), symbol("")
    ('A/RES/69/188', 'A/RES/52/38B', '')
    """
    unres = unres.strip()
    match = re.fullmatch(r"R/(\d+)/(.+)", unres)
    return f"A/RES/{match.group(1)}/{match.group(2)}" if match else unres


def _header(path: Path) -> set[str]:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    return {c.strip().strip('"') for c in first.strip().split(",")}


def _role(path: Path) -> str | None:
    columns = _header(path)
    if set(COLUMNS["votes"]) <= columns:
        return "votes"
    if set(COLUMNS["roll-calls"]) <= columns:
        return "roll-calls"
    if set(COLUMNS["issues"]) <= columns:
        return "issues"
    return None


class UnvotesImporter:
    """``stancegraph import unvotes FOLDER | FILES``: see the module docstring."""

    kind = "unvotes"

    def units(self, paths: Sequence[Path]) -> list[Unit]:
        """One unit per votes file, each with the roll calls (and issues) given with it."""
        found: dict[str, list[Path]] = {"votes": [], "roll-calls": [], "issues": []}
        for path in paths:
            if path.is_dir():
                for role, name in FILES.items():
                    if (path / name).is_file():
                        found[role].append(path / name)
                if not (path / FILES["votes"]).is_file():
                    raise InputError(f"{path}: no {FILES['votes']} in this folder")
                continue
            role = _role(path)
            if role is None:
                raise InputError(
                    f"{path}: not a UN votes, roll calls or issues file (expected the columns "
                    f"{', '.join(COLUMNS['votes'])} / {', '.join(COLUMNS['roll-calls'])} / "
                    f"{', '.join(COLUMNS['issues'])})"
                )
            found[role].append(path)
        if len(found["roll-calls"]) != 1:
            raise InputError("give exactly one roll calls file (un_roll_calls.csv) with the votes"
                             f"; found {len(found['roll-calls'])}")
        if len(found["issues"]) > 1:
            raise InputError("give at most one issues file (un_roll_call_issues.csv)")
        if not found["votes"]:
            raise InputError("no votes file (un_votes.csv) given")
        extra = [("roll-calls", found["roll-calls"][0])]
        if found["issues"]:
            extra.append(("issues", found["issues"][0]))
        return [Unit(self.kind, votes.stem, votes, (("votes", votes), *extra))
                for votes in found["votes"]]

    def read(self, unit: Unit, ctx: Context) -> Iterator:
        """Resolutions, issue concepts and one claim per yes / no / abstain vote."""
        source, source_triples = _source()
        ctx.declare(source, source_triples)
        issues = self._issues(unit.file("issues"), ctx) if unit.file("issues") else {}
        roll_calls: dict[int, tuple[str, tuple]] = {}
        yield from self._roll_calls(unit.file("roll-calls"), issues, roll_calls, ctx)
        yield from self._votes(unit.main, roll_calls, source, ctx)

    # -- issues and roll calls ---------------------------------------------------------
    def _issues(self, path: Path, ctx: Context) -> dict[int, list[str]]:
        columns, rows = ctx.table(path, COLUMNS["issues"], count_rows=False)
        at = {c: columns.index(c) for c in COLUMNS["issues"]}
        table: dict[int, list[str]] = {}
        for line, row in rows:
            code = row[at["short_name"]].strip()
            if code not in ISSUES:
                ctx.problem(path, line, "short_name",
                            f"unknown issue code {code!r} (expected {', '.join(ISSUES)})")
                continue
            try:
                rcid = int(row[at["rcid"]])
            except ValueError:
                ctx.problem(path, line, "rcid", f"not a number: {row[at['rcid']]!r}")
                continue
            codes = table.setdefault(rcid, [])
            if code not in codes:
                codes.append(code)
        for code, (name, text) in ISSUES.items():
            if text is not None and any(code in codes for codes in table.values()):
                node = ISSUE[name]
                ctx.declare(node, [
                    (node, RDF.type, SG.Issue),
                    (node, SKOS.inScheme, SG.issues),
                    (node, SKOS.topConceptOf, SG.issues),
                    (node, RDFS.label, Literal(text, lang="en")),
                    (node, SG.code, Literal(name)),
                    (node, SKOS.definition, Literal(
                        f"UN General Assembly roll calls coded '{code}' ({text}) in Voeten's "
                        "UN voting data.", lang="en")),
                ])
        return table

    def _roll_calls(self, path: Path, issues, roll_calls, ctx: Context) -> Iterator:
        columns, rows = ctx.table(path, COLUMNS["roll-calls"], count_rows=False)
        at = {c: columns.index(c) for c in columns}
        for line, row in rows:
            def get(column, row=row):
                return row[at[column]].strip() if column in at else ""

            try:
                rcid = int(get("rcid"))
            except ValueError:
                ctx.problem(path, line, "rcid", f"not a number: {get('rcid')!r}")
                continue
            try:
                date = iso_date(get("date"))
            except ValueError as exc:
                ctx.problem(path, line, "date", str(exc))
                continue
            if rcid in roll_calls:
                ctx.problem(path, line, "rcid", f"roll call {rcid} appears twice")
                continue
            short, descr = " ".join(get("short").split()), " ".join(get("descr").split())
            about = [ISSUE[ISSUES[code][0]] for code in issues.get(rcid, ())]
            if _DPRK_TITLE.search(f"{short} {descr}"):
                about = [DPRK_HUMAN_RIGHTS] + [i for i in about if i != ISSUE["human-rights"]]
            roll_calls[rcid] = (date, tuple(about))
            ctx.count("roll calls (resolutions)")
            node = RES[f"unga-rcid-{rcid}"]
            title = short or (descr[:150] + ("..." if len(descr) > 150 else "")) or f"rcid {rcid}"
            series = series_of(title) if get("amend") != "1" and get("para") != "1" else None
            if _DPRK_TITLE.search(f"{short} {descr}") and get("amend") != "1" \
                    and get("para") != "1":
                series = series_of("Situation of human rights in the DPRK")
            if get("amend") == "1":
                title = f"Amendment vote: {title}"
            elif get("para") == "1":
                title = f"Paragraph vote: {title}"
            yield node, RDF.type, SG.Resolution
            yield node, RDFS.label, Literal(title, lang="en")
            yield node, SG.adoptedBy, ORG.unga
            yield node, SG.adoptedOn, Literal(date, datatype=XSD.date)
            if symbol(get("unres")):
                yield node, SG.symbol, Literal(symbol(get("unres")))
            if descr and descr != title:
                yield node, SKOS.definition, Literal(descr, lang="en")
            note = f"UN General Assembly session {get('session')}, roll call {rcid}"
            if get("importantvote") == "1":
                note += " (an important vote in the US State Department's list)"
            yield node, SKOS.note, Literal(note, lang="en")
            for issue in about:
                yield node, SG.about, issue
            if series is not None:
                ctx.declare(series[0], series_triples(*series))
                yield node, SG.inSeries, series[0]

    # -- votes -------------------------------------------------------------------------
    def _votes(self, path: Path, roll_calls, source, ctx: Context) -> Iterator:
        columns, rows = ctx.table(path, COLUMNS["votes"])
        at = {c: columns.index(c) for c in COLUMNS["votes"]}
        relations = {value: (SG[name] if name else None) for value, name in VOTES.items()}
        states: dict[str, int] = {}
        # one bit per (roll call, state); roll calls numbered densely, so that an rcid of
        # 10**12 in a bad file cannot ask for a terabyte
        slots = {rcid: i for i, rcid in enumerate(roll_calls)}
        seen = bytearray((len(slots) + 1) * 128)
        declared: dict[str, URIRef] = {}
        countries: dict[tuple[str, str], str | None] = {}
        targets: dict[int, URIRef] = {}
        for line, row in rows:
            text = row[at["rcid"]]
            try:
                rcid = int(text)
            except ValueError:
                ctx.problem(path, line, "rcid", f"not a number: {text!r}")
                continue
            if rcid not in roll_calls:
                ctx.problem(path, line, "rcid", f"no roll call {rcid} in the roll calls file")
                continue
            vote = row[at["vote"]].strip().lower()
            if vote not in relations:
                ctx.problem(path, line, "vote",
                            f"unknown vote {vote!r} (expected yes, no, abstain)")
                continue
            code, country = row[at["country_code"]].strip(), row[at["country"]].strip()
            if (code, country) not in countries:
                countries[code, country] = iso3_from_code(code) if code else iso3_from_name(country)
            iso3 = countries[code, country]
            if iso3 is None:
                ctx.problem(path, line, "country_code",
                            f"unknown country {code or country!r}"
                            + (f" ({country})" if code and country else ""))
                continue
            relation = relations[vote]
            if relation is None:
                ctx.count(f"votes '{vote}' (no claim)")
                continue
            index = states.setdefault(iso3, len(states))
            bit = slots[rcid] * 1024 + index
            if index >= 1024 or seen[bit >> 3] & (1 << (bit & 7)):
                ctx.problem(path, line, "country_code",
                            f"a second vote of {iso3} on roll call {rcid}")
                continue
            seen[bit >> 3] |= 1 << (bit & 7)
            actor = declared.get(iso3)
            if actor is None:
                actor = declared[iso3] = STATE[iso3]
                ctx.declare(actor, state_triples(iso3))
            target = targets.get(rcid)
            if target is None:
                target = targets[rcid] = RES[f"unga-rcid-{rcid}"]
            date, about = roll_calls[rcid]
            yield Claim(
                iri=CLAIM[f"unvotes-{rcid}-{iso3}"],
                actor=actor,
                relation=relation,
                target=target,
                source=source,
                date=date,
                dataset=DATASET,
                record_id=f"{rcid}/{code or country}",
                row=line,
                on_issues=about,
            )
