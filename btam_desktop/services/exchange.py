"""Whole case records in and out of the vault as JSON (format in docs/export-format.md).

The same record serves three uses: an export a person keeps or hands on, the import of such an
export into another vault (a team moving computers, a merger), and the sealed transfer package
(``services.transfer``) that carries a student's records to their next school.

Rows are written in the order they were made, so importing an export and exporting again gives
the same content: only the case number (the receiving vault numbers it) and the ``origin`` block
(which says where it came from) differ. Authors are named by user name; an author with no account
in the receiving vault is kept in the case's origin record, so the history still says who did what.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, func, select
from sqlmodel import SQLModel, col

from btam_desktop import __version__
from btam_desktop.domain.enums import CaseSetting, CaseStatus, Priority
from btam_desktop.domain.models import (
    Account,
    Assessment,
    Attachment,
    Case,
    CaseMember,
    CaseNote,
    CaseOrigin,
    ConcernReport,
    Disclosure,
    FormSnapshot,
    LevelDecision,
    ManagementPlan,
    MonitoringEntry,
    Person,
    PlanIntervention,
    TeamContact,
    TimelineEntry,
    WorkflowTransition,
)
from btam_desktop.domain.types import UTCDateTime, utcnow
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.permissions import Permission
from btam_desktop.services.scales import level_codes, level_rank
from btam_desktop.services.settings import load_settings
from btam_desktop.store.errors import NotFoundError, ValidationError
from btam_desktop.store.search import IndexedSession

FORMAT_NAME = "btam-case-export"
FORMAT_VERSION = 1

Progress = Callable[[int, int, str], None]

# The case's own fields, in the order they appear in a record.
_CASE_FIELDS = (
    "title",
    "setting",
    "site",
    "status",
    "priority",
    "level_scale",
    "level",
    "opened_at",
    "closed_at",
    "closure_reason",
    "next_review_on",
    "legal_hold",
    "retention_until",
    "updated_at",
)
_CASE_ACCOUNTS = {"owner_id": "owner", "created_by_id": "created_by"}

# Each list in a case record: its key, its table, and how its rows are ordered.
_CHILD_TABLES: tuple[tuple[str, type[SQLModel]], ...] = (
    ("people", Person),
    ("reports", ConcernReport),
    ("timeline", TimelineEntry),
    ("notes", CaseNote),
    ("level_history", LevelDecision),
    ("workflow", WorkflowTransition),
    ("disclosures", Disclosure),
    ("assessments", Assessment),
    ("plans", ManagementPlan),
    ("monitoring", MonitoringEntry),
    ("attachments", Attachment),
)
# Links between rows of one case, written as the position ("#3") of the row they point to.
_LOCAL_LINKS: dict[str, tuple[str, str]] = {
    # column: (json key, list key it points into)
    "reporter_id": ("reporter", "people"),
    "amends_id": ("amends", "assessments"),
    "based_on_id": ("based_on", "plans"),
}
_SKIPPED = {"id", "case_id", "plan_id", "data", "responsible_contact_id"}
# A plan item's outside contact (coach, officer) travels as who it is, not as a local id.
_CONTACT_FIELDS = ("name", "role", "organization", "reach")


def _columns(model: type[SQLModel]) -> list[Any]:
    return list(model.__table__.columns)  # type: ignore[attr-defined]


def _is_account_fk(column: Any) -> bool:
    if column.info.get("account"):  # an account's id kept without a foreign key (models.py)
        return True
    return any(fk.column.table.name == "account" for fk in column.foreign_keys)


def _account_key(name: str) -> str:
    return name.removesuffix("_id")


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decode(column: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        if not isinstance(value, str):
            raise ValueError(f"{column.name} should be a date and time")
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(f"{column.name} needs a time zone")
        return parsed
    if isinstance(column.type, Date):
        if not isinstance(value, str):
            raise ValueError(f"{column.name} should be a date")
        return date.fromisoformat(value)
    return value


# ---- export -----------------------------------------------------------------------------------


@dataclass
class _Authors:
    """User names of the accounts a record mentions, looked up once."""

    names: dict[int, tuple[str, str]]
    used: dict[str, str] = field(default_factory=dict)

    def name(self, account_id: int | None) -> str | None:
        if account_id is None or account_id not in self.names:
            return None
        username, display = self.names[account_id]
        self.used[username] = display
        return username


def _row_record(
    row: SQLModel,
    table_key: str,
    authors: _Authors,
    positions: dict[tuple[str, int], int],
    kept_authors: dict[str, Any],
) -> dict[str, Any]:
    record: dict[str, Any] = {}
    row_id = getattr(row, "id", None)
    for column in _columns(type(row)):
        name = column.name
        if name in _SKIPPED:
            continue
        value = getattr(row, name)
        if name in _LOCAL_LINKS:
            key, target = _LOCAL_LINKS[name]
            record[key] = None if value is None else positions.get((target, value))
        elif _is_account_fk(column):
            key = _account_key(name)
            username = authors.name(value)
            if username is None:  # an author kept from an earlier import
                username = kept_authors.get(f"{table_key}:{row_id}:{key}")
            record[key] = username
        else:
            record[name] = _encode(value)
    return record


def _case_record(
    session: IndexedSession,
    case: Case,
    authors: _Authors,
    snapshots: dict[str, FormSnapshot],
    *,
    include_files: bool,
) -> dict[str, Any]:
    case_id = case.id
    origin = session.get(CaseOrigin, case_id)
    details: dict[str, Any] = dict(origin.details) if origin is not None else {}
    kept: dict[str, Any] = dict(details.get("authors", {}))
    for username, display in dict(details.get("author_names", {})).items():
        authors.used.setdefault(str(username), str(display))
    record: dict[str, Any] = {"number": case.number}
    for name in _CASE_FIELDS:
        record[name] = _encode(getattr(case, name))
    for column, key in _CASE_ACCOUNTS.items():
        record[key] = authors.name(getattr(case, column)) or kept.get(f"case:{case_id}:{key}")
    members = session.execute(
        select(col(CaseMember.account_id))
        .where(col(CaseMember.case_id) == case_id)
        .order_by(col(CaseMember.account_id))
    ).all()
    record["members"] = sorted(
        [name for name in (authors.name(r[0]) for r in members) if name is not None]
        + list(kept.get(f"case:{case_id}:members", []))
    )
    record["origin"] = (
        None
        if origin is None
        else {
            "kind": origin.kind,
            "source_number": origin.source_number,
            "source_team": origin.source_team,
            "received_at": origin.received_at.isoformat(),
        }
    )
    positions: dict[tuple[str, int], int] = {}
    for key, model in _CHILD_TABLES:
        rows = [
            r[0]
            for r in session.execute(
                select(model)
                .where(col(model.case_id) == case_id)  # type: ignore[attr-defined]
                .order_by(col(model.id))  # type: ignore[attr-defined]
            ).all()
        ]
        items = []
        for index, row in enumerate(rows, start=1):
            positions[(key, row.id)] = index
            item = _row_record(row, key, authors, positions, kept)
            if isinstance(row, Assessment) and row.form_hash not in snapshots:
                snapshot = session.get(FormSnapshot, row.form_hash)
                if snapshot is not None:
                    snapshots[row.form_hash] = snapshot
            if isinstance(row, ManagementPlan):
                item["interventions"] = [
                    _intervention_record(session, i, authors, positions, kept)
                    for i in _plan_items(session, row)
                ]
            if isinstance(row, Attachment):
                item["file"] = base64.b64encode(row.data).decode("ascii") if include_files else None
            items.append(item)
        if key == "attachments":
            items.extend(details.get("attachments_not_included", []))
        record[key] = items
    return record


def _intervention_record(
    session: IndexedSession,
    intervention: PlanIntervention,
    authors: _Authors,
    positions: dict[tuple[str, int], int],
    kept: dict[str, Any],
) -> dict[str, Any]:
    record = _row_record(intervention, "interventions", authors, positions, kept)
    contact = (
        session.get(TeamContact, intervention.responsible_contact_id)
        if intervention.responsible_contact_id is not None
        else None
    )
    record["responsible_contact"] = (
        None if contact is None else {f: getattr(contact, f) for f in _CONTACT_FIELDS}
    )
    return record


def _plan_items(session: IndexedSession, plan: ManagementPlan) -> list[PlanIntervention]:
    return [
        r[0]
        for r in session.execute(
            select(PlanIntervention)
            .where(col(PlanIntervention.plan_id) == plan.id)
            .order_by(col(PlanIntervention.position), col(PlanIntervention.id))
        ).all()
    ]


def build_export(
    session: IndexedSession,
    case_ids: Sequence[int],
    *,
    team_name: str,
    vault_id: str,
    include_files: bool,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The export document for ``case_ids`` (read inside the caller's session)."""
    accounts = {
        int(r[0]): (str(r[1]), str(r[2] or r[1]))
        for r in session.execute(
            select(col(Account.id), col(Account.username), col(Account.display_name))
        ).all()
    }
    authors = _Authors(accounts)
    snapshots: dict[str, FormSnapshot] = {}
    cases = []
    for done, case_id in enumerate(case_ids, start=1):
        case = session.get(Case, case_id)
        if case is None:
            raise NotFoundError("A chosen case")
        cases.append(_case_record(session, case, authors, snapshots, include_files=include_files))
        if progress is not None:
            progress(done, len(case_ids), "Gathering the case records")
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "program_version": __version__,
        "exported_at": utcnow().isoformat(),
        "source": {"team": team_name, "vault": vault_id[:12]},
        "includes_files": include_files,
        "accounts": [
            {"username": name, "display_name": display}
            for name, display in sorted(authors.used.items())
        ],
        "form_snapshots": [
            {
                "content_hash": s.content_hash,
                "form_id": s.form_id,
                "version": s.version,
                "definition": s.definition,
            }
            for _, s in sorted(snapshots.items())
        ],
        "cases": cases,
    }


