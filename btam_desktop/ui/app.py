"""Starting the window: the application object, the theme, and which screen comes first.

- ``--demo``: the demo vault in the user data folder (created on first use, with real key
  derivation, behind a busy indicator), signed in as the demo coordinator automatically. It
  holds only fictional people and cases and its password ("demo") is documented.
- a vault folder given on the command line, or the last vault opened: the unlock screen.
- ``--server URL``, or the team server used last: the same screen, signing in to the server.
- no vault yet at the default location: the setup assistant.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from btam_desktop import APP_NAME, __version__
from btam_desktop.services.vault_paths import default_vault_dir, is_vault
from btam_desktop.ui.help_key import LOCKED_ANCHOR, install_f1
from btam_desktop.ui.icons import app_icon
from btam_desktop.ui.locale_formats import follow_system_locale
from btam_desktop.ui.recent import (
    ORGANIZATION,
    add_recent_server,
    add_recent_vault,
    last_location,
)
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import apply_theme
from btam_desktop.ui.unlock import Location, UnlockScreen, ask_server_address, user_message
from btam_desktop.ui.widgets.overlay import BusyOverlay

if TYPE_CHECKING:
    # Imported when first needed: the unlock screen appears without waiting for every page
    # of the main window to load (see _warm_up_main_window).
    from btam_desktop.services.app import Btam
    from btam_desktop.services.vault_paths import KdfParams
    from btam_desktop.ui.main_window import MainWindow
    from btam_desktop.ui.setup_wizard import SetupWizard

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR = 0, 1


def demo_vault_dir() -> Path:
    """Where ``--demo`` keeps its fictional vault (next to the default vault)."""
    return default_vault_dir().parent / "demo-vault"


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the program's names, high-DPI defaults and theme."""
    existing = QApplication.instance()
    if existing is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        qapp = QApplication(argv if argv is not None else sys.argv[:1])
    else:
        assert isinstance(existing, QApplication)
        qapp = existing
    qapp.setApplicationName(APP_NAME)
    qapp.setApplicationDisplayName(APP_NAME)
    qapp.setApplicationVersion(__version__)
    qapp.setOrganizationName(ORGANIZATION)
    qapp.setDesktopFileName("org.btamdesktop.BtamDesktop")  # the .desktop file and AppStream id
    qapp.setWindowIcon(app_icon())
    apply_theme(qapp)
    follow_system_locale()
    return qapp


