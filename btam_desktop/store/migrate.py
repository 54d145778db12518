"""Schema migrations (Alembic) for a vault, run over the vault's own keyed connection.

Alembic is imported only when a migration is due (or the scripts are not in their usual
form): every sign-in asks only which revision the database is at, which is one SELECT, and
what the newest script is, which is read from the scripts' text.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from btam_desktop.store.errors import VaultError

if TYPE_CHECKING:
    from alembic.config import Config

VERSION_TABLE = "alembic_version"

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The major schema version this program writes. A vault whose major is higher is refused.
SCHEMA_MAJOR = 1


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

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
    chain = _script_chain(MIGRATIONS_DIR)
    if chain is not None:
        heads = set(chain) - {down for downs in chain.values() for down in downs}
        if len(heads) == 1:
            return heads.pop()
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise IncompleteInstallationError()
    return head


def known_revisions() -> set[str]:
    chain = _script_chain(MIGRATIONS_DIR)
    if chain is not None:
        return set(chain)
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}


_ASSIGNMENT = re.compile(
    r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*(?:#.*)?$", re.MULTILINE
)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


@functools.cache
def _script_chain(folder: Path) -> dict[str, tuple[str, ...]] | None:
    """Each migration's revision and what it follows, read from the scripts' text.

    Every sign-in asks whether the vault is at the head revision; Alembic answers by loading
    every script (about half a second the first time in a process). Reading the two
    assignments takes a millisecond. None when a script is not in the usual form: then
    Alembic is asked (the tests check both agree)."""
    chain: dict[str, tuple[str, ...]] = {}
    scripts = sorted((folder / "versions").glob("*.py"))
    for script in scripts:
        found = dict(_ASSIGNMENT.findall(script.read_text(encoding="utf-8")))
        revision = _QUOTED.fullmatch(found.get("revision", ""))
        down = found.get("down_revision")
        if revision is None or down is None:
            return None
        chain[revision.group(1)] = tuple(_QUOTED.findall(down))
    return chain or None


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for a database without Alembic's table), read
    the way Alembic stores it; Alembic itself answers the unusual case of several rows."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        if len(rows) <= 1:
            return str(rows[0]) if rows else None
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    from alembic import command

    head_revision()  # refuse plainly, before touching the database, if the scripts are missing
    with engine.begin() as conn:
        command.upgrade(_config(conn), target)
