"""Errors a person can act on: the one error vocabulary of every layer.

Messages are plain and never carry secrets or case content. An error about one input names it in
``field`` (the attribute name of the service's input, such as ``"title"`` or ``"reason"``), so a
form puts the message next to that input without reading the message. Anything else that escapes
the store is a bug and is reported as one.
"""

from __future__ import annotations


class VaultError(Exception):
    """Base class: ``str(error)`` is a complete message fit to show a person."""

    field: str | None = None  # the input the message is about, when it is about one


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


def restore_advice(hint: str = "") -> str:
    """What to tell a person whose vault cannot be used as it is.

    ``hint`` is ``backup.restore_hint(folder)`` where the vault folder is known: it names the
    newest checked backup, or says that none is known."""
    if hint:
        return f"{hint}. If you need help, ask your coordinator."
    return (
        "Keep the vault folder exactly as it is (do not delete or overwrite anything). If you "
        "have a backup of this vault, restore it with “Restore from a backup…” on the sign-in "
        "screen, or ask your coordinator for help."
    )


class VaultDamagedError(VaultError):
    """``hint``: see ``restore_advice``; the vault adds it where it knows its folder."""

    def __init__(self, what: str, hint: str = "") -> None:
        self.what = what
        super().__init__(
            f"The vault is damaged: {what}. Nothing was changed. {restore_advice(hint)}"
        )


class KeyFileMismatchError(VaultDamagedError):
    """The password opened the key-slot file, but that file does not belong to this database:
    the vault cannot open as it is, yet nothing in it is damaged."""

    def __init__(self, what: str, todo: str) -> None:
        self.what = what
        VaultError.__init__(
            self,
            f"The key-slot file 'vault.keys' does not belong to this database: {what}. "
            f"Nothing was changed. {todo}",
        )


class VaultTooNewError(VaultError):
    def __init__(self, found: int, supported: int) -> None:
        super().__init__(
            f"This vault was written by a newer version of BTAM Desktop (format {found}; this "
            f"program reads up to {supported}). Install the newer version to open it."
        )


DISK_FULL = "the disk is full"
READ_ONLY = "the folder or drive is read-only"


class StorageUnavailableError(VaultError):
    """A write the operating system refused. ``disk_full`` and ``read_only`` tell them apart, so
    a write-protected drive never gets advice about disk space."""

    def __init__(self, detail: str) -> None:
        self.disk_full = "full" in detail
        self.read_only = "read-only" in detail
        if self.disk_full:
            advice = "Free some disk space, then try again."
        elif self.read_only:
            advice = (
                "The drive or folder is write-protected: choose a writable folder, or remove the "
                "write protection, then try again."
            )
        else:
            advice = "Check that the drive is still connected, then try again."
        super().__init__(
            f"The vault could not be written: {detail}. {advice} The last saved state is intact."
        )


class NotEnoughSpaceError(StorageUnavailableError):
    """Checked before a long write starts, so nothing is left half-done."""

    def __init__(self, action: str, needed: int, free: int) -> None:
        VaultError.__init__(
            self,
            f"There is not enough free space to {action}: it needs about {describe_size(needed)} "
            f"free on the drive that holds the vault, and {describe_size(free)} are free. Free "
            "some space (empty the recycle bin, move large files away), then try again. "
            "Nothing was changed.",
        )
        self.needed = needed
        self.free = free
        # Set here too, as __init__ above is bypassed: callers tell the kinds apart by these.
        self.disk_full = True
        self.read_only = False


class VaultBusyError(VaultError):
    """The database stayed busy or locked (SQLite's BUSY or LOCKED) past the wait allowed."""

    def __init__(self) -> None:
        super().__init__(
            "The vault was busy with another task (a backup or a long search, say), so this "
            "could not be done in time. Nothing was changed. Wait a moment, then try again."
        )


class DriveNotAnsweringError(VaultError):
    """The operating system reported an input/output error (SQLite's IOERR): most often a USB
    drive pulled out or a network folder gone, not damage. SQLite rolled the change back."""

    def __init__(self) -> None:
        super().__init__(
            "The drive that holds the vault did not answer (an input/output error), so this "
            "could not be done. If the vault is on a USB drive or a network folder, check that "
            "it is still connected, then try again. The last saved state is intact. If it "
            "keeps happening with the drive connected, tell your coordinator."
        )


class ReadOnlyVaultError(VaultError):
    """A change was asked of a vault opened from read-only media."""

    def __init__(self) -> None:
        super().__init__(
            "This vault is open read-only because its folder or drive is write-protected "
            "(read-only media, or a folder you may not change). You can read, search and print; "
            "to make changes, copy the whole vault folder to a writable drive and open it there."
        )


class ReadOnlyMediaError(VaultError):
    """A vault on read-only media that cannot be opened even for reading."""

    def __init__(self, why: str) -> None:
        super().__init__(
            f"This vault is on read-only media (a write-protected drive or a read-only folder) "
            f"and {why}. Copy the whole vault folder to a writable drive and open it there."
        )


def describe_size(size: int) -> str:
    """A byte count as a person reads it: '12 MB', '1.4 GB'."""
    mb = size / (1024 * 1024)
    if mb < 1:
        return "less than 1 MB"
    if mb < 1024:
        return f"{mb:.0f} MB"
    return f"{mb / 1024:.1f} GB"


class PermissionDeniedError(VaultError):
    def __init__(self, action: str, role: str, why: str = "") -> None:
        why = why or "Ask your team's coordinator."
        super().__init__(f"Your role ({role}) may not {action}. {why}")


class ValidationError(VaultError):
    """Input a person gave that cannot be saved as it is; the message says what to fix.

    ``field`` names the input it concerns (None: the input as a whole)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def for_field(self, field: str) -> ValidationError:
        """The same message about ``field``: for an input checked as part of a larger one (the
        reporter's details within a report of concern, say)."""
        return type(self)(str(self), field=field)


class WorkflowError(ValueError):
    """A case move that is not allowed, or that lacks the data it needs. The message says which;
    ``field`` names the part of the move request it concerns (``"reason"``, ``"screeners"``)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def error_field(error: BaseException) -> str | None:
    """The input a person-facing error is about, or None."""
    if isinstance(error, VaultError | WorkflowError):
        return error.field
    return None


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
