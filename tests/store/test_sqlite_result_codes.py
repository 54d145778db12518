"""Database errors are mapped by SQLite's result code, never by the words of the message.

Each code is produced by SQLite itself on a real connection (both the sqlcipher3 driver the
vault uses and the standard sqlite3 module): a page limit for FULL, query_only and a read-only
open for READONLY, a second writer for BUSY, a pending statement for LOCKED, a journal that
cannot be created for IOERR, garbage for NOTADB and an overwritten page for CORRUPT.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlcipher3

from btam_desktop.domain.errors import (
    DriveNotAnsweringError,
    StorageUnavailableError,
    VaultBusyError,
    VaultDamagedError,
)
from btam_desktop.store.engine import (
    SQLITE_BUSY,
    SQLITE_CANTOPEN,
    SQLITE_CORRUPT,
    SQLITE_FULL,
    SQLITE_IOERR,
    SQLITE_LOCKED,
    SQLITE_NOTADB,
    SQLITE_READONLY,
    backup_result_code,
    sqlite_result_code,
    translate_db_error,
)

DRIVERS = pytest.mark.parametrize("driver", [sqlcipher3, sqlite3], ids=["sqlcipher3", "sqlite3"])


def _table(driver: ModuleType, path: Path) -> Any:
    conn = driver.connect(str(path), isolation_level=None, timeout=0)
    conn.execute("BEGIN")  # one commit, not 2000 synced ones
    conn.execute("CREATE TABLE t(x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(str(i) * 50,) for i in range(2000)])
    conn.execute("COMMIT")
    return conn


def _raised(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as error:
        return error
    raise AssertionError("SQLite did not refuse")


@DRIVERS
def test_a_full_database_is_a_full_disk(driver: ModuleType, tmp_path: Path) -> None:
    conn = _table(driver, tmp_path / "v.db")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    error = _raised(lambda: conn.execute("INSERT INTO t VALUES (?)", ("x" * 500_000,)))
    assert sqlite_result_code(error) == SQLITE_FULL
    mapped = translate_db_error(error)
    assert isinstance(mapped, StorageUnavailableError) and mapped.disk_full


@DRIVERS
def test_a_read_only_database_is_read_only_storage(driver: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    _table(driver, path).close()
    query_only = driver.connect(str(path), isolation_level=None)
    query_only.execute("PRAGMA query_only = ON")
    opened_read_only = driver.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    for conn in (query_only, opened_read_only):
        error = _raised(lambda c=conn: c.execute("INSERT INTO t VALUES (1)"))
        assert sqlite_result_code(error) == SQLITE_READONLY
        mapped = translate_db_error(error)
        assert isinstance(mapped, StorageUnavailableError)
        assert mapped.read_only and not mapped.disk_full


@DRIVERS
def test_busy_and_locked_say_the_vault_was_busy(driver: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    first = _table(driver, path)
    second = driver.connect(str(path), isolation_level=None, timeout=0)
    first.execute("BEGIN IMMEDIATE")
    busy = _raised(lambda: second.execute("BEGIN IMMEDIATE"))
    first.execute("ROLLBACK")
    assert sqlite_result_code(busy) == SQLITE_BUSY

    pending = first.execute("SELECT x FROM t")
    pending.fetchone()
    locked = _raised(lambda: first.execute("DROP TABLE t"))
    pending.close()
    assert sqlite_result_code(locked) == SQLITE_LOCKED

    for error in (busy, locked):
        mapped = translate_db_error(error)
        assert isinstance(mapped, VaultBusyError)
        assert "Nothing was changed" in str(mapped)


@DRIVERS
def test_damage_says_damaged_and_an_io_error_names_the_drive(
    driver: ModuleType, tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(8192))
    not_a_db = _raised(
        lambda: driver.connect(str(garbage)).execute("SELECT * FROM sqlite_master").fetchall()
    )
    assert sqlite_result_code(not_a_db) == SQLITE_NOTADB

    overwritten = tmp_path / "overwritten.db"
    _table(driver, overwritten).close()
    data = bytearray(overwritten.read_bytes())
    data[3 * 4096 : 3 * 4096 + 100] = b"\xff" * 100  # the header of one of the table's pages
    overwritten.write_bytes(bytes(data))
    corrupt = _raised(
        lambda: driver.connect(str(overwritten)).execute("SELECT sum(length(x)) FROM t").fetchall()
    )
    assert sqlite_result_code(corrupt) == SQLITE_CORRUPT

    journal_blocked = tmp_path / "journal.db"
    conn = _table(driver, journal_blocked)
    (tmp_path / "journal.db-journal").mkdir()  # SQLite cannot create its rollback journal
    io_error = _raised(lambda: conn.execute("INSERT INTO t VALUES (1)"))
    assert sqlite_result_code(io_error) == SQLITE_IOERR

    for error in (not_a_db, corrupt):
        assert isinstance(translate_db_error(error), VaultDamagedError)
    # A pulled USB drive is not damage: the person is told to check the drive, not to restore.
    told = translate_db_error(io_error)
    assert isinstance(told, DriveNotAnsweringError)
    assert not isinstance(told, VaultDamagedError)
    assert "still connected" in str(told) and "backup" not in str(told)


@DRIVERS
def test_the_code_is_read_through_an_sqlalchemy_wrapper(driver: ModuleType, tmp_path: Path) -> None:
    from sqlalchemy.exc import OperationalError

    missing = tmp_path / "no such folder" / "v.db"
    cannot_open = _raised(lambda: driver.connect(str(missing)).execute("SELECT 1"))
    wrapped = OperationalError("SELECT 1", {}, cannot_open)  # type: ignore[arg-type]
    assert sqlite_result_code(wrapped) == SQLITE_CANTOPEN


def test_the_words_alone_map_nothing() -> None:
    """An error that only says the words (no result code) is not taken for what it says."""
    for driver in (sqlcipher3, sqlite3):
        for words in ("database or disk is full", "database is locked", "file is not a database"):
            assert translate_db_error(driver.OperationalError(words)) is None
    assert translate_db_error(ValueError("database or disk is full")) is None


@DRIVERS
def test_errors_that_are_bugs_are_not_mapped(driver: ModuleType, tmp_path: Path) -> None:
    conn = _table(driver, tmp_path / "v.db")
    conn.execute("CREATE UNIQUE INDEX one_x ON t(x)")
    no_table = _raised(lambda: conn.execute("SELECT * FROM nowhere"))
    conn.execute("INSERT INTO t VALUES ('only')")
    duplicate = _raised(lambda: conn.execute("INSERT INTO t VALUES ('only')"))
    assert translate_db_error(no_table) is None
    assert translate_db_error(duplicate) is None


@DRIVERS
def test_a_backup_onto_a_full_target_is_known_as_full(driver: ModuleType, tmp_path: Path) -> None:
    """sqlcipher3's backup() raises without a result code: its fixed SQLite text stands in."""
    source = _table(driver, tmp_path / "source.db")
    target = driver.connect(str(tmp_path / "target.db"), isolation_level=None)
    target.execute("PRAGMA max_page_count = 3")
    error = _raised(lambda: source.backup(target))
    assert backup_result_code(error) == SQLITE_FULL
    assert backup_result_code(driver.OperationalError("the database or disk is full")) is None


def test_not_enough_space_is_a_full_disk_to_those_who_ask() -> None:
    from btam_desktop.domain.errors import NotEnoughSpaceError

    error = NotEnoughSpaceError("make a backup", needed=50 * 2**20, free=2**20)
    assert isinstance(error, StorageUnavailableError)
    assert error.disk_full and not error.read_only
    assert "about 50 MB" in str(error)
