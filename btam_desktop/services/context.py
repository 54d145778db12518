"""The signed-in person and the open vault, shared by every service."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from btam_desktop.domain.enums import Role
from btam_desktop.services.permissions import Permission, allowed
from btam_desktop.store import audit
from btam_desktop.store.errors import PermissionDeniedError
from btam_desktop.store.search import IndexedSession
from btam_desktop.store.vault import Vault

RECOVERY_ACTOR = "(recovery key)"


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
        with self.vault.write() as session:
            audit.append(
                session,
                username=self.actor.username,
                action="permission.denied",
                entity_kind=entity_kind,
                entity_id="" if entity_id is None else str(entity_id),
                summary=summary or f"refused: {permission.value}",
                case_id=entity_id if entity_kind == "case" and isinstance(entity_id, int) else None,
            )
        raise PermissionDeniedError(permission.value, self.actor.role.value, why)

    def read(self) -> contextlib.AbstractContextManager[IndexedSession]:
        return self.vault.read()

    @contextlib.contextmanager
    def write(
        self,
        permission: Permission,
        entity_kind: str = "",
        entity_id: object = "",
    ) -> Iterator[IndexedSession]:
        self.require(permission, entity_kind, entity_id)
        with self.vault.write() as session:
            yield session

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
