"""Descriptions: words that name a registry entity without its label or an alias, resolved by rules on the registry's
own names and on the text (spaCy's Matcher on the blank pipeline; no model).

- *A name without the entities it names.* A label or alias that names other entities of the registry ("Russian oil
  sector" names russia; "Russia–Ukraine war" russia and ukraine) stands for its entity without them ("the oil sector",
  "the oil and gas sectors") or with a pronoun in their place ("Ukrainian regions he claims to have annexed"), when
  the text names those entities elsewhere; a single word left ("war") needs a possessive before it ("his war"). With
  the entities it names given after its last word ("a deal between Moscow and Washington", or "Moscow could strike a
  deal with the U.S."), that word alone stands for it.
- *A title.* A registry person named after a title ("Governor Ilya Seredyuk", "Russian President Vladimir Putin") is
  who "the governor" is later in the text; "the Ukrainian president" is not Putin (the words before the title differ).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from sanctiongraph.annotate.language import english

TITLES = {"president", "governor", "minister", "economist", "professor", "mr", "ms", "mrs", "dr", "ceo", "chief",
          "spokesman", "spokeswoman", "spokesperson", "analyst", "chairman", "director", "senator", "secretary",
          "researcher", "adviser", "advisor", "prime"}
POSSESSIVES = ["his", "her", "its", "their"]
SUBSTITUTES = [*POSSESSIVES, "he", "she", "it", "they"]  # what may stand in a description where a name stood
JOINERS = {"–", "-", "—", "'s", "’s", "of", "the", "on"}  # words that go with a name left out ("Bank of", "Russia’s")
TITLE_WORDS = 2  # words before a title that qualify it ("Kemerovo regional governor", "Russian President")
RELATION_REACH = 8  # tokens after "between" in which the entities a name names are looked for

Named = tuple[str, int, int]  # an entity, and the tokens (start, end) of the words that name it
Pattern = dict[str, Any]  # one token of a spaCy Matcher pattern


@dataclass(frozen=True)
class Description:
    """A registry name as a description: its words, None where it names other entities (a slot), and those entities."""

    entity: str
    words: tuple[str | None, ...]
    omitted: frozenset[str]

    @property
    def content(self) -> list[str]:
        return [w for w in self.words if w is not None and w.isalpha() and w not in STOP_WORDS]

    @property
    def head(self) -> str:
        return next(w for w in reversed(self.words) if w is not None)


def description(entity: str, name: Doc, parts: list[Named]) -> Description | None:
    """The description of an entity that a name of it gives (its tokens, the other entities named in it), if any."""
    slots = {i for _, start, end in parts for i in range(start, end)}
    if not slots:
        return None
    for i in range(len(name)):  # the words that go with a name left out, at its side
        if name[i].lower_ in JOINERS and ({i - 1, i + 1} & slots):
            slots.add(i)
    words: list[str | None] = []
    for i, token in enumerate(name):
        if i not in slots:
            words.append(token.lower_)
        elif not words or words[-1] is not None:
            words.append(None)
    found = Description(entity, tuple(words), frozenset(e for e, _, _ in parts))
    return found if found.content else None


def find_descriptions(doc: Doc, descriptions: tuple[Description, ...], named: list[Named], persons: set[str]) -> list[Named]:
    """The descriptions of registry entities in doc, outside the words already named, and the persons (of these
    entities) referred to by their title, in text order."""
    taken = {i for _, start, end in named for i in range(start, end)}
    found = [*_matched(doc, descriptions, named, taken), *_related(doc, descriptions, named, taken),
             *_titled(doc, [n for n in named if n[0] in persons], taken)]
    spans = filter_spans([Span(doc, start, end, label=entity) for entity, start, end in found])
    return [(span.label_, span.start, span.end) for span in sorted(spans, key=lambda span: span.start)]


def _forms(word: str) -> list[str]:
    """A word and its plural (or singular)."""
    forms = {word, word + "s", word + "es"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    if word.endswith("s"):
        forms.add(word[:-1])
    return sorted(forms)


def _patterns(described: Description) -> Iterable[tuple[str, list[Pattern]]]:
    """The Matcher patterns of a description: whole; and, for words that run together, each side of a coordination
    ("oil" and "gas sectors" in "oil and gas sectors")."""
    single = len(described.content) == 1
    if single and described.words[0] is not None:
        return
    whole: list[Pattern] = []
    for n, word in enumerate(described.words):
        if word is None:
            whole.append({"LOWER": {"IN": POSSESSIVES}} if single and n == 0 else {"LOWER": {"IN": SUBSTITUTES}, "OP": "?"})
        else:
            whole.append({"LOWER": {"IN": _forms(word)}})
    yield "whole", whole
    at = [n for n, word in enumerate(described.words) if word is not None]
    words = [described.words[n] for n in at]
    if len(words) < 2 or None in described.words[at[0]:at[-1] + 1]:
        return
    modifiers: list[Pattern] = [{"LOWER": word} for word in words[:-1]]
    head: Pattern = {"LOWER": {"IN": _forms(str(words[-1]))}}
    conjunction: Pattern = {"LOWER": {"IN": ["and", "or"]}}
    yield "first", [*modifiers, conjunction, {"IS_ALPHA": True}, head]
    yield "second", [{"IS_ALPHA": True}, conjunction, *modifiers, head]


@lru_cache(maxsize=8)
def _matcher(descriptions: tuple[Description, ...]) -> Matcher:
    matcher = Matcher(english().vocab)
    for n, described in enumerate(descriptions):
        for kind, pattern in _patterns(described):
            matcher.add(f"{n} {kind}", [pattern])
    return matcher


def _matched(doc: Doc, descriptions: tuple[Description, ...], named: list[Named], taken: set[int]) -> list[Named]:
    by_span: dict[tuple[int, int], set[int]] = {}
    for key, start, end in _matcher(descriptions)(doc):
        number, kind = english().vocab.strings[key].split()
        if kind == "first":
            end = start + sum(w is not None for w in descriptions[int(number)].words) - 1
        elif kind == "second":
            start += 2
        if not taken & set(range(start, end)):
            by_span.setdefault((start, end), set()).add(int(number))
    found = []
    for (start, end), numbers in by_span.items():
        entity = _likeliest([descriptions[n] for n in numbers], named, start)
        if entity is not None:
            found.append((entity, start, end))
    return found


def _likeliest(candidates: list[Description], named: list[Named], at: int) -> str | None:
    """Of the entities a description may stand for, the one whose left-out entities the text names, the nearest
    before it; None when the text names none of them or two are as near."""
    mentioned = {entity for entity, _, _ in named}
    last: dict[str, int] = {}
    for entity, start, _ in named:
        if start < at:
            last[entity] = start
    scored = {(max(last.get(e, -1) for e in d.omitted), d.entity) for d in candidates if d.omitted <= mentioned}
    nearest = {entity for score, entity in scored if score == max(scored)[0]}
    return nearest.pop() if len(nearest) == 1 else None


def _related(doc: Doc, descriptions: tuple[Description, ...], named: list[Named], taken: set[int]) -> list[Named]:
    """A description's last word followed by the entities its name names: "deal between A and B", or "A … deal
    with B" (A earlier in the same sentence)."""
    starts = {start: entity for entity, start, _ in named}
    found = []
    for described in (d for d in descriptions if len(d.omitted) > 1):
        forms = _forms(described.head)
        for token in doc:
            i = token.i
            if i in taken or token.lower_ not in forms or i + 2 >= len(doc):
                continue
            after = [starts[j] for j in range(i + 2, min(i + 2 + RELATION_REACH, _sentence_end(doc, i))) if j in starts]
            if doc[i + 1].lower_ == "between":
                given = set(after[:len(described.omitted)])
            elif doc[i + 1].lower_ == "with" and after and starts.get(i + 2, starts.get(i + 3)) == after[0]:
                before = {starts[j] for j in range(_sentence_start(doc, i), i) if j in starts}
                given = {after[0]} | (before & (described.omitted - {after[0]}))
            else:
                continue
            if given == described.omitted:
                found.append((described.entity, i, i + 1))
    return found


