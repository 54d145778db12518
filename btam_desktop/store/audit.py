"""The hash-chained audit trail.

Each event's hash is SHA-256 over a canonical JSON encoding of its fields plus the previous
event's hash. The head (last id and hash) is also kept in ``vault_info`` in the same
transaction, so cutting events off the end is detected too. A person with the data key could
rewrite the whole chain; ``btam audit verify`` prints the head hash so a team can note it
outside the vault and compare later.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from btam_desktop.domain.models import AuditEvent, VaultInfo
from btam_desktop.domain.text import plural
from btam_desktop.domain.types import utcnow

GENESIS = "0" * 64
HEAD_ID = "audit_head_id"
HEAD_HASH = "audit_head_hash"
SUMMARY_MAX = 300


def event_hash(
    *,
    event_id: int,
    at: datetime,
    username: str,
    action: str,
    entity_kind: str,
    entity_id: str,
    summary: str,
    prev_hash: str,
    case_id: int | None = None,
) -> str:
    canonical = json.dumps(
        {
            "id": event_id,
            "case": case_id,
            "at": at.isoformat(timespec="microseconds"),
            "user": username,
            "action": action,
            "kind": entity_kind,
            "entity": entity_id,
            "summary": summary,
            "prev": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


def _head(session: Session) -> tuple[int, str]:
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    if last is None or last.id is None:
        return 0, GENESIS
    return last.id, last.hash


def append(
    session: Session,
    *,
    username: str,
    action: str,
    entity_kind: str = "",
    entity_id: str | int | None = "",
    summary: str = "",
    case_id: int | None = None,
) -> AuditEvent:
    """Add an event in the caller's transaction (which must be a write transaction)."""
    prev_id, prev_hash = _head(session)
    event_id = prev_id + 1
    at = utcnow()
    entity = "" if entity_id is None else str(entity_id)
    summary = summary[:SUMMARY_MAX]
    digest = event_hash(
        event_id=event_id,
        at=at,
        username=username,
        action=action,
        entity_kind=entity_kind,
        entity_id=entity,
        summary=summary,
        prev_hash=prev_hash,
        case_id=case_id,
    )
    event = AuditEvent(
        id=event_id,
        at=at,
        username=username,
        action=action,
        entity_kind=entity_kind,
        entity_id=entity,
        case_id=case_id,
        summary=summary,
        prev_hash=prev_hash,
        hash=digest,
    )
    session.add(event)
    session.merge(VaultInfo(key=HEAD_ID, value=str(event_id)))
    session.merge(VaultInfo(key=HEAD_HASH, value=digest))
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    head_hash: str
    first_broken_id: int | None = None
    problem: str = ""

    def describe(self) -> str:
        if self.ok:
            return (
                f"Audit trail intact: {plural(self.events, 'event')}, head {self.head_hash[:16]}…"
            )
        return f"Audit trail broken at event {self.first_broken_id}: {self.problem}"


def verify(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the chain in id order and name the first broken link."""
    expected_prev = GENESIS
    expected_id = 1
    count = 0
    last_id = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.id) > last_id)
            .order_by(col(AuditEvent.id))
            .limit(batch)
        ).all()
        if not rows:
            break
        for event in rows:
            assert event.id is not None
            if event.id != expected_id:
                return ChainReport(
                    False,
                    count,
                    expected_prev,
                    expected_id,
                    f"event {expected_id} is missing (the next one found is {event.id})",
                )
            if event.prev_hash != expected_prev:
                return ChainReport(
                    False,
                    count,
                    expected_prev,
                    event.id,
                    "it does not follow the event before it (events removed or reordered)",
                )
            recomputed = event_hash(
                event_id=event.id,
                at=event.at,
                username=event.username,
                action=event.action,
                entity_kind=event.entity_kind,
                entity_id=event.entity_id,
                summary=event.summary,
                prev_hash=event.prev_hash,
                case_id=event.case_id,
            )
            if recomputed != event.hash:
                return ChainReport(
                    False, count, expected_prev, event.id, "its content was changed after writing"
                )
            expected_prev = event.hash
            expected_id += 1
            count += 1
            last_id = event.id
    head_id = session.get(VaultInfo, HEAD_ID)
    head_hash = session.get(VaultInfo, HEAD_HASH)
    recorded = int(head_id.value) if head_id and head_id.value.isdigit() else 0
    if recorded > count:
        return ChainReport(
            False,
            count,
            expected_prev,
            count + 1,
            f"the vault recorded {recorded} events but only {count} are present "
            "(events were cut off the end)",
        )
    if recorded < count:
        return ChainReport(
            False,
            count,
            expected_prev,
            recorded + 1,
            f"the vault recorded {recorded} events but {count} are present "
            "(events were added outside the program)",
        )
    if head_hash is not None and head_hash.value != expected_prev:
        return ChainReport(
            False,
            count,
            expected_prev,
            count,
            "the last event differs from the one the vault recorded (changed after writing)",
        )
    return ChainReport(True, count, expected_prev)
