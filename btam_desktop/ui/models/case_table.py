"""The case list as a table model: the whole list's shape at once, rows loaded where you look.

A query runs as two background tasks (``ui.tasks.run_in_background``):

* the first page, ``app.cases.list_page(query, 0, PAGE_SIZE)``, so the top of the list paints
  as soon as the database can walk one page;
* every matching id in list order, ``app.cases.list_ids(query)``: one walk of the sort index
  reading no row content. Its length is the count ("1,234 cases") and the model's row count.

Once the ids are in, the table has as many rows as there are matches, and a row's content is
loaded only when the view asks for it: ``data()`` on a row whose page is not in memory asks for
that page (``app.cases.list_rows(ids)``, a primary-key lookup however deep the page lies), and
answers once it has arrived. So Ctrl+End, or dragging the scroll bar anywhere, loads the rows
shown there and nothing in between. At most ``MAX_PAGES`` pages stay in memory, the least
recently painted ones are forgotten first.

Sorting and filtering re-query the service (the database sorts the whole result). Each query
gets a new generation number; an answer for an older generation is dropped, so a slow answer to
a superseded search can never overwrite a newer one. While a new query loads, the rows of the
previous one stay on screen (no flashing) and ``loading_changed(True)`` lets the page show a
subtle "Loading…" state. The search box waits for a pause in typing.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import IntEnum
from functools import lru_cache
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon

from btam_desktop.domain.enums import Priority, ThreatType
from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.formatting import date_style
from btam_desktop.domain.formatting import format_date as format_date_in_style
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery, CaseRow, CaseSort
from btam_desktop.ui import tasks
from btam_desktop.ui.icons import icon
from btam_desktop.ui.theme import current_colors, is_dark
from btam_desktop.ui.widgets.level import LEVEL_COLOR_ROLE

logger = logging.getLogger(__name__)

PAGE_SIZE = 200
"""Rows per page: enough to fill a tall window twice, small enough to load in a few ms."""

MAX_PAGES = 40
"""Pages of rows kept in memory (8,000 rows); beyond that the least recently shown go."""

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 10
"""Item data role holding the case's database id (int), in every column."""

OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 11
"""Item data role: the date a review has been overdue since (datetime.date), or None."""

AnyIndex = QModelIndex | QPersistentModelIndex

# Readable on the light and the dark table background (WCAG >= 4.5:1 on Base and AlternateBase).
OVERDUE_LIGHT = "#b42318"
OVERDUE_DARK = "#ff8a80"
LEVEL_TINT_ALPHA = 46


class Column(IntEnum):
    NUMBER = 0
    TITLE = 1
    STATUS = 2
    LEVEL = 3
    PRIORITY = 4
    OWNER = 5
    SITE = 6
    OPENED = 7
    NEXT_DUE = 8
    THREAT = 9  # last, so layouts saved before it existed still apply


_COLUMN_COUNT = len(Column)
_LEVEL, _NEXT_DUE, _OWNER = int(Column.LEVEL), int(Column.NEXT_DUE), int(Column.OWNER)
_STATUS, _PRIORITY = int(Column.STATUS), int(Column.PRIORITY)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_ROLES = frozenset(
    {
        _DISPLAY,
        _TOOLTIP,
        _FOREGROUND,
        _BACKGROUND,
        _DECORATION,
        _FONT,
        int(CASE_ID_ROLE),
        int(OVERDUE_ROLE),
        int(LEVEL_COLOR_ROLE),
    }
)


@dataclass(frozen=True)
class ColumnSpec:
    header: str
    sort: CaseSort
    tooltip: str


COLUMNS: dict[Column, ColumnSpec] = {
    Column.NUMBER: ColumnSpec("Case", CaseSort.NUMBER, "Case number"),
    Column.TITLE: ColumnSpec("Title", CaseSort.TITLE, "Short title of the case"),
    Column.STATUS: ColumnSpec("Status", CaseSort.STATUS, "Where the case stands"),
    Column.LEVEL: ColumnSpec("Level", CaseSort.LEVEL, "Level of concern the team decided"),
    Column.PRIORITY: ColumnSpec("Priority", CaseSort.PRIORITY, "Priority of the case"),
    Column.OWNER: ColumnSpec("Owner", CaseSort.OWNER, "Team member responsible for the case"),
    Column.SITE: ColumnSpec("Site", CaseSort.SITE, "School, office or other site"),
    Column.OPENED: ColumnSpec("Opened", CaseSort.OPENED, "Date the case was opened"),
    Column.NEXT_DUE: ColumnSpec("Next review", CaseSort.NEXT_DUE, "Date of the next review"),
    Column.THREAT: ColumnSpec(
        "Threat", CaseSort.THREAT_TYPE, "Transient or substantive, once screening decided"
    ),
}

