"""Two people editing one case: the second to save an older copy is told who changed what."""

from __future__ import annotations

import pytest

from btam_desktop.domain.enums import Priority
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import EditConflictError
from tests.server.conftest import open_team
from tests.services.conftest import MEMBER_PASSWORD, intake


def test_saving_an_older_copy_is_refused_and_names_who_changed_what(
    coordinator: Btam, team_location: object, store_kind: str
) -> None:
    case = coordinator.cases.report_concern(intake())
    assert case.id is not None
    if store_kind == "vault":  # a vault has one computer: the other person signs in after
        coordinator.vault.lock()
    # (on a team server both are signed in at once, on two computers)
    other = open_team(team_location, "member", MEMBER_PASSWORD)  # type: ignore[arg-type]
    mine = coordinator
    try:
        seen = other.cases.get(case.id).updated_at  # both opened the same version
        other.cases.update(case.id, priority=Priority.HIGH, expected_version=seen)
        if store_kind == "vault":
            other.vault.lock()
            mine = open_team(team_location, "coord", "coordinator pass 1")  # type: ignore[arg-type]
        with pytest.raises(EditConflictError) as refused:
            mine.cases.update(case.id, site="South Middle", expected_version=seen)
        message = str(refused.value)
        assert "Mel Member" in message and "priority" in message and "not saved" in message
        assert mine.cases.get(case.id).site == "North High"  # nothing of the old copy saved
        # Choosing to save over theirs: with the version now current, it saves.
        current = mine.cases.get(case.id).updated_at
        saved = mine.cases.update(case.id, site="South Middle", expected_version=current)
        assert saved.site == "South Middle" and saved.priority == Priority.HIGH.value
    finally:
        for app in (other, mine, coordinator):
            if app.vault.is_open:
                app.vault.lock()


def test_a_current_copy_saves_without_complaint(coordinator: Btam) -> None:
    case = coordinator.cases.report_concern(intake())
    assert case.id is not None
    version = coordinator.cases.get(case.id).updated_at
    first = coordinator.cases.update(case.id, site="East", expected_version=version)
    second = coordinator.cases.update(case.id, site="West", expected_version=first.updated_at)
    assert second.site == "West"
