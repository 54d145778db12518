"""Reminders in the system tray: "Case 2026-0042: check-in is due today."

Every few minutes the notifier reads the tasks off the GUI thread and shows one tray message for
what fell due today or became overdue since the last look: each task at most once a day. A
message says only what ``Task.notification_text`` says (the kind of task and the case number),
never a person's name or anything written in the plan: the tray is visible to whoever walks by,
and some desktops keep old messages. Clicking the message asks to open the case.

Where the desktop has no system tray (some Linux desktops, the test platform) the notifier does
nothing and says so in ``available`` / ``unavailable_reason``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from btam_desktop.services.app import Btam
from btam_desktop.services.tasks import Bucket, Task, local_today
from btam_desktop.ui.icons import icon
from btam_desktop.ui.tasks import run_in_background

CHECK_INTERVAL_MS = 5 * 60 * 1000
FIRST_CHECK_MS = 15 * 1000
MESSAGE_TITLE = "BTAM Desktop reminder"
MESSAGE_MS = 15_000
SHOWN_IN_ONE_MESSAGE = 3
NO_TRAY_REASON = (
    "This desktop has no system tray, so reminders cannot pop up. The My tasks page shows "
    "everything that is due."
)

TaskKey = tuple[str, int | None, str, date]


def task_key(task: Task) -> TaskKey:
    return (task.kind.value, task.case_id, task.intervention_key, task.due_on)


def compose(texts: Sequence[str]) -> tuple[str, str]:
    """Title and body of one tray message for several reminders."""
    if len(texts) == 1:
        return MESSAGE_TITLE, texts[0]
    body = "\n".join(texts[:SHOWN_IN_ONE_MESSAGE])
    more = len(texts) - SHOWN_IN_ONE_MESSAGE
    if more > 0:
        body += f"\nand {more} more: see My tasks."
    return f"{len(texts)} reminders", body


class ReminderNotifier(QObject):
    """A tray icon that reminds of tasks falling due; ``open_case_requested`` on a click."""

    open_case_requested = Signal(int)
    checked = Signal(list)  # the reminder texts of one check (possibly empty)

    def __init__(self, app: Btam, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.unavailable_reason = "" if self.available else NO_TRAY_REASON
        self.tray: QSystemTrayIcon | None = None
        self.last_messages: list[str] = []
        self._notified_on: date | None = None
        self._notified: set[TaskKey] = set()
        self._open_case: int | None = None
        self._checking = False
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.check_now)
        if not self.available:
            return
        self.tray = QSystemTrayIcon(icon("task"), self)
        self.tray.setToolTip("BTAM Desktop")
        self.tray.messageClicked.connect(self._message_clicked)
        self.tray.show()
        self._timer.start()
        QTimer.singleShot(FIRST_CHECK_MS, self, self.check_now)

    def is_running(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        """Stop checking and remove the tray icon (call before the vault locks)."""
        self._timer.stop()
        if self.tray is not None:
            self.tray.hide()

    # ---- checking ----------------------------------------------------------------------------

    def check_now(self) -> None:
        """Read the tasks (off the GUI thread) and remind of what newly needs attention."""
        if not self.available or self._checking or not self.app.vault.is_open:
            return
        self._checking = True
        app = self.app
        today = local_today()
        run_in_background(
            lambda: app.tasks.tasks(today, horizon_days=0),
            on_done=lambda tasks: self._checked(tasks, today),
            on_error=self._failed,
            parent=self,
        )

    def _checked(self, tasks: list[Task], today: date) -> None:
        self._checking = False
        self.remind(tasks, today)

    def _failed(self, _error: BaseException) -> None:
        self._checking = False  # a locked vault or a busy disk: try again next time

    def due(self, tasks: Sequence[Task], today: date) -> list[Task]:
        """The tasks due today or overdue that were not reminded of yet today."""
        seen = self._notified if self._notified_on == today else set()
        return [
            t
            for t in tasks
            if t.bucket(today) in (Bucket.TODAY, Bucket.OVERDUE) and task_key(t) not in seen
        ]

    def remind(self, tasks: Sequence[Task], today: date | None = None) -> list[str]:
        """Show (and remember) the reminders for ``tasks``; returns the texts shown."""
        today = today or local_today()
        if self._notified_on != today:
            self._notified_on = today
            self._notified = set()
        fresh = self.due(tasks, today)
        fresh.sort(key=lambda t: (t.bucket(today) != Bucket.OVERDUE, t.due_on, t.case_number))
        texts = [t.notification_text(today) for t in fresh]
        self._notified.update(task_key(t) for t in fresh)
        self.last_messages = texts
        if texts:
            self._open_case = next((t.case_id for t in fresh if t.case_id is not None), None)
            if self.tray is not None:
                title, body = compose(texts)
                self.tray.showMessage(
                    title, body, QSystemTrayIcon.MessageIcon.Information, MESSAGE_MS
                )
        self.checked.emit(texts)
        return texts

    def _message_clicked(self) -> None:
        if self._open_case is not None:
            self.open_case_requested.emit(self._open_case)
