"""Screens refresh themselves from the vault events hub; nothing listens to a per-screen
``case_changed`` signal any more (issue 13)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

import btam_desktop
from btam_desktop.domain.enums import Role
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery
from btam_desktop.ui import tasks
from btam_desktop.ui.assessments_tab import AssessmentsTab
from btam_desktop.ui.case_workspace import CaseWorkspace
from btam_desktop.ui.pages.retention import RetentionPage
from btam_desktop.ui.pages.team import TeamPage
from btam_desktop.ui.plan.plan_tab import PlanTab
from btam_desktop.ui.vault_events import VaultChange, announce
from tests.ui.changes import announced
from tests.ui.conftest import make_closed_cases_due

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

WAIT_MS = 10_000


def idle() -> None:
    assert tasks.wait_for_idle(15_000)


def test_nothing_has_or_listens_to_a_case_changed_signal() -> None:
    for screen in (CaseWorkspace, AssessmentsTab, PlanTab):
        assert not hasattr(screen, "case_changed"), screen.__name__
    package = Path(inspect.getfile(btam_desktop)).parent
    users = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "case_changed" in path.read_text(encoding="utf-8")
    ]
    assert users == []


def test_a_member_added_elsewhere_shows_on_the_team_page(qtbot: QtBot, demo_app: Btam) -> None:
    page = TeamPage(demo_app)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    idle()
    before = page.follow_changes.refreshes
    assert "jrivera" not in [row[0] for row in page.member_rows()]

    # Another screen (or another computer of a team server) adds a member and says so.
    demo_app.team.add_member("jrivera", "Jo Rivera", Role.MEMBER, "maple lantern orbit 47")
    announce(VaultChange("team"))
    qtbot.waitUntil(lambda: "jrivera" in [row[0] for row in page.member_rows()], timeout=WAIT_MS)
    assert page.follow_changes.refreshes == before + 1

    # A change to a case does not touch the member list.
    announce(VaultChange("note", 1))
    qtbot.wait(300)
    assert page.follow_changes.refreshes == before + 1


def test_a_legal_hold_set_elsewhere_shows_on_the_retention_page(
    qtbot: QtBot, demo_app: Btam
) -> None:
    make_closed_cases_due(demo_app)
    page = RetentionPage(demo_app)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitUntil(lambda: bool(page.items), timeout=WAIT_MS)
    first = page.items[0]
    assert not first.legal_hold

    demo_app.cases.set_legal_hold(first.case_id, True, "Parent's attorney asked to keep it")
    announce(VaultChange("case", first.case_id))

    def held() -> bool:
        item = next((i for i in page.items if i.case_id == first.case_id), None)
        return item is not None and item.legal_hold

    qtbot.waitUntil(held, timeout=WAIT_MS)
    assert page.follow_changes.refreshes == 1


def test_a_discarded_draft_reads_the_workspace_again_and_is_announced_once(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = demo_app.cases.find(CaseQuery(), 0, 1)[0].id
    workspace = CaseWorkspace(demo_app, case_id)
    qtbot.addWidget(workspace)
    workspace.resize(1200, 800)
    workspace.show()
    qtbot.waitUntil(lambda: not workspace.is_loading(), timeout=WAIT_MS)
    tab = workspace.tab("assessments")
    assert isinstance(tab, AssessmentsTab)
    form_id = tab.form_actions("screening")[0].data()
    draft = demo_app.assessments.start(case_id, form_id)
    assert draft.id is not None
    tab.refresh()
    qtbot.waitUntil(lambda: tab.select_id(draft.id or 0), timeout=WAIT_MS)
    idle()

    monkeypatch.setattr(
        QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Discard
    )
    loads: list[int] = []
    workspace.loaded.connect(lambda: loads.append(1))
    with announced(qtbot, case_id) as change:
        tab.discard_selected()
    assert change.args[0].kind == "assessments" and change.args[0].origin is tab
    qtbot.waitUntil(lambda: bool(loads), timeout=WAIT_MS)  # the header and tabs read again
    idle()
    assert workspace.follow_changes.refreshes == 0  # read again for its own tab, not "elsewhere"
