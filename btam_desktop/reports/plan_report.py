"""A case's management plan on paper, for the people who carry it out: what is done, by whom,
by when, how the case is watched, and a sign-off block.

By default the plan in force is printed (else the latest version, marked as not approved).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table

from btam_desktop.domain.errors import NotFoundError
from btam_desktop.domain.models import Account, ManagementPlan, PlanIntervention
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
    para,
    printed_on_note,
    styles,
    suggested_file_name,
    table_style,
)
from btam_desktop.reports.flowables import SectionBar, panel
from btam_desktop.reports.tables import cell, cell_markup, data_table, key_value_table
from btam_desktop.services.plans import InterventionStatus, PlanStatus, RepeatRule, Strategy

if TYPE_CHECKING:
    from btam_desktop.services.app import Btam

PROPOSED_LINE = "PROPOSED \u2014 not yet approved"
RECENT_MONITORING = 8


def _who(accounts: dict[int, Account], account_id: int | None) -> str:
    if account_id is None:
        return ""
    account = accounts.get(account_id)
    if account is None:
        return "(former member)"
    return account.display_name or account.username


def _label(enum_type: Any, value: str) -> str:
    try:
        return str(enum_type(value).label)
    except ValueError:
        return value.replace("_", " ").capitalize()


def plan_status_text(plan: ManagementPlan, accounts: dict[int, Account]) -> str:
    """'Approved by X on date', 'Superseded ...' or the proposed line, as plain text."""
    if plan.status in (PlanStatus.APPROVED.value, PlanStatus.SUPERSEDED.value):
        who = _who(accounts, plan.approved_by_id) or "the coordinator"
        text = f"Approved by {who} on {fmt_datetime(plan.approved_at)}"
        if plan.status == PlanStatus.SUPERSEDED.value:
            text = "Superseded by a later version. " + text
        return text
    return PROPOSED_LINE


def choose_plan(app: Btam, case_id: int, plan_id: int | None = None) -> ManagementPlan:
    """The plan version to print: ``plan_id`` if given, else the one in force, else the latest."""
    if plan_id is not None:
        plan = app.plans.get(plan_id)
        if plan.case_id != case_id:
            raise NotFoundError("That plan version")
        return plan
    plan_or_none = app.plans.in_force(case_id) or app.plans.latest(case_id)
    if plan_or_none is None:
        raise NotFoundError("A management plan for that case")
    return plan_or_none


def _text_block(title: str, text: str) -> list[Flowable]:
    st = styles()
    body = para(text) or "<i>Not written.</i>"
    return [
        Paragraph(f"<b>{para(title)}</b>", st.h2),
        Spacer(1, 2),
        Paragraph(body, st.body),
        Spacer(1, 8),
    ]


def intervention_rows(
    items: list[PlanIntervention],
    accounts: dict[int, Account],
    contacts: dict[int, str] | None = None,
) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for item in items:
        status = item.status
        what = f"<b>{para(item.title)}</b>"
        if item.notes:
            what += f'<br/><font color="{hex_of(MUTED)}">{para(item.notes)}</font>'
        status_markup = para(_label(InterventionStatus, status))
        if status == InterventionStatus.DROPPED.value:
            what = f"<strike>{para(item.title)}</strike>" + (
                f'<br/><font color="{hex_of(MUTED)}">{para(item.notes)}</font>'
                if item.notes
                else ""
            )
            status_markup = (
                f'<font color="{hex_of(ALERT)}"><b>Dropped</b></font><br/>'
                f"Why: {para(item.dropped_reason)}"
            )
        dates = []
        if item.start_on:
            dates.append(f"Start {para(fmt_date(item.start_on))}")
        if item.due_on:
            dates.append(f"<b>Due {para(fmt_date(item.due_on))}</b>")
        if item.review_on:
            dates.append(f"Review {para(fmt_date(item.review_on))}")
        rows.append(
            [
                cell_markup(what),
                cell(_responsible(item, accounts, contacts or {})),
                cell_markup("<br/>".join(dates) or "\u2014"),
                cell(RepeatRule.parse(item.recurrence).label),
                cell_markup(status_markup),
            ]
        )
    return rows


def _responsible(
    item: PlanIntervention, accounts: dict[int, Account], contacts: dict[int, str]
) -> str:
    if item.responsible_contact_id is not None:
        return contacts.get(item.responsible_contact_id, "A contact outside the team")
    return _who(accounts, item.responsible_id) or "Not assigned"


def _interventions(
    items: list[PlanIntervention],
    accounts: dict[int, Account],
    width: float,
    contacts: dict[int, str] | None = None,
) -> list[Flowable]:
    st = styles()
    out: list[Flowable] = [
        CondPageBreak(140),
        SectionBar("", f"Interventions ({len(items)})"),
        Spacer(1, 6),
    ]
    if not items:
        return [*out, Paragraph("<i>No interventions are planned.</i>", st.note)]
    order = {s.value: n for n, s in enumerate(Strategy)}
    groups: dict[str, list[PlanIntervention]] = {}
    for item in sorted(items, key=lambda i: (order.get(i.strategy, 99), i.position)):
        groups.setdefault(item.strategy, []).append(item)
    w = width
    widths = [0.4 * w, 0.16 * w, 0.17 * w, 0.1 * w, 0.17 * w]
    headers = ["What is done", "Responsible", "Dates", "Repeats", "Status"]
    for strategy, group in groups.items():
        title = _label(Strategy, strategy)
        longest = max(len(i.notes) + len(i.dropped_reason) + len(i.title) for i in group)
        out.append(CondPageBreak(80))
        out.append(Paragraph(f"Strategy: {para(title)}", st.h2))
        out.append(Spacer(1, 3))
        out.append(
            data_table(
                headers, intervention_rows(group, accounts, contacts), widths, longest_text=longest
            )
        )
        out.append(Spacer(1, 8))
    return out


def _monitoring(
    app: Btam, case_id: int, accounts: dict[int, Account], width: float
) -> list[Flowable]:
    st = styles()
    entries = sorted(app.plans.monitoring(case_id), key=lambda m: m.observed_on, reverse=True)
    out: list[Flowable] = [CondPageBreak(110), SectionBar("", "Recent monitoring"), Spacer(1, 6)]
    if not entries:
        return [*out, Paragraph("<i>No monitoring entries yet.</i>", st.note)]
    shown = entries[:RECENT_MONITORING]
    rows = []
    for entry in shown:
        flags = []
        if entry.changes_concern:
            flags.append(f'<font color="{hex_of(ALERT)}"><b>Changes the concern</b></font>')
        if entry.reassessment_requested:
            flags.append(f'<font color="{hex_of(ALERT)}"><b>Reassessment requested</b></font>')
        text = para(entry.observation) + ("<br/>" + " \u00b7 ".join(flags) if flags else "")
        rows.append(
            [
                cell(fmt_date(entry.observed_on)),
                cell_markup(text),
                cell(_who(accounts, entry.by_id)),
            ]
        )
    out.append(
        data_table(
            ["Observed", "What was seen", "By"],
            rows,
            [0.14 * width, 0.66 * width, 0.2 * width],
            longest_text=max(len(e.observation) for e in shown),
        )
    )
    if len(entries) > len(shown):
        out.append(Spacer(1, 3))
        out.append(
            Paragraph(
                f"The {len(shown)} most recent of {len(entries)} entries; see the case in "
                "BTAM Desktop for the others.",
                st.note,
            )
        )
    return out


def _sign_off(names: list[tuple[str, str]], width: float) -> list[Flowable]:
    st = styles()
    rows: list[list[Any]] = [
        [
            Paragraph("Name", st.cell_head),
            Paragraph("Responsible for", st.cell_head),
            Paragraph("Signature", st.cell_head),
            Paragraph("Date", st.cell_head),
        ]
    ]
    for name, duty in names:
        rows.append([cell(name), cell(duty), "", ""])
    for _ in range(2):
        rows.append(["", "", "", ""])
    table = Table(
        rows,
        colWidths=[0.25 * width, 0.35 * width, 0.25 * width, 0.15 * width],
        rowHeights=[15] + [None] * len(names) + [26] * 2,  # blank rows for others
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
    return [
        KeepTogether(
            [
                SectionBar("", "Sign-off by the people responsible"),
                Spacer(1, 5),
                Paragraph(
                    "By signing, I confirm I have read this plan and will carry out the "
                    "interventions assigned to me, and tell the team at once of any change "
                    "in the situation.",
                    st.muted,
                ),
                Spacer(1, 3),
                table,
            ]
        )
    ]


def build_plan_report(
    app: Btam,
    case_id: int,
    plan_id: int | None = None,
    *,
    paper: str = "letter",
    progress: ProgressCallback | None = None,
) -> bytes:
    """The management plan as PDF bytes: ``plan_id`` if given, else the plan in force, else
    the latest version. NotFoundError if the case has no plan."""
    st = styles()
    width = content_width(paper)

    def report(done: int, message: str) -> None:
        if progress is not None:
            progress(done, 4, message)

    report(0, "Reading the plan")
    case = app.cases.get(case_id)
    plan = choose_plan(app, case_id, plan_id)
    assert plan.id is not None
    items = app.plans.interventions(plan.id)
    accounts = {a.id: a for a in app.team.members(include_inactive=True) if a.id is not None}
    approved = plan.status in (PlanStatus.APPROVED.value, PlanStatus.SUPERSEDED.value)

    story: list[Flowable] = [
        Paragraph(f"Management plan \u00b7 case {para(case.number)}", st.title),
        Spacer(1, 3),
        Paragraph(
            f"Version {plan.version} \u00b7 {para(plan_status_text(plan, accounts))}",
            st.subtitle,
        ),
        Spacer(1, 8),
    ]
    if not approved:
        story.append(
            panel(
                [
                    Paragraph(
                        f'<font color="{hex_of(ALERT)}"><b>{PROPOSED_LINE}</b></font>', st.h1
                    ),
                    Spacer(1, 2),
                    Paragraph(
                        "This version waits for the coordinator's approval. Until then, the "
                        "plan in force (if any) is the one to follow.",
                        st.small,
                    ),
                ],
                width,
                background=ALERT_LIGHT,
                border=ALERT,
            )
        )
        story.append(Spacer(1, 8))
    pairs: list[tuple[str, Any]] = [
        ("Case number", f"<b>{para(case.number)}</b>"),
        ("Plan version", f"<b>{plan.version}</b>"),
        (
            "Status",
            f"<b>{para(_label_plan(plan))}</b>",
        ),
        ("Approved", para(plan_status_text(plan, accounts)) if approved else "Not yet"),
        ("Next reassessment", f"<b>{para(fmt_date(plan.next_reassessment_on) or 'Not set')}</b>"),
        (
            "Monitoring period",
            para(
                f"{plan.monitoring_days} days, ends {fmt_date(plan.monitoring_ends_on)}"
                if plan.monitoring_days
                else "Not set"
            ),
        ),
        ("Written by", para(_who(accounts, plan.created_by_id))),
    ]
    story.append(key_value_table(pairs, width))
    if plan.change_note:
        story.append(Spacer(1, 4))
        story.append(key_value_table([("What changed", para(plan.change_note))], width, columns=1))
    story.append(Spacer(1, 12))

    report(1, "Preparing the plan")
    story.extend([CondPageBreak(110), SectionBar("", "The plan"), Spacer(1, 6)])
    story.extend(_text_block("Goals", plan.goals))
    story.extend(_text_block("Supervision and monitoring schedule", plan.supervision))
    story.extend(_text_block("Safety plan for targets", plan.safety_plan))
    contacts = {
        c.id: f"{c.name} ({c.role})" if c.role else c.name
        for c in app.plans.contacts(include_inactive=True)
        if c.id is not None
    }
    story.extend(_interventions(items, accounts, width, contacts))
    story.append(Spacer(1, 6))
    report(2, "Preparing the monitoring")
    story.extend(_monitoring(app, case_id, accounts, width))
    story.append(Spacer(1, 14))

    responsible: list[tuple[str, str]] = []
    seen: dict[int, list[str]] = {}
    for item in items:
        if item.responsible_id is None or item.status == InterventionStatus.DROPPED.value:
            continue
        seen.setdefault(item.responsible_id, []).append(item.title)
    for account_id, titles in seen.items():
        responsible.append((_who(accounts, account_id), "\n".join(f"\u2022 {t}" for t in titles)))
    story.extend(_sign_off(responsible, width))

    report(3, "Laying out pages")
    info = DocInfo(
        title=f"Case {case.number} management plan v{plan.version}",
        team_name=app.settings().team_name,
        confidential_line=confidential_line(app.settings()),
        subject="Threat management plan",
        header_right=f"Management plan \u00b7 case {case.number} \u00b7 v{plan.version}"
        + ("" if approved else " \u00b7 PROPOSED"),
        footer_note=printed_on_note(f"Case {case.number} \u00b7 plan version {plan.version}"),
        keywords=("threat assessment", "management plan"),
    )
    pdf = build_pdf(story, info, paper)
    report(4, "Done")
    return pdf


def _label_plan(plan: ManagementPlan) -> str:
    if plan.status == PlanStatus.APPROVED.value:
        return "Approved, in force"
    if plan.status == PlanStatus.SUPERSEDED.value:
        return "Superseded"
    return PROPOSED_LINE


def plan_file_name(app: Btam, case_id: int, plan_id: int | None = None) -> str:
    """The suggested file name for a plan report: case number and plan version only."""
    plan = choose_plan(app, case_id, plan_id)
    return suggested_file_name("plan", app.cases.get(case_id).number, version=str(plan.version))


__all__ = [
    "PROPOSED_LINE",
    "build_plan_report",
    "choose_plan",
    "plan_file_name",
    "plan_status_text",
]
