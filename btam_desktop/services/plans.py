"""Management plans: versions, approval, interventions, differences, and the monitoring log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlmodel import col

from btam_desktop.domain.enums import Role
from btam_desktop.domain.models import (
    Account,
    AuditEvent,
    Case,
    ManagementPlan,
    MonitoringEntry,
    PlanIntervention,
    TeamContact,
)
from btam_desktop.domain.types import utcnow
from btam_desktop.services.conflicts import EditConflictError, audited_change, conflict_from_audit
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.permissions import Permission
from btam_desktop.store.errors import NotFoundError, ValidationError
from btam_desktop.store.search import IndexedSession


class PlanStatus(StrEnum):
    DRAFT = "draft"  # being written, never approved
    PROPOSED = "proposed"  # a change waiting for the coordinator
    APPROVED = "approved"  # the plan in force
    SUPERSEDED = "superseded"  # an earlier approved version


class InterventionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_open(self) -> bool:
        return self in (InterventionStatus.PLANNED, InterventionStatus.IN_PROGRESS)


class Strategy(StrEnum):
    """Virginia DCJS strategy types."""

    SUBJECT = "subject"
    TARGET = "target"
    ENVIRONMENT = "environment"
    PRECIPITATING = "precipitating"

    @property
    def label(self) -> str:
        return {
            "subject": "Person of concern",
            "target": "Targets",
            "environment": "Environment or system",
            "precipitating": "Precipitating events",
        }[self.value]


class Recurrence(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    TWICE_WEEKLY = "twice_weekly"  # the start's weekday and three days later
    WEEKDAYS = "weekdays"  # on chosen weekdays (RepeatRule.weekdays)
    EVERY_N_DAYS = "days"  # every RepeatRule.every days
    EVERY_N_WEEKS = "weeks"  # every RepeatRule.every weeks

    @property
    def days(self) -> int | None:
        return {"weekly": 7, "biweekly": 14}.get(self.value)

    @property
    def label(self) -> str:
        return {"none": "Once", "weekly": "Weekly", "biweekly": "Every two weeks",
                "monthly": "Monthly", "twice_weekly": "Twice a week",
                "weekdays": "On chosen weekdays", "days": "Every few days",
                "weeks": "Every few weeks"}[self.value]  # fmt: skip


WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class RepeatRule:
    """How a plan item repeats, stored as text: "weekly", "days:3", "weekdays:0,3"."""

    kind: Recurrence = Recurrence.NONE
    every: int = 1
    weekdays: tuple[int, ...] = ()

    @classmethod
    def parse(cls, text: str) -> RepeatRule:
        name, _, argument = (text or "none").partition(":")
        try:
            kind = Recurrence(name)
        except ValueError:
            return cls()
        if kind in (Recurrence.EVERY_N_DAYS, Recurrence.EVERY_N_WEEKS):
            every = int(argument) if argument.isdigit() else 1
            return cls(kind, every=max(1, every))
        if kind == Recurrence.WEEKDAYS:
            days = tuple(
                sorted({int(d) for d in argument.split(",") if d.isdigit()} & set(range(7)))
            )
            return cls(kind, weekdays=days)
        return cls(kind)

    def encode(self) -> str:
        if self.kind in (Recurrence.EVERY_N_DAYS, Recurrence.EVERY_N_WEEKS):
            return f"{self.kind.value}:{self.every}"
        if self.kind == Recurrence.WEEKDAYS:
            return f"{self.kind.value}:{','.join(str(d) for d in self.weekdays)}"
        return self.kind.value

    @property
    def repeats(self) -> bool:
        return self.kind != Recurrence.NONE

    @property
    def label(self) -> str:
        if self.kind == Recurrence.EVERY_N_DAYS:
            return "Every day" if self.every == 1 else f"Every {self.every} days"
        if self.kind == Recurrence.EVERY_N_WEEKS:
            return "Every week" if self.every == 1 else f"Every {self.every} weeks"
        if self.kind == Recurrence.WEEKDAYS:
            return "Every " + " and ".join(WEEKDAY_NAMES[d] for d in self.weekdays)
        return self.kind.label

    def validate(self, where: str) -> None:
        if self.kind == Recurrence.WEEKDAYS and not self.weekdays:
            raise ValidationError(f"{where} repeats on chosen weekdays: choose at least one day.")
        if self.kind in (Recurrence.EVERY_N_DAYS, Recurrence.EVERY_N_WEEKS) and not (
            1 <= self.every <= 365
        ):
            raise ValidationError(f"{where}: the repeat interval must be from 1 to 365.")


@dataclass
class InterventionInput:
    title: str
    strategy: Strategy = Strategy.SUBJECT
    responsible_id: int | None = None
    start_on: date | None = None
    due_on: date | None = None
    review_on: date | None = None
    recurrence: Recurrence = Recurrence.NONE
    status: InterventionStatus = InterventionStatus.PLANNED
    dropped_reason: str = ""
    notes: str = ""
    catalog_ref: str = ""
    key: str = ""
    responsible_contact_id: int | None = None  # someone outside the team (TeamContact)
    repeat: RepeatRule | None = None  # overrides ``recurrence`` for the richer repeats

    @property
    def rule(self) -> RepeatRule:
        return self.repeat if self.repeat is not None else RepeatRule(self.recurrence)

    def validate(self, position: int) -> None:
        where = f"Intervention {position} (“{self.title.strip()[:40]}”)"
        if not self.title.strip():
            raise ValidationError(f"Intervention {position} needs a description of what is done.")
        if self.status == InterventionStatus.DROPPED and not self.dropped_reason.strip():
            raise ValidationError(f"{where} is dropped: write why it was dropped.")
        if self.start_on and self.due_on and self.due_on < self.start_on:
            raise ValidationError(f"{where}: the due date is before the start date.")
        if self.rule.repeats and self.start_on is None:
            raise ValidationError(f"{where} repeats: give the date of the first occurrence.")
        self.rule.validate(where)
        if self.responsible_id is not None and self.responsible_contact_id is not None:
            raise ValidationError(
                f"{where}: choose one responsible person, a team member or a contact."
            )


@dataclass
class PlanInput:
    goals: str = ""
    supervision: str = ""
    safety_plan: str = ""
    next_reassessment_on: date | None = None
    interventions: list[InterventionInput] = field(default_factory=list)
    change_note: str = ""
    monitoring_days: int | None = None  # e.g. 60: how long monitoring lasts
    monitoring_ends_on: date | None = None  # computed from the days when not given


@dataclass
class ContactInput:
    name: str
    role: str = ""
    organization: str = ""
    reach: str = ""

    def validate(self) -> None:
        if not self.name.strip():
            raise ValidationError(
                "Give the contact's name (or a description such as “coach”).", field="name"
            )


class ReviewDateChoice(StrEnum):
    """What approving a plan does with the case's next review date when the two differ."""

    AUTO = "auto"  # the plan's date only if the case has none or it is later
    PLAN = "plan"  # the person chose the plan's date
    CASE = "case"  # the person kept the case's date


