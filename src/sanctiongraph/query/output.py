"""Where results go: standard output or a file written atomically, in a format chosen by name or extension."""

from __future__ import annotations

import sys
from pathlib import Path

from sanctiongraph.files import write_atomically

_BY_EXTENSION = {
    ".csv": "csv", ".tsv": "tsv", ".json": "json", ".srj": "json", ".xml": "xml", ".srx": "xml",
    ".ttl": "turtle", ".nt": "ntriples", ".jsonld": "jsonld", ".rdf": "rdfxml", ".txt": "table",
}


def format_for(output: str, kind: str, to_terminal: bool) -> str:
    """The default format: a table on a terminal, else the output file's extension, else csv (rows) or turtle (graphs)."""
    if to_terminal:
        return "table"
    guessed = _BY_EXTENSION.get(Path(output).suffix.lower()) if output != "-" else None
    return guessed or ("turtle" if kind == "graph" else "csv")


def write_output(data: bytes, output: str) -> None:
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomically(Path(output), data)
