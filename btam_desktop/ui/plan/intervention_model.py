"""The interventions of a management plan as an editable, reorderable table with undo.

Every change (a cell edit, adding, removing, moving rows) goes through a ``QUndoCommand`` on the
model's ``undo_stack``, so Ctrl+Z / Ctrl+Shift+Z cover all of them. Rows are identified by their
``key`` (the intervention's identity across plan versions; new rows get a fresh one), never by
position, so an undo finds its row whatever happened in between.

Dragging rows reorders them: the model encodes the dragged rows' keys and performs the move in
``dropMimeData``. It deliberately does not implement ``removeRows``, so the view's "remove the
source after a move" step does nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QDate,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QUndoCommand, QUndoStack

from btam_desktop.domain.models import PlanIntervention
from btam_desktop.services.plans import (
    InterventionInput,
    InterventionStatus,
    Recurrence,
    RepeatRule,
    Strategy,
)
from btam_desktop.ui.case_tabs.common import fmt_date
from btam_desktop.ui.icons import icon
from btam_desktop.ui.theme import current_colors
from btam_desktop.ui.widgets.form_dialog import error_color

ROW_MIME = "application/x-btam-plan-rows"
KEY_ROLE = Qt.ItemDataRole.UserRole + 20
"""The row's key (any column)."""

RECURRENCE_CHOICES: dict[str, str] = {
    "none": "Does not repeat",
    "weekly": "Weekly",
    "twice_weekly": "Twice a week",
    "weekdays:0,3": "Every Mon and Thu",
    "weekdays:1,4": "Every Tue and Fri",
    "weekdays:0,2,4": "Every Mon, Wed and Fri",
    "weekdays:0,1,2,3,4": "Every weekday (Mon to Fri)",
    "days:1": "Every day",
    "days:3": "Every 3 days",
    "biweekly": "Every two weeks",
    "weeks:3": "Every 3 weeks",
    "monthly": "Monthly",
}
"""Repeats offered in the table; a rule saved otherwise (e.g. by the command line) is kept."""


def repeat_label(rule: str) -> str:
    return RECURRENCE_CHOICES.get(rule) or RepeatRule.parse(rule).label


# Responsible people: a team member's account id, or a contact outside the team as the negative
# of its id (the editor's value only; the service gets responsible_contact_id).
STATUS_LABELS: dict[InterventionStatus, str] = {
    InterventionStatus.PLANNED: "Planned",
    InterventionStatus.IN_PROGRESS: "In progress",
    InterventionStatus.DONE: "Done",
    InterventionStatus.DROPPED: "Dropped",
}
NOT_ASSIGNED = "Not assigned"
NO_TITLE = "Describe what is done"
REASON_SHOWN = 36  # characters of a dropped item's reason shown in the table (all in the tooltip)


class Column(IntEnum):
    TITLE = 0
    STRATEGY = 1
    RESPONSIBLE = 2
    START = 3
    DUE = 4
    REVIEW = 5
    RECURRENCE = 6
    STATUS = 7
    NOTES = 8

    @property
    def header(self) -> str:
        return _HEADERS[self]

    @property
    def field(self) -> str:
        return _FIELDS[self]

    @property
    def is_date(self) -> bool:
        return self in (Column.START, Column.DUE, Column.REVIEW)


_HEADERS = {
    Column.TITLE: "Intervention",
    Column.STRATEGY: "Strategy",
    Column.RESPONSIBLE: "Responsible",
    Column.START: "Start",
    Column.DUE: "Due",
    Column.REVIEW: "Review",
    Column.RECURRENCE: "Repeats",
    Column.STATUS: "Status",
    Column.NOTES: "Notes",
}
_FIELDS = {
    Column.TITLE: "title",
    Column.STRATEGY: "strategy",
    Column.RESPONSIBLE: "responsible_id",
    Column.START: "start_on",
    Column.DUE: "due_on",
    Column.REVIEW: "review_on",
    Column.RECURRENCE: "recurrence",
    Column.STATUS: "status",
    Column.NOTES: "notes",
}
_FIELD_WORDS = {
    "title": "description",
    "strategy": "strategy",
    "responsible_id": "responsible member",
    "start_on": "start date",
    "due_on": "due date",
    "review_on": "review date",
    "recurrence": "repetition",
    "status": "status",
    "notes": "notes",
    "dropped_reason": "reason dropped",
}


