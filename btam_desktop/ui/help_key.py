"""F1 for a window, without loading the guide until F1 is pressed.

The start window installs this before its first paint; ``ui.help`` (the guide's window, its
printing support and the tour) loads only when someone asks for help.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

LOCKED_ANCHOR = "locked-out"


def install_f1(widget: QWidget, anchor: Callable[[], str]) -> QShortcut:
    """F1 on ``widget`` (and its children) opens the guide at ``anchor()``."""
    shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents), widget)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(lambda: _open_guide(anchor(), widget))
    return shortcut


def _open_guide(anchor: str, widget: QWidget) -> None:
    from btam_desktop.ui.help import show_help

    show_help(anchor, widget)
