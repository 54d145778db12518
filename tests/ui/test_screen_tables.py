"""The Assessments tab, the Team and Retention pages and the plan's version difference on the
record table: rows are the records, dates sort as dates, the selected row hands back the record
(issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import CaseStatus
from btam_desktop.domain.models import Assessment
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery
from btam_desktop.ui import tasks
from btam_desktop.ui.assessments_tab import COLUMNS, AssessmentsTab
from btam_desktop.ui.pages.retention import RetentionPage
from btam_desktop.ui.pages.team import TeamPage
from tests.ui.conftest import DEMO_VIEWER, make_closed_cases_due

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

TIMEOUT = 10_000

# Shown as "10 Jan 2026", "3 Feb 2026", "5 Dec 2025" (or "1/10/26", "2/3/26", "12/5/25"): in
# either format the text sorts in another order than the days.
DAYS = (datetime(2026, 1, 10, 9, 0), datetime(2026, 2, 3, 9, 0), datetime(2025, 12, 5, 9, 0))


def idle() -> None:
    assert tasks.wait_for_idle(15_000)


def open_case_id(app: Btam) -> int:
    rows = app.cases.find(CaseQuery(statuses={CaseStatus.ASSESSMENT}))
    assert rows
    return rows[0].id


def open_assessments(qtbot: QtBot, app: Btam, case_id: int) -> AssessmentsTab:
    tab = AssessmentsTab(app, case_id)
    qtbot.addWidget(tab)
    tab.resize(1000, 500)
    tab.show()
    qtbot.waitUntil(lambda: tab.data is not None, timeout=TIMEOUT)
    idle()
    return tab


def column_sorted(table: object, column: int, order: Qt.SortOrder) -> None:
    table.sortByColumn(column, order)  # type: ignore[attr-defined]


def test_assessments_sort_by_the_day_started_not_by_its_text(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = open_case_id(demo_app)
    tab = open_assessments(qtbot, demo_app, case_id)
    assert tab.data is not None
    made = [
        Assessment(
            id=9000 + n,
            case_id=case_id,
            form_id=f"form-{n}",
            form_version="1",
            form_hash="0" * 64,
            form_title=f"Form {n}",
            form_kind="screening",
            status="completed",
            created_at=day.replace(tzinfo=UTC),
            completed_at=day.replace(tzinfo=UTC),
        )
        for n, day in enumerate(DAYS)
    ]
    tab.data.assessments = made
    tab._loaded(tab.data)

    started = COLUMNS.index("Started")
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        column_sorted(tab.table, started, order)
        days = [a.created_at for a in tab.table.shown_rows()]
        assert days == sorted(days, reverse=order == Qt.SortOrder.DescendingOrder)
    texts = [row[started] for row in tab.row_texts()]
    assert texts != sorted(texts) and texts != sorted(texts, reverse=True)

    tab.table.selectRow(0)
    assert tab.selected_assessment() is tab.table.shown_rows()[0]


def test_double_click_opens_an_assessment_and_selection_enables_the_buttons(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case_id = open_case_id(demo_app)
    tab = open_assessments(qtbot, demo_app, case_id)
    draft = demo_app.assessments.start(case_id, tab.form_actions("screening")[0].data())
    assert draft.id is not None
    tab.refresh()
    qtbot.waitUntil(lambda: tab.select_id(draft.id or 0), timeout=TIMEOUT)
    tab.table.clearSelection()
    tab.table.setCurrentIndex(tab.table.proxy.index(-1, -1))
    assert not tab.open_button.isEnabled() and not tab.discard_button.isEnabled()

    assert tab.select_id(draft.id)
    chosen = tab.selected_assessment()
    assert isinstance(chosen, Assessment) and chosen.id == draft.id
    assert tab.open_button.isEnabled() and tab.discard_button.isEnabled()

    row = next(r for r in range(tab.table.row_count()) if tab.table.id_at(r) == draft.id)
    rect = tab.table.visualRect(tab.table.proxy.index(row, 0))
    # A real double-click: press and release, then the double-click event.
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: draft.id in tab.open_windows(), timeout=TIMEOUT)
    tab.close_windows()
    idle()


def test_team_training_sorts_by_day_and_hands_back_the_record(qtbot: QtBot, demo_app: Btam) -> None:
    account = next(a for a in demo_app.team.members() if a.username == DEMO_VIEWER)
    assert account.id is not None
    for n, day in enumerate(DAYS):
        demo_app.team.add_training(account.id, f"Course {n}", "Center", day.date())
    page = TeamPage(demo_app)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    idle()
    page.select_member(DEMO_VIEWER)
    idle()
    member = page.selected_account()
    assert member is not None and member.id == account.id and member.username == DEMO_VIEWER

    view = page.training_view
    assert view.row_count() == 3
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        column_sorted(view, 2, order)  # Completed
        days = [r.completed_on for r in view.shown_rows()]
        assert days == sorted(days, reverse=order == Qt.SortOrder.DescendingOrder)
    texts = [texts[2] for texts, _state in page.training_rows()]
    assert texts != sorted(texts) and texts != sorted(texts, reverse=True)
    view.selectRow(1)
    record = view.selected_row()
    assert record is not None and record.completed_on == view.shown_rows()[1].completed_on
    assert record.account_id == account.id

    # Expiry: a record without one shows a dash and sorts last both ways.
    column_sorted(view, 3, Qt.SortOrder.AscendingOrder)
    assert [t[3] for t, _s in page.training_rows()][-1] == "—"


def test_team_members_sort_by_role_rank_and_double_click_opens_change_role(
    qtbot: QtBot, demo_app: Btam
) -> None:
    page = TeamPage(demo_app)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    idle()
    view = page.members_view
    column_sorted(view, 2, Qt.SortOrder.AscendingOrder)
    ranks = [{"coordinator": 0, "member": 1, "viewer": 2}[a.role] for a in view.shown_rows()]
    assert all(a <= b for a, b in pairwise(ranks))

    page.select_member(DEMO_VIEWER)
    assert page.role_button.isEnabled()
    row = next(r for r in range(view.row_count()) if view.row_at(r).username == DEMO_VIEWER)
    rect = view.visualRect(view.proxy.index(row, 1))
    # A real double-click: press and release, then the double-click event.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = page.current_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_retention_rows_are_the_due_items_and_a_double_click_opens_the_case(
    qtbot: QtBot, demo_app: Btam
) -> None:
    make_closed_cases_due(demo_app)
    page = RetentionPage(demo_app)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    qtbot.waitUntil(lambda: page.table.row_count() > 0, timeout=TIMEOUT)
    due = [item.due_on for item in page.table.shown_rows()]
    assert due == sorted(due)  # the longest due first, by the day
    last = page.table.row_count() - 1
    page.table.selectRow(last)
    chosen = page.selected()
    assert chosen is page.table.shown_rows()[last]
    assert page.open_button.isEnabled() and page.destroy_button.isEnabled()

    rect = page.table.visualRect(page.table.proxy.index(last, 0))
    with qtbot.waitSignal(page.open_case_requested) as opened:
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [chosen.case_id]
