"""'Remember me': the slot key in the OS keyring, never a plaintext fallback."""

from __future__ import annotations

import os
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from btam_desktop.store import remember
from btam_desktop.store.errors import KeyringUnavailableError, VaultError, WrongCredentialsError
from btam_desktop.store.vault import Vault
from tests.store._support import ALICE, ALICE_PW, assert_no_secret


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in this process only."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError(username)
        del self.entries[(service, username)]


# Defining a backend registers it for keyring's auto-detection; keep it out of other tests.
getattr(KeyringBackend, "_classes", set()).discard(MemoryKeyring)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_fail_backend_disables_remember_me(new_vault) -> None:
    assert os.environ["PYTHON_KEYRING_BACKEND"] == "keyring.backends.fail.Keyring"
    available, reason = remember.keyring_status()
    assert available is False
    assert "keyring" in reason.lower()
    assert "password each time" in reason
    with pytest.raises(KeyringUnavailableError) as caught:
        remember.remember(new_vault.vault.vault_id, ALICE, new_vault.vault.slot_key)
    assert str(caught.value) == reason
    assert remember.recall(new_vault.vault.vault_id, ALICE) is None
    remember.forget(new_vault.vault.vault_id, ALICE)  # a no-op, not an error


def test_remember_recall_and_open(new_vault, memory_keyring, track) -> None:
    assert remember.keyring_status() == (True, "")
    vault = new_vault.vault
    vault_id, slot_key = vault.vault_id, vault.slot_key
    remember.remember(vault_id, ALICE, slot_key)
    stored = list(memory_keyring.entries.values())
    assert stored == [slot_key.hex()]
    assert ALICE_PW not in stored[0]  # the password itself is never stored
    assert vault._data_key().hex() not in stored[0]
    vault.lock()

    recalled = remember.recall(vault_id, "ALICE")  # user names ignore case
    assert recalled == slot_key
    reopened = track(Vault.open_with_slot_key(new_vault.folder, ALICE, recalled))
    assert reopened.principal.username == ALICE
    assert reopened.integrity_problems() == []
    reopened.lock()

    remember.forget(vault_id, ALICE)
    assert remember.recall(vault_id, ALICE) is None
    remember.forget(vault_id, ALICE)  # forgetting twice is fine


def test_changed_password_invalidates_the_remembered_key(new_vault, memory_keyring) -> None:
    vault = new_vault.vault
    remember.remember(vault.vault_id, ALICE, vault.slot_key)
    vault.change_password(ALICE, ALICE_PW, "a new long password")
    vault.lock()
    old = remember.recall(vault.vault_id, ALICE)
    assert old is not None
    with pytest.raises(WrongCredentialsError):
        Vault.open_with_slot_key(new_vault.folder, ALICE, old)


@pytest.mark.parametrize(
    "stored",
    [os.urandom(32).hex(), os.urandom(16).hex(), "abcd", "", "not hex at all"],
    ids=["random-32", "random-16", "2-bytes", "empty", "not-hex"],
)
def test_a_wrong_or_garbled_remembered_key_fails_cleanly(
    new_vault, memory_keyring, stored: str
) -> None:
    vault = new_vault.vault
    vault_id, slot_key = vault.vault_id, vault.slot_key
    vault.lock()
    memory_keyring.set_password(remember.SERVICE, f"{vault_id}:{ALICE}", stored)
    recalled = remember.recall(vault_id, ALICE)
    if recalled is None:
        return  # garbage that is not hex is simply "nothing remembered"
    try:
        Vault.open_with_slot_key(new_vault.folder, ALICE, recalled).lock()
    except WrongCredentialsError as error:
        assert "remembered key" in str(error)
        assert_no_secret(error, [slot_key, recalled])
    except VaultError as error:
        pytest.fail(f"unexpected {type(error).__name__}: {error}")
    except Exception as error:
        pytest.fail(f"{type(error).__module__}.{type(error).__name__} escaped: {error}")
    else:
        pytest.fail("a wrong remembered key opened the vault")
