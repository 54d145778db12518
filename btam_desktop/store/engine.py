"""SQLCipher connections and the SQLAlchemy engine over them.

The key is given as a raw 32-byte key in the first statement of every connection. It never sits
in a URL, so it cannot reach a log line or an exception text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from btam_desktop.store.errors import (
    DISK_FULL,
    READ_ONLY,
    DriveNotAnsweringError,
    StorageUnavailableError,
    VaultBusyError,
    VaultDamagedError,
    VaultError,
)

BUSY_TIMEOUT_MS = 10_000


class KeyHolder:
    """Holds the data key for the connection factory; ``drop`` forgets it on lock."""

    def __init__(self, key: bytes) -> None:
        self._key: bytearray | None = bytearray(key)

    def pragma(self, salt: bytes | None = None) -> str:
        """The keying statement; ``salt`` only when creating a database (it sets the header)."""
        if self._key is None:
            raise VaultError("The vault is locked. Unlock it to continue.")
        return "PRAGMA key = \"x'" + self._key.hex() + (salt or b"").hex() + "'\""

    def drop(self) -> None:
        if self._key is not None:
            for i in range(len(self._key)):
                self._key[i] = 0
        self._key = None


CACHE_KIB = 32 * 1024
"""Page cache per connection, in KiB; filled only as pages are read (4 pooled connections)."""


def read_only_uri(path: Path) -> str:
    """How SQLite opens a WAL database on read-only media.

    A cleanly closed vault has no ``-wal`` file, and SQLite cannot create one there: open it as
    immutable. A vault that was not closed cleanly keeps recent changes in ``-wal``, which
    ``immutable`` would silently ignore: open it with ``mode=ro``, which reads them (it needs
    the ``-shm`` file beside it)."""
    wal = path.with_name(path.name + "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    return "file:" + quote(str(path)) + ("?mode=ro" if has_wal else "?immutable=1")


def connect_raw(
    path: Path,
    keys: KeyHolder,
    *,
    check_cipher: bool = True,
    read_only: bool = False,
    new_salt: bytes | None = None,
) -> Any:
    """A keyed sqlcipher3 connection with the vault's pragmas applied.

    ``new_salt`` creates a database whose header salt is the key's stamp (see diagnosis.py)."""
    if read_only:
        conn = sqlcipher3.connect(
            read_only_uri(path), uri=True, isolation_level=None, check_same_thread=False
        )
    else:
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        conn.execute(keys.pragma(new_salt))
        if check_cipher:
            row = conn.execute("PRAGMA cipher_version").fetchone()
            if not row or not row[0]:
                raise VaultDamagedError("the database library has no encryption; refusing to open")
        conn.execute("PRAGMA cipher_log_level = NONE")
        # The first real read proves the key; a wrong key fails here as "not a database".
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA temp_store = MEMORY")
        if read_only:
            conn.execute("PRAGMA query_only = ON")
        else:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # A cached page is a decrypted, checked page: with the 8 MB default a large vault
        # decrypts and re-checks the same pages over and over (bench_sqlcipher_vs_sqlite.py).
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except BaseException:
        conn.close()
        raise
    return conn


# SQLite's primary result codes (https://sqlite.org/rescode.html). An error carries its
# extended code (SQLITE_IOERR_READ is 266) in ``sqlite_errorcode``; the low byte is the primary.
SQLITE_ERROR = 1
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

DAMAGED_READ = "the database file does not read back correctly"


def sqlite_result_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of a sqlite3/sqlcipher3 error (or of the driver error a
    SQLAlchemy error wraps), else None."""
    exc = getattr(exc, "orig", None) or exc
    if not isinstance(exc, sqlcipher3.Error | sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


# sqlite3_errstr() of the primary codes. sqlcipher3's Connection.backup() raises its errors with
# this text and without ``sqlite_errorcode``; for that one call the whole text (SQLite's fixed
# wording for the code, compared exactly) stands in for the code.
_ERRSTR_CODES = {
    "database is locked": SQLITE_BUSY,
    "database table is locked": SQLITE_LOCKED,
    "attempt to write a readonly database": SQLITE_READONLY,
    "disk I/O error": SQLITE_IOERR,
    "database disk image is malformed": SQLITE_CORRUPT,
    "database or disk is full": SQLITE_FULL,
    "unable to open database file": SQLITE_CANTOPEN,
    "file is not a database": SQLITE_NOTADB,
}


def backup_result_code(exc: BaseException) -> int | None:
    """``sqlite_result_code`` for an error from ``Connection.backup()`` (see _ERRSTR_CODES)."""
    code = sqlite_result_code(exc)
    if code is None and isinstance(exc, sqlcipher3.Error | sqlite3.Error):
        return _ERRSTR_CODES.get(str(exc))
    return code


def translate_db_error(exc: BaseException) -> Exception | None:
    """Map a database error a person can act on to its VaultError by SQLite's result code,
    else None (a bug)."""
    code = sqlite_result_code(exc)
    if code == SQLITE_FULL:
        return StorageUnavailableError(DISK_FULL)
    if code == SQLITE_READONLY:
        return StorageUnavailableError(READ_ONLY)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return VaultBusyError()
    if code == SQLITE_IOERR:
        return DriveNotAnsweringError()
    if code in (SQLITE_NOTADB, SQLITE_CORRUPT):
        return VaultDamagedError(DAMAGED_READ)
    if code == SQLITE_ERROR and "vtable constructor failed" in str(exc):
        # A search index whose tables are gone: SQLite has no code of its own for this one.
        return VaultDamagedError(DAMAGED_READ)
    return None


def make_engine(
    path: Path, keys: KeyHolder, pool_size: int = 4, *, read_only: bool = False
) -> Engine:
    def creator() -> Any:
        return connect_raw(path, keys, read_only=read_only)

    engine = create_engine(
        "sqlite://",
        creator=creator,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=2,
        pool_pre_ping=False,
        module=sqlcipher3.dbapi2,  # so SQLAlchemy wraps driver errors (vault.py translates them)
        hide_parameters=True,  # values (case content) never appear in an exception text
    )
    _install_transaction_control(engine)
    return engine


def _install_transaction_control(engine: Engine) -> None:
    """Take transactions from the driver: BEGIN IMMEDIATE for writes, plain BEGIN for reads.

    Writers take the write lock up front, so reading the audit head and appending to it cannot
    interleave with another writer.
    """

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        if conn.get_execution_options().get("btam_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


ConnectionFactory = Callable[[], Any]
