"""The Alembic migrations build exactly the schema the tables declare."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from btam_desktop.domain import models
from btam_desktop.store import migrate


def _not_search_index(obj: object, name: str | None, type_: str, reflected: bool, other: object):
    return not (type_ == "table" and name is not None and name.startswith("search_index"))


def test_migrations_match_the_models() -> None:
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "head")
        context = MigrationContext.configure(
            conn, opts={"include_object": _not_search_index, "compare_type": True}
        )
        assert compare_metadata(context, models.ALL_TABLES) == []


def test_migrations_form_one_line_of_history() -> None:
    assert migrate.head_revision() == max(migrate.known_revisions())


def test_missing_migration_files_give_a_plain_error(tmp_path, monkeypatch) -> None:
    import pytest

    from btam_desktop.store.crypto import KdfParams
    from btam_desktop.store.vault import Vault

    empty = tmp_path / "migrations"
    (empty / "versions").mkdir(parents=True)
    (empty / "env.py").write_text((migrate.MIGRATIONS_DIR / "env.py").read_text())
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", empty)
    with pytest.raises(migrate.IncompleteInstallationError, match="Reinstall the program"):
        Vault.create(
            tmp_path / "v",
            username="lead",
            password="long enough password",
            kdf_params=KdfParams(1, 8, 1),
        )
