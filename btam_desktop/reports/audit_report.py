"""An excerpt of the audit trail as PDF: the filters in words, then one row per event.

The trail holds no case content, so neither does the excerpt; the export itself is recorded.
"""

from __future__ import annotations

from datetime import UTC

from reportlab.platypus import Flowable, Paragraph, Spacer

from btam_desktop.domain.text import plural
from btam_desktop.reports.base import (
    DocInfo,
    build_pdf,
    content_width,
    para,
    printed_on_note,
    styles,
)
from btam_desktop.reports.tables import cell, data_table
from btam_desktop.services.app import Btam
from btam_desktop.services.audit_log import AuditQuery, AuditRow


def build_audit_excerpt(
    rows: list[AuditRow], query: AuditQuery, team_name: str, paper: str
) -> bytes:
    st = styles()
    width = content_width(paper)
    widths = [0.06, 0.13, 0.14, 0.34, 0.1]
    cols = [width * w for w in widths]
    cols.append(width - sum(cols))
    table_rows = [
        [
            cell(row.id, muted=True),
            cell(row.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")),
            cell(row.who),
            cell(row.label, bold=True),
            cell(row.case_number),
            cell(row.summary, muted=True),
        ]
        for row in rows
    ]
    story: list[Flowable] = [
        Paragraph("Audit trail excerpt", st.title),
        Spacer(1, 3),
        Paragraph(
            para(f"{plural(len(rows), 'event')}: {query.describe()}. Times are UTC, newest first."),
            st.subtitle,
        ),
        Spacer(1, 10),
    ]
    if table_rows:
        story.append(
            data_table(["No.", "Time", "Who", "What", "Case", "Details"], table_rows, cols)
        )
    else:
        story.append(Paragraph("No events match these filters.", st.muted))
    info = DocInfo(
        title="Audit trail excerpt",
        team_name=team_name,
        subject="Audit trail excerpt",
        footer_note=printed_on_note(),
    )
    return build_pdf(story, info, paper)


def export_audit_excerpt(app: Btam, query: AuditQuery, paper: str | None = None) -> bytes:
    """The excerpt for ``query`` as PDF bytes; the export is recorded in the trail."""
    rows = app.audit_log.rows(query)
    settings = app.settings()
    pdf = build_audit_excerpt(rows, query, settings.team_name, paper or settings.paper_size)
    app.audit_log.record_export(query, "pdf", len(rows))
    return pdf
