"""Retention and destruction: the team's own rules, the cases due, and destroying one.

No legal period is built in: a rule is a number of years after closure, per setting and per
kind of closure, that the team enters in Settings. A keep-until date set on a case overrides
the rules. Destroying a case removes every row of it with SQLite's secure delete on, then
reclaims the freed space; the audit trail keeps only that case N was destroyed under rule R.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from btam_desktop.domain.enums import CaseSetting, CaseStatus
from btam_desktop.domain.formatting import format_date
from btam_desktop.domain.models import Account, Case
from btam_desktop.services.cases import secure_delete_case_rows
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.permissions import Permission
from btam_desktop.services.settings import load_settings
from btam_desktop.store import backup as store_backup
from btam_desktop.store.errors import NotFoundError, ValidationError

Progress = Callable[[int, int, str], None]
CLOSURE_KINDS = (CaseStatus.CLOSED, CaseStatus.CLOSED_NO_THREAT)
CLOSURE_LABELS = {
    CaseStatus.CLOSED.value: "closed after assessment",
    CaseStatus.CLOSED_NO_THREAT.value: "closed at screening (no threat)",
}
MAX_YEARS = 100
RuleKey = tuple[str, str]


def parse_rules(text: str) -> dict[RuleKey, int]:
    """``{"school:closed": 7, ...}`` from settings; a clear message for anything else."""
    if not text.strip():
        return {}
    try:
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError
    except ValueError:
        raise ValidationError(
            "The retention rules could not be read. Enter them again in Settings."
        ) from None
    settings = {s.value for s in CaseSetting}
    rules: dict[RuleKey, int] = {}
    for key, years in raw.items():
        setting, _, closure = str(key).partition(":")
        if setting not in settings or closure not in CLOSURE_LABELS:
            raise ValidationError(f"Unknown retention rule “{key}”. Enter the rules again.")
        if not isinstance(years, int) or not 0 <= years <= MAX_YEARS:
            raise ValidationError(
                f"A retention period must be a whole number of years from 0 to {MAX_YEARS}."
            )
        rules[(setting, closure)] = years
    return rules


def rules_to_text(rules: dict[RuleKey, int]) -> str:
    return json.dumps({f"{s}:{c}": y for (s, c), y in sorted(rules.items())}, sort_keys=True)


def rule_label(setting: str, closure: str, years: int) -> str:
    unit = "year" if years == 1 else "years"
    return f"{CaseSetting(setting).label}, {CLOSURE_LABELS[closure]}: {years} {unit} after closure"


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class RetentionItem:
    case_id: int
    number: str
    setting: str
    status: str
    closed_on: date
    rule: str
    due_on: date
    legal_hold: bool
    hold_by: str = ""
    hold_at: datetime | None = None
    hold_reason: str = ""

    @property
    def is_due(self) -> bool:
        return self.due_on <= datetime.now(UTC).date()

    def hold_text(self) -> str:
        if not self.legal_hold:
            return ""
        when = f" on {format_date(self.hold_at)}" if self.hold_at else ""
        why = f": “{self.hold_reason}”" if self.hold_reason else ""
        who = self.hold_by or "a coordinator"
        return f"Legal hold set by {who}{when}{why}"


class RetentionService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def rules(self) -> dict[RuleKey, int]:
        return parse_rules(load_settings(self.ctx).retention_rules)

    def schedule(self, case_ids: list[int] | None = None) -> list[RetentionItem]:
        """Every closed case that a rule (or its own keep-until date) covers, soonest first."""
        rules = self.rules()
        stmt = select(
            col(Case.id),
            col(Case.number),
            col(Case.setting),
            col(Case.status),
            col(Case.closed_at),
            col(Case.retention_until),
            col(Case.legal_hold),
            col(Case.legal_hold_by_id),
            col(Case.legal_hold_at),
            col(Case.legal_hold_reason),
        ).where(col(Case.status).in_([k.value for k in CLOSURE_KINDS]))
        if case_ids is not None:
            stmt = stmt.where(col(Case.id).in_(case_ids))
        with self.ctx.read() as session:
            rows = session.execute(stmt).all()
            names = {
                a.id: a.display_name or a.username
                for a in session.execute(select(Account)).scalars()
            }
        items: list[RetentionItem] = []
        for (
            case_id,
            number,
            setting,
            status,
            closed_at,
            keep_until,
            hold,
            hold_by,
            hold_at,
            reason,
        ) in rows:
            if closed_at is None:
                continue
            closed_on = closed_at.date()
            if keep_until is not None:
                due, rule = (
                    keep_until,
                    f"keep-until date set on the case ({format_date(keep_until)})",
                )
            elif (setting, status) in rules:
                years = rules[(setting, status)]
                due, rule = add_years(closed_on, years), rule_label(setting, status, years)
            else:
                continue
            items.append(
                RetentionItem(
                    case_id,
                    number,
                    setting,
                    status,
                    closed_on,
                    rule,
                    due,
                    bool(hold),
                    names.get(hold_by, "") if hold_by else "",
                    hold_at,
                    reason or "",
                )
            )
        items.sort(key=lambda i: (i.due_on, i.number))
        return items

    def due(self, today: date | None = None) -> list[RetentionItem]:
        """Cases due for destruction by ``today`` (coordinator only)."""
        self.ctx.require(Permission.PURGE_CASES, "retention")
        today = today or datetime.now(UTC).date()
        return [i for i in self.schedule() if i.due_on <= today]

    def backups_notice(self) -> str:
        """What the destruction confirmation says about older backups."""
        settings = load_settings(self.ctx)
        if not settings.backup_folder:
            return (
                "No backup folder is set. Any copies of the vault made outside the program "
                "still hold this case until they are deleted."
            )
        entries = store_backup.list_backups(
            Path(settings.backup_folder).expanduser(), self.ctx.vault.vault_id
        )
        if not entries:
            return "No backups of this vault are in the backup folder."
        last = store_backup.last_expiry(entries, settings.backup_keep)
        count = len(entries)
        files = "backup" if count == 1 else "backups"
        return (
            f"{count} older {files} in {settings.backup_folder} still hold this case. Rotation "
            f"(the last {settings.backup_keep}, plus one a month for a year) removes the last "
            f"of them by about {format_date(last)} if backups keep running daily; delete them by "
            "hand sooner if your rules require it."
        )

    def destroy(self, case_id: int, typed_number: str, progress: Progress | None = None) -> str:
        """Destroy a case that is due, after the person typed its number. Returns the rule."""
        report = progress or (lambda done, total, message: None)
        self.ctx.require(Permission.PURGE_CASES, "case", case_id)
        with self.ctx.read() as session:
            case = session.get(Case, case_id)
        if case is None:
            raise NotFoundError("That case")
        if typed_number.strip() != case.number:
            raise ValidationError(
                f"Type the case number {case.number} exactly to confirm. Nothing was destroyed."
            )
        found = self.schedule([case_id])
        item = found[0] if found else None
        if (item is not None and item.legal_hold) or (item is None and case.legal_hold):
            hold = item.hold_text() if item else "A legal hold is set"
            raise ValidationError(
                f"Case {case.number} cannot be destroyed. {hold}. The hold must be lifted "
                "first (case Overview, Legal hold)."
            )
        if not CaseStatus(case.status).is_closed:
            raise ValidationError("Only a closed case can be destroyed. Close it first.")
        if item is None:
            raise ValidationError(
                f"No retention rule covers case {case.number}. Set the team's retention rules "
                "in Settings first."
            )
        if not item.is_due:
            raise ValidationError(
                f"Case {case.number} is not due for destruction until {format_date(item.due_on)} "
                f"({item.rule})."
            )
        report(0, 4, "Destroying the case")
        with self.ctx.write(Permission.PURGE_CASES, "case", case_id) as session:
            secure_delete_case_rows(session, case_id)
            self.ctx.audit(
                session,
                "case.destroy",
                "case",
                case_id,
                f"case {case.number} destroyed under rule: {item.rule}",
            )
        report(1, 4, "Reclaiming the freed space")
        self.ctx.vault.reclaim_space()
        report(4, 4, "Done")
        return item.rule
