"""The application shell, driven as a person would: first-run assistant, unlock, the main window,
locking by hand and by idling, roles, window titles, closing with unsaved work."""

from __future__ import annotations

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import CaseSetting, Role
from btam_desktop.services.app import (
    Btam,
    NewTeam,
    create_team_vault,
    recover_and_reset,
    unlock,
)
from btam_desktop.services.cases import CaseQuery
from btam_desktop.store.remember import keyring_status
from btam_desktop.store.vault import is_vault, normalize_recovery_key
from btam_desktop.ui import recent, setup_wizard, tasks
from btam_desktop.ui.app import Launcher, StartWindow, demo_vault_dir
from btam_desktop.ui.case_workspace import CaseWorkspace
from btam_desktop.ui.intake_dialog import IntakeDialog
from btam_desktop.ui.main_window import (
    PAGE_AUDIT,
    PAGE_CASES,
    PAGE_DASHBOARD,
    PAGE_FORMS,
    PAGE_RETENTION,
    PAGE_SETTINGS,
    PAGE_TASKS,
    PAGE_TEAM,
    MainWindow,
)
from btam_desktop.ui.pages.cases import CasesPage
from btam_desktop.ui.pages.dashboard import DashboardPage
from btam_desktop.ui.setup_wizard import ACKNOWLEDGE_TEXT, ClipboardGuard, SetupWizard
from btam_desktop.ui.unlock import RecoveryDialog, UnlockScreen
from tests.ui.conftest import CHEAP, DEMO_PASSWORD

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

NO_KEYRING = (False, "No secure keyring on this test machine.")
WAIT_MS = 10_000


# ---- helpers -----------------------------------------------------------------------------------


