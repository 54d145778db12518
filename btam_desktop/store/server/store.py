"""The team server store: a ``Vault`` whose tables live on PostgreSQL, content sealed.

It offers the services exactly what the vault offers (sessions for reading and writing, key
slots, locking), so every service runs unchanged. What differs underneath:

* Sessions are ``SealedSession``s: content is sealed before it is sent and opened on arrival
  (sealing.py), and search uses the blind index (blind_index.py).
* Every write transaction first takes one advisory lock, so writers from many computers are
  serialized like SQLite's single writer: the audit chain stays one chain.
* The key slots are the vault's key-slot file, kept in the ``server_keys`` table.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import QueuePool

from btam_desktop.domain.models import VaultInfo
from btam_desktop.store import audit, crypto, migrate, search, signing
from btam_desktop.store.errors import (
    VaultDamagedError,
    VaultError,
    VaultTooNewError,
    WrongCredentialsError,
    WrongRecoveryKeyError,
)
from btam_desktop.store.keyslots import (
    KeyFile,
)
from btam_desktop.store.server import blind_index
from btam_desktop.store.server.connection import (
    ServerAddress,
    ServerUnavailableError,
    connect,
    parse_server_url,
)
from btam_desktop.store.server.local_drafts import LocalDrafts
from btam_desktop.store.server.sealing import (
    SealedSession,
    Sealer,
    attach,
    check_sealed_writes,
)
from btam_desktop.store.vault import (
    RECOVERY_CHARS,
    Principal,
    ProgressCallback,
    Vault,
    _check_new_password,
    _vouched,
    new_team_keys,
    normalize_recovery_key,
    pinned_key,
)

# One number for "the team's write lock" (pg_advisory_xact_lock takes a bigint).
WRITE_LOCK = 0x6274616D  # "btam"
POOL_SIZE = 4


_SERVER_BACKUPS = (
    "A team server is backed up by whoever runs the server (its backups hold only sealed "
    "content), not from this program."
)


class TeamServerExistsError(VaultError):
    def __init__(self, where: str) -> None:
        super().__init__(
            f"The team server database ({where}) already holds a BTAM team. Sign in to it "
            "instead, or ask for an empty database."
        )


class NoTeamOnServerError(VaultError):
    def __init__(self, where: str) -> None:
        super().__init__(
            f"The team server database ({where}) holds no BTAM team yet. Check the address, "
            "or set the team up first (btam init --server)."
        )


def local_folder(team_id: str) -> Path:
    """This computer's folder for a team server (its custom forms); never case content."""
    return Path(platformdirs.user_data_dir("BTAM Desktop", appauthor=False)) / "servers" / team_id


def _engine(address: ServerAddress) -> Engine:
    engine = create_engine(
        "postgresql+psycopg://",
        creator=lambda: connect(address),
        poolclass=QueuePool,
        pool_size=POOL_SIZE,
        max_overflow=2,
        pool_pre_ping=True,  # a server restarted overnight: reconnect instead of failing
        hide_parameters=True,  # sealed values and ids never appear in an exception text
    )
    check_sealed_writes(engine)
    return engine


def _read_keyfile(engine: Engine, where: str) -> KeyFile:
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT to_regclass('server_keys')")).scalar_one()
            row = (
                conn.execute(text("SELECT body FROM server_keys WHERE id = 1")).first()
                if exists
                else None
            )
    except (OperationalError, DBAPIError) as exc:
        raise _translated(exc, where) from exc
    if row is None:
        raise NoTeamOnServerError(where)
    return KeyFile.from_bytes(str(row[0]).encode("utf-8"))


def _translated(exc: BaseException, where: str) -> Exception:
    original = getattr(exc, "orig", exc)
    if isinstance(original, ServerUnavailableError):
        return original
    name = type(original).__name__
    if name in {"OperationalError", "ConnectionTimeout", "AdminShutdown"} or isinstance(
        exc, OperationalError
    ):
        return ServerUnavailableError(where)
    return exc if isinstance(exc, Exception) else RuntimeError("unexpected error")


