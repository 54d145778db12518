"""A vault: one folder holding the encrypted database, its key slots, backups and custom forms.

Opening a vault: the password unlocks the person's key slot (a wrong one fails the GCM tag,
before SQLCipher is touched), the slot yields the data key, and the data key opens the
database. Locking disposes the engine and forgets the key.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from btam_desktop.domain import passwords
from btam_desktop.domain.models import VaultInfo
from btam_desktop.store import (
    anchors,
    audit,
    backup,
    crypto,
    diagnosis,
    migrate,
    rewrite_progress,
    signing,
    text_check,  # noqa: F401 - checks text on every flush
)
from btam_desktop.store.engine import (
    SQLITE_CANTOPEN,
    SQLITE_IOERR,
    SQLITE_NOTADB,
    KeyHolder,
    connect_raw,
    make_engine,
    sqlite_result_code,
    translate_db_error,
)
from btam_desktop.store.errors import (
    DISK_FULL,
    READ_ONLY,
    PermissionDeniedError,
    ReadOnlyMediaError,
    ReadOnlyVaultError,
    StorageUnavailableError,
    ValidationError,
    VaultBehindError,
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
from btam_desktop.store.keyslots import (
    ROLE_COORDINATOR,
    ROLE_RECOVERY,
    SLOT_RECOVERY,
    SLOT_USER,
    KeyFile,
    KeySlot,
    fsync_dir,
)
from btam_desktop.store.lockfile import LOCK_NAME, VaultLock
from btam_desktop.store.search import IndexedSession
from btam_desktop.store.vault_files import (
    RECOVERY_ALPHABET,
    RECOVERY_CHARS,
    default_vault_dir,
    format_recovery_key,
    is_vault,
    new_recovery_key,
    normalize_recovery_key,
    pinned_key,
)

__all__ = [  # the light helpers in vault_files, also reached from here
    "RECOVERY_ALPHABET",
    "RECOVERY_CHARS",
    "NewTeamKeys",
    "Principal",
    "Vault",
    "default_vault_dir",
    "format_recovery_key",
    "is_vault",
    "new_recovery_key",
    "new_team_keys",
    "normalize_recovery_key",
    "pinned_key",
]

ProgressCallback = Callable[[int, int, str], None]

# A rekey reports percent. Rewriting every page moves the bar by the pages written
# (rewrite_progress.py); reading every page back with the new key takes about as long again
# (11.8 s after a 10.9 s rewrite on the 100,000-case vault) and gives no sign of its progress,
# so its share of the bar follows the time spent against the rewrite's own duration.
REKEY_REWRITE_FROM = 2
REKEY_REWRITE_TO = 48
REKEY_CHECK_FROM = 52
REKEY_SAVE_FROM = 97


@dataclass(frozen=True)
class NewTeamKeys:
    """The key material of a new team: its key file (signed), the first coordinator's slot."""

    keyfile: KeyFile
    data_key: bytes
    user_slot: KeySlot
    user_kek: bytes
    signer: signing.Signer
    vault_seed: bytes
    recovery: str


def new_team_keys(username: str, password: str, params: crypto.KdfParams) -> NewTeamKeys:
    """A data key, a vault signing key that vouches for every slot and role, the coordinator's
    slot and a recovery slot; shared by the vault and the team server."""
    data_key = os.urandom(crypto.DATA_KEY_BYTES)
    vault_seed, vault_public = signing.new_seed()
    vault_signer = signing.Signer.from_seed("(vault)", vault_seed)
    keyfile = KeyFile(vault_id=uuid.uuid4().hex, vault_public=vault_public)
    user_slot, user_kek = keyfile.new_slot(
        SLOT_USER,
        username.strip(),
        password.encode("utf-8"),
        data_key,
        params,
        role=ROLE_COORDINATOR,
        vault_seed=vault_seed,
    )
    recovery = new_recovery_key()
    recovery_slot, _ = keyfile.new_slot(
        SLOT_RECOVERY,
        None,
        normalize_recovery_key(recovery).encode("ascii"),
        data_key,
        params,
        role=ROLE_RECOVERY,
        vault_seed=vault_seed,
    )
    keyfile.slots = [user_slot, recovery_slot]
    for slot in keyfile.slots:
        keyfile.grant(slot, vault_signer)
    keyfile.sign_roster(vault_signer)
    vault_signer.drop()
    opened = keyfile.open_signing(user_slot, user_kek)
    assert opened is not None
    signer = signing.Signer.from_seed(user_slot.username or "", opened[0])
    return NewTeamKeys(keyfile, data_key, user_slot, user_kek, signer, vault_seed, recovery)


