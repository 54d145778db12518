"""The writes of the assessment wizard, the settings page, the backup controller and the forms
page go through ``run_operation`` (issue 13): each announces its change on ``vault_events``, a
failure is told in the shared words (a bug's own text reaches neither the screen nor the log),
and the settings and forms pages follow changes made elsewhere without a manual refresh.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import CaseStatus
from btam_desktop.services.app import Btam
from btam_desktop.services.scales import reload_registry
from btam_desktop.ui import messages, tasks
from btam_desktop.ui.backup_ui import BackupController
from btam_desktop.ui.pages import forms as forms_module
from btam_desktop.ui.pages.forms import FORMS_REMEDY
from btam_desktop.ui.pages.settings import SettingsPage
from btam_desktop.ui.vault_events import VaultChange, announce
from btam_desktop.ui.wizard.util import DRAFT_NOT_SAVED
from btam_desktop.ui.wizard.wizard import SUMMARY, AssessmentWizard
from tests.ui.test_forms_page import BAD_FORM, open_page
from tests.ui.test_wizard import (
    _saved_reassessment,
    case_titled,
    click,
    open_tab,
    reopen_from_tab,
    wait_for_review,
)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

TIMEOUT = 10_000
CANARY = "Avery wrote that the plan is for Friday at the east doors"
SHOTS = Path("/tmp/shots/errors")


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def raise_bug(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError(CANARY)


# ---- the assessment wizard ---------------------------------------------------------------------


def open_reassessment(qtbot: QtBot, app: Btam) -> tuple[int, AssessmentWizard]:
    case_id = case_titled(app, "harassment", CaseStatus.MANAGEMENT)
    assessment_id = _saved_reassessment(app, case_id, None)
    tab = open_tab(qtbot, app, case_id)
    wizard = reopen_from_tab(qtbot, tab, assessment_id)
    assert isinstance(wizard, AssessmentWizard)
    qtbot.waitUntil(wizard.is_loaded, timeout=TIMEOUT)
    assert wizard.current_page() == SUMMARY
    wait_for_review(qtbot, wizard)
    return case_id, wizard


def test_the_wizard_announces_its_draft_saves_and_its_completion(
    qtbot: QtBot, demo_app: Btam, heard: list[VaultChange]
) -> None:
    case_id, wizard = open_reassessment(qtbot, demo_app)
    summary = wizard.summary
    assert summary is not None
    tab = wizard.parentWidget()
    assert tab is not None
    tab_refreshes = tab.follow_changes.refreshes  # type: ignore[attr-defined]

    qtbot.keyClicks(summary.rationale, "Stable at home and school since the plan began.")
    click(qtbot, wizard.save_button)
    qtbot.waitUntil(lambda: not wizard.has_unsaved_changes(), timeout=TIMEOUT)
    assert heard == [VaultChange("assessments", case_id)]
    assert heard[0].origin is wizard
    qtbot.wait(250)
    # The tab that opened the wizard is where the change comes from: it does not read again.
    assert tab.follow_changes.refreshes == tab_refreshes  # type: ignore[attr-defined]

    heard.clear()
    summary.set_decided_level("moderate")
    with qtbot.waitSignal(wizard.completed, timeout=TIMEOUT):
        click(qtbot, wizard.complete_button)
    assert VaultChange("assessments", case_id) in heard
    assert demo_app.assessments.get(wizard.assessment_id).status == "completed"


def test_a_failed_draft_save_is_told_in_the_shared_words(
    qtbot: QtBot,
    demo_app: Btam,
    heard: list[VaultChange],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _case_id, wizard = open_reassessment(qtbot, demo_app)
    assert wizard.summary is not None
    monkeypatch.setattr(demo_app.assessments, "save_draft", raise_bug)
    qtbot.keyClicks(wizard.summary.rationale, "Typed, then the save fails.")
    with caplog.at_level(logging.DEBUG):
        click(qtbot, wizard.save_button)
        qtbot.waitUntil(lambda: wizard.banner.isVisible(), timeout=TIMEOUT)
    # Said once, and with the advice that keeps the answers (not "restart").
    assert wizard.banner.text() == DRAFT_NOT_SAVED
    assert "restart" not in wizard.banner.text().lower()
    assert wizard.saved_label.text() == "Not saved"
    assert wizard.has_unsaved_changes()  # nothing typed is lost
    assert heard == []
    assert "RuntimeError" in caplog.text
    assert CANARY not in caplog.text and CANARY not in wizard.banner.text()
    shot(wizard, "wizard-draft-not-saved")
    monkeypatch.undo()
    wizard.discard_on_close()


# ---- the settings page -------------------------------------------------------------------------


def settings_page(qtbot: QtBot, app: Btam) -> SettingsPage:
    page = SettingsPage(app)
    qtbot.addWidget(page)
    page.resize(1200, 900)
    page.show()
    qtbot.waitUntil(lambda: page._settings is not None, timeout=TIMEOUT)
    return page


def test_a_settings_save_runs_off_the_gui_thread_and_is_announced(
    qtbot: QtBot, demo_app: Btam, heard: list[VaultChange]
) -> None:
    page = settings_page(qtbot, demo_app)
    page.team_name.setText("Lakeside Assessment Team")
    page._mark_dirty()
    with qtbot.waitSignal(page.settings_changed, timeout=TIMEOUT):
        assert page.save()
        assert page.is_saving() and not page.save_button.isEnabled()  # one save at a time
        assert page.status_label.text() == "Saving…"
    assert heard == [VaultChange("settings")] and heard[0].origin is page
    assert demo_app.settings().team_name == "Lakeside Assessment Team"
    assert page.status_label.text().startswith("Saved at")
    assert not page.has_unsaved_changes()


def test_a_failed_settings_save_is_told_in_the_shared_words_and_keeps_the_edits(
    qtbot: QtBot,
    demo_app: Btam,
    heard: list[VaultChange],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    page = settings_page(qtbot, demo_app)
    before = demo_app.settings()
    monkeypatch.setattr(demo_app, "save_settings", raise_bug)
    page.team_name.setText("Lakeside Assessment Team")
    page._mark_dirty()
    with caplog.at_level(logging.DEBUG):
        assert page.save()
        assert tasks.wait_for_idle()
    assert page.error_message() == messages.NOT_SAVED
    assert page.status_label.text() == "Not saved"
    assert page.has_unsaved_changes() and page.save_button.isEnabled()
    assert page.team_name.text() == "Lakeside Assessment Team"
    assert heard == []
    assert CANARY not in caplog.text and "RuntimeError" in caplog.text
    monkeypatch.undo()
    assert demo_app.settings() == before
    shot(page, "settings-not-saved")


def test_the_settings_page_follows_settings_saved_elsewhere(
    qtbot: QtBot, demo_app: Btam, tmp_path: Path
) -> None:
    page = settings_page(qtbot, demo_app)
    refreshes = page.follow_changes.refreshes
    # The backup controller of the window keeps a backup folder chosen at "Back up now".
    controller = BackupController(page, lambda: demo_app)
    usb = tmp_path / "usb"
    controller.save_backup_folder(demo_app, str(usb))
    qtbot.waitUntil(lambda: page.backup_folder.text() == str(usb), timeout=TIMEOUT)
    assert page.follow_changes.refreshes == refreshes + 1
    assert not page.has_unsaved_changes()

    # A change on another computer of a team server arrives as a team-wide "server" change.
    settings = demo_app.settings()
    settings.contact_name = "Dr. Rivera, counseling office"
    demo_app.save_settings(settings)
    announce(VaultChange("server", None))
    qtbot.waitUntil(
        lambda: page.contact_name.text() == "Dr. Rivera, counseling office", timeout=TIMEOUT
    )

    # Edits not saved yet are never overwritten by a refresh.
    page.team_name.setText("Typed but not saved")
    page._mark_dirty()
    settings = demo_app.settings()
    settings.contact_phone = "555-0142"
    demo_app.save_settings(settings)
    announce(VaultChange("settings"))
    qtbot.wait(300)
    assert page.team_name.text() == "Typed but not saved"
    assert page.contact_phone.text() != "555-0142"
    # A change to one case is not the settings page's business.
    refreshes = page.follow_changes.refreshes
    announce(VaultChange("notes", 1))
    qtbot.wait(300)
    assert page.follow_changes.refreshes == refreshes


# ---- the backup controller ---------------------------------------------------------------------


def test_the_backup_folder_and_the_backup_are_announced(
    qtbot: QtBot, demo_app: Btam, heard: list[VaultChange], tmp_path: Path
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    controller = BackupController(window, lambda: demo_app)
    usb = tmp_path / "usb"
    controller.save_backup_folder(demo_app, str(usb))
    assert tasks.wait_for_idle()
    assert heard == [VaultChange("settings")]
    assert demo_app.settings().backup_folder == str(usb)
    assert "No backup yet" in controller.status_label.text()

    heard.clear()
    with qtbot.waitSignal(controller.backup_finished, timeout=TIMEOUT) as finished:
        controller.back_up_now(automatic=True)
    assert finished.args == [True]
    assert heard == [VaultChange("backup")]  # the audit page shows the backup's event
    assert len(list(usb.glob("*.btambackup"))) == 1


def test_back_up_now_without_a_folder_asks_keeps_it_then_backs_up(
    qtbot: QtBot,
    demo_app: Btam,
    heard: list[VaultChange],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from btam_desktop.ui import backup_ui

    usb = tmp_path / "usb"
    monkeypatch.setattr(
        backup_ui.QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes
    )
    monkeypatch.setattr(backup_ui.QFileDialog, "getExistingDirectory", lambda *_a: str(usb))
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    controller = BackupController(window, lambda: demo_app)
    with qtbot.waitSignal(controller.backup_finished, timeout=TIMEOUT) as finished:
        assert controller.back_up_now() is None  # the folder is saved first, off the GUI thread
    assert finished.args == [True]
    assert demo_app.settings().backup_folder == str(usb)
    assert heard == [VaultChange("settings"), VaultChange("backup")]
    assert len(list(usb.glob("*.btambackup"))) == 1


def test_a_backup_folder_that_cannot_be_kept_is_told_in_the_shared_words(
    qtbot: QtBot,
    demo_app: Btam,
    heard: list[VaultChange],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    controller = BackupController(window, lambda: demo_app)
    monkeypatch.setattr(demo_app, "save_settings", raise_bug)
    started: list[int] = []
    with caplog.at_level(logging.DEBUG):
        controller.save_backup_folder(
            demo_app, str(tmp_path / "usb"), then=lambda: started.append(1)
        )
        assert tasks.wait_for_idle()
    box = window.findChild(QMessageBox, "operationError")
    assert box is not None and box.isVisible()
    assert box.windowTitle() == "Could not set the backup folder"
    assert box.text() == messages.NOT_CHANGED
    assert started == [] and heard == []  # no backup starts without its folder
    assert CANARY not in caplog.text and CANARY not in box.text()
    box.done(0)


# ---- the forms page ----------------------------------------------------------------------------


def test_reloading_the_forms_is_announced_and_the_settings_page_follows(
    qtbot: QtBot, demo_app: Btam, heard: list[VaultChange]
) -> None:
    page = open_page(qtbot, demo_app)
    settings = settings_page(qtbot, demo_app)
    refreshes = settings.follow_changes.refreshes
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        page.reload_forms()
    assert heard == [VaultChange("forms")] and heard[0].origin is page
    qtbot.waitUntil(lambda: settings.follow_changes.refreshes == refreshes + 1, timeout=TIMEOUT)
    assert page.follow_changes.refreshes == 0  # the page that reloaded does not read again


def test_a_failed_reload_is_told_in_the_shared_words(
    qtbot: QtBot,
    demo_app: Btam,
    heard: list[VaultChange],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    page = open_page(qtbot, demo_app)
    monkeypatch.setattr(forms_module, "reload_registry", raise_bug)
    with caplog.at_level(logging.DEBUG):
        page.reload_forms()
        assert tasks.wait_for_idle()
    assert page.error_banner.isVisible()
    assert page.error_banner.text() == messages.not_loaded("the forms", FORMS_REMEDY)
    assert page.reload_button.isEnabled()  # it can be tried again
    assert heard == []
    assert CANARY not in caplog.text and CANARY not in page.error_banner.text()


def test_the_forms_page_follows_forms_read_again_elsewhere(qtbot: QtBot, demo_app: Btam) -> None:
    page = open_page(qtbot, demo_app)
    assert "team.quick" not in {row[4] for row in page.rows()}
    folder = demo_app.vault.forms_dir
    folder.mkdir(exist_ok=True)
    (folder / "quick.yaml").write_text(BAD_FORM.replace("planing", "planning"), encoding="utf-8")
    reload_registry(demo_app.ctx)  # another screen read the form files again ...
    announce(VaultChange("forms"))  # ... and said so
    qtbot.waitUntil(lambda: "team.quick" in {row[4] for row in page.rows()}, timeout=TIMEOUT)
    assert page.follow_changes.refreshes == 1


def test_the_wizard_is_never_narrower_than_its_summary_needs(qtbot: QtBot, demo_app: Btam) -> None:
    _case_id, wizard = open_reassessment(qtbot, demo_app)
    wizard.resize(800, 600)  # a person drags the window narrower
    qtbot.wait(50)
    layout = wizard.layout()
    assert layout is not None
    assert wizard.width() >= layout.minimumSize().width()  # nothing is cut off at the right
    shot(wizard, "wizard-narrowest")
