"""The case workflow: which moves exist, from where, and what each move demands.

reported -> screening -> closed_no_threat | assessment | monitoring
assessment -> management -> monitoring <-> management
assessment | management | monitoring -> closed
closed | closed_no_threat -> screening (reopen, with a reason)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from btam_desktop.domain.enums import CaseStatus

# WorkflowError lives with the other errors; re-exported because callers know it from here.
from btam_desktop.domain.errors import WorkflowError as WorkflowError


class WorkflowAction(StrEnum):
    START_SCREENING = "start_screening"
    SCREEN_OUT = "screen_out"
    SCREEN_TO_ASSESSMENT = "screen_to_assessment"
    SCREEN_TO_MONITORING = "screen_to_monitoring"
    START_MANAGEMENT = "start_management"
    START_MONITORING = "start_monitoring"
    RESUME_MANAGEMENT = "resume_management"
    CLOSE = "close"
    REOPEN = "reopen"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[WorkflowAction, str] = {
    WorkflowAction.START_SCREENING: "Start screening",
    WorkflowAction.SCREEN_OUT: "Close: no threat",
    WorkflowAction.SCREEN_TO_ASSESSMENT: "Proceed to full assessment",
    WorkflowAction.SCREEN_TO_MONITORING: "Monitor without full assessment",
    WorkflowAction.START_MANAGEMENT: "Start management plan",
    WorkflowAction.START_MONITORING: "Move to monitoring",
    WorkflowAction.RESUME_MANAGEMENT: "Resume active management",
    WorkflowAction.CLOSE: "Close case",
    WorkflowAction.REOPEN: "Reopen case",
}


@dataclass(frozen=True)
class Requirement:
    """What a move asks of the person making it."""

    reason: bool = False
    closure_level: bool = False
    screeners: bool = False
    coordinator_only: bool = False


@dataclass(frozen=True)
class Move:
    action: WorkflowAction
    sources: frozenset[CaseStatus]
    target: CaseStatus
    needs: Requirement = field(default_factory=Requirement)


_OPEN_ASSESSED = frozenset({CaseStatus.ASSESSMENT, CaseStatus.MANAGEMENT, CaseStatus.MONITORING})

MOVES: dict[WorkflowAction, Move] = {
    m.action: m
    for m in (
        Move(
            WorkflowAction.START_SCREENING,
            frozenset({CaseStatus.REPORTED}),
            CaseStatus.SCREENING,
        ),
        Move(
            WorkflowAction.SCREEN_OUT,
            frozenset({CaseStatus.SCREENING}),
            CaseStatus.CLOSED_NO_THREAT,
            Requirement(reason=True, closure_level=True, screeners=True),
        ),
        Move(
            WorkflowAction.SCREEN_TO_ASSESSMENT,
            frozenset({CaseStatus.SCREENING}),
            CaseStatus.ASSESSMENT,
            Requirement(reason=True, screeners=True),
        ),
        Move(
            WorkflowAction.SCREEN_TO_MONITORING,
            frozenset({CaseStatus.SCREENING}),
            CaseStatus.MONITORING,
            Requirement(reason=True, screeners=True),
        ),
        Move(
            WorkflowAction.START_MANAGEMENT,
            frozenset({CaseStatus.ASSESSMENT}),
            CaseStatus.MANAGEMENT,
        ),
        Move(
            WorkflowAction.START_MONITORING,
            frozenset({CaseStatus.MANAGEMENT}),
            CaseStatus.MONITORING,
            Requirement(reason=True),
        ),
        Move(
            WorkflowAction.RESUME_MANAGEMENT,
            frozenset({CaseStatus.MONITORING}),
            CaseStatus.MANAGEMENT,
            Requirement(reason=True),
        ),
        Move(
            WorkflowAction.CLOSE,
            _OPEN_ASSESSED,
            CaseStatus.CLOSED,
            Requirement(reason=True, closure_level=True, coordinator_only=True),
        ),
        Move(
            WorkflowAction.REOPEN,
            frozenset({CaseStatus.CLOSED, CaseStatus.CLOSED_NO_THREAT}),
            CaseStatus.SCREENING,
            Requirement(reason=True),
        ),
    )
}


@dataclass(frozen=True)
class MoveRequest:
    action: WorkflowAction
    reason: str = ""
    closure_level: str | None = None
    screeners: tuple[str, ...] = ()
    # "transient" / "substantive" when screening has decided; a transient threat closes as
    # "Resolved: transient threat".
    threat_type: str = ""


def why_not(status: CaseStatus, action: WorkflowAction) -> str | None:
    """None when the move is possible from ``status``, otherwise the reason it is not."""
    move = MOVES[action]
    if status in move.sources:
        return None
    allowed = ", ".join(sorted(s.label for s in move.sources))
    return (
        f"“{action.label}” is only possible when the case is: {allowed}. It is now {status.label}."
    )


def available_actions(status: CaseStatus) -> list[WorkflowAction]:
    return [a for a, m in MOVES.items() if status in m.sources]


def check_move(status: CaseStatus, request: MoveRequest, levels: set[str]) -> CaseStatus:
    """Validate a move and return the status it leads to, or raise WorkflowError."""
    problem = why_not(status, request.action)
    if problem:
        raise WorkflowError(problem)
    move = MOVES[request.action]
    needs = move.needs
    if needs.reason and not request.reason.strip():
        what = {
            WorkflowAction.SCREEN_OUT: "the screening decision's reason",
            WorkflowAction.SCREEN_TO_ASSESSMENT: "the screening decision's reason",
            WorkflowAction.SCREEN_TO_MONITORING: "the screening decision's reason",
            WorkflowAction.CLOSE: "a closure reason",
            WorkflowAction.REOPEN: "the reason for reopening",
        }.get(request.action, "a reason")
        raise WorkflowError(
            f"“{request.action.label}” needs {what}. Write it and try again.", field="reason"
        )
    if needs.closure_level:
        if not request.closure_level:
            raise WorkflowError(
                f"“{request.action.label}” needs the level of concern at closure. Choose one.",
                field="closure_level",
            )
        if request.closure_level not in levels:
            raise WorkflowError(
                f"“{request.closure_level}” is not a level on this case's scale. "
                f"Choose one of: {', '.join(sorted(levels))}.",
                field="closure_level",
            )
    if request.threat_type and request.threat_type not in ("transient", "substantive"):
        raise WorkflowError(
            "A threat is either transient or substantive. Choose one.", field="threat_type"
        )
    if needs.screeners and not request.screeners:
        raise WorkflowError(
            "A screening decision needs the team members who screened the case "
            "(two are recommended). Name at least one.",
            field="screeners",
        )
    return move.target
