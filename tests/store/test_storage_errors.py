"""A full disk or a read-only folder: a StorageUnavailableError a person can act on, and the last
saved state intact.

The tests run as root in CI, where chmod does not stop a write. So the database errors are
produced by SQLite itself through the real path (``max_page_count`` makes SQLite answer
"database or disk is full", ``query_only`` makes it answer "attempt to write a readonly
database"), and the file-system errors by failing the one OS call; a real chmod test runs as
well when the tests are not root.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from btam_desktop.domain.models import Attachment, Case, VaultInfo
from btam_desktop.store import lockfile
from btam_desktop.store.errors import (
    StorageUnavailableError,
    ValidationError,
    WrongCredentialsError,
)
from btam_desktop.store.keyfile_names import KEYS_NAME, NEXT_KEYS_NAME
from btam_desktop.store.vault import Vault
from tests.store._support import ALICE, ALICE_PW, BOB, BOB_PW, CHEAP


@contextmanager
def every_connection(vault: Vault, pragma: Callable[[Any], None]) -> Iterator[None]:
    """Apply a setting to each new pooled connection (dropping the existing ones first)."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        pragma(dbapi_connection)

    vault.engine.dispose()
    event.listen(vault.engine, "connect", on_connect)
    try:
        yield
    finally:
        vault.engine.dispose()
        event.remove(vault.engine, "connect", on_connect)


def disk_full(conn: Any) -> None:
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")


def read_only(conn: Any) -> None:
    conn.execute("PRAGMA query_only = ON")


def saved_keys(vault: Vault) -> list[str]:
    with vault.read() as session:
        return sorted(i.key for i in session.exec(select(VaultInfo)).all())


@pytest.mark.parametrize(
    ("condition", "words"),
    [(disk_full, "the disk is full"), (read_only, "read-only")],
    ids=["disk-full", "read-only"],
)
def test_database_write_failure_is_storage_unavailable(new_vault, condition, words) -> None:
    vault = new_vault.vault
    with vault.write() as session:
        session.add(VaultInfo(key="saved-before", value="yes"))
    before = saved_keys(vault)

    with every_connection(vault, condition):
        with pytest.raises(StorageUnavailableError) as caught, vault.write() as session:
            session.add(VaultInfo(key="too-much", value="x" * 500_000))
        assert words in str(caught.value)
        assert "last saved state is intact" in str(caught.value)
        assert "x" * 100 not in str(caught.value)  # no content in the message
        assert saved_keys(vault) == before  # reading still works

    assert saved_keys(vault) == before
    assert vault.integrity_problems() == []
    with vault.write() as session:  # and once there is room again, writing works
        session.add(VaultInfo(key="saved-after", value="yes"))
    assert "saved-after" in saved_keys(vault)


@contextmanager
def failing_fsync(error_number: int) -> Iterator[None]:
    real = os.fsync

    def fsync(fd: int) -> None:
        raise OSError(error_number, os.strerror(error_number))

    os.fsync = fsync  # the key-slot file is written with write + fsync + rename
    try:
        yield
    finally:
        os.fsync = real


def test_key_file_write_on_a_full_disk(new_vault, track) -> None:
    vault = new_vault.vault
    keys = new_vault.folder / KEYS_NAME
    before = keys.read_bytes()
    with failing_fsync(errno.ENOSPC), pytest.raises(StorageUnavailableError) as caught:
        vault.add_user_slot(BOB, BOB_PW, CHEAP)
    assert "the disk is full" in str(caught.value)
    assert keys.read_bytes() == before  # the old file is whole
    assert not (new_vault.folder / (KEYS_NAME + ".writing")).exists()

    # With room again, the same request succeeds: nothing half-done was kept in memory.
    vault.add_user_slot(BOB, BOB_PW, CHEAP)
    vault.lock()
    track(Vault.open(new_vault.folder, BOB, BOB_PW)).lock()


def test_failed_password_change_keeps_the_old_password(new_vault, track) -> None:
    vault = new_vault.vault
    with failing_fsync(errno.ENOSPC), pytest.raises(StorageUnavailableError):
        vault.change_password(ALICE, ALICE_PW, "the new long password")
    # Any later save of the key-slot file must not carry the change that was reported failed.
    vault.add_user_slot(BOB, BOB_PW, CHEAP)
    vault.lock()
    track(Vault.open(new_vault.folder, ALICE, ALICE_PW)).lock()


