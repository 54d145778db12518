"""The case workspace: one case, in tabs (overview, people, reports and timeline, notes,
attachments, disclosures, level history and, for the coordinator, its audit trail).

Opening a workspace records that the person viewed the case (``app.cases.open_case``, once).
Everything is read off the GUI thread. After a successful write the workspace reads the case
again and the change is announced once on ``ui.vault_events``, which every other screen follows
(there is no per-screen signal to connect). A viewer sees everything read-only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

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
from btam_desktop.ui.case_tabs.common import error_message, fmt_date
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
from btam_desktop.ui.vault_events import RefreshOnChange, VaultChange, announce, vault_events
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.form_dialog import error_color
from btam_desktop.ui.widgets.level import LevelBadge
from btam_desktop.ui.widgets.overlay import BusyOverlay

if TYPE_CHECKING:
    from btam_desktop.ui.assessments_tab import AssessmentsTab
    from btam_desktop.ui.plan.plan_tab import PlanTab

    ExtraTab = AssessmentsTab | PlanTab

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
    """All of one case; ``loaded`` each time it was read and shown."""

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
        # The tabs that read their own data: read again on F5 (they follow saves themselves).
        self._readers: list[ExtraTab] = []
        for name, kind, title, icon_name in extra_tabs():
            extra = _extra_tab(kind, title, app, case_id)
            self._tabs.append((name, extra))
            self._titles[name] = (title, icon_name)
            if not isinstance(extra, TabFailed):
                self._readers.append(extra)
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
        # A change to this case made elsewhere (another screen, another computer of a team
        # server) reads the case again; the tabs' own saves reload at once (``_written``).
        self.follow_changes = RefreshOnChange(
            self, self._changed_elsewhere, wants=lambda change: change.case_id == self.case_id
        )
        # The assessments tab announces its own writes (a completed form moves the case on):
        # the header and the other tabs read the case again.
        vault_events().changed.connect(self._tab_announced)

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

    def _drafting_tabs(self) -> list[CaseTab | AssessmentsTab]:
        from btam_desktop.ui.assessments_tab import AssessmentsTab

        return [w for _n, w in self._tabs if isinstance(w, CaseTab | AssessmentsTab)]

    def has_unsaved_changes(self) -> bool:
        return any(widget.has_unsaved_changes() for widget in self._drafting_tabs())

    def save_drafts(self) -> None:
        """Keep unsaved edits as encrypted drafts (called before a lock or closing)."""
        if not self.app.vault.is_open:
            return
        for widget in self._drafting_tabs():
            widget.save_drafts()

    def close_windows(self) -> None:
        """Close dialogs and windows the tabs opened (call ``save_drafts`` first)."""
        for widget in self._drafting_tabs():
            if isinstance(widget, CaseTab):
                widget.close_dialogs()
            else:
                widget.close_windows()

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
        from btam_desktop.ui.assessments_tab import AssessmentsTab
        from btam_desktop.ui.plan.plan_tab import PlanTab

        if isinstance(widget, CaseTab):
            widget.changed.connect(lambda w=widget: self._written(w))
        if isinstance(widget, AssessmentsTab):
            widget.tab_requested.connect(self.show_tab)  # e.g. the wizard asks for the plan
        if isinstance(widget, PlanTab):
            widget.reassessment_requested.connect(lambda _case_id: self.show_tab("assessments"))

    def is_loading(self) -> bool:
        return self._loading

    # ---- loading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the case again (off the GUI thread) and show it, in every tab."""
        self._reload()
        if self._opened:
            for reader in self._readers:
                reader.refresh()

    def _changed_elsewhere(self) -> None:
        """Someone else changed this case: read it again, unless typing would be lost."""
        if not self.has_unsaved_changes():
            self.refresh()

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

    def _tab_announced(self, change: object) -> None:
        """A tab that announces its own writes (not a ``CaseTab``, whose ``changed`` comes to
        ``_written``) changed this case: read it again."""
        if not isinstance(change, VaultChange) or change.case_id != self.case_id:
            return
        origin = change.origin
        if (
            isinstance(origin, QWidget)
            and not isinstance(origin, CaseTab)
            and origin is not self
            and self.isAncestorOf(origin)
        ):
            self._reload()

    def _written(self, source: QWidget) -> None:
        """A tab saved something: read the case again and announce the change once; the
        tabs that read their own data (assessments, plan), the case list and the dashboard
        follow the announcement."""
        self._reload()
        kind = next((name for name, widget in self._tabs if widget is source), "case")
        announce(VaultChange(kind, self.case_id, origin=source))


def extra_tabs() -> tuple[tuple[str, Callable[[Btam, int], ExtraTab], str, str], ...]:
    """Tabs built in their own modules, which read their own data: (name, class, title, icon).

    Imported when the first case opens, not when the main window loads."""
    from btam_desktop.ui.assessments_tab import AssessmentsTab
    from btam_desktop.ui.plan.plan_tab import PlanTab

    return (
        ("assessments", AssessmentsTab, "Assessments", "forms"),
        ("plan", PlanTab, "Plan", "plan"),
    )


def _extra_tab(
    kind: Callable[[Btam, int], ExtraTab], title: str, app: Btam, case_id: int
) -> ExtraTab | TabFailed:
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
