"""Reports and timeline: the report(s) of concern, then the behaviors and events in order."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.enums import (
    InformationSource,
    PathwayStage,
    Reliability,
    ReportChannel,
    ThreatDirectness,
    ThreatExpression,
    TimelineCategory,
    YesNoUnknown,
)
from btam_desktop.domain.formatting import plural
from btam_desktop.domain.models import ConcernReport, TimelineEntry
from btam_desktop.services.app import Btam
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import fmt_datetime, muted_label, value_label
from btam_desktop.ui.case_tabs.data import CaseData
from btam_desktop.ui.icons import icon
from btam_desktop.ui.record_dialogs import TimelineEntryDialog
from btam_desktop.ui.widgets.form_dialog import error_color, new_form
from btam_desktop.ui.widgets.record_table import Column, RecordTable

NO_SELECTION = "Select an entry in the timeline first."


def _label(kind: type, value: str | None) -> str:
    if value is None:
        return ""
    try:
        return str(kind(value).label)
    except ValueError:
        return value


def _rank(kind: type[StrEnum], value: str | None) -> int | None:
    """Where a stored code stands in its list (pathway stages and reliability go in order)."""
    members = [member.value for member in kind]
    return members.index(value) if value in members else None


def _entry_text(entry: TimelineEntry) -> str:
    """Everything the timeline shows of an entry, to find words in."""
    return " ".join(
        (
            entry.description,
            _label(TimelineCategory, entry.category),
            _label(PathwayStage, entry.pathway_stage),
            _label(InformationSource, entry.source),
            entry.obtained_how or "",
            _label(Reliability, entry.reliability),
        )
    ).casefold()


def timeline_filter(
    category: str | None, stage: str | None, text: str
) -> Callable[[TimelineEntry], bool] | None:
    """Entries of a category, of a pathway stage ("__none__": none recorded) and holding all
    the words of ``text``; None when nothing is filtered."""
    words = text.casefold().split()
    if not category and not stage and not words:
        return None

    def accepts(entry: TimelineEntry) -> bool:
        if category and entry.category != category:
            return False
        if stage and (entry.pathway_stage or "__none__") != stage:
            return False
        haystack = _entry_text(entry) if words else ""
        return all(word in haystack for word in words)

    return accepts


TIMELINE_COLUMNS: list[Column[TimelineEntry]] = [
    Column("Date", lambda e: e.occurred_at, width=130),
    Column("Category", lambda e: _label(TimelineCategory, e.category), width=140),
    Column(
        "Description",
        lambda e: e.description,
        tooltip=lambda e: e.description[:1500],
        width=300,
    ),
    Column(
        "Pathway stage",
        lambda e: _label(PathwayStage, e.pathway_stage) if e.pathway_stage else "—",
        sort=lambda e: _rank(PathwayStage, e.pathway_stage),
        width=140,
    ),
    Column(
        "Source",
        lambda e: _label(InformationSource, e.source),
        tooltip=lambda e: f"Obtained: {e.obtained_how}" if e.obtained_how else "",
        width=110,
    ),
    Column(
        "Reliability",
        lambda e: _label(Reliability, e.reliability),
        sort=lambda e: _rank(Reliability, e.reliability),
    ),
]


class ReportSummary(QFrame):
    """One report of concern, read-only."""

    def __init__(self, report: ConcernReport, data: CaseData, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(f"Report of concern received {fmt_datetime(report.received_at)}")
        form = new_form()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(6)
        self.setLayout(form)
        form.setContentsMargins(14, 10, 14, 12)
        self.fields: dict[str, QLabel] = {}

        def row(caption: str, text: str, name: str) -> QLabel:
            label = value_label(text, name=caption.rstrip(":"))
            self.fields[name] = label
            form.addRow(caption, label)
            return label

        row("Received:", fmt_datetime(report.received_at), "received")
        row("Channel:", _label(ReportChannel, report.channel), "channel")
        reporter = "Not recorded"
        if report.reporter_anonymous:
            reporter = "Anonymous"
        elif report.reporter_id is not None:
            person = next((p for p in data.people if p.id == report.reporter_id), None)
            if person is not None:
                reporter = "Anonymous" if person.anonymous else person.full_name
        if report.reporter_confidential:
            reporter = f"{reporter} (confidential: withhold from the subject and family)"
        elif report.reporter_anonymous and report.reporter_id is not None:
            person = next((p for p in data.people if p.id == report.reporter_id), None)
            if person is not None and person.contact:
                reporter = f"Anonymous (contact kept: {person.contact})"
        row("Reporter:", reporter, "reporter")
        row("What was reported:", report.narrative, "narrative")
        quote = row(
            "Exact words:",
            f"“{report.threat_quote}”" if report.threat_quote else "None recorded",
            "quote",
        )
        if report.threat_quote:
            font = quote.font()
            font.setItalic(True)
            quote.setFont(font)
        expressed = ", ".join(_label(ThreatExpression, e) for e in report.expressed_as)
        row("How expressed:", expressed or "Not recorded", "expressed")
        threat = _label(ThreatDirectness, report.directness)
        if report.conditional and report.directness != ThreatDirectness.CONDITIONAL.value:
            threat += ", conditional"
        row("Threat:", threat, "directness")
        row("Known to target:", _label(YesNoUnknown, report.known_to_target), "known")
        if report.immediate_danger:
            shown = fmt_datetime(report.emergency_notice_shown_at)
            answer = "Not sure" if report.danger_answer == "not_sure" else "Yes"
            danger = row(
                "Immediate danger:",
                f"{answer}. The instruction to call emergency services was shown at {shown}.",
                "danger",
            )
            danger.setStyleSheet(f"QLabel {{ color: {error_color()}; font-weight: 600; }}")
        else:
            row("Immediate danger:", "No", "danger")
        if report.emergency_called == "yes":
            who = report.emergency_called_by or "someone not recorded"
            when = fmt_datetime(report.emergency_called_at) or "a time not recorded"
            row("Emergency call:", f"Called by {who} at {when}.", "called")
        elif report.emergency_called == "no":
            row("Emergency call:", "Not called", "called")
        row("Entered by:", data.name_of(report.entered_by_id), "entered_by")


class TimelineTab(CaseTab):
    name = "timeline"
    title = "Reports and timeline"
    icon_name = "timeline"

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(app, case_id, parent)
        self.summaries: list[ReportSummary] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 14)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        outer.addWidget(splitter)

        reports_box = QGroupBox("Report of concern")
        reports_column = QVBoxLayout(reports_box)
        reports_column.setContentsMargins(6, 6, 6, 6)
        self.reports_scroll = QScrollArea()
        self.reports_scroll.setWidgetResizable(True)
        self.reports_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.reports_holder = QWidget()
        self.reports_layout = QVBoxLayout(self.reports_holder)
        self.reports_layout.setContentsMargins(0, 0, 0, 0)
        self.reports_scroll.setWidget(self.reports_holder)
        reports_column.addWidget(self.reports_scroll)
        splitter.addWidget(reports_box)

        timeline_box = QGroupBox("Timeline of behaviors and events")
        column = QVBoxLayout(timeline_box)
        column.setSpacing(8)
        filters = QHBoxLayout()
        filters.setSpacing(8)
        self.category_filter = QComboBox()
        self.category_filter.setAccessibleName("Show category")
        self.category_filter.addItem("All categories", None)
        for category in TimelineCategory:
            self.category_filter.addItem(category.label, category.value)
        self.stage_filter = QComboBox()
        self.stage_filter.setAccessibleName("Show pathway stage")
        self.stage_filter.addItem("All pathway stages", None)
        self.stage_filter.addItem("No stage recorded", "__none__")
        for stage in PathwayStage:
            self.stage_filter.addItem(stage.label, stage.value)
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText("Find in the timeline")
        self.text_filter.setAccessibleName("Find in the timeline")
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        for part in self.text_filter.findChildren(QToolButton):
            action = part.defaultAction()
            clears = action is not None and action.objectName() == "_q_qlineeditclearaction"
            part.setAccessibleName("Clear the filter" if clears else "Find")
        filter_icon = QLabel()
        filter_icon.setPixmap(icon("filter").pixmap(16, 16))
        filters.addWidget(filter_icon)
        filters.addWidget(self.category_filter)
        filters.addWidget(self.stage_filter)
        filters.addWidget(self.text_filter, 1)
        self.add_button = self.button("&Add entry…", "add", self.add_entry)
        self.edit_button = self.button("&Edit entry…", "edit", self.edit_selected)
        filters.addSpacing(12)
        filters.addWidget(self.add_button)
        filters.addWidget(self.edit_button)
        column.addLayout(filters)

        self.table: RecordTable[TimelineEntry] = RecordTable(
            TIMELINE_COLUMNS,
            "Timeline",
            "No timeline entries yet. Add each concerning behavior or event as you learn of it.",
        )
        column.addWidget(self.table, 1)
        self.detail = value_label(name="Selected entry")
        self.detail.setMinimumHeight(self.detail.fontMetrics().lineSpacing() * 2)
        column.addWidget(self.detail)
        self.count = muted_label("")
        column.addWidget(self.count)
        splitter.addWidget(timeline_box)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([300, 420])

        self.category_filter.currentIndexChanged.connect(self._filter_changed)
        self.stage_filter.currentIndexChanged.connect(self._filter_changed)
        self.text_filter.textChanged.connect(self._filter_changed)
        self.table.activated_row.connect(self._edit)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def populate(self, data: CaseData) -> None:
        super().populate(data)
        for summary in self.summaries:
            summary.deleteLater()
        self.summaries = []
        while self.reports_layout.count():
            self.reports_layout.takeAt(0)
        for report in data.reports:
            summary = ReportSummary(report, data, self.reports_holder)
            self.reports_layout.addWidget(summary)
            self.summaries.append(summary)
        if not data.reports:
            self.reports_layout.addWidget(muted_label("No report of concern is recorded."))
        self.reports_layout.addStretch(1)

        self.table.set_rows(data.timeline)
        self._filter_changed()

    def _filter_changed(self, *_args: object) -> None:
        self.table.proxy.set_row_filter(
            timeline_filter(
                self.category_filter.currentData(),
                self.stage_filter.currentData(),
                self.text_filter.text(),
            )
        )
        total = self.table.source.rowCount()
        shown = self.table.row_count()
        entries = plural(total, "entry", "entries")
        self.count.setText(entries if shown == total else f"Showing {shown:,} of {entries}")
        self.table.set_placeholder(
            "No entry matches the filter."
            if total
            else "No timeline entries yet. Add each concerning behavior or event as you learn "
            "of it."
        )
        self._selection_changed()

    def _selection_changed(self, *_args: object) -> None:
        entry = self.table.selected_row()
        self.selection_dependent(self.edit_button, entry is not None, NO_SELECTION)
        if entry is None:
            self.detail.setText("Select an entry to read it in full.")
            return
        parts = [entry.description]
        if entry.obtained_how:
            parts.append(f"How obtained: {entry.obtained_how}")
        by = self.data.name_of(entry.entered_by_id) if self.data else ""
        if by:
            parts.append(f"Entered by {by}, {fmt_datetime(entry.created_at)}")
        self.detail.setText("\n".join(parts))

    def add_entry(self) -> None:
        self.open_dialog(TimelineEntryDialog(self.app, self.case_id, parent=self))

    def edit_selected(self) -> None:
        entry = self.table.selected_row()
        if entry is not None:
            self._edit(entry)

    def _edit(self, entry: TimelineEntry) -> None:
        if self.can_work:
            self.open_dialog(TimelineEntryDialog(self.app, self.case_id, entry, self))


__all__ = ["ReportSummary", "TimelineTab", "timeline_filter"]
