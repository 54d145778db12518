"""The "Report a concern" dialog: immediate danger, required fields, drafts, people."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import PersonRole, ThreatDirectness, ThreatExpression
from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.cases import CaseQuery
from btam_desktop.services.demo import DEMO_PASSWORD, DEMO_VIEWER
from btam_desktop.ui import intake_dialog
from btam_desktop.ui.intake_dialog import DRAFT_KIND, EMERGENCY_TEXT, IntakeDialog

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")


def open_intake(qtbot: QtBot, app: Btam) -> IntakeDialog:
    dialog = IntakeDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click as a person would: scroll the form until the button is in view first."""
    dialog = button.window()
    if isinstance(dialog, IntakeDialog) and dialog.body.isAncestorOf(button):
        dialog.scroll_area.ensureWidgetVisible(button)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def cancel_button(dialog: IntakeDialog) -> QAbstractButton:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert button is not None
    return button


def case_count(app: Btam) -> int:
    return app.cases.count(CaseQuery())


@pytest.fixture(autouse=True)
def never_block_on_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dialog left open with content is closed at teardown: answer "discard", don't block."""
    monkeypatch.setattr(intake_dialog, "ask_keep_draft", lambda parent: "discard")


@pytest.fixture
def keep_drafts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Answer "Keep draft" when a dialog with content is closed; record that it asked."""
    asked: list[str] = []

    def answer(parent: QWidget) -> str:
        asked.append("asked")
        return "keep"

    monkeypatch.setattr(intake_dialog, "ask_keep_draft", answer)
    yield asked


def test_immediate_danger_shows_the_banner_at_once_and_records_it(
    qtbot: QtBot, demo_app: Btam
) -> None:
    before = case_count(demo_app)
    dialog = open_intake(qtbot, demo_app)
    assert not dialog.danger_banner.isVisible()

    click(qtbot, dialog.danger_yes)
    assert dialog.danger_banner.isVisible()
    assert dialog.danger_banner.text() == EMERGENCY_TEXT
    assert "911" in dialog.danger_banner.text()
    assert dialog.notice_shown_at is not None
    shown_at = dialog.notice_shown_at

    qtbot.keyClicks(dialog.narrative, "A student said he would bring a knife tomorrow.")
    qtbot.keyClicks(dialog.quote, "I'll bring my knife tomorrow")
    click(qtbot, dialog.expressed[ThreatExpression.VERBAL])
    click(qtbot, dialog.directness[ThreatDirectness.DIRECT])
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.created_case_id is not None, timeout=5000)

    assert not dialog.isVisible()
    assert case_count(demo_app) == before + 1
    case_id = dialog.created_case_id
    assert case_id is not None
    report = demo_app.records.reports(case_id)[0]
    assert report.immediate_danger
    assert report.emergency_notice_shown_at == shown_at
    assert report.expressed_as == ["verbal"]
    assert report.directness == "direct"
    assert report.threat_quote == "I'll bring my knife tomorrow"
    actions = [e.action for e in demo_app.audit_events(case_id=case_id)]
    assert "intake.emergency_notice" in actions
    assert "case.create" in actions
    assert demo_app.drafts.load(DRAFT_KIND) is None


def test_answering_no_hides_the_banner_and_no_danger_is_recorded(
    qtbot: QtBot, demo_app: Btam
) -> None:
    dialog = open_intake(qtbot, demo_app)
    click(qtbot, dialog.danger_yes)
    click(qtbot, dialog.danger_no)
    assert not dialog.danger_banner.isVisible()
    qtbot.keyClicks(dialog.narrative, "Rumor of a fight after school.")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.created_case_id is not None, timeout=5000)
    assert dialog.created_case_id is not None
    report = demo_app.records.reports(dialog.created_case_id)[0]
    assert not report.immediate_danger
    actions = [e.action for e in demo_app.audit_events(case_id=dialog.created_case_id)]
    assert "intake.emergency_notice" not in actions


def test_narrative_is_required_and_the_message_is_at_the_field(
    qtbot: QtBot, demo_app: Btam
) -> None:
    before = case_count(demo_app)
    dialog = open_intake(qtbot, demo_app)
    click(qtbot, dialog.danger_no)
    qtbot.keyClicks(dialog.title_edit, "Note in the library")
    click(qtbot, dialog.save_button)

    assert dialog.isVisible()
    assert dialog.narrative_error.isVisible()
    assert "Describe what was reported" in dialog.narrative_error.text()
    assert dialog.focusWidget() is dialog.narrative
    assert dialog.title_edit.text() == "Note in the library"  # nothing typed is lost
    assert not dialog.is_busy()
    assert case_count(demo_app) == before

    qtbot.keyClicks(dialog.narrative, "Found a note.")
    assert not dialog.narrative_error.isVisible()


def test_the_danger_question_must_be_answered(qtbot: QtBot, demo_app: Btam) -> None:
    dialog = open_intake(qtbot, demo_app)
    qtbot.keyClicks(dialog.narrative, "Something was said at lunch.")
    click(qtbot, dialog.save_button)
    assert dialog.danger_error.isVisible()
    assert "immediate danger" in dialog.danger_error.text()
    assert dialog.created_case_id is None


def test_draft_is_restored_after_keep_draft_and_reopening(
    qtbot: QtBot, demo_app: Btam, keep_drafts: list[str]
) -> None:
    dialog = open_intake(qtbot, demo_app)
    click(qtbot, dialog.danger_yes)
    qtbot.keyClicks(dialog.title_edit, "Threat in the hallway")
    qtbot.keyClicks(dialog.narrative, "Two students overheard a threat.")
    qtbot.keyClicks(dialog.subjects.rows[0][0], "Jordan Example")
    click(qtbot, dialog.expressed[ThreatExpression.WRITTEN])
    click(qtbot, cancel_button(dialog))
    assert keep_drafts == ["asked"]
    assert not dialog.isVisible()

    again = open_intake(qtbot, demo_app)
    assert again.draft_banner.isVisible()
    assert again.draft_banner.text().startswith("Restored your unsaved report from ")
    assert again.title_edit.text() == "Threat in the hallway"
    assert again.narrative.toPlainText() == "Two students overheard a threat."
    assert again.subjects.values() == [{"name": "Jordan Example", "detail": ""}]
    assert again.expressed[ThreatExpression.WRITTEN].isChecked()
    assert again.danger_yes.isChecked()
    assert again.danger_banner.isVisible()
    assert again.notice_shown_at == dialog.notice_shown_at

    click(qtbot, again.draft_banner.action_button())  # Discard
    assert not again.draft_banner.isVisible()
    assert again.narrative.toPlainText() == ""
    assert not again.danger_yes.isChecked()
    assert demo_app.drafts.load(DRAFT_KIND) is None


def test_every_change_saves_a_draft_after_a_pause(qtbot: QtBot, demo_app: Btam) -> None:
    dialog = open_intake(qtbot, demo_app)
    qtbot.keyClicks(dialog.narrative, "A concerning drawing.")
    assert demo_app.drafts.load(DRAFT_KIND) is None  # not at once: debounced
    qtbot.waitUntil(lambda: demo_app.drafts.load(DRAFT_KIND) is not None, timeout=4000)
    draft = demo_app.drafts.load(DRAFT_KIND)
    assert draft is not None
    assert draft["narrative"] == "A concerning drawing."
    dialog._closing = True  # leave without the question; the draft stays


def test_save_draft_keeps_the_typing_at_once_for_a_lock(qtbot: QtBot, demo_app: Btam) -> None:
    dialog = open_intake(qtbot, demo_app)
    qtbot.keyClicks(dialog.reporter_name, "Ms. Rivera")
    dialog.save_draft()
    draft = demo_app.drafts.load(DRAFT_KIND)
    assert draft is not None
    assert draft["reporter"]["name"] == "Ms. Rivera"
    dialog._closing = True


def test_closing_asks_and_discard_or_cancel_do_what_they_say(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = ["cancel", "discard"]
    monkeypatch.setattr(intake_dialog, "ask_keep_draft", lambda parent: answers.pop(0))
    dialog = open_intake(qtbot, demo_app)
    qtbot.keyClicks(dialog.narrative, "Something happened.")
    dialog.save_draft()
    click(qtbot, cancel_button(dialog))
    assert dialog.isVisible()  # Cancel: back to the form
    assert dialog.narrative.toPlainText() == "Something happened."
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert demo_app.drafts.load(DRAFT_KIND) is None
    assert answers == []


def test_closing_an_empty_form_asks_nothing(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(parent: QWidget) -> str:
        raise AssertionError("an empty form needs no question")

    monkeypatch.setattr(intake_dialog, "ask_keep_draft", never)
    dialog = open_intake(qtbot, demo_app)
    click(qtbot, cancel_button(dialog))
    assert not dialog.isVisible()


def test_anonymous_keeps_the_contact_and_never_drops_a_typed_name(
    qtbot: QtBot, demo_app: Btam
) -> None:
    dialog = open_intake(qtbot, demo_app)
    qtbot.keyClicks(dialog.reporter_name, "Pat Parent")
    qtbot.keyClicks(dialog.reporter_contact, "Tip line ref 4471")
    click(qtbot, dialog.reporter_anonymous)
    # The name stays as typed, and the person is told what to do with it.
    assert dialog.reporter_name.isEnabled()
    assert dialog.reporter_name.text() == "Pat Parent"
    assert "Confidential" in dialog.reporter_error.text()
    click(qtbot, dialog.danger_no)
    qtbot.keyClicks(dialog.narrative, "Anonymous tip about a weapon in a locker.")
    click(qtbot, dialog.save_button)
    assert dialog.created_case_id is None
    assert "anonymous reporter" in dialog.reporter_error.text()

    dialog.reporter_name.clear()
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.created_case_id is not None, timeout=5000)
    assert dialog.created_case_id is not None
    report = demo_app.records.reports(dialog.created_case_id)[0]
    assert report.reporter_anonymous
    assert not report.reporter_confidential
    reporter = next(
        p for p in demo_app.records.people(dialog.created_case_id) if p.role == "reporter"
    )
    assert reporter.anonymous
    assert reporter.contact == "Tip line ref 4471"


def test_confidential_reporter_is_recorded_and_marked(qtbot: QtBot, demo_app: Btam) -> None:
    dialog = open_intake(qtbot, demo_app)
    click(qtbot, dialog.reporter_confidential)
    click(qtbot, dialog.danger_no)
    qtbot.keyClicks(dialog.narrative, "A classmate saw the post and told the counselor.")
    click(qtbot, dialog.save_button)
    assert dialog.created_case_id is None
    assert "give the name" in dialog.reporter_error.text()

    qtbot.keyClicks(dialog.reporter_name, "Casey Classmate")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.created_case_id is not None, timeout=5000)
    case_id = dialog.created_case_id
    assert case_id is not None
    report = demo_app.records.reports(case_id)[0]
    assert report.reporter_confidential and not report.reporter_anonymous
    reporter = next(p for p in demo_app.records.people(case_id) if p.role == "reporter")
    assert reporter.full_name == "Casey Classmate"
    assert demo_app.cases.confidential_reporter_ids(case_id) == {reporter.id}


def test_not_sure_shows_the_emergency_instruction_and_records_the_call(
    qtbot: QtBot, demo_app: Btam
) -> None:
    dialog = open_intake(qtbot, demo_app)
    click(qtbot, dialog.danger_unsure)
    assert dialog.danger_banner.isVisible()
    assert dialog.danger_banner.text() == EMERGENCY_TEXT
    assert dialog.notice_shown_at is not None
    assert not dialog.emergency_by.isVisible()
    dialog.emergency_called.setCurrentIndex(dialog.emergency_called.findData("yes"))
    assert dialog.emergency_by.isVisible() and dialog.emergency_at.isVisible()
    qtbot.keyClicks(dialog.emergency_by, "Officer Reyes (SRO)")
    qtbot.keyClicks(dialog.narrative, "A post said 'if they suspend me, everyone pays'.")
    click(qtbot, dialog.expressed[ThreatExpression.SOCIAL_MEDIA])
    click(qtbot, dialog.directness[ThreatDirectness.VEILED])
    click(qtbot, dialog.conditional)
    dialog.channel.setCurrentIndex(dialog.channel.findData("social_media"))
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.created_case_id is not None, timeout=5000)
    assert dialog.created_case_id is not None
    report = demo_app.records.reports(dialog.created_case_id)[0]
    assert report.danger_answer == "not_sure"
    assert report.immediate_danger  # recorded the same way as yes
    assert report.emergency_notice_shown_at is not None
    assert report.emergency_called == "yes"
    assert report.emergency_called_by == "Officer Reyes (SRO)"
    assert report.emergency_called_at is not None
    assert report.expressed_as == ["social_media"]
    assert report.directness == "veiled" and report.conditional
    assert report.channel == "social_media"
    assert ThreatDirectness.CONDITIONAL not in dialog.directness  # its own question now


def test_who_called_without_yes_is_not_dropped(qtbot: QtBot, demo_app: Btam) -> None:
    dialog = open_intake(qtbot, demo_app)
    click(qtbot, dialog.danger_yes)
    dialog.emergency_called.setCurrentIndex(dialog.emergency_called.findData("yes"))
    qtbot.keyClicks(dialog.emergency_by, "Ms. Lane")
    dialog.emergency_called.setCurrentIndex(dialog.emergency_called.findData("no"))
    assert dialog.emergency_by.text() == "Ms. Lane"
    qtbot.keyClicks(dialog.narrative, "Something happened.")
    click(qtbot, dialog.save_button)
    assert dialog.created_case_id is None
    assert "Who called" in dialog.emergency_error.text()


def test_evidence_is_attached_with_the_report(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    voicemail = tmp_path / "voicemail.wav"
    voicemail.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40)
    tool = tmp_path / "tool.exe"
    tool.write_bytes(b"MZ\x90\x00")
    monkeypatch.setattr(
        intake_dialog, "choose_evidence_files", lambda parent: [str(voicemail), str(tool)]
    )
    dialog = open_intake(qtbot, demo_app)
    click(qtbot, dialog.attach_button)
    assert dialog.evidence_list.count() == 1
    assert "voicemail.wav" in dialog.evidence_list.item(0).text()
    assert "tool.exe" in dialog.evidence_error.text()
    click(qtbot, dialog.danger_no)
    qtbot.keyClicks(dialog.narrative, "A veiled voicemail left for the supervisor.")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.created_case_id is not None, timeout=5000)
    assert dialog.created_case_id is not None
    attachments = demo_app.records.attachments(dialog.created_case_id)
    assert [(a.file_name, a.media_type) for a in attachments] == [("voicemail.wav", "audio/wav")]


@pytest.mark.parametrize("answer", [False, True])
def test_a_received_date_over_a_year_ago_asks_first(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch, answer: bool
) -> None:
    asked: list[str] = []

    def confirm(parent: QWidget, title: str, text: str) -> bool:
        asked.append(text)
        return answer

    monkeypatch.setattr(intake_dialog, "confirm_date", confirm)
    dialog = open_intake(qtbot, demo_app)
    dialog.received.setDateTime(dialog.received.dateTime().addYears(-2))
    click(qtbot, dialog.danger_no)
    qtbot.keyClicks(dialog.narrative, "An old note was found in a drawer.")
    click(qtbot, dialog.save_button)
    assert len(asked) == 1 and "more than a year ago" in asked[0]
    if answer:
        qtbot.waitUntil(lambda: dialog.created_case_id is not None, timeout=5000)
    else:
        assert dialog.created_case_id is None
        assert "case number" in dialog.received_error.text()


def test_the_dialog_fits_a_small_screen(qtbot: QtBot, demo_app: Btam) -> None:
    """1366×768 at 125% leaves about 1093×574 logical pixels for a window."""
    dialog = open_intake(qtbot, demo_app)
    available = dialog.screen().availableGeometry()
    assert dialog.height() <= available.height() - 40
    assert dialog.minimumSizeHint().height() <= 560
    assert dialog.minimumSizeHint().width() <= 1000
    dialog.resize(1000, 560)
    assert dialog.height() == 560
    assert dialog.save_button.isVisible()


def test_people_and_the_default_title(qtbot: QtBot, demo_app: Btam) -> None:
    dialog = open_intake(qtbot, demo_app)
    click(qtbot, dialog.danger_no)
    qtbot.keyClicks(dialog.reporter_name, "Mr. Teacher")
    qtbot.keyClicks(dialog.subjects.rows[0][1], "Grade 9")  # a subject not known by name yet
    click(qtbot, dialog.subjects.add_button)
    qtbot.keyClicks(dialog.subjects.rows[1][0], "Sam Subject")
    qtbot.keyClicks(dialog.targets.rows[0][0], "Taylor Target")
    qtbot.keyClicks(dialog.narrative, "Said something in class.")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.created_case_id is not None, timeout=5000)
    assert dialog.created_case_id is not None
    case = demo_app.cases.get(dialog.created_case_id)
    assert case.title == f"Report of concern {case.number}"
    people = demo_app.records.people(case.id or 0)
    roles = sorted((p.role, p.full_name, p.grade_or_position) for p in people)
    assert roles == [
        (PersonRole.REPORTER.value, "Mr. Teacher", ""),
        (PersonRole.SUBJECT.value, "", "Grade 9"),
        (PersonRole.SUBJECT.value, "Sam Subject", ""),
        (PersonRole.TARGET.value, "Taylor Target", ""),
    ]


def test_a_target_with_details_needs_a_name(qtbot: QtBot, demo_app: Btam) -> None:
    dialog = open_intake(qtbot, demo_app)
    click(qtbot, dialog.danger_no)
    qtbot.keyClicks(dialog.narrative, "Threat against a teacher.")
    qtbot.keyClicks(dialog.targets.rows[0][1], "Staff")
    click(qtbot, dialog.save_button)
    error = dialog.targets.rows[0][3]
    assert error.isVisible()
    assert "target's name" in error.text()
    assert dialog.created_case_id is None


def test_setting_defaults_to_the_team_setting(qtbot: QtBot, demo_app: Btam) -> None:
    settings = demo_app.settings()
    settings.default_setting = "workplace"
    demo_app.save_settings(settings)
    dialog = open_intake(qtbot, demo_app)
    assert dialog.setting.currentData() == "workplace"


def test_every_control_has_an_accessible_name(qtbot: QtBot, demo_app: Btam) -> None:
    dialog = open_intake(qtbot, demo_app)
    for control in dialog.findChildren(QWidget):
        if isinstance(control, QAbstractButton | QLineEdit | QPlainTextEdit | QComboBox):
            if control.objectName().startswith("qt_") or isinstance(control.parent(), QComboBox):
                continue  # Qt's own parts (a date box's line edit): the box itself is named
            assert control.accessibleName(), f"unnamed {type(control).__name__}"


def test_tab_order_follows_the_form(qtbot: QtBot, demo_app: Btam) -> None:
    dialog = open_intake(qtbot, demo_app)
    dialog.narrative.setFocus()
    qtbot.keyClick(dialog.narrative, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.quote  # Tab leaves the text box; it does not type a tab


def test_a_viewer_cannot_save_a_report(qtbot: QtBot, demo_app: Btam, demo_vault) -> None:  # type: ignore[no-untyped-def]
    demo_app.lock()
    viewer = unlock(demo_vault, DEMO_VIEWER, DEMO_PASSWORD)
    try:
        dialog = open_intake(qtbot, viewer)
        assert not dialog.save_button.isEnabled()
        assert "viewer" in dialog.save_button.toolTip()
    finally:
        viewer.lock()
