"""The error classes now live in ``btam_desktop.domain.errors`` (one vocabulary for every layer).

This module re-exports them so store code and older imports keep working.
"""

from __future__ import annotations

from btam_desktop.domain.errors import (
    DISK_FULL,
    READ_ONLY,
    DriveNotAnsweringError,
    KeyFileMismatchError,
    KeyringUnavailableError,
    NotEnoughSpaceError,
    NotFoundError,
    PermissionDeniedError,
    ReadOnlyMediaError,
    ReadOnlyVaultError,
    StorageUnavailableError,
    ValidationError,
    VaultBehindError,
    VaultBusyError,
    VaultDamagedError,
    VaultError,
    VaultExistsError,
    VaultKeyMismatchError,
    VaultLockedByOtherInstanceError,
    VaultNotFoundError,
    VaultTooNewError,
    VaultTooOldError,
    WrongCredentialsError,
    WrongRecoveryKeyError,
    describe_size,
    restore_advice,
)

__all__ = [
    "DISK_FULL",
    "READ_ONLY",
    "DriveNotAnsweringError",
    "KeyFileMismatchError",
    "KeyringUnavailableError",
    "NotEnoughSpaceError",
    "NotFoundError",
    "PermissionDeniedError",
    "ReadOnlyMediaError",
    "ReadOnlyVaultError",
    "StorageUnavailableError",
    "ValidationError",
    "VaultBehindError",
    "VaultBusyError",
    "VaultDamagedError",
    "VaultError",
    "VaultExistsError",
    "VaultKeyMismatchError",
    "VaultLockedByOtherInstanceError",
    "VaultNotFoundError",
    "VaultTooNewError",
    "VaultTooOldError",
    "WrongCredentialsError",
    "WrongRecoveryKeyError",
    "describe_size",
    "restore_advice",
]
