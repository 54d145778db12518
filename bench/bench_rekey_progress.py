"""What the rekey's progress bar shows while a vault is re-encrypted: every report with its time,
step and percent, on a copy of a vault (the copy is rekeyed by removing one member).

    .venv/bin/python bench/bench_rekey_progress.py --vault /tmp/btam-bench/vault-100k \\
        [--user demo] [--password demo] [--remove casey]

The original folder is not touched. Prints one line per half second of the run (and each new
step), then the total time and how many reports were made.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from btam_desktop.store.lockfile import LOCK_NAME
from btam_desktop.store.vault import Vault


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vault", type=Path, required=True)
    parser.add_argument("--user", default="demo")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--remove", default="casey", help="the member whose removal rekeys")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="btam-bench-rekey-") as tmp:
        folder = Path(tmp) / "vault"
        shutil.copytree(args.vault, folder, ignore=shutil.ignore_patterns(LOCK_NAME, "backups"))
        vault = Vault.open(folder, args.user, args.password)
        size_mb = (folder / "vault.db").stat().st_size / 1e6
        reports: list[tuple[float, int, str]] = []
        start = time.perf_counter()

        def progress(done: int, total: int, message: str) -> None:
            reports.append((time.perf_counter() - start, round(100 * done / total), message))

        try:
            vault.remove_user_slot(args.remove, progress=progress)
        finally:
            vault.lock()
        total = time.perf_counter() - start

    print(f"{size_mb:.0f} MB database, rekeyed in {total:.1f} s, {len(reports)} reports")
    last_message, last_slot = "", -1
    for seconds, percent, message in reports:
        slot = int(seconds * 2)
        if message != last_message or slot != last_slot or percent == 100:
            print(f"  {seconds:6.2f} s {percent:>4d}%  {message}")
        last_message, last_slot = message, slot


if __name__ == "__main__":
    main()
