"""The case list as a table model: pages fetched off the GUI thread, sorted by the database.

Rows come from the case service one page (``PAGE_SIZE`` rows) at a time:
``app.cases.list_page(query, offset, limit)`` and ``app.cases.list_count(query)``, which return
exactly what ``find`` and ``count`` return, with query shapes that stay quick on 100,000 cases.
The view asks for more with ``canFetchMore``/``fetchMore`` as the person scrolls, the way
qutebrowser's history completion does; ``rowCount`` is the number of rows loaded so far. Sorting
re-queries the service with a ``CaseSort`` (the database sorts the whole result, never a partial
page here), and a filter change re-queries too.

Every query runs through ``ui.tasks.run_in_background``. Each new query gets a new generation
number; a page or a count that arrives for an older generation is dropped, so a slow answer to a
superseded search can never overwrite a newer one. While a new query loads, the rows of the
previous one stay on screen (no flashing) and ``loading_changed(True)`` lets the page show a
subtle "Loading…" state.

Counting: the total ("1,234 cases") is a separate background count, run alongside the first
page. It is skipped when the first page already holds every match, cached per filter set (so
re-sorting never re-counts), and dropped when superseded; the search box waits for a pause in
typing, so a person typing does not queue one COUNT over the whole vault per keystroke.
"""

from __future__ import annotations

import logging
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
    Signal,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon

from btam_desktop.domain.enums import Priority, ThreatType
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery, CaseRow, CaseSort
from btam_desktop.store.errors import VaultError
from btam_desktop.ui import tasks
from btam_desktop.ui.icons import icon
from btam_desktop.ui.theme import current_colors, is_dark
from btam_desktop.ui.widgets.level import LEVEL_COLOR_ROLE

logger = logging.getLogger(__name__)

PAGE_SIZE = 200
"""Rows per page: enough to fill a tall window twice, small enough to load in a few ms."""

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


