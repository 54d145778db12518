"""The case list on a 100,000-case vault: what a person waits for, next to the raw SQL.

    .venv/bin/python bench/bench_case_list.py [--folder DIR] [--reuse] [--cheap-kdf] [--runs 5]

Builds a demo vault with 100,000 synthetic cases (``create_demo_vault``; about a minute), or
reuses the one in ``--folder`` with ``--reuse``. Then, in one process, offscreen:

* unlock (real Argon2id unless the vault was built with ``--cheap-kdf``) to a usable main window:
  the window built and shown, the case list's first page loaded and painted;
* the Cases page's first page; sorting by each column, both ways; each filter; full-text search
  for a rare word ("zephyrine", about 0.1% of cases) and a common one ("locker");
* for each, the same query as raw SQL on the same database (``vault.execute_raw``);
* the process's peak memory (``ru_maxrss``).

"shown" is the time from the person's action to the first page being in the table and painted
("rows in": in the model, before painting)
(the search box's 250 ms pause for typing is not included: it is a deliberate wait). "count" is
the time until the "1,234 cases" label is right; counts are cleared before each run, so each
figure is a first-time count (re-sorting never re-counts). Each figure is the median of --runs
(or the best, with --stat min: on a machine shared with other work, the best run shows what the
code costs, the median what a person waits).
Targets on the reference machine (2 cores): each interaction under 100 ms and within 2x of its
raw query; peak memory under 400 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings, Qt, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QWidget

from btam_desktop.domain.enums import CaseSetting, CaseStatus
from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.cases import CaseQuery, CaseSort
from btam_desktop.services.demo import DEMO_COORDINATOR, DEMO_PASSWORD, create_demo_vault
from btam_desktop.store import search
from btam_desktop.store.crypto import KdfParams
from btam_desktop.store.vault import is_vault
from btam_desktop.ui import tasks
from btam_desktop.ui.models.case_table import COLUMNS, PAGE_SIZE, Column
from btam_desktop.ui.pages.cases import CasesPage
from btam_desktop.ui.theme import apply_theme

FEW_SEARCH_MATCHES = 2000  # services.cases._FEW_SEARCH_MATCHES
CHEAP = KdfParams(time_cost=1, memory_kib=8, parallelism=1)
CASES = 100_000
TARGET_MS = 100.0
TARGET_RATIO = 2.0
TARGET_RSS_MB = 400.0
FIXED_MS = 25.0
"""What every page costs beyond its SQL, however fast the SQL: the hop to a worker thread and
back, SQLAlchemy reading 200 rows, formatting them, and painting about 25 rows. Against a raw
query of 1 ms no page can be within 2x; such a figure passes when it is within FIXED_MS."""
CLOSED = (CaseStatus.CLOSED.value, CaseStatus.CLOSED_NO_THREAT.value)


# ---- raw SQL: the service's queries (CaseService.list_page / list_count) written by hand ----

_RAW_ORDER = {
    CaseSort.NUMBER: ["c.year", "c.sequence"],
    CaseSort.TITLE: ["c.title"],
    CaseSort.STATUS: ["c.status"],
    CaseSort.LEVEL: ["c.level_rank"],
    CaseSort.PRIORITY: ["c.priority"],
    CaseSort.OWNER: ["a.display_name"],
    CaseSort.SITE: ["c.site"],
    CaseSort.OPENED: ["c.opened_at"],
    CaseSort.NEXT_DUE: ["c.next_review_on"],
}


def raw_where(
    query: CaseQuery, me: int, walk: bool = False, few_matches: bool = False
) -> tuple[str, dict[str, Any]]:
    parts: list[str] = []
    params: dict[str, Any] = {}
    if query.statuses:
        names = [f":s{i}" for i in range(len(query.statuses))]
        parts.append(f"c.status IN ({', '.join(names)})")
        params.update({f"s{i}": s.value for i, s in enumerate(sorted(query.statuses))})
    if query.open_only or query.overdue:
        parts.append("c.status NOT IN (:closed1, :closed2)")
        params.update(closed1=CLOSED[0], closed2=CLOSED[1])
    if query.levels:
        names = [f":l{i}" for i in range(len(query.levels))]
        parts.append(f"c.level IN ({', '.join(names)})")
        params.update({f"l{i}": level for i, level in enumerate(sorted(query.levels))})
    if query.owner_id is not None:
        parts.append("c.owner_id = :owner")
        params["owner"] = query.owner_id
    if query.site:
        parts.append("c.site = :site")
        params["site"] = query.site
    if query.setting is not None:
        parts.append("c.setting = :setting")
        params["setting"] = query.setting.value
    if query.mine:
        plus = " + 0" if walk else ""  # a page walks the sort order (see list_page)
        parts.append(
            f"(c.owner_id{plus} = :me OR c.id{plus} IN "  # noqa: S608 - constants
            "(SELECT case_id FROM case_member WHERE account_id = :me))"
        )
        params["me"] = me
    if query.overdue:
        parts.append("c.next_review_on < :today")
        params["today"] = date.today().isoformat()
    if query.text:
        plus = "" if few_matches else " + 0"  # as list_page / list_count decide
        parts.append(
            f"c.id{plus} IN (SELECT case_id FROM search_index WHERE search_index MATCH :fts)"  # noqa: S608
        )
        params["fts"] = search.to_match_query(query.text)
    return (" AND ".join(parts) or "1"), params


def raw_page_sql(query: CaseQuery, me: int, few: bool = False) -> tuple[str, dict[str, Any]]:
    where, params = raw_where(query, me, walk=True, few_matches=few)
    direction = "DESC" if query.descending else "ASC"
    order = ", ".join(f"{key} {direction}" for key in [*_RAW_ORDER[query.sort], "c.id"])
    sql = (
        "SELECT c.id, c.number, c.title, c.status, c.level_scale, c.level, c.level_rank, "  # noqa: S608 - constants
        "c.priority, a.display_name, a.username, c.site, c.setting, c.opened_at, "
        "c.next_review_on FROM case_file AS c LEFT OUTER JOIN account AS a ON a.id = c.owner_id "
        f"WHERE {where} ORDER BY {order} LIMIT {PAGE_SIZE}"
    )
    return sql, params


def raw_count_sql(query: CaseQuery, me: int, few: bool = False) -> tuple[str, dict[str, Any]]:
    where, params = raw_where(query, me, few_matches=few)
    return f"SELECT count(*) FROM case_file AS c WHERE {where}", params  # noqa: S608 - constants


# ---- driving the page ----------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout_s
    qapp = QApplication.instance()
    assert qapp is not None
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the case list did not answer in time")
        tasks.task_pool().waitForDone(1)
        qapp.processEvents()


@dataclass
class Figure:
    name: str
    model_ms: float
    page_ms: float
    count_ms: float | None
    raw_page_ms: float
    raw_count_ms: float | None
    rows: int
    total: int | None

    @property
    def page_ratio(self) -> float:
        return self.page_ms / self.raw_page_ms if self.raw_page_ms else float("inf")

    @property
    def count_ratio(self) -> float | None:
        if self.count_ms is None or not self.raw_count_ms:
            return None
        return self.count_ms / self.raw_count_ms


class Bench:
    def __init__(self, app: Btam, page: CasesPage, runs: int, stat: str = "median") -> None:
        self.stat: Callable[[list[float]], float] = min if stat == "min" else statistics.median
        self.app = app
        self.page = page
        self.model = page.model()
        self.runs = runs
        self.me = app.actor.account_id or 0
        self.figures: list[Figure] = []

    def reset(self) -> None:
        """Back to the default list (open cases, newest first), fully loaded and counted."""
        page = self.page
        page.clear_filters()
        page.table().sortByColumn(Column.OPENED, Qt.SortOrder.DescendingOrder)
        wait_until(lambda: not self.model.is_loading() and self.model.total() is not None)

    def measure(self, name: str, action: Callable[[], None], *, count: bool = True) -> Figure:
        models: list[float] = []
        pages: list[float] = []
        counts: list[float] = []
        loaded_at: list[float] = []
        counted_at: list[float] = []

        def note_loaded() -> None:
            loaded_at.append(time.perf_counter())

        def note_counted() -> None:
            if self.model.total() is not None:
                counted_at.append(time.perf_counter())

        self.model.query_loaded.connect(note_loaded)
        self.model.total_changed.connect(note_counted)
        qapp = QApplication.instance()
        assert qapp is not None
        for _ in range(self.runs):
            self.reset()
            self.model._count_cache.clear()  # every run counts from scratch
            start = time.perf_counter()
            action()
            wait_until(lambda: not self.model.is_first_page_pending())
            models.append((loaded_at[-1] - start) * 1000)
            qapp.processEvents()  # the repaint the new rows asked for, if not done yet
            pages.append((time.perf_counter() - start) * 1000)
            wait_until(lambda: self.model.total() is not None)
            counts.append((counted_at[-1] - start) * 1000)
        query = self.model.query()
        few = False
        if query.text:
            entries = self.app.vault.execute_raw(
                "SELECT count(*) FROM search_index WHERE search_index MATCH :fts",
                {"fts": search.to_match_query(query.text)},
            )[0][0]
            few = entries <= FEW_SEARCH_MATCHES
        raw_page = self.raw(*raw_page_sql(query, self.me, few))
        raw_count = self.raw(*raw_count_sql(query, self.me, few)) if count else None
        figure = Figure(
            name=name,
            model_ms=self.stat(models),
            page_ms=self.stat(pages),
            count_ms=self.stat(counts) if count else None,
            raw_page_ms=raw_page,
            raw_count_ms=raw_count,
            rows=self.model.rowCount(),
            total=self.model.total(),
        )
        self.model.query_loaded.disconnect(note_loaded)
        self.model.total_changed.disconnect(note_counted)
        self.figures.append(figure)
        print(f"  measured {name}", file=sys.stderr)
        return figure

    def raw(self, sql: str, params: dict[str, Any]) -> float:
        times = []
        for _ in range(self.runs):
            start = time.perf_counter()
            self.app.vault.execute_raw(sql, params)
            times.append((time.perf_counter() - start) * 1000)
        return self.stat(times)


# ---- the run -------------------------------------------------------------------------------


def build(folder: Path, cheap: bool) -> None:
    print(f"building a {CASES:,}-case demo vault in {folder} …", file=sys.stderr)
    start = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int, _message: str = "") -> None:
        if time.perf_counter() - last[0] > 5 or done >= total:
            last[0] = time.perf_counter()
            print(f"  {done:,} / {total:,} cases", file=sys.stderr)

    app = create_demo_vault(
        folder, cases=CASES, kdf_params=CHEAP if cheap else None, progress=progress
    )
    app.lock()
    print(f"built in {time.perf_counter() - start:.0f} s", file=sys.stderr)


def unlock_to_window(folder: Path) -> tuple[Btam, QWidget, CasesPage, dict[str, float]]:
    """Unlock, build the main window (or the Cases page alone), wait for the first page."""
    start = time.perf_counter()
    app = unlock(folder, DEMO_COORDINATOR, DEMO_PASSWORD)
    unlocked = time.perf_counter()
    window: QWidget
    page: CasesPage | None
    try:
        from btam_desktop.ui.main_window import MainWindow

        window = MainWindow(app, folder)
        window.show_page("cases")
        page = getattr(window, "cases_page", None)
        kind = "main window"
    except Exception as error:  # the window is another engineer's work in progress
        print(
            f"  MainWindow not usable ({type(error).__name__}); Cases page alone", file=sys.stderr
        )
        window = page = None  # type: ignore[assignment]
    if page is None:
        page = CasesPage(app)
        window = page
        kind = "Cases page"
    window.resize(1280, 800)
    window.show()
    built = time.perf_counter()
    model = page.model()
    wait_until(lambda: not model.is_first_page_pending())
    window.repaint()
    shown = time.perf_counter()
    timings = {
        "unlock": (unlocked - start) * 1000,
        f"{kind} built": (built - unlocked) * 1000,
        "first page shown": (shown - built) * 1000,
        f"unlock to usable {kind}": (shown - start) * 1000,
    }
    return app, window, page, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--folder", type=Path, default=Path(tempfile.gettempdir()) / "btam-bench-100k"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse the vault in --folder")
    parser.add_argument("--cheap-kdf", action="store_true", help="build with cheap Argon2id")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--stat", choices=["median", "min"], default="median", help="figure reported per runs"
    )
    args = parser.parse_args()
    folder: Path = args.folder.expanduser().resolve()

    if args.reuse and is_vault(folder):
        print(f"reusing {folder}", file=sys.stderr)
    elif folder.exists() and any(folder.iterdir()):
        sys.exit(f"{folder} exists: pass --reuse to use it, or remove it to build a new one")
    else:
        build(folder, args.cheap_kdf)

    qapp = QApplication([])
    qInstallMessageHandler(lambda *_a: None)  # offscreen plugin chatter
    settings_dir = tempfile.mkdtemp(prefix="btam-bench-settings-")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, settings_dir)
    apply_theme(qapp, Qt.ColorScheme.Light)

    app, window, page, startup = unlock_to_window(folder)
    bench = Bench(app, page, args.runs, args.stat)
    bench.reset()
    morgan = next(m for m in app.team.members() if m.username == "morgan")

    bench.measure("first page (open cases)", lambda: page.model().refresh())
    for column in Column:
        for order, arrow in (
            (Qt.SortOrder.AscendingOrder, "asc"),
            (Qt.SortOrder.DescendingOrder, "desc"),
        ):
            if column == Column.OPENED and order == Qt.SortOrder.DescendingOrder:
                continue  # the default: nothing to do

            def sort(column: Column = column, order: Qt.SortOrder = order) -> None:
                page.table().sortByColumn(column, order)

            bench.measure(f"sort {COLUMNS[column].header.lower()} {arrow}", sort, count=False)

    def pick(combo_name: str, data: object) -> Callable[[], None]:
        def action() -> None:
            combo = getattr(page, combo_name)()
            combo.setCurrentIndex(combo.findData(data))

        return action

    filters: list[tuple[str, Callable[[], None]]] = [
        ("filter status = management", lambda: page.status_filter().set_selected({"management"})),
        ("filter level = high", lambda: page.level_filter().set_selected({"high"})),
        ("filter owner = morgan", pick("owner_filter", morgan.id)),
        ("filter site = Cedar Middle", pick("site_filter", "Cedar Middle")),
        ("filter setting = workplace", pick("setting_filter", CaseSetting.WORKPLACE.value)),
        ("filter my cases", lambda: page.mine_box().setChecked(True)),
        ("filter overdue", lambda: page.overdue_box().setChecked(True)),
        ("all cases (open only off)", lambda: page.open_only_box().setChecked(False)),
    ]
    for name, action in filters:
        bench.measure(name, action)

    def search_for(word: str) -> Callable[[], None]:
        def action() -> None:
            page.search_box().setText(word)
            page.search_box().returnPressed.emit()  # skip the typing pause

        return action

    bench.measure('search rare word "zephyrine"', search_for("zephyrine"))
    bench.measure('search common word "locker"', search_for("locker"))

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report(startup, bench.figures, peak_mb, folder, f"{args.stat} of {args.runs} runs")
    window.close()
    tasks.wait_for_idle(10_000)
    app.lock()


def report(
    startup: dict[str, float], figures: list[Figure], peak_mb: float, folder: Path, stat: str
) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nCase list benchmark: {folder}; {os.cpu_count()} CPUs, load average {load}; {stat}\n")
    for name, ms in startup.items():
        print(f"  {name:<34} {ms:8.0f} ms")
    print()
    head = (
        f"{'interaction':<34} {'rows in':>7} {'shown':>7} {'raw ms':>7} {'ratio':>6} "
        f"{'count ms':>9} {'raw ms':>7} {'ratio':>6} {'rows':>5} {'total':>8}  ok"
    )
    print(head)
    print("-" * len(head))
    failures = 0
    strict_ok = 0
    for f in figures:
        fast = f.page_ms < TARGET_MS and (f.count_ms is None or f.count_ms < TARGET_MS)
        strict = f.page_ratio <= TARGET_RATIO and (f.count_ratio or 0) <= TARGET_RATIO
        near = f.page_ms - f.raw_page_ms <= FIXED_MS and (
            f.count_ms is None
            or f.raw_count_ms is None
            or (f.count_ratio or 0) <= TARGET_RATIO
            or f.count_ms - f.raw_count_ms <= FIXED_MS
        )
        ok = fast and (strict or near)
        strict_ok += fast and strict
        failures += not ok
        count = f"{f.count_ms:9.1f}" if f.count_ms is not None else f"{'-':>9}"
        raw_count = f"{f.raw_count_ms:7.1f}" if f.raw_count_ms is not None else f"{'-':>7}"
        ratio = f"{f.count_ratio:6.2f}" if f.count_ratio is not None else f"{'-':>6}"
        total = f"{f.total:,}" if f.total is not None else "-"
        print(
            f"{f.name:<34} {f.model_ms:7.1f} {f.page_ms:7.1f} {f.raw_page_ms:7.1f} "
            f"{f.page_ratio:6.2f} "
            f"{count} {raw_count} {ratio} {f.rows:>5} {total:>8}  "
            f"{'yes' if ok else 'NO'}{'' if not ok or strict else ' (near)'}"
        )
    print()
    print(f"peak memory (ru_maxrss): {peak_mb:.0f} MB (target < {TARGET_RSS_MB:.0f} MB)")
    worst = max(figures, key=lambda f: max(f.page_ms, f.count_ms or 0))
    print(
        f"slowest interaction: {worst.name}, {max(worst.page_ms, worst.count_ms or 0):.1f} ms; "
        f"{failures} of {len(figures)} miss a target (< {TARGET_MS:.0f} ms, and <= "
        f"{TARGET_RATIO:.0f}x raw or within {FIXED_MS:.0f} ms of it); {strict_ok} meet "
        f"the strict 2x on their own ('near': within {FIXED_MS:.0f} ms of a raw query too fast "
        "for 2x to be possible)"
    )


if __name__ == "__main__":
    main()
