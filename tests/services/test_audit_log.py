"""The team-wide audit view: filters, labels, failed sign-ins kept outside the database, CSV,
recovery-key replacement and the one password policy."""

from __future__ import annotations

import ast
import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from btam_desktop.domain.enums import DisclosureBasis, DisclosureRecipient
from btam_desktop.domain.types import utcnow
from btam_desktop.services.app import Btam, recover_and_reset, unlock
from btam_desktop.services.audit_log import (
    ACTION_LABELS,
    AuditKind,
    AuditQuery,
    event_label,
)
from btam_desktop.services.records import DisclosureInput
from btam_desktop.store import signin_failures
from btam_desktop.store.errors import (
    PermissionDeniedError,
    ValidationError,
    WrongCredentialsError,
    WrongRecoveryKeyError,
)
from tests.services.conftest import CHEAP, MEMBER_PASSWORD, PASSWORD, intake

PACKAGE = Path(__file__).resolve().parents[2] / "btam_desktop"


def _written_action_codes() -> set[str]:
    """Every literal action code the program passes to an audit call."""
    codes: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in {"audit", "append", "record", "record_event", "_document_event"}:
                continue
            candidates = [k.value for k in node.keywords if k.arg == "action"] + list(node.args)
            for arg in candidates:
                if (
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and "." in arg.value
                    and " " not in arg.value
                ):
                    codes.add(arg.value)
    return codes


def test_every_action_code_has_a_human_label() -> None:
    codes = _written_action_codes()
    assert {"case.view", "team.add", "report.print", "disclosure.add"} <= codes
    missing = sorted(c for c in codes if c not in ACTION_LABELS)
    assert not missing, f"no label for {missing}"


def test_summaries_read_as_words() -> None:
    from btam_desktop.services.audit_log import readable_summary

    assert readable_summary("concerning_behavior") == "concerning behavior"
    assert readable_summary("screening -> monitoring") == "screening \u2192 monitoring"
    assert readable_summary("case 2026-0042 reported") == "case 2026-0042 reported"


def test_disclosure_label_names_recipient_and_basis() -> None:
    label = event_label("disclosure.add", "to law_enforcement (health_safety_emergency)")
    assert label == "Disclosure to law enforcement (health or safety emergency)"


def test_filters_by_person_kind_case_and_date(coordinator: Btam, vault_dir: Path) -> None:
    first = coordinator.cases.report_concern(intake())
    second = coordinator.cases.report_concern(intake())
    assert first.id is not None and second.id is not None
    coordinator.cases.open_case(first.id)  # a view
    coordinator.records.add_disclosure(
        first.id,
        DisclosureInput(
            disclosed_at=utcnow(),
            recipient_kind=DisclosureRecipient.LAW_ENFORCEMENT,
            recipient_name="Officer Example",
            information_disclosed="The threat and the timeline",
            purpose="Protect the school",
            legal_basis=DisclosureBasis.HEALTH_SAFETY_EMERGENCY,
            articulable_threat="Stated a date and a weapon",
        ),
    )
    coordinator.lock()
    member = unlock(vault_dir, "member", MEMBER_PASSWORD)
    with pytest.raises(PermissionDeniedError):
        member.audit_log.rows(AuditQuery())
    member.lock()
    app = unlock(vault_dir, "coord", PASSWORD)
    try:
        log = app.audit_log
        mine = log.rows(AuditQuery(username="member"))
        assert mine and all(r.username == "member" for r in mine)
        assert {r.action for r in mine} >= {"vault.unlock", "permission.denied"}
        refusals = log.rows(AuditQuery(kind=AuditKind.REFUSAL))
        assert [r.label for r in refusals] == ["Refused: not allowed for this role"]
        case_rows = log.rows(AuditQuery(case_number=first.number))
        assert case_rows and {r.case_number for r in case_rows} == {first.number}
        assert any(
            r.label == "Disclosure to law enforcement (health or safety emergency)"
            for r in case_rows
        )
        views = log.rows(AuditQuery(kind=AuditKind.VIEW))
        assert [r.action for r in views] == ["case.view"]
        work = log.rows(AuditQuery(kind=AuditKind.CASE_CHANGE))
        assert "case.view" not in {r.action for r in work}
        assert "case.create" in {r.action for r in work}
        today = utcnow().date()
        assert log.rows(AuditQuery(since=today + timedelta(days=1))) == []
        assert len(log.rows(AuditQuery(until=today))) == len(log.rows(AuditQuery()))
        with pytest.raises(ValidationError, match="no case numbered"):
            log.rows(AuditQuery(case_number="1999-9999"))
        with pytest.raises(ValidationError, match="start date is after"):
            log.rows(AuditQuery(since=today, until=today - timedelta(days=1)))
        # no case content in any summary
        for row in log.rows(AuditQuery(limit=10_000)):
            assert "Jamie" not in row.summary and "Officer" not in row.summary
    finally:
        app.lock()


