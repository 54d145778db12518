"""The recovery sheet, the recognize-and-report handout and the meeting agenda."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from btam_desktop.domain.enums import CaseStatus
from btam_desktop.reports import (
    AUDIENCES,
    build_meeting_agenda,
    build_recognize_and_report_handout,
    build_recovery_sheet,
)
from btam_desktop.reports.meeting_agenda import agenda_entries
from btam_desktop.reports.recovery_sheet import key_groups
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery
from btam_desktop.services.settings import TeamSettings
from btam_desktop.store.vault import new_recovery_key
from tests.reports.conftest import (
    A4,
    LETTER,
    assert_fonts_embedded,
    pdf_metadata,
    pdf_page_sizes,
    pdf_pages_text,
    pdf_text,
    same_size,
)

TEAM = "Maple Grove Unified (fictional demo)"

# ---- recovery sheet ----------------------------------------------------------------------------


def test_recovery_sheet_shows_the_key_in_groups_and_what_it_is_for() -> None:
    key = new_recovery_key()
    pdf = build_recovery_sheet(TEAM, "C:/Users/Counselor/BTAM/vault", key)
    text = pdf_text(pdf)
    groups = key.split("-")
    assert key_groups(key) == groups
    assert f"Type it as: {key}" in text
    for number in range(1, len(groups) + 1):
        assert f"group {number}" in text
    assert "Anyone who holds this key can open the vault" in text
    assert "locked safe" in text
    assert "C:/Users/Counselor/BTAM/vault" in text
    assert "Stored by" in text and "Where (which safe)" in text
    assert "Key created" in text
    assert len(pdf_pages_text(pdf)) == 1
    assert_fonts_embedded(pdf)


def test_recovery_sheet_prints_the_vault_signing_key_on_one_page() -> None:
    from btam_desktop.store import signing

    fingerprint = signing.fingerprint(signing.new_seed()[1])
    pdf = build_recovery_sheet(TEAM, "/vault", new_recovery_key(), vault_key=fingerprint)
    text = pdf_text(pdf)
    assert "Vault signing key" in text and fingerprint in text
    assert len(pdf_pages_text(pdf)) == 1


def test_the_key_is_never_in_the_metadata() -> None:
    key = new_recovery_key()
    pdf = build_recovery_sheet(TEAM, "/vault", key)
    meta = " ".join(pdf_metadata(pdf).values())
    assert meta and TEAM in meta
    for group in key.split("-"):
        assert group not in meta
    assert key.encode() not in pdf.split(b"stream")[0]  # not in the document's plain header


def test_recovery_sheet_paper_sizes() -> None:
    key = new_recovery_key()
    assert same_size(pdf_page_sizes(build_recovery_sheet(TEAM, "/v", key))[0], LETTER)
    assert same_size(pdf_page_sizes(build_recovery_sheet(TEAM, "/v", key, paper="a4"))[0], A4)
    with pytest.raises(ValueError):
        build_recovery_sheet(TEAM, "/v", "---")


# ---- handout -----------------------------------------------------------------------------------


def _settings() -> TeamSettings:
    return TeamSettings(
        team_name=TEAM,
        contact_name="Maple Grove threat assessment team",
        contact_phone="555-0100 (fictional)",
        contact_email="safety@example.org",
        contact_address="Room 114, main office",
        report_instructions="Tell any adult you trust, or use the anonymous tip line.",
    )


@pytest.mark.parametrize("audience", AUDIENCES)
def test_handout_for_each_audience_fits_one_page(audience: str) -> None:
    pdf = build_recognize_and_report_handout(_settings(), audience)
    pages = pdf_pages_text(pdf)
    assert len(pages) == 1
    text = pages[0]
    for expected in (
        TEAM,
        "Call 911",
        "555-0100 (fictional)",
        "safety@example.org",
        "Room 114, main office",
        "Tell any adult you trust, or use the anonymous tip line.",
        "not about punishment",
        "What to look for",
        "How to report",
        "What happens after you report",
    ):
        assert expected in text, expected
    assert "threat" in text.lower() and "weapon" in text.lower()
    assert "say something" in text.lower()
    # meant to be posted: no confidentiality line
    assert "Confidential" not in text
    assert_fonts_embedded(pdf)


def test_handout_without_contact_details_leaves_room_to_write_them() -> None:
    pdf = build_recognize_and_report_handout(TeamSettings(), "staff", paper="a4")
    text = pdf_text(pdf)
    assert "Write the team's contact details here:" in text
    assert same_size(pdf_page_sizes(pdf)[0], A4)


def test_handout_refuses_an_unknown_audience() -> None:
    with pytest.raises(ValueError, match="staff"):
        build_recognize_and_report_handout(_settings(), "visitors")


def test_handout_uses_the_team_setting() -> None:
    settings = _settings()
    settings.default_setting = "workplace"
    assert "our workplace" in pdf_text(build_recognize_and_report_handout(settings, "staff"))


def test_handout_from_the_demo_vault_settings(demo_app: Btam) -> None:
    text = pdf_text(build_recognize_and_report_handout(demo_app.settings(), "parents"))
    assert demo_app.settings().contact_phone in text


# ---- meeting agenda ----------------------------------------------------------------------------


def test_agenda_lists_cases_due_for_review_then_high_levels(demo_app: Btam) -> None:
    today = date.today()
    entries = agenda_entries(demo_app, today=today)
    assert entries
    reasons = [e.reason for e in entries]
    assert reasons == sorted(reasons, key=["overdue", "due", "high"].index)
    for entry in entries:
        assert not entry.row.status.is_closed
        if entry.reason == "overdue":
            assert entry.row.next_due is not None and entry.row.next_due < today
        elif entry.reason == "due":
            assert entry.row.next_due is not None
            assert today <= entry.row.next_due <= today + timedelta(days=7)
        else:
            assert entry.row.level in ("high", "imminent")
    # every open case that is due or high is there
    for row in demo_app.cases.find(CaseQuery(open_only=True), limit=1000):
        due = row.next_due is not None and row.next_due <= today + timedelta(days=7)
        if due or row.level in ("high", "imminent"):
            assert row.id in {e.row.id for e in entries}


def test_agenda_document(demo_app: Btam) -> None:
    entries = agenda_entries(demo_app)
    pdf = build_meeting_agenda(demo_app)
    text = pdf_text(pdf)
    assert "Team meeting agenda" in text
    assert demo_app.settings().team_name in text
    assert "Attendance" in text
    for entry in entries:
        assert entry.row.number in text
    closed = demo_app.cases.find(CaseQuery(statuses={CaseStatus.CLOSED}))
    assert closed and all(row.number not in text for row in closed)
    assert "Notes: what is new" in text
    assert_fonts_embedded(pdf)
    meta = pdf_metadata(pdf)
    assert meta["Title"] == "Team meeting agenda"
    assert meta["Author"] == demo_app.settings().team_name
    assert all(same_size(s, A4) for s in pdf_page_sizes(build_meeting_agenda(demo_app, paper="a4")))


def test_agenda_limit(demo_app: Btam) -> None:
    assert len(agenda_entries(demo_app, limit=1)) == 1
    text = pdf_text(build_meeting_agenda(demo_app, limit=1))
    assert "Only one case is listed." in text
