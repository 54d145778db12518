"""My tasks: what is overdue, due today and due this week, for me or for the whole team.

Tasks are computed by ``app.tasks`` from the records (approved plan items and their repetitions,
reassessment and review dates, certifications), read off the GUI thread. Double-click or Enter
on a task opens its case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QKeySequence,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.formatting import person_name, plural
from btam_desktop.services.app import Btam
from btam_desktop.services.tasks import Bucket, Task, TaskKind, local_today
from btam_desktop.ui.case_tabs.common import error_message, fmt_date
from btam_desktop.ui.icons import icon
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import current_colors, set_style_role
from btam_desktop.ui.vault_events import RefreshOnChange
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.form_dialog import error_color

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 40
BUCKET_ROLE = Qt.ItemDataRole.UserRole + 41
HORIZON_DAYS = 7
COLUMNS = ["Due", "Task", "Case", "Detail", "Responsible"]
PLAN_ITEM_KINDS = frozenset(
    {TaskKind.CHECK_IN, TaskKind.INTERVENTION_DUE, TaskKind.INTERVENTION_REVIEW}
)

GROUPS: list[tuple[Bucket, str, str]] = [
    (Bucket.OVERDUE, "Overdue", "Nothing is overdue."),
    (Bucket.TODAY, "Today", "Nothing is due today."),
    (Bucket.THIS_WEEK, "This week", "Nothing else is due in the next seven days."),
    (Bucket.LATER, "Coming up", ""),
]


@dataclass
class TaskData:
    today: date
    tasks: list[Task]
    names: dict[int, str] = field(default_factory=dict)
    whole_team: bool = False

    def in_bucket(self, bucket: Bucket) -> list[Task]:
        return [t for t in self.tasks if t.bucket(self.today) == bucket]


def load_tasks(app: Btam, whole_team: bool, today: date | None = None) -> TaskData:
    today = today or local_today()
    mine = None if whole_team else app.actor.account_id
    found = app.tasks.tasks(today, horizon_days=HORIZON_DAYS, for_account=mine)
    names = {
        a.id: person_name(a.display_name, a.username)
        for a in app.team.members(include_inactive=True)
        if a.id is not None
    }
    return TaskData(today, found, names, whole_team)


class TasksPage(QWidget):
    """Overdue, Today and This week, with counts; "Whole team" shows everyone's tasks."""

    open_case_requested = Signal(int)
    loaded = Signal()

    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.follow_changes = RefreshOnChange(self, self.refresh)  # refreshes itself (issue 13)
        self.app = app
        self.data: TaskData | None = None
        self._loading = False
        self._reload_pending = False
        self.setAccessibleName("My tasks")

        heading = QLabel("My tasks")
        set_style_role(heading, "heading")
        self.summary = QLabel("Loading…")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAccessibleName("Summary of tasks")
        set_style_role(self.summary, "muted")
        self.whole_team = QCheckBox("&Whole team")
        self.whole_team.setAccessibleName("Show the whole team's tasks")
        self.whole_team.setToolTip(
            "Show everyone's tasks, not only yours and the team's unassigned ones."
        )
        self.whole_team.toggled.connect(self.refresh)
        self.refresh_button = QPushButton(icon("refresh"), "&Refresh")
        self.refresh_button.setAccessibleName("Refresh")
        self.refresh_button.setToolTip("Load the tasks again (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        refresh_action = QAction("Refresh tasks", self)
        refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh_action.triggered.connect(self.refresh)
        self.addAction(refresh_action)

        header = QHBoxLayout()
        header.addWidget(heading)
        header.addSpacing(12)
        header.addWidget(self.summary, 0, Qt.AlignmentFlag.AlignBottom)
        header.addStretch(1)
        header.addWidget(self.whole_team)
        header.addWidget(self.refresh_button)

        self.error_banner = Banner(BannerKind.WARNING, "", self, action_text="Try again")
        self.error_banner.action_triggered.connect(self.refresh)
        self.error_banner.hide()

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(COLUMNS)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Tasks by when they are due")
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.doubleClicked.connect(self._activated)
        open_action = QAction("Open the task's case", self.tree)
        open_action.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        open_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        open_action.triggered.connect(lambda: self._activated(self.tree.currentIndex()))
        self.tree.addAction(open_action)
        self.tree.setStyleSheet("QTreeView::item { padding: 4px 2px; }")
        tree_header = self.tree.header()
        tree_header.setStretchLastSection(False)
        tree_header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        tree_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        tree_header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((250, 160, 110, 0, 220)):
            if width:
                tree_header.resizeSection(column, width)

        hint = QLabel(
            "Tasks come from the approved plans, review and reassessment dates, and team "
            "certifications. Double-click a task, or press Enter, to open its case."
        )
        hint.setWordWrap(True)
        set_style_role(hint, "muted")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.tree, 1)
        layout.addWidget(hint)
        self.refresh()

    # ---- loading -----------------------------------------------------------------------------

    def is_loading(self) -> bool:
        return self._loading

    def refresh(self, *_args: object) -> None:
        if self._loading:
            self._reload_pending = True
            return
        self._loading = True
        self.refresh_button.setEnabled(False)
        app, whole_team = self.app, self.whole_team.isChecked()
        run_in_background(
            lambda: load_tasks(app, whole_team),
            on_done=self._loaded,
            on_error=self._failed,
            parent=self,
        )

    def _loaded(self, data: TaskData) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        self.error_banner.hide()
        if self._reload_pending or data.whole_team != self.whole_team.isChecked():
            self._reload_pending = False
            self.refresh()
            return
        self.data = data
        self._fill(data)
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        self._reload_pending = False
        self.error_banner.set_text(f"The tasks could not be read. {error_message(error)}")
        self.error_banner.show()

    # ---- showing -----------------------------------------------------------------------------

    def _fill(self, data: TaskData) -> None:
        self.model.removeRows(0, self.model.rowCount())
        counts: dict[Bucket, int] = {}
        bold = QFont(self.tree.font())
        bold.setBold(True)
        danger = QBrush(QColor(error_color()))
        muted = QBrush(QColor(current_colors().muted_fg))
        for bucket, title, empty_text in GROUPS:
            tasks = data.in_bucket(bucket)
            counts[bucket] = len(tasks)
            if bucket == Bucket.LATER and not tasks:
                continue
            group = QStandardItem(f"{title} ({len(tasks)})")
            group.setFont(bold)
            group.setEditable(False)
            group.setData(bucket.value, BUCKET_ROLE)
            if bucket == Bucket.OVERDUE and tasks:
                group.setForeground(danger)
                group.setIcon(icon("warning", error_color()))
            row = [group] + [self._blank() for _ in COLUMNS[1:]]
            self.model.appendRow(row)
            if not tasks:
                note = QStandardItem(empty_text)
                note.setEditable(False)
                note.setForeground(muted)
                group.appendRow([note] + [self._blank() for _ in COLUMNS[1:]])
            for task in tasks:
                group.appendRow(self._task_row(task, data, overdue=bucket == Bucket.OVERDUE))
        root = QModelIndex()
        for position in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(position, root, True)
            group_index = self.model.index(position, 0)
            for child in range(self.model.rowCount(group_index)):
                if not self.model.index(child, 0, group_index).data(CASE_ID_ROLE) and (
                    not self.model.index(child, 1, group_index).data()
                ):
                    self.tree.setFirstColumnSpanned(child, group_index, True)
        self.tree.expandAll()
        who = "the whole team" if data.whole_team else "you and the team"
        self.summary.setText(
            f"{counts[Bucket.OVERDUE]} overdue, {counts[Bucket.TODAY]} due today, "
            f"{counts[Bucket.THIS_WEEK]} more this week — for {who}"
        )

    @staticmethod
    def _blank() -> QStandardItem:
        item = QStandardItem("")
        item.setEditable(False)
        return item

    def _task_row(self, task: Task, data: TaskData, *, overdue: bool) -> list[QStandardItem]:
        days_late = (data.today - task.due_on).days
        due_text = fmt_date(task.due_on)
        if overdue:
            due_text += f" ({plural(days_late, 'day')} late)"
        responsible = (
            data.names.get(task.responsible_id, "(former member)")
            if task.responsible_id is not None
            else "Team"
        )
        # A plan item reads as what it is ("Security escort"), its kind as the detail.
        what, detail = (
            (task.title, task.kind.label)
            if task.kind in PLAN_ITEM_KINDS
            else (task.kind.label, task.title)
        )
        cells = [due_text, what, task.case_number or "—", detail, responsible]
        items = []
        for text in cells:
            item = QStandardItem(text)
            item.setEditable(False)
            item.setToolTip(text if len(text) > 30 else "")
            if task.case_id is not None:
                item.setData(task.case_id, CASE_ID_ROLE)
            if overdue:
                item.setForeground(QBrush(QColor(error_color())))
            items.append(item)
        if overdue:
            font = QFont(self.tree.font())
            font.setBold(True)
            items[0].setFont(font)
        if task.case_id is None:
            items[2].setToolTip("Not about a case: see the Team page.")
        return items

    # ---- opening -----------------------------------------------------------------------------

    def task_rows(self, bucket: Bucket) -> list[list[str]]:
        """The rows shown under one group, as text (for tests and screen readers)."""
        for position in range(self.model.rowCount()):
            group = self.model.index(position, 0)
            if group.data(BUCKET_ROLE) == bucket.value:
                return [
                    [
                        str(self.model.index(row, column, group).data() or "")
                        for column in range(len(COLUMNS))
                    ]
                    for row in range(self.model.rowCount(group))
                    if self.model.index(row, 1, group).data()
                ]
        return []

    def group_title(self, bucket: Bucket) -> str:
        for position in range(self.model.rowCount()):
            group = self.model.index(position, 0)
            if group.data(BUCKET_ROLE) == bucket.value:
                return str(group.data())
        return ""

    def _activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        case_id = index.data(CASE_ID_ROLE)
        if case_id is not None:
            self.open_case_requested.emit(int(case_id))
