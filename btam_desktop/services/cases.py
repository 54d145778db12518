"""Cases: intake, the case record, its level of concern and its workflow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlmodel import col

from btam_desktop.domain.enums import (
    CaseSetting,
    CaseStatus,
    LevelSource,
    PersonRole,
    Priority,
    ReportChannel,
    ThreatDirectness,
    ThreatExpression,
    YesNoUnknown,
)
from btam_desktop.domain.models import (
    Account,
    Assessment,
    Attachment,
    Case,
    CaseMember,
    CaseNote,
    ConcernReport,
    Disclosure,
    Draft,
    LevelDecision,
    ManagementPlan,
    MonitoringEntry,
    Person,
    PlanIntervention,
    TimelineEntry,
    WorkflowTransition,
)
from btam_desktop.domain.text import plural
from btam_desktop.domain.types import utcnow
from btam_desktop.domain.workflow import MOVES, MoveRequest, WorkflowAction, check_move, why_not
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.permissions import Permission
from btam_desktop.services.plans import open_plan_items
from btam_desktop.services.scales import level_codes, level_rank
from btam_desktop.store import search
from btam_desktop.store.errors import NotFoundError, PermissionDeniedError, ValidationError
from btam_desktop.store.search import IndexedSession


@dataclass
class PersonInput:
    role: PersonRole
    full_name: str = ""
    anonymous: bool = False
    affiliation: str = ""
    grade_or_position: str = ""
    contact: str = ""
    notes: str = ""

    def validate(self) -> None:
        if not self.anonymous and not self.full_name.strip() and self.role != PersonRole.SUBJECT:
            raise ValidationError(
                f"Give the {self.role.label.lower()}'s name, or mark them as anonymous or unknown."
            )


@dataclass
class IntakeInput:
    """A report of concern, as the intake form captures it."""

    received_at: datetime
    channel: ReportChannel
    narrative: str
    setting: CaseSetting
    site: str = ""
    title: str = ""
    priority: Priority = Priority.NORMAL
    reporter: PersonInput | None = None
    subjects: list[PersonInput] = field(default_factory=list)
    targets: list[PersonInput] = field(default_factory=list)
    threat_quote: str = ""
    expressed_as: list[ThreatExpression] = field(default_factory=list)
    directness: ThreatDirectness = ThreatDirectness.NONE
    known_to_target: YesNoUnknown = YesNoUnknown.UNKNOWN
    immediate_danger: bool = False
    emergency_notice_shown_at: datetime | None = None
    scale: str | None = None

    def validate(self) -> None:
        if not self.narrative.strip():
            raise ValidationError(
                "Describe what was reported: what happened, where and when, in the reporter's "
                "own words where possible."
            )
        if self.received_at.tzinfo is None:
            raise ValidationError("The time the report was received needs a time zone.")
        if self.received_at > utcnow():
            raise ValidationError("The report cannot have been received in the future.")
        if self.immediate_danger and self.emergency_notice_shown_at is None:
            raise ValidationError(
                "An immediate-danger report must first show the instruction to call emergency "
                "services; record when it was shown."
            )
        for person in [*self.subjects, *self.targets] + ([self.reporter] if self.reporter else []):
            person.validate()


CLOSURE_CHECKLIST_ID = "btam.checklist.closure"


class CaseSort(StrEnum):
    NUMBER = "number"
    TITLE = "title"
    STATUS = "status"
    LEVEL = "level"
    PRIORITY = "priority"
    OWNER = "owner"
    SITE = "site"
    OPENED = "opened"
    NEXT_DUE = "next_due"


@dataclass
class CaseQuery:
    statuses: set[CaseStatus] = field(default_factory=set)
    levels: set[str] = field(default_factory=set)
    owner_id: int | None = None
    site: str = ""
    setting: CaseSetting | None = None
    mine: bool = False
    overdue: bool = False
    open_only: bool = False
    text: str = ""
    sort: CaseSort = CaseSort.OPENED
    descending: bool = True


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list: only what the list shows."""

    id: int
    number: str
    title: str
    status: CaseStatus
    level_scale: str
    level: str | None
    level_rank: int | None
    priority: Priority
    owner: str
    site: str
    setting: str
    opened_at: datetime
    next_due: date | None


