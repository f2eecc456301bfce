"""Actor name variants and stance cues read straight from the PETRARCH dictionaries.

The dictionaries (``CAMEO.2.0.txt``, ``Phoenix.Countries.actors.txt``,
``Phoenix.International.actors.txt``; openeventdata/petrarch2, MIT licence) are real datasets
and stay where they are provided, ``../shared/data/petrarch/`` beside the checkout, or the
folder ``$STANCEGRAPH_PETRARCH`` names: they are parsed when first needed (~0.4 s), never
copied into the project. Without them the workbench proposes from the store's labels and the
hand-written English cues only.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["petrarch_folder", "actor_rows", "cue_rows", "ACTOR_COLUMNS", "CUE_COLUMNS"]

#: Columns of :func:`actor_rows`: ``code`` is ISO 3166-1 alpha-3 for countries and persons,
#: the Phoenix code for organisations; ``valid_from`` / ``valid_until`` ISO dates or "".
ACTOR_COLUMNS = ("phrase", "code", "kind", "role", "valid_from", "valid_until", "entry")
#: Columns of :func:`cue_rows`.
CUE_COLUMNS = ("phrase", "cameo", "verb")

_CHECKOUT_SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "petrarch"


def petrarch_folder() -> Path | None:
    """The PETRARCH dictionaries' folder, or None when they are absent."""
    folder = Path(os.environ.get("STANCEGRAPH_PETRARCH") or _CHECKOUT_SHARED)
    return folder if (folder / "CAMEO.2.0.txt").is_file() else None


_CODE = re.compile(r"\[([^\]]*)\]")
_RANGE = re.compile(r"^([A-Z]{3})([A-Z]*)\s*(.*)$")
# Person entries in the country file carry role codes of officials and elites.
_PERSON_ROLES = ("GOV", "ELI", "MIL", "OPP", "LEG", "JUD", "PTY", "BUS", "MED", "REB")


def _phrase(raw: str) -> str:
    """A dictionary phrase (``SOUTH_KOREAN_``, ``+DRESS_DOWN``) as plain lower-case words."""
    raw = raw.strip().lstrip("+").rstrip("_").replace("_", " ")
    return " ".join(raw.split()).lower()


def _date(text: str, *, end: bool) -> str:
    """Phoenix ``yymmdd`` (or ``yyyymmdd``) as ``YYYY-MM-DD``; two-digit years pivot at 30."""
    text = text.strip()
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if len(text) == 6 and text.isdigit():
        year = int(text[:2])
        year += 1900 if year >= 30 else 2000
        month, day = text[2:4], text[4:]
        if month == "00":
            month = "12" if end else "01"
        if day == "00":
            day = "28" if end else "01"
        return f"{year}-{month}-{day}"
    return ""


def _ranges(code_text: str) -> tuple[str, str, str, str]:
    """``KORGOV 070501-080731`` -> (``KOR``, ``GOV``, ``2007-05-01``, ``2008-07-31``)."""
    match = _RANGE.match(code_text.strip())
    if not match:
        return "", "", "", ""
    country, role, dates = match.groups()
    start = until = ""
    dates = dates.strip()
    if dates.startswith(">"):
        start = _date(dates[1:], end=False)
    elif dates.startswith("<"):
        until = _date(dates[1:], end=True)
    elif "-" in dates:
        first, _, second = dates.partition("-")
        start, until = _date(first, end=False), _date(second, end=True)
    return country, role, start, until


def _entries(path: Path):
    """(entry phrase, variants, codes) for each entry of a Phoenix actor file (Latin-1)."""
    entry, variants, codes = None, [], []
    for line in path.read_text(encoding="latin-1").splitlines():
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if line.startswith(("\t", " ")) and _CODE.search(line):
            codes += _CODE.findall(line)
            continue
        if line.startswith("+"):
            if entry is not None:
                variants.append(line.split("[", 1)[0])
                codes += _CODE.findall(line)
            continue
        if entry is not None:
            yield entry, variants, codes
        entry, variants = line.split("[", 1)[0], []
        codes = _CODE.findall(line)
    if entry is not None:
        yield entry, variants, codes


