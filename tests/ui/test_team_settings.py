"""Team page (members, passwords, training) and Settings page, driven as a person would."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import Role
from btam_desktop.services.app import Btam, unlock
from btam_desktop.store.errors import VaultError, WrongCredentialsError
from btam_desktop.ui import tasks
from btam_desktop.ui.pages.settings import SettingsPage
from btam_desktop.ui.pages.team import (
    AddMemberDialog,
    AddTrainingDialog,
    ChangePasswordDialog,
    ChangeRoleDialog,
    ResetPasswordDialog,
    TeamPage,
)
from btam_desktop.ui.theme import current_colors
from tests.ui.conftest import DEMO_MEMBER, DEMO_PASSWORD, DEMO_VIEWER

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

GOOD_PASSWORD = "maple lantern orbit 47"


def idle() -> None:
    assert tasks.wait_for_idle(15_000)


def make_team_page(qtbot: QtBot, app: Btam) -> TeamPage:
    page = TeamPage(app)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    idle()
    return page


def usernames(page: TeamPage) -> dict[str, list[str]]:
    return {row[0].removesuffix(" (you)"): row for row in page.member_rows()}


def click_ok(dialog: QWidget) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    # The team's dialogs are house forms (a Save button with their own words on it).
    ok = buttons.button(QDialogButtonBox.StandardButton.Save) or buttons.button(
        QDialogButtonBox.StandardButton.Ok
    )
    QtBot.mouseClick(ok, Qt.MouseButton.LeftButton)


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


# ---- team ---------------------------------------------------------------------------------


def test_add_member_refuses_weak_and_mismatched_passwords_then_the_member_can_unlock(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    page = make_team_page(qtbot, demo_app)
    before = len(page.member_rows())
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.current_dialog
    assert isinstance(dialog, AddMemberDialog) and dialog.isVisible()

    qtbot.keyClicks(dialog.username, "jrivera")
    qtbot.keyClicks(dialog.full_name, "Jordan Rivera")
    dialog.role.setFocus()
    qtbot.keyClick(dialog.role, Qt.Key.Key_Down)  # Member -> Viewer
    qtbot.keyClicks(dialog.team_role, "School psychologist")
    qtbot.keyClicks(dialog.email, "jrivera@example.org")

    # Too short / too common: refused with a message; nothing is lost.
    qtbot.keyClicks(dialog.password, "password1")
    qtbot.keyClicks(dialog.confirm, "password1")
    assert dialog.meter.score() <= 1
    click_ok(dialog)
    assert "too easy to guess" in dialog.error_message()
    assert dialog.isVisible() and not dialog.is_busy()
    assert dialog.full_name.text() == "Jordan Rivera"

    # Strong but not confirmed.
    type_into(qtbot, dialog.password, GOOD_PASSWORD)
    type_into(qtbot, dialog.confirm, GOOD_PASSWORD + "x")
    click_ok(dialog)
    assert "not the same" in dialog.error_message()
    assert dialog.confirm.hasFocus() or dialog.isVisible()

    type_into(qtbot, dialog.confirm, GOOD_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        click_ok(dialog)
        assert dialog.overlay.is_busy()  # Argon2 runs in the background, behind the overlay
    idle()
    rows = usernames(page)
    assert len(rows) == before + 1
    assert rows["jrivera"] == [
        "jrivera",
        "Jordan Rivera",
        "Viewer",
        "School psychologist",
        "jrivera@example.org",
        "Yes",
    ]
    assert page.selected_account() is not None
    assert page.selected_account().username == "jrivera"  # type: ignore[union-attr]

    demo_app.lock()
    member = unlock(demo_vault, "jrivera", GOOD_PASSWORD)
    try:
        assert member.actor.role == Role.VIEWER
        assert member.actor.display_name == "Jordan Rivera"
    finally:
        member.lock()


def test_add_member_shows_a_service_refusal_inline(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_team_page(qtbot, demo_app)
    dialog = page.open_add_member()
    assert dialog is not None
    qtbot.keyClicks(dialog.username, DEMO_MEMBER)  # already taken
    qtbot.keyClicks(dialog.full_name, "Someone Else")
    qtbot.keyClicks(dialog.password, GOOD_PASSWORD)
    qtbot.keyClicks(dialog.confirm, GOOD_PASSWORD)
    click_ok(dialog)
    idle()
    assert "already a team member" in dialog.error_message()
    assert dialog.isVisible()
    assert dialog.username.text() == DEMO_MEMBER
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_remove_member_confirms_shows_progress_and_locks_them_out(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = make_team_page(qtbot, demo_app)
    page.select_member(DEMO_MEMBER)
    asked: list[str] = []

    def answer(parent, title, text, buttons, default):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    progress: list[tuple[int, int, str]] = []
    original = page.overlay.set_progress

    def record(done: int, total: int, message: str = "") -> None:
        progress.append((done, total, message))
        original(done, total, message)

    monkeypatch.setattr(page.overlay, "set_progress", record)

    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert page.overlay.is_busy()
    assert "re-encrypted with a new key" in asked[0]
    assert "Copies of the vault folder made before now" in asked[0]
    assert "old password" in asked[0]
    idle()
    assert not page.overlay.is_busy()
    assert progress and progress[-1][:2] == (100, 100)
    assert progress[0] == (0, 100, "Preparing a new key")
    assert [done for done, _total, _message in progress] == sorted(d for d, _t, _m in progress)
    assert usernames(page)[DEMO_MEMBER][5] == "No (removed)"
    assert "re-encrypted with a new key" in page.notice()
    assert not page.remove_button.isEnabled()  # a removed member cannot be removed again

    demo_app.lock()
    with pytest.raises(WrongCredentialsError):
        unlock(demo_vault, DEMO_MEMBER, DEMO_PASSWORD)
    viewer = unlock(demo_vault, DEMO_VIEWER, DEMO_PASSWORD)  # the others still can
    viewer.lock()


def test_remove_member_cancelled_changes_nothing(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = make_team_page(qtbot, demo_app)
    page.select_member(DEMO_VIEWER)
    monkeypatch.setattr(
        QMessageBox,
        "question",
        staticmethod(lambda *args: QMessageBox.StandardButton.Cancel),
    )
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert not page.overlay.is_busy()
    idle()
    assert usernames(page)[DEMO_VIEWER][5] == "Yes"


def test_change_role_and_keep_one_coordinator(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_team_page(qtbot, demo_app)
    page.select_member(DEMO_VIEWER)
    qtbot.mouseClick(page.role_button, Qt.MouseButton.LeftButton)
    dialog = page.current_dialog
    assert isinstance(dialog, ChangeRoleDialog)
    assert dialog.role.currentData() == Role.VIEWER.value
    dialog.role.setFocus()
    qtbot.keyClick(dialog.role, Qt.Key.Key_Up)  # Viewer -> Member
    assert "works cases" in dialog.role_help.text()
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        click_ok(dialog)
    idle()
    assert usernames(page)[DEMO_VIEWER][2] == "Member"
    casey = next(m for m in demo_app.team.members() if m.username == DEMO_VIEWER)
    assert casey.role == Role.MEMBER.value

    # The only coordinator cannot step down: the refusal is shown in the dialog.
    page.select_member("demo")
    dialog2 = page.open_change_role()
    assert dialog2 is not None
    dialog2.role.setCurrentIndex(dialog2.role.findData(Role.MEMBER.value))
    click_ok(dialog2)
    idle()
    assert "at least one coordinator" in dialog2.error_message()
    assert dialog2.isVisible()
    dialog2.reject()


def test_add_training_highlights_expired_and_expiring(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_team_page(qtbot, demo_app)
    colors = current_colors()
    page.select_member(DEMO_MEMBER)
    idle()
    rows = page.training_rows()
    assert len(rows) == 1 and rows[0][1] == "expiring"  # the demo course expires in 30 days
    assert rows[0][0][4] == "Expires in 30 days"
    assert (
        page.training_view.proxy.index(0, 0).data(Qt.ItemDataRole.BackgroundRole).color().name()
        == colors.warning_bg
    )

    page.select_member(DEMO_VIEWER)
    idle()
    assert page.training_rows() == []
    assert page.training_empty.isVisible()
    qtbot.mouseClick(page.add_training_button, Qt.MouseButton.LeftButton)
    dialog = page.current_dialog
    assert isinstance(dialog, AddTrainingDialog)
    click_ok(dialog)
    assert "Name the course" in dialog.error_message()

    qtbot.keyClicks(dialog.course, "Threat assessment refresher")
    qtbot.keyClicks(dialog.provider, "Regional safety center")
    dialog.completed.setDate(QDate.currentDate().addYears(-3))
    qtbot.mouseClick(dialog.has_expiry, Qt.MouseButton.LeftButton)
    assert dialog.expires.isEnabled()
    dialog.expires.setDate(QDate.currentDate().addDays(-10))
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        click_ok(dialog)
    idle()
    rows = page.training_rows()
    assert len(rows) == 1
    texts, state = rows[0]
    assert state == "expired" and texts[0] == "Threat assessment refresher"
    assert texts[4] == "Expired"
    item = page.training_view.proxy.index(0, 3)
    assert item.data(Qt.ItemDataRole.BackgroundRole).color().name() == colors.danger_bg
    assert item.data(Qt.ItemDataRole.ForegroundRole).color().name() == colors.danger_fg
    stored = demo_app.team.training(page.selected_account_id())
    assert stored[0].expires_on == date.today() - timedelta(days=10)


def test_reset_password_lets_the_member_in_with_the_new_one(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    page = make_team_page(qtbot, demo_app)
    page.select_member(DEMO_MEMBER)
    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    dialog = page.current_dialog
    assert isinstance(dialog, ResetPasswordDialog)
    qtbot.keyClicks(dialog.password, GOOD_PASSWORD)
    qtbot.keyClicks(dialog.confirm, GOOD_PASSWORD)
    shown: list[tuple[int, int] | None] = []
    set_progress = dialog.overlay.set_progress

    def record(done: int, total: int, message: str = "") -> None:
        set_progress(done, total, message)
        shown.append(dialog.overlay.progress_value())

    dialog.overlay.set_progress = record  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        click_ok(dialog)
    idle()
    # The reset rekeys the vault: its bar moves step by step and reaches the end.
    assert shown[-1] == (100, 100)
    assert len(shown) >= 4 and shown == sorted(shown, key=lambda value: value or (0, 0))
    assert "new password is set" in page.notice()
    demo_app.lock()
    with pytest.raises(WrongCredentialsError):
        unlock(demo_vault, DEMO_MEMBER, DEMO_PASSWORD)
    unlock(demo_vault, DEMO_MEMBER, GOOD_PASSWORD).lock()


def test_change_my_password_needs_the_current_one(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    page = make_team_page(qtbot, demo_app)
    qtbot.mouseClick(page.own_password_button, Qt.MouseButton.LeftButton)
    dialog = page.current_dialog
    assert isinstance(dialog, ChangePasswordDialog)
    qtbot.keyClicks(dialog.current, "not my password")
    qtbot.keyClicks(dialog.password, GOOD_PASSWORD)
    qtbot.keyClicks(dialog.confirm, GOOD_PASSWORD)
    click_ok(dialog)
    idle()
    assert "Wrong current password" in dialog.error_message()
    type_into(qtbot, dialog.current, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        click_ok(dialog)
    idle()
    assert "Your password was changed" in page.notice()
    demo_app.lock()
    unlock(demo_vault, "demo", GOOD_PASSWORD).lock()


def test_a_member_sees_the_team_read_only(qtbot: QtBot, demo_app: Btam, demo_vault: Path) -> None:
    demo_app.lock()
    member = unlock(demo_vault, DEMO_MEMBER, DEMO_PASSWORD)
    try:
        page = make_team_page(qtbot, member)
        assert len(page.member_rows()) == 3
        assert page.read_only_banner.isVisible()
        for button in [*page.action_buttons, page.add_training_button]:
            assert not button.isVisible()
        assert page.open_add_member() is None
        assert page.open_change_role() is None
    finally:
        member.lock()


# ---- settings -----------------------------------------------------------------------------


def make_settings_page(qtbot: QtBot, app: Btam) -> SettingsPage:
    page = SettingsPage(app)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    idle()
    return page


def test_settings_save_and_reload(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_settings_page(qtbot, demo_app)
    assert page.team_name.text() == demo_app.settings().team_name
    assert not page.save_button.isEnabled()  # nothing to save yet

    type_into(qtbot, page.team_name, "Cedar Valley Threat Team")
    type_into(qtbot, page.idle_minutes, "45")
    assert page.idle_warning.isVisible()  # more than 30 minutes
    assert "45 minutes" in page.idle_warning.text()
    type_into(qtbot, page.idle_minutes, "20")
    assert not page.idle_warning.isVisible()
    page.paper_size.setFocus()
    qtbot.keyClick(page.paper_size, Qt.Key.Key_Down)  # Letter -> A4
    assert page.save_button.isEnabled()

    with qtbot.waitSignal(page.settings_changed, timeout=2000):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.error_message() == ""
    assert not page.has_unsaved_changes()

    stored = demo_app.settings()
    assert (stored.team_name, stored.idle_lock_minutes, stored.paper_size) == (
        "Cedar Valley Threat Team",
        20,
        "a4",
    )
    again = make_settings_page(qtbot, demo_app)
    assert again.team_name.text() == "Cedar Valley Threat Team"
    assert again.idle_minutes.value() == 20
    assert again.paper_size.currentData() == "a4"
    assert again.contact_email.text() == stored.contact_email


def test_settings_refuse_an_empty_team_name_and_keep_the_edits(
    qtbot: QtBot, demo_app: Btam
) -> None:
    page = make_settings_page(qtbot, demo_app)
    before = demo_app.settings()
    type_into(qtbot, page.idle_minutes, "15")
    type_into(qtbot, page.team_name, "   ")
    with qtbot.assertNotEmitted(page.settings_changed):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "The team needs a name" in page.error_message()
    assert page.team_name.hasFocus() or page.team_name.text() == "   "
    assert page.idle_minutes.value() == 15  # nothing typed is lost
    assert page.has_unsaved_changes()
    page.refresh()  # e.g. the window switched pages: the edits stay
    idle()
    assert page.idle_minutes.value() == 15
    assert demo_app.settings() == before


def test_idle_lock_never_warns(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_settings_page(qtbot, demo_app)
    type_into(qtbot, page.idle_minutes, "1")
    assert not page.idle_warning.isVisible()
    qtbot.keyClick(page.idle_minutes, Qt.Key.Key_Down)
    assert page.idle_minutes.value() == 0
    assert page.idle_minutes.text() == "Never"
    assert page.idle_warning.isVisible()
    assert "never locks" in page.idle_warning.text()


def test_settings_show_this_computer(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_settings_page(qtbot, demo_app)
    assert page.vault_path.text() == str(demo_app.vault.folder)
    # Tests force the "fail" keyring backend: the page says there is no secure keyring.
    assert "no secure system keyring" in page.keyring_label.text()
    scale_ids = [page.default_scale.itemData(i) for i in range(page.default_scale.count())]
    assert demo_app.settings().default_scale in scale_ids
    assert set(scale_ids) == {s.id for s in demo_app.forms().scales()}


def test_a_viewer_sees_settings_read_only(qtbot: QtBot, demo_app: Btam, demo_vault: Path) -> None:
    demo_app.lock()
    viewer = unlock(demo_vault, DEMO_VIEWER, DEMO_PASSWORD)
    try:
        page = make_settings_page(qtbot, viewer)
        assert page.is_read_only()
        assert page.read_only_banner.isVisible()
        assert not page.save_button.isVisible()
        name = viewer.settings().team_name
        assert page.team_name.text() == name
        assert page.team_name.isReadOnly()
        scale = page.default_scale.currentIndex()
        page.default_scale.setFocus()
        assert page.default_scale.count() > 1
        qtbot.keyClick(page.default_scale, Qt.Key.Key_Down)
        qtbot.keyClick(page.default_scale, Qt.Key.Key_Up)
        qtbot.mouseClick(page.paper_size, Qt.MouseButton.LeftButton)
        assert page.default_scale.currentIndex() == scale
        assert not page.has_unsaved_changes()
        assert page.team_name.toolTip().startswith("Only the team's coordinator")
        qtbot.keyClicks(page.team_name, "changed")
        assert page.team_name.text() == name
        assert not page.save()
        with pytest.raises(VaultError):  # and the service refuses anyway
            viewer.save_settings(page.edited_settings())
    finally:
        viewer.lock()


def test_the_team_words_the_confidentiality_line_of_its_printouts(
    qtbot: QtBot, demo_app: Btam
) -> None:
    from btam_desktop.reports import build_meeting_agenda
    from tests.reports.conftest import pdftotext

    page = make_settings_page(qtbot, demo_app)
    assert page.confidentiality_line.text() == ""  # the standard wording, shown as a hint
    assert "Do not copy or disclose" in page.confidentiality_line.placeholderText()
    line = "Confidential student record under FERPA. Do not redisclose."
    type_into(qtbot, page.confidentiality_line, line)
    with qtbot.waitSignal(page.settings_changed, timeout=2000):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert demo_app.settings().confidentiality_line == line
    assert line in pdftotext(build_meeting_agenda(demo_app))
    again = make_settings_page(qtbot, demo_app)
    assert again.confidentiality_line.text() == line
