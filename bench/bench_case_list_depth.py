"""Any row of a 100,000-case list: pages at the start, the middle and the end, and Ctrl+End.

    .venv/bin/python bench/bench_case_list_depth.py --folder /tmp/btam-bench/vault-100k [--runs 5]

Uses the vault that ``bench_case_list.py`` builds (``--reuse`` there, or ``btam demo --vault DIR
--cases 100000``; the password is "demo"). For each sort order, in one process, offscreen:

* "shape": ``list_ids`` (every matching id in list order; its length is the count), the one
  query a new sort or filter costs beyond the first page;
* "page start/middle/end": a page of rows as the Cases table loads it when the view shows it
  (``list_rows`` by id, cell texts built), next to "raw", the same rows by hand-written SQL, and
  "offset", what the old offset paging cost for the last page;
* "Ctrl+End": from the key press in the Cases page to the last row painted with its content.

Each figure is the median of --runs. Targets (reference machine, 2 cores): every page under
50 ms whatever its depth; Ctrl+End under 200 ms once the list is shown.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from btam_desktop.services.app import unlock
from btam_desktop.services.cases import CaseQuery, CaseSort
from btam_desktop.services.demo import DEMO_COORDINATOR, DEMO_PASSWORD
from btam_desktop.ui import tasks
from btam_desktop.ui.models.case_table import PAGE_SIZE, Column
from btam_desktop.ui.pages.cases import CasesPage
from btam_desktop.ui.theme import apply_theme


def timed(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def settle() -> None:
    assert tasks.wait_for_idle(60_000)
    QApplication.processEvents()
    assert tasks.wait_for_idle(60_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/btam-bench/vault-100k"))  # noqa: S108
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    qapp = QApplication.instance() or QApplication([])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    apply_theme(qapp)  # type: ignore[arg-type]
    app = unlock(args.folder, DEMO_COORDINATOR, DEMO_PASSWORD)
    vault = app.vault
    page = CasesPage(app)
    page.resize(1280, 800)
    page.show()
    QApplication.processEvents()
    assert tasks.wait_for_idle(60_000)
    QApplication.processEvents()
    model, table = page.model(), page.table()

    print(
        f"{'sort':<10}{'rows':>8}{'shape':>9}{'start':>9}{'middle':>9}{'end':>9}"
        f"{'raw end':>9}{'offset':>9}{'Ctrl+End':>10}   (ms, median of {args.runs})"
    )
    for sort in CaseSort:
        query = CaseQuery(open_only=True, sort=sort, descending=sort is CaseSort.OPENED)
        shape_ms = timed(lambda q=query: app.cases.list_ids(q), args.runs)
        ids = app.cases.list_ids(query)
        starts = {"start": 0, "middle": len(ids) // 2, "end": max(0, len(ids) - PAGE_SIZE)}
        page_ms = {
            name: timed(
                lambda s=first, ids=ids: model._build_rows(  # what the model runs
                    app.cases.list_rows(ids[s : s + PAGE_SIZE])
                ),
                args.runs,
            )
            for name, first in starts.items()
        }
        last = ",".join(str(i) for i in ids[-PAGE_SIZE:])
        raw_sql = (  # the ids are integers read from the vault
            "SELECT c.id, c.number, c.title, c.status, c.level_scale, c.level, c.level_rank, "  # noqa: S608
            "c.priority, a.display_name, a.username, c.site, c.setting, c.opened_at, "
            f"c.next_review_on FROM case_file c LEFT JOIN account a ON a.id = c.owner_id "
            f"WHERE c.id IN ({last})"
        )
        raw_ms = timed(lambda sql=raw_sql: vault.execute_raw(sql), args.runs)
        deep = len(ids) - PAGE_SIZE
        offset_ms = timed(lambda q=query, deep=deep: app.cases.list_page(q, deep), 1)

        model.set_query(query)
        settle()
        samples = []
        for _ in range(args.runs):
            table.scrollToTop()
            model.set_query(query)  # a fresh list: nothing but the first page loaded
            settle()
            table.setFocus()
            start = time.perf_counter()
            # What Ctrl+End does in a QTableView (offscreen, key events need an active window).
            last_row = model.index(model.rowCount() - 1, 0)
            table.setCurrentIndex(last_row)
            table.scrollTo(last_row)
            while not model.row_loaded(model.rowCount() - 1):
                QApplication.processEvents()
                tasks.wait_for_idle(1)
            table.viewport().repaint()
            samples.append(time.perf_counter() - start)
            assert model.index(model.rowCount() - 1, Column.NUMBER).data() != "…"
        ctrl_end_ms = statistics.median(samples) * 1000
        print(
            f"{sort.value:<10}{len(ids):>8,}{shape_ms:>9.1f}{page_ms['start']:>9.1f}"
            f"{page_ms['middle']:>9.1f}{page_ms['end']:>9.1f}{raw_ms:>9.1f}{offset_ms:>9.1f}"
            f"{ctrl_end_ms:>10.1f}"
        )
    app.lock()


if __name__ == "__main__":
    main()
