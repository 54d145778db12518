"""Key slots: adding, removing (with rekey), changing and resetting passwords, and the key-slot
file's resistance to someone who can write to the vault folder but has no key."""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path

import pytest
import sqlcipher3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from sqlmodel import select

from btam_desktop.domain.models import Case, CaseNote
from btam_desktop.store import crypto, keyslots, rewrite_progress
from btam_desktop.store import vault as vault_module
from btam_desktop.store.engine import KeyHolder, connect_raw
from btam_desktop.store.errors import (
    KeyFileMismatchError,
    ValidationError,
    VaultDamagedError,
    VaultError,
    WrongCredentialsError,
)
from btam_desktop.store.keyfile_names import DB_NAME, KEYS_NAME, NEXT_KEYS_NAME
from btam_desktop.store.keyslots import SLOT_USER, KeyFile
from btam_desktop.store.vault import Vault
from tests.store._support import (
    ALICE,
    ALICE_PW,
    BOB,
    BOB_PW,
    CAROL,
    CAROL_PW,
    CHEAP,
    assert_no_secret,
)


def add_case(vault: Vault, n: int = 1) -> int:
    with vault.write() as session:
        case = Case(
            number=f"2026-{n:04d}",
            year=2026,
            sequence=n,
            title=f"Case {n}",
            setting="school",
            status="intake",
            level_scale="x",
        )
        session.add(case)
        session.flush()
        session.add(CaseNote(case_id=case.id, category="note", body=f"first note of case {n}"))
        assert case.id is not None
        return case.id


def case_titles(vault: Vault) -> list[str]:
    with vault.read() as session:
        return sorted(c.title for c in session.exec(select(Case)).all())


def key_opens_database(folder: Path, data_key: bytes) -> bool:
    try:
        conn = connect_raw(folder / DB_NAME, KeyHolder(data_key))
    except sqlcipher3.DatabaseError:
        return False
    conn.close()
    return True


@pytest.fixture
def team(vault_factory):
    made = vault_factory(members={BOB: BOB_PW, CAROL: CAROL_PW})
    add_case(made.vault)
    return made


# ---- removing a member -------------------------------------------------------------------------


def test_removing_a_member_rekeys_the_database(team, track) -> None:
    vault = team.vault
    old_key = vault._data_key()
    old_keys_file = (team.folder / KEYS_NAME).read_bytes()
    steps: list[tuple[int, int, str]] = []

    vault.remove_user_slot(BOB, progress=lambda done, total, msg: steps.append((done, total, msg)))

    percents = [s[0] for s in steps]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] == 100
    assert all(s[1] == 100 for s in steps)
    new_key = vault._data_key()
    assert new_key != old_key
    assert not key_opens_database(team.folder, old_key)  # the old data key opens nothing now
    assert key_opens_database(team.folder, new_key)
    assert not (team.folder / NEXT_KEYS_NAME).exists()
    assert vault.keyfile.usernames() == [ALICE, CAROL]
    assert vault.keyfile.generation == 2
    add_case(vault, 2)  # the open vault keeps working on the new key
    assert vault.integrity_problems() == []
    vault.lock()

    for user, password in ((ALICE, ALICE_PW), (CAROL, CAROL_PW)):
        reopened = track(Vault.open(team.folder, user, password))
        assert case_titles(reopened) == ["Case 1", "Case 2"]
        reopened.lock()
    by_recovery = track(Vault.open_with_recovery(team.folder, team.recovery))
    assert case_titles(by_recovery) == ["Case 1", "Case 2"]
    by_recovery.lock()

    with pytest.raises(WrongCredentialsError) as caught:
        Vault.open(team.folder, BOB, BOB_PW)
    assert_no_secret(caught.value, [BOB_PW, old_key, new_key])

    # Bob kept a copy of the old key-slot file: it yields only the old key, which opens nothing.
    (team.folder / KEYS_NAME).write_bytes(old_keys_file)
    with pytest.raises(VaultError) as caught:
        Vault.open(team.folder, BOB, BOB_PW)
    assert type(caught.value) in (KeyFileMismatchError, WrongCredentialsError)


