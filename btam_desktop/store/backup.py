"""Backup files: one authenticated file holding a consistent snapshot of the vault.

Layout (the database first, so it is written in place without a second copy):

    [SQLCipher database, still encrypted with the data key]
    [the key-slot file, as on disk]
    [manifest: UTF-8 JSON, no case content]
    [trailer: db length u64, keys length u32, manifest length u32, magic 8 bytes]
    [HMAC-SHA256 over everything before it, key derived from the data key and vault id]

The snapshot comes from SQLite's online backup API on a keyed connection, inside one read
transaction, so it is consistent while the program keeps writing (WAL readers do not block
writers). Nothing readable is ever written: the database pages stay encrypted. A backup is
written under a temporary name in the target folder, checked, sealed, flushed and renamed; a
failure or a cancel leaves no file behind.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import re
import shutil
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import sqlcipher3
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import Session

from btam_desktop import __version__
from btam_desktop.store import audit
from btam_desktop.store.engine import (
    SQLITE_FULL,
    KeyHolder,
    backup_result_code,
    connect_raw,
    make_engine,
)
from btam_desktop.store.errors import VaultError
from btam_desktop.store.keyfile_names import DB_NAME, KEYS_NAME
from btam_desktop.store.keyslots import KeyFile, fsync_dir

SUFFIX = ".btambackup"
MAGIC = b"BTAMBK01"
FORMAT = "btam-backup"
FORMAT_MAJOR = 1
_TRAILER = struct.Struct("<QII8s")
MAC_BYTES = 32
TAIL_BYTES = _TRAILER.size + MAC_BYTES
MAX_KEYS_BYTES = 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
CHUNK = 1024 * 1024
SNAPSHOT_PAGES_PER_STEP = 2048
SPACE_MARGIN = 4 * 1024 * 1024
CHECK_CACHE_KIB = 64 * 1024
DEFAULT_KEEP = 14
MONTHS_KEPT = 12
REGISTRY_NAME = "vault.backups.json"

# Tables whose row counts go into the manifest and are compared when a backup is checked.
COUNTED_TABLES = (
    "account",
    "case_file",
    "person",
    "concern_report",
    "timeline_entry",
    "case_note",
    "attachment",
    "level_decision",
    "disclosure",
    "workflow_transition",
    "assessment",
    "management_plan",
    "plan_intervention",
    "monitoring_entry",
    "draft",
    "audit_event",
)

Progress = Callable[[int, int, str], None]
_NAME_RE = re.compile(r"^btam-backup-([0-9a-f]{8})-(\d{8}T\d{6})Z(?:-(\d+))?\.btambackup$")


class BackupError(VaultError):
    """A backup could not be made, read or restored; the message says what to do."""


class BackupDamagedError(BackupError):
    def __init__(self, what: str) -> None:
        super().__init__(
            f"This backup cannot be used: {what}. Nothing was restored or changed. Choose "
            "another backup file."
        )


class NotEnoughSpaceError(BackupError):
    def __init__(self, needed: int, free: int, where: str) -> None:
        self.needed, self.free = needed, free
        super().__init__(
            f"The backup needs {human_size(needed)}, {human_size(free)} free on {where}. "
            "Free some space there or choose another backup folder. Nothing was written."
        )


def human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    if size < 1024**3:
        return f"{size / 1024 / 1024:.0f} MB"
    return f"{size / 1024**3:.1f} GB"


def where_label(folder: Path) -> str:
    """The drive (Windows) or the folder a person recognises, for space messages."""
    drive = os.path.splitdrive(str(folder))[0]
    return drive or str(folder)


# ---- manifest -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Manifest:
    created_at: datetime
    vault_id: str
    program_version: str
    schema_revision: str
    counts: dict[str, int]
    audit_events: int
    audit_head_hash: str
    created_by: str
    format: str = FORMAT
    format_major: int = FORMAT_MAJOR

    @property
    def cases(self) -> int:
        return self.counts.get("case_file", 0)

    def to_bytes(self) -> bytes:
        raw = asdict(self)
        raw["created_at"] = self.created_at.isoformat(timespec="seconds")
        return json.dumps(raw, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data.decode("utf-8"))
            if raw.get("format") != FORMAT:
                raise ValueError("not a backup manifest")
            major = raw["format_major"]
            if not isinstance(major, int) or major > FORMAT_MAJOR:
                raise BackupError(
                    "This backup was made by a newer version of BTAM Desktop. Install the newer "
                    "version to read it."
                )
            counts = raw["counts"]
            if not isinstance(counts, dict) or not all(
                isinstance(k, str) and isinstance(v, int) for k, v in counts.items()
            ):
                raise ValueError("bad counts")
            created = datetime.fromisoformat(raw["created_at"])
            if created.tzinfo is None:
                created = created.replace(tzinfo=UTC)
            return cls(
                created_at=created,
                vault_id=str(raw["vault_id"]),
                program_version=str(raw["program_version"]),
                schema_revision=str(raw["schema_revision"]),
                counts=dict(counts),
                audit_events=int(raw["audit_events"]),
                audit_head_hash=str(raw["audit_head_hash"]),
                created_by=str(raw["created_by"]),
            )
        except BackupError:
            raise
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupDamagedError("its description block is unreadable") from exc

    def describe(self) -> str:
        when = self.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        return (
            f"made {when} by {self.created_by}: {self.cases} cases, "
            f"{self.counts.get('account', 0)} team members, {self.audit_events} audit events"
        )


# ---- reading the container ------------------------------------------------------------------
@dataclass(frozen=True)
class BackupFile:
    """A backup's layout as read from its trailer. Not yet authenticated."""

    path: Path
    size: int
    db_length: int
    keys: KeyFile
    keys_bytes: bytes
    manifest: Manifest
    mac: bytes

    @property
    def body_length(self) -> int:
        return self.size - MAC_BYTES


