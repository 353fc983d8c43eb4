"""Mentions of registry entities (labels and aliases, case and inflection tolerant, fuzzy for near misses), and
names that are not in the registry, as candidates for new entries with a guessed type."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz import fuzz
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from sanctiongraph.annotate.descriptions import TITLES, Description, description, find_descriptions
from sanctiongraph.annotate.language import char_span, english
from sanctiongraph.builder.source_text import Span
from sanctiongraph.builder.sources import Item
from sanctiongraph.namespaces import SG

FUZZY_CUTOFF = 75  # rapidfuzz ratio of a capitalised word to a registry name that shares its first letters
WORD_PENALTY = 15  # off the score of a near miss of a name's first word, per further word of the name
STEM = 4  # letters a near miss shares with the name at its start ("Russian" for Russia)
_CONNECTORS = {"of", "for", "on", "de"}
_ORGANISATION_WORDS = {"bank", "company", "corp", "corporation", "inc", "group", "centre", "center", "university",
                       "ministry", "agency", "council", "institute", "association", "commission", "office",
                       "department", "pao", "ltd", "plc", "news", "times", "post", "fund", "party", "committee",
                       "parliament", "reuters", "court", "exchange", "service", "board", "authority"}
_PLACE_WORDS = {"region", "oblast", "province", "city", "republic", "island", "islands", "sea", "port", "krai",
                "district", "county", "state", "valley", "basin"}
_CALENDAR = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
             "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}


@dataclass(frozen=True)
class Mention:
    """Words of the text that name an entity: a registry ID (how it was found: label, alias, fuzzy), or a
    candidate for a new registry entry (entity None, a guessed type)."""

    entity: str | None
    span: Span
    text: str
    how: str  # label, alias, fuzzy, description, title, candidate
    type: str  # the registry class's local name, or the guessed one


def find_mentions(doc: Doc, registry: dict[str, Item]) -> list[Mention]:
    """Every mention of a registry entity in doc (by a name, or by a description: descriptions.py), and the candidate
    names, in text order."""
    names = _names(tuple((entity, item.cls.removeprefix(SG), tuple(item.labels.get("label", [])),
                          tuple(item.labels.get("aliases", []))) for entity, item in registry.items()))
    found = names.mentions(doc)
    named = [(m.entity, *_tokens(doc, m.span)) for m in found if m.entity]
    persons = {entity for entity, type in names.types.items() if type == "Person"}
    for entity, start, end in find_descriptions(doc, names.descriptions, named, persons):
        how = "title" if entity in persons else "description"
        found.append(Mention(entity, char_span(doc, start, end), doc[start:end].text, how, names.types[entity]))
    taken = {i for m in found for i in range(*_tokens(doc, m.span))}
    inside = {t.text for i, t in enumerate(doc) if i > 0 and not _opens_sentence(doc, i)}
    for start, end in _capitalised_runs(doc, taken):
        words = doc[start:end]
        if end - start > 1 or words.text in inside:
            found.append(Mention(None, char_span(doc, start, end), words.text, "candidate", _guess_type(doc, start, end)))
    return sorted(found, key=lambda m: m.span.start)


Entry = tuple[str, str, tuple[str, ...], tuple[str, ...]]  # a registry entity: ID, class (local name), labels, aliases


@lru_cache(maxsize=8)
def _names(entries: tuple[Entry, ...]) -> _Names:
    """The names of a registry, read once for the texts annotated with it."""
    return _Names(entries)


class _Names:
    """The registry's labels and aliases, the spaCy matchers that find them, and the descriptions they give."""

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self.types = {entity: cls for entity, cls, _, _ in entries}
        self.names: dict[str, tuple[str, str]] = {}  # name -> (entity, label or alias)
        for entity_id, _, labels, aliases in entries:
            for how, names in (("alias", aliases), ("label", labels)):
                for name in names:
                    self.names[name] = (entity_id, how)
        self.exact = PhraseMatcher(english().vocab, attr="ORTH")  # acronyms (US, EU, CREA): case matters
        self.folded = PhraseMatcher(english().vocab, attr="LOWER")
        for name in self.names:
            matcher = self.exact if name.isupper() and len(name) <= 5 else self.folded
            spellings = {name, name.replace("'", "’"), name.replace("’", "'")}  # either apostrophe
            matcher.add(name, [english().make_doc(spelling) for spelling in sorted(spellings)])

    def mentions(self, doc: Doc, apart: str | None = None) -> list[Mention]:
        """The mentions of registry entities by their labels and aliases, exact or near misses, but of `apart`."""
        keyed = {(start, end): english().vocab.strings[key] for matcher in (self.exact, self.folded)
                 for key, start, end in matcher(doc)}
        spans = [doc[start:end] for (start, end), name in keyed.items() if self.names[name][0] != apart]
        found: list[Mention] = []
        taken: set[int] = set()
        for span in filter_spans(spans):
            entity_id, how = self.names[keyed[(span.start, span.end)]]
            found.append(Mention(entity_id, char_span(doc, span.start, span.end), span.text, how, self.types[entity_id]))
            taken.update(range(span.start, span.end))
        names = {name: value for name, value in self.names.items() if value[0] != apart}
        for i, token in enumerate(doc):
            near = None if i in taken or not _is_name_word(token.text) else _near_miss(token.text, names)
            if near is not None:
                entity_id = names[near][0]
                found.append(Mention(entity_id, char_span(doc, i, i + 1), token.text, "fuzzy", self.types[entity_id]))
        return found

    @cached_property
    def descriptions(self) -> tuple[Description, ...]:
        """The descriptions that the registry's labels and aliases give (those that name other entities)."""
        found = []
        for name, (entity, _) in self.names.items():
            words = english().make_doc(name)
            described = description(entity, words, [(m.entity, *_tokens(words, m.span)) for m in self.mentions(words, entity)
                                                    if m.entity])
            if described is not None:
                found.append(described)
        return tuple(found)


