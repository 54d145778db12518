"""Progress while SQLCipher rewrites every page of the database (PRAGMA rekey).

``PRAGMA rekey`` is one statement: SQLite's progress handler is never called while it runs.
In WAL mode every rewritten page becomes one frame of the ``-wal`` file, and with a small page
cache the frames are written as the work goes (the cache spills), so the ``-wal`` file's growth
against the page count is the share of the work done. A watcher thread reads the file's size
and reports it; it never touches the connection.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

WAL_HEADER_BYTES = 32
WAL_FRAME_HEADER_BYTES = 24
REWRITE_CACHE_KIB = 2048
"""Page cache of the rekeying connection: small, so rewritten pages reach the file steadily."""
POLL_SECONDS = 0.1

Report = Callable[[int], None]
"""Called with the share of pages rewritten so far, in thousandths (0 to 1000)."""


def expected_wal_bytes(page_count: int, page_size: int) -> int:
    """The ``-wal`` file's size once every page has been written to it once."""
    return WAL_HEADER_BYTES + page_count * (page_size + WAL_FRAME_HEADER_BYTES)


@contextmanager
def watch_rewrite(db_path: Path, page_count: int, page_size: int, report: Report) -> Iterator[None]:
    """Report the rewrite's progress from a watcher thread while the body runs.

    ``report`` gets increasing values only. It must not raise; if it does anyway (a cancelled
    task), the watcher stops reporting: a rewrite half done cannot be stopped."""
    wal_path = db_path.with_name(db_path.name + "-wal")
    start_bytes = _size(wal_path)
    total_bytes = max(1, expected_wal_bytes(page_count, page_size))

    def share_done() -> int:
        grown = max(0, _size(wal_path) - start_bytes)
        return min(999, grown * 1000 // total_bytes)  # 1000 only once it is finished

    with _watching(share_done, report, "btam-rekey-progress"):
        yield


@contextmanager
def watch_estimate(expected_seconds: float, report: Report) -> Iterator[None]:
    """Report progress from the time spent against an estimate, while the body runs.

    For a step that gives no sign of its progress (``PRAGMA quick_check`` reads every page in
    one statement): the share follows 1 - e^(-t/expected), so the bar keeps moving, slows
    down if the step takes longer than expected, and never claims the end before it is
    reached. Same rules for ``report`` as ``watch_rewrite``."""
    expected = max(expected_seconds, POLL_SECONDS)
    started = time.monotonic()

    def share_done() -> int:
        elapsed = time.monotonic() - started
        return min(990, int(1000 * (1 - math.exp(-elapsed / expected))))

    with _watching(share_done, report, "btam-rekey-check-progress"):
        yield


@contextmanager
def _watching(share_done: Callable[[], int], report: Report, name: str) -> Iterator[None]:
    """A watcher thread that reports ``share_done()`` each time it grows, while the body runs.
    A display problem (``report`` raising) stops the reports, never the work."""
    stop = threading.Event()

    def watch() -> None:
        shown = -1
        while not stop.wait(POLL_SECONDS):
            share = share_done()
            if share > shown:
                shown = share
                try:
                    report(share)
                except Exception:
                    return

    watcher = threading.Thread(target=watch, name=name, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
