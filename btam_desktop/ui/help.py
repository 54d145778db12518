"""Help inside the program: the user guide window, F1, the first-start tour, the keyboard
shortcuts list and the About dialog with the licences of everything shipped.

The guide is one HTML file, ``resources/help/guide.html``, written for counselors and
investigators; every section has an anchor (``<a name="...">``). F1 opens the section for what
is on screen: each main-window page and each tab of the case workspace maps to an anchor below.
Nothing here reads the vault: the guide, the shortcuts and the licences are the same for
everyone, so the help window may stay open while the vault is locked.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDesktopServices,
    QKeySequence,
    QPixmap,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QTextEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from btam_desktop import APP_NAME, __version__
from btam_desktop.domain.formatting import plural
from btam_desktop.ui.help_key import LOCKED_ANCHOR
from btam_desktop.ui.icons import app_icon, icon
from btam_desktop.ui.recent import ui_settings
from btam_desktop.ui.resources import resource_path
from btam_desktop.ui.theme import set_style_role

if TYPE_CHECKING:
    from btam_desktop.licences import Component

GUIDE_FILE = ("help", "guide.html")
START_ANCHOR = "getting-started"
WORKSPACE_ANCHOR = "case-workspace"

# Main-window page key (ui/main_window.py PAGE_*) -> guide anchor.
PAGE_ANCHORS = {
    "dashboard": "dashboard",
    "cases": "cases",
    "tasks": "my-tasks",
    "forms": "forms-and-guides",
    "team": "team-and-roles",
    "settings": "settings",
    "retention": "retention",
    "audit": "audit-trail",
}
# Case workspace tab name (ui/case_workspace.py TAB_NAMES) -> guide anchor.
CASE_TAB_ANCHORS = {
    "overview": "case-overview",
    "people": "case-people",
    "timeline": "case-timeline",
    "notes": "case-notes",
    "attachments": "case-attachments",
    "disclosures": "case-disclosures",
    "levels": "case-levels",
    "audit": "case-audit",
    "assessments": "case-assessments",
    "plan": "case-plan",
}

TOUR_DONE_KEY = "help/tour_done"


# == the guide ================================================================================


def guide_path() -> Path:
    return resource_path(*GUIDE_FILE)


def guide_anchors(text: str | None = None) -> list[str]:
    """Every anchor the guide defines, in order."""
    source = guide_path().read_text(encoding="utf-8") if text is None else text
    return re.findall(r"<a\s+name=\"([\w-]+)\"", source)


def guide_sections(text: str | None = None) -> list[tuple[str, str]]:
    """(anchor, heading) of each h2/h3 section, for the contents list."""
    source = guide_path().read_text(encoding="utf-8") if text is None else text
    found = re.findall(r"<h([23])><a\s+name=\"([\w-]+)\"></a>(.*?)</h\1>", source, flags=re.DOTALL)
    return [
        (anchor, ("" if level == "2" else "    ") + html.unescape(title).strip())
        for level, anchor, title in found
    ]


def anchor_for(window: QWidget) -> str:
    """The guide section for what the main window shows now (duck-typed: no import cycle)."""
    is_locked = getattr(window, "is_locked", None)
    if callable(is_locked) and is_locked():
        return LOCKED_ANCHOR
    current_workspace = getattr(window, "current_workspace", None)
    workspace = current_workspace() if callable(current_workspace) else None
    if workspace is not None:
        tab = workspace.current_tab_name()
        return CASE_TAB_ANCHORS.get(tab, WORKSPACE_ANCHOR)
    current_page = getattr(window, "current_page", None)
    page = current_page() if callable(current_page) else ""
    return PAGE_ANCHORS.get(page, START_ANCHOR)


class HelpWindow(QMainWindow):
    """The user guide: contents, search with highlighted matches, print and save as PDF."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("helpWindow")
        self.owners: set[int] = set()
        self.setWindowTitle(f"User guide — {APP_NAME}")
        self.setWindowIcon(icon("help"))
        self.resize(1000, 720)

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("helpBrowser")
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._anchor_clicked)
        self.browser.setOpenLinks(False)
        self.browser.document().setDocumentMargin(18)
        source = guide_path()
        self.browser.setSearchPaths([str(source.parent)])
        self.browser.setHtml(source.read_text(encoding="utf-8"))

        self.contents = QListWidget(self)
        self.contents.setObjectName("helpContents")
        self.contents.setAccessibleName("Contents")
        for anchor, title in guide_sections():
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, anchor)
            self.contents.addItem(item)
        self.contents.itemActivated.connect(self._contents_chosen)
        self.contents.itemClicked.connect(self._contents_chosen)
        self.contents.setMinimumWidth(220)

        splitter = QSplitter(self)
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 750])
        self.setCentralWidget(splitter)

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("helpSearch")
        self.search_edit.setPlaceholderText("Search the guide")
        self.search_edit.setAccessibleName("Search the guide")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMaximumWidth(320)
        self.search_edit.textChanged.connect(self._search_changed)
        self.search_edit.returnPressed.connect(self.find_next)
        self.match_label = QLabel(self)
        set_style_role(self.match_label, "muted")

        toolbar = QToolBar("Help", self)
        toolbar.setObjectName("helpToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back_action = toolbar.addAction(icon("help"), "Start", self.go_start)
        toolbar.addSeparator()
        toolbar.addWidget(self.search_edit)
        self.next_action = toolbar.addAction(icon("search"), "Find next", self.find_next)
        self.next_action.setShortcut(QKeySequence(QKeySequence.StandardKey.FindNext))
        self.previous_action = QAction("Find previous", self)
        self.previous_action.setShortcut(QKeySequence(QKeySequence.StandardKey.FindPrevious))
        self.previous_action.triggered.connect(self.find_previous)
        self.addAction(self.previous_action)
        toolbar.addWidget(self.match_label)
        toolbar.addSeparator()
        self.print_action = toolbar.addAction(icon("print"), "Print…", self.print_guide)
        self.print_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.pdf_action = toolbar.addAction(icon("pdf"), "Save as PDF…", self.save_pdf)
        self.addToolBar(toolbar)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self._focus_search)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.go_start()

    # -- navigation ----------------------------------------------------------------------

    def show_anchor(self, anchor: str) -> bool:
        """Scroll to a section; False (and the start) if the guide has no such anchor."""
        known = anchor in guide_anchors()
        target = anchor if known else START_ANCHOR
        self.browser.scrollToAnchor(target)
        self._anchor = target
        for row in range(self.contents.count()):
            item = self.contents.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == target:
                self.contents.blockSignals(True)
                self.contents.setCurrentItem(item)
                self.contents.blockSignals(False)
                break
        return known

    def current_anchor(self) -> str:
        return self._anchor

    def go_start(self) -> None:
        self.show_anchor(START_ANCHOR)
        self.browser.verticalScrollBar().setValue(0)

    def _contents_chosen(self, item: QListWidgetItem) -> None:
        self.show_anchor(str(item.data(Qt.ItemDataRole.UserRole)))

    def _anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)  # only on a person's click; the program never fetches
            return
        if url.fragment():
            self.show_anchor(url.fragment())

    # -- search --------------------------------------------------------------------------

    def _focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def _search_changed(self, text: str) -> None:
        document = self.browser.document()
        selections: list[QTextEdit.ExtraSelection] = []
        needle = text.strip()
        if len(needle) >= 2:
            fmt = QTextCharFormat()
            fmt.setBackground(QColor("#ffe58a"))
            fmt.setForeground(QColor("#1b1b1b"))
            cursor = document.find(needle, 0)
            while not cursor.isNull() and len(selections) < 500:
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format = fmt
                selections.append(selection)
                cursor = document.find(needle, cursor)
        self.browser.setExtraSelections(selections)
        if not needle:
            self.match_label.setText("")
        elif len(needle) < 2:
            self.match_label.setText("Type a little more")
        elif selections:
            count = len(selections)
            self.match_label.setText(plural(count, "match", "matches"))
            self.browser.setTextCursor(QTextCursor(document))
            self.find_next()
        else:
            self.match_label.setText("Not found")

    def match_count(self) -> int:
        return len(self.browser.extraSelections())

    def find_next(self) -> bool:
        return self._find(QTextDocument.FindFlag(0))

    def find_previous(self) -> bool:
        return self._find(QTextDocument.FindFlag.FindBackward)

    def _find(self, flags: QTextDocument.FindFlag) -> bool:
        needle = self.search_edit.text().strip()
        if not needle:
            return False
        if self.browser.find(needle, flags):
            return True
        # wrap around
        cursor = QTextCursor(self.browser.document())
        if flags & QTextDocument.FindFlag.FindBackward:
            cursor.movePosition(QTextCursor.MoveOperation.End)
        self.browser.setTextCursor(cursor)
        return self.browser.find(needle, flags)

    # -- printing ------------------------------------------------------------------------

    def print_guide(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the user guide")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.browser.document().print_(printer)

    def save_pdf(self, target: Path | None = None) -> Path | None:
        """Write the guide as a PDF (asks where unless given); written then renamed."""
        if target is None:
            start = str(Path.home() / "BTAM Desktop user guide.pdf")
            chosen, _filter = QFileDialog.getSaveFileName(
                self, "Save the user guide as PDF", start, "PDF files (*.pdf)"
            )
            if not chosen:
                return None
            target = Path(chosen)
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        temporary = target.with_name(f".{target.name}.part")
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(temporary))
        self.browser.document().print_(printer)
        try:
            os.replace(temporary, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                temporary.unlink()
            QMessageBox.warning(
                self,
                "The guide was not saved",
                f"Could not write {target.name}: {error.strerror or 'write refused'}. "
                "Choose another folder.",
            )
            return None
        return target


_help_window: HelpWindow | None = None


def show_help(anchor: str = START_ANCHOR, parent: QWidget | None = None) -> HelpWindow:
    """Open (or bring forward) the one help window at ``anchor``."""
    global _help_window
    if _help_window is None:
        _help_window = HelpWindow()
        _help_window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        _help_window.destroyed.connect(_forget_help_window)
    window = _help_window
    owner = parent.window() if parent is not None else None
    if owner is not None and owner is not window and id(owner) not in window.owners:
        # The guide closes with the window it was opened from, so quitting is not held up
        # by a help window left open.
        window.owners.add(id(owner))
        owner.destroyed.connect(window.close)
    window.show_anchor(anchor)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def _forget_help_window() -> None:
    global _help_window
    _help_window = None


# == keyboard shortcuts =======================================================================


@dataclass(frozen=True)
class ContextShortcut:
    """A shortcut that works in one place (not a menu command); ``source`` is the module that
    defines it and ``key_name`` how the code names the key, so a test can check it is real."""

    where: str
    what: str
    key: QKeySequence.StandardKey | str
    source: str
    key_name: str


CONTEXT_SHORTCUTS = (
    ContextShortcut("Unlock screen", "Unlock", "Return", "ui/unlock.py", "Key_Return"),
    ContextShortcut(
        "Case list", "Open the selected case", "Return", "ui/pages/cases.py", "Key_Return"
    ),
    ContextShortcut(
        "My tasks", "Open the selected task's case", "Return", "ui/pages/tasks.py", "Key_Return"
    ),
    ContextShortcut(
        "Dashboard, My tasks",
        "Refresh",
        QKeySequence.StandardKey.Refresh,
        "ui/pages/dashboard.py",
        "StandardKey.Refresh",
    ),
    ContextShortcut(
        "Report a concern",
        "Save the report",
        QKeySequence.StandardKey.Save,
        "ui/intake_dialog.py",
        "StandardKey.Save",
    ),
    ContextShortcut(
        "Assessment",
        "Save the answers so far",
        QKeySequence.StandardKey.Save,
        "ui/wizard/wizard.py",
        "StandardKey.Save",
    ),
    ContextShortcut(
        "Management plan",
        "Save the plan",
        QKeySequence.StandardKey.Save,
        "ui/plan/plan_tab.py",
        "StandardKey.Save",
    ),
    ContextShortcut(
        "Management plan",
        "Undo",
        QKeySequence.StandardKey.Undo,
        "ui/plan/plan_tab.py",
        "StandardKey.Undo",
    ),
    ContextShortcut(
        "Management plan",
        "Redo",
        QKeySequence.StandardKey.Redo,
        "ui/plan/plan_tab.py",
        "StandardKey.Redo",
    ),
    ContextShortcut(
        "Management plan",
        "Remove the selected row",
        QKeySequence.StandardKey.Delete,
        "ui/plan/table.py",
        "StandardKey.Delete",
    ),
    ContextShortcut(
        "Settings",
        "Save the settings",
        QKeySequence.StandardKey.Save,
        "ui/pages/settings.py",
        "StandardKey.Save",
    ),
    ContextShortcut(
        "Print preview",
        "Print",
        QKeySequence.StandardKey.Print,
        "ui/print_preview.py",
        "StandardKey.Print",
    ),
    ContextShortcut(
        "Print preview",
        "Save as PDF",
        QKeySequence.StandardKey.Save,
        "ui/print_preview.py",
        "StandardKey.Save",
    ),
    ContextShortcut(
        "Print preview",
        "Zoom in",
        QKeySequence.StandardKey.ZoomIn,
        "ui/print_preview.py",
        "StandardKey.ZoomIn",
    ),
    ContextShortcut(
        "Print preview",
        "Zoom out",
        QKeySequence.StandardKey.ZoomOut,
        "ui/print_preview.py",
        "StandardKey.ZoomOut",
    ),
    ContextShortcut(
        "User guide",
        "Search the guide",
        QKeySequence.StandardKey.Find,
        "ui/help.py",
        "StandardKey.Find",
    ),
    ContextShortcut(
        "User guide",
        "Next match",
        QKeySequence.StandardKey.FindNext,
        "ui/help.py",
        "StandardKey.FindNext",
    ),
)


# Keys some keyboards have (Help, Save, Refresh, Zoom In...): Qt lists them as bindings too,
# but nobody looks for them in a shortcuts list.
_FIRST_MEDIA_KEY = Qt.Key.Key_Back.value


def _typed_binding(sequence: QKeySequence) -> bool:
    key = sequence[0].key() if sequence.count() else Qt.Key.Key_unknown  # type: ignore[index]
    return key != Qt.Key.Key_Help and key.value < _FIRST_MEDIA_KEY


def key_text(key: QKeySequence | QKeySequence.StandardKey | str) -> str:
    """How the key is written on this system (Ctrl+S, ⌘S, ...)."""
    if isinstance(key, QKeySequence.StandardKey):
        bindings = [b for b in QKeySequence.keyBindings(key) if _typed_binding(b)][:2]
        return " or ".join(b.toString(QKeySequence.SequenceFormat.NativeText) for b in bindings)
    sequence = key if isinstance(key, QKeySequence) else QKeySequence(key)
    text = sequence.toString(QKeySequence.SequenceFormat.NativeText)
    return "Enter" if text == "Return" else text


# Menu texts that need their menu to make sense on their own.
_COMMAND_NAMES = {"Case summary": "Print the case summary"}


def window_shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(command, keys) of every command of ``window`` that has a keyboard shortcut."""
    found: dict[str, str] = {}
    for action in window.actions():
        keys = [k for k in action.shortcuts() if not k.isEmpty()]
        if not keys:
            continue
        name = action.text().replace("&", "").rstrip("…").rstrip(".").strip()
        name = _COMMAND_NAMES.get(name, name)
        text = " or ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        found.setdefault(name, text)
    return list(found.items())


class ShortcutsDialog(QDialog):
    """Help ▸ Keyboard shortcuts: the main window's commands, then shortcuts by place."""

    def __init__(self, window: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle(f"Keyboard shortcuts — {APP_NAME}")
        self.resize(620, 640)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Commands you can reach from the keyboard anywhere in the main window, then the "
            "ones that work in one place only.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        rows: list[tuple[str, str, str]] = [
            ("Everywhere", name, keys) for name, keys in window_shortcuts(window)
        ]
        rows += [(s.where, s.what, key_text(s.key)) for s in CONTEXT_SHORTCUTS]
        rows = [row for row in rows if row[2]]
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Where", "What", "Keys"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def rows(self) -> list[tuple[str, str, str]]:
        found = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in range(3)]
            where, what, keys = (cell.text() if cell is not None else "" for cell in cells)
            found.append((where, what, keys))
        return found


