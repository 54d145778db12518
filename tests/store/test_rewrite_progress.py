"""The watchers that move a rekey's progress bar while one long statement runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from btam_desktop.store import rewrite_progress


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rewrite_progress, "POLL_SECONDS", 0.005)


def test_the_rewrite_share_follows_the_wal_file(tmp_path: Path) -> None:
    db = tmp_path / "vault.db"
    wal = tmp_path / "vault.db-wal"
    pages, page_size = 100, 4096
    full = rewrite_progress.expected_wal_bytes(pages, page_size)
    shares: list[int] = []
    with rewrite_progress.watch_rewrite(db, pages, page_size, shares.append):
        for written in (0.25, 0.5, 1.0):
            wal.write_bytes(b"\0" * int(full * written))
            time.sleep(0.1)
    assert shares == sorted(shares) and len(set(shares)) == len(shares)
    assert any(240 <= s <= 260 for s in shares) and any(490 <= s <= 510 for s in shares)
    assert shares[-1] == 999  # the end is reported by the caller once the statement returned


def test_the_estimate_moves_slows_down_and_never_claims_the_end() -> None:
    shares: list[int] = []
    with rewrite_progress.watch_estimate(0.05, shares.append):
        time.sleep(0.4)  # eight times the estimate
    assert len(shares) >= 5 and shares == sorted(shares)
    assert shares[0] < 500 and max(shares) <= 990
    count = len(shares)
    time.sleep(0.05)
    assert len(shares) == count  # nothing is reported once the step is over


def test_a_failing_display_stops_the_watcher_not_the_work(tmp_path: Path) -> None:
    calls: list[int] = []

    def display(share: int) -> None:
        calls.append(share)
        raise RuntimeError("the window went away")

    with rewrite_progress.watch_estimate(0.01, display):
        time.sleep(0.1)
    assert len(calls) == 1