def actor_rows(folder: Path) -> list[tuple[str, ...]]:
    """The rows of ``actors.tsv`` from the country and international actor files."""
    rows = set()
    for name, org_file in (("Phoenix.Countries.actors.txt", False),
                           ("Phoenix.International.actors.txt", True)):
        for entry, variants, codes in _entries(folder / name):
            phrases = [_phrase(entry), *(_phrase(v) for v in variants)]
            phrases = [p for p in phrases if len(p) >= 2 and not p.isdigit()]
            for code in codes:
                country, role, start, until = _ranges(code)
                if not country:
                    continue
                if org_file:
                    kind, key = "org", country + role
                    if country not in ("IGO", "NGO") or not role:
                        continue  # multinational companies, bare IGO/NGO: not stance actors
                elif role.startswith(_PERSON_ROLES) and (start or until or role in ("GOV",)):
                    kind, key = "person", country
                elif not role:
                    kind, key = "country", country
                else:
                    continue  # agencies, parties, ministries: too specific for proposals
                for phrase in phrases:
                    rows.add((phrase, key, kind, role, start, until, _phrase(entry)))
    return sorted(rows)


def _forms(verb: str, explicit: list[str]) -> list[str]:
    """A verb and its regular inflections (PETRARCH generates these the same way)."""
    words = verb.split()
    head, rest = words[0], words[1:]
    if explicit:
        heads = [head, *explicit]
    elif head.endswith("e"):
        heads = [head, head + "s", head + "d", head[:-1] + "ing"]
    elif head.endswith(("s", "sh", "ch", "x", "z")):
        heads = [head, head + "es", head + "ed", head + "ing"]
    elif head.endswith("y") and len(head) > 2 and head[-2] not in "aeiou":
        heads = [head, head[:-1] + "ies", head[:-1] + "ied", head + "ing"]
    else:
        heads = [head, head + "s", head + "ed", head + "ing"]
    return [" ".join([h, *rest]) for h in dict.fromkeys(heads)]


def _code(text: str) -> str:
    """The event code of ``[111]``, ``[:111]`` or ``[042:043]`` (the first one given)."""
    for part in text.split(":"):
        part = part.strip()
        if part and part != "---" and part.isdigit():
            return part
    return ""


def cue_rows(folder: Path) -> list[tuple[str, str, str]]:
    """The rows of ``cues.tsv`` from the verb patterns of ``CAMEO.2.0.txt``."""
    rows = set()
    lines = (folder / "CAMEO.2.0.txt").read_text(encoding="latin-1").splitlines()
    in_patterns = False
    block_code, block, verbs = "", "", []
    for line in lines:
        if "VERB PATTERNS" in line:
            in_patterns = True
            continue
        if not in_patterns:
            continue
        text = line.split("#", 1)[0].rstrip()
        if not text.strip():
            continue
        header = re.match(r"^---\s+(\S+)\s+\[([^\]]*)\]\s+---", text)
        if header:
            block, block_code, verbs = _phrase(header.group(1)), _code(header.group(2)), []
            continue
        if text.startswith("-"):
            match = re.match(r"^-\s*\*\s*(.*?)\s*\[([^\]]*)\]", text)
            if not match:
                continue
            words, code = match.group(1), _code(match.group(2))
            if not code or not words or re.search(r"[&+$%^@=|<>]", words):
                continue
            words = " ".join(words.replace("{", " ").replace("}", " ")
                             .replace("(", " ").replace(")", " ").split()).lower()
            for forms in verbs:
                for form in forms:
                    rows.add((f"{form} {words}", code, block))
            continue
        # A verb line: VERB {FORMS} [code], or +MULTI_WORD {...}
        explicit = []
        braces = re.search(r"\{([^}]*)\}", text)
        if braces:
            explicit = [_phrase(f) for f in braces.group(1).split() if f.strip()]
            text = text[:braces.start()] + text[braces.end():]
        codes = _CODE.findall(text)
        verb = _phrase(_CODE.sub("", text))
        if not verb or not re.match(r"^[a-z][a-z' -]*$", verb):
            continue
        forms = _forms(verb, explicit)
        verbs.append(forms)
        code = _code(codes[0]) if codes else block_code
        if code:
            for form in forms:
                rows.add((form, code, block))
    return sorted(rows)


