"""Opening and creating vaults, and the facade the window and the command line use."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
from btam_desktop.services.backup import BackupService
from btam_desktop.services.case_file import PARTS, CaseFile, CaseFileReader
from btam_desktop.services.cases import CaseService
from btam_desktop.services.context import RECOVERY_ACTOR, Actor, ServiceContext
from btam_desktop.services.drafts import DraftService
from btam_desktop.services.exchange import ExchangeService
from btam_desktop.services.permissions import OBSERVED_EVENTS, Permission
from btam_desktop.services.plans import PlanService
from btam_desktop.services.records import RecordService
from btam_desktop.services.retention import RetentionService
from btam_desktop.services.scales import registry, scale
from btam_desktop.services.settings import TeamSettings, load_settings, write_settings_rows
from btam_desktop.services.spreadsheet import SpreadsheetImport
from btam_desktop.services.statistics import StatisticsService
from btam_desktop.services.tasks import TaskService
from btam_desktop.services.team import TeamService, check_username
from btam_desktop.services.transfer import TransferService
from btam_desktop.store import audit, crypto, signin_failures, vault_files
from btam_desktop.store.audit import ChainReport
from btam_desktop.store.errors import (
    PermissionDeniedError,
    ReadOnlyVaultError,
    StorageUnavailableError,
    ValidationError,
    VaultBehindError,
    WrongCredentialsError,
    WrongRecoveryKeyError,
)
from btam_desktop.store.keyfile_names import KEYS_NAME
from btam_desktop.store.keyslots import KeyFile
from btam_desktop.store.vault import Vault

# At sign-in on a computer that has seen the vault, only the events since its anchor are
# checked (the anchor's hash covers everything before); a first sign-in checks everything up to
# this many events.
FULL_CHECK_AT_OPEN = 50_000


class Btam:
    """Everything a signed-in person can do with an open vault."""

    def __init__(self, vault: Vault, actor: Actor) -> None:
        self.ctx = ServiceContext(vault, actor)
        # Set at sign-in when the quick check of the trail found a problem (shown to the person).
        self.integrity_problem: str | None = None
        # Set by the sign-in until its check of the trail has run (see finish_sign_in_check).
        self._sign_in_check: tuple[bool, bool] | None = None  # (record the anchor, lower ok)
        # Set when the vault is behind this computer's anchor and was opened to inspect it.
        self.older_copy: VaultBehindError | None = None
        self.cases = CaseService(self.ctx)
        self.records = RecordService(self.ctx)
        self.team = TeamService(self.ctx)
        self.drafts = DraftService(self.ctx)
        self.assessments = AssessmentService(self.ctx, self.cases)
        self.plans = PlanService(self.ctx)
        self.tasks = TaskService(self.ctx)
        # Records lifecycle: export and import, spreadsheets, transfer, annual statistics.
        self.exchange = ExchangeService(self.ctx)
        self.spreadsheet = SpreadsheetImport(self.ctx)
        self.transfer = TransferService(self.ctx)
        self.statistics = StatisticsService(self.ctx)
        self.backups = BackupService(self.ctx)
        self.retention = RetentionService(self.ctx)
        self.audit_log = AuditLogService(self.ctx)
        self.case_files = CaseFileReader(
            self.ctx,
            cases=self.cases,
            records=self.records,
            team=self.team,
            drafts=self.drafts,
            plans=self.plans,
            assessments=self.assessments,
        )

    @property
    def vault(self) -> Vault:
        return self.ctx.vault

    @property
    def actor(self) -> Actor:
        return self.ctx.actor

    def can(self, permission: Permission) -> bool:
        return self.ctx.can(permission)

    def case_file(
        self, case_id: int, parts: Iterable[str] = PARTS, *, audited_open: bool = False
    ) -> CaseFile:
        """A case and the parts of its record asked for, read in one transaction; see
        ``services/case_file.py``. ``audited_open`` records the view, as opening a case does."""
        return self.case_files.read(case_id, parts, audited_open=audited_open)

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
    def verify_audit(self, expect_head: str | None = None) -> ChainReport:
        """Check the chain, every signature, each record against its last signed state and
        each role against the vault's grants; with ``expect_head`` (an exported head, see
        ``audit_head``), also that the trail still reaches that event unchanged."""
        self.ctx.require(Permission.VIEW_AUDIT, "audit")
        with self.ctx.read() as session:
            report = audit.verify(session, trust=self.vault.trust())
            if report.ok and expect_head is not None:
                report = _check_expected_head(session, report, expect_head)
        self.ctx.record("audit.verify", "audit", "", "intact" if report.ok else "broken")
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

    def audit_head(self) -> str:
        """The head to keep elsewhere (printed, or a file in another place): position, hash
        and the vault key's fingerprint, e.g. ``btam-head:1234:9f2c…``."""
        self.ctx.require(Permission.VIEW_AUDIT, "audit")
        with self.ctx.read() as session:
            position, digest = audit.head(session)
        with self.ctx.vault.write() as session:
            self.ctx.audit(session, "audit.head_export", "audit", "", f"head at {position}")
        return f"btam-head:{position}:{digest}"

    def record_event(
        self,
        action: str,
        entity_kind: str,
        entity_id: object,
        summary: str,
        *,
        case_id: int | None = None,
        permission: Permission = Permission.EXPORT,
    ) -> None:
        """For events the UI observes, such as printing or exporting a document. Only the
        actions listed for ``permission`` in ``OBSERVED_EVENTS`` are accepted; anything else
        is refused and the attempt is audited. On a full disk the event waits in memory until
        it can be written (see ``pending_events``)."""
        allowed_actions = OBSERVED_EVENTS.get(permission, frozenset())
        self.ctx.require(
            permission,
            entity_kind,
            entity_id,
            granted=self.ctx.can(permission) and action in allowed_actions,
            why=(
                "Only printing, saving and exporting documents are recorded this way."
                if action not in allowed_actions
                else ""
            ),
            summary=f"refused event {action[:40]!r}",
        )
        self.ctx.record(action, entity_kind, entity_id, summary, case_id=case_id)

    # ---- a full disk or read-only media -----------------------------------------------------
    @property
    def read_only(self) -> bool:
        """The vault was opened from read-only media: reading and printing only."""
        return self.vault.read_only

    def pending_events(self) -> int:
        """How many views and prints are waiting to be written to the audit trail."""
        return len(self.ctx.pending)

    def flush_pending_events(self) -> int:
        """Write waiting audit events if there is room now; returns how many still wait."""
        return self.ctx.flush_pending()

    def storage_notice(self) -> str:
        """A sentence for the window while something cannot be written, else ''."""
        waiting = self.pending_events()
        if self.read_only:
            return (
                "This vault is on read-only media: you can read, search and print, but nothing "
                "can be saved, and what you view or print here is not recorded in its audit "
                "trail. To make changes, copy the vault folder to a writable drive."
            )
        if waiting or self.vault.waiting_for_space:
            if waiting == 1:
                records = "1 audit record (who opened or printed what) is"
            else:
                records = f"{waiting} audit records (who opened or printed what) are"
            return (
                "The disk is full. You can keep reading, searching and printing, but changes "
                "cannot be saved until space is freed."
                + (
                    f" {records} waiting in memory and will be recorded as soon as space is freed."
                    if waiting
                    else ""
                )
            )
        return ""

    # ---- remember me / locking ---------------------------------------------------------------
    def remember_on_this_computer(self) -> None:
        from btam_desktop.store import remember  # the keyring library: only when it is used

        remember.remember(self.vault.vault_id, self.actor.username, self.vault.slot_key)

    def lock(self) -> None:
        """Record the lock and lock. The keys are forgotten and the vault closed even when the
        record cannot be written (a full disk keeps it in memory for the next unlock)."""
        if self.vault.is_open:
            try:
                self.ctx.record("vault.lock", "vault")
                # This computer's anchor moves on only past events the sign-in check has seen.
                if self.older_copy is None and self._sign_in_check is None:
                    self.vault.record_anchor()
            finally:
                self.vault.lock()

    @property
    def sign_in_check_pending(self) -> bool:
        return self._sign_in_check is not None

    def finish_sign_in_check(self) -> str | None:
        """The sign-in's quick check: the trail since this computer's anchor (all of it when
        small), the roles and the key file's roster. A problem is recorded and kept in
        ``integrity_problem``; then this computer's anchor moves to the newest event. Run once
        per sign-in, by ``unlock`` itself unless it was asked to leave it for later."""
        pending = self._sign_in_check
        if pending is None:
            return self.integrity_problem
        record_anchor, accept_lower = pending
        problem = _quick_check(self.vault)
        self.integrity_problem = problem
        if problem is not None:
            self.ctx.record("audit.problem_found", "audit", "", "at sign-in")
        if record_anchor:
            self.vault.record_anchor(accept_lower=accept_lower)
        self._sign_in_check = None
        return problem


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
    return set_up_team(
        lambda username: Vault.create(
            folder,
            username=username,
            password=team.password,
            kdf_params=kdf_params,
            enforce_password_policy=enforce_password_policy,
        ),
        team,
        "vault created with coordinator account",
    )