# == About ====================================================================================


class AboutDialog(QDialog):
    """Help ▸ About: what the program is, and every shipped component with its licence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self.resize(860, 640)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        logo = QLabel(self)
        logo.setPixmap(QPixmap(str(resource_path("app", "btam-64.png"))))
        logo.setFixedSize(72, 72)
        top.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        text = QLabel(
            f"<h2 style='margin:0'>{APP_NAME} {__version__}</h2>"
            "<p>Offline, encrypted behavioral threat assessment and management for small "
            "teams. Every record is encrypted on this computer; every action is kept in a "
            "tamper-evident audit trail. The program makes no network connections.</p>"
            "<p>BTAM Desktop is built from the open-source parts listed below. Choose one to "
            "read its licence.</p>",
            self,
        )
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(text, 1)
        layout.addLayout(top)

        from btam_desktop.licences import components  # package metadata: read when shown

        self._components = components()
        self.table = QTableWidget(len(self._components), 3, self)
        self.table.setObjectName("componentsTable")
        self.table.setAccessibleName("Components and licences")
        self.table.setHorizontalHeaderLabels(["Component", "Version", "Licence"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for row, component in enumerate(self._components):
            for column, value in enumerate((component.name, component.version, component.licence)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 260)
        self.licence_text = QPlainTextEdit(self)
        self.licence_text.setObjectName("licenceText")
        self.licence_text.setReadOnly(True)
        self.licence_text.setAccessibleName("Licence text")
        self.licence_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.licence_text)
        splitter.setSizes([260, 280])
        layout.addWidget(splitter, 1)
        where = QLabel(self)
        set_style_role(where, "muted")
        where.setWordWrap(True)
        where.setText(_licence_location_text())
        layout.addWidget(where)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_component(row))
        if self._components:
            self.table.selectRow(0)

    def component_names(self) -> list[str]:
        return [c.name for c in self._components]

    def select(self, name: str) -> bool:
        for row, component in enumerate(self._components):
            if component.name == name:
                self.table.selectRow(row)
                return True
        return False

    def _show_component(self, row: int) -> None:
        if not 0 <= row < len(self._components):
            return
        component: Component = self._components[row]
        heading = f"{component.name} {component.version}".strip()
        parts = [heading, f"Licence: {component.licence}"]
        if component.note:
            parts.append(component.note)
        parts.append(component.text or "(No licence text was found for this part.)")
        self.licence_text.setPlainText("\n\n".join(parts))
        self.licence_text.moveCursor(QTextCursor.MoveOperation.Start)


def _licence_location_text() -> str:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return f"The same notices are in the program folder: {Path(bundle) / 'licences'}."
    return "Running from source: the list is read from the installed packages."


def show_about(parent: QWidget | None = None) -> AboutDialog:
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


# == the first-start tour =====================================================================


@dataclass(frozen=True)
class TourPanel:
    title: str
    body: str
    icon_name: str
    anchor: str


TOUR = (
    TourPanel(
        "Welcome to BTAM Desktop",
        "A short tour of five panels shows where things are. Everything you type is encrypted "
        "on this computer, and nothing is sent over a network.",
        "app",
        START_ANCHOR,
    ),
    TourPanel(
        "Report a concern",
        "When someone tells you about a worrying behavior, choose <b>Report a concern</b> "
        "(Ctrl+N). Write what was reported in the reporter's own words. If anyone is in "
        "danger now, call emergency services first.",
        "report-concern",
        "report-to-closure",
    ),
    TourPanel(
        "Cases and the case workspace",
        "<b>Cases</b> lists every case; open one to see its tabs: people, what happened, the "
        "assessment, the management plan, notes and the audit trail of who did what.",
        "cases",
        WORKSPACE_ANCHOR,
    ),
    TourPanel(
        "Printing for the team meeting",
        "<b>File ▸ Print</b> makes a case summary, the meeting agenda or blank checklists. "
        "Printed pages are not encrypted: keep them like any confidential paper file.",
        "print",
        "printing",
    ),
    TourPanel(
        "Lock, backups and help",
        "Lock the vault with <b>Ctrl+L</b> when you step away. Keep the recovery key in a safe "
        "place. Press <b>F1</b> on any screen for the part of the guide about it.",
        "lock",
        LOCKED_ANCHOR,
    ),
)


def tour_done() -> bool:
    value = ui_settings().value(TOUR_DONE_KEY, False)
    return value is True or str(value).lower() == "true"


def set_tour_done(done: bool = True) -> None:
    settings = ui_settings()
    settings.setValue(TOUR_DONE_KEY, done)
    settings.sync()


class TourDialog(QDialog):
    """A few panels with Back / Next; closing it in any way marks the tour as seen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tourDialog")
        self.setWindowTitle(f"Quick tour — {APP_NAME}")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        self.stack = QStackedWidget(self)
        for panel in TOUR:
            page = QWidget(self.stack)
            row = QHBoxLayout(page)
            row.setContentsMargins(0, 0, 0, 0)
            picture = QLabel(page)
            drawn = app_icon() if panel.icon_name == "app" else icon(panel.icon_name)
            picture.setPixmap(drawn.pixmap(QSize(48, 48)))
            picture.setFixedWidth(64)
            row.addWidget(picture, 0, Qt.AlignmentFlag.AlignTop)
            column = QVBoxLayout()
            title = QLabel(panel.title, page)
            set_style_role(title, "heading")
            body = QLabel(panel.body, page)
            body.setWordWrap(True)
            body.setTextFormat(Qt.TextFormat.RichText)
            body.setMinimumHeight(90)
            body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            column.addWidget(title)
            column.addWidget(body, 1)
            row.addLayout(column, 1)
            self.stack.addWidget(page)
        layout.addWidget(self.stack, 1)
        self.step_label = QLabel(self)
        set_style_role(self.step_label, "muted")
        self.dont_show = QCheckBox("Do not show this tour again", self)
        self.dont_show.setChecked(True)
        self.more_button = QPushButton("Read more in the guide", self)
        self.more_button.clicked.connect(self._read_more)
        self.back_button = QPushButton("Back", self)
        self.back_button.clicked.connect(lambda: self.go(self.stack.currentIndex() - 1))
        self.next_button = QPushButton("Next", self)
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self._next)
        self.skip_button = QPushButton("Skip the tour", self)
        self.skip_button.clicked.connect(self.reject)
        footer = QHBoxLayout()
        footer.addWidget(self.step_label)
        footer.addStretch(1)
        footer.addWidget(self.more_button)
        footer.addWidget(self.skip_button)
        footer.addWidget(self.back_button)
        footer.addWidget(self.next_button)
        layout.addWidget(self.dont_show)
        layout.addLayout(footer)
        self.finished.connect(self._remember)
        self.go(0)

    def go(self, index: int) -> None:
        index = max(0, min(index, self.stack.count() - 1))
        self.stack.setCurrentIndex(index)
        last = index == self.stack.count() - 1
        self.step_label.setText(f"{index + 1} of {self.stack.count()}")
        self.back_button.setEnabled(index > 0)
        self.next_button.setText("Done" if last else "Next")
        self.skip_button.setVisible(not last)

    def _next(self) -> None:
        if self.stack.currentIndex() >= self.stack.count() - 1:
            self.accept()
        else:
            self.go(self.stack.currentIndex() + 1)

    def _read_more(self) -> None:
        show_help(TOUR[self.stack.currentIndex()].anchor, self.parentWidget())

    def _remember(self, _result: int) -> None:
        set_tour_done(self.dont_show.isChecked())

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)


def offer_tour(parent: QWidget) -> TourDialog | None:
    """The tour on first start (until someone closes it with 'do not show again' ticked)."""
    if tour_done():
        return None
    dialog = TourDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


# == the main window's Help menu ==============================================================


@dataclass
class HelpActions:
    guide: QAction
    shortcuts: QAction
    tour: QAction


def add_help_actions(window: QMainWindow) -> HelpActions:
    """User guide (F1, at the part for the current screen), Keyboard shortcuts and the tour,
    as window actions; the caller puts them in its Help menu."""
    guide = QAction(icon("help"), "&User guide", window)
    guide.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    guide.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    guide.setToolTip("Open the user guide at the part about this screen (F1)")
    guide.triggered.connect(lambda: show_help(anchor_for(window), window))
    shortcuts = QAction("&Keyboard shortcuts", window)
    shortcuts.triggered.connect(lambda: _open_shortcuts(window))
    tour = QAction("Quick &tour", window)
    tour.triggered.connect(lambda: TourDialog(window).open())
    for action in (guide, shortcuts, tour):
        window.addAction(action)
    return HelpActions(guide, shortcuts, tour)


def _open_shortcuts(window: QMainWindow) -> ShortcutsDialog:
    dialog = ShortcutsDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
