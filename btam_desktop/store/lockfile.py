"""One running instance per vault: an OS file lock on ``vault.lock``.

The lock is released by the OS when the process dies, so a crash never leaves a vault stuck.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from btam_desktop.store.errors import StorageUnavailableError, VaultLockedByOtherInstanceError

LOCK_NAME = "vault.lock"


class VaultLock:
    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._handle: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self) -> None:
        if self._handle is not None:
            return
        try:
            handle = open(self.path, "a+b")  # noqa: SIM115 - held open for the session
        except OSError as exc:  # EACCES/EPERM, and EROFS on write-protected media
            raise StorageUnavailableError("the vault folder is read-only") from exc
        try:
            _lock(handle)
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


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
