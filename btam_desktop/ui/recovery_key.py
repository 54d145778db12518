"""Replacing the vault's recovery key (coordinator), after it was used or may have been seen.

The new key is shown once in this dialog, with the recovery sheet to print or save; the old
recovery slot is removed and the vault re-encrypted, so the old key opens nothing any more.
The key lives only in this dialog and is cleared when it closes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.services.app import Btam
from btam_desktop.ui.icons import icon
from btam_desktop.ui.pages.audit import write_file
from btam_desktop.ui.setup_wizard import ACKNOWLEDGE_TEXT, print_pdf, recovery_sheet_builder
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.unlock import user_message
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.overlay import BusyOverlay

EXPLANATION = (
    "Replace the recovery key when it has been used to reset a password, or when someone who "
    "should not have it may have seen it.\n\n"
    "• A new key is made and shown once, with a new recovery sheet to print.\n"
    "• The old key stops working: the vault is re-encrypted with a new key.\n"
    "• Everyone keeps their own password. Backups made before today still open with the old "
    "key, so destroy the old sheet and keep old backups as safely as before."
)


class ReplaceRecoveryKeyDialog(QDialog):
    def __init__(self, app: Btam, team_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Replace the recovery key")
        self.setModal(True)
        self._app = app
        self._team_name = team_name
        self._key = ""

        self.stack = QStackedWidget(self)
        # -- step 1: what happens ----------------------------------------------------------
        ask = QWidget()
        explanation = QLabel(EXPLANATION, ask)
        explanation.setWordWrap(True)
        self.replace_button = QPushButton(icon("key"), "&Replace the recovery key", ask)
        self.replace_button.setDefault(True)
        self.replace_button.clicked.connect(self.replace)
        self.cancel_button = QPushButton("Cancel", ask)
        self.cancel_button.clicked.connect(self.reject)
        ask_buttons = QHBoxLayout()
        ask_buttons.addStretch(1)
        ask_buttons.addWidget(self.cancel_button)
        ask_buttons.addWidget(self.replace_button)
        ask_layout = QVBoxLayout(ask)
        ask_layout.addWidget(explanation)
        ask_layout.addStretch(1)
        ask_layout.addLayout(ask_buttons)
        self.stack.addWidget(ask)

        # -- step 2: the new key -----------------------------------------------------------
        shown = QWidget()
        intro = QLabel(
            "This is the new recovery key. It is shown only now. Write it down or print the "
            "recovery sheet, keep it in a safe, and destroy the old sheet.",
            shown,
        )
        intro.setWordWrap(True)
        self.key_label = QLabel(shown)
        self.key_label.setAccessibleName("New recovery key")
        self.key_label.setTextFormat(Qt.TextFormat.PlainText)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        font = QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        font.setPointSizeF(max(16.0, font.pointSizeF() * 1.7))
        font.setBold(True)
        self.key_label.setFont(font)
        box = QFrame(shown)
        box.setObjectName("recoveryKeyBox")
        box.setStyleSheet(
            "QFrame#recoveryKeyBox { background-color: palette(base); "
            "border: 2px dashed palette(mid); border-radius: 8px; }"
        )
        QVBoxLayout(box).addWidget(self.key_label)
        self.print_button = QPushButton(icon("print"), "&Print recovery sheet…", shown)
        self.print_button.clicked.connect(self._print)
        self.pdf_button = QPushButton(icon("pdf"), "&Save sheet as PDF…", shown)
        self.pdf_button.clicked.connect(self._save_pdf)
        sheet_buttons = QHBoxLayout()
        sheet_buttons.addStretch(1)
        sheet_buttons.addWidget(self.print_button)
        sheet_buttons.addWidget(self.pdf_button)
        sheet_buttons.addStretch(1)
        self.acknowledge = QCheckBox(ACKNOWLEDGE_TEXT, shown)
        self.done_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, shown)
        self.close_button = self.done_buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setEnabled(False)
        self.acknowledge.toggled.connect(self.close_button.setEnabled)
        self.done_buttons.rejected.connect(self.accept)
        shown_layout = QVBoxLayout(shown)
        shown_layout.setSpacing(12)
        shown_layout.addWidget(intro)
        shown_layout.addWidget(box)
        shown_layout.addLayout(sheet_buttons)
        shown_layout.addWidget(self.acknowledge)
        shown_layout.addStretch(1)
        shown_layout.addWidget(self.done_buttons)
        self.stack.addWidget(shown)

        self.banner = Banner(BannerKind.WARNING, "", self)
        self.banner.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.banner)
        self.overlay = BusyOverlay(self)
        self.resize(560, 340)

    # ---- steps -----------------------------------------------------------------------------

    def replace(self) -> None:
        team = self._app.team

        def work(progress: Any) -> str:
            return team.replace_recovery_key(progress)

        self.overlay.show_busy("Re-encrypting the vault with a new key…", 0, 100)
        run_in_background(
            work,
            on_done=self._replaced,
            on_error=self._failed,
            on_progress=lambda done, total, message: self.overlay.set_progress(
                done, total, message
            ),
            parent=self,
        )

    def _replaced(self, key: str) -> None:
        self.overlay.hide_busy()
        self._key = key
        groups = [g for g in key.split("-") if g]
        half = (len(groups) + 1) // 2
        self.key_label.setText("  ".join(groups[:half]) + "\n" + "  ".join(groups[half:]))
        self.banner.hide()
        self.stack.setCurrentIndex(1)
        self.acknowledge.setFocus()

    def _failed(self, error: BaseException) -> None:
        self.overlay.hide_busy()
        self.banner.set_text(
            f"{user_message(error)} The old recovery key still works; nothing was changed."
        )
        self.banner.show()

    def is_showing_key(self) -> bool:
        return self.stack.currentIndex() == 1

    # ---- the sheet -------------------------------------------------------------------------

    def _sheet(self) -> bytes | None:
        if not self._key:
            return None
        return recovery_sheet_builder()(self._team_name, str(self._app.vault.folder), self._key)

    def _print(self) -> None:
        try:
            pdf = self._sheet()
            if pdf is not None:
                print_pdf(pdf, self, "BTAM recovery sheet")
        except Exception as error:
            self.banner.set_text(user_message(error))
            self.banner.show()

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
            if pdf is not None:
                write_file(Path(path), pdf)
        except OSError as error:
            self.banner.set_text(f"The file could not be saved: {error.strerror}.")
            self.banner.show()

    # ---- closing: the key goes with the dialog -----------------------------------------------

    def reject(self) -> None:
        if self.overlay.is_busy():
            return  # the rekey runs to its end; closing now would hide the new key
        if self.is_showing_key() and not self.acknowledge.isChecked():
            self.banner.set_text(
                "Keep the new key first: write it down or print the sheet, then tick the box."
            )
            self.banner.show()
            return
        self._forget()
        super().reject()

    def accept(self) -> None:
        self._forget()
        super().accept()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.overlay.is_busy() or (self.is_showing_key() and not self.acknowledge.isChecked()):
            event.ignore()
            self.reject()
            return
        self._forget()
        super().closeEvent(event)

    def _forget(self) -> None:
        self._key = ""
        self.key_label.clear()


__all__ = ["ReplaceRecoveryKeyDialog"]
