"""Issue 10: records that hold up against insiders who hold a password.

Each attack is done the way the security review did it: through the store, with the
attacker's own password (so with the data key), dropping the append-only triggers first.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from btam_desktop import cli
from btam_desktop.domain.enums import CaseStatus, Role
from btam_desktop.domain.models import AuditEvent
from btam_desktop.domain.workflow import MoveRequest, WorkflowAction
from btam_desktop.services.app import Btam, recover_and_reset, unlock, vault_usernames
from btam_desktop.services.settings import TeamSettings
from btam_desktop.store import anchors, audit, crypto, signing
from btam_desktop.store.errors import (
    PermissionDeniedError,
    VaultBehindError,
    VaultDamagedError,
    VaultKeyMismatchError,
    WrongCredentialsError,
)
from btam_desktop.store.keyfile_names import DB_NAME, KEYS_NAME
from btam_desktop.store.keyslots import SLOT_USER, KeyFile
from btam_desktop.store.vault import Vault
from tests.services.conftest import (
    CHEAP,
    MEMBER_PASSWORD,
    PASSWORD,
    VIEWER_PASSWORD,
    intake,
)

INSIDERS = {"viewer": VIEWER_PASSWORD, "member": MEMBER_PASSWORD}


def _case_with_level(coordinator: Btam) -> int:
    case = coordinator.cases.report_concern(intake())
    assert case.id is not None
    coordinator.cases.decide_level(case.id, "high", "threat with a date and a plan")
    return case.id


def _insider(vault_dir: Path, who: str) -> Vault:
    """The insider opens the vault through the store with her own password and removes the
    append-only triggers."""
    vault = Vault.open(vault_dir, who, INSIDERS[who])
    with vault.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_no_delete")
    return vault


def _rehash_from(vault: Vault, first_id: int) -> None:
    """Renumber and re-hash the chain from ``first_id`` on and update the stored head, as a
    careful attacker would. Events in her own name are re-signed with her own key."""
    with vault.write() as session:
        events = session.exec(
            select(AuditEvent).where(col(AuditEvent.id) >= first_id).order_by(col(AuditEvent.id))
        ).all()
        previous = session.get(AuditEvent, first_id - 1)
        prev_hash = previous.hash if previous else audit.GENESIS
        rows = [e.model_dump() for e in events]
        session.execute(text("DELETE FROM audit_event WHERE id >= :i"), {"i": first_id})
        for new_id, row in enumerate(rows, start=first_id):
            row["id"], row["prev_hash"] = new_id, prev_hash
            row["hash"] = audit.event_hash(
                event_id=new_id,
                at=row["at"],
                username=row["username"],
                action=row["action"],
                entity_kind=row["entity_kind"],
                entity_id=row["entity_id"],
                summary=row["summary"],
                prev_hash=prev_hash,
                case_id=row["case_id"],
            )
            assert vault.signer is not None
            if row["username"] == vault.signer.username:
                message = audit.signed_message(row["hash"], row["state_hash"])
                row["signature"] = signing.b64(vault.signer.sign(message))
                row["signer_key"] = vault.signer.key_id
            session.add(AuditEvent(**row))
            prev_hash = row["hash"]
        last = first_id + len(rows) - 1
        session.execute(
            text("UPDATE vault_info SET value=:v WHERE key=:k"),
            {"v": str(last), "k": "audit_head_id"},
        )
        session.execute(
            text("UPDATE vault_info SET value=:v WHERE key=:k"),
            {"v": prev_hash, "k": "audit_head_hash"},
        )


def _verify_as_coordinator(vault_dir: Path) -> tuple[audit.ChainReport, str | None]:
    app = unlock(vault_dir, "coord", PASSWORD, inspect_older_copy=True)
    try:
        return app.verify_audit(), app.integrity_problem
    finally:
        app.lock()


def _cli_verify(
    vault_dir: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str]:
    import io
    import sys

    sys.stdin = io.StringIO(PASSWORD + "\n")
    try:
        code = cli.main(
            [
                "audit",
                "verify",
                "--vault",
                str(vault_dir),
                "--user",
                "coord",
                "--password-stdin",
                *extra,
            ]
        )
    finally:
        sys.stdin = sys.__stdin__
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("who", ["viewer", "member"])
def test_deleting_own_events_and_rehashing_is_caught_and_located(
    coordinator: Btam, vault_dir: Path, who: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _case_with_level(coordinator)
    coordinator.lock()
    unlock(vault_dir, who, INSIDERS[who]).lock()  # the insider's own sign-in and lock events
    unlock(vault_dir, "coord", PASSWORD).lock()  # later events by someone else
    vault = _insider(vault_dir, who)
    with vault.read() as session:
        own = session.exec(
            select(AuditEvent).where(AuditEvent.username == who).order_by(col(AuditEvent.id))
        ).all()
    first_own = own[0].id
    assert first_own is not None
    with vault.write() as session:
        session.execute(text("DELETE FROM audit_event WHERE username = :u"), {"u": who})
    _rehash_from(vault, first_own)
    vault.lock()

    with pytest.raises(VaultBehindError, match="missing"):  # fewer events than seen here
        unlock(vault_dir, "coord", PASSWORD)
    code, printed = _cli_verify(vault_dir, capsys)
    assert code != 0
    assert f"broken at event {first_own}" in printed
    assert "not signed by" in printed
    assert "behind what this computer has seen" in printed
    report, at_open = _verify_as_coordinator(vault_dir)
    assert not report.ok and report.first_broken_id == first_own
    assert at_open is not None and f"event {first_own}" in at_open


@pytest.mark.parametrize("who", ["viewer", "member"])
def test_editing_a_level_of_concern_row_is_caught_and_located(
    coordinator: Btam, vault_dir: Path, who: str, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id = _case_with_level(coordinator)
    coordinator.lock()
    vault = _insider(vault_dir, who)
    with vault.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE level_decision SET level='low', rationale='nothing to see' WHERE case_id=?",
            (case_id,),
        )
        conn.exec_driver_sql("UPDATE case_file SET level='low' WHERE id=?", (case_id,))
    vault.lock()
    code, printed = _cli_verify(vault_dir, capsys)
    assert code != 0
    assert f"case {case_id} is not as its last signed event" in printed
    report, at_open = _verify_as_coordinator(vault_dir)
    assert not report.ok and report.first_broken_id is not None
    assert at_open is not None and f"case {case_id}" in at_open


@pytest.mark.parametrize("who", ["viewer", "member"])
def test_promoting_oneself_in_the_database_gives_no_power_and_is_reported(
    coordinator: Btam, vault_dir: Path, who: str, capsys: pytest.CaptureFixture[str]
) -> None:
    coordinator.lock()
    vault = _insider(vault_dir, who)
    with vault.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE account SET role='coordinator' WHERE username=?", (who,))
    vault.lock()
    insider = unlock(vault_dir, who, INSIDERS[who])
    try:
        assert insider.actor.role == Role(who)  # the vault key vouches for the old role
        with pytest.raises(PermissionDeniedError):
            insider.team.add_member("mallory", "Mallory", Role.COORDINATOR, "a long password 1")
        assert insider.vault.vault_signer is None  # no vault key to vouch with
    finally:
        insider.lock()
    code, printed = _cli_verify(vault_dir, capsys)
    assert code != 0
    assert f"team member {who} has the role coordinator in the database" in printed


def test_an_untouched_trail_verifies_with_signatures(coordinator: Btam, vault_dir: Path) -> None:
    case_id = _case_with_level(coordinator)
    coordinator.cases.move(case_id, MoveRequest(WorkflowAction.START_SCREENING))
    coordinator.team.change_role(coordinator.team.members()[-1].id or 0, Role.MEMBER)
    coordinator.lock()
    member = unlock(vault_dir, "member", MEMBER_PASSWORD)
    member.cases.decide_level(case_id, "moderate", "new information")
    member.lock()
    # Retired keys still vouch for what they signed: a reset and a removal keep the trail whole.
    app = unlock(vault_dir, "coord", PASSWORD)
    app.team.reset_password("member", "member's second password")
    viewer_id = next(m.id for m in app.team.members() if m.username == "viewer")
    assert viewer_id is not None
    app.team.remove_member(viewer_id)
    app.lock()
    report, at_open = _verify_as_coordinator(vault_dir)
    assert report.ok and report.signed, report.describe()
    assert at_open is None
    assert "every event signed by its author" in report.describe()


def test_older_copy_is_reported_on_the_computer_that_saw_the_newer_one(
    coordinator: Btam, vault_dir: Path, tmp_path: Path
) -> None:
    case_id = _case_with_level(coordinator)
    coordinator.lock()
    old = tmp_path / "old-copy"
    old.mkdir()
    for name in (DB_NAME, KEYS_NAME):
        shutil.copy2(vault_dir / name, old / name)
    app = unlock(vault_dir, "coord", PASSWORD)
    app.cases.decide_level(case_id, "imminent", "raised after a new report")
    app.cases.set_legal_hold(case_id, True, "litigation expected")
    app.lock()
    for name in (DB_NAME, KEYS_NAME):
        shutil.copy2(old / name, vault_dir / name)
    (vault_dir / (DB_NAME + "-wal")).unlink(missing_ok=True)

    with pytest.raises(VaultBehindError) as behind:
        unlock(vault_dir, "member", MEMBER_PASSWORD)
    assert behind.value.missing_events >= 4
    assert f"missing {behind.value.missing_events} events recorded on this computer" in str(
        behind.value
    )
    assert date.today().strftime("%b") in str(behind.value)
    with pytest.raises(PermissionDeniedError):
        unlock(vault_dir, "member", MEMBER_PASSWORD, accept_older_copy=True)
    accepted = unlock(vault_dir, "coord", PASSWORD, accept_older_copy=True)
    try:
        actions = [e.action for e in accepted.audit_events(limit=5)]
        assert "vault.older_copy_accepted" in actions
    finally:
        accepted.lock()
    unlock(vault_dir, "member", MEMBER_PASSWORD).lock()  # accepted: no longer behind


def test_exported_head_catches_events_cut_off_the_end(
    coordinator: Btam, vault_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = coordinator.audit_head()
    head_file = tmp_path / "head.txt"
    head_file.write_text(head)
    position = int(head.split(":")[1])
    coordinator.lock()
    code, printed = _cli_verify(vault_dir, capsys, "--expect", str(head_file))
    assert code == 0, printed
    # A member cuts the newest events off and fixes the head; signatures alone cannot see it.
    vault = _insider(vault_dir, "member")
    with vault.write() as session:
        session.execute(text("DELETE FROM audit_event WHERE id >= :i"), {"i": position})
        prev = session.get(AuditEvent, position - 1)
        assert prev is not None
        session.execute(
            text("UPDATE vault_info SET value=:v WHERE key='audit_head_id'"),
            {"v": str(position - 1)},
        )
        session.execute(
            text("UPDATE vault_info SET value=:v WHERE key='audit_head_hash'"), {"v": prev.hash}
        )
    vault.lock()
    shutil.rmtree(anchors.known_vaults_dir())  # as if checked on another computer
    code, printed = _cli_verify(vault_dir, capsys, "--expect", head)
    assert code != 0
    assert f"broken at event {position}" in printed


def test_coordinator_reset_rotates_the_key_so_an_old_key_file_opens_nothing(
    coordinator: Btam, vault_dir: Path, tmp_path: Path
) -> None:
    coordinator.lock()
    old_keys = tmp_path / "old.keys"
    shutil.copy2(vault_dir / KEYS_NAME, old_keys)
    # A coordinator's reset (the recovery-key reset is the next test) rotates the data key.
    app = unlock(vault_dir, "coord", PASSWORD)
    generation = app.vault.keyfile.generation
    app.team.reset_password("member", "member's new password")
    assert app.vault.keyfile.generation == generation + 1
    app.lock()
    shutil.copy2(old_keys, vault_dir / KEYS_NAME)
    with pytest.raises(VaultDamagedError, match="does not belong to this database"):
        Vault.open(vault_dir, "member", MEMBER_PASSWORD)


def test_reset_with_the_recovery_key_rotates_the_data_key(tmp_path: Path) -> None:
    from btam_desktop.domain.enums import CaseSetting
    from btam_desktop.services.app import NewTeam, create_team_vault

    folder = tmp_path / "v"
    app, recovery = create_team_vault(
        folder,
        NewTeam("T", CaseSetting.SCHOOL, "scale.four-level", "coord", "Cory", PASSWORD),
        kdf_params=CHEAP,
    )
    app.team.add_member("member", "Mel", Role.MEMBER, MEMBER_PASSWORD, kdf_params=CHEAP)
    app.lock()
    old_keys = (folder / KEYS_NAME).read_bytes()
    recover_and_reset(folder, recovery, "member", "member's new password 2", CHEAP)
    member = unlock(folder, "member", "member's new password 2")
    assert member.integrity_problem is None  # the recovery key's own events verify
    member.lock()
    (folder / KEYS_NAME).write_bytes(old_keys)
    with pytest.raises(VaultDamagedError, match="does not belong to this database"):
        Vault.open(folder, "member", MEMBER_PASSWORD)


def test_password_change_can_rotate_the_key(coordinator: Btam, vault_dir: Path) -> None:
    old_keys = (vault_dir / KEYS_NAME).read_bytes()
    coordinator.team.change_own_password(PASSWORD, "a brand new password", rotate_key=True)
    coordinator.lock()
    unlock(vault_dir, "coord", "a brand new password").lock()
    (vault_dir / KEYS_NAME).write_bytes(old_keys)
    with pytest.raises(VaultDamagedError):
        Vault.open(vault_dir, "coord", PASSWORD)


@pytest.mark.parametrize("who", ["viewer", "member"])
def test_planted_or_altered_slot_is_not_listed_and_does_not_open(
    coordinator: Btam, vault_dir: Path, who: str
) -> None:
    coordinator.lock()
    vault = Vault.open(vault_dir, who, INSIDERS[who])
    data_key = vault._data_key()
    keyfile = vault.keyfile.copy()
    vault.lock()
    planted, _ = keyfile.new_slot(
        SLOT_USER,
        "IT-Support (type your password here)",
        b"anything at all",
        data_key,
        CHEAP,
        role="coordinator",
    )
    keyfile.slots.append(planted)
    keyfile.authenticate(data_key)  # the insider can still make the file's MAC fit
    keyfile.write(vault_dir / KEYS_NAME)
    assert "IT-Support (type your password here)" not in vault_usernames(vault_dir)
    assert vault_usernames(vault_dir) == ["coord", "member", "viewer"]
    with pytest.raises(WrongCredentialsError):
        Vault.open(vault_dir, "IT-Support (type your password here)", "anything at all")

    # Altered: the insider's own slot rewritten to claim the coordinator role.
    raw = json.loads((vault_dir / KEYS_NAME).read_text())
    for slot in raw["slots"]:
        if slot.get("username") == who:
            slot["role"] = "coordinator"
    altered = KeyFile.read  # re-read through the parser, then re-MAC like an insider would
    (vault_dir / KEYS_NAME).write_text(json.dumps(raw))
    keyfile = altered(vault_dir / KEYS_NAME)
    keyfile.authenticate(data_key)
    keyfile.write(vault_dir / KEYS_NAME)
    assert who not in vault_usernames(vault_dir)
    with pytest.raises(WrongCredentialsError):
        unlock(vault_dir, who, INSIDERS[who])
    app = unlock(vault_dir, "coord", PASSWORD)
    try:
        assert app.integrity_problem is not None and "does not vouch" in app.integrity_problem
    finally:
        app.lock()


def test_a_vault_with_another_signing_key_is_refused(coordinator: Btam, vault_dir: Path) -> None:
    coordinator.lock()
    path = anchors.known_vaults_dir() / f"{coordinator.vault.vault_id}.json"
    data = json.loads(path.read_text())
    data["vault_public"] = signing.b64(signing.new_seed()[1])
    path.write_text(json.dumps(data))
    with pytest.raises(VaultKeyMismatchError):
        unlock(vault_dir, "coord", PASSWORD)


def test_forged_record_event_is_refused_and_audited(as_role) -> None:
    viewer = as_role("viewer")
    with pytest.raises(PermissionDeniedError, match="Only printing, saving and exporting"):
        viewer.record_event("case.destroy", "case", 1, "case destroyed")
    viewer.record_event("report.print", "document", "", "blank checklist printed")  # allowed
    coordinator = as_role("coordinator")
    events = coordinator.audit_events(limit=10)
    denied = [e for e in events if e.action == "permission.denied" and e.username == "viewer"]
    assert denied and "case.destroy" in denied[0].summary
    assert not any(e.action == "case.destroy" for e in events)


def test_closing_follows_the_team_policy(coordinator: Btam, as_role) -> None:
    case = coordinator.cases.report_concern(intake())
    assert case.id is not None
    coordinator.cases.move(case.id, MoveRequest(WorkflowAction.START_SCREENING))
    screen_out = MoveRequest(
        WorkflowAction.SCREEN_OUT, "no threat found", closure_level="low", screeners=("member",)
    )
    member = as_role("member")
    assert "team's policy" in (
        member.cases.why_not(member.cases.get(case.id), screen_out.action) or ""
    )
    with pytest.raises(PermissionDeniedError, match="team's policy"):
        member.cases.move(case.id, screen_out)
    coordinator = as_role("coordinator")
    denied = [e for e in coordinator.audit_events(limit=5) if e.action == "permission.denied"]
    assert denied and "screen_out" in denied[0].summary.replace("-", "_").replace(" ", "_")
    settings = coordinator.settings()
    settings.closing_by = "members"
    coordinator.save_settings(settings)
    member = as_role("member")
    assert member.cases.move(case.id, screen_out).status == CaseStatus.CLOSED_NO_THREAT
    viewer = as_role("viewer")
    assert viewer.cases.why_not(viewer.cases.get(case.id), WorkflowAction.REOPEN)


def test_bad_closing_policy_is_refused() -> None:
    from btam_desktop.store.errors import ValidationError

    with pytest.raises(ValidationError, match="who may close"):
        TeamSettings(closing_by="anyone").validate()


def test_retention_date_and_plan_approval_are_coordinator_acts(coordinator: Btam, as_role) -> None:
    case = coordinator.cases.report_concern(intake())
    assert case.id is not None
    member = as_role("member")
    later = date.today() + timedelta(days=4000)
    with pytest.raises(PermissionDeniedError, match="retention date"):
        member.cases.update(case.id, retention_until=later)
    member.cases.update(case.id, site="South High")  # other edits stay open to members
    coordinator = as_role("coordinator")
    assert coordinator.cases.update(case.id, retention_until=later).retention_until == later
    from btam_desktop.services.permissions import Permission

    assert not member.can(Permission.APPROVE_PLANS) and coordinator.can(Permission.APPROVE_PLANS)


def test_kdf_cost_above_the_cap_is_refused_before_any_derivation(
    coordinator: Btam, vault_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator.lock()
    raw = json.loads((vault_dir / KEYS_NAME).read_text())
    for slot in raw["slots"]:
        slot["kdf"].update(memory_kib=4 * 1024 * 1024, time_cost=64)
    (vault_dir / KEYS_NAME).write_text(json.dumps(raw))
    calls: list[object] = []
    real = crypto.hash_secret_raw
    monkeypatch.setattr(crypto, "hash_secret_raw", lambda **kw: calls.append(kw) or real(**kw))
    with pytest.raises(VaultDamagedError):
        unlock(vault_dir, "coord", PASSWORD)
    with pytest.raises(crypto.KdfCostError):
        crypto.derive_key(
            b"x", b"s" * 16, crypto.KdfParams(time_cost=64, memory_kib=64 * 1024, parallelism=1)
        )
    assert calls == []  # nothing was derived
    crypto.derive_key(b"x", b"s" * 16, CHEAP)
    assert len(calls) == 1  # the instrumentation does see a derivation


def test_bulk_case_state_hashes_match_the_single_ones(coordinator: Btam) -> None:
    first = _case_with_level(coordinator)
    second = coordinator.cases.report_concern(intake()).id
    assert second is not None
    with coordinator.vault.read() as session:
        single = {cid: audit.state_hash(session, ("case", cid)) for cid in (first, second, 999)}
        bulk = audit.case_state_hashes(session, [first, second, 999])
    assert bulk == single
    assert len(set(bulk.values())) == 3  # a level decision and an absent case change the hash


def test_an_altered_anchor_on_this_computer_is_reported(coordinator: Btam, vault_dir: Path) -> None:
    coordinator.lock()
    path = anchors.known_vaults_dir() / f"{coordinator.vault.vault_id}.json"
    data = json.loads(path.read_text())
    data["position"] = 1  # pretend this computer saw less, to hide a rollback
    path.write_text(json.dumps(data))
    app = unlock(vault_dir, "coord", PASSWORD)
    try:
        assert app.integrity_problem is not None
        assert "this computer keeps of the vault" in app.integrity_problem
    finally:
        app.lock()


def test_a_check_left_for_later_finds_the_same_and_a_lock_before_it_keeps_the_anchor(
    coordinator: Btam, vault_dir: Path
) -> None:
    """The window signs in with the trail's check left for later (it runs once the window is
    up). It finds what the check at sign-in finds; and locking before it ran does not move this
    computer's anchor past events nobody checked, so the next sign-in still finds the change."""
    case_id = _case_with_level(coordinator)
    coordinator.lock()
    vault = _insider(vault_dir, "member")
    with vault.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE case_file SET level='low' WHERE id=?", (case_id,))
    vault.lock()

    hurried = unlock(vault_dir, "coord", PASSWORD, check_later=True)
    assert hurried.sign_in_check_pending and hurried.integrity_problem is None
    before = anchors.load(hurried.vault.vault_id)
    hurried.lock()  # before the check ran
    assert anchors.load(hurried.vault.vault_id) == before

    later = unlock(vault_dir, "coord", PASSWORD, check_later=True)
    problem = later.finish_sign_in_check()
    assert problem is not None and f"case {case_id}" in problem
    assert later.integrity_problem == problem and not later.sign_in_check_pending
    assert later.finish_sign_in_check() == problem  # once per sign-in
    found = [e for e in later.audit_events() if e.action == "audit.problem_found"]
    later.lock()
    assert len(found) == 1

    at_once = unlock(vault_dir, "coord", PASSWORD)  # the default: checked inside unlock
    assert not at_once.sign_in_check_pending
    assert at_once.integrity_problem is not None and f"case {case_id}" in at_once.integrity_problem
    at_once.lock()
