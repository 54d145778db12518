"""Look and feel: the Fusion style with a calm light and a calm dark palette.

The palette follows the system colour scheme (``QStyleHints.colorScheme()``) and switches when the
system switches, unless the user picked light or dark. Every text/background pair used here has
a WCAG contrast ratio of at least 4.5:1 (the tests check it). A small style sheet
(resources/styles/app.qss) adds headings, muted captions, badges and banners; widgets opt in with
``set_style_role(widget, "heading")``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from btam_desktop.ui.resources import resource_path

STYLE_ROLE_PROPERTY = "btamRole"
_TOKEN = re.compile(r"@([a-z_]+)@")

Group = QPalette.ColorGroup
Role = QPalette.ColorRole


@dataclass(frozen=True)
class ThemeColors:
    """Colours beyond the QPalette roles, for the style sheet and custom-painted widgets."""

    dark: bool
    muted_fg: str
    border: str
    tooltip_bg: str
    tooltip_fg: str
    badge_bg: str
    badge_fg: str
    info_bg: str
    info_fg: str
    info_border: str
    warning_bg: str
    warning_fg: str
    warning_border: str
    danger_bg: str
    danger_fg: str
    danger_border: str
    # Password meter / chart accents: weak, fair, strong, very strong.
    strength: tuple[str, str, str, str]
    track: str
    # Outline of text fields (>= 3:1 against the field) and of the focused one.
    input_border: str
    focus_border: str


LIGHT = ThemeColors(
    dark=False,
    muted_fg="#56606c",
    border="#d5d9df",
    tooltip_bg="#2b3340",
    tooltip_fg="#ffffff",
    badge_bg="#e3e7ec",
    badge_fg="#1d2530",
    info_bg="#e7f0fa",
    info_fg="#0c3761",
    info_border="#9dbfe3",
    warning_bg="#fff3cd",
    warning_fg="#4a3500",
    warning_border="#d9b23f",
    danger_bg="#b42318",
    danger_fg="#ffffff",
    danger_border="#8f1c13",
    strength=("#c0392b", "#c77700", "#2e7d32", "#1b5e20"),
    track="#dde1e6",
    input_border="#8a929c",
    focus_border="#2b5f8e",
)

DARK = ThemeColors(
    dark=True,
    muted_fg="#a3acb7",
    border="#3a4049",
    tooltip_bg="#e3e7ec",
    tooltip_fg="#1d2530",
    badge_bg="#353b44",
    badge_fg="#e3e7ec",
    info_bg="#17324d",
    info_fg="#dcebfa",
    info_border="#2f5b86",
    warning_bg="#3d3000",
    warning_fg="#ffe8a3",
    warning_border="#7a6212",
    danger_bg="#b42318",
    danger_fg="#ffffff",
    danger_border="#e0584d",
    strength=("#f07167", "#f5a524", "#5cc46a", "#8fdc9a"),
    track="#444b55",
    input_border="#7d8692",
    focus_border="#7fb2e5",
)

# (role, active/inactive colour, disabled colour or None for the same)
_LIGHT_ROLES: dict[QPalette.ColorRole, tuple[str, str | None]] = {
    Role.Window: ("#f4f5f7", None),
    Role.WindowText: ("#1d2530", "#8a929c"),
    Role.Base: ("#ffffff", "#f4f5f7"),
    Role.AlternateBase: ("#f0f2f5", None),
    Role.Text: ("#1d2530", "#8a929c"),
    Role.PlaceholderText: ("#5d6876", "#9aa1aa"),
    Role.Button: ("#eceef1", None),
    Role.ButtonText: ("#1d2530", "#8a929c"),
    Role.BrightText: ("#ffffff", None),
    Role.Highlight: ("#2b5f8e", "#c9ced5"),
    Role.HighlightedText: ("#ffffff", "#5d6876"),
    Role.Accent: ("#2b5f8e", "#c9ced5"),
    Role.Link: ("#1f5c99", "#8a929c"),
    Role.LinkVisited: ("#5a3e8c", "#8a929c"),
    Role.ToolTipBase: ("#2b3340", None),
    Role.ToolTipText: ("#ffffff", None),
    Role.Light: ("#ffffff", None),
    Role.Midlight: ("#e3e6ea", None),
    Role.Mid: ("#b8bec6", None),
    Role.Dark: ("#8a929c", None),
    Role.Shadow: ("#4a5260", None),
}

_DARK_ROLES: dict[QPalette.ColorRole, tuple[str, str | None]] = {
    Role.Window: ("#1f2329", None),
    Role.WindowText: ("#e3e7ec", "#6c747f"),
    Role.Base: ("#2a2f36", "#23272d"),
    Role.AlternateBase: ("#30353d", None),
    Role.Text: ("#e3e7ec", "#6c747f"),
    Role.PlaceholderText: ("#9aa4b0", "#5d6570"),
    Role.Button: ("#353b44", None),
    Role.ButtonText: ("#e3e7ec", "#6c747f"),
    Role.BrightText: ("#ffffff", None),
    Role.Highlight: ("#3d6f9f", "#30353d"),
    Role.HighlightedText: ("#ffffff", "#6c747f"),
    Role.Accent: ("#3d6f9f", "#30353d"),
    Role.Link: ("#8ab8e8", "#6c747f"),
    Role.LinkVisited: ("#b9a0e0", "#6c747f"),
    Role.ToolTipBase: ("#e3e7ec", None),
    Role.ToolTipText: ("#1d2530", None),
    Role.Light: ("#3a4049", None),
    Role.Midlight: ("#30353d", None),
    Role.Mid: ("#4a515b", None),
    Role.Dark: ("#111316", None),
    Role.Shadow: ("#000000", None),
}


def build_palette(dark: bool) -> QPalette:
    """The light or the dark application palette."""
    palette = QPalette()
    for role, (normal, disabled) in (_DARK_ROLES if dark else _LIGHT_ROLES).items():
        for group in (Group.Active, Group.Inactive):
            palette.setColor(group, role, QColor(normal))
        palette.setColor(Group.Disabled, role, QColor(disabled or normal))
    return palette


def theme_colors(dark: bool) -> ThemeColors:
    return DARK if dark else LIGHT


def current_colors() -> ThemeColors:
    """The extra colours matching the palette currently in use."""
    return theme_colors(is_dark())


@cache
def _stylesheet_template() -> str:
    return resource_path("styles", "app.qss").read_text(encoding="utf-8")


def build_stylesheet(dark: bool) -> str:
    """app.qss with its @token@ placeholders filled; KeyError names an unknown token."""
    tokens = {key: value for key, value in asdict(theme_colors(dark)).items()}

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in tokens:
            raise KeyError(f"app.qss uses unknown colour token @{name}@")
        return str(tokens[name])

    return _TOKEN.sub(substitute, _stylesheet_template())


def relative_luminance(color: QColor | str) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black .. 1 white)."""
    qcolor = QColor(color)

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(qcolor.redF())
        + 0.7152 * channel(qcolor.greenF())
        + 0.0722 * channel(qcolor.blueF())
    )


