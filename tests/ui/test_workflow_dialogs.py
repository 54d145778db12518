"""Moving cases through the workflow with the workspace's buttons and the WorkflowDialog."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import CaseSetting, CaseStatus, ReportChannel
from btam_desktop.domain.models import Case
from btam_desktop.domain.types import utcnow
from btam_desktop.domain.workflow import MOVES, MoveRequest, WorkflowAction
from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.cases import CaseQuery, IntakeInput
from btam_desktop.services.demo import DEMO_MEMBER, DEMO_PASSWORD
from btam_desktop.services.demo import (
    _complete_closure_checklist as complete_closure_checklist,
)
from btam_desktop.ui.case_workspace import CaseWorkspace
from btam_desktop.ui.record_dialogs import set_checked
from btam_desktop.ui.workflow_dialogs import EXPLANATIONS, WorkflowDialog
from tests.ui.changes import announced

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

A = WorkflowAction


def new_case(app: Btam) -> int:
    case = app.cases.report_concern(
        IntakeInput(
            received_at=utcnow() - timedelta(hours=2),
            channel=ReportChannel.PHONE,
            narrative="A parent called about messages her son received.",
            setting=CaseSetting.SCHOOL,
        )
    )
    assert case.id is not None
    return case.id


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


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_move(
    qtbot: QtBot,
    workspace: CaseWorkspace,
    action: WorkflowAction,
    *,
    reason: str = "",
    level: str | None = None,
    screeners: Sequence[str] = (),
) -> WorkflowDialog:
    """Click the workspace's button for ``action``, fill the dialog and press its button."""
    overview = workspace.overview
    button = overview.action_buttons[action]
    assert button.isEnabled(), button.toolTip()
    click(qtbot, button)
    dialog = overview.last_dialog
    assert isinstance(dialog, WorkflowDialog)
    assert dialog.isVisible()
    assert dialog.action is action
    assert dialog.intro_label.text() == EXPLANATIONS[action]
    if level is not None:
        assert dialog.level is not None
        dialog.level.setCurrentIndex(dialog.level.findData(level))
    if screeners:
        assert dialog.screeners is not None
        set_checked(dialog.screeners, screeners)
    if reason:
        qtbot.keyClicks(dialog.reason, reason)
    click(qtbot, dialog.save_button())
    return dialog


def move(
    qtbot: QtBot,
    workspace: CaseWorkspace,
    action: WorkflowAction,
    *,
    reason: str = "",
    level: str | None = None,
    screeners: Sequence[str] = (),
) -> WorkflowDialog:
    """Make the move as a person would and wait until the workspace shows its result."""
    target = MOVES[action].target.value
    with announced(qtbot, workspace.case_id, timeout=5000) as changed:
        dialog = open_move(
            qtbot, workspace, action, reason=reason, level=level, screeners=screeners
        )
    assert changed.args[0].case_id == workspace.case_id
    qtbot.waitUntil(
        lambda: (
            not workspace.is_loading()
            and workspace.data is not None
            and workspace.data.case.status == target
        ),
        timeout=5000,
    )
    assert not dialog.isVisible()
    return dialog


JUSTIFICATION = (
    "Counseling is in place, the family is engaged and no new concerning behavior for "
    "six weeks; the team agreed on 3 March."
)