def _titled(doc: Doc, named: list[Named], taken: set[int]) -> list[Named]:
    """"the governor" (or "the regional governor") for the one person named after that title earlier in the text
    (named: the persons named)."""
    titled: dict[str, dict[str, set[str]]] = {}  # title -> person -> the words before the title
    found = []
    persons = {start: entity for entity, start, _ in named}
    for token in doc:
        i = token.i
        if i in persons and i > 0 and doc[i - 1].lower_ in TITLES:
            qualifiers = {t.lower_ for t in doc[max(0, i - 1 - TITLE_WORDS):i - 1] if t.is_alpha}
            titled.setdefault(doc[i - 1].lower_, {}).setdefault(persons[i], set()).update(qualifiers)
        elif i > 0 and token.lower_ in titled and i not in taken and len(titled[token.lower_]) == 1:
            (person, qualifiers), = titled[token.lower_].items()
            start = i - 1
            if start > 0 and doc[start].is_alpha and doc[start].lower_ in qualifiers:
                start -= 1
            if doc[start].lower_ == "the" and not taken & set(range(start, i)):
                found.append((person, start, i + 1))
    return found


def _sentence_start(doc: Doc, i: int) -> int:
    while i > 0 and doc[i - 1].text not in {".", "!", "?"} and "\n" not in doc[i - 1].whitespace_:
        i -= 1
    return i


def _sentence_end(doc: Doc, i: int) -> int:
    while i < len(doc) and doc[i].text not in {".", "!", "?"} and "\n" not in doc[i].whitespace_:
        i += 1
    return i

