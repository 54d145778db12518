"""The window on read-only media and on a full disk: a clear notice that stays while it applies,
and waiting audit events written (and the notice gone) once there is room."""

from __future__ import annotations

import shutil
from pathlib import Path

from btam_desktop.services.app import unlock
from btam_desktop.services.cases import CaseQuery
from btam_desktop.ui.unlock import UnlockScreen
from tests.edges import read_only_view, small_disk
from tests.ui.conftest import DEMO_COORDINATOR, DEMO_PASSWORD
from tests.ui.test_shell import NO_KEYRING, make_window, settle, sign_in


def test_read_only_vault_shows_a_notice(qtbot, demo_vault: Path, record_property) -> None:
    with read_only_view(demo_vault) as view:
        record_property("read_only", view.kind)
        app = unlock(view.path, DEMO_COORDINATOR, DEMO_PASSWORD)
        window = make_window(qtbot, app, view.path)
        try:
            banner = window.storage_banner
            assert banner.isVisible()
            text = banner.text()
            assert "read-only media" in text and "space" not in text.lower()
            assert window.windowTitle().endswith("(read-only)")
            assert not window.report_action.isEnabled()
            assert not window.change_password_action.isEnabled()
            window.resize(1100, 700)
            settle()
            window.grab().save("/tmp/shots/i14/read_only_notice.png")
        finally:
            window.lock("quit")
            window.close()


def test_full_disk_notice_goes_away_when_space_returns(
    qtbot, demo_vault: Path, tmp_path: Path, record_property
) -> None:
    with small_disk(tmp_path, size_mb=16) as disk:
        record_property("disk", disk.kind)
        folder = disk.path / "vault"
        shutil.copytree(demo_vault, folder)
        app = unlock(folder, DEMO_COORDINATOR, DEMO_PASSWORD)
        window = make_window(qtbot, app, folder)
        try:
            assert not window.storage_banner.isVisible()
            app.vault.checkpoint()
            disk.fill(app.vault.engine)
            case_id = app.cases.list_page(CaseQuery())[0].id
            app.cases.open_case(case_id)
            window.refresh_storage_notice(flush=True)
            assert window.storage_banner.isVisible()
            assert "disk is full" in window.storage_banner.text()
            window.resize(1100, 700)
            settle()
            window.grab().save("/tmp/shots/i14/full_disk_notice.png")
            window.lock()  # locked while records wait: the unlock screen says so
            assert window.unlock_screen is not None
            assert "kept in memory" in window.unlock_screen.message()
            settle()
            window.grab().save("/tmp/shots/i14/locked_with_waiting_records.png")
            sign_in(qtbot, window.unlock_screen, DEMO_COORDINATOR, DEMO_PASSWORD)
            qtbot.waitUntil(lambda: window.app is not None)
            app = window.app
            settle()
            disk.free_up()
            window.refresh_storage_notice(flush=True)
            assert not window.storage_banner.isVisible()
            assert app.pending_events() == 0
        finally:
            window.lock("quit")
            window.close()


def test_unlock_screen_names_an_older_key_file(qtbot, demo_vault: Path, tmp_path: Path) -> None:
    """The diagnosis reaches the person as it is: an older key file, not 'damaged'."""
    old_keys = (demo_vault / "vault.keys").read_bytes()
    app = unlock(demo_vault, DEMO_COORDINATOR, DEMO_PASSWORD)
    casey = next(m for m in app.team.members() if m.username == "casey")
    assert casey.id is not None
    app.team.remove_member(casey.id)
    app.lock()
    (demo_vault / "vault.keys").write_bytes(old_keys)

    screen = UnlockScreen(demo_vault, keyring=NO_KEYRING)
    qtbot.addWidget(screen)
    screen.resize(600, 660)
    screen.show()
    qtbot.waitExposed(screen)
    sign_in(qtbot, screen, DEMO_COORDINATOR, DEMO_PASSWORD)
    message = screen.message()
    assert "it is older (key generation 1)" in message
    assert "restore the latest backup" not in message.lower()
    settle()
    screen.grab().save("/tmp/shots/i14/unlock_older_key_file.png")
