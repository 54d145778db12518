"""Two people editing a case's details: the one saving an older copy is told, and chooses."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import PersonRole, Priority, Reliability, TimelineCategory
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import PersonInput
from btam_desktop.services.records import TimelineInput
from btam_desktop.ui.case_workspace import CaseWorkspace
from btam_desktop.ui.record_dialogs import PersonDialog, TimelineEntryDialog
from tests.ui.changes import announced
from tests.ui.test_case_workspace import (
    WEAPON_POST,
    case_by_title,
    click,
    open_workspace,
    save_and_wait,
    weapon_case,
)


def test_saving_over_a_newer_save_is_told_and_the_person_chooses(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case = case_by_title(demo_app, WEAPON_POST)
    assert case.id is not None
    workspace: CaseWorkspace = open_workspace(qtbot, demo_app, case.id)
    overview = workspace.overview
    overview.site.selectAll()
    qtbot.keyClicks(overview.site, "Annex building")
    qtbot.waitUntil(lambda: overview.save_button.isEnabled(), timeout=3000)
    # Meanwhile someone else (another computer of a team server) saves the case.
    demo_app.cases.update(case.id, priority=Priority.LOW)
    qtbot.mouseClick(overview.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: overview.save_error.isVisible(), timeout=5000)
    message = overview.save_error.text()
    assert "saved this case while you were editing it" in message
    assert "priority" in message and "Save changes to keep them" in message
    assert demo_app.cases.get(case.id).site != "Annex building"  # nothing of the old copy
    assert overview.site.text() == "Annex building"  # the edits are still there
    qtbot.waitUntil(lambda: not workspace.is_loading(), timeout=5000)
    # Theirs is read in, with this person's edit on top of it.
    qtbot.waitUntil(lambda: overview.priority.currentData() == Priority.LOW.value, timeout=5000)
    assert overview.site.text() == "Annex building"
    shots = Path("/tmp/shots/i16")
    shots.mkdir(parents=True, exist_ok=True)
    workspace.grab().save(str(shots / "edit_conflict.png"))
    # The person chooses to keep theirs: Save again saves it over the other change.
    qtbot.waitUntil(lambda: overview.save_button.isEnabled(), timeout=3000)
    with announced(qtbot, workspace.case_id, timeout=5000):
        qtbot.mouseClick(overview.save_button, Qt.MouseButton.LeftButton)
    saved = demo_app.cases.get(case.id)
    assert saved.site == "Annex building" and saved.priority == Priority.LOW.value


def test_a_person_changed_meanwhile_keeps_what_was_typed_and_offers_to_save_over(
    qtbot: QtBot, demo_app: Btam
) -> None:
    workspace = weapon_case(qtbot, demo_app)
    people = workspace.people
    workspace.show_tab("people")
    person = demo_app.records.people(workspace.case_id)[0]
    assert person.id is not None and people.table.select_id(person.id)
    click(qtbot, people.edit_button)
    dialog = people.last_dialog
    assert isinstance(dialog, PersonDialog)
    # Meanwhile someone else (another computer of a team server) corrects the contact.
    theirs = PersonInput(
        PersonRole(person.role),
        person.full_name,
        anonymous=person.anonymous,
        affiliation=person.affiliation,
        grade_or_position=person.grade_or_position,
        contact="Through the front office",
        notes=person.notes,
    )
    demo_app.records.update_person(person.id, theirs, expected_revision=person.revision)
    dialog.grade.clear()
    qtbot.keyClicks(dialog.grade, "Grade 11")
    click(qtbot, dialog.save_button())
    qtbot.waitUntil(lambda: dialog.error_banner.isVisible(), timeout=5000)
    message = dialog.error_banner.text()
    assert "saved this person's details while you were editing it" in message
    assert "contact" in message and "Save again to keep them" in message
    assert "Through the front office" not in message  # field names, never content
    assert dialog.isVisible() and dialog.grade.text() == "Grade 11"  # nothing typed is lost
    assert dialog.contact.text() == "Through the front office"  # theirs read in under it
    (now,) = [p for p in demo_app.records.people(workspace.case_id) if p.id == person.id]
    assert now.grade_or_position != "Grade 11"  # nothing of the older copy saved
    shots = Path("/tmp/shots/srvdata")
    shots.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(shots / "person_conflict.png"))
    # The person chooses to put theirs over: Save again saves it.
    save_and_wait(qtbot, workspace, dialog.save_button())
    (saved,) = [p for p in demo_app.records.people(workspace.case_id) if p.id == person.id]
    assert saved.grade_or_position == "Grade 11" and saved.revision == person.revision + 2
    assert saved.contact == "Through the front office"  # their change kept too


def test_a_timeline_entry_changed_meanwhile_is_told_and_saved_over_on_request(
    qtbot: QtBot, demo_app: Btam
) -> None:
    workspace = weapon_case(qtbot, demo_app)
    timeline = workspace.timeline
    workspace.show_tab("timeline")
    entry = demo_app.records.timeline(workspace.case_id)[0]
    assert entry.id is not None and timeline.table.select_id(entry.id)
    click(qtbot, timeline.edit_button)
    dialog = timeline.last_dialog
    assert isinstance(dialog, TimelineEntryDialog)
    theirs = TimelineInput(
        entry.occurred_at,
        TimelineCategory(entry.category),
        entry.description,
        reliability=Reliability.CONFIRMED,
    )
    demo_app.records.update_timeline_entry(entry.id, theirs, expected_revision=entry.revision)
    qtbot.keyClicks(dialog.obtained, " (checked)")
    click(qtbot, dialog.save_button())
    qtbot.waitUntil(lambda: dialog.error_banner.isVisible(), timeout=5000)
    message = dialog.error_banner.text()
    assert "saved this timeline entry while you were editing it" in message
    assert "reliability" in message
    save_and_wait(qtbot, workspace, dialog.save_button())
    saved = next(e for e in demo_app.records.timeline(workspace.case_id) if e.id == entry.id)
    assert saved.obtained_how.endswith("(checked)") and saved.revision == entry.revision + 2
    assert saved.reliability == Reliability.CONFIRMED.value  # theirs kept under mine


def test_members_changed_meanwhile_are_read_in_under_this_persons_ticks(
    qtbot: QtBot, demo_app: Btam
) -> None:
    from PySide6.QtCore import Qt as QtRole

    from btam_desktop.ui.record_dialogs import MembersDialog, checked_values, set_checked

    workspace = weapon_case(qtbot, demo_app)
    overview = workspace.overview
    click(qtbot, overview.members_button)
    dialog = overview.last_dialog
    assert isinstance(dialog, MembersDialog)
    listed = [
        int(dialog.members.item(row).data(QtRole.ItemDataRole.UserRole))
        for row in range(dialog.members.count())
    ]
    opened = {int(v) for v in checked_values(dialog.members)}
    free = [i for i in listed if i not in opened]
    assert free and opened, "the demo case has members, and the team others"
    dropped = sorted(opened)[0]
    # Meanwhile someone else adds a member; this person unticks another.
    demo_app.cases.set_members(workspace.case_id, [*opened, free[0]], expected_members=[*opened])
    set_checked(dialog.members, opened - {dropped})
    click(qtbot, dialog.save_button())
    qtbot.waitUntil(lambda: dialog.error_banner.isVisible(), timeout=5000)
    assert "saved the case's team members while you were editing it" in dialog.error_banner.text()
    both = (opened | {free[0]}) - {dropped}  # theirs, with this person's change on top
    assert {int(v) for v in checked_values(dialog.members)} == both
    save_and_wait(qtbot, workspace, dialog.save_button())
    assert {a.id for a in demo_app.cases.members(workspace.case_id)} == both
