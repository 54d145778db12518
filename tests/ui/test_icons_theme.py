"""Icons render in the palette's colours at any pixel ratio; the theme is readable and follows
the system colour scheme."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from btam_desktop.ui import icons, theme
from btam_desktop.ui.resources import resource_path, resources_dir

REQUIRED_ICONS = [
    "dashboard",
    "cases",
    "case-open",
    "forms",
    "team",
    "settings",
    "lock",
    "unlock",
    "report-concern",
    "search",
    "filter",
    "print",
    "pdf",
    "save",
    "attachment",
    "note",
    "person",
    "people",
    "timeline",
    "level",
    "disclosure",
    "audit",
    "warning",
    "emergency",
    "check",
    "close",
    "add",
    "remove",
    "edit",
    "refresh",
    "calendar",
    "task",
    "plan",
    "key",
    "shield",
    "export",
    "eye",
    "help",
]

Role = QPalette.ColorRole


@pytest.fixture(autouse=True)
def restore_app_look(qapp: QApplication) -> Iterator[None]:
    """Theme tests change the one shared QApplication; put its look back afterwards."""
    palette, style_sheet = QPalette(qapp.palette()), qapp.styleSheet()
    yield
    controller = theme.theme_controller(qapp)
    if controller is not None:
        controller.setParent(None)
    qapp.setStyleSheet(style_sheet)
    qapp.setPalette(palette)


def opaque_colors(image: QImage) -> set[str]:
    """Colours of the fully opaque pixels (stroke interiors, not anti-aliased edges)."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    found: set[str] = set()
    for y in range(image.height()):
        for x in range(image.width()):
            color = image.pixelColor(x, y)
            if color.alpha() == 255:
                found.add(color.name())
    return found


# -- resources and icons -------------------------------------------------------------------


def test_resources_folder_is_the_repository_one() -> None:
    assert resources_dir().name == "resources"
    assert resource_path("styles", "app.qss").is_file()
    with pytest.raises(FileNotFoundError, match=r"icons/nope\.svg"):
        resource_path("icons", "nope.svg")


@pytest.mark.parametrize("name", REQUIRED_ICONS)
def test_required_icon_is_a_valid_24px_line_icon(name: str) -> None:
    source = icons.svg_source(name)
    assert b'viewBox="0 0 24 24"' in source
    assert b"currentColor" in source
    renderer = QSvgRenderer(source.replace(b"currentColor", b"#000000"))
    assert renderer.isValid()


def test_unknown_icon_fails_loudly_with_its_name(qapp: QApplication) -> None:
    with pytest.raises(KeyError, match="no-such-icon"):
        icons.icon("no-such-icon")


def test_icon_renders_at_the_device_pixel_ratio_asked_for(qapp: QApplication) -> None:
    lock = icons.icon("lock")
    for ratio in (1.0, 1.5, 2.0, 3.0):
        pixmap = lock.pixmap(QSize(24, 24), ratio)
        assert pixmap.devicePixelRatio() == pytest.approx(ratio)
        assert pixmap.size() == QSize(round(24 * ratio), round(24 * ratio))
        assert opaque_colors(pixmap.toImage()), f"nothing drawn at {ratio}x"


def test_icon_is_drawn_in_the_palette_text_colour(qapp: QApplication) -> None:
    theme.apply_theme(qapp, Qt.ColorScheme.Light)
    light_text = qapp.palette().color(Role.WindowText).name()
    light = opaque_colors(icons.icon("search").pixmap(QSize(48, 48)).toImage())
    assert light == {light_text}

    theme.apply_theme(qapp, Qt.ColorScheme.Dark)
    dark_text = qapp.palette().color(Role.WindowText).name()
    dark = opaque_colors(icons.icon("search").pixmap(QSize(48, 48)).toImage())
    assert dark == {dark_text}
    assert light_text != dark_text


