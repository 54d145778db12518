"""Locking the vault when nobody is at the keyboard.

``InactivityWatcher`` is an application-wide event filter (the KeePassXC idea): every mouse,
keyboard, wheel, touch or tablet event anywhere in the application counts as activity. After the
configured number of minutes without activity it emits ``idle_timeout`` once; the next activity
re-arms it.

Per event the filter only compares the event type and stores a monotonic timestamp; it never
restarts a timer. The single-shot timer, when it fires, looks at the last activity and either
emits or sleeps again for the remaining time.

``lock_requested`` is emitted when the platform tells Qt the session is going away:

- every platform: ``QGuiApplication.applicationStateChanged`` to ``Qt.ApplicationSuspended``
  (mobile-style suspension; desktop platforms rarely report it);
- Windows: ``WM_WTSSESSION_CHANGE`` / ``WTS_SESSION_LOCK`` (screen locked, user switched) and
  ``WM_POWERBROADCAST`` / ``PBT_APMSUSPEND`` (sleep), after ``watch_session_events(window)``
  registered a top-level window for session notifications;
- Linux desktops: the freedesktop ScreenSaver ``ActiveChanged(true)`` signal on the session bus
  and logind's ``PrepareForSleep(true)`` on the system bus, when those buses are reachable.

Limitation: macOS gives Qt no screen-lock or sleep notification (those arrive through
NSWorkspace / NSDistributedNotificationCenter, which Qt does not expose), and a Linux session
without D-Bus reports nothing. There the idle timeout is the only automatic lock, which is why it
must stay on by default.
"""

from __future__ import annotations

import ctypes
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import (
    SLOT,
    QAbstractNativeEventFilter,
    QByteArray,
    QCoreApplication,
    QEvent,
    QObject,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

_ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.KeyPress,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
    }
)

# Windows message numbers (winuser.h, wtsapi32.h).
WM_WTSSESSION_CHANGE = 0x02B1
WTS_SESSION_LOCK = 0x7
WM_POWERBROADCAST = 0x0218
PBT_APMSUSPEND = 0x4


class _WinMsg(ctypes.Structure):
    """The leading fields of the Win32 MSG structure."""

    _fields_ = (
        ("hwnd", ctypes.c_void_p),
        ("message", ctypes.c_uint),
        ("wParam", ctypes.c_size_t),
        ("lParam", ctypes.c_ssize_t),
    )


def is_windows_lock_message(message: int, wparam: int) -> bool:
    """True for the Windows messages meaning "session locked" or "going to sleep"."""
    return (message == WM_WTSSESSION_CHANGE and wparam == WTS_SESSION_LOCK) or (
        message == WM_POWERBROADCAST and wparam == PBT_APMSUSPEND
    )


class WindowsSessionFilter(QAbstractNativeEventFilter):
    """Calls back when a native Windows message says the session locks or the machine sleeps."""

    def __init__(self, on_lock: Callable[[], object]) -> None:
        super().__init__()
        self._on_lock = on_lock

    def nativeEventFilter(
        self, event_type: QByteArray | bytes | bytearray | memoryview, message: int
    ) -> tuple[bool, int]:
        kind = event_type.data() if isinstance(event_type, QByteArray) else bytes(event_type)
        if kind in (b"windows_generic_MSG", b"windows_dispatcher_MSG") and message:
            msg = _WinMsg.from_address(int(message))
            if is_windows_lock_message(msg.message, msg.wParam):
                self._on_lock()
        return False, 0


