"""The assessment wizard, the assessments tab and the viewer, driven as a team member would:
clicking answers, typing, Next and Back, closing and coming back, deciding and completing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QMessageBox,
    QRadioButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import CaseStatus
from btam_desktop.domain.forms import Answers
from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.cases import CaseQuery
from btam_desktop.services.demo import DEMO_PASSWORD, DEMO_VIEWER
from btam_desktop.services.scales import reload_registry
from btam_desktop.ui.assessments_tab import AssessmentsTab
from btam_desktop.ui.wizard.item_widgets import (
    REQUIRED_MESSAGE,
    DateWidget,
    ItemWidget,
    LongTextWidget,
    MultipleChoiceWidget,
    NumberWidget,
    RatingWidget,
    ShortTextWidget,
    SingleChoiceComboWidget,
    SingleChoiceRadioWidget,
    YesNoUnknownWidget,
)
from btam_desktop.ui.wizard.viewer import AssessmentViewer
from btam_desktop.ui.wizard.wizard import SUMMARY, AssessmentWizard
from tests.ui.changes import announced

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

TIMEOUT = 10_000


# ---- helpers ---------------------------------------------------------------------------------


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click where the button is on screen (after pending layout, as a person sees it)."""
    QApplication.processEvents()
    assert button.isVisible(), button.text()
    if isinstance(button, QRadioButton | QCheckBox):
        # On the round or square box itself, not in the empty space right of the label.
        pos = QPoint(8, button.height() // 2)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=pos)
    else:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def case_titled(app: Btam, words: str, status: CaseStatus) -> int:
    rows = app.cases.find(CaseQuery(statuses={status}))
    return next(r.id for r in rows if words in r.title)


def open_tab(qtbot: QtBot, app: Btam, case_id: int) -> AssessmentsTab:
    tab = AssessmentsTab(app, case_id)
    qtbot.addWidget(tab)
    tab.resize(1000, 500)
    tab.show()
    qtbot.waitUntil(lambda: tab.data is not None, timeout=TIMEOUT)
    return tab


def new_window(qtbot: QtBot, tab: AssessmentsTab, before: set[int]) -> QWidget:
    qtbot.waitUntil(lambda: bool(set(tab.open_windows()) - before), timeout=TIMEOUT)
    key = (set(tab.open_windows()) - before).pop()
    return tab.open_windows()[key]


def start_from_tab(qtbot: QtBot, tab: AssessmentsTab, kind: str, form_id: str) -> AssessmentWizard:
    """Choose a form from a start button's menu; the wizard opens on the new draft."""
    button = tab.start_buttons[kind]
    assert button.isEnabled()
    action = next(a for a in tab.form_actions(kind) if a.data() == form_id)
    before = set(tab.open_windows())
    action.trigger()
    wizard = new_window(qtbot, tab, before)
    assert isinstance(wizard, AssessmentWizard)
    qtbot.waitUntil(wizard.is_loaded, timeout=TIMEOUT)
    return wizard


def reopen_from_tab(qtbot: QtBot, tab: AssessmentsTab, assessment_id: int) -> QWidget:
    """Select the row and press Open."""
    qtbot.waitUntil(lambda: tab.select_id(assessment_id), timeout=TIMEOUT)
    before = set(tab.open_windows())
    click(qtbot, tab.open_button)
    return new_window(qtbot, tab, before)


def close_wizard(qtbot: QtBot, tab: AssessmentsTab, wizard: AssessmentWizard) -> None:
    assessment_id = wizard.assessment_id
    click(qtbot, wizard.close_button)
    qtbot.waitUntil(lambda: assessment_id not in tab.open_windows(), timeout=TIMEOUT)


def answer_like_a_person(qtbot: QtBot, widget: ItemWidget, text: str = "") -> None:
    """Give a plausible answer to a question with the mouse and the keyboard."""
    if isinstance(widget, YesNoUnknownWidget):
        click(qtbot, widget.button("no"))
    elif isinstance(widget, SingleChoiceRadioWidget):
        click(qtbot, next(iter(widget.buttons().values())))
    elif isinstance(widget, SingleChoiceComboWidget):
        widget.combo.setFocus()
        qtbot.keyClick(widget.combo, Qt.Key.Key_Down)
    elif isinstance(widget, MultipleChoiceWidget):
        for box in widget.boxes().values():
            if not box.isChecked():
                click(qtbot, box)
    elif isinstance(widget, ShortTextWidget):
        qtbot.keyClicks(widget.line, text or "Dana Demo (coordinator), Morgan Member")
    elif isinstance(widget, LongTextWidget):
        qtbot.keyClicks(widget.text, text or "Observed and recorded by the team.")
    elif isinstance(widget, DateWidget):
        click(qtbot, widget.set_button)
    elif isinstance(widget, NumberWidget):
        widget.spin.setFocus()
        qtbot.keyClick(widget.spin, Qt.Key.Key_Up)
    elif isinstance(widget, RatingWidget):
        click(qtbot, widget.rating_button(widget.item.min))  # type: ignore[union-attr]
    else:  # pragma: no cover
        raise AssertionError(type(widget))


def fill_page(qtbot: QtBot, wizard: AssessmentWizard) -> None:
    """Answer the required questions shown on the current page, as they appear."""
    for _ in range(10):
        missing = wizard.missing_on_page(wizard.current_page())
        if not missing:
            return
        for item_id, _message in missing:
            answer_like_a_person(qtbot, wizard.item_widget(item_id))
    raise AssertionError("required questions keep appearing")


def go_next(qtbot: QtBot, wizard: AssessmentWizard) -> None:
    before = wizard.current_page()
    click(qtbot, wizard.next_button)
    assert wizard.current_page() != before, wizard.saved_label.text()


def click_step(qtbot: QtBot, wizard: AssessmentWizard, title: str) -> None:
    """Click a step in the list of sections on the left."""
    step = wizard.steps.findItems(title, Qt.MatchFlag.MatchExactly)[0]
    rect = wizard.steps.visualItemRect(step)
    qtbot.mouseClick(wizard.steps.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def wait_for_review(qtbot: QtBot, wizard: AssessmentWizard) -> None:
    assert wizard.summary is not None
    qtbot.waitUntil(
        lambda: (
            wizard.summary is not None
            and wizard.summary.review() is not None
            and wizard.summary.loading_label.isHidden()
        ),
        timeout=TIMEOUT,
    )


def shown(widget: QWidget) -> bool:
    return not widget.isHidden()


# ---- the screening, start to finish -------------------------------------------------------


def test_screening_from_first_page_to_completion(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = case_titled(demo_app, "gym class", CaseStatus.SCREENING)
    tab = open_tab(qtbot, demo_app, case_id)
    assert tab.row_count() == 0 and shown(tab.empty)
    wizard = start_from_tab(qtbot, tab, "screening", "btam.screening")
    number = demo_app.cases.get(case_id).number
    assert wizard.windowTitle() == f"Screening a report of concern — {number}"
    assert wizard.current_page() == "purpose"
    assert wizard.progress_text() == "Section 1 of 6"
    assert (
        "A screening answers one question quickly" in wizard.pages["purpose"].guidance.toPlainText()
    )

    # Next refuses while a required question is unanswered, and says so at the question.
    click(qtbot, wizard.next_button)
    assert wizard.current_page() == "purpose"
    screeners = wizard.item_widget("screeners")
    assert screeners.error_text() == REQUIRED_MESSAGE and shown(screeners.error_label)
    assert wizard.item_widget("screened_on").error_text() == REQUIRED_MESSAGE
    assert wizard.focusWidget() is screeners.line
    qtbot.keyClicks(screeners.line, "Dana Demo, Morgan Member")
    assert screeners.error_text() == ""
    when = wizard.item_widget("screened_on")
    assert isinstance(when, DateWidget)
    click(qtbot, when.set_button)
    assert when.value() == date.today().isoformat()
    go_next(qtbot, wizard)

    # Immediate danger: "yes" brings up the safety question and the red-flag note; "no" hides it.
    assert wizard.current_page() == "danger" and wizard.progress_text() == "Section 2 of 6"
    danger = wizard.item_widget("immediate_danger")
    assert isinstance(danger, YesNoUnknownWidget)
    safety = wizard.item_widget("safety_actions")
    assert not shown(safety)
    click(qtbot, danger.button("yes"))
    assert shown(safety) and shown(danger.flag_note)
    click(qtbot, wizard.next_button)
    assert wizard.current_page() == "danger" and safety.error_text() == REQUIRED_MESSAGE
    click(qtbot, danger.button("no"))
    assert not shown(safety) and not shown(danger.flag_note)
    go_next(qtbot, wizard)

    # The threat: its kind and detail are asked only once a threat was expressed.
    assert wizard.current_page() == "communication"
    kind = wizard.item_widget("threat_type")
    assert not shown(kind)
    qtbot.keyClicks(
        wizard.item_widget("summary").text,  # type: ignore[attr-defined]
        'After a game he said "I will get you after school".',
    )
    click(qtbot, wizard.item_widget("threat_expressed").button("yes"))  # type: ignore[attr-defined]
    assert shown(kind) and shown(wizard.item_widget("threat_detail"))
    click(qtbot, kind.button("direct"))  # type: ignore[attr-defined]
    click(qtbot, wizard.item_widget("serious_harm").button("no"))  # type: ignore[attr-defined]
    go_next(qtbot, wizard)

    # Context: an unknown (a gap) and a fact with its source and reliability.
    assert wizard.current_page() == "context"
    click(qtbot, wizard.item_widget("lasting_intent").button("unknown"))  # type: ignore[attr-defined]
    weapons = wizard.item_widget("weapons_access")
    click(qtbot, weapons.button("no"))  # type: ignore[attr-defined]
    source, detail, reliability = (
        weapons.source_combo(),
        weapons.source_detail(),
        weapons.reliability_combo(),
    )
    assert source is not None and detail is not None and reliability is not None
    source.setCurrentIndex(source.findData("interview"))
    qtbot.keyClicks(detail, "Parent, by phone")
    reliability.setCurrentIndex(reliability.findData("probable"))
    draft_id = wizard.assessment_id

    # Close mid-way: the draft keeps everything.
    close_wizard(qtbot, tab, wizard)
    stored = demo_app.assessments.get(draft_id)
    assert stored.status == "draft"
    assert stored.answers["weapons_access"] == {
        "value": "no",
        "source": "interview",
        "source_detail": "Parent, by phone",
        "reliability": "probable",
    }
    qtbot.waitUntil(lambda: tab.row_count() == 1, timeout=TIMEOUT)
    assert tab.row_texts()[0][2] == "Draft"

    # Resume: the wizard opens where work stopped, with every answer in place.
    wizard = reopen_from_tab(qtbot, tab, draft_id)  # type: ignore[assignment]
    assert isinstance(wizard, AssessmentWizard)
    qtbot.waitUntil(wizard.is_loaded, timeout=TIMEOUT)
    assert wizard.current_page() == "transient_or_substantive"
    assert wizard.item_widget("screeners").value() == "Dana Demo, Morgan Member"
    assert wizard.item_widget("threat_type").value() == "direct"
    assert wizard.item_widget("lasting_intent").value() == "unknown"
    assert wizard.item_widget("weapons_access").source() == (
        "interview",
        "Parent, by phone",
        "probable",
    )
    click(qtbot, wizard.back_button)
    assert wizard.current_page() == "context"
    go_next(qtbot, wizard)

    click(qtbot, wizard.item_widget("classification").button("substantive"))  # type: ignore[attr-defined]
    qtbot.keyClicks(
        wizard.item_widget("classification_reason").text,  # type: ignore[attr-defined]
        "A direct threat to a named classmate; intent beyond the moment not ruled out.",
    )
    go_next(qtbot, wizard)
    assert wizard.current_page() == "decision"
    assert wizard.next_button.text() == "&Review >"
    click(qtbot, wizard.item_widget("decision").button("assess"))  # type: ignore[attr-defined]
    qtbot.keyClicks(
        wizard.item_widget("decision_reason").text,  # type: ignore[attr-defined]
        "Substantive threat; a full assessment is needed.",
    )
    go_next(qtbot, wizard)

    # The summary: the suggestion and why, the gaps, what completing does, the decision.
    assert wizard.current_page() == SUMMARY
    wait_for_review(qtbot, wizard)
    summary = wizard.summary
    assert summary is not None
    review = summary.review()
    assert review is not None and review.suggestion.level == "moderate"
    assert (
        "Suggested: Moderate, because “classification” is Substantive" in summary.explanation.text()
    )
    assert summary.suggested_badge.label() == "Moderate"
    document = summary.html_text()
    assert "Information gaps" in document
    assert "Answered “unknown”" in document
    assert "intent to harm lasts beyond the moment" in document
    assert "Source: interview (Parent, by phone) · reliability: probable" in document
    assert summary.missing_box.isHidden()
    assert "Proceed to full assessment" in summary.workflow_banner.text()
    assert summary.decided_level() == "moderate"  # the case uses the form's scale
    assert summary.participants() == ["Dana Demo (coordinator)"]

    # An override without a rationale is refused, with the message at the rationale.
    summary.level_combo.setCurrentIndex(summary.level_combo.findData("low"))
    assert summary.rationale_required()
    assert "Required, because the team's level (Low) differs" in summary.rationale_message.text()
    click(qtbot, wizard.complete_button)
    assert summary.rationale_message.is_problem()
    assert "Write the rationale" in summary.rationale_message.text()
    assert wizard.focusWidget() is summary.rationale
    assert demo_app.assessments.get(draft_id).status == "draft"

    # The team also names the counselor who took part, writes why, and completes.
    member = summary.participant_item("Morgan Member (counselor)")
    assert member is not None
    member.setCheckState(Qt.CheckState.Checked)
    qtbot.keyClicks(summary.rationale, "The student apologised to the classmate the same day.")
    assert not summary.rationale_message.is_problem()
    with qtbot.waitSignal(wizard.completed, timeout=TIMEOUT) as completed:
        click(qtbot, wizard.complete_button)
    assert completed.args == [draft_id]

    done = demo_app.assessments.get(draft_id)
    assert done.status == "completed" and done.decided_level == "low"
    assert done.participants == ["Dana Demo (coordinator)", "Morgan Member (counselor)"]
    assert done.decision_rationale.startswith("The student apologised")
    assert "safety_actions" not in done.answers
    case = demo_app.cases.get(case_id)
    assert case.status == CaseStatus.ASSESSMENT and case.level == "low"

    # The tab lists it as completed, with its level, and says what happened to the case.
    qtbot.waitUntil(lambda: draft_id not in tab.open_windows(), timeout=TIMEOUT)
    qtbot.waitUntil(
        lambda: tab.row_texts() and tab.row_texts()[0][2] == "Completed", timeout=TIMEOUT
    )
    row = tab.row_texts()[0]
    assert row[0] == "Screening a report of concern" and row[1] == "1.0.0" and row[5] == "Low"
    assert "The case moved on: Proceed to full assessment" in tab.banner.text()


def test_completion_moves_the_case_and_tells_the_workspace(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = case_titled(demo_app, "gym class", CaseStatus.SCREENING)
    tab = open_tab(qtbot, demo_app, case_id)
    wizard = start_from_tab(qtbot, tab, "screening", "btam.screening")
    while wizard.current_page() != SUMMARY:
        fill_page(qtbot, wizard)
        if wizard.current_page() == "decision":
            click(qtbot, wizard.item_widget("decision").button("assess"))  # type: ignore[attr-defined]
        go_next(qtbot, wizard)
    wait_for_review(qtbot, wizard)
    assert wizard.summary is not None and wizard.summary.decided_level() == "low"
    # A draft save just before may be announced first: wait for the completion itself too.
    with (
        qtbot.waitSignal(wizard.completed, timeout=TIMEOUT),
        announced(qtbot, tab.case_id, timeout=TIMEOUT) as changed,
    ):
        click(qtbot, wizard.complete_button)
    assert changed.args[0].case_id == case_id
    assert demo_app.cases.get(case_id).status == CaseStatus.ASSESSMENT


# ---- the full school assessment --------------------------------------------------------------


def test_full_school_assessment(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = case_titled(demo_app, "Social media post", CaseStatus.ASSESSMENT)
    tab = open_tab(qtbot, demo_app, case_id)
    # A school case offers the school assessment first.
    assert tab.form_actions("assessment")[0].data() == "btam.assessment.school"
    wizard = start_from_tab(qtbot, tab, "assessment", "btam.assessment.school")
    sections = len(wizard.page_keys()) - 1
    assert wizard.progress_text() == f"Section 1 of {sections}"

    visited = []
    while wizard.current_page() != SUMMARY:
        page = wizard.current_page()
        visited.append(page)
        assert wizard.progress_text() == f"Section {len(visited)} of {sections}"
        if page == "weapons":
            details = wizard.item_widget("weapons_details")
            assert not shown(details)
            click(qtbot, wizard.item_widget("weapons_access").button("yes"))  # type: ignore[attr-defined]
            assert shown(details)
            qtbot.keyClicks(details.text, "A rifle at home, not locked away.")  # type: ignore[attr-defined]
        if page == "planning":
            behaviors = wizard.item_widget("attack_behaviors")
            assert not shown(behaviors)
            click(qtbot, wizard.item_widget("attack_related").button("yes"))  # type: ignore[attr-defined]
            assert shown(behaviors)
        if page == "decision":
            click(qtbot, wizard.item_widget("next_step").button("manage"))  # type: ignore[attr-defined]
        fill_page(qtbot, wizard)
        go_next(qtbot, wizard)
    assert len(visited) == sections

    wait_for_review(qtbot, wizard)
    summary = wizard.summary
    assert summary is not None
    review = summary.review()
    assert review is not None and review.suggestion.level == "high"
    assert "because “weapons access” is Yes" in summary.explanation.text()
    assert "Start management plan" in summary.workflow_banner.text()
    assert summary.decided_level() == "high"
    assert "Risk factors found" in summary.html_text()
    with qtbot.waitSignal(wizard.completed, timeout=TIMEOUT):
        click(qtbot, wizard.complete_button)
    case = demo_app.cases.get(case_id)
    assert case.status == CaseStatus.MANAGEMENT and case.level == "high"
    qtbot.waitUntil(
        lambda: tab.row_texts() and tab.row_texts()[0][2] == "Completed", timeout=TIMEOUT
    )
    assert tab.row_texts()[0][5] == "High"


# ---- every item type, saved and restored --------------------------------------------------

EVERY_TYPE = """schema: 1
kind: checklist
id: team.every-type
version: "1.0.0"
title: Every kind of question
scale: scale.four-level
sections:
  - id: first
    title: First page
    guidance: |
      Answer every question.
      - Ask the class teacher first.
    items:
      - id: seen
        type: yes_no_unknown
        label: Was the student seen today?
        required: true
        risk_factor: true
        ask_source: true
        help: Ask the class teacher.
      - id: seen_where
        type: single_choice
        label: Where was the student seen?
        show_if: {item: seen, equals: "yes"}
        choices:
          - {id: class, label: In class}
          - {id: yard, label: In the yard}
      - id: mood
        type: single_choice
        label: Mood
        choices:
          - {id: calm, label: Calm}
          - {id: sad, label: Sad}
          - {id: angry, label: Angry}
          - {id: anxious, label: Anxious}
          - {id: withdrawn, label: Withdrawn}
          - {id: cheerful, label: Cheerful}
          - {id: unknown, label: Not known}
      - id: supports
        type: multiple_choice
        label: Supports in place
        choices:
          - {id: mentor, label: Mentor, protective_factor: true}
          - {id: counseling, label: Counseling}
      - id: checks
        type: checklist
        label: Checks done
        required: true
        choices:
          - {id: parents, label: Parents told}
          - {id: teacher, label: Teacher told}
  - id: second
    title: Second page
    items:
      - id: note
        type: short_text
        label: Short note
      - id: story
        type: long_text
        label: What happened
      - id: met_on
        type: date
        label: Date met
      - id: absent
        type: number
        label: Days absent
        min: 0
        max: 30
        integer: true
        unit: days
      - id: hours
        type: number
        label: Hours of sleep
      - id: worry
        type: rating
        label: How worried is the teacher?
        labels: {1: Not at all, 5: Very much}
rules:
  - level: high
    when: {item: seen, equals: "yes"}
default_level: low
"""


def test_every_item_type_is_answered_saved_and_restored(qtbot: QtBot, demo_app: Btam) -> None:
    (demo_app.vault.forms_dir).mkdir(exist_ok=True)
    (demo_app.vault.forms_dir / "every.yaml").write_text(EVERY_TYPE, encoding="utf-8")
    reload_registry(demo_app.ctx)
    case_id = case_titled(demo_app, "gym class", CaseStatus.SCREENING)
    tab = open_tab(qtbot, demo_app, case_id)
    action = next(a for a in tab.form_actions("checklist") if a.data() == "team.every-type")
    assert "team's own" in action.text()
    wizard = start_from_tab(qtbot, tab, "checklist", "team.every-type")

    seen = wizard.item_widget("seen")
    assert isinstance(seen, YesNoUnknownWidget)
    assert seen.help_label is not None and seen.help_label.text() == "Ask the class teacher."
    assert seen.question.toolTip() == "Ask the class teacher."
    assert seen.source_combo() is not None
    mood = wizard.item_widget("mood")
    assert isinstance(mood, SingleChoiceComboWidget)  # more than six choices
    assert wizard.item_widget("supports").source_combo() is None

    click(qtbot, seen.button("yes"))
    where = wizard.item_widget("seen_where")
    assert shown(where)
    click(qtbot, where.button("yard"))  # type: ignore[attr-defined]
    mood.combo.setFocus()
    qtbot.keyClick(mood.combo, Qt.Key.Key_Down)
    qtbot.keyClick(mood.combo, Qt.Key.Key_Down)
    assert mood.value() == "sad"
    supports = wizard.item_widget("supports")
    assert isinstance(supports, MultipleChoiceWidget)
    click(qtbot, supports.box("mentor"))
    checks = wizard.item_widget("checks")
    assert isinstance(checks, MultipleChoiceWidget)
    click(qtbot, checks.box("parents"))
    # A required checklist needs every check ticked.
    click(qtbot, wizard.next_button)
    assert wizard.current_page() == "first"
    assert checks.error_text() == (
        "Tick every check, or mark it “does not apply” with a reason, before going on. "
        "Not ticked yet: Teacher told"
    )
    click(qtbot, checks.box("teacher"))
    assert checks.error_text() == ""
    go_next(qtbot, wizard)

    qtbot.keyClicks(wizard.item_widget("note").line, "Seen by the nurse")  # type: ignore[attr-defined]
    qtbot.keyClicks(wizard.item_widget("story").text, "Line one")  # type: ignore[attr-defined]
    met = wizard.item_widget("met_on")
    assert isinstance(met, DateWidget)
    assert met.value() is None and met.date_edit.text() == "Not set"
    click(qtbot, met.set_button)
    met.date_edit.setDate(QDate(2026, 3, 31))
    assert met.value() == "2026-03-31"
    absent = wizard.item_widget("absent")
    assert isinstance(absent, NumberWidget)
    assert absent.spin.maximum() == 30 and absent.spin.suffix() == " days"
    assert absent.value() is None and absent.spin.text() == "Not set"
    absent.spin.setFocus()
    qtbot.keyClick(absent.spin, Qt.Key.Key_Up)
    assert absent.value() == 0
    qtbot.keyClick(absent.spin, Qt.Key.Key_Up)
    qtbot.keyClick(absent.spin, Qt.Key.Key_Up)
    assert absent.value() == 2
    hours = wizard.item_widget("hours")
    assert isinstance(hours, NumberWidget)
    hours.spin.setFocus()
    qtbot.keyClick(hours.spin, Qt.Key.Key_Up)
    qtbot.keyClick(hours.spin, Qt.Key.Key_Up)
    assert hours.value() == 1.0
    worry = wizard.item_widget("worry")
    assert isinstance(worry, RatingWidget)
    assert worry.rating_button(5).accessibleName() == "5 (Very much)"
    click(qtbot, worry.rating_button(4))
    assert worry.value() == 4

    expected = {
        "seen": "yes",
        "seen_where": "yard",
        "mood": "sad",
        "supports": ("mentor",),
        "checks": ("parents", "teacher"),
        "note": "Seen by the nurse",
        "story": "Line one",
        "met_on": "2026-03-31",
        "absent": 2,
        "hours": 1.0,
        "worry": 4,
    }
    assert {k: v.value for k, v in wizard.final_answers().items()} == expected

    # Hiding a question drops its answer from what is completed (the draft keeps it).
    click(qtbot, wizard.back_button)
    click(qtbot, seen.button("no"))
    assert not shown(where)
    assert "seen_where" not in wizard.final_answers()
    click(qtbot, seen.button("yes"))

    draft_id = wizard.assessment_id
    close_wizard(qtbot, tab, wizard)
    wizard = reopen_from_tab(qtbot, tab, draft_id)  # type: ignore[assignment]
    assert isinstance(wizard, AssessmentWizard)
    qtbot.waitUntil(wizard.is_loaded, timeout=TIMEOUT)
    assert {k: v.value for k, v in wizard.final_answers().items()} == expected
    assert wizard.item_widget("worry").value() == 4

    # Clearing answers returns them to "not answered".
    click_step(qtbot, wizard, "First page")
    click(qtbot, wizard.item_widget("seen").clear_button())  # type: ignore[attr-defined]
    assert wizard.item_widget("seen").value() is None
    click_step(qtbot, wizard, "Second page")
    absent = wizard.item_widget("absent")
    click(qtbot, absent.clear_button)  # type: ignore[attr-defined]
    assert absent.value() is None


# ---- saving drafts ---------------------------------------------------------------------------


def test_draft_saves_itself_and_on_demand(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = case_titled(demo_app, "gym class", CaseStatus.SCREENING)
    tab = open_tab(qtbot, demo_app, case_id)
    wizard = start_from_tab(qtbot, tab, "screening", "btam.screening")
    draft_id = wizard.assessment_id
    line = wizard.item_widget("screeners").line  # type: ignore[attr-defined]
    qtbot.keyClicks(line, "Dana")
    assert wizard.has_unsaved_changes() and tab.has_unsaved_changes()
    assert wizard.saved_label.text() == "Changes not saved yet"
    # Autosave a moment after typing stops.
    qtbot.waitUntil(lambda: wizard.saved_label.text().startswith("Saved at"), timeout=TIMEOUT)
    assert demo_app.assessments.get(draft_id).answers["screeners"]["value"] == "Dana"
    assert not wizard.has_unsaved_changes()

    # Before a lock, the tab saves every open wizard at once, on the spot.
    qtbot.keyClicks(line, " and Morgan")
    tab.save_drafts()
    assert demo_app.assessments.get(draft_id).answers["screeners"]["value"] == "Dana and Morgan"

    # "Save draft" (Ctrl+S) saves too.
    qtbot.keyClicks(line, ".")
    click(qtbot, wizard.save_button)
    qtbot.waitUntil(lambda: not wizard.has_unsaved_changes(), timeout=TIMEOUT)
    assert demo_app.assessments.get(draft_id).answers["screeners"]["value"] == "Dana and Morgan."

    # The team's decision typed on the summary survives closing too.
    click_step(qtbot, wizard, "Review and complete")
    assert wizard.current_page() == SUMMARY
    wait_for_review(qtbot, wizard)
    assert wizard.summary is not None
    qtbot.keyClicks(wizard.summary.rationale, "Half a thought")
    close_wizard(qtbot, tab, wizard)
    wizard = reopen_from_tab(qtbot, tab, draft_id)  # type: ignore[assignment]
    assert isinstance(wizard, AssessmentWizard)
    qtbot.waitUntil(wizard.is_loaded, timeout=TIMEOUT)
    assert wizard.summary is not None
    assert wizard.summary.rationale.toPlainText() == "Half a thought"


def test_summary_lists_missing_questions_that_jump_to_their_page(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case_id = case_titled(demo_app, "gym class", CaseStatus.SCREENING)
    tab = open_tab(qtbot, demo_app, case_id)
    wizard = start_from_tab(qtbot, tab, "screening", "btam.screening")
    click_step(qtbot, wizard, "Review and complete")
    assert wizard.current_page() == SUMMARY
    wait_for_review(qtbot, wizard)
    summary = wizard.summary
    assert summary is not None and shown(summary.missing_box)
    links = summary.missing_links()
    assert links[0].text().startswith("Team members doing this screening")
    click(qtbot, wizard.complete_button)
    assert "Answer the" in summary.error_banner.text()
    assert demo_app.assessments.get(wizard.assessment_id).status == "draft"
    target = next(link for link in links if "Reason for this decision" in link.text())
    click(qtbot, target)
    assert wizard.current_page() == "decision"
    assert wizard.item_widget("decision_reason").error_text() == REQUIRED_MESSAGE


# ---- the viewer ------------------------------------------------------------------------------

FORM_V1 = """schema: 1
kind: checklist
id: team.check
version: "1.0.0"
title: Team check
sections:
  - id: main
    title: Main
    items:
      - id: seen
        type: yes_no_unknown
        label: Was the student seen today?
        required: true
        ask_source: true
"""


def completed_custom(app: Btam, case_id: int) -> int:
    forms = app.vault.forms_dir
    forms.mkdir(exist_ok=True)
    (forms / "team-check.yaml").write_text(FORM_V1, encoding="utf-8")
    reload_registry(app.ctx)
    draft = app.assessments.start(case_id, "team.check")
    assert draft.id is not None
    answers = Answers().with_answer("seen", "yes", source="observation", reliability="confirmed")
    done = app.assessments.complete(
        draft.id, answers, decided_level=None, rationale="", participants=["Dana Demo"]
    )
    assert done.id is not None
    return done.id


def test_viewer_shows_the_definition_an_assessment_was_made_with(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case_id = case_titled(demo_app, "gym class", CaseStatus.SCREENING)
    done_id = completed_custom(demo_app, case_id)
    changed = FORM_V1.replace('"1.0.0"', '"2.0.0"').replace("seen today", "seen this week")
    (demo_app.vault.forms_dir / "team-check.yaml").write_text(changed, encoding="utf-8")
    reload_registry(demo_app.ctx)
    assert demo_app.forms().form("team.check").version == "2.0.0"

    tab = open_tab(qtbot, demo_app, case_id)
    viewer = reopen_from_tab(qtbot, tab, done_id)
    assert isinstance(viewer, AssessmentViewer)
    qtbot.waitUntil(lambda: viewer.data is not None, timeout=TIMEOUT)
    done = demo_app.assessments.get(done_id)
    text = viewer.text()
    assert "Was the student seen today?" in text and "seen this week" not in text
    assert f"version 1.0.0 · content hash {done.form_hash[:12]}" in viewer.version_label.text()
    assert "Completed" in viewer.status_label.text() and "Dana Demo" in viewer.status_label.text()
    assert "Source: observation · reliability: confirmed" in text
    assert "Who took part: Dana Demo" in text
    assert viewer.windowTitle() == f"Team check — {demo_app.cases.get(case_id).number}"


def test_amending_from_the_viewer_opens_the_wizard_on_a_linked_draft(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case_id = case_titled(demo_app, "gym class", CaseStatus.SCREENING)
    done_id = completed_custom(demo_app, case_id)
    tab = open_tab(qtbot, demo_app, case_id)
    viewer = reopen_from_tab(qtbot, tab, done_id)
    assert isinstance(viewer, AssessmentViewer)
    qtbot.waitUntil(lambda: viewer.amend_button.isEnabled(), timeout=TIMEOUT)
    click(qtbot, viewer.amend_button)
    dialog = viewer.amend_dialog
    assert dialog is not None and dialog.isVisible()
    click(qtbot, dialog.buttons.buttons()[0])  # Start, with no reason
    assert dialog.isVisible() and "what is being corrected" in dialog.message.text()
    qtbot.keyClicks(dialog.reason, "The student was seen by the nurse, not the teacher.")
    click(qtbot, dialog.buttons.buttons()[0])
    qtbot.waitUntil(
        lambda: any(isinstance(w, AssessmentWizard) for w in tab.open_windows().values()),
        timeout=TIMEOUT,
    )
    wizard = next(w for w in tab.open_windows().values() if isinstance(w, AssessmentWizard))
    qtbot.waitUntil(wizard.is_loaded, timeout=TIMEOUT)
    amendment = demo_app.assessments.get(wizard.assessment_id)
    assert amendment.amends_id == done_id and amendment.status == "draft"
    assert shown(wizard.amend_banner)
    assert "seen by the nurse" in wizard.amend_banner.text()
    assert wizard.item_widget("seen").value() == "yes"
    qtbot.waitUntil(lambda: tab.row_count() == 2, timeout=TIMEOUT)
    statuses = sorted(row[2] for row in tab.row_texts())
    assert statuses == ["Completed", "Draft (amendment)"]
    assert any(row[6].startswith("Amended") for row in tab.row_texts())

    close_wizard(qtbot, tab, wizard)
    qtbot.waitUntil(lambda: done_id not in tab.open_windows(), timeout=TIMEOUT)
    viewer = reopen_from_tab(qtbot, tab, done_id)
    assert isinstance(viewer, AssessmentViewer)
    qtbot.waitUntil(lambda: viewer.data is not None, timeout=TIMEOUT)
    assert any("Amended by a draft" in b.text() for b in viewer.link_buttons())


def test_discarding_a_draft_asks_first(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = case_titled(demo_app, "gym class", CaseStatus.SCREENING)
    tab = open_tab(qtbot, demo_app, case_id)
    wizard = start_from_tab(qtbot, tab, "screening", "btam.screening")
    draft_id = wizard.assessment_id
    close_wizard(qtbot, tab, wizard)
    qtbot.waitUntil(lambda: tab.select_id(draft_id), timeout=TIMEOUT)
    asked: list[str] = []

    def answer(button: QMessageBox.StandardButton):  # type: ignore[no-untyped-def]
        def ask(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
            asked.append(str(args[1]))
            return button

        return ask

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    click(qtbot, tab.discard_button)
    assert asked == ["Discard the draft?"]
    assert demo_app.assessments.for_case(case_id)
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Discard))
    with announced(qtbot, tab.case_id, timeout=TIMEOUT):
        click(qtbot, tab.discard_button)
    # (an earlier draft save may be the change heard first: wait for the discard itself)
    qtbot.waitUntil(lambda: demo_app.assessments.for_case(case_id) == [], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: tab.row_count() == 0, timeout=TIMEOUT)
    assert "discarded" in tab.banner.text()


def test_starting_a_form_again_offers_the_open_draft(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = case_titled(demo_app, "gym class", CaseStatus.SCREENING)
    tab = open_tab(qtbot, demo_app, case_id)
    wizard = start_from_tab(qtbot, tab, "screening", "btam.screening")
    draft_id = wizard.assessment_id
    close_wizard(qtbot, tab, wizard)
    qtbot.waitUntil(lambda: tab.row_count() == 1, timeout=TIMEOUT)
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *a, **k: QMessageBox.StandardButton.Yes,
    )
    action = next(a for a in tab.form_actions("screening") if a.data() == "btam.screening")
    action.trigger()
    assert set(tab.open_windows()) == {draft_id}
    assert len(demo_app.assessments.for_case(case_id)) == 1


def test_a_viewer_reads_but_cannot_start_or_amend(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    case_id = case_titled(demo_app, "gym class", CaseStatus.SCREENING)
    done_id = completed_custom(demo_app, case_id)
    demo_app.lock()
    reader = unlock(demo_vault, DEMO_VIEWER, DEMO_PASSWORD)
    try:
        tab = open_tab(qtbot, reader, case_id)
        for button in tab.start_buttons.values():
            assert not button.isEnabled()
            assert "may view assessments but not start" in button.toolTip()
        viewer = reopen_from_tab(qtbot, tab, done_id)
        assert isinstance(viewer, AssessmentViewer)
        qtbot.waitUntil(lambda: viewer.data is not None, timeout=TIMEOUT)
        assert not viewer.amend_button.isEnabled()
        assert "may view assessments but not amend" in viewer.amend_button.toolTip()
        assert not tab.discard_button.isEnabled()
    finally:
        reader.vault.lock()


def test_a_closed_case_cannot_be_assessed(qtbot: QtBot, demo_app: Btam) -> None:
    case_id = case_titled(demo_app, "Joke about a school fire", CaseStatus.CLOSED_NO_THREAT)
    tab = open_tab(qtbot, demo_app, case_id)
    for button in tab.start_buttons.values():
        assert not button.isEnabled()
        assert "This case is closed" in button.toolTip()


# ---- issue 11: what closing needs, and reassessments under management ------------------------


def _saved_reassessment(app: Btam, case_id: int, next_step: str | None) -> int:
    from tests.services.forms_helpers import fill_required

    draft = app.assessments.start(case_id, "btam.assessment.school")
    definition = app.assessments.definition(draft)
    answers = fill_required(definition, Answers())
    if next_step is None:
        answers = answers.with_answer("next_step", None).with_answer("next_step_reason", None)
    else:
        answers = answers.with_answer("next_step", next_step)
    app.assessments.save_draft(draft.id, answers)
    assert draft.id is not None
    return draft.id


def test_summary_lists_what_closing_needs_with_a_way_to_do_each(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case_id = case_titled(demo_app, "harassment", CaseStatus.MANAGEMENT)  # open plan items
    assessment_id = _saved_reassessment(demo_app, case_id, "close")
    tab = open_tab(qtbot, demo_app, case_id)
    wizard = reopen_from_tab(qtbot, tab, assessment_id)
    assert isinstance(wizard, AssessmentWizard)
    qtbot.waitUntil(wizard.is_loaded, timeout=TIMEOUT)
    assert wizard.current_page() == SUMMARY
    wait_for_review(qtbot, wizard)
    summary = wizard.summary
    assert summary is not None and summary.needs_box.isVisible()
    assert set(summary.need_buttons) == {"plan", "checklist"}
    with qtbot.waitSignal(tab.tab_requested, timeout=TIMEOUT) as asked:
        click(qtbot, summary.need_buttons["plan"])
    assert asked.args == ["plan"]
    before = set(tab.open_windows())
    click(qtbot, summary.need_buttons["checklist"])
    checklist = new_window(qtbot, tab, before)
    assert isinstance(checklist, AssessmentWizard)
    qtbot.waitUntil(checklist.is_loaded, timeout=TIMEOUT)
    assert checklist.definition is not None
    assert checklist.definition.id == "btam.checklist.closure"


def test_a_reassessment_under_management_completes_without_a_next_step(
    qtbot: QtBot, demo_app: Btam
) -> None:
    case_id = case_titled(demo_app, "harassment", CaseStatus.MANAGEMENT)
    assessment_id = _saved_reassessment(demo_app, case_id, None)
    tab = open_tab(qtbot, demo_app, case_id)
    wizard = reopen_from_tab(qtbot, tab, assessment_id)
    assert isinstance(wizard, AssessmentWizard)
    qtbot.waitUntil(wizard.is_loaded, timeout=TIMEOUT)
    assert wizard.current_page() == SUMMARY  # nothing required is left
    wait_for_review(qtbot, wizard)
    summary = wizard.summary
    assert summary is not None
    assert not summary.missing_box.isVisible()
    assert "need not choose a next step" in summary.workflow_banner.text()
    summary.set_decided_level("moderate")
    with qtbot.waitSignal(wizard.completed, timeout=TIMEOUT):
        click(qtbot, wizard.complete_button)
    assert demo_app.assessments.get(assessment_id).status == "completed"
    assert demo_app.cases.get(case_id).status == CaseStatus.MANAGEMENT


def test_a_closure_check_that_does_not_apply_is_marked_with_its_reason(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    from btam_desktop.domain.forms import missing_required
    from btam_desktop.ui.wizard import item_widgets

    reasons = iter([None, "The case was never monitored: closed straight from assessment."])
    monkeypatch.setattr(item_widgets, "ask_not_applicable_reason", lambda *_a: next(reasons))
    case_id = case_titled(demo_app, "harassment", CaseStatus.MANAGEMENT)
    tab = open_tab(qtbot, demo_app, case_id)
    wizard = start_from_tab(qtbot, tab, "checklist", "btam.checklist.closure")
    checks = wizard.item_widget("concern_addressed")
    assert isinstance(checks, item_widgets.ChecklistWidget)
    for key, box in checks.boxes().items():
        if key != "quiet_period":
            click(qtbot, box)
    click(qtbot, wizard.next_button)
    assert "Not ticked yet" in checks.error_text()  # no false tick demanded, but an answer is
    click(qtbot, checks.na_button("quiet_period"))  # cancelled: nothing changes
    assert checks.box("quiet_period").isEnabled()
    click(qtbot, checks.na_button("quiet_period"))
    assert not checks.box("quiet_period").isEnabled()
    assert not checks.box("quiet_period").isChecked()  # never ticked as if it were true
    assert checks.na_note("quiet_period").text().startswith("Does not apply: The case was never")
    value = checks.value()
    assert isinstance(value, tuple)
    assert "na:quiet_period:The case was never monitored: closed straight from assessment." in value
    go_next(qtbot, wizard)
    assert wizard.definition is not None
    answers = wizard.final_answers()
    assert not [
        m for m in missing_required(wizard.definition, answers) if m.item_id == "concern_addressed"
    ]
    # Read back (a restored draft) exactly as it was left; "Applies after all" undoes it.
    checks.set_value(value)
    assert checks.value() == value and not checks.box("quiet_period").isEnabled()
    checks.toggle_not_applicable("quiet_period")
    assert checks.box("quiet_period").isEnabled()
    assert all(not v.startswith("na:") for v in checks.value() or ())


def test_a_screening_names_who_screened(qtbot: QtBot, demo_app: Btam) -> None:
    from PySide6.QtWidgets import QLabel

    case_id = case_titled(demo_app, "gym class", CaseStatus.SCREENING)
    tab = open_tab(qtbot, demo_app, case_id)
    wizard = start_from_tab(qtbot, tab, "screening", "btam.screening")
    assert wizard.summary is not None
    captions = {label.text() for label in wizard.summary.findChildren(QLabel)}
    assert "&Screened by" in captions and "&Who took part" not in captions
    assert wizard.summary.participant_list.accessibleName() == "Team members who screened the case"


def test_a_draft_saved_meanwhile_by_someone_else_pauses_autosave_until_save(
    qtbot: QtBot, demo_app: Btam
) -> None:
    from btam_desktop.domain.forms import Answers

    case_id = case_titled(demo_app, "gym class", CaseStatus.SCREENING)
    tab = open_tab(qtbot, demo_app, case_id)
    wizard = start_from_tab(qtbot, tab, "screening", "btam.screening")
    qtbot.waitUntil(wizard.is_loaded, timeout=TIMEOUT)
    draft_id = wizard.assessment_id
    # Meanwhile someone else (another computer of a team server) saves the same draft.
    stored = demo_app.assessments.get(draft_id)
    theirs = Answers({"screeners": "Theirs"})
    demo_app.assessments.save_draft(draft_id, theirs, expected_revision=stored.revision)
    line = wizard.item_widget("screeners").line  # type: ignore[attr-defined]
    qtbot.keyClicks(line, "Mine")
    qtbot.waitUntil(lambda: wizard.banner.isVisible(), timeout=TIMEOUT)
    message = wizard.banner.text()
    assert "saved this assessment while you were editing it" in message
    assert "Click Save draft to keep them" in message
    assert wizard.saved_label.text() == "Not saved"
    assert demo_app.assessments.get(draft_id).answers["screeners"]["value"] == "Theirs"
    # Autosave waits for the person's choice: more typing saves nothing over theirs.
    qtbot.keyClicks(line, "!")
    qtbot.wait(wizard.AUTOSAVE_MS + 300)
    assert demo_app.assessments.get(draft_id).answers["screeners"]["value"] == "Theirs"
    shots = Path("/tmp/shots/srvdata")
    shots.mkdir(parents=True, exist_ok=True)
    wizard.grab().save(str(shots / "assessment_conflict.png"))
    # Save keeps this person's answers over theirs.
    click(qtbot, wizard.save_button)
    qtbot.waitUntil(lambda: not wizard.has_unsaved_changes(), timeout=TIMEOUT)
    assert demo_app.assessments.get(draft_id).answers["screeners"]["value"] == "Mine!"
