"""The main window: navigation, the Cases area with its case tabs, menus, locking and unlocking.

Navigation on the left (Dashboard, Cases, Forms and guides, and for the coordinator Team and
Settings; members and viewers do not see those two). The Cases area is a tab widget: the first,
fixed tab is the case list, every other tab one open case (tab text: the case number only).

Locking (Ctrl+L, after the idle timeout, or when the screen locks) first asks open case tabs
and an open intake to save their drafts (encrypted, in the vault), remembers which page and
cases were open, destroys every page and case tab (so no record is left in a widget), locks the
vault and shows the unlock screen over the whole window. Unlocking again (any member of the same
vault) rebuilds the pages and reopens the same cases on the same tabs.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from btam_desktop import APP_NAME
from btam_desktop.domain.enums import Role
from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.text import plural
from btam_desktop.services.app import Btam
from btam_desktop.services.permissions import Permission
from btam_desktop.services.vault_paths import KdfParams, is_vault
from btam_desktop.ui import tasks
from btam_desktop.ui.backup_ui import BackupController
from btam_desktop.ui.case_workspace import CaseWorkspace
from btam_desktop.ui.help import add_help_actions, show_about
from btam_desktop.ui.icons import app_icon, icon
from btam_desktop.ui.idle import InactivityWatcher
from btam_desktop.ui.intake_dialog import IntakeDialog
from btam_desktop.ui.messages import NOT_CHANGED, error_message
from btam_desktop.ui.pages.audit import AuditPage
from btam_desktop.ui.pages.cases import CasesPage
from btam_desktop.ui.pages.dashboard import DashboardPage
from btam_desktop.ui.pages.retention import RetentionPage
from btam_desktop.ui.pages.settings import SettingsPage
from btam_desktop.ui.pages.tasks import TasksPage
from btam_desktop.ui.pages.team import ChangePasswordDialog, TeamPage
from btam_desktop.ui.recent import (
    add_recent_server,
    add_recent_vault,
    recent_servers,
    recent_vaults,
    remember_last_user,
    remember_server_user,
    ui_settings,
)
from btam_desktop.ui.reminders import ReminderNotifier
from btam_desktop.ui.server_changes import ServerChangeRelay, follow_server_changes
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.unlock import UnlockScreen, ask_server_address, elided_path, user_message
from btam_desktop.ui.vault_events import VaultChange, vault_events
from btam_desktop.ui.widgets.banner import Banner, BannerKind

logger = logging.getLogger(__name__)

PAGE_DASHBOARD = "dashboard"
PAGE_CASES = "cases"
PAGE_TASKS = "tasks"
PAGE_FORMS = "forms"
PAGE_TEAM = "team"
PAGE_SETTINGS = "settings"
PAGE_RETENTION = "retention"
PAGE_AUDIT = "audit"


FORMS_FAILED = (
    "Forms and guides could not be opened. Restart BTAM Desktop; if it keeps happening, "
    "tell whoever looks after the program."
)


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    icon_name: str
    coordinator_only: bool = False


NAV_ENTRIES = (
    NavEntry(PAGE_DASHBOARD, "Dashboard", "dashboard"),
    NavEntry(PAGE_CASES, "Cases", "cases"),
    NavEntry(PAGE_TASKS, "My tasks", "task"),
    NavEntry(PAGE_FORMS, "Forms and guides", "forms"),
    NavEntry(PAGE_TEAM, "Team", "team", coordinator_only=True),
    NavEntry(PAGE_SETTINGS, "Settings", "settings", coordinator_only=True),
    NavEntry(PAGE_RETENTION, "Due for destruction", "calendar", coordinator_only=True),
    NavEntry(PAGE_AUDIT, "Audit trail", "audit", coordinator_only=True),
)

_GEOMETRY_KEY = "mainwindow/geometry"
_STATE_KEY = "mainwindow/state"


@dataclass
class OpenState:
    """What was on screen when the vault locked, to be restored after unlocking."""

    vault_id: str
    username: str = ""  # restored only for the same person (issue 11)
    page: str = PAGE_DASHBOARD
    case_ids: list[int] = field(default_factory=list)
    case_tabs: dict[int, str] = field(default_factory=dict)
    current_case: int | None = None


def ask_save_drafts(parent: QWidget, text: str) -> QMessageBox.StandardButton:
    """Save drafts / Discard / Cancel."""
    return QMessageBox.question(
        parent,
        "Unsaved changes",
        text,
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Save,
    )


def waiting_after_lock(waiting: int) -> str:
    """What the unlock screen says while audit records wait for disk space."""
    records = "1 audit record is" if waiting == 1 else f"{waiting} audit records are"
    return (
        f"The disk is full: {records} kept in memory and will be written when you unlock "
        "again with space free. Free some space before closing BTAM Desktop, or they are lost."
    )


class MainWindow(QMainWindow):
    """The signed-in window for one vault; shows the unlock screen while locked."""

    locked_changed = Signal(bool)

    def __init__(
        self,
        app: Btam | None,
        vault_folder: Path,
        parent: QWidget | None = None,
        *,
        demo: bool = False,
        keyring: tuple[bool, str] | None = None,
        kdf_params: KdfParams | None = None,
        server_url: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        # On a team server: its address, to sign in to it again after locking (in memory only:
        # it may hold the database password; shown and remembered only without it).
        self._server_url = server_url
        self._server_where = ""  # its host/database, for the status bar while locked
        self.setWindowIcon(app_icon())
        self._app: Btam | None = None
        self._folder = Path(vault_folder)
        self._demo_folder: Path | None = Path(vault_folder).resolve() if demo else None
        self._keyring = keyring
        self._kdf_params = kdf_params
        self._team_name = ""
        self._last_user = app.actor.username if app is not None else ""
        self._restore: OpenState | None = None
        self._pages: dict[str, QWidget] = {}
        self._workspaces: dict[int, CaseWorkspace] = {}
        self._intake: IntakeDialog | None = None
        self._locking = False
        self._restore_message = ""
        self.cases_page: CasesPage | None = None
        self.dashboard_page: DashboardPage | None = None
        self.reminders: ReminderNotifier | None = None
        self.server_changes: ServerChangeRelay | None = None  # team server (issue 16)
        # Pages and case tabs refresh themselves on a change; the window renames tabs.
        vault_events().changed.connect(self._vault_changed)
        self.case_tabs: QTabWidget | None = None
        self.unlock_screen: UnlockScreen | None = None

        # -- layout: [navigation | pages] or the unlock screen -----------------------------
        self.nav = QListWidget(self)
        self.nav.setObjectName("mainNavigation")
        self.nav.setAccessibleName("Navigation")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setSpacing(2)
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        self.nav.setStyleSheet(
            "QListWidget#mainNavigation { background: palette(window); padding: 4px 6px; "
            "border: none; outline: 0; }"
            "QListWidget#mainNavigation::item { padding: 6px 8px; border-radius: 6px; "
            "color: palette(window-text); }"
            "QListWidget#mainNavigation::item:hover { background: palette(midlight); }"
            "QListWidget#mainNavigation::item:selected { background: palette(highlight); "
            "color: palette(highlighted-text); }"
        )
        self.nav.currentItemChanged.connect(self._nav_changed)
        self.team_label = QLabel(self)
        self.team_label.setObjectName("navTeamName")
        self.team_label.setWordWrap(True)
        self.team_label.setAccessibleName("Team")
        set_style_role(self.team_label, "subheading")
        side = QWidget(self)
        side.setObjectName("mainSide")
        side.setFixedWidth(220)
        side.setStyleSheet(
            "QWidget#mainSide { background: palette(window); "
            "border-right: 1px solid palette(mid); }"
        )
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(10, 10, 4, 10)
        side_layout.setSpacing(6)
        side_layout.addWidget(self.team_label)
        side_layout.addWidget(self.nav, 1)
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("mainPages")
        workspace = QWidget(self)
        row = QHBoxLayout(workspace)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(side)
        row.addWidget(self._with_storage_banner(self.pages), 1)
        self._workspace = workspace
        self._lock_holder = QWidget(self)
        lock_layout = QVBoxLayout(self._lock_holder)
        lock_layout.setContentsMargins(0, 0, 0, 0)
        self._root = QStackedWidget(self)
        self._root.addWidget(workspace)
        self._root.addWidget(self._lock_holder)
        self.setCentralWidget(self._root)

        self.backup = BackupController(self, lambda: self._app)
        self.backup.restored_in_place.connect(self._restored_in_place)
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()

        self.inactivity = InactivityWatcher(0, self)
        self.inactivity.idle_timeout.connect(lambda: self.lock("idle"))
        self.inactivity.lock_requested.connect(lambda: self.lock("session"))
        self._idle_hint_timer = QTimer(self)
        self._idle_hint_timer.setInterval(15_000)
        self._idle_hint_timer.timeout.connect(self._update_idle_hint)
        self._session_events_watched = False

        self._restore_geometry()
        # Without an app the window is only its frame (menus, toolbar, navigation, status
        # bar), built while the password is checked; sign_in() fills it (see ui/app.py).
        if app is not None:
            self._signed_in(app)
        else:
            self._build_core_pages()

    def sign_in(self, app: Btam) -> None:
        """Fill a window built without an app (its frame, made during the password check)."""
        if self._app is not None:
            raise RuntimeError("this window is already signed in")
        self._last_user = app.actor.username
        self._signed_in(app)

    # == public API =======================================================================

    @property
    def app(self) -> Btam | None:
        """The signed-in session, None while locked."""
        return self._app

    @property
    def vault_folder(self) -> Path:
        return self._folder

    def is_locked(self) -> bool:
        return self._app is None

    def is_demo(self) -> bool:
        """True while the window shows the fictional demo vault."""
        return self._demo_folder is not None and self._folder.resolve() == self._demo_folder

    def current_page(self) -> str:
        item = self.nav.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def page(self, key: str) -> QWidget | None:
        return self._pages.get(key)

    def visible_pages(self) -> list[str]:
        return [
            str(self.nav.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.nav.count())
        ]

    def show_page(self, key: str) -> bool:
        """Switch to a navigation page; False if this person has no such page."""
        for index in range(self.nav.count()):
            if self.nav.item(index).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(index)
                return True
        return False

    def open_workspaces(self) -> list[CaseWorkspace]:
        """Open case tabs, in tab order."""
        if self.case_tabs is None:
            return []
        found: list[CaseWorkspace] = []
        for index in range(1, self.case_tabs.count()):
            widget = self.case_tabs.widget(index)
            if isinstance(widget, CaseWorkspace):
                found.append(widget)
        return found

    def open_case_ids(self) -> list[int]:
        order = {id(w): i for i, w in enumerate(self.open_workspaces())}
        return sorted(self._workspaces, key=lambda cid: order.get(id(self._workspaces[cid]), 0))

    def current_workspace(self) -> CaseWorkspace | None:
        if self.case_tabs is None or self.current_page() != PAGE_CASES:
            return None
        widget = self.case_tabs.currentWidget()
        return widget if isinstance(widget, CaseWorkspace) else None

    def open_case(self, case_id: int, tab: str | None = None) -> CaseWorkspace | None:
        """Show the case in its tab (opening the tab if needed)."""
        app = self._app
        if app is None or self.case_tabs is None:
            return None
        self.show_page(PAGE_CASES)
        workspace = self._workspaces.get(case_id)
        if workspace is None:
            try:
                workspace = CaseWorkspace(app, case_id, self.case_tabs)
            except Exception as error:
                QMessageBox.warning(self, "The case could not be opened", user_message(error))
                return None
            self._workspaces[case_id] = workspace
            index = self.case_tabs.addTab(workspace, icon("case-open"), "")
            self._label_tab(workspace, case_id)
        else:
            index = self.case_tabs.indexOf(workspace)
        self.case_tabs.setCurrentIndex(index)
        if tab:
            with contextlib.suppress(Exception):
                workspace.show_tab(tab)
        self._update_title()
        return workspace

    def close_case(self, case_id: int, *, ask: bool = True) -> bool:
        """Close a case tab; asks about unsaved changes first. False if the person cancelled."""
        workspace = self._workspaces.get(case_id)
        if workspace is None or self.case_tabs is None:
            return True
        if ask and self._has_unsaved(workspace):
            answer = ask_save_drafts(
                self,
                "This case has changes that are not saved yet. Keep them as a draft (encrypted "
                "in the vault) to finish later?",
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            if answer == QMessageBox.StandardButton.Save:
                self._save_workspace_drafts(workspace)
        del self._workspaces[case_id]
        self.case_tabs.removeTab(self.case_tabs.indexOf(workspace))
        self._dispose(workspace)
        self._update_title()
        return True

    def report_concern(self) -> IntakeDialog | None:
        """Open the intake dialog (or bring the open one to the front)."""
        app = self._app
        if app is None or not app.can(Permission.WORK_CASES):
            return None
        if self._intake is not None:
            self._intake.raise_()
            self._intake.activateWindow()
            return self._intake
        dialog = IntakeDialog(app, self)
        self._intake = dialog
        dialog.accepted.connect(lambda: self._intake_accepted(dialog))
        dialog.finished.connect(lambda _result: self._intake_closed(dialog))
        dialog.open()
        return dialog

    def intake_dialog(self) -> IntakeDialog | None:
        return self._intake

    def _intake_has_content(self) -> bool:
        dialog = self._intake
        if dialog is None or not dialog.isVisible():
            return False
        try:
            return dialog.has_content()
        except Exception:  # unsure: treat the typing as worth keeping
            return True

    def find_case(self) -> None:
        """Ctrl+F: the case list's search field."""
        if self._app is None or self.cases_page is None or self.case_tabs is None:
            return
        self.show_page(PAGE_CASES)
        self.case_tabs.setCurrentIndex(0)
        self.cases_page.focus_search()

    def lock(self, reason: str = "manual", *, save_drafts: bool = True) -> None:
        """Save drafts, destroy every page, lock the vault and show the unlock screen."""
        app = self._app
        if app is None or self._locking:
            return
        self._locking = True
        try:
            if save_drafts:
                self._save_all_drafts()
            self._close_dialogs()
            self._restore = self._snapshot(app)
            self._last_user = app.actor.username
            self.backup.locked()
            self._teardown()
            self._app = None
            tasks.cancel_all()
            tasks.wait_for_idle(3000)
            try:
                app.lock()
            except Exception as error:
                logger.error("locking wrote no audit event: %s", type(error).__name__)
                with contextlib.suppress(Exception):
                    app.vault.lock()
            self.inactivity.stop()
            self._idle_hint_timer.stop()
            self._stop_storage_watch()
            message = {
                "idle": "BTAM Desktop locked itself because nobody used it for a while.",
                "session": "BTAM Desktop locked because the computer was locked or went to sleep.",
                "restored": self._restore_message,
            }.get(reason, "")
            waiting = app.pending_events() if not app.read_only else 0
            if waiting:
                message = " ".join([message, waiting_after_lock(waiting)]).strip()
                if reason == "quit":
                    logger.warning("closing with %d audit records unwritten (disk full)", waiting)
            if reason == "quit":  # the window is closing: nothing to unlock
                self._apply_locked_actions()
                self._update_status()
                self._update_title()
            else:
                self._show_unlock(message)
        finally:
            self._locking = False
        self.locked_changed.emit(True)

    def switch_vault(self, folder: Path) -> bool:
        """Lock this vault and show the unlock screen of another one."""
        folder = Path(folder).expanduser().resolve()
        if not is_vault(folder):
            QMessageBox.warning(
                self,
                "No vault in that folder",
                f"There is no BTAM vault in {folder}. Choose the folder that holds "
                "“vault.db” and “vault.keys”.",
            )
            return False
        if folder == self._folder.expanduser().resolve() and self._app is not None:
            return True
        self.lock()
        if folder != self._folder.expanduser().resolve() or self._server_url:
            self._server_url = None
            self._folder = folder
            self._restore = None
            self._team_name = ""
            self._last_user = ""
            self._show_unlock("")
        return True

    def switch_server(self, url: str) -> None:
        """Lock what is open and show the sign-in screen of a team server (issue 16)."""
        self.lock()
        self._server_url = url
        self._server_where = ""
        self._restore = None
        self._team_name = ""
        self._last_user = ""
        self._show_unlock("")

    def connect_to_server(self) -> None:
        url = ask_server_address(self)
        if url:
            self.switch_server(url)

    def open_another_vault(self) -> None:
        start = str(self._folder.parent)
        chosen = QFileDialog.getExistingDirectory(self, "Open a vault folder", start)
        if chosen:
            self.switch_vault(Path(chosen))

    def new_vault(self) -> QDialog:
        """Lock this vault and run the setup assistant for a new one."""
        from btam_desktop.ui.setup_wizard import SetupWizard

        self.lock()
        wizard = SetupWizard(self, kdf_params=self._kdf_params)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.vault_created.connect(self._wizard_created)
        wizard.server_team_created.connect(self._wizard_created_server)
        wizard.sign_in_requested.connect(self.switch_server)
        wizard.open()
        return wizard

    # == signing in and out ===============================================================

    def _signed_in(self, app: Btam) -> None:
        self._app = app
        self._folder = app.vault.folder
        server = self._server_location(app)
        if server is not None:  # a team server (issue 16): remembered by its address
            with contextlib.suppress(Exception):
                remember_server_user(server, app.actor.username)
                add_recent_server(server)
        else:
            self._server_url = None
            with contextlib.suppress(Exception):
                remember_last_user(self._folder, app.actor.username)
        if server is None and not self.is_demo():  # the demo is opened with --demo only
            with contextlib.suppress(Exception):
                add_recent_vault(self._folder)
        settings = app.settings()
        self._team_name = settings.team_name
        self._build_navigation(app)
        if self.dashboard_page is None or self.cases_page is None:
            self._build_core_pages()
        self._attach_core_pages(app)
        restore = self._restore
        self._restore = None
        if (
            restore is not None
            and restore.vault_id == app.vault.vault_id
            and restore.username.casefold() == app.actor.username.casefold()
        ):
            self._restore_state(restore)
        else:
            self.show_page(PAGE_DASHBOARD)
        self._remove_unlock_screen()
        self._root.setCurrentWidget(self._workspace)
        self._apply_role(app)
        self.inactivity.set_timeout_minutes(max(0, settings.idle_lock_minutes))
        self.inactivity.start()
        if self.isVisible():
            self._watch_session_events()
        self._idle_hint_timer.start()
        self._start_storage_watch()
        self._update_status()
        self._update_title()
        self.backup.signed_in()
        self.locked_changed.emit(False)
        if app.sign_in_check_pending:
            # The sign-in's check of the trail runs now that the window is up, so the window
            # does not wait for it; what it finds is shown the moment it is known.
            tasks.run_in_background(
                app.finish_sign_in_check,
                on_done=lambda problem: self._sign_in_checked(app, problem),
                on_error=lambda error: self._sign_in_check_failed(app, error),
                parent=self,
            )
        elif app.integrity_problem:
            self._sign_in_checked(app, app.integrity_problem)

    def _sign_in_checked(self, app: Btam, problem: str | None) -> None:
        if not problem or self._app is not app:
            return
        # issue 10: the check at sign-in found a changed record
        self.integrity_box = QMessageBox(
            QMessageBox.Icon.Warning,
            "The records were changed outside the program",
            "BTAM Desktop checked the audit trail while signing you in and found a "
            f"problem: {problem}.\n\nWork can go on; the problem has been "
            "recorded. Tell your coordinator, who can compare with a backup and the "
            "printed audit head.",
            QMessageBox.StandardButton.Ok,
            self,
        )
        self.integrity_box.open()

    def _sign_in_check_failed(self, app: Btam, error: BaseException) -> None:
        if self._app is not app or not app.vault.is_open:
            return  # locked meanwhile: the check runs again at the next sign-in
        self.integrity_box = QMessageBox(
            QMessageBox.Icon.Warning,
            "The audit trail could not be checked",
            "BTAM Desktop checks the audit trail each time someone signs in, and this time "
            f"the check could not finish. {error_message(error, NOT_CHANGED)}\n\nWork can go "
            "on. The check runs again at the next sign-in.",
            QMessageBox.StandardButton.Ok,
            self,
        )
        self.integrity_box.open()

    def _wizard_created_server(self, app: Btam, url: str) -> None:
        self._server_url = url
        self._restore = None
        self._signed_in(app)

    def _server_location(self, app: Btam) -> str | None:
        """For a team server: its address without any password (and the full one kept in
        memory for signing in again); None for a vault."""
        if getattr(app.vault, "where", None) is None:
            return None
        from btam_desktop.services.team_server import (
            server_address_of,
            server_url_without_secrets,
        )

        if not self._server_url:
            self._server_url = server_address_of(app)
        return server_url_without_secrets(self._server_url) if self._server_url else None

    def is_server(self) -> bool:
        """True while the window belongs to a team server (signed in or locked)."""
        return bool(self._server_url)

    def _wizard_created(self, app: Btam, folder: Path) -> None:
        self._server_url = None
        self._folder = Path(folder)
        self._restore = None
        self._signed_in(app)

    def _show_unlock(self, message: str) -> None:
        self._remove_unlock_screen()
        screen = UnlockScreen(
            self._server_url or self._folder,
            self._lock_holder,
            username=self._last_user or None,
            keyring=self._keyring,
            message=message,
        )
        if self._team_name:
            screen.set_heading(f"{self._team_name} is locked")
        if self.is_demo() and not message:
            screen.show_message(
                "This is the demo vault of fictional cases: every member's password is “demo”.",
                BannerKind.INFO,
            )
        screen.unlocked.connect(self._signed_in)
        screen.open_other_requested.connect(self.open_another_vault)
        screen.create_new_requested.connect(self.new_vault)
        screen.restore_requested.connect(self._restore_from_unlock)
        screen.connect_server_requested.connect(self.connect_to_server)
        layout = self._lock_holder.layout()
        assert layout is not None
        layout.addWidget(screen)
        self.unlock_screen = screen
        self._root.setCurrentWidget(self._lock_holder)
        self._apply_locked_actions()
        self._update_status()
        self._update_title()
        if self.isVisible():
            screen.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _remove_unlock_screen(self) -> None:
        screen = self.unlock_screen
        if screen is not None:
            self.unlock_screen = None
            screen.hide()
            screen.setParent(None)
            screen.deleteLater()

    # == pages ============================================================================

    def _build_navigation(self, app: Btam) -> None:
        coordinator = app.actor.role == Role.COORDINATOR
        self.nav.blockSignals(True)
        self.nav.clear()
        for entry in NAV_ENTRIES:
            if entry.coordinator_only and not coordinator:
                continue
            item = QListWidgetItem(icon(entry.icon_name), entry.label)
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            item.setSizeHint(QSize(0, 38))
            self.nav.addItem(item)
        self.nav.blockSignals(False)
        for entry, action in zip(NAV_ENTRIES, self.page_actions, strict=True):
            action.setVisible(not entry.coordinator_only or coordinator)

    def _build_core_pages(self) -> None:
        """The dashboard and the case list, empty: built before the sign-in when the window's
        frame is made during the password check, else at the sign-in."""
        dashboard = DashboardPage(None, self.pages)
        dashboard.open_case_requested.connect(self.open_case)
        dashboard.show_cases_requested.connect(self._show_cases_preset)
        dashboard.backup_requested.connect(lambda: self.backup.back_up_now())
        self.backup.status_changed.connect(dashboard.update_backup_status)
        self.dashboard_page = dashboard
        self._add_page(PAGE_DASHBOARD, dashboard)

        tabs = QTabWidget(self.pages)
        tabs.setObjectName("caseTabs")
        tabs.setDocumentMode(True)
        tabs.setTabsClosable(True)
        tabs.setMovable(False)  # the case list stays the first tab
        tabs.setUsesScrollButtons(True)
        tabs.setElideMode(Qt.TextElideMode.ElideNone)
        tabs.tabCloseRequested.connect(self._tab_close_requested)
        tabs.currentChanged.connect(lambda _index: self._update_title())
        cases = CasesPage(None, tabs)
        cases.open_case_requested.connect(self.open_case)
        tabs.addTab(cases, icon("cases"), "All cases")
        tabs.setTabToolTip(0, "The list of all cases")
        bar = tabs.tabBar()
        for side in (bar.ButtonPosition.RightSide, bar.ButtonPosition.LeftSide):
            button = bar.tabButton(0, side)
            if button is not None:
                button.resize(0, 0)
                bar.setTabButton(0, side, None)
        self.case_tabs = tabs
        self.cases_page = cases
        self._add_page(PAGE_CASES, tabs)

    def _attach_core_pages(self, app: Btam) -> None:
        assert self.dashboard_page is not None and self.cases_page is not None
        self.dashboard_page.attach(app, window_sends_backup_status=True)
        self.cases_page.attach(app)
        # Team server (issue 16): other computers' changes are announced like this one's.
        self.server_changes = follow_server_changes(app, self)

        # Reminders run while the vault is open; they show only kinds and case numbers.
        self.reminders = ReminderNotifier(app, self)
        self.reminders.open_case_requested.connect(self.open_case)

    def _add_page(self, key: str, widget: QWidget) -> None:
        self._pages[key] = widget
        self.pages.addWidget(widget)

    def _ensure_page(self, key: str) -> QWidget | None:
        existing = self._pages.get(key)
        if existing is not None:
            return existing
        app = self._app
        if app is None:
            return None
        page: QWidget
        if key == PAGE_FORMS:
            # Imported when the page is first shown: the form registry loads with it.
            from btam_desktop.ui.pages.forms import FormsPage

            try:
                page = FormsPage(app, self.pages)
            except Exception as error:  # a broken page must not take the window down
                logger.error("the forms page failed with %s", type(error).__name__)
                page = self._placeholder(FORMS_FAILED)
        elif key == PAGE_TASKS:
            tasks_page = TasksPage(app, self.pages)
            tasks_page.open_case_requested.connect(self.open_case)
            page = tasks_page
        elif key == PAGE_TEAM:
            page = TeamPage(app, self.pages)
        elif key == PAGE_AUDIT:
            page = AuditPage(app, self.pages)
        elif key == PAGE_SETTINGS:
            settings_page = SettingsPage(app, self.pages)
            settings_page.settings_changed.connect(self._settings_changed)
            page = settings_page
        elif key == PAGE_RETENTION:
            retention_page = RetentionPage(app, self.pages)
            retention_page.open_case_requested.connect(self.open_case)
            page = retention_page
        else:
            return None
        self._add_page(key, page)
        return page

    def _placeholder(self, text: str) -> QWidget:
        holder = QWidget(self.pages)
        picture = QLabel(holder)
        picture.setPixmap(icon("forms").pixmap(QSize(48, 48), self.devicePixelRatioF()))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading = QLabel("Forms and guides", holder)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_style_role(heading, "heading")
        label = QLabel(text, holder)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setFixedWidth(460)
        set_style_role(label, "muted")
        label.setMinimumHeight(label.heightForWidth(460))
        layout = QVBoxLayout(holder)
        layout.addStretch(1)
        layout.addWidget(picture)
        layout.addWidget(heading)
        layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return holder

    def _nav_changed(self, current: QListWidgetItem | None, _previous: object = None) -> None:
        if current is None:
            return
        key = str(current.data(Qt.ItemDataRole.UserRole))
        page = self._ensure_page(key)
        if page is None:
            return
        self.pages.setCurrentWidget(page)
        self._update_title()

    def _show_cases_preset(self, name: str) -> None:
        if name == "tasks":  # the dashboard's tasks tile opens My tasks
            self.show_page(PAGE_TASKS)
            return
        if self.cases_page is None or self.case_tabs is None:
            return
        self.show_page(PAGE_CASES)
        self.case_tabs.setCurrentIndex(0)
        self.cases_page.apply_filter_preset(name)

    def _label_tab(self, workspace: CaseWorkspace, case_id: int) -> None:
        if self.case_tabs is None:
            return
        number = ""
        with contextlib.suppress(Exception):
            number = str(workspace.case_number or "")
        if not number and self._app is not None:
            with contextlib.suppress(Exception):
                number = self._app.cases.get(case_id).number
        index = self.case_tabs.indexOf(workspace)
        if index >= 0:
            self.case_tabs.setTabText(index, number or "Case")
            self.case_tabs.setTabToolTip(index, f"Case {number}" if number else "Case")

    def _vault_changed(self, change: VaultChange) -> None:
        """A change on this computer or another (issue 13): the pages and case tabs refresh
        themselves; the window only names the case's tab again (its number may change)."""
        workspace = self._workspaces.get(change.case_id) if change.case_id is not None else None
        if workspace is None or change.case_id is None:
            return
        if change.kind == "destroyed":  # nothing left to show
            self.close_case(change.case_id, ask=False)
            return
        self._label_tab(workspace, change.case_id)
        self._update_title()

    def _tab_close_requested(self, index: int) -> None:
        if self.case_tabs is None or index <= 0:
            return
        widget = self.case_tabs.widget(index)
        for case_id, workspace in list(self._workspaces.items()):
            if workspace is widget:
                self.close_case(case_id)
                return

    def _close_current_case(self) -> None:
        workspace = self.current_workspace()
        if workspace is None:
            return
        for case_id, open_workspace in list(self._workspaces.items()):
            if open_workspace is workspace:
                self.close_case(case_id)
                return

    def _intake_accepted(self, dialog: IntakeDialog) -> None:
        case_id = dialog.created_case_id  # the dialog announced the new case
        if self._app is None or case_id is None:
            return
        self.open_case(case_id)

    def _intake_closed(self, dialog: IntakeDialog) -> None:
        if self._intake is dialog:
            self._intake = None
        dialog.deleteLater()

    def _restore_from_unlock(self) -> QDialog:
        """From the sign-in screen: restore a backup into a new folder, then switch to it."""
        from btam_desktop.ui.backup_ui import RestoreDialog

        dialog = RestoreDialog(None, self, near=self._folder)
        dialog.restored_to.connect(lambda folder: self.switch_vault(Path(folder)))
        dialog.open()
        return dialog

    def _restored_in_place(self, message: str) -> None:
        """The vault under this window was replaced by a backup: sign everyone out."""
        self._restore_message = message
        self.lock("restored", save_drafts=False)
        self._restore = None  # the cases that were open may not exist in the backup

    def _settings_changed(self) -> None:
        self.backup.refresh_status()
        app = self._app
        if app is None:
            return
        settings = app.settings()
        self._team_name = settings.team_name
        self.inactivity.set_timeout_minutes(max(0, settings.idle_lock_minutes))
        self._update_status()
        self._update_title()

    # == locking internals ================================================================

    @staticmethod
    def _has_unsaved(workspace: CaseWorkspace) -> bool:
        try:
            return bool(workspace.has_unsaved_changes())
        except Exception as error:
            logger.error("has_unsaved_changes failed with %s", type(error).__name__)
            return False

    @staticmethod
    def _save_workspace_drafts(workspace: CaseWorkspace) -> None:
        try:
            workspace.save_drafts()
        except Exception as error:
            logger.error("saving case drafts failed with %s", type(error).__name__)

    def _save_all_drafts(self) -> None:
        for workspace in self.open_workspaces():
            self._save_workspace_drafts(workspace)
        if self._intake is not None:
            try:
                self._intake.save_draft()
            except Exception as error:
                logger.error("saving the intake draft failed with %s", type(error).__name__)

    def _close_dialogs(self) -> None:
        """Close every dialog of this window (the intake, record editors, message boxes)."""
        self._intake = None
        for workspace in self.open_workspaces():  # wizards and viewers are their own windows
            try:
                workspace.close_windows()
            except Exception as error:
                logger.error("closing case windows failed with %s", type(error).__name__)
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.done(QDialog.DialogCode.Rejected)
            dialog.hide()

    def _snapshot(self, app: Btam) -> OpenState:
        state = OpenState(
            vault_id=app.vault.vault_id,
            username=app.actor.username,
            page=self.current_page() or PAGE_DASHBOARD,
        )
        current = self.case_tabs.currentWidget() if self.case_tabs is not None else None
        for workspace in self.open_workspaces():
            case_id = next((c for c, w in self._workspaces.items() if w is workspace), None)
            if case_id is None:
                continue
            state.case_ids.append(case_id)
            with contextlib.suppress(Exception):
                state.case_tabs[case_id] = str(workspace.current_tab_name())
            if workspace is current:
                state.current_case = case_id
        return state

    def _restore_state(self, state: OpenState) -> None:
        for case_id in state.case_ids:
            if self._app is None:
                return
            try:
                self._app.cases.get(case_id)
            except VaultError:
                continue  # purged or no longer there
            self.open_case(case_id, state.case_tabs.get(case_id))
        if self.case_tabs is not None:
            if state.current_case is not None and state.current_case in self._workspaces:
                self.case_tabs.setCurrentWidget(self._workspaces[state.current_case])
            else:
                self.case_tabs.setCurrentIndex(0)
        if not self.show_page(state.page):
            self.show_page(PAGE_DASHBOARD)

    def _teardown(self) -> None:
        """Destroy every page and case tab: nothing read from the vault stays in a widget."""
        self.nav.blockSignals(True)
        self.nav.clear()
        self.nav.blockSignals(False)
        self._workspaces.clear()
        if self.reminders is not None:
            self.reminders.stop()
            self.reminders.deleteLater()
            self.reminders = None
        if self.server_changes is not None:  # team server (issue 16)
            self.server_changes.stop()
            self.server_changes.deleteLater()
            self.server_changes = None
        for widget in list(self._pages.values()):
            self.pages.removeWidget(widget)
            self._dispose(widget)
        self._pages.clear()
        self.cases_page = None
        self.dashboard_page = None
        self.case_tabs = None

    @staticmethod
    def _dispose(widget: QWidget) -> None:
        widget.hide()
        widget.setParent(None)
        widget.deleteLater()

    def _watch_session_events(self) -> None:
        if not self.inactivity.is_running:
            return
        try:
            self.inactivity.watch_session_events(self)
        except Exception as error:
            logger.warning("session lock events unavailable: %s", type(error).__name__)
        self._session_events_watched = True

    # == actions, menus, status ===========================================================

    def _action(
        self,
        text: str,
        slot: Callable[..., object],
        *,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon_name: str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.report_action = self._action(
            "&Report a concern…",
            self.report_concern,
            shortcut="Ctrl+N",
            icon_name="report-concern",
            tip="Record a new report of concern (Ctrl+N)",
        )
        self.open_vault_action = self._action(
            "&Open another vault…", self.open_another_vault, icon_name="case-open"
        )
        self.new_vault_action = self._action("&New vault…", self.new_vault, icon_name="add")
        self.connect_server_action = self._action(
            "Connect to a &team server…", self.connect_to_server, icon_name="case-open"
        )
        self.close_case_action = self._action(
            "&Close case tab",
            self._close_current_case,
            shortcut=QKeySequence.StandardKey.Close,
            icon_name="close",
        )
        self.change_password_action = self._action(
            "Change my &password…", self.change_password, icon_name="key"
        )
        self.lock_action = self._action(
            "&Lock",
            lambda: self.lock("manual"),
            shortcut="Ctrl+L",
            icon_name="lock",
            tip="Lock the vault now (Ctrl+L); unlock with your password",
        )
        self.quit_action = self._action("&Quit", self.close, shortcut="Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.page_actions: list[QAction] = []
        for number, entry in enumerate(NAV_ENTRIES, start=1):
            action = self._action(
                f"Go to {entry.label}",
                lambda _checked=False, key=entry.key: self.show_page(key),
                shortcut=f"Ctrl+{number}",
                icon_name=entry.icon_name,
            )
            self.page_actions.append(action)
        self.find_action = self._action(
            "&Find a case…",
            self.find_case,
            shortcut=QKeySequence.StandardKey.Find,
            icon_name="search",
            tip="Search the cases (Ctrl+F)",
        )
        self.about_action = self._action("&About BTAM Desktop", self.about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.help_actions = add_help_actions(self)  # F1 user guide, shortcuts, tour
        self.print_case_action = self._action(
            "&Case summary…",
            self.print_case_summary,
            shortcut=QKeySequence.StandardKey.Print,
            icon_name="print",
            tip="Print or save a summary of the case shown (Ctrl+P)",
        )
        self.print_agenda_action = self._action(
            "Team meeting &agenda…", self.print_meeting_agenda, icon_name="print"
        )
        self.print_handout_action = self._action(
            "&Recognize-and-report handout…", self.print_handout, icon_name="print"
        )
        # Records lifecycle (issue 9): export, import, transfer, annual statistics.
        self.export_cases_action = self._action("&Export cases…", self.export_cases)
        self.import_cases_action = self._action("&Import cases…", self.import_cases)
        self.transfer_cases_action = self._action("&Transfer cases…", self.transfer_cases)
        self.receive_transfer_action = self._action("Recei&ve transfer…", self.receive_transfer)
        self.statistics_action = self._action("Annual &statistics…", self.annual_statistics)
        self.lifecycle_actions = [
            self.export_cases_action,
            self.import_cases_action,
            self.transfer_cases_action,
            self.receive_transfer_action,
            self.statistics_action,
        ]

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.report_action)
        self.print_menu = file_menu.addMenu(icon("print"), "&Print")
        for action in (self.print_case_action, self.print_agenda_action, self.print_handout_action):
            self.print_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup.backup_action)
        file_menu.addAction(self.backup.restore_action)
        file_menu.addSeparator()
        for action in self.lifecycle_actions:  # export, import, transfer, statistics
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.open_vault_action)
        file_menu.addAction(self.connect_server_action)
        file_menu.addAction(self.new_vault_action)
        self.recent_menu = QMenu("&Recent vaults", self)
        self.recent_menu.setIcon(icon("calendar"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.close_case_action)
        file_menu.addAction(self.change_password_action)
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu("&View")
        for action in self.page_actions:
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.find_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.help_actions.guide)
        help_menu.addAction(self.help_actions.shortcuts)
        help_menu.addAction(self.help_actions.tour)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)
        self.file_menu, self.view_menu, self.help_menu = file_menu, view_menu, help_menu
        self._fill_recent_menu()

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main toolbar", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.report_action)
        toolbar.addAction(self.find_action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.lock_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self._who_label = QLabel(self)
        self._who_label.setAccessibleName("Signed in as")
        self._folder_label = QLabel(self)
        self._folder_label.setAccessibleName("Vault folder")
        set_style_role(self._folder_label, "muted")
        # On a narrow window the folder (or server address) is cut short rather than widening
        # the window past the screen (its full text is in the tooltip).
        self._folder_label.setMinimumWidth(80)
        self._idle_label = QLabel(self)
        self._idle_label.setAccessibleName("Idle lock")
        set_style_role(self._idle_label, "muted")
        self._demo_label = QLabel("Demo vault: fictional people and cases", self)
        set_style_role(self._demo_label, "badge")
        self._demo_label.setVisible(False)
        status.addWidget(self._who_label)
        status.addWidget(self._folder_label, 1)
        status.addPermanentWidget(self._demo_label)
        status.addPermanentWidget(self.backup.status_label)
        status.addPermanentWidget(self._idle_label)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = recent_vaults()
        current = self._folder.expanduser().resolve()
        for path in paths:
            action = self.recent_menu.addAction(str(path))
            exists = is_vault(path)
            action.setEnabled(exists and path != current)
            if not exists:
                action.setToolTip("Not found. Is the drive connected?")
            action.triggered.connect(lambda _checked=False, p=path: self.switch_vault(p))
        servers = recent_servers()
        if servers and paths:
            self.recent_menu.addSeparator()
        current_server = ""
        if self._server_url and self._app is not None:
            from btam_desktop.services.team_server import server_url_without_secrets

            current_server = server_url_without_secrets(self._server_url)
        for url in servers:  # team servers, by their address without any password
            action = self.recent_menu.addAction(icon("case-open"), url)
            action.setToolTip("Team server")
            action.setEnabled(url != current_server)
            action.triggered.connect(lambda _checked=False, u=url: self.switch_server(u))
        if not paths and not servers:
            empty = self.recent_menu.addAction("No recent vaults")
            empty.setEnabled(False)

    def _apply_role(self, app: Btam) -> None:
        can_work = app.can(Permission.WORK_CASES)
        self.report_action.setEnabled(can_work)
        self.report_action.setToolTip(
            "Record a new report of concern (Ctrl+N)"
            if can_work
            else f"Your role ({app.actor.role.label}) may look at cases but not create them."
        )
        for action in (
            self.lock_action,
            self.find_action,
            self.close_case_action,
            self.change_password_action,
            *self.page_actions,
        ):
            action.setEnabled(True)
        self.print_agenda_action.setEnabled(True)
        self.print_handout_action.setEnabled(True)
        if app.read_only:  # read-only media: reading and printing only
            for action in (self.report_action, self.change_password_action):
                action.setEnabled(False)
            self.report_action.setToolTip(
                "This vault is on read-only media: copy it to a writable drive to add reports."
            )

        self._apply_lifecycle_role(app)

    def _apply_lifecycle_role(self, app: Btam) -> None:
        """Records lifecycle (issue 9): each entry enabled for the roles that may use it."""
        from btam_desktop.ui.lifecycle_dialogs import can_count, can_export, can_import

        allowed = {
            self.export_cases_action: can_export(app),
            self.transfer_cases_action: can_export(app),
            self.import_cases_action: can_import(app),
            self.receive_transfer_action: can_import(app),
            self.statistics_action: can_count(app),
        }
        for action, ok in allowed.items():
            action.setEnabled(ok)
            if not ok:
                action.setToolTip(f"Your role ({app.actor.role.label}) may not do this.")

    def _apply_locked_actions(self) -> None:
        for action in (
            self.print_case_action,
            self.print_agenda_action,
            self.print_handout_action,
            self.report_action,
            self.lock_action,
            self.find_action,
            self.close_case_action,
            self.change_password_action,
            *self.page_actions,
            *self.lifecycle_actions,
        ):
            action.setEnabled(False)

    def _update_status(self) -> None:
        app = self._app
        if app is None:
            self._who_label.setText("Locked")
        else:
            self._who_label.setText(f"Signed in: {app.actor.label} · {app.actor.role.label}")
        self._demo_label.setVisible(self.is_demo())
        where = getattr(app.vault, "where", None) if app is not None else None
        if isinstance(where, str):
            self._server_where = where
        elif app is None and self._server_url:  # locked, on a team server
            where = self._server_where or "not reached yet"
        if isinstance(where, str):  # a team server (issue 16): its address, not a folder
            self._folder_label.setText("Team server: " + where)
            self._folder_label.setToolTip(where)
        else:
            elided_path(self._folder_label, self._folder, 420)
            self._folder_label.setText("Vault: " + self._folder_label.text())
        self._update_idle_hint()

    def _update_idle_hint(self) -> None:
        if self._app is None:
            self._idle_label.setText("")
            return
        timeout = self.inactivity.timeout_ms
        if timeout <= 0:
            self._idle_label.setText("Idle lock is off")
            self._idle_label.setToolTip("Turn it on in Settings to protect records at your desk.")
            return
        remaining = max(0, timeout - self.inactivity.idle_ms())
        minutes = max(1, math.ceil(remaining / 60_000))
        self._idle_label.setText(f"Locks in {plural(minutes, 'minute')} without activity")
        self._idle_label.setToolTip(
            "The vault locks by itself when nobody uses BTAM Desktop. Lock now with Ctrl+L."
        )

    # == a full disk or read-only media (issue 14) ==========================================

    STORAGE_CHECK_MS = 10_000

    def _with_storage_banner(self, pages: QWidget) -> QWidget:
        """The pages under a banner that stays while something cannot be written."""
        holder = QWidget(self)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.storage_banner = Banner(BannerKind.WARNING, "", holder)
        self.storage_banner.setAccessibleName("Storage notice")
        self.storage_banner.setVisible(False)
        column.addWidget(self.storage_banner)
        column.addWidget(pages, 1)
        self._storage_timer = QTimer(self)
        self._storage_timer.setInterval(self.STORAGE_CHECK_MS)
        self._storage_timer.timeout.connect(lambda: self.refresh_storage_notice(flush=True))
        return holder

    def _start_storage_watch(self) -> None:
        self.refresh_storage_notice()
        self._storage_timer.start()

    def _stop_storage_watch(self) -> None:
        self._storage_timer.stop()
        self.storage_banner.setVisible(False)

    def refresh_storage_notice(self, flush: bool = False) -> None:
        """Show why views are not recorded yet (a full disk) or that the vault is read-only;
        with ``flush``, first try to write what waits (space may have been freed)."""
        app = self._app
        if app is None:
            self.storage_banner.setVisible(False)
            return
        if flush and app.pending_events():
            try:
                app.flush_pending_events()
            except VaultError as error:
                logger.warning("writing waiting audit events failed: %s", type(error).__name__)
        text = app.storage_notice()
        self.storage_banner.set_kind(BannerKind.INFO if app.read_only else BannerKind.WARNING)
        self.storage_banner.set_text(text)
        self.storage_banner.setVisible(bool(text))

    def _update_title(self) -> None:
        self.team_label.setText(self._team_name)
        self.team_label.setVisible(bool(self._team_name))
        base = f"{self._team_name} — {APP_NAME}" if self._team_name else APP_NAME
        workspace = self.current_workspace() if self._app is not None else None
        number = ""
        if workspace is not None and self.case_tabs is not None:
            number = self.case_tabs.tabText(self.case_tabs.indexOf(workspace))
            if number == "Case":
                number = ""
        if self._app is not None and self._app.read_only:
            base = f"{base} (read-only)"
        self.setWindowTitle(f"{number} — {base}" if number else base)
        self.print_case_action.setEnabled(workspace is not None)

    # == printing (ui/printing.py) ========================================================

    def print_case_summary(self) -> None:
        workspace = self.current_workspace() if self._app is not None else None
        if workspace is not None:
            workspace.print_or_export()

    def print_meeting_agenda(self) -> None:
        if self._app is not None:
            from btam_desktop.ui.printing import preview_meeting_agenda

            preview_meeting_agenda(self._app, self)

    def print_handout(self) -> None:
        if self._app is not None:
            from btam_desktop.ui.printing import preview_handout

            preview_handout(self._app, self)

    # == records lifecycle (issue 9) =======================================================

    def selected_case_ids(self) -> list[int]:
        """The cases selected in the case list, in list order (none while locked)."""
        if self._app is None or self.cases_page is None:
            return []
        return self.cases_page.selected_case_ids()

    def export_cases(self) -> QDialog | None:
        if self._app is None:
            return None
        from btam_desktop.ui.lifecycle_dialogs import ExportDialog

        return self._show_lifecycle(ExportDialog(self._app, self.selected_case_ids(), self))

    def import_cases(self) -> QDialog | None:
        if self._app is None:
            return None
        from btam_desktop.ui.lifecycle_dialogs import ImportDialog

        return self._show_lifecycle(ImportDialog(self._app, self))

    def transfer_cases(self) -> QDialog | None:
        if self._app is None:
            return None
        from btam_desktop.ui.lifecycle_dialogs import TransferDialog

        return self._show_lifecycle(TransferDialog(self._app, self.selected_case_ids(), self))

    def receive_transfer(self) -> QDialog | None:
        if self._app is None:
            return None
        from btam_desktop.ui.lifecycle_dialogs import ReceiveDialog

        return self._show_lifecycle(ReceiveDialog(self._app, self))

    def annual_statistics(self) -> QDialog | None:
        if self._app is None:
            return None
        from btam_desktop.ui.lifecycle_dialogs import StatisticsDialog

        return self._show_lifecycle(StatisticsDialog(self._app, self))

    def _show_lifecycle(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setModal(True)
        dialog.show()
        return dialog

    # == small dialogs ====================================================================

    def about(self) -> QDialog:
        return show_about(self)

    def change_password(self) -> QDialog | None:
        if self._app is None:
            return None
        dialog = ChangePasswordDialog(self._app, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # == window events ====================================================================

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._session_events_watched and self._app is not None:
            self._watch_session_events()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._app is not None:
            unsaved = [w for w in self.open_workspaces() if self._has_unsaved(w)]
            intake_open = self._intake_has_content()
            save = False
            if unsaved or intake_open:
                answer = ask_save_drafts(
                    self,
                    "Some work is not saved yet. Keep it as drafts (encrypted in the vault) to "
                    "finish later?",
                )
                if answer == QMessageBox.StandardButton.Cancel:
                    event.ignore()
                    return
                save = answer == QMessageBox.StandardButton.Save
            self.backup.back_up_before_close()
            self.lock("quit", save_drafts=save)
        self._save_geometry()
        self.inactivity.stop()
        self._idle_hint_timer.stop()
        event.accept()

    def _save_geometry(self) -> None:
        settings = ui_settings()
        settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
        settings.setValue(_STATE_KEY, self.saveState())

    def _restore_geometry(self) -> None:
        settings = ui_settings()
        geometry = settings.value(_GEOMETRY_KEY)
        if isinstance(geometry, QByteArray | bytes) and self.restoreGeometry(geometry):
            state = settings.value(_STATE_KEY)
            if isinstance(state, QByteArray | bytes):
                self.restoreState(state)
            return
        self.resize(1280, 800)
