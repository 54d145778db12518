"""Odd input gets a clear message, whichever way it comes in: a file name that is not valid
UTF-8, and NUL characters in any text field. Nothing is stored."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from btam_desktop.domain.enums import NoteCategory, PersonRole, TimelineCategory
from btam_desktop.domain.types import utcnow
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import PersonInput
from btam_desktop.services.records import TimelineInput
from btam_desktop.store.errors import ValidationError
from tests.services.conftest import intake

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.skipif(os.name == "nt", reason="Windows file names are always Unicode")
def test_an_attachment_whose_name_is_not_utf8(coordinator: Btam, tmp_path: Path) -> None:
    case = coordinator.cases.report_concern(intake())
    assert case.id is not None
    raw = os.path.join(os.fsencode(tmp_path), b"r\xe9sum\xe9 \xff.pdf")  # Latin-1 bytes
    with open(raw, "wb") as handle:
        handle.write(PDF)
    path = Path(os.fsdecode(raw))  # how Python sees such a name: with lone surrogates
    with pytest.raises(ValidationError) as caught:
        coordinator.records.add_attachment(case.id, path.name, path.read_bytes())
    message = str(caught.value)
    assert "not valid text" in message and "Rename the file" in message
    message.encode("utf-8")  # the message itself is printable
    assert coordinator.records.attachments(case.id) == []
    # Renamed, it attaches.
    coordinator.records.add_attachment(case.id, "resume.pdf", path.read_bytes())


NUL = "before\x00after"


def _entry_paths(app: Btam, case_id: int) -> dict[str, Callable[[], object]]:
    return {
        "intake": lambda: app.cases.report_concern(intake(narrative=NUL)),
        "person": lambda: app.records.add_person(
            case_id, PersonInput(PersonRole.WITNESS, full_name=NUL)
        ),
        "note": lambda: app.records.add_note(case_id, NoteCategory.OTHER, NUL),
        "timeline": lambda: app.records.add_timeline_entry(
            case_id,
            TimelineInput(
                occurred_at=utcnow() - timedelta(days=1),
                category=TimelineCategory.OTHER,
                description=NUL,
            ),
        ),
        "case title": lambda: app.cases.update(case_id, title=NUL),
    }


@pytest.mark.parametrize("path", ["intake", "person", "note", "timeline", "case title"])
def test_nul_characters_are_refused_everywhere(coordinator: Btam, path: str) -> None:
    case = coordinator.cases.report_concern(intake(title="Kept as it was"))
    assert case.id is not None
    before = coordinator.audit_events(limit=1)[0].id
    with pytest.raises(ValidationError) as caught:
        _entry_paths(coordinator, case.id)[path]()
    message = str(caught.value)
    assert "null" in message and "\x00" not in message and "before" not in message
    assert coordinator.audit_events(limit=1)[0].id == before  # nothing written, not even audit
    assert coordinator.cases.get(case.id).title == "Kept as it was"
    assert coordinator.records.notes(case.id) == []
    assert [p.full_name for p in coordinator.records.people(case.id)] == ["Jamie Subject"]
