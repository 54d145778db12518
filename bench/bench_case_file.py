"""Reading a whole case for the workspace: the case file in one transaction, against one
service call (one session) per part as the workspace read it before.

    .venv/bin/python bench/bench_case_file.py [--entries 200] [--runs 9]

Builds a demo vault in a temporary folder, gives one of its cases ``--entries`` timeline
entries and as many notes, then prints the median milliseconds and the read sessions each way
takes, for that case and for the demo's smallest case.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from btam_desktop.domain.enums import CaseStatus, NoteCategory, TimelineCategory
from btam_desktop.domain.types import utcnow
from btam_desktop.domain.workflow import available_actions
from btam_desktop.services.app import Btam
from btam_desktop.services.case_file import OVERVIEW_DRAFT, WORKSPACE_PARTS
from btam_desktop.services.cases import CaseQuery
from btam_desktop.services.demo import create_demo_vault
from btam_desktop.store.crypto import KdfParams


def one_call_per_part(app: Btam, case_id: int) -> None:
    """What ui/case_tabs/data.py did before the read model (without the view event)."""
    case = app.cases.get(case_id)
    app.team.members(include_inactive=True)
    app.audit_events(case_id=case_id)
    app.drafts.load(OVERVIEW_DRAFT, str(case_id))
    app.scale(case.level_scale)
    app.cases.members(case_id)
    for read in (
        app.records.people,
        app.records.reports,
        app.records.timeline,
        app.records.notes,
        app.records.attachments,
        app.records.disclosures,
        app.cases.level_history,
        app.cases.transitions,
    ):
        read(case_id)
    for action in available_actions(CaseStatus(case.status)):
        app.cases.why_not(case, action)


def measure(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def sessions_of(app: Btam, action: Callable[[], object]) -> int:
    opened = 0
    original = app.vault.read

    @contextlib.contextmanager
    def counted() -> Iterator[Any]:
        nonlocal opened
        opened += 1
        with original() as session:
            yield session

    app.vault.read = counted  # type: ignore[method-assign]
    try:
        action()
    finally:
        del app.vault.read
    return opened


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="btam-bench-") as folder:
        app = create_demo_vault(
            Path(folder) / "vault", kdf_params=KdfParams(time_cost=1, memory_kib=8, parallelism=1)
        )
        rows = app.cases.find(CaseQuery(), 0, 100)
        big, small = rows[0].id, rows[-1].id
        for n in range(args.entries):
            app.records.add_note(big, NoteCategory.CONSULTATION, f"Bench note {n}. " * 20)
        from btam_desktop.services.records import TimelineInput

        for n in range(args.entries):
            app.records.add_timeline_entry(
                big,
                TimelineInput(
                    occurred_at=utcnow() - timedelta(hours=n),
                    category=TimelineCategory.INCIDENT,
                    description=f"Bench entry {n}. " * 10,
                ),
            )
        print(f"{'case':<28}{'way':<22}{'sessions':>9}{'ms':>9}   (median of {args.runs})")
        for label, case_id in ((f"{args.entries} notes + entries", big), ("smallest demo", small)):

            def per_part(case_id: int = case_id) -> None:
                one_call_per_part(app, case_id)

            def case_file(case_id: int = case_id) -> None:
                app.case_file(case_id, WORKSPACE_PARTS)

            for way, action in (("one call per part", per_part), ("case file", case_file)):
                action()  # warm the page cache
                print(
                    f"{label:<28}{way:<22}{sessions_of(app, action):>9}"
                    f"{measure(action, args.runs):>9.1f}"
                )
        app.lock()


if __name__ == "__main__":
    main()
