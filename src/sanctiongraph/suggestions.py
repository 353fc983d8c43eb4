""""Did you mean": the known names closest to a name that is not known."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

_OTHER = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    """A name as names are compared: case folded, each run of other characters than letters and digits one hyphen
    (`Kuzbass` and `KUZBASS`, `Kemerovo region` and `kemerovo-region`, are one key)."""
    return _OTHER.sub("-", name.casefold()).strip("-")


def did_you_mean(value: object, known: Iterable[str], names: Mapping[str, str] | None = None) -> str:
    """"; did you mean 'a', 'b'?" for up to three close names, or "" when none is close.

    `names` maps the labels and aliases of entities to their IDs: a value close to one of them (case and
    punctuation aside) suggests the ID with the name it matched, "'kemerovo-oblast' (Kuzbass)"."""
    if not isinstance(value, str):
        return ""
    close = [repr(c) for c in difflib.get_close_matches(value, list(known), n=3)]
    if names:
        keyed = {name_key(name): name for name in names}
        for key in difflib.get_close_matches(name_key(value), list(keyed), n=3):
            entity = names[keyed[key]]
            if repr(entity) not in close and not any(c.startswith(f"{entity!r} (") for c in close):
                close.append(f"{entity!r} ({keyed[key]})")
    return f"; did you mean {', '.join(close[:4])}?" if close else ""
