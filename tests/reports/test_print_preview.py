"""The print preview: pages rendered in memory (no temp files), zoom, saving with a warning,
printing through the print path, and building a document in the background."""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, Qt
from PySide6.QtGui import QPageSize, QPdfWriter
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from btam_desktop.domain.forms import FormRegistry
from btam_desktop.reports import (
    build_blank_checklist,
    build_case_summary,
    build_meeting_agenda,
    build_recognize_and_report_handout,
    build_recovery_sheet,
    suggested_file_name,
)
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import CaseQuery
from btam_desktop.ui import print_preview, tasks
from btam_desktop.ui.print_preview import PrintPreviewDialog, build_in_background
from tests.reports.conftest import pdf_pages_text

TEAM = "Maple Grove Unified (fictional demo)"


@pytest.fixture(autouse=True)
def no_task_left_behind(qapp: QApplication) -> Iterator[None]:
    yield
    tasks.cancel_all()
    assert tasks.wait_for_idle(10000), "a test left a background task running"


@pytest.fixture
def isolated_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty temp folder for Python's tempfile and for Qt (TMPDIR)."""
    folder = tmp_path / "temp"
    folder.mkdir()
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    assert tempfile.gettempdir() == str(folder)
    return folder


class Calls:
    def __init__(self) -> None:
        self.printed = 0
        self.saved = 0

    def on_printed(self) -> None:
        self.printed += 1

    def on_saved(self) -> None:
        self.saved += 1


def _open(qtbot: QtBot, pdf: bytes, calls: Calls, name: str = "x.pdf") -> PrintPreviewDialog:
    dialog = PrintPreviewDialog(
        pdf, "Case 2026-0005 summary", name, calls.on_printed, calls.on_saved
    )
    qtbot.addWidget(dialog)
    dialog.resize(900, 700)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.page_count > 0 and dialog.is_rendered(0), timeout=10000)
    return dialog


def _case_id(app: Btam) -> int:
    return app.cases.find(CaseQuery(text="former friend"))[0].id


def test_documents_build_and_preview_without_a_temp_file(
    qtbot: QtBot, demo_app: Btam, isolated_temp: Path
) -> None:
    before = sorted(os.listdir(tempfile.gettempdir()))
    registry = FormRegistry.load(None)
    documents = [
        build_case_summary(demo_app, _case_id(demo_app)),
        build_blank_checklist(registry.form("btam.screening"), TEAM),
        build_recovery_sheet(TEAM, "/vault", "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789"),
        build_recognize_and_report_handout(demo_app.settings(), "students"),
        build_meeting_agenda(demo_app),
    ]
    for pdf in documents:
        dialog = _open(qtbot, pdf, Calls())
        last = dialog.page_count - 1
        dialog.page_list.verticalScrollBar().setValue(
            dialog.page_list.verticalScrollBar().maximum()
        )
        qtbot.waitUntil(lambda d=dialog, n=last: d.is_rendered(n), timeout=10000)
        dialog.close()
    assert sorted(os.listdir(tempfile.gettempdir())) == before == []


def test_window_title_carries_the_title_and_no_name(qtbot: QtBot, demo_app: Btam) -> None:
    dialog = _open(qtbot, build_case_summary(demo_app, _case_id(demo_app)), Calls())
    assert dialog.windowTitle() == "Print preview: Case 2026-0005 summary"
    assert "Quinn" not in dialog.windowTitle()
    assert dialog.page_label.text().startswith("Page 1 of ")


def test_only_pages_near_the_view_are_rendered(qtbot: QtBot) -> None:
    registry = FormRegistry.load(None)
    pdf = build_blank_checklist(registry.form("btam.assessment.school"), TEAM)
    dialog = _open(qtbot, pdf, Calls())
    tasks.wait_for_idle(10000)
    assert dialog.page_count > 8
    rendered = [i for i in range(dialog.page_count) if dialog.is_rendered(i)]
    assert rendered and max(rendered) < 4
    bar = dialog.page_list.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: dialog.is_rendered(dialog.page_count - 1), timeout=10000)
    tasks.wait_for_idle(10000)
    assert not dialog.is_rendered(0)  # far pages are let go
    assert dialog.page_label.text() == f"Page {dialog.page_count} of {dialog.page_count}"


def test_zoom(qtbot: QtBot) -> None:
    registry = FormRegistry.load(None)
    dialog = _open(qtbot, build_blank_checklist(registry.form("btam.screening"), TEAM), Calls())
    dialog.set_zoom(1.0)
    width_100 = dialog._views[0].width()
    assert abs(width_100 - 816) <= 1  # a Letter page at 96 dpi
    qtbot.mouseClick(dialog.zoom_in_button, Qt.MouseButton.LeftButton)
    assert dialog.zoom() == 1.25
    assert dialog._views[0].width() == round(612 * 96 / 72 * 1.25)
    qtbot.waitUntil(lambda: dialog.is_rendered(0), timeout=10000)
    qtbot.mouseClick(dialog.zoom_out_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.zoom_out_button, Qt.MouseButton.LeftButton)
    assert dialog.zoom() == 0.75
    dialog.set_zoom(print_preview.FIT_WIDTH)
    assert dialog.zoom_box.currentText() == "Fit width"
    qtbot.waitUntil(lambda: dialog.is_rendered(0), timeout=10000)


