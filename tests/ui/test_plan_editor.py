"""The management plan tab: inline editing by keyboard, reordering, undo, the catalog, saving
versions, approval by role, differences, drafts that survive closing, and the monitoring log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import CaseStatus
from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.plans import (
    InterventionInput,
    InterventionStatus,
    PlanInput,
    PlanStatus,
    Recurrence,
    Strategy,
)
from btam_desktop.ui import tasks
from btam_desktop.ui.plan import PlanTab
from btam_desktop.ui.plan.catalog_dialog import REF_ROLE
from btam_desktop.ui.plan.delegates import DateField
from btam_desktop.ui.plan.intervention_model import Column, InterventionRow
from btam_desktop.ui.plan.plan_tab import PLAN_DRAFT
from tests.ui.changes import announced
from tests.ui.conftest import DEMO_MEMBER, DEMO_PASSWORD, DEMO_VIEWER

# The offscreen platform cannot do these (popups grab the keyboard); real platforms can.
pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)"
)


# ---- helpers -------------------------------------------------------------------------------------


def managed_case(app: Btam) -> int:
    """A case in management with no plan yet (the demo's managed cases already have one)."""
    from datetime import timedelta

    from btam_desktop.domain.enums import CaseSetting, ReportChannel
    from btam_desktop.domain.types import utcnow
    from btam_desktop.domain.workflow import MoveRequest, WorkflowAction
    from btam_desktop.services.cases import IntakeInput

    case = app.cases.report_concern(
        IntakeInput(
            received_at=utcnow() - timedelta(hours=2),
            channel=ReportChannel.PHONE,
            narrative="Statement about bringing a weapon; needs a plan (fictional).",
            setting=CaseSetting.SCHOOL,
        )
    )
    assert case.id is not None
    for step in (
        MoveRequest(WorkflowAction.START_SCREENING),
        MoveRequest(WorkflowAction.SCREEN_TO_ASSESSMENT, "substantive", screeners=("demo",)),
        MoveRequest(WorkflowAction.START_MANAGEMENT),
    ):
        app.cases.move(case.id, step)
    assert app.cases.get(case.id).status == CaseStatus.MANAGEMENT
    return case.id


def open_tab(qtbot: QtBot, app: Btam, case_id: int, *, track: bool = True) -> PlanTab:
    tab = PlanTab(app, case_id)
    if track:
        qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    with qtbot.waitActive(tab):
        tab.activateWindow()
    assert tasks.wait_for_idle(10_000)
    assert tab.state is not None, tab.error_banner.text()
    return tab


def idle() -> None:
    assert tasks.wait_for_idle(10_000)


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """Make the window active again (offscreen, closing a dialog leaves none active)."""
    with qtbot.waitActive(widget):
        widget.activateWindow()


def editor(tab: PlanTab) -> QWidget:
    """The open cell editor: the widget that has (or will have, once the window is active)
    the keyboard focus in the tab."""
    widget = tab.focusWidget()
    assert widget is not None and widget is not tab.table, "no cell editor is open"
    return widget


def start_editing(qtbot: QtBot, tab: PlanTab, row: int, column: Column) -> QWidget:
    """Select a cell and press F2, as a person would."""
    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.model.index(row, column))
    qtbot.keyClick(tab.table, Qt.Key.Key_F2)
    return editor(tab)


def commit(qtbot: QtBot, tab: PlanTab, widget: QWidget | None = None) -> None:
    """Press Enter in the open cell editor; the table commits on the next turn of the loop."""
    qtbot.keyClick(widget or editor(tab), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.table.state() != QAbstractItemView.State.EditingState)


def titles(tab: PlanTab) -> list[str]:
    return [r.title for r in tab.model.rows()]


def member_id(app: Btam, username: str) -> int:
    return next(m.id for m in app.team.members() if m.username == username)


def saved_plan(app: Btam, case_id: int, *, approve: bool = False) -> int:
    today = date.today()
    plan = app.plans.save(
        case_id,
        PlanInput(
            goals="Reduce the grievance.",
            supervision="Weekly check-ins.",
            safety_plan="Target knows whom to tell.",
            next_reassessment_on=today + timedelta(days=21),
            interventions=[
                InterventionInput(
                    "Weekly check-in",
                    Strategy.SUBJECT,
                    member_id(app, DEMO_MEMBER),
                    start_on=today,
                    recurrence=Recurrence.WEEKLY,
                ),
                InterventionInput("Parent meeting", due_on=today + timedelta(days=3)),
                InterventionInput("Separate lunch period", Strategy.TARGET),
            ],
        ),
    )
    if approve:
        app.plans.approve(plan.id)
    return plan.id


