"""Each reason a vault does not open or cannot be written, produced for real: an older and a
newer key-slot file, damage, read-only media (a read-only bind mount), a full disk (a 6 MB
tmpfs), and private file modes under a permissive umask. The storage path that ran (real or
simulated) is in each test's report."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from alembic import command
from sqlmodel import select

from btam_desktop.domain.models import VaultInfo
from btam_desktop.store import diagnosis, migrate
from btam_desktop.store.errors import (
    KeyFileMismatchError,
    NotEnoughSpaceError,
    ReadOnlyMediaError,
    ReadOnlyVaultError,
    StorageUnavailableError,
    VaultDamagedError,
    VaultError,
)
from btam_desktop.store.keyfile_names import DB_NAME, KEYS_NAME, NEXT_KEYS_NAME
from btam_desktop.store.vault import Vault
from tests.edges import SmallDisk, read_only_view, small_disk
from tests.store._support import ALICE, ALICE_PW, BOB, BOB_PW, CHEAP, file_states, flip_byte


def _fill_with(vault: Vault, kib: int) -> None:
    """Incompressible rows, so the database has a real size."""
    with vault.write() as session:
        for i in range(kib // 16):
            session.add(VaultInfo(key=f"filler-{i}", value=os.urandom(8 * 1024).hex()))


def _open_error(folder: Path, user: str = ALICE, password: str = ALICE_PW) -> VaultError:
    with pytest.raises(VaultError) as caught:
        Vault.open(folder, user, password).lock()
    return caught.value


def _no_backup_promised(message: str) -> None:
    assert "restore the latest backup" not in message.lower()
    assert "Restore from a backup" in message or "Copy it over" in message


# ---- which key-slot file belongs to which database --------------------------------------------


@pytest.fixture
def rekeyed(vault_factory, tmp_path: Path):
    """A vault re-encrypted once (bob removed), with copies of its files from before."""
    made = vault_factory(members={BOB: BOB_PW})
    made.vault.checkpoint()
    before = tmp_path / "before"
    before.mkdir()
    for name in (DB_NAME, KEYS_NAME):
        shutil.copy2(made.folder / name, before / name)
    made.vault.remove_user_slot(BOB)
    made.vault.lock()
    return made, before


def test_an_older_key_file_is_named_as_older(rekeyed) -> None:
    made, before = rekeyed
    current_keys = (made.folder / KEYS_NAME).read_bytes()
    db_before = (made.folder / DB_NAME).read_bytes()
    shutil.copy2(before / KEYS_NAME, made.folder / KEYS_NAME)

    error = _open_error(made.folder)
    assert type(error) is KeyFileMismatchError
    assert "it is older (key generation 1) than the database" in str(error)
    assert "damaged" not in str(error)
    _no_backup_promised(str(error))
    assert (made.folder / DB_NAME).read_bytes() == db_before  # nothing was changed

    # The newer key file lies in the folder under another name: the message names it.
    (made.folder / "vault (copy).keys").write_bytes(current_keys)
    error = _open_error(made.folder)
    assert "vault (copy).keys" in str(error) and "Copy it over" in str(error)
    shutil.copy2(made.folder / "vault (copy).keys", made.folder / KEYS_NAME)
    Vault.open(made.folder, ALICE, ALICE_PW).lock()


def test_an_older_database_is_named_as_older(rekeyed) -> None:
    made, before = rekeyed
    shutil.copy2(before / DB_NAME, made.folder / DB_NAME)
    for suffix in ("-wal", "-shm"):
        (made.folder / (DB_NAME + suffix)).unlink(missing_ok=True)
    error = _open_error(made.folder)
    assert type(error) is KeyFileMismatchError
    assert "the database is an older copy (key generation 1)" in str(error)
    assert "(generation 2)" in str(error)
    _no_backup_promised(str(error))


def test_real_damage_is_still_called_damage(vault_factory) -> None:
    made = vault_factory()
    made.vault.checkpoint()
    made.vault.lock()
    flip_byte(made.folder / DB_NAME, 2000)  # inside page 1, after the header salt
    error = _open_error(made.folder)
    assert type(error) is VaultDamagedError
    assert "start of the file is damaged" in str(error)
    _no_backup_promised(str(error))


def test_wrong_password_is_not_a_key_file_problem(rekeyed) -> None:
    made, before = rekeyed
    shutil.copy2(before / KEYS_NAME, made.folder / KEYS_NAME)
    error = _open_error(made.folder, ALICE, "not alice's password at all")
    assert "Wrong user name or password" in str(error)


def test_key_stamps_reveal_nothing_of_the_key(vault_factory) -> None:
    made = vault_factory()
    data_key = made.vault._data_key()
    made.vault.checkpoint()
    keys_text = (made.folder / KEYS_NAME).read_text("utf-8")
    header = (made.folder / DB_NAME).read_bytes()[:16]
    assert header == diagnosis.database_salt(data_key, made.vault.vault_id)
    assert data_key.hex() not in keys_text and data_key.hex() not in header.hex()


# ---- read-only media ---------------------------------------------------------------------------


def test_a_vault_on_read_only_media_opens_for_reading(vault_factory, record_property) -> None:
    made = vault_factory()
    _fill_with(made.vault, 64)
    made.vault.lock()
    with read_only_view(made.folder) as view:
        record_property("read_only", view.kind)
        states = file_states(view.path)
        vault = Vault.open(view.path, ALICE, ALICE_PW)
        try:
            assert vault.read_only
            with vault.read() as session:
                assert len(session.exec(select(VaultInfo)).all()) > 4
            with pytest.raises(ReadOnlyVaultError) as caught, vault.write() as session:
                session.add(VaultInfo(key="nope", value="x"))
            message = str(caught.value)
            assert "read-only" in message and "space" not in message.lower()
        finally:
            vault.lock()
        assert file_states(view.path) == states  # not one byte written


def test_read_only_media_with_unsaved_changes_in_the_side_file(vault_factory, tmp_path) -> None:
    """Copied while open (the newest rows still in vault.db-wal): the read-only open must read
    them, not silently show an older state."""
    made = vault_factory()
    with made.vault.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
    made.vault.engine.dispose()
    with made.vault.write() as session:
        session.add(VaultInfo(key="newest", value="in the side file"))
    copy = tmp_path / "copied-while-open"
    keeper = made.vault.engine.connect()  # keeps the WAL from being folded back on close
    try:
        shutil.copytree(made.folder, copy, ignore=shutil.ignore_patterns("vault.lock"))
    finally:
        keeper.close()
    assert (copy / (DB_NAME + "-wal")).stat().st_size > 0
    with read_only_view(copy) as view:
        vault = Vault.open(view.path, ALICE, ALICE_PW)
        try:
            with vault.read() as session:
                assert session.get(VaultInfo, "newest") is not None
        finally:
            vault.lock()
        if view.kind == "bind-mount":  # without its -shm file it cannot be read there
            pass
    (copy / (DB_NAME + "-shm")).unlink()
    with read_only_view(copy) as view:
        if view.kind != "bind-mount":
            return
        error = _open_error(view.path)
        assert type(error) is ReadOnlyMediaError
        assert "read-only media" in str(error) and "space" not in str(error).lower()


def test_read_only_media_that_needs_an_upgrade_is_refused_plainly(vault_factory) -> None:
    made = vault_factory()
    with made.vault.engine.begin() as conn:
        command.downgrade(migrate._config(conn), "0001")
    made.vault.lock()
    with read_only_view(made.folder) as view:
        error = _open_error(view.path)
        assert type(error) is ReadOnlyMediaError
        assert "upgraded" in str(error) and "space" not in str(error).lower()


# ---- space first -------------------------------------------------------------------------------


@pytest.fixture
def disk(tmp_path: Path, record_property):  # type: ignore[no-untyped-def]
    with small_disk(tmp_path) as made:
        record_property("disk", made.kind)
        yield made


def _vault_on(disk: SmallDisk, kib: int = 1200) -> Vault:
    vault, _ = Vault.create(
        disk.path / "vault", username=ALICE, password=ALICE_PW, kdf_params=CHEAP
    )
    vault.add_user_slot(BOB, BOB_PW, CHEAP)
    _fill_with(vault, kib)
    vault.checkpoint()
    return vault


def test_removing_a_member_checks_space_first(disk: SmallDisk) -> None:
    vault = _vault_on(disk)
    folder = vault.folder
    keys_before = (folder / KEYS_NAME).read_bytes()
    disk.fill(vault.engine)
    try:
        with pytest.raises(NotEnoughSpaceError) as caught:
            vault.remove_user_slot(BOB)
        message = str(caught.value)
        assert "re-encrypted" in message and "needs about" in message and "MB" in message
        assert caught.value.needed > (folder / DB_NAME).stat().st_size
        assert not (folder / NEXT_KEYS_NAME).exists()
        assert (folder / KEYS_NAME).read_bytes() == keys_before
        disk.free_up()
        vault.remove_user_slot(BOB)  # with room, it works
    finally:
        vault.lock()
    Vault.open(folder, ALICE, ALICE_PW).lock()


def test_a_rekey_that_runs_out_of_space_midway_leaves_nothing_behind(
    disk: SmallDisk, monkeypatch
) -> None:
    """The space check is skipped to make the disk fill up during the re-encryption itself."""
    vault = _vault_on(disk)
    folder = vault.folder
    monkeypatch.setattr(diagnosis, "require_free_space", lambda *a, **k: None)
    disk.fill(vault.engine)
    try:
        with pytest.raises(StorageUnavailableError) as caught:
            vault.remove_user_slot(BOB)
        assert caught.value.disk_full
        assert not (folder / NEXT_KEYS_NAME).exists()
        assert not list(folder.glob("*.writing"))
    finally:
        vault.lock()
    disk.free_up()
    reopened = Vault.open(folder, BOB, BOB_PW)  # bob is still a member, the old key in force
    try:
        assert reopened.integrity_problems() == []
    finally:
        reopened.lock()


def test_an_upgrade_copy_checks_space_and_leaves_no_partial_folder(
    disk: SmallDisk, monkeypatch
) -> None:
    vault = _vault_on(disk, kib=800)
    folder = vault.folder
    with vault.engine.begin() as conn:
        command.downgrade(migrate._config(conn), "0001")
    vault.lock()
    disk.fill()
    error = _open_error(folder)
    assert type(error) is NotEnoughSpaceError
    assert "upgrade the vault" in str(error) and "needs about" in str(error)
    assert list((folder / "backups").iterdir()) == []

    if disk.kind == "tmpfs":  # the copy itself runs out of room: still nothing left behind
        monkeypatch.setattr(diagnosis, "require_free_space", lambda *a, **k: None)
        error = _open_error(folder)
        assert isinstance(error, StorageUnavailableError) and error.disk_full
        assert list((folder / "backups").iterdir()) == []
        monkeypatch.undo()

    disk.free_up()
    vault = Vault.open(folder, ALICE, ALICE_PW)
    try:
        assert migrate.current_revision(vault.engine) == migrate.head_revision()
        assert [p.name.startswith("before-migration-0001-") for p in vault.backup_dir.iterdir()]
    finally:
        vault.lock()


# ---- file modes --------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name == "nt", reason="Windows: the folder inherits the profile's ACL")
def test_vault_folder_and_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        vault, _ = Vault.create(tmp_path / "v", username=ALICE, password=ALICE_PW, kdf_params=CHEAP)
        try:
            _fill_with(vault, 32)
            vault.backup_before_migration("test")
            folder = vault.folder
            assert _mode(folder) == 0o700
            files = [p for p in folder.rglob("*") if p.is_file()]
            names = {p.name for p in files}
            assert {DB_NAME, KEYS_NAME, "vault.lock", DB_NAME + "-wal", DB_NAME + "-shm"} <= names
            assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
            folders = [p for p in folder.rglob("*") if p.is_dir()]
            assert {p.name: _mode(p) for p in folders} == {p.name: 0o700 for p in folders}
        finally:
            vault.lock()
        # A vault whose modes were loosened (copied with another tool) is tightened on opening.
        (folder / KEYS_NAME).chmod(0o644)
        folder.chmod(0o755)
        Vault.open(folder, ALICE, ALICE_PW).lock()
        assert _mode(folder) == 0o700 and _mode(folder / KEYS_NAME) == 0o600
    finally:
        os.umask(old)


def test_a_vault_closed_cleanly_opens_for_reading_on_a_full_disk(disk: SmallDisk) -> None:
    """No room even for SQLite's shared-memory file: the vault is read as it is, writing says
    the disk is full (never 'damaged'), and once there is room writing works again."""
    vault = _vault_on(disk, kib=64)
    folder = vault.folder
    vault.lock()
    disk.fill()
    vault = Vault.open(folder, ALICE, ALICE_PW)
    try:
        with vault.read() as session:
            assert session.get(VaultInfo, "filler-0") is not None
        with pytest.raises(StorageUnavailableError) as caught, vault.write() as session:
            session.add(VaultInfo(key="later", value="x"))
        assert caught.value.disk_full and "damaged" not in str(caught.value)
        disk.free_up()
        with vault.write() as session:
            session.add(VaultInfo(key="later", value="x"))
        with vault.read() as session:
            assert session.get(VaultInfo, "later") is not None
        assert vault.integrity_problems() == []
    finally:
        vault.lock()


# ---- locking -----------------------------------------------------------------------------------


def test_lock_forgets_the_keys_even_when_closing_fails(new_vault, monkeypatch) -> None:
    vault = new_vault.vault
    keys = vault._keys
    engine = vault.engine

    def broken_dispose(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OSError("the drive was pulled out")

    monkeypatch.setattr(engine, "dispose", broken_dispose)
    with pytest.raises(OSError):
        vault.lock()
    assert keys._key is None and vault._slot_key is None
    assert not vault.is_open
    monkeypatch.undo()
    engine.dispose()
    # The vault lock was released: the vault opens again (also in this process).
    Vault.open(new_vault.folder, ALICE, ALICE_PW).lock()


def test_a_vault_not_closed_cleanly_on_a_full_disk_is_not_called_damaged(
    disk: SmallDisk, tmp_path: Path
) -> None:
    """Recent changes wait in vault.db-wal but SQLite has no room for its shared-memory file:
    the message is about the full disk, never about damage."""
    import sqlcipher3

    from btam_desktop.store import vault as vault_module

    vault = _vault_on(disk, kib=64)
    folder = vault.folder
    with vault.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
    vault.engine.dispose()
    with vault.write() as session:
        session.add(VaultInfo(key="in the log", value="yes"))
    copy = disk.path / "copied"
    keeper = vault.engine.connect()
    try:
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("vault.lock"))
    finally:
        keeper.close()
        vault.lock()
    (copy / (DB_NAME + "-shm")).unlink()
    assert (copy / (DB_NAME + "-wal")).stat().st_size > 0
    disk.fill()
    if disk.kind == "tmpfs":
        error = _open_error(copy)
        assert isinstance(error, StorageUnavailableError) and error.disk_full
        assert "damaged" not in str(error)
    else:  # no real ENOSPC here: check the mapping of SQLite's answer itself
        mapped = vault_module._open_failure(
            sqlcipher3.OperationalError("disk I/O error"), False, copy
        )
        assert isinstance(mapped, StorageUnavailableError) and mapped.disk_full
    disk.free_up()
    reopened = Vault.open(copy, ALICE, ALICE_PW)
    try:
        with reopened.read() as session:
            assert session.get(VaultInfo, "in the log") is not None
    finally:
        reopened.lock()


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_only_the_vault_s_own_files_are_made_private(tmp_path: Path) -> None:
    """A vault made inside a folder that also holds other things leaves those things alone."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    other = shared / "minutes.txt"
    other.write_text("not the vault's")
    other.chmod(0o644)
    vault, _ = Vault.create(shared, username=ALICE, password=ALICE_PW, kdf_params=CHEAP)
    vault.lock()
    Vault.open(shared, ALICE, ALICE_PW).lock()
    assert _mode(other) == 0o644 and _mode(shared) == 0o755
    assert _mode(shared / KEYS_NAME) == 0o600 and _mode(shared / DB_NAME) == 0o600