def test_every_transition_through_the_workspace(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = new_case(demo_app)
    workspace = open_workspace(qtbot, demo_app, case_id)
    assert set(workspace.overview.action_buttons) == {A.START_SCREENING}

    move(qtbot, workspace, A.START_SCREENING)
    assert set(workspace.overview.action_buttons) == {
        A.SCREEN_OUT,
        A.SCREEN_TO_ASSESSMENT,
        A.SCREEN_TO_MONITORING,
    }
    move(
        qtbot,
        workspace,
        A.SCREEN_TO_ASSESSMENT,
        reason="Specific threat with a named target.",
        screeners=["demo", "morgan"],
    )
    move(qtbot, workspace, A.START_MANAGEMENT)
    move(qtbot, workspace, A.START_MONITORING, reason="Weekly check-ins in place.")
    move(qtbot, workspace, A.RESUME_MANAGEMENT, reason="New messages to the target.")
    refused = open_move(qtbot, workspace, A.CLOSE, level="moderate", reason=JUSTIFICATION)
    qtbot.waitUntil(lambda: not refused.is_busy(), timeout=5000)
    # The service's reason, shown as a message about the case, not on the reason field.
    assert refused.needs_banner.isVisible()
    assert "closure checklist" in refused.needs_banner.text()
    assert refused.reason_error.text() == ""
    assert refused.isVisible() and refused.reason.toPlainText() == JUSTIFICATION
    refused.reject()
    complete_closure_checklist(demo_app, case_id)
    closing = move(qtbot, workspace, A.CLOSE, level="moderate", reason=JUSTIFICATION)
    assert closing.justification.isVisibleTo(closing)  # moderate: a justification was asked for
    assert workspace.data is not None
    assert workspace.data.case.level == "moderate"
    assert workspace.data.case.closure_reason == JUSTIFICATION
    assert workspace.status_chip.text() == CaseStatus.CLOSED.label

    move(qtbot, workspace, A.REOPEN, reason="A new report about the same student.")
    move(
        qtbot,
        workspace,
        A.SCREEN_OUT,
        level="low",
        reason="Resolved with an apology; no intent or capacity.",
        screeners=["demo", "morgan"],
    )

    moves = [(t.action, t.from_status, t.to_status) for t in demo_app.cases.transitions(case_id)]
    assert moves == [
        ("start_screening", "reported", "screening"),
        ("screen_to_assessment", "screening", "assessment"),
        ("start_management", "assessment", "management"),
        ("start_monitoring", "management", "monitoring"),
        ("resume_management", "monitoring", "management"),
        ("close", "management", "closed"),
        ("reopen", "closed", "screening"),
        ("screen_out", "screening", "closed_no_threat"),
    ]
    screened = demo_app.cases.transitions(case_id)[1]
    assert screened.details == {"screeners": ["demo", "morgan"]}
    levels = [(d.level, d.source) for d in demo_app.cases.level_history(case_id)]
    assert levels == [("moderate", "closure"), ("low", "closure")]
    actions = [e.action for e in demo_app.audit_events(case_id=case_id)]
    assert "case.close" in actions and "case.reopen" in actions
    assert actions.count("case.view") == 1  # opening is audited once, not each reload


def test_screening_to_monitoring(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = new_case(demo_app)
    demo_app.cases.move(case_id, MoveRequest(A.START_SCREENING))
    workspace = open_workspace(qtbot, demo_app, case_id)
    move(
        qtbot,
        workspace,
        A.SCREEN_TO_MONITORING,
        reason="Transient anger, but a recent loss at home.",
        screeners=["morgan"],
    )
    assert demo_app.cases.get(case_id).status == CaseStatus.MONITORING.value
    assert set(workspace.overview.action_buttons) == {A.RESUME_MANAGEMENT, A.CLOSE}


def test_an_action_the_role_may_not_take_is_disabled_with_the_reason(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    case_id = case_by_title(demo_app, "Repeated harassment of a former friend").id
    assert case_id is not None
    demo_app.lock()
    member = unlock(demo_vault, DEMO_MEMBER, DEMO_PASSWORD)
    try:
        workspace = open_workspace(qtbot, member, case_id)
        buttons = workspace.overview.action_buttons
        assert set(buttons) == {A.START_MONITORING, A.CLOSE}
        assert buttons[A.START_MONITORING].isEnabled()
        assert not buttons[A.CLOSE].isEnabled()
        assert "may not close, screen out or reopen cases" in buttons[A.CLOSE].toolTip()
        assert "team's policy" in buttons[A.CLOSE].toolTip()
        click(qtbot, buttons[A.CLOSE])
        assert workspace.overview.last_dialog is None  # a disabled button opens nothing
    finally:
        member.lock()


def test_closing_at_moderate_or_above_asks_for_a_justification(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case = case_by_title(demo_app, "Student in crisis after family loss")
    assert case.level == "moderate"
    dialog = WorkflowDialog(demo_app, case, A.CLOSE)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.justification.isVisible()
    assert "documented justification" in dialog.justification.text()
    assert dialog.reason_caption is not None
    assert "Justification (required)" in dialog.reason_caption.text().replace("&", "")

    qtbot.keyClicks(dialog.reason, "Better now.")
    click(qtbot, dialog.save_button())
    assert dialog.reason_error.isVisible()
    assert "justification" in dialog.reason_error.text()
    assert demo_app.cases.get(case.id or 0).status == CaseStatus.MONITORING.value

    assert dialog.level is not None
    dialog.level.setCurrentIndex(dialog.level.findData("low"))
    assert not dialog.justification.isVisible()
    assert "Reason for closing" in dialog.reason_caption.text().replace("&", "")
    dialog.level.setCurrentIndex(dialog.level.findData("imminent"))
    assert dialog.justification.isVisible()


def test_reopen_asks_for_a_reason(qtbot: QtBot, demo_app: Btam) -> None:
    case = case_by_title(demo_app, "Joke about a school fire, resolved")
    assert case.status == CaseStatus.CLOSED_NO_THREAT.value
    workspace = open_workspace(qtbot, demo_app, case.id or 0)
    click(qtbot, workspace.overview.action_buttons[A.REOPEN])
    dialog = workspace.overview.last_dialog
    assert isinstance(dialog, WorkflowDialog)
    click(qtbot, dialog.save_button())
    assert dialog.isVisible()
    assert dialog.reason_error.isVisible()
    assert "reopened" in dialog.reason_error.text()
    qtbot.keyClicks(dialog.reason, "The student posted a new threat.")
    click(qtbot, dialog.save_button())
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert demo_app.cases.get(case.id or 0).status == CaseStatus.SCREENING.value


def test_a_screening_decision_needs_a_screener(qtbot: QtBot, demo_app: Btam) -> None:
    case = case_by_title(demo_app, "Comment in gym class after a dispute")
    dialog = WorkflowDialog(demo_app, case, A.SCREEN_TO_ASSESSMENT)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.screeners is not None
    assert dialog.screeners_error is not None
    set_checked(dialog.screeners, [])
    qtbot.keyClicks(dialog.reason, "Specific and plausible.")
    click(qtbot, dialog.save_button())
    assert dialog.screeners_error.isVisible()
    assert "two are recommended" in dialog.screeners_error.text()


def test_a_refused_move_is_shown_in_the_dialog(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = new_case(demo_app)
    stale = demo_app.cases.get(case_id)
    dialog = WorkflowDialog(demo_app, stale, A.START_SCREENING)
    qtbot.addWidget(dialog)
    dialog.show()
    demo_app.cases.move(case_id, MoveRequest(A.START_SCREENING))  # someone else was faster
    click(qtbot, dialog.save_button())
    qtbot.waitUntil(lambda: dialog.error_banner.isVisible(), timeout=5000)
    assert "only possible when the case is" in dialog.error_banner.text()
    assert dialog.isVisible()
    assert not dialog.is_busy()


def test_every_move_is_explained() -> None:
    assert set(EXPLANATIONS) == set(WorkflowAction)
    for sentence in EXPLANATIONS.values():
        assert sentence.endswith(".") and sentence.count(". ") == 0


# ---- issue 11: transient threats, what closing needs, overdue items ----------------------------


def test_screening_out_a_transient_threat_records_it(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = new_case(demo_app)
    demo_app.cases.move(case_id, MoveRequest(A.START_SCREENING))
    workspace = open_workspace(qtbot, demo_app, case_id)
    overview = workspace.overview
    click(qtbot, overview.action_buttons[A.SCREEN_OUT])
    dialog = overview.last_dialog
    assert isinstance(dialog, WorkflowDialog) and dialog.threat_type is not None
    dialog.threat_type.setCurrentIndex(dialog.threat_type.findData("transient"))
    dialog.level.setCurrentIndex(dialog.level.findData("low"))  # type: ignore[union-attr]
    set_checked(dialog.screeners, ["demo"])  # type: ignore[arg-type]
    qtbot.keyClicks(dialog.reason, "Said in anger after a game; apologised; no plan or means.")
    with announced(qtbot, workspace.case_id, timeout=5000):
        click(qtbot, dialog.save_button())
    case = demo_app.cases.get(case_id)
    assert case.threat_type == "transient"
    assert case.closure_reason.startswith("Resolved: transient threat.")
    qtbot.waitUntil(lambda: overview.threat_type.text() == "Transient", timeout=5000)


def test_closing_lists_what_it_still_needs_and_a_refusal_is_not_a_reason_error(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case = case_by_title(demo_app, "Repeated harassment of a former friend")  # open plan items
    workspace = open_workspace(qtbot, demo_app, case.id or 0)
    overview = workspace.overview
    click(qtbot, overview.action_buttons[A.CLOSE])
    dialog = overview.last_dialog
    assert isinstance(dialog, WorkflowDialog)
    assert dialog.needs_banner.isVisible()
    assert "open items" in dialog.needs_banner.text()
    assert "closure checklist" in dialog.needs_banner.text()
    dialog.level.setCurrentIndex(dialog.level.findData("low"))  # type: ignore[union-attr]
    qtbot.keyClicks(dialog.reason, JUSTIFICATION)
    click(qtbot, dialog.save_button())
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=5000)
    qtbot.wait(50)
    assert dialog.isVisible()
    assert "management plan still has open items" in dialog.needs_banner.text()
    assert dialog.reason_error.text() == ""  # the reason typed is not what is wrong


def test_moving_to_monitoring_names_overdue_items(qtbot: QtBot, demo_app: Btam) -> None:
    from btam_desktop.services.plans import InterventionInput, PlanInput

    case_id = new_case(demo_app)
    for step in (
        MoveRequest(A.START_SCREENING),
        MoveRequest(A.SCREEN_TO_ASSESSMENT, "substantive", screeners=("demo",)),
        MoveRequest(A.START_MANAGEMENT),
    ):
        demo_app.cases.move(case_id, step)
    late = InterventionInput("Security escort", due_on=utcnow().date() - timedelta(days=3))
    plan = demo_app.plans.save(case_id, PlanInput(interventions=[late]))
    demo_app.plans.approve(plan.id or 0)
    workspace = open_workspace(qtbot, demo_app, case_id)
    click(qtbot, workspace.overview.action_buttons[A.START_MONITORING])
    dialog = workspace.overview.last_dialog
    assert isinstance(dialog, WorkflowDialog)
    assert dialog.needs_banner.isVisible()
    assert "“Security escort”" in dialog.needs_banner.text()
    assert "overdue" in dialog.needs_banner.text()


def test_threat_type_is_set_from_the_overview(qtbot: QtBot, demo_app: Btam) -> None:
    from btam_desktop.ui.workflow_dialogs import ThreatTypeDialog

    case_id = new_case(demo_app)
    workspace = open_workspace(qtbot, demo_app, case_id)
    overview = workspace.overview
    assert overview.threat_type.text() == "Not decided yet"
    click(qtbot, overview.set_threat_button)
    dialog = overview.last_dialog
    assert isinstance(dialog, ThreatTypeDialog)
    dialog.threat_type.setCurrentIndex(dialog.threat_type.findData("substantive"))
    click(qtbot, dialog.save_button())
    assert "Write why" in dialog.rationale_error.text()
    qtbot.keyClicks(dialog.rationale, "Named target, a date and access to a weapon.")
    with announced(qtbot, workspace.case_id, timeout=5000):
        click(qtbot, dialog.save_button())
    qtbot.waitUntil(lambda: overview.threat_type.text() == "Substantive", timeout=5000)
    assert demo_app.cases.get(case_id).threat_type == "substantive"
