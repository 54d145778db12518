"""The vault's tables.

Enumerated fields hold the string values of the enums in ``enums.py``; services convert.
Times are aware UTC (``UTCDateTime``); calendar dates (due dates, retention) are plain dates.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from btam_desktop.domain.types import UTCDateTime, utcnow


def _now_field() -> datetime:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)  # type: ignore[no-any-return]


class VaultInfo(SQLModel, table=True):
    """Key/value facts about the vault itself: schema major version, team name, settings."""

    __tablename__ = "vault_info"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="")


class Account(SQLModel, table=True):
    """A team member who can unlock the vault. Password material lives in the key-slot file."""

    __tablename__ = "account"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    display_name: str = Field(default="", max_length=120)
    role: str = Field(max_length=16)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=60)
    team_role: str = Field(default="", max_length=120)  # e.g. counselor, SRO, HR lead
    active: bool = Field(default=True)
    created_at: datetime = _now_field()


class TrainingRecord(SQLModel, table=True):
    """Threat assessment training a member completed; teams must show their members are trained."""

    __tablename__ = "training_record"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    course: str = Field(max_length=200)
    provider: str = Field(default="", max_length=200)
    completed_on: date
    expires_on: date | None = None


class Case(SQLModel, table=True):
    __tablename__ = "case_file"
    __table_args__ = (
        UniqueConstraint("year", "sequence", name="uq_case_year_sequence"),
        Index("ix_case_status_opened", "status", "opened_at"),
        # Case list on a large vault (migration 0005; see bench/bench_case_list.py).
        Index("ix_case_level_opened", "level", "opened_at", "status"),
        Index("ix_case_site_opened", "site", "opened_at", "status"),
        Index("ix_case_setting_opened", "setting", "opened_at", "status"),
        Index("ix_case_owner_opened", "owner_id", "opened_at", "status"),
        Index("ix_case_review_status", "next_review_on", "status"),
        Index("ix_case_title_status", "title", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(index=True, unique=True, max_length=16)
    year: int
    sequence: int
    title: str = Field(default="", max_length=200)
    setting: str = Field(max_length=16, index=True)
    site: str = Field(default="", max_length=120, index=True)
    status: str = Field(max_length=20, index=True)
    priority: str = Field(default="normal", max_length=10, index=True)
    # low 0, normal 1, high 2, urgent 3: the list sorts by rank along this index.
    priority_rank: int = Field(default=1, index=True)
    level_scale: str = Field(max_length=64)
    level: str | None = Field(default=None, max_length=32, index=True)
    level_rank: int | None = Field(default=None, index=True)
    owner_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closure_reason: str = Field(default="")
    next_review_on: date | None = Field(default=None, index=True)
    # "transient" or "substantive" once screening says so; empty until then.
    threat_type: str = Field(default="", max_length=16, index=True)
    legal_hold: bool = Field(default=False)
    # Who set the hold, when and why (migration 0008); shown wherever destruction is refused.
    legal_hold_reason: str = Field(default="", sa_column_kwargs={"server_default": ""})
    legal_hold_by_id: int | None = Field(default=None)
    legal_hold_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    retention_until: date | None = None
    created_by_id: int | None = Field(default=None, foreign_key="account.id")
    updated_at: datetime = _now_field()


class CaseMember(SQLModel, table=True):
    """A team member assigned to work a case."""

    __tablename__ = "case_member"
    case_id: int = Field(foreign_key="case_file.id", primary_key=True)
    account_id: int = Field(foreign_key="account.id", primary_key=True, index=True)


class Person(SQLModel, table=True):
    """Someone involved in a case, in one role. A case may have no subject yet."""

    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    role: str = Field(max_length=20)
    full_name: str = Field(default="", max_length=200)
    anonymous: bool = Field(default=False)
    affiliation: str = Field(default="", max_length=200)
    grade_or_position: str = Field(default="", max_length=120)
    contact: str = Field(default="", max_length=300)
    notes: str = Field(default="")
    created_at: datetime = _now_field()
    # Raised by one on every save: a save from an older copy is refused (issue 16).
    revision: int = Field(default=1)


class ConcernReport(SQLModel, table=True):
    """A report of concern (intake)."""

    __tablename__ = "concern_report"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    received_at: datetime = Field(sa_type=UTCDateTime)
    channel: str = Field(max_length=24)
    reporter_id: int | None = Field(default=None, foreign_key="person.id")
    reporter_anonymous: bool = Field(default=False)
    # Known to the team, never named to the subject or family.
    reporter_confidential: bool = Field(default=False)
    narrative: str = Field(default="")
    threat_quote: str = Field(default="")
    expressed_as: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    directness: str = Field(default="none", max_length=16)
    conditional: bool = Field(default=False)
    known_to_target: str = Field(default="unknown", max_length=8)
    immediate_danger: bool = Field(default=False)
    emergency_notice_shown_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    danger_answer: str = Field(default="", max_length=8)  # yes / no / not_sure
    emergency_called: str = Field(default="", max_length=8)  # yes / no / unknown
    emergency_called_by: str = Field(default="", max_length=200)
    emergency_called_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    entered_by_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = _now_field()


class TimelineEntry(SQLModel, table=True):
    """A concerning behavior or event, with where the information came from."""

    __tablename__ = "timeline_entry"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    occurred_at: datetime = Field(sa_type=UTCDateTime, index=True)
    category: str = Field(max_length=24)
    description: str
    pathway_stage: str | None = Field(default=None, max_length=24)
    source: str = Field(default="other", max_length=24)
    obtained_how: str = Field(default="")
    reliability: str = Field(default="unknown", max_length=12)
    entered_by_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = _now_field()
    # Raised by one on every save: a save from an older copy is refused (issue 16).
    revision: int = Field(default=1)


class CaseNote(SQLModel, table=True):
    __tablename__ = "case_note"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    category: str = Field(max_length=20)
    body: str
    author_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = _now_field()


class Attachment(SQLModel, table=True):
    """A file kept inside the encrypted database, never on disk in the clear."""

    __tablename__ = "attachment"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    file_name: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    description: str = Field(default="")
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False), repr=False)
    added_by_id: int | None = Field(default=None, foreign_key="account.id")
    added_at: datetime = _now_field()


class LevelDecision(SQLModel, table=True):
    """Append-only history of the case's level of concern."""

    __tablename__ = "level_decision"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    scale: str = Field(max_length=64)
    level: str = Field(max_length=32)
    decided_at: datetime = _now_field()
    decided_by_id: int | None = Field(default=None, foreign_key="account.id")
    rationale: str
    source: str = Field(default="decision", max_length=16)