@dataclass(frozen=True)
class PlanChange:
    """One difference between two plan versions, in words."""

    what: str
    before: str
    after: str


@dataclass
class MonitoringInput:
    observed_on: date
    observation: str
    intervention_key: str = ""
    changes_concern: bool = False
    reassessment_requested: bool = False


_TEXT_FIELDS = {
    "goals": "Goals",
    "supervision": "Supervision and monitoring schedule",
    "safety_plan": "Safety plan for targets",
}
_ITEM_FIELDS = {
    "title": "description",
    "strategy": "strategy",
    "responsible_id": "responsible member",
    "responsible_contact_id": "responsible contact",
    "start_on": "start date",
    "due_on": "due date",
    "review_on": "review date",
    "recurrence": "recurrence",
    "status": "status",
    "dropped_reason": "reason dropped",
    "notes": "notes",
}


@dataclass(frozen=True)
class PlanCopy:
    """The plan version a person is editing: its id (None when the case had no plan yet) and
    its revision. Saving refuses when the newest version is no longer this copy."""

    plan_id: int | None
    revision: int = 1

    @classmethod
    def of(cls, plan: ManagementPlan | None) -> PlanCopy:
        return cls(None) if plan is None else cls(plan.id, plan.revision)


def _plan_conflict(
    session: IndexedSession, case_id: int, record: str, current: object
) -> EditConflictError:
    return conflict_from_audit(
        session,
        record,
        utcnow(),
        col(AuditEvent.case_id) == case_id,
        col(AuditEvent.action).startswith("plan."),
        current=current,
    )


