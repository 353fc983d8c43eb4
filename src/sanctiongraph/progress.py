"""Progress of long work on stderr: one bar per step, shown only on a terminal and only once the work has run a while.

Drawn by tqdm: a pipe, a CI job (the CI variable set) or --quiet shows nothing, and work shorter than DELAY
seconds shows nothing either, so that quick builds print only their summary."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from tqdm import tqdm

DELAY = 2.0  # seconds of work before any bar is drawn
REDRAW = 0.2  # seconds at least between two drawings of a bar


def on_terminal(quiet: bool = False) -> bool:
    """Whether progress is shown: stderr is a terminal, not a dumb one, not in CI and not --quiet."""
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return not quiet and not ci and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


class Progress:
    """The bars of one piece of work; each bar appears once the work as a whole has run DELAY seconds."""

    def __init__(self, show: bool) -> None:
        self.show = show
        self.started = time.monotonic()

    def bar(self, description: str, total: int, unit: str) -> tqdm[Any]:
        """A bar of total units, removed when closed (use it as a context manager)."""
        delay = max(0.0, DELAY - (time.monotonic() - self.started))
        return tqdm(total=total, desc=description, unit=unit, disable=not self.show, delay=delay, leave=False,
                    file=sys.stderr, dynamic_ncols=True, mininterval=REDRAW)


QUIET = Progress(False)
