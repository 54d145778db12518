"""The hash-chained audit trail.

Each event's hash is SHA-256 over a canonical JSON encoding of its fields plus the previous
event's hash. The head (last id and hash) is also kept in ``vault_info`` in the same
transaction, so cutting events off the end is detected too. A person with the data key could
rewrite the whole chain, so each event is also signed (Ed25519) by its author over its hash
(which covers its content and the previous hash) and, for an event about a case or an account,
a hash of that record's state after the change. The signing key sits in the author's key slot,
opened only by their password; the vault key vouches for each member's public key. Verifying
needs only public keys. A rewrite of someone else's event, a deleted and re-hashed stretch, or
a record changed without a signed event fails and is located. What signatures cannot show: a
member cutting off the newest events; the rollback anchors kept on each computer and
``btam audit verify --expect HEAD`` catch that.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from btam_desktop.domain.models import Account, AuditEvent, Case, LevelDecision, VaultInfo
from btam_desktop.domain.text import plural
from btam_desktop.domain.types import utcnow
from btam_desktop.store import signing

SIGNER_INFO = "btam_signer"  # session.info key: the Signer of the person writing
# Whose key signs an event written with the recovery key (services.context.RECOVERY_ACTOR).
RECOVERY_USERNAME = signing.RECOVERY_USERNAME
ABSENT = "absent"

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


def _row_state(row: object) -> dict[str, object]:
    data = row.model_dump()  # type: ignore[attr-defined]
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def state_target(entity_kind: str, entity_id: str, case_id: int | None) -> tuple[str, int] | None:
    """Which record an event vouches for: the account it is about, else the case."""
    if entity_kind == "account" and entity_id.isdigit():
        return ("account", int(entity_id))
    if case_id is not None:
        return ("case", case_id)
    return None


def state_hash(session: Session, target: tuple[str, int]) -> str:
    """SHA-256 over the record's current state: the account row, or the case row and its
    level-of-concern decisions."""
    kind, ident = target
    if kind == "account":
        account = session.get(Account, ident)
        return _digest(kind, ABSENT if account is None else _row_state(account))
    case = session.get(Case, ident)
    if case is None:
        return _digest(kind, ABSENT)
    levels = session.exec(
        select(LevelDecision)
        .where(col(LevelDecision.case_id) == ident)
        .order_by(col(LevelDecision.id))
    ).all()
    return _case_digest(case, list(levels))


def _digest(kind: str, state: object) -> str:
    return hashlib.sha256(signing.canonical({kind: state})).hexdigest()


def _case_digest(case: Case, levels: list[LevelDecision]) -> str:
    return _digest("case", {"case": _row_state(case), "levels": [_row_state(lv) for lv in levels]})


def case_state_hashes(session: Session, case_ids: list[int]) -> dict[int, str]:
    """``state_hash`` for many cases at once (a few queries per thousand, not per case)."""
    found: dict[int, str] = {}
    for start in range(0, len(case_ids), 900):
        chunk = case_ids[start : start + 900]
        cases = session.exec(select(Case).where(col(Case.id).in_(chunk))).all()
        levels: dict[int, list[LevelDecision]] = {}
        for level in session.exec(
            select(LevelDecision)
            .where(col(LevelDecision.case_id).in_(chunk))
            .order_by(col(LevelDecision.id))
        ).all():
            levels.setdefault(level.case_id, []).append(level)
        for case in cases:
            assert case.id is not None
            found[case.id] = _case_digest(case, levels.get(case.id, []))
        session.expunge_all()  # keep memory flat on a large vault
    for ident in case_ids:
        found.setdefault(ident, _digest("case", ABSENT))
    return found


def signed_message(event_hash_hex: str, state: str) -> bytes:
    return f"btam-event|{event_hash_hex}|{state}".encode("ascii")


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
    at: datetime | None = None,
    signer: signing.Signer | None = None,
) -> AuditEvent:
    """Add an event in the caller's transaction (which must be a write transaction), signed by
    ``signer`` or else by the signer the vault put on the session.

    ``at`` is given only for an event that happened earlier and could not be written then."""
    signer = signer or session.info.get(SIGNER_INFO)
    prev_id, prev_hash = _head(session)
    event_id = prev_id + 1
    at = at or utcnow()
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
    target = state_target(entity_kind, entity, case_id)
    state = state_hash(session, target) if target is not None else ""
    signature = signer.sign(signed_message(digest, state)) if signer is not None else b""
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
        state_hash=state,
        signer_key=signer.key_id if signer is not None else "",
        signature=signing.b64(signature) if signature else "",
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
    signed: bool = False  # signatures and record states were checked too

    def describe(self) -> str:
        if self.ok:
            signed = "; every event signed by its author" if self.signed else ""
            return (
                f"Audit trail intact: {plural(self.events, 'event')}, "
                f"head {self.head_hash[:16]}…{signed}"
            )
        where = f"event {self.first_broken_id}" if self.first_broken_id else "a record"
        return f"Audit trail broken at {where}: {self.problem}"


@dataclass(frozen=True)
class Trust:
    """What verifying needs, all public: vouched signing keys by user name (casefolded), and
    the role the vault vouches for each member."""

    keys: dict[str, list[tuple[bytes, str]]]
    roles: dict[str, str]


def verify(
    session: Session,
    batch: int = 5000,
    trust: Trust | None = None,
    *,
    check_states: bool = True,
) -> ChainReport:
    """Walk the chain in id order and name the first broken link. With ``trust``, also check
    each event's signature, that each case and account matches its last signed state, and that
    each member's role is the one the vault vouches for."""
    chain = _verify_chain(session, batch, trust)
    if not chain.ok or trust is None:
        return chain
    problem = _check_roles(session, trust) or (
        _check_states(session, batch) if check_states else None
    )
    if problem is not None:
        return ChainReport(False, chain.events, chain.head_hash, problem[0], problem[1], True)
    return chain


