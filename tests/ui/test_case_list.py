"""The Cases page and its table model, on a demo vault with a few hundred synthetic cases."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QByteArray, QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import CaseSetting, CaseStatus, Role
from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.cases import CaseQuery, CaseSort
from btam_desktop.services.demo import create_demo_vault
from btam_desktop.ui import tasks
from btam_desktop.ui.models import case_table
from btam_desktop.ui.models.case_table import (
    CASE_ID_ROLE,
    COLUMNS,
    OVERDUE_ROLE,
    PAGE_SIZE,
    CaseTableModel,
    Column,
)
from btam_desktop.ui.pages.cases import HEADER_STATE_KEY, CasesPage, layout_settings
from btam_desktop.ui.widgets.level import LEVEL_COLOR_ROLE
from tests.ui.conftest import CHEAP, DEMO_COORDINATOR, DEMO_PASSWORD, DEMO_VIEWER

# The offscreen platform cannot size, raise or grab for native windows and says so.
pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)"
)

CASES = 450


@pytest.fixture(scope="session")
def _list_vault_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("case-list-template") / "vault"
    app = create_demo_vault(folder, cases=CASES, kdf_params=CHEAP)
    app.lock()
    return folder


@pytest.fixture
def list_vault(_list_vault_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "vault"
    shutil.copytree(_list_vault_template, folder)
    return folder


@pytest.fixture
def app(list_vault: Path) -> Iterator[Btam]:
    opened = unlock(list_vault, DEMO_COORDINATOR, DEMO_PASSWORD)
    yield opened
    if opened.vault.is_open:
        opened.vault.lock()


def settle() -> None:
    """Let every background query finish and its result reach the model."""
    assert tasks.wait_for_idle(10_000)
    QApplication.processEvents()
    assert tasks.wait_for_idle(10_000)


def model_ids(model: CaseTableModel) -> list[int]:
    return [model.index(r, 0).data(CASE_ID_ROLE) for r in range(model.rowCount())]


def service_ids(app: Btam, query: CaseQuery, limit: int = 1_000_000) -> list[int]:
    return [row.id for row in app.cases.find(query, 0, limit)]


def column_texts(model: CaseTableModel, column: Column) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


@pytest.fixture
def page(app: Btam, qtbot: QtBot) -> CasesPage:
    widget = CasesPage(app)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    settle()
    return widget


# ---- the model ---------------------------------------------------------------------------


def test_model_passes_the_model_tester_while_pages_load_and_sort(
    app: Btam, qtmodeltester: Any, qtbot: QtBot
) -> None:
    model = CaseTableModel(app, page_size=100)
    model.set_filters(CaseQuery())
    settle()
    # The whole list's shape is there at once; only the first page's content is loaded.
    assert model.rowCount() == CASES
    assert model.total() == CASES
    assert model.all_loaded()
    assert model.loaded_pages() == [0]
    qtmodeltester.check(model)  # stays attached: the checks below run under its eye
    assert model.index(CASES - 1, Column.TITLE).data() is None  # asks for the last page
    settle()
    assert model.row_loaded(CASES - 1)
    assert 0 in model.loaded_pages() and (CASES - 1) // 100 in model.loaded_pages()
    model.sort(Column.TITLE, Qt.SortOrder.AscendingOrder)
    settle()
    assert model.rowCount() == CASES
    model.set_filters(CaseQuery(text="librarian"))
    settle()
    assert model.rowCount() == 1
    qtmodeltester.check(model)


def test_rows_anywhere_in_the_list_match_the_service_in_every_sort(app: Btam) -> None:
    """Rows loaded far from the top (the middle, the very end) are the service's rows there."""
    model = CaseTableModel(app, page_size=50)
    for sort in CaseSort:
        for descending in (False, True):
            for query in (CaseQuery(), CaseQuery(open_only=True), CaseQuery(text="locker")):
                query.sort, query.descending = sort, descending
                model.set_query(query)
                settle()
                expected = app.cases.find(query, 0, 1_000_000)
                assert model_ids(model) == [row.id for row in expected]
                total = len(expected)
                for row in (total // 2, total - 1):
                    model.index(row, Column.NUMBER).data()  # the view asks for it
                settle()
                for row in (total // 2, total - 1):
                    assert model.index(row, Column.NUMBER).data() == expected[row].number
                    assert model.index(row, Column.TITLE).data() == expected[row].title
                loaded = model.loaded_pages()
                assert set(loaded) <= {0, (total // 2) // 50, (total - 1) // 50}


def test_far_pages_are_forgotten_beyond_the_memory_cap(
    app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_table, "MAX_PAGES", 3)
    model = CaseTableModel(app, page_size=20)
    model.set_filters(CaseQuery())
    settle()
    for row in range(0, CASES, 20):
        model.index(row, Column.TITLE).data()
        settle()
    assert len(model.loaded_pages()) == 3
    assert model.loaded_pages() == [CASES // 20 - 2, CASES // 20 - 1, CASES // 20]


def test_model_cells_show_the_case_row(app: Btam) -> None:
    model = CaseTableModel(app)
    model.set_filters(CaseQuery(open_only=True, levels={"high"}))
    settle()
    assert model.rowCount() > 0
    row = app.cases.find(model.query(), 0, 1)[0]
    scale = app.scale(row.level_scale)
    assert model.index(0, Column.NUMBER).data() == row.number
    assert model.index(0, Column.TITLE).data() == row.title
    assert model.index(0, Column.STATUS).data() == row.status.label
    level = model.index(0, Column.LEVEL)
    assert level.data() == scale.level("high").label
    assert level.data(LEVEL_COLOR_ROLE) == scale.level("high").color
    assert level.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(0, Column.PRIORITY).data() == row.priority.label
    assert model.index(0, Column.OWNER).data() == row.owner
    assert model.index(0, Column.SITE).data() == row.site
    opened = row.opened_at.astimezone().date()
    assert model.index(0, Column.OPENED).data() == f"{opened.day} {opened:%b %Y}"
    for column in Column:
        assert model.index(0, column).data(CASE_ID_ROLE) == row.id
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in Column] == [
        COLUMNS[c].header for c in Column
    ]


def test_overdue_review_is_flagged_with_a_tooltip(app: Btam) -> None:
    model = CaseTableModel(app)
    model.set_filters(CaseQuery(overdue=True))
    settle()
    assert model.rowCount() > 0
    for r in range(model.rowCount()):
        cell = model.index(r, Column.NEXT_DUE)
        since = cell.data(OVERDUE_ROLE)
        assert isinstance(since, date) and since < date.today()
        assert cell.data(Qt.ItemDataRole.ToolTipRole) == (
            f"Review overdue since {since.day} {since:%b %Y}"
        )
        assert cell.data(Qt.ItemDataRole.ForegroundRole) is not None
    model.set_filters(CaseQuery(open_only=True, sort=CaseSort.NEXT_DUE))
    settle()
    not_overdue = [
        r
        for r in range(model.rowCount())
        if model.index(r, Column.NEXT_DUE).data(OVERDUE_ROLE) is None
    ]
    assert not_overdue
    cell = model.index(not_overdue[0], Column.NEXT_DUE)
    assert cell.data(Qt.ItemDataRole.ForegroundRole) is None


def test_a_late_answer_to_an_old_query_is_dropped(
    app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    release_old = threading.Event()
    real_find = app.cases.list_page

    def find(query: CaseQuery, offset: int = 0, limit: int = 200) -> Any:
        if query.text == "locker":  # the old query: answers only after the new one
            release_old.wait(10)
        return real_find(query, offset, limit)

    monkeypatch.setattr(app.cases, "list_page", find)
    # Without cancellation the old task's answer is delivered: the generation check must drop it.
    monkeypatch.setattr(tasks.BackgroundTask, "cancel", lambda self: None)
    model = CaseTableModel(app)
    model.set_filters(CaseQuery(text="locker"))
    old_generation = model.generation
    model.set_filters(CaseQuery(text="librarian"))
    assert model.generation == old_generation + 1
    while model.is_first_page_pending():
        QApplication.processEvents()
        tasks.task_pool().waitForDone(10)
    assert model.rowCount() == 1
    wanted = model_ids(model)
    release_old.set()
    settle()
    assert model_ids(model) == wanted
    assert model.total() == 1


# ---- the page ----------------------------------------------------------------------------


def test_first_page_loads_in_the_background_and_count_shows(
    app: Btam, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    real_find = app.cases.list_page
    calling_threads: list[bool] = []

    def find(query: CaseQuery, offset: int = 0, limit: int = 200) -> Any:
        calling_threads.append(threading.current_thread() is threading.main_thread())
        gate.wait(10)
        return real_find(query, offset, limit)

    monkeypatch.setattr(app.cases, "list_page", find)
    page = CasesPage(app)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: bool(calling_threads))
    assert page.empty_state().message() == "Loading cases…"
    assert page.model().is_loading()
    gate.set()
    qtbot.waitUntil(lambda: page.model().rowCount() > 0)
    settle()
    assert calling_threads and not any(calling_threads)  # never on the GUI thread
    total = app.cases.count(CaseQuery(open_only=True))
    assert page.count_label().text() == f"{total:,} cases"
    assert page.empty_state().message() == ""
    assert model_ids(page.model()) == service_ids(app, CaseQuery(open_only=True))


def test_ctrl_end_loads_only_the_last_rows(page: CasesPage, app: Btam, qtbot: QtBot) -> None:
    model, table = page.model(), page.table()
    page.apply_filter_preset("open")
    page.open_only_box().setChecked(False)  # all 450 cases: three pages
    settle()
    assert model.rowCount() == CASES
    assert page.count_label().text() == f"{CASES} cases"
    assert model.loaded_pages() == [0]
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: model.row_loaded(CASES - 1))
    settle()
    assert model.loaded_pages() == [0, (CASES - 1) // PAGE_SIZE]  # nothing in between
    assert table.currentIndex().row() == CASES - 1
    last = model.index(CASES - 1, Column.NUMBER).data()
    assert last == app.cases.find(model.query(), CASES - 1, 1)[0].number
    assert len(set(model_ids(model))) == CASES


@pytest.mark.parametrize("column", list(Column))
def test_clicking_a_header_sorts_by_the_service(
    page: CasesPage, app: Btam, qtbot: QtBot, column: Column
) -> None:
    header = page.table().horizontalHeader()
    model = page.model()
    seen: list[tuple[CaseSort, bool]] = []
    for _click in range(2):
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(
            header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
        )
        settle()
        query = model.query()
        assert query.sort is COLUMNS[column].sort
        seen.append((query.sort, query.descending))
        assert model_ids(model) == service_ids(app, query)
    assert {descending for _sort, descending in seen} == {True, False}


def _check_filter(
    page: CasesPage,
    app: Btam,
    change: Callable[[], None],
    holds: Callable[[int], bool],
) -> None:
    model = page.model()
    before = model.total()
    assert before is not None
    change()
    settle()
    query = page.current_query()
    total = app.cases.count(query)
    assert 0 < total < before
    assert model.total() == total
    assert page.count_label().text() == (f"{total:,} cases" if total != 1 else "1 case")
    assert model_ids(model) == service_ids(app, model.query())
    assert all(holds(r) for r in range(model.rowCount()))
    page.clear_filters()
    settle()
    assert model.total() == before


def test_each_filter_narrows_the_list(page: CasesPage, app: Btam) -> None:
    model = page.model()

    def text(r: int, column: Column) -> str:
        return str(model.index(r, column).data())

    status_action = next(
        a
        for a in page.status_filter().actions_for_choices()
        if a.data() == CaseStatus.MANAGEMENT.value
    )
    _check_filter(
        page,
        app,
        status_action.trigger,
        lambda r: text(r, Column.STATUS) == CaseStatus.MANAGEMENT.label,
    )
    high = app.scale("scale.four-level").level("high").label
    level_action = next(a for a in page.level_filter().actions_for_choices() if a.data() == "high")
    _check_filter(page, app, level_action.trigger, lambda r: text(r, Column.LEVEL) == high)
    morgan = next(m for m in app.team.members() if m.username == "morgan")
    _check_filter(
        page,
        app,
        lambda: page.owner_filter().setCurrentIndex(page.owner_filter().findData(morgan.id)),
        lambda r: text(r, Column.OWNER) == morgan.display_name,
    )
    _check_filter(
        page,
        app,
        lambda: page.site_filter().setCurrentIndex(page.site_filter().findText("Cedar Middle")),
        lambda r: text(r, Column.SITE) == "Cedar Middle",
    )
    workplace = set(
        service_ids(app, CaseQuery(open_only=True, setting=CaseSetting.WORKPLACE), 1000)
    )
    _check_filter(
        page,
        app,
        lambda: page.setting_filter().setCurrentIndex(
            page.setting_filter().findData(CaseSetting.WORKPLACE.value)
        ),
        lambda r: model.case_id(r) in workplace,
    )
    _check_filter(
        page,
        app,
        page.mine_box().click,
        lambda r: text(r, Column.OWNER) == "Dana Demo (coordinator)",
    )
    _check_filter(
        page,
        app,
        page.overdue_box().click,
        lambda r: model.index(r, Column.NEXT_DUE).data(OVERDUE_ROLE) is not None,
    )


def test_closed_cases_show_when_open_only_is_off(page: CasesPage, app: Btam) -> None:
    model = page.model()
    assert not any(
        text in (CaseStatus.CLOSED.label, CaseStatus.CLOSED_NO_THREAT.label)
        for text in column_texts(model, Column.STATUS)
    )
    closed_action = next(
        a for a in page.status_filter().actions_for_choices() if a.data() == CaseStatus.CLOSED.value
    )
    closed_action.trigger()  # ticking a closed status turns "Open cases only" off
    settle()
    assert not page.open_only_box().isChecked()
    assert set(column_texts(model, Column.STATUS)) == {CaseStatus.CLOSED.label}
    assert model.total() == app.cases.count(CaseQuery(statuses={CaseStatus.CLOSED}))


def test_typing_a_search_waits_for_a_pause_then_shows_only_matches(
    page: CasesPage, app: Btam, qtbot: QtBot
) -> None:
    model, search = page.model(), page.search_box()
    generation = model.generation
    qtbot.keyClicks(search, "librarian")
    assert model.generation == generation  # no query per keystroke
    qtbot.waitUntil(lambda: model.generation == generation + 1, timeout=2000)
    settle()
    expected = service_ids(app, CaseQuery(open_only=True, text="librarian"))
    assert len(expected) == 1
    assert model_ids(model) == expected
    assert page.count_label().text() == "1 case"

    qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert search.text() == ""
    settle()
    assert model.total() == app.cases.count(CaseQuery(open_only=True))

    search.setFocus()
    qtbot.keyClicks(search, "locker")
    qtbot.keyClick(search, Qt.Key.Key_Return)  # Enter searches without waiting
    settle()
    expected = service_ids(app, CaseQuery(open_only=True, text="locker"))
    assert len(expected) > 1
    assert model_ids(model) == expected


def test_the_list_shape_is_asked_once_per_query_not_per_keystroke(
    page: CasesPage, app: Btam, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    real_ids = app.cases.list_ids

    def list_ids(query: CaseQuery) -> list[int]:
        asked.append(query.text)
        return real_ids(query)

    monkeypatch.setattr(app.cases, "list_ids", list_ids)
    model = page.model()
    qtbot.keyClicks(page.search_box(), "synthetic")
    qtbot.waitUntil(lambda: bool(asked), timeout=2000)
    settle()
    assert asked == ["synthetic"]  # one query after the pause, none per keystroke
    assert model.total() == app.cases.count(CaseQuery(open_only=True, text="synthetic"))
    assert page.count_label().text() == f"{model.total():,} cases"

    page.table().sortByColumn(Column.TITLE, Qt.SortOrder.AscendingOrder)
    settle()
    assert asked == ["synthetic", "synthetic"]  # a new order is a new shape
    assert model_ids(model) == service_ids(app, model.query())

    page.refresh()
    settle()
    assert asked == ["synthetic", "synthetic", "synthetic"]


def test_no_matches_shows_an_empty_state_that_clears_filters(page: CasesPage, qtbot: QtBot) -> None:
    qtbot.keyClicks(page.search_box(), "nosuchwordanywhere")
    qtbot.waitUntil(lambda: page.empty_state().message() != "", timeout=2000)
    settle()
    empty = page.empty_state()
    assert empty.message() == "No cases match these filters."
    assert page.count_label().text() == "No cases"
    qtbot.mouseClick(empty.button(), Qt.MouseButton.LeftButton)
    settle()
    assert page.search_box().text() == ""
    assert page.model().rowCount() > 0
    assert empty.message() == ""


def test_double_click_and_enter_open_the_case(page: CasesPage, qtbot: QtBot) -> None:
    table, model = page.table(), page.model()
    opened: list[int] = []
    page.open_case_requested.connect(opened.append)
    rect = table.visualRect(model.index(2, Column.TITLE))
    with qtbot.waitSignal(page.open_case_requested) as blocker:
        # A real double-click: press and release, then the double-click event.
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [model.case_id(2)]
    assert opened == [model.case_id(2)]  # once, not once per signal Qt emits

    table.setFocus()
    table.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    with qtbot.waitSignal(page.open_case_requested) as blocker:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert blocker.args == [model.case_id(3)]


def test_ctrl_f_focuses_the_search_and_down_moves_into_the_table(
    page: CasesPage, qtbot: QtBot
) -> None:
    page.activateWindow()
    page.table().setFocus()
    qtbot.waitUntil(lambda: page.table().hasFocus())
    qtbot.keyClick(page.table(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.search_box().hasFocus())
    page.focus_search()
    assert page.search_box().hasFocus()
    qtbot.keyClick(page.search_box(), Qt.Key.Key_Down)
    assert page.table().hasFocus()
    assert page.table().currentIndex().row() == 0


def test_header_layout_is_saved_and_restored(app: Btam, qtbot: QtBot) -> None:
    first = CasesPage(app)
    qtbot.addWidget(first)
    first.show()
    settle()
    header = first.table().horizontalHeader()
    header.resizeSection(Column.SITE, 211)
    header.moveSection(header.visualIndex(Column.OWNER), 1)
    first.table().sortByColumn(Column.PRIORITY, Qt.SortOrder.AscendingOrder)
    settle()
    first.hide()  # saves
    settings = layout_settings()
    assert settings.allKeys() == [HEADER_STATE_KEY]  # layout only: no filters, no search
    assert isinstance(settings.value(HEADER_STATE_KEY), QByteArray)
    assert settings.value(HEADER_STATE_KEY) == header.saveState()

    second = CasesPage(app)
    qtbot.addWidget(second)
    second.show()
    settle()
    restored = second.table().horizontalHeader()
    assert restored.sectionSize(Column.SITE) == 211
    assert restored.visualIndex(Column.OWNER) == 1
    assert restored.sortIndicatorSection() == Column.PRIORITY
    query = second.model().query()
    assert (query.sort, query.descending) == (CaseSort.PRIORITY, False)
    assert model_ids(second.model()) == service_ids(app, query)


def test_presets(page: CasesPage, app: Btam) -> None:
    page.search_box().setText("locker")
    page.apply_filter_preset("overdue")
    settle()
    assert page.search_box().text() == ""
    assert page.overdue_box().isChecked()
    assert page.model().total() == app.cases.count(CaseQuery(open_only=True, overdue=True))
    page.apply_filter_preset("mine")
    settle()
    assert page.mine_box().isChecked() and not page.overdue_box().isChecked()
    assert page.model().total() == app.cases.count(CaseQuery(open_only=True, mine=True))
    page.apply_filter_preset("open")
    settle()
    assert page.filters_are_default()
    assert page.model().total() == app.cases.count(CaseQuery(open_only=True))
    with pytest.raises(ValueError, match="unknown"):
        page.apply_filter_preset("everything")


def test_refresh_shows_a_new_case(page: CasesPage, app: Btam) -> None:
    before = page.model().total()
    assert before is not None
    from datetime import UTC, datetime

    from btam_desktop.domain.enums import ReportChannel
    from btam_desktop.services.cases import IntakeInput

    case = app.cases.report_concern(
        IntakeInput(
            received_at=datetime.now(UTC),
            channel=ReportChannel.EMAIL,
            narrative="A fictional report for the list test.",
            setting=CaseSetting.SCHOOL,
            title="Brand new case",
        )
    )
    page.refresh()
    settle()
    assert page.model().total() == before + 1
    assert page.model().case_id(0) == case.id  # newest first


def test_a_viewer_can_use_the_list(list_vault: Path, qtbot: QtBot) -> None:
    viewer = unlock(list_vault, DEMO_VIEWER, DEMO_PASSWORD)
    try:
        assert viewer.actor.role is Role.VIEWER
        page = CasesPage(viewer)
        qtbot.addWidget(page)
        page.show()
        settle()
        assert page.model().total() == viewer.cases.count(CaseQuery(open_only=True))
        qtbot.keyClicks(page.search_box(), "librarian")
        qtbot.keyClick(page.search_box(), Qt.Key.Key_Return)
        settle()
        assert page.model().rowCount() == 1
        page.table().setFocus()
        page.table().setCurrentIndex(page.model().index(0, 0))
        with qtbot.waitSignal(page.open_case_requested) as blocker:
            qtbot.keyClick(page.table(), Qt.Key.Key_Return)
        assert blocker.args == [page.model().case_id(0)]
        page.close()
        settle()
    finally:
        viewer.vault.lock()


# ---- issue 11: priority by rank, transient or substantive ------------------------------------


def test_priority_header_sorts_by_rank(page: CasesPage, qtbot: QtBot) -> None:
    header = page.table().horizontalHeader()
    model = page.model()
    column = Column.PRIORITY
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
    )
    settle()
    qtbot.waitUntil(model.all_loaded)
    column_texts(model, column)  # asks for every page; rows load in the background
    qtbot.waitUntil(lambda: all(model.row_loaded(r) for r in range(model.rowCount())))
    ranks = {"Low": 0, "Normal": 1, "High": 2, "Urgent": 3}
    seen = [ranks[t] for t in column_texts(model, column)]
    assert seen == sorted(seen, reverse=model.query().descending)
    first_seen = list(dict.fromkeys(column_texts(model, column)))
    expected = ["Urgent", "High", "Normal", "Low"]
    assert first_seen == (expected if model.query().descending else expected[::-1])


def test_threat_type_column_and_filter(page: CasesPage, app: Btam) -> None:
    threat = page.threat_filter()
    _check_filter(
        page,
        app,
        lambda: threat.setCurrentIndex(threat.findData("transient")),
        lambda r: page.model().index(r, Column.THREAT).data() == "Transient",
    )
    _check_filter(
        page,
        app,
        lambda: threat.setCurrentIndex(threat.findData("unset")),
        lambda r: page.model().index(r, Column.THREAT).data() == "",
    )
    assert COLUMNS[Column.THREAT].header == "Threat"
