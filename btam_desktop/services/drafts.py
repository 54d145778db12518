"""Drafts: half-finished intakes and wizards, kept encrypted in the vault per person.

A draft is saved on every change (debounced by the UI), survives a lock or a crash, and is
deleted when the work is completed or discarded. Drafts are not audited: they are not records.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlmodel import col

from btam_desktop.domain.models import Draft
from btam_desktop.domain.types import utcnow
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.permissions import Permission
from btam_desktop.store.errors import StorageUnavailableError
from btam_desktop.store.server.local_drafts import LocalDrafts


class DraftService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _owner(self) -> int:
        owner = self.ctx.actor.account_id
        if owner is None:
            raise ValueError("drafts need a signed-in team member")
        return owner

    def _kept_here(self) -> LocalDrafts | None:
        """This computer's store of drafts for a team server (None for a vault)."""
        here = getattr(self.ctx.vault, "local_drafts", None)
        return here if isinstance(here, LocalDrafts) else None

    def save(self, kind: str, payload: dict[str, Any], subject: str = "") -> None:
        """On a team server that cannot be reached, the draft is kept on this computer,
        encrypted, and saved to the server the next time it can be (issue 16)."""
        self.ctx.require(Permission.WORK_CASES, "draft")
        owner = self._owner()
        here = self._kept_here()
        try:
            self._save(owner, kind, payload, subject)
        except StorageUnavailableError:
            if here is None:
                raise
            here.keep(owner, kind, subject, dict(payload))
            return
        if here is not None:
            here.forget(owner, kind, subject)

    def _save(self, owner: int, kind: str, payload: dict[str, Any], subject: str) -> None:
        with self.ctx.vault.write() as session:
            draft = session.execute(
                select(Draft).where(
                    col(Draft.owner_id) == owner,
                    col(Draft.kind) == kind,
                    col(Draft.subject) == subject,
                )
            ).scalar_one_or_none()
            if draft is None:
                draft = Draft(owner_id=owner, kind=kind, subject=subject)
            draft.payload = dict(payload)
            draft.updated_at = utcnow()
            session.add(draft)

    def load(self, kind: str, subject: str = "") -> dict[str, Any] | None:
        owner = self._owner()
        here = self._kept_here()
        kept = here.load(owner, kind, subject) if here is not None else None
        try:
            with self.ctx.read() as session:
                draft = session.execute(
                    select(Draft).where(
                        col(Draft.owner_id) == owner,
                        col(Draft.kind) == kind,
                        col(Draft.subject) == subject,
                    )
                ).scalar_one_or_none()
        except StorageUnavailableError:
            if kept is None:
                raise
            return kept[0]
        if kept is not None and (draft is None or kept[1] > draft.updated_at):
            return kept[0]  # typed while the server was away: newer than the server's copy
        return dict(draft.payload) if draft is not None else None

    def list(self, kind: str | None = None) -> list[Draft]:
        owner = self._owner()
        stmt = select(Draft).where(col(Draft.owner_id) == owner)
        if kind is not None:
            stmt = stmt.where(col(Draft.kind) == kind)
        with self.ctx.read() as session:
            return list(session.execute(stmt.order_by(col(Draft.updated_at).desc())).scalars())

    def discard(self, kind: str, subject: str = "") -> None:
        owner = self._owner()
        here = self._kept_here()
        if here is not None:
            here.forget(owner, kind, subject)
        with self.ctx.vault.write() as session:
            session.execute(
                delete(Draft).where(
                    col(Draft.owner_id) == owner,
                    col(Draft.kind) == kind,
                    col(Draft.subject) == subject,
                )
            )
