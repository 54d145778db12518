"""A completed assessment, read-only, rendered with the definition it was made with.

The stored copy of the definition (``app.assessments.definition``) is used, never the form file
of today: a question reworded or removed since still shows as it was asked. The header names
the form's version and the start of its content hash, so anyone can tell which text was used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.formatting import person_name
from btam_desktop.domain.forms import (
    Answers,
    FormDefinition,
    InformationGap,
    LevelScale,
    findings,
    information_gaps,
)
from btam_desktop.domain.forms.rules import Findings
from btam_desktop.domain.models import Assessment, Case
from btam_desktop.domain.workflow import WorkflowAction
from btam_desktop.services.app import Btam
from btam_desktop.services.assessments import COMPLETED, DRAFT
from btam_desktop.services.permissions import Permission
from btam_desktop.services.scales import scale
from btam_desktop.ui.icons import icon
from btam_desktop.ui.screen_fit import resize_to_fit
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import current_colors
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.overlay import BusyOverlay
from btam_desktop.ui.wizard.item_widgets import error_color
from btam_desktop.ui.wizard.render import answers_html, document_css, findings_html, gaps_html
from btam_desktop.ui.wizard.util import (
    KIND_NAMES,
    error_message,
    esc,
    fmt_datetime,
    level_chip_html,
    plain_label,
    role_label,
)

HASH_PREFIX = 12


@dataclass
class ViewerData:
    assessment: Assessment
    definition: FormDefinition
    answers: Answers
    case: Case
    decision_scale: LevelScale | None
    form_scale: LevelScale | None
    names: dict[int, str]
    amended_by: list[Assessment]
    original: Assessment | None
    findings: Findings
    gaps: list[InformationGap]


def _scale_or_none(app: Btam, scale_id: str | None) -> LevelScale | None:
    if not scale_id:
        return None
    try:
        return scale(app.ctx, scale_id)
    except VaultError:
        return None


def load_viewer_data(app: Btam, assessment_id: int) -> ViewerData:
    """Worker thread: the assessment with its own stored definition, and what it links to."""
    assessment = app.assessments.get(assessment_id)
    definition = app.assessments.definition(assessment)
    answers = app.assessments.answers(assessment)
    case = app.cases.get(assessment.case_id)
    names = {
        a.id: person_name(a.display_name, a.username)
        for a in app.team.members(include_inactive=True)
        if a.id is not None
    }
    original = app.assessments.get(assessment.amends_id) if assessment.amends_id else None
    app.record_event(  # every view is an event (issue 11); the form id only, never content
        "assessment.view",
        "assessment",
        assessment_id,
        f"{assessment.form_id} opened in the viewer",
        case_id=assessment.case_id,
        permission=Permission.VIEW_CASES,
    )
    return ViewerData(
        assessment=assessment,
        definition=definition,
        answers=answers,
        case=case,
        decision_scale=_scale_or_none(app, assessment.decision_scale or case.level_scale),
        form_scale=_scale_or_none(app, definition.scale),
        names=names,
        amended_by=app.assessments.amended_by(assessment_id),
        original=original,
        findings=findings(definition, answers),
        gaps=information_gaps(definition, answers),
    )


def _chip(scale: LevelScale | None, code: str | None) -> str:
    if not code:
        return ""
    if scale is not None and scale.has_level(code):
        level = scale.level(code)
        return level_chip_html(level.label, level.color)
    return level_chip_html(code, "#808080")


def viewer_html(data: ViewerData) -> str:
    """The whole record as one readable document."""
    a = data.assessment
    muted = current_colors().muted_fg
    parts: list[str] = ["<h2>The team's decision</h2>"]
    if a.decided_level:
        scale_name = f" on “{esc(data.decision_scale.title)}”" if data.decision_scale else ""
        parts.append(
            f"<p><b>Level of concern:</b> {_chip(data.decision_scale, a.decided_level)}"
            f'<span style="color:{muted};">{scale_name}</span></p>'
        )
    else:
        parts.append("<p><b>Level of concern:</b> no level was decided with this form.</p>")
    if a.decision_rationale:
        parts.append(
            f"<p><b>Rationale:</b><br>{esc(a.decision_rationale).replace(chr(10), '<br>')}</p>"
        )
    elif a.decided_level:
        parts.append(
            f'<p><b>Rationale:</b> <span style="color:{muted};">none written; the team agreed '
            "with the suggestion.</span></p>"
        )
    if a.participants:
        caption = "Screened by" if a.form_kind == "screening" else "Who took part"
        parts.append(f"<p><b>{caption}:</b> {esc(', '.join(a.participants))}</p>")
    if a.workflow_action:
        try:
            action = WorkflowAction(a.workflow_action).label
        except ValueError:
            action = a.workflow_action
        parts.append(f"<p><b>Effect on the case:</b> {esc(action)}</p>")
    parts.append("<h3>What the form suggested</h3>")
    if a.suggested_level:
        parts.append(f"<p>{_chip(data.form_scale, a.suggested_level)}</p>")
    parts.append(f"<p>{esc(a.suggestion or 'This form does not suggest a level of concern.')}</p>")
    parts.append(findings_html(data.findings))
    parts.append(gaps_html(data.gaps))
    parts.append("<h2>Answers by section</h2>")
    parts.append(answers_html(data.definition, data.answers))
    parts.append(
        f'<p style="margin-top:18px; color:{muted};"><i>{esc(data.definition.disclaimer)}</i></p>'
    )
    if data.definition.license:
        parts.append(f'<p style="color:{muted};">Licence: {esc(data.definition.license)}</p>')
    return "".join(parts)


class AmendDialog(QDialog):
    """Asks what is being corrected and why, before an amendment draft is started."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Amend a completed assessment")
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        intro = plain_label(
            "A completed assessment never changes. An amendment is a new draft with the same "
            "answers, linked to the original; the original stays in the record. Say what is "
            "being corrected and why."
        )
        layout.addWidget(intro)
        label = QLabel("&Reason for the amendment")
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setAccessibleName("Reason for the amendment")
        self.reason.setMinimumHeight(self.reason.fontMetrics().lineSpacing() * 4 + 14)
        label.setBuddy(self.reason)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        self.message = plain_label("")
        self.message.setStyleSheet(f"QLabel {{ color: {error_color()}; font-weight: 600; }}")
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Start the amendment")
        ok.setAccessibleName("Start the amendment")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(520, 280)

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def _accept(self) -> None:
        if not self.reason_text():
            self.message.setText("Say what is being corrected and why.")
            self.message.show()
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.accept()


