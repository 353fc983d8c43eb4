"""Timing for the benchmark scripts that print one line per step (network.py, interchange.py)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(label: str, work: Callable[[], T], runs: int = 1, *, median: bool = False) -> T:
    """The work's value; prints the fastest of `runs` runs (`median`: their median)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        value = work()
        times.append(time.perf_counter() - start)
    shown = statistics.median(times) if median else min(times)
    print(f"{label:55s} {shown:8.3f} s" + (f" ({'median' if median else 'fastest'} of {runs})" if runs > 1 else ""))
    return value
