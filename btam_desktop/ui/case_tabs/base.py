"""What every tab of the case workspace has in common."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from btam_desktop.services.app import Btam
from btam_desktop.ui.case_tabs.common import allow, can_work, read_only_reason
from btam_desktop.ui.case_tabs.data import CaseData
from btam_desktop.ui.icons import icon
from btam_desktop.ui.widgets.form_dialog import FormDialog


class CaseTab(QWidget):
    """One tab: shows part of ``CaseData``; ``changed`` after it wrote something."""

    changed = Signal()
    name = ""
    title = ""
    icon_name = ""

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.case_id = case_id
        self.can_work = can_work(app)
        self.read_only_reason = read_only_reason(app)
        self.data: CaseData | None = None
        self.last_dialog: FormDialog | None = None
        self._write_buttons: list[tuple[QPushButton, str]] = []

    def populate(self, data: CaseData) -> None:
        self.data = data

    def has_unsaved_changes(self) -> bool:
        """Typing that is not saved yet (the workspace asks before closing)."""
        return False

    def save_drafts(self) -> None:
        """Keep unsaved typing as an encrypted draft (before a lock or closing)."""

    def close_dialogs(self) -> None:
        """Close a record dialog left open (after ``save_drafts``, when the vault locks)."""
        dialog = self.last_dialog
        if dialog is not None and dialog.isVisible():
            dialog.done(0)

    # -- helpers -------------------------------------------------------------------------------

    def name_of(self, account_id: int | None) -> str:
        """A team member's name as the tables show it ("" before the case has loaded)."""
        return self.data.name_of(account_id) if self.data is not None else ""

    def button(
        self,
        text: str,
        icon_name: str,
        slot: Callable[[], object],
        *,
        tooltip: str = "",
        writes: bool = True,
    ) -> QPushButton:
        """A push button; one that writes is disabled (saying why) for a read-only role."""
        widget = QPushButton(icon(icon_name), text, self)
        widget.setAccessibleName(text.replace("&", "").replace("…", "").strip())
        widget.clicked.connect(slot)
        if writes:
            self._write_buttons.append((widget, tooltip))
            allow(widget, self.can_work, self.read_only_reason, tooltip)
        elif tooltip:
            widget.setToolTip(tooltip)
        return widget

    def button_row(self, *buttons: QWidget, stretch_first: bool = False) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        if stretch_first:
            row.addStretch(1)
        for widget in buttons:
            row.addWidget(widget)
        if not stretch_first:
            row.addStretch(1)
        return row

    def open_dialog(self, dialog: FormDialog) -> FormDialog:
        """Show a record dialog (window-modal); a successful save refreshes the case."""
        if self.last_dialog is not None and not self.last_dialog.isVisible():
            self.last_dialog.deleteLater()
        self.last_dialog = dialog
        dialog.saved.connect(self._dialog_saved)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        return dialog

    def _dialog_saved(self, _value: object) -> None:
        self.changed.emit()

    def selection_dependent(self, widget: QPushButton, has_selection: bool, why: str) -> None:
        """Enable a button that needs a selected row (and the right to write)."""
        if not self.can_work:
            allow(widget, False, self.read_only_reason)
        else:
            allow(widget, has_selection, why)
