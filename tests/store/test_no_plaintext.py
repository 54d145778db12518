"""Nothing readable leaves the vault: canaries in every text field never appear in any file.

Each text column of every table gets a unique random string; then every file in the vault folder,
every file that appeared or changed in the temp directory, and every file this process holds open
there (SQLite unlinks its temp files, so only /proc shows them) are searched for each canary as
UTF-8 and UTF-16-LE: with the vault open after a commit (WAL present) and again after locking.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from btam_desktop.domain.models import (
    ALL_TABLES,
    Account,
    Assessment,
    Attachment,
    AuditEvent,
    Case,
    CaseMember,
    CaseNote,
    CaseOrigin,
    ConcernReport,
    Disclosure,
    Draft,
    FormSnapshot,
    LevelDecision,
    ManagementPlan,
    MonitoringEntry,
    Person,
    PlanIntervention,
    TeamContact,
    TimelineEntry,
    TrainingRecord,
    VaultInfo,
    WorkflowTransition,
)
from btam_desktop.store import audit, search
from btam_desktop.store.keyfile_names import DB_NAME
from tests.store._support import (
    exception_text,
    file_states,
    needles,
    open_fd_files_in,
    regular_files,
    scan_file,
)

# Columns that hold no free text: hashes the program computes.
NOT_FREE_TEXT = {
    ("audit_event", "prev_hash"),
    ("audit_event", "hash"),
    ("audit_event", "state_hash"),
    ("audit_event", "signer_key"),
    ("audit_event", "signature"),
}
BULK_NOTES = 1500


class Canaries:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def __call__(self, label: str) -> str:
        value = "cnry" + secrets.token_hex(8)
        assert label not in self.values
        self.values[label] = value
        return value


def populate_every_table(session: Session, c: Callable[[str], str]) -> dict[str, int]:
    """One row in each table, every text field a canary. Returns ids for checks."""
    session.add(VaultInfo(key=c("vault_info.key"), value=c("vault_info.value")))
    account = Account(
        username=c("account.username"),
        display_name=c("account.display_name"),
        role=c("account.role"),
        email=c("account.email"),
        phone=c("account.phone"),
        team_role=c("account.team_role"),
    )
    session.add(account)
    session.flush()
    session.add(
        TrainingRecord(
            account_id=account.id,
            course=c("training_record.course"),
            provider=c("training_record.provider"),
            completed_on=date(2025, 9, 1),
        )
    )
    case = Case(
        number=c("case_file.number"),
        year=2026,
        sequence=1,
        title="Concern about " + c("case_file.title"),
        setting=c("case_file.setting"),
        site=c("case_file.site"),
        status=c("case_file.status"),
        priority=c("case_file.priority"),
        level_scale=c("case_file.level_scale"),
        level=c("case_file.level"),
        closure_reason=c("case_file.closure_reason"),
        legal_hold_reason=c("case_file.legal_hold_reason"),
        threat_type=c("case_file.threat_type"),
        owner_id=account.id,
        created_by_id=account.id,
    )
    session.add(case)
    session.flush()
    assert case.id is not None
    session.add(CaseMember(case_id=case.id, account_id=account.id))
    person = Person(
        case_id=case.id,
        role=c("person.role"),
        full_name="Zoë " + c("person.full_name"),
        affiliation=c("person.affiliation"),
        grade_or_position=c("person.grade_or_position"),
        contact=c("person.contact"),
        notes=c("person.notes"),
    )
    session.add(person)
    session.flush()
    session.add(
        ConcernReport(
            case_id=case.id,
            received_at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
            channel=c("concern_report.channel"),
            reporter_id=person.id,
            narrative="He said " + c("concern_report.narrative") + " in the hallway",
            threat_quote=c("concern_report.threat_quote"),
            expressed_as=[c("concern_report.expressed_as")],
            directness=c("concern_report.directness"),
            known_to_target=c("concern_report.known_to_target"),
            danger_answer=c("concern_report.danger_answer"),
            emergency_called=c("concern_report.emergency_called"),
            emergency_called_by=c("concern_report.emergency_called_by"),
            entered_by_id=account.id,
        )
    )
    session.add(
        TimelineEntry(
            case_id=case.id,
            occurred_at=datetime(2026, 1, 4, 15, 0, tzinfo=UTC),
            category=c("timeline_entry.category"),
            description=c("timeline_entry.description"),
            pathway_stage=c("timeline_entry.pathway_stage"),
            source=c("timeline_entry.source"),
            obtained_how=c("timeline_entry.obtained_how"),
            reliability=c("timeline_entry.reliability"),
            entered_by_id=account.id,
        )
    )
    session.add(
        CaseNote(
            case_id=case.id,
            category=c("case_note.category"),
            body=c("case_note.body"),
            author_id=account.id,
        )
    )
    blob_marker = c("attachment.data")
    data = (
        secrets.token_bytes(3000)
        + blob_marker.encode("utf-8")
        + secrets.token_bytes(9000)  # spills into overflow pages
        + blob_marker.encode("utf-16-le")
        + b"%PDF-1.4 fake scan"
    )
    session.add(
        Attachment(
            case_id=case.id,
            file_name=c("attachment.file_name") + ".pdf",
            media_type=c("attachment.media_type"),
            size=len(data),
            sha256=c("attachment.sha256"),
            description=c("attachment.description"),
            data=data,
            added_by_id=account.id,
        )
    )
    session.add(
        LevelDecision(
            case_id=case.id,
            scale=c("level_decision.scale"),
            level=c("level_decision.level"),
            rationale=c("level_decision.rationale"),
            source=c("level_decision.source"),
            decided_by_id=account.id,
        )
    )
    session.add(
        Disclosure(
            case_id=case.id,
            disclosed_at=datetime(2026, 1, 6, 10, 0, tzinfo=UTC),
            recipient_kind=c("disclosure.recipient_kind"),
            recipient_name=c("disclosure.recipient_name"),
            information_disclosed=c("disclosure.information_disclosed"),
            purpose=c("disclosure.purpose"),
            legal_basis=c("disclosure.legal_basis"),
            articulable_threat=c("disclosure.articulable_threat"),
            disclosed_by_id=account.id,
        )
    )
    session.add(
        WorkflowTransition(
            case_id=case.id,
            action=c("workflow_transition.action"),
            from_status=c("workflow_transition.from_status"),
            to_status=c("workflow_transition.to_status"),
            reason=c("workflow_transition.reason"),
            details={"why": c("workflow_transition.details")},
            by_id=account.id,
        )
    )
    session.add(
        Draft(
            owner_id=account.id,
            kind=c("draft.kind"),
            subject=c("draft.subject"),
            payload={"narrative": c("draft.payload")},
        )
    )
    snapshot = FormSnapshot(
        content_hash=c("form_snapshot.content_hash"),
        form_id=c("form_snapshot.form_id"),
        version=c("form_snapshot.version"),
        definition={"title": c("form_snapshot.definition")},
    )
    session.add(snapshot)
    session.flush()
    session.add(
        Assessment(
            case_id=case.id,
            form_id=c("assessment.form_id"),
            form_version=c("assessment.form_version"),
            form_hash=snapshot.content_hash,
            form_title=c("assessment.form_title"),
            form_kind=c("assessment.form_kind"),
            status=c("assessment.status"),
            answers={"q1": c("assessment.answers")},
            participants=[c("assessment.participants")],
            suggested_level=c("assessment.suggested_level"),
            suggestion=c("assessment.suggestion"),
            decided_level=c("assessment.decided_level"),
            decision_scale=c("assessment.decision_scale"),
            decision_rationale=c("assessment.decision_rationale"),
            workflow_action=c("assessment.workflow_action"),
            amendment_reason=c("assessment.amendment_reason"),
            created_by_id=account.id,
        )
    )
    plan = ManagementPlan(
        case_id=case.id,
        version=1,
        status=c("management_plan.status"),
        goals=c("management_plan.goals"),
        supervision=c("management_plan.supervision"),
        safety_plan=c("management_plan.safety_plan"),
        change_note=c("management_plan.change_note"),
        created_by_id=account.id,
    )
    session.add(plan)
    session.flush()
    contact = TeamContact(
        name=c("team_contact.name"),
        role=c("team_contact.role"),
        organization=c("team_contact.organization"),
        reach=c("team_contact.reach"),
    )
    session.add(contact)
    session.flush()
    session.add(
        PlanIntervention(
            plan_id=plan.id,
            key=c("plan_intervention.key"),
            catalog_ref=c("plan_intervention.catalog_ref"),
            strategy=c("plan_intervention.strategy"),
            title=c("plan_intervention.title"),
            recurrence=c("plan_intervention.recurrence"),
            status=c("plan_intervention.status"),
            dropped_reason=c("plan_intervention.dropped_reason"),
            notes=c("plan_intervention.notes"),
            responsible_id=account.id,
            responsible_contact_id=contact.id,
        )
    )
    session.add(
        MonitoringEntry(
            case_id=case.id,
            intervention_key=c("monitoring_entry.intervention_key"),
            observed_on=date(2026, 2, 1),
            observation=c("monitoring_entry.observation"),
            by_id=account.id,
        )
    )
    session.add(
        CaseOrigin(
            case_id=case.id,
            kind=c("case_origin.kind"),
            source_number=c("case_origin.source_number"),
            source_team=c("case_origin.source_team"),
            details={"authors": {"case:1:owner": c("case_origin.details")}},
        )
    )
    audit.append(
        session,
        username=c("audit_event.username"),
        action=c("audit_event.action"),
        entity_kind=c("audit_event.entity_kind"),
        entity_id=c("audit_event.entity_id"),
        summary=c("audit_event.summary"),
    )
    return {"case": case.id, "account": account.id or 0}


def free_text_columns() -> list[tuple[str, str]]:
    columns = []
    for table in ALL_TABLES.sorted_tables:
        for column in table.columns:
            kind = column.type
            impl = kind.impl if isinstance(kind, sa.types.TypeDecorator) else kind
            holds_text = isinstance(impl, sa.String | sa.JSON)
            if holds_text and (table.name, column.name) not in NOT_FREE_TEXT:
                columns.append((table.name, column.name))
    return columns


def test_every_text_column_is_covered_by_a_canary(new_vault) -> None:
    """Guard: a new table or text column must get a canary in populate_every_table."""
    canaries = Canaries()
    with new_vault.vault.write() as session:
        populate_every_table(session, canaries)
    values = list(canaries.values.values())
    missing = []
    with new_vault.vault.read() as session:
        for table, column in free_text_columns():
            rows = session.execute(text(f'SELECT "{column}" FROM "{table}"')).all()  # noqa: S608
            if not any(any(v in str(row[0]) for v in values) for row in rows):
                missing.append(f"{table}.{column}")
    assert missing == []
    assert len(free_text_columns()) >= 50


def test_no_plaintext_on_disk_or_in_temp_files(vault_factory, tmp_path: Path) -> None:
    temp_root = Path(tempfile.gettempdir()).resolve()
    before = file_states(temp_root)

    made = vault_factory()
    vault = made.vault
    canaries = Canaries()
    with vault.write() as session:
        ids = populate_every_table(session, canaries)
    bulk = canaries("case_note.bulk")
    with vault.write() as session:  # enough text that a sort would spill if it could
        session.execute(
            insert(CaseNote),
            [
                {
                    "case_id": ids["case"],
                    "category": "bulk",
                    "body": f"{i:05d} {bulk} " + secrets.token_hex(400),
                    "created_at": datetime.now(UTC),
                }
                for i in range(BULK_NOTES)
            ],
        )

    # The data really is there, and so is the search index (written by the flush hook).
    with vault.read() as session:
        case = session.get(Case, ids["case"])
        assert case is not None and canaries.values["case_file.site"] == case.site
        attachment = session.exec(select(Attachment)).one()
        assert canaries.values["attachment.data"].encode() in attachment.data
        assert session.exec(select(AuditEvent)).first() is not None
        conn = session.connection()
        for label in (
            "case_file.title",
            "person.full_name",
            "person.notes",
            "concern_report.narrative",
            "timeline_entry.description",
            "case_note.body",
            "disclosure.information_disclosed",
        ):
            assert search.matching_case_ids(conn, canaries.values[label]) == [ids["case"]], label
        indexed = conn.execute(text("SELECT count(*) FROM search_index")).scalar_one()
        assert indexed >= 6

    wanted = needles(canaries.values)

    def scan_everything(moment: str) -> list[str]:
        hits = []
        for path in regular_files(made.folder):
            hits += [f"{moment}: {path.name}: {label}" for label in scan_file(path, wanted)]
        for path, state in file_states(temp_root).items():
            if before.get(path) != state:  # new or changed since the test began
                hits += [f"{moment}: {path}: {label}" for label in scan_file(path, wanted)]
        for target, content in open_fd_files_in([temp_root, made.folder]):
            hits += [
                f"{moment}: open {target}: {label}" for n, label in wanted.items() if n in content
            ]
        return hits

    # A large sort with a tiny page cache: SQLite would spill to a temp file unless
    # temp_store=MEMORY holds. Look at open (unlinked) files while the sorted cursor is live.
    hits: list[str] = []
    with vault.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA cache_size = -64")
        cursor = conn.exec_driver_sql(
            "SELECT body FROM case_note WHERE category = 'bulk' ORDER BY substr(body, 7) DESC"
        )
        assert bulk in cursor.fetchone()[0]
        hits += scan_everything("during sort")
        cursor.close()
        conn.exec_driver_sql("PRAGMA cache_size = -8000")
    vault.backup_before_migration("canary-check")  # backups must be ciphertext too

    with vault.write() as session:  # a fresh commit so the WAL holds recent pages
        session.add(CaseNote(case_id=ids["case"], category="x", body=canaries("case_note.late")))
    wanted = needles(canaries.values)
    wal = made.folder / (DB_NAME + "-wal")
    assert wal.is_file() and wal.stat().st_size > 0
    hits += scan_everything("open")

    vault.lock()
    hits += scan_everything("locked")
    assert hits == []
    assert (made.folder / "backups").is_dir() and any((made.folder / "backups").iterdir())

    # Positive control: the same scanner finds every canary in a plain SQLite file.
    control = tmp_path / "control.sqlite"
    with sqlite3.connect(control) as plain:
        plain.execute("CREATE TABLE t (a TEXT, b BLOB)")
        for value in canaries.values.values():
            plain.execute("INSERT INTO t VALUES (?, ?)", (value, value.encode("utf-16-le")))
    plain.close()
    assert sorted(scan_file(control, wanted)) == sorted(wanted.values())


def test_attachment_bytes_round_trip_exactly(new_vault) -> None:
    payload = secrets.token_bytes(200_000)
    with new_vault.vault.write() as session:
        case = Case(
            number="2026-0001",
            year=2026,
            sequence=1,
            setting="school",
            status="intake",
            level_scale="x",
        )
        session.add(case)
        session.flush()
        session.add(
            Attachment(
                case_id=case.id,
                file_name="scan.pdf",
                media_type="application/pdf",
                size=len(payload),
                sha256=hashlib.sha256(payload).hexdigest(),
                data=payload,
            )
        )
    with new_vault.vault.read() as session:
        stored = session.exec(select(Attachment)).one()
        assert stored.data == payload
        assert stored.sha256 == hashlib.sha256(stored.data).hexdigest()


def test_database_error_texts_carry_no_case_content(new_vault) -> None:
    """An error that escapes as a bug (here a UNIQUE violation) may reach a log: its text holds
    the SQL, never the values (the engine hides parameters)."""
    canaries = Canaries()
    secret_number = canaries("case_file.number")[:16]
    secret_title = canaries("case_file.title")
    row = {
        "number": secret_number, "year": 2026, "setting": "school", "status": "intake",
        "level_scale": "x", "title": secret_title,
    }  # fmt: skip
    with new_vault.vault.write() as session:
        session.add(Case(sequence=1, **row))
    with pytest.raises(IntegrityError) as caught, new_vault.vault.write() as session:
        session.add(Case(sequence=2, **row))
    text_shown = exception_text(caught.value)
    assert "UNIQUE" in text_shown
    assert secret_number not in text_shown and secret_title not in text_shown
