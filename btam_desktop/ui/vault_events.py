"""One signal when the vault changes, so screens refresh themselves (issue 13).

A save on this computer (``ui.operations.run_operation``) and a save on another computer of a
team server (``ui.server_changes``) both end in ``vault_events().changed``. A screen does not
call another screen: it follows the signal through ``RefreshOnChange``, which coalesces a burst
into one refresh and refreshes a hidden screen only when it is shown again.

    self._follow = RefreshOnChange(self, self.refresh)                 # every change
    RefreshOnChange(self, self.refresh, wants=lambda c: c.case_id == self.case_id)
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

COALESCE_MS = 100


@dataclass(frozen=True)
class VaultChange:
    """What changed: ``kind`` says what sort of record ("case", "note", "plan", "team",
    "account", ...), ``case_id`` the case it belongs to, None for team-wide records.

    ``origin`` is the screen that made the change (not compared): that screen, and any screen
    it sits in or that opened it, has already shown it and skips its own refresh."""

    kind: str
    case_id: int | None = None
    origin: object | None = field(default=None, compare=False, repr=False)


class VaultEvents(QObject):
    """The hub: ``changed(VaultChange)`` on the GUI thread, one per change."""

    changed = Signal(object)

    def announce(self, change: VaultChange) -> None:
        self.changed.emit(change)


_hub: VaultEvents | None = None
_hub_app: QObject | None = None


def vault_events() -> VaultEvents:
    """The program's hub, owned by the running QApplication (a new one for a new app)."""
    global _hub, _hub_app
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("vault events need a running QApplication")
    if _hub is None or _hub_app is not app:
        _hub, _hub_app = VaultEvents(app), app
    return _hub


def announce(change: VaultChange) -> None:
    vault_events().announce(change)


class RefreshOnChange(QObject):
    """Calls ``refresh`` once for a burst of wanted changes: at once (after ``COALESCE_MS``)
    if ``widget`` is visible, otherwise the next time it is shown."""

    def __init__(
        self,
        widget: QWidget,
        refresh: Callable[[], object],
        *,
        wants: Callable[[VaultChange], bool] | None = None,
        interval_ms: int = COALESCE_MS,
    ) -> None:
        super().__init__(widget)
        # No strong reference back to the screen (it is this object's Qt parent, and a bound
        # ``refresh`` is held weakly): a screen that nothing else holds is freed at once, not
        # by Python's cycle collector, which would clear this follower's state before Qt is
        # done with it while deleting the screen.
        self._refresh: Callable[[], Callable[[], object] | None] = (
            weakref.WeakMethod(refresh) if inspect.ismethod(refresh) else lambda: refresh
        )
        self._wants = wants
        self.stale = False
        self.refreshes = 0  # how many refreshes this follower asked for (tests, diagnostics)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._due)
        widget.installEventFilter(self)
        vault_events().changed.connect(self._heard)

    @property
    def _widget(self) -> QWidget | None:
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None

    def _heard(self, change: object) -> None:
        if not isinstance(change, VaultChange):
            return
        if self._made_here(change.origin):
            return  # the screen that saved (or one inside it) has shown it already
        if self._wants is not None and not self._wants(change):
            return
        self.stale = True
        self._timer.start()

    def _made_here(self, origin: object) -> bool:
        """``origin`` is this screen, a widget in it, or a window it opened (a dialog or the
        assessment wizard, whose parent it is): the QObject parents, not only the widgets in
        one window as ``QWidget.isAncestorOf`` would have it."""
        widget = self._widget
        node = origin if isinstance(origin, QObject) else None
        while node is not None:
            if node is widget:
                return True
            node = node.parent()
        return False

    def _due(self) -> None:
        widget = self._widget
        if self.stale and widget is not None and widget.isVisible():
            self._run()

    def _run(self) -> None:
        refresh = self._refresh()
        if refresh is None:
            return  # the screen is gone
        self.stale = False
        self.refreshes += 1
        refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and watched is self._widget and self.stale:
            # Later, not inside the show event: the refresh may start background work.
            QTimer.singleShot(0, self, self._due)
        return False

    def flush(self) -> None:
        """Refresh now if a change is waiting (e.g. before a screenshot)."""
        self._timer.stop()
        if self.stale:
            self._run()


__all__ = [
    "COALESCE_MS",
    "RefreshOnChange",
    "VaultChange",
    "VaultEvents",
    "announce",
    "vault_events",
]
