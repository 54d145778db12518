"""The ``btam`` command line: exit codes, plain errors on stderr, no tracebacks."""

from __future__ import annotations

import io
import re
import subprocess
import sys
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


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_load_no_window_or_database_code(flag: str) -> None:
    """`btam --version` and `btam --help` answer at once: no Qt, no SQLAlchemy, no SQLCipher."""
    probe = (
        "import sys\n"
        "from btam_desktop.cli import main\n"
        f"code = main([{flag!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6', 'sqlalchemy', 'sqlmodel', 'sqlcipher3', 'alembic', 'reportlab', 'keyring'})\n"
        "print('HEAVY', heavy)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout


def test_print_case_releases_the_vault_before_the_layout(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """A long print from the command line holds the vault only for the reading it needs: while
    the pages are laid out, the window (here: another open) can unlock it."""
    from btam_desktop import reports
    from btam_desktop.services.app import unlock
    from btam_desktop.services.cases import CaseQuery

    code, _out, err = run(monkeypatch, capsys, ["demo", "--vault", str(tmp_path / "d")])
    assert code == 0, err
    app = unlock(tmp_path / "d", "demo", "demo")
    number = app.cases.find(CaseQuery())[0].number
    app.lock()
    opened_during_layout: list[bool] = []
    real_render = reports.render_case_summary

    def render(read, **kwargs):  # type: ignore[no-untyped-def]
        other = unlock(tmp_path / "d", "morgan", "demo")  # would be refused if still held
        opened_during_layout.append(other.vault.is_open)
        other.lock()
        return real_render(read, **kwargs)

    monkeypatch.setattr(reports, "render_case_summary", render)
    target = tmp_path / "summary.pdf"
    args = ["print", "case", number, "--vault", str(tmp_path / "d"), "--user", "demo"]
    code, _out, err = run(
        monkeypatch, capsys, [*args, "--out", str(target), "--password-stdin"], "demo\n"
    )
    assert code == 0, err
    assert opened_during_layout == [True]
    assert target.read_bytes().startswith(b"%PDF")
    check = unlock(tmp_path / "d", "demo", "demo")
    try:
        actions = [e.action for e in check.audit_events(limit=20)]
        assert "report.export" in actions
    finally:
        check.lock()


def test_an_unexpected_error_gives_a_content_free_report(tmp_path: Path, monkeypatch, capsys):
    secret = "Quentin Canarysmith at Lakeside"
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def broken(args, out):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"failed on {secret}")

    monkeypatch.setitem(cli.COMMANDS, "forms", broken)
    code, _out, err = run(monkeypatch, capsys, ["forms", "check", str(tmp_path)])
    assert code == 1
    assert "RuntimeError" in err and secret not in err and "Traceback" not in err
    reports = list((tmp_path / "state").rglob("crash-*.txt"))
    assert len(reports) == 1 and str(reports[0]) in err
    text = reports[0].read_text("utf-8")
    assert "builtins.RuntimeError" in text and "in broken" in text and secret not in text


# ---- issue 11: audit show, one password policy --------------------------------------------------
def test_audit_show_prints_filtered_events_with_labels(tmp_path: Path, monkeypatch, capsys):
    folder = str(tmp_path / "v")
    init(monkeypatch, capsys, tmp_path / "v")
    code, _out, _err = run(
        monkeypatch,
        capsys,
        ["audit", "verify", "--vault", folder, "--user", "lead", "--password-stdin"],
        "a wrong guess here\n",
    )
    assert code == 1
    base = ["audit", "show", "--vault", folder, "--user", "lead", "--password-stdin"]
    code, out, err = run(
        monkeypatch, capsys, [*base, "--kind", "failed_sign_in"], "lead password 1\n"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert "Failed sign-in (wrong user name or password)" in lines[0]
    assert "lead" in lines[0]
    assert lines[-1].startswith("1 event (failed sign-ins and wrong recovery keys)")
    assert "a wrong guess" not in out

    code, out, err = run(monkeypatch, capsys, [*base, "--since", "2999-01-01"], "lead password 1\n")
    assert code == 0 and out.splitlines() == ["0 events (from 2999-01-01); times are UTC."]

    code, out, err = run(monkeypatch, capsys, [*base, "--person", "lead"], "lead password 1\n")
    assert "Signed in" in out and "Vault created" in out and "Audit trail viewed" in out

    code, _out, err = run(monkeypatch, capsys, [*base, "--since", "yesterday"], "")
    assert code == 2 and "not a date" in err
    code, _out, err = run(monkeypatch, capsys, [*base, "--case", "1999-0001"], "lead password 1\n")
    assert code == 1 and "no case numbered" in err


def test_cli_refuses_the_passwords_add_member_refuses(tmp_path: Path, monkeypatch, capsys):
    code, _out, err = run(
        monkeypatch,
        capsys,
        [
            "init",
            "--vault",
            str(tmp_path / "w"),
            "--team",
            "T",
            "--user",
            "lead",
            "--password-stdin",
        ],
        "password123\n",
    )
    assert code == 1 and "too easy to guess" in err
    key = init(monkeypatch, capsys, tmp_path / "v")
    code, _out, err = run(
        monkeypatch,
        capsys,
        [
            "users",
            "passwd",
            "--vault",
            str(tmp_path / "v"),
            "--user",
            "lead",
            "--recovery",
            "--password-stdin",
        ],
        f"{key}\npassword123\n",
    )
    assert code == 1 and "too easy to guess" in err


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
