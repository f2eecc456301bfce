"""Agreement between two codings of one source: Krippendorff's alpha per variable, and a merge.

A coding is a source file of the workbench (Turtle, like ``data/sources/*.ttl``) or a
spreadsheet in the layout of :mod:`graph.sources.spreadsheet`. The *unit* of comparison is the
evidence: the span ``evidence_start..evidence_end`` a claim quotes (claims without offsets are
compared by their quoted text). For each unit and each variable (actor, relation, target), a
coder's value is the set of values of their claims on that unit, taken as one nominal category
("state:USA" or "state:CUB|state:LAO|state:VNM"); a unit a coder did not code is missing.

Alpha is computed by the ``krippendorff`` package at the nominal level (coders are rows, units
columns, NaN for missing values), as defined in Krippendorff (2011).

References
----------
Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from graph.errors import InputError
from graph.vocab import SG, short

__all__ = ["VARIABLES", "Coding", "read_coding", "alpha", "agreement", "merge"]

VARIABLES = ("actor", "relation", "target")


@dataclass
class Coding:
    """The claims of one coding, grouped by unit: unit -> list of claim dicts."""

    path: Path
    units: dict[tuple, list[dict]]
    graph: Graph | None = None  # the whole file, for Turtle codings
    rows: list[dict] | None = None  # the rows, for spreadsheet codings


def _unit(start, end, evidence) -> tuple:
    if start not in (None, "") and end not in (None, ""):
        return int(start), int(end)
    return (str(evidence or ""),)


def read_coding(path: Path) -> Coding:
    """Read a Turtle or CSV/TSV coding; InputError naming the file (and line) when unreadable."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.suffix in (".csv", ".tsv"):
        return _read_sheet(path)
    from graph.sources.turtle import read_turtle

    graph = read_turtle(path)
    units: dict[tuple, list[dict]] = defaultdict(list)
    for claim in sorted(graph.subjects(RDF.type, SG.Claim)):
        if graph.value(claim, SG.mode) == SG.Derived:
            continue
        values = {name: graph.value(claim, SG[name]) for name in VARIABLES}
        missing = [name for name, value in values.items() if value is None]
        if missing:
            raise InputError(f"{path}: {short(claim)}: no sg:{missing[0]}")
        units[_unit(graph.value(claim, SG.evidenceStart), graph.value(claim, SG.evidenceEnd),
                    graph.value(claim, SG.evidence))].append({
            "claim": claim, "actor": short(values["actor"]),
            "relation": short(values["relation"]).removeprefix("sg:"),
            "target": short(values["target"]),
            "evidence": str(graph.value(claim, SG.evidence) or ""),
        })
    return Coding(path, dict(units), graph=graph)


def _read_sheet(path: Path) -> Coding:
    delimiter = "\t" if path.suffix == ".tsv" else ","
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter=delimiter))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    units: dict[tuple, list[dict]] = defaultdict(list)
    for line, row in enumerate(rows, start=2):
        for name in VARIABLES:
            if not (row.get(name) or "").strip():
                raise InputError(f"{path}:{line}: {name}: empty")
        try:
            key = _unit(row.get("evidence_start"), row.get("evidence_end"), row.get("evidence"))
        except ValueError as exc:
            raise InputError(f"{path}:{line}: evidence_start: not a whole number") from exc
        units[key].append({"line": line, "evidence": row.get("evidence") or "",
                           **{name: row[name].strip().removeprefix("sg:")
                              for name in VARIABLES}})
    return Coding(path, dict(units), rows=rows)


def alpha(reliability_data, level: str = "nominal") -> float:
    """Krippendorff's alpha of a coders x units matrix (``nan`` for missing values).

    Parameters
    ----------
    reliability_data : array-like of shape (coders, units)
    level : str
        Level of measurement (``nominal`` for our categories).

    Returns
    -------
    float
        Alpha; ``nan`` when it is undefined (fewer than two values in the domain, or no unit
        coded by two coders).

    Examples
    --------
    The example of Krippendorff (2011), four coders and twelve units:

    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(alpha(data), 3)
    0.743
    """
    import krippendorff
    import numpy as np

    data = np.asarray(reliability_data, dtype=float)
    pairable = (np.sum(~np.isnan(data), axis=0) >= 2).sum()
    values = np.unique(data[~np.isnan(data)])
    if pairable == 0 or len(values) < 2:
        return math.nan
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


def _value(claims: list[dict], name: str) -> str:
    return "|".join(sorted({c[name] for c in claims}))


