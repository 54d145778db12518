"""The application's line icons: SVG files in resources/icons, tinted to the current palette.

The SVG files draw with ``stroke="currentColor"``. Qt's SVG renderer does not resolve
currentColor, so the engine below substitutes a concrete colour before rendering: the palette's
window-text colour (dimmed when disabled, highlighted-text when selected). The colour is looked up
at paint time, so icons follow a switch between the light and the dark palette without being
recreated. Rendering happens at the requested size times the device pixel ratio, so icons stay
sharp on high-DPI screens.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
    QPixmapCache,
)
from PySide6.QtSvg import QSvgRenderer

from btam_desktop.ui.resources import icons_dir

_CURRENT_COLOR = b"currentColor"
_DISABLED_ALPHA = 0.45


@cache
def icon_names() -> tuple[str, ...]:
    """Every icon name available, sorted."""
    return tuple(sorted(path.stem for path in icons_dir().glob("*.svg")))


@cache
def svg_source(name: str) -> bytes:
    """The SVG text of an icon; KeyError naming the icon if there is no such icon."""
    if name not in icon_names():
        raise KeyError(f"unknown icon {name!r}")
    return (icons_dir() / f"{name}.svg").read_bytes()


# One renderer per (icon, colour): a handful of colours per palette, so this stays small.
_renderers: dict[tuple[str, int], QSvgRenderer] = {}


def _renderer(name: str, color: QColor) -> QSvgRenderer:
    key = (name, color.rgba())
    renderer = _renderers.get(key)
    if renderer is None:
        tinted = svg_source(name).replace(_CURRENT_COLOR, color.name().encode("ascii"))
        renderer = QSvgRenderer(QByteArray(tinted))
        if not renderer.isValid():
            raise ValueError(f"icon {name!r} is not a valid SVG")
        _renderers[key] = renderer
    return renderer


def _square_in(rect: QRectF) -> QRectF:
    """The largest centred square inside rect: icons keep their aspect ratio."""
    side = min(rect.width(), rect.height())
    return QRectF(
        rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2, side, side
    )


def render_icon(
    name: str, size: QSize, color: QColor | str, device_pixel_ratio: float = 1.0
) -> QPixmap:
    """A transparent pixmap of the icon in one colour, rendered at size x device_pixel_ratio."""
    qcolor = QColor(color)
    scale = max(device_pixel_ratio, 0.1)
    pixmap = QPixmap(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))
    pixmap.fill(Qt.GlobalColor.transparent)
    pixmap.setDevicePixelRatio(scale)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if qcolor.alpha() < 255:
        painter.setOpacity(qcolor.alphaF())
        qcolor.setAlpha(255)
    _renderer(name, qcolor).render(painter, _square_in(QRectF(0, 0, size.width(), size.height())))
    painter.end()
    return pixmap


class SvgIconEngine(QIconEngine):
    """Renders one named icon at whatever size and pixel ratio Qt asks for."""

    def __init__(self, name: str, color: QColor | None = None) -> None:
        super().__init__()
        svg_source(name)  # fail now, with the name, not later at paint time
        self._name = name
        self._fixed_color = QColor(color) if color is not None else None

    def color_for(self, mode: QIcon.Mode) -> QColor:
        """The colour this icon is drawn in for a mode, from the current application palette."""
        if self._fixed_color is not None:
            color = QColor(self._fixed_color)
            if mode == QIcon.Mode.Disabled:
                color.setAlphaF(color.alphaF() * _DISABLED_ALPHA)
            return color
        palette = QGuiApplication.palette()
        if mode == QIcon.Mode.Disabled:
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        if mode == QIcon.Mode.Selected:
            return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)
        return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() else 1.0
        pixmap = self.scaledPixmap(rect.size(), mode, state, scale)
        painter.drawPixmap(rect, pixmap)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        color = self.color_for(mode)
        cache_key = (
            f"btam-icon/{self._name}/{color.rgba():08x}/{size.width()}x{size.height()}@{scale:g}"
        )
        cached = QPixmap()
        if QPixmapCache.find(cache_key, cached) and not cached.isNull():
            return cached
        pixmap = render_icon(self._name, size, color, scale)
        QPixmapCache.insert(cache_key, pixmap)
        return pixmap

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        side = min(size.width(), size.height())
        return QSize(side, side)

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self._name, self._fixed_color)

    def key(self) -> str:
        return "btam-svg"

    def iconName(self) -> str:
        return self._name

    def isNull(self) -> bool:
        return False


def icon(name: str, color: QColor | str | None = None) -> QIcon:
    """The named icon, tinted to the palette (or to ``color``); KeyError for an unknown name."""
    return QIcon(SvgIconEngine(name, QColor(color) if color is not None else None))


def app_icon() -> QIcon:
    """The program's own icon (resources/app): the window, taskbar and dialogs."""
    from btam_desktop.ui.resources import resource_path

    result = QIcon()
    folder = resource_path("app")
    for png in sorted(folder.glob("btam-*.png")):
        result.addFile(str(png))
    result.addFile(str(folder / "btam.svg"))
    return result