def test_rekey_progress_moves_while_the_database_is_rewritten(team, monkeypatch) -> None:
    """The rewrite is one PRAGMA: progress comes from the -wal file growing as pages spill."""
    monkeypatch.setattr(rewrite_progress, "POLL_SECONDS", 0.002)
    words = [
        "counselor",
        "report",
        "hallway",
        "parent",
        "teacher",
        "bus",
        "lunch",
        "friend",
        "worried",
        "followed",
    ]
    with team.vault.write() as session:
        for n in range(2500):  # about 12 MB: several times the rekey's 2 MB page cache
            body = " ".join(words[(n * 7 + i) % len(words)] + str(i) for i in range(500))
            session.add(CaseNote(case_id=1, category="note", body=body))
    steps: list[tuple[int, int, str]] = []

    team.vault.remove_user_slot(BOB, progress=lambda *step: steps.append(step))

    rewriting = [done for done, _total, message in steps if message == "Re-encrypting the database"]
    assert len(set(rewriting)) >= 4, steps  # the bar moves during the rewrite, not only after
    assert rewriting == sorted(rewriting)
    assert max(rewriting) > vault_module.REKEY_REWRITE_FROM + 20
    assert max(rewriting) <= vault_module.REKEY_REWRITE_TO
    percents = [done for done, _total, _message in steps]
    assert percents == sorted(percents) and percents[-1] == 100
    assert steps[-1][2] == "Done"
    assert team.vault.integrity_problems() == []


def test_a_failing_progress_display_does_not_stop_a_rekey_halfway(team, track) -> None:
    """Once the rewrite starts it finishes; only the first report may cancel."""
    calls: list[int] = []

    def display(done: int, total: int, message: str) -> None:
        calls.append(done)
        if len(calls) > 1:
            raise RuntimeError("the window went away")

    team.vault.remove_user_slot(BOB, progress=display)
    assert calls[-1] == 100  # every later step was still offered
    assert not (team.folder / NEXT_KEYS_NAME).exists()
    team.vault.lock()
    assert case_titles(track(Vault.open(team.folder, CAROL, CAROL_PW))) == ["Case 1"]


def test_a_cancel_before_the_rekey_starts_changes_nothing(team) -> None:
    old_keys = (team.folder / KEYS_NAME).read_bytes()

    def cancel(done: int, total: int, message: str) -> None:
        raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError):
        team.vault.remove_user_slot(BOB, progress=cancel)
    assert (team.folder / KEYS_NAME).read_bytes() == old_keys
    assert not (team.folder / NEXT_KEYS_NAME).exists()
    assert case_titles(team.vault) == ["Case 1"]


def test_remove_refuses_self_last_and_unknown(vault_factory) -> None:
    made = vault_factory(members={BOB: BOB_PW})
    with pytest.raises(ValidationError):
        made.vault.remove_user_slot(ALICE)  # signed in as alice
    with pytest.raises(ValidationError):
        made.vault.remove_user_slot("nobody")
    made.vault.remove_user_slot(BOB)
    with pytest.raises(ValidationError):
        made.vault.remove_user_slot(ALICE)
    assert made.vault.keyfile.usernames() == [ALICE]


# ---- a crash in the middle of a rekey ----------------------------------------------------------


class SimulatedCrash(BaseException):
    """Stands for the process dying: nothing after it runs."""


def crash_before_replacing_key_file(monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace

    def replace(src, dst):  # type: ignore[no-untyped-def]
        if Path(src).name == NEXT_KEYS_NAME:
            raise SimulatedCrash
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)


def test_crash_after_rekey_before_key_file_replaced(team, monkeypatch, track) -> None:
    vault = team.vault
    old_key = vault._data_key()
    crash_before_replacing_key_file(monkeypatch)
    with pytest.raises(SimulatedCrash):
        vault.remove_user_slot(BOB)
    monkeypatch.undo()
    vault.lock()  # what the OS does for a dead process: close files, release the lock

    # The database is on the new key already; vault.keys still holds the old generation.
    assert not key_opens_database(team.folder, old_key)
    assert (team.folder / NEXT_KEYS_NAME).exists()
    assert KeyFile.read(team.folder / KEYS_NAME).generation == 1

    reopened = track(Vault.open(team.folder, CAROL, CAROL_PW))
    assert case_titles(reopened) == ["Case 1"]
    assert reopened.integrity_problems() == []
    assert not (team.folder / NEXT_KEYS_NAME).exists()
    assert KeyFile.read(team.folder / KEYS_NAME).usernames() == [ALICE, CAROL]
    reopened.lock()
    track(Vault.open(team.folder, ALICE, ALICE_PW)).lock()
    track(Vault.open_with_recovery(team.folder, team.recovery)).lock()
    with pytest.raises(WrongCredentialsError):
        Vault.open(team.folder, BOB, BOB_PW)