def settle() -> None:
    """Deliver background results and delete what was scheduled for deletion."""
    tasks.wait_for_idle(WAIT_MS)
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def type_into(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def sign_in(qtbot: QtBot, screen: UnlockScreen, username: str, password: str) -> None:
    qtbot.waitUntil(screen.members_ready, timeout=WAIT_MS)  # the list is checked after paint
    index = screen.user_combo.findText(username)
    assert index >= 0, f"{username} is not offered"
    screen.user_combo.setCurrentIndex(index)
    type_into(qtbot, screen.password_edit, password)
    qtbot.keyClick(screen.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not screen.is_busy(), timeout=WAIT_MS)


def adopt(qtbot: QtBot, widget: QWidget) -> None:
    """Let qtbot close a window the launcher made (which deletes itself on close)."""
    widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(widget)


def make_window(qtbot: QtBot, app: Btam, folder: Path) -> MainWindow:
    window = MainWindow(app, folder, keyring=NO_KEYRING, kdf_params=CHEAP)
    adopt(qtbot, window)
    window.show()
    qtbot.waitExposed(window)
    settle()
    return window


def open_first_case_from_list(qtbot: QtBot, window: MainWindow) -> CaseWorkspace:
    """Ctrl+2, wait for the list, double-click the first row: the case opens in a tab."""
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == PAGE_CASES
    page = window.cases_page
    assert page is not None
    qtbot.waitUntil(lambda: page.model().rowCount() > 0, timeout=WAIT_MS)
    table = page.table()
    rect = table.visualRect(page.model().index(0, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.current_workspace() is not None, timeout=WAIT_MS)
    workspace = window.current_workspace()
    assert workspace is not None
    qtbot.waitUntil(lambda: not workspace.is_loading(), timeout=WAIT_MS)
    settle()
    return workspace


def people_names(app: Btam) -> set[str]:
    names = {m.display_name for m in app.team.members(include_inactive=True) if m.display_name}
    for row in app.cases.find(CaseQuery(), 0, 500):
        for person in app.records.people(row.id):
            if person.full_name:
                names.add(person.full_name)
    return names


# ---- first run -------------------------------------------------------------------------------


def test_setup_assistant_creates_a_vault_and_shows_a_working_recovery_key(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(setup_wizard, "CLIPBOARD_CLEAR_MS", 150)
    wizard = SetupWizard(kdf_params=CHEAP)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    created: list[tuple[Btam, Path]] = []
    wizard.vault_created.connect(lambda app, folder: created.append((app, folder)))
    next_button = wizard.button(QWizard.WizardButton.NextButton)

    # The team: a name is required.
    assert wizard.currentId() == SetupWizard.PAGE_TEAM
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == SetupWizard.PAGE_TEAM
    assert "name" in wizard.team_page.banner.text()
    qtbot.keyClicks(wizard.team_page.team_name, "Lincoln High threat assessment team")
    wizard.team_page.setting.setCurrentIndex(wizard.team_page.setting.findData("workplace"))
    assert wizard.team_page.scale.count() >= 2  # the scales come from the form registry
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)

    # The folder.
    assert wizard.currentId() == SetupWizard.PAGE_FOLDER
    folder = tmp_path / "team vault"
    type_into(qtbot, wizard.folder_page.folder, str(folder))
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)

    # The coordinator: a mismatched and a short password are refused inline.
    page = wizard.coordinator_page
    assert wizard.currentId() == SetupWizard.PAGE_COORDINATOR
    create_button = wizard.button(QWizard.WizardButton.CommitButton)
    assert "Create vault" in create_button.text().replace("&", "")
    qtbot.keyClicks(page.username, "jrivera")
    qtbot.keyClicks(page.full_name, "Jordan Rivera")
    qtbot.keyClicks(page.password, "maple kettle orbit 42")
    qtbot.keyClicks(page.confirm, "maple kettle orbit 24")
    assert page.meter.score() >= 3
    qtbot.mouseClick(create_button, Qt.MouseButton.LeftButton)
    settle()
    assert wizard.currentId() == SetupWizard.PAGE_COORDINATOR
    assert "not the same" in page.banner.text()
    assert page.confirm.text() == ""
    assert page.password.text() == "maple kettle orbit 42"  # nothing typed is lost
    assert not is_vault(folder)
    type_into(qtbot, page.password, "short")
    qtbot.keyClicks(page.confirm, "short")
    qtbot.mouseClick(create_button, Qt.MouseButton.LeftButton)
    settle()
    assert "at least 10 characters" in page.banner.text()
    assert not is_vault(folder)
    type_into(qtbot, page.password, "password123")  # Add member refuses it; so does setup
    type_into(qtbot, page.confirm, "password123")
    qtbot.mouseClick(create_button, Qt.MouseButton.LeftButton)
    settle()
    assert "too easy to guess" in page.banner.text()
    assert not is_vault(folder)
    type_into(qtbot, page.password, "maple kettle orbit 42")
    type_into(qtbot, page.confirm, "maple kettle orbit 42")
    page.idle_minutes.setValue(15)
    qtbot.mouseClick(create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == SetupWizard.PAGE_RECOVERY, timeout=WAIT_MS)
    assert is_vault(folder)

    # The recovery key: shown in groups; Finish only after the acknowledgment.
    recovery = wizard.recovery_page
    shown = recovery.key_label.text()
    assert len(shown.split()) == 8 and all(len(group) == 4 for group in shown.split())
    key = recovery.shown_key()
    assert len(key) == 32
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.isVisible() and not finish.isEnabled()
    assert recovery.acknowledge.text() == ACKNOWLEDGE_TEXT
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)  # closing now would lose the key: refused
    assert wizard.isVisible()
    assert "Tick the box" in recovery.banner.text()

    # The recovery sheet (the printing feature is installed): saved with a warning first.
    assert recovery.print_button.isEnabled() and recovery.pdf_button.isEnabled()
    warned: list[str] = []

    def fake_warning(parent, title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        warned.append(text)
        return QMessageBox.StandardButton.Save

    sheet = tmp_path / "sheet.pdf"
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(fake_warning))
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(sheet), ""))
    )
    qtbot.mouseClick(recovery.pdf_button, Qt.MouseButton.LeftButton)
    assert warned and "not encrypted" in warned[0]
    assert sheet.read_bytes().startswith(b"%PDF")
    assert "-".join(key[i : i + 4] for i in range(0, 32, 4)) in pdf_text(sheet.read_bytes())

    # Copying the key: the clipboard is cleared again.
    qtbot.mouseClick(recovery.copy_button, Qt.MouseButton.LeftButton)
    clipboard = QGuiApplication.clipboard()
    assert normalize_recovery_key(clipboard.text()) == key
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=WAIT_MS)

    qtbot.mouseClick(recovery.acknowledge, Qt.MouseButton.LeftButton)
    assert finish.isEnabled()
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert not wizard.isVisible()
    assert len(created) == 1
    app, created_folder = created[0]
    assert app.actor.username == "jrivera" and app.actor.role == Role.COORDINATOR
    settings = app.settings()
    assert settings.team_name == "Lincoln High threat assessment team"
    assert settings.default_setting == CaseSetting.WORKPLACE.value
    assert settings.idle_lock_minutes == 15
    assert recovery.key_label.text() == ""  # no longer shown anywhere
    app.lock()

    # The key shown is the real one: it resets the password.
    recover_and_reset(created_folder, shown, "jrivera", "a brand new password 7")
    unlock(created_folder, "jrivera", "a brand new password 7").lock()

    # Neither the key nor the password went to the settings files.
    for path in Path(recent.ui_settings().fileName()).parent.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="ignore")
            assert key not in normalize_recovery_key(text)
            assert "maple kettle" not in text


