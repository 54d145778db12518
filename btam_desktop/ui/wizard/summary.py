"""The wizard's last page: what the answers show, what the form suggests and why, what is still
missing or unknown, what completing will do to the case, and the team's decision.

Left: a readable document (red flags, risk and protective factors, information gaps, every
answer by section). Right: the suggestion, the questions still to answer (each a link to its
page), the workflow consequence, and the decision: the level on the case's scale, the
rationale (required when the decision differs from the suggestion or the scales differ) and who
took part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.formatting import plural
from btam_desktop.domain.forms import Answers, FormDefinition, LevelScale
from btam_desktop.services.assessments import Review
from btam_desktop.ui.theme import current_colors
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.level import LevelBadge
from btam_desktop.ui.wizard.item_widgets import error_color
from btam_desktop.ui.wizard.render import answers_html, document_css, findings_html, gaps_html
from btam_desktop.ui.wizard.util import plain_label, role_label

NEED_ACTIONS = {
    "plan": "Open the &plan to mark items done or dropped",
    "checklist": "Start the closure &checklist",
}


@dataclass(frozen=True)
class Participant:
    """A team member who can be ticked as having taken part."""

    name: str  # what is stored: the display name
    detail: str = ""  # shown beside it: role on the team


def level_icon(color: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = QColor(color)
    painter.setPen(fill.darker(130))
    painter.setBrush(fill)
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


def split_names(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]


class _FieldMessage(QLabel):
    """A line under a decision field: a hint (muted) or a problem (red)."""

    def __init__(self, field: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._field = field
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self._problem = False
        self.hide()

    def _outline(self, on: bool) -> None:
        kind = type(self._field).__name__
        if isinstance(self._field, QPlainTextEdit | QLineEdit):
            self._field.setStyleSheet(
                f"{kind} {{ border: 2px solid {error_color()}; }}" if on else ""
            )

    def show_hint(self, text: str) -> None:
        self._problem = False
        self._outline(False)
        self.setStyleSheet(f"QLabel {{ color: {current_colors().muted_fg}; }}")
        self._set(text)

    def show_problem(self, text: str) -> None:
        self._problem = True
        self._outline(True)
        self.setStyleSheet(f"QLabel {{ color: {error_color()}; font-weight: 600; }}")
        self._set(text)

    def _set(self, text: str) -> None:
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(bool(text))

    def is_problem(self) -> bool:
        return self._problem and self.isVisible()

    def clear(self) -> None:
        self._problem = False
        self._outline(False)
        self.setText("")
        self.hide()


class SummaryPage(QWidget):
    """Review and decision. The wizard feeds it a ``Review`` each time it is shown."""

    jump_requested = Signal(str)  # an item id to go to
    need_requested = Signal(str)  # "plan" or "checklist": do what the move still needs
    decision_changed = Signal()

    def __init__(
        self,
        definition: FormDefinition,
        case_scale: LevelScale,
        form_scale: LevelScale | None,
        participants: Sequence[Participant],
        me: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.definition = definition
        self.case_scale = case_scale
        self.form_scale = form_scale
        self.same_scale = definition.scale is not None and definition.scale == case_scale.id
        self._review: Review | None = None
        self._level_touched = False
        self._me = me
        self._participants = list(participants)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)

        # ---- left: the document
        self.document = QTextBrowser(splitter)
        self.document.setOpenLinks(False)
        self.document.setAccessibleName("Findings, information gaps and all answers")
        self.document.document().setDefaultStyleSheet(document_css())
        self.document.setMinimumWidth(360)

        # ---- right: suggestion and decision
        scroll = QScrollArea(splitter)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(420)
        panel = QWidget()
        scroll.setWidget(panel)
        column = QVBoxLayout(panel)
        column.setContentsMargins(16, 4, 12, 12)
        column.setSpacing(10)

        column.addWidget(role_label("Review and complete", "heading"))
        self.loading_label = role_label("Preparing the summary…", "muted")
        column.addWidget(self.loading_label)

        self.red_flags_banner = Banner(BannerKind.DANGER, "", panel)
        self.red_flags_banner.hide()
        column.addWidget(self.red_flags_banner)

        column.addWidget(role_label("Suggested level of concern", "subheading"))
        suggestion_row = QHBoxLayout()
        self.suggested_badge = LevelBadge(parent=panel)
        suggestion_row.addWidget(self.suggested_badge, 0, Qt.AlignmentFlag.AlignTop)
        suggestion_row.addStretch(1)
        column.addLayout(suggestion_row)
        self.explanation = plain_label("", selectable=True)
        self.explanation.setAccessibleName("Why this level is suggested")
        column.addWidget(self.explanation)
        note = role_label(
            "The suggestion follows a few plain rules of the form. It is a starting point: "
            "the team decides on everything it knows.",
            "muted",
        )
        column.addWidget(note)

        self.missing_box = QFrame(panel)
        missing_layout = QVBoxLayout(self.missing_box)
        missing_layout.setContentsMargins(0, 0, 0, 0)
        missing_layout.setSpacing(4)
        self.missing_banner = Banner(BannerKind.WARNING, "", self.missing_box)
        missing_layout.addWidget(self.missing_banner)
        self._missing_links = QVBoxLayout()
        self._missing_links.setSpacing(2)
        missing_layout.addLayout(self._missing_links)
        self.missing_box.hide()
        column.addWidget(self.missing_box)

        self.workflow_banner = Banner(BannerKind.INFO, "", panel)
        self.workflow_banner.hide()
        column.addWidget(self.workflow_banner)

        # What the move this completion makes still needs, each with a way to do it.
        self.needs_box = QWidget(panel)
        self.needs_box.setAccessibleName("What this step still needs")
        self._needs_layout = QVBoxLayout(self.needs_box)
        self._needs_layout.setContentsMargins(0, 0, 0, 0)
        self._needs_layout.setSpacing(4)
        self.needs_box.hide()
        column.addWidget(self.needs_box)
        self.need_buttons: dict[str, QPushButton] = {}

        column.addWidget(role_label("The team's decision", "subheading"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.setVerticalSpacing(4)

        self.level_combo = QComboBox(panel)
        self.level_combo.setAccessibleName("Level of concern decided by the team")
        if definition.suggests_level:
            self.level_combo.addItem("Choose a level…", None)
        else:
            self.level_combo.addItem("No level decided with this form", None)
        for level in case_scale.levels:
            self.level_combo.addItem(level_icon(level.color), level.label, level.code)
            if level.description:
                self.level_combo.setItemData(
                    self.level_combo.count() - 1, level.description, Qt.ItemDataRole.ToolTipRole
                )
        level_label = QLabel("&Level of concern")
        level_label.setBuddy(self.level_combo)
        level_box = QWidget(panel)
        level_column = QVBoxLayout(level_box)
        level_column.setContentsMargins(0, 0, 0, 0)
        level_column.setSpacing(3)
        level_column.addWidget(self.level_combo)
        self.scale_note = role_label("", "muted")
        self.scale_note.hide()
        level_column.addWidget(self.scale_note)
        self.level_message = _FieldMessage(self.level_combo, level_box)
        level_column.addWidget(self.level_message)
        form.addRow(level_label, level_box)
        if not self.same_scale and definition.suggests_level:
            form_scale_name = form_scale.title if form_scale else definition.scale
            self.scale_note.setText(
                f"This form suggests levels on “{form_scale_name}”, but this case uses "
                f"“{case_scale.title}”. Choose the case's level yourselves and write why."
            )
            self.scale_note.show()

        self.rationale = QPlainTextEdit(panel)
        self.rationale.setTabChangesFocus(True)
        self.rationale.setAccessibleName("Rationale for the team's decision")
        self.rationale.setPlaceholderText(
            "The facts that led the team to its decision, in words a parent, a judge or an "
            "auditor could follow."
        )
        lines = self.rationale.fontMetrics().lineSpacing()
        self.rationale.setMinimumHeight(lines * 4 + 14)
        self.rationale.setMaximumHeight(lines * 7 + 14)
        rationale_label = QLabel("&Rationale")
        rationale_label.setBuddy(self.rationale)
        rationale_box = QWidget(panel)
        rationale_column = QVBoxLayout(rationale_box)
        rationale_column.setContentsMargins(0, 0, 0, 0)
        rationale_column.setSpacing(3)
        rationale_column.addWidget(self.rationale)
        self.rationale_message = _FieldMessage(self.rationale, rationale_box)
        rationale_column.addWidget(self.rationale_message)
        form.addRow(rationale_label, rationale_box)

        self.participant_list = QListWidget(panel)
        self.participant_list.setAccessibleName("Team members who took part")
        for person in self._participants:
            text = person.name + (f" — {person.detail}" if person.detail else "")
            entry = QListWidgetItem(text, self.participant_list)
            entry.setData(Qt.ItemDataRole.UserRole, person.name)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Unchecked)
        rows = max(2, min(len(self._participants), 5))
        self.participant_list.setFixedHeight(
            rows * (self.participant_list.fontMetrics().height() + 8) + 8
        )
        self.others = QLineEdit(panel)
        self.others.setAccessibleName("Others who took part")
        self.others.setPlaceholderText("Others: name and role, separated by commas")
        screening = self.definition.kind == "screening"
        people_label = QLabel("&Screened by" if screening else "&Who took part")
        if screening:
            self.participant_list.setAccessibleName("Team members who screened the case")
        people_label.setBuddy(self.participant_list)
        people_box = QWidget(panel)
        people_column = QVBoxLayout(people_box)
        people_column.setContentsMargins(0, 0, 0, 0)
        people_column.setSpacing(3)
        people_column.addWidget(self.participant_list)
        people_column.addWidget(self.others)
        self.people_message = _FieldMessage(self.participant_list, people_box)
        people_column.addWidget(self.people_message)
        form.addRow(people_label, people_box)
        column.addLayout(form)

        self.error_banner = Banner(BannerKind.WARNING, "", panel)
        self.error_banner.hide()
        column.addWidget(self.error_banner)
        column.addStretch(1)

        splitter.addWidget(self.document)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(splitter)
        self.scroll_area = scroll

        self.level_combo.currentIndexChanged.connect(self._level_changed)
        self.rationale.textChanged.connect(self._rationale_changed)
        self.participant_list.itemChanged.connect(self._people_changed)
        self.others.textEdited.connect(self._people_changed)
        self.set_participants([])
        self._update_rationale_hint()

    # ---- review ------------------------------------------------------------------------------

    def set_loading(self) -> None:
        self.loading_label.show()

    def set_review(self, review: Review, answers: Answers) -> None:
        self._review = review
        self.loading_label.hide()
        suggestion = review.suggestion
        if suggestion.level and self.form_scale is not None:
            if self.form_scale.has_level(suggestion.level):
                level = self.form_scale.level(suggestion.level)
                self.suggested_badge.set_level(level.label, level.color)
            else:
                self.suggested_badge.set_level(suggestion.level, "#808080")
            self.suggested_badge.show()
        else:
            self.suggested_badge.hide()
        self.explanation.setText(suggestion.explanation)

        red = review.findings.red_flags
        if red:
            self.red_flags_banner.set_text(
                "Red flags: "
                + "; ".join(f.label for f in red)
                + ". These need attention now; deal with them before anything else."
            )
        self.red_flags_banner.setVisible(bool(red))

        self._set_missing(review)
        if review.workflow_note:
            self.workflow_banner.set_kind(
                BannerKind.INFO if review.workflow_action is not None else BannerKind.WARNING
            )
            self.workflow_banner.set_text(review.workflow_note)
        self.workflow_banner.setVisible(bool(review.workflow_note))
        self._set_needs(review)

        if not self._level_touched:
            wanted = suggestion.level if self.same_scale else None
            with QSignalBlocker(self.level_combo):
                index = self.level_combo.findData(wanted) if wanted else 0
                self.level_combo.setCurrentIndex(max(index, 0))
        self._update_rationale_hint()

        scroll_value = self.document.verticalScrollBar().value()
        self.document.setHtml(
            findings_html(review.findings)
            + gaps_html(review.gaps)
            + "<h2>Answers by section</h2>"
            + answers_html(self.definition, answers)
        )
        self.document.verticalScrollBar().setValue(scroll_value)

    def _set_missing(self, review: Review) -> None:
        while self._missing_links.count():
            child = self._missing_links.takeAt(0)
            widget = child.widget() if child is not None else None
            if widget is not None:
                widget.deleteLater()
        missing = review.missing
        self.missing_box.setVisible(bool(missing))
        if not missing:
            return
        count = len(missing)
        self.missing_banner.set_text(
            f"{plural(count, 'required question')} still "
            f"need{'s' if count == 1 else ''} an answer before this can be completed:"
        )
        for entry in missing:
            link = QPushButton(f"{entry.label}  ({entry.section_title})", self.missing_box)
            link.setFlat(True)
            link.setCursor(Qt.CursorShape.PointingHandCursor)
            link.setStyleSheet(
                "QPushButton { text-align: left; padding: 2px 4px; color: palette(link); "
                "text-decoration: underline; }"
            )
            link.setToolTip(entry.message)
            link.setAccessibleName(f"Go to: {entry.label}")
            link.setProperty("item_id", entry.item_id)
            link.clicked.connect(
                lambda _=False, item_id=entry.item_id: self.jump_requested.emit(item_id)
            )
            self._missing_links.addWidget(link)

    def _set_needs(self, review: Review) -> None:
        while self._needs_layout.count():
            child = self._needs_layout.takeAt(0)
            widget = child.widget() if child is not None else None
            if widget is not None:
                widget.deleteLater()
        self.need_buttons = {}
        self.needs_box.setVisible(bool(review.move_needs))
        for need in review.move_needs:
            banner = Banner(BannerKind.WARNING, need.message, self.needs_box)
            self._needs_layout.addWidget(banner)
            text = NEED_ACTIONS.get(need.where)
            if text:
                button = QPushButton(text, self.needs_box)
                button.setAccessibleName(text.replace("&", "").replace("…", ""))
                button.clicked.connect(
                    lambda _=False, where=need.where: self.need_requested.emit(where)
                )
                row = QHBoxLayout()
                row.addWidget(button)
                row.addStretch(1)
                holder = QWidget(self.needs_box)
                holder.setLayout(row)
                row.setContentsMargins(0, 0, 0, 0)
                self._needs_layout.addWidget(holder)
                self.need_buttons[need.where] = button

    def review(self) -> Review | None:
        return self._review

    def missing_links(self) -> list[QPushButton]:
        found = []
        for index in range(self._missing_links.count()):
            child = self._missing_links.itemAt(index)
            widget = child.widget() if child is not None else None
            if isinstance(widget, QPushButton):
                found.append(widget)
        return found

    # ---- decision ----------------------------------------------------------------------------

    def decided_level(self) -> str | None:
        data = self.level_combo.currentData()
        return None if data is None else str(data)

    def set_decided_level(self, code: str | None) -> None:
        index = self.level_combo.findData(code) if code else 0
        self.level_combo.setCurrentIndex(max(index, 0))

    def rationale_text(self) -> str:
        return self.rationale.toPlainText().strip()

    def participants(self) -> list[str]:
        names: list[str] = []
        for row in range(self.participant_list.count()):
            entry = self.participant_list.item(row)
            if entry.checkState() == Qt.CheckState.Checked:
                names.append(str(entry.data(Qt.ItemDataRole.UserRole)))
        for name in split_names(self.others.text()):
            if name not in names:
                names.append(name)
        return names

    def set_participants(self, names: Sequence[str]) -> None:
        """Tick the members named; the rest go to "Others". Nobody yet: tick the signed-in
        person, who is evidently taking part."""
        wanted = list(names) or [self._me]
        members = {
            str(self.participant_list.item(r).data(Qt.ItemDataRole.UserRole))
            for r in range(self.participant_list.count())
        }
        with QSignalBlocker(self.participant_list):
            for row in range(self.participant_list.count()):
                entry = self.participant_list.item(row)
                name = str(entry.data(Qt.ItemDataRole.UserRole))
                entry.setCheckState(
                    Qt.CheckState.Checked if name in wanted else Qt.CheckState.Unchecked
                )
        others = [n for n in names if n not in members]
        self.others.setText(", ".join(others))

    def participant_item(self, name: str) -> QListWidgetItem | None:
        for row in range(self.participant_list.count()):
            entry = self.participant_list.item(row)
            if entry.data(Qt.ItemDataRole.UserRole) == name:
                return entry
        return None

    def rationale_required(self) -> bool:
        decided = self.decided_level()
        if decided is None:
            return False
        suggested = self._review.suggestion.level if self._review else None
        return not self.same_scale or decided != suggested

    def _suggested_label(self) -> str:
        if self._review is None or not self._review.suggestion.level:
            return ""
        code = self._review.suggestion.level
        if self.form_scale is not None and self.form_scale.has_level(code):
            return self.form_scale.level(code).label
        return code

    def _rationale_reason(self) -> str:
        decided = self.decided_level()
        if decided is None:
            return ""
        if not self.same_scale:
            return "this form does not suggest a level on this case's scale"
        suggested = self._suggested_label()
        chosen = (
            self.case_scale.level(decided).label if self.case_scale.has_level(decided) else decided
        )
        if not suggested:
            return f"the form suggests no level, and the team chose {chosen}"
        return f"the team's level ({chosen}) differs from the suggested level ({suggested})"

    def _update_rationale_hint(self) -> None:
        if self.rationale_message.is_problem() and not (
            self.rationale_required() and not self.rationale_text()
        ):
            self.rationale_message.clear()
        if self.rationale_message.is_problem():
            return
        if self.rationale_required():
            self.rationale_message.show_hint(
                f"Required, because {self._rationale_reason()}: write the facts that led the "
                "team to its decision."
            )
        elif self.decided_level() is not None:
            self.rationale_message.show_hint(
                "Optional: the team agrees with the suggestion. Add anything the team wants on "
                "record."
            )
        else:
            self.rationale_message.clear()

    def _level_changed(self, _index: int) -> None:
        self._level_touched = True
        self.level_message.clear()
        self._update_rationale_hint()
        self.decision_changed.emit()

    def _rationale_changed(self) -> None:
        self._update_rationale_hint()

    def _people_changed(self, *_args: object) -> None:
        self.people_message.clear()
        self.decision_changed.emit()

    def validate(self) -> bool:
        """Check the decision, show each problem at its field, focus the first one."""
        self.error_banner.hide()
        first: QWidget | None = None
        if self.definition.suggests_level and self.decided_level() is None:
            self.level_message.show_problem(
                "Choose the level of concern the team decided on. The suggestion above is a "
                "starting point."
            )
            first = first or self.level_combo
        if self.rationale_required() and not self.rationale_text():
            self.rationale_message.show_problem(
                f"Write the rationale: {self._rationale_reason()}. Say which facts led the "
                "team to its decision."
            )
            first = first or self.rationale
        if not self.participants():
            self.people_message.show_problem(
                "Tick who took part in this assessment, or name them under Others."
            )
            first = first or self.participant_list
        if first is not None:
            self.scroll_area.ensureWidgetVisible(first)
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        return True

    def show_error(self, text: str) -> None:
        self.error_banner.set_text(text)
        self.error_banner.show()
        self.scroll_area.ensureWidgetVisible(self.error_banner)

    def clear_error(self) -> None:
        self.error_banner.hide()

    def html_text(self) -> str:
        return self.document.toPlainText()
