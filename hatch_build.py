"""A wheel build hook: force-include the files of `force-include-if-present` (pyproject.toml) that exist.

Hatchling's own force-include fails on a missing file; the query editor's files exist only once
`npm ci --prefix web` has run, and a wheel without them still works (the editor page says how to add them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        for source, target in self.config.get("force-include-if-present", {}).items():
            if (Path(self.root) / source).is_file():
                build_data["force_include"][source] = target
