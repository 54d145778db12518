"""The start-time probe that bench/bench_frozen_start.py uses: with BTAM_STARTUP_PROBE=1 the
program reports once the unlock screen is shown and quits without opening the vault; without
it, nothing is printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from btam_desktop.ui import app as app_module
from btam_desktop.ui.unlock import UnlockScreen

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")


def _close_all() -> None:
    for widget in QApplication.topLevelWidgets():
        widget.close()
    QCoreApplication.processEvents()


def test_the_probe_reports_the_unlock_screen_and_quits(
    qapp: QApplication,
    demo_vault: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(app_module.STARTUP_PROBE_ENV, "1")
    shown: list[bool] = []
    original = app_module.Launcher.show_unlock

    def spy(self: app_module.Launcher, folder: Path) -> UnlockScreen:
        screen = original(self, folder)
        shown.append(screen.isVisible())
        return screen

    monkeypatch.setattr(app_module.Launcher, "show_unlock", spy)
    try:
        assert app_module.run_app(vault=demo_vault) == 0
    finally:
        _close_all()
    assert shown == [True]
    assert app_module.STARTUP_PROBE_LINE in capsys.readouterr().err


def test_without_the_probe_nothing_is_reported(
    qapp: QApplication,
    demo_vault: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv(app_module.STARTUP_PROBE_ENV, raising=False)
    QTimer.singleShot(300, lambda: QCoreApplication.exit(7))  # stands in for a person quitting
    try:
        assert app_module.run_app(vault=demo_vault) == 7
    finally:
        _close_all()
    assert app_module.STARTUP_PROBE_LINE not in capsys.readouterr().err
