"""Cases: intake, the case record, its level of concern and its workflow."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op
from sqlmodel import col

from btam_desktop.domain.enums import (
    CaseSetting,
    CaseStatus,
    DangerAnswer,
    LevelSource,
    PersonRole,
    Priority,
    ReportChannel,
    ThreatDirectness,
    ThreatExpression,
    ThreatType,
    YesNoUnknown,
)
from btam_desktop.domain.models import (
    Account,
    Assessment,
    Attachment,
    AuditEvent,
    Case,
    CaseMember,
    CaseNote,
    CaseOrigin,
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
from btam_desktop.domain.workflow import MoveRequest, WorkflowAction, check_move, why_not
from btam_desktop.services.conflicts import EditConflictError as EditConflictError
from btam_desktop.services.conflicts import conflict_from_audit
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.evidence import EvidenceFile
from btam_desktop.services.permissions import Permission
from btam_desktop.services.plans import open_plan_items
from btam_desktop.services.scales import level_codes, level_rank
from btam_desktop.store import search
from btam_desktop.store.errors import (
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from btam_desktop.store.search import IndexedSession


@dataclass
class PersonInput:
    role: PersonRole
    full_name: str = ""
    anonymous: bool = False
    confidential: bool = False  # a reporter known to the team, never named to the subject
    affiliation: str = ""
    grade_or_position: str = ""
    contact: str = ""
    notes: str = ""

    def validate(self) -> None:
        if self.anonymous and self.confidential:
            raise ValidationError(
                "A reporter is either anonymous (identity unknown) or confidential (known to the "
                "team, withheld from others). Choose one.",
                field="confidential",
            )
        if self.anonymous and self.full_name.strip():
            raise ValidationError(
                "The reporter is marked anonymous but a name was typed. If the team knows who "
                "it is, choose “Confidential” instead; otherwise clear the name.",
                field="full_name",
            )
        if self.confidential and not self.full_name.strip():
            raise ValidationError(
                "A confidential reporter is someone the team knows: give the reporter's name.",
                field="full_name",
            )
        if not self.anonymous and not self.full_name.strip() and self.role != PersonRole.SUBJECT:
            raise ValidationError(
                f"Give the {self.role.label.lower()}'s name, or mark them as anonymous or unknown.",
                field="full_name",
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
    # Yes / No / Not sure; when None, ``immediate_danger`` gives yes or no.
    danger_answer: DangerAnswer | None = None
    conditional: bool = False
    emergency_called: YesNoUnknown | None = None
    emergency_called_by: str = ""
    emergency_called_at: datetime | None = None
    evidence: list[EvidenceFile] = field(default_factory=list)

    @property
    def danger(self) -> DangerAnswer:
        if self.danger_answer is not None:
            return self.danger_answer
        return DangerAnswer.YES if self.immediate_danger else DangerAnswer.NO

    def validate(self) -> None:
        if not self.narrative.strip():
            raise ValidationError(
                "Describe what was reported: what happened, where and when, in the reporter's "
                "own words where possible.",
                field="narrative",
            )
        if self.received_at.tzinfo is None:
            raise ValidationError(
                "The time the report was received needs a time zone.", field="received_at"
            )
        if self.received_at > utcnow():
            raise ValidationError(
                "The report cannot have been received in the future.", field="received_at"
            )
        if self.emergency_called_at is not None:
            if self.emergency_called_at.tzinfo is None:
                raise ValidationError(
                    "The time emergency services were called needs a time zone.",
                    field="emergency_called_at",
                )
            if self.emergency_called_at > utcnow():
                raise ValidationError(
                    "Emergency services cannot have been called in the future. Check the time.",
                    field="emergency_called_at",
                )
        if self.emergency_called_by.strip() and self.emergency_called != YesNoUnknown.YES:
            raise ValidationError(
                "Who called emergency services was given, but not that they were called. "
                "Answer “Yes” to the call question, or clear the name.",
                field="emergency_called_by",
            )
        for evidence in self.evidence:
            try:
                evidence.checked_media_type()
            except ValidationError as error:
                raise error.for_field("evidence") from None
        if self.danger.needs_emergency and self.emergency_notice_shown_at is None:
            raise ValidationError(
                "An immediate-danger report must first show the instruction to call emergency "
                "services; record when it was shown.",
                field="emergency_notice_shown_at",
            )
        for person in [*self.subjects, *self.targets]:
            person.validate()
        if self.reporter is not None:
            try:
                self.reporter.validate()
            except ValidationError as error:
                raise error.for_field("reporter") from None


CLOSURE_CHECKLIST_ID = "btam.checklist.closure"
# The field of the error that lists what closing a case still needs: about the case, not an input.
CLOSING_NEEDS_FIELD = "closing_needs"
DECISION_DRAFT_KIND = "assessment-decision"  # its subject is an assessment id, not a case id


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
    THREAT_TYPE = "threat_type"


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
    threat_type: ThreatType | None = None
    threat_type_unset: bool = False  # only cases screening has not typed yet
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
    threat_type: str = ""


_NO_INDEX: custom_op[Any] = custom_op("+")
"""SQLite's unary plus: the same value, but the term cannot be answered from an index."""

