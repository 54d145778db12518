"""Drafts: half-finished intakes and wizards, kept encrypted in the vault per person.

A draft is saved on every change (debounced by the UI), survives a lock or a crash, and is
deleted when the work is completed or discarded. Drafts are not audited: they are not records.

On a team server that cannot be reached, a draft is kept on this computer, encrypted; the drafts
list shows it as kept here and not yet on the server, and it is sent as soon as the server
answers again (the next save, the drafts list, or signing in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import col

from btam_desktop.domain.models import Draft
from btam_desktop.domain.types import utcnow
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.permissions import Permission
from btam_desktop.store.errors import StorageUnavailableError
from btam_desktop.store.server.local_drafts import LocalDrafts

KEPT_HERE = "kept on this computer, not yet on the server"


@dataclass(frozen=True)
class DraftEntry:
    """One of a person's drafts, for the drafts list (never its content)."""

    kind: str
    subject: str
    updated_at: datetime
    # True: the team server could not be reached when it was saved; it is on this computer
    # only, encrypted, until the server answers again.
    kept_here: bool = False

    @property
    def where(self) -> str:
        return KEPT_HERE if self.kept_here else ""


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
            self._send_kept(here, owner)  # the server answers again: send what waited here

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

    def list(self, kind: str | None = None) -> list[DraftEntry]:
        """This person's drafts, newest first. On a team server, drafts kept on this computer
        are sent first if the server answers; those it cannot take yet are listed as kept here
        (``DraftEntry.kept_here``), also while the server cannot be reached at all."""
        owner = self._owner()
        here = self._kept_here()
        if here is not None:
            self._send_kept(here, owner)
        stmt = select(Draft).where(col(Draft.owner_id) == owner)
        if kind is not None:
            stmt = stmt.where(col(Draft.kind) == kind)
        try:
            with self.ctx.read() as session:
                rows = list(session.execute(stmt).scalars())
        except StorageUnavailableError:
            if here is None:
                raise
            rows = []
        entries = {(d.kind, d.subject): DraftEntry(d.kind, d.subject, d.updated_at) for d in rows}
        for kept in here.kept(owner) if here is not None else []:
            if kind is not None and kept.kind != kind:
                continue
            on_server = entries.get((kept.kind, kept.subject))
            if on_server is None or kept.at > on_server.updated_at:
                entries[(kept.kind, kept.subject)] = DraftEntry(
                    kept.kind, kept.subject, kept.at, kept_here=True
                )
        return sorted(entries.values(), key=lambda d: d.updated_at, reverse=True)

    def kept_here_count(self) -> int:
        """How many of this person's drafts are on this computer only (the dashboard says so);
        sends them first if the server answers."""
        return sum(1 for entry in self.list() if entry.kept_here)

    def send_kept(self) -> int:
        """Send the drafts kept on this computer to the team server; how many were sent (0 on
        a vault, or while the server still cannot be reached)."""
        here = self._kept_here()
        return self._send_kept(here, self._owner()) if here is not None else 0

    def _send_kept(self, here: LocalDrafts, owner: int) -> int:
        sent = 0
        for kept in here.kept(owner):
            try:
                with self.ctx.read() as session:
                    on_server = session.execute(
                        select(col(Draft.updated_at)).where(
                            col(Draft.owner_id) == owner,
                            col(Draft.kind) == kept.kind,
                            col(Draft.subject) == kept.subject,
                        )
                    ).scalar_one_or_none()
                if on_server is None or kept.at > on_server:
                    self._save(owner, kept.kind, kept.payload, kept.subject)
                    sent += 1
            except StorageUnavailableError:
                return sent  # still away: they stay here, listed as such
            # On the server now, or the server's copy is newer (typed on another computer).
            here.forget(owner, kept.kind, kept.subject)
        return sent

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