@lru_cache(maxsize=4096)
def format_date(value: date | None) -> str:
    """A date as people read it in a list: "4 Mar 2026" (no ambiguous 03/04)."""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


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
        self, app: Btam, parent: QObject | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._page_size = max(1, page_size)
        self._query = CaseQuery(open_only=True, sort=DEFAULT_SORT, descending=DEFAULT_DESCENDING)
        self._rows: list[CaseListRow] = []
        self._generation = 0
        self._started = False
        self._exhausted = True
        self._page_task: tasks.BackgroundTask | None = None
        self._count_task: tasks.BackgroundTask | None = None
        self._first_page_pending = False
        self._total: int | None = None
        self._count_cache: dict[tuple[Any, ...], int] = {}
        self._scales: dict[str, ScaleLevels] = {}
        self._tints: dict[str, QColor] = {}
        self._warning_icon: QIcon | None = None
        self._bold: QFont | None = None
        self._colors_key: int | None = None
        self._colors = (QColor(), QColor())
        self._last_error: BaseException | None = None

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
        """Fetch the first page of the current query again (and its count if not cached)."""
        if recount:
            self._count_cache.clear()
        self._started = True
        self._generation += 1
        generation = self._generation
        self._cancel(self._page_task)
        self._cancel(self._count_task)
        self._page_task = self._count_task = None
        self._exhausted = True  # nothing more to fetch until the first page is in
        self._last_error = None
        cached = self._count_cache.get(filter_key(self._query))
        self._set_total(cached)
        self._first_page_pending = True
        self._start_page(generation, 0)
        if cached is None:
            self._start_count(generation)

    def refresh(self) -> None:
        """Re-run the current query from scratch (cases were added or changed)."""
        self.reload(recount=True)

    # ---- state ---------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        return self._generation

    def is_loading(self) -> bool:
        return self._page_task is not None

    def is_first_page_pending(self) -> bool:
        """True until the first page of the current query has arrived."""
        return self._first_page_pending

    def total(self) -> int | None:
        """How many cases match the current filters, once known."""
        return self._total

    def last_error(self) -> BaseException | None:
        return self._last_error

    def all_loaded(self) -> bool:
        return self._started and not self._first_page_pending and self._exhausted

    def case_id(self, row: int) -> int | None:
        if 0 <= row < len(self._rows):
            return self._rows[row].case_id
        return None

    def row_of_case(self, case_id: int) -> int | None:
        for number, row in enumerate(self._rows):
            if row.case_id == case_id:
                return number
        return None

    # ---- Qt model API --------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

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
        if not (0 <= row_number < len(self._rows) and 0 <= column < _COLUMN_COUNT):
            return None
        row = self._rows[row_number]
        if role == _DISPLAY:
            return row.texts[column]
        if role == CASE_ID_ROLE:
            return row.case_id
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

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or not self._started:
            return False
        return not self._exhausted and self._page_task is None

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._start_page(self._generation, len(self._rows))

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

    def _start_page(self, generation: int, offset: int) -> None:
        was_loading = self.is_loading()
        app, query, limit = self._app, copy_query(self._query), self._page_size
        known = dict(self._scales)

        def work() -> _Page:
            found = app.cases.list_page(query, offset, limit)
            scales = {
                scale_id: _scale_levels(app, scale_id)
                for scale_id in {r.level_scale for r in found} - known.keys()
            }
            today = date.today()
            levels = {**known, **scales}
            rows = [build_row(r, levels.get(r.level_scale, {}), today) for r in found]
            return _Page(rows, len(found), scales)

        self._page_task = tasks.run_in_background(
            work,
            on_done=lambda page: self._page_arrived(generation, offset, page),
            on_error=lambda error: self._page_failed(generation, error),
            parent=self,
        )
        if not was_loading:
            self.loading_changed.emit(True)

    def _start_count(self, generation: int) -> None:
        app, query = self._app, copy_query(self._query)
        key = filter_key(query)
        self._count_task = tasks.run_in_background(
            lambda: app.cases.list_count(query),
            on_done=lambda total: self._count_arrived(generation, key, total),
            on_error=lambda error: self._count_failed(generation, error),
            parent=self,
        )

    def _page_arrived(self, generation: int, offset: int, page: _Page) -> None:
        if generation != self._generation:
            return  # a late answer to a superseded query
        self._scales.update(page.scales)
        exhausted = page.fetched < self._page_size
        # _page_task stays set until the rows are in: a view (or the model tester) reacting to
        # the reset/insert signals must not start another fetch from a half-updated state.
        if offset == 0:
            self.beginResetModel()
            self._rows = list(page.rows)
            self._exhausted = exhausted
            self._first_page_pending = False
            self.endResetModel()
        elif page.rows and offset == len(self._rows):
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self._exhausted = exhausted
            self.endInsertRows()
        elif not page.rows:
            self._exhausted = True
        self._page_task = None
        if self._exhausted:
            self._know_total(len(self._rows))
        self.loading_changed.emit(False)
        if offset == 0:
            self.query_loaded.emit()

    def _page_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._exhausted = True
        self._last_error = error
        if self._first_page_pending:
            self.beginResetModel()
            self._rows = []
            self._first_page_pending = False
            self.endResetModel()
        self._page_task = None
        if not isinstance(error, VaultError):
            logger.error("loading the case list failed with %s", type(error).__name__)
        self.loading_changed.emit(False)
        self.load_failed.emit(error)

    def _know_total(self, total: int) -> None:
        self._count_cache[filter_key(self._query)] = total
        self._cancel(self._count_task)
        self._count_task = None
        self._set_total(total)

    def _count_arrived(self, generation: int, key: tuple[Any, ...], total: int) -> None:
        if generation != self._generation:
            return
        self._count_task = None
        self._count_cache[key] = int(total)
        self._set_total(int(total))

    def _count_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._count_task = None
        if not isinstance(error, VaultError):
            logger.error("counting cases failed with %s", type(error).__name__)

    def _set_total(self, total: int | None) -> None:
        if total != self._total:
            self._total = total
            self.total_changed.emit()