def pdf_text(pdf: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_clipboard_guard_leaves_other_text_alone(qtbot: QtBot) -> None:
    guard = ClipboardGuard("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789", timeout_ms=50)
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789")
    assert guard.is_pending()
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=WAIT_MS)
    clipboard.setText("minutes of the team meeting")
    assert not guard.is_pending()
    guard.release()
    assert clipboard.text() == "minutes of the team meeting"


# ---- starting the program ----------------------------------------------------------------------


def test_first_start_without_a_vault_opens_the_setup_assistant(qtbot: QtBot) -> None:
    launcher = Launcher(kdf_params=CHEAP, keyring=NO_KEYRING)
    launcher.start()
    assert launcher.wizard is not None
    adopt(qtbot, launcher.wizard)
    assert launcher.wizard.isVisible()
    assert launcher.start_window is None


def test_the_main_window_frame_is_built_while_the_password_is_checked(
    qtbot: QtBot, demo_vault: Path
) -> None:
    """Argon2id leaves the GUI thread free: the window's frame (menus, navigation, empty
    pages) is built meanwhile, kept after a wrong password, and is the window that opens."""
    launcher = Launcher(kdf_params=CHEAP, keyring=NO_KEYRING)
    screen = launcher.show_unlock(demo_vault)
    assert launcher.start_window is not None
    adopt(qtbot, launcher.start_window)
    sign_in(qtbot, screen, "demo", "not the password")
    assert "Wrong user name or password" in screen.message()
    frame = launcher._frame
    assert frame is not None and frame.app is None and not frame.isVisible()
    assert frame.dashboard_page is not None and frame.cases_page is not None
    sign_in(qtbot, screen, "demo", DEMO_PASSWORD)
    qtbot.waitUntil(lambda: launcher.main_window is not None, timeout=WAIT_MS)
    window = launcher.main_window
    assert window is frame
    adopt(qtbot, window)
    assert window.app is not None and window.dashboard_page is not None
    assert window.dashboard_page.app is window.app
    cases = window.cases_page
    assert cases is not None
    qtbot.waitUntil(lambda: cases._model.rowCount() > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.dashboard_page.data is not None, timeout=WAIT_MS)
    from btam_desktop.services.cases import CaseQuery

    open_cases = window.app.cases.count(CaseQuery(open_only=True))
    assert open_cases > 0
    assert window.dashboard_page.open_tile.value_text() == str(open_cases)
    window.close()


