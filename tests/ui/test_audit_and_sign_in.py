"""Issue 11 in the window: the team-wide audit page, failed sign-ins reaching the trail, the
remembered last user, and a lock that does not hand one person's open cases to the next."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from btam_desktop.domain.audit_kinds import AuditKind
from btam_desktop.services.app import Btam
from btam_desktop.ui.main_window import PAGE_AUDIT, PAGE_DASHBOARD, MainWindow
from btam_desktop.ui.pages.audit import AuditPage
from btam_desktop.ui.unlock import UnlockScreen
from tests.ui.changes import announced
from tests.ui.conftest import DEMO_MEMBER, DEMO_PASSWORD
from tests.ui.test_shell import (
    WAIT_MS,
    make_window,
    open_first_case_from_list,
    settle,
    sign_in,
    type_into,
)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")
SHOTS = Path("/tmp/shots/i11-audit")


def shoot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


def lock(qtbot: QtBot, window: MainWindow) -> UnlockScreen:
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked()
    settle()
    screen = window.unlock_screen
    assert screen is not None
    return screen


def audit_page(qtbot: QtBot, window: MainWindow) -> AuditPage:
    assert PAGE_AUDIT in window.visible_pages()
    assert window.show_page(PAGE_AUDIT)
    page = window.page(PAGE_AUDIT)
    assert isinstance(page, AuditPage)
    return page


def test_audit_page_filters_exports_and_shows_failed_sign_ins(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path, monkeypatch
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    window.resize(1280, 800)
    screen = lock(qtbot, window)
    sign_in(qtbot, screen, DEMO_MEMBER, "not the password at all")
    assert window.is_locked()
    sign_in(qtbot, screen, "demo", DEMO_PASSWORD)
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=WAIT_MS)
    settle()

    page = audit_page(qtbot, window)
    assert window.current_page() == PAGE_AUDIT
    assert page.table.row_count() > 0
    page.kind.setCurrentIndex(page.kind.findData(AuditKind.FAILED_SIGN_IN.value))
    assert [r.label for r in page.rows] == ["Failed sign-in (wrong user name or password)"]
    assert f"as {DEMO_MEMBER} at " in page.rows[0].summary  # the account that was tried
    assert "not the password" not in page.rows[0].summary

    page.clear_filters()
    page.person.setCurrentIndex(page.person.findData("demo"))
    assert page.rows and {r.username for r in page.rows} == {"demo"}
    labels = {r.label for r in page.rows}
    assert "Audit trail viewed" in labels and "Signed in" in labels
    assert not any(r.label.count(".") and "_" in r.label for r in page.rows)  # no raw codes

    type_into(qtbot, page.case, "1999-0001")
    qtbot.keyClick(page.case, Qt.Key.Key_Return)
    assert page.banner.isVisible() and "no case numbered" in page.banner.text()
    page.clear_filters()
    assert not page.banner.isVisible()
    settle()
    shoot(window, "audit_page.png")

    target = tmp_path / "excerpt"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV files (*.csv)")
    )
    page.kind.setCurrentIndex(page.kind.findData(AuditKind.FAILED_SIGN_IN.value))
    written = page.export("csv")
    assert written == tmp_path / "excerpt.csv"
    assert not page.csv_button.isEnabled()  # written off the GUI thread
    settle()
    assert page.csv_button.isEnabled() and "excerpt saved" in page.count_label.text()
    rows = list(csv.reader(io.StringIO(written.read_text("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][4].startswith("Failed sign-in")
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "x.pdf"), "")
    )
    pdf = page.export("pdf")
    settle()
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    assert not list(tmp_path.glob(".*writing"))
    app = window.app
    assert app is not None
    exports = [e for e in app.audit_events(limit=5) if e.action == "audit.export"]
    assert [e.summary.split(":")[0] for e in exports] == ["1 event as PDF", "1 event as CSV"]
    window.close()


def test_audit_page_is_not_offered_to_members(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    screen = lock(qtbot, window)
    sign_in(qtbot, screen, DEMO_MEMBER, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=WAIT_MS)
    assert PAGE_AUDIT not in window.visible_pages()
    window.close()


def test_after_a_lock_only_the_same_person_gets_their_cases_back(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    workspace = open_first_case_from_list(qtbot, window)
    number = workspace.case_number
    screen = lock(qtbot, window)
    assert screen.selected_user() == "demo"
    sign_in(qtbot, screen, DEMO_MEMBER, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=WAIT_MS)
    settle()
    assert window.open_case_ids() == []
    assert window.current_page() == PAGE_DASHBOARD
    assert number not in window.windowTitle()

    # morgan locks; demo signs in: morgan's (empty) state is not demo's either
    screen = lock(qtbot, window)
    assert screen.selected_user() == DEMO_MEMBER
    sign_in(qtbot, screen, "demo", DEMO_PASSWORD)
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=WAIT_MS)
    assert window.open_case_ids() == []
    window.close()


def test_unlock_screen_remembers_the_last_person_on_this_computer(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    screen = lock(qtbot, window)
    sign_in(qtbot, screen, DEMO_MEMBER, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=WAIT_MS)
    window.close()
    settle()

    fresh = UnlockScreen(demo_vault, keyring=(False, "No keyring in tests."))
    qtbot.addWidget(fresh)
    fresh.resize(1024, 640)
    fresh.show()
    qtbot.waitExposed(fresh)
    assert fresh.selected_user() == DEMO_MEMBER  # before the list is checked, and after
    qtbot.waitUntil(fresh.members_ready, timeout=15_000)
    assert fresh.selected_user() == DEMO_MEMBER
    assert fresh.user_combo.count() == 3
    shoot(fresh, "unlock_remembered_user.png")
    # and a different vault folder does not inherit the name
    other = UnlockScreen(demo_vault.parent, keyring=(False, "No keyring in tests."))
    qtbot.addWidget(other)
    assert other.selected_user() != DEMO_MEMBER


# ---- every view is an event ---------------------------------------------------------------------


def test_assessment_viewer_and_print_preview_are_audited(qtbot: QtBot, demo_app: Btam) -> None:
    from btam_desktop.services.assessments import COMPLETED
    from btam_desktop.services.cases import CaseQuery
    from btam_desktop.ui.wizard.viewer import AssessmentViewer
    from tests.ui.test_printing import click, events, wait_for_preview

    done = [
        a
        for r in demo_app.cases.find(CaseQuery(), 0, 50)
        for a in demo_app.assessments.for_case(r.id)
        if a.status == COMPLETED
    ]
    assessment = done[0]
    before = len(events(demo_app, "assessment.view", assessment.case_id))
    viewer = AssessmentViewer(demo_app, assessment.id or 0)
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: viewer.data is not None, timeout=WAIT_MS)
    viewed = events(demo_app, "assessment.view", assessment.case_id)
    assert len(viewed) == before + 1
    kind, case_id, summary = viewed[0]
    assert (kind, case_id) == ("assessment", assessment.case_id)
    assert summary == f"{assessment.form_id} opened in the viewer"
    click(qtbot, viewer.print_button)
    preview = wait_for_preview(qtbot, viewer)
    previews = events(demo_app, "report.preview", assessment.case_id)
    assert previews and "shown in print preview" in previews[0][2]
    preview.close()
    settle()


def test_attachment_preview_is_audited(
    qtbot: QtBot, demo_app: Btam, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.ui.test_case_workspace import add_file, png_file, weapon_case

    workspace = weapon_case(qtbot, demo_app)
    tab = workspace.attachments
    workspace.show_tab("attachments")
    with announced(qtbot, workspace.case_id, timeout=5000):
        add_file(qtbot, workspace, monkeypatch, png_file(tmp_path))
    qtbot.waitUntil(lambda: tab.stack.currentWidget() is tab.preview, timeout=5000)
    settle()
    viewed = [
        e for e in demo_app.audit_events(case_id=workspace.case_id) if e.action == "attachment.view"
    ]
    assert len(viewed) == 1
    assert viewed[0].summary == "image/png previewed"
    assert "screenshot" not in viewed[0].summary


def test_recovery_dialog_refuses_what_add_member_refuses(qtbot: QtBot, demo_vault: Path) -> None:
    from btam_desktop.ui.unlock import RecoveryDialog

    screen = UnlockScreen(demo_vault, keyring=(False, "No keyring in tests."))
    qtbot.addWidget(screen)
    screen.show()
    qtbot.mouseClick(screen.recovery_button, Qt.MouseButton.LeftButton)
    dialog = screen.findChild(RecoveryDialog)
    assert isinstance(dialog, RecoveryDialog)
    qtbot.keyClicks(dialog.key_edit, "ABCD-" * 7 + "ABCD")
    qtbot.keyClicks(dialog.password_edit, "password123")
    qtbot.keyClicks(dialog.confirm_edit, "password123")
    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    assert "too easy to guess" in dialog.message()
    assert dialog.isVisible()
