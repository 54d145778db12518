"""The "Forms and guides" page: every form, guide and level scale the program knows, built-in
and the team's own, each readable (and printable) on its own for training and for the meeting
table; and the problems of the team's form files that could not be loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QHeaderView,
    QListWidget,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.forms import (
    LANGUAGE_NAMES,
    FormDefinition,
    FormProblem,
    FormRegistry,
    LevelScale,
)
from btam_desktop.domain.forms.schema import NumberItem, RatingItem
from btam_desktop.domain.forms.wording import describe_condition, number_hint
from btam_desktop.domain.workflow import WorkflowAction
from btam_desktop.services.app import Btam
from btam_desktop.services.scales import registry, reload_registry
from btam_desktop.ui.icons import icon
from btam_desktop.ui.messages import error_message, is_user_error, not_loaded
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import current_colors
from btam_desktop.ui.vault_events import RefreshOnChange, VaultChange
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.flow import FlowLayout
from btam_desktop.ui.widgets.level import LEVEL_COLOR_ROLE, LevelDelegate
from btam_desktop.ui.wizard.render import document_css
from btam_desktop.ui.wizard.util import (
    FLAG_LABELS,
    KIND_TITLES,
    SETTING_NAMES,
    badge_colors,
    badge_html,
    esc,
    guidance_html,
    level_chip_html,
    numbered,
    role_label,
)

KEY_ROLE = Qt.ItemDataRole.UserRole + 5
COLUMNS = ("Title", "Version", "Origin", "Id", "Hash")
ORIGIN_COLUMN = COLUMNS.index("Origin")
HASH_PREFIX = 12
KIND_ORDER = ("intake", "screening", "assessment", "interview", "checklist", "catalog", "scale")

BOX = "☐"
SOURCE_NOTE = (
    "Note where this comes from (interview, records, social media, law enforcement, "
    "observation, report, other) and how reliable it is (confirmed, probable, possible, "
    "doubtful, unknown)."
)
CIRCLE = "○"
FORMS_REMEDY = "Click Reload forms to try again."


@dataclass(frozen=True)
class FormsData:
    registry: FormRegistry
    forms_dir: str


# ---- the guide -------------------------------------------------------------------------------


def _muted(text: str) -> str:
    return f'<span style="color:{current_colors().muted_fg};">{text}</span>'


def _answer_format(item: object) -> str:
    kind = getattr(item, "type", "")
    if kind == "yes_no_unknown":
        return f"<p>{BOX} Yes &nbsp;&nbsp; {BOX} No &nbsp;&nbsp; {BOX} Unknown</p>"
    if kind in ("single_choice", "multiple_choice", "checklist"):
        mark = CIRCLE if kind == "single_choice" else BOX
        lines = []
        for choice in getattr(item, "options", ()):
            flags = [k for k in FLAG_LABELS if getattr(choice, k)]
            extra = "".join(" " + badge_html(FLAG_LABELS[k], k) for k in flags)
            help_text = f"<br>{_muted(esc(choice.help))}" if choice.help else ""
            lines.append(f"<li>{mark} {esc(choice.label)}{extra}{help_text}</li>")
        note = "one answer" if kind == "single_choice" else "tick all that apply"
        if kind == "checklist":
            note = "tick each one when done"
        return f'<p>{_muted(note)}</p><ul style="list-style-type: none;">{"".join(lines)}</ul>'
    if kind == "short_text":
        return f"<p>{_muted('A short answer: ______________________________')}</p>"
    if kind == "long_text":
        return f"<p>{_muted('A written answer, in full sentences; quote exact words.')}</p>"
    if kind == "date":
        return f"<p>{_muted('Date: ____ / ____ / ________')}</p>"
    if isinstance(item, NumberItem):
        unit = f" in {item.unit}" if item.unit else ""
        hint = number_hint(item)
        text = f"A number{unit}" + (f" ({hint})" if hint else "")
        return f"<p>{_muted(esc(text) + ': ________')}</p>"
    if isinstance(item, RatingItem):
        points = []
        for point in range(item.min, item.max + 1):
            named = item.label_for(point)
            points.append(f"{BOX} {point}" + (f" ({esc(named)})" if named else ""))
        return f"<p>{' &nbsp; '.join(points)}</p>"
    return ""


def form_guide_html(form: FormDefinition, scale: LevelScale | None) -> str:
    """A form as a readable guide: what it is, then each section's guidance and questions."""
    parts = [f"<h1>{esc(form.title)}</h1>"]
    origin = "built-in" if form.builtin else "your team's own form"
    setting = SETTING_NAMES.get(form.setting, form.setting)
    facts = (
        f"{KIND_TITLES.get(form.kind, form.kind)} · {form.id} · version {form.version} · "
        f"{origin} · for {setting}"
    )
    parts.append(f"<p>{_muted(esc(facts))}</p>")
    if form.summary:
        parts.append(f"<p>{esc(form.summary)}</p>")
    colors = current_colors()
    parts.append(
        f'<table width="100%" cellpadding="8" style="background-color:{colors.info_bg}; '
        f'color:{colors.info_fg};"><tr><td>{esc(form.disclaimer)}</td></tr></table>'
    )
    if form.follows:
        parts.append("<h3>Follows</h3><ul>")
        parts.extend(f"<li>{esc(f)}</li>" for f in form.follows)
        parts.append("</ul>")
    if form.license:
        parts.append(f"<h3>Licence</h3><p>{esc(form.license)}</p>")
    if scale is not None:
        parts.append(
            f"<p><b>Level scale:</b> {esc(scale.title)} "
            + " ".join(level_chip_html(level.label, level.color) for level in scale.levels)
            + "</p>"
        )

    for number, section in enumerate(form.sections, start=1):
        parts.append(f"<h2>{esc(numbered(number, section.title))}</h2>")
        if section.show_if is not None:
            when = describe_condition(form, section.show_if)
            parts.append(f"<p>{_muted(f'<i>This section is used only when {esc(when)}.</i>')}</p>")
        if section.guidance.strip():
            parts.append(guidance_html(section.guidance))
        for q_number, item in enumerate(section.items, start=1):
            marks = []
            if item.required:
                marks.append(badge_html("Required", "required"))
            marks.extend(badge_html(FLAG_LABELS[f], f) for f in item.flags)
            parts.append(
                f'<p style="margin-top:12px;"><b>{q_number}. {esc(item.label)}</b> '
                f"{' '.join(marks)}</p>"
            )
            if item.help:
                parts.append(f"<p>{_muted('<i>' + esc(item.help) + '</i>')}</p>")
            if item.show_if is not None:
                when = describe_condition(form, item.show_if)
                parts.append(f"<p>{_muted(f'Asked only when {esc(when)}.')}</p>")
            parts.append(_answer_format(item))
            if item.ask_source:
                parts.append(f"<p>{_muted(SOURCE_NOTE)}</p>")

    if form.suggests_level:
        parts.append("<h2>How this form suggests a level of concern</h2>")
        parts.append(
            "<p>The rules are tried from the top; the first that holds gives the suggestion. "
            "The team decides, and writes why when it decides differently.</p><ol>"
        )

        def level_name(code: str) -> str:
            if scale is not None and scale.has_level(code):
                level = scale.level(code)
                return level_chip_html(level.label, level.color)
            return esc(code)

        for rule in form.rules:
            note = f" {_muted(esc(rule.note))}" if rule.note else ""
            parts.append(
                f"<li>{level_name(rule.level)} when {esc(describe_condition(form, rule.when))}."
                f"{note}</li>"
            )
        parts.append("</ol>")
        if form.default_level:
            parts.append(f"<p>Otherwise: {level_name(form.default_level)}.</p>")
    if form.outcome is not None:
        decision = form.item(form.outcome.decision_item)
        parts.append("<h2>What the decision does to the case</h2><ul>")
        for mapping in form.outcome.actions:
            choice = decision.choice(mapping.choice)
            label = choice.label if choice is not None else mapping.choice
            action = WorkflowAction(mapping.action).label
            parts.append(f"<li>{esc(label)} → {esc(action)}</li>")
        parts.append("</ul>")
    return "".join(parts)


