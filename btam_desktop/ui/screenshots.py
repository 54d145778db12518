"""Pictures of every main screen, for a person to look at before a change is called done.

    python -m btam_desktop.ui.screenshots OUT_DIR

Creates a throwaway demo vault (fictional data, cheap key derivation) in a temporary folder,
renders each screen offscreen into OUT_DIR as PNG, and deletes the temporary vault at the end.
QSettings are redirected to the temporary folder too, so the real recent-vaults list is not
touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from btam_desktop.services.app import Btam
    from btam_desktop.services.vault_paths import KdfParams
    from btam_desktop.ui.main_window import MainWindow
    from btam_desktop.ui.unlock import UnlockScreen

CHEAP_KDF = {"time_cost": 1, "memory_kib": 8, "parallelism": 1}
WORKSPACE_TABS = (
    "overview",
    "people",
    "timeline",
    "notes",
    "attachments",
    "disclosures",
    "levels",
    "audit",
    "assessments",
    "plan",
)
SIZE = (1280, 800)


def _settle(timeout_s: float = 5.0) -> None:
    """Let background loads finish and the screen repaint."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from btam_desktop.ui import tasks

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if tasks.active_task_count() == 0:
            tasks.wait_for_idle(50)
            QCoreApplication.processEvents()
            if tasks.active_task_count() == 0:
                break
        tasks.wait_for_idle(50)
    for _ in range(3):
        QCoreApplication.processEvents()


