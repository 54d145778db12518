"""``btam backup`` and ``btam retention due``: exit codes, plain messages, paths printed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from btam_desktop import cli
from btam_desktop.store import crypto
from tests.test_cli import CHEAP, init

PW = "lead password 1\n"


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crypto, "tune_params", lambda *a, **k: CHEAP)


def run(monkeypatch: pytest.MonkeyPatch, capsys, args: list[str], stdin: str = ""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_backup_create_verify_list_restore(monkeypatch, capsys, tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    init(monkeypatch, capsys, vault)
    usb = tmp_path / "usb"
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "backup",
            "create",
            "--vault",
            str(vault),
            "--user",
            "lead",
            "--to",
            str(usb),
            "--password-stdin",
        ],
        PW,
    )
    assert code == 0, err
    path = Path(out.strip())
    assert path.parent == usb and path.suffix == ".btambackup" and path.is_file()
    assert "written and checked" in err

    code, out, err = run(
        monkeypatch,
        capsys,
        ["backup", "verify", str(path), "--user", "lead", "--password-stdin"],
        PW,
    )
    assert code == 0 and out.startswith("Backup intact: made"), (out, err)

    code, out, err = run(monkeypatch, capsys, ["backup", "list", "--vault", str(vault)])
    assert code == 0 and str(path) in out and "checked" in out and "0 cases" in out

    damaged = tmp_path / "damaged.btambackup"
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    damaged.write_bytes(bytes(data))
    code, out, err = run(
        monkeypatch,
        capsys,
        ["backup", "verify", str(damaged), "--user", "lead", "--password-stdin"],
        PW,
    )
    assert code == 1 and "cannot be used" in err and "Traceback" not in err

    target = tmp_path / "restored"
    code, out, err = run(
        monkeypatch,
        capsys,
        ["backup", "restore", str(path), "--to", str(target), "--user", "lead", "--password-stdin"],
        PW,
    )
    assert code == 0, err
    assert f"Restored into {target}" in out
    code, out, err = run(
        monkeypatch,
        capsys,
        ["audit", "verify", "--vault", str(target), "--user", "lead", "--password-stdin"],
        PW,
    )
    assert code == 0 and "intact" in out


def test_backup_create_without_a_folder_says_what_to_do(monkeypatch, capsys, tmp_path) -> None:
    vault = tmp_path / "vault"
    init(monkeypatch, capsys, vault)
    code, _out, err = run(
        monkeypatch,
        capsys,
        ["backup", "create", "--vault", str(vault), "--user", "lead", "--password-stdin"],
        PW,
    )
    assert code == 1 and "No backup folder is set" in err


def test_backup_list_with_no_backups(monkeypatch, capsys, tmp_path) -> None:
    vault = tmp_path / "vault"
    init(monkeypatch, capsys, vault)
    code, out, _err = run(monkeypatch, capsys, ["backup", "list", "--vault", str(vault)])
    assert code == 0 and "No backups of this vault were found" in out


def test_restore_names_and_removes_stale_slots(monkeypatch, capsys, tmp_path) -> None:
    vault = tmp_path / "vault"
    init(monkeypatch, capsys, vault)
    code, _, err = run(
        monkeypatch,
        capsys,
        [
            "users",
            "add",
            "--vault",
            str(vault),
            "--user",
            "lead",
            "--name",
            "sam",
            "--password-stdin",
        ],
        PW + "sam password 12\nsam password 12\n",
    )
    assert code == 0, err
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "backup",
            "create",
            "--vault",
            str(vault),
            "--user",
            "lead",
            "--to",
            str(tmp_path / "usb"),
            "--password-stdin",
        ],
        PW,
    )
    path = out.strip()
    code, _, err = run(
        monkeypatch,
        capsys,
        [
            "users",
            "remove",
            "--vault",
            str(vault),
            "--user",
            "lead",
            "--name",
            "sam",
            "--password-stdin",
        ],
        PW,
    )
    assert code == 0, err
    args = [
        "backup",
        "restore",
        path,
        "--user",
        "lead",
        "--current-vault",
        str(vault),
        "--password-stdin",
    ]
    code, out, err = run(monkeypatch, capsys, [*args, "--to", str(tmp_path / "r1")], PW)
    assert code == 0 and "no longer on the team: sam" in out
    code, out, err = run(
        monkeypatch, capsys, [*args, "--to", str(tmp_path / "r2"), "--remove-stale"], PW
    )
    assert code == 0 and "Removed the key slots of sam" in out
    code, out, _ = run(monkeypatch, capsys, ["users", "list", "--vault", str(tmp_path / "r2")])
    assert out.split() == ["lead"]


def test_retention_due(monkeypatch, capsys, tmp_path) -> None:
    vault = tmp_path / "vault"
    init(monkeypatch, capsys, vault)
    args = ["retention", "due", "--vault", str(vault), "--user", "lead", "--password-stdin"]
    code, out, err = run(monkeypatch, capsys, args, PW)
    assert code == 0 and "No retention rules are set" in out
    from btam_desktop.domain.workflow import MoveRequest, WorkflowAction
    from btam_desktop.services.app import unlock
    from btam_desktop.services.retention import rules_to_text
    from tests.services.conftest import intake

    app = unlock(vault, "lead", PW.strip())
    try:
        case = app.cases.report_concern(intake())
        app.cases.move(case.id, MoveRequest(WorkflowAction.START_SCREENING))
        app.cases.move(case.id, MoveRequest(WorkflowAction.SCREEN_OUT, "joke", "low", ("lead",)))
        settings = app.settings()
        settings.retention_rules = rules_to_text({("school", "closed_no_threat"): 0})
        app.save_settings(settings)
        app.cases.set_legal_hold(case.id, True, "records request")
        number = case.number
    finally:
        app.lock()
    code, out, err = run(monkeypatch, capsys, args, PW)
    assert code == 0, err
    assert number in out and "0 years after closure" in out
    assert "BLOCKED: Legal hold set by lead" in out and "records request" in out


def test_retention_due_is_for_coordinators(monkeypatch, capsys, tmp_path) -> None:
    vault = tmp_path / "vault"
    init(monkeypatch, capsys, vault)
    run(
        monkeypatch,
        capsys,
        [
            "users",
            "add",
            "--vault",
            str(vault),
            "--user",
            "lead",
            "--name",
            "sam",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        PW + "sam password 12\nsam password 12\n",
    )
    code, _out, err = run(
        monkeypatch,
        capsys,
        ["retention", "due", "--vault", str(vault), "--user", "sam", "--password-stdin"],
        "sam password 12\n",
    )
    assert code == 1 and "may not" in err