def test_selected_and_disabled_modes_use_their_palette_roles(qapp: QApplication) -> None:
    theme.apply_theme(qapp, Qt.ColorScheme.Light)
    palette = qapp.palette()
    search = icons.icon("search")
    selected = search.pixmap(QSize(48, 48), QIcon.Mode.Selected).toImage()
    assert opaque_colors(selected) == {palette.color(Role.HighlightedText).name()}
    disabled = search.pixmap(QSize(48, 48), QIcon.Mode.Disabled).toImage()
    expected = palette.color(QPalette.ColorGroup.Disabled, Role.WindowText).name()
    assert opaque_colors(disabled) == {expected}


def test_icon_with_a_fixed_colour(qapp: QApplication) -> None:
    white = icons.icon("emergency", "#ffffff").pixmap(QSize(48, 48)).toImage()
    assert opaque_colors(white) == {"#ffffff"}


def test_icon_outlives_its_python_engine_reference(qapp: QApplication) -> None:
    label = QLabel()
    label.setPixmap(icons.icon("shield").pixmap(QSize(16, 16)))
    kept = icons.icon("shield")
    gc.collect()
    assert not kept.isNull()
    assert opaque_colors(kept.pixmap(QSize(32, 32)).toImage())
    assert kept.name() == "shield"


# -- palette and contrast ------------------------------------------------------------------

TEXT_PAIRS = [
    (Role.WindowText, Role.Window),
    (Role.Text, Role.Base),
    (Role.Text, Role.AlternateBase),
    (Role.ButtonText, Role.Button),
    (Role.HighlightedText, Role.Highlight),
    (Role.PlaceholderText, Role.Base),
    (Role.Link, Role.Base),
    (Role.ToolTipText, Role.ToolTipBase),
]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("foreground,background", TEXT_PAIRS)
def test_palette_text_has_at_least_4_5_contrast(
    dark: bool, foreground: QPalette.ColorRole, background: QPalette.ColorRole
) -> None:
    palette = theme.build_palette(dark)
    ratio = theme.contrast_ratio(palette.color(foreground), palette.color(background))
    assert ratio >= 4.5, f"{foreground.name} on {background.name}: {ratio:.2f}"


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_extra_colours_are_readable(dark: bool) -> None:
    colors = theme.theme_colors(dark)
    palette = theme.build_palette(dark)
    window, base = palette.color(Role.Window), palette.color(Role.Base)
    pairs: dict[str, tuple[str, QColor | str]] = {
        "muted on window": (colors.muted_fg, window),
        "muted on base": (colors.muted_fg, base),
        "badge": (colors.badge_fg, colors.badge_bg),
        "info banner": (colors.info_fg, colors.info_bg),
        "warning banner": (colors.warning_fg, colors.warning_bg),
        "danger banner": (colors.danger_fg, colors.danger_bg),
        "tooltip": (colors.tooltip_fg, colors.tooltip_bg),
    }
    for what, (foreground, background) in pairs.items():
        assert theme.contrast_ratio(foreground, background) >= 4.5, what
    # Field outlines are not text: WCAG asks 3:1 for the boundary of a control.
    assert theme.contrast_ratio(colors.input_border, base) >= 3.0
    assert theme.contrast_ratio(colors.focus_border, base) >= 3.0


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert theme.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert theme.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(
    "background,expected",
    [
        ("#ffe066", "#000000"),  # yellow "low"
        ("#f0ad4e", "#000000"),  # orange
        ("#6f1d1b", "#ffffff"),  # dark red "imminent"
        ("#1f3a93", "#ffffff"),  # dark blue
        ("#2e7d32", "#ffffff"),  # green
        ("#ffffff", "#000000"),
        ("#000000", "#ffffff"),
    ],
)
def test_level_text_color_picks_the_readable_one(background: str, expected: str) -> None:
    assert theme.level_text_color(background) == expected


