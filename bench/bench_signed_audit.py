"""What signing the audit trail costs: Ed25519 sign and verify per event, an audit append with
and without the signature (same transaction shape as the services), and a full
``audit verify`` (chain, signatures, record states, roles).

    .venv/bin/python bench/bench_signed_audit.py [--events 100000]
    .venv/bin/python bench/bench_signed_audit.py --vault DIR --user demo   # e.g. the demo vault
        (made with: btam demo --vault DIR --cases 100000; password: demo)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from btam_desktop.store import audit, crypto, signing
from btam_desktop.store.vault import Vault

CHEAP = crypto.KdfParams(time_cost=1, memory_kib=8, parallelism=1)


def per_call(label: str, fn: object, runs: int) -> None:
    start = time.perf_counter()
    for _ in range(runs):
        fn()  # type: ignore[operator]
    each = (time.perf_counter() - start) / runs
    print(f"{label}: {each * 1e6:.1f} µs per call ({runs} calls)")


def appends(vault: Vault, count: int, batch: int) -> float:
    """Seconds per event, ``batch`` events per write transaction."""
    start = time.perf_counter()
    done = 0
    while done < count:
        with vault.write() as session:
            for _ in range(min(batch, count - done)):
                audit.append(session, username="bench", action="bench.event", summary="x")
                done += 1
    return (time.perf_counter() - start) / count


def synthetic(events: int) -> None:
    seed, public = signing.new_seed()
    signer = signing.Signer.from_seed("bench", seed)
    message = audit.signed_message("ab" * 32, "cd" * 32)
    signature = signer.sign(message)
    verifier = signing.Verifier()
    per_call("Ed25519 sign (one event)", lambda: signer.sign(message), 5000)
    per_call(
        "Ed25519 verify (one event)", lambda: verifier.verify(public, signature, message), 5000
    )

    with tempfile.TemporaryDirectory() as tmp:
        unsigned_vault, _ = Vault.create(
            Path(tmp) / "u", username="bench", password="quiet harbour lantern 42", kdf_params=CHEAP
        )
        unsigned_vault.signer = None
        unsigned = appends(unsigned_vault, 2000, 1)
        unsigned_batched = appends(unsigned_vault, 5000, 1000)
        unsigned_vault.lock()
        vault, _ = Vault.create(
            Path(tmp) / "v", username="bench", password="quiet harbour lantern 42", kdf_params=CHEAP
        )
        try:
            signed = appends(vault, 2000, 1)
            signed_batched = appends(vault, 5000, 1000)
            print(
                f"audit append, one event per transaction: unsigned {unsigned * 1e3:.3f} ms, "
                f"signed {signed * 1e3:.3f} ms (fsync dominates)"
            )
            print(
                f"audit append, 1000 events per transaction: unsigned "
                f"{unsigned_batched * 1e6:.0f} µs, signed {signed_batched * 1e6:.0f} µs per event "
                f"(signing adds {(signed_batched - unsigned_batched) * 1e6:.0f} µs)"
            )
            appends(vault, max(0, events - 7000), 1000)
            trust = vault.trust()
            with vault.read() as session:
                start = time.perf_counter()
                chain_only = audit.verify(session)
                chain_seconds = time.perf_counter() - start
            times = []
            with vault.read() as session:
                for _ in range(3):
                    start = time.perf_counter()
                    report = audit.verify(session, trust=trust)
                    times.append(time.perf_counter() - start)
            total = chain_only.events
            best = min(times)
            print(
                f"audit verify of {total} events: chain only {chain_seconds:.2f} s; with "
                f"signatures {best:.2f} s ({best / total * 1e6:.1f} µs per event, best of 3, "
                f"median {statistics.median(times):.2f} s); {report.describe()}"
            )
        finally:
            vault.lock()


def real_vault(folder: Path, user: str, password: str) -> None:
    from btam_desktop.services.app import _quick_check, unlock

    start = time.perf_counter()
    app = unlock(folder, user, password, inspect_older_copy=True)
    opened = time.perf_counter() - start
    try:
        from sqlalchemy import text

        with app.vault.read() as session:
            ids = [r[0] for r in session.execute(text("SELECT id FROM case_file"))]
            start = time.perf_counter()
            audit.case_state_hashes(session, ids)
            states = time.perf_counter() - start
        print(
            f"state hash of every case (as if each had a signed event): {states:.2f} s for "
            f"{len(ids)} cases ({states / max(1, len(ids)) * 1e6:.0f} µs per case)"
        )
        start = time.perf_counter()
        problem = _quick_check(app.vault)
        quick = time.perf_counter() - start
        start = time.perf_counter()
        report = app.verify_audit()
        full = time.perf_counter() - start
    finally:
        app.lock()
    print(f"{folder}: sign-in (Argon2id + checks) {opened:.2f} s; check at sign-in {quick:.2f} s")
    print(f"audit verify: {full:.2f} s — {report.describe()}; problem at sign-in: {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--vault", type=Path)
    parser.add_argument("--user", default="demo")
    parser.add_argument("--password", default="demo")
    args = parser.parse_args()
    if args.vault:
        real_vault(args.vault, args.user, args.password)
    else:
        synthetic(args.events)


if __name__ == "__main__":
    main()