class InactivityWatcher(QObject):
    """Emits ``idle_timeout`` after a quiet period and ``lock_requested`` on session events."""

    idle_timeout = Signal()
    lock_requested = Signal()

    def __init__(self, timeout_minutes: float = 0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timeout_ms = 0
        self._last_activity = time.monotonic()
        self._expired = False
        self._installed_on: QCoreApplication | None = None
        self._native_filter: WindowsSessionFilter | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.timeout.connect(self._check)
        self.set_timeout_minutes(timeout_minutes)

    # -- configuration ---------------------------------------------------------------------

    @property
    def timeout_ms(self) -> int:
        """The quiet period in milliseconds; 0 means the idle lock is off."""
        return self._timeout_ms

    def set_timeout_minutes(self, minutes: float) -> None:
        """Minutes of inactivity before ``idle_timeout``; 0 disables it."""
        if minutes < 0:
            raise ValueError("idle timeout cannot be negative")
        self.set_timeout_ms(round(minutes * 60_000))

    def set_timeout_ms(self, milliseconds: int) -> None:
        """Same in milliseconds; the tests use tiny intervals through this."""
        if milliseconds < 0:
            raise ValueError("idle timeout cannot be negative")
        self._timeout_ms = milliseconds
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, app: QCoreApplication | None = None) -> None:
        """Watch every input event of ``app`` (default: the running application)."""
        app = app or QCoreApplication.instance()
        if app is None:
            raise RuntimeError("InactivityWatcher needs a running QApplication")
        if self._installed_on is not None:
            return
        app.installEventFilter(self)
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._on_application_state_changed)
        self._installed_on = app
        self.reset()

    def stop(self) -> None:
        """Stop watching (e.g. while the vault is locked anyway)."""
        app = self._installed_on
        if app is not None:
            app.removeEventFilter(self)
            if isinstance(app, QGuiApplication):
                app.applicationStateChanged.disconnect(self._on_application_state_changed)
            if self._native_filter is not None:
                app.removeNativeEventFilter(self._native_filter)
                self._native_filter = None
        self._installed_on = None
        self._timer.stop()

    @property
    def is_running(self) -> bool:
        return self._installed_on is not None

    def reset(self) -> None:
        """Count now as activity and re-arm the timer (e.g. right after unlocking)."""
        self._last_activity = time.monotonic()
        self._expired = False
        if self._timeout_ms > 0 and self._installed_on is not None:
            self._timer.start(self._timeout_ms)
        else:
            self._timer.stop()

    def idle_ms(self) -> int:
        """Milliseconds since the last input event."""
        return int((time.monotonic() - self._last_activity) * 1000)

    # -- platform session events -----------------------------------------------------------

    def watch_session_events(self, window: QWidget | None = None) -> list[str]:
        """Subscribe to the platform's lock/sleep notifications; returns what is being watched.

        On Windows ``window`` (a shown top-level window) is registered for session-change
        messages. Call after ``start()``.
        """
        app = self._installed_on
        if app is None:
            raise RuntimeError("call start() before watch_session_events()")
        watching: list[str] = []
        if sys.platform == "win32":
            if self._native_filter is None:
                self._native_filter = WindowsSessionFilter(self.lock_requested.emit)
                app.installNativeEventFilter(self._native_filter)
            watching.append("windows power")
            if window is not None and _register_windows_session_notification(window):
                watching.append("windows session lock")
        elif sys.platform.startswith("linux"):
            watching.extend(self._watch_dbus())
        return watching

    def _watch_dbus(self) -> list[str]:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # a trimmed build without QtDBus
            return []
        watching: list[str] = []
        session = QDBusConnection.sessionBus()
        if session.isConnected() and session.connect(
            "",
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver",
            "ActiveChanged",
            self,
            SLOT("_on_screensaver_active_changed(bool)").encode(),
        ):
            watching.append("screensaver")
        system = QDBusConnection.systemBus()
        if system.isConnected() and system.connect(
            "org.freedesktop.login1",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            self,
            SLOT("_on_prepare_for_sleep(bool)").encode(),
        ):
            watching.append("sleep")
        return watching

    @Slot(bool)
    def _on_screensaver_active_changed(self, active: bool) -> None:
        if active:
            self.lock_requested.emit()

    @Slot(bool)
    def _on_prepare_for_sleep(self, going_to_sleep: bool) -> None:
        if going_to_sleep:
            self.lock_requested.emit()

    @Slot(Qt.ApplicationState)
    def _on_application_state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock_requested.emit()

    # -- the hot path ----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY_EVENTS:
            self._last_activity = time.monotonic()
            if self._expired:
                # Only after a timeout has fired does activity need the timer re-armed.
                self.reset()
        return False

    @Slot()
    def _check(self) -> None:
        if self._timeout_ms <= 0:
            return
        remaining = self._timeout_ms - self.idle_ms()
        if remaining > 0:
            self._timer.start(remaining)
            return
        self._expired = True
        self.idle_timeout.emit()


def _register_windows_session_notification(window: QWidget) -> bool:
    """Ask Windows to send WM_WTSSESSION_CHANGE to this window (needed for lock events)."""
    if sys.platform != "win32":
        return False
    notify_for_this_session = 0
    try:
        wtsapi32 = ctypes.WinDLL("wtsapi32")
        hwnd = int(window.winId())
        return bool(wtsapi32.WTSRegisterSessionNotification(hwnd, notify_for_this_session))
    except OSError:
        return False
