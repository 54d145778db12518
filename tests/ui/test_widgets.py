"""Shared widgets: password meter, level chips, busy overlay, banners and charts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QImage,
    QPainter,
    QPalette,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from btam_desktop.ui import theme
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.charts import Bar, HorizontalBarChart, StatTile
from btam_desktop.ui.widgets.level import (
    LEVEL_COLOR_ROLE,
    LevelBadge,
    LevelDelegate,
    paint_level_chip,
)
from btam_desktop.ui.widgets.overlay import BusyOverlay
from btam_desktop.ui.widgets.password_strength import (
    STRENGTH_LABELS,
    PasswordStrengthMeter,
    estimate_password_strength,
)

W = TypeVar("W", bound=QWidget)

# The offscreen platform cannot size or raise native windows and says so; nothing to fix here.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")


@pytest.fixture(autouse=True)
def light_theme(qapp: QApplication) -> Iterator[None]:
    """Pixel checks below assume the light palette; restore the shared app afterwards."""
    palette, style_sheet = QPalette(qapp.palette()), qapp.styleSheet()
    theme.apply_theme(qapp, Qt.ColorScheme.Light)
    yield
    controller = theme.theme_controller(qapp)
    if controller is not None:
        controller.setParent(None)
    qapp.setStyleSheet(style_sheet)
    qapp.setPalette(palette)


def count_pixels(image: QImage, color: str, area: QRect | None = None) -> int:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    rect = area or image.rect()
    wanted = QColor(color).rgb()
    return sum(
        1
        for y in range(rect.top(), rect.bottom() + 1)
        for x in range(rect.left(), rect.right() + 1)
        if image.pixel(x, y) == wanted
    )


def child(parent: QWidget, kind: type[W]) -> W:
    found = parent.findChild(kind)
    assert found is not None, kind.__name__
    return found


def assert_controls_are_named(root: QWidget) -> None:
    """Every interactive control below root, and root itself, has an accessible name."""
    assert root.accessibleName(), type(root).__name__
    for control in root.findChildren(QWidget):
        if isinstance(control, QAbstractButton | QLineEdit | QProgressBar):
            assert control.accessibleName(), f"unnamed {type(control).__name__}"


# -- password strength ---------------------------------------------------------------------


def test_strength_labels_are_plain_words() -> None:
    assert STRENGTH_LABELS == ("Too short", "Weak", "Fair", "Strong", "Very strong")


@pytest.mark.parametrize("password", ["", "a", "Xy7!", "Xy7!abc", "password", "Xy7!abcde"])
def test_short_passwords_are_too_short(password: str) -> None:
    # The vault refuses fewer than 10 characters, so the meter says so too.
    score, hint = estimate_password_strength(password)
    assert score == 0
    assert "at least 10 characters" in hint


@pytest.mark.parametrize(
    "password",
    ["password12", "Password1!", "P@ssw0rd12", "qwertyuiop", "1234567890", "iloveyou2022"],
)
def test_the_most_common_passwords_are_weak(password: str) -> None:
    score, hint = estimate_password_strength(password)
    assert score == 1
    assert "most common passwords" in hint


@pytest.mark.parametrize(
    "predictable,random_like,hint_word",
    [
        ("Zebra-abcdefgh-Q", "Zebra-qmvtrwks-Q", "sequences"),
        ("Kite#zxcvbnm!r", "Kite#zmqbxvn!r", "keyboard"),
        ("Mango~9999999~t", "Mango~9273618~t", "repeated"),
        ("Rivet!Monkey-8x", "Rivet!Mqnzwy-8x", "common words"),
        ("Rivet!M0nk3y-8x", "Rivet!Mqnzwy-8x", "common words"),
        ("Schule2019x", "Schule7364x", "years"),
    ],
)
def test_patterns_score_lower_than_random_characters(
    predictable: str, random_like: str, hint_word: str
) -> None:
    assert len(predictable) == len(random_like)
    score, hint = estimate_password_strength(predictable)
    random_score, _ = estimate_password_strength(random_like)
    assert score < random_score
    assert hint_word in hint


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "xK9#mP2$vL5!", "Blue-Canoe-Tractor-42"]
)
def test_long_unpredictable_passwords_are_very_strong(password: str) -> None:
    score, hint = estimate_password_strength(password)
    assert score == 4
    assert hint.startswith("Good")


def test_repeating_a_chunk_does_not_help_much() -> None:
    assert estimate_password_strength("abcabcabcabc")[0] == 1
    assert estimate_password_strength("aaaaaaaaaaaa")[0] == 1


def test_length_raises_the_score() -> None:
    scores = [
        estimate_password_strength(words)[0]
        for words in ("vault river", "vault river candle", "vault river candle orbit")
    ]
    assert scores == sorted(scores)
    assert scores[0] < scores[-1] == 4


def test_meter_follows_typing(qtbot: QtBot) -> None:
    field = QLineEdit()
    field.setAccessibleName("New password")
    meter = PasswordStrengthMeter(field)
    qtbot.addWidget(field)
    qtbot.addWidget(meter)
    assert meter.verdict_text() == ""

    QTest.keyClicks(field, "pass")
    assert meter.verdict_text() == "Too short"
    assert meter.score() == 0
    with qtbot.waitSignal(meter.strength_changed) as changed:
        QTest.keyClicks(field, "word12")
    assert changed.args == [1]
    assert meter.verdict_text() == "Weak"
    assert "most common" in meter.hint_text()
    assert meter.accessibleDescription().startswith("Weak.")

    field.clear()
    QTest.keyClicks(field, "Blue-Canoe-Tractor-42")
    assert meter.verdict_text() == "Very strong"
    assert meter.score() == 4
    assert_controls_are_named(meter)


def test_meter_does_not_keep_the_password(qtbot: QtBot) -> None:
    meter = PasswordStrengthMeter()
    qtbot.addWidget(meter)
    secret = "Blue-Canoe-Tractor-42"
    meter.set_password(secret)
    held = [value for value in vars(meter).values() if isinstance(value, str)]
    assert secret not in held
    for label in (meter._verdict, meter._hint):
        assert secret not in label.text()


def test_meter_bar_paints_the_score_colour(qtbot: QtBot) -> None:
    meter = PasswordStrengthMeter()
    qtbot.addWidget(meter)
    meter.resize(300, 60)
    meter.set_password("Blue-Canoe-Tractor-42")
    strong = theme.LIGHT.strength[3]
    assert count_pixels(meter._bar.grab().toImage(), strong) > 100
    meter.set_password("password12")
    image = meter._bar.grab().toImage()
    assert count_pixels(image, theme.LIGHT.strength[0]) > 20
    assert count_pixels(image, strong) == 0


# -- level chips ---------------------------------------------------------------------------

LEVELS = [("Low", "#ffe066"), ("Moderate", "#f0ad4e"), ("High", "#d9534f"), ("Imminent", "#6f1d1b")]


def test_paint_level_chip_stays_inside_and_uses_the_colour(qapp: QApplication) -> None:
    image = QImage(200, 40, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    chip = paint_level_chip(painter, QRect(10, 5, 180, 30), "Imminent", "#6f1d1b")
    painter.end()
    assert QRect(10, 5, 180, 30).contains(chip.toAlignedRect().adjusted(1, 1, -1, -1))
    assert count_pixels(image, "#6f1d1b") > 100
    assert count_pixels(image, "#ffffff", chip.toAlignedRect().adjusted(3, 3, -3, -3)) > 5


def test_paint_level_chip_squeezes_a_long_label(qapp: QApplication) -> None:
    image = QImage(60, 30, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    chip = paint_level_chip(painter, QRect(0, 0, 60, 30), "Imminent and very serious", "#1f3a93")
    painter.end()
    assert chip.width() <= 60


def test_level_delegate_paints_chips_in_a_table(qtbot: QtBot) -> None:
    model = QStandardItemModel(len(LEVELS) + 1, 1)
    for row, (label, color) in enumerate(LEVELS):
        item = QStandardItem(label)
        item.setData(color, LEVEL_COLOR_ROLE)
        model.setItem(row, 0, item)
    model.setItem(len(LEVELS), 0, QStandardItem("Not assessed"))  # no colour: plain text
    view = QTableView()
    view.setAccessibleName("Cases")
    view.setModel(model)
    view.setItemDelegateForColumn(0, LevelDelegate(view))
    view.resizeColumnsToContents()
    view.resizeRowsToContents()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)

    image = view.viewport().grab().toImage()
    for row, (label, color) in enumerate(LEVELS):
        cell = view.visualRect(model.index(row, 0))
        assert count_pixels(image, color, cell) > 40, label
    plain = view.visualRect(model.index(len(LEVELS), 0))
    assert all(count_pixels(image, color, plain) == 0 for _label, color in LEVELS)

    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.font = view.font()
    hint = view.itemDelegateForColumn(0).sizeHint(option, model.index(3, 0))
    assert hint.width() >= view.fontMetrics().horizontalAdvance("Imminent") + 16


def test_level_badge_reports_its_level(qtbot: QtBot) -> None:
    badge = LevelBadge()
    qtbot.addWidget(badge)
    assert badge.accessibleName() == "Level of concern"
    assert badge.accessibleDescription() == "Not set"
    narrow = badge.sizeHint().width()
    badge.set_level("Imminent", "#6f1d1b")
    assert badge.label() == "Imminent"
    assert badge.accessibleDescription() == "Imminent"
    assert "Imminent" in badge.toolTip()
    badge.resize(badge.sizeHint())
    assert count_pixels(badge.grab().toImage(), "#6f1d1b") > 40
    badge.set_level("Low", "#ffe066")
    assert badge.sizeHint().width() < narrow + 40


# -- busy overlay --------------------------------------------------------------------------


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    page = QWidget()
    page.setAccessibleName("Unlock page")
    layout = QVBoxLayout(page)
    field = QLineEdit(page)
    field.setAccessibleName("Password")
    button = QPushButton("Unlock", page)
    layout.addWidget(field)
    layout.addWidget(button)
    qtbot.addWidget(page)
    page.resize(480, 320)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_overlay_covers_the_parent_and_blocks_input(qtbot: QtBot, window: QWidget) -> None:
    field, button = child(window, QLineEdit), child(window, QPushButton)
    overlay = BusyOverlay(window)
    assert not overlay.is_busy()

    overlay.show_busy("Unlocking the vault…")
    assert overlay.is_busy()
    assert overlay.geometry() == window.rect()
    assert overlay.message() == "Unlocking the vault…"
    assert overlay.accessibleDescription() == "Unlocking the vault…"
    assert overlay.progress_value() is None
    assert overlay.spinner().is_spinning()
    assert not field.isEnabled() and not button.isEnabled()

    QTest.keyClicks(field, "secret")
    with qtbot.assertNotEmitted(button.clicked):
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert field.text() == ""

    window.resize(640, 400)
    qtbot.waitUntil(lambda: overlay.geometry() == window.rect())

    overlay.hide_busy()
    assert not overlay.is_busy()
    assert field.isEnabled() and button.isEnabled()
    assert not overlay.spinner().is_spinning()
    assert_controls_are_named(overlay)


def test_overlay_shows_determinate_progress(qtbot: QtBot, window: QWidget) -> None:
    overlay = BusyOverlay(window)
    overlay.show_busy("Backing up", done=0, total=10)
    assert overlay.progress_value() == (0, 10)
    overlay.set_progress(3, 10, "3 of 10 files")
    assert overlay.progress_value() == (3, 10)
    assert overlay.message() == "3 of 10 files"
    overlay.set_progress(4, 10)
    assert overlay.message() == "3 of 10 files", "an empty message keeps the last one"
    overlay.hide_busy()


def test_overlay_leaves_an_already_disabled_widget_disabled(qtbot: QtBot, window: QWidget) -> None:
    button = child(window, QPushButton)
    button.setEnabled(False)
    overlay = BusyOverlay(window)
    overlay.show_busy("Rekeying")
    overlay.hide_busy()
    assert not button.isEnabled()


def test_overlay_dims_what_is_below(qtbot: QtBot, window: QWidget) -> None:
    overlay = BusyOverlay(window)
    overlay.show_busy("Unlocking")
    image = window.grab().toImage()
    corner = image.pixelColor(2, image.height() - 3)
    assert corner.name() == QColor(window.palette().color(QPalette.ColorRole.Window)).name()
    overlay.hide_busy()


# -- banners -------------------------------------------------------------------------------


def test_danger_banner_is_loud_named_and_not_dismissable(qtbot: QtBot) -> None:
    text = "If anyone is in immediate danger, call emergency services now."
    banner = Banner(BannerKind.DANGER, text)
    qtbot.addWidget(banner)
    banner.resize(480, 60)
    banner.show()
    qtbot.waitExposed(banner)
    assert banner.kind() is BannerKind.DANGER
    assert banner.text() == text
    assert banner.accessibleName() == "Urgent"
    assert banner.accessibleDescription() == text
    assert banner.close_button().isHidden()
    assert banner._text.font().bold()
    image = banner.grab().toImage()
    assert image.pixelColor(banner.width() // 2, 3).name() == theme.LIGHT.danger_bg
    assert theme.contrast_ratio(theme.LIGHT.danger_fg, theme.LIGHT.danger_bg) >= 4.5
    assert_controls_are_named(banner)


def test_banner_text_is_never_rich_text(qtbot: QtBot) -> None:
    banner = Banner("info", "<b>not bold</b> <a href='x'>not a link</a>")
    qtbot.addWidget(banner)
    assert banner._text.textFormat() == Qt.TextFormat.PlainText
    assert banner.text() == "<b>not bold</b> <a href='x'>not a link</a>"


def test_banner_close_and_action(qtbot: QtBot) -> None:
    banner = Banner(
        BannerKind.WARNING, "Review overdue", closable=True, action_text="Schedule review"
    )
    qtbot.addWidget(banner)
    banner.show()
    qtbot.waitExposed(banner)
    assert banner.action_button().accessibleName() == "Schedule review"
    assert banner.close_button().accessibleName() == "Dismiss message"
    with qtbot.waitSignal(banner.action_triggered, timeout=1000):
        QTest.mouseClick(banner.action_button(), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(banner.closed, timeout=1000):
        QTest.mouseClick(banner.close_button(), Qt.MouseButton.LeftButton)
    assert banner.isHidden()
    assert_controls_are_named(banner)


def test_banner_follows_the_theme(qapp: QApplication, qtbot: QtBot) -> None:
    banner = Banner("info", "Blank checklists are on the Forms page.")
    qtbot.addWidget(banner)
    banner.resize(400, 50)
    banner.show()
    qtbot.waitExposed(banner)

    def text_color() -> str:
        banner._text.ensurePolished()
        return banner._text.palette().color(QPalette.ColorRole.WindowText).name()

    assert text_color() == theme.LIGHT.info_fg
    theme.apply_theme(qapp, Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: text_color() == theme.DARK.info_fg)
    for _ in range(3):  # and it stays so once every re-polish has run
        qapp.processEvents()
    assert text_color() == theme.DARK.info_fg
    image = banner.grab().toImage()
    assert image.pixelColor(banner.width() // 2, 3).name() == theme.DARK.info_bg
    banner.set_kind("warning")
    assert banner.accessibleName() == "Warning"
    assert text_color() == theme.DARK.warning_fg


# -- charts --------------------------------------------------------------------------------


@pytest.fixture
def chart(qtbot: QtBot) -> HorizontalBarChart:
    bar_chart = HorizontalBarChart("Open cases by level")
    bar_chart.set_bars([("Low", 7, "#e6b800"), Bar("High", 2, "#d9534f"), ("Unrated", 3)])
    qtbot.addWidget(bar_chart)
    bar_chart.resize(bar_chart.sizeHint().expandedTo(QSize(360, 0)))
    bar_chart.show()
    qtbot.waitExposed(bar_chart)
    return bar_chart


def test_chart_reports_its_values(chart: HorizontalBarChart) -> None:
    assert chart.values() == [("Low", 7), ("High", 2), ("Unrated", 3)]
    assert chart.summary_text() == "Low: 7; High: 2; Unrated: 3"
    assert chart.accessibleName() == "Open cases by level"
    assert chart.accessibleDescription() == "Low: 7; High: 2; Unrated: 3"
    assert "High: 2" in chart.toolTip()


def test_chart_bars_are_proportional_and_coloured(chart: HorizontalBarChart) -> None:
    image = chart.grab().toImage()
    low = count_pixels(image, "#e6b800", chart.row_rect(0).toAlignedRect())
    high = count_pixels(image, "#d9534f", chart.row_rect(1).toAlignedRect())
    unrated_color = chart.palette().color(QPalette.ColorRole.Highlight).name()
    unrated = count_pixels(image, unrated_color, chart.row_rect(2).toAlignedRect())
    assert low > 0 and high > 0 and unrated > 0
    assert low / high == pytest.approx(7 / 2, rel=0.15)
    assert unrated / high == pytest.approx(3 / 2, rel=0.15)


def test_chart_tooltip_names_the_bar_under_the_mouse(
    qapp: QApplication, qtbot: QtBot, chart: HorizontalBarChart
) -> None:
    inside_high = chart.row_rect(1).center().toPoint()
    event = QHelpEvent(QHelpEvent.Type.ToolTip, inside_high, chart.mapToGlobal(inside_high))
    QApplication.sendEvent(chart, event)
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == "High: 2"
    QToolTip.hideText()


def test_chart_click_reports_the_bar(qtbot: QtBot, chart: HorizontalBarChart) -> None:
    with qtbot.waitSignal(chart.bar_clicked, timeout=1000) as clicked:
        QTest.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.row_rect(2).center().toPoint())
    assert clicked.args == [2]
    assert chart.bar_at(QPoint(chart.width() // 2, 1)) is None


def test_chart_without_data(qtbot: QtBot) -> None:
    empty = HorizontalBarChart()
    qtbot.addWidget(empty)
    assert empty.accessibleName() == "Bar chart"
    assert empty.summary_text() == "No data"
    empty.resize(300, 60)
    assert not empty.grab().isNull()
    taller = HorizontalBarChart()
    taller.set_bars([(str(n), n) for n in range(6)])
    qtbot.addWidget(taller)
    assert taller.sizeHint().height() > empty.sizeHint().height()


def test_stat_tile_names_its_number(qtbot: QtBot) -> None:
    tile = StatTile("Open cases", 17)
    qtbot.addWidget(tile)
    assert tile.value_text() == "17"
    assert tile.accessibleName() == "Open cases: 17"
    tile.set_value(2.5)
    assert tile.accessibleName() == "Open cases: 2.5"
