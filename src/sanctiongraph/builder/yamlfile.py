"""Reading YAML for people: line numbers kept, duplicate keys refused, dates left as text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sanctiongraph.errors import SourceError


class Mapping(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of itself and of each key (1-based)."""

    line: int
    key_lines: dict[str, int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader without timestamp resolution, so that our own date parser reports bad dates.

    Built on libyaml's parser where PyYAML has it (about ten times faster than the pure-Python one)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be text, not a list or a mapping", key_node.start_mark
            )
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[str(key)] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path, shown_as: str) -> Any:
    """Parse one YAML file; a syntax error becomes a SourceError naming the file and line."""
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.load(stream, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        opened = error.context and ("quoted scalar" in error.context or "flow" in error.context)
        mark = (error.context_mark if opened else None) or error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise SourceError(f"{shown_as}{line}", f"malformed YAML: {error.problem or error.context}") from None
    except UnicodeDecodeError as error:
        raise SourceError(shown_as, f"not UTF-8 text ({error.reason})") from None


def line_of(mapping: Any, key: str | None = None) -> int | None:
    """The line of a mapping, or of one of its keys, when the value came from load_yaml."""
    if isinstance(mapping, Mapping):
        if key is not None and key in mapping.key_lines:
            return mapping.key_lines[key]
        return mapping.line
    return None