DEFAULT_SORT = CaseSort.OPENED
DEFAULT_DESCENDING = True


def column_for_sort(sort: CaseSort) -> Column:
    return next(column for column, spec in COLUMNS.items() if spec.sort is sort)


def format_date(value: date | None) -> str:
    """A date in the team's date format, as on the case screens and on paper."""
    if value is None:
        return ""
    return _format_date_in(value, date_style())


@lru_cache(maxsize=4096)
def _format_date_in(value: date, style: str) -> str:
    return format_date_in_style(value, style)


def local_date(moment: datetime) -> date:
    return moment.astimezone().date() if moment.tzinfo is not None else moment.date()


def filter_key(query: CaseQuery) -> tuple[Any, ...]:
    """What decides how many cases match (everything but the sort order)."""
    return (
        tuple(sorted(s.value for s in query.statuses)),
        tuple(sorted(query.levels)),
        query.owner_id,
        query.site,
        query.setting.value if query.setting is not None else None,
        query.mine,
        query.overdue,
        query.open_only,
        query.threat_type.value if query.threat_type is not None else None,
        query.threat_type_unset,
        " ".join(query.text.split()).casefold(),
    )


def copy_query(query: CaseQuery) -> CaseQuery:
    return replace(query, statuses=set(query.statuses), levels=set(query.levels))


@dataclass(frozen=True, slots=True)
class CaseListRow:
    """One loaded row, with its cell texts worked out on the worker thread."""

    case_id: int
    texts: tuple[str, ...]
    title: str
    level_label: str
    level_color: str | None
    closed: bool
    has_owner: bool
    urgent: bool
    next_due: date | None
    overdue_since: date | None


ScaleLevels = dict[str, tuple[str, str]]
"""code -> (label, colour) of one level-of-concern scale."""


@dataclass(frozen=True, slots=True)
class _Page:
    rows: list[CaseListRow]
    fetched: int
    scales: dict[str, ScaleLevels]


def _scale_levels(app: Btam, scale_id: str) -> ScaleLevels:
    try:
        scale = app.scale(scale_id)
    except VaultError:  # a scale no longer installed: show the codes
        return {}
    return {level.code: (level.label, level.color) for level in scale.levels}


_THREAT_TYPES = {t.value for t in ThreatType}


def build_row(row: CaseRow, levels: ScaleLevels, today: date) -> CaseListRow:
    """Cell texts for one case (pure: runs on the worker thread)."""
    label, color = ("", None)
    if row.level:
        label, color = levels.get(row.level, (row.level, None))
    overdue = (
        row.next_due
        if row.next_due is not None and row.next_due < today and not row.status.is_closed
        else None
    )
    texts = (
        row.number,
        row.title,
        row.status.label,
        label or "Not set",
        row.priority.label,
        row.owner or "Unassigned",
        row.site,
        format_date(local_date(row.opened_at)),
        format_date(row.next_due),
        ThreatType(row.threat_type).label if row.threat_type in _THREAT_TYPES else "",
    )
    return CaseListRow(
        case_id=row.id,
        texts=texts,
        title=row.title,
        level_label=label,
        level_color=color,
        closed=row.status.is_closed,
        has_owner=bool(row.owner),
        urgent=row.priority in (Priority.URGENT, Priority.HIGH),
        next_due=row.next_due,
        overdue_since=overdue,
    )