class StartWindow(QWidget):
    """The small window shown before anyone is signed in: the unlock screen or a busy card."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self._content: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.overlay = BusyOverlay(self)
        self.resize(600, 660)
        install_f1(self, lambda: LOCKED_ANCHOR)  # the guide's "locked out" part

    def set_content(self, widget: QWidget | None) -> None:
        if self._content is not None:
            self._content.hide()
            self._content.setParent(None)
            self._content.deleteLater()
        self._content = widget
        if widget is not None:
            self._layout.addWidget(widget)
            self.overlay.raise_()

    def content(self) -> QWidget | None:
        return self._content

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.overlay.is_busy():  # creating the demo vault: let it finish
            event.ignore()
            return
        super().closeEvent(event)


class Launcher(QObject):
    """Decides the first screen and moves from it to the main window."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        kdf_params: KdfParams | None = None,
        keyring: tuple[bool, str] | None = None,
        offer_tour: bool = False,
    ) -> None:
        super().__init__(parent)
        self._kdf_params = kdf_params
        self._keyring = keyring
        self._offer_tour = offer_tour
        self.start_window: StartWindow | None = None
        self.main_window: MainWindow | None = None
        # The main window's frame, built while the password is checked; and for which place.
        self._frame: MainWindow | None = None
        self._frame_for: Location | None = None
        self.wizard: SetupWizard | None = None
        self.restore_dialog: QDialog | None = None
        self.exit_code: int | None = None

    # -- deciding --------------------------------------------------------------------------

    def start(
        self, demo: bool = False, vault: Path | None = None, server: str | None = None
    ) -> None:
        if demo:
            self.start_demo()
            return
        if server:
            self.show_unlock(server)
            return
        if vault is not None:
            self.show_unlock(Path(vault).expanduser())
            return
        remembered = last_location()
        if remembered is not None:
            self.show_unlock(remembered)
        elif is_vault(default_vault_dir()):
            self.show_unlock(default_vault_dir())
        else:
            self.show_setup()

    # -- the demo --------------------------------------------------------------------------

    def start_demo(self, folder: Path | None = None) -> None:
        folder = folder or demo_vault_dir()
        window = self._start_window()
        window.setWindowTitle(f"Demo — {APP_NAME}")
        window.resize(520, 360)
        window.show()
        params = self._kdf_params
        if is_vault(folder):
            window.overlay.show_busy("Opening the demo vault…")

            def work() -> Btam:
                from btam_desktop.services.app import unlock
                from btam_desktop.services.demo import DEMO_COORDINATOR, DEMO_PASSWORD

                return unlock(folder, DEMO_COORDINATOR, DEMO_PASSWORD)

        else:
            window.overlay.show_busy(
                "Preparing the demo vault with fictional cases…\nThis takes a few seconds the "
                "first time."
            )

            def work() -> Btam:
                from btam_desktop.services.demo import create_demo_vault

                return create_demo_vault(folder, kdf_params=params)

        run_in_background(
            work,
            on_done=lambda app: self._demo_ready(app, folder),
            on_error=self._demo_failed,
            parent=window,
        )

    def _demo_ready(self, app: Btam, folder: Path) -> None:
        if self.start_window is not None:
            self.start_window.overlay.hide_busy()
        self.show_main(app, folder, demo=True)

    def _demo_failed(self, error: BaseException) -> None:
        window = self.start_window
        if window is not None:
            window.overlay.hide_busy()
        QMessageBox.critical(window, "The demo could not start", user_message(error))
        self.exit_code = EXIT_ERROR
        if window is not None:
            window.close()
        QTimer.singleShot(0, lambda: QCoreApplication.exit(EXIT_ERROR))

    # -- unlock ----------------------------------------------------------------------------

    def show_unlock(self, folder: Location) -> UnlockScreen:
        """The sign-in screen of a vault folder, or of a team server (its address)."""
        window = self._start_window()
        screen = UnlockScreen(folder, window, keyring=self._keyring)
        server_url = folder if isinstance(folder, str) else None
        screen.unlocked.connect(
            lambda app: self.show_main(
                app, app.vault.folder, server_url=server_url, signed_in_at=folder
            )
        )
        screen.open_other_requested.connect(self._choose_vault)
        screen.connect_server_requested.connect(self._choose_server)
        screen.unlock_started.connect(lambda: self._build_frame(folder))
        screen.create_new_requested.connect(lambda: self.show_setup(back_to=folder))
        if isinstance(folder, Path):
            vault_folder = folder
            screen.restore_requested.connect(lambda: self._restore_backup(vault_folder))
        window.set_content(screen)
        window.setWindowTitle(APP_NAME)
        window.show()
        window.raise_()
        window.activateWindow()
        _report_startup_if_probed(screen)
        # The database code loads once the member list is on screen (they would share a core).
        screen.members_loaded.connect(
            lambda: _warm_up_main_window(folder if isinstance(folder, Path) else None)
        )
        return screen

    def _restore_backup(self, near: Path) -> None:
        """From the sign-in screen: restore a backup into a new folder, then open that."""
        from btam_desktop.ui.backup_ui import RestoreDialog

        dialog = RestoreDialog(None, self.start_window, near=near)
        dialog.restored_to.connect(lambda folder: self.show_unlock(Path(folder)))
        self.restore_dialog = dialog
        dialog.open()

    def _choose_vault(self) -> None:
        window = self.start_window
        current = window.content() if window is not None else None
        start = (
            str(current.folder().parent)
            if isinstance(current, UnlockScreen) and not current.is_server()
            else ""
        )
        chosen = QFileDialog.getExistingDirectory(window, "Open a vault folder", start)
        if chosen:
            self.show_unlock(Path(chosen))

    def _choose_server(self) -> None:
        window = self.start_window
        current = window.content() if window is not None else None
        # Start from the address on screen: a remembered one lacks its password, if it had one.
        typed = current.server_url() if isinstance(current, UnlockScreen) else ""
        url = ask_server_address(window, typed)
        if url:
            self.show_unlock(url)

    # -- setup -----------------------------------------------------------------------------

    def show_setup(self, back_to: Location | None = None) -> SetupWizard:
        from btam_desktop.ui.setup_wizard import SetupWizard

        wizard = SetupWizard(kdf_params=self._kdf_params)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.vault_created.connect(lambda app, folder: self.show_main(app, folder))
        wizard.server_team_created.connect(
            lambda app, url: self.show_main(app, app.vault.folder, server_url=url)
        )
        wizard.sign_in_requested.connect(self._sign_in_from_setup)
        wizard.rejected.connect(lambda: self._setup_cancelled(back_to))
        self.wizard = wizard
        if self.start_window is not None:
            self.start_window.hide()
        wizard.show()
        return wizard

    def _sign_in_from_setup(self, url: str) -> None:
        """The setup assistant found a team already on that server: sign in to it instead."""
        self.wizard = None
        self.show_unlock(url)

    def _setup_cancelled(self, back_to: Location | None) -> None:
        self.wizard = None
        if back_to is not None and self.start_window is not None:
            self.start_window.show()
            return
        if back_to is not None:
            self.show_unlock(back_to)
            return
        if self.main_window is None:
            QTimer.singleShot(0, QCoreApplication.quit)

    # -- the main window -------------------------------------------------------------------

    def show_main(
        self,
        app: Btam,
        folder: Path,
        demo: bool = False,
        server_url: str | None = None,
        *,
        signed_in_at: Location | None = None,
    ) -> MainWindow:
        from btam_desktop.ui.main_window import MainWindow

        if server_url:
            from btam_desktop.services.team_server import server_url_without_secrets

            add_recent_server(server_url_without_secrets(server_url))
        elif not demo:
            add_recent_vault(folder)
        frame, self._frame = self._frame, None
        if frame is not None and signed_in_at is not None and self._frame_for == signed_in_at:
            window = frame
            window.sign_in(app)
        else:
            if frame is not None:
                frame.deleteLater()
            window = MainWindow(
                app,
                folder,
                demo=demo,
                keyring=self._keyring,
                kdf_params=self._kdf_params,
                server_url=server_url,
            )
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.main_window = window
        window.show()
        window.raise_()
        window.activateWindow()
        if self._offer_tour:
            from btam_desktop.ui.help import offer_tour

            offer_tour(window)
        self.wizard = None
        if self.start_window is not None:
            start, self.start_window = self.start_window, None
            start.set_content(None)
            start.close()
            start.deleteLater()
        return window

    def _build_frame(self, location: Location) -> None:
        """While Argon2id checks the password on a worker thread (it leaves the GUI thread
        free), build the main window's frame, so only its pages remain after the sign-in."""
        if self._frame is not None and self._frame_for == location:
            return  # a wrong password before: the frame waits for the next try
        from btam_desktop.ui.main_window import MainWindow

        if self._frame is not None:
            self._frame.deleteLater()
        self._frame = MainWindow(
            None,
            location if isinstance(location, Path) else Path(),
            keyring=self._keyring,
            kdf_params=self._kdf_params,
            server_url=location if isinstance(location, str) else None,
        )
        self._frame.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._frame_for = location

    def _start_window(self) -> StartWindow:
        if self.start_window is None:
            self.start_window = StartWindow()
            self.start_window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.start_window.destroyed.connect(self._start_window_gone)
        return self.start_window

    def _start_window_gone(self) -> None:
        self.start_window = None


