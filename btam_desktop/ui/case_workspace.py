"""The case workspace: one case, in tabs (overview, people, reports and timeline, notes,
attachments, disclosures, level history and, for the coordinator, its audit trail).

Opening a workspace records that the person viewed the case (``app.cases.open_case``, once).
Everything is read off the GUI thread; after any successful write the workspace emits
``case_changed(case_id)`` and reloads. A viewer sees everything read-only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.enums import Priority
from btam_desktop.services.app import Btam
from btam_desktop.services.permissions import Permission
from btam_desktop.ui.case_tabs.attachments import AttachmentsTab
from btam_desktop.ui.case_tabs.audit import AuditTab
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import error_color, error_message, fmt_date
from btam_desktop.ui.case_tabs.data import CaseData, load_case_data
from btam_desktop.ui.case_tabs.disclosures import DisclosuresTab
from btam_desktop.ui.case_tabs.levels import LevelsTab
from btam_desktop.ui.case_tabs.notes import NotesTab
from btam_desktop.ui.case_tabs.overview import OverviewTab
from btam_desktop.ui.case_tabs.people import PeopleTab
from btam_desktop.ui.case_tabs.timeline import TimelineTab
from btam_desktop.ui.icons import icon
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.widgets import Banner, BannerKind, BusyOverlay, LevelBadge

logger = logging.getLogger(__name__)

TAB_NAMES = (
    "overview",
    "people",
    "timeline",
    "notes",
    "attachments",
    "disclosures",
    "levels",
    "audit",
    "assessments",
    "plan",
)


class CaseWorkspace(QWidget):
    """All of one case. ``case_changed(case_id)`` after every successful write."""

    case_changed = Signal(int)
    loaded = Signal()  # each time the case was (re)read and shown

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.case_id = case_id
        self.data: CaseData | None = None
        self._number = ""
        self._loading = False
        self._reload_pending = False
        self._opened = False
        self._titles: dict[str, tuple[str, str]] = {}
        self.setAccessibleName("Case")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(8)

        header = QVBoxLayout()
        header.setSpacing(4)
        self.heading = QLabel("Opening the case…")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.heading.setAccessibleName("Case number and title")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_style_role(self.heading, "heading")
        header.addWidget(self.heading)
        chips = QHBoxLayout()
        chips.setSpacing(8)
        self.status_chip = self._chip("Status")
        self.level_chip = LevelBadge()
        self.priority_chip = self._chip("Priority")
        self.hold_chip = self._chip("Legal hold")
        self.hold_chip.setText("Legal hold")
        self.review_label = QLabel()
        self.review_label.setTextFormat(Qt.TextFormat.PlainText)
        self.review_label.setAccessibleName("Next review")
        for widget in (
            self.status_chip,
            self.level_chip,
            self.priority_chip,
            self.hold_chip,
            self.review_label,
        ):
            chips.addWidget(widget)
        chips.addStretch(1)
        self.print_button = QPushButton(icon("print"), "P&rint or export…")
        self.print_button.setToolTip("Preview, print or save a summary of this case (Ctrl+P)")
        self.print_button.clicked.connect(self.print_or_export)
        chips.addWidget(self.print_button)
        header.addLayout(chips)
        layout.addLayout(header)

        self.read_only = Banner(
            BannerKind.INFO,
            f"Read only: your role ({app.actor.role.value}) may view this case but not change it.",
            self,
        )
        self.read_only.setVisible(not app.can(Permission.WORK_CASES))
        layout.addWidget(self.read_only)

        self.load_error = Banner(BannerKind.WARNING, "", self, action_text="Try again")
        self.load_error.action_triggered.connect(self._reload)
        self.load_error.hide()
        layout.addWidget(self.load_error)

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Parts of the case")
        # Every tab stays in sight (the Audit tab last of all): on a narrow screen the labels
        # shorten instead of sliding behind scroll arrows.
        self.tabs.setUsesScrollButtons(False)
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        layout.addWidget(self.tabs, 1)
        self.overview = OverviewTab(app, case_id)
        self.people = PeopleTab(app, case_id)
        self.timeline = TimelineTab(app, case_id)
        self.notes = NotesTab(app, case_id)
        self.attachments = AttachmentsTab(app, case_id)
        self.disclosures = DisclosuresTab(app, case_id)
        self.levels = LevelsTab(app, case_id)
        self.audit: AuditTab | None = (
            AuditTab(app, case_id) if app.can(Permission.VIEW_AUDIT) else None
        )
        # (name, widget): the workspace's own tabs plus the assessments and plan tabs, which
        # live in their own modules and read their own data.
        self._tabs: list[tuple[str, QWidget]] = [
            (self.overview.name, self.overview),
            (self.people.name, self.people),
            (self.timeline.name, self.timeline),
        ]
        for name, kind, title, icon_name in extra_tabs():
            self._tabs.append((name, _extra_tab(kind, title, app, case_id)))
            self._titles[name] = (title, icon_name)
        self._tabs += [
            (self.notes.name, self.notes),
            (self.attachments.name, self.attachments),
            (self.disclosures.name, self.disclosures),
            (self.levels.name, self.levels),
        ]
        if self.audit is not None:
            self._tabs.append((self.audit.name, self.audit))
        for name, page in self._tabs:
            title, icon_name = self._titles.get(name, ("", ""))
            if isinstance(page, CaseTab):
                title, icon_name = page.title, page.icon_name
            index = self.tabs.addTab(page, icon(icon_name), title)
            self.tabs.setTabToolTip(index, title)
            page.setObjectName(f"tab_{name}")
            self._connect_tab(page)
        self.tabs.setEnabled(False)

        self.overlay = BusyOverlay(self)
        self.overlay.show_busy("Opening the case…")
        self._reload()

    def _chip(self, name: str) -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setAccessibleName(name)
        set_style_role(label, "badge")
        label.hide()
        return label

    # ---- contract --------------------------------------------------------------------------

    @property
    def case_number(self) -> str:
        """The case number ("2026-0042"); read directly if the case is still loading."""
        if not self._number:
            try:
                self._number = self.app.cases.get(self.case_id).number
            except Exception:  # a tab title can wait for the load
                return ""
        return self._number

    def has_unsaved_changes(self) -> bool:
        for _name, widget in self._tabs:
            check = getattr(widget, "has_unsaved_changes", None)
            if callable(check) and check():
                return True
        return False

    def save_drafts(self) -> None:
        """Keep unsaved edits as encrypted drafts (called before a lock or closing)."""
        if not self.app.vault.is_open:
            return
        for _name, widget in self._tabs:
            save = getattr(widget, "save_drafts", None)
            if callable(save):
                save()

    def close_windows(self) -> None:
        """Close dialogs and windows the tabs opened (call ``save_drafts`` first)."""
        for _name, widget in self._tabs:
            if isinstance(widget, CaseTab):
                widget.close_dialogs()
            close = getattr(widget, "close_windows", None)
            if callable(close):
                close()

    def current_tab_name(self) -> str:
        current = self.tabs.currentWidget()
        return next((name for name, widget in self._tabs if widget is current), "")

    def show_tab(self, name: str) -> bool:
        """Switch to the tab called ``name``; False if there is none (e.g. audit for a member)."""
        widget = self.tab(name)
        if widget is None:
            return False
        self.tabs.setCurrentWidget(widget)
        return True

    def tab(self, name: str) -> QWidget | None:
        return next((widget for n, widget in self._tabs if n == name), None)

    def tab_names(self) -> list[str]:
        return [name for name, _widget in self._tabs]

    def _connect_tab(self, widget: QWidget) -> None:
        if isinstance(widget, CaseTab):
            widget.changed.connect(lambda w=widget: self._written(w))
        else:
            signal = getattr(widget, "case_changed", None)
            if signal is not None:
                signal.connect(lambda _case_id, w=widget: self._written(w))
        requested = getattr(widget, "reassessment_requested", None)
        if requested is not None:
            requested.connect(lambda _case_id: self.show_tab("assessments"))
        other_tab = getattr(widget, "tab_requested", None)  # e.g. the wizard asks for the plan
        if other_tab is not None:
            other_tab.connect(self.show_tab)

    def is_loading(self) -> bool:
        return self._loading

    # ---- loading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the case again (off the GUI thread) and show it, in every tab."""
        self._reload()
        if self._opened:
            self._refresh_others()

    def _reload(self) -> None:
        if self._loading:
            self._reload_pending = True
            return
        self._loading = True
        self.load_error.hide()
        audited = not self._opened
        app, case_id = self.app, self.case_id
        run_in_background(
            lambda: load_case_data(app, case_id, audited_open=audited),
            on_done=self._loaded,
            on_error=self._load_failed,
            parent=self,
        )

    def _loaded(self, data: CaseData) -> None:
        self._loading = False
        self._opened = True
        self.data = data
        self._show_header(data)
        for _name, widget in self._tabs:
            if isinstance(widget, CaseTab):
                widget.populate(data)
        self.tabs.setEnabled(True)
        self.overlay.hide_busy()
        self.loaded.emit()
        if self._reload_pending:
            self._reload_pending = False
            self._reload()

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self._reload_pending = False
        self.overlay.hide_busy()
        self.load_error.set_text(f"The case could not be read. {error_message(error)}")
        self.load_error.show()
        if self.data is None:
            self.heading.setText("The case could not be opened")

    def _show_header(self, data: CaseData) -> None:
        case = data.case
        self._number = case.number
        self.setWindowTitle(f"Case {case.number}")
        self.heading.setText(f"{case.number}   {case.title}")
        self.status_chip.setText(data.status.label)
        self.status_chip.setToolTip(f"Status: {data.status.label}")
        self.status_chip.show()
        label, color = data.level_label(case.level)
        self.level_chip.set_level(label, color or "#808080")
        priority = Priority(case.priority)
        self.priority_chip.setText(f"{priority.label} priority")
        self.priority_chip.setVisible(priority.rank >= Priority.HIGH.rank)
        self.hold_chip.setVisible(case.legal_hold)
        self.hold_chip.setToolTip("A legal hold is set: the case cannot be destroyed.")
        review = case.next_review_on
        if review is not None and not data.status.is_closed:
            overdue = review < date.today()
            self.review_label.setText(
                f"Review overdue since {fmt_date(review)}"
                if overdue
                else f"Next review {fmt_date(review)}"
            )
            self.review_label.setStyleSheet(
                f"QLabel {{ color: {error_color()}; font-weight: 600; }}" if overdue else ""
            )
            self.review_label.show()
        else:
            self.review_label.hide()

    def print_or_export(self) -> None:
        """Choose the parts of the case, then preview, print or save its summary."""
        from btam_desktop.ui.printing import preview_case_summary

        preview_case_summary(self.app, self.case_id, self, self._number)

    def _written(self, source: QWidget | None = None) -> None:
        """A tab saved something: tell the window, read the case again, and let the tabs that
        read their own data (assessments, plan) catch up with it."""
        self.case_changed.emit(self.case_id)
        self._reload()
        self._refresh_others(source)

    def _refresh_others(self, source: QWidget | None = None) -> None:
        own: list[QWidget | None] = [
            self.overview,
            self.people,
            self.timeline,
            self.notes,
            self.attachments,
            self.disclosures,
            self.levels,
            self.audit,
        ]
        for _name, widget in self._tabs:
            if widget is source or widget in own:
                continue
            reload = getattr(widget, "refresh", None)
            if callable(reload):
                reload()


