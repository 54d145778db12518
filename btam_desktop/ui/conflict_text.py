"""The words a screen shows when someone else saved the record being edited (issue 16)."""

from __future__ import annotations

from btam_desktop.services.conflicts import EditConflictError


def conflict_choice(error: EditConflictError, keep: str, drop: str) -> str:
    """Who saved what and when, that nothing is lost yet, and the two ways on (the screen has
    read their version in and put the person's own edits on top of it).

    ``keep`` is what saves the person's copy over theirs ("Save again"); ``drop`` what keeps
    theirs ("Cancel")."""
    at = error.when.astimezone().strftime("%H:%M")
    return (
        f"{error.who} saved {error.record} while you were editing it ({error.what}, at {at}). "
        f"Your changes are not saved yet; they are shown on top of theirs. {keep} to keep "
        f"them, or {drop} to keep only theirs."
    )
