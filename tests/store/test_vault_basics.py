"""Creating, opening and locking a vault; the recovery key; the real Argon2id cost."""

from __future__ import annotations

import re
import time

import pytest

from btam_desktop.store import crypto
from btam_desktop.store.errors import VaultError, VaultExistsError
from btam_desktop.store.keyfile_names import BACKUP_DIR, DB_NAME, FORMS_DIR, KEYS_NAME
from btam_desktop.store.keyslots import KeyFile
from btam_desktop.store.vault import (
    RECOVERY_ALPHABET,
    Vault,
    format_recovery_key,
    new_recovery_key,
    normalize_recovery_key,
)
from tests.store._support import ALICE, ALICE_PW


def test_real_argon2_parameters_cost_about_half_a_second(tmp_path, track) -> None:
    """The one test with the real cost: at least 64 MiB per guess, tuned to about 0.5 s."""
    params = crypto.tune_params()
    assert params.memory_kib >= 64 * 1024
    assert params.time_cost >= 2 and params.parallelism >= 1
    start = time.perf_counter()
    crypto.derive_key(b"a guess", b"0123456789abcdef", params)
    seconds = time.perf_counter() - start
    assert 0.1 <= seconds <= 3.0, f"one guess took {seconds:.2f} s"

    vault, _recovery = Vault.create(tmp_path / "real", username=ALICE, password=ALICE_PW)
    track(vault)
    slots = vault.keyfile.slots
    assert all(s.kdf.memory_kib >= 64 * 1024 and s.kdf.time_cost >= 2 for s in slots)
    vault.lock()
    track(Vault.open(tmp_path / "real", ALICE, ALICE_PW)).lock()


def test_kdf_params_from_dict_refuses_nonsense() -> None:
    good = {"time_cost": 3, "memory_kib": 65536, "parallelism": 2}
    assert crypto.KdfParams.from_dict(good) == crypto.KdfParams(3, 65536, 2)
    for bad in ({**good, "time_cost": 0}, {**good, "memory_kib": -1}, {**good, "parallelism": "2"}):
        with pytest.raises(ValueError):
            crypto.KdfParams.from_dict(bad)
    with pytest.raises(KeyError):
        crypto.KdfParams.from_dict({"time_cost": 3})


def test_wrap_and_unwrap() -> None:
    kek = bytes(range(32))
    nonce, sealed = crypto.wrap(kek, b"data key", b"context")
    assert crypto.unwrap(kek, nonce, sealed, b"context") == b"data key"
    assert crypto.unwrap(kek, nonce, sealed, b"other context") is None
    assert crypto.unwrap(bytes(32), nonce, sealed, b"context") is None
    assert b"data key" not in sealed


def test_recovery_keys() -> None:
    key = new_recovery_key()
    assert re.fullmatch(r"([0-9A-Z]{4}-){7}[0-9A-Z]{4}", key)
    chars = normalize_recovery_key(key)
    assert len(chars) == 32 and set(chars) <= set(RECOVERY_ALPHABET)
    assert len(chars) * 5 >= 128  # at least 128 random bits
    assert not set("ILOU") & set(chars)
    assert format_recovery_key(chars) == key
    assert normalize_recovery_key(" abcd efgh-jkmn oil ") == "ABCDEFGHJKMN011"
    assert len({new_recovery_key() for _ in range(50)}) == 50


def test_create_lays_out_the_folder(new_vault) -> None:
    names = {p.name for p in new_vault.folder.iterdir()}
    assert {DB_NAME, KEYS_NAME, FORMS_DIR, BACKUP_DIR} <= names
    keyfile = KeyFile.read(new_vault.folder / KEYS_NAME)
    assert keyfile.usernames() == [ALICE]
    assert keyfile.recovery_slot() is not None
    assert keyfile.vault_id == new_vault.vault.vault_id
    for name in names:  # no file name carries a person's name
        assert ALICE not in name.lower()


def test_create_refuses_an_existing_vault(new_vault, cheap_kdf) -> None:
    with pytest.raises(VaultExistsError):
        Vault.create(
            new_vault.folder, username="zed", password="zed's long password", kdf_params=cheap_kdf
        )


def test_pragmas_and_cipher(new_vault) -> None:
    vault = new_vault.vault
    assert vault.execute_raw("PRAGMA cipher_version")[0][0]
    assert vault.execute_raw("PRAGMA journal_mode")[0][0] == "wal"
    assert vault.execute_raw("PRAGMA synchronous")[0][0] == 2  # FULL
    assert vault.execute_raw("PRAGMA foreign_keys")[0][0] == 1
    assert vault.execute_raw("PRAGMA temp_store")[0][0] == 2  # MEMORY
    header = (new_vault.folder / DB_NAME).read_bytes()[:16]
    assert header != b"SQLite format 3\x00"  # the file is ciphertext from its first byte


def test_a_locked_vault_holds_no_key(new_vault) -> None:
    vault = new_vault.vault
    vault.lock()
    assert not vault.is_open
    with pytest.raises(VaultError, match="locked"):
        _ = vault.engine
    with pytest.raises(VaultError, match="locked"):
        _ = vault.slot_key
    with pytest.raises(VaultError), vault.read():
        pass
    assert vault._keys._key is None
    vault.lock()  # locking twice is harmless


def test_context_manager_locks(vault_factory, track) -> None:
    made = vault_factory()
    made.vault.lock()
    with Vault.open(made.folder, ALICE, ALICE_PW) as vault:
        assert vault.is_open
    assert not vault.is_open
    track(Vault.open(made.folder, ALICE, ALICE_PW)).lock()  # the lock was released