_FEW_SEARCH_MATCHES = 2000
# Closing decisions follow the team's policy (Settings); coordinator-only by default.
CLOSING_MOVES = frozenset({WorkflowAction.SCREEN_OUT, WorkflowAction.CLOSE, WorkflowAction.REOPEN})
_CLOSING_WHAT = "close, screen out or reopen cases"
_POLICY = (
    "Your team's policy (Settings, Case closing) keeps this to coordinators. Ask your coordinator."
)
"""Up to this many search-index entries, ``list_page``/``list_count`` look matches up by id."""

_SORT_COLUMNS: dict[CaseSort, ColumnElement[object]] = {
    CaseSort.NUMBER: col(Case.year) * 1_000_000 + col(Case.sequence),  # type: ignore[dict-item]
    CaseSort.TITLE: col(Case.title),  # type: ignore[dict-item]
    CaseSort.STATUS: col(Case.status),  # type: ignore[dict-item]
    CaseSort.LEVEL: col(Case.level_rank),  # type: ignore[dict-item]
    # By rank (low < normal < high < urgent), not by the alphabet; indexed.
    CaseSort.PRIORITY: col(Case.priority_rank),  # type: ignore[dict-item]
    CaseSort.OWNER: col(Account.display_name),  # type: ignore[dict-item]
    CaseSort.SITE: col(Case.site),  # type: ignore[dict-item]
    CaseSort.OPENED: col(Case.opened_at),  # type: ignore[dict-item]
    CaseSort.NEXT_DUE: col(Case.next_review_on),  # type: ignore[dict-item]
    CaseSort.THREAT_TYPE: col(Case.threat_type),  # type: ignore[dict-item]
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
                reporter_confidential=bool(intake.reporter and intake.reporter.confidential),
                narrative=intake.narrative.strip(),
                threat_quote=intake.threat_quote.strip(),
                expressed_as=[e.value for e in intake.expressed_as],
                directness=intake.directness.value,
                conditional=intake.conditional,
                known_to_target=intake.known_to_target.value,
                immediate_danger=intake.danger.needs_emergency,
                danger_answer=intake.danger.value,
                emergency_notice_shown_at=intake.emergency_notice_shown_at,
                emergency_called=intake.emergency_called.value if intake.emergency_called else "",
                emergency_called_by=intake.emergency_called_by.strip(),
                emergency_called_at=intake.emergency_called_at,
                entered_by_id=self.ctx.actor.account_id,
            )
            session.add(report)
            session.flush()
            self.ctx.audit(session, "case.create", "case", case.id, f"case {case.number} reported")
            if intake.danger.needs_emergency:
                self.ctx.audit(
                    session,
                    "intake.emergency_notice",
                    "case",
                    case.id,
                    f"immediate danger ({intake.danger.label.lower()}): emergency instruction "
                    "shown",
                )
            for evidence in intake.evidence:
                attachment = Attachment(
                    case_id=_id(case),
                    file_name=evidence.name,
                    media_type=evidence.checked_media_type(),
                    size=len(evidence.data),
                    sha256=hashlib.sha256(evidence.data).hexdigest(),
                    description=evidence.description.strip(),
                    data=evidence.data,
                    added_by_id=self.ctx.actor.account_id,
                )
                session.add(attachment)
                session.flush()
                self.ctx.audit(
                    session,
                    "attachment.add",
                    "attachment",
                    attachment.id,
                    attachment.media_type,
                    case_id=case.id,
                )
            return case

    def confidential_reporter_ids(self, case_id: int) -> set[int]:
        """People whose identity is withheld from anything meant for the subject or family."""
        with self.ctx.read() as session:
            rows = session.execute(
                select(col(ConcernReport.reporter_id)).where(
                    col(ConcernReport.case_id) == case_id,
                    col(ConcernReport.reporter_confidential),
                    col(ConcernReport.reporter_id).is_not(None),
                )
            ).all()
        return {int(r[0]) for r in rows}

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
            priority_rank=intake.priority.rank,
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
        with self.ctx.read() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFoundError("That case")
        # On a full disk the view waits in memory and is written when there is room again.
        self.ctx.record("case.view", "case", case_id, f"viewed case {case.number}")
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
        if query.threat_type is not None:
            conditions.append(col(Case.threat_type) == query.threat_type.value)
        elif query.threat_type_unset:
            conditions.append(col(Case.threat_type) == "")
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
        vault of 100,000 cases.

        * Full-text search: the matching case ids are checked while walking the sort order
          (``id + 0 IN (...)``), so SQLite does not fetch and sort every match of a common word
          before it can return the first 200.
        * Sort by case number: on (year, sequence), the unique index, rather than the computed
          ``year * 1,000,000 + sequence`` (the same order), so nothing has to be sorted.

        A deep ``offset`` still walks every row before it; the Cases page therefore asks for
        ``list_ids`` once and then ``list_rows`` for the rows in view.
        """
        self.ctx.require(Permission.VIEW_CASES)
        with self.ctx.read() as session:
            if _titles_sealed(session) and query.sort is CaseSort.TITLE:
                return self.list_rows(self.list_ids(query)[offset : offset + limit])
            order = self._order_keys(query, nulls_lowest=_on_team_server(session))
            stmt = self._row_select().order_by(*order).offset(offset).limit(limit)
            stmt = stmt.where(*self._list_filters(session, query, walk=True))
            rows = session.execute(stmt).all()
        return [_case_row(r) for r in rows]

    def list_ids(self, query: CaseQuery) -> list[int]:
        """Every matching case's id, in list order: the shape of the whole list in one walk of
        the sort index that reads no row content (and, by its length, the count).

        With it, any stretch of the list, the last rows included, is one ``list_rows`` lookup by
        primary key, however deep: no offset has to be walked."""
        self.ctx.require(Permission.VIEW_CASES)
        stmt = select(col(Case.id)).select_from(Case)
        if query.sort is CaseSort.OWNER:
            stmt = stmt.outerjoin(Account, col(Account.id) == col(Case.owner_id))
        with self.ctx.read() as session:
            # A broad status filter (open cases, say) passes most rows: walking the sort index
            # would look up every row to test its status, several times slower than one scan
            # and a sort. SQLite's unary "+" keeps the value and stops the index walk.
            if _titles_sealed(session) and query.sort is CaseSort.TITLE:
                # The server holds titles sealed: it cannot order them, so they are ordered here.
                titled = select(col(Case.id), col(Case.title)).select_from(Case)
                titled = titled.where(*self._list_filters(session, query, walk=True))
                rows = sorted(
                    session.execute(titled).all(),
                    key=lambda r: (r[1], r[0]),
                    reverse=query.descending,
                )
                return [int(r[0]) for r in rows]
            scan = _only_status_filters(query) and session.get_bind().dialect.name == "sqlite"
            stmt = stmt.order_by(
                *self._order_keys(query, unindexed=scan, nulls_lowest=_on_team_server(session))
            )
            stmt = stmt.where(*self._list_filters(session, query, walk=True))
            return list(session.execute(stmt).scalars().all())

    def list_rows(self, ids: Sequence[int]) -> list[CaseRow]:
        """The list rows of these cases, in the order given (ids no longer there are left out)."""
        self.ctx.require(Permission.VIEW_CASES)
        if not ids:
            return []
        stmt = self._row_select().where(col(Case.id).in_(list(ids)))
        with self.ctx.read() as session:
            found = {r[0]: _case_row(r) for r in session.execute(stmt).all()}
        return [found[case_id] for case_id in ids if case_id in found]

    @staticmethod
    def _order_keys(
        query: CaseQuery, *, unindexed: bool = False, nulls_lowest: bool = False
    ) -> list[Any]:
        keys: list[Any] = (
            [col(Case.year), col(Case.sequence)]
            if query.sort is CaseSort.NUMBER
            else [_SORT_COLUMNS[query.sort]]
        )
        keys.append(col(Case.id))
        if unindexed:
            keys = [UnaryExpression(key, operator=_NO_INDEX, type_=key.type) for key in keys]
        ordered = [key.desc() if query.descending else key.asc() for key in keys]
        if nulls_lowest:  # the team server (PostgreSQL) sorts NULL high; SQLite sorts it low
            # Only where a NULL can occur: NULLS LAST on a descending key stops PostgreSQL from
            # walking its index backwards, so NOT NULL keys (number, id, dates) keep the plain
            # order.
            ordered = [
                (k.nulls_last() if query.descending else k.nulls_first())
                if _may_be_null(key)
                else k
                for k, key in zip(ordered, keys, strict=True)
            ]
        return ordered

    @staticmethod
    def _row_select() -> Any:
        return (
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
                col(Case.threat_type),
            )
            .select_from(Case)
            .outerjoin(Account, col(Account.id) == col(Case.owner_id))
        )

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
                # (On PostgreSQL, the team server, "+ 0" turns a hash semi-join into a nested
                # loop: the plain membership test is the quick one there.)
                if int(entries) <= _FEW_SEARCH_MATCHES or _on_team_server(session):
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
        expected_version: datetime | None = None,
    ) -> Case:
        """``expected_version`` is the ``updated_at`` of the copy the person edited: if someone
        else saved the case since (on another computer of a team server), nothing is saved and
        ``EditConflictError`` says who changed what, and when."""
        if retention_until is not None:
            with self.ctx.read() as session:
                current = _case(session, case_id).retention_until
            if retention_until != current:
                self.ctx.require(Permission.SET_RETENTION, "case", case_id)
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            case = _case(session, case_id)
            if expected_version is not None and case.updated_at != expected_version:
                raise _conflict(session, case)
            changed: list[str] = []
            if title is not None:
                if not title.strip():
                    raise ValidationError(
                        "A case needs a title. Avoid putting names in it.", field="title"
                    )
                case.title, changed = title.strip(), [*changed, "title"]
            if site is not None:
                case.site, changed = site.strip(), [*changed, "site"]
            if priority is not None:
                case.priority, changed = priority.value, [*changed, "priority"]
                case.priority_rank = priority.rank
            if owner_id is not None:
                if session.get(Account, owner_id) is None:
                    raise ValidationError("Choose an owner from the team.", field="owner_id")
                case.owner_id, changed = owner_id, [*changed, "owner"]
            if next_review_on is not None or clear_next_review:
                case.next_review_on = None if clear_next_review else next_review_on
                changed.append("next review")
            if retention_until is not None and retention_until != case.retention_until:
                case.retention_until, changed = retention_until, [*changed, "retention"]
            case.updated_at = utcnow()
            session.add(case)
            self.ctx.audit(session, "case.update", "case", case_id, "changed " + ", ".join(changed))
            return case

    def set_members(
        self,
        case_id: int,
        account_ids: Sequence[int],
        *,
        expected_members: Sequence[int] | None = None,
    ) -> None:
        """``expected_members``: the members the person saw when choosing; when someone else
        changed them since, nothing is saved and ``EditConflictError`` says who, and when."""
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            case = _case(session, case_id)
            if expected_members is not None:
                now = sorted(
                    session.execute(
                        select(col(CaseMember.account_id)).where(col(CaseMember.case_id) == case_id)
                    ).scalars()
                )
                if now != sorted(set(expected_members)):
                    raise conflict_from_audit(
                        session,
                        "the case's team members",
                        case.updated_at,
                        col(AuditEvent.case_id) == case_id,
                        col(AuditEvent.action) == "case.members",
                        current=now,
                    )
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
            raise ValidationError("Say why the legal hold is set or lifted.", field="reason")
        with self.ctx.write(Permission.SET_LEGAL_HOLD, "case", case_id) as session:
            case = _case(session, case_id)
            case.legal_hold = on
            case.legal_hold_reason = reason.strip() if on else ""
            case.legal_hold_by_id = self.ctx.actor.account_id if on else None
            case.legal_hold_at = utcnow() if on else None
            session.add(case)
            self.ctx.audit(
                session, "case.legal_hold", "case", case_id, "hold set" if on else "hold lifted"
            )

    def purge(self, case_id: int, reason: str) -> None:
        """Destroy a case and everything in it. Refused under legal hold."""
        if not reason.strip():
            raise ValidationError(
                "Say why the case is destroyed (e.g. the retention period ended).", field="reason"
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
            secure_delete_case_rows(session, case_id)
            self.ctx.audit(session, "case.purge", "case", case_id, f"case {number} destroyed")
        self.ctx.vault.reclaim_space()

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
                "Write the rationale for this level of concern: the facts it rests on.",
                field="rationale",
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
                f"“{level}” is not a level on this case's scale. "
                f"Choose one of: {', '.join(codes)}.",
                field="level",
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
        needed = self._permission_for(action)
        if not self.ctx.can(needed):
            return f"Your role ({self.ctx.actor.role.value}) may not {needed.value}."
        if action in CLOSING_MOVES and not self._may_close():
            return f"Your role ({self.ctx.actor.role.value}) may not {_CLOSING_WHAT}. {_POLICY}"
        return None

    def require_move(self, action: WorkflowAction, case_id: int) -> None:
        """Refuse (and audit) a move the role or the team's closing policy does not allow."""
        if action in CLOSING_MOVES:
            self.ctx.require(
                Permission.CLOSE_CASES,
                "case",
                case_id,
                granted=self._may_close(),
                why=_POLICY,
                summary=f"refused: {action.value} (team policy)",
            )
        self.ctx.require(self._permission_for(action), "case", case_id)

    def move(self, case_id: int, request: MoveRequest) -> Case:
        self.require_move(request.action, case_id)
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            case = _case(session, case_id)
            return self.apply_move(session, case, request)

    def _may_close(self) -> bool:
        """Closing, screening out and reopening follow the team's policy in Settings."""
        if self.ctx.can(Permission.CLOSE_CASES):
            return True
        from btam_desktop.services.settings import load_settings

        members_may = load_settings(self.ctx).closing_by == "members"
        return members_may and self.ctx.can(Permission.WORK_CASES)

    def _permission_for(self, action: WorkflowAction) -> Permission:
        # Closing moves are checked against the team policy first (see ``move``).
        return Permission.WORK_CASES

    def apply_move(self, session: IndexedSession, case: Case, request: MoveRequest) -> Case:
        """Make a workflow move inside the caller's write transaction.

        Callers check the role first with ``ctx.require`` (which audits a refusal in its own
        transaction); this check is the safety net and cannot audit, since the caller's
        transaction is rolled back."""
        for needed in (self._permission_for(request.action), Permission.WORK_CASES):
            if not self.ctx.can(needed):
                raise PermissionDeniedError(needed.value, self.ctx.actor.role.value)
        if request.action in CLOSING_MOVES and not self._may_close():
            raise PermissionDeniedError(_CLOSING_WHAT, self.ctx.actor.role.value, _POLICY)
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
        if request.threat_type:
            case.threat_type = request.threat_type
        if after.is_closed:
            case.closed_at = now
            case.closure_reason = request.reason.strip()
            if request.threat_type == ThreatType.TRANSIENT.value:
                case.closure_reason = f"{TRANSIENT_RESOLUTION}. {case.closure_reason}"
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
                details=_move_details(request),
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

    def set_threat_type(self, case_id: int, threat_type: ThreatType, rationale: str) -> Case:
        """Record what screening found: a transient or a substantive threat, and why."""
        if not rationale.strip():
            raise ValidationError(
                f"Say why the threat is {threat_type.label.lower()}: the facts it rests on.",
                field="rationale",
            )
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            case = _case(session, case_id)
            before = case.threat_type or "not set"
            case.threat_type = threat_type.value
            case.updated_at = utcnow()
            session.add(case)
            session.add(
                CaseNote(
                    case_id=case_id,
                    category="decision",
                    body=f"Threat type: {threat_type.label}. {rationale.strip()}",
                    author_id=self.ctx.actor.account_id,
                )
            )
            self.ctx.audit(
                session,
                "case.threat_type",
                "case",
                case_id,
                f"threat type {before} -> {threat_type.value}",
            )
            return case

    def closing_needs(self, case_id: int) -> list[ClosingNeed]:
        """What closing the case still needs, each with where to do it (empty: ready)."""
        with self.ctx.read() as session:
            return _closing_needs(session, case_id)

    def _check_ready_to_close(self, session: IndexedSession, case_id: int) -> None:
        """Closing needs every plan item done or dropped, and the closure checklist completed."""
        needs = _closing_needs(session, case_id)
        if needs:
            raise ValidationError(" ".join(n.message for n in needs), field=CLOSING_NEEDS_FIELD)

    def transitions(self, case_id: int) -> list[WorkflowTransition]:
        with self.ctx.read() as session:
            rows = session.execute(
                select(WorkflowTransition)
                .where(col(WorkflowTransition.case_id) == case_id)
                .order_by(col(WorkflowTransition.id))
            ).all()
        return [r[0] for r in rows]