# bench/bench_frozen_start.py sets this: print one line once the unlock screen is on screen
# (after the first paint), then quit. Nothing else changes; no vault is opened.
STARTUP_PROBE_ENV = "BTAM_STARTUP_PROBE"
STARTUP_PROBE_LINE = "btam-startup: unlock screen shown"


def _report_startup_if_probed(screen: UnlockScreen) -> None:
    if os.environ.get(STARTUP_PROBE_ENV) != "1":
        return

    def report() -> None:
        print(STARTUP_PROBE_LINE, file=sys.stderr, flush=True)
        QCoreApplication.exit(EXIT_OK)

    screen.first_painted.connect(report)


_warmed_up = False
_warm = threading.Event()  # set once everything the warm-up loads is loaded


def warm_up_done() -> bool:
    """True once the warm-up has loaded everything (for the benches and tests)."""
    return _warm.is_set()


def _warm_up_main_window(folder: Path | None = None) -> None:
    """Once the unlock screen shows its members, load what signing in needs while the person
    types, all on a background thread so typing never waits: the database libraries and what
    a first sign-in would read (``prepare_for_sign_in``), the report builders (reportlab),
    then the main window's modules. Importing a module builds no widget, so it is safe off
    the GUI thread; the window itself is built on the GUI thread. Once per process."""
    global _warmed_up
    if _warmed_up:
        return
    _warmed_up = True

    def load() -> None:
        from btam_desktop.services.app import prepare_for_sign_in  # SQLAlchemy, SQLCipher…

        prepare_for_sign_in(folder)
        import btam_desktop.reports  # reportlab
        import btam_desktop.ui.main_window  # noqa: F401

        _warm.set()

    threading.Thread(target=load, name="btam-warm-up", daemon=True).start()


def run_app(demo: bool = False, vault: Path | None = None, server: str | None = None) -> int:
    """Open the window and run until it is closed; returns the exit code."""
    qapp = create_application()
    from btam_desktop.logs import setup_logging
    from btam_desktop.ui.crash import install_crash_handlers

    try:
        log_folder: Path | None = setup_logging()
    except OSError:  # no log folder (a locked-down profile): run without a log
        log_folder = None
    install_crash_handlers(log_folder)
    logger.info("started, version %s", __version__)
    launcher = Launcher(qapp, offer_tour=True)
    launcher.start(demo=demo, vault=vault, server=server)
    code = qapp.exec()
    return launcher.exit_code if launcher.exit_code is not None else int(code)
