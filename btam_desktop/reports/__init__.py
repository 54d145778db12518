"""Printable documents, built in memory with reportlab and returned as PDF bytes.

Nothing here writes a file, except :func:`write_blank_checklists`, which writes blank forms to
the folder a person chose (``btam print forms --out DIR``).

Auditing: building a document is not an event by itself. The caller records what a person did
with it: :func:`export_case_summary`, :func:`export_assessment_report` and
:func:`export_plan_report` record the export of a document as they build it;
:func:`record_print` and :func:`record_save` record a printout or a PDF saved outside the
vault.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from btam_desktop.domain.forms import FormRegistry
from btam_desktop.reports.assessment_report import (
    DRAFT_LINE,
    assessment_file_name,
    build_assessment_report,
)
from btam_desktop.reports.base import PAPER_SIZES, page_size, suggested_file_name
from btam_desktop.reports.case_summary import (
    SECTIONS,
    CaseSummaryRead,
    build_case_summary,
    read_case_summary,
    render_case_summary,
)
from btam_desktop.reports.checklist import build_blank_checklist
from btam_desktop.reports.handout import AUDIENCES, build_recognize_and_report_handout
from btam_desktop.reports.meeting_agenda import build_meeting_agenda
from btam_desktop.reports.plan_report import (
    PROPOSED_LINE,
    build_plan_report,
    choose_plan,
    plan_file_name,
)
from btam_desktop.reports.recovery_sheet import build_recovery_sheet
from btam_desktop.services.permissions import Permission

if TYPE_CHECKING:
    from btam_desktop.services.app import Btam


def export_case_summary(app: Btam, case_id: int, **kw: Any) -> bytes:
    """Build the case summary (see :func:`build_case_summary` for the keywords) and record
    the export in the audit trail."""
    app.ctx.require(Permission.EXPORT, "case", case_id)
    pdf = build_case_summary(app, case_id, **kw)
    app.record_event("report.export", "case", case_id, "case summary exported")
    return pdf


def export_case_summary_read(
    app: Btam, case_id: int, *, sections: set[str] | None = None
) -> CaseSummaryRead:
    """Read what a case summary needs and record the export; render it later with
    :func:`render_case_summary`, after the vault is locked (the command line does this, so a
    long layout never keeps the vault from the window)."""
    app.ctx.require(Permission.EXPORT, "case", case_id)
    read = read_case_summary(app, case_id, sections=sections)
    app.record_event("report.export", "case", case_id, "case summary exported")
    return read


def export_assessment_report(app: Btam, assessment_id: int, **kw: Any) -> bytes:
    """Build the report of one assessment (see :func:`build_assessment_report`) and record
    the export in the audit trail, against its case (by id only)."""
    case_id = app.assessments.get(assessment_id).case_id
    app.ctx.require(Permission.EXPORT, "case", case_id)
    pdf = build_assessment_report(app, assessment_id, **kw)
    app.record_event(
        "report.export",
        "assessment",
        assessment_id,
        f"assessment #{assessment_id} report exported",
        case_id=case_id,
    )
    return pdf


def export_plan_report(app: Btam, case_id: int, plan_id: int | None = None, **kw: Any) -> bytes:
    """Build the management plan (see :func:`build_plan_report`) and record the export."""
    app.ctx.require(Permission.EXPORT, "case", case_id)
    plan = choose_plan(app, case_id, plan_id)
    pdf = build_plan_report(app, case_id, plan.id, **kw)
    app.record_event(
        "report.export",
        "plan",
        plan.id,
        f"management plan version {plan.version} exported",
        case_id=case_id,
    )
    return pdf


def _document_event(app: Btam, action: str, document: str, case_id: int | None, verb: str) -> None:
    # ``document`` names a kind of document ("case summary", "blank checklist btam.screening"),
    # never its content; the case is referred to by id only.
    summary = f"{document} {verb}"[:300]
    if case_id is not None:
        app.record_event(action, "case", case_id, summary, case_id=case_id)
    else:
        app.record_event(action, "document", "", summary)


def record_print(app: Btam, document: str, case_id: int | None = None) -> None:
    """Record that ``document`` (a kind of document, e.g. 'case summary') was printed."""
    _document_event(app, "report.print", document, case_id, "printed")


def record_preview(app: Btam, document: str, case_id: int | None = None) -> None:
    """Record that ``document`` was shown on screen in the print preview."""
    _document_event(app, "report.preview", document, case_id, "shown in print preview")


def record_save(app: Btam, document: str, case_id: int | None = None) -> None:
    """Record that ``document`` was saved as an unencrypted PDF outside the vault."""
    _document_event(app, "report.save", document, case_id, "saved as PDF outside the vault")


def write_blank_checklists(
    out_dir: Path,
    registry: FormRegistry,
    team_name: str,
    paper: str = "letter",
    *,
    include_guidance: bool = True,
) -> list[Path]:
    """Write a blank checklist of every form in ``registry`` (newest versions) into
    ``out_dir``, the folder a person chose; returns the files written."""
    page_size(paper)  # refuse an unknown paper size before writing anything
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for form in registry.forms():
        scale = registry.scale_for(form) if form.scale is not None else None
        pdf = build_blank_checklist(
            form, team_name, include_guidance=include_guidance, paper=paper, scale=scale
        )
        path = out_dir / suggested_file_name(
            "blank_checklist", form_id=form.id, version=form.version
        )
        path.write_bytes(pdf)
        written.append(path)
    return written


__all__ = [
    "AUDIENCES",
    "DRAFT_LINE",
    "PAPER_SIZES",
    "PROPOSED_LINE",
    "SECTIONS",
    "CaseSummaryRead",
    "assessment_file_name",
    "build_assessment_report",
    "build_blank_checklist",
    "build_case_summary",
    "build_meeting_agenda",
    "build_plan_report",
    "build_recognize_and_report_handout",
    "build_recovery_sheet",
    "export_assessment_report",
    "export_case_summary",
    "export_case_summary_read",
    "export_plan_report",
    "plan_file_name",
    "read_case_summary",
    "record_preview",
    "record_print",
    "record_save",
    "render_case_summary",
    "suggested_file_name",
    "write_blank_checklists",
]
