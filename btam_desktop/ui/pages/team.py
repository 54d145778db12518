"""The team: members, their roles and passwords, and their threat assessment training.

Adding a member, setting a password and removing a member derive keys with Argon2 (and removing
re-encrypts the whole vault), so those run in the background behind a busy overlay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain import passwords
from btam_desktop.domain.enums import Role
from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.formatting import format_date, person_name
from btam_desktop.domain.models import Account, TrainingRecord
from btam_desktop.domain.text import plural
from btam_desktop.services.app import Btam
from btam_desktop.services.permissions import Permission
from btam_desktop.services.team import check_username
from btam_desktop.ui.icons import icon
from btam_desktop.ui.locale_formats import date_field_pattern
from btam_desktop.ui.messages import NOT_SAVED, error_message
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import current_colors, set_style_role
from btam_desktop.ui.vault_events import RefreshOnChange, VaultChange
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.flow import FlowLayout
from btam_desktop.ui.widgets.form_dialog import FieldError, FormDialog
from btam_desktop.ui.widgets.overlay import BusyOverlay
from btam_desktop.ui.widgets.password_strength import PasswordStrengthMeter
from btam_desktop.ui.widgets.record_table import Column, RecordTable

logger = logging.getLogger(__name__)

GENERIC_ERROR = NOT_SAVED
EXPIRING_DAYS = 60
MIN_SCORE = passwords.MIN_SCORE  # the same policy the vault enforces
ROLE_HELP = {
    Role.COORDINATOR: "Coordinator: everything, including the team, settings and closing cases.",
    Role.MEMBER: (
        "Member: reports concerns and works cases; closes them only if the team's policy "
        "allows; cannot manage the team."
    ),
    Role.VIEWER: "Viewer: reads cases and prints them; changes nothing.",
}
TRUST_NOTE = (
    "What the roles mean, and what they do not. Everyone on this list can read every case: "
    "that is how a team works. What a role limits is what a person can change. Every change "
    "is signed with the author's own key, which only their password opens, and each member's "
    "key and role are vouched for by the vault's key, which only coordinators and the recovery "
    "key hold. So nobody can change a record in someone else's name, make themselves "
    "coordinator, or rewrite the audit trail without it being found and named: at sign-in, "
    "and by the audit check (btam audit verify). Signatures cannot stop someone from "
    "deleting or copying the vault file: keep backups, and keep the printed audit head "
    "somewhere else."
)
NOT_COORDINATOR = "Only the team's coordinator can change the team."
# The changes that can touch the member list: the team's own, a team server's, an import.
TEAM_CHANGES = frozenset({"team", "server", "import"})


def format_day(day: date) -> str:
    return format_date(day)


def error_text(error: BaseException) -> str:
    """What to tell a person about a failed action (the shared wording, ``ui.messages``)."""
    return error_message(error, GENERIC_ERROR, during="a team action")


def _name(account: Account) -> str:
    return person_name(account.display_name, account.username)


# ---- dialogs ---------------------------------------------------------------------------------


class _TaskDialog(FormDialog):
    """A team dialog on the house form (``ui.widgets.form_dialog``): what is wrong shows under
    the field it concerns, and slow work (Argon2, a re-encryption) runs behind a busy overlay;
    the dialog cannot be closed meanwhile and every field keeps what was typed."""

    def __init__(self, title: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(title, "", ok_text, parent)
        # The page that opened the dialog shows the change itself (``finished_work``).
        self.changes = VaultChange("team", origin=parent)
        self.overlay = BusyOverlay(self)
        self.ok_button = self.save_button()
        self.saved.connect(self.finished_work)
        self.setMinimumWidth(480)

    def finished_work(self, result: Any) -> None:
        """Called with the work's result before the dialog closes."""

    def slow(self, message: str, *, with_progress: bool = False) -> None:
        """The work about to be returned is slow: say so over the form (with a bar)."""
        self.busy_message = message
        self.reports_progress = with_progress

    def password_problem(
        self, password_error: FieldError, confirm_error: FieldError, meter: PasswordStrengthMeter
    ) -> bool:
        """Mark what is wrong with a new password and its confirmation; True if anything."""
        field = password_error.field()
        confirm = confirm_error.field()
        assert isinstance(field, QLineEdit) and isinstance(confirm, QLineEdit)
        problem = check_new_password(field.text(), confirm.text(), meter)
        if problem is None:
            return False
        message, which = problem
        self.field_problem(password_error if which == "password" else confirm_error, message)
        return True


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


