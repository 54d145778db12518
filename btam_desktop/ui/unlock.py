"""The unlock screen: choose your name, type your password, and the vault opens.

``UnlockScreen`` is a plain widget: the start-up window shows it on its own, and the main window
shows it over everything while the vault is locked. Unlocking runs in the background (Argon2
takes about half a second on purpose) behind a busy indicator. A wrong password gives an inline
message, clears the field and puts the cursor back in it.

"Forgot your password?" opens ``RecoveryDialog``: the vault's recovery key sets a new password
for one member; afterwards the member signs in here as usual.

Given a team server's address (a string) instead of a folder, the same screen signs in to the
server: it reaches the server in the background for the members' names, shows where the server is
(never a password) and its warning when it is reached without TLS, and says plainly when it
cannot be reached, with "Try again".
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QKeySequence,
    QPaintEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.errors import (
    VaultBehindError,
    VaultError,
    WrongCredentialsError,
)
from btam_desktop.domain.passwords import password_problem
from btam_desktop.services.vault_paths import (
    RECOVERY_CHARS,
    forget_on_this_computer,
    is_vault,
    keyring_status,
    normalize_recovery_key,
)
from btam_desktop.services.vault_paths import vault_usernames as _vault_usernames
from btam_desktop.ui.icons import icon
from btam_desktop.ui.messages import NOT_SAVED, error_message
from btam_desktop.ui.recent import last_server_user, last_user
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.overlay import BusyOverlay
from btam_desktop.ui.widgets.password_strength import PasswordStrengthMeter

if TYPE_CHECKING:
    from btam_desktop.services.app import Btam

logger = logging.getLogger(__name__)

GENERIC_ERROR = NOT_SAVED
WRONG_CREDENTIALS = "Wrong user name or password. Check it and try again."


def user_message(error: BaseException) -> str:
    """The shared wording (``ui.messages``), by the name the sign-in screens import."""
    return error_message(error, GENERIC_ERROR, during="signing in")


# Where a team's data lives: a vault folder, or a team server's address (a connection string).
Location = Path | str


def _recover_and_reset(location: Location, key: str, username: str, password: str) -> None:
    if isinstance(location, str):
        from btam_desktop.services.team_server import recover_and_reset_server

        recover_and_reset_server(location, key, username, password)
        return
    from btam_desktop.services.app import recover_and_reset

    recover_and_reset(location, key, username, password)


# A sign-in screen that is not painted (built hidden) starts its background work after this.
START_UNPAINTED_AFTER_MS = 300

SERVER_NO_REMEMBER = (
    "On a team server you type your password each time: it is not kept on this computer."
)


def keyring_state() -> tuple[bool, str]:
    """Whether 'Remember me on this computer' can be offered here, and why not."""
    return keyring_status()


def vault_usernames(folder: Path) -> list[str]:
    try:
        return _vault_usernames(folder)
    except VaultError:
        return []
    except Exception as error:  # a damaged key file: the screen still opens
        logger.error("reading the vault's user names failed with %s", type(error).__name__)
        return []


def elided_path(label: QLabel, folder: Path, width: int) -> None:
    """Show a folder path in ``label``, shortened in the middle to fit, full path as tooltip."""
    text = str(folder)
    label.setText(label.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, width))
    label.setToolTip(text)
    label.setAccessibleDescription(text)


def card_frame(parent: QWidget | None = None) -> QFrame:
    """The raised panel the unlock screen and start-up windows put their content on."""
    frame = QFrame(parent)
    frame.setObjectName("shellCard")
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    frame.setStyleSheet(
        "QFrame#shellCard { background-color: palette(base); border: 1px solid palette(mid);"
        " border-radius: 10px; }"
    )
    return frame


SERVER_ADDRESS_HELP = (
    "The team server's address, as whoever runs the server gave it to you, e.g.\n"
    "postgresql://btam_app@db.district.example/btam?sslrootcert=district-ca.pem"
)


def ask_server_address(parent: QWidget | None, initial: str = "") -> str:
    """Ask for a team server's address; "" if cancelled."""
    from PySide6.QtWidgets import QInputDialog

    text, ok = QInputDialog.getText(
        parent,
        "Connect to a team server",
        SERVER_ADDRESS_HELP,
        QLineEdit.EchoMode.Normal,
        initial,
    )
    return text.strip() if ok else ""


