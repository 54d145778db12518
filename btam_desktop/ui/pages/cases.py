"""The Cases page: every case the team has, filtered, searched and sorted.

A filter bar (status, level of concern, owner, site, setting, "My cases", "Overdue", "Open cases
only"), a search box whose full-text search waits for a pause in typing, the number of matching
cases, and the table itself. The table is a ``CaseTableModel``: it loads a page at a time in the
background and lets the database sort, so the page stays quick on a vault of 100,000 cases.

Opening a case (double-click, Enter, or "Open case" in the context menu) emits
``open_case_requested(case_id)``; the main window opens the case's workspace. The only thing
remembered between sessions is the table header's layout (column widths, order and sort), in
QSettings: never a filter value, a search or anything else that could carry case content.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QHideEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.enums import CaseSetting, CaseStatus, ThreatType
from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.formatting import person_name, plural
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery
from btam_desktop.ui import tasks
from btam_desktop.ui.icons import icon
from btam_desktop.ui.messages import error_message, is_user_error, not_loaded
from btam_desktop.ui.models.case_table import (
    CASE_ID_ROLE,
    COLUMNS,
    DEFAULT_DESCENDING,
    DEFAULT_SORT,
    CaseTableModel,
    Column,
    column_for_sort,
)
from btam_desktop.ui.recent import ui_settings
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.vault_events import RefreshOnChange
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.flow import FlowLayout
from btam_desktop.ui.widgets.level import LEVEL_COLOR_ROLE, LevelDelegate

logger = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 250
HEADER_STATE_KEY = "cases_page/header_state"
TITLE_MIN_WIDTH = 170
PRESETS = ("mine", "overdue", "open")
_NO_LEVEL = ""  # CaseQuery.levels code for "no level decided yet"
_NO_THREAT_TYPE = "unset"  # threat type filter: screening has not decided yet


def layout_settings() -> QSettings:
    """Where the column layout is remembered: the application's UI settings file."""
    return ui_settings()


def count_text(total: int) -> str:
    if total == 0:
        return "No cases"
    return plural(total, "case")


@dataclass
class _FilterOptions:
    owners: list[tuple[int, str]] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    levels: list[tuple[str, str]] = field(default_factory=list)  # (code, label)


def _load_options(app: Btam) -> _FilterOptions:
    """Owners, sites and levels for the filter bar (worker thread)."""
    owners = [
        (member.id, person_name(member.display_name, member.username))
        for member in app.team.members()
        if member.id is not None
    ]
    sites = app.cases.sites()
    try:
        scale = app.scale(app.settings().default_scale)
        levels = [(level.code, level.label) for level in scale.levels]
    except VaultError:
        levels = []
    return _FilterOptions(owners, sites, levels)


