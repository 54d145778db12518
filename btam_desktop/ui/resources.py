"""Locating the top-level ``resources/`` folder (icons, style sheets, translations).

In a source checkout and an editable install the folder sits at the repository root, two levels
above this package. A frozen build (PyInstaller) unpacks it next to the bundled modules, under
``sys._MEIPASS``; ``BTAM_RESOURCES_DIR`` overrides both for packagers and tests.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

ENV_OVERRIDE = "BTAM_RESOURCES_DIR"


@cache
def resources_dir() -> Path:
    """The resources folder; raises FileNotFoundError (naming where it looked) if missing."""
    candidates: list[Path] = []
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        candidates.append(Path(override))
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources")
    candidates.append(Path(__file__).resolve().parents[2] / "resources")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"BTAM Desktop resources folder not found (looked in: {searched})")


def resource_path(*parts: str) -> Path:
    """Path of a file under resources/, e.g. ``resource_path("icons", "lock.svg")``."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"missing resource: {'/'.join(parts)}")
    return path


def icons_dir() -> Path:
    return resource_path("icons")


def styles_dir() -> Path:
    return resource_path("styles")