def test_save_as_pdf_warns_first_then_writes_the_exact_bytes(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = FormRegistry.load(None)
    pdf = build_blank_checklist(registry.form("btam.screening"), TEAM)
    name = suggested_file_name("blank_checklist", form_id="btam.screening", version="1.0.0")
    calls = Calls()
    dialog = _open(qtbot, pdf, calls, name)
    order: list[str] = []
    target = tmp_path / "chosen" / "printout"
    target.parent.mkdir()

    def warning(parent: object, title: str, text: str, *args: object) -> object:
        order.append("warning")
        assert "not encrypted" in text
        return QMessageBox.StandardButton.Save

    def get_save_file_name(parent: object, caption: str, start: str, filters: str):
        order.append("file dialog")
        assert start.endswith(name)
        assert "PDF" in filters
        return str(target), filters

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(get_save_file_name))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert order == ["warning", "file dialog"]
    saved = target.with_name("printout.pdf")
    assert saved.read_bytes() == pdf
    assert calls.saved == 1 and calls.printed == 0


def test_save_cancelled_at_the_warning_writes_nothing(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = FormRegistry.load(None)
    calls = Calls()
    dialog = _open(qtbot, build_blank_checklist(registry.form("btam.screening"), TEAM), calls)
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda *a: QMessageBox.StandardButton.Cancel)
    )
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a: asked.append("x") or ("", ""))
    )
    dialog.save_as_pdf()
    assert asked == [] and calls.saved == 0


def test_a_save_that_fails_says_so_and_records_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = FormRegistry.load(None)
    calls = Calls()
    dialog = _open(qtbot, build_blank_checklist(registry.form("btam.screening"), TEAM), calls)
    errors: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda *a: QMessageBox.StandardButton.Save)
    )
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a: (str(tmp_path / "missing" / "x.pdf"), "")),
    )
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda p, t, text: errors.append(text))
    )
    dialog.save_as_pdf()
    assert errors and "Choose another folder" in errors[0]
    assert calls.saved == 0


def test_print_paints_every_page_then_calls_back(qtbot: QtBot, demo_app: Btam) -> None:
    pdf = build_case_summary(demo_app, _case_id(demo_app))
    calls = Calls()
    dialog = _open(qtbot, pdf, calls)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(72)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    with qtbot.waitSignal(dialog.printing_finished, timeout=20000) as finished:
        dialog.print_to(writer)
    assert finished.args == [True]
    assert calls.printed == 1 and calls.saved == 0
    printed = bytes(buffer.data().data())
    assert len(pdf_pages_text(printed)) == dialog.page_count
    assert dialog.print_button.isEnabled()


def test_print_button_goes_through_the_print_dialog(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = FormRegistry.load(None)
    pdf = build_blank_checklist(registry.form("btam.screening"), TEAM, paper="a4")
    calls = Calls()
    dialog = _open(qtbot, pdf, calls)
    out = tmp_path / "printer-output.pdf"

    class FakePrintDialog:
        def __init__(self, printer: QPrinter, parent: object) -> None:
            self.printer = printer

        def setWindowTitle(self, title: str) -> None:
            pass

        def setMinMax(self, low: int, high: int) -> None:
            assert (low, high) == (1, dialog.page_count)

        def exec(self) -> int:
            assert self.printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.A4
            self.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            self.printer.setOutputFileName(str(out))
            self.printer.setResolution(72)
            self.printer.setFromTo(2, 3)
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(print_preview, "QPrintDialog", FakePrintDialog)
    with qtbot.waitSignal(dialog.printing_finished, timeout=20000):
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert calls.printed == 1
    assert len(pdf_pages_text(out.read_bytes())) == 2  # pages 2 and 3 as chosen


def test_build_in_background_delivers_the_document(qtbot: QtBot, demo_app: Btam) -> None:
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    results: list[bytes] = []
    builder = functools.partial(build_case_summary, demo_app, _case_id(demo_app))
    task = build_in_background(builder, parent=parent, on_done=results.append)
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass
    assert len(results) == 1 and results[0].startswith(b"%PDF-")


def test_build_in_background_shows_an_error(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QWidget

    from btam_desktop.store.errors import ValidationError

    parent = QWidget()
    qtbot.addWidget(parent)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda p, t, text: shown.append(text)))

    def builder() -> bytes:
        raise ValidationError("That case cannot be printed right now.")

    task = build_in_background(builder, parent=parent, on_done=lambda pdf: None)
    with qtbot.waitSignal(task.finished, timeout=10000):
        pass
    assert shown == ["That case cannot be printed right now."]
