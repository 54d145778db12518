"""The assessment report, the plan report, and what they add to the case summary and the
meeting agenda."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from btam_desktop.domain.forms import Answers, visible_items
from btam_desktop.reports import (
    DRAFT_LINE,
    PROPOSED_LINE,
    assessment_file_name,
    build_assessment_report,
    build_case_summary,
    build_meeting_agenda,
    build_plan_report,
    export_assessment_report,
    export_plan_report,
    plan_file_name,
    suggested_file_name,
)
from btam_desktop.reports.meeting_agenda import case_tasks
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery
from btam_desktop.services.demo import create_demo_vault
from btam_desktop.services.plans import (
    InterventionInput,
    InterventionStatus,
    PlanInput,
    RepeatRule,
    Strategy,
)
from btam_desktop.services.scales import reload_registry
from btam_desktop.store.errors import NotFoundError
from tests.reports.conftest import (
    A4,
    CHEAP,
    assert_fonts_embedded,
    pdf_metadata,
    pdf_page_sizes,
    pdf_pages_text,
    pdf_text,
    same_size,
    words,
)
from tests.services.forms_helpers import fill_required

RATIONALE = "The team weighed the dispute in the gym and the apology made the next day."
SOURCE_DETAIL = "Interview with the gym teacher on Monday"
DROPPED_REASON = "The family moved the student to another bus route"


def _case_id(app: Btam, text: str) -> int:
    return app.cases.find(CaseQuery(text=text))[0].id


def _all_person_names(app: Btam) -> set[str]:
    names = {m.display_name for m in app.team.members(include_inactive=True)}
    for row in app.cases.find(CaseQuery(), limit=1000):
        names.update(p.full_name for p in app.records.people(row.id) if p.full_name)
    return {n for n in names if n}


@pytest.fixture(scope="module")
def worked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Btam, int, int]]:
    """The demo vault with a completed screening (one answer with its source) and a proposed
    second plan version holding a dropped intervention; yields (app, assessment id, plan id)."""
    app = create_demo_vault(tmp_path_factory.mktemp("plans") / "v", kdf_params=CHEAP)
    try:
        case_id = _case_id(app, "gym class")
        draft = app.assessments.start(case_id, "btam.screening")
        definition = app.assessments.definition(draft)
        answers = fill_required(definition, Answers({}))
        sourced = next(i for i in visible_items(definition, answers) if i.ask_source)
        answers = answers.with_answer(
            sourced.id,
            "no",
            source="interview",
            source_detail=SOURCE_DETAIL,
            reliability="confirmed",
        )
        review = app.assessments.review(draft, answers)
        assert draft.id is not None
        done = app.assessments.complete(
            draft.id,
            answers,
            decided_level=review.suggestion.level or "low",
            rationale=RATIONALE,
            participants=["demo", "morgan"],
        )
        plan_case = _case_id(app, "former friend")
        current = app.plans.in_force(plan_case)
        assert current is not None and current.id is not None
        items = [
            InterventionInput(
                title=i.title,
                strategy=Strategy(i.strategy),
                responsible_id=i.responsible_id,
                start_on=i.start_on,
                due_on=i.due_on,
                review_on=i.review_on,
                repeat=RepeatRule.parse(i.recurrence),
                responsible_contact_id=i.responsible_contact_id,
                status=InterventionStatus(i.status),
                key=i.key,
            )
            for i in app.plans.interventions(current.id)
        ]
        items.append(
            InterventionInput(
                title="Separate bus seating",
                strategy=Strategy.TARGET,
                status=InterventionStatus.DROPPED,
                dropped_reason=DROPPED_REASON,
            )
        )
        proposed = app.plans.save(
            plan_case,
            PlanInput(
                goals=current.goals,
                supervision=current.supervision,
                safety_plan=current.safety_plan,
                next_reassessment_on=current.next_reassessment_on,
                interventions=items,
                change_note="Bus seating considered",
            ),
        )
        assert done.id is not None and proposed.id is not None
        yield app, done.id, proposed.id
    finally:
        app.lock()


# ---- assessment report -----------------------------------------------------------------------


def test_assessment_report_holds_the_filled_form(worked: tuple[Btam, int, int]) -> None:
    app, assessment_id, _ = worked
    assessment = app.assessments.get(assessment_id)
    definition = app.assessments.definition(assessment)
    case = app.cases.get(assessment.case_id)
    pdf = build_assessment_report(app, assessment_id)
    text = pdf_text(pdf)
    assert definition.title in text
    assert f"Version {definition.version}" in text
    assert definition.content_hash[:12] in text
    assert case.number in text and definition.id in text
    assert "Completed" in text and DRAFT_LINE not in text
    assert definition.sections[0].title in text
    assert "Observed and recorded by the team." in text  # an answer
    assert SOURCE_DETAIL in text and "Confirmed" in text  # its source and reliability
    assert words(RATIONALE) in text  # the team's decision
    assert "Dana Demo (coordinator), Morgan Member (counselor)" in text  # who took part
    assert "Information gaps" in text and "Red flags" in text
    assert "Why the rules suggest this" in text
    pages = pdf_pages_text(pdf)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Confidential: threat assessment record." in page
    assert_fonts_embedded(pdf)
    a4 = build_assessment_report(app, assessment_id, paper="a4")
    assert all(same_size(s, A4) for s in pdf_page_sizes(a4))


def test_a_draft_is_marked_as_not_a_record(worked: tuple[Btam, int, int]) -> None:
    app, _, _ = worked
    draft = app.assessments.start(_case_id(app, "weapon"), "btam.assessment.school")
    assert draft.id is not None
    steps: list[tuple[int, int, str]] = []
    pdf = build_assessment_report(app, draft.id, progress=lambda *a: steps.append(a))
    pages = pdf_pages_text(pdf)
    assert len(pages) > 1 and all(DRAFT_LINE in page for page in pages)  # on every page
    text = " ".join(pages)
    assert "computed from the answers so far" in text
    assert "not answered" in text
    assert steps[0][0] == 0 and steps[-1][0] == steps[-1][1]
    app.assessments.discard_draft(draft.id)


def test_amendment_links_both_ways(fresh_app: Btam) -> None:
    app = fresh_app
    closed = app.cases.find(CaseQuery(text="managed and closed"))[0].id
    original = app.assessments.for_case(closed)[0]
    assert original.id is not None
    amendment = app.assessments.amend(original.id, "The meeting date was wrong")
    assert amendment.id is not None
    later = pdf_text(build_assessment_report(app, amendment.id))
    assert f"Amends assessment #{original.id}: The meeting date was wrong" in later
    earlier = pdf_text(build_assessment_report(app, original.id))
    assert f"Amended by #{amendment.id}" in earlier


def test_an_old_assessment_renders_with_its_own_definition(fresh_app: Btam) -> None:
    app = fresh_app
    custom = Path(app.ctx.vault.folder) / "forms" / "team-check.yaml"
    custom.parent.mkdir(exist_ok=True)
    form_v1 = """schema: 1
