"""The case screens' record table: rows are objects, sorted by value, the record one call away."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import PathwayStage, TimelineCategory
from btam_desktop.domain.formatting import use_date_style
from btam_desktop.domain.models import TimelineEntry
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery
from btam_desktop.services.records import TimelineInput
from btam_desktop.ui.case_workspace import CaseWorkspace
from btam_desktop.ui.widgets.record_table import RIGHT, Column, RecordTable

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")
WEAPON_POST = "Social media post showing a weapon"


@dataclass
class Entry:
    id: int
    on: date | None
    at: datetime | None
    size: int | None
    name: str


ENTRIES = [
    Entry(1, date(2026, 2, 10), datetime(2026, 2, 10, 9, 0, tzinfo=UTC), 900, "beta"),
    Entry(2, date(2025, 12, 31), datetime(2026, 11, 2, 8, 0, tzinfo=UTC), 10_000, "Alpha"),
    Entry(3, None, None, None, "gamma"),
    Entry(4, date(2026, 1, 9), datetime(2026, 1, 9, 23, 0, tzinfo=UTC), 25, "delta"),
]


@pytest.fixture(autouse=True)
def _team_format_back_to_default() -> Iterator[None]:
    yield
    use_date_style("")


@pytest.fixture
def table(qtbot: QtBot) -> RecordTable[Entry]:
    use_date_style("month_day_year")  # "Feb 10, 2026": its text sorts differently from its day
    view: RecordTable[Entry] = RecordTable(
        [
            Column("Day", lambda e: e.on, width=120),
            Column("When", lambda e: e.at),
            Column("Size", lambda e: e.size, lambda v: f"{v:,} bytes" if v else "", align=RIGHT),
            Column("Name", lambda e: e.name, tooltip=lambda e: f"Entry {e.id}"),
        ],
        "Entries",
        "Nothing yet.",
    )
    qtbot.addWidget(view)
    view.set_rows(ENTRIES)
    view.show()
    return view


def ids(table: RecordTable[Entry]) -> list[int]:
    return [e.id for e in table.shown_rows()]


def test_dates_sort_as_dates_not_as_their_text(table: RecordTable[Entry]) -> None:
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert ids(table) == [2, 4, 1, 3]  # 31 Dec 2025, 9 Jan, 10 Feb; no date last
    shown = [table.proxy.index(r, 0).data() for r in range(table.row_count())]
    assert shown == ["Dec 31, 2025", "Jan 9, 2026", "Feb 10, 2026", ""]
    assert sorted(shown[:3]) != shown[:3]  # sorting the text would have been wrong
    table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert ids(table) == [1, 4, 2, 3]  # the empty one stays last going down too


def test_times_and_numbers_sort_by_value(table: RecordTable[Entry]) -> None:
    table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert ids(table) == [2, 1, 4, 3]
    table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert ids(table) == [4, 1, 2, 3]  # 25 < 900 < 10,000 although "10,000" < "25" as text
    assert table.proxy.index(2, 2).data() == "10,000 bytes"
    align = table.proxy.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole)
    assert align == int(RIGHT)


def test_text_sorts_without_regard_to_case(table: RecordTable[Entry]) -> None:
    table.sortByColumn(3, Qt.SortOrder.AscendingOrder)
    assert [e.name for e in table.shown_rows()] == ["Alpha", "beta", "delta", "gamma"]
    assert table.proxy.index(0, 3).data(Qt.ItemDataRole.ToolTipRole) == "Entry 2"


def test_the_selected_row_is_the_record_object(qtbot: QtBot, table: RecordTable[Entry]) -> None:
    table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert table.selected_row() is None and table.selected_id() is None
    table.selectRow(1)
    assert table.selected_row() is ENTRIES[0]
    assert table.selected_id() == 1
    # a refresh keeps the selection on the same record wherever it lands
    table.set_rows(list(reversed(ENTRIES)))
    assert table.selected_row() is ENTRIES[0]
    with qtbot.waitSignal(table.activated_row) as activated:
        table.doubleClicked.emit(table.proxy.index(0, 1))
    assert activated.args == [ENTRIES[3]]


def test_a_filter_works_on_the_records(table: RecordTable[Entry]) -> None:
    table.proxy.set_row_filter(lambda e: e.size is not None and e.size > 100)
    assert sorted(ids(table)) == [1, 2]
    table.proxy.set_row_filter(None)
    assert table.row_count() == 4


def test_long_text_is_shortened_in_the_cell_and_whole_in_the_tooltip(qtbot: QtBot) -> None:
    long = "word " * 200 + "\nsecond line"
    view: RecordTable[Entry] = RecordTable([Column("Name", lambda e: e.name)], "Long")
    qtbot.addWidget(view)
    view.set_rows([Entry(9, None, None, None, long)])
    shown = view.proxy.index(0, 0).data()
    assert shown.endswith("…") and len(shown) == 401 and "\n" not in shown
    assert view.proxy.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == long[:1500]


def test_the_timeline_tab_sorts_by_day_and_by_pathway_order(qtbot: QtBot, demo_app: Btam) -> None:
    use_date_style("month_day_year")
    row = next(r for r in demo_app.cases.find(CaseQuery(), 0, 100) if r.title == WEAPON_POST)
    for when, stage in (
        (datetime(2025, 12, 30, 10, 0, tzinfo=UTC), PathwayStage.PREPARATION),
        (datetime(2026, 2, 1, 10, 0, tzinfo=UTC), None),
        (datetime(2026, 1, 15, 10, 0, tzinfo=UTC), PathwayStage.VIOLENT_IDEATION),
    ):
        demo_app.records.add_timeline_entry(
            row.id,
            TimelineInput(
                when, TimelineCategory.COMMUNICATION, f"Entry on {when:%d %B}", pathway_stage=stage
            ),
        )
    workspace = CaseWorkspace(demo_app, row.id)
    qtbot.addWidget(workspace)
    workspace.show()
    qtbot.waitUntil(lambda: workspace.data is not None and not workspace.is_loading())
    table = workspace.timeline.table
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    days = [e.occurred_at for e in table.shown_rows()]
    assert days == sorted(days) and len(days) == 4
    assert table.proxy.index(0, 0).data().startswith("Dec 30, 2025")
    table.sortByColumn(3, Qt.SortOrder.AscendingOrder)
    stages = [e.pathway_stage for e in table.shown_rows()]
    order = [s.value for s in PathwayStage]
    known = [s for s in stages if s]
    assert known == sorted(known, key=order.index)  # the pathway's order, not A to Z
    assert known == ["grievance", "violent_ideation", "preparation"]
    assert stages[-1] is None  # "—" (no stage) last
    table.selectRow(0)
    selected = table.selected_row()
    assert isinstance(selected, TimelineEntry) and selected.pathway_stage == known[0]
