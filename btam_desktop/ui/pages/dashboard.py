"""The dashboard: what needs the team's attention today, at a glance.

Everything shown is loaded off the GUI thread with counts and small, limited pages of the case
list, so the page stays quick on a vault of a hundred thousand cases.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from PySide6.QtCore import (
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.enums import CaseStatus
from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.formatting import format_clock, format_date
from btam_desktop.services.app import Btam
from btam_desktop.services.backup import BackupStatus
from btam_desktop.services.cases import CaseQuery, CaseRow, CaseSort
from btam_desktop.ui.icons import icon
from btam_desktop.ui.messages import error_message, is_user_error, not_loaded
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import current_colors, set_style_role
from btam_desktop.ui.vault_events import RefreshOnChange
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.charts import HorizontalBarChart, StatTile
from btam_desktop.ui.widgets.level import LEVEL_COLOR_ROLE, LevelDelegate

logger = logging.getLogger(__name__)

OPEN_STATUSES: tuple[CaseStatus, ...] = (
    CaseStatus.REPORTED,
    CaseStatus.SCREENING,
    CaseStatus.ASSESSMENT,
    CaseStatus.MANAGEMENT,
    CaseStatus.MONITORING,
)
"""Open statuses in the order a case moves through the workflow."""

NOT_SET_LABEL = "Not yet set"
NOT_SET_COLOR = "#8a929c"
RECENT_DAYS = 7
REVIEW_WINDOW_DAYS = 7
RECENT_LIMIT = 10
OVERDUE_LIMIT = 25
MINE_LIMIT = 25
_PAGE = 500
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 10


def format_day(day: date) -> str:
    """A day in the team's date format, as everywhere else."""
    return format_date(day)


def _local_day(moment: datetime) -> date:
    return moment.astimezone().date()


# ---- data (built on a worker thread, no Qt) ----------------------------------------------------


@dataclass(frozen=True)
class LevelInfo:
    label: str
    color: str
    rank: int


@dataclass
class DashboardData:
    open_cases: int = 0
    my_open_cases: int = 0
    reviews_due: int = 0
    overdue: int = 0  # open cases whose review date has passed
    overdue_tasks: int = 0  # every overdue task: reviews, plan items, check-ins, reassessments
    recent_reports: int = 0
    my_tasks: int = 0  # mine (or nobody's) due this week, overdue included
    by_status: list[tuple[CaseStatus, int]] = field(default_factory=list)
    by_level: list[tuple[str, int, str]] = field(default_factory=list)  # label, count, color
    overdue_rows: list[CaseRow] = field(default_factory=list)
    recent_rows: list[CaseRow] = field(default_factory=list)
    my_rows: list[CaseRow] = field(default_factory=list)
    levels: dict[tuple[str, str], LevelInfo] = field(default_factory=dict)
    today: date = field(default_factory=date.today)


def _level_info(app: Btam, scale_id: str, code: str) -> LevelInfo | None:
    try:
        scale = app.scale(scale_id)
        level = scale.level(code)
    except (VaultError, KeyError):
        return None
    return LevelInfo(level.label, level.color, level.rank)