class _ChipDelegate(LevelDelegate):
    """The level chip on the row's own background: the model's level tint (for plain views)
    would only fight with the chip here."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if index.data(LEVEL_COLOR_ROLE):
            option.backgroundBrush = QBrush()


class _StayOpenMenu(QMenu):
    """A menu of check boxes that stays open while the person ticks several of them."""

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        action = self.actionAt(event.position().toPoint())
        if action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
            return
        super().mouseReleaseEvent(event)


class _MultiSelectButton(QPushButton):
    """'Status: Any' - a button with a menu of checkable choices."""

    changed = Signal()

    def __init__(self, title: str, any_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._any_text = any_text
        self._menu = _StayOpenMenu(self)
        self._any_action = QAction(any_text, self)
        self._any_action.triggered.connect(self.clear)
        self._choice_actions: list[QAction] = []
        self.setMenu(self._menu)
        self.setAccessibleName(f"{title} filter")
        self.set_choices([])

    def set_choices(self, choices: list[tuple[str, str]]) -> None:
        """(value, label) pairs; keeps the ticks of values that are still offered."""
        keep = self.selected()
        self._menu.clear()
        self._choice_actions = []
        for value, label in choices:
            action = QAction(label, self._menu)
            action.setCheckable(True)
            action.setData(value)
            action.setChecked(value in keep)
            action.toggled.connect(self._toggled)
            self._menu.addAction(action)
            self._choice_actions.append(action)
        self._menu.addSeparator()
        self._menu.addAction(self._any_action)
        self._update_text()

    def actions_for_choices(self) -> list[QAction]:
        return list(self._choice_actions)

    def selected(self) -> set[str]:
        return {str(a.data()) for a in self._choice_actions if a.isChecked()}

    def set_selected(self, values: set[str]) -> None:
        changed = False
        for action in self._choice_actions:
            want = str(action.data()) in values
            if action.isChecked() != want:
                action.blockSignals(True)
                action.setChecked(want)
                action.blockSignals(False)
                changed = True
        self._update_text()
        if changed:
            self.changed.emit()

    def clear(self) -> None:
        self.set_selected(set())

    def _toggled(self, _checked: bool) -> None:
        self._update_text()
        self.changed.emit()

    def _update_text(self) -> None:
        chosen = [a.text() for a in self._choice_actions if a.isChecked()]
        if not chosen:
            summary = "Any"
        elif len(chosen) == 1:
            summary = chosen[0]
        else:
            summary = f"{len(chosen)} selected"
        self.setText(f"{self._title}: {summary}")
        self.setToolTip(
            f"{self._title}: " + (", ".join(chosen) if chosen else self._any_text.lower())
        )
        self._any_action.setEnabled(bool(chosen))


class _CaseTable(QTableView):
    """The table: Enter or Return opens the current case on every platform."""

    open_requested = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            index = self.currentIndex()
            if index.isValid():
                self.open_requested.emit(index)
                event.accept()
                return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos())
        if not index.isValid():
            return
        self.setCurrentIndex(index)
        menu = QMenu(self)
        action = menu.addAction(icon("case-open"), "&Open case")
        action.setShortcut(QKeySequence(Qt.Key.Key_Return))
        action.triggered.connect(lambda: self.open_requested.emit(index))
        menu.popup(event.globalPos())


class _EmptyState(QWidget):
    """Centred message over the table's empty viewport, with an optional button."""

    action_clicked = Signal()

    def __init__(self, viewport: QWidget) -> None:
        super().__init__(viewport)
        self._viewport = viewport
        self._message = QLabel(self)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setTextFormat(Qt.TextFormat.PlainText)
        set_style_role(self._message, "muted")
        self._button = QPushButton(self)
        self._button.clicked.connect(self.action_clicked)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self._message)
        layout.addWidget(self._button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        viewport.installEventFilter(self)
        self.hide()

    def show_message(self, message: str, action_text: str = "") -> None:
        self._message.setText(message)
        self.setAccessibleName(message)
        self._button.setText(action_text)
        self._button.setVisible(bool(action_text))
        self.setGeometry(self._viewport.rect())
        self.show()
        self.raise_()

    def message(self) -> str:
        return self._message.text() if self.isVisible() else ""

    def button(self) -> QPushButton:
        return self._button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._viewport and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._viewport.rect())
        return False


