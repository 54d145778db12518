"""The window's generic error words come from one module, ui/messages.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from btam_desktop.domain.errors import ValidationError
from btam_desktop.ui import messages
from btam_desktop.ui.case_tabs.common import error_message
from btam_desktop.ui.lifecycle_dialogs import GENERIC_ERROR as LIFECYCLE_ERROR
from btam_desktop.ui.unlock import user_message

UI = Path(messages.__file__).parent
# The crash dialog says its own, longer thing: it reports a crash, not a refused action.
OWN_WORDS = {UI / "messages.py", UI / "crash.py"}


def test_no_screen_spells_out_its_own_generic_error() -> None:
    spelled = [
        str(path.relative_to(UI))
        for path in sorted(UI.rglob("*.py"))
        if path not in OWN_WORDS and "Something went wrong" in path.read_text(encoding="utf-8")
    ]
    assert spelled == []


def test_a_bug_gets_the_shared_words_and_never_its_own_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bug = RuntimeError("Jamie said something about Friday")
    assert error_message(bug) == messages.NOT_SAVED
    assert user_message(bug) == messages.NOT_SAVED
    assert LIFECYCLE_ERROR == messages.NOT_CHANGED
    assert "Jamie" not in caplog.text  # logged by type only
    assert error_message(ValidationError("Give the case a title.")) == "Give the case a title."


def test_a_list_that_did_not_load_says_what_and_what_to_do() -> None:
    text = messages.not_loaded("the cases", "Press F5 to try again.")
    assert text.startswith("Something went wrong while loading the cases;")
    assert text.endswith("Press F5 to try again.")
