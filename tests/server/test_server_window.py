"""The window on a team server: the case list refreshes itself when another computer saves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import CaseSetting, Role
from btam_desktop.domain.errors import ValidationError
from btam_desktop.services.app import Btam, NewTeam
from btam_desktop.services.cases import CaseQuery
from btam_desktop.services.team_server import create_team_server, unlock_server
from btam_desktop.ui import tasks
from btam_desktop.ui.main_window import PAGE_CASES, MainWindow
from btam_desktop.ui.vault_events import VaultChange, vault_events
from tests.server.throwaway_postgres import ThrowawayPostgres
from tests.services.conftest import CHEAP, MEMBER_PASSWORD, PASSWORD, intake

NO_KEYRING = (False, "No secure keyring on this test machine.")


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    folder = str(tmp_path_factory.mktemp("qsettings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    yield


@pytest.fixture(autouse=True)
def _no_leftover_tasks(qapp: QApplication) -> Iterator[None]:
    yield
    tasks.cancel_all()
    tasks.wait_for_idle(10_000)


@pytest.fixture
def server_team(postgres: ThrowawayPostgres, server_db: str) -> Iterator[tuple[Btam, str]]:
    url = postgres.url(server_db)
    app, _ = create_team_server(
        url,
        NewTeam(
            "North High BTAM", CaseSetting.SCHOOL, "scale.four-level", "coord", "Cory", PASSWORD
        ),
        kdf_params=CHEAP,
    )
    app.team.add_member("member", "Mel Member", Role.MEMBER, MEMBER_PASSWORD, kdf_params=CHEAP)
    app.cases.report_concern(intake())
    yield app, url
    if app.vault.is_open:
        app.lock()


def test_the_case_list_shows_a_case_saved_on_another_computer_within_two_seconds(
    qtbot: QtBot, server_team: tuple[Btam, str], tmp_path: Path
) -> None:
    app, url = server_team
    window = MainWindow(app, app.vault.folder, keyring=NO_KEYRING, kdf_params=CHEAP)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.cases_page
    assert page is not None and window.server_changes is not None
    qtbot.waitUntil(lambda: page.model().rowCount() == 1, timeout=5000)
    first = app.cases.find(CaseQuery())[0].id
    window.open_case(first)
    workspace = window.current_workspace()
    assert workspace is not None
    qtbot.waitUntil(lambda: not workspace.is_loading(), timeout=5000)
    dashboard = window.dashboard_page
    assert dashboard is not None
    case_tabs = window.case_tabs
    assert case_tabs is not None
    # Another computer's changes take the same path as this one's: the vault-changed signal.
    heard: list[VaultChange] = []
    vault_events().changed.connect(heard.append)
    elsewhere = unlock_server(url, "member", MEMBER_PASSWORD)
    try:
        case_tabs.setCurrentIndex(0)  # the list on screen refreshes itself
        elsewhere.cases.report_concern(intake(site="South Middle"))
        qtbot.waitUntil(lambda: page.model().rowCount() == 2, timeout=2000)
        assert [change.kind for change in heard] and {c.kind for c in heard} == {"server"}
        window.open_case(first)  # back to the open case, on screen
        reloads: list[int] = []
        workspace.refresh = lambda: reloads.append(1)  # type: ignore[method-assign]
        heard.clear()
        elsewhere.cases.update(first, site="East Campus")
        qtbot.waitUntil(lambda: reloads == [1], timeout=2000)  # the open case reads again
        assert VaultChange("server", first) in heard
    finally:
        elsewhere.lock()
        vault_events().changed.disconnect(heard.append)
    assert "Team server: 127.0.0.1" in window._folder_label.text()
    window.show_page(PAGE_CASES)
    case_tabs.setCurrentIndex(0)
    qtbot.wait(300)
    shots = Path("/tmp/shots/i16")
    shots.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(shots / "server_case_list.png"))
    window.lock("manual", save_drafts=False)
    assert window.server_changes is None


def test_a_window_on_a_team_server_offers_no_backups_of_this_computer(
    qtbot: QtBot, server_team: tuple[Btam, str]
) -> None:
    """Whoever runs the server backs it up; the window neither nags nor offers a vault backup."""
    app, _ = server_team
    assert not app.backups.available
    with pytest.raises(ValidationError, match="backed up by whoever runs it"):
        app.backups.create()
    window = MainWindow(app, app.vault.folder, keyring=NO_KEYRING, kdf_params=CHEAP)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    dashboard = window.dashboard_page
    assert dashboard is not None
    assert not dashboard.backup_banner.isVisible()
    assert not window.backup.backup_action.isVisible()
    assert not window.backup.status_label.isVisible()
    assert window.backup.back_up_now() is None
    window.lock("manual", save_drafts=False)


def test_a_vault_window_still_offers_backups(qtbot: QtBot, tmp_path: Path) -> None:
    from btam_desktop.services.app import create_team_vault

    app, _ = create_team_vault(
        tmp_path / "vault",
        NewTeam("Team", CaseSetting.SCHOOL, "scale.four-level", "coord", "Cory", PASSWORD),
        kdf_params=CHEAP,
    )
    assert app.backups.available
    window = MainWindow(app, app.vault.folder, keyring=NO_KEYRING, kdf_params=CHEAP)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    dashboard = window.dashboard_page
    assert dashboard is not None
    assert dashboard.backup_banner.isVisible()
    assert window.backup.backup_action.isVisible()
    window.lock("manual", save_drafts=False)
