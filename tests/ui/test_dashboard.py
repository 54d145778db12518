"""The dashboard: numbers that match the services, lists that open cases, tiles that filter."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import CaseSetting, CaseStatus, ReportChannel
from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.cases import CaseQuery, CaseSort, IntakeInput
from btam_desktop.ui import tasks
from btam_desktop.ui.pages.dashboard import (
    NOT_SET_LABEL,
    OPEN_STATUSES,
    DashboardPage,
    load_dashboard,
)
from tests.ui.conftest import DEMO_PASSWORD, DEMO_VIEWER

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")


def make_page(qtbot: QtBot, app: Btam) -> DashboardPage:
    page = DashboardPage(app)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    assert tasks.wait_for_idle(10_000)
    assert page.data is not None, page.error_banner.text()
    return page


def test_numbers_match_the_services(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_page(qtbot, demo_app)
    cases = demo_app.cases

    open_count = cases.count(CaseQuery(open_only=True))
    overdue = cases.count(CaseQuery(overdue=True))
    mine = cases.count(CaseQuery(open_only=True, mine=True))
    assert open_count > 0 and overdue > 0 and mine > 0  # the demo vault has all three
    assert page.open_tile.value_text() == str(open_count)
    # Overdue counts every overdue task (reviews, plan items, check-ins), not only reviews.
    today = page.data.today
    overdue_tasks = [t for t in demo_app.tasks.tasks(today, horizon_days=0) if t.due_on < today]
    assert page.overdue_tile.value_text() == str(len(overdue_tasks))
    assert len(overdue_tasks) >= overdue
    assert page.mine_tile.value_text() == str(mine)
    assert page.overdue_tile.is_alert()

    # Reviews due in the next 7 days and reports of the last 7 days, counted the slow way.
    everything = cases.find(CaseQuery(), 0, 10_000)
    today = page.data.today if page.data else None
    assert today is not None
    due = [
        r
        for r in everything
        if r.next_due is not None
        and not r.status.is_closed
        and today <= r.next_due <= today + timedelta(days=6)
    ]
    week_ago = datetime.now().astimezone() - timedelta(days=7)
    assert page.due_tile.value_text() == str(len(due))
    assert page.recent_tile.value_text() == str(
        sum(1 for r in everything if r.opened_at >= week_ago)
    )

    by_status = cases.counts_by_status()
    assert page.status_chart.values() == [
        (status.label, by_status.get(status, 0)) for status in OPEN_STATUSES
    ]
    by_level = cases.counts_by_level(open_only=True)
    scale = demo_app.scale(demo_app.settings().default_scale)
    expected = [
        (level.label, by_level[level.code], level.color)
        for level in scale.levels
        if level.code in by_level
    ]
    bars = page.level_chart.bars()
    assert [(b.label, b.value, b.color) for b in bars[:-1]] == expected
    assert (bars[-1].label, bars[-1].value) == (NOT_SET_LABEL, by_level.get("", 0))
    assert sum(b.value for b in bars) == open_count

    assert page.overdue_list.row_count() == overdue
    overdue_ids = [r.id for r in cases.find(CaseQuery(overdue=True), 0, 50)]
    assert page.overdue_list.case_id_at(0) in overdue_ids
    newest = cases.find(CaseQuery(sort=CaseSort.OPENED, descending=True), 0, 10)
    assert [page.recent_list.case_id_at(i) for i in range(page.recent_list.row_count())] == [
        r.id for r in newest
    ]
    assert page.my_list.row_count() == mine
    assert page.my_card.title() == "My open cases"


def test_clicking_an_overdue_row_asks_to_open_that_case(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_page(qtbot, demo_app)
    overdue = demo_app.cases.find(CaseQuery(overdue=True), 0, 1)[0]
    tree = page.overdue_list.tree
    assert page.overdue_list.row_texts(0)[0] == overdue.number
    rect = tree.visualItemRect(tree.topLevelItem(0))
    with qtbot.waitSignal(page.open_case_requested, timeout=2000) as blocker:
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [overdue.id]


def test_enter_on_a_work_list_row_opens_it(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_page(qtbot, demo_app)
    tree = page.my_list.tree
    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(1))
    with qtbot.waitSignal(page.open_case_requested, timeout=2000) as blocker:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert blocker.args == [page.my_list.case_id_at(1)]


def test_tiles_and_links_ask_for_case_list_presets(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_page(qtbot, demo_app)
    for tile, preset in (
        (page.open_tile, "open"),
        (page.overdue_tile, "tasks"),
        (page.mine_tile, "mine"),
    ):
        with qtbot.waitSignal(page.show_cases_requested, timeout=2000) as blocker:
            qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
        assert blocker.args == [preset]
    # Keyboard: a tile takes focus and Space opens it.
    page.overdue_tile.setFocus()
    with qtbot.waitSignal(page.show_cases_requested, timeout=2000) as blocker:
        qtbot.keyClick(page.overdue_tile, Qt.Key.Key_Space)
    assert blocker.args == ["tasks"]
    with qtbot.waitSignal(page.show_cases_requested, timeout=2000) as blocker:
        qtbot.mouseClick(page.my_more, Qt.MouseButton.LeftButton)
    assert blocker.args == ["mine"]
    # Tiles without a matching list do not pretend to be buttons.
    with qtbot.assertNotEmitted(page.show_cases_requested):
        qtbot.mouseClick(page.recent_tile, Qt.MouseButton.LeftButton)


def test_f5_reloads_the_numbers(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_page(qtbot, demo_app)
    before = int(page.open_tile.value_text())
    recent_before = int(page.recent_tile.value_text())
    demo_app.cases.report_concern(
        IntakeInput(
            received_at=datetime.now().astimezone() - timedelta(hours=1),
            channel=ReportChannel.PHONE,
            narrative="A parent called about messages their child received.",
            setting=CaseSetting.SCHOOL,
            title="Messages reported by a parent",
        )
    )
    page.activateWindow()
    page.refresh_button.setFocus()
    QApplication.processEvents()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        qtbot.keyClick(page.refresh_button, Qt.Key.Key_F5)
    assert int(page.open_tile.value_text()) == before + 1
    assert int(page.recent_tile.value_text()) == recent_before + 1
    reported = dict(page.status_chart.values())[CaseStatus.REPORTED.label]
    assert reported == demo_app.cases.counts_by_status()[CaseStatus.REPORTED]


def test_refresh_while_loading_reloads_once_more(qtbot: QtBot, demo_app: Btam) -> None:
    page = make_page(qtbot, demo_app)
    loads: list[int] = []
    page.loaded.connect(lambda: loads.append(1))
    page.refresh()
    assert page.is_loading() and not page.refresh_button.isEnabled()
    page.refresh()
    page.refresh()
    assert tasks.wait_for_idle(10_000)
    assert len(loads) == 2  # the running load, then one more for the requests made meanwhile
    assert page.refresh_button.isEnabled()


def test_loading_reads_pages_not_the_whole_vault(demo_app: Btam) -> None:
    """On a big vault the dashboard only counts and reads short pages of the case list."""
    calls: list[tuple[int, int]] = []
    find = demo_app.cases.find

    def spy(query: CaseQuery, offset: int = 0, limit: int = 200):  # type: ignore[no-untyped-def]
        calls.append((offset, limit))
        return find(query, offset, limit)

    demo_app.cases.find = spy  # type: ignore[method-assign]
    data = load_dashboard(demo_app)
    assert data.open_cases == demo_app.cases.count(CaseQuery(open_only=True))
    assert calls and all(limit <= 500 for _offset, limit in calls)
    assert len(calls) <= 4


def test_a_viewer_sees_the_dashboard_too(qtbot: QtBot, demo_app: Btam, demo_vault) -> None:  # type: ignore[no-untyped-def]
    demo_app.lock()
    viewer = unlock(demo_vault, DEMO_VIEWER, DEMO_PASSWORD)
    try:
        page = make_page(qtbot, viewer)
        assert page.open_tile.value_text() == str(viewer.cases.count(CaseQuery(open_only=True)))
        assert page.my_list.row_count() == 0
        assert page.my_list.empty.isVisible()
        assert not page.my_more.isVisible()
    finally:
        viewer.lock()


def test_my_tasks_tile_counts_this_weeks_tasks_and_opens_my_tasks(qtbot, demo_app) -> None:
    from datetime import date, timedelta

    from btam_desktop.ui.pages.dashboard import load_dashboard

    today = date.today()
    expected = sum(
        1
        for task in demo_app.tasks.tasks(today, for_account=demo_app.actor.account_id)
        if task.due_on <= today + timedelta(days=7)
    )
    assert expected > 0  # the demo has overdue and upcoming reviews
    assert load_dashboard(demo_app, today).my_tasks == expected
    page = DashboardPage(demo_app)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.is_loading(), timeout=10_000)
    assert page.tasks_tile.value_text() == str(expected)
    with qtbot.waitSignal(page.show_cases_requested) as shown:
        qtbot.mouseClick(page.tasks_tile, Qt.MouseButton.LeftButton)
    assert shown.args == ["tasks"]


def test_overdue_counts_plan_items_too(qtbot: QtBot, demo_app: Btam) -> None:
    from datetime import date, timedelta

    from btam_desktop.services.plans import InterventionInput, PlanInput

    row = next(r for r in demo_app.cases.find(CaseQuery(open_only=True)) if r.next_due is None)
    first = make_page(qtbot, demo_app)
    before = first.overdue_tile.value_text()
    late = InterventionInput("Security escort", due_on=date.today() - timedelta(days=2))
    plan = demo_app.plans.save(row.id, PlanInput(interventions=[late]))
    demo_app.plans.approve(plan.id or 0)
    after = make_page(qtbot, demo_app)
    assert demo_app.cases.get(row.id).next_review_on is None  # not an overdue review
    assert int(after.overdue_tile.value_text()) == int(before) + 1