def scale_guide_html(scale: LevelScale) -> str:
    parts = [f"<h1>{esc(scale.title)}</h1>"]
    origin = "built-in" if scale.builtin else "your team's own scale"
    facts = f"Level-of-concern scale · {scale.id} · version {scale.version} · {origin}"
    parts.append(f"<p>{_muted(esc(facts))}</p>")
    if scale.summary:
        parts.append(f"<p>{esc(scale.summary)}</p>")
    if scale.follows:
        parts.append("<h3>Follows</h3><ul>")
        parts.extend(f"<li>{esc(f)}</li>" for f in scale.follows)
        parts.append("</ul>")
    parts.append("<h2>Levels, from the lowest to the highest</h2>")
    for level in scale.levels:
        parts.append(
            f'<p style="margin-top:12px;">{level_chip_html(level.label, level.color)} '
            f"{_muted('code in rules: ' + esc(level.code))}</p>"
        )
        if level.description:
            parts.append(f"<p>{esc(level.description)}</p>")
        if level.retire_needs_justification:
            parts.append(
                f"<p>{_muted('Closing a case at this level needs a written justification.')}</p>"
            )
    return "".join(parts)


# ---- the page ----------------------------------------------------------------------------------


def follows_forms(change: VaultChange) -> bool:
    """The change this page shows: the form files read again by another screen. (The forms
    come from files, not from records: no other change alters them.)"""
    return change.kind == "forms"


