"""Every service action for every role: viewers read, members work, coordinators manage.

A refused attempt raises PermissionDeniedError and is itself written to the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import col

from btam_desktop.domain.enums import (
    DisclosureBasis,
    DisclosureRecipient,
    NoteCategory,
    PersonRole,
    Priority,
    Role,
    TimelineCategory,
)
from btam_desktop.domain.models import AuditEvent
from btam_desktop.domain.types import utcnow
from btam_desktop.domain.workflow import MoveRequest, WorkflowAction
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery, PersonInput
from btam_desktop.services.records import DisclosureInput, TimelineInput
from btam_desktop.services.settings import TeamSettings
from btam_desktop.store.errors import PermissionDeniedError
from tests.services.conftest import CHEAP, complete_closure_checklist, intake

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

Action = Callable[[Btam, int], object]

ACTIONS: dict[str, Action] = {
    "report_concern": lambda app, cid: app.cases.report_concern(intake()),
    "update_case": lambda app, cid: app.cases.update(cid, priority=Priority.HIGH),
    "set_members": lambda app, cid: app.cases.set_members(cid, []),
    "decide_level": lambda app, cid: app.cases.decide_level(cid, "low", "facts"),
    "start_screening": lambda app, cid: app.cases.move(
        cid, MoveRequest(WorkflowAction.START_SCREENING)
    ),
    "add_person": lambda app, cid: app.records.add_person(
        cid, PersonInput(PersonRole.WITNESS, "W")
    ),
    "add_timeline": lambda app, cid: app.records.add_timeline_entry(
        cid, TimelineInput(utcnow(), TimelineCategory.INCIDENT, "event")
    ),
    "add_note": lambda app, cid: app.records.add_note(cid, NoteCategory.OTHER, "note"),
    "add_attachment": lambda app, cid: app.records.add_attachment(cid, "s.png", PNG),
    "add_disclosure": lambda app, cid: app.records.add_disclosure(
        cid,
        DisclosureInput(
            utcnow(),
            DisclosureRecipient.PARENT_GUARDIAN,
            "Parent",
            "the concern",
            "safety plan",
            DisclosureBasis.CONSENT,
        ),
    ),
    "legal_hold": lambda app, cid: app.cases.set_legal_hold(cid, True, "request"),
    "purge": lambda app, cid: app.cases.purge(cid, "retention ended"),
    "add_member": lambda app, cid: app.team.add_member(
        "newbie", "New Member", Role.MEMBER, "long enough pass", kdf_params=CHEAP
    ),
    "change_role": lambda app, cid: app.team.change_role(
        next(m.id for m in app.team.members() if m.username == "viewer"), Role.MEMBER
    ),
    "add_training": lambda app, cid: app.team.add_training(
        app.actor.account_id, "BTAM 101", "Center", date(2025, 1, 1)
    ),
    "save_settings": lambda app, cid: app.save_settings(TeamSettings(team_name="Renamed")),
    "verify_audit": lambda app, cid: app.verify_audit(),
    "audit_events": lambda app, cid: app.audit_events(),
}

ALLOWED: dict[str, set[str]] = {
    "coordinator": set(ACTIONS),
    "member": {
        "report_concern",
        "update_case",
        "set_members",
        "decide_level",
        "start_screening",
        "add_person",
        "add_timeline",
        "add_note",
        "add_attachment",
        "add_disclosure",
    },
    "viewer": set(),
}


@pytest.mark.parametrize("role", ["coordinator", "member", "viewer"])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_matrix(coordinator: Btam, as_role, role: str, action: str) -> None:
    case = coordinator.cases.report_concern(intake())
    if action == "purge":  # only a closed case can be purged: close it first
        coordinator.cases.move(case.id, MoveRequest(WorkflowAction.START_SCREENING))
        coordinator.cases.move(
            case.id, MoveRequest(WorkflowAction.SCREEN_OUT, "joke", "low", ("coord",))
        )
    app = as_role(role)
    if action in ALLOWED[role]:
        ACTIONS[action](app, case.id)
        return
    with pytest.raises(PermissionDeniedError) as err:
        ACTIONS[action](app, case.id)
    assert role in str(err.value)
    with app.vault.read() as session:
        last = session.execute(
            select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)
        ).scalar_one_or_none()
    assert last is not None
    assert (last.action, last.username) == ("permission.denied", app.actor.username)


def test_viewer_reads_everything(coordinator: Btam, as_role) -> None:
    case = coordinator.cases.report_concern(intake())
    coordinator.records.add_note(case.id, NoteCategory.OTHER, "visible to viewers")
    viewer = as_role("viewer")
    assert viewer.cases.count(CaseQuery()) == 1
    assert viewer.cases.open_case(case.id).number == case.number
    assert viewer.records.notes(case.id)[0].body == "visible to viewers"


def test_member_may_not_close_but_coordinator_may(coordinator: Btam, as_role) -> None:
    case = coordinator.cases.report_concern(intake())
    for step in (
        MoveRequest(WorkflowAction.START_SCREENING),
        MoveRequest(WorkflowAction.SCREEN_TO_ASSESSMENT, "substantive", screeners=("coord",)),
    ):
        coordinator.cases.move(case.id, step)
    member = as_role("member")
    close = MoveRequest(WorkflowAction.CLOSE, "resolved", closure_level="low")
    assert "may not close" in (member.cases.why_not(member.cases.get(case.id), close.action) or "")
    with pytest.raises(PermissionDeniedError):
        member.cases.move(case.id, close)
    coordinator_again = as_role("coordinator")
    complete_closure_checklist(coordinator_again, case.id)
    assert coordinator_again.cases.move(case.id, close).status == "closed"