@dataclass(frozen=True)
class Principal:
    """Who unlocked: a user slot (username) or the recovery slot (username None)."""

    username: str | None
    slot_id: str

    @property
    def via_recovery(self) -> bool:
        return self.username is None


class Vault:
    # A team server (store/server) backs itself up on the server side; a vault is a file here.
    on_team_server: bool = False

    def __init__(
        self,
        folder: Path,
        keyfile: KeyFile,
        data_key: bytes,
        lock: VaultLock,
        principal: Principal,
        slot_key: bytes,
        signer: signing.Signer | None = None,
        vault_seed: bytes | None = None,
        trusted_public: bytes | None = None,
        *,
        read_only: bool = False,
        disk_full: bool = False,
    ) -> None:
        self.folder = folder
        self.signer = signer
        self._vault_seed = vault_seed
        self.trusted_public = trusted_public or keyfile.vault_public
        self.read_only = read_only
        # Opened on a full disk: read without writing until there is room (see write()).
        self.waiting_for_space = disk_full and not read_only
        self.db_path = folder / DB_NAME
        self.keys_path = folder / KEYS_NAME
        self.keyfile = keyfile
        self.principal = principal
        self._slot_key: bytes | None = slot_key
        self._lock = lock
        self._keys = KeyHolder(data_key)
        self._engine: Engine | None = make_engine(
            self.db_path, self._keys, read_only=read_only or self.waiting_for_space
        )

    # ---- properties ------------------------------------------------------------------------
    @property
    def vault_id(self) -> str:
        return self.keyfile.vault_id

    @property
    def vault_signer(self) -> signing.Signer | None:
        """The vault key, when the person signed in holds it (coordinators, recovery key)."""
        if self._vault_seed is None:
            return None
        return signing.Signer.from_seed("(vault)", self._vault_seed)

    @property
    def fingerprint(self) -> str:
        return signing.fingerprint(self.trusted_public)

    def trust(self) -> audit.Trust:
        """The public keys and roles the vault vouches for, checked against the pinned key."""
        roles = {
            (s.username or "").casefold(): s.role
            for s in self.keyfile.vouched_slots(self.trusted_public)
            if s.kind == SLOT_USER
        }
        return audit.Trust(self.keyfile.signing_keys(self.trusted_public), roles)

    def role_of(self, username: str) -> str | None:
        return self.keyfile.role_of(username, self.trusted_public)

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
        made = [p for p in (folder, folder / FORMS_DIR, folder / BACKUP_DIR) if not p.exists()]
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=diagnosis.PRIVATE_DIR)
            (folder / FORMS_DIR).mkdir(exist_ok=True, mode=diagnosis.PRIVATE_DIR)
            (folder / BACKUP_DIR).mkdir(exist_ok=True, mode=diagnosis.PRIVATE_DIR)
            diagnosis.make_private(folder)
        except OSError as exc:
            _remove_empty(made)
            raise StorageUnavailableError(_os_reason(exc)) from exc
        params = kdf_params or crypto.tune_params()
        lock = VaultLock(folder)
        lock.acquire()
        try:
            keys = new_team_keys(username, password, params)
            keyfile, data_key, user_slot = keys.keyfile, keys.data_key, keys.user_slot
            user_kek, signer, vault_seed, recovery = (
                keys.user_kek,
                keys.signer,
                keys.vault_seed,
                keys.recovery,
            )
            diagnosis.record_stamp(keyfile, data_key)
            # Created 0600 before SQLite opens it; its -wal and -shm files copy that mode.
            os.close(os.open(folder / DB_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            holder = KeyHolder(data_key)
            conn = connect_raw(
                folder / DB_NAME,
                holder,
                new_salt=diagnosis.database_salt(data_key, keyfile.vault_id),
            )
            conn.close()
            vault = cls(
                folder,
                keyfile,
                data_key,
                lock,
                Principal(user_slot.username, user_slot.slot_id),
                user_kek,
                signer,
                vault_seed,
            )
            migrate.upgrade(vault.engine)
            with vault.write() as session:
                session.merge(VaultInfo(key="schema_major", value=str(migrate.SCHEMA_MAJOR)))
                session.merge(VaultInfo(key="vault_id", value=keyfile.vault_id))
            # The key file is written last: until it exists the folder is not a vault.
            keyfile.authenticate(data_key)
            keyfile.write(folder / KEYS_NAME)
            vault.record_anchor()
        except BaseException as exc:
            if "vault" in locals():
                vault._dispose()
            for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
                (folder / name).unlink(missing_ok=True)  # no half-made vault left behind
            lock.release()
            if made:  # and no folder this call made, if nothing else was put in it
                (folder / LOCK_NAME).unlink(missing_ok=True)
                _remove_empty(made)
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
        try:
            keyfile = KeyFile.read(folder / KEYS_NAME)
            if (folder / DB_NAME).stat().st_size == 0:
                raise VaultDamagedError("the database file is empty")
        except VaultDamagedError as exc:
            raise VaultDamagedError(exc.what, backup.restore_hint(folder)) from exc
        trusted = pinned_key(keyfile)
        read_only = diagnosis.is_read_only_location(folder)
        # On a full disk SQLite cannot even create its shared-memory file to read: a vault
        # closed cleanly (no -wal file) is then read as it is, and written once there is room.
        disk_full = not read_only and diagnosis.no_room_to_open(folder)
        reading_only = read_only or disk_full
        lock = VaultLock(folder)
        lock.acquire(read_only=read_only)
        try:
            opened = unlock(keyfile)
            if opened is None or not _vouched(keyfile, opened[0], trusted):
                raise wrong
            principal, kek, data_key = opened
            keyfile, principal, kek, data_key = _finish_interrupted_rekey(
                folder, keyfile, principal, kek, data_key, unlock, read_only=reading_only
            )
            if not keyfile.is_authentic(data_key):
                raise VaultDamagedError("the key-slot file was changed outside the program")
            if not read_only:
                diagnosis.make_private(folder)
            slot = next(s for s in keyfile.slots if s.slot_id == principal.slot_id)
            seeds = keyfile.open_signing(slot, kek)
            if seeds is None:
                raise VaultDamagedError("a key slot's signing key does not open")
            signer = signing.Signer.from_seed(
                principal.username or audit.RECOVERY_USERNAME, seeds[0]
            )
            vault = cls(
                folder,
                keyfile,
                data_key,
                lock,
                principal,
                kek,
                signer,
                seeds[1],
                trusted,
                read_only=read_only,
                disk_full=disk_full,
            )
            try:
                vault._prepare_schema()
            except BaseException:
                vault._dispose()
                raise
            return vault
        except VaultDamagedError as exc:
            lock.release()
            if type(exc) is not VaultDamagedError:  # a key-file mismatch says its own remedy
                raise
            raise VaultDamagedError(exc.what, backup.restore_hint(folder)) from exc
        except BaseException:
            lock.release()
            raise

    def _prepare_schema(self) -> None:
        try:
            current = migrate.current_revision(self.engine)
        except (OperationalError, DBAPIError) as exc:
            if self.read_only and sqlite_result_code(exc) == SQLITE_CANTOPEN:
                raise ReadOnlyMediaError(
                    "was not closed properly where it was last used, so its newest changes "
                    "wait in a side file that cannot be read there"
                ) from exc
            raise _translated(exc, self.folder) from exc
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
        if self.read_only:
            raise ReadOnlyMediaError(
                "it must first be upgraded for this version of BTAM Desktop, which cannot be "
                "written there"
            )
        self.backup_before_migration(current)
        try:
            migrate.upgrade(self.engine)
        except (OperationalError, DBAPIError) as exc:
            raise _translated(exc, self.folder) from exc

    # ---- sessions --------------------------------------------------------------------------
    @contextlib.contextmanager
    def read(self) -> Iterator[IndexedSession]:
        session = IndexedSession(self.engine, expire_on_commit=False)
        try:
            yield session
        except (OperationalError, DBAPIError) as exc:
            raise _translated(exc, self.folder) from exc
        finally:
            session.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[IndexedSession]:
        """One write transaction, BEGIN IMMEDIATE: commits on success, rolls back on any error."""
        self._check_writable()
        session = IndexedSession(self.engine, expire_on_commit=False)
        if self.signer is not None:
            session.info[audit.SIGNER_INFO] = self.signer
        try:
            session.connection(execution_options={"btam_write": True})
            yield session
            session.commit()
        except (OperationalError, DBAPIError) as exc:
            session.rollback()
            raise _translated(exc, self.folder) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyVaultError()
        if self.waiting_for_space:
            if diagnosis.no_room_to_open(self.folder):
                raise StorageUnavailableError(DISK_FULL)
            # Room again: from now on read and write the usual way.
            if self._engine is not None:
                self._engine.dispose()
            self._engine = make_engine(self.db_path, self._keys)
            self.waiting_for_space = False

    # ---- key slots -------------------------------------------------------------------------
    def _data_key(self) -> bytes:
        slot = next(s for s in self.keyfile.slots if s.slot_id == self.principal.slot_id)
        key = self.keyfile.open_slot(slot, self.slot_key)
        if key is None:
            raise VaultDamagedError("the key-slot file changed while the vault was open")
        return key

    def _require_vault_signer(self) -> signing.Signer:
        signer = self.vault_signer
        if signer is None:
            raise PermissionDeniedError("change who may unlock the vault", "not a coordinator")
        return signer

    def _vouch(self, candidate: KeyFile, *slots: KeySlot) -> None:
        vault_signer = self._require_vault_signer()
        for slot in slots:
            candidate.grant(slot, vault_signer)
        candidate.sign_roster(vault_signer)

    def add_user_slot(
        self,
        username: str,
        password: str,
        kdf_params: crypto.KdfParams | None = None,
        enforce_password_policy: bool = True,
        role: str = "member",
    ) -> None:
        username = username.strip()
        if self.keyfile.user_slot(username) is not None:
            raise ValidationError(f"There is already a team member named “{username}”.")
        if enforce_password_policy:
            _check_new_password(password)
        self._require_vault_signer()
        params = kdf_params or self._params_like_existing()
        candidate = self.keyfile.copy()
        slot, _ = candidate.new_slot(
            SLOT_USER,
            username,
            password.encode("utf-8"),
            self._data_key(),
            params,
            role=role,
            vault_seed=self._vault_seed if role == ROLE_COORDINATOR else None,
        )
        candidate.slots.append(slot)
        self._vouch(candidate, slot)
        self._save_keyfile(candidate)

    def discard_user_slot(self, username: str) -> None:
        """Undo ``add_user_slot`` when saving the account failed."""
        slot = self.keyfile.user_slot(username)
        if slot is None:
            return
        candidate = self.keyfile.copy()
        candidate.slots = [s for s in candidate.slots if s.slot_id != slot.slot_id]
        self._vouch(candidate)
        self._save_keyfile(candidate)

    def set_role(self, username: str, role: str) -> None:
        """Vouch for a member's new role; coordinators also receive the vault key."""
        slot = self.keyfile.user_slot(username)
        if slot is None:
            raise ValidationError(f"There is no team member named “{username}”.")
        self._require_vault_signer()
        candidate = self.keyfile.copy()
        copied = next(s for s in candidate.slots if s.slot_id == slot.slot_id)
        candidate.retire(copied)
        copied.role = role
        if role == ROLE_COORDINATOR:
            assert self._vault_seed is not None
            candidate.seal_vault_key(copied, self._vault_seed)
        else:
            candidate.clear_vault_key(copied)
        self._vouch(candidate, copied)
        self._save_keyfile(candidate)

    def change_password(
        self,
        username: str,
        old_password: str,
        new_password: str,
        *,
        rotate_key: bool = False,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Change a password. With ``rotate_key`` the data key changes too, so an older copy of
        the key file with the old password no longer opens the database."""
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
        if rotate_key:
            self._rekey(candidate, progress)
        else:
            self._save_keyfile(candidate)
        if self.principal.slot_id == slot.slot_id:
            self._slot_key = new_kek

    def reset_password(
        self,
        username: str,
        new_password: str,
        kdf_params: crypto.KdfParams | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Give a member a fresh slot with a new password (after the recovery key opened the
        vault, or by a coordinator). The old slot and its signing key are retired and the data
        key is rotated, so an old key file with the old password opens nothing."""
        old = self.keyfile.user_slot(username)
        if old is None:
            raise ValidationError(f"There is no team member named “{username}”.")
        _check_new_password(new_password)
        self._require_vault_signer()
        params = kdf_params or old.kdf
        candidate = self.keyfile.copy()
        slot, kek = candidate.new_slot(
            SLOT_USER,
            old.username,
            new_password.encode("utf-8"),
            self._data_key(),
            params,
            role=old.role,
            vault_seed=self._vault_seed if old.role == ROLE_COORDINATOR else None,
        )
        index = self.keyfile.slots.index(old)
        candidate.retire(candidate.slots[index])
        candidate.slots[index] = slot
        self._vouch(candidate, slot)
        self._rekey(candidate, progress)
        if self.principal.slot_id == old.slot_id:
            self.principal = Principal(slot.username, slot.slot_id)
            self._slot_key = kek

    def rename_user_slot(self, old_name: str, new_name: str) -> None:
        raise ValidationError("User names cannot be changed; add a new member instead.")

    def remove_user_slot(self, username: str, progress: ProgressCallback | None = None) -> None:
        """Delete a member's slot and rekey: new data key, PRAGMA rekey, verified by reopening,
        remaining slots resealed. A crash at any step leaves a vault that opens."""
        slot = self.keyfile.user_slot(username)
        if slot is None:
            raise ValidationError(f"There is no team member named “{username}”.")
        if slot.slot_id == self.principal.slot_id:
            raise ValidationError("You cannot remove your own account while you are signed in.")
        if sum(1 for s in self.keyfile.slots if s.kind == SLOT_USER) <= 1:
            raise ValidationError("The last team member cannot be removed.")
        next_file = self.keyfile.copy()
        next_file.retire(next(s for s in next_file.slots if s.slot_id == slot.slot_id))
        next_file.slots = [s for s in next_file.slots if s.slot_id != slot.slot_id]
        self._vouch(next_file)
        self._rekey(
            next_file,
            progress,
            purpose="remove a member (the whole vault is re-encrypted with a new key)",
        )

    def replace_recovery_key(
        self, kdf_params: crypto.KdfParams | None = None, progress: ProgressCallback | None = None
    ) -> str:
        """A new recovery key (after the old one was used or exposed): the old recovery slot and
        its signing key are retired and the vault rekeyed, so the old key opens nothing written
        from now on. Returns the new key, which is shown once and never stored."""
        self._require_vault_signer()
        old = self.keyfile.recovery_slot()
        params = kdf_params or (old.kdf if old is not None else self._params_like_existing())
        recovery = new_recovery_key()
        candidate = self.keyfile.copy()
        slot, _ = candidate.new_slot(
            SLOT_RECOVERY,
            None,
            normalize_recovery_key(recovery).encode("ascii"),
            self._data_key(),
            params,
            role=ROLE_RECOVERY,
            vault_seed=self._vault_seed,
        )
        for previous in [s for s in candidate.slots if s.kind == SLOT_RECOVERY]:
            candidate.retire(previous)
        candidate.slots = [s for s in candidate.slots if s.kind != SLOT_RECOVERY] + [slot]
        self._vouch(candidate, slot)
        self._rekey(candidate, progress)
        return recovery

    def _rekey(
        self,
        next_file: KeyFile,
        progress: ProgressCallback | None = None,
        *,
        purpose: str = "re-encrypt the vault with a new key",
    ) -> None:
        """Rotate the data key: the next key file (one generation on, every slot resealed) is
        written aside, the database re-encrypted and read back, then the key file replaced."""
        report = progress or (lambda done, total, message: None)
        self._check_writable()
        diagnosis.require_free_space(
            self.folder, diagnosis.rekey_space_needed(self.db_path), purpose
        )
        # Percent. The first report may raise to cancel; once the next key file is written
        # the work runs to the end, and a failing progress display cannot stop it halfway.
        report(0, 100, "Preparing a new key")
        new_key = os.urandom(crypto.DATA_KEY_BYTES)
        diagnosis.record_stamp(next_file, self._data_key())
        next_file.generation = self.keyfile.generation + 1
        diagnosis.record_stamp(next_file, new_key)
        for remaining in next_file.slots:
            next_file.seal(remaining, new_key)
        next_file.authenticate(new_key)
        try:
            next_file.write(self.folder / NEXT_KEYS_NAME)
        except OSError as exc:
            raise StorageUnavailableError(_os_reason(exc)) from exc

        def step(percent: int, message: str) -> None:
            with contextlib.suppress(Exception):
                report(percent, 100, message)

        rewriting = "Re-encrypting the database"
        step(REKEY_REWRITE_FROM, rewriting)
        assert self._engine is not None
        self._engine.dispose()
        conn = connect_raw(self.db_path, self._keys)
        rekeyed = False
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            page_count = int(conn.execute("PRAGMA page_count").fetchone()[0])
            page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
            conn.execute(f"PRAGMA cache_size = -{rewrite_progress.REWRITE_CACHE_KIB}")
            span = REKEY_REWRITE_TO - REKEY_REWRITE_FROM
            rewrite_started = time.monotonic()
            with rewrite_progress.watch_rewrite(
                self.db_path,
                page_count,
                page_size,
                lambda share: step(REKEY_REWRITE_FROM + span * share // 1000, rewriting),
            ):
                # The new salt is the new key's stamp, so the header tells which key it needs.
                conn.execute(diagnosis.rekey_pragma(new_key, next_file.vault_id))
            rekeyed = True
            rewrite_seconds = time.monotonic() - rewrite_started
            step(REKEY_REWRITE_TO, "Writing the re-encrypted pages into place")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlcipher3.Error as exc:
            conn.close()
            if not rekeyed:  # rolled back: the old key still opens the database
                (self.folder / NEXT_KEYS_NAME).unlink(missing_ok=True)
            # Once rekeyed, only the next key file opens it: it stays for the next sign-in.
            raise _translated(exc, self.folder) from exc
        conn.close()
        step(REKEY_CHECK_FROM, "Checking the new key")
        new_holder = KeyHolder(new_key)
        check = connect_raw(self.db_path, new_holder)
        checking = "Checking the new key"
        span = REKEY_SAVE_FROM - REKEY_CHECK_FROM
        try:
            with rewrite_progress.watch_estimate(
                rewrite_seconds,
                lambda share: step(REKEY_CHECK_FROM + span * share // 1000, checking),
            ):
                ok = check.execute("PRAGMA quick_check").fetchone()
        finally:
            check.close()
        if not ok or ok[0] != "ok":
            raise VaultDamagedError("the database did not read back after changing its key")
        step(REKEY_SAVE_FROM, "Saving the key slots")
        os.replace(self.folder / NEXT_KEYS_NAME, self.keys_path)
        fsync_dir(self.folder)
        self.keyfile = next_file
        self._keys.drop()
        self._keys = new_holder
        self._engine = make_engine(self.db_path, self._keys)
        step(100, "Done")

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
        # Copied into a temporary folder that is renamed once complete: never a partial copy.
        partial = target.with_name(target.name + ".partial")
        diagnosis.require_free_space(
            self.folder,
            diagnosis.copy_space_needed([self.db_path, self.keys_path])
            + diagnosis.database_bytes(self.db_path),
            "upgrade the vault (a copy is kept first, then the upgrade writes)",
        )
        self._check_writable()
        try:
            self.backup_dir.mkdir(parents=True, exist_ok=True, mode=diagnosis.PRIVATE_DIR)
            self.checkpoint()
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(mode=diagnosis.PRIVATE_DIR)
            for source in (self.db_path, self.keys_path):
                _copy_synced(source, partial / source.name)
            fsync_dir(partial)
            os.replace(partial, target)
            fsync_dir(self.backup_dir)
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise StorageUnavailableError(_os_reason(exc)) from exc
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        return target

    def reclaim_space(self) -> None:
        """After a destruction: VACUUM with secure delete on, so freed pages are rewritten and
        the file shrinks, then empty the WAL so no older page versions remain in it."""
        conn = self.raw_connection()
        try:
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlcipher3.Error as exc:
            raise _translated(exc, self.folder) from exc
        finally:
            conn.close()

    def raw_connection(self) -> Any:
        """A fresh keyed sqlcipher3 connection (for the online backup)."""
        return connect_raw(self.db_path, self._keys)

    def write_backup(
        self, folder: Path, created_by: str, progress: ProgressCallback | None = None
    ) -> backup.WrittenBackup:
        """A consistent, sealed and checked backup file in ``folder`` (see store/backup.py)."""
        written = backup.write_backup(
            self.raw_connection,
            db_path=self.db_path,
            keyfile=self.keyfile,
            data_key=self._data_key(),
            folder=folder,
            created_by=created_by,
            schema_revision=migrate.current_revision(self.engine) or "",
            progress=progress,
        )
        backup.remember_backup(self.folder, written.path, written.manifest)
        return written

    def data_key_matches(self, data_key: bytes) -> bool:
        import hmac

        return hmac.compare_digest(self._data_key(), data_key)

    def integrity_problems(self) -> list[str]:
        try:
            with self.engine.connect() as conn:
                problems = [r[0] for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check")]
                quick = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
        except (OperationalError, DBAPIError) as exc:
            raise _translated(exc, self.folder) from exc
        return problems + [q for q in quick if q != "ok"]

    def execute_raw(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params or {}))

    # ---- locking ---------------------------------------------------------------------------
    def _dispose(self) -> None:
        """Forget the keys whatever happens; close what can be closed."""
        engine, self._engine = self._engine, None
        try:
            if engine is not None:
                engine.dispose()
        finally:
            self._keys.drop()
            self._slot_key = None
            self._vault_seed = None
            if self.signer is not None:
                self.signer.drop()

    # ---- rollback anchors --------------------------------------------------------------------
    def anchor(self) -> anchors.Anchor | None:
        """What this computer last recorded about this vault, if it verifies."""
        known = anchors.load(self.vault_id)
        if known is None or not known.is_signed_by(self.keyfile.signing_keys(self.trusted_public)):
            return None
        return known

    def behind_anchor(self) -> VaultBehindError | None:
        """How this copy falls short of what this computer has seen, or None."""
        known = self.anchor()
        if known is None:
            return None
        with self.read() as session:
            position, _ = audit.head(session)
        seen = _day(known.seen_at)
        if position < known.position:
            missing = known.position - position
            events = "event" if missing == 1 else "events"
            return VaultBehindError(
                missing,
                seen,
                f"this copy is missing {missing} {events} recorded on this computer "
                f"(the newest on {seen})",
            )
        if self.keyfile.generation < known.generation:
            return VaultBehindError(
                0,
                seen,
                f"its key file is older than the one this computer saw on {seen} "
                f"(key generation {self.keyfile.generation}, seen {known.generation}); a "
                "password reset or a member's removal was undone",
            )
        return None

    def anchor_on_file(self) -> bool:
        """True if this computer holds an anchor for the vault, valid or not."""
        return anchors.load(self.vault_id) is not None

    def record_anchor(self, *, accept_lower: bool = False) -> None:
        """Raise this computer's anchor to the current head and key generation (never lower)."""
        if self.signer is None:
            return
        with self.read() as session:
            position, head_hash = audit.head(session)
        known = self.anchor()
        if not accept_lower and known is not None and known.position > position:
            return
        anchor = anchors.Anchor(
            vault_id=self.vault_id,
            vault_public=signing.b64(self.trusted_public),
            position=position,
            head_hash=head_hash,
            generation=self.keyfile.generation,
            seen_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        anchor.sign(self.signer)
        # The anchor is a safeguard; an unwritable data folder must not block work.
        with contextlib.suppress(OSError):
            anchors.save(anchor)

    def lock(self) -> None:
        """Dispose the engine, forget key material, release the vault for other instances.

        Keys are forgotten and the lock released even when closing the database fails (a full
        disk, a drive pulled out); the first failure is raised afterwards."""
        try:
            self._dispose()
        finally:
            self._lock.release()

    close = lock

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()


def _day(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return "an earlier day"
    return f"{when.day} {when.strftime('%b %Y')}"


def _vouched(keyfile: KeyFile, principal: Principal, trusted: bytes) -> bool:
    slot = next((s for s in keyfile.slots if s.slot_id == principal.slot_id), None)
    return slot is not None and keyfile.is_vouched(slot, trusted)


def _finish_interrupted_rekey(
    folder: Path,
    keyfile: KeyFile,
    principal: Principal,
    kek: bytes,
    data_key: bytes,
    unlock: Callable[[KeyFile], tuple[Principal, bytes, bytes] | None],
    *,
    read_only: bool = False,
) -> tuple[KeyFile, Principal, bytes, bytes]:
    """If a rekey was cut short, pick the key file whose data key opens the database."""
    next_path = folder / NEXT_KEYS_NAME
    if _key_opens(folder / DB_NAME, data_key, read_only):
        if not read_only:
            next_path.unlink(missing_ok=True)  # the rekey never happened
        return keyfile, principal, kek, data_key
    if next_path.exists():
        next_file = KeyFile.read(next_path)
        opened = unlock(next_file)
        if opened is not None and _key_opens(folder / DB_NAME, opened[2], read_only):
            if not read_only:
                os.replace(next_path, folder / KEYS_NAME)
                fsync_dir(folder)
            return next_file, *opened
    raise diagnosis.diagnose_key_mismatch(folder, keyfile, data_key)


def _key_opens(db_path: Path, data_key: bytes, read_only: bool = False) -> bool:
    holder = KeyHolder(data_key)
    try:
        conn = connect_raw(db_path, holder, read_only=read_only)
    except sqlcipher3.DatabaseError as exc:
        if (
            sqlite_result_code(exc) == SQLITE_NOTADB
        ):  # what SQLCipher says to a key that does not fit
            return False
        raise _open_failure(exc, read_only, db_path.parent) from exc
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


def _remove_empty(folders: list[Path]) -> None:
    for path in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            path.rmdir()  # only succeeds when empty


def _copy_synced(source: Path, target: Path) -> None:
    """Copy a file (0600) and flush it to the disk before it counts as copied."""
    with source.open("rb") as reader:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as writer:
            shutil.copyfileobj(reader, writer, 1024 * 1024)
            writer.flush()
            os.fsync(writer.fileno())


def _os_reason(exc: OSError) -> str:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return READ_ONLY
    return "the operating system refused the write"


def _open_failure(exc: BaseException, read_only: bool, folder: Path) -> Exception:
    """Why a database that the key may well fit could not be opened."""
    if read_only and sqlite_result_code(exc) == SQLITE_CANTOPEN:
        return ReadOnlyMediaError(
            "was not closed properly where it was last used, so its newest changes wait in a "
            "side file that cannot be read there"
        )
    if (
        sqlite_result_code(exc) == SQLITE_IOERR
        and diagnosis.free_bytes(folder) < diagnosis.ROOM_TO_OPEN
    ):
        # SQLite could not make room for its shared-memory file: a full disk, not damage.
        return StorageUnavailableError(DISK_FULL)
    return _translated(exc, folder)


def _translated(exc: BaseException, folder: Path | None = None) -> Exception:
    original = getattr(exc, "orig", exc)
    mapped = translate_db_error(original)
    if isinstance(mapped, VaultDamagedError) and folder is not None:
        return VaultDamagedError(mapped.what, backup.restore_hint(folder))
    if mapped is not None:
        return mapped
    return exc if isinstance(exc, Exception) else RuntimeError("unexpected error")
