"""The team's date format: chosen in Settings, the same in the window and on paper."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from btam_desktop.domain import formatting
from btam_desktop.domain.formatting import format_datetime, use_date_style
from btam_desktop.reports.case_summary import build_case_summary
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery
from btam_desktop.store.errors import ValidationError
from btam_desktop.ui import tasks
from btam_desktop.ui.case_workspace import CaseWorkspace
from btam_desktop.ui.locale_formats import date_field_pattern
from btam_desktop.ui.pages.settings import SettingsPage
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

WEAPON_POST = "Social media post showing a weapon"


@pytest.fixture(autouse=True)
def _restore_style() -> Iterator[None]:
    yield
    use_date_style("")


def _choose_in_settings(qtbot: QtBot, app: Btam, style: str) -> None:
    page = SettingsPage(app)
    qtbot.addWidget(page)
    page.show()
    assert tasks.wait_for_idle(15_000)
    index = page.date_format.findData(style)
    assert index > 0, "every format is offered"
    page.date_format.setCurrentIndex(index)
    assert page.save_button.isEnabled()
    with qtbot.waitSignal(page.settings_changed, timeout=5000):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.error_message() == ""
    assert app.settings().date_format == style


def test_the_timeline_and_the_printed_summary_write_a_time_the_same_way(
    qtbot: QtBot, demo_app: Btam
) -> None:
    _choose_in_settings(qtbot, demo_app, "numeric_mdy")
    assert formatting.date_style() == "numeric_mdy"
    assert date_field_pattern() == "MM/dd/yyyy"  # date fields are typed as they are shown
    row = next(r for r in demo_app.cases.find(CaseQuery(), 0, 100) if r.title == WEAPON_POST)
    workspace = CaseWorkspace(demo_app, row.id)
    qtbot.addWidget(workspace)
    workspace.show()
    qtbot.waitUntil(lambda: workspace.data is not None and not workspace.is_loading())
    entry = demo_app.records.timeline(row.id)[0]
    on_screen = str(workspace.timeline.table.proxy.index(0, 0).data())
    assert re.fullmatch(r"\d\d/\d\d/\d{4}, \d\d:\d\d", on_screen), on_screen
    assert on_screen == format_datetime(entry.occurred_at)
    on_paper = pdf_text(build_case_summary(demo_app, row.id, sections={"timeline"}))
    assert on_screen in on_paper

    # another choice changes both
    settings = demo_app.settings()
    settings.date_format = "iso"
    demo_app.save_settings(settings)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d, \d\d:\d\d", format_datetime(entry.occurred_at))
    assert format_datetime(entry.occurred_at) in pdf_text(
        build_case_summary(demo_app, row.id, sections={"timeline"})
    )


def test_a_format_the_program_does_not_know_is_refused(demo_app: Btam) -> None:
    settings = demo_app.settings()
    settings.date_format = "dd-mm-yy"
    with pytest.raises(ValidationError, match="date formats"):
        demo_app.save_settings(settings)
    assert demo_app.settings().date_format == ""
