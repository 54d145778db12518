"""Writes to the vault from a screen: the worker bridge plus the default error path (issue 13).

    run_operation(
        self,
        lambda: app.notes.add(case_id, text),
        what="save the note",
        changes=VaultChange("note", case_id),
        on_done=self._note_saved,
    )

The work runs off the GUI thread (``ui.tasks.run_in_background``). On success ``on_done`` runs,
then the change is announced once on ``vault_events().changed``, so every screen that shows it
refreshes itself. On failure nothing is announced and, unless the caller handles the error
itself (``on_error``), the shared wording is shown: the error's own text when a person can act on
it, otherwise a generic sentence, in ``banner`` if one is given or else in a message box. Only
the exception's type is logged, never its message or traceback text (it could quote a case).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from btam_desktop.ui.messages import NOT_SAVED, error_message
from btam_desktop.ui.tasks import BackgroundTask, run_in_background
from btam_desktop.ui.vault_events import VaultChange, announce
from btam_desktop.ui.widgets.banner import Banner, BannerKind

ChangesFor = VaultChange | Callable[[Any], VaultChange | None] | None
"""The change a successful operation made, or a function of its result giving it."""


def run_operation(
    parent: QWidget,
    work: Callable[..., Any],
    *,
    what: str,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    changes: ChangesFor = None,
    progress: Callable[[int, int, str], None] | None = None,
    banner: Banner | None = None,
    generic: str = NOT_SAVED,
) -> BackgroundTask:
    """Run ``work`` in the background; see the module text. ``what`` names the action for the
    error's title ("save the note" gives "Could not save the note")."""

    def done(result: Any) -> None:
        if banner is not None:
            banner.hide()
        change = changes(result) if callable(changes) else changes
        try:
            if on_done is not None:
                on_done(result)
        finally:
            if change is not None:
                announce(change)

    def failed(error: BaseException) -> None:
        if on_error is not None:
            on_error(error)
        else:
            show_error(parent, error, what=what, banner=banner, generic=generic)

    return run_in_background(
        work, on_done=done, on_error=failed, on_progress=progress, parent=parent
    )


def show_error(
    parent: QWidget,
    error: BaseException,
    *,
    what: str,
    banner: Banner | None = None,
    generic: str = NOT_SAVED,
) -> str:
    """The default error path: the shared wording in ``banner`` or a message box; returns it."""
    text = error_message(error, generic)
    if banner is not None:
        banner.set_kind(BannerKind.WARNING)
        banner.set_text(text)
        banner.show()
    else:
        box = QMessageBox(QMessageBox.Icon.Warning, f"Could not {what}", text, parent=parent)
        box.setObjectName("operationError")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()
    return text


__all__ = ["ChangesFor", "run_operation", "show_error"]
