"""The proposal lexicon: actor name variants and stance cues.

Name variants and CAMEO verb cues come from the PETRARCH dictionaries where they are provided
(:mod:`graph.workbench.petrarch`, parsed once per process); the hand-written English cues
ship in ``graph/workbench/data/`` (see ``data/PROVENANCE.md``). CAMEO event codes are mapped to the
vocabulary's relations here, through the relations' ``sg:cameoCode`` and ``sg:cameoRoot``
(:func:`relation_for_cameo`), so that the ontology stays the one place that says which CAMEO
events mean which stance.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from graph.vocab import relations
from graph.workbench import petrarch

__all__ = [
    "ActorName", "Cue", "actor_names", "cues", "lookup_actors", "lookup_cues",
    "relation_for_cameo", "data_file", "ENGLISH_CUES", "NOT_A_CUE", "NOUN",
]


@dataclass(frozen=True)
class ActorName:
    """A name variant of an actor in the Phoenix dictionaries.

    ``code`` is an ISO 3166-1 alpha-3 code for ``country`` and ``person`` (the person's
    country), a Phoenix organisation code (``IGOUNO``) for ``org``. ``valid_from`` /
    ``valid_until`` bound a person's role (ISO dates, ``""`` when open).
    """

    phrase: str
    code: str
    kind: str
    role: str
    valid_from: str
    valid_until: str
    entry: str


@dataclass(frozen=True)
class Cue:
    """A stance cue: a verb form (plus object words) with its CAMEO code and our relation."""

    phrase: str
    cameo: str
    verb: str
    relation: str


def data_file(name: str):
    """A file of the lexicon folder (an importlib.resources Traversable)."""
    return resources.files("graph.workbench") / "data" / name


#: Names of the derived tables (looked up like the shipped file :data:`ENGLISH_CUES`).
ACTORS, CAMEO_CUES = "petrarch-actors", "petrarch-cues"


@cache
def _table(name: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Header and rows of a lexicon table: a shipped file, or one derived from PETRARCH."""
    if name == ENGLISH_CUES:
        lines = data_file(name).read_text(encoding="utf-8").splitlines()
        return tuple(lines[0].split("\t")), [tuple(line.split("\t")) for line in lines[1:]]
    folder = petrarch.petrarch_folder()
    if name == ACTORS:
        return petrarch.ACTOR_COLUMNS, petrarch.actor_rows(folder) if folder else []
    # only cues whose event code means one of our relations: the others are never proposed
    rows = petrarch.cue_rows(folder) if folder else []
    return petrarch.CUE_COLUMNS, [row for row in rows if relation_for_cameo(row[1])]


def _rows(name: str):
    header, rows = _table(name)
    for row in rows:
        yield dict(zip(header, row, strict=True))


@cache
def _lines(name: str) -> list[str]:
    """The rows of a lexicon table as sorted lines (phrases sharing a first word adjacent)."""
    return sorted("\t".join(row) for row in _table(name)[1])


def _lookup(name: str, words: Iterable[str]) -> Iterator[list[str]]:
    lines = _lines(name)
    for word in sorted(set(words)):
        if not word:
            continue
        at = bisect.bisect_left(lines, word)
        while at < len(lines) and lines[at].startswith(word):
            line = lines[at]
            # A phrase's first word ends at a tab, a space or a hyphen: spaCy splits
            # "co-sponsor" into "co", "-", "sponsor", so its first token is "co".
            if line[len(word)] in "\t -":
                yield line.split("\t")
            at += 1


def lookup_actors(words: Iterable[str]) -> list[ActorName]:
    """The actor names whose first word is one of ``words`` (lower case).

    Only the lines needed are parsed (binary search in the sorted file): looking up the words
    of an article takes milliseconds, where reading every variant would take a second.
    """
    return [ActorName(*row) for row in _lookup(ACTORS, words)]


