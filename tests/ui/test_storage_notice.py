"""The window on read-only media and on a full disk: a clear notice that stays while it applies,
and waiting audit events written (and the notice gone) once there is room."""

from __future__ import annotations

import shutil
from pathlib import Path

from btam_desktop.services.app import unlock
from btam_desktop.services.cases import CaseQuery
from tests.edges import read_only_view, small_disk
from tests.ui.conftest import DEMO_COORDINATOR, DEMO_PASSWORD
from tests.ui.test_shell import make_window, settle


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
            disk.free_up()
            window.refresh_storage_notice(flush=True)
            assert not window.storage_banner.isVisible()
            assert app.pending_events() == 0
        finally:
            window.lock("quit")
            window.close()
