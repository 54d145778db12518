"""Why a vault does not open, or cannot be written: each cause told apart, each with what to do.

Key stamps. The first 16 bytes of a SQLCipher file are its salt, stored in the clear. The
program chooses that salt itself: 8 bytes derived from the vault id (the *vault mark*), then 8
bytes derived one-way from the data key (the *key stamp*). The key-slot file lists the stamp of
every key generation it has had. So, without any key, the database header says which vault and
which key generation wrote it, and a key file that does not fit is named for what it is (older,
newer, another vault's) instead of being called damage. A stamp reveals nothing of the key.

Storage. Read-only media and a full disk are found before anything is written, and long writes
(re-encrypting, copying before an upgrade) check free space first and say how much they need.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import shutil
import stat
from pathlib import Path

from btam_desktop.store.errors import (
    KeyFileMismatchError,
    NotEnoughSpaceError,
    VaultDamagedError,
    VaultError,
    restore_advice,
)
from btam_desktop.store.keyfile_names import BACKUP_DIR, DB_NAME, KEYS_NAME, NEXT_KEYS_NAME
from btam_desktop.store.keyslots import KeyFile

MARK_BYTES = 8
STAMP_BYTES = 8
HEADER_SALT_BYTES = MARK_BYTES + STAMP_BYTES
SPACE_MARGIN = 2 * 1024 * 1024  # room for the key file, the lock file and SQLite's bookkeeping


# ---- key stamps ----------------------------------------------------------------------------
def vault_mark(vault_id: str) -> bytes:
    return hashlib.sha256(b"btam-db-mark|" + vault_id.encode()).digest()[:MARK_BYTES]


def key_stamp(data_key: bytes, vault_id: str) -> str:
    """A public, one-way fingerprint of a data key (hex)."""
    digest = hmac.new(data_key, b"btam-key-stamp|" + vault_id.encode(), hashlib.sha256).digest()
    return digest[:STAMP_BYTES].hex()


def database_salt(data_key: bytes, vault_id: str) -> bytes:
    """The SQLCipher salt a database keyed with ``data_key`` carries in its header."""
    return vault_mark(vault_id) + bytes.fromhex(key_stamp(data_key, vault_id))


def rekey_pragma(new_key: bytes, vault_id: str) -> str:
    """The statement that re-encrypts a database with ``new_key`` and gives its header the new
    key's stamp. Every rekey should use it (and ``record_stamp`` on the new key file)."""
    return "PRAGMA rekey = \"x'" + new_key.hex() + database_salt(new_key, vault_id).hex() + "'\""


def record_stamp(keyfile: KeyFile, data_key: bytes) -> None:
    """Note the stamp of ``keyfile``'s current generation (before it is authenticated)."""
    keyfile.key_stamps[keyfile.generation] = key_stamp(data_key, keyfile.vault_id)


def header_salt(db_path: Path) -> bytes | None:
    try:
        with db_path.open("rb") as handle:
            head = handle.read(HEADER_SALT_BYTES)
    except OSError:
        return None
    return head if len(head) == HEADER_SALT_BYTES else None


def diagnose_key_mismatch(folder: Path, keyfile: KeyFile, data_key: bytes) -> VaultError:
    """The password opened ``keyfile`` but its data key does not open the database: say why."""
    header = header_salt(folder / DB_NAME)
    if header is None:
        return VaultDamagedError("the database file is too short to be a vault")
    mark, stamp = header[:MARK_BYTES], header[MARK_BYTES:].hex()
    if mark != vault_mark(keyfile.vault_id):
        if not keyfile.key_stamps:  # a vault made before stamps existed: nothing more is known
            return VaultDamagedError(
                "the database does not open with its key (the file may be damaged)"
            )
        return KeyFileMismatchError(
            "it belongs to another vault, or the start of the database file is damaged",
            "Check that 'vault.keys' and 'vault.db' come from the same vault folder. "
            + _advice(folder),
        )
    if hmac.compare_digest(stamp, key_stamp(data_key, keyfile.vault_id)):
        return VaultDamagedError(
            "the database does not open with its own key (the start of the file is damaged)"
        )
    older = sorted(g for g, s in keyfile.key_stamps.items() if s == stamp)
    if older:
        return KeyFileMismatchError(
            f"the database is an older copy (key generation {older[-1]}) than the key-slot file "
            f"(generation {keyfile.generation}); the vault was re-encrypted, for example when a "
            "member was removed, after that database was saved",
            "Put back the newest 'vault.db' that was saved together with this 'vault.keys' "
            "(with its 'vault.db-wal' file if there is one), then open the vault again. "
            + _advice(folder),
        )
    pending = folder / NEXT_KEYS_NAME
    if pending.exists() and _stamp_of(pending, keyfile.vault_id) == stamp:
        return KeyFileMismatchError(
            "re-encrypting the vault with a new key was interrupted, and your account is not "
            "in the new key-slot file",
            "A team member who still belongs to the team finishes it by opening the vault. "
            "If you should still have access, ask your coordinator.",
        )
    match = matching_key_file(folder, keyfile.vault_id, stamp)
    what = (
        f"it is older (key generation {keyfile.generation}) than the database, "
        "which was re-encrypted after it was saved (for example when a member was removed)"
    )
    if match is not None:
        return KeyFileMismatchError(
            what,
            f"The key-slot file that belongs to this database is '{match}'. Copy it over "
            f"'{folder / KEYS_NAME}', then open the vault again.",
        )
    return KeyFileMismatchError(
        what,
        "Put back the newest 'vault.keys' that was saved together with this database, then "
        "open the vault again. " + _advice(folder),
    )