def _tokens(doc: Doc, span: Span) -> tuple[int, int]:
    """The tokens (start, end) of a span of characters of doc."""
    words = doc.char_span(span.start, span.end)
    assert words is not None, span
    return words.start, words.end


def _capitalised_runs(doc: Doc, taken: set[int]) -> list[tuple[int, int]]:
    """Runs of capitalised words (joined by of, for, on) outside the registry's matches."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(doc):
        if i in taken or not _is_name_word(doc[i].text):
            i += 1
            continue
        end = i + 1
        while end < len(doc) and end not in taken and (
                _is_name_word(doc[end].text)
                or (doc[end].lower_ in _CONNECTORS and end + 1 < len(doc) and _is_name_word(doc[end + 1].text))):
            end += 1
        start = i
        while start < end and doc[start].lower_ in STOP_WORDS | TITLES:  # "The", "In", "President"
            start += 1
        if start < end:
            runs.append((start, end))
        i = end
    return runs


def _opens_sentence(doc: Doc, i: int) -> bool:
    return i == 0 or doc[i - 1].text in {".", "!", "?", ":", "“", "\"", "—"} or "\n" in doc[i - 1].whitespace_ + doc[i - 1].text


def _is_name_word(word: str) -> bool:
    return word[:1].isupper() and word.isalpha() and word.lower() not in _CALENDAR


def _near_miss(word: str, names: dict[str, tuple[str, str]]) -> str | None:
    """The registry name a capitalised word is an inflection or a misspelling of, if one is close enough."""
    if len(word) < STEM + 1 or word.lower() in STOP_WORDS:
        return None
    scored = []
    for name in names:
        first, *rest = name.split()
        if first[:STEM].lower() == word[:STEM].lower():
            whole = fuzz.ratio(word, name, processor=str.lower)
            head = fuzz.ratio(word, first, processor=str.lower) - WORD_PENALTY * len(rest)
            scored.append((max(whole, head), -len(name), name))
    best = max(scored, default=None)
    return None if best is None or best[0] < FUZZY_CUTOFF else best[2]


def _guess_type(doc: Doc, start: int, end: int) -> str:
    words = {t.lower_ for t in doc[start:end]}
    before = doc[start - 1].lower_ if start > 0 else ""
    if words & _ORGANISATION_WORDS or (end - start == 1 and doc[start].text.isupper()):
        return "Organization"
    if words & _PLACE_WORDS or before in {"in", "from", "near", "to"}:
        return "Place"
    if before in TITLES or (end < len(doc) and doc[end].lower_ in {"said", "says", "told", "wrote"}) or end - start in (2, 3):
        return "Person"
    return "Place"