def _wait_for(condition: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    from PySide6.QtCore import QCoreApplication

    from btam_desktop.ui import tasks

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        tasks.wait_for_idle(50)
        QCoreApplication.processEvents()
    return condition()


def _not_busy(screen: UnlockScreen) -> Callable[[], bool]:
    return lambda: not screen.is_busy()


class _Shooter:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.written: list[Path] = []

    def grab(self, widget: QWidget, name: str) -> None:
        _settle()
        path = self.out_dir / f"{len(self.written) + 1:02d}-{name}.png"
        if widget.grab().save(str(path)):
            self.written.append(path)


@contextlib.contextmanager
def _private_settings(folder: Path) -> Iterator[None]:
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield


def take_screenshots(
    out_dir: Path, *, source_vault: Path | None = None, quick: bool = False
) -> list[Path]:
    """Render the main screens into ``out_dir``; returns the PNG files written.

    ``source_vault``: a closed demo vault to copy instead of creating one (tests).
    ``quick``: fewer screens (no case workspace tabs, no second role).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    from PySide6.QtWidgets import QApplication

    from btam_desktop.ui.app import create_application

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        qapp = existing  # a test run: leave its names and theme alone
    else:
        qapp = create_application([sys.argv[0] if sys.argv else "btam-screenshots"])
    before = set(qapp.topLevelWidgets())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shooter = _Shooter(out_dir)
    temp = Path(tempfile.mkdtemp(prefix="btam-screenshots-"))
    try:
        with _private_settings(temp / "settings"):
            _all_screens(shooter, temp, source_vault, quick)
    finally:
        from btam_desktop.ui import tasks

        tasks.cancel_all()
        tasks.wait_for_idle(10_000)
        for widget in qapp.topLevelWidgets():
            if widget not in before:
                widget.close()
                widget.deleteLater()
        _settle(1.0)
        shutil.rmtree(temp, ignore_errors=True)
    return shooter.written


def _all_screens(shooter: _Shooter, temp: Path, source_vault: Path | None, quick: bool) -> None:
    from btam_desktop.services.app import unlock
    from btam_desktop.services.demo import (
        DEMO_COORDINATOR,
        DEMO_PASSWORD,
        DEMO_VIEWER,
        create_demo_vault,
    )
    from btam_desktop.services.vault_paths import KdfParams

    cheap = KdfParams(**CHEAP_KDF)
    folder = temp / "demo-vault"
    if source_vault is not None:
        shutil.copytree(source_vault, folder)
    else:
        create_demo_vault(folder, kdf_params=cheap).lock()

    _setup_screens(shooter, temp, cheap, quick)
    _unlock_screens(shooter, folder)

    app = unlock(folder, DEMO_COORDINATOR, DEMO_PASSWORD)
    window = _main_window_screens(shooter, app, folder, cheap, quick)
    try:
        if not quick:
            _workspace_screens(shooter, window)
        _dialog_screens(shooter, window, quick)
        window.lock()
        shooter.grab(window, "main-window-locked")
        if not quick:
            viewer = unlock(folder, DEMO_VIEWER, DEMO_PASSWORD)
            screen = window.unlock_screen
            assert screen is not None
            screen.unlocked.emit(viewer)
            shooter.grab(window, "main-window-viewer")
            window.lock()
    finally:
        window.lock(save_drafts=False)
        window.close()


def _setup_screens(shooter: _Shooter, temp: Path, cheap: KdfParams, quick: bool) -> None:
    from btam_desktop.ui.setup_wizard import SetupWizard

    wizard = SetupWizard(kdf_params=cheap)
    wizard.resize(760, 620)
    wizard.show()
    shooter.grab(wizard, "setup-1-team")
    wizard.team_page.team_name.setText("Lincoln High School threat assessment team")
    wizard.next()
    wizard.folder_page.folder.setText(str(temp / "new-vault"))
    shooter.grab(wizard, "setup-2-folder")
    wizard.next()
    page = wizard.coordinator_page
    page.username.setText("jrivera")
    page.full_name.setText("Jordan Rivera")
    page.password.setText("maple kettle orbit 42")
    page.confirm.setText("maple kettle orbit 4")
    wizard.next()  # mismatch: the inline message
    shooter.grab(wizard, "setup-3-account-mismatch")
    page.password.setText("maple kettle orbit 42")
    page.confirm.setText("maple kettle orbit 42")
    wizard.next()
    _wait_for(lambda: wizard.currentId() == SetupWizard.PAGE_RECOVERY)
    shooter.grab(wizard, "setup-4-recovery-key")
    if not quick:
        wizard.recovery_page.acknowledge.setChecked(True)
        shooter.grab(wizard, "setup-5-recovery-acknowledged")
    created = wizard.app
    if created is not None:
        wizard.app = None
        created.lock()
    wizard._finish()
    wizard.done(0)
    wizard.deleteLater()


def _unlock_screens(shooter: _Shooter, folder: Path) -> None:
    from btam_desktop.services.demo import DEMO_COORDINATOR
    from btam_desktop.ui.app import StartWindow
    from btam_desktop.ui.unlock import UnlockScreen

    for keyring, name in (
        ((True, ""), "unlock-with-keyring"),
        (
            (
                False,
                "This computer has no secure system keyring (such as Windows Credential "
                "Manager, macOS Keychain or GNOME Keyring), so BTAM will not store a key here. "
                "You will type your password each time.",
            ),
            "unlock-without-keyring",
        ),
    ):
        window = StartWindow()
        screen = UnlockScreen(folder, window, keyring=keyring, username=DEMO_COORDINATOR)
        window.set_content(screen)
        window.show()
        _wait_for(screen.members_ready)
        shooter.grab(window, name)
        if keyring[0]:
            screen.password_edit.setText("not the password")
            screen.submit()
            _wait_for(_not_busy(screen))
            shooter.grab(window, "unlock-wrong-password")
            dialog = screen.open_recovery_dialog()
            shooter.grab(dialog, "unlock-recovery-dialog")
            dialog.done(0)
        window.close()
        window.deleteLater()


def _main_window_screens(
    shooter: _Shooter, app: Btam, folder: Path, cheap: KdfParams, quick: bool
) -> MainWindow:
    from btam_desktop.ui.main_window import MainWindow

    window = MainWindow(
        app,
        folder,
        demo=True,
        keyring=(False, "No keyring in screenshots."),
        kdf_params=cheap,
    )
    window.resize(*SIZE)
    window.show()
    for key in window.visible_pages():
        window.show_page(key)
        shooter.grab(window, f"main-window-{key}")
    return window


def _workspace_screens(shooter: _Shooter, window: MainWindow) -> None:
    from btam_desktop.services.cases import CaseQuery

    app = window.app
    assert app is not None
    rows = app.cases.find(CaseQuery(), 0, 50)
    if not rows:
        return
    case_id = _richest_case(app, [row.id for row in rows])
    workspace = window.open_case(case_id)
    if workspace is None:
        return
    for name in WORKSPACE_TABS:
        if workspace.show_tab(name) and workspace.current_tab_name() == name:
            shooter.grab(window, f"case-{name}")


def _richest_case(app: Btam, case_ids: list[int]) -> int:
    """The case with the most people and timeline entries (the most to look at)."""
    scores = {
        case_id: len(app.records.people(case_id)) + len(app.records.timeline(case_id))
        for case_id in case_ids
    }
    return max(case_ids, key=lambda case_id: scores[case_id])


def _dialog_screens(shooter: _Shooter, window: MainWindow, quick: bool) -> None:
    from PySide6.QtWidgets import QAbstractButton

    dialog = window.report_concern()
    if dialog is not None:
        dialog.resize(900, 760)
        shooter.grab(dialog, "intake")
        yes = getattr(dialog, "danger_yes", None)
        if not isinstance(yes, QAbstractButton):
            yes = next(
                (
                    b
                    for b in dialog.findChildren(QAbstractButton)
                    if "danger" in (b.accessibleName() + b.text()).lower()
                ),
                None,
            )
        if yes is not None:
            yes.click()
        shooter.grab(dialog, "intake-immediate-danger")
        with contextlib.suppress(Exception):
            dialog.done(0)
    if quick:
        return
    with contextlib.suppress(ImportError):
        _workflow_screen(shooter, window)


def _workflow_screen(shooter: _Shooter, window: MainWindow) -> None:
    from btam_desktop.domain.workflow import WorkflowAction
    from btam_desktop.services.cases import CaseQuery
    from btam_desktop.ui.workflow_dialogs import WorkflowDialog

    app = window.app
    assert app is not None
    for row in app.cases.find(CaseQuery(), 0, 50):
        case = app.cases.get(row.id)
        for action in (WorkflowAction.CLOSE, WorkflowAction.SCREEN_OUT):
            if app.cases.why_not(case, action) is None:
                dialog = WorkflowDialog(app, case, action, window)
                dialog.show()
                shooter.grab(dialog, f"workflow-{action.value}")
                dialog.done(0)
                dialog.deleteLater()
                return


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m btam_desktop.ui.screenshots OUT_DIR", file=sys.stderr)
        return 2
    written = take_screenshots(Path(args[0]))
    for path in written:
        print(path)
    print(f"{len(written)} screenshots written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