def new_key() -> str:
    return secrets.token_hex(8)


@dataclass
class InterventionRow:
    """One intervention as the editor holds it (a plain value; the model copies on write)."""

    key: str
    title: str = ""
    strategy: Strategy = Strategy.SUBJECT
    responsible_id: int | None = None
    start_on: date | None = None
    due_on: date | None = None
    review_on: date | None = None
    recurrence: str = Recurrence.NONE.value  # a RepeatRule, encoded
    status: InterventionStatus = InterventionStatus.PLANNED
    dropped_reason: str = ""
    notes: str = ""
    catalog_ref: str = ""

    @classmethod
    def new(cls, **values: Any) -> InterventionRow:
        return cls(key=new_key(), **values)

    @classmethod
    def from_record(cls, item: PlanIntervention) -> InterventionRow:
        return cls(
            key=item.key,
            title=item.title,
            strategy=_enum(Strategy, item.strategy, Strategy.SUBJECT),
            responsible_id=-item.responsible_contact_id
            if item.responsible_contact_id is not None
            else item.responsible_id,
            start_on=item.start_on,
            due_on=item.due_on,
            review_on=item.review_on,
            recurrence=RepeatRule.parse(item.recurrence).encode(),
            status=_enum(InterventionStatus, item.status, InterventionStatus.PLANNED),
            dropped_reason=item.dropped_reason,
            notes=item.notes,
            catalog_ref=item.catalog_ref,
        )

    def to_input(self) -> InterventionInput:
        return InterventionInput(
            title=self.title,
            strategy=self.strategy,
            responsible_id=self.responsible_id
            if self.responsible_id is None or self.responsible_id > 0
            else None,
            responsible_contact_id=-self.responsible_id
            if self.responsible_id is not None and self.responsible_id < 0
            else None,
            start_on=self.start_on,
            due_on=self.due_on,
            review_on=self.review_on,
            repeat=RepeatRule.parse(self.recurrence),
            status=self.status,
            dropped_reason=self.dropped_reason,
            notes=self.notes,
            catalog_ref=self.catalog_ref,
            key=self.key,
        )

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready (for the encrypted draft)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Strategy | Recurrence | InterventionStatus):
                value = value.value
            out[f.name] = value
        return out

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> InterventionRow:
        """Tolerant of a draft written by another version: unknown values fall back."""

        def day(name: str) -> date | None:
            try:
                raw = payload.get(name)
                return date.fromisoformat(raw) if isinstance(raw, str) and raw else None
            except ValueError:
                return None

        responsible = payload.get("responsible_id")
        return cls(
            key=str(payload.get("key") or new_key()),
            title=str(payload.get("title") or ""),
            strategy=_enum(Strategy, payload.get("strategy"), Strategy.SUBJECT),
            responsible_id=responsible if isinstance(responsible, int) else None,
            start_on=day("start_on"),
            due_on=day("due_on"),
            review_on=day("review_on"),
            recurrence=RepeatRule.parse(str(payload.get("recurrence") or "none")).encode(),
            status=_enum(InterventionStatus, payload.get("status"), InterventionStatus.PLANNED),
            dropped_reason=str(payload.get("dropped_reason") or ""),
            notes=str(payload.get("notes") or ""),
            catalog_ref=str(payload.get("catalog_ref") or ""),
        )


def _enum(kind: Any, value: object, default: Any) -> Any:
    try:
        return kind(value)
    except ValueError:
        return default


def to_qdate(value: date | None) -> QDate | None:
    return QDate(value.year, value.month, value.day) if value is not None else None


