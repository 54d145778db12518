"""The ``btam`` command on a team server (issue 16): ``--server URL`` wherever ``--vault DIR``
is taken, and ``btam server ...`` for whoever runs the server.

Kept apart from cli.py so the vault commands read as before: they call ``open_team`` and
friends, which pick the vault or the server from the arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from btam_desktop.store.errors import VaultError

if TYPE_CHECKING:
    from btam_desktop.services.app import Btam, NewTeam

SERVER_HELP = (
    "a team server's address instead of a vault, e.g. postgresql://btam_app@db.example/btam"
    "?sslrootcert=district-ca.pem (ask whoever runs the server)"
)


def add_location_args(parser: argparse.ArgumentParser, required: bool = True) -> None:
    """``--vault DIR`` or ``--server URL``, one of them."""
    where = parser.add_mutually_exclusive_group(required=required)
    where.add_argument("--vault", type=Path, help="the vault folder")
    where.add_argument("--server", metavar="URL", help=SERVER_HELP)


def on_server(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "server", None))


def _warn_if_unencrypted(url: str) -> None:
    from btam_desktop.store.server.connection import parse_server_url

    warning = parse_server_url(url).warning
    if warning:
        print(f"btam: note: {warning}", file=sys.stderr)


def open_team(
    args: argparse.Namespace,
    username: str,
    password: str,
    *,
    accept_older_copy: bool = False,
    inspect_older_copy: bool = False,
) -> Btam:
    """Sign in to the vault or the team server the arguments name; the older-copy options are
    ``unlock``'s (this computer's anchor applies to both)."""
    if on_server(args):
        from btam_desktop.services.team_server import unlock_server

        _warn_if_unencrypted(args.server)
        return unlock_server(
            args.server,
            username,
            password,
            accept_older_copy=accept_older_copy,
            inspect_older_copy=inspect_older_copy,
        )
    from btam_desktop.services.app import unlock

    return unlock(
        args.vault,
        username,
        password,
        accept_older_copy=accept_older_copy,
        inspect_older_copy=inspect_older_copy,
    )


def create_team(args: argparse.Namespace, team: NewTeam) -> tuple[Btam, str, str]:
    """Returns the app, the recovery key and a sentence saying where the team now lives."""
    if on_server(args):
        from btam_desktop.services.team_server import create_team_server

        _warn_if_unencrypted(args.server)
        app, recovery = create_team_server(args.server, team)
        where = app.vault.where  # type: ignore[attr-defined]
        return app, recovery, f"Team set up on the team server {where}"
    from btam_desktop.services.app import create_team_vault

    app, recovery = create_team_vault(args.vault, team)
    return app, recovery, f"Vault created in {app.vault.folder}"


def usernames(args: argparse.Namespace) -> list[str]:
    if on_server(args):
        from btam_desktop.services.team_server import server_usernames

        return server_usernames(args.server)
    from btam_desktop.services.app import vault_usernames

    return vault_usernames(args.vault)


def recover_and_reset(args: argparse.Namespace, key: str, username: str, new: str) -> None:
    if on_server(args):
        from btam_desktop.services.team_server import recover_and_reset_server

        recover_and_reset_server(args.server, key, username, new)
        return
    from btam_desktop.services.app import recover_and_reset as reset_in_vault

    reset_in_vault(args.vault, key, username, new)


def require_vault(args: argparse.Namespace, what: str, instead: str = "") -> Path:
    """The vault folder; on a team server, a clear refusal saying what to do instead."""
    if on_server(args):
        raise VaultError(
            f"{what} works on a vault on this computer only, not on a team server."
            + (f" {instead}" if instead else "")
        )
    folder: Path = args.vault
    return folder


def forms_folder(args: argparse.Namespace) -> Path | None:
    """The team's own forms for ``btam print forms``: in the vault folder, or this computer's
    folder for the team server (read without signing in); None for the built-in forms only."""
    if on_server(args):
        from btam_desktop.services.team_server import server_forms_folder

        _warn_if_unencrypted(args.server)
        return server_forms_folder(args.server)
    return args.vault / "forms" if args.vault else None


def create_demo(
    args: argparse.Namespace, cases: int, progress: Callable[[int, int, str], None]
) -> tuple[Btam, str]:
    """``btam demo``: the demo team in a new vault or on an empty team server database; the
    app (open as the demo coordinator) and where it now lives, in words."""
    if on_server(args):
        from btam_desktop.services.demo import create_demo_server

        _warn_if_unencrypted(args.server)
        app = create_demo_server(args.server, cases=cases, progress=progress)
        return app, f"on the team server {app.vault.where}"  # type: ignore[attr-defined]
    from btam_desktop.services.demo import create_demo_vault

    app = create_demo_vault(args.vault, cases=cases, progress=progress)
    return app, f"in {app.vault.folder}"


# ---- btam server ... (for whoever runs the server) --------------------------------------------


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    server = sub.add_parser("server", help="set up a team server (for whoever runs PostgreSQL)")
    server_sub = server.add_subparsers(dest="server_command", required=True)
    init = server_sub.add_parser(
        "init",
        help="create the database roles and the schema on an empty database",
    )
    init.add_argument(
        "--admin-url",
        required=True,
        help="an address that connects as a PostgreSQL superuser or database owner",
    )
    init.add_argument("--database", required=True, help="the (empty) database for the team")
    init.add_argument("--owner-role", default="btam_owner", help="the role owning the tables")
    init.add_argument("--app-role", default="btam_app", help="the role the program connects as")
    init.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the two new roles' passwords from standard input, one per line",
    )
    upgrade = server_sub.add_parser(
        "upgrade", help="upgrade the team's tables for this version of BTAM Desktop"
    )
    upgrade.add_argument("--admin-url", required=True, help="as for server init")
    upgrade.add_argument("--database", required=True, help="the team's database")
    upgrade.add_argument("--owner-role", default="btam_owner", help="the role owning the tables")
    upgrade.add_argument("--app-role", default="btam_app", help="the role the program uses")
    server_sub.add_parser("roles-sql", help="print the SQL script that creates the roles")
    move = server_sub.add_parser(
        "move",
        help="copy every case of a vault to a team server (or back, with --to-vault), "
        "without an export file",
    )
    move.add_argument("--vault", type=Path, required=True, help="the vault folder")
    move.add_argument("--server", metavar="URL", required=True, help=SERVER_HELP)
    move.add_argument("--user", required=True, help="your user name in the vault")
    move.add_argument("--server-user", help="your user name on the server (if different)")
    move.add_argument(
        "--to-vault", action="store_true", help="from the server into the vault instead"
    )
    move.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the vault password, then the server password, one per line",
    )


def cmd_server(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from btam_desktop.store.server import roles

    if args.server_command == "roles-sql":
        out(roles.roles_sql())
        return 0
    if args.server_command == "move":
        return _cmd_move(args, out)
    if args.server_command == "upgrade":
        was = roles.upgrade_schema(
            args.admin_url, args.database, owner=args.owner_role, app=args.app_role
        )
        out(
            f"The team's tables in {args.database} were already up to date."
            if was is None
            else f"The team's tables in {args.database} were upgraded (from revision {was})."
        )
        return 0
    from btam_desktop.cli import PasswordSource

    passwords = PasswordSource(args.password_stdin)
    owner, app = args.owner_role, args.app_role
    owner_pw = passwords.get(f"New password for the role {owner}: ", confirm=True)
    app_pw = passwords.get(f"New password for the role {app}: ", confirm=True)
    roles.set_up_server(args.admin_url, args.database, owner_pw, app_pw, owner=owner, app=app)
    out(f"The roles {owner} and {app} and the tables are ready in the database {args.database}.")
    out(
        "Next, the coordinator sets up the team (as the app role): btam init --server "
        f"postgresql://{app}@HOST/{args.database} --team ... --user ... ; everyone then signs "
        "in with that same address. Nobody uses the owner role day to day."
    )
    return 0


def _cmd_move(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from btam_desktop.cli import PasswordSource
    from btam_desktop.services.app import unlock
    from btam_desktop.services.team_server import move_cases, unlock_server

    passwords = PasswordSource(args.password_stdin)
    server_user = args.server_user or args.user
    vault_pw = passwords.get(f"Password for {args.user} in the vault: ")
    server_pw = passwords.get(f"Password for {server_user} on the team server: ")
    _warn_if_unencrypted(args.server)
    vault = unlock(args.vault, args.user, vault_pw)
    try:
        server = unlock_server(args.server, server_user, server_pw)
        try:
            source, target = (server, vault) if args.to_vault else (vault, server)
            done = move_cases(source, target)
        finally:
            server.lock()
    finally:
        vault.lock()
    where = "the vault" if args.to_vault else "the team server"
    out(
        f"Copied {done.cases_moved} of {done.cases_before} cases to {where}; it now holds "
        f"{done.cases_after}."
    )
    out(f"Source: {done.source_audit}")
    out(f"Target: {done.target_audit}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Callable[[str], None]], int]] = {
    "server": cmd_server,
}