def _check_roles(session: Session, trust: Trust) -> tuple[int | None, str] | None:
    for account in session.exec(select(Account).order_by(col(Account.id))).all():
        vouched = trust.roles.get(account.username.casefold())
        if account.active and vouched is not None and vouched != account.role:
            return None, (
                f"team member {account.username} has the role {account.role} in the database "
                f"but the vault vouches for {vouched} (changed outside the program)"
            )
        if account.active and vouched is None and account.role == "coordinator":
            return None, (
                f"team member {account.username} is a coordinator in the database but has no "
                "key the vault vouches for"
            )
    return None


def _check_states(session: Session, batch: int) -> tuple[int | None, str] | None:
    """Each case and account must be as its last signed event left it."""
    last: dict[tuple[str, int], tuple[int, str]] = {}
    last_id = 0
    while True:
        rows = session.execute(
            sa_select(
                col(AuditEvent.id),
                col(AuditEvent.entity_kind),
                col(AuditEvent.entity_id),
                col(AuditEvent.case_id),
                col(AuditEvent.state_hash),
            )
            .where(col(AuditEvent.id) > last_id, col(AuditEvent.state_hash) != "")
            .order_by(col(AuditEvent.id))
            .limit(batch)
        ).all()
        if not rows:
            break
        for event_id, kind, entity, case_id, state in rows:
            target = state_target(kind, entity, case_id)
            if target is not None:
                last[target] = (event_id, state)
            last_id = event_id
    case_ids = [ident for kind, ident in last if kind == "case"]
    current = case_state_hashes(session, case_ids)
    for target, (event_id, state) in sorted(last.items(), key=lambda item: item[1][0]):
        kind, ident = target
        now = current[ident] if kind == "case" else state_hash(session, target)
        if now != state:
            kind, ident = target
            return event_id, (
                f"{kind} {ident} is not as its last signed event (event {event_id}) left it: "
                "it was changed without a signed audit event"
            )
    return None


def _verify_chain(session: Session, batch: int, trust: Trust | None) -> ChainReport:
    verifier = signing.Verifier()
    by_id: dict[str, dict[str, bytes]] = {}
    if trust is not None:
        for user, keys in trust.keys.items():
            by_id[user] = {signing.key_id(public): public for public, _ in keys}
    recovery = RECOVERY_USERNAME.casefold()
    expected_prev = GENESIS
    expected_id = 1
    count = 0
    last_id = 0
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    while True:
        # Plain rows, not ORM objects: a third of the time on a 100,000-event trail.
        rows = session.execute(
            sa_select(*table.columns).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
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
            if trust is not None:
                user = event.username.casefold()
                user_keys = by_id.get("" if user == recovery else user, {})
                public = user_keys.get(event.signer_key)
                try:
                    signature = signing.unb64(event.signature)
                except ValueError:
                    signature = b""
                if public is None or not verifier.verify(
                    public, signature, signed_message(event.hash, event.state_hash)
                ):
                    return ChainReport(
                        False,
                        count,
                        expected_prev,
                        event.id,
                        f"it is not signed by {event.username} with a key the vault vouches for "
                        "(written or rewritten outside the program, or in someone else's name)",
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
    return ChainReport(True, count, expected_prev, signed=trust is not None)


def head(session: Session) -> tuple[int, str]:
    """The newest event's position and hash (0 and the genesis hash for an empty trail)."""
    return _head(session)


def hash_at(session: Session, event_id: int) -> str | None:
    event = session.get(AuditEvent, event_id)
    return None if event is None else event.hash


def verify_since(
    session: Session,
    position: int,
    expected_hash: str,
    trust: Trust,
    *,
    check_states: bool = True,
) -> ChainReport:
    """The quick check at opening: the event this computer last saw is unchanged, and every
    event after it is chained and signed (older events are covered by that event's hash); then
    the roles and, with ``check_states``, every record against its last signed state."""
    if position <= 0:
        return verify(session, trust=trust, check_states=False)
    found = hash_at(session, position)
    if found != expected_hash:
        full = verify(session, trust=trust, check_states=False)  # rare: locate the first change
        if not full.ok:
            return full
        return ChainReport(
            False,
            0,
            "",
            position,
            "it differs from the event this computer saw at that position "
            "(the trail was rewritten)",
            True,
        )
    verifier = signing.Verifier()
    by_id = {
        user: {signing.key_id(public): public for public, _ in keys}
        for user, keys in trust.keys.items()
    }
    expected_prev, count = expected_hash, position
    for event in session.exec(
        select(AuditEvent).where(col(AuditEvent.id) > position).order_by(col(AuditEvent.id))
    ).all():
        assert event.id is not None
        user = event.username.casefold()
        public = by_id.get("" if user == RECOVERY_USERNAME.casefold() else user, {}).get(
            event.signer_key
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
        try:
            signature = signing.unb64(event.signature)
        except ValueError:
            signature = b""
        if (
            event.id != count + 1
            or event.prev_hash != expected_prev
            or recomputed != event.hash
            or public is None
            or not verifier.verify(public, signature, signed_message(event.hash, event.state_hash))
        ):
            return ChainReport(
                False, count, expected_prev, count + 1, "it was changed or is not signed", True
            )
        expected_prev, count = event.hash, event.id
    problem = _check_roles(session, trust) or (
        _check_states(session, 5000) if check_states else None
    )
    if problem is not None:
        return ChainReport(False, count, expected_prev, problem[0], problem[1], True)
    return ChainReport(True, count, expected_prev, signed=True)