def test_remembered_vault_opens_the_unlock_screen_then_the_main_window(
    qtbot: QtBot, demo_vault: Path
) -> None:
    recent.add_recent_vault(demo_vault)
    launcher = Launcher(kdf_params=CHEAP, keyring=NO_KEYRING)
    launcher.start()
    start = launcher.start_window
    assert isinstance(start, StartWindow)
    adopt(qtbot, start)
    screen = start.content()
    assert isinstance(screen, UnlockScreen)
    assert screen.folder() == demo_vault.resolve()
    qtbot.waitUntil(screen.members_ready, timeout=WAIT_MS)
    assert (
        screen.user_combo_items() == ["casey", "demo", "morgan"]
        or len(screen.user_combo_items()) == 3
    )

    # A wrong password: a message, the field cleared and focused.
    sign_in(qtbot, screen, "demo", "not the password")
    assert "Wrong user name or password" in screen.message()
    assert screen.password_edit.text() == ""
    assert screen.window().focusWidget() is screen.password_edit
    assert launcher.main_window is None

    # The right one: the main window.
    sign_in(qtbot, screen, "demo", DEMO_PASSWORD)
    qtbot.waitUntil(lambda: launcher.main_window is not None, timeout=WAIT_MS)
    window = launcher.main_window
    assert window is not None
    adopt(qtbot, window)
    assert window.isVisible() and not window.is_locked()
    assert window.app is not None and window.app.actor.username == "demo"
    settle()
    window.close()


def test_demo_start_creates_the_demo_vault_and_signs_in(qtbot: QtBot) -> None:
    launcher = Launcher(kdf_params=CHEAP, keyring=NO_KEYRING)
    launcher.start(demo=True)
    start = launcher.start_window
    assert start is not None
    assert start.overlay.is_busy()  # a busy indicator while it is prepared
    qtbot.waitUntil(lambda: launcher.main_window is not None, timeout=30_000)
    window = launcher.main_window
    assert window is not None
    adopt(qtbot, window)
    assert is_vault(demo_vault_dir())
    assert window.app is not None and window.app.actor.username == "demo"
    assert window.is_demo()
    assert recent.recent_vaults() == []  # the demo does not become "the last vault"
    settle()
    window.lock()
    assert window.unlock_screen is not None
    assert "“demo”" in window.unlock_screen.message()
    window.close()


def test_a_folder_without_a_vault_says_so_on_the_unlock_screen(
    qtbot: QtBot, tmp_path: Path
) -> None:
    screen = UnlockScreen(tmp_path, keyring=NO_KEYRING)
    qtbot.addWidget(screen)
    screen.show()
    assert "There is no BTAM vault" in screen.message()
    assert not screen.unlock_button.isEnabled()
    assert screen.open_other_button.isEnabled() and screen.create_new_button.isEnabled()


def test_remember_me_is_disabled_with_the_reason_without_a_keyring(
    qtbot: QtBot, demo_vault: Path
) -> None:
    available, reason = keyring_status()
    assert not available  # the test run forces keyring's fail backend
    screen = UnlockScreen(demo_vault)
    qtbot.addWidget(screen)
    screen.show()
    # The keyring is asked once the screen is painted, in the background.
    assert screen.keyring_pending()
    qtbot.waitUntil(lambda: not screen.keyring_pending(), timeout=WAIT_MS)
    assert not screen.remember_box.isEnabled()
    assert screen.remember_reason.isVisible()
    assert screen.remember_reason.text() == reason
    offered = UnlockScreen(demo_vault, keyring=(True, ""))
    qtbot.addWidget(offered)
    offered.show()
    assert offered.remember_box.isEnabled()
    assert not offered.remember_reason.isVisible()


