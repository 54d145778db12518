"""Team membership edges, on both stores."""

from __future__ import annotations

import pytest

from btam_desktop.domain.enums import NoteCategory, Role
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
        keys, trusted = again.vault.keyfile, again.vault.trusted_public
        assert keys.user_slot("newbie") is None
        # Still vouched for by the vault key: every slot, and the roster as a whole.
        assert keys.roster_intact(trusted)
        assert all(keys.is_vouched(slot, trusted) for slot in keys.slots)
        again.team.add_member(
            "newbie", "New Bie", Role.MEMBER, "member password 1", kdf_params=CHEAP
        )
        assert "newbie" in again.vault.keyfile.usernames(trusted)
        assert again.vault.role_of("newbie") == Role.MEMBER.value
        assert again.verify_audit().ok  # every event signed by a vouched key
    finally:
        again.vault.lock()
    newbie = open_team(team_location, "newbie", "member password 1")  # type: ignore[arg-type]
    try:
        assert newbie.actor.role is Role.MEMBER
    finally:
        newbie.vault.lock()


def test_drafts_are_kept_changed_and_discarded(coordinator: Btam) -> None:
    coordinator.drafts.save("intake", {"narrative": "half typed", "names": ["Jamie"]})
    coordinator.drafts.save("intake", {"narrative": "typed a bit more", "names": ["Jamie"]})
    assert coordinator.drafts.load("intake") == {
        "narrative": "typed a bit more",
        "names": ["Jamie"],
    }
    assert [d.kind for d in coordinator.drafts.list()] == ["intake"]
    coordinator.drafts.discard("intake")
    assert coordinator.drafts.load("intake") is None


def test_a_case_summary_pdf_is_made_from_either_store(coordinator: Btam) -> None:
    from btam_desktop.reports import export_case_summary
    from tests.services.conftest import intake

    case = coordinator.cases.report_concern(intake(narrative="Seen near the gym on Friday"))
    assert case.id is not None
    coordinator.records.add_note(case.id, NoteCategory.OTHER, "Parents called back")
    pdf = export_case_summary(coordinator, case.id)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    events = coordinator.audit_events(case_id=case.id)
    assert any("summary" in e.summary or e.action.startswith("document") for e in events)
