"""A form puts a service's error at the input the error names, never by matching its words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from btam_desktop.domain.errors import ValidationError
from btam_desktop.services.app import Btam
from btam_desktop.services.plans import ContactInput
from btam_desktop.ui.pages.team import AddMemberDialog
from btam_desktop.ui.plan.contacts import ContactDialog
from btam_desktop.ui.widgets.form_dialog import FormDialog

# Words that mention no input at all: only the field can place this message.
NEUTRAL = "That cannot be kept as it is. Change it and try again."


def _refuse_with(field: str | None) -> Callable[[ContactInput], None]:
    def refuse(data: ContactInput) -> None:
        raise ValidationError(NEUTRAL, field=field)

    return refuse


def _submit(qtbot: QtBot, app: Btam) -> ContactDialog:
    dialog = ContactDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Sam Security")
    qtbot.mouseClick(dialog.save_button(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=5000)
    return dialog


def test_an_error_about_the_name_is_shown_at_the_name(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_app.plans, "add_contact", _refuse_with("name"))
    dialog = _submit(qtbot, demo_app)
    qtbot.waitUntil(lambda: dialog.name_error.isVisible(), timeout=5000)
    assert dialog.name_error.text() == NEUTRAL
    assert not dialog.error_banner.isVisible()
    assert dialog.isVisible()  # nothing typed is lost


@pytest.mark.parametrize("field", [None, "no_such_input"])
def test_an_error_about_no_input_here_is_shown_above_the_form(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch, field: str | None
) -> None:
    monkeypatch.setattr(demo_app.plans, "add_contact", _refuse_with(field))
    dialog = _submit(qtbot, demo_app)
    qtbot.waitUntil(lambda: dialog.error_banner.isVisible(), timeout=5000)
    assert dialog.error_banner.text() == NEUTRAL
    assert not dialog.name_error.isVisible()


class _TwoFields(FormDialog):
    """The kit alone: two keyed rows, and a save that refuses one of them."""

    def __init__(self, refused: str | None) -> None:
        super().__init__("Test form")
        self.refused = refused
        self.first = QLineEdit()
        self.second = QLineEdit()
        self.first_error = self.field("&First:", self.first, key="first")
        self.second_error = self.field("&Second:", self.second, key="second")
        self.finish_layout()

    def build_work(self) -> Callable[[], object] | None:
        refused = self.refused

        def work() -> None:
            raise ValidationError(NEUTRAL, field=refused)

        return work


@pytest.mark.parametrize("refused", ["first", "second"])
def test_the_form_dialog_places_a_refusal_under_the_row_with_that_key(
    qtbot: QtBot, refused: str
) -> None:
    dialog = _TwoFields(refused)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.save_button(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=5000)
    shown, hidden = (
        (dialog.first_error, dialog.second_error)
        if refused == "first"
        else (dialog.second_error, dialog.first_error)
    )
    assert shown.isVisible() and shown.text() == NEUTRAL
    assert not hidden.isVisible()
    assert not dialog.error_banner.isVisible()
    assert shown.field().hasFocus()  # the person lands on what to fix


def test_the_team_dialogs_show_a_problem_under_its_field(qtbot: QtBot, demo_app: Btam) -> None:
    dialog = AddMemberDialog(demo_app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "jrivera")
    qtbot.keyClicks(dialog.full_name, "Jo Rivera")
    qtbot.keyClicks(dialog.password, "maple lantern orbit 47")
    qtbot.keyClicks(dialog.confirm, "maple lantern orbit 48")
    qtbot.mouseClick(dialog.save_button(), Qt.MouseButton.LeftButton)
    assert dialog.confirm_error.isVisible()
    assert "not the same" in dialog.confirm_error.text()
    assert not dialog.password_error.isVisible() and not dialog.error_banner.isVisible()
    assert dialog.focusWidget() is dialog.confirm
    assert dialog.password.text() == "maple lantern orbit 47"  # nothing typed is lost

    dialog.username.setText("no spaces allowed")
    qtbot.mouseClick(dialog.save_button(), Qt.MouseButton.LeftButton)
    assert dialog.username_error.isVisible()
    assert dialog.focusWidget() is dialog.username  # the first problem, top to bottom
    dialog.reject()