def set_up_team(
    create_store: Callable[[str], tuple[Vault, str]],
    team: NewTeam,
    summary: str,
) -> tuple[Btam, str]:
    """The first coordinator and the team settings in a store ``create_store(username)`` makes
    (a vault, or a team server); checked before the store is made. Returns the app and the
    recovery key."""
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
    store, recovery = create_store(username)
    try:
        with store.write() as session:
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
                entity_id=store.vault_id[:12],
                summary=summary,
            )
        actor = Actor(account.id, username, account.display_name, Role.COORDINATOR)
        app = Btam(store, actor)
        scale(app.ctx, team.scale_id)  # refuse an unknown scale now, not at the first case
    except BaseException:
        store.lock()
        raise
    return app, recovery


def unlock(
    folder: Path,
    username: str,
    password: str,
    *,
    accept_older_copy: bool = False,
    inspect_older_copy: bool = False,
    check_later: bool = False,
) -> Btam:
    """Sign in. A copy older than this computer has seen raises ``VaultBehindError`` unless a
    coordinator passes ``accept_older_copy`` (after a restore), which is recorded. With
    ``inspect_older_copy`` (checking the trail), it opens anyway, sets ``older_copy`` and
    leaves this computer's anchor where it was. With ``check_later`` the sign-in's check of the
    trail is left to ``finish_sign_in_check`` (the window runs it once it is on screen)."""
    try:
        vault = Vault.open(folder, username, password)
    except WrongCredentialsError:
        _note_failure(folder, signin_failures.KIND_PASSWORD, username)
        raise
    return _signed_in(
        vault, username, accept_older_copy, inspect_older_copy, check_later=check_later
    )


