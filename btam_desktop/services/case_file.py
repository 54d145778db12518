"""The case file: one read model of a case that the workspace and the printed reports share.

Everything in it is read in one read transaction (``ServiceContext.snapshot``), so its parts
agree with each other: a note written by a colleague while the file is read is either in it
with everything it touched, or not at all. Only the parts asked for are read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from btam_desktop.domain.enums import CaseStatus
from btam_desktop.domain.forms import LevelScale
from btam_desktop.domain.models import (
    Account,
    Assessment,
    Attachment,
    AuditEvent,
    Case,
    CaseNote,
    ConcernReport,
    Disclosure,
    LevelDecision,
    ManagementPlan,
    Person,
    PlanIntervention,
    TimelineEntry,
    WorkflowTransition,
)
from btam_desktop.domain.workflow import WorkflowAction, available_actions
from btam_desktop.services.assessments import AssessmentService
from btam_desktop.services.cases import CaseService
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.drafts import DraftService
from btam_desktop.services.permissions import Permission
from btam_desktop.services.plans import PlanService
from btam_desktop.services.records import RecordService
from btam_desktop.services.scales import scale
from btam_desktop.services.team import TeamService
from btam_desktop.store.errors import NotFoundError

#: The draft the workspace's Overview keeps of unsaved edits to a case.
OVERVIEW_DRAFT = "case-overview"

#: The parts of a case file that can be asked for. The case itself, the team's accounts (to
#: name who did what) and the case's level scale are always read.
PARTS: tuple[str, ...] = (
    "members",  # the team members assigned to the case
    "people",
    "reports",  # reports of concern
    "timeline",
    "notes",
    "attachments",  # their records, never their bytes
    "disclosures",
    "levels",  # level of concern decisions
    "transitions",  # workflow history
    "assessments",  # every assessment of the case, newest first
    "plan",  # the management plan in force and its interventions
    "actions",  # which workflow moves the signed-in person may take now, or why not
    "draft",  # the signed-in person's unsaved Overview edits (workers only)
    "audit",  # the case's audit events (coordinators only)
)

#: What the case workspace shows.
WORKSPACE_PARTS = frozenset(PARTS) - {"assessments", "plan"}


@dataclass(frozen=True)
class CaseFile:
    """A case and the parts of its record that were asked for (``parts``); a part not asked
    for is empty (or None)."""

    case: Case
    parts: frozenset[str]
    accounts: dict[int, Account]
    scale: LevelScale | None  # None: the case's scale is no longer installed
    scales: dict[str, LevelScale | None] = field(default_factory=dict)
    members: list[Account] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    reports: list[ConcernReport] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    notes: list[CaseNote] = field(default_factory=list)  # oldest first
    attachments: list[Attachment] = field(default_factory=list)
    disclosures: list[Disclosure] = field(default_factory=list)
    levels: list[LevelDecision] = field(default_factory=list)
    transitions: list[WorkflowTransition] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    plan: ManagementPlan | None = None
    interventions: list[PlanIntervention] = field(default_factory=list)
    why_not: dict[WorkflowAction, str | None] = field(default_factory=dict)
    overview_draft: dict[str, Any] | None = None
    audit: list[AuditEvent] | None = None  # None: not asked for, or the role may not see it

    @property
    def case_id(self) -> int:
        assert self.case.id is not None
        return self.case.id

    @property
    def status(self) -> CaseStatus:
        return CaseStatus(self.case.status)

    def completed_assessments(self) -> list[Assessment]:
        """The completed assessments, oldest first."""
        return [a for a in reversed(self.assessments) if a.status == "completed"]


class CaseFileReader:
    """Reads case files through the services, all in one read transaction."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        cases: CaseService,
        records: RecordService,
        team: TeamService,
        drafts: DraftService,
        plans: PlanService,
        assessments: AssessmentService,
    ) -> None:
        self.ctx = ctx
        self.cases = cases
        self.records = records
        self.team = team
        self.drafts = drafts
        self.plans = plans
        self.assessments = assessments

    def read(
        self, case_id: int, parts: Iterable[str] = PARTS, *, audited_open: bool = False
    ) -> CaseFile:
        """The case file of ``case_id`` with ``parts`` (see ``PARTS``). ``audited_open``
        records that the signed-in person viewed the case, as opening it in the workspace does
        (the event comes first, so a coordinator's audit part shows it)."""
        wanted = frozenset(parts)
        unknown = wanted - set(PARTS)
        if unknown:
            raise ValueError(
                f"unknown case file parts: {', '.join(sorted(unknown))} "
                f"(choose from {', '.join(PARTS)})"
            )
        if audited_open:
            self.cases.open_case(case_id)  # checks the role may view cases; records the view
        with self.ctx.snapshot() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFoundError("That case")
            return self._read(case, case_id, wanted)

    def _read(self, case: Case, case_id: int, wanted: frozenset[str]) -> CaseFile:
        accounts = {a.id: a for a in self.team.members(include_inactive=True) if a.id is not None}
        scales: dict[str, LevelScale | None] = {case.level_scale: self._scale(case.level_scale)}
        assessments = self.assessments.for_case(case_id) if "assessments" in wanted else []
        for assessment in assessments:
            code = assessment.decision_scale
            if code and code not in scales:
                scales[code] = self._scale(code)
        plan = self.plans.in_force(case_id) if "plan" in wanted else None
        audit = None
        if "audit" in wanted and self.ctx.can(Permission.VIEW_AUDIT):
            audit = self._audit(case_id)
        draft = None
        if "draft" in wanted and self.ctx.can(Permission.WORK_CASES):
            draft = self.drafts.load(OVERVIEW_DRAFT, str(case_id))
        why_not: dict[WorkflowAction, str | None] = {}
        if "actions" in wanted:
            why_not = {
                action: self.cases.why_not(case, action)
                for action in available_actions(CaseStatus(case.status))
            }
        records = self.records
        return CaseFile(
            case=case,
            parts=wanted,
            accounts=accounts,
            scale=scales[case.level_scale],
            scales=scales,
            members=self.cases.members(case_id) if "members" in wanted else [],
            people=records.people(case_id) if "people" in wanted else [],
            reports=records.reports(case_id) if "reports" in wanted else [],
            timeline=records.timeline(case_id) if "timeline" in wanted else [],
            notes=records.notes(case_id) if "notes" in wanted else [],
            attachments=records.attachments(case_id) if "attachments" in wanted else [],
            disclosures=records.disclosures(case_id) if "disclosures" in wanted else [],
            levels=self.cases.level_history(case_id) if "levels" in wanted else [],
            transitions=self.cases.transitions(case_id) if "transitions" in wanted else [],
            assessments=assessments,
            plan=plan,
            interventions=self.plans.interventions(plan.id) if plan and plan.id else [],
            why_not=why_not,
            overview_draft=draft,
            audit=audit,
        )

    def _scale(self, scale_id: str) -> LevelScale | None:
        try:
            return scale(self.ctx, scale_id)
        except Exception:  # a scale no longer installed: the codes are shown as they are
            return None

    def _audit(self, case_id: int) -> list[AuditEvent]:
        # The same events as Btam.audit_events(case_id=...): the newest 500.
        stmt = (
            select(AuditEvent)
            .where(col(AuditEvent.case_id) == case_id)
            .order_by(col(AuditEvent.id).desc())
            .limit(500)
        )
        with self.ctx.read() as session:
            return [r[0] for r in session.execute(stmt).all()]
