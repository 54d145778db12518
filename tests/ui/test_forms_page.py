"""The "Forms and guides" page: every form and scale, readable guides, and the problems of a
team's bad form files."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from btam_desktop.domain.forms import FormDefinition, FormRegistry, parse_text
from btam_desktop.domain.forms.wording import describe_condition
from btam_desktop.reports import build_blank_checklist
from btam_desktop.services.app import Btam
from btam_desktop.services.scales import reload_registry
from btam_desktop.ui.pages import forms as forms_module
from btam_desktop.ui.pages.forms import FormsPage, form_guide_html
from tests.reports.conftest import pdf_text, words

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

TIMEOUT = 10_000

BAD_FORM = """schema: 1
kind: screening
id: team.quick
version: "1.0.0"
title: Quick screening
sections:
  - id: facts
    title: The facts
    items:
      - id: planning
        type: yes_no_unknown
        label: Any planning?
      - id: weapons
        type: yes_no_unknown
        label: Weapons?
        show_if: {item: planing, equals: "yes"}
"""


def open_page(qtbot: QtBot, app: Btam) -> FormsPage:
    page = FormsPage(app)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitUntil(lambda: page.data is not None, timeout=TIMEOUT)
    return page


def find_row(page: FormsPage, ident: str) -> QTreeWidgetItem:
    for g in range(page.tree.topLevelItemCount()):
        group = page.tree.topLevelItem(g)
        assert group is not None
        for c in range(group.childCount()):
            row = group.child(c)
            if row is not None and row.text(3) == ident:
                return row
    raise AssertionError(f"{ident} is not listed")


def click_row(qtbot: QtBot, page: FormsPage, ident: str) -> None:
    row = find_row(page, ident)
    page.tree.scrollToItem(row)
    QApplication.processEvents()
    rect = page.tree.visualItemRect(row)
    qtbot.mouseClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.tree.currentItem() is row


def test_lists_every_built_in_form_and_scale_grouped_by_kind(qtbot: QtBot, demo_app: Btam) -> None:
    page = open_page(qtbot, demo_app)
    rows = {row[4]: row for row in page.rows()}
    for ident in (
        "btam.screening",
        "btam.assessment.school",
        "btam.assessment.workplace",
        "btam.interview.subject",
        "btam.checklist.closure",
        "scale.four-level",
        "scale.florida",
    ):
        assert ident in rows
    screening = rows["btam.screening"]
    assert screening[0] == "Screenings (1)"
    assert screening[1] == "Screening a report of concern"
    assert screening[2] == "1.0.0" and screening[3] == "Built-in"
    assert screening[5] == demo_app.forms().form("btam.screening").content_hash[:12]
    assert rows["scale.four-level"][0].startswith("Level-of-concern scales")
    assert page.problem_texts() == []
    assert page.problems_box.isHidden()


def test_a_form_reads_as_a_guide_and_a_scale_shows_its_levels(qtbot: QtBot, demo_app: Btam) -> None:
    page = open_page(qtbot, demo_app)
    click_row(qtbot, page, "btam.assessment.school")
    guide = page.guide_text()
    assert guide.startswith("Threat assessment for schools")
    assert "does not predict violence" in guide  # the disclaimer
    assert "Follows" in guide and "Calhoun and Weston" in guide
    assert "2. Communications" in guide
    assert "Students who attack often tell someone beforehand" in guide  # section guidance
    assert "Asked only when “communicated intent to harm” is Yes." in guide
    assert "How this form suggests a level of concern" in guide
    assert "Start a management plan → Start management plan" in guide
    assert page.print_button.isEnabled()

    click_row(qtbot, page, "scale.four-level")
    guide = page.guide_text()
    assert "Levels, from the lowest to the highest" in guide
    for label in ("Low", "Moderate", "High", "Imminent"):
        assert label in guide
    assert "Closing a case at this level needs a written justification." in guide


def test_a_bad_team_file_is_listed_with_file_line_and_problem_and_reload_picks_up_the_fix(
    qtbot: QtBot, demo_app: Btam
) -> None:
    folder = demo_app.vault.forms_dir
    folder.mkdir(exist_ok=True)
    (folder / "quick.yaml").write_text(BAD_FORM, encoding="utf-8")
    reload_registry(demo_app.ctx)
    page = open_page(qtbot, demo_app)
    problems = page.problem_texts()
    assert len(problems) == 1
    assert problems[0].startswith("quick.yaml, line 16:")
    assert "planing" in problems[0] and "did you mean 'planning'" in problems[0]
    assert not page.problems_box.isHidden()
    assert "1 form file in the forms folder could not be loaded" in page.problems_banner.text()
    assert "team.quick" not in {row[4] for row in page.rows()}

    (folder / "quick.yaml").write_text(BAD_FORM.replace("planing", "planning"), encoding="utf-8")
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(page.reload_button, Qt.MouseButton.LeftButton)
    assert page.problem_texts() == [] and page.problems_box.isHidden()
    row = next(r for r in page.rows() if r[4] == "team.quick")
    assert row[3] == "Team's own" and row[0] == "Screenings (2)"
    click_row(qtbot, page, "team.quick")
    assert "your team's own form" in page.guide_text()
    assert "Asked only when “Any planning?” is Yes." in page.guide_text()


def test_open_the_team_forms_folder(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(
        forms_module.QDesktopServices, "openUrl", lambda url: opened.append(url) or True
    )
    page = open_page(qtbot, demo_app)
    folder = demo_app.vault.forms_dir
    if folder.exists():
        folder.rmdir()
    qtbot.mouseClick(page.folder_button, Qt.MouseButton.LeftButton)
    assert folder.is_dir()
    assert [url.toLocalFile() for url in opened] == [str(folder)]


def test_the_language_choice_lists_the_spanish_guide_alone(qtbot: QtBot, demo_app: Btam) -> None:
    page = open_page(qtbot, demo_app)
    every = {row[4] for row in page.rows()}
    assert {"btam.interview.parent-guardian", "btam.interview.parent-guardian.es"} <= every
    page.language_box.setCurrentIndex(page.language_box.findData("es"))
    spanish = {row[4] for row in page.rows()}
    assert "btam.interview.parent-guardian.es" in spanish
    assert "btam.interview.parent-guardian" not in spanish and "btam.screening" not in spanish
    assert page.selected_key() == ("form", "btam.interview.parent-guardian.es", "1.0.0")
    assert "Guía de entrevista" in page.guide_text()
    page.language_box.setCurrentIndex(page.language_box.findData("en"))
    english = {row[4] for row in page.rows()}
    assert "btam.screening" in english and "btam.interview.parent-guardian.es" not in english


RANGE_FORM = """schema: 1
kind: assessment
id: team.ranges
version: "1.0.0"
title: Ranges
scale: scale.four-level
sections:
  - id: facts
    title: The facts
    items:
      - id: absences
        type: number
        label: Days absent this term
        short: days absent
        min: 0
        max: 200
        integer: true
      - id: behaviors
        type: multiple_choice
        label: Which behaviors?
        short: behaviors
        choices:
          - {id: research, label: Research on the target, risk_factor: true}
          - {id: rehearsal, label: Rehearsal, risk_factor: true}
      - id: detail
        type: short_text
        label: What was rehearsed?
        show_if: {item: behaviors, contains: rehearsal}
