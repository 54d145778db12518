"""Reading the audit trail: filters, labels a person understands, excerpts as CSV.

Every action code written anywhere in the program has a plain label here (a test walks the
source to keep it so). The trail is the coordinator's: reading it needs ``VIEW_AUDIT``, and
reading or exporting it is itself recorded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlmodel import Session, col

from btam_desktop.domain.audit_kinds import AuditKind
from btam_desktop.domain.enums import DisclosureBasis, DisclosureRecipient
from btam_desktop.domain.models import Account, AuditEvent, Case
from btam_desktop.domain.text import plural
from btam_desktop.domain.workflow import ACTION_LABELS as MOVE_LABELS
from btam_desktop.domain.workflow import WorkflowAction
from btam_desktop.services.context import RECOVERY_ACTOR, ServiceContext
from btam_desktop.services.permissions import Permission
from btam_desktop.store import audit, signin_failures
from btam_desktop.store.errors import ValidationError

ACTION_LABELS: dict[str, str] = {
    # signing in and the vault
    "vault.create": "Vault created",
    "vault.unlock": "Signed in",
    "vault.lock": "Signed out or locked",
    "signin.failed": "Failed sign-in (wrong user name or password)",
    "signin.recovery_failed": "Wrong recovery key entered",
    "signin.failures_unreadable": "Record of failed sign-ins could not be read",
    "recovery.replace": "Recovery key replaced (vault re-encrypted)",
    "vault.older_copy_accepted": "Older copy of the vault accepted (after a restore)",
    # the team
    "team.add": "Team member added",
    "team.role": "Team member's role changed",
    "team.remove": "Team member removed (vault re-encrypted)",
    "team.password": "Own password changed",
    "team.password_reset": "Password reset",
    "team.training": "Training recorded",
    "settings.change": "Team settings changed",
    "permission.denied": "Refused: not allowed for this role",
    "demo.generate": "Fictional demo cases generated",
    # the audit trail itself
    "audit.verify": "Audit trail checked",
    "audit.view": "Audit trail viewed",
    "audit.export": "Audit excerpt exported",
    "audit.head_export": "Audit head written down for safekeeping",
    "audit.problem_found": "Problem found in the audit trail at sign-in",
    # cases
    "case.create": "Case created (report of concern)",
    "case.view": "Case opened",
    "case.update": "Case details changed",
    "case.members": "Case members changed",
    "case.level": "Level of concern set",
    "case.legal_hold": "Legal hold set or lifted",
    "case.purge": "Case destroyed (retention)",
    "case.destroy": "Case destroyed (retention period ended)",
    "case.threat_type": "Threat type set (transient or substantive)",
    "case.export": "Case exported",
    "case.import": "Case imported",
    "case.transfer_out": "Case sealed in a transfer package",
    "case.transfer_in": "Case received in a transfer",
    "contact.add": "Outside contact added",
    "contact.update": "Outside contact changed",
    "intake.emergency_notice": "Emergency instruction shown at intake",
    "person.add": "Person added to a case",
    "person.update": "Person's details changed",
    "person.remove": "Person removed from a case",
    "timeline.add": "Timeline entry added",
    "timeline.update": "Timeline entry changed",
    "note.add": "Note added",
    "attachment.add": "Attachment added",
    "attachment.view": "Attachment previewed",
    "attachment.export": "Attachment saved outside the vault",
    "attachment.remove": "Attachment removed",
    "disclosure.add": "Disclosure recorded",
    "assessment.start": "Assessment started",
    "assessment.view": "Assessment opened in the viewer",
    "assessment.complete": "Assessment completed",
    "assessment.amend": "Assessment amended",
    "assessment.discard": "Draft assessment discarded",
    "plan.update": "Management plan changed",
    "plan.version": "New management plan version",
    "plan.approve": "Management plan approved",
    "plan.item_progress": "Plan item progress recorded",
    "monitoring.log": "Monitoring check-in logged",
    # documents
    "report.preview": "Document shown in print preview",
    "report.export": "Document exported",
    "report.print": "Document printed",
    "report.save": "Document saved as PDF outside the vault",
    "export.cases": "Cases exported",
    "import.cases": "Cases imported",
    "transfer.export": "Transfer package sent",
    "transfer.import": "Transfer package received",
    "stats.annual": "Annual statistics produced",
    # backups
    "backup.create": "Backup made",
    "backup.failed": "Backup failed",
    "backup.verify": "Backup checked",
    "backup.restore_in_place": "Vault replaced by a backup",
    "backup.restored": "Vault restored from a backup",
}
for _move in WorkflowAction:
    ACTION_LABELS[f"case.{_move.value}"] = f"Case moved: {MOVE_LABELS[_move].lower()}"


def action_label(action: str) -> str:
    """A plain label for an action code; unknown codes (from a newer version) stay readable."""
    label = ACTION_LABELS.get(action)
    if label is not None:
        return label
    if action.startswith("backup."):
        return "Backup: " + action.split(".", 1)[1].replace("_", " ")
    return action.split(".", 1)[-1].replace("_", " ").capitalize()


def event_label(action: str, summary: str) -> str:
    """The label, made more specific where the summary carries a code (disclosures)."""
    if action == "disclosure.add" and summary.startswith("to "):
        recipient, _, basis = summary[3:].partition(" (")
        try:
            who = DisclosureRecipient(recipient).label
            why = DisclosureBasis(basis.rstrip(")")).label.split(" (")[0]
        except ValueError:
            return action_label(action)
        return f"Disclosure to {who.lower()} ({why.lower()})"
    return action_label(action)


_CODE_WORD = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def readable_summary(summary: str) -> str:
    """Codes inside a summary ("concerning_behavior", "screening -> monitoring") as words."""
    text = _CODE_WORD.sub(lambda m: m.group(0).replace("_", " "), summary)
    return text.replace(" -> ", " → ")


# (exact action codes, action prefixes) per kind
_KIND_ACTIONS: dict[AuditKind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    AuditKind.SIGN_IN: (
        ("vault.unlock", "vault.lock", "vault.create", "vault.older_copy_accepted"),
        (),
    ),
    AuditKind.FAILED_SIGN_IN: ((), ("signin.",)),
    AuditKind.TEAM: (("recovery.replace",), ("team.",)),
    AuditKind.SETTINGS: (("settings.change",), ()),
    AuditKind.REFUSAL: (("permission.denied",), ()),
    AuditKind.VIEW: (
        ("case.view", "attachment.view", "assessment.view", "report.preview", "audit.view"),
        (),
    ),
    AuditKind.EXPORT: (
        (
            "report.export",
            "report.print",
            "report.save",
            "attachment.export",
            "audit.export",
            "case.export",
            "case.transfer_out",
            "stats.annual",
        ),
        ("export.", "transfer.", "import."),
    ),
    AuditKind.DISCLOSURE: (("disclosure.add",), ()),
    AuditKind.BACKUP: ((), ("backup.",)),
    AuditKind.AUDIT: (
        ("audit.verify", "audit.view", "audit.export", "audit.head_export", "audit.problem_found"),
        (),
    ),
}


def _kind_condition(kind: AuditKind) -> ColumnElement[bool]:
    action = col(AuditEvent.action)
    if kind is AuditKind.CASE_CHANGE:
        others = [c for k, c in _KIND_ACTIONS.items() if k is not AuditKind.AUDIT]
        viewed_or_handed_out = [a for codes, _ in others for a in codes]
        return col(AuditEvent.case_id).is_not(None) & action.not_in(viewed_or_handed_out)
    exact, prefixes = _KIND_ACTIONS[kind]
    parts: list[ColumnElement[bool]] = []
    if exact:
        parts.append(action.in_(exact))
    parts.extend(action.startswith(p) for p in prefixes)
    return or_(*parts)


def kind_of(action: str, case_id: int | None) -> AuditKind | None:
    for kind, (exact, prefixes) in _KIND_ACTIONS.items():
        if action in exact or any(action.startswith(p) for p in prefixes):
            return kind
    return AuditKind.CASE_CHANGE if case_id is not None else None


@dataclass(frozen=True)
class AuditQuery:
    username: str = ""  # exact user name, or "" for everyone
    kind: AuditKind | None = None
    case_number: str = ""  # "2026-0042", or "" for all
    since: date | None = None  # from the start of this day (UTC)
    until: date | None = None  # to the end of this day (UTC)
    limit: int = 500
    offset: int = 0

    def describe(self) -> str:
        """The filters in words, for the heading of an excerpt (no case content)."""
        parts = []
        if self.username:
            parts.append(f"person {self.username}")
        if self.kind is not None:
            parts.append(self.kind.label.lower())
        if self.case_number:
            parts.append(f"case {self.case_number}")
        if self.since:
            parts.append(f"from {self.since.isoformat()}")
        if self.until:
            parts.append(f"to {self.until.isoformat()}")
        return ", ".join(parts) if parts else "all events"


@dataclass(frozen=True)
class AuditRow:
    """One event as a person reads it."""

    id: int
    at: datetime
    username: str
    who: str
    action: str
    label: str
    case_number: str
    summary: str


CSV_HEADER = ("Event", "Time (UTC)", "User name", "Who", "What", "Case", "Details", "Code")


class AuditLogService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def people(self) -> list[tuple[str, str]]:
        """(user name, display name) of everyone who appears in the trail or the team."""
        self.ctx.require(Permission.VIEW_AUDIT, "audit")
        with self.ctx.read() as session:
            names = {
                r[0]
                for r in session.execute(select(col(AuditEvent.username)).distinct()).all()
                if r[0] != RECOVERY_ACTOR
            }
            accounts = {
                a.username: a.display_name for a in session.execute(select(Account)).scalars()
            }
        names |= set(accounts)
        return sorted(((n, accounts.get(n) or n) for n in names), key=lambda p: p[1].lower())

    def _conditions(self, query: AuditQuery) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if query.username:
            name = query.username.lower()
            conditions.append(
                (func.lower(AuditEvent.username) == name)
                | (
                    col(AuditEvent.action).startswith("signin.")
                    & (func.lower(AuditEvent.entity_id) == name)
                )
            )
        if query.kind is not None:
            conditions.append(_kind_condition(query.kind))
        if query.since and query.until and query.since > query.until:
            raise ValidationError("The start date is after the end date. Swap them or clear one.")
        if query.since:
            conditions.append(col(AuditEvent.at) >= datetime.combine(query.since, time(), UTC))
        if query.until:
            end = datetime.combine(query.until + timedelta(days=1), time(), UTC)
            conditions.append(col(AuditEvent.at) < end)
        return conditions

    def _case_id(self, case_number: str) -> int:
        number = case_number.strip()
        with self.ctx.read() as session:
            found = session.execute(select(col(Case.id)).where(col(Case.number) == number)).first()
        if found is None:
            raise ValidationError(
                f"There is no case numbered “{number}”. Type a number such as 2026-0042, or "
                "leave the field empty for all cases."
            )
        return int(found[0])

    def rows(self, query: AuditQuery) -> list[AuditRow]:
        """Events matching ``query``, newest first."""
        self.ctx.require(Permission.VIEW_AUDIT, "audit")
        case_id = self._case_id(query.case_number) if query.case_number.strip() else None
        with self.ctx.read() as session:
            conditions = self._conditions(query)
            if case_id is not None:
                conditions.append(col(AuditEvent.case_id) == case_id)
            stmt = (
                select(AuditEvent, col(Case.number))
                .outerjoin(Case, col(Case.id) == col(AuditEvent.case_id))
                .where(*conditions)
                .order_by(col(AuditEvent.id).desc())
                .offset(query.offset)
                .limit(query.limit)
            )
            found = session.execute(stmt).all()
            accounts = {
                a.username: a.display_name for a in session.execute(select(Account)).scalars()
            }
        rows = []
        for event, number in found:
            assert event.id is not None
            rows.append(
                AuditRow(
                    id=event.id,
                    at=event.at,
                    username=event.username,
                    who=accounts.get(event.username) or event.username,
                    action=event.action,
                    label=event_label(event.action, event.summary),
                    case_number=number or ("" if event.case_id is None else f"#{event.case_id}"),
                    summary=readable_summary(event.summary),
                )
            )
        return rows

    def record_view(self, query: AuditQuery) -> None:
        """The coordinator looked at the trail (once per page opening, not per filter)."""
        with self.ctx.vault.write() as session:
            self.ctx.audit(session, "audit.view", "audit", "", query.describe())

    def record_export(self, query: AuditQuery, fmt: str, count: int) -> None:
        with self.ctx.vault.write() as session:
            self.ctx.audit(
                session,
                "audit.export",
                "audit",
                "",
                f"{plural(count, 'event')} as {fmt.upper()}: {query.describe()}",
            )

    def export_csv(self, query: AuditQuery) -> bytes:
        """An excerpt as CSV (UTF-8 with a byte-order mark so spreadsheets read it); audited."""
        rows = self.rows(query)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
        for row in rows:
            writer.writerow(csv_cells(row))
        self.record_export(query, "csv", len(rows))
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_cells(row: AuditRow) -> Sequence[str]:
    def safe(text: str) -> str:  # a spreadsheet must not run a cell as a formula
        return "'" + text if text[:1] in ("=", "+", "-", "@") else text

    return [
        str(row.id),
        row.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        safe(row.username),
        safe(row.who),
        row.label,
        row.case_number,
        safe(row.summary),
        row.action,
    ]


def write_failed_attempts(
    session: Session, attempts: list[signin_failures.FailedAttempt], recorded_by: str
) -> None:
    """Move attempts noted outside the database into the trail (in the caller's transaction).

    The events are written, and signed, by ``recorded_by`` (the member signing in now); the
    account that was tried is the event's subject, so the person filter finds them too."""
    for attempt in attempts:
        when = attempt.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        if attempt.kind == signin_failures.KIND_RECOVERY_KEY:
            action, what = "signin.recovery_failed", "wrong recovery key"
        elif attempt.kind == signin_failures.KIND_PASSWORD:
            action, what = "signin.failed", "failed sign-in"
        else:
            action, what = "signin.failures_unreadable", "record of failed sign-ins unreadable"
        tried = attempt.username or ("(recovery key)" if "recovery" in action else "(unknown)")
        audit.append(
            session,
            username=recorded_by,
            action=action,
            entity_kind="account",
            entity_id=tried,
            summary=f"{what} as {tried} at {when} (noted before the vault was opened)",
        )
