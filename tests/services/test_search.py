"""Full-text search over cases, people, reports, timeline and notes, kept in step on write."""

from __future__ import annotations

from btam_desktop.domain.enums import NoteCategory, PersonRole, TimelineCategory
from btam_desktop.domain.types import utcnow
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery, PersonInput
from btam_desktop.services.records import TimelineInput
from tests.services.conftest import intake


def found(app: Btam, text: str) -> list[int]:
    return sorted(r.id for r in app.cases.find(CaseQuery(text=text)))


def test_search_finds_each_kind_of_content(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake(narrative="Drawing of the gymnasium"))
    other = coordinator.cases.report_concern(intake(narrative="Argument on the bus"))
    coordinator.records.add_note(case.id, NoteCategory.INTERVIEW, "Mentioned a crossbow")
    coordinator.records.add_timeline_entry(
        other.id,
        TimelineInput(utcnow(), TimelineCategory.INCIDENT, "Shoved a classmate near lockers"),
    )
    coordinator.records.add_person(other.id, PersonInput(PersonRole.WITNESS, "Wendy Witnessing"))
    assert found(coordinator, "gymnasium") == [case.id]
    assert found(coordinator, "crossbow") == [case.id]
    assert found(coordinator, "lockers") == [other.id]
    assert found(coordinator, "wendy") == [other.id]
    assert found(coordinator, "Jamie") == sorted([case.id, other.id])
    assert found(coordinator, "gymna") == [case.id]  # prefix as the person types
    assert found(coordinator, "nothing-like-this") == []
    assert coordinator.cases.count(CaseQuery(text='"; DROP TABLE case_file; --')) == 0


def test_updating_text_reindexes_in_the_same_transaction(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    person = coordinator.records.add_person(case.id, PersonInput(PersonRole.WITNESS, "Oldname"))
    coordinator.records.update_person(person.id, PersonInput(PersonRole.WITNESS, "Newname"))
    assert found(coordinator, "Oldname") == []
    assert found(coordinator, "Newname") == [case.id]
    coordinator.records.remove_person(person.id)
    assert found(coordinator, "Newname") == []