class _NothingRemembered(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "Type your password. This member's key is not remembered on this computer."
        )


class UnlockScreen(QWidget):
    """Team member, password, remember me, Unlock; emits ``unlocked(Btam)`` when it worked."""

    unlocked = Signal(object)  # Btam
    open_other_requested = Signal()
    create_new_requested = Signal()
    restore_requested = Signal()
    connect_server_requested = Signal()
    members_loaded = Signal()  # the member list is the vault's (or the server's) own, checked
    first_painted = Signal()  # once, right after the screen first appeared: start slow work now
    unlock_started = Signal()  # the password is being checked (a few hundred ms of Argon2id)

    CARD_WIDTH = 440

    def __init__(
        self,
        folder: Location,
        parent: QWidget | None = None,
        *,
        username: str | None = None,
        keyring: tuple[bool, str] | None = None,
        message: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("unlockScreen")
        self._server_url = folder if isinstance(folder, str) else ""
        self._folder = Path() if self._server_url else Path(folder)
        self.setAccessibleName(
            "Sign in to the team server" if self._server_url else "Unlock the vault"
        )
        # Asking the system keyring loads its library and backends (about 60 ms): that happens
        # in the background once the screen is painted; until the answer comes, remembering is
        # offered (the unlock itself copes with a keyring that turns out to be missing).
        self._keyring_pending = keyring is None and not self._server_url
        self._keyring_asked = False
        self._painted = False
        self._background_started = False
        self._keyring_available, self._keyring_reason = (
            (False, SERVER_NO_REMEMBER)
            if self._server_url
            else keyring
            if keyring is not None
            else (True, "")
        )
        self._server_loaded = False
        self._members_ready = False
        self._members_wanted: str | None = None
        self._wanted_user = username or ""
        self._busy = False
        self._retry: tuple[str, str] | None = None
        self.older_copy_box: QMessageBox | None = None

        card = card_frame(self)
        self._card = card
        card.setFixedWidth(self.CARD_WIDTH)
        card.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)

        lock_icon = QLabel(card)
        lock_icon.setPixmap(icon("lock").pixmap(QSize(44, 44), self.devicePixelRatioF()))
        lock_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading = QLabel(
            "Sign in to the team server" if self._server_url else "Unlock BTAM Desktop", card
        )
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        set_style_role(heading, "heading")
        self._heading = heading
        self._folder_label = QLabel(card)
        self._folder_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._folder_label.setAccessibleName("Team server" if self._server_url else "Vault folder")
        self._folder_label.setWordWrap(bool(self._server_url))
        set_style_role(self._folder_label, "muted")
        # A team server reached without TLS (only on this computer): said on the screen.
        self.server_warning = Banner(BannerKind.WARNING, "", card)
        self.server_warning.setAccessibleName("Connection warning")
        self.server_warning.hide()

        self.user_combo = QComboBox(card)
        self.user_combo.setAccessibleName("Team member")
        self.user_combo.setMinimumContentsLength(16)
        self.password_edit = QLineEdit(card)
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("Your password")
        self.password_edit.returnPressed.connect(self.submit)

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(10)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        member_label = QLabel("&Team member", card)
        member_label.setBuddy(self.user_combo)
        password_label = QLabel("&Password", card)
        password_label.setBuddy(self.password_edit)
        form.addRow(member_label, self.user_combo)
        form.addRow(password_label, self.password_edit)

        self.remember_box = QCheckBox("&Remember me on this computer", card)
        self.remember_box.setAccessibleName("Remember me on this computer")
        self.remember_reason = QLabel(card)
        self.remember_reason.setWordWrap(True)
        self.remember_reason.setAccessibleName("Why remembering is not available")
        small = QFont(self.remember_reason.font())
        small.setPointSizeF(max(7.5, small.pointSizeF() * 0.88))
        self.remember_reason.setFont(small)
        set_style_role(self.remember_reason, "muted")
        if self._server_url:  # nothing of a team server's keys is kept on this computer
            self.remember_box.hide()
            self.remember_reason.hide()
        else:
            self._show_keyring_state()

        self.message_banner = Banner(BannerKind.WARNING, "", card)
        self.message_banner.hide()

        self.unlock_button = QPushButton(
            icon("unlock"), "&Sign in" if self._server_url else "&Unlock", card
        )
        self.unlock_button.setAccessibleName("Sign in" if self._server_url else "Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.setAutoDefault(True)
        self.unlock_button.setMinimumHeight(34)
        self.unlock_button.clicked.connect(self.submit)

        self.recovery_button = QPushButton("&Forgot your password? Use the recovery key…", card)
        self.recovery_button.setFlat(True)
        self.recovery_button.setAccessibleName("Use the recovery key")
        self.recovery_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.recovery_button.setStyleSheet("QPushButton { color: palette(link); border: none; }")
        self.recovery_button.clicked.connect(self.open_recovery_dialog)

        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(32, 26, 32, 22)
        card_layout.setSpacing(10)
        card_layout.addWidget(lock_icon)
        card_layout.addWidget(heading)
        card_layout.addWidget(self._folder_label)
        card_layout.addWidget(self.server_warning)
        card_layout.addSpacing(6)
        card_layout.addLayout(form)
        card_layout.addWidget(self.remember_box)
        card_layout.addWidget(self.remember_reason)
        card_layout.addWidget(self.message_banner)
        card_layout.addSpacing(4)
        self.retry_button = QPushButton(icon("refresh"), "&Try again", card)
        self.retry_button.setAccessibleName("Try to reach the team server again")
        self.retry_button.setMinimumHeight(34)
        self.retry_button.clicked.connect(self.load_server)
        self.retry_button.hide()
        card_layout.addWidget(self.retry_button)
        card_layout.addWidget(self.unlock_button)
        card_layout.addWidget(self.recovery_button, 0, Qt.AlignmentFlag.AlignHCenter)

        self.open_other_button = QPushButton(icon("case-open"), "&Open another vault…", self)
        self.open_other_button.setAccessibleName("Open another vault")
        self.open_other_button.clicked.connect(self.open_other_requested)
        self.create_new_button = QPushButton(icon("add"), "Create a &new vault…", self)
        self.create_new_button.setAccessibleName("Create a new vault")
        self.create_new_button.clicked.connect(self.create_new_requested)
        self.restore_button = QPushButton(icon("refresh"), "&Restore from a backup…", self)
        self.restore_button.setAccessibleName("Restore from a backup")
        self.restore_button.clicked.connect(self.restore_requested)
        self.connect_server_button = QPushButton(
            icon("case-open"),
            "Connect to &another team server…"
            if self._server_url
            else "Connect to a team ser&ver…",
            self,
        )
        self.connect_server_button.setAccessibleName("Connect to a team server")
        self.connect_server_button.setToolTip(
            "Sign in to your team's records on a team server (PostgreSQL)"
        )
        self.connect_server_button.clicked.connect(self.connect_server_requested)
        if self._server_url:
            # Backups of a team server are made by whoever runs it, not restored from here.
            self.restore_button.hide()
            self.open_other_button.setText("&Open a vault…")
            self.create_new_button.setText("Set up a &new team…")
            self.create_new_button.setAccessibleName("Set up a new team")
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.open_other_button)
        if self._server_url:
            bottom.addWidget(self.connect_server_button)
        bottom.addWidget(self.create_new_button)
        bottom.addWidget(self.restore_button)
        bottom.addStretch(1)
        # Under a vault's sign-in, the way to a team server gets a row of its own, so the
        # start-up window keeps its width.
        server_row = QHBoxLayout()
        server_row.addStretch(1)
        if not self._server_url:
            server_row.addWidget(self.connect_server_button)
        server_row.addStretch(1)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addSpacing(14)
        outer.addLayout(bottom)
        outer.addLayout(server_row)
        outer.addStretch(1)

        self.overlay = BusyOverlay(self)
        # The combo box swallows Return; make it submit too.
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self.user_combo)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.submit)

        self.setTabOrder(self.user_combo, self.password_edit)
        self.setTabOrder(self.password_edit, self.remember_box)
        self.setTabOrder(self.remember_box, self.unlock_button)
        self.setTabOrder(self.unlock_button, self.recovery_button)
        self.setTabOrder(self.recovery_button, self.open_other_button)
        self.setTabOrder(self.open_other_button, self.connect_server_button)
        self.setTabOrder(self.connect_server_button, self.create_new_button)

        if self._server_url:
            self._set_usable(False)
            self.load_server()
        else:
            self._load_folder(username)
        if message:
            self.show_message(message, BannerKind.INFO)
        self._fit_card()
        # What would hold up the first paint waits for it: the member list's check, the keyring
        # question, and (ui/app.py) loading the database code. A screen never painted (hidden)
        # still starts them a moment later.
        QTimer.singleShot(START_UNPAINTED_AFTER_MS, self._start_background_work)

    # -- API -------------------------------------------------------------------------------

    def folder(self) -> Path:
        return self._folder

    def server_url(self) -> str:
        """The team server's address this screen signs in to ("" for a vault). It may hold the
        database password, so the screen shows only the host and database it reports."""
        return self._server_url

    def is_server(self) -> bool:
        return bool(self._server_url)

    def server_loaded(self) -> bool:
        return self._server_loaded

    def set_heading(self, text: str) -> None:
        self._heading.setText(text)
        self._fit_card()

    def selected_user(self) -> str:
        return self.user_combo.currentText()

    def select_user(self, username: str) -> None:
        index = self.user_combo.findText(username, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            self.user_combo.setCurrentIndex(index)

    def is_busy(self) -> bool:
        return self._busy

    def message(self) -> str:
        return self.message_banner.text() if self.message_banner.isVisibleTo(self) else ""

    def show_message(self, text: str, kind: BannerKind | str = BannerKind.WARNING) -> None:
        self.message_banner.set_kind(kind)
        self.message_banner.set_text(text)
        self.message_banner.show()
        self._fit_card()

    def clear_message(self) -> None:
        self.message_banner.hide()
        self.message_banner.set_text("")
        self._fit_card()

    def _fit_card(self) -> None:
        """Word-wrapped text in a fixed-width card: give the card the height it needs."""
        layout = self._card.layout()
        if layout is not None:
            layout.activate()
            self._card.setFixedHeight(layout.totalHeightForWidth(self.CARD_WIDTH))

    def keyring_available(self) -> bool:
        return self._keyring_available

    def keyring_pending(self) -> bool:
        """True until the system keyring has answered whether it can remember a key."""
        return self._keyring_pending

    def _ask_keyring(self) -> None:
        run_in_background(
            keyring_state,
            on_done=self._keyring_answered,
            on_error=lambda _error: self._keyring_answered(
                (False, "The system keyring could not be loaded on this computer.")
            ),
            parent=self,
        )

    def _keyring_answered(self, state: tuple[bool, str]) -> None:
        self._keyring_pending = False
        self._keyring_available, self._keyring_reason = state
        self._show_keyring_state()
        if self._keyring_available:
            self.remember_box.setEnabled(self.password_edit.isEnabled())
        self._fit_card()

    def _show_keyring_state(self) -> None:
        if self._keyring_available:
            self.remember_box.setToolTip(
                "Keeps your key in this computer's secure keyring, so next time you can unlock "
                "without typing your password. Only tick this on a computer nobody else uses."
            )
            self.remember_reason.hide()
        else:
            self.remember_box.setChecked(False)
            self.remember_box.setEnabled(False)
            self.remember_box.setToolTip(self._keyring_reason)
            self.remember_reason.setText(self._keyring_reason)
            self.remember_reason.show()

    # -- unlocking -------------------------------------------------------------------------

    def submit(self) -> None:
        """Unlock with what is typed (Enter in the password field, or the Unlock button)."""
        if self._busy:
            return
        username = self.selected_user()
        password = self.password_edit.text()
        if not username:
            self.show_message("Choose your name in the Team member list first.")
            self.user_combo.setFocus()
            return
        if not password and not self._keyring_available:
            self.show_message("Type your password, then press Unlock.")
            self.password_edit.setFocus()
            return
        self._run_unlock(username, password)

    def _run_unlock(self, username: str, password: str, accept_older_copy: bool = False) -> None:
        if self._server_url:
            self._run_server_sign_in(username, password, accept_older_copy)
            return
        folder = self._folder
        remember_me = self._keyring_available and self.remember_box.isChecked()
        keyring_on = self._keyring_available
        self._retry = (username, password) if password and not accept_older_copy else None

        def work() -> Btam:
            # The database libraries load here, off the GUI thread (see ui/app.py).
            from btam_desktop.services.app import unlock, unlock_remembered

            # The trail's sign-in check runs once the window is up (ui/main_window.py).
            if not password:
                remembered = unlock_remembered(folder, username, check_later=True)
                if remembered is None:
                    raise _NothingRemembered()
                return remembered
            app = unlock(
                folder, username, password, accept_older_copy=accept_older_copy, check_later=True
            )
            try:
                if remember_me:
                    app.remember_on_this_computer()
                elif keyring_on:
                    forget_on_this_computer(app.vault.vault_id, username)
            except Exception as error:  # remembering is a convenience: never block the unlock
                logger.warning("keyring update failed with %s", type(error).__name__)
            return app

        self._set_busy(True, "Unlocking…")
        run_in_background(work, on_done=self._unlocked, on_error=self._failed, parent=self)
        self.unlock_started.emit()

    def _run_server_sign_in(self, username: str, password: str, accept_older_copy: bool) -> None:
        url = self._server_url
        self._retry = (username, password) if password and not accept_older_copy else None

        def work() -> Btam:
            from btam_desktop.services.team_server import unlock_server

            return unlock_server(url, username, password, accept_older_copy=accept_older_copy)

        self._set_busy(True, "Signing in to the team server…")
        run_in_background(work, on_done=self._unlocked, on_error=self._failed, parent=self)
        self.unlock_started.emit()

    def load_server(self) -> None:
        """Reach the team server in the background: its place, its warning, its members."""
        if self._busy or not self._server_url:
            return
        url = self._server_url
        self._folder_label.setText("Team server")
        self.retry_button.hide()
        self.clear_message()

        def work() -> object:
            from btam_desktop.services.team_server import server_sign_in

            return server_sign_in(url)

        self._set_busy(True, "Reaching the team server…")
        run_in_background(
            work, on_done=self._server_reached, on_error=self._server_unreachable, parent=self
        )

    def _server_reached(self, info: object) -> None:
        self._set_busy(False)
        where = str(getattr(info, "where", ""))
        warning = str(getattr(info, "warning", ""))
        names = [str(n) for n in getattr(info, "usernames", [])]
        self._server_loaded = True
        self._members_ready = True
        self._folder_label.setText(f"Team server: {where}")
        self._folder_label.setToolTip(where)
        self._folder_label.setAccessibleDescription(where)
        self.server_warning.set_text(warning)
        self.server_warning.setVisible(bool(warning))
        self.user_combo.clear()
        self.user_combo.addItems(names)
        self._set_usable(bool(names))
        wanted = self._wanted_user or last_server_user(str(getattr(info, "shareable_url", "")))
        if wanted:
            self.select_user(wanted)
        self._fit_card()
        if self.isVisible() and self.password_edit.isEnabled():
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.members_loaded.emit()

    def _server_unreachable(self, error: BaseException) -> None:
        self._set_busy(False)
        self._set_usable(False)
        where = getattr(error, "where", "")  # the server's host/database, never a password
        if isinstance(where, str) and where:
            self._folder_label.setText(f"Team server: {where}")
        self.show_message(user_message(error))
        self.retry_button.show()
        self.retry_button.setDefault(True)
        self._fit_card()
        self.retry_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_usable(self, usable: bool) -> None:
        for widget in (
            self.user_combo,
            self.password_edit,
            self.unlock_button,
            self.recovery_button,
        ):
            widget.setEnabled(usable)
        if self._keyring_available:
            self.remember_box.setEnabled(usable)
        self.unlock_button.setDefault(usable)
        if self._server_url:  # nothing to recover on a server not reached
            self.recovery_button.setVisible(usable)

    def _unlocked(self, app: Btam) -> None:
        self._retry = None
        self._set_busy(False)
        self.password_edit.clear()
        self.clear_message()
        self.unlocked.emit(app)

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        retry, self._retry = self._retry, None
        if isinstance(error, VaultBehindError) and retry is not None:
            self._ask_about_older_copy(error, *retry)
            return
        if isinstance(error, WrongCredentialsError):
            self.show_message(WRONG_CREDENTIALS)
        else:
            self.show_message(user_message(error))
        self.password_edit.clear()
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _ask_about_older_copy(self, error: VaultBehindError, username: str, password: str) -> None:
        """The copy is older than this computer has seen: a coordinator may accept it (after
        restoring a backup on purpose; recorded) or stop."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "This vault is older than the one this computer has seen",
            f"{error!s}\n\nIf you did not restore a backup, stop: someone may have put an "
            "older copy in place, and the newer one holds records this copy lacks.",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        accept = box.addButton("Accept this copy (coordinator)", QMessageBox.ButtonRole.AcceptRole)
        stop = box.addButton("Stop", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stop)
        self.older_copy_box = box

        def answered() -> None:
            if box.clickedButton() is accept:
                self._set_busy(True, "Unlocking…")
                self._run_unlock(username, password, accept_older_copy=True)
            else:
                self.show_message("Stopped. The older copy was not opened.")
                self.password_edit.clear()

        box.finished.connect(answered)
        box.open()

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        if busy:
            self.overlay.show_busy(message)
        else:
            self.overlay.hide_busy()

    # -- recovery --------------------------------------------------------------------------

    def open_recovery_dialog(self) -> RecoveryDialog:
        members = (
            self.user_combo_items()
            if self._members_ready or self._server_url
            else vault_usernames(self._folder)  # asked for before the list came: read it now
        )
        dialog = RecoveryDialog(
            self._server_url or self._folder, members, self.selected_user(), self
        )
        dialog.password_reset.connect(self._after_reset)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def user_combo_items(self) -> list[str]:
        return [self.user_combo.itemText(i) for i in range(self.user_combo.count())]

    def _after_reset(self, username: str) -> None:
        self.select_user(username)
        self.password_edit.clear()
        self.show_message(
            f"The password was changed. Sign in as {username} with the new password.",
            BannerKind.INFO,
        )
        self.password_edit.setFocus()

    # -- internals -------------------------------------------------------------------------

    def _load_folder(self, username: str | None) -> None:
        """Show the vault's members. Their list is signed by the vault key, and checking that
        loads the cryptography library (about 35 ms): it runs in the background once the screen
        is painted. Until then the list holds the member who signed in here last, so the
        password can be typed at once; nothing is unlocked before the list is checked anyway."""
        elided_path(self._folder_label, self._folder, self.CARD_WIDTH - 64)
        if not is_vault(self._folder):
            self._members_loaded([], username)
            return
        wanted = username or last_user(self._folder)
        self._members_ready = False
        if wanted:
            self.user_combo.addItem(wanted)
        self._members_wanted = wanted

    def _load_members(self) -> None:
        folder, wanted = self._folder, self._members_wanted
        run_in_background(
            lambda: vault_usernames(folder),
            on_done=lambda names: self._members_loaded(names, wanted),
            on_error=lambda _error: self._members_loaded([], wanted),
            parent=self,
        )

    def _members_loaded(self, names: list[str], wanted: str | None) -> None:
        self.user_combo.clear()
        self.user_combo.addItems(names)
        usable = bool(names)
        self._set_usable(usable)
        if not usable:
            self.show_message(
                f"There is no BTAM vault in {self._folder}. Open the folder that holds your "
                "team's vault, or create a new vault."
            )
        elif wanted:
            self.select_user(wanted)
        self._members_ready = True
        self.members_loaded.emit()
        if self._background_started:
            self._ask_keyring_once()

    def members_ready(self) -> bool:
        """True once the member list on screen is the vault's own, checked (or the server's)."""
        return self._members_ready

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.password_edit.isEnabled():
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._start_background_work)  # after this frame is shown

    def _start_background_work(self) -> None:
        if self._background_started:
            return
        self._background_started = True
        if not self._server_url and not self._members_ready:
            self._load_members()  # first: it is what the person looks at
        else:
            self._ask_keyring_once()
        self.first_painted.emit()

    def _ask_keyring_once(self) -> None:
        if self._keyring_pending and not self._keyring_asked:
            self._keyring_asked = True
            self._ask_keyring()


class RecoveryDialog(QDialog):
    """Recovery key + member + new password: sets the new password, then closes."""

    password_reset = Signal(str)  # the member whose password was set

    def __init__(
        self,
        folder: Location,
        usernames: list[str],
        selected: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Use the recovery key — BTAM Desktop")
        self.setModal(True)
        self._folder = folder
        self._busy = False

        intro = QLabel(
            "The recovery key is on the recovery sheet your coordinator keeps in a safe place. "
            "It lets you set a new password for a team member. Nothing else changes.",
            self,
        )
        intro.setWordWrap(True)

        self.key_edit = QLineEdit(self)
        self.key_edit.setAccessibleName("Recovery key")
        self.key_edit.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.key_edit.setFont(mono)
        self.key_edit.setMinimumWidth(
            self.key_edit.fontMetrics().horizontalAdvance("XXXX-" * 8) + 24
        )
        self.user_combo = QComboBox(self)
        self.user_combo.setAccessibleName("Team member")
        self.user_combo.addItems(usernames)
        if selected:
            index = self.user_combo.findText(selected)
            if index >= 0:
                self.user_combo.setCurrentIndex(index)
        self.password_edit = QLineEdit(self)
        self.password_edit.setAccessibleName("New password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.meter = PasswordStrengthMeter(self.password_edit, self)
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setAccessibleName("Repeat the new password")
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for text, field in (
            ("Recovery &key", self.key_edit),
            ("Team &member", self.user_combo),
            ("&New password", self.password_edit),
        ):
            label = QLabel(text, self)
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow("", self.meter)
        confirm_label = QLabel("&Repeat it", self)
        confirm_label.setBuddy(self.confirm_edit)
        form.addRow(confirm_label, self.confirm_edit)

        self.message_banner = Banner(BannerKind.WARNING, "", self)
        self.message_banner.hide()

        self.buttons = QDialogButtonBox(self)
        self.reset_button = self.buttons.addButton(
            "&Set new password", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.reset_button.setIcon(icon("key"))
        self.reset_button.setAccessibleName("Set new password")
        self.reset_button.setDefault(True)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message_banner)
        layout.addWidget(self.buttons)
        self.overlay = BusyOverlay(self)
        self.resize(max(560, self.sizeHint().width()), self.sizeHint().height())

    def message(self) -> str:
        return self.message_banner.text() if self.message_banner.isVisibleTo(self) else ""

    def _show(self, text: str, focus: QWidget | None = None) -> None:
        self.message_banner.set_text(text)
        self.message_banner.show()
        if focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if self._busy:
            return
        key = self.key_edit.text()
        username = self.user_combo.currentText()
        password = self.password_edit.text()
        if len(normalize_recovery_key(key)) != RECOVERY_CHARS:
            self._show(
                f"A recovery key has {RECOVERY_CHARS} letters and digits in 8 groups of 4. "
                "Type it exactly as on the recovery sheet.",
                self.key_edit,
            )
            return
        if not username:
            self._show("Choose the team member whose password to set.", self.user_combo)
            return
        problem = password_problem(password)  # the same policy as Add member
        if problem is not None:
            self._show(problem, self.password_edit)
            return
        if password != self.confirm_edit.text():
            self.confirm_edit.clear()
            self._show(
                "The two passwords are not the same. Type the new password again in “Repeat it”.",
                self.confirm_edit,
            )
            return
        folder = self._folder
        self._busy = True
        self.buttons.setEnabled(False)
        self.overlay.show_busy("Setting the new password…")
        run_in_background(
            lambda: _recover_and_reset(folder, key, username, password),
            on_done=lambda _result: self._done(username),
            on_error=self._failed,
            parent=self,
        )

    def _done(self, username: str) -> None:
        self._busy = False
        self.overlay.hide_busy()
        self.key_edit.clear()
        self.password_edit.clear()
        self.confirm_edit.clear()
        self.password_reset.emit(username)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.overlay.hide_busy()
        self.buttons.setEnabled(True)
        self._show(user_message(error), self.key_edit)
