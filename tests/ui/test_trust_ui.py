"""Issue 10 in the window: an older copy on the unlock screen, the Team page's plain account
of what roles and signatures mean, the closing policy in Settings, rotating on a password
change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from btam_desktop.services.app import Btam, unlock
from btam_desktop.store.keyfile_names import DB_NAME, KEYS_NAME
from btam_desktop.ui.pages.team import ChangePasswordDialog
from btam_desktop.ui.unlock import UnlockScreen
from tests.ui.conftest import DEMO_COORDINATOR, DEMO_MEMBER, DEMO_PASSWORD
from tests.ui.test_shell import NO_KEYRING, sign_in
from tests.ui.test_team_settings import (
    GOOD_PASSWORD,
    click_ok,
    idle,
    make_settings_page,
    make_team_page,
)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")
SHOTS = Path(os.environ.get("BTAM_SHOTS", "/tmp/shots/i10"))


def shot(widget: QWidget, name: str) -> None:
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / f"{name}.png"))


def _make_older_copy(folder: Path, keep: Path) -> None:
    keep.mkdir()
    for name in (DB_NAME, KEYS_NAME):
        shutil.copy2(folder / name, keep / name)
    for _ in range(3):  # newer events, seen on this computer
        unlock(folder, DEMO_COORDINATOR, DEMO_PASSWORD).lock()
    for name in (DB_NAME, KEYS_NAME):
        shutil.copy2(keep / name, folder / name)
    (folder / (DB_NAME + "-wal")).unlink(missing_ok=True)


def test_an_older_copy_asks_and_a_coordinator_can_accept(
    qtbot: QtBot, demo_vault: Path, tmp_path: Path
) -> None:
    unlock(demo_vault, DEMO_COORDINATOR, DEMO_PASSWORD).lock()  # this computer sees it once
    _make_older_copy(demo_vault, tmp_path / "old")
    screen = UnlockScreen(demo_vault, keyring=NO_KEYRING)
    qtbot.addWidget(screen)
    screen.resize(900, 640)
    screen.show()
    shot(screen, "unlock-screen")

    sign_in(qtbot, screen, DEMO_MEMBER, DEMO_PASSWORD)  # a member cannot accept it
    box = screen.older_copy_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "missing 6 events recorded on this computer" in box.text()
    shot(box, "older-copy-question")
    accept = next(b for b in box.buttons() if "Accept" in b.text())
    qtbot.mouseClick(accept, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.is_busy(), timeout=15_000)
    assert "may not accept an older copy" in screen.message()

    sign_in(qtbot, screen, DEMO_COORDINATOR, DEMO_PASSWORD)
    box = screen.older_copy_box
    assert box is not None and box.isVisible()
    stop = next(b for b in box.buttons() if b.text() == "Stop")
    qtbot.mouseClick(stop, Qt.MouseButton.LeftButton)
    assert "Stopped" in screen.message()

    sign_in(qtbot, screen, DEMO_COORDINATOR, DEMO_PASSWORD)
    box = screen.older_copy_box
    assert box is not None
    accept = next(b for b in box.buttons() if "Accept" in b.text())
    with qtbot.waitSignal(screen.unlocked, timeout=15_000) as signal:
        qtbot.mouseClick(accept, Qt.MouseButton.LeftButton)
    app = signal.args[0]
    try:
        assert any(e.action == "vault.older_copy_accepted" for e in app.audit_events(limit=5))
    finally:
        app.lock()


def test_team_page_says_what_roles_and_signatures_mean(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_team_page(qtbot, demo_app)
    text = page.trust_note.text()
    assert page.trust_note.isVisible()
    assert "Everyone on this list can read every case" in text
    assert "signed with the author's own key" in text
    assert "cannot stop someone from deleting or copying the vault file" in text
    shot(page, "team-page")


def test_change_password_can_give_the_vault_a_new_key(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path
) -> None:
    old_keys = (demo_vault / KEYS_NAME).read_bytes()
    generation = demo_app.vault.keyfile.generation
    page = make_team_page(qtbot, demo_app)
    qtbot.mouseClick(page.own_password_button, Qt.MouseButton.LeftButton)
    dialog = page.current_dialog
    assert isinstance(dialog, ChangePasswordDialog)
    qtbot.keyClicks(dialog.current, DEMO_PASSWORD)
    qtbot.keyClicks(dialog.password, GOOD_PASSWORD)
    qtbot.keyClicks(dialog.confirm, GOOD_PASSWORD)
    dialog.rotate.setChecked(True)
    shot(dialog, "change-password-dialog")
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        click_ok(dialog)
    idle()
    assert demo_app.vault.keyfile.generation == generation + 1
    demo_app.lock()
    (demo_vault / KEYS_NAME).write_bytes(old_keys)
    from btam_desktop.store.errors import VaultError

    with pytest.raises(VaultError):
        unlock(demo_vault, DEMO_COORDINATOR, DEMO_PASSWORD)


def test_settings_closing_policy_is_saved(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_settings_page(qtbot, demo_app)
    assert page.closing_by.currentData() == "coordinator"
    page.closing_by.setCurrentIndex(page.closing_by.findData("members"))
    assert page.save_button.isEnabled()
    with qtbot.waitSignal(page.settings_changed, timeout=2000):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert demo_app.settings().closing_by == "members"
    page.resize(1000, 1100)
    shot(page, "settings-page")


def test_the_demo_vault_verifies_with_every_signature(demo_app: Btam) -> None:
    """Everything the demo does goes through the services: no false alarms."""
    assert demo_app.integrity_problem is None
    report = demo_app.verify_audit()
    assert report.ok and report.signed, report.describe()


def test_a_record_changed_outside_the_program_is_reported_once_the_window_is_up(
    qtbot: QtBot, demo_vault: Path
) -> None:
    """The window signs in without waiting for the trail's check; the check runs right after
    and its finding is shown and recorded, as when it ran inside the sign-in."""
    from btam_desktop.store.vault import Vault
    from btam_desktop.ui.app import Launcher
    from tests.ui.conftest import CHEAP
    from tests.ui.test_shell import adopt

    unlock(demo_vault, DEMO_COORDINATOR, DEMO_PASSWORD).lock()  # this computer knows it
    insider = Vault.open(demo_vault, DEMO_MEMBER, DEMO_PASSWORD)
    with insider.engine.begin() as conn:
        changed = conn.exec_driver_sql("SELECT id FROM case_file ORDER BY id LIMIT 1").scalar()
        conn.exec_driver_sql("UPDATE case_file SET level='low' WHERE id=?", (changed,))
    insider.lock()

    launcher = Launcher(kdf_params=CHEAP, keyring=NO_KEYRING)
    screen = launcher.show_unlock(demo_vault)
    assert launcher.start_window is not None
    adopt(qtbot, launcher.start_window)
    sign_in(qtbot, screen, DEMO_COORDINATOR, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: launcher.main_window is not None, timeout=15_000)
    window = launcher.main_window
    assert window is not None
    adopt(qtbot, window)
    qtbot.waitUntil(lambda: getattr(window, "integrity_box", None) is not None, timeout=15_000)
    box = window.integrity_box
    assert box.isVisible()
    assert f"case {changed} is not as its last signed event" in box.text()
    app = window.app
    assert app is not None and not app.sign_in_check_pending
    assert [e.summary for e in app.audit_events() if e.action == "audit.problem_found"] == [
        "at sign-in"
    ]
    window.resize(1100, 720)
    shot(window, "integrity-box-after-sign-in")
    shot(box, "integrity-box")
    box.done(0)
    window.close()