def check_new_password(
    password: str, confirm: str, meter: PasswordStrengthMeter
) -> tuple[str, str] | None:
    """(problem, which field) or None when the new password may be used."""
    if not password:
        return "Type a password.", "password"
    if meter.score() < MIN_SCORE:
        return (
            f"That password is too easy to guess ({meter.verdict_text().lower()}). Follow the "
            "advice under the password, then try again.",
            "password",
        )
    if password != confirm:
        return "The two passwords are not the same. Type the password again to confirm it.", (
            "confirm"
        )
    return None


class AddMemberDialog(_TaskDialog):
    """User name, full name, role, team role, email and a first password."""

    member_added = Signal(int)  # the new account's id

    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__("Add a team member", "Add member", parent)
        self.app = app
        self.added: Account | None = None
        self.set_intro(
            "The new member signs in with this user name and password. Tell them the password "
            "in person, never by email."
        )
        self.username = QLineEdit()
        self.username.setPlaceholderText("for example: jrivera")
        self.full_name = QLineEdit()
        self.full_name.setPlaceholderText("as it should appear on records")
        self.role = QComboBox()
        for role in (Role.MEMBER, Role.VIEWER, Role.COORDINATOR):
            self.role.addItem(role.label, role.value)
        self.role_help = QLabel()
        self.role_help.setWordWrap(True)
        set_style_role(self.role_help, "muted")
        self.role.currentIndexChanged.connect(self._role_changed)
        self.team_role = QLineEdit()
        self.team_role.setPlaceholderText("for example: school counselor, SRO, HR lead")
        self.email = QLineEdit()
        self.password = _password_field("Password")
        self.meter = PasswordStrengthMeter(self.password)
        self.confirm = _password_field("Confirm password")
        self.username_error = self.field("&User name:", self.username, key="username")
        self.full_name_error = self.field("&Full name:", self.full_name, key="display_name")
        self.field("&Role:", self.role)
        self.form.addRow("", self.role_help)
        self.field("&Team role:", self.team_role, key="team_role")
        self.field("&Email:", self.email, key="email")
        self.password_error = self.field("&Password:", self.password, key="password")
        self.form.addRow("", self.meter)
        self.confirm_error = self.field("&Confirm password:", self.confirm)
        self._role_changed()
        self.finish_layout()

    def _role_changed(self) -> None:
        self.role_help.setText(ROLE_HELP[Role(self.role.currentData())])

    def build_work(self) -> Callable[[], Any] | None:
        ok = True
        username = ""
        try:
            username = check_username(self.username.text())
        except VaultError as error:
            self.field_problem(self.username_error, str(error))
            ok = False
        if not self.full_name.text().strip():
            self.field_problem(
                self.full_name_error, "Give the member's full name as it should appear on records."
            )
            ok = False
        if self.password_problem(self.password_error, self.confirm_error, self.meter):
            ok = False
        if not ok:
            return None
        team = self.app.team
        role = Role(self.role.currentData())
        full_name = self.full_name.text()
        password = self.password.text()
        email = self.email.text()
        team_role = self.team_role.text()
        self.slow("Adding the member and protecting their key. This takes a few seconds.")
        return lambda: team.add_member(
            username, full_name, role, password, email=email, team_role=team_role
        )

    def finished_work(self, result: Any) -> None:
        self.added = result
        self.password.clear()
        self.confirm.clear()
        if result is not None and result.id is not None:
            self.member_added.emit(result.id)


class ResetPasswordDialog(_TaskDialog):
    """The coordinator sets a new password for a member who forgot theirs."""

    def __init__(self, app: Btam, account: Account, parent: QWidget | None = None) -> None:
        super().__init__("Reset a member's password", "Set password", parent)
        self.app = app
        self.account = account
        self.set_intro(
            f"Set a new password for {_name(account)} ({account.username}). Their old password "
            "stops working, and the vault gets a new key, so an old copy of the key file (or a "
            "remembered sign-in) cannot open today's records with it. Tell them the new "
            "password in person and ask them to change it (Change my password) after they sign "
            "in."
        )
        self.password = _password_field("New password")
        self.meter = PasswordStrengthMeter(self.password)
        self.confirm = _password_field("Confirm new password")
        self.password_error = self.field(
            "&New password:", self.password, name="New password", key="password"
        )
        self.form.addRow("", self.meter)
        self.confirm_error = self.field("&Confirm:", self.confirm, name="Confirm new password")
        self.finish_layout()

    def build_work(self) -> Callable[..., Any] | None:
        if self.password_problem(self.password_error, self.confirm_error, self.meter):
            return None
        team, username, password = self.app.team, self.account.username, self.password.text()
        self.slow(
            "Setting the new password and giving the vault a new key. This takes a little while.",
            with_progress=True,
        )
        return lambda progress: team.reset_password(username, password, progress)

    def finished_work(self, result: Any) -> None:
        self.password.clear()
        self.confirm.clear()