#: The hand-written English cues (nominalised cues such as "criticism of", phrasal verbs such
#: as "call out", common stance verbs the CAMEO dictionary lacks): phrase, cameo, verb and an
#: optional relation, given where the CAMEO code's root has no relation of its own (warnings,
#: CAMEO 13, are proposed as criticism; protests, CAMEO 14, as opposition). The relation
#: :data:`NOT_A_CUE` (``-``) marks a phrase of the CAMEO cues whose usual sense is no stance
#: ("deal with a problem", "the values"): it is matched and then dropped.
#: Nominal cues ("criticism of") carry :data:`NOUN` in their verb column: they may follow a
#: determiner or a possessive ("Washington's emphasis on"), where a verb cue is taken for a noun.
ENGLISH_CUES = "cues_english.tsv"
NOT_A_CUE = "-"
NOUN = "(noun)"


def lookup_cues(words: Iterable[str]) -> list[Cue]:
    """The cues whose first word is one of ``words`` and whose CAMEO code maps to a relation.

    Both cue tables are searched: the CAMEO verb patterns of PETRARCH and
    :data:`ENGLISH_CUES` (hand-written; its ``relation`` column, when filled, wins over the
    CAMEO mapping). A phrase in both gives the English file's cue first.
    """
    words = set(words)
    found = []
    for row in _lookup(ENGLISH_CUES, words):
        phrase, cameo, verb, relation = (row + [""])[:4]
        relation = relation or relation_for_cameo(cameo)
        if relation is not None:  # NOT_A_CUE ("-") included: it hides the phrase
            found.append(Cue(phrase, cameo, verb, relation))
    for phrase, cameo, verb in _lookup(CAMEO_CUES, words):
        relation = relation_for_cameo(cameo)
        if relation is not None:
            found.append(Cue(phrase, cameo, verb, relation))
    return found


@cache
def actor_names() -> tuple[ActorName, ...]:
    """Every actor name variant of the PETRARCH dictionaries (read once per process)."""
    return tuple(ActorName(**row) for row in _rows(ACTORS))


def relation_for_cameo(code: str) -> str | None:
    """The relation a CAMEO event code means, or None.

    The relation whose ``sg:cameoCode`` is a prefix of ``code`` (``0211`` -> ``021``
    appealsTo); else, among the relations of the code's
    root (``sg:cameoRoot``, its first two digits), the one whose code is the root's generic
    ``<root>0`` (``123`` -> ``120`` opposes); else the root's only relation unless that one is
    neutral (root ``01`` holds every public statement, and only ``011`` is a refusal).

    Parameters
    ----------
    code : str
        A CAMEO event code of two to four digits.

    Returns
    -------
    str or None
        The relation's name (``"criticizes"``).

    Examples
    --------
    >>> relation_for_cameo("111"), relation_for_cameo("1121"), relation_for_cameo("163")
    ('criticizes', 'criticizes', 'sanctions')
    >>> relation_for_cameo("043") is None
    True

    References
    ----------
    Schrodt, P. A. (2012). CAMEO Conflict and Mediation Event Observations Event and Actor
    Codebook, version 1.1b3. Pennsylvania State University.
    """
    return _by_rule(code)


@cache
def _by_rule(code: str) -> str | None:
    # Cached: a text's cues share a few dozen codes.
    table = relations()
    best = [r for r in table.values() if r.cameo_code and code.startswith(r.cameo_code)]
    if best:
        return max(best, key=lambda r: len(r.cameo_code)).name
    root = code[:2]
    same_root = [r for r in table.values() if r.cameo_root == root]
    generic = [r for r in same_root if r.cameo_code == root + "0"]
    if generic:
        return generic[0].name
    if len(same_root) == 1 and same_root[0].polarity != 0:
        return same_root[0].name
    return None


@cache
def cues() -> tuple[Cue, ...]:
    """The PETRARCH cues whose CAMEO code maps to a relation (read once per process)."""
    found = []
    for row in _rows(CAMEO_CUES):
        relation = relation_for_cameo(row["cameo"])
        if relation is not None:
            found.append(Cue(row["phrase"], row["cameo"], row["verb"], relation))
    return tuple(found)