class AssessmentViewer(QDialog):
    """Read a completed assessment. Members may start an amendment from here."""

    loaded = Signal()
    amendment_started = Signal(int)

    def __init__(self, app: Btam, assessment_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.assessment_id = assessment_id
        self.data: ViewerData | None = None
        #: Opens another assessment (a link, or the new amendment). The assessments tab sets
        #: this to its own opener; on its own the viewer opens the window itself.
        self.opener: Callable[[int], None] = self._open_itself
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setWindowTitle("Assessment")
        self.setMinimumSize(QSize(640, 480))
        resize_to_fit(self, 980, 780)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(6)
        self.title_label = role_label("", "heading")
        self.title_label.setAccessibleName("Form")
        outer.addWidget(self.title_label)
        self.version_label = role_label("", "muted")
        self.version_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.version_label.setAccessibleName("Form version and content hash")
        outer.addWidget(self.version_label)
        self.status_label = plain_label("")
        self.status_label.setAccessibleName("Status")
        outer.addWidget(self.status_label)
        self.links = QVBoxLayout()
        self.links.setSpacing(0)
        outer.addLayout(self.links)
        self.banner = Banner(BannerKind.WARNING, "", self)
        self.banner.hide()
        outer.addWidget(self.banner)
        self.document = QTextBrowser(self)
        self.document.setOpenLinks(False)
        self.document.setAccessibleName("The completed assessment")
        self.document.document().setDefaultStyleSheet(document_css())
        outer.addWidget(self.document, 1)

        buttons = QHBoxLayout()
        self.amend_button = QPushButton(icon("edit"), "&Amend…", self)
        self.amend_button.setAutoDefault(False)
        self.amend_button.clicked.connect(self.ask_amendment)
        self.amend_button.setEnabled(False)
        self.close_button = QPushButton("&Close", self)
        self.close_button.clicked.connect(self.close)
        buttons.addWidget(self.amend_button)
        self.print_button = QPushButton(icon("print"), "&Print…", self)
        self.print_button.setAutoDefault(False)
        self.print_button.setToolTip("Preview, print or save this assessment")
        self.print_button.clicked.connect(self.print_assessment)
        self.print_button.setEnabled(False)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        outer.addLayout(buttons)
        self.amend_dialog: AmendDialog | None = None

        self.overlay = BusyOverlay(self)
        self.overlay.show_busy("Opening the assessment…")
        run_in_background(
            partial(load_viewer_data, app, assessment_id),
            on_done=self._loaded,
            on_error=self._failed,
            parent=self,
        )

    def print_assessment(self) -> None:
        from btam_desktop.ui.printing import preview_assessment_report

        case_id = self.data.case.id if self.data is not None else None
        preview_assessment_report(self.app, self.assessment_id, self, case_id)

    def _failed(self, error: BaseException) -> None:
        self.overlay.hide_busy()
        self.banner.set_text("This assessment cannot be shown. " + error_message(error))
        self.banner.show()

    def _loaded(self, data: ViewerData) -> None:
        self.data = data
        a, definition = data.assessment, data.definition
        self.overlay.hide_busy()
        self.setWindowTitle(f"{definition.title} — {data.case.number}")
        self.title_label.setText(definition.title)
        kind = KIND_NAMES.get(definition.kind, definition.kind)
        self.version_label.setText(
            f"Case {data.case.number} · {kind} · version {definition.version} · "
            f"content hash {a.form_hash[:HASH_PREFIX]}"
        )
        self.version_label.setToolTip(
            f"Made with {definition.id} version {definition.version}.\n"
            f"Content hash (SHA-256): {a.form_hash}\n"
            "The assessment is always shown with this exact version of the form."
        )
        if a.status == COMPLETED:
            who = data.names.get(a.completed_by_id or -1, "a former team member")
            self.status_label.setText(f"Completed {fmt_datetime(a.completed_at)} by {who}.")
        else:
            who = data.names.get(a.created_by_id or -1, "a former team member")
            self.status_label.setText(
                f"Draft started {fmt_datetime(a.created_at)} by {who}; not completed yet."
            )
        self._add_links(data)
        self.document.setHtml(viewer_html(data))

        self.print_button.setEnabled(a.status == COMPLETED)
        can_amend = self.app.can(Permission.WORK_CASES)
        if a.status != COMPLETED:
            self.amend_button.setEnabled(False)
            self.amend_button.setToolTip("Only a completed assessment is amended; edit the draft.")
        elif not can_amend:
            self.amend_button.setEnabled(False)
            self.amend_button.setToolTip(
                f"Your role ({self.app.actor.role.value}) may view assessments but not amend them."
            )
        else:
            self.amend_button.setEnabled(True)
            self.amend_button.setToolTip(
                "Correct this assessment: a new draft with the same answers, linked to this one"
            )
        self.loaded.emit()

    def _add_links(self, data: ViewerData) -> None:
        if data.original is not None:
            when = fmt_datetime(data.original.completed_at)
            reason = data.assessment.amendment_reason
            self._link(
                f"Amends the assessment completed {when}",
                data.original.id,
                f"Reason for the amendment: {reason}",
            )
            note = plain_label(f"Reason for the amendment: {reason}")
            self.links.addWidget(note)
        for newer in data.amended_by:
            if newer.id is None:
                continue
            if newer.status == DRAFT:
                text = (
                    f"Amended by a draft started {fmt_datetime(newer.created_at)} (not completed)"
                )
            else:
                text = f"Amended by the assessment completed {fmt_datetime(newer.completed_at)}"
            self._link(text, newer.id, f"Reason: {newer.amendment_reason}")
        if data.amended_by:
            self.banner.set_kind(BannerKind.INFO)
            self.banner.set_text(
                "This assessment has been amended. It stays in the record as it was; the "
                "amendment holds the correction."
            )
            self.banner.show()

    def _link(self, text: str, target: int | None, tooltip: str) -> None:
        if target is None:
            return
        button = QPushButton(text, self)
        button.setFlat(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setStyleSheet(
            "QPushButton { text-align: left; padding: 2px 0px; color: palette(link); "
            "text-decoration: underline; }"
        )
        button.setToolTip(tooltip)
        button.setAccessibleName(text)
        button.setProperty("target", target)
        button.clicked.connect(lambda _=False, t=target: self.opener(t))
        self.links.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)

    def link_buttons(self) -> list[QPushButton]:
        found = []
        for index in range(self.links.count()):
            child = self.links.itemAt(index)
            widget = child.widget() if child is not None else None
            if isinstance(widget, QPushButton):
                found.append(widget)
        return found

    def text(self) -> str:
        """Everything shown, as plain text (header and document)."""
        return "\n".join(
            [
                self.title_label.text(),
                self.version_label.text(),
                self.status_label.text(),
                *(b.text() for b in self.link_buttons()),
                self.document.toPlainText(),
            ]
        )

    # ---- amending ----------------------------------------------------------------------------

    def ask_amendment(self) -> None:
        dialog = AmendDialog(self)
        self.amend_dialog = dialog
        dialog.accepted.connect(lambda: self._amend(dialog.reason_text()))
        dialog.open()

    def _amend(self, reason: str) -> None:
        self.amend_button.setEnabled(False)
        self.overlay.show_busy("Starting the amendment…")
        run_in_background(
            partial(self.app.assessments.amend, self.assessment_id, reason),
            on_done=self._amended,
            on_error=self._amend_failed,
            parent=self,
        )

    def _amended(self, amendment: Assessment) -> None:
        self.overlay.hide_busy()
        assert amendment.id is not None
        self.amendment_started.emit(amendment.id)
        self.opener(amendment.id)
        self.close()

    def _amend_failed(self, error: BaseException) -> None:
        self.overlay.hide_busy()
        self.amend_button.setEnabled(True)
        self.banner.set_kind(BannerKind.WARNING)
        self.banner.set_text("The amendment was not started. " + error_message(error))
        self.banner.show()

    def _open_itself(self, assessment_id: int) -> None:
        from btam_desktop.ui.wizard.wizard import AssessmentWizard

        parent = self.parentWidget()
        target = self.app.assessments.get(assessment_id)
        window: QDialog
        if target.status == DRAFT:
            window = AssessmentWizard(self.app, assessment_id, parent)
        else:
            window = AssessmentViewer(self.app, assessment_id, parent)
        window.show()
