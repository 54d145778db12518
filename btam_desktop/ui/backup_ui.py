"""Backups in the window: File ▸ Back up now, the automatic daily backup, the status bar note,
and the restore dialog.

Every backup and restore runs off the GUI thread through ``ui/tasks.py`` with a progress
dialog whose Cancel leaves no file behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.formatting import format_datetime
from btam_desktop.services import backup as backups
from btam_desktop.services.app import Btam
from btam_desktop.services.backup import BackupStatus, RestoreResult
from btam_desktop.services.permissions import Permission
from btam_desktop.ui.icons import icon
from btam_desktop.ui.messages import NOT_CHANGED, error_message
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.tasks import BackgroundTask, TaskCancelled, run_in_background
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.vault_events import VaultChange
from btam_desktop.ui.widgets.banner import Banner, BannerKind

CHECK_INTERVAL_MS = 15 * 60 * 1000  # how often a running program looks whether a backup is due
CLOSE_BACKUP_AFTER = timedelta(hours=1)  # at closing, back up unless one is this recent
GENERIC_ERROR = NOT_CHANGED


def error_text(error: BaseException) -> str:
    """The shared wording (``ui.messages``): nothing was changed."""
    return error_message(error, GENERIC_ERROR, during="a backup task")


class BackupProgress(QProgressDialog):
    """Modal progress with Cancel; the range is the service's 0..1000."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(title, "&Cancel", 0, 1000, parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(420)
        self.work_over = False  # closing the dialog emits canceled(); ignore it then

    def cancel_task_on_cancel(self, task: BackgroundTask) -> None:
        self.canceled.connect(lambda: None if self.work_over else task.cancel())

    def dismiss(self) -> None:
        self.work_over = True
        self.close()

    def report(self, done: int, total: int, message: str = "") -> None:
        if total > 0:
            self.setMaximum(total)
            self.setValue(min(done, total))
        if message:
            self.setLabelText(message)


