"""Two people editing a case's details: the one saving an older copy is told, and chooses."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import Priority
from btam_desktop.services.app import Btam
from btam_desktop.ui.case_workspace import CaseWorkspace
from tests.ui.test_case_workspace import WEAPON_POST, case_by_title, open_workspace


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
    with qtbot.waitSignal(workspace.case_changed, timeout=5000):
        qtbot.mouseClick(overview.save_button, Qt.MouseButton.LeftButton)
    saved = demo_app.cases.get(case.id)
    assert saved.site == "Annex building" and saved.priority == Priority.LOW.value
