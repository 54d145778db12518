"""Retention rules, the due list, legal holds and destruction that leaves nothing behind."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from btam_desktop.domain.enums import (
    DisclosureBasis,
    DisclosureRecipient,
    NoteCategory,
    PersonRole,
    TimelineCategory,
)
from btam_desktop.domain.workflow import MoveRequest, WorkflowAction
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CLOSURE_CHECKLIST_ID, CaseQuery, PersonInput
from btam_desktop.services.records import DisclosureInput, TimelineInput
from btam_desktop.services.retention import add_years, parse_rules, rules_to_text
from btam_desktop.store.errors import PermissionDeniedError, ValidationError
from tests.services.conftest import intake
from tests.services.sqlcipher_pages import plaintext_of


def _rules(app: Btam, rules: dict[tuple[str, str], int]) -> None:
    settings = app.settings()
    settings.retention_rules = rules_to_text(rules)
    app.save_settings(settings)


def _screened_out(app: Btam, **overrides: object) -> int:
    case = app.cases.report_concern(intake(**overrides))
    app.cases.move(case.id, MoveRequest(WorkflowAction.START_SCREENING))
    app.cases.move(case.id, MoveRequest(WorkflowAction.SCREEN_OUT, "joke", "low", ("coord",)))
    return case.id


def test_rules_parse_and_refuse_bad_input() -> None:
    assert parse_rules("") == {}
    rules = {("school", "closed"): 7, ("workplace", "closed_no_threat"): 3}
    assert parse_rules(rules_to_text(rules)) == rules
    with pytest.raises(ValidationError, match="Unknown retention rule"):
        parse_rules('{"school:open": 3}')
    with pytest.raises(ValidationError, match="whole number"):
        parse_rules('{"school:closed": -1}')
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_due_list_names_rule_and_date_and_keeps_undue_cases_off(coordinator: Btam) -> None:
    due_id = _screened_out(coordinator)
    workplace_id = _screened_out(coordinator, setting=_workplace())
    assert coordinator.retention.due() == []  # no rule, nothing is ever due
    _rules(coordinator, {("school", "closed_no_threat"): 0, ("workplace", "closed_no_threat"): 5})
    due = coordinator.retention.due()
    assert [i.case_id for i in due] == [due_id]
    assert due[0].rule == "School, closed at screening (no threat): 0 years after closure"
    assert due[0].due_on == datetime.now(UTC).date()
    later = coordinator.retention.schedule([workplace_id])[0]
    assert later.due_on == add_years(datetime.now(UTC).date(), 5)
    with pytest.raises(ValidationError, match="not due for destruction until"):
        coordinator.retention.destroy(workplace_id, later.number)
    # A keep-until date on the case overrides the rule.
    coordinator.cases.update(due_id, retention_until=date(2099, 1, 1))
    assert coordinator.retention.due() == []


def test_retention_dates_follow_the_teams_date_format(coordinator: Btam) -> None:
    """The hold, the keep-until rule and the refusal write dates as the team chose, like
    every other screen and page (issue 13's one place for dates)."""
    from dataclasses import replace

    from btam_desktop.domain.formatting import use_date_style

    cid = _screened_out(coordinator)
    _rules(coordinator, {("school", "closed_no_threat"): 0})
    coordinator.save_settings(replace(coordinator.settings(), date_format="numeric_mdy"))
    try:
        coordinator.cases.update(cid, retention_until=date(2099, 1, 31))
        item = coordinator.retention.schedule([cid])[0]
        assert item.rule == "keep-until date set on the case (01/31/2099)"
        with pytest.raises(ValidationError, match="until 01/31/2099"):
            coordinator.retention.destroy(cid, item.number)
        coordinator.cases.set_legal_hold(cid, True, "records request")
        held = coordinator.retention.schedule([cid])[0]
        today = datetime.now(UTC).astimezone()
        assert f" on {today:%m/%d/%Y}" in held.hold_text()
    finally:
        use_date_style("")


def _workplace():  # type: ignore[no-untyped-def]
    from btam_desktop.domain.enums import CaseSetting

    return CaseSetting.WORKPLACE


def test_legal_hold_blocks_destruction_and_says_who_and_why(coordinator: Btam) -> None:
    cid = _screened_out(coordinator)
    _rules(coordinator, {("school", "closed_no_threat"): 0})
    coordinator.cases.set_legal_hold(cid, True, "District counsel: pending lawsuit")
    item = coordinator.retention.due()[0]
    assert item.legal_hold
    assert "Cory Coordinator" in item.hold_text() and "pending lawsuit" in item.hold_text()
    with pytest.raises(ValidationError) as refused:
        coordinator.retention.destroy(cid, item.number)
    assert "Legal hold set by Cory Coordinator" in str(refused.value)
    assert "pending lawsuit" in str(refused.value)
    assert coordinator.cases.get(cid).number == item.number
    coordinator.cases.set_legal_hold(cid, False, "lawsuit settled")
    case = coordinator.cases.get(cid)
    assert case.legal_hold_reason == "" and case.legal_hold_by_id is None
    coordinator.retention.destroy(cid, item.number)


def test_destroy_needs_the_typed_number_and_a_coordinator(coordinator: Btam, as_role) -> None:
    cid = _screened_out(coordinator)
    _rules(coordinator, {("school", "closed_no_threat"): 0})
    number = coordinator.retention.due()[0].number
    with pytest.raises(ValidationError, match=f"Type the case number {number}"):
        coordinator.retention.destroy(cid, "yes")
    member = as_role("member")
    with pytest.raises(PermissionDeniedError):
        member.retention.due()
    with pytest.raises(PermissionDeniedError):
        member.retention.destroy(cid, number)
    viewer = as_role("viewer")
    with pytest.raises(PermissionDeniedError):
        viewer.retention.destroy(cid, number)
    coordinator_again = as_role("coordinator")
    assert coordinator_again.cases.get(cid).number == number


def test_destruction_leaves_no_trace_in_database_wal_index_attachments_or_drafts(
    coordinator: Btam, tmp_path: Path
) -> None:
    canaries = {
        name: "cnry" + secrets.token_hex(8)
        for name in (
            "narrative",
            "quote",
            "subject",
            "note",
            "timeline",
            "disclosure",
            "attachment_name",
            "attachment_data",
            "draft",
            "decision_draft",
            "edited_away",
        )
    }
    keeper_canary = "keep" + secrets.token_hex(8)
    keeper = coordinator.cases.report_concern(intake(narrative=f"{keeper_canary} stays"))
    cid = coordinator.cases.report_concern(
        intake(
            narrative=f"{canaries['narrative']} said he would",
            threat_quote=canaries["quote"],
            subjects=[PersonInput(PersonRole.SUBJECT, full_name=canaries["edited_away"])],
        )
    ).id
    subject = coordinator.records.people(cid)[0]
    coordinator.records.update_person(
        subject.id, PersonInput(PersonRole.SUBJECT, full_name=canaries["subject"])
    )
    coordinator.records.add_note(cid, NoteCategory.OTHER, canaries["note"])
    coordinator.records.add_timeline_entry(
        cid,
        TimelineInput(
            occurred_at=datetime.now(UTC) - timedelta(days=1),
            category=TimelineCategory.OTHER,
            description=canaries["timeline"],
        ),
    )
    coordinator.records.add_disclosure(
        cid,
        DisclosureInput(
            disclosed_at=datetime.now(UTC),
            recipient_kind=DisclosureRecipient.PARENT_GUARDIAN,
            recipient_name="A parent",
            information_disclosed=canaries["disclosure"],
            purpose="safety",
            legal_basis=DisclosureBasis.CONSENT,
        ),
    )
    coordinator.records.add_attachment(
        cid,
        f"{canaries['attachment_name']}.png",
        b"\x89PNG\r\n\x1a\n" + canaries["attachment_data"].encode() * 50,
    )
    coordinator.drafts.save("case-note", {"body": canaries["draft"]}, str(cid))
    checklist = coordinator.assessments.start(cid, CLOSURE_CHECKLIST_ID)
    coordinator.drafts.save(
        "assessment-decision", {"rationale": canaries["decision_draft"]}, str(checklist.id)
    )
    coordinator.cases.move(cid, MoveRequest(WorkflowAction.START_SCREENING))
    coordinator.cases.move(cid, MoveRequest(WorkflowAction.SCREEN_OUT, "joke", "low", ("coord",)))
    key = coordinator.vault._data_key()
    before = plaintext_of(coordinator.vault.folder, key)
    for name in ("narrative", "note", "attachment_data", "draft", "decision_draft"):
        assert canaries[name].encode() in before, f"control: {name} readable before"
    _rules(coordinator, {("school", "closed_no_threat"): 0})
    number = coordinator.cases.get(cid).number
    notice = coordinator.retention.backups_notice()
    assert "No backup folder" in notice
    rule = coordinator.retention.destroy(cid, number)
    assert "0 years" in rule
    after = plaintext_of(coordinator.vault.folder, key)
    for name, value in canaries.items():
        assert value.encode() not in after, f"{name} still in the database or WAL"
        assert value.encode("utf-16-le") not in after
    assert keeper_canary.encode() in after  # the check can see text that should be there
    for value in canaries.values():
        assert coordinator.cases.find(CaseQuery(text=value)) == []
    assert coordinator.cases.find(CaseQuery(text=keeper_canary))[0].id == keeper.id
    events = coordinator.audit_events(limit=1000)
    text = " ".join(f"{e.summary} {e.entity_id}" for e in events)
    for value in canaries.values():
        assert value not in text
    destroyed = next(e for e in events if e.action == "case.destroy")
    assert destroyed.summary == f"case {number} destroyed under rule: {rule}"
    assert destroyed.username == "coord"
    assert coordinator.verify_audit().ok
    assert coordinator.vault.integrity_problems() == []


def test_backups_notice_says_how_long_older_backups_hold_the_case(
    coordinator: Btam, tmp_path: Path
) -> None:
    settings = coordinator.settings()
    settings.backup_folder = str(tmp_path / "usb")
    coordinator.save_settings(settings)
    coordinator.backups.create()
    notice = coordinator.retention.backups_notice()
    assert "1 older backup" in notice and "still hold this case" in notice
    month = date.today().replace(day=1)
    expected_year = month.year + 1 + (1 if month.month == 12 else 0)
    assert f"{expected_year} if backups keep running daily" in notice  # "by about 1 Jan 2028"
