"""Sanction, trade and causal cues ("embargo", "sanctions list", "imports", "due to") as drafts of the matching
statement types, with the entities and commodities their sentence names."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from sanctiongraph.annotate.language import english
from sanctiongraph.annotate.mentions import Mention
from sanctiongraph.builder.source_text import Sentence

# cue words -> (statement type, measure kind or None)
CUES: dict[str, tuple[str, str | None]] = {
    **{w: ("TradeRestriction", "embargo") for w in ("embargo", "embargoes", "embargoed")},
    **{w: ("TradeRestriction", "import-ban") for w in ("import ban", "ban on imports", "banned imports", "ban on imports of")},
    **{w: ("TradeRestriction", "export-ban") for w in ("export ban", "ban on exports", "banned exports")},
    **{w: ("Listing", "listing") for w in ("sanctions list", "blacklist", "blacklisted", "designated", "listed")},
    **{w: ("SanctionMeasure", "asset-freeze") for w in ("asset freeze", "froze", "frozen assets")},
    **{w: ("SanctionMeasure", None) for w in ("sanction", "sanctions", "sanctioned")},
    **{w: ("TradeFlow", None) for w in ("import", "imports", "imported", "export", "exports", "exported",
                                         "purchases", "purchased", "buys", "bought", "shipments")},
    **{w: ("Causation", None) for w in ("as a result", "due to", "amid", "because of", "caused by", "owing to",
                                         "led to", "resulting in", "as a consequence")},
}
_PLACES = {"Country", "IntergovernmentalOrganization", "GovernmentBody"}
_LISTABLE = {"Company", "Organization"}


@dataclass(frozen=True)
class Cue:
    type: str
    sentence: Sentence
    words: list[str]
    fields: dict[str, Any]


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher:
    matcher = PhraseMatcher(english().vocab, attr="LOWER")
    for words in CUES:
        matcher.add(words, [english().make_doc(words)])
    return matcher


@lru_cache(maxsize=4)
def _commodities(names: tuple[tuple[str, str], ...]) -> PhraseMatcher:
    matcher = PhraseMatcher(english().vocab, attr="LOWER")
    for value, label in names:
        matcher.add(value, [english().make_doc(label)])
    return matcher


def find_cues(doc: Doc, sentences: list[Sentence], mentions: list[Mention], commodities: dict[str, str],
              measure_kinds: set[str]) -> list[Cue]:
    """One cue per sentence and statement type (and measure kind), with what the sentence names."""
    commodity_matcher = _commodities(tuple(sorted(commodities.items())))
    found: dict[tuple[int, str, str | None], Cue] = {}
    for key, start, end in sorted(_matcher()(doc), key=lambda m: (m[1], -m[2])):
        words = english().vocab.strings[key]
        at = doc[start].idx
        sentence = next((s for s in sentences if s.span.start <= at < s.span.end), None)
        if sentence is None:
            continue
        cls, kind = CUES[words]
        entry = found.get((sentence.index, cls, kind))
        if entry is not None:
            entry.words.append(doc[start:end].text)
            continue
        found[(sentence.index, cls, kind)] = Cue(cls, sentence, [doc[start:end].text],
                                                 _fields(doc, sentence, cls, kind, at, mentions, commodity_matcher, measure_kinds))
    return sorted(found.values(), key=lambda c: (c.sentence.index, c.type))


def _fields(doc: Doc, sentence: Sentence, cls: str, kind: str | None, at: int, mentions: list[Mention],
            commodity_matcher: PhraseMatcher, measure_kinds: set[str]) -> dict[str, Any]:
    here = [m for m in mentions if m.entity is not None and sentence.span.start <= m.span.start < sentence.span.end]
    span = doc.char_span(sentence.span.start, sentence.span.end, alignment_mode="expand")
    fields: dict[str, Any] = {}
    commodity = sorted({english().vocab.strings[k] for k, _, _ in commodity_matcher(span)}) if span is not None else []
    if cls in {"TradeRestriction", "Listing", "SanctionMeasure"}:
        authority = [m.entity for m in here if m.type in _PLACES and m.span.start < at]
        target = [m.entity for m in here if m.type == "Country" and m.span.start > at]
        if authority:
            fields["authority"] = authority[0]
        if target and target[0] != fields.get("authority"):
            fields["targetCountry"] = target[0]
        if kind in measure_kinds:
            fields["measureKind"] = kind
    if cls == "Listing":
        lists = [m.entity for m in here if m.type == "SanctionsList"]
        if lists:
            fields["sanctionsList"] = lists[0]
            fields.pop("authority", None)
        listed = sorted({m.entity for m in here if m.entity and m.type in _LISTABLE})
        if listed:
            fields["listedEntity"] = listed if len(listed) > 1 else listed[0]
    if commodity and cls != "Causation":
        fields["commodity"] = commodity if len(commodity) > 1 else commodity[0]
    return fields
