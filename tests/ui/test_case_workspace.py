"""The case workspace: opening (audited), its tabs, the record dialogs, attachments, roles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import (
    DisclosureBasis,
    DisclosureRecipient,
    NoteCategory,
    PathwayStage,
    PersonRole,
    TimelineCategory,
)
from btam_desktop.domain.models import Case
from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.cases import CaseQuery
from btam_desktop.services.demo import DEMO_MEMBER, DEMO_PASSWORD, DEMO_VIEWER
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.data import OVERVIEW_DRAFT
from btam_desktop.ui.case_workspace import CaseWorkspace
from btam_desktop.ui.record_dialogs import (
    DisclosureDialog,
    LegalHoldDialog,
    LevelDialog,
    MembersDialog,
    NoteDialog,
    PersonDialog,
    TimelineEntryDialog,
    select_data,
    set_checked,
)
from tests.ui.changes import announced

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

WEAPON_POST = "Social media post showing a weapon"
CONTRACT_TABS = ["overview", "people", "timeline", "notes", "attachments", "disclosures", "levels"]


def case_by_title(app: Btam, title: str) -> Case:
    row = next(r for r in app.cases.find(CaseQuery(), 0, 100) if r.title == title)
    return app.cases.get(row.id)


def open_workspace(qtbot: QtBot, app: Btam, case_id: int) -> CaseWorkspace:
    workspace = CaseWorkspace(app, case_id)
    qtbot.addWidget(workspace)
    workspace.resize(1280, 800)
    workspace.show()
    qtbot.waitUntil(lambda: workspace.data is not None and not workspace.is_loading())
    return workspace


def weapon_case(qtbot: QtBot, app: Btam) -> CaseWorkspace:
    case = case_by_title(app, WEAPON_POST)
    assert case.id is not None
    return open_workspace(qtbot, app, case.id)


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def save_and_wait(qtbot: QtBot, workspace: CaseWorkspace, button: QAbstractButton) -> None:
    """Press a dialog's save button; wait for the write and for the workspace to reload."""
    with announced(qtbot, workspace.case_id, timeout=5000):
        click(qtbot, button)
    qtbot.waitUntil(lambda: not workspace.is_loading(), timeout=5000)


def views(app: Btam, case_id: int) -> int:
    return sum(1 for e in app.audit_events(case_id=case_id) if e.action == "case.view")


def sign_in_as(app: Btam, folder: Path, username: str) -> Btam:
    app.lock()
    return unlock(folder, username, DEMO_PASSWORD)


# ---- opening and tabs --------------------------------------------------------------------------


def test_opening_a_case_is_audited_once(qtbot: QtBot, demo_app: Btam) -> None:
    case = case_by_title(demo_app, WEAPON_POST)
    assert case.id is not None
    before = views(demo_app, case.id)
    workspace = open_workspace(qtbot, demo_app, case.id)
    assert views(demo_app, case.id) == before + 1
    workspace.refresh()
    qtbot.waitUntil(lambda: not workspace.is_loading())
    assert views(demo_app, case.id) == before + 1


def test_tabs_header_and_title(qtbot: QtBot, demo_app: Btam) -> None:
    workspace = weapon_case(qtbot, demo_app)
    number = workspace.case_number
    assert number and number[:4].isdigit()
    assert workspace.windowTitle() == f"Case {number}"  # never the title or a name
    assert workspace.heading.text() == f"{number}   {WEAPON_POST}"
    assert workspace.status_chip.text() == "Assessment"
    assert workspace.level_chip.label() == "High"
    names = workspace.tab_names()
    for name in [*CONTRACT_TABS, "audit"]:
        assert name in names
        assert workspace.show_tab(name)
        assert workspace.current_tab_name() == name
    assert not workspace.show_tab("no such tab")


def test_the_case_number_is_there_before_the_case_has_loaded(qtbot: QtBot, demo_app: Btam) -> None:
    case = case_by_title(demo_app, WEAPON_POST)
    workspace = CaseWorkspace(demo_app, case.id or 0)
    qtbot.addWidget(workspace)
    assert workspace.case_number == case.number
    qtbot.waitUntil(lambda: not workspace.is_loading())


