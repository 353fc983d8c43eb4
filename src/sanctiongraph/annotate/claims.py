"""Reported speech and attribution ("said", "told", "according to", "reported", "wrote", "X: “…”") as claim drafts:
the speaker, the audience, the chain of reporters, a modality, and what was said as the claim's content."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.matcher import Matcher
from spacy.tokens import Doc

from sanctiongraph.annotate.language import english
from sanctiongraph.annotate.mentions import Mention
from sanctiongraph.builder.source_text import Sentence, Span

MODALITIES = {"said": "assessment", "says": "assessment", "told": "assessment", "tells": "assessment",
              "wrote": "assessment", "writes": "assessment", "stated": "assessment", "added": "assessment",
              "argued": "assessment", "noted": "assessment", "insisted": "assessment", "explained": "assessment",
              "reported": "observation", "reports": "observation", "according": "observation", "claimed": "observation",
              "announced": "observation", "hoped": "hope", "hopes": "hope", "suggested": "suggestion",
              "suggests": "suggestion", "accused": "accusation", "accusing": "accusation", "warned": "forecast",
              "predicted": "forecast", "offered": "offer", ":": "assessment"}
REPORTERS = {"reported", "reports", "according"}  # cues that name who relayed, when a speaker is named too
PRONOUNS = {"he", "she", "they"}
AGENT_TYPES = {"Person", "Organization", "Company", "GovernmentBody", "CentralBank", "Legislature", "Country",
               "IntergovernmentalOrganization", "MediaOrganization", "ResearchOrganization", "University"}
SPEAKER_REACH = 12  # tokens before a cue in which its speaker is looked for
SUBJECT_GAP = 3  # at most this many tokens between a name and its cue ("Putin had told")
PASSIVE = {"be", "been", "being", "was", "were", "is", "are", "not"}


@dataclass(frozen=True)
class ReportedSpeech:
    """One claim found: the words that attribute it, who said it to whom through whom, and what was said."""

    cue: str
    attribution: list[Span]  # the speaker's words, and the reporters'
    claimant: Mention | None
    audience: Mention | None
    via: list[Mention]
    modality: str
    content: Span | None


@lru_cache(maxsize=1)
def _matcher() -> Matcher:
    matcher = Matcher(english().vocab)
    verbs = [word for word in MODALITIES if word not in {"according", ":"}]
    matcher.add("verb", [[{"LOWER": {"IN": verbs}}]])
    matcher.add("according", [[{"LOWER": "according"}, {"LOWER": "to"}]])
    matcher.add("colon", [[{"TEXT": ":"}, {"TEXT": {"IN": ["“", '"']}}]])
    return matcher


def find_claims(doc: Doc, sentences: list[Sentence], mentions: list[Mention]) -> list[ReportedSpeech]:
    found: list[ReportedSpeech] = []
    agents = [m for m in mentions if m.type in AGENT_TYPES or m.entity is None]
    for sentence in sentences:
        here = [m for m in agents if sentence.span.start <= m.span.start < sentence.span.end]
        cues = sorted((start, end, english().vocab.strings[key]) for key, start, end in _matcher()(doc)
                      if sentence.span.start <= doc[start].idx < sentence.span.end)
        if any(kind == "verb" for _, _, kind in cues):  # "X told Newsweek: “…”" is the verb's claim
            cues = [cue for cue in cues if cue[2] != "colon"]
        speeches = [s for cue in cues if not _passive(doc, cue)
                    and (s := _speech(doc, sentence, cue, here, agents, sentences)) is not None]
        reporters = [s for s in speeches if s.cue in REPORTERS and s.claimant is not None]
        speakers = [s for s in speeches if s not in reporters]
        if speakers and reporters:  # "X told Y that …, Z reported": X's claim, relayed by Z
            via = [r.claimant for r in reporters if r.claimant is not None]
            relayed = [span for r in reporters for span in r.attribution]
            speeches = [ReportedSpeech(s.cue, s.attribution + relayed, s.claimant, s.audience, via, s.modality, s.content)
                        for s in speakers]
        found.extend(speeches)
    return found


def _passive(doc: Doc, cue: tuple[int, int, str]) -> bool:
    """'were not offered', 'being added to': no one speaks."""
    start, end, kind = cue
    return kind == "verb" and ((start > 0 and doc[start - 1].lower_ in PASSIVE)
                               or (end < len(doc) and doc[end].lower_ == "to"))


def _speech(doc: Doc, sentence: Sentence, cue: tuple[int, int, str], here: list[Mention],
            agents: list[Mention], sentences: list[Sentence]) -> ReportedSpeech | None:
    start, end, kind = cue
    text = doc.text
    cue_word = doc[start].lower_ if kind != "colon" else ":"
    cue_at = doc[start].idx
    cue_end = doc[end - 1].idx + len(doc[end - 1].text)
    audience = None
    if kind == "according":
        claimant = next((m for m in here if m.span.start >= cue_end), None)
        attribution_start = cue_at
        attribution_end = claimant.span.end if claimant else cue_end
        content = Span(sentence.span.start, cue_at) if cue_at > sentence.span.start else None
    else:
        claimant = _speaker(doc, [m for m in here if m.span.end <= cue_at], cue_at)
        if start > 0 and doc[start - 1].lower_ in PRONOUNS:
            claimant = _antecedent(sentence, sentences, agents)
            attribution_start = doc[start - 1].idx
        else:
            attribution_start = claimant.span.start if claimant else cue_at
        if claimant is None and kind == "colon":
            return None
        if cue_word in {"told", "tells"}:
            audience = next((m for m in here if cue_end <= m.span.start <= cue_end + 20), None)
        attribution_end = audience.span.end if audience else cue_end
        if kind == "colon":
            attribution_end -= 1  # the opening quotation mark belongs to the content
        content = _content(text, sentence, attribution_end, cue_word)
        if content is None and cue_word in REPORTERS and attribution_start > sentence.span.start:
            content = Span(sentence.span.start, attribution_start)  # "…, Kommersant reported."
        that = text.find("that", attribution_end, attribution_end + 6)
        attribution_end = that + 4 if that != -1 else attribution_end
    return ReportedSpeech(cue_word, [Span(attribution_start, attribution_end)], claimant, audience, [],
                          MODALITIES[cue_word], _trimmed(text, content))


def _speaker(doc: Doc, before: list[Mention], cue_at: int) -> Mention | None:
    """The subject of a cue: the name just before it ("Levi said"), else the sentence's first person named before
    it ("Isaac Levi, from CREA, told"), else the nearest name within reach."""
    between = doc.text[before[-1].span.end:cue_at] if before else ""
    if before and _tokens_between(doc, before[-1].span.end, cue_at) <= SUBJECT_GAP and all(c.isalpha() or c == " " for c in between):
        return before[-1]
    people = [m for m in before if m.type == "Person"]
    if people:
        return people[0]
    near = [m for m in before if _tokens_between(doc, m.span.end, cue_at) <= SPEAKER_REACH]
    return near[-1] if near else None


def _antecedent(sentence: Sentence, sentences: list[Sentence], agents: list[Mention]) -> Mention | None:
    """Who "he" or "she" is: the first person named in the nearest sentence before that names one."""
    for earlier in reversed(sentences[:sentence.index - 1]):
        people = [m for m in agents if m.type == "Person" and earlier.span.start <= m.span.start < earlier.span.end]
        if people:
            return people[0]
    return None


def _content(text: str, sentence: Sentence, after: int, cue_word: str) -> Span | None:
    rest = text[after:sentence.span.end]
    stripped = rest.lstrip(" :“\"")
    if stripped.startswith("that "):
        stripped = stripped[5:]
    elif cue_word in REPORTERS or not stripped[:1].islower() and not rest.lstrip().startswith(("“", '"')):
        return None
    start = sentence.span.end - len(stripped)
    return Span(start, sentence.span.end) if stripped.strip() else None


def _trimmed(text: str, span: Span | None) -> Span | None:
    """The span without the punctuation and quotation marks around it."""
    if span is None:
        return None
    start, end = span.start, span.end
    while start < end and text[start] in " ,;:“\"":
        start += 1
    while end > start and text[end - 1] in " ,;:”\"":
        end -= 1
    return Span(start, end) if end - start > 2 else None


def _tokens_between(doc: Doc, start: int, end: int) -> int:
    return sum(1 for t in doc if start <= t.idx < end)
