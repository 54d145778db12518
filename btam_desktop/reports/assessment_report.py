"""A filled assessment on paper: the answers, what they show, and the team's decision.

The assessment is rendered with the definition it was made with (stored by content hash), so
an old assessment prints as it was filled in even after its form file changed. A draft is
marked clearly as not a record.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table

from btam_desktop.domain.enums import InformationSource, Reliability
from btam_desktop.domain.forms import (
    Answers,
    FormDefinition,
    LevelScale,
    display_value,
    findings,
    information_gaps,
    visible_items,
    visible_sections,
)
from btam_desktop.domain.models import Account, Assessment
from btam_desktop.reports.base import (
    ACCENT,
    ALERT,
    ALERT_LIGHT,
    MUTED,
    RULE,
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
    para,
    printed_on_note,
    styles,
    suggested_file_name,
    table_style,
    tag,
)
from btam_desktop.reports.flowables import SectionBar, panel
from btam_desktop.reports.tables import cell, cell_markup, data_table, key_value_table

if TYPE_CHECKING:
    from btam_desktop.services.app import Btam

DRAFT_LINE = "DRAFT \u2014 not a record"
_KIND_LABELS = {
    "intake": "Report of concern",
    "screening": "Screening",
    "assessment": "Assessment",
    "interview": "Interview",
    "checklist": "Checklist",
    "catalog": "Catalog",
}


class _Names:
    """Display names of team members, by account id or username."""

    def __init__(self, accounts: list[Account]) -> None:
        self._by_id = {a.id: a for a in accounts if a.id is not None}
        self._by_user = {a.username: a for a in accounts}

    def by_id(self, account_id: int | None) -> str:
        if account_id is None:
            return ""
        account = self._by_id.get(account_id)
        if account is None:
            return "(former member)"
        return account.display_name or account.username

    def by_username(self, username: str) -> str:
        account = self._by_user.get(username)
        if account is None:
            return username
        return account.display_name or account.username

    def role_of(self, username: str) -> str:
        account = self._by_user.get(username)
        return account.team_role if account is not None else ""


def _sign_off(assessment: Assessment, names: _Names, width: float, draft: bool) -> list[Flowable]:
    """Who took the decision: their names and team roles printed, a line to sign and date."""
    st = styles()
    rows: list[list[Any]] = [
        [
            Paragraph("Name", st.cell_head),
            Paragraph("Role on the team", st.cell_head),
            Paragraph("Signature", st.cell_head),
            Paragraph("Date", st.cell_head),
        ]
    ]
    people = [] if draft else list(assessment.participants)
    for username in people:
        rows.append([cell(names.by_username(username)), cell(names.role_of(username)), "", ""])
    blank = 2 if people else 4
    rows.extend([["", "", "", ""] for _ in range(blank)])
    table = Table(
        rows,
        colWidths=[0.3 * width, 0.25 * width, 0.3 * width, 0.15 * width],
        rowHeights=[15] + [None] * len(people) + [26] * blank,
    )
    table.setStyle(
        table_style(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 1), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 7),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    statement = (
        "By signing, I confirm I took part in this decision and that this record states it "
        "as the team agreed."
    )
    return [
        KeepTogether(
            [
                SectionBar("", "Sign-off by the people who took the decision"),
                Spacer(1, 5),
                Paragraph(statement, st.muted),
                Spacer(1, 3),
                table,
            ]
        )
    ]


def _scale(app: Btam, scale_id: str | None) -> LevelScale | None:
    if not scale_id:
        return None
    try:
        found: LevelScale = app.scale(scale_id)
    except Exception:  # a scale no longer installed: show the code as it is
        return None
    return found


def _level_markup(scale: LevelScale | None, code: str | None) -> str:
    if not code:
        return "<i>None</i>"
    if scale is not None and scale.has_level(code):
        level = scale.level(code)
        return (
            f'<font backColor="{level.color}">&nbsp;&nbsp;&nbsp;</font>&nbsp;'
            f"<b>{para(level.label)}</b>"
        )
    return f"<b>{para(code.replace('_', ' ').capitalize())}</b>"


def _heading(title: str, room: float = 110) -> list[Flowable]:
    return [CondPageBreak(room), SectionBar("", title), Spacer(1, 6)]


def _answers_section(definition: FormDefinition, answers: Answers, width: float) -> list[Flowable]:
    st = styles()
    out: list[Flowable] = []
    shown = {item.id for item in visible_items(definition, answers)}
    for section in visible_sections(definition, answers):
        items = [item for item in section.items if item.id in shown]
        if not items:
            continue
        out.extend(_heading(section.title, 90))
        rows = []
        longest = 0
        any_source = any(item.ask_source for item in items)
        for item in items:
            answer = answers.get(item.id)
            value = answer.value if answer is not None else None
            question = f"<b>{para(item.label)}</b>"
            flags = " ".join(tag(f) for f in item.flags)
            if flags:
                question += f" {flags}"
            shown_value = display_value(item, value)
            if getattr(item, "type", "") == "yes_no_unknown" and shown_value != "not answered":
                shown_value = shown_value.capitalize()  # 'no' -> 'No'
            if shown_value == "not answered":
                value_markup = f'<font color="{hex_of(MUTED)}"><i>{para(shown_value)}</i></font>'
            elif isinstance(value, tuple):  # several choices: one to a line
                value_markup = "<br/>".join(
                    f"\u2022 {para(display_value(item, (v,)))}" for v in value
                )
                total = len(item.options)
                if getattr(item, "type", "") == "checklist" and total:
                    value_markup += (
                        f'<br/><font color="{hex_of(MUTED)}">{len(value)} of {total} ticked</font>'
                    )
            elif getattr(item, "type", "") == "date" and isinstance(value, str):
                try:
                    value_markup = para(fmt_date(date.fromisoformat(value)))
                except ValueError:  # not a date after all: show it as it is
                    value_markup = para(shown_value)
            else:
                value_markup = para(shown_value)
            longest = max(longest, len(shown_value))
            row: list[Any] = [cell_markup(question), cell_markup(value_markup)]
            if any_source:
                source = ""
                if item.ask_source and answer is not None:
                    parts = []
                    if answer.source:
                        parts.append(f"<b>{para(label_of(InformationSource, answer.source))}</b>")
                    if answer.source_detail:
                        parts.append(para(answer.source_detail))
                    if answer.reliability:
                        parts.append(
                            f'<font color="{hex_of(MUTED)}">Reliability: '
                            f"{para(label_of(Reliability, answer.reliability))}</font>"
                        )
                    source = "<br/>".join(parts)
                    longest = max(longest, len(answer.source_detail))
                row.append(cell_markup(source or "\u2014"))
            rows.append(row)
        if any_source:
            headers = ["Question", "Answer", "Source, detail and reliability"]
            widths = [0.42 * width, 0.33 * width, 0.25 * width]
        else:
            headers = ["Question", "Answer"]
            widths = [0.5 * width, 0.5 * width]
        out.append(data_table(headers, rows, widths, longest_text=longest))
        out.append(Spacer(1, 10))
    if not out:
        out.append(Paragraph("<i>No questions of this form are shown.</i>", st.note))
    return out


def _findings_section(definition: FormDefinition, answers: Answers) -> list[Flowable]:
    st = styles()
    found = findings(definition, answers)
    out = _heading("What the answers show")
    groups = (
        ("red_flag", "Red flags", found.red_flags),
        ("risk_factor", "Risk factors", found.risk_factors),
        ("protective_factor", "Protective factors", found.protective_factors),
    )
    for flag, title, items in groups:
        out.append(Paragraph(f"{tag(flag)} <b>{title}</b> ({len(items)})", st.small))
        out.append(Spacer(1, 2))
        if items:
            for finding in items:
                out.append(Paragraph(para(finding.label), st.bullet, bulletText="\u2022"))
        else:
            out.append(Paragraph(f"<i>No {title.lower()} found.</i>", st.note))
        out.append(Spacer(1, 5))
    gaps = information_gaps(definition, answers)
    out.append(Paragraph(f"<b>Information gaps</b> ({len(gaps)})", st.small))
    out.append(Spacer(1, 2))
    if gaps:
        for gap in gaps:
            out.append(Paragraph(para(gap.message or gap.label), st.bullet, bulletText="\u2022"))
    else:
        out.append(Paragraph("<i>No information gaps.</i>", st.note))
    out.append(Spacer(1, 10))
    return out


def _decision_section(
    app: Btam,
    assessment: Assessment,
    definition: FormDefinition,
    names: _Names,
    width: float,
) -> list[Flowable]:
    st = styles()
    draft = assessment.status != "completed"
    form_scale = _scale(app, definition.scale)
    if draft:
        review = app.assessments.review(assessment)
        suggested = review.suggestion.level
        explanation = review.suggestion.explanation
        reasons = list(review.suggestion.reasons)
    else:
        suggested = assessment.suggested_level
        explanation = assessment.suggestion
        reasons = []
    out = _heading("Suggested level and the team's decision", 140)
    if definition.scale or suggested or assessment.decided_level:
        note = " (computed from the answers so far)" if draft else ""
        out.append(
            key_value_table(
                [("Suggested level", _level_markup(form_scale, suggested) + para(note))],
                width,
                columns=1,
            )
        )
        out.append(Spacer(1, 4))
        if explanation:
            out.append(Paragraph("<b>Why the rules suggest this</b>", st.small))
            out.append(Spacer(1, 2))
            out.append(Paragraph(para(explanation), st.body))
        for reason in reasons:
            if reason not in explanation:
                out.append(Paragraph(para(reason), st.bullet, bulletText="\u2022"))
        out.append(Spacer(1, 6))
    if draft:
        out.append(
            Paragraph("<i>The team has not decided yet: this assessment is a draft.</i>", st.note)
        )
        return out
    decided_scale = _scale(app, assessment.decision_scale)
    pairs: list[tuple[str, Any]] = [
        ("Team's level", _level_markup(decided_scale, assessment.decided_level)),
        (
            "Rationale",
            para(assessment.decision_rationale) or "<i>Agreed with the suggestion.</i>",
        ),
        (
            "Who took part",
            para(", ".join(names.by_username(p) for p in assessment.participants) or "None"),
        ),
        ("Completed by", para(names.by_id(assessment.completed_by_id))),
        ("Completed", para(fmt_datetime(assessment.completed_at))),
    ]
    out.append(key_value_table(pairs, width, columns=1))
    return out


def _amendments(app: Btam, assessment: Assessment) -> list[str]:
    lines: list[str] = []
    if assessment.amends_id is not None:
        lines.append(
            f"<b>Amends assessment #{assessment.amends_id}</b>: "
            f"{para(assessment.amendment_reason or 'no reason recorded')}"
        )
    if assessment.id is not None:
        for later in app.assessments.amended_by(assessment.id):
            state = "" if later.status == "completed" else " (draft)"
            lines.append(f"<b>Amended by #{later.id}</b>{state}")
    return lines


def build_assessment_report(
    app: Btam,
    assessment_id: int,
    *,
    paper: str = "letter",
    progress: ProgressCallback | None = None,
) -> bytes:
    """A filled assessment as PDF bytes, rendered with its own stored form definition.

    ``progress(done, total, message)`` is called as the work advances. Recording an export,
    print or save in the audit trail is the caller's job (see ``export_assessment_report``).
    """
    st = styles()
    width = content_width(paper)

    def report(done: int, message: str) -> None:
        if progress is not None:
            progress(done, 4, message)

    report(0, "Reading the assessment")
    assessment = app.assessments.get(assessment_id)
    definition = app.assessments.definition(assessment)
    answers = app.assessments.answers(assessment)
    case = app.cases.get(assessment.case_id)
    names = _Names(app.team.members(include_inactive=True))
    draft = assessment.status != "completed"
    kind = _KIND_LABELS.get(definition.kind, definition.kind.capitalize())

    story: list[Flowable] = [
        Paragraph(para(definition.title), st.title),
        Spacer(1, 3),
        Paragraph(
            f"{para(kind)} for case {para(case.number)} \u00b7 assessment #{assessment.id}",
            st.subtitle,
        ),
        Spacer(1, 8),
    ]
    if draft:
        story.append(
            panel(
                [
                    Paragraph(f'<font color="{hex_of(ALERT)}"><b>{DRAFT_LINE}</b></font>', st.h1),
                    Spacer(1, 2),
                    Paragraph(
                        "This assessment is not completed: its answers may still change, and "
                        "the team has not decided. Do not file or rely on this copy.",
                        st.small,
                    ),
                ],
                width,
                background=ALERT_LIGHT,
                border=ALERT,
            )
        )
        story.append(Spacer(1, 8))
    status = DRAFT_LINE if draft else "Completed"
    pairs: list[tuple[str, Any]] = [
        ("Case number", f"<b>{para(case.number)}</b>"),
        ("Status", f"<b>{para(status)}</b>"),
        ("Form", para(definition.title)),
        ("Form id", para(definition.id)),
        ("Version", para(definition.version)),
        ("Content hash", para(definition.content_hash[:12])),
        ("Started", para(fmt_datetime(assessment.created_at))),
        ("Started by", para(names.by_id(assessment.created_by_id))),
    ]
    if not draft:
        pairs.extend(
            [
                ("Completed", para(fmt_datetime(assessment.completed_at))),
                ("Completed by", para(names.by_id(assessment.completed_by_id))),
            ]
        )
    story.append(key_value_table(pairs, width))
    links = _amendments(app, assessment)
    if links:
        story.append(Spacer(1, 6))
        story.extend(Paragraph(line, st.body) for line in links)
    story.append(Spacer(1, 12))

    report(1, "Preparing the answers")
    story.extend(_answers_section(definition, answers, width))
    report(2, "Preparing the findings")
    story.extend(_findings_section(definition, answers))
    story.extend(_decision_section(app, assessment, definition, names, width))
    story.append(Spacer(1, 12))
    story.extend(_sign_off(assessment, names, width, draft))
    story.append(Spacer(1, 8))
    story.append(Paragraph(para(definition.disclaimer), st.note))

    report(3, "Laying out pages")
    header = f"{definition.title} \u00b7 case {case.number}"
    info = DocInfo(
        title=f"Case {case.number} {kind.lower()}" + (" (draft)" if draft else ""),
        team_name=app.settings().team_name,
        confidential_line=confidential_line(app.settings()),
        subject=f"Threat assessment record: {definition.id} v{definition.version}",
        header_right=header + (" \u00b7 DRAFT" if draft else ""),
        footer_note=printed_on_note(
            (f"{DRAFT_LINE} \u00b7 " if draft else "")
            + f"Case {case.number} \u00b7 {definition.id} v{definition.version} "
            f"({definition.content_hash[:12]})"
        ),
        keywords=("threat assessment", kind.lower()),
    )
    pdf = build_pdf(story, info, paper)
    report(4, "Done")
    return pdf


def assessment_file_name(app: Btam, assessment_id: int) -> str:
    """The suggested file name for an assessment report: case number and form id only."""
    assessment = app.assessments.get(assessment_id)
    case = app.cases.get(assessment.case_id)
    return suggested_file_name(
        "assessment", case.number, form_id=assessment.form_id, version=assessment.form_version
    )


__all__ = ["DRAFT_LINE", "assessment_file_name", "build_assessment_report"]
