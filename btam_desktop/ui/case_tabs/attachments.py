"""Attachments: files kept inside the encrypted vault, with a preview that never touches disk."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.errors import ValidationError
from btam_desktop.domain.models import Attachment
from btam_desktop.services.app import Btam
from btam_desktop.services.permissions import Permission
from btam_desktop.services.records import MAX_ATTACHMENT_BYTES
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import (
    allow,
    error_message,
    fmt_datetime,
    fmt_size,
    heading_label,
    muted_label,
    value_label,
)
from btam_desktop.ui.case_tabs.data import CaseData
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.widgets.form_dialog import new_form, show_problem
from btam_desktop.ui.widgets.record_table import RIGHT, Column, RecordTable

NO_SELECTION = "Select an attachment in the table first."
OPEN_FILTER = (
    "Files BTAM keeps (*.png *.jpg *.jpeg *.gif *.webp *.pdf *.docx *.xlsx *.txt *.eml *.csv "
    "*.md *.mp3 *.wav *.m4a *.ogg *.flac *.amr *.3gp);;All files (*)"
)
EXPORT_WARNING = (
    "The copy leaves the encrypted vault and will not be protected: anyone who can open the "
    "folder you choose can read it. Save it only where your school or employer allows case "
    "records, and delete it when you no longer need it.\n\nSaving a copy is recorded in the "
    "audit trail."
)
PREVIEW_CACHE = 8

TYPE_NAMES = {
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
    "audio/mpeg": "MP3 audio",
    "audio/wav": "WAV audio",
    "audio/mp4": "M4A audio",
    "audio/ogg": "Ogg audio",
    "audio/flac": "FLAC audio",
    "audio/amr": "AMR voice recording",
    "application/pdf": "PDF document",
    "text/plain": "Text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook",
}


def type_name(media_type: str) -> str:
    return TYPE_NAMES.get(media_type, media_type)


def read_for_vault(path: str) -> tuple[str, bytes]:
    """The file's name and bytes (worker thread); a clear message if it is too big or unreadable."""
    file = Path(path)
    name = file.name
    try:
        size = file.stat().st_size
        if size > MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                f"“{name}” is {size / 1_048_576:.1f} MB; the limit is "
                f"{MAX_ATTACHMENT_BYTES // 1_048_576} MB. Save a smaller copy (e.g. crop a "
                "screenshot) and attach that."
            )
        return name, file.read_bytes()
    except OSError as exc:
        raise ValidationError(
            f"“{name}” could not be read. Check that the file still exists and that you may "
            "open it, then try again."
        ) from exc