def test_csv_export_is_audited_and_safe_for_spreadsheets(coordinator: Btam) -> None:
    coordinator.record_event("report.print", "document", "", "=cmd|' /C calc'!A0 printed")
    data = coordinator.audit_log.export_csv(AuditQuery(kind=AuditKind.EXPORT))
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["Event", "Time (UTC)", "User name", "Who", "What"]
    assert rows[1][4] == "Document printed"
    assert rows[1][6].startswith("'=")  # not a formula
    last = coordinator.audit_events(limit=1)[0]
    assert last.action == "audit.export"
    assert (
        "1 event as CSV" in last.summary
        and "exports, imports, transfers and printouts" in last.summary
    )


def test_failed_sign_ins_are_kept_outside_and_written_at_next_sign_in(
    coordinator: Btam, vault_dir: Path
) -> None:
    recovery_typed = "ABCD-" * 7 + "ABCD"
    coordinator.lock()
    with pytest.raises(WrongCredentialsError):
        unlock(vault_dir, "member", "the wrong secret 99")
    with pytest.raises(WrongCredentialsError):
        unlock(vault_dir, "my password typed as a name", "x")
    with pytest.raises(WrongRecoveryKeyError):
        recover_and_reset(vault_dir, recovery_typed, "member", "a fine new pass phrase 8")
    raw = (vault_dir / signin_failures.FILE_NAME).read_bytes()
    for secret in (b"the wrong secret", b"typed as a name", b"ABCD", b"fine new"):
        assert secret not in raw
    assert len(signin_failures.read(vault_dir)) == 3

    app = unlock(vault_dir, "coord", PASSWORD)
    try:
        failed = app.audit_log.rows(AuditQuery(kind=AuditKind.FAILED_SIGN_IN))
        assert [r.action for r in reversed(failed)] == [
            "signin.failed",
            "signin.failed",
            "signin.recovery_failed",
        ]
        # Written and signed by the member who signed in; the account tried is in the summary.
        assert {r.username for r in failed} == {"coord"}
        tried = [r.summary.split(" as ", 1)[1].split(" at ", 1)[0] for r in reversed(failed)]
        assert tried == ["member", "(unknown)", "(recovery key)"]
        by_member = app.audit_log.rows(AuditQuery(kind=AuditKind.FAILED_SIGN_IN, username="member"))
        assert [r.action for r in by_member] == ["signin.failed"]
        assert all("noted before the vault was opened" in r.summary for r in failed)
        assert not (vault_dir / signin_failures.FILE_NAME).exists()
        assert app.verify_audit().ok
    finally:
        app.lock()
    again = unlock(vault_dir, "coord", PASSWORD)  # written once only
    try:
        assert len(again.audit_log.rows(AuditQuery(kind=AuditKind.FAILED_SIGN_IN))) == 3
    finally:
        again.lock()


def test_failed_attempt_file_is_capped(tmp_path: Path) -> None:
    for _ in range(signin_failures.MAX_KEPT + 5):
        signin_failures.note(tmp_path, signin_failures.KIND_PASSWORD, "")
    assert len(signin_failures.read(tmp_path)) == signin_failures.MAX_KEPT


