"""One signal when the vault changes (issue 13): run_operation announces, screens follow."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import NoteCategory
from btam_desktop.domain.errors import VaultError
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery
from btam_desktop.ui import tasks
from btam_desktop.ui.main_window import PAGE_CASES, PAGE_DASHBOARD, MainWindow
from btam_desktop.ui.messages import NOT_SAVED
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.record_dialogs import NoteDialog, select_data
from btam_desktop.ui.vault_events import RefreshOnChange, VaultChange, announce
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from tests.ui.changes import announced
from tests.ui.conftest import CHEAP

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

NO_KEYRING = (False, "No secure keyring on this test machine.")
SECRET = "Jordan said he would bring the rifle"


def shown_widget(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_save_through_run_operation_announces_one_change(
    qtbot: QtBot, heard: list[VaultChange]
) -> None:
    parent = shown_widget(qtbot)
    results: list[int] = []
    run_operation(
        parent,
        lambda: 42,
        what="save the note",
        on_done=results.append,
        changes=VaultChange("note", 7),
    )
    assert tasks.wait_for_idle()
    assert results == [42]
    assert heard == [VaultChange("note", 7)]
    assert (heard[0].kind, heard[0].case_id) == ("note", 7)


def test_the_change_can_depend_on_the_result(qtbot: QtBot, heard: list[VaultChange]) -> None:
    parent = shown_widget(qtbot)
    run_operation(
        parent, lambda: 12, what="add the case", changes=lambda id: VaultChange("case", id)
    )
    assert tasks.wait_for_idle()
    assert heard == [VaultChange("case", 12)]


def test_a_failed_operation_shows_the_shared_words_and_announces_nothing(
    qtbot: QtBot, heard: list[VaultChange], caplog: pytest.LogCaptureFixture
) -> None:
    parent = shown_widget(qtbot)
    done: list[object] = []

    def fails() -> None:
        raise RuntimeError(SECRET)

    with caplog.at_level(logging.DEBUG):
        run_operation(
            parent, fails, what="save the note", on_done=done.append, changes=VaultChange("note", 7)
        )
        assert tasks.wait_for_idle()
    assert done == [] and heard == []
    box = parent.findChild(QMessageBox, "operationError")
    assert box is not None and box.isVisible()
    assert box.windowTitle() == "Could not save the note"
    assert box.text() == NOT_SAVED
    assert SECRET not in box.text() and "Traceback" not in box.text()
    assert "RuntimeError" in caplog.text  # the type is logged ...
    assert SECRET not in caplog.text and "Traceback" not in caplog.text  # ... nothing else
    box.done(0)


def test_an_error_a_person_can_act_on_is_shown_in_the_given_banner(
    qtbot: QtBot, heard: list[VaultChange]
) -> None:
    parent = shown_widget(qtbot)
    banner = Banner(BannerKind.INFO, "", parent)
    banner.hide()
    advice = "The note is empty. Type what happened, then save."

    def refused() -> None:
        raise VaultError(advice)

    run_operation(parent, refused, what="save the note", banner=banner)
    assert tasks.wait_for_idle()
    assert banner.isVisible() and banner.text() == advice
    assert parent.findChild(QMessageBox) is None
    assert heard == []


def test_a_burst_of_ten_changes_refreshes_once(qtbot: QtBot) -> None:
    widget = shown_widget(qtbot)
    calls: list[int] = []
    RefreshOnChange(widget, lambda: calls.append(1))
    for case_id in range(10):
        announce(VaultChange("note", case_id))
    qtbot.wait(250)
    assert calls == [1]


def test_a_hidden_screen_refreshes_when_shown_and_only_for_changes_it_wants(
    qtbot: QtBot,
) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    calls: list[int] = []
    follower = RefreshOnChange(widget, lambda: calls.append(1), wants=lambda c: c.case_id == 3)
    announce(VaultChange("note", 4))
    qtbot.wait(200)
    assert not follower.stale
    announce(VaultChange("note", 3))
    qtbot.wait(200)
    assert calls == [] and follower.stale  # hidden: nothing read yet
    widget.show()
    qtbot.waitUntil(lambda: calls == [1], timeout=2000)
    qtbot.wait(200)
    assert calls == [1]


def test_the_screen_that_made_the_change_does_not_refresh_for_it(qtbot: QtBot) -> None:
    widget = shown_widget(qtbot)
    inner = QWidget(widget)
    calls: list[int] = []
    RefreshOnChange(widget, lambda: calls.append(1))
    announce(VaultChange("note", 1, origin=inner))
    qtbot.wait(200)
    assert calls == []
    announce(VaultChange("note", 1, origin=QWidget()))
    qtbot.waitUntil(lambda: calls == [1], timeout=2000)


def test_a_note_saved_in_a_case_tab_refreshes_the_list_and_the_dashboard(
    qtbot: QtBot, demo_app: Btam, heard: list[VaultChange]
) -> None:
    window = MainWindow(demo_app, demo_app.vault.folder, keyring=NO_KEYRING, kdf_params=CHEAP)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    cases, dashboard = window.cases_page, window.dashboard_page
    assert cases is not None and dashboard is not None
    assert tasks.wait_for_idle()
    case_id = demo_app.cases.find(CaseQuery(), 0, 1)[0].id
    workspace = window.open_case(case_id, "notes")
    assert workspace is not None
    qtbot.waitUntil(lambda: workspace.data is not None and not workspace.is_loading())
    assert tasks.wait_for_idle()
    qtbot.wait(200)
    heard.clear()
    list_before = cases.follow_changes.refreshes
    dashboard_before = dashboard.follow_changes.refreshes

    dialog = workspace.notes.add_note()
    assert isinstance(dialog, NoteDialog)
    select_data(dialog.category, NoteCategory.INTERVIEW.value)
    qtbot.keyClicks(dialog.body, "Met the student with the counselor.")
    with announced(qtbot, workspace.case_id, timeout=5000):
        dialog.save_button().click()
    qtbot.waitUntil(lambda: not workspace.is_loading(), timeout=5000)

    assert heard == [VaultChange("notes", case_id)]  # one change, from the tab that saved
    assert heard[0].origin is workspace.notes
    qtbot.wait(250)
    # Neither page is on screen: both wait to be shown rather than read now.
    assert cases.follow_changes.stale and dashboard.follow_changes.stale
    assert cases.follow_changes.refreshes == list_before
    assert workspace.follow_changes.refreshes == 0  # the workspace read the case itself

    window.show_page(PAGE_CASES)
    assert window.case_tabs is not None
    window.case_tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: cases.follow_changes.refreshes == list_before + 1, timeout=2000)
    window.show_page(PAGE_DASHBOARD)
    qtbot.waitUntil(
        lambda: dashboard.follow_changes.refreshes == dashboard_before + 1, timeout=2000
    )
    assert tasks.wait_for_idle()
    qtbot.wait(250)
    assert cases.follow_changes.refreshes == list_before + 1  # once, not once per listener
    assert dashboard.follow_changes.refreshes == dashboard_before + 1

    # Look at the list after its refresh: it should look as before (issue 13 changes no pixels).
    window.show_page(PAGE_CASES)
    window.case_tabs.setCurrentIndex(0)
    qtbot.wait(200)
    shots = Path("/tmp/shots/ops")
    shots.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(shots / "case_list_after_refresh.png"))
    window.show_page(PAGE_DASHBOARD)
    qtbot.wait(200)
    window.grab().save(str(shots / "dashboard_after_refresh.png"))


def test_a_destroyed_case_closes_its_tab_and_the_list_follows(qtbot: QtBot, demo_app: Btam) -> None:
    window = MainWindow(demo_app, demo_app.vault.folder, keyring=NO_KEYRING, kdf_params=CHEAP)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    cases = window.cases_page
    assert cases is not None and window.case_tabs is not None
    case_id = demo_app.cases.find(CaseQuery(), 0, 1)[0].id
    workspace = window.open_case(case_id)
    assert workspace is not None
    qtbot.waitUntil(lambda: not workspace.is_loading())
    before = cases.follow_changes.refreshes
    announce(VaultChange("destroyed", case_id))
    assert case_id not in window.open_case_ids()
    assert window.case_tabs.currentIndex() == 0  # back on the list, which reads itself again
    qtbot.waitUntil(lambda: cases.follow_changes.refreshes == before + 1, timeout=2000)
    assert tasks.wait_for_idle()
