"""Team settings (kept encrypted in the vault) and a few facts about this computer."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.enums import CaseSetting
from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.formatting import (
    DATE_STYLES,
    format_clock,
    format_date,
    system_date_style,
)
from btam_desktop.domain.text import plural
from btam_desktop.reports.base import CONFIDENTIAL_LINE
from btam_desktop.services.app import Btam
from btam_desktop.services.permissions import Permission
from btam_desktop.services.retention import CLOSURE_LABELS, parse_rules, rules_to_text
from btam_desktop.services.scales import registry
from btam_desktop.services.settings import CONFIDENTIALITY_LINE_MAX, TeamSettings
from btam_desktop.services.vault_paths import keyring_status
from btam_desktop.ui.icons import icon
from btam_desktop.ui.messages import error_message, not_loaded
from btam_desktop.ui.operations import run_operation, show_error
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.vault_events import RefreshOnChange, VaultChange
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.plural import plural_suffix

READ_ONLY_TIP = "Only the team's coordinator can change team settings."
IDLE_WARN_ABOVE = 30
PAPER_SIZES = (("letter", "Letter (8.5 × 11 in)"), ("a4", "A4 (210 × 297 mm)"))


@dataclass(frozen=True)
class _Loaded:
    settings: TeamSettings
    scales: list[tuple[str, str]]  # id, title
    keyring: tuple[bool, str]


def _load(app: Btam) -> _Loaded:
    settings = app.settings()
    scales = [(scale.id, scale.title) for scale in registry(app.ctx).scales()]
    return _Loaded(settings, scales, keyring_status())


def follows_settings(change: VaultChange) -> bool:
    """The changes the settings page shows: the settings, the forms (the scales offered), and a
    team-wide change on a team server (settings saved on another computer)."""
    return change.kind in ("settings", "forms") or (
        change.kind == "server" and change.case_id is None
    )


def idle_warning(minutes: int) -> str:
    """A warning about the idle-lock setting, or "" when it is sensible."""
    if minutes == 0:
        return (
            "The vault never locks by itself: anyone who walks up to an unattended computer "
            "can read every case. Choose a number of minutes unless this computer is "
            "otherwise protected."
        )
    if minutes > IDLE_WARN_ABOVE:
        return (
            f"An unattended computer stays open for {plural(minutes, 'minute')}. Most teams choose "
            f"{IDLE_WARN_ABOVE} minutes or less."
        )
    return ""


class _ReadOnlyCombo(QObject):
    """Event filter that keeps a combo box from being changed (mouse, wheel or keyboard)."""

    BLOCKED = frozenset(
        {
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonDblClick,
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.Wheel,
        }
    )
    ALLOWED_KEYS = frozenset({Qt.Key.Key_Tab, Qt.Key.Key_Backtab})

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self.BLOCKED:
            return True
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return event.key() not in self.ALLOWED_KEYS
        return False


class SettingsPage(QWidget):
    """Edit the team settings (coordinator) or read them (everyone else)."""

    settings_changed = Signal()
    loaded = Signal()

    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.can_edit = app.can(Permission.CHANGE_SETTINGS)
        self._settings: TeamSettings | None = None
        self._dirty = False
        self._filling = False
        self._loading = False
        self._reload_pending = False
        self._saving = False

        heading = QLabel("Settings", self)
        set_style_role(heading, "heading")
        intro = QLabel(
            "These settings belong to the team and are kept, encrypted, inside the vault.", self
        )
        intro.setWordWrap(True)
        set_style_role(intro, "muted")
        self.read_only_banner = Banner(
            BannerKind.INFO,
            "You can read these settings but not change them: only the coordinator can.",
            self,
        )
        self.read_only_banner.setVisible(not self.can_edit)
        self.error_banner = Banner(BannerKind.WARNING, "", self)
        self.error_banner.setAccessibleName("Problem")
        self.error_banner.hide()

        # Team
        self.team_name = QLineEdit()
        self.team_name.setAccessibleName("Team name")
        self.team_name.setPlaceholderText("appears on every printout")
        self.default_setting = QComboBox()
        self.default_setting.setAccessibleName("Default setting")
        for setting in CaseSetting:
            self.default_setting.addItem(setting.label, setting.value)
        self.default_scale = QComboBox()
        self.default_scale.setAccessibleName("Default level-of-concern scale")
        self.default_scale.setMinimumContentsLength(20)
        self.default_scale.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        team_box = QGroupBox("Team")
        team_form = self._form(team_box)
        team_form.addRow("Team &name:", self.team_name)
        team_form.addRow("Default se&tting:", self.default_setting)
        team_form.addRow("Level-of-concern s&cale:", self.default_scale)
        scale_note = QLabel("New cases use this scale; cases already open keep theirs.")
        scale_note.setWordWrap(True)
        set_style_role(scale_note, "muted")
        team_form.addRow("", scale_note)

        # Security
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setAccessibleName("Lock after minutes of inactivity")
        self.idle_minutes.setRange(0, 240)
        self.idle_minutes.setSpecialValueText("Never")
        plural_suffix(self.idle_minutes, "minute")
        self.idle_warning = Banner(BannerKind.WARNING, "", self)
        self.idle_warning.setAccessibleName("Idle lock warning")
        self.idle_warning.hide()
        security_box = QGroupBox("Security")
        security_form = self._form(security_box)
        security_form.addRow("&Lock when idle for:", self.idle_minutes)
        idle_note = QLabel("0 means never. The vault also locks when anyone chooses Lock.")
        idle_note.setWordWrap(True)
        set_style_role(idle_note, "muted")
        security_form.addRow("", idle_note)
        security_form.addRow(self.idle_warning)

        # Printing and records
        self.paper_size = QComboBox()
        self.paper_size.setAccessibleName("Paper size")
        for value, label in PAPER_SIZES:
            self.paper_size.addItem(label, value)
        self.retention_years = QSpinBox()
        self.retention_years.setAccessibleName("Default retention in years")
        self.retention_years.setRange(0, 100)
        plural_suffix(self.retention_years, "year")
        self.retention_years.setSpecialValueText("No default")
        self.closing_by = QComboBox()
        self.closing_by.setAccessibleName("Who may close, screen out and reopen cases")
        self.closing_by.addItem("Coordinators only", "coordinator")
        self.closing_by.addItem("Coordinators and members", "members")
        self.date_format = QComboBox()
        self.date_format.setAccessibleName("Date format")
        sample = date(2026, 12, 5)
        for style, label in DATE_STYLES.items():
            if not style:
                label = f"{label} ({format_date(sample, system_date_style())})"
            self.date_format.addItem(label, style)
        self.date_format.setToolTip("How dates are written in the window and on paper.")
        records_box = QGroupBox("Printing and records")
        records_form = self._form(records_box)
        records_form.addRow("&Paper size:", self.paper_size)
        records_form.addRow("&Date format:", self.date_format)
        # The single default period gave way to the retention rules below (issue 9); the
        # spin box stays, unshown, so the saved value is kept as it was.
        self.retention_years.setParent(self)
        self.retention_years.hide()

        # Retention rules (issue 9): years after closure per setting and kind of closure
        self.rule_spins: dict[tuple[str, str], QSpinBox] = {}
        rules_box = QGroupBox("Retention rules")
        rules_layout = QGridLayout(rules_box)
        rules_layout.setContentsMargins(12, 10, 12, 12)
        rules_note = QLabel(
            "Years a closed case is kept after closure, as your state, district or employer "
            "requires. The program has no built-in period: with “No rule” a case is never "
            "due. Cases due appear under Due for destruction; a legal hold always wins."
        )
        rules_note.setWordWrap(True)
        set_style_role(rules_note, "muted")
        rules_layout.addWidget(rules_note, 0, 0, 1, 3)
        for column, closure in enumerate(CLOSURE_LABELS, start=1):
            header = QLabel(CLOSURE_LABELS[closure].capitalize())
            header.setWordWrap(True)
            rules_layout.addWidget(header, 1, column)
        for row, setting in enumerate(CaseSetting, start=2):
            rules_layout.addWidget(QLabel(setting.label + ":"), row, 0)
            for column, closure in enumerate(CLOSURE_LABELS, start=1):
                spin = QSpinBox()
                spin.setRange(-1, 100)
                spin.setSpecialValueText("No rule")
                spin.setSuffix(" years")
                spin.setValue(-1)
                spin.setAccessibleName(f"{setting.label}, {CLOSURE_LABELS[closure]}: years")
                self.rule_spins[(setting.value, closure)] = spin
                rules_layout.addWidget(spin, row, column)

        # Backups (issue 9)
        self.backup_folder = QLineEdit()
        self.backup_folder.setAccessibleName("Backup folder")
        self.backup_folder.setPlaceholderText("not set: choose a USB drive or network folder")
        # Parented at once: setVisible on a parentless widget would open it as its own window.
        self.backup_folder_button = QPushButton("C&hoose…", self)
        self.backup_folder_button.clicked.connect(self._choose_backup_folder)
        self.backup_folder_button.setVisible(self.can_edit)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.backup_folder, 1)
        folder_row.addWidget(self.backup_folder_button)
        self.backup_keep = QSpinBox()
        self.backup_keep.setRange(1, 365)
        self.backup_keep.setSuffix(" backups")
        self.backup_keep.setAccessibleName("Keep the latest backups")
        self.backup_warn_days = QSpinBox()
        self.backup_warn_days.setRange(1, 365)
        self.backup_warn_days.setSuffix(" days")
        self.backup_warn_days.setAccessibleName("Warn when the last backup is older than")
        self.auto_backup = QComboBox()
        self.auto_backup.setAccessibleName("Automatic backups")
        self.auto_backup.addItem("Daily while open, and when closing", 1)
        self.auto_backup.addItem("Only when someone chooses Back up now", 0)
        backup_box = QGroupBox("Backups")
        backup_form = self._form(backup_box)
        backup_form.addRow("Backup folder:", folder_row)
        backup_form.addRow("&Keep the latest:", self.backup_keep)
        backup_form.addRow("&Warn after:", self.backup_warn_days)
        backup_form.addRow("A&utomatic:", self.auto_backup)
        backup_note = QLabel(
            "Besides the latest backups, one backup a month is kept for a year. Backups are "
            "encrypted like the vault and open with the same passwords."
        )
        backup_note.setWordWrap(True)
        set_style_role(backup_note, "muted")
        backup_form.addRow("", backup_note)
        records_form.addRow("Case &closing:", self.closing_by)
        closing_note = QLabel(
            "Who may close a case, screen one out or reopen it. Viewers never can. Changing a "
            "case's retention date and approving plans stay with coordinators."
        )
        closing_note.setWordWrap(True)
        set_style_role(closing_note, "muted")
        records_form.addRow("", closing_note)
        self.confidentiality_line = QLineEdit()
        self.confidentiality_line.setAccessibleName("Confidentiality line on printouts")
        self.confidentiality_line.setMaxLength(CONFIDENTIALITY_LINE_MAX)
        self.confidentiality_line.setPlaceholderText(CONFIDENTIAL_LINE)
        records_form.addRow("Confidentiality &line:", self.confidentiality_line)
        confidentiality_note = QLabel(
            "Printed at the foot of every page of case documents. Word it as your policy "
            "asks, for example naming FERPA or your state's law. Leave it empty for the "
            "standard wording shown."
        )
        confidentiality_note.setWordWrap(True)
        set_style_role(confidentiality_note, "muted")
        records_form.addRow("", confidentiality_note)

        # Contact details for the handout
        self.contact_name = QLineEdit()
        self.contact_name.setAccessibleName("Contact name")
        self.contact_phone = QLineEdit()
        self.contact_phone.setAccessibleName("Contact phone")
        self.contact_email = QLineEdit()
        self.contact_email.setAccessibleName("Contact email")
        self.contact_address = QPlainTextEdit()
        self.contact_address.setAccessibleName("Contact address")
        self.contact_address.setTabChangesFocus(True)
        self._set_lines(self.contact_address, 3)
        self.report_instructions = QPlainTextEdit()
        self.report_instructions.setAccessibleName("How to report a concern")
        self.report_instructions.setTabChangesFocus(True)
        self.report_instructions.setPlaceholderText(
            "for example: Tell any adult you trust, or use the anonymous tip line."
        )
        self._set_lines(self.report_instructions, 4)
        contact_box = QGroupBox("Contact details for the printed handout")
        contact_form = self._form(contact_box)
        contact_note = QLabel(
            "Printed on the handout that tells students, staff and parents how to report a concern."
        )
        contact_note.setWordWrap(True)
        set_style_role(contact_note, "muted")
        contact_form.addRow(contact_note)
        contact_form.addRow("Contact nam&e:", self.contact_name)
        contact_form.addRow("P&hone:", self.contact_phone)
        contact_form.addRow("E&mail:", self.contact_email)
        contact_form.addRow("Add&ress:", self.contact_address)
        contact_form.addRow("How to rep&ort:", self.report_instructions)

        # About this computer
        self.vault_path = QLineEdit(str(app.vault.folder))
        self.vault_path.setReadOnly(True)
        self.vault_path.setCursorPosition(0)
        self.vault_path.setToolTip(str(app.vault.folder))
        self.vault_path.setAccessibleName("Vault folder")
        self.keyring_label = QLabel("Checking…")
        self.keyring_label.setTextFormat(Qt.TextFormat.PlainText)
        self.keyring_label.setWordWrap(True)
        self.keyring_label.setAccessibleName("System keyring")
        about_box = QGroupBox("About this computer")
        about_form = self._form(about_box)
        about_form.addRow("Vault folder:", self.vault_path)
        about_form.addRow("System keyring:", self.keyring_label)

        # Buttons
        self.save_button = QPushButton(icon("save"), "&Save settings", self)
        self.save_button.setToolTip("Save the team settings (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("&Discard changes", self)
        self.revert_button.setToolTip("Show the saved settings again")
        self.revert_button.clicked.connect(self.discard_changes)
        self.status_label = QLabel("", self)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        set_style_role(self.status_label, "muted")
        save_action = QAction("Save settings", self)
        save_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_action.triggered.connect(self.save)
        self.addAction(save_action)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        self.save_button.setVisible(self.can_edit)
        self.revert_button.setVisible(self.can_edit)

        columns = QGridLayout()
        columns.setHorizontalSpacing(16)
        columns.setVerticalSpacing(12)
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(team_box)
        left.addWidget(security_box)
        left.addWidget(records_box)
        left.addWidget(rules_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(backup_box)
        right.addWidget(contact_box)
        right.addWidget(about_box)
        right.addStretch(1)
        columns.addLayout(left, 0, 0)
        columns.addLayout(right, 0, 1)
        columns.setColumnStretch(0, 1)
        columns.setColumnStretch(1, 1)

        content = QWidget()
        content.setMaximumWidth(1200)
        body = QVBoxLayout(content)
        body.setContentsMargins(20, 16, 20, 20)
        body.setSpacing(10)
        body.addWidget(heading)
        body.addWidget(intro)
        body.addWidget(self.read_only_banner)
        body.addLayout(columns)
        body.addWidget(self.error_banner)
        body.addLayout(buttons)
        body.addStretch(1)
        scroll = QScrollArea(self)
        self._scroll = scroll
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self._combo_lock = _ReadOnlyCombo(self)
        self.inputs: list[QWidget] = [
            self.team_name,
            self.default_setting,
            self.default_scale,
            self.idle_minutes,
            self.paper_size,
            self.date_format,
            self.retention_years,
            self.closing_by,
            self.confidentiality_line,
            self.contact_name,
            self.contact_phone,
            self.contact_email,
            self.contact_address,
            self.report_instructions,
            self.backup_folder,
            self.backup_keep,
            self.backup_warn_days,
            self.auto_backup,
            *self.rule_spins.values(),
        ]
        for widget in self.inputs:
            self._watch(widget)
            if not self.can_edit:
                self._make_read_only(widget)
        for spin in (self.idle_minutes, self.retention_years):
            spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance("240 minutes") + 48)
        self._align_labels([team_form, security_form, records_form])
        self._align_labels([backup_form, contact_form, about_form])
        self.idle_minutes.valueChanged.connect(self._update_idle_warning)
        self._set_enabled_buttons()
        self.refresh()
        # Settings saved elsewhere (the backup folder chosen at Back up now, another computer
        # of a team server), or form files read again (the scales offered), read again here.
        self.follow_changes = RefreshOnChange(self, self.refresh, wants=follows_settings)

    # ---- layout helpers --------------------------------------------------------------------

    @staticmethod
    def _form(box: QGroupBox) -> QFormLayout:
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setContentsMargins(12, 10, 12, 12)
        form.setVerticalSpacing(8)
        return form

    @staticmethod
    def _align_labels(forms: list[QFormLayout]) -> None:
        """Give the forms stacked in one column a common label width, so fields line up."""
        labels: list[QWidget] = []
        for form in forms:
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    labels.append(widget)
        width = max((label.sizeHint().width() for label in labels), default=0)
        for label in labels:
            label.setMinimumWidth(width)

    @staticmethod
    def _set_lines(edit: QPlainTextEdit, lines: int) -> None:
        height = edit.fontMetrics().lineSpacing() * lines + 14
        edit.setFixedHeight(height)

    def _watch(self, widget: QWidget) -> None:
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(self._mark_dirty)
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(self._mark_dirty)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(self._mark_dirty)
        elif isinstance(widget, QSpinBox):
            widget.valueChanged.connect(self._mark_dirty)

    def _make_read_only(self, widget: QWidget) -> None:
        widget.setToolTip(READ_ONLY_TIP)
        if isinstance(widget, QLineEdit | QPlainTextEdit):
            widget.setReadOnly(True)
        elif isinstance(widget, QSpinBox):
            widget.setReadOnly(True)
            widget.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        elif isinstance(widget, QComboBox):
            # A disabled combo box greys its text out; this one stays readable (and reachable
            # by a screen reader) but ignores every attempt to change it.
            widget.installEventFilter(self._combo_lock)
            widget.setProperty("readOnly", True)
        else:
            widget.setEnabled(False)

    def is_read_only(self) -> bool:
        return not self.can_edit

    # ---- loading ---------------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    def refresh(self) -> None:
        """Load the saved settings, unless the person has unsaved edits (they are kept)."""
        if self._loading:
            self._reload_pending = True
            return
        if self._dirty or self._saving:
            return
        self._reload()

    def discard_changes(self) -> None:
        self._dirty = False
        self.error_banner.hide()
        self._reload()

    def _reload(self) -> None:
        self._loading = True
        app = self.app
        run_in_background(
            lambda: _load(app), on_done=self._loaded, on_error=self._load_failed, parent=self
        )

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self._reload_pending = False
        self.error_banner.set_text(
            error_message(
                error,
                not_loaded("the settings", "Try again, or lock and unlock the vault."),
                during="settings",
            )
        )
        self.error_banner.show()

    def _loaded(self, loaded: _Loaded) -> None:
        self._loading = False
        self._settings = loaded.settings
        if not self._dirty:
            self._fill(loaded.settings, loaded.scales)
        available, reason = loaded.keyring
        self.keyring_label.setText(
            "Available. Members may choose “Remember me on this computer” when they sign in."
            if available
            else reason
        )
        self.loaded.emit()
        if self._reload_pending:  # a change arrived while this was read: read again
            self._reload_pending = False
            self.refresh()

    def _fill(self, settings: TeamSettings, scales: list[tuple[str, str]]) -> None:
        self._filling = True
        try:
            self.team_name.setText(settings.team_name)
            self._select(self.default_setting, settings.default_setting)
            self.default_scale.clear()
            for scale_id, title in scales:
                self.default_scale.addItem(title, scale_id)
            if self.default_scale.findData(settings.default_scale) < 0:
                self.default_scale.addItem(
                    f"{settings.default_scale} (not installed)", settings.default_scale
                )
            self._select(self.default_scale, settings.default_scale)
            self.idle_minutes.setValue(settings.idle_lock_minutes)
            self._select(self.paper_size, settings.paper_size)
            self._select(self.date_format, settings.date_format)
            self.retention_years.setValue(settings.default_retention_years)
            self._select(self.closing_by, settings.closing_by)
            self.confidentiality_line.setText(settings.confidentiality_line)
            self.contact_name.setText(settings.contact_name)
            self.contact_phone.setText(settings.contact_phone)
            self.contact_email.setText(settings.contact_email)
            self.contact_address.setPlainText(settings.contact_address)
            self.report_instructions.setPlainText(settings.report_instructions)
            self.backup_folder.setText(settings.backup_folder)
            self.backup_keep.setValue(settings.backup_keep)
            self.backup_warn_days.setValue(settings.backup_warn_days)
            self._select(self.auto_backup, settings.auto_backup)
            try:
                rules = parse_rules(settings.retention_rules)
            except VaultError:
                rules = {}
            for key, spin in self.rule_spins.items():
                spin.setValue(rules.get(key, -1))
        finally:
            self._filling = False
        self._dirty = False
        self._update_idle_warning()
        self._set_enabled_buttons()

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    # ---- editing ---------------------------------------------------------------------------

    def _mark_dirty(self, *_args: object) -> None:
        if self._filling or not self.can_edit:
            return
        self._dirty = True
        self.status_label.setText("Unsaved changes")
        self._set_enabled_buttons()

    def _set_enabled_buttons(self) -> None:
        ready = self.can_edit and self._dirty and not self._saving
        self.save_button.setEnabled(ready)
        self.revert_button.setEnabled(ready)

    def _update_idle_warning(self) -> None:
        text = idle_warning(self.idle_minutes.value())
        self.idle_warning.set_text(text)
        self.idle_warning.setVisible(bool(text))

    def edited_settings(self) -> TeamSettings:
        """The settings as the fields show them now."""
        base = self._settings or TeamSettings()
        return replace(
            base,
            team_name=self.team_name.text().strip(),
            default_setting=str(self.default_setting.currentData() or base.default_setting),
            default_scale=str(self.default_scale.currentData() or base.default_scale),
            idle_lock_minutes=self.idle_minutes.value(),
            paper_size=str(self.paper_size.currentData() or base.paper_size),
            date_format=str(self.date_format.currentData() or ""),
            default_retention_years=self.retention_years.value(),
            closing_by=str(self.closing_by.currentData() or base.closing_by),
            confidentiality_line=" ".join(self.confidentiality_line.text().split()),
            contact_name=self.contact_name.text().strip(),
            contact_phone=self.contact_phone.text().strip(),
            contact_email=self.contact_email.text().strip(),
            contact_address=self.contact_address.toPlainText().strip(),
            report_instructions=self.report_instructions.toPlainText().strip(),
            backup_folder=self.backup_folder.text().strip(),
            backup_keep=self.backup_keep.value(),
            backup_warn_days=self.backup_warn_days.value(),
            auto_backup=int(self.auto_backup.currentData()),
            retention_rules=rules_to_text(
                {key: spin.value() for key, spin in self.rule_spins.items() if spin.value() >= 0}
            ),
        )

    def _choose_backup_folder(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, "Backup folder", self.backup_folder.text())
        if folder:
            self.backup_folder.setText(folder)
            self._mark_dirty()

    def _show_error(self, error: BaseException) -> None:
        show_error(self, error, what="save the settings", banner=self.error_banner)
        self._scroll.ensureWidgetVisible(self.error_banner)

    def error_message(self) -> str:
        return self.error_banner.text() if self.error_banner.isVisibleTo(self) else ""

    def is_saving(self) -> bool:
        return self._saving

    def save(self) -> bool:
        """Check, then save off the GUI thread (``run_operation``: the shared error wording, and
        a ``VaultChange("settings")`` for the other screens). Problems are shown above the form
        and nothing typed is lost. True when the save was started; ``settings_changed`` follows
        when it is done."""
        if not self.can_edit or self._saving:
            return False
        settings = self.edited_settings()
        try:
            settings.validate()
        except VaultError as error:
            self._save_failed(settings, error)
            return False
        self._saving = True
        self._set_enabled_buttons()
        self.status_label.setText("Saving…")
        app = self.app
        run_operation(
            self,
            lambda: app.save_settings(settings),
            what="save the settings",
            on_done=lambda _result: self._saved(settings),
            on_error=lambda error: self._save_failed(settings, error),
            changes=VaultChange("settings", origin=self),
        )
        return True

    def _saved(self, settings: TeamSettings) -> None:
        self._saving = False
        self._settings = settings
        # Edits typed while the save ran stay unsaved.
        self._dirty = self.edited_settings() != settings
        self.error_banner.hide()
        self._set_enabled_buttons()
        self.status_label.setText(
            "Unsaved changes" if self._dirty else f"Saved at {format_clock(datetime.now().time())}"
        )
        self.settings_changed.emit()

    def _save_failed(self, settings: TeamSettings, error: BaseException) -> None:
        self._saving = False
        self._show_error(error)
        if not settings.team_name:
            self.team_name.setFocus(Qt.FocusReason.OtherFocusReason)
        self.status_label.setText("Not saved")
        self._set_enabled_buttons()
