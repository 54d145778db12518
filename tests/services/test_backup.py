"""Backups: consistent while writing, sealed, checked, rotated, restored; refusals are clear."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from btam_desktop.domain.enums import NoteCategory
from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.backup import restore_to_new_folder, verify_backup
from btam_desktop.services.settings import TeamSettings
from btam_desktop.store import backup as store_backup
from btam_desktop.store.backup import BackupDamagedError, BackupEntry, BackupError
from btam_desktop.store.engine import KeyHolder, connect_raw
from btam_desktop.store.errors import (
    PermissionDeniedError,
    ValidationError,
    VaultDamagedError,
    WrongCredentialsError,
)
from tests.services.conftest import MEMBER_PASSWORD, PASSWORD, VIEWER_PASSWORD, intake


def _set_folder(app: Btam, folder: Path, keep: int = 14) -> None:
    settings: TeamSettings = app.settings()
    settings.backup_folder = str(folder)
    settings.backup_keep = keep
    app.save_settings(settings)


def _content_hash(db: Path, key: bytes, audit_upto: int | None = None) -> str:
    """SHA-256 over every row of every table (sorted), audit events up to ``audit_upto``."""
    conn = connect_raw(db, KeyHolder(key))
    digest = hashlib.sha256()
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        for table in tables:
            where = ""
            if table == "audit_event" and audit_upto is not None:
                where = f" WHERE id <= {audit_upto}"
            if table == "vault_info":
                where = " WHERE key NOT LIKE 'audit_head%'"
            query = f'SELECT * FROM "{table}"{where}'  # noqa: S608 - names from sqlite_master
            rows = sorted(repr(r) for r in conn.execute(query))
            digest.update(table.encode())
            for row in rows:
                digest.update(row.encode())
    finally:
        conn.close()
    return digest.hexdigest()


def _key(app: Btam) -> bytes:
    return app.vault._data_key()


def test_backup_while_writing_then_restore_gives_equal_content(
    coordinator: Btam, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    _set_folder(coordinator, usb)
    case = coordinator.cases.report_concern(intake())
    for i in range(200):
        coordinator.records.add_note(case.id, NoteCategory.OTHER, f"note before {i} " * 20)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        while not stop.is_set():
            note = coordinator.records.add_note(case.id, NoteCategory.OTHER, "during " * 30)
            written.append(note.id)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        made = coordinator.backups.create()
    finally:
        stop.set()
        thread.join()
    assert written, "the writer never wrote while the backup ran"
    restored = tmp_path / "restored"
    result = restore_to_new_folder(made.path, restored, "coord", PASSWORD)
    assert result.manifest.counts["case_note"] == made.manifest.counts["case_note"]
    key = _key(coordinator)
    # Consistency: the restored notes are exactly the source's notes up to the snapshot, and
    # the audit trail up to the manifest's head is identical.
    upto = made.manifest.audit_events
    conn = connect_raw(restored / "vault.db", KeyHolder(key))
    restored_ids = [r[0] for r in conn.execute("SELECT id FROM case_note ORDER BY id")]
    conn.close()
    assert len(restored_ids) == made.manifest.counts["case_note"]
    source = connect_raw(coordinator.vault.db_path, KeyHolder(key))
    source_ids = [
        r[0] for r in source.execute("SELECT id FROM case_note WHERE id <= ?", (max(restored_ids),))
    ]
    source.close()
    assert restored_ids == source_ids
    # With the writer stopped, a second backup restores to an identical database.
    again = coordinator.backups.create()
    restored2 = tmp_path / "restored2"
    restore_to_new_folder(again.path, restored2, "coord", PASSWORD)
    upto = again.manifest.audit_events
    assert _content_hash(restored2 / "vault.db", key, upto) == _content_hash(
        coordinator.vault.db_path, key, upto
    )


def test_tampered_truncated_or_half_written_backup_is_refused(
    coordinator: Btam, tmp_path: Path
) -> None:
    _set_folder(coordinator, tmp_path / "usb")
    coordinator.cases.report_concern(intake())
    made = coordinator.backups.create()
    good = made.path
    assert verify_backup(good, "coord", PASSWORD).ok
    backup = store_backup.read_backup(good)
    offsets = {
        "database": backup.db_length // 2,
        "key slots": backup.db_length + 10,
        "seal": backup.size - 5,
    }
    for where, offset in offsets.items():
        bad = tmp_path / f"flipped-{where}.btambackup"
        shutil.copy(good, bad)
        with bad.open("r+b") as handle:
            handle.seek(offset)
            value = handle.read(1)[0]
            handle.seek(offset)
            handle.write(bytes([value ^ 0x01]))
        with pytest.raises(BackupDamagedError, match="cannot be used"):
            verify_backup(bad, "coord", PASSWORD)
    cut = tmp_path / "cut.btambackup"
    cut.write_bytes(good.read_bytes()[:-1])
    with pytest.raises(BackupDamagedError, match="cut off"):
        verify_backup(cut, "coord", PASSWORD)
    half = tmp_path / "half.btambackup"
    half.write_bytes(good.read_bytes()[: backup.db_length // 2])
    with pytest.raises(BackupDamagedError, match=r"cut off|too short"):
        verify_backup(half, "coord", PASSWORD)
    with pytest.raises(WrongCredentialsError):
        verify_backup(good, "coord", "not the password")
    # A damaged backup never restores, not even partly.
    target = tmp_path / "never"
    with pytest.raises(BackupDamagedError):
        restore_to_new_folder(tmp_path / "flipped-database.btambackup", target, "coord", PASSWORD)
    assert not (target / "vault.db").exists() and not (target / "vault.keys").exists()


def test_free_space_is_checked_first(coordinator: Btam, tmp_path: Path, monkeypatch) -> None:
    usb = tmp_path / "usb"
    _set_folder(coordinator, usb)
    usage = type(shutil.disk_usage(tmp_path))
    monkeypatch.setattr(
        store_backup.shutil, "disk_usage", lambda _p: usage(10**9, 10**9 - 2**20, 2**20)
    )
    with pytest.raises(store_backup.NotEnoughSpaceError, match=r"needs \d+ MB, 1 MB free on"):
        coordinator.backups.create()
    assert list(usb.iterdir()) == []


@contextlib.contextmanager
def _tiny_filesystem(tmp_path: Path, size_kib: int) -> Iterator[tuple[Path, bool]]:
    """A tmpfs of ``size_kib`` when this process may mount one (root), else a plain folder."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(mount)],
            capture_output=True,
        ).returncode
        == 0
    )
    try:
        yield mount, mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], check=False)


