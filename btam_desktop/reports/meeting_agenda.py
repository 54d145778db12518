"""The team meeting agenda: open cases due for review (overdue first, then due within a
week), then other open cases at a high level of concern, each with room for notes, and an
attendance block."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, Spacer, Table

from btam_desktop.domain.formatting import plural
from btam_desktop.domain.forms import LevelScale
from btam_desktop.reports.base import (
    ACCENT,
    ALERT,
    HAIRLINE,
    RULE,
    DocInfo,
    Paragraph,
    build_pdf,
    confidential_line,
    content_width,
    fmt_date,
    hex_of,
    para,
    printed_on_note,
    styles,
    table_style,
)
from btam_desktop.reports.flowables import (
    FillRow,
    SectionBar,
    WriteLines,
    check_grid,
    indented,
)
from btam_desktop.services.cases import CaseQuery, CaseRow, CaseSort
from btam_desktop.services.tasks import Task

if TYPE_CHECKING:
    from btam_desktop.services.app import Btam

DUE_WITHIN_DAYS = 7
_PAGE = 500
ATTENDANCE_ROWS = 8
_INDENT = 72.0


@dataclass(frozen=True)
class AgendaEntry:
    row: CaseRow
    reason: str  # "overdue", "due", "high"


def _level_info(app: Btam, cache: dict[str, LevelScale | None], row: CaseRow) -> LevelScale | None:
    if row.level_scale not in cache:
        try:
            cache[row.level_scale] = app.scale(row.level_scale)
        except Exception:  # a scale no longer installed: show the code as it is
            cache[row.level_scale] = None
    return cache[row.level_scale]


def _is_high(scale: LevelScale | None, row: CaseRow) -> bool:
    """The upper half of the case's scale (high and imminent on a four-level scale)."""
    if row.level is None or row.level_rank is None:
        return False
    count = len(scale.levels) if scale is not None else 4
    return row.level_rank >= (count + 1) // 2


def agenda_entries(app: Btam, *, limit: int = 50, today: date | None = None) -> list[AgendaEntry]:
    """The cases for the agenda, in order, at most ``limit``: open cases whose review is overdue
    (most overdue first) or due within a week (soonest first), then other open cases at a high
    level of concern (highest first)."""
    today = today or date.today()
    cutoff = today + timedelta(days=DUE_WITHIN_DAYS)
    due: list[AgendaEntry] = []
    seen: set[int] = set()
    offset = 0
    # Sorted by next review, earliest first (cases without a review date come first and are
    # skipped); stop at the first case due after the cutoff.
    query = CaseQuery(open_only=True, sort=CaseSort.NEXT_DUE, descending=False)
    done = False
    while not done and len(due) < limit:
        rows = app.cases.find(query, offset=offset, limit=_PAGE)
        offset += len(rows)
        for row in rows:
            if row.next_due is None:
                continue
            if row.next_due > cutoff:
                done = True
                break
            due.append(AgendaEntry(row, "overdue" if row.next_due < today else "due"))
            seen.add(row.id)
            if len(due) >= limit:
                break
        if len(rows) < _PAGE:
            done = True
    entries = due[:limit]
    if len(entries) < limit:
        scales: dict[str, LevelScale | None] = {}
        offset = 0
        high_query = CaseQuery(open_only=True, sort=CaseSort.LEVEL, descending=True)
        while len(entries) < limit:
            rows = app.cases.find(high_query, offset=offset, limit=_PAGE)
            offset += len(rows)
            found_high = False
            for row in rows:
                if not _is_high(_level_info(app, scales, row), row):
                    continue
                found_high = True
                if row.id in seen:
                    continue
                entries.append(AgendaEntry(row, "high"))
                seen.add(row.id)
                if len(entries) >= limit:
                    break
            if len(rows) < _PAGE or not found_high:
                break
    return entries


_GROUPS = {
    "overdue": "Overdue for review",
    "due": f"Review due in the next {DUE_WITHIN_DAYS} days",
    "high": "Open cases at a high level of concern",
}


def case_tasks(app: Btam, today: date) -> dict[int, list[Task]]:
    """Open tasks due within a week (overdue ones included) by case id, soonest first. Tasks
    that belong to no case (training renewals, which name a person) are left out."""
    found: dict[int, list[Task]] = {}
    for task in app.tasks.tasks(today, horizon_days=DUE_WITHIN_DAYS):
        if task.case_id is not None:
            found.setdefault(task.case_id, []).append(task)
    return found


def is_plan_item(task: Task) -> bool:
    """A task that comes from an intervention of a plan (due, review or check-in)."""
    return bool(task.intervention_key)