def test_removed_member_first_to_open_after_the_crash_cannot(team, monkeypatch, track) -> None:
    crash_before_replacing_key_file(monkeypatch)
    with pytest.raises(SimulatedCrash):
        team.vault.remove_user_slot(BOB)
    monkeypatch.undo()
    team.vault.lock()
    with pytest.raises(VaultError) as caught:
        Vault.open(team.folder, BOB, BOB_PW)
    assert type(caught.value) in (WrongCredentialsError, KeyFileMismatchError)
    assert "interrupted" in str(caught.value)
    track(Vault.open(team.folder, ALICE, ALICE_PW)).lock()


def test_crash_before_the_rekey_leaves_the_old_key_in_force(team, monkeypatch, track) -> None:
    """Killed after writing vault.keys.next but before PRAGMA rekey: nothing changed."""
    import btam_desktop.store.vault as vault_module

    def die(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise SimulatedCrash

    monkeypatch.setattr(vault_module, "connect_raw", die)
    with pytest.raises(SimulatedCrash):
        team.vault.remove_user_slot(BOB)
    monkeypatch.undo()
    team.vault.lock()
    assert (team.folder / NEXT_KEYS_NAME).exists()
    reopened = track(Vault.open(team.folder, ALICE, ALICE_PW))
    assert not (team.folder / NEXT_KEYS_NAME).exists()
    assert reopened.keyfile.usernames() == [ALICE, BOB, CAROL]
    assert case_titles(reopened) == ["Case 1"]


# ---- adding, changing, resetting ---------------------------------------------------------------


def test_add_change_and_reset_passwords(new_vault, track) -> None:
    vault = new_vault.vault
    vault.add_user_slot(BOB, BOB_PW, CHEAP)
    with pytest.raises(ValidationError):
        vault.add_user_slot(" Bob ", "another long password", CHEAP)  # same name, other case
    with pytest.raises(ValidationError):
        vault.add_user_slot("dave", "short", CHEAP)  # password policy
    with pytest.raises(WrongCredentialsError):
        vault.change_password(BOB, "not bob's password", "bob's brand new password")
    vault.change_password(BOB, BOB_PW, "bob's brand new password")
    vault.reset_password(ALICE, "alice got a new one", CHEAP)
    old_slot_key = vault.slot_key
    vault.lock()

    with pytest.raises(WrongCredentialsError):
        Vault.open(new_vault.folder, BOB, BOB_PW)
    track(Vault.open(new_vault.folder, BOB, "bob's brand new password")).lock()
    with pytest.raises(WrongCredentialsError):
        Vault.open(new_vault.folder, ALICE, ALICE_PW)
    alice = track(Vault.open(new_vault.folder, ALICE, "alice got a new one"))
    assert alice.slot_key == old_slot_key  # reset_password handed the session the new slot key
    alice.lock()


def test_rename_is_refused(new_vault) -> None:
    with pytest.raises(ValidationError):
        new_vault.vault.rename_user_slot(ALICE, "alicia")


def test_key_file_holds_no_secret(vault_factory) -> None:
    made = vault_factory(members={BOB: BOB_PW})
    data_key = made.vault._data_key()
    raw = (made.folder / KEYS_NAME).read_bytes()
    for secret in (ALICE_PW, BOB_PW, made.recovery, made.recovery.replace("-", "")):
        assert secret.encode() not in raw
    for key in (data_key, made.vault.slot_key):
        assert key not in raw and key.hex().encode() not in raw
        assert base64.b64encode(key) not in raw
    assert b"case" not in raw.lower()


# ---- someone who can write the folder but has no key -------------------------------------------


def _raw_public(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def test_an_injected_slot_does_not_survive_the_next_rekey(team, track) -> None:
    """An outsider with write access to the folder (no password, no key) adds a slot of their
    own to vault.keys. The data key cannot be sealed to it yet; but the next time a coordinator
    removes a member, every slot in the file is resealed with the new data key - including the
    outsider's, unless the key-slot file is authenticated."""
    team.vault.lock()
    keyfile = KeyFile.read(team.folder / KEYS_NAME)
    slot, _ = keyfile.new_slot(SLOT_USER, "mallory", b"mallory's password", os.urandom(32), CHEAP)
    keyfile.slots.append(slot)
    keyfile.write(team.folder / KEYS_NAME)

    try:
        coordinator = track(Vault.open(team.folder, ALICE, ALICE_PW))
        coordinator.remove_user_slot(BOB)
        coordinator.lock()
    except VaultDamagedError:
        pass  # refusing the altered key-slot file is a correct answer too
    with pytest.raises(VaultError):
        track(Vault.open(team.folder, "mallory", "mallory's password")).lock()


def test_a_substituted_public_key_does_not_receive_the_new_data_key(team, track) -> None:
    """An outsider replaces the recovery slot's public key with their own. The recovery slot is
    rarely used, so nobody notices; at the next rekey the new data key is sealed to the
    outsider, who then reads the whole vault."""
    team.vault.lock()
    attacker = X25519PrivateKey.generate()
    doc = json.loads((team.folder / KEYS_NAME).read_text())
    recovery_slot = next(s for s in doc["slots"] if s["kind"] == keyslots.SLOT_RECOVERY)
    recovery_slot["public_key"] = base64.b64encode(_raw_public(attacker)).decode()
    (team.folder / KEYS_NAME).write_text(json.dumps(doc))

    try:
        coordinator = track(Vault.open(team.folder, ALICE, ALICE_PW))
        coordinator.remove_user_slot(BOB)
        coordinator.lock()
    except VaultDamagedError:
        pass

    keyfile = KeyFile.read(team.folder / KEYS_NAME)
    slot = keyfile.recovery_slot()
    assert slot is not None
    stolen = None
    if len(slot.sealed_ephemeral) == 32:
        shared = attacker.exchange(X25519PublicKey.from_public_bytes(slot.sealed_ephemeral))
        aad = slot.seal_aad(keyfile.vault_id, keyfile.generation)
        stolen = crypto.unwrap(
            keyslots._seal_kek(shared, aad), slot.sealed_nonce, slot.sealed_key, aad
        )
    outsider_reads_vault = stolen is not None and key_opens_database(team.folder, stolen)
    assert not outsider_reads_vault, "the outsider's key opens the rekeyed database"


def test_vault_copied_aside_before_a_migration_keeps_the_old_slots(team, track) -> None:
    """Backups are snapshots: a member removed later still opens a backup made before. Stated
    here so the behaviour is a decision, not a surprise (the UI should say so)."""
    backup = team.vault.backup_before_migration("snapshot")
    team.vault.remove_user_slot(BOB)
    team.vault.lock()
    copy = backup.parent / "restored"
    shutil.copytree(backup, copy)
    (copy / "backups").mkdir()
    track(Vault.open(copy, BOB, BOB_PW)).lock()


class _FailingCheckpoint:
    """A connection whose checkpoint after the rekey fails (an I/O error)."""

    def __init__(self, conn: object) -> None:
        self._conn = conn
        self._checkpoints = 0

    def execute(self, sql: str, *args: object) -> object:
        if "wal_checkpoint" in sql:
            self._checkpoints += 1
            if self._checkpoints == 2:
                error = sqlcipher3.OperationalError("disk I/O error")
                error.sqlite_errorcode = 10  # SQLITE_IOERR, as SQLite sets it
                raise error
        return self._conn.execute(sql, *args)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)


def test_a_failure_after_the_rekey_keeps_the_key_that_opens_the_database(
    team, monkeypatch, track
) -> None:
    real_connect = vault_module.connect_raw
    wrapped: list[_FailingCheckpoint] = []

    def connect(*args: object, **kwargs: object) -> object:
        conn = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        if not wrapped:  # the rekeying connection is the first one opened
            wrapped.append(_FailingCheckpoint(conn))
            return wrapped[0]
        return conn

    monkeypatch.setattr(vault_module, "connect_raw", connect)
    with pytest.raises(VaultError):
        team.vault.remove_user_slot(BOB)
    monkeypatch.undo()
    assert (team.folder / NEXT_KEYS_NAME).exists()  # the only file whose key opens it now
    team.vault.lock()

    reopened = track(Vault.open(team.folder, CAROL, CAROL_PW))
    assert case_titles(reopened) == ["Case 1"]
    assert reopened.keyfile.usernames() == [ALICE, CAROL]
    assert reopened.integrity_problems() == []
    reopened.lock()
    with pytest.raises(WrongCredentialsError):
        Vault.open(team.folder, BOB, BOB_PW)