def agreement(a: Coding, b: Coding) -> tuple[list[dict], list[dict]]:
    """Alpha per variable and the table of disagreements between two codings.

    Returns
    -------
    (summary, disagreements)
        ``summary``: one row per variable (``variable``, ``alpha``, ``units``, ``agreed``);
        ``disagreements``: one row per unit and variable where the coders differ (``unit``,
        ``evidence``, ``variable``, ``a``, ``b``; an empty value: not coded).
    """
    units = sorted(set(a.units) | set(b.units), key=lambda u: tuple(map(str, u)))
    summary, disagreements = [], []
    for name in VARIABLES:
        categories: dict[str, int] = {}
        matrix = [[], []]
        agreed = 0
        for unit in units:
            pair = [_value(c.units[unit], name) if unit in c.units else "" for c in (a, b)]
            for row, value in zip(matrix, pair, strict=True):
                row.append(categories.setdefault(value, len(categories)) if value
                           else math.nan)
            if pair[0] == pair[1]:
                agreed += 1
            else:
                evidence = (a.units.get(unit) or b.units.get(unit))[0]["evidence"]
                disagreements.append({
                    "unit": _unit_text(unit), "evidence": evidence[:80], "variable": name,
                    "a": pair[0], "b": pair[1]})
        value = alpha(matrix)
        summary.append({"variable": name,
                        "alpha": None if math.isnan(value) else round(value, 4),
                        "units": len(units), "agreed": agreed})
    disagreements.sort(key=lambda r: (r["unit"], VARIABLES.index(r["variable"])))
    return summary, disagreements


def _unit_text(unit: tuple) -> str:
    return f"{unit[0]}..{unit[1]}" if len(unit) == 2 else repr(unit[0])[:40]


def merge(a: Coding, b: Coding, out: Path, *, prefer: str = "a",
          choices: dict[str, str] | None = None) -> dict[str, int]:
    """Write one coding that takes each unit from ``a`` or ``b``.

    A unit coded by one coder only comes from that coder; a unit both coded comes from
    ``choices[unit text]`` (``"a"`` or ``"b"``, unit text as in the disagreement table, e.g.
    ``"946..997"``) or else from ``prefer``. Declarations (source, entities, coders) of both
    files are kept. Turtle in, Turtle out; spreadsheet in, spreadsheet out.

    Returns
    -------
    dict
        Units taken from each coder: ``{"a": n, "b": m}``.
    """
    if prefer not in ("a", "b"):
        raise ValueError(f"prefer must be 'a' or 'b', not {prefer!r}")
    choices = dict(choices or {})
    for unit, side in choices.items():
        if side not in ("a", "b"):
            raise ValueError(f"choice for unit {unit}: 'a' or 'b', not {side!r}")
    if (a.graph is None) != (b.graph is None):
        raise InputError(f"{a.path}, {b.path}: merge two Turtle files or two spreadsheets")
    taken = {"a": 0, "b": 0}
    picked: dict[tuple, str] = {}
    for unit in set(a.units) | set(b.units):
        if unit not in b.units:
            side = "a"
        elif unit not in a.units:
            side = "b"
        else:
            side = choices.pop(_unit_text(unit), prefer)
        picked[unit] = side
        taken[side] += 1
    if choices:
        raise InputError(f"no unit {next(iter(choices))!r} in both codings")
    out = Path(out)
    if a.graph is not None:
        _merge_turtle(a, b, picked, out)
    else:
        _merge_rows(a, b, picked, out)
    return taken


def _merge_turtle(a: Coding, b: Coding, picked: dict, out: Path) -> None:
    from graph.vocab import bind_prefixes

    merged = bind_prefixes(Graph())
    for coding, side in ((a, "a"), (b, "b")):
        drop = {c["claim"] for unit, claims in coding.units.items() if picked[unit] != side
                for c in claims}
        claims = set(coding.graph.subjects(RDF.type, SG.Claim))
        for s, p, o in coding.graph:
            if s in drop or (s in claims and coding.graph.value(s, SG.mode) == SG.Derived):
                continue
            merged.add((s, p, o))
    out.write_text(merged.serialize(format="turtle"), encoding="utf-8")


def _merge_rows(a: Coding, b: Coding, picked: dict, out: Path) -> None:
    keep = []
    columns: list[str] = []
    for coding, side in ((a, "a"), (b, "b")):
        lines = {c["line"] for unit, claims in coding.units.items() if picked[unit] == side
                 for c in claims}
        for line, row in enumerate(coding.rows, start=2):
            if line in lines:
                keep.append(row)
        columns += [c for c in coding.rows[0] if c not in columns] if coding.rows else []
    delimiter = "\t" if out.suffix == ".tsv" else ","
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, delimiter=delimiter,
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(keep)
