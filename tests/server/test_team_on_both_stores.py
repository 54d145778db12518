"""Team membership edges, on both stores."""

from __future__ import annotations

import pytest

from btam_desktop.domain.enums import Role
from btam_desktop.services.app import Btam
from tests.server.conftest import open_team
from tests.services.conftest import CHEAP, PASSWORD


def test_a_member_whose_account_cannot_be_saved_leaves_no_slot_and_the_team_still_opens(
    coordinator: Btam, team_location: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the account could not be saved")

    monkeypatch.setattr(coordinator.ctx, "audit", refuse)
    with pytest.raises(RuntimeError):
        coordinator.team.add_member("newbie", "New Bie", Role.MEMBER, "member password 1")
    monkeypatch.undo()
    assert coordinator.vault.keyfile.user_slot("newbie") is None
    coordinator.vault.lock()
    again = open_team(team_location, "coord", PASSWORD)  # type: ignore[arg-type]
    try:
        assert again.vault.keyfile.user_slot("newbie") is None
        again.team.add_member(
            "newbie", "New Bie", Role.MEMBER, "member password 1", kdf_params=CHEAP
        )
        assert "newbie" in again.vault.keyfile.usernames()
    finally:
        again.vault.lock()