def extra_tabs() -> tuple[tuple[str, Callable[[Btam, int], QWidget], str, str], ...]:
    """Tabs built in their own modules, which read their own data: (name, class, title, icon).

    Imported when the first case opens, not when the main window loads."""
    from btam_desktop.ui.assessments_tab import AssessmentsTab
    from btam_desktop.ui.plan.plan_tab import PlanTab

    return (
        ("assessments", AssessmentsTab, "Assessments", "forms"),
        ("plan", PlanTab, "Plan", "plan"),
    )


def _extra_tab(
    kind: Callable[[Btam, int], QWidget], title: str, app: Btam, case_id: int
) -> QWidget:
    """The tab, or, if it fails to open, a page in its place that says so: the rest of the case
    still opens, and the person sees that something is missing instead of a tab that vanished."""
    try:
        return kind(app, case_id)
    except Exception as error:
        # The type alone: a message could quote case content.
        logger.error("the %s tab failed to open: %s", title, type(error).__name__)
        return TabFailed(title)


class TabFailed(QWidget):
    """Shown in place of a tab that could not be opened."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tabFailed")
        self.message = Banner(BannerKind.WARNING, tab_failed_text(title), self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addStretch(1)


def tab_failed_text(title: str) -> str:
    return (
        f"The {title} tab could not be opened, so it shows nothing for now. The other tabs of "
        "this case work, and nothing was changed. Close the case and open it again; if this "
        "keeps happening, tell your coordinator."
    )