def _task_lines(
    tasks: list[Task], names: dict[int, str], today: date, width: float
) -> list[Flowable]:
    st = styles()
    if not tasks:
        return []
    plan_items = sum(1 for t in tasks if is_plan_item(t))
    out: list[Flowable] = [
        Paragraph(
            f"<b>Open tasks this week</b> ({len(tasks)}) \u00b7 Plan items due: {plan_items}",
            _indented(st.cell),
        )
    ]
    for task in tasks:
        days = (task.due_on - today).days
        when = para(fmt_date(task.due_on))
        if days < 0:
            when = f'<font color="{hex_of(ALERT)}"><b>OVERDUE</b> since {when}</font>'
        elif days == 0:
            when = f"<b>due today</b> ({when})"
        else:
            when = f"due {when}"
        who = names.get(task.responsible_id or -1, "")
        text = f"<b>{para(task.kind.label)}</b> \u00b7 {when} \u00b7 {para(task.title)}"
        if who:
            text += f' \u00b7 <font color="{hex_of(ACCENT)}">{para(who)}</font>'
        out.append(Paragraph(text, _task_style(), bulletText="\u2022"))
    out.append(Spacer(1, 3))
    return out


@cache
def _task_style() -> ParagraphStyle:
    base = styles().cell
    return ParagraphStyle(
        "btam-agenda-task", parent=base, leftIndent=_INDENT + 10, bulletIndent=_INDENT + 1
    )


def _case_block(
    app: Btam,
    entry: AgendaEntry,
    scales: dict[str, LevelScale | None],
    width: float,
    today: date,
    tasks: list[Task] | None = None,
    names: dict[int, str] | None = None,
) -> list[Flowable]:
    st = styles()
    row = entry.row
    scale = _level_info(app, scales, row)
    if row.level is None:
        level = "<i>Level not decided</i>"
    elif scale is not None and scale.has_level(row.level):
        lv = scale.level(row.level)
        level = (
            f'<font backColor="{lv.color}">&nbsp;&nbsp;&nbsp;</font>&nbsp;<b>{para(lv.label)}</b>'
        )
    else:
        level = f"<b>{para(row.level)}</b>"
    review = "No review date"
    if row.next_due is not None:
        days = (row.next_due - today).days
        when = fmt_date(row.next_due)
        if days < 0:
            review = (
                f'<font color="{hex_of(ALERT)}"><b>Review overdue</b> since {para(when)} '
                f"({-days} {'day' if days == -1 else 'days'})</font>"
            )
        elif days == 0:
            review = "<b>Review due today</b>"
        else:
            review = f"Review due {para(when)} (in {plural(days, 'day')})"
    head = Table(
        [
            [
                Paragraph(f"<b>{para(row.number)}</b>", st.h2),
                Paragraph(f"<b>{para(row.title)}</b>", st.body),
                Paragraph(level, st.body),
            ],
            [
                "",
                Paragraph(
                    f"{para(row.status.label)} \u00b7 {review}"
                    + (f" \u00b7 {para(row.site)}" if row.site else "")
                    + (f" \u00b7 owner {para(row.owner)}" if row.owner else ""),
                    st.muted,
                ),
                Paragraph(f"Priority: {para(row.priority.label)}", st.muted),
            ],
        ],
        colWidths=[_INDENT, width - _INDENT - 120, 120],
    )
    head.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    outcome = check_grid(
        ["Level confirmed", "Level changed", "Plan reviewed", "Ready to close"],
        width - _INDENT,
        columns=4,
        style=st.cell,
    )
    outcome_row = indented(outcome, _INDENT, width)
    return [
        head,
        Spacer(1, 3),
        *_task_lines(tasks or [], names or {}, today, width),
        Paragraph(
            "Notes: what is new, decisions and their rationale, who does what by when",
            _indented(st.cell_muted),
        ),
        WriteLines(3, gap=17, indent=_INDENT),
        Spacer(1, 5),
        outcome_row,
        FillRow(
            [("New level", 0.34), ("Next review on", 0.33), ("Follow-up by", 0.33)],
            indent=_INDENT,
        ),
        Spacer(1, 6),
    ]


