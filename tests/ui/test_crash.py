"""The crash dialog: what happened, what to do, 'Copy details', and a report without content."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from btam_desktop.logs import CONTENT_PROMISE
from btam_desktop.ui.crash import WHAT_TO_DO, CrashReporter

SECRET = "Jordan Canaryfield said something about Friday"


def _boom() -> None:
    raise ValueError(SECRET)


def test_unexpected_error_writes_a_report_and_shows_the_dialog(qtbot, tmp_path: Path) -> None:
    reporter = CrashReporter(tmp_path / "logs")
    try:
        _boom()
    except ValueError as error:
        reporter.excepthook(type(error), error, error.__traceback__)
    qtbot.waitUntil(lambda: reporter.last_dialog is not None and reporter.last_dialog.isVisible())
    dialog = reporter.last_dialog
    assert dialog is not None
    details = dialog.details_box.toPlainText()
    assert "builtins.ValueError" in details and "in _boom" in details
    assert SECRET not in details and CONTENT_PROMISE in details

    reports = list((tmp_path / "logs").glob("crash-*.txt"))
    assert len(reports) == 1
    assert SECRET not in reports[0].read_text("utf-8")

    dialog.copy_button.click()
    assert QApplication.clipboard().text() == details
    assert dialog.copy_button.text() == "Copied"
    texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.copy_button)))
    assert "Copy" in texts or "Copied" in texts
    assert WHAT_TO_DO.splitlines()[0] == "What to do now:"
    dialog.resize(640, 520)
    dialog.grab().save("/tmp/shots/i14/crash_dialog.png")
    dialog.close()
    qtbot.waitUntil(lambda: reporter.last_dialog is None)


def test_a_second_error_while_the_dialog_is_open_does_not_stack_dialogs(qtbot, tmp_path) -> None:
    reporter = CrashReporter(tmp_path / "logs")
    for _ in range(3):
        try:
            _boom()
        except ValueError as error:
            reporter.excepthook(type(error), error, error.__traceback__)
    qtbot.waitUntil(lambda: reporter.last_dialog is not None)
    qtbot.wait(50)
    assert reporter.last_dialog is not None
    assert len(list((tmp_path / "logs").glob("crash-*.txt"))) >= 1
    visible = [
        w
        for w in QApplication.topLevelWidgets()
        if w.isVisible() and w.windowTitle().endswith("ran into a problem")
    ]
    assert len(visible) == 1
    reporter.last_dialog.close()
    qtbot.waitUntil(lambda: reporter.last_dialog is None)


def test_an_error_in_a_background_thread_is_reported_on_the_gui_thread(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    import threading

    reporter = CrashReporter(tmp_path / "logs")
    monkeypatch.setattr(threading, "excepthook", reporter.thread_excepthook)
    worker = threading.Thread(target=_boom, name="worker-1")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: reporter.last_dialog is not None and reporter.last_dialog.isVisible())
    dialog = reporter.last_dialog
    assert dialog is not None
    details = dialog.details_box.toPlainText()
    assert "thread worker-1" in details and SECRET not in details
    dialog.close()
    qtbot.waitUntil(lambda: reporter.last_dialog is None)