def from_qdate(value: object) -> date | None:
    if isinstance(value, QDate):
        return date(value.year(), value.month(), value.day()) if value.isValid() else None
    if isinstance(value, date):
        return value
    return None


# ---- undo commands -----------------------------------------------------------------------------


class _SetFields(QUndoCommand):
    def __init__(self, model: InterventionModel, key: str, changes: dict[str, Any], text: str):
        super().__init__(text)
        self._model = model
        self._key = key
        self._new = dict(changes)
        self._old: dict[str, Any] = {}

    def redo(self) -> None:
        self._old = self._model._apply_fields(self._key, self._new)

    def undo(self) -> None:
        self._model._apply_fields(self._key, self._old)


class _InsertRows(QUndoCommand):
    def __init__(self, model: InterventionModel, position: int, rows: list[InterventionRow]):
        super().__init__("Add intervention" if len(rows) == 1 else f"Add {len(rows)} interventions")
        self._model = model
        self._position = position
        self._rows = [replace(r) for r in rows]

    def redo(self) -> None:
        self._model._insert(self._position, [replace(r) for r in self._rows])

    def undo(self) -> None:
        self._model._remove([r.key for r in self._rows])


class _RemoveRows(QUndoCommand):
    def __init__(self, model: InterventionModel, keys: list[str]):
        super().__init__(
            "Remove intervention" if len(keys) == 1 else f"Remove {len(keys)} interventions"
        )
        self._model = model
        self._keys = keys
        self._removed: list[tuple[int, InterventionRow]] = []

    def redo(self) -> None:
        self._removed = self._model._remove(self._keys)

    def undo(self) -> None:
        for position, row in sorted(self._removed, key=lambda pair: pair[0]):
            self._model._insert(position, [replace(row)])


class _Reorder(QUndoCommand):
    def __init__(self, model: InterventionModel, before: list[str], after: list[str]):
        super().__init__("Move intervention")
        self._model = model
        self._before = before
        self._after = after

    def redo(self) -> None:
        self._model._reorder(self._after)

    def undo(self) -> None:
        self._model._reorder(self._before)


# ---- the model ---------------------------------------------------------------------------------


