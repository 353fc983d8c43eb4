""""Did you mean": the known names closest to a name that is not known."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(value: object, known: Iterable[str]) -> str:
    """"; did you mean 'a', 'b'?" for up to three close names, or "" when none is close."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(known), n=3)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
