"""Text that cannot be stored faithfully is refused before it reaches the database.

A NUL character (often pasted in from another program) would be stored and then cut off or
hidden by the programs that read it; a lone surrogate (a file name in a foreign encoding, as
Python decodes it) makes the database driver raise a raw UnicodeEncodeError. Checked on every
flush of the vault's sessions, so every way in (window, command line, import) is covered, with a
message that names the field, never its content.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from btam_desktop.store.errors import ValidationError
from btam_desktop.store.search import IndexedSession

_FIELD_NAMES = {
    "full_name": "name",
    "body": "text",
    "narrative": "description of what happened",
    "file_name": "file name",
    "summary": "summary",
}


def problem_in(value: object) -> str | None:
    """'nul', 'encoding' or None, looking inside lists and dicts (JSON columns) too."""
    if isinstance(value, str):
        if "\x00" in value:
            return "nul"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "encoding"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = problem_in(key) or problem_in(item)
            if found:
                return found
    if isinstance(value, list | tuple):
        for item in value:
            found = problem_in(item)
            if found:
                return found
    return None


def describe(problem: str, field: str) -> str:
    if problem == "nul":
        return (
            f"The {field} contains an invisible “null” character, which cannot be saved. It "
            "usually comes from text pasted from another program: delete the text around "
            "where you pasted and type it again, then save."
        )
    return (
        f"The {field} contains characters that are not valid text (for example a file name "
        "made on another kind of computer). Retype it, or rename the file, then try again."
    )


def field_label(obj: object, attribute: str) -> str:
    thing = type(obj).__name__
    thing = {"CaseNote": "note", "Case": "case", "ConcernReport": "report"}.get(thing, thing)
    words = "".join(" " + c.lower() if c.isupper() else c for c in thing).strip()
    return f"{_FIELD_NAMES.get(attribute, attribute.replace('_', ' '))} of the {words}"


def check_object(obj: Any) -> None:
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        value = getattr(obj, attr.key, None)
        problem = problem_in(value)
        if problem:
            raise ValidationError(describe(problem, field_label(obj, attr.key)))


@event.listens_for(IndexedSession, "before_flush")
def _check_text(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        check_object(obj)