def test_recovery_key_sets_a_new_password_from_the_unlock_screen(
    qtbot: QtBot, tmp_path: Path
) -> None:
    folder = tmp_path / "vault"
    app, key = create_team_vault(
        folder,
        NewTeam(
            "Test team", CaseSetting.SCHOOL, "scale.four-level", "coord", "Cory", "first pass 123"
        ),
        kdf_params=CHEAP,
    )
    app.lock()
    screen = UnlockScreen(folder, keyring=NO_KEYRING)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.mouseClick(screen.recovery_button, Qt.MouseButton.LeftButton)
    dialog = screen.findChild(RecoveryDialog)
    assert isinstance(dialog, RecoveryDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.key_edit, "WRONG-KEY")
    qtbot.keyClicks(dialog.password_edit, "second pass 456")
    qtbot.keyClicks(dialog.confirm_edit, "second pass 456")
    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    assert "32 letters and digits" in dialog.message()
    type_into(qtbot, dialog.key_edit, key.lower().replace("-", " "))
    with qtbot.waitSignal(dialog.password_reset, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    settle()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert "password was changed" in screen.message()
    assert screen.selected_user() == "coord"
    unlocked: list[Btam] = []
    screen.unlocked.connect(unlocked.append)
    sign_in(qtbot, screen, "coord", "second pass 456")
    assert len(unlocked) == 1
    unlocked[0].lock()


# ---- the main window ---------------------------------------------------------------------------


def test_viewer_sees_no_team_or_settings_and_cannot_report(qtbot: QtBot, demo_vault: Path) -> None:
    launcher = Launcher(kdf_params=CHEAP, keyring=NO_KEYRING)
    screen = launcher.show_unlock(demo_vault)
    assert launcher.start_window is not None
    adopt(qtbot, launcher.start_window)
    sign_in(qtbot, screen, "casey", DEMO_PASSWORD)
    qtbot.waitUntil(lambda: launcher.main_window is not None, timeout=WAIT_MS)
    window = launcher.main_window
    assert window is not None
    adopt(qtbot, window)
    settle()
    assert window.visible_pages() == [PAGE_DASHBOARD, PAGE_CASES, PAGE_TASKS, PAGE_FORMS]
    assert not window.report_action.isEnabled()
    assert "viewer" in window.report_action.toolTip().lower()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.intake_dialog() is None
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)  # Team: hidden
    assert window.current_page() == PAGE_DASHBOARD
    assert window.page(PAGE_TEAM) is None and window.page(PAGE_SETTINGS) is None
    window.close()


def test_coordinator_navigates_with_the_keyboard(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    assert window.visible_pages() == [
        PAGE_DASHBOARD,
        PAGE_CASES,
        PAGE_TASKS,
        PAGE_FORMS,
        PAGE_TEAM,
        PAGE_SETTINGS,
        PAGE_RETENTION,
        PAGE_AUDIT,
    ]
    for number, key in enumerate(window.visible_pages(), start=1):
        qtbot.keyClick(
            window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier
        )
        assert window.current_page() == key
        assert window.pages.currentWidget() is window.page(key)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == PAGE_CASES
    assert window.cases_page is not None
    assert window.focusWidget() is window.cases_page.search_box()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.intake_dialog()
    assert isinstance(dialog, IntakeDialog) and dialog.isVisible()
    dialog.done(0)
    settle()
    assert window.intake_dialog() is None
    window.close()


def test_reporting_a_concern_opens_the_new_case(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    before = demo_app.cases.count(CaseQuery())
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.intake_dialog()
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.danger_no, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.narrative, "A student said something worrying at lunch.")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_workspace() is not None, timeout=WAIT_MS)
    settle()
    assert demo_app.cases.count(CaseQuery()) == before + 1
    workspace = window.current_workspace()
    assert workspace is not None and workspace.case_id == dialog.created_case_id
    assert window.windowTitle().startswith(f"{workspace.case_number} — ")
    assert window.intake_dialog() is None
    window.close()


