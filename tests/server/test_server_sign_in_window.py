"""The window on a team server (issue 16), driven as a person would: ``btam --server URL`` opens
the server's sign-in screen, a wrong password and an unreachable server are said plainly, locking
shows the server's sign-in again, the setup assistant sets a team up on a server, and the
database password in an address never reaches the window title, the settings file or the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget, QWizard
from pytestqt.qtbot import QtBot

from btam_desktop import logs
from btam_desktop.domain.enums import CaseSetting, Role
from btam_desktop.services.app import Btam, NewTeam
from btam_desktop.services.team_server import create_team_server, unlock_server
from btam_desktop.ui import recent, tasks
from btam_desktop.ui.app import Launcher, StartWindow
from btam_desktop.ui.main_window import PAGE_CASES, PAGE_DASHBOARD, MainWindow
from btam_desktop.ui.setup_wizard import SetupWizard
from btam_desktop.ui.unlock import UnlockScreen
from tests.server.throwaway_postgres import ThrowawayPostgres, _free_port
from tests.services.conftest import CHEAP, MEMBER_PASSWORD, PASSWORD, intake

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

NO_KEYRING = (False, "No secure keyring on this test machine.")
WAIT_MS = 20_000
# The database role's password written into the address (the throwaway server trusts local
# connections, so it is accepted and ignored): it must never be shown or kept.
CANARY = "Db-Secret-Canary-7731"
SHOTS = Path("/tmp/shots/srvui")


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def _no_leftover_tasks(qapp: QApplication) -> Iterator[None]:
    yield
    tasks.cancel_all()
    tasks.wait_for_idle(10_000)


@pytest.fixture
def log_folder(tmp_path: Path) -> Iterator[Path]:
    """The program's private log, at debug level, in the test's folder."""
    folder = logs.setup_logging(tmp_path / "log", level=logging.DEBUG)
    yield folder
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "btam-private-log"]:
        root.removeHandler(handler)
        handler.close()


@pytest.fixture
def team_url(postgres: ThrowawayPostgres, server_db: str) -> str:
    """A team on the throwaway server (coordinator, a member, one case), signed out."""
    url = postgres.url(server_db)
    app, _ = create_team_server(
        url,
        NewTeam(
            "North High BTAM", CaseSetting.SCHOOL, "scale.four-level", "coord", "Cory", PASSWORD
        ),
        kdf_params=CHEAP,
    )
    app.team.add_member("member", "Mel Member", Role.MEMBER, MEMBER_PASSWORD, kdf_params=CHEAP)
    app.cases.report_concern(intake())
    app.lock()
    return url


def with_database_password(url: str) -> str:
    user, _, rest = url.partition("://")[2].partition("@")
    return f"postgresql://{user}:{CANARY}@{rest}"


def settle() -> None:
    tasks.wait_for_idle(WAIT_MS)
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def adopt(qtbot: QtBot, widget: QWidget) -> None:
    widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(widget)


def type_into(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def wait_loaded(qtbot: QtBot, screen: UnlockScreen) -> None:
    qtbot.waitUntil(lambda: not screen.is_busy(), timeout=WAIT_MS)


def sign_in(qtbot: QtBot, screen: UnlockScreen, username: str, password: str) -> None:
    wait_loaded(qtbot, screen)
    screen.select_user(username)
    assert screen.selected_user() == username
    type_into(qtbot, screen.password_edit, password)
    qtbot.keyClick(screen.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not screen.is_busy(), timeout=WAIT_MS)


def start_screen(qtbot: QtBot, launcher: Launcher) -> UnlockScreen:
    start = launcher.start_window
    assert isinstance(start, StartWindow)
    adopt(qtbot, start)
    screen = start.content()
    assert isinstance(screen, UnlockScreen)
    return screen


def files_holding(folder: Path, secret: str) -> list[Path]:
    return [
        path
        for path in folder.rglob("*")
        if path.is_file() and secret.encode() in path.read_bytes()
    ]


def test_signing_in_to_a_team_server_locking_and_signing_in_again(
    qtbot: QtBot, team_url: str, log_folder: Path, _isolated_qsettings: Path
) -> None:
    address = with_database_password(team_url)
    launcher = Launcher(kdf_params=CHEAP, keyring=NO_KEYRING)
    launcher.start(server=address)  # what `btam --server URL` does
    screen = start_screen(qtbot, launcher)
    assert screen.is_server()
    wait_loaded(qtbot, screen)
    assert screen.server_loaded()
    label = screen._folder_label.text()
    assert label.startswith("Team server: 127.0.0.1") and team_url.rsplit("/", 1)[1] in label
    assert CANARY not in label and CANARY not in screen._folder_label.toolTip()
    assert screen.server_warning.isVisibleTo(screen)  # reached without TLS: said on screen
    assert "without encryption in transit" in screen.server_warning.text()
    assert screen.user_combo_items() == ["coord", "member"]
    assert not screen.remember_box.isVisibleTo(screen)  # no key of a server kept here
    assert not screen.restore_button.isVisibleTo(screen)  # backups are the server's
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.window().grab().save(str(SHOTS / "server_sign_in.png"))

    # A wrong password: as for a vault.
    sign_in(qtbot, screen, "member", "not the password at all")
    assert "Wrong user name or password" in screen.message()
    assert screen.password_edit.text() == ""
    assert launcher.main_window is None

    # The right one: the dashboard.
    sign_in(qtbot, screen, "member", MEMBER_PASSWORD)
    qtbot.waitUntil(lambda: launcher.main_window is not None, timeout=WAIT_MS)
    window = launcher.main_window
    assert isinstance(window, MainWindow)
    adopt(qtbot, window)
    settle()
    assert window.app is not None and window.app.actor.username == "member"
    assert window.is_server()
    assert window.current_page() == PAGE_DASHBOARD
    assert "Team server: 127.0.0.1" in window._folder_label.text()

    # Locking shows the server's sign-in (not a vault's), and signing in returns to the page.
    window.show_page(PAGE_CASES)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert window.is_locked()
    locked = window.unlock_screen
    assert locked is not None and locked.is_server()
    wait_loaded(qtbot, locked)
    assert locked.user_combo_items() == ["coord", "member"]
    assert locked.selected_user() == "member"
    assert "North High BTAM is locked" in locked._heading.text()
    window.grab().save(str(SHOTS / "server_locked_window.png"))
    assert window._folder_label.text().startswith("Team server: 127.0.0.1/")
    sign_in(qtbot, locked, "member", MEMBER_PASSWORD)
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=WAIT_MS)
    settle()
    assert window.current_page() == PAGE_CASES

    # The idle lock too: the server's sign-in, saying why.
    window.inactivity.idle_timeout.emit()
    settle()
    idle = window.unlock_screen
    assert window.is_locked() and idle is not None and idle.is_server()
    wait_loaded(qtbot, idle)
    assert "nobody used it for a while" in idle.message()
    sign_in(qtbot, idle, "member", MEMBER_PASSWORD)
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=WAIT_MS)
    settle()
    assert window.current_page() == PAGE_CASES

    # The address is remembered without its password, and offered at the next start.
    shareable = recent.recent_servers()[0]
    assert CANARY not in shareable and shareable == team_url
    assert recent.last_location() == team_url
    assert recent.last_server_user(team_url) == "member"
    title = window.windowTitle()
    window.close()
    settle()
    assert CANARY not in title
    assert files_holding(_isolated_qsettings, CANARY) == []
    assert files_holding(log_folder, CANARY) == []
    assert any(log_folder.iterdir())  # the log was written, and holds no password

    again = Launcher(kdf_params=CHEAP, keyring=NO_KEYRING)
    again.start()
    next_screen = start_screen(qtbot, again)
    assert next_screen.is_server() and next_screen.server_url() == team_url
    wait_loaded(qtbot, next_screen)
    assert next_screen.selected_user() == "member"


def test_an_unreachable_server_is_said_plainly_and_the_screen_stays_usable(
    qtbot: QtBot, log_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = f"postgresql://btam_app:{CANARY}@127.0.0.1:{_free_port()}/btam"
    launcher = Launcher(kdf_params=CHEAP, keyring=NO_KEYRING)
    launcher.start(server=nowhere)
    screen = start_screen(qtbot, launcher)
    wait_loaded(qtbot, screen)
    message = screen.message()
    assert "cannot be reached" in message and "network" in message
    assert "ask whoever runs the server" in message
    assert "127.0.0.1/btam" in message and CANARY not in message
    assert screen._folder_label.text() == "Team server: 127.0.0.1/btam"
    assert not screen.recovery_button.isVisibleTo(screen)
    assert screen.retry_button.isVisibleTo(screen)
    assert not screen.unlock_button.isEnabled() and not screen.password_edit.isEnabled()
    assert screen.open_other_button.isEnabled() and screen.connect_server_button.isEnabled()
    screen.window().grab().save(str(SHOTS / "server_unreachable.png"))
    qtbot.mouseClick(screen.retry_button, Qt.MouseButton.LeftButton)  # still nothing there
    wait_loaded(qtbot, screen)
    assert "cannot be reached" in screen.message()
    assert launcher.main_window is None
    assert not any(record.exc_info for record in caplog.records)
    text = "".join(p.read_text(errors="replace") for p in log_folder.iterdir() if p.is_file())
    assert "Traceback" not in text and CANARY not in text


def test_another_team_server_can_be_chosen_from_the_sign_in_screen(
    qtbot: QtBot, team_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    nowhere = f"postgresql://btam_app@127.0.0.1:{_free_port()}/btam"
    launcher = Launcher(kdf_params=CHEAP, keyring=NO_KEYRING)
    launcher.start(server=nowhere)
    screen = start_screen(qtbot, launcher)
    wait_loaded(qtbot, screen)
    offered: list[str] = []

    def ask(_parent: QWidget | None, initial: str = "") -> str:
        offered.append(initial)
        return team_url

    monkeypatch.setattr("btam_desktop.ui.app.ask_server_address", ask)
    qtbot.mouseClick(screen.connect_server_button, Qt.MouseButton.LeftButton)
    settle()
    chosen = start_screen(qtbot, launcher)
    assert chosen is not screen and chosen.server_url() == team_url
    assert offered == [nowhere]  # the dialog starts from the address on screen
    wait_loaded(qtbot, chosen)
    assert chosen.user_combo_items() == ["coord", "member"]


def choose_team_server(qtbot: QtBot, wizard: SetupWizard, url: str) -> None:
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    qtbot.keyClicks(wizard.team_page.team_name, "East District BTAM")
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == SetupWizard.PAGE_FOLDER
    page = wizard.folder_page
    assert page.local_choice.isChecked()  # this computer only is the default
    assert not page.server_box.isVisibleTo(page)
    page.server_choice.setChecked(True)
    assert page.server_box.isVisibleTo(page)
    type_into(qtbot, page.server_url, url)


def test_setup_assistant_sets_a_team_up_on_a_team_server(
    qtbot: QtBot, postgres: ThrowawayPostgres, server_db: str, _isolated_qsettings: Path
) -> None:
    url = postgres.url(server_db)
    launcher = Launcher(kdf_params=CHEAP, keyring=NO_KEYRING)
    wizard = launcher.show_setup()
    adopt(qtbot, wizard)
    qtbot.waitExposed(wizard)
    choose_team_server(qtbot, wizard, with_database_password(url))
    page = wizard.folder_page
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_testing(), timeout=WAIT_MS)
    result = page.test_result.text()
    assert "Reached the team server 127.0.0.1/" in result and "without TLS" in result
    assert "No team uses this database yet" in result and CANARY not in result
    assert not page.sign_in_button.isVisibleTo(page)
    wizard.grab().save(str(SHOTS / "setup_store_choice.png"))
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentId() == SetupWizard.PAGE_COORDINATOR

    coordinator = wizard.coordinator_page
    create = wizard.button(QWizard.WizardButton.CommitButton)
    assert create.text().replace("&", "") == "Set up the team"
    qtbot.keyClicks(coordinator.username, "jrivera")
    qtbot.keyClicks(coordinator.full_name, "Jordan Rivera")
    qtbot.keyClicks(coordinator.password, "maple kettle orbit 42")
    qtbot.keyClicks(coordinator.confirm, "maple kettle orbit 42")
    qtbot.mouseClick(create, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == SetupWizard.PAGE_RECOVERY, timeout=WAIT_MS)
    assert wizard.location_text().startswith("Team server: 127.0.0.1/")
    recovery = wizard.recovery_page
    assert len(recovery.shown_key()) == 32
    recovery.acknowledge.setChecked(True)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: launcher.main_window is not None, timeout=WAIT_MS)
    window = launcher.main_window
    assert isinstance(window, MainWindow)
    adopt(qtbot, window)
    settle()
    assert window.is_server() and window.app is not None
    assert window.app.actor.username == "jrivera"
    assert "Team server: 127.0.0.1" in window._folder_label.text()
    assert recent.recent_servers() == [url]
    window.close()
    settle()
    assert files_holding(_isolated_qsettings, CANARY) == []
    # The team is really on the server: another computer signs in to it.
    elsewhere = unlock_server(url, "jrivera", "maple kettle orbit 42")
    try:
        assert elsewhere.settings().team_name == "East District BTAM"
    finally:
        elsewhere.lock()


def test_setup_assistant_offers_to_sign_in_where_a_team_already_is(
    qtbot: QtBot, team_url: str
) -> None:
    launcher = Launcher(kdf_params=CHEAP, keyring=NO_KEYRING)
    wizard = launcher.show_setup()
    adopt(qtbot, wizard)
    choose_team_server(qtbot, wizard, team_url)
    page = wizard.folder_page
    # Next tests the connection itself and stays on the page: a team is already there.
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_testing(), timeout=WAIT_MS)
    assert wizard.currentId() == SetupWizard.PAGE_FOLDER
    assert "already uses this database" in page.test_result.text()
    assert page.sign_in_button.isVisibleTo(page)
    wizard.grab().save(str(SHOTS / "setup_team_exists.png"))
    qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    settle()
    assert not wizard.isVisible()
    screen = start_screen(qtbot, launcher)
    assert screen.server_url() == team_url
    wait_loaded(qtbot, screen)
    assert screen.user_combo_items() == ["coord", "member"]


def test_an_unreachable_server_in_the_setup_assistant_is_said_plainly(qtbot: QtBot) -> None:
    wizard = SetupWizard(kdf_params=CHEAP)
    qtbot.addWidget(wizard)
    wizard.show()
    choose_team_server(qtbot, wizard, f"postgresql://btam_app@127.0.0.1:{_free_port()}/btam")
    page = wizard.folder_page
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_testing(), timeout=WAIT_MS)
    assert wizard.currentId() == SetupWizard.PAGE_FOLDER
    assert "cannot be reached" in page.test_result.text()
    assert page.test_button.isEnabled()


def test_btam_server_url_opens_the_window_on_that_server(monkeypatch: pytest.MonkeyPatch) -> None:
    from btam_desktop import cli

    opened: list[tuple[bool, object, object]] = []

    def run_app(demo: bool = False, vault: Path | None = None, server: str | None = None) -> int:
        opened.append((demo, vault, server))
        return 0

    monkeypatch.setattr("btam_desktop.ui.app.run_app", run_app)
    url = "postgresql://btam_app@db.example/btam?sslrootcert=ca.pem"
    assert cli.main(["--server", url]) == 0
    assert opened == [(False, None, url)]


def test_file_connect_to_a_team_server_from_a_vault_window_and_back(
    qtbot: QtBot, team_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from btam_desktop.services.app import create_team_vault

    vault = tmp_path / "vault"
    app, _ = create_team_vault(
        vault,
        NewTeam("Vault Team", CaseSetting.SCHOOL, "scale.four-level", "vcoord", "Val", PASSWORD),
        kdf_params=CHEAP,
    )
    window = MainWindow(app, vault, keyring=NO_KEYRING, kdf_params=CHEAP)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle()
    assert not window.is_server()
    assert window.connect_server_action in window.menuBar().actions()[0].menu().actions()
    monkeypatch.setattr(
        "btam_desktop.ui.main_window.ask_server_address",
        lambda _parent: with_database_password(team_url),
    )
    window.connect_server_action.trigger()
    settle()
    assert window.is_locked()
    screen = window.unlock_screen
    assert screen is not None and screen.is_server()
    sign_in(qtbot, screen, "coord", PASSWORD)
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=WAIT_MS)
    settle()
    assert window.is_server() and window.app is not None
    assert window.app.settings().team_name == "North High BTAM"
    assert CANARY not in window.windowTitle()

    # The recent menu offers both; the vault is one click away (its own sign-in screen).
    window._fill_recent_menu()
    entries = [a.text() for a in window.recent_menu.actions() if a.text()]
    assert team_url in entries and str(vault.resolve()) in entries
    assert all(CANARY not in entry for entry in entries)
    assert window.switch_vault(vault)
    settle()
    back = window.unlock_screen
    assert back is not None and not back.is_server() and back.folder() == vault.resolve()
    assert not window.is_server()
    sign_in(qtbot, back, "vcoord", PASSWORD)
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=WAIT_MS)
    settle()
    assert window.app is not None and window.app.settings().team_name == "Vault Team"
    window.lock("quit", save_drafts=False)


def test_server_addresses_lose_their_password_before_they_are_shown_or_kept() -> None:
    from btam_desktop.services.team_server import server_url_without_secrets

    assert (
        server_url_without_secrets(
            f"postgresql://btam_app:{CANARY}@db.example:5433/btam?sslrootcert=ca.pem"
            f"&password={CANARY}"
        )
        == "postgresql://btam_app@db.example:5433/btam?sslrootcert=ca.pem"
    )
    kept = server_url_without_secrets(f"host=db.example user=btam_app password={CANARY} dbname=b")
    assert CANARY not in kept and "host=db.example" in kept and "dbname=b" in kept
    assert server_url_without_secrets("postgresql://db.example/btam") == (
        "postgresql://db.example/btam"
    )


def test_a_refused_database_password_is_told_apart_from_an_unreachable_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import psycopg

    from btam_desktop.store.server import connection

    def refuse(_conninfo: str) -> None:
        raise psycopg.OperationalError('FATAL:  password authentication failed for user "x"')

    monkeypatch.setattr(psycopg, "connect", refuse)
    address = connection.parse_server_url(f"postgresql://btam_app:{CANARY}@127.0.0.1/btam")
    with pytest.raises(connection.ServerSignInRefusedError) as refused:
        connection.connect(address)
    assert "not your own password" in str(refused.value) and CANARY not in str(refused.value)
    assert refused.value.where == "127.0.0.1/btam"


def test_new_team_on_a_server_from_the_window_s_file_menu(
    qtbot: QtBot, postgres: ThrowawayPostgres, server_db: str, tmp_path: Path
) -> None:
    from btam_desktop.services.app import create_team_vault

    vault = tmp_path / "vault"
    app, _ = create_team_vault(
        vault,
        NewTeam("Vault Team", CaseSetting.SCHOOL, "scale.four-level", "vcoord", "Val", PASSWORD),
        kdf_params=CHEAP,
    )
    window = MainWindow(app, vault, keyring=NO_KEYRING, kdf_params=CHEAP)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle()
    wizard = window.new_vault()
    assert isinstance(wizard, SetupWizard)
    url = postgres.url(server_db)
    choose_team_server(qtbot, wizard, url)
    page = wizard.folder_page
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == SetupWizard.PAGE_COORDINATOR, timeout=WAIT_MS)
    assert "No team uses this database yet" in page.test_result.text()
    coordinator = wizard.coordinator_page
    qtbot.keyClicks(coordinator.username, "srvcoord")
    qtbot.keyClicks(coordinator.full_name, "Sam Server")
    qtbot.keyClicks(coordinator.password, "maple kettle orbit 42")
    qtbot.keyClicks(coordinator.confirm, "maple kettle orbit 42")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == SetupWizard.PAGE_RECOVERY, timeout=WAIT_MS)
    wizard.recovery_page.acknowledge.setChecked(True)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    settle()
    assert not window.is_locked() and window.is_server()
    assert window.app is not None and window.app.actor.username == "srvcoord"
    window.lock()
    settle()
    screen = window.unlock_screen
    assert screen is not None and screen.is_server() and screen.server_url() == url
    wait_loaded(qtbot, screen)
    assert screen.user_combo_items() == ["srvcoord"]


def test_the_recovery_key_sets_a_new_password_from_the_server_sign_in(
    qtbot: QtBot, postgres: ThrowawayPostgres, server_db: str
) -> None:
    from btam_desktop.ui.unlock import RecoveryDialog

    url = postgres.url(server_db)
    app, key = create_team_server(
        url,
        NewTeam("Team", CaseSetting.SCHOOL, "scale.four-level", "coord", "Cory", PASSWORD),
        kdf_params=CHEAP,
    )
    app.lock()
    screen = UnlockScreen(url, keyring=NO_KEYRING)
    qtbot.addWidget(screen)
    screen.show()
    wait_loaded(qtbot, screen)
    qtbot.mouseClick(screen.recovery_button, Qt.MouseButton.LeftButton)
    dialog = screen.findChild(RecoveryDialog)
    assert isinstance(dialog, RecoveryDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.key_edit, key)
    qtbot.keyClicks(dialog.password_edit, "second pass 456")
    qtbot.keyClicks(dialog.confirm_edit, "second pass 456")
    with qtbot.waitSignal(dialog.password_reset, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    settle()
    assert "password was changed" in screen.message()
    unlocked: list[Btam] = []
    screen.unlocked.connect(unlocked.append)
    sign_in(qtbot, screen, "coord", "second pass 456")
    assert len(unlocked) == 1
    assert str(getattr(unlocked[0].vault, "where", "")).startswith("127.0.0.1/")
    unlocked[0].lock()
