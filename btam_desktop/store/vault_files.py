"""What the unlock screen needs before anyone signs in: where vaults live, whether a folder is
one, its members' names, and the recovery key's spelling.

Kept free of the database libraries (SQLAlchemy, SQLCipher, Alembic), so the window can show the
unlock screen before those are loaded (see ui/app.py). The member names are signed by the vault
key: checking them loads the cryptography library, so only the two functions that do it import
the key file code, and the unlock screen calls them once it is painted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from btam_desktop.store.errors import VaultKeyMismatchError
from btam_desktop.store.keyfile_names import DB_NAME, KEYS_NAME

if TYPE_CHECKING:
    from btam_desktop.store.keyslots import KeyFile

# Crockford's base32: no I, L, O or U, so a recovery key read aloud or handwritten is unambiguous.
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_CHARS = 32  # 160 bits
RECOVERY_GROUP = 4


def default_vault_dir() -> Path:
    """Where a vault lives unless the person chooses another folder."""
    return Path(platformdirs.user_data_dir("BTAM Desktop", appauthor=False)) / "vault"


def new_recovery_key() -> str:
    import secrets  # loads OpenSSL's hashing: only when a key is made, not before sign-in

    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CHARS))
    return format_recovery_key(chars)


def format_recovery_key(chars: str) -> str:
    return "-".join(chars[i : i + RECOVERY_GROUP] for i in range(0, len(chars), RECOVERY_GROUP))


def normalize_recovery_key(typed: str) -> str:
    """Accept what a person types from the sheet: any case, spaces, dashes, O for 0, I/L for 1."""
    cleaned = typed.upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return "".join(ch for ch in cleaned if ch in RECOVERY_ALPHABET)


def is_vault(folder: Path) -> bool:
    return (folder / KEYS_NAME).is_file() and (folder / DB_NAME).is_file()


def pinned_key(keyfile: KeyFile) -> bytes:
    """The vault key this computer knows the vault by (pinned on first sight)."""
    from btam_desktop.store import anchors, signing

    known = anchors.load(keyfile.vault_id)
    if known is None:
        return keyfile.vault_public
    if known.pinned_key != keyfile.vault_public:
        raise VaultKeyMismatchError(
            signing.fingerprint(known.pinned_key), signing.fingerprint(keyfile.vault_public)
        )
    return known.pinned_key


def vault_usernames(folder: Path) -> list[str]:
    """Names for the unlock screen (kept outside the encryption so the screen can list them)."""
    folder = folder.expanduser().resolve()
    if not is_vault(folder):
        return []
    from btam_desktop.store.keyslots import KeyFile

    keyfile = KeyFile.read(folder / KEYS_NAME)
    return keyfile.usernames(pinned_key(keyfile))
