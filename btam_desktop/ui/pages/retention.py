"""Due for destruction (coordinator): the closed cases whose retention period has ended, with the
rule and date, legal holds that block them, and destruction after a typed confirmation."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.enums import CaseSetting, CaseStatus
from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.formatting import format_date
from btam_desktop.services.app import Btam
from btam_desktop.services.retention import RetentionItem
from btam_desktop.ui.backup_ui import BackupProgress, error_text
from btam_desktop.ui.icons import icon
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.tasks import BackgroundTask, TaskCancelled, run_in_background
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.vault_events import RefreshOnChange, VaultChange
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.record_table import Column, RecordTable

logger = logging.getLogger(__name__)


class RetentionPage(QWidget):
    open_case_requested = Signal(int)
    loaded = Signal()

    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.items: list[RetentionItem] = []
        heading = QLabel("Due for destruction", self)
        set_style_role(heading, "heading")
        intro = QLabel(
            "Closed cases whose retention period under the team's rules (Settings) has ended. "
            "A case under a legal hold is never destroyed. Destroying a case removes all of it "
            "from the vault for good; older backups still hold it until rotation removes them.",
            self,
        )
        intro.setWordWrap(True)
        set_style_role(intro, "muted")
        self.info_banner = Banner(BannerKind.INFO, "", self)
        self.info_banner.hide()
        # The rows are the retention items themselves; dates sort as dates.
        self.table: RecordTable[RetentionItem] = RecordTable(
            [
                Column("Case", lambda i: i.number, width=90),
                Column("Setting", lambda i: CaseSetting(i.setting).label, width=90),
                Column(
                    "Closed",
                    lambda i: f"{format_date(i.closed_on)} ({CaseStatus(i.status).label})",
                    sort=lambda i: i.closed_on,
                    width=210,
                ),
                Column("Rule", lambda i: i.rule, width=380),
                Column("Due", lambda i: i.due_on, width=110),
                Column(
                    "Legal hold",
                    lambda i: i.hold_text() or "None",
                    sort=lambda i: i.legal_hold,
                    roles={
                        Qt.ItemDataRole.DecorationRole: lambda i: (
                            icon("shield") if i.legal_hold else None
                        )
                    },
                ),
            ],
            "Cases due for destruction",
            "",
            row_id=lambda i: i.case_id,
            parent=self,
        )
        self.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)  # the longest due first
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.activated_row.connect(lambda _item: self._open_case())

        self.open_button = QPushButton(icon("case-open"), "&Open case", self)
        self.open_button.clicked.connect(self._open_case)
        self.destroy_button = QPushButton(icon("remove"), "&Destroy…", self)
        self.destroy_button.setToolTip("Destroy the selected case after typing its number")
        self.destroy_button.clicked.connect(lambda: self.ask_destroy())
        self.refresh_button = QPushButton(icon("refresh"), "&Refresh", self)
        self.refresh_button.clicked.connect(self.refresh)
        self.hold_label = QLabel("", self)
        self.hold_label.setWordWrap(True)
        self.hold_label.setTextFormat(Qt.TextFormat.PlainText)
        set_style_role(self.hold_label, "muted")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.destroy_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.info_banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hold_label)
        layout.addLayout(buttons)
        self.dialog: DestroyDialog | None = None
        self.refresh()
        # A case closed, reopened, put on hold or destroyed elsewhere, or a changed rule, changes
        # what is due: the list follows every change but the team's (issue 13).
        self.follow_changes = RefreshOnChange(
            self, self.refresh, wants=lambda change: change.kind != "team"
        )

    def refresh(self) -> None:
        app = self.app
        run_in_background(
            lambda: (app.retention.rules(), app.retention.due()),
            on_done=self._loaded,
            on_error=self._failed,
            parent=self,
        )

    def _failed(self, error: BaseException) -> None:
        self.info_banner.set_kind(BannerKind.WARNING)
        self.info_banner.set_text(error_text(error))
        self.info_banner.show()

    def _loaded(self, loaded: tuple[dict[tuple[str, str], int], list[RetentionItem]]) -> None:
        rules, items = loaded
        self.items = items
        self.table.set_rows(items)
        if not rules:
            self.info_banner.set_kind(BannerKind.INFO)
            self.info_banner.set_text(
                "No retention rules are set, so no case is ever due. Enter the team's rules "
                "(years after closure, per setting and kind of closure) in Settings."
            )
            self.info_banner.show()
        elif not items:
            self.info_banner.set_kind(BannerKind.INFO)
            self.info_banner.set_text("No closed case is due for destruction today.")
            self.info_banner.show()
        else:
            self.info_banner.hide()
        if items and self.table.selected_row() is None:
            self.table.selectRow(0)
        self._selection_changed()
        self.loaded.emit()

    def selected(self) -> RetentionItem | None:
        """The item on the selected row (the record itself)."""
        return self.table.selected_row()

    def _selection_changed(self) -> None:
        item = self.selected()
        self.open_button.setEnabled(item is not None)
        self.destroy_button.setEnabled(item is not None and not item.legal_hold)
        self.hold_label.setText(
            f"{item.hold_text()}. Lift the hold on the case's Overview before destroying it."
            if item is not None and item.legal_hold
            else ""
        )

    def _open_case(self) -> None:
        item = self.selected()
        if item is not None:
            self.open_case_requested.emit(item.case_id)

    def ask_destroy(self) -> DestroyDialog | None:
        item = self.selected()
        if item is None or item.legal_hold:
            return None
        try:
            notice = self.app.retention.backups_notice()
        except VaultError as error:
            notice = str(error)
        dialog = DestroyDialog(self.app, item, notice, self)
        dialog.accepted.connect(self.refresh)
        self.dialog = dialog
        dialog.open()
        return dialog


class DestroyDialog(QDialog):
    """Names the case and rule, says what older backups still hold, and destroys only after
    the case number was typed."""

    def __init__(
        self, app: Btam, item: RetentionItem, backups_notice: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.item = item
        self.task: BackgroundTask | None = None
        self.setWindowTitle(f"Destroy case {item.number}")
        self.setMinimumWidth(600)
        heading = QLabel(f"Destroy case {item.number} for good?", self)
        set_style_role(heading, "subheading")
        what = QLabel(
            f"Closed {format_date(item.closed_on)}; due {format_date(item.due_on)} under the rule "
            f"“{item.rule}”.\n\nEverything in the case is removed from the vault: people, "
            "reports, timeline, notes, attachments, assessments, plans, disclosures and drafts, "
            "and its search entries. The audit trail keeps only that the case was destroyed, "
            "under which rule and by whom. This cannot be undone.",
            self,
        )
        what.setWordWrap(True)
        what.setTextFormat(Qt.TextFormat.PlainText)
        self.backups_banner = Banner(BannerKind.WARNING, backups_notice, self)
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setAccessibleName("Type the case number to confirm")
        self.confirm_edit.setPlaceholderText(item.number)
        self.confirm_edit.textChanged.connect(self._typed)
        self.error_banner = Banner(BannerKind.WARNING, "", self)
        self.error_banner.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.destroy_button = self.buttons.addButton(
            "&Destroy case", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.destroy_button.setEnabled(False)
        self.destroy_button.clicked.connect(lambda: self.start())
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(what)
        layout.addWidget(self.backups_banner)
        layout.addWidget(QLabel(f"Type the case number, {item.number}, to confirm:", self))
        layout.addWidget(self.confirm_edit)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.buttons)
        self._fit()

    def _fit(self) -> None:
        """Grow to fit wrapped text (Qt does not do it by itself)."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.resize(max(self.width(), 600), self.sizeHint().height())

    def _typed(self, text: str) -> None:
        self.destroy_button.setEnabled(text.strip() == self.item.number)

    def start(self) -> BackgroundTask | None:
        if not self.destroy_button.isEnabled():
            return None
        app, case_id, typed = self.app, self.item.case_id, self.confirm_edit.text()
        progress = BackupProgress("Destroying the case", self)
        self.destroy_button.setEnabled(False)

        def work(progress: Callable[[int, int, str], None]) -> str:
            return app.retention.destroy(case_id, typed, progress)

        self.task = run_operation(
            self,
            work,
            what="destroy the case",
            on_done=lambda _rule: self._done(progress),
            on_error=lambda error: self._failed(error, progress),
            # The page that opened this dialog lists again when it closes (``accepted``).
            changes=VaultChange("destroyed", case_id, origin=self.parentWidget() or self),
            progress=progress.report,
        )
        progress.setCancelButton(None)  # a destruction in progress is finished, not cut short
        progress.show()
        return self.task

    def _done(self, progress: BackupProgress) -> None:
        progress.dismiss()
        self.accept()

    def _failed(self, error: BaseException, progress: BackupProgress) -> None:
        progress.dismiss()
        self._typed(self.confirm_edit.text())
        text = "Cancelled." if isinstance(error, TaskCancelled) else error_text(error)
        self.error_banner.set_text(text)
        self.error_banner.show()
        self._fit()