def load_dashboard(app: Btam, today: date | None = None) -> DashboardData:
    """Every number and list of the dashboard; runs on a worker thread."""
    today = today or date.today()
    cases = app.cases
    data = DashboardData(today=today)
    data.open_cases = cases.count(CaseQuery(open_only=True))
    data.my_open_cases = cases.count(CaseQuery(open_only=True, mine=True))
    data.overdue = cases.count(CaseQuery(overdue=True))
    data.reviews_due = cases.count_reviews_due(
        today, today + timedelta(days=REVIEW_WINDOW_DAYS - 1)
    )

    mine = app.actor.account_id
    week_end = today + timedelta(days=REVIEW_WINDOW_DAYS)
    # One pass over the tasks due within the week (overdue ones included) gives both counts.
    due_soon = app.tasks.tasks(today, horizon_days=REVIEW_WINDOW_DAYS)
    data.my_tasks = sum(
        1 for task in due_soon if task.responsible_id in (None, mine) and task.due_on <= week_end
    )
    data.overdue_tasks = sum(1 for task in due_soon if task.due_on < today)

    statuses = cases.counts_by_status()
    data.by_status = [(status, statuses.get(status, 0)) for status in OPEN_STATUSES]

    data.overdue_rows = cases.find(
        CaseQuery(overdue=True, sort=CaseSort.NEXT_DUE, descending=False), 0, OVERDUE_LIMIT
    )
    data.my_rows = cases.find(
        CaseQuery(open_only=True, mine=True, sort=CaseSort.OPENED, descending=True),
        0,
        MINE_LIMIT,
    )
    # Newest first, page by page, until the reports are older than the window: this reads
    # only the recent cases however big the vault is.
    cutoff = datetime.now().astimezone() - timedelta(days=RECENT_DAYS)
    newest = CaseQuery(sort=CaseSort.OPENED, descending=True)
    offset = 0
    while True:
        page = cases.find(newest, offset, _PAGE)
        if offset == 0:
            data.recent_rows = page[:RECENT_LIMIT]
        recent = [row for row in page if row.opened_at >= cutoff]
        data.recent_reports += len(recent)
        if len(recent) < len(page) or len(page) < _PAGE:
            break
        offset += _PAGE

    # Level labels and colours: the team's default scale first, then any scale a case uses.
    default_scale = app.settings().default_scale
    by_level = cases.counts_by_level(open_only=True)
    for code in by_level:
        if code:
            info = _level_info(app, default_scale, code)
            if info is not None:
                data.levels[(default_scale, code)] = info
    for row in [*data.overdue_rows, *data.recent_rows, *data.my_rows]:
        if row.level and (row.level_scale, row.level) not in data.levels:
            info = _level_info(app, row.level_scale, row.level)
            if info is not None:
                data.levels[(row.level_scale, row.level)] = info
    known = []
    for code, count in by_level.items():
        if not code:
            continue
        info = data.levels.get((default_scale, code)) or next(
            (i for (s, c), i in data.levels.items() if c == code), None
        )
        if info is None:
            known.append((1_000, code, count, NOT_SET_COLOR))
        else:
            known.append((info.rank, info.label, count, info.color))
    known.sort(key=lambda item: (item[0], item[1]))
    data.by_level = [(label, count, color) for _rank, label, count, color in known]
    data.by_level.append((NOT_SET_LABEL, by_level.get("", 0), NOT_SET_COLOR))
    return data


# ---- widgets -------------------------------------------------------------------------------


