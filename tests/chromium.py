"""The one way the tests and the view benchmark start a browser: Debian's Chromium, headless, driven by Playwright.

`make test` installs Chromium when it is missing; without it these tests fail, never skip. The flags keep Chromium
off the network it would otherwise reach for at start (updates, sync, field trials): the machines we test on have
no outside network, and a test page must request nothing but what it is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def launch(playwright: Any) -> Any:
    """A headless Chromium browser from a started Playwright; the test fails in one line when Chromium is missing."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs it (or apt-get install --no-install-recommends chromium)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
