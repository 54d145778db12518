"""Printing and saving documents from inside the program, driven as a person would: the case
workspace's "Print or export…" button, File ▸ Print (case summary, meeting agenda, handout), Ctrl+P,
the forms page's blank checklist; every save and print is recorded in the audit trail."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt
from PySide6.QtGui import QPdfWriter
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from btam_desktop.reports import build_recognize_and_report_handout, plan_report
from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.cases import CaseQuery
from btam_desktop.ui import printing, tasks
from btam_desktop.ui.case_workspace import CaseWorkspace
from btam_desktop.ui.main_window import MainWindow
from btam_desktop.ui.pages.forms import FormsPage
from btam_desktop.ui.print_preview import PrintPreviewDialog
from btam_desktop.ui.printing import CaseSummaryOptions, ChecklistOptions, HandoutOptions
from tests.ui.conftest import CHEAP, DEMO_COORDINATOR, DEMO_PASSWORD, DEMO_VIEWER

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

WAIT_MS = 15_000
NO_KEYRING = (False, "No secure keyring on this test machine.")


# ---- helpers -----------------------------------------------------------------------------------


def settle() -> None:
    tasks.wait_for_idle(WAIT_MS)
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def first_case_id(app: Btam) -> int:
    rows = app.cases.find(CaseQuery(), 0, 1)
    assert rows
    return rows[0].id


def make_window(qtbot: QtBot, app: Btam, folder: Path) -> MainWindow:
    window = MainWindow(app, folder, keyring=NO_KEYRING, kdf_params=CHEAP)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle()
    return window


def open_workspace(qtbot: QtBot, app: Btam, case_id: int) -> CaseWorkspace:
    workspace = CaseWorkspace(app, case_id)
    qtbot.addWidget(workspace)
    workspace.resize(1100, 760)
    workspace.show()
    qtbot.waitUntil(
        lambda: not workspace.is_loading() and bool(workspace.case_number), timeout=WAIT_MS
    )
    return workspace


def find_one(parent: QWidget, kind: type, qtbot: QtBot) -> object:
    qtbot.waitUntil(lambda: any(w.isVisible() for w in parent.findChildren(kind)), timeout=WAIT_MS)
    found = next(w for w in parent.findChildren(kind) if w.isVisible())
    qtbot.waitExposed(found)
    return found


def wait_for_preview(qtbot: QtBot, parent: QWidget) -> PrintPreviewDialog:
    preview = find_one(parent, PrintPreviewDialog, qtbot)
    assert isinstance(preview, PrintPreviewDialog)
    # a long document shows page 1 first, then the whole document replaces it
    qtbot.waitUntil(lambda: not preview.is_pending and preview.page_count > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: preview.is_rendered(0), timeout=WAIT_MS)
    return preview


def save_through(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, preview: PrintPreviewDialog, target: Path
) -> list[str]:
    """Click "Save as PDF…", accept the unencrypted-copy warning, choose ``target``."""
    warnings: list[str] = []

    def warn(_parent: object, title: str, *_args: object) -> QMessageBox.StandardButton:
        warnings.append(title)
        return QMessageBox.StandardButton.Save

    monkeypatch.setattr(QMessageBox, "warning", warn)
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "PDF documents (*.pdf)")
    )
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    return warnings


def events(app: Btam, action: str, case_id: int | None = None) -> list[tuple[str, int | None, str]]:
    return [
        (e.entity_kind, e.case_id, e.summary)
        for e in app.audit_events(case_id=case_id)
        if e.action == action
    ]


def click(qtbot: QtBot, button: QWidget) -> None:
    """Click near the left edge: a check box or radio button reacts on its box and text only."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


# ---- the case summary --------------------------------------------------------------------------


def test_case_summary_from_the_workspace_button_previews_saves_and_audits(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_app: Btam, tmp_path: Path
) -> None:
    case_id = first_case_id(demo_app)
    workspace = open_workspace(qtbot, demo_app, case_id)
    assert workspace.print_button.isVisible() and workspace.print_button.isEnabled()

    click(qtbot, workspace.print_button)
    options = find_one(workspace, CaseSummaryOptions, qtbot)
    assert isinstance(options, CaseSummaryOptions)
    assert any(workspace.case_number in label.text() for label in options.findChildren(QLabel))
    assert options.sections() == set(printing.SECTIONS)  # all on by default
    # Leaving every part out is refused until one is chosen again.
    for box in options.boxes.values():
        click(qtbot, box)
    assert not options.preview_button.isEnabled()
    assert options.none_label.isVisible()
    click(qtbot, options.boxes["overview"])
    click(qtbot, options.boxes["timeline"])
    assert options.sections() == {"overview", "timeline"}
    click(qtbot, options.preview_button)

    preview = wait_for_preview(qtbot, workspace)
    assert workspace.case_number in preview.windowTitle()
    target = tmp_path / "out" / "summary.pdf"
    target.parent.mkdir()
    warnings = save_through(qtbot, monkeypatch, preview, target)
    assert warnings == ["Save an unencrypted copy?"]
    assert target.read_bytes().startswith(b"%PDF")
    saved = events(demo_app, "report.save", case_id)
    assert saved and saved[0][0] == "case" and saved[0][1] == case_id
    assert "case summary" in saved[0][2]
    preview.close()
    settle()