class ClickableTile(StatTile):
    """A stat tile that acts like a link: click, Enter or Space emits ``clicked``."""

    clicked = Signal()

    def __init__(self, caption: str, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(caption, "…", parent)
        self._hint = hint
        self._alert = False
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleDescription(hint)

    def set_value(self, value: int | float | str) -> None:
        super().set_value(value)
        hint = getattr(self, "_hint", "")
        if hint:
            self.setToolTip(f"{self.caption()}: {self.value_text()}\n{hint}")

    def set_alert(self, alert: bool) -> None:
        """Mark the tile as needing attention (a red strip at its left edge)."""
        self._alert = alert
        self.update()

    def is_alert(self) -> bool:
        return self._alert

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not (self.hasFocus() or self._alert):
            return
        colors = current_colors()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._alert:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colors.danger_bg))
            painter.drawRoundedRect(QRectF(1, 1, 5, self.height() - 2), 2, 2)
        if self.hasFocus():
            painter.setPen(QPen(QColor(colors.focus_border), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 3, 3)
        painter.end()


class Card(QFrame):
    """A titled panel: heading, an optional link-style button, then the content."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._title = QLabel(title, self)
        self._title.setTextFormat(Qt.TextFormat.PlainText)
        set_style_role(self._title, "subheading")
        self._header = QHBoxLayout()
        self._header.setContentsMargins(0, 0, 0, 0)
        self._header.addWidget(self._title)
        self._header.addStretch(1)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(14, 4, 14, 12)
        self.body.setSpacing(6)
        self.body.addLayout(self._header)

    def add_header_widget(self, widget: QWidget) -> None:
        self._header.addWidget(widget)

    def title(self) -> str:
        return self._title.text()


class CaseList(QWidget):
    """A short list of cases; a click (or Enter) on a row emits ``case_chosen``."""

    case_chosen = Signal(int)

    def __init__(
        self,
        name: str,
        columns: list[str],
        empty_text: str,
        level_column: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName(name)
        self.tree.setColumnCount(len(columns))
        self.tree.setHeaderLabels(columns)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.tree.setCursor(Qt.CursorShape.PointingHandCursor)
        self.tree.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self.tree.setItemDelegate(_RowDelegate(self.tree))
        if level_column is not None:
            self.tree.setItemDelegateForColumn(level_column, _LevelRowDelegate(self.tree))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionsMovable(False)
        self._columns = columns
        self._title_column = 1
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)
        self._last_emit: tuple[int, float] | None = None

        self.empty = QLabel(empty_text, self)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setWordWrap(True)
        set_style_role(self.empty, "muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        layout.addWidget(self.empty)
        self.empty.hide()

    def set_rows(self, rows: list[tuple[int, list[str], tuple[str, str] | None]]) -> None:
        """(case id, column texts, (level label, colour) or None) per row."""
        self.tree.clear()
        items = []
        for case_id, texts, level in rows:
            item = QTreeWidgetItem(texts)
            item.setData(0, CASE_ID_ROLE, case_id)
            item.setToolTip(self._title_column, texts[self._title_column])
            if level is not None:
                column = self._level_column()
                if column is not None:
                    item.setData(column, LEVEL_COLOR_ROLE, level[1])
            items.append(item)
        self.tree.addTopLevelItems(items)
        header = self.tree.header()
        for column in range(len(self._columns)):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column == self._title_column
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(column, mode)
        self.tree.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self._fit_height(len(rows))

    def _level_column(self) -> int | None:
        delegate_columns = [
            c for c in range(len(self._columns)) if self.tree.itemDelegateForColumn(c) is not None
        ]
        return delegate_columns[0] if delegate_columns else None

    def _fit_height(self, rows: int, most: int = 10) -> None:
        shown = max(1, min(rows, most))
        row_height = self.tree.sizeHintForRow(0) if rows else self.tree.fontMetrics().height() + 8
        height = (
            self.tree.header().sizeHint().height() + shown * row_height + 2 * self.tree.frameWidth()
        )
        self.tree.setFixedHeight(height)

    def row_count(self) -> int:
        return self.tree.topLevelItemCount()

    def case_id_at(self, row: int) -> int:
        item = self.tree.topLevelItem(row)
        assert item is not None
        return int(item.data(0, CASE_ID_ROLE))

    def row_texts(self, row: int) -> list[str]:
        item = self.tree.topLevelItem(row)
        assert item is not None
        return [item.text(c) for c in range(len(self._columns))]

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        case_id = int(item.data(0, CASE_ID_ROLE))
        now = time.monotonic()
        # A double click delivers a click and an activation: open the case once.
        interval = QApplication.doubleClickInterval() / 1000
        if (
            self._last_emit
            and self._last_emit[0] == case_id
            and now - self._last_emit[1] < interval
        ):
            return
        self._last_emit = (case_id, now)
        self.case_chosen.emit(case_id)


class _RoundUpMetrics(QFontMetrics):
    """Font metrics whose text widths round up: the chart sizes its label column with
    ``horizontalAdvance`` (rounded to nearest) and then elides to that width, which cut the
    longest label ("Not yet …") whenever its true width rounded down."""

    def __init__(self, font: QFont) -> None:
        super().__init__(font)
        self._exact = QFontMetricsF(font)

    def horizontalAdvance(self, text: str, *args: object) -> int:
        return math.ceil(self._exact.horizontalAdvance(text)) + 1


class BarChart(HorizontalBarChart):
    """The foundation's bar chart, with labels that are never cut by a rounding pixel."""

    def fontMetrics(self) -> QFontMetrics:
        return _RoundUpMetrics(self.font())


class _RowDelegate(QStyledItemDelegate):
    """Gives plain rows the same height as rows that show a level chip."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        base = super().sizeHint(option, index)
        return QSize(base.width(), max(base.height(), option.fontMetrics.height() + 10))


class _LevelRowDelegate(LevelDelegate):
    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        base = super().sizeHint(option, index)
        return QSize(base.width(), max(base.height(), option.fontMetrics.height() + 10))


def _chart_card(title: str, chart: HorizontalBarChart) -> Card:
    card = Card(title)
    card.body.addWidget(chart)
    card.body.addStretch(1)
    return card


class DashboardPage(QWidget):
    """Tiles, two charts and three short case lists; everything loads in the background."""

    open_case_requested = Signal(int)
    show_cases_requested = Signal(str)  # a CasesPage preset: "open", "overdue" or "mine"
    loaded = Signal()  # after the numbers on screen were refreshed (tests, status bars)
    backup_requested = Signal()

    def __init__(self, app: Btam | None, parent: QWidget | None = None) -> None:
        """With ``app`` None the page is built empty (the window's frame, made during the
        password check) and starts loading at attach()."""
        super().__init__(parent)
        self.follow_changes = RefreshOnChange(self, self.refresh)  # refreshes itself (issue 13)
        self._app = app
        self._loading = False
        self._reload_pending = False
        self.data: DashboardData | None = None

        heading = QLabel("Dashboard", self)
        set_style_role(heading, "heading")
        self.updated_label = QLabel("Loading…", self)
        self.updated_label.setTextFormat(Qt.TextFormat.PlainText)
        set_style_role(self.updated_label, "muted")
        self.refresh_button = QPushButton(icon("refresh"), "&Refresh", self)
        self.refresh_button.setToolTip("Load the latest numbers (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        refresh_action = QAction("Refresh dashboard", self)
        refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh_action.triggered.connect(self.refresh)
        self.addAction(refresh_action)
        self.refresh_action = refresh_action

        header = QHBoxLayout()
        header.addWidget(heading)
        header.addSpacing(12)
        header.addWidget(self.updated_label, 0, Qt.AlignmentFlag.AlignBottom)
        header.addStretch(1)
        header.addWidget(self.refresh_button)

        self.error_banner = Banner(BannerKind.WARNING, "", self)
        self.error_banner.hide()
        # Drafts typed while the team server could not be reached (issue 16).
        self.drafts_banner = Banner(BannerKind.INFO, "", self)
        self.drafts_banner.setObjectName("keptDraftsBanner")
        self.drafts_banner.setAccessibleName("Drafts kept on this computer")
        self.drafts_banner.hide()
        self.backup_banner = Banner(BannerKind.INFO, "", self, action_text="&Back up now")
        self.backup_banner.setObjectName("backupBanner")
        self.backup_banner.setAccessibleName("Backups")
        self.backup_banner.action_triggered.connect(self.backup_requested)

        # Tiles
        self.open_tile = ClickableTile("Open cases", "Show all open cases")
        self.open_tile.setProperty("preset", "open")
        self.open_tile.clicked.connect(self._preset_clicked)
        self.mine_tile = ClickableTile("My open cases", "Show the open cases you own or work on")
        self.mine_tile.setProperty("preset", "mine")
        self.mine_tile.clicked.connect(self._preset_clicked)
        self.due_tile = StatTile("Reviews due in the next 7 days", "…")
        self.overdue_tile = ClickableTile(
            "Overdue reviews and tasks",
            "Show what is overdue: case reviews, plan items, check-ins and reassessments",
        )
        self.overdue_tile.setProperty("preset", "tasks")
        self.overdue_tile.clicked.connect(self._preset_clicked)
        self.recent_tile = StatTile("New reports in the last 7 days", "…")
        self.tasks_tile = ClickableTile(
            "My tasks this week", "Show your tasks: today, this week, overdue"
        )
        self.tasks_tile.setProperty("preset", "tasks")
        self.tasks_tile.clicked.connect(self._preset_clicked)
        tiles = QHBoxLayout()
        tiles.setSpacing(12)
        for tile in (
            self.open_tile,
            self.mine_tile,
            self.tasks_tile,
            self.due_tile,
            self.overdue_tile,
            self.recent_tile,
        ):
            # Same height for every tile in the row, whether its caption wraps or not.
            tile.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            tiles.addWidget(tile, 1)

        # Charts
        self.status_chart = BarChart("")
        self.status_chart.setAccessibleName("Open cases by status")
        self.level_chart = BarChart("")
        self.level_chart.setAccessibleName("Open cases by level of concern")
        charts = QHBoxLayout()
        charts.setSpacing(12)
        charts.addWidget(_chart_card("Open cases by status", self.status_chart), 1)
        charts.addWidget(_chart_card("Open cases by level of concern", self.level_chart), 1)

        # Lists
        self.overdue_list = CaseList(
            "Overdue reviews",
            ["Case", "Title", "Review was due", "Level"],
            "No reviews are overdue.",
            level_column=3,
        )
        self.overdue_list.case_chosen.connect(self.open_case_requested)
        self.recent_list = CaseList(
            "Recent reports",
            ["Case", "Title", "Opened", "Status"],
            "No reports yet. Use Report a concern to record the first one.",
            level_column=None,
        )
        self.recent_list.case_chosen.connect(self.open_case_requested)
        self.my_list = CaseList(
            "My open cases",
            ["Case", "Title", "Status", "Level", "Next review"],
            "You own or work on no open cases.",
            level_column=3,
        )
        self.my_list.case_chosen.connect(self.open_case_requested)

        self.overdue_card = Card("Overdue reviews")
        self.overdue_more = self._link_button("Show all", "overdue", "Show every overdue case")
        self.overdue_card.add_header_widget(self.overdue_more)
        self.overdue_card.body.addWidget(self.overdue_list)
        self.overdue_card.body.addStretch(1)
        self.recent_card = Card("Recent reports")
        self.recent_card.body.addWidget(self.recent_list)
        self.recent_card.body.addStretch(1)
        self.my_card = Card("My open cases")
        self.my_more = self._link_button("Show all", "mine", "Show all your open cases")
        self.my_card.add_header_widget(self.my_more)
        self.my_card.body.addWidget(self.my_list)
        self.my_card.body.addStretch(1)

        lists = QGridLayout()
        lists.setSpacing(12)
        lists.addWidget(self.overdue_card, 0, 0, 1, 2)
        lists.addWidget(self.my_card, 1, 0)
        lists.addWidget(self.recent_card, 1, 1)
        lists.setColumnStretch(0, 1)
        lists.setColumnStretch(1, 1)

        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(20, 16, 20, 20)
        body.setSpacing(12)
        body.addLayout(header)
        body.addWidget(self.error_banner)
        body.addWidget(self.drafts_banner)
        body.addLayout(tiles)
        body.addWidget(self.backup_banner)
        body.addLayout(charts)
        body.addLayout(lists)
        body.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        QWidget.setTabOrder(self.refresh_button, self.open_tile)
        QWidget.setTabOrder(self.open_tile, self.mine_tile)
        QWidget.setTabOrder(self.mine_tile, self.tasks_tile)
        QWidget.setTabOrder(self.tasks_tile, self.overdue_tile)

        if app is not None:
            self.attach(app)

    @property
    def app(self) -> Btam:
        if self._app is None:
            raise RuntimeError("the dashboard is not signed in yet")
        return self._app

    def attach(self, app: Btam, *, window_sends_backup_status: bool = False) -> None:
        """Start loading for the signed-in ``app`` (the page was built without one). In the
        main window its backup controller sends the backup status (update_backup_status)."""
        self._app = app
        if window_sends_backup_status:
            self.backup_banner.hide()  # until a status comes (never, on a team server)
        else:
            self.update_backup_status()
        self.refresh()

    def update_backup_status(self, status: BackupStatus | None = None) -> None:
        """The backup line: when the last checked backup was made, or what to do. The window
        passes the status its backup controller read; alone, the page reads it."""
        if self._app is None:
            return
        self.backup_banner.setVisible(self.app.backups.available)
        if not self.app.backups.available:
            return
        if status is None:
            try:
                status = self.app.backups.status()
            except VaultError:
                return
        warn = not status.has_folder or status.is_stale
        self.backup_banner.set_kind(BannerKind.WARNING if warn else BannerKind.INFO)
        self.backup_banner.set_text(f"{status.headline()}. {status.advice()}")

    def _link_button(self, text: str, preset: str, tooltip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setFlat(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setToolTip(tooltip)
        button.setAccessibleName(tooltip)
        button.setProperty("preset", preset)
        button.clicked.connect(self._preset_clicked)
        return button

    def _preset_clicked(self) -> None:
        sender = self.sender()
        preset = sender.property("preset") if sender is not None else None
        if preset:
            self.show_cases_requested.emit(str(preset))

    # ---- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload every number in the background (F5)."""
        if self._app is None:
            return  # not signed in yet: attach() loads them
        if self._loading:
            self._reload_pending = True
            return
        self._loading = True
        self.refresh_button.setEnabled(False)
        if self.data is not None:
            self.updated_label.setText("Updating…")
        app = self.app
        run_in_background(
            lambda: load_dashboard(app),
            on_done=self._loaded,
            on_error=self._failed,
            parent=self,
        )
        # Apart from the rest: it also answers (and sends them) while the server is away.
        run_in_background(
            app.drafts.kept_here_count,
            on_done=self._show_kept_drafts,
            on_error=lambda _error: self.drafts_banner.hide(),
            parent=self,
        )

    def _show_kept_drafts(self, count: int) -> None:
        if count <= 0:
            self.drafts_banner.hide()
            return
        what = "1 draft is" if count == 1 else f"{count} drafts are"
        they = "It is" if count == 1 else "They are"
        self.drafts_banner.set_text(
            f"{what} kept on this computer, not yet on the team server. {they} sent as soon "
            "as the server can be reached again; nothing you typed is lost."
        )
        self.drafts_banner.show()

    def is_loading(self) -> bool:
        return self._loading

    def _finish_loading(self) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        if self._reload_pending:
            self._reload_pending = False
            self.refresh()

    def _failed(self, error: BaseException) -> None:
        message = error_message(
            error, not_loaded("the dashboard", "Try Refresh (F5)."), during="loading the dashboard"
        )
        if is_user_error(error):
            message = f"The dashboard could not be loaded. {message}"
        self.error_banner.set_text(message)
        self.error_banner.show()
        self.updated_label.setText("Not up to date")
        self._finish_loading()

    def _loaded(self, data: DashboardData) -> None:
        self.data = data
        self.error_banner.hide()
        number = QLocale().toString  # thousands grouped as the person's locale does it
        self.open_tile.set_value(number(data.open_cases))
        self.mine_tile.set_value(number(data.my_open_cases))
        self.due_tile.set_value(number(data.reviews_due))
        self.overdue_tile.set_value(number(data.overdue_tasks))
        self.overdue_tile.set_alert(data.overdue_tasks > 0)
        self.recent_tile.set_value(number(data.recent_reports))
        self.tasks_tile.set_value(number(data.my_tasks))

        self.status_chart.set_bars([(status.label, count) for status, count in data.by_status])
        self.level_chart.set_bars(data.by_level)

        self.overdue_list.set_rows([self._overdue_row(row, data) for row in data.overdue_rows])
        more = data.overdue > len(data.overdue_rows)
        self.overdue_more.setText(f"Show all {number(data.overdue)}" if more else "Show all")
        self.overdue_more.setVisible(data.overdue > 0)
        self.recent_list.set_rows(
            [
                (
                    row.id,
                    [
                        row.number,
                        row.title,
                        format_day(_local_day(row.opened_at)),
                        row.status.label,
                    ],
                    None,
                )
                for row in data.recent_rows
            ]
        )
        self.my_list.set_rows(
            [
                (
                    row.id,
                    [
                        row.number,
                        row.title,
                        row.status.label,
                        self._level_label(row, data),
                        format_day(row.next_due) if row.next_due else "Not scheduled",
                    ],
                    self._level_chip(row, data),
                )
                for row in data.my_rows
            ]
        )
        self.my_more.setText(
            f"Show all {number(data.my_open_cases)}"
            if data.my_open_cases > len(data.my_rows)
            else "Show all"
        )
        self.my_more.setVisible(data.my_open_cases > 0)
        self.updated_label.setText(f"Updated at {format_clock(datetime.now().time())}")
        self._finish_loading()
        self.loaded.emit()

    # ---- row texts -------------------------------------------------------------------------

    @staticmethod
    def _level_chip(row: CaseRow, data: DashboardData) -> tuple[str, str] | None:
        if not row.level:
            return None
        info = data.levels.get((row.level_scale, row.level))
        return (info.label, info.color) if info else None

    @staticmethod
    def _level_label(row: CaseRow, data: DashboardData) -> str:
        if not row.level:
            return NOT_SET_LABEL
        info = data.levels.get((row.level_scale, row.level))
        return info.label if info else row.level

    def _overdue_row(
        self, row: CaseRow, data: DashboardData
    ) -> tuple[int, list[str], tuple[str, str] | None]:
        due = row.next_due
        when = ""
        if due is not None:
            days = (data.today - due).days
            ago = "yesterday" if days == 1 else f"{days} days ago"
            when = f"{format_day(due)} ({ago})"
        return (
            row.id,
            [row.number, row.title, when, self._level_label(row, data)],
            self._level_chip(row, data),
        )