kind: checklist
id: team.check
version: "1.0.0"
title: Team check
sections:
  - id: main
    title: Main
    items:
      - id: seen
        type: yes_no_unknown
        label: Was the student seen today?
        required: true
"""
    custom.write_text(form_v1, encoding="utf-8")
    reload_registry(app.ctx)
    case_id = _case_id(app, "gym class")
    draft = app.assessments.start(case_id, "team.check")
    assert draft.id is not None
    done = app.assessments.complete(
        draft.id, Answers({"seen": "yes"}), decided_level=None, rationale="", participants=["demo"]
    )
    assert done.id is not None
    custom.write_text(
        form_v1.replace('"1.0.0"', '"2.0.0"').replace("seen today", "seen this week"),
        encoding="utf-8",
    )
    reload_registry(app.ctx)
    assert app.forms().form("team.check").version == "2.0.0"
    text = pdf_text(build_assessment_report(app, done.id))
    assert "Was the student seen today?" in text
    assert "seen this week" not in text
    assert "1.0.0" in text and "2.0.0" not in text


# ---- plan report -----------------------------------------------------------------------------


def test_plan_report_shows_the_plan_in_force(worked: tuple[Btam, int, int]) -> None:
    app, _, _ = worked
    case_id = _case_id(app, "former friend")
    plan = app.plans.in_force(case_id)
    assert plan is not None and plan.id is not None
    pdf = build_plan_report(app, case_id)
    text = pdf_text(pdf)
    case = app.cases.get(case_id)
    assert f"Management plan \u00b7 case {case.number}" in text
    assert words(plan.goals) in text
    assert words(plan.supervision) in text and words(plan.safety_plan) in text
    assert "Approved by Dana Demo (coordinator)" in text
    assert PROPOSED_LINE not in text
    for item in app.plans.interventions(plan.id):
        assert words(item.title) in text
    assert "Morgan Member (counselor)" in text  # a responsible member
    assert "Strategy: Person of concern" in text and "Strategy: Targets" in text
    assert words(app.plans.monitoring(case_id)[0].observation) in text
    assert "Sign-off by the people responsible" in text
    assert DROPPED_REASON not in text  # that is in the proposed version only
    assert_fonts_embedded(pdf)


def test_a_proposed_version_is_marked_and_shows_dropped_reasons(
    worked: tuple[Btam, int, int],
) -> None:
    app, _, plan_id = worked
    case_id = _case_id(app, "former friend")
    text = pdf_text(build_plan_report(app, case_id, plan_id))
    assert PROPOSED_LINE in text
    assert "Separate bus seating" in text
    assert f"Why: {DROPPED_REASON}" in text
    assert "Bus seating considered" in text
    other = _case_id(app, "gym class")
    with pytest.raises(NotFoundError):
        build_plan_report(app, other, plan_id)  # a plan of another case
    with pytest.raises(NotFoundError):
        build_plan_report(app, other)  # no plan at all


# ---- case summary and agenda -----------------------------------------------------------------


def test_case_summary_has_plan_and_assessments(worked: tuple[Btam, int, int]) -> None:
    app, assessment_id, _ = worked
    plan_case = _case_id(app, "former friend")
    text = pdf_text(build_case_summary(app, plan_case, sections={"plan", "assessments"}))
    assert "Management plan in force" in text and "Completed assessments" in text
    assert "Weekly check-in with the school counselor" in text
    assert "No assessment of this case is completed yet." in text
    assert "Separate bus seating" not in text  # only the version in force
    assessment = app.assessments.get(assessment_id)
    screened = pdf_text(build_case_summary(app, assessment.case_id, sections={"assessments"}))
    assert assessment.form_title in screened and assessment.form_version in screened
    assert "No management plan" not in screened  # the plan section was not chosen
    no_plan = pdf_text(build_case_summary(app, assessment.case_id, sections={"plan"}))
    assert "No management plan is approved for this case." in no_plan


def test_agenda_lists_open_tasks_under_each_case(worked: tuple[Btam, int, int]) -> None:
    app, _, _ = worked
    today = date.today()
    tasks = case_tasks(app, today)
    assert tasks, "the demo plans have tasks this week"
    text = pdf_text(build_meeting_agenda(app))
    assert "Plan items due" in text
    for group in tasks.values():
        for task in group:
            assert task.kind.label in text
            assert words(task.title) in text
            assert task.case_number in text
    if any(t.due_on < today for g in tasks.values() for t in g):
        assert "OVERDUE" in text
    # training renewals name a person: never on the agenda
    assert "renew" not in text.lower()


def test_agenda_marks_an_overdue_plan_item(fresh_app: Btam) -> None:
    app = fresh_app
    case_id = _case_id(app, "former friend")
    plan = app.plans.in_force(case_id)
    assert plan is not None and plan.id is not None
    late = date.today() - timedelta(days=3)
    items = [
        InterventionInput(
            title=i.title,
            strategy=Strategy(i.strategy),
            responsible_id=i.responsible_id,
            start_on=i.start_on,
            due_on=i.due_on,
            review_on=i.review_on,
            repeat=RepeatRule.parse(i.recurrence),
            responsible_contact_id=i.responsible_contact_id,
            status=InterventionStatus(i.status),
            key=i.key,
        )
        for i in app.plans.interventions(plan.id)
    ]
    items.append(InterventionInput(title="Call the bus company", due_on=late))
    new = app.plans.save(
        case_id, PlanInput(goals=plan.goals, interventions=items, change_note="Bus call")
    )
    assert new.id is not None
    app.plans.approve(new.id)
    text = pdf_text(build_meeting_agenda(app))
    assert "Call the bus company" in text
    assert "OVERDUE since" in text


# ---- names, files and audit ------------------------------------------------------------------


def test_metadata_and_file_names_hold_no_persons_name(worked: tuple[Btam, int, int]) -> None:
    app, assessment_id, plan_id = worked
    names = _all_person_names(app)
    assert "Dana Demo (coordinator)" in names
    case_id = _case_id(app, "former friend")
    assessment = app.assessments.get(assessment_id)
    case = app.cases.get(assessment.case_id)
    documents = {
        "assessment": build_assessment_report(app, assessment_id),
        "plan": build_plan_report(app, case_id),
        "proposed": build_plan_report(app, case_id, plan_id),
    }
    for pdf in documents.values():
        meta = pdf_metadata(pdf)
        assert meta["Author"] == app.settings().team_name
        values = " ".join(meta.values())
        for name in names:
            assert name not in values
    assert pdf_metadata(documents["assessment"])["Title"] == f"Case {case.number} screening"
    file_name = assessment_file_name(app, assessment_id)
    assert file_name == f"{case.number} assessment - btam.screening v1.0.0.pdf"
    plan_number = app.cases.get(case_id).number
    assert plan_file_name(app, case_id) == f"{plan_number} management plan v1.pdf"
    assert plan_file_name(app, case_id, plan_id) == f"{plan_number} management plan v2.pdf"
    assert suggested_file_name("plan") == "management plan.pdf"
    for name in names:
        assert name not in file_name


def test_exports_are_recorded_without_content(worked: tuple[Btam, int, int]) -> None:
    app, assessment_id, _ = worked
    case_id = app.assessments.get(assessment_id).case_id
    assert export_assessment_report(app, assessment_id).startswith(b"%PDF-")
    event = app.audit_events(case_id=case_id, limit=1)[0]
    assert (event.action, event.entity_kind, event.entity_id) == (
        "report.export",
        "assessment",
        str(assessment_id),
    )
    assert event.summary == f"assessment #{assessment_id} report exported"
    plan_case = _case_id(app, "former friend")
    assert export_plan_report(app, plan_case).startswith(b"%PDF-")
    event = app.audit_events(case_id=plan_case, limit=1)[0]
    assert (event.action, event.entity_kind) == ("report.export", "plan")
    assert event.summary == "management plan version 1 exported"


def test_no_temp_files(
    worked: tuple[Btam, int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, assessment_id, plan_id = worked
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    case_id = _case_id(app, "former friend")
    build_assessment_report(app, assessment_id)
    build_plan_report(app, case_id, plan_id)
    build_case_summary(app, case_id)
    build_meeting_agenda(app)
    assert os.listdir(folder) == []


def test_the_plan_report_names_contacts_repeats_and_the_monitoring_period(
    demo_app: Btam,
) -> None:
    from btam_desktop.reports import build_plan_report
    from btam_desktop.services.cases import CaseQuery

    case_id = demo_app.cases.find(CaseQuery(text="former friend"))[0].id
    plan = demo_app.plans.in_force(case_id)
    assert plan is not None and plan.id is not None
    text = pdf_text(build_plan_report(demo_app, case_id, plan.id))
    assert "Coach Rivera (fictional) (Coach)" in text
    assert "Every Tue and Thu" in text
    assert "60 days, ends" in text