class CaseTableModel(QAbstractTableModel):
    """The case list, loaded a page at a time in the background."""

    loading_changed = Signal(bool)
    """True while a page (first or further) of the current query is being fetched."""
    total_changed = Signal()
    """The number of matching cases is known (``total()``), or unknown again (None)."""
    query_loaded = Signal()
    """The first page of the current query is in (rows may be zero)."""
    load_failed = Signal(object)
    """Fetching failed; the exception (a VaultError a person can act on, or a bug)."""

    def __init__(
        self, app: Btam | None, parent: QObject | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(parent)
        # None while the window is built during the password check; see attach().
        self._signed_in_app = app
        self._page_size = max(1, page_size)
        self._query = CaseQuery(open_only=True, sort=DEFAULT_SORT, descending=DEFAULT_DESCENDING)
        # The rows as the view sees them: every id in list order, and the loaded pages' rows.
        self._ids: list[int] = []
        self._pages: OrderedDict[int, list[CaseListRow | None]] = OrderedDict()
        self._ids_complete = False  # False while only the first page's ids are known
        self._generation = 0
        self._started = False
        self._first_task: tasks.BackgroundTask | None = None
        self._ids_task: tasks.BackgroundTask | None = None
        self._page_tasks: dict[int, tasks.BackgroundTask] = {}
        self._wanted: set[int] = set()
        self._first_page_pending = False
        self._pending_ids: list[int] | None = None  # all ids, arrived before the first page
        self._total: int | None = None
        self._count_cache: dict[tuple[Any, ...], int] = {}
        self._scales: dict[str, ScaleLevels] = {}
        self._tints: dict[str, QColor] = {}
        self._warning_icon: QIcon | None = None
        self._bold: QFont | None = None
        self._colors_key: int | None = None
        self._colors = (QColor(), QColor())
        self._last_error: BaseException | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._load_wanted_pages)

    # ---- the query -----------------------------------------------------------------------
    def query(self) -> CaseQuery:
        """A copy of the query in force (filters and sort)."""
        return copy_query(self._query)

    def set_filters(self, query: CaseQuery) -> None:
        """Show the cases matching ``query``'s filters, keeping the current sort order."""
        new = copy_query(query)
        new.sort, new.descending = self._query.sort, self._query.descending
        self._query = new
        self.reload()

    def set_query(self, query: CaseQuery) -> None:
        """Show the cases matching ``query``, filters and sort order both."""
        self._query = copy_query(query)
        self.reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort on the server: re-query the service with the column's CaseSort."""
        if column not in list(Column):
            return
        sort = COLUMNS[Column(column)].sort
        descending = order == Qt.SortOrder.DescendingOrder
        if (sort, descending) == (self._query.sort, self._query.descending):
            return
        self._query.sort, self._query.descending = sort, descending
        if self._started:
            self.reload()

    def reload(self, *, recount: bool = False) -> None:
        """Load the current query again: its first page and all its ids."""
        if recount:
            self._count_cache.clear()
        self._started = True
        self._generation += 1
        generation = self._generation
        self._cancel_all()
        self._last_error = None
        self._pending_ids = None
        self._set_total(self._count_cache.get(filter_key(self._query)))
        self._first_page_pending = True
        was_loading = self.is_loading()
        self._start_first_page(generation)
        self._start_ids(generation)
        if not was_loading:
            self.loading_changed.emit(True)

    def refresh(self) -> None:
        """Re-run the current query from scratch (cases were added or changed)."""
        self.reload(recount=True)

    def attach(self, app: Btam) -> None:
        """The signed-in app, for a model made before the sign-in (nothing was loaded yet)."""
        self._signed_in_app = app

    @property
    def _app(self) -> Btam:
        app = self._signed_in_app
        if app is None:
            raise RuntimeError("the case list is not signed in yet")
        return app

    # ---- state ---------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        return self._generation

    def is_loading(self) -> bool:
        return bool(self._first_task or self._ids_task or self._page_tasks)

    def is_first_page_pending(self) -> bool:
        """True until the first page of the current query has arrived."""
        return self._first_page_pending

    def total(self) -> int | None:
        """How many cases match the current filters, once known."""
        return self._total

    def last_error(self) -> BaseException | None:
        return self._last_error

    def all_loaded(self) -> bool:
        """The whole list's shape is known: every row is there (its content loads on sight)."""
        return self._started and not self._first_page_pending and self._ids_complete

    def loaded_pages(self) -> list[int]:
        """The page numbers whose rows are in memory (for tests and benchmarks)."""
        return sorted(self._pages)

    def row_loaded(self, row: int) -> bool:
        page = self._pages.get(row // self._page_size)
        return page is not None and page[row % self._page_size] is not None

    def case_id(self, row: int) -> int | None:
        if 0 <= row < len(self._ids):
            return self._ids[row]
        return None

    def row_of_case(self, case_id: int) -> int | None:
        try:
            return self._ids.index(case_id)
        except ValueError:
            return None

    # ---- Qt model API --------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else _NO_FLAGS

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or section not in list(Column):
            return None
        spec = COLUMNS[Column(section)]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{spec.tooltip}. Click to sort by this column."
        return None

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        # Called for every role of every visible cell on each paint: keep the common path short.
        if role not in _ROLES:
            return None
        row_number, column = index.row(), index.column()
        if not (0 <= row_number < len(self._ids) and 0 <= column < _COLUMN_COUNT):
            return None
        if role == CASE_ID_ROLE:
            return self._ids[row_number]
        row = self._row(row_number)
        if row is None:
            return "…" if role == _DISPLAY and column == 0 else None
        if role == _DISPLAY:
            return row.texts[column]
        if role == OVERDUE_ROLE:
            return row.overdue_since
        if role == _TOOLTIP:
            return self._tooltip(row, Column(column))
        if column == _LEVEL:
            return self._level_data(row, role)
        if column == _NEXT_DUE and row.overdue_since is not None:
            return self._overdue_data(role)
        if role == _FOREGROUND:
            if (column == _OWNER and not row.has_owner) or (column == _STATUS and row.closed):
                return self._palette_colors()[0]
            return None
        if role == _FONT and column == _PRIORITY and row.urgent:
            return self._bold_font()
        return None

    def _row(self, row_number: int) -> CaseListRow | None:
        """The row's content, or None while it loads (asking for its page if need be)."""
        number, within = divmod(row_number, self._page_size)
        page = self._pages.get(number)
        if page is None:
            self._want(number)
            return None
        self._pages.move_to_end(number)  # recently shown: forgotten last
        return page[within]

    def _want(self, number: int) -> None:
        if number in self._page_tasks or not self._ids_complete:
            return
        self._wanted.add(number)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    # ---- cells ---------------------------------------------------------------------------
    def _tooltip(self, row: CaseListRow, column: Column) -> str | None:
        if column == Column.LEVEL:
            return (
                f"Level of concern: {row.level_label}"
                if row.level_label
                else "No level of concern decided yet"
            )
        if column == Column.NEXT_DUE:
            if row.overdue_since is not None:
                return f"Review overdue since {format_date(row.overdue_since)}"
            if row.next_due is not None:
                return f"Next review {format_date(row.next_due)}"
            return None
        if column in (Column.TITLE, Column.STATUS, Column.OWNER, Column.SITE):
            return row.texts[column] or None
        return None

    def _palette_colors(self) -> tuple[QColor, QColor]:
        """(muted text, overdue text) for the palette in use; recomputed when it changes."""
        key = QGuiApplication.palette().cacheKey()
        if self._colors_key != key:
            self._colors_key = key
            self._colors = (
                QColor(current_colors().muted_fg),
                QColor(OVERDUE_DARK if is_dark() else OVERDUE_LIGHT),
            )
        return self._colors

    def _bold_font(self) -> QFont:
        if self._bold is None:
            self._bold = QFont()
            self._bold.setBold(True)
        return self._bold

    def _level_data(self, row: CaseListRow, role: int) -> Any:
        if role == LEVEL_COLOR_ROLE:
            return row.level_color
        if role == _BACKGROUND and row.level_color:
            return self._tint(row.level_color)
        if role == _FOREGROUND and not row.level_label:
            return self._palette_colors()[0]
        return None

    def _tint(self, color_hex: str) -> QColor:
        tint = self._tints.get(color_hex)
        if tint is None:
            tint = QColor(color_hex)
            if not tint.isValid():
                tint = QColor("#808080")
            tint.setAlpha(LEVEL_TINT_ALPHA)
            self._tints[color_hex] = tint
        return tint

    def _overdue_data(self, role: int) -> Any:
        if role == _FOREGROUND:
            return self._palette_colors()[1]
        if role == _DECORATION:
            if self._warning_icon is None:
                self._warning_icon = icon("warning")
            return self._warning_icon
        if role == _FONT:
            return self._bold_font()
        return None

    # ---- background work -----------------------------------------------------------------
    @staticmethod
    def _cancel(task: tasks.BackgroundTask | None) -> None:
        if task is not None and not task.is_finished:
            task.cancel()

    def _cancel_all(self) -> None:
        for task in (self._first_task, self._ids_task, *self._page_tasks.values()):
            self._cancel(task)
        self._first_task = self._ids_task = None
        self._page_tasks.clear()
        self._wanted.clear()
        self._flush_timer.stop()

    def _build_rows(self, found: list[CaseRow]) -> tuple[list[CaseListRow], dict[str, Any]]:
        """(Runs on the worker thread.) Cell texts for ``found``, and any new scales' levels."""
        known = dict(self._scales)
        app = self._app
        scales = {
            scale_id: _scale_levels(app, scale_id)
            for scale_id in {r.level_scale for r in found} - known.keys()
        }
        today = date.today()
        levels = {**known, **scales}
        return [build_row(r, levels.get(r.level_scale, {}), today) for r in found], scales

    def _start_first_page(self, generation: int) -> None:
        app, query, limit = self._app, copy_query(self._query), self._page_size
        build = self._build_rows

        def work() -> _Page:
            found = app.cases.list_page(query, 0, limit)
            rows, scales = build(found)
            return _Page(rows, len(found), scales)

        self._first_task = tasks.run_in_background(
            work,
            on_done=lambda page: self._first_page_arrived(generation, page),
            on_error=lambda error: self._load_failed(generation, error),
            parent=self,
        )

    def _start_ids(self, generation: int) -> None:
        app, query = self._app, copy_query(self._query)
        key = filter_key(query)
        self._ids_task = tasks.run_in_background(
            lambda: app.cases.list_ids(query),
            on_done=lambda ids: self._ids_arrived(generation, key, ids),
            on_error=lambda error: self._load_failed(generation, error),
            parent=self,
        )

    def _load_wanted_pages(self) -> None:
        generation, size = self._generation, self._page_size
        build = self._build_rows
        app = self._app
        for number in sorted(self._wanted):
            if number in self._page_tasks or number in self._pages:
                continue
            ids = self._ids[number * size : (number + 1) * size]
            if not ids:
                continue

            def work(ids: list[int] = ids) -> tuple[list[int], _Page]:
                found = app.cases.list_rows(ids)
                rows, scales = build(found)
                return ids, _Page(rows, len(found), scales)

            def arrived(answer: tuple[list[int], _Page], n: int = number) -> None:
                self._page_arrived(generation, n, *answer)

            self._page_tasks[number] = tasks.run_in_background(
                work,
                on_done=arrived,
                on_error=lambda error: self._load_failed(generation, error),
                parent=self,
            )
        self._wanted.clear()

    def _first_page_arrived(self, generation: int, page: _Page) -> None:
        if generation != self._generation:
            return  # a late answer to a superseded query
        self._first_task = None
        self._scales.update(page.scales)
        first_ids = [row.case_id for row in page.rows]
        all_ids = self._pending_ids
        self._pending_ids = None
        self.beginResetModel()
        self._pages.clear()
        if page.fetched < self._page_size:  # the first page is the whole list
            self._cancel(self._ids_task)
            self._ids_task, all_ids = None, first_ids
        if all_ids is not None and all_ids[: len(first_ids)] == first_ids:
            self._ids, self._ids_complete = list(all_ids), True
        else:  # ids still on their way (or from a moment before a change: asked again)
            self._ids, self._ids_complete = first_ids, False
            if all_ids is not None:
                self._start_ids(generation)
        self._pages[0] = list(page.rows)
        self._first_page_pending = False
        self.endResetModel()
        if self._ids_complete:
            self._know_total(len(self._ids))
        self._loading_step_done()
        self.query_loaded.emit()

    def _ids_arrived(self, generation: int, key: tuple[Any, ...], ids: list[int]) -> None:
        if generation != self._generation:
            return
        self._ids_task = None
        self._count_cache[key] = len(ids)
        self._set_total(len(ids))
        if self._first_page_pending:
            self._pending_ids = ids  # the first page resets the model with them
            self._loading_step_done()
            return
        shown = self._ids
        if ids[: len(shown)] == shown:
            self._ids_complete = True
            if len(ids) > len(shown):
                self.beginInsertRows(QModelIndex(), len(shown), len(ids) - 1)
                self._ids = list(ids)
                self.endInsertRows()
        else:  # the vault changed between the two answers: show the newer shape
            self.beginResetModel()
            self._ids, self._ids_complete = list(ids), True
            self._pages.clear()
            self.endResetModel()
        self._loading_step_done()

    def _page_arrived(self, generation: int, number: int, ids: list[int], page: _Page) -> None:
        if generation != self._generation:
            return
        self._page_tasks.pop(number, None)
        self._scales.update(page.scales)
        by_id = {row.case_id: row for row in page.rows}
        # A case deleted since the ids were read stays a blank row until the next refresh.
        self._pages[number] = [by_id.get(case_id) for case_id in ids]
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        first = number * self._page_size
        self.dataChanged.emit(
            self.index(first, 0), self.index(first + len(ids) - 1, _COLUMN_COUNT - 1)
        )
        self._loading_step_done()

    def _loading_step_done(self) -> None:
        if not self.is_loading():
            self.loading_changed.emit(False)

    def _load_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._last_error = error
        self._cancel_all()
        if self._first_page_pending:
            self.beginResetModel()
            self._ids, self._pages, self._ids_complete = [], OrderedDict(), False
            self._first_page_pending = False
            self.endResetModel()
        if not isinstance(error, VaultError):
            logger.error("loading the case list failed with %s", type(error).__name__)
        self.loading_changed.emit(False)
        self.load_failed.emit(error)

    def _know_total(self, total: int) -> None:
        self._count_cache[filter_key(self._query)] = total
        self._set_total(total)

    def _set_total(self, total: int | None) -> None:
        if total != self._total:
            self._total = total
            self.total_changed.emit()
