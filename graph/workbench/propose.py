"""Proposed claims for a text: actor mentions and stance cues combined sentence by sentence.

The text is split into sentences by spaCy's rule-based ``sentencizer`` (a blank English
pipeline: no model to download). Two ``PhraseMatcher`` s find what the lexicon knows:

- actor mentions: labels and alternative labels of the store's actors (and of its issues,
  resolutions and events, as targets), then the country, leader and organisation name variants
  of the Phoenix dictionaries (:mod:`graph.workbench.lexicon`; leaders only while in office on
  the article's date);
- stance cues: the CAMEO verb forms and verb phrases, mapped to our relations through their
  CAMEO codes, and the hand-written English cues (nominalised cues such as "criticism of",
  phrasal verbs; :data:`graph.workbench.lexicon.ENGLISH_CUES`).

In each sentence, a cue with actor mentions before it and mentions after it gives one proposal
per (actor, target) pair: the nearest mention before the cue and those coordinated with it
("the United States and South Korea"), the nearest mention after it and those coordinated
with it ("Cuba, Vietnam and Laos"). Targets are also the store's issues, resolutions and
events whose labels' content words occur in the clause after the cue (:func:`_fuzzy_target`).
The passive voice, pronouns, participles, relative clauses, back references to the sentence
before and "either country" follow the rules of :func:`_pair`; "for the third consecutive
year" adds the earlier resolutions of a series (:func:`_earlier_in_series`). A negation just
before the cue ("not", "refrained from") turns the relation into ``declined``. The evidence is
the stretch of the sentence from the first actor to the last target (or from the cue, when
that would pass the evidence limit).

Proposals are for a coder to review: name variants are ambiguous (capitals, surnames) and cues
are verbs, not meanings.

Speed: spaCy is imported when the first text is proposed, and the matchers only receive the
lexicon phrases whose first word occurs in the text (the lexicon is indexed by first word once
per process), so building them costs milliseconds instead of the seconds that adding tens of
thousands of phrases takes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache

from rdflib import Graph, URIRef

from graph.vocab import STATE, relations, short
from graph.workbench.lexicon import NOT_A_CUE, NOUN, lookup_actors, lookup_cues

__all__ = ["Mention", "Proposal", "propose", "store_names", "target_dates", "resolution_series",
           "NEGATIONS", "PRONOUNS", "ISSUE_RELATIONS", "MAX_EVIDENCE_WORDS", "RECENT_DAYS"]

#: Words that, within three tokens before a cue, turn it into a refusal (``declined``).
NEGATIONS = frozenset({"not", "n't", "n’t", "never", "no", "refrained", "refrain", "refrains",
                       "refraining", "refused", "refuse", "refuses", "declined", "declines",
                       "without"})
_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her", "our", "my", "your",
                          "this", "these", "those", "big", "new", "many", "some", "any",
                          "few", "more", "most", "all", "of", "other"})
#: Words of a title between a country word and a name ("North Korean leader Kim Jong Un").
_TITLES = frozenset({"leader", "president", "prime", "minister", "foreign", "defense",
                     "defence", "secretary", "state", "chairman", "chairwoman", "ambassador",
                     "envoy", "spokesman", "spokeswoman", "spokesperson", "official", "general",
                     "supreme", "vice", "deputy", "chief", "premier", "king", "queen"})
#: Prepositions before which a cue word (not a gerund) is a noun.
_PREPOSITIONS = frozenset({"for", "against", "on", "with", "by", "at", "in", "into", "over",
                           "about", "from", "under", "without"})
#: Prepositions after a cue that introduce its topic rather than its target.
_TOPIC = frozenset({"on", "about", "over", "regarding", "toward", "towards", "in"})
#: Punctuation that ends the clause a cue's target is looked for in.
_CLAUSE_ENDS = frozenset({",", ";", ":", "—", "–", "(", ")", ".", "?", "!"})
#: Tokens that may stand between coordinated mentions ("Cuba, Vietnam and Laos").
_COORDINATION = frozenset({",", "and", "or", "&", "as", "well", "the", "both"})
MAX_EVIDENCE_WORDS = 25
#: Tokens between the end of the actor's mention and the cue, and the cue and the target.
MAX_ACTOR_GAP = 12
MAX_TARGET_GAP = 8
MAX_EVIDENCE_CHARS = 240
_ACTOR_CLASSES = ("State", "Person", "Government", "Organisation", "MediaOutlet", "Actor")


@dataclass(frozen=True)
class Mention:
    """A name found in the text: its character offsets and what it names."""

    start: int
    end: int
    text: str
    node: str  # an IRI
    kind: str  # "actor" or "target" (issues, resolutions, events)
    origin: str  # "store" or "lexicon" ("series": an earlier resolution of a series)


@dataclass
class Proposal:
    """A proposed claim (actor, relation, target) with its evidence and offsets."""

    actor: str
    relation: str
    target: str
    evidence: str
    start: int
    end: int
    cue: str
    cameo: str
    sentence: int
    mentions: list[Mention] = field(default_factory=list)

    def key(self) -> tuple[str, str, str]:
        """(actor, relation, target) as IRIs / relation name: what quality is measured on."""
        return self.actor, self.relation, self.target


# ------------------------------------------------------------------------------ names


def store_names(store) -> list[tuple[str, str, str, str]]:
    """``(phrase, IRI, kind, class)`` for every label and alternative label of the store's nodes.

    Actors (states, people, governments, organisations, media) give ``actor`` names; issues,
    resolutions and events give ``target`` names; ``class`` is the local name of the node's
    type (``Person``). Each node's ``rdfs:label`` comes before its alternative labels. An empty
    store (or None) gives the bundled entities.
    """
    classes = " ".join(f"sg:{c}" for c in _ACTOR_CLASSES)
    text = f"""
        SELECT ?x ?name ?kind ?type ?preferred WHERE {{
          {{ VALUES ?type {{ {classes} }} ?x a ?type . BIND("actor" AS ?kind) }}
          UNION
          {{ VALUES ?type {{ sg:Issue sg:Resolution sg:Event }} ?x a ?type .
             BIND("target" AS ?kind) }}
          {{ ?x rdfs:label ?name BIND(1 AS ?preferred) }}
          UNION {{ ?x skos:altLabel ?name BIND(0 AS ?preferred) }}
        }}"""
    rows = list(store.query(text)) if store is not None else []
    if not rows:
        rows = _bundled_names()
    # Preferred labels first (type-ahead shows the first name of a node), then by name.
    ranked = sorted({(-int(r[4]), str(r[1]), str(r[0]), str(r[2]), str(r[3]).rsplit("#", 1)[-1])
                     for r in rows})
    return list(dict.fromkeys(row[1:] for row in ranked))


def _bundled_names() -> list[tuple]:
    """The rows of :func:`store_names`'s query over the bundled entities, read without SPARQL
    (rdflib's engine takes half a second to warm up; this takes milliseconds)."""
    from rdflib.namespace import RDF, RDFS, SKOS

    from graph.vocab import SG

    graph = _bundled()
    kinds = {SG[c]: "actor" for c in _ACTOR_CLASSES}
    kinds.update({SG.Issue: "target", SG.Resolution: "target", SG.Event: "target"})
    rows = []
    for node, _, cls in graph.triples((None, RDF.type, None)):
        if cls in kinds:
            for prop, preferred in ((RDFS.label, 1), (SKOS.altLabel, 0)):
                for name in graph.objects(node, prop):
                    rows.append((node, name, kinds[cls], cls, preferred))
    return rows


@cache
def _bundled() -> Graph:
    from graph.resources import data_dir

    return Graph().parse(data_dir() / "entities.ttl", format="turtle")


def _active(name, on: str | None) -> bool:
    if name.kind != "person" or on is None:
        return True
    if name.valid_from and on < name.valid_from:
        return False
    return not (name.valid_until and on > name.valid_until)


@cache
def _nlp():
    import spacy
    from spacy.language import Language

    if "stancegraph_line_breaks" not in Language.factories:
        @Language.component("stancegraph_line_breaks")
        def line_breaks(doc):
            # Headings, bylines and list items end without punctuation: a line break ends a
            # sentence too (the sentencizer only knows punctuation).
            for token in doc[1:]:
                if "\n" in doc[token.i - 1].text:
                    token.is_sent_start = True
            return doc

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("stancegraph_line_breaks")
    return nlp


def _acronym(phrase: str) -> bool:
    # "US", "UN", "ROK", "Kim": short names are matched case-sensitively, so that the pronoun
    # "us" or the word "un" is no mention.
    return len(phrase.replace(".", "").replace(" ", "")) <= 3


# ------------------------------------------------------------------------------ matching


def _short_names(doc, names) -> list[tuple[str, str, str, str]]:
    """Short forms that journalists use once the full name has appeared.

    A person named in full ("Antony Blinken", "Kim Jong Un") is later called by the first or
    last word of the name ("Blinken", "Kim"; Korean and Chinese names put the family name
    first); a government named after its leader ("Moon Jae-in administration") by its first and
    last words ("Moon administration").
    """
    lowered = doc.text.lower()
    found = []
    for phrase, node, kind, cls in names:
        words = phrase.split()
        if cls == "Person" and len(words) >= 2 and phrase.lower() in lowered:
            found += [(words[0], node, kind, cls), (words[-1], node, kind, cls)]
        elif cls == "Government" and len(words) >= 3:
            found.append((f"{words[0]} {words[-1]}", node, kind, cls))
    return found


def _match(doc, candidates) -> dict[tuple[int, int], tuple]:
    """Spans (token start, end) of ``(phrase, node, kind)`` candidates, via PhraseMatchers."""
    from spacy.matcher import PhraseMatcher

    nlp = _nlp()
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    exact = PhraseMatcher(nlp.vocab, attr="ORTH")
    keys = {}
    for i, (phrase, node, kind) in enumerate(candidates):
        key = f"m{i}"
        keys[key] = (node, kind)
        if _acronym(phrase):
            # As written when the name has capitals ("Kim", "US"), else in capitals ("us").
            written = phrase if phrase != phrase.lower() else phrase.upper()
            exact.add(key, [nlp.make_doc(written)])
        else:
            lower.add(key, [nlp.make_doc(phrase)])
    found = {}
    for matcher in (lower, exact):
        for match_id, start, end in matcher(doc):
            found.setdefault((start, end), keys[nlp.vocab.strings[match_id]])
    return found


def _mentions(doc, names, on: str | None) -> list[Mention]:
    from spacy.util import filter_spans

    words = {t.lower_ for t in doc}
    names = list(names) + _short_names(doc, names)
    ours = [(phrase, node, kind) for phrase, node, kind, _ in names
            if phrase.split(" ", 1)[0].lower() in words]
    theirs = []
    for name in lookup_actors(words):
        node = _lexicon_node(name) if _active(name, on) else None
        if node is not None:
            theirs.append((name.phrase, node, "actor"))
            parts = name.phrase.split()
            if name.kind == "person" and len(parts) == 3:
                # Korean given names are written with a hyphen ("Roh Moo-hyun"), which the
                # dictionaries spell as separate words.
                theirs.append((f"{parts[0]} {parts[1]}-{parts[2]}", node, "actor"))
    # The store's names first (they name the actor itself, not only its country); the
    # lexicon's only where they overlap none of them.
    store_spans = _match(doc, ours)
    kept = filter_spans([doc[a:b] for a, b in store_spans])
    taken = {i for span in kept for i in range(span.start, span.end)}
    lexicon_spans = {k: v for k, v in _match(doc, theirs).items()
                     if not taken & set(range(*k))}
    extra = filter_spans([doc[a:b] for a, b in lexicon_spans])
    found = []
    for span in kept + extra:
        node, kind = (store_spans.get((span.start, span.end))
                      or lexicon_spans[span.start, span.end])
        origin = "store" if (span.start, span.end) in store_spans else "lexicon"
        found.append(Mention(span.start_char, span.end_char, span.text, node, kind, origin))
    found.sort(key=lambda m: m.start)
    return [m for i, m in enumerate(found) if not _modifier(doc, m, found[i + 1:i + 2])]


def _modifier(doc, mention: Mention, following: list[Mention]) -> bool:
    """"North Korean leader Kim Jong Un": a country word qualifying the person that follows."""
    if mention.origin != "lexicon" or not following:
        return False
    between = doc.char_span(mention.end, following[0].start, alignment_mode="expand")
    if between is None:
        return False
    tokens = [t for t in between if not t.is_space]
    return len(tokens) <= 3 and all(t.is_title or t.lower_ in _TITLES for t in tokens)


def _lexicon_node(name) -> str | None:
    if name.kind in ("country", "person") and len(name.code) == 3:
        return str(STATE[name.code])
    return None  # organisations become actors once the store declares them (labels)


def _cue_spans(doc) -> list[tuple]:
    from spacy.matcher import PhraseMatcher
    from spacy.util import filter_spans

    nlp = _nlp()
    words = {t.lower_ for t in doc}
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    keys = {}
    for cue in lookup_cues(words):
        key = "c:" + cue.phrase
        if key not in keys:  # the first cue of a phrase wins (the hand-written file's)
            keys[key] = cue
            matcher.add(key, [nlp.make_doc(cue.phrase)])
    keys = {k: v for k, v in keys.items() if v.relation != NOT_A_CUE}
    spans = {}
    for match_id, start, end in matcher(doc):
        span = doc[start:end]
        cue = keys.get(nlp.vocab.strings[match_id])
        # Nominal cues ("criticism of", verb column "(noun)") stand after determiners.
        if start > 0 and (cue is None or cue.verb != NOUN) \
                and _noun_context(doc[start - 1], doc[start].lower_):
            continue
        spans.setdefault((start, end), (span, cue))
    # Longest first: a phrase marked as no cue ("deal with") hides the shorter cue inside it.
    kept = filter_spans([s for s, _ in spans.values()])
    return [(span, spans[span.start, span.end][1]) for span in kept
            if spans[span.start, span.end][1] is not None]


def _noun_context(token, cue_word: str = "") -> bool:
    """A cue word after a determiner, possessive or number is a noun ("its allies", "three
    challenges"), not the verb the CAMEO pattern means (a blank pipeline has no tagger); so is
    one after a preposition unless it is a gerund ("for sanctions relief", but "refrained from
    criticizing"), and one joined by a hyphen to the word before ("fully-coordinated")."""
    if token.lower_ in _PREPOSITIONS and not cue_word.endswith("ing"):
        return True
    if token.text in ("-", "–") and token.i + 1 < len(token.doc) \
            and token.idx + 1 == token.nbor(1).idx:
        return True  # "fully-coordinated": part of a compound adjective
    return token.lower_ in _DETERMINERS or token.like_num or token.lower_ in ("'s", "’s")


# ------------------------------------------------------------------------------ combining


def _gap(doc, a: Mention, b: Mention) -> set[str] | None:
    """The words between two mentions when they only coordinate them, else None."""
    between = doc.char_span(a.end, b.start, alignment_mode="expand")
    tokens = [t for t in between if not t.is_space] if between is not None else []
    # Titles between the names ("Kim Jong Un and Chinese President Xi Jinping") are allowed.
    words = [t.lower_ for t in tokens if not (t.is_title and t.is_alpha)]
    if not words or any(w not in _COORDINATION for w in words) or not (
            set(words) & {",", "and", "or", "&"}):
        return None
    return set(words)


def _coordinated(doc, mentions: list[Mention], index: int, step: int) -> list[Mention]:
    """The mention at ``index`` and those coordinated with it ("A, B and C").

    Forwards (targets), the list ends at its last conjunction: "Cuba, Vietnam and Laos" but
    not the ", Seoul" that may follow. Backwards (actors), the link next to the anchor must be
    a conjunction: "the United States and South Korea downplayed", but in "China and Russia,
    South Korea refrained" only South Korea refrains.
    """
    group = [mentions[index]]
    links = []
    i = index
    while 0 <= i + step < len(mentions):
        a, b = sorted((mentions[i], mentions[i + step]), key=lambda m: m.start)
        gap = _gap(doc, a, b)
        if gap is None:
            break
        if step < 0 and not links and not gap & {"and", "or", "&"}:
            break
        links.append(bool(gap & {"and", "or", "&"}))
        i += step
        group.append(mentions[i])
    if step > 0:
        last = max((n for n, conj in enumerate(links) if conj), default=-1)
        group = group[:last + 2]
    return group


def _negated(doc, cue_start: int) -> bool:
    before = doc[max(0, cue_start - 3):cue_start]
    return any(t.lower_ in NEGATIONS for t in before)


def _evidence(text: str, start: int, end: int, cue_start: int) -> tuple[int, int]:
    if len(text[start:end].split()) > MAX_EVIDENCE_WORDS or end - start > MAX_EVIDENCE_CHARS:
        start = cue_start
    while len(text[start:end].split()) > MAX_EVIDENCE_WORDS or end - start > MAX_EVIDENCE_CHARS:
        end = text.rfind(" ", start, end - 1)
        if end <= start:
            break
    return start, end


def propose(text: str, *, store=None, date: str | None = None) -> list[Proposal]:
    """Proposed claims for ``text``, in text order.

    Parameters
    ----------
    text : str
        The article (plain text).
    store : graph.store.Store, optional
        Where actor labels and aliases come from (an empty store or None: the bundled entities).
    date : str, optional
        The article's date (``YYYY-MM-DD``): leaders of the lexicon are only recognised while
        in office on that date.

    Returns
    -------
    list of Proposal
        One per (actor, relation, target); the same triple in two sentences gives two
        proposals (each with its own evidence).

    Raises
    ------
    ValueError
        For a malformed date.
    """
    if date is not None:
        dt.date.fromisoformat(date)
    doc = _nlp()(text)
    names = store_names(store)
    mentions = _mentions(doc, names, date)
    dates = target_dates(store)
    index = _target_index(names, dates)
    series = resolution_series(store)
    cue_spans = _cue_spans(doc)
    proposals: list[Proposal] = []
    seen = set()
    previous: list[Mention] = []
    earlier_targets: list[Mention] = []
    for number, sentence in enumerate(doc.sents):
        inside = [m for m in mentions
                  if sentence.start_char <= m.start and m.end <= sentence.end_char]
        last = None
        for span, cue in cue_spans:
            if not sentence.start <= span.start < sentence.end:
                continue
            paired = _pair(doc, sentence, inside, previous, span, cue, index, date, last,
                           earlier_targets)
            if paired is None:
                continue
            groups = paired if isinstance(paired, list) else [paired]
            last = groups[0]
            for actors, relation, targets in groups:
                targets = targets + _earlier_in_series(sentence.text, targets, series, dates)
                _add(proposals, seen, text, (number, sentence), span, cue, actors, relation,
                     targets)
        if any(m.kind == "actor" for m in inside):
            previous = inside
        earlier_targets = _named_targets(doc, sentence, inside, proposals, number, index, date)
    return proposals


def _add(proposals, seen, text, where, span, cue, actors, relation, targets) -> None:
    """Append the proposals of one (actors, relation, targets) group, once per evidence.

    The evidence is the cue's sentence from its first to its last mention (names of the
    sentence before, which pronouns and back references stand for, are not quoted)."""
    number, sentence = where
    here = [m for m in actors + targets
            if sentence.start_char <= m.start and m.end <= sentence.end_char]
    start = min([m.start for m in here] + [span.start_char])
    end = max([m.end for m in here] + [span.end_char])
    start, end = _evidence(text, start, end, span.start_char)
    for actor in actors:
        if actor.kind != "actor":
            continue
        for target in targets:
            if target.node == actor.node:
                continue
            key = (actor.node, relation, target.node, start, end)
            if key in seen:
                continue
            seen.add(key)
            proposals.append(Proposal(
                actor=actor.node, relation=relation, target=target.node,
                evidence=text[start:end], start=start, end=end, cue=span.text,
                cameo=cue.cameo, sentence=number, mentions=[actor, target]))


def _named_targets(doc, sentence, inside, proposals, number, index, date) -> list[Mention]:
    """The issues, resolutions and events a sentence is about, for the next sentence to refer
    to: those its proposals have as targets, else those it names, else the store target
    whose words it contains (:func:`_fuzzy_target` over the whole sentence)."""
    found = [t for p in proposals if p.sentence == number
             for t in p.mentions[1:] if t.kind == "target" and t.origin != "series"]
    found = found or [m for m in inside if m.kind == "target"]
    if not found:
        fuzzy = _fuzzy_target(doc, sentence.start, sentence.end, index, date)
        found = [fuzzy] if fuzzy is not None else []
    return found


def _clause_end(doc, sentence, first: int, limit: int) -> int:
    """The token index where the clause starting at ``first`` ends (at most ``limit`` on)."""
    end_token = min(sentence.end, first + limit)
    for token in doc[first:end_token]:
        if token.text in _CLAUSE_ENDS:
            return token.i
    return end_token


def _pair(doc, sentence, inside, previous, span, cue, index, date, last=None,
          earlier_targets=()):
    """(actors, relation, targets) for one cue of a sentence, a list of two such groups (see
    the last rule), or None.

    The actor and target stand close to the cue: the subject of its clause and its object, not
    any name elsewhere in a long sentence. Rules, in order:

    - passive voice: a cue followed by "by" and an actor ("was criticised by Japan") takes
      that actor, and the mention before the cue (or the store target named there) as its
      target;
    - a participle ("-ing") right after the targets of the sentence's previous cue has that
      cue's actors ("Kim sent messages to Cuba and Laos calling for ..." -> Kim calls);
    - the actor is the nearest actor mention before the cue (with those coordinated with it),
      or a pronoun nearer the cue than any mention ("it", "they", "its"...), resolved to the
      last actor named before it in the sentence, else to the first actor (the usual subject)
      of the last sentence that named one (a simple rule, for a coder to check);
    - targets are the nearest mention after the cue within its clause (with those coordinated
      with it); after a topic preposition ("agree on North Korea") only issues, resolutions
      and events count, not actors; a store issue, resolution or event whose label's content
      words appear in the clause (:func:`_fuzzy_target`) is a target too, and replaces an
      actor that only owns it ("Washington's emphasis on the pressure campaign"), and a cue
      that is itself a word of that label ("countering terrorism") is no cue;
    - "either country", "both countries", "the two governments" right after the cue stand for
      the last coordinated list of actors (:func:`_group_anaphor`);
    - a cue with no target after it looks back: in a relative clause ("a move the United
      States downplayed") to what the sentence named before the actors, at the end of a
      sentence naming no target to the last issue, resolution or event of the sentence
      before (:func:`_named_targets`; "... were among the co-sponsors.");
    - a symmetric relation with coordinated actors and no target pairs the actors;
    - agreeing on, coordinating on or calling for an issue, resolution or event
      (:data:`ISSUE_RELATIONS`) supports it; coordinated actors agreeing on it are also
      aligned with each other (the second group).
    """
    relation = "declined" if _negated(doc, span.start) else cue.relation
    end_token = _clause_end(doc, sentence, span.end, MAX_TARGET_GAP)
    reach_after = doc[end_token - 1].idx + len(doc[end_token - 1]) \
        if end_token > span.end else span.end_char
    after = [i for i, m in enumerate(inside)
             if m.start >= span.end_char and m.start < reach_after]
    if after and span.end < len(doc) and doc[span.end].lower_ == "by" \
            and inside[after[0]].kind == "actor" \
            and inside[after[0]].start <= doc[span.end].idx + 4:
        # Passive voice: "X was criticised by Y" -> Y criticizes X.
        actors = _coordinated(doc, inside, after[0], +1)
        before = [i for i, m in enumerate(inside) if m.end <= span.start_char]
        if before:
            targets = sorted(_coordinated(doc, inside, before[-1], -1), key=lambda m: m.start)
        else:
            back = _fuzzy_target(doc, sentence.start, span.start, index, date)
            if back is None:
                return None
            targets = [back]
        return [m for m in actors if m.kind == "actor"], relation, targets
    actors = _actors_before(doc, sentence, inside, previous, span)
    if last is not None and actors and span[0].lower_.endswith("ing") \
            and {m.node for m in actors} <= {m.node for m in last[2]}:
        actors = last[0]
    if not actors:
        return None
    topic = span.end < len(doc) and doc[span.end].lower_ in _TOPIC
    if topic:
        # "agree on North Korea": what they agree about, not with whom.
        after = [i for i in after if inside[i].kind == "target"]
    targets = _coordinated(doc, inside, after[0], +1) if after else []
    if not targets:
        targets = _group_anaphor(doc, span, end_token, inside, previous)
    fuzzy = _fuzzy_target(doc, span.start,
                          _clause_end(doc, sentence, span.end, MAX_TARGET_GAP + 4), index, date)
    if fuzzy is not None and fuzzy.start < span.end_char:
        return None  # the cue is a word of the target's name ("countering terrorism")
    if fuzzy is not None and not any(t.node == fuzzy.node for t in targets):
        # An owner ("Washington's emphasis on ...") or a name inside the matched words
        # ("human rights" in "Human Rights Council resolution", "Nile" in "the Nile dam
        # project") gives way; names after the matched words are not the cue's object
        # ("support for the corridor surprised observers in Nairobi"); an object named first
        # keeps the cue ("sent messages to Chile calling for a treaty": the treaty belongs to
        # "calling for").
        targets = [t for t in targets
                   if not (t.end <= fuzzy.start and _possessive(doc, t))
                   and not fuzzy.start <= t.start < fuzzy.end]
        if not targets or targets[0].start > fuzzy.start:
            targets = [fuzzy]
    if not targets and (_ends_clause(doc, sentence, span.end)
                        or doc[span.end].lower_ in _PREPOSITIONS):
        # "a move the United States and South Korea downplayed (in ...)": a relative clause
        # whose verb has no object after it refers back to what the sentence named before
        # the actors.
        first_actor = doc.char_span(actors[0].start, actors[0].end, alignment_mode="expand")
        if first_actor is not None:
            back = _fuzzy_target(doc, sentence.start, first_actor.start, index, date)
            named = [m for m in inside if m.kind == "target" and m.end <= actors[0].start]
            targets = [back] if back is not None else named[-1:]
        if not targets and _ends_clause(doc, sentence, span.end) and earlier_targets:
            # "The United States and Japan were among the co-sponsors.": a cue with nothing
            # after it, in a sentence that names no target, refers to the last issue,
            # resolution or event proposed in the sentence before.
            targets = earlier_targets[-1:]
    if not targets:
        if len(actors) > 1 and relations()[relation].symmetric:
            # "Kim Jong Un and Xi Jinping ... cooperate": a symmetric stance between them.
            return actors[:1], relation, actors[1:]
        return None
    if relation in ISSUE_RELATIONS and all(t.kind == "target" for t in targets):
        # Agreeing, coordinating or calling for an issue, event or resolution supports it.
        if len(actors) > 1 and relations()[relation].symmetric:
            # "Kim and Xi reaffirmed their cooperation on X": aligned with each other too.
            return [(actors, ISSUE_RELATIONS[relation], targets),
                    (actors[:1], relation, actors[1:])]
        relation = ISSUE_RELATIONS[relation]
    return actors, relation, targets


#: Relations between actors that mean support when their target is an issue, a resolution
#: or an event ("cooperate on countering terrorism", "calling for stronger ties").
ISSUE_RELATIONS = {"alignedWith": "supports", "appealsTo": "supports"}


def _ends_clause(doc, sentence, at: int) -> bool:
    """Whether token ``at`` ends the clause (punctuation, the sentence's end)."""
    return at >= sentence.end or doc[at].text in _CLAUSE_ENDS or doc[at].text in ("—", "–")


#: Words after "either", "both", "each", "the two" that stand for a pair named before.
_GROUP_NOUNS = frozenset({"country", "countries", "state", "states", "government",
                          "governments", "side", "sides", "capital", "capitals", "of"})


def _group_anaphor(doc, span, end_token, inside, previous) -> list[Mention]:
    """The actors "either country", "both countries", "the two governments" (right after
    the cue) stand for: the last coordinated list of two or more actors named before the cue
    in the sentence, else in the sentence before."""
    words = [t.lower_ for t in doc[span.end:min(end_token, span.end + 3)]]
    if words[:2] == ["the", "two"]:
        words = words[2:]
    elif words[:1] in (["either"], ["both"], ["each"]):
        words = words[1:]
    else:
        return []
    if not words or words[0] not in _GROUP_NOUNS:
        return []
    for mentions in ([m for m in inside if m.end <= span.start_char], previous):
        actors = [m for m in mentions if m.kind == "actor"]
        for i in range(len(actors) - 1, 0, -1):
            group = _coordinated(doc, actors, i, -1)
            if len(group) >= 2:
                return sorted(group, key=lambda m: m.start)
    return []


#: Pronouns that stand for an actor named before them.
PRONOUNS = frozenset({"it", "its", "they", "their", "them", "he", "his", "she", "her"})


def _actors_before(doc, sentence, inside, previous, span) -> list[Mention]:
    """The cue's actors: the nearest mention before it (and its coordinated ones), or the
    actor a nearer pronoun stands for (see :func:`_pair`)."""
    first = max(sentence.start, span.start - MAX_ACTOR_GAP)
    reach_before = doc[first].idx
    before = [i for i, m in enumerate(inside)
              if reach_before <= m.start and m.end <= span.start_char and m.kind == "actor"]
    last_end = inside[before[-1]].end if before else reach_before
    pronouns = [t for t in doc[first:span.start]
                if t.lower_ in PRONOUNS and t.idx >= last_end]
    if pronouns:
        earlier = [m for m in inside if m.kind == "actor" and m.end <= pronouns[-1].idx]
        if earlier:
            return [earlier[-1]]
        named = [m for m in previous if m.kind == "actor"]
        return named[:1]
    if not before:
        return []
    return sorted(_coordinated(doc, inside, before[-1], -1), key=lambda m: m.start)


def _possessive(doc, mention: Mention) -> bool:
    """Whether the mention is followed by "'s" ("Washington's")."""
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    return span is not None and span.end < len(doc) and doc[span.end].lower_ in ("'s", "’s")


# ------------------------------------------------------------------------------ fuzzy targets

_MONTHS = frozenset({"january", "february", "march", "april", "may", "june", "july", "august",
                     "september", "october", "november", "december"})
#: How recent (days before the text's date) a dated event or resolution must be to win over
#: an undated issue with the same words.
RECENT_DAYS = 90


def _stem(word: str) -> str:
    """A crude stem: singular, no "-ing" ("missiles" -> "missile", "countering" -> "counter")."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@cache
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | _MONTHS


def _keywords(text: str) -> list[str]:
    """The content words of a label or a token: lower case, singular, no stop words, months
    or numbers ("US-ROK joint military exercises, March 2021" -> rok, joint, military,
    exercise)."""
    stop = _stop_words()
    return [_stem(w) for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 1 and w not in stop]


def _target_index(names, dates: dict[str, str]) -> dict[str, list[tuple]]:
    """Every label of the store's issues, resolutions and events (the targets
    :func:`_fuzzy_target` looks for) as ``(IRI, content words, common words, date)``, listed
    under each of its common words (so that a clause is compared with the labels sharing a
    word with it, not with all of them). Common words are those the label writes in lower
    case: not names ("North Korea"), which alone would make any sentence about a state match
    its issues."""
    index: dict[str, list[tuple]] = {}
    for phrase, node, kind, _ in names:
        if kind == "target":
            words = frozenset(_keywords(phrase))
            common = frozenset(w for part in re.findall(r"[A-Za-z]+", phrase)
                               if part.islower() for w in _keywords(part))
            if len(common) >= 2:
                entry = (node, words, common, dates.get(node, ""))
                for word in common:
                    index.setdefault(word, []).append(entry)
    return index


def _fuzzy_target(doc, first: int, end: int, index, on: str | None) -> Mention | None:
    """The store target whose label's content words best cover the words of ``doc[first:end]``.

    A label matches when at least two of its common (lower-case) content words, and at least
    half of all its content words, occur there ("criticizing U.S.-ROK military exercises"
    matches "US-ROK joint military exercises"). The most words matched win, then the best
    coverage of the label; on a tie, a dated node (event, resolution) of the
    :data:`RECENT_DAYS` before the text's date beats an undated one (issue), the most recent
    first; nodes dated after the text's date are skipped. The mention spans the matched words.
    """
    where: dict[str, list[int]] = {}
    for token in doc[first:end]:
        for word in _keywords(token.text):
            where.setdefault(word, []).append(token.i)
    if len(where) < 2:
        return None
    on_day = dt.date.fromisoformat(on) if on else None
    best, best_rank = None, None
    entries = {entry for word in where for entry in index.get(word, ())}
    for node, words, common, when in sorted(entries, key=lambda e: (e[0], sorted(e[1]))):
        matched = words & where.keys()
        if len(common & matched) < 2 or 2 * len(matched) < len(words):
            continue
        recency = 0
        if when and on_day is not None:
            age = (on_day - dt.date.fromisoformat(when[:10])).days
            if age < 0:
                continue
            recency = 2 if age <= RECENT_DAYS else -1
            recency_days = -age
        else:
            recency_days = 0
        rank = (len(matched), len(matched) / len(words), recency, recency_days)
        if best_rank is None or rank > best_rank:
            best, best_rank = (node, matched), rank
    if best is None:
        return None
    node, matched = best
    positions = [i for word in matched for i in where[word]]
    span = doc[min(positions):max(positions) + 1]
    return Mention(span.start_char, span.end_char, span.text, node, "target", "store")


_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "ninth": 9, "tenth": 10}
_CONSECUTIVE = re.compile(
    r"\b(?:for )?the (\w+) (?:consecutive|straight|successive) (?:year|time|session)\b"
    r"|\b(?:for )?the (\w+) (?:year|time) (?:running|in a row)\b", re.IGNORECASE)


def _earlier_in_series(sentence: str, targets: list[Mention], series: dict[str, str],
                       dates: dict[str, str]) -> list[Mention]:
    """"Declined to co-sponsor the resolution for the third consecutive year": the resolutions
    of the same series (``sg:inSeries``) adopted in the years before, as many as the ordinal
    says (two more for "third"), latest first. Their mentions are the resolution's own, with
    the origin ``series``."""
    match = _CONSECUTIVE.search(sentence)
    if match is None:
        return []
    word = (match.group(1) or match.group(2)).lower()
    number = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", word)
    count = int(number.group(1)) if number else _ORDINALS.get(word, 0)
    found = []
    for target in targets:
        group, when = series.get(target.node), dates.get(target.node, "")
        if group is None or not when:
            continue
        earlier = sorted((dates[node], node) for node, other in series.items()
                         if other == group and dates.get(node, "9") < when)
        for _, node in earlier[::-1][:max(count - 1, 0)]:
            found.append(Mention(target.start, target.end, target.text, node, "target",
                                 "series"))
    return found


def resolution_series(store) -> dict[str, str]:
    """``{resolution IRI: series IRI}`` (``sg:inSeries``) of the store, else of the bundled
    entities."""
    rows = []
    if store is not None:
        rows = [(str(r[0]), str(r[1])) for r in store.query(
            "SELECT ?x ?s WHERE { ?x sg:inSeries ?s }")]
    if not rows:
        from graph.vocab import SG

        rows = [(str(x), str(g)) for x, g in _bundled().subject_objects(SG.inSeries)]
    return dict(rows)


def target_dates(store) -> dict[str, str]:
    """``{IRI: ISO date}`` of the store's dated targets (``sg:eventDate`` of events,
    ``sg:adoptedOn`` of resolutions); an empty store (or None): the bundled entities'."""
    rows = []
    if store is not None:
        rows = [(str(r[0]), str(r[1])) for r in store.query(
            "SELECT ?x ?d WHERE { { ?x sg:eventDate ?d } UNION { ?x sg:adoptedOn ?d } }")]
    if not rows:
        from graph.vocab import SG

        graph = _bundled()
        rows = [(str(x), str(d)) for prop in (SG.eventDate, SG.adoptedOn)
                for x, d in graph.subject_objects(prop)]
    return {node: when[:10] for node, when in rows}


