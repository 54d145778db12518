"""Intake, case numbering, levels of concern and the workflow through the services."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from btam_desktop.domain.enums import CaseStatus, LevelSource, PersonRole
from btam_desktop.domain.models import AuditEvent
from btam_desktop.domain.types import utcnow
from btam_desktop.domain.workflow import MoveRequest, WorkflowAction, WorkflowError
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery, CaseSort, PersonInput
from btam_desktop.store.errors import ValidationError
from tests.services.conftest import complete_closure_checklist, intake


def audit_actions(app: Btam) -> list[str]:
    with app.vault.read() as session:
        return list(
            session.execute(select(AuditEvent.action).order_by(col(AuditEvent.id))).scalars()
        )


def test_intake_creates_a_reported_case_with_people_and_report(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(
        intake(
            reporter=PersonInput(PersonRole.REPORTER, anonymous=True),
            targets=[PersonInput(PersonRole.TARGET, full_name="Tara Target")],
            threat_quote="I'll bring it Friday",
        )
    )
    year = utcnow().astimezone().year
    assert re.fullmatch(rf"{year}-\d{{4}}", case.number)
    assert case.status == CaseStatus.REPORTED
    assert case.title == f"Report of concern {case.number}"  # no person's name by default
    people = coordinator.records.people(case.id)
    assert sorted(p.role for p in people) == ["reporter", "subject", "target"]
    reports = coordinator.records.reports(case.id)
    assert reports[0].threat_quote == "I'll bring it Friday"
    assert reports[0].reporter_anonymous is True
    assert "case.create" in audit_actions(coordinator)


def test_case_numbers_follow_each_other(coordinator: Btam) -> None:
    first = coordinator.cases.report_concern(intake())
    second = coordinator.cases.report_concern(intake())
    assert int(second.number.split("-")[1]) == int(first.number.split("-")[1]) + 1


def test_a_case_may_have_no_subject_yet(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake(subjects=[]))
    assert coordinator.records.people(case.id) == []


def test_immediate_danger_needs_the_emergency_notice_and_is_audited(coordinator: Btam) -> None:
    with pytest.raises(ValidationError, match="emergency services"):
        coordinator.cases.report_concern(intake(immediate_danger=True))
    case = coordinator.cases.report_concern(
        intake(immediate_danger=True, emergency_notice_shown_at=utcnow())
    )
    assert coordinator.records.reports(case.id)[0].emergency_notice_shown_at is not None
    assert "intake.emergency_notice" in audit_actions(coordinator)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"narrative": "  "}, "Describe what was reported"),
        ({"received_at": utcnow() + timedelta(days=2)}, "future"),
        ({"targets": [PersonInput(PersonRole.TARGET)]}, "target's name"),
    ],
)
def test_bad_intake_is_refused_with_a_clear_message(
    coordinator: Btam, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        coordinator.cases.report_concern(intake(**overrides))
    assert coordinator.cases.count(CaseQuery()) == 0


def test_level_decisions_are_appended_and_update_the_case(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    coordinator.cases.decide_level(case.id, "moderate", "Statement repeated to two peers.")
    coordinator.cases.decide_level(case.id, "high", "Access to a weapon confirmed by parent.")
    history = coordinator.cases.level_history(case.id)
    assert [d.level for d in history] == ["moderate", "high"]
    assert history[-1].source == LevelSource.DECISION
    stored = coordinator.cases.get(case.id)
    assert stored.level == "high" and stored.level_rank == 2
    with pytest.raises(ValidationError, match="not a level"):
        coordinator.cases.decide_level(case.id, "severe", "x")
    with pytest.raises(ValidationError, match="rationale"):
        coordinator.cases.decide_level(case.id, "low", " ")


def test_full_workflow_through_the_service(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    cid = case.id
    steps = [
        MoveRequest(WorkflowAction.START_SCREENING),
        MoveRequest(WorkflowAction.SCREEN_TO_ASSESSMENT, "substantive", screeners=("coord",)),
        MoveRequest(WorkflowAction.START_MANAGEMENT),
        MoveRequest(WorkflowAction.START_MONITORING, "plan in place"),
        MoveRequest(WorkflowAction.RESUME_MANAGEMENT, "new stressor"),
        MoveRequest(WorkflowAction.CLOSE, "plan completed", closure_level="low"),
        MoveRequest(WorkflowAction.REOPEN, "new report received"),
    ]
    for step in steps:
        if step.action == WorkflowAction.CLOSE:
            complete_closure_checklist(coordinator, cid)
        case = coordinator.cases.move(cid, step)
    assert case.status == CaseStatus.SCREENING
    assert case.closed_at is None
    transitions = coordinator.cases.transitions(cid)
    assert [t.action for t in transitions] == [s.action.value for s in steps]
    assert transitions[1].details == {"screeners": ["coord"]}
    assert coordinator.cases.level_history(cid)[-1].source == LevelSource.CLOSURE


def test_invalid_transition_is_refused_and_nothing_changes(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    with pytest.raises(WorkflowError, match="only possible when"):
        coordinator.cases.move(case.id, MoveRequest(WorkflowAction.CLOSE, "x", closure_level="low"))
    assert coordinator.cases.get(case.id).status == CaseStatus.REPORTED
    assert coordinator.cases.transitions(case.id) == []


def test_screen_out_records_reason_level_and_closure(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    coordinator.cases.move(case.id, MoveRequest(WorkflowAction.START_SCREENING))
    closed = coordinator.cases.move(
        case.id,
        MoveRequest(
            WorkflowAction.SCREEN_OUT, "Transient: joke, apologised", "low", ("coord", "member")
        ),
    )
    assert closed.status == CaseStatus.CLOSED_NO_THREAT
    assert closed.closure_reason == "Transient: joke, apologised"
    assert closed.closed_at is not None and closed.level == "low"


def test_list_filters_and_sorts(coordinator: Btam) -> None:
    a = coordinator.cases.report_concern(intake(site="North High"))
    b = coordinator.cases.report_concern(intake(site="South Middle"))
    coordinator.cases.decide_level(b.id, "high", "facts")
    coordinator.cases.update(a.id, next_review_on=utcnow().date() - timedelta(days=2))
    assert [r.id for r in coordinator.cases.find(CaseQuery(site="South Middle"))] == [b.id]
    assert [r.id for r in coordinator.cases.find(CaseQuery(levels={"high"}))] == [b.id]
    assert [r.id for r in coordinator.cases.find(CaseQuery(overdue=True))] == [a.id]
    by_number = coordinator.cases.find(CaseQuery(sort=CaseSort.NUMBER, descending=False))
    assert [r.id for r in by_number] == [a.id, b.id]
    by_level = coordinator.cases.find(CaseQuery(sort=CaseSort.LEVEL, descending=True))
    assert by_level[0].id == b.id
    assert coordinator.cases.count(CaseQuery(mine=True)) == 2
    assert coordinator.cases.counts_by_status() == {CaseStatus.REPORTED: 2}


def test_list_ids_and_rows_give_the_list_in_every_sort_and_filter(coordinator: Btam) -> None:
    sites = ["North High", "South Middle", "North High", "East Elementary", "North High"]
    made = [coordinator.cases.report_concern(intake(site=site)) for site in sites]
    coordinator.cases.decide_level(made[1].id, "high", "facts")
    coordinator.cases.move(made[2].id, MoveRequest(WorkflowAction.START_SCREENING))
    queries = [CaseQuery(), CaseQuery(open_only=True), CaseQuery(site="North High")]
    queries += [CaseQuery(statuses={CaseStatus.REPORTED}), CaseQuery(text="Friday")]
    for base in queries:
        for sort in CaseSort:
            for descending in (False, True):
                query = CaseQuery(**{**base.__dict__, "sort": sort, "descending": descending})
                expected = coordinator.cases.find(query, 0, 1000)
                ids = coordinator.cases.list_ids(query)
                assert ids == [row.id for row in expected], (base, sort, descending)
                assert coordinator.cases.list_rows(ids) == expected
    # Rows come back in the order asked for; ids of cases no longer there are left out.
    wanted = [made[3].id, 999_999, made[0].id]
    assert [row.id for row in coordinator.cases.list_rows(wanted)] == [made[3].id, made[0].id]
    assert coordinator.cases.list_rows([]) == []


def test_viewing_a_case_is_an_audit_event(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    coordinator.cases.open_case(case.id)
    events = coordinator.audit_events(case_id=case.id)
    assert events[0].action == "case.view"
    assert "Jamie" not in events[0].summary


def test_purge_is_refused_under_legal_hold_and_removes_everything(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    cid = case.id
    coordinator.cases.move(cid, MoveRequest(WorkflowAction.START_SCREENING))
    coordinator.cases.move(cid, MoveRequest(WorkflowAction.SCREEN_OUT, "joke", "low", ("coord",)))
    coordinator.cases.set_legal_hold(cid, True, "records request pending")
    with pytest.raises(ValidationError, match="legal hold"):
        coordinator.cases.purge(cid, "retention ended")
    coordinator.cases.set_legal_hold(cid, False, "request fulfilled")
    coordinator.cases.purge(cid, "retention ended")
    assert coordinator.cases.count(CaseQuery()) == 0
    assert coordinator.cases.find(CaseQuery(text="Friday")) == []
    assert coordinator.verify_audit().ok


def test_drafts_are_kept_per_person_and_discarded(coordinator: Btam, as_role) -> None:
    from btam_desktop.services.drafts import DraftService

    drafts = DraftService(coordinator.ctx)
    drafts.save("intake", {"narrative": "half typed"})
    drafts.save("intake", {"narrative": "more typed"})
    assert drafts.load("intake") == {"narrative": "more typed"}
    assert len(drafts.list()) == 1
    member = as_role("member")
    assert DraftService(member.ctx).load("intake") is None
    coordinator_again = as_role("coordinator")
    again = DraftService(coordinator_again.ctx)
    assert again.load("intake") == {"narrative": "more typed"}
    again.discard("intake")
    assert again.load("intake") is None
