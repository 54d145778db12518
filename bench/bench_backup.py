"""Backup and verify of a 100,000-case vault, next to a plain file copy of the same vault.

    .venv/bin/python bench/bench_backup.py --folder /tmp/btam-bench/vault-100k [--reuse]
        [--runs 3] [--destroy]

Builds a demo vault with 100,000 synthetic cases (``btam demo --cases 100000`` does the same),
or reuses the one in ``--folder``. Then prints, each as the median of ``--runs``:

* plain copy: ``shutil.copyfile`` of vault.db (after a WAL checkpoint) and fsync: the floor;
* backup: ``app.backups.create`` end to end, split into its phases (online snapshot through the
  SQLite backup API; the checks on the copy: cipher_integrity_check, integrity_check, row
  counts, audit chain; sealing with HMAC-SHA256; reading it back);
* verify: ``verify_backup`` of the file with a password (seal, copy out, every check);
* restore into a new folder;
* sizes of the vault and the backup file;
* with ``--destroy``: destroying one closed case (secure delete, index merge, VACUUM).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.backup import WrittenBackup, restore_to_new_folder, verify_backup
from btam_desktop.services.demo import DEMO_COORDINATOR, DEMO_PASSWORD, create_demo_vault
from btam_desktop.store.backup import human_size
from btam_desktop.store.vault import is_vault


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


class PhaseClock:
    """Splits a backup's progress messages into phases with their durations."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.current = ""
        self.totals: dict[str, float] = {}

    def __call__(self, done: int, total: int, message: str = "") -> None:
        now = time.perf_counter()
        phase = _phase(message)
        if phase != self.current:
            if self.current:
                self.totals[self.current] = self.totals.get(self.current, 0.0) + now - self.last
            self.current, self.last = phase, now

    def finish(self) -> dict[str, float]:
        self("", 0, "end")
        return self.totals


def _phase(message: str) -> str:
    if message.startswith("Copying the database"):
        return "snapshot"
    if message.startswith("Sealing"):
        return "seal"
    if message.startswith(("Reading it back", "Checking the backup's seal", "Backup written")):
        return "read back"
    if message == "end":
        return "end"
    return "checks"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--folder", type=Path, default=Path(tempfile.gettempdir()) / "btam-bench" / "vault-100k"
    )
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--destroy", action="store_true")
    args = parser.parse_args()

    if not (args.reuse and is_vault(args.folder)):
        print(f"Building a {args.cases:,}-case demo vault in {args.folder} …", flush=True)
        seconds, app = timed(lambda: create_demo_vault(args.folder, cases=args.cases))
        assert isinstance(app, Btam)
        app.lock()
        print(f"  built in {seconds:.0f} s")
    app = unlock(args.folder, DEMO_COORDINATOR, DEMO_PASSWORD)
    work = Path(tempfile.mkdtemp(prefix="btam-bench-backup-"))
    try:
        app.vault.checkpoint()
        db = app.vault.db_path
        print(f"vault.db: {human_size(db.stat().st_size)} ({db.stat().st_size:,} bytes)")

        copies, backups_s, verifies, restores = [], [], [], []
        phases: list[dict[str, float]] = []
        made: WrittenBackup | None = None
        for run in range(args.runs):
            target = work / f"copy-{run}.db"

            def plain_copy(target: Path = target) -> None:
                shutil.copyfile(db, target)
                with target.open("rb+") as handle:
                    os.fsync(handle.fileno())

            copies.append(timed(plain_copy)[0])
            target.unlink()
            clock = PhaseClock()
            seconds, written = timed(lambda c=clock: app.backups.create(work / "usb", progress=c))
            assert isinstance(written, WrittenBackup)
            made = written
            backups_s.append(seconds)
            phases.append(clock.finish())
            verifies.append(
                timed(lambda p=made.path: verify_backup(p, DEMO_COORDINATOR, DEMO_PASSWORD))[0]
            )
            restored = work / f"restored-{run}"
            restores.append(
                timed(
                    lambda p=made.path, r=restored: restore_to_new_folder(
                        p, r, DEMO_COORDINATOR, DEMO_PASSWORD
                    )
                )[0]
            )
            shutil.rmtree(restored)
        assert made is not None
        print(f"backup file: {human_size(made.size)} ({made.size:,} bytes)")
        median = statistics.median
        copy = median(copies)
        print(f"\nmedian of {args.runs} runs        seconds   x plain copy")
        print(f"plain file copy + fsync      {copy:7.2f}      1.0")
        total = median(backups_s)
        print(f"backup (end to end)          {total:7.2f}   {total / copy:6.1f}")
        for name in ("snapshot", "checks", "seal", "read back"):
            value = median(p.get(name, 0.0) for p in phases)
            print(f"  {name:<26} {value:7.2f}   {value / copy:6.1f}")
        print(
            f"verify a backup file         {median(verifies):7.2f}   {median(verifies) / copy:6.1f}"
        )
        print(
            f"restore into a new folder    {median(restores):7.2f}   {median(restores) / copy:6.1f}"
        )
        if args.destroy:
            _destroy_one(app)
    finally:
        app.lock()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _destroy_one(app: Btam) -> None:
    from btam_desktop.services.retention import rules_to_text

    settings = app.settings()
    before = settings.retention_rules
    settings.retention_rules = rules_to_text(
        {
            (s, c): 0
            for s in ("school", "workplace", "campus", "community")
            for c in ("closed", "closed_no_threat")
        }
    )
    app.save_settings(settings)
    try:
        due = [i for i in app.retention.due() if not i.legal_hold]
        item = due[0]
        seconds, _ = timed(lambda: app.retention.destroy(item.case_id, item.number))
        print(f"destroy one case ({len(due):,} due)  {seconds:7.2f}")
        print("  (secure delete, search index merged, VACUUM, WAL emptied)")
    finally:
        settings.retention_rules = before
        app.save_settings(settings)


if __name__ == "__main__":
    raise SystemExit(main())