@pytest.fixture
def say_yes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Answer Yes to every confirmation; the list collects the questions asked."""
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    yield asked


def as_user(demo_vault: Path, username: str) -> Btam:
    return unlock(demo_vault, username, DEMO_PASSWORD)


# ---- editing -------------------------------------------------------------------------------------


def test_a_plan_written_by_keyboard_is_saved_as_version_one(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    tab = open_tab(qtbot, demo_app, case_id)
    assert "No plan yet" in tab.status_label.text()
    assert not tab.has_unsaved_changes()
    assert not tab.save_button.isEnabled()

    qtbot.keyClicks(tab.goals, "Keep the target safe.")
    assert tab.has_unsaved_changes() and tab.save_button.isEnabled()

    # Add opens the description of the new row for typing.
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    field = editor(tab)
    assert isinstance(field, QLineEdit)
    qtbot.keyClicks(field, "Weekly check-in with the counselor")
    commit(qtbot, tab, field)
    assert titles(tab) == ["Weekly check-in with the counselor"]

    # Typing on a cell starts editing it: "M" picks Morgan from the members.
    tab.table.setCurrentIndex(tab.model.index(0, Column.RESPONSIBLE))
    qtbot.keyClick(tab.table, Qt.Key.Key_M)
    combo = editor(tab)
    assert isinstance(combo, QComboBox)
    commit(qtbot, tab, combo)
    assert tab.model.row_at(0).responsible_id == member_id(demo_app, DEMO_MEMBER)

    # F2 on "Repeats", one step down, Enter: weekly.
    combo = start_editing(qtbot, tab, 0, Column.RECURRENCE)
    assert isinstance(combo, QComboBox)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    commit(qtbot, tab, combo)
    assert tab.model.row_at(0).recurrence == Recurrence.WEEKLY

    # Dates: an empty date starts from today with the first arrow key.
    field = start_editing(qtbot, tab, 0, Column.START)
    assert isinstance(field, DateField) and field.is_empty()
    assert field.text() == "no date"
    qtbot.keyClick(field, Qt.Key.Key_Up)
    commit(qtbot, tab, field)
    assert tab.model.row_at(0).start_on == date.today()

    # Insert adds a row below the current one and opens it for typing.
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Insert)
    qtbot.keyClicks(editor(tab), "Parent meeting")
    commit(qtbot, tab)
    assert titles(tab) == ["Weekly check-in with the counselor", "Parent meeting"]

    qtbot.keyClick(tab.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    idle()
    versions = demo_app.plans.versions(case_id)
    assert [(p.version, p.status) for p in versions] == [(1, PlanStatus.DRAFT)]
    items = demo_app.plans.interventions(versions[0].id)
    assert [(i.title, i.recurrence, i.start_on) for i in items] == [
        ("Weekly check-in with the counselor", "weekly", date.today()),
        ("Parent meeting", "none", None),
    ]
    assert versions[0].goals == "Keep the target safe."
    assert tab.status_label.text().startswith("Version 1 — draft by Dana Demo")
    assert not tab.has_unsaved_changes()
    assert demo_app.drafts.load(PLAN_DRAFT, str(case_id)) is None


def test_dates_from_the_calendar_and_cleared_again(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id)
    field = start_editing(qtbot, tab, 1, Column.DUE)
    assert isinstance(field, DateField)
    # Open the calendar with the keyboard, move three days on, choose with Enter.
    start = field.value()
    assert start == date.today() + timedelta(days=3)
    qtbot.keyClick(field, Qt.Key.Key_F4)
    calendar = field.calendarWidget()
    qtbot.waitUntil(calendar.isVisible)
    view = calendar.findChild(QTableView, "qt_calendar_calendarview")
    assert view is not None
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not calendar.isVisible())
    assert field.value() == start + timedelta(days=3)
    commit(qtbot, tab, field)
    assert tab.model.row_at(1).due_on == date.today() + timedelta(days=6)

    # Delete empties a date.
    activate(qtbot, tab)  # offscreen, the closed calendar leaves no active window
    field = start_editing(qtbot, tab, 1, Column.DUE)
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    commit(qtbot, tab, field)
    assert tab.model.row_at(1).due_on is None
    assert tab.model.index(1, Column.DUE).data() == "—"


def test_reorder_by_keyboard_and_drag_with_undo_and_redo(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id)
    original = titles(tab)
    assert original == ["Weekly check-in", "Parent meeting", "Separate lunch period"]
    assert not tab.undo_action.isEnabled()

    tab.table.setFocus()
    tab.table.select_keys([tab.model.row_at(0).key])
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(tab.table, Qt.Key.Key_Down, ctrl)
    assert titles(tab) == ["Parent meeting", "Weekly check-in", "Separate lunch period"]
    qtbot.keyClick(tab.table, Qt.Key.Key_Down, ctrl)
    assert titles(tab) == ["Parent meeting", "Separate lunch period", "Weekly check-in"]
    assert tab.table.current_row() == 2  # the selection travels with the row
    qtbot.keyClick(tab.table, Qt.Key.Key_Up, ctrl)
    assert titles(tab) == ["Parent meeting", "Weekly check-in", "Separate lunch period"]

    # A drop of the last row onto the top of the table.
    model = tab.model
    data = model.mimeData([model.index(2, 0)])
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert titles(tab) == ["Separate lunch period", "Parent meeting", "Weekly check-in"]
    # Dropped onto a row further down, a row lands after it.
    data = model.mimeData([model.index(0, 0)])
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, model.index(1, 0))
    assert titles(tab) == ["Parent meeting", "Separate lunch period", "Weekly check-in"]
    assert tab.has_unsaved_changes()

    # Undo walks back through the drops and the three moves; redo goes forward again.
    for _ in range(5):
        qtbot.keyClick(tab.table, Qt.Key.Key_Z, ctrl)
    assert titles(tab) == original
    assert not tab.has_unsaved_changes()
    assert not tab.undo_action.isEnabled()
    shift_ctrl = ctrl | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, shift_ctrl)
    assert titles(tab) == ["Parent meeting", "Weekly check-in", "Separate lunch period"]


def test_cell_edits_add_and_remove_can_be_undone(
    qtbot: QtBot, demo_app: Btam, say_yes: list[str]
) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id)
    ctrl = Qt.KeyboardModifier.ControlModifier

    field = start_editing(qtbot, tab, 1, Column.TITLE)
    assert isinstance(field, QLineEdit)
    field.selectAll()
    qtbot.keyClicks(field, "Meeting with both parents")
    commit(qtbot, tab, field)
    assert titles(tab)[1] == "Meeting with both parents"

    tab.table.setFocus()
    tab.table.select_keys([tab.model.row_at(0).key])
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    assert say_yes and "“Weekly check-in”" in say_yes[-1]
    assert titles(tab) == ["Meeting with both parents", "Separate lunch period"]

    qtbot.keyClick(tab.table, Qt.Key.Key_Z, ctrl)  # the removal
    assert titles(tab) == ["Weekly check-in", "Meeting with both parents", "Separate lunch period"]
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, ctrl)  # the edit
    assert titles(tab)[1] == "Parent meeting"
    assert not tab.has_unsaved_changes()


def test_removing_asks_first(qtbot: QtBot, demo_app: Btam, monkeypatch) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id)
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *_a: QMessageBox.StandardButton.No)
    )
    tab.table.setFocus()
    tab.table.select_keys([tab.model.row_at(2).key])
    qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
    assert len(titles(tab)) == 3


def test_dropping_an_intervention_asks_why(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id)
    combo = start_editing(qtbot, tab, 1, Column.STATUS)
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData(InterventionStatus.DROPPED.value))
    commit(qtbot, tab, combo)
    dialog = tab.drop_dialog
    assert dialog is not None and dialog.isVisible()
    assert tab.model.row_at(1).status == InterventionStatus.PLANNED  # not yet

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.problem.text() == "Write why it is dropped."
    qtbot.keyClicks(dialog.text_edit, "Parents declined; counselor informed.")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    row = tab.model.row_at(1)
    assert (row.status, row.dropped_reason) == (
        InterventionStatus.DROPPED,
        "Parents declined; counselor informed.",
    )
    assert tab.model.index(1, Column.STATUS).data().startswith("Dropped: Parents declined")
    # One undo step restores both the status and the (empty) reason.
    activate(qtbot, tab)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    row = tab.model.row_at(1)
    assert (row.status, row.dropped_reason) == (InterventionStatus.PLANNED, "")


def test_add_from_the_catalog_for_the_case_setting(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    tab = open_tab(qtbot, demo_app, case_id)
    qtbot.mouseClick(tab.catalog_button, Qt.MouseButton.LeftButton)
    dialog = tab.catalog_dialog
    assert dialog is not None and dialog.isVisible()
    catalog = dialog.catalog()
    assert catalog is not None and catalog.id == "btam.catalog.school"
    assert not dialog.add_button.isEnabled()

    # Tick the first two entries with the space bar and one target entry by double-click.
    tree = dialog.tree
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Space)
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    qtbot.keyClick(tree, Qt.Key.Key_Space)
    target = next(
        item
        for item in dialog._items()
        if str(item.data(0, REF_ROLE)).endswith("#target_safety_plan")
    )
    tree.scrollToItem(target)
    rect = tree.visualItemRect(target)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(dialog.checked_items()) == 3
    assert dialog.add_button.text() == "&Add 3 interventions"
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    activate(qtbot, tab)

    rows = tab.model.rows()
    assert [(r.strategy, r.catalog_ref) for r in rows] == [
        (Strategy.SUBJECT, "btam.catalog.school#counseling"),
        (Strategy.SUBJECT, "btam.catalog.school#mental_health_referral"),
        (Strategy.TARGET, "btam.catalog.school#target_safety_plan"),
    ]
    assert rows[0].title.startswith("Counseling")
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert tab.model.rowCount() == 0  # one undo step for the whole pick


# ---- versions, approval, differences -------------------------------------------------------------


def test_approve_then_change_needs_a_note_and_compare_shows_it(
    qtbot: QtBot, demo_app: Btam, say_yes: list[str]
) -> None:
    case_id = managed_case(demo_app)
    first = saved_plan(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id)
    assert tab.approve_button.isEnabled()
    assert not tab.compare_button.isEnabled()

    # On its own (no workspace around it) the tab says it wrote; the workspace announces it.
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(tab.approve_button, Qt.MouseButton.LeftButton)
        idle()
    assert "Approve version 1" in say_yes[-1]
    assert demo_app.plans.get(first).status == PlanStatus.APPROVED
    assert demo_app.cases.get(case_id).next_review_on == date.today() + timedelta(days=21)
    assert "approved by Dana Demo" in tab.status_label.text()
    assert "plan in force" in tab.status_label.text()
    assert not tab.approve_button.isEnabled()
    assert tab.save_button.text() == "&Save as version 2…"

    tab.goals.selectAll()
    qtbot.keyClicks(tab.goals, "Reduce the grievance; rebuild peer connection.")
    combo = start_editing(qtbot, tab, 0, Column.RECURRENCE)
    combo_box = combo
    assert isinstance(combo_box, QComboBox)
    qtbot.keyClick(combo_box, Qt.Key.Key_Down)  # weekly -> twice a week
    commit(qtbot, tab, combo_box)
    qtbot.keyClick(tab.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    note = tab.note_dialog
    assert note is not None and note.isVisible()
    assert "What changes in this version?" in note.findChildren(type(tab.status_label))[0].text()
    qtbot.mouseClick(note.ok_button, Qt.MouseButton.LeftButton)
    assert note.isVisible() and note.problem.isVisible()
    qtbot.keyClicks(note.text_edit, "Check-ins every two weeks.")
    qtbot.mouseClick(note.ok_button, Qt.MouseButton.LeftButton)
    idle()
    versions = demo_app.plans.versions(case_id)
    assert [(p.version, p.status) for p in versions] == [
        (1, PlanStatus.APPROVED),
        (2, PlanStatus.PROPOSED),
    ]
    assert versions[1].change_note == "Check-ins every two weeks."
    assert tab.status_label.text().startswith("Version 2 — proposed by Dana Demo")
    assert "waiting for the coordinator" in tab.status_label.text()
    assert tab.note_label.text().endswith("Check-ins every two weeks.")

    qtbot.mouseClick(tab.compare_button, Qt.MouseButton.LeftButton)
    dialog = tab.diff_dialog
    assert dialog is not None
    idle()
    shown = {(c.what, c.before, c.after) for c in dialog.changes}
    assert ("Goals", "Reduce the grievance.", "Reduce the grievance; rebuild peer connection.") in (
        shown
    )
    assert ("“Weekly check-in”: recurrence", "Weekly", "Twice a week") in shown
    assert dialog.table.row_count() == len(dialog.changes)
    # The rows are the changes themselves, in the plan's order until a heading is clicked.
    assert dialog.table.shown_rows() == dialog.changes
    dialog.table.selectRow(0)
    assert dialog.selected_change() is dialog.changes[0]

    # The earlier version stays readable and cannot be changed.
    tab.version_box.setCurrentIndex(tab.version_box.findData(first))
    assert tab.old_banner.isVisible()
    assert tab.goals.isReadOnly() and not tab.model.is_editable()
    assert not tab.add_button.isEnabled()
    tab.show_latest()
    assert not tab.goals.isReadOnly()


def test_switching_versions_keeps_unsaved_edits(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    first = saved_plan(demo_app, case_id, approve=True)
    demo_app.plans.save(case_id, PlanInput(goals="Second version.", change_note="Shorter plan."))
    tab = open_tab(qtbot, demo_app, case_id)
    tab.goals.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(tab.goals, " More.")
    tab.version_box.setCurrentIndex(tab.version_box.findData(first))
    assert tab.goals.toPlainText() == "Reduce the grievance."
    assert tab.has_unsaved_changes()
    tab.show_latest()
    assert tab.goals.toPlainText() == "Second version. More."


def test_a_member_proposes_but_cannot_approve(qtbot: QtBot, demo_app: Btam, demo_vault) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id, approve=True)
    demo_app.lock()  # one running copy per vault: the member signs in instead
    member = as_user(demo_vault, DEMO_MEMBER)
    try:
        tab = open_tab(qtbot, member, case_id)
        assert not tab.approve_button.isEnabled()
        assert "coordinator" in tab.approve_button.toolTip()
        tab.safety_plan.moveCursor(QTextCursor.MoveOperation.End)
        qtbot.keyClicks(tab.safety_plan, " Escort to the bus.")
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
        note = tab.note_dialog
        assert note is not None
        qtbot.keyClicks(note.text_edit, "Escort added.")
        qtbot.mouseClick(note.ok_button, Qt.MouseButton.LeftButton)
        idle()
        latest = member.plans.latest(case_id)
        assert latest is not None and (latest.version, latest.status) == (2, "proposed")
        assert not tab.approve_button.isEnabled()  # still: members never approve
    finally:
        member.vault.lock()


def test_a_viewer_reads_and_cannot_edit(qtbot: QtBot, demo_app: Btam, demo_vault) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    demo_app.lock()
    viewer = as_user(demo_vault, DEMO_VIEWER)
    try:
        tab = open_tab(qtbot, viewer, case_id)
        assert titles(tab) == ["Weekly check-in", "Parent meeting", "Separate lunch period"]
        assert tab.goals.isReadOnly() and tab.safety_plan.isReadOnly()
        for button in (
            tab.save_button,
            tab.approve_button,
            tab.add_button,
            tab.catalog_button,
            tab.remove_button,
            tab.monitoring.log_button,
        ):
            assert not button.isEnabled(), button.text()
        assert "viewer" in tab.save_button.toolTip()
        tab.table.setCurrentIndex(tab.model.index(0, Column.TITLE))
        qtbot.keyClick(tab.table, Qt.Key.Key_F2)
        qtbot.keyClick(tab.table, Qt.Key.Key_X)
        assert tab.table.state() != QAbstractItemView.State.EditingState
        assert tab.model.setData(tab.model.index(0, Column.TITLE), "x") is False
        qtbot.keyClick(tab.table, Qt.Key.Key_Insert)
        assert tab.model.rowCount() == 3
        assert not tab.has_unsaved_changes()
    finally:
        viewer.vault.lock()


# ---- drafts --------------------------------------------------------------------------------------


def test_unsaved_edits_come_back_after_closing_the_tab(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id, track=False)
    tab.supervision.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(tab.supervision, " Lunch duty watches the cafeteria.")
    tab.model.add_rows(3, [InterventionRow.new(title="Mentoring", strategy=Strategy.SUBJECT)])
    # The draft is written a moment after the last change, without anyone asking.
    qtbot.waitUntil(
        lambda: demo_app.drafts.load(PLAN_DRAFT, str(case_id)) is not None, timeout=5000
    )
    tab.close()
    tab.deleteLater()
    qtbot.waitUntil(lambda: not any(isinstance(w, PlanTab) for w in QApplication.topLevelWidgets()))

    again = open_tab(qtbot, demo_app, case_id)
    assert again.draft_banner.isVisible()
    assert "Restored your unsaved changes" in again.draft_banner.text()
    assert again.supervision.toPlainText().endswith("Lunch duty watches the cafeteria.")
    assert titles(again)[-1] == "Mentoring"
    assert again.has_unsaved_changes()

    qtbot.mouseClick(again.draft_banner.action_button(), Qt.MouseButton.LeftButton)
    assert not again.has_unsaved_changes()
    assert titles(again) == ["Weekly check-in", "Parent meeting", "Separate lunch period"]
    assert demo_app.drafts.load(PLAN_DRAFT, str(case_id)) is None


def test_save_drafts_keeps_edits_before_a_lock(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    tab = open_tab(qtbot, demo_app, case_id)
    qtbot.keyClicks(tab.goals, "Start small.")
    tab.save_drafts()
    draft = demo_app.drafts.load(PLAN_DRAFT, str(case_id))
    assert draft is not None and draft["goals"] == "Start small."


def test_a_bad_row_is_pointed_out_and_nothing_is_lost(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    tab = open_tab(qtbot, demo_app, case_id)
    tab.model.add_rows(0, [InterventionRow.new(title="Check-in", recurrence=Recurrence.WEEKLY)])
    tab.model.add_rows(0, [InterventionRow.new(title="Counseling")])
    tab.save()
    idle()
    assert tab.error_banner.isVisible()
    assert "give the date of the first occurrence" in tab.error_banner.text()
    assert tab.table.current_row() == 1
    assert titles(tab) == ["Counseling", "Check-in"]
    assert demo_app.plans.versions(case_id) == []


# ---- monitoring ----------------------------------------------------------------------------------


def test_a_check_in_that_changes_the_concern_offers_a_reassessment(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id, approve=True)
    tab = open_tab(qtbot, demo_app, case_id)
    tab.sections.setCurrentIndex(1)
    qtbot.mouseClick(tab.monitoring.log_button, Qt.MouseButton.LeftButton)
    dialog = tab.monitoring.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.intervention.count() == 4  # "not about one" + the three open items
    dialog.intervention.setCurrentIndex(1)
    qtbot.keyClicks(dialog.observation, "Said 'you'll see' to the target in the hallway.")
    assert not dialog.reassess_box.isVisible()
    qtbot.keyClick(dialog.changes_concern, Qt.Key.Key_Space)
    assert dialog.reassess_box.isVisible() and dialog.start_reassessment.isChecked()

    with qtbot.waitSignal(tab.reassessment_requested) as asked:
        qtbot.mouseClick(dialog.save_button(), Qt.MouseButton.LeftButton)
        idle()
    assert asked.args == [case_id]
    entries = demo_app.plans.monitoring(case_id)
    assert len(entries) == 1 and entries[0].changes_concern and entries[0].reassessment_requested
    idle()
    table = tab.monitoring.table
    assert table.row_count() == 1
    assert table.proxy.index(0, 2).data() == "Weekly check-in"
    assert table.proxy.index(0, 4).data().startswith("Changes the concern")
    assert tab.sections.tabText(1) == "Monitoring (1)"


def test_an_ordinary_check_in_does_not_ask_for_a_reassessment(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    tab = open_tab(qtbot, demo_app, case_id)
    requested: list[int] = []
    tab.reassessment_requested.connect(requested.append)
    dialog = tab.monitoring.open_check_in()
    qtbot.mouseClick(dialog.save_button(), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.observation_error.message() == "Write what was observed."
    qtbot.keyClicks(dialog.observation, "Calm week.")
    qtbot.mouseClick(dialog.save_button(), Qt.MouseButton.LeftButton)
    idle()
    assert not dialog.isVisible()
    assert requested == []
    assert tab.monitoring.table.row_count() == 1


def test_a_check_in_being_typed_survives_a_lock(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    tab = open_tab(qtbot, demo_app, case_id)
    dialog = tab.monitoring.open_check_in()
    qtbot.keyClicks(dialog.observation, "Quiet in class; sat with a new group at lunch.")
    dialog.changes_concern.setChecked(True)
    # What the workspace does before the vault locks.
    tab.save_drafts()
    tab.close_dialogs()
    assert not dialog.isVisible()

    again = tab.monitoring.open_check_in()
    assert again is not dialog and again.restored_banner.isVisible()
    assert again.observation.toPlainText() == "Quiet in class; sat with a new group at lunch."
    assert again.changes_concern.isChecked()
    again.start_reassessment.setChecked(False)
    qtbot.mouseClick(again.save_button(), Qt.MouseButton.LeftButton)
    idle()
    assert demo_app.drafts.load("plan-check-in", str(case_id)) is None
    assert [e.changes_concern for e in demo_app.plans.monitoring(case_id)] == [True]


def test_the_case_workspace_carries_the_plan_tab(qtbot: QtBot, demo_app: Btam) -> None:
    from btam_desktop.ui.case_workspace import CaseWorkspace

    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    workspace = CaseWorkspace(demo_app, case_id)
    qtbot.addWidget(workspace)
    workspace.resize(1280, 800)
    workspace.show()
    idle()
    assert workspace.show_tab("plan")
    tab = workspace.tab("plan")
    assert isinstance(tab, PlanTab)
    idle()
    tab.goals.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(tab.goals, " And more.")
    assert workspace.has_unsaved_changes()
    workspace.save_drafts()
    assert demo_app.drafts.load(PLAN_DRAFT, str(case_id)) is not None
    with announced(qtbot, workspace.case_id) as changed:
        tab.save()
        idle()
    assert changed.args[0].case_id == case_id
    assert not workspace.has_unsaved_changes()


# ---- issue 11: progress, review dates, contacts, monitoring period ----------------------------


def test_marking_done_on_the_plan_in_force_is_progress_not_a_new_version(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case_id = managed_case(demo_app)
    plan_id = saved_plan(demo_app, case_id, approve=True)
    tab = open_tab(qtbot, demo_app, case_id)
    combo = start_editing(qtbot, tab, 1, Column.STATUS)  # "Parent meeting"
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData(InterventionStatus.DONE.value))
    commit(qtbot, tab, combo)
    assert tab.save_button.text() == "&Save progress"
    qtbot.keyClick(tab.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert tab.note_dialog is None or not tab.note_dialog.isVisible()  # no change note asked
    idle()
    qtbot.waitUntil(lambda: not tab.has_unsaved_changes(), timeout=5000)
    versions = demo_app.plans.versions(case_id)
    assert [(p.version, p.status) for p in versions] == [(1, PlanStatus.APPROVED)]
    statuses = {i.title: i.status for i in demo_app.plans.interventions(plan_id)}
    assert statuses["Parent meeting"] == "done"
    events = [e.action for e in demo_app.audit_events(case_id=case_id)]
    assert "plan.item_progress" in events
    assert events.count("plan.version") == 1  # only version 1's creation


def test_approval_asks_which_review_date_when_they_differ(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    from btam_desktop.services.plans import ReviewDateChoice
    from btam_desktop.ui.plan import plan_tab

    case_id = managed_case(demo_app)
    later = date.today() + timedelta(days=45)
    demo_app.cases.update(case_id, next_review_on=later)  # set by hand
    saved_plan(demo_app, case_id)  # the plan says 21 days
    asked: list[tuple[date, date]] = []

    def choose(_parent: object, case_date: date, plan_date: date) -> ReviewDateChoice:
        asked.append((case_date, plan_date))
        return ReviewDateChoice.CASE

    monkeypatch.setattr(plan_tab, "choose_review_date", choose)
    tab = open_tab(qtbot, demo_app, case_id)
    qtbot.mouseClick(tab.approve_button, Qt.MouseButton.LeftButton)
    idle()
    assert asked == [(later, date.today() + timedelta(days=21))]
    assert demo_app.plans.latest(case_id).status == PlanStatus.APPROVED
    assert demo_app.cases.get(case_id).next_review_on == later  # kept, not moved back


def test_contacts_are_offered_as_responsible_and_viewers_are_not(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id)
    combo = start_editing(qtbot, tab, 2, Column.RESPONSIBLE)
    assert isinstance(combo, QComboBox)
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert not any("Casey Viewer" in text for text in offered)
    coach = next(t for t in offered if t.startswith("Coach Rivera"))
    assert coach.endswith("· Coach")
    combo.setCurrentIndex(offered.index(coach))
    commit(qtbot, tab, combo)
    assert tab.model.index(2, Column.RESPONSIBLE).data() == coach
    qtbot.keyClick(tab.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    idle()
    qtbot.waitUntil(lambda: not tab.has_unsaved_changes(), timeout=5000)
    item = demo_app.plans.interventions(demo_app.plans.latest(case_id).id)[2]
    contact = next(c for c in demo_app.plans.contacts() if c.name.startswith("Coach"))
    assert (item.responsible_id, item.responsible_contact_id) == (None, contact.id)


def test_monitoring_period_has_its_own_end_date(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id)
    tab.monitoring_days.setValue(60)
    expected = date.today() + timedelta(days=60)
    assert tab.monitoring_end.text() == f"ends {expected.day} {expected:%b %Y}"
    qtbot.keyClick(tab.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    idle()
    qtbot.waitUntil(lambda: not tab.has_unsaved_changes(), timeout=5000)
    plan = demo_app.plans.latest(case_id)
    assert (plan.monitoring_days, plan.monitoring_ends_on) == (60, expected)
    assert plan.next_reassessment_on == date.today() + timedelta(days=21)  # separate


def test_repeats_offer_chosen_weekdays(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id)
    combo = start_editing(qtbot, tab, 0, Column.RECURRENCE)
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("weekdays:0,3"))
    commit(qtbot, tab, combo)
    assert tab.model.index(0, Column.RECURRENCE).data() == "Every Mon and Thu"
    qtbot.keyClick(tab.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    idle()
    qtbot.waitUntil(lambda: not tab.has_unsaved_changes(), timeout=5000)
    item = demo_app.plans.interventions(demo_app.plans.latest(case_id).id)[0]
    assert item.recurrence == "weekdays:0,3"


@pytest.mark.parametrize("key", [Qt.Key.Key_Tab, Qt.Key.Key_Backtab])
def test_tab_leaves_the_empty_reassessment_date(qtbot: QtBot, demo_app: Btam, key: Qt.Key) -> None:
    case_id = managed_case(demo_app)
    tab = open_tab(qtbot, demo_app, case_id)
    field = tab.next_reassessment.date_edit
    assert field.is_empty()
    field.setFocus()
    assert QApplication.focusWidget() is field
    modifier = (
        Qt.KeyboardModifier.ShiftModifier
        if key == Qt.Key.Key_Backtab
        else Qt.KeyboardModifier.NoModifier
    )
    qtbot.keyClick(field, key, modifier)
    assert QApplication.focusWidget() is not field
    assert field.is_empty()  # leaving does not invent a date


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1093, 574)])
def test_interventions_table_gives_the_title_its_width(
    qtbot: QtBot, demo_app: Btam, width: int, height: int
) -> None:
    """1280×800, and 1366×768 at 125% (1093×574 logical pixels)."""
    from btam_desktop.ui.plan.table import TITLE_MIN_WIDTH

    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id)
    tab.resize(width - 40, height - 120)  # the workspace's frame and tab bar around it
    qtbot.wait(10)
    table = tab.table
    assert table.columnWidth(Column.TITLE) >= TITLE_MIN_WIDTH
    for column in (Column.RESPONSIBLE, Column.DUE, Column.STATUS):
        assert not table.isColumnHidden(column)
    hidden = table.hidden_columns()
    if hidden:  # the person can bring one back from the header's menu
        menu = table.column_menu()
        action = next(a for a in menu.actions() if a.text() == hidden[0].header)
        assert not action.isChecked()
        action.trigger()
        assert not table.isColumnHidden(hidden[0])
    menu = table.column_menu()
    next(a for a in menu.actions() if a.text() == "Strategy").setChecked(False)
    assert table.isColumnHidden(Column.STRATEGY)


def test_a_contact_added_from_the_plan_can_be_made_responsible(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id)
    qtbot.keyClicks(tab.goals, " Unsaved words stay.")
    qtbot.mouseClick(tab.contact_button, Qt.MouseButton.LeftButton)
    dialog = tab.contact_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.save_button(), Qt.MouseButton.LeftButton)
    assert "name" in dialog.name_error.text()
    qtbot.keyClicks(dialog.name, "Sam Security")
    qtbot.keyClicks(dialog.role, "Security officer")
    qtbot.keyClicks(dialog.reach, "ext. 300")
    qtbot.mouseClick(dialog.save_button(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    idle()
    assert any(c.name == "Sam Security" for c in demo_app.plans.contacts())
    assert "Unsaved words stay." in tab.goals.toPlainText()
    offered = [label for _value, label in tab.model.member_choices()]
    assert "Sam Security · Security officer" in offered


def test_a_draft_saved_meanwhile_by_someone_else_is_told_and_saved_over_on_request(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case_id = managed_case(demo_app)
    saved_plan(demo_app, case_id)  # version 1, a draft
    tab = open_tab(qtbot, demo_app, case_id)
    qtbot.keyClicks(tab.goals, " Mine.")
    # Meanwhile someone else (another computer of a team server) saves the draft.
    theirs = demo_app.plans.latest(case_id)
    assert theirs is not None
    demo_app.plans.save(
        case_id, PlanInput(goals=theirs.goals, supervision="Daily check-ins (theirs).")
    )
    qtbot.keyClick(tab.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.error_banner.isVisible(), timeout=5000)
    message = tab.error_banner.text()
    assert "saved this plan while you were editing it" in message
    assert "Save the plan again" in message
    idle()
    qtbot.waitUntil(lambda: not tab.is_loading(), timeout=5000)
    latest = demo_app.plans.latest(case_id)
    assert latest is not None and latest.supervision == "Daily check-ins (theirs)."
    assert "Mine." in tab.goals.toPlainText()  # the edits are still on screen
    assert tab.supervision.toPlainText() == "Daily check-ins (theirs)."  # on top of theirs
    assert "shown on top of theirs" in tab.error_banner.text()
    shots = Path("/tmp/shots/srvdata")
    shots.mkdir(parents=True, exist_ok=True)
    tab.grab().save(str(shots / "plan_conflict.png"))
    # Saving again, after being told, puts this copy over theirs.
    qtbot.keyClick(tab.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not tab.has_unsaved_changes(), timeout=5000)
    latest = demo_app.plans.latest(case_id)
    assert latest is not None and "Mine." in latest.goals
    assert latest.supervision == "Daily check-ins (theirs)."  # their change kept


def test_progress_recorded_meanwhile_by_someone_else_is_told(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = managed_case(demo_app)
    plan_id = saved_plan(demo_app, case_id, approve=True)
    tab = open_tab(qtbot, demo_app, case_id)
    combo = start_editing(qtbot, tab, 1, Column.STATUS)  # "Parent meeting"
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData(InterventionStatus.DONE.value))
    commit(qtbot, tab, combo)
    key = next(i.key for i in demo_app.plans.interventions(plan_id) if i.title == "Parent meeting")
    demo_app.plans.record_progress(case_id, key, InterventionStatus.IN_PROGRESS)
    qtbot.keyClick(tab.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.error_banner.isVisible(), timeout=5000)
    assert "saved this plan item while you were editing it" in tab.error_banner.text()
    statuses = {i.title: i.status for i in demo_app.plans.interventions(plan_id)}
    assert statuses["Parent meeting"] == InterventionStatus.IN_PROGRESS.value
    idle()
    qtbot.waitUntil(lambda: not tab.is_loading(), timeout=5000)
    qtbot.keyClick(tab.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not tab.has_unsaved_changes(), timeout=5000)
    statuses = {i.title: i.status for i in demo_app.plans.interventions(plan_id)}
    assert statuses["Parent meeting"] == InterventionStatus.DONE.value
