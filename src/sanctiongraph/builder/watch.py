"""Rebuild on save (`sanctiongraph build --watch`): build once, then again after each burst of changes to the inputs.

The inputs are the folders a build reads: the project's sources (its annotations and texts, `entities.yaml` and
`vocabulary/`) and the ontology. Saves that come within SETTLE_MS of each other are one burst and one build; a save
made while a build runs starts one more build once it is over. A build that fails is reported as the one line the
command prints for any error, and the previous build stays current (sanctiongraph.builder.builds); the next save
builds again. Ctrl-C stops watching, during a build as well (a build stopped halfway publishes nothing)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

from sanctiongraph.errors import SanctionGraphError, reported

SETTLE_MS = 300  # a burst of saves ends once no file has changed for this long
LONGEST_BURST_MS = 3000  # a burst that goes on longer is built all the same
WAKE_MS = 100  # how often the watcher hands back when nothing has changed (so that it can start before the first build)


def rebuild_on_save(inputs: Sequence[Path], rebuild: Callable[[], object], ignored: Sequence[Path] = (),
                    quiet: bool = False) -> None:
    """Call rebuild now and after each burst of changes to a file under inputs (but not under ignored), until
    Ctrl-C. A rebuild that raises a SanctionGraphError is reported on stderr; watching goes on.
    Unless quiet, what is watched and which files changed is said on stderr too."""
    def say(line: str) -> None:
        if not quiet:
            print(line, file=sys.stderr, flush=True)

    missing = [str(folder) for folder in inputs if not folder.is_dir()]
    if missing:
        raise SanctionGraphError(f"{', '.join(missing)}: no such folder to watch; --watch needs the sources folder "
                                 "(entities.yaml, articles/) and the ontology folder to exist")
    try:
        watching = watch(*inputs, watch_filter=DefaultFilter(ignore_paths=ignored), step=SETTLE_MS, debounce=LONGEST_BURST_MS,
                         rust_timeout=WAKE_MS, yield_on_timeout=True)
        next(watching)  # the watcher runs from here on: a save made during the first build brings another
        _attempt(rebuild)
        say(f"watching {', '.join(map(str, inputs))} for changes; Ctrl-C to stop")
        for changes in watching:
            if changes:
                say(f"{time.strftime('%H:%M:%S')} {_described(changes)}")
                _attempt(rebuild)
    except KeyboardInterrupt:  # while waiting, or during a build, which publishes nothing when stopped halfway
        pass
    except OSError as error:  # the watcher could not start or went on (a folder removed, too many inotify watches)
        raise SanctionGraphError(f"{', '.join(map(str, inputs))}: cannot watch for changes: {error}") from None
    say("stopped watching")


def _described(changes: set[tuple[Change, str]]) -> str:
    """The files a burst changed and removed, leaving out those it made and removed again (an editor's temporary files)."""
    paths = {Path(path) for _, path in changes}
    made = {Path(path) for change, path in changes if change == Change.added}
    changed = sorted(path.name for path in paths if path.exists())
    removed = sorted(path.name for path in paths - made if not path.exists())
    return "; ".join(f"{what}: {', '.join(names)}" for what, names in (("changed", changed), ("removed", removed)) if names) or "changed: temporary files"


def _attempt(rebuild: Callable[[], object]) -> None:
    try:
        rebuild()
    except SanctionGraphError as error:
        print(reported(error), file=sys.stderr, flush=True)
