"""Everything the case workspace shows, read in one go off the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from btam_desktop.domain.enums import CaseStatus, Role
from btam_desktop.domain.formatting import person_name
from btam_desktop.domain.forms import LevelScale
from btam_desktop.domain.models import (
    Account,
    Attachment,
    AuditEvent,
    Case,
    CaseNote,
    ConcernReport,
    Disclosure,
    LevelDecision,
    Person,
    TimelineEntry,
    WorkflowTransition,
)
from btam_desktop.domain.workflow import WorkflowAction, available_actions
from btam_desktop.services.app import Btam
from btam_desktop.services.permissions import Permission

OVERVIEW_DRAFT = "case-overview"


@dataclass
class CaseData:
    case: Case
    scale: LevelScale
    members: list[Account]
    accounts: dict[int, Account]
    people: list[Person]
    reports: list[ConcernReport]
    timeline: list[TimelineEntry]
    notes: list[CaseNote]
    attachments: list[Attachment]
    disclosures: list[Disclosure]
    levels: list[LevelDecision]
    transitions: list[WorkflowTransition]
    audit: list[AuditEvent] | None
    why_not: dict[WorkflowAction, str | None] = field(default_factory=dict)
    overview_draft: dict[str, Any] | None = None

    @property
    def case_id(self) -> int:
        assert self.case.id is not None
        return self.case.id

    @property
    def status(self) -> CaseStatus:
        return CaseStatus(self.case.status)

    def name_of(self, account_id: int | None) -> str:
        if account_id is None:
            return ""
        account = self.accounts.get(account_id)
        if account is None:
            return "(former member)"
        return person_name(account.display_name, account.username)

    def level_label(self, code: str | None) -> tuple[str, str]:
        """(label, colour) of a level code on the case's scale."""
        if not code:
            return "", ""
        if self.scale.has_level(code):
            level = self.scale.level(code)
            return level.label, level.color
        return code, "#808080"

    def workers(self) -> list[Account]:
        """Active team members who may own or work a case."""
        return [
            a
            for a in sorted(self.accounts.values(), key=lambda a: a.display_name.lower())
            if a.active and a.role != Role.VIEWER.value
        ]


def load_case_data(app: Btam, case_id: int, *, audited_open: bool) -> CaseData:
    """Read the whole case (worker thread). ``audited_open`` records that the person viewed it."""
    case = app.cases.open_case(case_id) if audited_open else app.cases.get(case_id)
    accounts = {a.id: a for a in app.team.members(include_inactive=True) if a.id is not None}
    audit = app.audit_events(case_id=case_id) if app.can(Permission.VIEW_AUDIT) else None
    draft = None
    if app.can(Permission.WORK_CASES):
        draft = app.drafts.load(OVERVIEW_DRAFT, str(case_id))
    notes = app.records.notes(case_id)
    notes.sort(key=lambda n: n.created_at, reverse=True)
    return CaseData(
        case=case,
        scale=app.scale(case.level_scale),
        members=app.cases.members(case_id),
        accounts=accounts,
        people=app.records.people(case_id),
        reports=app.records.reports(case_id),
        timeline=app.records.timeline(case_id),
        notes=notes,
        attachments=app.records.attachments(case_id),
        disclosures=app.records.disclosures(case_id),
        levels=app.cases.level_history(case_id),
        transitions=app.cases.transitions(case_id),
        audit=audit,
        why_not={
            action: app.cases.why_not(case, action)
            for action in available_actions(CaseStatus(case.status))
        },
        overview_draft=draft,
    )
