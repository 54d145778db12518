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
    def __init__(self, what: str) -> None:
        super().__init__(
            f"The vault is damaged: {what}. Nothing was changed. Restore the latest backup, or "
            "ask your coordinator for help."
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
    def __init__(self, action: str, role: str, why: str = "") -> None:
        why = why or "Ask your team's coordinator."
        super().__init__(f"Your role ({role}) may not {action}. {why}")


class ValidationError(VaultError):
    """Input a person gave that cannot be saved as it is; the message says what to fix."""


class NotFoundError(VaultError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was not found. It may have been removed; refresh and try again.")


class KeyringUnavailableError(VaultError):
    pass


class VaultTooOldError(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "This vault was made by an earlier test version of BTAM Desktop, before records "
            "were signed, and this version cannot vouch for it. Keep the folder as it is and "
            "open it with the version that made it, or create a new vault."
        )


class VaultKeyMismatchError(VaultError):
    def __init__(self, pinned: str, found: str) -> None:
        super().__init__(
            "This vault's signing key is not the one this computer has known it by "
            f"(known: {pinned}; found: {found}). It may have been replaced by another vault "
            "with the same name. Nothing was opened. Compare the key with the recovery sheet "
            "and ask your coordinator."
        )


class VaultBehindError(VaultError):
    """The vault is older than what this computer has seen (rolled back or replaced)."""

    def __init__(self, missing_events: int, seen_at: str, detail: str) -> None:
        self.missing_events = missing_events
        self.seen_at = seen_at
        self.detail = detail
        super().__init__(
            f"This copy of the vault is behind what this computer has seen: {detail}. If it "
            "was restored from a backup on purpose, a coordinator can accept it; otherwise "
            "stop and find the newer copy."
        )