def _only_status_filters(query: CaseQuery) -> bool:
    """The query filters on status alone (open cases, or some statuses): a broad filter."""
    narrowing = (
        query.levels,
        query.owner_id is not None,
        query.site,
        query.setting is not None,
        query.mine,
        query.overdue,
        query.threat_type is not None,
        query.threat_type_unset,
        query.text.strip(),
    )
    return bool(query.statuses or query.open_only) and not any(narrowing)


def _case_row(r: Any) -> CaseRow:
    return CaseRow(
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
        threat_type=r[14] or "",
    )


TRANSIENT_RESOLUTION = "Resolved: transient threat"


@dataclass(frozen=True)
class ClosingNeed:
    """One thing closing still needs. ``where`` names the place to do it: "plan" or "checklist"."""

    where: str
    message: str


def _closing_needs(session: IndexedSession, case_id: int) -> list[ClosingNeed]:
    needs: list[ClosingNeed] = []
    open_items = open_plan_items(session, case_id)
    if open_items:
        listed = "; ".join(f"“{i.title[:50]}”" for i in open_items[:4])
        more = f" and {len(open_items) - 4} more" if len(open_items) > 4 else ""
        needs.append(
            ClosingNeed(
                "plan",
                f"The management plan still has open items: {listed}{more}. Mark each one "
                "done, or dropped with a reason, before closing the case.",
            )
        )
    checklist = session.execute(
        select(col(Assessment.id)).where(
            col(Assessment.case_id) == case_id,
            col(Assessment.form_id) == CLOSURE_CHECKLIST_ID,
            col(Assessment.status) == "completed",
        )
    ).first()
    if checklist is None:
        needs.append(
            ClosingNeed(
                "checklist",
                "Complete the case closure checklist (Assessments tab, Checklist) before "
                "closing the case.",
            )
        )
    return needs