def read_backup(path: Path) -> BackupFile:
    """Read the layout of a backup file. Refuses a file that is cut short or is no backup."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            if size < TAIL_BYTES:
                raise BackupDamagedError("the file is too short to be a backup (cut off?)")
            handle.seek(size - TAIL_BYTES)
            tail = handle.read(TAIL_BYTES)
            db_len, keys_len, manifest_len, magic = _TRAILER.unpack(tail[: _TRAILER.size])
            if magic != MAGIC:
                raise BackupDamagedError(
                    "the file does not end like a BTAM backup (it may be cut off, still being "
                    "written, or another kind of file)"
                )
            if (
                keys_len > MAX_KEYS_BYTES
                or manifest_len > MAX_MANIFEST_BYTES
                or db_len + keys_len + manifest_len + TAIL_BYTES != size
            ):
                raise BackupDamagedError("its parts do not add up to the file's size")
            handle.seek(db_len)
            keys_bytes = handle.read(keys_len)
            manifest_bytes = handle.read(manifest_len)
    except FileNotFoundError:
        raise BackupError(f"There is no file at {path}. Check the name and folder.") from None
    except OSError as exc:
        raise BackupError(f"The backup file could not be read: {_os_reason(exc)}.") from exc
    manifest = Manifest.from_bytes(manifest_bytes)
    try:
        keys = KeyFile.from_bytes(keys_bytes)
    except VaultError as exc:
        raise BackupDamagedError("its key slots are unreadable") from exc
    if keys.vault_id != manifest.vault_id:
        raise BackupDamagedError("its key slots belong to another vault")
    return BackupFile(path, size, db_len, keys, keys_bytes, manifest, tail[_TRAILER.size :])


def _mac_key(data_key: bytes, vault_id: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"btam-backup-mac|" + vault_id.encode(),
    ).derive(data_key)


def check_authentic(backup: BackupFile, data_key: bytes, progress: Progress | None = None) -> None:
    """Recompute the HMAC over the whole file; a flipped byte anywhere is refused."""
    if not backup.keys.is_authentic(data_key):
        raise BackupDamagedError("its key slots were changed after it was made")
    mac = hmac.new(_mac_key(data_key, backup.manifest.vault_id), digestmod=hashlib.sha256)
    done = 0
    with backup.path.open("rb") as handle:
        while done < backup.body_length:
            chunk = handle.read(min(CHUNK, backup.body_length - done))
            if not chunk:
                raise BackupDamagedError("the file is shorter than it says")
            mac.update(chunk)
            done += len(chunk)
            if progress:
                progress(done, backup.body_length, "Checking the backup's seal")
    if not hmac.compare_digest(mac.digest(), backup.mac):
        raise BackupDamagedError(
            "its contents were changed or damaged after it was made (the seal does not match)"
        )


def unlock_backup(backup: BackupFile, username: str, password: str) -> bytes:
    """The data key of the backup from a member's slot in it. A wrong password is refused."""
    from btam_desktop.store.errors import WrongCredentialsError

    slot = backup.keys.user_slot(username)
    if slot is None:
        raise WrongCredentialsError("user name or password for this backup")
    data_key = backup.keys.open_slot(slot, backup.keys.slot_kek(slot, password.encode("utf-8")))
    if data_key is None:
        raise WrongCredentialsError("user name or password for this backup")
    return data_key


