"""File ▸ Export cases, Import cases, Transfer cases, Receive transfer, Annual statistics,
driven as a person would: fields filled, buttons clicked, work done off the GUI thread."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QItemSelectionModel
from pytestqt.qtbot import QtBot

from btam_desktop.domain.enums import CaseSetting
from btam_desktop.services.app import Btam, NewTeam, create_team_vault
from btam_desktop.ui import tasks
from btam_desktop.ui.lifecycle_dialogs import (
    ExportDialog,
    ImportDialog,
    ReceiveDialog,
    StatisticsDialog,
    TransferDialog,
)
from btam_desktop.ui.main_window import MainWindow
from tests.ui.conftest import CHEAP, DEMO_PASSWORD, DEMO_VIEWER

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

WAIT_MS = 15_000
NO_KEYRING = (False, "No secure keyring on this test machine.")
SHOTS = Path(os.environ.get("BTAM_SHOTS", "/tmp/shots/i9-export"))
PASSPHRASE = "copper meadow lantern sixty"


def settle() -> None:
    tasks.wait_for_idle(WAIT_MS)
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def make_window(qtbot: QtBot, app: Btam, folder: Path) -> MainWindow:
    window = MainWindow(app, folder, keyring=NO_KEYRING, kdf_params=CHEAP)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle()
    return window


def test_file_menu_exports_the_selected_cases(
    qtbot: QtBot, demo_app: Btam, demo_vault: Path, tmp_path: Path
) -> None:
    window = make_window(qtbot, demo_app, demo_vault)
    titles = [a.text() for a in window.file_menu.actions()]
    for entry in (
        "&Export cases…",
        "&Import cases…",
        "&Transfer cases…",
        "Recei&ve transfer…",
        "Annual &statistics…",
    ):
        assert entry in titles
    window.show_page("cases")
    table = window.cases_page.table()
    qtbot.waitUntil(lambda: table.model().rowCount() >= 3, timeout=WAIT_MS)
    selection = table.selectionModel()
    for row in (0, 2):
        selection.select(
            table.model().index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    chosen = window.selected_case_ids()
    assert len(chosen) == 2
    dialog = window.export_cases()
    assert isinstance(dialog, ExportDialog)
    assert dialog.only_selected.isChecked()
    dialog.target.edit.setText(str(tmp_path / "two"))
    shot(dialog, "export-dialog")
    dialog.export_button.click()
    qtbot.waitUntil(lambda: "Exported 2 cases" in dialog.status.text(), timeout=WAIT_MS)
    document = json.loads((tmp_path / "two.json").read_bytes())
    numbers = [demo_app.cases.get(i).number for i in chosen]
    assert [c["number"] for c in document["cases"]] == numbers
    events = [e for e in demo_app.audit_events() if e.action == "case.export"]
    assert {e.case_id for e in events} == set(chosen)
    dialog.close()
    settle()


def test_import_dialog_maps_columns_and_refuses_bad_rows(
    qtbot: QtBot, demo_app: Btam, tmp_path: Path
) -> None:
    sheet = tmp_path / "old.csv"
    sheet.write_text(
        "Ref,Case name,Reported on,State\n"
        "A1,Comment at practice,2025-02-01,Reported\n"
        "A2,Drawing in class,not a date,Reported\n"
    )
    before = len(demo_app.exchange.all_case_ids())
    dialog = ImportDialog(demo_app)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.source.edit.setText(str(sheet))
    dialog.next_button.click()
    assert dialog.stack.currentIndex() == 1
    # The person maps the columns the guess could not place.
    dialog.combos["title"].setCurrentIndex(dialog.combos["title"].findData("Case name"))
    dialog.combos["opened"].setCurrentIndex(dialog.combos["opened"].findData("Reported on"))
    dialog.combos["status"].setCurrentIndex(dialog.combos["status"].findData("State"))
    dialog.combos["source_number"].setCurrentIndex(dialog.combos["source_number"].findData("Ref"))
    dialog.resize(780, 640)
    shot(dialog, "import-mapping")
    dialog.next_button.click()
    assert dialog.stack.currentIndex() == 2
    assert not dialog.import_button.isEnabled()
    assert dialog.preview_table.item(1, 0).text() == "Row 3"
    assert "not a date" in dialog.preview_table.item(1, 3).text()
    shot(dialog, "import-preview-errors")
    assert len(demo_app.exchange.all_case_ids()) == before
    # Back, fix by leaving out the bad row in the file, check again, import.
    sheet.write_text(
        "Ref,Case name,Reported on,State\nA1,Comment at practice,2025-02-01,Reported\n"
    )
    dialog.back()
    dialog.back()
    dialog.next_button.click()
    for key, column in (("title", "Case name"), ("opened", "Reported on")):
        dialog.combos[key].setCurrentIndex(dialog.combos[key].findData(column))
    dialog.next_button.click()
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: "Imported 1 cases" in dialog.status.text(), timeout=WAIT_MS)
    assert len(demo_app.exchange.all_case_ids()) == before + 1
    dialog.close()
    settle()


def test_transfer_and_receive_dialogs(qtbot: QtBot, demo_app: Btam, tmp_path: Path) -> None:
    demo_app.transfer.kdf_params = CHEAP
    case_id = demo_app.exchange.all_case_ids()[0]
    number = demo_app.cases.get(case_id).number
    send = TransferDialog(demo_app, [case_id])
    qtbot.addWidget(send)
    send.show()
    send.recipient.setText("Lincoln High counseling office")
    send.passphrase.setText("short")
    send.repeat.setText("short")
    send.target.edit.setText(str(tmp_path / "move"))
    send.seal_button.click()
    assert "at least 12 characters" in send.status.text()
    send.passphrase.setText(PASSPHRASE)
    send.repeat.setText(PASSPHRASE)
    shot(send, "transfer-dialog")
    send.seal_button.click()
    qtbot.waitUntil(lambda: "Sealed 1 cases" in send.status.text(), timeout=WAIT_MS)
    package = tmp_path / "move.btamtransfer"
    assert package.exists()
    assert send.passphrase.text() == ""  # not kept in the field
    send.close()

    other, _ = create_team_vault(
        tmp_path / "other",
        NewTeam(
            "Lincoln High", CaseSetting.SCHOOL, "scale.four-level", "lee", "Lee", "lee password 12"
        ),
        kdf_params=CHEAP,
    )
    receive = ReceiveDialog(other)
    qtbot.addWidget(receive)
    receive.show()
    receive.source.edit.setText(str(package))
    receive.passphrase.setText("the wrong passphrase")
    receive.open_button.click()
    qtbot.waitUntil(lambda: "passphrase is wrong" in receive.status.text(), timeout=WAIT_MS)
    assert not receive.receive_button.isEnabled()
    receive.passphrase.setText(PASSPHRASE)
    receive.open_button.click()
    qtbot.waitUntil(lambda: receive.receive_button.isEnabled(), timeout=WAIT_MS)
    assert receive.preview_table.item(0, 0).text() == number
    receive.resize(760, 480)
    shot(receive, "receive-preview")
    receive.receive_button.click()
    qtbot.waitUntil(lambda: "Added:" in receive.status.text(), timeout=WAIT_MS)
    assert len(other.exchange.all_case_ids()) == 1
    receive.close()
    settle()
    other.lock()


def test_statistics_dialog_counts_and_saves(qtbot: QtBot, demo_app: Btam, tmp_path: Path) -> None:
    dialog = StatisticsDialog(demo_app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.stats is not None, timeout=WAIT_MS)
    assert dialog.table.rowCount() > 20
    texts = {dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())}
    assert "fewer than 5" in texts
    dialog.show_small.setChecked(True)
    qtbot.waitUntil(
        lambda: dialog.stats is not None and not dialog.stats.suppress_small, timeout=WAIT_MS
    )
    texts = {dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())}
    assert "fewer than 5" not in texts
    dialog.show_small.setChecked(False)
    qtbot.waitUntil(
        lambda: dialog.stats is not None and dialog.stats.suppress_small, timeout=WAIT_MS
    )
    dialog.resize(680, 720)
    shot(dialog, "statistics-dialog")
    dialog.csv_target.edit.setText(str(tmp_path / "s.csv"))
    dialog.pdf_target.edit.setText(str(tmp_path / "s.pdf"))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "Saved" in dialog.status.text(), timeout=WAIT_MS)
    assert (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF")
    assert "fewer than 5" in (tmp_path / "s.csv").read_text("utf-8-sig")
    dialog.close()
    settle()


def test_viewer_finds_the_entries_disabled(qtbot: QtBot, demo_vault: Path) -> None:
    from btam_desktop.services.app import unlock

    viewer = unlock(demo_vault, DEMO_VIEWER, DEMO_PASSWORD)
    window = make_window(qtbot, viewer, demo_vault)
    for action in window.lifecycle_actions:
        assert not action.isEnabled(), action.text()
    window.close()
    settle()
    if viewer.vault.is_open:
        viewer.vault.lock()
