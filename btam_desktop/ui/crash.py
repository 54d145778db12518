"""When something goes wrong that the program did not expect: a local crash report and a dialog
that says what to do.

``install_crash_handlers`` sets ``sys.excepthook`` and ``threading.excepthook`` (both write a
content-free report, see btam_desktop/logs.py, and show the dialog on the GUI thread) and a Qt
message handler that sends Qt's warnings to the private log instead of a console nobody sees.
Nothing is sent anywhere.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    QUrl,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from btam_desktop import APP_NAME
from btam_desktop.logs import scrub_qt_message, write_crash_report
from btam_desktop.ui.icons import icon

logger = logging.getLogger(__name__)

WHAT_HAPPENED = (
    "Something went wrong inside BTAM Desktop that it did not expect. Everything you saved "
    "before is safe: each record is written completely or not at all."
)
WHAT_TO_DO = (
    "What to do now:\n"
    "1. If the window still responds, finish or save what you were doing, then close BTAM "
    "Desktop and open it again.\n"
    "2. If it happens again, tell the person who supports BTAM Desktop for your team what you "
    "were doing, and give them the details below (use “Copy details”) or the report file.\n"
    "The details hold no names, no case text and no passwords. Nothing was sent anywhere."
)


class CrashDialog(QDialog):
    def __init__(self, details: str, report: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} ran into a problem")
        self.setWindowIcon(icon("warning"))
        self.setMinimumWidth(560)
        self._details = details
        self._report = report

        heading = QLabel("BTAM Desktop ran into a problem", self)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        heading.setFont(font)
        glyph = QLabel(self)
        glyph.setPixmap(icon("warning").pixmap(32, 32))
        top = QHBoxLayout()
        top.addWidget(glyph, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(heading, 1)

        happened = QLabel(WHAT_HAPPENED, self)
        happened.setWordWrap(True)
        todo = QLabel(WHAT_TO_DO, self)
        todo.setWordWrap(True)
        where = QLabel(
            f"The report was saved as {report}" if report else "The report could not be saved.",
            self,
        )
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.details_box = QPlainTextEdit(details, self)
        self.details_box.setReadOnly(True)
        self.details_box.setAccessibleName("Details")
        self.details_box.setMinimumHeight(140)

        self.copy_button = QPushButton(icon("export"), "&Copy details", self)
        self.copy_button.clicked.connect(self.copy_details)
        self.folder_button = QPushButton("Open the report &folder", self)
        self.folder_button.setEnabled(report is not None)
        self.folder_button.clicked.connect(self._open_folder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(happened)
        layout.addWidget(todo)
        layout.addWidget(self.details_box, 1)
        layout.addWidget(where)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self._details)
        self.copy_button.setText("Copied")

    def _open_folder(self) -> None:
        if self._report is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._report.parent)))


class CrashReporter(QObject):
    """Turns unexpected errors on any thread into a report and, on the GUI thread, a dialog."""

    report_ready = Signal(str, str)  # path ('' if not saved), details

    def __init__(self, log_folder: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._folder = log_folder
        self._showing = False
        self.last_dialog: CrashDialog | None = None
        self.report_ready.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def handle(
        self,
        exc_type: type[BaseException],
        exc: BaseException | None,
        tb: TracebackType | None,
        where: str = "",
    ) -> None:
        if exc is not None:
            logger.critical("unexpected %s", exc_type.__name__, exc_info=(exc_type, exc, tb))
        path, details = write_crash_report(exc_type, exc, tb, self._folder, where=where)
        self.report_ready.emit(str(path) if path else "", details)

    def excepthook(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.handle(exc_type, exc, tb, "the window")

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or isinstance(args.exc_value, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a background task"
        self.handle(args.exc_type, args.exc_value, args.exc_traceback, f"thread {name}")

    def _show(self, path: str, details: str) -> None:
        if self._showing or QApplication.instance() is None:
            return  # one dialog at a time: a loop of errors must not bury the screen
        self._showing = True
        dialog = CrashDialog(details, Path(path) if path else None, QApplication.activeWindow())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._closed)
        self.last_dialog = dialog
        dialog.open()  # no nested event loop while things are going wrong

    def _closed(self) -> None:
        self._showing = False
        self.last_dialog = None


def qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's warnings into the private log (quoted names removed), not onto a hidden console."""
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }.get(mode, logging.WARNING)
    category = context.category or "qt"
    logging.getLogger("btam_desktop.qt").log(level, "%s: %s", category, scrub_qt_message(message))


_installed: list[Any] = []


def install_crash_handlers(log_folder: Path | None = None) -> CrashReporter:
    """For the running program (not for tests, which have their own Qt message handling)."""
    reporter = CrashReporter(log_folder, QApplication.instance())
    sys.excepthook = reporter.excepthook
    threading.excepthook = reporter.thread_excepthook
    qInstallMessageHandler(qt_message_handler)
    _installed.append(reporter)
    return reporter
