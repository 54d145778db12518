"""Printing and saving documents from inside the program: the glue between the entry points
(menus and buttons), the PDF builders in ``btam_desktop.reports`` and the print preview.

Every ``preview_*`` function asks for its few options where there are any (a small dialog,
opened window-modal with ``open()``), builds the document off the GUI thread behind a progress
dialog (``build_in_background``) on the team's paper size (``app.settings().paper_size``), then
opens a :class:`PrintPreviewDialog`. Printing and saving from the preview are recorded in the
audit trail (``record_print`` / ``record_save``, naming the case where there is one). The preview
warns that a saved copy is not encrypted.

The report modules (and reportlab under them) are imported inside each ``preview_*`` function,
so importing this module stays cheap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.workflow import WorkflowError
from btam_desktop.reports import (
    AUDIENCES,
    SECTIONS,
    build_blank_checklist,
    build_case_summary,
    build_meeting_agenda,
    build_recognize_and_report_handout,
    record_preview,
    record_print,
    record_save,
    suggested_file_name,
)
from btam_desktop.reports.case_summary import SECTION_TITLES
from btam_desktop.reports.handout import HANDOUT_LANGUAGES
from btam_desktop.reports.preflight import case_problems, team_problems, warning_text
from btam_desktop.services.app import Btam
from btam_desktop.services.permissions import Permission
from btam_desktop.ui.icons import icon
from btam_desktop.ui.print_preview import PrintPreviewDialog, build_in_background
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.widgets.banner import Banner, BannerKind

logger = logging.getLogger(__name__)

PAPER_LABELS = {"letter": "US Letter", "a4": "A4"}
AUDIENCE_LABELS = {
    "staff": "Staff (teachers, employees, supervisors)",
    "students": "Students",
    "parents": "Parents and families",
}
NOT_ALLOWED = "Your role may not print or export documents."


# ---- helpers ----------------------------------------------------------------------------------


def paper_size(app: Btam) -> str:
    """The team's paper size ("letter" or "a4")."""
    return app.settings().paper_size


def _paper_note(app: Btam) -> QLabel:
    paper = paper_size(app)
    label = QLabel(
        f"Paper: {PAPER_LABELS.get(paper, paper)} (set in Settings for the whole team).", None
    )
    label.setWordWrap(True)
    set_style_role(label, "muted")
    return label


def unprintable_warning(app: Btam, case_id: int | None) -> str:
    """What cannot be printed (characters no font has), field by field; '' if nothing."""
    try:
        problems = case_problems(app, case_id) if case_id is not None else team_problems(app)
    except (VaultError, WorkflowError):
        return ""
    return warning_text(problems)


def _allowed(app: Btam, parent: QWidget) -> bool:
    if app.can(Permission.EXPORT):
        return True
    QMessageBox.information(parent, "Print", NOT_ALLOWED)
    return False


def _audited(
    app: Btam, parent: QWidget, record: Callable[..., None], document: str, case_id: int | None
) -> Callable[[], None]:
    def callback() -> None:
        try:
            record(app, document, case_id)
        except (VaultError, WorkflowError) as error:
            QMessageBox.warning(parent, "Not recorded", str(error))
        except Exception as error:  # a bug: log the type only
            logger.error("recording a document event failed with %s", type(error).__name__)

    return callback