class InterventionModel(QAbstractTableModel):
    """Rows of ``InterventionRow``; edits go through ``undo_stack``."""

    contents_changed = Signal()
    dropped_reason_needed = Signal(str)  # key: the status was set to dropped, ask why

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[InterventionRow] = []
        self._editable = False
        self._names: dict[int, str] = {}
        self._member_choices: list[tuple[int | None, str]] = [(None, NOT_ASSIGNED)]
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(200)
        self.today = date.today()

    # -- content -------------------------------------------------------------------------------

    def set_rows(self, rows: Iterable[InterventionRow], *, keep_undo: bool = False) -> None:
        self.beginResetModel()
        self._rows = [replace(r) for r in rows]
        self.endResetModel()
        if not keep_undo:
            self.undo_stack.clear()
        self.contents_changed.emit()

    def rows(self) -> list[InterventionRow]:
        return [replace(r) for r in self._rows]

    def row_at(self, row: int) -> InterventionRow:
        return replace(self._rows[row])

    def row_of(self, key: str) -> int:
        for number, row in enumerate(self._rows):
            if row.key == key:
                return number
        return -1

    def keys(self) -> list[str]:
        return [r.key for r in self._rows]

    def set_editable(self, editable: bool) -> None:
        if editable != self._editable:
            self._editable = editable
            if self._rows:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(self._rows) - 1, len(Column) - 1)
                )

    def is_editable(self) -> bool:
        return self._editable

    def set_people(self, names: dict[int, str], choices: Sequence[tuple[int, str]]) -> None:
        """Names to show for responsible ids, and the members one may choose."""
        self._names = dict(names)
        self._member_choices = [(None, NOT_ASSIGNED), *choices]
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(
                self.index(0, Column.RESPONSIBLE), self.index(last, Column.RESPONSIBLE)
            )

    def member_choices(self, current: int | None = None) -> list[tuple[int | None, str]]:
        choices = list(self._member_choices)
        if current is not None and all(value != current for value, _ in choices):
            choices.append((current, self.name_of(current)))
        return choices

    def name_of(self, account_id: int | None) -> str:
        if account_id is None:
            return NOT_ASSIGNED
        fallback = "(former contact)" if account_id < 0 else "(former member)"
        return self._names.get(account_id, fallback)

    # -- Qt model ------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            if role == Qt.ItemDataRole.DisplayRole:
                return Column(section).header
            if role == Qt.ItemDataRole.ToolTipRole:
                return _HEADER_TIPS.get(Column(section), "")
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled if self._editable else Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable:
            flags |= (
                Qt.ItemFlag.ItemIsEditable
                | Qt.ItemFlag.ItemIsDragEnabled
                | Qt.ItemFlag.ItemIsDropEnabled
            )
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == KEY_ROLE:
            return row.key
        if role == Qt.ItemDataRole.EditRole:
            value = getattr(row, column.field)
            if column.is_date:
                return to_qdate(value)
            if isinstance(value, Strategy | Recurrence | InterventionStatus):
                return value.value
            return value
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(row, column, accessible=role != Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, column)
        if role == Qt.ItemDataRole.FontRole:
            return self._font(row, column)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == Column.STATUS:
                if row.status == InterventionStatus.DONE:
                    return icon("check")
                if row.status == InterventionStatus.DROPPED:
                    return icon("close")
            if column == Column.RECURRENCE and row.recurrence != Recurrence.NONE:
                return icon("calendar")
            if column == Column.DUE and self._overdue(row):
                return icon("warning", error_color())
        return None

    def _overdue(self, row: InterventionRow) -> bool:
        return (
            row.due_on is not None
            and row.due_on < self.today
            and row.status.is_open
            and row.recurrence == Recurrence.NONE
        )

    def _display(self, row: InterventionRow, column: Column, *, accessible: bool) -> str:
        if column == Column.TITLE:
            return row.title or (NO_TITLE if not accessible else "No description yet")
        if column == Column.STRATEGY:
            return row.strategy.label
        if column == Column.RESPONSIBLE:
            return self.name_of(row.responsible_id)
        if column.is_date:
            value = getattr(row, column.field)
            if value is None:
                return "no date" if accessible else "—"
            return fmt_date(value) + (" (overdue)" if accessible and column == Column.DUE and
                                      self._overdue(row) else "")  # fmt: skip
        if column == Column.RECURRENCE:
            if row.recurrence == Recurrence.NONE:
                return "does not repeat" if accessible else "—"
            return repeat_label(row.recurrence)
        if column == Column.STATUS:
            label = STATUS_LABELS[row.status]
            if row.status == InterventionStatus.DROPPED and row.dropped_reason:
                reason = " ".join(row.dropped_reason.split())
                if not accessible and len(reason) > REASON_SHOWN:
                    reason = reason[: REASON_SHOWN - 1].rstrip() + "…"
                return f"{label}: {reason}"
            return label
        if column == Column.NOTES:
            return " ".join(row.notes.split())
        return ""

    def _tooltip(self, row: InterventionRow, column: Column) -> str:
        if column == Column.TITLE:
            parts = [row.title] if row.title else ["No description yet: describe what is done."]
            if row.catalog_ref:
                parts.append("From the intervention catalog.")
            return "\n".join(parts)
        if column == Column.STATUS and row.status == InterventionStatus.DROPPED:
            return f"Dropped. Why: {row.dropped_reason or '(no reason given yet)'}"
        if column == Column.DUE and self._overdue(row):
            return "Overdue: the due date has passed and the item is still open."
        if column == Column.RECURRENCE and row.recurrence != Recurrence.NONE:
            first = fmt_date(row.start_on) if row.start_on else "(give a start date)"
            return f"{repeat_label(row.recurrence)}, first on {first}"
        if column == Column.NOTES and row.notes:
            return row.notes[:1500]
        return ""

    def _foreground(self, row: InterventionRow, column: Column) -> QBrush | None:
        muted = QBrush(QColor(current_colors().muted_fg))
        if column == Column.TITLE and not row.title:
            return muted
        if column == Column.DUE and self._overdue(row):
            return QBrush(QColor(error_color()))
        if row.status == InterventionStatus.DROPPED:
            return muted
        if column == Column.RESPONSIBLE and row.responsible_id is None:
            return muted
        if column.is_date and getattr(row, column.field) is None:
            return muted
        if column == Column.RECURRENCE and row.recurrence == Recurrence.NONE:
            return muted
        return None

    def _font(self, row: InterventionRow, column: Column) -> QFont | None:
        if column == Column.TITLE and not row.title:
            font = QFont()
            font.setItalic(True)
            return font
        if column == Column.TITLE and row.status == InterventionStatus.DROPPED:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if column == Column.DUE and self._overdue(row):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = 2
    ) -> bool:
        if not self._editable or not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row = self._rows[index.row()]
        column = Column(index.column())
        try:
            new = self._convert(column, value)
        except ValueError:
            return False
        if new == getattr(row, column.field):
            return False
        if column == Column.STATUS and new == InterventionStatus.DROPPED:
            self.dropped_reason_needed.emit(row.key)
            return False
        changes: dict[str, Any] = {column.field: new}
        if column == Column.STATUS and row.dropped_reason:
            changes["dropped_reason"] = ""  # no longer dropped
        self.set_fields(row.key, changes)
        return True

    def _convert(self, column: Column, value: Any) -> Any:
        if column.is_date:
            return from_qdate(value)
        if column == Column.STRATEGY:
            return Strategy(value)
        if column == Column.RECURRENCE:
            return RepeatRule.parse(str(value)).encode()
        if column == Column.STATUS:
            return InterventionStatus(value)
        if column == Column.RESPONSIBLE:
            return int(value) if value is not None and value != "" else None
        text = "" if value is None else str(value)
        return text.strip() if column == Column.TITLE else text

    # -- undoable operations -------------------------------------------------------------------

    def set_fields(self, key: str, changes: dict[str, Any], text: str = "") -> None:
        position = self.row_of(key)
        if position < 0:
            return
        if not text:
            title = self._rows[position].title or "new intervention"
            words = ", ".join(_FIELD_WORDS.get(name, name) for name in changes)
            text = f"Change {words} of “{title[:30]}”"
        self.undo_stack.push(_SetFields(self, key, changes, text))

    def drop(self, key: str, reason: str) -> None:
        """Mark an intervention dropped with the reason why (one undo step)."""
        self.set_fields(
            key,
            {"status": InterventionStatus.DROPPED, "dropped_reason": reason.strip()},
            "Drop intervention",
        )

    def add_rows(self, position: int, rows: Sequence[InterventionRow]) -> None:
        if rows:
            position = max(0, min(position, len(self._rows)))
            self.undo_stack.push(_InsertRows(self, position, list(rows)))

    def remove_keys(self, keys: Sequence[str]) -> None:
        present = [k for k in keys if self.row_of(k) >= 0]
        if present:
            self.undo_stack.push(_RemoveRows(self, present))

    def move_keys(self, keys: Sequence[str], destination: int) -> bool:
        """Move the rows with ``keys`` (kept in their order) so the first lands at
        ``destination`` counted among the rows that are not moved. False if nothing moves."""
        moving = [k for k in self.keys() if k in set(keys)]
        if not moving:
            return False
        rest = [k for k in self.keys() if k not in set(moving)]
        destination = max(0, min(destination, len(rest)))
        after = rest[:destination] + moving + rest[destination:]
        before = self.keys()
        if after == before:
            return False
        self.undo_stack.push(_Reorder(self, before, after))
        return True

    def move_by(self, keys: Sequence[str], step: int) -> bool:
        """Move rows one place up (-1) or down (+1)."""
        positions = sorted(self.row_of(k) for k in keys if self.row_of(k) >= 0)
        if not positions:
            return False
        first = positions[0]
        # Among the rows not moved, the block now starts after ``first`` of them.
        return self.move_keys([self._rows[p].key for p in positions], first + step)

    # -- applied by the commands (no undo of their own) ----------------------------------------

    def _apply_fields(self, key: str, changes: dict[str, Any]) -> dict[str, Any]:
        position = self.row_of(key)
        if position < 0:
            return {}
        row = self._rows[position]
        old = {name: getattr(row, name) for name in changes}
        for name, value in changes.items():
            setattr(row, name, value)
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(Column) - 1))
        self.contents_changed.emit()
        return old

    def _insert(self, position: int, rows: list[InterventionRow]) -> None:
        position = max(0, min(position, len(self._rows)))
        self.beginInsertRows(QModelIndex(), position, position + len(rows) - 1)
        self._rows[position:position] = rows
        self.endInsertRows()
        self.contents_changed.emit()

    def _remove(self, keys: Sequence[str]) -> list[tuple[int, InterventionRow]]:
        """Remove rows; returns (original position, row) pairs for putting them back."""
        positions = sorted((p for p in (self.row_of(k) for k in keys) if p >= 0), reverse=True)
        removed: list[tuple[int, InterventionRow]] = []
        for position in positions:  # bottom first: the positions above stay valid
            self.beginRemoveRows(QModelIndex(), position, position)
            removed.append((position, self._rows.pop(position)))
            self.endRemoveRows()
        self.contents_changed.emit()
        return removed

    def _reorder(self, keys: list[str]) -> None:
        by_key = {r.key: r for r in self._rows}
        if sorted(keys) != sorted(by_key):
            return
        self.layoutAboutToBeChanged.emit()
        old_rows = {r.key: n for n, r in enumerate(self._rows)}
        self._rows = [by_key[k] for k in keys]
        new_rows = {k: n for n, k in enumerate(keys)}
        old_to_new = {old_rows[k]: new_rows[k] for k in keys}
        persistent = self.persistentIndexList()
        moved = [
            self.index(old_to_new.get(index.row(), index.row()), index.column())
            for index in persistent
        ]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
        self.contents_changed.emit()

    # -- drag and drop -------------------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [ROW_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        keys = sorted({i.row() for i in indexes if i.isValid()})
        data = QMimeData()
        data.setData(ROW_MIME, QByteArray(",".join(self._rows[r].key for r in keys).encode()))
        return data

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        return self._editable and data.hasFormat(ROW_MIME)

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if not self._editable or not data.hasFormat(ROW_MIME):
            return False
        if action == Qt.DropAction.IgnoreAction:
            return True
        keys = [k for k in bytes(data.data(ROW_MIME).data()).decode().split(",") if k]
        keys = [k for k in keys if self.row_of(k) >= 0]
        if not keys:
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._rows)
            if parent.isValid() and parent.row() > self.row_of(keys[0]):
                row += 1  # dropped onto a row below: land after it
        # ``row`` counts all rows; the destination counts the rows that stay.
        moving = set(keys)
        destination = sum(1 for r in self._rows[:row] if r.key not in moving)
        return self.move_keys(keys, destination)


_HEADER_TIPS = {
    Column.TITLE: "What is done. Double-click, press F2 or start typing to change it.",
    Column.STRATEGY: "What the intervention acts on (the strategy type)",
    Column.RESPONSIBLE: "The team member who sees that it happens",
    Column.START: "When it starts (the first occurrence if it repeats)",
    Column.DUE: "When it should be done",
    Column.REVIEW: "When the team reviews whether it works",
    Column.RECURRENCE: "Whether it repeats, such as a weekly check-in",
    Column.STATUS: "Planned, in progress, done, or dropped (with the reason why)",
    Column.NOTES: "Anything the team should know about it",
}
