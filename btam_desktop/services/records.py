"""What a case holds: people, timeline, notes, attachments and disclosures."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlmodel import SQLModel, col

from btam_desktop.domain.enums import (
    DisclosureBasis,
    DisclosureRecipient,
    InformationSource,
    NoteCategory,
    PathwayStage,
    PersonRole,
    Reliability,
    TimelineCategory,
)
from btam_desktop.domain.models import (
    Attachment,
    Case,
    CaseNote,
    ConcernReport,
    Disclosure,
    Person,
    TimelineEntry,
)
from btam_desktop.domain.types import utcnow
from btam_desktop.services.cases import PersonInput
from btam_desktop.services.conflicts import audited_change, changed_fields
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.evidence import (
    MAX_ATTACHMENT_BYTES,
    EvidenceFile,
    detect_media_type,
)
from btam_desktop.services.permissions import Permission
from btam_desktop.store.errors import NotFoundError, ValidationError
from btam_desktop.store.search import IndexedSession

T = TypeVar("T", bound=SQLModel)


@dataclass
class TimelineInput:
    occurred_at: datetime
    category: TimelineCategory
    description: str
    source: InformationSource = InformationSource.OTHER
    obtained_how: str = ""
    reliability: Reliability = Reliability.UNKNOWN
    pathway_stage: PathwayStage | None = None

    def validate(self) -> None:
        if not self.description.strip():
            raise ValidationError(
                "Describe the behavior or event: what was said or done, in objective words.",
                field="description",
            )
        if self.occurred_at.tzinfo is None:
            raise ValidationError("The date of the event needs a time zone.")


@dataclass
class DisclosureInput:
    disclosed_at: datetime
    recipient_kind: DisclosureRecipient
    recipient_name: str
    information_disclosed: str
    purpose: str
    legal_basis: DisclosureBasis
    articulable_threat: str = ""

    def validate(self) -> None:
        if not self.recipient_name.strip():
            raise ValidationError(
                "Name the person or office that was told.", field="recipient_name"
            )
        if not self.information_disclosed.strip():
            raise ValidationError(
                "Say what information was disclosed.", field="information_disclosed"
            )
        if not self.purpose.strip():
            raise ValidationError("Say why it was disclosed.", field="purpose")
        if (
            self.legal_basis == DisclosureBasis.HEALTH_SAFETY_EMERGENCY
            and not self.articulable_threat.strip()
        ):
            raise ValidationError(
                "A health-or-safety emergency disclosure must record the articulable and "
                "significant threat it responded to (FERPA, 34 CFR 99.32(a)(5)).",
                field="articulable_threat",
            )


# Field -> the words an audit summary and a conflict message use for it (never its value).
_PERSON_FIELDS = {
    "role": "role",
    "full_name": "name",
    "anonymous": "anonymity",
    "affiliation": "affiliation",
    "grade_or_position": "grade or position",
    "contact": "contact",
    "notes": "notes",
}
_TIMELINE_FIELDS = {
    "occurred_at": "date",
    "category": "category",
    "description": "description",
    "pathway_stage": "pathway stage",
    "source": "source",
    "obtained_how": "how it was learned",
    "reliability": "reliability",
}


def _values(record: object, fields: dict[str, str]) -> dict[str, object]:
    return {name: getattr(record, name) for name in fields}


class RecordService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # ---- helpers -----------------------------------------------------------------------------
    def _owned(self, session: IndexedSession, model: type[T], entity_id: int, what: str) -> T:
        obj = session.get(model, entity_id)
        if obj is None:
            raise NotFoundError(what)
        return obj

    def _case(self, session: IndexedSession, case_id: int) -> Case:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFoundError("That case")
        return case

    def _list(self, model: type[T], case_id: int, order: object) -> list[T]:
        with self.ctx.read() as session:
            rows = session.execute(
                select(model).where(col(model.case_id) == case_id).order_by(order)  # type: ignore[attr-defined, arg-type]
            ).all()
        return [r[0] for r in rows]

    def _touch(self, session: IndexedSession, case_id: int) -> None:
        case = self._case(session, case_id)
        case.updated_at = utcnow()
        session.add(case)

    # ---- people ------------------------------------------------------------------------------
    def people(self, case_id: int) -> list[Person]:
        return self._list(Person, case_id, col(Person.id))

    def add_person(self, case_id: int, data: PersonInput) -> Person:
        data.validate()
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            self._touch(session, case_id)
            person = Person(
                case_id=case_id,
                role=data.role.value,
                full_name=data.full_name.strip(),
                anonymous=data.anonymous,
                affiliation=data.affiliation.strip(),
                grade_or_position=data.grade_or_position.strip(),
                contact=data.contact.strip(),
                notes=data.notes.strip(),
            )
            session.add(person)
            session.flush()
            self.ctx.audit(
                session,
                "person.add",
                "person",
                person.id,
                f"{data.role.value} added",
                case_id=case_id,
            )
            return person

    def update_person(
        self, person_id: int, data: PersonInput, *, expected_revision: int | None = None
    ) -> Person:
        """``expected_revision`` is the ``revision`` of the copy the person edited: if someone
        else saved this person since, nothing is saved and ``EditConflictError`` says who
        changed what, and when."""
        data.validate()
        with self.ctx.read() as session:
            case_id = self._owned(session, Person, person_id, "That person").case_id
        with self.ctx.write(Permission.WORK_CASES, "person", person_id) as session:
            person = self._owned(session, Person, person_id, "That person")
            if expected_revision is not None and person.revision != expected_revision:
                raise audited_change(
                    session,
                    "this person's details",
                    "person",
                    person_id,
                    person.created_at,
                    person.revision,
                )
            before = _values(person, _PERSON_FIELDS)
            person.role = data.role.value
            person.full_name = data.full_name.strip()
            person.anonymous = data.anonymous
            person.affiliation = data.affiliation.strip()
            person.grade_or_position = data.grade_or_position.strip()
            person.contact = data.contact.strip()
            person.notes = data.notes.strip()
            person.revision += 1
            session.add(person)
            self._touch(session, case_id)
            self.ctx.audit(
                session,
                "person.update",
                "person",
                person_id,
                changed_fields(before, _values(person, _PERSON_FIELDS), _PERSON_FIELDS),
                case_id=case_id,
            )
            return person

    def remove_person(self, person_id: int) -> None:
        with self.ctx.write(Permission.WORK_CASES, "person", person_id) as session:
            person = self._owned(session, Person, person_id, "That person")
            in_report = session.execute(
                select(col(ConcernReport.id)).where(col(ConcernReport.reporter_id) == person_id)
            ).first()
            if in_report is not None:
                raise ValidationError(
                    "This person is the reporter of a report of concern and cannot be removed. "
                    "Correct their details instead."
                )
            self._touch(session, person.case_id)
            session.delete(person)
            self.ctx.audit(
                session,
                "person.remove",
                "person",
                person_id,
                "removed from case",
                case_id=person.case_id,
            )

    # ---- reports -----------------------------------------------------------------------------
    def reports(self, case_id: int) -> list[ConcernReport]:
        return self._list(ConcernReport, case_id, col(ConcernReport.received_at))

    # ---- timeline ----------------------------------------------------------------------------
    def timeline(self, case_id: int) -> list[TimelineEntry]:
        return self._list(TimelineEntry, case_id, col(TimelineEntry.occurred_at))

    def add_timeline_entry(self, case_id: int, data: TimelineInput) -> TimelineEntry:
        data.validate()
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            self._touch(session, case_id)
            entry = TimelineEntry(
                case_id=case_id,
                occurred_at=data.occurred_at,
                category=data.category.value,
                description=data.description.strip(),
                pathway_stage=data.pathway_stage.value if data.pathway_stage else None,
                source=data.source.value,
                obtained_how=data.obtained_how.strip(),
                reliability=data.reliability.value,
                entered_by_id=self.ctx.actor.account_id,
            )
            session.add(entry)
            session.flush()
            self.ctx.audit(
                session,
                "timeline.add",
                "timeline",
                entry.id,
                data.category.value,
                case_id=case_id,
            )
            return entry

    def update_timeline_entry(
        self, entry_id: int, data: TimelineInput, *, expected_revision: int | None = None
    ) -> TimelineEntry:
        """``expected_revision`` as for ``update_person``."""
        data.validate()
        with self.ctx.write(Permission.WORK_CASES, "timeline", entry_id) as session:
            entry = self._owned(session, TimelineEntry, entry_id, "That timeline entry")
            if expected_revision is not None and entry.revision != expected_revision:
                raise audited_change(
                    session,
                    "this timeline entry",
                    "timeline",
                    entry_id,
                    entry.created_at,
                    entry.revision,
                )
            before = _values(entry, _TIMELINE_FIELDS)
            entry.occurred_at = data.occurred_at
            entry.category = data.category.value
            entry.description = data.description.strip()
            entry.pathway_stage = data.pathway_stage.value if data.pathway_stage else None
            entry.source = data.source.value
            entry.obtained_how = data.obtained_how.strip()
            entry.reliability = data.reliability.value
            entry.revision += 1
            session.add(entry)
            self._touch(session, entry.case_id)
            self.ctx.audit(
                session,
                "timeline.update",
                "timeline",
                entry_id,
                changed_fields(before, _values(entry, _TIMELINE_FIELDS), _TIMELINE_FIELDS),
                case_id=entry.case_id,
            )
            return entry

    # ---- notes -------------------------------------------------------------------------------
    def notes(self, case_id: int) -> list[CaseNote]:
        return self._list(CaseNote, case_id, col(CaseNote.created_at))

    def add_note(self, case_id: int, category: NoteCategory, body: str) -> CaseNote:
        if not body.strip():
            raise ValidationError("The note is empty. Write what happened or was decided.")
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            self._touch(session, case_id)
            note = CaseNote(
                case_id=case_id,
                category=category.value,
                body=body.strip(),
                author_id=self.ctx.actor.account_id,
            )
            session.add(note)
            session.flush()
            self.ctx.audit(session, "note.add", "note", note.id, category.value, case_id=case_id)
            return note

    # ---- attachments -------------------------------------------------------------------------
    def attachments(self, case_id: int) -> list[Attachment]:
        """Attachment records without their bytes (load those with ``attachment_data``)."""
        with self.ctx.read() as session:
            rows = session.execute(
                select(
                    col(Attachment.id),
                    col(Attachment.case_id),
                    col(Attachment.file_name),
                    col(Attachment.media_type),
                    col(Attachment.size),
                    col(Attachment.sha256),
                    col(Attachment.description),
                    col(Attachment.added_by_id),
                    col(Attachment.added_at),
                )
                .where(col(Attachment.case_id) == case_id)
                .order_by(col(Attachment.added_at))
            ).all()
        return [
            Attachment(
                id=r[0],
                case_id=r[1],
                file_name=r[2],
                media_type=r[3],
                size=r[4],
                sha256=r[5],
                description=r[6],
                added_by_id=r[7],
                added_at=r[8],
                data=b"",
            )
            for r in rows
        ]

    def add_attachment(
        self, case_id: int, file_name: str, data: bytes, description: str = ""
    ) -> Attachment:
        evidence = EvidenceFile(file_name, data, description)
        name = evidence.name
        media_type = evidence.checked_media_type()
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            self._touch(session, case_id)
            attachment = Attachment(
                case_id=case_id,
                file_name=name,
                media_type=media_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                description=description.strip(),
                data=data,
                added_by_id=self.ctx.actor.account_id,
            )
            session.add(attachment)
            session.flush()
            self.ctx.audit(
                session,
                "attachment.add",
                "attachment",
                attachment.id,
                media_type,
                case_id=case_id,
            )
            return attachment

    def attachment_data(
        self, attachment_id: int, *, exporting: bool = False, previewing: bool = False
    ) -> bytes:
        """The bytes of an attachment. Saving a copy outside the vault and showing it in the
        preview are audit events."""
        if exporting:
            self.ctx.require(Permission.EXPORT, "attachment", attachment_id)
            with self.ctx.vault.write() as session:
                attachment = self._owned(session, Attachment, attachment_id, "That attachment")
                self.ctx.audit(
                    session,
                    "attachment.export",
                    "attachment",
                    attachment_id,
                    "copy saved outside the vault",
                    case_id=attachment.case_id,
                )
                return attachment.data
        if previewing:
            with self.ctx.vault.write() as session:
                attachment = self._owned(session, Attachment, attachment_id, "That attachment")
                self.ctx.audit(
                    session,
                    "attachment.view",
                    "attachment",
                    attachment_id,
                    f"{attachment.media_type} previewed",
                    case_id=attachment.case_id,
                )
                return attachment.data
        with self.ctx.read() as session:
            return self._owned(session, Attachment, attachment_id, "That attachment").data

    def remove_attachment(self, attachment_id: int) -> None:
        with self.ctx.write(Permission.WORK_CASES, "attachment", attachment_id) as session:
            attachment = self._owned(session, Attachment, attachment_id, "That attachment")
            self._touch(session, attachment.case_id)
            session.delete(attachment)
            self.ctx.audit(
                session,
                "attachment.remove",
                "attachment",
                attachment_id,
                "removed",
                case_id=attachment.case_id,
            )

    # ---- disclosures -------------------------------------------------------------------------
    def disclosures(self, case_id: int) -> list[Disclosure]:
        return self._list(Disclosure, case_id, col(Disclosure.disclosed_at))

    def add_disclosure(self, case_id: int, data: DisclosureInput) -> Disclosure:
        data.validate()
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            self._touch(session, case_id)
            disclosure = Disclosure(
                case_id=case_id,
                disclosed_at=data.disclosed_at,
                recipient_kind=data.recipient_kind.value,
                recipient_name=data.recipient_name.strip(),
                information_disclosed=data.information_disclosed.strip(),
                purpose=data.purpose.strip(),
                legal_basis=data.legal_basis.value,
                articulable_threat=data.articulable_threat.strip(),
                disclosed_by_id=self.ctx.actor.account_id,
            )
            session.add(disclosure)
            session.flush()
            self.ctx.audit(
                session,
                "disclosure.add",
                "disclosure",
                disclosure.id,
                f"to {data.recipient_kind.value} ({data.legal_basis.value})",
                case_id=case_id,
            )
            return disclosure


__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "DisclosureInput",
    "PersonInput",
    "PersonRole",
    "RecordService",
    "TimelineInput",
    "detect_media_type",
]
