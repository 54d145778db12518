"""Backups and restores: the use cases behind File ▸ Back up now, the dashboard tile, the
automatic daily backup and ``btam backup``.

A backup is one sealed file (see ``store/backup.py``). Making one is open to every role, into
the folder the coordinator chose; a backup to another folder and every restore are for the
coordinator. Each is audited without content.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from btam_desktop.services.context import ServiceContext
from btam_desktop.services.permissions import Permission
from btam_desktop.services.settings import load_settings
from btam_desktop.store import backup as store_backup
from btam_desktop.store.backup import BackupEntry as BackupEntry
from btam_desktop.store.backup import BackupError as BackupError
from btam_desktop.store.backup import CheckReport, KnownBackup
from btam_desktop.store.backup import Manifest as Manifest
from btam_desktop.store.backup import WrittenBackup as WrittenBackup
from btam_desktop.store.errors import ValidationError
from btam_desktop.store.keyfile_names import DB_NAME, KEYS_NAME
from btam_desktop.store.keyslots import fsync_dir
from btam_desktop.store.vault import is_vault

Progress = Callable[[int, int, str], None]
AUTO_INTERVAL = timedelta(hours=24)


@dataclass(frozen=True)
class BackupStatus:
    """What the dashboard tile and the status bar say."""

    folder: str
    last_good: datetime | None
    last_path: str
    warn_days: int
    auto: bool

    @property
    def has_folder(self) -> bool:
        return bool(self.folder)

    @property
    def age(self) -> timedelta | None:
        return None if self.last_good is None else datetime.now(UTC) - self.last_good

    @property
    def is_stale(self) -> bool:
        age = self.age
        return age is None or age > timedelta(days=self.warn_days)

    @property
    def auto_due(self) -> bool:
        age = self.age
        return self.auto and self.has_folder and (age is None or age >= AUTO_INTERVAL)

    def headline(self) -> str:
        if not self.has_folder:
            return "No backup folder is set"
        if self.last_good is None:
            return "No backup yet"
        return "Last backup " + _ago(self.age or timedelta())

    def advice(self) -> str:
        if not self.has_folder:
            return (
                "Choose a backup folder (a USB drive or a network folder) in Settings, then "
                "use File ▸ Back up now."
            )
        if self.last_good is None:
            return "Use File ▸ Back up now to make the first backup."
        when = self.last_good.astimezone().strftime("%Y-%m-%d %H:%M")
        if self.is_stale:
            return (
                f"The last checked backup was made {when}, more than {self.warn_days} days "
                "ago. Use File ▸ Back up now (is the backup drive plugged in?)."
            )
        return f"Checked backup made {when}."


def _ago(age: timedelta) -> str:
    if age < timedelta(minutes=2):
        return "just now"
    if age < timedelta(hours=2):
        return f"{int(age.total_seconds() // 60)} minutes ago"
    if age < timedelta(days=2):
        return f"{int(age.total_seconds() // 3600)} hours ago"
    return f"{age.days} days ago"


@dataclass(frozen=True)
class VerifyResult:
    path: Path
    manifest: Manifest
    report: CheckReport

    @property
    def ok(self) -> bool:
        return self.report.ok

    def describe(self) -> str:
        if self.ok:
            return f"Backup intact: {self.manifest.describe()}."
        return "Backup NOT usable: " + "; ".join(self.report.problems[:5])


@dataclass(frozen=True)
class RestoreResult:
    folder: Path
    manifest: Manifest
    stale_members: tuple[str, ...]  # slots of people no longer on the team


class BackupService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @property
    def available(self) -> bool:
        """Backups are files of a vault on this computer; whoever runs a team server backs it up."""
        return not self.ctx.vault.on_team_server

    def status(self) -> BackupStatus:
        settings = load_settings(self.ctx)
        known = self._newest_in_folder(settings.backup_folder)
        return BackupStatus(
            folder=settings.backup_folder,
            last_good=None if known is None else datetime.fromisoformat(known.created_at),
            last_path="" if known is None else known.path,
            warn_days=settings.backup_warn_days,
            auto=bool(settings.auto_backup),
        )

    def _newest_in_folder(self, folder: str) -> KnownBackup | None:
        for known in store_backup.known_backups(self.ctx.vault.folder):
            path = Path(known.path)
            if path.is_file() and (not folder or path.parent == Path(folder).expanduser()):
                return known
        return None

    def create(self, folder: Path | None = None, progress: Progress | None = None) -> WrittenBackup:
        """Back up into ``folder`` (coordinator) or the team's backup folder, then rotate."""
        if not self.available:
            raise ValidationError(
                "A team server is backed up by whoever runs it, not from this computer. To keep "
                "a copy here, move the team into a vault (btam server move --to-vault)."
            )
        settings = load_settings(self.ctx)
        team_folder = Path(settings.backup_folder).expanduser() if settings.backup_folder else None
        if folder is None or (team_folder is not None and folder.expanduser() == team_folder):
            self.ctx.require(Permission.BACK_UP, "backup")
            if team_folder is None:
                raise ValidationError(
                    "No backup folder is set. The coordinator chooses one in Settings (a USB "
                    "drive or a network folder)."
                )
            target = team_folder
        else:
            self.ctx.require(Permission.MANAGE_BACKUPS, "backup")
            target = folder.expanduser()
        if target.resolve() == self.ctx.vault.folder.resolve():
            raise ValidationError(
                "Choose a backup folder outside the vault folder, ideally on another drive: a "
                "backup on the same disk is lost with it."
            )
        try:
            written = self.ctx.vault.write_backup(target, self.ctx.actor.username, progress)
        except BackupError:
            with self.ctx.vault.write() as session:
                self.ctx.audit(session, "backup.failed", "backup", "", "backup not written")
            raise
        removed = store_backup.rotate(target, self.ctx.vault.vault_id, settings.backup_keep)
        with self.ctx.vault.write() as session:
            self.ctx.audit(
                session,
                "backup.create",
                "backup",
                written.path.name[:32],
                f"backup of {written.manifest.cases} cases written and checked; "
                f"{len(removed)} older removed by rotation",
            )
        return WrittenBackup(
            written.path, written.manifest, written.size, written.seconds, tuple(removed)
        )

    def in_folder(self, folder: Path | None = None) -> list[BackupEntry]:
        settings = load_settings(self.ctx)
        where = folder or (Path(settings.backup_folder) if settings.backup_folder else None)
        if where is None:
            return []
        return store_backup.list_backups(where.expanduser(), self.ctx.vault.vault_id)

    def verify(self, path: Path, password: str, progress: Progress | None = None) -> VerifyResult:
        result = verify_backup(path, self.ctx.actor.username, password, progress)
        if result.ok and result.manifest.vault_id == self.ctx.vault.vault_id:
            store_backup.remember_backup(self.ctx.vault.folder, path, result.manifest)
        with self.ctx.vault.write() as session:
            self.ctx.audit(
                session,
                "backup.verify",
                "backup",
                path.name[:32],
                "intact" if result.ok else "damaged",
            )
        return result

    def restore_in_place(
        self, path: Path, password: str, progress: Progress | None = None
    ) -> RestoreResult:
        """Replace this vault with the backup. The vault is locked first; the replaced files
        are kept aside until the restored vault has passed every check, then removed. The
        caller signs in again afterwards."""
        self.ctx.require(Permission.MANAGE_BACKUPS, "backup")
        username = self.ctx.actor.username
        backup = store_backup.read_backup(path)
        data_key = store_backup.unlock_backup(backup, username, password)
        store_backup.check_authentic(backup, data_key)
        if backup.manifest.vault_id != self.ctx.vault.vault_id:
            raise ValidationError(
                "This backup is of another vault. Restore it into a new folder instead."
            )
        current_members = set(self.ctx.vault.keyfile.usernames())
        with self.ctx.vault.write() as session:
            self.ctx.audit(
                session,
                "backup.restore_in_place",
                "backup",
                path.name[:32],
                f"replaced by backup made {backup.manifest.created_at:%Y-%m-%d %H:%M} UTC",
            )
        folder = self.ctx.vault.folder
        self.ctx.vault.checkpoint()
        self.ctx.vault.lock()
        aside = folder / f"replaced-{datetime.now(UTC):%Y%m%dT%H%M%S}"
        aside.mkdir()
        moved: list[str] = []
        try:
            for name in (KEYS_NAME, DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
                if (folder / name).exists():
                    os.replace(folder / name, aside / name)
                    moved.append(name)
            fsync_dir(folder)
            store_backup.restore_files(backup, data_key, folder, progress)
        except BaseException:
            for name in moved:
                with contextlib.suppress(OSError):
                    os.replace(aside / name, folder / name)
            fsync_dir(folder)
            with contextlib.suppress(OSError):
                aside.rmdir()
            raise
        shutil.rmtree(aside, ignore_errors=True)
        _audit_restored(folder, username, password, backup.manifest)
        stale = tuple(sorted(set(backup.keys.usernames()) - current_members, key=str.casefold))
        return RestoreResult(folder, backup.manifest, stale)


def verify_backup(
    path: Path, username: str, password: str, progress: Progress | None = None
) -> VerifyResult:
    """Check a backup file with a member's password (no open vault needed)."""
    backup, report = store_backup.verify_backup_file(path, username, password, progress)
    return VerifyResult(path, backup.manifest, report)


def read_manifest(path: Path) -> Manifest:
    """What a backup says about itself (date, counts), before its seal is checked."""
    return store_backup.read_backup(path).manifest


def restore_to_new_folder(
    path: Path,
    target: Path,
    username: str,
    password: str,
    *,
    current_members: set[str] | None = None,
    progress: Progress | None = None,
) -> RestoreResult:
    """Restore a backup into an empty (or new) folder. Only a coordinator's password restores.
    ``current_members`` (user names of today's vault) lets the result name stale slots."""
    backup = store_backup.read_backup(path)
    data_key = store_backup.unlock_backup(backup, username, password)
    store_backup.check_authentic(backup, data_key)
    target = target.expanduser()
    if is_vault(target):
        raise ValidationError(
            f"{target} already holds a vault. Choose an empty folder, or restore in place from "
            "the program's File menu."
        )
    if target.exists() and any(target.iterdir()):
        raise ValidationError(f"{target} is not empty. Choose an empty or new folder.")
    target.mkdir(parents=True, exist_ok=True)
    (target / "backups").mkdir(exist_ok=True)
    (target / "forms").mkdir(exist_ok=True)
    store_backup.restore_files(backup, data_key, target, progress)
    role = _restored_role(target, username, password)
    if role != "coordinator":
        for name in (DB_NAME, KEYS_NAME):
            (target / name).unlink(missing_ok=True)
        raise ValidationError(
            "Only a coordinator of the backed-up team may restore it. Nothing was restored."
        )
    _audit_restored(target, username, password, backup.manifest)
    stale: tuple[str, ...] = ()
    if current_members is not None:
        stale = tuple(sorted(set(backup.keys.usernames()) - current_members, key=str.casefold))
    return RestoreResult(target, backup.manifest, stale)


def _restored_role(folder: Path, username: str, password: str) -> str:
    from sqlalchemy import func, select

    from btam_desktop.domain.models import Account
    from btam_desktop.store.vault import Vault

    vault = Vault.open(folder, username, password)
    try:
        with vault.read() as session:
            account = session.execute(
                select(Account).where(func.lower(Account.username) == username.strip().lower())
            ).scalar_one_or_none()
        if account is None or not account.active:
            return ""
        # The role the vault key vouches for, not what the database row says.
        return vault.role_of(account.username) or ""
    finally:
        vault.lock()


def _audit_restored(folder: Path, username: str, password: str, manifest: Manifest) -> None:
    from btam_desktop.store import audit
    from btam_desktop.store.vault import Vault

    vault = Vault.open(folder, username, password)
    try:
        with vault.write() as session:
            audit.append(
                session,
                username=username,
                action="backup.restored",
                entity_kind="vault",
                entity_id=vault.vault_id[:12],
                summary=f"restored from the backup made {manifest.created_at:%Y-%m-%d %H:%M} UTC",
            )
        # A coordinator chose this older copy: this computer's rollback anchor follows it, so
        # the restored vault is not taken for an older copy put back behind the team's back.
        vault.record_anchor(accept_lower=True)
    finally:
        vault.lock()


def remove_stale_members(
    folder: Path,
    username: str,
    password: str,
    names: tuple[str, ...],
    progress: Progress | None = None,
) -> None:
    """Remove the restored vault's slots of people no longer on the team and rekey (the same
    removal as Team ▸ Remove), so their old passwords stop opening it."""
    from btam_desktop.services.app import unlock

    app = unlock(folder, username, password)
    try:
        wanted = {n.casefold() for n in names}
        for member in app.team.members():
            if member.username.casefold() in wanted and member.id is not None:
                app.team.remove_member(member.id, progress)
    finally:
        app.lock()
