"""A vault: one folder holding the encrypted database, its key slots, backups and custom forms.

Opening a vault: the password unlocks the person's key slot (a wrong one fails the GCM tag,
before SQLCipher is touched), the slot yields the data key, and the data key opens the
database. Locking disposes the engine and forgets the key.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
import sqlcipher3
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from btam_desktop.domain import passwords
from btam_desktop.domain.models import VaultInfo
from btam_desktop.store import crypto, migrate
from btam_desktop.store.engine import KeyHolder, connect_raw, make_engine, translate_db_error
from btam_desktop.store.errors import (
    StorageUnavailableError,
    ValidationError,
    VaultDamagedError,
    VaultError,
    VaultExistsError,
    VaultNotFoundError,
    VaultTooNewError,
    WrongCredentialsError,
    WrongRecoveryKeyError,
)
from btam_desktop.store.keyfile_names import (
    BACKUP_DIR,
    DB_NAME,
    FORMS_DIR,
    KEYS_NAME,
    NEXT_KEYS_NAME,
)
from btam_desktop.store.keyslots import SLOT_RECOVERY, SLOT_USER, KeyFile, KeySlot, fsync_dir
from btam_desktop.store.lockfile import VaultLock
from btam_desktop.store.search import IndexedSession

# Crockford's base32: no I, L, O or U, so a recovery key read aloud or handwritten is unambiguous.
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_CHARS = 32  # 160 bits
RECOVERY_GROUP = 4

ProgressCallback = Callable[[int, int, str], None]


def default_vault_dir() -> Path:
    """Where a vault lives unless the person chooses another folder."""
    return Path(platformdirs.user_data_dir("BTAM Desktop", appauthor=False)) / "vault"


def new_recovery_key() -> str:
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CHARS))
    return format_recovery_key(chars)


def format_recovery_key(chars: str) -> str:
    return "-".join(chars[i : i + RECOVERY_GROUP] for i in range(0, len(chars), RECOVERY_GROUP))


def normalize_recovery_key(typed: str) -> str:
    """Accept what a person types from the sheet: any case, spaces, dashes, O for 0, I/L for 1."""
    cleaned = typed.upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return "".join(ch for ch in cleaned if ch in RECOVERY_ALPHABET)


def is_vault(folder: Path) -> bool:
    return (folder / KEYS_NAME).is_file() and (folder / DB_NAME).is_file()


@dataclass(frozen=True)
class Principal:
    """Who unlocked: a user slot (username) or the recovery slot (username None)."""

    username: str | None
    slot_id: str

    @property
    def via_recovery(self) -> bool:
        return self.username is None


class Vault:
    def __init__(
        self,
        folder: Path,
        keyfile: KeyFile,
        data_key: bytes,
        lock: VaultLock,
        principal: Principal,
        slot_key: bytes,
    ) -> None:
        self.folder = folder
        self.db_path = folder / DB_NAME
        self.keys_path = folder / KEYS_NAME
        self.keyfile = keyfile
        self.principal = principal
        self._slot_key: bytes | None = slot_key
        self._lock = lock
        self._keys = KeyHolder(data_key)
        self._engine: Engine | None = make_engine(self.db_path, self._keys)

    # ---- properties ------------------------------------------------------------------------
    @property
    def vault_id(self) -> str:
        return self.keyfile.vault_id

    @property
    def is_open(self) -> bool:
        return self._engine is not None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise VaultError("The vault is locked. Unlock it to continue.")
        return self._engine

    @property
    def slot_key(self) -> bytes:
        """The unwrapping key of the slot this session opened with (for 'remember me')."""
        if self._slot_key is None:
            raise VaultError("The vault is locked. Unlock it to continue.")
        return self._slot_key

    @property
    def forms_dir(self) -> Path:
        return self.folder / FORMS_DIR

    @property
    def backup_dir(self) -> Path:
        return self.folder / BACKUP_DIR

    # ---- creating and opening --------------------------------------------------------------
    @classmethod
    def create(
        cls,
        folder: Path,
        *,
        username: str,
        password: str,
        kdf_params: crypto.KdfParams | None = None,
        enforce_password_policy: bool = True,
    ) -> tuple[Vault, str]:
        """Make a new vault with one user slot and a recovery slot. Returns (vault, recovery key).

        ``enforce_password_policy`` is off only for the fictional demo vault."""
        folder = folder.expanduser().resolve()
        if (folder / KEYS_NAME).exists() or (folder / DB_NAME).exists():
            raise VaultExistsError(str(folder))
        if enforce_password_policy:
            _check_new_password(password)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / FORMS_DIR).mkdir(exist_ok=True)
            (folder / BACKUP_DIR).mkdir(exist_ok=True)
        except OSError as exc:
            raise StorageUnavailableError(_os_reason(exc)) from exc
        params = kdf_params or crypto.tune_params()
        lock = VaultLock(folder)
        lock.acquire()
        try:
            data_key = os.urandom(crypto.DATA_KEY_BYTES)
            keyfile = KeyFile(vault_id=uuid.uuid4().hex)
            user_slot, user_kek = keyfile.new_slot(
                SLOT_USER, username.strip(), password.encode("utf-8"), data_key, params
            )
            recovery = new_recovery_key()
            recovery_slot, _ = keyfile.new_slot(
                SLOT_RECOVERY,
                None,
                normalize_recovery_key(recovery).encode("ascii"),
                data_key,
                params,
            )
            keyfile.slots = [user_slot, recovery_slot]
            holder = KeyHolder(data_key)
            conn = connect_raw(folder / DB_NAME, holder)
            conn.close()
            vault = cls(
                folder,
                keyfile,
                data_key,
                lock,
                Principal(user_slot.username, user_slot.slot_id),
                user_kek,
            )
            migrate.upgrade(vault.engine)
            with vault.write() as session:
                session.merge(VaultInfo(key="schema_major", value=str(migrate.SCHEMA_MAJOR)))
                session.merge(VaultInfo(key="vault_id", value=keyfile.vault_id))
            # The key file is written last: until it exists the folder is not a vault.
            keyfile.authenticate(data_key)
            keyfile.write(folder / KEYS_NAME)
        except BaseException as exc:
            if "vault" in locals():
                vault._dispose()
            for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
                (folder / name).unlink(missing_ok=True)  # no half-made vault left behind
            lock.release()
            if isinstance(exc, OSError):
                raise StorageUnavailableError(_os_reason(exc)) from exc
            raise
        return vault, recovery

    @classmethod
    def open(cls, folder: Path, username: str, password: str) -> Vault:
        def unlock(keyfile: KeyFile) -> tuple[Principal, bytes, bytes] | None:
            slot = keyfile.user_slot(username)
            if slot is None:
                return None
            kek = keyfile.slot_kek(slot, password.encode("utf-8"))
            data_key = keyfile.open_slot(slot, kek)
            if data_key is None:
                return None
            return Principal(slot.username, slot.slot_id), kek, data_key

        return cls._open(folder, unlock, WrongCredentialsError())

    @classmethod
    def open_with_slot_key(cls, folder: Path, username: str, slot_key: bytes) -> Vault:
        """Open with a remembered slot key from the OS keyring."""

        def unlock(keyfile: KeyFile) -> tuple[Principal, bytes, bytes] | None:
            slot = keyfile.user_slot(username)
            if slot is None:
                return None
            data_key = keyfile.open_slot(slot, slot_key)
            if data_key is None:
                return None
            return Principal(slot.username, slot.slot_id), slot_key, data_key

        return cls._open(folder, unlock, WrongCredentialsError("remembered key"))

    @classmethod
    def open_with_recovery(cls, folder: Path, recovery_key: str) -> Vault:
        normalized = normalize_recovery_key(recovery_key)

        def unlock(keyfile: KeyFile) -> tuple[Principal, bytes, bytes] | None:
            slot = keyfile.recovery_slot()
            if slot is None or len(normalized) != RECOVERY_CHARS:
                return None
            kek = keyfile.slot_kek(slot, normalized.encode("ascii"))
            data_key = keyfile.open_slot(slot, kek)
            if data_key is None:
                return None
            return Principal(None, slot.slot_id), kek, data_key

        return cls._open(folder, unlock, WrongRecoveryKeyError())

    @classmethod
    def _open(
        cls,
        folder: Path,
        unlock: Callable[[KeyFile], tuple[Principal, bytes, bytes] | None],
        wrong: VaultError,
    ) -> Vault:
        folder = folder.expanduser().resolve()
        if not is_vault(folder):
            raise VaultNotFoundError(str(folder))
        keyfile = KeyFile.read(folder / KEYS_NAME)
        if (folder / DB_NAME).stat().st_size == 0:
            raise VaultDamagedError("the database file is empty")
        lock = VaultLock(folder)
        lock.acquire()
        try:
            opened = unlock(keyfile)
            if opened is None:
                raise wrong
            principal, kek, data_key = opened
            keyfile, principal, kek, data_key = _finish_interrupted_rekey(
                folder, keyfile, principal, kek, data_key, unlock
            )
            if not keyfile.is_authentic(data_key):
                raise VaultDamagedError("the key-slot file was changed outside the program")
            vault = cls(folder, keyfile, data_key, lock, principal, kek)
            try:
                vault._prepare_schema()
            except BaseException:
                vault._dispose()
                raise
            return vault
        except BaseException:
            lock.release()
            raise

    def _prepare_schema(self) -> None:
        try:
            current = migrate.current_revision(self.engine)
        except (OperationalError, DBAPIError) as exc:
            raise _translated(exc) from exc
        if current is None:
            # create() migrates before the key file exists: no schema here means damage.
            raise VaultDamagedError("the database holds no vault tables")
        with self.read() as session:
            major_row = session.get(VaultInfo, "schema_major")
        major = int(major_row.value) if major_row and major_row.value.isdigit() else 0
        if major > migrate.SCHEMA_MAJOR:
            raise VaultTooNewError(major, migrate.SCHEMA_MAJOR)
        if current == migrate.head_revision():
            return
        if current is not None and current not in migrate.known_revisions():
            # A newer minor version of the same major: its additions are unknown here but the
            # tables this program uses are compatible, so open without migrating.
            return
        self.backup_before_migration(current)
        try:
            migrate.upgrade(self.engine)
        except (OperationalError, DBAPIError) as exc:
            raise _translated(exc) from exc

    # ---- sessions --------------------------------------------------------------------------
    @contextlib.contextmanager
    def read(self) -> Iterator[IndexedSession]:
        session = IndexedSession(self.engine, expire_on_commit=False)
        try:
            yield session
        except (OperationalError, DBAPIError) as exc:
            raise _translated(exc) from exc
        finally:
            session.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[IndexedSession]:
        """One write transaction, BEGIN IMMEDIATE: commits on success, rolls back on any error."""
        session = IndexedSession(self.engine, expire_on_commit=False)
        try:
            session.connection(execution_options={"btam_write": True})
            yield session
            session.commit()
        except (OperationalError, DBAPIError) as exc:
            session.rollback()
            raise _translated(exc) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # ---- key slots -------------------------------------------------------------------------
    def _data_key(self) -> bytes:
        slot = next(s for s in self.keyfile.slots if s.slot_id == self.principal.slot_id)
        key = self.keyfile.open_slot(slot, self.slot_key)
        if key is None:
            raise VaultDamagedError("the key-slot file changed while the vault was open")
        return key

    def add_user_slot(
        self,
        username: str,
        password: str,
        kdf_params: crypto.KdfParams | None = None,
        enforce_password_policy: bool = True,
    ) -> None:
        username = username.strip()
        if self.keyfile.user_slot(username) is not None:
            raise ValidationError(f"There is already a team member named “{username}”.")
        if enforce_password_policy:
            _check_new_password(password)
        params = kdf_params or self._params_like_existing()
        candidate = self.keyfile.copy()
        slot, _ = candidate.new_slot(
            SLOT_USER, username, password.encode("utf-8"), self._data_key(), params
        )
        candidate.slots.append(slot)
        self._save_keyfile(candidate)

    def change_password(self, username: str, old_password: str, new_password: str) -> None:
        slot = self.keyfile.user_slot(username)
        if slot is None:
            raise WrongCredentialsError()
        old_kek = self.keyfile.slot_kek(slot, old_password.encode("utf-8"))
        if self.keyfile.open_slot(slot, old_kek) is None:
            raise WrongCredentialsError("current password")
        _check_new_password(new_password)
        candidate = self.keyfile.copy()
        copied = next(s for s in candidate.slots if s.slot_id == slot.slot_id)
        new_kek = candidate.rewrap_private(copied, old_kek, new_password.encode("utf-8"))
        self._save_keyfile(candidate)
        if self.principal.slot_id == slot.slot_id:
            self._slot_key = new_kek

    def reset_password(
        self, username: str, new_password: str, kdf_params: crypto.KdfParams | None = None
    ) -> None:
        """Give a member a fresh slot with a new password (after the recovery key opened the
        vault, or by a coordinator). The old slot is replaced; the data key is unchanged."""
        old = self.keyfile.user_slot(username)
        if old is None:
            raise ValidationError(f"There is no team member named “{username}”.")
        _check_new_password(new_password)
        params = kdf_params or old.kdf
        candidate = self.keyfile.copy()
        slot, kek = candidate.new_slot(
            SLOT_USER, old.username, new_password.encode("utf-8"), self._data_key(), params
        )
        index = self.keyfile.slots.index(old)
        candidate.slots[index] = slot
        self._save_keyfile(candidate)
        if self.principal.slot_id == old.slot_id:
            self.principal = Principal(slot.username, slot.slot_id)
            self._slot_key = kek

    def rename_user_slot(self, old_name: str, new_name: str) -> None:
        raise ValidationError("User names cannot be changed; add a new member instead.")

    def remove_user_slot(self, username: str, progress: ProgressCallback | None = None) -> None:
        """Delete a member's slot and rekey: new data key, PRAGMA rekey, verified by reopening,
        remaining slots resealed. A crash at any step leaves a vault that opens."""
        report = progress or (lambda done, total, message: None)
        slot = self.keyfile.user_slot(username)
        if slot is None:
            raise ValidationError(f"There is no team member named “{username}”.")
        if slot.slot_id == self.principal.slot_id:
            raise ValidationError("You cannot remove your own account while you are signed in.")
        if sum(1 for s in self.keyfile.slots if s.kind == SLOT_USER) <= 1:
            raise ValidationError("The last team member cannot be removed.")
        self._rekey(lambda s: s.slot_id != slot.slot_id, None, report)

    def replace_recovery_key(
        self, kdf_params: crypto.KdfParams | None = None, progress: ProgressCallback | None = None
    ) -> str:
        """A new recovery key (after the old one was used or exposed): the old recovery slot is
        removed and the vault rekeyed, so the old key opens nothing written from now on.
        Returns the new key, which is shown once and never stored."""
        report = progress or (lambda done, total, message: None)
        old = self.keyfile.recovery_slot()
        params = kdf_params or (old.kdf if old is not None else self._params_like_existing())
        recovery = new_recovery_key()
        self._rekey(
            lambda s: s.kind != SLOT_RECOVERY,
            (normalize_recovery_key(recovery).encode("ascii"), params),
            report,
        )
        return recovery

    def _rekey(
        self,
        keep: Callable[[KeySlot], bool],
        new_recovery: tuple[bytes, crypto.KdfParams] | None,
        report: ProgressCallback,
    ) -> None:
        """New data key, PRAGMA rekey, verified by reopening, kept slots resealed (and a new
        recovery slot added). The next key file is written first, so a crash at any step leaves
        a vault that opens (see _finish_interrupted_rekey)."""
        report(0, 4, "Preparing a new key")
        new_key = os.urandom(crypto.DATA_KEY_BYTES)
        next_file = self.keyfile.copy()
        next_file.generation += 1
        next_file.slots = [s for s in next_file.slots if keep(s)]
        for remaining in next_file.slots:
            next_file.seal(remaining, new_key)
        if new_recovery is not None:
            secret, params = new_recovery
            recovery_slot, _ = next_file.new_slot(SLOT_RECOVERY, None, secret, new_key, params)
            next_file.slots.append(recovery_slot)
        next_file.authenticate(new_key)
        try:
            next_file.write(self.folder / NEXT_KEYS_NAME)
        except OSError as exc:
            raise StorageUnavailableError(_os_reason(exc)) from exc
        report(1, 4, "Re-encrypting the database")
        assert self._engine is not None
        self._engine.dispose()
        conn = connect_raw(self.db_path, self._keys)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA rekey = \"x'" + new_key.hex() + "'\"")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlcipher3.Error as exc:
            conn.close()
            (self.folder / NEXT_KEYS_NAME).unlink(missing_ok=True)
            raise _translated(exc) from exc
        conn.close()
        report(2, 4, "Checking the new key")
        new_holder = KeyHolder(new_key)
        check = connect_raw(self.db_path, new_holder)
        try:
            ok = check.execute("PRAGMA quick_check").fetchone()
        finally:
            check.close()
        if not ok or ok[0] != "ok":
            raise VaultDamagedError("the database did not read back after changing its key")
        report(3, 4, "Saving the key slots")
        os.replace(self.folder / NEXT_KEYS_NAME, self.keys_path)
        fsync_dir(self.folder)
        self.keyfile = next_file
        self._keys.drop()
        self._keys = new_holder
        self._engine = make_engine(self.db_path, self._keys)
        report(4, 4, "Done")

    def _params_like_existing(self) -> crypto.KdfParams:
        return self.keyfile.slots[0].kdf

    def _save_keyfile(self, candidate: KeyFile) -> None:
        """Authenticate and write ``candidate``; it replaces the open key file only once saved."""
        candidate.authenticate(self._data_key())
        try:
            candidate.write(self.keys_path)
        except OSError as exc:
            raise StorageUnavailableError(_os_reason(exc)) from exc
        self.keyfile = candidate

    # ---- backups and maintenance -----------------------------------------------------------
    def checkpoint(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def backup_before_migration(self, revision: str) -> Path:
        """Copy the (still encrypted) database and key slots aside before changing the schema."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.backup_dir / f"before-migration-{revision}-{stamp}"
        try:
            target.mkdir(parents=True, exist_ok=False)
            self.checkpoint()
            shutil.copy2(self.db_path, target / DB_NAME)
            shutil.copy2(self.keys_path, target / KEYS_NAME)
        except OSError as exc:
            raise StorageUnavailableError(_os_reason(exc)) from exc
        return target

    def integrity_problems(self) -> list[str]:
        try:
            with self.engine.connect() as conn:
                problems = [r[0] for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check")]
                quick = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
        except (OperationalError, DBAPIError) as exc:
            raise _translated(exc) from exc
        return problems + [q for q in quick if q != "ok"]

    def execute_raw(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params or {}))

    # ---- locking ---------------------------------------------------------------------------
    def _dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        self._keys.drop()
        self._slot_key = None

    def lock(self) -> None:
        """Dispose the engine, forget key material, release the vault for other instances."""
        self._dispose()
        self._lock.release()

    close = lock

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()


