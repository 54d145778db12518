"""Real storage conditions for tests: a small disk that fills up, and read-only media.

As root (CI and this machine), a real tmpfs is mounted for a full disk and a read-only bind
mount stands for a write-protected drive. Where mounting is impossible, a full disk is simulated
at the file layer (SQLite told it may not grow the file, free space reported as none) and a
read-only folder by chmod (which works for anyone but root). Each helper says which path ran,
and tests put it in their report (``record_property``)."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from sqlalchemy import event

from btam_desktop.store import diagnosis
from btam_desktop.store import vault as vault_module


def _run(*command: str) -> bool:
    if os.environ.get("BTAM_TEST_NO_MOUNT") and command[0] == "mount":  # try the fallbacks
        return False
    try:
        done = subprocess.run(command, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _unmount(path: Path) -> None:
    if not _run("umount", str(path)):
        _run("umount", "-l", str(path))


@dataclass
class SmallDisk:
    """A folder on a small disk. ``fill()`` uses up every free byte; ``free_up()`` undoes it."""

    path: Path
    kind: str  # "tmpfs" (a real 6 MB file system) or "simulated" (writes refused as ENOSPC)
    _fillers: list[Path] = field(default_factory=list)
    _patches: pytest.MonkeyPatch = field(default_factory=pytest.MonkeyPatch)
    _engines: list[Any] = field(default_factory=list)

    def fill(self, *engines: Any) -> None:
        """Fill the disk. For the simulated disk, ``engines`` are the vault engines to limit."""
        if self.kind == "tmpfs":
            filler = self.path / f"filler-{uuid.uuid4().hex}"
            self._fillers.append(filler)
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                for size in (64 * 1024, 4096, 512, 1):  # the last bytes too: a page may fit
                    chunk = os.urandom(size)
                    while True:
                        try:
                            os.write(fd, chunk)
                        except OSError as exc:
                            assert exc.errno == errno.ENOSPC
                            break
            finally:
                os.close(fd)
            return
        self._patches.setattr(diagnosis, "free_bytes", lambda folder: 0)
        real_make_engine = vault_module.make_engine

        def make_full_engine(*args: Any, **kwargs: Any) -> Any:
            made = real_make_engine(*args, **kwargs)
            self._limit(made)
            return made

        self._patches.setattr(vault_module, "make_engine", make_full_engine)
        real_connect_raw = vault_module.connect_raw
        self._patches.setattr(
            vault_module,
            "connect_raw",
            lambda *a, **k: _FullDiskConnection(real_connect_raw(*a, **k)),
        )
        for engine in engines:
            self._limit(engine)

    def _limit(self, engine: Any) -> None:
        engine.dispose()
        event.listen(engine, "before_cursor_execute", _refuse_writes)
        self._engines.append(engine)

    def free_up(self) -> None:
        for filler in self._fillers:
            filler.unlink(missing_ok=True)
        self._fillers.clear()
        self._patches.undo()
        for engine in self._engines:
            engine.dispose()
            with suppress(Exception):
                event.remove(engine, "before_cursor_execute", _refuse_writes)
        self._engines.clear()

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.path).free


def _refuse_writes(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    """What SQLite answers when the disk has no room for a write (ENOSPC)."""
    if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}:
        raise sqlcipher3.OperationalError("database or disk is full")


class _FullDiskConnection:
    """A raw connection whose writes (and re-encryption) fail as on a full disk."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.lstrip().upper().startswith(("PRAGMA REKEY", "INSERT", "UPDATE", "DELETE")):
            raise sqlcipher3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@contextmanager
def small_disk(base: Path, size_mb: int = 6) -> Iterator[SmallDisk]:
    mount_point = base / "small-disk"
    mount_point.mkdir(parents=True, exist_ok=True)
    if _run("mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0700", "tmpfs", str(mount_point)):
        disk = SmallDisk(mount_point, "tmpfs")
        try:
            yield disk
        finally:
            disk.free_up()
            _unmount(mount_point)
        return
    disk = SmallDisk(mount_point, "simulated")
    try:
        yield disk
    finally:
        disk.free_up()


@dataclass
class ReadOnlyView:
    path: Path
    kind: str  # "bind-mount" (a real read-only mount) or "chmod"


@contextmanager
def read_only_view(folder: Path) -> Iterator[ReadOnlyView]:
    """``folder`` seen through a read-only mount (or, without mounting, write-protected)."""
    target = folder.with_name(folder.name + "-readonly")
    target.mkdir(exist_ok=True)
    if _run("mount", "--bind", str(folder), str(target)):
        if _run("mount", "-o", "remount,ro,bind", str(target)):
            try:
                yield ReadOnlyView(target, "bind-mount")
            finally:
                _unmount(target)
            return
        _unmount(target)
    target.rmdir()
    if os.geteuid() == 0:  # root ignores chmod: say the folder is read-only at the file layer
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(diagnosis, "is_read_only_location", lambda _folder: True)
            yield ReadOnlyView(folder, "simulated")
        return
    paths = [folder, *folder.rglob("*")]
    for path in paths:
        path.chmod(stat.S_IMODE(path.stat().st_mode) & ~0o222)
    try:
        yield ReadOnlyView(folder, "chmod")
    finally:
        for path in paths:
            path.chmod(stat.S_IMODE(path.stat().st_mode) | stat.S_IWUSR)
