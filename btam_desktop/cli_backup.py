"""``btam backup create|verify|list|restore`` and ``btam retention due`` (issue 9).

Kept apart from cli.py so the lifecycle commands merge cleanly; cli.py registers them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_ERROR = 0, 1
# What to do instead of backing up a team server from here (issue 16).
SERVER_BACKUP = (
    "A team server is backed up by whoever runs the server (a pg_dump of the team's database, "
    "in which case content stays encrypted); ask them. To move the team's cases into a vault "
    "on this computer, use: btam server move --to-vault."
)
Out = Callable[[str], None]


def add_parsers(sub: Any) -> None:
    from btam_desktop.cli import _stdin_arg, _user_arg, _vault_arg

    backup = sub.add_parser("backup", help="make, check, list and restore backups")
    backup_sub = backup.add_subparsers(dest="backup_command", required=True)
    create = backup_sub.add_parser("create", help="write a checked backup file; prints its path")
    _vault_arg(create)  # --server is refused with what to do instead (require_vault)
    _user_arg(create)
    create.add_argument(
        "--to", type=Path, default=None, help="folder to write into (default: the team's folder)"
    )
    _stdin_arg(create)
    verify = backup_sub.add_parser("verify", help="check a backup file completely")
    verify.add_argument("file", type=Path)
    _user_arg(verify, "a user name in the backup")
    _stdin_arg(verify)
    listing = backup_sub.add_parser("list", help="the backups of a vault, newest first")
    _vault_arg(listing)
    listing.add_argument("--folder", type=Path, default=None, help="look in this folder")
    restore = backup_sub.add_parser("restore", help="restore a backup into a new folder")
    restore.add_argument("file", type=Path)
    restore.add_argument("--to", type=Path, required=True, help="an empty or new folder")
    _user_arg(restore, "a coordinator's user name in the backup")
    restore.add_argument(
        "--current-vault",
        type=Path,
        default=None,
        help="today's vault: members no longer in it are named as stale key slots",
    )
    restore.add_argument(
        "--remove-stale",
        action="store_true",
        help="remove those stale slots at once (the restored vault is re-encrypted)",
    )
    _stdin_arg(restore)

    retention = sub.add_parser("retention", help="retention and destruction")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True)
    due = retention_sub.add_parser("due", help="cases due for destruction (coordinator)")
    _vault_arg(due)
    _user_arg(due)
    _stdin_arg(due)


def _progress(done: int, total: int, message: str) -> None:
    if total > 0 and sys.stderr.isatty():
        print(f"\r{message}: {done * 100 // total}%   ", end="", file=sys.stderr, flush=True)


def cmd_backup(args: argparse.Namespace, out: Out) -> int:
    from btam_desktop.cli import PasswordSource
    from btam_desktop.cli_server import require_vault
    from btam_desktop.services import backup as backups
    from btam_desktop.services.app import unlock
    from btam_desktop.store.backup import human_size

    passwords = PasswordSource(getattr(args, "password_stdin", False))
    if args.backup_command == "create":
        folder = require_vault(args, "btam backup create", SERVER_BACKUP)
        app = unlock(folder, args.user, passwords.get(f"Password for {args.user}: "))
        try:
            made = app.backups.create(args.to, progress=_progress)
        finally:
            app.lock()
        _end_progress()
        out(str(made.path))
        print(
            f"Backup written and checked: {made.manifest.cases} cases, "
            f"{human_size(made.size)}, {made.seconds:.1f} s"
            + (
                f"; {len(made.removed_by_rotation)} older removed"
                if made.removed_by_rotation
                else ""
            ),
            file=sys.stderr,
        )
        return EXIT_OK
    if args.backup_command == "verify":
        checked = backups.verify_backup(
            args.file, args.user, passwords.get(f"Password for {args.user}: "), _progress
        )
        _end_progress()
        out(checked.describe())
        return EXIT_OK if checked.ok else EXIT_ERROR
    if args.backup_command == "list":
        return _list(args, out)
    # restore
    current: set[str] | None = None
    if args.current_vault is not None:
        from btam_desktop.services.app import vault_usernames

        current = set(vault_usernames(args.current_vault))
    password = passwords.get(f"Password for {args.user}: ")
    result = backups.restore_to_new_folder(
        args.file, args.to, args.user, password, current_members=current, progress=_progress
    )
    _end_progress()
    out(f"Restored into {result.folder}: {result.manifest.describe()}.")
    if result.stale_members:
        names = ", ".join(result.stale_members)
        if args.remove_stale:
            backups.remove_stale_members(result.folder, args.user, password, result.stale_members)
            out(f"Removed the key slots of {names} and re-encrypted the restored vault.")
        else:
            out(
                f"The backup still holds key slots of people no longer on the team: {names}. "
                "Their old passwords open the restored vault. Run again with --remove-stale, "
                "or remove them under Team."
            )
    return EXIT_OK


def _end_progress() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)


def _list(args: argparse.Namespace, out: Out) -> int:
    from btam_desktop.cli_server import require_vault
    from btam_desktop.store import backup as store_backup
    from btam_desktop.store.errors import VaultError, VaultNotFoundError
    from btam_desktop.store.keyfile_names import KEYS_NAME
    from btam_desktop.store.keyslots import KeyFile
    from btam_desktop.store.vault import is_vault

    vault = require_vault(args, "btam backup list", SERVER_BACKUP).expanduser().resolve()
    if not is_vault(vault):
        raise VaultNotFoundError(str(vault))
    vault_id = KeyFile.read(vault / KEYS_NAME).vault_id
    known = store_backup.known_backups(vault)
    checked = {k.path: k.verified_at for k in known}
    folders = [args.folder] if args.folder else sorted({Path(k.path).parent for k in known})
    entries = [e for folder in folders for e in store_backup.list_backups(folder, vault_id)]
    if not entries:
        out(
            "No backups of this vault were found. Make one with: btam backup create --vault "
            f"{args.vault} --user NAME --to FOLDER"
        )
        return EXIT_OK
    entries.sort(key=lambda e: e.created_at, reverse=True)
    for entry in entries:
        try:
            cases = f"{store_backup.read_backup(entry.path).manifest.cases} cases"
        except VaultError:
            cases = "UNREADABLE"
        when = entry.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        mark = "checked " + checked[str(entry.path)][:10] if str(entry.path) in checked else ""
        out(
            f"{when}  {store_backup.human_size(entry.size):>8}  {cases:>14}  "
            f"{mark:<18}  {entry.path}"
        )
    return EXIT_OK


def cmd_retention(args: argparse.Namespace, out: Out) -> int:
    from btam_desktop.cli import PasswordSource
    from btam_desktop.cli_server import open_team

    password = PasswordSource(args.password_stdin).get(f"Password for {args.user}: ")
    app = open_team(args, args.user, password)  # a vault or a team server
    try:
        due = app.retention.due()
        rules = app.retention.rules()
    finally:
        app.lock()
    if not rules:
        out(
            "No retention rules are set, so no case is ever due. The coordinator enters the "
            "team's rules in Settings."
        )
        return EXIT_OK
    if not due:
        out(f"No case is due for destruction on {datetime.now():%Y-%m-%d}.")
        return EXIT_OK
    for item in due:
        hold = f"  BLOCKED: {item.hold_text()}" if item.legal_hold else ""
        out(f"{item.number}  closed {item.closed_on}  due {item.due_on}  {item.rule}{hold}")
    return EXIT_OK
