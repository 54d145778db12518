"""Other computers' changes on a team server, brought to the window (issue 16).

The listener (``services.team_server.watch_changes``) calls back on its own thread; the relay
turns each call into a queued signal on the GUI thread, coalesces a burst (a save touches
several records) and announces it on ``vault_events()`` a moment later: one change per case, and
one without a case for team-wide records. A change from another computer takes the same path as
one from this computer, so every screen refreshes the same way (issue 13). A vault has nobody
else writing: no relay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from btam_desktop.services.app import Btam
from btam_desktop.ui.vault_events import VaultChange, announce

if TYPE_CHECKING:
    from btam_desktop.services.team_server import ChangeWatch

COALESCE_MS = 300


class ServerChangeRelay(QObject):
    changed = Signal(list)  # the ids of the cases changed (coalesced)
    _heard = Signal(int)  # emitted on the listener's thread, delivered on the GUI thread

    def __init__(self, app: Btam, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self._deliver)
        self._cases: set[int] = set()
        self._team_wide = False
        self._heard.connect(self._collect)
        # The team server's code (psycopg, its store) loads only for a team server.
        from btam_desktop.services.team_server import watch_changes

        self._watch: ChangeWatch | None = watch_changes(
            app, lambda _table, case: self._heard.emit(-1 if case is None else case)
        )

    def _collect(self, case_id: int) -> None:
        if case_id >= 0:
            self._cases.add(case_id)
        else:
            self._team_wide = True
        self._timer.start()

    def _deliver(self) -> None:
        cases, self._cases = sorted(self._cases), set()
        team_wide, self._team_wide = self._team_wide, False
        self.changed.emit(cases)
        for case_id in cases:
            announce(VaultChange("server", case_id))
        if team_wide or not cases:
            announce(VaultChange("server", None))

    @property
    def active(self) -> bool:
        return self._watch is not None

    def stop(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.stop()
        self._timer.stop()


def follow_server_changes(app: Btam, parent: QObject) -> ServerChangeRelay | None:
    """A relay announcing other computers' changes on the GUI thread, or None on a vault."""
    if not app.vault.on_team_server:
        return None
    relay = ServerChangeRelay(app, parent)
    if not relay.active:
        relay.deleteLater()
        return None
    return relay
