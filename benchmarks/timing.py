"""Timing for the benchmark scripts that print one line per step (network.py, interchange.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(label: str, work: Callable[[], T], runs: int = 1) -> T:
    """The work's value; prints the fastest of `runs` runs."""
    fastest = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        value = work()
        fastest = min(fastest, time.perf_counter() - start)
    print(f"{label:55s} {fastest:8.3f} s" + (f" (fastest of {runs})" if runs > 1 else ""))
    return value
