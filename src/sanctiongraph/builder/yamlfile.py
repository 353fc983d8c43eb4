"""Reading YAML for people: line numbers kept, duplicate keys, anchors and aliases refused, dates left as text."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import yaml

from sanctiongraph.builder.inputs import read_input
from sanctiongraph.errors import SourceError, clipped, shown


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
                None, None, f"duplicate key {shown(key)}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[str(key)] = key_node.start_mark.line + 1
    return mapping


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    try:
        return int(loader.construct_yaml_int(node))
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"a number of more than {sys.get_int_max_str_digits()} digits", node.start_mark
        ) from None


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> float:
    number = float(loader.construct_yaml_float(node))
    if not math.isfinite(number):
        raise yaml.constructor.ConstructorError(
            None, None, "not a finite number: .inf, .nan and numbers beyond 1.8e308 are not allowed", node.start_mark
        )
    return number


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def _refuse_anchors(text: str, shown_as: str) -> None:
    """Refuse anchors and aliases, which make a small file stand for an exponentially large value.

    Both need an '&' or a '*' in the file; only then are its parse events read (libyaml's, fast)."""
    if "&" not in text and "*" not in text:
        return
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            line = f":{event.start_mark.line + 1}" if event.start_mark else ""
            raise SourceError(f"{shown_as}{line}", "anchors and aliases (&x, *x) are not allowed")


def load_yaml(path: Path, folder: Path, shown_as: str) -> Any:
    """Parse one YAML file of the sources folder; a syntax error becomes a SourceError naming the file and line."""
    data = read_input(path, folder, shown_as)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(shown_as, f"not UTF-8 text ({error.reason})") from None
    try:
        _refuse_anchors(text, shown_as)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        opened = error.context and ("quoted scalar" in error.context or "flow" in error.context)
        mark = (error.context_mark if opened else None) or error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise SourceError(f"{shown_as}{line}", f"malformed YAML: {clipped(str(error.problem or error.context), 200)}") from None
    except yaml.reader.ReaderError as error:
        character: int | str = error.character
        if isinstance(character, int):  # libyaml: the character's code, its offset in the UTF-8 bytes
            code, row = character, data.count(b"\n", 0, error.position) + 1
        else:  # PyYAML's own reader: the character, its offset in the text
            code, row = ord(character), text.count("\n", 0, error.position) + 1
        raise SourceError(
            f"{shown_as}:{row}", f"malformed YAML: the character U+{code:04X} is not allowed (no control characters or NUL)"
        ) from None


def line_of(mapping: Any, key: str | None = None) -> int | None:
    """The line of a mapping, or of one of its keys, when the value came from load_yaml."""
    if isinstance(mapping, Mapping):
        if key is not None and key in mapping.key_lines:
            return mapping.key_lines[key]
        return mapping.line
    return None