def test_reports_and_timeline_show_the_report(qtbot: QtBot, demo_app: Btam) -> None:
    workspace = weapon_case(qtbot, demo_app)
    summary = workspace.timeline.summaries[0]
    assert summary.fields["quote"].text() == "“counting down”"
    assert summary.fields["expressed"].text() == "Social media or messaging, Drawing or picture"
    assert summary.fields["directness"].text() == "Veiled"
    assert summary.fields["danger"].text().startswith("Not sure. The instruction to call")
    assert summary.fields["called"].text().startswith("Called by School resource officer")
    assert workspace.timeline.table.row_count() == 1


# ---- roles ---------------------------------------------------------------------------------------


def test_a_viewer_sees_everything_read_only(qtbot: QtBot, demo_app: Btam, demo_vault: Path) -> None:
    case_id = case_by_title(demo_app, WEAPON_POST).id or 0
    viewer = sign_in_as(demo_app, demo_vault, DEMO_VIEWER)
    try:
        workspace = open_workspace(qtbot, viewer, case_id)
        assert "audit" not in workspace.tab_names()
        assert workspace.timeline.table.row_count() == 1  # sees the records
        for name in workspace.tab_names():
            tab = workspace.tab(name)
            if not isinstance(tab, CaseTab):
                continue
            for button, _tip in tab._write_buttons:
                assert not button.isEnabled(), button.text()
                assert "viewer" in button.toolTip(), button.text()
        overview = workspace.overview
        for editor in (overview.title_edit, overview.priority, overview.owner, overview.site):
            assert not editor.isEnabled()
            assert "viewer" in editor.toolTip()
        assert overview.action_buttons
        for button in overview.action_buttons.values():
            assert not button.isEnabled()
            assert "viewer" in button.toolTip()
        assert not overview.hold_button.isVisible()
        # Nothing that edits is reachable anywhere in the workspace.
        for tab_name in CONTRACT_TABS:
            workspace.show_tab(tab_name)
            tab = workspace.tab(tab_name)
            assert tab is not None
            for control in tab.findChildren(QWidget):
                if not control.isVisible() or not control.isEnabled():
                    continue
                if isinstance(control, QLineEdit | QDateEdit) and not control.isReadOnly():
                    assert control is workspace.timeline.text_filter, control.accessibleName()
                if isinstance(control, QAbstractButton) and not control.isCheckable():
                    assert control.text().replace("&", "") in {"Save a copy…", ""}, control.text()
        people = workspace.people
        people.table.selectRow(0)
        people.table.activated_id.emit(people.table.id_at(0) or 0)  # a double-click
        assert people.last_dialog is None
    finally:
        viewer.lock()


