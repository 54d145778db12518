"""Two people editing one person, timeline entry, plan, plan item or assessment: the second to
save an older copy is refused, told who changed what and when, and nothing of it is saved.
On both stores: a vault (one computer, people take turns) and a team server (two at once)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from btam_desktop.domain.enums import PersonRole, TimelineCategory
from btam_desktop.domain.forms import Answers
from btam_desktop.domain.types import utcnow
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import EditConflictError, PersonInput
from btam_desktop.services.plans import InterventionInput, InterventionStatus, PlanCopy, PlanInput
from btam_desktop.services.records import TimelineInput
from tests.server.conftest import open_team
from tests.services.conftest import MEMBER_PASSWORD, PASSWORD, intake

SECRET = "555-0199 behind the gym"  # content: must never appear in a conflict message

Turns = Callable[[Callable[[Btam], object]], Btam]


@pytest.fixture
def other_saves_first(
    coordinator: Btam, team_location: str | Path, store_kind: str
) -> Iterator[Turns]:
    """Mel Member saves first (``edit``); returns Cory's app, still holding the older copy.

    A vault has one computer: Cory locks, Mel signs in and saves, then Cory signs in again.
    On a team server both are signed in at once."""
    opened: list[Btam] = [coordinator]

    def turns(edit: Callable[[Btam], object]) -> Btam:
        if store_kind == "vault":
            coordinator.vault.lock()
        other = open_team(team_location, "member", MEMBER_PASSWORD)
        opened.append(other)
        edit(other)
        if store_kind == "server":
            return coordinator
        other.vault.lock()
        mine = open_team(team_location, "coord", PASSWORD)
        opened.append(mine)
        return mine

    yield turns
    for app in opened:
        if app.vault.is_open:
            app.vault.lock()


def _refused(error: pytest.ExceptionInfo[EditConflictError], record: str, what: str) -> None:
    message = str(error.value)
    assert "Mel Member" in message and record in message and "not saved" in message
    assert what in message
    assert SECRET not in message


def test_a_person_saved_from_an_older_copy_is_refused(
    coordinator: Btam, other_saves_first: Turns
) -> None:
    case = coordinator.cases.report_concern(intake())
    assert case.id is not None
    person = coordinator.records.add_person(case.id, PersonInput(PersonRole.OTHER, "Pat Parent"))
    assert person.id is not None and person.revision == 1
    seen, person_id = person.revision, person.id

    def theirs(app: Btam) -> None:
        changed = PersonInput(PersonRole.OTHER, "Pat Parent", contact=SECRET)
        saved = app.records.update_person(person_id, changed, expected_revision=seen)
        assert saved.revision == seen + 1

    mine = other_saves_first(theirs)
    mine_input = PersonInput(PersonRole.OTHER, "Pat Parent", notes="Mine")
    with pytest.raises(EditConflictError) as refused:
        mine.records.update_person(person_id, mine_input, expected_revision=seen)
    _refused(refused, "this person", "contact")
    (now,) = [p for p in mine.records.people(case.id) if p.id == person_id]
    assert now.notes == "" and now.contact == SECRET  # theirs kept, nothing of mine saved
    # Saving over theirs with the current version works, and the version goes up again.
    mine_input.contact = now.contact
    saved = mine.records.update_person(person_id, mine_input, expected_revision=now.revision)
    assert saved.revision == seen + 2 and saved.notes == "Mine"


def test_a_timeline_entry_saved_from_an_older_copy_is_refused(
    coordinator: Btam, other_saves_first: Turns
) -> None:
    case = coordinator.cases.report_concern(intake())
    assert case.id is not None
    when = utcnow() - timedelta(days=2)
    entry = coordinator.records.add_timeline_entry(
        case.id, TimelineInput(when, TimelineCategory.INCIDENT, "Pushed a classmate")
    )
    assert entry.id is not None
    seen, entry_id = entry.revision, entry.id

    def theirs(app: Btam) -> None:
        data = TimelineInput(
            when, TimelineCategory.INCIDENT, "Pushed a classmate", obtained_how=SECRET
        )
        app.records.update_timeline_entry(entry_id, data, expected_revision=seen)

    mine = other_saves_first(theirs)
    data = TimelineInput(when, TimelineCategory.STRESSOR, "Pushed a classmate")
    with pytest.raises(EditConflictError) as refused:
        mine.records.update_timeline_entry(entry_id, data, expected_revision=seen)
    _refused(refused, "this timeline entry", "how it was learned")
    (now,) = mine.records.timeline(case.id)
    assert now.category == TimelineCategory.INCIDENT.value and now.revision == seen + 1
    saved = mine.records.update_timeline_entry(entry_id, data, expected_revision=now.revision)
    assert saved.category == TimelineCategory.STRESSOR.value and saved.revision == seen + 2


def test_a_plan_draft_saved_from_an_older_copy_is_refused(
    coordinator: Btam, other_saves_first: Turns
) -> None:
    case = coordinator.cases.report_concern(intake())
    assert case.id is not None
    case_id = case.id
    # Nobody has written a plan yet; two people start one.
    nothing = PlanCopy.of(coordinator.plans.latest(case_id))
    coordinator.plans.save(case_id, PlanInput(goals="Reconnect"), expected=nothing)
    seen = PlanCopy.of(coordinator.plans.latest(case_id))

    def theirs(app: Btam) -> None:
        app.plans.save(case_id, PlanInput(goals="Reconnect", supervision=SECRET), expected=seen)

    mine = other_saves_first(theirs)
    with pytest.raises(EditConflictError) as refused:
        mine.plans.save(case_id, PlanInput(goals="Mine"), expected=seen)
    _refused(refused, "this plan", "plan v1")
    latest = mine.plans.latest(case_id)
    assert latest is not None and latest.goals == "Reconnect" and latest.supervision == SECRET
    with pytest.raises(EditConflictError):  # a copy from before the plan existed is older too
        mine.plans.save(case_id, PlanInput(goals="Mine"), expected=nothing)
    saved = mine.plans.save(case_id, PlanInput(goals="Mine"), expected=PlanCopy.of(latest))
    assert saved.goals == "Mine" and saved.revision == latest.revision + 1


def test_progress_on_a_plan_item_from_an_older_copy_is_refused(
    coordinator: Btam, other_saves_first: Turns
) -> None:
    case = coordinator.cases.report_concern(intake())
    assert case.id is not None
    case_id = case.id
    plan = coordinator.plans.save(
        case_id, PlanInput(goals="Reconnect", interventions=[InterventionInput("Weekly check-in")])
    )
    assert plan.id is not None
    coordinator.plans.approve(plan.id)
    (item,) = coordinator.plans.interventions(plan.id)
    seen, key = item.revision, item.key

    def theirs(app: Btam) -> None:
        app.plans.record_progress(
            case_id, key, InterventionStatus.IN_PROGRESS, expected_revision=seen
        )

    mine = other_saves_first(theirs)
    with pytest.raises(EditConflictError) as refused:
        mine.plans.record_progress(case_id, key, InterventionStatus.DONE, expected_revision=seen)
    _refused(refused, "this plan item", "in_progress")
    (now,) = mine.plans.interventions(plan.id)
    assert now.status == InterventionStatus.IN_PROGRESS.value and now.revision == seen + 1
    done = mine.plans.record_progress(
        case_id, key, InterventionStatus.DONE, expected_revision=now.revision
    )
    assert done.status == InterventionStatus.DONE.value and done.revision == seen + 2


def test_an_assessment_draft_saved_from_an_older_copy_is_refused(
    coordinator: Btam, other_saves_first: Turns
) -> None:
    case = coordinator.cases.report_concern(intake())
    assert case.id is not None
    draft = coordinator.assessments.start(case.id, "btam.screening")
    assert draft.id is not None
    seen, draft_id = draft.revision, draft.id

    def theirs(app: Btam) -> None:
        saved = app.assessments.save_draft(draft_id, Answers(), ["Mel"], expected_revision=seen)
        assert saved.revision == seen + 1

    mine = other_saves_first(theirs)
    with pytest.raises(EditConflictError) as refused:
        mine.assessments.save_draft(draft_id, Answers(), ["Cory"], expected_revision=seen)
    _refused(refused, "this assessment", "answers")
    assert mine.assessments.get(draft_id).participants == ["Mel"]
    with pytest.raises(EditConflictError):  # completing an older copy is refused the same way
        mine.assessments.complete(
            draft_id,
            Answers(),
            decided_level=None,
            rationale="",
            participants=["Cory"],
            expected_revision=seen,
        )
    current = mine.assessments.get(draft_id).revision
    saved = mine.assessments.save_draft(draft_id, Answers(), ["Cory"], expected_revision=current)
    assert saved.participants == ["Cory"] and saved.revision == seen + 2


def test_team_members_of_a_case_changed_meanwhile_are_refused(
    coordinator: Btam, other_saves_first: Turns
) -> None:
    case = coordinator.cases.report_concern(intake())
    assert case.id is not None
    case_id = case.id
    seen = sorted(a.id or 0 for a in coordinator.cases.members(case_id))
    ids = {a.username: a.id or 0 for a in coordinator.team.members()}

    def theirs(app: Btam) -> None:
        app.cases.set_members(case_id, [*seen, ids["member"]], expected_members=seen)

    mine = other_saves_first(theirs)
    with pytest.raises(EditConflictError) as refused:
        mine.cases.set_members(case_id, [*seen, ids["coord"]], expected_members=seen)
    _refused(refused, "the case's team members", "member")
    now = sorted(a.id or 0 for a in mine.cases.members(case_id))
    assert ids["member"] in now and ids["coord"] not in now
    assert refused.value.current == now
    mine.cases.set_members(case_id, [*now, ids["coord"]], expected_members=now)
    assert {a.username for a in mine.cases.members(case_id)} >= {"member", "coord"}
