"""A case tab whose constructor raises shows that it failed, in its place; it never vanishes."""

from __future__ import annotations

import logging

import pytest
from pytestqt.qtbot import QtBot

from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery
from btam_desktop.ui.case_workspace import CaseWorkspace, TabFailed, tab_failed_text
from btam_desktop.ui.plan import plan_tab

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")


class _BrokenPlanTab:
    def __init__(self, app: Btam, case_id: int) -> None:
        raise KeyError("Jamie's plan")  # the words of a message could be case content


def test_a_tab_that_fails_to_open_says_so_in_its_place(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(plan_tab, "PlanTab", _BrokenPlanTab)
    case_id = demo_app.cases.find(CaseQuery(), 0, 1)[0].id
    with caplog.at_level(logging.ERROR):
        workspace = CaseWorkspace(demo_app, case_id)
    qtbot.addWidget(workspace)
    workspace.show()
    qtbot.waitUntil(lambda: workspace.data is not None and not workspace.is_loading())

    assert "plan" in workspace.tab_names()  # still there, between the others
    assert workspace.show_tab("plan")
    page = workspace.tabs.currentWidget()
    assert isinstance(page, TabFailed)
    assert page.message.isVisible()
    assert page.message.text() == tab_failed_text("Plan")
    assert workspace.tabs.tabText(workspace.tabs.currentIndex()) == "Plan"
    assert "the Plan tab failed to open: KeyError" in caplog.text
    assert "Jamie" not in caplog.text
    assert workspace.show_tab("assessments")  # the other tabs open as usual
    assert not isinstance(workspace.tabs.currentWidget(), TabFailed)
