"""Schema migrations (Alembic) for a vault, run over the vault's own keyed connection."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from btam_desktop.store.errors import VaultError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The major schema version this program writes. A vault whose major is higher is refused.
SCHEMA_MAJOR = 1


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class IncompleteInstallationError(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "This copy of BTAM Desktop is incomplete: its database upgrade files are missing. "
            "Reinstall the program; your vault has not been changed."
        )


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise IncompleteInstallationError()
    return head


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    head_revision()  # refuse plainly, before touching the database, if the scripts are missing
    with engine.begin() as conn:
        command.upgrade(_config(conn), target)
