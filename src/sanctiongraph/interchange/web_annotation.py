"""Every evidence quote of the graph as a W3C Web Annotation (JSON-LD), and the reading of such annotations.

The choice of target and body: the **target** is the quoted words, the source document with a TextQuoteSelector
(exact, prefix, suffix) and a TextPositionSelector (start, end in Unicode code points) selecting the same span; the
**body** is the statement those words support, twice: the statement's IRI with its class (`sg:Listing`), and a
TextualBody with its summary (purpose `describing`). An annotation is about its target, and annotation tools anchor
on the target and show the body beside it: the quote is where the reader looks, the statement is what is said about
it. The motivation is `linking` (the body is a resource related to the target).

The file is one AnnotationCollection whose first AnnotationPage holds every annotation, in the order of the sources'
documents and of the quotes' positions; an annotation's ID is its evidence's IRI with `/annotation`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sanctiongraph.errors import SanctionGraphError, shown
from sanctiongraph.files import write_atomically
from sanctiongraph.namespaces import BASE, ID, SG
from sanctiongraph.network.links import solutions
from sanctiongraph.query.library import load_queries

HERE = Path(__file__).parent
CONTEXT: list[Any] = ["http://www.w3.org/ns/anno.jsonld", {"sg": SG}]
COLLECTION = ID + "annotations"
QUOTE, POSITION = "TextQuoteSelector", "TextPositionSelector"


def annotation_collection(store: ox.Store) -> dict[str, Any]:
    """Every evidence quote of the store as an annotation, in one collection."""
    items = []
    for row in solutions(store, load_queries(HERE / "queries")["evidence"].text):
        quote = {"type": QUOTE, "exact": row["exact"]} | {k: row[k] for k in ("prefix", "suffix") if row[k]}
        summary = {"type": "TextualBody", "purpose": "describing", "format": "text/plain", "value": row["summary"]}
        items.append({
            "id": row["evidence"] + "/annotation",
            "type": "Annotation",
            "motivation": "linking",
            "body": [{"id": row["statement"], "type": "sg:" + row["class"].removeprefix(SG)},
                     summary | ({"language": row["language"]} if "language" in row else {})],
            "target": {"source": row["document"],
                       "selector": [quote, {"type": POSITION, "start": int(row["start"]), "end": int(row["end"])}]},
        })
    return {
        "@context": CONTEXT, "id": COLLECTION, "type": "AnnotationCollection",
        "label": "The evidence of sanctiongraph's statements: each quote, and the statement it supports",
        "generator": {"id": BASE, "type": "Software", "name": "sanctiongraph"},
        "total": len(items),
        "first": {"id": COLLECTION + "/page-1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def write_annotations(collection: dict[str, Any], path: Path) -> Path:
    """The collection as JSON-LD, written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(path, (json.dumps(collection, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def read_annotations(path: Path) -> list[dict[str, Any]]:
    """The annotations of a JSON file: a collection (its first page), a page, a list of annotations or one."""
    try:
        data = json.loads(path.read_bytes())
    except OSError as error:
        raise SanctionGraphError(f"{path}: cannot read the annotations: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SanctionGraphError(f"{path}: not JSON ({error})") from None
    if isinstance(data, dict) and isinstance(data.get("first"), dict):
        data = data["first"]
    if isinstance(data, dict) and "items" in data:
        data = data["items"]
    found = data if isinstance(data, list) else [data]
    for number, item in enumerate(found, 1):
        if not isinstance(item, dict) or item.get("type") != "Annotation":
            raise SanctionGraphError(f"{path}: item {number} is not a Web Annotation (an object with \"type\": \"Annotation\"): "
                                     f"{shown(item)}; give a collection, a page, a list of annotations or one")
    return found


def as_list(value: Any) -> list[Any]:
    """A JSON-LD value that may be one item or several, as a list."""
    return value if isinstance(value, list) else [] if value is None else [value]
