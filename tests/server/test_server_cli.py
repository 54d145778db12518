"""``btam server init`` (least-privilege roles), and the vault commands with ``--server``."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import psycopg
import pytest

from btam_desktop.cli import main
from btam_desktop.store import crypto
from btam_desktop.store.server import roles
from tests.server.throwaway_postgres import ThrowawayPostgres
from tests.services.conftest import CHEAP

ROOT = Path(__file__).resolve().parents[2]
OWNER_PW = "owner role password 1"
APP_PW = "app role password 12"
COORD_PW = "coordinator pass 1"


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crypto, "tune_params", lambda *a, **k: CHEAP)


def run(monkeypatch: pytest.MonkeyPatch, capsys, args: list[str], stdin: str = ""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_server_init_then_the_team_works_as_a_role_that_cannot_change_the_schema(
    postgres: ThrowawayPostgres, server_db: str, monkeypatch, capsys
) -> None:
    suffix = secrets.token_hex(3)
    owner, app = f"owner_{suffix}", f"app_{suffix}"
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "server",
            "init",
            "--admin-url",
            postgres.url(),
            "--database",
            server_db,
            "--owner-role",
            owner,
            "--app-role",
            app,
            "--password-stdin",
        ],
        f"{OWNER_PW}\n{APP_PW}\n",
    )
    assert code == 0, err
    assert "are ready" in out
    url = postgres.url(server_db, user=app)
    code, out, err = run(
        monkeypatch,
        capsys,
        ["init", "--server", url, "--team", "T", "--user", "lead", "--password-stdin"],
        f"{COORD_PW}\n",
    )
    assert code == 0, err
    assert "Team set up on the team server" in out and "RECOVERY KEY" in out
    assert "without encryption" in err  # the local throwaway server is reached without TLS
    code, out, _ = run(monkeypatch, capsys, ["users", "list", "--server", url])
    assert (code, out.split()) == (0, ["lead"])
    code, out, err = run(
        monkeypatch,
        capsys,
        ["audit", "verify", "--server", url, "--user", "lead", "--password-stdin"],
        f"{COORD_PW}\n",
    )
    assert code == 0, err
    assert "intact" in out and "every event signed by its author" in out
    # main's trail and retention commands take --server too; backups are the server's own.
    signed_in = ["--server", url, "--user", "lead", "--password-stdin"]
    code, out, err = run(monkeypatch, capsys, ["audit", "head", *signed_in], f"{COORD_PW}\n")
    assert code == 0, err
    assert out.startswith("btam-head:") and "Vault key:" in out
    code, out, err = run(monkeypatch, capsys, ["audit", "show", *signed_in], f"{COORD_PW}\n")
    assert code == 0, err
    assert "times are UTC" in out and " lead " in out
    code, out, err = run(monkeypatch, capsys, ["retention", "due", *signed_in], f"{COORD_PW}\n")
    assert code == 0, err
    assert "No retention rules are set" in out
    code, _, err = run(monkeypatch, capsys, ["backup", "create", *signed_in], f"{COORD_PW}\n")
    assert code == 1 and "not on a team server" in err and "whoever runs the server" in err
    with psycopg.connect(url, autocommit=True) as conn:
        owner_of = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'case_file'")
        assert owner_of.fetchone() == (owner,)
        for statement in (
            "UPDATE audit_event SET summary = 'x'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event",
            "CREATE TABLE extra (id int)",
            "ALTER TABLE case_file ADD COLUMN extra text",
            "DROP TRIGGER audit_event_append_only ON audit_event",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)  # type: ignore[arg-type]
        # what the program needs, it has
        assert conn.execute("SELECT count(*) FROM audit_event").fetchone() is not None
    upgrade = ["server", "upgrade", "--admin-url", postgres.url(), "--database", server_db]
    upgrade += ["--owner-role", owner, "--app-role", app]
    code, out, err = run(monkeypatch, capsys, upgrade)
    assert code == 0, err
    assert "already up to date" in out


def test_server_init_refuses_short_role_passwords(
    postgres: ThrowawayPostgres, server_db: str, monkeypatch, capsys
) -> None:
    code, _, err = run(
        monkeypatch,
        capsys,
        [
            "server",
            "init",
            "--admin-url",
            postgres.url(),
            "--database",
            server_db,
            "--password-stdin",
        ],
        "short\nshort\n",
    )
    assert code == 1 and "16 characters" in err


def test_the_roles_script_in_docs_is_the_one_the_program_runs(monkeypatch, capsys) -> None:
    code, out, _ = run(monkeypatch, capsys, ["server", "roles-sql"])
    assert code == 0
    assert out == roles.roles_sql() + "\n"
    assert (ROOT / "docs" / "team-server-roles.sql").read_text(
        encoding="utf-8"
    ) == roles.roles_sql()


def test_vault_and_server_are_one_or_the_other(monkeypatch, capsys, tmp_path: Path) -> None:
    code, _, err = run(
        monkeypatch,
        capsys,
        ["users", "list", "--vault", str(tmp_path), "--server", "postgresql://x@localhost/y"],
    )
    assert code == 2 and "not allowed with" in err


def test_server_upgrade_brings_older_tables_to_this_version(
    postgres: ThrowawayPostgres, server_db: str, monkeypatch, capsys
) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from btam_desktop.store import migrate

    suffix = secrets.token_hex(3)
    owner, app = f"owner_{suffix}", f"app_{suffix}"
    roles.set_up_server(postgres.url(), server_db, OWNER_PW, APP_PW, owner=owner, app=app)
    engine = create_engine(postgres.url(server_db, user=owner).replace("://", "+psycopg://", 1))
    with engine.begin() as conn:
        command.downgrade(migrate._config(conn), "0009")  # as the tables were one version ago
    engine.dispose()
    upgrade = ["server", "upgrade", "--admin-url", postgres.url(), "--database", server_db]
    upgrade += ["--owner-role", owner, "--app-role", app]
    code, out, err = run(monkeypatch, capsys, upgrade)
    assert code == 0, err
    assert "upgraded (from revision 0009)" in out
    with psycopg.connect(postgres.url(server_db, user=app), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM server_keys").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM audit_event")


# ---- btam demo / print forms / backup with --server (issue 16, srvdata) -----------------------


def test_demo_fills_a_team_server_like_a_vault_and_the_server_sees_no_content(
    postgres: ThrowawayPostgres, server_db: str, monkeypatch, capsys, tmp_path: Path
) -> None:
    url = postgres.url(server_db)
    code, out, err = run(monkeypatch, capsys, ["demo", "--server", url, "--cases", "60"])
    assert code == 0, err
    assert "Demo team with 60 fictional cases" in out and "on the team server" in out
    server_total = int(out.split("with ")[1].split()[0])
    demo_vault = ["demo", "--vault", str(tmp_path / "demo"), "--cases", "60"]
    code, out, err = run(monkeypatch, capsys, demo_vault)
    assert code == 0, err
    assert f"Demo vault with {server_total} fictional cases" in out  # the same demo
    code, out, _ = run(monkeypatch, capsys, ["users", "list", "--server", url])
    assert (code, sorted(out.split())) == (0, ["casey", "demo", "morgan"])
    # Signed in, the demo's cases read as on a vault; the server holds them sealed.
    from btam_desktop.services.cases import CaseQuery
    from btam_desktop.services.team_server import unlock_server

    app = unlock_server(url, "morgan", "demo")
    try:
        rows = app.cases.find(CaseQuery(), 0, 500)
        weapon = next(r for r in rows if r.title == "Social media post showing a weapon")
        # The synthetic ones are sealed and blind-indexed too: whole-word search finds them.
        synthetic = [r for r in rows if r.title.startswith("Synthetic")]
        assert synthetic and app.cases.count(CaseQuery(text="synthetic")) == len(synthetic)
    finally:
        app.lock()
    pdf = tmp_path / "case.pdf"
    printing = ["print", "case", weapon.number, "--server", url, "--user", "demo"]
    printing += ["--out", str(pdf), "--password-stdin"]
    code, out, err = run(monkeypatch, capsys, printing, "demo\n")
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF")
    dump = postgres.dump(server_db)
    assert b"Social media post showing a weapon" not in dump
    assert b"Lee Reporter" not in dump


def test_demo_refuses_a_server_that_already_has_a_team(
    postgres: ThrowawayPostgres, server_db: str, monkeypatch, capsys
) -> None:
    url = postgres.url(server_db)
    code, _, err = run(
        monkeypatch,
        capsys,
        ["init", "--server", url, "--team", "T", "--user", "lead", "--password-stdin"],
        f"{COORD_PW}\n",
    )
    assert code == 0, err
    code, out, err = run(monkeypatch, capsys, ["demo", "--server", url])
    assert code != 0 and "Demo team" not in out
    assert err.startswith("btam: ") and "Traceback" not in err


def test_print_forms_takes_a_server_and_its_forms_kept_on_this_computer(
    postgres: ThrowawayPostgres, server_db: str, monkeypatch, capsys, tmp_path: Path
) -> None:
    url = postgres.url(server_db)
    code, _, err = run(
        monkeypatch,
        capsys,
        ["init", "--server", url, "--team", "T", "--user", "lead", "--password-stdin"],
        f"{COORD_PW}\n",
    )
    assert code == 0, err
    code, out, err = run(monkeypatch, capsys, ["print", "forms", "--out", str(tmp_path / "a")])
    assert code == 0, err
    built_in = len(list((tmp_path / "a").glob("*.pdf")))
    assert built_in > 0
    code, out, err = run(
        monkeypatch, capsys, ["print", "forms", "--server", url, "--out", str(tmp_path / "b")]
    )
    assert code == 0, err
    assert f"Wrote {built_in} blank checklists" in out
    assert len(list((tmp_path / "b").glob("*.pdf"))) == built_in


def test_backup_of_a_team_server_says_who_backs_it_up(
    postgres: ThrowawayPostgres, server_db: str, monkeypatch, capsys
) -> None:
    url = postgres.url(server_db)
    for command in (["backup", "create", "--user", "lead"], ["backup", "list"]):
        code, out, err = run(monkeypatch, capsys, [*command, "--server", url], f"{COORD_PW}\n")
        assert code != 0 and out == ""
        assert "works on a vault on this computer only, not on a team server" in err
        assert "whoever runs the server" in err and "btam server move --to-vault" in err
