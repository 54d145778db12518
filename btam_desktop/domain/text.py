"""Small helpers for sentences the program writes."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 minute', '2 minutes', '0 entries' (give ``plural_form`` when adding s is wrong)."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"
