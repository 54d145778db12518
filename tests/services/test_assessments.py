"""Completing assessments: immutable records, the level history, the workflow, amendments,
and rendering with the definition version they were made with."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from btam_desktop.domain.enums import CaseStatus, LevelSource
from btam_desktop.domain.forms import Answers
from btam_desktop.domain.workflow import MoveRequest, WorkflowAction
from btam_desktop.services.app import Btam
from btam_desktop.services.scales import reload_registry
from btam_desktop.store.errors import ValidationError
from tests.services.conftest import intake
from tests.services.forms_helpers import fill_required


def screening_case(app: Btam) -> int:
    case = app.cases.report_concern(intake())
    app.cases.move(case.id, MoveRequest(WorkflowAction.START_SCREENING))
    return case.id


def screening_answers(app: Btam, assessment, **chosen: object) -> Answers:
    definition = app.assessments.definition(assessment)
    answers = Answers(chosen)  # type: ignore[arg-type]
    return fill_required(definition, answers)


def test_screening_to_full_assessment_moves_the_case(coordinator: Btam) -> None:
    case_id = screening_case(coordinator)
    draft = coordinator.assessments.start(case_id, "btam.screening")
    answers = screening_answers(
        coordinator,
        draft,
        classification="substantive",
        decision="assess",
        decision_reason="Specific threat with a date; needs a full assessment.",
    )
    review = coordinator.assessments.review(draft, answers)
    assert review.suggestion.level == "moderate"
    assert "substantive" in review.suggestion.explanation.lower()
    assert review.workflow_action == WorkflowAction.SCREEN_TO_ASSESSMENT
    done = coordinator.assessments.complete(
        draft.id, answers, decided_level="moderate", rationale="", participants=["coord", "member"]
    )
    assert done.status == "completed" and done.suggested_level == "moderate"
    case = coordinator.cases.get(case_id)
    assert case.status == CaseStatus.ASSESSMENT and case.level == "moderate"
    last_level = coordinator.cases.level_history(case_id)[-1]
    assert last_level.source == LevelSource.ASSESSMENT
    transition = coordinator.cases.transitions(case_id)[-1]
    assert transition.reason.startswith("Specific threat")
    actions = [e.action for e in coordinator.audit_events(limit=5)]
    assert "assessment.complete" in actions and "case.screen_to_assessment" in actions


def test_override_without_rationale_is_refused(coordinator: Btam) -> None:
    case_id = screening_case(coordinator)
    draft = coordinator.assessments.start(case_id, "btam.screening")
    answers = screening_answers(
        coordinator, draft, classification="transient", decision="close", decision_reason="joke"
    )
    suggested = coordinator.assessments.review(draft, answers).suggestion.level
    other = "high" if suggested != "high" else "low"
    with pytest.raises(ValidationError, match="differs from the suggestion"):
        coordinator.assessments.complete(
            draft.id, answers, decided_level=other, rationale=" ", participants=["coord"]
        )
    assert coordinator.assessments.get(draft.id).status == "draft"
    coordinator.assessments.complete(
        draft.id,
        answers,
        decided_level=other,
        rationale="The team knows of prior incidents not captured in this form.",
        participants=["coord"],
    )
    assert coordinator.cases.get(case_id).status == CaseStatus.CLOSED_NO_THREAT


def test_required_items_are_enforced_with_their_names(coordinator: Btam) -> None:
    case_id = screening_case(coordinator)
    draft = coordinator.assessments.start(case_id, "btam.screening")
    with pytest.raises(ValidationError, match="Answer the required questions first"):
        coordinator.assessments.complete(
            draft.id, Answers(), decided_level="low", rationale="x", participants=["coord"]
        )


def test_completed_assessment_never_changes_and_amendment_keeps_original(
    coordinator: Btam,
) -> None:
    case_id = screening_case(coordinator)
    draft = coordinator.assessments.start(case_id, "btam.screening")
    answers = screening_answers(coordinator, draft, decision="monitor", decision_reason="watch")
    done = coordinator.assessments.complete(
        draft.id, answers, decided_level="low", rationale="agreed", participants=["coord"]
    )
    with pytest.raises(ValidationError, match="cannot be changed"):
        coordinator.assessments.save_draft(done.id, Answers())
    with (
        pytest.raises(Exception, match="cannot be changed"),
        coordinator.vault.write() as session,
    ):
        session.execute(text("UPDATE assessment SET decided_level = 'high'"))
    amendment = coordinator.assessments.amend(done.id, "Date of screening was wrong")
    assert amendment.amends_id == done.id and amendment.status == "draft"
    assert amendment.answers == done.answers
    listed = coordinator.assessments.for_case(case_id)
    assert {a.id for a in listed} == {done.id, amendment.id}
    assert coordinator.assessments.get(done.id).decided_level == "low"


def test_old_assessment_renders_with_its_own_definition_version(
    coordinator: Btam, vault_dir: Path
) -> None:
    custom = vault_dir / "forms" / "team-check.yaml"
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
    reload_registry(coordinator.ctx)
    case = coordinator.cases.report_concern(intake())
    draft = coordinator.assessments.start(case.id, "team.check")
    done = coordinator.assessments.complete(
        draft.id, Answers({"seen": "yes"}), decided_level=None, rationale="", participants=["c"]
    )
    custom.write_text(
        form_v1.replace('"1.0.0"', '"2.0.0"').replace("seen today", "seen this week"),
        encoding="utf-8",
    )
    reload_registry(coordinator.ctx)
    assert coordinator.forms().form("team.check").version == "2.0.0"
    old = coordinator.assessments.definition(coordinator.assessments.get(done.id))
    assert old.version == "1.0.0"
    assert old.item("seen").label == "Was the student seen today?"
    assert old.content_hash == done.form_hash


def test_viewer_cannot_start_an_assessment(coordinator: Btam, as_role) -> None:
    from btam_desktop.store.errors import PermissionDeniedError

    case_id = screening_case(coordinator)
    viewer = as_role("viewer")
    with pytest.raises(PermissionDeniedError):
        viewer.assessments.start(case_id, "btam.screening")


def test_screening_a_reported_case_starts_the_screening_first(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    draft = coordinator.assessments.start(case.id, "btam.screening")
    answers = screening_answers(
        coordinator, draft, classification="transient", decision="close", decision_reason="joke"
    )
    review = coordinator.assessments.review(draft, answers)
    assert "start the screening" in review.workflow_note
    coordinator.assessments.complete(
        draft.id,
        answers,
        decided_level=review.suggestion.level,
        rationale="",
        participants=["coord"],
    )
    actions = [t.action for t in coordinator.cases.transitions(case.id)]
    assert actions == ["start_screening", "screen_out"]


def test_an_outcome_the_case_is_past_is_recorded_without_moving(coordinator: Btam) -> None:
    case_id = screening_case(coordinator)
    coordinator.cases.move(
        case_id, MoveRequest(WorkflowAction.SCREEN_TO_ASSESSMENT, "x", screeners=("coord",))
    )
    draft = coordinator.assessments.start(case_id, "btam.screening")
    answers = screening_answers(coordinator, draft, decision="close", decision_reason="joke")
    review = coordinator.assessments.review(draft, answers)
    assert review.workflow_action is None and "does not move it" in review.workflow_note