def test_one_password_policy_everywhere(coordinator: Btam, vault_dir: Path) -> None:
    from btam_desktop.domain.enums import CaseSetting, Role
    from btam_desktop.services.app import NewTeam, create_team_vault

    with pytest.raises(ValidationError, match="too easy to guess"):
        coordinator.team.add_member("weak", "W", Role.MEMBER, "password123", kdf_params=CHEAP)
    with pytest.raises(ValidationError, match="too easy to guess"):
        coordinator.team.change_own_password(PASSWORD, "password123")
    with pytest.raises(ValidationError, match="too easy to guess"):
        create_team_vault(
            vault_dir.parent / "other",
            NewTeam("T", CaseSetting.SCHOOL, "scale.four-level", "lead", "L", "password123"),
            kdf_params=CHEAP,
        )
    coordinator.lock()
    with pytest.raises(ValidationError, match="too easy to guess"):
        recover_and_reset(vault_dir, "ABCD-" * 7 + "ABCD", "member", "password123")


def test_replacing_the_recovery_key_rekeys_and_retires_the_old_key(tmp_path: Path) -> None:
    from btam_desktop.domain.enums import CaseSetting, Role
    from btam_desktop.services.app import NewTeam, create_team_vault
    from btam_desktop.store.keyfile_names import KEYS_NAME
    from btam_desktop.store.keyslots import KeyFile

    vault_dir = tmp_path / "v"
    coordinator, old_key = create_team_vault(
        vault_dir,
        NewTeam("T", CaseSetting.SCHOOL, "scale.four-level", "coord", "C", PASSWORD),
        kdf_params=CHEAP,
    )
    coordinator.team.add_member("member", "M", Role.MEMBER, MEMBER_PASSWORD, kdf_params=CHEAP)
    old_keys = KeyFile.read(vault_dir / KEYS_NAME)
    old_recovery_slot = old_keys.recovery_slot()
    assert old_recovery_slot is not None
    steps: list[str] = []
    new_key = coordinator.team.replace_recovery_key(
        progress=lambda d, t, m: steps.append(m), kdf_params=CHEAP
    )
    assert steps[-1] == "Done"
    new_keys = KeyFile.read(vault_dir / KEYS_NAME)
    assert new_keys.generation == old_keys.generation + 1
    new_slot = new_keys.recovery_slot()
    assert new_slot is not None and new_slot.slot_id != old_recovery_slot.slot_id
    assert sum(1 for s in new_keys.slots if s.kind == old_recovery_slot.kind) == 1
    case = coordinator.cases.report_concern(intake())  # the open session keeps working
    assert case.id is not None
    assert coordinator.audit_events(limit=2)[1].action == "recovery.replace"
    coordinator.lock()
    with pytest.raises(WrongRecoveryKeyError):
        recover_and_reset(vault_dir, old_key, "member", "a fine new pass phrase 8", CHEAP)
    recover_and_reset(vault_dir, new_key, "member", "a fine new pass phrase 8", CHEAP)
    unlock(vault_dir, "member", "a fine new pass phrase 8").lock()
    unlock(vault_dir, "coord", PASSWORD).lock()


def test_replacing_the_recovery_key_is_coordinator_only(as_role) -> None:  # type: ignore[no-untyped-def]
    member = as_role("member")
    with pytest.raises(PermissionDeniedError):
        member.team.replace_recovery_key(kdf_params=CHEAP)


def test_a_damaged_failure_file_is_reported_in_the_trail(
    coordinator: Btam, vault_dir: Path
) -> None:
    coordinator.lock()
    (vault_dir / signin_failures.FILE_NAME).write_text("{not json", "utf-8")
    app = unlock(vault_dir, "coord", PASSWORD)
    try:
        failed = app.audit_log.rows(AuditQuery(kind=AuditKind.FAILED_SIGN_IN))
        assert [r.action for r in failed] == ["signin.failures_unreadable"]
        assert failed[0].label == "Record of failed sign-ins could not be read"
        assert not (vault_dir / signin_failures.FILE_NAME).exists()
    finally:
        app.lock()
