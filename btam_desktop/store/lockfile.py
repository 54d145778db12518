"""One running instance per vault: an OS file lock on ``vault.lock``.

The lock is released by the OS when the process dies, so a crash never leaves a vault stuck.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from btam_desktop.store.errors import (
    READ_ONLY,
    StorageUnavailableError,
    VaultLockedByOtherInstanceError,
)

LOCK_NAME = "vault.lock"


class VaultLock:
    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._handle: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self, *, read_only: bool = False) -> None:
        """Take the lock. ``read_only`` (a vault on write-protected media): share an existing
        lock file if there is one; with none there, no writer can be running on that media."""
        if self._handle is not None:
            return
        if read_only:
            self._acquire_shared()
            return
        try:
            handle = open(self.path, "a+b", opener=_private)  # noqa: SIM115 - held open
        except OSError as exc:  # EACCES/EPERM, and EROFS on write-protected media
            raise StorageUnavailableError(READ_ONLY) from exc
        try:
            _lock(handle)
        except OSError as exc:
            handle.close()
            raise VaultLockedByOtherInstanceError() from exc
        self._handle = handle

    def _acquire_shared(self) -> None:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - held open for the session
        except OSError:
            return
        try:
            _lock(handle, shared=True)
        except OSError as exc:
            handle.close()
            raise VaultLockedByOtherInstanceError() from exc
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            _unlock(self._handle)
        finally:
            self._handle.close()
            self._handle = None


def _private(path: str, flags: int) -> int:
    """Create the lock file readable by its owner only, whatever the umask."""
    return os.open(path, flags, 0o600)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[bytes], shared: bool = False) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBRLCK if shared else msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes], shared: bool = False) -> None:
        fcntl.flock(handle.fileno(), (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
