"""Helpers shared by the store tests (and the crash-trial bench)."""

from __future__ import annotations

import mmap
import os
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from btam_desktop.store.crypto import KdfParams
from btam_desktop.store.engine import KeyHolder, connect_raw
from btam_desktop.store.keyfile_names import DB_NAME

# Cheap Argon2id cost: every test but the one that checks the real parameters uses it.
CHEAP = KdfParams(time_cost=1, memory_kib=8, parallelism=1)

ALICE = "alice"
ALICE_PW = "alice long passphrase 1"
BOB = "bob"
BOB_PW = "bob long passphrase 22"
CAROL = "carol"
CAROL_PW = "carol long passphrase 333"
REPO_ROOT = Path(__file__).resolve().parents[2]


def raw_connection(folder: Path, data_key: bytes) -> Any:
    """A keyed sqlcipher3 connection in autocommit mode: what someone holding the key could do
    with the file outside the program."""
    return connect_raw(folder / DB_NAME, KeyHolder(data_key))


def flip_byte(path: Path, offset: int) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        value = handle.read(1)[0]
        handle.seek(offset)
        handle.write(bytes([value ^ 0x5A]))


def exception_text(exc: BaseException) -> str:
    """Everything a person or a log could see of an error: messages and tracebacks, chained."""
    return "".join(traceback.format_exception(exc))


def assert_no_secret(exc: BaseException, secrets: Iterable[str | bytes]) -> None:
    text = exception_text(exc)
    for secret in secrets:
        shown = secret.hex() if isinstance(secret, bytes) else secret
        assert shown not in text, "a secret appears in the error text"
        if isinstance(secret, bytes):
            assert shown.upper() not in text


def needles(canaries: dict[str, str]) -> dict[bytes, str]:
    """Each canary as UTF-8 and as UTF-16-LE bytes, mapped to a label."""
    found: dict[bytes, str] = {}
    for label, value in canaries.items():
        found[value.encode("utf-8")] = f"{label} (utf-8)"
        found[value.encode("utf-16-le")] = f"{label} (utf-16-le)"
    return found


def scan_file(path: Path, wanted: dict[bytes, str]) -> list[str]:
    """Labels of the canaries found in one file (whole file, any size)."""
    try:
        size = path.stat().st_size
        if size == 0:
            return []
        with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
            return [label for needle, label in wanted.items() if m.find(needle) != -1]
    except (OSError, ValueError):
        return []  # vanished, unreadable (a socket, another user's file): nothing to read


def regular_files(root: Path) -> Iterator[Path]:
    for dirpath, _dirnames, filenames in os.walk(root, onerror=lambda _e: None):
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path


def file_states(root: Path) -> dict[Path, tuple[int, int]]:
    states: dict[Path, tuple[int, int]] = {}
    for path in regular_files(root):
        try:
            st = path.stat()
        except OSError:
            continue
        states[path] = (st.st_mtime_ns, st.st_size)
    return states


def open_fd_files_in(folders: Iterable[Path]) -> list[tuple[str, bytes]]:
    """Linux: files this process holds open that live in ``folders`` or were unlinked (SQLite
    unlinks its temporary files right after creating them, so a directory scan misses them).
    Returns (target, content) pairs."""
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        return []
    prefixes = tuple(str(f) for f in folders)
    found: list[tuple[str, bytes]] = []
    for entry in fd_dir.iterdir():
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if not (target.endswith("(deleted)") or target.startswith(prefixes)):
            continue
        try:
            with open(entry, "rb") as handle:
                found.append((target, handle.read()))
        except OSError:
            continue
    return found
