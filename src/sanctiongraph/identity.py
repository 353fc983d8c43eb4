"""The names of the registry's entities: each entity's ID, labels and aliases, and which entity a name stands for.

A name stands for an entity when it is the entity's ID, or when it equals one of its labels or aliases once both
are keyed alike (case folded, every run of other characters than letters and digits one hyphen: `Kuzbass`,
`kuzbass` and `KUZBASS` are one key; `Kemerovo region` and `kemerovo-region` are one key). A name that several
entities carry is ambiguous and stands for none of them. The builder reads the names from the registry file, the
queries and views from the built graph's registry graph (`names_in_store`), so both resolve alike."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from sanctiongraph.errors import shown
from sanctiongraph.namespaces import ID
from sanctiongraph.suggestions import did_you_mean, name_key

if TYPE_CHECKING:
    from sanctiongraph.builder.sources import Item
    from sanctiongraph.query.store import Readable

NAMES_QUERY = Path(__file__).parent / "query" / "registry-names.rq"


class AmbiguousName(ValueError):
    """A label or alias that several entities carry."""

    def __init__(self, name: str, entities: list[str]) -> None:
        super().__init__(f"{shown(name)} names several entities ({', '.join(entities)}); give the ID of one")
        self.entities = entities


@dataclass(frozen=True)
class Candidate:
    """An entity whose name comes close to a name looked for: the name that matched, and the score (0 to 100)."""

    id: str
    label: str
    matched: str
    score: float


class Names:
    """The IDs, labels and aliases of the registry's entities (the first label of each is its label)."""

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        self.labels: dict[str, str] = {}
        self.names: dict[str, list[str]] = defaultdict(list)
        self._keys: dict[str, set[str]] = defaultdict(set)
        for entity, name in entries:
            self.labels.setdefault(entity, name)
            self.names[entity].append(name)
            self._keys[name_key(name)].add(entity)

    def resolve(self, name: str) -> str | None:
        """The ID of the entity a name stands for, or None; AmbiguousName when several entities carry it."""
        if name in self.labels:
            return name
        entities = sorted(self._keys.get(name_key(name), ()))
        if len(entities) > 1:
            raise AmbiguousName(name, entities)
        return entities[0] if entities else None

    def identify(self, name: str) -> str:
        """The ID of the entity a name stands for; a ValueError that says why when it stands for none, with the
        closest IDs, labels and aliases."""
        entity = self.resolve(name)
        if entity is None:
            raise ValueError(f"no entity {shown(name)} in the graph's registry{did_you_mean(name, self.labels, self.aliases())}")
        return entity

    def aliases(self) -> dict[str, str]:
        """Every label and alias, with the ID of the one entity that carries it."""
        return {name: entity for entity, names in self.names.items() for name in names if len(self._keys[name_key(name)]) == 1}

    def find(self, name: str, limit: int = 10, cutoff: float = 70) -> list[Candidate]:
        """The entities whose ID, label or alias comes closest to a name, best first (rapidfuzz's WRatio, case and
        punctuation ignored), each once, at most `limit` of them, none under `cutoff`."""
        from rapidfuzz import fuzz, process, utils  # a twentieth of a second to import: only when names are searched

        choices = [(entity, alias) for entity, names in self.names.items() for alias in (entity, *names)]
        found = process.extract(name, [alias for _, alias in choices], scorer=fuzz.WRatio, processor=utils.default_process,
                                limit=None, score_cutoff=cutoff)
        best: dict[str, Candidate] = {}
        for alias, score, index in sorted(found, key=lambda hit: (-hit[1], choices[hit[2]][0], hit[0])):
            entity = choices[index][0]
            if entity not in best:
                best[entity] = Candidate(entity, self.labels[entity], alias, round(score, 1))
        return list(best.values())[:limit]


def names_of(rows: Iterable[Sequence[object]]) -> Names:
    """The names from the rows (entity IRI, name) of the query NAMES_QUERY on a built graph."""
    return Names((entity.value.removeprefix(ID), name.value) for entity, name in rows
                 if isinstance(entity, ox.NamedNode) and entity.value.startswith(ID) and isinstance(name, ox.Literal))


def names_in_store(store: Readable) -> Names:
    """The names of the entities of the registry graph of a built graph's store."""
    solutions = store.query(NAMES_QUERY.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return names_of((row["entity"], row["name"]) for row in solutions)


def registry_names(registry: Mapping[str, Item]) -> Names:
    """The names of the entities of a registry as the builder reads it (sanctiongraph.builder.sources.load_registry)."""
    return Names((entity.id, name) for entity in registry.values() for name in [*entity.labels["label"], *entity.labels["aliases"]])