def test_ctrl_l_locks_everything_and_unlocking_restores_the_case(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    workspace = open_first_case_from_list(qtbot, window)
    case_number = workspace.case_number
    case_title = demo_app.cases.by_number(case_number).title
    assert window.case_tabs is not None
    tabs_before = window.case_tabs.count()
    assert window.case_tabs.tabText(window.case_tabs.currentIndex()) == case_number

    # Opening the same case again switches to its tab instead of opening another.
    window.case_tabs.setCurrentIndex(0)
    window.open_case(workspace.case_id)
    assert window.case_tabs.count() == tabs_before
    assert window.current_workspace() is workspace
    assert workspace.show_tab("timeline")

    record_widgets = [workspace, window.cases_page, window.dashboard_page]
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked()
    assert not demo_app.vault.is_open
    settle()
    assert all(not shiboken6.isValid(w) for w in record_widgets)
    alive = [w for w in QApplication.allWidgets() if isinstance(w, CaseWorkspace | CasesPage)]
    assert alive == []
    assert not any(isinstance(w, DashboardPage) for w in QApplication.allWidgets())
    shown = [lbl.text() for lbl in window.findChildren(QLabel)] + [
        e.text() for e in window.findChildren(QLineEdit)
    ]
    assert not any(case_title in text for text in shown)
    screen = window.unlock_screen
    assert screen is not None and screen.isVisible()
    assert not window.report_action.isEnabled() and not window.lock_action.isEnabled()
    assert case_number not in window.windowTitle()

    sign_in(qtbot, screen, "demo", DEMO_PASSWORD)
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=WAIT_MS)
    settle()
    assert window.app is not None and window.app.vault.is_open
    assert window.current_page() == PAGE_CASES
    restored = window.current_workspace()
    assert restored is not None and restored is not workspace
    assert restored.case_number == case_number
    assert restored.current_tab_name() == "timeline"
    assert window.windowTitle().startswith(f"{case_number} — ")
    window.close()


def test_idle_timeout_locks_the_window(qtbot: QtBot, demo_app: Btam, demo_vault: Path) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    assert window.inactivity.is_running
    assert window.inactivity.timeout_ms == demo_app.settings().idle_lock_minutes * 60_000
    with qtbot.waitSignal(window.locked_changed, timeout=WAIT_MS):
        window.inactivity.set_timeout_ms(80)
    assert window.is_locked()
    assert not demo_app.vault.is_open
    assert window.unlock_screen is not None
    assert "nobody used it" in window.unlock_screen.message()
    assert not window.inactivity.is_running
    window.close()