_FEW_SEARCH_MATCHES = 2000
"""Up to this many search-index entries, ``list_page``/``list_count`` look matches up by id."""

_SORT_COLUMNS: dict[CaseSort, ColumnElement[object]] = {
    CaseSort.NUMBER: col(Case.year) * 1_000_000 + col(Case.sequence),  # type: ignore[dict-item]
    CaseSort.TITLE: col(Case.title),  # type: ignore[dict-item]
    CaseSort.STATUS: col(Case.status),  # type: ignore[dict-item]
    CaseSort.LEVEL: col(Case.level_rank),  # type: ignore[dict-item]
    CaseSort.PRIORITY: col(Case.priority),  # type: ignore[dict-item]
    CaseSort.OWNER: col(Account.display_name),  # type: ignore[dict-item]
    CaseSort.SITE: col(Case.site),  # type: ignore[dict-item]
    CaseSort.OPENED: col(Case.opened_at),  # type: ignore[dict-item]
    CaseSort.NEXT_DUE: col(Case.next_review_on),  # type: ignore[dict-item]
}


class CaseService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # ---- intake ------------------------------------------------------------------------------
    def report_concern(self, intake: IntakeInput) -> Case:
        """Create a case, in status 'reported', from a report of concern."""
        intake.validate()
        scale = intake.scale or self._default_scale()
        level_codes(self.ctx, scale)  # an unknown scale is refused here
        with self.ctx.write(Permission.WORK_CASES, "case") as session:
            case = self._new_case(session, intake, scale)
            reporter_id = None
            if intake.reporter is not None:
                reporter = self._add_person(session, case, intake.reporter)
                reporter_id = reporter.id
            for person in [*intake.subjects, *intake.targets]:
                self._add_person(session, case, person)
            report = ConcernReport(
                case_id=_id(case),
                received_at=intake.received_at,
                channel=intake.channel.value,
                reporter_id=reporter_id,
                reporter_anonymous=bool(intake.reporter and intake.reporter.anonymous),
                narrative=intake.narrative.strip(),
                threat_quote=intake.threat_quote.strip(),
                expressed_as=[e.value for e in intake.expressed_as],
                directness=intake.directness.value,
                known_to_target=intake.known_to_target.value,
                immediate_danger=intake.immediate_danger,
                emergency_notice_shown_at=intake.emergency_notice_shown_at,
                entered_by_id=self.ctx.actor.account_id,
            )
            session.add(report)
            session.flush()
            self.ctx.audit(session, "case.create", "case", case.id, f"case {case.number} reported")
            if intake.immediate_danger:
                self.ctx.audit(
                    session,
                    "intake.emergency_notice",
                    "case",
                    case.id,
                    "immediate danger: emergency instruction shown",
                )
            return case

    def _default_scale(self) -> str:
        from btam_desktop.services.settings import load_settings

        return load_settings(self.ctx).default_scale

    def _new_case(self, session: IndexedSession, intake: IntakeInput, scale: str) -> Case:
        year = intake.received_at.astimezone().year
        last = session.execute(
            select(func.max(col(Case.sequence))).where(col(Case.year) == year)
        ).scalar()
        sequence = int(last or 0) + 1
        number = f"{year}-{sequence:04d}"
        case = Case(
            number=number,
            year=year,
            sequence=sequence,
            title=intake.title.strip() or f"Report of concern {number}",
            setting=intake.setting.value,
            site=intake.site.strip(),
            status=CaseStatus.REPORTED.value,
            priority=intake.priority.value,
            level_scale=scale,
            owner_id=self.ctx.actor.account_id,
            created_by_id=self.ctx.actor.account_id,
            opened_at=intake.received_at,  # the case's clock starts with the report
        )
        session.add(case)
        session.flush()
        return case

    def _add_person(self, session: IndexedSession, case: Case, data: PersonInput) -> Person:
        data.validate()
        person = Person(
            case_id=_id(case),
            role=data.role.value,
            full_name=data.full_name.strip(),
            anonymous=data.anonymous,
            affiliation=data.affiliation.strip(),
            grade_or_position=data.grade_or_position.strip(),
            contact=data.contact.strip(),
            notes=data.notes.strip(),
        )
        session.add(person)
        session.flush()
        return person

    # ---- reading ----------------------------------------------------------------------------
    def get(self, case_id: int) -> Case:
        with self.ctx.read() as session:
            case = session.get(Case, case_id)
        if case is None:
            raise NotFoundError("That case")
        return case

    def by_number(self, number: str) -> Case:
        with self.ctx.read() as session:
            case = session.execute(
                select(Case).where(col(Case.number) == number.strip())
            ).scalar_one_or_none()
        if not isinstance(case, Case):
            raise NotFoundError(f"Case {number}")
        return case

    def open_case(self, case_id: int) -> Case:
        """Read a case for display; viewing is an audit event (who looked at what)."""
        self.ctx.require(Permission.VIEW_CASES, "case", case_id)
        with self.ctx.vault.write() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFoundError("That case")
            self.ctx.audit(session, "case.view", "case", case_id, f"viewed case {case.number}")
        return case

    def _filters(self, query: CaseQuery) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if query.statuses:
            conditions.append(col(Case.status).in_([s.value for s in query.statuses]))
        if query.open_only:
            conditions.append(
                col(Case.status).not_in(
                    [CaseStatus.CLOSED.value, CaseStatus.CLOSED_NO_THREAT.value]
                )
            )
        if query.levels:
            wanted = [lv for lv in query.levels if lv]
            level_cond: ColumnElement[bool] = col(Case.level).in_(wanted)
            if "" in query.levels:
                level_cond = or_(level_cond, col(Case.level).is_(None))
            conditions.append(level_cond)
        if query.owner_id is not None:
            conditions.append(col(Case.owner_id) == query.owner_id)
        if query.site:
            conditions.append(col(Case.site) == query.site)
        if query.setting is not None:
            conditions.append(col(Case.setting) == query.setting.value)
        if query.mine and self.ctx.actor.account_id is not None:
            me = self.ctx.actor.account_id
            assigned = select(col(CaseMember.case_id)).where(col(CaseMember.account_id) == me)
            conditions.append(or_(col(Case.owner_id) == me, col(Case.id).in_(assigned)))
        if query.overdue:
            conditions.append(
                and_(
                    col(Case.next_review_on) < date.today(),
                    col(Case.status).not_in(
                        [CaseStatus.CLOSED.value, CaseStatus.CLOSED_NO_THREAT.value]
                    ),
                )
            )
        if query.text.strip():
            match = search.to_match_query(query.text)
            if match is None:
                conditions.append(col(Case.id) < 0)
            else:
                conditions.append(col(Case.id).in_(search.case_ids_subquery(match)))
        return conditions

    def count(self, query: CaseQuery) -> int:
        return self.list_count(query)

    def count_reviews_due(self, first: date, last: date) -> int:
        """Open cases whose next review falls from ``first`` to ``last``, both included.

        Read-only; added for the dashboard's "reviews due this week" tile (an indexed range
        count: CaseQuery has no date-range filter, and paging ``find`` would meet the cases
        with no review date first).
        """
        self.ctx.require(Permission.VIEW_CASES)
        stmt = (
            select(func.count())
            .select_from(Case)
            .where(
                col(Case.next_review_on) >= first,
                col(Case.next_review_on) <= last,
                col(Case.status).not_in(
                    [CaseStatus.CLOSED.value, CaseStatus.CLOSED_NO_THREAT.value]
                ),
            )
        )
        with self.ctx.read() as session:
            return int(session.execute(stmt).scalar_one())

    def find(self, query: CaseQuery, offset: int = 0, limit: int = 200) -> list[CaseRow]:
        """One page of the case list (see ``list_page`` for how it stays quick)."""
        return self.list_page(query, offset, limit)

    # ---- the case list on a large vault (read-only; added for the Cases page) --------------
    def list_page(self, query: CaseQuery, offset: int = 0, limit: int = 200) -> list[CaseRow]:
        """The same rows in the same order as ``find``, with query shapes that stay quick on a
        vault of 100,000 cases (the Cases page asks for every page through here).

        * Full-text search: the matching case ids are checked while walking the sort order
          (``id + 0 IN (...)``), so SQLite does not fetch and sort every match of a common word
          before it can return the first 200.
        * Sort by case number: on (year, sequence), the unique index, rather than the computed
          ``year * 1,000,000 + sequence`` (the same order), so nothing has to be sorted.
        """
        self.ctx.require(Permission.VIEW_CASES)
        keys: list[Any] = (
            [col(Case.year), col(Case.sequence)]
            if query.sort is CaseSort.NUMBER
            else [_SORT_COLUMNS[query.sort]]
        )
        keys.append(col(Case.id))
        stmt = (
            select(
                col(Case.id),
                col(Case.number),
                col(Case.title),
                col(Case.status),
                col(Case.level_scale),
                col(Case.level),
                col(Case.level_rank),
                col(Case.priority),
                col(Account.display_name),
                col(Account.username),
                col(Case.site),
                col(Case.setting),
                col(Case.opened_at),
                col(Case.next_review_on),
            )
            .select_from(Case)
            .outerjoin(Account, col(Account.id) == col(Case.owner_id))
            .order_by(*[key.desc() if query.descending else key.asc() for key in keys])
            .offset(offset)
            .limit(limit)
        )
        with self.ctx.read() as session:
            stmt = stmt.where(*self._list_filters(session, query, walk=True))
            rows = session.execute(stmt).all()
        return [
            CaseRow(
                id=r[0],
                number=r[1],
                title=r[2],
                status=CaseStatus(r[3]),
                level_scale=r[4],
                level=r[5],
                level_rank=r[6],
                priority=Priority(r[7]),
                owner=r[8] or r[9] or "",
                site=r[10],
                setting=r[11],
                opened_at=r[12],
                next_due=r[13],
            )
            for r in rows
        ]

    def list_count(self, query: CaseQuery) -> int:
        """The same number as ``count``; a search checks the matching ids while counting along
        an index instead of fetching every matching case (see ``list_page``)."""
        self.ctx.require(Permission.VIEW_CASES)
        with self.ctx.read() as session:
            stmt = select(func.count()).select_from(Case)
            stmt = stmt.where(*self._list_filters(session, query))
            return int(session.execute(stmt).scalar_one())

    def _list_filters(
        self, session: IndexedSession, query: CaseQuery, *, walk: bool = False
    ) -> list[ColumnElement[bool]]:
        """``_filters``, with full-text search (and, for a page, "mine") as tests made while
        walking an index rather than index lookups that collect every match first.

        A search matching few index entries keeps the lookup per match (cheaper than any walk);
        counting the entries costs well under a millisecond for a rare word, a few for a
        common one."""
        me = self.ctx.actor.account_id
        mine_walked = walk and query.mine and me is not None
        conditions = self._filters(replace(query, text="", mine=query.mine and not mine_walked))
        if mine_walked:
            assigned = select(col(CaseMember.case_id)).where(col(CaseMember.account_id) == me)
            conditions.append(or_((col(Case.owner_id) + 0) == me, (col(Case.id) + 0).in_(assigned)))
        if query.text.strip():
            match = search.to_match_query(query.text)
            if match is None:
                conditions.append(col(Case.id) < 0)
            else:
                matches = search.case_ids_subquery(match)
                entries = session.execute(
                    select(func.count()).select_from(matches.subquery())
                ).scalar_one()
                if int(entries) <= _FEW_SEARCH_MATCHES:
                    conditions.append(col(Case.id).in_(matches))
                else:
                    # "+ 0": a membership test per row walked, not a lookup per match.
                    conditions.append((col(Case.id) + 0).in_(matches))
        return conditions

    def sites(self) -> list[str]:
        with self.ctx.read() as session:
            rows = session.execute(
                select(col(Case.site))
                .where(col(Case.site) != "")
                .distinct()
                .order_by(col(Case.site))
            ).all()
        return [r[0] for r in rows]

    def counts_by_status(self) -> dict[CaseStatus, int]:
        with self.ctx.read() as session:
            rows = session.execute(
                select(col(Case.status), func.count()).group_by(col(Case.status))
            ).all()
        return {CaseStatus(r[0]): int(r[1]) for r in rows}

    def counts_by_level(self, open_only: bool = True) -> dict[str, int]:
        stmt = select(col(Case.level), func.count()).group_by(col(Case.level))
        if open_only:
            stmt = stmt.where(
                col(Case.status).not_in(
                    [CaseStatus.CLOSED.value, CaseStatus.CLOSED_NO_THREAT.value]
                )
            )
        with self.ctx.read() as session:
            rows = session.execute(stmt).all()
        return {(r[0] or ""): int(r[1]) for r in rows}

    # ---- editing -----------------------------------------------------------------------------
    def update(
        self,
        case_id: int,
        *,
        title: str | None = None,
        site: str | None = None,
        priority: Priority | None = None,
        owner_id: int | None = None,
        next_review_on: date | None = None,
        clear_next_review: bool = False,
        retention_until: date | None = None,
    ) -> Case:
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            case = _case(session, case_id)
            changed: list[str] = []
            if title is not None:
                if not title.strip():
                    raise ValidationError("A case needs a title. Avoid putting names in it.")
                case.title, changed = title.strip(), [*changed, "title"]
            if site is not None:
                case.site, changed = site.strip(), [*changed, "site"]
            if priority is not None:
                case.priority, changed = priority.value, [*changed, "priority"]
            if owner_id is not None:
                if session.get(Account, owner_id) is None:
                    raise ValidationError("Choose an owner from the team.")
                case.owner_id, changed = owner_id, [*changed, "owner"]
            if next_review_on is not None or clear_next_review:
                case.next_review_on = None if clear_next_review else next_review_on
                changed.append("next review")
            if retention_until is not None:
                case.retention_until, changed = retention_until, [*changed, "retention"]
            case.updated_at = utcnow()
            session.add(case)
            self.ctx.audit(session, "case.update", "case", case_id, "changed " + ", ".join(changed))
            return case

    def set_members(self, case_id: int, account_ids: Sequence[int]) -> None:
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            _case(session, case_id)
            session.execute(delete(CaseMember).where(col(CaseMember.case_id) == case_id))
            for account_id in sorted(set(account_ids)):
                if session.get(Account, account_id) is None:
                    raise ValidationError("A chosen member is not on the team.")
                session.add(CaseMember(case_id=case_id, account_id=account_id))
            self.ctx.audit(
                session, "case.members", "case", case_id, plural(len(set(account_ids)), "member")
            )

    def members(self, case_id: int) -> list[Account]:
        with self.ctx.read() as session:
            rows = session.execute(
                select(Account)
                .join(CaseMember, col(CaseMember.account_id) == col(Account.id))
                .where(col(CaseMember.case_id) == case_id)
                .order_by(Account.display_name)
            ).all()
        return [r[0] for r in rows]

    def set_legal_hold(self, case_id: int, on: bool, reason: str) -> None:
        if not reason.strip():
            raise ValidationError("Say why the legal hold is set or lifted.")
        with self.ctx.write(Permission.SET_LEGAL_HOLD, "case", case_id) as session:
            case = _case(session, case_id)
            case.legal_hold = on
            session.add(case)
            self.ctx.audit(
                session, "case.legal_hold", "case", case_id, "hold set" if on else "hold lifted"
            )

    def purge(self, case_id: int, reason: str) -> None:
        """Destroy a case and everything in it. Refused under legal hold."""
        if not reason.strip():
            raise ValidationError(
                "Say why the case is destroyed (e.g. the retention period ended)."
            )
        with self.ctx.write(Permission.PURGE_CASES, "case", case_id) as session:
            case = _case(session, case_id)
            if case.legal_hold:
                raise ValidationError(
                    f"Case {case.number} is under a legal hold (or an open request to inspect "
                    "it) and cannot be destroyed. Lift the hold first."
                )
            if not CaseStatus(case.status).is_closed:
                raise ValidationError("Only a closed case can be destroyed. Close it first.")
            number = case.number
            plan_ids = select(col(ManagementPlan.id)).where(col(ManagementPlan.case_id) == case_id)
            session.execute(
                delete(PlanIntervention).where(col(PlanIntervention.plan_id).in_(plan_ids))
            )
            session.execute(delete(Draft).where(col(Draft.subject) == str(case_id)))
            for table in (
                MonitoringEntry,
                ManagementPlan,
                Assessment,
                LevelDecision,
                Disclosure,
                Attachment,
                CaseNote,
                TimelineEntry,
                ConcernReport,
                Person,
                CaseMember,
                WorkflowTransition,
            ):
                session.execute(delete(table).where(col(table.case_id) == case_id))
            search.remove_case(session.connection(), case_id)
            session.execute(delete(Case).where(col(Case.id) == case_id))
            self.ctx.audit(session, "case.purge", "case", case_id, f"case {number} destroyed")

    # ---- level of concern ----------------------------------------------------------------------
    def decide_level(
        self,
        case_id: int,
        level: str,
        rationale: str,
        source: LevelSource = LevelSource.DECISION,
    ) -> LevelDecision:
        if not rationale.strip():
            raise ValidationError(
                "Write the rationale for this level of concern: the facts it rests on."
            )
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            case = _case(session, case_id)
            decision = self.record_level(session, case, level, rationale, source)
            self.ctx.audit(
                session, "case.level", "case", case_id, f"level set to {level} ({source.value})"
            )
            return decision

    def record_level(
        self,
        session: IndexedSession,
        case: Case,
        level: str,
        rationale: str,
        source: LevelSource,
    ) -> LevelDecision:
        codes = level_codes(self.ctx, case.level_scale)
        if level not in codes:
            raise ValidationError(
                f"“{level}” is not a level on this case's scale. Choose one of: {', '.join(codes)}."
            )
        decision = LevelDecision(
            case_id=_id(case),
            scale=case.level_scale,
            level=level,
            decided_by_id=self.ctx.actor.account_id,
            rationale=rationale.strip(),
            source=source.value,
        )
        session.add(decision)
        case.level = level
        case.level_rank = level_rank(self.ctx, case.level_scale, level)
        case.updated_at = utcnow()
        session.add(case)
        session.flush()
        return decision

    def level_history(self, case_id: int) -> list[LevelDecision]:
        with self.ctx.read() as session:
            rows = session.execute(
                select(LevelDecision)
                .where(col(LevelDecision.case_id) == case_id)
                .order_by(col(LevelDecision.decided_at), col(LevelDecision.id))
            ).all()
        return [r[0] for r in rows]

    # ---- workflow -----------------------------------------------------------------------------
    def why_not(self, case: Case, action: WorkflowAction) -> str | None:
        """None if the signed-in person may take ``action`` now, else the reason why not."""
        problem = why_not(CaseStatus(case.status), action)
        if problem:
            return problem
        needed = (
            Permission.CLOSE_CASES
            if MOVES[action].needs.coordinator_only
            else Permission.WORK_CASES
        )
        if not self.ctx.can(needed):
            return f"Your role ({self.ctx.actor.role.value}) may not {needed.value}."
        return None

    def move(self, case_id: int, request: MoveRequest) -> Case:
        needed = self._permission_for(request.action)
        with self.ctx.write(needed, "case", case_id) as session:
            case = _case(session, case_id)
            return self.apply_move(session, case, request)

    def _permission_for(self, action: WorkflowAction) -> Permission:
        return (
            Permission.CLOSE_CASES
            if MOVES[action].needs.coordinator_only
            else Permission.WORK_CASES
        )

    def apply_move(self, session: IndexedSession, case: Case, request: MoveRequest) -> Case:
        """Make a workflow move inside the caller's write transaction.

        Callers check the role first with ``ctx.require`` (which audits a refusal in its own
        transaction); this check is the safety net and cannot audit, since the caller's
        transaction is rolled back."""
        for needed in (self._permission_for(request.action), Permission.WORK_CASES):
            if not self.ctx.can(needed):
                raise PermissionDeniedError(needed.value, self.ctx.actor.role.value)
        case_id = _id(case)
        codes = set(level_codes(self.ctx, case.level_scale))
        before = CaseStatus(case.status)
        after = check_move(before, request, codes)
        if request.action == WorkflowAction.CLOSE:
            self._check_ready_to_close(session, case_id)
        if request.closure_level:
            self.record_level(
                session,
                case,
                request.closure_level,
                f"Level at closure. {request.reason.strip()}",
                LevelSource.CLOSURE,
            )
        case.status = after.value
        now = utcnow()
        if after.is_closed:
            case.closed_at = now
            case.closure_reason = request.reason.strip()
        elif before.is_closed:
            case.closed_at = None
            case.closure_reason = ""
        case.updated_at = now
        session.add(case)
        session.add(
            WorkflowTransition(
                case_id=case_id,
                action=request.action.value,
                from_status=before.value,
                to_status=after.value,
                reason=request.reason.strip(),
                details={"screeners": list(request.screeners)} if request.screeners else {},
                by_id=self.ctx.actor.account_id,
            )
        )
        self.ctx.audit(
            session,
            f"case.{request.action.value}",
            "case",
            case_id,
            f"{before.value} -> {after.value}",
        )
        return case

    def _check_ready_to_close(self, session: IndexedSession, case_id: int) -> None:
        """Closing needs every plan item done or dropped, and the closure checklist completed."""
        open_items = open_plan_items(session, case_id)
        if open_items:
            listed = "; ".join(f"“{i.title[:50]}”" for i in open_items[:4])
            more = f" and {len(open_items) - 4} more" if len(open_items) > 4 else ""
            raise ValidationError(
                f"The management plan still has open items: {listed}{more}. Mark each one done, "
                "or dropped with a reason, before closing the case."
            )
        checklist = session.execute(
            select(col(Assessment.id)).where(
                col(Assessment.case_id) == case_id,
                col(Assessment.form_id) == CLOSURE_CHECKLIST_ID,
                col(Assessment.status) == "completed",
            )
        ).first()
        if checklist is None:
            raise ValidationError(
                "Complete the case closure checklist (Assessments tab, Checklist) before "
                "closing the case."
            )

    def transitions(self, case_id: int) -> list[WorkflowTransition]:
        with self.ctx.read() as session:
            rows = session.execute(
                select(WorkflowTransition)
                .where(col(WorkflowTransition.case_id) == case_id)
                .order_by(col(WorkflowTransition.id))
            ).all()
        return [r[0] for r in rows]


def _id(case: Case) -> int:
    assert case.id is not None
    return case.id


def _case(session: IndexedSession, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("That case")
    return case
