"""Every valid and invalid move of the case workflow, and what each move demands."""

from __future__ import annotations

import itertools

import pytest

from btam_desktop.domain.enums import CaseStatus
from btam_desktop.domain.workflow import (
    MOVES,
    MoveRequest,
    WorkflowAction,
    WorkflowError,
    available_actions,
    check_move,
)

LEVELS = {"low", "moderate", "high", "imminent"}

EXPECTED = {
    (CaseStatus.REPORTED, WorkflowAction.START_SCREENING): CaseStatus.SCREENING,
    (CaseStatus.SCREENING, WorkflowAction.SCREEN_OUT): CaseStatus.CLOSED_NO_THREAT,
    (CaseStatus.SCREENING, WorkflowAction.SCREEN_TO_ASSESSMENT): CaseStatus.ASSESSMENT,
    (CaseStatus.SCREENING, WorkflowAction.SCREEN_TO_MONITORING): CaseStatus.MONITORING,
    (CaseStatus.ASSESSMENT, WorkflowAction.START_MANAGEMENT): CaseStatus.MANAGEMENT,
    (CaseStatus.MANAGEMENT, WorkflowAction.START_MONITORING): CaseStatus.MONITORING,
    (CaseStatus.MONITORING, WorkflowAction.RESUME_MANAGEMENT): CaseStatus.MANAGEMENT,
    (CaseStatus.ASSESSMENT, WorkflowAction.CLOSE): CaseStatus.CLOSED,
    (CaseStatus.MANAGEMENT, WorkflowAction.CLOSE): CaseStatus.CLOSED,
    (CaseStatus.MONITORING, WorkflowAction.CLOSE): CaseStatus.CLOSED,
    (CaseStatus.CLOSED, WorkflowAction.REOPEN): CaseStatus.SCREENING,
    (CaseStatus.CLOSED_NO_THREAT, WorkflowAction.REOPEN): CaseStatus.SCREENING,
}


def complete_request(action: WorkflowAction) -> MoveRequest:
    return MoveRequest(action, reason="because", closure_level="low", screeners=("a", "b"))


@pytest.mark.parametrize(("status", "action"), list(itertools.product(CaseStatus, WorkflowAction)))
def test_every_status_and_action_pair(status: CaseStatus, action: WorkflowAction) -> None:
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(WorkflowError) as err:
            check_move(status, complete_request(action), LEVELS)
        assert status.label in str(err.value)
        assert action not in available_actions(status)
    else:
        assert check_move(status, complete_request(action), LEVELS) is expected
        assert action in available_actions(status)


@pytest.mark.parametrize("action", [a for a, m in MOVES.items() if m.needs.reason])
def test_moves_needing_a_reason_refuse_a_blank_one(action: WorkflowAction) -> None:
    source = next(iter(MOVES[action].sources))
    request = MoveRequest(action, reason="   ", closure_level="low", screeners=("a",))
    with pytest.raises(WorkflowError, match="needs"):
        check_move(source, request, LEVELS)


@pytest.mark.parametrize("action", [WorkflowAction.CLOSE, WorkflowAction.SCREEN_OUT])
def test_closing_needs_a_level_on_the_scale(action: WorkflowAction) -> None:
    source = next(iter(MOVES[action].sources))
    with pytest.raises(WorkflowError, match="level of concern at closure"):
        check_move(source, MoveRequest(action, reason="done", screeners=("a",)), LEVELS)
    with pytest.raises(WorkflowError, match="not a level"):
        check_move(
            source,
            MoveRequest(action, reason="done", closure_level="purple", screeners=("a",)),
            LEVELS,
        )


def test_screening_decision_needs_the_screeners() -> None:
    request = MoveRequest(WorkflowAction.SCREEN_TO_ASSESSMENT, reason="substantive threat")
    with pytest.raises(WorkflowError, match="team members who screened"):
        check_move(CaseStatus.SCREENING, request, LEVELS)


def test_only_closing_is_reserved_for_coordinators() -> None:
    reserved = {a for a, m in MOVES.items() if m.needs.coordinator_only}
    assert reserved == {WorkflowAction.CLOSE}