def test_backup_onto_a_tiny_full_filesystem_fails_cleanly(
    coordinator: Btam, tmp_path: Path, monkeypatch
) -> None:
    case = coordinator.cases.report_concern(intake())
    for i in range(300):
        coordinator.records.add_note(case.id, NoteCategory.OTHER, f"filler {i} " * 80)
    db_size = coordinator.vault.db_path.stat().st_size
    with _tiny_filesystem(tmp_path, max(64, db_size // 2048)) as (folder, mounted):
        # Pass the free-space check, so the disk really fills while the copy is written.
        real_usage = shutil.disk_usage
        monkeypatch.setattr(
            store_backup.shutil,
            "disk_usage",
            lambda p: type(real_usage(p))(10**12, 0, 10**12),
        )
        if not mounted:  # no tmpfs: the disk "fills" at the first flush of the copy

            def full(fd: int) -> None:
                raise OSError(errno.ENOSPC, "No space left on device")

            monkeypatch.setattr(store_backup.os, "fsync", full)
        with pytest.raises(BackupError, match=r"filled up|disk is full") as raised:
            coordinator.vault.write_backup(folder, "coord")
        assert "Nothing was kept" in str(raised.value)
        assert sorted(p.name for p in folder.iterdir() if p.name != "lost+found") == []
    # The vault is untouched and a backup elsewhere still works.
    assert coordinator.vault.integrity_problems() == []
    monkeypatch.undo()
    assert coordinator.vault.write_backup(tmp_path / "roomy", "coord").path.exists()


def test_cancel_leaves_nothing_behind(coordinator: Btam, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    _set_folder(coordinator, usb)
    coordinator.cases.report_concern(intake())

    class Stop(Exception):
        pass

    for stop_at in (100, 500, 950, 990):  # 990: after the rename, while reading it back

        def progress(done: int, total: int, message: str, limit: int = stop_at) -> None:
            if total > 0 and done >= limit:
                raise Stop

        with pytest.raises(Stop):
            coordinator.backups.create(progress=progress)
        assert list(usb.iterdir()) == [], f"left a file when cancelled at {stop_at}"


def test_rotation_keeps_the_last_n_and_one_a_month_for_a_year(tmp_path: Path) -> None:
    today = date(2026, 12, 5)
    entries = []
    day = datetime(2025, 6, 1, 12, tzinfo=UTC)
    while day.date() <= today:
        entries.append(BackupEntry(tmp_path / f"{day:%Y%m%d}", day, 1))
        day += timedelta(days=1)
    keep = store_backup.backups_to_keep(entries, 14, today)
    kept_days = sorted(Path(p).name for p in keep)
    newest = sorted(e.path.name for e in entries)[-14:]
    assert set(newest) <= set(kept_days)
    months = {name[:6] for name in kept_days}
    assert months == {f"{y}{m:02d}" for y, m in [(2025, 12)] + [(2026, m) for m in range(1, 13)]}
    # Dec 2025 to Oct 2026 add one each; November and December 2026 are in the last 14.
    assert len(kept_days) == 14 + 11
    # Each kept month's backup is its newest.
    assert "20251231" in kept_days and "20260131" in kept_days
    # Files on disk: rotation deletes what it does not keep, only backups of this vault.
    folder = tmp_path / "usb"
    folder.mkdir()
    vault_id = "abcdef0123456789"
    other = folder / "btam-backup-99999999-20200101T000000Z.btambackup"
    other.write_bytes(b"x")
    for days_ago in range(45):
        at = datetime(2026, 12, 5, 8, tzinfo=UTC) - timedelta(days=days_ago)
        (folder / store_backup.backup_name(vault_id, at)).write_bytes(b"x")
    removed = store_backup.rotate(folder, vault_id, 14, today)
    left = store_backup.list_backups(folder, vault_id)
    # The 14 newest (22 November on) plus October's newest, 31 October.
    assert len(left) == 15 and len(removed) == 30
    assert left[-1].created_at.date() == date(2026, 10, 31)
    assert other.exists()


def test_restore_in_place_replaces_the_vault_after_checks(
    coordinator: Btam, tmp_path: Path, vault_dir: Path
) -> None:
    _set_folder(coordinator, tmp_path / "usb")
    coordinator.cases.report_concern(intake())
    made = coordinator.backups.create()
    coordinator.cases.report_concern(intake(site="Made after the backup"))
    assert coordinator.cases.count(_all()) == 2
    result = coordinator.backups.restore_in_place(made.path, PASSWORD)
    assert not coordinator.vault.is_open
    assert result.stale_members == ()
    assert not any(p.name.startswith("replaced-") for p in vault_dir.iterdir())
    again = unlock(vault_dir, "coord", PASSWORD)
    try:
        assert again.cases.count(_all()) == 1
        assert again.verify_audit().ok
        actions = [e.action for e in again.audit_events(limit=5)]
        assert "backup.restored" in actions
    finally:
        again.lock()


def test_restore_in_place_names_stale_slots_and_removes_them_with_a_rekey(
    coordinator: Btam, tmp_path: Path, vault_dir: Path
) -> None:
    _set_folder(coordinator, tmp_path / "usb")
    made = coordinator.backups.create()
    member = next(m for m in coordinator.team.members() if m.username == "member")
    coordinator.team.remove_member(member.id)
    result = coordinator.backups.restore_in_place(made.path, PASSWORD)
    assert result.stale_members == ("member",)
    restored = unlock(vault_dir, "coord", PASSWORD)
    try:
        stale = next(m for m in restored.team.members() if m.username == "member")
        old_key = restored.vault._data_key()
        restored.team.remove_member(stale.id)
        assert restored.vault._data_key() != old_key
        assert "member" not in restored.vault.keyfile.usernames()
    finally:
        restored.lock()
    with pytest.raises(WrongCredentialsError):
        unlock(vault_dir, "member", MEMBER_PASSWORD)


def test_restore_into_a_new_folder_needs_an_empty_folder_and_a_coordinator(
    coordinator: Btam, tmp_path: Path
) -> None:
    _set_folder(coordinator, tmp_path / "usb")
    made = coordinator.backups.create()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "something.txt").write_text("x")
    with pytest.raises(ValidationError, match="not empty"):
        restore_to_new_folder(made.path, busy, "coord", PASSWORD)
    target = tmp_path / "by-member"
    with pytest.raises(ValidationError, match="Only a coordinator"):
        restore_to_new_folder(made.path, target, "member", MEMBER_PASSWORD)
    assert not (target / "vault.keys").exists()


def test_roles_for_backups(coordinator: Btam, as_role, tmp_path: Path) -> None:
    _set_folder(coordinator, tmp_path / "usb")
    viewer = as_role("viewer")
    assert viewer.backups.create().path.exists()  # anyone may back up to the team's folder
    with pytest.raises(PermissionDeniedError):
        viewer.backups.create(tmp_path / "elsewhere")
    assert not (tmp_path / "elsewhere").exists()
    made = viewer.backups.in_folder()[0]
    with pytest.raises(PermissionDeniedError):
        viewer.backups.restore_in_place(made.path, VIEWER_PASSWORD)
    member = as_role("member")
    with pytest.raises(PermissionDeniedError):
        member.backups.restore_in_place(made.path, MEMBER_PASSWORD)
    denied = [e for e in as_role("coordinator").audit_events(limit=20)]
    assert sum(1 for e in denied if e.action == "permission.denied") >= 3


def test_status_warns_without_folder_and_when_old(coordinator: Btam, tmp_path: Path) -> None:
    status = coordinator.backups.status()
    assert not status.has_folder and "No backup folder" in status.headline()
    _set_folder(coordinator, tmp_path / "usb")
    status = coordinator.backups.status()
    assert status.is_stale and status.auto_due and "first backup" in status.advice()
    coordinator.backups.create()
    status = coordinator.backups.status()
    assert not status.is_stale and not status.auto_due and status.headline().endswith("just now")
    stale = type(status)(status.folder, datetime.now(UTC) - timedelta(days=9), "", 7, True)
    assert stale.is_stale and "more than 7 days" in stale.advice()


def test_damage_message_names_the_newest_checked_backup(
    coordinator: Btam, tmp_path: Path, vault_dir: Path
) -> None:
    coordinator.vault.lock()
    (vault_dir / "vault.db").write_bytes(b"")
    with pytest.raises(VaultDamagedError, match="No checked backup of this vault is known"):
        unlock(vault_dir, "coord", PASSWORD)


def test_damage_message_names_a_backup_that_exists(
    coordinator: Btam, tmp_path: Path, vault_dir: Path
) -> None:
    _set_folder(coordinator, tmp_path / "usb")
    made = coordinator.backups.create()
    coordinator.vault.lock()
    (vault_dir / "vault.db").write_bytes(b"")
    with pytest.raises(VaultDamagedError) as raised:
        unlock(vault_dir, "coord", PASSWORD)
    assert str(made.path) in str(raised.value)
    assert "restore it" in str(raised.value)


def test_backup_file_holds_no_plaintext(coordinator: Btam, tmp_path: Path) -> None:
    canary = "cnry" + os.urandom(6).hex()
    case = coordinator.cases.report_concern(intake(narrative=f"{canary} said something"))
    coordinator.records.add_note(case.id, NoteCategory.OTHER, canary)
    made = coordinator.vault.write_backup(tmp_path / "usb", "coord")
    data = made.path.read_bytes()
    assert canary.encode() not in data and canary.encode("utf-16-le") not in data
    assert b"Jamie" not in data


def _all() -> Any:
    from btam_desktop.services.cases import CaseQuery

    return CaseQuery()


def test_checks_name_counts_that_differ_from_the_manifest(
    coordinator: Btam, tmp_path: Path
) -> None:
    from dataclasses import replace

    coordinator.cases.report_concern(intake())
    made = coordinator.vault.write_backup(tmp_path / "usb", "coord")
    backup = store_backup.read_backup(made.path)
    key = _key(coordinator)
    lying = replace(backup.manifest, counts={**backup.manifest.counts, "case_file": 5})
    with store_backup.extracted(backup) as db:
        honest = store_backup.check_database(db, key, backup.manifest)
        report = store_backup.check_database(db, key, lying)
        wrong_key = store_backup.check_database(db, bytes(32), backup.manifest)
    assert honest.ok and honest.counts["case_file"] == 1
    assert not report.ok and report.problems == ["case_file holds 1 rows, the backup says 5"]
    assert wrong_key.problems == ["the database does not open with its key"]
