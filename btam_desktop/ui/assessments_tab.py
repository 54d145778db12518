"""The "Assessments" tab of a case: every screening, full assessment, interview and checklist
filled in for the case, drafts included, and buttons to start a new one.

Embedding (case workspace)::

    tab = AssessmentsTab(app, case_id, parent)
    tab.refresh()                     # on F5 (changes elsewhere refresh it by themselves)
    tab.save_drafts()                 # before a lock or closing the case
    tab.close_windows()               # after save_drafts(), when the vault locks

A completion or a discarded draft is announced on ``ui.vault_events`` (kind "assessments"),
which the workspace and the other screens follow. Opening a draft shows the wizard; opening a
completed one shows the viewer. Both are separate windows owned by the tab.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from functools import partial

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.enums import CaseStatus
from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.forms import FormDefinition, LevelScale
from btam_desktop.domain.models import Assessment, Case
from btam_desktop.domain.workflow import WorkflowAction
from btam_desktop.services.app import Btam
from btam_desktop.services.assessments import COMPLETED, DRAFT
from btam_desktop.services.cases import CLOSURE_CHECKLIST_ID
from btam_desktop.services.permissions import Permission
from btam_desktop.services.scales import registry, scale
from btam_desktop.ui.icons import icon
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.vault_events import RefreshOnChange, VaultChange, announce
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.flow import FlowLayout
from btam_desktop.ui.widgets.level import LEVEL_COLOR_ROLE, LevelDelegate
from btam_desktop.ui.widgets.record_table import Column, RecordTable
from btam_desktop.ui.wizard.util import (
    KIND_NAMES,
    SETTING_NAMES,
    error_message,
    fmt_datetime,
    role_label,
)
from btam_desktop.ui.wizard.viewer import AssessmentViewer
from btam_desktop.ui.wizard.wizard import DECISION_DRAFT, AssessmentWizard

COLUMNS = ("Form", "Version", "Status", "Started", "Completed", "Level", "Amendment")
LEVEL_COLUMN = COLUMNS.index("Level")

#: (button text, form kind, tooltip) for the start buttons, in workflow order.
START_BUTTONS: tuple[tuple[str, str, str], ...] = (
    ("&Screening…", "screening", "Start a screening: does this report need a full assessment?"),
    ("&Full assessment…", "assessment", "Start a full threat assessment"),
    ("&Interview…", "interview", "Start an interview guide (person of concern, target, ...)"),
    ("Chec&klist…", "checklist", "Start a checklist (team meeting, closure, ...)"),
)


@dataclass
class TabData:
    case: Case
    scale: LevelScale
    assessments: list[Assessment]
    forms: dict[str, list[FormDefinition]] = field(default_factory=dict)
    amended: set[int] = field(default_factory=set)


def _sorted_for_case(forms: list[FormDefinition], setting: str) -> list[FormDefinition]:
    """Forms for the case's own setting first, then general ones, then the others."""

    def rank(form: FormDefinition) -> int:
        if form.setting == setting:
            return 0
        return 1 if form.setting == "any" else 2

    return sorted(forms, key=lambda f: (rank(f), f.title.casefold()))


def load_tab_data(app: Btam, case_id: int) -> TabData:
    """Worker thread: the case, its assessments, and the forms that can be started."""
    case = app.cases.get(case_id)
    assessments = app.assessments.for_case(case_id)
    forms_registry = registry(app.ctx)
    forms = {
        kind: _sorted_for_case(forms_registry.forms(kind), case.setting)
        for _text, kind, _tip in START_BUTTONS
    }
    amended = {a.amends_id for a in assessments if a.amends_id is not None}
    return TabData(case, scale(app.ctx, case.level_scale), assessments, forms, amended)


def _status_text(a: Assessment) -> str:
    if a.status == COMPLETED:
        return "Completed"
    return "Draft (amendment)" if a.amends_id is not None else "Draft"


