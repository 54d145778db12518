"""Help inside the program: the guide and its links, F1 on every page and case tab, search,
printing to PDF, the keyboard shortcuts list, the About dialog's licences and the tour."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import btam_desktop
from btam_desktop.services.app import Btam
from btam_desktop.ui import help as help_ui
from btam_desktop.ui import tasks
from btam_desktop.ui.case_workspace import TAB_NAMES
from btam_desktop.ui.main_window import NAV_ENTRIES, PAGE_CASES, MainWindow
from tests.ui.conftest import CHEAP

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

PACKAGE = Path(btam_desktop.__file__).resolve().parent
SHOTS = Path("/tmp/shots/i15")


def settle() -> None:
    tasks.wait_for_idle(10_000)
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def shot(widget: object, name: str) -> None:
    """Screenshots for people to look at; only where the folder exists."""
    if SHOTS.is_dir():
        widget.grab().save(str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _close_help_window() -> Iterator[None]:
    yield
    window = help_ui._help_window
    if window is not None:
        window.close()
        settle()


@pytest.fixture
def window(qtbot: QtBot, demo_app: Btam, demo_vault: Path) -> MainWindow:
    main = MainWindow(demo_app, demo_vault, keyring=(False, "none"), kdf_params=CHEAP)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    settle()
    return main


# -- the guide --------------------------------------------------------------------------------


def test_every_link_and_mapped_section_exists_in_the_guide() -> None:
    text = help_ui.guide_path().read_text(encoding="utf-8")
    anchors = help_ui.guide_anchors(text)
    assert len(anchors) == len(set(anchors)), "an anchor is defined twice"
    links = set(re.findall(r'href="#([\w-]+)"', text))
    assert links and links <= set(anchors)
    assert set(help_ui.PAGE_ANCHORS) == {entry.key for entry in NAV_ENTRIES}
    assert set(help_ui.CASE_TAB_ANCHORS) == set(TAB_NAMES)
    required = {
        help_ui.START_ANCHOR,
        help_ui.LOCKED_ANCHOR,
        help_ui.WORKSPACE_ANCHOR,
        "team-and-roles",
        "report-to-closure",
        "printing",
        "backups",
        *help_ui.PAGE_ANCHORS.values(),
        *help_ui.CASE_TAB_ANCHORS.values(),
        *(panel.anchor for panel in help_ui.TOUR),
    }
    assert required <= set(anchors)
    # Every section heading carries an anchor, so the contents list reaches all of them.
    assert len(re.findall(r"<h[23]>", text)) == len(help_ui.guide_sections(text))


def test_the_help_window_scrolls_to_each_section_and_follows_links(qtbot: QtBot) -> None:
    window = help_ui.show_help("backups")
    qtbot.waitExposed(window)
    bar = window.browser.verticalScrollBar()
    assert window.current_anchor() == "backups"
    assert bar.value() > 0
    positions = {}
    for anchor in help_ui.guide_anchors():
        assert window.show_anchor(anchor)
        positions[anchor] = bar.value()
    assert positions["locked-out"] > positions["backups"] > positions["getting-started"]
    assert not window.show_anchor("no-such-part")
    assert window.current_anchor() == help_ui.START_ANCHOR
    # a link inside the guide
    from PySide6.QtCore import QUrl

    window.browser.anchorClicked.emit(QUrl("#printing"))
    assert window.current_anchor() == "printing"
    # the contents list
    items = [window.contents.item(i) for i in range(window.contents.count())]
    target = next(i for i in items if i.data(Qt.ItemDataRole.UserRole) == "team-and-roles")
    window.contents.itemClicked.emit(target)
    assert window.current_anchor() == "team-and-roles"
    assert help_ui.show_help("cases") is window  # one help window
    shot(window, "help-window")


def test_search_highlights_matches_and_moves_through_them(qtbot: QtBot) -> None:
    window = help_ui.show_help()
    qtbot.keyClicks(window.search_edit, "recovery key")
    assert window.match_count() >= 3
    assert "matches" in window.match_label.text()
    first = window.browser.textCursor().selectionStart()
    assert window.browser.textCursor().selectedText().lower() == "recovery key"
    assert window.find_next()
    assert window.browser.textCursor().selectionStart() > first
    shot(window, "help-search")
    window.search_edit.setText("zzqx-nothing")
    assert window.match_count() == 0
    assert window.match_label.text() == "Not found"


def test_the_guide_saves_as_a_pdf(qtbot: QtBot, tmp_path: Path) -> None:
    window = help_ui.show_help()
    written = window.save_pdf(tmp_path / "guide")
    assert written == tmp_path / "guide.pdf"
    assert [p.name for p in tmp_path.iterdir()] == ["guide.pdf"]  # no partial file left
    document = pypdfium2.PdfDocument(str(written))
    try:
        assert len(document) >= 4
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert "BTAM Desktop user guide" in text


# -- F1 ---------------------------------------------------------------------------------------


def press_f1(qtbot: QtBot, window: MainWindow) -> None:
    """Back in the main window (the help window took the focus), then F1."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_F1)


