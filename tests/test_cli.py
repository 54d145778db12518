"""The ``btam`` command line: exit codes, plain errors on stderr, no tracebacks."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from btam_desktop import cli
from btam_desktop.store import crypto

CHEAP = crypto.KdfParams(time_cost=1, memory_kib=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crypto, "tune_params", lambda *a, **k: CHEAP)


def run(monkeypatch: pytest.MonkeyPatch, capsys, args: list[str], stdin: str = ""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def init(monkeypatch, capsys, folder: Path) -> str:
    code, out, err = run(
        monkeypatch,
        capsys,
        ["init", "--vault", str(folder), "--team", "T", "--user", "lead", "--password-stdin"],
        "lead password 1\n",
    )
    assert code == 0, err
    match = re.search(r"([0-9A-Z]{4}(?:-[0-9A-Z]{4}){7})", out)
    assert match, out
    return match.group(1)


def test_init_prints_the_recovery_key_once(tmp_path: Path, monkeypatch, capsys) -> None:
    key = init(monkeypatch, capsys, tmp_path / "v")
    assert len(key.replace("-", "")) == 32
    assert key not in (tmp_path / "v" / "vault.keys").read_text()


def test_wrong_password_is_exit_1_with_a_plain_message(tmp_path: Path, monkeypatch, capsys):
    init(monkeypatch, capsys, tmp_path / "v")
    code, _out, err = run(
        monkeypatch,
        capsys,
        ["audit", "verify", "--vault", str(tmp_path / "v"), "--user", "lead", "--password-stdin"],
        "not the password\n",
    )
    assert code == 1
    assert "Wrong user name or password" in err
    assert "Traceback" not in err and "not the password" not in err


def test_wrong_usage_is_exit_2(monkeypatch, capsys) -> None:
    code, _out, err = run(monkeypatch, capsys, ["audit", "verify"])
    assert code == 2 and "required" in err


def test_users_add_remove_and_audit_verify(tmp_path: Path, monkeypatch, capsys) -> None:
    folder = str(tmp_path / "v")
    init(monkeypatch, capsys, tmp_path / "v")
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "users",
            "add",
            "--vault",
            folder,
            "--user",
            "lead",
            "--name",
            "sam",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "lead password 1\nsam password 12\n",
    )
    assert code == 0, err
    code, out, _ = run(monkeypatch, capsys, ["users", "list", "--vault", folder])
    assert out.split() == ["lead", "sam"]
    code, out, err = run(
        monkeypatch,
        capsys,
        ["users", "add", "--vault", folder, "--user", "sam", "--name", "x", "--password-stdin"],
        "sam password 12\nx password 123\n",
    )
    assert code == 1 and "viewer" in err and "may not" in err
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "users",
            "remove",
            "--vault",
            folder,
            "--user",
            "lead",
            "--name",
            "sam",
            "--password-stdin",
        ],
        "lead password 1\n",
    )
    assert code == 0, err
    code, out, err = run(
        monkeypatch,
        capsys,
        ["audit", "verify", "--vault", folder, "--user", "lead", "--password-stdin"],
        "lead password 1\n",
    )
    assert code == 0, err
    assert "intact" in out and "Head hash" in out


def test_passwd_with_recovery_key(tmp_path: Path, monkeypatch, capsys) -> None:
    folder = str(tmp_path / "v")
    key = init(monkeypatch, capsys, tmp_path / "v")
    code, _out, err = run(
        monkeypatch,
        capsys,
        ["users", "passwd", "--vault", folder, "--user", "lead", "--recovery", "--password-stdin"],
        f"{key}\nnew lead password\n",
    )
    assert code == 0, err
    code, _out, err = run(
        monkeypatch,
        capsys,
        ["audit", "verify", "--vault", folder, "--user", "lead", "--password-stdin"],
        "new lead password\n",
    )
    assert code == 0, err


def test_opening_a_folder_that_is_not_a_vault(tmp_path: Path, monkeypatch, capsys) -> None:
    code, _out, err = run(
        monkeypatch,
        capsys,
        ["audit", "verify", "--vault", str(tmp_path), "--user", "x", "--password-stdin"],
        "whatever\n",
    )
    assert code == 1 and "There is no BTAM vault" in err


def test_demo_vault_has_cases_in_every_stage(tmp_path: Path, monkeypatch, capsys) -> None:
    code, _out, err = run(monkeypatch, capsys, ["demo", "--vault", str(tmp_path / "d")])
    assert code == 0, err
    from btam_desktop.domain.enums import CaseStatus
    from btam_desktop.services.app import unlock

    app = unlock(tmp_path / "d", "demo", "demo")
    try:
        assert set(app.cases.counts_by_status()) == set(CaseStatus)
        assert app.verify_audit().ok
    finally:
        app.lock()


def test_print_forms_and_case(tmp_path: Path, monkeypatch, capsys) -> None:
    import pypdfium2

    from btam_desktop.domain.forms import FormRegistry

    out_dir = tmp_path / "blank"
    code, out, err = run(monkeypatch, capsys, ["print", "forms", "--out", str(out_dir)])
    assert code == 0, err
    assert len(list(out_dir.glob("*.pdf"))) == len(FormRegistry.load(None).forms())
    assert "not encrypted" in out
    code, out, err = run(monkeypatch, capsys, ["demo", "--vault", str(tmp_path / "d")])
    assert code == 0, err
    from btam_desktop.services.app import unlock
    from btam_desktop.services.cases import CaseQuery

    app = unlock(tmp_path / "d", "demo", "demo")
    number = app.cases.find(CaseQuery())[0].number
    app.lock()
    target = tmp_path / "summary.pdf"
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "print",
            "case",
            number,
            "--vault",
            str(tmp_path / "d"),
            "--user",
            "demo",
            "--out",
            str(target),
            "--password-stdin",
        ],
        "demo\n",
    )
    assert code == 0, err
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(target))
    assert number in text
    code, _out, err = run(
        monkeypatch,
        capsys,
        [
            "print",
            "case",
            "1999-9999",
            "--vault",
            str(tmp_path / "d"),
            "--user",
            "demo",
            "--out",
            str(target),
            "--password-stdin",
        ],
        "demo\n",
    )
    assert code == 1 and "Case 1999-9999 was not found" in err


def test_print_case_names_unprintable_fields_first_and_prints_abridged(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    from btam_desktop.domain.enums import NoteCategory, PersonRole
    from btam_desktop.services.app import unlock
    from btam_desktop.services.cases import CaseQuery, PersonInput
    from tests.reports.conftest import pdf_page_sizes, pdftotext

    code, _out, err = run(monkeypatch, capsys, ["demo", "--vault", str(tmp_path / "d")])
    assert code == 0, err
    app = unlock(tmp_path / "d", "demo", "demo")
    case_id = app.cases.find(CaseQuery(text="former friend"))[0].id
    number = app.cases.get(case_id).number
    app.records.add_person(case_id, PersonInput(PersonRole.WITNESS, full_name="Ann \ue000 Lee"))
    app.records.add_note(case_id, NoteCategory.OTHER, "A long account. " * 20_000)
    app.lock()
    args = ["print", "case", number, "--vault", str(tmp_path / "d"), "--user", "demo"]
    full, short = tmp_path / "full.pdf", tmp_path / "short.pdf"
    code, _out, err = run(
        monkeypatch, capsys, [*args, "--out", str(full), "--password-stdin"], "demo\n"
    )
    assert code == 0, err
    assert "cannot be printed" in err and "U+E000" in err and "witness" in err
    assert "Ann" not in err  # the field is named, its content is not printed to the terminal
    assert "محمد بن علي الحسن" in pdftotext(full.read_bytes())  # the multi-script names print
    code, _out, err = run(
        monkeypatch,
        capsys,
        [*args, "--out", str(short), "--abridged", "--password-stdin"],
        "demo\n",
    )
    assert code == 0, err
    assert "Abridged:" in pdftotext(short.read_bytes())
    assert len(pdf_page_sizes(short.read_bytes())) < len(pdf_page_sizes(full.read_bytes()))
