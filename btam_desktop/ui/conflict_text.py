"""The words a screen shows when someone else saved the record being edited (issue 16)."""

from __future__ import annotations

from btam_desktop.services.conflicts import EditConflictError


def conflict_choice(
    error: EditConflictError,
    keep: str,
    drop: str,
    *,
    where: str = "they are shown on top of theirs",
) -> str:
    """Who saved what and when, that nothing is lost yet (``where`` the edits are), and the
    two ways on.

    ``keep`` is what saves the person's copy over theirs ("Save again"); ``drop`` what keeps
    theirs ("Cancel")."""
    at = error.when.astimezone().strftime("%H:%M")
    return (
        f"{error.who} saved {error.record} while you were editing it ({error.what}, at {at}). "
        f"Your changes are not saved yet; {where}. {keep} to keep them, or {drop} to keep "
        "only theirs."
    )
