"""``btam --self-test`` run from source: every check passes, and a broken part is reported."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from btam_desktop import cli, selftest

PASSWORD = "self-test-password-that-must-never-be-printed"


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temporary folders of the self-test land here, so the test can see they are gone."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(selftest.secrets, "token_urlsafe", lambda _n: PASSWORD)
    return folder


@pytest.fixture(autouse=True)
def _application_look_restored(qapp: QApplication) -> Iterator[None]:
    """The self-test themes the test process's one QApplication (style, palette, style sheet)
    as the program does; the window tests after it expect the look they were written for."""
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


def test_self_test_passes_and_cleans_up(
    qapp: QApplication, scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--self-test"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("BTAM Desktop ") and "(source)" in lines[0]
    checks = [line for line in lines if line.startswith(("ok", "FAIL"))]
    assert [line.split(" (")[0].split(maxsplit=1)[1] for line in checks] == [
        "bundled files",
        "new encrypted vault",
        "record written",
        "vault reopened, record read back",
        "database encrypted on disk",
        "PDF built",
        "keyring backend",
        "window toolkit",
    ]
    assert all(line.startswith("ok") for line in checks)
    assert "SQLCipher 4." in out
    assert "keyring.backends.fail.Keyring" in out  # the test keyring, named
    assert "unlock screen drawn" in out
    assert lines[-1] == "Self-test passed."
    assert PASSWORD not in out
    assert list(scratch.iterdir()) == []  # the temporary vault is deleted


def test_a_broken_part_fails_with_its_name(
    qapp: QApplication,
    scratch: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import btam_desktop.reports as reports

    monkeypatch.setattr(reports, "export_case_summary", lambda *a, **k: b"not a pdf")
    assert cli.main(["--self-test"]) == cli.EXIT_ERROR
    out = capsys.readouterr().out
    assert "FAIL PDF built" in out
    assert "the case summary is not a PDF" in out
    assert "keyring backend" not in out  # it stops at the first failure
    assert out.splitlines()[-1].startswith("Self-test FAILED")
    assert list(scratch.iterdir()) == []


def test_a_readable_record_on_disk_is_caught(
    qapp: QApplication, scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = selftest.SelfTest(print, gui=False)
    folder = scratch / "vault"
    test._state["folder"] = folder
    folder.mkdir()
    (folder / "vault.db").write_bytes(b"\x01" * 32)
    (folder / "vault.db-wal").write_bytes(b"xx" + selftest.MARKER.encode())
    with pytest.raises(selftest.SelfTestFailure, match=r"readable in vault\.db-wal"):
        test.database_encrypted()
    (folder / "vault.db").write_bytes(selftest.SQLITE_PLAIN_HEADER + b"rest")
    with pytest.raises(selftest.SelfTestFailure, match="plain SQLite"):
        test.database_encrypted()


def test_licences_are_named_from_metadata_or_recognised_text() -> None:
    from btam_desktop import licences

    listed = {c.name: c for c in licences.gather()}
    assert listed["sqlcipher3"].licence == "Zlib"  # declares none; recognised from its text
    assert listed["SQLAlchemy"].licence == "MIT"
    assert "PySide6_Essentials" not in listed  # covered by the curated Qt for Python entry
    assert all(c.text.strip() for c in listed.values())
    assert licences._licence_from_text("nothing recognisable") == "see the text"


def test_the_frozen_program_reads_the_bundled_licence_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from btam_desktop import licences

    written = licences.write_bundle(
        tmp_path / licences.BUNDLE_FOLDER,
        [licences.Component("Example", "1.0", "MIT", "Permission is hereby granted")],
    )
    assert (written / licences.BUNDLE_TEXT).read_text("utf-8").count("Example 1.0") == 1
    monkeypatch.setattr(licences.sys, "_MEIPASS", str(tmp_path), raising=False)
    licences.components.cache_clear()
    try:
        assert [c.name for c in licences.components()] == ["Example"]
    finally:
        licences.components.cache_clear()