def mentions(text: str, *, store=None, date: str | None = None) -> list[Mention]:
    """The actor and target mentions of ``text`` (what the coding page highlights)."""
    return _mentions(_nlp()(text), store_names(store), date)


def proposal_rows(proposals: list[Proposal], source: str, *, date: str | None = None,
                  prefix: str = "p") -> list[dict[str, str]]:
    """Proposals in the spreadsheet layout (:data:`graph.sources.spreadsheet.COLUMNS`)."""
    from graph.sources.spreadsheet import COLUMNS

    rows = []
    for i, p in enumerate(proposals, 1):
        row = dict.fromkeys(COLUMNS, "")
        row.update({
            "claim_id": f"{source}-{prefix}{i:02d}", "actor": short(p.actor),
            "relation": p.relation, "target": short(p.target), "date": date or "",
            "source": f"source:{source}" if ":" not in source else source,
            "evidence": p.evidence, "evidence_start": str(p.start),
            "evidence_end": str(p.end), "note": f"proposed: cue {p.cue!r} (CAMEO {p.cameo})",
        })
        rows.append(row)
    return rows


def source_date(store, source: URIRef) -> str | None:
    """The ``dcterms:issued`` date of a source the store (or the bundled data) declares."""
    if store is not None:
        rows = list(store.query(f"SELECT ?d WHERE {{ <{source}> dcterms:issued ?d }}"))
        if rows:
            return str(rows[0][0])[:10]
    from rdflib.namespace import DCTERMS

    from graph.resources import bundled_sources
    from graph.sources.turtle import read_turtle

    for path in bundled_sources():
        if "source:" + str(source).rsplit("/", 1)[-1] in path.read_text(encoding="utf-8"):
            issued = read_turtle(path).value(URIRef(source), DCTERMS.issued)
            if issued is not None:
                return str(issued)[:10]
    return None