def test_level_text_color_is_the_better_of_black_and_white() -> None:
    for red in range(0, 256, 17):
        for green in range(0, 256, 51):
            background = QColor(red, green, 128).name()
            chosen = theme.level_text_color(background)
            other = "#000000" if chosen == "#ffffff" else "#ffffff"
            chosen_ratio = theme.contrast_ratio(chosen, background)
            assert chosen_ratio >= theme.contrast_ratio(other, background)
            # The better of black and white never drops below ~4.58:1, whatever the colour.
            assert chosen_ratio >= 4.5


# -- applying the theme --------------------------------------------------------------------


def test_apply_theme_uses_fusion_and_the_requested_scheme(qapp: QApplication) -> None:
    controller = theme.apply_theme(qapp, Qt.ColorScheme.Dark)
    sheet = qapp.styleSheet()
    qapp.setStyleSheet("")  # with a style sheet, style() is Qt's wrapper and has no name
    assert qapp.style().name().lower() == "fusion"
    qapp.setStyleSheet(sheet)
    assert theme.is_dark(qapp)
    assert controller.dark
    assert qapp.palette().color(Role.Window) == theme.build_palette(True).color(Role.Window)
    assert theme.DARK.danger_bg in qapp.styleSheet()

    again = theme.apply_theme(qapp, Qt.ColorScheme.Light)
    assert again is controller, "re-applying reuses the controller"
    assert not theme.is_dark(qapp)
    assert theme.current_colors() is theme.LIGHT


def test_following_the_system_switches_live(qapp: QApplication, qtbot: QtBot) -> None:
    controller = theme.apply_theme(qapp)  # follow the system
    hints = qapp.styleHints()
    with qtbot.waitSignal(controller.theme_changed) as switched:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert switched.args == [True]
    assert theme.is_dark(qapp)
    with qtbot.waitSignal(controller.theme_changed) as switched:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert switched.args == [False]
    assert not theme.is_dark(qapp)


def test_a_chosen_scheme_ignores_system_changes(qapp: QApplication, qtbot: QtBot) -> None:
    controller = theme.apply_theme(qapp, Qt.ColorScheme.Light)
    with qtbot.assertNotEmitted(controller.theme_changed):
        qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not theme.is_dark(qapp)


def test_stylesheet_has_every_token_filled() -> None:
    for dark in (False, True):
        sheet = theme.build_stylesheet(dark)
        assert "@" not in sheet
        colors = theme.theme_colors(dark)
        for value in (colors.danger_bg, colors.warning_bg, colors.info_bg, colors.badge_bg):
            assert value in sheet


def test_set_style_role_applies_the_style_sheet_rule(qapp: QApplication, qtbot: QtBot) -> None:
    theme.apply_theme(qapp, Qt.ColorScheme.Light)
    label = QLabel("Call emergency services now")
    qtbot.addWidget(label)
    theme.set_style_role(label, "danger-banner")
    assert label.property(theme.STYLE_ROLE_PROPERTY) == "danger-banner"
    label.resize(320, 60)
    image = label.grab().toImage()
    assert image.pixelColor(160, 4).name() == theme.LIGHT.danger_bg


def test_a_role_given_to_a_label_on_screen_gets_the_rules_padding_too(
    qapp: QApplication, qtbot: QtBot
) -> None:
    """A status line that becomes a banner (an export that failed) is padded like one, not
    only coloured: re-polishing alone left its text against the edge of the coloured box."""
    theme.apply_theme(qapp, Qt.ColorScheme.Light)
    label = QLabel("The vault could not be written: the disk is full.")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    assert label.contentsMargins().left() == 0
    theme.set_style_role(label, "warning-banner")
    assert label.contentsMargins().left() > 0 and label.contentsMargins().top() > 0
    theme.set_style_role(label, None)
    assert label.contentsMargins().left() == 0
    assert label.styleSheet() == ""  # the widget's own sheet is left as it was