def test_remove_member_on_a_full_disk(vault_factory, track) -> None:
    made = vault_factory(members={BOB: BOB_PW})
    with failing_fsync(errno.ENOSPC), pytest.raises(StorageUnavailableError) as caught:
        made.vault.remove_user_slot(BOB)
    assert "the disk is full" in str(caught.value)
    assert not (made.folder / NEXT_KEYS_NAME).exists()

    # The session is unharmed: with room again, key operations work as before.
    made.vault.change_password(ALICE, ALICE_PW, "alice's next password")
    made.vault.remove_user_slot(BOB)
    made.vault.lock()
    track(Vault.open(made.folder, ALICE, "alice's next password")).lock()
    with pytest.raises(WrongCredentialsError):
        Vault.open(made.folder, BOB, BOB_PW)


def _make_read_only(folder: Path) -> None:
    for path in [*folder.rglob("*"), folder]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _make_writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_read_only_vault_folder(new_vault, monkeypatch, track) -> None:
    """Opening a vault in a folder the program cannot write to: StorageUnavailableError."""
    new_vault.vault.lock()
    _make_read_only(new_vault.folder)
    try:
        if os.access(new_vault.folder / KEYS_NAME, os.W_OK):
            # Root ignores permissions: make the OS refuse the lock file as it would for others.
            refuse_lock_file(monkeypatch, errno.EACCES)
        with pytest.raises(StorageUnavailableError) as caught:
            Vault.open(new_vault.folder, ALICE, ALICE_PW)
        assert "read-only" in str(caught.value)
    finally:
        monkeypatch.undo()
        _make_writable(new_vault.folder)
    track(Vault.open(new_vault.folder, ALICE, ALICE_PW)).lock()


def refuse_lock_file(monkeypatch: pytest.MonkeyPatch, error_number: int) -> None:
    real_open = open

    def refuse(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == lockfile.LOCK_NAME:
            raise OSError(error_number, os.strerror(error_number), str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(lockfile, "open", refuse, raising=False)


def test_vault_on_a_read_only_file_system(new_vault, monkeypatch) -> None:
    """A write-protected USB stick answers EROFS, which Python raises as a plain OSError (not a
    PermissionError): still a StorageUnavailableError, not a crash."""
    new_vault.vault.lock()
    refuse_lock_file(monkeypatch, errno.EROFS)
    with pytest.raises(StorageUnavailableError) as caught:
        Vault.open(new_vault.folder, ALICE, ALICE_PW)
    assert "read-only" in str(caught.value)


def test_create_can_be_retried_after_a_failed_write(tmp_path, track) -> None:
    """A full disk while the new vault's key-slot file is written: StorageUnavailableError, and
    once there is room, creating the vault in the same folder works (no half-made vault.db is
    left behind to make the folder 'already a vault' that cannot be opened either)."""
    folder = tmp_path / "new"
    with failing_fsync(errno.ENOSPC), pytest.raises(StorageUnavailableError):
        Vault.create(folder, username=ALICE, password=ALICE_PW, kdf_params=CHEAP)
    assert not folder.exists()  # the folder this attempt made is gone: nothing partial
    vault, _recovery = Vault.create(folder, username=ALICE, password=ALICE_PW, kdf_params=CHEAP)
    track(vault)
    assert vault.integrity_problems() == []


def test_create_where_the_folder_cannot_be_made(tmp_path, monkeypatch) -> None:
    def refuse(self: Path, *args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(StorageUnavailableError) as caught:
        Vault.create(tmp_path / "new", username=ALICE, password=ALICE_PW, kdf_params=CHEAP)
    assert "read-only" in str(caught.value)


def test_validation_and_policy_errors_are_plain(tmp_path) -> None:
    with pytest.raises(ValidationError) as caught:
        Vault.create(tmp_path / "v", username=ALICE, password="short", kdf_params=CHEAP)
    assert "at least 10 characters" in str(caught.value)
    assert not (tmp_path / "v" / KEYS_NAME).exists()


def test_attachment_too_large_for_the_disk_leaves_the_case(new_vault) -> None:
    vault = new_vault.vault
    with vault.write() as session:
        case = Case(
            number="2026-0001",
            year=2026,
            sequence=1,
            title="kept",
            setting="school",
            status="intake",
            level_scale="x",
        )
        session.add(case)
    with (
        every_connection(vault, disk_full),
        pytest.raises(StorageUnavailableError),
        vault.write() as session,
    ):
        payload = os.urandom(300_000)
        session.add(
            Attachment(
                case_id=case.id,
                file_name="big.pdf",
                media_type="application/pdf",
                size=len(payload),
                sha256="0" * 64,
                data=payload,
            )
        )
    with vault.read() as session:
        assert [c.title for c in session.exec(select(Case)).all()] == ["kept"]
        assert session.exec(select(Attachment)).all() == []
