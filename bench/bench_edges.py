"""What the reliability checks cost: the storage probe and key-stamp diagnosis when opening, the
text check on every flush, the free-space check before a rekey, and the time a CLI print holds
the vault (read) versus the whole print (read + layout).

    .venv/bin/python bench/bench_edges.py [--rows 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from btam_desktop.domain.enums import NoteCategory
from btam_desktop.domain.models import CaseNote
from btam_desktop.reports import export_case_summary_read, render_case_summary
from btam_desktop.services.app import unlock
from btam_desktop.services.cases import CaseQuery
from btam_desktop.services.demo import create_demo_vault
from btam_desktop.store import diagnosis, text_check
from btam_desktop.store.crypto import KdfParams
from btam_desktop.store.keyfile_names import DB_NAME

CHEAP = KdfParams(time_cost=1, memory_kib=8, parallelism=1)


def timed(action, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, min(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "vault"
        create_demo_vault(folder, kdf_params=CHEAP).lock()

        med, low = timed(lambda: diagnosis.is_read_only_location(folder), args.runs * 20)
        print(f"read-only probe when opening:      median {med:7.3f} ms  min {low:7.3f} ms")
        med, low = timed(lambda: diagnosis.no_room_to_open(folder), args.runs * 20)
        print(f"full-disk check when opening:      median {med:7.3f} ms  min {low:7.3f} ms")
        med, low = timed(lambda: unlock(folder, "demo", "demo").lock(), args.runs)
        print(f"unlock + lock (cheap KDF), total:  median {med:7.1f} ms  min {low:7.1f} ms")

        app = unlock(folder, "demo", "demo")
        case_id = app.cases.list_page(CaseQuery())[0].id
        notes = [
            CaseNote(case_id=case_id, category=NoteCategory.OTHER.value, body="word " * 200)
            for _ in range(args.rows)
        ]
        start = time.perf_counter()
        for note in notes:
            text_check.check_object(note)
        per_row = (time.perf_counter() - start) / args.rows * 1e6
        print(f"text check per 1 KB note:          {per_row:7.1f} µs ({args.rows} notes)")
        start = time.perf_counter()
        with app.vault.write() as session:
            session.add_all(notes)
        flush = (time.perf_counter() - start) * 1000
        print(f"saving {args.rows} notes (check included): {flush:7.1f} ms")
        size = diagnosis.database_bytes(folder / DB_NAME)
        print(
            f"rekey space needed for a {size / 1e6:.1f} MB vault: "
            f"{diagnosis.rekey_space_needed(folder / DB_NAME) / 1e6:.1f} MB"
        )
        app.lock()

        def held_then_render() -> tuple[float, float]:
            start = time.perf_counter()
            session = unlock(folder, "demo", "demo")
            read = export_case_summary_read(session, case_id)
            session.lock()
            held = time.perf_counter() - start
            render_case_summary(read)
            return held * 1000, (time.perf_counter() - start) * 1000

        results = [held_then_render() for _ in range(args.runs)]
        held = statistics.median(r[0] for r in results)
        total = statistics.median(r[1] for r in results)
        print(
            f"CLI case summary: vault held {held:7.1f} ms of {total:7.1f} ms "
            f"(a case with {args.rows} extra notes)"
        )


if __name__ == "__main__":
    main()
