"""Team members: adding, removing (with rekey), passwords, the recovery path, training."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from btam_desktop.domain.enums import Role
from btam_desktop.services.app import Btam, recover_and_reset, unlock, vault_usernames
from btam_desktop.store.errors import ValidationError, WrongCredentialsError, WrongRecoveryKeyError
from tests.services.conftest import CHEAP, MEMBER_PASSWORD, PASSWORD


def test_added_member_can_sign_in_with_their_role(coordinator: Btam, vault_dir: Path) -> None:
    assert vault_usernames(vault_dir) == ["coord", "member", "viewer"]
    coordinator.vault.lock()
    member = unlock(vault_dir, "MEMBER", MEMBER_PASSWORD)  # user names are not case-sensitive
    assert member.actor.role is Role.MEMBER
    member.vault.lock()


def test_removed_member_cannot_sign_in_and_others_still_can(
    coordinator: Btam, vault_dir: Path
) -> None:
    member = next(m for m in coordinator.team.members() if m.username == "member")
    steps: list[str] = []
    coordinator.team.remove_member(member.id, lambda d, t, m: steps.append(m))
    assert steps[-1] == "Done"
    assert "member" not in vault_usernames(vault_dir)
    coordinator.vault.lock()
    with pytest.raises(WrongCredentialsError):
        unlock(vault_dir, "member", MEMBER_PASSWORD)
    again = unlock(vault_dir, "coord", PASSWORD)
    assert again.verify_audit().ok
    again.vault.lock()


def test_team_keeps_a_coordinator_and_you_cannot_remove_yourself(coordinator: Btam) -> None:
    me = coordinator.actor.account_id
    with pytest.raises(ValidationError, match="your own account"):
        coordinator.team.remove_member(me)
    with pytest.raises(ValidationError, match="at least one coordinator"):
        coordinator.team.change_role(me, Role.MEMBER)


def test_recovery_key_resets_a_forgotten_password(tmp_path: Path) -> None:
    from btam_desktop.domain.enums import CaseSetting
    from btam_desktop.services.app import NewTeam, create_team_vault

    folder = tmp_path / "v"
    app, recovery = create_team_vault(
        folder,
        NewTeam(
            "T",
            CaseSetting.WORKPLACE,
            "scale.florida",
            "lead",
            "Lee Lead",
            "first lantern password",
        ),
        kdf_params=CHEAP,
    )
    app.lock()
    with pytest.raises(WrongRecoveryKeyError):
        recover_and_reset(folder, "AAAA-" * 7 + "AAAA", "lead", "second maple password", CHEAP)
    recover_and_reset(
        folder, recovery.lower().replace("-", " "), "lead", "second maple password", CHEAP
    )
    with pytest.raises(WrongCredentialsError):
        unlock(folder, "lead", "first lantern password")
    again = unlock(folder, "lead", "second maple password")
    actions = [e.action for e in again.audit_events(limit=5)]
    # newest first: this sign-in, the two failures noted before it, the reset
    assert actions[:4] == [
        "vault.unlock",
        "signin.failed",
        "signin.recovery_failed",
        "team.password_reset",
    ]
    again.lock()


def test_change_own_password(coordinator: Btam, vault_dir: Path) -> None:
    with pytest.raises(WrongCredentialsError):
        coordinator.team.change_own_password("not it", "a brand new password")
    with pytest.raises(ValidationError, match="at least 10"):
        coordinator.team.change_own_password(PASSWORD, "short")
    coordinator.team.change_own_password(PASSWORD, "a brand new password")
    coordinator.lock()
    unlock(vault_dir, "coord", "a brand new password").lock()


def test_training_records_and_expiry(coordinator: Btam) -> None:
    me = coordinator.actor.account_id
    soon = date.today() + timedelta(days=20)
    coordinator.team.add_training(me, "BTAM 101", "State center", date(2024, 5, 1), soon)
    coordinator.team.add_training(me, "Interviewing", "", date(2025, 1, 1), None)
    assert [r.course for r in coordinator.team.expiring_training(30)] == ["BTAM 101"]
    with pytest.raises(ValidationError, match="after the completion"):
        coordinator.team.add_training(me, "X", "", date(2025, 1, 1), date(2024, 1, 1))