# ---- checking a database snapshot -----------------------------------------------------------
@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    audit_events: int = 0
    audit_head_hash: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(
    db_path: Path,
    data_key: bytes,
    manifest: Manifest | None,
    progress: Progress | None = None,
) -> CheckReport:
    """Open a database file and run every check: it opens with the key, SQLCipher's page checks
    and SQLite's integrity check pass, the audit chain verifies, and counts match the manifest."""
    report = CheckReport()
    holder = KeyHolder(data_key)
    try:
        conn = connect_raw(db_path, holder)
    except (sqlcipher3.DatabaseError, VaultError):
        holder.drop()
        report.problems.append("the database does not open with its key")
        return report
    raised: list[BaseException] = []
    try:
        # integrity_check revisits pages; with SQLCipher every cache miss is a decryption, so
        # a 64 MiB cache makes it about three times faster on a 170 MB vault.
        conn.execute(f"PRAGMA cache_size = -{CHECK_CACHE_KIB}")
        if progress is not None:
            _install_cancel(conn, progress, raised)
        _tick(progress, 0, "Checking the encrypted pages")
        cipher = [r[0] for r in conn.execute("PRAGMA cipher_integrity_check")]
        report.problems += [f"encrypted page check: {p}" for p in cipher[:5]]
        _tick(progress, 1, "Checking the database structure")
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        report.problems += [f"integrity check: {p}" for p in integrity[:5] if p != "ok"]
        _tick(progress, 2, "Counting records")
        report.counts = count_rows(conn)
    except sqlcipher3.Error:
        if raised:
            raise raised[0] from None
        report.problems.append("the database does not read back correctly")
    finally:
        conn.close()
    if report.ok:
        _tick(progress, 3, "Checking the audit trail")
        engine = make_engine(db_path, holder, pool_size=1)
        try:
            with Session(engine) as session:
                chain = audit.verify(session)
        except Exception:
            report.problems.append("the audit trail cannot be read")
            chain = None
        finally:
            engine.dispose()
        if chain is not None:
            report.audit_events, report.audit_head_hash = chain.events, chain.head_hash
            if not chain.ok:
                report.problems.append(chain.describe())
    holder.drop()
    if manifest is not None and report.ok:
        for table, expected in sorted(manifest.counts.items()):
            found = report.counts.get(table)
            if found != expected:
                report.problems.append(f"{table} holds {found} rows, the backup says {expected}")
        if report.audit_head_hash != manifest.audit_head_hash:
            report.problems.append("the audit trail's last event differs from the backup's record")
    _tick(progress, 4, "Checked")
    return report


def _tick(progress: Progress | None, step: int, message: str) -> None:
    if progress is not None:
        progress(step, 4, message)