class ChangePasswordDialog(_TaskDialog):
    """The signed-in person changes their own password."""

    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__("Change my password", "Change password", parent)
        self.app = app
        self.set_intro(
            f"Change the password of {app.actor.label} ({app.actor.username}). Backups made "
            "before now still open with the old password."
        )
        self.rotate = QCheckBox("Also give the vault a &new key")
        self.rotate.setToolTip(
            "Choose this if you think someone learned your old password: an old copy of the "
            "key file then stops opening the vault as it is now."
        )
        self.current = _password_field("Current password")
        self.password = _password_field("New password")
        self.meter = PasswordStrengthMeter(self.password)
        self.confirm = _password_field("Confirm new password")
        self.current_error = self.field(
            "C&urrent password:", self.current, name="Current password", key="old_password"
        )
        self.password_error = self.field(
            "&New password:", self.password, name="New password", key="new_password"
        )
        self.form.addRow("", self.meter)
        self.confirm_error = self.field("&Confirm:", self.confirm, name="Confirm new password")
        self.form.addRow("", self.rotate)
        self.finish_layout()

    def build_work(self) -> Callable[..., Any] | None:
        if not self.current.text():
            self.field_problem(self.current_error, "Type your current password.")
            return None
        if self.password_problem(self.password_error, self.confirm_error, self.meter):
            return None
        if self.password.text() == self.current.text():
            self.field_problem(
                self.password_error, "The new password must differ from the current one."
            )
            return None
        team, old, new = self.app.team, self.current.text(), self.password.text()
        rotate = self.rotate.isChecked()
        self.slow(
            "Changing your password and giving the vault a new key. This takes a little while."
            if rotate
            else "Changing your password. This takes a few seconds.",
            with_progress=rotate,
        )
        return lambda progress=None: team.change_own_password(
            old, new, rotate_key=rotate, progress=progress
        )

    def finished_work(self, result: Any) -> None:
        for field in (self.current, self.password, self.confirm):
            field.clear()


class ChangeRoleDialog(_TaskDialog):
    def __init__(self, app: Btam, account: Account, parent: QWidget | None = None) -> None:
        super().__init__("Change a member's role", "Change role", parent)
        self.app = app
        self.account = account
        self.set_intro(f"Choose the role of {_name(account)} ({account.username}).")
        self.role = QComboBox()
        for role in (Role.COORDINATOR, Role.MEMBER, Role.VIEWER):
            self.role.addItem(role.label, role.value)
        self.role.setCurrentIndex(max(0, self.role.findData(account.role)))
        self.role_help = QLabel()
        self.role_help.setWordWrap(True)
        set_style_role(self.role_help, "muted")
        self.role.currentIndexChanged.connect(self._role_changed)
        self.field("&Role:", self.role, key="role")
        self.form.addRow("", self.role_help)
        self._role_changed()
        self.finish_layout()

    def _role_changed(self) -> None:
        self.role_help.setText(ROLE_HELP[Role(self.role.currentData())])

    def build_work(self) -> Callable[[], Any] | None:
        role = Role(self.role.currentData())
        if role.value == self.account.role:
            self.reject()  # nothing to change
            return None
        assert self.account.id is not None
        team, account_id = self.app.team, self.account.id
        self.slow("Changing the role…")
        return lambda: team.change_role(account_id, role)


