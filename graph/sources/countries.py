"""Country codes and names (ISO 2/3, COW, UN spellings) to the ISO 3166-1 alpha-3 code of a state.

Every importer links countries to the same ``state:ISO3`` nodes as the hand-coded data (KP and
"Democratic People's Republic of Korea" and COW 731 are all ``state:PRK``). Current countries come
from ``pycountry``; the tables below add what the datasets need beyond it:

- historical UN members with ISO 3166-3 codes (CS Czechoslovakia -> CSK, DD -> DDR,
  YD -> YMD, SU -> SUN);
- historical states that the sources keep apart from today's state but that had no ISO code of
  their own, under their Correlates of War abbreviation (none is an ISO 3166 code): Zanzibar
  ``ZAN`` (a UN member for two votes in 1963-64), the Federal Republic of Germany ``GFR`` (West
  Germany 1949-1990: COW 260, "Federal Republic of Germany" in the UN votes; unified Germany,
  COW 255 and UN code DE, is ``DEU``) and the Yemen Arab Republic ``YAR`` (North Yemen
  1962-1990: COW 678; unified Yemen, COW 679 and UN code YE, is ``YEM``). Merging them would
  turn an alliance between West Germany and unified Germany into a tie of DEU with itself;
- Serbia: both the UN votes (code YU from 1946 to 2020) and the Correlates of War (ccode 345
  from 1878 to today) treat Yugoslavia and Serbia as one member, so both map to one node,
  ``state:SRB`` (Serbia, the state that continues it and that later sources such as the 2023
  sponsor lists name); Yugoslavia's votes and alliances are therefore Serbia's;
- short and older names (Russia, Turkey, Ivory Coast, Congo - Kinshasa, St. Kitts & Nevis ...).

Names are compared after repairing double-encoded UTF-8 ("CÃ´te" -> "Côte"), dropping accents,
case, punctuation, "&"/"and", "St."/"Saint", a leading or trailing "the", and UN-style
"Bolivia (Plurinational State of)" = ISO-style "Bolivia, Plurinational State of". A name that
still does not match can match with its spaces removed (the UN record spells one "Ir eland");
:meth:`NameMatcher.match` says when it did so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from graph.vocab import SG, STATE

__all__ = [
    "repair_mojibake",
    "name_key",
    "iso3_from_code",
    "iso3_from_name",
    "iso3_from_cow",
    "label",
    "is_state_code",
    "state_iri",
    "state_triples",
    "NameMatcher",
    "Match",
]

#: ISO 3166-3 (withdrawn) and other codes that are not in pycountry's current list: code -> label.
EXTRA_STATES = {
    "CSK": "Czechoslovakia",
    "DDR": "German Democratic Republic",
    "YUG": "Yugoslavia",
    "YMD": "South Yemen",
    "SUN": "Soviet Union",
    "ZAN": "Zanzibar",
    "GFR": "West Germany",
    "YAR": "North Yemen",
}

#: Two-letter codes of the UN votes that are not current ISO 3166-1 codes (YU: see above).
HISTORIC_ISO2 = {"CS": "CSK", "DD": "DDR", "YU": "SRB", "YD": "YMD", "SU": "SUN"}

#: Labels for state nodes where pycountry's name is a reference form ("Korea, Republic of").
#: They agree with the bundled seed (data/entities.ttl) for the states it declares.
LABELS = {
    "KOR": "South Korea",
    "PRK": "North Korea",
    "USA": "United States",
    "RUS": "Russia",
    "VNM": "Vietnam",
    "LAO": "Laos",
    "COD": "Democratic Republic of the Congo",
    "COG": "Congo",
    "FSM": "Micronesia",
    "PSE": "Palestine",
    "BRN": "Brunei",
    "VAT": "Holy See",
    "TWN": "Taiwan",
    "MKD": "North Macedonia",
    "CZE": "Czechia",
    **EXTRA_STATES,
}

#: Names (compared with :func:`name_key`) that pycountry does not know, or knows otherwise.
ALIASES = {
    "russia": "RUS",
    "soviet union": "SUN",
    "ussr": "SUN",
    "turkey": "TUR",
    "ivory coast": "CIV",
    "cape verde": "CPV",
    "swaziland": "SWZ",
    "macedonia": "MKD",
    "burma": "MMR",
    "myanmar burma": "MMR",
    "east timor": "TLS",
    "brunei": "BRN",
    "vatican": "VAT",
    "holy see": "VAT",
    "micronesia": "FSM",
    "congo kinshasa": "COD",
    "congo brazzaville": "COG",
    "democratic republic of congo": "COD",
    "zaire": "COD",
    "republic of congo": "COG",
    "north korea": "PRK",
    "south korea": "KOR",
    "dprk": "PRK",
    "rok": "KOR",
    "laos": "LAO",
    "vietnam": "VNM",
    "palestine": "PSE",
    "great britain": "GBR",
    "britain": "GBR",
    "united states of america": "USA",
    "czech republic": "CZE",
    "federal republic of germany": "GFR",
    "german federal republic": "GFR",
    "west germany": "GFR",
    "german democratic republic": "DDR",
    "east germany": "DDR",
    "yemen arab republic": "YAR",
    "north yemen": "YAR",
    "yemen peoples republic": "YMD",
    "south yemen": "YMD",
    "zanzibar": "ZAN",
    "czechoslovakia": "CSK",
    "yugoslavia": "SRB",
    "rhodesia": "ZWE",
    "bosnia": "BIH",
    "guinea bissau": "GNB",
    "gambia": "GMB",
    "bahamas": "BHS",
    "kyrgyz republic": "KGZ",
    "slovak republic": "SVK",
    "taiwan": "TWN",
    "saint vincent and grenadines": "VCT",
    "iran": "IRN",
    "syria": "SYR",
}

#: Correlates of War state codes whose name does not give the ISO code the datasets mean, and
#: historical states with no ISO code at all (None: reported as unmatched, no claim).
COW_CODES: dict[int, str | None] = {
    2: "USA",
    200: "GBR",
    255: "DEU",  # Germany (Prussia until 1945, Germany since 1990)
    260: "GFR",  # German Federal Republic (1955-1990), not unified Germany: see above
    265: "DDR",
    300: None,  # Austria-Hungary (1816-1918); Austria is 305
    315: "CSK",
    316: "CZE",
    345: "SRB",  # Serbia / Yugoslavia / Serbia, one state in COW (see the module docstring)
    365: "RUS",  # Russia / Soviet Union
    511: "ZAN",
    678: "YAR",  # Yemen Arab Republic (1926-1990), not unified Yemen (679)
    679: "YEM",
    680: "YMD",
    713: "TWN",
    730: None,  # Korea (1887-1905), neither of today's Koreas
    731: "PRK",
    732: "KOR",
    817: None,  # Republic of Vietnam (South Vietnam), no ISO code
}

_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Latin-1 ("CÃ´te d'Ivoire" -> "Côte d'Ivoire").

    Text without the telltale pairs, or that does not decode cleanly, is returned unchanged.

    Examples
    --------
    >>> repair_mojibake("TÃ¼rkiye")
    'Türkiye'
    >>> repair_mojibake("Türkiye")
    'Türkiye'
    """
    if not _MOJIBAKE.search(text):
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def name_key(name: str) -> str:
    """The form names are compared in: no accents, case, punctuation, "the" or "St.".

    Examples
    --------
    >>> name_key("Bolivia (Plurinational State of)") == name_key("Bolivia, Plurinational State of")
    True
    >>> name_key("St. Kitts & Nevis")
    'saint kitts and nevis'
    """
    text = unicodedata.normalize("NFKD", repair_mojibake(name))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "").replace(".", " ")
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    words = ["saint" if w in ("st", "ste") else w for w in words]
    if words and words[0] == "the":
        words = words[1:]
    if words and words[-1] == "the" and len(words) > 1 and words[-2] != "of":
        words = words[:-1]
    return " ".join(words)


