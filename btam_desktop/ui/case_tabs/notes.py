"""Notes: contact attempts, interviews, consultations and decisions, newest first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from btam_desktop.domain.enums import NoteCategory
from btam_desktop.domain.models import CaseNote
from btam_desktop.services.app import Btam
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import fmt_datetime, heading_label
from btam_desktop.ui.case_tabs.data import CaseData
from btam_desktop.ui.record_dialogs import NOTE_DRAFT, NoteDialog
from btam_desktop.ui.widgets.record_table import Column, RecordTable


def first_line(note: CaseNote) -> str:
    body = note.body.strip()
    return body.splitlines()[0] if body else ""


def category_label(value: str) -> str:
    try:
        return NoteCategory(value).label
    except ValueError:
        return value


class NotesTab(CaseTab):
    name = "notes"
    title = "Notes"
    icon_name = "note"

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(app, case_id, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        self.add_button = self.button("&Add note…", "add", self.add_note)
        layout.addLayout(self.button_row(self.add_button))
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        self.table: RecordTable[CaseNote] = RecordTable(
            [
                Column("Date", lambda n: n.created_at, width=140),
                Column("Category", lambda n: category_label(n.category), width=120),
                Column("Author", lambda n: self.name_of(n.author_id), width=150),
                Column("Note", first_line, tooltip=lambda n: n.body[:1500]),
            ],
            "Notes",
            "No notes yet. Record contact attempts, interviews, consultations and decisions.",
        )
        splitter.addWidget(self.table)
        reader = QWidget()
        reader_column = QVBoxLayout(reader)
        reader_column.setContentsMargins(8, 0, 0, 0)
        self.reader_heading = heading_label("")
        self.reader_heading.setWordWrap(True)
        self.reader = QPlainTextEdit()
        self.reader.setReadOnly(True)
        self.reader.setAccessibleName("Selected note")
        self.reader.setTabChangesFocus(True)
        reader_column.addWidget(self.reader_heading)
        reader_column.addWidget(self.reader, 1)
        splitter.addWidget(reader)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        self._show_selected()

    def populate(self, data: CaseData) -> None:
        super().populate(data)
        self.table.set_rows(data.notes)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        if self.table.selected_id() is None and self.table.row_count():
            self.table.selectRow(0)
        self._show_selected()

    def _show_selected(self, *_args: object) -> None:
        note = self.table.selected_row()
        if note is None or self.data is None:
            self.reader_heading.setText("")
            self.reader.setPlainText("")
            self.reader.setPlaceholderText("Select a note to read it in full.")
            return
        self.reader_heading.setText(
            f"{category_label(note.category)}, {fmt_datetime(note.created_at)}, "
            f"{self.data.name_of(note.author_id)}"
        )
        self.reader.setPlainText(note.body)

    def add_note(self) -> NoteDialog:
        dialog = NoteDialog(self.app, self.case_id, self)
        if self.can_work:
            draft = self.app.drafts.load(NOTE_DRAFT, str(self.case_id))
            if draft:
                dialog.apply_draft(draft)
        self.open_dialog(dialog)
        return dialog

    def save_drafts(self) -> None:
        """Keep a note being written in the open dialog (before a lock)."""
        dialog = self.last_dialog
        if isinstance(dialog, NoteDialog) and dialog.isVisible() and self.can_work:
            payload = dialog.draft_payload()
            if payload:
                self.app.drafts.save(NOTE_DRAFT, payload, str(self.case_id))

    def has_unsaved_changes(self) -> bool:
        dialog = self.last_dialog
        return (
            isinstance(dialog, NoteDialog) and dialog.isVisible() and bool(dialog.draft_payload())
        )