def _move_details(request: MoveRequest) -> dict[str, object]:
    details: dict[str, object] = {}
    if request.screeners:
        details["screeners"] = list(request.screeners)
    if request.threat_type:
        details["threat_type"] = request.threat_type
    return details


def _id(case: Case) -> int:
    assert case.id is not None
    return case.id


def _case(session: IndexedSession, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("That case")
    return case


def _on_team_server(session: IndexedSession) -> bool:
    """PostgreSQL (the team server): it puts NULL after every value where SQLite puts it before,
    and its planner wants none of SQLite's index hints."""
    return session.get_bind().dialect.name == "postgresql"


def _titles_sealed(session: IndexedSession) -> bool:
    """On the team server case titles are sealed content (store/server/sealing.py)."""
    return session.get_bind().dialect.name == "postgresql"


# ---- optimistic concurrency (issue 16): saving an older copy of a case -------------------------
def _conflict(session: IndexedSession, case: Case) -> EditConflictError:
    return conflict_from_audit(
        session,
        "this case",
        case.updated_at,
        col(AuditEvent.case_id) == case.id,
        current=case.updated_at,
    )


def _may_be_null(key: Any) -> bool:
    """A sort key that can be NULL: a nullable column, or one of the owner's (outer join)."""
    column = getattr(key, "expression", key)
    column = getattr(column, "element", column)
    table = getattr(getattr(column, "table", None), "name", None)
    return table == Account.__tablename__ or bool(getattr(column, "nullable", True))


def delete_case_rows(session: IndexedSession, case_id: int) -> None:
    """Delete every row of a case: its records, plans, drafts, search entries and the case."""
    plan_ids = select(col(ManagementPlan.id)).where(col(ManagementPlan.case_id) == case_id)
    session.execute(delete(PlanIntervention).where(col(PlanIntervention.plan_id).in_(plan_ids)))
    # Drafts name their case by id, except the assessment decision draft, which names the
    # assessment (ui/wizard: "assessment-decision").
    assessment_ids = [
        str(i)
        for i in session.execute(
            select(col(Assessment.id)).where(col(Assessment.case_id) == case_id)
        ).scalars()
    ]
    session.execute(
        delete(Draft).where(
            ((col(Draft.kind) != DECISION_DRAFT_KIND) & (col(Draft.subject) == str(case_id)))
            | ((col(Draft.kind) == DECISION_DRAFT_KIND) & col(Draft.subject).in_(assessment_ids))
        )
    )
    for table in (
        CaseOrigin,
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


def secure_delete_case_rows(session: IndexedSession, case_id: int) -> None:
    """``delete_case_rows`` with freed space overwritten and the search index merged, so no
    deleted or superseded text of the case stays in the file (see retention.destroy)."""
    if _on_team_server(session):
        # The server held only sealed values of the case; its blind-index rows go with it.
        delete_case_rows(session, case_id)
        return
    conn = session.connection()
    conn.exec_driver_sql("PRAGMA secure_delete = ON")
    # FTS5 keeps deleted terms in its segments until they merge; secure-delete (SQLite 3.44+)
    # removes them at once and stays on for the index.
    conn.exec_driver_sql("INSERT INTO search_index(search_index, rank) VALUES('secure-delete', 1)")
    delete_case_rows(session, case_id)
    # Earlier edits left superseded entries in older index segments behind delete markers;
    # merging every segment drops them for good.
    conn.exec_driver_sql("INSERT INTO search_index(search_index) VALUES('optimize')")
