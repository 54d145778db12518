"""Cases as spreadsheet rows: the CSV export (one row per case) and the CSV import of a team's
existing cases, with a column mapping, a row-by-row preview, and one transaction."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from btam_desktop.domain.enums import (
    CaseSetting,
    CaseStatus,
    LevelSource,
    PersonRole,
    Priority,
    ReportChannel,
)
from btam_desktop.domain.models import (
    Account,
    Case,
    CaseOrigin,
    ConcernReport,
    LevelDecision,
    Person,
)
from btam_desktop.domain.types import utcnow
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.exchange import next_case_number
from btam_desktop.services.permissions import Permission
from btam_desktop.services.scales import level_rank, scale
from btam_desktop.services.settings import load_settings
from btam_desktop.store.errors import ValidationError

EXPORT_COLUMNS = (
    "Case number",
    "Title",
    "Status",
    "Level of concern",
    "Priority",
    "Owner",
    "Site",
    "Setting",
    "Opened",
    "Next review",
    "Closed",
    "Closure reason",
    "Level at closure",
    "Days open",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A spreadsheet cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def cases_csv(ctx: ServiceContext, case_ids: Sequence[int]) -> bytes:
    """One row per case: the case list's columns and how the case ended. UTF-8 with a BOM so
    spreadsheet programs read accented names correctly."""
    ctx.require(Permission.EXPORT_BULK, "case")
    if not case_ids:
        raise ValidationError("Choose at least one case to export.")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    today = date.today()
    with ctx.read() as session:
        owners = {
            int(r[0]): str(r[1] or r[2])
            for r in session.execute(
                select(col(Account.id), col(Account.display_name), col(Account.username))
            ).all()
        }
        for case_id in case_ids:
            case = session.get(Case, case_id)
            if case is None:
                continue
            closure_level = session.execute(
                select(col(LevelDecision.level))
                .where(
                    col(LevelDecision.case_id) == case_id,
                    col(LevelDecision.source) == LevelSource.CLOSURE.value,
                )
                .order_by(col(LevelDecision.id).desc())
            ).first()
            closed = CaseStatus(case.status).is_closed
            end = case.closed_at.date() if closed and case.closed_at else today
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        case.number,
                        case.title,
                        CaseStatus(case.status).label,
                        case.level or "",
                        Priority(case.priority).label,
                        owners.get(case.owner_id or -1, ""),
                        case.site,
                        CaseSetting(case.setting).label,
                        case.opened_at.date().isoformat(),
                        case.next_review_on.isoformat() if case.next_review_on else "",
                        case.closed_at.date().isoformat() if closed and case.closed_at else "",
                        case.closure_reason if closed else "",
                        (closure_level[0] if closure_level else case.level or "") if closed else "",
                        (end - case.opened_at.date()).days,
                    )
                ]
            )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# ---- import -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    required: bool = False
    help: str = ""


IMPORT_FIELDS: tuple[ImportField, ...] = (
    ImportField("title", "Title", True, "a short title; avoid names"),
    ImportField("opened", "Opened", True, "the date the concern was reported"),
    ImportField("source_number", "Case number", False, "the number in the old records"),
    ImportField("setting", "Setting", False, "school, workplace, campus or community"),
    ImportField("site", "Site"),
    ImportField("status", "Status", False, "e.g. Reported, Monitoring, Closed"),
    ImportField("priority", "Priority", False, "low, normal, high or urgent"),
    ImportField("level", "Level of concern", False, "a level of the team's scale"),
    ImportField("closed", "Closed", False, "the date the case was closed"),
    ImportField("closure_reason", "Closure reason"),
    ImportField("narrative", "What was reported", False, "the report of concern"),
    ImportField("channel", "How it was reported", False, "in person, phone, email, ..."),
    ImportField("subject", "Subject's name"),
    ImportField("owner", "Owner", False, "a team member's user name or full name"),
)
FIELD_KEYS = {f.key for f in IMPORT_FIELDS}
_ALIASES = {
    "number": "source_number",
    "case number": "source_number",
    "case": "source_number",
    "case no": "source_number",
    "date": "opened",
    "opened": "opened",
    "date opened": "opened",
    "reported": "opened",
    "date reported": "opened",
    "level": "level",
    "level of concern": "level",
    "closed": "closed",
    "date closed": "closed",
    "subject": "subject",
    "student": "subject",
    "narrative": "narrative",
    "description": "narrative",
    "summary": "narrative",
    "channel": "channel",
    "school": "site",
    "building": "site",
}
NO_NARRATIVE = "Imported from a spreadsheet; the spreadsheet held no account of the report."


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of a CSV file (UTF-8, with or without BOM; comma, semicolon or tab)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if not text.strip():
        raise ValidationError("The spreadsheet file is empty.")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    headers = [h.strip() for h in rows[0]]
    if not any(headers):
        raise ValidationError("The first row of the spreadsheet should name its columns.")
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    return headers, body


def guess_mapping(headers: Sequence[str]) -> dict[str, str]:
    """A first guess of which column holds which field, from the column names."""
    mapping: dict[str, str] = {}
    by_label = {f.label.lower(): f.key for f in IMPORT_FIELDS}
    for header in headers:
        name = re.sub(r"[^a-z ]", "", header.lower()).strip()
        key = (
            by_label.get(header.lower().strip())
            or _ALIASES.get(name)
            or (name if name in FIELD_KEYS else None)
        )
        if key and key not in mapping:
            mapping[key] = header
    return mapping


@dataclass(frozen=True)
class RowResult:
    row: int  # as the spreadsheet numbers it: the header is row 1
    title: str
    values: Mapping[str, Any]
    problems: tuple[str, ...]


@dataclass
class CsvPreview:
    headers: list[str]
    mapping: dict[str, str]
    rows: list[RowResult] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [f"Row {r.row}: {p}" for r in self.rows for p in r.problems]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems


def _parse_date(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _choice(text: str, options: dict[str, str]) -> str | None:
    wanted = re.sub(r"[\s_:\-]+", " ", text.strip().lower())
    return options.get(wanted)


def _options(values: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for member in values:
        for name in (member.value, member.label):
            found[re.sub(r"[\s_:\-]+", " ", str(name).lower())] = member.value
    return found


def _unquote(text: str) -> str:
    """Undo the export's formula guard."""
    return text[1:] if text.startswith("'") and text[1:2] in _FORMULA_START else text


