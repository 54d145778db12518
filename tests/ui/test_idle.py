"""The inactivity watcher: real input events keep the vault open, silence locks it."""

from __future__ import annotations

import ctypes
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from btam_desktop.ui import idle
from btam_desktop.ui.idle import InactivityWatcher

# Generous against a busy CI machine: input comes every STEP_MS, the timeout is many steps long.
TIMEOUT_MS = 400
STEP_MS = 50


@pytest.fixture
def field(qtbot: QtBot) -> QLineEdit:
    line_edit = QLineEdit()
    line_edit.setAccessibleName("Test field")
    qtbot.addWidget(line_edit)
    line_edit.show()
    qtbot.waitExposed(line_edit)
    return line_edit


@pytest.fixture
def watcher(qapp: QApplication) -> Iterator[InactivityWatcher]:
    inactivity = InactivityWatcher()
    yield inactivity
    inactivity.stop()


def keep_typing(qtbot: QtBot, field: QLineEdit, duration_ms: int) -> None:
    for _ in range(duration_ms // STEP_MS):
        QTest.keyClick(field, Qt.Key.Key_A)
        qtbot.wait(STEP_MS)


def test_no_input_fires_idle_timeout(
    qapp: QApplication, qtbot: QtBot, watcher: InactivityWatcher
) -> None:
    watcher.set_timeout_ms(60)
    started = time.monotonic()
    with qtbot.waitSignal(watcher.idle_timeout, timeout=3000):
        watcher.start(qapp)
    assert (time.monotonic() - started) * 1000 >= 55
    assert watcher.idle_ms() >= 55


def test_key_presses_reset_the_timer(
    qapp: QApplication, qtbot: QtBot, watcher: InactivityWatcher, field: QLineEdit
) -> None:
    watcher.set_timeout_ms(TIMEOUT_MS)
    watcher.start(qapp)
    with qtbot.assertNotEmitted(watcher.idle_timeout):
        keep_typing(qtbot, field, 2 * TIMEOUT_MS)
    assert field.text().startswith("aaaa"), "the keys really reached the widget"
    with qtbot.waitSignal(watcher.idle_timeout, timeout=5000):
        pass
    assert watcher.idle_ms() >= TIMEOUT_MS - 5


def test_mouse_input_resets_the_timer(
    qapp: QApplication, qtbot: QtBot, watcher: InactivityWatcher, field: QLineEdit
) -> None:
    watcher.set_timeout_ms(TIMEOUT_MS)
    watcher.start(qapp)
    with qtbot.assertNotEmitted(watcher.idle_timeout):
        for step in range(2 * TIMEOUT_MS // STEP_MS):
            if step % 2:
                QTest.mouseClick(field, Qt.MouseButton.LeftButton, pos=QPoint(5 + step, 5))
            else:
                QTest.mouseMove(field, QPoint(10 + step, 8))
            qtbot.wait(STEP_MS)
    with qtbot.waitSignal(watcher.idle_timeout, timeout=5000):
        pass


def test_wheel_counts_as_input(
    qapp: QApplication, qtbot: QtBot, watcher: InactivityWatcher, field: QLineEdit
) -> None:
    watcher.set_timeout_ms(TIMEOUT_MS)
    watcher.start(qapp)
    with qtbot.assertNotEmitted(watcher.idle_timeout):
        for _ in range(2 * TIMEOUT_MS // STEP_MS):
            wheel = QWheelEvent(
                QPointF(5, 5),
                QPointF(field.mapToGlobal(QPoint(5, 5))),
                QPoint(0, 0),
                QPoint(0, -120),
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
                Qt.ScrollPhase.NoScrollPhase,
                False,
            )
            QApplication.sendEvent(field, wheel)
            qtbot.wait(STEP_MS)


def test_repaints_and_timers_are_not_activity(
    qapp: QApplication, qtbot: QtBot, watcher: InactivityWatcher, field: QLineEdit
) -> None:
    busy = QTimer()
    busy.setInterval(5)
    busy.timeout.connect(field.repaint)
    busy.start()
    try:
        watcher.set_timeout_ms(150)
        with qtbot.waitSignal(watcher.idle_timeout, timeout=3000):
            watcher.start(qapp)
    finally:
        busy.stop()


def test_fires_once_and_rearms_on_the_next_input(
    qapp: QApplication, qtbot: QtBot, watcher: InactivityWatcher, field: QLineEdit
) -> None:
    watcher.set_timeout_ms(80)
    with qtbot.waitSignal(watcher.idle_timeout, timeout=3000):
        watcher.start(qapp)
    with qtbot.assertNotEmitted(watcher.idle_timeout, wait=300):
        pass
    with qtbot.waitSignal(watcher.idle_timeout, timeout=3000):
        QTest.keyClick(field, Qt.Key.Key_B)


def test_zero_minutes_disables_the_idle_lock(
    qapp: QApplication, qtbot: QtBot, watcher: InactivityWatcher
) -> None:
    watcher.set_timeout_minutes(0)
    watcher.start(qapp)
    assert watcher.timeout_ms == 0
    with qtbot.assertNotEmitted(watcher.idle_timeout, wait=200):
        pass


def test_minutes_are_converted_and_negative_is_refused(watcher: InactivityWatcher) -> None:
    watcher.set_timeout_minutes(5)
    assert watcher.timeout_ms == 300_000
    watcher.set_timeout_minutes(0.5)
    assert watcher.timeout_ms == 30_000
    with pytest.raises(ValueError):
        watcher.set_timeout_minutes(-1)
    with pytest.raises(ValueError):
        watcher.set_timeout_ms(-1)


def test_stop_removes_the_filter_and_the_timer(
    qapp: QApplication, qtbot: QtBot, watcher: InactivityWatcher
) -> None:
    watcher.set_timeout_ms(60)
    watcher.start(qapp)
    assert watcher.is_running
    watcher.stop()
    assert not watcher.is_running
    with qtbot.assertNotEmitted(watcher.idle_timeout, wait=250):
        pass


def test_application_suspended_requests_a_lock(
    qapp: QApplication, qtbot: QtBot, watcher: InactivityWatcher
) -> None:
    watcher.start(qapp)
    with qtbot.assertNotEmitted(watcher.lock_requested):
        qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationInactive)
    with qtbot.waitSignal(watcher.lock_requested, timeout=1000):
        qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationSuspended)


def test_screensaver_and_sleep_signals_request_a_lock(
    qtbot: QtBot, watcher: InactivityWatcher
) -> None:
    # What the D-Bus connections deliver on Linux desktops.
    with qtbot.assertNotEmitted(watcher.lock_requested):
        watcher._on_screensaver_active_changed(False)
        watcher._on_prepare_for_sleep(False)
    with qtbot.waitSignal(watcher.lock_requested, timeout=1000):
        watcher._on_screensaver_active_changed(True)
    with qtbot.waitSignal(watcher.lock_requested, timeout=1000):
        watcher._on_prepare_for_sleep(True)


def test_watching_session_events_needs_start_first(
    qapp: QApplication, watcher: InactivityWatcher
) -> None:
    with pytest.raises(RuntimeError, match="start"):
        watcher.watch_session_events()
    watcher.start(qapp)
    watching = watcher.watch_session_events()
    known = {"screensaver", "sleep", "windows power", "windows session lock"}
    assert set(watching) <= known


@pytest.mark.parametrize(
    "message,wparam,locks",
    [
        (idle.WM_WTSSESSION_CHANGE, idle.WTS_SESSION_LOCK, True),
        (idle.WM_WTSSESSION_CHANGE, 0x8, False),  # WTS_SESSION_UNLOCK
        (idle.WM_POWERBROADCAST, idle.PBT_APMSUSPEND, True),
        (idle.WM_POWERBROADCAST, 0x12, False),  # PBT_APMRESUMEAUTOMATIC
        (0x0100, idle.WTS_SESSION_LOCK, False),  # WM_KEYDOWN
    ],
)
def test_windows_lock_messages(message: int, wparam: int, locks: bool) -> None:
    assert idle.is_windows_lock_message(message, wparam) is locks


def test_windows_native_filter_reads_the_msg_structure() -> None:
    calls: list[str] = []
    native = idle.WindowsSessionFilter(lambda: calls.append("lock"))
    locked = idle._WinMsg(None, idle.WM_WTSSESSION_CHANGE, idle.WTS_SESSION_LOCK, 0)
    unlocked = idle._WinMsg(None, idle.WM_WTSSESSION_CHANGE, 0x8, 0)

    assert native.nativeEventFilter(b"windows_generic_MSG", ctypes.addressof(unlocked)) == (
        False,
        0,
    )
    assert calls == []
    native.nativeEventFilter(b"xcb_generic_event_t", ctypes.addressof(locked))
    assert calls == [], "only Windows messages are decoded"
    native.nativeEventFilter(b"windows_generic_MSG", ctypes.addressof(locked))
    assert calls == ["lock"]
