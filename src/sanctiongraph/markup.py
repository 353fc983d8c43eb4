"""HTML as the package writes it: Jinja2 templates that escape every value, and JSON that is safe inside a <script>."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

# what could end a <script> element or start markup in it (<, >, &), and what JavaScript reads as a line break
_SCRIPT_ESCAPES = str.maketrans({"&": "\\u0026", "<": "\\u003c", ">": "\\u003e", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value: Any) -> str:
    """The value as JSON to embed in a <script> element (not an attribute): sorted, compact, nothing in it can end the element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).translate(_SCRIPT_ESCAPES)


def templates(folder: Path) -> jinja2.Environment:
    """The templates in a folder of the package, autoescaped, failing on an undefined name; `|script_json` embeds data."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True, undefined=jinja2.StrictUndefined,
                                     keep_trailing_newline=True)
    environment.filters["script_json"] = lambda value: markupsafe.Markup(script_json(value))
    return environment
