"""'Remember me on this computer': a slot's unwrapping key in the OS keyring.

Never a plaintext fallback: where only keyring's fail backend exists the option is off, with a
reason a person can read.
"""

from __future__ import annotations

import contextlib

import keyring
import keyring.errors
from keyring.backends import fail

SERVICE = "BTAM Desktop"


def keyring_status() -> tuple[bool, str]:
    """(available, plain-words reason when not)."""
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration must not stop the program
        return False, "The system keyring could not be loaded on this computer."
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return (
            False,
            "This computer has no secure system keyring (such as Windows Credential Manager, "
            "macOS Keychain or GNOME Keyring), so BTAM will not store a key here. You will type "
            "your password each time.",
        )
    return True, ""


def _entry(vault_id: str, username: str) -> str:
    return f"{vault_id}:{username.casefold()}"


def remember(vault_id: str, username: str, slot_key: bytes) -> None:
    available, reason = keyring_status()
    if not available:
        from btam_desktop.store.errors import KeyringUnavailableError

        raise KeyringUnavailableError(reason)
    keyring.set_password(SERVICE, _entry(vault_id, username), slot_key.hex())


def recall(vault_id: str, username: str) -> bytes | None:
    available, _ = keyring_status()
    if not available:
        return None
    try:
        stored = keyring.get_password(SERVICE, _entry(vault_id, username))
    except keyring.errors.KeyringError:
        return None
    if not stored:
        return None
    try:
        return bytes.fromhex(stored)
    except ValueError:
        return None


def forget(vault_id: str, username: str) -> None:
    available, _ = keyring_status()
    if not available:
        return
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(SERVICE, _entry(vault_id, username))
