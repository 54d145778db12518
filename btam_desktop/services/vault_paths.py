"""What the sign-in and set-up screens need to know about vaults before the database loads.

Where vaults live, whether a folder holds one, its user names, the shape of a recovery key, the
key-derivation parameters, and 'remember me on this computer'. This module stays light: it must
not import SQLAlchemy, SQLModel, SQLCipher, Alembic or reportlab (the unlock screen paints before
those load; tests/ui/test_startup_imports.py checks it), and it loads the keyring library only
when the keyring is first asked about.
"""

from __future__ import annotations

from btam_desktop.store.kdf_params import KdfParams
from btam_desktop.store.vault_files import (
    RECOVERY_CHARS,
    default_vault_dir,
    is_vault,
    normalize_recovery_key,
    vault_usernames,
)

__all__ = [
    "RECOVERY_CHARS",
    "KdfParams",
    "default_vault_dir",
    "forget_on_this_computer",
    "is_vault",
    "keyring_status",
    "normalize_recovery_key",
    "vault_usernames",
]


def keyring_status() -> tuple[bool, str]:
    """Whether this computer has a secure keyring for 'remember me', and in plain words why not."""
    from btam_desktop.store import remember  # loads the keyring backends: only when asked

    return remember.keyring_status()


def forget_on_this_computer(vault_id: str, username: str) -> None:
    """Remove a remembered key for this user and vault from the system keyring, if any."""
    from btam_desktop.store import remember

    remember.forget(vault_id, username)