def test_a_member_works_the_case_but_has_no_audit_tab(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    case_id = case_by_title(demo_app, WEAPON_POST).id or 0
    member = sign_in_as(demo_app, demo_vault, DEMO_MEMBER)
    try:
        workspace = open_workspace(qtbot, member, case_id)
        assert "audit" not in workspace.tab_names()
        assert workspace.overview.title_edit.isEnabled()
        assert workspace.people.add_button.isEnabled()
        assert not workspace.overview.hold_button.isVisible()
    finally:
        member.lock()


# ---- record dialogs ------------------------------------------------------------------------------


def test_add_edit_and_remove_a_person(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = weapon_case(qtbot, demo_app)
    people = workspace.people
    workspace.show_tab("people")
    rows = people.table.row_count()
    click(qtbot, people.add_button)
    dialog = people.last_dialog
    assert isinstance(dialog, PersonDialog)
    select_data(dialog.role, PersonRole.WITNESS.value)
    click(qtbot, dialog.save_button())
    assert dialog.name_error.isVisible()  # a witness needs a name (or anonymous)
    qtbot.keyClicks(dialog.name, "Riley Witness")
    qtbot.keyClicks(dialog.grade, "Grade 10")
    save_and_wait(qtbot, workspace, dialog.save_button())
    assert people.table.row_count() == rows + 1
    added = next(p for p in workspace.data.people if p.full_name == "Riley Witness")  # type: ignore[union-attr]
    assert added.role == "witness" and added.grade_or_position == "Grade 10"

    assert people.table.select_id(added.id or 0)
    click(qtbot, people.edit_button)
    edit = people.last_dialog
    assert isinstance(edit, PersonDialog)
    assert edit.name.text() == "Riley Witness"
    click(qtbot, edit.anonymous)
    save_and_wait(qtbot, workspace, edit.save_button())
    changed = next(p for p in demo_app.records.people(workspace.case_id) if p.id == added.id)
    assert changed.anonymous and changed.full_name == ""
    row = next(r for r in range(people.table.row_count()) if people.table.id_at(r) == added.id)
    assert people.table.proxy.index(row, 1).data() == "Anonymous"

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert people.table.select_id(added.id or 0)
    save_and_wait(qtbot, workspace, people.remove_button)
    assert people.table.row_count() == rows


def test_the_reporter_cannot_be_removed_and_the_message_says_so(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = weapon_case(qtbot, demo_app)
    people = workspace.people
    workspace.show_tab("people")
    reporter = next(p for p in workspace.data.people if p.role == "reporter")  # type: ignore[union-attr]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert people.table.select_id(reporter.id or 0)
    click(qtbot, people.remove_button)
    qtbot.waitUntil(lambda: people.message.isVisible(), timeout=5000)
    assert "reporter" in people.message.text()


def test_add_a_timeline_entry_and_filter_the_timeline(qtbot: QtBot, demo_app: Btam) -> None:
    workspace = weapon_case(qtbot, demo_app)
    timeline = workspace.timeline
    workspace.show_tab("timeline")
    click(qtbot, timeline.add_button)
    dialog = timeline.last_dialog
    assert isinstance(dialog, TimelineEntryDialog)
    click(qtbot, dialog.save_button())
    assert dialog.description_error.isVisible()
    select_data(dialog.category, TimelineCategory.COMMUNICATION.value)
    select_data(dialog.stage, PathwayStage.PREPARATION.value)
    qtbot.keyClicks(dialog.description, "Asked a classmate where to buy ammunition.")
    qtbot.keyClicks(dialog.obtained, "Interview with the classmate")
    save_and_wait(qtbot, workspace, dialog.save_button())
    assert timeline.table.row_count() == 2
    entry = demo_app.records.timeline(workspace.case_id)[-1]
    assert entry.category == "communication" and entry.pathway_stage == "preparation"

    select_data(timeline.category_filter, TimelineCategory.COMMUNICATION.value)
    assert timeline.table.row_count() == 1
    assert "ammunition" in str(timeline.table.proxy.index(0, 2).data())
    select_data(timeline.category_filter, None)
    select_data(timeline.stage_filter, PathwayStage.GRIEVANCE.value)
    assert timeline.table.row_count() == 1
    assert "first reporter" in str(timeline.table.proxy.index(0, 2).data())
    select_data(timeline.stage_filter, None)
    qtbot.keyClicks(timeline.text_filter, "ammunition")
    assert timeline.table.row_count() == 1
    assert timeline.count.text() == "Showing 1 of 2 entries"
    timeline.text_filter.clear()
    assert timeline.table.row_count() == 2


def test_add_a_note_newest_first(qtbot: QtBot, demo_app: Btam) -> None:
    workspace = weapon_case(qtbot, demo_app)
    notes = workspace.notes
    workspace.show_tab("notes")
    dialog = notes.add_note()
    assert isinstance(dialog, NoteDialog)
    select_data(dialog.category, NoteCategory.INTERVIEW.value)
    qtbot.keyClicks(dialog.body, "Met the student with the counselor.")
    qtbot.keyClick(dialog.body, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.body, "He denied owning a rifle.")
    save_and_wait(qtbot, workspace, dialog.save_button())
    assert notes.table.row_count() == 2
    assert notes.table.proxy.index(0, 1).data() == "Interview"  # newest first
    assert notes.table.proxy.index(0, 2).data() == "Dana Demo (coordinator)"
    notes.table.selectRow(0)
    assert "denied owning a rifle" in notes.reader.toPlainText()


def test_a_half_written_note_survives_a_lock(qtbot: QtBot, demo_app: Btam) -> None:
    workspace = weapon_case(qtbot, demo_app)
    dialog = workspace.notes.add_note()
    qtbot.keyClicks(dialog.body, "Called the parent at 3 pm; no answer.")
    assert workspace.has_unsaved_changes()
    workspace.save_drafts()
    workspace.close_windows()
    assert not dialog.isVisible()
    again = workspace.notes.add_note()
    assert again.body.toPlainText() == "Called the parent at 3 pm; no answer."
    assert again.draft_banner.isVisible()


def test_record_a_disclosure_under_the_emergency_exception(qtbot: QtBot, demo_app: Btam) -> None:
    workspace = weapon_case(qtbot, demo_app)
    tab = workspace.disclosures
    workspace.show_tab("disclosures")
    rows = tab.table.row_count()
    click(qtbot, tab.add_button)
    dialog = tab.last_dialog
    assert isinstance(dialog, DisclosureDialog)
    assert "required" not in dialog.threat_caption.text()  # type: ignore[union-attr]
    select_data(dialog.basis, DisclosureBasis.HEALTH_SAFETY_EMERGENCY.value)
    assert "(required)" in dialog.threat_caption.text()  # type: ignore[union-attr]
    assert dialog.threat_hint.isVisible()
    assert dialog.threat_frame.styleSheet()  # highlighted
    select_data(dialog.recipient_kind, DisclosureRecipient.LAW_ENFORCEMENT.value)
    qtbot.keyClicks(dialog.recipient_name, "Officer Example, district police")
    qtbot.keyClicks(dialog.information, "The post and the student's name.")
    qtbot.keyClicks(dialog.purpose, "Check whether the student has access to the rifle.")
    click(qtbot, dialog.save_button())
    assert dialog.threat_error.isVisible()
    assert "articulable" in dialog.threat_error.text()
    qtbot.keyClicks(dialog.threat, "Photo of a rifle captioned 'counting down'.")
    save_and_wait(qtbot, workspace, dialog.save_button())
    assert tab.table.row_count() == rows + 1
    saved = demo_app.records.disclosures(workspace.case_id)[-1]
    assert saved.legal_basis == "health_safety_emergency"
    assert saved.articulable_threat == "Photo of a rifle captioned 'counting down'."


def test_set_the_level_of_concern(qtbot: QtBot, demo_app: Btam) -> None:
    workspace = weapon_case(qtbot, demo_app)
    levels = workspace.levels
    workspace.show_tab("levels")
    rows = levels.table.row_count()
    click(qtbot, levels.set_button)
    dialog = levels.last_dialog
    assert isinstance(dialog, LevelDialog)
    select_data(dialog.level, "imminent")
    click(qtbot, dialog.save_button())
    assert dialog.rationale_error.isVisible()
    qtbot.keyClicks(dialog.rationale, "Bought ammunition; named a date.")
    save_and_wait(qtbot, workspace, dialog.save_button())
    assert levels.table.row_count() == rows + 1
    assert workspace.level_chip.label() == "Imminent"
    assert workspace.overview.level_badge.label() == "Imminent"


def test_members_and_legal_hold(qtbot: QtBot, demo_app: Btam) -> None:
    workspace = weapon_case(qtbot, demo_app)
    overview = workspace.overview
    click(qtbot, overview.members_button)
    dialog = overview.last_dialog
    assert isinstance(dialog, MembersDialog)
    ids = [a.id for a in workspace.data.workers()]  # type: ignore[union-attr]
    set_checked(dialog.members, ids)
    save_and_wait(qtbot, workspace, dialog.save_button())
    assert sorted(a.id or 0 for a in demo_app.cases.members(workspace.case_id)) == sorted(
        i or 0 for i in ids
    )
    assert "Dana Demo" in overview.members.text()

    assert overview.hold_button.isVisible()
    click(qtbot, overview.hold_button)
    hold = overview.last_dialog
    assert isinstance(hold, LegalHoldDialog)
    qtbot.keyClicks(hold.reason, "Parent's request to inspect the records.")
    save_and_wait(qtbot, workspace, hold.save_button())
    assert demo_app.cases.get(workspace.case_id).legal_hold
    assert workspace.hold_chip.isVisible()
    assert "Lift" in overview.hold_button.text()


def test_edit_the_details_and_keep_unsaved_edits_as_a_draft(qtbot: QtBot, demo_app: Btam) -> None:
    workspace = weapon_case(qtbot, demo_app)
    overview = workspace.overview
    assert not overview.save_button.isEnabled()
    overview.title_edit.selectAll()
    qtbot.keyClicks(overview.title_edit, "Online post with a rifle")
    select_data(overview.priority, "high")
    assert overview.save_button.isEnabled()
    assert workspace.has_unsaved_changes()
    save_and_wait(qtbot, workspace, overview.save_button)
    case = demo_app.cases.get(workspace.case_id)
    assert (case.title, case.priority) == ("Online post with a rifle", "high")
    assert not workspace.has_unsaved_changes()
    assert workspace.priority_chip.isVisible()

    overview.title_edit.clear()
    click(qtbot, overview.save_button)
    assert overview.title_error.isVisible()
    qtbot.keyClicks(overview.title_edit, "Unsaved title")
    workspace.save_drafts()
    assert demo_app.drafts.load(OVERVIEW_DRAFT, str(workspace.case_id)) is not None

    again = open_workspace(qtbot, demo_app, workspace.case_id)
    assert again.overview.draft_banner.isVisible()
    assert again.overview.title_edit.text() == "Unsaved title"
    assert again.has_unsaved_changes()
    click(qtbot, again.overview.draft_banner.action_button())
    assert again.overview.title_edit.text() == "Online post with a rifle"
    assert demo_app.drafts.load(OVERVIEW_DRAFT, str(workspace.case_id)) is None


# ---- attachments -------------------------------------------------------------------------------


def png_file(folder: Path) -> Path:
    image = QImage(64, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366aa"))
    path = folder / "screenshot.png"
    assert image.save(str(path), "PNG")
    return path


def add_file(
    qtbot: QtBot, workspace: CaseWorkspace, monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), "All files (*)")
    )
    click(qtbot, workspace.attachments.add_button)


def test_attach_a_png_and_preview_it_in_memory(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    workspace = weapon_case(qtbot, demo_app)
    tab = workspace.attachments
    workspace.show_tab("attachments")
    assert tab.table.row_count() == 0
    with announced(qtbot, workspace.case_id, timeout=5000):
        add_file(qtbot, workspace, monkeypatch, png_file(tmp_path))
    qtbot.waitUntil(lambda: tab.table.row_count() == 1, timeout=5000)
    assert tab.table.proxy.index(0, 0).data() == "screenshot.png"
    assert tab.table.proxy.index(0, 1).data() == "PNG image"
    assert "encrypted" in tab.message.text()
    qtbot.waitUntil(lambda: tab.stack.currentWidget() is tab.preview, timeout=5000)
    assert tab.preview.image().width() == 64
    assert tab.preview.pixmap() is not None and not tab.preview.pixmap().isNull()
    assert tab.export_button.isEnabled()


def test_a_program_file_is_refused_with_the_services_message(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    workspace = weapon_case(qtbot, demo_app)
    tab = workspace.attachments
    workspace.show_tab("attachments")
    program = tmp_path / "tool.exe"
    program.write_bytes(b"MZ\x90\x00" + bytes(200))
    add_file(qtbot, workspace, monkeypatch, program)
    qtbot.waitUntil(lambda: tab.message.isVisible(), timeout=5000)
    assert "“tool.exe” is not a type BTAM keeps" in tab.message.text()
    assert tab.table.row_count() == 0
    assert tab.add_button.isEnabled()


def test_save_a_copy_warns_and_is_audited(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    workspace = weapon_case(qtbot, demo_app)
    tab = workspace.attachments
    workspace.show_tab("attachments")
    source = png_file(tmp_path)
    with announced(qtbot, workspace.case_id, timeout=5000):
        add_file(qtbot, workspace, monkeypatch, source)
    qtbot.waitUntil(lambda: tab.table.row_count() == 1, timeout=5000)
    tab.table.selectRow(0)
    warnings: list[str] = []

    def refuse(parent: QWidget, title: str, text: str, *args: object) -> object:
        warnings.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "warning", refuse)
    click(qtbot, tab.export_button)
    assert "leaves the encrypted vault" in warnings[0]
    assert "will not be protected" in warnings[0]
    exports = [e for e in demo_app.audit_events() if e.action == "attachment.export"]
    assert exports == []

    target = tmp_path / "copy" / "exported.png"
    target.parent.mkdir()
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Save)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    click(qtbot, tab.export_button)
    qtbot.waitUntil(lambda: target.exists() and "Saved a copy" in tab.message.text(), timeout=5000)
    assert target.read_bytes() == source.read_bytes()
    exports = [e for e in demo_app.audit_events() if e.action == "attachment.export"]
    assert len(exports) == 1
    assert exports[0].username == "demo"


def test_every_input_in_the_workspace_has_an_accessible_name(qtbot: QtBot, demo_app: Btam) -> None:
    workspace = weapon_case(qtbot, demo_app)
    own = [workspace.tab(n) for n in [*CONTRACT_TABS, "audit"]]
    for tab in own:
        assert tab is not None
        for control in tab.findChildren(QWidget):
            if control.objectName().startswith("qt_") or isinstance(control.parent(), QComboBox):
                continue
            if isinstance(control, QAbstractButton | QLineEdit | QPlainTextEdit | QComboBox):
                where = f"{type(control).__name__} in {type(control.parent()).__name__}"
                assert control.accessibleName(), f"unnamed {where} {control.toolTip()}"


def test_the_emergency_hint_never_covers_the_threat_box(qtbot: QtBot, demo_app: Btam) -> None:
    from btam_desktop.domain.enums import DisclosureBasis
    from btam_desktop.ui.record_dialogs import DisclosureDialog, select_data

    case = case_by_title(demo_app, WEAPON_POST)
    dialog = DisclosureDialog(demo_app, case.id or 0)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    select_data(dialog.basis, DisclosureBasis.CONSENT.value)
    select_data(dialog.basis, DisclosureBasis.HEALTH_SAFETY_EMERGENCY.value)
    qtbot.wait(10)
    assert dialog.threat_hint.isVisible()
    box, hint = dialog.threat.geometry(), dialog.threat_hint.geometry()
    assert not box.intersects(hint)
    assert hint.top() >= box.bottom()
    assert dialog.threat_frame.contentsRect().contains(hint)
    assert dialog.height() >= dialog.sizeHint().height()


@pytest.mark.parametrize(("years", "use"), [(-3, False), (-3, True), (1, False)])
def test_a_far_timeline_date_asks_first(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch, years: int, use: bool
) -> None:
    from btam_desktop.ui import record_dialogs

    asked: list[str] = []

    def confirm(_parent: object, text: str) -> bool:
        asked.append(text)
        return use

    monkeypatch.setattr(record_dialogs, "confirm_timeline_date", confirm)
    workspace = weapon_case(qtbot, demo_app)
    timeline = workspace.timeline
    workspace.show_tab("timeline")
    click(qtbot, timeline.add_button)
    dialog = timeline.last_dialog
    assert isinstance(dialog, TimelineEntryDialog)
    dialog.occurred.setDateTime(dialog.occurred.dateTime().addYears(years))
    qtbot.keyClicks(dialog.description, "Posted a photo of a rifle.")
    if use:
        save_and_wait(qtbot, workspace, dialog.save_button())
        assert timeline.table.row_count() == 2
    else:
        click(qtbot, dialog.save_button())
        assert dialog.isVisible()
        assert "Check the date" in dialog.when_error.text()
        assert len(demo_app.records.timeline(workspace.case_id)) == 1
    assert len(asked) == 1
    assert ("future" if years > 0 else "two years ago") in asked[0]


def test_a_confidential_reporter_is_marked_in_the_people_tab(qtbot: QtBot, demo_app: Btam) -> None:
    case = case_by_title(demo_app, "Repeated harassment of a former friend")
    workspace = CaseWorkspace(demo_app, case.id or 0)
    qtbot.addWidget(workspace)
    workspace.show()
    qtbot.waitUntil(lambda: not workspace.is_loading(), timeout=5000)
    workspace.show_tab("people")
    table = workspace.people.table
    names = [str(table.proxy.index(r, 1).data()) for r in range(table.row_count())]
    marked = [n for n in names if "confidential" in n]
    assert marked == [
        "Lee Reporter (fictional) (confidential: withhold from the subject and family)"
    ]


def test_the_workspace_and_the_case_summary_read_the_same_case_file(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both come from one read model (services/case_file.py) and show the same records."""
    from btam_desktop.reports.case_summary import read_case_summary
    from btam_desktop.services.case_file import CaseFile

    files: list[CaseFile] = []
    read_file = demo_app.case_file

    def recorded(*args: Any, **kwargs: Any) -> CaseFile:
        files.append(read_file(*args, **kwargs))
        return files[-1]

    monkeypatch.setattr(demo_app, "case_file", recorded)
    workspace = weapon_case(qtbot, demo_app)
    assert workspace.data is not None and len(files) == 1
    assert workspace.data.case is files[0].case
    summary = read_case_summary(demo_app, workspace.data.case_id).data
    assert len(files) == 2 and summary.case is files[1].case

    def ids(rows: list[Any]) -> list[int]:
        return sorted(r.id for r in rows)

    shown = workspace.data
    assert ids(shown.people) == ids(summary.people) and shown.people
    assert ids(shown.reports) == ids(summary.reports) and shown.reports
    assert ids(shown.timeline) == ids(summary.timeline) and shown.timeline
    assert ids(shown.notes) == ids(summary.notes) and shown.notes
    assert ids(shown.levels) == ids(summary.levels) and shown.levels
    assert ids(shown.transitions) == ids(summary.transitions)
    assert ids(shown.disclosures) == ids(summary.disclosures)
    assert ids(shown.members) == ids(summary.assigned)
    assert shown.level_label(shown.case.level)[0] == summary.level_label(summary.case.level)