class SpreadsheetImport:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def preview(self, data: bytes, mapping: Mapping[str, str] | None = None) -> CsvPreview:
        """Check every row against ``mapping`` (field key -> column name); writes nothing."""
        self.ctx.require(Permission.IMPORT_CASES, "import")
        headers, body = read_csv(data)
        chosen = dict(mapping) if mapping is not None else guess_mapping(headers)
        unknown = [k for k in chosen if k not in FIELD_KEYS]
        if unknown:
            raise ValidationError(
                "The mapping names fields this import does not know: "
                + ", ".join(unknown)
                + ". Known fields: "
                + ", ".join(f.key for f in IMPORT_FIELDS)
                + "."
            )
        absent = [c for c in chosen.values() if c and c not in headers]
        if absent:
            raise ValidationError(
                "The mapping names columns the spreadsheet does not have: "
                + ", ".join(absent)
                + ". Its columns are: "
                + ", ".join(headers)
                + "."
            )
        missing = [f.label for f in IMPORT_FIELDS if f.required and not chosen.get(f.key)]
        if missing:
            raise ValidationError("Choose the column that holds: " + ", ".join(missing) + ".")
        settings = load_settings(self.ctx)
        level_scale = scale(self.ctx, settings.default_scale)
        levels = {lv.code.lower(): lv.code for lv in level_scale.levels}
        levels.update({lv.label.lower(): lv.code for lv in level_scale.levels})
        with self.ctx.read() as session:
            accounts: dict[str, int] = {}
            for r in session.execute(
                select(col(Account.id), col(Account.username), col(Account.display_name))
            ).all():
                accounts[str(r[1]).lower()] = int(r[0])
                if r[2]:
                    accounts[str(r[2]).lower()] = int(r[0])
        preview = CsvPreview(headers, chosen)
        index = {h: i for i, h in enumerate(headers)}
        for number, row in enumerate(body, start=2):

            def get(key: str, row: list[str] = row) -> str:
                column = chosen.get(key)
                if not column:
                    return ""
                i = index[column]
                return _unquote(row[i].strip()) if i < len(row) else ""

            preview.rows.append(
                self._check_row(number, get, settings.default_setting, levels, accounts)
            )
        if not preview.rows:
            raise ValidationError("The spreadsheet has a header row but no cases under it.")
        return preview

    def _check_row(
        self,
        number: int,
        get: Any,
        default_setting: str,
        levels: dict[str, str],
        accounts: dict[str, int],
    ) -> RowResult:
        problems: list[str] = []
        values: dict[str, Any] = {}
        title = get("title")
        if not title:
            problems.append("the title is empty")
        values["title"] = title[:200]
        opened = _parse_date(get("opened"))
        if opened is None:
            problems.append(
                f"the opening date “{get('opened')}” is not a date (use 2025-03-14 or 3/14/2025)"
                if get("opened")
                else "the opening date is empty"
            )
        elif opened > date.today():
            problems.append("the opening date is in the future")
        values["opened"] = opened
        setting = get("setting")
        values["setting"] = _choice(setting, _options(CaseSetting)) if setting else default_setting
        if values["setting"] is None:
            problems.append(
                f"the setting “{setting}” is not one of school, workplace, campus, community"
            )
        status = get("status")
        values["status"] = _choice(status, _options(CaseStatus)) if status else "reported"
        if values["status"] is None:
            problems.append(
                f"the status “{status}” is not one of: " + ", ".join(s.label for s in CaseStatus)
            )
        priority = get("priority")
        values["priority"] = _choice(priority, _options(Priority)) if priority else "normal"
        if values["priority"] is None:
            problems.append(f"the priority “{priority}” is not one of low, normal, high, urgent")
        level = get("level")
        values["level"] = levels.get(level.lower()) if level else None
        if level and values["level"] is None:
            problems.append(
                f"the level “{level}” is not on the team's scale ("
                + ", ".join(sorted(set(levels.values())))
                + ")"
            )
        closed_text = get("closed")
        closed = _parse_date(closed_text) if closed_text else None
        if closed_text and closed is None:
            problems.append(f"the closing date “{closed_text}” is not a date")
        is_closed = values["status"] in (CaseStatus.CLOSED.value, CaseStatus.CLOSED_NO_THREAT.value)
        if is_closed and closed is None and not closed_text:
            problems.append("the case is closed but the closing date is empty")
        if closed is not None and not is_closed:
            problems.append("a closing date is given but the status is not closed")
        if closed is not None and opened is not None and closed < opened:
            problems.append("the case closes before it opens")
        values["closed"] = closed
        values["closure_reason"] = get("closure_reason")
        channel = get("channel")
        values["channel"] = _choice(channel, _options(ReportChannel)) if channel else "other"
        if values["channel"] is None:
            problems.append(
                f"“{channel}” is not a way of reporting this program knows ("
                + ", ".join(c.label.lower() for c in ReportChannel)
                + ")"
            )
        values["site"] = get("site")[:120]
        values["narrative"] = get("narrative")
        values["subject"] = get("subject")[:200]
        values["source_number"] = get("source_number")[:40]
        owner = get("owner")
        values["owner"] = accounts.get(owner.lower()) if owner else self.ctx.actor.account_id
        if owner and values["owner"] is None:
            problems.append(f"the owner “{owner}” is not a member of this team")
        return RowResult(number, title, values, tuple(problems))

    def commit(self, preview: CsvPreview) -> list[str]:
        """Add every previewed row as a case in one transaction; the new case numbers."""
        if not preview.ok:
            raise ValidationError(
                "Nothing was imported. Correct these rows in the spreadsheet and try again:\n"
                + "\n".join(preview.problems)
            )
        settings = load_settings(self.ctx)
        scale_id = settings.default_scale
        numbers = []
        with self.ctx.write(Permission.IMPORT_CASES, "import") as session:
            for row in preview.rows:
                v = row.values
                opened_at = datetime.combine(v["opened"], time(12), tzinfo=UTC)
                year, sequence, number = next_case_number(session, opened_at)
                closed_at = (
                    datetime.combine(v["closed"], time(12), tzinfo=UTC) if v["closed"] else None
                )
                case = Case(
                    number=number,
                    year=year,
                    sequence=sequence,
                    title=v["title"],
                    setting=v["setting"],
                    site=v["site"],
                    status=v["status"],
                    priority=v["priority"],
                    level_scale=scale_id,
                    level=v["level"],
                    level_rank=level_rank(self.ctx, scale_id, v["level"]) if v["level"] else None,
                    owner_id=v["owner"],
                    created_by_id=self.ctx.actor.account_id,
                    opened_at=opened_at,
                    closed_at=closed_at,
                    closure_reason=v["closure_reason"],
                )
                session.add(case)
                session.flush()
                assert case.id is not None
                session.add(
                    ConcernReport(
                        case_id=case.id,
                        received_at=opened_at,
                        channel=v["channel"],
                        narrative=v["narrative"] or NO_NARRATIVE,
                        entered_by_id=self.ctx.actor.account_id,
                    )
                )
                if v["subject"]:
                    session.add(
                        Person(
                            case_id=case.id, role=PersonRole.SUBJECT.value, full_name=v["subject"]
                        )
                    )
                if v["level"]:
                    closing = closed_at is not None
                    session.add(
                        LevelDecision(
                            case_id=case.id,
                            scale=scale_id,
                            level=v["level"],
                            decided_at=closed_at or utcnow(),
                            decided_by_id=self.ctx.actor.account_id,
                            rationale="Level recorded in the team's earlier records "
                            "(spreadsheet import).",
                            source=(LevelSource.CLOSURE if closing else LevelSource.DECISION).value,
                        )
                    )
                session.add(
                    CaseOrigin(
                        case_id=case.id,
                        kind="csv_import",
                        source_number=v["source_number"],
                        source_team=settings.team_name[:200],
                        received_by_id=self.ctx.actor.account_id,
                        details={"row": row.row},
                    )
                )
                session.flush()
                self.ctx.audit(
                    session, "case.import", "case", case.id, f"imported as {number} (spreadsheet)"
                )
                numbers.append(number)
            self.ctx.audit(
                session, "import.cases", "import", "", f"{len(numbers)} cases imported from CSV"
            )
        return numbers