def _install_cancel(conn: Any, progress: Progress, raised: list[BaseException]) -> None:
    """Let a long PRAGMA be cancelled: the handler polls the progress callback, which raises
    once the person pressed Cancel; SQLite then interrupts the statement."""
    last = [time.monotonic()]

    def handler() -> int:
        now = time.monotonic()
        if now - last[0] < 0.2:
            return 0
        last[0] = now
        try:
            progress(-1, -1, "")
        except BaseException as exc:
            raised.append(exc)
            return 1
        return 0

    conn.set_progress_handler(handler, 1_000_000)


def count_rows(conn: Any) -> dict[str, int]:
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {
        t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])  # noqa: S608
        for t in COUNTED_TABLES
        if t in present
    }


# ---- writing --------------------------------------------------------------------------------
@dataclass(frozen=True)
class WrittenBackup:
    path: Path
    manifest: Manifest
    size: int
    seconds: float
    removed_by_rotation: tuple[Path, ...] = ()


def backup_name(vault_id: str, at: datetime) -> str:
    return f"btam-backup-{vault_id[:8]}-{at.astimezone(UTC).strftime('%Y%m%dT%H%M%S')}Z{SUFFIX}"


def _scaled(progress: Progress | None, start: int, span: int, message: str) -> Progress:
    def report(done: int, total: int, text: str = "") -> None:
        if progress is None:
            return
        if total <= 0:
            progress(start, 1000, message)
            return
        progress(start + span * min(done, total) // total, 1000, text or message)

    return report


def write_backup(
    source: Callable[[], Any],
    *,
    db_path: Path,
    keyfile: KeyFile,
    data_key: bytes,
    folder: Path,
    created_by: str,
    schema_revision: str,
    progress: Progress | None = None,
) -> WrittenBackup:
    """Snapshot the database through ``source()`` (a keyed raw connection) into ``folder``.

    ``progress(done, total, message)`` may raise to cancel; then nothing is left behind."""
    started = time.perf_counter()
    folder = folder.expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(
            f"The backup folder {folder} cannot be used: {_os_reason(exc)}. Choose another "
            "folder (for example a USB drive) in Settings."
        ) from exc
    if not os.access(folder, os.W_OK):
        raise BackupError(
            f"The backup folder {folder} is read-only. Choose a folder you can write to."
        )
    keys_bytes = keyfile.to_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    needed = db_path.stat().st_size + (wal.stat().st_size if wal.exists() else 0) + len(keys_bytes)
    needed += SPACE_MARGIN
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise NotEnoughSpaceError(needed, free, where_label(folder))

    now = datetime.now(UTC).replace(microsecond=0)
    final = _free_name(folder, backup_name(keyfile.vault_id, now))
    partial = folder / f".{final.name}.partial"
    try:
        manifest = _snapshot(
            source,
            partial,
            data_key,
            now,
            keyfile.vault_id,
            created_by,
            schema_revision,
            _scaled(progress, 0, 450, "Copying the database"),
        )
        report = check_database(
            partial, data_key, manifest, _scaled(progress, 450, 450, "Checking the copy")
        )
        _remove_sidecars(partial)
        if not report.ok:
            raise BackupError(
                "The new backup did not pass its checks ("
                + "; ".join(report.problems[:3])
                + "). It was not kept. Check the disk, then try again."
            )
        _seal(
            partial,
            keys_bytes,
            manifest,
            data_key,
            _scaled(progress, 900, 80, "Sealing the backup"),
        )
        os.replace(partial, final)
        fsync_dir(folder)
        check_authentic(read_backup(final), data_key, _scaled(progress, 980, 20, "Reading it back"))
    except BaseException as exc:
        # Whatever went wrong, and however late: no partial or unchecked file stays.
        for leftover in (partial, final):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
        _remove_sidecars(partial)
        if isinstance(exc, OSError):
            if exc.errno == errno.ENOSPC:
                raise BackupError(
                    f"The disk holding the backup folder ({where_label(folder)}) filled up "
                    "while the backup was written. Nothing was kept. Free some space or choose "
                    "another folder."
                ) from exc
            raise BackupError(
                f"The backup could not be written to {folder}: {_os_reason(exc)}. Nothing was "
                "kept; if it is a USB drive, check it is still plugged in."
            ) from exc
        if isinstance(exc, sqlcipher3.Error):
            if backup_result_code(exc) == SQLITE_FULL:
                raise BackupError(
                    f"The disk holding the backup folder ({where_label(folder)}) filled up "
                    "while the backup was written. Nothing was kept. Free some space or choose "
                    "another folder."
                ) from exc
            raise BackupError(
                "The backup could not be written (the database reported an error). Nothing "
                "was kept; check the backup folder and try again."
            ) from exc
        raise
    if progress:
        progress(1000, 1000, "Backup written and checked")
    return WrittenBackup(final, manifest, final.stat().st_size, time.perf_counter() - started)


def _free_name(folder: Path, name: str) -> Path:
    candidate = folder / name
    counter = 1
    while candidate.exists() or (folder / f".{candidate.name}.partial").exists():
        counter += 1
        candidate = folder / name.replace(SUFFIX, f"-{counter}{SUFFIX}")
    return candidate


def _remove_sidecars(db_file: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            db_file.with_name(db_file.name + suffix).unlink(missing_ok=True)


def _snapshot(
    source: Callable[[], Any],
    target: Path,
    data_key: bytes,
    now: datetime,
    vault_id: str,
    created_by: str,
    schema_revision: str,
    progress: Progress,
) -> Manifest:
    src = source()
    holder = KeyHolder(data_key)
    dst = sqlcipher3.connect(str(target), isolation_level=None, check_same_thread=False)
    try:
        dst.execute(holder.pragma())
        dst.execute("PRAGMA cipher_log_level = NONE")
        # One read transaction: the counts, the audit head and every copied page come from the
        # same moment, however much is written meanwhile.
        src.execute("BEGIN")
        counts = count_rows(src)
        head = src.execute(
            "SELECT value FROM vault_info WHERE key = ?", (audit.HEAD_HASH,)
        ).fetchone()
        events = counts.get("audit_event", 0)

        def step(_status: int, remaining: int, total: int) -> None:
            progress(total - remaining, max(total, 1), "Copying the database")

        src.backup(dst, pages=SNAPSHOT_PAGES_PER_STEP, progress=step)
        src.execute("COMMIT")
    finally:
        holder.drop()
        dst.close()
        src.close()
    with target.open("rb+") as handle:
        handle.flush()
        os.fsync(handle.fileno())
    return Manifest(
        created_at=now,
        vault_id=vault_id,
        program_version=__version__,
        schema_revision=schema_revision,
        counts=counts,
        audit_events=events,
        audit_head_hash=head[0] if head else audit.GENESIS,
        created_by=created_by,
    )


def _seal(
    path: Path, keys_bytes: bytes, manifest: Manifest, data_key: bytes, progress: Progress
) -> None:
    db_length = path.stat().st_size
    manifest_bytes = manifest.to_bytes()
    mac = hmac.new(_mac_key(data_key, manifest.vault_id), digestmod=hashlib.sha256)
    with path.open("r+b") as handle:
        done = 0
        while done < db_length:
            chunk = handle.read(min(CHUNK, db_length - done))
            if not chunk:
                raise BackupError("The database copy shrank while it was sealed. Try again.")
            mac.update(chunk)
            done += len(chunk)
            progress(done, db_length, "Sealing the backup")
        handle.seek(db_length)
        trailer = _TRAILER.pack(db_length, len(keys_bytes), len(manifest_bytes), MAGIC)
        for part in (keys_bytes, manifest_bytes, trailer):
            handle.write(part)
            mac.update(part)
        handle.write(mac.digest())
        handle.flush()
        os.fsync(handle.fileno())


# ---- extracting (for checks and restores) ---------------------------------------------------
def extract_database(backup: BackupFile, target: Path, progress: Progress | None = None) -> None:
    """Copy the (encrypted) database part of a backup to ``target``, flushed."""
    with backup.path.open("rb") as src, target.open("wb") as dst:
        _copy_range(src, dst, backup.db_length, progress)
        dst.flush()
        os.fsync(dst.fileno())


def _copy_range(src: BinaryIO, dst: BinaryIO, length: int, progress: Progress | None) -> None:
    done = 0
    while done < length:
        chunk = src.read(min(CHUNK, length - done))
        if not chunk:
            raise BackupDamagedError("the file is shorter than it says")
        dst.write(chunk)
        done += len(chunk)
        if progress:
            progress(done, length, "Copying the database out of the backup")


@contextlib.contextmanager
def extracted(backup: BackupFile, progress: Progress | None = None) -> Iterator[Path]:
    """The backup's encrypted database in a private temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="btam-check-") as tmp:
        target = Path(tmp) / DB_NAME
        extract_database(backup, target, progress)
        yield target


def verify_backup_file(
    path: Path, username: str, password: str, progress: Progress | None = None
) -> tuple[BackupFile, CheckReport]:
    """Everything a backup must pass before it may be trusted."""
    backup = read_backup(path)
    data_key = unlock_backup(backup, username, password)
    check_authentic(backup, data_key, _scaled(progress, 0, 300, "Checking the backup's seal"))
    with extracted(backup, _scaled(progress, 300, 200, "Copying out")) as db:
        report = check_database(
            db, data_key, backup.manifest, _scaled(progress, 500, 500, "Checking the copy")
        )
    return backup, report


def restore_files(
    backup: BackupFile, data_key: bytes, folder: Path, progress: Progress | None = None
) -> CheckReport:
    """Write the backup's database and key slots into ``folder`` (which holds no vault), then
    check them. The key-slot file comes last: until it exists the folder is not a vault."""
    db_target = folder / DB_NAME
    keys_target = folder / KEYS_NAME
    partial_db = folder / (DB_NAME + ".restoring")
    try:
        extract_database(backup, partial_db, _scaled(progress, 0, 400, "Copying out"))
        report = check_database(
            partial_db,
            data_key,
            backup.manifest,
            _scaled(progress, 400, 550, "Checking the restored vault"),
        )
        _remove_sidecars(partial_db)
        if not report.ok:
            raise BackupDamagedError("; ".join(report.problems[:3]))
        os.replace(partial_db, db_target)
        backup.keys.write(keys_target)
        fsync_dir(folder)
    except BaseException:
        for leftover in (partial_db, db_target, keys_target):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
        _remove_sidecars(partial_db)
        _remove_sidecars(db_target)
        raise
    if progress:
        progress(1000, 1000, "Restored and checked")
    return report


# ---- the backups of a folder, and rotation --------------------------------------------------
@dataclass(frozen=True)
class BackupEntry:
    path: Path
    created_at: datetime
    size: int


def list_backups(folder: Path, vault_id: str | None = None) -> list[BackupEntry]:
    """Backup files in ``folder`` (by name), newest first; of one vault if ``vault_id``."""
    entries: list[BackupEntry] = []
    try:
        names = list(folder.iterdir())
    except OSError:
        return []
    for path in names:
        match = _NAME_RE.match(path.name)
        if not match or (vault_id is not None and match.group(1) != vault_id[:8]):
            continue
        created = datetime.strptime(match.group(2), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        try:
            size = path.stat().st_size
        except OSError:
            continue
        entries.append(BackupEntry(path, created, size))
    entries.sort(key=lambda e: (e.created_at, e.path.name), reverse=True)
    return entries


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def backups_to_keep(
    entries: list[BackupEntry], keep_last: int, today: date | None = None
) -> set[Path]:
    """The newest ``keep_last``, plus the newest of each of the last twelve months."""
    today = today or datetime.now(UTC).date()
    ordered = sorted(entries, key=lambda e: e.created_at, reverse=True)
    keep = {e.path for e in ordered[: max(1, keep_last)]}
    oldest_month = _month_start(today, MONTHS_KEPT)
    seen_months: set[date] = set()
    for entry in ordered:
        month = _month_start(entry.created_at.date())
        if month >= oldest_month and month not in seen_months:
            seen_months.add(month)
            keep.add(entry.path)
    return keep


def rotate(
    folder: Path, vault_id: str, keep_last: int, today: date | None = None
) -> tuple[Path, ...]:
    entries = list_backups(folder, vault_id)
    keep = backups_to_keep(entries, keep_last, today)
    removed: list[Path] = []
    for entry in entries:
        if entry.path not in keep:
            with contextlib.suppress(OSError):
                entry.path.unlink()
                removed.append(entry.path)
    return tuple(removed)


def last_expiry(entries: list[BackupEntry], keep_last: int) -> date | None:
    """When rotation will have removed the last of ``entries`` if a backup is made every day
    from now on: a backup leaves the newest-N after about N days, and a month's newest stays
    for twelve months after that month."""
    if not entries:
        return None
    latest = date.min
    for entry in entries:
        made = entry.created_at.date()
        by_count = made + timedelta(days=keep_last + 1)
        month = _month_start(made)
        by_month = _month_start(month, -(MONTHS_KEPT + 1))
        latest = max(latest, by_count, by_month)
    return latest


# ---- what the vault folder remembers about its backups (readable without the key) ----------
@dataclass(frozen=True)
class KnownBackup:
    path: str
    created_at: str
    verified_at: str
    cases: int


def remember_backup(vault_folder: Path, path: Path, manifest: Manifest) -> None:
    """Note a verified backup beside the vault, so an error that stops the vault from opening
    can still name it. Holds a path, dates and a count; nothing of the records."""
    known = [k for k in known_backups(vault_folder) if Path(k.path).exists()]
    known = [k for k in known if k.path != str(path)]
    known.insert(
        0,
        KnownBackup(
            str(path),
            manifest.created_at.isoformat(timespec="seconds"),
            datetime.now(UTC).isoformat(timespec="seconds"),
            manifest.cases,
        ),
    )
    from btam_desktop.store.keyslots import write_atomic

    data = json.dumps({"backups": [asdict(k) for k in known[:60]]}, indent=1).encode()
    with contextlib.suppress(OSError):
        write_atomic(vault_folder / REGISTRY_NAME, data)


def known_backups(vault_folder: Path) -> list[KnownBackup]:
    try:
        raw = json.loads((vault_folder / REGISTRY_NAME).read_text("utf-8"))
        items = raw["backups"]
        found = [
            KnownBackup(
                str(i["path"]), str(i["created_at"]), str(i["verified_at"]), int(i["cases"])
            )
            for i in items
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    found.sort(key=lambda k: k.created_at, reverse=True)
    return found


def newest_verified_backup(vault_folder: Path) -> KnownBackup | None:
    for known in known_backups(vault_folder):
        if Path(known.path).is_file():
            return known
    return None


def restore_hint(vault_folder: Path | None) -> str:
    """The sentence error messages use instead of 'restore the latest backup'."""
    known = newest_verified_backup(vault_folder) if vault_folder is not None else None
    if known is None:
        return (
            "No checked backup of this vault is known. If you have one, restore it with "
            "“Restore from a backup…” on the sign-in screen; to make backups from now on, "
            "the coordinator sets a backup folder in Settings"
        )
    when = datetime.fromisoformat(known.created_at).astimezone().strftime("%Y-%m-%d %H:%M")
    return (
        f"The newest checked backup is {known.path} (made {when}); restore it with "
        "“Restore from a backup…” on the sign-in screen"
    )


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the folder is read-only or not yours to write"
    if exc.errno in (errno.ENOENT, errno.ENODEV, errno.EIO):
        return "the folder or drive is no longer there"
    return "the operating system refused"
