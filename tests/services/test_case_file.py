"""The case file read model: one call, one read transaction, only the parts asked for."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from btam_desktop.domain.enums import NoteCategory, TimelineCategory
from btam_desktop.domain.types import utcnow
from btam_desktop.services.app import Btam
from btam_desktop.services.case_file import PARTS, WORKSPACE_PARTS
from btam_desktop.services.records import TimelineInput
from btam_desktop.store.errors import NotFoundError
from tests.services.conftest import intake


def _count_sessions(app: Btam, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the read sessions the vault opens from now on (one list item per session)."""
    opened: list[int] = []
    original = app.vault.read

    @contextlib.contextmanager
    def counted() -> Iterator[Any]:
        opened.append(1)
        with original() as session:
            yield session

    monkeypatch.setattr(app.vault, "read", counted)
    return opened


def _case_with_records(app: Btam) -> int:
    case = app.cases.report_concern(intake())
    assert case.id is not None
    app.records.add_note(case.id, NoteCategory.CONSULTATION, "Spoke with the vice principal.")
    app.records.add_timeline_entry(
        case.id,
        TimelineInput(
            occurred_at=utcnow(),
            category=TimelineCategory.CONCERNING_BEHAVIOR,
            description="Posted a photo of a knife.",
        ),
    )
    return case.id


def test_every_part_is_read_in_one_session(
    coordinator: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _case_with_records(coordinator)
    opened = _count_sessions(coordinator, monkeypatch)

    # The same parts read one service call at a time: a session each (the counter works).
    coordinator.records.people(case_id)
    coordinator.records.notes(case_id)
    assert len(opened) == 2

    opened.clear()
    file = coordinator.case_file(case_id)
    assert len(opened) == 1
    assert file.parts == frozenset(PARTS)
    assert [p.full_name for p in file.people] == ["Jamie Subject"]
    assert [n.body for n in file.notes] == ["Spoke with the vice principal."]
    assert [e.description for e in file.timeline] == ["Posted a photo of a knife."]
    assert len(file.reports) == 1
    assert file.audit is not None and file.why_not

    # Opening the case first checks it and records the view; the file itself is still one read.
    opened.clear()
    coordinator.case_file(case_id, audited_open=True)
    assert len(opened) == 2


def test_a_write_during_the_read_is_not_seen_half(
    coordinator: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A colleague's note saved while the file is being read: neither the note nor the case's
    "last changed" time it touches are in this file; both are in the next one."""
    case_id = _case_with_records(coordinator)
    before = coordinator.cases.get(case_id).updated_at
    read_people = coordinator.records.people

    def people_then_a_colleague_writes(case: int) -> list[Any]:
        people = read_people(case)
        coordinator.records.add_note(case, NoteCategory.CONSULTATION, "Written meanwhile.")
        return people

    monkeypatch.setattr(coordinator.records, "people", people_then_a_colleague_writes)
    file = coordinator.case_file(case_id)
    assert [n.body for n in file.notes] == ["Spoke with the vice principal."]
    assert file.case.updated_at == before

    monkeypatch.setattr(coordinator.records, "people", read_people)
    after = coordinator.case_file(case_id)
    assert [n.body for n in after.notes] == ["Spoke with the vice principal.", "Written meanwhile."]
    assert after.case.updated_at > before
    assert len([e for e in after.audit or [] if e.action == "note.add"]) == 2
    assert len([e for e in file.audit or [] if e.action == "note.add"]) == 1


def test_parts_not_asked_for_are_not_read(
    coordinator: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _case_with_records(coordinator)

    def must_not_read(*_args: object, **_kwargs: object) -> Any:
        raise AssertionError("a part that was not asked for was read")

    for service, name in [
        (coordinator.records, "timeline"),
        (coordinator.records, "notes"),
        (coordinator.records, "attachments"),
        (coordinator.records, "disclosures"),
        (coordinator.records, "reports"),
        (coordinator.cases, "members"),
        (coordinator.cases, "level_history"),
        (coordinator.cases, "transitions"),
        (coordinator.cases, "why_not"),
        (coordinator.plans, "in_force"),
        (coordinator.assessments, "for_case"),
        (coordinator.drafts, "load"),
    ]:
        monkeypatch.setattr(service, name, must_not_read)

    file = coordinator.case_file(case_id, {"people"})
    assert [p.full_name for p in file.people] == ["Jamie Subject"]
    assert file.notes == [] and file.timeline == [] and file.reports == []
    assert file.audit is None and file.overview_draft is None and file.why_not == {}
    assert file.plan is None and file.assessments == []

    with pytest.raises(ValueError, match="unknown case file parts: gossip"):
        coordinator.case_file(case_id, {"people", "gossip"})


def test_a_missing_case_is_not_found(coordinator: Btam) -> None:
    with pytest.raises(NotFoundError):
        coordinator.case_file(999_999)
    with pytest.raises(NotFoundError):
        coordinator.case_file(999_999, audited_open=True)


def test_the_view_is_recorded_once_and_shown_in_the_audit_part(coordinator: Btam) -> None:
    case_id = _case_with_records(coordinator)
    unaudited = coordinator.case_file(case_id, WORKSPACE_PARTS)
    assert "case.view" not in {e.action for e in unaudited.audit or []}
    opened = coordinator.case_file(case_id, WORKSPACE_PARTS, audited_open=True)
    assert opened.audit is not None
    assert [e.action for e in opened.audit].count("case.view") == 1
    assert opened.audit[0].action == "case.view"  # newest first: the view just recorded


def test_a_viewer_gets_no_audit_no_draft_and_no_moves(
    coordinator: Btam, as_role: Callable[[str], Btam]
) -> None:
    case_id = _case_with_records(coordinator)
    coordinator.drafts.save("case-overview", {"title": "unsaved"}, str(case_id))
    assert coordinator.case_file(case_id).overview_draft == {"title": "unsaved"}

    viewer = as_role("viewer")
    file = viewer.case_file(case_id, audited_open=True)
    assert file.audit is None  # the audit trail is for coordinators only, as in the workspace
    assert file.overview_draft is None  # a viewer keeps no drafts
    assert file.why_not and all(file.why_not.values())  # every move says why not
    assert [n.body for n in file.notes] == ["Spoke with the vice principal."]

    coordinator_again = as_role("coordinator")
    events = coordinator_again.audit_events(case_id=case_id)
    assert [e.username for e in events if e.action == "case.view"] == ["viewer"]
    assert not [e for e in events if e.action == "permission.denied"]


def test_another_thread_reading_meanwhile_has_its_own_session(
    coordinator: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window keeps reading on its own thread while the workspace reads a case file on a
    worker: only the worker's reads join the case file's transaction."""
    case_id = _case_with_records(coordinator)
    opened = _count_sessions(coordinator, monkeypatch)
    read_people = coordinator.records.people
    seen_elsewhere: list[int] = []

    def people_while_the_window_reads(case: int) -> list[Any]:
        thread = threading.Thread(
            target=lambda: seen_elsewhere.append(len(coordinator.records.notes(case)))
        )
        thread.start()
        thread.join()
        return read_people(case)

    monkeypatch.setattr(coordinator.records, "people", people_while_the_window_reads)
    file = coordinator.case_file(case_id)
    assert seen_elsewhere == [1] and len(file.notes) == 1
    assert len(opened) == 2  # the case file's one, and the other thread's own