class ServerVault(Vault):
    """A team's data on a PostgreSQL server, opened with a member's password."""

    on_team_server = True

    def __init__(
        self,
        address: ServerAddress,
        engine: Engine,
        keyfile: KeyFile,
        data_key: bytes,
        principal: Principal,
        slot_key: bytes,
        signer: signing.Signer | None = None,
        vault_seed: bytes | None = None,
        trusted_public: bytes | None = None,
    ) -> None:
        self.address = address
        self.signer = signer
        self._vault_seed = vault_seed
        self.trusted_public = trusted_public or keyfile.vault_public
        self.folder = local_folder(keyfile.vault_id)
        with contextlib.suppress(OSError):  # custom forms for this team on this computer
            self.forms_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.read_only = False
        self.waiting_for_space = False
        self.db_path = self.folder / "server"  # nothing is written there
        self.keys_path = self.folder / "server.keys"  # the slots live in the server
        self.keyfile = keyfile
        self.principal = principal
        self._slot_key = slot_key
        self._engine = engine
        self._sealer: Sealer | None = Sealer.from_data_key(data_key, keyfile.vault_id)
        self._data_key_bytes: bytearray | None = bytearray(data_key)

    @property
    def is_server(self) -> bool:
        return True

    @property
    def where(self) -> str:
        return self.address.where

    @property
    def sealer(self) -> Sealer:
        if self._sealer is None:
            raise VaultError("The team's data is locked. Unlock it to continue.")
        return self._sealer

    # ---- creating and opening --------------------------------------------------------------
    @classmethod
    def create_on_server(
        cls,
        url: str,
        *,
        username: str,
        password: str,
        kdf_params: crypto.KdfParams | None = None,
        enforce_password_policy: bool = True,
    ) -> tuple[ServerVault, str]:
        """Create the schema and the key slots in an empty database. Returns (store, recovery
        key). The schema, the slots and the first facts are one transaction: all or nothing."""
        address = parse_server_url(url)
        if enforce_password_policy:
            _check_new_password(password)
        engine = _engine(address)
        try:
            try:
                with engine.connect() as conn:
                    schema = conn.execute(text("SELECT to_regclass('alembic_version')")).scalar()
                    team = (
                        schema is not None
                        and conn.execute(text("SELECT count(*) FROM server_keys")).scalar_one()
                    )
            except (OperationalError, DBAPIError) as exc:
                raise _translated(exc, address.where) from exc
            if team:
                raise TeamServerExistsError(address.where)
            # `btam server init` may have made the schema already (as the owner role).
            schema_ready = schema is not None and migrate.current_revision(engine) == (
                migrate.head_revision()
            )
            params = kdf_params or crypto.tune_params()
            # Signed as a vault is (no key stamp: that is about a SQLite file's header).
            keys = new_team_keys(username, password, params)
            keyfile, data_key, user_slot = keys.keyfile, keys.data_key, keys.user_slot
            user_kek, signer, vault_seed, recovery = (
                keys.user_kek,
                keys.signer,
                keys.vault_seed,
                keys.recovery,
            )
            keyfile.authenticate(data_key)
            try:
                with engine.begin() as conn:
                    if not schema_ready:
                        command.upgrade(migrate._config(conn), "head")
                    conn.execute(
                        text("INSERT INTO server_keys (id, body, generation) VALUES (1, :b, :g)"),
                        {"b": keyfile.to_bytes().decode("utf-8"), "g": keyfile.generation},
                    )
                    for key, value in (
                        ("schema_major", str(migrate.SCHEMA_MAJOR)),
                        ("vault_id", keyfile.vault_id),
                    ):
                        conn.execute(
                            text("INSERT INTO vault_info (key, value) VALUES (:k, :v)"),
                            {"k": key, "v": value},
                        )
            except (OperationalError, DBAPIError) as exc:
                raise _translated(exc, address.where) from exc
        except BaseException:
            engine.dispose()
            raise
        store = cls(
            address,
            engine,
            keyfile,
            data_key,
            Principal(user_slot.username, user_slot.slot_id),
            user_kek,
            signer,
            vault_seed,
        )
        store.record_anchor()
        return store, recovery

    @classmethod
    def open_on_server(cls, url: str, username: str, password: str) -> ServerVault:
        def unlock(keyfile: KeyFile) -> tuple[Principal, bytes, bytes] | None:
            slot = keyfile.user_slot(username)
            if slot is None:
                return None
            kek = keyfile.slot_kek(slot, password.encode("utf-8"))
            data_key = keyfile.open_slot(slot, kek)
            if data_key is None:
                return None
            return Principal(slot.username, slot.slot_id), kek, data_key

        return cls._open_server(url, unlock, WrongCredentialsError())

    @classmethod
    def open_on_server_with_recovery(cls, url: str, recovery_key: str) -> ServerVault:
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

        return cls._open_server(url, unlock, WrongRecoveryKeyError())

    @classmethod
    def _open_server(cls, url: str, unlock: Any, wrong: VaultError) -> ServerVault:
        address = parse_server_url(url)
        engine = _engine(address)
        try:
            keyfile = _read_keyfile(engine, address.where)
            trusted = pinned_key(keyfile)
            opened = unlock(keyfile)
            if opened is None or not _vouched(keyfile, opened[0], trusted):
                raise wrong
            principal, kek, data_key = opened
            if not keyfile.is_authentic(data_key):
                raise VaultDamagedError("the key slots on the team server were changed")
            slot = next(s for s in keyfile.slots if s.slot_id == principal.slot_id)
            seeds = keyfile.open_signing(slot, kek)
            if seeds is None:
                raise VaultDamagedError("a key slot's signing key does not open")
            signer = signing.Signer.from_seed(
                principal.username or audit.RECOVERY_USERNAME, seeds[0]
            )
            store = cls(
                address, engine, keyfile, data_key, principal, kek, signer, seeds[1], trusted
            )
        except BaseException:
            engine.dispose()
            raise
        try:
            store._check_schema()
        except BaseException:
            store._dispose()
            raise
        return store

    def _check_schema(self) -> None:
        try:
            current = migrate.current_revision(self.engine)
        except (OperationalError, DBAPIError) as exc:
            raise _translated(exc, self.where) from exc
        with self.read() as session:
            major_row = session.get(VaultInfo, "schema_major")
        major = int(major_row.value) if major_row and major_row.value.isdigit() else 0
        if major > migrate.SCHEMA_MAJOR:
            raise VaultTooNewError(major, migrate.SCHEMA_MAJOR)
        if (
            current is not None
            and current != migrate.head_revision()
            and current in migrate.known_revisions()
        ):
            raise VaultError(
                "The team server's database needs an upgrade for this version of BTAM "
                "Desktop. Ask whoever runs the server to run: btam server upgrade."
            )

    @property
    def local_drafts(self) -> LocalDrafts:
        """Drafts kept on this computer while the server cannot be reached (local_drafts.py)."""
        return LocalDrafts(self.folder / "drafts", self.sealer.local_key, self.vault_id)

    # ---- sessions --------------------------------------------------------------------------
    def _session(self) -> SealedSession:
        session = SealedSession(self.engine, expire_on_commit=False)
        attach(session, self.sealer)
        return session

    @contextlib.contextmanager
    def read(self) -> Iterator[SealedSession]:
        session = self._session()
        token = search.ALTERNATIVE_INDEX.set(blind_index.BlindSearch(self.sealer))
        try:
            yield session
        except (OperationalError, DBAPIError) as exc:
            raise _translated(exc, self.where) from exc
        finally:
            search.ALTERNATIVE_INDEX.reset(token)
            session.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[SealedSession]:
        """One write transaction, serialized with every other writer of the team by an advisory
        lock held until commit or rollback: commits on success, rolls back on any error."""
        session = self._session()
        if self.signer is not None:
            session.info[audit.SIGNER_INFO] = self.signer
        token = search.ALTERNATIVE_INDEX.set(blind_index.BlindSearch(self.sealer))
        try:
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})
            yield session
            session.commit()
        except (OperationalError, DBAPIError) as exc:
            session.rollback()
            raise _translated(exc, self.where) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            search.ALTERNATIVE_INDEX.reset(token)
            session.close()

    def _check_writable(self) -> None:
        return None

    # ---- key slots -------------------------------------------------------------------------
    def _data_key(self) -> bytes:
        if self._data_key_bytes is None:
            raise VaultError("The team's data is locked. Unlock it to continue.")
        return bytes(self._data_key_bytes)

    def _save_keyfile(self, candidate: KeyFile) -> None:
        candidate.authenticate(self._data_key())
        with self.write() as session:
            session.execute(
                text("UPDATE server_keys SET body = :b, generation = :g WHERE id = 1"),
                {"b": candidate.to_bytes().decode("utf-8"), "g": candidate.generation},
            )
        self.keyfile = candidate

    def _rekey(
        self,
        next_file: KeyFile,
        progress: ProgressCallback | None = None,
        *,
        purpose: str = "re-encrypt the team's records with a new key",
    ) -> None:
        """Rotate the data key (a member removed, a password reset, a new recovery key): a new
        key seals every content value again and rebuilds the blind index, and every slot of
        ``next_file`` is resealed, all in one transaction. The old key opens nothing
        afterwards."""
        from btam_desktop.store.server.rekey import reseal_all

        report = progress or (lambda done, total, message: None)
        new_key = os.urandom(crypto.DATA_KEY_BYTES)
        next_file.generation = self.keyfile.generation + 1
        for remaining in next_file.slots:
            next_file.seal(remaining, new_key)
        next_file.authenticate(new_key)
        new_sealer = Sealer.from_data_key(new_key, self.keyfile.vault_id)
        with self.write() as session:
            reseal_all(session.connection(), self.sealer, new_sealer, report)
            session.execute(
                text("UPDATE server_keys SET body = :b, generation = :g WHERE id = 1"),
                {"b": next_file.to_bytes().decode("utf-8"), "g": next_file.generation},
            )
        self.keyfile = next_file
        self._forget_data_key()
        self._data_key_bytes = bytearray(new_key)
        self._sealer = new_sealer

    def listen_for_changes(self, on_change: Any) -> Any:
        """Start a ``ChangeListener`` (changes.py) for this team; call ``stop()`` on it."""
        from btam_desktop.store.server.changes import ChangeListener

        return ChangeListener(self.address, on_change).start()

    # ---- maintenance the local vault has and a server does differently ---------------------
    def checkpoint(self) -> None:
        return None

    def backup_before_migration(self, revision: str) -> Path:
        raise VaultError(_SERVER_BACKUPS)

    def reclaim_space(self) -> None:
        """After a destruction the server reclaims space itself (autovacuum); what it freed
        held only sealed values."""
        return None

    def raw_connection(self) -> Any:
        raise VaultError(_SERVER_BACKUPS)

    def write_backup(self, folder: Path, created_by: str, progress: Any = None) -> Any:
        raise VaultError(_SERVER_BACKUPS)

    def integrity_problems(self) -> list[str]:
        """What the team server's own checks find: the key slots as stored there (authentic and
        signed by the team's key), and the schema version. (The server checks its pages itself;
        sealed values are checked each time they are opened.)"""
        problems = []
        try:
            stored = _read_keyfile(self.engine, self.where)
        except VaultError as error:
            return [str(error)]
        if not stored.is_authentic(self._data_key()):
            problems.append("the key slots on the team server were changed")
        elif not stored.roster_intact(self.trusted_public):
            # Someone who holds the data key can make the check value fit, not the team's
            # signature over who may unlock.
            problems.append(
                "the list of key slots on the team server is not the one the team's key signed"
            )
        current = migrate.current_revision(self.engine)
        if current != migrate.head_revision() and current in migrate.known_revisions():
            problems.append(f"the tables are at revision {current}; run btam server upgrade")
        return problems

    # ---- locking ---------------------------------------------------------------------------
    def _forget_data_key(self) -> None:
        if self._data_key_bytes is not None:
            for i in range(len(self._data_key_bytes)):
                self._data_key_bytes[i] = 0
        self._data_key_bytes = None
        self._sealer = None

    def _dispose(self) -> None:
        engine, self._engine = self._engine, None
        try:
            if engine is not None:
                engine.dispose()
        finally:
            self._forget_data_key()
            self._slot_key = None
            self._vault_seed = None
            if self.signer is not None:
                self.signer.drop()

    def lock(self) -> None:
        self._dispose()

    close = lock