def _empty_text(status: CaseStatus) -> str:
    hint = {
        CaseStatus.REPORTED: "Start the case's screening from the case overview, then record it "
        "here with Screening….",
        CaseStatus.SCREENING: "This case is waiting for its screening: choose Screening… above.",
        CaseStatus.ASSESSMENT: "This case is ready for a full assessment: choose Full "
        "assessment… above.",
    }.get(status, "")
    return "No screenings or assessments yet." + (f" {hint}" if hint else "")


class AssessmentsTab(QWidget):
    """Assessments of one case, with start, open and discard."""

    loaded = Signal()
    tab_requested = Signal(str)  # another tab of the workspace, e.g. "plan"

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Another tab's save or another computer's change to this case (issue 13).
        self.follow_changes = RefreshOnChange(
            self, self.refresh, wants=lambda change: change.case_id == case_id
        )
        self.app = app
        self.case_id = case_id
        self.data: TabData | None = None
        self._windows: dict[int, QWidget] = {}
        self._pending_select: int | None = None
        self._completed_note: int | None = None
        self._busy = False
        can_work = app.can(Permission.WORK_CASES)
        why_not = (
            f"Your role ({app.actor.role.value}) may view assessments but not start or change them."
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        intro = role_label(
            "Screenings, full assessments, interviews and checklists for this case. A draft is "
            "kept until it is completed or discarded; a completed one never changes (correct "
            "it with an amendment).",
            "muted",
        )
        layout.addWidget(intro)

        buttons = FlowLayout(spacing=6)  # wraps at 1024 px instead of widening the window
        self.start_buttons: dict[str, QPushButton] = {}
        for text, kind, tip in START_BUTTONS:
            button = QPushButton(icon("add"), text, self)
            button.setToolTip(tip if can_work else why_not)
            button.setEnabled(False)
            button.setMenu(QMenu(button))
            self.start_buttons[kind] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.open_button = QPushButton(icon("case-open"), "&Open", self)
        self.open_button.setToolTip("Open the selected assessment (or double-click it)")
        self.open_button.clicked.connect(self.open_selected)
        self.discard_button = QPushButton(icon("remove"), "&Discard draft…", self)
        self.discard_button.setToolTip(
            "Delete the selected draft. Completed assessments are never deleted."
            if can_work
            else why_not
        )
        self.discard_button.clicked.connect(self.discard_selected)
        self.refresh_button = QPushButton(icon("refresh"), "", self)
        self.refresh_button.setAccessibleName("Refresh the list")
        self.refresh_button.setToolTip("Refresh the list")
        self.refresh_button.clicked.connect(self.refresh)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.refresh_button)
        layout.addLayout(buttons)

        self.banner = Banner(BannerKind.INFO, "", self, closable=True)
        self.banner.hide()
        layout.addWidget(self.banner)

        self.table: RecordTable[Assessment] = RecordTable(
            [
                Column(
                    "Form",
                    lambda a: a.form_title or a.form_id,
                    tooltip=lambda a: (
                        f"{KIND_NAMES.get(a.form_kind, a.form_kind)}: {a.form_id} {a.form_version}"
                    ),
                    width=300,
                ),
                Column("Version", lambda a: a.form_version, width=70),
                Column(
                    "Status",
                    _status_text,
                    tooltip=lambda a: (
                        "Not completed yet: open it to continue" if a.status == DRAFT else ""
                    ),
                    roles={
                        Qt.ItemDataRole.DecorationRole: lambda a: icon(
                            "edit" if a.status == DRAFT else "check"
                        )
                    },
                    width=150,
                ),
                Column("Started", lambda a: a.created_at, width=150),
                Column("Completed", lambda a: a.completed_at, width=150),
                Column(
                    "Level",
                    lambda a: self._level(a)[0],
                    sort=self._level_rank,
                    roles={LEVEL_COLOR_ROLE: lambda a: self._level(a)[1] or None},
                    width=110,
                ),
                Column("Amendment", self._amendment_text),
            ],
            "Assessments of this case",
            "",
            parent=self,
        )
        self.table.setItemDelegateForColumn(LEVEL_COLUMN, LevelDelegate(self.table))
        self.table.sortByColumn(COLUMNS.index("Started"), Qt.SortOrder.DescendingOrder)
        # Enter or a double-click opens it, as the Open button does.
        self.table.activated.connect(lambda *_: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(self._sync_buttons)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.empty = role_label(
            "No screenings or assessments yet. Start one with the buttons above.", "muted"
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty.setContentsMargins(0, 24, 0, 0)
        self.list_stack = QStackedWidget(self)
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)
        layout.addWidget(self.list_stack, 1)

        self._can_work = can_work
        self._sync_buttons()
        self.refresh()

    # ---- loading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        run_in_background(
            partial(load_tab_data, self.app, self.case_id),
            on_done=self._loaded,
            on_error=self._failed,
            parent=self,
        )

    def _failed(self, error: BaseException) -> None:
        self.banner.set_kind(BannerKind.WARNING)
        self.banner.set_text("The assessments cannot be listed. " + error_message(error))
        self.banner.show()

    def _loaded(self, data: TabData) -> None:
        self.data = data
        keep = self._pending_select if self._pending_select is not None else self.selected_id()
        self._pending_select = None
        self.table.set_rows(data.assessments)
        self.list_stack.setCurrentWidget(self.table if data.assessments else self.empty)
        self.empty.setText(_empty_text(CaseStatus(data.case.status)))
        if keep is not None:
            self.select_id(keep)
        self._build_menus(data)
        if self._completed_note is not None:
            self._show_completion(self._completed_note, data)
            self._completed_note = None
        self._sync_buttons()
        self.loaded.emit()

    def _level(self, a: Assessment) -> tuple[str, str]:
        """(label, colour) of the level decided in an assessment; the raw name (no colour)
        when it was decided on another scale."""
        if not a.decided_level or self.data is None:
            return ("", "")
        case_scale = self.data.scale
        same = (a.decision_scale or case_scale.id) == case_scale.id
        if same and case_scale.has_level(a.decided_level):
            level = case_scale.level(a.decided_level)
            return (level.label, level.color)
        return (a.decided_level, "")

    def _level_rank(self, a: Assessment) -> object:
        """Levels sort by their place on the case's scale, not by their names."""
        if not a.decided_level or self.data is None:
            return None
        case_scale = self.data.scale
        same = (a.decision_scale or case_scale.id) == case_scale.id
        if same and case_scale.has_level(a.decided_level):
            return case_scale.level(a.decided_level).rank
        return None

    def _amendment_text(self, a: Assessment) -> str:
        if self.data is not None and a.id in self.data.amended:
            return "Amended later"
        return "Amends an earlier one" if a.amends_id is not None else ""

    def _build_menus(self, data: TabData) -> None:
        closed = CaseStatus(data.case.status).is_closed
        for _text, kind, tip in START_BUTTONS:
            button = self.start_buttons[kind]
            menu = button.menu()
            assert menu is not None
            menu.clear()
            forms = data.forms.get(kind, [])
            for form in forms:
                text = form.title
                if form.setting not in ("any", data.case.setting):
                    text += f"  (for {SETTING_NAMES.get(form.setting, form.setting)})"
                if not form.builtin:
                    text += "  · team's own"
                action = QAction(text, menu)
                action.setData(form.id)
                action.setToolTip(form.summary)
                action.triggered.connect(lambda _=False, form_id=form.id: self.start_form(form_id))
                menu.addAction(action)
            if not self._can_work:
                button.setEnabled(False)
            elif closed:
                button.setEnabled(False)
                button.setToolTip("This case is closed. Reopen it before assessing again.")
            elif not forms:
                button.setEnabled(False)
                button.setToolTip("No form of this kind is installed.")
            else:
                button.setEnabled(True)
                button.setToolTip(tip)

    def form_actions(self, kind: str) -> list[QAction]:
        menu = self.start_buttons[kind].menu()
        return list(menu.actions()) if menu is not None else []

    # ---- selection ---------------------------------------------------------------------------

    def selected_id(self) -> int | None:
        return self.table.selected_id()

    def select_id(self, assessment_id: int) -> bool:
        return self.table.select_id(assessment_id)

    def row_count(self) -> int:
        return self.table.row_count()

    def row_texts(self) -> list[list[str]]:
        """The rows as shown, top to bottom (for tests and checks)."""
        proxy = self.table.proxy
        return [
            [str(proxy.index(row, column).data() or "") for column in range(len(COLUMNS))]
            for row in range(proxy.rowCount())
        ]

    def selected_assessment(self) -> Assessment | None:
        """The assessment on the selected row (the record itself)."""
        return self.table.selected_row()

    def _selected(self) -> Assessment | None:
        return self.table.selected_row()

    def _sync_buttons(self) -> None:
        chosen = self._selected()
        self.open_button.setEnabled(chosen is not None)
        is_draft = chosen is not None and chosen.status == DRAFT
        self.discard_button.setEnabled(self._can_work and is_draft)

    def _context_menu(self, point: QPoint) -> None:
        if self._selected() is None:
            return
        menu = QMenu(self)
        menu.addAction(icon("case-open"), "Open", self.open_selected)
        discard = menu.addAction(icon("remove"), "Discard draft…", self.discard_selected)
        discard.setEnabled(self.discard_button.isEnabled())
        menu.popup(self.table.viewport().mapToGlobal(point))

    # ---- starting ------------------------------------------------------------------------------

    def _need_requested(self, where: str) -> None:
        """The wizard's summary asked for what closing needs: the plan, or the checklist."""
        if where == "checklist":
            self.start_form(CLOSURE_CHECKLIST_ID)
        else:
            self.tab_requested.emit(where)

    def start_form(self, form_id: str) -> None:
        """Start a draft of a form for this case (or continue an existing draft of it)."""
        if self.data is None or self._busy:
            return
        existing = next(
            (
                a
                for a in self.data.assessments
                if a.form_id == form_id and a.status == DRAFT and a.amends_id is None
            ),
            None,
        )
        if existing is not None and existing.id is not None:
            answer = QMessageBox.question(
                self,
                "Continue the draft?",
                f"A draft of “{existing.form_title}” for this case was started "
                f"{fmt_datetime(existing.created_at)} and is not completed.\n\n"
                "Continue that draft? Choose No to start another one.",
                QMessageBox.StandardButton.Yes
                | QMessageBox.StandardButton.No
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Yes,
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.open_assessment(existing.id)
                return
            if answer != QMessageBox.StandardButton.No:
                return
        self._busy = True
        run_in_background(
            partial(self.app.assessments.start, self.case_id, form_id),
            on_done=self._started,
            on_error=self._start_failed,
            parent=self,
        )

    def _started(self, assessment: Assessment) -> None:
        self._busy = False
        assert assessment.id is not None
        self._pending_select = assessment.id
        self.open_assessment(assessment.id)
        self.refresh()

    def _start_failed(self, error: BaseException) -> None:
        self._busy = False
        self.banner.set_kind(BannerKind.WARNING)
        self.banner.set_text("The form was not started. " + error_message(error))
        self.banner.show()

    # ---- opening ------------------------------------------------------------------------------

    def open_selected(self) -> None:
        selected = self.selected_id()
        if selected is not None:
            self.open_assessment(selected)

    def open_assessment(self, assessment_id: int) -> QWidget | None:
        """The wizard for a draft, the viewer for a completed one (raised if already open)."""
        window = self._windows.get(assessment_id)
        if window is not None:
            window.show()
            window.raise_()
            window.activateWindow()
            return window
        status = self._status_of(assessment_id)
        if status is None:
            return None
        if status == DRAFT:
            wizard = AssessmentWizard(self.app, assessment_id, self)
            wizard.completed.connect(self._wizard_completed)
            wizard.need_requested.connect(self._need_requested)
            window = wizard
        else:
            viewer = AssessmentViewer(self.app, assessment_id, self)
            viewer.opener = self._open_after_viewer
            window = viewer
        self._windows[assessment_id] = window
        window.destroyed.connect(lambda _=None, key=assessment_id: self._windows.pop(key, None))
        window.show()
        return window

    def _open_after_viewer(self, assessment_id: int) -> None:
        self._pending_select = assessment_id
        self.open_assessment(assessment_id)
        self.refresh()

    def _status_of(self, assessment_id: int) -> str | None:
        if self.data is not None:
            for a in self.data.assessments:
                if a.id == assessment_id:
                    return a.status
        try:
            return self.app.assessments.get(assessment_id).status
        except VaultError as error:
            self._failed(error)
            return None

    def open_windows(self) -> dict[int, QWidget]:
        """The wizard and viewer windows open now, by assessment id."""
        return dict(self._windows)

    def _wizard_completed(self, assessment_id: int) -> None:
        self._pending_select = assessment_id
        self._completed_note = assessment_id
        self.refresh()
        self._announce()

    def _announce(self) -> None:
        announce(VaultChange("assessments", self.case_id, origin=self))

    def _show_completion(self, assessment_id: int, data: TabData) -> None:
        done = next((a for a in data.assessments if a.id == assessment_id), None)
        if done is None:
            return
        text = f"“{done.form_title}” was completed."
        if done.workflow_action:
            try:
                label = WorkflowAction(done.workflow_action).label
            except ValueError:
                label = done.workflow_action
            text += f" The case moved on: {label}. It is now at: "
            text += f"{CaseStatus(data.case.status).label}."
        self.banner.set_kind(BannerKind.INFO)
        self.banner.set_text(text)
        self.banner.show()

    # ---- discarding ---------------------------------------------------------------------------

    def discard_selected(self) -> None:
        chosen = self._selected()
        if chosen is None or chosen.status != DRAFT or chosen.id is None or not self._can_work:
            return
        answer = QMessageBox.question(
            self,
            "Discard the draft?",
            f"Discard the draft of “{chosen.form_title}” started "
            f"{fmt_datetime(chosen.created_at)}?\n\nIts answers are deleted. This cannot be "
            "undone.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Discard:
            return
        assessment_id = chosen.id
        window = self._windows.pop(assessment_id, None)
        if isinstance(window, AssessmentWizard):
            window.discard_on_close()
            window.close()
        app = self.app

        def work() -> None:
            app.assessments.discard_draft(assessment_id)
            with contextlib.suppress(VaultError):
                app.drafts.discard(DECISION_DRAFT, str(assessment_id))

        run_in_background(work, on_done=self._discarded, on_error=self._discard_failed, parent=self)

    def _discarded(self, _result: object) -> None:
        self.banner.set_kind(BannerKind.INFO)
        self.banner.set_text("The draft was discarded.")
        self.banner.show()
        self.refresh()
        self._announce()

    def _discard_failed(self, error: BaseException) -> None:
        self.banner.set_kind(BannerKind.WARNING)
        self.banner.set_text("The draft was not discarded. " + error_message(error))
        self.banner.show()

    # ---- lock and close ----------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        return any(
            isinstance(w, AssessmentWizard) and w.has_unsaved_changes()
            for w in self._windows.values()
        )

    def save_drafts(self) -> None:
        """Save every open wizard's draft now (before a lock or closing the case)."""
        for window in list(self._windows.values()):
            if isinstance(window, AssessmentWizard):
                window.save_drafts()

    def close_windows(self) -> None:
        """Close the wizard and viewer windows (their drafts are saved first)."""
        for window in list(self._windows.values()):
            window.close()
