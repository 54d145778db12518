"""The program's private log and crash reports, kept on this computer only.

- A rotating log in the user's log folder (platformdirs), folder 0700 and files 0600.
- Nothing from a case reaches it: the program's own messages name only kinds of things and
  error types; exceptions are written as their type and the code locations they passed through,
  never their message (a message may quote what a person typed); Qt's messages lose anything
  in quotes.
- Crash reports: the same content-free description, one file per crash, for the person to pass
  on if they want. ``faulthandler`` writes hard crashes (a crash inside Qt or SQLite) there too:
  it prints only code locations.
Nothing is ever sent anywhere.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import platform
import re
import sys
import traceback
from datetime import UTC, datetime
from io import TextIOWrapper
from pathlib import Path
from types import TracebackType
from typing import IO

import platformdirs

from btam_desktop import APP_NAME, __version__

LOG_NAME = "btam.log"
FAULTS_NAME = "hard-crashes.log"
LOG_BYTES = 512 * 1024
LOG_BACKUPS = 3
PACKAGE_ROOT = Path(__file__).resolve().parent
CONTENT_PROMISE = (
    "This report holds no names, no text from cases and no passwords: only the kind of error "
    "and where in the program it happened. Nothing was sent anywhere."
)

_fault_file: IO[str] | None = None


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def _private_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name != "nt":
        folder.chmod(0o700)
    return folder


def _private_opener(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


# ---- content-free descriptions of errors ----------------------------------------------------
def code_location(filename: str) -> str:
    """A frame's file without the folders above the program (which may hold a user name)."""
    path = Path(filename)
    try:
        return "btam_desktop/" + path.resolve().relative_to(PACKAGE_ROOT).as_posix()
    except (ValueError, OSError):
        pass
    parts = path.parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    return path.name


def describe_exception(
    exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None
) -> str:
    """The error's type and the code it passed through, chained causes included; never its
    message, never a variable's value."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    kind: type[BaseException] = exc_type
    trace = tb
    while True:
        lines.append(f"{kind.__module__}.{kind.__qualname__}")
        for frame in traceback.extract_tb(trace):
            lines.append(f"  {code_location(frame.filename)}:{frame.lineno} in {frame.name}")
        if current is None:
            break
        seen.add(id(current))
        nxt = current.__cause__ or current.__context__
        if nxt is None or id(nxt) in seen:
            break
        lines.append("caused while handling:" if current.__cause__ is None else "caused by:")
        current, kind, trace = nxt, type(nxt), nxt.__traceback__
    return "\n".join(lines)


class ContentFreeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the full traceback (with messages) on the record.
        saved = record.exc_text, record.stack_info
        record.exc_text, record.stack_info = None, None
        try:
            return super().format(record)
        finally:
            record.exc_text, record.stack_info = saved

    def formatException(
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        if ei[0] is None:
            return ""
        return describe_exception(ei[0], ei[1], ei[2])

    def formatStack(self, stack_info: str) -> str:
        return ""


_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'|“[^”]*”|‘[^’]*’")


def scrub_qt_message(message: str) -> str:
    """Qt's own messages may quote an object's or a document's name: drop anything quoted."""
    return _QUOTED.sub("'…'", message)[:300]


# ---- setting up -----------------------------------------------------------------------------
def setup_logging(folder: Path | None = None, *, level: int = logging.INFO) -> Path:
    """Send the program's log to its private rotating file; returns the log folder."""
    global _fault_file
    folder = _private_folder(folder or log_dir())
    handler = PrivateRotatingFileHandler(folder / LOG_NAME, LOG_BYTES, LOG_BACKUPS)
    handler.setFormatter(ContentFreeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.set_name("btam-private-log")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "btam-private-log"]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("btam_desktop").setLevel(level)
    (folder / LOG_NAME).chmod(0o600)
    faults = folder / FAULTS_NAME
    if _fault_file is None or Path(_fault_file.name) != faults:
        previous = _fault_file
        _fault_file = open(  # noqa: SIM115 - kept open for the life of the process
            faults, "a", encoding="utf-8", opener=_private_opener
        )
        faulthandler.enable(file=_fault_file, all_threads=True)
        if previous is not None:
            previous.close()
    return folder


class PrivateRotatingFileHandler(logging.FileHandler):
    """A log file of at most ``max_bytes``, with ``backups`` older ones beside it (``.1`` the
    newest); new and rotated files are created 0600, whatever the umask.

    logging.handlers rotates the same way, but importing it loads sockets, pickle and queues
    (about 10 ms before the first window appears), so the few lines are here instead.
    """

    def __init__(self, filename: Path, max_bytes: int, backups: int) -> None:
        self.max_bytes = max_bytes
        self.backups = backups
        super().__init__(filename, mode="a", encoding="utf-8")

    def _open(self) -> TextIOWrapper:
        stream = open(  # noqa: SIM115 - the handler owns the stream
            self.baseFilename,
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
            opener=_private_opener,
        )
        assert isinstance(stream, TextIOWrapper)
        return stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._is_full(record):
                self._rotate()
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def _is_full(self, record: logging.LogRecord) -> bool:
        if self.max_bytes <= 0 or not os.path.isfile(self.baseFilename):
            return False
        if self.stream is None:
            self.stream = self._open()
        line = self.format(record) + self.terminator
        self.stream.seek(0, os.SEEK_END)
        return self.stream.tell() + len(line.encode("utf-8")) > self.max_bytes

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        for number in range(self.backups - 1, 0, -1):
            older = f"{self.baseFilename}.{number}"
            if os.path.exists(older):
                os.replace(older, f"{self.baseFilename}.{number + 1}")
        if self.backups > 0:
            os.replace(self.baseFilename, f"{self.baseFilename}.1")
        else:
            os.remove(self.baseFilename)
        self.stream = self._open()


def write_crash_report(
    exc_type: type[BaseException],
    exc: BaseException | None,
    tb: TracebackType | None,
    folder: Path | None = None,
    *,
    where: str = "",
) -> tuple[Path | None, str]:
    """Write a crash report; returns its path (None if it could not be written) and its text."""
    now = datetime.now(UTC)
    details = "\n".join(
        [
            f"{APP_NAME} {__version__} crash report",
            f"When: {now.isoformat(timespec='seconds')}",
            f"Where: {where or 'the program'}",
            f"System: {platform.system()} {platform.release()}, Python {platform.python_version()}"
            + _qt_version(),
            "",
            describe_exception(exc_type, exc, tb),
            "",
            CONTENT_PROMISE,
        ]
    )
    try:
        target_dir = _private_folder(folder or log_dir())
        path = target_dir / f"crash-{now.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
        with open(path, "w", encoding="utf-8", opener=_private_opener) as handle:
            handle.write(details + "\n")
    except OSError:
        return None, details
    logging.getLogger("btam_desktop.crash").error("crash report written: %s", path.name)
    return path, details


def _qt_version() -> str:
    qtcore = sys.modules.get("PySide6.QtCore")
    version = getattr(qtcore, "qVersion", None)
    return f", Qt {version()}" if callable(version) else ""
