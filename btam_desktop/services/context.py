"""The signed-in person and the open vault, shared by every service."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from btam_desktop.domain.enums import Role
from btam_desktop.domain.types import utcnow
from btam_desktop.services.pending_audit import LATE_NOTE, PendingAudit, PendingEvent, queue_for
from btam_desktop.services.permissions import Permission, allowed
from btam_desktop.store import audit
from btam_desktop.store.errors import (
    PermissionDeniedError,
    ReadOnlyVaultError,
    StorageUnavailableError,
)
from btam_desktop.store.search import IndexedSession
from btam_desktop.store.vault import Vault

RECOVERY_ACTOR = "(recovery key)"

# The session of a snapshot read in progress (see ``ServiceContext.snapshot``), per thread: the
# workspace reads a case on a worker thread while the window reads other things.
_SNAPSHOT: ContextVar[tuple[ServiceContext, IndexedSession] | None] = ContextVar(
    "btam_snapshot", default=None
)


@dataclass(frozen=True)
class Actor:
    account_id: int | None
    username: str
    display_name: str
    role: Role

    @property
    def label(self) -> str:
        return self.display_name or self.username


class ServiceContext:
    def __init__(self, vault: Vault, actor: Actor) -> None:
        self.vault = vault
        self.actor = actor

    def can(self, permission: Permission) -> bool:
        return allowed(self.actor.role, permission)

    def require(
        self,
        permission: Permission,
        entity_kind: str = "",
        entity_id: object = "",
        *,
        granted: bool | None = None,
        why: str = "",
        summary: str = "",
    ) -> None:
        """Refuse and audit the attempt when the role lacks ``permission`` (or, when given,
        ``granted`` is False: a team policy decided); ``why`` explains the refusal."""
        if self.can(permission) if granted is None else granted:
            return
        self.record(
            "permission.denied",
            entity_kind,
            entity_id,
            summary or f"refused: {permission.value}",
            case_id=entity_id if entity_kind == "case" and isinstance(entity_id, int) else None,
        )
        raise PermissionDeniedError(permission.value, self.actor.role.value, why)

    def read(self) -> contextlib.AbstractContextManager[IndexedSession]:
        shared = _SNAPSHOT.get()
        if shared is not None and shared[0] is self:
            return contextlib.nullcontext(shared[1])
        return self.vault.read()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[IndexedSession]:
        """One read transaction that every ``read()`` of this context joins until it ends, so
        that several service calls see the data as it was at one moment (a read model).

        SQLite gives a read transaction one snapshot; PostgreSQL needs REPEATABLE READ for the
        same (its default, READ COMMITTED, sees each statement's own moment)."""
        if _SNAPSHOT.get() is not None:
            raise RuntimeError("a snapshot read is already in progress")
        with self.vault.read() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            token = _SNAPSHOT.set((self, session))
            try:
                yield session
            finally:
                _SNAPSHOT.reset(token)

    @contextlib.contextmanager
    def write(
        self,
        permission: Permission,
        entity_kind: str = "",
        entity_id: object = "",
    ) -> Iterator[IndexedSession]:
        self.require(permission, entity_kind, entity_id)
        with self.vault.write() as session:
            written = self._write_pending(session)
            yield session
        self.pending.written(written)

    # ---- events a reading causes: kept in memory while they cannot be written ---------------
    @property
    def pending(self) -> PendingAudit:
        return queue_for(self.vault.vault_id)

    def record(
        self,
        action: str,
        entity_kind: str = "",
        entity_id: object = "",
        summary: str = "",
        *,
        case_id: int | None = None,
    ) -> bool:
        """Record an event that reading, printing or locking causes. On a full disk or a vault
        opened read-only it waits in memory (see pending_audit.py) instead of failing the
        reading; returns whether it was written now."""
        if case_id is None and entity_kind == "case" and isinstance(entity_id, int):
            case_id = entity_id
        event = PendingEvent(
            at=utcnow(),
            username=self.actor.username,
            action=action,
            entity_kind=entity_kind,
            entity_id="" if entity_id is None else str(entity_id),
            summary=summary,
            case_id=case_id,
        )
        try:
            with self.vault.write() as session:
                written = self._write_pending(session)
                self._append(session, event)
            self.pending.written(written)
            return True
        except ReadOnlyVaultError:
            self.pending.add(event)
        except StorageUnavailableError as error:
            if not error.disk_full:
                raise
            self.pending.add(event)
        return False

    def flush_pending(self) -> int:
        """Write the waiting events if there is room now; returns how many still wait."""
        if not len(self.pending) or self.vault.read_only or not self.vault.is_open:
            return len(self.pending)
        try:
            with self.vault.write() as session:
                written = self._write_pending(session)
            self.pending.written(written)
        except StorageUnavailableError as error:
            if not error.disk_full:
                raise
        return len(self.pending)

    def _write_pending(self, session: IndexedSession) -> list[PendingEvent]:
        waiting = self.pending.snapshot()
        for event in waiting:
            self._append(session, event, late=True)
        return waiting

    @staticmethod
    def _append(session: IndexedSession, event: PendingEvent, late: bool = False) -> None:
        audit.append(
            session,
            username=event.username,
            action=event.action,
            entity_kind=event.entity_kind,
            entity_id=event.entity_id,
            summary=event.summary + (LATE_NOTE if late else ""),
            case_id=event.case_id,
            at=event.at if late else None,
        )

    def audit(
        self,
        session: IndexedSession,
        action: str,
        entity_kind: str = "",
        entity_id: object = "",
        summary: str = "",
        *,
        case_id: int | None = None,
    ) -> None:
        if case_id is None and entity_kind == "case" and isinstance(entity_id, int):
            case_id = entity_id
        audit.append(
            session,
            username=self.actor.username,
            action=action,
            entity_kind=entity_kind,
            entity_id="" if entity_id is None else str(entity_id),
            summary=summary,
            case_id=case_id,
        )
