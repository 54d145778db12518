"""Attachments, disclosures, notes and timeline entries."""

from __future__ import annotations

import pytest

from btam_desktop.domain.enums import (
    DisclosureBasis,
    DisclosureRecipient,
    InformationSource,
    PathwayStage,
    Reliability,
    TimelineCategory,
)
from btam_desktop.domain.types import utcnow
from btam_desktop.services.app import Btam
from btam_desktop.services.records import (
    MAX_ATTACHMENT_BYTES,
    DisclosureInput,
    TimelineInput,
    detect_media_type,
)
from btam_desktop.store.errors import ValidationError
from tests.services.conftest import intake

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


def test_attachment_round_trip_and_export_is_audited(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    stored = coordinator.records.add_attachment(case.id, "C:\\Users\\x\\shot.png", PNG, "message")
    listed = coordinator.records.attachments(case.id)
    assert [a.file_name for a in listed] == ["shot.png"]
    assert listed[0].media_type == "image/png" and listed[0].data == b""
    assert coordinator.records.attachment_data(stored.id) == PNG
    coordinator.records.attachment_data(stored.id, exporting=True)
    assert coordinator.audit_events(limit=1)[0].action == "attachment.export"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("a.png", PNG, "image/png"),
        ("a.jpg", b"\xff\xd8\xff\xe0" + b"0" * 10, "image/jpeg"),
        ("a.pdf", b"%PDF-1.7 ...", "application/pdf"),
        ("notes.txt", b"plain words", "text/plain"),
        (
            "a.docx",
            b"PK\x03\x04rest",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("evil.png", b"MZ\x90\x00 executable", None),
        ("archive.zip", b"PK\x03\x04rest", None),
        ("bad.txt", b"\xff\xfe\x00binary", None),
    ],
)
def test_attachment_type_is_checked_by_content(
    name: str, data: bytes, expected: str | None
) -> None:
    assert detect_media_type(name, data) == expected


def test_attachment_refusals_say_what_to_do(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    with pytest.raises(ValidationError, match="not a type BTAM keeps"):
        coordinator.records.add_attachment(case.id, "tool.exe", b"MZ\x90\x00")
    with pytest.raises(ValidationError, match="limit is 25 MB"):
        coordinator.records.add_attachment(case.id, "big.png", PNG + b"0" * MAX_ATTACHMENT_BYTES)
    with pytest.raises(ValidationError, match="empty"):
        coordinator.records.add_attachment(case.id, "e.png", b"")
    assert coordinator.records.attachments(case.id) == []


def test_health_safety_disclosure_needs_the_articulable_threat(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    data = DisclosureInput(
        utcnow(),
        DisclosureRecipient.LAW_ENFORCEMENT,
        "Officer on duty",
        "Statement and photo of the note",
        "Immediate protective action",
        DisclosureBasis.HEALTH_SAFETY_EMERGENCY,
    )
    with pytest.raises(ValidationError, match="articulable and significant threat"):
        coordinator.records.add_disclosure(case.id, data)
    data.articulable_threat = "Stated intent to bring a gun on Friday; has access at home."
    saved = coordinator.records.add_disclosure(case.id, data)
    assert coordinator.records.disclosures(case.id)[0].id == saved.id


def test_timeline_is_chronological_with_source_and_reliability(coordinator: Btam) -> None:
    from datetime import timedelta

    case = coordinator.cases.report_concern(intake())
    later = TimelineInput(
        utcnow(),
        TimelineCategory.COMMUNICATION,
        "Posted a countdown",
        InformationSource.SOCIAL_MEDIA,
        "screenshot from peer",
        Reliability.CONFIRMED,
        PathwayStage.PREPARATION,
    )
    earlier = TimelineInput(
        utcnow() - timedelta(days=3), TimelineCategory.STRESSOR, "Suspended from team"
    )
    coordinator.records.add_timeline_entry(case.id, later)
    coordinator.records.add_timeline_entry(case.id, earlier)
    entries = coordinator.records.timeline(case.id)
    assert [e.description for e in entries] == ["Suspended from team", "Posted a countdown"]
    assert entries[1].pathway_stage == "preparation" and entries[1].reliability == "confirmed"
    with pytest.raises(ValidationError, match="Describe the behavior"):
        coordinator.records.add_timeline_entry(
            case.id, TimelineInput(utcnow(), TimelineCategory.OTHER, " ")
        )


def test_case_audit_includes_everything_about_the_case(coordinator: Btam) -> None:
    from btam_desktop.domain.enums import NoteCategory

    case = coordinator.cases.report_concern(intake())
    other = coordinator.cases.report_concern(intake())
    coordinator.records.add_note(case.id, NoteCategory.INTERVIEW, "Spoke with the teacher")
    stored = coordinator.records.add_attachment(case.id, "shot.png", PNG)
    coordinator.records.attachment_data(stored.id, exporting=True)
    coordinator.records.add_note(other.id, NoteCategory.OTHER, "unrelated")
    actions = {e.action for e in coordinator.audit_events(case_id=case.id)}
    assert {"case.create", "note.add", "attachment.add", "attachment.export"} <= actions
    assert all(e.case_id == case.id for e in coordinator.audit_events(case_id=case.id))
    assert coordinator.verify_audit().ok
