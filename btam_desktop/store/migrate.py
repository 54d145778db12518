"""Schema migrations (Alembic) for a vault, run over the vault's own keyed connection."""

from __future__ import annotations

import functools
import re
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
    chain = _script_chain(MIGRATIONS_DIR)
    if chain is not None:
        heads = set(chain) - {down for downs in chain.values() for down in downs}
        if len(heads) == 1:
            return heads.pop()
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise IncompleteInstallationError()
    return head


def known_revisions() -> set[str]:
    chain = _script_chain(MIGRATIONS_DIR)
    if chain is not None:
        return set(chain)
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
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    head_revision()  # refuse plainly, before touching the database, if the scripts are missing
    with engine.begin() as conn:
        command.upgrade(_config(conn), target)