def contrast_ratio(foreground: QColor | str, background: QColor | str) -> float:
    """WCAG 2 contrast ratio, 1.0 .. 21.0; text needs 4.5 or more."""
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def level_text_color(bg_hex: str) -> str:
    """Black or white, whichever reads better on a level colour chip."""
    on_black = contrast_ratio("#000000", bg_hex)
    on_white = contrast_ratio("#ffffff", bg_hex)
    return "#ffffff" if on_white >= on_black else "#000000"


def is_dark(app: QGuiApplication | None = None) -> bool:
    """True when the palette in use has a dark window background."""
    palette = QGuiApplication.palette() if app is None else app.palette()
    return relative_luminance(palette.color(Group.Active, Role.Window)) < 0.5


def set_style_role(widget: QWidget, role: str | None) -> None:
    """Give a widget a style-sheet role ("heading", "muted", "badge", "danger-banner", ...)."""
    if (widget.property(STYLE_ROLE_PROPERTY) or "") == (role or ""):
        return
    widget.setProperty(STYLE_ROLE_PROPERTY, role or "")
    if not widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        return  # styled when first shown
    # Re-polishing alone restyles colours but not the box (a banner's padding stayed 0): a
    # changed widget style sheet makes Qt work the whole rule out again. The sheet is restored.
    sheet = widget.styleSheet()
    widget.setStyleSheet(f"{sheet} ")
    widget.setStyleSheet(sheet)
    widget.update()


class ThemeController(QObject):
    """Keeps the palette in step with the system colour scheme or the user's choice."""

    theme_changed = Signal(bool)  # dark

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._preference = Qt.ColorScheme.Unknown  # Unknown = follow the system
        self._dark: bool | None = None
        app.styleHints().colorSchemeChanged.connect(self._on_system_scheme_changed)

    @property
    def preference(self) -> Qt.ColorScheme:
        return self._preference

    @property
    def dark(self) -> bool:
        return bool(self._dark)

    def set_preference(self, scheme: Qt.ColorScheme) -> None:
        """Light, Dark, or Unknown to follow the system."""
        self._preference = scheme
        if scheme == Qt.ColorScheme.Unknown:
            self._apply(self._app.styleHints().colorScheme() == Qt.ColorScheme.Dark)
        else:
            self._apply(scheme == Qt.ColorScheme.Dark)

    @Slot(Qt.ColorScheme)
    def _on_system_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self._preference == Qt.ColorScheme.Unknown:
            self._apply(scheme == Qt.ColorScheme.Dark)

    def _apply(self, dark: bool) -> None:
        self._app.setPalette(build_palette(dark))
        self._app.setStyleSheet(build_stylesheet(dark))
        if dark != self._dark:
            self._dark = dark
            self.theme_changed.emit(dark)


def theme_controller(app: QApplication) -> ThemeController | None:
    """The controller apply_theme installed on app, if any."""
    return app.findChild(ThemeController)


def apply_theme(
    app: QApplication, scheme: Qt.ColorScheme = Qt.ColorScheme.Unknown
) -> ThemeController:
    """Fusion style plus the palette for ``scheme`` (Unknown: follow the system, live).

    Calling it again (e.g. from the settings dialog) reuses the same controller.
    """
    app.setStyle("Fusion")
    controller = theme_controller(app) or ThemeController(app)
    controller.set_preference(scheme)
    return controller
