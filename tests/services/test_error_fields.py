"""Validation errors name the input they concern, so a form places them without reading words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from btam_desktop.domain.enums import PersonRole
from btam_desktop.domain.errors import ValidationError, WorkflowError, error_field
from btam_desktop.domain.types import utcnow
from btam_desktop.domain.workflow import MoveRequest, WorkflowAction
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CLOSING_NEEDS_FIELD, PersonInput
from btam_desktop.services.evidence import EvidenceFile
from btam_desktop.services.plans import ContactInput, MonitoringInput
from tests.services.conftest import intake


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"narrative": "  "}, "narrative"),
        ({"received_at": utcnow() + timedelta(days=2)}, "received_at"),
        ({"emergency_called_at": utcnow() + timedelta(days=1)}, "emergency_called_at"),
        ({"immediate_danger": True}, "emergency_notice_shown_at"),
        ({"evidence": [EvidenceFile("note.txt", b"")]}, "evidence"),
        (
            {"reporter": PersonInput(PersonRole.REPORTER, full_name="Sam", anonymous=True)},
            "reporter",
        ),
        ({"targets": [PersonInput(PersonRole.TARGET)]}, "full_name"),
    ],
)
def test_a_refused_report_names_the_input_it_is_about(
    coordinator: Btam, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        coordinator.cases.report_concern(intake(**overrides))
    assert refused.value.field == field
    assert error_field(refused.value) == field


def test_case_and_record_errors_name_their_input(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    with pytest.raises(ValidationError) as no_title:
        coordinator.cases.update(case.id, title=" ")
    assert no_title.value.field == "title"
    with pytest.raises(ValidationError) as no_rationale:
        coordinator.cases.decide_level(case.id, "low", " ")
    assert no_rationale.value.field == "rationale"
    with pytest.raises(ValidationError) as no_level:
        coordinator.cases.decide_level(case.id, "severe", "Because.")
    assert no_level.value.field == "level"
    with pytest.raises(ValidationError) as no_name:
        coordinator.plans.add_contact(ContactInput(" "))
    assert no_name.value.field == "name"


def test_a_check_in_error_names_the_date_or_the_observation(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    future = MonitoringInput(date.today() + timedelta(days=3), "Seen in class, calm.")
    with pytest.raises(ValidationError) as dated:
        coordinator.plans.log_monitoring(case.id, future)
    assert dated.value.field == "observed_on"
    with pytest.raises(ValidationError) as empty:
        coordinator.plans.log_monitoring(case.id, MonitoringInput(date.today(), "  "))
    assert empty.value.field == "observation"


def test_a_refused_move_names_the_part_of_the_request(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    coordinator.cases.move(case.id, MoveRequest(WorkflowAction.START_SCREENING))
    with pytest.raises(WorkflowError) as no_screeners:
        coordinator.cases.move(
            case.id, MoveRequest(WorkflowAction.SCREEN_TO_ASSESSMENT, "substantive")
        )
    assert error_field(no_screeners.value) == "screeners"
    with pytest.raises(WorkflowError) as no_reason:
        coordinator.cases.move(
            case.id, MoveRequest(WorkflowAction.SCREEN_OUT, " ", screeners=("coord",))
        )
    assert no_reason.value.field == "reason"


def test_closing_with_open_needs_names_the_case_not_an_input(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    for step in (
        MoveRequest(WorkflowAction.START_SCREENING),
        MoveRequest(WorkflowAction.SCREEN_TO_ASSESSMENT, "substantive", screeners=("coord",)),
    ):
        coordinator.cases.move(case.id, step)
    with pytest.raises(ValidationError) as refused:
        coordinator.cases.move(
            case.id, MoveRequest(WorkflowAction.CLOSE, "done", closure_level="low")
        )
    assert refused.value.field == CLOSING_NEEDS_FIELD
    assert "checklist" in str(refused.value)


def test_an_error_keeps_its_message_when_it_is_moved_to_another_field() -> None:
    inner = ValidationError("Give the reporter's name.", field="full_name")
    outer = inner.for_field("reporter")
    assert (str(outer), outer.field, inner.field) == (
        "Give the reporter's name.",
        "reporter",
        "full_name",
    )
    assert error_field(RuntimeError("a bug")) is None
    assert error_field(ValidationError("The whole form.")) is None