rules:
  - level: high
    when: {any: [{risk_factors_at_least: 2}, {not: {item: absences, at_most: 20}}]}
  - level: moderate
    when: {item: absences, at_least: 3, at_most: 5}
default_level: low
"""


def test_screen_and_paper_word_a_condition_the_same(qtbot: QtBot) -> None:
    registry = FormRegistry.load(None)
    form = parse_text(
        RANGE_FORM, "ranges.yaml", scales={"scale.four-level": registry.scale("scale.four-level")}
    )
    assert isinstance(form, FormDefinition), form
    scale = registry.scale_for(form)
    document = QTextDocument()
    document.setHtml(form_guide_html(form, scale))
    screen = words(document.toPlainText())
    paper = pdf_text(build_blank_checklist(form, "Team", scale=scale))
    conditions = [form.rules[0].when, form.rules[1].when, form.item("detail").show_if]
    sentences = [describe_condition(form, c) for c in conditions if c is not None]
    assert sentences == [
        "at least 2 risk factors are present or “days absent” is above 20",
        "“days absent” is between 3 and 5",
        "“behaviors” includes Rehearsal",
    ]
    for sentence in sentences:
        assert sentence in screen, sentence
        assert sentence in paper, sentence
    assert "at most 5" not in screen and "at most 5" not in paper
    # what a number may be reads the same too
    assert "(whole number, 0 to 200)" in screen and "(whole number, 0 to 200)" in paper
