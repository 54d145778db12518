"""The one-page printed annual statistics: de-identified counts in three columns."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from btam_desktop.reports.base import (
    DocInfo,
    build_pdf_counted,
    content_width,
    para,
    printed_on_note,
    styles,
    table_style,
)
from btam_desktop.reports.flowables import SectionBar
from btam_desktop.reports.tables import cell, data_table
from btam_desktop.services.statistics import FEWER_THAN, SMALL_COUNT, AnnualStatistics, Section

MAX_SITES_PRINTED = 12
GUTTER = 14.0

# Which sections go in which of the three columns (balanced for a typical year).
_COLUMNS = (
    ("setting", "channel", "expressed", "screening"),
    ("month", "days_open"),
    ("closure_level", "strategy", "site"),
)


def _section_block(stats: AnnualStatistics, section: Section, width: float) -> list[Flowable]:
    counts = list(section.counts)
    if section.key == "site" and len(counts) > MAX_SITES_PRINTED:
        top = sorted(counts, key=lambda c: -c[1])[:MAX_SITES_PRINTED]
        rest = sum(n for label, n in counts if (label, n) not in top)
        counts = [*sorted(top), (f"{len(section.counts) - len(top)} other sites", rest)]
    rows = [[cell(label), cell(stats.shown(n), muted=n == 0)] for label, n in counts] or [
        [cell("None recorded", muted=True), cell("")]
    ]
    table = data_table([section.title, "Cases"], rows, [width - 62, 62], zebra=False)
    parts: list[Flowable] = [table]
    if section.note:
        parts.append(Paragraph(para(section.note), styles().muted))
    parts.append(Spacer(1, 8))
    return parts


def build_annual_statistics(stats: AnnualStatistics, paper: str = "letter") -> tuple[bytes, int]:
    st = styles()
    width = content_width(paper)
    column_width = (width - 2 * GUTTER) / 3
    median = (
        f"{stats.median_days_open:g} days"
        if stats.median_days_open is not None
        else "no case closed"
    )
    story: list[Flowable] = [
        Paragraph(para(f"Annual statistics {stats.year}"), st.title),
        Paragraph(
            para(
                f"Cases opened in {stats.year}: {stats.shown(stats.total)}. "
                f"Median days open of the cases closed: {median}."
            ),
            st.subtitle,
        ),
        Spacer(1, 6),
        SectionBar("", "Counts by category"),
        Spacer(1, 6),
    ]
    columns: list[list[Any]] = []
    for keys in _COLUMNS:
        columns.append(
            [f for k in keys for f in _section_block(stats, stats.section(k), column_width)]
        )
    grid = Table([columns], colWidths=[column_width + GUTTER] * 2 + [column_width], hAlign="LEFT")
    grid.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (1, 0), GUTTER),
                ("RIGHTPADDING", (2, 0), (2, 0), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story.append(grid)
    notes = [
        "De-identified: no names, case numbers, titles or dates of single cases appear here.",
        "Cases are counted in the year of their case number (the year they were opened).",
    ]
    if stats.suppress_small:
        notes.append(
            f"Counts from 1 to {SMALL_COUNT - 1} are shown as “{FEWER_THAN}” so that a small "
            "group cannot be recognised."
        )
    story.append(Spacer(1, 4))
    for note in notes:
        story.append(Paragraph(para(note), st.note))
    info = DocInfo(
        title=f"Annual statistics {stats.year}",
        team_name=stats.team_name,
        subject="De-identified annual summary of threat assessment cases",
        footer_note=printed_on_note(),
    )
    return build_pdf_counted(story, info, paper)


def annual_statistics_pdf(stats: AnnualStatistics, paper: str = "letter") -> bytes:
    return build_annual_statistics(stats, paper)[0]