class Disclosure(SQLModel, table=True):
    """Who was told what, when and why (FERPA 34 CFR 99.32(a)(5) fields included)."""

    __tablename__ = "disclosure"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    disclosed_at: datetime = Field(sa_type=UTCDateTime)
    recipient_kind: str = Field(max_length=24)
    recipient_name: str = Field(max_length=200)
    information_disclosed: str
    purpose: str
    legal_basis: str = Field(max_length=40)
    articulable_threat: str = Field(default="")
    disclosed_by_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = _now_field()


class WorkflowTransition(SQLModel, table=True):
    """Each move of a case through the workflow, with the data that move required."""

    __tablename__ = "workflow_transition"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    action: str = Field(max_length=32)
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    reason: str = Field(default="")
    details: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    by_id: int | None = Field(default=None, foreign_key="account.id")
    at: datetime = _now_field()


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained record of who did what. Never holds case content."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    username: str = Field(max_length=64)
    action: str = Field(max_length=48, index=True)
    entity_kind: str = Field(default="", max_length=32)
    entity_id: str = Field(default="", max_length=32, index=True)
    case_id: int | None = Field(default=None, index=True)  # the case it concerns, if any
    summary: str = Field(default="", max_length=300)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # Ed25519 signature of the author over the hash and the record's new state (store/audit.py).
    state_hash: str = Field(default="", max_length=64)
    signer_key: str = Field(default="", max_length=16)
    signature: str = Field(default="", max_length=88)


