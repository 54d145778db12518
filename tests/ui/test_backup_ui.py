"""The window's backups and the destruction list: Back up now with progress, the status bar and
dashboard lines, restore in place, and destroying a due case after typing its number."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from btam_desktop.services.app import Btam
from btam_desktop.services.retention import rules_to_text
from btam_desktop.store.errors import NotFoundError
from btam_desktop.ui.main_window import PAGE_RETENTION, MainWindow
from btam_desktop.ui.pages.retention import RetentionPage
from btam_desktop.ui.widgets.banner import BannerKind
from tests.ui.conftest import DEMO_PASSWORD
from tests.ui.test_shell import WAIT_MS, make_window, settle

SHOTS = Path("/tmp/shots/i9-backup")


def _shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def _set_folder(app: Btam, folder: Path | None) -> None:
    settings = app.settings()
    settings.backup_folder = "" if folder is None else str(folder)
    app.save_settings(settings)


def _backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.btambackup")) if folder.exists() else []


def test_back_up_now_writes_a_checked_backup_and_updates_status(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    window = make_window(qtbot, demo_app, demo_vault)
    assert "No backup folder" in window.backup.status_label.text()
    dashboard = window.dashboard_page
    assert dashboard is not None
    assert dashboard.backup_banner.kind() == BannerKind.WARNING
    assert "Settings" in dashboard.backup_banner.text()
    _shot(window, "dashboard-no-backup-folder")
    _set_folder(demo_app, usb)
    window.backup.refresh_status()
    assert "No backup yet" in window.backup.status_label.text()
    with qtbot.waitSignal(window.backup.backup_finished, timeout=WAIT_MS) as finished:
        window.backup.backup_action.trigger()
        assert window.backup.progress is not None and window.backup.progress.isVisible()
        _shot(window.backup.progress, "backup-progress")
    assert finished.args == [True]
    settle()
    made = _backups(usb)
    assert len(made) == 1
    assert window.backup.status_label.text() == "Last backup just now"
    assert window.backup.last_error == ""  # closing the progress dialog is no cancel
    assert dashboard.backup_banner.kind() == BannerKind.INFO
    assert "Last backup just now" in dashboard.backup_banner.text()
    assert "Backup written and checked" in window.statusBar().currentMessage()
    _shot(window, "dashboard-after-backup")
    assert demo_app.audit_events(limit=3)[0].action == "backup.create"


def test_cancelling_a_backup_leaves_nothing(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path, monkeypatch
) -> None:
    usb = tmp_path / "usb"
    _set_folder(demo_app, usb)
    window = make_window(qtbot, demo_app, demo_vault)
    # Hold the worker at its first progress report until Cancel was pressed.
    started, proceed = threading.Event(), threading.Event()
    create = demo_app.backups.create

    def gated_create(folder=None, progress=None):  # type: ignore[no-untyped-def]
        def gated(done: int, total: int, message: str = "") -> None:
            progress(done, total, message)
            if not started.is_set():
                started.set()
                proceed.wait(10)

        return create(folder, gated)

    monkeypatch.setattr(demo_app.backups, "create", gated_create)
    with qtbot.waitSignal(window.backup.backup_finished, timeout=WAIT_MS) as finished:
        task = window.backup.back_up_now()
        assert task is not None and window.backup.progress is not None
        assert started.wait(10)
        cancel = window.backup.progress.findChild(QPushButton)
        assert cancel is not None and cancel.text() == "&Cancel"
        cancel.click()
        proceed.set()
    assert finished.args == [False]
    settle()
    assert _backups(usb) == [] and list(usb.iterdir()) == []
    assert "nothing was written" in window.backup.last_error


def test_a_failed_backup_says_why(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path, monkeypatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    _set_folder(demo_app, blocker)
    window = make_window(qtbot, demo_app, demo_vault)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: shown.append(text))
    with qtbot.waitSignal(window.backup.backup_finished, timeout=WAIT_MS):
        window.backup.backup_action.trigger()
    assert shown and "cannot be used" in shown[0]


def test_restore_in_place_signs_everyone_out_and_restores(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path, monkeypatch
) -> None:
    from btam_desktop.services.cases import CaseQuery

    usb = tmp_path / "usb"
    _set_folder(demo_app, usb)
    made = demo_app.backups.create()
    count = demo_app.cases.count(CaseQuery())
    window = make_window(qtbot, demo_app, demo_vault)
    dialog = window.backup.open_restore_dialog()
    assert dialog is not None
    dialog.file_edit.setText(str(made.path))
    dialog.file_edit.editingFinished.emit()
    assert f"{count} cases" in dialog.about_label.text()
    dialog.in_place.setChecked(True)
    dialog.password.setText(DEMO_PASSWORD)
    _shot(dialog, "restore-dialog")
    asked: list[str] = []

    def yes(_parent, _title, text, *args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    with qtbot.waitSignal(window.locked_changed, timeout=WAIT_MS * 2):
        dialog.start()
    assert asked and f"{count} cases" in asked[0] and "made" in asked[0]
    settle()
    assert window.app is None and window.unlock_screen is not None
    _shot(window, "unlock-after-restore")


def _due_setup(app: Btam) -> None:
    settings = app.settings()
    settings.retention_rules = rules_to_text(
        {
            (s, c): 0
            for s in ("school", "workplace", "campus", "community")
            for c in ("closed", "closed_no_threat")
        }
    )
    app.save_settings(settings)


def _retention_page(qtbot: QtBot, window: MainWindow) -> RetentionPage:
    assert window.show_page(PAGE_RETENTION)
    page = window.page(PAGE_RETENTION)
    assert isinstance(page, RetentionPage)
    qtbot.waitUntil(lambda: page.table.row_count() > 0, timeout=WAIT_MS)
    return page


def test_destruction_list_and_typed_confirmation(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path
) -> None:
    _set_folder(demo_app, tmp_path / "usb")
    demo_app.backups.create()
    _due_setup(demo_app)
    window = make_window(qtbot, demo_app, demo_vault)
    page = _retention_page(qtbot, window)
    first = page.table.row_at(0)
    assert page.table.proxy.index(0, 0).data() == first.number
    assert "0 years after closure" in page.table.proxy.index(0, 3).data()
    _shot(window, "due-for-destruction")
    page.table.selectRow(0)
    dialog = page.ask_destroy()
    assert dialog is not None
    assert "1 older backup" in dialog.backups_banner.text()
    assert not dialog.destroy_button.isEnabled()
    dialog.confirm_edit.setText("wrong")
    assert not dialog.destroy_button.isEnabled()
    dialog.confirm_edit.setText(first.number)
    assert dialog.destroy_button.isEnabled()
    _shot(dialog, "destroy-dialog")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS * 2):
        dialog.destroy_button.click()
    settle()
    with pytest.raises(NotFoundError):
        demo_app.cases.get(first.case_id)
    qtbot.waitUntil(lambda: first.number not in [i.number for i in page.items], timeout=WAIT_MS)


def test_legal_hold_disables_destroy_and_says_who_and_why(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    _due_setup(demo_app)
    first = demo_app.retention.due()[0]
    demo_app.cases.set_legal_hold(first.case_id, True, "Parent's attorney asked to keep it")
    window = make_window(qtbot, demo_app, demo_vault)
    page = _retention_page(qtbot, window)
    row = next(r for r, i in enumerate(page.table.shown_rows()) if i.case_id == first.case_id)
    page.table.selectRow(row)
    assert not page.destroy_button.isEnabled()
    assert "attorney" in page.table.proxy.index(row, 5).data()
    assert "Legal hold set by" in page.hold_label.text()
    assert page.ask_destroy() is None
    _shot(window, "due-with-legal-hold")


def test_settings_show_backup_and_retention_rules(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path
) -> None:
    from btam_desktop.ui.main_window import PAGE_SETTINGS
    from btam_desktop.ui.pages.settings import SettingsPage

    window = make_window(qtbot, demo_app, demo_vault)
    window.show_page(PAGE_SETTINGS)
    page = window.page(PAGE_SETTINGS)
    assert isinstance(page, SettingsPage)
    qtbot.waitUntil(lambda: page._settings is not None, timeout=WAIT_MS)
    page.backup_folder.setText(str(tmp_path / "usb"))
    page._mark_dirty()
    page.backup_keep.setValue(20)
    page.rule_spins[("school", "closed")].setValue(7)
    with qtbot.waitSignal(page.settings_changed, timeout=WAIT_MS):
        assert page.save()  # started: the save runs off the GUI thread
    saved = demo_app.settings()
    assert saved.backup_folder == str(tmp_path / "usb") and saved.backup_keep == 20
    assert demo_app.retention.rules() == {("school", "closed"): 7}
    assert "No backup yet" in window.backup.status_label.text()
    page.resize(1280, 1400)
    _shot(page, "settings-backups-and-retention")


def test_restore_from_the_sign_in_screen_into_a_new_folder(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path
) -> None:
    """When the vault will not open, the sign-in screen still restores a backup."""
    _set_folder(demo_app, tmp_path / "usb")
    made = demo_app.backups.create()
    window = make_window(qtbot, demo_app, demo_vault)
    window.lock("manual")
    screen = window.unlock_screen
    assert screen is not None
    screen.restore_button.click()
    from btam_desktop.ui.backup_ui import RestoreDialog

    found = window.findChildren(RestoreDialog)
    assert len(found) == 1
    dialog = found[0]
    assert not dialog.in_place.isVisible()
    assert "restored" in dialog.folder_edit.text()
    dialog.file_edit.setText(str(made.path))
    dialog.file_edit.editingFinished.emit()
    dialog.username.setText("demo")
    dialog.password.setText(DEMO_PASSWORD)
    _shot(dialog, "restore-from-sign-in")
    target = Path(dialog.folder_edit.text())
    with qtbot.waitSignal(dialog.restored_to, timeout=WAIT_MS * 2) as restored:
        dialog.start()
    assert restored.args == [str(target)]
    settle()
    assert window.vault_folder == target.resolve()
    assert (target / "vault.db").exists() and (target / "vault.keys").exists()


def test_automatic_backup_when_due_and_when_closing(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    _set_folder(demo_app, usb)
    window = make_window(qtbot, demo_app, demo_vault)
    with qtbot.waitSignal(window.backup.backup_finished, timeout=WAIT_MS) as finished:
        window.backup.back_up_if_due()  # what the daily timer runs: no backup yet, so due
        assert window.backup.progress is None  # automatic: no dialog in the way
    assert finished.args == [True]
    settle()
    assert len(_backups(usb)) == 1
    window.backup.back_up_if_due()  # not due again for a day
    assert window.backup.task is not None and window.backup.task.is_finished
    assert len(_backups(usb)) == 1
    # Closing backs up unless one was made in the last hour: make the last one look old.
    first = _backups(usb)[0]
    old = first.with_name(first.name.replace("Z.btambackup", "Z-old.btambackup"))
    first.rename(old)
    (demo_vault / "vault.backups.json").unlink()
    window.close()
    made = _backups(usb)
    assert len(made) == 2, made
    assert not demo_app.vault.is_open


def test_automatic_backup_off_and_no_folder_do_nothing(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    window.backup.back_up_if_due()
    assert window.backup.task is None  # no folder: nothing to do, and no dialog
    settings = demo_app.settings()
    settings.backup_folder = str(tmp_path / "usb")
    settings.auto_backup = 0
    demo_app.save_settings(settings)
    window.backup.back_up_if_due()
    window.close()
    assert _backups(tmp_path / "usb") == []


def test_restore_with_a_wrong_password_says_so_and_keeps_the_session(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path, monkeypatch
) -> None:
    _set_folder(demo_app, tmp_path / "usb")
    made = demo_app.backups.create()
    window = make_window(qtbot, demo_app, demo_vault)
    dialog = window.backup.open_restore_dialog()
    assert dialog is not None
    dialog.file_edit.setText(str(made.path))
    dialog.in_place.setChecked(True)
    dialog.password.setText("not the password")
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    task = dialog.start()
    assert task is not None
    qtbot.waitUntil(lambda: task.is_finished, timeout=WAIT_MS)
    settle()
    assert "Wrong user name or password" in dialog.error_banner.text()
    assert window.app is demo_app and demo_app.vault.is_open
