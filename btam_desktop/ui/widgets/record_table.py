"""A read-only table whose rows are the records themselves, for the case screens.

Each column says how to get its value from a row object, how to show it and how to align it;
the table sorts by the value, never by the shown text: dates as dates, numbers as numbers, and
empty values last whichever way the column is sorted. The record behind a row is one call
away (``selected_row``), so a tab never looks a record up again by an id kept in a cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from btam_desktop.domain.formatting import format_date, format_datetime
from btam_desktop.ui.theme import current_colors

R = TypeVar("R")

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
TEXT_LIMIT = 400  # a cell shows the start of a long text; the tooltip and detail show more
TOOLTIP_LIMIT = 1500


def shown_text(value: object) -> str:
    """A value as a cell shows it: dates in the team's format, None as nothing."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its title, the value it holds for a row, and how that value is shown.

    ``sort`` orders by something other than the value (a level's rank rather than its name);
    ``roles`` adds item data for a delegate (a level's colour).
    """

    title: str
    value: Callable[[R], object]
    shown: Callable[[Any], str] = shown_text
    align: Qt.AlignmentFlag = LEFT
    tooltip: Callable[[R], str] | None = None
    sort: Callable[[R], object] | None = None
    width: int = 0
    roles: Mapping[int, Callable[[R], object]] = field(default_factory=dict)


def _sort_key(value: object) -> object:
    """A key that orders like the value: text without case, times in one zone."""
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return value


class RecordModel(QAbstractTableModel, Generic[R]):
    """Rows of record objects under a list of columns."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        row_id: Callable[[R], int | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.row_id = row_id
        self._rows: list[R] = []
        self._texts: dict[tuple[int, int], str] = {}

    # ---- rows ----------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = {}
        self.endResetModel()

    def rows(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def value(self, row: int, column: int) -> object:
        return self.columns[column].value(self._rows[row])

    def sort_value(self, row: int, column: int) -> object:
        spec = self.columns[column]
        record = self._rows[row]
        raw = spec.sort(record) if spec.sort is not None else spec.value(record)
        return None if raw is None or raw == "" else _sort_key(raw)

    def text(self, row: int, column: int) -> str:
        """The full shown text of a cell (before it is shortened for the table)."""
        key = (row, column)
        cached = self._texts.get(key)
        if cached is None:
            cached = self.columns[column].shown(self.value(row, column))
            self._texts[key] = cached
        return cached

    # ---- Qt model ------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].title
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(self.columns[section].align)
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        spec = self.columns[column]
        if role == Qt.ItemDataRole.DisplayRole:
            text = self.text(row, column)
            if len(text) > TEXT_LIMIT:
                text = text[:TEXT_LIMIT] + "…"
            return text.replace("\n", " ")
        if role == Qt.ItemDataRole.ToolTipRole:
            if spec.tooltip is not None:
                return spec.tooltip(self._rows[row]) or None
            text = self.text(row, column)
            return text[:TOOLTIP_LIMIT] if len(text) > 60 else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(spec.align)
        getter = spec.roles.get(role)
        if getter is not None:
            return getter(self._rows[row])
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RecordProxy(QSortFilterProxyModel):
    """Sorts by the columns' values (empty last in either order) and keeps the rows a
    predicate accepts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._accepts: Callable[[Any], bool] | None = None

    def records(self) -> RecordModel[Any]:
        model = self.sourceModel()
        assert isinstance(model, RecordModel)
        return model

    def set_row_filter(self, accepts: Callable[[Any], bool] | None) -> None:
        """Show only the rows whose record ``accepts`` (None shows all)."""
        self.beginFilterChange()
        self._accepts = accepts
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self._accepts is None:
            return True
        return bool(self._accepts(self.records().row_at(source_row)))

    def lessThan(
        self,
        source_left: QModelIndex | QPersistentModelIndex,
        source_right: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        model = self.records()
        left = model.sort_value(source_left.row(), source_left.column())
        right = model.sort_value(source_right.row(), source_right.column())
        if left is None or right is None:
            if left is None and right is None:
                return False
            # Qt sorts descending by asking lessThan(right, left): an empty value counts as
            # the largest going up and the smallest going down, so it ends last both ways.
            if self.sortOrder() == Qt.SortOrder.AscendingOrder:
                return right is None
            return left is None
        try:
            return bool(left < right)  # type: ignore[operator]
        except TypeError:  # values of different kinds in one column: keep them apart
            return type(left).__name__ < type(right).__name__


class RecordTable(QTableView, Generic[R]):
    """Read-only rows of records with the house's table settings; says so when empty."""

    activated_id = Signal(int)
    activated_row = Signal(object)

    def __init__(
        self,
        columns: Sequence[Column[R]],
        accessible_name: str,
        placeholder: str = "Nothing recorded yet.",
        *,
        row_id: Callable[[R], int | None] = lambda record: getattr(record, "id", None),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.source: RecordModel[R] = RecordModel(columns, row_id, self)
        self.proxy = RecordProxy(self)
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self._placeholder = placeholder
        self.setAccessibleName(accessible_name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(LEFT)
        # QHeaderView starts "descending"; records read top to bottom unless a tab says otherwise.
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.fit_columns([c.width for c in columns])
        self.doubleClicked.connect(self._on_double_click)

    # ---- rows ----------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[R]) -> None:
        """Show these records, keeping the sort order and the selected record."""
        keep = self.selected_id()
        self.source.set_rows(rows)
        if keep is not None:
            self.select_id(keep)
        self.viewport().update()

    def row_count(self) -> int:
        """Rows shown (after the filter)."""
        return self.proxy.rowCount()

    def row_at(self, row: int) -> R:
        """The record shown in view row ``row``."""
        return self.source.row_at(self.proxy.mapToSource(self.proxy.index(row, 0)).row())

    def shown_rows(self) -> list[R]:
        """The records in the order they are shown."""
        return [self.row_at(row) for row in range(self.row_count())]

    def id_at(self, row: int) -> int | None:
        return self.source.row_id(self.row_at(row))

    def selected_row(self) -> R | None:
        selection = self.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        if not rows:
            return None
        return self.source.row_at(self.proxy.mapToSource(rows[0]).row())

    def selected_id(self) -> int | None:
        record = self.selected_row()
        return self.source.row_id(record) if record is not None else None

    def select_id(self, record_id: int) -> bool:
        for row in range(self.row_count()):
            if self.id_at(row) == record_id:
                self.selectionModel().setCurrentIndex(
                    self.proxy.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                return True
        return False

    # ---- looks ---------------------------------------------------------------------------

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.viewport().update()

    def fit_columns(self, widths: Sequence[int]) -> None:
        header = self.horizontalHeader()
        for column, width in enumerate(widths):
            if width > 0:
                header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def _on_double_click(self, index: QModelIndex | QPersistentModelIndex) -> None:
        record = self.row_at(index.row())
        self.activated_row.emit(record)
        record_id = self.source.row_id(record)
        if record_id is not None:
            self.activated_id.emit(int(record_id))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.proxy.rowCount() == 0 and self._placeholder:
            painter = QPainter(self.viewport())
            painter.setPen(QColor(current_colors().muted_fg))
            rect = self.viewport().rect().adjusted(16, 16, -16, -16)
            painter.drawText(
                rect,
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
                | int(Qt.TextFlag.TextWordWrap),
                self._placeholder,
            )
            painter.end()


__all__ = ["LEFT", "RIGHT", "Column", "RecordModel", "RecordProxy", "RecordTable", "shown_text"]