def load_forms(app: Btam, reload: bool = False) -> FormsData:
    forms = reload_registry(app.ctx) if reload else registry(app.ctx)
    return FormsData(forms, str(app.vault.forms_dir))


class FormsPage(QWidget):
    """Every form and scale, grouped by kind; the selected one as a readable guide."""

    loaded = Signal()

    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.data: FormsData | None = None
        self._loading = False
        self._load_pending = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(role_label("Forms and guides", "heading"))
        titles.addWidget(
            role_label(
                "Every form, interview guide, checklist and level scale the program uses. Select "
                "one to read it, or print it for training and for the team's meeting table. "
                "Your team adds its own forms by putting their files in the team's forms folder.",
                "muted",
            )
        )
        layout.addLayout(titles)
        # The language filter and the buttons wrap at 1024 px instead of widening the window.
        top = FlowLayout(spacing=8)
        self.language_box = QComboBox(self)
        self.language_box.setAccessibleName("Language of the forms listed")
        self.language_box.setToolTip("Show the forms written in one language, or in all")
        self.language_box.addItem("All languages", "")
        for code, name in LANGUAGE_NAMES.items():
            self.language_box.addItem(name, code)
        self.language_box.currentIndexChanged.connect(self._language_changed)
        top.addWidget(self.language_box)
        self.folder_button = QPushButton(icon("forms"), "Open the team's &forms folder", self)
        self.folder_button.setToolTip("Where your team's own form files go")
        self.folder_button.clicked.connect(self.open_forms_folder)
        self.reload_button = QPushButton(icon("refresh"), "&Reload forms", self)
        self.reload_button.setToolTip("Read the form files again, after adding or changing one")
        self.reload_button.clicked.connect(self.reload_forms)
        self.print_button = QPushButton(icon("print"), "&Print guide…", self)
        self.print_button.setToolTip("Print the guide shown")
        self.print_button.clicked.connect(self.print_guide)
        self.print_button.setEnabled(False)
        self.checklist_button = QPushButton(icon("pdf"), "Print blank &checklist…", self)
        self.checklist_button.setToolTip("Preview, print or save the selected form, blank")
        self.checklist_button.clicked.connect(self.print_blank_checklist)
        self.checklist_button.setEnabled(False)
        for button in (
            self.folder_button,
            self.reload_button,
            self.print_button,
            self.checklist_button,
        ):
            top.addWidget(button)
        layout.addLayout(top)

        self.problems_box = QFrame(self)
        problems_layout = QVBoxLayout(self.problems_box)
        problems_layout.setContentsMargins(0, 0, 0, 0)
        problems_layout.setSpacing(4)
        self.problems_banner = Banner(BannerKind.WARNING, "", self.problems_box)
        problems_layout.addWidget(self.problems_banner)
        self.problems_list = QListWidget(self.problems_box)
        self.problems_list.setAccessibleName("Problems with form files")
        self.problems_list.setWordWrap(True)
        problems_layout.addWidget(self.problems_list)
        self.problems_box.hide()
        layout.addWidget(self.problems_box)

        self.error_banner = Banner(BannerKind.WARNING, "", self)
        self.error_banner.hide()
        layout.addWidget(self.error_banner)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        self.tree = QTreeWidget(splitter)
        self.tree.setAccessibleName("Forms and scales")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setItemDelegateForColumn(ORIGIN_COLUMN, LevelDelegate(self.tree))
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((265, 50, 110, 175, 100)):
            header.resizeSection(column, width)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.tree.setMinimumWidth(380)

        self.guide = QTextBrowser(splitter)
        self.guide.setAccessibleName("Guide")
        self.guide.setOpenLinks(False)
        self.guide.document().setDefaultStyleSheet(document_css())
        self.guide.setMinimumWidth(380)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.guide)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([700, 560])
        layout.addWidget(splitter, 1)

        self.refresh()
        # The form files read again elsewhere.
        self.follow_changes = RefreshOnChange(self, self.refresh, wants=follows_forms)

    # ---- loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._load(reload=False)

    def reload_forms(self) -> None:
        """Read every form file again (the team changed its forms folder). The other screens
        that offer forms or scales hear of it (``VaultChange("forms")``)."""
        self._load(reload=True)

    def _load(self, *, reload: bool) -> None:
        if self._loading:
            self._load_pending = True
            return
        self._loading = True
        self.reload_button.setEnabled(False)
        work = partial(load_forms, self.app, reload)
        if reload:
            run_operation(
                self,
                work,
                what="read the form files",
                on_done=self._loaded,
                on_error=self._failed,
                changes=VaultChange("forms", origin=self),
            )
        else:
            run_in_background(work, on_done=self._loaded, on_error=self._failed, parent=self)

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self._load_pending = False
        self.reload_button.setEnabled(True)
        if is_user_error(error):
            text = f"The forms cannot be read. {error}"
        else:  # reading saves nothing: not the wording of a failed save
            text = error_message(
                error, not_loaded("the forms", FORMS_REMEDY), during="the forms page"
            )
        self.error_banner.set_text(text)
        self.error_banner.show()

    def _loaded(self, data: FormsData) -> None:
        self._loading = False
        self.reload_button.setEnabled(True)
        self.error_banner.hide()
        self.data = data
        keep = self.selected_key()
        self._fill_tree(data.registry)
        self._show_problems(data.registry.problems)
        if keep is None or not self.select_key(keep):
            self.select_key(("form", "btam.screening", ""))
        self.loaded.emit()
        if self._load_pending:  # the forms were read again elsewhere meanwhile
            self._load_pending = False
            self.refresh()

    def _fill_tree(self, loaded: FormRegistry) -> None:
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for kind in KIND_ORDER:
            group = QTreeWidgetItem([KIND_TITLES.get(kind, kind)])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            groups[kind] = group
        language = str(self.language_box.currentData() or "")
        for form in loaded.forms(all_versions=True):
            if language and form.language != language:
                continue
            row = self._row(form.title, form.version, form.builtin, form.id, form.content_hash)
            row.setData(0, KEY_ROLE, ("form", form.id, form.version))
            row.setToolTip(0, form.summary or form.title)
            groups[form.kind].addChild(row)
        for scale in loaded.scales():
            row = self._row(scale.title, scale.version, scale.builtin, scale.id, scale.content_hash)
            row.setData(0, KEY_ROLE, ("scale", scale.id, ""))
            groups["scale"].addChild(row)
        for kind in KIND_ORDER:
            group = groups[kind]
            if group.childCount():
                group.setText(0, f"{KIND_TITLES.get(kind, kind)} ({group.childCount()})")
                self.tree.addTopLevelItem(group)
                group.setExpanded(True)
                group.setFirstColumnSpanned(True)

    def _language_changed(self, _index: int) -> None:
        if self.data is None:
            return
        keep = self.selected_key()
        self._fill_tree(self.data.registry)
        if keep is None or not self.select_key(keep):
            group = self.tree.topLevelItem(0)
            first = group.child(0) if group is not None else None
            if first is not None:
                self.tree.setCurrentItem(first)

    def _row(
        self, title: str, version: str, builtin: bool, ident: str, content_hash: str
    ) -> QTreeWidgetItem:
        origin = "Built-in" if builtin else "Team's own"
        row = QTreeWidgetItem([title, version, origin, ident, content_hash[:HASH_PREFIX]])
        background, _foreground = badge_colors("builtin" if builtin else "custom")
        row.setData(ORIGIN_COLUMN, LEVEL_COLOR_ROLE, background)
        row.setToolTip(
            ORIGIN_COLUMN,
            "Shipped with the program" if builtin else "From your team's forms folder",
        )
        row.setToolTip(COLUMNS.index("Hash"), f"Content hash (SHA-256): {content_hash}")
        return row

    def _show_problems(self, problems: list[FormProblem]) -> None:
        self.problems_list.clear()
        if not problems:
            self.problems_box.hide()
            return
        files = {p.path for p in problems}
        count = len(files)
        self.problems_banner.set_text(
            f"{count} form file{'s' if count != 1 else ''} in the forms folder could not be "
            f"loaded. {'They are' if count != 1 else 'It is'} not offered anywhere until fixed. "
            "Fix the problem named below, save the file, then choose Reload forms."
        )
        for problem in problems:
            self.problems_list.addItem(str(problem))
            entry = self.problems_list.item(self.problems_list.count() - 1)
            if problem.path is not None:
                entry.setToolTip(str(problem.path))
        rows = min(self.problems_list.count(), 5)
        row_height = self.problems_list.sizeHintForRow(0) if rows else 0
        self.problems_list.setFixedHeight(
            rows * row_height + 2 * self.problems_list.frameWidth() + 4
        )
        self.problems_box.show()

    # ---- selection --------------------------------------------------------------------------

    def rows(self) -> list[tuple[str, ...]]:
        """(kind group, title, version, origin, id, hash) of every listed entry."""
        found = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            if group is None:
                continue
            for c in range(group.childCount()):
                row = group.child(c)
                if row is None:
                    continue
                found.append((group.text(0), *(row.text(i) for i in range(len(COLUMNS)))))
        return found

    def problem_texts(self) -> list[str]:
        if self.problems_box.isHidden():
            return []
        return [self.problems_list.item(i).text() for i in range(self.problems_list.count())]

    def selected_key(self) -> tuple[str, str, str] | None:
        current = self.tree.currentItem()
        if current is None:
            return None
        key = current.data(0, KEY_ROLE)
        if not key:
            return None
        what, ident, version = key
        return str(what), str(ident), str(version)

    def select_key(self, key: tuple[str, str, str]) -> bool:
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            if group is None:
                continue
            for c in range(group.childCount()):
                row = group.child(c)
                stored = row.data(0, KEY_ROLE) if row is not None else None
                if (
                    row is not None
                    and stored
                    and (tuple(stored) == key or (not key[2] and tuple(stored)[:2] == key[:2]))
                ):
                    self.tree.setCurrentItem(row)
                    return True
        return False

    def guide_text(self) -> str:
        return self.guide.toPlainText()

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        key = current.data(0, KEY_ROLE) if current is not None else None
        if not key or self.data is None:
            self.guide.clear()
            self.print_button.setEnabled(False)
            self.checklist_button.setEnabled(False)
            return
        what, ident, version = key
        loaded = self.data.registry
        if what == "scale":
            html = scale_guide_html(loaded.scale(ident))
        else:
            form = loaded.form(ident, version or None)
            scale = None
            if form.scale:
                try:
                    scale = loaded.scale(form.scale)
                except KeyError:
                    scale = None
            html = form_guide_html(form, scale)
        self.guide.setHtml(html)
        self.print_button.setEnabled(True)
        self.checklist_button.setEnabled(what != "scale")

    # ---- actions ----------------------------------------------------------------------------

    def open_forms_folder(self) -> None:
        folder = self.app.vault.forms_dir
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.error_banner.set_text(
                f"The forms folder cannot be created ({error.strerror or 'no access'})."
            )
            self.error_banner.show()
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def print_blank_checklist(self) -> None:
        """Preview, print or save the selected form as a blank checklist (ui/printing.py)."""
        key = self.selected_key()
        if key is None or key[0] == "scale" or self.data is None:
            return
        from btam_desktop.ui.printing import preview_blank_checklist

        form = self.data.registry.form(key[1], key[2] or None)
        preview_blank_checklist(self.app, form.id, self, form.version, form.title)

    def print_guide(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the guide")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.guide.document().print_(printer)
