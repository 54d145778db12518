"""Team settings kept inside the vault (never in a plain settings file)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from sqlalchemy import select
from sqlmodel import Session, col

from btam_desktop.domain.enums import CaseSetting
from btam_desktop.domain.formatting import DATE_STYLES, use_date_style
from btam_desktop.domain.models import VaultInfo
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.permissions import Permission
from btam_desktop.store.errors import ValidationError

PREFIX = "setting."
PAPER_SIZES = ("letter", "a4")
CLOSING_POLICIES = ("coordinator", "members")
CONFIDENTIALITY_LINE_MAX = 160


@dataclass
class TeamSettings:
    team_name: str = "Threat assessment team"
    default_setting: str = CaseSetting.SCHOOL.value
    default_scale: str = "scale.four-level"
    idle_lock_minutes: int = 10
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_address: str = ""
    report_instructions: str = ""
    paper_size: str = "letter"
    default_retention_years: int = 7
    # Backups (issue 9): where, how many, and when the dashboard starts to warn.
    backup_folder: str = ""
    backup_keep: int = 14
    backup_warn_days: int = 7
    auto_backup: int = 1  # 1: daily while the program runs and when it closes
    # Retention rules: JSON {"<setting>:<closure status>": years}; no rule means never due.
    retention_rules: str = ""
    # Who may close, screen out and reopen cases: "coordinator" or "members" (and coordinators).
    closing_by: str = "coordinator"
    # The line at the foot of every printed page; "" prints the standard wording.
    confidentiality_line: str = ""
    # How dates are written on screen and on paper (a key of DATE_STYLES); "" follows this
    # computer's regional format.
    date_format: str = ""

    def validate(self) -> None:
        if not self.team_name.strip():
            raise ValidationError("The team needs a name. It appears on every printout.")
        if self.default_setting not in {s.value for s in CaseSetting}:
            raise ValidationError("Choose the setting: school, workplace, campus or community.")
        if not 0 <= self.idle_lock_minutes <= 240:
            raise ValidationError("Idle lock must be between 1 and 240 minutes, or 0 for never.")
        if self.paper_size not in PAPER_SIZES:
            raise ValidationError("Paper size must be Letter or A4.")
        if self.closing_by not in CLOSING_POLICIES:
            raise ValidationError("Choose who may close cases: coordinators, or all members.")
        if not 0 <= self.default_retention_years <= 100:
            raise ValidationError("Retention must be between 0 and 100 years.")
        if not 1 <= self.backup_keep <= 365:
            raise ValidationError("Keep between 1 and 365 recent backups.")
        if not 1 <= self.backup_warn_days <= 365:
            raise ValidationError("Warn about an old backup after 1 to 365 days.")
        if self.auto_backup not in (0, 1):
            raise ValidationError("Automatic backups are either on or off.")
        from btam_desktop.services.retention import parse_rules

        parse_rules(self.retention_rules)
        if self.date_format not in DATE_STYLES:
            raise ValidationError("Choose one of the date formats offered.")
        line = self.confidentiality_line
        if "\n" in line or "\r" in line or len(line) > CONFIDENTIALITY_LINE_MAX:
            raise ValidationError(
                "The confidentiality line is printed on one line at the foot of every page: "
                f"keep it to one line of at most {CONFIDENTIALITY_LINE_MAX} characters."
            )


def load_settings(ctx: ServiceContext) -> TeamSettings:
    with ctx.read() as session:
        found = session.execute(
            select(VaultInfo).where(col(VaultInfo.key).startswith(PREFIX))
        ).scalars()
        rows = {r.key[len(PREFIX) :]: r.value for r in found}
    settings = _from_rows(rows)
    use_date_style(settings.date_format)
    return settings


def _from_rows(rows: dict[str, str]) -> TeamSettings:
    settings = TeamSettings()
    for f in fields(TeamSettings):
        if f.name in rows:
            raw = rows[f.name]
            value: object = (
                int(raw) if f.type in ("int", int) and raw.lstrip("-").isdigit() else raw
            )
            setattr(settings, f.name, value)
    return settings


def save_settings(ctx: ServiceContext, settings: TeamSettings) -> None:
    settings.validate()
    with ctx.write(Permission.CHANGE_SETTINGS, "settings") as session:
        write_settings_rows(session, settings)
        ctx.audit(session, "settings.change", "settings")
    use_date_style(settings.date_format)


def write_settings_rows(session: Session, settings: TeamSettings) -> None:
    for key, value in asdict(settings).items():
        session.merge(VaultInfo(key=PREFIX + key, value=str(value)))
