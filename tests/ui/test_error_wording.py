"""One error vocabulary (issue 13): every screen that used to word errors itself now says what
``ui.messages`` says, for the same errors, and a bug's own text reaches neither the screen nor
the log.

Each former copy is fed the same four errors: a person's mistake about one field, a refused
case move, a full disk, and a bug whose message quotes something secret (the canary).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from btam_desktop.domain.errors import (
    DISK_FULL,
    StorageUnavailableError,
    ValidationError,
    WorkflowError,
)
from btam_desktop.services.app import Btam
from btam_desktop.ui import messages, tasks
from btam_desktop.ui.backup_ui import BackupController
from btam_desktop.ui.backup_ui import error_text as backup_error_text
from btam_desktop.ui.case_tabs.common import error_message as case_error_message
from btam_desktop.ui.lifecycle_dialogs import _TaskDialog
from btam_desktop.ui.lifecycle_dialogs import error_text as records_error_text
from btam_desktop.ui.pages.audit import AuditPage
from btam_desktop.ui.pages.team import error_text as team_error_text
from btam_desktop.ui.print_preview import _error_text as preview_error_text
from btam_desktop.ui.unlock import user_message
from btam_desktop.ui.wizard.util import error_message as wizard_error_message

CANARY = "Riley told me the code is 4471 and named the boy in room 12"

ERRORS: dict[str, Callable[[], BaseException]] = {
    "a field": lambda: ValidationError("Give the case a title.", field="title"),
    "a refused move": lambda: WorkflowError("Say why the case is closed.", field="reason"),
    "a full disk": lambda: StorageUnavailableError(DISK_FULL),
    "a bug": lambda: RuntimeError(CANARY),
}

# Each former copy, and the generic sentence its screen uses for a bug.
COPIES: dict[str, tuple[Callable[[BaseException], str], str]] = {
    "case screens": (case_error_message, messages.NOT_SAVED),
    "assessment windows": (wizard_error_message, messages.NOT_SAVED),
    "sign-in screens": (user_message, messages.NOT_SAVED),
    "records dialogs": (records_error_text, messages.NOT_CHANGED),
    "backups": (backup_error_text, messages.NOT_CHANGED),
    "print preview": (preview_error_text, messages.NOT_PRINTED),
    "team page": (team_error_text, messages.NOT_SAVED),
}


@pytest.mark.parametrize("copy", sorted(COPIES))
@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_every_screen_words_an_error_as_the_shared_module_does(
    copy: str, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    wording, generic = COPIES[copy]
    with caplog.at_level(logging.DEBUG):
        shown = wording(ERRORS[kind]())
    assert shown == messages.error_message(ERRORS[kind](), generic)
    if kind == "a bug":
        assert shown == generic
        assert "RuntimeError" in caplog.text  # the type is logged, so the bug can be found
    else:
        assert shown == str(ERRORS[kind]())  # a person can act on it: its own words
        assert caplog.text == ""
    assert CANARY not in shown and CANARY not in caplog.text
    assert "4471" not in caplog.text


def test_the_full_disk_says_what_to_do() -> None:
    text = user_message(StorageUnavailableError(DISK_FULL))
    assert "Free some disk space" in text and "intact" in text


# ---- the call sites, driven as the screens drive them ------------------------------------------


def _records_dialog(qtbot: QtBot) -> _TaskDialog:
    dialog = _TaskDialog(None, "Export cases", None)  # type: ignore[arg-type]  # app unused here
    dialog.finish_layout()
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_a_records_dialog_shows_the_shared_words_in_its_status_line(
    qtbot: QtBot, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    dialog = _records_dialog(qtbot)
    error = ERRORS[kind]()

    def work() -> None:
        raise error

    with caplog.at_level(logging.DEBUG):
        dialog.run(work, on_done=lambda _result: None, busy_text="Exporting…")
        assert tasks.wait_for_idle()
    expected = messages.error_message(ERRORS[kind](), messages.NOT_CHANGED)
    assert dialog.status.text() == expected
    assert CANARY not in dialog.status.text() and CANARY not in caplog.text


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_a_failed_automatic_backup_tells_the_shared_words(
    qtbot: QtBot, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    controller = BackupController(window, lambda: None)
    with caplog.at_level(logging.DEBUG):
        controller._failed(ERRORS[kind](), automatic=True)
    expected = messages.error_message(ERRORS[kind](), messages.NOT_CHANGED)
    assert controller.last_error == expected
    assert controller.status_label.toolTip() == expected
    assert CANARY not in controller.status_label.toolTip() and CANARY not in caplog.text


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_a_failed_audit_excerpt_tells_the_shared_words(
    qtbot: QtBot, demo_app: Btam, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    page = AuditPage(demo_app)
    qtbot.addWidget(page)
    page.show()
    with caplog.at_level(logging.DEBUG):
        page._export_failed(ERRORS[kind]())
    expected = messages.error_message(ERRORS[kind](), messages.NOT_SAVED)
    assert page.banner.isVisible() and page.banner.text() == expected
    assert CANARY not in page.banner.text() and CANARY not in caplog.text


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_the_dashboard_and_the_case_list_word_a_failed_load_alike(
    qtbot: QtBot, demo_app: Btam, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A failed load names what was not loaded; a person's error keeps its own words, a bug
    gets the shared "could not be loaded" sentence and only its type reaches the log."""
    from btam_desktop.ui.pages.cases import CasesPage
    from btam_desktop.ui.pages.dashboard import DashboardPage

    dashboard = DashboardPage(demo_app)
    cases = CasesPage(demo_app)
    for page in (dashboard, cases):
        qtbot.addWidget(page)
    qtbot.waitUntil(lambda: dashboard.data is not None and tasks.active_task_count() == 0)
    with caplog.at_level(logging.DEBUG):
        dashboard._failed(ERRORS[kind]())
        cases._load_failed(ERRORS[kind]())
    shown = [dashboard.error_banner.text(), cases._error.text()]
    if kind == "a bug":
        assert shown[0] == messages.not_loaded("the dashboard", "Try Refresh (F5).")
        assert shown[1] == messages.not_loaded(
            "the cases", "Try again, or lock and unlock the vault."
        )
        assert caplog.text.count("RuntimeError") == 2
    else:
        own = str(ERRORS[kind]())
        assert shown == [
            f"The dashboard could not be loaded. {own}",
            f"The cases could not be loaded: {own}",
        ]
    assert all(CANARY not in text for text in shown) and CANARY not in caplog.text