def _note_failure(folder: Path, kind: str, typed_name: str) -> None:
    """Keep a failed attempt for the trail; the name only if it is a member of this vault."""
    members = {n.lower(): n for n in vault_usernames(folder)}
    signin_failures.note(folder, kind, members.get(typed_name.strip().lower(), ""))


def unlock_remembered(
    folder: Path, username: str, *, accept_older_copy: bool = False, check_later: bool = False
) -> Btam | None:
    """Open with the key kept in the OS keyring, or None if nothing is remembered."""
    from btam_desktop.store import remember  # the keyring library: only when it is used

    keyfile = KeyFile.read(folder.expanduser().resolve() / KEYS_NAME)
    slot_key = remember.recall(keyfile.vault_id, username)
    if slot_key is None:
        return None
    vault = Vault.open_with_slot_key(folder, username, slot_key)
    return _signed_in(vault, username, accept_older_copy, check_later=check_later)


def prepare_for_sign_in(folder: Path | None = None) -> None:
    """What every first sign-in in a process would otherwise pay for, done beforehand (the
    unlock screen calls this in the background while the password is typed): the SQLCipher
    dialect and OpenSSL bindings loaded, the table mappings configured, the migration
    scripts' chain read, and the vault folder's forms (level scales) read."""
    import cryptography.hazmat.backends.openssl  # noqa: F401
    import sqlalchemy.dialects.sqlite.pysqlcipher  # noqa: F401
    from sqlalchemy.orm import configure_mappers

    from btam_desktop.services.scales import preload_registry
    from btam_desktop.store import migrate

    configure_mappers()
    migrate.head_revision()
    if folder is not None and vault_files.is_vault(folder.expanduser()):
        preload_registry(folder)


