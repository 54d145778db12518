"""Opening and creating vaults, and the facade the window and the command line use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import col

from btam_desktop.domain import passwords
from btam_desktop.domain.enums import CaseSetting, Role
from btam_desktop.domain.forms import FormRegistry, LevelScale
from btam_desktop.domain.models import Account, AuditEvent
from btam_desktop.services.assessments import AssessmentService
from btam_desktop.services.audit_log import AuditLogService, write_failed_attempts
from btam_desktop.services.cases import CaseService
from btam_desktop.services.context import RECOVERY_ACTOR, Actor, ServiceContext
from btam_desktop.services.drafts import DraftService
from btam_desktop.services.permissions import Permission
from btam_desktop.services.plans import PlanService
from btam_desktop.services.records import RecordService
from btam_desktop.services.scales import registry, scale
from btam_desktop.services.settings import TeamSettings, load_settings, write_settings_rows
from btam_desktop.services.tasks import TaskService
from btam_desktop.services.team import TeamService, check_username
from btam_desktop.store import audit, crypto, remember, signin_failures
from btam_desktop.store.audit import ChainReport
from btam_desktop.store.errors import (
    ValidationError,
    WrongCredentialsError,
    WrongRecoveryKeyError,
)
from btam_desktop.store.keyfile_names import KEYS_NAME
from btam_desktop.store.keyslots import KeyFile
from btam_desktop.store.vault import Vault, is_vault


class Btam:
    """Everything a signed-in person can do with an open vault."""

    def __init__(self, vault: Vault, actor: Actor) -> None:
        self.ctx = ServiceContext(vault, actor)
        self.cases = CaseService(self.ctx)
        self.records = RecordService(self.ctx)
        self.team = TeamService(self.ctx)
        self.drafts = DraftService(self.ctx)
        self.assessments = AssessmentService(self.ctx, self.cases)
        self.plans = PlanService(self.ctx)
        self.tasks = TaskService(self.ctx)
        self.audit_log = AuditLogService(self.ctx)

    @property
    def vault(self) -> Vault:
        return self.ctx.vault

    @property
    def actor(self) -> Actor:
        return self.ctx.actor

    def can(self, permission: Permission) -> bool:
        return self.ctx.can(permission)

    def settings(self) -> TeamSettings:
        return load_settings(self.ctx)

    def save_settings(self, settings: TeamSettings) -> None:
        from btam_desktop.services.settings import save_settings

        save_settings(self.ctx, settings)

    def forms(self) -> FormRegistry:
        return registry(self.ctx)

    def scale(self, scale_id: str) -> LevelScale:
        return scale(self.ctx, scale_id)

    # ---- audit ------------------------------------------------------------------------------
    def verify_audit(self) -> ChainReport:
        self.ctx.require(Permission.VIEW_AUDIT, "audit")
        with self.ctx.read() as session:
            report = audit.verify(session)
        with self.ctx.vault.write() as session:
            self.ctx.audit(
                session, "audit.verify", "audit", "", "intact" if report.ok else "broken"
            )
        return report

    def audit_events(
        self, *, case_id: int | None = None, limit: int = 500, offset: int = 0
    ) -> list[AuditEvent]:
        self.ctx.require(Permission.VIEW_AUDIT, "audit")
        stmt = select(AuditEvent).order_by(col(AuditEvent.id).desc()).offset(offset).limit(limit)
        if case_id is not None:  # everything about the case: its people, notes, exports, ...
            stmt = stmt.where(col(AuditEvent.case_id) == case_id)
        with self.ctx.read() as session:
            return [r[0] for r in session.execute(stmt).all()]

    def record_event(
        self,
        action: str,
        entity_kind: str,
        entity_id: object,
        summary: str,
        *,
        case_id: int | None = None,
    ) -> None:
        """For events the UI observes, such as printing or exporting a document."""
        with self.ctx.vault.write() as session:
            self.ctx.audit(session, action, entity_kind, entity_id, summary, case_id=case_id)

    # ---- remember me / locking ---------------------------------------------------------------
    def remember_on_this_computer(self) -> None:
        remember.remember(self.vault.vault_id, self.actor.username, self.vault.slot_key)

    def lock(self) -> None:
        if self.vault.is_open:
            try:
                with self.vault.write() as session:
                    self.ctx.audit(session, "vault.lock", "vault")
            finally:
                self.vault.lock()


@dataclass(frozen=True)
class NewTeam:
    team_name: str
    setting: CaseSetting
    scale_id: str
    username: str
    display_name: str
    password: str
    idle_lock_minutes: int = 10


def create_team_vault(
    folder: Path,
    team: NewTeam,
    *,
    kdf_params: crypto.KdfParams | None = None,
    enforce_password_policy: bool = True,
) -> tuple[Btam, str]:
    """First run: the vault, the coordinator's account, the team settings. Returns the app and
    the recovery key, which is shown once and never stored."""
    username = check_username(team.username)
    if not team.display_name.strip():
        raise ValidationError("Give the coordinator's full name as it should appear on records.")
    settings = TeamSettings(
        team_name=team.team_name.strip(),
        default_setting=team.setting.value,
        default_scale=team.scale_id,
        idle_lock_minutes=team.idle_lock_minutes,
    )
    settings.validate()
    vault, recovery = Vault.create(
        folder,
        username=username,
        password=team.password,
        kdf_params=kdf_params,
        enforce_password_policy=enforce_password_policy,
    )
    try:
        with vault.write() as session:
            account = Account(
                username=username,
                display_name=team.display_name.strip(),
                role=Role.COORDINATOR.value,
            )
            session.add(account)
            session.flush()
            write_settings_rows(session, settings)
            audit.append(
                session,
                username=username,
                action="vault.create",
                entity_kind="vault",
                entity_id=vault.vault_id[:12],
                summary="vault created with coordinator account",
            )
        actor = Actor(account.id, username, account.display_name, Role.COORDINATOR)
        app = Btam(vault, actor)
        scale(app.ctx, team.scale_id)  # refuse an unknown scale now, not at the first case
    except BaseException:
        vault.lock()
        raise
    return app, recovery


def unlock(folder: Path, username: str, password: str) -> Btam:
    try:
        vault = Vault.open(folder, username, password)
    except WrongCredentialsError:
        _note_failure(folder, signin_failures.KIND_PASSWORD, username)
        raise
    return _signed_in(vault, username)


def _note_failure(folder: Path, kind: str, typed_name: str) -> None:
    """Keep a failed attempt for the trail; the name only if it is a member of this vault."""
    members = {n.lower(): n for n in vault_usernames(folder)}
    signin_failures.note(folder, kind, members.get(typed_name.strip().lower(), ""))


def unlock_remembered(folder: Path, username: str) -> Btam | None:
    """Open with the key kept in the OS keyring, or None if nothing is remembered."""
    keyfile = KeyFile.read(folder.expanduser().resolve() / KEYS_NAME)
    slot_key = remember.recall(keyfile.vault_id, username)
    if slot_key is None:
        return None
    vault = Vault.open_with_slot_key(folder, username, slot_key)
    return _signed_in(vault, username)


def _signed_in(vault: Vault, username: str) -> Btam:
    try:
        with vault.read() as session:
            account = session.execute(
                select(Account).where(func.lower(Account.username) == username.strip().lower())
            ).scalar_one_or_none()
        if account is None or not account.active:
            raise WrongCredentialsError()
        actor = Actor(account.id, account.username, account.display_name, Role(account.role))
        _write_unlock(vault, actor.username)
    except BaseException:
        vault.lock()
        raise
    return Btam(vault, actor)


def _write_unlock(vault: Vault, username: str) -> None:
    """The sign-in event, preceded by the failed attempts noted since the last one."""
    failed = signin_failures.read(vault.folder)
    with vault.write() as session:
        write_failed_attempts(session, failed)
        audit.append(session, username=username, action="vault.unlock", entity_kind="vault")
    if failed:
        signin_failures.clear(vault.folder)


def recover_and_reset(
    folder: Path,
    recovery_key: str,
    username: str,
    new_password: str,
    kdf_params: crypto.KdfParams | None = None,
) -> None:
    """The 'forgot my password' path: the recovery key opens the vault and sets a new password
    for one member. The vault is locked again afterwards; the member then signs in normally."""
    problem = passwords.password_problem(new_password)  # the same policy as Add member
    if problem is not None:
        raise ValidationError(problem)
    try:
        vault = Vault.open_with_recovery(folder, recovery_key)
    except WrongRecoveryKeyError:
        signin_failures.note(folder, signin_failures.KIND_RECOVERY_KEY)
        raise
    try:
        with vault.read() as session:
            account = session.execute(
                select(Account).where(func.lower(Account.username) == username.strip().lower())
            ).scalar_one_or_none()
        if account is None or not account.active:
            raise ValidationError(f"There is no active team member named “{username}”.")
        vault.reset_password(account.username, new_password, kdf_params)
        with vault.write() as session:
            audit.append(
                session,
                username=RECOVERY_ACTOR,
                action="team.password_reset",
                entity_kind="account",
                entity_id=account.id,
                summary="password reset with the recovery key",
            )
    finally:
        vault.lock()


def vault_usernames(folder: Path) -> list[str]:
    """Names for the unlock screen (kept outside the encryption so the screen can list them)."""
    folder = folder.expanduser().resolve()
    if not is_vault(folder):
        return []
    return KeyFile.read(folder / KEYS_NAME).usernames()


ProgressCallback = Callable[[int, int, str], None]