class ImagePreview(QLabel):
    """Shows a pixmap scaled to fit, keeping its proportions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap = QPixmap()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(QSize(200, 160))
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setAccessibleName("Image preview")

    def set_image(self, pixmap: QPixmap) -> None:
        self._pixmap = pixmap
        self._rescale()

    def image(self) -> QPixmap:
        return self._pixmap

    def _rescale(self) -> None:
        if self._pixmap.isNull():
            self.clear()
            return
        target = self.size()
        if self._pixmap.width() <= target.width() and self._pixmap.height() <= target.height():
            self.setPixmap(self._pixmap)
            return
        self.setPixmap(
            self._pixmap.scaled(
                target,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()


class AttachmentsTab(CaseTab):
    name = "attachments"
    title = "Attachments"
    icon_name = "attachment"

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(app, case_id, parent)
        self._cache: dict[int, bytes] = {}
        self._loading: int | None = None
        self._select_after_refresh: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        self.add_button = self.button(
            "&Add…", "add", self.add_file, tooltip="Attach a file to the case (kept encrypted)"
        )
        self.export_button = self.button("Save a &copy…", "export", self.save_copy, writes=False)
        self.remove_button = self.button("&Remove", "remove", self.remove_selected)
        layout.addLayout(self.button_row(self.add_button, self.export_button, self.remove_button))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setAccessibleName("Attachment message")
        self.message.hide()
        layout.addWidget(self.message)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        self.table: RecordTable[Attachment] = RecordTable(
            [
                Column("Name", lambda a: a.file_name, width=220),
                Column("Type", lambda a: type_name(a.media_type), width=120),
                Column("Size", lambda a: a.size, fmt_size, align=RIGHT, width=80),
                Column("Added", lambda a: a.added_at, width=140),
                Column("Added by", lambda a: self.name_of(a.added_by_id)),
            ],
            "Attachments",
            "No attachments yet. Add screenshots, letters or documents; they are kept "
            "encrypted inside the vault.",
        )
        splitter.addWidget(self.table)

        panel = QFrame()
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        panel_column = QVBoxLayout(panel)
        panel_column.setContentsMargins(12, 10, 12, 12)
        panel_column.setSpacing(8)
        self.panel_heading = heading_label("Preview")
        panel_column.addWidget(self.panel_heading)
        self.stack = QStackedWidget()
        self.preview = ImagePreview()
        self.text_preview = QPlainTextEdit()
        self.text_preview.setReadOnly(True)
        self.text_preview.setAccessibleName("Text preview")
        self.no_preview = muted_label("")
        self.no_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_preview.setAccessibleName("No preview")
        for widget in (self.no_preview, self.preview, self.text_preview):
            self.stack.addWidget(widget)
        panel_column.addWidget(self.stack, 1)
        details = new_form()
        self.detail_name = value_label(name="File name")
        self.detail_type = value_label(name="File type")
        self.detail_added = value_label(name="Added")
        self.detail_hash = value_label(name="Fingerprint (SHA-256)")
        details.addRow("Name:", self.detail_name)
        details.addRow("Type:", self.detail_type)
        details.addRow("Added:", self.detail_added)
        details.addRow("Fingerprint:", self.detail_hash)
        panel_column.addLayout(details)
        splitter.addWidget(panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([560, 380])

        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()

    # ---- list --------------------------------------------------------------------------------

    def populate(self, data: CaseData) -> None:
        super().populate(data)
        self.table.set_rows(data.attachments)
        if self._select_after_refresh is not None:
            self.table.select_id(self._select_after_refresh)
            self._select_after_refresh = None
        self._selection_changed()

    def selected(self) -> Attachment | None:
        return self.table.selected_row()

    def _selection_changed(self, *_args: object) -> None:
        attachment = self.selected()
        has = attachment is not None
        self.selection_dependent(self.remove_button, has, NO_SELECTION)
        allow(
            self.export_button,
            has and self.app.can(Permission.EXPORT),
            NO_SELECTION if not has else "Your role may not export case records.",
            "Save a copy outside the encrypted vault",
        )
        self._show_details(attachment)

    # ---- preview -----------------------------------------------------------------------------

    def _show_details(self, attachment: Attachment | None) -> None:
        if attachment is None:
            self.panel_heading.setText("Preview")
            self.no_preview.setText("Select an attachment to see it here.")
            self.stack.setCurrentWidget(self.no_preview)
            for label in (self.detail_name, self.detail_type, self.detail_added, self.detail_hash):
                label.setText("")
            return
        self.panel_heading.setText(attachment.file_name)
        self.detail_name.setText(attachment.file_name)
        self.detail_type.setText(f"{type_name(attachment.media_type)}, {fmt_size(attachment.size)}")
        by = self.data.name_of(attachment.added_by_id) if self.data else ""
        self.detail_added.setText(f"{fmt_datetime(attachment.added_at)}, {by}".strip(", "))
        self.detail_hash.setText(attachment.sha256[:16] + "…")
        self.detail_hash.setToolTip(attachment.sha256)
        previewable = attachment.media_type.startswith("image/") or (
            attachment.media_type == "text/plain"
        )
        if not previewable:
            self.no_preview.setText(
                f"No preview for a {type_name(attachment.media_type)}. Use “Save a copy…” to "
                "open it in another program."
            )
            self.stack.setCurrentWidget(self.no_preview)
            return
        assert attachment.id is not None
        if attachment.id in self._cache:
            self._render(attachment, self._cache[attachment.id])
            return
        if self._loading == attachment.id:
            return  # already on its way (and audited once)
        self.no_preview.setText("Loading the preview…")
        self.stack.setCurrentWidget(self.no_preview)
        self._loading = attachment.id
        attachment_id = attachment.id
        run_in_background(
            lambda: self.app.records.attachment_data(attachment_id, previewing=True),
            on_done=lambda data: self._loaded(attachment_id, data),
            on_error=self._preview_failed,
            parent=self,
        )

    def _loaded(self, attachment_id: int, data: bytes) -> None:
        if self._loading == attachment_id:
            self._loading = None
        self._cache[attachment_id] = data
        while len(self._cache) > PREVIEW_CACHE:
            self._cache.pop(next(iter(self._cache)))
        attachment = self.selected()
        if attachment is not None and attachment.id == attachment_id:
            self._render(attachment, data)

    def _render(self, attachment: Attachment, data: bytes) -> None:
        if attachment.media_type == "text/plain":
            self.text_preview.setPlainText(data.decode("utf-8", errors="replace"))
            self.stack.setCurrentWidget(self.text_preview)
            return
        pixmap = QPixmap()
        if not pixmap.loadFromData(data):
            self.no_preview.setText("This image cannot be shown. Save a copy to open it.")
            self.stack.setCurrentWidget(self.no_preview)
            return
        self.preview.set_image(pixmap)
        self.stack.setCurrentWidget(self.preview)

    def _preview_failed(self, error: BaseException) -> None:
        self._loading = None
        self.no_preview.setText(error_message(error))
        self.stack.setCurrentWidget(self.no_preview)

    # ---- actions -----------------------------------------------------------------------------

    def add_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Attach a file", "", OPEN_FILTER)
        if not path:
            return
        self.message.hide()
        app, case_id = self.app, self.case_id

        def work() -> Attachment:
            name, data = read_for_vault(path)
            return app.records.add_attachment(case_id, name, data)

        self.add_button.setEnabled(False)
        run_operation(
            self, work, what="attach the file", on_done=self._added, on_error=self._failed
        )

    def _added(self, attachment: Attachment) -> None:
        self.add_button.setEnabled(self.can_work)
        self._select_after_refresh = attachment.id
        self._say(f"Attached “{attachment.file_name}”. It is kept encrypted in the vault.")
        self.changed.emit()

    def save_copy(self) -> None:
        attachment = self.selected()
        if attachment is None or attachment.id is None:
            return
        answer = QMessageBox.warning(
            self,
            "Save a copy outside the vault",
            EXPORT_WARNING,
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Save:
            return
        path, _filter = QFileDialog.getSaveFileName(self, "Save a copy", attachment.file_name)
        if not path:
            return
        app, attachment_id = self.app, attachment.id

        def work() -> str:
            data = app.records.attachment_data(attachment_id, exporting=True)
            try:
                Path(path).write_bytes(data)
            except OSError as exc:
                raise ValidationError(
                    "The copy could not be written there. Choose a folder you may write to, "
                    "with enough free space."
                ) from exc
            return path

        run_in_background(
            work,
            on_done=lambda p: self._say(
                f"Saved a copy to {p}. It is not protected by the vault; delete it when done."
            ),
            on_error=self._failed,
            parent=self,
        )

    def remove_selected(self) -> None:
        attachment = self.selected()
        if attachment is None or attachment.id is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove attachment",
            f"Remove “{attachment.file_name}” from the case? This cannot be undone; the "
            "removal is kept in the audit trail.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        attachment_id = attachment.id
        self._cache.pop(attachment_id, None)
        run_operation(
            self,
            lambda: self.app.records.remove_attachment(attachment_id),
            what="remove the attachment",
            on_done=lambda _r: self.changed.emit(),
            on_error=self._failed,
        )

    def _say(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.show()

    def _failed(self, error: BaseException) -> None:
        self.add_button.setEnabled(self.can_work)
        show_problem(self.message, error_message(error))