def test_ctrl_p_and_file_print_menu_follow_the_current_case_tab(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_app: Btam, demo_vault: Path, tmp_path: Path
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    titles = [a.text() for a in window.print_menu.actions()]
    assert titles == [
        "&Case summary…",
        "Team meeting &agenda…",
        "&Recognize-and-report handout…",
    ]
    assert window.print_menu.menuAction() in window.file_menu.actions()
    assert not window.print_case_action.isEnabled()  # no case tab yet
    assert window.print_agenda_action.isEnabled()

    case_id = first_case_id(demo_app)
    workspace = window.open_case(case_id)
    assert workspace is not None
    qtbot.waitUntil(lambda: not workspace.is_loading(), timeout=WAIT_MS)
    settle()
    assert window.print_case_action.isEnabled()

    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    options = find_one(workspace, CaseSummaryOptions, qtbot)
    assert isinstance(options, CaseSummaryOptions)
    assert options.preview_button.isDefault()
    qtbot.keyClick(options, Qt.Key.Key_Return)  # Enter previews
    preview = wait_for_preview(qtbot, workspace)

    # Print it (to a PDF writer standing in for the printer): recorded with the case.
    printed = tmp_path / "printed.pdf"
    writer = QPdfWriter(str(printed))
    with qtbot.waitSignal(preview.printing_finished, timeout=WAIT_MS) as finished:
        preview.print_to(writer)
    assert finished.args == [True]
    del writer
    assert printed.read_bytes().startswith(b"%PDF")
    assert events(demo_app, "report.print", case_id)
    preview.close()
    settle()

    # Back on the case list, the case summary is not offered.
    assert window.case_tabs is not None
    window.case_tabs.setCurrentIndex(0)
    assert not window.print_case_action.isEnabled()


# ---- documents about no one case ---------------------------------------------------------------


def test_meeting_agenda_from_the_menu_saves_and_audits(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_app: Btam, demo_vault: Path, tmp_path: Path
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    window.print_agenda_action.trigger()
    preview = wait_for_preview(qtbot, window)
    assert "agenda" in preview.windowTitle().lower()
    target = tmp_path / "agenda.pdf"
    save_through(qtbot, monkeypatch, preview, target)
    assert target.read_bytes().startswith(b"%PDF")
    saved = events(demo_app, "report.save")
    assert saved and saved[0][0] == "document" and saved[0][1] is None
    assert "team meeting agenda" in saved[0][2]
    preview.close()
    settle()


def test_handout_asks_for_the_audience_and_saves(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_app: Btam, demo_vault: Path, tmp_path: Path
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    window.print_handout_action.trigger()
    options = find_one(window, HandoutOptions, qtbot)
    assert isinstance(options, HandoutOptions)
    assert options.audience() == "staff"
    # the staff handout is in English only; families' handouts come in Spanish too
    assert not options.language_radios["es"].isEnabled()
    assert options.language_note.isVisible()
    click(qtbot, options.radios["parents"])
    assert options.audience() == "parents"
    assert options.language_radios["es"].isEnabled() and not options.language_note.isVisible()
    click(qtbot, options.language_radios["es"])
    assert options.language() == "es"
    click(qtbot, options.preview_button)
    preview = wait_for_preview(qtbot, window)
    assert "parents" in preview.windowTitle() and "Spanish" in preview.windowTitle()
    assert preview.page_count == 1
    target = tmp_path / "handout"  # no suffix: the preview adds .pdf
    save_through(qtbot, monkeypatch, preview, target)
    assert (tmp_path / "handout.pdf").read_bytes().startswith(b"%PDF")
    saved = events(demo_app, "report.save")
    assert saved and "handout (parents)" in saved[0][2]
    preview.close()
    settle()


def test_blank_checklist_from_the_forms_page_uses_the_team_paper_size(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_app: Btam, tmp_path: Path
) -> None:
    settings = demo_app.settings()
    demo_app.save_settings(dataclasses.replace(settings, paper_size="a4"))
    page = FormsPage(demo_app)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() > 0, timeout=WAIT_MS)
    scale = demo_app.forms().scales()[0]
    assert page.select_key(("scale", scale.id, ""))
    assert not page.checklist_button.isEnabled()  # a level scale is not a checklist
    form = demo_app.forms().forms()[0]
    assert page.select_key(("form", form.id, form.version))
    assert page.checklist_button.isEnabled()

    click(qtbot, page.checklist_button)
    options = find_one(page, ChecklistOptions, qtbot)
    assert isinstance(options, ChecklistOptions)
    assert options.include_guidance()
    assert any("A4" in label.text() for label in options.findChildren(QLabel))
    click(qtbot, options.guidance_box)
    assert not options.include_guidance()
    click(qtbot, options.preview_button)
    preview = wait_for_preview(qtbot, page)
    width, height = preview._sizes[0]
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4, from the team settings
    target = tmp_path / "checklist.pdf"
    save_through(qtbot, monkeypatch, preview, target)
    assert target.read_bytes().startswith(b"%PDF")
    saved = events(demo_app, "report.save")
    assert saved and f"blank checklist {form.id}" in saved[0][2]
    preview.close()
    settle()


# ---- roles and the reports other parts add -----------------------------------------------------


def test_a_viewer_may_print_and_save_the_case_summary(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_vault: Path, tmp_path: Path
) -> None:
    viewer = unlock(demo_vault, DEMO_VIEWER, DEMO_PASSWORD)
    try:
        case_id = first_case_id(viewer)
        workspace = open_workspace(qtbot, viewer, case_id)
        assert workspace.print_button.isEnabled()
        click(qtbot, workspace.print_button)
        options = find_one(workspace, CaseSummaryOptions, qtbot)
        assert isinstance(options, CaseSummaryOptions)
        click(qtbot, options.preview_button)
        preview = wait_for_preview(qtbot, workspace)
        target = tmp_path / "viewer.pdf"
        save_through(qtbot, monkeypatch, preview, target)
        assert target.read_bytes().startswith(b"%PDF")
        preview.close()
        settle()
        workspace.close()
        settle()
    finally:
        viewer.vault.lock()
    coordinator = unlock(demo_vault, DEMO_COORDINATOR, DEMO_PASSWORD)
    try:
        saved = [e for e in coordinator.audit_events(case_id=case_id) if e.action == "report.save"]
        assert saved and saved[0].username == DEMO_VIEWER
    finally:
        coordinator.vault.lock()


def test_plan_report_previews_and_records_the_case(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_app: Btam, tmp_path: Path
) -> None:
    calls: list[tuple[int, int | None, str]] = []

    def fake_plan_report(
        app: Btam, case_id: int, plan_id: int | None, *, paper: str, progress: object = None
    ) -> bytes:
        assert callable(progress)  # the build shows its progress
        calls.append((case_id, plan_id, paper))
        return build_recognize_and_report_handout(app.settings(), "staff", paper)

    monkeypatch.setattr(plan_report, "build_plan_report", fake_plan_report)
    case_id = first_case_id(demo_app)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    assert printing.preview_plan_report(demo_app, case_id, None, parent)
    preview = wait_for_preview(qtbot, parent)
    assert calls == [(case_id, None, demo_app.settings().paper_size)]
    assert "management plan" in preview.windowTitle()
    target = tmp_path / "plan.pdf"
    save_through(qtbot, monkeypatch, preview, target)
    saved = events(demo_app, "report.save", case_id)
    assert saved and saved[0][1] == case_id and "management plan" in saved[0][2]
    preview.close()
    settle()


def test_print_plan_button_on_the_plan_tab(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_app: Btam, tmp_path: Path
) -> None:
    from btam_desktop.ui.plan.plan_tab import PlanTab

    rows = demo_app.cases.find(CaseQuery(), 0, 50)
    case_id = next(r.id for r in rows if demo_app.plans.versions(r.id))
    workspace = open_workspace(qtbot, demo_app, case_id)
    assert workspace.show_tab("plan")
    tab = workspace.findChild(PlanTab)
    assert tab is not None
    qtbot.waitUntil(lambda: tab.shown_id is not None, timeout=WAIT_MS)
    settle()
    assert tab.print_button.isVisibleTo(tab)
    click(qtbot, tab.print_button)
    preview = wait_for_preview(qtbot, tab)
    target = tmp_path / "plan.pdf"
    save_through(qtbot, monkeypatch, preview, target)
    assert target.read_bytes().startswith(b"%PDF")
    saved = events(demo_app, "report.save", case_id)
    assert saved and "management plan" in saved[0][2]
    preview.close()
    settle()


def test_print_button_on_a_completed_assessment(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_app: Btam, tmp_path: Path
) -> None:
    from btam_desktop.services.assessments import COMPLETED
    from btam_desktop.ui.wizard.viewer import AssessmentViewer

    done = [
        a
        for r in demo_app.cases.find(CaseQuery(), 0, 50)
        for a in demo_app.assessments.for_case(r.id)
        if a.status == COMPLETED
    ]
    assert done, "the demo vault has completed assessments"
    assessment = done[0]
    viewer = AssessmentViewer(demo_app, assessment.id or 0)
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: viewer.data is not None, timeout=WAIT_MS)
    assert viewer.print_button.isVisibleTo(viewer)
    assert viewer.print_button.isEnabled()
    click(qtbot, viewer.print_button)
    preview = wait_for_preview(qtbot, viewer)
    target = tmp_path / "assessment.pdf"
    save_through(qtbot, monkeypatch, preview, target)
    assert target.read_bytes().startswith(b"%PDF")
    saved = events(demo_app, "report.save", assessment.case_id)
    assert saved and saved[0][1] == assessment.case_id and "assessment" in saved[0][2]
    preview.close()
    settle()


# ---- every script: what cannot be printed is said first; full or abridged ------------------


def test_unprintable_characters_are_named_before_printing_and_abridged_is_a_choice(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_app: Btam
) -> None:
    from btam_desktop.domain.enums import NoteCategory, PersonRole
    from btam_desktop.services.cases import PersonInput

    case_id = demo_app.cases.find(CaseQuery(text="former friend"))[0].id
    workspace = open_workspace(qtbot, demo_app, case_id)
    # the multi-script demo people all print: nothing to warn about
    assert printing.unprintable_warning(demo_app, case_id) == ""
    demo_app.records.add_person(
        case_id, PersonInput(role=PersonRole.WITNESS, full_name="Private \ue000 Use")
    )
    demo_app.records.add_note(case_id, NoteCategory.OTHER, "A long account. " * 4000)
    built: list[dict[str, object]] = []
    real_build = printing.build_case_summary

    def spy(*args: object, **kwargs: object) -> bytes:
        built.append(kwargs)
        return real_build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(printing, "build_case_summary", spy)
    click(qtbot, workspace.print_button)
    options = find_one(workspace, CaseSummaryOptions, qtbot)
    assert isinstance(options, CaseSummaryOptions)
    assert options.warning_banner.isVisible()
    banner_text = " ".join(label.text() for label in options.warning_banner.findChildren(QLabel))
    assert "U+E000" in banner_text and "witness" in banner_text and "full name" in banner_text
    assert options.full_radio.isChecked() and not options.abridged()
    click(qtbot, options.abridged_radio)
    assert options.abridged()
    click(qtbot, options.preview_button)
    preview = wait_for_preview(qtbot, workspace)
    assert built and built[0]["abridge"] is True
    assert preview.warning_banner.isVisible()  # said again where the Print button is
    preview.close()
    settle()


def test_the_case_summary_preview_shows_page_one_first_then_the_whole_document(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_app: Btam
) -> None:
    from tests.reports.conftest import pdf_page_sizes, pdftotext

    case_id = demo_app.cases.find(CaseQuery(text="former friend"))[0].id
    workspace = open_workspace(qtbot, demo_app, case_id)
    first_looks: list[tuple[bytes, str]] = []
    real_open = printing.open_preview

    def spy(app: Btam, pdf: bytes, **kwargs: object) -> PrintPreviewDialog:
        first_looks.append((pdf, str(kwargs.get("pending", ""))))
        return real_open(app, pdf, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(printing, "open_preview", spy)
    click(qtbot, workspace.print_button)
    options = find_one(workspace, CaseSummaryOptions, qtbot)
    assert isinstance(options, CaseSummaryOptions)
    click(qtbot, options.preview_button)
    preview = find_one(workspace, PrintPreviewDialog, qtbot)
    assert isinstance(preview, PrintPreviewDialog)
    # the first look: page 1 only, its total not known yet, no printing from it
    first, pending = first_looks[0]
    assert pending.startswith("Preparing the other pages")
    assert len(pdf_page_sizes(first)) == 1
    assert "Page 1 of ..." in pdftotext(first)  # "…" folded by NFKC
    preview = wait_for_preview(qtbot, workspace)
    assert preview.page_count > 1 and preview.print_button.isEnabled()
    assert not preview.pending_label.isVisible()
    preview.close()
    settle()
