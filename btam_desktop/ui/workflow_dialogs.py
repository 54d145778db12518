"""Moving a case through the workflow: one dialog that asks for what the move needs.

    dialog = WorkflowDialog(app, case, WorkflowAction.CLOSE, parent)
    dialog.saved.connect(lambda case: ...)   # the case after the move
    dialog.open()

What a move needs comes from ``domain.workflow.MOVES[action].needs``: a reason, the level of
concern at closure (from the case's own scale), the team members who screened the case. Closing
at a level that needs a documented justification (moderate or above) says so and asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from btam_desktop.domain.enums import CaseStatus, Role, ThreatType
from btam_desktop.domain.forms import LevelScale
from btam_desktop.domain.models import Account, Case
from btam_desktop.domain.workflow import MOVES, MoveRequest, WorkflowAction
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CLOSING_NEEDS_FIELD, TRANSIENT_RESOLUTION
from btam_desktop.ui.case_tabs.common import muted_label, plain_text_edit
from btam_desktop.ui.record_dialogs import checked_values, level_combo, member_list
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.form_dialog import FormDialog

EXPLANATIONS: dict[WorkflowAction, str] = {
    WorkflowAction.START_SCREENING: (
        "The team starts screening this report: it gathers the first facts to decide whether "
        "the concern needs a full threat assessment."
    ),
    WorkflowAction.SCREEN_OUT: (
        "The screening team decided that the person does not pose a threat, so the case "
        "closes as “no threat” with the reason and the level of concern recorded."
    ),
    WorkflowAction.SCREEN_TO_ASSESSMENT: (
        "The screening team decided the concern needs a full threat assessment, so the case "
        "moves to assessment."
    ),
    WorkflowAction.SCREEN_TO_MONITORING: (
        "The screening team decided to watch the situation without a full assessment, so the "
        "case moves to monitoring."
    ),
    WorkflowAction.START_MANAGEMENT: (
        "The assessment is done and the team puts a management plan in place, so the case "
        "moves to management."
    ),
    WorkflowAction.START_MONITORING: (
        "The plan's active steps are done and the team keeps watching for change, so the case "
        "moves to monitoring."
    ),
    WorkflowAction.RESUME_MANAGEMENT: (
        "The concern has grown again, so the case goes back to active management."
    ),
    WorkflowAction.CLOSE: (
        "The team retires the case because it no longer needs management or monitoring; the "
        "level of concern at closure and the reason are kept with the case."
    ),
    WorkflowAction.REOPEN: (
        "New information calls for another look, so the case goes back to screening."
    ),
}

REASON_LABELS: dict[WorkflowAction, str] = {
    WorkflowAction.SCREEN_OUT: "&Reason for the decision:",
    WorkflowAction.SCREEN_TO_ASSESSMENT: "&Reason for the decision:",
    WorkflowAction.SCREEN_TO_MONITORING: "&Reason for the decision:",
    WorkflowAction.CLOSE: "&Reason for closing:",
    WorkflowAction.REOPEN: "&Reason for reopening:",
}

REASON_PLACEHOLDERS: dict[WorkflowAction, str] = {
    WorkflowAction.SCREEN_OUT: "e.g. a joke, resolved with an apology; no intent or capacity",
    WorkflowAction.SCREEN_TO_ASSESSMENT: "e.g. specific threat with a named target and a date",
    WorkflowAction.SCREEN_TO_MONITORING: "e.g. transient anger, but a recent loss at home",
    WorkflowAction.START_MONITORING: "e.g. counseling in place, check-ins weekly",
    WorkflowAction.RESUME_MANAGEMENT: "e.g. new messages to the former friend",
    WorkflowAction.CLOSE: "What changed, what is in place, who agreed",
    WorkflowAction.REOPEN: "e.g. a new report about the same student",
}

JUSTIFICATION_MIN_CHARS = 30

# Moves where the team says whether the threat is transient or substantive.
THREAT_TYPE_MOVES = frozenset(
    {
        WorkflowAction.SCREEN_OUT,
        WorkflowAction.SCREEN_TO_ASSESSMENT,
        WorkflowAction.SCREEN_TO_MONITORING,
        WorkflowAction.CLOSE,
    }
)
THREAT_TYPE_HELP = (
    "Transient: an expression of anger or a joke with no lasting intent, resolved once the "
    "person is heard. Substantive: a serious intent to harm that lasts beyond the moment."
)


def threat_type_combo(current: str = "") -> QComboBox:
    combo = QComboBox()
    combo.addItem("Not decided", "")
    for threat_type in ThreatType:
        combo.addItem(threat_type.label, threat_type.value)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))
    combo.setToolTip(THREAT_TYPE_HELP)
    return combo


def justification_needed(scale: LevelScale, code: str | None) -> bool:
    """Closing at this level needs a documented justification (moderate or above)."""
    if not code or not scale.has_level(code):
        return False
    level = scale.level(code)
    return level.rank >= 1 or level.retire_needs_justification


class WorkflowDialog(FormDialog):
    """Ask for what ``action`` needs, explain it in one sentence, and make the move."""

    def __init__(
        self,
        app: Btam,
        case: Case,
        action: WorkflowAction,
        parent: QWidget | None = None,
        *,
        scale: LevelScale | None = None,
        accounts: Sequence[Account] | None = None,
    ) -> None:
        move = MOVES[action]
        super().__init__(
            f"{action.label}: case {case.number}",
            EXPLANATIONS[action],
            "&" + action.label,
            parent,
        )
        self.app = app
        self.case = case
        self.action = action
        self.move_spec = move
        needs = move.needs
        before = CaseStatus(case.status)
        self.scale = scale if scale is not None else app.scale(case.level_scale)
        self.status_line = muted_label(f"Status now: {before.label}.  After: {move.target.label}.")
        self.status_line.setAccessibleName("Status change")
        self._outer.insertWidget(1, self.status_line)

        self.justification = Banner(BannerKind.WARNING, "", self)
        self.justification.hide()
        self.level = None
        self.level_error = None
        self.level_description: QLabel | None = None
        if needs.closure_level:
            self.level = level_combo(
                self.scale, case.level, none_text="" if case.level else "Choose…"
            )
            self.level_error = self.field(
                "&Level at closure:",
                self.level,
                name="Level of concern at closure",
                key="closure_level",
            )
            self.level_description = muted_label("")
            self.form.addRow("", self.level_description)
            self.level.currentIndexChanged.connect(self._level_changed)

        self.screeners = None
        self.screeners_error = None
        if needs.screeners:
            workers = [
                a
                for a in (accounts if accounts is not None else app.team.members())
                if a.active and a.role != Role.VIEWER.value
            ]
            self.screeners = member_list(
                workers, [app.actor.username], name="Team members who screened", key="username"
            )
            self.screeners_error = self.field(
                "&Screened by:",
                self.screeners,
                key="screeners",
                hint="Two are recommended: a screening decision is best made by at least two "
                "team members.",
                name="Team members who screened",
            )

        self.threat_type: QComboBox | None = None
        if action in THREAT_TYPE_MOVES:
            self.threat_type = threat_type_combo(case.threat_type)
            self.field(
                "&Threat type:",
                self.threat_type,
                hint=THREAT_TYPE_HELP
                + (
                    f" Closing a transient threat records “{TRANSIENT_RESOLUTION}”."
                    if move.target.is_closed
                    else ""
                ),
                name="Threat type",
            )
            self.threat_type.currentIndexChanged.connect(self._threat_type_changed)

        self.needs_banner = Banner(BannerKind.WARNING, "", self)
        self.needs_banner.setAccessibleName("What this move still needs")
        self.needs_banner.hide()
        self._outer.insertWidget(2, self.needs_banner)
        if action == WorkflowAction.CLOSE and case.id is not None:
            closing = app.cases.closing_needs(case.id)
            if closing:
                self.show_needs(
                    "Before the case can close: " + " ".join(n.message for n in closing)
                )
        elif action == WorkflowAction.START_MONITORING and case.id is not None:
            overdue = app.plans.overdue_items(case.id)
            if overdue:
                names = "; ".join(f"“{i.title[:60]}”" for i in overdue[:5])
                more = f" and {len(overdue) - 5} more" if len(overdue) > 5 else ""
                self.show_needs(
                    f"These plan items are overdue: {names}{more}. Mark them done or dropped "
                    "on the Plan tab, or move to monitoring knowing they are still open."
                )

        self.reason = plain_text_edit(4, REASON_PLACEHOLDERS.get(action, ""))
        label = REASON_LABELS.get(action, "&Reason:" if needs.reason else "&Note (optional):")
        self.reason_error = self.field(label, self.reason, key="reason")
        self.reason_caption = self.reason_error.caption
        self._reason_label = label
        if needs.closure_level:
            # Between the level and the reason: what the level chosen asks of the reason.
            self.form.insertRow(self.form.rowCount() - 1, self.justification)

        if needs.coordinator_only:
            self.form.addRow("", muted_label("Only the team's coordinator may close a case."))
        if self.level is not None:
            self._level_changed()
        self.finish_layout()
        self.resize(600, self.sizeHint().height())

    def show_needs(self, text: str) -> None:
        """A refusal or a warning about the case (its plan, its checklist), not about a field."""
        self.needs_banner.set_text(text)
        self.needs_banner.show()

    def _threat_type_changed(self) -> None:
        if self.threat_type is None:
            return
        transient = self.threat_type.currentData() == ThreatType.TRANSIENT.value
        if transient and self.move_spec.target.is_closed:
            self.reason.setPlaceholderText(
                "Why the threat is transient: what was said, how it was resolved, who agreed"
            )
        else:
            self.reason.setPlaceholderText(REASON_PLACEHOLDERS.get(self.action, ""))

    # -- closure level ---------------------------------------------------------------------------

    def needs_justification(self) -> bool:
        if self.level is None:
            return False
        return justification_needed(self.scale, self.level.currentData())

    def _level_changed(self) -> None:
        assert self.level is not None and self.level_description is not None
        code = self.level.currentData()
        if code and self.scale.has_level(code):
            self.level_description.setText(self.scale.level(code).description.strip())
            self.level_description.show()
        else:
            self.level_description.hide()
        needed = self.needs_justification()
        caption = self.reason_caption
        if needed:
            label = self.scale.level(code).label
            self.justification.set_text(
                f"Closing a case at “{label}” concern needs a documented justification. Below, "
                "write what changed, which steps were taken and who agreed that "
                "the case no longer needs management or monitoring."
            )
            self.justification.show()
            if caption is not None:
                caption.setText("&Justification (required):")
        else:
            self.justification.hide()
            if caption is not None:
                caption.setText(self._reason_label)

    # -- saving ----------------------------------------------------------------------------------

    def build_work(self) -> Callable[[], Any] | None:
        needs = self.move_spec.needs
        ok = True
        reason = self.reason.toPlainText()
        code: str | None = None
        if self.level is not None and self.level_error is not None:
            code = self.level.currentData()
            if not code:
                self.field_problem(self.level_error, "Choose the level of concern at closure.")
                ok = False
        screeners: tuple[str, ...] = ()
        if self.screeners is not None and self.screeners_error is not None:
            screeners = tuple(str(v) for v in checked_values(self.screeners))
            if not screeners:
                self.field_problem(
                    self.screeners_error,
                    "Tick the team members who screened the case (two are recommended).",
                )
                ok = False
        if needs.reason and not reason.strip():
            self.field_problem(self.reason_error, self._missing_reason_text())
            ok = False
        elif self.needs_justification() and len(reason.strip()) < JUSTIFICATION_MIN_CHARS:
            self.field_problem(
                self.reason_error,
                "A documented justification needs more than a few words: what changed, what "
                "is in place and who agreed.",
            )
            ok = False
        if not ok:
            return None
        request = MoveRequest(
            action=self.action,
            reason=reason,
            closure_level=code,
            screeners=screeners,
            threat_type=(self.threat_type.currentData() or "") if self.threat_type else "",
        )
        case_id = self.case.id
        assert case_id is not None
        return lambda: self.app.cases.move(case_id, request)

    def _missing_reason_text(self) -> str:
        if self.action == WorkflowAction.REOPEN:
            return "Write why the case is reopened."
        if self.action == WorkflowAction.CLOSE:
            return "Write why the case can be closed."
        return "Write the reason for this decision."

    def place_error(self, field: str, text: str) -> bool:
        if field == CLOSING_NEEDS_FIELD:
            self.show_needs(text)  # about the case, not the reason typed here
            return True
        return super().place_error(field, text)


class ThreatTypeDialog(FormDialog):
    """Record what screening found: a transient or a substantive threat, and why."""

    def __init__(self, app: Btam, case: Case, parent: QWidget | None = None) -> None:
        super().__init__(
            "Transient or substantive threat",
            THREAT_TYPE_HELP + " The decision is kept with your name, the time and the reason.",
            "&Record",
            parent,
        )
        self.app = app
        self.case = case
        self.threat_type = threat_type_combo(case.threat_type)
        self.type_error = self.field("&Threat type:", self.threat_type, name="Threat type")
        self.rationale = plain_text_edit(4, "The facts this rests on")
        self.rationale_error = self.field("&Why:", self.rationale, key="rationale")
        self.finish_layout()
        self.resize(560, self.sizeHint().height())

    def build_work(self) -> Callable[[], Any] | None:
        ok = True
        value = self.threat_type.currentData()
        if not value:
            self.field_problem(self.type_error, "Choose transient or substantive.")
            ok = False
        rationale = self.rationale.toPlainText()
        if not rationale.strip():
            self.field_problem(self.rationale_error, "Write why: the facts this rests on.")
            ok = False
        if not ok:
            return None
        case_id = self.case.id
        assert case_id is not None
        return lambda: self.app.cases.set_threat_type(case_id, ThreatType(value), rationale)


__all__ = [
    "EXPLANATIONS",
    "ThreatTypeDialog",
    "WorkflowDialog",
    "justification_needed",
    "threat_type_combo",
]
