"""The interventions table view: inline editing, drag to reorder, keyboard actions."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from btam_desktop.ui.plan.delegates import (
    DateDelegate,
    PaddedDelegate,
    member_delegate,
    recurrence_delegate,
    status_delegate,
    strategy_delegate,
)
from btam_desktop.ui.plan.intervention_model import Column, InterventionModel

COLUMN_WIDTHS = {
    Column.STRATEGY: 112,
    Column.RESPONSIBLE: 124,
    Column.START: 88,
    Column.DUE: 104,
    Column.REVIEW: 88,
    Column.RECURRENCE: 104,
    Column.STATUS: 112,
    Column.NOTES: 120,
}
TITLE_MIN_WIDTH = 260
"""The intervention's description keeps at least this much; other columns give way."""
AUTO_HIDE_ORDER = [Column.NOTES, Column.REVIEW, Column.START, Column.STRATEGY]
"""Hidden in this order when the table is narrow, unless the person chose to show them."""


class InterventionTable(QTableView):
    """Double-click, F2 or typing edits a cell; drag rows or Ctrl+Up/Down to reorder."""

    def __init__(self, model: InterventionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.plan_model = model
        self.setAccessibleName("Interventions")
        self.setAccessibleDescription(
            "Double-click a cell, press F2 or start typing to change it. Insert adds a row, "
            "Delete removes the selected rows, Control with Up or Down moves them."
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)  # long titles and notes wrap; the row grows to fit
        self.setTabKeyNavigation(False)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.verticalHeader().setToolTip("Drag a row to move it")
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setItemDelegate(PaddedDelegate(self))

        self._delegates = [
            (Column.STRATEGY, strategy_delegate(self)),
            (Column.RESPONSIBLE, member_delegate(model, self)),
            (Column.START, DateDelegate(self)),
            (Column.DUE, DateDelegate(self)),
            (Column.REVIEW, DateDelegate(self)),
            (Column.RECURRENCE, recurrence_delegate(self)),
            (Column.STATUS, status_delegate(self)),
        ]
        for column, delegate in self._delegates:
            self.setItemDelegateForColumn(column, delegate)

        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(60)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        header.setToolTip("Right-click to show or hide columns")
        self._chosen: dict[Column, bool] = {}  # the person's choice wins over fitting

        self.add_action = self._action("Add intervention", QKeySequence(Qt.Key.Key_Insert))
        self.remove_action = self._action("Remove", QKeySequence(QKeySequence.StandardKey.Delete))
        self.up_action = self._action("Move up", QKeySequence("Ctrl+Up"))
        self.down_action = self._action("Move down", QKeySequence("Ctrl+Down"))

    # ---- which columns fit -------------------------------------------------------------------

    def set_column_shown(self, column: Column, shown: bool) -> None:
        """The person shows or hides a column (the description is always shown)."""
        if column == Column.TITLE:
            return
        self._chosen[column] = shown
        self.fit_columns()

    def hidden_columns(self) -> list[Column]:
        return [c for c in Column if self.isColumnHidden(c)]

    def fit_columns(self) -> None:
        """Give the description its width: hide optional columns the person has not asked
        for, in order, until it has at least TITLE_MIN_WIDTH."""
        available = self.viewport().width()
        if available <= 0:
            return
        for column in Column:
            if column != Column.TITLE:
                self.setColumnHidden(column, not self._chosen.get(column, True))
        header = self.horizontalHeader()

        def others() -> int:
            return sum(
                header.sectionSize(c)
                for c in Column
                if c != Column.TITLE and not self.isColumnHidden(c)
            )

        for column in AUTO_HIDE_ORDER:
            if available - others() >= TITLE_MIN_WIDTH:
                break
            if column not in self._chosen:
                self.setColumnHidden(column, True)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def _header_menu(self, position: QPoint) -> None:
        menu = self.column_menu()
        menu.exec(self.horizontalHeader().mapToGlobal(position))

    def column_menu(self) -> QMenu:
        menu = QMenu("Columns", self)
        for column in Column:
            if column == Column.TITLE:
                continue
            action = menu.addAction(column.header)
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(column))
            action.toggled.connect(lambda on, c=column: self.set_column_shown(c, on))
        return menu

    def _action(self, text: str, shortcut: QKeySequence) -> QAction:
        action = QAction(text, self)
        action.setShortcut(shortcut)
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.addAction(action)
        return action

    def selected_keys(self) -> list[str]:
        selection = self.selectionModel()
        rows = sorted({i.row() for i in selection.selectedRows()}) if selection else []
        if not rows and self.currentIndex().isValid():
            rows = [self.currentIndex().row()]
        return [self.plan_model.row_at(r).key for r in rows]

    def select_keys(self, keys: list[str], column: int = Column.TITLE) -> None:
        selection = self.selectionModel()
        if selection is None:
            return
        rows = [self.plan_model.row_of(k) for k in keys]
        rows = [r for r in rows if r >= 0]
        if not rows:
            return
        selection.clearSelection()
        current = self.plan_model.index(rows[0], column)
        selection.setCurrentIndex(current, QItemSelectionModel.SelectionFlag.NoUpdate)
        for row in rows:
            selection.select(
                self.plan_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )
        self.scrollTo(current)

    def current_row(self) -> int:
        index: QModelIndex = self.currentIndex()
        return index.row() if index.isValid() else -1