def _signed_in(
    vault: Vault,
    username: str,
    accept_older_copy: bool = False,
    inspect: bool = False,
    *,
    check_later: bool = False,
) -> Btam:
    try:
        with vault.read() as session:
            account = session.execute(
                select(Account).where(func.lower(Account.username) == username.strip().lower())
            ).scalar_one_or_none()
        if account is None or not account.active:
            raise WrongCredentialsError()
        # The role is the one the vault key vouches for, not what the database row says.
        vouched = vault.role_of(account.username)
        if vouched is None:
            raise WrongCredentialsError()
        actor = Actor(account.id, account.username, account.display_name, Role(vouched))
        behind = vault.behind_anchor()
        inspecting = behind is not None and inspect and not accept_older_copy
        if behind is not None and not inspecting:
            if not accept_older_copy:
                raise behind
            if actor.role != Role.COORDINATOR:
                raise PermissionDeniedError(
                    "accept an older copy of the vault", actor.role.value, str(behind)
                )
        app = Btam(vault, actor)
        app.older_copy = behind if inspecting else None
        if behind is not None and not inspecting:
            with vault.write() as session:  # accepting an older copy must be on the record
                app.ctx.audit(
                    session, "vault.older_copy_accepted", "vault", "", behind.detail[:300]
                )
        _write_failed_attempts(vault, actor.username)
        # Waits in memory on a full disk or read-only media.
        app.ctx.record("vault.unlock", "vault", "", "older copy, inspected" if inspecting else "")
        app._sign_in_check = (not inspecting, behind is not None)
        if not check_later:
            app.finish_sign_in_check()
    except BaseException:
        vault.lock()
        raise
    return app


def _write_failed_attempts(vault: Vault, username: str) -> None:
    """The failed sign-ins noted since the last sign-in go into the trail, then the note is
    emptied. On read-only media or a full disk the note stays for a later sign-in."""
    failed = signin_failures.read(vault.folder)
    if not failed:
        return
    try:
        with vault.write() as session:
            write_failed_attempts(session, failed, username)
    except ReadOnlyVaultError:
        return
    except StorageUnavailableError as error:
        if error.disk_full:
            return
        raise
    signin_failures.clear(vault.folder)


def _quick_check(vault: Vault) -> str | None:
    """At sign-in: the trail (fully when small, else since this computer's anchor), the roles
    and the key file's roster. A description of the first problem, or None."""
    trust = vault.trust()
    if not vault.keyfile.roster_intact(vault.trusted_public):
        return "the key-slot file holds a slot the vault key does not vouch for"
    anchor = vault.anchor()
    if anchor is None and vault.anchor_on_file():
        return (
            "the record this computer keeps of the vault (its newest event and key "
            "generation) was altered, so an older copy could not be recognised"
        )
    with vault.read() as session:
        position, _ = audit.head(session)
        if anchor is not None and anchor.position <= position:
            report = audit.verify_since(session, anchor.position, anchor.head_hash, trust)
        elif position <= FULL_CHECK_AT_OPEN:
            report = audit.verify(session, trust=trust)
        else:  # a large vault seen here for the first time: its newest events, roles, states
            start = position - FULL_CHECK_AT_OPEN
            report = audit.verify_since(session, start, audit.hash_at(session, start) or "", trust)
    return None if report.ok else report.describe()


def _check_expected_head(session: object, report: ChainReport, expected: str) -> ChainReport:
    parts = expected.strip().split(":")
    if len(parts) != 3 or parts[0] != "btam-head" or not parts[1].isdigit():
        raise ValidationError(
            "That is not an audit head. It looks like btam-head:1234:9f2c… as printed by "
            "'btam audit head'."
        )
    position, digest = int(parts[1]), parts[2].lower()
    found = audit.hash_at(session, position)  # type: ignore[arg-type]
    if found is None:
        return ChainReport(
            False,
            report.events,
            report.head_hash,
            position,
            f"the trail has only {report.events} events, but the exported head was at event "
            f"{position} (events were cut off or an older copy was put back)",
            True,
        )
    if found != digest:
        return ChainReport(
            False,
            report.events,
            report.head_hash,
            position,
            "it differs from the exported head (the trail was rewritten up to there)",
            True,
        )
    return report


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
                summary="password reset with the recovery key; vault rekeyed",
            )
        vault.record_anchor()
    finally:
        vault.lock()


def vault_usernames(folder: Path) -> list[str]:
    """Names for the unlock screen (kept outside the encryption so the screen can list them)."""
    return vault_files.vault_usernames(folder)


ProgressCallback = Callable[[int, int, str], None]