class BackupController(QObject):
    """Owns the backup actions, the status-bar label and the daily timer of a main window."""

    status_changed = Signal(object)  # the BackupStatus just read
    backup_finished = Signal(bool)  # True when a backup was written and checked
    restored_in_place = Signal(str)  # a message for the unlock screen

    def __init__(self, window: QWidget, current_app: Callable[[], Btam | None]) -> None:
        super().__init__(window)
        self._window = window
        self._app = current_app
        self.task: BackgroundTask | None = None
        self.progress: BackupProgress | None = None
        self.last_error = ""
        self.status: BackupStatus | None = None
        self._snoozed_until = 0.0

        self.backup_action = QAction(icon("save"), "&Back up now…", window)
        self.backup_action.setToolTip("Write a checked backup of the vault to the backup folder")
        self.backup_action.setStatusTip(self.backup_action.toolTip())
        self.backup_action.triggered.connect(lambda: self.back_up_now())
        self.restore_action = QAction(icon("refresh"), "&Restore from a backup…", window)
        self.restore_action.setToolTip("Restore a backup into a new folder or in place")
        self.restore_action.triggered.connect(lambda: self.open_restore_dialog())

        self.status_label = QLabel(window)
        self.status_label.setObjectName("backupStatus")
        self.status_label.setAccessibleName("Last backup")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setContentsMargins(0, 0, 12, 0)

        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.back_up_if_due)

    # ---- session ---------------------------------------------------------------------------
    def signed_in(self) -> None:
        app = self._app()
        local = app is not None and app.backups.available
        self.restore_action.setVisible(
            local and app is not None and app.can(Permission.MANAGE_BACKUPS)
        )
        self.backup_action.setVisible(local)
        self.backup_action.setEnabled(local)
        self.status_label.setVisible(local)
        self.refresh_status()
        if local:
            self.timer.start()
            QTimer.singleShot(5_000, self, self.back_up_if_due)

    def locked(self) -> None:
        self.timer.stop()
        if self.task is not None and not self.task.is_finished:
            self.task.cancel()
        self.backup_action.setEnabled(False)
        self.restore_action.setVisible(False)
        self.status_label.setText("")

    def _local_status(self) -> BackupStatus | None:
        """This vault's backup status; None when signed out, on a team server (backed up by
        whoever runs it) or when the status cannot be read."""
        app = self._app()
        if app is None or not app.backups.available:
            return None
        try:
            return app.backups.status()
        except VaultError:
            return None

    def refresh_status(self) -> None:
        status = self._local_status()
        if status is None:
            return
        self.status = status
        warn = not status.has_folder or status.is_stale
        self.status_label.setText(("⚠ " if warn else "") + status.headline())
        self.status_label.setToolTip(status.advice())
        set_style_role(self.status_label, "warning" if warn else "muted")
        self.status_changed.emit(status)

    # ---- making a backup -------------------------------------------------------------------
    def back_up_now(
        self, *, automatic: bool = False, closing: bool = False
    ) -> BackgroundTask | None:
        app = self._app()
        if app is None or not app.backups.available:
            return None
        if self.task is not None and not self.task.is_finished:
            return None
        status = app.backups.status()
        if not status.has_folder:
            if not automatic:
                # The backup starts once the folder is saved; a failed save says why.
                self._choose_folder(app, then=lambda: self.back_up_now())
            return None
        progress = None if automatic else BackupProgress("Backing up the vault", self._window)
        self.progress = progress
        if automatic:
            self.status_label.setText("Backing up…")

        def work(progress: Callable[[int, int, str], None]) -> object:
            return app.backups.create(progress=progress)

        # The backup's audit event is a change the audit page shows; at closing, nothing is
        # told: the window locks next, and no screen should read the vault then.
        task = run_operation(
            self._window,
            work,
            what="back up the vault",
            on_done=self._done,
            on_error=lambda error: self._failed(error, automatic),
            progress=progress.report if progress else None,
            changes=None if closing else VaultChange("backup"),
        )
        self.task = task
        task.finished.connect(lambda: self._finished(task))
        if progress is not None:
            progress.cancel_task_on_cancel(task)
            progress.show()
        return task

    def _finished(self, task: BackgroundTask) -> None:
        """A cancelled task calls no callback; it only finishes."""
        if not task.is_cancelled or self._app() is None:
            return
        self._close_progress()
        self.last_error = "Cancelled; nothing was written."
        # Someone chose to stop it: no automatic backup for a while.
        self._snoozed_until = time.monotonic() + CLOSE_BACKUP_AFTER.total_seconds()
        self.refresh_status()
        self.backup_finished.emit(False)

    def back_up_if_due(self) -> None:
        status = self._local_status()
        if status is None:
            return
        if status.auto_due and time.monotonic() >= self._snoozed_until:
            self.back_up_now(automatic=True)

    def back_up_before_close(self) -> None:
        """When the window closes: back up (with progress) unless a recent one exists."""
        status = self._local_status()
        if status is None:
            return
        if not (status.auto and status.has_folder):
            return
        if status.age is not None and status.age < CLOSE_BACKUP_AFTER:
            return
        loop = QEventLoop()
        self.backup_finished.connect(loop.quit)
        if self.back_up_now(automatic=False, closing=True) is None:
            return
        if self.task is not None and not self.task.is_finished:
            loop.exec()

    def _choose_folder(self, app: Btam, *, then: Callable[[], object]) -> None:
        """Ask for a backup folder and save it in the team settings; ``then`` runs once it is
        saved. A refused or failed save is told in the shared words."""
        if not app.can(Permission.CHANGE_SETTINGS):
            QMessageBox.information(
                self._window,
                "No backup folder",
                "No backup folder is set yet. Ask your team's coordinator to choose one in "
                "Settings (a USB drive or a network folder).",
            )
            return
        answer = QMessageBox.question(
            self._window,
            "Choose a backup folder",
            "No backup folder is set yet. Choose one now? A USB drive or a network folder "
            "is best: a backup on the same disk as the vault is lost with it.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        folder = QFileDialog.getExistingDirectory(self._window, "Backup folder")
        if not folder:
            return
        self.save_backup_folder(app, folder, then=then)

    def save_backup_folder(
        self, app: Btam, folder: str, *, then: Callable[[], object] | None = None
    ) -> BackgroundTask:
        """Keep ``folder`` as the team's backup folder (a write to the vault's settings)."""

        def work() -> None:
            settings = app.settings()
            settings.backup_folder = folder
            app.save_settings(settings)

        def saved(_result: object) -> None:
            self.refresh_status()
            if then is not None:
                then()

        return run_operation(
            self._window,
            work,
            what="set the backup folder",
            on_done=saved,
            changes=VaultChange("settings"),
            generic=NOT_CHANGED,
        )

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.dismiss()
            self.progress.deleteLater()
            self.progress = None

    def _done(self, written: object) -> None:
        self._close_progress()
        self.last_error = ""
        self.refresh_status()
        if isinstance(written, backups.WrittenBackup):
            window_status = getattr(self._window, "statusBar", None)
            if callable(window_status):
                window_status().showMessage(
                    f"Backup written and checked: {written.path.name}", 10_000
                )
        self.backup_finished.emit(True)

    def _failed(self, error: BaseException, automatic: bool) -> None:
        self._close_progress()
        self.refresh_status()
        self.last_error = error_text(error)
        if automatic:
            self.status_label.setText("⚠ Automatic backup failed")
            self.status_label.setToolTip(self.last_error)
        else:
            QMessageBox.warning(self._window, "Backup not made", self.last_error)
        self.backup_finished.emit(False)

    # ---- restoring -------------------------------------------------------------------------
    def open_restore_dialog(self) -> RestoreDialog | None:
        app = self._app()
        if app is None:
            return None
        dialog = RestoreDialog(app, self._window)
        dialog.restored_in_place.connect(self.restored_in_place)
        dialog.open()
        return dialog


class RestoreDialog(QDialog):
    """Choose a backup, see what it holds, restore it into a new folder or in place."""

    restored_in_place = Signal(str)
    restored_to = Signal(str)  # the folder of a vault restored into a new folder

    def __init__(
        self, app: Btam | None, parent: QWidget | None = None, *, near: Path | None = None
    ) -> None:
        """With ``app`` None (from the sign-in screen, the vault may not open) only a restore
        into a new folder is offered, and the person types their user name."""
        super().__init__(parent)
        self.app = app
        self.setWindowTitle("Restore from a backup")
        self.setMinimumWidth(620)
        self.manifest: backups.Manifest | None = None
        self.task: BackgroundTask | None = None
        self.result_message = ""

        intro = QLabel(
            "A backup holds the whole vault as it was when the backup was made. Restore it "
            "into a new folder to look at it, or in place of this vault to go back to it.",
            self,
        )
        intro.setWordWrap(True)
        self.file_edit = QLineEdit(self)
        self.file_edit.setAccessibleName("Backup file")
        self.file_edit.setPlaceholderText("Choose a .btambackup file")
        self.file_edit.editingFinished.connect(self._describe)
        browse = QPushButton("&Choose…", self)
        browse.clicked.connect(self._choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)
        self.about_label = QLabel("No backup chosen yet.", self)
        self.about_label.setWordWrap(True)
        self.about_label.setTextFormat(Qt.TextFormat.PlainText)
        set_style_role(self.about_label, "muted")

        self.into_new = QRadioButton("Into a &new folder (this vault stays as it is)", self)
        self.in_place = QRadioButton("In &place of this vault", self)
        self.into_new.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.into_new)
        group.addButton(self.in_place)
        self.folder_edit = QLineEdit(self)
        self.folder_edit.setAccessibleName("New folder")
        self.folder_edit.setPlaceholderText("An empty or new folder")
        folder_browse = QPushButton("C&hoose…", self)
        folder_browse.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(folder_browse)
        self.into_new.toggled.connect(self.folder_edit.setEnabled)
        self.into_new.toggled.connect(folder_browse.setEnabled)
        self.in_place_note = Banner(
            BannerKind.WARNING,
            "Restoring in place replaces everything entered since the backup was made. The "
            "current vault is kept aside until the restored one has passed every check.",
            self,
        )
        self.in_place.toggled.connect(self.in_place_note.setVisible)
        self.in_place.toggled.connect(lambda _on: self._fit())
        self.in_place_note.hide()
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Your password")
        self.username = QLineEdit(self)
        self.username.setAccessibleName("Your user name")
        if app is not None:
            self.username.setText(app.actor.username)
        else:
            self.in_place.hide()
            intro.setText(
                "A backup holds the whole vault as it was when the backup was made. It is "
                "restored into a new folder, which then opens; the vault here is left as it is."
            )
            self.into_new.setText("Into a &new folder")
            if near is not None:
                self.folder_edit.setText(
                    str(near.parent / f"{near.name}-restored-{datetime.now():%Y%m%d-%H%M}")
                )
        self.error_banner = Banner(BannerKind.WARNING, "", self)
        self.error_banner.hide()

        form = QFormLayout()
        form.addRow("Backup file:", file_row)
        form.addRow("", self.about_label)
        form.addRow("Restore:", self.into_new)
        form.addRow("", folder_row)
        form.addRow("", self.in_place)
        form.addRow("", self.in_place_note)
        if app is None:
            form.addRow("Your user name:", self.username)
            form.addRow("Your password:", self.password)
        else:
            form.addRow(f"Password of {app.actor.username}:", self.password)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Restore")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.buttons)
        self._fit()

    def _fit(self) -> None:
        """Grow to fit wrapped text that just changed (Qt does not do it by itself)."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.resize(self.width(), self.sizeHint().height())

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Backup file", "", "BTAM backups (*.btambackup)"
        )
        if name:
            self.file_edit.setText(name)
            self._describe()

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Restore into")
        if folder:
            self.folder_edit.setText(folder)

    def _describe(self) -> None:
        path = Path(self.file_edit.text().strip())
        self.manifest = None
        if not self.file_edit.text().strip():
            return
        try:
            self.manifest = backups.read_manifest(path)
        except VaultError as error:
            self.about_label.setText(str(error))
            return
        same = self.app is not None and self.manifest.vault_id == self.app.vault.vault_id
        if self.app is None:
            self.about_label.setText("This backup was " + self.manifest.describe() + ".")
            self._fit()
            return
        self.about_label.setText(
            "This backup was "
            + self.manifest.describe()
            + ("." if same else ". It is of another vault: it can only go into a new folder.")
        )
        self.in_place.setEnabled(same)
        if not same:
            self.into_new.setChecked(True)
        self._fit()

    def show_error(self, text: str) -> None:
        self.error_banner.set_text(text)
        self.error_banner.show()
        self._fit()

    def start(self) -> BackgroundTask | None:
        self._describe()
        if self.manifest is None:
            self.show_error("Choose a backup file first.")
            return None
        path = Path(self.file_edit.text().strip())
        password = self.password.text()
        username = self.username.text().strip()
        app = self.app
        manifest = self.manifest
        if app is not None and self.in_place.isChecked():
            answer = QMessageBox.question(
                self,
                "Replace this vault?",
                f"Replace this vault with the backup {manifest.describe()}? Everything "
                "entered after it was made is lost. Everyone is signed out.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None

            def work(progress: Callable[[int, int, str], None]) -> RestoreResult:
                return app.backups.restore_in_place(path, password, progress)

        else:
            target = self.folder_edit.text().strip()
            if not target:
                self.show_error("Choose an empty or new folder to restore into.")
                return None
            members = set(app.vault.keyfile.usernames()) if app is not None else None

            def work(progress: Callable[[int, int, str], None]) -> RestoreResult:
                return backups.restore_to_new_folder(
                    path,
                    Path(target),
                    username,
                    password,
                    current_members=members,
                    progress=progress,
                )

        progress = BackupProgress("Restoring the backup", self)
        self.ok_button.setEnabled(False)
        task = run_in_background(
            work,
            on_done=lambda result: self._done(result, progress),
            on_error=lambda error: self._failed(error, progress),
            on_progress=progress.report,
            parent=self,
        )
        progress.cancel_task_on_cancel(task)
        task.finished.connect(lambda: self._finished(task, progress))
        progress.show()
        self.task = task
        return task

    def _finished(self, task: BackgroundTask, progress: BackupProgress) -> None:
        """A cancelled task calls no callback; it only finishes."""
        if task.is_cancelled:
            self._failed(TaskCancelled(), progress)

    def _remove_stale(self, result: RestoreResult) -> bool:
        """Offer to remove stale slots at once; runs the removal (a rekey) with progress."""
        names = ", ".join(result.stale_members)
        answer = QMessageBox.question(
            self,
            "Remove old key slots?",
            f"The backup was made before {names} left the team, so it still holds their key "
            "slots: their old passwords would open the restored vault. Remove those slots now? "
            "The restored vault is then re-encrypted with a new key.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        progress = BackupProgress("Removing old key slots", self)
        loop = QEventLoop()
        outcome: list[BaseException | None] = []

        def finish(error: BaseException | None) -> None:
            outcome.append(error)
            loop.quit()

        run_in_background(
            lambda progress: backups.remove_stale_members(
                result.folder,
                self.username.text().strip(),
                self.password.text(),
                result.stale_members,
                progress,
            ),
            on_done=lambda _r: finish(None),
            on_error=finish,
            on_progress=progress.report,
            parent=self,
        )
        progress.show()
        if not outcome:
            loop.exec()
        progress.dismiss()
        if outcome and outcome[0] is not None:
            QMessageBox.warning(self, "Old key slots not removed", error_text(outcome[0]))
            return False
        return True

    def _failed(self, error: BaseException, progress: BackupProgress) -> None:
        progress.dismiss()
        self.ok_button.setEnabled(True)
        if self.app is not None and not self.app.vault.is_open:
            # An in-place restore locks the vault before it starts; its files were put back.
            self.reject()
            reason = "it was cancelled." if isinstance(error, TaskCancelled) else error_text(error)
            self.restored_in_place.emit(
                f"The backup was not restored: {reason} The vault is as it was. Sign in again."
            )
            return
        if isinstance(error, TaskCancelled):
            self.show_error("Cancelled. Nothing was restored.")
            return
        self.show_error(error_text(error))

    def _done(self, result: RestoreResult, progress: BackupProgress) -> None:
        progress.dismiss()
        when = format_datetime(result.manifest.created_at)
        message = f"The backup made {when} was restored and checked."
        if result.stale_members:
            message += (
                f" It still holds the key slots of {', '.join(result.stale_members)}, who are "
                "no longer on the team: their old passwords open it. Remove them under Team."
            )
        if result.stale_members and self._remove_stale(result):
            message = (
                f"The backup made {when} was restored and checked. The key slots of "
                f"{', '.join(result.stale_members)} were removed and the vault re-encrypted."
            )
        self.result_message = message
        if self.in_place.isChecked():
            self.accept()
            self.restored_in_place.emit(message + " Sign in again.")
            return
        if self.app is None:
            self.result_message = message
            self.accept()
            self.restored_to.emit(str(result.folder))
            return
        QMessageBox.information(
            self,
            "Restored",
            message + f" It is in {result.folder}; open it with File ▸ Open another vault.",
        )
        self.accept()
