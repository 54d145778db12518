"""The guided assessment wizard: one page per section of a form, the section's guidance beside
its questions, and a summary page where the team decides.

The wizard edits a draft assessment (``app.assessments``). Answers are saved as a draft about a
second after the last change, on every page change, with "Save draft", and when the window
closes; closing never throws work away. The team's decision (level and rationale), which the
assessment draft does not hold, is kept in the person's encrypted drafts (``app.drafts``) until
the assessment is completed.

Questions and sections with a ``show_if`` appear and disappear as answers change. "Next"
refuses while a required question shown on the page has no answer, and says so at the question.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.formatting import person_name, plural
from btam_desktop.domain.forms import (
    Answers,
    FormDefinition,
    LevelScale,
    MissingAnswer,
    Section,
    covered_check,
    missing_required,
    visible_items,
    visible_sections,
)
from btam_desktop.domain.models import Assessment, Case
from btam_desktop.services.app import Btam
from btam_desktop.services.assessments import COMPLETED, Review
from btam_desktop.services.conflicts import EditConflictError
from btam_desktop.services.permissions import Permission
from btam_desktop.services.scales import scale
from btam_desktop.ui import tasks
from btam_desktop.ui.conflict_text import conflict_choice
from btam_desktop.ui.icons import icon
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.screen_fit import resize_to_fit
from btam_desktop.ui.tasks import BackgroundTask, run_in_background
from btam_desktop.ui.theme import current_colors, set_style_role
from btam_desktop.ui.vault_events import VaultChange, announce
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.overlay import BusyOverlay
from btam_desktop.ui.wizard.item_widgets import (
    REQUIRED_MESSAGE,
    ItemWidget,
    card_stylesheet,
    error_color,
    make_item_widget,
)
from btam_desktop.ui.wizard.render import document_css
from btam_desktop.ui.wizard.summary import Participant, SummaryPage
from btam_desktop.ui.wizard.util import (
    KIND_NAMES,
    draft_not_saved,
    error_message,
    esc,
    fmt_clock,
    fmt_datetime,
    guidance_html,
    plain_label,
    role_label,
)

SUMMARY = "__summary__"
MIN_WIDTH = 1000  # fits a 1366×768 screen at 125 % (about 1092 points wide)
#: Kind of the person's encrypted draft that holds the team's decision while it is typed.
DECISION_DRAFT = "assessment-decision"


@dataclass
class WizardData:
    """Everything the wizard needs, read in one go off the GUI thread."""

    assessment: Assessment
    definition: FormDefinition
    answers: Answers
    case: Case
    case_scale: LevelScale
    form_scale: LevelScale | None
    participants: list[Participant]
    original: Assessment | None
    decision: dict[str, Any] | None
    waived: frozenset[str] = frozenset()  # required items not asked for here (see service)


def load_wizard_data(app: Btam, assessment_id: int) -> WizardData:
    """Worker thread: the draft, its own stored definition, the case and the team."""
    assessment = app.assessments.get(assessment_id)
    definition = app.assessments.definition(assessment)
    answers = app.assessments.answers(assessment)
    case = app.cases.get(assessment.case_id)
    case_scale = scale(app.ctx, case.level_scale)
    form_scale: LevelScale | None = None
    if definition.scale:
        try:
            form_scale = scale(app.ctx, definition.scale)
        except VaultError:
            form_scale = None  # a team's scale file was removed; the level is chosen by hand
    participants = [
        Participant(person_name(a.display_name, a.username), a.team_role)
        for a in app.team.members()
        if a.active
    ]
    original = app.assessments.get(assessment.amends_id) if assessment.amends_id else None
    decision = None
    if app.can(Permission.WORK_CASES):
        decision = app.drafts.load(DECISION_DRAFT, str(assessment_id))
    return WizardData(
        assessment,
        definition,
        answers,
        case,
        case_scale,
        form_scale,
        participants,
        original,
        decision,
        app.assessments.waived_items(assessment),
    )


class SectionPage(QWidget):
    """One section: its questions on the left, its guidance on the right."""

    def __init__(
        self,
        section: Section,
        definition: FormDefinition,
        *,
        first: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.section = section
        self.widgets: dict[str, ItemWidget] = {}

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)

        self.scroll_area = QScrollArea(splitter)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setMinimumWidth(420)
        container = QWidget()
        container.setObjectName("questions")
        container.setStyleSheet(card_stylesheet())
        self.scroll_area.setWidget(container)
        column = QVBoxLayout(container)
        column.setContentsMargins(4, 4, 12, 12)
        column.setSpacing(10)
        title = role_label(section.title, "heading")
        title.setAccessibleName(f"Section: {section.title}")
        column.addWidget(title)
        if any(item.required for item in section.items):
            legend = QLabel(
                f'<span style="color:{error_color()}; font-weight:700;">*</span> '
                f'<span style="color:{current_colors().muted_fg};">required</span>'
            )
            legend.setTextFormat(Qt.TextFormat.RichText)
            column.addWidget(legend)
        if not section.items:
            column.addWidget(
                role_label(
                    "This section has no questions. Read the guidance beside this text, then "
                    "go on with Next.",
                    "muted",
                )
            )
        for item in section.items:
            widget = make_item_widget(item, container)
            self.widgets[item.id] = widget
            column.addWidget(widget)
        column.addStretch(1)

        guide = QFrame(splitter)
        guide.setObjectName("guidancePanel")
        guide.setMinimumWidth(260)
        guide_layout = QVBoxLayout(guide)
        guide_layout.setContentsMargins(12, 4, 4, 4)
        guide_layout.setSpacing(4)
        heading = role_label("Guidance", "subheading")
        guide_layout.addWidget(heading)
        self.guidance = QTextBrowser(guide)
        self.guidance.setAccessibleName(f"Guidance for {section.title}")
        self.guidance.setOpenLinks(False)
        self.guidance.document().setDefaultStyleSheet(document_css())
        self.guidance.setHtml(_guidance_document(section, definition, first=first))
        guide_layout.addWidget(self.guidance, 1)

        splitter.addWidget(self.scroll_area)
        splitter.addWidget(guide)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 380])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def first_visible_widget(self) -> ItemWidget | None:
        return next((w for w in self.widgets.values() if not w.isHidden()), None)


def _guidance_document(section: Section, definition: FormDefinition, *, first: bool) -> str:
    parts: list[str] = []
    if section.guidance.strip():
        parts.append(guidance_html(section.guidance))
    else:
        parts.append(
            f'<p style="color:{current_colors().muted_fg};">This section has no guidance of its '
            "own. Answer what the team knows; “Unknown” is an honest answer.</p>"
        )
    if first:
        parts.append("<h3>About this form</h3>")
        if definition.summary:
            parts.append(f"<p>{esc(definition.summary)}</p>")
        parts.append(f"<p><i>{esc(definition.disclaimer)}</i></p>")
        if definition.follows:
            parts.append("<p><b>Follows</b></p><ul>")
            parts.extend(f"<li>{esc(f)}</li>" for f in definition.follows)
            parts.append("</ul>")
    return "".join(parts)


class AssessmentWizard(QDialog):
    """Fill in a draft screening, assessment, interview or checklist, page by page.

    ``completed(assessment_id)`` is emitted after the assessment was completed (the case may
    have moved on); the window then closes. Closing at any other time keeps the draft.
    """

    completed = Signal(int)
    draft_saved = Signal(int)
    need_requested = Signal(str)  # "plan" or "checklist", from the summary
    loaded = Signal()

    #: Autosave this long after the last change.
    AUTOSAVE_MS = 1000

    def __init__(self, app: Btam, assessment_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.assessment_id = assessment_id
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setWindowFlag(Qt.WindowType.WindowMinimizeButtonHint, True)
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setWindowTitle("Assessment")
        # What the summary page needs beside the steps (its answers and the decision column):
        # narrower, the decision column was cut off at the right edge.
        self.setMinimumSize(QSize(MIN_WIDTH, 560))
        resize_to_fit(self, 1220, 800)

        self.data: WizardData | None = None
        self.definition: FormDefinition | None = None
        self.pages: dict[str, SectionPage] = {}
        self.summary: SummaryPage | None = None
        self._widgets: dict[str, ItemWidget] = {}
        self._step_items: dict[str, QListWidgetItem] = {}
        self._answers = Answers()
        self._current = ""
        self._visited: set[str] = set()
        self._editable = app.can(Permission.WORK_CASES)
        self._revision = 0
        self._saved_revision = 0
        self._save_task: BackgroundTask | None = None
        self._after_save: Callable[[], None] | None = None
        self._review_generation = 0
        self._completing = False
        self._finished = False
        self._decision_touched = False
        # The stored draft's revision this copy starts from (issue 16). When someone else saved
        # it meanwhile, autosaving pauses until the person chooses: Save keeps theirs over.
        self._draft_revision: int | None = None
        self._conflict_pending = False
        self._closing = False

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(self.AUTOSAVE_MS)
        self._autosave.timeout.connect(self._save_in_background)

        self._build_frame()
        self.overlay = BusyOverlay(self)
        self.overlay.show_busy("Opening the form…")
        run_in_background(
            partial(load_wizard_data, app, assessment_id),
            on_done=self._loaded,
            on_error=self._load_failed,
            parent=self,
        )

    # ---- frame -----------------------------------------------------------------------------

    def _build_frame(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)

        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.title_label = role_label("", "heading", wrap=False)
        self.title_label.setAccessibleName("Form")
        self.subtitle_label = role_label("", "muted", wrap=False)
        titles.addWidget(self.title_label)
        titles.addWidget(self.subtitle_label)
        header.addLayout(titles, 1)
        progress_box = QVBoxLayout()
        progress_box.setSpacing(4)
        self.progress_label = plain_label("", wrap=False)
        self.progress_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.progress_label.setAccessibleName("Progress")
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setFixedWidth(240)
        self.progress_bar.setFixedHeight(8)
        self.progress_bar.setAccessibleName("Progress through the form")
        progress_box.addWidget(self.progress_label)
        progress_box.addWidget(self.progress_bar, 0, Qt.AlignmentFlag.AlignRight)
        header.addLayout(progress_box)
        outer.addLayout(header)

        self.banner = Banner(BannerKind.WARNING, "", self)
        self.banner.hide()
        outer.addWidget(self.banner)
        self.amend_banner = Banner(BannerKind.INFO, "", self)
        self.amend_banner.hide()
        outer.addWidget(self.amend_banner)

        body = QSplitter(Qt.Orientation.Horizontal, self)
        body.setChildrenCollapsible(False)
        self.steps = QListWidget(body)
        self.steps.setAccessibleName("Sections of the form")
        self.steps.setWordWrap(True)
        self.steps.setMinimumWidth(180)
        self.steps.setMaximumWidth(300)
        self.steps.setSpacing(2)
        self.steps.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.steps.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.steps.itemClicked.connect(self._step_clicked)
        self.steps.itemActivated.connect(self._step_clicked)
        self.stack = QStackedWidget(body)
        body.addWidget(self.steps)
        body.addWidget(self.stack)
        body.setStretchFactor(0, 0)
        body.setStretchFactor(1, 1)
        body.setSizes([230, 990])
        outer.addWidget(body, 1)

        footer = QHBoxLayout()
        footer.setSpacing(8)
        self.save_button = QPushButton(icon("save"), "&Save draft", self)
        self.save_button.setToolTip(
            "Save the answers so far (Ctrl+S). Drafts also save by themselves."
        )
        self.save_button.clicked.connect(self._save_clicked)
        self.saved_label = plain_label("", wrap=False)
        self.saved_label.setAccessibleName("Draft status")
        set_style_role(self.saved_label, "muted")
        self.close_button = QPushButton("Clos&e", self)
        self.close_button.setToolTip("Close the form; the draft is kept and can be continued later")
        self.close_button.clicked.connect(self.close)
        self.back_button = QPushButton("< &Back", self)
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton("&Next >", self)
        self.next_button.setDefault(False)
        self.next_button.setAutoDefault(False)
        self.next_button.clicked.connect(self.go_next)
        self.complete_button = QPushButton(icon("check"), "Co&mplete", self)
        self.complete_button.setAutoDefault(False)
        self.complete_button.clicked.connect(self.complete)
        for button in (self.save_button, self.close_button, self.back_button):
            button.setAutoDefault(False)
        footer.addWidget(self.save_button)
        footer.addWidget(self.saved_label)
        footer.addStretch(1)
        footer.addWidget(self.close_button)
        footer.addSpacing(12)
        footer.addWidget(self.back_button)
        footer.addWidget(self.next_button)
        footer.addWidget(self.complete_button)
        outer.addLayout(footer)
        for button in (self.back_button, self.next_button, self.complete_button, self.save_button):
            button.setEnabled(False)
        self.complete_button.hide()

        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self._save_clicked)

    # ---- loading -----------------------------------------------------------------------------

    def _load_failed(self, error: BaseException) -> None:
        self.overlay.hide_busy()
        self.banner.set_text(
            "This form cannot be opened. " + error_message(error) + " Close this window."
        )
        self.banner.show()

    def _loaded(self, data: WizardData) -> None:
        self.data = data
        self._draft_revision = data.assessment.revision
        definition = data.definition
        self.definition = definition
        self.setWindowTitle(f"{definition.title} — {data.case.number}")
        self.title_label.setText(definition.title)
        kind = KIND_NAMES.get(definition.kind, definition.kind)
        self.subtitle_label.setText(
            f"Case {data.case.number} · {kind} · version {definition.version}"
        )
        if data.assessment.status == COMPLETED:
            self._editable = False
            self.banner.set_kind(BannerKind.INFO)
            self.banner.set_text(
                "This assessment is completed and cannot be changed. To correct it, open it "
                "and choose “Amend…”."
            )
            self.banner.show()
        elif not self._editable:
            self.banner.set_kind(BannerKind.INFO)
            self.banner.set_text(
                f"Your role ({self.app.actor.role.value}) may read this draft but not change it."
            )
            self.banner.show()
        if data.original is not None:
            when = fmt_datetime(data.original.completed_at)
            reason = data.assessment.amendment_reason
            self.amend_banner.set_text(
                f"This draft corrects the assessment completed on {when}. "
                f"Reason: {reason} The original stays in the record unchanged."
            )
            self.amend_banner.show()

        first = True
        for section in definition.sections:
            page = SectionPage(section, definition, first=first, parent=self.stack)
            first = False
            self.pages[section.id] = page
            self.stack.addWidget(page)
            for item_id, widget in page.widgets.items():
                self._widgets[item_id] = widget
                widget.set_answer(data.answers.get(item_id))
                widget.changed.connect(self._item_changed)
                widget.setEnabled(self._editable)
            step = QListWidgetItem(section.title, self.steps)
            step.setData(Qt.ItemDataRole.UserRole, section.id)
            self._step_items[section.id] = step

        summary = SummaryPage(
            definition,
            data.case_scale,
            data.form_scale,
            data.participants,
            self.app.actor.label,
            self.stack,
        )
        self.summary = summary
        summary.set_participants(list(data.assessment.participants))
        if data.decision:
            level = data.decision.get("level")
            if isinstance(level, str) and data.case_scale.has_level(level):
                summary.set_decided_level(level)
            rationale = data.decision.get("rationale")
            if isinstance(rationale, str):
                summary.rationale.setPlainText(rationale)
        summary.jump_requested.connect(self.jump_to_item)
        summary.need_requested.connect(self.need_requested)
        summary.decision_changed.connect(self._decision_changed)
        summary.rationale.textChanged.connect(self._decision_changed)
        for control in (
            summary.level_combo,
            summary.rationale,
            summary.participant_list,
            summary.others,
        ):
            control.setEnabled(self._editable)
        self.stack.addWidget(summary)
        step = QListWidgetItem(_todo_icon(), "Review and complete", self.steps)
        step.setData(Qt.ItemDataRole.UserRole, SUMMARY)
        self._step_items[SUMMARY] = step

        self._answers = self._collect()
        self._refresh_visibility()
        self.save_button.setEnabled(self._editable)
        self.complete_button.setEnabled(self._editable)
        if not self._editable:
            self.save_button.setToolTip("Your role may not change assessments.")
            self.complete_button.setToolTip("Your role may not complete assessments.")
        self.overlay.hide_busy()
        self.saved_label.setText(
            f"Draft last saved {fmt_datetime(data.assessment.updated_at)}"
            if data.answers
            else "New draft"
        )
        self._go(self._resume_page(), save=False, focus=True)
        self.loaded.emit()

    def _resume_page(self) -> str:
        """A new draft starts at the beginning; a resumed one where work stopped."""
        assert self.data is not None and self.definition is not None
        keys = self.page_keys()
        if not self.data.answers:
            return keys[0]
        missing = self._missing(self._answers)
        if not missing:
            self._visited.update(keys[:-1])
            return SUMMARY
        first_missing = self.definition.section_of(missing[0].item_id).id
        self._visited.update(keys[: keys.index(first_missing)])
        return first_missing

    # ---- answers ------------------------------------------------------------------------------

    def _collect(self) -> Answers:
        """Every answer and source typed so far, shown or hidden (for the draft)."""
        entries = {
            item_id: widget.answer()
            for item_id, widget in self._widgets.items()
            if widget.has_content()
        }
        return Answers(entries)

    def answers(self) -> Answers:
        return self._answers

    def final_answers(self) -> Answers:
        """The answers to the questions shown; left-over answers to hidden ones are dropped."""
        assert self.definition is not None
        shown = {item.id for item in visible_items(self.definition, self._answers)}
        return Answers({k: v for k, v in self._answers.items() if k in shown})

    def item_widget(self, item_id: str) -> ItemWidget:
        return self._widgets[item_id]

    def _item_changed(self, item_id: str) -> None:
        self._widgets[item_id].clear_error()
        self._answers = self._collect()
        self._refresh_visibility()
        self._mark_changed()

    def _decision_changed(self) -> None:
        self._decision_touched = True
        self._mark_changed()

    # ---- visibility and navigation --------------------------------------------------------------

    def page_keys(self) -> list[str]:
        """The sections shown now, in order, then the summary."""
        assert self.definition is not None
        return [s.id for s in visible_sections(self.definition, self._answers)] + [SUMMARY]

    def _refresh_visibility(self) -> None:
        assert self.definition is not None
        shown_items = {item.id for item in visible_items(self.definition, self._answers)}
        for item_id, widget in self._widgets.items():
            want = item_id in shown_items
            if widget.isHidden() == want:
                widget.setVisible(want)
                if not want:
                    widget.clear_error()
        keys = self.page_keys()
        missing_by_section: set[str] = {
            self.definition.section_of(m.item_id).id for m in self._missing(self._answers)
        }
        for key, step in self._step_items.items():
            step.setHidden(key not in keys)
            if key == self._current:
                step.setIcon(icon("forms"))
                step.setToolTip("")
            elif key == SUMMARY:
                step.setIcon(_todo_icon())
                step.setToolTip("The summary, the suggested level and the team's decision")
            elif key in self._visited:
                step.setIcon(icon("warning") if key in missing_by_section else icon("check"))
                step.setToolTip(
                    "Required questions still need an answer"
                    if key in missing_by_section
                    else "Done"
                )
            else:
                step.setIcon(_todo_icon())
                step.setToolTip("Not visited yet")
        self._update_progress()

    def _update_progress(self) -> None:
        if not self._current:
            return
        keys = self.page_keys()
        sections = len(keys) - 1
        if self._current == SUMMARY:
            self.progress_label.setText(f"All {sections} sections done: review and complete")
            self.progress_bar.setRange(0, sections + 1)
            self.progress_bar.setValue(sections + 1)
        elif self._current in keys:
            index = keys.index(self._current)
            self.progress_label.setText(f"Section {index + 1} of {sections}")
            self.progress_bar.setRange(0, sections + 1)
            self.progress_bar.setValue(index + 1)
        self.back_button.setEnabled(bool(keys) and self._current != keys[0])

    def current_page(self) -> str:
        """The id of the section shown, or SUMMARY."""
        return self._current

    def progress_text(self) -> str:
        return self.progress_label.text()

    def _go(self, key: str, *, save: bool = True, focus: bool = True) -> None:
        if key != SUMMARY and key not in self.pages:
            return
        if self._current and self._current != key:
            self._visited.add(self._current)
        self._current = key
        page: QWidget = self.summary if key == SUMMARY else self.pages[key]  # type: ignore[assignment]
        self.stack.setCurrentWidget(page)
        step = self._step_items[key]
        self.steps.setCurrentItem(step)
        on_summary = key == SUMMARY
        self.next_button.setVisible(not on_summary)
        self.next_button.setEnabled(True)
        self.complete_button.setVisible(on_summary)
        self.next_button.setText("&Review >" if self._next_key() == SUMMARY else "&Next >")
        self._refresh_visibility()
        if on_summary:
            self._refresh_review()
        elif focus:
            first = self.pages[key].first_visible_widget()
            if first is not None:
                first.focus_editor()
                self.pages[key].scroll_area.verticalScrollBar().setValue(0)
        if save and self._revision > self._saved_revision:
            self._autosave.stop()
            self._save_in_background()

    def _next_key(self) -> str | None:
        keys = self.page_keys()
        if self._current not in keys:
            return None
        index = keys.index(self._current)
        return keys[index + 1] if index + 1 < len(keys) else None

    def _step_clicked(self, step: QListWidgetItem) -> None:
        key = step.data(Qt.ItemDataRole.UserRole)
        if isinstance(key, str) and key != self._current:
            self._go(key)

    def _missing(self, answers: Answers) -> list[MissingAnswer]:
        """Required questions without an answer, less those not asked for in this case."""
        assert self.definition is not None
        waived = self.data.waived if self.data is not None else frozenset()
        return [m for m in missing_required(self.definition, answers) if m.item_id not in waived]

    def missing_on_page(self, key: str) -> list[tuple[str, str]]:
        """(item id, message) for each required question shown on a page without an answer."""
        assert self.definition is not None
        found: list[tuple[str, str]] = []
        for entry in self._missing(self._answers):
            if self.definition.section_of(entry.item_id).id != key:
                continue
            item = self.definition.item(entry.item_id)
            value = self._answers.value(entry.item_id)
            if item.type == "checklist" and isinstance(value, tuple) and value:
                covered = {covered_check(v) for v in value}
                open_checks = [c.label for c in item.options if c.id not in covered]
                message = (
                    "Tick every check, or mark it “does not apply” with a reason, before going "
                    "on. Not ticked yet: "
                ) + ", ".join(open_checks)
            else:
                message = REQUIRED_MESSAGE
            found.append((entry.item_id, message))
        return found

    def go_next(self) -> bool:
        """Next page, unless a required question on this one has no answer (said at it)."""
        if self.definition is None or self._current == SUMMARY:
            return False
        missing = self.missing_on_page(self._current) if self._editable else []
        if missing:
            for number, (item_id, message) in enumerate(missing):
                self._widgets[item_id].show_error(message, focus=number == 0)
            first = self._widgets[missing[0][0]]
            self.pages[self._current].scroll_area.ensureWidgetVisible(first, 0, 40)
            count = len(missing)
            self.saved_label.setText(
                f"{plural(count, 'required question')} on this page "
                f"need{'s' if count == 1 else ''} an answer first."
            )
            return False
        target = self._next_key()
        if target is not None:
            self._go(target)
        return True

    def go_back(self) -> None:
        keys = self.page_keys()
        if self._current in keys:
            index = keys.index(self._current)
            if index > 0:
                self._go(keys[index - 1])

    def jump_to_item(self, item_id: str) -> None:
        """Show the page of a question and point at it (from the summary's missing list)."""
        assert self.definition is not None
        self._go(self.definition.section_of(item_id).id, focus=False)
        widget = self._widgets[item_id]
        message = dict(self.missing_on_page(self._current)).get(item_id, REQUIRED_MESSAGE)
        widget.show_error(message)
        self.pages[self._current].scroll_area.ensureWidgetVisible(widget, 0, 40)

    # ---- saving ---------------------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        return self._revision > self._saved_revision

    def _mark_changed(self) -> None:
        if not self._editable or self._finished:
            return
        self._revision += 1
        self.saved_label.setText("Changes not saved yet")
        if not self._conflict_pending:
            self._autosave.start()

    def _save_clicked(self) -> None:
        if not self._editable or self.data is None:
            return
        self._autosave.stop()
        self._conflict_pending = False  # the person chose: their answers go over the others'
        if self._revision == self._saved_revision:
            self.saved_label.setText(f"Saved at {fmt_clock()}")
            return
        self._save_in_background()

    def _decision_payload(self) -> dict[str, Any] | None:
        if self.summary is None or not self._decision_touched:
            return None
        return {
            "level": self.summary.decided_level(),
            "rationale": self.summary.rationale.toPlainText(),
        }

    def _participants_for_draft(self) -> list[str] | None:
        return self.summary.participants() if self.summary is not None else None

    def _save_work(self) -> Callable[[], int]:
        app, assessment_id = self.app, self.assessment_id
        answers = self._collect()
        participants = self._participants_for_draft()
        decision = self._decision_payload()
        expected = self._draft_revision

        def work() -> int:
            saved = app.assessments.save_draft(
                assessment_id, answers, participants, expected_revision=expected
            )
            if decision is not None:
                app.drafts.save(DECISION_DRAFT, decision, str(assessment_id))
            return saved.revision

        return work

    def _save_in_background(self) -> None:
        if not self._editable or self.data is None or self._completing or self._finished:
            return
        if self._save_task is not None or self._conflict_pending:
            # One save at a time: the next starts when this one is done.
            return
        if self._revision == self._saved_revision:
            return
        revision = self._revision
        self.saved_label.setText("Saving…")
        self._save_task = run_operation(
            self,
            self._save_work(),
            what="save the draft",
            on_done=lambda stored: self._saved(revision, stored),
            on_error=self._save_failed,
            changes=self._change(),
        )

    def _saved(self, revision: int, stored_revision: int | None = None) -> None:
        self._save_task = None
        if stored_revision is not None:
            self._draft_revision = stored_revision
        self._saved_revision = max(self._saved_revision, revision)
        if self._revision == self._saved_revision:
            self.saved_label.setText(f"Saved at {fmt_clock()}")
        self.draft_saved.emit(self.assessment_id)
        follow_up, self._after_save = self._after_save, None
        if follow_up is not None:
            follow_up()
        elif self._revision > self._saved_revision:
            self._autosave.start()

    def _save_failed(self, error: BaseException) -> None:
        self._save_task = None
        self.saved_label.setText("Not saved")
        self.banner.set_kind(BannerKind.WARNING)
        if isinstance(error, EditConflictError) and isinstance(error.current, int):
            self._draft_revision = error.current
            self._conflict_pending = True
            self._autosave.stop()
            self.banner.set_text(
                conflict_choice(
                    error,
                    "Click Save draft",
                    "close this form without saving",
                    where="your answers are still here",
                )
            )
        else:
            self.banner.set_text(draft_not_saved(error))
        self.banner.show()
        self._after_save = None

    def _change(self) -> VaultChange:
        """What a save or the completion changed: this case's assessments, made here."""
        case_id = self.data.case.id if self.data is not None else None
        return VaultChange("assessments", case_id, origin=self)

    def save_drafts(self) -> bool:
        """Save now, on this thread (before the vault locks or the window closes); True when
        something was saved."""
        self._autosave.stop()
        if self._save_task is not None and not self._save_task.is_finished:
            tasks.wait_for_idle(10_000)
        self._autosave.stop()
        if (
            not self._editable
            or self.data is None
            or self._finished
            or not self.has_unsaved_changes()
            or not self.app.vault.is_open
            or (self._conflict_pending and self._closing)  # closing keeps theirs, as offered
        ):
            return False
        revision = self._revision
        try:
            self._draft_revision = self._save_work()()
        except Exception as error:  # shown, never lost silently
            self._save_failed(error)
            return False
        self._saved_revision = revision
        self.saved_label.setText(f"Saved at {fmt_clock()}")
        return True

    def done(self, result: int) -> None:
        if self._completing:
            return  # the completion under way decides; its result closes the window
        self._closing = True
        # Announced only when the window closes: before a lock, nothing should read the vault.
        change = self._change()
        if self.save_drafts():
            announce(change)
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._completing:
            event.ignore()  # the completion under way decides
            return
        super().closeEvent(event)

    # ---- summary and completion ---------------------------------------------------------------

    def _refresh_review(self) -> None:
        if self.data is None or self.summary is None:
            return
        self._review_generation += 1
        generation = self._review_generation
        self.summary.set_loading()
        run_in_background(
            partial(self.app.assessments.review, self.data.assessment, self.final_answers()),
            on_done=lambda review: self._review_ready(generation, review),
            on_error=self._review_failed,
            parent=self,
        )

    def _review_ready(self, generation: int, review: Review) -> None:
        if generation != self._review_generation or self.summary is None:
            return
        self.summary.set_review(review, self.final_answers())

    def _review_failed(self, error: BaseException) -> None:
        if self.summary is not None:
            self.summary.loading_label.hide()
            self.summary.show_error("The summary cannot be prepared. " + error_message(error))

    def complete(self) -> None:
        """Check everything, then complete off the GUI thread."""
        if not self._editable or self.summary is None or self.definition is None:
            return
        if self._completing:
            return
        if self._current != SUMMARY:
            self._go(SUMMARY)
            return
        summary = self.summary
        summary.clear_error()
        answers = self.final_answers()
        missing = self._missing(answers)
        if missing:
            count = len(missing)
            summary.show_error(
                f"Answer the {plural(count, 'required question')} listed above "
                "first; each link goes to its page."
            )
            return
        if not summary.validate():
            return
        args = (answers, summary.decided_level(), summary.rationale_text(), summary.participants())
        if self._save_task is not None:
            self._after_save = lambda: self._start_complete(*args)
            return
        self._start_complete(*args)

    def _start_complete(
        self, answers: Answers, level: str | None, rationale: str, participants: list[str]
    ) -> None:
        self._autosave.stop()
        self._completing = True
        self.overlay.show_busy("Completing the assessment…")
        app, assessment_id, expected = self.app, self.assessment_id, self._draft_revision

        def work() -> Assessment:
            done = app.assessments.complete(
                assessment_id,
                answers,
                decided_level=level,
                rationale=rationale,
                participants=participants,
                expected_revision=expected,
            )
            # The assessment is complete; a decision draft left over would be harmless.
            with contextlib.suppress(VaultError):
                app.drafts.discard(DECISION_DRAFT, str(assessment_id))
            return done

        run_operation(
            self,
            work,
            what="complete the assessment",
            on_done=self._completed,
            on_error=self._complete_failed,
            changes=self._change(),
        )

    def _completed(self, _assessment: Assessment) -> None:
        self._completing = False
        self._finished = True
        self._saved_revision = self._revision
        self.overlay.hide_busy()
        self.completed.emit(self.assessment_id)
        self.close()

    def _complete_failed(self, error: BaseException) -> None:
        self._completing = False
        self.overlay.hide_busy()
        if self.summary is not None:
            self.summary.show_error("Not completed. " + error_message(error))
        self._refresh_review()

    def is_loaded(self) -> bool:
        return self.data is not None

    def discard_on_close(self) -> None:
        """The draft is being discarded: closing must not save it again."""
        self._autosave.stop()
        self._finished = True


@cache
def _todo_icon_for(color: str) -> QIcon:
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(color), 3))
    painter.drawEllipse(QRectF(9, 9, 14, 14))
    painter.end()
    return QIcon(pixmap)


def _todo_icon() -> QIcon:
    """A hollow circle: a step not reached yet."""
    return _todo_icon_for(current_colors().muted_fg)
