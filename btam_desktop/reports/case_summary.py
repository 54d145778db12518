"""The case summary: a case record on paper, for the file, a parent meeting or a court.

Built from the services only. Exporting is recorded by the caller (see ``export_case_summary``
in this package), because the caller knows whether the document was saved, printed or only
previewed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from reportlab.platypus import CondPageBreak, Flowable, HRFlowable, KeepTogether, Spacer

from btam_desktop.domain.enums import (
    CaseSetting,
    CaseStatus,
    DisclosureBasis,
    DisclosureRecipient,
    InformationSource,
    LevelSource,
    NoteCategory,
    PathwayStage,
    PersonRole,
    Priority,
    Reliability,
    ReportChannel,
    ThreatDirectness,
    ThreatExpression,
    TimelineCategory,
    YesNoUnknown,
)
from btam_desktop.domain.formatting import plural
from btam_desktop.domain.forms import LevelScale
from btam_desktop.domain.models import (
    Account,
    Assessment,
    Case,
    CaseNote,
    ConcernReport,
    Disclosure,
    LevelDecision,
    ManagementPlan,
    Person,
    PlanIntervention,
    TimelineEntry,
    WorkflowTransition,
)
from btam_desktop.domain.workflow import WorkflowAction
from btam_desktop.reports.base import (
    ALERT,
    HAIRLINE,
    MUTED,
    DocInfo,
    Paragraph,
    ProgressCallback,
    build_pdf,
    confidential_line,
    content_width,
    fmt_date,
    fmt_datetime,
    hex_of,
    label_of,
    long_text,
    para,
    printed_on_note,
    styles,
    utc_offset_label,
)
from btam_desktop.reports.flowables import SectionBar, panel
from btam_desktop.reports.plan_report import intervention_rows, plan_status_text
from btam_desktop.reports.tables import cell, cell_markup, data_table, key_value_table

if TYPE_CHECKING:
    from btam_desktop.services.app import Btam

#: The parts a case summary can hold, in the order they are printed.
SECTIONS: tuple[str, ...] = (
    "overview",
    "people",
    "report",
    "timeline",
    "levels",
    "assessments",
    "plan",
    "disclosures",
    "notes",
)
SECTION_TITLES = {
    "overview": "Overview",
    "people": "People involved",
    "report": "Report of concern",
    "timeline": "Timeline of behavior and events",
    "levels": "Levels of concern and decisions",
    "assessments": "Completed assessments",
    "plan": "Management plan in force",
    "disclosures": "Disclosures",
    "notes": "Case notes",
}


@dataclass
class _CaseData:
    case: Case
    accounts: dict[int, Account]
    assigned: list[Account]
    scale: LevelScale | None
    people: list[Person]
    reports: list[ConcernReport]
    timeline: list[TimelineEntry]
    levels: list[LevelDecision]
    transitions: list[WorkflowTransition]
    disclosures: list[Disclosure]
    notes: list[CaseNote]
    assessments: list[Assessment] = field(default_factory=list)
    plan: ManagementPlan | None = None
    interventions: list[PlanIntervention] = field(default_factory=list)
    scales: dict[str, LevelScale | None] = field(default_factory=dict)
    abridge: bool = False  # long narratives and notes cut short, with a note saying so

    def who(self, account_id: int | None) -> str:
        if account_id is None:
            return ""
        account = self.accounts.get(account_id)
        if account is None:
            return "(former member)"
        return account.display_name or account.username

    def level_label(self, code: str | None) -> str:
        if not code:
            return "Not decided yet"
        if self.scale is not None and self.scale.has_level(code):
            return self.scale.level(code).label
        return code.replace("_", " ").capitalize()

    def level_color(self, code: str | None) -> str | None:
        if code and self.scale is not None and self.scale.has_level(code):
            return self.scale.level(code).color
        return None


#: The case file parts (services/case_file.py) each section prints.
_PARTS_OF_SECTION: dict[str, frozenset[str]] = {
    "overview": frozenset({"members"}),
    "people": frozenset({"people", "reports"}),
    "report": frozenset({"people", "reports"}),
    "timeline": frozenset({"timeline"}),
    "levels": frozenset({"levels", "transitions"}),
    "assessments": frozenset({"assessments"}),
    "plan": frozenset({"plan"}),
    "disclosures": frozenset({"disclosures"}),
    "notes": frozenset({"notes"}),
}


def _load(app: Btam, case_id: int, wanted: set[str]) -> _CaseData:
    parts = frozenset().union(*(_PARTS_OF_SECTION[s] for s in wanted))
    file = app.case_file(case_id, parts)
    return _CaseData(
        assessments=file.completed_assessments(),  # oldest first, like the other tables
        plan=file.plan,
        interventions=file.interventions,
        scales=file.scales,
        case=file.case,
        accounts=file.accounts,
        assigned=file.members,
        scale=file.scale,
        people=file.people,
        reports=file.reports,
        timeline=file.timeline,
        levels=file.levels,
        transitions=file.transitions,
        disclosures=file.disclosures,
        notes=file.notes,
    )


# ---- sections --------------------------------------------------------------------------------


# Room a section needs below its heading for the heading not to end a page alone: the heading,
# an intro line, a table's header row and first row (or the first lines of a note).
_ROOM = {
    "overview": 130,
    "people": 110,
    "report": 140,
    "timeline": 150,
    "levels": 130,
    "assessments": 110,
    "plan": 150,
    "disclosures": 140,
    "notes": 90,
}


def _heading(key: str) -> list[Flowable]:
    return [CondPageBreak(_ROOM[key]), SectionBar("", SECTION_TITLES[key]), Spacer(1, 6)]


def _empty(text: str) -> Paragraph:
    return Paragraph(para(text), styles().note)


def _level_markup(data: _CaseData, code: str | None) -> str:
    label = para(data.level_label(code))
    color = data.level_color(code)
    if color is None:
        return f"<b>{label}</b>" if code else f"<i>{label}</i>"
    return f'<font backColor="{color}">&nbsp;&nbsp;&nbsp;</font>&nbsp;<b>{label}</b>'


def _overview(data: _CaseData, width: float) -> list[Flowable]:
    case = data.case
    status = next((s for s in CaseStatus if s.value == case.status), None)
    level_text = _level_markup(data, case.level)
    if data.scale is not None:
        level_text += f' <font color="{hex_of(MUTED)}">({para(data.scale.title)})</font>'
    review = fmt_date(case.next_review_on) or "Not set"
    if case.next_review_on and status is not None and not status.is_closed:
        days = (case.next_review_on - date.today()).days
        if days < 0:
            review += f' <font color="{hex_of(ALERT)}"><b>overdue by {-days} days</b></font>'
    pairs: list[tuple[str, Any]] = [
        ("Case number", f"<b>{para(case.number)}</b>"),
        ("Status", f"<b>{para(status.label if status else case.status)}</b>"),
        ("Title", para(case.title)),
        ("Level of concern", level_text),
        ("Setting", para(label_of(CaseSetting, case.setting))),
        ("Priority", para(label_of(Priority, case.priority))),
        ("Threat", para(case.threat_type.capitalize() if case.threat_type else "Not decided")),
        ("Site", para(case.site or "Not recorded")),
        ("Case owner", para(data.who(case.owner_id) or "None")),
        ("Opened", para(fmt_datetime(case.opened_at))),
        ("Closed", para(fmt_datetime(case.closed_at) or "Open")),
        ("Next review", review),
        ("Legal hold", "<b>Yes</b>" if case.legal_hold else "No"),
        (
            "Team members",
            para(", ".join(a.display_name or a.username for a in data.assigned) or "None"),
        ),
        ("Keep until", para(fmt_date(case.retention_until) or "Not set")),
    ]
    out: list[Flowable] = [*_heading("overview"), key_value_table(pairs, width)]
    if case.closure_reason:
        out.append(Spacer(1, 4))
        out.append(
            key_value_table([("Reason closed", para(case.closure_reason))], width, columns=1)
        )
    return out


WITHHELD_MARK = (
    '<font color="#b42318"><b>[confidential: withhold from the subject and family]</b></font>'
)


def _person_name(person: Person) -> str:
    if person.anonymous:
        return "<i>Anonymous</i>"
    if not person.full_name:
        return "<i>Name not known</i>"
    return f"<b>{para(person.full_name)}</b>"


def _people(data: _CaseData, width: float) -> list[Flowable]:
    out = _heading("people")
    if not data.people:
        return [*out, _empty("No people are recorded in this case.")]
    order = {role.value: n for n, role in enumerate(PersonRole)}
    people = sorted(data.people, key=lambda p: (order.get(p.role, 99), p.id or 0))
    withheld = {r.reporter_id for r in data.reports if r.reporter_confidential}
    rows = [
        [
            cell(label_of(PersonRole, p.role), bold=True),
            cell_markup(_person_name(p) + (f"<br/>{WITHHELD_MARK}" if p.id in withheld else "")),
            cell(p.affiliation),
            cell(p.grade_or_position),
            cell(p.contact),
            cell(p.notes),
        ]
        for p in people
    ]
    w = width
    widths = [0.13 * w, 0.19 * w, 0.15 * w, 0.13 * w, 0.17 * w, 0.23 * w]
    longest = max((len(p.notes) for p in people), default=0)
    headers = ["Role", "Name", "Affiliation", "Grade or position", "Contact", "Notes"]
    return [*out, data_table(headers, rows, widths, longest_text=longest)]


def _report_block(
    data: _CaseData, report: ConcernReport, number: int, width: float
) -> list[Flowable]:
    st = styles()
    reporter = "Not recorded"
    if report.reporter_anonymous:
        reporter = "<i>Anonymous</i>"
    elif report.reporter_id is not None:
        person = next((p for p in data.people if p.id == report.reporter_id), None)
        reporter = _person_name(person) if person else "Not recorded"
    if report.reporter_confidential:
        reporter += f" {WITHHELD_MARK}"
    expressed = ", ".join(label_of(ThreatExpression, e) for e in report.expressed_as) or "—"
    danger = "No"
    if report.immediate_danger:
        answer = "Not sure" if report.danger_answer == "not_sure" else "Yes"
        danger = f'<font color="{hex_of(ALERT)}"><b>{answer}</b></font>'
        if report.emergency_notice_shown_at:
            danger += (
                " (instruction to call emergency services shown "
                f"{para(fmt_datetime(report.emergency_notice_shown_at))})"
            )
    pairs: list[tuple[str, Any]] = [
        ("Received", para(fmt_datetime(report.received_at))),
        ("How", para(label_of(ReportChannel, report.channel))),
        ("Reported by", reporter),
        ("Entered by", para(data.who(report.entered_by_id))),
        ("Expressed", para(expressed)),
        (
            "Threat was",
            para(
                label_of(ThreatDirectness, report.directness)
                + (", conditional" if report.conditional else "")
            ),
        ),
        ("Known to target", para(label_of(YesNoUnknown, report.known_to_target))),
        ("Immediate danger", danger),
    ]
    if report.emergency_called:
        called = "No"
        if report.emergency_called == "yes":
            called = "Yes, by " + (report.emergency_called_by or "someone not recorded")
            if report.emergency_called_at:
                called += f", {fmt_datetime(report.emergency_called_at)}"
        pairs.append(("Emergency call", para(called)))
    out: list[Flowable] = []
    if len(data.reports) > 1:
        out.append(Paragraph(f"Report {number} of {len(data.reports)}", st.h2))
        out.append(Spacer(1, 3))
    out.append(key_value_table(pairs, width))
    out.append(Spacer(1, 6))
    out.append(Paragraph("<b>What was reported</b>", st.small))
    out.append(Spacer(1, 2))
    out.extend(
        long_text(
            report.narrative,
            st.body,
            abridge=data.abridge,
            where="the case record in BTAM Desktop (Report tab, narrative)",
            empty="<i>No narrative recorded.</i>",
        )
    )
    if report.threat_quote:
        out.append(Spacer(1, 6))
        out.append(
            panel(
                [
                    Paragraph("<b>Exact words reported</b>", st.small),
                    Spacer(1, 2),
                    Paragraph(f"<i>\u201c{para(report.threat_quote)}\u201d</i>", st.body),
                ],
                width,
            )
        )
    out.append(Spacer(1, 10))
    return out


def _report(data: _CaseData, width: float) -> list[Flowable]:
    out = _heading("report")
    if not data.reports:
        return [*out, _empty("No report of concern is recorded in this case.")]
    for number, report in enumerate(data.reports, start=1):
        out.extend(_report_block(data, report, number, width))
    return out


def _timeline(data: _CaseData, width: float) -> list[Flowable]:
    out = _heading("timeline")
    if not data.timeline:
        return [*out, _empty("No timeline entries are recorded in this case.")]
    rows = []
    longest = 0
    for entry in data.timeline:
        what = f"<b>{para(label_of(TimelineCategory, entry.category))}</b>"
        if entry.pathway_stage:
            what += (
                f' <font color="{hex_of(MUTED)}">\u00b7 pathway stage: '
                f"{para(label_of(PathwayStage, entry.pathway_stage))}</font>"
            )
        what += f"<br/>{para(entry.description)}"
        source = para(label_of(InformationSource, entry.source))
        if entry.obtained_how:
            source += f": {para(entry.obtained_how)}"
        who = data.who(entry.entered_by_id)
        if who:
            source += f'<br/><font color="{hex_of(MUTED)}">entered by {para(who)}</font>'
        longest = max(longest, len(entry.description), len(entry.obtained_how))
        rows.append(
            [
                cell(fmt_datetime(entry.occurred_at)),
                cell_markup(what),
                cell_markup(source),
                cell(label_of(Reliability, entry.reliability)),
            ]
        )
    w = width
    widths = [0.13 * w, 0.52 * w, 0.24 * w, 0.11 * w]
    headers = ["When", "What happened", "Source and how obtained", "Reliability"]
    count = len(data.timeline)
    out.append(
        Paragraph(
            f"{plural(count, 'entry', 'entries')}, oldest first. Times are shown "
            f"in {utc_offset_label()}.",
            styles().muted,
        )
    )
    out.append(Spacer(1, 4))
    out.append(data_table(headers, rows, widths, longest_text=longest))
    return out


_SOURCE_LABELS = {
    LevelSource.DECISION.value: "Team decision",
    LevelSource.SCREENING.value: "Screening",
    LevelSource.ASSESSMENT.value: "Assessment",
    LevelSource.CLOSURE.value: "At closure",
}


def _levels(data: _CaseData, width: float) -> list[Flowable]:
    out = _heading("levels")
    st = styles()
    w = width
    if data.levels:
        rows = [
            [
                cell(fmt_datetime(d.decided_at)),
                cell_markup(_level_markup(data, d.level)),
                cell(_SOURCE_LABELS.get(d.source) or label_of(LevelSource, d.source)),
                cell(data.who(d.decided_by_id)),
                cell(d.rationale),
            ]
            for d in data.levels
        ]
        longest = max(len(d.rationale) for d in data.levels)
        out.append(
            Paragraph("<b>Level of concern</b>, with the rationale for each decision", st.small)
        )
        out.append(Spacer(1, 3))
        out.append(
            data_table(
                ["Decided", "Level", "Basis", "Decided by", "Rationale"],
                rows,
                [0.15 * w, 0.13 * w, 0.11 * w, 0.16 * w, 0.45 * w],
                longest_text=longest,
            )
        )
    else:
        out.append(_empty("No level of concern has been decided yet."))
    out.append(Spacer(1, 10))
    if data.transitions:
        rows = []
        for t in data.transitions:
            action = label_of(WorkflowAction, t.action)
            change = (
                f"from {label_of(CaseStatus, t.from_status)} to {label_of(CaseStatus, t.to_status)}"
            )
            reason = para(t.reason)
            screeners = t.details.get("screeners") if isinstance(t.details, dict) else None
            if isinstance(screeners, list) and screeners:
                names = ", ".join(_screener_name(data, str(s)) for s in screeners)
                reason += f'<br/><font color="{hex_of(MUTED)}">Screened by {para(names)}</font>'
            rows.append(
                [
                    cell(fmt_datetime(t.at)),
                    cell(action, bold=True),
                    cell(change),
                    cell(data.who(t.by_id)),
                    cell_markup(reason),
                ]
            )
        longest = max(len(t.reason) for t in data.transitions)
        out.append(
            Paragraph("<b>Case status</b>: each step of the process and its reason", st.small)
        )
        out.append(Spacer(1, 3))
        out.append(
            data_table(
                ["When", "Decision", "Status", "By", "Reason"],
                rows,
                [0.15 * w, 0.19 * w, 0.19 * w, 0.15 * w, 0.32 * w],
                longest_text=longest,
            )
        )
    return out


def _screener_name(data: _CaseData, username: str) -> str:
    for account in data.accounts.values():
        if account.username == username:
            return account.display_name or account.username
    return username


def _disclosures(data: _CaseData, width: float) -> list[Flowable]:
    out = _heading("disclosures")
    st = styles()
    if not data.disclosures:
        return [*out, _empty("No disclosures of information are recorded in this case.")]
    out.append(
        Paragraph(
            "Who was told what, when and why. Kept as long as the case records are kept.",
            st.muted,
        )
    )
    out.append(Spacer(1, 4))
    rows = []
    longest = 0
    for d in data.disclosures:
        kind = (
            "Parent or guardian"
            if d.recipient_kind == DisclosureRecipient.PARENT_GUARDIAN.value
            else label_of(DisclosureRecipient, d.recipient_kind)
        )
        to = f"<b>{para(kind)}</b><br/>{para(d.recipient_name)}"
        info = f"{para(d.information_disclosed)}<br/><i>Purpose:</i> {para(d.purpose)}"
        if d.articulable_threat:
            info += f"<br/><i>Articulable and significant threat:</i> {para(d.articulable_threat)}"
        longest = max(longest, len(d.information_disclosed) + len(d.articulable_threat))
        rows.append(
            [
                cell(fmt_datetime(d.disclosed_at)),
                cell_markup(to),
                cell_markup(info),
                cell(label_of(DisclosureBasis, d.legal_basis)),
                cell(data.who(d.disclosed_by_id)),
            ]
        )
    w = width
    out.append(
        data_table(
            ["When", "Told", "What was disclosed, and why", "Legal basis", "By"],
            rows,
            [0.14 * w, 0.16 * w, 0.4 * w, 0.17 * w, 0.13 * w],
            longest_text=longest,
        )
    )
    return out


def _notes(data: _CaseData, width: float) -> list[Flowable]:
    out = _heading("notes")
    st = styles()
    if not data.notes:
        return [*out, _empty("No notes are recorded in this case.")]
    for n, note in enumerate(data.notes):
        head = (
            f"<b>{para(fmt_datetime(note.created_at))}</b> \u00b7 "
            f"{para(label_of(NoteCategory, note.category))} \u00b7 "
            f'<font color="{hex_of(MUTED)}">{para(data.who(note.author_id))}</font>'
        )
        body: list[Flowable] = [Paragraph(head, st.small), Spacer(1, 2)]
        paragraphs = long_text(
            note.body,
            st.body,
            abridge=data.abridge,
            where="the case record in BTAM Desktop (Notes tab, note of "
            f"{fmt_date(note.created_at)})",
        )
        out.append(KeepTogether(body + paragraphs[:1]))
        out.extend(paragraphs[1:])
        if n < len(data.notes) - 1:
            out.append(
                HRFlowable(width="100%", thickness=0.4, color=HAIRLINE, spaceBefore=5, spaceAfter=5)
            )
    return out


def _assessments(data: _CaseData, width: float) -> list[Flowable]:
    out = _heading("assessments")
    if not data.assessments:
        return [*out, _empty("No assessment of this case is completed yet.")]
    rows = []
    for a in data.assessments:
        if a.decided_level:
            level_scale = data.scales.get(a.decision_scale or "")
            if level_scale is not None and level_scale.has_level(a.decided_level):
                level = level_scale.level(a.decided_level)
                decided = (
                    f'<font backColor="{level.color}">&nbsp;&nbsp;&nbsp;</font>&nbsp;'
                    f"<b>{para(level.label)}</b>"
                )
            else:
                decided = f"<b>{para(a.decided_level.replace('_', ' ').capitalize())}</b>"
        else:
            decided = "<i>No level decided</i>"
        rows.append(
            [
                cell(fmt_datetime(a.completed_at)),
                cell_markup(f"<b>{para(a.form_title or a.form_id)}</b>"),
                cell(a.form_version),
                cell_markup(decided),
                cell(data.who(a.completed_by_id)),
            ]
        )
    w = width
    out.append(
        data_table(
            ["Completed", "Form", "Version", "Level decided", "Completed by"],
            rows,
            [0.17 * w, 0.37 * w, 0.1 * w, 0.17 * w, 0.19 * w],
        )
    )
    return out


def _plan(data: _CaseData, width: float) -> list[Flowable]:
    out = _heading("plan")
    st = styles()
    plan = data.plan
    if plan is None:
        return [*out, _empty("No management plan is approved for this case.")]
    pairs: list[tuple[str, Any]] = [
        ("Plan version", f"<b>{plan.version}</b>"),
        ("Approved", para(plan_status_text(plan, data.accounts))),
        ("Next reassessment", para(fmt_date(plan.next_reassessment_on) or "Not set")),
        ("Interventions", str(len(data.interventions))),
    ]
    out.append(key_value_table(pairs, width))
    out.append(Spacer(1, 4))
    out.append(
        key_value_table([("Goals", para(plan.goals) or "<i>Not written.</i>")], width, columns=1)
    )
    out.append(Spacer(1, 6))
    if data.interventions:
        w = width
        longest = max(len(i.notes) + len(i.dropped_reason) for i in data.interventions)
        out.append(
            data_table(
                ["What is done", "Responsible", "Dates", "Repeats", "Status"],
                intervention_rows(data.interventions, data.accounts),
                [0.4 * w, 0.16 * w, 0.17 * w, 0.1 * w, 0.17 * w],
                longest_text=longest,
            )
        )
    out.append(Spacer(1, 3))
    out.append(
        Paragraph(
            "The full plan, with supervision, the safety plan and monitoring, prints on its own.",
            st.note,
        )
    )
    return out


_BUILDERS: dict[str, Callable[[_CaseData, float], list[Flowable]]] = {
    "overview": _overview,
    "people": _people,
    "report": _report,
    "timeline": _timeline,
    "levels": _levels,
    "assessments": _assessments,
    "plan": _plan,
    "disclosures": _disclosures,
    "notes": _notes,
}


def _cover(
    prepared_by: str, data: _CaseData, wanted: Iterable[str], width: float
) -> list[Flowable]:
    st = styles()
    parts = [SECTION_TITLES[s].lower() for s in SECTIONS if s in set(wanted)]
    prepared = (
        f"Prepared by {para(prepared_by)} on {para(fmt_date(date.today()))} from the "
        f"encrypted case record. Contains: {para(', '.join(parts))}."
    )
    return [
        Paragraph(f"Case summary {para(data.case.number)}", st.title),
        Spacer(1, 3),
        Paragraph(para(data.case.title), st.subtitle),
        Spacer(1, 6),
        Paragraph(prepared, st.muted),
        Spacer(1, 8),
        panel(
            [
                Paragraph(
                    "<b>Confidential.</b> This summary holds information about identifiable "
                    "people, gathered to prevent harm. Share it only with people who need it to "
                    "keep others safe, and only as the law and your policy allow. Keep it locked "
                    "away and shred it when it is no longer needed. It describes behavior and "
                    "what the team knew at the time; it is not a diagnosis.",
                    st.small,
                )
            ],
            width,
            background=None,
            border=MUTED,
        ),
        Spacer(1, 10),
    ]


@dataclass(frozen=True)
class CaseSummaryRead:
    """Everything a case summary shows, read from the vault; rendering needs nothing more, so
    the vault can be locked (and released to the window) before the long layout work."""

    data: _CaseData
    chosen: list[str]
    prepared_by: str
    team_name: str
    confidential_line: str


def read_case_summary(
    app: Btam, case_id: int, *, sections: set[str] | None = None
) -> CaseSummaryRead:
    wanted = set(SECTIONS) if sections is None else set(sections)
    unknown = wanted - set(SECTIONS)
    if unknown:
        raise ValueError(
            f"unknown case summary sections: {', '.join(sorted(unknown))} "
            f"(choose from {', '.join(SECTIONS)})"
        )
    settings = app.settings()
    return CaseSummaryRead(
        data=_load(app, case_id, wanted),
        chosen=[s for s in SECTIONS if s in wanted],
        prepared_by=app.actor.label,
        team_name=settings.team_name,
        confidential_line=confidential_line(settings),
    )


def build_case_summary(
    app: Btam,
    case_id: int,
    *,
    sections: set[str] | None = None,
    paper: str = "letter",
    progress: ProgressCallback | None = None,
    abridge: bool = False,
    first_page_only: bool = False,
) -> bytes:
    """The case as a PDF (bytes). ``sections`` picks parts of ``SECTIONS`` (all by default);
    ``abridge`` prints only the first pages of each long narrative or note, saying how much
    was left out and where the full text is. ``first_page_only`` makes a quick first look
    for the preview while the whole document is built: page 1 as it will print (long lists
    are cut short, which only changes later pages), its footer saying "Page 1 of …".

    ``progress(done, total, message)`` is called as the work advances. Recording the export in
    the audit trail is the caller's job (see ``export_case_summary``).
    """
    if progress is not None:
        progress(0, 2 + len(SECTIONS), "Reading the case")
    read = read_case_summary(app, case_id, sections=sections)
    return render_case_summary(
        read, paper=paper, progress=progress, abridge=abridge, first_page_only=first_page_only
    )


def render_case_summary(
    read: CaseSummaryRead,
    *,
    paper: str = "letter",
    progress: ProgressCallback | None = None,
    abridge: bool = False,
    first_page_only: bool = False,
) -> bytes:
    """Lay out a summary that was read with :func:`read_case_summary` (no vault needed); see
    :func:`build_case_summary` for ``abridge`` and ``first_page_only``."""
    data, chosen = read.data, read.chosen
    width = content_width(paper)
    steps = 1 + len(chosen)

    def report(done: int, total: int, message: str) -> None:
        if progress is not None:
            progress(done, total, message)

    if abridge or first_page_only:
        data = copy.copy(data)  # the read stays as it was for the full document
        data.abridge = True
        if first_page_only:
            _first_page_data(data)
    story: list[Flowable] = _cover(read.prepared_by, data, chosen, width)
    for n, key in enumerate(chosen, start=1):
        report(n, steps + 1, f"Preparing: {SECTION_TITLES[key].lower()}")
        story.extend(_BUILDERS[key](data, width))
        story.append(Spacer(1, 14))
    if not chosen:
        story.append(_empty("No sections were chosen."))

    # Laying out pages is most of the work for a long case; count pages against an estimate.
    estimate = max(
        2,
        1
        + len(data.timeline) // 9
        + len(data.notes) // 6
        + len(data.levels) // 12
        + len(data.disclosures) // 6,
    )

    last_total = steps + estimate

    def on_page(page: int) -> None:
        nonlocal last_total
        last_total = steps + max(estimate, page + 1)
        report(steps + page, last_total, f"Laying out page {page}")

    info = DocInfo(
        title=f"Case {data.case.number} summary",
        team_name=read.team_name,
        confidential_line=read.confidential_line,
        subject="Threat assessment case summary",
        header_right=f"Case summary {data.case.number}",
        footer_note=printed_on_note(f"Case {data.case.number}"),
        keywords=("threat assessment", "case summary"),
    )
    pdf = build_pdf(story, info, paper, on_page=on_page, max_pages=1 if first_page_only else None)
    report(last_total, last_total, "Done")
    return pdf


def _first_page_data(data: _CaseData) -> None:
    """Cut the lists far beyond what one page holds: laying out a long table costs time even
    for rows that land on later pages."""
    for name in ("people", "timeline", "levels", "transitions", "disclosures", "notes"):
        setattr(data, name, getattr(data, name)[:40])


__all__ = [
    "SECTIONS",
    "SECTION_TITLES",
    "CaseSummaryRead",
    "build_case_summary",
    "read_case_summary",
    "render_case_summary",
]
