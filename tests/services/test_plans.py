"""Management plans: versions and differences, approval by role, monitoring, and closing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from btam_desktop.domain.workflow import MoveRequest, WorkflowAction
from btam_desktop.services.app import Btam
from btam_desktop.services.plans import (
    InterventionInput,
    InterventionStatus,
    MonitoringInput,
    PlanInput,
    PlanStatus,
    Recurrence,
    Strategy,
)
from btam_desktop.store.errors import PermissionDeniedError, ValidationError
from tests.services.conftest import complete_closure_checklist, intake


def managed_case(app: Btam) -> int:
    case = app.cases.report_concern(intake())
    for step in (
        MoveRequest(WorkflowAction.START_SCREENING),
        MoveRequest(WorkflowAction.SCREEN_TO_ASSESSMENT, "substantive", screeners=("coord",)),
        MoveRequest(WorkflowAction.START_MANAGEMENT),
    ):
        app.cases.move(case.id, step)
    return case.id


def plan_input(me: int, **changes: object) -> PlanInput:
    data = PlanInput(
        goals="Reduce the grievance; keep the target safe.",
        supervision="Counselor checks in weekly; teachers report changes.",
        safety_plan="Target knows whom to tell; separate lunch period.",
        next_reassessment_on=date.today() + timedelta(days=30),
        interventions=[
            InterventionInput(
                "Weekly check-in with counselor",
                Strategy.SUBJECT,
                me,
                start_on=date.today(),
                recurrence=Recurrence.WEEKLY,
            ),
            InterventionInput(
                "Parent meeting", Strategy.SUBJECT, me, due_on=date.today() + timedelta(days=3)
            ),
        ],
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_plan_versions_and_their_differences(coordinator: Btam) -> None:
    me = coordinator.actor.account_id
    case_id = managed_case(coordinator)
    first = coordinator.plans.save(case_id, plan_input(me))
    assert (first.version, first.status) == (1, PlanStatus.DRAFT)
    coordinator.plans.approve(first.id)
    items = coordinator.plans.interventions(first.id)
    changed = plan_input(me, goals="Reduce the grievance; rebuild peer connection.")
    changed.interventions = [
        InterventionInput(
            items[0].title,
            Strategy.SUBJECT,
            me,
            start_on=items[0].start_on,
            recurrence=Recurrence.BIWEEKLY,
            key=items[0].key,
        ),
        InterventionInput("Schedule change", Strategy.ENVIRONMENT, me),
    ]
    with pytest.raises(ValidationError, match="what changes"):
        coordinator.plans.save(case_id, changed)
    changed.change_note = "Check-ins less often; schedule change added."
    second = coordinator.plans.save(case_id, changed)
    assert (second.version, second.status) == (2, PlanStatus.PROPOSED)
    assert coordinator.plans.get(first.id).status == PlanStatus.APPROVED  # still in force
    diff = {(c.what, c.before, c.after) for c in coordinator.plans.diff(first.id, second.id)}
    assert ("Goals", first.goals, second.goals) in diff
    assert ("Intervention added", "", "Schedule change") in diff
    assert ("Intervention removed", "Parent meeting", "") in diff
    assert ("“Weekly check-in with counselor”: recurrence", "Weekly", "Every two weeks") in diff
    coordinator.plans.approve(second.id)
    assert coordinator.plans.get(first.id).status == PlanStatus.SUPERSEDED
    assert coordinator.plans.in_force(case_id).id == second.id
    assert coordinator.cases.get(case_id).next_review_on == changed.next_reassessment_on


def test_members_propose_and_only_coordinators_approve(coordinator: Btam, as_role) -> None:
    case_id = managed_case(coordinator)
    member = as_role("member")
    plan = member.plans.save(case_id, plan_input(member.actor.account_id))
    with pytest.raises(PermissionDeniedError):
        member.plans.approve(plan.id)
    viewer = as_role("viewer")
    with pytest.raises(PermissionDeniedError):
        viewer.plans.save(case_id, plan_input(viewer.actor.account_id))
    coordinator_again = as_role("coordinator")
    approved = coordinator_again.plans.approve(plan.id)
    assert approved.approved_by_id == coordinator_again.actor.account_id
    assert coordinator_again.audit_events(limit=1)[0].action == "plan.approve"


def test_intervention_input_is_checked(coordinator: Btam) -> None:
    me = coordinator.actor.account_id
    case_id = managed_case(coordinator)
    bad = plan_input(me)
    bad.interventions[1].status = InterventionStatus.DROPPED
    with pytest.raises(ValidationError, match="write why it was dropped"):
        coordinator.plans.save(case_id, bad)
    bad.interventions[1] = InterventionInput(
        "Backwards", start_on=date(2026, 5, 2), due_on=date(2026, 5, 1)
    )
    with pytest.raises(ValidationError, match="before the start"):
        coordinator.plans.save(case_id, bad)
    assert coordinator.plans.versions(case_id) == []


def test_closing_is_refused_while_plan_items_are_open(coordinator: Btam) -> None:
    me = coordinator.actor.account_id
    case_id = managed_case(coordinator)
    plan = coordinator.plans.save(case_id, plan_input(me))
    coordinator.plans.approve(plan.id)
    complete_closure_checklist(coordinator, case_id)
    close = MoveRequest(WorkflowAction.CLOSE, "plan finished", closure_level="low")
    with pytest.raises(ValidationError, match="still has open items"):
        coordinator.cases.move(case_id, close)
    items = coordinator.plans.interventions(plan.id)
    done = plan_input(me, change_note="All items resolved.")
    done.interventions = [
        InterventionInput(
            items[0].title,
            start_on=items[0].start_on,
            key=items[0].key,
            recurrence=Recurrence.WEEKLY,
            status=InterventionStatus.DONE,
        ),
        InterventionInput(
            items[1].title,
            key=items[1].key,
            status=InterventionStatus.DROPPED,
            dropped_reason="Parents declined; school counselor informed.",
        ),
    ]
    coordinator.plans.approve(coordinator.plans.save(case_id, done).id)
    assert coordinator.cases.move(case_id, close).status == "closed"


def test_closing_needs_the_closure_checklist(coordinator: Btam) -> None:
    case_id = managed_case(coordinator)
    close = MoveRequest(WorkflowAction.CLOSE, "resolved", closure_level="low")
    with pytest.raises(ValidationError, match="closure checklist"):
        coordinator.cases.move(case_id, close)


def test_monitoring_log(coordinator: Btam) -> None:
    case_id = managed_case(coordinator)
    coordinator.plans.log_monitoring(
        case_id,
        MonitoringInput(date.today(), "Calm, attending class", changes_concern=False),
    )
    coordinator.plans.log_monitoring(
        case_id,
        MonitoringInput(
            date.today(),
            "New post about the target",
            changes_concern=True,
            reassessment_requested=True,
        ),
    )
    entries = coordinator.plans.monitoring(case_id)
    assert len(entries) == 2 and any(e.reassessment_requested for e in entries)
    with pytest.raises(ValidationError, match="future"):
        coordinator.plans.log_monitoring(
            case_id, MonitoringInput(date.today() + timedelta(days=1), "x")
        )
