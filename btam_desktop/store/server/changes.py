"""Other computers' changes, as they are committed: LISTEN/NOTIFY on the team server.

Triggers (migration 0012) send ``table:case_id`` on channel ``btam_changes`` for every change to
a case or a record in it, when the change commits. A ``ChangeListener`` keeps one connection
listening on a background thread and hands each case id to a callback; the window refreshes the
case list and an open case from it. The messages hold ids only, which the server sees anyway.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import psycopg

from btam_desktop.store.server.connection import ServerAddress, connect

CHANNEL = "btam_changes"
POLL_SECONDS = 0.5


class ChangeListener:
    """Calls ``on_change(table, case_id)`` from a background thread for each committed change."""

    def __init__(self, address: ServerAddress, on_change: Callable[[str, int | None], None]):
        self._address = address
        self._on_change = on_change
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._conn: psycopg.Connection[Any] | None = None
        self._thread = threading.Thread(target=self._run, name="btam-server-changes", daemon=True)

    def start(self, timeout: float = 10.0) -> ChangeListener:
        self._thread.start()
        self._ready.wait(timeout)
        return self

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                conn = connect(self._address)
            except Exception:  # the server is away: try again shortly
                self._ready.set()
                self._stopping.wait(2.0)
                continue
            self._conn = conn
            try:
                conn.autocommit = True
                conn.execute(f"LISTEN {CHANNEL}")
                self._ready.set()
                while not self._stopping.is_set():
                    for note in conn.notifies(timeout=POLL_SECONDS):
                        self._deliver(note.payload)
            except psycopg.Error:
                if not self._stopping.is_set():
                    self._stopping.wait(1.0)  # dropped: reconnect
            finally:
                with contextlib.suppress(Exception):
                    conn.close()
                self._conn = None

    def _deliver(self, payload: str) -> None:
        if self._stopping.is_set():
            return  # stopped: whoever asked for the changes may be gone
        table, _, case = payload.partition(":")
        case_id = int(case) if case.isdigit() else None
        with contextlib.suppress(Exception):  # a failing callback must not stop listening
            self._on_change(table, case_id)

    def stop(self, wait: bool = False) -> None:
        """Stop listening. Without ``wait`` this returns at once (the window locks without a
        pause); the thread ends within half a second and delivers nothing more."""
        self._stopping.set()
        if wait:
            self._thread.join(timeout=5)
