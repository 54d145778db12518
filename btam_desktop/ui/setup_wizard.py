"""First run: the assistant that creates the team's vault and shows its recovery key once.

Pages: the team (name, setting, level-of-concern scale), where the records live (this computer
only, in a vault, or a team server, issue 16), the
coordinator's account (user name, full name, password, idle lock), then the recovery key. The
vault is created in the background when the coordinator page is confirmed (Argon2 is tuned to
this computer, which takes a moment); after that there is no way back, and Finish stays disabled
until the person confirms the recovery key is written down or printed.

The recovery key never goes to a log or a settings file. If it is copied to the clipboard, the
clipboard is cleared after 60 seconds when it still holds the key (as KeePassXC does), and when
the program quits.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from btam_desktop.domain.enums import CaseSetting
from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.forms import FormRegistry
from btam_desktop.domain.passwords import password_problem
from btam_desktop.services.app import Btam, NewTeam, create_team_vault
from btam_desktop.services.team import check_username
from btam_desktop.services.vault_paths import (
    KdfParams,
    default_vault_dir,
    is_vault,
    normalize_recovery_key,
)
from btam_desktop.ui.icons import icon
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.unlock import user_message
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.overlay import BusyOverlay
from btam_desktop.ui.widgets.password_strength import PasswordStrengthMeter
from btam_desktop.ui.widgets.plural import plural_suffix

logger = logging.getLogger(__name__)

CLIPBOARD_CLEAR_MS = 60_000
"""How long a copied recovery key may stay on the clipboard (tests shorten it)."""

ACKNOWLEDGE_TEXT = (
    "I have written down or printed the recovery key and will keep it in a safe place"
)

SETTING_HELP = {
    CaseSetting.SCHOOL: "Students and staff of a school or a district",
    CaseSetting.WORKPLACE: "Employees, contractors and visitors of an organisation",
    CaseSetting.CAMPUS: "Students and staff of a college or university",
    CaseSetting.COMMUNITY: "A community team working across organisations",
}


# -- the recovery sheet ------------------------------------------------------------------------


def recovery_sheet_builder() -> Callable[..., bytes]:
    """``build_recovery_sheet(team_name, vault_path, recovery_key) -> PDF bytes``; imported when
    a sheet is first needed (reportlab is not loaded before that)."""
    from btam_desktop.reports.recovery_sheet import build_recovery_sheet

    return build_recovery_sheet


def pdf_page_images(pdf: bytes, dpi: int = 150) -> list[QImage]:
    """Each page of a PDF held in memory as an image (for printing; nothing touches the disk)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    images: list[QImage] = []
    try:
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72, rev_byteorder=True, prefer_bgrx=True)
            view = memoryview(bitmap.buffer)
            image = QImage(
                bytes(view),
                bitmap.width,
                bitmap.height,
                bitmap.stride,
                QImage.Format.Format_RGBX8888,
            ).copy()
            images.append(image)
            bitmap.close()
            page.close()
    finally:
        document.close()
    return images