def test_lock_saves_the_open_intake_as_a_draft_and_closes_it(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.intake_dialog()
    assert dialog is not None
    saved: list[bool] = []
    original = dialog.save_draft

    def counting_save_draft() -> None:
        saved.append(True)
        original()

    dialog.save_draft = counting_save_draft  # type: ignore[method-assign]
    window.lock()
    assert saved == [True]
    assert not dialog.isVisible()
    assert window.intake_dialog() is None
    window.close()


def test_window_title_shows_team_and_case_number_never_a_name(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    names = people_names(demo_app)
    assert len(names) > 5
    team = demo_app.settings().team_name
    window = make_window(qtbot, demo_app, demo_vault)
    titles = [window.windowTitle()]
    assert window.windowTitle() == f"{team} — BTAM Desktop"
    workspace = open_first_case_from_list(qtbot, window)
    titles.append(window.windowTitle())
    assert window.windowTitle() == f"{workspace.case_number} — {team} — BTAM Desktop"
    for name in ("people", "timeline", "notes"):
        workspace.show_tab(name)
        titles.append(window.windowTitle())
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    titles.append(window.windowTitle())
    assert window.windowTitle() == f"{team} — BTAM Desktop"
    window.lock()
    titles.append(window.windowTitle())
    for title in titles:
        for name in names:
            assert name not in title
            for part in name.split():
                if len(part) > 3 and part not in team:
                    assert part not in title, (part, title)
    window.close()


def test_closing_with_unsaved_changes_asks_first(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    workspace = open_first_case_from_list(qtbot, window)
    workspace.show_tab("overview")
    title_edit = workspace.overview.title_edit
    qtbot.keyClicks(title_edit, " (edited)")
    assert workspace.has_unsaved_changes()
    case_id = workspace.case_id

    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save]
    asked: list[str] = []

    def fake_question(parent, title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(fake_question))
    window.close()
    assert len(asked) == 1 and "not saved" in asked[0]
    assert window.isVisible() and not window.is_locked()
    assert demo_app.vault.is_open

    window.close()
    assert len(asked) == 2
    assert not window.isVisible()
    assert window.is_locked() and not demo_app.vault.is_open
    again = unlock(demo_vault, "demo", DEMO_PASSWORD)
    try:
        drafts = again.drafts.list()
        assert any(d.subject == str(case_id) for d in drafts)
    finally:
        again.lock()


def test_closing_without_changes_does_not_ask(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    open_first_case_from_list(qtbot, window)

    def no_question(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("nothing was unsaved")

    monkeypatch.setattr(QMessageBox, "question", staticmethod(no_question))
    window.close()
    assert not window.isVisible() and not demo_app.vault.is_open


def test_recent_vaults_lists_paths_existing_first(demo_vault: Path, tmp_path: Path) -> None:
    missing = tmp_path / "usb-stick" / "vault"
    for index in range(10):
        recent.add_recent_vault(tmp_path / f"gone-{index}")
    recent.add_recent_vault(missing)
    recent.add_recent_vault(demo_vault)
    listed = recent.recent_vaults()
    assert len(listed) == recent.MAX_RECENT
    assert listed[0] == demo_vault.resolve()
    assert listed[1] == missing.resolve()
    assert recent.last_vault() == demo_vault.resolve()
    recent.add_recent_vault(missing)
    assert recent.recent_vaults()[0] == demo_vault.resolve()  # existing ones stay first
    raw = recent.ui_settings().value("vaults/recent")
    assert all(isinstance(item, str) for item in raw)


def test_switching_to_another_vault_locks_the_current_one(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path
) -> None:
    other, _key = create_team_vault(
        tmp_path / "other",
        NewTeam(
            "Other team", CaseSetting.CAMPUS, "scale.four-level", "alex", "Alex", "a pass 1234"
        ),
        kdf_params=CHEAP,
    )
    other_folder = other.vault.folder
    other.lock()
    window = make_window(qtbot, demo_app, demo_vault)
    open_first_case_from_list(qtbot, window)
    window._fill_recent_menu()
    assert [a.text() for a in window.recent_menu.actions()] == [str(demo_vault.resolve())]
    assert window.switch_vault(other_folder)
    assert window.is_locked() and not demo_app.vault.is_open
    screen = window.unlock_screen
    assert screen is not None and screen.folder() == other_folder
    qtbot.waitUntil(screen.members_ready, timeout=WAIT_MS)
    assert screen.user_combo_items() == ["alex"]
    sign_in(qtbot, screen, "alex", "a pass 1234")
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=WAIT_MS)
    settle()
    assert window.open_workspaces() == []  # cases of the other vault are not reopened
    assert window.windowTitle() == "Other team — BTAM Desktop"
    assert recent.recent_vaults()[:2] == [other_folder, demo_vault.resolve()]
    window.close()


def test_screenshots_smoke(tmp_path: Path, demo_vault: Path) -> None:
    from btam_desktop.ui.screenshots import take_screenshots

    written = take_screenshots(tmp_path / "shots", source_vault=demo_vault, quick=True)
    assert len(written) >= 12
    assert all(p.suffix == ".png" and p.stat().st_size > 1000 for p in written)
    assert not [p for p in Path(tmp_path).glob("btam-screenshots-*")]
