"""The team-wide audit view on a long trail: what the coordinator waits for.

    .venv/bin/python bench/bench_audit.py [--events 100000] [--runs 5]

Builds a vault (cheap key derivation) with a few cases and ``--events`` audit events spread over
four people, many kinds and a year of dates, then times the Audit page's queries
(``AuditLogService.rows``, the first 1,000 rows, as the page shows them) for each filter, and a
CSV excerpt of the whole trail. Each figure is the median of ``--runs``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from btam_desktop.domain.enums import CaseSetting
from btam_desktop.domain.types import utcnow
from btam_desktop.services.app import NewTeam, create_team_vault
from btam_desktop.services.audit_log import AuditKind, AuditQuery
from btam_desktop.store import audit
from btam_desktop.store.crypto import KdfParams

CHEAP = KdfParams(time_cost=1, memory_kib=8, parallelism=1)
ACTIONS = [
    ("case.view", True),
    ("note.add", True),
    ("timeline.add", True),
    ("report.print", True),
    ("vault.unlock", False),
    ("vault.lock", False),
    ("settings.change", False),
    ("permission.denied", False),
]


def timed(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, _key = create_team_vault(
            Path(tmp) / "v",
            NewTeam(
                "Bench", CaseSetting.SCHOOL, "scale.four-level", "coord", "C", "bench pass 4821"
            ),
            kdf_params=CHEAP,
        )
        start = time.perf_counter()
        people = ["coord", "alex", "sam", "kim"]
        base = utcnow() - timedelta(days=365)
        clock = [base]
        audit.utcnow = lambda: clock[0]  # type: ignore[attr-defined]  # spread over a year
        step = timedelta(days=365) / max(1, args.events)
        with app.vault.write() as session:
            for n in range(args.events):
                action, has_case = ACTIONS[n % len(ACTIONS)]
                clock[0] = base + step * n
                audit.append(
                    session,
                    username=people[n % len(people)],
                    action=action if n % 997 else "signin.failed",
                    entity_kind="case" if has_case else "vault",
                    entity_id=(n % 500) + 1 if has_case else "",
                    summary="bench",
                    case_id=(n % 500) + 1 if has_case else None,
                )
        audit.utcnow = utcnow  # type: ignore[attr-defined]
        print(f"built {args.events:,} events in {time.perf_counter() - start:.1f} s")
        today = utcnow().date()
        queries = {
            "everything (newest 1,000)": AuditQuery(limit=1000),
            "one person": AuditQuery(username="sam", limit=1000),
            "failed sign-ins (rare)": AuditQuery(kind=AuditKind.FAILED_SIGN_IN, limit=1000),
            "views": AuditQuery(kind=AuditKind.VIEW, limit=1000),
            "case work": AuditQuery(kind=AuditKind.CASE_CHANGE, limit=1000),
            "last 7 days": AuditQuery(since=today - timedelta(days=7), limit=1000),
            "person + kind + month": AuditQuery(
                username="kim",
                kind=AuditKind.EXPORT,
                since=today - timedelta(days=60),
                until=today - timedelta(days=30),
                limit=1000,
            ),
        }
        log = app.audit_log
        for name, query in queries.items():
            rows = log.rows(query)
            print(
                f"{name:<28} {timed(lambda q=query: log.rows(q), args.runs):8.1f} ms  "
                f"({len(rows)} rows)"
            )
        everything = AuditQuery(limit=10_000_000)
        size = len(log.export_csv(everything))
        print(
            f"{'CSV of the whole trail':<28} "
            f"{timed(lambda: log.export_csv(everything), 1):8.1f} ms  "
            f"({size / 1e6:.1f} MB)"
        )
        app.lock()


if __name__ == "__main__":
    main()