def test_f1_opens_the_part_for_every_page_and_case_tab(qtbot: QtBot, window: MainWindow) -> None:
    for page in window.visible_pages():
        assert window.show_page(page)
        settle()
        press_f1(qtbot, window)
        help_window = help_ui._help_window
        assert help_window is not None and help_window.isVisible()
        assert help_window.current_anchor() == help_ui.PAGE_ANCHORS[page], page
    assert set(window.visible_pages()) == set(help_ui.PAGE_ANCHORS)  # the coordinator sees all

    window.show_page(PAGE_CASES)
    rows = window.cases_page
    assert rows is not None
    qtbot.waitUntil(lambda: rows.model().rowCount() > 0, timeout=10_000)
    case_id = window.app.cases.by_number(rows.model().index(0, 0).data()).id  # type: ignore[union-attr]
    workspace = window.open_case(case_id)
    assert workspace is not None
    qtbot.waitUntil(lambda: not workspace.is_loading(), timeout=10_000)
    settle()
    for tab in workspace.tab_names():
        assert workspace.show_tab(tab)
        press_f1(qtbot, window)
        assert help_ui._help_window is not None
        assert help_ui._help_window.current_anchor() == help_ui.CASE_TAB_ANCHORS[tab], tab

    window.lock("manual")
    settle()
    press_f1(qtbot, window)
    assert help_ui._help_window.current_anchor() == help_ui.LOCKED_ANCHOR


def test_the_help_menu_offers_guide_shortcuts_tour_and_about(window: MainWindow) -> None:
    texts = [a.text().replace("&", "") for a in window.help_menu.actions() if a.text()]
    assert texts == ["User guide", "Keyboard shortcuts", "Quick tour", "About BTAM Desktop"]
    assert window.help_actions.guide.shortcut().toString() == "F1"


# -- shortcuts --------------------------------------------------------------------------------


def test_the_shortcuts_list_shows_the_real_shortcuts(qtbot: QtBot, window: MainWindow) -> None:
    dialog = help_ui.ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    rows = dialog.rows()
    everywhere = {what: keys for where, what, keys in rows if where == "Everywhere"}
    assert everywhere["Report a concern"] == "Ctrl+N"
    assert everywhere["Lock"] == "Ctrl+L"
    assert everywhere["Find a case"] == "Ctrl+F"
    assert everywhere["User guide"] == "F1"
    assert everywhere["Go to Dashboard"] == "Ctrl+1"
    # every window shortcut is listed, taken from the window itself
    assert len(everywhere) == len(help_ui.window_shortcuts(window)) >= 12
    assert ("Print preview", "Save as PDF", "Ctrl+S") in rows
    assert everywhere["Print the case summary"] == "Ctrl+P"
    assert ("Case list", "Open the selected case", "Enter") in rows
    assert [keys for _w, _what, keys in rows].count("F1") == 1
    dialog.show()
    shot(dialog, "shortcuts")


def test_each_listed_place_shortcut_is_defined_where_it_says() -> None:
    for entry in help_ui.CONTEXT_SHORTCUTS:
        source = (PACKAGE / entry.source).read_text(encoding="utf-8")
        assert entry.key_name in source, f"{entry.what}: {entry.key_name} not in {entry.source}"
        assert help_ui.key_text(entry.key), entry.what


# -- About ------------------------------------------------------------------------------------


def test_about_lists_every_component_with_its_licence(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.about()
    assert isinstance(dialog, help_ui.AboutDialog)
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    names = dialog.component_names()
    for expected in (
        "Qt",
        "PySide6 and Shiboken6 (Qt for Python)",
        "SQLCipher",
        "SQLite",
        "OpenSSL",
        "Python",
        "reportlab",
        "cryptography",
        "SQLAlchemy",
        "keyring",
        "Bitstream Vera fonts",
    ):
        assert expected in names
    assert dialog.select("Qt")
    text = dialog.licence_text.toPlainText()
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text
    assert "GNU GENERAL PUBLIC LICENSE" in text
    shot(dialog, "about")
    assert dialog.select("SQLCipher")
    assert "ZETETIC LLC" in dialog.licence_text.toPlainText()
    assert dialog.select("reportlab")
    assert "ReportLab" in dialog.licence_text.toPlainText()
    dialog.close()


# -- the tour ---------------------------------------------------------------------------------


def test_the_tour_is_offered_once_and_remembered(qtbot: QtBot, qapp: QApplication) -> None:
    assert not help_ui.tour_done()
    tour = help_ui.offer_tour(None)  # type: ignore[arg-type]
    assert tour is not None
    tour.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(tour)
    qtbot.waitExposed(tour)
    assert tour.step_label.text() == f"1 of {len(help_ui.TOUR)}"
    shot(tour, "tour-1")
    for _ in range(len(help_ui.TOUR) - 1):
        qtbot.mouseClick(tour.next_button, Qt.MouseButton.LeftButton)
    assert tour.next_button.text() == "Done"
    assert not tour.skip_button.isVisible()
    shot(tour, "tour-last")
    qtbot.mouseClick(tour.next_button, Qt.MouseButton.LeftButton)
    assert help_ui.tour_done()
    assert help_ui.offer_tour(None) is None  # type: ignore[arg-type]


def test_skipping_the_tour_without_the_tick_offers_it_again(qtbot: QtBot) -> None:
    tour = help_ui.TourDialog()
    qtbot.addWidget(tour)
    tour.show()
    tour.dont_show.setChecked(False)
    qtbot.mouseClick(tour.skip_button, Qt.MouseButton.LeftButton)
    assert not help_ui.tour_done()
    tour2 = help_ui.TourDialog()
    qtbot.addWidget(tour2)
    tour2.show()
    tour2.close()  # closing it with the tick (the default) counts as seen
    assert help_ui.tour_done()


def test_the_guide_closes_with_the_window_it_was_opened_from(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QMainWindow

    owner = QMainWindow()
    owner.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    owner.show()
    guide = help_ui.show_help("backups", owner)
    assert guide.isVisible()
    owner.close()
    settle()
    assert help_ui._help_window is None  # closed and deleted with its owner
