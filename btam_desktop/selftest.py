"""``btam --self-test``: proves an installed copy of the program works on this computer.

Made for the installed (frozen) program, where nobody can run the test suite: a person or an
installer script runs ``btam --self-test`` and reads one line per check. Everything happens in
a temporary folder that is deleted afterwards; the password is random and never printed; the
record written is fictional. Nothing touches the network, the person's vaults or the keyring
(the keyring backend is only named).

Checks, in order: the bundled files (forms, migrations, report fonts, help, licences), a new
encrypted vault, a record written, the vault locked and reopened with the password and the
record read back, the database file not readable as plain SQLite, a PDF built from that record
and parsed again, the keyring backend, and the window toolkit (the Qt platform plugin, the SVG
icon renderer and the unlock screen drawn once).
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from btam_desktop import APP_NAME, __version__

# Key derivation for the throwaway vault: the real Argon2id code, but cheap, because this vault
# only lives for a second and the person waits for it.
SELF_TEST_KDF = {"time_cost": 1, "memory_kib": 16 * 1024, "parallelism": 1}
SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"
MARKER = "Self-test record: fictional, written and read back by btam --self-test."


class SelfTestFailure(Exception):
    """One check found a problem; the message says which."""


@dataclass
class SelfTest:
    """Runs the checks in order and prints one line per check."""

    out: Callable[[str], None]
    gui: bool = True
    results: list[tuple[str, bool, str]] = field(default_factory=list)
    _state: dict[str, Any] = field(default_factory=dict)

    def run(self) -> bool:
        self.out(f"{APP_NAME} {__version__} self-test ({'frozen' if is_frozen() else 'source'})")
        with tempfile.TemporaryDirectory(prefix="btam-self-test-") as scratch:
            self._state["folder"] = Path(scratch) / "vault"
            steps: list[tuple[str, Callable[[], str]]] = [
                ("bundled files", self.bundled_files),
                ("new encrypted vault", self.create_vault),
                ("record written", self.write_record),
                ("vault reopened, record read back", self.reopen_and_read),
                ("database encrypted on disk", self.database_encrypted),
                ("PDF built", self.build_pdf),
                ("keyring backend", self.keyring_backend),
            ]
            if self.gui:
                steps.append(("window toolkit", self.window_toolkit))
            try:
                for name, step in steps:
                    if not self._check(name, step):
                        break
            finally:
                app = self._state.pop("app", None)
                if app is not None and app.vault.is_open:
                    app.lock()
        ok = len(self.results) == len(steps) and all(passed for _n, passed, _d in self.results)
        self.out("Self-test passed." if ok else "Self-test FAILED (see the line marked FAIL).")
        return ok

    def _check(self, name: str, step: Callable[[], str]) -> bool:
        start = time.perf_counter()
        try:
            detail, passed = step(), True
        except Exception as error:  # each failure is reported in words, never a traceback
            detail, passed = f"{type(error).__name__}: {error}", False
        elapsed = time.perf_counter() - start
        self.results.append((name, passed, detail))
        self.out(f"{'ok  ' if passed else 'FAIL'} {name} ({elapsed:.2f} s): {detail}")
        return passed

    # -- the checks ----------------------------------------------------------------------

    def bundled_files(self) -> str:
        from btam_desktop.domain.forms.registry import FormRegistry
        from btam_desktop.licences import components
        from btam_desktop.reports.fonts import fonts_dir, register_fonts
        from btam_desktop.store import migrate

        registry = FormRegistry.load(None)
        if registry.problems:
            raise SelfTestFailure(f"a built-in form is invalid: {registry.problems[0]}")
        forms = len(registry.forms())
        revisions = len(migrate.known_revisions())
        if not revisions:
            raise SelfTestFailure(f"no database migrations found in {migrate.MIGRATIONS_DIR}")
        try:
            register_fonts()  # every face the reports use, read and registered
        except (OSError, ValueError) as exc:
            raise SelfTestFailure(
                f"report fonts cannot be loaded from {fonts_dir()}: {exc}"
            ) from exc
        listed = components()
        without_text = [c.name for c in listed if not c.text.strip()]
        if without_text:
            raise SelfTestFailure(f"licence text missing for: {', '.join(without_text)}")
        return (
            f"{forms} forms, {revisions} migrations, report fonts, "
            f"{len(listed)} components with licence texts"
        )

    def create_vault(self) -> str:
        from btam_desktop.domain.enums import CaseSetting
        from btam_desktop.services.app import NewTeam, create_team_vault
        from btam_desktop.store.crypto import KdfParams

        password = secrets.token_urlsafe(24)
        self._state["password"] = password
        app, _recovery = create_team_vault(
            self._state["folder"],
            NewTeam(
                team_name="Self-test team",
                setting=CaseSetting.SCHOOL,
                scale_id="scale.four-level",
                username="selftest",
                display_name="Self-test",
                password=password,
            ),
            kdf_params=KdfParams(**SELF_TEST_KDF),
        )
        self._state["app"] = app
        rows = app.vault.execute_raw("PRAGMA cipher_version")
        version = str(rows[0][0]) if rows and rows[0][0] else ""
        if not version:
            raise SelfTestFailure("the database engine is not SQLCipher (no cipher version)")
        return f"SQLCipher {version} in a temporary folder"

    def write_record(self) -> str:
        from btam_desktop.domain.enums import CaseSetting, ReportChannel
        from btam_desktop.domain.types import utcnow
        from btam_desktop.services.cases import IntakeInput

        app = self._state["app"]
        case = app.cases.report_concern(
            IntakeInput(
                received_at=utcnow() - timedelta(minutes=1),
                channel=ReportChannel.IN_PERSON,
                narrative=MARKER,
                setting=CaseSetting.SCHOOL,
                title="Self-test",
            )
        )
        self._state["case_id"] = case.id
        self._state["number"] = case.number
        return f"case {case.number}"

    def reopen_and_read(self) -> str:
        from btam_desktop.services.app import unlock

        self._state.pop("app").lock()
        app = unlock(self._state["folder"], "selftest", self._state["password"])
        self._state["app"] = app
        case = app.cases.by_number(self._state["number"])
        assert case.id is not None
        narratives = [report.narrative for report in app.records.reports(case.id)]
        if narratives != [MARKER]:
            raise SelfTestFailure("the record read back differs from the one written")
        report = app.verify_audit()
        if not report.ok:
            raise SelfTestFailure(f"audit trail: {report.describe()}")
        return f"case {case.number} matches; audit trail intact ({report.events} events)"

    def database_encrypted(self) -> str:
        folder: Path = self._state["folder"]
        if (folder / "vault.db").read_bytes()[:16] == SQLITE_PLAIN_HEADER:
            raise SelfTestFailure("vault.db is a plain SQLite file")
        files = [p for p in folder.rglob("*") if p.is_file()]
        readable = [p.name for p in files if MARKER.encode() in p.read_bytes()]
        if readable:
            raise SelfTestFailure(f"the record's text is readable in {', '.join(readable)}")
        return f"no SQLite header; the record's text is in none of the {len(files)} vault files"

    def build_pdf(self) -> str:
        import pypdfium2

        from btam_desktop.reports import export_case_summary

        pdf = export_case_summary(self._state["app"], self._state["case_id"], paper="letter")
        if not pdf.startswith(b"%PDF"):
            raise SelfTestFailure("the case summary is not a PDF")
        document = pypdfium2.PdfDocument(pdf)
        try:
            pages = len(document)
            text = document[0].get_textpage().get_text_range()
        finally:
            document.close()
        if self._state["number"] not in text:
            raise SelfTestFailure("the PDF does not show the case number")
        return f"case summary, {pages} page(s), {len(pdf) // 1024} KB, kept in memory only"

    def keyring_backend(self) -> str:
        import keyring

        from btam_desktop.store.remember import keyring_status

        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        available, _reason = keyring_status()
        usable = "usable for Remember me" if available else "Remember me is switched off"
        return f"{name} ({usable})"

    def window_toolkit(self) -> str:
        from PySide6.QtCore import QCollator, QCoreApplication, QLocale
        from PySide6.QtGui import QGuiApplication, QImage, QPainter
        from PySide6.QtSvg import QSvgRenderer
        from PySide6.QtWidgets import QApplication

        from btam_desktop.ui.app import create_application
        from btam_desktop.ui.resources import resource_path
        from btam_desktop.ui.unlock import UnlockScreen

        qapp = create_application()
        platform = QGuiApplication.platformName()
        renderer = QSvgRenderer(str(resource_path("app", "btam.svg")))
        if not renderer.isValid():
            raise SelfTestFailure("the SVG icon renderer could not read the application icon")
        image = QImage(64, 64, QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        if image.pixelColor(32, 32).alpha() == 0:
            raise SelfTestFailure("the application icon rendered empty")
        screen = UnlockScreen(self._state["folder"], keyring=(False, "self-test"))
        screen.show()
        deadline = time.monotonic() + 20
        while not screen.members_ready() and time.monotonic() < deadline:
            QCoreApplication.processEvents()  # the members are checked by a background task
            time.sleep(0.01)
        if "selftest" not in screen.user_combo_items():
            raise SelfTestFailure("the unlock screen could not list the vault's members")
        shot = screen.grab()
        screen.close()
        screen.deleteLater()
        QCoreApplication.processEvents()
        if shot.isNull() or shot.width() < 100:
            raise SelfTestFailure("the unlock screen could not be drawn")
        assert isinstance(qapp, QApplication)
        # Sorting by language (Qt asks ICU): Swedish puts "ö" after "z", German does not.
        swedish = QCollator(QLocale("sv_SE"))
        german = QCollator(QLocale("de_DE"))
        if not (swedish.compare("öl", "zebra") > 0 and german.compare("öl", "zebra") < 0):
            raise SelfTestFailure("sorting by language does not work (ICU collation data)")
        return (
            f"Qt {qt_version()} on the {platform!r} platform; unlock screen drawn; "
            "sorting by language works"
        )


def qt_version() -> str:
    from PySide6.QtCore import qVersion

    return str(qVersion())


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def run_self_test(out: Callable[[str], None], *, gui: bool | None = None) -> bool:
    """True when every check passed. Without a display the window check runs offscreen."""
    if gui is None:
        gui = True
    if gui and sys.platform.startswith("linux"):
        has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if not has_display and not os.environ.get("QT_QPA_PLATFORM"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return SelfTest(out, gui=gui).run()