def print_pdf(pdf: bytes, parent: QWidget, title: str) -> bool:
    """Show the print dialog and print the PDF's pages; False when the person cancelled."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    painter = QPainter()
    if not painter.begin(printer):
        raise VaultError("The printer could not be started. Check it is switched on.")
    try:
        for number, image in enumerate(pdf_page_images(pdf, 300)):
            if number:
                printer.newPage()
            target = QRectF(painter.viewport())
            scaled = QSize(image.width(), image.height()).scaled(
                target.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio
            )
            painter.drawImage(QRectF(0, 0, scaled.width(), scaled.height()), image)
    finally:
        painter.end()
    return True


# -- the clipboard ------------------------------------------------------------------------------


class ClipboardGuard(QObject):
    """Clears the clipboard a while after a secret was copied to it, if it still holds it.

    Lives on the application object so it outlasts the assistant; ``release()`` stops watching
    new copies but lets a pending clear happen.
    """

    cleared = Signal()

    def __init__(self, secret: str, timeout_ms: int | None = None) -> None:
        app = QGuiApplication.instance()
        super().__init__(app)
        self._secret = normalize_recovery_key(secret)
        self._timeout_ms = CLIPBOARD_CLEAR_MS if timeout_ms is None else timeout_ms
        self._released = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear_if_holding)
        clipboard = QGuiApplication.clipboard()
        clipboard.dataChanged.connect(self._changed)
        if isinstance(app, QGuiApplication):
            app.aboutToQuit.connect(self.clear_if_holding)

    def holds_secret(self) -> bool:
        if not self._secret:
            return False
        typed = normalize_recovery_key(QGuiApplication.clipboard().text())
        return len(typed) >= 8 and typed in self._secret

    def is_pending(self) -> bool:
        return self._timer.isActive()

    def copy(self) -> None:
        """Put the secret (formatted as shown) on the clipboard; it is cleared later."""
        chars = self._secret
        QGuiApplication.clipboard().setText("-".join(chars[i : i + 4] for i in range(0, 32, 4)))
        self._arm()

    def _changed(self) -> None:
        if self._released:
            return
        if self.holds_secret():
            self._arm()

    def _arm(self) -> None:
        self._timer.start(self._timeout_ms)

    def clear_if_holding(self) -> None:
        self._timer.stop()
        if self.holds_secret():
            QGuiApplication.clipboard().clear()
            self.cleared.emit()
        if self._released:
            self._forget()

    def release(self) -> None:
        """The secret is no longer shown: stop watching; a pending clear still happens."""
        self._released = True
        with contextlib.suppress(RuntimeError, TypeError):
            QGuiApplication.clipboard().dataChanged.disconnect(self._changed)
        if not self._timer.isActive():
            self._forget()

    def _forget(self) -> None:
        self._secret = ""
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            with contextlib.suppress(RuntimeError, TypeError):
                app.aboutToQuit.disconnect(self.clear_if_holding)
        self.deleteLater()


# -- pages --------------------------------------------------------------------------------------


def _message_banner(parent: QWidget) -> Banner:
    banner = Banner(BannerKind.WARNING, "", parent)
    banner.hide()
    return banner


def _show_problem(banner: Banner, text: str, focus: QWidget | None = None) -> None:
    banner.set_kind(BannerKind.WARNING)
    banner.set_text(text)
    banner.show()
    if focus is not None:
        focus.setFocus(Qt.FocusReason.OtherFocusReason)


class TeamPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Welcome to BTAM Desktop")
        self.setSubTitle(
            "This assistant sets up your threat assessment team's encrypted records. "
            "It takes a few minutes. You can change these choices later in Settings."
        )
        self.team_name = QLineEdit(self)
        self.team_name.setAccessibleName("Team name")
        self.team_name.setPlaceholderText("For example: Lincoln High School threat assessment team")
        self.setting = QComboBox(self)
        self.setting.setAccessibleName("Setting")
        for setting in CaseSetting:
            self.setting.addItem(setting.label, setting.value)
            self.setting.setItemData(
                self.setting.count() - 1, SETTING_HELP[setting], Qt.ItemDataRole.ToolTipRole
            )
        self.setting_help = QLabel(self)
        self.setting_help.setWordWrap(True)
        set_style_role(self.setting_help, "muted")
        self.setting.currentIndexChanged.connect(self._setting_changed)

        self.scale = QComboBox(self)
        self.scale.setAccessibleName("Level-of-concern scale")
        self.scale_help = QLabel(self)
        self.scale_help.setWordWrap(True)
        set_style_role(self.scale_help, "muted")
        try:
            scales = FormRegistry.load().scales()
        except Exception as error:  # the built-in forms are part of the program
            logger.error("loading the level scales failed with %s", type(error).__name__)
            scales = []
        for scale in scales:
            levels = " → ".join(level.label for level in scale.levels)
            self.scale.addItem(scale.title, scale.id)
            self.scale.setItemData(
                self.scale.count() - 1, scale.summary or levels, Qt.ItemDataRole.ToolTipRole
            )
            self.scale.setItemData(self.scale.count() - 1, levels, Qt.ItemDataRole.UserRole + 1)
        default = self.scale.findData("scale.four-level")
        if default >= 0:
            self.scale.setCurrentIndex(default)
        self.scale.currentIndexChanged.connect(self._scale_changed)

        self.banner = _message_banner(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(8)
        for text, field in (
            ("&Team name", self.team_name),
            ("&Setting", self.setting),
        ):
            label = QLabel(text, self)
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow("", self.setting_help)
        scale_label = QLabel("&Level-of-concern scale", self)
        scale_label.setBuddy(self.scale)
        form.addRow(scale_label, self.scale)
        form.addRow("", self.scale_help)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(self.banner)
        layout.addStretch(1)
        self._setting_changed()
        self._scale_changed()

    def _setting_changed(self) -> None:
        value = self.setting.currentData()
        self.setting_help.setText(SETTING_HELP.get(CaseSetting(value), "") if value else "")

    def _scale_changed(self) -> None:
        levels = self.scale.currentData(Qt.ItemDataRole.UserRole + 1) or ""
        self.scale_help.setText(f"Levels: {levels}" if levels else "")

    def validatePage(self) -> bool:
        if not self.team_name.text().strip():
            _show_problem(
                self.banner,
                "Give your team a name. It appears on every printout, for example "
                "“Lincoln High School threat assessment team”.",
                self.team_name,
            )
            return False
        if self.scale.currentIndex() < 0:
            _show_problem(self.banner, "Choose a level-of-concern scale.", self.scale)
            return False
        self.banner.hide()
        return True


def _free_default_folder() -> Path:
    base = default_vault_dir()
    candidate = base
    number = 2
    while is_vault(candidate):
        candidate = base.with_name(f"{base.name}-{number}")
        number += 1
    return candidate


SERVER_EXPLAINED = (
    "A team server is a PostgreSQL database your district or organisation runs, so the team "
    "can work from several computers. What you type is encrypted on your computer before it is "
    "sent: the server, its administrators and its backups cannot read a name, a narrative, a "
    "note or an answer. They can see how many cases there are and their numbers, dates, "
    "statuses, levels, sites and owners, and who on the team did what and when."
)


class FolderPage(QWizardPage):
    """Where the records are kept: this computer only (a vault folder, the default) or a team
    server (its address, with "Test connection")."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle("Where the records are kept")
        self.setSubTitle(
            "Keep them in an encrypted vault on this computer, or on your team's server so "
            "several computers can work on the same cases."
        )
        self.local_choice = QRadioButton("This &computer only (a vault folder)", self)
        self.local_choice.setAccessibleName("This computer only")
        self.server_choice = QRadioButton("A team &server (PostgreSQL)", self)
        self.server_choice.setAccessibleName("Team server")
        self.local_choice.setChecked(True)

        # -- this computer: the vault folder --
        self.local_box = QWidget(self)
        self.folder = QLineEdit(str(_free_default_folder()), self.local_box)
        self.folder.setAccessibleName("Vault folder")
        self.choose = QPushButton("&Choose…", self.local_box)
        self.choose.setAccessibleName("Choose the vault folder")
        self.choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.choose)
        label = QLabel("Vault &folder", self.local_box)
        label.setBuddy(self.folder)
        note = QLabel(
            "The vault is one folder holding your team's encrypted records, its key file and "
            "its backups. Everything in it is encrypted. Keep it on this computer or on a drive "
            "only your team can reach, and back it up like any other important folder.",
            self.local_box,
        )
        note.setWordWrap(True)
        set_style_role(note, "muted")
        local_layout = QVBoxLayout(self.local_box)
        local_layout.setContentsMargins(24, 0, 0, 0)
        local_layout.addWidget(label)
        local_layout.addLayout(row)
        local_layout.addWidget(note)

        # -- a team server: its address --
        self.server_box = QWidget(self)
        self.server_url = QLineEdit(self.server_box)
        self.server_url.setAccessibleName("Team server address")
        self.server_url.setPlaceholderText("postgresql://btam_app@db.example/btam?sslrootcert=…")
        self.server_url.textChanged.connect(self._address_changed)
        self.test_button = QPushButton(icon("refresh"), "&Test connection", self.server_box)
        self.test_button.setAccessibleName("Test connection")
        self.test_button.clicked.connect(lambda: self.test_connection())
        url_row = QHBoxLayout()
        url_row.addWidget(self.server_url, 1)
        url_row.addWidget(self.test_button)
        url_label = QLabel("Server &address (from whoever runs the server)", self.server_box)
        url_label.setBuddy(self.server_url)
        explained = QLabel(SERVER_EXPLAINED, self.server_box)
        explained.setWordWrap(True)
        set_style_role(explained, "muted")
        self.test_result = Banner(BannerKind.INFO, "", self.server_box)
        self.test_result.setAccessibleName("Connection test result")
        self.test_result.hide()
        self.sign_in_button = QPushButton(
            icon("unlock"), "Sign &in to that team instead", self.server_box
        )
        self.sign_in_button.setAccessibleName("Sign in to that team instead")
        self.sign_in_button.clicked.connect(self._sign_in_instead)
        self.sign_in_button.hide()
        server_layout = QVBoxLayout(self.server_box)
        server_layout.setContentsMargins(24, 0, 0, 0)
        server_layout.addWidget(url_label)
        server_layout.addLayout(url_row)
        server_layout.addWidget(explained)
        server_layout.addWidget(self.test_result)
        server_layout.addWidget(self.sign_in_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.banner = _message_banner(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.local_choice)
        layout.addWidget(self.local_box)
        layout.addSpacing(6)
        layout.addWidget(self.server_choice)
        layout.addWidget(self.server_box)
        layout.addSpacing(8)
        layout.addWidget(self.banner)
        layout.addStretch(1)

        self._testing = False
        self._advance_after_test = False
        self._checked_url = ""  # the address the last test found usable for a new team
        self.local_choice.toggled.connect(self._choice_changed)
        self._choice_changed()

    # -- the choice --

    def uses_server(self) -> bool:
        return self.server_choice.isChecked()

    def chosen_folder(self) -> Path:
        return Path(self.folder.text().strip()).expanduser()

    def chosen_server(self) -> str:
        return self.server_url.text().strip()

    def _choice_changed(self) -> None:
        server = self.uses_server()
        self.local_box.setVisible(not server)  # one choice's fields at a time: room to read
        self.server_box.setVisible(server)
        self.banner.hide()

    def _address_changed(self) -> None:
        self._checked_url = ""
        self.test_result.hide()
        self.sign_in_button.hide()

    def _choose(self) -> None:
        start = self.chosen_folder()
        while not start.exists() and start != start.parent:
            start = start.parent
        folder = QFileDialog.getExistingDirectory(self, "Choose the vault folder", str(start))
        if folder:
            self.folder.setText(folder)

    # -- testing the server --

    def is_testing(self) -> bool:
        return self._testing

    def test_connection(self, advance: bool = False) -> None:
        """Reach the server in the background: reachable, TLS, and whether a team is there."""
        url = self.chosen_server()
        if self._testing:
            return
        if not url:
            _show_problem(
                self.banner,
                "Type the team server's address. Whoever runs the server gives it to you.",
                self.server_url,
            )
            return
        self.banner.hide()
        self._testing = True
        self._advance_after_test = advance
        self.test_button.setEnabled(False)
        self._wizard.overlay.show_busy("Reaching the team server…")

        def work() -> object:
            from btam_desktop.services.team_server import check_server

            return check_server(url)

        run_in_background(
            work,
            on_done=lambda result: self._tested(url, result),
            on_error=self._test_failed,
            parent=self,
        )

    def _tested(self, url: str, result: object) -> None:
        self._testing = False
        self.test_button.setEnabled(True)
        self._wizard.overlay.hide_busy()
        where = str(getattr(result, "where", ""))
        warning = str(getattr(result, "warning", ""))
        encrypted = bool(getattr(result, "encrypted", False))
        team_exists = bool(getattr(result, "team_exists", False))
        how = (
            "over TLS, with the server's certificate checked."
            if encrypted
            else "on this computer, without TLS."
        )
        lines = [f"Reached the team server {where} {how}"]
        if warning:
            lines.append(warning)
        if team_exists:
            lines.append(
                "A BTAM team already uses this database. Sign in to it instead, or ask whoever "
                "runs the server for an empty database for a new team."
            )
            self.test_result.set_kind(BannerKind.WARNING)
            self._checked_url = ""
        else:
            lines.append("No team uses this database yet: this assistant will set yours up.")
            self.test_result.set_kind(BannerKind.WARNING if warning else BannerKind.INFO)
            self._checked_url = url if url == self.chosen_server() else ""
        self.test_result.set_text("\n\n".join(lines))
        self.test_result.show()
        self.sign_in_button.setVisible(team_exists)
        if self._advance_after_test and self._checked_url:
            self._advance_after_test = False
            self._wizard.next()

    def _test_failed(self, error: BaseException) -> None:
        self._testing = False
        self._advance_after_test = False
        self.test_button.setEnabled(True)
        self._wizard.overlay.hide_busy()
        self._checked_url = ""
        self.sign_in_button.hide()
        self.test_result.set_kind(BannerKind.DANGER)
        self.test_result.set_text(user_message(error))
        self.test_result.show()

    def _sign_in_instead(self) -> None:
        self._wizard.sign_in_instead(self.chosen_server())

    # -- moving on --

    def validatePage(self) -> bool:
        if self.uses_server():
            if self._checked_url and self._checked_url == self.chosen_server():
                return True
            self.test_connection(advance=True)  # moves on by itself when the server fits
            return False
        text = self.folder.text().strip()
        if not text:
            _show_problem(self.banner, "Choose a folder for the vault.", self.folder)
            return False
        folder = self.chosen_folder()
        if not folder.is_absolute():
            _show_problem(
                self.banner,
                "Give the full path of the folder, or press Choose… to pick one.",
                self.folder,
            )
            return False
        if is_vault(folder):
            _show_problem(
                self.banner,
                f"{folder} already holds a BTAM vault. Choose an empty or new folder; to use "
                "the existing vault, cancel and open it instead.",
                self.folder,
            )
            return False
        if folder.exists() and not folder.is_dir():
            _show_problem(
                self.banner, f"{folder} is a file, not a folder. Choose a folder.", self.folder
            )
            return False
        self.banner.hide()
        return True


class CoordinatorPage(QWizardPage):
    """The coordinator's account and the idle lock; confirming it creates the vault."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle("Your account")
        self.setSubTitle(
            "You are the team's coordinator: you add the other members and manage the vault. "
            "Choose a password only you know."
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Create vault")
        self._subtitles = (
            "You are the team's coordinator: you add the other members and manage the vault. "
            "Choose a password only you know.",
            "You are the team's coordinator: you add the other members and manage the team. "
            "Choose a password only you know; it never leaves this computer.",
        )
        self.username = QLineEdit(self)
        self.username.setAccessibleName("User name")
        self.username.setPlaceholderText("For example: jrivera")
        self.full_name = QLineEdit(self)
        self.full_name.setAccessibleName("Full name")
        self.full_name.setPlaceholderText("As it should appear on records")
        self.password = QLineEdit(self)
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.meter = PasswordStrengthMeter(self.password, self)
        self.confirm = QLineEdit(self)
        self.confirm.setAccessibleName("Repeat the password")
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.idle_minutes = QSpinBox(self)
        self.idle_minutes.setAccessibleName("Lock after minutes without activity")
        self.idle_minutes.setRange(0, 240)
        self.idle_minutes.setValue(10)
        plural_suffix(self.idle_minutes, "minute")
        self.idle_minutes.setSpecialValueText("Never (not recommended)")
        self.idle_minutes.setMinimumWidth(
            self.idle_minutes.fontMetrics().horizontalAdvance("Never (not recommended)") + 48
        )
        self.idle_minutes.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        idle_help = QLabel(
            "When nobody uses the program for this long, it locks and asks for a password "
            "again. Records stay hidden from anyone walking past.",
            self,
        )
        idle_help.setWordWrap(True)
        set_style_role(idle_help, "muted")
        self.banner = _message_banner(self)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(8)
        for text, field in (
            ("&User name", self.username),
            ("&Full name", self.full_name),
            ("&Password", self.password),
        ):
            label = QLabel(text, self)
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow("", self.meter)
        confirm_label = QLabel("&Repeat password", self)
        confirm_label.setBuddy(self.confirm)
        form.addRow(confirm_label, self.confirm)
        idle_label = QLabel("&Lock after", self)
        idle_label.setBuddy(self.idle_minutes)
        idle_field = QVBoxLayout()
        idle_field.setSpacing(4)
        idle_field.addWidget(self.idle_minutes)
        idle_field.addWidget(idle_help)
        form.addRow(idle_label, idle_field)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(self.banner)
        layout.addStretch(1)

    def initializePage(self) -> None:
        server = self._wizard.folder_page.uses_server()
        self.setSubTitle(self._subtitles[1 if server else 0])
        self.setButtonText(
            QWizard.WizardButton.CommitButton, "&Set up the team" if server else "&Create vault"
        )

    def validatePage(self) -> bool:
        if self._wizard.app is not None:
            return True
        try:
            check_username(self.username.text())
        except VaultError as error:
            _show_problem(self.banner, str(error), self.username)
            return False
        if not self.full_name.text().strip():
            _show_problem(
                self.banner,
                "Type your full name as it should appear on records.",
                self.full_name,
            )
            return False
        password = self.password.text()
        problem = password_problem(password)  # the same policy as Add member
        if problem is not None:
            _show_problem(self.banner, problem, self.password)
            return False
        if password != self.confirm.text():
            self.confirm.clear()
            _show_problem(
                self.banner,
                "The two passwords are not the same. Type the password again in “Repeat password”.",
                self.confirm,
            )
            return False
        self.banner.hide()
        self._wizard.create_vault()
        return False  # the wizard moves on by itself once the vault exists

    def show_error(self, text: str) -> None:
        _show_problem(self.banner, text)


class RecoveryPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle("Your recovery key")
        self.setSubTitle(
            "If a password is forgotten, this key lets you set a new one. It is shown only "
            "now. Anyone who has it can open the vault, so keep it locked away."
        )
        self.setFinalPage(True)

        self.key_label = QLabel(self)
        self.key_label.setAccessibleName("Recovery key")
        self.key_label.setTextFormat(Qt.TextFormat.PlainText)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.key_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        font = QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        font.setPointSizeF(max(18.0, font.pointSizeF() * 1.9))
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
        self.key_label.setFont(font)
        key_box = QFrame(self)
        key_box.setObjectName("recoveryKeyBox")
        key_box.setStyleSheet(
            "QFrame#recoveryKeyBox { background-color: palette(base); "
            "border: 2px dashed palette(mid); border-radius: 8px; }"
        )
        box_layout = QVBoxLayout(key_box)
        box_layout.setContentsMargins(18, 16, 18, 16)
        box_layout.addWidget(self.key_label)

        self.copy_button = QPushButton("C&opy", self)
        self.copy_button.setAccessibleName("Copy the recovery key")
        self.copy_button.setToolTip(
            "Copies the key to the clipboard; BTAM clears the clipboard again after 60 seconds."
        )
        self.copy_button.clicked.connect(self._copy)
        self.print_button = QPushButton(icon("print"), "&Print recovery sheet…", self)
        self.print_button.setAccessibleName("Print recovery sheet")
        self.print_button.clicked.connect(self._print)
        self.pdf_button = QPushButton(icon("pdf"), "&Save as PDF…", self)
        self.pdf_button.setAccessibleName("Save the recovery sheet as PDF")
        self.pdf_button.clicked.connect(self._save_pdf)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.pdf_button)
        buttons.addStretch(1)

        advice = QLabel(
            "Write the key on paper, or print the recovery sheet, and store it where your "
            "organisation keeps other critical keys (a safe, a locked cabinet). Do not keep "
            "it in an e-mail, a photo or a file on this computer.",
            self,
        )
        advice.setWordWrap(True)
        set_style_role(advice, "muted")

        self.acknowledge = QCheckBox(ACKNOWLEDGE_TEXT, self)
        self.acknowledge.setAccessibleName("I have kept the recovery key safe")
        self.acknowledge.toggled.connect(self.completeChanged)
        self.banner = _message_banner(self)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(key_box)
        layout.addLayout(buttons)
        layout.addSpacing(4)
        layout.addWidget(advice)
        layout.addSpacing(10)
        layout.addWidget(self.acknowledge)
        layout.addWidget(self.banner)
        layout.addStretch(1)

    def set_key(self, key: str) -> None:
        groups = [g for g in key.split("-") if g]
        half = (len(groups) + 1) // 2
        self.key_label.setText(
            "  ".join(groups[:half]) + "\n" + "  ".join(groups[half:]) if groups else ""
        )

    def shown_key(self) -> str:
        """The key as displayed, normalised (for tests and the clipboard check)."""
        return normalize_recovery_key(self.key_label.text())

    def isComplete(self) -> bool:
        return self.acknowledge.isChecked()

    def initializePage(self) -> None:
        # After the wizard has focused the page's first child (the key): focus the checkbox.
        QTimer.singleShot(0, self._focus_acknowledge)

    def _focus_acknowledge(self) -> None:
        self.acknowledge.setFocus(Qt.FocusReason.OtherFocusReason)

    def _copy(self) -> None:
        guard = self._wizard.clipboard_guard
        if guard is not None:
            guard.copy()
            self.banner.set_kind(BannerKind.INFO)
            self.banner.set_text(
                "The key is on the clipboard. It will be cleared in 60 seconds; paste it "
                "now where it belongs."
            )
            self.banner.show()

    def _sheet(self) -> bytes | None:
        app = self._wizard.app
        fingerprint = app.vault.fingerprint if app is not None else ""
        return recovery_sheet_builder()(
            self._wizard.team_name(),
            self._wizard.location_text(),
            self._wizard.recovery_key,
            vault_key=fingerprint,
        )

    def _save_pdf(self) -> None:
        answer = QMessageBox.warning(
            self,
            "Save the recovery sheet as PDF",
            "The PDF file is not encrypted: anyone who gets it can open your vault.\n\n"
            "Save it only to a USB stick you will lock away, or print it and then delete "
            "the file.",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Save:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self,
            "Save the recovery sheet",
            str(Path.home() / "BTAM recovery sheet.pdf"),
            "PDF documents (*.pdf)",
        )
        if not path:
            return
        try:
            pdf = self._sheet()
            if pdf is None:
                return
            Path(path).write_bytes(pdf)
        except OSError as error:
            _show_problem(self.banner, f"The file could not be saved: {error.strerror}.")
        except Exception as error:
            _show_problem(self.banner, user_message(error))
        else:
            self.banner.set_kind(BannerKind.INFO)
            self.banner.set_text(f"Saved to {path}. Print it, then delete the file.")
            self.banner.show()

    def _print(self) -> None:
        try:
            pdf = self._sheet()
            if pdf is not None:
                print_pdf(pdf, self, "BTAM recovery sheet")
        except Exception as error:
            _show_problem(self.banner, user_message(error))


# -- the assistant ------------------------------------------------------------------------------


class SetupWizard(QWizard):
    """Creates a vault or a team on a team server; emits ``vault_created(app, folder)`` or
    ``server_team_created(app, url)`` when the person finishes, or ``sign_in_requested(url)``
    (and closes) when the server chosen already holds a team and the person signs in to it."""

    vault_created = Signal(object, object)  # Btam, Path
    server_team_created = Signal(object, str)  # Btam, the server's address
    sign_in_requested = Signal(str)  # a team server's address

    PAGE_TEAM, PAGE_FOLDER, PAGE_COORDINATOR, PAGE_RECOVERY = range(4)

    def __init__(
        self, parent: QWidget | None = None, *, kdf_params: KdfParams | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set up BTAM Desktop")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setTitleFormat(Qt.TextFormat.PlainText)
        self.setSubTitleFormat(Qt.TextFormat.PlainText)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoDefaultButton, False)
        self.setPixmap(
            QWizard.WizardPixmap.LogoPixmap,
            icon("shield").pixmap(QSize(48, 48), self.devicePixelRatioF()),
        )
        self._kdf_params = kdf_params
        self.app: Btam | None = None
        self.vault_folder: Path | None = None
        self.server_url = ""  # the team server the team was set up on ("" for a vault)
        self.server_where = ""
        self.recovery_key = ""
        self.clipboard_guard: ClipboardGuard | None = None
        self._creating = False
        self._finished = False

        self.team_page = TeamPage(self)
        self.folder_page = FolderPage(self)
        self.overlay = BusyOverlay(self)
        self.coordinator_page = CoordinatorPage(self)
        self.recovery_page = RecoveryPage(self)
        self.setPage(self.PAGE_TEAM, self.team_page)
        self.setPage(self.PAGE_FOLDER, self.folder_page)
        self.setPage(self.PAGE_COORDINATOR, self.coordinator_page)
        self.setPage(self.PAGE_RECOVERY, self.recovery_page)
        self.setStartId(self.PAGE_TEAM)
        self.resize(720, 600)

    def team_name(self) -> str:
        return self.team_page.team_name.text().strip()

    def is_creating(self) -> bool:
        return self._creating

    def location_text(self) -> str:
        """Where the team's records are, for the recovery sheet (never a password)."""
        if self.server_url:
            return f"Team server: {self.server_where}"
        return str(self.vault_folder)

    def sign_in_instead(self, url: str) -> None:
        """The server already holds a team: close and show its sign-in screen."""
        if self._creating or self.app is not None:
            return
        self.sign_in_requested.emit(url)
        QDialog.done(self, QDialog.DialogCode.Accepted)

    # -- creating the vault ------------------------------------------------------------

    def create_vault(self) -> None:
        if self._creating or self.app is not None:
            return
        page = self.coordinator_page
        folder = self.folder_page.chosen_folder()
        team = NewTeam(
            team_name=self.team_name(),
            setting=CaseSetting(self.team_page.setting.currentData()),
            scale_id=str(self.team_page.scale.currentData()),
            username=page.username.text().strip(),
            display_name=page.full_name.text().strip(),
            password=page.password.text(),
            idle_lock_minutes=page.idle_minutes.value(),
        )
        params = self._kdf_params
        self._creating = True
        if self.folder_page.uses_server():
            url = self.folder_page.chosen_server()
            self.overlay.show_busy(
                "Setting up the team on the server…\nThe encryption is tuned to this "
                "computer; this takes a few seconds."
            )

            def on_server() -> tuple[Btam, str]:
                from btam_desktop.services.team_server import create_team_server

                return create_team_server(url, team, kdf_params=params)

            self.server_url = url
            run_in_background(on_server, on_done=self._created, on_error=self._failed, parent=self)
            return
        self.server_url = ""
        self.overlay.show_busy(
            "Creating the encrypted vault…\nThe encryption is tuned to this computer; this "
            "takes a few seconds."
        )
        run_in_background(
            lambda: create_team_vault(folder, team, kdf_params=params),
            on_done=self._created,
            on_error=self._failed,
            parent=self,
        )

    def _created(self, result: tuple[Btam, str]) -> None:
        self._creating = False
        self.overlay.hide_busy()
        self.app, self.recovery_key = result
        self.vault_folder = self.app.vault.folder
        self.server_where = str(getattr(self.app.vault, "where", "") or "")
        page = self.coordinator_page
        page.password.clear()
        page.confirm.clear()
        self.recovery_page.set_key(self.recovery_key)
        self.clipboard_guard = ClipboardGuard(self.recovery_key)
        self.next()

    def _failed(self, error: BaseException) -> None:
        self._creating = False
        self.overlay.hide_busy()
        self.server_url = ""
        self.coordinator_page.show_error(user_message(error))

    # -- finishing ---------------------------------------------------------------------

    def accept(self) -> None:
        if self.app is None or not self.recovery_page.isComplete():
            return
        self._finish()
        super().accept()
        app, folder, url = self.app, self.vault_folder, self.server_url
        self.app = None
        self.server_url = ""
        if url:
            self.server_team_created.emit(app, url)
        else:
            self.vault_created.emit(app, folder)

    def reject(self) -> None:
        if self._creating:
            return
        if self.app is not None:
            # The vault exists: the key must be acknowledged before the assistant goes away.
            _show_problem(
                self.recovery_page.banner,
                "Tick the box to confirm the recovery key is written down or printed, "
                "then press Finish.",
                self.recovery_page.acknowledge,
            )
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._creating or self.app is not None:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        self.recovery_key = ""
        self.recovery_page.key_label.clear()
        if self.clipboard_guard is not None:
            self.clipboard_guard.release()
            self.clipboard_guard = None
