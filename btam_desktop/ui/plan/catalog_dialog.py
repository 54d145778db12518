"""Choose interventions from a catalog (a form definition of kind "catalog").

Each section of a catalog is a strategy type (its id: subject, target, environment,
precipitating) with one checklist item whose choices are the interventions. The dialog lists
them grouped by strategy with the section's guidance; tick as many as fit and they are added to
the plan with their strategy and a reference to the catalog entry.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.formatting import plural
from btam_desktop.domain.forms import FormDefinition
from btam_desktop.services.plans import Strategy
from btam_desktop.ui.case_tabs.common import muted_label
from btam_desktop.ui.plan.intervention_model import InterventionRow
from btam_desktop.ui.screen_fit import resize_to_fit
from btam_desktop.ui.theme import set_style_role

REF_ROLE = Qt.ItemDataRole.UserRole + 30
STRATEGY_ROLE = Qt.ItemDataRole.UserRole + 31
HELP_ROLE = Qt.ItemDataRole.UserRole + 32


def catalog_ref(form: FormDefinition, choice_id: str) -> str:
    """How a plan item points back at its catalog entry."""
    return f"{form.id}#{choice_id}"


def pick_catalog(catalogs: Sequence[FormDefinition], setting: str) -> int:
    """Index of the catalog for the case's setting (school, workplace, …), else the first."""
    for position, form in enumerate(catalogs):
        if form.setting == setting:
            return position
    return 0


class CatalogDialog(QDialog):
    """Tick interventions from a catalog; ``chosen_rows()`` after accept."""

    def __init__(
        self,
        catalogs: Sequence[FormDefinition],
        setting: str,
        existing_refs: set[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add interventions from the catalog")
        self._catalogs = list(catalogs)
        self._existing = set(existing_refs)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)

        top = QHBoxLayout()
        caption = QLabel("&Catalog:")
        self.catalog_box = QComboBox()
        self.catalog_box.setAccessibleName("Catalog")
        caption.setBuddy(self.catalog_box)
        for form in self._catalogs:
            self.catalog_box.addItem(form.title, form.id)
        top.addWidget(caption)
        top.addWidget(self.catalog_box, 1)
        layout.addLayout(top)
        self.summary = muted_label("")
        layout.addWidget(self.summary)

        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Interventions in the catalog")
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 2px; }")
        self.tree.itemChanged.connect(self._update_count)
        self.tree.currentItemChanged.connect(self._show_help)
        self.tree.itemDoubleClicked.connect(self._toggle)
        layout.addWidget(self.tree, 1)

        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setTextFormat(Qt.TextFormat.PlainText)
        self.help.setAccessibleName("About the selected group")
        self.help.setMinimumHeight(self.fontMetrics().lineSpacing() * 3 + 20)
        set_style_role(self.help, "info-banner")
        layout.addWidget(self.help)
        self.disclaimer = muted_label("")
        layout.addWidget(self.disclaimer)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.add_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setDefault(True)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.catalog_box.currentIndexChanged.connect(self._fill)
        self.catalog_box.setCurrentIndex(pick_catalog(self._catalogs, setting))
        self.catalog_box.setVisible(len(self._catalogs) > 1)
        caption.setVisible(len(self._catalogs) > 1)
        self._fill()
        resize_to_fit(self, 680, 640)
        self.tree.setFocus()

    def catalog(self) -> FormDefinition | None:
        position = self.catalog_box.currentIndex()
        return self._catalogs[position] if 0 <= position < len(self._catalogs) else None

    def _fill(self, *_args: object) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        form = self.catalog()
        if form is None:
            self.summary.setText("No intervention catalog is installed.")
            self.tree.blockSignals(False)
            self._update_count()
            return
        self.summary.setText(form.summary)
        self.summary.setVisible(bool(form.summary))
        self.disclaimer.setText(form.disclaimer)
        bold = QFont(self.tree.font())
        bold.setBold(True)
        first: QTreeWidgetItem | None = None
        for section in form.sections:
            try:
                strategy = Strategy(section.id)
            except ValueError:
                strategy = Strategy.SUBJECT
            group = QTreeWidgetItem([f"{section.title}  ({strategy.label})"])
            group.setFont(0, bold)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setData(0, HELP_ROLE, section.guidance.strip())
            group.setToolTip(0, section.guidance.strip())
            self.tree.addTopLevelItem(group)
            for item in section.items:
                for choice in getattr(item, "choices", ()):
                    ref = catalog_ref(form, choice.id)
                    label = choice.label
                    child = QTreeWidgetItem([label])
                    child.setFlags(
                        Qt.ItemFlag.ItemIsEnabled
                        | Qt.ItemFlag.ItemIsSelectable
                        | Qt.ItemFlag.ItemIsUserCheckable
                    )
                    child.setCheckState(0, Qt.CheckState.Unchecked)
                    child.setData(0, REF_ROLE, ref)
                    child.setData(0, STRATEGY_ROLE, strategy.value)
                    about = choice.help.strip() or section.guidance.strip()
                    if ref in self._existing:
                        child.setText(0, f"{label}  (already in the plan)")
                        about = "Already in the plan. " + about
                    child.setData(0, HELP_ROLE, about)
                    child.setToolTip(0, about)
                    group.addChild(child)
                    first = first or child
        self.tree.expandAll()
        self.tree.blockSignals(False)
        if first is not None:
            self.tree.setCurrentItem(first)
        self._update_count()

    def _items(self) -> list[QTreeWidgetItem]:
        found = []
        iterator = QTreeWidgetItemIterator(self.tree)
        while iterator.value():
            item = iterator.value()
            if item.data(0, REF_ROLE):
                found.append(item)
            iterator += 1
        return found

    def checked_items(self) -> list[QTreeWidgetItem]:
        return [i for i in self._items() if i.checkState(0) == Qt.CheckState.Checked]

    def set_checked(self, refs: Sequence[str]) -> None:
        wanted = set(refs)
        for item in self._items():
            if item.data(0, REF_ROLE) in wanted:
                item.setCheckState(0, Qt.CheckState.Checked)

    def chosen_rows(self) -> list[InterventionRow]:
        rows = []
        for item in self.checked_items():
            text = item.text(0).replace("  (already in the plan)", "")
            rows.append(
                InterventionRow.new(
                    title=text,
                    strategy=Strategy(item.data(0, STRATEGY_ROLE)),
                    catalog_ref=str(item.data(0, REF_ROLE)),
                )
            )
        return rows

    def _toggle(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            checked = item.checkState(0) == Qt.CheckState.Checked
            item.setCheckState(0, Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _show_help(self, current: QTreeWidgetItem | None, _previous: object = None) -> None:
        text = current.data(0, HELP_ROLE) if current is not None else ""
        self.help.setText(str(text or "Tick the interventions that fit this case."))

    def _update_count(self, *_args: object) -> None:
        count = len(self.checked_items())
        self.add_button.setEnabled(count > 0)
        text = "Add" if count == 0 else f"&Add {plural(count, 'intervention')}"
        self.add_button.setText(text)
        self.add_button.setAccessibleName(text.replace("&", ""))
        self.add_button.setToolTip("" if count else "Tick at least one intervention.")
