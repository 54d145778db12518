"""Reports and timeline: the report(s) of concern, then the behaviors and events in order."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
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
from btam_desktop.domain.models import ConcernReport
from btam_desktop.services.app import Btam
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import (
    RecordTable,
    cell,
    error_color,
    fmt_datetime,
    muted_label,
    new_form,
    sort_key,
    value_label,
)
from btam_desktop.ui.case_tabs.data import CaseData
from btam_desktop.ui.icons import icon
from btam_desktop.ui.record_dialogs import TimelineEntryDialog

FILTER_ROLE = Qt.ItemDataRole.UserRole + 5
NO_SELECTION = "Select an entry in the timeline first."


def _label(kind: type, value: str | None) -> str:
    if value is None:
        return ""
    try:
        return str(kind(value).label)
    except ValueError:
        return value


class TimelineFilter(QSortFilterProxyModel):
    """Rows matching a category, a pathway stage and words in the text columns."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.category: str | None = None
        self.stage: str | None = None
        self.text = ""

    def set_filter(self, category: str | None, stage: str | None, text: str) -> None:
        self.beginFilterChange()
        self.category, self.stage, self.text = category, stage, text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        if self.category and model.index(source_row, 1).data(FILTER_ROLE) != self.category:
            return False
        if self.stage:
            stage = model.index(source_row, 3).data(FILTER_ROLE) or "__none__"
            if stage != self.stage:
                return False
        if self.text:
            haystack = " ".join(
                str(model.index(source_row, column).data(Qt.ItemDataRole.ToolTipRole) or "")
                + " "
                + str(model.index(source_row, column).data() or "")
                for column in range(model.columnCount())
            ).lower()
            if not all(word in haystack for word in self.text.split()):
                return False
        return True


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

        self.proxy = TimelineFilter(self)
        self.table = RecordTable(
            ["Date", "Category", "Description", "Pathway stage", "Source", "Reliability"],
            "Timeline",
            "No timeline entries yet. Add each concerning behavior or event as you learn of it.",
            proxy=self.proxy,
        )
        self.table.fit_columns([140, 150, 380, 160, 130])
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
        self.table.activated_id.connect(self._edit_id)
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

        rows = []
        for entry in data.timeline:
            stage = entry.pathway_stage
            source = _label(InformationSource, entry.source)
            how = f"Obtained: {entry.obtained_how}" if entry.obtained_how else ""
            date_cell = cell(
                fmt_datetime(entry.occurred_at), sort_key(entry.occurred_at), record_id=entry.id
            )
            category = cell(_label(TimelineCategory, entry.category))
            category.setData(entry.category, FILTER_ROLE)
            stage_cell = cell(_label(PathwayStage, stage) if stage else "—", stage or "")
            stage_cell.setData(stage, FILTER_ROLE)
            rows.append(
                [
                    date_cell,
                    category,
                    cell(entry.description, tooltip=entry.description[:1500]),
                    stage_cell,
                    cell(source, tooltip=how),
                    cell(_label(Reliability, entry.reliability)),
                ]
            )
        self.table.set_rows(rows)
        self._filter_changed()

    def _filter_changed(self, *_args: object) -> None:
        self.proxy.set_filter(
            self.category_filter.currentData(),
            self.stage_filter.currentData(),
            self.text_filter.text(),
        )
        total = self.table.source.rowCount()
        shown = self.table.row_count()
        noun = "entry" if total == 1 else "entries"
        self.count.setText(
            f"{total} {noun}" if shown == total else f"Showing {shown} of {total} {noun}"
        )
        self.table.set_placeholder(
            "No entry matches the filter."
            if total
            else "No timeline entries yet. Add each concerning behavior or event as you learn "
            "of it."
        )
        self._selection_changed()

    def _selection_changed(self, *_args: object) -> None:
        entry_id = self.table.selected_id()
        self.selection_dependent(self.edit_button, entry_id is not None, NO_SELECTION)
        entry = None
        if entry_id is not None and self.data is not None:
            entry = next((e for e in self.data.timeline if e.id == entry_id), None)
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
        entry_id = self.table.selected_id()
        if entry_id is not None:
            self._edit_id(entry_id)

    def _edit_id(self, entry_id: int) -> None:
        if not self.can_work or self.data is None:
            return
        entry = next((e for e in self.data.timeline if e.id == entry_id), None)
        if entry is not None:
            self.open_dialog(TimelineEntryDialog(self.app, self.case_id, entry, self))


__all__ = ["ReportSummary", "TimelineFilter", "TimelineTab"]