def _finish_interrupted_rekey(
    folder: Path,
    keyfile: KeyFile,
    principal: Principal,
    kek: bytes,
    data_key: bytes,
    unlock: Callable[[KeyFile], tuple[Principal, bytes, bytes] | None],
) -> tuple[KeyFile, Principal, bytes, bytes]:
    """If a rekey was cut short, pick the key file whose data key opens the database."""
    next_path = folder / NEXT_KEYS_NAME
    if _key_opens(folder / DB_NAME, data_key):
        next_path.unlink(missing_ok=True)  # the rekey never happened
        return keyfile, principal, kek, data_key
    if next_path.exists():
        next_file = KeyFile.read(next_path)
        opened = unlock(next_file)
        if opened is not None and _key_opens(folder / DB_NAME, opened[2]):
            os.replace(next_path, folder / KEYS_NAME)
            fsync_dir(folder)
            return next_file, *opened
    raise VaultDamagedError("the database does not open with its key (the file may be damaged)")


def _key_opens(db_path: Path, data_key: bytes) -> bool:
    holder = KeyHolder(data_key)
    try:
        conn = connect_raw(db_path, holder)
    except sqlcipher3.DatabaseError:
        return False
    finally:
        holder.drop()
    conn.close()
    return True


MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH


def _check_new_password(password: str) -> None:
    """The one password policy (domain.passwords), for every way a new password arrives."""
    problem = passwords.password_problem(password)
    if problem is not None:
        raise ValidationError(problem)


def _os_reason(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the folder is read-only or not yours to write"
    return "the operating system refused the write"


def _translated(exc: BaseException) -> Exception:
    original = getattr(exc, "orig", exc)
    mapped = translate_db_error(original)
    if mapped is not None:
        return mapped
    return exc if isinstance(exc, Exception) else RuntimeError("unexpected error")