class CasesPage(QWidget):
    """Filters, search, result count and the case table."""

    open_case_requested = Signal(int)

    def __init__(self, app: Btam | None, parent: QWidget | None = None) -> None:
        """With ``app`` None the page is built empty (the window's frame, made during the
        password check) and starts loading at attach()."""
        super().__init__(parent)
        self.follow_changes = RefreshOnChange(self, self.refresh)  # refreshes itself (issue 13)
        self._app = app
        self._batch_depth = 0
        self._batch_dirty = False
        self._options_task: tasks.BackgroundTask | None = None
        self._fitting = False
        self.setObjectName("casesPage")

        self._model = CaseTableModel(app, self)
        self._build_search_row()
        self._build_filter_bar()
        self._build_table()
        self._error = Banner(BannerKind.WARNING, "", self, action_text="&Try again")
        self._error.action_triggered.connect(self.refresh)
        self._error.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(self._search_row)
        layout.addLayout(self._filter_row)
        layout.addWidget(self._error)
        layout.addWidget(self._table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_filters)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(400)
        self._save_timer.timeout.connect(self.save_layout)

        # Ctrl+F: see keyPressEvent (a shortcut here would clash with the main window's "Find a
        # case" action, which calls focus_search itself).
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape),
            self._search,
            self._escape_in_search,
            context=Qt.ShortcutContext.WidgetShortcut,
        )

        self._model.loading_changed.connect(self._update_state)
        self._model.total_changed.connect(self._update_state)
        self._model.query_loaded.connect(self._first_page_loaded)
        self._model.load_failed.connect(self._load_failed)
        self._model.modelReset.connect(self._update_state)
        self._model.rowsInserted.connect(self._update_state)

        self._restore_layout()
        self._table.setSortingEnabled(True)  # sorts the model by the header's indicator
        if app is not None:
            self.attach(app)

    def attach(self, app: Btam) -> None:
        """Start loading for the signed-in ``app`` (once; the page was built without one)."""
        self._app = app
        self._model.attach(app)
        self._apply_filters()  # the first page first: it is what the person waits for
        self._load_options()

    # ---- building ------------------------------------------------------------------------
    def _build_search_row(self) -> None:
        self._search = QLineEdit(self)
        self._search.setPlaceholderText("Search cases: names, words in reports and notes…")
        self._search.setAccessibleName("Search cases")
        self._search.setToolTip("Search every case's text (Ctrl+F). Esc clears the search.")
        self._search.setClearButtonEnabled(True)
        self._search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self._search.setMinimumWidth(320)
        self._search.textChanged.connect(self._search_edited)
        self._search.returnPressed.connect(self._search_now)
        self._search.installEventFilter(self)

        # Both change on every query. Fixed widths and text (not showing or hiding widgets) keep
        # the page from laying out and repainting everything each time: on a slow machine that
        # costs more than the query.
        self._loading_label = QLabel("", self)
        self._loading_label.setAccessibleName("Loading")
        set_style_role(self._loading_label, "muted")
        self._loading_label.setFixedSize(
            self._loading_label.fontMetrics().horizontalAdvance("Loading…") + 8,
            self._loading_label.sizeHint().height(),
        )
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        self._loading_label.setAlignment(right)
        self._count = QLabel(self)
        self._count.setAccessibleName("Number of matching cases")
        self._count.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self._count.font()
        font.setBold(True)
        self._count.setFont(font)
        self._count.setAlignment(right)
        self._count.setFixedSize(
            QFontMetrics(font).horizontalAdvance("8,888,888 cases") + 8,
            self._count.sizeHint().height(),
        )

        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self._search, 3)
        row.addStretch(1)
        row.addWidget(self._loading_label)
        row.addSpacing(6)
        row.addWidget(self._count)
        self._search_row = row

    def _build_filter_bar(self) -> None:
        self._status = _MultiSelectButton("Status", "Any status", self)
        self._status.set_choices(
            [(s.value, s.label) for s in sorted(CaseStatus, key=lambda s: s.is_closed)]
        )
        self._status.changed.connect(self._status_changed)
        self._level = _MultiSelectButton("Level", "Any level", self)
        self._level.set_choices([(_NO_LEVEL, "Not set")])
        self._level.changed.connect(self._apply_filters)

        self._owner = self._combo("Owner filter", "All owners")
        self._site = self._combo("Site filter", "All sites")
        self._setting = self._combo("Setting filter", "All settings")
        for setting in CaseSetting:
            self._setting.addItem(setting.label, setting.value)
        self._threat = self._combo("Threat type filter", "Any threat")
        for threat_type in ThreatType:
            self._threat.addItem(threat_type.label, threat_type.value)
        self._threat.addItem("Not decided yet", _NO_THREAT_TYPE)

        self._mine = QCheckBox("&My cases", self)
        self._mine.setToolTip("Cases you own or are assigned to")
        self._overdue = QCheckBox("O&verdue", self)
        self._overdue.setToolTip("Open cases whose review date has passed")
        self._open_only = QCheckBox("Open cases &only", self)
        self._open_only.setToolTip("Hide closed cases")
        self._open_only.setChecked(True)
        for box in (self._mine, self._overdue, self._open_only):
            box.toggled.connect(self._apply_filters)

        self._clear = QPushButton(icon("close"), "&Clear filters", self)
        self._clear.setToolTip("Show all open cases again")
        self._clear.clicked.connect(self.clear_filters)

        row = FlowLayout()  # wraps on a small screen instead of widening the window
        row.setSpacing(6)
        filter_icon = QLabel(self)
        filter_icon.setPixmap(icon("filter").pixmap(16, 16))
        filter_icon.setAccessibleName("")
        row.addWidget(filter_icon)
        filters: list[QWidget] = [self._status, self._level, self._owner, self._site]
        for widget in [*filters, self._setting, self._threat]:
            row.addWidget(widget)
        row.addSpacing(8)
        for box in (self._mine, self._overdue, self._open_only):
            row.addWidget(box)
        row.addStretch(1)
        row.addWidget(self._clear)
        self._filter_row = row

    def _combo(self, name: str, any_text: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        combo.setToolTip(name.replace(" filter", ""))
        combo.addItem(any_text, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setMinimumContentsLength(8)
        combo.currentIndexChanged.connect(self._apply_filters)
        return combo

    def _build_table(self) -> None:
        table = _CaseTable(self)
        table.setModel(self._model)
        table.setAccessibleName("Cases")
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows can be selected for File > Export / Transfer cases.
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move within it
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setItemDelegateForColumn(Column.LEVEL, _ChipDelegate(table))
        vertical = table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(table.fontMetrics().height() + 14)
        header = table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSortIndicatorShown(True)
        table.doubleClicked.connect(self._open_index)
        table.open_requested.connect(self._open_index)
        header.sectionResized.connect(self._section_resized)
        table.viewport().installEventFilter(self)
        header.sectionMoved.connect(self._layout_changed)
        header.sortIndicatorChanged.connect(self._layout_changed)
        self._table = table
        self._empty = _EmptyState(table.viewport())
        self._empty.action_clicked.connect(self._empty_action)

    def _default_layout(self) -> None:
        header = self._table.horizontalHeader()
        metrics = self._table.fontMetrics()
        bold_font = QFont(self._table.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        date_width = metrics.horizontalAdvance("30 Sep 2026")
        widths = {
            Column.NUMBER: metrics.horizontalAdvance("2026-00000") + 20,
            Column.STATUS: metrics.horizontalAdvance("Management") + 20,
            Column.LEVEL: bold.horizontalAdvance("Moderate") + 30,
            Column.PRIORITY: metrics.horizontalAdvance("Priority") + 28,
            Column.OWNER: metrics.horizontalAdvance("Morgan Member (c") + 16,  # elides, tooltip
            Column.SITE: metrics.horizontalAdvance("Birch Elementary") + 16,
            Column.OPENED: date_width + 22,
            Column.NEXT_DUE: max(
                metrics.horizontalAdvance("Next review") + 32,
                bold.horizontalAdvance("30 Sep 2026") + 36,  # warning icon + date
            ),
        }
        for column in Column:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.resizeSection(Column.TITLE, TITLE_MIN_WIDTH)
        header.setSortIndicator(
            column_for_sort(DEFAULT_SORT),
            Qt.SortOrder.DescendingOrder if DEFAULT_DESCENDING else Qt.SortOrder.AscendingOrder,
        )

    def _fit_title(self, *_args: object) -> None:
        """The title takes the room the other columns leave, but never less than a readable
        minimum (a horizontal scroll bar appears instead)."""
        if self._fitting:
            return
        header = self._table.horizontalHeader()
        others = sum(
            header.sectionSize(c)
            for c in Column
            if c != Column.TITLE and not header.isSectionHidden(c)
        )
        width = max(TITLE_MIN_WIDTH, self._table.viewport().width() - others)
        if header.sectionSize(Column.TITLE) != width:
            self._fitting = True
            try:
                header.resizeSection(Column.TITLE, width)
            finally:
                self._fitting = False

    # ---- the contract --------------------------------------------------------------------
    def refresh(self) -> None:
        """Load the list again (after a case was added or changed)."""
        if self._app is None:
            return  # not signed in yet: attach() loads it
        self._load_options()
        self._model.refresh()

    def focus_search(self) -> None:
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()

    def apply_filter_preset(self, name: str) -> None:
        """ "mine", "overdue" or "open": reset every filter, then apply the preset."""
        if name not in PRESETS:
            raise ValueError(f"unknown case list preset {name!r}; use one of {PRESETS}")
        with self._batch():
            self._reset_controls()
            if name == "mine":
                self._mine.setChecked(True)
            elif name == "overdue":
                self._overdue.setChecked(True)

    def clear_filters(self) -> None:
        """Back to the default view: open cases, no search."""
        with self._batch():
            self._reset_controls()

    # ---- read-only accessors (tests, main window) ----------------------------------------
    def selected_case_ids(self) -> list[int]:
        """The selected rows' cases, top to bottom (for export and transfer)."""
        rows = sorted({index.row() for index in self._table.selectionModel().selectedRows()})
        found = (self._model.case_id(row) for row in rows)
        return [case_id for case_id in found if case_id is not None]

    def model(self) -> CaseTableModel:
        return self._model

    def table(self) -> QTableView:
        return self._table

    def search_box(self) -> QLineEdit:
        return self._search

    def count_label(self) -> QLabel:
        return self._count

    def empty_state(self) -> _EmptyState:
        return self._empty

    def status_filter(self) -> _MultiSelectButton:
        return self._status

    def level_filter(self) -> _MultiSelectButton:
        return self._level

    def owner_filter(self) -> QComboBox:
        return self._owner

    def site_filter(self) -> QComboBox:
        return self._site

    def setting_filter(self) -> QComboBox:
        return self._setting

    def threat_filter(self) -> QComboBox:
        return self._threat

    def mine_box(self) -> QCheckBox:
        return self._mine

    def overdue_box(self) -> QCheckBox:
        return self._overdue

    def open_only_box(self) -> QCheckBox:
        return self._open_only

    def clear_button(self) -> QPushButton:
        return self._clear

    def current_query(self) -> CaseQuery:
        """The filters the controls show (the sort order is the table header's)."""
        setting = self._setting.currentData()
        threat = self._threat.currentData()
        return CaseQuery(
            statuses={CaseStatus(v) for v in self._status.selected()},
            levels=self._level.selected(),
            owner_id=self._owner.currentData(),
            site=self._site.currentData() or "",
            setting=CaseSetting(setting) if setting else None,
            mine=self._mine.isChecked(),
            overdue=self._overdue.isChecked(),
            open_only=self._open_only.isChecked(),
            text=self._search.text().strip(),
            threat_type=ThreatType(threat) if threat and threat != _NO_THREAT_TYPE else None,
            threat_type_unset=threat == _NO_THREAT_TYPE,
        )

    def filters_are_default(self) -> bool:
        query = self.current_query()
        return query == CaseQuery(open_only=True, sort=query.sort, descending=query.descending)

    # ---- filters -------------------------------------------------------------------------
    @contextlib.contextmanager
    def _batch(self) -> Iterator[None]:
        """Change several controls and query once at the end."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._batch_dirty:
                self._batch_dirty = False
                self._apply_filters()

    def _reset_controls(self) -> None:
        self._status.clear()
        self._level.clear()
        for combo in (self._owner, self._site, self._setting, self._threat):
            combo.setCurrentIndex(0)
        self._mine.setChecked(False)
        self._overdue.setChecked(False)
        self._open_only.setChecked(True)
        if self._search.text():
            self._search.clear()
        self._batch_dirty = True

    def _apply_filters(self) -> None:
        if self._batch_depth:
            self._batch_dirty = True
            return
        self._debounce.stop()
        self._clear.setEnabled(not self.filters_are_default())
        self._model.set_filters(self.current_query())
        self._update_state()

    def _status_changed(self) -> None:
        # Ticking a closed status means the person wants closed cases: stop hiding them.
        wants_closed = any(CaseStatus(v).is_closed for v in self._status.selected())
        with self._batch():
            if wants_closed and self._open_only.isChecked():
                self._open_only.setChecked(False)
            self._batch_dirty = True

    def _search_edited(self, _text: str) -> None:
        if self._batch_depth:
            self._batch_dirty = True
            return
        if not self._search.text().strip():
            self._apply_filters()  # cleared: show everything again at once
        else:
            self._debounce.start()

    def _search_now(self) -> None:
        if self._debounce.isActive():
            self._apply_filters()

    def _escape_in_search(self) -> None:
        if self._search.text():
            self._search.clear()
        else:
            self._table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_title()
            return False
        if (
            watched is self._search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self._model.rowCount() > 0
        ):
            self._search_now()
            self._table.setFocus(Qt.FocusReason.TabFocusReason)
            if not self._table.currentIndex().isValid():
                self._table.setCurrentIndex(self._model.index(0, 0))
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Find):
            self.focus_search()
            event.accept()
            return
        super().keyPressEvent(event)

    def _empty_action(self) -> None:
        if self.filters_are_default():
            self._open_only.setChecked(False)  # "Show closed cases too"
        else:
            self.clear_filters()

    # ---- filter options ------------------------------------------------------------------
    def _load_options(self) -> None:
        if self._options_task is not None and not self._options_task.is_finished:
            self._options_task.cancel()
        app = self._app
        if app is None:
            return
        self._options_task = tasks.run_in_background(
            lambda: _load_options(app),
            on_done=self._options_loaded,
            on_error=self._options_failed,
            parent=self,
        )

    def _options_loaded(self, options: _FilterOptions) -> None:
        with self._batch():
            self._fill_combo(self._owner, [(label, oid) for oid, label in options.owners])
            self._fill_combo(self._site, [(site, site) for site in options.sites])
            self._level.blockSignals(True)
            self._level.set_choices([*options.levels, (_NO_LEVEL, "Not set")])
            self._level.blockSignals(False)
        self._batch_dirty = False  # same filters as before: nothing to re-query

    def _fill_combo(self, combo: QComboBox, items: list[tuple[str, object]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for label, value in items:
            combo.addItem(label, value)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        if current is not None and index < 0:
            self._apply_filters()  # the chosen owner or site is gone

    def _options_failed(self, error: BaseException) -> None:
        # The filters keep their choices; only a bug is worth a line in the log.
        error_message(error, "", during="loading the case filters")

    # ---- state shown ---------------------------------------------------------------------
    def _first_page_loaded(self) -> None:
        self._error.hide()
        self._update_state()

    def _load_failed(self, error: BaseException) -> None:
        message = error_message(
            error,
            not_loaded("the cases", "Try again, or lock and unlock the vault."),
            during="loading the cases",
        )
        if is_user_error(error):
            message = f"The cases could not be loaded: {message}"
        self._error.set_text(message)
        self._error.show()
        self._update_state()

    def _update_state(self) -> None:
        model = self._model
        loading = model.is_loading()
        self._loading_label.setText("Loading…" if loading else "")
        total = model.total()
        if total is not None:
            self._count.setText(count_text(total))
        elif model.is_first_page_pending() or model.last_error() is not None:
            self._count.setText("")
        else:
            self._count.setText(f"{model.rowCount():,}+ cases" if loading else "Counting…")
        self._update_empty_state()

    def _update_empty_state(self) -> None:
        model = self._model
        if model.rowCount() > 0 or model.last_error() is not None:
            self._empty.hide()
        elif model.is_first_page_pending():
            self._empty.show_message("Loading cases…")
        elif self.filters_are_default():
            self._empty.show_message(
                "There are no open cases. Closed cases are hidden.", "Show &closed cases too"
            )
        elif self._nothing_filtered():
            self._empty.show_message("No cases yet. A case starts when someone reports a concern.")
        else:
            self._empty.show_message("No cases match these filters.", "C&lear filters")

    def _nothing_filtered(self) -> bool:
        query = self.current_query()
        return query == CaseQuery(sort=query.sort, descending=query.descending)

    # ---- opening -------------------------------------------------------------------------
    def _open_index(self, index: QModelIndex) -> None:
        case_id = index.data(CASE_ID_ROLE) if index.isValid() else None
        if isinstance(case_id, int):
            self.open_case_requested.emit(case_id)

    # ---- layout memory -------------------------------------------------------------------
    def _restore_layout(self) -> None:
        header = self._table.horizontalHeader()
        self._default_layout()
        state = layout_settings().value(HEADER_STATE_KEY)
        if isinstance(state, QByteArray | bytes) and not header.restoreState(QByteArray(state)):
            self._default_layout()
        if header.sortIndicatorSection() not in list(Column):
            self._default_layout()

    def _layout_changed(self, *_args: object) -> None:
        self._save_timer.start()

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        if column != Column.TITLE:
            self._fit_title()
        if not self._fitting:
            self._layout_changed()

    def save_layout(self) -> None:
        """Remember column widths, order and sort (the header's state, nothing else)."""
        self._save_timer.stop()
        layout_settings().setValue(HEADER_STATE_KEY, self._table.horizontalHeader().saveState())

    def hideEvent(self, event: QHideEvent) -> None:
        if self._save_timer.isActive():
            self.save_layout()
        super().hideEvent(event)


__all__ = ["COLUMNS", "CasesPage", "layout_settings"]
