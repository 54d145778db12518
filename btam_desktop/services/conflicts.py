"""Optimistic concurrency (issue 16): saving an older copy of a record is refused.

Every record a person edits carries a number that goes up by one on each save (``revision``;
a case uses its ``updated_at``). A screen keeps the number of the copy it shows and passes it
back when saving; when someone else saved in between (another computer of a team server, or
another person on a shared vault), nothing is saved and ``EditConflictError`` says who changed
what, and when. The "what" is an audit summary: field names and counts, never content.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlmodel import col

from btam_desktop.domain.models import Account, AuditEvent
from btam_desktop.store.errors import VaultError
from btam_desktop.store.search import IndexedSession


class EditConflictError(VaultError):
    """Someone else saved the record after this copy was read; nothing was saved."""

    def __init__(
        self,
        who: str,
        what: str,
        when: datetime,
        record: str = "this case",
        current: object = None,
    ) -> None:
        # ``current``: the version now saved (a revision, a PlanCopy), so a screen can offer to
        # save the person's copy over it without reading the record again.
        self.who, self.what, self.when, self.record = who, what, when, record
        self.current = current
        super().__init__(
            f"{who} saved {record} while you were editing it ({what}, at "
            f"{when.astimezone().strftime('%H:%M')}). Your changes were not saved. Reload "
            f"{record} to see theirs, then make yours again, or save yours over theirs."
        )


def display_name(
    session: IndexedSession, *, username: str = "", account_id: int | None = None
) -> str:
    """The name a person knows a teammate by; their user name when there is none."""
    if account_id is not None:
        account = session.get(Account, account_id)
    else:
        account = session.execute(
            select(Account).where(col(Account.username) == username)
        ).scalar_one_or_none()
    if account is not None and account.display_name:
        return account.display_name
    return account.username if account is not None else (username or "Someone")


def conflict_from_audit(
    session: IndexedSession,
    record: str,
    fallback_when: datetime,
    *where: ColumnElement[Any],
    current: object = None,
) -> EditConflictError:
    """The conflict error for ``record``, naming the last audited change matching ``where``."""
    last = session.execute(
        select(AuditEvent)
        .where(*where, ~col(AuditEvent.action).endswith(".view"))
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).scalar_one_or_none()
    if last is None:
        return EditConflictError("Someone", "a change", fallback_when, record, current)
    who = display_name(session, username=last.username)
    return EditConflictError(who, last.summary or last.action, last.at, record, current)


def audited_change(
    session: IndexedSession,
    record: str,
    entity_kind: str,
    entity_id: int,
    fallback_when: datetime,
    current: object = None,
) -> EditConflictError:
    """The conflict error for a record whose own audit events name it (kind and id)."""
    return conflict_from_audit(
        session,
        record,
        fallback_when,
        col(AuditEvent.entity_kind) == entity_kind,
        col(AuditEvent.entity_id) == str(entity_id),
        current=current,
    )


def changed_fields(
    before: dict[str, object], after: dict[str, object], names: dict[str, str]
) -> str:
    """An audit summary naming the fields that differ ("changed contact, notes"), no values."""
    changed = [names[key] for key in names if before.get(key) != after.get(key)]
    return "changed " + ", ".join(changed) if changed else "saved unchanged"
