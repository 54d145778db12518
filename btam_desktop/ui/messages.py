"""The window's own words for what went wrong when the error is not one a person can act on.

A person-facing error (``VaultError``, ``WorkflowError``) says itself what to do; these are for
bugs and surprises, whose own text is never shown (it could quote case content). One place, so
every screen says the same thing the same way.
"""

from __future__ import annotations

import logging

from btam_desktop.domain.errors import VaultError, WorkflowError

logger = logging.getLogger("btam_desktop.ui")

_NEXT_STEP = (
    "Try again. If it happens again, restart BTAM Desktop and tell your coordinator what you "
    "were doing."
)

NOT_SAVED = f"Something went wrong, and nothing was saved. {_NEXT_STEP}"
"""A save, a sign-in or a form that failed."""

NOT_CHANGED = f"Something went wrong, and nothing was changed. {_NEXT_STEP}"
"""An action on the vault (a backup, a move, an export) that failed."""

NOT_PRINTED = (
    "Something went wrong while preparing the document, and nothing was saved or printed. "
    f"{_NEXT_STEP}"
)


def not_loaded(what: str, remedy: str) -> str:
    """A list or page that could not be shown: ``not_loaded("the cases", "Press F5 to try
    again.")``."""
    return f"Something went wrong while loading {what}; nothing was changed. {remedy}"


def is_user_error(error: BaseException) -> bool:
    """An error whose own text tells a person what is wrong and what to do."""
    return isinstance(error, VaultError | WorkflowError)


def error_message(error: BaseException, generic: str = NOT_SAVED, *, during: str = "") -> str:
    """The error's own text when a person can act on it, else ``generic`` (``NOT_SAVED``,
    ``NOT_CHANGED``, ``NOT_PRINTED``, or a sentence of the screen's own).

    The rule of every screen: a bug is logged with its type only (and ``during``, a fixed name
    of the action such as "backup"), never with its message, which could quote case content.
    """
    if is_user_error(error):
        return str(error)
    if during:
        logger.error("unexpected %s during %s", type(error).__name__, during)
    else:
        logger.error("unexpected %s", type(error).__name__)
    return generic


__all__ = [
    "NOT_CHANGED",
    "NOT_PRINTED",
    "NOT_SAVED",
    "error_message",
    "is_user_error",
    "not_loaded",
]