class AddTrainingDialog(_TaskDialog):
    """Course, provider, completion date and, if it has one, the expiry date."""

    def __init__(self, app: Btam, account: Account, parent: QWidget | None = None) -> None:
        super().__init__("Add training", "Add training", parent)
        self.app = app
        self.account = account
        self.set_intro(
            f"Record threat assessment training that {_name(account)} completed. Teams must "
            "be able to show that their members are trained."
        )
        today = QDate.currentDate()
        self.course = QLineEdit()
        self.course.setPlaceholderText("course or certification")
        self.provider = QLineEdit()
        self.provider.setPlaceholderText("who gave it")
        self.completed = QDateEdit(today)
        self.completed.setCalendarPopup(True)
        self.completed.setMaximumDate(today)
        self.completed.setDisplayFormat(date_field_pattern())
        self.has_expiry = QCheckBox("It &expires on:")
        self.has_expiry.setAccessibleName("The training expires")
        self.expires = QDateEdit(today.addYears(2))
        self.expires.setCalendarPopup(True)
        self.expires.setDisplayFormat(date_field_pattern())
        self.expires.setEnabled(False)
        self.has_expiry.toggled.connect(self.expires.setEnabled)
        expiry_box = QWidget()
        expiry_row = QHBoxLayout(expiry_box)
        expiry_row.setContentsMargins(0, 0, 0, 0)
        expiry_row.addWidget(self.has_expiry)
        expiry_row.addWidget(self.expires, 1)
        self.course_error = self.field("&Course:", self.course, key="course")
        self.field("&Provider:", self.provider, key="provider")
        self.field("Co&mpleted on:", self.completed, name="Completed on", key="completed_on")
        self.expires_error = self.field(
            "Expiry:", expiry_box, target=self.expires, name="Expires on", key="expires_on"
        )
        self.finish_layout()

    def build_work(self) -> Callable[[], Any] | None:
        if not self.course.text().strip():
            self.field_problem(self.course_error, "Name the course or certification.")
            return None
        completed: date = self.completed.date().toPython()  # type: ignore[assignment]
        expires: date | None = (
            self.expires.date().toPython()  # type: ignore[assignment]
            if self.has_expiry.isChecked()
            else None
        )
        if expires is not None and expires <= completed:
            self.field_problem(
                self.expires_error, "The expiry date must come after the completion date."
            )
            return None
        assert self.account.id is not None
        team, account_id = self.app.team, self.account.id
        course, provider = self.course.text(), self.provider.text()
        self.slow("Saving…")
        return lambda: team.add_training(account_id, course, provider, completed, expires)


# ---- the page --------------------------------------------------------------------------------


def training_state(record: TrainingRecord, today: date | None = None) -> str:
    """ "expired", "expiring" (within 60 days) or "" for current training."""
    if record.expires_on is None:
        return ""
    today = today or date.today()
    if record.expires_on < today:
        return "expired"
    if record.expires_on <= today + timedelta(days=EXPIRING_DAYS):
        return "expiring"
    return ""


ROLE_RANK = {Role.COORDINATOR.value: 0, Role.MEMBER.value: 1, Role.VIEWER.value: 2}
STATE_RANK = {"expired": 0, "expiring": 1}


def training_status(record: TrainingRecord, today: date | None = None) -> str:
    """The Status column's words for a training record."""
    today = today or date.today()
    state = training_state(record, today)
    expires = record.expires_on
    if state == "expired":
        return "Expired"
    if state == "expiring" and expires is not None:
        days = (expires - today).days
        return "Expires today" if days == 0 else f"Expires in {plural(days, 'day')}"
    return "Does not expire" if expires is None else "Current"


def _day_or_dash(value: object) -> str:
    return format_day(value) if isinstance(value, date) else "—"


