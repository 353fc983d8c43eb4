"""What one source adds to the dataset: its quads, where its statements were declared, its sentence coverage,
and what it took from other sources. The unit a build reuses from its cache (sanctiongraph.builder.cache)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sanctiongraph.builder.parts import Part, Summary


@dataclass(slots=True)  # not frozen: made tens of thousands of times a build, four times faster
class Local:
    """What a reference can point to: the class and IRI of a statement or an entity."""

    cls: str
    iri: str


@dataclass
class Coverage:
    """Which story sentences of a source carry at least one statement."""

    source: str
    story: int
    covered: int
    uncovered: list[str] = field(default_factory=list)


@dataclass
class Contribution:
    """One source's part of the dataset: its named graph and its provenance, but for the build that made them."""

    id: str
    shown_as: str  # the annotation file, relative to the sources folder
    where: str
    text_file: str  # as the annotation names it
    text_digest: str
    statements: dict[str, str]  # statement id -> class IRI
    references: dict[str, Local]  # the statements of other sources it refers to, as SOURCE-ID/STATEMENT-ID
    part: Part | Summary  # its quads, rendered for the exports; or what a build needs of them when it copies them (cache)
    locations: dict[str, str]  # statement IRI -> file:line
    coverage: Coverage

    def record(self) -> dict[str, Any]:
        """Everything but the part, as JSON values."""
        return {"id": self.id, "shown_as": self.shown_as, "where": self.where, "text_file": self.text_file,
                "text_digest": self.text_digest, "statements": self.statements,
                "references": {name: [local.cls, local.iri] for name, local in self.references.items()},
                "locations": self.locations,
                "coverage": [self.coverage.source, self.coverage.story, self.coverage.covered, self.coverage.uncovered]}

    @classmethod
    def from_record(cls, record: dict[str, Any], part: Part | Summary) -> Contribution:
        return cls(record["id"], record["shown_as"], record["where"], record["text_file"], record["text_digest"],
                   record["statements"], {name: Local(*local) for name, local in record["references"].items()},
                   part, record["locations"], Coverage(*record["coverage"]))

    def dump(self) -> bytes:
        """The contribution as bytes: its record as a line of JSON, then its part (Part.dump)."""
        assert isinstance(self.part, Part), "a contribution read from the cache as its summary is not sent"
        return json.dumps(self.record(), ensure_ascii=False).encode("utf-8") + b"\n" + self.part.dump()

    @classmethod
    def load(cls, data: bytes, start: int = 0) -> Contribution:
        """The contribution that dump() wrote, from data[start:]; a ValueError, KeyError or TypeError if that is not one."""
        record = data.index(b"\n", start)
        return cls.from_record(json.loads(data[start:record]), Part.load(data, record + 1))


class References(dict[str, Local]):
    """Every statement of every source, as SOURCE-ID/STATEMENT-ID; remembers those looked up since the last clear()."""

    def __init__(self, entries: dict[str, Local]) -> None:
        super().__init__(entries)
        self.used: dict[str, Local] = {}

    def get(self, name: str, default: Local | None = None) -> Local | None:  # type: ignore[override]
        found = super().get(name, default)
        if found is not None:
            self.used[name] = found
        return found
