"""The hash-chained audit trail: append-only in the schema, and any edit, deletion, reordering or
truncation by someone who holds the key is found and located by ``audit.verify``.

To tamper, the tests do what such a person would: open the file with the key outside the program,
drop the triggers that forbid UPDATE and DELETE, and change rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from btam_desktop.domain.models import AuditEvent, VaultInfo
from btam_desktop.store import audit
from btam_desktop.store.vault import Vault
from tests.store._support import ALICE, ALICE_PW, raw_connection

EVENTS = 10
COLUMNS = ("at", "username", "action", "entity_kind", "entity_id", "summary", "prev_hash", "hash")


def append_events(vault: Vault, count: int, start: int = 1) -> None:
    for n in range(start, start + count):
        with vault.write() as session:
            audit.append(
                session,
                username=ALICE if n % 2 else "bob",
                action="case.view" if n % 3 else "case.update",
                entity_kind="case",
                entity_id=n,
                summary=f"event number {n}",
            )


def verify(vault: Vault) -> audit.ChainReport:
    with vault.read() as session:
        return audit.verify(session)


@pytest.fixture
def chain(new_vault):
    """A locked vault holding EVENTS audit events, its data key and the intact head hash."""
    append_events(new_vault.vault, EVENTS)
    report = verify(new_vault.vault)
    assert report.ok and report.events == EVENTS
    new_vault.data_key = new_vault.vault._data_key()
    new_vault.head = report.head_hash
    new_vault.vault.lock()
    return new_vault


def tamper(made: Any, change: Callable[[Any], None]) -> audit.ChainReport:
    conn = raw_connection(made.folder, made.data_key)
    try:
        conn.execute("DROP TRIGGER audit_event_no_update")
        conn.execute("DROP TRIGGER audit_event_no_delete")
        change(conn)
    finally:
        conn.close()
    vault = Vault.open(made.folder, ALICE, ALICE_PW)
    try:
        return verify(vault)
    finally:
        vault.lock()


def row(conn: Any, event_id: int) -> tuple[Any, ...]:
    query = f"SELECT {', '.join(COLUMNS)} FROM audit_event WHERE id = ?"  # noqa: S608
    return tuple(conn.execute(query, (event_id,)).fetchone())


def write_row(conn: Any, event_id: int, values: tuple[Any, ...]) -> None:
    assignments = ", ".join(f"{c} = ?" for c in COLUMNS)
    conn.execute(f"UPDATE audit_event SET {assignments} WHERE id = ?", (*values, event_id))  # noqa: S608


def rehash(conn: Any, event_id: int, **changes: Any) -> None:
    """Change an event and recompute its hash, as someone who knows the algorithm would."""
    values = dict(zip(COLUMNS, row(conn, event_id), strict=True))
    values.update(changes)
    values["hash"] = audit.event_hash(
        event_id=event_id,
        at=_aware(values["at"]),
        username=values["username"],
        action=values["action"],
        entity_kind=values["entity_kind"],
        entity_id=values["entity_id"],
        summary=values["summary"],
        prev_hash=values["prev_hash"],
    )
    write_row(conn, event_id, tuple(values[c] for c in COLUMNS))


def _aware(stored: str) -> Any:
    from datetime import UTC, datetime

    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


def _swap(conn: Any, a: int, b: int) -> None:
    first, second = row(conn, a), row(conn, b)
    write_row(conn, a, second)
    write_row(conn, b, first)


def _append_forged(conn: Any) -> None:
    last = row(conn, EVENTS)
    values = dict(zip(COLUMNS, last, strict=True))
    conn.execute(
        "INSERT INTO audit_event (id, at, username, action, entity_kind, entity_id, summary, "
        "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            EVENTS + 1,
            values["at"],
            "alice",
            "case.export",
            "case",
            "1",
            "exported",
            values["hash"],
            "0" * 64,
        ),
    )
    rehash(conn, EVENTS + 1)


def _shift_time(conn: Any, event_id: int) -> None:
    at = _aware(row(conn, event_id)[0]) - timedelta(days=1)
    conn.execute(
        "UPDATE audit_event SET at = ? WHERE id = ?",
        (at.replace(tzinfo=None).isoformat(sep=" "), event_id),
    )


TAMPERING: dict[str, tuple[Callable[[Any], None], int, str]] = {
    # name: (change, first broken id, words in the problem)
    "edit-summary": (
        lambda c: c.execute("UPDATE audit_event SET summary = 'nothing' WHERE id = 5"),
        5,
        "changed",
    ),
    "edit-user-of-first": (
        lambda c: c.execute("UPDATE audit_event SET username = 'carol' WHERE id = 1"),
        1,
        "changed",
    ),
    "edit-time": (lambda c: _shift_time(c, 7), 7, "changed"),
    "edit-and-rehash": (lambda c: rehash(c, 5, summary="nothing"), 6, "does not follow"),
    "delete-middle": (lambda c: c.execute("DELETE FROM audit_event WHERE id = 4"), 4, "missing"),
    "delete-first": (lambda c: c.execute("DELETE FROM audit_event WHERE id = 1"), 1, "missing"),
    "swap-two": (lambda c: _swap(c, 4, 5), 4, "does not follow"),
    "truncate-end": (
        lambda c: c.execute("DELETE FROM audit_event WHERE id > ?", (EVENTS - 2,)),
        EVENTS - 1,
        "cut off",
    ),
    "forge-one-at-the-end": (_append_forged, EVENTS + 1, "event"),
    "edit-and-rehash-the-last": (lambda c: rehash(c, EVENTS, summary="nothing"), EVENTS, "event"),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_tampering_is_detected_and_located(chain, name: str) -> None:
    change, broken_id, words = TAMPERING[name]
    report = tamper(chain, change)
    assert not report.ok
    assert report.first_broken_id == broken_id, report.describe()
    assert words in report.problem
    assert f"broken at event {broken_id}" in report.describe()


def test_cutting_the_end_and_the_recorded_head_changes_the_head_hash(chain) -> None:
    """Someone with the key who also rewrites the recorded head leaves a consistent but shorter
    chain: only the head hash a team noted outside the vault shows it (as audit.py says)."""

    def cut(conn: Any) -> None:
        conn.execute("DELETE FROM audit_event WHERE id > 8")
        new_head = conn.execute("SELECT hash FROM audit_event WHERE id = 8").fetchone()[0]
        conn.execute("UPDATE vault_info SET value = '8' WHERE key = ?", (audit.HEAD_ID,))
        conn.execute("UPDATE vault_info SET value = ? WHERE key = ?", (new_head, audit.HEAD_HASH))

    report = tamper(chain, cut)
    assert report.ok and report.events == 8
    assert report.head_hash != chain.head


def test_the_schema_refuses_changes_to_audit_events(chain, track) -> None:
    vault = track(Vault.open(chain.folder, ALICE, ALICE_PW))
    with pytest.raises(IntegrityError, match="append-only"), vault.write() as session:
        event = session.get(AuditEvent, 3)
        assert event is not None
        event.summary = "nothing to see"
    with pytest.raises(IntegrityError, match="append-only"), vault.write() as session:
        event = session.get(AuditEvent, 3)
        session.delete(event)
    with pytest.raises(IntegrityError, match="append-only"), vault.write() as session:
        session.execute(text("DELETE FROM audit_event WHERE id > 5"))
    report = verify(vault)
    assert report.ok and report.events == EVENTS and report.head_hash == chain.head


def test_chain_links_and_head(new_vault) -> None:
    vault = new_vault.vault
    assert verify(vault).ok and verify(vault).events == 0
    assert verify(vault).head_hash == audit.GENESIS
    append_events(vault, 3)
    with vault.write() as session:
        long = audit.append(session, username=ALICE, action="note", summary="x" * 1000)
    assert len(long.summary) == audit.SUMMARY_MAX
    with vault.read() as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        head_id = session.get(VaultInfo, audit.HEAD_ID)
        head_hash = session.get(VaultInfo, audit.HEAD_HASH)
    assert [e.id for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(events))
    assert head_id is not None and head_id.value == "4"
    assert head_hash is not None and head_hash.value == events[-1].hash
    report = verify(vault)
    assert report.ok and report.events == 4 and report.head_hash == events[-1].hash
    assert "intact: 4 events" in report.describe()


def test_rolled_back_transaction_leaves_no_event(new_vault) -> None:
    vault = new_vault.vault
    append_events(vault, 2)
    with pytest.raises(RuntimeError), vault.write() as session:
        audit.append(session, username=ALICE, action="case.update", summary="then it failed")
        raise RuntimeError("the change itself failed")
    append_events(vault, 1, start=3)
    report = verify(vault)
    assert report.ok and report.events == 3


def test_verify_walks_in_batches(new_vault) -> None:
    append_events(new_vault.vault, 7)
    with new_vault.vault.read() as session:
        assert audit.verify(session, batch=2).ok
        assert audit.verify(session, batch=2).events == 7
