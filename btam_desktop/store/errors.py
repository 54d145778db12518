"""Errors a person can act on. Messages are plain and never carry secrets or case content.

Anything else that escapes the store is a bug and is reported as one.
"""

from __future__ import annotations


class VaultError(Exception):
    """Base class: ``str(error)`` is a complete message fit to show a person."""


class WrongCredentialsError(VaultError):
    def __init__(self, what: str = "user name or password") -> None:
        super().__init__(f"Wrong {what}. Check it and try again.")


class WrongRecoveryKeyError(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "That recovery key does not open this vault. Check each group of characters "
            "against the recovery sheet and try again."
        )


class VaultLockedByOtherInstanceError(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "This vault is already open in another running copy of BTAM Desktop, on this "
            "computer or another. Close it there first, then try again."
        )


class VaultNotFoundError(VaultError):
    def __init__(self, folder: str) -> None:
        super().__init__(
            f"There is no BTAM vault in {folder}. Choose the folder that holds 'vault.db' and "
            "'vault.keys', or create a new vault."
        )


class VaultExistsError(VaultError):
    def __init__(self, folder: str) -> None:
        super().__init__(
            f"{folder} already holds a BTAM vault. Open it instead, or choose an empty folder."
        )


class VaultDamagedError(VaultError):
    """``hint`` names the newest checked backup (see ``backup.restore_hint``); the vault adds it
    where it knows its folder."""

    def __init__(self, what: str, hint: str = "") -> None:
        self.what = what
        advice = hint or (
            "Restore the newest backup of this vault if you have one (made with Back up now "
            "or btam backup create)"
        )
        super().__init__(
            f"The vault is damaged: {what}. Nothing was changed. {advice}, or ask your "
            "coordinator for help."
        )


class VaultTooNewError(VaultError):
    def __init__(self, found: int, supported: int) -> None:
        super().__init__(
            f"This vault was written by a newer version of BTAM Desktop (format {found}; this "
            f"program reads up to {supported}). Install the newer version to open it."
        )


class StorageUnavailableError(VaultError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The vault could not be written: {detail}. Free some disk space or choose a "
            "writable folder, then try again. The last saved state is intact."
        )


class PermissionDeniedError(VaultError):
    def __init__(self, action: str, role: str) -> None:
        super().__init__(f"Your role ({role}) may not {action}. Ask your team's coordinator.")


class ValidationError(VaultError):
    """Input a person gave that cannot be saved as it is; the message says what to fix."""


class NotFoundError(VaultError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was not found. It may have been removed; refresh and try again.")


class KeyringUnavailableError(VaultError):
    pass
