"""Tasks and reminders: every dated item of an open case is a task.

Tasks are computed from the records (plan items, their recurrences, reassessment and review
dates, members' certifications), so they can never disagree with the plan. Dates are calendar
dates in the team's own time zone: "today" comes from an aware time and a zone, so a check-in
due on Monday is due on Monday whatever the clock or daylight-saving time does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import col

from btam_desktop.domain.enums import CaseStatus, Role
from btam_desktop.domain.models import (
    Account,
    Case,
    ManagementPlan,
    MonitoringEntry,
    PlanIntervention,
    TrainingRecord,
)
from btam_desktop.domain.types import utcnow
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.plans import InterventionStatus, PlanStatus, Recurrence, RepeatRule
from btam_desktop.store.search import IndexedSession

CERTIFICATION_NOTICE_DAYS = 60
_CLOSED = [CaseStatus.CLOSED.value, CaseStatus.CLOSED_NO_THREAT.value]


class TaskKind(StrEnum):
    INTERVENTION_DUE = "intervention_due"
    INTERVENTION_REVIEW = "intervention_review"
    CHECK_IN = "check_in"
    REASSESSMENT = "reassessment"
    MONITORING_END = "monitoring_end"
    CASE_REVIEW = "case_review"
    CERTIFICATION = "certification"

    @property
    def label(self) -> str:
        return {
            "intervention_due": "Plan item due",
            "intervention_review": "Plan item review",
            "check_in": "Check-in",
            "reassessment": "Reassessment",
            "monitoring_end": "End of monitoring period",
            "case_review": "Case review",
            "certification": "Certification renewal",
        }[self.value]


class Bucket(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    THIS_WEEK = "this_week"
    LATER = "later"


@dataclass(frozen=True)
class Task:
    kind: TaskKind
    due_on: date
    title: str
    case_id: int | None = None
    case_number: str = ""
    responsible_id: int | None = None
    intervention_key: str = ""

    def bucket(self, today: date) -> Bucket:
        if self.due_on < today:
            return Bucket.OVERDUE
        if self.due_on == today:
            return Bucket.TODAY
        if self.due_on <= today + timedelta(days=7):
            return Bucket.THIS_WEEK
        return Bucket.LATER

    def notification_text(self, today: date) -> str:
        """For a system-tray message: the kind and the case number, never a name or content."""
        when = {
            Bucket.OVERDUE: "is overdue",
            Bucket.TODAY: "is due today",
            Bucket.THIS_WEEK: f"is due {self.due_on:%A}",
            Bucket.LATER: f"is due {self.due_on.isoformat()}",
        }[self.bucket(today)]
        where = f"Case {self.case_number}: " if self.case_number else ""
        return f"{where}{self.kind.label.lower()} {when}."


def local_today(now: datetime | None = None, zone: ZoneInfo | None = None) -> date:
    """The calendar date where the team is (the computer's zone unless one is given)."""
    moment = now or utcnow()
    if moment.tzinfo is None:
        raise ValueError("an aware time is needed to know the local date")
    return moment.astimezone(zone).date() if zone else moment.astimezone().date()


def occurrences(start: date, recurrence: Recurrence | RepeatRule, upto: date) -> list[date]:
    """Dates of a repeating item from its start up to and including ``upto``."""
    rule = recurrence if isinstance(recurrence, RepeatRule) else RepeatRule(recurrence)
    recurrence = rule.kind
    if recurrence == Recurrence.NONE:
        return [start] if start <= upto else []
    if recurrence in (Recurrence.TWICE_WEEKLY, Recurrence.WEEKDAYS):
        days = (
            {start.weekday(), (start.weekday() + 3) % 7}
            if recurrence == Recurrence.TWICE_WEEKLY
            else set(rule.weekdays)
        )
        span = max(0, (upto - start).days + 1)
        return [
            start + timedelta(days=offset)
            for offset in range(span)
            if (start + timedelta(days=offset)).weekday() in days
        ]
    found: list[date] = []
    index = 0
    while True:
        if recurrence == Recurrence.MONTHLY:
            month = start.month - 1 + index
            year = start.year + month // 12
            month = month % 12 + 1
            day = min(start.day, _days_in_month(year, month))
            current = date(year, month, day)
        else:
            step = {
                Recurrence.EVERY_N_DAYS: rule.every,
                Recurrence.EVERY_N_WEEKS: 7 * rule.every,
            }.get(recurrence, recurrence.days)
            assert step is not None
            current = start + timedelta(days=step * index)
        if current > upto:
            return found
        found.append(current)
        index += 1


def _days_in_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


class TaskService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def tasks(
        self,
        today: date | None = None,
        *,
        horizon_days: int = 7,
        for_account: int | None = None,
    ) -> list[Task]:
        """Open tasks due up to ``today + horizon_days`` (overdue ones included), by due date."""
        today = today or local_today()
        until = today + timedelta(days=horizon_days)
        found: list[Task] = []
        with self.ctx.read() as session:
            # Only the columns a review task shows: a large vault can have tens of thousands
            # of reviews due, and whole case rows (narratives and all) cost seconds to build.
            reviews = session.execute(
                select(
                    col(Case.id), col(Case.next_review_on), col(Case.number), col(Case.owner_id)
                ).where(
                    col(Case.status).not_in(_CLOSED),
                    col(Case.next_review_on).is_not(None),
                    col(Case.next_review_on) <= until,
                )
            ).all()
            for case_id, review_on, number, owner_id in reviews:
                found.append(
                    Task(
                        TaskKind.CASE_REVIEW,
                        review_on,
                        "Review the case and its level of concern",
                        case_id,
                        number,
                        owner_id,
                    )
                )
            plans = session.execute(
                select(ManagementPlan, Case)
                .join(Case, col(Case.id) == col(ManagementPlan.case_id))
                .where(
                    col(ManagementPlan.status) == PlanStatus.APPROVED.value,
                    col(Case.status).not_in(_CLOSED),
                )
            ).all()
            for plan, case in plans:
                assert plan.id is not None and case.id is not None
                reassess = plan.next_reassessment_on
                # Approving a plan copies this date to the case's review date; list it once.
                if reassess and reassess <= until and reassess != case.next_review_on:
                    found.append(
                        Task(
                            TaskKind.REASSESSMENT,
                            reassess,
                            "Reassess the case",
                            case.id,
                            case.number,
                            case.owner_id,
                        )
                    )
                ends = plan.monitoring_ends_on
                if ends and ends <= until:
                    found.append(
                        Task(
                            TaskKind.MONITORING_END,
                            ends,
                            "Monitoring period ends: decide to close or continue",
                            case.id,
                            case.number,
                            case.owner_id,
                        )
                    )
                items = session.execute(
                    select(PlanIntervention).where(col(PlanIntervention.plan_id) == plan.id)
                ).scalars()
                logged = self._last_check_ins(session, case.id)
                for item in items:
                    if not InterventionStatus(item.status).is_open:
                        continue
                    found.extend(self._item_tasks(item, case, today, until, logged))
            if self.ctx.actor.role == Role.COORDINATOR:
                found.extend(self._certification_tasks(session, today))
        if for_account is not None:
            found = [t for t in found if t.responsible_id in (None, for_account)]
        return sorted(found, key=lambda t: (t.due_on, t.case_number, t.kind.value))

    def _last_check_ins(self, session: IndexedSession, case_id: int) -> dict[str, date]:
        last: dict[str, date] = {}
        for entry in session.execute(
            select(MonitoringEntry).where(col(MonitoringEntry.case_id) == case_id)
        ).scalars():
            key = entry.intervention_key
            if key and (key not in last or entry.observed_on > last[key]):
                last[key] = entry.observed_on
        return last

    def _item_tasks(
        self,
        item: PlanIntervention,
        case: Case,
        today: date,
        until: date,
        logged: dict[str, date],
    ) -> list[Task]:
        assert case.id is not None
        tasks: list[Task] = []

        def add(kind: TaskKind, due: date) -> None:
            tasks.append(
                Task(kind, due, item.title, case.id, case.number, item.responsible_id, item.key)
            )

        rule = RepeatRule.parse(item.recurrence)
        if rule.repeats and item.start_on is not None:
            dates = occurrences(item.start_on, rule, until)
            if item.due_on is not None:
                dates = [d for d in dates if d <= item.due_on]
            last_logged = logged.get(item.key)
            past = [d for d in dates if d <= today]
            if past and (last_logged is None or last_logged < past[-1]):
                add(TaskKind.CHECK_IN, past[-1])  # the latest missed or due occurrence
            upcoming = [d for d in dates if d > today]
            if upcoming:
                add(TaskKind.CHECK_IN, upcoming[0])
        elif item.due_on is not None and item.due_on <= until:
            add(TaskKind.INTERVENTION_DUE, item.due_on)
        if item.review_on is not None and item.review_on <= until:
            add(TaskKind.INTERVENTION_REVIEW, item.review_on)
        return tasks

    def _certification_tasks(self, session: IndexedSession, today: date) -> list[Task]:
        soon = today + timedelta(days=CERTIFICATION_NOTICE_DAYS)
        rows = session.execute(
            select(TrainingRecord, Account)
            .join(Account, col(Account.id) == col(TrainingRecord.account_id))
            .where(
                col(TrainingRecord.expires_on).is_not(None),
                col(TrainingRecord.expires_on) <= soon,
                col(Account.active),
            )
        ).all()
        return [
            Task(
                TaskKind.CERTIFICATION,
                record.expires_on,
                f"{account.display_name or account.username}: renew “{record.course}”",
                responsible_id=self.ctx.actor.account_id,
            )
            for record, account in rows
            if record.expires_on is not None
        ]

    def overdue_case_ids(self, today: date | None = None) -> set[int]:
        today = today or local_today()
        return {
            t.case_id
            for t in self.tasks(today, horizon_days=0)
            if t.case_id is not None and t.due_on < today
        }
