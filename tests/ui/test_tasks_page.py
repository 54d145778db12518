"""My tasks (overdue, today, this week; mine or the whole team's) and the tray reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from btam_desktop.services.app import Btam
from btam_desktop.services.plans import (
    InterventionInput,
    InterventionStatus,
    MonitoringInput,
    PlanInput,
    Recurrence,
    Strategy,
)
from btam_desktop.services.tasks import Bucket, TaskKind
from btam_desktop.ui import reminders, tasks
from btam_desktop.ui.pages.tasks import TasksPage
from btam_desktop.ui.reminders import ReminderNotifier, compose
from btam_desktop.ui.widgets.form_dialog import error_color
from tests.ui.conftest import DEMO_MEMBER

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

TODAY = date.today()


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def planned_case(app: Btam) -> tuple[int, str]:
    """An approved plan with items overdue, due today and due this week."""
    from tests.ui.test_plan_editor import managed_case

    row = app.cases.get(managed_case(app))  # a fresh case: the demo's own plans add tasks
    morgan = next(m.id for m in app.team.members() if m.username == DEMO_MEMBER)
    me = app.actor.account_id
    plan = app.plans.save(
        row.id,
        PlanInput(
            goals="Keep the target safe.",
            next_reassessment_on=day(30),
            interventions=[
                InterventionInput("Parent meeting", Strategy.SUBJECT, me, due_on=day(-2)),
                InterventionInput(
                    "Daily check-in with the counselor",
                    Strategy.SUBJECT,
                    morgan,
                    start_on=day(-3),
                    recurrence=Recurrence.WEEKLY,
                ),
                InterventionInput("Schedule change", Strategy.ENVIRONMENT, None, due_on=TODAY),
                InterventionInput(
                    "Separation in classes", Strategy.TARGET, morgan, review_on=day(3)
                ),
                InterventionInput(
                    "Old idea",
                    due_on=day(-5),
                    status=InterventionStatus.DROPPED,
                    dropped_reason="Not needed.",
                ),
            ],
        ),
    )
    app.plans.approve(plan.id)
    return row.id, row.number


def make_page(qtbot: QtBot, app: Btam) -> TasksPage:
    page = TasksPage(app)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    assert tasks.wait_for_idle(10_000)
    assert page.data is not None, page.error_banner.text()
    return page


def titles(page: TasksPage, bucket: Bucket) -> list[str]:
    """What each task is: a plan item by its own name ("Security escort", not "Check-in")."""
    return [row[1] for row in page.task_rows(bucket)]


def test_tasks_are_grouped_overdue_today_and_this_week(qtbot: QtBot, demo_app: Btam) -> None:
    case_id, number = planned_case(demo_app)
    page = make_page(qtbot, demo_app)

    # Mine (the coordinator's own items and the unassigned ones) by default.
    assert "Parent meeting" in titles(page, Bucket.OVERDUE)
    assert "Schedule change" in titles(page, Bucket.TODAY)
    for bucket in Bucket:
        assert "Daily check-in with the counselor" not in titles(page, bucket)  # Morgan's
        assert "Old idea" not in titles(page, bucket)  # dropped
    overdue = next(r for r in page.task_rows(Bucket.OVERDUE) if r[1] == "Parent meeting")
    assert overdue[0].endswith("(2 days late)")
    assert overdue[1:4] == ["Parent meeting", number, TaskKind.INTERVENTION_DUE.label]
    assert overdue[4] == "Dana Demo (coordinator)"
    today_row = next(r for r in page.task_rows(Bucket.TODAY) if r[1] == "Schedule change")
    assert today_row[4] == "Team"

    # Counts in the group titles and the summary match what is listed.
    for bucket in (Bucket.OVERDUE, Bucket.TODAY, Bucket.THIS_WEEK):
        assert page.group_title(bucket).endswith(f"({len(page.task_rows(bucket))})")
    assert page.summary.text().startswith(
        f"{len(page.task_rows(Bucket.OVERDUE))} overdue, {len(page.task_rows(Bucket.TODAY))} "
        "due today"
    )

    # Overdue rows are drawn in the danger colour.
    group = next(
        page.model.index(r, 0)
        for r in range(page.model.rowCount())
        if page.model.index(r, 0).data().startswith("Overdue")
    )
    first = page.model.itemFromIndex(page.model.index(0, 0, group))
    assert first.foreground().color().name() == error_color()

    # The whole team: Morgan's check-in (missed three days ago) and the review in 3 days.
    with qtbot.waitSignal(page.loaded, timeout=5000):
        qtbot.keyClick(page.whole_team, Qt.Key.Key_Space)
    assert "Daily check-in with the counselor" in titles(page, Bucket.OVERDUE)
    assert "Daily check-in with the counselor" in titles(page, Bucket.THIS_WEEK)  # next one
    assert "Separation in classes" in titles(page, Bucket.THIS_WEEK)
    review = next(r for r in page.task_rows(Bucket.THIS_WEEK) if r[1] == "Separation in classes")
    assert review[3] == TaskKind.INTERVENTION_REVIEW.label
    assert review[4] == "Morgan Member (counselor)"
    assert "for the whole team" in page.summary.text()
    assert case_id in {t.case_id for t in page.data.tasks}


def test_a_logged_check_in_leaves_the_list(qtbot: QtBot, demo_app: Btam) -> None:
    case_id, _number = planned_case(demo_app)
    page = make_page(qtbot, demo_app)
    page.whole_team.setChecked(True)
    assert tasks.wait_for_idle(10_000)
    assert "Daily check-in with the counselor" in titles(page, Bucket.OVERDUE)
    key = next(t.intervention_key for t in page.data.tasks if t.title.startswith("Daily check-in"))
    demo_app.plans.log_monitoring(
        case_id, MonitoringInput(TODAY, "Met; calm.", intervention_key=key)
    )
    page.refresh()
    assert tasks.wait_for_idle(10_000)
    assert "Daily check-in with the counselor" not in titles(page, Bucket.OVERDUE)


def test_double_click_or_enter_opens_the_case(qtbot: QtBot, demo_app: Btam) -> None:
    case_id, _number = planned_case(demo_app)
    page = make_page(qtbot, demo_app)
    group = page.model.index(0, 0)
    assert group.data().startswith("Overdue")
    row = next(
        r
        for r in range(page.model.rowCount(group))
        if page.model.index(r, 1, group).data() == "Parent meeting"
    )
    task_index = page.model.index(row, 1, group)
    page.tree.scrollTo(task_index)
    rect = page.tree.visualRect(task_index)
    with qtbot.waitSignal(page.open_case_requested) as opened:
        qtbot.mouseClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [case_id]

    page.tree.setFocus()
    page.tree.setCurrentIndex(task_index)
    with qtbot.waitActive(page):
        page.activateWindow()
    with qtbot.waitSignal(page.open_case_requested) as opened:
        qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    assert opened.args == [case_id]


def test_nothing_due_says_so(qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_app.tasks, "tasks", lambda *_a, **_k: [])
    page = make_page(qtbot, demo_app)
    shown = [page.model.index(r, 0).data() for r in range(page.model.rowCount())]
    assert shown == ["Overdue (0)", "Today (0)", "This week (0)"]
    notes = [
        page.model.index(0, 0, page.model.index(r, 0)).data() for r in range(page.model.rowCount())
    ]
    assert notes == [
        "Nothing is overdue.",
        "Nothing is due today.",
        "Nothing else is due in the next seven days.",
    ]
    assert page.summary.text().startswith("0 overdue, 0 due today, 0 more this week")


# ---- reminders -----------------------------------------------------------------------------------


def people_names(app: Btam, case_id: int) -> list[str]:
    names = [m.display_name for m in app.team.members(include_inactive=True)]
    names += [m.username for m in app.team.members(include_inactive=True)]
    names += [p.full_name for p in app.records.people(case_id) if p.full_name]
    return [n for n in names if n]


def test_reminders_name_no_one_and_come_once_a_day(qtbot: QtBot, demo_app: Btam) -> None:
    case_id, number = planned_case(demo_app)
    holder = make_page(qtbot, demo_app)
    notifier = ReminderNotifier(demo_app, holder)
    if not QSystemTrayIcon.isSystemTrayAvailable():
        assert not notifier.available and "no system tray" in notifier.unavailable_reason
        assert not notifier.is_running()
    found = demo_app.tasks.tasks(TODAY, horizon_days=0)
    texts = notifier.remind(found, TODAY)
    assert texts, "the plan has overdue items and one due today"
    assert f"Case {number}: plan item due is overdue." in texts
    assert f"Case {number}: plan item due is due today." in texts
    plan_words = ["Parent meeting", "Schedule change", "Daily check-in", "Keep the target safe"]
    forbidden = [*people_names(demo_app, case_id), *plan_words]
    for text in texts:
        for word in forbidden:
            assert word.lower() not in text.lower(), (word, text)
    title, body = compose(texts)
    assert all(word.lower() not in (title + body).lower() for word in forbidden)

    assert notifier.remind(found, TODAY) == []  # once per task per day
    later = demo_app.tasks.tasks(TODAY + timedelta(days=1), horizon_days=0)
    again = notifier.remind(later, TODAY + timedelta(days=1))
    assert f"Case {number}: plan item due is overdue." in again  # a new day, still overdue

    with qtbot.waitSignal(notifier.open_case_requested) as opened:
        notifier._message_clicked()
    assert isinstance(opened.args[0], int)


def test_the_check_runs_in_the_background_where_there_is_a_tray(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id, number = planned_case(demo_app)
    holder = make_page(qtbot, demo_app)
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        reminders.QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True)
    )
    monkeypatch.setattr(
        reminders.QSystemTrayIcon,
        "showMessage",
        lambda _self, title, body, *_a: shown.append((title, body)),
    )
    monkeypatch.setattr(reminders.QSystemTrayIcon, "show", lambda _self: None)
    notifier = ReminderNotifier(demo_app, holder)
    assert notifier.available and notifier.is_running()
    with qtbot.waitSignal(notifier.checked, timeout=5000) as checked:
        notifier.check_now()
    assert checked.args[0] and shown
    _title, body = shown[-1]
    assert f"Case {number}" in body
    assert all(name.lower() not in body.lower() for name in people_names(demo_app, case_id))
    with qtbot.waitSignal(notifier.checked, timeout=5000) as checked:
        notifier.check_now()
    assert checked.args[0] == [] and len(shown) == 1  # nothing new within the same day
    notifier.stop()
    assert not notifier.is_running()
