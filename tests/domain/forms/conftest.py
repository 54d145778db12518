"""Shared helpers for the form definition tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from btam_desktop.domain.forms import FormRegistry

#: A small valid screening form. Tests derive bad files from it by replacing one piece.
BASE_FORM = """\
schema: 1
kind: screening
id: team.check
version: "1.0.0"
title: Check
scale: scale.four-level
sections:
  - id: first
    title: First
    guidance: Look carefully.
    items:
      - id: planning
        type: yes_no_unknown
        label: Is there planning?
        short: planning
        risk_factor: true
      - id: weapons
        type: yes_no_unknown
        label: Is there access to weapons?
        short: weapons access
        risk_factor: true
        show_if: {item: planning, equals: "yes"}
      - id: kind
        type: single_choice
        label: Kind of threat
        choices:
          - {id: transient, label: Transient}
          - {id: substantive, label: Substantive}
rules:
  - level: high
    when:
      all:
        - {item: weapons, equals: "yes"}
        - {item: planning, equals: "yes"}
default_level: low
"""


def line_containing(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based number of the line holding the ``occurrence``-th ``fragment``."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{fragment!r} not in text")


@pytest.fixture(scope="session")
def registry() -> FormRegistry:
    return FormRegistry.load()


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write
