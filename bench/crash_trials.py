"""Kill a vault writer with SIGKILL at random moments and count what was lost.

Each trial starts tests/store/crash_writer.py (it commits small transactions and prints each
committed row only after the commit returns), kills it 0-250 ms after it is ready, reopens the
vault and checks every acknowledged row, cipher_integrity_check + integrity_check, and the audit
chain.

    .venv/bin/python bench/crash_trials.py [--trials 1000] [--jobs 2] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.store.crash_writer import run_trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--per-vault", type=int, default=25)
    parser.add_argument("--max-delay", type=float, default=0.25, help="seconds")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tally = run_trials(
            Path(tmp),
            args.trials,
            jobs=args.jobs,
            per_vault=args.per_vault,
            max_delay=args.max_delay,
            seed=args.seed,
            progress=True,
        )
    print(tally.summary())
    print(f"elapsed: {time.perf_counter() - start:.0f} s with {args.jobs} workers")
    for problem in tally.problems[:20]:
        print("  ", problem)
    sys.exit(1 if tally.problems else 0)


if __name__ == "__main__":
    main()