class Draft(SQLModel, table=True):
    """Unfinished work (an intake, a wizard) kept encrypted in the vault through a lock or crash."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("owner_id", "kind", "subject", name="uq_draft_owner_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="account.id", index=True)
    kind: str = Field(max_length=32)
    subject: str = Field(default="", max_length=64)  # e.g. a case id; never content
    payload: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _now_field()


class FormSnapshot(SQLModel, table=True):
    """The exact form definition an assessment was made with, kept by content hash."""

    __tablename__ = "form_snapshot"
    content_hash: str = Field(primary_key=True, max_length=64)
    form_id: str = Field(max_length=120)
    version: str = Field(max_length=40)
    definition: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    stored_at: datetime = _now_field()


class Assessment(SQLModel, table=True):
    """A screening, assessment, interview or checklist filled in for a case.

    A draft changes freely; a completed one never changes (a correction is a new assessment
    that ``amends`` it, and the original stays readable).
    """

    __tablename__ = "assessment"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    form_id: str = Field(max_length=120)
    form_version: str = Field(max_length=40)
    form_hash: str = Field(foreign_key="form_snapshot.content_hash", max_length=64)
    form_title: str = Field(default="", max_length=200)
    form_kind: str = Field(max_length=24)
    status: str = Field(default="draft", max_length=12, index=True)
    answers: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    participants: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    suggested_level: str | None = Field(default=None, max_length=32)
    suggestion: str = Field(default="")
    decided_level: str | None = Field(default=None, max_length=32)
    decision_scale: str | None = Field(default=None, max_length=64)
    decision_rationale: str = Field(default="")
    workflow_action: str | None = Field(default=None, max_length=32)
    amends_id: int | None = Field(default=None, foreign_key="assessment.id")
    amendment_reason: str = Field(default="")
    created_by_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = _now_field()
    updated_at: datetime = _now_field()
    completed_by_id: int | None = Field(default=None, foreign_key="account.id")
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Raised by one on every save: a save from an older copy is refused (issue 16).
    revision: int = Field(default=1)
    # Who saved the draft last (its autosaves are not audited). A plain id: SQLite cannot
    # add a foreign key to an existing table without rebuilding it and its finality triggers;
    # ``info`` says it names an account all the same (exports carry the user name, not the id).
    updated_by_id: int | None = Field(default=None, sa_column_kwargs={"info": {"account": True}})


class ManagementPlan(SQLModel, table=True):
    """One version of a case's management plan. Versions are never rewritten once approved:
    changing an approved plan makes a new version, and earlier ones stay readable."""

    __tablename__ = "management_plan"
    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_plan_case_version"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    version: int
    status: str = Field(default="draft", max_length=12, index=True)
    goals: str = Field(default="")
    supervision: str = Field(default="")
    safety_plan: str = Field(default="")
    next_reassessment_on: date | None = Field(default=None, index=True)
    monitoring_days: int | None = None
    monitoring_ends_on: date | None = None
    change_note: str = Field(default="")
    based_on_id: int | None = Field(default=None, foreign_key="management_plan.id")
    created_by_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = _now_field()
    approved_by_id: int | None = Field(default=None, foreign_key="account.id")
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Raised by one on every save: a save from an older copy is refused (issue 16).
    revision: int = Field(default=1)


class PlanIntervention(SQLModel, table=True):
    """One intervention of a plan version. ``key`` stays the same across versions."""

    __tablename__ = "plan_intervention"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="management_plan.id", index=True)
    key: str = Field(max_length=32, index=True)
    position: int = Field(default=0)
    catalog_ref: str = Field(default="", max_length=160)
    strategy: str = Field(default="subject", max_length=16)
    title: str = Field(max_length=300)
    responsible_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    responsible_contact_id: int | None = Field(default=None, foreign_key="team_contact.id")
    start_on: date | None = None
    due_on: date | None = Field(default=None, index=True)
    review_on: date | None = Field(default=None, index=True)
    recurrence: str = Field(default="none", max_length=40)
    status: str = Field(default="planned", max_length=12)
    dropped_reason: str = Field(default="")
    notes: str = Field(default="")
    # Raised by one on every save: a save from an older copy is refused (issue 16).
    revision: int = Field(default=1)


class TeamContact(SQLModel, table=True):
    """Someone outside the team who can be responsible for a plan item (coach, SRO, parent)."""

    __tablename__ = "team_contact"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    role: str = Field(default="", max_length=120)
    organization: str = Field(default="", max_length=200)
    reach: str = Field(default="", max_length=300)
    active: bool = Field(default=True)
    created_at: datetime = _now_field()
    # Raised by one on every save: a save from an older copy is refused (issue 16).
    revision: int = Field(default=1)


class MonitoringEntry(SQLModel, table=True):
    """A check-in or event observed while the plan runs."""

    __tablename__ = "monitoring_entry"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    intervention_key: str = Field(default="", max_length=32, index=True)
    observed_on: date
    by_id: int | None = Field(default=None, foreign_key="account.id")
    observation: str
    changes_concern: bool = Field(default=False)
    reassessment_requested: bool = Field(default=False)
    created_at: datetime = _now_field()


class CaseOrigin(SQLModel, table=True):
    """Where an imported or transferred case came from: its number and team there, and the
    authors of its records who have no account in this vault (kept so history stays whole)."""

    __tablename__ = "case_origin"
    case_id: int = Field(foreign_key="case_file.id", primary_key=True)
    kind: str = Field(max_length=16)  # json_import, csv_import, transfer
    source_number: str = Field(default="", max_length=40)
    source_team: str = Field(default="", max_length=200)
    received_at: datetime = _now_field()
    received_by_id: int | None = Field(default=None, foreign_key="account.id")
    details: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


ALL_TABLES = SQLModel.metadata