class TeamPage(QWidget):
    """Members and their training; coordinators manage them, others only read."""

    MEMBER_COLUMNS = ("User name", "Full name", "Role", "Team role", "Email", "Active")
    TRAINING_COLUMNS = ("Course", "Provider", "Completed", "Expires", "Status")

    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.can_manage = app.can(Permission.MANAGE_TEAM)
        self.current_dialog: QDialog | None = None
        self._members: list[Account] = []
        self._training: list[TrainingRecord] = []
        self._select_after_load: int | None = None
        self._training_for: int | None = None
        self._removing = ""

        heading = QLabel("Team", self)
        set_style_role(heading, "heading")
        intro = QLabel(
            "Everyone who can open this vault, with their role on the team and their "
            "threat assessment training.",
            self,
        )
        intro.setWordWrap(True)
        set_style_role(intro, "muted")
        self.read_only_banner = Banner(
            BannerKind.INFO,
            "You can see the team but not change it: only the coordinator manages members.",
            self,
        )
        self.read_only_banner.setVisible(not self.can_manage)
        self.error_banner = Banner(BannerKind.WARNING, "", self, closable=True)
        self.error_banner.hide()
        self.notice_banner = Banner(BannerKind.INFO, "", self, closable=True)
        self.notice_banner.setAccessibleName("Done")
        self.notice_banner.hide()

        # Actions
        self.add_button = QPushButton(icon("add"), "&Add member…", self)
        self.add_button.clicked.connect(self.open_add_member)
        self.role_button = QPushButton(icon("edit"), "Change &role…", self)
        self.role_button.clicked.connect(self.open_change_role)
        self.reset_button = QPushButton(icon("key"), "Reset pass&word…", self)
        self.reset_button.clicked.connect(self.open_reset_password)
        self.remove_button = QPushButton(icon("remove"), "Re&move member…", self)
        self.remove_button.clicked.connect(self.remove_selected)
        self.own_password_button = QPushButton(icon("lock"), "Change m&y password…", self)
        self.own_password_button.clicked.connect(self.open_change_own_password)
        self.recovery_button = QPushButton(icon("key"), "Replace recovery &key…", self)
        self.recovery_button.setToolTip(
            "After the recovery key was used or may have been seen: a new key and sheet; "
            "the old key stops working."
        )
        self.recovery_button.clicked.connect(self.open_replace_recovery_key)
        actions = FlowLayout(spacing=8)  # wraps on a small screen
        for button in (self.add_button, self.role_button, self.reset_button, self.remove_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.recovery_button)
        actions.addWidget(self.own_password_button)
        self.action_buttons = [
            self.recovery_button,
            self.add_button,
            self.role_button,
            self.reset_button,
            self.remove_button,
            self.own_password_button,
        ]
        for button in self.action_buttons:
            button.setVisible(self.can_manage)

        # Members table: the rows are the accounts themselves.
        muted = self._muted_if_removed
        self.members_view: RecordTable[Account] = RecordTable(
            [
                Column(
                    "User name",
                    self._username_shown,
                    roles={Qt.ItemDataRole.ForegroundRole: muted},
                ),
                Column(
                    "Full name",
                    lambda a: a.display_name,
                    roles={Qt.ItemDataRole.ForegroundRole: muted},
                ),
                Column(
                    "Role",
                    lambda a: Role(a.role).label,
                    sort=lambda a: ROLE_RANK.get(a.role, 9),
                    roles={Qt.ItemDataRole.ForegroundRole: muted},
                ),
                Column(
                    "Team role",
                    lambda a: a.team_role,
                    roles={Qt.ItemDataRole.ForegroundRole: muted},
                ),
                Column("Email", lambda a: a.email, roles={Qt.ItemDataRole.ForegroundRole: muted}),
                Column(
                    "Active",
                    lambda a: "Yes" if a.active else "No (removed)",
                    sort=lambda a: 0 if a.active else 1,
                    roles={Qt.ItemDataRole.ForegroundRole: muted},
                ),
            ],
            "Team members",
            "",
            parent=self,
        )
        self._setup_table(self.members_view)
        self.members_view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.members_view.selectionModel().currentRowChanged.connect(self._member_selected)
        self.members_view.activated_row.connect(self._member_double_clicked)

        # Training
        self.training_title = QLabel("Training", self)
        set_style_role(self.training_title, "subheading")
        self.training_hint = QLabel(
            f"Training that expires within {EXPIRING_DAYS} days is marked, and expired training "
            "is shown in red.",
            self,
        )
        self.training_hint.setWordWrap(True)
        set_style_role(self.training_hint, "muted")
        self.add_training_button = QPushButton(icon("add"), "Add &training…", self)
        self.add_training_button.clicked.connect(self.open_add_training)
        self.add_training_button.setVisible(self.can_manage)
        marked: dict[int, Callable[[TrainingRecord], object]] = {
            Qt.ItemDataRole.BackgroundRole: lambda r: self._training_colors(r)[0],
            Qt.ItemDataRole.ForegroundRole: lambda r: self._training_colors(r)[1],
        }
        self.training_view: RecordTable[TrainingRecord] = RecordTable(
            [
                Column("Course", lambda r: r.course, roles=marked, tooltip=self._status_tip),
                Column("Provider", lambda r: r.provider, roles=marked, tooltip=self._status_tip),
                Column(
                    "Completed",
                    lambda r: r.completed_on,
                    roles=marked,
                    tooltip=self._status_tip,
                ),
                Column(
                    "Expires",
                    lambda r: r.expires_on,
                    shown=_day_or_dash,
                    roles=marked,
                    tooltip=self._status_tip,
                ),
                Column(
                    "Status",
                    lambda r: training_status(r),
                    sort=lambda r: STATE_RANK.get(training_state(r), 2),
                    roles=marked,
                    tooltip=self._status_tip,
                ),
            ],
            "Training of the selected member",
            "",
            parent=self,
        )
        self._setup_table(self.training_view)
        self.training_view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.training_empty = QLabel("", self)
        self.training_empty.setWordWrap(True)
        set_style_role(self.training_empty, "muted")

        members_box = QWidget(self)
        members_layout = QVBoxLayout(members_box)
        members_layout.setContentsMargins(0, 0, 0, 0)
        members_layout.addLayout(actions)
        members_layout.addWidget(self.members_view)
        training_box = QWidget(self)
        training_layout = QVBoxLayout(training_box)
        training_layout.setContentsMargins(0, 6, 0, 0)
        training_header = QHBoxLayout()
        training_header.addWidget(self.training_title)
        training_header.addStretch(1)
        training_header.addWidget(self.add_training_button)
        training_layout.addLayout(training_header)
        training_layout.addWidget(self.training_hint)
        empty_page = QWidget(self)
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.setContentsMargins(0, 6, 0, 0)
        empty_layout.addWidget(self.training_empty)
        empty_layout.addStretch(1)
        self.training_stack = QStackedWidget(self)
        self.training_stack.addWidget(self.training_view)
        self.training_stack.addWidget(empty_page)
        training_layout.addWidget(self.training_stack, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(members_box)
        splitter.addWidget(training_box)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter
        self._splitter_fitted = False

        self.content = QWidget(self)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(intro)
        self.trust_note = QLabel(TRUST_NOTE, self)
        self.trust_note.setWordWrap(True)
        self.trust_note.setTextFormat(Qt.TextFormat.PlainText)
        set_style_role(self.trust_note, "muted")
        layout.addWidget(self.trust_note)
        layout.addWidget(self.read_only_banner)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.notice_banner)
        layout.addWidget(splitter, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.content)
        self.overlay = BusyOverlay(self)

        self._update_buttons()
        self.refresh()
        # A member added, changed or removed elsewhere (another window, another computer of
        # a team server, an import) shows up without pressing anything (issue 13).
        self.follow_changes = RefreshOnChange(
            self, self.refresh, wants=lambda change: change.kind in TEAM_CHANGES
        )

    @staticmethod
    def _setup_table(view: QTableView) -> None:
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 12)

    # ---- how rows look -----------------------------------------------------------------------

    def _username_shown(self, account: Account) -> str:
        if account.username.casefold() == self.app.actor.username.casefold():
            return f"{account.username} (you)"
        return account.username

    @staticmethod
    def _muted_if_removed(account: Account) -> QBrush | None:
        return None if account.active else QBrush(QColor(current_colors().muted_fg))

    @staticmethod
    def _training_colors(record: TrainingRecord) -> tuple[QBrush | None, QBrush | None]:
        """(background, text) for an expired (danger) or expiring (warning) record."""
        state = training_state(record)
        if not state:
            return (None, None)
        colors = current_colors()
        background, foreground = (
            (colors.danger_bg, colors.danger_fg)
            if state == "expired"
            else (colors.warning_bg, colors.warning_fg)
        )
        return (QBrush(QColor(background)), QBrush(QColor(foreground)))

    @staticmethod
    def _status_tip(record: TrainingRecord) -> str:
        return training_status(record) if training_state(record) else ""

    def open_replace_recovery_key(self) -> QDialog:
        from btam_desktop.ui.recovery_key import ReplaceRecoveryKeyDialog

        dialog = ReplaceRecoveryKeyDialog(self.app, self.app.settings().team_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self.show_notice("The recovery key was replaced. The old key no longer works.")
        )
        self.current_dialog = dialog
        dialog.open()
        return dialog

    # ---- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the members (and the selected member's training) in the background."""
        team = self.app.team
        run_in_background(
            lambda: team.members(include_inactive=True),
            on_done=self._members_loaded,
            on_error=self._show_error,
            parent=self,
        )

    def _show_error(self, error: BaseException) -> None:
        self.notice_banner.hide()
        self.error_banner.set_text(error_text(error))
        self.error_banner.show()

    def _members_loaded(self, members: list[Account]) -> None:
        keep = self._select_after_load or self.selected_account_id()
        self._select_after_load = None
        self._members = sorted(members, key=lambda m: (not m.active, _name(m).casefold()))
        view = self.members_view
        view.set_rows(self._members)
        header = view.horizontalHeader()
        for column in range(len(self.MEMBER_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        row_to_select = 0
        if keep is not None:
            row_to_select = next(
                (row for row in range(view.row_count()) if view.id_at(row) == keep), 0
            )
        if not self._splitter_fitted:
            self._fit_splitter()
        if view.row_count():
            view.selectRow(row_to_select)
            self._member_selected()
        self._update_buttons()

    def _fit_splitter(self) -> None:
        """Give the members list room for its rows (a team is small) and training the rest."""
        total = sum(self.splitter.sizes())
        if total <= 0:
            return  # not laid out yet; try again on the next load
        self._splitter_fitted = True
        view = self.members_view
        rows = min(max(view.row_count(), 4), 12) + 1
        wanted = (
            view.horizontalHeader().sizeHint().height()
            + rows * view.verticalHeader().defaultSectionSize()
            + 2 * view.frameWidth()
            + self.add_button.sizeHint().height()
            + 12
        )
        top = min(wanted, total * 2 // 3)
        self.splitter.setSizes([top, total - top])

    def _member_selected(self, *_args: object) -> None:
        account = self.selected_account()
        self._update_buttons()
        if account is None:
            self.training_title.setText("Training")
            self._show_training([])
            return
        self.training_title.setText(f"Training: {_name(account)}")
        self.load_training()

    def load_training(self) -> None:
        account = self.selected_account()
        if account is None or account.id is None:
            return
        team, account_id = self.app.team, account.id
        self._training_for = account_id

        def loaded(records: list[TrainingRecord]) -> None:
            if self._training_for == account_id:
                self._show_training(records)

        run_in_background(
            lambda: team.training(account_id),
            on_done=loaded,
            on_error=self._show_error,
            parent=self,
        )

    def _show_training(self, records: list[TrainingRecord]) -> None:
        self._training = records
        self.training_view.set_rows(records)
        header = self.training_view.horizontalHeader()
        for column in range(len(self.TRAINING_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        account = self.selected_account()
        if not records:
            self.training_empty.setText(
                "No training recorded yet."
                + (" Use Add training… to record a course." if self.can_manage else "")
                if account is not None
                else "Choose a member to see their training."
            )
        self.training_stack.setCurrentIndex(0 if records else 1)

    # ---- selection -------------------------------------------------------------------------

    def selected_account_id(self) -> int | None:
        account = self.selected_account()
        return account.id if account is not None else None

    def selected_account(self) -> Account | None:
        """The account on the current row (the record itself). The current row, not the
        selection: the selection is updated only after ``currentRowChanged`` is emitted."""
        index = self.members_view.currentIndex()
        return self.members_view.row_at(index.row()) if index.isValid() else None

    def select_member(self, username: str) -> None:
        view = self.members_view
        for row in range(view.row_count()):
            if view.row_at(row).username == username:
                view.selectRow(row)
                return
        raise KeyError(username)

    def member_rows(self) -> list[list[str]]:
        """The members table as shown, for tests and accessibility checks."""
        return _shown_texts(self.members_view)

    def training_rows(self) -> list[tuple[list[str], str]]:
        """(texts, "expired" | "expiring" | "") per training row, as shown."""
        view = self.training_view
        texts = _shown_texts(view)
        return [(texts[row], training_state(view.row_at(row))) for row in range(view.row_count())]

    def _is_self(self, account: Account) -> bool:
        return account.id == self.app.actor.account_id

    def _update_buttons(self) -> None:
        account = self.selected_account()
        active = account is not None and account.active
        for button in (self.role_button, self.reset_button, self.remove_button):
            button.setEnabled(active)
            button.setToolTip("" if active else "Choose an active member in the list first.")
        self.add_training_button.setEnabled(active)
        if account is not None and active and self._is_self(account):
            self.remove_button.setEnabled(False)
            self.remove_button.setToolTip(
                "You cannot remove your own account while you are signed in."
            )
            self.reset_button.setEnabled(False)
            self.reset_button.setToolTip("To change your own password use Change my password….")

    def _member_double_clicked(self, _account: object) -> None:
        if self.can_manage and self.role_button.isEnabled():
            self.open_change_role()

    # ---- actions ---------------------------------------------------------------------------

    def _open(self, dialog: QDialog, on_accepted: Callable[[], None]) -> QDialog:
        # Slots connected here must not capture the dialog: a closure holding the dialog,
        # connected to the dialog's own signal, crashes PySide when the dialog is deleted.
        self.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(on_accepted)
        dialog.finished.connect(self._dialog_finished)
        dialog.open()
        return dialog

    def _dialog_finished(self, _result: int) -> None:
        if self.current_dialog is self.sender():
            self.current_dialog = None

    def open_add_member(self) -> AddMemberDialog | None:
        if not self.can_manage:
            return None
        dialog = AddMemberDialog(self.app, self)
        dialog.member_added.connect(self._member_added)
        self._open(dialog, self._changed)
        return dialog

    def _member_added(self, account_id: int) -> None:
        self._select_after_load = account_id

    def open_change_role(self) -> ChangeRoleDialog | None:
        account = self.selected_account()
        if not self.can_manage or account is None or not account.active:
            return None
        dialog = ChangeRoleDialog(self.app, account, self)
        self._open(dialog, self._changed)
        return dialog

    def open_reset_password(self) -> ResetPasswordDialog | None:
        account = self.selected_account()
        if not self.can_manage or account is None or not account.active:
            return None
        dialog = ResetPasswordDialog(self.app, account, self)
        self._open(dialog, self._password_reset)
        return dialog

    def _password_reset(self) -> None:
        self.show_notice(
            "The new password is set. Tell the member in person, and ask them to change it "
            "after they sign in."
        )

    def open_change_own_password(self) -> ChangePasswordDialog:
        dialog = ChangePasswordDialog(self.app, self)
        self._open(dialog, self._own_password_changed)
        return dialog

    def _own_password_changed(self) -> None:
        self.show_notice("Your password was changed. Use the new one from now on.")

    def show_notice(self, text: str) -> None:
        self.error_banner.hide()
        self.notice_banner.set_text(text)
        self.notice_banner.show()

    def notice(self) -> str:
        return self.notice_banner.text() if self.notice_banner.isVisibleTo(self) else ""

    def open_add_training(self) -> AddTrainingDialog | None:
        account = self.selected_account()
        if not self.can_manage or account is None or not account.active:
            return None
        dialog = AddTrainingDialog(self.app, account, self)
        self._open(dialog, self.load_training)
        return dialog

    def _changed(self) -> None:
        self.refresh()

    def remove_selected(self) -> None:
        """Ask, then remove the member and re-encrypt the vault with a progress display."""
        account = self.selected_account()
        if not self.can_manage or account is None or not account.active:
            return
        name = _name(account)
        answer = QMessageBox.question(
            self,
            "Remove team member",
            f"Remove {name} ({account.username}) from the team?\n\n"
            "They will no longer be able to open this vault. To make sure of that, the whole "
            "vault is re-encrypted with a new key. This can take a while on a large vault; "
            "nobody else's password changes.\n\n"
            f"Copies of the vault folder made before now (including the automatic copies in its "
            f"“backups” folder) still open with {name}'s old password: destroy them, or keep "
            "them locked away.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        assert account.id is not None
        team, account_id = self.app.team, account.id
        self.error_banner.hide()
        self.notice_banner.hide()
        self._removing = name
        self.overlay.show_busy(f"Removing {name} and re-encrypting the vault…", 0, 100)
        run_operation(
            self,
            lambda progress: team.remove_member(account_id, progress),
            what="remove the member",
            on_done=self._removed,
            on_error=self._remove_failed,
            changes=VaultChange("team", origin=self),
            progress=self._remove_progress,
        )

    def _remove_progress(self, done: int, total: int, message: str) -> None:
        self.overlay.set_progress(done, total, message)

    def _removed(self, _result: object) -> None:
        self.overlay.hide_busy()
        self.show_notice(
            f"{self._removing} was removed and the vault was re-encrypted with a new key. "
            "Copies of the vault made before now still open with the old password: destroy "
            "them or keep them locked away."
        )
        self._changed()

    def _remove_failed(self, error: BaseException) -> None:
        self.overlay.hide_busy()
        self._show_error(error)
        self.refresh()


def _shown_texts(view: RecordTable[Any]) -> list[list[str]]:
    proxy = view.proxy
    return [
        [str(proxy.index(row, column).data() or "") for column in range(proxy.columnCount())]
        for row in range(proxy.rowCount())
    ]
