"""Opening sizes that fit the screen: a dialog asks for its comfortable size and gets at most
what the screen it opens on can show (a 1366×768 laptop at 125% has about 1092×614 points)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

FALLBACK = QSize(1092, 614)  # when no screen is known yet
WIDTH_SHARE, HEIGHT_SHARE = 0.96, 0.92  # leave room for the title bar and the taskbar


def available_size(widget: QWidget) -> QSize:
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry().size() if screen is not None else FALLBACK


def resize_to_fit(widget: QWidget, width: int, height: int) -> None:
    """Resize to ``width``×``height``, shrunk to fit the available screen."""
    room = available_size(widget)
    widget.resize(
        min(width, int(room.width() * WIDTH_SHARE)), min(height, int(room.height() * HEIGHT_SHARE))
    )
