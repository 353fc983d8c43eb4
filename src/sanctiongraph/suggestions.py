""""Did you mean": the known names closest to a name that is not known."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

_OTHER = re.compile(r"[\W_]+")
_CUTOFF = 0.6  # difflib's own default for close matches
_MARGIN = 0.2  # how much less close than the closest a suggestion may be


def name_key(name: str) -> str:
    """A name as names are compared: case folded, each run of other characters than letters and digits one hyphen
    (`Kuzbass` and `KUZBASS`, `Kemerovo region` and `kemerovo-region`, are one key)."""
    return _OTHER.sub("-", name.casefold()).strip("-")


def _closest(value: str, known: Iterable[str]) -> list[tuple[float, str]]:
    """The (at most three) known names closest to a mistyped one with their scores, closest first: difflib's similarity
    to the whole name or to its beginning, whichever is higher, so that `cq2` finds `cq02-companies-on-us-sanctions-list`."""
    def score(name: str) -> float:
        return max(difflib.SequenceMatcher(None, value, candidate).ratio() for candidate in (name, name[: len(value) + 1]))

    scored = sorted(((score(name), name) for name in set(known)), key=lambda pair: (-pair[0], pair[1]))
    return [(ratio, name) for ratio, name in scored if ratio >= _CUTOFF][:3]


def did_you_mean(value: object, known: Iterable[str], names: Mapping[str, str] | None = None) -> str:
    """"; did you mean 'a', 'b'?" for up to three close names, or "" when none is close. Names much less close than the
    closest one are left out.

    `names` maps the labels and aliases of entities to their IDs: a value close to one of them (case and
    punctuation aside) suggests the ID with the name it matched, "'kemerovo-oblast' (Kuzbass)"."""
    if not isinstance(value, str):
        return ""
    names = names or {}
    keyed = {name_key(name): name for name in names}
    ids, aliases = _closest(value, known), _closest(name_key(value), keyed)
    floor = max(ratio for ratio, _ in ids + aliases) - _MARGIN if ids or aliases else 1.0
    close = [repr(name) for ratio, name in ids if ratio >= floor]
    for ratio, key in aliases:
        entity = names[keyed[key]]
        if ratio >= floor and repr(entity) not in close and not any(c.startswith(f"{entity!r} (") for c in close):
            close.append(f"{entity!r} ({keyed[key]})")
    return f"; did you mean {', '.join(close[:4])}?" if close else ""
