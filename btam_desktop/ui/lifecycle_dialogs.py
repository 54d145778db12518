"""File ▸ Export cases, Import cases, Transfer cases, Receive transfer and Annual statistics.

Each dialog gathers what it needs, runs the slow part (reading every record, Argon2id, writing
the file) off the GUI thread with a progress bar, and says plainly what happened. Nothing is
written to the vault before the person has seen the preview and confirmed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.errors import VaultError
from btam_desktop.services.app import Btam
from btam_desktop.services.permissions import Permission
from btam_desktop.services.spreadsheet import IMPORT_FIELDS, CsvPreview, cases_csv, read_csv
from btam_desktop.services.statistics import AnnualStatistics
from btam_desktop.services.transfer import PACKAGE_SUFFIX, passphrase_problem, write_file
from btam_desktop.ui.messages import NOT_CHANGED, error_message
from btam_desktop.ui.operations import ChangesFor, run_operation
from btam_desktop.ui.tasks import BackgroundTask
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.vault_events import VaultChange
from btam_desktop.ui.widgets.password_strength import PasswordStrengthMeter

GENERIC_ERROR = NOT_CHANGED
UNENCRYPTED_WARNING = (
    "The file you save is NOT encrypted. Anyone who can open the folder can read these "
    "records. Save it only where the records may be kept (not a shared or synced folder), "
    "and delete it when it is no longer needed."
)


def error_text(error: BaseException) -> str:
    """The shared wording (``ui.messages``): nothing was changed."""
    return error_message(error, GENERIC_ERROR, during="a records action")


def _banner(text: str, role: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    set_style_role(label, role)
    return label


class _PathPicker(QWidget):
    """A file name field with a Browse button (the field can be typed into, or set by tests)."""

    def __init__(self, caption: str, filters: str, *, save: bool, parent: QWidget) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Choose a file…")
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._choose)
        self._caption, self._filters, self._save = caption, filters, save
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.browse)

    def _choose(self) -> None:
        start = self.edit.text() or str(Path.home())
        if self._save:
            chosen, _ = QFileDialog.getSaveFileName(self, self._caption, start, self._filters)
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, self._caption, start, self._filters)
        if chosen:
            self.edit.setText(chosen)

    def path(self) -> Path | None:
        text = self.edit.text().strip()
        return Path(text).expanduser() if text else None


class _TaskDialog(QDialog):
    """A dialog with a status line, a progress bar and one background task at a time."""

    def __init__(self, app: Btam, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.app = app
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.layout_ = QVBoxLayout(self)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.task: BackgroundTask | None = None

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.progress)
        self.layout_.addWidget(self.status)

    def say(self, text: str, role: str | None = None) -> None:
        self.status.setText(text)
        set_style_role(self.status, role)

    def run(
        self,
        work: Callable[..., Any],
        on_done: Callable[[Any], None],
        busy_text: str,
        buttons: Sequence[QWidget] = (),
        changes: ChangesFor = None,
    ) -> None:
        """Run ``work`` in the background; ``changes`` is announced when it succeeds."""
        for button in buttons:
            button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.say(busy_text)

        def done(result: Any) -> None:
            self._idle(buttons)
            on_done(result)

        def failed(error: BaseException) -> None:
            self._idle(buttons)
            self.say(error_text(error), "danger-banner")

        self.task = run_operation(
            self,
            work,
            what=self.windowTitle().lower() or "finish",
            on_done=done,
            on_error=failed,
            changes=changes,
            progress=self._progressed,
        )

    def _idle(self, buttons: Sequence[QWidget]) -> None:
        self.progress.setVisible(False)
        for button in buttons:
            button.setEnabled(True)
        self.task = None

    def _progressed(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        if message:
            self.progress.setFormat(f"{message}: %v of %m" if total else message)

    def reject(self) -> None:
        if self.task is not None:
            self.task.cancel()
        super().reject()


def _table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setWordWrap(True)
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]], bad: Sequence[bool] = ()) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if bad and bad[r] and c == len(values) - 1:
                item.setForeground(Qt.GlobalColor.darkRed)
            table.setItem(r, c, item)
    table.resizeRowsToContents()


# ---- export -----------------------------------------------------------------------------------


class ExportDialog(_TaskDialog):
    def __init__(self, app: Btam, selected: Sequence[int], parent: QWidget | None = None) -> None:
        super().__init__(app, "Export cases", parent)
        self.selected = list(selected)
        intro = QLabel(
            "Write cases to a file another program can read: JSON keeps the whole record (to "
            "move it into another vault); CSV gives one row per case for a spreadsheet."
        )
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        form = QFormLayout()
        self.only_selected = QRadioButton(f"The selected cases ({len(self.selected)})")
        self.all_cases = QRadioButton("All cases in the vault")
        group = QButtonGroup(self)
        group.addButton(self.only_selected)
        group.addButton(self.all_cases)
        (self.only_selected if self.selected else self.all_cases).setChecked(True)
        self.only_selected.setEnabled(bool(self.selected))
        which = QVBoxLayout()
        which.addWidget(self.only_selected)
        which.addWidget(self.all_cases)
        form.addRow("Cases:", which)
        self.format = QComboBox()
        self.format.addItem("JSON: the full record (.json)", "json")
        self.format.addItem("CSV: one row per case, for a spreadsheet (.csv)", "csv")
        form.addRow("Format:", self.format)
        self.with_files = QCheckBox("Include the attachments' files (JSON only)")
        form.addRow("", self.with_files)
        self.target = _PathPicker(
            "Export cases to", "JSON or CSV (*.json *.csv)", save=True, parent=self
        )
        form.addRow("Save as:", self.target)
        self.layout_.addLayout(form)
        self.layout_.addWidget(_banner(UNENCRYPTED_WARNING, "warning-banner"))
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.finish_layout()
        self.layout_.addWidget(self.buttons)
        self._format_changed()

    def _format_changed(self) -> None:
        self.with_files.setEnabled(self.format.currentData() == "json")

    def start(self) -> None:
        target = self.target.path()
        if target is None:
            self.say("Choose where to save the file.", "danger-banner")
            return
        fmt = str(self.format.currentData())
        if target.suffix.lower() != f".{fmt}":
            target = target.with_name(target.name + f".{fmt}")
            self.target.edit.setText(str(target))
        app, files = self.app, self.with_files.isChecked() and fmt == "json"
        chosen = list(self.selected) if self.only_selected.isChecked() else None

        def work(progress: Callable[..., None]) -> int:
            ids = chosen if chosen is not None else app.exchange.all_case_ids()
            if fmt == "json":
                data = app.exchange.export_json(ids, include_files=files, progress=progress)
            else:
                data = cases_csv(app.ctx, ids)
            write_file(target, data)
            app.exchange.record_export(ids, fmt.upper() + (" with files" if files else ""))
            return len(ids)

        self.run(
            work,
            lambda count: self.say(
                f"Exported {count} cases to {target}. Remember: this file is not encrypted.",
                "info-banner",
            ),
            "Exporting…",
            [self.export_button],
        )


# ---- import -----------------------------------------------------------------------------------


class ImportDialog(_TaskDialog):
    """Choose a file; for a spreadsheet, map its columns; see every case checked; confirm."""

    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__(app, "Import cases", parent)
        self.setMinimumSize(760, 520)
        self.stack = QStackedWidget()
        self.layout_.addWidget(self.stack, 1)
        self.data = b""
        self.json_preview: Any = None
        self.csv_preview: CsvPreview | None = None

        choose = QWidget()
        box = QVBoxLayout(choose)
        text = QLabel(
            "Bring in cases from a BTAM Desktop export (.json) or from a spreadsheet saved as "
            "CSV. You will see every case checked before anything is added."
        )
        text.setWordWrap(True)
        box.addWidget(text)
        self.source = _PathPicker(
            "Import cases from", "Exports and spreadsheets (*.json *.csv)", save=False, parent=self
        )
        box.addWidget(self.source)
        box.addStretch(1)
        self.stack.addWidget(choose)

        mapping = QWidget()
        mbox = QVBoxLayout(mapping)
        mtext = QLabel(
            "Say which column of the spreadsheet holds each piece of information. A title and "
            "the date opened are needed; leave the rest as “(not in the spreadsheet)” if absent."
        )
        mtext.setWordWrap(True)
        mbox.addWidget(mtext)
        self.mapping_form = QFormLayout()
        mbox.addLayout(self.mapping_form)
        mbox.addStretch(1)
        self.stack.addWidget(mapping)
        self.combos: dict[str, QComboBox] = {}

        review = QWidget()
        rbox = QVBoxLayout(review)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        rbox.addWidget(self.summary)
        self.preview_table = _table(["Row / case", "Title", "Opened", "Check"])
        rbox.addWidget(self.preview_table, 1)
        self.stack.addWidget(review)

        self.buttons = QDialogButtonBox()
        self.back_button = self.buttons.addButton("Back", QDialogButtonBox.ButtonRole.ActionRole)
        self.next_button = self.buttons.addButton(
            "Check the cases", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next_step)
        self.import_button.clicked.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        self.finish_layout()
        self.layout_.addWidget(self.buttons)
        self._show_step(0)

    def _show_step(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        self.back_button.setEnabled(step > 0)
        self.next_button.setVisible(step < 2)
        self.import_button.setVisible(step == 2)
        self.import_button.setEnabled(
            step == 2
            and (
                (self.csv_preview is not None and self.csv_preview.ok)
                or (self.json_preview is not None and self.json_preview.ok)
            )
        )

    def back(self) -> None:
        step = self.stack.currentIndex()
        self._show_step(1 if step == 2 and self.csv_preview is not None else 0)
        self.say("")

    def next_step(self) -> None:
        if self.stack.currentIndex() == 0:
            self._read_file()
        else:
            self._check_csv()

    def _read_file(self) -> None:
        path = self.source.path()
        if path is None:
            self.say("Choose the file to import.", "danger-banner")
            return
        try:
            self.data = path.read_bytes()
        except OSError as exc:
            self.say(
                f"Could not read {path.name}: {exc.strerror or 'read refused'}.", "danger-banner"
            )
            return
        self.csv_preview = self.json_preview = None
        if self.data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{"):
            app, data = self.app, self.data
            self.run(
                lambda: app.exchange.preview_json(data),
                self._json_checked,
                "Checking the export…",
                [self.next_button],
            )
            return
        try:
            headers, _rows = read_csv(self.data)
        except VaultError as error:
            self.say(str(error), "danger-banner")
            return
        from btam_desktop.services.spreadsheet import guess_mapping

        guess = guess_mapping(headers)
        while self.mapping_form.rowCount():
            self.mapping_form.removeRow(0)
        self.combos = {}
        for field in IMPORT_FIELDS:
            combo = QComboBox()
            combo.addItem("(not in the spreadsheet)", "")
            for header in headers:
                combo.addItem(header, header)
            if field.key in guess:
                combo.setCurrentIndex(combo.findData(guess[field.key]))
            label = field.label + (" *" if field.required else "")
            if field.help:
                combo.setToolTip(field.help)
            self.mapping_form.addRow(label + ":", combo)
            self.combos[field.key] = combo
        self.say("")
        self._show_step(1)

    def mapping(self) -> dict[str, str]:
        return {key: str(c.currentData()) for key, c in self.combos.items() if c.currentData()}

    def _check_csv(self) -> None:
        try:
            self.csv_preview = self.app.spreadsheet.preview(self.data, self.mapping())
        except VaultError as error:
            self.say(str(error), "danger-banner")
            return
        preview = self.csv_preview
        _fill(
            self.preview_table,
            [
                [
                    f"Row {r.row}",
                    r.title,
                    str(r.values.get("opened") or ""),
                    "; ".join(r.problems) or "OK",
                ]
                for r in preview.rows
            ],
            [bool(r.problems) for r in preview.rows],
        )
        bad = sum(1 for r in preview.rows if r.problems)
        self.summary.setText(
            f"{len(preview.rows)} rows checked."
            + (
                f" {bad} {'row needs' if bad == 1 else 'rows need'} correcting in the "
                "spreadsheet; nothing will be imported "
                "until every row is right."
                if bad
                else " Every row can be imported. Nothing has been added yet."
            )
        )
        self.say("")
        self._show_step(2)

    def _json_checked(self, preview: Any) -> None:
        self.json_preview = preview
        _fill(
            self.preview_table,
            [
                [
                    c.source_number,
                    c.title,
                    c.opened_on,
                    "; ".join(c.problems) or f"OK: {c.contents}",
                ]
                for c in preview.cases
            ],
            [bool(c.problems) for c in preview.cases],
        )
        source = preview.source_team or "another vault"
        self.summary.setText(
            f"{len(preview.cases)} cases exported from {source} on {preview.exported_at[:10]}. "
            + (
                "Every case can be imported; each gets a new number here and keeps its history."
                if preview.ok
                else "Some cases cannot be imported (see the last column); nothing will be added."
            )
        )
        self._show_step(2)

    def confirm(self) -> None:
        app = self.app
        if self.csv_preview is not None:
            sheet = self.csv_preview
            self.run(
                lambda: app.spreadsheet.commit(sheet),
                self._imported,
                "Importing…",
                [self.import_button, self.back_button],
                changes=VaultChange("import"),
            )
        elif self.json_preview is not None:
            preview = self.json_preview

            def work(progress: Callable[..., None]) -> list[str]:
                return [new for _old, new in app.exchange.import_json(preview, progress).numbers]

            self.run(
                work,
                self._imported,
                "Importing…",
                [self.import_button, self.back_button],
                changes=VaultChange("import"),
            )

    def _imported(self, numbers: list[str]) -> None:
        self.import_button.setEnabled(False)
        shown = ", ".join(numbers[:12]) + (" …" if len(numbers) > 12 else "")
        self.say(f"Imported {len(numbers)} cases: {shown}.", "info-banner")


# ---- transfer ---------------------------------------------------------------------------------


class TransferDialog(_TaskDialog):
    def __init__(self, app: Btam, selected: Sequence[int], parent: QWidget | None = None) -> None:
        super().__init__(app, "Transfer cases", parent)
        self.setMinimumWidth(660)  # room for the strength meter's verdict
        self.selected = list(selected)
        numbers = [app.cases.get(i).number for i in self.selected[:20]]
        intro = QLabel(
            "Seal the selected cases in a package for the school or agency now responsible. "
            "The package is encrypted with a passphrase you choose: give it to the receiving "
            "team separately (by phone), never with the file."
        )
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        form = QFormLayout()
        listed = ", ".join(numbers) + (" …" if len(self.selected) > 20 else "")
        self.case_label = QLabel(listed or "No case selected: select cases in the case list first.")
        self.case_label.setWordWrap(True)
        form.addRow(f"Cases ({len(self.selected)}):", self.case_label)
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText("e.g. Lincoln High School, counseling office")
        form.addRow("Sent to:", self.recipient)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.meter = PasswordStrengthMeter(self.passphrase)
        form.addRow("Passphrase:", self.passphrase)
        form.addRow("", self.meter)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Repeat it:", self.repeat)
        self.target = _PathPicker(
            "Save the package as", f"Transfer packages (*{PACKAGE_SUFFIX})", save=True, parent=self
        )
        form.addRow("Save as:", self.target)
        self.layout_.addLayout(form)
        self.layout_.addWidget(
            _banner(
                "Each case's disclosure log will record this transfer, with the recipient "
                "named above. The cases stay in this vault.",
                "info-banner",
            )
        )
        self.buttons = QDialogButtonBox()
        self.seal_button = self.buttons.addButton(
            "Seal package", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.seal_button.clicked.connect(self.start)
        self.seal_button.setEnabled(bool(self.selected))
        self.buttons.rejected.connect(self.reject)
        self.finish_layout()
        self.layout_.addWidget(self.buttons)

    def start(self) -> None:
        passphrase = self.passphrase.text()
        problem = passphrase_problem(passphrase)
        if problem:
            self.say(problem, "danger-banner")
            return
        if passphrase != self.repeat.text():
            self.say("The two passphrases are not the same. Type them again.", "danger-banner")
            return
        if not self.recipient.text().strip():
            self.say("Name the school or agency that receives the cases.", "danger-banner")
            return
        target = self.target.path()
        if target is None:
            self.say("Choose where to save the package.", "danger-banner")
            return
        if target.suffix != PACKAGE_SUFFIX:
            target = target.with_name(target.name + PACKAGE_SUFFIX)
            self.target.edit.setText(str(target))
        app, ids, recipient = self.app, list(self.selected), self.recipient.text()

        def work(progress: Callable[..., None]) -> int:
            return app.transfer.send(ids, passphrase, recipient, target, progress)

        self.passphrase.clear()
        self.repeat.clear()
        self.run(
            work,
            lambda size: self.say(
                f"Sealed {len(ids)} cases in {target.name} ({max(size // 1024, 1)} KB). Send "
                "the file, and tell the receiving team the passphrase by phone.",
                "info-banner",
            ),
            "Sealing the package…",
            [self.seal_button],
        )


class ReceiveDialog(_TaskDialog):
    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__(app, "Receive transferred cases", parent)
        self.setMinimumSize(720, 480)
        self.preview: Any = None
        intro = QLabel(
            "Open a transfer package from another school or agency. You will see what it holds "
            "before anything is added."
        )
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        form = QFormLayout()
        self.source = _PathPicker(
            "Open a transfer package",
            f"Transfer packages (*{PACKAGE_SUFFIX})",
            save=False,
            parent=self,
        )
        form.addRow("Package:", self.source)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Passphrase:", self.passphrase)
        self.layout_.addLayout(form)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.layout_.addWidget(self.summary)
        self.preview_table = _table(["Their number", "Title", "Opened", "Contents"])
        self.layout_.addWidget(self.preview_table, 1)
        self.buttons = QDialogButtonBox()
        self.open_button = self.buttons.addButton(
            "Open package", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.receive_button = self.buttons.addButton(
            "Add these cases", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.receive_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.open_button.clicked.connect(self.open_package)
        self.receive_button.clicked.connect(self.receive)
        self.buttons.rejected.connect(self.reject)
        self.finish_layout()
        self.layout_.addWidget(self.buttons)

    def open_package(self) -> None:
        path = self.source.path()
        if path is None:
            self.say("Choose the package file.", "danger-banner")
            return
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.say(
                f"Could not read {path.name}: {exc.strerror or 'read refused'}.", "danger-banner"
            )
            return
        app, passphrase = self.app, self.passphrase.text()
        self.receive_button.setEnabled(False)
        self.run(
            lambda: app.transfer.preview(data, passphrase),
            self._opened,
            "Opening the package…",
            [self.open_button],
        )

    def _opened(self, preview: Any) -> None:
        self.preview = preview
        cases = preview.cases.cases
        _fill(
            self.preview_table,
            [
                [c.source_number, c.title, c.opened_on, "; ".join(c.problems) or c.contents]
                for c in cases
            ],
            [bool(c.problems) for c in cases],
        )
        sent = preview.sent_at[:10]
        team = preview.sending_team or "a team that gave no name"
        count = "1 case" if len(cases) == 1 else f"{len(cases)} cases"
        text = f"{count} from {team}, sealed {sent}. "
        if preview.ok:
            text += (
                "Each will get a new number here and keep its history; the old number and the "
                "sending team are recorded, and the disclosure log notes the transfer."
            )
            self.say("")
        else:
            text += "Nothing can be added:"
            self.say("\n".join(preview.problems), "danger-banner")
        self.summary.setText(text)
        self.receive_button.setEnabled(preview.ok)

    def receive(self) -> None:
        app, preview = self.app, self.preview

        def work(progress: Callable[..., None]) -> list[tuple[str, str]]:
            result: list[tuple[str, str]] = app.transfer.receive(preview, progress)
            return result

        def received(pairs: list[tuple[str, str]]) -> None:
            self.receive_button.setEnabled(False)
            self.say(
                "Added: " + ", ".join(f"{old} (theirs) as {new}" for old, new in pairs) + ".",
                "info-banner",
            )

        self.run(
            work,
            received,
            "Adding the cases…",
            [self.receive_button, self.open_button],
            changes=VaultChange("import"),
        )


# ---- statistics -------------------------------------------------------------------------------


class StatisticsDialog(_TaskDialog):
    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__(app, "Annual statistics", parent)
        self.setMinimumSize(640, 600)
        self.stats: AnnualStatistics | None = None
        intro = QLabel(
            "A de-identified summary of the cases opened in one year, for the team and for "
            "state reporting. It holds counts only: no names, numbers or dates of single cases."
        )
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel("Year:"))
        self.year = QComboBox()
        years = app.statistics.years() or [date.today().year]
        for year in years:
            self.year.addItem(str(year), year)
        row.addWidget(self.year)
        self.show_small = QCheckBox("Show counts under 5 as numbers")
        self.show_small.setToolTip(
            "Counts from 1 to 4 are normally shown as “fewer than 5” so a small group cannot "
            "be recognised."
        )
        row.addWidget(self.show_small)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.summary = QLabel("")
        set_style_role(self.summary, "subheading")
        self.layout_.addWidget(self.summary)
        self.table = _table(["Section", "Category", "Cases"])
        self.layout_.addWidget(self.table, 1)
        self.csv_target = _PathPicker(
            "Save the statistics as", "CSV (*.csv)", save=True, parent=self
        )
        self.pdf_target = _PathPicker(
            "Save the printed report as", "PDF (*.pdf)", save=True, parent=self
        )
        form = QFormLayout()
        form.addRow("CSV file:", self.csv_target)
        form.addRow("PDF file:", self.pdf_target)
        self.layout_.addLayout(form)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.finish_layout()
        self.layout_.addWidget(self.buttons)
        self.year.currentIndexChanged.connect(self.refresh)
        self.show_small.toggled.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None
        app, year, small = self.app, int(self.year.currentData()), self.show_small.isChecked()
        self.run(
            lambda: app.statistics.annual(year, suppress_small=not small),
            self._computed,
            "Counting…",
            [self.save_button],
        )

    def _computed(self, stats: AnnualStatistics) -> None:
        self.stats = stats
        rows = [[s.title, label, stats.shown(n)] for s in stats.sections for label, n in s.counts]
        _fill(self.table, rows)
        median = (
            f"{stats.median_days_open:g}" if stats.median_days_open is not None else "none closed"
        )
        self.summary.setText(
            f"{stats.shown(stats.total)} cases opened in {stats.year} · median days open: {median}"
        )
        self.say("")

    def save(self) -> None:
        stats = self.stats
        csv_path, pdf_path = self.csv_target.path(), self.pdf_target.path()
        if stats is None:
            return
        if csv_path is None and pdf_path is None:
            self.say("Choose a CSV file, a PDF file, or both.", "danger-banner")
            return
        paper = self.app.settings().paper_size

        def work() -> list[str]:
            from btam_desktop.reports.annual_statistics import annual_statistics_pdf

            written = []
            if pdf_path is not None:
                write_file(pdf_path, annual_statistics_pdf(stats, paper))
                written.append(str(pdf_path))
            if csv_path is not None:
                write_file(csv_path, stats.to_csv())
                written.append(str(csv_path))
            return written

        self.run(
            work,
            lambda names: self.say("Saved " + " and ".join(names) + ".", "info-banner"),
            "Saving…",
            [self.save_button],
        )


def can_export(app: Btam) -> bool:
    return app.can(Permission.EXPORT_BULK)


def can_import(app: Btam) -> bool:
    return app.can(Permission.IMPORT_CASES)


def can_count(app: Btam) -> bool:
    return app.can(Permission.STATISTICS)
