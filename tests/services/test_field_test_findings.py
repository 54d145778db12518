"""Issue 11 (a field test): intake, screening, closing and plan findings, at the service level."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from btam_desktop.domain.enums import (
    DangerAnswer,
    PersonRole,
    Priority,
    ReportChannel,
    ThreatType,
    YesNoUnknown,
)
from btam_desktop.domain.types import utcnow
from btam_desktop.domain.workflow import MoveRequest, WorkflowAction
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import (
    TRANSIENT_RESOLUTION,
    CaseQuery,
    CaseSort,
    PersonInput,
)
from btam_desktop.services.evidence import EvidenceFile, detect_media_type
from btam_desktop.services.plans import (
    ContactInput,
    InterventionInput,
    InterventionStatus,
    PlanInput,
    PlanStatus,
    Recurrence,
    RepeatRule,
    ReviewDateChoice,
    Strategy,
)
from btam_desktop.services.tasks import TaskKind, occurrences
from btam_desktop.store.errors import ValidationError
from tests.services.conftest import complete_closure_checklist, intake
from tests.services.test_plans import managed_case, plan_input


def actions(app: Btam, case_id: int) -> list[str]:
    return [e.action for e in app.audit_events(case_id=case_id)]


# ---- report of concern -------------------------------------------------------------------------


def test_confidential_reporter_is_kept_and_known_as_withheld(coordinator: Btam) -> None:
    reporter = PersonInput(
        PersonRole.REPORTER, full_name="Casey Classmate", contact="555-0100", confidential=True
    )
    case = coordinator.cases.report_concern(intake(reporter=reporter))
    report = coordinator.records.reports(case.id)[0]
    assert report.reporter_confidential and not report.reporter_anonymous
    people = {p.id: p for p in coordinator.records.people(case.id)}
    withheld = coordinator.cases.confidential_reporter_ids(case.id)
    assert len(withheld) == 1
    assert people[next(iter(withheld))].full_name == "Casey Classmate"


def test_anonymous_reporter_keeps_its_contact_and_refuses_a_name(coordinator: Btam) -> None:
    anonymous = PersonInput(PersonRole.REPORTER, anonymous=True, contact="Tip #4471")
    case = coordinator.cases.report_concern(intake(reporter=anonymous))
    reporter = next(p for p in coordinator.records.people(case.id) if p.role == "reporter")
    assert reporter.anonymous and reporter.contact == "Tip #4471"
    named = PersonInput(PersonRole.REPORTER, full_name="Pat", anonymous=True)
    with pytest.raises(ValidationError, match="Confidential"):
        coordinator.cases.report_concern(intake(reporter=named))
    nameless = PersonInput(PersonRole.REPORTER, confidential=True)
    with pytest.raises(ValidationError, match="give the reporter's name"):
        coordinator.cases.report_concern(intake(reporter=nameless))


def test_not_sure_is_recorded_like_yes_with_the_emergency_call(coordinator: Btam) -> None:
    with pytest.raises(ValidationError, match="instruction to call emergency"):
        coordinator.cases.report_concern(intake(danger_answer=DangerAnswer.NOT_SURE))
    called_at = utcnow() - timedelta(minutes=20)
    case = coordinator.cases.report_concern(
        intake(
            danger_answer=DangerAnswer.NOT_SURE,
            emergency_notice_shown_at=utcnow() - timedelta(minutes=30),
            emergency_called=YesNoUnknown.YES,
            emergency_called_by="Principal Diaz",
            emergency_called_at=called_at,
            channel=ReportChannel.SOCIAL_MEDIA,
            conditional=True,
        )
    )
    report = coordinator.records.reports(case.id)[0]
    assert report.immediate_danger and report.danger_answer == "not_sure"
    assert (report.emergency_called, report.emergency_called_by) == ("yes", "Principal Diaz")
    assert report.emergency_called_at == called_at
    assert report.conditional and report.channel == "social_media"
    assert "intake.emergency_notice" in actions(coordinator, case.id)
    with pytest.raises(ValidationError, match="Who called"):
        coordinator.cases.report_concern(
            intake(emergency_called=YesNoUnknown.NO, emergency_called_by="Someone")
        )


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("voicemail.mp3", b"ID3\x04\x00rest", "audio/mpeg"),
        ("call.mp3", b"\xff\xfb\x90\x00rest", "audio/mpeg"),
        ("message.wav", b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
        ("memo.m4a", b"\x00\x00\x00\x20ftypM4A \x00\x00", "audio/mp4"),
        ("note.ogg", b"OggS\x00\x02", "audio/ogg"),
        ("vm.amr", b"#!AMR\n", "audio/amr"),
        ("fake.mp3", b"MZ\x90\x00", None),
    ],
)
def test_audio_evidence_is_recognised_by_content(name: str, data: bytes, expected: str) -> None:
    assert detect_media_type(name, data) == expected


def test_evidence_is_stored_with_the_report_in_one_transaction(coordinator: Btam) -> None:
    voicemail = EvidenceFile("voicemail.wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40)
    case = coordinator.cases.report_concern(intake(evidence=[voicemail]))
    stored = coordinator.records.attachments(case.id)
    assert [(a.file_name, a.media_type) for a in stored] == [("voicemail.wav", "audio/wav")]
    assert "attachment.add" in actions(coordinator, case.id)
    before = coordinator.cases.count(CaseQuery())
    with pytest.raises(ValidationError, match="not a type BTAM keeps"):
        coordinator.cases.report_concern(intake(evidence=[voicemail, EvidenceFile("x.exe", b"MZ")]))
    assert coordinator.cases.count(CaseQuery()) == before  # nothing half-saved


# ---- case list ----------------------------------------------------------------------------------


def test_priority_sorts_by_rank_not_alphabet(coordinator: Btam) -> None:
    for priority in (Priority.HIGH, Priority.LOW, Priority.URGENT, Priority.NORMAL):
        coordinator.cases.report_concern(intake(priority=priority, title=priority.value))
    rows = coordinator.cases.list_page(CaseQuery(sort=CaseSort.PRIORITY, descending=True))
    assert [r.priority for r in rows] == [
        Priority.URGENT,
        Priority.HIGH,
        Priority.NORMAL,
        Priority.LOW,
    ]
    coordinator.cases.update(rows[-1].id, priority=Priority.URGENT)  # low -> urgent
    again = coordinator.cases.list_page(CaseQuery(sort=CaseSort.PRIORITY, descending=False))
    assert [r.priority for r in again][-2:] == [Priority.URGENT, Priority.URGENT]


def test_threat_type_is_set_by_screening_and_filters_the_list(coordinator: Btam) -> None:
    first = coordinator.cases.report_concern(intake()).id
    second = coordinator.cases.report_concern(intake()).id
    coordinator.cases.move(first, MoveRequest(WorkflowAction.START_SCREENING))
    coordinator.cases.move(
        first,
        MoveRequest(
            WorkflowAction.SCREEN_OUT,
            "Said in anger, apologised at once; no plan.",
            closure_level="low",
            screeners=("coord",),
            threat_type=ThreatType.TRANSIENT.value,
        ),
    )
    case = coordinator.cases.get(first)
    assert case.threat_type == "transient"
    assert case.closure_reason.startswith(TRANSIENT_RESOLUTION)
    coordinator.cases.set_threat_type(second, ThreatType.SUBSTANTIVE, "Named target and date.")
    assert "case.threat_type" in actions(coordinator, second)
    with pytest.raises(ValidationError, match="Say why"):
        coordinator.cases.set_threat_type(second, ThreatType.TRANSIENT, " ")
    transient = coordinator.cases.list_page(CaseQuery(threat_type=ThreatType.TRANSIENT))
    assert [r.id for r in transient] == [first]
    assert transient[0].threat_type == "transient"
    unset = coordinator.cases.list_count(CaseQuery(threat_type_unset=True))
    assert unset == coordinator.cases.count(CaseQuery()) - 2


def test_closing_needs_are_listed_before_the_move(coordinator: Btam) -> None:
    case_id = managed_case(coordinator)
    me = coordinator.actor.account_id
    coordinator.plans.save(case_id, plan_input(me))
    needs = coordinator.cases.closing_needs(case_id)
    assert [n.where for n in needs] == ["plan", "checklist"]
    assert "Parent meeting" in needs[0].message


# ---- management plan ---------------------------------------------------------------------------


def test_progress_needs_no_new_version_and_is_audited(coordinator: Btam) -> None:
    case_id = managed_case(coordinator)
    me = coordinator.actor.account_id
    plan = coordinator.plans.save(case_id, plan_input(me))
    coordinator.plans.approve(plan.id)
    items = coordinator.plans.interventions(plan.id)
    with pytest.raises(ValidationError, match="why"):
        coordinator.plans.record_progress(case_id, items[0].key, InterventionStatus.DROPPED)
    coordinator.plans.record_progress(case_id, items[1].key, InterventionStatus.DONE)
    coordinator.plans.record_progress(
        case_id, items[0].key, InterventionStatus.DROPPED, "Student moved schools."
    )
    versions = coordinator.plans.versions(case_id)
    assert len(versions) == 1 and versions[0].status == PlanStatus.APPROVED
    after = {i.key: i for i in coordinator.plans.interventions(plan.id)}
    assert after[items[1].key].status == "done"
    assert after[items[0].key].dropped_reason == "Student moved schools."
    assert actions(coordinator, case_id).count("plan.item_progress") == 2
    assert coordinator.plans.open_items(case_id) == []
    complete_closure_checklist(coordinator, case_id)
    assert coordinator.cases.closing_needs(case_id) == []


def test_approving_never_moves_the_review_date_backwards(coordinator: Btam) -> None:
    case_id = managed_case(coordinator)
    me = coordinator.actor.account_id
    later = date.today() + timedelta(days=60)
    coordinator.cases.update(case_id, next_review_on=later)  # set by hand
    plan = coordinator.plans.save(case_id, plan_input(me))  # plan says 30 days
    assert coordinator.plans.review_date_conflict(plan.id) == (
        later,
        date.today() + timedelta(days=30),
    )
    coordinator.plans.approve(plan.id)
    assert coordinator.cases.get(case_id).next_review_on == later

    newer = coordinator.plans.save(
        case_id,
        plan_input(me, change_note="sooner", next_reassessment_on=date.today() + timedelta(days=9)),
    )
    coordinator.plans.approve(newer.id, ReviewDateChoice.PLAN)  # the person chose it
    assert coordinator.cases.get(case_id).next_review_on == date.today() + timedelta(days=9)


def test_contacts_can_be_responsible_and_viewers_cannot(coordinator: Btam) -> None:
    case_id = managed_case(coordinator)
    coach = coordinator.plans.add_contact(
        ContactInput("Coach Rivera", "Coach", "North High athletics", "ext. 214")
    )
    assert [c.name for c in coordinator.plans.contacts()] == ["Coach Rivera"]
    viewer = next(a for a in coordinator.team.members() if a.username == "viewer")
    assert viewer.id not in {a.id for a in coordinator.plans.responsible_members()}
    item = InterventionInput("Check in after practice", Strategy.SUBJECT, viewer.id)
    with pytest.raises(ValidationError, match="viewers"):
        coordinator.plans.save(case_id, PlanInput(interventions=[item]))
    item = InterventionInput("Check in after practice", responsible_contact_id=coach.id)
    plan = coordinator.plans.save(case_id, PlanInput(interventions=[item]))
    assert coordinator.plans.interventions(plan.id)[0].responsible_contact_id == coach.id
    coordinator.plans.update_contact(coach.id, ContactInput("Coach Rivera"), active=False)
    assert coordinator.plans.contacts() == []


def test_repeat_rules() -> None:
    monday = date(2026, 1, 5)
    assert RepeatRule.parse("weekdays:0,3").encode() == "weekdays:0,3"
    assert RepeatRule.parse("days:3") == RepeatRule(Recurrence.EVERY_N_DAYS, every=3)
    assert RepeatRule.parse("nonsense") == RepeatRule()
    upto = monday + timedelta(days=13)
    twice = occurrences(monday, RepeatRule(Recurrence.TWICE_WEEKLY), upto)
    assert [d.strftime("%a %d") for d in twice] == ["Mon 05", "Thu 08", "Mon 12", "Thu 15"]
    chosen = occurrences(monday, RepeatRule(Recurrence.WEEKDAYS, weekdays=(1, 4)), upto)
    assert [d.strftime("%a") for d in chosen] == ["Tue", "Fri", "Tue", "Fri"]
    assert occurrences(monday, RepeatRule(Recurrence.EVERY_N_DAYS, every=5), upto) == [
        monday,
        monday + timedelta(days=5),
        monday + timedelta(days=10),
    ]
    assert len(occurrences(monday, RepeatRule(Recurrence.EVERY_N_WEEKS, every=3), upto)) == 1
    assert occurrences(date(2026, 1, 31), Recurrence.MONTHLY, date(2026, 3, 31)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
    assert RepeatRule(Recurrence.WEEKDAYS, weekdays=(0, 3)).label == "Every Mon and Thu"
    with pytest.raises(ValidationError, match="at least one day"):
        RepeatRule(Recurrence.WEEKDAYS).validate("Item 1")


def test_repeats_are_saved_and_make_check_ins(coordinator: Btam) -> None:
    case_id = managed_case(coordinator)
    start = date.today() - timedelta(days=7)
    item = InterventionInput(
        "Security escort",
        start_on=start,
        repeat=RepeatRule(Recurrence.EVERY_N_DAYS, every=2),
    )
    plan = coordinator.plans.save(case_id, PlanInput(interventions=[item]))
    assert coordinator.plans.interventions(plan.id)[0].recurrence == "days:2"
    coordinator.plans.approve(plan.id)
    tasks = [t for t in coordinator.tasks.tasks() if t.case_id == case_id]
    assert {t.title for t in tasks if t.kind == TaskKind.CHECK_IN} == {"Security escort"}


def test_monitoring_period_has_its_own_end_and_task(coordinator: Btam) -> None:
    case_id = managed_case(coordinator)
    plan = coordinator.plans.save(
        case_id,
        PlanInput(next_reassessment_on=date.today() + timedelta(days=30), monitoring_days=5),
    )
    assert plan.monitoring_ends_on == date.today() + timedelta(days=5)
    coordinator.plans.approve(plan.id)
    kinds = [t.kind for t in coordinator.tasks.tasks() if t.case_id == case_id]
    assert TaskKind.MONITORING_END in kinds
    with pytest.raises(ValidationError, match="monitoring period"):
        coordinator.plans.save(case_id, PlanInput(monitoring_days=0, change_note="x"))


def test_overdue_items_are_named(coordinator: Btam) -> None:
    case_id = managed_case(coordinator)
    late = InterventionInput("Parent meeting", due_on=date.today() - timedelta(days=2))
    fine = InterventionInput("Counseling", due_on=date.today() + timedelta(days=2))
    coordinator.plans.save(case_id, PlanInput(interventions=[late, fine]))
    assert [i.title for i in coordinator.plans.overdue_items(case_id)] == ["Parent meeting"]


# ---- assessments under management ----------------------------------------------------------


def _filled_reassessment(app: Btam, case_id: int, next_step: str | None):
    from btam_desktop.domain.forms import Answers
    from tests.services.forms_helpers import fill_required

    draft = app.assessments.start(case_id, "btam.assessment.school")
    definition = app.assessments.definition(draft)
    answers = fill_required(definition, Answers())
    if next_step is None:
        answers = answers.with_answer("next_step", None).with_answer("next_step_reason", None)
    else:
        answers = answers.with_answer("next_step", next_step)
    app.assessments.save_draft(draft.id, answers)
    return app.assessments.get(draft.id), answers


def test_a_reassessment_under_management_needs_no_next_step(coordinator: Btam) -> None:
    case_id = managed_case(coordinator)
    draft, answers = _filled_reassessment(coordinator, case_id, None)
    assert coordinator.assessments.waived_items(draft) == {"next_step", "next_step_reason"}
    review = coordinator.assessments.review(draft, answers)
    assert review.missing == []
    assert review.workflow_action is None
    assert "need not choose a next step" in review.workflow_note
    done = coordinator.assessments.complete(
        draft.id, answers, decided_level="moderate", rationale="", participants=["coord"]
    )
    assert done.status == "completed" and done.workflow_action is None
    assert coordinator.cases.get(case_id).status == "management"


def test_a_reassessment_that_closes_lists_what_closing_needs(coordinator: Btam) -> None:
    case_id = managed_case(coordinator)
    coordinator.plans.save(case_id, plan_input(coordinator.actor.account_id))
    draft, answers = _filled_reassessment(coordinator, case_id, "close")
    review = coordinator.assessments.review(draft, answers)
    assert review.workflow_action is WorkflowAction.CLOSE
    assert [n.where for n in review.move_needs] == ["plan", "checklist"]
    fresh = coordinator.cases.report_concern(intake()).id
    draft, answers = _filled_reassessment(coordinator, fresh, None)
    assert coordinator.assessments.waived_items(draft) == frozenset()  # not under management


def test_a_closure_check_may_not_apply_with_a_reason(coordinator: Btam) -> None:
    from btam_desktop.domain.forms import (
        Answers,
        display_value,
        missing_required,
        not_applicable_entry,
        validate_answers,
    )
    from btam_desktop.services.cases import CLOSURE_CHECKLIST_ID
    from tests.services.forms_helpers import fill_required

    case_id = managed_case(coordinator)
    draft = coordinator.assessments.start(case_id, CLOSURE_CHECKLIST_ID)
    definition = coordinator.assessments.definition(draft)
    answers = fill_required(definition, Answers())
    item = definition.item("concern_addressed")
    ticked = tuple(c.id for c in item.options if c.id != "quiet_period")
    na = not_applicable_entry("quiet_period", "Never monitored: closed from assessment.")
    answers = answers.with_answer("concern_addressed", (*ticked, na))
    assert not [m for m in missing_required(definition, answers) if m.item_id == item.id]
    assert validate_answers(definition, answers) == []
    assert "does not apply: Never monitored" in display_value(item, (na,))
    no_reason = answers.with_answer("concern_addressed", (*ticked, "na:quiet_period:"))
    assert any("needs a short reason" in p.message for p in validate_answers(definition, no_reason))
    done = coordinator.assessments.complete(
        draft.id, answers, decided_level=None, rationale="", participants=["coord"]
    )
    assert na in str(done.answers)


def test_screeners_are_recorded_on_the_screening_not_on_the_plan(coordinator: Btam) -> None:
    from btam_desktop.domain.forms import Answers
    from tests.services.forms_helpers import fill_required

    case_id = coordinator.cases.report_concern(intake()).id
    coordinator.cases.move(case_id, MoveRequest(WorkflowAction.START_SCREENING))
    coordinator.cases.move(
        case_id,
        MoveRequest(WorkflowAction.SCREEN_TO_ASSESSMENT, "substantive", screeners=("coord",)),
    )
    draft = coordinator.assessments.start(case_id, "btam.assessment.school")
    answers = fill_required(coordinator.assessments.definition(draft), Answers())
    answers = answers.with_answer("next_step", "manage")
    coordinator.assessments.complete(
        draft.id, answers, decided_level="moderate", rationale="", participants=["coord", "member"]
    )
    moves = {t.action: t for t in coordinator.cases.transitions(case_id)}
    assert moves["screen_to_assessment"].details == {"screeners": ["coord"]}
    assert "screeners" not in moves["start_management"].details
