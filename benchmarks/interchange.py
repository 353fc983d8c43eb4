"""Times of the interchange exports on a built graph (BENCHMARKS.md, "Interchange"), each against writing the same
data with the library alone: `export ftm` against followthemoney building the same entities from plain values and
serialising them to memory; `export annotations` against the json module writing the same collection to memory.

    .venv/bin/python benchmarks/interchange.py GRAPH_FOLDER
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from followthemoney import model
from timing import timed

import sanctiongraph
from sanctiongraph.interchange.ftm import ftm_entities, write_ftm
from sanctiongraph.interchange.web_annotation import annotation_collection, write_annotations


def ftm_alone(plain: list[tuple[str, str, dict[str, list[str]]]]) -> str:
    lines = []
    for schema, entity_id, properties in plain:
        proxy = model.make_entity(schema)
        proxy.id = entity_id
        for prop, values in properties.items():
            proxy.add(prop, values)
        lines.append(json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True))
    return "\n".join(lines)


def main(folder: Path) -> None:
    store = sanctiongraph.open_graph(folder)
    with tempfile.TemporaryDirectory() as out:
        exported = timed("ftm: read the graph, build and validate the entities", lambda: ftm_entities(store))
        timed("ftm: write (atomic)", lambda: write_ftm(exported.entities, Path(out) / "a.json"))
        plain = [(p.schema.name, str(p.id), dict(p.properties)) for p in exported.entities]
        timed(f"ftm alone: {len(plain)} entities built and serialised to memory", lambda: ftm_alone(plain))
        collection = timed("annotations: read the graph, build the collection", lambda: annotation_collection(store))
        timed("annotations: write (atomic)", lambda: write_annotations(collection, Path(out) / "a.jsonld"))
        timed(f"annotations alone: json of {collection['total']} annotations to memory",
              lambda: json.dumps(collection, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