class PlanService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # ---- reading -----------------------------------------------------------------------------
    def versions(self, case_id: int) -> list[ManagementPlan]:
        with self.ctx.read() as session:
            return list(
                session.execute(
                    select(ManagementPlan)
                    .where(col(ManagementPlan.case_id) == case_id)
                    .order_by(col(ManagementPlan.version))
                ).scalars()
            )

    def latest(self, case_id: int) -> ManagementPlan | None:
        versions = self.versions(case_id)
        return versions[-1] if versions else None

    def in_force(self, case_id: int) -> ManagementPlan | None:
        return next(
            (p for p in reversed(self.versions(case_id)) if p.status == PlanStatus.APPROVED), None
        )

    def get(self, plan_id: int) -> ManagementPlan:
        with self.ctx.read() as session:
            plan = session.get(ManagementPlan, plan_id)
        if plan is None:
            raise NotFoundError("That plan version")
        return plan

    def interventions(self, plan_id: int) -> list[PlanIntervention]:
        with self.ctx.read() as session:
            return _interventions(session, plan_id)

    def open_items(self, case_id: int) -> list[PlanIntervention]:
        with self.ctx.read() as session:
            return open_plan_items(session, case_id)

    # ---- writing -----------------------------------------------------------------------------
    def save(
        self, case_id: int, data: PlanInput, *, expected: PlanCopy | None = None
    ) -> ManagementPlan:
        """Save the plan. Editing an approved plan makes a new version that a coordinator
        approves; a draft or proposed version is updated in place. ``expected`` is the copy
        the person edited: when someone saved, approved or made a new version since, nothing
        is saved and ``EditConflictError`` says who changed what, and when."""
        for position, item in enumerate(data.interventions, start=1):
            item.validate(position)
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFoundError("That case")
            for item in data.interventions:
                if item.responsible_id is not None:
                    account = session.get(Account, item.responsible_id)
                    if account is None or account.role == Role.VIEWER.value:
                        raise ValidationError(
                            f"“{item.title}”: choose a responsible member of the team (viewers "
                            "only read cases), or a contact."
                        )
                if (
                    item.responsible_contact_id is not None
                    and session.get(TeamContact, item.responsible_contact_id) is None
                ):
                    raise ValidationError(f"“{item.title}”: choose a contact from the list.")
            if data.monitoring_days is not None and not 1 <= data.monitoring_days <= 3650:
                raise ValidationError("A monitoring period is from 1 day to 10 years long.")
            latest = session.execute(
                select(ManagementPlan)
                .where(col(ManagementPlan.case_id) == case_id)
                .order_by(col(ManagementPlan.version).desc())
                .limit(1)
            ).scalar_one_or_none()
            if expected is not None and PlanCopy.of(latest) != expected:
                raise _plan_conflict(session, case_id, "this plan", PlanCopy.of(latest))
            kept_revisions: dict[str, int] = {}
            if latest is None or latest.status in (PlanStatus.APPROVED, PlanStatus.SUPERSEDED):
                if latest is not None and not data.change_note.strip():
                    raise ValidationError(
                        "Say what changes in this version of the plan (a short note); the "
                        "approved version stays readable."
                    )
                plan = ManagementPlan(
                    case_id=case_id,
                    version=(latest.version + 1) if latest else 1,
                    status=PlanStatus.PROPOSED if latest else PlanStatus.DRAFT,
                    based_on_id=latest.id if latest else None,
                    created_by_id=self.ctx.actor.account_id,
                )
                action = "plan.version"
            else:
                plan = latest
                assert latest.id is not None
                plan.revision += 1
                kept_revisions = {
                    item.key: item.revision for item in _interventions(session, latest.id)
                }
                session.execute(
                    delete(PlanIntervention).where(col(PlanIntervention.plan_id) == plan.id)
                )
                action = "plan.update"
            plan.goals = data.goals.strip()
            plan.supervision = data.supervision.strip()
            plan.safety_plan = data.safety_plan.strip()
            plan.next_reassessment_on = data.next_reassessment_on
            plan.monitoring_days = data.monitoring_days
            kept_end = (
                latest.monitoring_ends_on
                if latest is not None and latest.monitoring_days == data.monitoring_days
                else None
            )
            plan.monitoring_ends_on = data.monitoring_ends_on or (
                (kept_end or date.today() + timedelta(days=data.monitoring_days))
                if data.monitoring_days
                else None
            )
            plan.change_note = data.change_note.strip()
            session.add(plan)
            session.flush()
            assert plan.id is not None
            for position, item in enumerate(data.interventions):
                session.add(
                    PlanIntervention(
                        plan_id=plan.id,
                        key=item.key or secrets.token_hex(8),
                        position=position,
                        catalog_ref=item.catalog_ref,
                        strategy=item.strategy.value,
                        title=item.title.strip(),
                        responsible_id=item.responsible_id,
                        responsible_contact_id=item.responsible_contact_id,
                        start_on=item.start_on,
                        due_on=item.due_on,
                        review_on=item.review_on,
                        recurrence=item.rule.encode(),
                        status=item.status.value,
                        dropped_reason=item.dropped_reason.strip(),
                        notes=item.notes.strip(),
                        revision=kept_revisions.get(item.key, 0) + 1,
                    )
                )
            self.ctx.audit(
                session,
                action,
                "case",
                case_id,
                f"plan v{plan.version}, {len(data.interventions)} interventions",
            )
            return plan

    def review_date_conflict(self, plan_id: int) -> tuple[date, date] | None:
        """(the case's next review, the plan's reassessment) when approving would have to
        choose between two different dates; None when there is nothing to choose."""
        plan = self.get(plan_id)
        with self.ctx.read() as session:
            case = session.get(Case, plan.case_id)
        if case is None or case.next_review_on is None or plan.next_reassessment_on is None:
            return None
        if case.next_review_on == plan.next_reassessment_on:
            return None
        return case.next_review_on, plan.next_reassessment_on

    def approve(
        self, plan_id: int, review_date: ReviewDateChoice = ReviewDateChoice.AUTO
    ) -> ManagementPlan:
        """Approve a version. The case's next review date is never moved backwards (nor a
        later date set by hand overwritten) unless the person chose the plan's date."""
        with self.ctx.write(Permission.APPROVE_PLANS, "plan", plan_id) as session:
            plan = session.get(ManagementPlan, plan_id)
            if plan is None:
                raise NotFoundError("That plan version")
            if plan.status not in (PlanStatus.DRAFT, PlanStatus.PROPOSED):
                raise ValidationError(
                    f"Version {plan.version} is {plan.status}; nothing to approve."
                )
            for older in session.execute(
                select(ManagementPlan).where(
                    col(ManagementPlan.case_id) == plan.case_id,
                    col(ManagementPlan.status) == PlanStatus.APPROVED.value,
                )
            ).scalars():
                older.status = PlanStatus.SUPERSEDED.value
                session.add(older)
            plan.status = PlanStatus.APPROVED.value
            plan.revision += 1
            plan.approved_at = utcnow()
            plan.approved_by_id = self.ctx.actor.account_id
            session.add(plan)
            case = session.get(Case, plan.case_id)
            assert case is not None
            planned, current = plan.next_reassessment_on, case.next_review_on
            if planned is not None and (
                review_date == ReviewDateChoice.PLAN
                or (review_date == ReviewDateChoice.AUTO and (current is None or planned > current))
            ):
                case.next_review_on = planned
            case.updated_at = utcnow()
            session.add(case)
            self.ctx.audit(
                session, "plan.approve", "case", plan.case_id, f"plan v{plan.version} approved"
            )
            return plan

    def record_progress(
        self,
        case_id: int,
        key: str,
        status: InterventionStatus,
        dropped_reason: str = "",
        *,
        expected_revision: int | None = None,
    ) -> PlanIntervention:
        """Mark an item of the plan in force done, dropped (with why), in progress or planned.

        Progress is not a change of plan: the approved version is updated in place, without a
        new version or approval, and the change is audited. ``expected_revision`` is the
        ``revision`` of the item as the person saw it in the version in force."""
        if status == InterventionStatus.DROPPED and not dropped_reason.strip():
            raise ValidationError("Write why the item is dropped.")
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            # The version in force and any newer draft or proposal carry the same progress.
            rows = session.execute(
                select(PlanIntervention, ManagementPlan)
                .join(ManagementPlan, col(ManagementPlan.id) == col(PlanIntervention.plan_id))
                .where(
                    col(ManagementPlan.case_id) == case_id,
                    col(ManagementPlan.status) != PlanStatus.SUPERSEDED.value,
                    col(PlanIntervention.key) == key,
                )
                .order_by(col(ManagementPlan.version))
            ).all()
            if not rows:
                raise NotFoundError("That plan item")
            if expected_revision is not None and rows[0][0].revision != expected_revision:
                raise _plan_conflict(session, case_id, "this plan item", rows[0][0].revision)
            before = rows[0][0].status
            for row_item, _plan in rows:
                row_item.revision += 1
                row_item.status = status.value
                row_item.dropped_reason = (
                    dropped_reason.strip() if status == InterventionStatus.DROPPED else ""
                )
                session.add(row_item)
            item: PlanIntervention = rows[0][0]
            plan: ManagementPlan = rows[0][1]
            case = session.get(Case, case_id)
            if case is not None:
                case.updated_at = utcnow()
                session.add(case)
            self.ctx.audit(
                session,
                "plan.item_progress",
                "case",
                case_id,
                f"plan v{plan.version} item {key}: {before} -> {status.value}",
            )
            return item

    def overdue_items(self, case_id: int, today: date | None = None) -> list[PlanIntervention]:
        """Open items of the newest plan whose due or review date has passed."""
        today = today or date.today()
        return [
            item
            for item in self.open_items(case_id)
            if (item.due_on is not None and item.due_on < today)
            or (item.review_on is not None and item.review_on < today)
        ]

    def responsible_members(self) -> list[Account]:
        """Team members who may be responsible for a plan item (viewers only read)."""
        with self.ctx.read() as session:
            return list(
                session.execute(
                    select(Account)
                    .where(col(Account.active), col(Account.role) != Role.VIEWER.value)
                    .order_by(col(Account.display_name))
                ).scalars()
            )

    # ---- the team's contacts ---------------------------------------------------------------
    def contacts(self, include_inactive: bool = False) -> list[TeamContact]:
        # Sorted here: on a team server the names are sealed, so the database cannot order them
        # (a team has a few dozen contacts).
        stmt = select(TeamContact)
        if not include_inactive:
            stmt = stmt.where(col(TeamContact.active))
        with self.ctx.read() as session:
            found = list(session.execute(stmt).scalars())
        return sorted(found, key=lambda c: (c.name.casefold(), c.id or 0))

    def add_contact(self, data: ContactInput) -> TeamContact:
        data.validate()
        with self.ctx.write(Permission.WORK_CASES, "contact") as session:
            contact = TeamContact(
                name=data.name.strip(),
                role=data.role.strip(),
                organization=data.organization.strip(),
                reach=data.reach.strip(),
            )
            session.add(contact)
            session.flush()
            self.ctx.audit(session, "contact.add", "contact", contact.id, "contact added")
            return contact

    def update_contact(
        self,
        contact_id: int,
        data: ContactInput,
        *,
        active: bool = True,
        expected_revision: int | None = None,
    ) -> TeamContact:
        data.validate()
        with self.ctx.write(Permission.WORK_CASES, "contact", contact_id) as session:
            contact = session.get(TeamContact, contact_id)
            if contact is None:
                raise NotFoundError("That contact")
            if expected_revision is not None and contact.revision != expected_revision:
                raise audited_change(
                    session,
                    "this contact",
                    "contact",
                    contact_id,
                    contact.created_at,
                    contact.revision,
                )
            contact.revision += 1
            contact.name = data.name.strip()
            contact.role = data.role.strip()
            contact.organization = data.organization.strip()
            contact.reach = data.reach.strip()
            contact.active = active
            session.add(contact)
            self.ctx.audit(
                session,
                "contact.update",
                "contact",
                contact_id,
                "contact changed" if active else "contact retired",
            )
            return contact

    # ---- differences -------------------------------------------------------------------------
    def diff(self, older_id: int, newer_id: int) -> list[PlanChange]:
        older, newer = self.get(older_id), self.get(newer_id)
        if older.case_id != newer.case_id:
            raise ValidationError("Only versions of the same case's plan can be compared.")
        names = {m.id: m.display_name or m.username for m in self._accounts()}
        contacts = {c.id: c.name for c in self.contacts(include_inactive=True)}
        changes: list[PlanChange] = []
        for attr, label in _TEXT_FIELDS.items():
            before, after = getattr(older, attr), getattr(newer, attr)
            if before != after:
                changes.append(PlanChange(label, before, after))
        if older.next_reassessment_on != newer.next_reassessment_on:
            changes.append(
                PlanChange(
                    "Next reassessment",
                    _show(older.next_reassessment_on),
                    _show(newer.next_reassessment_on),
                )
            )
        old_items = {i.key: i for i in self.interventions(older_id)}
        new_items = {i.key: i for i in self.interventions(newer_id)}
        for key, item in new_items.items():
            if key not in old_items:
                changes.append(PlanChange("Intervention added", "", item.title))
                continue
            before = old_items[key]
            for attr, label in _ITEM_FIELDS.items():
                a, b = getattr(before, attr), getattr(item, attr)
                if a != b:
                    if attr == "responsible_id":
                        a, b = names.get(a, "nobody"), names.get(b, "nobody")
                    elif attr == "responsible_contact_id":
                        a, b = contacts.get(a, "nobody"), contacts.get(b, "nobody")
                    elif attr == "recurrence":
                        a, b = RepeatRule.parse(a).label, RepeatRule.parse(b).label
                    changes.append(PlanChange(f"“{item.title}”: {label}", _show(a), _show(b)))
        for key, item in old_items.items():
            if key not in new_items:
                changes.append(PlanChange("Intervention removed", item.title, ""))
        old_order = [k for k in old_items if k in new_items]
        new_order = [k for k in new_items if k in old_items]
        if old_order != new_order:
            changes.append(PlanChange("Order of interventions", "", "changed"))
        return changes

    def _accounts(self) -> list[Account]:
        with self.ctx.read() as session:
            return list(session.execute(select(Account)).scalars())

    # ---- monitoring --------------------------------------------------------------------------
    def log_monitoring(self, case_id: int, data: MonitoringInput) -> MonitoringEntry:
        if not data.observation.strip():
            raise ValidationError("Write what was observed at this check-in.", field="observation")
        if data.observed_on > date.today():
            raise ValidationError("A check-in cannot be dated in the future.", field="observed_on")
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            if session.get(Case, case_id) is None:
                raise NotFoundError("That case")
            entry = MonitoringEntry(
                case_id=case_id,
                intervention_key=data.intervention_key,
                observed_on=data.observed_on,
                by_id=self.ctx.actor.account_id,
                observation=data.observation.strip(),
                changes_concern=data.changes_concern,
                reassessment_requested=data.reassessment_requested,
            )
            session.add(entry)
            session.flush()
            summary = "check-in" + ("; concern changed" if data.changes_concern else "")
            self.ctx.audit(session, "monitoring.log", "case", case_id, summary)
            return entry

    def monitoring(self, case_id: int) -> list[MonitoringEntry]:
        with self.ctx.read() as session:
            return list(
                session.execute(
                    select(MonitoringEntry)
                    .where(col(MonitoringEntry.case_id) == case_id)
                    .order_by(
                        col(MonitoringEntry.observed_on).desc(), col(MonitoringEntry.id).desc()
                    )
                ).scalars()
            )


def _show(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _interventions(session: IndexedSession, plan_id: int) -> list[PlanIntervention]:
    return list(
        session.execute(
            select(PlanIntervention)
            .where(col(PlanIntervention.plan_id) == plan_id)
            .order_by(col(PlanIntervention.position), col(PlanIntervention.id))
        ).scalars()
    )


def open_plan_items(session: IndexedSession, case_id: int) -> list[PlanIntervention]:
    """Open interventions of the case's newest plan version (what closing must resolve)."""
    newest = session.execute(
        select(func.max(col(ManagementPlan.id))).where(col(ManagementPlan.case_id) == case_id)
    ).scalar()
    if newest is None:
        return []
    return [
        item
        for item in _interventions(session, int(newest))
        if InterventionStatus(item.status).is_open
    ]
