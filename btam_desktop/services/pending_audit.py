"""Audit events that could not be written yet, because the disk is full or the vault was opened
from read-only media.

Reading, searching and printing must keep working on a full disk, yet each view and print is an
audit event. Such an event waits here, in memory only (never in a file: it names a case), and
is written, with its original time, by the next write that succeeds, or by :func:`flush`. The
queue belongs to the vault (by id), so an event queued before locking is written after the next
unlock in the same run. The window shows how many are waiting.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

LATE_NOTE = " (recorded late: it could not be written at the time)"


@dataclass(frozen=True)
class PendingEvent:
    at: datetime
    username: str
    action: str
    entity_kind: str
    entity_id: str
    summary: str
    case_id: int | None


class PendingAudit:
    """The events of one vault waiting to be written, oldest first."""

    def __init__(self) -> None:
        self._events: list[PendingEvent] = []
        self._guard = threading.Lock()

    def __len__(self) -> int:
        with self._guard:
            return len(self._events)

    def add(self, event: PendingEvent) -> None:
        with self._guard:
            self._events.append(event)

    def snapshot(self) -> list[PendingEvent]:
        with self._guard:
            return list(self._events)

    def written(self, events: list[PendingEvent]) -> None:
        """Forget ``events`` once the transaction that wrote them has committed."""
        with self._guard:
            for event in events:
                if event in self._events:
                    self._events.remove(event)


_QUEUES: dict[str, PendingAudit] = {}
_QUEUES_GUARD = threading.Lock()


def queue_for(vault_id: str) -> PendingAudit:
    with _QUEUES_GUARD:
        return _QUEUES.setdefault(vault_id, PendingAudit())
