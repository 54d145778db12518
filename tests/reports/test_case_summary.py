"""The case summary: content from the services, sections, long cases, progress, metadata,
and the export recorded in the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest

from btam_desktop.domain.enums import (
    CaseSetting,
    InformationSource,
    NoteCategory,
    PersonRole,
    Reliability,
    ReportChannel,
    TimelineCategory,
)
from btam_desktop.domain.types import utcnow
from btam_desktop.reports import (
    SECTIONS,
    build_case_summary,
    export_case_summary,
    record_print,
    record_save,
)
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery, IntakeInput, PersonInput
from btam_desktop.services.records import TimelineInput
from tests.reports.conftest import (
    A4,
    LETTER,
    assert_fonts_embedded,
    assert_fonts_embedded_and_subset,
    assert_printed,
    pdf_metadata,
    pdf_page_sizes,
    pdf_pages_text,
    pdf_text,
    pdftotext,
    same_size,
    words,
)


def _all_person_names(app: Btam) -> set[str]:
    names = {m.display_name for m in app.team.members(include_inactive=True)}
    for row in app.cases.find(CaseQuery(), limit=1000):
        names.update(p.full_name for p in app.records.people(row.id) if p.full_name)
    return {n for n in names if n}


def test_the_summary_holds_the_case_record(demo_app: Btam) -> None:
    rows = demo_app.cases.find(CaseQuery(text="former friend"))
    assert rows, "the demo vault has the harassment case"
    case_id = rows[0].id
    case = demo_app.cases.get(case_id)
    pdf = build_case_summary(demo_app, case_id)
    text = pdf_text(pdf)
    team = demo_app.settings().team_name
    assert team in text
    assert f"Case summary {case.number}" in text
    assert words(case.title) in text
    # people, report, timeline, levels, disclosures, notes
    # names in every script (the demo case holds them), read back with pdftotext
    fonts = assert_fonts_embedded_and_subset(pdf)
    extracted = pdftotext(pdf)
    for person in demo_app.records.people(case_id):
        if person.full_name:
            assert_printed(person.full_name, extracted, fonts)
    report = demo_app.records.reports(case_id)[0]
    assert words(report.narrative) in text
    assert words(report.threat_quote) in text
    for entry in demo_app.records.timeline(case_id):
        assert words(entry.description) in text
    for decision in demo_app.cases.level_history(case_id):
        assert words(decision.rationale) in text
    assert "Moderate" in text
    for disclosure in demo_app.records.disclosures(case_id):
        assert words(disclosure.articulable_threat) in text
    for note in demo_app.records.notes(case_id):
        assert_printed(note.body, extracted, fonts)
    assert "Proceed to full assessment" in text  # a workflow decision with its reason
    assert "Morgan Member (counselor)" in text  # assigned team member
    pages = pdf_pages_text(pdf)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Confidential: threat assessment record." in page
    assert_fonts_embedded(pdf)


def test_metadata_holds_no_persons_name(demo_app: Btam) -> None:
    names = _all_person_names(demo_app)
    assert "Quinn Example" in names and "Dana Demo (coordinator)" in names
    for row in demo_app.cases.find(CaseQuery(), limit=100):
        meta = pdf_metadata(build_case_summary(demo_app, row.id))
        assert meta["Title"] == f"Case {row.number} summary"
        assert meta["Author"] == demo_app.settings().team_name
        values = " ".join(meta.values())
        for name in names:
            assert name not in values
        assert words(row.title) not in values  # titles may hold names: kept out too


def test_sections_can_be_chosen(demo_app: Btam) -> None:
    case_id = demo_app.cases.find(CaseQuery(text="former friend"))[0].id
    note = demo_app.records.notes(case_id)[0].body
    quote = demo_app.records.reports(case_id)[0].narrative
    text = pdf_text(build_case_summary(demo_app, case_id, sections={"overview", "people"}))
    assert "Overview" in text and "People involved" in text
    assert "Quinn Example" in text
    assert words(note) not in text
    assert words(quote) not in text
    assert "Timeline of behavior and events" not in text
    assert "Management plan in force" not in text
    with pytest.raises(ValueError, match="budget"):
        build_case_summary(demo_app, case_id, sections={"overview", "budget"})
    assert set(SECTIONS) == {
        "overview",
        "people",
        "report",
        "timeline",
        "levels",
        "assessments",
        "plan",
        "disclosures",
        "notes",
    }


def test_paper_sizes(demo_app: Btam) -> None:
    case_id = demo_app.cases.find(CaseQuery())[0].id
    assert all(same_size(s, LETTER) for s in pdf_page_sizes(build_case_summary(demo_app, case_id)))
    a4 = pdf_page_sizes(build_case_summary(demo_app, case_id, paper="a4"))
    assert all(same_size(s, A4) for s in a4)


def _long_case(app: Btam, entries: int) -> int:
    case = app.cases.report_concern(
        IntakeInput(
            received_at=utcnow() - timedelta(days=400),
            channel=ReportChannel.PHONE,
            narrative="A long-running concern, followed over many months.",
            setting=CaseSetting.WORKPLACE,
            title="Long-running workplace concern",
            subjects=[PersonInput(PersonRole.SUBJECT, full_name="Jordan Longcase")],
        )
    )
    assert case.id is not None
    for n in range(entries):
        app.records.add_timeline_entry(
            case.id,
            TimelineInput(
                occurred_at=utcnow() - timedelta(days=400 - n),
                category=TimelineCategory.CONCERNING_BEHAVIOR,
                description=f"Observation number {n:03d}: "
                + "the person was seen waiting near the parking garage again. " * 3,
                source=InformationSource.OBSERVATION,
                obtained_how="Security camera review",
                reliability=Reliability.PROBABLE,
            ),
        )
    app.records.add_note(
        case.id,
        NoteCategory.CONSULTATION,
        "A very long note.\n\n" + "Paragraph text. " * 2500 + "End of the long note.",
    )
    return case.id


def test_a_long_case_paginates_with_repeated_table_headers(fresh_app: Btam) -> None:
    case_id = _long_case(fresh_app, 300)
    seen: list[tuple[int, int, str]] = []
    pdf = build_case_summary(fresh_app, case_id, progress=lambda d, t, m: seen.append((d, t, m)))
    pages = pdf_pages_text(pdf)
    assert len(pages) > 15
    text = " ".join(pages)
    assert "Observation number 000" in text and "Observation number 299" in text
    assert "300 entries, oldest first." in text
    timeline_pages = [p for p in pages if "Observation number" in p]
    assert len(timeline_pages) > 5
    for page in timeline_pages:  # the column headers repeat on every page of the table
        assert "Source and how obtained" in page and "Reliability" in page
    # a note longer than a page is all there (a sentence split by a page break is not counted)
    assert text.count("Paragraph text.") > 2490 and "End of the long note." in text
    # progress: never past its total, and it ends complete
    assert seen and all(0 <= d <= t for d, t, _ in seen)
    assert seen[-1][0] == seen[-1][1]
    assert any(m.startswith("Laying out page") for _, _, m in seen)


def test_a_description_longer_than_a_page_splits_inside_its_row(fresh_app: Btam) -> None:
    case_id = _long_case(fresh_app, 0)
    fresh_app.records.add_timeline_entry(
        case_id,
        TimelineInput(
            occurred_at=utcnow(),
            category=TimelineCategory.INCIDENT,
            description="Start. " + "A very long account of the incident. " * 600 + "End.",
        ),
    )
    text = pdf_text(build_case_summary(fresh_app, case_id, sections={"timeline"}))
    assert "Start." in text and "End." in text


def test_export_is_recorded_in_the_audit_trail(demo_app: Btam) -> None:
    case_id = demo_app.cases.find(CaseQuery())[0].id
    pdf = export_case_summary(demo_app, case_id, sections={"overview"}, paper="a4")
    assert pdf.startswith(b"%PDF-")
    event = demo_app.audit_events(case_id=case_id, limit=1)[0]
    assert (event.action, event.entity_kind, event.entity_id) == (
        "report.export",
        "case",
        str(case_id),
    )
    assert event.summary == "case summary exported"
    record_print(demo_app, "case summary", case_id)
    printed = demo_app.audit_events(case_id=case_id, limit=1)[0]
    assert (printed.action, printed.summary) == ("report.print", "case summary printed")
    record_save(demo_app, "case summary", case_id)
    assert demo_app.audit_events(case_id=case_id, limit=1)[0].action == "report.save"
    record_print(demo_app, "blank checklist btam.screening")
    latest = demo_app.audit_events(limit=1)[0]
    assert (latest.action, latest.entity_kind) == ("report.print", "document")


def test_a_confidential_reporter_is_marked_withheld_and_the_threat_type_shown(
    demo_app: Btam,
) -> None:
    """The demo's harassment case has a confidential reporter; screening found it substantive."""
    case_id = demo_app.cases.find(CaseQuery(text="former friend"))[0].id
    text = pdf_text(build_case_summary(demo_app, case_id))
    assert "Lee Reporter (fictional)" in text
    assert text.count("[confidential: withhold from the subject and family]") == 2  # people, report
    assert "Threat Substantive" in text
    weapon = demo_app.cases.find(CaseQuery(text="counting down"))[0].id
    weapon_text = pdf_text(build_case_summary(demo_app, weapon))
    assert "Not sure" in weapon_text
    assert "Emergency call Yes, by School resource officer (fictional)" in weapon_text
    assert "confidential: withhold" not in weapon_text  # a named reporter is not marked