@cache
def _indented(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-agenda", parent=style, leftIndent=_INDENT)


def _attendance(width: float) -> list[Flowable]:
    st = styles()
    head = [
        Paragraph("Name", st.cell_head),
        Paragraph("Role on the team", st.cell_head),
        Paragraph("Initials", st.cell_head),
        Paragraph("Name", st.cell_head),
        Paragraph("Role on the team", st.cell_head),
        Paragraph("Initials", st.cell_head),
    ]
    half = ATTENDANCE_ROWS // 2
    rows: list[list[Any]] = [head] + [[""] * 6 for _ in range(half)]
    w = width / 2
    table = Table(
        rows,
        colWidths=[w * 0.44, w * 0.36, w * 0.2] * 2,
        rowHeights=[15] + [22] * half,
    )
    table.setStyle(
        table_style(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE),
                ("LINEBEFORE", (3, 0), (3, -1), 0.8, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            ]
        )
    )
    return [
        KeepTogether(
            [
                SectionBar("", "Attendance"),
                Spacer(1, 5),
                Paragraph(
                    "Counseling or mental health, administration, and law enforcement or "
                    "security should be at the table, with someone who knows each person "
                    "of concern.",
                    st.muted,
                ),
                Spacer(1, 3),
                table,
            ]
        )
    ]


def build_meeting_agenda(app: Btam, *, paper: str = "letter", limit: int = 50) -> bytes:
    """The agenda for the next team meeting, as PDF bytes."""
    st = styles()
    width = content_width(paper)
    today = date.today()
    entries = agenda_entries(app, limit=limit, today=today)
    tasks = case_tasks(app, today)
    names = {
        a.id: a.display_name or a.username
        for a in app.team.members(include_inactive=True)
        if a.id is not None
    }
    plan_items = sum(1 for group in tasks.values() for t in group if is_plan_item(t))
    team = app.settings().team_name
    story: list[Flowable] = [
        Paragraph("Team meeting agenda", st.title),
        Spacer(1, 3),
        Paragraph(
            f"Prepared {para(fmt_date(today))}: open cases whose review is overdue or due "
            f"within {DUE_WITHIN_DAYS} days, then open cases at a high level of concern.",
            st.subtitle,
        ),
        Spacer(1, 3),
        Paragraph(
            f"<b>Plan items due</b> this week or overdue: {plan_items} \u00b7 open tasks "
            f"in all: {sum(len(g) for g in tasks.values())}",
            st.small,
        ),
        Spacer(1, 10),
        FillRow([("Date", 0.3), ("Time", 0.2), ("Place", 0.5)], bold=True),
        Spacer(1, 10),
        *_attendance(width),
        Spacer(1, 14),
    ]
    if not entries:
        story.append(SectionBar("", "Cases"))
        story.append(Spacer(1, 6))
        story.append(
            Paragraph(
                "No open case is due for review in the next week, and none is at a high level "
                "of concern.",
                st.body,
            )
        )
    scales: dict[str, LevelScale | None] = {}
    current = ""
    for entry in entries:
        block = _case_block(app, entry, scales, width, today, tasks.get(entry.row.id, []), names)
        if entry.reason != current:
            current = entry.reason
            count = sum(1 for e in entries if e.reason == current)
            story.append(Spacer(1, 4))
            # the group heading stays with its first case
            block = [SectionBar("", f"{_GROUPS[current]} ({count})"), Spacer(1, 6), *block]
        story.append(KeepTogether(block))
        story.append(HRFlowable(width="100%", thickness=0.5, color=HAIRLINE, spaceAfter=6))
    if len(entries) >= limit:
        story.append(
            Paragraph(
                (
                    f"Only the first {limit} cases are listed."
                    if limit > 1
                    else "Only one case is listed."
                )
                + " See the case list in BTAM Desktop for the others.",
                st.note,
            )
        )
    listed = {e.row.id for e in entries}
    others = {cid: group for cid, group in tasks.items() if cid not in listed}
    if others:
        story.append(Spacer(1, 6))
        story.append(
            KeepTogether(
                [
                    SectionBar("", f"Other cases with open tasks this week ({len(others)})"),
                    Spacer(1, 6),
                ]
            )
        )
        for group in sorted(others.values(), key=lambda g: g[0].due_on):
            story.append(
                KeepTogether(
                    [
                        Paragraph(f"<b>{para(group[0].case_number)}</b>", st.h2),
                        *_task_lines(group, names, today, width),
                    ]
                )
            )
    story.extend([Spacer(1, 10), SectionBar("", "Other business"), WriteLines(4)])
    info = DocInfo(
        title="Team meeting agenda",
        team_name=team,
        confidential_line=confidential_line(app.settings()),
        subject="Threat assessment team meeting agenda",
        header_right=f"Team meeting agenda \u00b7 {fmt_date(today)}",
        footer_note=printed_on_note(),
        keywords=("threat assessment", "meeting agenda"),
    )
    return build_pdf(story, info, paper)


__all__ = ["AgendaEntry", "agenda_entries", "build_meeting_agenda", "case_tasks", "is_plan_item"]
