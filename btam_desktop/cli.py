"""The ``btam`` command: opens the window, or administers a vault from a terminal.

Exit codes: 0 done, 1 an error the person can fix (plain message on stderr), 2 wrong usage.
Passwords come from a prompt, or one per line on standard input with ``--password-stdin``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date
from pathlib import Path

from btam_desktop import APP_NAME, __version__
from btam_desktop.store.errors import VaultError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class PasswordSource:
    """Reads secrets from a prompt or, with --password-stdin, one per line from stdin."""

    def __init__(self, from_stdin: bool) -> None:
        self._lines: Iterator[str] | None = (
            iter(sys.stdin.read().splitlines()) if from_stdin else None
        )

    def get(self, prompt: str, confirm: bool = False) -> str:
        if self._lines is not None:
            try:
                return next(self._lines)
            except StopIteration:
                raise VaultError(
                    f"Standard input ran out of lines; expected one for: {prompt.rstrip(': ')}"
                ) from None
        value = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat it: ") != value:
            raise VaultError("The two entries did not match. Nothing was changed.")
        return value


def _vault_arg(parser: argparse.ArgumentParser, required: bool = True, server: bool = True) -> None:
    if server:  # issue 16: --vault DIR or --server URL
        from btam_desktop import cli_server

        cli_server.add_location_args(parser, required)
        return
    parser.add_argument("--vault", type=Path, required=required, help="the vault folder")


def _user_arg(parser: argparse.ArgumentParser, help_text: str = "your user name") -> None:
    parser.add_argument("--user", required=True, help=help_text)


def _stdin_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read passwords from standard input, one per line, instead of prompting",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="btam", description=f"{APP_NAME} {__version__}")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--demo", action="store_true", help="open the window on a demo vault")
    parser.add_argument("--vault", type=Path, help="open the window on this vault folder")
    parser.add_argument(  # issue 16: the window's sign-in screen for a team server
        "--server", metavar="URL", help="open the window on this team server's sign-in screen"
    )
    # -- installer support (issue 15) --
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this copy of the program works here (temporary vault, PDF, window)",
    )
    sub = parser.add_subparsers(dest="command")

    init = sub.add_parser("init", help="create a new vault and print its recovery key")
    _vault_arg(init)
    init.add_argument("--team", required=True, help="the team's name")
    _user_arg(init, "the coordinator's user name")
    init.add_argument("--display-name", default="", help="the coordinator's full name")
    init.add_argument(
        "--setting", default="school", choices=["school", "workplace", "campus", "community"]
    )
    init.add_argument("--scale", default="scale.four-level", help="level-of-concern scale id")
    _stdin_arg(init)

    demo = sub.add_parser(
        "demo",
        help="create a demo vault, or fill an empty team server, with fictional cases "
        "(password: demo)",
    )
    _vault_arg(demo)  # issue 16: --vault DIR or --server URL
    demo.add_argument("--cases", type=int, default=0, help="total cases (adds synthetic ones)")

    audit = sub.add_parser("audit", help="audit trail tools")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser(
        "verify", help="check the audit chain and every signature; names the first break"
    )
    _vault_arg(verify)
    _user_arg(verify)
    _stdin_arg(verify)
    # issue 10: exported heads and older copies
    verify.add_argument(
        "--expect",
        metavar="HEAD",
        help="an exported head (btam-head:N:HASH) or a file holding one; the trail must reach it",
    )
    verify.add_argument(
        "--accept-older-copy",
        action="store_true",
        help="(coordinator) accept a copy older than this computer has seen, e.g. after a restore",
    )
    head = audit_sub.add_parser(
        "head", help="print the audit head to keep elsewhere (and check later with --expect)"
    )
    _vault_arg(head)
    _user_arg(head)
    _stdin_arg(head)
    head.add_argument("--output", type=Path, help="also write the head to this file")
    # -- issue 11: the team-wide trail from a terminal --
    show = audit_sub.add_parser("show", help="print audit events, newest first (coordinator)")
    _vault_arg(show)
    _user_arg(show)
    show.add_argument("--since", type=_iso_date, help="from this day on (YYYY-MM-DD, UTC)")
    show.add_argument("--until", type=_iso_date, help="up to and including this day")
    show.add_argument("--kind", choices=_audit_kinds(), help="only this kind of event")
    show.add_argument("--person", default="", help="only events of this user name")
    show.add_argument("--case", default="", help="only events about this case number")
    show.add_argument("--limit", type=int, default=500, help="at most this many (default 500)")
    _stdin_arg(show)

    users = sub.add_parser("users", help="manage team members (coordinator only)")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="add a team member")
    _vault_arg(add)
    _user_arg(add, "your (coordinator) user name")
    add.add_argument("--name", required=True, help="the new member's user name")
    add.add_argument("--display-name", default="", help="the new member's full name")
    add.add_argument("--role", default="member", choices=["coordinator", "member", "viewer"])
    _stdin_arg(add)
    remove = users_sub.add_parser("remove", help="remove a member (the vault is rekeyed)")
    _vault_arg(remove)
    _user_arg(remove, "your (coordinator) user name")
    remove.add_argument("--name", required=True, help="the member to remove")
    _stdin_arg(remove)
    passwd = users_sub.add_parser("passwd", help="change a password (or reset with --recovery)")
    _vault_arg(passwd)
    _user_arg(passwd, "whose password to change")
    passwd.add_argument(
        "--recovery", action="store_true", help="reset it with the vault's recovery key"
    )
    _stdin_arg(passwd)
    _vault_arg(users_sub.add_parser("list", help="list the vault's user names"))

    forms = sub.add_parser("forms", help="protocol definitions")
    forms_sub = forms.add_subparsers(dest="forms_command", required=True)
    check = forms_sub.add_parser("check", help="validate a definition file or folder")
    check.add_argument("path", type=Path)

    printing = sub.add_parser("print", help="write printable PDFs (they are NOT encrypted)")
    print_sub = printing.add_subparsers(dest="print_command", required=True)
    blank = print_sub.add_parser("forms", help="blank checklists of every form")
    blank.add_argument("--out", type=Path, required=True, help="folder to write the PDFs into")
    own_forms = blank.add_mutually_exclusive_group()  # issue 16: a vault's or a server's own
    own_forms.add_argument("--vault", type=Path, help="include this vault's own forms (no sign-in)")
    own_forms.add_argument(
        "--server",
        metavar="URL",
        help="include the team server's own forms kept on this computer (no sign-in)",
    )
    blank.add_argument("--team", default="", help="team name printed in the header")
    blank.add_argument("--paper", choices=["letter", "a4"], default="letter")
    blank.add_argument("--no-guidance", action="store_true", help="leave out section guidance")
    case = print_sub.add_parser("case", help="a case summary")
    case.add_argument("number", help="the case number, e.g. 2026-0042")
    _vault_arg(case)
    case.add_argument("--user", required=True, help="your user name")
    case.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    case.add_argument("--paper", choices=["letter", "a4"], default=None)
    case.add_argument(
        "--abridged",
        action="store_true",
        help="print only the first pages of very long narratives and notes",
    )
    _stdin_arg(case)

    # Records lifecycle (issue 9): export, import, transfer, stats.
    from btam_desktop import cli_records

    cli_records.add_parsers(sub)
    # Team server (issue 16): btam server ...
    from btam_desktop import cli_server

    cli_server.add_parsers(sub)
    from btam_desktop.cli_backup import add_parsers as add_lifecycle_parsers

    add_lifecycle_parsers(sub)  # backup, retention (issue 9)

    return parser


def _cmd_print(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from btam_desktop.domain.forms import FormRegistry
    from btam_desktop.reports import write_blank_checklists

    if args.print_command == "forms":
        from btam_desktop.cli_server import forms_folder

        custom = forms_folder(args)
        registry = FormRegistry.load(custom)
        written = write_blank_checklists(
            args.out,
            registry,
            args.team or "Threat assessment team",
            args.paper,
            include_guidance=not args.no_guidance,
        )
        out(f"Wrote {len(written)} blank checklists to {args.out}")
        for problem in registry.problems:
            print(f"btam: skipped a bad form file: {problem}", file=sys.stderr)
        out("These PDF files are not encrypted: keep them as you would paper records.")
        return EXIT_OK
    from btam_desktop.cli_server import open_team
    from btam_desktop.reports import export_case_summary_read, render_case_summary

    password = PasswordSource(args.password_stdin).get(f"Password for {args.user}: ")
    app = open_team(args, args.user, password)
    try:
        case = app.cases.by_number(args.number)
        assert case.id is not None
        paper = args.paper or app.settings().paper_size
        # Say what cannot be printed before printing it (never a silent "?").
        from btam_desktop.reports.preflight import case_problems, warning_text

        warning = warning_text(case_problems(app, case.id))
        if warning:
            print(f"btam: {warning}", file=sys.stderr)
        read = export_case_summary_read(app, case.id)
        unrecorded = app.pending_events()
        read_only = app.read_only
    finally:
        app.lock()  # the layout below needs no vault: the window may open it meanwhile
    if unrecorded:
        why = "the vault is on read-only media" if read_only else "the disk is full"
        print(
            f"btam: {why}, so this export could not be recorded in the vault's audit trail.",
            file=sys.stderr,
        )
    pdf = render_case_summary(read, paper=paper, abridge=args.abridged)
    target: Path = args.out
    if target.is_dir():
        raise VaultError(f"{target} is a folder; give the name of the PDF file to write.")
    try:
        target.write_bytes(pdf)
    except OSError as exc:
        raise VaultError(f"Could not write {target}: {exc.strerror or 'write refused'}.") from exc
    out(f"Wrote the summary of case {args.number} to {target} ({len(pdf) // 1024} KB).")
    out("This PDF file is not encrypted: keep it as you would a paper record.")
    return EXIT_OK


def _cmd_init(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from btam_desktop.cli_server import create_team
    from btam_desktop.domain.enums import CaseSetting
    from btam_desktop.services.app import NewTeam

    passwords = PasswordSource(args.password_stdin)
    password = passwords.get("Coordinator password: ", confirm=True)
    app, recovery, created = create_team(
        args,
        NewTeam(
            team_name=args.team,
            setting=CaseSetting(args.setting),
            scale_id=args.scale,
            username=args.user,
            display_name=args.display_name or args.user,
            password=password,
        ),
    )
    app.lock()
    out(created)
    out("")
    out("RECOVERY KEY (shown once; write it down and keep it in a safe place):")
    out("")
    out(f"    {recovery}")
    out("")
    out("Anyone with this key can open the vault and reset passwords.")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from btam_desktop.cli_server import create_demo, on_server

    def progress(done: int, total: int, message: str) -> None:
        print(f"\r{message}: {done}/{total}", end="", file=sys.stderr, flush=True)

    app, where = create_demo(args, args.cases, progress)
    from btam_desktop.services.cases import CaseQuery

    total = app.cases.count(CaseQuery())
    app.lock()
    if args.cases:
        print(file=sys.stderr)
    made = "Demo team" if on_server(args) else "Demo vault"
    out(f"{made} with {total} fictional cases created {where}")
    out("Sign in as demo (coordinator), morgan (member) or casey (viewer); password: demo")
    return EXIT_OK


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a date; write it as 2026-12-05"
        ) from None


def _audit_kinds() -> list[str]:
    from btam_desktop.domain.audit_kinds import AuditKind

    return [k.value for k in AuditKind]


def _cmd_audit_show(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from btam_desktop.cli_server import open_team
    from btam_desktop.domain.audit_kinds import AuditKind
    from btam_desktop.domain.text import plural
    from btam_desktop.services.audit_log import AuditQuery

    query = AuditQuery(
        username=args.person,
        kind=AuditKind(args.kind) if args.kind else None,
        case_number=args.case,
        since=args.since,
        until=args.until,
        limit=max(1, args.limit),
    )
    password = PasswordSource(args.password_stdin).get(f"Password for {args.user}: ")
    app = open_team(args, args.user, password)
    try:
        rows = app.audit_log.rows(query)
        app.audit_log.record_view(query)
    finally:
        app.lock()
    for row in rows:
        when = row.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        case = f" [{row.case_number}]" if row.case_number else ""
        detail = f": {row.summary}" if row.summary else ""
        out(f"{row.id:>7}  {when}  {row.username:<16} {row.label}{case}{detail}")
    out(f"{plural(len(rows), 'event')} ({query.describe()}); times are UTC.")
    return EXIT_OK


def _cmd_audit(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from btam_desktop.cli_server import open_team

    if args.audit_command == "show":
        return _cmd_audit_show(args, out)
    password = PasswordSource(args.password_stdin).get(f"Password for {args.user}: ")
    from btam_desktop.store.keyslots import write_atomic

    accept = bool(getattr(args, "accept_older_copy", False))
    app = open_team(
        args,
        args.user,
        password,
        accept_older_copy=accept,
        inspect_older_copy=args.audit_command == "verify",
    )
    try:
        if args.audit_command == "head":
            exported = app.audit_head()
            if args.output is not None:
                write_atomic(args.output, (exported + "\n").encode("ascii"))
            out(exported)
            out(f"Vault key: {app.vault.fingerprint}")
            return EXIT_OK
        expected = args.expect
        if expected and Path(expected).is_file():
            expected = Path(expected).read_text("ascii", errors="replace").strip()
        report = app.verify_audit(expect_head=expected or None)
    finally:
        app.lock()
    out(report.describe())
    if app.older_copy is not None:
        out(str(app.older_copy))
    if report.ok and app.older_copy is None:
        out(f"Head hash: {report.head_hash}")
        out(f"Vault key: {app.vault.fingerprint}")
        return EXIT_OK
    return EXIT_ERROR


def _cmd_users(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from btam_desktop.cli_server import open_team, recover_and_reset, usernames
    from btam_desktop.domain.enums import Role

    if args.users_command == "list":
        for name in usernames(args):
            out(name)
        return EXIT_OK
    passwords = PasswordSource(args.password_stdin)
    if args.users_command == "passwd" and args.recovery:
        key = passwords.get("Recovery key: ")
        new = passwords.get(f"New password for {args.user}: ", confirm=True)
        recover_and_reset(args, key, args.user, new)
        out(f"Password for {args.user} was reset. Sign in with the new password.")
        return EXIT_OK
    own = passwords.get(f"Password for {args.user}: ")
    app = open_team(args, args.user, own)
    try:
        if args.users_command == "add":
            new = passwords.get(f"Password for the new member {args.name}: ", confirm=True)
            app.team.add_member(args.name, args.display_name or args.name, Role(args.role), new)
            out(f"Added {args.name} as {args.role}.")
        elif args.users_command == "remove":
            target = next(
                (m for m in app.team.members() if m.username.lower() == args.name.lower()), None
            )
            if target is None or target.id is None:
                raise VaultError(f"There is no active team member named “{args.name}”.")
            app.team.remove_member(target.id)
            out(f"Removed {target.username}; the vault was re-encrypted with a new key.")
        elif args.users_command == "passwd":
            new = passwords.get("New password: ", confirm=True)
            app.team.change_own_password(own, new)
            out("Password changed.")
    finally:
        app.lock()
    return EXIT_OK


def _cmd_forms(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from btam_desktop.domain.forms import check_path

    problems = check_path(args.path)
    if problems:
        print(str(problems[0]), file=sys.stderr)
        return EXIT_ERROR
    out(f"{args.path}: valid")
    return EXIT_OK


def _open_window(args: argparse.Namespace) -> int:
    from btam_desktop.ui.app import run_app

    return int(run_app(demo=args.demo, vault=args.vault, server=args.server))


COMMANDS: dict[str, Callable[[argparse.Namespace, Callable[[str], None]], int]] = {
    "init": _cmd_init,
    "demo": _cmd_demo,
    "audit": _cmd_audit,
    "users": _cmd_users,
    "forms": _cmd_forms,
    "print": _cmd_print,
    "backup": lambda args, out: _lifecycle("cmd_backup", args, out),
    "retention": lambda args, out: _lifecycle("cmd_retention", args, out),
}
# Records lifecycle (issue 9): export, import, transfer, stats.
from btam_desktop.cli_records import COMMANDS as _RECORDS_COMMANDS  # noqa: E402

COMMANDS.update(_RECORDS_COMMANDS)
# Team server (issue 16): btam server ...
from btam_desktop.cli_server import COMMANDS as _SERVER_COMMANDS  # noqa: E402

COMMANDS.update(_SERVER_COMMANDS)


def _lifecycle(name: str, args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from btam_desktop import cli_backup

    handler: Callable[[argparse.Namespace, Callable[[str], None]], int] = getattr(cli_backup, name)
    return handler(args, out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help/--version, 2 for wrong usage
        return int(exc.code or 0)
    if args.self_test:  # issue 15: installer support
        from btam_desktop.selftest import run_self_test

        return EXIT_OK if run_self_test(print) else EXIT_ERROR
    if args.command is None:
        return _open_window(args)
    try:
        return COMMANDS[args.command](args, print)
    except VaultError as exc:
        print(f"btam: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("btam: interrupted; nothing further was changed.", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a bug: report it without content, never a raw traceback
        return _report_unexpected(exc)


def _report_unexpected(exc: Exception) -> int:
    from btam_desktop.logs import write_crash_report

    path, _details = write_crash_report(type(exc), exc, exc.__traceback__, where="the btam command")
    where = f" A report without any case content was saved to {path}." if path else ""
    print(
        f"btam: something unexpected went wrong ({type(exc).__name__}). Nothing further was "
        f"changed.{where} Please pass it on to whoever supports BTAM Desktop for your team.",
        file=sys.stderr,
    )
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