def encode_document(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")


# ---- import -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewCase:
    """One case of an import as the preview shows it."""

    source_number: str
    title: str
    status: str
    opened_on: str
    contents: str  # e.g. "2 people, 1 report, 3 timeline entries"
    problems: tuple[str, ...]


@dataclass
class ImportPreview:
    source_team: str
    exported_at: str
    includes_files: bool
    cases: list[PreviewCase]
    _document: dict[str, Any] = field(repr=False)

    @property
    def problems(self) -> list[str]:
        return [
            f"Case {c.source_number or '(no number)'}: {p}" for c in self.cases for p in c.problems
        ]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.cases)


def parse_document(data: bytes) -> dict[str, Any]:
    """The export document in ``data``, or a ValidationError saying what is wrong."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(
            "This file is not a case export: it is not valid JSON text. Choose a file written "
            "by Export cases (.json)."
        ) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise ValidationError(
            "This JSON file is not a BTAM Desktop case export (its “format” field is missing or "
            "different)."
        )
    version = document.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise ValidationError(
            f"This export uses format version {version}, which this program (format "
            f"{FORMAT_VERSION}) cannot read. Update BTAM Desktop and try again."
        )
    if not isinstance(document.get("cases"), list):
        raise ValidationError("This export has no list of cases.")
    return document


def _contents(record: dict[str, Any]) -> str:
    parts = []
    for key, singular in (
        ("people", "person"),
        ("reports", "report"),
        ("timeline", "timeline entry"),
        ("notes", "note"),
        ("assessments", "assessment"),
        ("plans", "plan version"),
        ("disclosures", "disclosure"),
        ("attachments", "attachment"),
    ):
        count = len(record.get(key) or [])
        if count:
            plural = {"person": "people", "timeline entry": "timeline entries"}.get(
                singular, singular + "s"
            )
            parts.append(f"{count} {singular if count == 1 else plural}")
    return ", ".join(parts) or "no records"


def _record_problems(ctx: ServiceContext, record: Any, snapshots: set[str]) -> list[str]:
    if not isinstance(record, dict):
        return ["the entry is not a case record"]
    problems = []
    if record.get("setting") not in {s.value for s in CaseSetting}:
        problems.append(f"unknown setting “{record.get('setting')}”")
    if record.get("status") not in {s.value for s in CaseStatus}:
        problems.append(f"unknown status “{record.get('status')}”")
    if record.get("priority") not in {p.value for p in Priority}:
        problems.append(f"unknown priority “{record.get('priority')}”")
    scale = record.get("level_scale")
    try:
        codes = level_codes(ctx, str(scale))
    except ValidationError:
        problems.append(
            f"uses the level scale “{scale}”, which this vault does not have; add that scale's "
            "definition to the vault's forms folder first"
        )
    else:
        levels = [record.get("level")] + [
            d.get("level") for d in record.get("level_history") or [] if isinstance(d, dict)
        ]
        for level in levels:
            if level is not None and level not in codes:
                problems.append(f"level “{level}” is not on the scale {scale}")
                break
    for key, _model in _CHILD_TABLES:
        if not isinstance(record.get(key, []), list):
            problems.append(f"“{key}” should be a list")
    for assessment in record.get("assessments") or []:
        if isinstance(assessment, dict) and assessment.get("form_hash") not in snapshots:
            problems.append(
                f"an assessment's form ({assessment.get('form_id')}) is missing from the export"
            )
            break
    for item in record.get("attachments") or []:
        if not isinstance(item, dict):
            continue
        data = item.get("file")
        if data is None:
            continue
        try:
            raw = base64.b64decode(str(data), validate=True)
        except ValueError:
            problems.append(f"the attachment “{item.get('file_name')}” is damaged")
            continue
        if hashlib.sha256(raw).hexdigest() != item.get("sha256"):
            problems.append(f"the attachment “{item.get('file_name')}” does not match its hash")
    try:
        _decode(Case.__table__.columns["opened_at"], record.get("opened_at"))  # type: ignore[attr-defined]
        if record.get("opened_at") is None:
            problems.append("the date the case was opened is missing")
    except ValueError:
        problems.append("the date the case was opened is not a valid date and time")
    return problems


def preview_document(ctx: ServiceContext, document: dict[str, Any]) -> ImportPreview:
    snapshots = {
        str(s.get("content_hash"))
        for s in document.get("form_snapshots") or []
        if isinstance(s, dict)
    }
    cases = []
    for record in document["cases"]:
        problems = _record_problems(ctx, record, snapshots)
        good = isinstance(record, dict)
        cases.append(
            PreviewCase(
                source_number=str(record.get("number", "")) if good else "",
                title=str(record.get("title", "")) if good else "",
                status=str(record.get("status", "")) if good else "",
                opened_on=str(record.get("opened_at", ""))[:10] if good else "",
                contents=_contents(record) if good else "",
                problems=tuple(problems),
            )
        )
    source = document.get("source") or {}
    return ImportPreview(
        source_team=str(source.get("team", "")) if isinstance(source, dict) else "",
        exported_at=str(document.get("exported_at", "")),
        includes_files=bool(document.get("includes_files")),
        cases=cases,
        _document=document,
    )


def next_case_number(session: IndexedSession, opened_at: datetime) -> tuple[int, int, str]:
    """The next free number of the year the case was opened (as the intake numbers cases)."""
    year = opened_at.astimezone().year
    last = session.execute(select(func.max(col(Case.sequence))).where(col(Case.year) == year))
    sequence = int(last.scalar() or 0) + 1
    return year, sequence, f"{year}-{sequence:04d}"


@dataclass
class _Receiver:
    """Turns records into rows of this vault inside one write transaction."""

    ctx: ServiceContext
    session: IndexedSession
    accounts: dict[str, int]  # lower-case user name -> account id (empty: map no one)
    display_names: dict[str, str]

    def account(self, username: Any) -> int | None:
        if not isinstance(username, str):
            return None
        return self.accounts.get(username.lower())

    def insert_case(
        self,
        record: dict[str, Any],
        *,
        kind: str,
        source_team: str,
    ) -> Case:
        session = self.session
        case_columns = Case.__table__.columns  # type: ignore[attr-defined]
        values = {name: _decode(case_columns[name], record.get(name)) for name in _CASE_FIELDS}
        year, sequence, number = next_case_number(session, values["opened_at"])
        kept: dict[str, Any] = {}
        case = Case(number=number, year=year, sequence=sequence, **values)
        case.level_rank = level_rank(self.ctx, case.level_scale, case.level) if case.level else None
        for column, key in _CASE_ACCOUNTS.items():
            setattr(case, column, self.account(record.get(key)))
        session.add(case)
        session.flush()
        assert case.id is not None
        for column, key in _CASE_ACCOUNTS.items():
            if getattr(case, column) is None and record.get(key):
                kept[f"case:{case.id}:{key}"] = str(record[key])
        absent_members = []
        for username in record.get("members") or []:
            account_id = self.account(username)
            if account_id is not None:
                session.add(CaseMember(case_id=case.id, account_id=account_id))
            else:
                absent_members.append(str(username))
        if absent_members:
            kept[f"case:{case.id}:members"] = absent_members
        new_ids: dict[tuple[str, int], int] = {}
        not_included: list[dict[str, Any]] = []
        for key, model in _CHILD_TABLES:
            for position, item in enumerate(record.get(key) or [], start=1):
                if isinstance(item, dict) and model is Attachment and item.get("file") is None:
                    not_included.append({k: v for k, v in item.items()})
                    continue
                row = self._insert_row(model, key, item, case.id, new_ids, kept)
                new_ids[(key, position)] = row.id  # type: ignore[attr-defined]
                if isinstance(row, ManagementPlan):
                    for sub in item.get("interventions") or []:
                        self._insert_row(
                            PlanIntervention,
                            "interventions",
                            sub,
                            case.id,
                            new_ids,
                            kept,
                            plan_id=row.id,
                        )
        previous = record.get("origin")
        absent = {v for v in kept.values() if isinstance(v, str)} | set(absent_members)
        author_names = {name: self.display_names.get(name, name) for name in sorted(absent)}
        details: dict[str, object] = {"authors": kept, "author_names": author_names}
        if not_included:
            details["attachments_not_included"] = not_included
        if isinstance(previous, dict):
            details["earlier_origin"] = previous
        session.add(
            CaseOrigin(
                case_id=case.id,
                kind=kind,
                source_number=str(record.get("number", ""))[:40],
                source_team=source_team[:200],
                received_by_id=self.ctx.actor.account_id,
                details=details,
            )
        )
        session.flush()
        return case

    def _insert_row(
        self,
        model: type[SQLModel],
        key: str,
        item: dict[str, Any],
        case_id: int,
        new_ids: dict[tuple[str, int], int],
        kept: dict[str, Any],
        *,
        plan_id: int | None = None,
    ) -> SQLModel:
        values: dict[str, Any] = {}
        absent_authors: dict[str, str] = {}
        for column in _columns(model):
            name = column.name
            if name == "id":
                continue
            if name == "case_id":
                values[name] = case_id
            elif name == "plan_id":
                values[name] = plan_id
            elif name == "data":
                values[name] = base64.b64decode(str(item["file"]))
            elif name == "responsible_contact_id":
                values[name] = self._contact(item.get("responsible_contact"))
            elif name in _LOCAL_LINKS:
                link_key, target = _LOCAL_LINKS[name]
                position = item.get(link_key)
                values[name] = None if position is None else new_ids.get((target, int(position)))
            elif _is_account_fk(column):
                author = item.get(_account_key(name))
                values[name] = self.account(author)
                if values[name] is None and author:
                    absent_authors[_account_key(name)] = str(author)
            elif name in item:
                values[name] = _decode(column, item[name])
        row = model(**values)
        self.session.add(row)
        self.session.flush()
        for author_key, username in absent_authors.items():
            kept[f"{key}:{row.id}:{author_key}"] = username  # type: ignore[attr-defined]
        return row

    def _contact(self, given: object) -> int | None:
        """The team contact a plan item names: the same one if this team has it (same name and
        organisation), else a new contact."""
        if not isinstance(given, dict) or not str(given.get("name") or "").strip():
            return None
        fields = {f: str(given.get(f) or "")[:300] for f in _CONTACT_FIELDS}
        fields["name"] = fields["name"][:200]
        # Compared here: on a team server names and organisations are sealed.
        wanted = (fields["name"].lower(), fields["organization"].lower())
        known: TeamContact
        for known in self.session.execute(select(TeamContact)).scalars():
            if (known.name.lower(), known.organization.lower()) == wanted:
                contact_id: int | None = known.id
                return contact_id
        contact = TeamContact(
            name=fields["name"],
            role=fields["role"][:120],
            organization=fields["organization"][:200],
            reach=fields["reach"],
        )
        self.session.add(contact)
        self.session.flush()
        return contact.id


def store_snapshots(session: IndexedSession, document: dict[str, Any]) -> None:
    for item in document.get("form_snapshots") or []:
        if session.get(FormSnapshot, item["content_hash"]) is None:
            session.add(
                FormSnapshot(
                    content_hash=item["content_hash"],
                    form_id=item["form_id"],
                    version=item["version"],
                    definition=item["definition"],
                )
            )
    session.flush()


def receive_cases(
    ctx: ServiceContext,
    session: IndexedSession,
    document: dict[str, Any],
    *,
    kind: str,
    map_accounts: bool,
    progress: Progress | None = None,
) -> list[Case]:
    """Insert every case of ``document`` inside the caller's transaction."""
    rows = session.execute(
        select(col(Account.id), col(Account.username), col(Account.display_name))
    ).all()
    accounts = {str(r[1]).lower(): int(r[0]) for r in rows} if map_accounts else {}
    names = {
        str(a.get("username")): str(a.get("display_name", ""))
        for a in document.get("accounts") or []
        if isinstance(a, dict)
    }
    source = document.get("source") or {}
    team = str(source.get("team", "")) if isinstance(source, dict) else ""
    receiver = _Receiver(ctx, session, accounts, names)
    store_snapshots(session, document)
    received = []
    total = len(document["cases"])
    for done, record in enumerate(document["cases"], start=1):
        received.append(receiver.insert_case(record, kind=kind, source_team=team))
        if progress is not None:
            progress(done, total, "Adding the cases")
    return received