def open_preview(
    app: Btam,
    pdf: bytes,
    *,
    title: str,
    suggested_name: str,
    document: str,
    case_id: int | None,
    parent: QWidget,
    pending: str = "",
) -> PrintPreviewDialog:
    """Open the preview of ``pdf``; printing and saving it are audited as ``document``. The
    preview first says which fields hold characters that cannot be printed, if any.
    ``pending``: ``pdf`` is a first look while the rest is built (see the dialog)."""
    dialog = PrintPreviewDialog(
        pdf,
        title,
        suggested_name,
        on_printed=_audited(app, parent, record_print, document, case_id),
        on_saved=_audited(app, parent, record_save, document, case_id),
        parent=parent,
        warning=unprintable_warning(app, case_id),
        pending=pending,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _audited(app, parent, record_preview, document, case_id)()  # every view is an event
    dialog.open()
    return dialog


def _build_then_preview(
    app: Btam,
    builder: Callable[..., bytes],
    parent: QWidget,
    *,
    title: str | Callable[[], str],
    suggested_name: str | Callable[[], str],
    document: str,
    case_id: int | None = None,
    label: str = "Preparing the document…",
) -> None:
    def built(pdf: bytes) -> None:
        open_preview(
            app,
            pdf,
            title=title() if callable(title) else title,
            suggested_name=suggested_name() if callable(suggested_name) else suggested_name,
            document=document,
            case_id=case_id,
            parent=parent,
        )

    build_in_background(builder, parent=parent, on_done=built, label=label)


def _preview_progressively(
    app: Btam,
    first_page: Callable[..., bytes],
    whole: Callable[..., bytes],
    parent: QWidget,
    *,
    title: Callable[[], str],
    suggested_name: Callable[[], str],
    document: str,
    case_id: int | None,
    label: str,
) -> None:
    """Show page 1 as soon as it is laid out (a long case takes seconds to lay out in full),
    then swap in the whole document; printing waits for it."""

    def first_done(pdf: bytes) -> None:
        dialog = open_preview(
            app,
            pdf,
            title=title(),
            suggested_name=suggested_name(),
            document=document,
            case_id=case_id,
            parent=parent,
            pending="Preparing the other pages\u2026",
        )
        task = run_in_background(
            whole,
            on_done=dialog.replace_document,
            on_error=dialog.pending_failed,
            on_progress=dialog.pending_progress,
            parent=dialog,
        )
        dialog.finished.connect(lambda _result: task.cancel())

    build_in_background(first_page, parent=parent, on_done=first_done, label=label)


class _OptionsDialog(QDialog):
    """A small window-modal dialog: a line of explanation, some options, Preview / Cancel."""

    def __init__(self, title: str, intro: str, app: Btam, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(420)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(18, 16, 18, 14)
        self.body.setSpacing(8)
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        self.body.addWidget(intro_label)
        self.options = QVBoxLayout()
        self.options.setContentsMargins(8, 4, 0, 4)
        self.options.setSpacing(6)
        self.body.addLayout(self.options)
        self.paper_label = _paper_note(app)

    def _finish(self) -> None:
        """Add the paper note and the buttons after the options (so focus and Tab follow the
        order on screen and Preview… stays the default button)."""
        self.body.addWidget(self.paper_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.preview_button = QPushButton(icon("print"), "&Preview…")
        self.buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.preview_button.setDefault(True)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)  # Enter previews, even while Cancel has the focus
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.body.addSpacing(4)
        self.body.addWidget(self.buttons)


class CaseSummaryOptions(_OptionsDialog):
    """Which parts of the case go into the summary (all by default)."""

    def __init__(
        self,
        app: Btam,
        case_number: str = "",
        parent: QWidget | None = None,
        *,
        warning: str = "",
    ) -> None:
        what = f"case {case_number}" if case_number else "the case"
        super().__init__(
            "Print or export the case summary",
            f"Choose the parts of {what} to include. Leave out what the reader does not need.",
            app,
            parent,
        )
        self.boxes: dict[str, QCheckBox] = {}
        for key in SECTIONS:
            box = QCheckBox(SECTION_TITLES.get(key, key.title()))
            box.setChecked(True)
            box.toggled.connect(self._update)
            self.options.addWidget(box)
            self.boxes[key] = box
        self.none_label = QLabel("Choose at least one part.")
        self.none_label.setVisible(False)
        self.options.addWidget(self.none_label)
        length_label = QLabel("Very long narratives and notes:")
        self.options.addSpacing(4)
        self.options.addWidget(length_label)
        self.full_radio = QRadioButton("Print them in &full")
        self.abridged_radio = QRadioButton(
            "Print their first pages &only, with a note of what was left out"
        )
        self.full_radio.setChecked(True)
        self.length_group = QButtonGroup(self)
        for n, radio in enumerate((self.full_radio, self.abridged_radio)):
            self.length_group.addButton(radio, n)
            self.options.addWidget(radio)
        self.warning_banner = Banner(BannerKind.WARNING, warning)
        self.warning_banner.setVisible(bool(warning))
        self.warning_banner.action_button().setAutoDefault(False)  # Enter still previews
        self.options.addWidget(self.warning_banner)
        self._finish()
        if warning:
            # a wrapped message needs room: widen, then let the dialog take the height it needs
            self.setMinimumWidth(560)
            needed = self.warning_banner.heightForWidth(560 - 2 * 18 - 8)
            if needed > 0:
                self.warning_banner.setMinimumHeight(needed)

    def sections(self) -> set[str]:
        return {key for key, box in self.boxes.items() if box.isChecked()}

    def abridged(self) -> bool:
        return self.abridged_radio.isChecked()

    def _update(self) -> None:
        chosen = bool(self.sections())
        self.preview_button.setEnabled(chosen)
        self.none_label.setVisible(not chosen)


class HandoutOptions(_OptionsDialog):
    """Who the recognize-and-report handout is for."""

    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__(
            "Print the recognize-and-report handout",
            "A one-page handout on noticing concerning behavior and how to report it, "
            "with your team's contacts. Who is it for?",
            app,
            parent,
        )
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for n, audience in enumerate(AUDIENCES):
            radio = QRadioButton(AUDIENCE_LABELS.get(audience, audience.title()))
            radio.setChecked(n == 0)
            radio.toggled.connect(self._update_languages)
            self.group.addButton(radio, n)
            self.options.addWidget(radio)
            self.radios[audience] = radio
        self.options.addSpacing(4)
        self.options.addWidget(QLabel("Language:"))
        self.language_group = QButtonGroup(self)
        self.language_radios: dict[str, QRadioButton] = {}
        for n, (code, label) in enumerate((("en", "&English"), ("es", "&Spanish (Español)"))):
            radio = QRadioButton(label)
            radio.setChecked(n == 0)
            self.language_group.addButton(radio, n)
            self.options.addWidget(radio)
            self.language_radios[code] = radio
        self.language_note = QLabel("The staff handout is in English only.")
        set_style_role(self.language_note, "muted")
        self.options.addWidget(self.language_note)
        self._update_languages()
        self._finish()

    def audience(self) -> str:
        for audience, radio in self.radios.items():
            if radio.isChecked():
                return audience
        return AUDIENCES[0]

    def language(self) -> str:
        for code, radio in self.language_radios.items():
            if radio.isChecked() and radio.isEnabled():
                return code
        return "en"

    def _update_languages(self) -> None:
        offered = HANDOUT_LANGUAGES[self.audience()]
        for code, radio in self.language_radios.items():
            radio.setEnabled(code in offered)
        if not self.language_radios[self.language()].isChecked():
            self.language_radios["en"].setChecked(True)
        self.language_note.setVisible(len(offered) == 1)


class ChecklistOptions(_OptionsDialog):
    """Whether the blank checklist carries the guidance text."""

    def __init__(self, app: Btam, form_title: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "Print a blank checklist",
            f"A blank copy of “{form_title}” to fill in by hand.",
            app,
            parent,
        )
        self.guidance_box = QCheckBox("Include the &guidance for each question")
        self.guidance_box.setChecked(True)
        self.guidance_box.setToolTip("Leave it out for a shorter form to fill in at a meeting")
        self.options.addWidget(self.guidance_box)
        self._finish()

    def include_guidance(self) -> bool:
        return self.guidance_box.isChecked()


# ---- the documents ----------------------------------------------------------------------------


def preview_case_summary(
    app: Btam, case_id: int, parent: QWidget, case_number: str = ""
) -> CaseSummaryOptions | None:
    """Ask which sections, then build the case summary and preview it. Returns the options
    dialog (already open), or None when the role may not export."""
    if not _allowed(app, parent):
        return None
    options = CaseSummaryOptions(
        app, case_number, parent, warning=unprintable_warning(app, case_id)
    )
    options.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    names: dict[str, str] = {"number": case_number}

    def chosen() -> None:
        sections = options.sections()
        abridge = options.abridged()
        paper = paper_size(app)

        def build(progress: Callable[..., None]) -> bytes:
            names["number"] = app.cases.get(case_id).number
            return build_case_summary(
                app, case_id, sections=sections, paper=paper, progress=progress, abridge=abridge
            )

        def first_page() -> bytes:
            names["number"] = app.cases.get(case_id).number
            return build_case_summary(
                app, case_id, sections=sections, paper=paper, abridge=abridge, first_page_only=True
            )

        _preview_progressively(
            app,
            first_page,
            build,
            parent,
            title=lambda: f"Case {names['number']} summary",
            suggested_name=lambda: suggested_file_name("case_summary", names["number"]),
            document="case summary",
            case_id=case_id,
            label="Preparing the case summary…",
        )

    options.accepted.connect(chosen)
    options.open()
    return options


def preview_meeting_agenda(app: Btam, parent: QWidget) -> None:
    """Build the team meeting agenda (open cases to discuss) and preview it."""
    if not _allowed(app, parent):
        return
    _build_then_preview(
        app,
        partial(build_meeting_agenda, app, paper=paper_size(app)),
        parent,
        title="Team meeting agenda",
        suggested_name=suggested_file_name("meeting_agenda"),
        document="team meeting agenda",
        label="Preparing the meeting agenda…",
    )


def preview_handout(app: Btam, parent: QWidget) -> HandoutOptions | None:
    """Ask for the audience, then build the recognize-and-report handout and preview it."""
    if not _allowed(app, parent):
        return None
    options = HandoutOptions(app, parent)
    options.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def chosen() -> None:
        audience, language = options.audience(), options.language()
        settings, paper = app.settings(), paper_size(app)
        in_spanish = " in Spanish" if language == "es" else ""
        _build_then_preview(
            app,
            partial(build_recognize_and_report_handout, settings, audience, paper, language),
            parent,
            title=f"Recognize-and-report handout ({audience}){in_spanish}",
            suggested_name=suggested_file_name(
                "handout", audience=audience + (" es" if language == "es" else "")
            ),
            document=f"recognize and report handout ({audience}){in_spanish}",
            label="Preparing the handout…",
        )

    options.accepted.connect(chosen)
    options.open()
    return options


def preview_blank_checklist(
    app: Btam,
    form_id: str,
    parent: QWidget,
    version: str | None = None,
    form_title: str = "",
) -> ChecklistOptions | None:
    """Ask whether to include guidance, then build the blank checklist and preview it."""
    if not _allowed(app, parent):
        return None
    options = ChecklistOptions(app, form_title or form_id, parent)
    options.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    found: dict[str, Any] = {"version": version}

    def chosen() -> None:
        guidance = options.include_guidance()
        team_name, paper = app.settings().team_name, paper_size(app)

        def build() -> bytes:
            registry = app.forms()
            form = registry.form(form_id, version)
            found["version"] = form.version
            scale = registry.scale_for(form) if form.scale is not None else None
            return build_blank_checklist(
                form,
                team_name,
                include_guidance=guidance,
                paper=paper,
                scale=scale,
                confidential_line=app.settings().confidentiality_line.strip() or None,
            )

        _build_then_preview(
            app,
            build,
            parent,
            title=f"Blank checklist {form_id}",
            suggested_name=lambda: suggested_file_name(
                "blank_checklist", form_id=form_id, version=found["version"]
            ),
            document=f"blank checklist {form_id}",
            label="Preparing the checklist…",
        )

    options.accepted.connect(chosen)
    options.open()
    return options


def preview_assessment_report(
    app: Btam, assessment_id: int, parent: QWidget, case_id: int | None = None
) -> bool:
    """Build a completed assessment's report and preview it. False when the role may not
    export."""
    from btam_desktop.reports.assessment_report import build_assessment_report as builder

    if not _allowed(app, parent):
        return False
    ids: dict[str, Any] = {"case": case_id, "number": ""}
    paper = paper_size(app)

    def build(progress: Callable[..., None]) -> bytes:
        if ids["case"] is None:
            ids["case"] = app.assessments.get(assessment_id).case_id
        ids["number"] = app.cases.get(ids["case"]).number
        return builder(app, assessment_id, paper=paper, progress=progress)

    def built(pdf: bytes) -> None:
        open_preview(
            app,
            pdf,
            title=f"Case {ids['number']} assessment",
            suggested_name=suggested_file_name("assessment", ids["number"]),
            document="assessment report",
            case_id=ids["case"],
            parent=parent,
        )

    build_in_background(build, parent=parent, on_done=built, label="Preparing the assessment…")
    return True


def preview_plan_report(app: Btam, case_id: int, plan_id: int | None, parent: QWidget) -> bool:
    """Build the case's management plan report and preview it. False when the role may not
    export."""
    from btam_desktop.reports.plan_report import build_plan_report as builder

    if not _allowed(app, parent):
        return False
    names = {"number": ""}
    paper = paper_size(app)

    def build(progress: Callable[..., None]) -> bytes:
        names["number"] = app.cases.get(case_id).number
        return builder(app, case_id, plan_id, paper=paper, progress=progress)

    _build_then_preview(
        app,
        build,
        parent,
        title=lambda: f"Case {names['number']} management plan",
        suggested_name=lambda: suggested_file_name("management_plan", names["number"]),
        document="management plan",
        case_id=case_id,
        label="Preparing the plan…",
    )
    return True


__all__ = [
    "CaseSummaryOptions",
    "ChecklistOptions",
    "HandoutOptions",
    "open_preview",
    "paper_size",
    "preview_assessment_report",
    "preview_blank_checklist",
    "preview_case_summary",
    "preview_handout",
    "preview_meeting_agenda",
    "preview_plan_report",
]
