"""Everything the case workspace shows: the case file read model (services/case_file.py) with
the helpers the tabs use to show it, read off the GUI thread."""

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
from btam_desktop.domain.workflow import WorkflowAction
from btam_desktop.services.app import Btam
from btam_desktop.services.case_file import OVERVIEW_DRAFT, WORKSPACE_PARTS, CaseFile

__all__ = ["OVERVIEW_DRAFT", "CaseData", "load_case_data"]


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

    @classmethod
    def from_file(cls, app: Btam, file: CaseFile) -> CaseData:
        """The workspace's view of a case file: notes newest first."""
        # A scale no longer installed: the workspace cannot offer level choices; say so.
        case_scale = file.scale if file.scale is not None else app.scale(file.case.level_scale)
        return cls(
            case=file.case,
            scale=case_scale,
            members=file.members,
            accounts=file.accounts,
            people=file.people,
            reports=file.reports,
            timeline=file.timeline,
            notes=sorted(file.notes, key=lambda n: n.created_at, reverse=True),
            attachments=file.attachments,
            disclosures=file.disclosures,
            levels=file.levels,
            transitions=file.transitions,
            audit=file.audit,
            why_not=file.why_not,
            overview_draft=file.overview_draft,
        )

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
    """Read the whole case (worker thread) from the case file read model, in one transaction.
    ``audited_open`` records that the person viewed it."""
    return CaseData.from_file(
        app, app.case_file(case_id, WORKSPACE_PARTS, audited_open=audited_open)
    )
