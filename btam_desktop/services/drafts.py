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


class DraftService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _owner(self) -> int:
        owner = self.ctx.actor.account_id
        if owner is None:
            raise ValueError("drafts need a signed-in team member")
        return owner

    def save(self, kind: str, payload: dict[str, Any], subject: str = "") -> None:
        self.ctx.require(Permission.WORK_CASES, "draft")
        owner = self._owner()
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
        with self.ctx.read() as session:
            draft = session.execute(
                select(Draft).where(
                    col(Draft.owner_id) == owner,
                    col(Draft.kind) == kind,
                    col(Draft.subject) == subject,
                )
            ).scalar_one_or_none()
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
        with self.ctx.vault.write() as session:
            session.execute(
                delete(Draft).where(
                    col(Draft.owner_id) == owner,
                    col(Draft.kind) == kind,
                    col(Draft.subject) == subject,
                )
            )