@dataclass(frozen=True)
class ImportResult:
    numbers: list[tuple[str, str]]  # (number in the export, new number here)


class ExchangeService:
    """Export and import of whole case records (JSON) for the window and the command line."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def all_case_ids(self) -> list[int]:
        with self.ctx.read() as session:
            return [
                int(r[0])
                for r in session.execute(select(col(Case.id)).order_by(col(Case.id))).all()
            ]

    def case_ids_for_numbers(self, numbers: Iterable[str]) -> list[int]:
        wanted = [n.strip() for n in numbers]
        with self.ctx.read() as session:
            found = {
                str(r[1]): int(r[0])
                for r in session.execute(
                    select(col(Case.id), col(Case.number)).where(col(Case.number).in_(wanted))
                ).all()
            }
        missing = [n for n in wanted if n not in found]
        if missing:
            raise NotFoundError("Case " + ", ".join(missing))
        return [found[n] for n in wanted]

    def export_json(
        self,
        case_ids: Sequence[int],
        *,
        include_files: bool = False,
        progress: Progress | None = None,
    ) -> bytes:
        """The JSON export of ``case_ids`` (not encrypted); audited per case."""
        self.ctx.require(Permission.EXPORT_BULK, "case")
        if not case_ids:
            raise ValidationError("Choose at least one case to export.")
        team = load_settings(self.ctx).team_name
        with self.ctx.read() as session:
            document = build_export(
                session,
                case_ids,
                team_name=team,
                vault_id=self.ctx.vault.vault_id,
                include_files=include_files,
                progress=progress,
            )
        return encode_document(document)

    def record_export(self, case_ids: Sequence[int], what: str) -> None:
        """Audit an export after its file was written: one event per case and a summary."""
        with self.ctx.vault.write() as session:
            for case_id in case_ids:
                self.ctx.audit(session, "case.export", "case", case_id, f"exported ({what})")
            self.ctx.audit(
                session, "export.cases", "export", "", f"{len(case_ids)} cases exported ({what})"
            )

    def preview_json(self, data: bytes) -> ImportPreview:
        self.ctx.require(Permission.IMPORT_CASES, "import")
        return preview_document(self.ctx, parse_document(data))

    def import_json(self, preview: ImportPreview, progress: Progress | None = None) -> ImportResult:
        """Add the previewed cases in one transaction; nothing is written if any is refused."""
        if not preview.ok:
            raise ValidationError(
                "Nothing was imported, because of these problems:\n" + "\n".join(preview.problems)
            )
        with self.ctx.write(Permission.IMPORT_CASES, "import") as session:
            try:
                cases = receive_cases(
                    self.ctx,
                    session,
                    preview._document,
                    kind="json_import",
                    map_accounts=True,
                    progress=progress,
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ValidationError(
                    "Nothing was imported: the export file has a record this program cannot "
                    f"read ({type(exc).__name__}). Export it again and retry."
                ) from exc
            for case in cases:
                self.ctx.audit(
                    session, "case.import", "case", case.id, f"imported as {case.number}"
                )
            self.ctx.audit(
                session, "import.cases", "import", "", f"{len(cases)} cases imported from JSON"
            )
            return ImportResult(
                [
                    (c.source_number, case.number)
                    for c, case in zip(preview.cases, cases, strict=True)
                ]
            )


__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ExchangeService",
    "ImportPreview",
    "ImportResult",
    "PreviewCase",
]
