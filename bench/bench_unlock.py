"""What one password guess costs: tune Argon2id on this machine as Vault.create does, then time
Vault.open (Argon2id, slot unwrap, SQLCipher key check, schema check).

    .venv/bin/python bench/bench_unlock.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from btam_desktop.store import crypto
from btam_desktop.store.vault import Vault

USER = "bench"
PASSWORD = "bench passphrase, long enough"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    params = crypto.tune_params()
    tuning = time.perf_counter() - start
    print(
        f"tuned Argon2id: time_cost={params.time_cost} memory={params.memory_kib // 1024} MiB "
        f"parallelism={params.parallelism} (tuning took {tuning:.2f} s; target "
        f"{crypto.TARGET_SECONDS} s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "vault"
        start = time.perf_counter()
        vault, _recovery = Vault.create(folder, username=USER, password=PASSWORD, kdf_params=params)
        vault.lock()
        print(f"Vault.create: {time.perf_counter() - start:.2f} s (two slots)")

        derive = []
        for _ in range(args.runs):
            start = time.perf_counter()
            crypto.derive_key(b"a guess", b"0123456789abcdef", params)
            derive.append(time.perf_counter() - start)
        opens = []
        for _ in range(args.runs):
            start = time.perf_counter()
            Vault.open(folder, USER, PASSWORD).lock()
            opens.append(time.perf_counter() - start)

    for name, times in (("Argon2id alone", derive), ("Vault.open", opens)):
        print(
            f"{name:>15}: median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
            f"max {max(times):.3f} s over {len(times)} runs"
        )
    print("one password guess costs about the Argon2id figure, and 64 MiB of memory")


if __name__ == "__main__":
    main()
