"""Schema migrations: a vault at an older revision is copied aside, then upgraded; a vault from a
newer major version is refused and left untouched; a newer minor revision opens as it is.

Two kinds of upgrade are tested with the real Alembic machinery: a vault taken back to the first
revision (0001) and opened by this program, and a vault at today's head opened by a program
that has one more revision (written into a copy of the migrations folder for the test).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlmodel import select

from btam_desktop.domain.models import Case, VaultInfo
from btam_desktop.store import migrate
from btam_desktop.store.errors import VaultDamagedError, VaultTooNewError
from btam_desktop.store.keyfile_names import DB_NAME, KEYS_NAME
from btam_desktop.store.vault import Vault
from tests.store._support import ALICE, ALICE_PW, raw_connection

NEXT_REVISION = '''"""test-only revision after today's head"""

import sqlalchemy as sa
from alembic import op

revision = "t_next"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("test_extra", sa.Column("id", sa.Integer(), primary_key=True))
    with op.batch_alter_table("case_file") as batch_op:
        batch_op.add_column(sa.Column("test_flag", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_file") as batch_op:
        batch_op.drop_column("test_flag")
    op.drop_table("test_extra")
'''


def folder_fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "vault.lock"
    }


def add_case(vault: Vault) -> None:
    with vault.write() as session:
        session.add(
            Case(
                number="2026-0001",
                year=2026,
                sequence=1,
                title="Before the upgrade",
                setting="school",
                status="intake",
                level_scale="x",
            )
        )


def test_revisions_form_one_line_from_0001() -> None:
    known = migrate.known_revisions()
    assert "0001" in known and migrate.head_revision() in known
    script = ScriptDirectory.from_config(migrate._config())
    chain = [r.revision for r in script.walk_revisions("base", "heads")]
    assert chain[-1] == "0001" and chain[0] == migrate.head_revision()
    assert len(chain) == len(known)  # no branches


def test_new_vault_is_at_head(new_vault) -> None:
    assert migrate.current_revision(new_vault.vault.engine) == migrate.head_revision()
    with new_vault.vault.read() as session:
        major = session.get(VaultInfo, "schema_major")
        vault_id = session.get(VaultInfo, "vault_id")
    assert major is not None and major.value == str(migrate.SCHEMA_MAJOR)
    assert vault_id is not None and vault_id.value == new_vault.vault.vault_id
    assert not any(new_vault.vault.backup_dir.iterdir())


def check_upgraded_with_backup(made, data_key: bytes, old: str, new: str, track) -> None:
    """Open the vault: it is copied aside at revision ``old``, then upgraded to ``new``."""
    vault = track(Vault.open(made.folder, ALICE, ALICE_PW))
    assert migrate.current_revision(vault.engine) == new
    with vault.read() as session:
        assert [c.title for c in session.exec(select(Case)).all()] == ["Before the upgrade"]
    assert vault.integrity_problems() == []
    vault.lock()

    backups = sorted(made.folder.glob(f"backups/before-migration-{old}-*"))
    assert len(backups) == 1
    assert sorted(p.name for p in backups[0].iterdir()) == [DB_NAME, KEYS_NAME]
    # The copy is the vault as it was: still encrypted, still at ``old``, opened by the same key.
    copy = raw_connection(backups[0], data_key)
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [(old,)]
        assert copy.execute("SELECT title FROM case_file").fetchall() == [("Before the upgrade",)]
    finally:
        copy.close()

    # Opening again: already at head, no second copy.
    track(Vault.open(made.folder, ALICE, ALICE_PW)).lock()
    assert len(list(made.folder.glob("backups/before-migration-*"))) == 1


def test_vault_made_at_the_first_revision_is_backed_up_then_upgraded(new_vault, track) -> None:
    if migrate.head_revision() == "0001":
        pytest.fail("only one revision: nothing to upgrade from (see the next test)")
    add_case(new_vault.vault)
    with new_vault.vault.engine.begin() as conn:  # take the schema back to revision 0001
        command.downgrade(migrate._config(conn), "0001")
    assert migrate.current_revision(new_vault.vault.engine) == "0001"
    data_key = new_vault.vault._data_key()
    new_vault.vault.lock()
    check_upgraded_with_backup(new_vault, data_key, "0001", migrate.head_revision(), track)


def test_vault_at_head_upgrades_to_a_newer_revision(new_vault, tmp_path, monkeypatch, track):
    add_case(new_vault.vault)
    data_key = new_vault.vault._data_key()
    head = migrate.head_revision()
    new_vault.vault.lock()

    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "t_next.py").write_text(NEXT_REVISION.replace("{head}", head))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    assert migrate.head_revision() == "t_next"

    check_upgraded_with_backup(new_vault, data_key, head, "t_next", track)
    vault = track(Vault.open(new_vault.folder, ALICE, ALICE_PW))
    assert vault.execute_raw("SELECT count(*) FROM test_extra")[0][0] == 0


def test_vault_of_a_newer_major_version_is_refused_untouched(new_vault) -> None:
    with new_vault.vault.write() as session:
        session.merge(VaultInfo(key="schema_major", value="2"))
    new_vault.vault.lock()
    before = folder_fingerprint(new_vault.folder)

    for _attempt in range(2):  # the lock is released after refusing, so it refuses again
        with pytest.raises(VaultTooNewError) as caught:
            Vault.open(new_vault.folder, ALICE, ALICE_PW)
        assert "newer version of BTAM Desktop" in str(caught.value)
        assert "format 2" in str(caught.value)

    assert folder_fingerprint(new_vault.folder) == before
    assert not any((new_vault.folder / "backups").iterdir())


def test_a_newer_minor_revision_opens_without_migrating(new_vault, track) -> None:
    data_key = new_vault.vault._data_key()
    new_vault.vault.lock()
    conn = raw_connection(new_vault.folder, data_key)
    conn.execute("UPDATE alembic_version SET version_num = '0099'")
    conn.close()

    vault = track(Vault.open(new_vault.folder, ALICE, ALICE_PW))
    assert migrate.current_revision(vault.engine) == "0099"
    assert not any(vault.backup_dir.iterdir())


def test_lost_version_table_is_reported_not_migrated_over(new_vault) -> None:
    """Tables present but alembic_version gone (damage, or a hand edit): re-running the first
    migration over the tables cannot work. The person gets VaultDamagedError, not a SQL error,
    and the data stays as it was."""
    add_case(new_vault.vault)
    data_key = new_vault.vault._data_key()
    new_vault.vault.lock()
    conn = raw_connection(new_vault.folder, data_key)
    conn.execute("DROP TABLE alembic_version")
    conn.close()

    with pytest.raises(VaultDamagedError):
        Vault.open(new_vault.folder, ALICE, ALICE_PW)
    conn = raw_connection(new_vault.folder, data_key)
    try:
        assert conn.execute("SELECT title FROM case_file").fetchall() == [("Before the upgrade",)]
    finally:
        conn.close()


def test_keyed_database_without_any_schema_is_damage_not_a_fresh_start(new_vault) -> None:
    """The right key, but no tables and no alembic_version (revision None). ``Vault.create``
    migrates before the key file exists, so a vault can never legitimately be in this state:
    opening reports damage instead of quietly building an empty vault over the file."""
    data_key = new_vault.vault._data_key()
    new_vault.vault.lock()
    conn = raw_connection(new_vault.folder, data_key)
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute("DROP TRIGGER audit_event_no_delete")
    conn.execute("DROP TABLE search_index")
    conn.execute("PRAGMA foreign_keys = OFF")
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for name in names:
        conn.execute(f'DROP TABLE "{name}"')
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    conn.close()

    with pytest.raises(VaultDamagedError):
        Vault.open(new_vault.folder, ALICE, ALICE_PW)
    conn = raw_connection(new_vault.folder, data_key)
    try:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    finally:
        conn.close()


def test_the_head_read_from_the_scripts_is_alembics(tmp_path, monkeypatch) -> None:
    """Sign-in reads the revisions from the scripts' text (no Alembic); it must agree."""
    from alembic.script import ScriptDirectory

    def alembic_answer() -> tuple[str | None, set[str]]:
        scripts = ScriptDirectory.from_config(migrate._config())
        return scripts.get_current_head(), {s.revision for s in scripts.walk_revisions()}

    assert migrate._script_chain(migrate.MIGRATIONS_DIR) is not None  # the fast path is taken
    assert (migrate.head_revision(), migrate.known_revisions()) == alembic_answer()

    head = migrate.head_revision()
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "t_next.py").write_text(NEXT_REVISION.replace("{head}", head))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    assert migrate.head_revision() == "t_next"
    assert (migrate.head_revision(), migrate.known_revisions()) == alembic_answer()

    # A script in an unusual form: Alembic answers.
    odd = tmp_path / "odd"
    shutil.copytree(scripts, odd)
    script = odd / "versions" / "t_next.py"
    script.write_text(
        script.read_text().replace('revision = "t_next"', 'NAME = "t_next"\nrevision = NAME')
    )
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", odd)
    assert migrate._script_chain(odd) is None
    assert migrate.head_revision() == "t_next"


def test_the_revision_read_without_alembic_is_alembics(new_vault) -> None:
    """Sign-in reads the database's revision with one SELECT; Alembic agrees, with the table
    at head, without the table, and with several rows (then Alembic itself is asked)."""
    from alembic.runtime.migration import MigrationContext

    engine = new_vault.vault.engine

    def alembic_answer() -> str | None:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    assert migrate.current_revision(engine) == alembic_answer() == migrate.head_revision()
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES ('t_other')")
    with pytest.raises(Exception, match="more than one head"):
        migrate.current_revision(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
    assert migrate.current_revision(engine) is None
    assert alembic_answer() is None


def test_signing_in_to_an_up_to_date_vault_loads_no_alembic(new_vault, tmp_path: Path) -> None:
    """Alembic is loaded only when a migration is due (issue 13)."""
    import subprocess
    import sys

    folder = new_vault.folder
    new_vault.vault.lock()
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from btam_desktop.services.app import prepare_for_sign_in\n"
        "from btam_desktop.store.vault import Vault\n"
        "prepare_for_sign_in(Path(sys.argv[1]))\n"
        f"vault = Vault.open(Path(sys.argv[1]), {ALICE!r}, {ALICE_PW!r})\n"
        "vault.lock()\n"
        "print('ALEMBIC', sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path / "data"),
        },
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ALEMBIC []" in done.stdout, done.stdout
