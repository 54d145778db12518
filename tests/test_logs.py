"""The private log and crash reports: nothing from a case reaches them (canaries), they are
private files, and hard crashes are written there by faulthandler."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from btam_desktop import logs
from btam_desktop.domain.enums import CaseSetting, PersonRole, Role
from btam_desktop.services.app import NewTeam, create_team_vault
from btam_desktop.services.cases import PersonInput
from btam_desktop.store.errors import ValidationError
from btam_desktop.ui.crash import qt_message_handler
from tests.services.conftest import CHEAP, intake
from tests.store._support import needles, regular_files, scan_file

CANARIES = {
    "team": "Canary Team Quokka",
    "name": "Philippa Canarywood",
    "narrative": "canary narrative about the zeppelin",
    "password": "canary-password-9731",
    "member": "canarymember",
}


@pytest.fixture
def log_folder(tmp_path: Path):
    folder = tmp_path / "logs"
    logs.setup_logging(folder)
    yield folder
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "btam-private-log"]:
        root.removeHandler(handler)
        handler.close()


def test_log_and_crash_report_hold_no_case_content(log_folder: Path, tmp_path: Path) -> None:
    app, _ = create_team_vault(
        tmp_path / "vault",
        NewTeam(
            team_name=CANARIES["team"],
            setting=CaseSetting.SCHOOL,
            scale_id="scale.four-level",
            username="coord",
            display_name=CANARIES["name"],
            password=CANARIES["password"],
        ),
        kdf_params=CHEAP,
    )
    try:
        case = app.cases.report_concern(
            intake(
                narrative=CANARIES["narrative"],
                subjects=[PersonInput(PersonRole.SUBJECT, full_name=CANARIES["name"])],
            )
        )
        assert case.id is not None
        app.cases.open_case(case.id)
        app.team.add_member(
            CANARIES["member"],
            CANARIES["name"],
            Role.MEMBER,
            CANARIES["password"],
            kdf_params=CHEAP,
        )
        # An error whose message quotes what a person typed, logged and reported as a crash.
        try:
            app.team.add_member(
                CANARIES["member"],
                CANARIES["name"],
                Role.MEMBER,
                CANARIES["password"],
                kdf_params=CHEAP,
            )
        except ValidationError as error:
            assert CANARIES["member"] in str(error)
            try:
                raise RuntimeError(f"while saving {CANARIES['narrative']}") from error
            except RuntimeError as chained:
                logging.getLogger("btam_desktop.test").exception("saving failed")
                path, details = logs.write_crash_report(
                    type(chained), chained, chained.__traceback__, log_folder, where="test"
                )
        else:
            pytest.fail("a duplicate member was accepted")
        qt_message_handler(
            __import__("PySide6.QtCore", fromlist=["QtMsgType"]).QtMsgType.QtWarningMsg,
            __import__("PySide6.QtCore", fromlist=["QMessageLogContext"]).QMessageLogContext(),
            f'QWidget: cannot find "{CANARIES["name"]}"',
        )
    finally:
        app.lock()
    for handler in logging.getLogger().handlers:
        handler.flush()

    assert path is not None and path.parent == log_folder
    # The report is useful: the error's kind and where it happened, with the cause.
    assert "builtins.RuntimeError" in details
    assert "btam_desktop.domain.errors.ValidationError" in details
    assert "tests/test_logs.py" in details or "test_logs.py" in details
    assert "btam_desktop/services/team.py" in details
    log_text = (log_folder / logs.LOG_NAME).read_text("utf-8")
    assert "saving failed" in log_text and "RuntimeError" in log_text
    assert "cannot find" in log_text

    wanted = needles(CANARIES)
    found = {str(p): scan_file(p, wanted) for p in regular_files(log_folder)}
    assert not any(found.values()), found
    assert str(Path.home()) not in details


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_log_folder_and_files_are_private_and_rotate(log_folder: Path) -> None:
    old = os.umask(0o022)
    try:
        logger = logging.getLogger("btam_desktop.test")
        for i in range(int(logs.LOG_BYTES / 60) + 200):
            logger.info("a line to make the log rotate %06d", i)
    finally:
        os.umask(old)
    assert stat.S_IMODE(log_folder.stat().st_mode) == 0o700
    files = sorted(p.name for p in log_folder.iterdir())
    assert logs.LOG_NAME + ".1" in files and logs.FAULTS_NAME in files
    for path in log_folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_the_log_keeps_its_size_and_its_number_of_older_files(tmp_path: Path) -> None:
    handler = logs.PrivateRotatingFileHandler(tmp_path / "btam.log", 2000, 2)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("btam_desktop.test.rotation")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for number in range(300):
            logger.warning("line %04d of the rotation test", number)
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["btam.log", "btam.log.1", "btam.log.2"]
    kept = [(tmp_path / name).read_text().splitlines() for name in ("btam.log.2", "btam.log.1")]
    newest = (tmp_path / "btam.log").read_text().splitlines()
    for path in tmp_path.iterdir():
        assert path.stat().st_size <= 2000, path.name
    assert newest[-1] == "line 0299 of the rotation test"
    # Nothing is lost between the files: the older ones end where the next begins.
    lines = kept[0] + kept[1] + newest
    first = int(lines[0].split()[1])
    assert lines == [f"line {n:04d} of the rotation test" for n in range(first, 300)]


def test_a_hard_crash_is_written_by_faulthandler(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    script = textwrap.dedent(
        f"""
        import faulthandler, sys
        from pathlib import Path
        from btam_desktop import logs
        logs.setup_logging(Path({str(folder)!r}))
        secret = {CANARIES["narrative"]!r}
        faulthandler._sigsegv()
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, timeout=60, check=False
    )
    assert done.returncode != 0
    text = (folder / logs.FAULTS_NAME).read_text("utf-8")
    assert "Fatal Python error" in text and "Segmentation fault" in text
    assert CANARIES["narrative"] not in text