def _advice(folder: Path) -> str:
    from btam_desktop.store.backup import restore_hint  # late: avoids an import cycle

    return restore_advice(restore_hint(folder))


def matching_key_file(folder: Path, vault_id: str, stamp: str) -> Path | None:
    """A key-slot file in the vault folder (or its backups) whose current key has ``stamp``."""
    skip = {KEYS_NAME, NEXT_KEYS_NAME, KEYS_NAME + ".writing"}
    candidates = [p for p in folder.glob("*.keys*") if p.name not in skip]
    backups = folder / BACKUP_DIR
    if backups.is_dir():
        candidates += sorted(backups.rglob(KEYS_NAME), reverse=True)
    return next((p for p in candidates if _stamp_of(p, vault_id) == stamp), None)


def _stamp_of(path: Path, vault_id: str) -> str | None:
    """The current key stamp of the key-slot file at ``path`` if it is this vault's."""
    try:
        other = KeyFile.read(path)
    except VaultError:
        return None
    return other.key_stamps.get(other.generation) if other.vault_id == vault_id else None


# ---- storage -------------------------------------------------------------------------------
def is_read_only_location(folder: Path) -> bool:
    """True when the vault cannot be written where it is: a write-protected drive, a read-only
    mount or share, or a folder or database file whose permissions forbid writing. A full disk
    is not read-only."""
    statvfs = getattr(os, "statvfs", None)
    if statvfs is not None:
        try:
            if statvfs(folder).f_flag & os.ST_RDONLY:
                return True
        except OSError:
            pass
    probe = folder / f".btam-write-check-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        return exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    os.close(fd)
    probe.unlink(missing_ok=True)
    db = folder / DB_NAME
    return db.exists() and not os.access(db, os.W_OK)


ROOM_TO_OPEN = 512 * 1024  # SQLite's shared-memory file and the first pages of its log


def no_room_to_open(folder: Path) -> bool:
    """Too little room for SQLite to open the vault for writing, and nothing waiting in a -wal
    file (which could only be read by opening it that way)."""
    wal = folder / (DB_NAME + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return False
    try:
        return free_bytes(folder) < ROOM_TO_OPEN
    except OSError:
        return False


def free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def require_free_space(folder: Path, needed: int, action: str) -> None:
    """Refuse, before starting, a write that needs ``needed`` bytes more than are free."""
    free = free_bytes(folder)
    if free < needed:
        raise NotEnoughSpaceError(action, needed, free)


def database_bytes(db_path: Path) -> int:
    """The database with its write-ahead log: what a copy or a re-encryption rewrites."""
    total = 0
    for name in (db_path.name, db_path.name + "-wal"):
        path = db_path.with_name(name)
        if path.exists():
            total += path.stat().st_size
    return total


def rekey_space_needed(db_path: Path) -> int:
    """Re-encrypting writes every page once more into the write-ahead log before it is folded
    back, so it needs about the database's size free, plus a margin."""
    return database_bytes(db_path) * 11 // 10 + SPACE_MARGIN


def copy_space_needed(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.exists()) + SPACE_MARGIN


# ---- file modes ----------------------------------------------------------------------------
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


VAULT_FILES = (
    DB_NAME,
    DB_NAME + "-wal",
    DB_NAME + "-shm",
    KEYS_NAME,
    NEXT_KEYS_NAME,
    "vault.lock",
)
VAULT_DIRS = (BACKUP_DIR, "forms")


def make_private(folder: Path) -> None:
    """The vault's files 0600 and its folders 0700, whatever the umask (POSIX only; on Windows
    the folder inherits the protection of the user's profile). Only the vault's own files are
    touched, and the folder itself only when it holds nothing else: a vault made inside a
    folder the person also uses for other things does not change that folder. Best effort."""
    if os.name == "nt":
        return
    try:
        names = {p.name for p in folder.iterdir()}
        for name in names & set(VAULT_FILES):
            if not (folder / name).is_symlink():
                _chmod(folder / name, PRIVATE_FILE)
        for name in names & set(VAULT_DIRS):
            if not (folder / name).is_symlink():
                _chmod(folder / name, PRIVATE_DIR)
        if names <= set(VAULT_FILES) | set(VAULT_DIRS) | {p for p in names if p.startswith(".")}:
            _chmod(folder, PRIVATE_DIR)
    except OSError:
        pass


def _chmod(path: Path, mode: int) -> None:
    if stat.S_IMODE(path.stat().st_mode) != mode:
        path.chmod(mode)