@cache
def _countries():
    import pycountry

    return list(pycountry.countries)


@cache
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in _countries():
        names = {country.name, getattr(country, "official_name", None),
                 getattr(country, "common_name", None)}
        for name in filter(None, names):
            index.setdefault(name_key(name), country.alpha_3)
            if ", " in name:  # "Palestine, State of" -> "State of Palestine"
                head, _, tail = name.partition(", ")
                index.setdefault(name_key(f"{tail} {head}"), country.alpha_3)
    for code, text in EXTRA_STATES.items():
        index.setdefault(name_key(text), code)
    for alias, code in ALIASES.items():
        index[name_key(alias)] = code
    return index


@cache
def _squeezed_index() -> dict[str, str]:
    return {key.replace(" ", ""): code for key, code in _name_index().items()}


@cache
def _iso3_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in _countries()) | frozenset(EXTRA_STATES)


@cache
def _iso2_codes() -> dict[str, str]:
    table = {c.alpha_2: c.alpha_3 for c in _countries()}
    table.update(HISTORIC_ISO2)
    return table


def is_state_code(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-3 code (or one of :data:`EXTRA_STATES`)."""
    return code in _iso3_codes()


def iso3_from_code(code: str) -> str | None:
    """ISO3 for a two- or three-letter country code (current or historical), else None.

    Examples
    --------
    >>> iso3_from_code("KP"), iso3_from_code("kor"), iso3_from_code("YU"), iso3_from_code("XX")
    ('PRK', 'KOR', 'SRB', None)
    """
    code = (code or "").strip().upper()
    if len(code) == 2:
        return _iso2_codes().get(code)
    if len(code) == 3 and code in _iso3_codes():
        return code
    return None


def iso3_from_name(name: str) -> str | None:
    """ISO3 for a country name in UN, ISO or common spelling, else None (see :class:`NameMatcher`).

    Examples
    --------
    >>> iso3_from_name("Democratic People's Republic of Korea"), iso3_from_name("Republic of Korea")
    ('PRK', 'KOR')
    >>> iso3_from_name("Netherlands (Kingdom of the)"), iso3_from_name("Group of 77")
    ('NLD', None)
    """
    index = _name_index()
    code = index.get(name_key(name))
    if code is None and (match := _PARENTHESISED.match(name.strip())):
        # UN style "Netherlands (Kingdom of the)" = "Kingdom of the Netherlands"
        code = index.get(name_key(f"{match.group(2)} {match.group(1)}"))
    return code


_PARENTHESISED = re.compile(r"^(.*\S)\s*\(([^()]*)\)$")


def iso3_from_cow(ccode: int, name: str | None = None) -> str | None:
    """ISO3 for a Correlates of War state code, using its COW name when the table has no entry.

    Historical states without an ISO code (Bavaria, Austria-Hungary, Korea 1887-1905 ...) give
    None.

    Examples
    --------
    >>> iso3_from_cow(731), iso3_from_cow(732), iso3_from_cow(710, "China")
    ('PRK', 'KOR', 'CHN')
    >>> iso3_from_cow(245, "Bavaria") is None
    True
    """
    if ccode in COW_CODES:
        return COW_CODES[ccode]
    return iso3_from_name(name) if name else None


def label(iso3: str) -> str:
    """The English label of a state node: a short common name ("Iran", "South Korea").

    Examples
    --------
    >>> label("IRN"), label("PRK"), label("CSK")
    ('Iran', 'North Korea', 'Czechoslovakia')
    """
    if iso3 in LABELS:
        return LABELS[iso3]
    import pycountry

    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return iso3
    return getattr(country, "common_name", None) or country.name


def state_iri(iso3: str) -> URIRef:
    """``state:ISO3``."""
    return STATE[iso3]


def state_triples(iso3: str) -> list[tuple]:
    """The declaration of a state node: sg:State, rdfs:label, sg:isoCode, sg:code."""
    node = STATE[iso3]
    return [
        (node, RDF.type, SG.State),
        (node, RDFS.label, Literal(label(iso3), lang="en")),
        (node, SG.isoCode, Literal(iso3)),
        (node, SG.code, Literal(iso3)),
    ]


@dataclass(frozen=True)
class Match:
    """The result of matching one name: the ISO3 code (or None) and whether spaces were ignored."""

    name: str
    iso3: str | None
    loose: bool = False


class NameMatcher:
    """Match country names to ISO3 codes, remembering what did not match for the report.

    Examples
    --------
    >>> m = NameMatcher()
    >>> m.match("CÃ´te d'Ivoire").iso3, m.match("Ir eland"), m.match("Atlantis").iso3
    ('CIV', Match(name='Ir eland', iso3='IRL', loose=True), None)
    >>> dict(m.unmatched)
    {'Atlantis': 1}
    """

    def __init__(self):
        from collections import Counter

        self.unmatched: Counter[str] = Counter()

    def match(self, name: str) -> Match:
        """Match ``name``: exactly (in :func:`name_key` form), else with spaces removed."""
        code = iso3_from_name(name)
        if code is not None:
            return Match(name, code)
        code = _squeezed_index().get(name_key(name).replace(" ", ""))
        if code is not None:
            return Match(name, code, loose=True)
        self.unmatched[name] += 1
        return Match(name, None)
